// The marketplace's cart, address book, checkout, orders and ledger (issue
// 20, items 3–5; web/src/market_order.h, web/src/orders.h): prices read
// from the listings (never the client's), one currency per cart, every
// limit at its edge, one order per seller with its own PayPal payment
// through the simulator (a Mercado Pago seller not connected is refused
// clearly), stock reserved in the order's transaction and given back when
// the order is cancelled or its reservation lapses (the worker, after a
// restart with PA_TEST_CLOCK_OFFSET), the state machine with a history row
// per step, a payment captured once however often the return asks, a
// refund through the provider, the seller's balance moving from pending to
// available after the hold, 20 buyers racing for the last 5 units, a
// property test over random order histories proving buyer payments =
// seller payables + platform fees + refunds, account deletion refused while
// orders are open, every route closed to who must not use it, and the
// schema upgrade from the version before on both engines. One server (and
// one simulator) for the file, restarted to move the clock. Runs on SQLite
// and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { PASSWORD, marketWorld, prng, sum } from './market-world.mjs';

// The limits of web/src/market_order.h, each tried at its edge below.
const CART_LINES_MAX = 50;
const CART_QUANTITY_MAX = 99;
const ADDRESSES_MAX = 10;
const ADDRESS_NAME_MAX = 100;
const CARRIER_MAX = 60;
const TRACKING_MAX = 64;
const PAY_TIMEOUT = 30 * 60; // PA_ORDER_PAY_TIMEOUT_SECONDS
const AUTO_DELIVER = 14 * 86400; // PA_ORDER_AUTO_DELIVER_SECONDS
const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS
const KEY = 'c3'.repeat(32); // PA_SECRETS_KEY: seals the Mercado Pago sellers' grants

const w = marketWorld({
  env: { PA_SECRETS_KEY: KEY },
  mercadopago: true,
  listing: {
    title: 'Dog bed', price_minor: 2500, currency: 'USD', stock: 5, condition: 'new', kind: 'product',
    category: 'beds', species: ['dog'], location: { city: 'Porto Alegre', country: 'BR' },
    shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true },
  },
});
const { address, listing, pay, person, restart } = w;
const seller = (tag, provider) => w.seller(tag, { provider });

async function stockOf(lst, variant) {
  const r = await w.clients[0].get(`/api/v1/listings/${lst}`);
  return variant ? r.body.variants.find((v) => v.id === variant).stock : r.body.stock;
}

/** Puts lines into b's cart and checks out to a new address (asking delivery when given): the answer. */
async function checkout(b, lines, { status = 201, delivery } = {}) {
  for (const l of lines) assert.equal((await b.c.put('/api/v1/cart/items', l)).status, 200);
  const adr = await address(b);
  const r = await b.c.post('/api/v1/checkout', { address: adr.id, ...(delivery ? { delivery } : {}) });
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

/** p's order notices (kind order), oldest first, each "ord_N step" (with the carrier and tracking when shipped). */
async function orderNotices(p) {
  return (await w.orderNotices(p)).map((d) => `${d.order} ${d.step} ${d.role}${d.step === 'shipped' ? ` ${d.carrier}/${d.tracking}` : ''}`);
}

/**
 * The shipping rule of web/src/market_ship.h, modelled for the property test: what one seller's
 * products (listed in BR) charge to reach country, asking pickup or not; null when one cannot.
 */
function expectedShipping(shippings, country, pickup) {
  let most = 0;
  for (const sh of shippings) {
    let price;
    if (pickup) {
      if (!sh.pickup) return null;
      price = 0;
    } else {
      const code = (z) => /^ *[A-Za-z]{2} *$/.test(z.name);
      const exact = sh.zones.filter((z) => code(z) && z.name.trim().toUpperCase() === country);
      const domestic = country === 'BR' ? sh.zones.filter((z) => !code(z)) : [];
      const serving = exact.length ? exact : domestic;
      if (!serving.length) return null;
      price = Math.min(...serving.map((z) => z.price_minor));
    }
    most = Math.max(most, price); // one parcel: the dearest rate, once
  }
  return most;
}

before(w.open);
after(w.close);

describe('the cart', () => {
  test('prices from the listing, quantities at their edges, one currency, own listings refused', async () => {
    const s = await seller('cart-s');
    const b = await person('cart-b');
    const l = await listing(s, { price_minor: 1999 });
    const v = await listing(s, { stock: 0, variants: [{ size: 'S', stock: 2 }, { size: 'L', stock: 1, price_minor: 2999 }] });
    const brl = await listing(s, { currency: 'BRL' });
    assertError(await new Client(w.server).get('/api/v1/cart'), 401, 'unauthorized');
    assertError(await new Client(w.server).put('/api/v1/cart/items', { listing: l.id, quantity: 1 }), 401, 'unauthorized');
    assertError(await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: 1 }, { csrf: false }), 403, 'csrf');
    assert.deepEqual((await b.c.get('/api/v1/cart')).body, { items: [], total_minor: 0, currency: null });
    // The client never names a price.
    const priced = await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: 1, price_minor: 1 });
    assertError(priced, 400, 'bad_request');
    assert.equal(priced.body.error.field, 'price_minor');
    for (const q of [0, CART_QUANTITY_MAX + 1, 1.5, '2']) {
      const r = await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: q });
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, 'quantity');
    }
    let r = await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: CART_QUANTITY_MAX });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i) => [i.listing, i.quantity, i.unit_minor, i.status]), [[l.id, 99, 1999, 'sold_out']], 'more than the stock: shown as such');
    r = await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: 2 });
    assert.equal(r.body.total_minor, 3998);
    assert.equal(r.body.currency, 'USD');
    // Variants: required when the listing has them, their own price.
    assertError(await b.c.put('/api/v1/cart/items', { listing: v.id, quantity: 1 }), 400, 'bad_request');
    assertError(await b.c.put('/api/v1/cart/items', { listing: l.id, variant: v.variants[0].id, quantity: 1 }), 400, 'bad_request');
    r = await b.c.put('/api/v1/cart/items', { listing: v.id, variant: v.variants[1].id, quantity: 1 });
    assert.equal(r.body.items[1].unit_minor, 2999);
    assert.equal(r.body.total_minor, 3998 + 2999);
    const mixed = await b.c.put('/api/v1/cart/items', { listing: brl.id, quantity: 1 });
    assertError(mixed, 409, 'mixed_currencies');
    assert.match(mixed.body.error.message, /BRL/);
    assertError(await s.c.put('/api/v1/cart/items', { listing: l.id, quantity: 1 }), 409, 'own_listing');
    assertError(await b.c.put('/api/v1/cart/items', { listing: 'lst_999999', quantity: 1 }), 404, 'not_found');
    // A listing paused, then deleted: the line stays, shown as unavailable, with its title.
    assert.equal((await s.c.patch(`/api/v1/listings/${l.id}`, { status: 'paused' })).status, 200);
    r = await b.c.get('/api/v1/cart');
    assert.equal(r.body.items[0].status, 'unavailable');
    assert.equal(r.body.total_minor, 2999);
    assert.equal((await s.c.del(`/api/v1/listings/${l.id}`)).status, 200);
    r = await b.c.get('/api/v1/cart');
    assert.deepEqual([r.body.items[0].title, r.body.items[0].status], [l.title, 'unavailable']);
    assertError(await b.c.post('/api/v1/checkout', { address: (await address(b)).id }), 409, 'unavailable');
    // Lines out: one, then a missing one, then all.
    assert.equal((await b.c.del(`/api/v1/cart/items/${l.id}`)).body.items.length, 1);
    assertError(await b.c.del(`/api/v1/cart/items/${l.id}`), 404, 'not_found');
    assertError(await b.c.del(`/api/v1/cart/items/${v.id}`), 404, 'not_found');
    assertError(await new Client(w.server).del('/api/v1/cart'), 401, 'unauthorized');
    assert.deepEqual((await b.c.del('/api/v1/cart')).body, { items: [], total_minor: 0, currency: null });
    assertError(await b.c.post('/api/v1/checkout', { address: (await address(b)).id }), 409, 'cart_empty');
  });

  test(`at most ${CART_LINES_MAX} lines: the last allowed, the next refused`, async () => {
    const s = await seller('full-s');
    const b = await person('full-b');
    const variants = Array.from({ length: 20 }, (_, i) => ({ size: `S${i}`, stock: 1 }));
    const ls = [];
    for (let i = 0; i < 3; i++) ls.push(await listing(s, { stock: 0, variants }));
    const lines = ls.flatMap((l) => l.variants.map((v) => ({ listing: l.id, variant: v.id, quantity: 1 })));
    for (const line of lines.slice(0, CART_LINES_MAX)) assert.equal((await b.c.put('/api/v1/cart/items', line)).status, 200);
    assertError(await b.c.put('/api/v1/cart/items', lines[CART_LINES_MAX]), 409, 'cart_full');
    assert.equal((await b.c.put('/api/v1/cart/items', { ...lines[0], quantity: 2 })).status, 200, 'a line already there may change');
  });
});

