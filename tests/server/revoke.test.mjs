// Revocation (issue 14, item 4): changing the password, listing and removing
// chat devices, the per-person device cap, and — the point of it all — chat
// sockets closed (code 4001 "revoked") by logout, logout-all, a password
// change, account deletion and device removal, with nothing accepted on them
// afterwards. Sockets are real `ws` connections; bundles come from
// helpers.mjs (chatBundle: node:crypto Ed25519, no WASM core needed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Client, assertError, chatBundle as bundle, dbQuery, email, oldDatabase, startServer, stopServer } from './helpers.mjs';

const MAX_DEVICES = 5; // PA_CHAT_MAX_DEVICES (web/src/api/chat_relay.h)
const REVOKED = 4001;
const NOW = Math.floor(Date.now() / 1000);

async function newDevice(client) {
  const r = await client.post('/api/v1/chat/devices', { bundle: bundle() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function signedUp(server, tag, password = `${tag} password 1`) {
  const c = new Client(server);
  c.email = email(tag);
  c.password = password;
  await c.signup(c.email, password, tag);
  return c;
}

// A second session of c's account, from another address.
async function secondSession(server, c) {
  const s = new Client(server);
  await s.login(c.email, c.password);
  return s;
}

// An open relay socket of client on device. ws.next(type) waits for a frame
// of that type; ws.closed resolves to {code, reason} when it closes.
async function connect(server, client, device) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${device}`, {
    headers: { cookie: `pa_session=${client.cookie}` },
    origin: `http://127.0.0.1:${server.port}`,
    localAddress: client.address,
  });
  const frames = [];
  let wake = () => {};
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    wake();
  });
  ws.closed = new Promise((resolve) => ws.once('close', (code, reason) => {
    resolve({ code, reason: reason.toString() });
    wake();
  }));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
  ws.frames = frames;
  ws.next = async (type, timeout = 10_000) => {
    const end = Date.now() + timeout;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0];
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before a ${type} frame`);
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames.map((f) => f.type))}`);
      await new Promise((r) => { wake = r; setTimeout(r, 100); });
    }
  };
  ws.sendJson = (o) => ws.send(JSON.stringify(o), () => {}); // a send after close is dropped, not thrown
  await ws.next('hello');
  return ws;
}

// The socket's close, or a failure naming what did not happen.
async function closedWith(ws, what, timeout = 10_000) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeout); });
  const got = await Promise.race([ws.closed, late]);
  clearTimeout(timer);
  if (!got) ws.terminate();
  assert.ok(got, `the socket stayed open after ${what}`);
  return got;
}

async function assertRevoked(ws, what) {
  const { code, reason } = await closedWith(ws, what);
  assert.equal(code, REVOKED, `close code after ${what}`);
  assert.equal(reason, 'revoked');
}

// Still open and served: a ping is answered.
async function assertServed(ws) {
  ws.sendJson({ type: 'ping' });
  await ws.next('pong');
  assert.equal(ws.readyState, WebSocket.OPEN);
}

// The upgrade's HTTP status (0 when it was accepted).
async function upgradeStatus(server, client, device) {
  try {
    const ws = await connect(server, client, device);
    ws.terminate();
    return 0;
  } catch (e) {
    return e.status ?? -1;
  }
}

function sql(server, query) {
  return dbQuery(server, query);
}

const numeric = (id) => id.replace(/^[a-z]+_/, '');

