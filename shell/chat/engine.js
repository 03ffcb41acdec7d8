// The chat client for one signed-in account: keys and sessions (restored from
// the sealed store after a reload), the outbox, and the relay socket.
//
// Sending: send() stores the message and an outbox entry in one transaction,
// then flush() encrypts it once per recipient device — the envelopes are
// stored with the sessions before anything goes out, so a retry resends the
// very same bytes — and sends it with its client id (cid). The server stores
// a cid once; "sent" removes the outbox entry. The outbox is flushed again
// whenever the socket opens, so messages survive going offline, reloads and
// server restarts with no loss and no duplicate.
// Receiving: a message whose (sender, cid) is known is only acked again;
// otherwise it is decrypted, stored with its session, and then acked.
// Every operation runs in one queue, so the core's sessions and their sealed
// copies never interleave.
import { get, post, put, request, wsUrl } from '../api.js';
import { loadChatModule, wrapChat, toB64, fromB64 } from './crypto.js';
import { openStore } from './store.js';
import { openVault } from './vault.js';
import { ChatSocket } from './socket.js';
import { Groups } from './groups.js';
import { Identity, IdentityChanged, MAX_DEVICES } from './identity.js';
import { forgetAccount, ownCopies, readCopy } from './devices.js';

export { IdentityChanged, MAX_DEVICES };
import * as robust from './robust.js';

const OPK_FIRST = 50, OPK_LOW = 20, OPK_BATCH = 50;
const unix = () => Math.floor(Date.now() / 1000);
const enc = new TextEncoder();
const dec = new TextDecoder();

// What a ratchet message carries: the text as UTF-8, or, with a photo (or
// text that itself starts with "{"), JSON {v: 1, text, image}. image is
// {id, key, type, w, h}: where the encrypted bytes are on the server and the
// 56-byte secretstream key + header (base64) that opens them.
function encodePayload(text, image) {
  return enc.encode(image || text.startsWith('{') ? JSON.stringify({ v: 1, text, ...(image ? { image } : {}) }) : text);
}

// A ratchet plaintext that is a call payload ({"v":2,"kind":"call",…}).
function isCallPayload(bytes) {
  if (bytes[0] !== 0x7b) return false;
  try {
    return JSON.parse(dec.decode(bytes))?.kind === 'call';
  } catch {
    return false;
  }
}

function decodePayload(s) {
  if (s.startsWith('{')) {
    try {
      const o = JSON.parse(s);
      if (o?.v === 1 && typeof o.text === 'string') {
        const i = o.image;
        const image = i && /^[0-9a-f]{32}$/.test(i.id) && typeof i.key === 'string' && i.key.length === 76
          && /^image\/(jpeg|png)$/.test(i.type) && Number.isInteger(i.w) && Number.isInteger(i.h)
          ? { id: i.id, key: i.key, type: i.type, w: i.w, h: i.h } : null;
        return { text: o.text, image };
      }
    } catch {
      // plain text that happens to start with "{"
    }
  }
  return { text: s, image: null };
}

let current = null; // {user, engine: Promise}

// Signed out, signed in as someone else, or the session expired: the chat
// of the previous account stops (socket closed, keys wiped from memory).
// Resolves once it has stopped.
function stopCurrent() {
  const was = current;
  current = null;
  return was ? was.engine.then((e) => e.stop(), () => {}) : Promise.resolve();
}
addEventListener('pa:session-changed', stopCurrent);
addEventListener('pa:session-expired', stopCurrent);

// Other tabs of this browser hear when chat for an account is signed out
// here (its device removed), and stop theirs before it registers again.
const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('petamigos-chat') : null;
if (tabs) tabs.onmessage = (e) => { if (e.data?.stop && e.data.stop === current?.user) stopCurrent(); };

// Stops chat for the account user (an id) in every tab of this browser;
// resolves once this tab's has stopped. For removing this browser's device:
// a running engine would otherwise register a new one at once.
export function stopChat(user) {
  tabs?.postMessage({ stop: user });
  return current?.user === user ? stopCurrent() : Promise.resolve();
}

