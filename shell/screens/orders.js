// /orders (the buyer's orders) and /market/orders (the seller's sales):
// GET /api/v1/orders?as=buyer|seller, newest first, a page at a time ("Show
// more"). Each order is a link to /orders/{id} named by its number, with its
// state in words, its total and when it was made; the other side's name
// (a seller's, for the buyer) as text.
import { get } from '../api.js';
import { day } from '../i18n.js';
import { el, failureText } from '../compose-kit.js';
import { price } from '../market-kit.js';
import { sellerNames, stateName } from '../shop-kit.js';

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const seller = location.pathname.startsWith('/market/');
  const nameOf = sellerNames();
  root.append(el('h1', { textContent: t(seller ? 'shop.sales' : 'shop.orders') }),
    el('p', { className: 'mkt-actions' }, seller
      ? el('a', { href: '/market/mine', className: 'kit-secondary', textContent: t('market.mine') })
      : el('a', { href: '/cart', className: 'kit-secondary', textContent: t('shop.cart') })));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  const list = el('ul', { className: 'shop-orders', 'aria-label': t(seller ? 'shop.sales' : 'shop.orders') });
  const more = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.more'), hidden: true });
  root.append(status, list, more);
  let cursor = null;
  async function page() {
    more.disabled = true;
    const r = await get(`/api/v1/orders?as=${seller ? 'seller' : 'buyer'}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    for (const o of r.data.orders) {
      const item = el('li', { className: 'shop-order' },
        el('a', { href: `/orders/${o.id}`, className: 'shop-order-link', textContent: t('shop.orderTitle', { order: o.id }) }),
        el('p', { className: 'mkt-card-status', textContent: stateName(t, o.state) }),
        el('p', { textContent: t('shop.orderLine', { price: price(o.total_minor, o.currency), when: day(o.created_at) }) }));
      item.dataset.state = o.state;
      if (!seller && o.seller) item.append(el('p', { className: 'kit-help', textContent: t('shop.fromSeller', { name: await nameOf(o.seller) }) }));
      list.append(item);
    }
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    status.textContent = list.children.length ? '' : t('shop.ordersEmpty');
  }
  more.addEventListener('click', async () => {
    const before = list.children.length;
    await page();
    list.children[before]?.querySelector('a')?.focus();
  });
  await page();
}
