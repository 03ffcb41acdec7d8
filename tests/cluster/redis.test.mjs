// Redis for a cluster (issue 25, web/src/redis/): the library against a real
// redis-server (scripts/redis), driven through `petamigos-server redis ...`
// processes — each one its own node, as a cluster's servers are — and the
// server itself with PA_REDIS_URL: refusing a bad one, two servers on the
// same data and database with one Redis, Redis lost and back mid-run.
// What the bus and presence carry for chat, live and jobs is tested by those
// features' own files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN, Client, DATABASE, assertNoSanitizerReports, email, startServer, stopServer } from '../server/helpers.mjs';
import { startRedis } from '../lib/redis.mjs';
import { ROOT } from '../lib/paths.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/redis');
// The limits of web/src/redis/ (redis.h, redis_internal.h, bus.h, presence.h).
const PA_REDIS_URL_MAX = 256, PA_REDIS_PATH_MAX = 104, PA_REDIS_HOST_MAX = 128, PA_REDIS_DB_MAX = 9999;
const PA_BUS_CHANNEL_MAX = 96, PA_BUS_PAYLOAD_MAX = 64 * 1024;
const TTL_S = 3; // PA_PRESENCE_TTL_S for these tests (the lowest the server takes)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

/** One `petamigos-server redis ...` to its end: {code, stdout, stderr}, sanitizer-clean. */
async function cli(args, env = {}) {
  const out = await run(BIN, ['redis', ...args], { env: { ...process.env, PA_REDIS_URL: redis.url, ...env }, maxBuffer: 1 << 20 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((e) => ({ code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  assertNoSanitizerReports(out.stderr);
  return out;
}

/** Waits (bounded) until cond() is true; fails with what() when it never is. */
async function until(cond, what, ms = 15_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await cond()) return;
  assert.fail(`still not so after ${ms} ms: ${typeof what === 'function' ? what() : what}`);
}

/** A long-running `redis listen ...`: {lines(), stderr(), node, stop(), kill()}. */
async function listen(args, env = {}) {
  const child = spawn(BIN, ['redis', 'listen', ...args], {
    env: { ...process.env, PA_REDIS_URL: redis.url, PA_PRESENCE_TTL_S: String(TTL_S), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const l = { out: '', err: '', exit: null };
  child.stdout.setEncoding('utf8').on('data', (c) => (l.out += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (l.err += c));
  l.exited = new Promise((r) => child.on('exit', (code, signal) => r((l.exit = { code, signal }))));
  l.lines = () => l.out.split('\n').filter(Boolean).slice(1);
  l.stderr = () => l.err;
  await until(() => /^listening [0-9a-f]{32}\n/.test(l.out) || l.exit, () => `listen ${args}: ${l.err}`);
  assert.equal(l.exit, null, l.err);
  l.node = l.out.slice(10, 42);
  l.stop = async () => {
    child.kill('SIGTERM');
    const { code } = await l.exited;
    assert.equal(code, 0, l.err);
    assertNoSanitizerReports(l.err);
  };
  l.kill = async () => {
    child.kill('SIGKILL');
    await l.exited;
  };
  after(() => l.exit || child.kill('SIGKILL'));
  return l;
}

test('scripts/redis: a throwaway Redis on loopback, nothing persisted, reused while it runs, removed by stop', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-redis-script-'));
  const r = path.join(dir, 'r');
  const { stdout } = await run(SCRIPT, ['start', r, '--owner', String(process.pid)]);
  const url = stdout.trim();
  assert.match(url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await run(SCRIPT, ['start', r])).stdout.trim(), url, 'a running one is reused');
  const conf = await readFile(path.join(r, 'redis.conf'), 'utf8');
  for (const line of ['bind 127.0.0.1', 'protected-mode yes', 'save ""', 'appendonly no', `dir ${r}`])
    assert.ok(conf.split('\n').includes(line), `${line} in:\n${conf}`);
  assert.equal((await cli(['check'], { PA_REDIS_URL: url })).code, 0);
  await run(SCRIPT, ['stop', r]);
  await assert.rejects(readFile(path.join(r, 'redis.conf')), 'stop removes the folder');
  assert.notEqual((await cli(['check'], { PA_REDIS_URL: url })).code, 0, 'and the Redis');
  // A folder it did not make is left alone.
  const other = path.join(dir, 'other');
  await mkdir(other);
  await writeFile(path.join(other, 'keep'), 'x');
  await assert.rejects(run(SCRIPT, ['stop', other]), /holds no Redis made by scripts\/redis/);
  await assert.rejects(run(SCRIPT, ['start', other]), /holds no Redis made by scripts\/redis/);
  assert.equal(await readFile(path.join(other, 'keep'), 'utf8'), 'x');
  await rm(dir, { recursive: true, force: true });
});

test('redis check: PING, a publish/subscribe round trip and presence, over TCP and the unix socket', async () => {
  for (const url of [redis.url, `${redis.url}/3`, redis.socket]) {
    const r = await cli(['check'], { PA_REDIS_URL: url });
    assert.equal(r.code, 0, `${url}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, 'ping: ok\npubsub: ok\npresence: ok\n', url);
  }
});

test('PA_REDIS_URL: malformed is exit 2 with the reason (never the URL), unset 4, nobody listening 1', async () => {
  const bad = [
    ['http://127.0.0.1:6379', /must be redis:\/\/HOST:PORT\[\/DB\] or unix:/],
    ['redis://', /names no host/],
    ['redis://127.0.0.1:0', /port must be 1\.\.65535/],
    ['redis://127.0.0.1:65536', /port must be 1\.\.65535/],
    ['redis://127.0.0.1:6379/x', /database after \/ must be a number/],
    [`redis://127.0.0.1:6379/${PA_REDIS_DB_MAX + 1}`, /database after \/ must be a number 0\.\.9999/],
    ['redis://someone:s3cret-pw@127.0.0.1:6379', /a user or password in the URL is not supported/],
    ['redis://127.0.0.1:63 79', /space, a control/],
    ['redis://[::1:6379', /closing \]/],
    ['unix:relative/redis.sock', /absolute socket path/],
    [`unix:/${'a'.repeat(PA_REDIS_PATH_MAX - 1)}`, /socket path is longer than 103 bytes/],
    [`redis://${'h'.repeat(PA_REDIS_HOST_MAX)}:6379`, /host is longer than 127 bytes/],
    [`unix:/${'a'.repeat(PA_REDIS_URL_MAX - 6)}`, /longer than 255 bytes/],
  ];
  const good = [
    ['redis://127.0.0.1:6379', 'ok 127.0.0.1 6379 - 0'],
    ['redis://cache.internal', 'ok cache.internal 6379 - 0'],
    ['redis://[::1]:7000/2', 'ok ::1 7000 - 2'],
    [`redis://10.0.0.1:65535/${PA_REDIS_DB_MAX}`, `ok 10.0.0.1 65535 - ${PA_REDIS_DB_MAX}`],
    [`redis://${'h'.repeat(PA_REDIS_HOST_MAX - 1)}:1`, `ok ${'h'.repeat(PA_REDIS_HOST_MAX - 1)} 1 - 0`],
    [`unix:/${'a'.repeat(PA_REDIS_PATH_MAX - 2)}`, `ok - 0 /${'a'.repeat(PA_REDIS_PATH_MAX - 2)} 0`],
  ];
  // The parser's rules through one process (redis parse), then the server's exit for one.
  const parsed = await cli(['parse', ...bad.map(([u]) => u), ...good.map(([u]) => u)]);
  assert.equal(parsed.code, 0, parsed.stderr);
  const lines = parsed.stdout.split('\n').slice(0, -1);
  assert.equal(lines.length, bad.length + good.length);
  bad.forEach(([url, why], i) => {
    assert.match(lines[i], /^error /, url);
    assert.match(lines[i], why, url);
  });
  good.forEach(([url, want], i) => assert.equal(lines[bad.length + i], want, url));
  assert.ok(!parsed.stdout.includes('s3cret'), 'the password is not repeated');
  const malformed = await cli(['check'], { PA_REDIS_URL: 'redis://someone:s3cret-pw@127.0.0.1:6379' });
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /PA_REDIS_URL: a user or password in the URL is not supported/);
  assert.ok(!malformed.stderr.includes('s3cret'));
  // At the limits, the parse passes: what follows is the connection's answer.
  const edge = [
    [`unix:/${'a'.repeat(PA_REDIS_PATH_MAX - 2)}`, /cannot reach Redis at unix:\/a+: No such file or directory/],
    [`${redis.url}/${PA_REDIS_DB_MAX}`, /SELECT 9999 failed: ERR DB index is out of range/],
    ['redis://127.0.0.1:1', /cannot reach Redis at 127\.0\.0\.1:1: Connection refused/],
  ];
  for (const [url, why] of edge) {
    const r = await cli(['check'], { PA_REDIS_URL: url });
    assert.equal(r.code, 1, `${url}: ${r.stderr}`);
    assert.match(r.stderr, why, url);
  }
  const unset = await cli(['check'], { PA_REDIS_URL: '' });
  assert.equal(unset.code, 4);
  assert.match(unset.stderr, /PA_REDIS_URL is not set/);
});

test('the bus: other processes get a message, the publisher does not; prefixes pick channels; limits at their edges', async () => {
  const echo = await listen(['--echo', 'test.']);
  const other = await listen(['test.']);
  assert.notEqual(echo.node, other.node, 'each process is its own node');
  assert.equal((await cli(['publish', 'test.ping', 'hello'])).code, 0);
  // echo publishes test.ping.echo on its own: other gets it, echo itself does not.
  await until(() => other.lines().length === 2, () => other.out);
  assert.deepEqual(other.lines(), ['message test.ping hello', 'message test.ping.echo hello']);
  assert.equal((await cli(['publish', 'elsewhere.x', 'not for test.'])).code, 0);
  assert.equal((await cli(['publish', 'test.end', 'bye'])).code, 0);
  await until(() => echo.lines().includes('message test.end bye'), () => echo.out);
  assert.deepEqual(echo.lines(), ['message test.ping hello', 'message test.end bye']);
  await until(() => other.lines().length === 4, () => other.out);
  assert.deepEqual(other.lines().slice(2), ['message test.end bye', 'message test.end.echo bye']);

  // Channel and payload at their limits: the largest go through, one more is refused.
  const ch = `test.${'c'.repeat(PA_BUS_CHANNEL_MAX - 1 - 5)}`;
  assert.equal((await cli(['publish', ch, 'x'])).code, 0);
  const long = await cli(['publish', `${ch}c`, 'x']);
  assert.equal(long.code, 1);
  assert.match(long.stderr, /publish refused: a channel of 96 bytes/);
  assert.equal((await cli(['publish', 'test.big', 'p'.repeat(PA_BUS_PAYLOAD_MAX)])).code, 0);
  const big = await cli(['publish', 'test.big', 'p'.repeat(PA_BUS_PAYLOAD_MAX + 1)]);
  assert.equal(big.code, 1);
  assert.match(big.stderr, /65537 bytes is over 65536/);
  assert.ok(!big.stderr.includes('ppp'), 'no payload in the log');
  await until(() => other.lines().includes(`message test.big (${PA_BUS_PAYLOAD_MAX} bytes)`), () => other.out);
  assert.ok(other.lines().includes(`message ${ch} x`));
  assert.ok(!other.lines().some((l) => l.includes(`${ch}c`)));
  await echo.stop();
  await other.stop();
});

test('presence: the cluster total; a stopped process withdraws at once, a killed one is forgotten after the TTL', async () => {
  const key = `user:${process.pid}`;
  const count = async () => {
    const r = await cli(['count', key]);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout);
  };
  assert.equal(await count(), 0);
  const a = await listen(['--hold', `${key}=3`, 'none.']);
  const b = await listen(['--hold', `${key}=2`, '--hold', `other:${process.pid}=1`, 'none.']);
  await until(async () => (await count()) === 5, 'a and b together');
  await b.stop();
  assert.equal(await count(), 3, 'b withdrew its counts as it stopped');
  await a.kill();
  assert.equal(await count(), 3, "a's report stands until it expires");
  await until(async () => (await count()) === 0, `a forgotten ${TTL_S} s after its last report`, TTL_S * 1000 + 5_000);
  const bad = await listen(['--hold', `${key}=1`, 'none.'], { PA_PRESENCE_TTL_S: '2' }).catch((e) => e);
  assert.match(String(bad.message), /PA_PRESENCE_TTL_S must be a whole number 3\.\.30/);
});

test('Redis lost mid-run: logged once, the process goes on alone, then subscribes again and resyncs', async () => {
  const l = await listen(['test.']);
  await redis.kill();
  await until(() => /"component":"bus","msg":"subscriber lost Redis/.test(l.stderr()), () => l.stderr());
  // While Redis is away, publishing fails (logged), the listener keeps trying.
  const away = await cli(['publish', 'test.lost', 'x']);
  assert.equal(away.code, 1);
  await redis.restart();
  await until(() => l.lines().includes('resync'), () => l.out + l.stderr());
  assert.equal(l.stderr().match(/subscriber lost Redis/g).length, 1, 'one warning for the whole outage');
  assert.match(l.stderr(), /Redis answers again/);
  assert.equal((await cli(['publish', 'test.back', 'y'])).code, 0);
  await until(() => l.lines().includes('message test.back y'), () => l.out);
  assert.ok(!l.lines().includes('message test.lost x'));
  await l.stop();
});

test('the server refuses a malformed PA_REDIS_URL (2) and a Redis that does not answer (1), saying why', async () => {
  await assert.rejects(startServer({ seed: false, env: { PA_REDIS_URL: 'redis://127.0.0.1:99999' } }),
    /server exited \(2\)[\s\S]*PA_REDIS_URL: the port must be 1\.\.65535/);
  await assert.rejects(startServer({ seed: false, env: { PA_REDIS_URL: 'redis://127.0.0.1:1' } }),
    /server exited \(1\)[\s\S]*cannot reach Redis at 127\.0\.0\.1:1: Connection refused/);
});

test('two servers on one data folder and database with one Redis: each its own node, one world; Redis lost and back', async () => {
  const env = { PA_REDIS_URL: redis.url, PA_PRESENCE_TTL_S: String(TTL_S) };
  const a = await startServer({ seed: false, env }); // an empty world: no template to seed
  const b = await startServer({ sameDataAs: a, env });
  assert.notEqual(a.port, b.port);
  assert.equal(b.dir, a.dir);
  assert.equal(b.database, a.database);
  assert.equal(Boolean(a.database), DATABASE === 'postgresql', "the pass's engine");
  // Both subscribe to the bus, each on a connection of its own.
  const subscribers = async () => {
    const { stdout } = await run('redis-cli', ['-u', redis.url, 'CLIENT', 'LIST']);
    return stdout.split('\n').filter((l) => / psub=1 /.test(l)).length;
  };
  assert.equal(await subscribers(), 2);
  // One world: who signs up through a logs in through b.
  const who = email('cluster');
  await new Client(a).signup(who);
  const onB = new Client(b);
  await onB.login(who, 'correct horse battery');
  // Redis goes away: both keep serving, log it, and subscribe again when it is back.
  await redis.kill();
  await until(() => /subscriber lost Redis/.test(a.stderr) && /subscriber lost Redis/.test(b.stderr), 'both noticed');
  assert.equal((await onB.get('/api/v1/auth/sessions')).status, 200);
  await redis.restart();
  await until(() => /subscribed again after a gap/.test(a.stderr) && /subscribed again after a gap/.test(b.stderr), 'both back');
  assert.equal(await subscribers(), 2);
  await stopServer(b);
  await stopServer(a, { keepData: false });
});
