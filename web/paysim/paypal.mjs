// PayPal's REST API as the adapter uses it (api-m.paypal.com shapes): OAuth
// client credentials, catalog products, billing plans and subscriptions,
// Orders v2 with capture, refunds of sales and captures, Payouts
// (payouts.mjs), webhook signature verification; plus what the payer and the card network do (approval,
// renewals, declines, chargebacks), each sending PayPal's webhook.
import { randomBytes } from 'node:crypto';
import {
  addMonths, book, EXPONENT, isoTime, newId, percentOf, toDecimal, toMinor, withQuery,
} from './book.mjs';
import { enqueue, verifyPaypal } from './webhooks.mjs';
import * as payouts from './payouts.mjs';

// The currencies PayPal takes (its REST currency-codes page); BRL only for a
// Brazilian merchant account.
const CURRENCIES = new Set('AUD BRL CAD CHF CZK DKK EUR GBP HKD HUF ILS JPY MXN MYR NOK NZD PHP PLN SEK SGD THB TWD USD'.split(' '));
const DOMESTIC_ONLY = { BRL: 'BR' };
// Fee: 3.49 % plus a fixed 49 minor units, so it is never 0.
const FEE_BASIS_POINTS = 349;
const FEE_FIXED_MINOR = 49;
// Consecutive failed renewals after which the subscription is suspended.
const FAILURE_THRESHOLD = 3;
const TOKEN_SECONDS = 32400;
const INTERVAL_MONTHS = { MONTH: 1, YEAR: 12 };

const ERRORS = {
  400: ['INVALID_REQUEST', 'Request is not well-formed, syntactically incorrect, or violates schema.'],
  401: ['AUTHENTICATION_FAILURE', 'Authentication failed due to invalid authentication credentials or a missing Authorization header.'],
  404: ['RESOURCE_NOT_FOUND', 'The specified resource does not exist.'],
  422: ['UNPROCESSABLE_ENTITY', 'The requested action could not be performed, semantically incorrect, or failed business validation.'],
  500: ['INTERNAL_SERVER_ERROR', 'An internal server error has occurred.'],
};

/** PayPal's error answer: {name, message, debug_id, details:[{issue, description}]}. */
export function ppError(status, issue, description) {
  const [name, message] = ERRORS[status];
  return {
    status,
    body: { name, message, debug_id: randomBytes(7).toString('hex'), details: issue ? [{ issue, description }] : [] },
  };
}

const pp = () => book.state.paypal;
const api = (path) => `${book.base}paypal${path}`;
const money = (minor, currency) => ({ currency_code: currency, value: toDecimal(minor, currency) });
const fee = (gross) => percentOf(gross, FEE_BASIS_POINTS) + FEE_FIXED_MINOR;

/** Checks an {value, currency_code} against PayPal's rules; the amount in minor units, or an error answer. */
function parseAmount(amount, where) {
  if (!amount || typeof amount.value !== 'string' || typeof amount.currency_code !== 'string') {
    return { error: ppError(400, 'MISSING_REQUIRED_PARAMETER', `${where} needs value and currency_code.`) };
  }
  const currency = amount.currency_code;
  if (!CURRENCIES.has(currency)) {
    return { error: ppError(422, 'CURRENCY_NOT_SUPPORTED', `Currency code ${currency} is not currently supported.`) };
  }
  const country = DOMESTIC_ONLY[currency];
  if (country && book.config.paypal_merchant_country !== country) {
    return { error: ppError(422, 'CURRENCY_NOT_SUPPORTED_FOR_COUNTRY', `${currency} is supported only for merchants in ${country}.`) };
  }
  const minor = toMinor(amount.value, currency, { exact: true });
  if (minor === null) {
    return { error: ppError(422, 'DECIMAL_PRECISION', `${where} value must have exactly ${EXPONENT[currency]} decimals for ${currency}.`) };
  }
  if (minor <= 0) return { error: ppError(422, 'INVALID_PARAMETER_VALUE', `${where} value must be positive.`) };
  return { minor, currency };
}

// ---- OAuth ----

function issueToken(ctx) {
  const m = /^Basic (.+)$/i.exec(ctx.headers.authorization ?? '');
  const [id, secret] = m ? Buffer.from(m[1], 'base64').toString().split(':') : [];
  if (id !== book.config.paypal_client_id || secret !== book.config.paypal_secret) {
    return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
  }
  if (new URLSearchParams(ctx.raw).get('grant_type') !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
  }
  const token = `A21AA${randomBytes(24).toString('base64url')}`;
  pp().tokens[token] = book.now() + TOKEN_SECONDS * 1000;
  book.state.tokens_issued++;
  return {
    status: 200,
    body: {
      scope: 'https://uri.paypal.com/services/subscriptions https://uri.paypal.com/services/payments/payment',
      access_token: token, token_type: 'Bearer', app_id: 'APP-SIMPAYSIM0001', expires_in: TOKEN_SECONDS,
      nonce: `${isoTime(book.now())}${randomBytes(8).toString('hex')}`,
    },
  };
}

