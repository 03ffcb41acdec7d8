// Paid plans (issue 18) against the payment simulator (web/paysim/), which
// follows PayPal's and Mercado Pago's documented REST APIs and signs its
// webhooks as they do: the catalog, checkout to Plus through each provider,
// cancel and the period's end, webhooks forged, repeated, reordered and
// dropped, providers failing, account deletion, and who may call what.
// Waits are for conditions (hang guards only), never for time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { startPaysim, until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, email, startServer, stopServer } from './helpers.mjs';

const YEAR = 366 * 86400;
const GRACE = 7 * 86400; // PA_BILLING_GRACE_SECONDS

// The server and the sim, wired both ways; restart() moves both clocks.
async function world({ offset = 0 } = {}) {
  const sim = await startPaysim({ env: { PA_TEST_CLOCK_OFFSET: String(offset) } });
  const w = { sim, server: null, offset };
  w.start = async (data, off) => {
    w.server = await startServer({ data, seed: data ? false : 'small', env: { ...sim.serverEnv(), PA_TEST_CLOCK_OFFSET: String(off) } });
    await sim.config({
      paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal`,
      mp_webhook_url: `${w.server.url}api/v1/webhooks/mercadopago`,
    });
  };
  w.restart = async (off) => {
    await stopServer(w.server);
    w.offset = off;
    await sim.clock(off);
    await w.start(w.server.dir, off);
    for (const c of w.clients ?? []) c.server = w.server;
  };
  w.stop = async () => {
    try {
      await stopServer(w.server, { keepData: false });
    } finally {
      await sim.stop();
    }
  };
  await w.start(null, offset);
  return w;
}

async function person(w, tag) {
  const c = new Client(w.server);
  c.email = email(tag);
  await c.signup(c.email, 'correct horse battery', tag);
  (w.clients ??= []).push(c);
  return c;
}

// The kinds of the billing notices in c's notifications list, newest first.
async function noticesAmongNotifications(c) {
  const r = await c.get('/api/v1/notifications?limit=100');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.notifications.filter((n) => n.kind.startsWith('billing_')).map((n) => n.kind);
}

const billing = async (c) => {
  const r = await c.get('/api/v1/billing');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

// Checkout through provider, approval at the sim, and the wait for Plus.
async function subscribe(w, c, { plan = 'plus_yearly', provider = 'paypal', country = 'US' } = {}) {
  const r = await c.post('/api/v1/billing/checkout', { plan, provider, country });
  assert.equal(r.status, 201, `${JSON.stringify(r.body)} ${JSON.stringify(await billing(c))}`);
  const co = r.body.checkout;
  assert.equal(co.status, 'pending');
  const id = new URL(co.approve_url).searchParams;
  const providerId = provider === 'paypal' ? subscriptionIdOf(w, co.id) : id.get('preapproval_id');
  const { redirect } = await w.sim.approve(provider, providerId, 'approve');
  assert.match(redirect, new RegExp(`checkout=${co.id}`));
  // This subscription in force (an earlier one's paid time may already give Plus).
  await until('plus', async () => {
    const b = await billing(c);
    return b.tier === 'plus' && b.subscription?.id === `sub_${co.id.slice(3)}` && b.subscription.status === 'active';
  });
  return { co, providerId };
}

// Our checkout's subscription id at the provider, as the database holds it.
function subscriptionIdOf(w, co) {
  return dbQuery(w.server, `SELECT provider_id FROM subscriptions WHERE id = ${co.slice(3)}`);
}

// Sums of the ledger: every transaction balanced; per currency, per account.
function ledger(w) {
  const unbalanced = dbQuery(w.server, 'SELECT txn_id FROM ledger_entries GROUP BY txn_id, currency HAVING sum(amount_minor) <> 0');
  assert.equal(unbalanced, '', 'every movement balances');
  const rows = dbQuery(w.server, "SELECT account || '|' || currency || '|' || sum(amount_minor) FROM ledger_entries GROUP BY account, currency ORDER BY 1");
  return Object.fromEntries(rows.split('\n').filter(Boolean).map((l) => {
    const [account, currency, sum] = l.split('|');
    return [`${account} ${currency}`, Number(sum)];
  }));
}

describe('the plan catalog', () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test('prices per country and provider, decided by the server in minor units', async () => {
    const anon = new Client(w.server);
    const offers = async (country) => {
      const r = await anon.get(`/api/v1/billing/plans?country=${country}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return Object.fromEntries(r.body.plans.map((p) => [p.id, p.offers.map((o) => `${o.provider} ${o.currency} ${o.amount_minor} ${o.amount}`)]));
    };
    assert.deepEqual(await offers('BR'), {
      plus_monthly: ['mercadopago BRL 1990 19.90', 'paypal USD 499 4.99'],
      plus_yearly: ['mercadopago BRL 19900 199.00', 'paypal USD 4999 49.99'],
      plus_year_pass: ['mercadopago BRL 19900 199.00', 'paypal USD 4999 49.99'],
    });
    assert.deepEqual((await anon.get('/api/v1/billing/plans?country=BR')).body.plans.map((p) => `${p.id} ${p.interval}`),
      ['plus_monthly month', 'plus_yearly year', 'plus_year_pass once']);
    assert.deepEqual((await offers('CL')).plus_yearly, ['mercadopago CLP 49900 49900', 'paypal USD 4999 49.99']);
    assert.deepEqual((await offers('DE')).plus_monthly, ['paypal EUR 499 4.99']);
    assert.deepEqual((await offers('US')).plus_monthly, ['paypal USD 499 4.99']);
    const plans = await anon.get('/api/v1/billing/plans');
    assert.equal(plans.body.country, 'US');
    assert.equal(plans.body.entitlements.plus.ads, false);
    assert.equal(plans.body.entitlements.free.ads, true);
    assert.deepEqual([plans.body.entitlements.free.photos_per_post, plans.body.entitlements.plus.photos_per_post], [10, 20]);
    assert.deepEqual([plans.body.entitlements.free.reel_seconds, plans.body.entitlements.plus.reel_seconds], [60, 180]);
    assertError(await anon.get('/api/v1/billing/plans?country=br'), 400, 'bad_request');
    assertError(await anon.get('/api/v1/billing/plans?country=BRA'), 400, 'bad_request');
  });

  test('a checkout the catalog does not sell is refused before any provider is asked', async () => {
    const c = await person(w, 'catalog');
    const before = (await w.sim.record()).creates;
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'mercadopago', country: 'US' }), 400, 'not_offered');
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'free', provider: 'paypal', country: 'US' }), 400, 'not_offered');
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'plus_gold', provider: 'paypal', country: 'US' }), 400, 'bad_request');
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'stripe', country: 'US' }), 400, 'bad_request');
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'paypal', country: 'US', amount_minor: 1 }), 400, 'bad_request');
    for (const country of ['us', 'USA', 'U', '', 'Ü1'])
      assert.equal((await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'paypal', country })).body.error.field, 'country', country);
    assert.deepEqual((await w.sim.record()).creates, before, 'nothing was created at a provider');
  });
});

