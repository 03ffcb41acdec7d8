// Group chats on this device (core/src/chat/chat.md, "Groups"): pairwise
// fan-out over the existing 1:1 ratchet sessions, one envelope per device of
// each member. The membership that counts is this device's own copy of the
// group (name, members, roles, epoch), kept sealed in IndexedDB in the
// group's conversation record; it changes only by control messages that an
// admin of that copy sent (leave: the leaver), checked by the core
// (groupApply). The server's member list only narrows whom we send to: a
// person the server lists but our copy does not gets nothing (the server
// cannot add a listener), and one our copy lists but the server removed is
// left out, since the relay would refuse their envelopes.
// Each member's devices are the ones identity.check trusts (engine
// sessionsFor: listed by the server and in the member's verified signed
// list); a member whose identity or devices changed and wait for this
// person's confirmation in their 1:1 conversation is left out of that
// message (logged), never sent to unconfirmed.
//
// Records (in the engine's stores, so the database keeps its version):
//   convs     key g_N: sealed {group: true, state (JSON), name, last, lastAt,
//             unread, names {u_N: name}, reads {u_N: seq}, readSent, left}
//   messages  key g_N|cid (mine) or g_N|u_N|cid (received), peer g_N, from
//   outbox    key cid: {group, at, envelopes, owners, sealed payload, then}
import { del, get, post } from '../api.js';
import { toB64 } from './crypto.js';

const enc = new TextEncoder();

// PA_GROUP_MAX_MEMBERS (core pa_group.h, server api/chat_relay.h).
export const MAX_MEMBERS = 32;
// PA_GROUP_NAME_MAX: characters of a group's name.
export const NAME_MAX = 100;

export class Groups {
  constructor(engine) {
    this.e = engine;
    this.typingSent = new Map();
  }

  get me() { return this.e.me; }

  // ---- the device's copy of a group

  async record(g) {
    const c = await this.e.conversation(g);
    return { names: {}, reads: {}, ...c, group: true };
  }

  // The parsed state of g, or null when this device knows no such group.
  async state(g) {
    const r = await this.record(g);
    return r.state ? JSON.parse(r.state) : null;
  }

  // The groups this device knows, newest activity first.
  async list() {
    const all = await this.e.conversations();
    return all.filter((c) => c.group);
  }

  // A person's display name (asked once, kept in the group's record).
  async nameOf(g, user) {
    if (user === this.me) return null;
    const r = await this.record(g);
    if (r.names[user]) return r.names[user];
    const p = await get(`/api/v1/users/${encodeURIComponent(user)}`);
    if (!p.ok) return user;
    await this.e.updateConversation(g, { names: { ...r.names, [user]: p.data.name } });
    return p.data.name;
  }

  // ---- making changes (this device is the sender)

  // A new group named name with this person as its only member (an admin).
  create(name) {
    return this.e.run(async () => {
      const r = await post('/api/v1/chat/groups', {});
      if (!r.ok) throw new Error(r.error.message || r.error.kind);
      const g = r.data.id;
      const payload = { v: 2, kind: 'group', group: g, op: 'create', epoch: 1, name, members: [{ id: this.me, role: 'admin' }] };
      const text = this.e.c.groupParse(JSON.stringify(payload));
      const state = this.e.c.groupApply('', text, this.me, this.me);
      await this.e.store.put(...(await this.e.convRecord(g, { group: true, state, name, lastAt: Date.now(), names: {}, reads: {} })));
      this.e.emit('change', { peer: g });
      return g;
    });
  }

  // Adds user (an admin's act): the server first (it refuses a full group,
  // a block, someone unknown), then the control message to every member of
  // the new copy, the newcomer included, so they learn the list and name.
  add(g, user) {
    return this.e.run(async () => {
      const s = await this.state(g);
      if (!s) throw new Error('no such group');
      const r = await post(`/api/v1/chat/groups/${g}/members`, { user });
      if (!r.ok && r.error.code !== 'already_member') throw Object.assign(new Error(r.error.message || r.error.kind), { code: r.error.code });
      const members = [...s.members, { id: user, role: 'member' }];
      await this.control(g, s, { op: 'add', user, name: s.name, members }, members);
    });
  }

  // Removes user (an admin's act): off the server's list first, so the relay
  // takes nothing more for their devices, then the control message to those left.
  remove(g, user) {
    return this.e.run(async () => {
      const s = await this.state(g);
      if (!s) throw new Error('no such group');
      const r = await del(`/api/v1/chat/groups/${g}/members/${user}`);
      if (!r.ok && r.error.status !== 404) throw new Error(r.error.message || r.error.kind);
      await this.control(g, s, { op: 'remove', user }, s.members.filter((m) => m.id !== user));
    });
  }

  // Leaves: the control message goes to the others first (the relay takes it
  // only from a member), then, once the relay has it, the server forgets us.
  leave(g) {
    return this.e.run(async () => {
      const s = await this.state(g);
      if (!s) throw new Error('no such group');
      await this.control(g, s, { op: 'leave', user: this.me }, s.members, 'leave');
    });
  }

