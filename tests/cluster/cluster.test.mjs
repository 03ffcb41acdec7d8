// Several server processes behind a real HAProxy (issue 25; web/README.md,
// "Cluster"): two processes on one database (this pass's engine: one SQLite
// file, or one PostgreSQL database), one media folder (PA_MEDIA_DIR) and one
// Redis, HAProxy in front with health checks on GET /api/v1/ready and the
// client's address in a PROXY protocol v2 header. Sign-up and posting go
// through HAProxy and land on both processes; a photo stored through one is
// served by the other; clients on 127.0.0.2 and 127.0.0.3 are seen by their
// own addresses (the admin's security view); a stopping process answers 503
// on /ready while it drains, HAProxy takes it out and requests keep
// succeeding on the other; a WebSocket through HAProxy carries frames both
// ways. /ready itself: no session, nothing but yes or no, never limited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../lib/cluster.mjs';
import { BIN, Client, assertError, email, png, startServer } from '../server/helpers.mjs';
import { closeAll, connect } from '../server/socket.mjs';

const PASSWORD = 'correct horse battery';
// A stopping process serves this long with /ready at 503 (PA_DRAIN_MS); the
// test ends the drain itself with a second SIGTERM once HAProxy has taken
// the process out, so the figure is only an upper bound.
// The cluster's processes drain for the most PA_DRAIN_MS allows (its edge:
// 60000 starts, 60001 is refused below).
const DRAIN_MS = 60_000; // PA_DRAIN_MS_MAX (web/src/main.c)
const READY_BURST = 40; // more than any limit's burst: /ready is never limited

