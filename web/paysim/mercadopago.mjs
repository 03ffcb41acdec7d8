// Mercado Pago's API as the adapter uses it (api.mercadopago.com shapes):
// preapprovals (subscriptions), checkout preferences, payments and refunds,
// each account (access token) bound to one country's site and currency; plus
// what the payer and the card network do, each sending its notification.
// Marketplace: a seller's OAuth token (mp-oauth.mjs) makes preferences with a
// marketplace_fee; their payments are the seller's (collector), carry the fee
// and release the seller's money mp_money_release_days after approval.
import { addMonths, book, EXPONENT, hexId, numberToMinor, percentOf, toNumber, withQuery } from './book.mjs';
import { enqueue } from './webhooks.mjs';
import { sellerOf, token as oauthToken } from './mp-oauth.mjs';

// Token SIM-MP-<CC> → the account's site and its only currency.
const SITES = {
  BR: { site_id: 'MLB', currency: 'BRL', collector_id: 100000001 },
  AR: { site_id: 'MLA', currency: 'ARS', collector_id: 100000002 },
  MX: { site_id: 'MLM', currency: 'MXN', collector_id: 100000003 },
  CO: { site_id: 'MCO', currency: 'COP', collector_id: 100000004 },
  CL: { site_id: 'MLC', currency: 'CLP', collector_id: 100000005 },
};
for (const [country, site] of Object.entries(SITES)) site.country = country;
// Fee: round(gross × 4.99 %), at least one minor unit.
const FEE_BASIS_POINTS = 499;
const FREQUENCY_TYPES = ['months'];
const APPLICATION_ID = 1234567890123456;

const ERROR_NAMES = { 400: 'bad_request', 401: 'unauthorized', 404: 'not_found', 500: 'internal_error' };

/** Mercado Pago's error answer: {message, error, status, cause:[{code, description}]}. */
export function mpError(status, message, code) {
  return { status, body: { message, error: ERROR_NAMES[status], status, cause: code ? [{ code, description: message }] : [] } };
}

const mp = () => book.state.mp;
const iso = (ms) => new Date(ms).toISOString();
const fee = (gross) => Math.max(1, percentOf(gross, FEE_BASIS_POINTS));

/** A JSON-number amount in the account's currency, in minor units, or an error answer. */
function parseAmount(amount, currency, account, field) {
  if (currency !== account.currency) {
    return { error: mpError(400, `${field}: currency_id ${currency} is not valid for site ${account.site_id} (it takes ${account.currency})`, 'invalid_currency_id') };
  }
  const minor = numberToMinor(amount, currency);
  if (minor === null || minor <= 0) {
    return { error: mpError(400, `${field}: must be a positive number with at most ${EXPONENT[currency]} decimals for ${currency}`, 'invalid_transaction_amount') };
  }
  return { minor };
}

// ---- Preapprovals (subscriptions) ----

function createPreapproval(ctx, account) {
  const { reason, external_reference, payer_email, back_url, auto_recurring: ar, status = 'pending' } = ctx.json;
  if (typeof reason !== 'string' || typeof payer_email !== 'string' || typeof back_url !== 'string' || !ar) {
    return mpError(400, 'reason, payer_email, back_url and auto_recurring are required', 'missing_required_fields');
  }
  if (status !== 'pending') return mpError(400, 'card_token_id is required to create an authorized preapproval', 'card_token_id_required');
  if (!Number.isInteger(ar.frequency) || ar.frequency < 1 || !FREQUENCY_TYPES.includes(ar.frequency_type)) {
    return mpError(400, 'auto_recurring.frequency must be a positive integer and frequency_type "months"', 'invalid_frequency');
  }
  const price = parseAmount(ar.transaction_amount, ar.currency_id, account, 'auto_recurring.transaction_amount');
  if (price.error) return price.error;
  const now = book.now();
  const p = {
    id: hexId(16), country: account.country, status: 'pending', reason, external_reference, payer_email, back_url,
    payer_id: book.serial(), frequency: ar.frequency, currency: ar.currency_id,
    price_minor: price.minor, create_ms: now, modified_ms: now, next_payment_ms: now, charged_quantity: 0,
    charged_minor: 0, last_charged: null, declines: 0,
  };
  mp().preapprovals[p.id] = p;
  book.state.creates.mp_preapprovals++;
  return { status: 201, body: preapprovalView(p) };
}

