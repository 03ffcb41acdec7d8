// Affiliates' money (issue 21, items 3–5 on the server; CONTRACT21.md
// "Money"; web/src/commission.h): a referred person's Plus bought through
// the simulated PayPal accrues a pending commission at 25 % of gross − the
// provider's fee; a refund in the 30-day hold reverses it; after the hold
// and the month's close it is approved and paid in a PayPal Payouts batch
// (payouts.c's batcher, payee affiliate); a refund after payout leaves a
// negative balance carried into the next payouts. The tiers at their edges
// (9/10, 49/50 referred subscribers), the routes' authorization, CSV
// quoting, and a property test over random histories (charges, renewals,
// refunds, chargebacks, marketplace orders, held and replayed webhooks,
// month closes, payouts): the commission ledger always reconciles with the
// payment ledger. One server and one simulator for the file, restarted to
// move the clock. Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { PASSWORD, marketWorld, prng } from './market-world.mjs';

const DAY = 86400;
const HOLD = 30 * DAY; // PA_AFF_HOLD_SECONDS
const TIER_30_AT = 10; // PA_AFF_TIER_30_AT
const TIER_35_AT = 50; // PA_AFF_TIER_35_AT
const MIN_USD = 5000; // pa_commission_payout_minimum("USD"): 50 × payouts.c's 100
const EMAIL_MAX = 254; // PA_AFF_EMAIL_MAX
const PAYPAL_FEE = (gross) => Math.round(gross * 349 / 10000) + 49; // web/paysim/paypal.mjs's fee
const COMMISSION = (base, bp) => Math.trunc(base * bp / 10000); // pa_commission_amount
const MONEY_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE aff_commissions')) + 1;

const w = marketWorld({
  listing: {
    title: 'Cat tree', currency: 'USD', stock: 500, condition: 'new', kind: 'product',
    category: 'beds', species: ['cat'], location: { city: 'Austin', country: 'US' },
    shipping: { zones: [{ name: 'US', price_minor: 0 }], pickup: true },
  },
});
let uniq = 0;
// Everyone remembers their email, so a restart past the session's life signs them in again.
const newPerson = w.person;
w.person = async (tag) => {
  const p = await newPerson(tag);
  p.c.mail = p.mail;
  return p;
};

/** Stops the server and starts it again with the clock moved on by secs. */
const later = async (secs) => {
  await w.restart(w.offset + secs);
  for (const c of w.clients) if (c.mail) await c.login(c.mail, PASSWORD);
};
const now = () => Math.floor(Date.now() / 1000) + w.offset;

