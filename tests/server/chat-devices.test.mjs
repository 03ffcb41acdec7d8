// Issue 22, devices: linking a device (POST /chat/links, GET and approve),
// naming devices (PATCH /chat/devices/{d}), the device cap (5) and the
// relay's own-device copies (`to` on the copy's msg frame, the pair's
// sequence shared, 2 × 5 envelopes at most). Every route refused without a
// session, for someone else, and without the CSRF token where it writes; the
// link's life (PA_CHAT_LINK_TTL_S) at its edge by setting the row's time in
// the database. The server carries link bytes it cannot read, so the bytes
// here only need the right shape (the crypto is tested in core and WASM).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, chatBundle, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer,
  stopServer,
} from './helpers.mjs';

const LINK_TTL_S = 600; // PA_CHAT_LINK_TTL_S
const MAX_DEVICES = 5; // PA_CHAT_MAX_DEVICES
const MAX_ENVELOPES = 2 * MAX_DEVICES; // PA_CHAT_MAX_ENVELOPES
const LINK_BURST = 10; // PA_LIMIT_CHAT_LINK_BURST
const NAME_MAX = 40; // PA_CHAT_DEVICE_NAME_MAX

const b64 = (b) => Buffer.from(b).toString('base64');

// A device registered for client: {id, ik (32 bytes)}.
async function device(client) {
  const bundle = chatBundle();
  const r = await client.post('/api/v1/chat/devices', { bundle });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, ik: Buffer.from(bundle, 'base64').subarray(1, 33) };
}

// A link request's shape (chat.md): version 1, ephemeral key, device IK, MAC.
const linkRequest = (ik, version = 1) => Buffer.concat([Buffer.from([version]), randomBytes(32), ik, randomBytes(32)]);
const linkResponse = (n = 57 + 64 + 146 + 16) => Buffer.concat([Buffer.from([1]), randomBytes(n - 1)]);

async function person(server, tag) {
  const c = new Client(server);
  await c.signup(email(tag), 'a good password', tag);
  return c;
}

// A socket whose frames a test can wait for (one at a time, by type).
async function connect(server, client, dev) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${dev}`, {
    headers: { cookie: `pa_session=${client.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
  });
  const frames = [];
  let wake = null;
  ws.on('message', (d) => { frames.push(JSON.parse(d.toString())); wake?.(); });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  // A guard, not a timing assertion: a frame that never comes fails the test
  // instead of hanging it.
  ws.next = async (type) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
      await new Promise((r) => { wake = r; setTimeout(r, 200); });
    }
  };
  ws.frames = frames;
  ws.sendJson = (o) => ws.send(JSON.stringify(o));
  await ws.next('hello');
  return ws;
}

