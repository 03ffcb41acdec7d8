// The console's Moderation tab (issue 19; moderators and admins): the queue
// of reported items, the longest-waiting first, as a list of buttons; the
// chosen item shown in context (the post with its photos and author, the
// comment with its post, the person with their recent posts, the chat
// message's text as its reporter received it) with its reports; and a form
// with the actions that apply to it (the server's list), a note and, for a
// suspension, the days. The result is said in a live region and the queue
// reloads. The server checks every role again (F_MOD | F_ADMIN).
import { get, post } from '../api.js';
import { el } from '../compose-kit.js';
import { problem } from './kit.js';

const QUEUE_PAGE = 50; // items per page of the queue (the API allows 1..100)
const NOTE_MAX = 200; // characters of a note (PA_MOD_BODY_NOTE_MAX)
const DAYS_MAX = 365; // PA_MOD_BODY_DAYS_MAX

const who = (p) => `${p.name} (@${p.handle})`;
const when = (t, iso) => el('time', { dateTime: iso, textContent: t('time.dateAndTime', { when: Date.parse(iso) }) });

// The item in context, by kind: what the moderator reads before acting.
function context(t, item) {
  const box = el('div', { className: 'mod-context' });
  if (item.post) {
    const p = item.post;
    box.append(el('p', { textContent: t('mod.byPerson', { name: who(p.author) }) }),
      el('p', { className: 'social-caption', textContent: p.caption }));
    if (p.images.length) {
      box.append(el('ul', { className: 'social-photos mod-photos' },
        ...p.images.map((im) => el('li', {}, el('img', { src: im.url, alt: im.alt, decoding: 'async' })))));
    }
  } else if (item.comment) {
    const c = item.comment;
    box.append(el('p', { textContent: t('mod.byPerson', { name: who(c.author) }) }),
      el('blockquote', { textContent: c.body }),
      el('p', {}, el('a', { href: `/posts/${encodeURIComponent(c.post.id)}`, textContent: t('mod.onPost', { caption: c.post.caption }) })));
  } else if (item.person) {
    const u = item.person;
    box.append(el('p', {}, el('a', { href: `/people/${encodeURIComponent(u.id)}`, textContent: who(u) })),
      u.bio ? el('p', { textContent: u.bio }) : '',
      el('h4', { textContent: t('mod.recentPosts') }),
      el('ul', {}, ...u.recent_posts.map((p) => el('li', {},
        el('a', { href: `/posts/${encodeURIComponent(p.id)}`, textContent: p.caption || p.id }),
        ` · ${t(`mod.state.${p.state}`)}`))));
  } else if (item.message) {
    box.append(el('p', { textContent: t('mod.messageFrom', { id: item.message.from }) }));
  }
  return box;
}

function reports(t, item) {
  return el('ul', { className: 'mod-reports' }, ...item.reports.map((r) => el('li', {},
    el('p', {}, `${t('mod.reportBy', { name: who(r.reporter), reason: t(`report.reason.${r.reason}`) })} · `, when(t, r.created_at)),
    r.text ? el('p', { textContent: r.text }) : '',
    r.message !== null ? el('blockquote', { className: 'mod-message', textContent: r.message }) : '')));
}

export function mount(t, panel) {
  const list = el('ul', { className: 'mod-queue', 'aria-labelledby': 'mod-queue-title' });
  const empty = el('p', { hidden: true, textContent: t('mod.queueEmpty') });
  const detail = el('section', { className: 'mod-item', 'aria-labelledby': 'mod-item-title', hidden: true });
  const status = el('p', { role: 'status', className: 'form-message' });
  panel.append(el('h2', { id: 'mod-queue-title', textContent: t('mod.queueTitle') }), list, empty, status, detail);

  async function show(kind, id) {
    const r = await get(`/api/v1/mod/items/${kind}/${encodeURIComponent(id)}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    render(r.data);
  }

  function render(item) {
    const heading = el('h3', { id: 'mod-item-title', tabIndex: -1,
      textContent: `${t(`mod.kind.${item.kind}`)} · ${t(`mod.state.${item.state}`)}` });
    const action = el('select', { id: 'mod-action' },
      ...item.actions.map((a) => el('option', { value: a, textContent: t(`mod.action.${a}`) })));
    const note = el('textarea', { id: 'mod-note', maxLength: NOTE_MAX, rows: 2 });
    const days = el('input', { id: 'mod-days', type: 'number', min: 1, max: DAYS_MAX, value: 7, required: true });
    const daysRow = el('p', { hidden: true }, el('label', { htmlFor: 'mod-days', textContent: t('mod.days') }), ' ', days);
    const apply = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('mod.apply') });
    const form = el('form', { className: 'mod-form' },
      el('p', {}, el('label', { htmlFor: 'mod-action', textContent: t('mod.actionLabel') }), ' ', action),
      daysRow,
      el('p', {}, el('label', { htmlFor: 'mod-note', textContent: t('mod.note') })), note,
      el('p', {}, apply));
    action.addEventListener('change', () => { daysRow.hidden = action.value !== 'suspend'; });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { action: action.value };
      if (note.value.trim()) body.note = note.value.trim();
      if (action.value === 'suspend') body.days = Number(days.value);
      apply.disabled = true;
      const r = await post(`/api/v1/mod/items/${item.kind}/${encodeURIComponent(item.id)}/actions`, body);
      apply.disabled = false;
      if (!r.ok) {
        status.textContent = problem(t, r.error);
        return;
      }
      status.textContent = t('mod.done', { action: t(`mod.action.${body.action}`), state: t(`mod.state.${r.data.state}`) });
      render(r.data);
      await loadQueue();
    });
    detail.replaceChildren(heading, context(t, item),
      el('h4', { textContent: t('mod.reports', { count: item.reports.length }) }), reports(t, item), form);
    detail.hidden = false;
    heading.focus();
  }

  async function loadQueue() {
    const r = await get(`/api/v1/mod/queue?limit=${QUEUE_PAGE}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    list.replaceChildren(...r.data.items.map((i) => {
      const b = el('button', { type: 'button', className: 'social-link-button',
        textContent: t('mod.queueItem', { kind: t(`mod.kind.${i.kind}`), name: who(i.subject), count: i.report_count }) });
      b.addEventListener('click', () => { status.textContent = ''; show(i.kind, i.id); });
      return el('li', {}, b, ' ', when(t, i.first_reported_at));
    }));
    empty.hidden = r.data.items.length > 0;
  }
  return loadQueue;
}
