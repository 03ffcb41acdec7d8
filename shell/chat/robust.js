// The chat engine's robustness (issue 22, item 3; core/src/chat/chat.md and
// web/README.md, "Chat"): bounded sessions, failures that heal, and backing
// off. Small functions over the engine's state (shell/chat/engine.js calls
// them at its hooks), so the engine itself stays the message flow.
//
// - Sessions: at most SESSIONS_PER_DEVICE per peer device (the least recently
//   used goes, record and all) and at most SESSION_HANDLES open WASM handles
//   (the WASM module has 256): idle sessions are closed and reopened from
//   their sealed blob on demand. So start messages from anyone, however
//   many, can neither fill the handle table nor stop this device from
//   starting a conversation.
// - A message this device cannot decrypt is answered with a `failed` frame,
//   never an ack. The sender hears `failed`: its message shows "Failed", its
//   sessions with that device go, and the message is sent again under a new
//   client id from a new session (a fresh bundle, so fresh prekeys).
// - The relay's errors are retried with a growing delay; too_many_starts
//   (PA_CHAT_STARTS_PER_PEER) waits long and says so in the conversation.
import { toB64 } from './crypto.js';

export const SESSIONS_PER_DEVICE = 3;
export const SESSION_HANDLES = 200;
// Retries after a relay error: 3 s, doubling, at most 5 minutes; after
// too_many_starts, STARTS_WAIT_MS (the relay's window is an hour).
export const RETRY_FIRST_MS = 3000;
export const RETRY_MAX_MS = 5 * 60_000;
export const STARTS_WAIT_MS = 10 * 60_000;
// Where a start message's EK_A (which names its session) is: after the kind
// byte and IK_A (chat.md, "Messages").
const BASE_AT = 33, BASE_END = 65;
export const START_KIND = 0x03;

// The base key (EK_A, base64) of a start message.
export const startBase = (bytes) => toB64(bytes.subarray(BASE_AT, BASE_END));

// Opens s's handle again from its sealed blob when it was closed as idle.
export function openHandle(e, s) {
  if (s.handle) return s.handle;
  makeRoom(e, 1);
  s.handle = e.c.open(2, e.vault.raw, s.gen, s.blob);
  return s.handle;
}

// Closes the least recently used idle sessions until `more` new handles fit
// under SESSION_HANDLES. A session never sealed yet (gen 0) is in use by
// the operation that made it and stays open.
export function makeRoom(e, more = 1) {
  const open = e.sessions.filter((s) => s.handle);
  let over = open.length + more - SESSION_HANDLES;
  if (over <= 0) return;
  for (const s of open.filter((x) => x.gen > 0 && x.blob).sort((a, b) => a.used - b.used)) {
    if (over-- <= 0) break;
    e.c.free(s.handle);
    s.handle = 0;
  }
}

// Loads the stored sessions: only the SESSION_HANDLES most recently used are
// opened now, the rest when a message needs them.
export function loadSessions(e, recs) {
  const sorted = [...recs].sort((a, b) => b.used - a.used);
  for (const [i, rec] of sorted.entries()) {
    e.sessions.push({ ...rec, handle: i < SESSION_HANDLES ? e.c.open(2, e.vault.raw, rec.gen, rec.blob) : 0 });
  }
}

// Forgets sessions (handles freed, records deleted).
async function drop(e, gone) {
  if (!gone.length) return;
  for (const s of gone) if (s.handle) e.c.free(s.handle);
  e.sessions = e.sessions.filter((s) => !gone.includes(s));
  await e.store.batch(gone.map((s) => ['del', 'sessions', s.key]));
}

// Keeps at most SESSIONS_PER_DEVICE sessions with device: the least
// recently used beyond that go. keep is never dropped (the one in use).
export function prune(e, device, keep) {
  const mine = e.sessions.filter((s) => s.device === device && s !== keep).sort((a, b) => b.used - a.used);
  return drop(e, mine.slice(SESSIONS_PER_DEVICE - 1));
}

