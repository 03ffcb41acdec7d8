// Past one process (issue 25, lane jobs): two servers on one database (the
// same SQLite file in WAL, or the same PostgreSQL database) and one real
// Redis. A rate limit is the cluster's (2 sign-in attempts through A and 1
// through B spend a burst of 3; the next is refused by either), kept in Redis
// under a hash, never the address. Each lease (chores, worker.billing,
// worker.push; store/lease.h) has one holder, the first process; a push
// queued through B is sent by the holder; a clean stop releases the leases
// and B takes them at its next look, and a killed holder's lapse after
// PA_LEASE_TTL_S (shortened to 3 s here). A signed-out feed page kept by A
// shows a like made through B at once: the bump came over the bus, as
// PA_RESPCACHE_MS is ten minutes here. Without Redis (the documented
// fallback) each process counts its own limits and keeps its stale page
// until its own write (or PA_RESPCACHE_MS), while the leases still hold.
// Waits are for conditions, bounded only as hang guards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { browserKeys, startPushService } from '../lib/pushsim.mjs';
import { ROOT } from '../lib/paths.mjs';
import { startRedis } from '../lib/redis.mjs';
import { Client, assertError, dbQuery, email, killServer, startServer, stopServer } from '../server/helpers.mjs';

const TTL_S = 3; // PA_LEASE_TTL_S for these servers (worker.h: 3 at least)
const BURST = 3; // PA_LIMIT_LOGIN_ADDR_BURST, with a day's window: nothing refills meanwhile
const LEASES = ['chores', 'worker.billing', 'worker.push'];
const PASSWORD = 'correct horse battery';

