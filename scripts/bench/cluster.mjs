// The chat relay across a cluster, from one Node process (npm `ws`): CLIENTS
// chat sockets through the load balancer (HAProxy, round robin, so spread
// over the server processes behind it), RATE messages/s between random pairs
// for SECONDS, and — with --kill-pid — one server process SIGKILLed at
// --kill-at seconds into the traffic. Its sockets close; each client then
// does what an app must:
//   - reconnects through the same URL with exponential backoff and full
//     jitter (BACKOFF_FIRST_MS doubling to BACKOFF_MAX_MS, each wait a random
//     part of that), so the dead process's sockets do not all come back in
//     the same millisecond; HAProxy sends them to the processes still up;
//   - resends, in order and with the SAME client id, every message the
//     server has not answered "sent" for (the server stores a client id once
//     per device and answers a resend "sent" with dup, web/README.md "Chat");
//     what the app sent while it had no socket waits in the same outbox;
//   - as a recipient, acks every msg frame and keeps one message per server
//     message id (the protocol's rule for receivers), so a frame delivered
//     again after a reconnect (its ack died with the process) is dropped.
// Reported per message (its client id): lost (never received by the app),
// duplicated (the app received it under two server ids: stored twice), and
// on the wire: frames re-sent after reconnects, msg frames received again.
// Delivery latency is the sender's clock to the recipient's (one process,
// performance.now()), from the moment the app sent it, so a message that
// waited for a reconnect counts its wait.
// Bounded: every phase has a deadline and the process exits by itself.
// Sockets go from many loopback source addresses (127.1.x.y, at most
// PER_ADDR each): the servers cap connections per address and see the
// client's address through the PROXY protocol.
//
// usage: node scripts/bench/cluster.mjs --url http://127.0.0.1:PORT
//          --world FILE [--clients 5000] [--rate 500] [--seconds 30]
//          [--kill-pid PID --kill-at S] [--ports P,P,...] [--per-addr 200]
//          [--body 256] [--seed 1] [--summary FILE]
// --world: petamigos-bench-world's JSON lines (users, sessions, devices);
// --ports: the server processes' ports, to count the sockets each one holds
//          (established connections from the balancer, `ss`);
// --summary: where the figures are written as one JSON object.
// Exit status: 0 when every socket connected, every dropped one came back,
// and every message was accepted and received exactly once by the app, by
// its recipient; 1 otherwise (figures printed either way); 2 for bad
// arguments or an aborted run.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  CLOSE_MS, SERVER_SEND_PER_SECOND, SETTLE_MS, boundRun, closeAll, connectAll, connectBudget, drain, failWith,
  failureReason, int, intArg, loadAverage, loadClients, loopbackTarget, messageNumbers, ms, openChat, paced,
  percentile, printFailures, printGaveUp, printIfLate, randomPairs, sleep, startPings,
} from './chat-load.mjs';

const LIMITS = {
  clients: [2, 20000], // the machine's open-files limit is 20,000
  rate: [1, 20000],
  seconds: [1, 300],
  killAt: [0, 300],
  perAddr: [1, 250], // below the server's PA_NET_CONNS_PER_ADDR (256)
  body: [2, 65536],
};
const DRAIN_MS = 60_000; // after the last send: reconnects, backlogs, receipts
const BACKOFF_FIRST_MS = 200; // reconnect backoff: 200, 400, ... ms
const BACKOFF_MAX_MS = 5_000; // ... at most this, each wait uniform in [0, that)
const RATE_LIMITED_RETRY_MS = 1_000; // a send refused rate_limited is tried again after this
const BODY_KIND_MESSAGE = 0x01; // a ratchet message, not a session start (web/README.md, "Chat")

const fail = failWith('cluster');

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    world: { type: 'string' },
    clients: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    'kill-pid': { type: 'string' },
    'kill-at': { type: 'string', default: '0' },
    ports: { type: 'string', default: '' },
    'per-addr': { type: 'string', default: '200' },
    body: { type: 'string', default: '256' },
    seed: { type: 'string', default: '1' },
    summary: { type: 'string' },
  },
});
const CLIENTS = intArg(opt, 'clients', LIMITS.clients, fail);
const RATE = intArg(opt, 'rate', LIMITS.rate, fail);
const SECONDS = intArg(opt, 'seconds', LIMITS.seconds, fail);
const KILL_AT = intArg(opt, 'kill-at', LIMITS.killAt, fail);
const PER_ADDR = intArg(opt, 'per-addr', LIMITS.perAddr, fail);
const BODY = intArg(opt, 'body', LIMITS.body, fail);
const SEED = Number(opt.seed) >>> 0;
const KILL_PID = opt['kill-pid'] === undefined ? 0 : Number(opt['kill-pid']);
if (!Number.isInteger(KILL_PID) || KILL_PID < 0) fail('--kill-pid must be a process id');
if (KILL_PID && (KILL_AT < 1 || KILL_AT >= SECONDS)) fail('--kill-at must be inside the traffic: 1..seconds-1');
const PORTS = opt.ports ? opt.ports.split(',').map(Number) : [];
if (PORTS.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) fail('--ports must be port numbers');
const target = loopbackTarget(opt.url, fail);
const { clients, users, addresses } = loadClients(opt.world, CLIENTS, PER_ADDR, fail, () => ({
  ws: null, up: false, attempts: 0, outbox: new Set(), droppedAt: 0,
}));

