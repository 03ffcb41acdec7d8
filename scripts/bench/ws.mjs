// The chat relay under load, from one Node process (npm `ws`), against one
// server process on loopback:
//   1. RSS of the server (VmRSS, /proc/PID/status) before any socket and with
//      CLIENTS chat sockets connected (each a device of a signed-in account,
//      hello frame received) -> MB per 1,000 sockets;
//   2. RATE messages/s for SECONDS on a fixed schedule (not as fast as
//      possible), each from a random connected device to a random device of
//      another account: delivery latency (send -> the recipient's msg frame)
//      p50/p99, and counts per client message id: sent (the server's "sent"),
//      delivered (msg frames), receipts ("delivered" frames), lost,
//      duplicated. Recipients ack every msg and senders every receipt, and
//      every socket pings every 25 s, as the shell does (shell/chat/), so the
//      relay does its whole job.
// Bounded: every phase has a deadline and the process exits by itself.
// Sockets go from many loopback source addresses (127.1.x.y, at most
// PER_ADDR each), because the server caps connections per address.
//
// usage: node scripts/bench/ws.mjs --url http://127.0.0.1:PORT --pid PID
//          --world FILE [--clients 10000] [--rate 1000] [--seconds 30]
//          [--per-addr 200] [--body 256] [--deflate offer|off] [--seed 1]
//          [--summary FILE]
// --world: petamigos-bench-world's JSON lines (users, sessions, devices);
// --deflate: offer permessage-deflate as browsers do (default), or not;
// --seed: of the random pairs; --summary: where the README row is written.
// Exit status: 0 when every socket connected and stayed, and every message
// was accepted and delivered exactly once, to its recipient; 1 otherwise (the
// figures are printed either way); 2 for bad arguments or an aborted run.
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const LIMITS = {
  clients: [1, 20000], // the machine's open-files limit is 20,000
  rate: [1, 20000],
  seconds: [1, 300],
  perAddr: [1, 250],
  body: [1, 65536],
};
const CONNECT_PARALLEL = 100; // handshakes in flight at once
const HANDSHAKE_MS = 20_000; // per socket, to the hello frame
const DRAIN_MS = 15_000; // after the last send, for msg and receipt frames
const CLOSE_MS = 10_000;
const SETTLE_MS = 2_000; // before reading RSS with every socket open
const PING_MS = 25_000; // shell/chat/socket.js
const PING_TICK_MS = 100; // sockets are pinged in turn, PING_MS / PING_TICK_MS slots
const GIVE_UP = 100; // failed sockets after which no more are tried: the run is void anyway
const SERVER_SEND_PER_SECOND = 2; // srv_chat.c's per-socket send rate (SEND_PER_SECOND)

function fail(msg) {
  console.error(`bench ws: ${msg}`);
  process.exit(2);
}

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    pid: { type: 'string' },
    world: { type: 'string' },
    clients: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'per-addr': { type: 'string', default: '200' },
    body: { type: 'string', default: '256' },
    deflate: { type: 'string', default: 'offer' },
    summary: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

function intArg(name, [lo, hi]) {
  const text = opt[name];
  const v = Number(text);
  if (!/^\d+$/.test(text ?? '') || v < lo || v > hi) fail(`--${name} must be ${lo}..${hi}, got ${text}`);
  return v;
}
const CLIENTS = intArg('clients', LIMITS.clients);
const RATE = intArg('rate', LIMITS.rate);
const SECONDS = intArg('seconds', LIMITS.seconds);
const PER_ADDR = intArg('per-addr', LIMITS.perAddr);
const BODY = intArg('body', LIMITS.body);
const SEED = Number(opt.seed) >>> 0;
if (!['offer', 'off'].includes(opt.deflate)) fail('--deflate must be offer or off');
const base = new URL(opt.url ?? fail('--url is required'));
if (base.protocol !== 'http:' || base.hostname !== '127.0.0.1') fail(`refusing a non-loopback URL: ${opt.url}`);
const PID = Number(opt.pid);
if (!Number.isInteger(PID) || PID < 1) fail('--pid must be the server process id');
const wsUrl = (device) => `ws://127.0.0.1:${base.port}/api/v1/chat/socket?device=${device}`;
const origin = `http://127.0.0.1:${base.port}`;

