// PayPal Payouts (v1) as a marketplace platform uses it: the platform, which
// collected the buyer's payment, sends the seller's share to the seller's
// PayPal email. A batch is PENDING when made; POST /__sim/payouts/process is
// PayPal's processing: each item ends SUCCESS, UNCLAIMED (the receiver has no
// account) or FAILED as the control API set for its receiver, the batch
// SUCCESS, each with its webhook. An item UNCLAIMED for 30 days (the sim's
// clock) is RETURNED at the next processing, as PayPal returns it.
import { book, EXPONENT, isoTime, newId, percentOf, toDecimal, toMinor } from './book.mjs';

// The currencies PayPal pays out in (the same set as its REST API).
const CURRENCIES = new Set('AUD BRL CAD CHF CZK DKK EUR GBP HKD HUF ILS JPY MXN MYR NOK NZD PHP PLN SEK SGD THB TWD USD'.split(' '));
// PayPal's limit of items per batch (Payouts overview); the sim's 1 MiB
// body limit comes first in practice.
export const PAYOUT_ITEMS_MAX = 15000;
// Fee per item: 2 %, at least 1 minor unit (the sim's; PayPal's varies by country).
const FEE_BASIS_POINTS = 200;
// Days an unclaimed payout waits before PayPal returns it to the sender.
const UNCLAIMED_DAYS = 30;
const RECEIVER_OUTCOMES = ['success', 'unclaimed', 'failed'];
// Item error names PayPal uses for these outcomes.
const ITEM_ERRORS = {
  UNCLAIMED: { name: 'RECEIVER_UNREGISTERED', message: 'Receiver is unregistered' },
  FAILED: { name: 'RECEIVER_ACCOUNT_LOCKED', message: 'Receiver account is locked or inactive' },
  RETURNED: { name: 'RECEIVER_UNREGISTERED', message: 'Receiver is unregistered' },
};
const EVENT_OF = {
  SUCCESS: 'PAYMENT.PAYOUTS-ITEM.SUCCEEDED', UNCLAIMED: 'PAYMENT.PAYOUTS-ITEM.UNCLAIMED',
  FAILED: 'PAYMENT.PAYOUTS-ITEM.FAILED', RETURNED: 'PAYMENT.PAYOUTS-ITEM.RETURNED',
};

let hooks = null; // {ppError, sendEvent, api}: paypal.mjs's, set by init()

/** paypal.mjs hands over its error answer, webhook sender and link maker (no import cycle). */
export function init(h) {
  hooks = h;
}

const state = () => {
  book.state.paypal.payouts ??= { batches: {}, items: {}, by_sender: {}, receivers: {} };
  return book.state.paypal.payouts;
};
const money = (minor, currency) => ({ currency, value: toDecimal(minor, currency) });
const fee = (gross) => Math.max(1, percentOf(gross, FEE_BASIS_POINTS));

function validItem(item, i) {
  const { ppError } = hooks;
  if (!item || typeof item !== 'object') return { error: ppError(400, 'VALIDATION_ERROR', `items[${i}] must be an object.`) };
  if (item.recipient_type !== undefined && item.recipient_type !== 'EMAIL') {
    return { error: ppError(422, 'UNSUPPORTED_RECIPIENT_TYPE', `items[${i}].recipient_type: the simulator takes EMAIL only.`) };
  }
  if (typeof item.receiver !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(item.receiver)) {
    return { error: ppError(400, 'VALIDATION_ERROR', `items[${i}].receiver must be an email address.`) };
  }
  const a = item.amount;
  if (!a || typeof a.value !== 'string' || typeof a.currency !== 'string') {
    return { error: ppError(400, 'VALIDATION_ERROR', `items[${i}].amount needs value and currency.`) };
  }
  if (!CURRENCIES.has(a.currency)) return { error: ppError(422, 'CURRENCY_NOT_SUPPORTED', `Currency code ${a.currency} is not currently supported.`) };
  const minor = toMinor(a.value, a.currency, { exact: true });
  if (minor === null) return { error: ppError(422, 'DECIMAL_PRECISION', `items[${i}].amount value must have exactly ${EXPONENT[a.currency]} decimals for ${a.currency}.`) };
  if (minor <= 0) return { error: ppError(422, 'INVALID_PARAMETER_VALUE', `items[${i}].amount value must be positive.`) };
  return { minor, currency: a.currency };
}