function preapprovalView(p) {
  const account = SITES[p.country];
  return {
    id: p.id, payer_id: p.payer_id, payer_email: p.payer_email, back_url: p.back_url, collector_id: account.collector_id,
    application_id: APPLICATION_ID, status: p.status, reason: p.reason, external_reference: p.external_reference,
    date_created: iso(p.create_ms), last_modified: iso(p.modified_ms),
    init_point: withQuery(`${book.base}mercadopago/checkout`, { preapproval_id: p.id }),
    auto_recurring: {
      frequency: p.frequency, frequency_type: 'months', transaction_amount: toNumber(p.price_minor, p.currency), currency_id: p.currency,
    },
    summarized: {
      quotas: null, charged_quantity: p.charged_quantity, charged_amount: toNumber(p.charged_minor, p.currency),
      pending_charge_quantity: null, pending_charge_amount: 0,
      last_charged_date: p.last_charged ? iso(p.last_charged.ms) : null,
      last_charged_amount: p.last_charged ? toNumber(p.last_charged.minor, p.currency) : null,
      semaphore: p.declines > 0 ? 'yellow' : 'green',
    },
    next_payment_date: iso(p.next_payment_ms),
    payment_method_id: p.status === 'pending' ? null : 'visa',
  };
}

/** A preapproval of this account, or null (another country's account does not see it). */
function ownPreapproval(id, account) {
  const p = mp().preapprovals[id];
  return p && p.country === account.country && !account.seller ? p : null; // preapprovals are the platform's
}

function getPreapproval(ctx, account, [, id]) {
  const p = ownPreapproval(id, account);
  return p ? { status: 200, body: preapprovalView(p) } : mpError(404, 'The preapproval with the given id was not found', 'not_found');
}

// PUT status: which statuses each may be reached from (cancelled is final).
const PREAPPROVAL_FROM = { cancelled: ['pending', 'authorized', 'paused'], paused: ['authorized'], authorized: ['paused'] };

function updatePreapproval(ctx, account, [, id]) {
  const p = ownPreapproval(id, account);
  if (!p) return mpError(404, 'The preapproval with the given id was not found', 'not_found');
  const { status } = ctx.json;
  if (status === undefined || status === p.status) return { status: 200, body: preapprovalView(p) };
  if (!PREAPPROVAL_FROM[status]?.includes(p.status)) {
    return mpError(400, `You can not modify a preapproval in status ${p.status} to ${status}`, 'invalid_status_transition');
  }
  setPreapprovalStatus(p, status);
  return { status: 200, body: preapprovalView(p) };
}

function setPreapprovalStatus(p, status) {
  p.status = status;
  p.modified_ms = book.now();
  notify(p.country, 'subscription_preapproval', 'updated', p.id);
}

// ---- Payments ----

/** Makes a payment (approved, or rejected when declined), records and notifies it. */
function makePayment({ country, minor, currency, externalReference, description, preapprovalId, preferenceId, rejected, collectorId, marketplaceFee, marketplace, payerEmail }) {
  const now = book.now();
  const payerId = book.serial();
  const pay = {
    payer_id: payerId, payer_email: payerEmail ?? `payer-${payerId}@paysim.example`,
    collector_id: collectorId ?? SITES[country].collector_id, marketplace_fee_minor: marketplaceFee ?? 0,
    marketplace: marketplace ?? null, marketplace_fee_refunded_minor: 0,
    id: book.serial(), country, status: rejected ? 'rejected' : 'approved',
    status_detail: rejected ? 'cc_rejected_insufficient_amount' : 'accredited', gross_minor: minor,
    fee_minor: rejected ? 0 : fee(minor), currency, external_reference: externalReference, description,
    preapproval_id: preapprovalId ?? null, preference_id: preferenceId ?? null,
    create_ms: now, approved_ms: rejected ? null : now, updated_ms: now, refunds: [],
  };
  mp().payments[pay.id] = pay;
  const extra = pay.marketplace ? { collector_id: pay.collector_id, marketplace_fee_minor: pay.marketplace_fee_minor } : {};
  if (!rejected) book.money('mercadopago', 'charge', String(pay.id), preapprovalId ?? preferenceId, currency, minor, pay.fee_minor, extra);
  notify(pay.country, 'payment', 'payment.created', pay.id, pay.collector_id);
  return pay;
}

