// Shipping in an order's total (issue 20, item 3; web/src/market_ship.h) and
// the checkout fixes beside it: each rule at its edge through the cart's
// quote (GET /cart?address=) and through checkout — a zone named with the
// address's country code wins over the listing's domestic rates, the
// cheapest of those otherwise, a foreign address no zone serves refused
// (no_shipping, nothing reserved), pickup only when asked and offered, a
// service's area by city (case-folded) in its country, several lines of one
// seller charged their dearest rate once — the totals (items + shipping, the
// fee on the items) and the ledger balanced; the quote's and the delivery
// member's authorization and edges; a Mercado Pago refund after the seller
// disconnected refused clearly with the order unchanged, then made once they
// connect again; PayPal not configured refusing only its sellers; and the
// upgrade from the version before on both engines. One server and one
// simulator for the file (restarted once, without PayPal). Runs on SQLite
// and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { marketWorld, sum } from './market-world.mjs';

const CART_LINES_MAX = 50; // PA_CART_LINES_MAX: a checkout's delivery names at most this many sellers
const KEY = 'c4'.repeat(32); // PA_SECRETS_KEY: seals the Mercado Pago sellers' grants

const w = marketWorld({
  env: { PA_SECRETS_KEY: KEY },
  mercadopago: true,
  clock: false,
  photoSize: [3, 3],
  listing: {
    title: 'Bowl', price_minor: 1000, currency: 'USD', stock: 5, condition: 'new', kind: 'product',
    category: 'accessories', species: ['dog'], location: { city: 'Porto Alegre', country: 'BR' },
  },
});
const { listing, person, put } = w;
const seller = (tag, provider) => w.seller(tag, { provider });
/** A new address of p's: its id. */
const address = async (p, extra) => (await w.address(p, extra)).id;

async function stockOf(lst) {
  return (await w.clients[0].get(`/api/v1/listings/${lst}`)).body.stock;
}

