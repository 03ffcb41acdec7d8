// E2E chat in WASM, and WASM <-> native interop: sessions started on one
// side continue on the other, sealed state moves between them, safety
// numbers agree, and refusals (tampering, replay) carry the same faults.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { webcrypto, randomBytes } from 'node:crypto';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { CLI } from '../lib/paths.mjs';

const { bindChat, PA_ATTACH_KEY_BYTES } = await loadSeam('chat');

let core, tmp;
const dec = new TextDecoder();
const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s.trim(), 'hex'));
const NOW = 1795496400;

// Runs the native CLI; returns { code, out, err }.
function native(...args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

// The generated wrappers (seam/chat.js), speaking text where this test does.
function chat(core) {
  const w = bindChat(core);
  return {
    identity: (opks = 10) => w.chatIdentityCreate(NOW, opks),
    identityKey: (h) => w.chatIdentityKey(h),
    bundle: (h, first = 1) => w.chatBundle(h, first),
    start: (h, bundle) => w.chatStart(h, bundle),
    owner: (msg) => w.chatOwner(msg),
    accept(h, msg) {
      const { value: session, bytes } = w.chatAccept(h, msg);
      return { session, text: dec.decode(bytes) };
    },
    encrypt: (s, text) => w.chatEncrypt(s, text),
    decrypt: (s, msg) => dec.decode(w.chatDecrypt(s, msg)),
    safety: (s, me, peer) => dec.decode(w.chatSafety(s, me, peer)),
    seal: (h, key, gen = 1) => w.chatSeal(h, key, gen),
    open: (kind, key, blob, min = 0) => w.chatOpen(kind, key, min, blob),
    attachEncrypt(bytes) {
      const b = w.chatAttachEncrypt(bytes);
      return { key: b.slice(0, PA_ATTACH_KEY_BYTES), sealed: b.slice(PA_ATTACH_KEY_BYTES) };
    },
    attachDecrypt: (key, sealed) => w.chatAttachDecrypt(key, sealed),
    free: (h) => w.chatFree(h),
  };
}

let c;
const vaultKey = () => webcrypto.getRandomValues(new Uint8Array(32));

before(async () => {
  core = await loadCore('chat');
  c = chat(core);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-chat-'));
});

test('a conversation inside WASM: order, loss, tampering, replay', () => {
  const alice = c.identity(0), bob = c.identity(5);
  const a = c.start(alice, c.bundle(bob));
  const first = c.encrypt(a, 'hi bob');
  assert.equal(first[0], 0x03); // a session start (v2)
  const { session: b, text } = c.accept(bob, first);
  assert.equal(text, 'hi bob');
  assert.equal(c.decrypt(a, c.encrypt(b, 'hi alice')), 'hi alice');
  const m = [0, 1, 2, 3].map((i) => c.encrypt(a, `m${i}`));
  assert.equal(m[0][0], 0x01); // no start data once Bob has answered
  assert.equal(c.decrypt(b, m[3]), 'm3');
  assert.equal(c.decrypt(b, m[1]), 'm1'); // m2 lost, m0 late
  assert.equal(c.decrypt(b, m[0]), 'm0');
  const bad = Uint8Array.from(c.encrypt(a, 'tampered'));
  bad[bad.length - 3] ^= 1;
  assert.throws(() => c.decrypt(b, bad), (e) => e.fault === 'forged' && e.status === 3);
  assert.throws(() => c.decrypt(b, m[1]), (e) => e.fault === 'replay');
  bad[bad.length - 3] ^= 1;
  assert.equal(c.decrypt(b, bad), 'tampered'); // the refusal changed nothing
  // A second start naming the spent one-time prekey is detected.
  assert.throws(() => c.accept(bob, first), (e) => e.fault === 'prekey_gone');
  assert.equal(c.owner(first), b); // ...and routed to the session that owns it
  assert.equal(c.safety(a, 'alice', 'bob'), c.safety(b, 'bob', 'alice'));
  assert.match(c.safety(a, 'alice', 'bob'), /^(\d{5} ){11}\d{5}$/);
  for (const h of [a, b, alice, bob]) c.free(h);
  assert.throws(() => c.encrypt(a, 'x'), /no such session/); // stale handles miss
});

test('sealed state: restore mid-conversation; tampered and rolled-back blobs refused', () => {
  const key = vaultKey();
  const alice = c.identity(0), bob = c.identity(3);
  const a = c.start(alice, c.bundle(bob));
  const { session: b } = c.accept(bob, c.encrypt(a, 'one'));
  const inFlight = c.encrypt(a, 'sent while bob was away');
  const blob = c.seal(b, key, 5), idBlob = c.seal(bob, key, 5), published = c.bundle(bob);
  c.free(b);
  c.free(bob);
  const b2 = c.open(2, key, blob, 5);
  const bob2 = c.open(1, key, idBlob);
  assert.deepEqual(c.bundle(bob2), published); // same keys, same signature
  assert.equal(c.decrypt(b2, inFlight), 'sent while bob was away');
  assert.equal(c.decrypt(a, c.encrypt(b2, 'back')), 'back');
  const t = Uint8Array.from(blob);
  t[40] ^= 1;
  assert.throws(() => c.open(2, key, t), /tampered/);
  assert.throws(() => c.open(2, key, blob, 6), /rolled back/);
  assert.throws(() => c.open(1, key, blob), /kind/);
  const old = Uint8Array.from(blob);
  old[3] = 0;
  assert.throws(() => c.open(2, key, old), /version 0 is not accepted/);
  for (const h of [a, b2, alice, bob2]) c.free(h);
});

test('native starts, WASM answers, native reads (and safety numbers agree)', () => {
  const key = hex(vaultKey());
  const state = path.join(tmp, 'alice');
  const bob = c.identity(5);
  const bundle = hex(c.bundle(bob));
  const m1 = native('chat-encrypt', state, '--key', key, '--bundle', bundle, 'hello from native');
  assert.equal(m1.code, 0, m1.err);
  const { session: b, text } = c.accept(bob, unhex(m1.out));
  assert.equal(text, 'hello from native');
  const r = native('chat-decrypt', state, '--key', key, hex(c.encrypt(b, 'hello from wasm ☀️')));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'hello from wasm ☀️');
  // Out of order across the boundary.
  const m2 = native('chat-encrypt', state, '--key', key, 'second').out;
  const m3 = native('chat-encrypt', state, '--key', key, 'third').out;
  assert.equal(c.decrypt(b, unhex(m3)), 'third');
  assert.equal(c.decrypt(b, unhex(m2)), 'second');
  const sn = native('chat-safety', state, '--key', key, '--me', 'alice', '--peer', 'bob');
  assert.equal(sn.code, 0, sn.err);
  assert.equal(sn.out, c.safety(b, 'bob', 'alice'));
  // Native refuses a tampered and a replayed WASM message with the same faults.
  const good = c.encrypt(b, 'once');
  const bad = Uint8Array.from(good);
  bad[bad.length - 1] ^= 1;
  const t = native('chat-decrypt', state, '--key', key, hex(bad));
  assert.equal(t.code, 2);
  assert.match(t.err, /fault: forged/);
  assert.equal(native('chat-decrypt', state, '--key', key, hex(good)).out, 'once');
  const rep = native('chat-decrypt', state, '--key', key, hex(good));
  assert.equal(rep.code, 2);
  assert.match(rep.err, /fault: replay/);
  c.free(b);
  c.free(bob);
});

