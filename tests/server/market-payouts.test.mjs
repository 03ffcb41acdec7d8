// Payouts to PayPal sellers in batches, and the seller's dashboard (issue
// 20, item 5; web/src/payouts.h, web/src/store/payouts.h): after the hold,
// the worker pays every PayPal seller's available balance at or above the
// currency's minimum in one PayPal Payouts batch (the amount exactly the
// balance: our fee was taken at payment), once however its answer is lost
// (a fault of the simulator, then a restart while the call is out); a
// balance one unit below the minimum waits; what PayPal could not pay
// (failed, unclaimed then returned after 30 days) comes back to the
// balance once, whatever the order and repetition of the webhooks, and the
// batch is read back when its webhooks never come; every route's
// authorization and its page limit at the edge; the upgrade from the
// schema before on both engines. One server (and one simulator) for the
// file, restarted to move the clock. Runs on SQLite and on PostgreSQL
// (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { PASSWORD, marketWorld } from './market-world.mjs';

const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS
const POLL = 3600; // PA_PAYOUTS_POLL_SECONDS
const SCAN = 3600; // PA_PAYOUTS_SCAN_SECONDS: balances gathered this often when no order completed
const UNCLAIMED_DAYS = 30; // PayPal returns an unclaimed payout after this (web/paysim/payouts.mjs)
const MIN_USD = 100; // pa_payouts_minimum("USD")
const LIST_MAX = 100; // PA_API_LIST_MAX: ?limit= of GET /api/v1/market/payouts
const ITEMS_MAX = 100; // PA_PAY_PAYOUT_ITEMS_MAX: items of one batch
const BEDS_FEE_BPS = 1000; // the beds category's fee (web/src/market_rules.c)
const PAYOUTS_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE market_payouts')) + 1;

// A lost answer costs the worker PA_PAY_TIMEOUT_MS: short here.
const w = marketWorld({
  env: { PA_PAY_TIMEOUT_MS: '2000' },
  photoSize: [2, 4],
  listing: {
    title: 'Dog bed', currency: 'USD', stock: 50, condition: 'new', kind: 'product',
    category: 'beds', species: ['dog'], location: { city: 'Recife', country: 'BR' },
    shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true },
  },
});
const { person } = w;
let payoutMails = 0;

/** Stops the server and starts it again on the same data with the clock moved on by secs (between: what the simulator does meanwhile). */
const later = (secs, between) => w.restart(w.offset + secs, between);

/** Every webhook the simulator sent was taken and applied by the server. */
async function settled() {
  await until('the webhooks delivered', async () => (await w.sim.deliveries()).every((d) => d.delivered || d.dropped || d.held));
  await until('the webhooks applied', async () => dbQuery(w.server, 'SELECT count(*) FROM pay_events WHERE done_at IS NULL') === '0');
}

/** A PayPal seller paid at p.payout, an address of this process's own. */
const seller = (tag) => w.seller(tag, { payout: `pay.${tag}${++payoutMails}.${process.pid}@example.test` });

/** The seller's share of one unit at price (beds: 10 %, rounded down). */
const share = (price) => price - Math.floor((price * BEDS_FEE_BPS) / 10000);

/** One unit of a new listing of s at price, bought by b, paid, shipped and delivered: the order. */
async function delivered(s, b, price) {
  const l = await w.listing(s, { price_minor: price });
  const adr = await w.address(b, { name: 'Ana', street: 'Rua 1', city: 'Recife' });
  // Picked up (free): the order's total is the price, so the payouts' figures are the items'.
  const paid = await w.pay(b, await w.checkoutOne(b, l.id, { address: adr.id, delivery: { [s.id]: 'pickup' } }));
  assert.equal(paid.total_minor, price);
  await w.ship(s, paid);
  await w.deliver(b, paid);
  return paid;
}