/** b's quote for address adr: seller → [[method, shipping_minor]…]. */
async function quote(b, adr) {
  const r = await b.c.get(`/api/v1/cart?address=${adr}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Object.fromEntries(r.body.shipping.map((s) => [s.seller, s.options.map((o) => [o.method, o.shipping_minor])]));
}


/**
 * Connects Mercado Pago seller s (the OAuth round through the simulator, site BR): a new Mercado
 * Pago account, or the one of userId connecting again. Its Mercado Pago user id.
 */
async function connectMp(s, userId) {
  const r = await s.c.post('/api/v1/me/seller/mercadopago/connect', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const q = new URL(r.body.url).searchParams;
  const out = await w.sim.mpAuthorize({ client_id: q.get('client_id'), redirect_uri: q.get('redirect_uri'), state: q.get('state'), decision: 'approve', country: 'BR', ...(userId ? { user_id: userId } : {}) });
  const back = new URL(out.redirect);
  const cb = await s.c.get(back.pathname + back.search);
  assert.equal(cb.status, 303);
  assert.equal(new URL(cb.headers.location).searchParams.get('mercadopago'), 'connected');
  return out.user_id;
}

before(w.open);
after(w.close);

describe('shipping rules', () => {
  const t = {};
  before(async () => {
    t.s1 = await seller('sh-s1');
    t.s2 = await seller('sh-s2');
    t.s3 = await seller('sh-s3');
    // A code beside cheaper domestic rates; domestic rates only; a foreign code with pickup; a service.
    t.code = await listing(t.s1, { price_minor: 1000, shipping: { zones: [{ name: 'BR', price_minor: 700 }, { name: 'Brazil', price_minor: 300 }] } });
    t.domestic = await listing(t.s1, { price_minor: 2000, shipping: { zones: [{ name: 'Brazil', price_minor: 300 }, { name: 'Nacional', price_minor: 200 }] } });
    t.foreign = await listing(t.s3, { price_minor: 1500, shipping: { zones: [{ name: 'ar', price_minor: 900 }], pickup: true } });
    t.service = await listing(t.s2, {
      price_minor: 3000, stock: 5, kind: 'service', condition: 'n/a', category: 'walking', shipping: { area: ['Porto Alegre', 'Canoas'] },
    });
  });

  test('the quote: a code over domestic rates, the cheapest domestic, several lines their dearest rate once, foreign zones, pickup, a service\'s area', async () => {
    const b = await person('sh-q');
    const br = await address(b);
    const ar = await address(b, { city: 'Canoas', country: 'AR' });
    const caps = await address(b, { city: 'PORTO ALEGRE' });
    const far = await address(b, { city: 'Curitiba' });
    await put(b, t.code.id);
    assert.deepEqual(await quote(b, br), { [t.s1.id]: [['ship', 700]] }, 'BR (the code) wins over the cheaper domestic Brazil');
    assert.deepEqual(await quote(b, ar), { [t.s1.id]: [] }, 'no zone serves AR, no pickup: nothing');
    await put(b, t.domestic.id, 2);
    const both = (await b.c.get(`/api/v1/cart?address=${br}`)).body;
    assert.deepEqual(both.shipping, [{ seller: t.s1.id, items_minor: 1000 + 2 * 2000, options: [{ method: 'ship', shipping_minor: 700 }] }], 'one parcel: the dearest rate (700), not 700 + 200');
    assert.equal(both.total_minor, 5000, 'the cart\'s total stays the items\'');
    assert.equal((await b.c.del(`/api/v1/cart/items/${t.code.id}`)).status, 200);
    assert.deepEqual(await quote(b, br), { [t.s1.id]: [['ship', 200]] }, 'the cheapest of the domestic rates');
    assert.deepEqual(await quote(b, ar), { [t.s1.id]: [] }, 'domestic rates serve the listing\'s own country only');
    await put(b, t.foreign.id);
    await put(b, t.service.id);
    assert.deepEqual(await quote(b, br), { [t.s1.id]: [['ship', 200]], [t.s3.id]: [['pickup', 0]], [t.s2.id]: [['service', 0]] });
    assert.deepEqual(await quote(b, ar), { [t.s1.id]: [], [t.s3.id]: [['ship', 900], ['pickup', 0]], [t.s2.id]: [] },
      'an ar zone (any case) serves AR; the service\'s Canoas is in BR, not AR');
    assert.deepEqual((await quote(b, caps))[t.s2.id], [['service', 0]], 'the city compared case-folded');
    assert.deepEqual((await quote(b, far))[t.s2.id], [], 'a city outside the area');
    // Without ?address the cart is as before: no quote.
    assert.equal((await b.c.get('/api/v1/cart')).body.shipping, undefined);
  });

  test('the quote\'s address: the viewer\'s own only (401 signed out, 404 another\'s or none, 400 malformed)', async () => {
    const b = await person('sh-qa');
    const other = await person('sh-qo');
    const theirs = await address(other);
    await put(b, t.code.id);
    assertError(await new Client(w.server).get(`/api/v1/cart?address=${theirs}`), 401, 'unauthorized');
    const r = await b.c.get(`/api/v1/cart?address=${theirs}`);
    assertError(r, 404, 'not_found');
    assert.equal(r.body.error.field, 'address');
    assertError(await b.c.get('/api/v1/cart?address=adr_999999999'), 404, 'not_found');
    for (const bad of ['adr_0', 'u_1', 'adr_x', ''])
      assertError(await b.c.get(`/api/v1/cart?address=${bad}`), 400, 'bad_request');
    assert.deepEqual(await quote(other, theirs), {}, 'an empty cart quotes nobody');
  });

  test('checkout charges them: items + shipping, the fee on the items, pickup when asked, no_shipping before anything is reserved; the ledger balanced', async () => {
    const b = await person('sh-co');
    const br = await address(b);
    await put(b, t.code.id, 2);
    await put(b, t.domestic.id);
    await put(b, t.foreign.id);
    await put(b, t.service.id);
    const stock = { foreign: await stockOf(t.foreign.id), code: await stockOf(t.code.id) };
    // Pickup from s3 (the only way its listing reaches BR); s1 ships, s2 serves.
    const r = await b.c.post('/api/v1/checkout', { address: br, delivery: { [t.s3.id]: 'pickup', [t.s2.id]: 'ship' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const by = Object.fromEntries(r.body.orders.map((o) => [o.seller, o]));
    // accessories: 10%; walking: 12% — of the items only.
    assert.deepEqual([by[t.s1.id].total_minor, by[t.s1.id].shipping_minor, by[t.s1.id].shipping_method, by[t.s1.id].fee_minor],
      [2 * 1000 + 2000 + 700, 700, 'ship', 400]);
    assert.deepEqual([by[t.s3.id].total_minor, by[t.s3.id].shipping_minor, by[t.s3.id].shipping_method, by[t.s3.id].fee_minor], [1500, 0, 'pickup', 150]);
    assert.deepEqual([by[t.s2.id].total_minor, by[t.s2.id].shipping_minor, by[t.s2.id].shipping_method, by[t.s2.id].fee_minor], [3000, 0, 'service', 360]);
    assert.deepEqual(r.body.refused, []);
    // The order as its seller sees it carries the same.
    const seen = (await t.s1.c.get(`/api/v1/orders/${by[t.s1.id].id}`)).body;
    assert.deepEqual([seen.shipping_minor, seen.shipping_method], [700, 'ship']);
    // Paid: buyer_payment = seller_payable (shipping included) + platform_fee.
    const o = by[t.s1.id];
    const paid = await w.pay(b, o);
    assert.deepEqual(paid.ledger.map((g) => [g.kind, g.amount_minor]),
      [['buyer_payment', 4700], ['platform_fee', 400], ['seller_payable', 4300]]);
    assert.equal((await w.sim.record()).money.filter((m) => m.kind === 'charge' && m.gross_minor === 4700).length, 1, 'the provider charged items + shipping');
    const c = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
    assert.equal(c.status, 200, JSON.stringify(c.body));
    const g = c.body.ledger;
    assert.deepEqual([sum(g, 'buyer_payment'), sum(g, 'refund'), sum(g, 'seller_payable'), sum(g, 'platform_fee')], [4700, 4700, 0, 0], 'the shipping refunded too');

    // Another buyer in AR: s1 reaches nothing there and s3's code serves it; s3 asked for shipping.
    const x = await person('sh-ar');
    const ar = await address(x, { city: 'Rosario', country: 'AR' });
    await put(x, t.code.id);
    await put(x, t.foreign.id);
    const before = await stockOf(t.code.id);
    const r2 = await x.c.post('/api/v1/checkout', { address: ar, delivery: { [t.s3.id]: 'ship' } });
    assert.equal(r2.status, 201, JSON.stringify(r2.body));
    assert.deepEqual(r2.body.orders.map((o2) => [o2.seller, o2.total_minor, o2.shipping_minor, o2.shipping_method]), [[t.s3.id, 1500 + 900, 900, 'ship']]);
    assert.deepEqual(r2.body.refused.map((f) => [f.seller, f.code]), [[t.s1.id, 'no_shipping']]);
    assert.match(r2.body.refused[0].message, new RegExp(t.code.title));
    assert.equal(await stockOf(t.code.id), before, 'nothing reserved for the refused seller');
    assert.deepEqual((await x.c.get('/api/v1/cart')).body.items.map((i) => i.listing), [t.code.id], 'its line stays in the cart');
    // Asking pickup of a seller whose line does not offer it refuses that seller whole; nothing reserved.
    const y = await person('sh-pk');
    const ybr = await address(y);
    await put(y, t.code.id);
    await put(y, t.domestic.id);
    const all = await y.c.post('/api/v1/checkout', { address: ybr, delivery: { [t.s1.id]: 'pickup' } });
    assertError(all, 409, 'checkout_refused');
    assert.equal(await stockOf(t.code.id), before);
    assert.equal(await stockOf(t.foreign.id), stock.foreign - 2, 'the two orders of s3 hold their units');
    assert.equal(await stockOf(t.code.id), stock.code, 'the cancelled order gave its units back');
  });

  test(`the delivery member: 401 signed out, 403 without CSRF, malformed refused, at most ${CART_LINES_MAX} sellers`, async () => {
    const b = await person('sh-dv');
    const adr = await address(b);
    await put(b, t.code.id);
    const body = { address: adr, delivery: { [t.s1.id]: 'ship' } };
    assertError(await new Client(w.server).post('/api/v1/checkout', body), 401, 'unauthorized');
    assertError(await b.c.post('/api/v1/checkout', body, { csrf: false }), 403, 'csrf');
    const many = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`u_${1000000 + i}`, 'ship']));
    for (const delivery of [[], 'pickup', { u_x: 'pickup' }, { [t.s1.id]: 'drone' }, { [t.s1.id]: true }, many(CART_LINES_MAX + 1)]) {
      const r = await b.c.post('/api/v1/checkout', { address: adr, delivery });
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, 'delivery', JSON.stringify(delivery));
    }
    assertError(await b.c.post('/api/v1/checkout', { address: adr, deliver: {} }), 400, 'bad_request');
    // The last allowed: 50 sellers (those not in the cart ignored), s1 among them.
    const r = await b.c.post('/api/v1/checkout', { address: adr, delivery: { ...many(CART_LINES_MAX - 1), [t.s1.id]: 'ship' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.orders.map((o) => [o.seller, o.shipping_minor]), [[t.s1.id, 700]]);
  });
});

describe('Mercado Pago: a refund after the seller disconnected', () => {
  test('refused clearly (409 seller_disconnected), the order unchanged; refunded once they connect again', async () => {
    const s = await seller('mpd', 'mercadopago');
    const b = await person('mpd-b');
    const l = await listing(s, { price_minor: 10000, currency: 'BRL', shipping: { zones: [{ name: 'BR', price_minor: 1200 }] } });
    const account = await connectMp(s);
    await put(b, l.id);
    const r = await b.c.post('/api/v1/checkout', { address: await address(b) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const [o] = r.body.orders;
    assert.deepEqual([o.provider, o.total_minor, o.shipping_minor, o.fee_minor], ['mercadopago', 11200, 1200, 1000]);
    const pref = new URL(o.approve_url).searchParams.get('pref_id');
    const { redirect } = await w.sim.approve('mercadopago', pref);
    const paymentId = new URL(redirect).searchParams.get('payment_id');
    await until('the order paid', async () => (await b.c.get(`/api/v1/orders/${o.id}`)).body.state === 'paid');
    const charge = (await w.sim.record()).money.find((m) => m.kind === 'charge' && m.txn_id === String(paymentId));
    assert.deepEqual([charge.gross_minor, charge.marketplace_fee_minor], [11200, 1000], 'our fee on the items only');
    assert.equal((await s.c.del('/api/v1/me/seller/mercadopago')).status, 200);
    for (const who of [b, s]) {
      const c = await who.c.post(`/api/v1/orders/${o.id}/cancel`, {});
      assertError(c, 409, 'seller_disconnected');
      assert.match(c.body.error.message, /Mercado Pago/);
    }
    const kept = (await b.c.get(`/api/v1/orders/${o.id}`)).body;
    assert.equal(kept.state, 'paid', 'the order unchanged');
    assert.deepEqual(kept.ledger.map((g) => g.event), ['paid', 'paid', 'paid'], 'no refund rows');
    assert.equal((await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.parent_id === String(paymentId)).length, 0);
    // Their account connected again: the same cancel refunds, once, the shipping with it.
    assert.equal(await connectMp(s, account), account);
    const c = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.state, 'cancelled');
    const g = c.body.ledger;
    assert.deepEqual([sum(g, 'buyer_payment'), sum(g, 'refund'), sum(g, 'platform_fee'), sum(g, 'seller_payable')], [11200, 11200, 0, 0]);
    assert.deepEqual((await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.parent_id === String(paymentId)).map((m) => m.gross_minor), [11200]);
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM mp_grants WHERE mp_user_id = '${account}'`), '1');
  });
});