// Sockets each server process holds: connections from the balancer to its port.
function spread() {
  return PORTS.map((p) => {
    try {
      const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${p} )`], { encoding: 'utf8', timeout: 5000 });
      return out.split('\n').filter(Boolean).length;
    } catch {
      return NaN;
    }
  });
}

// ---- per-message state, indexed by the message number k (client id = tag_k)
const TOTAL = RATE * SECONDS;
const tag = `c${randomBytes(4).toString('hex')}`;
const from = new Int32Array(TOTAL);
const to = new Int32Array(TOTAL);
const sentAt = new Float64Array(TOTAL); // performance.now() when the app sent it, 0 when not yet
const latency = new Float64Array(TOTAL);
const onWire = new Uint16Array(TOTAL); // send frames written for k
const sentAck = new Uint8Array(TOTAL); // the server's "sent"
const sentSeq = new Float64Array(TOTAL); // its sequence number: a second "sent" must repeat it
const firstId = new Float64Array(TOTAL); // the server message id the app kept, 0 when none
const wireGot = new Uint16Array(TOTAL); // msg frames for k at its recipient
const receipts = new Uint16Array(TOTAL); // "delivered" frames for k at its sender
const refused = new Uint8Array(TOTAL); // an error frame named k (other than rate_limited)
const counts = {
  misrouted: 0, appDup: 0, wireDup: 0, serverDup: 0, seqMismatch: 0, resent: 0, queued: 0,
  rateLimited: 0, strayFrames: 0, pings: 0, pongs: 0, drops: 0, reconnects: 0, reconnectFailures: 0,
};
const errorCodes = {};
const reconnectFailures = {};
const reconnectMs = [];
let closing = false;
let killT = 0; // performance.now() of the kill, 0 before

const messageNumber = messageNumbers(tag, TOTAL);

function wireSend(c, k) {
  if (onWire[k]++) counts.resent++;
  const r = clients[to[k]];
  const body = randomBytes(BODY);
  body[0] = BODY_KIND_MESSAGE;
  c.ws.send(JSON.stringify({ type: 'send', id: `${tag}_${k}`, to: r.user, envelopes: [{ device: r.device, body: body.toString('base64') }] }));
}

// What the app does when the person presses send: into the outbox, and out
// now when the socket is up (else at the next hello).
function appSend(k) {
  const c = clients[from[k]];
  sentAt[k] = performance.now();
  c.outbox.add(k);
  if (c.up) wireSend(c, k);
  else counts.queued++;
}

function onFrame(ci, f) {
  const c = clients[ci];
  const k = messageNumber(f.cid ?? f.id);
  switch (f.type) {
    case 'msg':
      c.ws.send(JSON.stringify({ type: 'ack', ids: [f.id] }));
      if (k < 0) return void counts.strayFrames++;
      if (to[k] !== ci || f.from_device !== clients[from[k]].device) counts.misrouted++;
      wireGot[k]++;
      if (!firstId[k]) {
        firstId[k] = f.id;
        if (sentAt[k]) latency[k] = performance.now() - sentAt[k];
      } else if (firstId[k] === f.id) counts.wireDup++; // the same stored message again: dropped
      else counts.appDup++; // stored twice: the app would show it twice
      return;
    case 'sent':
      if (k < 0) return void counts.strayFrames++;
      if (sentAck[k] && sentSeq[k] !== f.seq) counts.seqMismatch++;
      sentAck[k] = 1;
      sentSeq[k] = f.seq;
      clients[from[k]].outbox.delete(k);
      if (f.dup) counts.serverDup++;
      return;
    case 'delivered':
      c.ws.send(JSON.stringify({ type: 'delivered_ack', ids: [f.id] }));
      if (k < 0) return void counts.strayFrames++;
      receipts[k]++;
      return;
    case 'pong':
      counts.pongs++;
      return;
    case 'error':
      if (f.code === 'rate_limited' && k >= 0) {
        counts.rateLimited++;
        setTimeout(() => { if (c.up && c.outbox.has(k)) wireSend(c, k); }, RATE_LIMITED_RETRY_MS);
        return;
      }
      errorCodes[f.code] = (errorCodes[f.code] ?? 0) + 1;
      if (k >= 0) {
        refused[k] = 1;
        clients[from[k]].outbox.delete(k);
      }
      return;
    default:
      counts.strayFrames++;
  }
}

// Resolves at the hello frame (the socket is registered), then resends the
// outbox; a frame before the hello is unexpected. A socket that closes after
// its hello starts the reconnect loop.
function connect(ci) {
  const c = clients[ci];
  return openChat(c, target, {
    deflate: false,
    counts,
    onHello: () => {
      c.up = true;
      // Everything not answered "sent", in the order the app sent it.
      for (const k of c.outbox) wireSend(c, k);
    },
    onFrame: (f, afterHello) => (afterHello ? onFrame(ci, f) : counts.strayFrames++),
    onDrop: () => {
      c.up = false;
      if (closing) return;
      counts.drops++;
      c.droppedAt = performance.now();
      c.attempts = 0;
      scheduleReconnect(ci);
    },
  });
}

function scheduleReconnect(ci) {
  const c = clients[ci];
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** c.attempts++);
  setTimeout(() => {
    if (closing) return;
    connect(ci).then(
      () => {
        counts.reconnects++;
        reconnectMs.push(performance.now() - c.droppedAt);
      },
      (e) => {
        counts.reconnectFailures++;
        const why = failureReason(e);
        reconnectFailures[why] = (reconnectFailures[why] ?? 0) + 1;
        scheduleReconnect(ci);
      },
    );
  }, Math.random() * cap);
}

const r1 = (v) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null);

// ---- the run, bounded as a whole
const budget = connectBudget(CLIENTS);
boundRun(budget + SETTLE_MS + SECONDS * 1000 + DRAIN_MS + CLOSE_MS + 30_000, fail);

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
console.log(`== chat: load average ${loadAverage()} (the machine's other work competes with every process)`);
console.log(`== chat: ${int(CLIENTS)} sockets (${int(users)} accounts, ${addresses} source address${addresses === 1 ? '' : 'es'}) through ${target.origin}`);
if (RATE / CLIENTS > SERVER_SEND_PER_SECOND * 0.75)
  console.log(`   warning: ${(RATE / CLIENTS).toFixed(2)} messages/s per socket on average is near the relay's own limit of ${SERVER_SEND_PER_SECOND}/s`);

// Keep-alive pings through the whole run, spread evenly over the sockets.
const pinger = startPings(clients, counts, (c) => c.up);

const connecting = await connectAll(CLIENTS, budget, connect);
const { connected, connectSecs } = connecting;
await sleep(SETTLE_MS);
const spreadBefore = spread();
const open = clients.filter((c) => c.up).length;
printGaveUp(connecting);
console.log(`   connected ${int(connected)} of ${int(CLIENTS)} in ${connectSecs.toFixed(1)} s; ${int(open)} open after ${SETTLE_MS / 1000} s`);
printFailures(connecting);
if (PORTS.length) console.log(`   sockets per server process (ports ${PORTS.join(', ')}): ${spreadBefore.map(int).join(' / ')}`);

// ---- traffic on a fixed schedule
let scheduled = 0;
let maxLag = 0;
let killed = null;
if (open < CLIENTS) {
  console.log(`== chat: ${int(CLIENTS - open)} of the sockets are not open: no traffic (its figures would not compare)`);
} else {
  randomPairs(clients, SEED, from, to);
  console.log(`== chat: ${int(RATE)} messages/s for ${SECONDS} s between random pairs (${BODY} B bodies)` +
    (KILL_PID ? `; server process ${KILL_PID} SIGKILLed at ${KILL_AT} s` : ''));
  loopDelay.enable();
  ({ scheduled, maxLag } = await paced(TOTAL, RATE, appSend, (now, t0) => {
    if (KILL_PID && !killT && now - t0 >= KILL_AT * 1000) {
      const up = clients.filter((c) => c.up).length;
      try {
        process.kill(KILL_PID, 'SIGKILL');
        killT = performance.now();
        killed = { pid: KILL_PID, at: (killT - t0) / 1000, upBefore: up, dropsBefore: counts.drops };
      } catch (e) {
        console.log(`   could not kill ${KILL_PID}: ${e.message}`);
        killed = { pid: KILL_PID, error: e.message };
      }
    }
  }));
  await drain(() => {
    if (clients.some((c) => !c.up)) return false;
    for (let k = 0; k < TOTAL; k++) {
      if (refused[k]) continue;
      if (!sentAck[k] || !firstId[k] || !receipts[k]) return false;
    }
    return true;
  }, DRAIN_MS);
  loopDelay.disable();
}
const spreadAfter = spread();
const upAtEnd = clients.filter((c) => c.up).length;

// ---- counts
let written = 0, stored = 0, delivered = 0, receipted = 0, dupReceipts = 0, refusedN = 0, lost = 0;
const lat = [], steady = [];
for (let k = 0; k < scheduled; k++) {
  written++;
  stored += sentAck[k];
  refusedN += refused[k];
  if (firstId[k]) {
    delivered++;
    lat.push(latency[k]);
    if (!killT || sentAt[k] < killT) steady.push(latency[k]);
  }
  dupReceipts += Math.max(0, receipts[k] - 1);
  receipted += receipts[k] ? 1 : 0;
  if (!firstId[k] && !refused[k]) lost++;
}
lat.sort((a, b) => a - b);
steady.sort((a, b) => a - b);
reconnectMs.sort((a, b) => a - b);
const p50 = percentile(lat, 50), p99 = percentile(lat, 99), pmax = lat.length ? lat[lat.length - 1] : NaN;
const s50 = percentile(steady, 50), s99 = percentile(steady, 99);

closing = true;
clearInterval(pinger);
await closeAll(clients);

const dropped = killed && !killed.error ? counts.drops - killed.dropsBefore : 0;
if (scheduled) {
  console.log(`   messages sent by the apps ${int(written)} of ${int(TOTAL)} scheduled (client behind schedule by at most ${ms(maxLag)} ms; its event loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} ms)`);
  if (killed && !killed.error)
    console.log(`   kill: ${int(dropped)} sockets dropped (of ${int(killed.upBefore)} up); back ${int(counts.reconnects)} (reconnect p50 ${ms(percentile(reconnectMs, 50))} ms, max ${ms(reconnectMs[reconnectMs.length - 1])} ms; ${int(counts.reconnectFailures)} failed attempts${Object.keys(reconnectFailures).length ? `: ${JSON.stringify(reconnectFailures)}` : ''}); ${int(upAtEnd)} of ${int(CLIENTS)} up at the end`);
  console.log(`   on the wire: send frames re-sent after reconnects ${int(counts.resent)} (server "dup" answers ${int(counts.serverDup)}), sends queued while offline ${int(counts.queued)}, msg frames received again ${int(counts.wireDup)}, rate_limited retries ${int(counts.rateLimited)}`);
  console.log(`   stored (server "sent") ${int(stored)}, received by the apps ${int(delivered)}, receipts ${int(receipted)} (repeated ${int(dupReceipts)}), refused ${int(refusedN)}, misrouted ${counts.misrouted}, sequence mismatches ${counts.seqMismatch}`);
  console.log(`   lost ${int(lost)}, duplicated ${int(counts.appDup)}`);
  console.log(`   delivery latency (the app's send -> the recipient's msg frame): p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, max ${ms(pmax)} ms` +
    (killT ? `; sent before the kill: p50 ${ms(s50)} ms, p99 ${ms(s99)} ms` : ''));
  if (PORTS.length) console.log(`   sockets per server process at the end: ${spreadAfter.map((v) => (Number.isNaN(v) ? 'n/a' : int(v))).join(' / ')}`);
}
if (Object.keys(errorCodes).length) console.log(`   error frames: ${JSON.stringify(errorCodes)}`);
printIfLate(scheduled, maxLag, loopDelay.percentile(99) / 1e6);
console.log(`   keep-alive: ${int(counts.pings)} pings, ${int(counts.pongs)} pongs; unexpected frames: ${counts.strayFrames}`);

const clean = connected === CLIENTS && written === TOTAL && lost === 0 && counts.appDup === 0 && counts.misrouted === 0 &&
  refusedN === 0 && counts.seqMismatch === 0 && upAtEnd === CLIENTS && (!KILL_PID || (killed && !killed.error && dropped > 0));
if (opt.summary)
  writeFileSync(opt.summary, `${JSON.stringify({
    clients: CLIENTS, users, connected, connectSecs: r1(connectSecs), spread: spreadBefore, spreadAfter, rate: RATE, seconds: SECONDS,
    written, stored, delivered, receipted, refused: refusedN, lost, duplicated: counts.appDup, misrouted: counts.misrouted,
    wireResent: counts.resent, serverDup: counts.serverDup, queued: counts.queued, wireDup: counts.wireDup,
    p50: r1(p50), p99: r1(p99), max: r1(pmax), steadyP50: r1(s50), steadyP99: r1(s99),
    killed: killed && { ...killed, dropped, reconnected: counts.reconnects, reconnectP50: r1(percentile(reconnectMs, 50)), reconnectMax: r1(reconnectMs[reconnectMs.length - 1] ?? NaN), failedAttempts: counts.reconnectFailures },
    upAtEnd, clean, loopP99: r1(loopDelay.percentile(99) / 1e6), behind: r1(maxLag), load: r1(loadavg()[0]),
  })}\n`);
process.exit(clean ? 0 : 1);
