// What the buyer's and seller's order screens share (screens/cart.js,
// order-return.js, orders.js, order.js, claim-kit.js; issue 20 §3-4): the
// cart's count in the market's header, an order's state in words, a seller's
// name, the address form, and a step that asks first. Every figure is the server's (prices in integer minor units
// through market-kit.js's price()); every text a person wrote (titles,
// names, addresses, tracking) goes in through textContent only.
import { get, post } from './api.js';
import { el, failureText } from './compose-kit.js';

export const ORDER_STATES = ['awaiting_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled'];
export const stateName = (t, s) => t(ORDER_STATES.includes(s) ? `shop.state.${s}` : 'shop.state.unknown');

// A step that asks first (cancel an order, accept a refund): the ask button
// shows question (its paragraph) with sure and keep and moves focus to keep;
// keep hides it again and returns focus to ask; sure POSTs {} to path (sure
// disabled meanwhile) and hands the answer to done with t(doneKey), the
// failure said in error when done does not take it. keys: [ask, sure, keep].
export function askFirst(t, { keys: [askKey, sureKey, keepKey], question, path, doneKey, done, error }) {
  const ask = el('button', { type: 'button', className: 'kit-secondary', textContent: t(askKey) });
  const sure = el('button', { type: 'button', className: 'kit-danger', textContent: t(sureKey) });
  const keep = el('button', { type: 'button', className: 'kit-secondary', textContent: t(keepKey) });
  const box = el('div', { className: 'shop-confirm', hidden: true }, question, sure, keep);
  ask.addEventListener('click', () => {
    box.hidden = false;
    ask.hidden = true;
    keep.focus();
  });
  keep.addEventListener('click', () => {
    box.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  sure.addEventListener('click', async () => {
    sure.disabled = true;
    const a = await post(path, {});
    sure.disabled = false;
    if (!await done(a, t(doneKey))) error.textContent = failureText(t, a.error);
  });
  return el('div', { className: 'shop-cancel' }, el('p', {}, ask), box);
}

// The cart's number of units (GET /api/v1/cart), or 0 when it cannot be read.
export async function cartCount() {
  const r = await get('/api/v1/cart');
  return r.ok ? r.data.items.reduce((n, i) => n + i.quantity, 0) : 0;
}

// "Cart (2)": a link whose accessible name carries the count.
export function cartLink(t, count) {
  return el('a', { href: '/cart', className: 'kit-secondary shop-cart-link', textContent: t('shop.cartCount', { count }) });
}

// Sellers' names by user id, each asked once per screen (GET /api/v1/sellers/{u}).
export function sellerNames() {
  const known = new Map();
  return async (id) => {
    if (!id) return '';
    if (!known.has(id)) known.set(id, get(`/api/v1/sellers/${encodeURIComponent(id)}`).then((r) => (r.ok ? r.data.name : id)));
    return known.get(id);
  };
}

// A tracking text as a link only when the server gave an http(s) URL, else plain text.
export function trackingNode(tracking) {
  let url = null;
  try {
    url = new URL(tracking);
  } catch {
    url = null;
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
    return el('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', textContent: tracking });
  }
  return el('span', { className: 'shop-tracking', textContent: tracking });
}

// An address as lines of text.
export function addressLines(a) {
  return [a.name, a.street, a.unit, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country, a.phone]
    .filter(Boolean);
}
export const addressBlock = (a) => el('p', { className: 'shop-address' }, ...addressLines(a).flatMap((l, i) =>
  (i ? [el('br'), document.createTextNode(l)] : [document.createTextNode(l)])));

// The address book's limits (web/src/market_order.h: PA_ADDRESS_*_MAX), the
// same as web/openapi.yaml's POST /api/v1/me/addresses.
export const ADDRESS_FIELDS = [
  { name: 'name', key: 'shop.addr.name', max: 100, required: true, auto: 'name' },
  { name: 'street', key: 'shop.addr.street', max: 200, required: true, auto: 'address-line1' },
  { name: 'unit', key: 'shop.addr.unit', max: 200, auto: 'address-line2' },
  { name: 'city', key: 'shop.addr.city', max: 80, required: true, auto: 'address-level2' },
  { name: 'region', key: 'shop.addr.region', max: 80, auto: 'address-level1' },
  { name: 'postal_code', key: 'shop.addr.postal', max: 20, auto: 'postal-code' },
  { name: 'phone', key: 'shop.addr.phone', max: 30, auto: 'tel', type: 'tel' },
  { name: 'country', key: 'shop.addr.country', max: 2, required: true, auto: 'country' },
];
