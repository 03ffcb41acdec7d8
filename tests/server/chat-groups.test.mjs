// Group chats on the server (issue 22, item 4; web/README.md "Chat",
// "Groups"): every route's authorization (no session 401, no CSRF token 403,
// a non-member 404, a member who is not an admin 403, blocked pairs), the
// member cap at its edge (the 32nd person taken, the 33rd 409 group_full),
// the last admin (leaving promotes the oldest member; stepping down is 409),
// and the relay with real `ws` traffic: a group message reaches the devices
// of current members only, a removed member's devices are refused and get
// nothing queued, typing and read marks reach the other members only. Bodies
// are opaque bytes here: the relay never reads them (the browser test sends
// real ones). One server for the file; the schema upgrade on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, chatBundle, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource,
  startServer, stopServer,
} from './helpers.mjs';

const MAX_MEMBERS = 32; // PA_GROUP_MAX_MEMBERS
const MAX_ENVELOPES = MAX_MEMBERS * 5; // PA_GROUP_MAX_ENVELOPES = 32 × PA_CHAT_MAX_DEVICES
// n random bytes as an SQL expression, on either engine.
const DATABASE_RANDOM = (n) => (process.env.PA_TEST_DATABASE === 'postgresql'
  ? `decode('${randomBytes(n).toString('hex')}', 'hex')` : `x'${randomBytes(n).toString('hex')}'`);

// A socket that queues frames so a test can wait for the next one of a type.
async function connect(server, client, device) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${device}`, {
    headers: { cookie: `pa_session=${client.cookie}` },
    origin: `http://127.0.0.1:${server.port}`,
  });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.next = async (type, timeout = 10_000) => {
    const end = Date.now() + timeout;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames.map((f) => f.type))}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  // Everything that arrived so far after a ping's pong: frames sent before it were already sent.
  ws.settle = async () => {
    ws.sendJson({ type: 'ping' });
    await ws.next('pong');
    return frames.splice(0);
  };
  ws.frames = frames;
  ws.sendJson = (o) => ws.send(JSON.stringify(o));
  await ws.next('hello');
  return ws;
}

const body = () => randomBytes(120).toString('base64');

