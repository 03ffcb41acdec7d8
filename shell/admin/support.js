// The console's Support tab (issue 23, contract §7; roles support and admin):
// the inbox of conversations people handed over from the assistant. The
// queue, filtered by state and by whose they are (mine / unassigned / all),
// comes from the server Plus members first, then the longest waiting, each
// with a Plus badge in words; it changes live as `support.conversation`
// frames arrive on the page's support socket (the item applied as sent, no
// re-read). The chosen conversation shows the person, their plan, the
// messages and the team's internal notes — visually distinct and labelled as
// internal in their text, so a screen reader says it too — new ones arriving
// live and announced in a live region. The composer sends a reply or an
// internal note; canned replies are inserted by choosing one (and added or
// deleted in their own section); the agent assigns to themself or unassigns,
// and sets pending, snoozed until a date and time, or resolved. A rated
// conversation shows its rating. The server checks the roles again
// (F_SUPPORT | F_ADMIN) on every route.
import { get, post, del, getSession } from '../api.js';
import { el } from '../compose-kit.js';
import { problem } from './kit.js';
import { listen } from '../support/socket.js';
import { BODY_MAX, stateText, supportCss, when } from '../support/conversation.js';

const STATES = ['open', 'pending', 'snoozed', 'resolved'];
const ASSIGNEES = ['any', 'me', 'none'];
const SNOOZE_DAYS_MAX = 30; // a snooze ends within 30 days (contract §6)
const CANNED_SHORTCUT = /^[a-z0-9_-]{1,32}$/; // a canned reply's shortcut (the API's pattern)
const CANNED_SHORTCUT_MAX = 32; // characters of a shortcut
const CANNED_TITLE_MAX = 200; // characters of a canned reply's title

