// Message requests and reports of several chat messages (issue 22, item 6;
// schema 36; web/README.md "Chat" and "Moderation"). Real ws traffic: a 1:1
// msg frame carries "request": true, live and from the backlog, exactly while
// the recipient neither follows nor accepted the sender; writing to someone
// accepts them; GET /chat/requests lists who waits (no content); POST
// /chat/requests/{u}/accept and its refusals; a block refuses the stranger's
// next message; a report carries selected messages (each with relay id,
// sender, time and text) to the moderator, at the named limits' edges. The
// relay stores opaque bodies, so random bytes stand in for ratchet messages.
// Then the upgrade from schema 35 on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  BIN, Client, assertError, chatBundle, databaseEnv, dbQuery, email, oldDatabase, pgSchemaFromSource,
  migrationsFromSource, startServer, stopServer,
} from './helpers.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';

// web/src/api/mod_body.h and web/src/store/chat.h.
const MESSAGES_MAX = 10;
const MESSAGES_CHARS = 8000;
const MESSAGE_MAX = 4000;
const REQUESTS_MAX = 100;

async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

async function person(server, tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, 'correct horse battery', tag[0].toUpperCase() + tag.slice(1));
  const d = await c.post('/api/v1/chat/devices', { bundle: chatBundle() });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  return { c, mail, id: user.id, device: d.body.id };
}

// A socket whose frames queue up, so a test waits for the next one of a type.
async function connect(server, who) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${who.device}`, {
    headers: { cookie: `pa_session=${who.c.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
  });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.next = async (type, pred = () => true) => {
    const end = Date.now() + 10_000;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type && pred(f));
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  ws.frames = frames;
  ws.sendJson = (o) => ws.send(JSON.stringify(o));
  ws.close_ = () => new Promise((r) => { ws.once('close', r); ws.close(); });
  return ws;
}

let cids = 0;
// from's socket sends one message to `to`; resolves with the sent (or error) frame.
async function send(ws, to) {
  const id = `c${++cids}`;
  ws.sendJson({ type: 'send', id, to: to.id, envelopes: [{ device: to.device, body: randomBytes(120).toString('base64') }] });
  const f = await ws.next('sent', (x) => x.id === id).catch(() => null) ?? await ws.next('error', (x) => x.id === id);
  return { ...f, cid: id };
}