describe('chat groups: routes and relay', () => {
  let server, alice, bob, carol, dave, eve, g;
  const dev = {};
  const sock = {};

  async function person(name) {
    const c = new Client(server);
    await c.signup(email(name), `${name} password!`, name);
    const r = await c.post('/api/v1/chat/devices', { bundle: chatBundle() });
    assert.equal(r.status, 201);
    dev[name] = r.body.id;
    c.name = name;
    return c;
  }

  before(async () => {
    server = await startServer();
    [alice, bob, carol, dave, eve] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'eve'].map(person));
    for (const c of [alice, bob, carol, eve]) sock[c.name] = await connect(server, c, dev[c.name]);
  });
  after(async () => {
    for (const ws of Object.values(sock)) ws.close();
    await stopServer(server, { keepData: false });
  });

  test('without a session every route is 401; writes without the CSRF token are refused', async () => {
    const anon = new Client(server);
    const r = await alice.post('/api/v1/chat/groups', {});
    assert.equal(r.status, 201);
    g = r.body.id;
    assert.match(g, /^g_\d+$/);
    assertError(await anon.post('/api/v1/chat/groups', {}), 401, 'unauthorized');
    assertError(await anon.get('/api/v1/chat/groups'), 401, 'unauthorized');
    assertError(await anon.get(`/api/v1/chat/groups/${g}`), 401, 'unauthorized');
    assertError(await anon.post(`/api/v1/chat/groups/${g}/members`, { user: bob.user.id }), 401, 'unauthorized');
    assertError(await anon.del(`/api/v1/chat/groups/${g}/members/${alice.user.id}`), 401, 'unauthorized');
    assertError(await anon.patch(`/api/v1/chat/groups/${g}/members/${alice.user.id}`, { role: 'member' }), 401, 'unauthorized');
    const noCsrf = { csrf: false };
    assertError(await alice.post('/api/v1/chat/groups', {}, noCsrf), 403, 'csrf');
    assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, { user: bob.user.id }, noCsrf), 403, 'csrf');
    assertError(await alice.del(`/api/v1/chat/groups/${g}/members/${alice.user.id}`, undefined, noCsrf), 403, 'csrf');
    assertError(await alice.patch(`/api/v1/chat/groups/${g}/members/${alice.user.id}`, { role: 'member' }, noCsrf), 403, 'csrf');
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_group_members WHERE group_id = ${g.slice(2)}`), '1');
  });

  test('bodies are checked strictly', async () => {
    assertError(await alice.post('/api/v1/chat/groups', { name: 'secret' }), 400, 'bad_request');
    for (const bad of [{}, { user: 'u_0' }, { user: 'u_01' }, { user: 7 }, { user: bob.user.id, role: 'admin' }]) {
      assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, bad), 400, 'bad_request');
    }
    for (const bad of [{}, { role: 'owner' }, { role: 'admin', x: 1 }]) {
      assertError(await alice.patch(`/api/v1/chat/groups/${g}/members/${alice.user.id}`, bad), 400, 'bad_request');
    }
  });

  test('a non-member gets 404 for everything; a member who is no admin gets 403', async () => {
    for (const who of [bob, carol]) assert.equal((await alice.post(`/api/v1/chat/groups/${g}/members`, { user: who.user.id })).status, 200);
    assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, { user: bob.user.id }), 409, 'already_member');
    assertError(await eve.get(`/api/v1/chat/groups/${g}`), 404, 'not_found');
    assertError(await eve.post(`/api/v1/chat/groups/${g}/members`, { user: eve.user.id }), 404, 'not_found');
    assertError(await eve.del(`/api/v1/chat/groups/${g}/members/${bob.user.id}`), 404, 'not_found');
    assertError(await eve.patch(`/api/v1/chat/groups/${g}/members/${eve.user.id}`, { role: 'admin' }), 404, 'not_found');
    assertError(await eve.get('/api/v1/chat/groups/g_999999'), 404, 'not_found');
    assert.deepEqual((await eve.get('/api/v1/chat/groups')).body.groups, []);
    assertError(await bob.post(`/api/v1/chat/groups/${g}/members`, { user: dave.user.id }), 403, 'forbidden');
    assertError(await bob.del(`/api/v1/chat/groups/${g}/members/${carol.user.id}`), 403, 'forbidden');
    assertError(await bob.patch(`/api/v1/chat/groups/${g}/members/${bob.user.id}`, { role: 'admin' }), 403, 'forbidden');
    const got = await bob.get(`/api/v1/chat/groups/${g}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.members.map((m) => [m.id, m.role]),
      [[alice.user.id, 'admin'], [bob.user.id, 'member'], [carol.user.id, 'member']]);
    const mine = (await bob.get('/api/v1/chat/groups')).body.groups;
    assert.deepEqual(mine.map((x) => [x.id, x.role, x.members]), [[g, 'member', 3]]);
  });

  test('nobody and people in a block with the admin are the same 404', async () => {
    assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, { user: 'u_999999' }), 404, 'not_found');
    assert.equal((await dave.put(`/api/v1/users/${alice.user.id}/block`)).status, 200);
    assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, { user: dave.user.id }), 404, 'not_found');
    assert.equal((await dave.del(`/api/v1/users/${alice.user.id}/block`)).status, 200);
    assert.equal((await alice.put(`/api/v1/users/${dave.user.id}/block`)).status, 200);
    assertError(await alice.post(`/api/v1/chat/groups/${g}/members`, { user: dave.user.id }), 404, 'not_found');
    assert.equal((await alice.del(`/api/v1/users/${dave.user.id}/block`)).status, 200);
  });

  test('a group message reaches the current members\' devices only, numbered per group', async () => {
    const a = sock.alice;
    a.sendJson({ type: 'send', id: 'g-1', group: g, envelopes: [{ device: dev.bob, body: body() }, { device: dev.carol, body: body() }] });
    const sent = await a.next('sent');
    assert.deepEqual([sent.id, sent.seq, sent.group, sent.dup], ['g-1', 1, g, false]);
    for (const who of ['bob', 'carol']) {
      const m = await sock[who].next('msg');
      assert.deepEqual([m.group, m.from, m.from_device, m.cid, m.seq], [g, alice.user.id, dev.alice, 'g-1', 1]);
    }
    // A resend is stored once and keeps its number.
    a.sendJson({ type: 'send', id: 'g-1', group: g, envelopes: [{ device: dev.bob, body: body() }] });
    const again = await a.next('sent');
    assert.deepEqual([again.seq, again.dup], [1, true]);
    // Someone outside: refused, nothing stored.
    a.sendJson({ type: 'send', id: 'g-2', group: g, envelopes: [{ device: dev.bob, body: body() }, { device: dev.eve, body: body() }] });
    const err = await a.next('error');
    assert.deepEqual([err.code, err.id], ['not_member', 'g-2']);
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE client_id = 'g-2'`), '0');
    // An outsider cannot send into the group, nor a 1:1 frame carry both.
    sock.eve.sendJson({ type: 'send', id: 'e-1', group: g, envelopes: [{ device: dev.bob, body: body() }] });
    assert.equal((await sock.eve.next('error')).code, 'not_member');
    a.sendJson({ type: 'send', id: 'g-3', group: g, to: bob.user.id, envelopes: [{ device: dev.bob, body: body() }] });
    assert.equal((await a.next('error')).code, 'bad_request');
    a.sendJson({ type: 'send', id: 'g-4', group: g, envelopes: [{ device: dev.alice, body: body() }] });
    assert.equal((await a.next('error')).code, 'bad_request'); // not to the sending device itself
    const second = { type: 'send', id: 'g-5', group: g, envelopes: [{ device: dev.carol, body: body() }] };
    sock.bob.sendJson(second);
    assert.equal((await sock.bob.next('sent')).seq, 2);
    assert.equal((await sock.carol.next('msg')).seq, 2);
    assert.deepEqual(await sock.eve.settle(), []);
  });

  test('typing and read go to the other members\' devices only', async () => {
    sock.bob.sendJson({ type: 'typing', group: g });
    for (const who of ['alice', 'carol']) assert.deepEqual(await sock[who].next('typing'), { type: 'typing', group: g, from: bob.user.id });
    sock.carol.sendJson({ type: 'read', group: g, seq: 2 });
    for (const who of ['alice', 'bob']) assert.deepEqual(await sock[who].next('read'), { type: 'read', group: g, from: carol.user.id, seq: 2 });
    sock.eve.sendJson({ type: 'typing', group: g });
    assert.equal((await sock.eve.next('error')).code, 'not_member');
    for (const who of ['alice', 'bob', 'carol', 'eve']) assert.deepEqual((await sock[who].settle()).filter((f) => f.type !== 'msg'), []);
  });

  test('a removed member\'s devices are refused and nothing is queued to them', async () => {
    assert.equal((await alice.del(`/api/v1/chat/groups/${g}/members/${carol.user.id}`)).status, 200);
    assertError(await carol.get(`/api/v1/chat/groups/${g}`), 404, 'not_found');
    const before = dbQuery(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${dev.carol.slice(2)}`);
    sock.alice.sendJson({ type: 'send', id: 'g-6', group: g, envelopes: [{ device: dev.bob, body: body() }, { device: dev.carol, body: body() }] });
    assert.equal((await sock.alice.next('error')).code, 'not_member');
    sock.alice.sendJson({ type: 'send', id: 'g-7', group: g, envelopes: [{ device: dev.bob, body: body() }] });
    assert.equal((await sock.alice.next('sent')).seq, 3);
    assert.equal((await sock.bob.next('msg')).cid, 'g-7');
    sock.bob.sendJson({ type: 'typing', group: g });
    await sock.alice.next('typing');
    assert.deepEqual((await sock.carol.settle()).filter((f) => f.type === 'msg' || f.type === 'typing'), []);
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${dev.carol.slice(2)}`), before);
    // Carol's own frames into the group are refused too.
    sock.carol.sendJson({ type: 'send', id: 'c-1', group: g, envelopes: [{ device: dev.bob, body: body() }] });
    assert.equal((await sock.carol.next('error')).code, 'not_member');
  });

  test('roles: the last admin cannot step down; leaving promotes the oldest member; the last one out deletes it', async () => {
    assertError(await alice.patch(`/api/v1/chat/groups/${g}/members/${alice.user.id}`, { role: 'member' }), 409, 'last_admin');
    assertError(await alice.patch(`/api/v1/chat/groups/${g}/members/${eve.user.id}`, { role: 'admin' }), 404, 'not_found');
    const h = (await alice.post('/api/v1/chat/groups', {})).body.id;
    for (const who of [bob, carol, dave]) assert.equal((await alice.post(`/api/v1/chat/groups/${h}/members`, { user: who.user.id })).status, 200);
    assert.equal((await alice.patch(`/api/v1/chat/groups/${h}/members/${dave.user.id}`, { role: 'admin' })).status, 200);
    assert.equal((await dave.patch(`/api/v1/chat/groups/${h}/members/${dave.user.id}`, { role: 'member' })).status, 200);
    assert.equal((await alice.del(`/api/v1/chat/groups/${h}/members/${alice.user.id}`)).status, 200); // leave
    const left = (await bob.get(`/api/v1/chat/groups/${h}`)).body.members;
    assert.deepEqual(left.map((m) => [m.id, m.role]), [[bob.user.id, 'admin'], [carol.user.id, 'member'], [dave.user.id, 'member']]);
    assert.equal((await carol.del(`/api/v1/chat/groups/${h}/members/${carol.user.id}`)).status, 200);
    assert.equal((await dave.del(`/api/v1/chat/groups/${h}/members/${dave.user.id}`)).status, 200);
    assert.equal((await bob.del(`/api/v1/chat/groups/${h}/members/${bob.user.id}`)).status, 200);
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_groups WHERE id = ${h.slice(2)}`), '0');
  });

  test(`one group message goes to at most ${MAX_ENVELOPES} devices (PA_GROUP_MAX_ENVELOPES)`, async () => {
    // Devices made in the database (past the per-person cap, which the relay
    // does not count), so the edge itself can be reached.
    const rows = Array.from({ length: MAX_ENVELOPES },
      () => `(${bob.user.id.slice(2)}, ${DATABASE_RANDOM(32)}, ${DATABASE_RANDOM(108)}, 1, 1)`);
    const more = dbQuery(server, `INSERT INTO chat_devices (user_id, identity, spk, spk_id, created_at)
      VALUES ${rows.join(',')} RETURNING id`).split('\n').filter((l) => /^\d+$/.test(l)).map((id) => `d_${id}`); // psql adds "INSERT 0 n"
    assert.equal(more.length, MAX_ENVELOPES);
    const envelopes = (devices) => devices.map((device) => ({ device, body: body() }));
    const targets = [dev.bob, ...more.slice(0, MAX_ENVELOPES - 1)];
    sock.alice.sendJson({ type: 'send', id: 'cap-1', group: g, envelopes: envelopes(targets) });
    const sent = await sock.alice.next('sent');
    assert.equal(sent.id, 'cap-1');
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE client_id = 'cap-1'`), String(MAX_ENVELOPES));
    assert.equal((await sock.bob.next('msg')).cid, 'cap-1');
    sock.alice.sendJson({ type: 'send', id: 'cap-2', group: g, envelopes: envelopes([dev.bob, ...more]) });
    const err = await sock.alice.next('error');
    assert.deepEqual([err.code, err.id], ['bad_request', 'cap-2']);
    assert.match(err.message, /^envelopes must list/);
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE client_id = 'cap-2'`), '0');
    dbQuery(server, `DELETE FROM chat_devices WHERE id IN (${more.map((d) => d.slice(2)).join(',')})`);
  });

  test(`at most ${MAX_MEMBERS} people: the ${MAX_MEMBERS}nd is taken, the ${MAX_MEMBERS + 1}rd is group_full`, async () => {
    const f = (await alice.post('/api/v1/chat/groups', {})).body.id;
    const id = f.slice(2);
    // People made in the database fill it to one below the cap.
    const others = [];
    for (let i = 0; i < MAX_MEMBERS - 2; i++) {
      others.push(dbQuery(server, `INSERT INTO users (handle, name, email, created_at) VALUES
        ('filler${i}', 'Filler ${i}', 'filler${i}@example.test', 1) RETURNING id`).split('\n')[0]); // psql adds "INSERT 0 1"
    }
    dbQuery(server, `INSERT INTO chat_group_members (group_id, user_id, role, joined_at) VALUES ${others.map((u) => `(${id}, ${u}, 'member', 1)`).join(',')}`);
    assert.equal((await alice.post(`/api/v1/chat/groups/${f}/members`, { user: bob.user.id })).status, 200);
    assert.equal((await alice.get(`/api/v1/chat/groups/${f}`)).body.members.length, MAX_MEMBERS);
    assertError(await alice.post(`/api/v1/chat/groups/${f}/members`, { user: carol.user.id }), 409, 'group_full');
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_group_members WHERE group_id = ${id}`), String(MAX_MEMBERS));
  });
});

const GROUPS_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chat_groups')) + 1;

describe(`the groups schema upgrade (version ${GROUPS_VERSION})`, () => {
  test('a SQLite database one version older is upgraded in place, its messages kept', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('groups', GROUPS_VERSION - 1);
    const now = Math.floor(Date.now() / 1000);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', ${now});
      INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at) VALUES (1, 1, randomblob(32), randomblob(108), 1, ${now});
      INSERT INTO chat_messages (sender_device, recipient_device, client_id, seq, body, created_at) VALUES (1, 1, 'old', 1, x'01', ${now});`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql(`SELECT client_id, group_id IS NULL FROM chat_messages`), 'old 1');
      sql(`INSERT INTO chat_groups (id, created_at) VALUES (1, ${now});
        INSERT INTO chat_group_members (group_id, user_id, role, joined_at) VALUES (1, 1, 'admin', ${now});`);
      assert.throws(() => sql(`INSERT INTO chat_group_members (group_id, user_id, role, joined_at) VALUES (1, 1, 'admin', 1);`));
      assert.throws(() => sql(`INSERT INTO chat_group_members (group_id, user_id, role, joined_at) VALUES (1, 2, 'owner', 1);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the tables from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-groups-pg-'));
    const pg = await createDatabase('pa_groups_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, GROUPS_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${GROUPS_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM chat_group_members'), [{ n: '0' }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM chat_messages WHERE group_id IS NOT NULL'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