async function dashboard(p) {
  const r = await p.c.get('/api/v1/market/dashboard');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** p's USD balance as [pending, available, in flight, paid out]. */
async function usd(p) {
  const b = (await dashboard(p)).balances.find((x) => x.currency === 'USD');
  assert.ok(b, 'a USD balance');
  return [b.pending_minor, b.available_minor, b.in_flight_minor, b.paid_out_minor];
}

async function payouts(p) {
  const r = await p.c.get('/api/v1/market/payouts');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.payouts;
}

/** p's payout notices (kind order, detail.step payout_*), oldest first: "poi_N step". */
async function payoutNotices(p) {
  const r = await p.c.get('/api/v1/notifications?limit=50');
  assert.equal(r.status, 200);
  return r.body.notifications.filter((n) => n.kind === 'order' && n.detail.step.startsWith('payout_'))
    .map((n) => `${n.detail.payout} ${n.detail.step} ${n.detail.total_minor} ${n.detail.currency}`).reverse();
}

const simPayouts = async () => (await w.sim.record()).money.filter((m) => m.provider === 'paypal' && m.kind === 'payout');
const batchesMade = async () => (await w.sim.record()).creates.paypal_payouts ?? 0;
const batchStates = () => dbQuery(w.server, 'SELECT state FROM market_payouts ORDER BY id').split('\n').filter(Boolean);

before(w.open);
after(w.close);

describe('payouts', () => {
  test('completed orders are paid out in one batch, exactly the available balance, once after a lost answer and after a restart mid-round; one unit below the minimum waits', async () => {
    const a = await seller('po-a');
    const bb = await seller('po-b');
    const e = await seller('po-e'); // exactly the minimum
    const d = await seller('po-d'); // one unit below it
    const buyer = await person('po-buyer');
    // 111 → 100 (fee 11) and 110 → 99 (fee 11): the minimum's edge.
    assert.deepEqual([share(111), share(110)], [MIN_USD, MIN_USD - 1]);
    await delivered(a, buyer, 4000);
    await delivered(a, buyer, 4000);
    await delivered(bb, buyer, 2500);
    await delivered(e, buyer, 111);
    await delivered(d, buyer, 110);
    assert.deepEqual(await usd(a), [2 * share(4000), 0, 0, 0], 'pending until the hold ends');
    const dash = await dashboard(a);
    assert.equal(dash.orders.delivered, 2);
    assert.equal(dash.orders.completed, 0);
    const made = await batchesMade();
    // The first answer is lost: PayPal made the batch, the worker never heard.
    await w.sim.faults({ method: 'POST', path: '^/v1/payments/payouts$', action: 'after-timeout', times: 1 });
    await later(HOLD + 120);
    await until('the batch acknowledged', async () => batchStates().join() === 'sent');
    assert.equal(await batchesMade(), made + 1, 'sent again under the same id: PayPal made one batch');
    assert.deepEqual(await usd(a), [0, 0, 2 * share(4000), 0], 'the whole available balance, nothing taken off');
    assert.deepEqual(await usd(bb), [0, 0, share(2500), 0]);
    assert.deepEqual(await usd(e), [0, 0, MIN_USD, 0], 'the minimum itself is paid');
    assert.deepEqual(await usd(d), [0, MIN_USD - 1, 0, 0], 'below the minimum: kept for later');
    assert.equal((await dashboard(a)).orders.completed, 2);
    const [pa] = await payouts(a);
    assert.deepEqual([pa.state, pa.amount_minor, pa.currency, pa.receiver, pa.error], ['pending', 2 * share(4000), 'USD', a.payout, null]);
    assert.match(pa.id, /^poi_[1-9][0-9]*$/);
    assert.match(pa.batch, /^pob_[1-9][0-9]*$/);
    assert.deepEqual((await payouts(bb)).map((p) => p.batch), [pa.batch], 'one batch for every seller');
    assert.deepEqual(await payouts(d), []);
    // "Download my data" has them.
    const exported = (await a.c.get('/api/v1/me/export')).body;
    assert.deepEqual(exported.payouts.map((p) => [p.id, p.batch, p.state, p.amount_minor, p.currency, p.receiver]),
      [[pa.id, pa.batch, 'pending', 2 * share(4000), 'USD', a.payout]]);
    // PayPal pays; its webhooks come twice each: applied once.
    await w.sim.delivery('duplicate');
    await w.sim.processPayouts();
    await until('a paid out', async () => (await usd(a))[3] === 2 * share(4000));
    await until('e paid out', async () => (await usd(e))[3] === MIN_USD);
    await until('the batch done', async () => batchStates().join() === 'done');
    assert.deepEqual((await simPayouts()).map((m) => m.gross_minor).sort((x, y) => x - y), [MIN_USD, share(2500), 2 * share(4000)], 'each seller paid once');
    assert.deepEqual(await usd(a), [0, 0, 0, 2 * share(4000)]);
    assert.deepEqual(await payoutNotices(a), [`${pa.id} payout_paid ${2 * share(4000)} USD`], 'told once');
    assert.equal((await payouts(a))[0].state, 'paid');
    await w.sim.delivery('deliver');

    // A restart while the call is out: both answers PayPal gives before it are lost.
    await delivered(bb, buyer, 2500);
    const before2 = await batchesMade();
    await w.sim.faults({ method: 'POST', path: '^/v1/payments/payouts$', action: 'after-timeout', times: 2 });
    await later(HOLD + 120);
    await until('PayPal made the second batch', async () => (await batchesMade()) === before2 + 1);
    await stopServer(w.server);
    assert.equal(batchStates().join(), 'done,pending', 'the answer never came: still ours to send');
    await w.start(w.server.dir);
    await until('the second batch acknowledged', async () => batchStates().join() === 'done,sent');
    assert.equal(await batchesMade(), before2 + 1, 'sent again after the restart under the same id: one batch');
    assert.deepEqual(await usd(bb), [0, 0, share(2500), share(2500)]);
    await w.sim.processPayouts();
    await until('b paid out twice', async () => (await usd(bb))[3] === 2 * share(2500));
    await settled();
    assert.equal((await simPayouts()).filter((m) => m.gross_minor === share(2500)).length, 2, 'one payout per batch, no more');
    // The ledger: a seller's payables = net payouts + balance; append-only.
    for (const p of [a, bb, e, d]) {
      const payables = Number(dbQuery(w.server, `SELECT sum(g.amount_minor) FROM market_ledger g WHERE g.kind = 'seller_payable' AND g.seller_id = ${p.id.slice(2)}`));
      const out = Number(dbQuery(w.server, `SELECT COALESCE(sum(amount_minor), 0) FROM market_payout_ledger WHERE seller_id = ${p.id.slice(2)}`));
      const [pending, available, inFlight, paidOut] = await usd(p);
      assert.equal(payables, out + pending + available, p.id);
      assert.equal(out, inFlight + paidOut, p.id);
    }
    assert.throws(() => dbQuery(w.server, 'UPDATE market_payout_ledger SET amount_minor = 1'), /append-only/);
    assert.throws(() => dbQuery(w.server, 'DELETE FROM market_payout_ledger'), /append-only/);
  });

  test('failed and unclaimed-then-returned payouts come back to the balance once, in any order of the webhooks; a batch whose webhooks never come is read back', async () => {
    const f = await seller('po-f'); // unclaimed, returned after 30 days
    const g = await seller('po-g'); // failed
    const h = await seller('po-h'); // paid, its webhooks held: the poll finds it
    const buyer = await person('po-buyer2');
    await w.sim.payoutReceiver(f.payout, 'unclaimed');
    await w.sim.payoutReceiver(g.payout, 'failed');
    await delivered(f, buyer, 3000);
    await delivered(g, buyer, 2000);
    await delivered(h, buyer, 1000);
    const batches = batchStates().length;
    await later(HOLD + 120);
    await until('the batch acknowledged', async () => batchStates().length === batches + 1 && batchStates().at(-1) === 'sent');
    assert.deepEqual((await payouts(f)).map((p) => p.batch), (await payouts(h)).map((p) => p.batch));
    // Every webhook from now on is held; after 30 days PayPal returns f's.
    await w.sim.delivery('hold');
    await w.sim.processPayouts();
    await later(UNCLAIMED_DAYS * 86400 + POLL, async () => {
      assert.equal((await w.sim.processPayouts()).returned.length, 1);
    });
    // Sessions end after 30 days: signed in again.
    for (const p of [f, g, h]) await p.c.login(p.mail, PASSWORD);
    // No webhook came: the worker reads the batch back (PA_PAYOUTS_POLL_SECONDS after its last reading).
    await until('h paid by the poll', async () => (await usd(h))[3] === share(1000));
    await until('f back', async () => (await usd(f))[1] === share(3000));
    await until('g back', async () => (await usd(g))[1] === share(2000));
    await until('the batch done', async () => batchStates().at(-1) === 'done');
    assert.deepEqual([(await payouts(f))[0].state, (await payouts(g))[0].state, (await payouts(h))[0].state], ['returned', 'returned', 'paid']);
    assert.equal((await payouts(g))[0].error, 'RECEIVER_ACCOUNT_LOCKED');
    // The held webhooks, newest first: RETURNED before UNCLAIMED, FAILED again … nothing moves twice.
    await w.sim.delivery('deliver');
    assert.ok((await w.sim.release('reverse')).released >= 4);
    await settled();
    assert.deepEqual(await usd(f), [0, share(3000), 0, 0]);
    assert.deepEqual(await usd(g), [0, share(2000), 0, 0]);
    assert.deepEqual(await usd(h), [0, 0, 0, share(1000)]);
    const [fi] = await payouts(f);
    assert.deepEqual(await payoutNotices(f), [`${fi.id} payout_returned ${share(3000)} USD`], 'told once; the late UNCLAIMED changes nothing');
    assert.deepEqual(await payoutNotices(g), [`${(await payouts(g))[0].id} payout_returned ${share(2000)} USD`]);
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_payout_ledger WHERE event = 'returned' AND seller_id IN (${f.id.slice(2)}, ${g.id.slice(2)})`), '2');
    // A receiver PayPal could not pay is not sent to again until the seller saves their payout account.
    g.payout = `new.${g.payout}`;
    await w.sim.payoutReceiver(g.payout, 'success');
    assert.equal((await g.c.put('/api/v1/me/seller', { name: 'Shop po-g', payout: { provider: 'paypal', email: g.payout } })).status, 200);
    await later(SCAN);
    await until('g paid to the new address', async () => (await payouts(g)).length === 2);
    const [again] = await payouts(g);
    assert.deepEqual([again.receiver, again.amount_minor, again.state], [g.payout, share(2000), 'pending']);
    assert.equal((await payouts(f)).length, 1, 'f did not save theirs: not sent again');
  });
});

describe('the batch size', () => {
  test(`at most ${ITEMS_MAX} items a batch: the ${ITEMS_MAX + 1}th seller goes in the next; a Mercado Pago seller is never paid by us`, async () => {
    // A Mercado Pago seller with a completed split order (Mercado Pago releases it to them).
    const mp = await person('po-mp');
    assert.equal((await mp.c.put('/api/v1/me/seller', { name: 'Shop mp', payout: { provider: 'mercadopago' } })).status, 201);
    const mpId = mp.id.slice(2);
    // 101 PayPal sellers with a completed EUR order each, written straight into the database in one
    // transaction (through HTTP this would be 101 sign-ups, listings and checkouts).
    dbQuery(w.server, `BEGIN;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ITEMS_MAX + 1})
        INSERT INTO users (handle, name, email, created_at) SELECT 'bulkpo' || i, 'Bulk ' || i, 'bulkpo' || i || '@example.test', 1 FROM n;
      INSERT INTO sellers (user_id, name, provider, paypal_email, created_at, updated_at)
        SELECT id, name, 'paypal', 'pay.' || handle || '@example.test', 1, 1 FROM users WHERE handle LIKE 'bulkpo%';
      INSERT INTO market_checkouts (buyer_id, created_at) VALUES (NULL, 1);
      INSERT INTO market_orders (checkout_id, position, buyer_id, seller_id, state, provider, currency, total_minor, fee_minor,
          address, idem_key, created_at, updated_at, pay_by, paid_at, closed_at)
        SELECT (SELECT max(id) FROM market_checkouts), u.id, NULL, u.id, 'completed', 'paypal', 'EUR', 1000, 100, '{}',
          'bulkpo-idem-key-' || u.id, 1, 1, 1, 1, 1 FROM users u WHERE u.handle LIKE 'bulkpo%';
      INSERT INTO market_ledger (order_id, seller_id, event, kind, amount_minor, currency, at)
        SELECT id, seller_id, 'paid', 'buyer_payment', 1000, 'EUR', 1 FROM market_orders WHERE idem_key LIKE 'bulkpo-idem-key-%';
      INSERT INTO market_ledger (order_id, seller_id, event, kind, amount_minor, currency, at)
        SELECT id, seller_id, 'paid', 'platform_fee', 100, 'EUR', 1 FROM market_orders WHERE idem_key LIKE 'bulkpo-idem-key-%';
      INSERT INTO market_ledger (order_id, seller_id, event, kind, amount_minor, currency, at)
        SELECT id, seller_id, 'paid', 'seller_payable', 900, 'EUR', 1 FROM market_orders WHERE idem_key LIKE 'bulkpo-idem-key-%';
      INSERT INTO market_orders (checkout_id, position, buyer_id, seller_id, state, provider, currency, total_minor, fee_minor,
          address, idem_key, created_at, updated_at, pay_by, paid_at, closed_at)
        VALUES ((SELECT max(id) FROM market_checkouts), 0, NULL, ${mpId}, 'completed', 'mercadopago', 'BRL', 10000, 1000, '{}',
          'bulkpo-mp-idem-key-1', 1, 1, 1, 1, 1);
      INSERT INTO market_ledger (order_id, seller_id, event, kind, amount_minor, currency, at)
        SELECT id, seller_id, 'paid', k.kind, k.amount, 'BRL', 1 FROM market_orders,
          (SELECT 'buyer_payment' AS kind, 10000 AS amount UNION ALL SELECT 'platform_fee', 1000
           UNION ALL SELECT 'seller_payable', 9000) k WHERE idem_key = 'bulkpo-mp-idem-key-1';
      COMMIT;`);
    // No order completed: the balances are gathered when PA_PAYOUTS_SCAN_SECONDS have passed; a full
    // batch has the next round gather again.
    await later(SCAN);
    const eur = () => dbQuery(w.server, "SELECT items, state, total_minor FROM market_payouts WHERE currency = 'EUR' ORDER BY id");
    await until('two EUR batches sent', async () => /^100\|(sent|done)\|90000\n1\|(sent|done)\|900$/.test(eur()));
    const last = dbQuery(w.server, "SELECT max(id) FROM users WHERE handle LIKE 'bulkpo%'");
    assert.equal(dbQuery(w.server, `SELECT p.items FROM market_payout_items i JOIN market_payouts p ON p.id = i.payout_id WHERE i.seller_id = ${last}`), '1', 'the last seller by id waited for the next batch');
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_payout_items WHERE seller_id = ${mpId} OR currency = 'BRL'`), '0', 'Mercado Pago pays its sellers');
    const [brl] = (await dashboard(mp)).balances;
    assert.deepEqual(brl, { currency: 'BRL', pending_minor: 0, available_minor: 0, in_flight_minor: 0, paid_out_minor: 9000, payout_minimum_minor: 500 });
  });
});