describe('the address book', () => {
  test(`limits at their edges, ${ADDRESSES_MAX} at most, nobody else's`, async () => {
    const a = await person('adr-a');
    const o = await person('adr-o');
    assertError(await new Client(w.server).get('/api/v1/me/addresses'), 401, 'unauthorized');
    assertError(await a.c.post('/api/v1/me/addresses', { name: 'A', street: 'x', city: 'c', country: 'BR' }, { csrf: false }), 403, 'csrf');
    const bad = [
      [{ name: 'x'.repeat(ADDRESS_NAME_MAX + 1), street: 'x', city: 'c', country: 'BR' }, 'name'],
      [{ name: 'A', street: '', city: 'c', country: 'BR' }, 'street'],
      [{ name: 'A', street: 'x', country: 'BR' }, 'city'],
      [{ name: 'A', street: 'x', city: 'c', country: 'ZZ' }, 'country'],
      [{ name: 'A', street: 'x', city: 'c', country: 'BR', lat: 1 }, 'lat'],
    ];
    for (const [body, field] of bad) {
      const r = await a.c.post('/api/v1/me/addresses', body);
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, field, JSON.stringify(body));
    }
    const first = await address(a, { name: 'x'.repeat(ADDRESS_NAME_MAX), unit: 'apto 3', postal_code: '90000-000', phone: '+55 51 5555' });
    assert.equal(first.name.length, ADDRESS_NAME_MAX);
    for (let i = 1; i < ADDRESSES_MAX; i++) await address(a);
    assertError(await a.c.post('/api/v1/me/addresses', { name: 'A', street: 'x', city: 'c', country: 'BR' }), 409, 'too_many_addresses');
    assert.equal((await a.c.get('/api/v1/me/addresses')).body.addresses.length, ADDRESSES_MAX);
    assert.deepEqual((await o.c.get('/api/v1/me/addresses')).body.addresses, [], 'another person sees none of them');
    assertError(await o.c.del(`/api/v1/me/addresses/${first.id}`), 404, 'not_found');
    assertError(await o.c.post('/api/v1/checkout', { address: first.id }), 404, 'not_found');
    assert.equal((await a.c.del(`/api/v1/me/addresses/${first.id}`)).status, 200);
    assertError(await a.c.del(`/api/v1/me/addresses/${first.id}`), 404, 'not_found');
  });
});