describe('Plus through PayPal, cancelled, to its end', () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test('checkout → approval → Plus: no ads, the badge, a receipt with the fee in the ledger', async () => {
    const c = await person(w, 'paypal');
    const { providerId } = await subscribe(w, c);
    const b = await billing(c);
    assert.equal(b.subscription.status, 'active');
    assert.equal(b.subscription.provider, 'paypal');
    assert.ok(b.subscription.next_charge, 'the next charge is shown');
    assert.equal(b.subscription.next_charge.amount_minor, 4999);
    assert.equal(b.receipts.length, 1);
    assert.deepEqual([b.receipts[0].kind, b.receipts[0].amount_minor, b.receipts[0].currency], ['charge', 4999, 'USD']);
    // The ledger holds the charge and PayPal's fee, balanced, and agrees with the sim's book.
    const rec = (await w.sim.record()).money.filter((m) => m.provider === 'paypal');
    assert.equal(rec.length, 1);
    assert.ok(rec[0].fee_minor > 0, 'the sim charged a fee');
    assert.deepEqual(ledger(w), {
      'fees:paypal USD': rec[0].fee_minor,
      'provider:paypal USD': 4999 - rec[0].fee_minor,
      'revenue:plus_yearly USD': -4999,
    });
    // No sponsored post in any feed a Plus person gets, the badge on their profile.
    const feed = await c.get('/api/v1/feed?limit=50');
    assert.ok(feed.body.posts.length > 0);
    assert.ok(feed.body.posts.every((p) => !p.sponsored), 'no ads for Plus');
    const cands = await c.get('/api/v1/feed/candidates?limit=1000');
    assert.ok(cands.body.candidates.every((k) => k.sponsored === null), 'no ad candidates for Plus');
    // Control: someone without Plus is served the seed's ads (candidates only: ads are never organic).
    const other = new Client(w.server);
    await other.signup(email('no-plus'));
    const theirs = await other.get('/api/v1/feed/candidates?limit=1000');
    assert.ok(theirs.body.candidates.some((k) => k.sponsored), 'control: others are served ads');
    const me = await c.get(`/api/v1/users/${c.user.id}`);
    assert.equal(me.body.plus, true);
    assert.equal(subscriptionIdOf(w, 'co_1').length > 0, true);
    assert.ok(providerId.startsWith('I-'));
  });

  test('cancel: still Plus until the period ends, then Free; resume undoes it before', async () => {
    const c = w.clients[0];
    let r = await c.post('/api/v1/billing/cancel', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.subscription.status, 'cancelled');
    assert.equal(r.body.subscription.cancel_at_period_end, true);
    assert.equal(r.body.subscription.next_charge, null);
    assert.equal((await billing(c)).tier, 'plus', 'paid time is kept');
    assertError(await c.post('/api/v1/billing/cancel', {}), 409, 'conflict');
    r = await c.post('/api/v1/billing/resume', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.subscription.status, 'active');
    r = await c.post('/api/v1/billing/cancel', {});
    assert.equal(r.status, 200);
    const end = Date.parse((await billing(c)).subscription.current_period_end) / 1000;
    // A day after the paid year: Free, and cancelled at PayPal for good.
    await w.restart(Math.ceil(end - Date.now() / 1000) + 86400);
    await c.login(c.email, 'correct horse battery'); // the session ran out with the year
    await until('free', async () => (await billing(c)).tier === 'free');
    const b = await billing(c);
    assert.equal(b.subscription.status, 'expired');
    const sub = await w.sim.call('GET', `paypal/v1/billing/subscriptions/${subscriptionIdOf(w, 'co_1')}`, undefined, {
      headers: { authorization: `Bearer ${await paypalToken(w)}` },
    });
    assert.equal(sub.body.status, 'CANCELLED');
    assert.ok(b.notices.some((n) => n.kind === 'downgraded'), 'told about the downgrade');
    assert.equal((await c.get(`/api/v1/users/${c.user.id}`)).body.plus, false);
  });
});