/** Resolves once cond() holds; the bound is a hang guard only. */
async function until(cond, what) {
  const end = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited too long for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The leases as the database holds them: {name: holder}. */
function holders(server) {
  const rows = dbQuery(server, 'SELECT name, holder FROM leases ORDER BY name');
  return Object.fromEntries(rows.split('\n').filter(Boolean).map((r) => r.split('|')));
}

/** The one holder of every lease in LEASES, or null while they differ or one is free. */
function soleHolder(server) {
  const h = holders(server);
  const ids = new Set(LEASES.map((n) => h[n]));
  return ids.size === 1 && !ids.has(undefined) ? [...ids][0] : null;
}

/** A sign-in attempt from client c with a made-up account: 401, or 429 once the address is spent. */
const attempt = (c) => c.post('/api/v1/auth/login', { email: email('nobody'), password: 'wrong password' });

const firstPost = async (c) => (await c.get('/api/v1/feed?limit=3')).body.posts[0];

async function twoServers(site, env) {
  const a = await startServer({ root: site, env });
  await until(() => soleHolder(a), 'the first process to take every lease');
  const b = await startServer({ root: site, sameDataAs: a, env });
  return { a, b };
}

describe('two processes and Redis', () => {
  let redis, sim, site, env, a, b, c, idA;
  const cli = (...args) => execFileSync('redis-cli', ['-u', redis.url, ...args]).toString().trim();
  before(async () => {
    redis = await startRedis();
    sim = await startPushService();
    // The site's catalogs, for the words of a push.
    site = await mkdtemp(path.join(os.tmpdir(), 'pa-cluster-jobs-'));
    await symlink(path.join(ROOT, 'locales'), path.join(site, 'locales'));
    env = {
      PA_REDIS_URL: redis.url, PA_LEASE_TTL_S: String(TTL_S), PA_PUSH_SERVICE: sim.origin,
      PA_LIMIT_LOGIN_ADDR_BURST: String(BURST), PA_LIMIT_LOGIN_ADDR_WINDOW: '86400', PA_RESPCACHE_MS: '600000',
    };
    ({ a, b } = await twoServers(site, env));
    idA = soleHolder(a);
  });
  after(async () => {
    if (c) await stopServer(c);
    if (b && !b.exit) await stopServer(b);
    if (a) await stopServer(a, { keepData: false });
    if (sim) await sim.stop();
    if (redis) await redis.stop();
    if (site) await rm(site, { recursive: true, force: true });
  });

  test('a sign-in burst is the cluster\'s: 2 attempts through A and 1 through B pass, the next is 429 on either', async () => {
    const viaA = new Client(a);
    const viaB = new Client(b, { address: viaA.address });
    assertError(await attempt(viaA), 401, 'unauthorized');
    assertError(await attempt(viaA), 401, 'unauthorized');
    assertError(await attempt(viaB), 401, 'unauthorized');
    const refusedB = await attempt(viaB);
    assertError(refusedB, 429, 'rate_limited');
    assert.ok(Number(refusedB.headers['retry-after']) >= 1);
    assertError(await attempt(viaA), 429, 'rate_limited');
    // Another address still has its burst.
    assertError(await attempt(new Client(b)), 401, 'unauthorized');
    // The buckets are keyed by a hash: no address is a key in Redis.
    const keys = cli('--scan', '--pattern', 'pa:lim*').split('\n');
    assert.ok(keys.some((k) => /^pa:lim:login_addr:[0-9a-f]{32}$/.test(k)), keys.join(' '));
    assert.ok(keys.includes('pa:limit:key'), keys.join(' '));
    assert.ok(!keys.some((k) => k.includes(viaA.address)), keys.join(' '));
    const ttl = Number(cli('PTTL', keys.find((k) => k.startsWith('pa:lim:login_addr:'))));
    assert.ok(ttl > 0 && ttl <= 86400 * 1000, `a bucket expires within its window (${ttl} ms)`);
    // Redis forgets the script (NOSCRIPT: sent again) and then everything
    // (a new cluster key, the same for both): the charges stay shared.
    cli('SCRIPT', 'FLUSH');
    assertError(await attempt(viaB), 429, 'rate_limited');
    cli('FLUSHALL');
    const again = new Client(b);
    const againA = new Client(a, { address: again.address });
    assertError(await attempt(again), 401, 'unauthorized');
    assertError(await attempt(againA), 401, 'unauthorized');
    assertError(await attempt(again), 401, 'unauthorized');
    assertError(await attempt(againA), 429, 'rate_limited');
  });

  test('every lease has one holder, the first process; a push queued through B is sent by it', async () => {
    assert.match(idA, /^[0-9a-f]{32}$/);
    assert.deepEqual(Object.keys(holders(a)), LEASES);
    const alice = new Client(b);
    await alice.signup(email('alice'), PASSWORD, 'Alice');
    const bob = new Client(b);
    await bob.signup(email('bob'), PASSWORD, 'Bob');
    const ua = browserKeys();
    const r = await alice.post('/api/v1/push/subscriptions', ua.subscription(sim.endpoint('alice-a')));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    const [m] = await sim.waitFor('alice-a', 1);
    assert.equal(JSON.parse(ua.decrypt(m.body)).title, 'Bob started following you');
    await until(() => dbQuery(a, 'SELECT count(*) FROM push_queue') === '0', 'the queue to empty');
    assert.equal(sim.messages('alice-a').length, 1, 'sent once');
    // A held the push worker's lease all along, so B's worker never ran a round.
    assert.equal(soleHolder(a), idA);
  });

  test('a signed-out page kept by A shows a like made through B at once (the bump comes over the bus)', async () => {
    const anon = new Client(a);
    const before = await firstPost(anon);
    assert.deepEqual(await firstPost(anon), before); // the kept page
    const fan = new Client(b);
    await fan.signup(email('fan'), PASSWORD, 'Fan');
    assert.equal((await fan.put(`/api/v1/posts/${before.id}/like`)).status, 200);
    // PA_RESPCACHE_MS is 10 minutes: only the bus can end the kept page.
    await until(async () => (await firstPost(anon)).like_count === before.like_count + 1, 'the like on A\'s signed-out page');
  });

  test('a clean stop releases the leases: B takes them all at its next look and runs the jobs', async () => {
    await stopServer(a);
    await until(() => { const h = soleHolder(b); return h && h !== idA; }, 'B to take every lease');
    const idB = soleHolder(b);
    const alice = new Client(b);
    await alice.signup(email('alice'), PASSWORD, 'Alice');
    const bob = new Client(b);
    await bob.signup(email('bob'), PASSWORD, 'Bob');
    const ua = browserKeys();
    assert.equal((await alice.post('/api/v1/push/subscriptions', ua.subscription(sim.endpoint('alice-b')))).status, 200);
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    await sim.waitFor('alice-b', 1);
    assert.equal(soleHolder(b), idB);
  });

  test('a killed holder\'s leases lapse after PA_LEASE_TTL_S and the other process takes them', async () => {
    const idB = soleHolder(b);
    c = await startServer({ root: site, sameDataAs: b, env });
    assert.equal(soleHolder(c), idB, 'B still holds them while it runs');
    await killServer(b);
    await until(() => { const h = soleHolder(c); return h && h !== idB; }, 'C to take every lease');
  });
});

describe('two processes without Redis (the fallback)', () => {
  let site, a, b;
  before(async () => {
    site = await mkdtemp(path.join(os.tmpdir(), 'pa-cluster-jobs-'));
    const env = {
      PA_REDIS_URL: '', PA_LEASE_TTL_S: String(TTL_S), PA_LIMIT_LOGIN_ADDR_BURST: String(BURST),
      PA_LIMIT_LOGIN_ADDR_WINDOW: '86400', PA_RESPCACHE_MS: '600000',
    };
    ({ a, b } = await twoServers(site, env));
  });
  after(async () => {
    if (b) await stopServer(b);
    if (a) await stopServer(a, { keepData: false });
    if (site) await rm(site, { recursive: true, force: true });
  });

  test('each process counts its own sign-in burst', async () => {
    const viaA = new Client(a);
    const viaB = new Client(b, { address: viaA.address });
    for (let i = 0; i < BURST; i++) assertError(await attempt(viaA), 401, 'unauthorized');
    assertError(await attempt(viaA), 429, 'rate_limited');
    for (let i = 0; i < BURST; i++) assertError(await attempt(viaB), 401, 'unauthorized');
    assertError(await attempt(viaB), 429, 'rate_limited');
  });

  test('the leases still have one holder (they live in the database)', () => {
    const h = soleHolder(a);
    assert.match(h ?? '', /^[0-9a-f]{32}$/);
    assert.equal(soleHolder(b), h);
  });

  test('A keeps its signed-out page after a write through B, until a write of its own', async () => {
    const anon = new Client(a);
    const before = await firstPost(anon);
    const fan = new Client(b);
    await fan.signup(email('fan'), PASSWORD, 'Fan');
    assert.equal((await fan.put(`/api/v1/posts/${before.id}/like`)).status, 200);
    assert.equal((await firstPost(new Client(b))).like_count, before.like_count + 1, 'B shows it');
    assert.deepEqual(await firstPost(anon), before, 'A still serves its kept page');
    const own = new Client(a);
    await own.signup(email('own'), PASSWORD, 'Own');
    assert.equal((await firstPost(anon)).like_count, before.like_count + 1);
  });
});