describe('checkout and orders', () => {
  test('one order per seller, each paid on its own; Mercado Pago without a connection refused; captured once', async () => {
    const s1 = await seller('co-s1');
    const s2 = await seller('co-s2');
    const mp = await seller('co-mp', 'mercadopago');
    const b = await person('co-b');
    const other = await person('co-x');
    const l1 = await listing(s1, { price_minor: 1000, stock: 3 });
    const l2 = await listing(s2, { price_minor: 2000, stock: 0, variants: [{ colour: 'red', stock: 2 }], category: 'toys' });
    const l3 = await listing(mp, { price_minor: 500 });
    assertError(await new Client(w.server).post('/api/v1/checkout', { address: 'adr_1' }), 401, 'unauthorized');
    assertError(await b.c.post('/api/v1/checkout', { address: 'adr_1' }, { csrf: false }), 403, 'csrf');
    assertError(await b.c.post('/api/v1/checkout', {}), 400, 'bad_request');
    const r = await checkout(b, [
      { listing: l1.id, quantity: 2 }, { listing: l2.id, variant: l2.variants[0].id, quantity: 1 }, { listing: l3.id, quantity: 1 },
    ]);
    assert.match(r.checkout, /^chk_\d+$/);
    // Each order adds its shipping (the listings' domestic "Brazil" rate, 500) to the items; the
    // platform fee is on the items only (market_ship.h).
    assert.deepEqual(r.orders.map((o) => [o.seller, o.state, o.total_minor, o.fee_minor, o.shipping_minor, o.shipping_method, o.currency]), [
      [s1.id, 'awaiting_payment', 2000 + 500, 200, 500, 'ship', 'USD'], // beds: 10%
      [s2.id, 'awaiting_payment', 2000 + 500, 2000 * 1000 / 10000, 500, 'ship', 'USD'], // toys: 10%
    ]);
    assert.ok(r.orders.every((o) => o.approve_url), 'each order lists its approval page, in cart order');
    assert.deepEqual(r.refused.map((x) => [x.seller, x.code]), [[mp.id, 'seller_not_connected']]);
    assert.equal(await stockOf(l1.id), 1, 'reserved');
    assert.equal(await stockOf(l2.id, l2.variants[0].id), 1);
    assert.deepEqual((await b.c.get('/api/v1/cart')).body.items.map((i) => i.listing), [l3.id], 'the refused seller\'s line stays');

    const [o1, o2] = r.orders;
    // Who sees what.
    assertError(await other.c.get(`/api/v1/orders/${o1.id}`), 404, 'not_found');
    assertError(await s2.c.get(`/api/v1/orders/${o1.id}`), 404, 'not_found');
    assertError(await new Client(w.server).get(`/api/v1/orders/${o1.id}`), 401, 'unauthorized');
    const seen = (await s1.c.get(`/api/v1/orders/${o1.id}`)).body;
    assert.equal(seen.role, 'seller');
    assert.equal(seen.address.street, 'Rua das Flores 12', 'the seller sees the address of their order');
    assert.equal(seen.approve_url, null, 'the approval page is the buyer\'s');
    assertError(await s1.c.post(`/api/v1/orders/${o1.id}/capture`, {}), 403, 'forbidden');
    assertError(await other.c.post(`/api/v1/orders/${o1.id}/capture`, {}), 404, 'not_found');
    assertError(await b.c.post(`/api/v1/orders/${o1.id}/capture`, {}), 402, 'payment_declined');
    assertError(await s1.c.post(`/api/v1/orders/${o1.id}/ship`, { carrier: 'Correios', tracking: 'BR1' }), 409, 'wrong_state');

    // Paid: captured once however often the return asks (in parallel too).
    const token = new URL(o1.approve_url).searchParams.get('token');
    await w.sim.approve('paypal', token);
    const caps = await Promise.all([0, 1, 2].map(() => b.c.post(`/api/v1/orders/${o1.id}/capture`, {})));
    assert.deepEqual(caps.map((c) => c.status), [200, 200, 200]);
    const paid = (await b.c.get(`/api/v1/orders/${o1.id}`)).body;
    assert.equal(paid.state, 'paid');
    assert.deepEqual(paid.history.map((h) => [h.from, h.to, h.by]), [[null, 'awaiting_payment', b.id], ['awaiting_payment', 'paid', b.id]]);
    assert.deepEqual(paid.ledger.map((g) => [g.event, g.kind, g.amount_minor]),
      [['paid', 'buyer_payment', 2500], ['paid', 'platform_fee', 200], ['paid', 'seller_payable', 2300]], 'the seller\'s share includes the shipping');
    assert.equal((await w.sim.record()).money.filter((m) => m.kind === 'charge').length, 1, 'charged once');
    assert.deepEqual((await s1.c.get('/api/v1/me/seller/balance')).body.balances, [{ currency: 'USD', pending_minor: 2300, available_minor: 0 }]);

    // Shipped: the seller only, with carrier and tracking at their edges.
    const ship = (body, c = s1.c) => c.post(`/api/v1/orders/${o1.id}/ship`, body);
    assertError(await ship({ carrier: 'C', tracking: 'T' }, b.c), 403, 'forbidden');
    assertError(await ship({ carrier: 'C', tracking: 'T' }, s2.c), 404, 'not_found');
    assertError(await ship({ carrier: 'C', tracking: 'T' }, other.c), 404, 'not_found');
    assertError(await ship({ carrier: 'x'.repeat(CARRIER_MAX + 1), tracking: 'T' }), 400, 'bad_request');
    assertError(await ship({ carrier: 'C', tracking: 'x'.repeat(TRACKING_MAX + 1) }), 400, 'bad_request');
    assertError(await ship({ carrier: 'C' }), 400, 'bad_request');
    assertError(await s1.c.post(`/api/v1/orders/${o1.id}/ship`, { carrier: 'C', tracking: 'T' }, { csrf: false }), 403, 'csrf');
    const shipped = await ship({ carrier: 'x'.repeat(CARRIER_MAX), tracking: 'y'.repeat(TRACKING_MAX) });
    assert.equal(shipped.status, 200);
    assert.equal(shipped.body.state, 'shipped');
    assert.equal(shipped.body.tracking.length, TRACKING_MAX);
    assertError(await ship({ carrier: 'C', tracking: 'T' }), 409, 'wrong_state');
    assertError(await b.c.post(`/api/v1/orders/${o1.id}/cancel`, {}), 409, 'wrong_state');
    // Delivered: the buyer only.
    assertError(await s1.c.post(`/api/v1/orders/${o1.id}/deliver`, {}), 403, 'forbidden');
    const done = await b.c.post(`/api/v1/orders/${o1.id}/deliver`, {});
    assert.equal(done.body.state, 'delivered');
    assertError(await b.c.post(`/api/v1/orders/${o1.id}/deliver`, {}), 409, 'wrong_state');

    // Lists: as buyer and as seller.
    assert.deepEqual((await b.c.get('/api/v1/orders')).body.orders.map((o) => o.id).sort(), [o1.id, o2.id].sort());
    assert.deepEqual((await s1.c.get('/api/v1/orders?as=seller')).body.orders.map((o) => o.id), [o1.id]);
    assert.deepEqual((await s1.c.get('/api/v1/orders')).body.orders, [], 'not a buyer');
    assertError(await b.c.get('/api/v1/orders?as=admin'), 400, 'bad_request');
    assertError(await new Client(w.server).get('/api/v1/orders'), 401, 'unauthorized');

    // Cancelled unpaid by the seller: its unit back at once.
    const c2 = await s2.c.post(`/api/v1/orders/${o2.id}/cancel`, {});
    assert.equal(c2.body.state, 'cancelled');
    assert.equal(await stockOf(l2.id, l2.variants[0].id), 2);
    assertError(await other.c.post(`/api/v1/orders/${o2.id}/cancel`, {}), 404, 'not_found');

    // Each step told to the other side, once: the seller of the payment and delivery, the buyer of
    // the shipment (carrier and tracking) and of the seller's cancellation; nobody of their own steps.
    const ship1 = `${'x'.repeat(CARRIER_MAX)}/${'y'.repeat(TRACKING_MAX)}`;
    assert.deepEqual(await orderNotices(b), [`${o1.id} shipped buyer ${ship1}`, `${o2.id} cancelled buyer`]);
    assert.deepEqual(await orderNotices(s1), [`${o1.id} paid seller`, `${o1.id} delivered seller`]);
    assert.deepEqual(await orderNotices(s2), []);
    assert.deepEqual(await orderNotices(other), []);
  });

  test('a paid order cancelled before shipping is refunded through the provider; the ledger nets to nothing', async () => {
    const s = await seller('rf-s');
    const b = await person('rf-b');
    const l = await listing(s, { price_minor: 3333, stock: 2 });
    const [o] = (await checkout(b, [{ listing: l.id, quantity: 2 }])).orders;
    assert.equal(await stockOf(l.id), 0);
    await pay(b, o);
    const r = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'cancelled');
    assert.equal(await stockOf(l.id), 2, 'the units are back');
    const g = r.body.ledger;
    assert.equal(sum(g, 'buyer_payment'), 6666 + 500);
    assert.equal(sum(g, 'refund'), 6666 + 500, 'the shipping is refunded too');
    assert.equal(sum(g, 'seller_payable'), 0);
    assert.equal(sum(g, 'platform_fee'), 0);
    assert.equal((await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.gross_minor === 6666 + 500).length, 1, 'refunded once at the provider');
    assertError(await b.c.post(`/api/v1/orders/${o.id}/cancel`, {}), 409, 'wrong_state');
    assert.deepEqual((await s.c.get('/api/v1/me/seller/balance')).body.balances, [{ currency: 'USD', pending_minor: 0, available_minor: 0 }]);
  });

  test('20 buyers check out the last 5 units at once: exactly 5 orders reserve them, 15 are told sold out before paying', async () => {
    const s = await seller('race-s');
    const l = await listing(s, { stock: 5 });
    const buyers = [];
    for (let i = 0; i < 20; i++) {
      const b = await person(`race-b${i}`);
      assert.equal((await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: 1 })).status, 200);
      buyers.push({ ...b, adr: (await address(b)).id });
    }
    const answers = await Promise.all(buyers.map((b) => b.c.post('/api/v1/checkout', { address: b.adr })));
    const made = answers.filter((r) => r.status === 201);
    const soldOut = answers.filter((r) => r.status === 409 && r.body.error.code === 'sold_out');
    assert.equal(made.length, 5, answers.map((r) => r.status).join(' '));
    assert.equal(soldOut.length, 15);
    assert.ok(made.every((r) => r.body.orders.length === 1 && r.body.orders[0].approve_url));
    assert.equal(await stockOf(l.id), 0, 'never oversold');
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_orders WHERE seller_id = ${s.id.slice(2)}`), '5');
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_ledger WHERE seller_id = ${s.id.slice(2)}`), '0', 'nobody paid yet');
  });

  test('account deletion waits for open orders and an unpaid balance; addresses go with the account', async () => {
    const s = await seller('del-s');
    const b = await person('del-b');
    const l = await listing(s, { stock: 1 });
    const [o] = (await checkout(b, [{ listing: l.id, quantity: 1 }])).orders;
    assertError(await b.c.del('/api/v1/me', { password: PASSWORD }), 409, 'open_orders');
    assertError(await s.c.del('/api/v1/me', { password: PASSWORD }), 409, 'open_orders');
    await pay(b, o);
    await s.c.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'C', tracking: 'T' });
    await b.c.post(`/api/v1/orders/${o.id}/deliver`, {});
    w.pending = { s, b, o };
    const lone = await person('del-lone');
    await address(lone);
    const n = lone.id.slice(2);
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_addresses WHERE user_id = ${n}`), '1');
    assert.equal((await lone.c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    assert.equal(dbQuery(w.server, `SELECT count(*) FROM market_addresses WHERE user_id = ${n}`), '0', 'erased');
  });
});

/** Connects Mercado Pago seller s (the OAuth round through the simulator, site BR). */
async function connectMp(s) {
  const r = await s.c.post('/api/v1/me/seller/mercadopago/connect', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const q = new URL(r.body.url).searchParams;
  const out = await w.sim.mpAuthorize({ client_id: q.get('client_id'), redirect_uri: q.get('redirect_uri'), state: q.get('state'), decision: 'approve', country: 'BR' });
  const back = new URL(out.redirect);
  const cb = await s.c.get(back.pathname + back.search);
  assert.equal(cb.status, 303);
  assert.equal(new URL(cb.headers.location).searchParams.get('mercadopago'), 'connected');
}

/** The buyer approves Mercado Pago order o at the simulator: the payment's id. */
async function approveMp(o) {
  const pref = new URL(o.approve_url).searchParams.get('pref_id');
  assert.ok(pref, 'the approval page names the seller\'s preference');
  const { redirect } = await w.sim.approve('mercadopago', pref);
  return new URL(redirect).searchParams.get('payment_id');
}

const eventsApplied = () => until('every webhook applied', async () => {
  const d = await w.sim.deliveries();
  return d.every((x) => x.delivered || x.dropped) && dbQuery(w.server, 'SELECT count(*) FROM pay_events WHERE done_at IS NULL') === '0';
});

describe('Mercado Pago split checkout', () => {
  test('a connected seller\'s order: split with our fee, the webhook applied once (duplicated, out of order), refunded with our share back, the ledger balanced', async () => {
    const s = await seller('mps', 'mercadopago');
    const b = await person('mpb');
    const l = await listing(s, { price_minor: 20000, currency: 'BRL', stock: 3 });
    const usd = await listing(s, { price_minor: 1000, currency: 'USD', stock: 3 });
    // Not connected yet: refused, the line stays in the cart.
    const refused = await checkout(b, [{ listing: l.id, quantity: 1 }], { status: 409 });
    assert.equal(refused.error.code, 'checkout_refused');
    await connectMp(s);
    const adr = (await b.c.get('/api/v1/me/addresses')).body.addresses[0].id;
    const made = await b.c.post('/api/v1/checkout', { address: adr });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const [o] = made.body.orders;
    assert.deepEqual([o.provider, o.total_minor, o.shipping_minor, o.currency], ['mercadopago', 20500, 500, 'BRL']);
    // A currency no Mercado Pago site takes is refused before anything is made.
    const other = await person('mpo');
    const cur = await checkout(other, [{ listing: usd.id, quantity: 1 }], { status: 409 });
    assert.equal(cur.error.code, 'checkout_refused');
    assert.equal(await stockOf(usd.id), 3);

    // Approved; the notification comes twice at once: paid once, by the server.
    await w.sim.delivery('duplicate');
    const paymentId = await approveMp(o);
    const back = await b.c.post(`/api/v1/orders/${o.id}/capture`, {});
    assert.equal(back.status, 200, 'the return shows the order as it is');
    await until('the order paid', async () => (await b.c.get(`/api/v1/orders/${o.id}`)).body.state === 'paid');
    await eventsApplied();
    const paid = (await b.c.get(`/api/v1/orders/${o.id}`)).body;
    assert.deepEqual(paid.history.map((h) => [h.from, h.to, h.by]), [[null, 'awaiting_payment', b.id], ['awaiting_payment', 'paid', null]]);
    assert.deepEqual(paid.ledger.map((g) => [g.event, g.kind, g.amount_minor]),
      [['paid', 'buyer_payment', 20500], ['paid', 'platform_fee', 2000], ['paid', 'seller_payable', 18500]]);
    const charge = (await w.sim.record()).money.filter((m) => m.kind === 'charge' && m.txn_id === String(paymentId));
    assert.equal(charge.length, 1);
    assert.deepEqual([charge[0].gross_minor, charge[0].marketplace_fee_minor, charge[0].collector_id === undefined], [20500, 2000, false], 'the seller collects, our fee rides along');
    assert.deepEqual((await s.c.get('/api/v1/me/seller/balance')).body.balances, [{ currency: 'BRL', pending_minor: 18500, available_minor: 0 }]);

    // Cancelled before shipping: refunded with the seller's token, our whole fee back.
    await w.sim.delivery('hold');
    const c = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.state, 'cancelled');
    assert.equal(await stockOf(l.id), 3);
    const refunds = (await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.parent_id === String(paymentId));
    assert.deepEqual(refunds.map((m) => [m.gross_minor, m.marketplace_fee_minor]), [[20500, 2000]]);
    // The refund's notification, late: nothing changes.
    await w.sim.delivery('deliver');
    await w.sim.release('reverse');
    await eventsApplied();
    const g = (await b.c.get(`/api/v1/orders/${o.id}`)).body.ledger;
    assert.deepEqual([sum(g, 'buyer_payment'), sum(g, 'refund'), sum(g, 'platform_fee'), sum(g, 'seller_payable')], [20500, 20500, 0, 0]);

    // Out of order: the buyer cancels the unpaid order, then the payment's notification arrives;
    // the money is recorded and refunded at once, once.
    await w.sim.delivery('hold');
    const [o2] = (await checkout(b, [{ listing: l.id, quantity: 2 }])).orders;
    const pay2 = await approveMp(o2);
    assert.equal((await b.c.post(`/api/v1/orders/${o2.id}/cancel`, {})).body.state, 'cancelled');
    await w.sim.delivery('duplicate');
    await w.sim.release('reverse');
    await until('the late payment refunded', async () => (await w.sim.record()).money.some((m) => m.kind === 'refund' && m.parent_id === String(pay2)));
    await w.sim.delivery('deliver');
    await eventsApplied();
    const g2 = (await b.c.get(`/api/v1/orders/${o2.id}`)).body.ledger;
    assert.deepEqual([sum(g2, 'buyer_payment'), sum(g2, 'refund'), sum(g2, 'platform_fee'), sum(g2, 'seller_payable')], [40500, 40500, 0, 0], 'two units, one parcel');
    assert.equal((await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.parent_id === String(pay2)).length, 1, 'refunded once');
    assert.equal(await stockOf(l.id), 3);
    // The property the ledger keeps, for this seller: buyer payments = payables + fees + refunds.
    const t = Object.fromEntries(dbQuery(w.server, `SELECT kind, sum(amount_minor) FROM market_ledger WHERE seller_id = ${s.id.slice(2)} GROUP BY kind`)
      .split('\n').map((r) => r.split('|')).map(([k, v]) => [k, Number(v)]));
    assert.equal(t.buyer_payment, t.seller_payable + t.platform_fee + t.refund);
    assert.deepEqual((await s.c.get('/api/v1/me/seller/balance')).body.balances, [{ currency: 'BRL', pending_minor: 0, available_minor: 0 }]);
    // Told once each, however often the notifications came: the seller of the payment and of the
    // buyer's cancellation; the buyer of the refund the server made for the late payment.
    assert.deepEqual(await orderNotices(s), [`${o.id} paid seller`, `${o.id} refunded seller`, `${o2.id} cancelled seller`]);
    assert.deepEqual(await orderNotices(b), [`${o2.id} refunded buyer`]);
  });
});

describe('the clocks and the ledger', () => {
  test('random order histories (pay, duplicate captures, cancel, ship, deliver, lapse, complete) keep the ledger balanced', async () => {
    const seed = Number(process.env.PA_TEST_SEED ?? Date.now() % 100000);
    const rnd = prng(seed);
    const pick = (a) => a[Math.floor(rnd() * a.length)];
    const s = await seller('prop-s');
    const cats = ['beds', 'toys', 'food', 'health'];
    // The capture webhooks come duplicated, or held and then released in reverse, or as they happen.
    const mode = pick(['deliver', 'duplicate', 'hold']);
    await w.sim.delivery(mode);
    const orders = [];
    // Random carts with shipping: one or two lines of the seller, each listing with its own options
    // (a domestic rate, the country's code beside it, pickup only, or a foreign zone), the buyer
    // asking for pickup or not; the model above says what the order charges, or that it is refused.
    const rate = () => Math.floor(rnd() * 2000);
    const shippingOf = () => pick([
      () => ({ zones: [{ name: 'Brazil', price_minor: rate() }], pickup: rnd() < 0.5 }),
      () => ({ zones: [{ name: 'br', price_minor: rate() }, { name: 'Nacional', price_minor: rate() }], pickup: true }),
      () => ({ zones: [], pickup: true }),
      () => ({ zones: [{ name: 'AR', price_minor: rate() }], pickup: rnd() < 0.5 }),
    ])();
    for (let i = 0; i < 8; i++) {
      const b = await person(`prop-b${i}`);
      const ls = [];
      for (let k = 0; k < (rnd() < 0.4 ? 2 : 1); k++) {
        // The first cart always ships (a code and a domestic rate, pickup too): never a vacuous run.
        const shipping = i === 0 ? { zones: [{ name: 'BR', price_minor: rate() }, { name: 'Brasil', price_minor: rate() }], pickup: true } : shippingOf();
        ls.push({ shipping, ...(await listing(s, { price_minor: 100 + Math.floor(rnd() * 99900), stock: 3, category: pick(cats), shipping })) });
      }
      const lines = ls.map((l) => ({ listing: l.id, quantity: 1 + Math.floor(rnd() * 3) }));
      const pickup = rnd() < 0.5;
      const want = expectedShipping(ls.map((l) => l.shipping), 'BR', pickup);
      const r = await checkout(b, lines, { status: want === null ? 409 : 201, delivery: pickup ? { [s.id]: 'pickup' } : undefined });
      if (want === null) {
        assert.equal(r.error.code, 'checkout_refused', `seed ${seed}`);
        for (const l of ls) assert.equal(await stockOf(l.id), 3, `nothing reserved for a cart that cannot be shipped (seed ${seed})`);
        continue;
      }
      const [o] = r.orders;
      const items = lines.reduce((a, x, k) => a + x.quantity * ls[k].price_minor, 0);
      assert.deepEqual([o.shipping_minor, o.shipping_method, o.total_minor], [want, pickup ? 'pickup' : 'ship', items + want], `seed ${seed}`);
      orders.push({ b, o, ls });
    }
    assert.ok(orders.length >= 1, `seed ${seed}`);
    // Each order takes a random walk: actions that the state allows or not (refused ones change nothing).
    for (const { b, o } of orders) {
      for (let step = 0; step < 4; step++) {
        const act = pick(['pay', 'pay-twice', 'cancel', 'ship', 'deliver', 'nothing']);
        const state = (await b.c.get(`/api/v1/orders/${o.id}`)).body.state;
        if ((act === 'pay' || act === 'pay-twice') && state === 'awaiting_payment') {
          await w.sim.approve('paypal', new URL(o.approve_url).searchParams.get('token'));
          const n = act === 'pay' ? 1 : 2;
          const rs = await Promise.all(Array.from({ length: n }, () => b.c.post(`/api/v1/orders/${o.id}/capture`, {})));
          assert.ok(rs.every((r) => r.status === 200), `seed ${seed}`);
        } else if (act === 'cancel') {
          const r = await b.c.post(`/api/v1/orders/${o.id}/cancel`, {});
          assert.ok(r.status === 200 || (r.status === 409 && r.body.error.code === 'wrong_state'), `seed ${seed}`);
        } else if (act === 'ship') {
          const r = await s.c.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'C', tracking: 'T' });
          assert.ok(r.status === 200 || r.status === 409, `seed ${seed}`);
        } else if (act === 'deliver') {
          const r = await b.c.post(`/api/v1/orders/${o.id}/deliver`, {});
          assert.ok(r.status === 200 || r.status === 409, `seed ${seed}`);
        }
      }
    }
    if (mode === 'hold') await w.sim.release('reverse');
    await w.sim.delivery('deliver');
    await until('every webhook delivered', async () => (await w.sim.deliveries()).every((d) => d.delivered || d.dropped));
    await until('every webhook applied', async () => dbQuery(w.server, 'SELECT count(*) FROM pay_events WHERE done_at IS NULL') === '0');
    // A paid order waits for its seller: each left paid is shipped now, so every history can close.
    for (const { o } of orders)
      if ((await s.c.get(`/api/v1/orders/${o.id}`)).body.state === 'paid')
        assert.equal((await s.c.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'C', tracking: 'T' })).status, 200);
    // The clocks: unpaid ones lapse (their units back), shipped ones count as delivered, delivered ones complete after the hold.
    await restart(PAY_TIMEOUT + 60);
    await until('lapsed orders cancelled', async () => dbQuery(w.server, "SELECT count(*) FROM market_orders WHERE state = 'awaiting_payment'") === '0');
    await restart(PAY_TIMEOUT + AUTO_DELIVER + 120);
    await until('shipped orders delivered', async () => dbQuery(w.server, "SELECT count(*) FROM market_orders WHERE state = 'shipped'") === '0');
    // The hold runs from delivery, the worker's own for those it delivered.
    await restart(PAY_TIMEOUT + AUTO_DELIVER + HOLD + 180);
    await until('every order closed', async () => dbQuery(w.server, "SELECT count(*) FROM market_orders WHERE state NOT IN ('completed', 'cancelled')") === '0');
    assert.equal(dbQuery(w.server, 'SELECT count(*) FROM market_orders WHERE state = \'shipped\' OR state = \'delivered\''), '0');
    // Every step of every history told once to the side that did not take it (the server's: as orders.h says).
    const toldSeller = [];
    const sellerNotices = await orderNotices(s);
    for (const { b, o } of orders) {
      const d = (await b.c.get(`/api/v1/orders/${o.id}`)).body;
      const want = { buyer: [], seller: [] };
      for (const h of d.history.slice(1)) {
        const step = { paid: 'paid', shipped: 'shipped', delivered: 'delivered', completed: 'completed' }[h.to]
          ?? (h.from === 'paid' ? 'refunded' : h.by ? 'cancelled' : 'lapsed');
        const toSeller = h.by ? h.by === b.id : ['paid', 'delivered', 'completed'].includes(step);
        want[toSeller ? 'seller' : 'buyer'].push(`${o.id} ${step} ${toSeller ? 'seller' : 'buyer'}${step === 'shipped' ? ' C/T' : ''}`);
      }
      assert.deepEqual(await orderNotices(b), want.buyer, `seed ${seed} ${o.id}`);
      assert.deepEqual(sellerNotices.filter((n) => n.startsWith(`${o.id} `)), want.seller, `seed ${seed} ${o.id}`);
      toldSeller.push(...want.seller);
    }
    assert.equal(sellerNotices.length, toldSeller.length, 'no notice of an order twice');
    let expectedAvailable = 0;
    for (const { b, o, ls } of orders) {
      const d = (await b.c.get(`/api/v1/orders/${o.id}`)).body;
      const g = d.ledger;
      assert.equal(sum(g, 'buyer_payment'), sum(g, 'seller_payable') + sum(g, 'platform_fee') + sum(g, 'refund'), `seed ${seed} ${o.id}`);
      assert.ok(sum(g, 'buyer_payment') === 0 || sum(g, 'buyer_payment') === d.total_minor, `paid once (seed ${seed})`);
      assert.deepEqual(d.history.map((h) => h.to), [...new Set(d.history.map((h) => h.to))], 'a history row per transition');
      if (d.state === 'completed') {
        assert.equal(sum(g, 'seller_payable'), d.total_minor - d.fee_minor);
        expectedAvailable += d.total_minor - d.fee_minor;
      } else {
        assert.equal(sum(g, 'seller_payable'), 0, `a cancelled order owes the seller nothing (seed ${seed})`);
        for (const l of ls) assert.equal(await stockOf(l.id), 3, 'its units are back');
      }
    }
    // Across the whole ledger, per currency.
    const totals = dbQuery(w.server, "SELECT currency, kind, sum(amount_minor) FROM market_ledger GROUP BY currency, kind ORDER BY currency, kind");
    const by = {};
    for (const row of totals.split('\n').filter(Boolean)) {
      const [cur, kind, n] = row.split('|');
      (by[cur] ??= {})[kind] = Number(n);
    }
    for (const [cur, t] of Object.entries(by))
      assert.equal(t.buyer_payment ?? 0, (t.seller_payable ?? 0) + (t.platform_fee ?? 0) + (t.refund ?? 0), `${cur} (seed ${seed})`);
    // Payouts (web/src/payouts.h): the worker sends the whole available balance (at least 1 USD) in a
    // batch; whenever it is looked at, the seller's payables = net payouts + balance.
    const usd = async (p) => (await p.c.get('/api/v1/market/dashboard')).body.balances.find((x) => x.currency === 'USD');
    const balanced = async (p, what) => {
      const b = await usd(p);
      const payables = Number(dbQuery(w.server, `SELECT COALESCE(sum(amount_minor), 0) FROM market_ledger WHERE kind = 'seller_payable' AND seller_id = ${p.id.slice(2)}`));
      const out = Number(dbQuery(w.server, `SELECT COALESCE(sum(amount_minor), 0) FROM market_payout_ledger WHERE seller_id = ${p.id.slice(2)}`));
      assert.equal(payables, out + b.pending_minor + b.available_minor, `${what} (seed ${seed})`);
      assert.equal(out, b.in_flight_minor + b.paid_out_minor, `${what} (seed ${seed})`);
      return b;
    };
    let bal = await balanced(s, 'after the hold');
    assert.deepEqual([bal.pending_minor, bal.available_minor + bal.in_flight_minor + bal.paid_out_minor], [0, expectedAvailable], `seed ${seed}`);
    const { available_minor: available } = (await s.c.get('/api/v1/me/seller/balance')).body.balances.find((x) => x.currency === 'USD');
    assert.equal(available, (await usd(s)).available_minor, 'the balance route and the dashboard agree');
    assert.throws(() => dbQuery(w.server, 'UPDATE market_ledger SET amount_minor = 0'), 'append-only');
    // The delivered order from the deletion test completed too: its seller's balance is available or on its way, not paid out.
    const { s: ds, b: db } = w.pending;
    assertError(await ds.c.del('/api/v1/me', { password: PASSWORD }), 409, 'unpaid_balance');
    assert.equal((await db.c.del('/api/v1/me', { password: PASSWORD })).status, 200, 'the buyer\'s orders are all closed');
    await until('the balances sent', async () => (await usd(ds)).available_minor === 0 && (expectedAvailable < 100 || (await usd(s)).available_minor === 0)
      && dbQuery(w.server, "SELECT count(*) FROM market_payouts WHERE state = 'pending'") === '0');
    await w.sim.processPayouts();
    await until('paid out', async () => (await usd(ds)).in_flight_minor === 0 && (await usd(s)).in_flight_minor === 0);
    bal = await balanced(s, 'after the payout');
    assert.deepEqual([bal.available_minor, bal.paid_out_minor], expectedAvailable < 100 ? [expectedAvailable, 0] : [0, expectedAvailable], `seed ${seed}`);
    await balanced(ds, 'the deleting seller');
    assert.equal((await ds.c.del('/api/v1/me', { password: PASSWORD })).status, 200, 'paid out: the seller may go');
  });
});

const ORDERS_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE market_orders')) + 1;

describe(`the orders schema upgrade (version ${ORDERS_VERSION})`, () => {
  test('a SQLite database at version 23 is upgraded in place; its listings stay', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('orders', 23);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
      INSERT INTO sellers (user_id, name, provider, paypal_email, created_at, updated_at) VALUES (1, 'Ann', 'paypal', 'a@b.c', 1, 1);
      INSERT INTO listings (seller_id, title, lang, price_minor, currency, kind, condition, category, city, city_key, country, created_at, updated_at)
      VALUES (1, 'Toy', 'en', 100, 'USD', 'product', 'new', 'toys', 'X', 'x', 'US', 1, 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT title FROM listings'), 'Toy');
      sql(`INSERT INTO market_addresses (user_id, name, line1, city, country, created_at) VALUES (1, 'A', 'x', 'c', 'BR', 1);`);
      assert.throws(() => sql(`INSERT INTO market_cart_items (user_id, listing_id, variant_id, quantity, added_at) VALUES (1, 1, 0, 100, 1);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database at version 23 gets the tables from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-orders-pg-'));
    const pg = await createDatabase('pa_orders_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, 23 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = 23;`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM market_orders'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

// Schema 26 lets notices be of kind order (SQLite rebuilds the table: its rows, indexes and push trigger must stay).
const NOTICES_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes("'security', 'order')")) + 1;
const P256 = `B${'p'.repeat(64)}`;