/** `show stat` as rows of {name: value} for the backend's servers. */
async function stats(cluster) {
  const text = await cluster.haproxy.command('show stat');
  const [head, ...rows] = text.trim().split('\n');
  const keys = head.replace(/^# /, '').split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])))
    .filter((r) => r.pxname === 'servers' && /^s\d+$/.test(r.svname));
}

/** Sessions (connections) HAProxy sent to each server: { s1: n, s2: n }. */
async function sessions(cluster) {
  return Object.fromEntries((await stats(cluster)).map((r) => [r.svname, Number(r.stot)]));
}

/** The admin CLI on the cluster's data folder and database. */
function grant(server, mail, role) {
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role],
    { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

describe('a cluster of two server processes behind HAProxy', () => {
  let cluster, front;
  before(async () => {
    cluster = await startCluster({ servers: 2, env: { PA_DRAIN_MS: String(DRAIN_MS) } });
    front = { port: cluster.port }; // what a Client talks to: HAProxy
  });
  after(async () => {
    await cluster?.stop();
  });

  test('GET /api/v1/ready: 200 {"ready":true} through HAProxy and from each process, no session, never limited', async () => {
    const anon = new Client(front);
    for (let i = 0; i < READY_BURST; i++) {
      const r = await anon.get('/api/v1/ready');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { ready: true }, 'nothing but yes');
    }
    for (const s of cluster.servers) {
      const direct = new Client(s);
      assert.deepEqual((await direct.get('/api/v1/ready')).body, { ready: true });
    }
    // Only GET (and HEAD): anything else is no route.
    const r = await anon.post('/api/v1/ready', {});
    assert.ok([404, 405].includes(r.status), `POST /ready: ${r.status}`);
  });

  test('sign-up, a pet and a post through HAProxy; the requests land on both processes', async () => {
    const before = await sessions(cluster);
    const alice = new Client(front);
    await alice.signup(email('cl-alice'), PASSWORD, 'Alice');
    const pet = await alice.post('/api/v1/pets', { name: 'Michi', species: 'cat' });
    assert.equal(pet.status, 201, JSON.stringify(pet.body));
    const m = await alice.upload(png(64, 48), 'image/png');
    const post = await alice.post('/api/v1/posts', { caption: 'Through the balancer', media_ids: [m.id], pet_ids: [pet.body.id] });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    // Each request is a connection of its own (the client keeps none alive),
    // and round robin sends consecutive ones to different processes: every
    // one of them (each on any process) sees the session and the post.
    for (let i = 0; i < 6; i++) {
      const r = await alice.get(`/api/v1/posts/${post.body.id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.caption, 'Through the balancer');
    }
    const now = await sessions(cluster);
    for (const s of ['s1', 's2']) assert.ok(now[s] - (before[s] ?? 0) >= 3, `${s} served ${now[s] - (before[s] ?? 0)} of 10`);
  });

  test('a photo stored through one process is served by the other (one media folder)', async () => {
    const [one, two] = cluster.servers;
    const bob = new Client(one); // straight to the first process, from 127.0.0.x (x > 1)
    await bob.signup(email('cl-bob'), PASSWORD, 'Bob');
    const bytes = png(90, 70);
    const m = await bob.upload(bytes, 'image/png');
    const got = await new Client(two).get(m.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.deepEqual(got.buf, bytes);
    // And a range of it, which the transport sends from the store's descriptor.
    const part = await new Client(two).get(m.url, { headers: { range: 'bytes=0-7' } });
    assert.equal(part.status, 206);
    assert.deepEqual(part.buf, bytes.subarray(0, 8));
  });

  test('clients on 127.0.0.2 and 127.0.0.3 are seen by their own addresses through HAProxy (PROXY v2)', async () => {
    const mail = email('cl-admin');
    const admin = new Client(front);
    await admin.signup(mail, PASSWORD, 'Admin');
    grant(cluster.servers[0].server, mail, 'admin');
    const who = [];
    for (const address of ['127.0.0.2', '127.0.0.3']) {
      const c = new Client(front, { address });
      const m = email('cl-addr');
      await c.signup(m, PASSWORD, address);
      // A failed sign-in and a good one: both are security events with the address.
      assertError(await c.post('/api/v1/auth/login', { email: m, password: 'not the password' }), 401, 'unauthorized');
      await c.login(m, PASSWORD);
      who.push(address);
    }
    const r = await admin.get('/api/v1/admin/security');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const rows = r.body.top_addresses;
    for (const address of who) {
      const row = rows.find((a) => a.address === address);
      assert.ok(row, `${address} in ${JSON.stringify(rows)}`);
      assert.ok(row.signin >= 1 && row.login_failed >= 1, JSON.stringify(row));
    }
    assert.ok(!rows.some((a) => a.address === '127.0.0.1'), 'nobody is seen as HAProxy\'s own address');
  });

  test('a stopping process: /ready 503 while it drains, HAProxy takes it out, requests keep succeeding; back when it returns', async () => {
    const [one] = cluster.servers;
    const carol = new Client(front);
    await carol.signup(email('cl-carol'), PASSWORD, 'Carol');
    one.server.child.kill('SIGTERM'); // drains: still serving, /ready says no
    await cluster.waitState(1, 'DOWN');
    const r = await new Client(one).get('/api/v1/ready');
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { ready: false });
    // Everything now goes to the other process, and works.
    const before = await sessions(cluster);
    for (let i = 0; i < 6; i++) assert.equal((await carol.get('/api/v1/auth/session')).body.user.id, carol.user.id);
    const now = await sessions(cluster);
    assert.equal(now.s1, before.s1, 'nothing was sent to the stopping process');
    assert.equal(now.s2 - before.s2, 6);
    await one.kill('SIGTERM'); // the second signal ends the drain; the exit is checked clean
    await one.start();
    await cluster.waitState(1, 'UP');
    assert.equal((await new Client(one).get('/api/v1/ready')).status, 200);
  });

  test('a WebSocket through HAProxy: 101, and frames both ways', async () => {
    const dave = new Client(front);
    await dave.signup(email('cl-dave'), PASSWORD, 'Dave');
    // connect() resolves once the upgrade (101) is done and the hello read.
    const ws = await connect(front, dave);
    assert.equal(ws.hello.type, 'hello');
    const seen = await ws.settle(); // a ping up, its pong down
    assert.ok(Array.isArray(seen));
    ws.send(JSON.stringify({ type: 'ping' }));
    await ws.next('pong');
    await closeAll(ws);
  });
});

describe('the edge\'s settings', () => {
  test('PA_MEDIA_DIR must be an absolute path; PA_DRAIN_MS at most 60000 (the cluster above runs at 60000)', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-edge-env-'));
    try {
      // SQLite whatever the pass: the server stops before it opens a database.
      const refused = (env) => startServer({ data: path.join(tmp, 'data'), seed: false, env: { PA_DATABASE_URL: '', ...env } });
      await assert.rejects(refused({ PA_MEDIA_DIR: 'media' }), /PA_MEDIA_DIR must be an absolute path/);
      await assert.rejects(refused({ PA_DRAIN_MS: String(DRAIN_MS + 1) }), /PA_DRAIN_MS must be 0\.\.60000 milliseconds/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
