// Linking a device through the chat WASM module and the shell's wrapper
// (shell/chat/crypto.js: linkBegin, linkCode, linkParseCode, linkCheck,
// linkApprove, linkFinish): the whole exchange between two devices, the
// request's MAC and the code's text checked against node:crypto and an
// encoder written here (not the code under test), the signed list made here
// with node's Ed25519, and the refusals the shell relies on (a mistyped code,
// a list for another account, a response to another request). The C side's
// own tests are core/tests/test_link.c.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHmac, generateKeyPairSync, hkdfSync, sign } from 'node:crypto';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';

const { wrapChat } = await import(path.join(SITE, 'chat', 'crypto.js'));
const { PA_LINK_REQUEST_BYTES, PA_LINK_SECRET_BYTES, PA_LINK_CODE_MAX } = await loadSeam('chat');
const NOW = 1795496400;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let c;

before(async () => {
  c = wrapChat(await loadCore('chat'));
});

// An Ed25519 key pair from node: {sk: seed || pk (64), pk (32), key}.
function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pk = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url');
  return { sk: new Uint8Array(Buffer.concat([seed, pk])), pk: new Uint8Array(pk), key: privateKey };
}

// A signed device list (chat.md "Signed device list"), made here.
function deviceList(aik, account, devices, version = 2) {
  const body = Buffer.alloc(50 + 32 * devices.length);
  body[0] = 1;
  Buffer.from(aik.pk).copy(body, 1);
  body.writeBigUInt64BE(BigInt(version), 33);
  body.writeBigUInt64BE(BigInt(NOW), 41);
  body[49] = devices.length;
  devices.forEach((d, i) => Buffer.from(d).copy(body, 50 + 32 * i));
  const sig = sign(null, Buffer.concat([Buffer.from('PetAmigos DeviceList v1'), Buffer.from(account), Buffer.from([0]), body]), aik.key);
  return new Uint8Array(Buffer.concat([body, sig]));
}

function deviceKey() {
  const h = c.identityCreate(NOW, 0);
  const ik = c.identityKey(h);
  c.free(h);
  return ik;
}

// Crockford base32 of 10 bytes in four groups, written here.
function crockford(bytes) {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < 16; i++) out += (i && i % 4 === 0 ? '-' : '') + CROCKFORD[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return out;
}

test('a new device is linked: code typed on the old one, the AIK and list arrive and check', () => {
  const aik = ed25519();
  const oldIk = deviceKey();
  const newIk = deviceKey();
  // The new device.
  const begun = c.linkBegin(newIk);
  assert.equal(begun.secret.length, PA_LINK_SECRET_BYTES);
  assert.equal(begun.request.length, PA_LINK_REQUEST_BYTES);
  assert.deepEqual(begun.request.subarray(33, 65), newIk);
  // The MAC, computed by node: HKDF-SHA256(no salt, S, "PetAmigos Link v1") then HMAC-SHA256.
  const ks = Buffer.from(hkdfSync('sha256', begun.secret, Buffer.alloc(0), 'PetAmigos Link v1', 32));
  const mac = createHmac('sha256', ks).update(begun.request.subarray(0, 65)).digest();
  assert.deepEqual(Buffer.from(begun.request.subarray(65)), mac);
  const code = c.linkCode('lk_42', begun.secret);
  assert.equal(code, `lk_42 ${crockford(begun.secret)}`);
  assert.ok(code.length <= PA_LINK_CODE_MAX);
  // The old device: the code as a person types it.
  const typed = c.linkParseCode(`  ${code.toLowerCase().replace(/-/g, ' ')} `);
  assert.equal(typed.id, 'lk_42');
  assert.deepEqual(typed.secret, begun.secret);
  assert.deepEqual(c.linkCheck(begun.request, typed.secret), newIk);
  const list = deviceList(aik, 'u_9', [oldIk, newIk]);
  const response = c.linkApprove(begun.request, typed.secret, aik.sk, list);
  assert.equal(response.length, 57 + 64 + list.length + 16);
  // The new device opens it.
  const got = c.linkFinish(response, begun.request, begun.secret, begun.ephSk, 'u_9');
  assert.deepEqual(got.aikSk, aik.sk);
  assert.deepEqual(got.list, list);
});

test('refusals: a mistyped code, a request the server made up, another account, another request', () => {
  const aik = ed25519();
  const newIk = deviceKey();
  const begun = c.linkBegin(newIk);
  const wrong = begun.secret.slice();
  wrong[0] ^= 0x80;
  assert.throws(() => c.linkCheck(begun.request, wrong), (e) => e.fault === 'forged');
  // A request with the server's own key in it: the MAC fails.
  const swapped = begun.request.slice();
  swapped.set(deviceKey(), 33);
  assert.throws(() => c.linkCheck(swapped, begun.secret), (e) => e.fault === 'forged');
  for (const bad of ['lk_42 0123-4567-89AB-CDEI', 'lk_42 0123-4567-89AB-CDE', 'lk_042 0123-4567-89AB-CDEF', 'lk_420123456789ABCDEF', 'hello']) {
    assert.throws(() => c.linkParseCode(bad), (e) => e.statusName === 'syntax', bad);
  }
  // A list not naming the new device is refused by the approver itself.
  assert.throws(() => c.linkApprove(begun.request, begun.secret, aik.sk, deviceList(aik, 'u_9', [deviceKey()])));
  const response = c.linkApprove(begun.request, begun.secret, aik.sk, deviceList(aik, 'u_9', [newIk]));
  // Signed for u_9: a device of u_10 refuses it.
  assert.throws(() => c.linkFinish(response, begun.request, begun.secret, begun.ephSk, 'u_10'), (e) => e.fault === 'forged');
  // A response to another request of the same device does not open.
  const again = c.linkBegin(newIk);
  assert.throws(() => c.linkFinish(response, again.request, again.secret, again.ephSk, 'u_9'), (e) => e.fault === 'forged');
  // Any changed byte.
  for (const at of [0, 1, 40, 60, response.length - 1]) {
    const r = response.slice();
    r[at] ^= 1;
    assert.throws(() => c.linkFinish(r, begun.request, begun.secret, begun.ephSk, 'u_9'), `byte ${at}`);
  }
  assert.deepEqual(c.linkFinish(response, begun.request, begun.secret, begun.ephSk, 'u_9').aikSk, aik.sk);
});

test('an own-device copy is read by the core only for the peer the relay named', () => {
  const enc = new TextEncoder();
  const copy = (o) => enc.encode(JSON.stringify(o));
  const body = JSON.stringify({ v: 1, text: 'hi {there}' });
  assert.equal(new TextDecoder().decode(c.copyRead(copy({ v: 2, kind: 'copy', peer: 'u_5', body }), 'u_5')), body);
  assert.throws(() => c.copyRead(copy({ v: 2, kind: 'copy', peer: 'u_5', body }), 'u_6'), (e) => e.statusName === 'schema');
  for (const bad of [{ v: 2, kind: 'copy', peer: 'u_5' }, { v: 2, kind: 'copy', peer: 'u_5', body, x: 1 }, { v: 3, kind: 'copy', peer: 'u_5', body },
    { v: 2, kind: 'copy', peer: 'd_5', body }, { v: 2, kind: 'copy', peer: 'u_5', body: 5 }]) {
    assert.throws(() => c.copyRead(copy(bad), 'u_5'), JSON.stringify(bad));
  }
});
