// /market/mine: the seller's own listings in every state (GET
// /api/v1/me/listings), each with Pause or Resume (PATCH status), Edit
// (/sell/:id) and Delete after a confirmation dialog. Links to the seller's
// orders, their dashboard (screens/dashboard.js) and their seller profile
// (screens/seller-profile.js).
import { get, patch, del } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { price } from '../market-kit.js';

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  root.append(el('h1', { textContent: t('market.mine') }),
    el('p', { className: 'mkt-actions' }, el('a', { href: '/sell', className: 'kit-button', textContent: t('market.newListing') }),
      el('a', { href: '/market/orders', className: 'kit-secondary', textContent: t('shop.sales') }),
      el('a', { href: '/market/dashboard', className: 'kit-secondary', textContent: t('dash.title') }),
      el('a', { href: '/market/seller', className: 'kit-secondary', textContent: t('market.profileTitle') })));
  const status = el('p', { role: 'status', className: 'mkt-status' });
  const list = el('ul', { className: 'mkt-mine' });
  const more = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.more'), hidden: true });
  root.append(status, list, more);

  // One confirmation dialog for every Delete.
  const dialogTitle = el('h2', { id: 'mkt-delete-title' });
  const dialogError = el('p', { className: 'kit-error', role: 'alert' });
  const cancel = el('button', { type: 'button', className: 'kit-secondary', textContent: t('settings.cancel') });
  const confirm = el('button', { type: 'button', className: 'kit-danger', textContent: t('market.delete') });
  const dialog = el('dialog', { className: 'confirm-dialog', 'aria-labelledby': 'mkt-delete-title' }, dialogTitle,
    el('p', { textContent: t('market.deleteBody') }), dialogError, el('div', { className: 'kit-actions' }, cancel, confirm));
  root.append(dialog);
  let deleting = null; // {listing, item, opener}
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (deleting?.opener.isConnected) deleting.opener.focus();
    else root.querySelector('h1')?.focus();
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    const r = await del(`/api/v1/listings/${deleting.listing.id}`);
    confirm.disabled = false;
    if (!r.ok) {
      dialogError.textContent = failureText(t, r.error);
      return;
    }
    deleting.item.remove();
    status.textContent = t('market.deleted', { title: deleting.listing.title });
    dialog.close();
  });

  function item(l) {
    const state = el('span', { className: 'mkt-card-status', textContent: t(`market.status.${l.status}`) });
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const toggle = el('button', { type: 'button', className: 'kit-secondary' });
    const setToggle = () => {
      toggle.textContent = t(l.status === 'paused' ? 'market.resume' : 'market.pause');
      toggle.hidden = l.status !== 'active' && l.status !== 'paused';
      toggle.setAttribute('aria-label', t(l.status === 'paused' ? 'market.resumeNamed' : 'market.pauseNamed', { title: l.title }));
      state.textContent = t(`market.status.${l.status}`);
    };
    setToggle();
    toggle.addEventListener('click', async () => {
      error.textContent = '';
      toggle.disabled = true;
      const r = await patch(`/api/v1/listings/${l.id}`, { status: l.status === 'paused' ? 'active' : 'paused' });
      toggle.disabled = false;
      if (!r.ok) {
        error.textContent = failureText(t, r.error);
        return;
      }
      l.status = r.data.status;
      setToggle();
      status.textContent = t(l.status === 'paused' ? 'market.paused' : 'market.resumed', { title: l.title });
    });
    const remove = el('button', { type: 'button', className: 'kit-danger', textContent: t('market.delete') });
    const li = el('li', { className: 'mkt-mine-item' },
      el('a', { href: `/listings/${l.id}`, textContent: l.title }), ' ',
      el('span', { textContent: price(l.price_minor, l.currency) }), ' ', state,
      el('div', { className: 'kit-actions' }, toggle,
        el('a', { href: `/sell/${l.id}`, className: 'kit-secondary', textContent: t('market.edit'),
          'aria-label': t('market.editNamed', { title: l.title }) }), remove), error);
    remove.setAttribute('aria-label', t('market.deleteNamed', { title: l.title }));
    remove.addEventListener('click', () => {
      deleting = { listing: l, item: li, opener: remove };
      dialogTitle.textContent = t('market.deleteTitle', { title: l.title });
      dialogError.textContent = '';
      dialog.showModal();
      cancel.focus();
    });
    return li;
  }

  let cursor = null;
  async function page() {
    more.disabled = true;
    const r = await get(`/api/v1/me/listings${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    for (const l of r.data.listings) list.append(item(l));
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) status.textContent = t('market.mineEmpty');
  }
  more.addEventListener('click', page);
  await page();
}