// Last: restarts the server without PayPal.
describe('PayPal not configured', () => {
  test('only the PayPal sellers are refused (payment_unavailable); a Mercado Pago seller\'s order is made', async () => {
    const mp = await seller('np-mp', 'mercadopago');
    const pp = await seller('np-pp');
    const b = await person('np-b');
    const lmp = await listing(mp, { price_minor: 5000, currency: 'BRL', shipping: { zones: [{ name: 'Brazil', price_minor: 800 }] } });
    const lpp = await listing(pp, { price_minor: 4000, currency: 'BRL', shipping: { zones: [{ name: 'Brazil', price_minor: 800 }] } });
    await connectMp(mp);
    await put(b, lpp.id);
    await put(b, lmp.id);
    const adr = await address(b);
    await stopServer(w.server);
    await w.start(w.server.dir, { PA_PAYPAL_CLIENT_ID: '', PA_PAYPAL_SECRET: '' });
    const before = await stockOf(lpp.id);
    const r = await b.c.post('/api/v1/checkout', { address: adr });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.orders.map((o) => [o.seller, o.provider, o.total_minor]), [[mp.id, 'mercadopago', 5800]]);
    assert.deepEqual(r.body.refused.map((x) => [x.seller, x.code]), [[pp.id, 'payment_unavailable']]);
    assert.equal(await stockOf(lpp.id), before, 'nothing reserved for the PayPal seller');
    // A cart of PayPal sellers only: refused whole, nothing made.
    assertError(await b.c.post('/api/v1/checkout', { address: adr }), 409, 'checkout_refused');
  });
});

