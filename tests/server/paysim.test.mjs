// The payment provider simulator (web/paysim/) on its own, driven over HTTP
// as the server's adapters and the tests drive it: the providers' auth,
// idempotency, currency rules, approval (control API and the HTML form),
// webhooks verified here independently (PayPal's RSA signature with the
// certificate from PAYPAL-CERT-URL and zlib's crc32; Mercado Pago's HMAC),
// the network's misbehaviour, API faults, renewals, declines, refunds,
// chargebacks, the clock and the state file; the marketplace's PayPal Payouts
// and Mercado Pago OAuth with split payments (marketplace_fee).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID, timingSafeEqual, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startPaysim } from '../lib/paysim.mjs';

const WAIT_BOUND_MS = 30000; // hang guard only: conditions are waited for, never timed
const WEBHOOK_ID = 'WH-SIM-1';
const MP_SECRET = 'sim-mp-secret';

/** Polls cond() until it returns something truthy (returned); fails naming what after the hang guard. */
async function waitFor(what, cond) {
  const end = Date.now() + WAIT_BOUND_MS;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A webhook receiver: records every request ({path, query, headers, body,
 * json}) and answers status(request) (200 unless set; a promise of a status
 * holds the answer until it settles).
 */
async function startReceiver() {
  const received = [];
  const r = { received, status: () => 200 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://receiver');
      const body = Buffer.concat(chunks).toString('utf8');
      const hit = { path: url.pathname, query: url.searchParams, headers: req.headers, body, json: JSON.parse(body) };
      received.push(hit);
      Promise.resolve(r.status(hit)).then((code) => res.writeHead(code).end());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${server.address().port}/`;
  r.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return r;
}

const paypalHits = (r) => r.received.filter((h) => h.path === '/paypal');
const mpHits = (r) => r.received.filter((h) => h.path === '/mp');

/** Verifies one PayPal delivery as a merchant must: the certificate from its URL, RSA-SHA256 over id|time|webhook id|crc32. */
async function paypalSignatureValid(hit) {
  const h = hit.headers;
  assert.equal(h['paypal-auth-algo'], 'SHA256withRSA');
  assert.equal(h['content-type'], 'application/json');
  const pem = await (await fetch(h['paypal-cert-url'])).text();
  const cert = new X509Certificate(pem);
  const signed = `${h['paypal-transmission-id']}|${h['paypal-transmission-time']}|${WEBHOOK_ID}|${zlib.crc32(Buffer.from(hit.body))}`;
  return verify('sha256', Buffer.from(signed), cert.publicKey, Buffer.from(h['paypal-transmission-sig'], 'base64'));
}

/** Verifies one Mercado Pago notification: HMAC-SHA256 over id:<data.id>;request-id:<x-request-id>;ts:<ts>;. */
function mpSignatureValid(hit) {
  const parts = Object.fromEntries(hit.headers['x-signature'].split(',').map((kv) => kv.split('=')));
  const manifest = `id:${hit.query.get('data.id')};request-id:${hit.headers['x-request-id']};ts:${parts.ts};`;
  const want = createHmac('sha256', MP_SECRET).update(manifest).digest();
  const got = Buffer.from(parts.v1, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** PayPal's fee as the brief states it: round(gross × 3.49 %) + 49. */
const paypalFee = (gross) => Math.round((gross * 349) / 10000) + 49;
const mpFee = (gross) => Math.max(1, Math.round((gross * 499) / 10000));

/** UTC month arithmetic, the day clamped to the target month's last (Jan 31 + 1 month = Feb 28/29). */
function plusMonths(ms, months) {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0)).getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** A PayPal API client on a fresh OAuth token. */
async function paypalClient(sim) {
  const basic = Buffer.from('sim-client:sim-secret').toString('base64');
  const res = await sim.call('POST', 'paypal/v1/oauth2/token', 'grant_type=client_credentials', {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.token_type, 'Bearer');
  const token = res.body.access_token;
  return (method, p, body, { headers = {}, signal } = {}) => sim.call(method, `paypal${p}`, body, { headers: { authorization: `Bearer ${token}`, ...headers }, signal });
}

/** A Mercado Pago API client for one country's account. */
function mpClient(sim, country) {
  return (method, p, body, { headers = {}, signal } = {}) => sim.call(method, `mercadopago${p}`, body, { headers: { authorization: `Bearer SIM-MP-${country}`, ...headers }, signal });
}

const planBody = (productId, value, currency, unit = 'MONTH') => ({
  product_id: productId, name: `Plus ${unit.toLowerCase()}ly`,
  billing_cycles: [{
    frequency: { interval_unit: unit, interval_count: 1 }, tenure_type: 'REGULAR', sequence: 1, total_cycles: 0,
    pricing_scheme: { fixed_price: { value, currency_code: currency } },
  }],
  payment_preferences: { auto_bill_outstanding: true, payment_failure_threshold: 3 },
});

/** A product and a plan at value/currency; the plan's answer. */
async function paypalPlan(api, value = '4.99', currency = 'USD', unit = 'MONTH') {
  const product = await api('POST', '/v1/catalogs/products', { name: 'PetAmigos Plus', type: 'SERVICE' });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  return api('POST', '/v1/billing/plans', planBody(product.body.id, value, currency, unit));
}

const RETURN_URL = 'https://petamigos.test/billing/return?checkout=co_1';
const CANCEL_URL = 'https://petamigos.test/billing/return?checkout=co_1&cancelled=1';

function subscriptionBody(planId, customId = 'sub_1') {
  return {
    plan_id: planId, custom_id: customId,
    application_context: { return_url: RETURN_URL, cancel_url: CANCEL_URL, brand_name: 'PetAmigos', user_action: 'SUBSCRIBE_NOW' },
  };
}

/** A USD plan and an APPROVAL_PENDING subscription on it: the subscription's answer. */
async function paypalSubscription(api, key = randomUUID()) {
  const plan = await paypalPlan(api);
  assert.equal(plan.status, 201, JSON.stringify(plan.body));
  const sub = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': key } });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  return sub.body;
}

function preapprovalBody(amount, currency, months = 1) {
  return {
    reason: 'PetAmigos Plus', external_reference: 'sub_7', payer_email: 'payer@example.test',
    back_url: 'https://petamigos.test/billing/return?checkout=co_7',
    auto_recurring: { frequency: months, frequency_type: 'months', transaction_amount: amount, currency_id: currency },
    status: 'pending',
  };
}

async function mpPreapproval(api, amount = 19.9, currency = 'BRL', key = randomUUID()) {
  const res = await api('POST', '/preapproval', preapprovalBody(amount, currency), { headers: { 'x-idempotency-key': key } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** A sim whose webhooks go to a fresh receiver (/paypal and /mp), both stopped after the block. */
function simWithReceiver(options) {
  const ctx = {};
  before(async () => {
    ctx.receiver = await startReceiver();
    ctx.sim = await startPaysim(options);
    await ctx.sim.config({ paypal_webhook_url: `${ctx.receiver.url}paypal`, mp_webhook_url: `${ctx.receiver.url}mp` });
  });
  after(async () => {
    await ctx.sim?.stop();
    await ctx.receiver?.close();
  });
  return ctx;
}

/** The received PayPal events of a type about resource id, in arrival order. */
const paypalEvents = (r, type, id) => paypalHits(r).filter((h) => h.json.event_type === type && (id === undefined || h.json.resource.id === id || h.json.resource.billing_agreement_id === id));

describe('PayPal: auth, idempotency, currencies', () => {
  const ctx = simWithReceiver();

  test('the token needs the client credentials; every other call a token it issued', async () => {
    const { sim } = ctx;
    const before = (await sim.record()).tokens_issued;
    const wrong = await sim.call('POST', 'paypal/v1/oauth2/token', 'grant_type=client_credentials', {
      headers: { authorization: `Basic ${Buffer.from('sim-client:nope').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const noAuth = await sim.call('POST', 'paypal/v1/catalogs/products', { name: 'x', type: 'SERVICE' });
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.name, 'AUTHENTICATION_FAILURE');
    assert.equal(typeof noAuth.body.debug_id, 'string');
    const bogus = await sim.call('GET', 'paypal/v1/billing/subscriptions/I-NOPE', undefined, { headers: { authorization: 'Bearer made-up' } });
    assert.equal(bogus.status, 401);
    const api = await paypalClient(sim);
    const missing = await api('GET', '/v1/billing/subscriptions/I-NOPE');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.name, 'RESOURCE_NOT_FOUND');
    assert.equal((await sim.record()).tokens_issued, before + 1);
  });

  test('the same PayPal-Request-Id answers the same subscription and creates it once', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    const plan = await paypalPlan(api);
    const key = randomUUID();
    const first = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': key } });
    const count = (await sim.record()).creates.paypal_subscriptions;
    const again = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': key } });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.match(first.body.id, /^I-/);
    assert.equal(first.body.status, 'APPROVAL_PENDING');
    assert.equal(first.body.custom_id, 'sub_1');
    const approve = first.body.links.find((l) => l.rel === 'approve');
    assert.match(approve.href, /\/paypal\/checkoutnow\?ba_token=BA-/);
    assert.equal((await sim.record()).creates.paypal_subscriptions, count);
    const other = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': randomUUID() } });
    assert.notEqual(other.body.id, first.body.id);
    assert.equal((await sim.record()).creates.paypal_subscriptions, count + 1);
  });

  test('currencies PayPal does not take, BRL outside Brazil and wrong decimals are refused with 422', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    for (const [value, currency] of [['4990.00', 'ARS'], ['19900.00', 'COP'], ['4990', 'CLP']]) {
      const res = await paypalPlan(api, value, currency);
      assert.equal(res.status, 422, currency);
      assert.equal(res.body.name, 'UNPROCESSABLE_ENTITY');
      assert.equal(res.body.details[0].issue, 'CURRENCY_NOT_SUPPORTED', currency);
    }
    const brl = await paypalPlan(api, '19.90', 'BRL');
    assert.equal(brl.status, 422);
    assert.equal(brl.body.details[0].issue, 'CURRENCY_NOT_SUPPORTED_FOR_COUNTRY');
    for (const [value, currency] of [['4.9', 'USD'], ['4.990', 'EUR'], ['5', 'USD'], ['500.00', 'JPY'], ['4,99', 'USD']]) {
      const res = await paypalPlan(api, value, currency);
      assert.equal(res.status, 422, `${value} ${currency}`);
      assert.equal(res.body.details[0].issue, 'DECIMAL_PRECISION', `${value} ${currency}`);
    }
    const eur = await paypalPlan(api, '49.99', 'EUR', 'YEAR');
    assert.equal(eur.status, 201);
    assert.equal(eur.body.status, 'ACTIVE');
    assert.equal((await api('GET', `/v1/billing/plans/${eur.body.id}`)).body.id, eur.body.id);
    assert.equal((await api('GET', `/v1/catalogs/products/${eur.body.product_id}`)).body.name, 'PetAmigos Plus');
    assert.equal(eur.body.billing_cycles[0].pricing_scheme.fixed_price.value, '49.99');
    await sim.config({ paypal_merchant_country: 'BR' });
    try {
      assert.equal((await paypalPlan(api, '19.90', 'BRL')).status, 201);
    } finally {
      await sim.config({ paypal_merchant_country: 'US' });
    }
  });
});