/** A person who joined the affiliate program (POST /affiliate), their payout email set when payout. */
async function affiliate(tag, { payout = true } = {}) {
  const p = await w.person(tag);
  const r = await p.c.post('/api/v1/affiliate', { kind: 'person' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  p.code = r.body.affiliate.code;
  if (payout) {
    p.payout = `aff.${tag}${++uniq}.${process.pid}@example.test`;
    const s = await p.c.put('/api/v1/affiliate/payout', { paypal_email: p.payout });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }
  return p;
}

/** A newcomer who followed a's link (/r/{code}) and signed up with its cookie. */
async function referred(a, tag) {
  const c = new Client(w.server);
  w.clients.push(c);
  // Each from a network of its own: five sign-ups an hour from one source is the velocity check's limit.
  const xff = `10.${Math.floor(++uniq / 250) % 250}.${uniq % 250}.7`;
  const click = await c.get(`/r/${a.code}`, { headers: { 'x-forwarded-for': xff } });
  assert.equal(click.status, 302);
  const ref = (click.headers['set-cookie'] ?? []).find((x) => x.startsWith('pa_aff='));
  assert.ok(ref, 'the first-touch cookie');
  c.mail = email(`${tag}${uniq}`);
  const r = await c.post('/api/v1/auth/signup', { email: c.mail, password: PASSWORD, display_name: tag },
    { headers: { cookie: ref.split(';')[0], 'x-forwarded-for': xff } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.user.id.slice(2);
  assert.equal(dbQuery(w.server, `SELECT affiliate_id || ' ' || state FROM aff_referrals WHERE referred_id = ${id}`), `${a.id.slice(2)} attributed`);
  return { c, id: r.body.user.id, mail: c.mail };
}

/** Our checkout's subscription at PayPal, as the database holds it. */
const providerIdOf = (co) => dbQuery(w.server, `SELECT provider_id FROM subscriptions WHERE id = ${co.slice(3)}`);

/**
 * p buys plan through the simulated PayPal, paying from the PayPal account payer (a new one when
 * not given), and waits for Plus: the sale's movement at the sim.
 */
async function buyPlus(p, plan = 'plus_yearly', payer = undefined) {
  const r = await p.c.post('/api/v1/billing/checkout', { plan, provider: 'paypal', country: 'US' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const pid = providerIdOf(r.body.checkout.id);
  await w.sim.approve('paypal', pid, 'approve', payer);
  await until('plus', async () => (await p.c.get('/api/v1/billing')).body.tier === 'plus');
  const sale = (await w.sim.record()).money.find((m) => m.parent_id === pid && m.kind === 'charge');
  assert.ok(sale, 'the sim charged');
  await until('booked', async () => dbQuery(w.server, `SELECT count(*) FROM ledger_txns WHERE provider_txn = '${sale.txn_id}'`) === '1');
  return sale;
}

const earnings = async (p) => {
  const r = await p.c.get('/api/v1/affiliate/earnings');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const usd = async (p) => (await earnings(p)).balances.find((b) => b.currency === 'USD') ?? null;

/** Every webhook the simulator sent was taken and applied. */
async function settled() {
  await until('the webhooks delivered', async () => (await w.sim.deliveries()).every((d) => d.delivered || d.dropped || d.held));
  await until('the webhooks applied', async () => dbQuery(w.server, 'SELECT count(*) FROM pay_events WHERE done_at IS NULL') === '0');
}

/**
 * n people attributed to a with Plus until far ahead, written straight into
 * the database: the tier's count, where n real sign-ups and checkouts would
 * take minutes. The money the tests check always goes through the simulator.
 */
function synthetic(a, n, tag) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const h = `${tag}${++uniq}x${process.pid}`.replace(/[^a-z0-9]/g, '');
    rows.push(`('${h}', 'S ${h}', '${h}@example.test', 1, ${now() + 400 * DAY})`);
  }
  dbQuery(w.server, `INSERT INTO users (handle, name, email, created_at, plus_until) VALUES ${rows.join(', ')};
    INSERT INTO aff_referrals (referred_id, affiliate_id, clicked_at, attributed_at, state, source_hash)
      SELECT id, ${a.id.slice(2)}, 1, 1, 'attributed', '${'0b'.repeat(16)}' FROM users WHERE email LIKE '${tag}%x${process.pid}@example.test'
      AND id NOT IN (SELECT referred_id FROM aff_referrals);`);
}

before(async () => { await w.open(); });
after(async () => { await w.close(); });

describe('a referred person buys Plus: pending at 25 %, reversed by a refund in the hold, approved, paid in a batch, carried negative after a refund', () => {
  test('the journey on the server', async () => {
    const a = await affiliate('j-aff');
    // A commission reversed by a refund during the hold.
    const n1 = await referred(a, 'j-new');
    const sale = await buyPlus(n1);
    const base = sale.gross_minor - sale.fee_minor;
    assert.equal(sale.fee_minor, PAYPAL_FEE(sale.gross_minor), 'a non-zero provider fee');
    let e = await earnings(a);
    assert.deepEqual(e.tier, { rate_bp: 2500, active_subscribers: 1, next_at: TIER_30_AT });
    assert.equal(e.commissions.length, 1);
    const [c1] = e.commissions;
    assert.deepEqual([c1.source, c1.state, c1.base_minor, c1.commission_minor, c1.currency], ['subscription', 'pending', base, COMMISSION(base, 2500), 'USD']);
    assert.equal(Date.parse(c1.release_at) - Date.parse(c1.at), HOLD * 1000);
    assert.deepEqual((await usd(a)), { currency: 'USD', pending_minor: COMMISSION(base, 2500), approved_minor: 0, paid_minor: 0, carried_minor: 0, payout_minimum_minor: MIN_USD });
    // Money owed keeps the account (its payout email would go with it).
    assertError(await a.c.del('/api/v1/me', { password: PASSWORD }), 409, 'affiliate_balance');
    await w.sim.refund('paypal', sale.txn_id, sale.gross_minor);
    await until('reversed', async () => (await earnings(a)).commissions[0].state === 'reversed');
    e = await earnings(a);
    assert.deepEqual([e.commissions[0].base_minor, e.commissions[0].commission_minor], [0, 0]);
    assert.equal((await usd(a)).pending_minor, 0);
    // Five more buy a year each: enough for the 50 USD minimum.
    const sales = [];
    const people = [];
    for (let i = 0; i < 5; i++) {
      const p = await referred(a, `j-buy${i}`);
      people.push(p);
      sales.push(await buyPlus(p));
    }
    const owed = sales.reduce((s, x) => s + COMMISSION(x.gross_minor - x.fee_minor, 2500), 0);
    assert.ok(owed >= MIN_USD, `${owed} reaches the minimum`);
    e = await earnings(a);
    assert.equal(e.commissions.filter((c) => c.state === 'pending').length, 5);
    assert.deepEqual(e.months.map((m) => [m.currency, m.conversions, m.rate_bp, m.final]), [['USD', 6, 2500, false]]);
    // The hold ends and the month closes: approved, then paid in a batch.
    await later(HOLD + 2 * DAY);
    await until('the batch sent', async () => dbQuery(w.server, "SELECT count(*) FROM market_payout_items WHERE payee = 'affiliate' AND state = 'pending'") === '1'
      && dbQuery(w.server, "SELECT count(*) FROM market_payouts WHERE state = 'sent'") !== '0');
    e = await earnings(a);
    assert.ok(e.months.every((m) => m.final && m.rate_bp === 2500), JSON.stringify(e.months));
    assert.deepEqual(e.payouts.map((p) => [p.state, p.amount_minor, p.currency]), [['pending', owed, 'USD']]);
    assert.match(e.payouts[0].id, /^apo_[1-9][0-9]*$/);
    assert.deepEqual(await usd(a), { currency: 'USD', pending_minor: 0, approved_minor: 0, paid_minor: owed, carried_minor: 0, payout_minimum_minor: MIN_USD });
    // Nothing approved is left, but the payout is on its way: the account stays.
    assertError(await a.c.del('/api/v1/me', { password: PASSWORD }), 409, 'affiliate_payout_in_flight');
    await w.sim.processPayouts();
    await until('paid', async () => (await earnings(a)).payouts[0].state === 'paid');
    e = await earnings(a);
    assert.deepEqual(e.commissions.map((c) => c.state).sort(), ['paid', 'paid', 'paid', 'paid', 'paid', 'reversed']);
    const batch = dbQuery(w.server, `SELECT b.paypal_id FROM market_payouts b JOIN market_payout_items i ON i.payout_id = b.id WHERE i.payee = 'affiliate' AND i.seller_id = ${a.id.slice(2)}`);
    const paidOut = (await w.sim.record()).money.filter((m) => m.kind === 'payout' && m.parent_id === batch);
    assert.deepEqual(paidOut.map((m) => m.gross_minor), [owed], 'PayPal paid the affiliate once');
    // A refund after the payout: the balance goes below zero, carried.
    await w.sim.refund('paypal', sales[0].txn_id, sales[0].gross_minor);
    const back = COMMISSION(sales[0].gross_minor - sales[0].fee_minor, 2500);
    await until('carried', async () => (await usd(a)).carried_minor === -back);
    assert.deepEqual(await usd(a), { currency: 'USD', pending_minor: 0, approved_minor: 0, paid_minor: owed, carried_minor: -back, payout_minimum_minor: MIN_USD });
    // The ledger is append-only.
    assert.throws(() => dbQuery(w.server, 'UPDATE aff_commissions SET base_minor = 1'), /append-only/);
    assert.throws(() => dbQuery(w.server, 'DELETE FROM aff_commissions'), /append-only/);
    assert.throws(() => dbQuery(w.server, 'DELETE FROM aff_payout_ledger'), /append-only/);
    assert.throws(() => dbQuery(w.server, 'UPDATE aff_months SET rate_bp = 3500'), /append-only/);
    // The CSV has the same commissions.
    const csv = await a.c.get('/api/v1/affiliate/earnings.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'], /^text\/csv/);
    const lines = csv.buf.toString('utf8').split('\r\n');
    assert.equal(lines[0], 'id,at,source,state,base_minor,commission_minor,currency,release_at');
    assert.equal(lines.at(-1), '', 'every row ends with CRLF');
    assert.deepEqual(lines.slice(1, -1).map((l) => l.split(',')[0]), (await earnings(a)).commissions.map((c) => c.id));
    // Download my data: the affiliate's commissions and payouts.
    const mine = (await a.c.get('/api/v1/me/export')).body;
    assert.deepEqual(mine.affiliate_commissions.map((c) => [c.kind, c.base_minor, c.currency]).sort(),
      [...sales.map((x) => ['accrual', x.gross_minor - x.fee_minor, 'USD']), ['accrual', base, 'USD'], ['reversal', -base, 'USD'],
        ['reversal', -(sales[0].gross_minor - sales[0].fee_minor), 'USD']].sort());
    assert.deepEqual(mine.affiliate_payouts.map((p) => [p.state, p.amount_minor, p.currency]), [['paid', owed, 'USD']]);
    assert.deepEqual(mine.payouts, [], 'a seller\'s payouts are not an affiliate\'s');
    assert.ok(!JSON.stringify(mine.affiliate_commissions).includes(n1.id), 'not who was referred');
    // Paid out, only a carried debt: the account may go; its ledger rows stay.
    assert.equal((await a.c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    a.c.mail = null; // no sign-in after the next restart
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM aff_commissions WHERE affiliate_id = ${a.id.slice(2)}`), '8');
  });
});

describe('the same payment account on both sides', () => {
  test('a referred person paying from the affiliate\'s payout account (another case) earns no commission: refused, in stats; another account earns', async () => {
    const a = await affiliate('s-aff');
    const same = await referred(a, 's-same');
    const payer = a.payout.toUpperCase();
    const sale = await buyPlus(same, 'plus_yearly', payer);
    const movement = `paypal:${sale.txn_id}`;
    assert.equal(dbQuery(w.server, `SELECT kind || '|' || reason || '|' || base_minor FROM aff_commissions WHERE movement = '${movement}'`),
      `refused|same_payment_account|${sale.gross_minor - sale.fee_minor}`);
    let e = await earnings(a);
    assert.deepEqual([e.commissions, e.balances, e.months], [[], [], []], 'a refusal pays nothing and counts nowhere');
    const stats = async () => (await a.c.get('/api/v1/affiliate/stats')).body.refused;
    assert.deepEqual(await stats(), [{ reason: 'same_payment_account', n: 1 }]);
    // Its refund reverses nothing; a renewal from the same account is refused too and the person counted once.
    await w.sim.refund('paypal', sale.txn_id, 100);
    await settled();
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM aff_commissions WHERE charge = '${movement}'`), '1');
    // A marketplace order of theirs paid from that account: our fee's commission refused too (checked as
    // the capture's answer books it; the simulator's webhooks held until then).
    const seller = await w.seller('s-seller');
    const l = await w.listing(seller, { price_minor: 250000 });
    const adr = await w.address(same, { name: 'Ana', street: 'Rua 1', city: 'Recife' });
    const o = await w.checkoutOne(same, l.id, { address: adr.id, delivery: { [seller.id]: 'pickup' } });
    await w.sim.delivery('hold');
    await w.sim.approve('paypal', new URL(o.approve_url).searchParams.get('token'), 'approve', a.payout);
    const paid = await same.c.post(`/api/v1/orders/${o.id}/capture`, {});
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    await w.sim.delivery('deliver');
    await w.sim.release();
    await settled();
    assert.equal(dbQuery(w.server, `SELECT kind || '|' || reason || '|' || base_minor FROM aff_commissions WHERE movement = 'ord_${o.id.slice(4)}:paid'`),
      'refused|same_payment_account|25000');
    assert.deepEqual(await stats(), [{ reason: 'same_payment_account', n: 1 }], 'the person once');
    // Another referred person paying from an account of their own: a commission.
    const other = await referred(a, 's-other');
    const sale2 = await buyPlus(other);
    e = await earnings(a);
    assert.deepEqual(e.commissions.map((c) => [c.state, c.base_minor]), [['pending', sale2.gross_minor - sale2.fee_minor]]);
    assert.deepEqual(await stats(), [{ reason: 'same_payment_account', n: 1 }]);
    // The payer's address is compared, never kept nor logged (the payout email is stored lower case).
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM aff_commissions WHERE movement LIKE '%@%' OR charge LIKE '%@%' OR reason LIKE '%@%'`), '0');
    assert.ok(!w.server.stderr.includes(payer) && !w.server.stdout.includes(payer), 'not in the log');
  });
});

describe('a payout PayPal could not make comes back to the balance once', () => {
  test('marketplace fees earn on the fee only; a failed payout, its webhooks duplicated, is credited back once and waits for next month', async () => {
    const a = await affiliate('f-aff');
    await w.sim.payoutReceiver(a.payout, 'failed');
    const buyer = await referred(a, 'f-buyer');
    buyer.id = buyer.id ?? buyer.c.user.id;
    const seller = await w.seller('f-seller');
    const l = await w.listing(seller, { price_minor: 250000 });
    const adr = await w.address(buyer, { name: 'Ana', street: 'Rua 1', city: 'Recife' });
    const paid = await w.pay(buyer, await w.checkoutOne(buyer, l.id, { address: adr.id, delivery: { [seller.id]: 'pickup' } }));
    const fee = Number(dbQuery(w.server, `SELECT amount_minor FROM market_ledger WHERE order_id = ${paid.id.slice(4)} AND kind = 'platform_fee' AND event = 'paid'`));
    assert.equal(fee, 25000, 'the beds category: 10 %');
    const [c] = (await earnings(a)).commissions;
    assert.deepEqual([c.source, c.state, c.base_minor, c.commission_minor], ['marketplace', 'pending', fee, COMMISSION(fee, 2500)]);
    await w.sim.delivery('duplicate');
    await later(HOLD + 2 * DAY);
    await until('the batch sent', async () => dbQuery(w.server, `SELECT count(*) FROM market_payout_items WHERE payee = 'affiliate' AND seller_id = ${a.id.slice(2)}`) === '1'
      && dbQuery(w.server, "SELECT count(*) FROM market_payouts WHERE state = 'pending'") === '0');
    await w.sim.processPayouts();
    await until('returned', async () => (await earnings(a)).payouts[0]?.state === 'returned');
    await settled();
    await w.sim.delivery('deliver');
    assert.equal(dbQuery(w.server, `SELECT event || ' ' || amount_minor FROM aff_payout_ledger WHERE affiliate_id = ${a.id.slice(2)} ORDER BY id`),
      `sent ${COMMISSION(fee, 2500)}\nreturned ${-COMMISSION(fee, 2500)}`, 'credited back once');
    assert.deepEqual(await usd(a), { currency: 'USD', pending_minor: 0, approved_minor: COMMISSION(fee, 2500), paid_minor: 0, carried_minor: 0, payout_minimum_minor: MIN_USD });
    assert.equal(dbQuery(w.server, "SELECT count(*) FROM market_payout_ledger WHERE seller_id = " + a.id.slice(2)), '0', 'the sellers\' ledger never sees it');
    // One payout a month: the scan two hours on (past PA_PAYOUTS_SCAN_SECONDS) in the same month makes none;
    // the next month's does, with the amount that came back. (Restarts at most 2 h later stay in the month
    // unless the first one was within 2 h of its end: then the next month's batch is already the second.)
    const items = () => dbQuery(w.server, `SELECT count(*) FROM market_payout_items WHERE payee = 'affiliate' AND seller_id = ${a.id.slice(2)}`);
    const sameMonth = new Date(now() * 1000).getUTCMonth() === new Date((now() + 2 * 3600) * 1000).getUTCMonth();
    await later(2 * 3600);
    await until('the scan ran', async () => Number(dbQuery(w.server, "SELECT value FROM meta WHERE key = 'payouts_scanned'")) >= now() - 60);
    assert.equal(items(), sameMonth ? '1' : '2');
    await later(31 * DAY);
    await until('next month\'s batch', async () => items() === (sameMonth ? '2' : '3'));
    assert.equal(dbQuery(w.server, `SELECT amount_minor FROM market_payout_items WHERE payee = 'affiliate' AND seller_id = ${a.id.slice(2)} ORDER BY id DESC LIMIT 1`), String(COMMISSION(fee, 2500)));
  });
});

describe('tiers: the count on the month\'s last day sets the month\'s rate', () => {
  test('provisional tier at 9/10 and 49/50 active referred subscribers', async () => {
    const a = await affiliate('t-aff', { payout: false });
    synthetic(a, TIER_30_AT - 1, 'tier');
    assert.deepEqual((await earnings(a)).tier, { rate_bp: 2500, active_subscribers: 9, next_at: TIER_30_AT });
    synthetic(a, 1, 'tier');
    assert.deepEqual((await earnings(a)).tier, { rate_bp: 3000, active_subscribers: 10, next_at: TIER_35_AT });
    synthetic(a, TIER_35_AT - 1 - TIER_30_AT, 'tier');
    assert.deepEqual((await earnings(a)).tier, { rate_bp: 3000, active_subscribers: 49, next_at: TIER_35_AT });
    synthetic(a, 1, 'tier');
    assert.deepEqual((await earnings(a)).tier, { rate_bp: 3500, active_subscribers: 50, next_at: null });
  });

  test('a month closes at 30 % with 10 subscribers on its last day (9 + a real buyer), at 25 % with 9 (8 + one)', async () => {
    const ten = await affiliate('t-ten', { payout: false });
    const nine = await affiliate('t-nine', { payout: false });
    synthetic(ten, TIER_30_AT - 1, 'ten');
    synthetic(nine, TIER_30_AT - 2, 'nine');
    const s10 = await buyPlus(await referred(ten, 't-ten-b'));
    const s9 = await buyPlus(await referred(nine, 't-nine-b'));
    assert.equal((await earnings(ten)).months[0].rate_bp, 3000, 'provisional: 10 today');
    assert.equal((await earnings(nine)).months[0].rate_bp, 2500);
    await later(32 * DAY);
    await until('closed', async () => (await earnings(ten)).months.every((m) => m.final));
    await until('closed', async () => (await earnings(nine)).months.every((m) => m.final));
    const m10 = (await earnings(ten)).months.at(-1), m9 = (await earnings(nine)).months.at(-1);
    assert.deepEqual([m10.rate_bp, m10.commission_minor], [3000, COMMISSION(s10.gross_minor - s10.fee_minor, 3000)]);
    assert.deepEqual([m9.rate_bp, m9.commission_minor], [2500, COMMISSION(s9.gross_minor - s9.fee_minor, 2500)]);
  });
});

describe('who may call the money routes', () => {
  test('no session 401, CSRF 403, not an affiliate 409, the body\'s limits, another person sees only their own', async () => {
    const anon = new Client(w.server);
    for (const [m, p] of [['GET', '/api/v1/affiliate/earnings'], ['GET', '/api/v1/affiliate/earnings.csv'], ['PUT', '/api/v1/affiliate/payout']])
      assertError(await anon.request(m, p, m === 'PUT' ? { json: { paypal_email: 'a@b.co' } } : {}), 401, 'unauthorized');
    const a = await affiliate('r-aff');
    assertError(await a.c.put('/api/v1/affiliate/payout', { paypal_email: 'x@y.co' }, { csrf: false }), 403, 'csrf');
    const stranger = await w.person('r-nobody');
    assertError(await stranger.c.get('/api/v1/affiliate/earnings'), 409, 'not_an_affiliate');
    assertError(await stranger.c.get('/api/v1/affiliate/earnings.csv'), 409, 'not_an_affiliate');
    assertError(await stranger.c.put('/api/v1/affiliate/payout', { paypal_email: 'x@y.co' }), 409, 'not_an_affiliate');
    const local = (n) => 'p'.repeat(n);
    const at = (n) => `${local(n - '@example.test'.length)}@example.test`;
    assert.equal((await a.c.put('/api/v1/affiliate/payout', { paypal_email: at(EMAIL_MAX) })).status, 200, 'the longest allowed');
    assertError(await a.c.put('/api/v1/affiliate/payout', { paypal_email: at(EMAIL_MAX + 1) }), 400, 'bad_request');
    for (const bad of [{}, { paypal_email: 'nope' }, { paypal_email: 'a@b@c.co' }, { paypal_email: 'a b@c.co' }, { paypal_email: 3 }, { paypal_email: 'a@b.co', more: 1 }])
      assertError(await a.c.put('/api/v1/affiliate/payout', bad), 400, 'bad_request');
    assert.equal(dbQuery(w.server, `SELECT payout_email FROM affiliates WHERE user_id = ${a.id.slice(2)}`), at(EMAIL_MAX));
    // Another affiliate's referred buyer: nothing of it shows for a.
    const b = await affiliate('r-other', { payout: false });
    await buyPlus(await referred(b, 'r-other-b'));
    const mine = await earnings(a);
    assert.deepEqual([mine.commissions, mine.months, mine.payouts, mine.balances], [[], [], [], []]);
    assert.equal((await earnings(b)).commissions.length, 1);
    const csv = await a.c.get('/api/v1/affiliate/earnings.csv');
    assert.equal(csv.buf.toString('utf8'), 'id,at,source,state,base_minor,commission_minor,currency,release_at\r\n');
  });
});

describe('the commission ledger over random histories reconciles with the payment ledger', () => {
  const seed = Number(process.env.PA_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

  /** What the payment ledgers say each referred earning's base must be: charge key → {affiliate, currency, base}. */
  function expected() {
    const referrals = new Map(dbQuery(w.server, "SELECT referred_id || ' ' || affiliate_id || ' ' || attributed_at FROM aff_referrals WHERE state = 'attributed'")
      .split('\n').filter(Boolean).map((l) => { const [u, a, t] = l.split(' ').map(Number); return [u, { a, t }]; }));
    const inside = (user, at) => { const r = referrals.get(user); return r && at >= r.t && at < addMonths(r.t, 12) ? r : null; };
    // Earnings refused for the same payment account on both sides pay nothing (their own test checks them).
    const refused = new Set(dbQuery(w.server, "SELECT movement FROM aff_commissions WHERE kind = 'refused'").split('\n').filter(Boolean));
    const out = new Map();
    // Subscriptions: gross − fee − what refunds and chargebacks took back, never below zero.
    for (const l of dbQuery(w.server, `SELECT c.provider || ':' || c.provider_txn, p.user_id, c.occurred_at, c.currency, c.gross_minor, c.fee_minor,
        (SELECT COALESCE(sum(r.gross_minor), 0) FROM ledger_txns r WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn)
        FROM ledger_txns c JOIN ledger_parties p ON p.id = c.party_id WHERE c.kind = 'charge' AND p.user_id IS NOT NULL`).split('\n').filter(Boolean)) {
      const [key, user, at, currency, gross, fee, back] = l.split('|');
      const r = inside(Number(user), Number(at));
      if (r && !refused.has(key)) out.set(key, { a: r.a, currency, base: Math.max(0, Number(gross) - Number(fee) - Number(back)) });
    }
    // Marketplace: our fee, back to zero when the order was refunded.
    for (const l of dbQuery(w.server, `SELECT g.order_id, o.buyer_id, g.at, g.currency, g.amount_minor,
        (SELECT COALESCE(sum(x.amount_minor), 0) FROM market_ledger x WHERE x.order_id = g.order_id AND x.kind = 'platform_fee' AND x.event = 'refunded')
        FROM market_ledger g JOIN market_orders o ON o.id = g.order_id WHERE g.kind = 'platform_fee' AND g.event = 'paid' AND g.amount_minor > 0`).split('\n').filter(Boolean)) {
      const [order, buyer, at, currency, fee, back] = l.split('|');
      const r = inside(Number(buyer), Number(at));
      if (r && !refused.has(`ord_${order}:paid`)) out.set(`ord_${order}:paid`, { a: r.a, currency, base: Number(fee) + Number(back) });
    }
    return out;
  }

  /**
   * The commission ledger's net base per charge key, for the affiliates still here (a deleted one's
   * rows outlive them, their referrals do not).
   */
  function ours() {
    return new Map(dbQuery(w.server, "SELECT charge || '|' || affiliate_id || '|' || currency || '|' || sum(base_minor) FROM aff_commissions WHERE kind <> 'refused' AND affiliate_id IN (SELECT user_id FROM affiliates) GROUP BY charge, affiliate_id, currency")
      .split('\n').filter(Boolean).map((l) => { const [k, a, currency, base] = l.split('|'); return [k, { a: Number(a), currency, base: Number(base) }]; }));
  }

  /** Every affiliate's earnings agree with the ledger's rows: months, balances, payouts. */
  async function agree(affs) {
    for (const a of affs) {
      const e = await earnings(a);
      const id = a.id.slice(2);
      const rows = dbQuery(w.server, `SELECT c.month || '|' || c.currency || '|' || c.kind || '|' || c.base_minor || '|' || c.release_at || '|' || COALESCE((SELECT m.rate_bp FROM aff_months m WHERE m.affiliate_id = c.affiliate_id AND m.month = c.month), 0)
        FROM aff_commissions c WHERE c.affiliate_id = ${id} AND c.kind <> 'refused'`).split('\n').filter(Boolean).map((l) => l.split('|'));
      const months = new Map();
      let total = 0;
      for (const [month, currency, kind, base, , closed] of rows) {
        const rate = Number(closed) || e.tier.rate_bp;
        const k = `${month} ${currency}`;
        const m = months.get(k) ?? { conversions: 0, base: 0, commission: 0, rate, final: Number(closed) > 0 };
        m.conversions += kind === 'accrual';
        m.base += Number(base);
        m.commission += COMMISSION(Number(base), rate);
        months.set(k, m);
        if (currency === 'USD') total += COMMISSION(Number(base), rate);
      }
      assert.deepEqual(e.months.map((m) => [`${m.month} ${m.currency}`, m.conversions, m.base_minor, m.commission_minor, m.rate_bp, m.final]),
        [...months].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, m]) => [k, m.conversions, m.base, m.commission, m.rate, m.final]), `seed ${seed}: months of ${a.id}`);
      // Σ commission = pending + approved + carried + paid (carried ≤ 0).
      const b = e.balances.find((x) => x.currency === 'USD') ?? { pending_minor: 0, approved_minor: 0, carried_minor: 0, paid_minor: 0 };
      assert.equal(b.pending_minor + b.approved_minor + b.carried_minor + b.paid_minor, total, `seed ${seed}: balances of ${a.id}`);
      // Paid: the payout ledger's net, which is what PayPal paid and did not return.
      const net = Number(dbQuery(w.server, `SELECT COALESCE(sum(amount_minor), 0) FROM aff_payout_ledger WHERE affiliate_id = ${id} AND currency = 'USD'`));
      assert.equal(b.paid_minor, net, `seed ${seed}: paid of ${a.id}`);
      for (const c of e.commissions) assert.ok(c.base_minor >= 0 && c.commission_minor >= 0, `seed ${seed}`);
    }
  }

  test(`random charges, renewals, refunds, chargebacks, orders, held and replayed webhooks, month closes, payouts (seed ${seed})`, async () => {
    const rand = prng(seed);
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const affs = [await affiliate('p-a'), await affiliate('p-b'), await affiliate('p-c', { payout: false })];
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await referred(pick(affs), `p-ref${i}`));
    const stranger = await w.person('p-stranger');
    people.push(stranger);
    const seller = await w.seller('p-seller');
    const orders = [];
    let months = 0;
    for (let step = 0; step < 30; step++) {
      const roll = rand();
      const money = (await w.sim.record()).money.filter((m) => m.provider === 'paypal');
      // Subscription sales (an order's capture is refunded by cancelling the order).
      const subs = new Set(dbQuery(w.server, 'SELECT provider_id FROM subscriptions WHERE provider_id IS NOT NULL').split('\n'));
      const charges = money.filter((m) => m.kind === 'charge' && subs.has(m.parent_id));
      if (roll < 0.25) {
        // A Plus checkout by someone not subscribed, its webhooks sometimes held and released in reverse, or duplicated.
        const free = [];
        for (const p of people) if (['cancelled', 'expired', undefined].includes((await p.c.get('/api/v1/billing')).body.subscription?.status)) free.push(p);
        if (!free.length) continue;
        const mode = pick(['deliver', 'duplicate', 'hold']);
        await w.sim.delivery(mode);
        const p = pick(free);
        const r = await p.c.post('/api/v1/billing/checkout', { plan: pick(['plus_monthly', 'plus_yearly']), provider: 'paypal', country: 'US' });
        if (r.status === 409 && r.body.error.code === 'conflict') continue; // its last checkout is still being applied
        assert.equal(r.status, 201, `seed ${seed}: ${JSON.stringify(r.body)}`);
        const pid = providerIdOf(r.body.checkout.id);
        await w.sim.approve('paypal', pid);
        if (mode === 'hold' && rand() < 0.5) {
          // A refund whose webhook comes before its sale's: applied once the sale is booked.
          const sale = (await w.sim.record()).money.find((m) => m.parent_id === pid && m.kind === 'charge');
          if (sale) await w.sim.refund('paypal', sale.txn_id, Math.max(1, Math.floor(sale.gross_minor * rand())));
        }
        if (mode === 'hold') await w.sim.release('reverse');
        await w.sim.delivery('deliver');
      } else if (roll < 0.45 && charges.length) {
        // A refund, part or all of what is left, sometimes before its charge's webhook is applied (held, reversed).
        const c = pick(charges);
        const back = money.filter((m) => m.parent_id === c.txn_id && m.kind !== 'charge');
        const left = c.gross_minor - back.reduce((s, m) => s + m.gross_minor, 0);
        if (left <= 0 || back.some((m) => m.kind === 'chargeback')) continue;
        await w.sim.refund('paypal', c.txn_id, rand() < 0.5 ? left : Math.max(1, Math.floor(left * rand())));
      } else if (roll < 0.55 && charges.length) {
        const c = pick(charges);
        if (money.some((m) => m.parent_id === c.txn_id && m.kind !== 'charge')) continue;
        await w.sim.chargeback('paypal', c.txn_id);
      } else if (roll < 0.75) {
        // A marketplace order paid by someone (our 10 % fee), sometimes cancelled and refunded.
        const b = pick(people);
        const l = await w.listing(seller, { price_minor: 1000 + Math.floor(rand() * 200000) });
        const adr = await w.address(b, { name: 'Ana', street: 'Rua 1', city: 'Recife' });
        const o = await w.checkoutOne(b, l.id, { address: adr.id, delivery: { [seller.id]: 'pickup' } });
        await w.pay(b, o);
        orders.push({ b, o });
      } else if (roll < 0.82 && orders.length) {
        const { b, o } = pick(orders);
        const r = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
        assert.ok(r.status === 200 || r.status === 409, `seed ${seed}: ${JSON.stringify(r.body)}`);
      } else if (roll < 0.92 && months < 3) {
        // A month on (and the hold over): renewals charged, months closed, payouts made and processed.
        months++;
        await settled();
        await later(32 * DAY);
        await w.sim.bill();
        await until('payouts gathered', async () => dbQuery(w.server, "SELECT count(*) FROM market_payouts WHERE state = 'pending'") === '0');
        await w.sim.processPayouts();
      } else {
        await settled();
        await agree(affs);
      }
    }
    // The end: a month on, every month closed and every approved balance paid out.
    await w.sim.delivery('deliver');
    await settled();
    await later(32 * DAY);
    await until('payouts gathered', async () => dbQuery(w.server, "SELECT count(*) FROM market_payouts WHERE state = 'pending'") === '0');
    await w.sim.processPayouts();
    await settled();
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM (SELECT DISTINCT affiliate_id, month FROM aff_commissions WHERE NOT EXISTS
      (SELECT 1 FROM aff_months m WHERE m.affiliate_id = aff_commissions.affiliate_id AND m.month = aff_commissions.month)) x`), '0', `seed ${seed}: every month closed`);
    const want = expected();
    const have = ours();
    assert.ok(want.size > 0, `seed ${seed}: the history earned commissions`);
    assert.deepEqual(new Map([...have].sort()), new Map([...want].sort()), `seed ${seed}: Σ base per charge = the platform's net earnings from referred people inside their 12 months`);
    assert.ok([...have.values()].some((x) => x.base > 0), `seed ${seed}`);
    await agree(affs);
    assert.equal(dbQuery(w.server, "SELECT count(*) FROM aff_commissions GROUP BY movement HAVING count(*) > 1"), '', 'once per movement');
  });
});

describe(`the upgrade to schema ${MONEY_VERSION}: the commission ledger and affiliate payouts`, () => {
  // A seller's payout item made before: it stays a seller's.
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO market_payouts (id, currency, state, total_minor, items, created_at, updated_at, checked_at) VALUES (1, 'USD', 'pending', 500, 1, 1, 1, 1);
    INSERT INTO market_payout_items (id, payout_id, seller_id, receiver, amount_minor, currency, state, created_at, updated_at) VALUES (1, 1, 1, 'ann@example.test', 500, 'USD', 'pending', 1, 1);`;
  const after = `INSERT INTO aff_commissions (affiliate_id, referred_id, kind, source, movement, charge, base_minor, currency, month, at, release_at)
      VALUES (1, 2, 'accrual', 'subscription', 'paypal:S1', 'paypal:S1', 100, 'USD', '1970-01', 5, 6);
    INSERT INTO aff_months (affiliate_id, month, active, rate_bp, closed_at) VALUES (1, '1970-01', 0, 2500, 7);`;
  const check = `SELECT (SELECT payee FROM market_payout_items WHERE id = 1) || ' ' || (SELECT count(*) FROM aff_commissions) || ' ' || (SELECT count(*) FROM aff_months) || ' ' || (SELECT count(*) FROM aff_payout_ledger) AS v`;

  test('SQLite: a file one version older gains the tables, its seller payouts kept as sellers\'', async () => {
    assert.ok(MONEY_VERSION > 0, 'a migration makes aff_commissions');
    const { tmp, data, sql, migrations: m } = await oldDatabase('affmoney', MONEY_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql(check), 'seller 0 0 0');
      sql(after);
      assert.equal(sql(check), 'seller 1 1 0');
      assert.match(spawnFails(() => sql('DELETE FROM aff_commissions')), /append-only/);
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-affmoney-pg-'));
    const pg = await createDatabase('pa_affmoney_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, MONEY_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${MONEY_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, check), [{ v: 'seller 0 0 0' }]);
        await runSql(pg.url, after);
        assert.deepEqual(await query(pg.url, check), [{ v: 'seller 1 1 0' }]);
        await assert.rejects(runSql(pg.url, 'DELETE FROM aff_commissions'), /append-only/);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

/** t (Unix seconds) plus months, clamped to the month's length (pa_billing_add_months). */
function addMonths(t, months) {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear(), m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

/** The message of what fn throws (it must throw). */
function spawnFails(fn) {
  try {
    fn();
  } catch (e) {
    return String(e.stderr ?? e.message);
  }
  assert.fail('it was refused');
}