function authorized(ctx) {
  const m = /^Bearer (.+)$/.exec(ctx.headers.authorization ?? '');
  const expires = m && pp().tokens[m[1]];
  return Boolean(expires && expires > book.now());
}

// ---- Catalog products and plans ----

const PRODUCT_TYPES = ['PHYSICAL', 'DIGITAL', 'SERVICE'];

function createProduct(ctx) {
  const { name, type, description } = ctx.json;
  if (typeof name !== 'string' || !name) return ppError(400, 'MISSING_REQUIRED_PARAMETER', 'name is required.');
  if (!PRODUCT_TYPES.includes(type)) return ppError(400, 'INVALID_PARAMETER_VALUE', `type must be one of ${PRODUCT_TYPES.join(', ')}.`);
  const now = isoTime(book.now());
  const product = { id: newId('PROD-', 17), name, description, type, create_time: now, update_time: now };
  pp().products[product.id] = product;
  book.state.creates.paypal_products++;
  return { status: 201, body: productView(product) };
}

function productView(product) {
  return { ...product, links: [{ href: api(`/v1/catalogs/products/${product.id}`), rel: 'self', method: 'GET' }] };
}

function getProduct(ctx, [, id]) {
  const product = pp().products[id];
  return product ? { status: 200, body: productView(product) } : ppError(404, 'INVALID_RESOURCE_ID', `Product ${id} does not exist.`);
}

function createPlan(ctx) {
  const { product_id, name, billing_cycles, payment_preferences, description } = ctx.json;
  if (typeof name !== 'string' || !Array.isArray(billing_cycles)) {
    return ppError(400, 'MISSING_REQUIRED_PARAMETER', 'product_id, name and billing_cycles are required.');
  }
  if (!pp().products[product_id]) return ppError(404, 'INVALID_RESOURCE_ID', `Product ${product_id} does not exist.`);
  // The sim bills one regular cycle (our plans have no trial).
  const regular = billing_cycles.filter((c) => c?.tenure_type === 'REGULAR');
  if (regular.length !== 1 || billing_cycles.length !== 1) {
    return ppError(422, 'INVALID_BILLING_CYCLES', 'The simulator takes exactly one REGULAR billing cycle.');
  }
  const cycle = regular[0];
  const months = INTERVAL_MONTHS[cycle.frequency?.interval_unit];
  if (!months || cycle.frequency.interval_count !== 1) {
    return ppError(422, 'INVALID_INTERVAL', 'frequency must be {interval_unit: MONTH|YEAR, interval_count: 1}.');
  }
  const total = cycle.total_cycles ?? 1;
  if (!Number.isInteger(total) || total < 0) return ppError(400, 'INVALID_PARAMETER_VALUE', 'total_cycles must be a non-negative integer.');
  const price = parseAmount(cycle.pricing_scheme?.fixed_price, 'fixed_price');
  if (price.error) return price.error;
  const now = isoTime(book.now());
  const plan = {
    id: newId('P-', 24), product_id, name, description, status: 'ACTIVE', usage_type: 'LICENSED',
    billing_cycles, payment_preferences: payment_preferences ?? {}, create_time: now, update_time: now,
    // derived, kept for billing:
    months, total_cycles: total, price_minor: price.minor, currency: price.currency,
  };
  pp().plans[plan.id] = plan;
  book.state.creates.paypal_plans++;
  return { status: 201, body: planView(plan) };
}

function planView({ months, total_cycles, price_minor, currency, ...plan }) {
  return { ...plan, links: [{ href: api(`/v1/billing/plans/${plan.id}`), rel: 'self', method: 'GET' }] };
}

function getPlan(ctx, [, id]) {
  const plan = pp().plans[id];
  return plan ? { status: 200, body: planView(plan) } : ppError(404, 'INVALID_RESOURCE_ID', `Plan ${id} does not exist.`);
}

// ---- Subscriptions ----

