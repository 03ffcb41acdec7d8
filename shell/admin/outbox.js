// The console's Outbox tab (admins and support): the e-mail the server kept
// — every message when no SMTP server is configured, else those SMTP refused —
// newest first, each opening to its text, so a person whose mail does not
// arrive can still be helped. Bodies hold live links: shown as text only.
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { problem } from './kit.js';

const OUTBOX_PAGE = 25; // messages per page (the API allows 1..100)

export function mount(t, panel) {
  const list = el('ul', { className: 'admin-outbox', 'aria-label': t('mail.outboxCaption') });
  const status = el('p', { role: 'status' });
  const more = el('button', { type: 'button', className: 'secondary', hidden: true, 'data-i18n': 'mail.outboxMore' });
  panel.append(el('h2', { 'data-i18n': 'mail.outboxCaption' }), list, status, more);
  let cursor = null;

  const item = (m) => el('li', { className: 'admin-mail' },
    el('details', {},
      el('summary', {},
        el('time', { dateTime: m.created_at, textContent: t('time.dateAndTime', { when: Date.parse(m.created_at) }) }), ' · ',
        el('span', { textContent: `${t('mail.outboxTo')}: ${m.to}` }), ' · ',
        el('span', { className: 'admin-mail-subject', textContent: m.subject }),
        m.status === 'failed' ? el('span', { className: 'admin-mail-failed', textContent: ` · ${t('mail.outboxFailed')}` }) : ''),
      el('pre', { className: 'admin-mail-body', textContent: m.body })));

  const load = async (first) => {
    more.disabled = true;
    const page = first ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const r = await get(`/api/v1/admin/outbox?limit=${OUTBOX_PAGE}${page}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    if (first) list.replaceChildren();
    list.append(...r.data.messages.map(item));
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    list.hidden = list.children.length === 0;
    status.textContent = list.hidden ? t('mail.outboxEmpty') : '';
  };
  more.addEventListener('click', () => load(false));
  return () => load(true);
}
