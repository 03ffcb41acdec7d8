// The account identity key and signed device lists through the chat WASM
// module and the shell's wrapper (shell/chat/crypto.js): sign and verify,
// every refusal the shell relies on (another account, a changed byte, a
// count past PA_DEVLIST_MAX, repeated devices, keys of the wrong size), the
// AIK sealed as vault kind 4 and its linking secret, and account safety
// numbers (equal from both sides, changed by a new AIK). The C side's own
// tests are core/tests/test_devlist.c.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';

const { wrapChat } = await import(path.join(SITE, 'chat', 'crypto.js'));
const { PA_DEVLIST_MAX, PA_DEVLIST_FIXED } = await loadSeam('chat');
const NOW = 1795496400;
let c;
const devices = [];

before(async () => {
  c = wrapChat(await loadCore('chat'));
  for (let i = 0; i <= PA_DEVLIST_MAX; i++) {
    const h = c.identityCreate(NOW, 0);
    devices.push(c.identityKey(h));
    c.free(h);
  }
});

test('a list signed for an account verifies for it, and for no other', () => {
  assert.equal(PA_DEVLIST_MAX, 5);
  const aik = c.aikCreate();
  const list = c.devlistSign(aik, 'u_3', 7, NOW, devices.slice(0, 2));
  assert.equal(list.length, PA_DEVLIST_FIXED + 2 * 32 + 64);
  const v = c.devlistVerify(list, 'u_3');
  assert.deepEqual(v.aik, c.aikKey(aik));
  assert.equal(v.version, 7);
  assert.equal(v.at, NOW);
  assert.deepEqual(v.devices, devices.slice(0, 2));
  for (const other of ['u_30', 'u_', 'u_4']) {
    assert.throws(() => c.devlistVerify(list, other), (e) => e.statusName === 'schema' && e.fault === 'forged');
  }
  // Any changed byte is refused.
  for (const at of [0, 1, 40, 49, 60, list.length - 1]) {
    const t = list.slice();
    t[at] ^= 1;
    assert.throws(() => c.devlistVerify(t, 'u_3'), `byte ${at}`);
  }
  assert.throws(() => c.devlistVerify(list.slice(0, -1), 'u_3'), (e) => e.statusName === 'truncated');
  c.free(aik);
});

test('the count at its edges, repeated devices, keys of the wrong size', () => {
  const aik = c.aikCreate();
  const full = c.devlistSign(aik, 'u_1', 1, NOW, devices.slice(0, PA_DEVLIST_MAX));
  assert.equal(c.devlistVerify(full, 'u_1').devices.length, PA_DEVLIST_MAX);
  assert.throws(() => c.devlistSign(aik, 'u_1', 1, NOW, devices.slice(0, PA_DEVLIST_MAX + 1)), (e) => e.statusName === 'too_large');
  assert.throws(() => c.devlistSign(aik, 'u_1', 1, NOW, []), (e) => e.statusName === 'syntax');
  assert.throws(() => c.devlistSign(aik, 'u_1', 1, NOW, [devices[0], devices[0]]), /twice/);
  assert.throws(() => c.devlistSign(aik, 'u_1', 1, NOW, [devices[0].slice(0, 31)]), TypeError);
  assert.throws(() => c.devlistSign(aik, 'u_1', -1, NOW, [devices[0]]), /whole numbers/);
  c.free(aik);
});

test('the AIK sealed as vault kind 4 and moved by its secret signs the same lists', () => {
  const key = webcrypto.getRandomValues(new Uint8Array(32));
  const aik = c.aikCreate();
  const blob = c.seal(aik, key, 3);
  assert.equal(blob[4], 4);
  assert.throws(() => c.open(1, key, 0, blob), (e) => e.statusName === 'schema');
  assert.throws(() => c.open(4, key, 4, blob), /rolled back/);
  const back = c.open(4, key, 3, blob);
  assert.deepEqual(c.aikKey(back), c.aikKey(aik));
  const secret = c.aikSecret(aik);
  assert.equal(secret.length, 64);
  const moved = c.aikImport(secret);
  const list = c.devlistSign(moved, 'u_9', 2, NOW, [devices[0]]);
  assert.deepEqual(c.devlistVerify(list, 'u_9').aik, c.aikKey(aik));
  secret[50] ^= 1;
  assert.throws(() => c.aikImport(secret), /public half/);
  for (const h of [aik, back, moved]) c.free(h);
});

test('account safety numbers: equal from both sides, changed by a new AIK', () => {
  const a = c.aikCreate(), b = c.aikCreate(), a2 = c.aikCreate();
  const ab = c.safetyAccounts(a, c.aikKey(b), 'u_1', 'u_2');
  assert.match(ab, /^(\d{5} ){11}\d{5}$/);
  assert.equal(c.safetyAccounts(c.aikKey(b), c.aikKey(a), 'u_2', 'u_1'), ab);
  assert.notEqual(c.safetyAccounts(a2, c.aikKey(b), 'u_1', 'u_2'), ab);
  assert.throws(() => c.safetyAccounts(a, c.aikKey(b).slice(1), 'u_1', 'u_2'), TypeError);
  for (const h of [a, b, a2]) c.free(h);
});