  rename(g, name) {
    return this.e.run(async () => {
      const s = await this.state(g);
      if (!s) throw new Error('no such group');
      await this.control(g, s, { op: 'rename', name }, s.members);
    });
  }

  // Applies a change to this device's copy (the core refuses what this
  // person may not do), keeps it, and queues the control message to `to`.
  async control(g, s, change, to, then = null) {
    this.linked();
    const payload = { v: 2, kind: 'group', group: g, epoch: s.epoch + 1, ...change };
    const text = this.e.c.groupParse(JSON.stringify(payload));
    const state = this.e.c.groupApply(JSON.stringify(s), text, this.me, this.me);
    const left = !JSON.parse(state).members.some((m) => m.id === this.me);
    const cid = crypto.randomUUID();
    const rec = await this.record(g);
    await this.e.store.put(...(await this.e.convRecord(g, { state, name: JSON.parse(state).name, left: left || rec.left })),
      'outbox', { key: cid, group: g, at: Date.now(), envelopes: null, then,
        to: to.map((m) => m.id), sealed: await this.e.vault.seal(`outbox:${cid}`, { text }) });
    this.e.emit('change', { peer: g });
    await this.e.flush().catch((err) => console.info('chat: send later:', err.message));
  }

  // A device not yet linked to its account sends nothing (identity.js):
  // its contacts would refuse its sessions anyway.
  linked() {
    if (this.e.needsLink) throw new Error('this device is not linked to your account yet');
  }

  // ---- text

  send(g, text) {
    return this.e.run(async () => {
      this.linked();
      const s = await this.state(g);
      if (!s) throw new Error('no such group');
      const cid = crypto.randomUUID();
      const payload = this.e.c.groupParse(JSON.stringify({ v: 2, kind: 'group', group: g, op: 'text', text }));
      const key = `${g}|${cid}`;
      const m = { key, peer: g, cid, from: this.me, dir: 'out', at: Date.now(), seq: 0, status: 'pending' };
      await this.e.store.put('messages', { ...m, sealed: await this.e.vault.seal(`msg:${key}`, { text, image: null }) },
        'outbox', { key: cid, group: g, at: m.at, envelopes: null, to: s.members.map((x) => x.id),
          sealed: await this.e.vault.seal(`outbox:${cid}`, { text: payload }) },
        ...(await this.e.convRecord(g, { last: text, lastAt: m.at })));
      this.e.emit('change', { peer: g });
      await this.e.flush().catch((err) => console.info('chat: send later:', err.message));
    });
  }

  // The engine's flush() hands group entries here (inside its queue). Encrypts
  // once (the envelopes are kept with the advanced sessions, so a retry sends
  // the same bytes), then sends. false: stop flushing for now.
  async flush(item) {
    if (!item.envelopes) {
      const r = await get(`/api/v1/chat/groups/${item.group}`);
      if (!r.ok && r.error.status === 404) {
        // We are out (removed, or left): nothing of ours goes to this group any more.
        await this.e.store.batch([['del', 'outbox', item.key]]);
        await this.e.store.put(...(await this.e.convRecord(item.group, { left: true })));
        this.e.emit('change', { peer: item.group });
        return true;
      }
      if (!r.ok) return false;
      const server = new Set(r.data.members.map((m) => m.id));
      // Our copy decides; the server's list only leaves people out.
      const targets = item.to.filter((u) => u !== this.me && server.has(u));
      const { text } = await this.e.vault.open(`outbox:${item.key}`, item.sealed);
      const plain = enc.encode(text);
      const envelopes = [], owners = {}, touched = [];
      for (const user of targets) {
        let sessions;
        try {
          sessions = await this.e.sessionsFor(user);
        } catch (err) {
          console.info('chat: group member skipped:', err.message);
          continue;
        }
        for (const t of sessions) {
          envelopes.push({ device: t.device, body: toB64(this.e.c.encrypt(t.session.handle, plain)) });
          owners[t.device] = user;
          touched.push(t.session);
        }
      }
      plain.fill(0);
      if (!envelopes.length) {
        // Nobody to send to (alone in the group): done, as if sent.
        await this.e.store.batch([['del', 'outbox', item.key]]);
        await this.after(item);
        await this.e.setStatus(item.group, item.key, 'sent', 0);
        return true;
      }
      item.envelopes = envelopes;
      item.owners = owners;
      await this.e.store.put('outbox', item, ...touched.flatMap((s) => this.e.sessionRecord(s)));
    }
    return this.e.socket.send({ type: 'send', id: item.key, group: item.group, envelopes: item.envelopes });
  }

  // What a change does once the relay has its control message.
  async after(item) {
    if (item.then === 'leave') {
      const r = await del(`/api/v1/chat/groups/${item.group}/members/${this.me}`);
      if (!r.ok && r.error.status !== 404) console.info('chat: leave:', r.error.message);
    }
  }

