// An order's side branches (issue 20, section 4; web/src/api/disputes.c,
// web/src/orders.c): the buyer of a shipped or delivered order asks for a
// refund with a reason; the seller accepts (a full refund through the
// provider, the ledger's refund rows) or declines; after a decline, or the
// seller's silence for PA_CLAIM_ANSWER_DAYS, the buyer opens a dispute,
// which the seller answers once and a moderator decides (refund: the order
// ends cancelled; release: it completes and the seller is paid), audited,
// both sides told. While a request or a dispute is open the worker neither
// delivers, completes nor pays out (checked across clock-offset restarts).
// The order's messages: its buyer and seller only, kept in clear (the answer
// says so), paged, refused across a block, in the author's export, read by
// the moderator with the dispute. Every text limit at its edge; every route
// closed to who must not use it; a property test over random histories with
// these branches keeps buyer payments = seller payables + platform fees +
// refunds; the schema upgrade from the version before on both engines. One
// server (and one simulator) for the file, restarted to move the clock.
// Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
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
const CLAIM_TEXT_MAX = 1000; // PA_CLAIM_TEXT_MAX
const NOTE_MAX = 300; // PA_CLAIM_NOTE_MAX
const MESSAGE_MAX = 2000; // PA_ORDER_MESSAGE_MAX
const MESSAGES_PAGE = 50; // PA_ORDER_MESSAGES_PAGE
const ANSWER = 3 * 86400; // PA_CLAIM_ANSWER_SECONDS
const WINDOW = 3 * 86400; // PA_CLAIM_DISPUTE_WINDOW_SECONDS
const AUTO_DELIVER = 14 * 86400; // PA_ORDER_AUTO_DELIVER_SECONDS
const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS
const w = marketWorld({
  listing: {
    title: 'Cat tree', price_minor: 2500, currency: 'USD', stock: 50, condition: 'new', kind: 'product',
    category: 'beds', species: ['cat'], location: { city: 'Porto Alegre', country: 'BR' },
    shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true },
  },
});
const { grant, listing, person, restart, seller } = w;

/** Signs p in again: a restart far ahead outlives the sessions. */
async function relogin(...ps) {
  for (const p of ps) await p.c.login(p.mail, PASSWORD);
}

/** A buyer with one address in their book (every checkout of theirs uses it). */
async function buyer(tag) {
  const b = await person(tag);
  b.address = (await w.address(b)).id;
  return b;
}

/** An order of one unit of l by b, paid, shipped by s, delivered when asked: its detail. */
async function order(s, b, l, { deliver = false, price } = {}) {
  const o = await w.checkoutOne(b, l.id, { address: b.address });
  if (price) assert.equal(o.total_minor, price);
  await w.pay(b, o);
  let d = await w.ship(s, o);
  if (deliver) d = await w.deliver(b, o);
  return d;
}

/** p's order notices (kind order) about order id, oldest first, each "step role". */
async function notices(p, id) {
  return (await w.orderNotices(p)).filter((d) => d.order === id).map((d) => `${d.step} ${d.role}`);
}

/**
 * What seller p has earned in USD: the seller's dashboard, with what the payout worker
 * (web/src/payouts.c) already sent or paid counted as available, since a completed
 * order's share leaves the available balance for a PayPal payout in the next round.
 */
async function earned(p) {
  const r = await p.c.get('/api/v1/market/dashboard');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const b = r.body.balances.find((x) => x.currency === 'USD');
  assert.ok(b, 'a USD balance');
  return { pending_minor: b.pending_minor, available_minor: b.available_minor + b.in_flight_minor + b.paid_out_minor };
}

/** The order's ledger balances: buyer payments = seller payables + platform fees + refunds. */
function assertBalanced(d, msg = d.id) {
  const g = d.ledger;
  assert.equal(sum(g, 'buyer_payment'), sum(g, 'seller_payable') + sum(g, 'platform_fee') + sum(g, 'refund'), msg);
  assert.equal(sum(g, 'buyer_payment'), d.total_minor, `paid once: ${msg}`);
  if (d.state === 'cancelled') {
    assert.equal(sum(g, 'refund'), d.total_minor, `refunded in full: ${msg}`);
    assert.equal(sum(g, 'seller_payable'), 0, `the seller is owed nothing: ${msg}`);
  } else {
    assert.equal(sum(g, 'refund'), 0, msg);
    assert.equal(sum(g, 'seller_payable'), d.total_minor - d.fee_minor, msg);
  }
}