function refundedMinor(pay) {
  return pay.refunds.reduce((sum, r) => sum + r.minor, 0);
}

function paymentView(pay) {
  const refunded = refundedMinor(pay);
  const view = {
    id: pay.id, status: pay.status, status_detail: pay.status_detail,
    operation_type: pay.preapproval_id ? 'recurring_payment' : 'regular_payment',
    transaction_amount: toNumber(pay.gross_minor, pay.currency), transaction_amount_refunded: toNumber(refunded, pay.currency),
    currency_id: pay.currency, external_reference: pay.external_reference, description: pay.description,
    date_created: iso(pay.create_ms), date_approved: pay.approved_ms ? iso(pay.approved_ms) : null, date_last_updated: iso(pay.updated_ms),
    collector_id: pay.collector_id ?? SITES[pay.country].collector_id, live_mode: false,
    fee_details: pay.fee_minor ? [{ type: 'mercadopago_fee', amount: toNumber(pay.fee_minor, pay.currency), fee_payer: 'collector' }] : [],
    transaction_details: {
      net_received_amount: toNumber(pay.gross_minor - pay.fee_minor - (pay.marketplace_fee_minor ?? 0), pay.currency),
      total_paid_amount: toNumber(pay.gross_minor, pay.currency),
    },
    refunds: pay.refunds.map((r) => ({ id: r.id, payment_id: pay.id, amount: toNumber(r.minor, pay.currency), date_created: iso(r.ms), status: 'approved' })),
    payer: { id: String(pay.payer_id), email: pay.payer_email, type: 'customer' },
  };
  if (pay.marketplace) marketplaceFields(pay, view);
  if (pay.preapproval_id) {
    view.metadata = { preapproval_id: pay.preapproval_id };
    view.point_of_interaction = { type: 'SUBSCRIPTIONS', transaction_data: { subscription_id: pay.preapproval_id } };
  } else {
    view.metadata = {};
  }
  return view;
}

/** A marketplace payment's split: its fee, the seller's net and when the seller's money is released. */
function marketplaceFields(pay, view) {
  view.marketplace = pay.marketplace;
  view.marketplace_fee = toNumber(pay.marketplace_fee_minor, pay.currency);
  if (pay.marketplace_fee_minor) {
    view.fee_details.push({ type: 'application_fee', amount: toNumber(pay.marketplace_fee_minor, pay.currency), fee_payer: 'collector' });
  }
  if (pay.approved_ms) {
    const release = pay.approved_ms + book.config.mp_money_release_days * 86400000;
    view.money_release_date = iso(release);
    view.money_release_status = book.now() >= release ? 'released' : 'pending';
  } else {
    view.money_release_date = null;
    view.money_release_status = null;
  }
}

/** A payment this account collected (a seller's token sees the seller's, a platform token its country's own). */
function ownPayment(id, account) {
  const pay = mp().payments[id];
  return pay && (pay.collector_id ?? SITES[pay.country].collector_id) === account.collector_id ? pay : null;
}

function getPayment(ctx, account, [, id]) {
  const pay = ownPayment(id, account);
  return pay ? { status: 200, body: paymentView(pay) } : mpError(404, 'Payment not found', 'not_found');
}

// GET /v1/payments/search: the account's payments, filtered by
// external_reference when given, sorted by date_created (criteria asc|desc),
// one page of limit (at most 1000) from offset, as Mercado Pago pages them.
function searchPayments(ctx, account) {
  const q = ctx.query;
  const ref = q.get('external_reference');
  const limit = Math.min(Number(q.get('limit') ?? 30) || 30, 1000);
  const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0);
  const all = Object.values(mp().payments)
    .filter((p) => (p.collector_id ?? SITES[p.country].collector_id) === account.collector_id && (ref === null || p.external_reference === ref))
    .sort((a, b) => a.create_ms - b.create_ms || a.id - b.id);
  if (q.get('criteria') === 'desc') all.reverse();
  const results = all.slice(offset, offset + limit).map(paymentView);
  return { status: 200, body: { paging: { total: all.length, limit, offset }, results } };
}

