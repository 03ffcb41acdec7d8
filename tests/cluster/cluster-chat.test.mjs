// Chat and support across server processes (issue 25; web/README.md,
// Cluster, "Chat and support across processes"): two servers on the same data
// folder and database (helpers' sameDataAs) and one real Redis. A device on
// server 1 and one on server 2 exchange messages both ways, each delivered
// once with its number, receipts come back, typing is relayed; a group
// message reaches members on both; a session ended through server 1 closes
// its socket on server 2 (4001); a block made through server 1 stops sends on
// server 2; a support reply reaches the person's support socket on the other
// server (which server 1 counts as connected: no notice), the agents' queue
// frame every agent, and a role taken through server 1 closes the agent's
// socket on server 2; Redis killed and restarted: a message stored meanwhile
// reaches the other server's socket after the bus resyncs; then server 2 is
// killed (SIGKILL) while 50 messages are sent, and the recipient,
// reconnecting to server 1, has each of them exactly once after its acks.
// Without Redis the store is still the truth: a message to a device on the
// other server arrives when that device reconnects (live delivery across
// processes needs Redis). Bodies are opaque bytes: the relay never reads them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeAll, connect as open } from '../server/socket.mjs';
import { startRedis } from '../lib/redis.mjs';
import { BIN, Client, chatBundle, databaseEnv, dbQuery, email, startServer, stopServer } from '../server/helpers.mjs';

const BURST = 50; // messages sent while server 2 is killed
const body = () => randomBytes(80).toString('base64');

/** A chat socket of client's device on server. */
const connect = (server, client, device) => open(server, client, `?device=${device}`);

/** A person signed up through server, with one chat device. */
async function person(server, tag) {
  const c = new Client(server);
  c.mail = email(tag);
  await c.signup(c.mail, `${tag} password!`, tag);
  const r = await c.post('/api/v1/chat/devices', { bundle: chatBundle() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  c.device = r.body.id;
  return c;
}

/** client's requests go to server from here (the session is the database's: any server takes it). */
function via(client, server) {
  client.server = server;
  return client;
}

/** Resolves with the socket's close code once it is closed (listening from now on). */
function closed(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(null);
    else ws.once('close', (code) => resolve(code));
  });
}

