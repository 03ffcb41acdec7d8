// The console's Audit tab: the append-only log, newest first, a page at a
// time, as a table with "Show more".
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { problem, roleName, personText } from './kit.js';

// The item kinds the moderation queue knows (web/src/api/mod_kinds.c), each worded in the catalogs as mod.kind.*.
const KINDS = new Set(['post', 'comment', 'person', 'message', 'reel', 'story', 'listing', 'review', 'dispute']);

const AUDIT_PAGE = 25; // rows per page of the audit table (the API allows 1..100)

// An act in words. Each feature that audits a new action adds its words here
// (admin.action.*); one this shell does not know yet shows the server's name.
function actionText(t, e) {
  const role = e.detail?.role ? roleName(t, e.detail.role) : '';
  if (e.action === 'role.grant') return t('admin.action.grant', { role });
  if (e.action === 'role.revoke') return t('admin.action.revoke', { role });
  // A dispute's decision (shell/admin/moderation.js's dispute form): its own words.
  if (e.action === 'mod.dispute_refund') return t('mod.dispute.refund');
  if (e.action === 'mod.dispute_release') return t('mod.dispute.release');
  // Moderation (shell/admin/moderation.js): the action and, for a suspension, its days.
  const act = /^mod\.(hide|remove|restore|warn|suspend|ban)$/.exec(e.action);
  if (act) return t('mod.audit', { action: t(`mod.action.${act[1]}`), days: e.detail?.days ?? 0 });
  return e.action;
}

// The Audit tab: the log as a table, with "Show more" for the next page.
export function mount(t, panel) {
  const body = el('tbody');
  const table = el('table', { className: 'admin-table' },
    el('caption', { 'data-i18n': 'admin.auditCaption' }),
    el('thead', {}, el('tr', {}, ...['colWhen', 'colActor', 'colAction', 'colTarget'].map((k) =>
      el('th', { scope: 'col', 'data-i18n': `admin.${k}` })))), body);
  const status = el('p', { role: 'status' });
  const more = el('button', { type: 'button', className: 'secondary', hidden: true, 'data-i18n': 'admin.more' });
  panel.append(table, status, more);
  let cursor = null;

  const row = (e) => el('tr', {},
    el('td', {}, el('time', { dateTime: e.at, textContent: t('time.dateAndTime', { when: Date.parse(e.at) }) })),
    el('td', { textContent: personText(t, e.actor) }),
    el('td', { textContent: actionText(t, e) }),
    el('td', { textContent: e.target.person ? personText(t, e.target.person)
      : `${KINDS.has(e.target.kind) ? t(`mod.kind.${e.target.kind}`) : e.target.kind} ${e.target.id ?? ''}` }));

  const load = async (first) => {
    more.disabled = true;
    const page = first ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const r = await get(`/api/v1/admin/audit?limit=${AUDIT_PAGE}${page}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    if (first) body.replaceChildren();
    body.append(...r.data.entries.map(row));
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    table.hidden = body.children.length === 0;
    status.textContent = table.hidden ? t('admin.auditEmpty') : '';
  };
  more.addEventListener('click', () => load(false));
  return () => load(true);
}
