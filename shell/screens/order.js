// /orders/:id: one order, to its buyer or its seller (GET /api/v1/orders/{id};
// anyone else gets the server's 404). Its items, total (with how it reaches
// the buyer: shipping and its amount, or pickup), state with its
// history, the delivery address (the server shows it to that order's buyer
// and seller only), the shipment (a tracking number is a link only when the
// server gave an http(s) URL), and what the viewer may do now, by role and
// state: the seller ships a paid order (carrier + tracking number), the
// buyer confirms delivery of a shipped one, either cancels before shipping
// (after a confirmation; a paid order is refunded), the buyer pays an
// unpaid one, reviews a delivered or completed one (rating 1-5 + text, once),
// and the seller replies to that review once. The review is found in the
// seller's reviews (GET /api/v1/sellers/{u}/reviews). Every outcome is said
// in one status region and focus stays on the screen. Below, the refund
// request and its dispute, and the order's messages (claim-kit.js).
import { get, post } from '../api.js';
import { day } from '../i18n.js';
import { el, failureText } from '../compose-kit.js';
import { price, reviewItem } from '../market-kit.js';
import { addressBlock, askFirst, sellerNames, stateName, trackingNode } from '../shop-kit.js';
import { orderTotal } from './cart.js';
import { claimSection, messagesSection } from '../claim-kit.js';