  // The relay refused a group entry: someone in it is no longer a member on
  // the server (or we are not). Their envelopes go; the rest is sent again.
  async refused(f) {
    const item = await this.e.store.get('outbox', f.id);
    if (!item?.group) return false;
    if (f.code !== 'not_member' || !item.envelopes) return true;
    const r = await get(`/api/v1/chat/groups/${item.group}`);
    if (!r.ok) {
      // We are out: nothing of ours goes to this group any more.
      await this.e.store.batch([['del', 'outbox', item.key]]);
      await this.e.store.put(...(await this.e.convRecord(item.group, { left: true })));
      this.e.emit('change', { peer: item.group });
      return true;
    }
    const members = new Set(r.data.members.map((m) => m.id));
    item.envelopes = item.envelopes.filter((x) => members.has(item.owners[x.device]));
    await this.e.store.put('outbox', item);
    setTimeout(() => this.e.run(() => this.e.flush()).catch(() => {}), 0);
    return true;
  }

  // ---- receiving (called by the engine, inside its queue)

  // A decrypted group payload (text null: it did not decrypt). extra: the
  // records the engine must store with it (the advanced session). Resolves
  // once stored; the engine acks afterwards.
  async receive(f, text, extra) {
    const g = f.group;
    let p = null;
    try {
      p = text === null ? null : JSON.parse(this.e.c.groupParse(text));
    } catch (err) {
      console.warn('chat: refused a group payload:', err.statusName || err.message);
    }
    if (p && p.group !== g) p = null; // filed under another group than it says
    const rec = await this.record(g);
    if (p && p.op !== 'text') {
      let state = null;
      try {
        state = this.e.c.groupApply(rec.state ?? '', text, f.from, this.me);
      } catch (err) {
        console.warn('chat: group change refused:', err.message);
      }
      const change = state ? { group: true, state, name: JSON.parse(state).name, lastAt: rec.lastAt || Date.now(),
        left: !JSON.parse(state).members.some((m) => m.id === this.me) } : {};
      await this.e.store.put(...extra, ...(await this.e.convRecord(g, change)));
      this.e.emit('change', { peer: g });
      return;
    }
    // Text only from a member of our copy: the server cannot slip one in.
    const s = rec.state ? JSON.parse(rec.state) : null;
    if (p && !s?.members.some((m) => m.id === f.from)) p = null;
    if (!p) {
      await this.e.store.put(...extra);
      return;
    }
    const key = `${g}|${f.from}|${f.cid}`;
    const m = { key, peer: g, cid: f.cid, rid: f.id, from: f.from, dir: 'in', at: Date.parse(f.at) || Date.now(), seq: f.seq, status: 'received' };
    const seen = this.e.visible === g && document.visibilityState === 'visible';
    await this.e.store.put(...extra, 'messages', { ...m, sealed: await this.e.vault.seal(`msg:${key}`, { text: p.text, image: p.image ?? null }) },
      ...(await this.e.convRecord(g, { last: p.text, lastAt: Math.max(rec.lastAt, m.at), unread: seen ? 0 : (rec.unread || 0) + 1 })));
    this.e.emit('change', { peer: g });
  }

  // Frames about a group other than messages: sent, read, typing.
  async onFrame(f) {
    const g = f.group;
    if (f.type === 'sent') {
      const item = await this.e.store.get('outbox', f.id);
      await this.e.setStatus(g, f.id, 'sent', f.seq, [['del', 'outbox', f.id]]);
      if (item) await this.after(item);
    } else if (f.type === 'read') {
      const rec = await this.record(g);
      if (!rec.state || !(f.seq > (rec.reads[f.from] ?? 0))) return; // a group we are not in here

      await this.e.store.put(...(await this.e.convRecord(g, { reads: { ...rec.reads, [f.from]: f.seq } })));
      this.e.emit('change', { peer: g });
    } else if (f.type === 'typing') {
      const s = await this.state(g);
      if (s?.members.some((m) => m.id === f.from)) this.e.emit('typing', { peer: g, from: f.from });
    }
  }

  typing(g) {
    const last = this.typingSent.get(g) ?? 0;
    if (Date.now() - last < 3000) return;
    this.typingSent.set(g, Date.now());
    this.e.socket?.send({ type: 'typing', group: g });
  }

  // Tells the members what was read (the highest number received) and clears the unread count.
  markRead(g) {
    return this.e.run(async () => {
      const seq = Math.max(0, ...(await this.e.messages(g)).filter((m) => m.dir === 'in').map((m) => m.seq));
      const rec = await this.record(g);
      if (rec.unread) await this.e.store.put(...(await this.e.convRecord(g, { unread: 0 })));
      if (seq && seq > (rec.readSent ?? 0) && this.e.socket?.send({ type: 'read', group: g, seq })) {
        await this.e.store.put(...(await this.e.convRecord(g, { readSent: seq })));
      }
    });
  }

  // How many other members have read my message numbered seq.
  readBy(rec, seq) {
    if (!seq) return 0;
    return Object.entries(rec.reads ?? {}).filter(([u, n]) => u !== this.me && n >= seq).length;
  }
}