describe('the seller dashboard and payouts routes', () => {
  test('the viewer\'s own: no session 401, not a seller 409, nobody else\'s numbers; sales by month; the page limit at its edge', async () => {
    const s = await seller('dash-s');
    const other = await seller('dash-o');
    const nobody = await person('dash-n');
    const buyer = await person('dash-b');
    const anon = new Client(w.server);
    for (const route of ['/api/v1/market/dashboard', '/api/v1/market/payouts']) {
      assertError(await anon.get(route), 401, 'unauthorized');
      assertError(await nobody.c.get(route), 409, 'not_a_seller');
    }
    const o = await delivered(s, buyer, 5000);
    const mine = await dashboard(s);
    assert.deepEqual(mine.balances, [{ currency: 'USD', pending_minor: share(5000), available_minor: 0, in_flight_minor: 0, paid_out_minor: 0, payout_minimum_minor: MIN_USD }]);
    assert.deepEqual(mine.orders, { awaiting_payment: 0, paid: 0, shipped: 0, delivered: 1, completed: 0, cancelled: 0 });
    assert.equal(mine.sales.length, 12, 'twelve months, this one last');
    const month = mine.sales.at(-1);
    assert.equal(mine.since, mine.sales[0].month);
    assert.deepEqual([month.currency, month.orders, month.total_minor, month.fee_minor, month.net_minor], ['USD', 1, 5000, 5000 - share(5000), share(5000)]);
    assert.ok(mine.sales.slice(0, 11).every((m) => m.orders === 0 && m.total_minor === 0));
    assert.equal(o.total_minor, 5000);
    // Another seller sees their own (nothing), never s's.
    const theirs = await dashboard(other);
    assert.deepEqual([theirs.balances, theirs.sales, theirs.orders.delivered], [[], [], 0]);
    assert.deepEqual(await payouts(other), []);
    // The page: ?limit= 1..100.
    assert.equal((await s.c.get(`/api/v1/market/payouts?limit=${LIST_MAX}`)).status, 200);
    assertError(await s.c.get(`/api/v1/market/payouts?limit=${LIST_MAX + 1}`), 400, 'bad_request');
    assertError(await s.c.get('/api/v1/market/payouts?limit=0'), 400, 'bad_request');
    assertError(await s.c.get('/api/v1/market/payouts?cursor=nope'), 400, 'bad_request');
  });

  test('payouts page newest first with a cursor', async () => {
    const s = await seller('page-s');
    const buyer = await person('page-b');
    await delivered(s, buyer, 1000);
    await later(HOLD + 120);
    await until('the first payout', async () => (await payouts(s)).length === 1);
    await delivered(s, buyer, 1200);
    await later(HOLD + 120);
    await until('the second payout', async () => (await payouts(s)).length === 2);
    const p1 = (await s.c.get('/api/v1/market/payouts?limit=1')).body;
    assert.equal(p1.payouts.length, 1);
    assert.equal(p1.payouts[0].amount_minor, share(1200), 'newest first');
    assert.ok(p1.next_cursor);
    const p2 = (await s.c.get(`/api/v1/market/payouts?limit=1&cursor=${encodeURIComponent(p1.next_cursor)}`)).body;
    assert.deepEqual([p2.payouts.length, p2.payouts[0].amount_minor, p2.next_cursor], [1, share(1000), null]);
  });
});

