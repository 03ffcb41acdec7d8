// Who a person is (core/src/chat/chat.md, "Account identity and device list";
// issue 22's contract): each account has one account identity key (AIK) that
// signs the list of its devices. The server serves lists but cannot forge
// them; this module decides which of a person's devices we encrypt to and
// accept session starts from, and remembers per contact, sealed in IndexedDB
// (`contacts`: {key: peer, sealed}):
//   aik      the pinned AIK (base64), from the first list seen (trust on first use)
//   list     the newest signed list accepted (base64 bytes), version its version
//   devices  its device identity keys (base64)
//   verified the AIK the person marked verified (base64), '' when not
//   seen     ids of registered devices outside the list already reported
//   notice   null, or {kind: 'identity'|'devices', at, since, injected?} — a change not yet
//            acknowledged: shown in the conversation until the person
//            confirms ("Send anyway") or verifies, and sending asks first.
// A server can still withhold a newer list or serve devices outside the list
// ("pending" or injected ones): those never get an envelope and their starts
// are refused.
import { get } from '../api.js';
import { toB64, fromB64 } from './crypto.js';

// PA_DEVLIST_MAX / PA_CHAT_MAX_DEVICES: devices one account may list.
export const MAX_DEVICES = 5;

// Thrown by engine.send while a contact's identity or device set changed and
// the person has not confirmed yet; peer says whose, kind which change.
export class IdentityChanged extends Error {
  constructor(peer, kind) {
    super(`the identity of ${peer} changed (${kind})`);
    this.peer = peer;
    this.kind = kind;
  }
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export class Identity {
  // engine: {me, c (crypto.js wrapper), store, vault}; myAik() → my AIK's
  // public key bytes or null (set by the engine once it knows).
  constructor(engine) {
    this.e = engine;
    this.cache = new Map(); // peer → contact record (decrypted)
  }

  async contact(peer) {
    if (this.cache.has(peer)) return this.cache.get(peer);
    const rec = await this.e.store.get('contacts', peer);
    const c = rec ? await this.e.vault.open(`contact:${peer}`, rec.sealed) : null;
    if (c) this.cache.set(peer, c);
    return c;
  }

  async save(peer, c) {
    await this.e.store.put('contacts', { key: peer, sealed: await this.e.vault.seal(`contact:${peer}`, c) });
    this.cache.set(peer, c);
  }

  // What the server says about peer's devices, checked against the signed
  // list and what we pinned. Returns
  //   {ok, devices: [{id, ik}], changed: null|'identity'|'devices', verified,
  //    injected: [ids], aik: Uint8Array|null, version, notice}
  // ok is false when peer has no valid list (no device to encrypt to yet).
  // devices are those both registered and in the list we trust; injected the
  // registered ones outside it. A newer list is adopted at once (so removed
  // devices stop getting messages); when it changes the AIK or adds devices,
  // the contact gets a notice that stays until accept() or a verification.
  async check(peer) {
    const r = await get(`/api/v1/users/${encodeURIComponent(peer)}/chat-devices`);
    if (!r.ok) throw new Error(r.error.message || r.error.kind);
    const served = r.data.devices.map((d) => ({ id: d.id, ik: d.identity ?? d.identity_key }));
    let c = await this.contact(peer);
    let list = null;
    if (r.data.device_list) {
      try {
        list = this.e.c.devlistVerify(fromB64(r.data.device_list), peer);
      } catch (err) {
        console.warn('chat: refused a device list of', peer, err.fault || err.message);
      }
    }
    const mine = peer === this.e.me;
    if (list && mine && this.e.myAik && !same(list.aik, this.e.myAik)) list = null; // not my account key: never trust it
    if (list && (!c || list.version > c.version)) {
      const aik = toB64(list.aik), devices = list.devices.map(toB64);
      let notice = c?.notice ?? null, fresh = false;
      if (c && !mine) {
        const kind = aik !== c.aik ? 'identity' : devices.some((d) => !c.devices.includes(d)) ? 'devices' : null;
        // An identity change outranks a pending device notice, never the reverse.
        fresh = !!kind && notice?.kind !== 'identity';
        if (fresh) notice = { kind, at: Date.now(), since: c.aik };
      }
      c = { peer, aik, list: r.data.device_list, version: list.version, devices, verified: c?.verified ?? '', notice, seen: c?.seen };
      await this.save(peer, c);
      if (fresh) this.e.emit?.('identity', { peer, notice });
    }
    if (!c) return { ok: false, devices: [], changed: null, verified: false, injected: served.map((d) => d.id), aik: null, version: 0, notice: null };
    const devices = served.filter((d) => c.devices.includes(d.ik));
    const injected = served.filter((d) => !c.devices.includes(d.ik)).map((d) => d.id);
    // A registered device the signed list does not name (pending, or added
    // by the server) gets nothing, and is a change worth a notice the first
    // time it is seen; not on first contact, nor for my own account.
    const unseen = injected.filter((id) => !(c.seen ?? []).includes(id));
    if (unseen.length) {
      const fresh = !!c.seen && !mine && c.notice?.kind !== 'identity';
      const notice = fresh ? { kind: 'devices', at: Date.now(), since: c.aik, injected: unseen } : c.notice;
      c = { ...c, seen: [...(c.seen ?? []), ...unseen], notice };
      await this.save(peer, c);
      if (fresh) this.e.emit?.('identity', { peer, notice });
    } else if (!c.seen) {
      c = { ...c, seen: [] };
      await this.save(peer, c);
    }
    return {
      ok: devices.length > 0,
      devices,
      changed: c.notice?.kind ?? null,
      verified: !!c.verified && c.verified === c.aik,
      injected,
      aik: fromB64(c.aik),
      version: c.version,
      notice: c.notice,
    };
  }

  // Whether a session start from peer's device (its id as the relay labels
  // it) with identity key ik (32 bytes, the start's cleartext; X3DH
  // authenticates it) may open a session: only a device of peer's trusted
  // list, under its own id. Asks the server for the newest list.
  async allowsStart(peer, device, ik) {
    const who = await this.check(peer);
    const key = toB64(ik);
    return who.devices.some((d) => d.id === device && d.ik === key);
  }

  // The person confirmed sending despite the change ("Send anyway"): the
  // notice goes, the new identity stays pinned (unverified).
  async accept(peer) {
    const c = await this.contact(peer);
    if (!c?.notice) return;
    await this.save(peer, { ...c, notice: null });
    this.e.emit?.('identity', { peer, notice: null });
  }

  // Marks peer verified (for the AIK pinned now) or not; verifying also
  // acknowledges a pending notice.
  async setVerified(peer, on) {
    const c = await this.contact(peer);
    if (!c) return;
    await this.save(peer, { ...c, verified: on ? c.aik : '', notice: on ? null : c.notice });
    this.e.emit?.('identity', { peer, notice: on ? null : c.notice });
  }

  // {number, verified, changed, notice} for the verify screen: the safety
  // number over both AIKs ('' until both are known); changed when peer was
  // verified for an AIK that is no longer theirs.
  async safety(peer) {
    const c = await this.contact(peer);
    const mine = this.e.myAik;
    if (!c || !mine) return { number: '', verified: false, changed: false, notice: c?.notice ?? null };
    return {
      number: this.e.c.safetyAccounts(mine, fromB64(c.aik), this.e.me, peer),
      verified: !!c.verified && c.verified === c.aik,
      changed: !!c.verified && c.verified !== c.aik,
      notice: c.notice,
    };
  }

  // Whether sending to peer must ask first (a notice not acknowledged).
  async blocked(peer) {
    return (await this.contact(peer))?.notice ?? null;
  }
}
