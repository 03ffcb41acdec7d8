// A person's own devices (issue 22, "Devices"; formats in core/src/chat/chat.md
// "Linking a device", routes in web/README.md "Chat"):
//  - linking: the new device asks (beginLink → a code to show, then
//    waitForLink until approved), the existing device types the code
//    (approveLink), hands over the account key and publishes the new list;
//  - managing: rename, and remove (a new signed list without the device
//    first, then the server's DELETE);
//  - own-device copies: what this device sends to a person is also
//    encrypted to my other listed devices as {"v":2,"kind":"copy",...},
//    and a copy received is filed under its peer as an outgoing message.
// engine.js calls in here through small hooks; everything runs in the
// engine's queue (engine.run) so sessions never interleave.
import { get, post, put, request } from '../api.js';
import { toB64, fromB64 } from './crypto.js';
import { MAX_DEVICES } from './identity.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const POLL_MS = 2000;
const unix = () => Math.floor(Date.now() / 1000);
const same = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

// Thrown when a typed code is not a link code, names no waiting link of
// this account, or does not match the request (kind says which).
export class LinkError extends Error {
  constructor(kind, message) {
    super(message ?? kind);
    this.kind = kind; // 'code' | 'expired' | 'mismatch' | 'full' | 'server'
  }
}

function fail(r) {
  return new LinkError('server', r.error?.message || r.error?.kind || 'request failed');
}

// ---- the new device

// Registers the link request for this (not yet linked) device: {id, code,
// expiresAt, state} where state (secret, ephemeral key, request) stays in
// memory for waitForLink.
export async function beginLink(engine) {
  const ik = engine.c.identityKey(engine.identity);
  const b = engine.c.linkBegin(ik);
  const r = await post('/api/v1/chat/links', { device: engine.device, request: toB64(b.request) });
  if (!r.ok) throw fail(r);
  return { id: r.data.id, code: engine.c.linkCode(r.data.id, b.secret), expiresAt: r.data.expires_at, state: b };
}

