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
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  CLOSE_MS, SERVER_SEND_PER_SECOND, SETTLE_MS, boundRun, closeAll, connectAll, connectBudget, drain, failWith, int, intArg,
  loadAverage, loadClients, loopbackTarget, messageNumbers, ms, openChat, paced, percentile, printFailures,
  printGaveUp, printIfLate, randomPairs, sleep, startPings,
} from './chat-load.mjs';

const LIMITS = {
  clients: [1, 20000], // the machine's open-files limit is 20,000
  rate: [1, 20000],
  seconds: [1, 300],
  perAddr: [1, 250],
  body: [1, 65536],
};
const DRAIN_MS = 15_000; // after the last send, for msg and receipt frames
const fail = failWith('ws');

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

const CLIENTS = intArg(opt, 'clients', LIMITS.clients, fail);
const RATE = intArg(opt, 'rate', LIMITS.rate, fail);
const SECONDS = intArg(opt, 'seconds', LIMITS.seconds, fail);
const PER_ADDR = intArg(opt, 'per-addr', LIMITS.perAddr, fail);
const BODY = intArg(opt, 'body', LIMITS.body, fail);
const SEED = Number(opt.seed) >>> 0;
if (!['offer', 'off'].includes(opt.deflate)) fail('--deflate must be offer or off');
const target = loopbackTarget(opt.url, fail);
const PID = Number(opt.pid);
if (!Number.isInteger(PID) || PID < 1) fail('--pid must be the server process id');
const { clients, users, addresses } = loadClients(opt.world, CLIENTS, PER_ADDR, fail);