describe('revocation: routes', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('new routes refuse without a session (401) and without the CSRF token (403)', async () => {
    const owner = await signedUp(server, 'routes');
    const device = await newDevice(owner);
    const anon = new Client(server);
    assertError(await anon.post('/api/v1/auth/password', { current_password: 'x', new_password: 'y' }), 401, 'unauthorized');
    assertError(await anon.get('/api/v1/chat/devices'), 401, 'unauthorized');
    assertError(await anon.del(`/api/v1/chat/devices/${device}`), 401, 'unauthorized');
    const wrong = { headers: { 'x-csrf-token': 'not-the-token' } };
    assertError(await owner.post('/api/v1/auth/password', { current_password: owner.password, new_password: 'a new password' }, wrong), 403, 'csrf');
    assertError(await owner.del(`/api/v1/chat/devices/${device}`, undefined, wrong), 403, 'csrf');
    assertError(await owner.post('/api/v1/auth/password', { current_password: owner.password, new_password: 'a new password' }, { csrf: false }), 403, 'csrf');
    // Nothing changed: the password still signs in, the device is still there.
    await new Client(server).login(owner.email, owner.password);
    assert.deepEqual((await owner.get('/api/v1/chat/devices')).body.devices.map((d) => d.id), [device]);
  });

  test('devices: listed for their owner only; another person\'s or an unknown device is 404', async () => {
    const owner = await signedUp(server, 'lister');
    const other = await signedUp(server, 'other');
    assert.deepEqual((await owner.get('/api/v1/chat/devices')).body, { devices: [] });
    const d1 = await newDevice(owner);
    const d2 = await newDevice(owner);
    const theirs = await newDevice(other);
    const list = await owner.get('/api/v1/chat/devices');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.devices.map((d) => d.id), [d1, d2]);
    for (const d of list.body.devices) assert.ok(Math.abs(Date.parse(d.created_at) / 1000 - NOW) < 3600, d.created_at);
    assertError(await owner.del(`/api/v1/chat/devices/${theirs}`), 404, 'not_found');
    assertError(await owner.del('/api/v1/chat/devices/d_999999'), 404, 'not_found');
    assert.deepEqual((await other.get('/api/v1/chat/devices')).body.devices.map((d) => d.id), [theirs]);
    assert.equal((await other.get(`/api/v1/chat/devices/${theirs}`)).status, 200, 'still there');
  });

  test('removing a device deletes its prekeys and the messages queued to it', async () => {
    const alice = await signedUp(server, 'remover');
    const bob = await signedUp(server, 'sender');
    const kept = await newDevice(alice);
    const gone = await newDevice(alice);
    const bobDevice = await newDevice(bob);
    // Bob writes to both of alice's devices while they are offline.
    const ws = await connect(server, bob, bobDevice);
    ws.sendJson({ type: 'send', id: 'queued-1', to: alice.user.id,
      envelopes: [{ device: kept, body: 'AQID' }, { device: gone, body: 'BAUG' }] });
    assert.equal((await ws.next('sent')).dup, false);
    ws.terminate();
    assert.equal(sql(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${numeric(gone)}`), '1');

    const r = await alice.del(`/api/v1/chat/devices/${gone}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ok: true });
    assert.equal(sql(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${numeric(gone)}`), '0');
    assert.equal(sql(server, `SELECT count(*) FROM chat_prekeys WHERE device_id = ${numeric(gone)}`), '0');
    assert.equal(sql(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${numeric(kept)}`), '1', 'the other device keeps its copy');
    assertError(await alice.get(`/api/v1/chat/devices/${gone}`), 404, 'not_found');
    assertError(await alice.del(`/api/v1/chat/devices/${gone}`), 404, 'not_found');
    assertError(await bob.post(`/api/v1/chat/devices/${gone}/bundle`, {}), 404, 'not_found');
    assert.deepEqual((await bob.get(`/api/v1/users/${alice.user.id}/chat-devices`)).body.devices.map((d) => d.id), [kept]);
    assert.equal(await upgradeStatus(server, alice, gone), 404, 'a removed device cannot open a socket');
  });

  test('a removed device\'s id is never given to a new device, even when it was the newest', async () => {
    const p = await signedUp(server, 'reuse');
    const first = await newDevice(p);
    const newest = await newDevice(p);
    assert.equal((await p.del(`/api/v1/chat/devices/${newest}`)).status, 200);
    const next = await newDevice(p);
    assert.ok(Number(numeric(next)) > Number(numeric(newest)), `${next} after ${newest}`);
    assert.deepEqual(await p.get('/api/v1/chat/devices').then((r) => r.body.devices.map((d) => d.id)), [first, next]);
  });

  test(`device cap: the ${MAX_DEVICES}th device registers, the ${MAX_DEVICES + 1}st is refused (409) and nothing is evicted`, async () => {
    const many = await signedUp(server, 'many');
    const ids = [];
    for (let i = 0; i < MAX_DEVICES - 1; i++) ids.push(await newDevice(many));
    const lastBundle = bundle();
    const last = await many.post('/api/v1/chat/devices', { bundle: lastBundle });
    assert.equal(last.status, 201, JSON.stringify(last.body));
    ids.push(last.body.id);
    const refused = await many.post('/api/v1/chat/devices', { bundle: bundle() });
    assertError(refused, 409, 'too_many_devices');
    assert.equal(refused.body.error.message, `You have ${MAX_DEVICES} devices; remove one in Settings first`);
    assert.deepEqual((await many.get('/api/v1/chat/devices')).body.devices.map((d) => d.id), ids, 'none evicted');
    // A device already registered still publishes at the cap.
    const again = await many.post('/api/v1/chat/devices', { bundle: lastBundle });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, last.body.id);
    // One removed: room for one more, and only one.
    assert.equal((await many.del(`/api/v1/chat/devices/${ids[0]}`)).status, 200);
    await newDevice(many);
    assertError(await many.post('/api/v1/chat/devices', { bundle: bundle() }), 409, 'too_many_devices');
    // The cap is per person: someone else registers as usual.
    await newDevice(await signedUp(server, 'few'));
  });

  test('password change: wrong current (403, field), too short (400, field), unknown members (400)', async () => {
    const p = await signedUp(server, 'changer');
    const wrong = await p.post('/api/v1/auth/password', { current_password: 'not my password', new_password: 'a brand new password' });
    assertError(wrong, 403, 'forbidden');
    assert.equal(wrong.body.error.field, 'current_password');
    const short = await p.post('/api/v1/auth/password', { current_password: p.password, new_password: '123456789' });
    assertError(short, 400, 'bad_request');
    assert.equal(short.body.error.field, 'new_password');
    const empty = await p.post('/api/v1/auth/password', { current_password: p.password, new_password: '' });
    assert.equal(empty.body.error.field, 'new_password');
    const long = await p.post('/api/v1/auth/password', { current_password: p.password, new_password: 'x'.repeat(257) });
    assertError(long, 400, 'bad_request');
    assert.equal(long.body.error.field, 'new_password');
    const missing = await p.post('/api/v1/auth/password', { new_password: 'a brand new password' });
    assertError(missing, 400, 'bad_request');
    assert.equal(missing.body.error.field, 'current_password');
    assertError(await p.post('/api/v1/auth/password', { current_password: p.password, new_password: 'a brand new password', extra: 1 }), 400, 'bad_request');
    // None of that changed anything.
    await new Client(server).login(p.email, p.password);
  });

  test('password change: other sessions end, this one stays, the new password signs in and the old does not', async () => {
    const p = await signedUp(server, 'rotator');
    const other = await secondSession(server, p);
    const third = await secondSession(server, p);
    const fresh = 'correct horse battery staple 2';
    const r = await p.post('/api/v1/auth/password', { current_password: p.password, new_password: fresh });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { ok: true });
    for (const s of [other, third]) {
      assertError(await s.get('/api/v1/chat/devices'), 401, 'unauthorized');
      assert.equal((await s.get('/api/v1/auth/session')).body.user, null);
    }
    const mine = await p.get('/api/v1/auth/session');
    assert.equal(mine.body.user.id, p.user.id, 'this session stays signed in');
    assert.equal((await p.get('/api/v1/chat/devices')).status, 200);
    assertError(await new Client(server).post('/api/v1/auth/login', { email: p.email, password: p.password }), 401, 'unauthorized');
    await new Client(server).login(p.email, fresh);
    // The old password no longer passes as the current one either.
    assertError(await p.post('/api/v1/auth/password', { current_password: p.password, new_password: 'yet another password' }), 403, 'forbidden');
  });

  test('password change is rate limited per account, in the same bucket as login', async () => {
    const p = await signedUp(server, 'guessed');
    let last;
    for (let i = 0; i < 11 && last?.status !== 429; i++) {
      // Each guess from a fresh client address: only the account's bucket can stop them.
      const guess = new Client(server);
      guess.cookie = p.cookie;
      guess.csrf = p.csrf;
      last = await guess.post('/api/v1/auth/password', { current_password: `guess number ${i}`, new_password: 'a brand new password' });
      if (last.status !== 429) assertError(last, 403, 'forbidden');
    }
    assertError(last, 429, 'rate_limited');
    assert.ok(Number(last.headers['retry-after']) > 0);
    // Login to the same account is limited too: guesses here count there.
    assertError(await new Client(server).post('/api/v1/auth/login', { email: p.email, password: p.password }), 429, 'rate_limited');
  });
});

