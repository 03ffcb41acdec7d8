// A cluster for the server tests (web/README.md, "Cluster"): N server
// processes (PA_SERVER_BIN, the native-debug build) on ONE database — the
// test run's engine: one SQLite file (WAL) they all open, or one PostgreSQL
// database — one data folder, one media folder (PA_MEDIA_DIR), one Redis, and
// a real HAProxy in front (scripts/haproxy) sending the PROXY protocol v2,
// which each server trusts from 127.0.0.1 only (PA_PROXY_FROM).
//
//   const c = await startCluster({ servers: 2 });
//   const alice = new Client({ port: c.port });          // through HAProxy
//   const direct = new Client(c.servers[1]);             // one server, from 127.0.0.x (x > 1)
//   await c.servers[0].kill('SIGTERM'); await c.waitState(1, 'DOWN');
//   await c.servers[0].start(); await c.waitState(1, 'UP');
//   await c.stop();
//
// A client on 127.0.0.1 must come through HAProxy (a server closes a
// connection from 127.0.0.1 that does not begin with a PROXY header); the
// test Client's own addresses are 127.0.0.2 and up, so it may talk to a
// server directly too: each server answers for HAProxy's origin (the first:
// links) and its own.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNoSanitizerReports, startServer, stopServer } from '../server/helpers.mjs';
import { dropDatabase } from './pg.mjs';
import { startRedis } from './redis.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HAPROXY_SCRIPT = path.join(repoRoot, 'scripts/haproxy');
const STATE_WAIT_MS = 20_000; // a state change: HAProxy checks every 500 ms, 2 misses mark DOWN
const STATE_POLL_MS = 100;

