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

/** Stops the server and starts it again with the clock moved on by secs. */
const later = async (secs) => {
  await w.restart(w.offset + secs);
  for (const c of w.clients) if (c.mail) await c.login(c.mail, PASSWORD);
};
const now = () => Math.floor(Date.now() / 1000) + w.offset;

/** A person who joined the affiliate program (POST /affiliate), their payout email set when payout. */
async function affiliate(tag, { payout = true } = {}) {
  const p = await w.person(tag);
  p.c.mail = p.mail;
  p.code = `c${++uniq}x${process.pid}`.slice(0, 16);
  dbQuery(w.server, `INSERT INTO affiliates (user_id, code, kind, joined_at) VALUES (${p.id.slice(2)}, '${p.code}', 'person', ${now()})`); // TEMP
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
  c.mail = email(`${tag}${++uniq}`);
  const r = await c.post('/api/v1/auth/signup', { email: c.mail, password: PASSWORD, display_name: tag });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.user.id.slice(2);
  dbQuery(w.server, `INSERT INTO aff_referrals (referred_id, affiliate_id, clicked_at, attributed_at, state, source_hash) VALUES (${id}, ${a.id.slice(2)}, ${now()}, ${now()}, 'attributed', '${'0c'.repeat(16)}')`); // TEMP
  assert.equal(dbQuery(w.server, `SELECT affiliate_id || ' ' || state FROM aff_referrals WHERE referred_id = ${id}`), `${a.id.slice(2)} attributed`);
  return { c, id: r.body.user.id, mail: c.mail };
}

/** Our checkout's subscription at PayPal, as the database holds it. */
const providerIdOf = (co) => dbQuery(w.server, `SELECT provider_id FROM subscriptions WHERE id = ${co.slice(3)}`);

/** p buys plan through the simulated PayPal and waits for Plus: the sale's movement at the sim. */
async function buyPlus(p, plan = 'plus_yearly') {
  const r = await p.c.post('/api/v1/billing/checkout', { plan, provider: 'paypal', country: 'US' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const pid = providerIdOf(r.body.checkout.id);
  await w.sim.approve('paypal', pid);
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

/** The message of what fn throws (it must throw). */
function spawnFails(fn) {
  try {
    fn();
  } catch (e) {
    return String(e.stderr ?? e.message);
  }
  assert.fail('it was refused');
}
