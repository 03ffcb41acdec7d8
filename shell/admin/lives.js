// The console's Lives tab (moderators and admins; issue 24, contract §2): the
// lives on air now (GET /api/v1/admin/lives), each with who, the pet, the
// title, when it started and its viewers, a link to watch it, and End: a
// confirmation naming the live before POST /api/v1/admin/lives/{lv}/end (the
// live ends with reason `moderator`, no replay is kept, the audit log has it).
// Titles and names are the broadcasters' words: shown as text only.
import { get, post } from '../api.js';
import { el } from '../compose-kit.js';
import { problem } from './kit.js';
import { whoText, viewersText, stateText } from '../live/kit.js';

export function mount(t, panel) {
  const caption = el('h2', { id: 'admin-lives-caption', textContent: t('live.admin.caption') });
  const list = el('ul', { className: 'admin-lives', 'aria-labelledby': caption.id });
  const status = el('p', { role: 'status', className: 'admin-lives-status' });
  const refresh = el('button', { type: 'button', className: 'secondary', textContent: t('live.admin.refresh') });
  panel.append(caption, el('p', {}, refresh), list, status);

  function item(live) {
    const who = whoText(t, live);
    const started = live.started_at ?? live.created_at;
    const end = el('button', { type: 'button', className: 'social-button', textContent: t('live.admin.end'),
      'aria-label': t('live.admin.endNamed', { name: who }) });
    const question = el('p', { id: `admin-live-q-${live.id}`, textContent: t('live.admin.confirm', { name: who }) });
    const sure = el('button', { type: 'button', className: 'social-button social-primary', textContent: t('live.admin.yes') });
    const back = el('button', { type: 'button', className: 'social-button', textContent: t('live.admin.cancel') });
    const confirm = el('div', { className: 'mod-confirm', hidden: true, role: 'group', 'aria-labelledby': question.id }, question, sure, ' ', back);
    const li = el('li', { className: 'admin-live', 'data-id': live.id },
      el('p', {}, el('strong', { textContent: who }), live.title ? el('span', { textContent: ` · ${live.title}` }) : null),
      el('p', { className: 'admin-live-meta' },
        el('span', { textContent: stateText(t, live.state) }), ' · ',
        el('time', { dateTime: started, textContent: t('time.dateAndTime', { when: Date.parse(started) }) }), ' · ',
        el('span', { textContent: viewersText(t, live.viewers ?? 0) })),
      el('p', {}, el('a', { href: `/live/${live.id}`, textContent: t('live.admin.watch') }), ' ', end), confirm);
    end.addEventListener('click', () => {
      confirm.hidden = false;
      end.hidden = true;
      back.focus();
    });
    back.addEventListener('click', () => {
      confirm.hidden = true;
      end.hidden = false;
      end.focus();
    });
    sure.addEventListener('click', async () => {
      sure.disabled = true;
      const r = await post(`/api/v1/admin/lives/${encodeURIComponent(live.id)}/end`, {});
      sure.disabled = false;
      if (!r.ok) {
        status.textContent = problem(t, r.error);
        return;
      }
      status.textContent = t('live.admin.ended', { name: who });
      await load();
      refresh.focus();
    });
    return li;
  }

  async function load() {
    refresh.disabled = true;
    const r = await get('/api/v1/admin/lives');
    refresh.disabled = false;
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    list.replaceChildren(...r.data.lives.map(item));
    list.hidden = r.data.lives.length === 0;
    if (!r.data.lives.length) status.textContent = t('live.admin.empty');
  }
  refresh.addEventListener('click', () => { status.textContent = ''; load(); });
  return load;
}
