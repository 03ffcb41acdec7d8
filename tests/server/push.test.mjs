// Web Push (web/README.md, "Push"): the routes and who may use them, the
// endpoint policy (the server never posts where a person points it), and
// delivery end to end through the local stand-in push service
// (tests/lib/pushsim.mjs), which verifies every VAPID JWT (RFC 8292) as a
// real service does, while this test plays the browser: its own P-256 key
// and auth secret from node:crypto, decrypting what arrives (RFC 8291).
// Then what the push service may answer: 410 removes the subscription, 503
// is retried after a backoff (a restart with a clock offset brings it
// round) up to a limit; and what ends a subscription: unsubscribe, sign-out,
// ending all sessions, deleting the account. Both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { browserKeys, startPushService } from '../lib/pushsim.mjs';
import { ROOT } from '../lib/paths.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, chatBundle, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer, stopServer,
} from './helpers.mjs';

// web/src/push/push.h
const SUBS_MAX = 10;
const ATTEMPTS_MAX = 6;
const RETRY_BASE_SECONDS = 30;
const TTL_SECONDS = 86400;

const uid = (c) => Number(c.user.id.slice(2));
let nextSub = 0;

/** Resolves once cond() holds, checking after each push or refusal the stand-in sees, and on a short poll for database state. */
async function until(cond, what) {
  const end = Date.now() + 60_000; // hang guard only
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited too long for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('push', () => {
  let sim, server, site, alice, bob, bobEmail, post;
  const env = () => ({ PA_PUSH_SERVICE: sim.origin });

  // A browser that subscribes c's session; returns its keys and stand-in id.
  async function subscribe(c, locale = 'en') {
    const ua = browserKeys();
    const id = `s${process.pid}-${++nextSub}`;
    const r = await c.post('/api/v1/push/subscriptions', ua.subscription(sim.endpoint(id), { locale }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { ua, id };
  }
  const count = (where) => Number(dbQuery(server, `SELECT count(*) FROM push_subscriptions WHERE ${where}`));

  before(async () => {
    sim = await startPushService();
    // The site's catalogs, for the words of a push.
    site = await mkdtemp(path.join(os.tmpdir(), 'pa-push-site-'));
    await symlink(path.join(ROOT, 'locales'), path.join(site, 'locales'));
    server = await startServer({ root: site, env: env() });
    alice = new Client(server);
    bob = new Client(server);
    await alice.signup(email('alice'), 'correct horse battery', 'Alice');
    bobEmail = email('bob');
    await bob.signup(bobEmail, 'correct horse battery', 'Bob');
    const pet = (await alice.post('/api/v1/pets', { name: 'Luna', species: 'dog' })).body;
    const media = await alice.upload(png(16, 16), 'image/png');
    post = (await alice.post('/api/v1/posts', { caption: 'Walk', media_ids: [media.id], pet_ids: [pet.id] })).body;
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await sim.stop();
    await rm(site, { recursive: true, force: true });
  });

  test('the key is public; subscribing needs a session and its CSRF token; unsubscribing too', async () => {
    const anon = new Client(server);
    const k = await anon.get('/api/v1/push/key');
    assert.equal(k.status, 200);
    assert.equal(Buffer.from(k.body.key, 'base64url').length, 65);
    assert.equal(k.body.max_devices, SUBS_MAX);
    const ua = browserKeys();
    const body = ua.subscription(sim.endpoint('anon'));
    assertError(await anon.post('/api/v1/push/subscriptions', body), 401, 'unauthorized');
    assertError(await anon.del('/api/v1/push/subscriptions'), 401, 'unauthorized');
    assertError(await alice.post('/api/v1/push/subscriptions', body, { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf');
    assertError(await alice.del('/api/v1/push/subscriptions', undefined, { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf');
    assert.equal(count(`user_id = ${uid(alice)}`), 0);
  });

  test('the endpoint must be a push service: no internal address, no other scheme, port or host', async () => {
    const ua = browserKeys();
    const port = Number(new URL(sim.url).port);
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data/', // cloud metadata
      `http://127.0.0.1:${port + 1}/push/x`, // loopback, but not the stand-in
      `http://localhost:${port}/push/x`, // the stand-in under another name
      `http://127.0.0.1:${port}@evil.example/push/x`,
      'https://evil.example/push/x',
      'https://fcm.googleapis.com.evil.example/x',
      'https://fcm.googleapis.com:444/x',
      'file:///etc/passwd',
      `https://fcm.googleapis.com/${'a'.repeat(1024)}`, // past 1024 bytes
    ]) {
      const r = await alice.post('/api/v1/push/subscriptions', ua.subscription(endpoint));
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, 'endpoint', endpoint);
    }
    const bad = { ...ua.subscription(sim.endpoint('k')), keys: { p256dh: ua.auth, auth: ua.auth } };
    const r = await alice.post('/api/v1/push/subscriptions', bad);
    assert.equal(r.body.error.field, 'keys');
    assert.match(r.body.error.message, /^keys\.p256dh: /);
    assertError(await alice.post('/api/v1/push/subscriptions', { ...ua.subscription(sim.endpoint('k')), extra: 1 }), 400, 'bad_request');
    // A real service's endpoint is accepted (nothing is sent to it here).
    const fcm = `https://fcm.googleapis.com/fcm/send/${'a'.repeat(1024 - 'https://fcm.googleapis.com/fcm/send/'.length)}`;
    assert.equal((await alice.post('/api/v1/push/subscriptions', ua.subscription(fcm))).status, 200);
    assert.equal(count(`user_id = ${uid(alice)}`), 1);
    assert.deepEqual((await alice.del('/api/v1/push/subscriptions')).body, { removed: 1 });
    assert.equal(count(`user_id = ${uid(alice)}`), 0);
  });

  test('a like is pushed: VAPID verified by the stand-in, TTL and Urgency, words in the subscriber\'s language, the post to open', async () => {
    const { ua, id } = await subscribe(alice, 'es');
    assert.equal((await bob.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    const [m] = await sim.waitFor(id, 1);
    const key = (await alice.get('/api/v1/push/key')).body.key;
    assert.equal(m.key, key, 'signed with the server\'s VAPID key');
    assert.equal(m.claims.aud, sim.origin);
    assert.match(m.claims.sub, /^mailto:/);
    assert.equal(m.headers.ttl, String(TTL_SECONDS));
    assert.equal(m.headers.urgency, 'normal');
    assert.equal((m.body.length - 86 - 1 - 16) % 256, 0, 'header, payload padded to 256 bytes, delimiter, tag');
    const payload = JSON.parse(ua.decrypt(m.body));
    assert.deepEqual(payload, { title: 'A Bob le gustó tu publicación', body: 'Toca para abrir PetAmigos', url: `/posts/${post.id}`, tag: 'like', kind: 'like' });
    // Another browser's keys cannot open it.
    assert.throws(() => browserKeys().decrypt(m.body));
    assert.equal(sim.refused().filter((r) => r.id === id).length, 0);
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    // An unlike takes the notification back; nothing more is sent for it.
    assert.equal((await bob.del(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal((await alice.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('an E2E chat message pushes the sender\'s name and nothing of the message', async () => {
    const { ua, id } = await subscribe(bob);
    const devA = (await alice.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    const devB = (await bob.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${devA}`, {
      headers: { cookie: `pa_session=${alice.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
    });
    const frames = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const secret = Buffer.from('the vet said Luna is fine').toString('base64');
    const send = (n) => ws.send(JSON.stringify({ type: 'send', id: `m${n}`, to: bob.user.id, envelopes: [{ device: devB, body: secret }] }));
    const sent = (n) => until(() => frames.filter((f) => f.type === 'sent').length >= n, `${n} messages stored`);
    // The first push meets a busy push service (503): it waits for its retry
    // while two more messages arrive, which join it instead of queueing more.
    sim.answer(id, [503]);
    send(1);
    await sent(1);
    await until(() => sim.refused().some((r) => r.id === id && r.status === 503), 'the first try');
    send(2);
    send(3);
    await sent(3);
    assert.equal(dbQuery(server, "SELECT count(*) FROM push_queue WHERE kind = 'chat'"), '1', 'one pending push per sender');
    dbQuery(server, 'UPDATE push_queue SET next_at = 0');
    const [m] = await sim.waitFor(id, 1);
    await new Promise((r) => { ws.once('close', r); ws.close(); });
    const text = ua.decrypt(m.body);
    assert.deepEqual(JSON.parse(text), { title: 'New message', body: 'A new message from Alice', url: `/chat/${alice.user.id}`, tag: 'chat', kind: 'chat' });
    assert.ok(!text.includes('Luna') && !text.includes(secret), 'no message text');
    assert.equal(m.headers.urgency, 'high');
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    assert.equal(sim.messages(id).length, 1, 'three messages, one push');
    assert.equal((await bob.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('an order\'s notice opens that order; a detail naming none well formed opens the notifications', async () => {
    const { ua, id } = await subscribe(alice);
    // The notice as web/src/orders.c's pa_orders_tell writes it (a real order
    // needs the payment simulator: tests/browser/market-orders.test.mjs
    // follows that notice to the order), then one whose id is no order's path.
    const detail = (order) => `{"step":"paid","order":"${order}","role":"seller","total_minor":4990,"currency":"EUR"}`;
    for (const order of ['ord_42', 'ord_4/../../x']) {
      dbQuery(server, `INSERT INTO notices (user_id, kind, actor_id, detail, created_at) VALUES (${uid(alice)}, 'order', ${uid(bob)}, '${detail(order)}', 1)`);
    }
    const got = (await sim.waitFor(id, 2)).map((m) => JSON.parse(ua.decrypt(m.body)));
    assert.deepEqual(got.map((p) => p.url).sort(), ['/notifications', '/orders/ord_42']);
    assert.deepEqual(got[0], { title: 'News about an order', body: 'Tap to open PetAmigos', url: got[0].url, tag: 'order', kind: 'order' });
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    assert.equal((await alice.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('a support reply\'s notice opens that conversation; a detail naming none well formed opens the notifications', async () => {
    const { ua, id } = await subscribe(alice);
    // The notice as web/src/api/support.c writes it when nobody's support socket is open.
    for (const conv of ['sc_7', 'sc_7/../../x', 'sc_07']) {
      dbQuery(server, `INSERT INTO notices (user_id, kind, detail, created_at) VALUES (${uid(alice)}, 'support_reply', '{"conversation":"${conv}"}', 1)`);
    }
    const got = (await sim.waitFor(id, 3)).map((m) => JSON.parse(ua.decrypt(m.body)));
    assert.deepEqual(got.map((p) => p.url).sort(), ['/notifications', '/notifications', '/support/sc_7']);
    assert.deepEqual(got[0], { title: 'Support replied to your question', body: 'Tap to open PetAmigos', url: got[0].url, tag: 'support', kind: 'support_reply' });
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    assert.equal((await alice.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('a person keeps at most SUBS_MAX subscriptions: one more forgets the oldest; another person\'s are untouched', async () => {
    const first = await subscribe(bob);
    const mine = [];
    for (let i = 0; i < SUBS_MAX; i++) mine.push(await subscribe(alice));
    assert.equal(count(`user_id = ${uid(alice)}`), SUBS_MAX, 'at the limit, all kept');
    const oldest = sim.endpoint(mine[0].id);
    assert.equal(count(`endpoint = '${oldest}'`), 1);
    mine.push(await subscribe(alice));
    assert.equal(count(`user_id = ${uid(alice)}`), SUBS_MAX, 'past it, still the limit');
    assert.equal(count(`endpoint = '${oldest}'`), 0, 'the oldest is the one forgotten');
    assert.equal(count(`endpoint = '${sim.endpoint(first.id)}'`), 1, 'bob\'s is untouched');
    // The same endpoint from another session moves, it is not doubled.
    const bob2 = new Client(server);
    await bob2.login(bobEmail, 'correct horse battery');
    assert.equal((await bob2.post('/api/v1/push/subscriptions', first.ua.subscription(sim.endpoint(first.id)))).status, 200);
    assert.equal(count(`endpoint = '${sim.endpoint(first.id)}'`), 1);
    // Alice unsubscribing removes only her session's.
    assert.equal((await alice.del('/api/v1/push/subscriptions')).body.removed, SUBS_MAX);
    assert.equal(count(`user_id = ${uid(bob)}`), 1);
    assert.equal((await bob2.post('/api/v1/auth/logout', {})).status, 200);
    assert.equal(count(`user_id = ${uid(bob)}`), 0, 'signing out ended it');
  });

  test('410 from the push service removes the subscription', async () => {
    const { id } = await subscribe(alice);
    sim.answer(id, [410]);
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    await until(() => count(`endpoint = '${sim.endpoint(id)}'`) === 0, 'the subscription to go');
    assert.deepEqual(sim.refused().filter((r) => r.id === id).map((r) => r.status), [410]);
    assert.equal(dbQuery(server, 'SELECT count(*) FROM push_queue'), '0');
    assert.equal((await bob.del(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
  });

  test('503 is retried after a backoff (a clock offset brings it round), up to ATTEMPTS_MAX tries', async () => {
    const { ua, id } = await subscribe(alice);
    sim.answer(id, [503]);
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    await until(() => dbQuery(server, 'SELECT attempts FROM push_queue') === '1', 'a retry to be scheduled');
    const [next, created] = dbQuery(server, 'SELECT next_at, created_at FROM push_queue').split('|').map(Number);
    assert.ok(next - created >= RETRY_BASE_SECONDS && next - created <= RETRY_BASE_SECONDS + 5, `${next - created}`);
    assert.equal(sim.messages(id).length, 0);
    // The server again, its clock a minute on: the retry is due and delivered.
    const dir = server.dir;
    const tmp = server.tmp;
    await stopServer(server);
    server = await startServer({ root: site, data: dir, seed: false, env: { ...env(), PA_TEST_CLOCK_OFFSET: '60' } });
    server.tmp = tmp;
    alice.server = bob.server = server;
    const [m] = await sim.waitFor(id, 1);
    assert.deepEqual(JSON.parse(ua.decrypt(m.body)), { title: 'Bob started following you', body: 'Tap to open PetAmigos', url: `/people/${bob.user.id}`, tag: 'follow', kind: 'follow' });
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    // At the last try, a 503 drops the push instead of retrying (one before it still retries).
    assert.equal((await bob.del(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    sim.answer(id, [503, 503]);
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    await until(() => dbQuery(server, 'SELECT attempts FROM push_queue') === '1', 'the first retry');
    dbQuery(server, `UPDATE push_queue SET attempts = ${ATTEMPTS_MAX - 2}, next_at = 0`);
    await until(() => dbQuery(server, 'SELECT attempts FROM push_queue') === String(ATTEMPTS_MAX - 1), 'the next-to-last try to reschedule');
    dbQuery(server, 'UPDATE push_queue SET next_at = 0');
    await until(() => dbQuery(server, 'SELECT count(*) FROM push_queue') === '0', 'the last try to drop it');
    assert.equal(sim.refused().filter((r) => r.id === id && r.status === 503).length, 3);
    assert.equal(count(`endpoint = '${sim.endpoint(id)}'`), 1, 'a 503 never removes the subscription');
    assert.equal((await bob.del(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    assert.equal((await alice.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('ending sessions ends their subscriptions: logout-all, and account deletion', async () => {
    const carol = new Client(server);
    const carolEmail = email('carol');
    await carol.signup(carolEmail, 'correct horse battery', 'Carol');
    const other = new Client(server);
    await other.login(carolEmail, 'correct horse battery');
    await subscribe(carol);
    await subscribe(other);
    assert.equal(count(`user_id = ${uid(carol)}`), 2);
    assert.equal((await other.post('/api/v1/auth/logout-all', {})).status, 200);
    assert.equal(count(`user_id = ${uid(carol)}`), 0, 'every session ended, every subscription with it');
    await carol.login(carolEmail, 'correct horse battery');
    await subscribe(carol);
    assert.equal((await carol.del('/api/v1/me', { password: 'correct horse battery' })).status, 200);
    assert.equal(count(`user_id = ${uid(carol)}`), 0);
  });
});

// The upgrade from the version before: the tables and triggers arrive on a
// database that has people, sessions and notices; a subscription made after
// it queues a push for the next notice. Found in the source, so a
// renumbering at merge needs no edit.
const PUSH_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE push_subscriptions')) + 1;
const OLD_WORLD = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
  INSERT INTO sessions (id, user_id, token_hash, csrf, created_at, expires_at) VALUES (1, 1, CAST('token-of-ann-0123456789abcdefghi' AS BLOB), 'c', 1, 9999999999);
  INSERT INTO notices (user_id, kind, created_at) VALUES (1, 'security', 5);`;
const AFTER = `INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, locale, created_at)
  VALUES (1, 1, 'https://fcm.googleapis.com/fcm/send/ann', CAST('${'B'.repeat(65)}' AS BLOB), CAST('${'a'.repeat(16)}' AS BLOB), 'en', 6);
  INSERT INTO notices (user_id, kind, created_at) VALUES (1, 'security', 7);
  SELECT kind, ref_id, attempts, next_at FROM push_queue;`;

describe(`the push schema upgrade (version ${PUSH_VERSION})`, () => {
  test('SQLite: the tables and triggers arrive, the old rows stay', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('push', PUSH_VERSION - 1);
    sql(OLD_WORLD);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT count(*) FROM notices'), '1');
      assert.equal(sql(`PRAGMA foreign_keys = ON; ${AFTER}`), 'notice 2 0 7');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-push-pg-'));
    const pg = await createDatabase('pa_push_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, PUSH_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${PUSH_VERSION - 1};
        ${OLD_WORLD.replace(/CAST\('([^']*)' AS BLOB\)/g, "convert_to('$1', 'UTF8')")}`);
      const server = await startServer({ data: path.join(tmp, 'data'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, AFTER.replace(/CAST\('([^']*)' AS BLOB\)/g, "convert_to('$1', 'UTF8')").replace(/SELECT kind.*$/, ''));
        assert.deepEqual(await query(pg.url, 'SELECT kind, ref_id, attempts, next_at FROM push_queue'),
          [{ kind: 'notice', ref_id: '2', attempts: '0', next_at: '7' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