/** Every ledger row of the database, per currency, balances. */
function assertLedgerBalanced(msg) {
  const by = {};
  for (const row of dbQuery(w.server, 'SELECT currency, kind, sum(amount_minor) FROM market_ledger GROUP BY currency, kind').split('\n').filter(Boolean)) {
    const [cur, kind, n] = row.split('|');
    (by[cur] ??= {})[kind] = Number(n);
  }
  assert.ok(Object.keys(by).length > 0);
  for (const [cur, t] of Object.entries(by))
    assert.equal(t.buyer_payment ?? 0, (t.seller_payable ?? 0) + (t.platform_fee ?? 0) + (t.refund ?? 0), `${cur} ${msg}`);
}

before(async () => {
  await w.open();
  w.mod = await person('mod');
  await grant(w.mod, 'moderator');
  w.support = await person('support');
  await grant(w.support, 'support');
  w.admin = await person('admin');
  await grant(w.admin, 'admin');
  w.s = await seller('s');
  w.l = await listing(w.s);
});
after(w.close);

describe('refund requests', () => {
  test('accepted: refunded in full through the provider, the order cancelled, its units with the buyer, the ledger balanced, each side told once', async () => {
    const { s, l } = w;
    const b = await buyer('acc-b');
    const stock = (await b.c.get(`/api/v1/listings/${l.id}`)).body.stock;
    const o = await order(s, b, l);
    const url = `/api/v1/orders/${o.id}/refund-request`;
    // The reason: required, at most CLAIM_TEXT_MAX characters, nothing else in the body.
    for (const body of [{}, { reason: '' }, { reason: 'é'.repeat(CLAIM_TEXT_MAX + 1) }, { reason: 'x', amount_minor: 1 }, { reason: 3 }]) {
      const r = await b.c.post(url, body);
      assertError(r, 400, 'bad_request');
    }
    let d = (await b.c.post(url, { reason: 'é'.repeat(CLAIM_TEXT_MAX) })).body;
    assert.equal(d.state, 'shipped');
    assert.equal(d.claim.state, 'requested');
    assert.equal(d.claim.reason.length, CLAIM_TEXT_MAX, 'the last allowed');
    assert.equal(d.claim.can_dispute, false);
    assert.ok(d.claim.dispute_possible_at, 'when the buyer may dispute an unanswered request');
    assertError(await b.c.post(url, { reason: 'again' }), 409, 'claim_exists');
    // Not the seller's to take back with a dispute yet, nor the buyer's to answer.
    assertError(await b.c.post(`/api/v1/orders/${o.id}/dispute`, { text: 'now' }), 409, 'wrong_state');
    const r = await s.c.post(`${url}/accept`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    d = r.body;
    assert.equal(d.state, 'cancelled');
    assert.equal(d.claim.state, 'refunded');
    assert.equal(d.claim.decision, null, 'the seller accepted: no moderator');
    assert.deepEqual(d.ledger.filter((g) => g.event === 'refunded').map((g) => [g.kind, g.amount_minor]),
      [['refund', d.total_minor], ['platform_fee', -d.fee_minor], ['seller_payable', -(d.total_minor - d.fee_minor)]]);
    assertBalanced(d);
    assert.deepEqual(d.history.map((h) => h.to).slice(-1), ['cancelled']);
    assert.equal((await b.c.get(`/api/v1/listings/${l.id}`)).body.stock, stock - 1, 'the unit went out with the parcel');
    assertError(await s.c.post(`${url}/accept`, {}), 409, 'wrong_state');
    assertError(await s.c.post(`${url}/decline`, { reason: 'late' }), 409, 'wrong_state');
    // Refunded once at the provider, under the order's one refund key.
    const capture = dbQuery(w.server, `SELECT capture_id FROM market_orders WHERE id = ${o.id.slice(4)}`);
    const refunds = (await w.sim.record()).money.filter((m) => m.kind === 'refund' && m.parent_id === capture);
    assert.deepEqual(refunds.map((m) => m.gross_minor), [d.total_minor]);
    assert.deepEqual(await notices(s, o.id), ['paid seller', 'refund_requested seller']);
    assert.deepEqual(await notices(b, o.id), ['shipped buyer', 'refunded buyer']);
  });

  test('only shipped or delivered orders, not completed ones; accept takes an empty body', async () => {
    const { s, l } = w;
    const b = await buyer('st-b');
    assert.equal((await b.c.put('/api/v1/cart/items', { listing: l.id, quantity: 1 })).status, 200);
    const [o] = (await b.c.post('/api/v1/checkout', { address: b.address })).body.orders;
    assertError(await b.c.post(`/api/v1/orders/${o.id}/refund-request`, { reason: 'unpaid' }), 409, 'wrong_state');
    const d = await order(s, b, l, { deliver: true });
    assert.equal((await b.c.post(`/api/v1/orders/${d.id}/refund-request`, { reason: 'broken' })).status, 200);
    assertError(await s.c.post(`/api/v1/orders/${d.id}/refund-request/accept`, { yes: true }), 400, 'bad_request');
    assertError(await s.c.post(`/api/v1/orders/${d.id}/refund-request/decline`, { reason: '' }), 400, 'bad_request');
    assertError(await s.c.post(`/api/v1/orders/${d.id}/refund-request/decline`, { reason: 'x'.repeat(CLAIM_TEXT_MAX + 1) }), 400, 'bad_request');
    const r = await s.c.post(`/api/v1/orders/${d.id}/refund-request/decline`, { reason: 'x'.repeat(CLAIM_TEXT_MAX) });
    assert.equal(r.status, 200);
    assert.equal(r.body.claim.state, 'declined');
    assert.equal(r.body.claim.can_dispute, true);
    assert.equal(r.body.state, 'delivered');
  });
});

describe('disputes', () => {
  test('declined, disputed, answered once, decided refund by a moderator: cancelled, balanced, audited, both told', async () => {
    const { s, l, mod } = w;
    const b = await buyer('dref-b');
    const o = await order(s, b, l, { deliver: true });
    const base = `/api/v1/orders/${o.id}`;
    assert.equal((await b.c.post(`${base}/messages`, { text: 'It arrived broken' })).status, 201);
    assert.equal((await s.c.post(`${base}/messages`, { text: 'Send a photo, please' })).status, 201);
    assert.equal((await b.c.post(`${base}/refund-request`, { reason: 'Arrived broken' })).status, 200);
    assert.equal((await s.c.post(`${base}/refund-request/decline`, { reason: 'It left here whole' })).status, 200);
    for (const text of ['', 'y'.repeat(CLAIM_TEXT_MAX + 1)]) assertError(await b.c.post(`${base}/dispute`, { text }), 400, 'bad_request');
    assertError(await s.c.post(`${base}/dispute/answer`, { text: 'early' }), 409, 'wrong_state');
    let d = (await b.c.post(`${base}/dispute`, { text: 'y'.repeat(CLAIM_TEXT_MAX) })).body;
    assert.equal(d.claim.state, 'disputed');
    assertError(await b.c.post(`${base}/dispute`, { text: 'again' }), 409, 'wrong_state');
    d = (await s.c.post(`${base}/dispute/answer`, { text: 'z'.repeat(CLAIM_TEXT_MAX) })).body;
    assert.equal(d.claim.seller_answer.length, CLAIM_TEXT_MAX);
    assertError(await s.c.post(`${base}/dispute/answer`, { text: 'once more' }), 409, 'wrong_state');
    // In the moderation queue: the order's summary, the texts and the messages as context; no item actions.
    const q = (await mod.c.get('/api/v1/mod/queue?limit=50')).body.items.find((i) => i.kind === 'dispute' && i.id === o.id);
    assert.ok(q, 'the dispute waits in the queue');
    assert.equal(q.subject.id, s.id, 'its seller answers for it');
    const item = (await mod.c.get(`/api/v1/mod/items/dispute/${o.id}`)).body;
    assert.deepEqual(item.actions, []);
    assert.equal(item.state, 'disputed');
    assert.deepEqual([item.dispute.order.id, item.dispute.order.state, item.dispute.order.buyer, item.dispute.order.seller], [o.id, 'delivered', b.id, s.id]);
    assert.deepEqual([item.dispute.claim.reason, item.dispute.claim.decline_reason], ['Arrived broken', 'It left here whole']);
    assert.deepEqual(item.dispute.messages.map((m) => [m.role, m.text]), [['seller', 'Send a photo, please'], ['buyer', 'It arrived broken']]);
    assertError(await mod.c.post(`/api/v1/mod/items/dispute/${o.id}/actions`, { action: 'hide' }), 400, 'bad_request');
    assertError(await b.c.post('/api/v1/reports', { kind: 'dispute', id: o.id, reason: 'other' }), 404, 'not_found');
    // The decision: a note at its edge, refused past it.
    const dec = `/api/v1/mod/disputes/${o.id}/decision`;
    for (const body of [{ decision: 'maybe' }, {}, { decision: 'refund', note: 'n'.repeat(NOTE_MAX + 1) }]) assertError(await mod.c.post(dec, body), 400, 'bad_request');
    const r = await mod.c.post(dec, { decision: 'refund', note: 'ñ'.repeat(NOTE_MAX) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.dispute.claim.state, r.body.dispute.claim.decision, r.body.dispute.order.state], ['refunded', 'refund', 'cancelled']);
    assertError(await mod.c.post(dec, { decision: 'release' }), 409, 'wrong_state');
    d = (await b.c.get(base)).body;
    assert.equal(d.state, 'cancelled');
    assertBalanced(d);
    // Audited like every moderation action: the admins' log names the moderator, the order and the note.
    const entry = (await w.admin.c.get('/api/v1/admin/audit?limit=50')).body.entries.find((e) => e.target.kind === 'dispute' && e.target.id === o.id);
    assert.deepEqual([entry.action, entry.actor.id, entry.detail.decision, entry.detail.note.length], ['mod.dispute_refund', mod.id, 'refund', NOTE_MAX]);
    assert.equal(dbQuery(w.server, `SELECT outcome FROM reports WHERE kind = 'dispute' AND item_id = ${o.id.slice(4)}`), 'refund');
    assert.equal((await mod.c.get('/api/v1/mod/queue?limit=50')).body.items.some((i) => i.id === o.id), false, 'out of the queue');
    assert.deepEqual(await notices(s, o.id), ['paid seller', 'delivered seller', 'message seller', 'refund_requested seller', 'disputed seller', 'refunded seller']);
    assert.deepEqual(await notices(b, o.id), ['shipped buyer', 'message buyer', 'refund_declined buyer', 'dispute_answered buyer', 'refunded buyer']);
  });

  test('every new route: no session 401, CSRF 403, a stranger 404, the other party 403, the decision moderators only and never their own', async () => {
    const { s, l, mod, support } = w;
    const b = await buyer('auth-b');
    const stranger = await person('auth-x');
    const o = await order(s, b, l);
    const base = `/api/v1/orders/${o.id}`;
    const anon = new Client(w.server);
    const routes = [
      ['post', `${base}/refund-request`, { reason: 'r' }, b, s],
      ['post', `${base}/refund-request/accept`, {}, s, b],
      ['post', `${base}/refund-request/decline`, { reason: 'r' }, s, b],
      ['post', `${base}/dispute`, { text: 't' }, b, s],
      ['post', `${base}/dispute/answer`, { text: 't' }, s, b],
      ['post', `${base}/messages`, { text: 't' }, b, null],
      ['get', `${base}/messages`, undefined, b, null],
    ];
    for (const [m, url, body, owner, other] of routes) {
      assertError(await anon[m](url, body), 401, 'unauthorized');
      assertError(await stranger.c[m](url, body), 404, 'not_found');
      if (m === 'post') assertError(await owner.c.post(url, body, { csrf: false }), 403, 'csrf');
      if (other) assertError(await other.c.post(url, body), 403, 'forbidden');
    }
    assertError(await b.c.get('/api/v1/orders/ord_999999/messages'), 404, 'not_found');
    const dec = `/api/v1/mod/disputes/${o.id}/decision`;
    assertError(await anon.post(dec, { decision: 'refund' }), 401, 'unauthorized');
    for (const p of [b, s, stranger, support]) assertError(await p.c.post(dec, { decision: 'refund' }), 403, 'forbidden');
    assertError(await mod.c.post(dec, { decision: 'refund' }, { csrf: false }), 403, 'csrf');
    assertError(await mod.c.post(dec, { decision: 'refund' }), 404, 'not_found');
    assert.equal((await b.c.post(`${base}/refund-request`, { reason: 'r' })).status, 200);
    assertError(await mod.c.post(dec, { decision: 'refund' }), 409, 'wrong_state');
    assert.equal((await s.c.post(`${base}/refund-request/decline`, { reason: 'no' })).status, 200);
    assert.equal((await b.c.post(`${base}/dispute`, { text: 'please' })).status, 200);
    // A moderator who is the seller does not judge their own case.
    await grant(s, 'moderator');
    assertError(await s.c.post(dec, { decision: 'release' }), 400, 'own_item');
    assert.equal((await mod.c.post(dec, { decision: 'release' })).status, 200);
    const d = (await b.c.get(base)).body;
    assert.equal(d.state, 'completed', 'released: shipped, delivered and completed at once');
    assert.deepEqual(d.history.map((h) => h.to).slice(-2), ['delivered', 'completed']);
    assertBalanced(d);
    assert.deepEqual(await notices(b, o.id), ['shipped buyer', 'refund_declined buyer', 'released buyer']);
    assert.deepEqual(await notices(s, o.id), ['paid seller', 'refund_requested seller', 'disputed seller', 'released seller']);
  });
});

describe('order messages', () => {
  test('buyer and seller only, kept in clear (said so), limits at their edges, paged, the other side told, refused across a block both ways, in the author\'s export', async () => {
    const { s, l } = w;
    const b = await buyer('msg-b');
    const o = await order(s, b, l);
    const url = `/api/v1/orders/${o.id}/messages`;
    for (const body of [{}, { text: '' }, { text: 'm'.repeat(MESSAGE_MAX + 1) }, { text: 'hi', to: s.id }]) assertError(await b.c.post(url, body), 400, 'bad_request');
    let r = await b.c.post(url, { text: 'ç'.repeat(MESSAGE_MAX) });
    assert.equal(r.status, 201);
    assert.equal(r.body.end_to_end_encrypted, false);
    assert.equal(r.body.message.text.length, MESSAGE_MAX, 'the last allowed');
    assert.deepEqual([r.body.message.role, r.body.message.author], ['buyer', b.id]);
    for (const t of ['one', 'two', 'three']) assert.equal((await s.c.post(url, { text: t })).status, 201);
    r = await b.c.get(`${url}?limit=2`);
    assert.equal(r.body.end_to_end_encrypted, false);
    assert.deepEqual(r.body.messages.map((m) => m.text), ['three', 'two']);
    r = await b.c.get(`${url}?limit=2&cursor=${encodeURIComponent(r.body.next_cursor)}`);
    assert.deepEqual(r.body.messages.map((m) => [m.role, m.text.length]), [['seller', 3], ['buyer', MESSAGE_MAX]]);
    assert.equal(r.body.next_cursor, null);
    assert.equal((await s.c.get(`${url}?limit=${MESSAGES_PAGE}`)).body.messages.length, 4);
    assertError(await s.c.get(`${url}?limit=${MESSAGES_PAGE + 1}`), 400, 'bad_request');
    assert.deepEqual((await notices(s, o.id)).filter((n) => n.startsWith('message')), ['message seller']);
    assert.deepEqual((await notices(b, o.id)).filter((n) => n.startsWith('message')), ['message buyer', 'message buyer', 'message buyer']);
    // A block either way refuses new messages from both; the history stays readable.
    assert.equal((await b.c.put(`/api/v1/users/${s.id}/block`)).status, 200);
    assertError(await s.c.post(url, { text: 'hello?' }), 403, 'blocked');
    assertError(await b.c.post(url, { text: 'bye' }), 403, 'blocked');
    assert.equal((await s.c.get(url)).body.messages.length, 4);
    assert.equal((await b.c.del(`/api/v1/users/${s.id}/block`)).status, 200);
    assert.equal((await s.c.put(`/api/v1/users/${b.id}/block`)).status, 200);
    assertError(await b.c.post(url, { text: 'bye' }), 403, 'blocked');
    assert.equal((await s.c.del(`/api/v1/users/${b.id}/block`)).status, 200);
    assert.equal((await b.c.post(url, { text: 'ok' })).status, 201);
    // Each author's own messages in their export, nobody else's.
    const eb = (await b.c.get('/api/v1/me/export')).body.order_messages;
    assert.deepEqual(eb.map((m) => [m.order, m.text.length]), [[o.id, MESSAGE_MAX], [o.id, 2]]);
    const es = (await s.c.get('/api/v1/me/export')).body.order_messages.filter((m) => m.order === o.id);
    assert.deepEqual(es.map((m) => m.text), ['one', 'two', 'three']);
  });
});

describe('the clocks stand still while a claim is open', () => {
  test('across restarts: requested and disputed orders are neither delivered nor completed nor paid out; a decline lets them run after its window; an unanswered request may be disputed after the answer days; release completes', async () => {
    const { mod } = w;
    const s = await seller('clk-s');
    const l = await listing(s);
    // (Two buyers: each checkout and capture counts against PA_LIMIT_BILLING.)
    const b = await buyer('clk-b');
    const b2 = await buyer('clk-b2');
    const at = (o) => s.c.get(`/api/v1/orders/${o.id}`).then((r) => r.body);
    const requested = await order(s, b, l);
    const disputed = await order(s, b, l, { deliver: true });
    const declined = await order(s, b, l, { deliver: true });
    const control = await order(s, b, l);
    const silent = await order(s, b2, l);
    const windowed = await order(s, b2, l, { deliver: true });
    for (const o of [requested, disputed, declined]) assert.equal((await b.c.post(`/api/v1/orders/${o.id}/refund-request`, { reason: 'never came' })).status, 200);
    for (const o of [silent, windowed]) assert.equal((await b2.c.post(`/api/v1/orders/${o.id}/refund-request`, { reason: 'no word' })).status, 200);
    for (const o of [disputed, declined]) assert.equal((await s.c.post(`/api/v1/orders/${o.id}/refund-request/decline`, { reason: 'fits' })).status, 200);
    assert.equal((await b.c.post(`/api/v1/orders/${disputed.id}/dispute`, { text: 'it does not' })).status, 200);
    // The seller's silence is not yet long enough.
    assertError(await b.c.post(`/api/v1/orders/${requested.id}/dispute`, { text: 'no answer' }), 409, 'wrong_state');

    // PA_CLAIM_ANSWER_DAYS at its edge (within the minutes a restart takes): five minutes short, refused; five past, allowed.
    await restart(ANSWER - 300);
    let c = (await b2.c.get(`/api/v1/orders/${silent.id}`)).body.claim;
    assert.equal(c.can_dispute, false);
    assert.equal(Date.parse(c.dispute_possible_at) - Date.parse(c.requested_at), ANSWER * 1000);
    assertError(await b2.c.post(`/api/v1/orders/${silent.id}/dispute`, { text: 'waiting' }), 409, 'wrong_state');
    await restart(ANSWER + 300);
    c = (await b2.c.get(`/api/v1/orders/${silent.id}`)).body.claim;
    assert.equal(c.can_dispute, true);
    assert.equal((await b2.c.post(`/api/v1/orders/${silent.id}/dispute`, { text: 'no answer in 3 days' })).status, 200);

    // PA_CLAIM_DISPUTE_WINDOW_SECONDS at its edge: `windowed`'s hold is long over when its request is declined,
    // so only the window keeps it; `control2`, delivered without a claim, falls due in the same batch of the worker
    // (delivered → completed) just before the window ends, which shows a round passed `windowed` by.
    const r1 = ANSWER + 600;
    await restart(r1);
    const control2 = await order(s, b2, l, { deliver: true });
    const r2 = r1 + HOLD - WINDOW + 600; // control2's hold ends 3 days - 10 minutes after this
    await restart(r2);
    await until('the declined order completed, its window and hold over', async () => (await at(declined)).state === 'completed');
    assert.equal((await at(windowed)).state, 'delivered', 'its request holds it');
    assert.equal((await s.c.post(`/api/v1/orders/${windowed.id}/refund-request/decline`, { reason: 'fine' })).status, 200);
    await restart(r2 + WINDOW - 300);
    await until('control2 completed after its hold', async () => (await at(control2)).state === 'completed');
    assert.equal((await at(windowed)).state, 'delivered', 'five minutes short of the window: still held');
    await restart(r2 + WINDOW + 300);
    await until('the declined order completed after its window', async () => (await at(windowed)).state === 'completed');

    // Past the auto-delivery, the hold, the answer days and every window: only the claims still open hold.
    const balance = () => earned(s);
    const net = declined.total_minor - declined.fee_minor;
    const before = await balance();
    assert.equal(before.available_minor, 3 * net, 'declined, windowed and control2 paid out, nothing else');
    const t1 = AUTO_DELIVER + HOLD + ANSWER + WINDOW + 600;
    await restart(t1);
    await relogin(b, b2, s, mod);
    await until('the control order delivered', async () => (await at(control)).state === 'delivered');
    // The same batch (shipped → delivered) passed the open one by.
    assert.equal((await at(requested)).state, 'shipped');
    assert.equal((await at(silent)).state, 'shipped');
    // Completed, and so paid out: too late for a dispute now.
    const late = (await b.c.get(`/api/v1/orders/${declined.id}`)).body;
    assert.deepEqual([late.claim.state, late.claim.can_dispute], ['declined', false]);
    assertError(await b.c.post(`/api/v1/orders/${declined.id}/dispute`, { text: 'late' }), 409, 'wrong_state');
    await restart(t1 + HOLD + 600);
    await relogin(b, b2, s, mod);
    await until('the control order completed', async () => (await at(control)).state === 'completed');
    // The same batch (delivered → completed) passed the disputed one by.
    assert.equal((await at(disputed)).state, 'delivered');
    const mid = await balance();
    assert.equal(mid.available_minor, before.available_minor + net, 'only the control order paid out');
    // The seller never answered: the buyer takes it to a moderator now.
    assert.equal((await b.c.get(`/api/v1/orders/${requested.id}`)).body.claim.can_dispute, true);
    assert.equal((await b.c.post(`/api/v1/orders/${requested.id}/dispute`, { text: 'still nothing' })).status, 200);
    for (const o of [requested, disputed, silent]) {
      const r = await mod.c.post(`/api/v1/mod/disputes/${o.id}/decision`, { decision: 'release' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const done = await at(o);
      assert.equal(done.state, 'completed');
      assertBalanced(done);
    }
    assert.equal((await balance()).available_minor, mid.available_minor + 3 * net, 'released: paid as usual');
    assertLedgerBalanced('after the releases');
  });
});

describe('random histories with refund requests and disputes', () => {
  test('keep the ledger balanced and every order closes once its claim is decided', async () => {
    const seed = Number(process.env.PA_TEST_SEED ?? Date.now() % 100000);
    const rnd = prng(seed);
    const pick = (a) => a[Math.floor(rnd() * a.length)];
    const s = await seller('prop-s');
    const { mod } = w;
    // Two orders a buyer (each checkout and capture counts against PA_LIMIT_BILLING).
    const buyers = [];
    for (let i = 0; i < 4; i++) buyers.push(await buyer(`prop-b${i}`));
    const orders = [];
    for (let i = 0; i < 8; i++) {
      const l = await listing(s, { price_minor: 100 + Math.floor(rnd() * 99900), category: pick(['beds', 'toys', 'food']) });
      const b = buyers[i >> 1];
      orders.push({ ...(await order(s, b, l, { deliver: rnd() < 0.5 })), b });
    }
    const ok = (r, msg) => assert.ok([200, 201, 409].includes(r.status), `${msg} ${r.status} ${JSON.stringify(r.body)} (seed ${seed})`);
    for (const [i, o] of orders.entries()) {
      const { b } = o;
      const base = `/api/v1/orders/${o.id}`;
      for (let step = 0; step < 6; step++) {
        // Every other order starts with a request, so every history set has claims to walk.
        const act = step === 0 && i % 2 === 0 ? 'request' : pick(['request', 'accept', 'decline', 'dispute', 'answer', 'refund', 'release', 'deliver', 'message']);
        // The seller accepts at most once an order (a refund counts against PA_LIMIT_BILLING).
        const claim = (await b.c.get(base)).body.claim;
        if (act === 'request') ok(await b.c.post(`${base}/refund-request`, { reason: 'r' }), act);
        else if (act === 'accept' && claim?.state === 'requested') ok(await s.c.post(`${base}/refund-request/accept`, {}), act);
        else if (act === 'accept') continue;
        else if (act === 'decline') ok(await s.c.post(`${base}/refund-request/decline`, { reason: 'd' }), act);
        else if (act === 'dispute') ok(await b.c.post(`${base}/dispute`, { text: 't' }), act);
        else if (act === 'answer') ok(await s.c.post(`${base}/dispute/answer`, { text: 'a' }), act);
        else if (act === 'refund' || act === 'release') {
          const r = await mod.c.post(`/api/v1/mod/disputes/${o.id}/decision`, { decision: act });
          assert.ok([200, 404, 409].includes(r.status), `${act} ${r.status} (seed ${seed})`);
        } else if (act === 'deliver') ok(await b.c.post(`${base}/deliver`, {}), act);
        else ok(await b.c.post(`${base}/messages`, { text: 'm' }), act);
        assertBalanced((await b.c.get(base)).body, `${o.id} after ${act} (seed ${seed})`);
      }
    }
    // The clocks run far ahead: only orders without an open claim move.
    // Shipped ones are delivered in the first round, completed after the hold in the second.
    const far = w.offset + AUTO_DELIVER + HOLD + WINDOW + 3600;
    await restart(far);
    await relogin(s, mod, ...buyers);
    await until('shipped orders without an open claim delivered', async () => {
      for (const o of orders) {
        const d = (await s.c.get(`/api/v1/orders/${o.id}`)).body;
        if (d.state === 'shipped' && !(d.claim && ['requested', 'disputed'].includes(d.claim.state))) return false;
      }
      return true;
    });
    await restart(far + HOLD + 600);
    await relogin(s, mod, ...buyers);
    const open = [];
    await until('every order without an open claim closed', async () => {
      open.length = 0;
      let waiting = 0;
      for (const o of orders) {
        const d = (await s.c.get(`/api/v1/orders/${o.id}`)).body;
        const claimOpen = d.claim && ['requested', 'disputed'].includes(d.claim.state);
        if (claimOpen) open.push(d);
        else if (!['completed', 'cancelled'].includes(d.state)) waiting++;
      }
      return waiting === 0;
    });
    for (const d of open) assert.ok(['shipped', 'delivered'].includes(d.state), `an open claim holds ${d.id} (seed ${seed})`);
    // Each open claim decided: a request disputed first, then refund or release.
    for (const d of open) {
      if (d.claim.state === 'requested') assert.equal((await orders.find((o) => o.id === d.id).b.c.post(`/api/v1/orders/${d.id}/dispute`, { text: 'late' })).status, 200, `seed ${seed}`);
      assert.equal((await mod.c.post(`/api/v1/mod/disputes/${d.id}/decision`, { decision: pick(['refund', 'release']) })).status, 200, `seed ${seed}`);
    }
    let available = 0;
    const claims = [];
    for (const o of orders) {
      const d = (await s.c.get(`/api/v1/orders/${o.id}`)).body;
      assert.ok(['completed', 'cancelled'].includes(d.state), `${d.id} closed (seed ${seed})`);
      assertBalanced(d, `${d.id} (seed ${seed})`);
      if (d.claim) assert.ok(['declined', 'refunded', 'released'].includes(d.claim.state), `seed ${seed}`);
      if (d.claim) claims.push(d.claim.state);
      if (d.state === 'completed') available += d.total_minor - d.fee_minor;
    }
    assert.ok(claims.length >= 4, `the histories had claims (seed ${seed})`);
    // Each step told once (messages aside, each its own).
    for (const o of orders)
      for (const p of [s, o.b]) {
        const told = (await notices(p, o.id)).filter((n) => !n.startsWith('message'));
        assert.deepEqual(told, [...new Set(told)], `${o.id} told once (seed ${seed})`);
      }
    assert.deepEqual(await earned(s), { pending_minor: 0, available_minor: available });
    assertLedgerBalanced(`seed ${seed}`);
  });
});

const VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE market_order_claims')) + 1;

describe(`the disputes schema upgrade (version ${VERSION})`, () => {
  test(`a SQLite database at version ${VERSION - 1} keeps its reports of every kind and takes disputes`, async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('disputes', VERSION - 1);
    const kinds = ['post', 'comment', 'person', 'message', 'reel', 'story', 'listing', 'review'];
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bob', 'Bob', 'bob@example.test', 1);
      ${kinds.map((k, i) => `INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, message, created_at) VALUES (1, '${k}', ${i + 1}, 2, 'spam', ${k === 'message' ? "'hi'" : 'NULL'}, 1);`).join('\n')}`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT group_concat(kind) FROM (SELECT kind FROM reports ORDER BY id)'), kinds.join(','));
      sql(`INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'dispute', 1, 2, 'other', 2);`);
      assert.throws(() => sql(`INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'advert', 1, 2, 'other', 2);`));
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE name IN ('reports_open', 'reports_queue', 'reports_subject', 'market_order_claims', 'market_order_messages')"), '5');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test(`a PostgreSQL database at version ${VERSION - 1} gets the tables and the dispute kind, its reports kept`, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-disputes-pg-'));
    const pg = await createDatabase('pa_disputes_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${VERSION - 1};
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bob', 'Bob', 'bob@example.test', 1);
        INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'review', 1, 2, 'spam', 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM reports'), [{ kind: 'review' }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM market_order_claims'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
      await runSql(pg.url, `INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'dispute', 1, 2, 'other', 2);`);
      await assert.rejects(runSql(pg.url, `INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'advert', 1, 2, 'other', 2);`));
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