// One client per device, in the world's order; an account's devices are adjacent.
const world = readFileSync(opt.world ?? fail('--world is required'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const clients = [];
for (const u of world) for (const d of u.devices) if (clients.length < CLIENTS) clients.push({ user: u.user, device: d, session: u.session });
if (clients.length < CLIENTS) fail(`the world has ${clients.length} devices, fewer than --clients ${CLIENTS}`);
const users = new Set(clients.map((c) => c.user)).size;
if (users < 2) fail('messages need at least two accounts');
const addresses = Math.ceil(CLIENTS / PER_ADDR);
if (addresses > 250 * 250) fail('too many source addresses');
// 127.1.0.1, 127.1.0.2, ...: Linux routes all of 127.0.0.0/8 to lo.
const localAddress = (i) => {
  const a = Math.floor(i / PER_ADDR);
  return `127.1.${Math.floor(a / 250)}.${(a % 250) + 1}`;
};

function rssKiB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${PID}/status`, 'utf8'));
  if (!m) fail(`no VmRSS for process ${PID}`);
  return Number(m[1]);
}
const mb = (kib) => kib / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A small seeded generator (mulberry32): the same pairs every run.
function rng(seed) {
  let a = seed || 1;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- per-message state, indexed by the message number k (cid = tag_k)
const TOTAL = RATE * SECONDS;
const tag = `b${randomBytes(4).toString('hex')}`;
const from = new Int32Array(TOTAL);
const to = new Int32Array(TOTAL);
const sentAt = new Float64Array(TOTAL); // performance.now() at ws.send, 0 when not sent
const latency = new Float64Array(TOTAL);
const sentAck = new Uint8Array(TOTAL); // the server's "sent"
const got = new Uint16Array(TOTAL); // msg frames for k at its recipient
const receipts = new Uint16Array(TOTAL); // "delivered" frames for k at its sender
const refused = new Uint8Array(TOTAL); // an error frame named k
const counts = { misrouted: 0, serverDup: 0, unsent: 0, closedEarly: 0, strayFrames: 0, pings: 0, pongs: 0 };
const errorCodes = {};
let closing = false;

function messageNumber(cid) {
  if (typeof cid !== 'string' || !cid.startsWith(`${tag}_`)) return -1;
  const k = Number(cid.slice(tag.length + 1));
  return Number.isInteger(k) && k >= 0 && k < TOTAL ? k : -1;
}

function onFrame(ci, f) {
  const k = messageNumber(f.cid ?? f.id);
  switch (f.type) {
    case 'msg':
      clients[ci].ws.send(JSON.stringify({ type: 'ack', ids: [f.id] }));
      if (k < 0) return void counts.strayFrames++;
      if (to[k] !== ci || f.from_device !== clients[from[k]].device) counts.misrouted++;
      if (got[k]++ === 0 && sentAt[k]) latency[k] = performance.now() - sentAt[k];
      return;
    case 'sent':
      if (k < 0) return void counts.strayFrames++;
      sentAck[k] = 1;
      if (f.dup) counts.serverDup++;
      return;
    case 'delivered':
      clients[ci].ws.send(JSON.stringify({ type: 'delivered_ack', ids: [f.id] }));
      if (k < 0) return void counts.strayFrames++;
      receipts[k]++;
      return;
    case 'pong':
      counts.pongs++;
      return;
    case 'error':
      errorCodes[f.code] = (errorCodes[f.code] ?? 0) + 1;
      if (k >= 0) refused[k] = 1;
      return;
    default:
      counts.strayFrames++;
  }
}

// Resolves when the relay said hello (the socket is registered), rejects
// with what the server answered instead.
function connect(ci) {
  const c = clients[ci];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(c.device), {
      headers: { Cookie: `pa_session=${c.session}` },
      origin,
      localAddress: localAddress(ci),
      perMessageDeflate: opt.deflate === 'offer',
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
        hello = c.hello = true;
        clearTimeout(timer);
        if (f.device !== c.device || f.user !== c.user) counts.misrouted++;
        return resolve();
      }
      onFrame(ci, f);
    });
    ws.on('unexpected-response', (req, res) => { clearTimeout(timer); ws.terminate(); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (!hello) reject(new Error(`closed ${code} before hello`));
      else if (!closing) counts.closedEarly++;
    });
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const int = (v) => v.toLocaleString('en-US');

// ---- the run, bounded as a whole
const connectBudget = 30_000 + CLIENTS * 20;
const runBound = connectBudget + SETTLE_MS + SECONDS * 1000 + DRAIN_MS + CLOSE_MS + 30_000;
const hardStop = setTimeout(() => {
  console.error(`bench ws: aborted: the run passed its ${Math.round(runBound / 1000)} s bound`);
  process.exit(2);
}, runBound);
hardStop.unref();

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
const rssBefore = rssKiB();
console.log(`== ws: load average ${loadavg().map((v) => v.toFixed(2)).join(' ')} (the machine's other work competes with both sides)`);
console.log(`== ws: ${int(CLIENTS)} chat sockets (${int(users)} accounts, ${addresses} source address${addresses === 1 ? '' : 'es'}, at most ${PER_ADDR} each), server pid ${PID}, RSS ${mb(rssBefore).toFixed(1)} MB`);
if (RATE / CLIENTS > SERVER_SEND_PER_SECOND * 0.75)
  console.log(`   warning: ${(RATE / CLIENTS).toFixed(2)} messages/s per socket on average is near the relay's own limit of ${SERVER_SEND_PER_SECOND}/s: expect rate_limited refusals`);

// Keep-alive pings through the whole run, spread evenly over the sockets.
const slots = PING_MS / PING_TICK_MS;
let pingTick = 0;
const pinger = setInterval(() => {
  const slot = pingTick++ % slots;
  for (let ci = slot; ci < CLIENTS; ci += slots) {
    const ws = clients[ci].ws;
    if (ws?.readyState === WebSocket.OPEN && clients[ci].hello) {
      ws.send('{"type":"ping"}');
      counts.pings++;
    }
  }
}, PING_TICK_MS);

const connectStart = performance.now();
const failures = {};
let connected = 0;
let nFailed = 0;
{
  let next = 0;
  const deadline = connectStart + connectBudget;
  const worker = async () => {
    while (next < CLIENTS && performance.now() < deadline && nFailed < GIVE_UP) {
      const ci = next++;
      try {
        await connect(ci);
        connected++;
      } catch (e) {
        const why = e.message.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR');
        failures[why] = (failures[why] ?? 0) + 1;
        nFailed++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_PARALLEL }, worker));
}
const connectSecs = (performance.now() - connectStart) / 1000;
await sleep(SETTLE_MS);
const rssConnected = rssKiB();
const open = clients.filter((c) => c.ws?.readyState === WebSocket.OPEN).length;
const deflated = clients.filter((c) => c.ws?.extensions?.includes('permessage-deflate')).length;
const perThousand = mb(rssConnected - rssBefore) / (open / 1000);
if (nFailed >= GIVE_UP) console.log(`   gave up after ${GIVE_UP} failed sockets`);
console.log(`   connected ${int(connected)} of ${int(CLIENTS)} in ${connectSecs.toFixed(1)} s; ${int(open)} open after ${SETTLE_MS / 1000} s; permessage-deflate ${opt.deflate === 'off' ? 'not offered' : `offered, accepted on ${int(deflated)}`}`);
for (const [why, n] of Object.entries(failures)) console.log(`   failed: ${int(n)} × ${why}`);
console.log(`   server RSS ${mb(rssBefore).toFixed(1)} MB before -> ${mb(rssConnected).toFixed(1)} MB connected: ${ms(perThousand)} MB per 1,000 sockets`);

// ---- traffic on a fixed schedule
const pick = rng(SEED);
const live = clients.map((c, i) => i).filter((i) => clients[i].ws?.readyState === WebSocket.OPEN);
let scheduled = 0;
let maxLag = 0;
if (live.length < CLIENTS) {
  console.log(`== ws: ${int(CLIENTS - live.length)} of the sockets are not open: no traffic (its figures would not compare)`);
} else {
  for (let k = 0; k < TOTAL; k++) {
    const s = live[Math.floor(pick() * live.length)];
    let r;
    do r = live[Math.floor(pick() * live.length)];
    while (clients[r].user === clients[s].user);
    from[k] = s;
    to[k] = r;
  }
  console.log(`== ws: ${int(RATE)} messages/s for ${SECONDS} s between random pairs (${BODY} B bodies), then up to ${DRAIN_MS / 1000} s to drain`);
  loopDelay.enable();
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(TOTAL, Math.floor(((now - t0) * RATE) / 1000) + 1);
      for (; scheduled < due; scheduled++) {
        const k = scheduled;
        maxLag = Math.max(maxLag, now - (t0 + (k * 1000) / RATE));
        const s = clients[from[k]];
        const r = clients[to[k]];
        if (s.ws.readyState !== WebSocket.OPEN) {
          counts.unsent++;
          continue;
        }
        const body = randomBytes(BODY).toString('base64');
        s.ws.send(JSON.stringify({ type: 'send', id: `${tag}_${k}`, to: r.user, envelopes: [{ device: r.device, body }] }));
        sentAt[k] = performance.now();
      }
      if (scheduled >= TOTAL) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 2);
  });
  const drainEnd = performance.now() + DRAIN_MS;
  const settled = () => {
    for (let k = 0; k < TOTAL; k++) {
      if (!sentAt[k] || refused[k]) continue;
      if (!sentAck[k] || !got[k] || !receipts[k]) return false;
    }
    return true;
  };
  while (performance.now() < drainEnd && !settled()) await sleep(100);
  loopDelay.disable();
}
const rssAfter = rssKiB();

