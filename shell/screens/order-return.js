// /orders/:id/return — where the provider's approval page sends the buyer
// back (web/src/api/orders.c: return_url, and ?result=cancel from PayPal's
// cancel_url). It captures the payment once (POST /api/v1/orders/{id}/capture;
// a second return changes nothing on the server), says in words what was
// paid or refused (402 payment_declined, 409 expired), repeats what checkout
// refused (kept by cart.js for this tab), the order's total with its
// shipping (method and amount), and offers the next order of the
// same checkout still to pay, else the orders list. A Mercado Pago order is
// paid when its notification is applied: the screen asks again meanwhile.
// Announced in one live region.
import { get, post } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { price } from '../market-kit.js';
import { stateName } from '../shop-kit.js';
import { orderTotal, payLinks, refusedKey, refusedList } from './cart.js';

// The waits between asks while a payment is being applied: the first, the
// longest, and the bound on them all (then the orders list tells the end).
const POLL_FIRST_MS = 400;
const POLL_MAX_MS = 5000;
const POLL_TOTAL_MS = 60000;

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const id = params.id;
  const live = el('div', { className: 'shop-return', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const next = el('div', { className: 'shop-next' });
  root.append(el('h1', { textContent: t('shop.returnTitle') }), live, next);
  const say = (state, text) => {
    live.dataset.state = state;
    live.replaceChildren(el('p', { textContent: text }));
  };
  if (!/^ord_[1-9][0-9]{0,17}$/.test(id)) {
    say('missing', t('shop.orderMissing'));
    return;
  }
  say('pending', t('shop.confirming'));
  const cancelled = new URLSearchParams(location.search).get('result') === 'cancel';
  const here = location.pathname; // the screen's root outlives it: a new path means it was left
  let order = null;
  if (cancelled) {
    const r = await get(`/api/v1/orders/${id}`);
    if (!r.ok) {
      say('failed', r.error.status === 404 ? t('shop.orderMissing') : failureText(t, r.error));
      return;
    }
    order = r.data;
    say('cancelled', order.state === 'awaiting_payment' ? t('shop.leftPayment', { order: id }) : t('shop.stateNow', { order: id, state: stateName(t, order.state) }));
  } else {
    const r = await post(`/api/v1/orders/${id}/capture`, {});
    if (r.ok) {
      order = r.data;
      // Mercado Pago's payment is applied from its notification, which may
      // land after the buyer is back: ask again, waits growing, for a bound.
      const started = Date.now();
      for (let wait = POLL_FIRST_MS; order.state === 'awaiting_payment' && Date.now() - started < POLL_TOTAL_MS && location.pathname === here;
        wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5))) {
        await new Promise((resolve) => { setTimeout(resolve, wait); });
        const again = await get(`/api/v1/orders/${id}`);
        if (again.ok) order = again.data;
      }
      if (location.pathname !== here) return; // the person went elsewhere
      if (order.state === 'awaiting_payment') say('pending', t('shop.stillConfirming', { order: id }));
      else if (order.state === 'cancelled') say('cancelled', t('shop.stateNow', { order: id, state: stateName(t, 'cancelled') }));
      else say('paid', t('shop.paid', { order: id, price: price(order.total_minor, order.currency) }));
    } else if (r.error.code === 'payment_declined') {
      say('declined', t('shop.declined', { order: id }));
    } else if (r.error.code === 'expired') {
      say('expired', t('shop.expired', { order: id }));
    } else {
      say('failed', r.error.status === 404 ? t('shop.orderMissing') : failureText(t, r.error));
    }
    if (!order) {
      const again = await get(`/api/v1/orders/${id}`);
      if (again.ok) order = again.data;
    }
  }

  // What checkout refused, and the orders of this checkout still to pay.
  const parts = [];
  if (order) {
    parts.push(el('dl', { className: 'mkt-facts' }, el('dt', { textContent: t('shop.totalLabel') }),
      el('dd', { className: 'shop-order-total', textContent: orderTotal(t, order) })));
    let refused = [];
    try {
      refused = JSON.parse(sessionStorage.getItem(refusedKey(order.checkout)) ?? '[]');
    } catch { refused = []; }
    if (refused.length) parts.push(el('h2', { textContent: t('shop.notOrdered') }), refusedList(t, refused));
    const mine = await get('/api/v1/orders?as=buyer&limit=50');
    const todo = mine.ok ? mine.data.orders.filter((o) => o.checkout === order.checkout && o.state === 'awaiting_payment')
      .reverse() : [];
    const links = payLinks(t, todo);
    if (links) parts.push(el('h2', { textContent: t('shop.stillToPay') }), links);
    parts.push(el('p', { className: 'mkt-actions' },
      el('a', { href: `/orders/${id}`, className: links ? 'kit-secondary' : 'kit-button', textContent: t('shop.seeOrder', { order: id }) }),
      el('a', { href: '/orders', className: 'kit-secondary', textContent: t('shop.orders') })));
  } else {
    parts.push(el('p', {}, el('a', { href: '/orders', className: 'kit-button', textContent: t('shop.orders') })));
  }
  next.replaceChildren(...parts);
}