describe('Mercado Pago: auth, idempotency, currencies', () => {
  const ctx = simWithReceiver();

  test('only a known account token is taken', async () => {
    for (const auth of [undefined, 'Bearer SIM-MP-US', 'Bearer TEST-123']) {
      const res = await ctx.sim.call('POST', 'mercadopago/preapproval', preapprovalBody(19.9, 'BRL'), { headers: auth ? { authorization: auth } : {} });
      assert.equal(res.status, 401, String(auth));
      assert.equal(res.body.status, 401);
      assert.equal(res.body.error, 'unauthorized');
      assert.ok(Array.isArray(res.body.cause));
    }
  });

  test('the same X-Idempotency-Key answers the same preapproval and creates it once', async () => {
    const { sim } = ctx;
    const api = mpClient(sim, 'BR');
    const key = randomUUID();
    const first = await mpPreapproval(api, 19.9, 'BRL', key);
    const count = (await sim.record()).creates.mp_preapprovals;
    const again = await mpPreapproval(api, 19.9, 'BRL', key);
    assert.deepEqual(again, first);
    assert.equal((await sim.record()).creates.mp_preapprovals, count);
    assert.match(first.id, /^[0-9a-f]{32}$/);
    assert.equal(first.status, 'pending');
    assert.equal(first.auto_recurring.transaction_amount, 19.9);
    assert.equal(first.init_point, `${sim.url}mercadopago/checkout?preapproval_id=${first.id}`);
  });

  test('a currency other than the account\'s, or more decimals than it has, is refused with 400', async () => {
    const { sim } = ctx;
    const cases = [['BR', 4990, 'ARS'], ['AR', 19.9, 'BRL'], ['CL', 4990.5, 'CLP'], ['BR', 19.999, 'BRL'], ['BR', -1, 'BRL'], ['BR', '19.90', 'BRL']];
    for (const [cc, amount, currency] of cases) {
      const res = await mpClient(sim, cc)('POST', '/preapproval', preapprovalBody(amount, currency), { headers: { 'x-idempotency-key': randomUUID() } });
      assert.equal(res.status, 400, `${cc} ${amount} ${currency}`);
      assert.equal(res.body.error, 'bad_request');
      assert.equal(res.body.status, 400);
      assert.equal(typeof res.body.cause[0].code, 'string');
    }
    const clp = await mpPreapproval(mpClient(sim, 'CL'), 4990, 'CLP');
    assert.equal(clp.auto_recurring.transaction_amount, 4990);
    const yearly = await mpClient(sim, 'AR')('POST', '/preapproval', preapprovalBody(49900, 'ARS', 12), { headers: { 'x-idempotency-key': randomUUID() } });
    assert.equal(yearly.status, 201);
    assert.equal(yearly.body.auto_recurring.frequency, 12);
    // Another country's account does not see it.
    assert.equal((await mpClient(sim, 'BR')('GET', `/preapproval/${clp.id}`)).status, 404);
  });
});