// Polls the link until an existing device approved it, then opens the
// response (checked for my account and this device), keeps the account key
// sealed, and re-checks the account (engine.ensureAccount). Resolves true when
// linked; rejects with LinkError('expired') when the code ran out. signal
// (an AbortSignal) stops the waiting.
export async function waitForLink(engine, link, signal) {
  for (;;) {
    if (signal?.aborted) throw new LinkError('aborted');
    const r = await get(`/api/v1/chat/links/${link.id}`);
    if (!r.ok) throw fail(r);
    if (r.data.state === 'expired') throw new LinkError('expired');
    if (r.data.state === 'approved') {
      const { secret, ephSk, request: req } = link.state;
      const got = engine.c.linkFinish(fromB64(r.data.response), req, secret, ephSk, engine.me);
      secret.fill(0);
      ephSk.fill(0);
      await engine.run(async () => {
        if (engine.aik) engine.c.free(engine.aik);
        engine.aik = engine.c.aikImport(got.aikSk);
        got.aikSk.fill(0);
        engine.aikGen = 0;
        await engine.store.put(...engine.aikRecord());
        await engine.ensureAccount();
      });
      return true;
    }
    await new Promise((resolve) => {
      const t = setTimeout(resolve, POLL_MS);
      signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}

// ---- the existing device

// My account's current signed list, verified with my own key, and the
// registered devices: {list, registered: [{id, ik, name}]}.
async function myDevices(engine) {
  const r = await get(`/api/v1/users/${encodeURIComponent(engine.me)}/chat-devices`);
  if (!r.ok) throw fail(r);
  const registered = r.data.devices.map((d) => ({ id: d.id, ik: d.identity ?? d.identity_key, name: d.name ?? null }));
  let list = null;
  if (r.data.device_list) {
    list = engine.c.devlistVerify(fromB64(r.data.device_list), engine.me);
    if (!engine.aik || !same(list.aik, engine.c.aikKey(engine.aik))) throw new LinkError('server', 'the account list is not signed by my key');
  }
  return { list, registered };
}

// Publishes my account's list with exactly devices (identity keys, bytes).
async function publish(engine, devices, version) {
  const list = engine.c.devlistSign(engine.aik, engine.me, version, unix(), devices);
  const p = await put('/api/v1/chat/device-list', { list: toB64(list), device: engine.device });
  if (!p.ok) throw fail(p);
  engine.emit('devices', { version });
  return list;
}

// The existing device approves the code typed from the new device: the
// request's MAC must check with the code's secret, its device must be one of
// my registered devices; the response carries my account key and the new
// list (my listed devices + the new one), which is then published. Resolves
// with the new device's id.
export function approveLink(engine, text) {
  return engine.run(async () => {
    if (!engine.aik) throw new LinkError('server', 'this device does not hold the account key');
    let code;
    try {
      code = engine.c.linkParseCode(text);
    } catch {
      throw new LinkError('code');
    }
    try {
      const r = await get(`/api/v1/chat/links/${encodeURIComponent(code.id)}`);
      if (!r.ok) throw new LinkError(r.error.status === 404 ? 'code' : 'server', r.error.message);
      if (r.data.state !== 'waiting') throw new LinkError('expired');
      const req = fromB64(r.data.request);
      let ik;
      try {
        ik = engine.c.linkCheck(req, code.secret);
      } catch {
        throw new LinkError('mismatch');
      }
      const { list, registered } = await myDevices(engine);
      const dev = registered.find((d) => d.ik === toB64(ik));
      if (!dev || dev.id !== r.data.device) throw new LinkError('mismatch');
      const live = (list?.devices ?? []).filter((d) => registered.some((x) => x.ik === toB64(d)) && !same(d, ik));
      if (live.length + 1 > MAX_DEVICES) throw new LinkError('full');
      const next = engine.c.devlistSign(engine.aik, engine.me, (list?.version ?? 0) + 1, unix(), [...live, ik]);
      const secret = engine.c.aikSecret(engine.aik);
      const response = engine.c.linkApprove(req, code.secret, secret, next);
      secret.fill(0);
      const a = await post(`/api/v1/chat/links/${encodeURIComponent(code.id)}/approve`, { response: toB64(response) });
      if (!a.ok) throw a.error.code === 'link_expired' ? new LinkError('expired') : fail(a);
      const p = await put('/api/v1/chat/device-list', { list: toB64(next), device: engine.device });
      if (!p.ok) throw fail(p);
      engine.emit('devices', { linked: dev.id });
      return dev.id;
    } finally {
      code.secret.fill(0);
    }
  });
}

// ---- managing

// This device was removed from my account's signed list by another of my
// devices: it drops the account key (sealed record and handle) and waits to be
// linked again (engine.needsLink). Called by engine.ensureAccount.
export async function forgetAccount(engine) {
  if (engine.aik) engine.c.free(engine.aik);
  engine.aik = null;
  await engine.store.batch([['del', 'state', 'aik']]);
  engine.setNeedsLink(true);
}

export async function renameDevice(id, name) {
  const r = await request('PATCH', `/api/v1/chat/devices/${encodeURIComponent(id)}`, { name: name || null });
  if (!r.ok) throw fail(r);
  return r.data.name;
}

// Removes one of my other devices: first a new signed list without it (so
// my contacts stop encrypting to it even if the server kept it), then the
// server's DELETE. Without the account key (an unlinked device) only the
// DELETE is possible.
export function removeDevice(engine, id) {
  return engine.run(async () => {
    if (engine.aik) {
      const { list, registered } = await myDevices(engine);
      const gone = registered.find((d) => d.id === id);
      if (list && gone && list.devices.some((d) => toB64(d) === gone.ik)) {
        const keep = list.devices.filter((d) => toB64(d) !== gone.ik && registered.some((x) => x.ik === toB64(d)));
        if (keep.length) await publish(engine, keep, list.version + 1);
      }
    }
    const r = await request('DELETE', `/api/v1/chat/devices/${encodeURIComponent(id)}`);
    if (!r.ok && r.error.status !== 404) throw fail(r);
    // Sessions with the removed device are of no further use.
    for (const s of engine.sessions.filter((x) => x.device === id)) {
      engine.c.free(s.handle);
      await engine.store.batch([['del', 'sessions', s.key]]);
    }
    engine.sessions = engine.sessions.filter((x) => x.device !== id);
  });
}

// ---- own-device copies

// Envelopes of plain (the v1 payload bytes of a message to peer) for my own
// other listed devices, each as a copy; with the sessions used, to be stored
// with the outbox entry. [] when I have no other device (or none is known).
export async function ownCopies(engine, peer, plain) {
  if (peer === engine.me || engine.needsLink) return { envelopes: [], sessions: [] };
  let mine;
  try {
    mine = (await engine.sessionsFor(engine.me)).filter((t) => t.device !== engine.device);
  } catch (err) {
    console.info('chat: no copies for my other devices this time:', err.message);
    return { envelopes: [], sessions: [] };
  }
  if (!mine.length) return { envelopes: [], sessions: [] };
  const copy = enc.encode(JSON.stringify({ v: 2, kind: 'copy', peer, body: dec.decode(plain) }));
  const envelopes = mine.map((t) => ({ device: t.device, body: toB64(engine.c.encrypt(t.session.handle, copy)) }));
  copy.fill(0);
  return { envelopes, sessions: mine.map((t) => t.session) };
}

// A copy's plaintext (bytes) → the v1 payload text it carries, or null when
// it is not exactly a copy for peer `to` (the relay's label, which must
// agree). The core reads it (pa_copy_parse, fuzzed with fuzz_link).
export function readCopy(engine, plain, to) {
  try {
    const body = engine.c.copyRead(plain, to);
    const text = dec.decode(body);
    body.fill(0);
    return text;
  } catch (err) {
    console.warn('chat: refused a copy:', err.message);
    return null;
  }
}