function createSubscription(ctx) {
  const { plan_id, custom_id, application_context: ac = {} } = ctx.json;
  if (typeof plan_id !== 'string') return ppError(400, 'MISSING_REQUIRED_PARAMETER', 'plan_id is required.');
  const plan = pp().plans[plan_id];
  if (!plan) return ppError(404, 'INVALID_RESOURCE_ID', `Plan ${plan_id} does not exist.`);
  if (typeof ac.return_url !== 'string' || typeof ac.cancel_url !== 'string') {
    return ppError(400, 'MISSING_REQUIRED_PARAMETER', 'application_context.return_url and cancel_url are required.');
  }
  const now = book.now();
  const sub = {
    id: newId('I-'), plan_id, custom_id, status: 'APPROVAL_PENDING', create_ms: now, status_ms: now, start_ms: null,
    ba_token: newId('BA-', 17), ec_token: newId('', 17), return_url: ac.return_url, cancel_url: ac.cancel_url,
    brand_name: ac.brand_name, next_billing_ms: null, last_payment: null, failed_payments_count: 0,
    cycles_completed: 0, declines: 0,
  };
  pp().subscriptions[sub.id] = sub;
  book.state.creates.paypal_subscriptions++;
  return { status: 201, body: subscriptionView(sub) };
}

/** The subscription as GET /v1/billing/subscriptions/{id} answers (and webhooks carry). */
function subscriptionView(sub) {
  const plan = pp().plans[sub.plan_id];
  const view = {
    id: sub.id, plan_id: sub.plan_id, status: sub.status, custom_id: sub.custom_id, quantity: '1',
    create_time: isoTime(sub.create_ms), status_update_time: isoTime(sub.status_ms),
    plan_overridden: false,
    links: [{ href: api(`/v1/billing/subscriptions/${sub.id}`), rel: 'self', method: 'GET' }],
  };
  if (sub.status === 'APPROVAL_PENDING') {
    view.links.unshift({ href: withQuery(`${book.base}paypal/checkoutnow`, { ba_token: sub.ba_token }), rel: 'approve', method: 'GET' });
    return view;
  }
  // Who approved it: PayPal names the subscriber's account (its sales name nobody).
  if (sub.payer_email) view.subscriber = { email_address: sub.payer_email, payer_id: sub.payer_id };
  view.start_time = isoTime(sub.start_ms);
  view.billing_info = {
    outstanding_balance: money(0, plan.currency),
    cycle_executions: [{
      tenure_type: 'REGULAR', sequence: 1, cycles_completed: sub.cycles_completed,
      cycles_remaining: plan.total_cycles ? plan.total_cycles - sub.cycles_completed : 0, total_cycles: plan.total_cycles,
    }],
    failed_payments_count: sub.failed_payments_count,
  };
  if (sub.last_payment) {
    view.billing_info.last_payment = { amount: money(sub.last_payment.minor, plan.currency), time: isoTime(sub.last_payment.ms) };
  }
  if (sub.next_billing_ms !== null && ['ACTIVE', 'SUSPENDED'].includes(sub.status)) {
    view.billing_info.next_billing_time = isoTime(sub.next_billing_ms);
  }
  return view;
}

function findSubscription(id) {
  return pp().subscriptions[id] ?? null;
}

function getSubscription(ctx, [, id]) {
  const sub = findSubscription(id);
  return sub ? { status: 200, body: subscriptionView(sub) } : ppError(404, 'INVALID_RESOURCE_ID', `Subscription ${id} does not exist.`);
}

function subscriptionEvent(sub, type, summary) {
  sendEvent(type, 'subscription', '2.0', summary, subscriptionView(sub));
}

function setStatus(sub, status, eventType, summary) {
  sub.status = status;
  sub.status_ms = book.now();
  subscriptionEvent(sub, eventType, summary);
}