/** Refunds minor (undefined: what is left). Returns {refund} or {error: an answer}. */
function refundPayment(pay, minor) {
  if (pay.status !== 'approved') return { error: mpError(400, `Payment in status ${pay.status} cannot be refunded`, 'invalid_payment_status') };
  const left = pay.gross_minor - refundedMinor(pay);
  const amount = minor ?? left;
  if (amount <= 0 || amount > left) return { error: mpError(400, 'The refund amount exceeds what is left of the payment', 'invalid_refund_amount') };
  const refund = { id: book.serial(), minor: amount, ms: book.now(), marketplace_fee_minor: 0 };
  if (pay.marketplace_fee_minor) {
    // The marketplace fee goes back in proportion to what is refunded
    // (rounded half up); the refund of what is left returns what is left of it.
    const feeLeft = pay.marketplace_fee_minor - pay.marketplace_fee_refunded_minor;
    refund.marketplace_fee_minor = amount === left ? feeLeft
      : Math.min(feeLeft, Math.floor((pay.marketplace_fee_minor * amount * 2 + pay.gross_minor) / (2 * pay.gross_minor)));
    pay.marketplace_fee_refunded_minor += refund.marketplace_fee_minor;
  }
  pay.refunds.push(refund);
  pay.updated_ms = refund.ms;
  if (amount === left) {
    pay.status = 'refunded';
    pay.status_detail = 'refunded';
  } else {
    pay.status_detail = 'partially_refunded';
  }
  book.money('mercadopago', 'refund', String(refund.id), String(pay.id), pay.currency, amount, 0,
    pay.marketplace ? { collector_id: pay.collector_id, marketplace_fee_minor: refund.marketplace_fee_minor } : {});
  notify(pay.country, 'payment', 'payment.updated', pay.id, pay.collector_id);
  return { refund };
}

function createRefund(ctx, account, [, id]) {
  const pay = ownPayment(id, account);
  if (!pay) return mpError(404, 'Payment not found', 'not_found');
  let minor;
  if (ctx.json.amount !== undefined) {
    const parsed = parseAmount(ctx.json.amount, pay.currency, account, 'amount');
    if (parsed.error) return parsed.error;
    minor = parsed.minor;
  }
  const { refund, error } = refundPayment(pay, minor);
  if (error) return error;
  return {
    status: 201,
    body: {
      id: refund.id, payment_id: pay.id, amount: toNumber(refund.minor, pay.currency), metadata: {},
      source: { id: String(pay.collector_id ?? SITES[pay.country].collector_id), name: pay.marketplace ? 'seller' : 'PetAmigos', type: 'collector' },
      date_created: iso(refund.ms), unique_sequence_number: null, refund_mode: 'standard', adjustment_amount: 0,
      status: 'approved', reason: null, labels: [], amount_refunded_to_payer: toNumber(refund.minor, pay.currency),
    },
  };
}

/** The merchant's dashboard refund (POST /__sim/refund). Returns an error sentence or null. */
export function dashboardRefund(txnId, amountMinor) {
  const pay = mp().payments[txnId];
  if (!pay) return `no Mercado Pago payment ${txnId}`;
  const { error } = refundPayment(pay, amountMinor);
  return error ? error.body.message : null;
}

/** A chargeback by the card network. Returns an error sentence or null. */
export function chargeback(txnId) {
  const pay = mp().payments[txnId];
  if (!pay) return `no Mercado Pago payment ${txnId}`;
  if (pay.status !== 'approved') return `payment ${txnId} is ${pay.status}, it cannot be charged back`;
  const left = pay.gross_minor - refundedMinor(pay);
  pay.status = 'charged_back';
  pay.status_detail = 'settled';
  pay.updated_ms = book.now();
  book.money('mercadopago', 'chargeback', `${pay.id}-CB`, String(pay.id), pay.currency, left, 0);
  notify(pay.country, 'payment', 'payment.updated', pay.id, pay.collector_id);
  return null;
}

// ---- Renewals ----

/** One due charge of an authorized preapproval (rejected while marked to decline). Returns the payment. */
function chargeCycle(p) {
  const rejected = p.declines > 0;
  if (rejected) p.declines--;
  const pay = makePayment({
    country: p.country, minor: p.price_minor, currency: p.currency, externalReference: p.external_reference,
    description: p.reason, preapprovalId: p.id, rejected, payerEmail: p.payer_email,
  });
  if (!rejected) {
    p.charged_quantity++;
    p.charged_minor += p.price_minor;
    p.last_charged = { minor: p.price_minor, ms: pay.create_ms };
    p.next_payment_ms = addMonths(p.next_payment_ms, p.frequency);
    p.modified_ms = pay.create_ms;
  }
  return pay;
}

