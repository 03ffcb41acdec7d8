// Reviews of marketplace orders (issue 20, item 6; web/src/api/reviews.c,
// web/src/market_order.h): only an order's buyer reviews it, only once it
// is delivered or completed, once, never edited; only its seller replies,
// once; anyone else 404, the other party 403, no session 401, no CSRF token
// 403; the rating and both texts at their edges; the seller's count and
// average (tenths of a star, integers, rounded half up) exact; the list
// paged, blocks respected both ways, hidden and removed reviews gone from
// it and from the average; the `review` moderation kind reported, shown in
// context, hidden, restored and removed; and the schema upgrade from
// version 25 on both engines. One server and one payment simulator for the
// file, restarted once to move the clock (a completed order). Runs on
// SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { until } from '../lib/paysim.mjs';
import { Client, assertError, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { marketWorld } from './market-world.mjs';

// The limits of web/src/market_order.h, each tried at its edge below.
const RATING_MAX = 5; // PA_REVIEW_RATING_MAX (PA_REVIEW_RATING_MIN is 1)
const TEXT_MAX = 1000; // PA_REVIEW_TEXT_MAX
const REPLY_MAX = 1000; // PA_REVIEW_REPLY_MAX
const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS
// The schema version that added market_reviews, found in the source (a renumbering needs no edit).
const REVIEWS_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE market_reviews')) + 1;

const w = marketWorld({
  photoSize: [2, 3],
  listing: {
    title: 'Cat tree', price_minor: 4000, currency: 'USD', stock: 50, condition: 'new', kind: 'product',
    category: 'beds', species: ['cat'], location: { city: 'Recife', country: 'BR' },
    shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true },
  },
});
const { grant, person, restart } = w;

/** A PayPal seller with one listing (p.listing). */
async function seller(tag) {
  const p = await w.seller(tag);
  p.listing = await w.listing(p);
  return p;
}

/** A paid order of one unit of s's listing by b. */
async function paidOrder(s, b) {
  const adr = await w.address(b, { name: 'Ana', street: 'Rua 1', city: 'Recife' });
  return w.pay(b, await w.checkoutOne(b, s.listing.id, { address: adr.id }));
}

/** Ships o (seller s) and has its buyer b confirm delivery. */
async function deliver(s, b, o) {
  await w.ship(s, o);
  return w.deliver(b, o);
}

async function deliveredOrder(s, b) {
  return deliver(s, b, await paidOrder(s, b));
}

const review = (b, o, body, opts) => b.c.post(`/api/v1/orders/${o.id}/review`, body, opts);
const reply = (s, o, body, opts) => s.c.post(`/api/v1/orders/${o.id}/review/reply`, body, opts);
const summary = async (c, s) => (await c.get(`/api/v1/sellers/${s.id}`)).body.reviews;

before(w.open);
after(w.close);