// A port nothing listens on now (the kernel's pick; free again once closed).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${file} ${args.join(' ')}: ${e.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Resolves once cond() is true (checked every STATE_POLL_MS); fails after STATE_WAIT_MS naming what (a string or a function giving one). */
async function until(cond, what) {
  const end = Date.now() + STATE_WAIT_MS;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited ${STATE_WAIT_MS} ms for ${typeof what === 'function' ? what() : what}`);
    await new Promise((res) => setTimeout(res, STATE_POLL_MS));
  }
}

/** One command on HAProxy's admin socket (DIR/admin.sock); resolves with its answer. */
export function haproxyCommand(dir, command) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path.join(dir, 'admin.sock'));
    let out = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(`${command}\n`);
  });
}

// srv_op_state in `show servers state` (HAProxy's enum srv_state).
const OP_STATES = { 0: 'DOWN', 1: 'STARTING', 2: 'UP', 3: 'STOPPING' };

/** Each server's state as HAProxy sees it: { s1: 'UP', s2: 'DOWN', ... }. */
export async function haproxyStates(dir) {
  const text = await haproxyCommand(dir, 'show servers state servers');
  const out = {};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // be_id be_name srv_id srv_name srv_addr srv_op_state ...
    if (f.length > 5 && f[1] === 'servers') out[f[3]] = OP_STATES[f[5]] ?? `state ${f[5]}`;
  }
  return out;
}

/**
 * Starts the cluster. env goes to every server (after the cluster's own:
 * PA_PROXY_FROM, PA_MEDIA_DIR, PA_REDIS_URL); redis: false runs without
 * Redis (every shared piece in-process); seed: 'small' starts from the small
 * demo world (default: an empty one). Resolves with
 * { url, port, servers: [{port, pid, url, kill(signal), start(), server}],
 *   redisUrl, haproxy: {dir, states(), command(text)}, waitState(k, state), stop() }.
 */
export async function startCluster({ servers: n = 2, env = {}, redis = true, seed = false } = {}) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-cluster-'));
  const hpDir = path.join(tmp, 'haproxy');
  const media = path.join(tmp, 'media');
  const hp = await freePort();
  const ports = [];
  while (ports.length < n) {
    const p = await freePort();
    if (p !== hp && !ports.includes(p)) ports.push(p);
  }
  const r = redis ? await startRedis() : null;
  const shared = {
    PA_PROXY_FROM: '127.0.0.1',
    PA_MEDIA_DIR: media,
    ...(r ? { PA_REDIS_URL: r.url } : {}),
    ...env,
  };
  // With PA_DRAIN_MS a SIGTERM only starts the drain (web/README.md, "Cluster"):
  // a clean stop is a SIGTERM, the drain seen in the log, then stopServer's
  // SIGTERM (two at once could arrive as one pending signal).
  const draining = Number(shared.PA_DRAIN_MS ?? 0) > 0;
  async function stopClean(s) {
    if (draining && !s.exit && !s.stderr.includes('draining for')) {
      s.child.kill('SIGTERM');
      await until(() => s.stderr.includes('draining for') || s.exit, `the drain of ${s.url}`);
    }
    return stopServer(s);
  }
  const argsFor = (p) => ['--port', String(p), '--origin', `http://127.0.0.1:${hp}`, '--origin', `http://127.0.0.1:${p}`];
  const members = [];
  let haproxyUp = false;

  const cluster = {
    url: `http://127.0.0.1:${hp}`,
    port: hp,
    servers: members,
    redisUrl: r?.url ?? null,
    haproxy: {
      dir: hpDir,
      states: () => haproxyStates(hpDir),
      command: (text) => haproxyCommand(hpDir, text),
    },
    /** Waits until HAProxy holds server k (1-based, as s1, s2 ...) in state ('UP', 'DOWN'). */
    async waitState(k, state) {
      let seen;
      await until(async () => (seen = (await haproxyStates(hpDir))[`s${k}`]) === state, () => `HAProxy to see s${k} ${state} (last: ${seen})`);
    },
    async stop() {
      const problems = [];
      if (haproxyUp) await run(HAPROXY_SCRIPT, ['stop', hpDir]).catch((e) => problems.push(e.message));
      // The folder and database outlive every process: removed after the last.
      for (const m of members) if (m.server) await stopClean(m.server).catch((e) => problems.push(e.message));
      if (r) await r.stop().catch((e) => problems.push(e.message));
      if (data?.database) await dropDatabase(data.database).catch((e) => problems.push(e.message));
      if (data?.tmp) await rm(data.tmp, { recursive: true, force: true });
      await rm(tmp, { recursive: true, force: true });
      if (problems.length) throw new Error(`cluster did not stop cleanly:\n${problems.join('\n')}`);
    },
  };

  function member(p, boot) {
    const m = {
      port: p,
      server: null,
      get pid() { return m.server?.child.pid; },
      get url() { return `http://127.0.0.1:${p}/`; },
      /** Ends this server: SIGTERM (after its drain, if one was under way or configured) checks a
       * clean exit; any other signal (SIGKILL) only sanitizer reports. */
      async kill(signal = 'SIGTERM') {
        const s = m.server;
        if (!s) return;
        m.server = null;
        if (signal === 'SIGTERM') return stopClean(s);
        s.child.kill(signal);
        await s.exited;
        await stopServer(s).catch(() => {}); // it did not exit cleanly, by design; forgotten by the harness
        assertNoSanitizerReports(s.stderr);
      },
      /** Starts it again on the same port and data (after kill). */
      async start() {
        if (m.server) throw new Error(`server on ${p} is running`);
        m.server = await boot();
      },
    };
    return m;
  }

  let data = null; // the first server process: its folder, database and tmp
  const launch = (p) => () => startServer({ sameDataAs: data, env: shared, args: argsFor(p) });
  try {
    // One first: it migrates the schema (and makes the data folder's keys);
    // the others start once it listens, so no two race a migration.
    const first = member(ports[0], launch(ports[0]));
    first.server = await startServer({ seed, env: shared, args: argsFor(ports[0]) });
    members.push(first);
    data = { ...first.server, tmp: first.server.tmp };
    first.server.tmp = null; // removed by cluster.stop, whichever process holds the folder then
    // A seeded world's pictures were stored in the folder's own media/.
    if (seed) await cp(path.join(data.dir, 'media'), media, { recursive: true });
    for (const p of ports.slice(1)) members.push(member(p, launch(p)));
    await Promise.all(members.slice(1).map((m) => m.start()));
    await run(HAPROXY_SCRIPT, ['start', hpDir, '--servers', ports.map((p) => `127.0.0.1:${p}`).join(','),
      '--port', String(hp), '--owner', String(process.pid)]);
    haproxyUp = true;
    for (let k = 1; k <= n; k++) await cluster.waitState(k, 'UP');
  } catch (e) {
    await cluster.stop().catch(() => {});
    throw e;
  }
  return cluster;
}
