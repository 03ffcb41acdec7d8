// What the two chat load clients share: ws.mjs (one server process,
// `scripts/bench-server ws`) and cluster.mjs (a cluster behind HAProxy, one
// process killed, `scripts/bench-cluster`). Both drive the same protocol from
// the same world file on the same schedule, so they open, pace, ping, count
// and print the same way; what differs (RSS, reconnects, the outbox) stays in
// each file. Only pieces both really use live here: a change to one of them
// changes both benchmarks' figures.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const CONNECT_PARALLEL = 100; // handshakes in flight at once
export const HANDSHAKE_MS = 20_000; // per socket, to the hello frame
export const CLOSE_MS = 10_000;
export const SETTLE_MS = 2_000; // after connecting, before the next phase
export const PING_MS = 25_000; // shell/chat/socket.js
export const PING_TICK_MS = 100; // sockets are pinged in turn, PING_MS / PING_TICK_MS slots
export const GIVE_UP = 100; // failed first connects after which no more are tried: the run is void anyway
export const SERVER_SEND_PER_SECOND = 2; // chat_relay.c's per-socket send rate (SEND_PER_SECOND)
const SCHEDULE_TICK_MS = 2; // how often the pacer looks at the clock
const DRAIN_POLL_MS = 100;
const ADDRESSES_MAX = 250 * 250; // 127.1.0.1 .. 127.1.249.250

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
export const int = (v) => v.toLocaleString('en-US');
export const loadAverage = () => loadavg().map((v) => v.toFixed(2)).join(' ');

// fail(msg): the message under the client's name, exit status 2 (bad
// arguments or an aborted run, as both clients document).
export function failWith(name) {
  return (msg) => {
    console.error(`bench ${name}: ${msg}`);
    process.exit(2);
  };
}

export function intArg(opt, name, [lo, hi], fail) {
  const text = opt[name];
  const v = Number(text);
  if (!/^\d+$/.test(text ?? '') || v < lo || v > hi) fail(`--${name} must be ${lo}..${hi}, got ${text}`);
  return v;
}

// Only loopback: the benchmarks open thousands of sockets.
export function loopbackTarget(url, fail) {
  const base = new URL(url ?? fail('--url is required'));
  if (base.protocol !== 'http:' || base.hostname !== '127.0.0.1') fail(`refusing a non-loopback URL: ${url}`);
  return {
    wsUrl: (device) => `ws://127.0.0.1:${base.port}/api/v1/chat/socket?device=${device}`,
    origin: `http://127.0.0.1:${base.port}`,
  };
}

// One client per device, in the world's order (an account's devices are
// adjacent), each { user, device, session, localAddress, ...extra() }.
// Sockets go from many loopback source addresses, at most perAddr each,
// because the server caps connections per address.
export function loadClients(file, count, perAddr, fail, extra = () => ({})) {
  const addresses = Math.ceil(count / perAddr);
  if (addresses > ADDRESSES_MAX) fail('too many source addresses');
  // 127.1.0.1, 127.1.0.2, ...: Linux routes all of 127.0.0.0/8 to lo.
  const localAddress = (i) => {
    const a = Math.floor(i / perAddr);
    return `127.1.${Math.floor(a / 250)}.${(a % 250) + 1}`;
  };
  const world = readFileSync(file ?? fail('--world is required'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const clients = [];
  for (const u of world)
    for (const d of u.devices)
      if (clients.length < count)
        clients.push({ user: u.user, device: d, session: u.session, localAddress: localAddress(clients.length), ...extra() });
  if (clients.length < count) fail(`the world has ${clients.length} devices, fewer than --clients ${count}`);
  const users = new Set(clients.map((c) => c.user)).size;
  if (users < 2) fail('messages need at least two accounts');
  return { clients, users, addresses };
}

// A small seeded generator (mulberry32): the same pairs every run.
export function rng(seed) {
  let a = seed || 1;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// from[k], to[k]: message k's sender and recipient, clients of two different
// accounts, drawn with the seed.
export function randomPairs(clients, seed, from, to) {
  const pick = rng(seed);
  const n = clients.length;
  for (let k = 0; k < from.length; k++) {
    const s = Math.floor(pick() * n);
    let r;
    do r = Math.floor(pick() * n);
    while (clients[r].user === clients[s].user);
    from[k] = s;
    to[k] = r;
  }
}

// The message number k of a client id `${tag}_${k}`, -1 for anything else.
export function messageNumbers(tag, total) {
  return (cid) => {
    if (typeof cid !== 'string' || !cid.startsWith(`${tag}_`)) return -1;
    const k = Number(cid.slice(tag.length + 1));
    return Number.isInteger(k) && k >= 0 && k < total ? k : -1;
  };
}

// Opens client c's socket (c.ws) to target (loopbackTarget's) and resolves
// when the relay said hello (the socket is registered), rejects with what
// the server or the balancer answered instead. Every other frame goes to
// onFrame(f, afterHello); a close after the hello to onDrop(code).
export function openChat(c, target, { deflate, counts, onHello = () => {}, onFrame, onDrop = () => {} }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.wsUrl(c.device), {
      headers: { Cookie: `pa_session=${c.session}` },
      origin: target.origin,
      localAddress: c.localAddress,
      perMessageDeflate: deflate,
      handshakeTimeout: HANDSHAKE_MS,
    });
    c.ws = ws;
    let hello = false;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no hello frame in time')); }, HANDSHAKE_MS);
    ws.on('message', (data) => {
      let f;
      try {
        f = JSON.parse(data.toString());
      } catch {
        return void counts.strayFrames++;
      }
      if (!hello && f.type === 'hello') {
        hello = true;
        clearTimeout(timer);
        if (f.device !== c.device || f.user !== c.user) counts.misrouted++;
        onHello();
        return resolve();
      }
      onFrame(f, hello);
    });
    ws.on('unexpected-response', (req, res) => { clearTimeout(timer); ws.terminate(); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (!hello) return reject(new Error(`closed ${code} before hello`));
      onDrop(code);
    });
  });
}

