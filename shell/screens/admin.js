// /admin — the admin console (issue 19): a Roles tab (grant or take a role
// by email or handle, and who holds which) and an Audit tab (the log, newest
// first, a page at a time, as a table). Shown to people who hold a role (the
// header's link follows the session's roles); anyone else gets the refusal.
// The server decides what each person may do: a moderator sees the console
// but the admin-only parts answer 403, said here in words. Tabs follow the
// ARIA tabs pattern (arrow keys, Home/End move between them).
import { get, put, del } from '../api.js';
import { el, failureText } from '../compose-kit.js';

const ROLES = ['admin', 'moderator', 'support', 'finance'];
const AUDIT_PAGE = 25; // rows per page of the audit table (the API allows 1..100)

// The refusal, for people without a role (and the API's 403 inside the console).
function refusal(root) {
  root.append(el('div', { className: 'settings admin' },
    el('h1', { 'data-i18n': 'admin.refusedTitle' }),
    el('p', { 'data-i18n': 'admin.refused' }),
    el('p', {}, el('a', { href: '/', 'data-i18n': 'app.backHome' }))));
}

// What a failed request says; 403 from an admin-only route gets its own words.
const problem = (t, error) => (error.status === 403 ? t('admin.adminOnly') : failureText(t, error));

const roleName = (t, role) => t(`admin.role.${role}`);
const roleList = (t, roles) => roles.map((r) => roleName(t, r)).join(', ');

// A person in the log: their name and @handle, or the tombstone once their account is gone.
function personText(t, p) {
  if (!p) return t('admin.commandLine');
  if (!p.id) return t('admin.deleted', { tombstone: p.tombstone });
  return `${p.name} (@${p.handle})`;
}

function actionText(t, e) {
  const role = e.detail?.role ? roleName(t, e.detail.role) : '';
  if (e.action === 'role.grant') return t('admin.action.grant', { role });
  if (e.action === 'role.revoke') return t('admin.action.revoke', { role });
  return e.action; // an action this shell does not know yet: the server's own name
}

function tabs(t, names) {
  const list = el('div', { role: 'tablist', className: 'admin-tabs', 'data-i18n-label': 'admin.sections' });
  const panels = [];
  const buttons = names.map((name, i) => {
    const b = el('button', {
      type: 'button', role: 'tab', id: `admin-tab-${name}`, 'aria-controls': `admin-panel-${name}`,
      'aria-selected': String(i === 0), tabIndex: i === 0 ? 0 : -1, className: 'admin-tab',
      'data-i18n': `admin.tab.${name}`,
    });
    panels.push(el('div', { role: 'tabpanel', id: `admin-panel-${name}`, 'aria-labelledby': b.id, tabIndex: 0, hidden: i !== 0 }));
    return b;
  });
  const select = (i, focus) => {
    buttons.forEach((b, k) => {
      b.setAttribute('aria-selected', String(k === i));
      b.tabIndex = k === i ? 0 : -1;
      panels[k].hidden = k !== i;
    });
    if (focus) buttons[i].focus();
    list.dispatchEvent(new CustomEvent('select', { detail: names[i] }));
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => select(i, false)));
  list.addEventListener('keydown', (e) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const rtl = getComputedStyle(list).direction === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[e.key];
    let to = null;
    if (step) to = (at + step + buttons.length) % buttons.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = buttons.length - 1;
    if (to === null) return;
    e.preventDefault();
    select(to, true);
  });
  list.append(...buttons);
  return { list, panels };
}

// The Roles tab: the form and the table of holders.
function rolesPanel(t, panel) {
  const who = el('input', { id: 'admin-who', type: 'text', autocomplete: 'off', spellcheck: false, required: true });
  const role = el('select', { id: 'admin-role' },
    ...ROLES.map((r) => el('option', { value: r, 'data-i18n': `admin.role.${r}` })));
  const grant = el('button', { type: 'submit', className: 'primary', value: 'grant', 'data-i18n': 'admin.grant' });
  const revoke = el('button', { type: 'submit', className: 'secondary', value: 'revoke', 'data-i18n': 'admin.revoke' });
  const status = el('p', { role: 'status', className: 'admin-status' });
  const form = el('form', { className: 'admin-form', noValidate: true },
    el('div', { className: 'field' }, el('label', { htmlFor: 'admin-who', 'data-i18n': 'admin.who' }), who),
    el('div', { className: 'field' }, el('label', { htmlFor: 'admin-role', 'data-i18n': 'admin.roleLabel' }), role),
    el('div', { className: 'row' }, grant, revoke), status);
  const body = el('tbody');
  const table = el('table', { className: 'admin-table' },
    el('caption', { 'data-i18n': 'admin.holders' }),
    el('thead', {}, el('tr', {}, ...['colName', 'colHandle', 'colRoles'].map((k) =>
      el('th', { scope: 'col', 'data-i18n': `admin.${k}` })))), body);
  const empty = el('p', { hidden: true });
  panel.append(form, table, empty);

  const loadHolders = async () => {
    const r = await get('/api/v1/admin/roles?limit=100');
    if (!r.ok) {
      table.hidden = true;
      empty.hidden = false;
      empty.textContent = problem(t, r.error);
      return;
    }
    table.hidden = r.data.holders.length === 0;
    empty.hidden = !table.hidden;
    empty.textContent = t('admin.noHolders');
    body.replaceChildren(...r.data.holders.map((h) => el('tr', {},
      el('td', { textContent: h.name }), el('td', { textContent: `@${h.handle}` }),
      el('td', { textContent: roleList(t, h.roles) }))));
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const action = e.submitter?.value === 'revoke' ? 'revoke' : 'grant';
    const text = who.value.trim();
    if (!text) {
      status.textContent = t('admin.whoMissing');
      who.focus();
      return;
    }
    grant.disabled = revoke.disabled = true;
    status.textContent = '';
    try {
      const found = await get(`/api/v1/admin/people?who=${encodeURIComponent(text)}`);
      if (!found.ok) {
        status.textContent = found.error.status === 404 ? t('admin.notFound') : problem(t, found.error);
        return;
      }
      const url = `/api/v1/admin/users/${encodeURIComponent(found.data.id)}/roles/${role.value}`;
      const r = action === 'grant' ? await put(url) : await del(url);
      if (!r.ok) {
        status.textContent = r.error.status === 409 ? t('admin.lastAdmin') : problem(t, r.error);
        return;
      }
      status.textContent = t(action === 'grant' ? 'admin.granted' : 'admin.revoked',
        { role: roleName(t, role.value), name: r.data.name });
      await loadHolders();
    } finally {
      grant.disabled = revoke.disabled = false;
    }
  });
  return loadHolders;
}

// The Audit tab: the log as a table, with "Show more" for the next page.
function auditPanel(t, panel) {
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
    el('td', { textContent: e.target.person ? personText(t, e.target.person) : `${e.target.kind} ${e.target.id ?? ''}` }));

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

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const { user } = await ctx.session();
  if (!user?.roles?.length) {
    refusal(root);
    return undefined;
  }
  const page = el('div', { className: 'settings admin' }, el('h1', { 'data-i18n': 'admin.title' }));
  const { list, panels } = tabs(t, ['roles', 'audit']);
  page.append(list, ...panels);
  root.append(page);
  const loadHolders = rolesPanel(t, panels[0]);
  const loadAudit = auditPanel(t, panels[1]);
  // Each tab reads the server when it is shown, so the log has the latest acts.
  list.addEventListener('select', (e) => (e.detail === 'audit' ? loadAudit() : loadHolders()));
  await loadHolders();
  return undefined;
}
