// /chat/groups/:id — a group chat (chat/groups.js): its messages with
// "read by N", who is typing, the member list (admins add people found by
// name and remove them; anyone leaves), and the composer. The name and the
// member list shown are this device's own copy, changed only by admins'
// end-to-end encrypted control messages; the server's list is never shown
// as the group's.
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { openChat } from './chat.js';

const timeOf = (at) => new Date(at).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });

export async function mount(root, params, ctx) {
  const me = (await ctx.session()).user;
  const engine = await openChat(root, me, ctx);
  if (!engine) return undefined;
  return group(root, params.id, me, engine, ctx);
}

function group(root, g, me, engine, { t }) {
  const groups = engine.groups;
  const heading = el('h1', { className: 'chat-name', textContent: g });
  const note = el('p', { className: 'chat-note', role: 'status', hidden: true, textContent: t('chat.groupLeft') });
  const items = el('ol', { className: 'chat-items' });
  const log = el('div', { className: 'chat-log', role: 'log', tabIndex: 0 }, items);
  const typing = el('p', { className: 'chat-typing', 'aria-live': 'polite' });
  const input = el('textarea', { id: 'chat-input', name: 'message', rows: 2, autocomplete: 'off', maxLength: 4000,
    'aria-describedby': 'chat-error' });
  const error = el('p', { id: 'chat-error', className: 'chat-error', role: 'alert' });
  const form = el('form', { className: 'chat-composer', noValidate: true },
    el('label', { htmlFor: 'chat-input', className: 'chat-label', textContent: t('chat.label') }),
    el('div', { className: 'chat-compose-row' }, input,
      el('button', { type: 'submit', className: 'chat-button chat-send', textContent: t('chat.send') })),
    error);

  // Members: the list, and for admins a search to add someone.
  const memberList = el('ul', { className: 'chat-members' });
  const find = el('input', { id: 'group-find', type: 'search', name: 'person', autocomplete: 'off', maxLength: 100 });
  const results = el('ul', { className: 'chat-members' });
  const findForm = el('form', { className: 'chat-group-find', noValidate: true },
    el('label', { htmlFor: 'group-find', textContent: t('chat.groupFind') }),
    el('div', { className: 'chat-compose-row' }, find,
      el('button', { type: 'submit', className: 'chat-button', textContent: t('chat.groupSearch') })),
    results);
  const leave = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.groupLeave') });
  const members = el('section', { className: 'chat-group-members', 'aria-labelledby': 'group-members' },
    el('h2', { id: 'group-members', textContent: t('chat.groupMembers') }), memberList, findForm, leave);

  root.append(el('header', { className: 'chat-head' },
    el('a', { href: '/chat', className: 'chat-back', textContent: t('chat.back') }), heading), note, log, typing, form, members);
  let alive = true;

  const fail = (err) => { error.textContent = t('chat.groupFailed', { reason: err.message }); };
  const act = (fn) => async () => {
    error.textContent = '';
    try {
      await fn();
    } catch (err) {
      fail(err);
    }
  };

  const paint = async () => {
    const [rec, msgs] = await Promise.all([groups.record(g), engine.messages(g)]);
    if (!alive) return;
    const s = rec.state ? JSON.parse(rec.state) : null;
    heading.textContent = s?.name ?? g;
    log.setAttribute('aria-label', t('chat.log', { name: s?.name ?? g }));
    const inIt = !!s?.members.some((m) => m.id === me.id) && !rec.left;
    // display, not hidden: the stylesheet gives these a display of their own.
    note.hidden = inIt;
    form.style.display = inIt ? '' : 'none';
    leave.hidden = !inIt;
    const admin = inIt && s.members.some((m) => m.id === me.id && m.role === 'admin');
    findForm.style.display = admin ? '' : 'none';
    const names = new Map(await Promise.all((s?.members ?? []).map(async (m) => [m.id, (await groups.nameOf(g, m.id)) ?? t('chat.groupYou')])));
    for (const m of msgs) if (m.from && !names.has(m.from)) names.set(m.from, await groups.nameOf(g, m.from) ?? t('chat.groupYou'));
    if (!alive) return;
    memberList.replaceChildren(...(s?.members ?? []).map((m) => {
      const li = el('li', { className: 'chat-member' }, el('span', { textContent: names.get(m.id) }));
      if (m.role === 'admin') li.append(el('span', { className: 'chat-member-role', textContent: t('chat.groupAdmin') }));
      if (admin && m.id !== me.id) {
        const b = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.groupRemove', { name: names.get(m.id) }) });
        b.addEventListener('click', act(() => groups.remove(g, m.id)));
        li.append(b);
      }
      return li;
    }));
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    items.replaceChildren(...msgs.map((m) => {
      const meta = el('span', { className: 'chat-meta' },
        el('time', { dateTime: new Date(m.at).toISOString(), textContent: timeOf(m.at) }));
      if (m.dir === 'out') {
        const n = groups.readBy(rec, m.seq);
        meta.append(el('span', { className: 'chat-status', textContent: n ? t('chat.groupReadBy', { count: n }) : t(`chat.status.${m.status === 'read' ? 'delivered' : m.status}`) }));
      } else {
        meta.prepend(el('span', { className: 'chat-from', textContent: names.get(m.from) ?? m.from }));
      }
      return el('li', { className: `chat-msg chat-${m.dir}`, 'data-cid': m.cid },
        el('p', { className: 'chat-text', textContent: m.text }), meta);
    }));
    if (atEnd) log.scrollTop = log.scrollHeight;
  };
  const repaint = () => paint().catch((err) => console.error(err));

  let typingTimer = 0;
  const onChange = (e) => {
    if (e.detail.peer !== g) return;
    typing.textContent = '';
    repaint();
    if (document.visibilityState === 'visible') groups.markRead(g).catch(() => {});
  };
  const onTyping = async (e) => {
    if (e.detail.peer !== g || !e.detail.from) return;
    typing.textContent = t('chat.typing', { name: await groups.nameOf(g, e.detail.from) });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.textContent = ''; }, 5000);
  };
  engine.addEventListener('change', onChange);
  engine.addEventListener('typing', onTyping);
  engine.visible = g;

  input.addEventListener('input', () => {
    error.textContent = '';
    if (input.value) groups.typing(g);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      await groups.send(g, text);
      if (input.value.trim() === text) input.value = '';
    } catch (err) {
      error.textContent = t('chat.sendFailed', { reason: err.message });
    }
    input.focus();
  });
  findForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = find.value.trim();
    if (!q) return;
    const r = await get(`/api/v1/search?type=people&q=${encodeURIComponent(q)}`);
    const s = await groups.state(g);
    const found = r.ok ? r.data.results.filter((p) => !s?.members.some((m) => m.id === p.id)) : [];
    results.replaceChildren(...(found.length ? found.slice(0, 5).map((p) => {
      const b = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.groupAddPerson', { name: p.name }) });
      b.addEventListener('click', act(async () => {
        await groups.add(g, p.id);
        results.replaceChildren();
        find.value = '';
      }));
      return el('li', {}, b);
    }) : [el('li', { textContent: t('chat.groupNoMatch') })]));
  });
  leave.addEventListener('click', act(() => groups.leave(g)));

  repaint();
  groups.markRead(g).catch(() => {});
  return () => {
    alive = false;
    if (engine.visible === g) engine.visible = null;
    engine.removeEventListener('change', onChange);
    engine.removeEventListener('typing', onTyping);
    clearTimeout(typingTimer);
  };
}
