// Calls (web/README.md, "Calls"): TURN credentials in coturn's REST scheme,
// proven against a real coturn (scripts/turn, Debian's turnserver) by a TURN
// Allocate from this test (RFC 5766 over UDP, long-term credentials of RFC
// 5389); the call record (who called whom, when, how it ended — nothing
// else), its push to the callee ("Incoming call" and the caller's name),
// blocks, the hourly limit at its edge, and every route's authorization.
// Then the upgrade to the calls schema on both engines. Both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { browserKeys, startPushService } from '../lib/pushsim.mjs';
import { ROOT } from '../lib/paths.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { startTurn } from '../lib/turn.mjs';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

// web/src/api/chat_relay.h
const TURN_TTL_S = 6 * 3600;
const CALLS_PER_HOUR = 20;

const num = (id) => Number(id.replace(/^[a-z]+_/, ''));

// ---- a TURN client, just enough for Allocate (RFC 5389 / 5766)

const COOKIE = 0x2112a442;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019 };

function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(value.length, 2);
  value.copy(b, 4);
  return b;
}

// An Allocate request; with key, MESSAGE-INTEGRITY (HMAC-SHA1 over the
// message with its length already counting the integrity attribute).
function allocate(tid, attrs, key) {
  const body = Buffer.concat([attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])), ...attrs]);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(0x0003, 0);
  head.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  head.writeUInt32BE(COOKIE, 4);
  tid.copy(head, 8);
  const msg = Buffer.concat([head, body]);
  if (!key) return msg;
  return Buffer.concat([msg, attr(ATTR.MESSAGE_INTEGRITY, createHmac('sha1', key).update(msg).digest())]);
}

function parse(msg) {
  const type = msg.readUInt16BE(0);
  const attrs = new Map();
  for (let at = 20; at + 4 <= msg.length;) {
    const t = msg.readUInt16BE(at), n = msg.readUInt16BE(at + 2);
    attrs.set(t, msg.subarray(at + 4, at + 4 + n));
    at += 4 + n + ((4 - (n % 4)) % 4);
  }
  const err = attrs.get(ATTR.ERROR_CODE);
  return { type, attrs, error: err ? err[2] * 100 + err[3] : 0 };
}

// One Allocate round trip to the TURN server at url (turn:host:port).
async function turnAllocate(url, username, password) {
  const [, host, port] = /^turn:([^:]+):(\d+)$/.exec(url);
  const sock = dgram.createSocket('udp4');
  const ask = (m) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from coturn')), 10_000); // hang guard only
    sock.once('message', (d) => { clearTimeout(timer); resolve(parse(d)); });
    sock.send(m, Number(port), host);
  });
  try {
    const first = await ask(allocate(randomBytes(12), []));
    assert.equal(first.type, 0x0113, 'an unauthenticated Allocate is refused');
    assert.equal(first.error, 401);
    const realm = first.attrs.get(ATTR.REALM), nonce = first.attrs.get(ATTR.NONCE);
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const second = await ask(allocate(randomBytes(12),
      [attr(ATTR.USERNAME, Buffer.from(username)), attr(ATTR.REALM, realm), attr(ATTR.NONCE, nonce)], key));
    const relayed = second.attrs.get(ATTR.XOR_RELAYED_ADDRESS);
    return { ok: second.type === 0x0103, error: second.error, realm: realm.toString(),
      relayPort: relayed ? relayed.readUInt16BE(2) ^ (COOKIE >>> 16) : 0 };
  } finally {
    sock.close();
  }
}

const turnCredential = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