describe('schema 7 upgrade (chat device ids never reused)', () => {
  test('a schema-6 database with devices, prekeys and queued messages is upgraded in place', async () => {
    const { tmp, data, db, sql: q, migrations: m } = await oldDatabase('devices', 6);
    const key = (n) => `X'${n.toString(16).padStart(2, '0').repeat(32)}'`;
    const spk = `X'${'00'.repeat(108)}'`;
    q(`PRAGMA foreign_keys = ON;
      INSERT INTO users (id, handle, name, created_at) VALUES (1, 'ann', 'Ann', 1700000000), (2, 'ben', 'Ben', 1700000000);
      INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, opk_next, created_at) VALUES
        (1, 1, ${key(1)}, ${spk}, 1, 3, 1700000001), (2, 2, ${key(2)}, ${spk}, 1, 2, 1700000002),
        (3, 1, ${key(3)}, ${spk}, 1, 1, 1700000003);
      INSERT INTO chat_prekeys VALUES (1, 1, ${key(4)}), (1, 2, ${key(5)}), (2, 1, ${key(6)});
      INSERT INTO chat_convs VALUES (1, 2, 2);
      INSERT INTO chat_messages (sender_device, recipient_device, client_id, seq, body, created_at) VALUES
        (2, 3, 'to-three', 1, X'01', 1700000010), (2, 1, 'to-one', 2, X'02', 1700000011);`);
    const devices = 'SELECT id, user_id, hex(identity), spk_id, opk_next, created_at FROM chat_devices ORDER BY id';
    const before = q(devices);
    let server = await startServer({ data, seed: false });
    try {
      await stopServer(server);
      server = null;
      assert.equal(q('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.equal(q(devices), before, 'every device kept as it was');
      assert.equal(q('SELECT count(*) FROM chat_prekeys'), '3');
      assert.equal(q('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(q(`SELECT count(*) FROM sqlite_schema WHERE name = 'chat_devices_new'`), '0');
      // Removing the newest device takes its queue along (the references
      // survived the rebuild), and its id is not handed out again.
      q(`PRAGMA foreign_keys = ON; DELETE FROM chat_devices WHERE id = 3;
        INSERT INTO chat_devices (user_id, identity, spk, spk_id, created_at) VALUES (1, ${key(7)}, ${spk}, 1, 1700000020);`);
      assert.equal(q('SELECT client_id FROM chat_messages ORDER BY id'), 'to-one');
      assert.equal(q('SELECT max(id) FROM chat_devices'), '4');
      q('PRAGMA foreign_keys = ON; DELETE FROM chat_devices WHERE id = 1;');
      assert.equal(q('SELECT device_id, key_id FROM chat_prekeys'), '2 1');
      assert.equal(q('SELECT count(*) FROM chat_messages'), '0');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

// These need the hub's pa_chat_revoke (api/chat_relay.c); with the stub they fail.
describe('revocation: chat sockets', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('socket revocation: logout-all closes every open socket of the account with 4001', async () => {
    const a = await signedUp(server, 'all');
    const b = await secondSession(server, a);
    const [da, db] = [await newDevice(a), await newDevice(b)];
    const wa = await connect(server, a, da);
    const wb = await connect(server, b, db);
    await assertServed(wa);
    assert.equal((await a.post('/api/v1/auth/logout-all', {})).status, 200);
    await assertRevoked(wa, 'logout-all');
    await assertRevoked(wb, 'logout-all (another session)');
    assert.equal(await upgradeStatus(server, b, db), 401, 'and cannot reopen');
  });

  test('socket revocation: logout closes the sockets of that session; another session\'s socket stays open', async () => {
    const a = await signedUp(server, 'one');
    const b = await secondSession(server, a);
    const [da, db] = [await newDevice(a), await newDevice(b)];
    const wa = await connect(server, a, da);
    const wb = await connect(server, b, db);
    const bystander = await signedUp(server, 'bystander');
    const wc = await connect(server, bystander, await newDevice(bystander));
    assert.equal((await a.post('/api/v1/auth/logout', {})).status, 200);
    await assertRevoked(wa, 'logout');
    await assertServed(wb);
    await assertServed(wc);
    wb.terminate();
    wc.terminate();
  });

  test('socket revocation: a password change closes every socket of the account, this session\'s too; it may reconnect', async () => {
    const a = await signedUp(server, 'pwsock');
    const b = await secondSession(server, a);
    const [da, db] = [await newDevice(a), await newDevice(b)];
    const wa = await connect(server, a, da);
    const wb = await connect(server, b, db);
    const r = await a.post('/api/v1/auth/password', { current_password: a.password, new_password: 'a changed password' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await assertRevoked(wb, 'a password change (another session)');
    await assertRevoked(wa, 'a password change (this session)');
    assert.equal(await upgradeStatus(server, b, db), 401);
    const again = await connect(server, a, da);
    await assertServed(again);
    again.terminate();
  });

  test('socket revocation: account deletion closes the account\'s sockets', async () => {
    const a = await signedUp(server, 'leaver');
    const wa = await connect(server, a, await newDevice(a));
    const r = await a.del('/api/v1/me', { password: a.password });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await assertRevoked(wa, 'account deletion');
  });

  test('socket revocation: removing a device closes its socket; the account\'s other device stays connected', async () => {
    const a = await signedUp(server, 'devsock');
    const [d1, d2] = [await newDevice(a), await newDevice(a)];
    const w1 = await connect(server, a, d1);
    const w2 = await connect(server, a, d2);
    assert.equal((await a.del(`/api/v1/chat/devices/${d1}`)).status, 200);
    await assertRevoked(w1, 'removing its device');
    await assertServed(w2);
    assert.equal(await upgradeStatus(server, a, d1), 404);
    w2.terminate();
  });

  test('socket revocation: after logout-all a send on an open socket is not accepted', async () => {
    const a = await signedUp(server, 'late');
    const peer = await signedUp(server, 'peer');
    const da = await newDevice(a);
    const dp = await newDevice(peer);
    const wa = await connect(server, a, da);
    assert.equal((await a.post('/api/v1/auth/logout-all', {})).status, 200);
    // Sent after the server answered the logout: nothing of it may be taken.
    wa.sendJson({ type: 'send', id: 'after-logout', to: peer.user.id, envelopes: [{ device: dp, body: 'AQID' }] });
    wa.sendJson({ type: 'ping' });
    await assertRevoked(wa, 'logout-all');
    assert.deepEqual(wa.frames.filter((f) => f.type === 'sent' || f.type === 'pong'), [], 'the revoked socket answered');
    // The peer's backlog (sent before the pong answering its own ping) holds nothing.
    const wp = await connect(server, peer, dp);
    wp.sendJson({ type: 'ping' });
    await wp.next('pong');
    assert.deepEqual(wp.frames.filter((f) => f.type === 'msg'), []);
    wp.terminate();
    assert.equal(sql(server, `SELECT count(*) FROM chat_messages WHERE client_id = 'after-logout'`), '0');
  });
});
