// The assistant (issue 23, web/README.md "Assistant"; CONTRACT23 §5): POST
// /help/ask for anyone (signed in: the CSRF token; signed out: same-origin),
// read strictly and charged (PA_LIMIT_HELP_ASK, per person or per address)
// only when valid, tried at its edge; "unknown" when nothing scores; the
// ask's event stream for its asker only (the session, or a signed-out
// browser's token, of which only the hash is kept), once; the account
// answers GET /help/me/{plan,orders,hidden-posts} of the viewer's own rows
// and nobody else's; the asks in the data export, deleted after
// PA_HELP_RETENTION_DAYS by the chores (a restart moves the clock) and with
// the account; the schema's upgrade from the version before on both engines.
// Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, databaseHolds, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource,
  startServer, stopServer,
} from './helpers.mjs';

// web/src/limit.h, web/src/store/help.h, web/src/store/assist.h
const ASK_BURST = 20; // PA_LIMIT_HELP_ASK_BURST, an hour
const QUESTION_MAX = 500; // PA_STORE_HELP_QUESTION_MAX, bytes
const RETENTION_DAYS = 30; // PA_HELP_RETENTION_DAYS
const PASSWORD = 'correct horse battery';
// A question no article of any locale is about.
const NOTHING = 'qzxv wibble frotz plonk';
// A model endpoint nothing listens on: the stream is offered, and falls back.
const NO_MODEL = 'http://127.0.0.1:9';

/** The events of an SSE body: [{event, data}] with data parsed as JSON. */
function events(text) {
  return text.split('\n\n').filter((b) => b.trim()).map((block) => {
    const e = { event: 'message', data: '' };
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) e.event = line.slice(7);
      else if (line.startsWith('data: ')) e.data += line.slice(6);
    }
    return { event: e.event, data: JSON.parse(e.data) };
  });
}