async function paypalToken(w) {
  const r = await w.sim.call('POST', 'paypal/v1/oauth2/token', 'grant_type=client_credentials', {
    headers: { authorization: `Basic ${Buffer.from('sim-client:sim-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  return r.body.access_token;
}

describe('Plus through Mercado Pago in Brazil, in BRL', () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test('preapproval → authorized → Plus; the charge and Mercado Pago fee booked in BRL', async () => {
    const c = await person(w, 'mercadopago');
    await subscribe(w, c, { plan: 'plus_monthly', provider: 'mercadopago', country: 'BR' });
    const b = await billing(c);
    assert.equal(b.subscription.provider, 'mercadopago');
    assert.equal(b.subscription.next_charge.currency, 'BRL');
    assert.equal(b.subscription.next_charge.amount, '19.90');
    assert.deepEqual(b.receipts.map((r) => `${r.kind} ${r.currency} ${r.amount_minor}`), ['charge BRL 1990']);
    const rec = (await w.sim.record()).money;
    assert.equal(rec.length, 1);
    assert.ok(rec[0].fee_minor > 0);
    assert.deepEqual(ledger(w), {
      'fees:mercadopago BRL': rec[0].fee_minor,
      'provider:mercadopago BRL': 1990 - rec[0].fee_minor,
      'revenue:plus_monthly BRL': -1990,
    });
  });

  test('a failed renewal: past due, Plus through the grace period, then downgraded with notices', async () => {
    const c = w.clients[0];
    const bystander = await person(w, 'bystander');
    const sub = dbQuery(w.server, "SELECT provider_id FROM subscriptions WHERE status = 'active'");
    await w.sim.decline('mercadopago', sub, 10);
    // Past the month: the sim tries the renewal and it is rejected.
    await w.restart(31 * 86400 + 3600);
    await c.login(c.email, 'correct horse battery');
    const { failed } = await w.sim.bill();
    assert.ok(failed.length >= 1, 'the renewal was declined');
    const b = await until('the failure noticed', async () => {
      const v = await billing(c);
      return v.notices.some((n) => n.kind === 'renewal_failed') && v;
    });
    assert.equal(b.tier, 'plus', `within the grace period: ${JSON.stringify(b)} ${dbQuery(w.server, 'SELECT status, cancel_at_period_end, next_charge_at, failed_at FROM subscriptions')} ${dbQuery(w.server, 'SELECT plus_until FROM users WHERE plus_until > 0')}`);
    assert.equal(b.subscription.status, 'past_due');
    assert.ok(b.subscription.grace_until);
    assert.ok((await noticesAmongNotifications(c)).includes('billing_renewal_failed'), 'the failure is in the notifications too');
    // After the grace period: Free, told so.
    await w.restart(31 * 86400 + GRACE + 2 * 86400);
    await c.login(c.email, 'correct horse battery');
    await until('downgraded', async () => (await billing(c)).notices.some((n) => n.kind === 'downgraded'));
    assert.equal((await billing(c)).tier, 'free');
    assert.equal(ledger(w)['revenue:plus_monthly BRL'], -1990, 'no money moved for the declined renewal');
    // The notifications list carries the Billing screen's notices, newest first, and nobody else sees them.
    const kinds = await noticesAmongNotifications(c);
    assert.equal(kinds[0], 'billing_downgraded');
    assert.deepEqual(kinds, (await billing(c)).notices.map((n) => `billing_${n.kind}`));
    await bystander.login(bystander.email, 'correct horse battery');
    assert.deepEqual(await noticesAmongNotifications(bystander), []);
  });
});

// A PayPal delivery signed with a key of our own (not the certificate's).
function forgedPaypal(w, body, { certUrl = `${w.sim.url}paypal/certs/paysim.pem` } = {}) {
  const raw = JSON.stringify(body);
  const id = crypto.randomUUID(), time = new Date().toISOString();
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signed = `${id}|${time}|WH-SIM-1|${zlib.crc32(Buffer.from(raw)) >>> 0}`;
  return {
    body: raw,
    headers: {
      'content-type': 'application/json', 'paypal-transmission-id': id, 'paypal-transmission-time': time,
      'paypal-transmission-sig': crypto.sign('sha256', Buffer.from(signed), privateKey).toString('base64'),
      'paypal-cert-url': certUrl, 'paypal-auth-algo': 'SHA256withRSA',
    },
  };
}

const counts = (w) => dbQuery(w.server, "SELECT (SELECT count(*) FROM ledger_txns) || ' ' || (SELECT count(*) FROM pay_events) || ' ' || (SELECT count(*) FROM subscriptions WHERE status = 'active') || ' ' || (SELECT max(updated_at) FROM subscriptions)");

describe('webhooks: verified, applied once, in any order, repaired when lost', () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test('forged deliveries are refused and change nothing; a certificate off the allow-list is never fetched', async () => {
    const c = await person(w, 'forged');
    const { providerId } = await subscribe(w, c, { plan: 'plus_monthly' });
    const before = counts(w);
    const anon = new Client(w.server);
    const sale = { id: 'FORGED-SALE-1', event_type: 'PAYMENT.SALE.REFUNDED', resource_type: 'refund', event_version: '1.0',
      create_time: new Date().toISOString(), summary: 'x',
      resource: { id: 'FORGED-REFUND', sale_id: 'X', state: 'completed', amount: { total: '4.99', currency: 'USD' }, billing_agreement_id: providerId } };
    let f = forgedPaypal(w, sale);
    assertError(await anon.request('POST', '/api/v1/webhooks/paypal', { body: f.body, headers: f.headers, csrf: false }), 401, 'bad_signature');
    // The certificate's URL on a host not allowed: refused before any fetch.
    let hits = 0;
    const trap = http.createServer((q, s) => { hits++; s.end('x'); });
    await new Promise((r) => trap.listen(0, '127.0.0.1', r));
    f = forgedPaypal(w, sale, { certUrl: `http://127.0.0.1:${trap.address().port}/paypal/certs/paysim.pem` });
    assertError(await anon.request('POST', '/api/v1/webhooks/paypal', { body: f.body, headers: f.headers }), 401, 'bad_signature');
    trap.close();
    assert.equal(hits, 0, 'the certificate was not fetched');
    // Unsigned, and Mercado Pago with a wrong secret.
    assertError(await anon.request('POST', '/api/v1/webhooks/paypal', { body: f.body, headers: { 'content-type': 'application/json' } }), 401, 'bad_signature');
    const mpBody = JSON.stringify({ id: 77, type: 'payment', action: 'payment.updated', data: { id: '1000000002' } });
    const ts = Math.floor(Date.now() / 1000), rid = crypto.randomUUID();
    const v1 = crypto.createHmac('sha256', 'not-the-secret').update(`id:1000000002;request-id:${rid};ts:${ts};`).digest('hex');
    assertError(await anon.request('POST', '/api/v1/webhooks/mercadopago?data.id=1000000002&type=payment', {
      body: mpBody, headers: { 'content-type': 'application/json', 'x-request-id': rid, 'x-signature': `ts=${ts},v1=${v1}` } }), 401, 'bad_signature');
    assert.equal(counts(w), before, 'nothing changed');
    assert.equal((await billing(c)).tier, 'plus');
  });

  test('the same deliveries twice: one effect', async () => {
    const c = await person(w, 'twice');
    await w.sim.delivery('duplicate');
    const { providerId } = await subscribe(w, c, { plan: 'plus_monthly' });
    await until('every delivery made', async () => (await w.sim.deliveries()).every((d) => d.delivered));
    await w.sim.delivery('deliver');
    const charges = dbQuery(w.server, `SELECT count(*) FROM ledger_txns t JOIN subscriptions s ON s.id = t.subscription_id WHERE s.provider_id = '${providerId}'`);
    assert.equal(charges, '1');
    const dups = (await w.sim.deliveries()).filter((d) => d.provider === 'paypal');
    assert.ok(dups.length >= 4, 'duplicates were sent');
    assert.equal(dbQuery(w.server, 'SELECT count(*) FROM pay_events GROUP BY provider, event_id HAVING count(*) > 1'), '', 'each event id queued once');
  });

  test('events in reverse order leave the right final state', async () => {
    const c = await person(w, 'reverse');
    await w.sim.delivery('hold');
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_monthly', provider: 'paypal', country: 'US' });
    const providerId = subscriptionIdOf(w, r.body.checkout.id);
    await w.sim.approve('paypal', providerId);
    const sale = (await w.sim.record()).money.find((m) => m.parent_id === providerId && m.kind === 'charge');
    await w.sim.refund('paypal', sale.txn_id, 200); // part of it
    await w.sim.delivery('deliver');
    await w.sim.release('reverse'); // the refund first, then the sale, then the activation
    await until('refund booked', async () => dbQuery(w.server, `SELECT count(*) FROM ledger_txns WHERE parent_txn = '${sale.txn_id}'`) === '1');
    const b = await billing(c);
    assert.equal(b.tier, 'plus', 'a partial refund leaves the period paid');
    assert.deepEqual(b.receipts.map((x) => `${x.kind} ${x.amount_minor}`).sort(), ['charge 499', 'refund 200']);
    assert.equal(b.subscription.status, 'active');
  });

  test('dropped webhooks: the return page and the re-reads repair what they missed', async () => {
    const c = await person(w, 'dropped');
    await w.sim.delivery('drop');
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_monthly', provider: 'mercadopago', country: 'MX' });
    const preapproval = new URL(r.body.checkout.approve_url).searchParams.get('preapproval_id');
    await w.sim.approve('mercadopago', preapproval);
    // Nothing was delivered; the return page's poll asks Mercado Pago.
    const co = await until('active', async () => {
      const v = await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`);
      return v.body.checkout.status === 'active' && v.body.checkout;
    });
    assert.equal(co.provider, 'mercadopago');
    assert.deepEqual((await billing(c)).receipts.map((x) => `${x.kind} ${x.currency} ${x.amount_minor}`), ['charge MXN 9900']);
    // A renewal whose webhook is lost is booked by the next re-read.
    await w.restart(32 * 86400);
    await c.login(c.email, 'correct horse battery');
    const { charged } = await w.sim.bill();
    assert.ok(charged.length > 0);
    await w.sim.delivery('deliver');
    await w.restart(32 * 86400 + 7 * 3600); // past PA_BILLING_RECHECK_SECONDS
    await c.login(c.email, 'correct horse battery');
    await until('renewal booked', async () => (await billing(c)).receipts.length === 2);
    assert.equal((await billing(c)).tier, 'plus');
  });
});

describe('providers failing', () => {
  let w;
  before(async () => {
    w = await world();
    await stopServer(w.server);
    w.server = await startServer({ data: w.server.dir, seed: false, env: { ...w.sim.serverEnv(), PA_PAY_TIMEOUT_MS: '1500' } });
    await w.sim.config({ paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal`, mp_webhook_url: `${w.server.url}api/v1/webhooks/mercadopago` });
  });
  after(async () => { await w?.stop(); });

  for (const action of ['500', 'timeout', 'after-timeout']) {
    test(`a create that ${action === '500' ? 'fails with 500' : action === 'timeout' ? 'times out' : 'times out after it was made'}: pending, and a retry makes one subscription`, async () => {
      const c = await person(w, `fault${action}`);
      const made = (await w.sim.record()).creates.paypal_subscriptions;
      await w.sim.faults({ method: 'POST', path: '^/v1/billing/subscriptions$', action, times: 1 });
      const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'paypal', country: 'US' });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'provider_unreachable');
      assert.equal(r.body.checkout.status, 'unreachable');
      assert.equal((await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`)).body.checkout.status, 'unreachable');
      const again = await c.post(`/api/v1/billing/checkouts/${r.body.checkout.id}/retry`, {});
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.checkout.status, 'pending');
      assert.match(again.body.checkout.approve_url, /checkoutnow/);
      assert.equal((await w.sim.record()).creates.paypal_subscriptions, made + 1, 'one subscription at PayPal');
      assertError(await c.post(`/api/v1/billing/checkouts/${r.body.checkout.id}/retry`, {}), 409, 'conflict');
    });
  }

  test('the person cancels at the approval page', async () => {
    const c = await person(w, 'abandon');
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'paypal', country: 'US' });
    const { redirect } = await w.sim.approve('paypal', subscriptionIdOf(w, r.body.checkout.id), 'cancel');
    assert.match(redirect, /result=cancel/);
    const a = await c.post(`/api/v1/billing/checkouts/${r.body.checkout.id}/abandon`, {});
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.checkout.status, 'cancelled');
    assert.equal((await billing(c)).tier, 'free');
  });

  test('deleting an account cancels its subscription at the provider first; the ledger keeps a tombstone', async () => {
    const c = await person(w, 'leaving');
    const { providerId } = await subscribe(w, c, { plan: 'plus_monthly' });
    // While PayPal fails, nothing is deleted.
    await w.sim.faults({ method: 'POST', path: '/cancel$', action: '500', times: 1 });
    assertError(await c.del('/api/v1/me', { password: 'correct horse battery' }), 502, 'provider_unreachable');
    assert.equal((await billing(c)).tier, 'plus', 'the account is still there');
    const r = await c.del('/api/v1/me', { password: 'correct horse battery' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const sub = await w.sim.call('GET', `paypal/v1/billing/subscriptions/${providerId}`, undefined, {
      headers: { authorization: `Bearer ${await paypalToken(w)}` } });
    assert.equal(sub.body.status, 'CANCELLED');
    const party = dbQuery(w.server, `SELECT t.party_id || ' ' || CASE WHEN p.user_id IS NULL THEN 'gone' ELSE 'kept' END || ' ' || substr(p.tombstone, 1, 4) FROM ledger_txns t JOIN ledger_parties p ON p.id = t.party_id JOIN subscriptions s ON s.id = t.subscription_id WHERE s.provider_id = '${providerId}'`);
    assert.match(party, /^\d+ gone pty_$/);
    assert.throws(() => dbQuery(w.server, 'DELETE FROM ledger_txns'), /append-only/, 'the ledger refuses deletes');
  });
});

// ---- the ledger's properties over random histories

// A small seeded generator (mulberry32), so a failing history can be replayed
// with PA_BILLING_SEED.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Calendar months after t (UTC seconds), the day clamped, as the server adds them.
function addMonths(t, months) {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear(), m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

describe('the ledger over random payments, renewals, refunds and chargebacks', () => {
  const seed = Number(process.env.PA_BILLING_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test(`balanced, equal to the providers' books, every tier as the ledger says (seed ${seed})`, async () => {
    const rand = rng(seed);
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const OFFERS = [['paypal', 'US'], ['paypal', 'DE'], ['mercadopago', 'BR'], ['mercadopago', 'AR'], ['mercadopago', 'CL']];
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await person(w, `prop${i}`));
    let month = 0;
    for (let step = 0; step < 40; step++) {
      const money = (await w.sim.record()).money;
      const charges = money.filter((m) => m.kind === 'charge');
      const roll = rand();
      if (roll < 0.35) {
        const free = [];
        // Not while a subscription renews (the server answers 409 then).
        for (const p of people) if (['cancelled', 'expired', undefined].includes((await billing(p)).subscription?.status)) free.push(p);
        if (!free.length) continue;
        const [provider, country] = pick(OFFERS);
        await subscribe(w, pick(free), { plan: pick(['plus_monthly', 'plus_yearly']), provider, country });
      } else if (roll < 0.6 && charges.length) {
        const c = pick(charges);
        const reversed = money.filter((m) => m.parent_id === c.txn_id && m.kind !== 'charge').reduce((s, m) => s + m.gross_minor, 0);
        const left = c.gross_minor - reversed;
        if (left <= 0 || money.some((m) => m.parent_id === c.txn_id && m.kind === 'chargeback')) continue;
        const amount = rand() < 0.5 ? left : Math.max(1, Math.floor(left * rand()));
        await w.sim.refund(c.provider, c.txn_id, amount);
      } else if (roll < 0.75 && charges.length) {
        const c = pick(charges);
        if (money.some((m) => m.parent_id === c.txn_id && m.kind !== 'charge')) continue;
        await w.sim.chargeback(c.provider, c.txn_id);
      } else if (roll < 0.85 && month < 2) {
        month++; // a month on: every active subscription renews
        await w.restart(month * 32 * 86400);
        for (const p of people) await p.login(p.email, 'correct horse battery');
        await w.sim.bill();
      } else {
        const p = pick(people);
        const b = await billing(p);
        if (b.subscription?.status === 'active') await p.post('/api/v1/billing/cancel', {});
        else if (b.subscription?.status === 'cancelled') await p.post('/api/v1/billing/resume', {});
      }
    }
    // Settled: every delivery made and applied, every movement booked.
    const book = async () => (await w.sim.record()).money;
    await until('settled', async () => (await w.sim.deliveries()).every((d) => d.delivered) &&
      dbQuery(w.server, 'SELECT count(*) FROM pay_events WHERE done_at IS NULL') === '0' &&
      Number(dbQuery(w.server, 'SELECT count(*) FROM ledger_txns')) === (await book()).filter((m) => m.gross_minor > 0).length,
    { tries: 2400 });
    const kinds = dbQuery(w.server, "SELECT kind || ' ' || count(*) FROM ledger_txns GROUP BY kind ORDER BY kind").split('\n').join(', ');
    assert.match(kinds, /charge [1-9]/, 'the history has charges');
    // 1. Debits equal credits, per movement and per currency.
    const sums = ledger(w);
    const perCurrency = {};
    for (const [k, v] of Object.entries(sums)) perCurrency[k.split(' ')[1]] = (perCurrency[k.split(' ')[1]] ?? 0) + v;
    for (const [cur, v] of Object.entries(perCurrency)) assert.equal(v, 0, `${cur} balances`);
    // 2. Per provider and currency, the ledger's charges, fees, refunds and
    // chargebacks are the provider's own record of them.
    const theirs = {};
    const add = (k, v) => { if (v) theirs[k] = (theirs[k] ?? 0) + v; };
    for (const m of await book()) {
      if (m.kind === 'charge') {
        add(`fees:${m.provider} ${m.currency}`, m.fee_minor);
        add(`provider:${m.provider} ${m.currency}`, m.gross_minor - m.fee_minor);
      } else {
        add(`provider:${m.provider} ${m.currency}`, -m.gross_minor);
      }
    }
    const ours = Object.fromEntries(Object.entries(sums).filter(([k]) => /^(fees|provider):/.test(k)));
    assert.deepEqual(ours, theirs);
    const byKind = (kind) => Number(dbQuery(w.server, `SELECT COALESCE(sum(gross_minor), 0) FROM ledger_txns WHERE kind = '${kind}'`));
    for (const kind of ['charge', 'refund', 'chargeback'])
      assert.equal(byKind(kind), (await book()).filter((m) => m.kind === kind).reduce((s, m) => s + m.gross_minor, 0), `${kind}s`);
    // 3. Every person's tier is what their live charges pay for.
    const now = Math.floor(Date.now() / 1000) + w.offset;
    for (const p of people) {
      const rows = dbQuery(w.server, `SELECT c.occurred_at || ' ' || c.months || ' ' || c.gross_minor || ' ' ||
        (SELECT COALESCE(sum(r.gross_minor), 0) FROM ledger_txns r WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn AND r.kind = 'refund') || ' ' ||
        (SELECT count(*) FROM ledger_txns r WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn AND r.kind = 'chargeback')
        FROM ledger_txns c JOIN ledger_parties y ON y.id = c.party_id WHERE y.user_id = ${p.user.id.slice(2)} AND c.kind = 'charge'`);
      let paid = 0;
      for (const line of rows.split('\n').filter(Boolean)) {
        const [at, months, gross, refunded, chargebacks] = line.split(' ').map(Number);
        if (refunded < gross && chargebacks === 0) paid = Math.max(paid, addMonths(at, months));
      }
      const b = await billing(p);
      const renewing = b.subscription && ['active', 'past_due'].includes(b.subscription.status);
      const until_ = paid && renewing ? paid + GRACE : paid;
      assert.equal(b.tier, now < until_ ? 'plus' : 'free', `${p.email}: ${rows} ${JSON.stringify(b.subscription)}`);
    }
  });
});