// cancel|suspend|activate: which states each may start from.
const TRANSITIONS = {
  cancel: { from: ['APPROVED', 'ACTIVE', 'SUSPENDED'], to: 'CANCELLED', event: 'BILLING.SUBSCRIPTION.CANCELLED' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', event: 'BILLING.SUBSCRIPTION.SUSPENDED' },
  activate: { from: ['SUSPENDED'], to: 'ACTIVE', event: 'BILLING.SUBSCRIPTION.RE-ACTIVATED' },
};

function changeSubscription(ctx, [, id, verb]) {
  const sub = findSubscription(id);
  if (!sub) return ppError(404, 'INVALID_RESOURCE_ID', `Subscription ${id} does not exist.`);
  const t = TRANSITIONS[verb];
  if (!t.from.includes(sub.status)) {
    return ppError(422, 'SUBSCRIPTION_STATUS_INVALID', `Invalid subscription status for ${verb} action; subscription status should be ${t.from.join(' or ')}.`);
  }
  setStatus(sub, t.to, t.event, `Subscription ${t.to.toLowerCase()}`);
  return { status: 204, body: null };
}

function listTransactions(ctx, [, id]) {
  const sub = findSubscription(id);
  if (!sub) return ppError(404, 'INVALID_RESOURCE_ID', `Subscription ${id} does not exist.`);
  const start = Date.parse(ctx.query.get('start_time') ?? '');
  const end = Date.parse(ctx.query.get('end_time') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return ppError(400, 'MISSING_REQUIRED_PARAMETER', 'start_time and end_time (ISO 8601) are required.');
  }
  const transactions = Object.values(pp().sales)
    .filter((s) => s.billing_agreement_id === sub.id && s.create_ms >= start && s.create_ms <= end)
    .map((s) => ({
      status: s.state.toUpperCase(), id: s.id,
      amount_with_breakdown: {
        gross_amount: money(s.gross_minor, s.currency), fee_amount: money(s.fee_minor, s.currency),
        net_amount: money(s.gross_minor - s.fee_minor, s.currency),
      },
      time: isoTime(s.create_ms),
    }));
  return { status: 200, body: { transactions, total_items: transactions.length, total_pages: 1 } };
}

// ---- Sales (subscription payments) ----

/** The sale as PAYMENT.SALE.* webhooks and GET /v1/payments/sale/{id} show it (v1 shapes: total/currency). */
function saleView(s) {
  const view = {
    id: s.id, state: s.state, amount: { total: toDecimal(s.gross_minor, s.currency), currency: s.currency },
    payment_mode: 'INSTANT_TRANSFER', protection_eligibility: 'ELIGIBLE',
    transaction_fee: { value: toDecimal(s.fee_minor, s.currency), currency: s.currency },
    billing_agreement_id: s.billing_agreement_id, custom: s.custom,
    create_time: isoTime(s.create_ms), update_time: isoTime(s.update_ms),
    links: [{ href: api(`/v1/payments/sale/${s.id}`), rel: 'self', method: 'GET' }],
  };
  if (s.state === 'reversed') view.reason_code = 'CHARGEBACK';
  return view;
}

/** One billing cycle of an active subscription: a completed sale, or a declined one when marked to decline. */
function chargeCycle(sub) {
  const plan = pp().plans[sub.plan_id];
  const now = book.now();
  const declined = sub.declines > 0;
  const sale = {
    id: newId('', 17), state: declined ? 'declined' : 'completed', gross_minor: plan.price_minor,
    fee_minor: declined ? 0 : fee(plan.price_minor), currency: plan.currency, refunded_minor: 0,
    billing_agreement_id: sub.id, custom: sub.custom_id, create_ms: now, update_ms: now,
  };
  pp().sales[sale.id] = sale;
  if (declined) {
    sub.declines--;
    sub.failed_payments_count++;
    subscriptionEvent(sub, 'BILLING.SUBSCRIPTION.PAYMENT.FAILED', 'Subscription payment failed');
    if (sub.failed_payments_count >= FAILURE_THRESHOLD) setStatus(sub, 'SUSPENDED', 'BILLING.SUBSCRIPTION.SUSPENDED', 'Subscription suspended');
    return { ok: false, sale };
  }
  sub.cycles_completed++;
  sub.failed_payments_count = 0;
  sub.last_payment = { minor: sale.gross_minor, ms: now };
  sub.next_billing_ms = addMonths(sub.next_billing_ms ?? now, plan.months);
  book.money('paypal', 'charge', sale.id, sub.id, sale.currency, sale.gross_minor, sale.fee_minor);
  sendEvent('PAYMENT.SALE.COMPLETED', 'sale', '1.0', `Payment completed for ${sale.currency} ${toDecimal(sale.gross_minor, sale.currency)}`, saleView(sale));
  if (plan.total_cycles && sub.cycles_completed >= plan.total_cycles) {
    setStatus(sub, 'EXPIRED', 'BILLING.SUBSCRIPTION.EXPIRED', 'Subscription expired');
  }
  return { ok: true, sale };
}

/**
 * Renews every active subscription that is due, as many cycles as are due.
 * A declined charge leaves next_billing_time where it was (PayPal retries the
 * same cycle), so the next bill() tries that cycle again.
 */
export function bill(charged, failed) {
  for (const sub of Object.values(pp().subscriptions)) {
    while (sub.status === 'ACTIVE' && sub.next_billing_ms <= book.now()) {
      const { ok, sale } = chargeCycle(sub);
      const entry = { provider: 'paypal', id: sub.id, txn_id: sale.id, amount_minor: sale.gross_minor, currency: sale.currency };
      (ok ? charged : failed).push(entry);
      if (!ok) break;
    }
  }
}

export function decline(id, times) {
  const sub = findSubscription(id);
  if (!sub) return false;
  sub.declines += times;
  return true;
}

function getSale(ctx, [, id]) {
  const s = pp().sales[id];
  return s ? { status: 200, body: saleView(s) } : ppError(404, 'INVALID_RESOURCE_ID', `Sale ${id} does not exist.`);
}

// ---- Orders and captures ----

function createOrder(ctx) {
  const { intent, purchase_units, application_context: ac = {} } = ctx.json;
  if (intent !== 'CAPTURE') return ppError(422, 'INTENT_NOT_SUPPORTED', 'The simulator takes intent CAPTURE only.');
  if (!Array.isArray(purchase_units) || purchase_units.length !== 1) {
    return ppError(400, 'INVALID_ARRAY_LENGTH', 'The simulator takes exactly one purchase unit.');
  }
  const unit = purchase_units[0];
  const price = parseAmount(unit.amount, 'amount');
  if (price.error) return price.error;
  const now = book.now();
  const order = {
    id: newId('', 17), status: 'PAYER_ACTION_REQUIRED', intent, create_ms: now, update_ms: now,
    reference_id: unit.reference_id ?? 'default', custom_id: unit.custom_id, description: unit.description,
    gross_minor: price.minor, currency: price.currency, return_url: ac.return_url, cancel_url: ac.cancel_url,
    payer_id: null, capture_id: null,
  };
  pp().orders[order.id] = order;
  book.state.creates.paypal_orders++;
  return { status: 201, body: orderView(order) };
}

function orderView(o) {
  const unit = { reference_id: o.reference_id, custom_id: o.custom_id, amount: money(o.gross_minor, o.currency) };
  if (o.description) unit.description = o.description;
  if (o.capture_id) unit.payments = { captures: [captureView(pp().captures[o.capture_id])] };
  const links = [{ href: api(`/v2/checkout/orders/${o.id}`), rel: 'self', method: 'GET' }];
  if (o.status === 'PAYER_ACTION_REQUIRED') {
    links.unshift({ href: withQuery(`${book.base}paypal/checkoutnow`, { token: o.id }), rel: 'payer-action', method: 'GET' });
  }
  if (o.status === 'APPROVED') links.push({ href: api(`/v2/checkout/orders/${o.id}/capture`), rel: 'capture', method: 'POST' });
  const view = {
    id: o.id, intent: o.intent, status: o.status, purchase_units: [unit],
    create_time: isoTime(o.create_ms), update_time: isoTime(o.update_ms), links,
  };
  if (o.payer_id) view.payer = { payer_id: o.payer_id, email_address: o.payer_email };
  return view;
}

function getOrder(ctx, [, id]) {
  const o = pp().orders[id];
  return o ? { status: 200, body: orderView(o) } : ppError(404, 'INVALID_RESOURCE_ID', `Order ${id} does not exist.`);
}

function captureView(c) {
  const view = {
    id: c.id, status: c.status, amount: money(c.gross_minor, c.currency), final_capture: true, custom_id: c.custom_id,
    seller_protection: { status: 'ELIGIBLE' },
    seller_receivable_breakdown: {
      gross_amount: money(c.gross_minor, c.currency), paypal_fee: money(c.fee_minor, c.currency),
      net_amount: money(c.gross_minor - c.fee_minor, c.currency),
    },
    create_time: isoTime(c.create_ms), update_time: isoTime(c.update_ms),
    links: [
      { href: api(`/v2/payments/captures/${c.id}`), rel: 'self', method: 'GET' },
      { href: api(`/v2/payments/captures/${c.id}/refund`), rel: 'refund', method: 'POST' },
      { href: api(`/v2/checkout/orders/${c.order_id}`), rel: 'up', method: 'GET' },
    ],
  };
  return view;
}

function captureOrder(ctx, [, id]) {
  const o = pp().orders[id];
  if (!o) return ppError(404, 'INVALID_RESOURCE_ID', `Order ${id} does not exist.`);
  if (o.status === 'COMPLETED') return ppError(422, 'ORDER_ALREADY_CAPTURED', 'Order already captured.');
  if (o.status !== 'APPROVED') return ppError(422, 'ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment.');
  const now = book.now();
  const c = {
    id: newId('', 17), status: 'COMPLETED', gross_minor: o.gross_minor, fee_minor: fee(o.gross_minor), currency: o.currency,
    refunded_minor: 0, custom_id: o.custom_id, order_id: o.id, create_ms: now, update_ms: now,
  };
  pp().captures[c.id] = c;
  o.capture_id = c.id;
  o.status = 'COMPLETED';
  o.update_ms = now;
  book.money('paypal', 'charge', c.id, o.id, c.currency, c.gross_minor, c.fee_minor);
  sendEvent('PAYMENT.CAPTURE.COMPLETED', 'capture', '2.0', `Payment completed for ${c.currency} ${toDecimal(c.gross_minor, c.currency)}`, captureEventView(c));
  return { status: 201, body: orderView(o) };
}

function captureEventView(c) {
  return { ...captureView(c), supplementary_data: { related_ids: { order_id: c.order_id } } };
}

function getCapture(ctx, [, id]) {
  const c = pp().captures[id];
  return c ? { status: 200, body: captureView(c) } : ppError(404, 'INVALID_RESOURCE_ID', `Capture ${id} does not exist.`);
}

// ---- Refunds and chargebacks (sales and captures alike) ----

/**
 * Refunds amountMinor (undefined: what is left) of a sale or capture, sends
 * its webhook and records it. Returns {refund} or {error}.
 */
function refundTxn(kind, txn, amountMinor) {
  const isSale = kind === 'sale';
  const state = isSale ? txn.state : txn.status.toLowerCase();
  if (!['completed', 'partially_refunded'].includes(state)) {
    return { error: ppError(422, isSale ? 'TRANSACTION_REFUSED' : 'CAPTURE_FULLY_REFUNDED', `The ${kind} cannot be refunded in state ${state}.`) };
  }
  const left = txn.gross_minor - txn.refunded_minor;
  const minor = amountMinor ?? left;
  if (minor <= 0 || minor > left) return { error: ppError(422, 'REFUND_AMOUNT_EXCEEDED', `The refund amount must be between 0 and ${toDecimal(left, txn.currency)}.`) };
  const now = book.now();
  txn.refunded_minor += minor;
  const after = txn.refunded_minor === txn.gross_minor ? 'refunded' : 'partially_refunded';
  if (isSale) txn.state = after;
  else txn.status = after.toUpperCase();
  txn.update_ms = now;
  const refund = { id: newId('', 17), kind, parent_id: txn.id, gross_minor: minor, currency: txn.currency, create_ms: now };
  pp().refunds[refund.id] = refund;
  book.money('paypal', 'refund', refund.id, txn.id, txn.currency, minor, 0);
  if (isSale) sendEvent('PAYMENT.SALE.REFUNDED', 'refund', '1.0', `A ${txn.currency} ${toDecimal(minor, txn.currency)} sale payment was refunded`, refundView(refund));
  else sendEvent('PAYMENT.CAPTURE.REFUNDED', 'refund', '2.0', `A ${txn.currency} ${toDecimal(minor, txn.currency)} capture payment was refunded`, refundView(refund));
  return { refund };
}

function refundView(r) {
  if (r.kind === 'sale') {
    return {
      id: r.id, sale_id: r.parent_id, state: 'completed', amount: { total: toDecimal(r.gross_minor, r.currency), currency: r.currency },
      create_time: isoTime(r.create_ms), update_time: isoTime(r.create_ms),
      links: [{ href: api(`/v1/payments/sale/${r.parent_id}`), rel: 'sale', method: 'GET' }],
    };
  }
  return {
    id: r.id, status: 'COMPLETED', amount: money(r.gross_minor, r.currency),
    create_time: isoTime(r.create_ms), update_time: isoTime(r.create_ms),
    links: [
      { href: api(`/v2/payments/refunds/${r.id}`), rel: 'self', method: 'GET' },
      { href: api(`/v2/payments/captures/${r.parent_id}`), rel: 'up', method: 'GET' },
    ],
  };
}

function getRefund(ctx, [, id]) {
  const r = pp().refunds[id];
  return r ? { status: 200, body: refundView(r) } : ppError(404, 'INVALID_RESOURCE_ID', `Refund ${id} does not exist.`);
}

function refundSale(ctx, [, id]) {
  const sale = pp().sales[id];
  if (!sale) return ppError(404, 'INVALID_RESOURCE_ID', `Sale ${id} does not exist.`);
  let minor;
  if (ctx.json.amount !== undefined) {
    const { total, currency } = ctx.json.amount;
    const parsed = parseAmount({ value: total, currency_code: currency }, 'amount');
    if (parsed.error) return parsed.error;
    if (parsed.currency !== sale.currency) return ppError(422, 'CURRENCY_MISMATCH', 'The refund currency must be the sale\'s.');
    minor = parsed.minor;
  }
  const { refund, error } = refundTxn('sale', sale, minor);
  return error ?? { status: 201, body: refundView(refund) };
}

function refundCapture(ctx, [, id]) {
  const capture = pp().captures[id];
  if (!capture) return ppError(404, 'INVALID_RESOURCE_ID', `Capture ${id} does not exist.`);
  let minor;
  if (ctx.json.amount !== undefined) {
    const parsed = parseAmount(ctx.json.amount, 'amount');
    if (parsed.error) return parsed.error;
    if (parsed.currency !== capture.currency) return ppError(422, 'CURRENCY_MISMATCH', 'The refund currency must be the capture\'s.');
    minor = parsed.minor;
  }
  const { refund, error } = refundTxn('capture', capture, minor);
  return error ?? { status: 201, body: refundView(refund) };
}

/** Finds a sale or capture by id: [kind, txn] or null. */
function findTxn(id) {
  if (pp().sales[id]) return ['sale', pp().sales[id]];
  if (pp().captures[id]) return ['capture', pp().captures[id]];
  return null;
}

/** The merchant's dashboard refund (POST /__sim/refund). Returns an error sentence or null. */
export function dashboardRefund(txnId, amountMinor) {
  const found = findTxn(txnId);
  if (!found) return `no PayPal sale or capture ${txnId}`;
  const { error } = refundTxn(found[0], found[1], amountMinor);
  return error ? error.body.details[0].description : null;
}

/** A chargeback by the card network: what is not yet refunded goes back. Returns an error sentence or null. */
export function chargeback(txnId) {
  const found = findTxn(txnId);
  if (!found) return `no PayPal sale or capture ${txnId}`;
  const [kind, txn] = found;
  const left = txn.gross_minor - txn.refunded_minor;
  const state = kind === 'sale' ? txn.state : txn.status.toLowerCase();
  if (!['completed', 'partially_refunded'].includes(state) || left <= 0) return `the ${kind} cannot be charged back in state ${state}`;
  txn.update_ms = book.now();
  book.money('paypal', 'chargeback', `${txn.id}-CB`, txn.id, txn.currency, left, 0);
  if (kind === 'sale') {
    txn.state = 'reversed';
    sendEvent('PAYMENT.SALE.REVERSED', 'sale', '1.0', 'A payment was reversed', saleView(txn));
  } else {
    txn.status = 'REVERSED';
    sendEvent('PAYMENT.CAPTURE.REVERSED', 'capture', '2.0', 'A payment was reversed', { ...captureEventView(txn), reason_code: 'CHARGEBACK' });
  }
  return null;
}

// ---- Approval (the checkoutnow page and POST /__sim/approve) ----

/** What the approval page shows for ba_token/token/id: {item, minor, currency, months} or null. */
export function describe(id) {
  const found = findApprovable(id);
  if (!found) return null;
  if (found.sub) {
    const plan = pp().plans[found.sub.plan_id];
    const product = pp().products[plan.product_id];
    return { item: product ? `${product.name}: ${plan.name}` : plan.name, minor: plan.price_minor, currency: plan.currency, months: plan.months };
  }
  const o = found.order;
  return { item: o.description ?? `Order ${o.reference_id}`, minor: o.gross_minor, currency: o.currency, months: 0 };
}

function findApprovable(id) {
  const subs = Object.values(pp().subscriptions);
  const sub = pp().subscriptions[id] ?? subs.find((s) => s.ba_token === id);
  if (sub) return { sub };
  const order = pp().orders[id];
  return order ? { order } : null;
}

/** A payer account's email for an approval that named none: one new account each time. */
const anyPayer = (payerId) => `payer-${payerId.toLowerCase()}@paysim.example`;

/**
 * The payer approves or cancels. payerEmail: the PayPal account they pay
 * from (a new one when not given). Returns {redirect} or {error, status}.
 */
export function approve(id, decision, payerEmail) {
  const found = findApprovable(id);
  if (!found) return { status: 404, error: `no PayPal subscription or order ${id}` };
  if (found.sub) {
    const sub = found.sub;
    if (sub.status !== 'APPROVAL_PENDING') return { status: 409, error: `subscription ${sub.id} is ${sub.status}, not APPROVAL_PENDING` };
    const query = { subscription_id: sub.id, ba_token: sub.ba_token, token: sub.ec_token };
    if (decision === 'cancel') return { redirect: withQuery(sub.cancel_url, query) };
    sub.start_ms = book.now();
    sub.payer_id = newId('', 13);
    sub.payer_email = payerEmail ?? anyPayer(sub.payer_id);
    setStatus(sub, 'ACTIVE', 'BILLING.SUBSCRIPTION.ACTIVATED', 'Subscription activated');
    chargeCycle(sub); // the first payment is taken at approval
    return { redirect: withQuery(sub.return_url, query) };
  }
  const o = found.order;
  if (o.status !== 'PAYER_ACTION_REQUIRED') return { status: 409, error: `order ${o.id} is ${o.status}, not PAYER_ACTION_REQUIRED` };
  if (decision === 'cancel') return { redirect: withQuery(o.cancel_url, { token: o.id }) };
  o.status = 'APPROVED';
  o.payer_id = newId('', 13);
  o.payer_email = payerEmail ?? anyPayer(o.payer_id);
  o.update_ms = book.now();
  sendEvent('CHECKOUT.ORDER.APPROVED', 'checkout-order', '2.0', 'An order has been approved by buyer', orderView(o));
  return { redirect: withQuery(o.return_url, { token: o.id, PayerID: o.payer_id }) };
}

// ---- Webhooks ----

function sendEvent(eventType, resourceType, resourceVersion, summary, resource) {
  const event = {
    id: `WH-${newId('', 17)}-${newId('', 17)}`, event_version: '1.0', create_time: isoTime(book.now()),
    resource_type: resourceType, resource_version: resourceVersion, event_type: eventType, summary, resource,
    links: [],
  };
  enqueue('paypal', event);
}

function verifyWebhook(ctx) {
  const ok = verifyPaypal(ctx.json);
  return { status: 200, body: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
}

// ---- Routing ----

const ROUTES = [
  ['POST', /^\/v1\/catalogs\/products$/, createProduct],
  ['GET', /^\/v1\/catalogs\/products\/([^/]+)$/, getProduct],
  ['POST', /^\/v1\/billing\/plans$/, createPlan],
  ['GET', /^\/v1\/billing\/plans\/([^/]+)$/, getPlan],
  ['POST', /^\/v1\/billing\/subscriptions$/, createSubscription],
  ['GET', /^\/v1\/billing\/subscriptions\/([^/]+)$/, getSubscription],
  ['POST', /^\/v1\/billing\/subscriptions\/([^/]+)\/(cancel|suspend|activate)$/, changeSubscription],
  ['GET', /^\/v1\/billing\/subscriptions\/([^/]+)\/transactions$/, listTransactions],
  ['GET', /^\/v1\/payments\/sale\/([^/]+)$/, getSale],
  ['POST', /^\/v1\/payments\/sale\/([^/]+)\/refund$/, refundSale],
  ['POST', /^\/v2\/checkout\/orders$/, createOrder],
  ['GET', /^\/v2\/checkout\/orders\/([^/]+)$/, getOrder],
  ['POST', /^\/v2\/checkout\/orders\/([^/]+)\/capture$/, captureOrder],
  ['GET', /^\/v2\/payments\/captures\/([^/]+)$/, getCapture],
  ['POST', /^\/v2\/payments\/captures\/([^/]+)\/refund$/, refundCapture],
  ['GET', /^\/v2\/payments\/refunds\/([^/]+)$/, getRefund],
  ['POST', /^\/v1\/notifications\/verify-webhook-signature$/, verifyWebhook],
  ['POST', /^\/v1\/payments\/payouts$/, payouts.createPayout],
  ['GET', /^\/v1\/payments\/payouts\/([^/]+)$/, payouts.getPayout],
  ['GET', /^\/v1\/payments\/payouts-item\/([^/]+)$/, payouts.getPayoutItem],
];

payouts.init({ ppError, sendEvent, api });

/** Answers one API call (ctx.path is after /paypal): {status, body}. */
export function handle(ctx) {
  if (ctx.method === 'POST' && ctx.path === '/v1/oauth2/token') return issueToken(ctx);
  if (!authorized(ctx)) return ppError(401);
  for (const [method, re, fn] of ROUTES) {
    const m = method === ctx.method && re.exec(ctx.path);
    if (!m) continue;
    // main.mjs gives null for a body that is not a JSON object (an empty body is {}).
    if (ctx.json === null) return ppError(400, 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
    return idempotent(ctx, () => fn(ctx, m));
  }
  return ppError(404);
}

/** Replays the stored answer for a PayPal-Request-Id already seen on this path. */
function idempotent(ctx, run) {
  const key = ctx.method === 'POST' && ctx.headers['paypal-request-id'];
  return key ? book.idempotent(`paypal ${ctx.path} ${key}`, run) : run();
}
