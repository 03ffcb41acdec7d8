// The chat engine's robustness helpers (shell/chat/robust.js) at their
// limits, over real sessions of the chat WASM module and an in-memory store:
// SESSIONS_PER_DEVICE (the 3rd session with a device kept, a 4th drops the
// least recently used), SESSION_HANDLES (200 open, the 201st closes the
// least recently used idle one, which reopens from its sealed blob and still
// decrypts), and the retry delays (3 s doubling to 5 minutes; too_many_starts
// waits 10 minutes and marks the conversation; a "sent" starts over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadCore } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';

const { wrapChat } = await import(path.join(SITE, 'chat', 'crypto.js'));
const robust = await import(path.join(SITE, 'chat', 'robust.js'));
const { SESSIONS_PER_DEVICE, SESSION_HANDLES, RETRY_FIRST_MS, RETRY_MAX_MS, STARTS_WAIT_MS } = robust;
const NOW = 1795496400;
const enc = new TextEncoder();
const dec = new TextDecoder();

// What robust.js uses of the engine: sessions, the core, the vault key, a store.
function engine(c) {
  const rows = new Map();
  return {
    c,
    sessions: [],
    vault: { raw: new Uint8Array(32).fill(9) },
    store: {
      rows,
      batch: async (ops) => { for (const [op, store, v] of ops) if (op === 'del') rows.delete(`${store}:${v}`); },
      get: async (store, key) => rows.get(`${store}:${key}`),
      put: async (...pairs) => { for (let i = 0; i < pairs.length; i += 2) rows.set(`${pairs[i]}:${pairs[i + 1].key}`, pairs[i + 1]); },
    },
  };
}

test('sessions per device: the 3rd is kept, a 4th drops the least recently used', async () => {
  const c = wrapChat(await loadCore('chat'));
  const bob = c.identityCreate(NOW, 0), alice = c.identityCreate(NOW, 0);
  const e = engine(c);
  const made = [];
  for (let i = 0; i < SESSIONS_PER_DEVICE + 1; i++) {
    const s = { key: `s${i}`, device: 'd_1', gen: 0, used: 1000 + i, handle: c.start(alice, c.bundle(bob)) };
    e.sessions.push(s);
    e.store.rows.set(`sessions:${s.key}`, s);
    made.push(s);
    await robust.prune(e, 'd_1', s);
    assert.equal(e.sessions.length, Math.min(i + 1, SESSIONS_PER_DEVICE), `after ${i + 1}`);
  }
  assert.deepEqual(e.sessions.map((s) => s.key), ['s1', 's2', 's3']); // s0, the least recently used, went
  assert.equal(e.store.rows.has('sessions:s0'), false);
  // Another device's sessions are not counted.
  const other = { key: 'o', device: 'd_2', gen: 0, used: 1, handle: c.start(alice, c.bundle(bob)) };
  e.sessions.push(other);
  await robust.prune(e, 'd_2', other);
  assert.equal(e.sessions.length, SESSIONS_PER_DEVICE + 1);
  for (const s of e.sessions) c.free(s.handle);
  c.free(alice);
  c.free(bob);
});

test('open handles: 200 open, the 201st closes the least recently used idle one, which reopens from its blob', async () => {
  const c = wrapChat(await loadCore('chat'));
  const alice = c.identityCreate(NOW, 0), bob = c.identityCreate(NOW, 0);
  const e = engine(c);
  // SESSION_HANDLES sessions, each sealed (gen 1) as the engine leaves them.
  let first;
  for (let i = 0; i < SESSION_HANDLES; i++) {
    robust.makeRoom(e);
    const handle = c.start(alice, c.bundle(bob));
    const s = { key: `s${i}`, device: `d_${i}`, gen: 1, used: 10 + i, handle };
    if (i === 0) first = { message: c.encrypt(handle, enc.encode('to the first')) };
    s.blob = c.seal(handle, e.vault.raw, 1);
    e.sessions.push(s);
  }
  assert.equal(e.sessions.filter((s) => s.handle).length, SESSION_HANDLES, 'the last allowed: none closed');
  // One more: the least recently used sealed one is closed, not refused.
  robust.makeRoom(e);
  const extra = { key: 'extra', device: 'd_x', gen: 0, used: 99999, handle: c.start(alice, c.bundle(bob)) };
  e.sessions.push(extra);
  assert.equal(e.sessions.filter((s) => s.handle).length, SESSION_HANDLES);
  assert.equal(e.sessions[0].handle, 0, 'the least recently used was closed');
  // A session never sealed (gen 0) is in use and never closed.
  robust.makeRoom(e, SESSION_HANDLES);
  assert.ok(extra.handle);
  // Reopened on demand from its sealed blob: Bob's side reads Alice's first message.
  const s0 = e.sessions[0];
  const reopened = robust.openHandle(e, s0);
  assert.ok(reopened > 0);
  assert.ok(e.sessions.filter((s) => s.handle).length <= SESSION_HANDLES);
  const r = c.accept(bob, first.message);
  assert.equal(dec.decode(r.plain), 'to the first');
  const again = c.encrypt(reopened, enc.encode('still the same session'));
  assert.equal(robust.startBase(again), robust.startBase(first.message), 'the same base key: the same session');
  assert.equal(dec.decode(c.decrypt(r.session, again)), 'still the same session');
  c.free(r.session);
  for (const s of e.sessions) if (s.handle) c.free(s.handle);
  c.free(alice);
  c.free(bob);
});

test('retries back off: 3 s doubling to 5 minutes; too_many_starts waits 10 minutes and says so; sent starts over', async () => {
  const waits = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms) => { waits.push(ms); return 0; };
  try {
    const conv = {};
    const e = {
      retryMs: 0,
      run: () => Promise.resolve(),
      flush: () => Promise.resolve(),
      emit: () => {},
      store: {
        get: async (store, key) => (key === 'cid-1' ? { key, peer: 'u_2' } : undefined),
        put: async (store, rec) => { conv[rec.key] = rec.sealed; },
      },
      conversation: async (peer) => conv[peer] ?? {},
      convRecord: async (peer, change) => ['convs', { key: peer, sealed: { ...(conv[peer] ?? {}), ...change } }],
    };
    for (let i = 0; i < 9; i++) await robust.onSendError(e, { type: 'error', code: 'rate_limited', id: 'cid-1' });
    assert.deepEqual(waits, [3000, 6000, 12000, 24000, 48000, 96000, 192000, RETRY_MAX_MS, RETRY_MAX_MS]);
    assert.equal(waits[0], RETRY_FIRST_MS);
    waits.length = 0;
    await robust.onSendError(e, { type: 'error', code: 'too_many_starts', id: 'cid-1' });
    assert.deepEqual(waits, [STARTS_WAIT_MS]);
    assert.ok(conv['u_2'].startsLimited > Date.now(), 'the conversation says why');
    await robust.onSent(e, 'u_2');
    assert.equal(e.retryMs, 0);
    assert.equal(conv['u_2'].startsLimited, 0);
    waits.length = 0;
    await robust.onSendError(e, { type: 'error', code: 'internal', id: 'cid-1' });
    assert.deepEqual(waits, [RETRY_FIRST_MS]);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
});