describe('chat devices: linking, names, the cap, own-device copies', () => {
  let server, alice, bob, eve, a1, a2, b1;
  before(async () => {
    server = await startServer();
    alice = await person(server, 'alice');
    bob = await person(server, 'bob');
    eve = await person(server, 'eve');
    a1 = await device(alice);
    a2 = await device(alice);
    b1 = await device(bob);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('a link: asked for by the new device, read and approved once by the account only', async () => {
    const anon = new Client(server);
    const req = linkRequest(a2.ik);
    assertError(await anon.post('/api/v1/chat/links', { device: a2.id, request: b64(req) }), 401, 'unauthorized');
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(req) }, { csrf: false }), 403, 'csrf');
    assertError(await eve.post('/api/v1/chat/links', { device: a2.id, request: b64(req) }), 404, 'not_found');
    // Shape: exactly 97 bytes, version 1, naming the asking device's own key.
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(req.subarray(0, 96)) }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(Buffer.concat([req, Buffer.from([0])])) }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(linkRequest(a2.ik, 2)) }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(linkRequest(a1.ik)) }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(req), extra: 1 }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/chat/links', { device: b1.id, request: b64(linkRequest(b1.ik)) }), 404, 'not_found');

    const before = Math.floor(Date.now() / 1000);
    const made = await alice.post('/api/v1/chat/links', { device: a2.id, request: b64(req) });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const at = Date.parse(made.body.expires_at) / 1000;
    assert.ok(at >= before + LINK_TTL_S && at <= Math.floor(Date.now() / 1000) + LINK_TTL_S, made.body.expires_at);
    const id = made.body.id;

    assertError(await anon.get(`/api/v1/chat/links/${id}`), 401, 'unauthorized');
    assertError(await eve.get(`/api/v1/chat/links/${id}`), 404, 'not_found');
    assertError(await alice.get('/api/v1/chat/links/lk_999999'), 404, 'not_found');
    const seen = await alice.get(`/api/v1/chat/links/${id}`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body, { id, device: a2.id, request: b64(req), state: 'waiting', expires_at: made.body.expires_at });

    const resp = linkResponse();
    assertError(await anon.post(`/api/v1/chat/links/${id}/approve`, { response: b64(resp) }), 401, 'unauthorized');
    assertError(await alice.post(`/api/v1/chat/links/${id}/approve`, { response: b64(resp) }, { csrf: false }), 403, 'csrf');
    assertError(await eve.post(`/api/v1/chat/links/${id}/approve`, { response: b64(resp) }), 404, 'not_found');
    // Sizes at their edges: 282 and 412 refused (283 and 411 pass below).
    assertError(await alice.post(`/api/v1/chat/links/${id}/approve`, { response: b64(linkResponse(282)) }), 400, 'bad_request');
    assertError(await alice.post(`/api/v1/chat/links/${id}/approve`, { response: b64(linkResponse(412)) }), 400, 'bad_request');
    assert.equal((await alice.get(`/api/v1/chat/links/${id}`)).body.state, 'waiting', 'refusals changed nothing');

    // Two approvals at once: exactly one is taken.
    const both = await Promise.all([resp, linkResponse(411)].map((r) => alice.post(`/api/v1/chat/links/${id}/approve`, { response: b64(r) })));
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
    assertError(both.find((r) => r.status === 409), 409, 'already_approved');
    const won = both[0].status === 200 ? resp : null;
    const done = await alice.get(`/api/v1/chat/links/${id}`);
    assert.equal(done.body.state, 'approved');
    if (won) assert.equal(done.body.response, b64(won));
    else assert.equal(Buffer.from(done.body.response, 'base64').length, 411);
    assertError(await alice.post(`/api/v1/chat/links/${id}/approve`, { response: b64(resp) }), 409, 'already_approved');
    // Only opaque bytes: the server holds exactly what it was given.
    assert.equal(dbQuery(server, `SELECT length(request) FROM chat_links WHERE id = ${id.slice(3)}`), '97');

    // The asking device removed: its link goes with it.
    const a3 = await device(alice);
    const gone = (await alice.post('/api/v1/chat/links', { device: a3.id, request: b64(linkRequest(a3.ik)) })).body.id;
    assert.equal((await alice.del(`/api/v1/chat/devices/${a3.id}`)).status, 200);
    assertError(await alice.get(`/api/v1/chat/links/${gone}`), 404, 'not_found');
  });

  test(`a link can be approved ${LINK_TTL_S} s after it was made, not ${LINK_TTL_S + 1}`, async () => {
    // The server's clock is the system's here (no offset): the row's time is
    // set relative to now, and a run is kept only when the second did not
    // change around the request, so the edge is exact without waiting.
    const p = await person(server, 'clock');
    const d = await device(p);
    async function at(age) {
      for (;;) {
        const id = (await p.post('/api/v1/chat/links', { device: d.id, request: b64(linkRequest(d.ik)) })).body.id;
        const t0 = Math.floor(Date.now() / 1000);
        dbQuery(server, `UPDATE chat_links SET created_at = ${t0 - age} WHERE id = ${id.slice(3)}`);
        const state = (await p.get(`/api/v1/chat/links/${id}`)).body.state;
        const approve = await p.post(`/api/v1/chat/links/${id}/approve`, { response: b64(linkResponse()) });
        if (Math.floor(Date.now() / 1000) === t0) return { state, approve };
      }
    }
    const last = await at(LINK_TTL_S);
    assert.equal(last.state, 'waiting');
    assert.equal(last.approve.status, 200, JSON.stringify(last.approve.body));
    const first = await at(LINK_TTL_S + 1);
    assert.equal(first.state, 'expired');
    assertError(first.approve, 409, 'link_expired');
  });

  test(`links are rate limited per person: ${LINK_BURST} asks and approvals pass, the next is 429`, async () => {
    const p = await person(server, 'linker');
    const d = await device(p);
    // Refused requests cost nothing.
    for (let i = 0; i < 3; i++) assertError(await p.post('/api/v1/chat/links', { device: d.id, request: 'x' }), 400, 'bad_request');
    const ids = [];
    for (let i = 0; i < LINK_BURST - 1; i++) {
      const r = await p.post('/api/v1/chat/links', { device: d.id, request: b64(linkRequest(d.ik)) });
      assert.equal(r.status, 201, `ask ${i + 1}`);
      ids.push(r.body.id);
    }
    assert.equal((await p.post(`/api/v1/chat/links/${ids[0]}/approve`, { response: b64(linkResponse()) })).status, 200, `the ${LINK_BURST}th`);
    const r = await p.post(`/api/v1/chat/links/${ids[1]}/approve`, { response: b64(linkResponse()) });
    assert.equal(r.status, 429);
    assert.equal((await p.post('/api/v1/chat/links', { device: d.id, request: b64(linkRequest(d.ik)) })).status, 429);
    // Reading is not limited; someone else is not affected.
    assert.equal((await p.get(`/api/v1/chat/links/${ids[1]}`)).body.state, 'waiting');
    const other = await person(server, 'other');
    const od = await device(other);
    assert.equal((await other.post('/api/v1/chat/links', { device: od.id, request: b64(linkRequest(od.ik)) })).status, 201);
  });

  test(`device names: 1..${NAME_MAX} characters, own devices only, shown in both lists`, async () => {
    const anon = new Client(server);
    assertError(await anon.patch(`/api/v1/chat/devices/${a1.id}`, { name: 'Phone' }), 401, 'unauthorized');
    assertError(await alice.patch(`/api/v1/chat/devices/${a1.id}`, { name: 'Phone' }, { csrf: false }), 403, 'csrf');
    assertError(await eve.patch(`/api/v1/chat/devices/${a1.id}`, { name: 'Phone' }), 404, 'not_found');
    assertError(await alice.patch('/api/v1/chat/devices/d_999999', { name: 'Phone' }), 404, 'not_found');
    const full = 'é'.repeat(NAME_MAX); // 40 characters, 80 bytes
    for (const bad of ['', 'é'.repeat(NAME_MAX + 1), 'a\nb', 'tab\there', 7, ['x']]) {
      assertError(await alice.patch(`/api/v1/chat/devices/${a1.id}`, { name: bad }), 400, 'bad_request');
    }
    assertError(await alice.patch(`/api/v1/chat/devices/${a1.id}`, { name: 'x', other: 1 }), 400, 'bad_request');
    const r = await alice.patch(`/api/v1/chat/devices/${a1.id}`, { name: full });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id: a1.id, name: full });
    assert.equal((await alice.patch(`/api/v1/chat/devices/${a2.id}`, { name: 'L' })).status, 200);
    const mine = (await alice.get('/api/v1/chat/devices')).body.devices;
    assert.deepEqual(mine.filter((d) => d.id === a1.id || d.id === a2.id).map((d) => d.name), [full, 'L']);
    const seen = (await bob.get(`/api/v1/users/${alice.user.id}/chat-devices`)).body.devices;
    assert.equal(seen.find((d) => d.id === a1.id).name, full);
    assert.equal((await alice.patch(`/api/v1/chat/devices/${a2.id}`, { name: null })).status, 200);
    assert.equal((await alice.get('/api/v1/chat/devices')).body.devices.find((d) => d.id === a2.id).name, null);
  });

  test(`the device cap: the ${MAX_DEVICES}th registers, the next is refused with a clear message`, async () => {
    const p = await person(server, 'many');
    for (let i = 0; i < MAX_DEVICES; i++) await device(p);
    const r = await p.post('/api/v1/chat/devices', { bundle: chatBundle() });
    assertError(r, 409, 'too_many_devices');
    assert.equal(r.body.error.message, `You have ${MAX_DEVICES} devices; remove one in Settings first`);
  });

  test('own-device copies: the copy carries `to`, shares the pair\'s sequence; limits and refusals', async () => {
    const s1 = await connect(server, alice, a1.id);
    const s2 = await connect(server, alice, a2.id);
    const sb = await connect(server, bob, b1.id);
    s1.sendJson({ type: 'send', id: 'c1', to: bob.user.id, envelopes: [{ device: b1.id, body: 'AQID' }, { device: a2.id, body: 'BAUG' }] });
    const sent = await s1.next('sent');
    const toBob = await sb.next('msg');
    const copy = await s2.next('msg');
    assert.equal(toBob.body, 'AQID');
    assert.equal(toBob.to, undefined, 'only copies name the peer');
    assert.deepEqual({ from: copy.from, from_device: copy.from_device, to: copy.to, seq: copy.seq, cid: copy.cid, body: copy.body },
      { from: alice.user.id, from_device: a1.id, to: bob.user.id, seq: sent.seq, cid: 'c1', body: 'BAUG' });
    assert.equal(toBob.seq, sent.seq);
    // The copy's device acks it like any message; the sender hears of it as a
    // receipt from its own account (clients ack and ignore that one).
    s2.sendJson({ type: 'ack', ids: [copy.id] });
    const receipt = await s1.next('delivered');
    assert.deepEqual({ to: receipt.to, to_device: receipt.to_device, cid: receipt.cid }, { to: alice.user.id, to_device: a2.id, cid: 'c1' });
    // The other device of the pair continues the same sequence.
    s2.sendJson({ type: 'send', id: 'c2', to: bob.user.id, envelopes: [{ device: b1.id, body: 'BwgJ' }, { device: a1.id, body: 'CgsM' }] });
    assert.equal((await s2.next('sent')).seq, sent.seq + 1);
    assert.equal((await s1.next('msg')).to, bob.user.id);
    // Refused: a copy to the sending device itself, to someone else's device.
    s1.sendJson({ type: 'send', id: 'c3', to: bob.user.id, envelopes: [{ device: b1.id, body: 'AQID' }, { device: a1.id, body: 'AQID' }] });
    assert.equal((await s1.next('error')).id, 'c3');
    const ed = await device(eve);
    s1.sendJson({ type: 'send', id: 'c4', to: bob.user.id, envelopes: [{ device: b1.id, body: 'AQID' }, { device: ed.id, body: 'AQID' }] });
    assert.equal((await s1.next('error')).id, 'c4');
    // PA_CHAT_MAX_ENVELOPES: 10 pass the count (then fail on the unknown
    // devices), 11 are refused for the count itself.
    const env = (n) => Array.from({ length: n }, (_, i) => ({ device: i === 0 ? b1.id : `d_${900000 + i}`, body: 'AQID' }));
    s1.sendJson({ type: 'send', id: 'c5', to: bob.user.id, envelopes: env(MAX_ENVELOPES) });
    const ten = await s1.next('error');
    assert.match(ten.message, /not one of the recipient's/);
    s1.sendJson({ type: 'send', id: 'c6', to: bob.user.id, envelopes: env(MAX_ENVELOPES + 1) });
    const eleven = await s1.next('error');
    assert.match(eleven.message, /1 to 10/);
    // A removed device receives nothing more: an envelope for it is refused.
    assert.equal((await alice.del(`/api/v1/chat/devices/${a2.id}`)).status, 200);
    s1.sendJson({ type: 'send', id: 'c7', to: bob.user.id, envelopes: [{ device: b1.id, body: 'AQID' }, { device: a2.id, body: 'AQID' }] });
    assert.equal((await s1.next('error')).id, 'c7');
    for (const s of [s1, s2, sb]) s.close();
  });
});