// Drops every session with device, so the next message starts a new one.
export const dropDevice = (e, device) => drop(e, e.sessions.filter((s) => s.device === device));

// The session a start message resumes (the same base key from the same
// device), opened; null when it needs accept.
export function startOwner(e, bytes, device) {
  const base = startBase(bytes);
  const s = e.sessions.find((x) => x.base === base && x.device === device);
  if (s) openHandle(e, s);
  return s ?? null;
}

// {"type":"failed",...}: the recipient's device `to_device` could not
// decrypt message cid. It shows as failed; the sessions with that device go
// and, unless it was itself such a resend, the message goes again to that
// device alone under a new client id (flush starts a new session from a
// fresh bundle). The receipt is acked like a delivered one.
export async function onFailed(e, f) {
  e.socket.send({ type: 'delivered_ack', ids: [f.id] });
  const peer = f.to, key = `${peer}|${f.cid}`;
  const rec = await e.store.get('messages', key);
  await dropDevice(e, f.to_device);
  if (!rec || rec.dir !== 'out') return;
  const ops = [['put', 'messages', { ...rec, status: 'failed', seq: f.seq || rec.seq }], ['del', 'outbox', f.cid]];
  if (!rec.resentFrom) {
    const { text, image } = await e.vault.open(`msg:${key}`, rec.sealed);
    const m = { peer, cid: crypto.randomUUID(), dir: 'out', at: Date.now(), seq: 0, status: 'pending', resentFrom: f.cid };
    const [, mrec] = await e.messageRecord(m, text, image);
    ops.push(['put', 'messages', mrec], ['put', 'outbox', { key: m.cid, peer, at: m.at, envelopes: null, devices: [f.to_device] }]);
  }
  await e.store.batch(ops);
  e.emit('change', { peer });
  await e.flush().catch((err) => console.info('chat: send later:', err.message));
}

// A relay error naming an outbox entry: try again later, waiting longer each
// time; too_many_starts waits STARTS_WAIT_MS and marks the conversation.
export async function onSendError(e, f) {
  const limited = f.code === 'too_many_starts';
  const wait = limited ? STARTS_WAIT_MS : (e.retryMs = Math.min(RETRY_MAX_MS, e.retryMs ? e.retryMs * 2 : RETRY_FIRST_MS));
  if (limited) {
    const item = await e.store.get('outbox', f.id);
    if (item) {
      await e.store.put(...(await e.convRecord(item.peer, { startsLimited: Date.now() + wait })));
      e.emit('change', { peer: item.peer });
    }
  }
  clearTimeout(e.resendTimer);
  e.resendTimer = setTimeout(() => e.run(() => e.flush()).catch((err) => console.info('chat: send later:', err.message)), wait);
}

// A message the relay took: errors are behind us, the delay starts over.
export async function onSent(e, peer) {
  e.retryMs = 0;
  const conv = await e.conversation(peer);
  if (conv.startsLimited) await e.store.put(...(await e.convRecord(peer, { startsLimited: 0 })));
}

// hello: the relay's count of this device's identity seals. A higher count
// than this profile's means the profile was restored from an older copy:
// its keys (and sessions) are behind what this device already used, so the
// engine stops rather than reuse them. A lower one is reported up.
export function checkGeneration(e, f) {
  const theirs = Number(f.identity_gen) || 0;
  if (theirs > e.idGen) {
    e.stale = true;
    e.emit('stale', { theirs, mine: e.idGen });
    e.stop();
    return false;
  }
  if (theirs < e.idGen) reportGeneration(e);
  return true;
}

// Tells the relay this device's identity was sealed under e.idGen (after
// every stored identity seal; again at every hello if it was missed).
export function reportGeneration(e) {
  e.socket?.send({ type: 'identity_gen', generation: e.idGen });
}

// Whether bytes (a received ratchet message) is a session start.
export const isStart = (bytes) => bytes[0] === START_KIND;