describe('calls', () => {
  let turn, sim, site, server, bare, alice, bob, carol;

  before(async () => {
    turn = await startTurn();
    sim = await startPushService();
    // The site's catalogs, for the words of a push.
    site = await mkdtemp(path.join(os.tmpdir(), 'pa-calls-site-'));
    await symlink(path.join(ROOT, 'locales'), path.join(site, 'locales'));
    server = await startServer({ root: site, env: { ...turn.env, PA_PUSH_SERVICE: sim.origin } });
    alice = new Client(server);
    bob = new Client(server);
    carol = new Client(server);
    await alice.signup(email('alice'), 'correct horse battery', 'Alice');
    await bob.signup(email('bob'), 'correct horse battery', 'Bob');
    await carol.signup(email('carol'), 'correct horse battery', 'Carol');
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await stopServer(bare, { keepData: false });
    await sim.stop();
    await turn.stop();
    await rm(site, { recursive: true, force: true });
  });

  test('every route: no session 401, no CSRF token 403', async () => {
    const anon = new Client(server);
    const call = (await alice.post('/api/v1/chat/calls', { to: bob.user.id, video: false })).body.id;
    for (const [p, body] of [['/api/v1/chat/turn', {}], ['/api/v1/chat/calls', { to: bob.user.id, video: true }],
      [`/api/v1/chat/calls/${call}/end`, { state: 'ended' }]]) {
      assertError(await anon.post(p, body), 401, 'unauthorized');
      assertError(await alice.post(p, body, { csrf: false }), 403, 'csrf');
    }
    assert.equal(dbQuery(server, `SELECT state FROM calls WHERE id = ${num(call)}`), 'ringing', 'nothing refused changed it');
    assert.equal((await alice.post(`/api/v1/chat/calls/${call}/end`, { state: 'ended' })).status, 200);
  });

  test('TURN credentials are coturn\'s REST scheme, and the real coturn takes them (and nothing else)', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const r = await alice.post('/api/v1/chat/turn', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const { urls, username, credential, ttl } = r.body;
    assert.deepEqual(urls, [`${turn.url}?transport=udp`, `${turn.url}?transport=tcp`]);
    assert.equal(ttl, TURN_TTL_S);
    const [expiry, who] = username.split(':');
    assert.equal(who, alice.user.id);
    assert.ok(Number(expiry) >= t0 + TURN_TTL_S && Number(expiry) <= Math.floor(Date.now() / 1000) + TURN_TTL_S);
    assert.equal(credential, turnCredential(turn.secret, username), 'HMAC-SHA1 of the username under the secret');
    // coturn allocates a relay with it, in the configured port range.
    const ok = await turnAllocate(turn.url, username, credential);
    assert.equal(ok.ok, true, `coturn refused the server's credential (${ok.error})`);
    assert.equal(ok.realm, 'petamigos');
    const port = Number(turn.url.split(':')[2]);
    assert.ok(ok.relayPort > port && ok.relayPort <= port + 20, `relay port ${ok.relayPort}`);
    // A credential under another secret, and one past its expiry, are refused by coturn itself.
    const forged = await turnAllocate(turn.url, username, turnCredential('not the secret', username));
    assert.deepEqual([forged.ok, forged.error], [false, 401]);
    const old = `${t0 - 1}:${alice.user.id}`;
    const expired = await turnAllocate(turn.url, old, turnCredential(turn.secret, old));
    assert.deepEqual([expired.ok, expired.error], [false, 401]);
  });

  test('a server without TURN says so: 503 turn_unconfigured', async () => {
    bare = await startServer({ seed: false });
    const c = new Client(bare);
    await c.signup(email('lone'), 'correct horse battery', 'Lone');
    assertError(await c.post('/api/v1/chat/turn', {}), 503, 'turn_unconfigured');
  });

  test('a call is recorded as who, whom, when and how it ended; it rings the callee by push with the caller\'s name only', async () => {
    const ua = browserKeys();
    const sub = `calls-${process.pid}`;
    assert.equal((await bob.post('/api/v1/push/subscriptions', ua.subscription(sim.endpoint(sub), { locale: 'en' }))).status, 200);
    const t0 = Math.floor(Date.now() / 1000);
    const r = await alice.post('/api/v1/chat/calls', { to: bob.user.id, video: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.id, /^call_[1-9][0-9]*$/);
    const [m] = await sim.waitFor(sub, 1);
    assert.deepEqual(JSON.parse(ua.decrypt(m.body)),
      { title: 'Incoming call', body: 'Alice', url: `/chat/${alice.user.id}`, tag: 'call', kind: 'call' });
    // The row: exactly these columns, nothing of the call's content.
    const cols = dbQuery(server, server.database
      ? "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'calls'"
      : "SELECT group_concat(name, ',') FROM pragma_table_info('calls')");
    assert.equal(cols, 'id,caller,callee,started_at,ended_at,state');
    const row = () => dbQuery(server, `SELECT caller, callee, started_at >= ${t0}, ended_at IS NULL, state FROM calls WHERE id = ${num(r.body.id)}`);
    assert.equal(row(), `${num(alice.user.id)}|${num(bob.user.id)}|1|1|ringing`);
    // Either party ends it, once; a stranger cannot see it.
    assertError(await carol.post(`/api/v1/chat/calls/${r.body.id}/end`, { state: 'ended' }), 404, 'not_found');
    assert.equal((await bob.post(`/api/v1/chat/calls/${r.body.id}/end`, { state: 'answered' })).status, 200);
    assert.equal(row(), `${num(alice.user.id)}|${num(bob.user.id)}|1|0|answered`);
    assertError(await alice.post(`/api/v1/chat/calls/${r.body.id}/end`, { state: 'ended' }), 409, 'call_ended');
    // A call that ended before its push went out rings nobody.
    const quiet = (await alice.post('/api/v1/chat/calls', { to: bob.user.id, video: false })).body.id;
    dbQuery(server, 'UPDATE push_queue SET next_at = next_at + 3600');
    assert.equal((await alice.post(`/api/v1/chat/calls/${quiet}/end`, { state: 'missed' })).status, 200);
    dbQuery(server, 'UPDATE push_queue SET next_at = 0');
    await sim.waitFor(sub, 1);
    for (let i = 0; i < 100 && dbQuery(server, "SELECT count(*) FROM push_queue WHERE kind = 'call'") !== '0'; i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(dbQuery(server, "SELECT count(*) FROM push_queue WHERE kind = 'call'"), '0', 'dropped');
    assert.equal(sim.messages(sub).length, 1, 'the ended call was never pushed');
    assert.equal((await bob.del('/api/v1/push/subscriptions')).body.removed, 1);
  });

  test('bodies and ids are checked; yourself, nobody and a block either way are refused', async () => {
    const bad = [[{ to: bob.user.id }, 'video'], [{ to: bob.user.id, video: 1 }, 'video'], [{ video: true }, undefined],
      [{ to: 'bob', video: true }, undefined], [{ to: bob.user.id, video: true, sdp: 'v=0' }, undefined]];
    for (const [body, field] of bad) {
      const r = await alice.post('/api/v1/chat/calls', body);
      assertError(r, 400, 'bad_request');
      if (field) assert.equal(r.body.error.field, field);
    }
    assertError(await alice.post('/api/v1/chat/calls', { to: alice.user.id, video: true }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/calls', { to: 'u_999999999', video: true }), 404, 'not_found');
    assert.equal((await carol.put(`/api/v1/users/${alice.user.id}/block`)).status, 200);
    assertError(await alice.post('/api/v1/chat/calls', { to: carol.user.id, video: true }), 404, 'not_found');
    assertError(await carol.post('/api/v1/chat/calls', { to: alice.user.id, video: true }), 404, 'not_found');
    assert.equal((await carol.del(`/api/v1/users/${alice.user.id}/block`)).status, 200);
    const call = (await alice.post('/api/v1/chat/calls', { to: carol.user.id, video: false })).body.id;
    for (const state of ['ringing', 'hung', '', 3]) {
      assertError(await alice.post(`/api/v1/chat/calls/${call}/end`, { state }), 400, 'bad_request');
    }
    assertError(await alice.post(`/api/v1/chat/calls/${call}/end`, { state: 'ended', why: 'x' }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/calls/call_999999999/end', { state: 'ended' }), 404, 'not_found');
    assertError(await alice.post('/api/v1/chat/calls/c_1/end', { state: 'ended' }), 404, 'not_found');
    assert.equal((await carol.post(`/api/v1/chat/calls/${call}/end`, { state: 'declined' })).status, 200);
  });

  test(`PA_CALLS_PER_HOUR: the ${CALLS_PER_HOUR}th call of an hour goes through, the next is 429`, async () => {
    const dave = new Client(server);
    await dave.signup(email('dave'), 'correct horse battery', 'Dave');
    // The hour's earlier calls, written as the server writes them (the route has its own write budget).
    const now = Math.floor(Date.now() / 1000);
    const rows = Array.from({ length: CALLS_PER_HOUR - 1 }, (_, i) =>
      `(${num(dave.user.id)}, ${num(bob.user.id)}, ${now - 3500 + i}, ${now - 3400 + i}, 'missed')`).join(',');
    // One just outside the window does not count.
    dbQuery(server, `INSERT INTO calls (caller, callee, started_at, ended_at, state) VALUES ${rows},
      (${num(dave.user.id)}, ${num(bob.user.id)}, ${now - 3700}, ${now - 3650}, 'missed')`);
    assert.equal((await dave.post('/api/v1/chat/calls', { to: bob.user.id, video: false })).status, 201);
    const r = await dave.post('/api/v1/chat/calls', { to: bob.user.id, video: false });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal(dbQuery(server, `SELECT count(*) FROM calls WHERE caller = ${num(dave.user.id)}`), String(CALLS_PER_HOUR + 1));
  });
});

// The upgrade to the calls schema: push_queue rebuilt for kind 'call' with its rows and ids.
const CALLS_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE calls')) + 1;

describe(`the upgrade to schema ${CALLS_VERSION}: calls`, () => {
  // Bytes as each engine writes them; pushes due far ahead, so the server's push worker leaves them be.
  const rows = (hex) => `INSERT INTO users (id, handle, name, email, created_at) VALUES
      (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);
    INSERT INTO sessions (id, user_id, token_hash, csrf, created_at, expires_at) VALUES
      (1, 2, ${hex('11'.repeat(32))}, '${'c'.repeat(43)}', 1, 9999999999);
    INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, p256dh, auth, locale, created_at) VALUES
      (1, 2, 1, 'https://push.example.test/x', ${hex(`04${'22'.repeat(64)}`)}, ${hex('33'.repeat(16))}, 'en', 1);
    INSERT INTO notifications (id, user_id, actor_id, kind, created_at) VALUES (7, 2, 1, 'follow', 5);
    UPDATE push_queue SET next_at = 9999999999;`;
  const liteHex = (h) => `X'${h}'`;
  const pgHex = (h) => `'\\x${h}'::bytea`;
  const after = 'INSERT INTO calls (caller, callee, started_at) VALUES (1, 2, 9999999999);';
  const check = 'SELECT kind, ref_id FROM push_queue ORDER BY id';

  test('SQLite: the queue keeps its rows, and a call rings', async () => {
    assert.ok(CALLS_VERSION > 0, 'a migration creates calls');
    const { tmp, data, sql, migrations: m } = await oldDatabase('calls', CALLS_VERSION - 1);
    sql(rows(liteHex));
    const before = sql('SELECT id, kind, ref_id FROM push_queue');
    assert.match(before, /notification 7/);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, kind, ref_id FROM push_queue'), before, 'ids and rows kept');
      sql(after);
      assert.equal(sql(check), 'notification 7\ncall 1');
      assert.throws(() => sql('INSERT INTO calls (caller, callee, started_at) VALUES (1, 1, 10)'));
      assert.throws(() => sql("UPDATE calls SET state = 'ended'"), 'ended needs ended_at');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-calls-pg-'));
    const pg = await createDatabase('pa_calls_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, CALLS_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${CALLS_VERSION - 1};
        ${rows(pgHex)}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, after);
        assert.deepEqual(await query(pg.url, check), [{ kind: 'notification', ref_id: '7' }, { kind: 'call', ref_id: '1' }]);
        await assert.rejects(runSql(pg.url, 'INSERT INTO calls (caller, callee, started_at) VALUES (1, 1, 10)'));
        await assert.rejects(runSql(pg.url, "UPDATE calls SET state = 'ended'"));
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