// A connect error without the addresses in it, so that failures group.
export const failureReason = (e) => e.message.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR');

// Keep-alive pings through the whole run, spread evenly over the sockets
// (ready(c): the socket said hello and is still up). Returns the interval.
export function startPings(clients, counts, ready) {
  const slots = PING_MS / PING_TICK_MS;
  let pingTick = 0;
  return setInterval(() => {
    const slot = pingTick++ % slots;
    for (let ci = slot; ci < clients.length; ci += slots) {
      const c = clients[ci];
      if (ready(c) && c.ws?.readyState === WebSocket.OPEN) {
        c.ws.send('{"type":"ping"}');
        counts.pings++;
      }
    }
  }, PING_TICK_MS);
}

// Connects clients 0..count-1 in order, CONNECT_PARALLEL at a time, until
// budgetMs has passed or GIVE_UP have failed; connect(ci) is one socket.
export async function connectAll(count, budgetMs, connect) {
  const start = performance.now();
  const failures = {};
  let connected = 0;
  let nFailed = 0;
  let next = 0;
  const deadline = start + budgetMs;
  const worker = async () => {
    while (next < count && performance.now() < deadline && nFailed < GIVE_UP) {
      const ci = next++;
      try {
        await connect(ci);
        connected++;
      } catch (e) {
        const why = failureReason(e);
        failures[why] = (failures[why] ?? 0) + 1;
        nFailed++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_PARALLEL }, worker));
  return { connected, nFailed, failures, connectSecs: (performance.now() - start) / 1000 };
}

export function printGaveUp({ nFailed }) {
  if (nFailed >= GIVE_UP) console.log(`   gave up after ${GIVE_UP} failed sockets`);
}

export function printFailures({ failures }) {
  for (const [why, n] of Object.entries(failures)) console.log(`   failed: ${int(n)} × ${why}`);
}

// Messages 0..total-1 at rate per second on a fixed schedule (not as fast as
// possible): send(k) when k is due, onTick(now, t0) first at every tick.
// Resolves with how many were sent and how far behind schedule the client
// fell at most (ms).
export function paced(total, rate, send, onTick = () => {}) {
  let scheduled = 0;
  let maxLag = 0;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      onTick(now, t0);
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      for (; scheduled < due; scheduled++) {
        maxLag = Math.max(maxLag, now - (t0 + (scheduled * 1000) / rate));
        send(scheduled);
      }
      if (scheduled >= total) {
        clearInterval(timer);
        resolve({ scheduled, maxLag });
      }
    }, SCHEDULE_TICK_MS);
  });
}

// Waits until settled() or for at most limitMs.
export async function drain(settled, limitMs) {
  const end = performance.now() + limitMs;
  while (performance.now() < end && !settled()) await sleep(DRAIN_POLL_MS);
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Closes every socket, waits CLOSE_MS at most, then cuts what is left.
export async function closeAll(clients) {
  await Promise.race([
    Promise.all(clients.filter((c) => c.ws && c.ws.readyState !== WebSocket.CLOSED).map((c) => new Promise((r) => { c.ws.once('close', r); c.ws.close(1000); }))),
    sleep(CLOSE_MS),
  ]);
  for (const c of clients) if (c.ws && c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
}

// The client's own delays are in every latency it measures: say so when they
// were large enough to matter.
export function printIfLate(scheduled, maxLag, lagP99) {
  if (scheduled && (maxLag > 50 || lagP99 > 20))
    console.log(`   warning: the client itself was late (behind schedule ${ms(maxLag)} ms, event loop p99 ${ms(lagP99)} ms; load average ${loadavg()[0].toFixed(1)}): the latencies include its delays`);
}

// How long the first connects may take in all: a fixed part for a slow start,
// and a share per socket.
export const connectBudget = (count) => 30_000 + count * 20;

// The whole run's bound: past it the process exits (status 2) by itself.
export function boundRun(boundMs, fail) {
  setTimeout(() => fail(`aborted: the run passed its ${Math.round(boundMs / 1000)} s bound`), boundMs).unref();
}