// The engine for the signed-in user, started once per page.
export function chatEngine(user) {
  if (current?.user !== user.id) {
    stopCurrent();
    const engine = ChatEngine.start(user);
    current = { user: user.id, engine };
    engine.catch(() => { if (current?.engine === engine) current = null; });
  }
  return current.engine;
}

// Thrown when another tab of this browser runs chat for the same account:
// two copies of the ratchet state would fork (and reuse keys), so only the
// tab holding the Web Lock runs it.
export class ChatBusy extends Error {}

// Thrown when this browser cannot register as a device: the account has
// MAX_DEVICES already (the server refuses a new one; nothing is evicted).
export class ChatDeviceLimit extends Error {}

// Thrown by send while this device is not linked: the account has devices
// whose account key this one does not hold (engine.needsLink).
export class ChatNeedsLink extends Error {}

const same = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

class ChatEngine extends EventTarget {
  static async start(user) {
    const release = await new Promise((resolve) => {
      navigator.locks.request(`petamigos-chat-${user.id}`, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(null);
        return new Promise((done) => resolve(done)); // held until stop()
      });
    });
    if (!release) throw new ChatBusy('chat is open in another tab');
    const e = new ChatEngine(user);
    e.release = release;
    try {
      await e.init();
    } catch (err) {
      e.stop();
      throw err;
    }
    return e;
  }

  constructor(user) {
    super();
    this.me = user.id;
    this.sessions = []; // {key, peer, device, handle, gen, used}
    this.queue = Promise.resolve();
    this.typingSent = new Map();
    this.visible = null; // the peer whose conversation is on screen
    this.localPhotos = new Map(); // cid → decrypted photo Blob, this page's life
    this.groups = new Groups(this); // group chats (groups.js)
    this.idn = new Identity(this); // contacts' pinned identities (identity.js)
    this.aik = null; // my account identity key's handle, when this device holds it
    this.myAik = null; // my account's AIK (public bytes), once known
    this.needsLink = false; // the account has a list whose key this device lacks
  }

  // Runs fn after everything queued before it; the result (or failure) is
  // fn's, for the caller to handle; the queue goes on either way.
  run(fn) {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => {});
    return p;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async init() {
    this.store = await openStore(this.me);
    this.vault = await openVault(this.store);
    this.c = wrapChat(await loadChatModule());
    const id = await this.store.get('state', 'identity');
    if (id) {
      this.identity = this.c.open(1, this.vault.raw, id.gen, id.blob);
      Object.assign(this, { idGen: id.gen, device: id.device, opkFrom: id.opkFrom });
    } else {
      this.identity = this.c.identityCreate(unix(), OPK_FIRST);
      Object.assign(this, { idGen: 0, device: null, opkFrom: 1 });
      await this.store.put(...this.identityRecord());
    }
    const aik = await this.store.get('state', 'aik');
    if (aik) {
      this.aik = this.c.open(4, this.vault.raw, aik.gen, aik.blob);
      this.aikGen = aik.gen;
    }
    robust.loadSessions(this, await this.store.all('sessions'));
    if (!this.device) {
      // Registered before chat opens, so a refusal at the device cap is said
      // plainly; any other failure is retried by connect() below.
      try {
        await this.run(() => this.publish());
      } catch (err) {
        if (err instanceof ChatDeviceLimit) throw err;
      }
    }
    // Who this device is for the account (first device, linked, or needing a
    // link) before any screen asks; offline, connect() finds out later.
    await this.run(() => this.ensureAccount()).catch((err) => console.info('chat: account identity later:', err.message));
    this.connect().catch((err) => console.info('chat: offline for now:', err.message));
  }

  // ['state', record] with the identity sealed under the next generation.
  identityRecord() {
    this.idGen += 1;
    const blob = this.c.seal(this.identity, this.vault.raw, this.idGen);
    return ['state', { key: 'identity', blob, gen: this.idGen, device: this.device, opkFrom: this.opkFrom }];
  }

  sessionRecord(s) {
    s.gen += 1;
    s.used = Date.now();
    s.blob = this.c.seal(s.handle, this.vault.raw, s.gen);
    const { handle, ...rec } = s;
    return ['sessions', rec];
  }

  // Registers the device (once), tops up prekeys, rotates the signed prekey
  // when due, then opens the socket. Retried while offline.
  async connect() {
    if (this.stopped) return;
    try {
      await this.run(() => this.publish());
      await this.run(() => this.ensureAccount());
    } catch (err) {
      // At the device cap, asking again changes nothing until a device is removed.
      if (!(err instanceof ChatDeviceLimit)) this.retry = setTimeout(() => this.connect().catch(() => {}), 5000);
      throw err;
    }
    if (this.socket || this.stopped) return;
    const url = () => wsUrl(`/api/v1/chat/socket?device=${this.device}`);
    this.socket = new ChatSocket(url(), (f) => this.run(() => this.onFrame(f)).catch((err) => console.error('chat:', err)), (open) => {
      this.emit('state', { open });
      if (open) {
        this.run(() => this.flush()).catch((err) => console.info('chat: send later:', err.message));
      } else if (Date.now() - (this.checked ?? 0) > 30_000) {
        // Closed: at most every 30 s, check the device is still registered
        // (and top up prekeys), so a refused socket gets a device it can use.
        this.checked = Date.now();
        this.run(() => this.publish()).then(() => { this.socket.url = url(); }, () => {});
      }
    });
    this.socket.connect();
  }

  async publish() {
    if (!this.device) {
      const r = await post('/api/v1/chat/devices', { bundle: toB64(this.c.bundle(this.identity, 1)) });
      if (!r.ok && r.error.status === 409) throw new ChatDeviceLimit(r.error.message);
      if (!r.ok) throw new Error(r.error.message || r.error.kind);
      this.device = r.data.id;
      this.opkFrom = this.c.opkNextId(this.identity);
      await this.store.put(...this.identityRecord());
      return;
    }
    const r = await get(`/api/v1/chat/devices/${this.device}`);
    if (!r.ok && r.error.status === 404) {
      // The server no longer knows this device (its data was reset): register again.
      this.device = null;
      return this.publish();
    }
    if (!r.ok) throw new Error(r.error.message || r.error.kind);
    const added = r.data.prekeys < OPK_LOW ? this.c.opkReplenish(this.identity, 200, OPK_BATCH) : 0;
    const rotated = this.c.spkRotateIfDue(this.identity, unix());
    if (!added && !rotated) return;
    await this.store.put(...this.identityRecord()); // the new keys exist before anyone can use them
    robust.reportGeneration(this);
    const p = await put(`/api/v1/chat/devices/${this.device}/prekeys`, { bundle: toB64(this.c.bundle(this.identity, this.opkFrom)) });
    if (!p.ok) throw new Error(p.error.message || p.error.kind);
    this.opkFrom = this.c.opkNextId(this.identity);
    await this.store.put(...this.identityRecord());
    robust.reportGeneration(this);
  }

  // The account's identity (identity.js): the first device of an account (no
  // list on the server, or none of its devices left) makes the account key,
  // seals it, and publishes a list naming itself; a device holding the key
  // keeps itself listed; any other device needs linking and never publishes.
  // This is also how a profile from before account keys carries over: its
  // device becomes the first one.
  async ensureAccount() {
    if (!this.device) return;
    const r = await get(`/api/v1/users/${encodeURIComponent(this.me)}/chat-devices`);
    if (!r.ok) throw new Error(r.error.message || r.error.kind);
    const registered = r.data.devices.map((d) => d.identity ?? d.identity_key);
    const ik = this.c.identityKey(this.identity);
    let list = null;
    if (r.data.device_list) {
      try {
        list = this.c.devlistVerify(fromB64(r.data.device_list), this.me);
      } catch (err) {
        console.warn('chat: my account\'s device list does not verify:', err.message);
      }
    }
    const live = list ? list.devices.filter((d) => registered.includes(toB64(d))) : [];
    const key = this.aik ? this.c.aikKey(this.aik) : null;
    if (list && key && same(list.aik, key)) {
      this.myAik = key;
      if (list.devices.some((d) => same(d, ik))) {
        this.setNeedsLink(false);
        return;
      }
      // Another device of mine removed this one from the list (devices.js):
      // it gives the account key up and must be linked again to chat.
      return forgetAccount(this);
    }
    if (list && live.length) {
      this.myAik = list.aik;
      this.setNeedsLink(true);
      return;
    }
    // No list, or a list none of whose devices exists any more: first device.
    if (!this.aik) {
      this.aik = this.c.aikCreate();
      this.aikGen = 0;
      await this.store.put(...this.aikRecord());
    }
    this.myAik = this.c.aikKey(this.aik);
    this.setNeedsLink(false);
    return this.publishList([ik], (list?.version ?? 0) + 1);
  }

  aikRecord() {
    this.aikGen += 1;
    return ['state', { key: 'aik', blob: this.c.seal(this.aik, this.vault.raw, this.aikGen), gen: this.aikGen }];
  }

  // Signs and publishes my account's list of devices (identity keys).
  async publishList(devices, version) {
    const list = this.c.devlistSign(this.aik, this.me, version, unix(), devices);
    const p = await put('/api/v1/chat/device-list', { list: toB64(list), device: this.device });
    if (!p.ok) throw new Error(p.error.message || p.error.kind);
    this.emit('devices', { version });
  }

  setNeedsLink(on) {
    if (this.needsLink === on) return;
    this.needsLink = on;
    this.emit('needs-link', { needsLink: on });
  }

  // Before a new message to peer: refused while this device is not linked,
  // or while peer's identity or devices changed and the person has not
  // confirmed (identity.accept) — checked against the server when online.
  async guard(peer) {
    if (this.needsLink) throw new ChatNeedsLink('this device is not linked to your account yet');
    let notice;
    try {
      notice = (await this.idn.check(peer)).notice;
    } catch {
      notice = await this.idn.blocked(peer);
    }
    if (notice) throw new IdentityChanged(peer, notice.kind);
  }

  get online() {
    return !!this.socket?.open;
  }

  // ---- conversations

  async conversation(peer) {
    const rec = await this.store.get('convs', peer);
    return rec ? this.vault.open(`conv:${peer}`, rec.sealed) : { peer, name: '', last: '', lastAt: 0, unread: 0, draft: '' };
  }

  async convRecord(peer, change) {
    const conv = { ...(await this.conversation(peer)), ...change };
    return ['convs', { key: peer, sealed: await this.vault.seal(`conv:${peer}`, conv) }];
  }

  async conversations() {
    const all = await Promise.all((await this.store.all('convs')).map((r) => this.vault.open(`conv:${r.key}`, r.sealed)));
    return all.filter((c) => c.lastAt).sort((a, b) => b.lastAt - a.lastAt);
  }

  updateConversation(peer, change) {
    return this.run(async () => {
      await this.store.put(...(await this.convRecord(peer, change)));
    });
  }

  async messageRecord(m, text, image = null) {
    return ['messages', { ...m, key: `${m.peer}|${m.cid}`, sealed: await this.vault.seal(`msg:${m.peer}|${m.cid}`, { text, image }) }];
  }

  // A conversation's messages, oldest first (unsent ones last, in send order).
  async messages(peer) {
    const recs = await this.store.all('messages', peer);
    const list = await Promise.all(recs.map(async (r) => {
      const { sealed, ...m } = r;
      const { text, image } = await this.vault.open(`msg:${r.key}`, sealed);
      return { ...m, text, image: image ?? null };
    }));
    return list.sort((a, b) => (a.seq || Infinity) - (b.seq || Infinity) || a.at - b.at);
  }

  // ---- sending

  send(peer, text, name) {
    return this.run(async () => {
      await this.guard(peer);
      const m = { peer, cid: crypto.randomUUID(), dir: 'out', at: Date.now(), seq: 0, status: 'pending' };
      await this.store.put(...(await this.messageRecord(m, text)),
        'outbox', { key: m.cid, peer, at: m.at, envelopes: null },
        // Writing to someone accepts them, here as at the relay (chat/requests.js).
        ...(await this.convRecord(peer, { last: text, lastAt: m.at, draft: '', request: false, accepted: true, ...(name ? { name } : {}) })));
      this.emit('change', { peer });
      // Stored: from here on it is the outbox's to deliver, whatever happens now.
      await this.flush().catch((err) => console.info('chat: send later:', err.message));
    });
  }

  // A photo (already prepared: no metadata): encrypted here, uploaded by flush().
  sendPhoto(peer, bytes, { type, w, h }, name) {
    return this.run(async () => {
      await this.guard(peer);
      const { key, sealed } = this.c.attachEncrypt(bytes);
      const m = { peer, cid: crypto.randomUUID(), dir: 'out', at: Date.now(), seq: 0, status: 'pending' };
      const image = { id: null, key: toB64(key), type, w, h };
      key.fill(0);
      this.localPhotos.set(m.cid, new Blob([bytes], { type }));
      await this.store.put(...(await this.messageRecord(m, '', image)),
        'outbox', { key: m.cid, peer, at: m.at, envelopes: null, upload: sealed },
        ...(await this.convRecord(peer, { last: '📷', lastAt: m.at, request: false, accepted: true, ...(name ? { name } : {}) })));
      this.emit('change', { peer });
      // Stored: from here on it is the outbox's to deliver, whatever happens now.
      await this.flush().catch((err) => console.info('chat: send later:', err.message));
    });
  }

  // The decrypted photo of a message as a Blob (null when it cannot be had).
  async photo(m) {
    if (this.localPhotos.has(m.cid)) return this.localPhotos.get(m.cid);
    if (!m.image?.id) return null;
    const r = await get(`/api/v1/chat/attachments?id=${m.image.id}`);
    if (!r.ok) return null;
    const key = fromB64(m.image.key);
    const blob = new Blob([this.c.attachDecrypt(key, fromB64(r.data.data))], { type: m.image.type });
    key.fill(0);
    this.localPhotos.set(m.cid, blob);
    return blob;
  }

  // A session per device of peer in peer's trusted signed list
  // (identity.check): the most recently used, else a new one from a fresh
  // bundle whose identity key must be the listed one. Returns
  // [{device, session}], [] when peer has no such device. Throws
  // IdentityChanged while a change waits for the person's confirmation.
  // only: just these device ids (a resend after a failure).
  async sessionsFor(peer, only = null) {
    const who = await this.idn.check(peer);
    if (who.notice) throw new IdentityChanged(peer, who.notice.kind);
    const out = [];
    for (const d of who.devices) {
      if (d.id === this.device) continue; // my own list names this device: never a target
      if (only && !only.includes(d.id)) continue;
      let s = this.sessions.filter((x) => x.device === d.id).sort((a, b) => b.used - a.used)[0];
      if (s) robust.openHandle(this, s);
      if (!s) {
        const b = await post(`/api/v1/chat/devices/${d.id}/bundle`, {});
        if (!b.ok) throw new Error(b.error.message || b.error.kind);
        const bundle = fromB64(b.data.bundle);
        if (toB64(bundle.subarray(1, 33)) !== d.ik) throw new Error(`the server served another key for ${d.id}`);
        robust.makeRoom(this);
        s = { key: crypto.randomUUID(), peer, device: d.id, gen: 0, used: Date.now(), handle: this.c.start(this.identity, bundle) };
        this.sessions.push(s);
        await robust.prune(this, d.id, s);
      }
      out.push({ device: d.id, session: s });
    }
    return out;
  }

  async flush() {
    if (!this.online) return;
    const items = (await this.store.all('outbox')).sort((a, b) => a.at - b.at);
    for (const item of items) {
      if (item.group) {
        if (!(await this.groups.flush(item))) return;
        continue;
      }
      if (item.upload) {
        const r = await request('POST', '/api/v1/chat/attachments', new Blob([item.upload], { type: 'application/octet-stream' }));
        if (!r.ok) {
          console.info('chat: photo upload will be retried:', r.error.kind);
          return;
        }
        const m = (await this.messages(item.peer)).find((x) => x.cid === item.key);
        const { text, image, ...rest } = m;
        item.upload = null;
        await this.store.put('outbox', item, ...(await this.messageRecord(rest, text, { ...image, id: r.data.id })));
      }
      if (!item.envelopes) {
        const m = (await this.messages(item.peer)).find((x) => x.cid === item.key);
        let targets;
        try {
          targets = await this.sessionsFor(item.peer, item.devices);
        } catch (err) {
          if (err instanceof IdentityChanged) continue; // held until the person confirms
          console.info('chat: will retry:', err.message);
          return;
        }
        if (!targets.length) {
          await this.store.put(...(await this.convRecord(item.peer, { noDevice: true })));
          this.emit('change', { peer: item.peer });
          continue;
        }
        const plain = encodePayload(m.text, m.image);
        item.envelopes = targets.map((t) => ({ device: t.device, body: toB64(this.c.encrypt(t.session.handle, plain)) }));
        const copies = await ownCopies(this, item.peer, plain); // my other devices (devices.js)
        item.envelopes.push(...copies.envelopes);
        plain.fill(0);
        await this.store.put('outbox', item, ...targets.flatMap((t) => this.sessionRecord(t.session)),
          ...copies.sessions.flatMap((s) => this.sessionRecord(s)),
          ...(await this.convRecord(item.peer, { noDevice: false })));
      }
      if (!this.socket.send({ type: 'send', id: item.key, to: item.peer, envelopes: item.envelopes })) return;
    }
  }

  typing(peer) {
    const last = this.typingSent.get(peer) ?? 0;
    if (Date.now() - last < 3000) return;
    this.typingSent.set(peer, Date.now());
    this.socket?.send({ type: 'typing', to: peer });
  }

  // Tells peer what was read (the highest sequence number received) and clears the unread count.
  markRead(peer) {
    return this.run(async () => {
      const seq = Math.max(0, ...(await this.messages(peer)).filter((m) => m.dir === 'in').map((m) => m.seq));
      const conv = await this.conversation(peer);
      if (conv.unread) await this.store.put(...(await this.convRecord(peer, { unread: 0 })));
      // A message request is read in silence: its sender learns nothing (chat/requests.js).
      if (seq && !conv.request && seq > (conv.readSent ?? 0) && this.socket?.send({ type: 'read', to: peer, seq })) {
        await this.store.put(...(await this.convRecord(peer, { readSent: seq })));
      }
    });
  }

  // ---- frames from the relay

  async onFrame(f) {
    if (this.stopped) return undefined; // e.g. stopped by a stale profile's hello
    if (f.group && f.type !== 'msg') return this.groups.onFrame(f);
    switch (f.type) {
      case 'msg': return this.receive(f);
      case 'hello': robust.checkGeneration(this, f); return undefined;
      case 'sent':
        await robust.onSent(this, f.to);
        return this.setStatus(f.to, f.id, 'sent', f.seq, [['del', 'outbox', f.id]]);
      case 'failed': return robust.onFailed(this, f);
      case 'delivered':
        // A copy reached another device of mine: nothing to show the person.
        if (f.to !== this.me) await this.setStatus(f.to, f.cid, 'delivered', f.seq, [['del', 'outbox', f.cid]]);
        this.socket.send({ type: 'delivered_ack', ids: [f.id] });
        return undefined;
      case 'read': return this.readUpTo(f.from, f.seq);
      case 'typing': this.emit('typing', { peer: f.from }); return undefined;
      case 'error':
        console.warn('chat relay:', f.code, f.message);
        if (f.id && (await this.groups.refused(f))) return undefined;
        // A message the relay could not take stays in the outbox: try again later.
        return f.id ? robust.onSendError(this, f) : undefined;
      default: return undefined;
    }
  }

  async setStatus(peer, cid, status, seq, extra = []) {
    const key = `${peer}|${cid}`;
    const rec = await this.store.get('messages', key);
    const rank = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
    const ops = [...extra];
    if (rec && rank[status] > rank[rec.status]) ops.push(['put', 'messages', { ...rec, status, seq: seq || rec.seq }]);
    else if (rec && seq && !rec.seq) ops.push(['put', 'messages', { ...rec, seq }]);
    if (ops.length) await this.store.batch(ops);
    this.emit('change', { peer });
  }

  async readUpTo(peer, seq) {
    const recs = (await this.store.all('messages', peer)).filter((r) => r.dir === 'out' && r.seq && r.seq <= seq && r.status !== 'read' && r.status !== 'failed');
    if (recs.length) await this.store.batch(recs.map((r) => ['put', 'messages', { ...r, status: 'read' }]));
    this.emit('change', { peer });
  }

  async receive(f) {
    // A copy (f.to) is what another device of mine sent to f.to: filed under
    // that person as an outgoing message (devices.js). The sender is me then.
    const sender = f.from, copy = !!f.to && sender === this.me;
    const peer = copy ? f.to : sender;
    const known = await this.store.get('messages', f.group ? `${f.group}|${sender}|${f.cid}` : `${peer}|${f.cid}`);
    if (known) {
      this.socket.send({ type: known.failed ? 'failed' : 'ack', ids: [f.id] });
      return;
    }
    const bytes = fromB64(f.body);
    let text = null, session = null, idChanged = false;
    // A session start opens a session only from a device of the sender's
    // trusted signed list, labelled with its own id; others are dropped and
    // answered failed (IK_A is bytes 1..33 of a start; X3DH authenticates it).
    if (robust.isStart(bytes) && !robust.startOwner(this, bytes, f.from_device)
        && !(await this.idn.allowsStart(sender, f.from_device, bytes.subarray(1, 33)).catch(() => false))) {
      console.warn('chat: refused a session start from an unlisted device', f.from_device);
      this.socket.send({ type: 'failed', ids: [f.id] });
      return;
    }
    try {
      if (robust.isStart(bytes)) {
        session = robust.startOwner(this, bytes, f.from_device);
        if (session) {
          text = this.c.decrypt(session.handle, bytes);
        } else {
          robust.makeRoom(this);
          const r = this.c.accept(this.identity, bytes);
          session = { key: crypto.randomUUID(), peer: sender, device: f.from_device, gen: 0, used: Date.now(), base: robust.startBase(bytes), handle: r.session };
          this.sessions.push(session);
          text = r.plain;
          idChanged = true;
          await robust.prune(this, f.from_device, session);
        }
      } else {
        const mine = this.sessions.filter((s) => s.device === f.from_device).sort((a, b) => b.used - a.used);
        for (const s of mine) {
          try {
            text = this.c.decrypt(robust.openHandle(this, s), bytes);
            session = s;
            break;
          } catch {
            // another session with this device may own it
          }
        }
      }
    } catch (err) {
      console.warn('chat: refused a message:', err.fault || err.message);
    }
    if (f.group) {
      // A group's payload: groups.js files it (with the session) before the ack.
      await this.groups.receive(f, text ? dec.decode(text) : null,
        [...(session ? this.sessionRecord(session) : []), ...(idChanged ? this.identityRecord() : [])]);
      text?.fill(0);
      // Not decrypted: "failed", so the sender re-keys (as for 1:1 messages).
      this.socket.send({ type: text ? 'ack' : 'failed', ids: [f.id] });
      if (idChanged) robust.reportGeneration(this);
      if (idChanged) this.run(() => this.publish()).catch(() => {});
      return;
    }
    // Call signalling (kind "call") is calls.js's, never a message: its session is kept, it is acked.
    if (text && !copy && isCallPayload(text)) return this.receiveCall(f, text, session, idChanged);
    // rid: the relay's id of the message as received, what a report names it by (cm_…).
    // A copy whose own peer disagrees with the relay's label is refused.
    const copied = copy && text ? readCopy(this, text, f.to) : null;
    const plain = copy ? copied ?? '' : text ? dec.decode(text) : '';
    text?.fill(0);
    if (copy && copied === null) {
      // Not decrypted: failed, as for any message; decrypted but not a copy for f.to: dropped.
      console.warn('chat: refused a copy that is not one for', f.to);
      if (session) await this.store.put(...this.sessionRecord(session), ...(idChanged ? this.identityRecord() : []));
      this.socket.send({ type: text ? 'ack' : 'failed', ids: [f.id] });
      return;
    }
    const m = copy
      ? { peer, cid: f.cid, dir: 'out', at: Date.parse(f.at) || Date.now(), seq: f.seq, status: 'sent', failed: !text }
      : { peer, cid: f.cid, rid: f.id, dir: 'in', at: Date.parse(f.at) || Date.now(), seq: f.seq, status: 'received', failed: !text };
    const { text: body, image } = decodePayload(plain);
    const conv = await this.conversation(peer);
    const seen = this.visible === peer && document.visibilityState === 'visible';
    await this.store.put(...(await this.messageRecord(m, body, image)),
      ...(session ? this.sessionRecord(session) : []),
      ...(idChanged ? this.identityRecord() : []),
      ...(await this.convRecord(peer, { last: image && !body ? '📷' : body, lastAt: Math.max(conv.lastAt, m.at), unread: copy ? conv.unread || 0 : seen ? 0 : (conv.unread || 0) + 1,
        request: !copy && !!f.request && !conv.accepted })));
    // Not decrypted: the sender hears "failed" (and starts a new session), never "delivered".
    this.socket.send({ type: text ? 'ack' : 'failed', ids: [f.id] });
    if (idChanged) robust.reportGeneration(this);
    this.emit('change', { peer });
    if (idChanged) this.run(() => this.publish()).catch(() => {}); // a one-time prekey is spent: top up
  }

  // ---- calls (calls.js): signalling as E2E messages of kind "call"

  async receiveCall(f, text, session, idChanged) {
    let p = null;
    try {
      p = this.c.callParse(text); // the core's strict check (pa_callsig.h); refused ones are dropped
    } catch (err) {
      console.warn('chat: refused a call payload:', err.message);
    }
    text.fill(0);
    const recs = [...(session ? this.sessionRecord(session) : []), ...(idChanged ? this.identityRecord() : [])];
    if (recs.length) await this.store.put(...recs);
    this.socket.send({ type: 'ack', ids: [f.id] });
    if (idChanged) robust.reportGeneration(this);
    if (idChanged) this.run(() => this.publish()).catch(() => {});
    if (p) {
      const { callsFor } = await import('./calls.js');
      callsFor(this).receive(f.from, f.from_device, p, Date.parse(f.at) || Date.now());
    }
  }

  // Sends a call payload to peer's devices (all, or those listed), encrypted
  // per device like a message but sent at once and never stored (a call
  // signal retried later is useless). Resolves to the devices it went to.
  sendCall(peer, payload, devices = null) {
    return this.run(async () => {
      if (!this.online) throw new Error('offline');
      const targets = (await this.sessionsFor(peer)).filter((t) => !devices || devices.includes(t.device));
      if (!targets.length) throw new Error('no device to call');
      const plain = enc.encode(JSON.stringify(payload));
      const envelopes = targets.map((t) => ({ device: t.device, body: toB64(this.c.encrypt(t.session.handle, plain)) }));
      plain.fill(0);
      await this.store.put(...targets.flatMap((t) => this.sessionRecord(t.session)));
      if (!this.socket.send({ type: 'send', id: crypto.randomUUID(), to: peer, envelopes })) throw new Error('offline');
      return targets.map((t) => t.device);
    });
  }

  // ---- identities and safety numbers (identity.js)

  // identity.check(peer): which of peer's devices are trusted targets, and
  // what changed; check(me) gives my own other listed devices.
  checkIdentity(peer) {
    return this.run(() => this.idn.check(peer));
  }

  // The person confirmed "Send anyway": held messages go out.
  acceptIdentity(peer) {
    return this.run(async () => {
      await this.idn.accept(peer);
      this.emit('change', { peer });
      await this.flush().catch((err) => console.info('chat: send later:', err.message));
    });
  }

  setVerified(peer, on) {
    return this.run(async () => {
      await this.idn.setVerified(peer, on);
      this.emit('change', { peer });
      if (on) await this.flush().catch((err) => console.info('chat: send later:', err.message));
    });
  }

  // {number, verified, changed, notice}: the safety number over both account
  // keys (60 digits in 12 groups, '' until both are known).
  safety(peer) {
    return this.run(() => this.idn.check(peer).catch(() => null).then(() => this.idn.safety(peer)));
  }

  stop() {
    this.stopped = true;
    this.emit('stop'); // a call in progress ends (calls.js)
    clearTimeout(this.retry);
    clearTimeout(this.resendTimer);
    this.socket?.stop();
    for (const s of this.sessions) this.c.free(s.handle);
    if (this.identity) this.c.free(this.identity);
    if (this.aik) this.c.free(this.aik);
    this.vault?.wipe();
    this.store?.close();
    this.release?.();
  }
}