// The version that adds shipping to orders (28 when written; found in the source, so a renumbering
// at merge needs no edit here).
const SHIP_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('ADD COLUMN shipping_minor')) + 1;

describe(`shipping: the upgrade to schema ${SHIP_VERSION}`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1),
      (2, 'bo', 'Bo', 'bo@example.test', 1);
    INSERT INTO market_checkouts (id, buyer_id, created_at) VALUES (1, 2, 1);
    INSERT INTO market_orders (checkout_id, position, buyer_id, seller_id, state, provider, currency, total_minor, fee_minor,
      address, idem_key, created_at, updated_at, pay_by) VALUES (1, 0, 2, 1, 'paid', 'paypal', 'BRL', 2500, 250, '{"name":"Bo"}',
      '0123456789abcdef0123456789abcdef', 1, 1, 1);`;

  test(`a SQLite database at version ${SHIP_VERSION - 1}: its orders keep their totals with no shipping; mp_grants indexed`, async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('shipping', SHIP_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT total_minor, fee_minor, shipping_minor, quote(shipping_method) FROM market_orders'), "2500 250 0 ''");
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'mp_grants_mp_user'"), '1');
      assert.throws(() => sql("UPDATE market_orders SET shipping_method = 'drone'"));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test(`a PostgreSQL database at version ${SHIP_VERSION - 1} gains the columns and the index from pa_pg_migrations`, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-shipping-pg-'));
    const pg = await createDatabase('pa_shipping_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, SHIP_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${SHIP_VERSION - 1};\n${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT total_minor, shipping_minor, shipping_method FROM market_orders'),
          [{ total_minor: '2500', shipping_minor: '0', shipping_method: '' }]);
        assert.deepEqual(await query(pg.url, "SELECT indexname FROM pg_indexes WHERE indexname = 'mp_grants_mp_user'"), [{ indexname: 'mp_grants_mp_user' }]);
        await assert.rejects(runSql(pg.url, "UPDATE market_orders SET shipping_minor = -1"));
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