/** The answer to send frame id: its "sent" or its "error" (a guard, not a timing assertion). */
async function answer(ws, id) {
  const end = Date.now() + 20_000;
  for (;;) {
    const f = ws.all.find((x) => (x.type === 'sent' || x.type === 'error') && x.id === id);
    if (f) return f;
    if (Date.now() > end) throw new Error(`no answer to ${id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The msg frames a socket received, by id. */
const msgs = (ws) => ws.all.filter((f) => f.type === 'msg');

/** Waits until the cluster counts n sockets under key (`petamigos-server redis count`); a guard, not a timing assertion. */
async function presence(redis, key, n) {
  let got = '';
  for (let i = 0; i < 100; i++) {
    got = spawnSync(BIN, ['redis', 'count', key], { env: { ...process.env, PA_REDIS_URL: redis.url }, encoding: 'utf8', timeout: 30_000 }).stdout.trim();
    if (got === String(n)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`presence ${key}: ${got}, not ${n}`);
}

async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

describe('chat across two servers sharing one database and one Redis', () => {
  let redis, s1, s2, alice, bob, carol, wa, wb, s2killed = false;
  before(async () => {
    redis = await startRedis();
    const env = { PA_REDIS_URL: redis.url };
    s1 = await startServer({ seed: false, env });
    s2 = await startServer({ seed: false, sameDataAs: s1, env });
    alice = await person(s1, 'alice');
    bob = await person(s2, 'bob');
    carol = await person(s1, 'carol');
    wa = await connect(s1, alice, alice.device);
    wb = await connect(s2, bob, bob.device);
  });
  after(async () => {
    await closeAll(wa, wb);
    if (!s2killed) await stopServer(s2);
    await stopServer(s1, { keepData: false });
    await redis?.stop();
  });

  test('messages both ways: each delivered once with its seq, receipts back, typing and read relayed', async () => {
    wa.send(JSON.stringify({ type: 'send', id: 'a-1', to: bob.user.id, envelopes: [{ device: bob.device, body: body() }] }));
    const sent = await wa.next('sent', (f) => f.id === 'a-1');
    const m = await wb.next('msg', (f) => f.cid === 'a-1');
    assert.deepEqual([m.seq, m.from, m.from_device], [sent.seq, alice.user.id, alice.device]);
    wb.send(JSON.stringify({ type: 'ack', ids: [m.id] }));
    const d = await wa.next('delivered', (f) => f.cid === 'a-1');
    assert.deepEqual([d.id, d.seq, d.to, d.to_device], [m.id, sent.seq, bob.user.id, bob.device]);
    wa.send(JSON.stringify({ type: 'delivered_ack', ids: [d.id] }));

    wb.send(JSON.stringify({ type: 'send', id: 'b-1', to: alice.user.id, envelopes: [{ device: alice.device, body: body() }] }));
    const back = await wb.next('sent', (f) => f.id === 'b-1');
    assert.equal(back.seq, sent.seq + 1, "the pair's numbers go on across servers");
    const r = await wa.next('msg', (f) => f.cid === 'b-1');
    assert.equal(r.seq, back.seq);
    wa.send(JSON.stringify({ type: 'ack', ids: [r.id] }));
    const rd = await wb.next('delivered', (f) => f.cid === 'b-1');
    wb.send(JSON.stringify({ type: 'delivered_ack', ids: [rd.id] }));

    wa.send(JSON.stringify({ type: 'typing', to: bob.user.id }));
    assert.deepEqual(await wb.next('typing'), { type: 'typing', from: alice.user.id });
    wb.send(JSON.stringify({ type: 'read', to: alice.user.id, seq: r.seq }));
    assert.deepEqual(await wa.next('read'), { type: 'read', from: bob.user.id, seq: r.seq });

    // Nothing twice: every frame sent before each pong is in.
    await wa.settle();
    await wb.settle();
    for (const ws of [wa, wb]) {
      const ids = msgs(ws).map((f) => f.id);
      assert.deepEqual(ids, [...new Set(ids)], 'no message twice on one socket');
      const receipts = ws.all.filter((f) => f.type === 'delivered').map((f) => f.id);
      assert.deepEqual(receipts, [...new Set(receipts)], 'no receipt twice on one socket');
    }
    assert.equal(msgs(wb).length, 1);
    assert.equal(msgs(wa).length, 1);
  });

  test('a group message reaches its members on both servers', async () => {
    const g = (await alice.post('/api/v1/chat/groups', {})).body.id;
    for (const who of [bob, carol]) assert.equal((await alice.post(`/api/v1/chat/groups/${g}/members`, { user: who.user.id })).status, 200);
    const wc = await connect(s1, carol, carol.device);
    try {
      wa.send(JSON.stringify({ type: 'send', id: 'g-1', group: g, envelopes: [{ device: bob.device, body: body() }, { device: carol.device, body: body() }] }));
      const sent = await wa.next('sent', (f) => f.id === 'g-1');
      for (const ws of [wb, wc]) {
        const m = await ws.next('msg', (f) => f.cid === 'g-1');
        assert.deepEqual([m.group, m.seq, m.from], [g, sent.seq, alice.user.id]);
        ws.send(JSON.stringify({ type: 'ack', ids: [m.id] }));
      }
      const receipts = [await wa.next('delivered', (f) => f.cid === 'g-1'), await wa.next('delivered', (f) => f.cid === 'g-1')];
      assert.deepEqual(receipts.map((r) => r.to_device).sort(), [bob.device, carol.device].sort());
      wa.send(JSON.stringify({ type: 'delivered_ack', ids: receipts.map((r) => r.id) }));
      // Group typing, from server 2 to members on server 1.
      wb.send(JSON.stringify({ type: 'typing', group: g }));
      for (const ws of [wa, wc]) assert.deepEqual(await ws.next('typing', (f) => f.group === g), { type: 'typing', group: g, from: bob.user.id });
    } finally {
      await closeAll(wc);
    }
  });

  test('a session ended through server 1 closes its socket on server 2 (4001)', async () => {
    // A second session of bob's, its socket on server 2; signing it out through server 1.
    const other = new Client(s2);
    await other.login(bob.mail, 'bob password!');
    const ws = await open(s2, other);
    const code = closed(ws);
    assert.equal((await via(other, s1).post('/api/v1/auth/logout', {})).status, 200);
    assert.equal(await code, 4001);
    // bob's own socket, on the first session, stays.
    wb.send(JSON.stringify({ type: 'ping' }));
    await wb.next('pong');
  });

  test('a block made through server 1 stops the blocked person\'s sends on server 2', async () => {
    assert.equal((await via(alice, s1).put(`/api/v1/users/${bob.user.id}/block`)).status, 200);
    // The block reaches server 2 through the bus; until then a send may still be taken (bounded wait).
    let refused = null;
    for (let i = 0; i < 40 && !refused; i++) {
      wb.send(JSON.stringify({ type: 'send', id: `blk-${i}`, to: alice.user.id, envelopes: [{ device: alice.device, body: body() }] }));
      const f = await answer(wb, `blk-${i}`);
      if (f.type === 'error') refused = f;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(refused?.code, 'not_allowed');
    wb.send(JSON.stringify({ type: 'send', id: 'blk-after', to: alice.user.id, envelopes: [{ device: alice.device, body: body() }] }));
    assert.equal((await answer(wb, 'blk-after')).code, 'not_allowed');
    await wa.settle();
    assert.ok(!msgs(wa).some((f) => f.cid === refused.id || f.cid === 'blk-after'), 'nothing refused is delivered');
    // Whatever was taken before the block arrived is alice's backlog: acked, so the last test starts clean.
    const taken = msgs(wa).filter((f) => f.cid.startsWith('blk-')).map((f) => f.id);
    if (taken.length) wa.send(JSON.stringify({ type: 'ack', ids: taken }));
    assert.equal((await alice.del(`/api/v1/users/${bob.user.id}/block`)).status, 200);
  });

  test('support: a reply reaches the person\'s socket on the other server; the queue frame every agent', async () => {
    const dan = new Client(s2);
    dan.mail = email('dan');
    await dan.signup(dan.mail, 'dan password!', 'Dan');
    const agent = new Client(s1);
    agent.mail = email('agent');
    await agent.signup(agent.mail, 'agent password!', 'Agent');
    await grant(s1, agent.mail, 'support');
    const danWs = await open(s2, dan);
    const agentWs = await open(s2, agent); // the agent's console socket on server 2, requests through server 1
    try {
      // Presence is written by a thread of its own a moment after the socket opened: waited for (bounded).
      await presence(redis, `support:${dan.user.id.slice(2)}`, 1);
      const conv = await via(dan, s1).post('/api/v1/support/conversations', { subject: 'Where is my order?' });
      assert.equal(conv.status, 201, JSON.stringify(conv.body));
      const sc = conv.body.id;
      await agentWs.next('support.conversation', (f) => f.conversation.id === sc);
      assert.equal((await agent.post(`/api/v1/admin/support/conversations/${sc}/messages`, { body: 'It ships today' })).status, 201);
      const got = await danWs.next('support.message', (f) => f.message.author === 'agent');
      assert.deepEqual([got.conversation, got.message.body], [sc, 'It ships today']);
      // Server 1 saw dan's support socket on server 2 (presence support:<id>): no notice for the reply.
      const notices = (await dan.get('/api/v1/notifications')).body.notifications;
      assert.ok(!notices.some((n) => n.kind === 'support_reply'), JSON.stringify(notices));
      // A role taken through server 1 closes the agent's support socket on server 2 (it opened with the role).
      const admin = new Client(s1);
      admin.mail = email('admin');
      await admin.signup(admin.mail, 'admin password!', 'Admin');
      await grant(s1, admin.mail, 'admin');
      const bye = closed(agentWs);
      assert.equal((await admin.del(`/api/v1/admin/users/${agent.user.id}/roles/support`)).status, 200);
      assert.equal(await bye, 4001);
    } finally {
      await closeAll(danWs, agentWs);
    }
  });

  test('Redis lost mid-run: a message stored meanwhile reaches the other server\'s socket after the bus resyncs', async () => {
    await redis.kill();
    wa.send(JSON.stringify({ type: 'send', id: 'r-1', to: bob.user.id, envelopes: [{ device: bob.device, body: body() }] }));
    const sent = await answer(wa, 'r-1');
    assert.equal(sent.type, 'sent', 'stored without Redis');
    await redis.restart();
    // Server 2's subscriber comes back and posts "inbox" to every chat socket it holds.
    const m = await wb.next('msg', (f) => f.cid === 'r-1');
    assert.equal(m.seq, sent.seq);
    wb.send(JSON.stringify({ type: 'ack', ids: [m.id] }));
    await wa.next('delivered', (f) => f.cid === 'r-1');
  });

  test(`server 2 killed while ${BURST} messages are sent: bob reconnects to server 1 and has each exactly once`, async () => {
    // bob acks every message as it comes, on whichever socket (those that came before this too).
    const ackAll = (ws) => {
      const early = msgs(ws).map((f) => f.id);
      if (early.length) ws.send(JSON.stringify({ type: 'ack', ids: early }));
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString());
        if (f.type === 'msg') ws.send(JSON.stringify({ type: 'ack', ids: [f.id] }));
      });
    };
    ackAll(wb);
    const before = msgs(wb).length;
    const seqs = new Map();
    const gone = closed(wb);
    for (let i = 0; i < BURST; i++) {
      wa.send(JSON.stringify({ type: 'send', id: `k-${i}`, to: bob.user.id, envelopes: [{ device: bob.device, body: body() }] }));
    }
    // Killed in the middle: once a fifth of them are stored, the rest on their way.
    await answer(wa, `k-${BURST / 5}`);
    s2.child.kill('SIGKILL');
    for (let i = 0; i < BURST; i++) {
      const f = await answer(wa, `k-${i}`);
      assert.equal(f.type, 'sent', JSON.stringify(f));
      seqs.set(`k-${i}`, f.seq);
    }
    await s2.exited;
    await gone;
    s2killed = true;
    await assert.rejects(stopServer(s2), /SIGKILL/);
    const first = msgs(wb).slice(before);
    wb = await connect(s1, via(bob, s1), bob.device);
    ackAll(wb);
    const end = Date.now() + 30_000;
    const have = () => new Set([...first, ...msgs(wb)].filter((f) => f.cid.startsWith('k-')).map((f) => f.cid));
    while (have().size < BURST && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const all = [...first, ...msgs(wb)].filter((f) => f.cid.startsWith('k-'));
    assert.equal(have().size, BURST, `missing: ${[...seqs.keys()].filter((c) => !have().has(c))}`);
    for (const f of all) assert.equal(f.seq, seqs.get(f.cid), `${f.cid}'s number`);
    for (const list of [first, msgs(wb)]) {
      const ids = list.map((f) => f.id);
      assert.deepEqual(ids, [...new Set(ids)], 'no message twice on one socket');
    }
    // One id per message (one envelope each), the same wherever it came.
    const byCid = new Map();
    for (const f of all) {
      if (byCid.has(f.cid)) assert.equal(byCid.get(f.cid), f.id);
      byCid.set(f.cid, f.id);
    }
    // After the acks nothing waits: a new socket gets no message.
    await wb.settle();
    await closeAll(wb);
    const again = await connect(s1, bob, bob.device);
    assert.deepEqual(msgs(again), []);
    assert.equal((await again.settle()).filter((f) => f.type === 'msg').length, 0);
    wb = again;
    assert.equal(dbQuery(s1, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${bob.device.slice(2)} AND body IS NOT NULL`), '0');
  });
});

describe('chat across two servers without Redis: the store is the truth', () => {
  let s1, s2;
  before(async () => {
    s1 = await startServer({ seed: false });
    s2 = await startServer({ seed: false, sameDataAs: s1 });
  });
  after(async () => {
    await stopServer(s2);
    await stopServer(s1, { keepData: false });
  });

  test('a message to a device on the other server arrives when that device reconnects', async () => {
    const ann = await person(s1, 'ann');
    const ben = await person(s2, 'ben');
    const wa = await connect(s1, ann, ann.device);
    let wb = await connect(s2, ben, ben.device);
    try {
      wa.send(JSON.stringify({ type: 'send', id: 'n-1', to: ben.user.id, envelopes: [{ device: ben.device, body: body() }] }));
      const sent = await wa.next('sent');
      // No live wake-up crosses processes without Redis (documented); reconnecting reads the store.
      await closeAll(wb);
      wb = await connect(s2, ben, ben.device);
      const m = await wb.next('msg', (f) => f.cid === 'n-1');
      assert.equal(m.seq, sent.seq);
      wb.send(JSON.stringify({ type: 'ack', ids: [m.id] }));
      // ann's receipt is stored too: her next connection (to either server) reads it.
      await closeAll(wa);
      const wa2 = await connect(s2, via(ann, s2), ann.device);
      assert.equal((await wa2.next('delivered', (f) => f.cid === 'n-1')).id, m.id);
      await closeAll(wa2);
    } finally {
      await closeAll(wa, wb);
    }
  });
});