const CARRIER_MAX = 60; // PA_ORDER_CARRIER_MAX (web/src/market_order.h)
const TRACKING_MAX = 64; // PA_ORDER_TRACKING_MAX
const REVIEW_TEXT_MAX = 1000; // PA_REVIEW_TEXT_MAX
const REVIEW_PAGES = 5; // pages of 100 reviews looked through for this order's

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const id = params.id;
  const nameOf = sellerNames();
  const status = el('p', { className: 'mkt-status shop-said', role: 'status', tabIndex: -1 });
  const body = el('div', { className: 'shop-order-detail' });
  root.append(el('h1', { textContent: t('shop.orderTitle', { order: id }) }), status, body);
  const r = await get(`/api/v1/orders/${encodeURIComponent(id)}`);
  if (!r.ok) {
    status.setAttribute('role', 'alert');
    status.textContent = r.error.status === 404 ? t('shop.orderMissing') : failureText(t, r.error);
    return;
  }
  await render(r.data);
  root.append(messagesSection(t, r.data));

  // Says what an action did, redraws the order, and keeps focus on the words.
  async function done(answer, words) {
    if (!answer.ok) return false;
    await render(answer.data);
    status.textContent = words;
    status.focus();
    return true;
  }

  async function render(o) {
    const buyer = o.role === 'buyer';
    const sellerName = await nameOf(o.seller);
    const facts = el('dl', { className: 'mkt-facts' });
    const fact = (key, value) => facts.append(el('dt', { textContent: t(key) }), el('dd', {}, value));
    fact('shop.stateLabel', el('span', { className: 'shop-state', textContent: stateName(t, o.state) }));
    fact('market.seller', o.seller ? el('a', { href: `/sellers/${o.seller}`, textContent: sellerName }) : '—');
    fact('shop.totalLabel', el('span', { className: 'shop-order-total', textContent: orderTotal(t, o) }));
    fact('shop.ordered', day(o.created_at));
    if (o.carrier) fact('shop.carrier', o.carrier);
    if (o.tracking) fact('shop.tracking', trackingNode(o.tracking));
    body.dataset.state = o.state;

    const items = el('ul', { className: 'shop-lines' }, ...o.items.map((i) => el('li', { className: 'shop-line' },
      el('a', { href: `/listings/${i.listing}`, textContent: i.title }),
      el('p', { className: 'shop-line-price', textContent: t('shop.linePrice',
        { price: price(i.unit_minor * i.quantity, o.currency), quantity: i.quantity, unit: price(i.unit_minor, o.currency) }) }))));
    const history = el('ol', { className: 'shop-history' }, ...o.history.map((h) =>
      el('li', { textContent: t('shop.historyRow', { state: stateName(t, h.to), when: day(h.at) }) })));

    body.replaceChildren(facts,
      el('h2', { textContent: t('shop.items') }), items,
      el('h2', { textContent: t('shop.address') }), addressBlock(o.address),
      el('h2', { textContent: t('shop.history') }), history,
      await actions(o, buyer), claimSection(t, o, buyer, done) ?? '');
  }

  async function actions(o, buyer) {
    const box = el('section', { className: 'shop-actions', 'aria-label': t('shop.actions') });
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const fail = (answer) => { error.textContent = failureText(t, answer.error); };

    if (buyer && o.state === 'awaiting_payment' && o.approve_url) {
      box.append(el('p', {}, el('a', { href: o.approve_url, className: 'kit-button', textContent: t('shop.payNow',
        { price: price(o.total_minor, o.currency) }) })));
    }
    if (!buyer && o.state === 'paid') box.append(shipForm(o, error));
    if (buyer && o.state === 'shipped') {
      const got = el('button', { type: 'button', className: 'kit-primary', textContent: t('shop.confirmDelivery') });
      got.addEventListener('click', async () => {
        got.disabled = true;
        const a = await post(`/api/v1/orders/${o.id}/deliver`, {});
        got.disabled = false;
        if (!await done(a, t('shop.deliveredDone'))) fail(a);
      });
      box.append(el('p', {}, got));
    }
    if (o.state === 'awaiting_payment' || o.state === 'paid') box.append(cancelControl(o, error));
    if (o.state === 'delivered' || o.state === 'completed') {
      const review = await reviewOf(o);
      if (review) box.append(el('h2', { textContent: t('market.reviews') }), el('ul', { className: 'mkt-reviews' }, reviewItem(t, review, day)));
      if (buyer && !review) box.append(reviewForm(o, error));
      if (!buyer && review && !review.reply) box.append(replyForm(o, error));
    }
    box.append(error);
    return box;
  }

  async function reviewOf(o) {
    let cursor = null;
    for (let i = 0; i < REVIEW_PAGES; i++) {
      const a = await get(`/api/v1/sellers/${o.seller}/reviews?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!a.ok) return null;
      const found = a.data.reviews.find((v) => v.order === o.id);
      if (found) return found;
      cursor = a.data.next_cursor;
      if (!cursor) return null;
    }
    return null;
  }

  // A labelled field with its own message under it.
  function row(id, key, control, max) {
    control.id = id;
    if (max) control.maxLength = max;
    const message = el('p', { id: `${id}-error`, className: 'kit-error' });
    control.setAttribute('aria-describedby', message.id);
    return { wrap: el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(key) }), control, message),
      input: control, message };
  }
  const say = (f, text) => {
    f.message.textContent = text ?? '';
    if (text) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  };

  function shipForm(o, error) {
    const carrier = row('shop-carrier', 'shop.carrier', el('input', { type: 'text', autocomplete: 'off' }), CARRIER_MAX);
    const tracking = row('shop-tracking', 'shop.trackingField', el('input', { type: 'text', autocomplete: 'off' }), TRACKING_MAX);
    const send = el('button', { type: 'submit', className: 'kit-primary', textContent: t('shop.markShipped') });
    const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'shop-ship-title' },
      el('h2', { id: 'shop-ship-title', textContent: t('shop.shipTitle') }), carrier.wrap, tracking.wrap, send);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      let first = null;
      for (const f of [carrier, tracking]) {
        say(f, f.input.value.trim() ? '' : t('shop.required'));
        if (!f.input.value.trim()) first ??= f.input;
      }
      if (first) {
        first.focus();
        return;
      }
      send.disabled = true;
      const a = await post(`/api/v1/orders/${o.id}/ship`, { carrier: carrier.input.value.trim(), tracking: tracking.input.value.trim() });
      send.disabled = false;
      if (await done(a, t('shop.shippedDone'))) return;
      const f = { carrier, tracking }[a.error.field];
      if (f && a.error.message) {
        say(f, a.error.message);
        f.input.focus();
      } else {
        error.textContent = failureText(t, a.error);
      }
    });
    return form;
  }

  // Cancel, then "Yes, cancel the order" or "Keep it" (focus moves between them).
  function cancelControl(o, error) {
    return askFirst(t, {
      keys: ['shop.cancelOrder', 'shop.cancelYes', 'shop.cancelKeep'],
      question: el('p', { id: 'shop-cancel-q', textContent: t(o.state === 'paid' ? 'shop.cancelPaid' : 'shop.cancelUnpaid') }),
      path: `/api/v1/orders/${o.id}/cancel`, doneKey: 'shop.cancelledDone', done, error });
  }

  function reviewForm(o, error) {
    const rating = row('shop-rating', 'market.ratingField', el('select', {},
      ...[5, 4, 3, 2, 1].map((n) => el('option', { value: String(n), textContent: t('market.outOf', { n }) }))));
    const text = row('shop-review-text', 'market.reviewText', el('textarea', { rows: 4 }), REVIEW_TEXT_MAX);
    const send = el('button', { type: 'submit', className: 'kit-primary', textContent: t('market.reviewSend') });
    const form = el('form', { className: 'mkt-form mkt-review-form', noValidate: true, 'aria-labelledby': 'shop-review-title' },
      el('h2', { id: 'shop-review-title', textContent: t('market.leaveReview') }), rating.wrap, text.wrap, send);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      send.disabled = true;
      const v = text.input.value.trim();
      const a = await post(`/api/v1/orders/${o.id}/review`, { rating: Number(rating.input.value), ...(v ? { text: v } : {}) });
      send.disabled = false;
      if (a.ok || a.error.code === 'already_reviewed') {
        const again = await get(`/api/v1/orders/${o.id}`);
        if (!await done(again, t(a.ok ? 'market.reviewThanks' : 'market.reviewDone'))) error.textContent = failureText(t, again.error);
        return;
      }
      if (a.error.field === 'text' && a.error.message) {
        say(text, a.error.message);
        text.input.focus();
      } else {
        error.textContent = failureText(t, a.error);
      }
    });
    return form;
  }

  function replyForm(o, error) {
    const text = row('shop-reply-text', 'shop.replyText', el('textarea', { rows: 3 }), REVIEW_TEXT_MAX);
    const send = el('button', { type: 'submit', className: 'kit-primary', textContent: t('shop.replySend') });
    const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'shop-reply-title' },
      el('h2', { id: 'shop-reply-title', textContent: t('shop.replyTitle') }), text.wrap, send);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = text.input.value.trim();
      say(text, v ? '' : t('shop.required'));
      if (!v) {
        text.input.focus();
        return;
      }
      send.disabled = true;
      const a = await post(`/api/v1/orders/${o.id}/review/reply`, { text: v });
      send.disabled = false;
      if (a.ok || a.error.code === 'already_replied') {
        const again = await get(`/api/v1/orders/${o.id}`);
        if (!await done(again, t('shop.replyDone'))) error.textContent = failureText(t, again.error);
        return;
      }
      if (a.error.field === 'text' && a.error.message) {
        say(text, a.error.message);
        text.input.focus();
      } else {
        error.textContent = failureText(t, a.error);
      }
    });
    return form;
  }
}