describe('the assistant', () => {
  let server;
  const people = {};
  const ask = (c, body, opts) => c.post('/api/v1/help/ask', body, opts);

  before(async () => {
    server = await startServer({ seed: false, env: { PA_LLM_URL: NO_MODEL } });
    for (const tag of ['ann', 'bob', 'cat']) {
      const c = new Client(server);
      const user = await c.signup(email(`help-${tag}`), PASSWORD, `Person ${tag}`);
      people[tag] = { c, user, id: Number(user.id.slice(2)) };
    }
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('signed out: unknown below the threshold, a stream with its token, kept with no person and only the hash', async () => {
    const anon = new Client(server);
    const r = await ask(anon, { question: NOTHING, locale: 'en' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.answer, { kind: 'unknown', text: '' });
    assert.deepEqual(r.body.articles, []);
    assert.deepEqual(r.body.actions, []);
    const id = Number(r.body.ask.slice(3));
    const m = new RegExp(`^/api/v1/help/asks/${r.body.ask}/stream\\?t=([A-Za-z0-9_-]{43})$`).exec(r.body.stream);
    assert.ok(m, r.body.stream);
    assert.equal(dbQuery(server, `SELECT coalesce(user_id, 0), length(token), locale, question, articles FROM help_asks WHERE id = ${id}`),
      `0|32|en|${NOTHING}|`);
    assert.equal(databaseHolds(server, m[1]), false, 'the token itself is never stored');
  });

  test('the stream is its asker\'s: another person, another browser or a wrong token 404, once only', async () => {
    const { ann, bob } = people;
    const mine = await ask(ann.c, { question: NOTHING, locale: 'es' });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.stream, `/api/v1/help/asks/${mine.body.ask}/stream`, 'signed in: no token in the URL');
    assertError(await bob.c.get(mine.body.stream), 404, 'not_found');
    assertError(await new Client(server).get(mine.body.stream), 404, 'not_found');
    assertError(await new Client(server).get('/api/v1/help/asks/ha_999999/stream'), 404, 'not_found');
    const s = await ann.c.get(mine.body.stream);
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    // Nothing listens at the model's address: the widget keeps the retrieval answer.
    assert.deepEqual(events(s.buf.toString()), [{ event: 'fallback', data: { reason: 'error' } }]);
    assertError(await ann.c.get(mine.body.stream), 404, 'not_found');

    const anon = new Client(server);
    const theirs = await ask(anon, { question: NOTHING, locale: 'en' });
    const [url, token] = theirs.body.stream.split('?t=');
    assertError(await anon.get(url), 404, 'not_found');
    assertError(await ann.c.get(url), 404, 'not_found');
    const wrong = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    assertError(await anon.get(`${url}?t=${wrong}`), 404, 'not_found');
    assertError(await anon.get(`${url}?t=${token.slice(1)}`), 404, 'not_found');
    assertError(await anon.get(`${url}?t=not*base64`), 404, 'not_found');
    // Another person's token opens nobody else's ask.
    const other = await ask(new Client(server), { question: NOTHING, locale: 'en' });
    assertError(await anon.get(`${other.body.stream.split('?t=')[0]}?t=${token}`), 404, 'not_found');
    // The browser holding the token, whichever connection it comes from.
    const s2 = await new Client(server).get(theirs.body.stream);
    assert.equal(s2.status, 200);
    assert.deepEqual(events(s2.buf.toString()).map((e) => e.event), ['fallback']);
    assertError(await anon.get(theirs.body.stream), 404, 'not_found');
  });

  test('the question is read strictly: bytes and locales at their edges, nothing else in the body', async () => {
    const c = people.cat.c;
    const ok = async (body) => {
      const r = await ask(c, body);
      assert.equal(r.status, 200, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
      return r;
    };
    const bad = async (body, field) => {
      const r = await ask(c, body);
      assertError(r, 400, 'bad_request');
      if (field) assert.equal(r.body.error.field, field);
    };
    await ok({ question: 'é'.repeat(QUESTION_MAX / 2), locale: 'fr' }); // 500 bytes
    await ok({ question: 'a'.repeat(QUESTION_MAX), locale: 'zh-Hans' });
    await bad({ question: 'a'.repeat(QUESTION_MAX + 1), locale: 'en' }, 'question');
    await bad({ question: `${'é'.repeat(QUESTION_MAX / 2)}a`, locale: 'en' }, 'question'); // 501 bytes
    await bad({ question: '', locale: 'en' }, 'question');
    await bad({ locale: 'en' }, 'question');
    await bad({ question: 'x', locale: 'e' }, 'locale');
    await bad({ question: 'x', locale: 'es_ES' }, 'locale');
    await bad({ question: 'x', locale: 'en-' }, 'locale');
    await bad({ question: 'x', locale: 'a'.repeat(16) }, 'locale');
    await bad({ question: 'x' }, 'locale');
    await bad({ question: 'x', locale: 'en', extra: 1 });
    await bad({ question: 'x', locale: 'en', conversation: 'ord_1' });
    await ok({ question: 'x', locale: 'en-XA', conversation: 'sc_1' });
    await ok({ question: 'line one\nline two', locale: 'ar' });
  });

  test(`PA_LIMIT_HELP_ASK: ${ASK_BURST} an hour per person and per address, charged only when valid`, async () => {
    const c = new Client(server);
    await c.signup(email('help-limit'), PASSWORD, 'Limit');
    assertError(await ask(c, { question: '', locale: 'en' }), 400, 'bad_request'); // costs nothing
    for (let i = 0; i < ASK_BURST; i++) assert.equal((await ask(c, { question: `q ${i}`, locale: 'en' })).status, 200, `ask ${i + 1}`);
    const refused = await ask(c, { question: 'one more', locale: 'en' });
    assertError(refused, 429, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    // Another person from the same address has a budget of their own.
    const same = new Client(server, { address: c.address });
    await same.signup(email('help-limit-2'), PASSWORD, 'Limit two');
    assert.equal((await ask(same, { question: 'mine', locale: 'en' })).status, 200);
    // Signed out, by address.
    const anon = new Client(server);
    for (let i = 0; i < ASK_BURST; i++) assert.equal((await ask(anon, { question: `q ${i}`, locale: 'en' })).status, 200, `anon ask ${i + 1}`);
    assertError(await ask(anon, { question: 'one more', locale: 'en' }), 429, 'rate_limited');
    assert.equal((await ask(new Client(server), { question: 'elsewhere', locale: 'en' })).status, 200);
  });

  test('CSRF: signed in needs the token; signed out, a same-origin request', async () => {
    assertError(await ask(people.bob.c, { question: 'x', locale: 'en' }, { csrf: false }), 403, 'csrf');
    const anon = new Client(server);
    assertError(await ask(anon, { question: 'x', locale: 'en' }, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'csrf');
    assertError(await ask(anon, { question: 'x', locale: 'en' }, { headers: { origin: 'https://evil.example' } }), 403, 'csrf');
    const before_ = dbQuery(server, 'SELECT count(*) FROM help_asks');
    assert.equal((await ask(anon, { question: 'x', locale: 'en' }, { headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
    assert.equal(dbQuery(server, 'SELECT count(*) FROM help_asks'), String(Number(before_) + 1));
  });

  test('GET /help/me/*: signed in only, the viewer\'s own plan, orders and hidden posts', async () => {
    const anon = new Client(server);
    for (const p of ['plan', 'orders', 'hidden-posts']) assertError(await anon.get(`/api/v1/help/me/${p}`), 401, 'unauthorized');
    const { ann, bob, cat } = people;
    const now = Math.floor(Date.now() / 1000);
    // Plans: free, then Plus for ten days (no subscription: a pass or a gift).
    assert.deepEqual((await ann.c.get('/api/v1/help/me/plan')).body,
      { tier: 'free', plan: null, renews: false, renews_at: null, plus_until: null });
    dbQuery(server, `UPDATE users SET plus_until = ${now + 10 * 86400} WHERE id = ${bob.id}`);
    const plan = (await bob.c.get('/api/v1/help/me/plan')).body;
    assert.equal(plan.tier, 'plus');
    assert.equal(plan.plus_until, new Date((now + 10 * 86400) * 1000).toISOString().replace('.000', ''));
    assert.equal((await ann.c.get('/api/v1/help/me/plan')).body.tier, 'free', 'another person\'s plan is not ann\'s');

    // Orders: ann bought one from cat, bob another; cat sold both and bought none.
    dbQuery(server, `INSERT INTO market_checkouts (buyer_id, created_at) VALUES (${ann.id}, ${now - 100});
      INSERT INTO market_checkouts (buyer_id, created_at) VALUES (${bob.id}, ${now - 50});`);
    const checkouts = dbQuery(server, `SELECT id FROM market_checkouts WHERE buyer_id IN (${ann.id}, ${bob.id}) ORDER BY id`).split('\n');
    dbQuery(server, `INSERT INTO market_orders (checkout_id, position, buyer_id, seller_id, state, provider, currency,
        total_minor, fee_minor, address, idem_key, created_at, updated_at, pay_by, paid_at) VALUES
      (${checkouts[0]}, 0, ${ann.id}, ${cat.id}, 'paid', 'paypal', 'EUR', 2599, 259, '{"name":"Ann"}', 'help-ask-order-ann-0001', ${now - 100}, ${now - 90}, ${now + 3600}, ${now - 90}),
      (${checkouts[1]}, 0, ${bob.id}, ${cat.id}, 'shipped', 'paypal', 'BRL', 4100, 410, '{"name":"Bob"}', 'help-ask-order-bob-0001', ${now - 50}, ${now - 40}, ${now + 3600}, ${now - 45})`);
    const annOrder = dbQuery(server, `SELECT id FROM market_orders WHERE buyer_id = ${ann.id}`);
    const orders = (await ann.c.get('/api/v1/help/me/orders')).body.orders;
    assert.equal(orders.length, 1);
    assert.deepEqual({ ...orders[0], created_at: undefined, updated_at: undefined },
      { id: `ord_${annOrder}`, state: 'paid', total_minor: 2599, currency: 'EUR', created_at: undefined, updated_at: undefined });
    assert.deepEqual((await bob.c.get('/api/v1/help/me/orders')).body.orders.map((o) => [o.state, o.currency]), [['shipped', 'BRL']]);
    assert.deepEqual((await cat.c.get('/api/v1/help/me/orders')).body, { orders: [] });

    // Hidden posts: two of ann's (hidden after two spam reports; removed with no
    // report), one shown; one of bob's hidden after a report of its own.
    const pet = await ann.c.post('/api/v1/pets', { name: 'Rex', species: 'dog' });
    const bobPet = await bob.c.post('/api/v1/pets', { name: 'Fido', species: 'dog' });
    const annPet = pet.body.id.slice(4);
    dbQuery(server, `INSERT INTO posts (author_id, pet_id, caption, created_at) VALUES
      (${ann.id}, ${annPet}, 'shown', ${now - 500}), (${ann.id}, ${annPet}, 'hidden', ${now - 400}),
      (${ann.id}, ${annPet}, 'removed', ${now - 300}), (${bob.id}, ${bobPet.body.id.slice(4)}, 'bob hidden', ${now - 200})`);
    const ids = dbQuery(server, `SELECT id FROM posts WHERE caption IN ('shown', 'hidden', 'removed', 'bob hidden') ORDER BY id`).split('\n');
    dbQuery(server, `UPDATE posts SET mod_state = 1 WHERE id IN (${ids[1]}, ${ids[3]});
      UPDATE posts SET mod_state = 2 WHERE id = ${ids[2]};
      INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at, closed_at, outcome) VALUES
        (${bob.id}, 'post', ${ids[1]}, ${ann.id}, 'spam', ${now - 350}, ${now - 20}, 'hide'),
        (${cat.id}, 'post', ${ids[1]}, ${ann.id}, 'spam', ${now - 340}, ${now - 20}, 'hide');
      INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at, closed_at, outcome) VALUES
        (${cat.id}, 'post', ${ids[3]}, ${bob.id}, 'nudity', ${now - 150}, ${now - 20}, 'hide');
      INSERT INTO notices (user_id, kind, post_id, detail, created_at) VALUES
        (${ann.id}, 'moderation', ${ids[1]}, '{"action":"hide"}', ${now - 20});`);
    const hidden = (await ann.c.get('/api/v1/help/me/hidden-posts')).body.posts;
    const iso = (t) => new Date(t * 1000).toISOString().replace('.000', '');
    assert.deepEqual(hidden, [
      { id: `p_${ids[2]}`, state: 'removed', at: iso(now - 300), reason: null },
      { id: `p_${ids[1]}`, state: 'hidden', at: iso(now - 20), reason: 'spam' },
    ]);
    assert.deepEqual((await bob.c.get('/api/v1/help/me/hidden-posts')).body.posts.map((p) => [p.id, p.reason]), [[`p_${ids[3]}`, 'nudity']]);
    assert.deepEqual((await cat.c.get('/api/v1/help/me/hidden-posts')).body, { posts: [] });
  });

  test(`asks are in the export, go with the account, and are deleted after ${RETENTION_DAYS} days`, async () => {
    const dan = new Client(server);
    const danUser = await dan.signup(email('help-dan'), PASSWORD, 'Dan');
    const danId = danUser.id.slice(2);
    assert.equal((await ask(dan, { question: 'how do I leave?', locale: 'en' })).status, 200);
    const exp = (await dan.get('/api/v1/me/export')).body.help_asks;
    assert.equal(exp.length, 1);
    assert.equal(exp[0].question, 'how do I leave?');
    assert.equal(exp[0].locale, 'en');
    assert.equal(exp[0].used_model, false);
    assert.ok(!JSON.stringify((await people.ann.c.get('/api/v1/me/export')).body.help_asks).includes('how do I leave?'));
    assert.equal((await dan.del('/api/v1/me', { password: PASSWORD })).status, 200);
    assert.equal(dbQuery(server, `SELECT count(*) FROM help_asks WHERE user_id = ${danId}`), '0');

    // Just inside the window a question stays; past it, the chores delete it
    // (run at start, beside the first requests: wait for them).
    const total = Number(dbQuery(server, 'SELECT count(*) FROM help_asks'));
    assert.ok(total > 40);
    const t0 = Number(dbQuery(server, 'SELECT min(created_at) FROM help_asks'));
    const kept = Math.floor(Date.now() / 1000) + 3600; // asked an hour from now
    dbQuery(server, `INSERT INTO help_asks (user_id, locale, question, created_at) VALUES (${people.ann.id}, 'en', 'inside', ${kept})`);
    const offset = t0 + RETENTION_DAYS * 86400 + 60 - Math.floor(Date.now() / 1000);
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(offset) } });
    for (const p of Object.values(people)) p.c.server = server;
    for (const end = Date.now() + 20_000; dbQuery(server, 'SELECT count(*) FROM help_asks') !== '1';) {
      assert.ok(Date.now() < end, 'the old questions are deleted'); // a hang guard
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(dbQuery(server, 'SELECT question FROM help_asks'), 'inside');
    // Without PA_LLM_URL there is no stream.
    const r = await ask(new Client(server), { question: NOTHING, locale: 'en' });
    assert.equal(r.body.stream, null);
    assertError(await people.ann.c.get(`/api/v1/help/asks/${r.body.ask}/stream`), 404, 'not_found');
  });
});

const ASK_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE help_asks')) + 1;

describe(`the upgrade to schema ${ASK_VERSION}: help_asks`, () => {
  test('SQLite: a database one version older is upgraded in place and takes asks', async () => {
    assert.ok(ASK_VERSION > 0, 'a migration makes help_asks');
    const { tmp, data, sql, migrations: m } = await oldDatabase('helpask', ASK_VERSION - 1);
    const now = Math.floor(Date.now() / 1000);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', ${now});`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      sql(`INSERT INTO help_asks (user_id, locale, question, created_at) VALUES (1, 'en', 'q', ${now});`);
      assert.throws(() => sql(`INSERT INTO help_asks (user_id, locale, question, created_at) VALUES (NULL, 'en', 'q', ${now});`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets help_asks from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-helpask-pg-'));
    const pg = await createDatabase('pa_helpask_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, ASK_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${ASK_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM help_asks'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