/** Renews every authorized preapproval that is due; a rejected charge is retried at the next bill(). */
export function bill(charged, failed) {
  for (const p of Object.values(mp().preapprovals)) {
    while (p.status === 'authorized' && p.next_payment_ms <= book.now()) {
      const pay = chargeCycle(p);
      const entry = { provider: 'mercadopago', id: p.id, txn_id: String(pay.id), amount_minor: pay.gross_minor, currency: pay.currency };
      if (pay.status === 'rejected') {
        failed.push(entry);
        break;
      }
      charged.push(entry);
    }
  }
}

export function decline(id, times) {
  const p = mp().preapprovals[id];
  if (!p) return false;
  p.declines += times;
  return true;
}

// ---- Checkout preferences ----

function createPreference(ctx, account) {
  const { items, external_reference, back_urls = {}, auto_return, marketplace_fee } = ctx.json;
  if (!Array.isArray(items) || items.length === 0) return mpError(400, 'items is required', 'invalid_items');
  let total = 0;
  for (const item of items) {
    if (typeof item.title !== 'string' || !Number.isInteger(item.quantity) || item.quantity < 1) {
      return mpError(400, 'each item needs a title and a positive integer quantity', 'invalid_items');
    }
    const price = parseAmount(item.unit_price, item.currency_id ?? account.currency, account, 'items.unit_price');
    if (price.error) return price.error;
    total += price.minor * item.quantity;
  }
  let feeMinor = 0;
  if (marketplace_fee !== undefined) {
    // A split payment needs the seller's token: the platform's own token
    // would make the platform both collector and marketplace.
    if (!account.seller) return mpError(400, 'marketplace_fee needs the access token of a seller connected through OAuth', 'invalid_marketplace_fee');
    const parsed = numberToMinor(marketplace_fee, account.currency);
    if (parsed === null || parsed < 0) return mpError(400, `marketplace_fee: must be a non-negative number with at most ${EXPONENT[account.currency]} decimals for ${account.currency}`, 'invalid_marketplace_fee');
    if (parsed > total) return mpError(400, 'marketplace_fee cannot be greater than the total of the items', 'invalid_marketplace_fee');
    feeMinor = parsed;
  }
  const now = book.now();
  const pref = {
    id: `${account.collector_id}-${hexId(4)}-${hexId(2)}-${hexId(2)}-${hexId(2)}-${hexId(6)}`, country: account.country,
    items, external_reference, back_urls, auto_return, total_minor: total, currency: account.currency, create_ms: now, payment_id: null,
    collector_id: account.collector_id, marketplace: account.seller ? account.client_id : null, marketplace_fee_minor: feeMinor,
  };
  mp().preferences[pref.id] = pref;
  book.state.creates.mp_preferences++;
  return { status: 201, body: preferenceView(pref) };
}

function preferenceView(pref) {
  const init = withQuery(`${book.base}mercadopago/checkout`, { pref_id: pref.id });
  return {
    id: pref.id, collector_id: pref.collector_id ?? SITES[pref.country].collector_id, client_id: String(APPLICATION_ID), items: pref.items,
    external_reference: pref.external_reference, back_urls: pref.back_urls, auto_return: pref.auto_return,
    operation_type: 'regular_payment', date_created: iso(pref.create_ms), init_point: init, sandbox_init_point: init,
    ...(pref.marketplace ? { marketplace: pref.marketplace, marketplace_fee: toNumber(pref.marketplace_fee_minor, pref.currency) } : {}),
  };
}

function getPreference(ctx, account, [, id]) {
  const pref = mp().preferences[id];
  return pref && (pref.collector_id ?? SITES[pref.country].collector_id) === account.collector_id ? { status: 200, body: preferenceView(pref) } : mpError(404, 'Preference not found', 'not_found');
}

// ---- Approval (the checkout page and POST /__sim/approve) ----

/** What the approval page shows for a preapproval or preference id: {item, minor, currency, months} or null. */
export function describe(id) {
  const p = mp().preapprovals[id];
  if (p) return { item: p.reason, minor: p.price_minor, currency: p.currency, months: p.frequency };
  const pref = mp().preferences[id];
  if (pref) return { item: pref.items.map((i) => i.title).join(', '), minor: pref.total_minor, currency: pref.currency, months: 0 };
  return null;
}