const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('message requests', () => {
  let server, ann, sam, fay, eve, bo, mod, wsAnn, wsSam, wsFay, wsEve, wsBo;
  const received = []; // ann's msg frames from sam, for the report

  before(async () => {
    server = await startServer();
    [ann, sam, fay, eve, bo, mod] = await Promise.all(['ann', 'sam', 'fay', 'eve', 'bo', 'mod'].map((t) => person(server, t)));
    await cli(server, 'grant', mod.mail, 'moderator');
    assert.equal((await ann.c.put(`/api/v1/users/${fay.id}/follow`)).status, 200);
    [wsAnn, wsSam, wsFay, wsEve, wsBo] = await Promise.all([ann, sam, fay, eve, bo].map((p) => connect(server, p)));
  });
  after(async () => {
    for (const ws of [wsAnn, wsSam, wsFay, wsEve, wsBo]) ws?.close();
    await stopServer(server, { keepData: false });
  });

  test('a stranger\'s message is a request, live and from the backlog; a followed person\'s is not; the sender is told nothing', async () => {
    const s1 = await send(wsSam, ann);
    assert.equal(s1.type, 'sent');
    assert.deepEqual(Object.keys(s1).sort(), ['cid', 'dup', 'id', 'seq', 'to', 'type'], 'the sender hears only "sent"');
    const m1 = await wsAnn.next('msg', (f) => f.cid === s1.cid);
    assert.equal(m1.request, true);
    assert.equal(m1.from, sam.id);
    received.push(m1);
    const f1 = await send(wsFay, ann);
    const mf = await wsAnn.next('msg', (f) => f.cid === f1.cid);
    assert.equal('request' in mf, false, 'ann follows fay');
    wsAnn.sendJson({ type: 'ack', ids: [m1.id, mf.id] });
    // Delivered to the sender as any message is.
    assert.equal((await wsSam.next('delivered', (f) => f.cid === s1.cid)).to, ann.id);

    // Offline: the backlog carries the flag too.
    await wsAnn.close_();
    const s2 = await send(wsSam, ann);
    wsAnn = await connect(server, ann);
    const m2 = await wsAnn.next('msg', (f) => f.cid === s2.cid);
    assert.equal(m2.request, true);
    received.push(m2);
    wsAnn.sendJson({ type: 'ack', ids: [m2.id] });
  });

  test('GET /chat/requests: who waits, without content; only for the signed-in person', async () => {
    const r = await ann.c.get('/api/v1/chat/requests');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.requests.map((p) => p.id), [sam.id]);
    assert.deepEqual(Object.keys(r.body.requests[0]).sort(), ['avatar_url', 'handle', 'id', 'name', 'plus']);
    // Sam wrote to ann, which accepted her for him: nothing waits for sam.
    assert.deepEqual((await sam.c.get('/api/v1/chat/requests')).body.requests, []);
    assertError(await new Client(server).get('/api/v1/chat/requests'), 401, 'unauthorized');
  });

  test('writing to someone accepts them: the reply is no request, while the first message was one', async () => {
    const a1 = await send(wsAnn, eve);
    const e1 = await wsEve.next('msg', (f) => f.cid === a1.cid);
    assert.equal(e1.request, true, 'eve neither follows nor accepted ann');
    wsEve.sendJson({ type: 'ack', ids: [e1.id] });
    const r1 = await send(wsEve, ann);
    const back = await wsAnn.next('msg', (f) => f.cid === r1.cid);
    assert.equal('request' in back, false);
    wsAnn.sendJson({ type: 'ack', ids: [back.id] });
    assert.deepEqual((await ann.c.get('/api/v1/chat/requests')).body.requests.map((p) => p.id), [sam.id]);
  });

  test('accept: refusals (no session, CSRF, oneself, nobody, a block), then sam\'s next message is no request; idempotent; ann\'s alone', async () => {
    const url = `/api/v1/chat/requests/${sam.id}/accept`;
    assertError(await new Client(server).post(url, {}), 401, 'unauthorized');
    assertError(await ann.c.post(url, {}, { csrf: false }), 403, 'csrf');
    assertError(await ann.c.post(`/api/v1/chat/requests/${ann.id}/accept`, {}), 400, 'bad_request');
    assertError(await ann.c.post('/api/v1/chat/requests/u_999999/accept', {}), 404, 'not_found');
    // bo blocked ann: to ann, bo does not exist here either.
    assert.equal((await bo.c.put(`/api/v1/users/${ann.id}/block`)).status, 200);
    assertError(await ann.c.post(`/api/v1/chat/requests/${bo.id}/accept`, {}), 404, 'not_found');
    assert.equal((await bo.c.del(`/api/v1/users/${ann.id}/block`)).status, 200);

    const ok = await ann.c.post(url, {});
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { user: sam.id, accepted: true });
    assert.equal((await ann.c.post(url, {})).status, 200, 'accepting again changes nothing');
    const s3 = await send(wsSam, ann);
    const m3 = await wsAnn.next('msg', (f) => f.cid === s3.cid);
    assert.equal('request' in m3, false);
    received.push({ ...m3, text: 'third' });
    wsAnn.sendJson({ type: 'ack', ids: [m3.id] });
    assert.deepEqual((await ann.c.get('/api/v1/chat/requests')).body.requests, []);
    // Another person's acceptance is their own: to fay, sam is still a stranger.
    const s4 = await send(wsSam, fay);
    assert.equal((await wsFay.next('msg', (f) => f.cid === s4.cid)).request, true);
    assert.deepEqual((await fay.c.get('/api/v1/chat/requests')).body.requests.map((p) => p.id), [sam.id]);
  });

  test('declining is blocking: the stranger\'s next message is refused and never stored; the request goes', async () => {
    const b1 = await send(wsBo, ann);
    const mb1 = await wsAnn.next('msg', (f) => f.cid === b1.cid);
    assert.equal(mb1.request, true);
    wsAnn.sendJson({ type: 'ack', ids: [mb1.id] });
    assert.deepEqual((await ann.c.get('/api/v1/chat/requests')).body.requests.map((p) => p.id), [bo.id]);
    assert.equal((await ann.c.put(`/api/v1/users/${bo.id}/block`)).status, 200);
    const b2 = await send(wsBo, ann);
    assert.equal(b2.type, 'error');
    assert.equal(b2.code, 'not_allowed');
    assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages WHERE client_id = '${b2.cid}'`), '0');
    assert.deepEqual((await ann.c.get('/api/v1/chat/requests')).body.requests, []);
    // The refused message never reaches ann: a later one from sam does, and
    // nothing of bo's came before it.
    const s5 = await send(wsSam, ann);
    const next = await wsAnn.next('msg', (f) => f.cid === s5.cid);
    assert.deepEqual(wsAnn.frames.filter((f) => f.type === 'msg' && f.from === bo.id), []);
    wsAnn.sendJson({ type: 'ack', ids: [next.id] });
  });

  test('GET /chat/requests lists at most PA_STORE_CHAT_REQUESTS_MAX people, by id', async () => {
    // People who wrote to ann (a conversation each), made in the database: 100, then one more.
    const me = Number(ann.id.slice(2));
    const strangers = (from, to) => dbQuery(server, `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
      INSERT INTO users (handle, name, email, created_at) SELECT 'rq' || i, 'Rq', 'rq' || i || '@example.test', 1 FROM n;
      INSERT INTO chat_convs (lo, hi, last_seq) SELECT ${me}, id, 1 FROM users WHERE handle LIKE 'rq%' AND id > ${me}
        ON CONFLICT (lo, hi) DO NOTHING;`);
    strangers(1, REQUESTS_MAX);
    const all = (await ann.c.get('/api/v1/chat/requests')).body.requests;
    assert.equal(all.length, REQUESTS_MAX, 'the last one allowed');
    const ids = all.map((p) => Number(p.id.slice(2)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    strangers(REQUESTS_MAX + 1, REQUESTS_MAX + 1);
    const capped = (await ann.c.get('/api/v1/chat/requests')).body.requests;
    assert.equal(capped.length, REQUESTS_MAX, 'the first one over is left out');
    assert.deepEqual(capped.map((p) => p.id), all.map((p) => p.id), 'the newest person is the one left out');
  });

  test('a report carries the selected messages to the moderator; limits at their edges; the one-message form still works', async () => {
    const [a, b] = received;
    const msg = (m, text, from = sam.id) => ({ id: `cm_${m.id}`, from, at: m.at, text });
    const body = { kind: 'message', id: `cm_${a.id}`, reason: 'harassment', from: sam.id,
      messages: [msg(a, 'first thing he said'), msg(b, 'second\nthing')] };
    const r = await ann.c.post('/api/v1/reports', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const item = (await mod.c.get(`/api/v1/mod/items/message/cm_${a.id}`)).body;
    assert.equal(item.message.from, sam.id);
    assert.equal(item.reports[0].message, 'first thing he said', 'the named message is the report\'s message');
    assert.deepEqual(item.reports[0].messages, body.messages);
    assertError(await ann.c.get(`/api/v1/mod/items/message/cm_${a.id}`), 403, 'forbidden');

    // The limits: fay reports sam (they share a conversation now), on new item ids each time.
    let item0 = 1000;
    const many = (n, len = 5) => Array.from({ length: n }, (_, i) => ({ id: `cm_${item0 + i}`, from: sam.id, at: iso(1800000000 + i), text: 'x'.repeat(len) }));
    const rep = (messages, extra = {}) => fay.c.post('/api/v1/reports', { kind: 'message', id: messages[0]?.id ?? 'cm_1', reason: 'spam', from: sam.id, messages, ...extra });
    assertError(await rep(many(MESSAGES_MAX + 1)), 400, 'bad_request');
    assert.equal((await rep(many(MESSAGES_MAX))).status, 201);
    item0 += 100;
    assertError(await rep(many(MESSAGES_MAX, MESSAGES_CHARS / MESSAGES_MAX + 1).map((m, i) => (i ? m : { ...m, text: m.text.slice(0, -1) }))), 400, 'bad_request');
    assert.equal((await rep(many(2, MESSAGE_MAX))).status, 201, '8000 characters together');
    item0 += 100;
    assertError(await rep(many(1, MESSAGE_MAX + 1)), 400, 'bad_request');
    assertError(await rep([]), 400, 'bad_request');
    const one = many(2);
    assertError(await rep(one, { message: 'both' }), 400, 'bad_request');
    assertError(await rep([one[0], { ...one[1], id: one[0].id }]), 400, 'bad_request');
    assertError(await rep([{ ...one[0], at: '2026-02-29T00:00:00Z' }]), 400, 'bad_request');
    assertError(await rep([{ ...one[0], at: '2026-12-07T00:00:00.000Z' }]), 400, 'bad_request');
    assertError(await rep([{ ...one[0], extra: 1 }]), 400, 'bad_request');
    assertError(await rep([one[1]], { id: one[0].id }), 400, 'bad_request');
    assertError(await rep([{ ...one[0], from: eve.id }]), 400, 'bad_request');
    assertError(await rep([one[0], { ...one[1], from: eve.id }]), 400, 'bad_request');
    assert.equal((await rep([one[0], { ...one[1], from: fay.id }])).status, 201, 'the reporter\'s own messages give context');
    // Not a chat report: no messages.
    assertError(await fay.c.post('/api/v1/reports', { kind: 'person', id: sam.id, reason: 'spam', messages: one }), 400, 'bad_request');
    // No conversation with that person: 404, as before.
    const lone = await eve.c.post('/api/v1/reports', { kind: 'message', id: 'cm_5000', reason: 'spam', from: bo.id,
      messages: [{ id: 'cm_5000', from: bo.id, at: iso(1800000000), text: 'x' }] });
    assertError(lone, 404, 'not_found');
    // The first contract: one message, no messages[]; the moderator sees messages [].
    const legacy = await eve.c.post('/api/v1/reports', { kind: 'message', id: 'cm_6000', reason: 'spam', from: ann.id, message: 'one' });
    assert.equal(legacy.status, 201, JSON.stringify(legacy.body));
    const li = (await mod.c.get('/api/v1/mod/items/message/cm_6000')).body;
    assert.equal(li.reports[0].message, 'one');
    assert.deepEqual(li.reports[0].messages, []);
  });
});

const VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chat_accepts')) + 1;

describe(`the message requests upgrade (schema ${VERSION})`, () => {
  test('SQLite one version older: upgraded in place; old reports keep their text, take messages', async () => {
    const { tmp, data, sql, migrations } = await oldDatabase('chatreq', VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'sam', 'Sam', 'sam@example.test', 1);
      INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, message, created_at) VALUES (1, 'message', 4, 2, 'spam', 'old', 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(migrations.length));
      assert.equal(sql('SELECT message, messages IS NULL FROM reports'), 'old 1');
      sql(`INSERT INTO chat_accepts (user_id, peer_id, created_at) VALUES (1, 2, 1);
        UPDATE reports SET messages = '[]';`);
      assert.throws(() => sql('INSERT INTO chat_accepts (user_id, peer_id, created_at) VALUES (1, 1, 1);'));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL one version older gets the table and column from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-chatreq-pg-'));
    const pg = await createDatabase('pa_chatreq_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${VERSION - 1};
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'sam', 'Sam', 'sam@example.test', 1);
        INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, message, created_at) VALUES (1, 'message', 4, 2, 'spam', 'old', 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT message, messages FROM reports'), [{ message: 'old', messages: null }]);
        await runSql(pg.url, 'INSERT INTO chat_accepts (user_id, peer_id, created_at) VALUES (1, 2, 1);');
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM chat_accepts'), [{ n: '1' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