/** POST /v1/payments/payouts. */
export function createPayout(ctx) {
  const { ppError } = hooks;
  const { sender_batch_header: header, items } = ctx.json;
  if (!header || typeof header.sender_batch_id !== 'string' || !header.sender_batch_id) {
    return ppError(400, 'VALIDATION_ERROR', 'sender_batch_header.sender_batch_id is required.');
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > PAYOUT_ITEMS_MAX) {
    return ppError(400, 'VALIDATION_ERROR', `items must hold 1 to ${PAYOUT_ITEMS_MAX} payouts.`);
  }
  // PayPal processes a sender_batch_id once (30 days); a second batch under it
  // is refused. The same call retried with its PayPal-Request-Id is answered
  // from the first (paypal.mjs's idempotent()), so a retry sees its batch.
  if (state().by_sender[header.sender_batch_id]) {
    const refused = ppError(400, 'USER_BUSINESS_ERROR', 'Batch with given sender_batch_id already exists');
    refused.body.name = 'USER_BUSINESS_ERROR';
    refused.body.message = 'User business error.';
    refused.body.details[0].field = 'SENDER_BATCH_ID';
    return refused;
  }
  const parsed = [];
  for (let i = 0; i < items.length; i++) {
    const p = validItem(items[i], i);
    if (p.error) return p.error;
    parsed.push(p);
  }
  const currency = parsed[0].currency;
  if (parsed.some((p) => p.currency !== currency)) return ppError(422, 'CURRENCY_MISMATCH', 'The simulator takes one currency per batch.');
  const now = book.now();
  const batch = {
    id: newId('', 13), status: 'PENDING', sender_batch_id: header.sender_batch_id, email_subject: header.email_subject,
    email_message: header.email_message, currency, create_ms: now, completed_ms: null, item_ids: [],
  };
  items.forEach((item, i) => {
    const it = {
      id: newId('', 13), batch_id: batch.id, status: 'PENDING', receiver: item.receiver, note: item.note,
      sender_item_id: item.sender_item_id, gross_minor: parsed[i].minor, fee_minor: fee(parsed[i].minor), currency,
      transaction_id: null, processed_ms: null, unclaimed_ms: null,
    };
    state().items[it.id] = it;
    batch.item_ids.push(it.id);
  });
  state().batches[batch.id] = batch;
  state().by_sender[batch.sender_batch_id] = batch.id;
  book.state.creates.paypal_payouts = (book.state.creates.paypal_payouts ?? 0) + 1;
  return { status: 201, body: { batch_header: batchHeader(batch), links: [selfLink(batch)] } };
}

const selfLink = (b) => ({ href: hooks.api(`/v1/payments/payouts/${b.id}`), rel: 'self', method: 'GET', encType: 'application/json' });

function batchHeader(b) {
  const header = {
    payout_batch_id: b.id, batch_status: b.status, time_created: isoTime(b.create_ms),
    sender_batch_header: { sender_batch_id: b.sender_batch_id, email_subject: b.email_subject, email_message: b.email_message },
  };
  if (b.status !== 'PENDING') {
    const items = b.item_ids.map((id) => state().items[id]);
    const paid = items.filter((i) => ['SUCCESS', 'UNCLAIMED'].includes(i.status));
    header.time_completed = isoTime(b.completed_ms);
    header.amount = money(items.reduce((s, i) => s + i.gross_minor, 0), b.currency);
    header.fees = money(paid.reduce((s, i) => s + i.fee_minor, 0), b.currency);
  }
  return header;
}

