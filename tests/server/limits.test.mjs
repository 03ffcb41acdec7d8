// Rate limits (web/src/limit.h): one table per purpose under a keyed hash,
// charged only once a request is valid, buckets that still limit never
// evicted. The edges are reached without waiting: the servers here lower
// bursts and table sizes through PA_LIMIT_<PURPOSE>_BURST / _SLOTS (read
// once, web/README.md); no assertion depends on time passing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { contract, operations } from '../lib/openapi.mjs';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

const PASSWORD = 'correct horse battery';

/** 429 rate_limited with a whole Retry-After of at least one second. */
function assertLimited(res, what = '') {
  assertError(res, 429, 'rate_limited');
  const wait = res.headers['retry-after'];
  assert.match(wait ?? '', /^[1-9][0-9]*$/, `${what}: Retry-After ${wait}`);
}

async function member(server, opts) {
  const c = new Client(server, opts);
  await c.signup(email('lim'), PASSWORD);
  return c;
}

/** A version 1 chat bundle (core/src/chat/chat.md) the server accepts: an Ed25519
 * identity key signing its signed prekey, and n one-time prekeys. */
function chatBundle(n = 4) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ik = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const spk = Buffer.alloc(44);
  spk.writeUInt32BE(1, 0);
  spk.writeBigInt64BE(BigInt(Math.floor(Date.now() / 1000)), 4);
  randomBytes(32).copy(spk, 12);
  const sig = sign(null, Buffer.concat([Buffer.from('PetAmigos SPK v1'), spk]), privateKey);
  const count = Buffer.alloc(2);
  count.writeUInt16BE(n);
  const opks = Array.from({ length: n }, (_, i) => {
    const o = Buffer.alloc(36);
    o.writeUInt32BE(i + 1, 0);
    randomBytes(32).copy(o, 4);
    return o;
  });
  return Buffer.concat([Buffer.from([1]), ik, spk, sig, count, ...opks]).toString('base64');
}

// ---- BLAKE2b (RFC 7693), only to compute the device numbers the old
// limiter's unkeyed slot function sent where an attacker wanted them.

const MASK = (1n << 64n) - 1n;
const IV = [0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]];
const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & MASK;