describe('approval, webhooks and their signatures', () => {
  const ctx = simWithReceiver();

  test('PayPal: approval through /__sim/approve activates, takes the first payment and sends signed webhooks', async () => {
    const { sim, receiver } = ctx;
    const api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    const { redirect } = await sim.approve('paypal', sub.id, 'approve');
    const back = new URL(redirect);
    assert.equal(back.origin + back.pathname, 'https://petamigos.test/billing/return');
    assert.equal(back.searchParams.get('checkout'), 'co_1');
    assert.equal(back.searchParams.get('subscription_id'), sub.id);
    assert.match(back.searchParams.get('ba_token'), /^BA-/);
    assert.ok(back.searchParams.get('token'));

    const got = (await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body;
    assert.equal(got.status, 'ACTIVE');
    assert.equal(got.billing_info.last_payment.amount.value, '4.99');
    assert.equal(got.billing_info.last_payment.amount.currency_code, 'USD');
    assert.equal(got.billing_info.failed_payments_count, 0);
    assert.equal(Date.parse(got.billing_info.next_billing_time), plusMonths(Date.parse(got.start_time), 1));

    const activated = await waitFor('ACTIVATED', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.ACTIVATED', sub.id)[0]);
    const sale = await waitFor('SALE.COMPLETED', () => paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', sub.id)[0]);
    for (const hit of [activated, sale]) {
      assert.ok(await paypalSignatureValid(hit), `${hit.json.event_type}: the signature verifies`);
      assert.match(hit.json.id, /^WH-/);
      assert.equal(hit.json.event_version, '1.0');
    }
    assert.equal(activated.json.resource.status, 'ACTIVE');
    assert.equal(activated.json.resource_type, 'subscription');
    assert.equal(sale.json.resource.state, 'completed');
    assert.deepEqual(sale.json.resource.amount, { total: '4.99', currency: 'USD' });
    assert.equal(sale.json.resource.transaction_fee.value, (paypalFee(499) / 100).toFixed(2));
    assert.equal(sale.json.resource.custom, 'sub_1');

    const money = (await sim.record()).money.filter((m) => m.parent_id === sub.id);
    assert.deepEqual(money, [{
      provider: 'paypal', kind: 'charge', txn_id: sale.json.resource.id, parent_id: sub.id, currency: 'USD', gross_minor: 499, fee_minor: paypalFee(499),
    }]);

    // A tampered signature does not verify, here or at PayPal's verify endpoint.
    const forged = { ...sale, headers: { ...sale.headers, 'paypal-transmission-id': randomUUID() } };
    assert.equal(await paypalSignatureValid(forged), false);
    const verifyBody = (h) => ({
      transmission_id: h.headers['paypal-transmission-id'], transmission_time: h.headers['paypal-transmission-time'],
      cert_url: h.headers['paypal-cert-url'], auth_algo: h.headers['paypal-auth-algo'],
      transmission_sig: h.headers['paypal-transmission-sig'], webhook_id: WEBHOOK_ID, webhook_event: h.json,
    });
    const good = await api('POST', '/v1/notifications/verify-webhook-signature', verifyBody(sale));
    assert.deepEqual(good.body, { verification_status: 'SUCCESS' });
    const bad = await api('POST', '/v1/notifications/verify-webhook-signature', verifyBody(forged));
    assert.deepEqual(bad.body, { verification_status: 'FAILURE' });

    // Approving twice is refused.
    const twice = await sim.call('POST', '__sim/approve', { provider: 'paypal', id: sub.id, decision: 'approve' });
    assert.equal(twice.status, 409);
  });

  test('PayPal: the HTML approval page shows the merchant, item and price; its forms approve or cancel', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    for (const decision of ['cancel', 'approve']) {
      const sub = await paypalSubscription(api);
      const href = sub.links.find((l) => l.rel === 'approve').href;
      const page = await sim.call('GET', new URL(href).pathname.slice(1) + new URL(href).search);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type'), /^text\/html/);
      const html = page.body;
      assert.match(html, /<html lang="en">/);
      assert.match(html, /PetAmigos/);
      assert.match(html, /4\.99 USD per month/);
      assert.match(html, /<button type="submit" name="decision" value="approve">Approve<\/button>/);
      assert.match(html, /<button type="submit" name="decision" value="cancel">Cancel<\/button>/);
      assert.match(html, /<legend>/);
      assert.doesNotMatch(html, /<script/i);
      const [, name, value] = html.match(/<input type="hidden" name="([^"]+)" value="([^"]+)">/);
      const form = new URLSearchParams({ [name]: value, decision }).toString();
      const res = await sim.call('POST', 'paypal/checkoutnow', form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(res.status, 303);
      const to = new URL(res.headers.get('location'));
      assert.equal(to.origin + to.pathname, 'https://petamigos.test/billing/return');
      assert.equal(to.searchParams.has('cancelled'), decision === 'cancel', to.href);
      assert.equal(to.searchParams.get('subscription_id'), sub.id);
      const status = (await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body.status;
      assert.equal(status, decision === 'approve' ? 'ACTIVE' : 'APPROVAL_PENDING');
    }
    const unknown = await sim.call('GET', 'paypal/checkoutnow?ba_token=BA-NOPE');
    assert.equal(unknown.status, 404);
  });

  test('PayPal orders: approve, capture once, refund, each with its webhook', async () => {
    const { sim, receiver } = ctx;
    const api = await paypalClient(sim);
    const orderBody = {
      intent: 'CAPTURE', purchase_units: [{ reference_id: 'co_9', custom_id: 'co_9', amount: { currency_code: 'EUR', value: '49.99' } }],
      application_context: { return_url: RETURN_URL, cancel_url: CANCEL_URL },
    };
    const order = await api('POST', '/v2/checkout/orders', orderBody, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(order.status, 201);
    assert.equal(order.body.status, 'PAYER_ACTION_REQUIRED');
    assert.equal(order.body.links.find((l) => l.rel === 'payer-action').href, `${sim.url}paypal/checkoutnow?token=${order.body.id}`);
    const early = await api('POST', `/v2/checkout/orders/${order.body.id}/capture`, {}, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(early.status, 422);
    assert.equal(early.body.details[0].issue, 'ORDER_NOT_APPROVED');

    const page = await sim.call('GET', `paypal/checkoutnow?token=${order.body.id}`);
    assert.match(page.body, /49\.99 EUR/);
    const form = new URLSearchParams({ token: order.body.id, decision: 'approve' }).toString();
    const approved = await sim.call('POST', 'paypal/checkoutnow', form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(approved.status, 303);
    const back = new URL(approved.headers.get('location'));
    assert.equal(back.searchParams.get('token'), order.body.id);
    assert.ok(back.searchParams.get('PayerID'));
    assert.equal((await api('GET', `/v2/checkout/orders/${order.body.id}`)).body.status, 'APPROVED');

    const captured = await api('POST', `/v2/checkout/orders/${order.body.id}/capture`, {}, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(captured.status, 201);
    assert.equal(captured.body.status, 'COMPLETED');
    const capture = captured.body.purchase_units[0].payments.captures[0];
    assert.equal(capture.status, 'COMPLETED');
    assert.deepEqual(capture.amount, { currency_code: 'EUR', value: '49.99' });
    assert.equal(capture.custom_id, 'co_9');
    const fee = paypalFee(4999);
    assert.equal(capture.seller_receivable_breakdown.paypal_fee.value, (fee / 100).toFixed(2));
    assert.equal(capture.seller_receivable_breakdown.net_amount.value, ((4999 - fee) / 100).toFixed(2));
    const twice = await api('POST', `/v2/checkout/orders/${order.body.id}/capture`, {}, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(twice.status, 422);
    assert.equal(twice.body.details[0].issue, 'ORDER_ALREADY_CAPTURED');

    const refundKey = randomUUID();
    const refund = await api('POST', `/v2/payments/captures/${capture.id}/refund`, { amount: { value: '10.00', currency_code: 'EUR' } }, { headers: { 'paypal-request-id': refundKey } });
    assert.equal(refund.status, 201);
    assert.equal(refund.body.status, 'COMPLETED');
    assert.deepEqual(refund.body.amount, { currency_code: 'EUR', value: '10.00' });
    assert.deepEqual((await api('GET', `/v2/payments/refunds/${refund.body.id}`)).body, refund.body);
    const same = await api('POST', `/v2/payments/captures/${capture.id}/refund`, { amount: { value: '10.00', currency_code: 'EUR' } }, { headers: { 'paypal-request-id': refundKey } });
    assert.equal(same.body.id, refund.body.id);
    assert.equal((await api('GET', `/v2/payments/captures/${capture.id}`)).body.status, 'PARTIALLY_REFUNDED');
    const tooMuch = await api('POST', `/v2/payments/captures/${capture.id}/refund`, { amount: { value: '40.00', currency_code: 'EUR' } }, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(tooMuch.status, 422);

    const approvedHit = await waitFor('ORDER.APPROVED', () => paypalEvents(receiver, 'CHECKOUT.ORDER.APPROVED', order.body.id)[0]);
    const completedHit = await waitFor('CAPTURE.COMPLETED', () => paypalEvents(receiver, 'PAYMENT.CAPTURE.COMPLETED', capture.id)[0]);
    const refundedHit = await waitFor('CAPTURE.REFUNDED', () => paypalEvents(receiver, 'PAYMENT.CAPTURE.REFUNDED', refund.body.id)[0]);
    for (const hit of [approvedHit, completedHit, refundedHit]) assert.ok(await paypalSignatureValid(hit), hit.json.event_type);
    assert.equal(completedHit.json.resource.supplementary_data.related_ids.order_id, order.body.id);
    assert.ok(refundedHit.json.resource.links.some((l) => l.rel === 'up' && l.href.endsWith(`/v2/payments/captures/${capture.id}`)));
    assert.equal(paypalEvents(receiver, 'PAYMENT.CAPTURE.REFUNDED').length, 1, 'the replayed refund sent nothing');

    const money = (await sim.record()).money.filter((m) => [capture.id, order.body.id].includes(m.parent_id));
    assert.deepEqual(money.map((m) => [m.kind, m.gross_minor, m.fee_minor]), [['charge', 4999, fee], ['refund', 1000, 0]]);
  });

  test('Mercado Pago: approval authorizes the preapproval, takes the first payment and sends signed notifications', async () => {
    const { sim, receiver } = ctx;
    const api = mpClient(sim, 'BR');
    const pre = await mpPreapproval(api);
    const page = await sim.call('GET', new URL(pre.init_point).pathname.slice(1) + new URL(pre.init_point).search);
    assert.equal(page.status, 200);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /PetAmigos Plus/);
    assert.match(page.body, /19\.90 BRL per month/);
    assert.doesNotMatch(page.body, /<script/i);
    const form = new URLSearchParams({ preapproval_id: pre.id, decision: 'approve' }).toString();
    const res = await sim.call('POST', 'mercadopago/checkout', form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `https://petamigos.test/billing/return?checkout=co_7&preapproval_id=${pre.id}`);

    const got = (await api('GET', `/preapproval/${pre.id}`)).body;
    assert.equal(got.status, 'authorized');
    assert.equal(got.summarized.charged_quantity, 1);
    assert.equal(Date.parse(got.next_payment_date), plusMonths(Date.parse(got.summarized.last_charged_date), 1));

    const preHit = await waitFor('preapproval notification', () => mpHits(receiver).find((h) => h.query.get('data.id') === pre.id));
    assert.equal(preHit.query.get('type'), 'subscription_preapproval');
    assert.equal(preHit.json.type, 'subscription_preapproval');
    assert.equal(preHit.json.data.id, pre.id);
    assert.equal(preHit.json.live_mode, false);
    assert.ok(mpSignatureValid(preHit));
    const payHit = await waitFor('payment notification', () => mpHits(receiver).find((h) => h.json.type === 'payment' && h.json.action === 'payment.created'));
    assert.ok(mpSignatureValid(payHit));
    assert.equal(mpSignatureValid({ ...payHit, headers: { ...payHit.headers, 'x-request-id': randomUUID() } }), false);

    const pay = (await api('GET', `/v1/payments/${payHit.json.data.id}`)).body;
    assert.equal(typeof pay.id, 'number');
    assert.equal(pay.status, 'approved');
    assert.equal(pay.transaction_amount, 19.9);
    assert.equal(pay.currency_id, 'BRL');
    assert.equal(pay.external_reference, 'sub_7');
    assert.equal(pay.metadata.preapproval_id, pre.id);
    assert.equal(pay.point_of_interaction.transaction_data.subscription_id, pre.id);
    assert.deepEqual(pay.fee_details, [{ type: 'mercadopago_fee', amount: mpFee(1990) / 100, fee_payer: 'collector' }]);
    assert.equal(pay.transaction_details.net_received_amount, (1990 - mpFee(1990)) / 100);
    const money = (await sim.record()).money.filter((m) => m.parent_id === pre.id);
    assert.deepEqual(money, [{ provider: 'mercadopago', kind: 'charge', txn_id: String(pay.id), parent_id: pre.id, currency: 'BRL', gross_minor: 1990, fee_minor: mpFee(1990) }]);
  });

  test('Mercado Pago: cancel on the page leaves the preapproval pending; a preference is paid once', async () => {
    const { sim } = ctx;
    const api = mpClient(sim, 'MX');
    const pre = await mpPreapproval(api, 99, 'MXN');
    const { redirect } = await sim.approve('mercadopago', pre.id, 'cancel');
    assert.equal(new URL(redirect).searchParams.get('status'), 'cancelled');
    assert.equal((await api('GET', `/preapproval/${pre.id}`)).body.status, 'pending');

    const prefBody = {
      items: [{ title: 'PetAmigos Plus (year)', quantity: 1, unit_price: 990, currency_id: 'MXN' }], external_reference: 'co_3',
      back_urls: { success: 'https://petamigos.test/ok', failure: 'https://petamigos.test/no', pending: 'https://petamigos.test/wait' }, auto_return: 'approved',
    };
    const pref = await api('POST', '/checkout/preferences', prefBody, { headers: { 'x-idempotency-key': randomUUID() } });
    assert.equal(pref.status, 201);
    assert.equal(pref.body.init_point, `${sim.url}mercadopago/checkout?pref_id=${pref.body.id}`);
    const out = new URL((await sim.approve('mercadopago', pref.body.id, 'approve')).redirect);
    assert.equal(out.origin + out.pathname, 'https://petamigos.test/ok');
    assert.equal(out.searchParams.get('status'), 'approved');
    assert.equal(out.searchParams.get('external_reference'), 'co_3');
    assert.equal(out.searchParams.get('preference_id'), pref.body.id);
    const pay = (await api('GET', `/v1/payments/${out.searchParams.get('payment_id')}`)).body;
    assert.equal(pay.status, 'approved');
    assert.equal(pay.transaction_amount, 990);
    assert.equal(pay.point_of_interaction, undefined);
    const again = await sim.call('POST', '__sim/approve', { provider: 'mercadopago', id: pref.body.id, decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal((await sim.record()).creates.mp_preferences, 1);
  });
});

describe('the network: hold and release, duplicate, drop, retries', () => {
  const ctx = simWithReceiver();

  /** An active PayPal subscription whose activation webhooks have arrived; [api, subscription]. */
  async function activeSubscription() {
    const api = await paypalClient(ctx.sim);
    const sub = await paypalSubscription(api);
    await ctx.sim.approve('paypal', sub.id);
    await waitFor('the first sale', () => paypalEvents(ctx.receiver, 'PAYMENT.SALE.COMPLETED', sub.id)[0]);
    return [api, sub];
  }

  test('held webhooks are not sent until released, then in reverse order', async () => {
    const { sim, receiver } = ctx;
    const [api, sub] = await activeSubscription();
    await sim.delivery('hold');
    for (const verb of ['suspend', 'activate', 'cancel']) {
      assert.equal((await api('POST', `/v1/billing/subscriptions/${sub.id}/${verb}`, { reason: 'test' })).status, 204);
    }
    await sim.delivery('deliver');
    const held = (await sim.deliveries()).filter((d) => d.held);
    assert.deepEqual(held.map((d) => d.type), ['BILLING.SUBSCRIPTION.SUSPENDED', 'BILLING.SUBSCRIPTION.RE-ACTIVATED', 'BILLING.SUBSCRIPTION.CANCELLED']);
    assert.ok(held.every((d) => d.attempts === 0));
    // Something sent after the hold arrives while the three are still held.
    const other = await paypalSubscription(api);
    await sim.approve('paypal', other.id);
    await waitFor('a later event', () => paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', other.id)[0]);
    const heldTypes = held.map((d) => d.type);
    assert.equal(paypalHits(receiver).filter((h) => h.json.resource.id === sub.id && heldTypes.includes(h.json.event_type)).length, 0);

    assert.equal((await sim.release('reverse')).released, 3);
    const arrived = await waitFor('the released three', () => {
      const hits = paypalHits(receiver).filter((h) => h.json.resource.id === sub.id && heldTypes.includes(h.json.event_type));
      return hits.length === 3 && hits;
    });
    assert.deepEqual(arrived.map((h) => h.json.event_type), [...heldTypes].reverse());
    for (const hit of arrived) assert.ok(await paypalSignatureValid(hit));
    // Each carries the subscription as it was when its event happened.
    assert.deepEqual(arrived.map((h) => h.json.resource.status), ['CANCELLED', 'ACTIVE', 'SUSPENDED']);
  });

  test('duplicate sends the same event twice; drop never sends it', async () => {
    const { sim, receiver } = ctx;
    const [api, sub] = await activeSubscription();
    await sim.delivery('duplicate');
    await api('POST', `/v1/billing/subscriptions/${sub.id}/suspend`, { reason: 'test' });
    await sim.delivery('drop');
    await api('POST', `/v1/billing/subscriptions/${sub.id}/activate`, { reason: 'test' });
    await sim.delivery('deliver');
    await api('POST', `/v1/billing/subscriptions/${sub.id}/cancel`, { reason: 'test' });
    // Deliveries go out one at a time in queue order: once CANCELLED is in,
    // everything queued before it has had its first attempt.
    await waitFor('CANCELLED', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.CANCELLED', sub.id)[0]);
    const suspended = paypalEvents(receiver, 'BILLING.SUBSCRIPTION.SUSPENDED', sub.id);
    assert.equal(suspended.length, 2);
    assert.equal(suspended[0].json.id, suspended[1].json.id);
    assert.notEqual(suspended[0].headers['paypal-transmission-id'], suspended[1].headers['paypal-transmission-id']);
    assert.equal(paypalEvents(receiver, 'BILLING.SUBSCRIPTION.RE-ACTIVATED', sub.id).length, 0);
    const dropped = (await sim.deliveries()).filter((d) => d.dropped);
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0].dropped, true);
    assert.equal(dropped[0].attempts, 0);
    assert.equal(dropped[0].delivered, false);
  });

  test('an API answer never waits for a webhook delivery', async () => {
    const { sim, receiver } = ctx;
    const api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    let answer;
    const held = new Promise((resolve) => { answer = resolve; });
    receiver.status = () => held;
    try {
      await sim.approve('paypal', sub.id);
      // The receiver has the first webhook and has not answered it, yet the
      // approval answered and the API answers.
      await waitFor('the held delivery', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.ACTIVATED', sub.id)[0]);
      assert.equal((await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body.status, 'ACTIVE');
      assert.equal(paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', sub.id).length, 0, 'the next delivery waits its turn');
    } finally {
      receiver.status = () => 200;
      answer(200);
    }
    await waitFor('the sale after it', () => paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', sub.id)[0]);
  });

  test('a delivery the receiver answers 500 is retried until it is taken', async () => {
    const { sim, receiver } = ctx;
    const api = mpClient(sim, 'CO');
    const pre = await mpPreapproval(api, 19900, 'COP');
    let refused = 0;
    receiver.status = (hit) => (hit.query.get('data.id') === pre.id && refused++ < 2 ? 500 : 200);
    try {
      await sim.approve('mercadopago', pre.id);
      const d = await waitFor('the delivery taken', async () => (await sim.deliveries()).find((x) => x.event_id && x.type === 'subscription_preapproval' && x.delivered && x.attempts === 3));
      assert.equal(d.last_status, 200);
    } finally {
      receiver.status = () => 200;
    }
    const hits = mpHits(receiver).filter((h) => h.query.get('data.id') === pre.id);
    assert.equal(hits.length, 3);
    assert.equal(new Set(hits.map((h) => h.json.id)).size, 1, 'the same notification each time');
    assert.equal(new Set(hits.map((h) => h.headers['x-request-id'])).size, 3, 'each attempt its own request id');
    for (const hit of hits) assert.ok(mpSignatureValid(hit));
  });

  test('a receiver that is down is retried too', async () => {
    const { sim, receiver } = ctx;
    const api = await paypalClient(sim);
    const down = await startReceiver();
    await down.close();
    await sim.config({ paypal_webhook_url: `${down.url}paypal` });
    const sub = await paypalSubscription(api);
    await sim.approve('paypal', sub.id);
    const failing = await waitFor('a failed attempt', async () => (await sim.deliveries()).find((d) => d.type === 'BILLING.SUBSCRIPTION.ACTIVATED' && d.attempts >= 2));
    assert.equal(failing.delivered, false);
    assert.equal(typeof failing.last_status, 'string', 'a connection error, not a status');
    await sim.config({ paypal_webhook_url: `${receiver.url}paypal` });
    const hit = await waitFor('ACTIVATED after the retries', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.ACTIVATED', sub.id)[0]);
    assert.ok(await paypalSignatureValid(hit));
  });
});

describe('API faults', () => {
  const ctx = simWithReceiver();

  test('500: the call fails and nothing is created; the next call works', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    const plan = await paypalPlan(api);
    const count = (await sim.record()).creates.paypal_subscriptions;
    await sim.faults({ method: 'POST', path: '^/v1/billing/subscriptions$', action: '500', times: 1 });
    const key = randomUUID();
    const failed = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': key } });
    assert.equal(failed.status, 500);
    assert.equal(failed.body.name, 'INTERNAL_SERVER_ERROR');
    assert.equal((await sim.record()).creates.paypal_subscriptions, count);
    const ok = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': key } });
    assert.equal(ok.status, 201);
    assert.equal((await sim.record()).creates.paypal_subscriptions, count + 1);

    await sim.faults({ method: 'GET', path: '^/preapproval/', action: '500', times: 2 });
    const mp = mpClient(sim, 'BR');
    const pre = await mpPreapproval(mp);
    for (let i = 0; i < 2; i++) {
      const res = await mp('GET', `/preapproval/${pre.id}`);
      assert.equal(res.status, 500);
      assert.equal(res.body.status, 500);
    }
    assert.equal((await mp('GET', `/preapproval/${pre.id}`)).status, 200);
  });

  test('timeout: the call hangs and nothing is done', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    const plan = await paypalPlan(api);
    const count = (await sim.record()).creates.paypal_subscriptions;
    await sim.faults({ method: 'POST', path: 'subscriptions$', action: 'timeout', times: 1 });
    const giveUp = new AbortController();
    const pending = api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id), { headers: { 'paypal-request-id': randomUUID() }, signal: giveUp.signal });
    // The fault is used when the call arrives; then nothing more happens.
    await waitFor('the fault used', async () => (await sim.call('GET', '__sim/faults')).body.faults.length === 0);
    giveUp.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal((await sim.record()).creates.paypal_subscriptions, count);
  });

  test('after-timeout: the create happened though the call hung; the same key returns it', async () => {
    const { sim } = ctx;
    const api = mpClient(sim, 'AR');
    const count = (await sim.record()).creates.mp_preapprovals;
    await sim.faults({ method: 'POST', path: '^/preapproval$', action: 'after-timeout', times: 1 });
    const key = randomUUID();
    const giveUp = new AbortController();
    const pending = api('POST', '/preapproval', preapprovalBody(4990, 'ARS'), { headers: { 'x-idempotency-key': key }, signal: giveUp.signal });
    await waitFor('the create done', async () => (await sim.record()).creates.mp_preapprovals === count + 1);
    giveUp.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    const retry = await api('POST', '/preapproval', preapprovalBody(4990, 'ARS'), { headers: { 'x-idempotency-key': key } });
    assert.equal(retry.status, 201);
    assert.equal((await sim.record()).creates.mp_preapprovals, count + 1, 'the retry created nothing');
    assert.equal((await api('GET', `/preapproval/${retry.body.id}`)).body.status, 'pending');
  });
});

describe('renewals, declines, refunds, chargebacks and the clock', () => {
  const ctx = simWithReceiver();

  /** Sets the sim's clock to `at` (ms) plus a minute. */
  const clockAt = (at) => ctx.sim.clock(Math.ceil((at - Date.now()) / 1000) + 60);

  test('bill() charges what is due by the sim\'s clock, as many cycles as are due, with fees', async () => {
    const { sim, receiver } = ctx;
    await sim.clock(0);
    let api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    await sim.approve('paypal', sub.id);
    const mp = mpClient(sim, 'CL');
    const pre = await mpPreapproval(mp, 4990, 'CLP');
    await sim.approve('mercadopago', pre.id);

    assert.deepEqual(await sim.bill(), { charged: [], failed: [] }, 'nothing is due yet');
    const next = Date.parse((await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body.billing_info.next_billing_time);
    // Past the second renewal of the PayPal subscription: two cycles due.
    await clockAt(plusMonths(next, 1));
    api = await paypalClient(sim); // the first token expired with the clock's jump (9 hours)
    const { charged, failed } = await sim.bill();
    assert.deepEqual(failed, []);
    assert.equal(charged.filter((c) => c.id === sub.id).length, 2);
    assert.equal(charged.filter((c) => c.id === pre.id).length, 2);
    const after = (await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body;
    assert.equal(Date.parse(after.billing_info.next_billing_time), plusMonths(next, 2));
    assert.equal(after.billing_info.cycle_executions[0].cycles_completed, 3);
    assert.deepEqual(await sim.bill(), { charged: [], failed: [] }, 'billed cycles are not billed again');

    const money = (await sim.record()).money;
    const ppCharges = money.filter((m) => m.parent_id === sub.id && m.kind === 'charge');
    assert.equal(ppCharges.length, 3);
    for (const m of ppCharges) assert.deepEqual([m.gross_minor, m.fee_minor], [499, paypalFee(499)]);
    const mpCharges = money.filter((m) => m.parent_id === pre.id && m.kind === 'charge');
    assert.equal(mpCharges.length, 3);
    for (const m of mpCharges) assert.deepEqual([m.currency, m.gross_minor, m.fee_minor], ['CLP', 4990, mpFee(4990)]);
    assert.ok(mpCharges.every((m) => m.fee_minor > 0));

    const tx = await api('GET', `/v1/billing/subscriptions/${sub.id}/transactions?start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z`);
    assert.equal(tx.status, 200);
    assert.deepEqual(tx.body.transactions.map((t) => t.status), ['COMPLETED', 'COMPLETED', 'COMPLETED']);
    assert.equal(tx.body.transactions[0].amount_with_breakdown.fee_amount.value, (paypalFee(499) / 100).toFixed(2));
    assert.equal((await api('GET', `/v1/billing/subscriptions/${sub.id}/transactions`)).status, 400);
    await waitFor('three sale webhooks', () => paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', sub.id).length === 3);
    await sim.clock(0);
  });

  test('declines: PayPal sends PAYMENT.FAILED and suspends after 3; Mercado Pago makes a rejected payment', async () => {
    const { sim, receiver } = ctx;
    await sim.clock(0);
    let api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    await sim.approve('paypal', sub.id);
    const mp = mpClient(sim, 'BR');
    const pre = await mpPreapproval(mp);
    await sim.approve('mercadopago', pre.id);
    await sim.decline('paypal', sub.id, 3);
    await sim.decline('mercadopago', pre.id, 1);
    const next = Date.parse((await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body.billing_info.next_billing_time);
    await clockAt(next);
    api = await paypalClient(sim); // the first token expired with the clock's jump (9 hours)
    for (let i = 1; i <= 3; i++) {
      const { charged, failed } = await sim.bill();
      assert.deepEqual(failed.filter((f) => f.id === sub.id).length, 1, `failure ${i}`);
      assert.equal(charged.filter((c) => c.id === sub.id).length, 0);
      const got = (await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body;
      assert.equal(got.billing_info.failed_payments_count, i);
      assert.equal(got.status, i < 3 ? 'ACTIVE' : 'SUSPENDED');
      assert.equal(Date.parse(got.billing_info.next_billing_time), next, 'the failed cycle stays due');
      // Mercado Pago: the first try is rejected, the second (the same cycle) charged, then nothing is due.
      assert.equal(failed.filter((f) => f.id === pre.id).length, i === 1 ? 1 : 0, `Mercado Pago failures, bill ${i}`);
      assert.equal(charged.filter((c) => c.id === pre.id).length, i === 2 ? 1 : 0, `Mercado Pago charges, bill ${i}`);
    }
    await waitFor('three PAYMENT.FAILED', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.PAYMENT.FAILED', sub.id).length === 3);
    const suspended = await waitFor('SUSPENDED', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.SUSPENDED', sub.id)[0]);
    assert.equal(suspended.json.resource.status, 'SUSPENDED');
    assert.ok(await paypalSignatureValid(suspended));
    const tx = await api('GET', `/v1/billing/subscriptions/${sub.id}/transactions?start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z`);
    assert.deepEqual(tx.body.transactions.map((t) => t.status), ['COMPLETED', 'DECLINED', 'DECLINED', 'DECLINED']);
    assert.equal((await sim.record()).money.filter((m) => m.parent_id === sub.id).length, 1, 'declines move no money');

    const payments = await waitFor('two payment notifications after the first', async () => {
      const ids = [...new Set(mpHits(receiver).filter((h) => h.json.type === 'payment' && h.json.action === 'payment.created').map((h) => h.json.data.id))];
      const mine = [];
      for (const id of ids) {
        const p = (await mp('GET', `/v1/payments/${id}`)).body;
        if (p.metadata?.preapproval_id === pre.id) mine.push(p);
      }
      return mine.length === 3 && mine;
    });
    assert.deepEqual(payments.map((p) => p.status).sort(), ['approved', 'approved', 'rejected']);
    const rejected = payments.find((p) => p.status === 'rejected');
    assert.deepEqual(rejected.fee_details, []);
    assert.equal(rejected.date_approved, null);
    await sim.clock(0);
  });

  test('refunds and chargebacks change the transactions, send webhooks and are in the record', async () => {
    const { sim, receiver } = ctx;
    await sim.clock(0);
    const api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    await sim.approve('paypal', sub.id);
    const saleHit = await waitFor('the sale', () => paypalEvents(receiver, 'PAYMENT.SALE.COMPLETED', sub.id)[0]);
    const saleId = saleHit.json.resource.id;

    await sim.refund('paypal', saleId, 100);
    const viaApi = await api('POST', `/v1/payments/sale/${saleId}/refund`, { amount: { total: '1.00', currency: 'USD' } }, { headers: { 'paypal-request-id': randomUUID() } });
    assert.equal(viaApi.status, 201);
    assert.equal(viaApi.body.state, 'completed');
    assert.deepEqual(viaApi.body.amount, { total: '1.00', currency: 'USD' });
    assert.equal((await api('GET', `/v1/payments/sale/${saleId}`)).body.state, 'partially_refunded');
    await sim.chargeback('paypal', saleId);
    assert.equal((await api('GET', `/v1/payments/sale/${saleId}`)).body.state, 'reversed');
    const refunds = await waitFor('two SALE.REFUNDED', () => {
      const hits = paypalHits(receiver).filter((h) => h.json.event_type === 'PAYMENT.SALE.REFUNDED' && h.json.resource.sale_id === saleId);
      return hits.length === 2 && hits;
    });
    for (const hit of refunds) {
      assert.deepEqual(hit.json.resource.amount, { total: '1.00', currency: 'USD' });
      assert.equal(hit.json.resource.state, 'completed');
      assert.ok(await paypalSignatureValid(hit));
    }
    const reversed = await waitFor('SALE.REVERSED', () => paypalEvents(receiver, 'PAYMENT.SALE.REVERSED', saleId)[0]);
    assert.equal(reversed.json.resource.state, 'reversed');
    assert.equal(reversed.json.resource.reason_code, 'CHARGEBACK');
    assert.ok(await paypalSignatureValid(reversed));
    const money = (await sim.record()).money.filter((m) => m.parent_id === saleId);
    assert.deepEqual(money.map((m) => [m.kind, m.gross_minor]), [['refund', 100], ['refund', 100], ['chargeback', 299]]);
    const again = await sim.call('POST', '__sim/chargeback', { provider: 'paypal', txn_id: saleId });
    assert.equal(again.status, 409);

    const mp = mpClient(sim, 'BR');
    const pre = await mpPreapproval(mp);
    await sim.approve('mercadopago', pre.id);
    const payId = (await sim.record()).money.find((m) => m.parent_id === pre.id).txn_id;
    const key = randomUUID();
    const refund = await mp('POST', `/v1/payments/${payId}/refunds`, { amount: 5.5 }, { headers: { 'x-idempotency-key': key } });
    assert.equal(refund.status, 201);
    assert.equal(refund.body.amount, 5.5);
    assert.equal(refund.body.status, 'approved');
    assert.equal(refund.body.payment_id, Number(payId));
    const replay = await mp('POST', `/v1/payments/${payId}/refunds`, { amount: 5.5 }, { headers: { 'x-idempotency-key': key } });
    assert.equal(replay.body.id, refund.body.id);
    const partly = (await mp('GET', `/v1/payments/${payId}`)).body;
    assert.equal(partly.status, 'approved');
    assert.deepEqual(partly.refunds.map((r) => r.amount), [5.5]);
    await sim.chargeback('mercadopago', payId);
    assert.equal((await mp('GET', `/v1/payments/${payId}`)).body.status, 'charged_back');
    await waitFor('two payment.updated', () => mpHits(receiver).filter((h) => h.json.action === 'payment.updated' && h.json.data.id === payId).length === 2);
    const mpMoney = (await sim.record()).money.filter((m) => m.parent_id === payId);
    assert.deepEqual(mpMoney.map((m) => [m.kind, m.gross_minor]), [['refund', 550], ['chargeback', 1440]]);

    const other = await mpPreapproval(mp);
    await sim.approve('mercadopago', other.id);
    const otherPay = (await sim.record()).money.find((m) => m.parent_id === other.id).txn_id;
    await sim.refund('mercadopago', otherPay);
    assert.equal((await mp('GET', `/v1/payments/${otherPay}`)).body.status, 'refunded');
  });

  test('a plan with total_cycles ends: the last cycle expires the subscription', async () => {
    const { sim, receiver } = ctx;
    await sim.clock(0);
    let api = await paypalClient(sim);
    const product = await api('POST', '/v1/catalogs/products', { name: 'PetAmigos Plus', type: 'SERVICE' });
    const body = planBody(product.body.id, '4.99', 'USD');
    body.billing_cycles[0].total_cycles = 2;
    const plan = await api('POST', '/v1/billing/plans', body);
    assert.equal(plan.status, 201);
    const sub = await api('POST', '/v1/billing/subscriptions', subscriptionBody(plan.body.id));
    await sim.approve('paypal', sub.body.id);
    const next = Date.parse((await api('GET', `/v1/billing/subscriptions/${sub.body.id}`)).body.billing_info.next_billing_time);
    await clockAt(plusMonths(next, 3));
    api = await paypalClient(sim);
    const { charged } = await sim.bill();
    assert.equal(charged.filter((c) => c.id === sub.body.id).length, 1, 'only the second of two cycles is left');
    const got = (await api('GET', `/v1/billing/subscriptions/${sub.body.id}`)).body;
    assert.equal(got.status, 'EXPIRED');
    assert.deepEqual(got.billing_info.cycle_executions[0], { tenure_type: 'REGULAR', sequence: 1, cycles_completed: 2, cycles_remaining: 0, total_cycles: 2 });
    const expired = await waitFor('EXPIRED', () => paypalEvents(receiver, 'BILLING.SUBSCRIPTION.EXPIRED', sub.body.id)[0]);
    assert.ok(await paypalSignatureValid(expired));
    await sim.clock(0);
  });

  test('subscription status changes: allowed ones answer 204/200, the rest 422/400', async () => {
    const { sim } = ctx;
    const api = await paypalClient(sim);
    const sub = await paypalSubscription(api);
    const early = await api('POST', `/v1/billing/subscriptions/${sub.id}/suspend`, { reason: 'x' });
    assert.equal(early.status, 422);
    assert.equal(early.body.details[0].issue, 'SUBSCRIPTION_STATUS_INVALID');
    await sim.approve('paypal', sub.id);
    assert.equal((await api('POST', `/v1/billing/subscriptions/${sub.id}/activate`, { reason: 'x' })).status, 422);
    assert.equal((await api('POST', `/v1/billing/subscriptions/${sub.id}/cancel`, { reason: 'x' })).status, 204);
    assert.equal((await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body.status, 'CANCELLED');
    assert.equal((await api('POST', `/v1/billing/subscriptions/${sub.id}/cancel`, { reason: 'x' })).status, 422);

    const mp = mpClient(sim, 'BR');
    const pre = await mpPreapproval(mp);
    await sim.approve('mercadopago', pre.id);
    const paused = await mp('PUT', `/preapproval/${pre.id}`, { status: 'paused' });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, 'paused');
    assert.equal((await mp('PUT', `/preapproval/${pre.id}`, { status: 'cancelled' })).body.status, 'cancelled');
    const back = await mp('PUT', `/preapproval/${pre.id}`, { status: 'authorized' });
    assert.equal(back.status, 400);
    assert.equal(back.body.error, 'bad_request');
  });
});

describe('marketplace: PayPal Payouts', () => {
  const ctx = simWithReceiver();
  const payoutBody = (batchId, items) => ({
    sender_batch_header: { sender_batch_id: batchId, email_subject: 'You have a payout' },
    items: items.map(([receiver, value, currency, id]) => ({ recipient_type: 'EMAIL', amount: { value, currency }, receiver, sender_item_id: id, note: 'Your sale' })),
  });
  const itemEvents = (r, type, itemId) => paypalHits(r).filter((h) => h.json.event_type === type && h.json.resource.payout_item_id === itemId);

  test('a batch is PENDING until processed, once per sender_batch_id; items end SUCCESS, UNCLAIMED or FAILED with signed webhooks', async () => {
    const { sim, receiver } = ctx;
    const api = await paypalClient(sim);
    await sim.payoutReceiver('nobody@example.test', 'unclaimed');
    await sim.payoutReceiver('locked@example.test', 'failed');
    const body = payoutBody('po_1', [['seller@example.test', '90.00', 'USD', 'ord_1'], ['nobody@example.test', '0.01', 'USD', 'ord_2'], ['locked@example.test', '12.34', 'USD', 'ord_3']]);
    const key = 'po_1';
    const created = await api('POST', '/v1/payments/payouts', body, { headers: { 'paypal-request-id': key } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const batchId = created.body.batch_header.payout_batch_id;
    assert.equal(created.body.batch_header.batch_status, 'PENDING');
    assert.equal(created.body.batch_header.sender_batch_header.sender_batch_id, 'po_1');
    const again = await api('POST', '/v1/payments/payouts', body, { headers: { 'paypal-request-id': key } });
    assert.deepEqual(again.body, created.body, 'the retry is answered with the first batch');
    const dup = await api('POST', '/v1/payments/payouts', body, { headers: { 'paypal-request-id': 'another' } });
    assert.equal(dup.status, 400);
    assert.equal(dup.body.name, 'USER_BUSINESS_ERROR');
    assert.equal((await sim.record()).creates.paypal_payouts, 1);

    const pending = await api('GET', `/v1/payments/payouts/${batchId}`);
    assert.equal(pending.body.batch_header.batch_status, 'PENDING');
    assert.deepEqual(pending.body.items.map((i) => i.transaction_status), ['PENDING', 'PENDING', 'PENDING']);
    assert.deepEqual((await sim.processPayouts()).processed, [batchId]);
    const done = await api('GET', `/v1/payments/payouts/${batchId}`);
    assert.equal(done.body.batch_header.batch_status, 'SUCCESS');
    const [ok, unclaimed, failed] = done.body.items;
    assert.deepEqual([ok.transaction_status, unclaimed.transaction_status, failed.transaction_status], ['SUCCESS', 'UNCLAIMED', 'FAILED']);
    assert.deepEqual(ok.payout_item.amount, { value: '90.00', currency: 'USD' });
    assert.equal(ok.payout_item.sender_item_id, 'ord_1');
    assert.deepEqual(ok.payout_item_fee, { currency: 'USD', value: '1.80' }, '2 % of 90.00');
    assert.deepEqual(unclaimed.payout_item_fee, { currency: 'USD', value: '0.01' }, 'at least one minor unit');
    assert.equal(unclaimed.errors.name, 'RECEIVER_UNREGISTERED');
    assert.equal(failed.errors.name, 'RECEIVER_ACCOUNT_LOCKED');
    assert.equal(failed.transaction_id, undefined);
    const item = await api('GET', `/v1/payments/payouts-item/${ok.payout_item_id}`);
    assert.equal(item.status, 200);
    assert.equal(item.body.sender_batch_id, 'po_1');
    assert.equal(item.body.transaction_status, 'SUCCESS');
    assert.equal((await api('GET', '/v1/payments/payouts-item/NOPE')).status, 404);
    assert.deepEqual((await sim.processPayouts()).processed, [], 'a processed batch is not processed again');

    const hits = await waitFor('four payout webhooks', () => {
      const h = [itemEvents(receiver, 'PAYMENT.PAYOUTS-ITEM.SUCCEEDED', ok.payout_item_id)[0], itemEvents(receiver, 'PAYMENT.PAYOUTS-ITEM.UNCLAIMED', unclaimed.payout_item_id)[0],
        itemEvents(receiver, 'PAYMENT.PAYOUTS-ITEM.FAILED', failed.payout_item_id)[0],
        paypalHits(receiver).find((x) => x.json.event_type === 'PAYMENT.PAYOUTSBATCH.SUCCESS' && x.json.resource.batch_header.payout_batch_id === batchId)];
      return h.every(Boolean) && h;
    });
    for (const hit of hits) assert.ok(await paypalSignatureValid(hit), hit.json.event_type);
    const money = (await sim.record()).money.filter((m) => m.parent_id === batchId);
    assert.deepEqual(money.map((m) => [m.kind, m.gross_minor, m.fee_minor]), [['payout', 9000, 180], ['payout', 1, 1]], 'a failed item moves no money');

    // 30 days unclaimed: PayPal returns it.
    await sim.clock(31 * 86400);
    assert.deepEqual((await sim.processPayouts()).returned, [unclaimed.payout_item_id]);
    const api2 = await paypalClient(sim);
    assert.equal((await api2('GET', `/v1/payments/payouts-item/${unclaimed.payout_item_id}`)).body.transaction_status, 'RETURNED');
    const ret = await waitFor('RETURNED webhook', () => itemEvents(receiver, 'PAYMENT.PAYOUTS-ITEM.RETURNED', unclaimed.payout_item_id)[0]);
    assert.ok(await paypalSignatureValid(ret));
    await sim.clock(0);
  });

  test('amounts: JPY has no decimals, USD exactly two; one currency per batch; at least one item', async () => {
    const api = await paypalClient(ctx.sim);
    const post = (id, items) => api('POST', '/v1/payments/payouts', payoutBody(id, items), { headers: { 'paypal-request-id': id } });
    assert.equal((await post('po_jpy', [['s@example.test', '1000', 'JPY', 'a']])).status, 201);
    const frac = await post('po_jpy2', [['s@example.test', '1000.00', 'JPY', 'a']]);
    assert.equal(frac.status, 422);
    assert.equal(frac.body.details[0].issue, 'DECIMAL_PRECISION');
    assert.equal((await post('po_usd', [['s@example.test', '1.5', 'USD', 'a']])).body.details[0].issue, 'DECIMAL_PRECISION');
    assert.equal((await post('po_mix', [['s@example.test', '1.50', 'USD', 'a'], ['t@example.test', '1.50', 'EUR', 'b']])).status, 422);
    assert.equal((await post('po_none', [])).status, 400);
    assert.equal((await post('po_email', [['not-an-email', '1.00', 'USD', 'a']])).status, 400);
  });
});

describe('marketplace: Mercado Pago OAuth and split payments', () => {
  const ctx = simWithReceiver();
  const CLIENT = { client_id: '1234567890123456', client_secret: 'sim-mp-client-secret' };
  const REDIRECT = 'https://petamigos.test/sell/mercadopago/return';
  const oauthToken = (sim, body) => sim.call('POST', 'mercadopago/oauth/token', body);
  const asSeller = (sim, token) => (method, p, body, { headers = {} } = {}) => sim.call(method, `mercadopago${p}`, body, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const prefBody = (amount, currency, fee) => ({
    items: [{ title: 'Dog bed', quantity: 1, unit_price: amount, currency_id: currency }], external_reference: 'ord_5',
    back_urls: { success: 'https://petamigos.test/o?ok=1', failure: 'https://petamigos.test/o?ok=0', pending: 'https://petamigos.test/o' },
    auto_return: 'approved', ...(fee === undefined ? {} : { marketplace_fee: fee }),
  });

  /** A new seller of country connected through the form: their token answer. */
  async function connect(sim, country = 'BR') {
    const form = new URLSearchParams({ client_id: CLIENT.client_id, response_type: 'code', platform_id: 'mp', state: 's1', redirect_uri: REDIRECT, decision: 'approve', country });
    const back = await sim.call('POST', 'mercadopago/authorization', form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(back.status, 303);
    const code = new URL(back.headers.get('location')).searchParams.get('code');
    const tok = await oauthToken(sim, { ...CLIENT, grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    return tok.body;
  }

  test('the authorization page, codes once, refresh tokens once; invalid_grant and invalid_client', async () => {
    const { sim } = ctx;
    const q = new URLSearchParams({ client_id: CLIENT.client_id, response_type: 'code', platform_id: 'mp', state: 'xyz', redirect_uri: REDIRECT });
    const page = await sim.call('GET', `mercadopago/authorization?${q}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Connect your Mercado Pago account to PetAmigos/);
    assert.match(page.body, /name="decision" value="approve"/);
    assert.equal((await sim.call('GET', `mercadopago/authorization?${q.toString().replace(CLIENT.client_id, '999')}`)).status, 400);
    const denied = await sim.call('POST', 'mercadopago/authorization', `${q}&decision=deny`, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(denied.status, 303);
    const deniedTo = new URL(denied.headers.get('location'));
    assert.deepEqual([deniedTo.searchParams.get('error'), deniedTo.searchParams.get('state'), deniedTo.searchParams.get('code')], ['access_denied', 'xyz', null]);

    const { code, user_id } = await sim.mpAuthorize({ client_id: CLIENT.client_id, redirect_uri: REDIRECT, state: 'xyz', decision: 'approve', country: 'AR' });
    assert.equal((await oauthToken(sim, { ...CLIENT, client_secret: 'wrong', grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).status, 401);
    const wrongUri = await oauthToken(sim, { ...CLIENT, grant_type: 'authorization_code', code, redirect_uri: `${REDIRECT}x` });
    assert.deepEqual([wrongUri.status, wrongUri.body.error], [400, 'invalid_grant']);
    const tok = await oauthToken(sim, { ...CLIENT, grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(tok.status, 200);
    assert.equal(tok.body.user_id, user_id);
    assert.equal(tok.body.expires_in, 15552000);
    assert.match(tok.body.access_token, /^APP_USR-1234567890123456-/);
    assert.ok(tok.body.refresh_token && tok.body.public_key);
    const reused = await oauthToken(sim, { ...CLIENT, grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.deepEqual([reused.status, reused.body.error], [400, 'invalid_grant']);
    // The form body works as well as JSON.
    const form = new URLSearchParams({ ...CLIENT, grant_type: 'refresh_token', refresh_token: tok.body.refresh_token });
    const refreshed = await sim.call('POST', 'mercadopago/oauth/token', form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, tok.body.access_token);
    assert.equal(refreshed.body.user_id, user_id);
    assert.equal((await oauthToken(sim, { ...CLIENT, grant_type: 'refresh_token', refresh_token: tok.body.refresh_token })).body.error, 'invalid_grant');
    assert.equal((await oauthToken(sim, { ...CLIENT, grant_type: 'password' })).body.error, 'unsupported_grant_type');
    const pref = await asSeller(sim, refreshed.body.access_token)('POST', '/checkout/preferences', prefBody(100.5, 'ARS', 10));
    assert.equal(pref.status, 201, 'the refreshed token works');
    assert.equal(pref.body.collector_id, user_id);
  });

  test('a split preference needs a seller token and a fee within the amount; the payment is the seller\'s, released later', async () => {
    const { sim, receiver } = ctx;
    await sim.clock(0);
    const seller = await connect(sim, 'BR');
    const platform = mpClient(sim, 'BR');
    const own = await platform('POST', '/checkout/preferences', prefBody(200, 'BRL', 20));
    assert.deepEqual([own.status, own.body.cause[0].code], [400, 'invalid_marketplace_fee']);
    assert.equal((await asSeller(sim, 'APP_USR-forged-1')('POST', '/checkout/preferences', prefBody(200, 'BRL', 20))).status, 401);
    const api = asSeller(sim, seller.access_token);
    assert.equal((await api('POST', '/checkout/preferences', prefBody(200, 'BRL', 200.01))).status, 400, 'fee over the amount');
    assert.equal((await api('POST', '/checkout/preferences', prefBody(200, 'BRL', 0.001))).status, 400, 'more decimals than BRL has');
    assert.equal((await api('POST', '/checkout/preferences', prefBody(200, 'BRL', 200))).status, 201, 'fee equal to the amount');
    const pref = await api('POST', '/checkout/preferences', prefBody(200, 'BRL', 20.5), { headers: { 'x-idempotency-key': 'k1' } });
    assert.equal(pref.status, 201);
    assert.equal(pref.body.marketplace_fee, 20.5);
    assert.equal(pref.body.marketplace, '1234567890123456');
    const { redirect } = await sim.approve('mercadopago', pref.body.id);
    const paymentId = new URL(redirect).searchParams.get('payment_id');

    const pay = await api('GET', `/v1/payments/${paymentId}`);
    assert.equal(pay.status, 200);
    assert.equal(pay.body.collector_id, seller.user_id);
    assert.equal(pay.body.marketplace_fee, 20.5);
    assert.deepEqual(pay.body.fee_details.map((f) => [f.type, f.amount]), [['mercadopago_fee', mpFee(20000) / 100], ['application_fee', 20.5]]);
    assert.equal(pay.body.transaction_details.net_received_amount, (20000 - mpFee(20000) - 2050) / 100);
    assert.equal(pay.body.money_release_status, 'pending');
    assert.equal(Date.parse(pay.body.money_release_date), Date.parse(pay.body.date_approved) + 14 * 86400000);
    assert.equal((await platform('GET', `/v1/payments/${paymentId}`)).status, 404, 'the platform\'s own account does not see the seller\'s payment');
    const note = await waitFor('the payment notification', () => mpHits(receiver).find((h) => h.query.get('data.id') === paymentId));
    assert.ok(mpSignatureValid(note));
    assert.equal(note.json.user_id, seller.user_id);

    await sim.clock(14 * 86400 + 60);
    assert.equal((await api('GET', `/v1/payments/${paymentId}`)).body.money_release_status, 'released');
    await sim.clock(0);

    // Refunds give the marketplace fee back in proportion: 50 of 200 → 5.13 of 20.50 (half up), the rest → the rest.
    const part = await api('POST', `/v1/payments/${paymentId}/refunds`, { amount: 50 }, { headers: { 'x-idempotency-key': 'r1' } });
    assert.equal(part.status, 201);
    assert.equal((await platform('POST', `/v1/payments/${paymentId}/refunds`, {})).status, 404, 'only the seller refunds');
    const rest = await api('POST', `/v1/payments/${paymentId}/refunds`, {}, { headers: { 'x-idempotency-key': 'r2' } });
    assert.equal(rest.status, 201);
    assert.equal(rest.body.amount, 150);
    const money = (await sim.record()).money.filter((m) => m.txn_id === paymentId || m.parent_id === paymentId);
    assert.deepEqual(money.map((m) => [m.kind, m.gross_minor, m.marketplace_fee_minor, m.collector_id]),
      [['charge', 20000, 2050, seller.user_id], ['refund', 5000, 513, seller.user_id], ['refund', 15000, 1537, seller.user_id]]);
  });

  test('CLP (no decimals): a whole-peso fee is taken, a fractional one refused', async () => {
    const { sim } = ctx;
    const api = asSeller(sim, (await connect(sim, 'CL')).access_token);
    assert.equal((await api('POST', '/checkout/preferences', prefBody(15990, 'CLP', 1599.5))).status, 400);
    const ok = await api('POST', '/checkout/preferences', prefBody(15990, 'CLP', 1599));
    assert.equal(ok.status, 201);
    assert.equal(ok.body.marketplace_fee, 1599);
    assert.equal((await api('POST', '/checkout/preferences', prefBody(15990, 'BRL', 1599))).status, 400, 'the seller\'s site takes its own currency');
  });
});

describe('--public-url', () => {
  test('the links it hands out start with the public URL', async () => {
    const sim = await startPaysim({ args: ['--public-url', 'https://paysim.example/base'] });
    try {
      const api = await paypalClient(sim);
      const sub = await paypalSubscription(api);
      assert.match(sub.links.find((l) => l.rel === 'approve').href, /^https:\/\/paysim\.example\/base\/paypal\/checkoutnow\?ba_token=BA-/);
      const pre = await mpPreapproval(mpClient(sim, 'BR'));
      assert.equal(pre.init_point, `https://paysim.example/base/mercadopago/checkout?preapproval_id=${pre.id}`);
    } finally {
      await sim.stop();
    }
  });
});

describe('the state file', () => {
  test('a restart with the same --state finds the same world and certificate', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paysim-state-'));
    const args = ['--state', path.join(dir, 'paysim.json')];
    try {
      const first = await startPaysim({ args });
      let sub;
      let pem;
      let record;
      try {
        const api = await paypalClient(first);
        sub = await paypalSubscription(api);
        await first.approve('paypal', sub.id);
        await first.clock(3600);
        pem = (await first.call('GET', 'paypal/certs/paysim.pem')).body;
        record = await first.record();
      } finally {
        await first.stop();
      }
      const second = await startPaysim({ args });
      try {
        assert.deepEqual(await second.record(), record);
        assert.equal((await second.call('GET', 'paypal/certs/paysim.pem')).body, pem);
        const api = await paypalClient(second);
        const got = (await api('GET', `/v1/billing/subscriptions/${sub.id}`)).body;
        assert.equal(got.status, 'ACTIVE');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