describe(`the order notices schema upgrade (version ${NOTICES_VERSION})`, () => {
  test(`a SQLite database at version ${NOTICES_VERSION - 1} keeps its notices, their indexes and push trigger`, async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('notices', NOTICES_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
      INSERT INTO sessions (id, user_id, token_hash, csrf, created_at, expires_at) VALUES (1, 1, CAST('token-of-ann-0123456789abcdefghi' AS BLOB), 'c', 1, 4102444800);
      INSERT INTO notices (id, user_id, kind, detail, created_at, read) VALUES (7, 1, 'security', '{"event":"totp_on"}', 5, 1);`);
    const indexes = "SELECT type, name FROM sqlite_master WHERE tbl_name = 'notices' AND name NOT LIKE 'sqlite_%' ORDER BY type, name";
    const before = sql(indexes);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    let stopped = false;
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT id, user_id, kind, detail, created_at, read FROM notices'), '7 1 security {"event":"totp_on"} 5 1');
      assert.equal(sql(indexes), before, 'the indexes and push_notice are back');
      // Stopped first: the running server's push worker would take a queued row at once.
      await stopServer(server);
      stopped = true;
      sql(`INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, locale, created_at)
        VALUES (1, 1, 'https://push.example.test/ann', CAST('${P256}' AS BLOB), CAST('auth-secret-0123' AS BLOB), 'en', 1);
        INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'order', '{"step":"paid"}', 6);`);
      assert.equal(sql("SELECT count(*) FROM push_queue WHERE kind = 'notice'"), '1', 'a push queued by the trigger');
      assert.throws(() => sql(`INSERT INTO notices (user_id, kind, created_at) VALUES (1, 'welcome', 7);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      if (!stopped) await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test(`a PostgreSQL database at version ${NOTICES_VERSION - 1} takes order notices, its rows and trigger kept`, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-notices-pg-'));
    const pg = await createDatabase('pa_notices_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, NOTICES_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${NOTICES_VERSION - 1};
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
        INSERT INTO sessions (id, user_id, token_hash, csrf, created_at, expires_at) VALUES (1, 1, convert_to('token-of-ann-0123456789abcdefghi', 'UTF8'), 'c', 1, 4102444800);
        INSERT INTO notices (id, user_id, kind, detail, created_at, read) VALUES (7, 1, 'security', '{"event":"totp_on"}', 5, 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT id, kind, read FROM notices'), [{ id: '7', kind: 'security', read: '1' }]);
      } finally {
        await stopServer(server);
      }
      // After the server stopped (its push worker would take the queued row at once).
      await runSql(pg.url, `INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, locale, created_at)
          VALUES (1, 1, 'https://push.example.test/ann', convert_to('${P256}', 'UTF8'), convert_to('auth-secret-0123', 'UTF8'), 'en', 1);
        INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'order', '{"step":"paid"}', 6);`);
      assert.deepEqual(await query(pg.url, "SELECT count(*) AS n FROM push_queue WHERE kind = 'notice'"), [{ n: '1' }]);
      await assert.rejects(runSql(pg.url, `INSERT INTO notices (user_id, kind, created_at) VALUES (1, 'welcome', 7);`));
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
