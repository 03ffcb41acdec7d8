// The chat relay's robustness (issue 22, item 3; web/README.md, "Chat"), with
// real WebSocket traffic (npm `ws`):
// - `failed`: a recipient device that cannot decrypt a message answers
//   `failed`; the row is cleared like an ack and kept as a receipt that the
//   sender's devices hear as `failed` (live, and again from the backlog)
//   until they `delivered_ack` it. Nobody else can fail someone's message.
// - PA_CHAT_STARTS_PER_PEER: session-start envelopes (first byte 0x03, or
//   the refused 0x02) per (sender, recipient) per hour: the 10th is taken,
//   the 11th refused with too_many_starts, across a server restart; resends
//   and ordinary messages are not counted; another pair is not affected;
//   an hour later they are taken again.
// - identity_gen: the highest identity-vault generation a device reported,
//   told back in hello (never lowered).
// - The schema step (39 in issue 22's numbering) upgrades a database one
//   version older on both engines.
// The relay never reads bodies beyond their first byte, so bodies here are
// bytes with the right first byte.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { Client, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { loadCore } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';

const { wrapChat, toB64 } = await import(path.join(SITE, 'chat', 'crypto.js'));
const NOW = Math.floor(Date.now() / 1000);
const STARTS_PER_PEER = 10; // PA_CHAT_STARTS_PER_PEER (web/src/api/chat_relay.h)

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
  // The answer (sent or error) to the send with client id cid.
  ws.answer = async (cid) => {
    for (const end = Date.now() + 10_000; ;) {
      const i = frames.findIndex((f) => (f.type === 'sent' || f.type === 'error') && f.id === cid);
      if (i >= 0) return frames.splice(i, 1)[0];
      assert.ok(Date.now() < end, `no answer to ${cid}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  ws.frames = frames;
  ws.sendJson = (o) => ws.send(JSON.stringify(o));
  ws.close_ = () => new Promise((r) => { ws.once('close', r); ws.close(); });
  return ws;
}

// A body with first byte `first`; a start's base key (bytes 33..64, which
// names its session) is filled with `session`.
const body = (first, session = 0, n = 200) => {
  const b = new Uint8Array(n).fill(7);
  b[0] = first;
  b.fill(session, 33, 65);
  return toB64(b);
};
// A frame round trip: everything sent before it on this socket has been handled.
const settled = async (ws) => { ws.sendJson({ type: 'ping' }); await ws.next('pong'); };

describe('chat relay: failed, starts per peer, identity generation', () => {
  let server, c, alice, bob, eve, devA, devA2, devB, devE;
  const device = async (who) => {
    const r = await who.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(c.identityCreate(NOW, 2))) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  before(async () => {
    c = wrapChat(await loadCore('chat'));
    server = await startServer();
    alice = new Client(server);
    bob = new Client(server);
    eve = new Client(server);
    await alice.signup(email('alice'), 'alice password', 'Alice');
    await bob.signup(email('bob'), 'bob password!', 'Bob');
    await eve.signup(email('eve'), 'eve password!!', 'Eve');
    devA = await device(alice);
    devA2 = await device(alice);
    devB = await device(bob);
    devE = await device(eve);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('failed: cleared like an ack, told to the sender\'s devices as failed until acked; only by its recipient', async () => {
    const wa = await connect(server, alice, devA);
    await wa.next('hello');
    const wb = await connect(server, bob, devB);
    await wb.next('hello');
    const we = await connect(server, eve, devE);
    await we.next('hello');
    wa.sendJson({ type: 'send', id: 'f-1', to: bob.user.id, envelopes: [{ device: devB, body: body(1) }] });
    const sent = await wa.answer('f-1');
    assert.equal(sent.type, 'sent');
    const msg = await wb.next('msg');
    // Eve cannot fail (or ack) a message that is not hers: nothing changes.
    we.sendJson({ type: 'failed', ids: [msg.id] });
    we.sendJson({ type: 'ack', ids: [msg.id] });
    await settled(we);
    assert.equal(dbQuery(server, `SELECT body IS NOT NULL, failed FROM chat_messages WHERE id = ${msg.id}`), '1|0');
    // Bob cannot decrypt it: failed, not ack.
    wb.sendJson({ type: 'failed', ids: [msg.id] });
    const f = await wa.next('failed');
    assert.deepEqual(f, { type: 'failed', id: msg.id, seq: sent.seq, to: bob.user.id, to_device: devB, cid: 'f-1' });
    assert.equal(dbQuery(server, `SELECT body IS NULL, delivered_at IS NOT NULL, failed FROM chat_messages WHERE id = ${msg.id}`), '1|1|1');
    // Never "delivered", and an ack after the failure changes nothing.
    wb.sendJson({ type: 'ack', ids: [msg.id] });
    await settled(wb);
    await settled(wa);
    assert.equal(wa.frames.filter((x) => x.type === 'delivered').length, 0);
    // Stored like a receipt: alice's other device, connecting later, hears it too.
    const wa2 = await connect(server, alice, devA2);
    await wa2.next('hello');
    await settled(wa2);
    assert.equal(wa2.frames.filter((x) => x.type === 'failed').length, 0, 'only the sending device hears it');
    await wa.close_();
    const again = await connect(server, alice, devA);
    await again.next('hello');
    assert.deepEqual(await again.next('failed'), f);
    // Acked like a receipt: the row goes, and it is not told again.
    again.sendJson({ type: 'delivered_ack', ids: [f.id] });
    await settled(again);
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE id = ${msg.id}`), '0');
    await again.close_();
    const third = await connect(server, alice, devA);
    await third.next('hello');
    await settled(third);
    assert.equal(third.frames.filter((x) => x.type === 'failed').length, 0);
    for (const w of [third, wa2, wb, we]) await w.close_();
  });

  test('session starts per peer: the 10th is taken, the 11th refused, across a restart; an hour later taken again', async () => {
    let wa = await connect(server, alice, devA);
    await wa.next('hello');
    // Ordinary messages (0x01) are not counted.
    for (let i = 0; i < 3; i++) {
      wa.sendJson({ type: 'send', id: `plain-${i}`, to: bob.user.id, envelopes: [{ device: devB, body: body(1) }] });
      assert.equal((await wa.answer(`plain-${i}`)).type, 'sent');
    }
    // 9 sessions started (0x03), one of them with the refused v1 (0x02):
    // counted all the same.
    for (let i = 1; i < STARTS_PER_PEER; i++) {
      wa.sendJson({ type: 'send', id: `start-${i}`, to: bob.user.id, envelopes: [{ device: devB, body: body(i === 5 ? 2 : 3, i) }] });
      assert.equal((await wa.answer(`start-${i}`)).type, 'sent', `start ${i}`);
    }
    // A resend of a start already queued is not counted again, nor is a
    // further message of a session already started (start data goes with
    // every message until the first reply), nor a body too short to name one twice.
    wa.sendJson({ type: 'send', id: 'start-1', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 1) }] });
    const dup = await wa.answer('start-1');
    assert.deepEqual([dup.type, dup.dup], ['sent', true]);
    for (let k = 0; k < 5; k++) {
      wa.sendJson({ type: 'send', id: `start-1-more-${k}`, to: bob.user.id, envelopes: [{ device: devB, body: body(3, 1) }] });
      assert.equal((await wa.answer(`start-1-more-${k}`)).type, 'sent');
    }
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_starts WHERE sender_id = ${alice.user.id.slice(2)}`), String(STARTS_PER_PEER - 1));
    // The server restarts: the count is in the database.
    const dir = server.dir, tmp = server.tmp;
    await wa.close_();
    await stopServer(server);
    server = await startServer({ data: dir, seed: false });
    server.tmp = tmp;
    for (const cl of [alice, bob, eve]) cl.server = server;
    wa = await connect(server, alice, devA);
    await wa.next('hello');
    // The 10th: taken (last allowed).
    wa.sendJson({ type: 'send', id: 'start-10', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 10) }] });
    assert.equal((await wa.answer('start-10')).type, 'sent');
    // The 11th: refused (first refused), nothing stored, no number used.
    wa.sendJson({ type: 'send', id: 'start-11', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 11) }] });
    const refused = await wa.answer('start-11');
    assert.deepEqual([refused.type, refused.code], ['error', 'too_many_starts']);
    assert.match(refused.message, /hour/);
    assert.equal(dbQuery(server, "SELECT count(*) FROM chat_messages WHERE client_id = 'start-11'"), '0');
    // A session already started still sends (its start data counts once).
    wa.sendJson({ type: 'send', id: 'start-2-more', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 2) }] });
    assert.equal((await wa.answer('start-2-more')).type, 'sent');
    // Ordinary messages still go; so do starts to someone else, and bob's starts to alice.
    wa.sendJson({ type: 'send', id: 'plain-after', to: bob.user.id, envelopes: [{ device: devB, body: body(1) }] });
    const plain = await wa.answer('plain-after');
    assert.equal(plain.type, 'sent');
    wa.sendJson({ type: 'send', id: 'to-eve', to: eve.user.id, envelopes: [{ device: devE, body: body(3) }] });
    assert.equal((await wa.answer('to-eve')).type, 'sent');
    const wb = await connect(server, bob, devB);
    await wb.next('hello');
    wb.sendJson({ type: 'send', id: 'bob-start', to: alice.user.id, envelopes: [{ device: devA, body: body(3) }] });
    assert.equal((await wb.answer('bob-start')).type, 'sent');
    // A second device of alice's shares her count (it is per person).
    const wa2 = await connect(server, alice, devA2);
    await wa2.next('hello');
    wa2.sendJson({ type: 'send', id: 'start-other-device', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 12) }] });
    assert.equal((await wa2.answer('start-other-device')).code, 'too_many_starts');
    for (const w of [wa, wa2, wb]) await w.close_();
    // An hour later (the test clock) they are taken again, and housekeeping
    // at startup has removed the old counts.
    await stopServer(server);
    server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: '3601' } });
    server.tmp = tmp;
    for (const cl of [alice, bob, eve]) cl.server = server;
    // The chores run at startup, beside the first requests: wait for them.
    for (const end = Date.now() + 20_000; dbQuery(server, 'SELECT count(*) FROM chat_starts') !== '0';) {
      assert.ok(Date.now() < end, 'the starts of an hour ago are removed'); // a hang guard
      await new Promise((r) => setTimeout(r, 100));
    }
    wa = await connect(server, alice, devA);
    await wa.next('hello');
    wa.sendJson({ type: 'send', id: 'start-later', to: bob.user.id, envelopes: [{ device: devB, body: body(3, 13) }] });
    assert.equal((await wa.answer('start-later')).type, 'sent');
    await wa.close_();
  });

  test('identity_gen: the highest reported generation comes back in hello, never lowered', async () => {
    let ws = await connect(server, bob, devB);
    assert.equal((await ws.next('hello')).identity_gen, 0);
    ws.sendJson({ type: 'identity_gen', generation: 7 });
    ws.sendJson({ type: 'identity_gen', generation: 3 }); // an older copy reporting: ignored
    for (const bad of [0, -1, 1.5, '9', null]) ws.sendJson({ type: 'identity_gen', generation: bad });
    await settled(ws);
    assert.equal(ws.frames.filter((f) => f.type === 'error' && f.code === 'bad_request').length, 5);
    await ws.close_();
    ws = await connect(server, bob, devB);
    assert.equal((await ws.next('hello')).identity_gen, 7);
    await ws.close_();
    // Per device: alice's are untouched.
    const wa = await connect(server, alice, devA);
    assert.equal((await wa.next('hello')).identity_gen, 0);
    await wa.close_();
  });
});

const ROBUST_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chat_starts')) + 1;

describe(`the chat robustness schema upgrade (version ${ROBUST_VERSION})`, () => {
  test('a SQLite database one version older is upgraded in place', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('chat-robust', ROBUST_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
      INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at) VALUES (1, 1, zeroblob(32), zeroblob(108), 1, 1);
      INSERT INTO chat_messages (sender_device, recipient_device, client_id, seq, body, created_at) VALUES (1, 1, 'c', 1, x'03', 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT failed FROM chat_messages; SELECT identity_gen FROM chat_devices;'), '0\n0');
      sql("INSERT INTO chat_starts (sender_id, recipient_id, base, created_at) VALUES (1, 1, x'01', 5);");
      assert.throws(() => sql('UPDATE chat_messages SET failed = 2;'));
      assert.throws(() => sql('UPDATE chat_devices SET identity_gen = -1;'));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the step from pa_pg_migrations', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-chat-robust-pg-'));
    const pg = await createDatabase('pa_chat_robust_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, ROBUST_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${ROBUST_VERSION - 1};
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
        INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at)
          VALUES (1, 1, decode(repeat('00', 32), 'hex'), decode(repeat('00', 108), 'hex'), 1, 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT identity_gen FROM chat_devices'), [{ identity_gen: '0' }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM chat_starts'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