function rssKiB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${PID}/status`, 'utf8'));
  if (!m) fail(`no VmRSS for process ${PID}`);
  return Number(m[1]);
}
const mb = (kib) => kib / 1024;

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

const messageNumber = messageNumbers(tag, TOTAL);

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

// Resolves at the hello frame (the socket is registered); frames that come
// before it are counted like any other.
function connect(ci) {
  const c = clients[ci];
  return openChat(c, target, {
    deflate: opt.deflate === 'offer',
    counts,
    onHello: () => { c.hello = true; },
    onFrame: (f) => onFrame(ci, f),
    onDrop: () => { if (!closing) counts.closedEarly++; },
  });
}

// ---- the run, bounded as a whole
const budget = connectBudget(CLIENTS);
boundRun(budget + SETTLE_MS + SECONDS * 1000 + DRAIN_MS + CLOSE_MS + 30_000, fail);

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
const rssBefore = rssKiB();
console.log(`== ws: load average ${loadAverage()} (the machine's other work competes with both sides)`);
console.log(`== ws: ${int(CLIENTS)} chat sockets (${int(users)} accounts, ${addresses} source address${addresses === 1 ? '' : 'es'}, at most ${PER_ADDR} each), server pid ${PID}, RSS ${mb(rssBefore).toFixed(1)} MB`);
if (RATE / CLIENTS > SERVER_SEND_PER_SECOND * 0.75)
  console.log(`   warning: ${(RATE / CLIENTS).toFixed(2)} messages/s per socket on average is near the relay's own limit of ${SERVER_SEND_PER_SECOND}/s: expect rate_limited refusals`);

// Keep-alive pings through the whole run, spread evenly over the sockets.
const pinger = startPings(clients, counts, (c) => c.hello);

const connecting = await connectAll(CLIENTS, budget, connect);
const { connected, connectSecs } = connecting;
await sleep(SETTLE_MS);
const rssConnected = rssKiB();
const open = clients.filter((c) => c.ws?.readyState === WebSocket.OPEN).length;
const deflated = clients.filter((c) => c.ws?.extensions?.includes('permessage-deflate')).length;
const perThousand = mb(rssConnected - rssBefore) / (open / 1000);
printGaveUp(connecting);
console.log(`   connected ${int(connected)} of ${int(CLIENTS)} in ${connectSecs.toFixed(1)} s; ${int(open)} open after ${SETTLE_MS / 1000} s; permessage-deflate ${opt.deflate === 'off' ? 'not offered' : `offered, accepted on ${int(deflated)}`}`);
printFailures(connecting);
console.log(`   server RSS ${mb(rssBefore).toFixed(1)} MB before -> ${mb(rssConnected).toFixed(1)} MB connected: ${ms(perThousand)} MB per 1,000 sockets`);

// ---- traffic on a fixed schedule
let scheduled = 0;
let maxLag = 0;
if (open < CLIENTS) {
  console.log(`== ws: ${int(CLIENTS - open)} of the sockets are not open: no traffic (its figures would not compare)`);
} else {
  randomPairs(clients, SEED, from, to);
  console.log(`== ws: ${int(RATE)} messages/s for ${SECONDS} s between random pairs (${BODY} B bodies), then up to ${DRAIN_MS / 1000} s to drain`);
  loopDelay.enable();
  ({ scheduled, maxLag } = await paced(TOTAL, RATE, (k) => {
    const s = clients[from[k]];
    const r = clients[to[k]];
    if (s.ws.readyState !== WebSocket.OPEN) {
      counts.unsent++;
      return;
    }
    const body = randomBytes(BODY).toString('base64');
    s.ws.send(JSON.stringify({ type: 'send', id: `${tag}_${k}`, to: r.user, envelopes: [{ device: r.device, body }] }));
    sentAt[k] = performance.now();
  }));
  await drain(() => {
    for (let k = 0; k < TOTAL; k++) {
      if (!sentAt[k] || refused[k]) continue;
      if (!sentAck[k] || !got[k] || !receipts[k]) return false;
    }
    return true;
  }, DRAIN_MS);
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
await closeAll(clients);

if (scheduled) {
  console.log(`   messages written ${int(written)} of ${int(TOTAL)} scheduled (client behind schedule by at most ${ms(maxLag)} ms; its event loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} ms)`);
  console.log(`   sent (server "sent") ${int(stored)}, delivered (msg frames) ${int(delivered)}, receipts ("delivered") ${int(receipted)}, refused ${int(refusedN)}`);
  console.log(`   lost ${int(lost)}, duplicated ${int(duplicated)} (repeated receipts ${dupReceipts}, server dup flags ${counts.serverDup}), misrouted ${counts.misrouted}, unsent (socket closed) ${counts.unsent}`);
  console.log(`   delivery latency (send -> recipient's msg frame): p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, max ${ms(pmax)} ms`);
}
if (Object.keys(errorCodes).length) console.log(`   error frames: ${JSON.stringify(errorCodes)}`);
printIfLate(scheduled, maxLag, loopDelay.percentile(99) / 1e6);
console.log(`   keep-alive: ${int(counts.pings)} pings, ${int(counts.pongs)} pongs; sockets closed by the server: ${counts.closedEarly}; unexpected frames: ${counts.strayFrames}`);
if (scheduled) console.log(`   server RSS after traffic ${mb(rssAfter).toFixed(1)} MB`);

const clean = connected === CLIENTS && lost === 0 && duplicated === 0 && counts.misrouted === 0 && refusedN === 0 && counts.closedEarly === 0 && written === TOTAL;
const row =
  `| chat WebSockets (\`scripts/bench-server ws\`, release, one Node client: ${int(CLIENTS)} sockets of ${int(users)} accounts from ${addresses} loopback address${addresses === 1 ? '' : 'es'}) ` +
  `| ${int(connected)} connected: RSS ${mb(rssBefore).toFixed(1)} → ${mb(rssConnected).toFixed(1)} MB = **${ms(perThousand)} MB per 1,000 sockets**; ` +
  (scheduled
    ? `${int(RATE)} msg/s × ${SECONDS} s between random pairs: delivery p50 ${ms(p50)} ms, p99 ${ms(p99)} ms; ` +
      `sent ${int(stored)}, delivered ${int(delivered)}, **lost ${int(lost)}, duplicated ${int(duplicated)}**${refusedN ? `, refused ${int(refusedN)}` : ''} `
    : `**${int(CLIENTS - open)} sockets not open**, no traffic `) +
  '| 10,000 sockets at ≤ 6 MB per 1,000; 0 lost, 0 duplicated |';
if (opt.summary) writeFileSync(opt.summary, `${row}\n`);
process.exit(clean ? 0 : 1);