function itemView(it, { withSenderBatch = false } = {}) {
  const view = {
    payout_item_id: it.id, transaction_status: it.status, payout_batch_id: it.batch_id,
    payout_item_fee: money(['SUCCESS', 'UNCLAIMED'].includes(it.status) ? it.fee_minor : 0, it.currency),
    payout_item: { recipient_type: 'EMAIL', amount: money(it.gross_minor, it.currency), note: it.note, receiver: it.receiver, sender_item_id: it.sender_item_id, recipient_wallet: 'PAYPAL' },
    links: [{ href: hooks.api(`/v1/payments/payouts-item/${it.id}`), rel: 'item', method: 'GET', encType: 'application/json' }],
  };
  if (it.transaction_id) view.transaction_id = it.transaction_id;
  if (it.processed_ms) view.time_processed = isoTime(it.processed_ms);
  if (ITEM_ERRORS[it.status]) view.errors = { ...ITEM_ERRORS[it.status] };
  if (withSenderBatch) view.sender_batch_id = state().batches[it.batch_id].sender_batch_id;
  return view;
}

function batchView(b) {
  return { batch_header: batchHeader(b), items: b.item_ids.map((id) => itemView(state().items[id])), links: [selfLink(b)] };
}

/** GET /v1/payments/payouts/{payout_batch_id}. */
export function getPayout(ctx, [, id]) {
  const b = state().batches[id];
  return b ? { status: 200, body: batchView(b) } : hooks.ppError(404, 'INVALID_RESOURCE_ID', `Payout batch ${id} does not exist.`);
}

/** GET /v1/payments/payouts-item/{payout_item_id}. */
export function getPayoutItem(ctx, [, id]) {
  const it = state().items[id];
  return it ? { status: 200, body: itemView(it, { withSenderBatch: true }) } : hooks.ppError(404, 'INVALID_RESOURCE_ID', `Payout item ${id} does not exist.`);
}

/** POST /__sim/payouts/receiver {receiver, outcome}: what happens to payouts to that email from now on. Error sentence or null. */
export function setReceiver(receiver, outcome) {
  if (typeof receiver !== 'string' || !RECEIVER_OUTCOMES.includes(outcome)) return `receiver and outcome (${RECEIVER_OUTCOMES.join('|')}) are required`;
  state().receivers[receiver.toLowerCase()] = outcome;
  return null;
}

function itemEvent(it) {
  const summary = `Payout item ${it.status.toLowerCase()} for ${it.currency} ${toDecimal(it.gross_minor, it.currency)}`;
  hooks.sendEvent(EVENT_OF[it.status], 'payouts_item', '1.0', summary, itemView(it, { withSenderBatch: true }));
}

/** POST /__sim/payouts/process: PayPal processes every PENDING batch and returns long-unclaimed items. {processed, returned}. */
export function processPayouts() {
  const now = book.now();
  const processed = [];
  const returned = [];
  for (const b of Object.values(state().batches)) {
    if (b.status !== 'PENDING') continue;
    for (const id of b.item_ids) {
      const it = state().items[id];
      const outcome = state().receivers[it.receiver.toLowerCase()] ?? 'success';
      it.status = outcome.toUpperCase();
      it.processed_ms = now;
      if (it.status !== 'FAILED') {
        it.transaction_id = newId('', 17);
        book.money('paypal', 'payout', it.id, b.id, it.currency, it.gross_minor, it.fee_minor);
      }
      if (it.status === 'UNCLAIMED') it.unclaimed_ms = now;
      itemEvent(it);
    }
    b.status = 'SUCCESS';
    b.completed_ms = now;
    hooks.sendEvent('PAYMENT.PAYOUTSBATCH.SUCCESS', 'payouts', '1.0', 'Payouts batch completed successfully.', batchView(b));
    processed.push(b.id);
  }
  for (const it of Object.values(state().items)) {
    if (it.status !== 'UNCLAIMED' || now - it.unclaimed_ms < UNCLAIMED_DAYS * 86400000) continue;
    it.status = 'RETURNED';
    // The money and the fee come back to the sender.
    book.money('paypal', 'payout_return', `${it.id}-RET`, it.id, it.currency, it.gross_minor, it.fee_minor);
    itemEvent(it);
    returned.push(it.id);
  }
  return { processed, returned };
}