function compress(h, block, t, last) {
  const v = [...h, ...IV];
  const m = Array.from({ length: 16 }, (_, i) => block.readBigUInt64LE(i * 8));
  v[12] ^= BigInt(t);
  if (last) v[14] ^= MASK;
  const g = (a, b, c, d, x, y) => {
    v[a] = (v[a] + v[b] + x) & MASK; v[d] = rotr(v[d] ^ v[a], 32n);
    v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 24n);
    v[a] = (v[a] + v[b] + y) & MASK; v[d] = rotr(v[d] ^ v[a], 16n);
    v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 63n);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    g(0, 4, 8, 12, m[s[0]], m[s[1]]); g(1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(2, 6, 10, 14, m[s[4]], m[s[5]]); g(3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(0, 5, 10, 15, m[s[8]], m[s[9]]); g(1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(2, 7, 8, 13, m[s[12]], m[s[13]]); g(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

function blake2b(data, outlen) {
  const h = [...IV];
  h[0] ^= 0x01010000n ^ BigInt(outlen);
  let off = 0;
  for (; data.length - off > 128; off += 128) compress(h, data.subarray(off, off + 128), off + 128, false);
  const block = Buffer.alloc(128);
  data.copy(block, 0, off);
  compress(h, block, data.length, true);
  const out = Buffer.alloc(64);
  h.forEach((w, i) => out.writeBigUInt64LE(w, i * 8));
  return out.subarray(0, outlen);
}

// The removed pa_auth_limit: BLAKE2b-128 of "kind:who", first slot of an
// 8-slot probe in a 4096-slot table shared by every kind.
const oldSlot = (key) => {
  const h = blake2b(Buffer.from(key), 16);
  return (h[0] | (h[1] << 8) | (h[2] << 16)) % 4096;
};

test('the BLAKE2b here is BLAKE2b (against OpenSSL at 64 bytes)', () => {
  for (const n of [0, 3, 128, 129, 300]) {
    const data = randomBytes(n);
    assert.equal(blake2b(data, 64).toString('hex'), createHash('blake2b512').update(data).digest('hex'), `${n} bytes`);
  }
});

describe('the limiter-eviction sequence (issue 14), with the real limits', () => {
  let server;
  // The real bursts and table sizes; the sign-in windows stretched to a day,
  // so a slow run (ten Argon2id checks, twenty bundle requests) cannot see a
  // token refill (10 per 300 s is one every 30 s) and pass for the wrong reason.
  before(async () => { server = await startServer({ env: { PA_LIMIT_LOGIN_ADDR_WINDOW: '86400', PA_LIMIT_LOGIN_ACCOUNT_WINDOW: '86400' } }); });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('bundle requests with computed device numbers leave the sign-in buckets limiting', async () => {
    const attacker = await member(server);
    const victimEmail = email('victim');
    await (new Client(server)).signup(victimEmail, PASSWORD);
    const guesser = new Client(server);
    // Guessing from one address until refused (ten attempts: both the
    // address's and the account's bucket are then empty).
    let refused = null;
    for (let i = 0; i <= 10 && !refused; i++) {
      const r = await guesser.post('/api/v1/auth/login', { email: victimEmail, password: `guess ${i}` });
      if (r.status === 429) refused = r;
      else assertError(r, 401, 'unauthorized');
    }
    assertLimited(refused, 'guessing');
    // The finding: device numbers whose old slot is exactly the slot of one of
    // those buckets; eight fill its probe window, the next evicts the stalest.
    const targets = [oldSlot(`acct:${victimEmail}`), oldSlot(`ip:${guesser.address}`)];
    const devices = [];
    for (const slot of targets) {
      for (let n = 1, found = 0; found < 10; n++) {
        if (oldSlot(`chat-bundle:${attacker.user.id}:d_${n}`) === slot) {
          devices.push(n);
          found++;
        }
      }
    }
    assert.equal(devices.length, 20);
    for (const n of devices) {
      assertError(await attacker.post(`/api/v1/chat/devices/d_${n}/bundle`, {}), 404, 'not_found');
    }
    // Still refused: from the same address, and for the account from another.
    assertLimited(await guesser.post('/api/v1/auth/login', { email: victimEmail, password: PASSWORD }), 'address after');
    assertLimited(await new Client(server).post('/api/v1/auth/login', { email: victimEmail, password: PASSWORD }), 'account after');
    // A flood of unknown devices is no use either, and spends nothing.
    for (let n = 1_000_000; n < 1_000_200; n++) {
      assertError(await attacker.post(`/api/v1/chat/devices/d_${n}/bundle`, {}), 404, 'not_found');
    }
    assertLimited(await new Client(server).post('/api/v1/auth/login', { email: victimEmail, password: PASSWORD }), 'account at the end');
    const owner = await member(server);
    const dev = (await owner.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    assert.equal((await attacker.post(`/api/v1/chat/devices/${dev}/bundle`, {})).status, 200);
  });
});

describe('each limit at its edge', () => {
  const BURST = { LOGIN_ADDR: 3, LOGIN_ACCOUNT: 3, SIGNUP_ADDR: 2, PASSWORD: 2, CHAT_BUNDLE: 2, SIGNOUT: 2,
    WRITE: 4, UPLOAD: 2, SEARCH: 3, CANDIDATES: 2 };
  let server;
  before(async () => {
    const env = Object.fromEntries(Object.entries(BURST).map(([k, v]) => [`PA_LIMIT_${k}_BURST`, String(v)]));
    server = await startServer({ env });
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('sign-in per address: refused requests cost nothing; the 3rd attempt passes, the 4th is 429', async () => {
    const c = new Client(server);
    assertError(await c.post('/api/v1/auth/login', {}), 400, 'bad_request');
    assertError(await c.request('POST', '/api/v1/auth/login', { body: '{}' }), 415, 'unsupported_media_type');
    assertError(await c.post('/api/v1/auth/login', { email: 'x@example.test', password: 'p', extra: 1 }), 400, 'bad_request');
    for (let i = 0; i < BURST.LOGIN_ADDR; i++) {
      assertError(await c.post('/api/v1/auth/login', { email: email('nobody'), password: 'not it' }), 401, 'unauthorized');
    }
    assertLimited(await c.post('/api/v1/auth/login', { email: email('nobody'), password: 'not it' }), 'address');
    assertError(await new Client(server).post('/api/v1/auth/login', { email: email('nobody'), password: 'not it' }), 401, 'unauthorized');
  });

  test('sign-in per account, across addresses: the right password too is refused past the edge', async () => {
    const mail = email('target');
    await new Client(server).signup(mail, PASSWORD);
    for (let i = 0; i < BURST.LOGIN_ACCOUNT - 1; i++) {
      assertError(await new Client(server).post('/api/v1/auth/login', { email: mail, password: 'wrong guess' }), 401, 'unauthorized');
    }
    const ok = new Client(server);
    await ok.login(mail.toUpperCase(), PASSWORD); // the 3rd: the key is the lowercased email
    assertLimited(await new Client(server).post('/api/v1/auth/login', { email: mail, password: PASSWORD }), 'account');
    const other = email('other');
    await new Client(server).signup(other, PASSWORD);
    await new Client(server).login(other, PASSWORD);
  });

  test('sign-up per address: invalid forms cost nothing; the 2nd passes, the 3rd is 429', async () => {
    const c = new Client(server);
    assertError(await c.post('/api/v1/auth/signup', { email: 'not an email', password: PASSWORD, display_name: 'X' }), 400, 'bad_request');
    assertError(await c.post('/api/v1/auth/signup', { email: email('s'), password: 'short', display_name: 'X' }), 400, 'bad_request');
    for (let i = 0; i < BURST.SIGNUP_ADDR; i++) await c.signup(email('s'), PASSWORD);
    assertLimited(await c.post('/api/v1/auth/signup', { email: email('s'), password: PASSWORD, display_name: 'X' }), 'signup');
    await new Client(server).signup(email('s'), PASSWORD);
  });

  test('account deletion per user: the 2nd wrong password is 403, the 3rd 429', async () => {
    const u = await member(server);
    assertError(await u.del('/api/v1/me', {}), 400, 'bad_request');
    for (let i = 0; i < BURST.PASSWORD; i++) assertError(await u.del('/api/v1/me', { password: 'wrong one' }), 403, 'forbidden');
    assertLimited(await u.del('/api/v1/me', { password: PASSWORD }), 'password');
    assert.equal((await u.get('/api/v1/auth/session')).body.user.id, u.user.id, 'still there');
    const v = await member(server);
    assert.equal((await v.del('/api/v1/me', { password: PASSWORD })).status, 200);
  });

  test('chat bundles per user: unknown devices are 404 and cost nothing; the 2nd take passes, the 3rd is 429', async () => {
    const owner = await member(server);
    const dev = (await owner.post('/api/v1/chat/devices', { bundle: chatBundle(6) })).body.id;
    const taker = await member(server);
    for (let n = 900_000; n < 900_010; n++) {
      assertError(await taker.post(`/api/v1/chat/devices/d_${n}/bundle`, {}), 404, 'not_found');
    }
    for (let i = 0; i < BURST.CHAT_BUNDLE; i++) {
      const r = await taker.post(`/api/v1/chat/devices/${dev}/bundle`, {});
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    assertLimited(await taker.post(`/api/v1/chat/devices/${dev}/bundle`, {}), 'bundle');
    assertError(await taker.post('/api/v1/chat/devices/d_900000/bundle', {}), 404, 'not_found');
    assert.equal((await (await member(server)).post(`/api/v1/chat/devices/${dev}/bundle`, {})).status, 200);
    assertError(await new Client(server).post(`/api/v1/chat/devices/${dev}/bundle`, {}), 401, 'unauthorized');
  });

  test('sign-outs per user: the 2nd passes, the 3rd is 429 and the session lives on', async () => {
    const mail = email('out');
    const a = new Client(server);
    await a.signup(mail, PASSWORD);
    const b = new Client(server), c = new Client(server);
    await b.login(mail, PASSWORD);
    await c.login(mail, PASSWORD);
    assert.equal((await a.post('/api/v1/auth/logout', {})).status, 200);
    assert.equal((await b.post('/api/v1/auth/logout', {})).status, 200);
    assertLimited(await c.post('/api/v1/auth/logout-all', {}), 'signout');
    assert.equal((await c.get('/api/v1/auth/session')).body.user.email, mail);
  });

  test('writes per user: refused requests cost nothing; the 4th passes, the 5th is 429, on every write route', async () => {
    const u = await member(server);
    for (let i = 0; i < 3; i++) {
      assertError(await u.put('/api/v1/users/u_1/follow', undefined, { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf');
    }
    const writes = ['/api/v1/users/u_1/follow', '/api/v1/users/u_2/follow', '/api/v1/pets/pet_1/follow', '/api/v1/pets/pet_2/follow'];
    assert.equal(writes.length, BURST.WRITE);
    for (const w of writes) assert.equal((await u.put(w)).status, 200, w);
    assertLimited(await u.del('/api/v1/users/u_1/follow'), 'write');
    // Every state-changing operation of the contract counts against the
    // same budget, except those with a purpose of their own (tested above).
    const own = new Set(['POST /api/v1/auth/signup', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout',
      'POST /api/v1/auth/logout-all', 'DELETE /api/v1/me', 'POST /api/v1/media', 'POST /api/v1/chat/attachments',
      'POST /api/v1/chat/devices/{device_id}/bundle', 'POST /api/v1/auth/password',
      // PA_LIMIT_BILLING, at its edge in billing.test.mjs (the marketplace's and the ad top-ups' provider calls share it)
      'POST /api/v1/checkout', 'POST /api/v1/orders/{order_id}/capture', 'POST /api/v1/orders/{order_id}/cancel',
      'POST /api/v1/orders/{order_id}/refund-request/accept',
      'POST /api/v1/billing/checkout', 'POST /api/v1/billing/checkouts/{checkout_id}/retry',
      'POST /api/v1/billing/checkouts/{checkout_id}/abandon', 'POST /api/v1/billing/cancel',
      'POST /api/v1/billing/resume', 'POST /api/v1/ads/topups',
      // PA_LIMIT_MAIL_ADDR / _MAIL_ACCOUNT and the password's, at their edges in account.test.mjs
      'POST /api/v1/auth/reset', 'POST /api/v1/auth/reset/confirm', 'POST /api/v1/auth/email/confirm',
      'POST /api/v1/me/email',
      // PA_LIMIT_TOTP, PA_LIMIT_PASSWORD and PA_LIMIT_SIGNOUT, at their edges in twostep.test.mjs
      'POST /api/v1/auth/login/totp', 'POST /api/v1/auth/totp/setup', 'POST /api/v1/auth/totp/enable',
      'POST /api/v1/auth/totp/disable', 'DELETE /api/v1/auth/sessions/{ses}',
      // PA_LIMIT_REPORT, at its edge in moderation.test.mjs
      'POST /api/v1/reports',
      // PA_LIMIT_AD_EVENTS, at its edge in ads-serve.test.mjs
      'POST /api/v1/ads/events',
      // PA_LIMIT_CHAT_LINK, at its edge in chat-devices.test.mjs
      'POST /api/v1/chat/links', 'POST /api/v1/chat/links/{link_id}/approve',
      // PA_LIMIT_HELP_ASK, at its edge in help-ask.test.mjs
      'POST /api/v1/help/ask',
      // PA_LIMIT_SUPPORT, at its edge in support.test.mjs
      'POST /api/v1/support/conversations', 'POST /api/v1/support/conversations/{conversation_id}/messages',
      // PA_LIMIT_LIVE_START, at its edge in live.test.mjs
      'POST /api/v1/lives']);
    // Providers' webhooks: signed, never limited (a provider retrying must get through).
    const hooks = new Set(['POST /api/v1/webhooks/paypal', 'POST /api/v1/webhooks/mercadopago', 'POST /api/v1/webhooks/chatwoot/{code}']);
    const ids = { post_id: 'p_1', pet_id: 'pet_1', user_id: 'u_1', u: 'u_1', role: 'moderator', comment_id: 'c_1', story_id: 's_1', device_id: 'd_1', media_id: 'm_1', reel_id: 'r_1',
      kind: 'weights', record_id: 'hr_1', share_id: 'hs_1', ses: 'ses_1', id: 'p_1', listing_id: 'lst_1',
      variant_id: 'lv_1', address_id: 'adr_1', order_id: 'ord_1', campaign_id: 'c_1', creative_id: 'cr_1',
      link_id: 'lk_1', group_id: 'g_1', call_id: 'call_1', conversation_id: 'sc_1', canned_id: 'cn_1',
      live_id: 'live_1', live_comment_id: 'lc_1' };
    let checked = 0;
    for (const op of operations()) {
      const [method, template] = op.split(' ');
      if (!template.startsWith('/api/') || method === 'GET' || hooks.has(op)) continue;
      assert.ok(contract.paths[template][method.toLowerCase()].responses['429'], `${op}: the contract lists 429`);
      if (own.has(op)) continue;
      const target = template.replace(/\{(\w+)\}/g, (_, name) => ids[name]);
      if (template.startsWith('/api/v1/admin/') || template.startsWith('/api/v1/mod/')) {
        // Role-gated: a member is refused (403) before any budget is looked at.
        assertError(await u.request(method, target, { json: {} }), 403, 'forbidden');
        continue;
      }
      assertLimited(await u.request(method, target, { json: {} }), op);
      checked++;
    }
    assert.equal(checked, 83, 'write routes on the generic budget'); // issue 22 added 10, issue 23's support rating 1, issue 24's lives 6
    assert.equal((await u.get('/api/v1/feed')).status, 200, 'reads are not writes');
    const other = await member(server);
    assert.equal((await other.put('/api/v1/users/u_1/follow')).status, 200);
  });

  test('uploads per user, media and chat photos together: the 2nd passes, the 3rd is 429', async () => {
    const u = await member(server);
    await u.upload(png(8, 8), 'image/png');
    const photo = await u.request('POST', '/api/v1/chat/attachments', { body: randomBytes(64), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(photo.status, 201);
    assertLimited(await u.request('POST', '/api/v1/media', { body: png(8, 8), headers: { 'content-type': 'image/png' } }), 'media');
    assertLimited(await u.request('POST', '/api/v1/chat/attachments', { body: randomBytes(64), headers: { 'content-type': 'application/octet-stream' } }), 'attachment');
    await (await member(server)).upload(png(8, 8), 'image/png');
  });

  test('search per address signed out, per user signed in: bad queries cost nothing; the 3rd passes, the 4th is 429', async () => {
    const anon = new Client(server);
    assertError(await anon.get('/api/v1/search?type=people'), 400, 'bad_request');
    assertError(await anon.get('/api/v1/search?q=a&type=nope'), 400, 'bad_request');
    for (let i = 0; i < BURST.SEARCH; i++) assert.equal((await anon.get(`/api/v1/search?q=a${i}&type=people`)).status, 200);
    assertLimited(await anon.get('/api/v1/search?q=b&type=pets'), 'search');
    const same = await member(server, { address: anon.address });
    assert.equal((await same.get('/api/v1/search?q=b&type=pets')).status, 200, 'a user counts apart from the address');
  });

  test('feed candidates: a session, at most 1000, and a budget', async () => {
    assertError(await new Client(server).get('/api/v1/feed/candidates'), 401, 'unauthorized');
    assertError(await new Client(server).get('/api/v1/feed/candidates?limit=1000'), 401, 'unauthorized');
    const u = await member(server);
    for (const bad of ['1001', '20000', '0']) assertError(await u.get(`/api/v1/feed/candidates?limit=${bad}`), 400, 'bad_request');
    for (let i = 0; i < BURST.CANDIDATES; i++) {
      const r = await u.get('/api/v1/feed/candidates?limit=1000');
      assert.equal(r.status, 200);
      assert.equal(r.body.candidates.length, 30);
    }
    assertLimited(await u.get('/api/v1/feed/candidates?limit=1'), 'candidates');
  });
});

describe('limits from the environment', () => {
  test('1..PA_LIMIT_ENV_MAX taken for a burst, a window or a table size; anything else named, and the server does not start', async () => {
    // Anything else stops the server before it listens, each variable named.
    await assert.rejects(startServer({ env: {
      PA_LIMIT_LOGIN_ADDR_WINDOW: '1000000', PA_LIMIT_LOGIN_ACCOUNT_WINDOW: '1',
      PA_LIMIT_SEARCH_WINDOW: '1000001', PA_LIMIT_WRITE_WINDOW: '0', PA_LIMIT_UPLOAD_BURST: '12x',
    } }), (e) => {
      for (const name of ['PA_LIMIT_SEARCH_WINDOW', 'PA_LIMIT_WRITE_WINDOW', 'PA_LIMIT_UPLOAD_BURST'])
        assert.match(e.message, new RegExp(`ignoring ${name}: not a whole number from 1 to 1000000`), name);
      for (const name of ['PA_LIMIT_LOGIN_ADDR_WINDOW', 'PA_LIMIT_LOGIN_ACCOUNT_WINDOW'])
        assert.doesNotMatch(e.message, new RegExp(`ignoring ${name}`), name);
      return true;
    });
    // The edges themselves are taken.
    const server = await startServer({ env: { PA_LIMIT_LOGIN_ADDR_WINDOW: '1000000', PA_LIMIT_LOGIN_ACCOUNT_WINDOW: '1' } });
    try {
      assertError(await new Client(server).post('/api/v1/auth/login', { email: email('env'), password: 'not it' }), 401, 'unauthorized');
      assert.doesNotMatch(server.stderr, /ignoring PA_LIMIT/);
    } finally {
      await stopServer(server, { keepData: false });
    }
  });
});

describe('a table full of limiting buckets', () => {
  let server;
  before(async () => {
    server = await startServer({ env: {
      PA_LIMIT_LOGIN_ADDR_SLOTS: '2', PA_LIMIT_LOGIN_ADDR_BURST: '1',
      PA_LIMIT_SEARCH_SLOTS: '1', PA_LIMIT_SEARCH_BURST: '1',
    } });
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('sign-in fails closed: a new address is refused, no limiting bucket is forgotten', async () => {
    const a = new Client(server), b = new Client(server);
    const attempt = (c) => c.post('/api/v1/auth/login', { email: email('full'), password: 'not it' });
    assertError(await attempt(a), 401, 'unauthorized');
    assertError(await attempt(b), 401, 'unauthorized');
    assertLimited(await attempt(new Client(server)), 'a third address');
    assertLimited(await attempt(a), 'the first address still');
    assertLimited(await attempt(b), 'the second address still');
  });

  test('search fails open: a new address goes through uncounted, the limited one stays limited', async () => {
    const a = new Client(server), b = new Client(server);
    assert.equal((await a.get('/api/v1/search?q=a&type=tags')).status, 200);
    assert.equal((await b.get('/api/v1/search?q=a&type=tags')).status, 200);
    assert.equal((await b.get('/api/v1/search?q=b&type=tags')).status, 200, 'not remembered');
    assertLimited(await a.get('/api/v1/search?q=c&type=tags'), 'the address in the table');
  });

});

describe('limits misconfigured', () => {
  test('a malformed PA_LIMIT_* variable stops the server at start, named', async () => {
    await assert.rejects(startServer({ env: { PA_LIMIT_WRITE_BURST: 'lots' } }), (e) => {
      assert.match(e.message, /exited \(2\)/);
      assert.match(e.message, /PA_LIMIT_WRITE_BURST/);
      return true;
    });
  });
});