describe('reviews', () => {
  test('only the buyer, only once delivered, once; the seller replies once; limits at their edges', async () => {
    const s = await seller('rv-s');
    const b = await person('rv-b');
    const x = await person('rv-x');
    const anon = new Client(w.server);
    assert.deepEqual(await summary(anon, s), { count: 0, average_tenths: null });
    const o = await paidOrder(s, b);
    assertError(await review(b, o, { rating: 5 }), 409, 'wrong_state');
    await deliver(s, b, o);
    assertError(await review({ c: anon }, o, { rating: 5 }), 401, 'unauthorized');
    assertError(await review(b, o, { rating: 5 }, { csrf: false }), 403, 'csrf');
    assertError(await review(x, o, { rating: 5 }), 404, 'not_found');
    assertError(await review(s, o, { rating: 5 }), 403, 'forbidden');
    assertError(await b.c.post('/api/v1/orders/ord_999999/review', { rating: 5 }), 404, 'not_found');
    for (const rating of [0, RATING_MAX + 1, 4.5, '5', null, undefined]) {
      const r = await review(b, o, { rating, text: 'ok' });
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, 'rating', String(rating));
    }
    let r = await review(b, o, { rating: 5, text: 'é'.repeat(TEXT_MAX + 1) });
    assertError(r, 400, 'bad_request');
    assert.equal(r.body.error.field, 'text');
    r = await review(b, o, { rating: 5, stars: 5 });
    assertError(r, 400, 'bad_request');
    assert.equal(r.body.error.field, 'stars', 'unknown members are refused');
    assertError(await reply(s, o, { text: 'Thanks' }), 404, 'not_found', 'no review yet: nothing to reply to');
    r = await review(b, o, { rating: RATING_MAX, text: 'é'.repeat(TEXT_MAX) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.order, r.body.seller, r.body.rating, r.body.text.length, r.body.buyer.id, r.body.reply], [o.id, s.id, 5, TEXT_MAX, b.id, null]);
    assertError(await review(b, o, { rating: 1 }), 409, 'already_reviewed', 'once, never edited');
    // The reply: the seller's, once.
    assertError(await reply({ c: anon }, o, { text: 'Thanks' }), 401, 'unauthorized');
    assertError(await reply(s, o, { text: 'Thanks' }, { csrf: false }), 403, 'csrf');
    assertError(await reply(x, o, { text: 'Thanks' }), 404, 'not_found');
    assertError(await reply(b, o, { text: 'Thanks' }), 403, 'forbidden');
    for (const text of ['', 'ü'.repeat(REPLY_MAX + 1), undefined, 3]) {
      r = await reply(s, o, { text });
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, 'text');
    }
    r = await reply(s, o, { text: 'ü'.repeat(REPLY_MAX) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reply.text.length, REPLY_MAX);
    assert.equal(r.body.rating, 5);
    assertError(await reply(s, o, { text: 'Again' }), 409, 'already_replied');
    assert.deepEqual(await summary(anon, s), { count: 1, average_tenths: 50 });
    assert.deepEqual((await anon.get(`/api/v1/listings/${s.listing.id}`)).body.seller.reviews, { count: 1, average_tenths: 50 }, 'beside the seller on the listing');
    const list = (await anon.get(`/api/v1/sellers/${s.id}/reviews`)).body;
    assert.deepEqual(list.summary, { count: 1, average_tenths: 50 });
    assert.deepEqual(list.reviews.map((v) => [v.order, v.reply.text.length]), [[o.id, REPLY_MAX]]);
    assertError(await anon.get('/api/v1/sellers/u_999999/reviews'), 404, 'not_found');
    // The buyer's data export has the review and the reply it got.
    const exported = (await b.c.get('/api/v1/me/export')).body;
    assert.deepEqual(exported.reviews.map((v) => [v.id, v.order, v.seller, v.rating, v.text.length, v.reply.length]), [[list.reviews[0].id, o.id, s.id, 5, TEXT_MAX, REPLY_MAX]]);
  });

  test('the average exact (rounded half up), paging, blocks both ways, moderation', async () => {
    const s = await seller('avg-s');
    const b1 = await person('avg-b1');
    const b2 = await person('avg-b2');
    const v = await person('avg-v');
    const mod = await person('avg-mod');
    await grant(mod, 'moderator');
    const ratings = [[b1, 1], [b1, 2], [b2, 3], [b2, 3]];
    const ids = [];
    for (const [b, rating] of ratings) {
      const o = await deliveredOrder(s, b);
      const r = await review(b, o, { rating });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    // (10·9 + ⌊4/2⌋) div 4 = 23: 2.25 stars is 22.5 tenths, rounded half up.
    assert.deepEqual(await summary(v.c, s), { count: 4, average_tenths: 23 });
    // Paging: newest first, every review once.
    const p1 = (await v.c.get(`/api/v1/sellers/${s.id}/reviews?limit=3`)).body;
    assert.equal(p1.reviews.length, 3);
    assert.ok(p1.next_cursor);
    const p2 = (await v.c.get(`/api/v1/sellers/${s.id}/reviews?limit=3&cursor=${encodeURIComponent(p1.next_cursor)}`)).body;
    assert.equal(p2.next_cursor, null);
    assert.deepEqual([...p1.reviews, ...p2.reviews].map((r) => r.id), [...ids].reverse());
    // Blocks: v blocks b2, then b2 blocks v: b2's reviews are not listed to v either way.
    const listed = async (c) => (await c.get(`/api/v1/sellers/${s.id}/reviews`)).body.reviews.map((r) => r.id);
    assert.equal((await v.c.put(`/api/v1/users/${b2.id}/block`)).status, 200);
    assert.deepEqual(await listed(v.c), [ids[1], ids[0]]);
    assert.equal((await v.c.del(`/api/v1/users/${b2.id}/block`)).status, 200);
    assert.equal((await b2.c.put(`/api/v1/users/${v.id}/block`)).status, 200);
    assert.deepEqual(await listed(v.c), [ids[1], ids[0]]);
    assert.equal((await b2.c.del(`/api/v1/users/${v.id}/block`)).status, 200);
    assert.equal((await listed(v.c)).length, 4);
    // The seller blocks v: the page and its reviews are not there for v.
    assert.equal((await s.c.put(`/api/v1/users/${v.id}/block`)).status, 200);
    assertError(await v.c.get(`/api/v1/sellers/${s.id}/reviews`), 404, 'not_found');
    assertError(await v.c.post('/api/v1/reports', { kind: 'review', id: ids[0], reason: 'spam' }), 404, 'not_found');
    assert.equal((await s.c.del(`/api/v1/users/${v.id}/block`)).status, 200);
    // Moderation: reported (not by its author), queued in context, hidden, restored, removed.
    assertError(await b1.c.post('/api/v1/reports', { kind: 'review', id: ids[0], reason: 'spam' }), 400, 'own_item');
    const rep = await s.c.post('/api/v1/reports', { kind: 'review', id: ids[0], reason: 'harassment', text: 'Not true' });
    assert.equal(rep.status, 201, JSON.stringify(rep.body));
    assertError(await v.c.post('/api/v1/reports', { kind: 'review', id: 'rv_999999', reason: 'spam' }), 404, 'not_found');
    const queue = (await mod.c.get('/api/v1/mod/queue?limit=100')).body.items;
    assert.ok(queue.some((i) => i.kind === 'review' && i.id === ids[0] && i.subject.id === b1.id));
    const item = (await mod.c.get(`/api/v1/mod/items/review/${ids[0]}`)).body;
    assert.deepEqual([item.state, item.review.rating, item.review.author.id, item.review.seller], ['shown', 1, b1.id, s.id]);
    assertError(await v.c.get(`/api/v1/mod/items/review/${ids[0]}`), 403, 'forbidden');
    const act = (action) => mod.c.post(`/api/v1/mod/items/review/${ids[0]}/actions`, { action, note: 'checked' });
    assert.equal((await act('hide')).status, 200);
    assert.equal((await listed(v.c)).includes(ids[0]), false, 'hidden: not on the page');
    assert.deepEqual(await summary(v.c, s), { count: 3, average_tenths: 27 }, '(80 + 1) div 3: the hidden one is not counted');
    assertError(await v.c.post('/api/v1/reports', { kind: 'review', id: ids[0], reason: 'spam' }), 404, 'not_found');
    assert.equal((await act('restore')).status, 200);
    assert.deepEqual(await summary(v.c, s), { count: 4, average_tenths: 23 });
    assert.equal((await act('remove')).status, 200);
    assert.equal((await listed(v.c)).includes(ids[0]), false, 'removed: not on the page');
    assert.equal((await summary(v.c, s)).count, 3);
    assert.equal((await mod.c.get(`/api/v1/mod/items/review/${ids[0]}`)).body.state, 'removed');
  });

  test('a completed order may be reviewed too (the worker completes it after the hold)', async () => {
    const s = await seller('done-s');
    const b = await person('done-b');
    const o = await deliveredOrder(s, b);
    await restart(HOLD + 120);
    await until('the order completed', async () => (await b.c.get(`/api/v1/orders/${o.id}`)).body.state === 'completed');
    const r = await review(b, o, { rating: 4, text: '' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(await summary(b.c, s), { count: 1, average_tenths: 40 });
  });
});

describe(`the reviews schema upgrade (version ${REVIEWS_VERSION})`, () => {
  test('a SQLite database at version 25 is upgraded in place; its reports keep every kind', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('reviews', 25);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);
      INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'listing', 7, 2, 'scam', 1), (2, 'post', 3, 1, 'spam', 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql("SELECT group_concat(kind, ',') FROM (SELECT kind FROM reports ORDER BY id)"), 'listing,post');
      sql("INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'review', 1, 2, 'spam', 2);");
      assert.throws(() => sql("INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'nope', 1, 2, 'spam', 2);"));
      assert.equal(sql('SELECT count(*) FROM market_reviews'), '0');
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE name IN ('reports_open', 'reports_queue', 'reports_subject')"), '3');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database at version 25 gets the table and the kind from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-reviews-pg-'));
    const pg = await createDatabase('pa_reviews_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, 25 - baseVersion).join('\n')}
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);
        INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'listing', 7, 2, 'scam', 1);
        UPDATE pa_schema SET version = 25;`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM market_reviews'), [{ n: '0' }]);
        await runSql(pg.url, "INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'review', 1, 2, 'spam', 2);");
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM reports ORDER BY id'), [{ kind: 'listing' }, { kind: 'review' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