/**
 * The payer approves or cancels. payerEmail: the account a preference is
 * paid from (a new one when not given; a preapproval's is the payer_email it
 * was created with). Returns {redirect} or {error, status}.
 */
export function approve(id, decision, payerEmail) {
  const p = mp().preapprovals[id];
  if (p) {
    if (p.status !== 'pending') return { status: 409, error: `preapproval ${id} is ${p.status}, not pending` };
    if (decision === 'cancel') return { redirect: withQuery(p.back_url, { preapproval_id: p.id, status: 'cancelled' }) };
    p.next_payment_ms = book.now();
    setPreapprovalStatus(p, 'authorized');
    chargeCycle(p); // the first payment is taken at authorization
    return { redirect: withQuery(p.back_url, { preapproval_id: p.id }) };
  }
  const pref = mp().preferences[id];
  if (!pref) return { status: 404, error: `no Mercado Pago preapproval or preference ${id}` };
  if (pref.payment_id) return { status: 409, error: `preference ${id} is already paid` };
  const query = { external_reference: pref.external_reference, preference_id: pref.id };
  if (decision === 'cancel') return { redirect: withQuery(pref.back_urls.failure, { ...query, status: 'cancelled' }) };
  const pay = makePayment({
    country: pref.country, minor: pref.total_minor, currency: pref.currency, externalReference: pref.external_reference,
    description: pref.items[0].title, preferenceId: pref.id,
    collectorId: pref.collector_id, marketplace: pref.marketplace, marketplaceFee: pref.marketplace_fee_minor, payerEmail,
  });
  pref.payment_id = pay.id;
  return { redirect: withQuery(pref.back_urls.success, { payment_id: pay.id, status: 'approved', ...query }) };
}

// ---- Notifications ----

/** Notifies the account of country (its collector is the notification's user_id). */
function notify(country, topic, action, dataId, userId) {
  const event = {
    id: book.serial(), live_mode: false, type: topic, date_created: iso(book.now()), user_id: userId ?? SITES[country].collector_id,
    api_version: 'v1', action, data: { id: String(dataId) },
  };
  enqueue('mercadopago', event, { dataId: String(dataId), topic });
}

// ---- Routing ----

const ROUTES = [
  ['POST', /^\/preapproval$/, createPreapproval],
  ['GET', /^\/preapproval\/([0-9a-f]+)$/, getPreapproval],
  ['PUT', /^\/preapproval\/([0-9a-f]+)$/, updatePreapproval],
  ['POST', /^\/checkout\/preferences$/, createPreference],
  ['GET', /^\/checkout\/preferences\/([^/]+)$/, getPreference],
  ['GET', /^\/v1\/payments\/search$/, searchPayments],
  ['GET', /^\/v1\/payments\/([0-9]+)$/, getPayment],
  ['POST', /^\/v1\/payments\/([0-9]+)\/refunds$/, createRefund],
];

/** Answers one API call (ctx.path is after /mercadopago): {status, body}. */
export function handle(ctx) {
  if (ctx.method === 'POST' && ctx.path === '/oauth/token') return oauthToken(ctx);
  const bearer = /^Bearer (\S+)$/.exec(ctx.headers.authorization ?? '')?.[1] ?? '';
  const m = /^SIM-MP-([A-Z]{2})$/.exec(bearer);
  let account = m && SITES[m[1]] ? SITES[m[1]] : null;
  const seller = account ? null : sellerOf(bearer);
  if (seller) account = { ...SITES[seller.country], collector_id: seller.user_id, seller: true, client_id: seller.client_id };
  if (!account) return mpError(401, 'invalid access token', 'invalid_token');
  for (const [method, re, fn] of ROUTES) {
    const found = method === ctx.method && re.exec(ctx.path);
    if (!found) continue;
    if (ctx.json === null) return mpError(400, 'The request body is not a JSON object', 'invalid_json');
    return idempotent(ctx, account, () => fn(ctx, account, found));
  }
  return mpError(404, `resource ${ctx.path} not found`, 'not_found');
}

/** Replays the stored answer for an X-Idempotency-Key already seen on this path and account. */
function idempotent(ctx, account, run) {
  const key = ctx.method === 'POST' && ctx.headers['x-idempotency-key'];
  return key ? book.idempotent(`mercadopago ${account.collector_id} ${ctx.path} ${key}`, run) : run();
}
