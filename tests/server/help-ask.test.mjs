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
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { startLlmsim } from '../lib/llmsim.mjs';
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
const here = path.dirname(fileURLToPath(import.meta.url));
// The articles: the real English ones (locales/help/en.json) and
// help-center.test's Spanish fixture (three articles).
const HELP_FILES = [path.join(here, '../../locales/help/en.json'), path.join(here, 'fixtures/help/es.json')];
// A question no article of any locale is about.
const NOTHING = 'qzxv wibble frotz plonk';
// web/src/assist.h: the assistant's threads and the asks waiting for them.
const WORKERS = 2; // PA_ASSIST_WORKERS
const QUEUE = 16; // PA_ASSIST_QUEUE
// The model's deadline in this file (PA_LLM_TIMEOUT_MS): a hang ends in it.
const TIMEOUT_MS = 3000;

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
  let server, help, llm;
  const people = {};
  const ask = (c, body, opts) => c.post('/api/v1/help/ask', body, opts);

  before(async () => {
    help = path.join(await mkdtemp(path.join(os.tmpdir(), 'pa-helpask-')), 'help');
    await mkdir(help);
    for (const f of HELP_FILES) await copyFile(f, path.join(help, path.basename(f)));
    llm = await startLlmsim();
    server = await startServer({ seed: false, env: { ...llm.serverEnv({ timeoutMs: TIMEOUT_MS }), PA_HELP_DIR: help } });
    for (const tag of ['ann', 'bob', 'cat']) {
      const c = new Client(server);
      const mail = email(`help-${tag}`);
      const user = await c.signup(mail, PASSWORD, `Person ${tag}`);
      people[tag] = { c, user, mail, id: Number(user.id.slice(2)) };
    }
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await llm.stop();
    await rm(path.dirname(help), { recursive: true, force: true });
  });

  test('retrieval: the best article\'s summary in the asker\'s language, the top 3, actions for the signed in', async () => {
    const anon = new Client(server);
    const es = await ask(anon, { question: '¿Cómo cambio la foto de mi perro?', locale: 'es' });
    assert.equal(es.status, 200, JSON.stringify(es.body));
    assert.equal(es.body.answer.kind, 'retrieval');
    assert.equal(es.body.articles[0].slug, 'pet-photo');
    assert.equal(es.body.articles[0].title, 'Cambiar la foto de perfil de tu mascota');
    assert.equal(es.body.answer.text, es.body.articles[0].summary);
    assert.ok(es.body.articles.length <= 3);
    assert.deepEqual(es.body.actions, [], 'signed out: no account actions');
    const id = es.body.ask.slice(3);
    assert.equal(dbQuery(server, `SELECT locale, articles, answer FROM help_asks WHERE id = ${id}`),
      `es|${es.body.articles.map((a) => a.slug).join(',')}|${es.body.answer.text}`);
    // English, from the real articles; the account action of the top one, signed in only.
    const { ann } = people;
    for (const [q, slug, action] of [['where is my order?', 'market-buy', 'my_orders'],
      ['why was my post hidden', 'hidden-post', 'hidden_posts'], ["how do I change my dog's profile picture", 'pet-photo', null]]) {
      const r = await ask(ann.c, { question: q, locale: 'en' });
      assert.equal(r.body.answer.kind, 'retrieval', q);
      assert.equal(r.body.articles[0].slug, slug, q);
      assert.deepEqual(r.body.actions, action ? [action] : [], q);
      assert.deepEqual((await ask(new Client(server), { question: q, locale: 'en' })).body.actions, [], `${q}: signed out`);
    }
    // A locale without articles is answered from English.
    const th = await ask(anon, { question: 'where is my order?', locale: 'th' });
    assert.equal(th.body.articles[0].slug, 'market-buy');
    // Off-topic questions score below PA_ASSIST_SCORE_MIN: unknown, no articles.
    for (const q of ['is it going to rain', 'who won the football']) {
      const r = await ask(anon, { question: q, locale: 'en' });
      assert.deepEqual([r.body.answer, r.body.articles], [{ kind: 'unknown', text: '' }, []], q);
    }
  });

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
    // A HEAD takes nothing: the GET after it still streams.
    const head = await ann.c.request('HEAD', mine.body.stream);
    assert.equal(head.status, 200);
    assert.equal(head.buf.length, 0);
    assert.equal((await bob.c.request('HEAD', mine.body.stream)).status, 404);
    const s = await ann.c.get(mine.body.stream);
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    assert.equal(events(s.buf.toString()).at(-1).event, 'done');
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
    assert.equal(events(s2.buf.toString()).at(-1).event, 'done');
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

  test('with a model: the answer token by token, done citing the article, kept with the ask', async () => {
    await llm.reset();
    const anon = new Client(server);
    const r = await ask(anon, { question: '¿Cómo cambio la foto de mi perro?', locale: 'es' });
    assert.equal(r.body.answer.kind, 'retrieval');
    const s = await anon.get(r.body.stream);
    const evs = events(s.buf.toString());
    const tokens = evs.filter((e) => e.event === 'token');
    assert.ok(tokens.length > 2, `several tokens: ${JSON.stringify(evs)}`);
    const done = evs.at(-1);
    assert.equal(done.event, 'done');
    assert.equal(tokens.map((e) => e.data.t).join(''), done.data.text);
    assert.match(done.data.text, /\[1\]$/);
    assert.deepEqual(done.data.cited, [{ slug: 'pet-photo', title: 'Cambiar la foto de perfil de tu mascota' }]);
    assert.equal(evs.filter((e) => e.event === 'tool').length, 0, 'signed out: no tools');
    assert.equal(dbQuery(server, `SELECT used_model, articles, tools, answer FROM help_asks WHERE id = ${r.body.ask.slice(3)}`),
      `1|pet-photo||${done.data.text}`);
    // What the model got: the numbered articles and the question; no tools for a signed-out asker.
    const [sent] = await llm.requests();
    assert.equal(sent.body.tools, undefined);
    assert.equal(sent.body.stream, true);
    const [system, user] = sent.body.messages;
    assert.equal(system.role, 'system');
    assert.match(system.content, /\n\[1\] Cambiar la foto de perfil de tu mascota\nAbre el perfil/);
    assert.match(system.content, /language whose tag is es/);
    assert.deepEqual(user, { role: 'user', content: '¿Cómo cambio la foto de mi perro?' });
  });

  test('with a model: tools run with the asker\'s session; another person\'s order is not_found and reaches nobody', async () => {
    await llm.reset();
    const { ann, bob } = people;
    // The orders of the /help/me test above: ann's paid in EUR, bob's shipped in BRL.
    const annOrder = dbQuery(server, `SELECT id FROM market_orders WHERE buyer_id = ${ann.id}`);
    const bobOrder = dbQuery(server, `SELECT id FROM market_orders WHERE buyer_id = ${bob.id}`);
    assert.ok(annOrder && bobOrder, 'the orders exist');
    const streamOf = async (c, question) => {
      const r = await ask(c, { question, locale: 'en' });
      return events((await c.get(r.body.stream)).buf.toString());
    };
    const own = await streamOf(ann.c, `where is my order ord_${annOrder}?`);
    assert.deepEqual(own.filter((e) => e.event === 'tool').map((e) => e.data), [{ name: 'order_status' }]);
    assert.match(own.at(-1).data.text, new RegExp(`ord_${annOrder}, paid, 2599, EUR`));
    const theirs = await streamOf(ann.c, `where is my order ord_${bobOrder}?`);
    assert.deepEqual(theirs.filter((e) => e.event === 'tool').map((e) => e.data), [{ name: 'order_status' }]);
    assert.equal(theirs.at(-1).event, 'done');
    assert.equal(theirs.at(-1).data.text, 'I could not find that order among yours.');
    const list = await streamOf(ann.c, 'where are my orders?');
    assert.deepEqual(list.filter((e) => e.event === 'tool').map((e) => e.data), [{ name: 'my_orders' }]);
    assert.match(list.at(-1).data.text, /paid, 2599, EUR/);
    assert.doesNotMatch(list.at(-1).data.text, /BRL|4100|shipped/);
    const plan = await streamOf(bob.c, 'when does my plus renew?');
    assert.deepEqual(plan.filter((e) => e.event === 'tool').map((e) => e.data), [{ name: 'my_plan' }]);
    assert.match(plan.at(-1).data.text, /plus/);
    const hidden = await streamOf(ann.c, 'why was my post hidden?');
    assert.deepEqual(hidden.filter((e) => e.event === 'tool').map((e) => e.data), [{ name: 'hidden_posts' }]);
    assert.match(hidden.at(-1).data.text, /hidden, .*spam/);
    // A signed-out asker gets no tools, whatever it asks.
    const anon = await streamOf(new Client(server), `where is my order ord_${bobOrder}?`);
    assert.equal(anon.filter((e) => e.event === 'tool').length, 0);
    assert.doesNotMatch(anon.at(-1).data.text, /BRL|4100|shipped/);
    assert.equal(dbQuery(server, `SELECT tools FROM help_asks WHERE user_id = ${ann.id} AND question LIKE 'where is my order ord_%' ORDER BY id`),
      'order_status\norder_status');
    // Privacy: nothing of bob's order, and no one's name, e-mail or id, in any request the model got.
    const recorded = await llm.requests();
    const requests = JSON.stringify(recorded);
    for (const p of Object.values(people)) {
      for (const s of [p.user.name, p.mail, p.user.id, p.user.handle].filter(Boolean)) {
        assert.ok(!requests.includes(s), `the model never sees ${s}`);
      }
    }
    for (const s of ['4100', 'BRL']) assert.ok(!requests.includes(s), `nothing of bob's order: ${s}`);
    const results = recorded.flatMap((r) => r.body.messages.filter((m) => m.role === 'tool').map((m) => m.content));
    assert.ok(results.length >= 5, 'the tools\' results went to the model');
    for (const c of results) {
      assert.ok(!c.includes(`ord_${bobOrder}`) && !c.includes('"shipped"'), `a tool result holds nothing of bob's: ${c}`);
    }
    assert.ok(results.includes('{"error":"not_found"}'));
  });

  test(`with a model: a hang or a stall falls back "timeout" at the deadline, a broken answer or an error "error", a full queue "busy"`, async () => {
    const anon = new Client(server);
    await llm.mode('hang');
    const r = await ask(anon, { question: '¿Cómo cambio la foto de mi perro?', locale: 'es' });
    assert.deepEqual(events((await anon.get(r.body.stream)).buf.toString()), [{ event: 'fallback', data: { reason: 'timeout' } }]);
    assert.equal(dbQuery(server, `SELECT used_model FROM help_asks WHERE id = ${r.body.ask.slice(3)}`), '0');
    // A model that stops mid-answer: the pieces it sent, then "timeout" (no done).
    await llm.mode('stall');
    const st = await ask(anon, { question: '¿Cómo cambio la foto de mi perro?', locale: 'es' });
    const stalled = events((await anon.get(st.body.stream)).buf.toString());
    assert.deepEqual(stalled.map((x) => x.event), ['token', 'token', 'fallback']);
    assert.deepEqual(stalled.at(-1).data, { reason: 'timeout' });
    // A malformed answer is an error, whatever came before it.
    await llm.mode('bad');
    const b = await ask(anon, { question: '¿Cómo cambio la foto de mi perro?', locale: 'es' });
    assert.deepEqual(events((await anon.get(b.body.stream)).buf.toString()).at(-1), { event: 'fallback', data: { reason: 'error' } });
    await llm.mode('error');
    const e = await ask(anon, { question: 'where is my order?', locale: 'en' });
    assert.deepEqual(events((await anon.get(e.body.stream)).buf.toString()), [{ event: 'fallback', data: { reason: 'error' } }]);
    // Busy: the threads each on a hanging ask and PA_ASSIST_QUEUE more waiting; the next is
    // answered at once. (Its response's head comes once its handler has queued the ask.)
    await llm.mode('hang');
    const held = [];
    const open = (url) => new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: url, agent: false, localAddress: anon.address }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('error', () => {});
        resolve({ res, req, body: () => body, ended: new Promise((ok) => res.on('close', ok)) });
      });
      req.on('error', reject);
    });
    for (let i = 0; i < WORKERS + QUEUE; i++) {
      const a = await ask(new Client(server), { question: `where is my order? ${i}`, locale: 'en' });
      held.push(await open(a.body.stream));
    }
    const last = await ask(new Client(server), { question: 'one too many', locale: 'en' });
    const busy = await open(last.body.stream);
    await busy.ended;
    assert.deepEqual(events(busy.body()), [{ event: 'fallback', data: { reason: 'busy' } }]);
    // The last one let in (the queue's 16th) was queued, not refused.
    for (const h of held) assert.ok(!h.body().includes('busy'), 'every held stream was taken');
    // The held streams are let go (their asks end at their first event, unsent).
    for (const h of held) h.req.destroy();
    await llm.mode('normal');
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
    server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(offset), PA_HELP_DIR: help } });
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
