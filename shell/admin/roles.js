// The console's Roles tab: grant or take a role by email or handle, and
// the table of who holds which.
import { get, put, del } from '../api.js';
import { el } from '../compose-kit.js';
import { ROLES, problem, roleName, roleList } from './kit.js';

// The Roles tab: the form and the table of holders.
export function mount(t, panel) {
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