// A datetime-local value (the browser's own clock) for a Date.
const localValue = (d) => {
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

export function mount(t, panel) {
  supportCss();
  let me = null; // the agent's own id, from the session
  let filter = { state: 'open', assignee: 'any' };
  let cursor = null;
  let open = null; // the conversation shown, as last read
  let canned = [];
  const items = new Map(); // id → the queue's list item as last known

  // ---- filters and queue
  const stateSel = el('select', { id: 'support-filter-state' },
    ...STATES.map((s) => el('option', { value: s, textContent: stateText(t, s) })));
  const whoSel = el('select', { id: 'support-filter-who' },
    ...ASSIGNEES.map((a) => el('option', { value: a, textContent: t(`support.desk.assignee.${a}`) })));
  const filters = el('div', { className: 'support-filters' },
    el('div', { className: 'field' }, el('label', { htmlFor: stateSel.id, textContent: t('support.desk.filterState') }), stateSel),
    el('div', { className: 'field' }, el('label', { htmlFor: whoSel.id, textContent: t('support.desk.filterWho') }), whoSel));
  const queue = el('ul', { className: 'support-queue', 'aria-labelledby': 'support-queue-title' });
  const empty = el('p', { hidden: true, textContent: t('support.desk.queueEmpty') });
  const more = el('button', { type: 'button', className: 'secondary', hidden: true, textContent: t('support.desk.more') });
  const live = el('p', { className: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'support-live' });
  const status = el('p', { className: 'form-message', role: 'alert' });

  // ---- the conversation
  const title = el('h3', { id: 'support-conv-heading', tabIndex: -1 });
  const facts = el('p', { className: 'support-facts' });
  const ratingLine = el('p', { className: 'support-rating-line', hidden: true });
  const messages = el('ol', { className: 'support-messages', 'aria-labelledby': title.id });
  const assignBtn = el('button', { type: 'button', className: 'secondary' });
  const pendingBtn = el('button', { type: 'button', className: 'secondary', textContent: t('support.desk.markPending') });
  const resolveBtn = el('button', { type: 'button', className: 'primary', textContent: t('support.desk.resolve') });
  const snoozeAt = el('input', { type: 'datetime-local', id: 'support-snooze-at' });
  const snoozeBtn = el('button', { type: 'button', className: 'secondary', textContent: t('support.desk.snooze') });
  const actions = el('div', { className: 'support-actions' },
    el('div', { className: 'row' }, assignBtn, pendingBtn, resolveBtn),
    el('div', { className: 'row support-snooze' },
      el('label', { htmlFor: snoozeAt.id, textContent: t('support.desk.snoozeUntil') }), snoozeAt, snoozeBtn));
  const cannedSel = el('select', { id: 'support-canned-pick' });
  const box = el('textarea', { id: 'support-agent-box', rows: 4, maxLength: BODY_MAX });
  const replyBtn = el('button', { type: 'submit', className: 'primary', value: 'reply', textContent: t('support.desk.sendReply') });
  const noteBtn = el('button', { type: 'submit', className: 'secondary', value: 'note', textContent: t('support.desk.addNote') });
  const said = el('p', { className: 'form-message', role: 'alert' });
  const composer = el('form', { className: 'support-composer', noValidate: true },
    el('div', { className: 'field' }, el('label', { htmlFor: cannedSel.id, textContent: t('support.desk.cannedPick') }), cannedSel),
    el('label', { htmlFor: box.id, textContent: t('support.desk.agentBox') }), box, said,
    el('div', { className: 'row' }, replyBtn, noteBtn));
  const detail = el('section', { className: 'support-detail', 'aria-labelledby': title.id, hidden: true },
    title, facts, ratingLine, actions, messages, composer);

  // ---- canned replies: the list and the form to add one
  const cannedList = el('ul', { className: 'support-canned-list' });
  const cShort = el('input', { id: 'support-canned-shortcut', type: 'text', maxLength: CANNED_SHORTCUT_MAX, autocomplete: 'off',
    spellcheck: false, autocapitalize: 'none', 'aria-describedby': 'support-canned-shortcut-hint' });
  const cTitle = el('input', { id: 'support-canned-title', type: 'text', maxLength: CANNED_TITLE_MAX, autocomplete: 'off' });
  const cBody = el('textarea', { id: 'support-canned-body', rows: 3, maxLength: BODY_MAX });
  const cSaid = el('p', { className: 'form-message', role: 'alert' });
  const cDone = el('p', { className: 'support-said', role: 'status' });
  const cForm = el('form', { className: 'support-canned-form', noValidate: true },
    el('div', { className: 'field' }, el('label', { htmlFor: cShort.id, textContent: t('support.desk.cannedShortcut') }),
      el('p', { id: 'support-canned-shortcut-hint', className: 'field-hint', textContent: t('support.desk.cannedShortcutHint') }), cShort),
    el('div', { className: 'field' }, el('label', { htmlFor: cTitle.id, textContent: t('support.desk.cannedTitle') }), cTitle),
    el('div', { className: 'field' }, el('label', { htmlFor: cBody.id, textContent: t('support.desk.cannedBody') }), cBody),
    cSaid, cDone, el('div', { className: 'row' }, el('button', { type: 'submit', className: 'secondary', textContent: t('support.desk.cannedAdd') })));
  const cannedBox = el('details', { className: 'support-canned' },
    el('summary', { textContent: t('support.desk.cannedManage') }), cannedList, cForm);

  panel.append(el('h2', { id: 'support-queue-title', textContent: t('support.desk.inboxTitle') }),
    filters, live, status, el('div', { className: 'support-inbox' },
      el('div', { className: 'support-queue-col' }, queue, empty, more), detail), cannedBox);

  // ---- the queue
  const personName = (c) => c.person?.name ?? '—';
  const matches = (c) => c.state === filter.state
    && (filter.assignee === 'any' || (filter.assignee === 'me' ? c.assignee?.id === me : !c.assignee));
  // The server's order: Plus first, then the longest waiting (oldest last_person_at).
  const before = (a, b) => (a.person?.plus === b.person?.plus
    ? Date.parse(a.last_person_at) - Date.parse(b.last_person_at) : a.person?.plus ? -1 : 1);

  const queueItem = (c) => {
    const button = el('button', { type: 'button', className: 'support-queue-item', 'data-id': c.id,
      'aria-current': open?.id === c.id ? 'true' : undefined },
    el('span', { className: 'support-queue-subject', textContent: c.subject || t('support.desk.noSubject') }),
    el('span', { className: 'support-queue-who' }, personName(c),
      c.person?.plus ? el('span', { className: 'support-plus', textContent: t('support.desk.plus') }) : ''),
    el('span', { className: 'support-queue-meta' },
      t('support.desk.waitingSince', { when: Date.parse(c.last_person_at ?? c.updated_at) }),
      ' · ', c.assignee ? t('support.desk.assignedTo', { name: c.assignee.name }) : t('support.desk.unassigned')));
    button.addEventListener('click', () => show(c.id, true));
    return el('li', {}, button);
  };

  // Redrawn on every frame: the keyboard's place in the queue is kept (the same conversation's button).
  const drawQueue = () => {
    const shown = [...items.values()].filter(matches).sort(before);
    const focused = queue.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    queue.replaceChildren(...shown.map(queueItem));
    if (focused) queue.querySelector(`[data-id="${focused}"]`)?.focus();
    queue.hidden = shown.length === 0;
    empty.hidden = !queue.hidden;
  };

  const loadQueue = async (first) => {
    const q = `state=${filter.state}&assignee=${filter.assignee}${first || !cursor ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    more.disabled = true;
    const r = await get(`/api/v1/admin/support/conversations?${q}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    status.textContent = '';
    if (first) items.clear();
    for (const c of r.data.conversations) items.set(c.id, c);
    cursor = r.data.next ?? null;
    more.hidden = !cursor;
    drawQueue();
  };

  // ---- the conversation shown
  const who = (m) => {
    if (m.author === 'person') return open?.person?.name ?? t('support.desk.person');
    if (m.author === 'assistant') return t('support.desk.assistant');
    if (m.author === 'agent') return m.agent_name ?? t('support.desk.team');
    if (m.author === 'note') return t('support.desk.noteBy', { name: m.agent_name ?? t('support.desk.team') });
    return t('support.desk.system');
  };
  const seen = new Set();
  const messageItem = (m) => el('li', { className: `support-msg support-msg-${m.author}`, 'data-id': m.id },
    el('p', { className: 'support-msg-head' },
      m.author === 'note' ? el('span', { className: 'support-note-tag', textContent: t('support.desk.internal') }) : '',
      el('strong', { textContent: who(m) }), ' · ', when(t, m.created_at)),
    el('p', { className: 'support-msg-body', textContent: m.body }));
  const addMessage = (m) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    messages.append(messageItem(m));
  };

  const drawDetail = () => {
    const c = open;
    title.textContent = c.subject || t('support.desk.noSubject');
    const person = c.person ?? {};
    facts.textContent = [
      t('support.desk.personLine', { name: person.name ?? '—' }),
      person.plus ? t('support.desk.plusMember') : t('support.desk.freeMember'),
      t('support.desk.stateLine', { state: stateText(t, c.state) }),
      c.assignee ? t('support.desk.assignedTo', { name: c.assignee.name }) : t('support.desk.unassigned'),
      c.state === 'snoozed' && c.snoozed_until ? t('support.desk.snoozedUntil', { when: Date.parse(c.snoozed_until) }) : '',
    ].filter(Boolean).join(' · ');
    ratingLine.hidden = !c.rating;
    if (c.rating) {
      ratingLine.textContent = c.rating_comment
        ? t('support.desk.ratingWithComment', { rating: c.rating, comment: c.rating_comment })
        : t('support.desk.ratingLine', { rating: c.rating });
    }
    const mine = c.assignee?.id === me;
    assignBtn.textContent = t(mine ? 'support.desk.unassign' : 'support.desk.assignMe');
    pendingBtn.disabled = c.state === 'pending';
    // The snooze picker starts a day ahead and allows up to SNOOZE_DAYS_MAX.
    const now = Date.now();
    snoozeAt.min = localValue(new Date(now));
    snoozeAt.max = localValue(new Date(now + SNOOZE_DAYS_MAX * 86_400_000));
    if (!snoozeAt.value) snoozeAt.value = localValue(new Date(now + 86_400_000));
    resolveBtn.disabled = c.state === 'resolved';
  };

  async function show(id, focus) {
    const r = await get(`/api/v1/admin/support/conversations/${encodeURIComponent(id)}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    if (open?.id !== r.data.id) {
      messages.replaceChildren();
      seen.clear();
    }
    open = r.data;
    for (const m of open.messages ?? []) addMessage(m);
    detail.hidden = false;
    drawDetail();
    for (const b of queue.querySelectorAll('.support-queue-item')) {
      if (b.dataset.id === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    if (focus) title.focus();
  }

  const act = async (path, body, done) => {
    said.textContent = '';
    const r = await post(`/api/v1/admin/support/conversations/${encodeURIComponent(open.id)}/${path}`, body);
    if (!r.ok) {
      said.textContent = problem(t, r.error);
      return false;
    }
    live.textContent = done;
    await show(open.id, false);
    return true;
  };

  assignBtn.addEventListener('click', () => {
    const mine = open.assignee?.id === me;
    act('assign', { agent: mine ? null : me }, t(mine ? 'support.desk.unassigned' : 'support.desk.assignedToYou'));
  });
  pendingBtn.addEventListener('click', () => act('state', { state: 'pending' }, t('support.desk.nowState', { state: stateText(t, 'pending') })));
  resolveBtn.addEventListener('click', () => act('state', { state: 'resolved' }, t('support.desk.nowState', { state: stateText(t, 'resolved') })));
  snoozeBtn.addEventListener('click', () => {
    const at = snoozeAt.value ? new Date(snoozeAt.value) : null; // datetime-local: the browser's own clock
    const now = Date.now();
    if (!at || Number.isNaN(at.getTime()) || at.getTime() <= now || at.getTime() > now + SNOOZE_DAYS_MAX * 86_400_000) {
      said.textContent = t('support.desk.snoozeInvalid', { days: SNOOZE_DAYS_MAX });
      snoozeAt.focus();
      return;
    }
    act('state', { state: 'snoozed', snooze_until: at.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      t('support.desk.nowState', { state: stateText(t, 'snoozed') }));
  });

  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const internal = e.submitter?.value === 'note';
    const body = box.value.trim();
    said.textContent = '';
    if (!body) {
      said.textContent = t('support.desk.emptyMessage');
      box.focus();
      return;
    }
    replyBtn.disabled = noteBtn.disabled = true;
    const r = await post(`/api/v1/admin/support/conversations/${encodeURIComponent(open.id)}/messages`, { body, internal });
    replyBtn.disabled = noteBtn.disabled = false;
    if (!r.ok) {
      said.textContent = problem(t, r.error);
      return;
    }
    if (box.value.trim() === body) box.value = ''; // not what was typed meanwhile
    const m = r.data?.message ?? (r.data?.id?.startsWith('sm_') ? r.data : null);
    if (m) addMessage(m);
    live.textContent = t(internal ? 'support.desk.noteAdded' : 'support.desk.replySent');
    box.focus();
  });

  // ---- canned replies
  const drawCanned = () => {
    cannedSel.replaceChildren(el('option', { value: '', textContent: t('support.desk.cannedNone') }),
      ...canned.map((c) => el('option', { value: c.id, textContent: c.shortcut ? `/${c.shortcut} — ${c.title}` : c.title })));
    cannedList.replaceChildren(...canned.map((c) => {
      const remove = el('button', { type: 'button', className: 'secondary',
        textContent: t('support.desk.cannedDelete'), 'aria-label': t('support.desk.cannedDeleteNamed', { title: c.title }) });
      remove.addEventListener('click', async () => {
        const r = await del(`/api/v1/admin/support/canned/${encodeURIComponent(c.id)}`);
        if (!r.ok) {
          cSaid.textContent = problem(t, r.error);
          return;
        }
        cSaid.textContent = '';
        cDone.textContent = t('support.desk.cannedDeleted', { title: c.title });
        await loadCanned();
        cShort.focus();
      });
      return el('li', {}, el('strong', { textContent: c.title }), ' ',
        el('span', { className: 'support-canned-shortcut', textContent: c.shortcut ? `/${c.shortcut}` : '' }),
        el('p', { textContent: c.body }), remove);
    }));
  };
  const loadCanned = async () => {
    const r = await get('/api/v1/admin/support/canned');
    if (!r.ok) return;
    canned = r.data.canned ?? r.data.replies ?? [];
    drawCanned();
  };
  // Choosing one inserts its text where the caret is, and the choice resets.
  cannedSel.addEventListener('change', () => {
    const c = canned.find((x) => x.id === cannedSel.value);
    if (!c) return;
    const at = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? at;
    box.value = `${box.value.slice(0, at)}${c.body}${box.value.slice(end)}`.slice(0, BODY_MAX);
    cannedSel.value = '';
    box.focus();
    box.selectionStart = box.selectionEnd = Math.min(at + c.body.length, box.value.length);
  });
  cForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { shortcut: cShort.value.trim(), title: cTitle.value.trim(), body: cBody.value.trim() };
    cDone.textContent = '';
    const missing = [[cShort, body.shortcut], [cTitle, body.title], [cBody, body.body]].find(([, v]) => !v);
    if (missing) {
      cSaid.textContent = t('support.desk.cannedMissing');
      missing[0].focus();
      return;
    }
    if (!CANNED_SHORTCUT.test(body.shortcut)) {
      cSaid.textContent = t('support.desk.cannedShortcutHint');
      cShort.focus();
      return;
    }
    const r = await post('/api/v1/admin/support/canned', body);
    if (!r.ok) {
      cSaid.textContent = r.error.code === 'shortcut_taken' ? t('support.desk.cannedTaken') : problem(t, r.error);
      if (r.error.code === 'shortcut_taken') cShort.focus();
      return;
    }
    cShort.value = cTitle.value = cBody.value = '';
    cSaid.textContent = '';
    cDone.textContent = t('support.desk.cannedAdded', { title: body.title });
    await loadCanned();
  });

  // ---- filters, paging, live frames
  stateSel.addEventListener('change', () => { filter = { ...filter, state: stateSel.value }; loadQueue(true); });
  whoSel.addEventListener('change', () => { filter = { ...filter, assignee: whoSel.value }; loadQueue(true); });
  more.addEventListener('click', () => loadQueue(false));

  let stop = null;
  const onFrame = (f) => {
    if (f.type === 'support.conversation' && f.conversation?.id) {
      const c = f.conversation;
      const known = items.has(c.id);
      items.set(c.id, c);
      drawQueue();
      if (!known && matches(c)) live.textContent = t('support.desk.newConversation', { name: personName(c) });
      if (open?.id === c.id) show(c.id, false);
    } else if (f.type === 'support.message' && f.message && open?.id === f.conversation) {
      const fresh = !seen.has(f.message.id);
      addMessage(f.message);
      if (fresh && f.message.author === 'person') live.textContent = t('support.desk.newMessage', { name: who(f.message) });
    }
  };

  // Shown: the queue and the canned replies are read, and the socket opened
  // (once; a reconnection reads both views again). load.stop closes it when
  // the console goes (admin.js).
  const load = async () => {
    if (!me) me = (await getSession()).user?.id ?? null;
    if (!stop) stop = listen({ onFrame, onOpen: () => { loadQueue(true); if (open) show(open.id, false); } });
    await Promise.all([loadQueue(true), loadCanned()]);
  };
  load.stop = () => {
    stop?.();
    stop = null;
  };
  return load;
}