// ---- counts
let written = 0, stored = 0, delivered = 0, duplicated = 0, receipted = 0, dupReceipts = 0, refusedN = 0, lost = 0;
const lat = [];
for (let k = 0; k < scheduled; k++) {
  if (!sentAt[k]) continue;
  written++;
  stored += sentAck[k];
  refusedN += refused[k];
  if (got[k]) {
    delivered++;
    lat.push(latency[k]);
  }
  duplicated += Math.max(0, got[k] - 1);
  dupReceipts += Math.max(0, receipts[k] - 1);
  receipted += receipts[k] ? 1 : 0;
  if (!got[k] && !refused[k]) lost++;
}
lat.sort((a, b) => a - b);
const p50 = percentile(lat, 50), p99 = percentile(lat, 99), pmax = lat.length ? lat[lat.length - 1] : NaN;

closing = true;
clearInterval(pinger);
await Promise.race([
  Promise.all(clients.filter((c) => c.ws && c.ws.readyState !== WebSocket.CLOSED).map((c) => new Promise((r) => { c.ws.once('close', r); c.ws.close(1000); }))),
  sleep(CLOSE_MS),
]);
for (const c of clients) if (c.ws && c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();

if (scheduled) {
  console.log(`   messages written ${int(written)} of ${int(TOTAL)} scheduled (client behind schedule by at most ${ms(maxLag)} ms; its event loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} ms)`);
  console.log(`   sent (server "sent") ${int(stored)}, delivered (msg frames) ${int(delivered)}, receipts ("delivered") ${int(receipted)}, refused ${int(refusedN)}`);
  console.log(`   lost ${int(lost)}, duplicated ${int(duplicated)} (repeated receipts ${dupReceipts}, server dup flags ${counts.serverDup}), misrouted ${counts.misrouted}, unsent (socket closed) ${counts.unsent}`);
  console.log(`   delivery latency (send -> recipient's msg frame): p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, max ${ms(pmax)} ms`);
}
if (Object.keys(errorCodes).length) console.log(`   error frames: ${JSON.stringify(errorCodes)}`);
const lagP99 = loopDelay.percentile(99) / 1e6;
if (scheduled && (maxLag > 50 || lagP99 > 20))
  console.log(`   warning: the client itself was late (behind schedule ${ms(maxLag)} ms, event loop p99 ${ms(lagP99)} ms; load average ${loadavg()[0].toFixed(1)}): the latencies include its delays`);
console.log(`   keep-alive: ${int(counts.pings)} pings, ${int(counts.pongs)} pongs; sockets closed by the server: ${counts.closedEarly}; unexpected frames: ${counts.strayFrames}`);
if (scheduled) console.log(`   server RSS after traffic ${mb(rssAfter).toFixed(1)} MB`);

const clean = connected === CLIENTS && lost === 0 && duplicated === 0 && counts.misrouted === 0 && refusedN === 0 && counts.closedEarly === 0 && written === TOTAL;
const row =
  `| chat WebSockets (\`scripts/bench-server ws\`, release, one Node client: ${int(CLIENTS)} sockets of ${int(users)} accounts from ${addresses} loopback address${addresses === 1 ? '' : 'es'}) ` +
  `| ${int(connected)} connected: RSS ${mb(rssBefore).toFixed(1)} → ${mb(rssConnected).toFixed(1)} MB = **${ms(perThousand)} MB per 1,000 sockets**; ` +
  (scheduled
    ? `${int(RATE)} msg/s × ${SECONDS} s between random pairs: delivery p50 ${ms(p50)} ms, p99 ${ms(p99)} ms; ` +
      `sent ${int(stored)}, delivered ${int(delivered)}, **lost ${int(lost)}, duplicated ${int(duplicated)}**${refusedN ? `, refused ${int(refusedN)}` : ''} `
    : `**${int(CLIENTS - live.length)} sockets not open**, no traffic `) +
  '| 10,000 sockets at ≤ 6 MB per 1,000; 0 lost, 0 duplicated |';
if (opt.summary) writeFileSync(opt.summary, `${row}\n`);
process.exit(clean ? 0 : 1);