describe('who may call the billing routes', () => {
  let w;
  before(async () => {
    w = await world();
    await stopServer(w.server);
    w.server = await startServer({ data: w.server.dir, seed: false, env: { ...w.sim.serverEnv(), PA_LIMIT_BILLING_BURST: '4' } });
    await w.sim.config({ paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal`, mp_webhook_url: `${w.server.url}api/v1/webhooks/mercadopago` });
  });
  after(async () => { await w?.stop(); });

  test('no session, no CSRF token, another person', async () => {
    const owner = await person(w, 'owner');
    const other = await person(w, 'other');
    const anon = new Client(w.server);
    const r = await owner.post('/api/v1/billing/checkout', { plan: 'plus_monthly', provider: 'paypal', country: 'US' });
    assert.equal(r.status, 201);
    const co = r.body.checkout.id;
    for (const [method, path] of [['GET', '/api/v1/billing'], ['POST', '/api/v1/billing/checkout'], ['GET', `/api/v1/billing/checkouts/${co}`],
      ['POST', `/api/v1/billing/checkouts/${co}/retry`], ['POST', `/api/v1/billing/checkouts/${co}/abandon`],
      ['POST', '/api/v1/billing/cancel'], ['POST', '/api/v1/billing/resume']])
      assertError(await anon.request(method, path, { json: method === 'POST' ? {} : undefined }), 401, 'unauthorized');
    for (const path of ['/api/v1/billing/checkout', `/api/v1/billing/checkouts/${co}/retry`, `/api/v1/billing/checkouts/${co}/abandon`,
      '/api/v1/billing/cancel', '/api/v1/billing/resume'])
      assertError(await owner.post(path, {}, { csrf: false }), 403, 'csrf');
    // Another person's checkout is no checkout of theirs.
    assertError(await other.get(`/api/v1/billing/checkouts/${co}`), 404, 'not_found');
    assertError(await other.post(`/api/v1/billing/checkouts/${co}/retry`, {}), 404, 'not_found');
    assertError(await other.post(`/api/v1/billing/checkouts/${co}/abandon`, {}), 404, 'not_found');
    assertError(await other.post('/api/v1/billing/cancel', {}), 404, 'not_found');
    assertError(await other.post('/api/v1/billing/resume', {}), 404, 'not_found');
    assert.equal((await owner.get(`/api/v1/billing/checkouts/${co}`)).body.checkout.status, 'pending', 'untouched');
    assertError(await owner.get('/api/v1/billing/checkouts/co_0'), 404, 'not_found');
    assertError(await anon.get('/api/v1/webhooks/paypal'), 405, 'method_not_allowed');
    assert.equal((await anon.get('/api/v1/billing/plans')).status, 200, 'the catalog is public');
  });

  test('PA_LIMIT_BILLING_BURST provider calls per person, then 429', async () => {
    const c = await person(w, 'limited');
    for (let i = 0; i < 4; i++) {
      const r = await c.post('/api/v1/billing/checkout', { plan: i % 2 ? 'plus_monthly' : 'plus_yearly', provider: 'paypal', country: 'US' });
      assert.equal(r.status, 201, `request ${i + 1}`);
    }
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_monthly', provider: 'paypal', country: 'US' });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal((await new Client(w.server).get('/api/v1/billing/plans')).status, 200, 'reads are not limited');
  });

  test('PA_PAY_WEBHOOK_MAX bytes of webhook body, then 413', async () => {
    const anon = new Client(w.server);
    const MAX = 65536;
    const at = (n) => anon.request('POST', '/api/v1/webhooks/mercadopago', { body: Buffer.alloc(n, 0x20), headers: { 'content-type': 'application/json' } });
    assertError(await at(MAX), 401, 'bad_signature'); // read whole, then refused unsigned
    assert.equal((await at(MAX + 1)).status, 413);
  });
});

describe('a year of Plus paid once (PayPal Orders, Mercado Pago Checkout Pro)', () => {
  let w;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  test('PayPal: order → approval → captured once however often the return page asks; no renewal', async () => {
    const c = await person(w, 'pass-paypal');
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_year_pass', provider: 'paypal', country: 'DE' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const order = new URL(r.body.checkout.approve_url).searchParams.get('token');
    assert.ok(order, 'the approval page names the order');
    assert.equal((await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`)).body.checkout.status, 'pending', 'not approved yet');
    const { redirect } = await w.sim.approve('paypal', order);
    assert.match(redirect, new RegExp(`checkout=${r.body.checkout.id}`));
    for (let i = 0; i < 3; i++)
      assert.equal((await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`)).body.checkout.status, 'active');
    await until('every delivery made', async () => (await w.sim.deliveries()).every((d) => d.delivered));
    const captures = (await w.sim.record()).money.filter((m) => m.kind === 'charge');
    assert.equal(captures.length, 1, 'captured once');
    assert.ok(captures[0].fee_minor > 0);
    const b = await billing(c);
    assert.equal(b.tier, 'plus');
    assert.equal(b.subscription.plan, 'plus_year_pass');
    assert.equal(b.subscription.status, 'active');
    assert.equal(b.subscription.next_charge, null, 'nothing renews');
    assert.deepEqual(b.receipts.map((x) => `${x.kind} ${x.currency} ${x.amount_minor}`), ['charge EUR 4999']);
    assert.equal(dbQuery(w.server, "SELECT count(*) FROM ledger_txns WHERE kind = 'charge'"), '1', 'the webhook booked nothing twice');
    assertError(await c.post('/api/v1/billing/cancel', {}), 409, 'conflict');
    assertError(await c.post('/api/v1/billing/checkout', { plan: 'plus_year_pass', provider: 'paypal', country: 'DE' }), 409, 'conflict');
  });

  test('Mercado Pago: the payment the return URL names counts only for its own checkout; the notification alone also does', async () => {
    const a = await person(w, 'pass-mp-a');
    const b = await person(w, 'pass-mp-b');
    const start = async (c) => {
      const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_year_pass', provider: 'mercadopago', country: 'BR' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { co: r.body.checkout.id, pref: new URL(r.body.checkout.approve_url).searchParams.get('pref_id') };
    };
    const ca = await start(a);
    await w.sim.delivery('drop'); // a's notification is lost: the return URL carries it home
    const { redirect } = await w.sim.approve('mercadopago', ca.pref);
    await w.sim.delivery('deliver');
    const payment = new URL(redirect).searchParams.get('payment_id');
    assert.ok(payment);
    const cb = await start(b);
    // b cannot claim a's payment for b's checkout.
    assert.equal((await b.get(`/api/v1/billing/checkouts/${cb.co}?payment=${payment}`)).body.checkout.status, 'pending');
    assert.equal((await billing(b)).tier, 'free');
    assertError(await b.get(`/api/v1/billing/checkouts/${cb.co}?payment=${'9'.repeat(100)}`), 400, 'bad_request');
    assert.equal((await a.get(`/api/v1/billing/checkouts/${ca.co}?payment=${payment}`)).body.checkout.status, 'active');
    assert.deepEqual((await billing(a)).receipts.map((x) => `${x.kind} ${x.currency} ${x.amount_minor}`), ['charge BRL 19900']);
    // b pays; only the notification tells the server.
    await w.sim.approve('mercadopago', cb.pref);
    await until('b has Plus', async () => (await billing(b)).tier === 'plus');
    assert.equal((await b.get(`/api/v1/billing/checkouts/${cb.co}`)).body.checkout.status, 'active');
  });

  test('Mercado Pago: return and notification both lost; the re-read finds the payment by its checkout reference', async () => {
    const c = await person(w, 'pass-mp-lost');
    const other = await person(w, 'pass-mp-other');
    const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_year_pass', provider: 'mercadopago', country: 'AR' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // Someone else's pending pass: the search by c's reference must not hand it c's payment.
    const ro = await other.post('/api/v1/billing/checkout', { plan: 'plus_year_pass', provider: 'mercadopago', country: 'AR' });
    assert.equal(ro.status, 201, JSON.stringify(ro.body));
    await w.sim.delivery('drop');
    await w.sim.approve('mercadopago', new URL(r.body.checkout.approve_url).searchParams.get('pref_id'));
    await w.sim.delivery('deliver'); // later deliveries arrive; the one that mattered is gone
    assert.equal((await billing(c)).tier, 'free', 'nothing has told the server yet');
    // The person never came back; the worker's re-read (PA_BILLING_RECHECK_SECONDS later) finds it.
    await w.restart(w.offset + 7 * 3600);
    for (const x of [c, other]) await x.login(x.email, 'correct horse battery');
    await until('the pass is found', async () => (await billing(c)).tier === 'plus');
    assert.deepEqual((await billing(c)).receipts.map((x) => `${x.kind} ${x.currency} ${x.amount_minor}`), ['charge ARS 4990000']);
    assert.equal((await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`)).body.checkout.status, 'active');
    assert.equal((await billing(other)).tier, 'free');
    assert.equal((await other.get(`/api/v1/billing/checkouts/${ro.body.checkout.id}`)).body.checkout.status, 'pending');
  });
});