test('WASM starts, native answers; sealed WASM state opens natively', () => {
  const key = vaultKey();
  const state = path.join(tmp, 'bob');
  const bundle = native('chat-bundle', state, '--key', hex(key), '--opks', '3');
  assert.equal(bundle.code, 0, bundle.err);
  const alice = c.identity(0);
  const a = c.start(alice, unhex(bundle.out));
  const r1 = native('chat-decrypt', state, '--key', hex(key), hex(c.encrypt(a, 'hello from wasm')));
  assert.equal(r1.out, 'hello from wasm', r1.err);
  const reply = native('chat-encrypt', state, '--key', hex(key), 'hello from native');
  assert.equal(c.decrypt(a, unhex(reply.out)), 'hello from native');
  // A WASM-sealed identity and session become a native state file.
  const carol = path.join(tmp, 'carol');
  writeFileSync(`${carol}.identity`, c.seal(alice, key));
  writeFileSync(`${carol}.session`, c.seal(a, key));
  const back = native('chat-encrypt', carol, '--key', hex(key), 'carol speaks for alice');
  assert.equal(back.code, 0, back.err);
  assert.equal(native('chat-decrypt', state, '--key', hex(key), back.out).out, 'carol speaks for alice');
  // ...and the native one opens in WASM.
  const bob = c.open(2, key, readFileSync(`${state}.session`));
  assert.equal(c.safety(bob, 'bob', 'alice'), c.safety(a, 'alice', 'bob'));
  for (const h of [a, alice, bob]) c.free(h);
});

test('attachments: chunked, interoperable, truncation and reordering refused', () => {
  const image = new Uint8Array(randomBytes(150000)); // three 64 KiB chunks
  const { key, sealed } = c.attachEncrypt(image);
  assert.equal(sealed.length, 150000 + 3 * 17);
  assert.deepEqual(c.attachDecrypt(key, sealed), image);
  assert.throws(() => c.attachDecrypt(key, sealed.slice(0, 2 * (65536 + 17))), /final chunk/);
  assert.throws(() => c.attachDecrypt(key, sealed.slice(0, sealed.length - 1)), /authenticate/);
  const swapped = new Uint8Array(sealed);
  swapped.set(sealed.subarray(65553, 131106), 0);
  swapped.set(sealed.subarray(0, 65553), 65553);
  assert.throws(() => c.attachDecrypt(key, swapped), /reordered/);
  // WASM-encrypted, native-decrypted, and the other way round.
  writeFileSync(path.join(tmp, 'img.sealed'), sealed);
  const d = native('chat-attach', 'decrypt', hex(key), path.join(tmp, 'img.sealed'), path.join(tmp, 'img.out'));
  assert.equal(d.code, 0, d.err);
  assert.deepEqual(new Uint8Array(readFileSync(path.join(tmp, 'img.out'))), image);
  const e = native('chat-attach', 'encrypt', path.join(tmp, 'img.out'), path.join(tmp, 'img2.sealed'));
  assert.equal(e.code, 0, e.err);
  assert.deepEqual(c.attachDecrypt(unhex(e.out), readFileSync(path.join(tmp, 'img2.sealed'))), image);
});