// The version that adds links, device names and copies (40 when written; found in the source).
const LINK_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chat_links')) + 1;
const ROWS = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);
  INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at) VALUES (1, 1, X'${'11'.repeat(32)}', X'${'22'.repeat(108)}', 1, 5), (2, 2, X'${'33'.repeat(32)}', X'${'44'.repeat(108)}', 1, 5);
  INSERT INTO chat_messages (sender_device, recipient_device, client_id, seq, body, created_at) VALUES (1, 2, 'old', 1, X'01', 6);`;
const AFTER = `INSERT INTO chat_links (user_id, device_id, request, created_at) VALUES (1, 1, X'${'55'.repeat(97)}', 7);
  UPDATE chat_devices SET name = 'Phone' WHERE id = 1;`;

describe(`the upgrade to schema ${LINK_VERSION}: device names, links, own-device copies`, () => {
  test('SQLite: a file one version older keeps its devices and queue; names are null, the queue has no copies', async () => {
    assert.ok(LINK_VERSION > 0, 'a migration makes chat_links');
    const { tmp, data, sql, migrations: m } = await oldDatabase('chatlink', LINK_VERSION - 1);
    sql(ROWS);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, name IS NULL FROM chat_devices ORDER BY id').replace(/\n/g, ','), '1 1,2 1');
      assert.equal(sql('SELECT client_id, seq, peer_id IS NULL FROM chat_messages'), 'old 1 1');
      sql(AFTER);
      assert.equal(sql('SELECT count(*), max(length(request)) FROM chat_links'), '1 97');
      assert.equal(sql("SELECT name FROM chat_devices WHERE id = 1"), 'Phone');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-chatlink-pg-'));
    const pg = await createDatabase('pa_chatlink_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      const rows = ROWS.replace(/X'([0-9a-f]+)'/g, "'\\x$1'::bytea");
      await runSql(pg.url, `${base}\n${migrations.slice(0, LINK_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${LINK_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT id, name FROM chat_devices ORDER BY id'), [{ id: '1', name: null }, { id: '2', name: null }]);
        assert.deepEqual(await query(pg.url, 'SELECT client_id, peer_id FROM chat_messages'), [{ client_id: 'old', peer_id: null }]);
        await runSql(pg.url, AFTER.replace(/X'([0-9a-f]+)'/g, "'\\x$1'::bytea"));
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n, max(length(request)) AS l FROM chat_links'), [{ n: '1', l: '97' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