describe(`the payouts schema upgrade (version ${PAYOUTS_VERSION})`, () => {
  test(`a SQLite database at version ${PAYOUTS_VERSION - 1} is upgraded in place`, async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('payouts', PAYOUTS_VERSION - 1);
    sql("INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);");
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('market_payouts', 'market_payout_items', 'market_payout_ledger')"), '3');
      sql(`INSERT INTO market_payouts (currency, state, total_minor, items, created_at, updated_at, checked_at) VALUES ('USD', 'pending', 100, 1, 1, 1, 1);
        INSERT INTO market_payout_items (payout_id, seller_id, receiver, amount_minor, currency, state, created_at, updated_at) VALUES (1, 1, 'a@b.c', 100, 'USD', 'pending', 1, 1);
        INSERT INTO market_payout_ledger (item_id, seller_id, event, amount_minor, currency, at) VALUES (1, 1, 'sent', 100, 'USD', 1);`);
      assert.throws(() => sql("INSERT INTO market_payout_ledger (item_id, seller_id, event, amount_minor, currency, at) VALUES (1, 1, 'sent', 100, 'USD', 2);"));
      assert.throws(() => sql('UPDATE market_payout_ledger SET amount_minor = 5;'), /append-only/);
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test(`a PostgreSQL database at version ${PAYOUTS_VERSION - 1} gets the tables from pa_pg_migrations`, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-payouts-pg-'));
    const pg = await createDatabase('pa_payouts_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, PAYOUTS_VERSION - 1 - baseVersion).join('\n')}
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
        UPDATE pa_schema SET version = ${PAYOUTS_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, `INSERT INTO market_payouts (currency, state, total_minor, items, created_at, updated_at, checked_at) VALUES ('USD', 'pending', 100, 1, 1, 1, 1);
          INSERT INTO market_payout_items (payout_id, seller_id, receiver, amount_minor, currency, state, created_at, updated_at) VALUES (1, 1, 'a@b.c', 100, 'USD', 'pending', 1, 1);
          INSERT INTO market_payout_ledger (item_id, seller_id, event, amount_minor, currency, at) VALUES (1, 1, 'sent', 100, 'USD', 1);`);
        await assert.rejects(runSql(pg.url, 'UPDATE market_payout_ledger SET amount_minor = 5;'), /append-only/);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM market_payout_ledger'), [{ n: '1' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
