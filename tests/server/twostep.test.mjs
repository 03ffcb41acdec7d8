// Two-step sign-in, the sessions list and "download my data" (issue 19,
// item 1): TOTP as RFC 6238 says (the test's own generator is checked
// against the RFC's appendix B first, then the server is asked with codes
// made from the secret it handed out, at the server's clock moved by
// PA_TEST_CLOCK_OFFSET), a used step refused, recovery codes single-use, the
// second step's limit at its edge (PA_LIMIT_TOTP_BURST), the challenge's
// expiry, the secret sealed at rest under PA_SECRETS_KEY; sessions with
// their device and network, one ended from another; the export's content and
// what it must never hold (secrets, other people's private data), its media
// archive and its limit; every new route's authorization (no session 401,
// no CSRF token 403, another person's session 404); the schema 13 upgrade.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import jsQR from 'jsqr';
import {
  Client, assertError, databaseHolds, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png,
  startServer, stopServer,
} from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const KEY = 'a1'.repeat(32); // PA_SECRETS_KEY: 32 bytes in hex
const TOTP_BURST = 5; // PA_LIMIT_TOTP_BURST (web/src/limit.h)
const EXPORT_BURST = 5; // PA_LIMIT_EXPORT_BURST
const CHALLENGE_SECONDS = 300; // PA_TWOSTEP_CHALLENGE_SECONDS (web/src/auth/twostep.h)
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of s) {
    acc = (acc << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with Node's HMAC, digits long. */
function hotp(key, counter, digits = 6, algo = 'sha1') {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algo, key).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  const bin = mac.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}
/** Draws a QR matrix's rows ('1' dark) as an RGBA bitmap, scale pixels a module, with the 4-module quiet zone. */
function qrBitmap(rows, scale = 4) {
  const side = (rows.length + 8) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  rows.forEach((row, y) => [...row].forEach((cell, x) => {
    if (cell !== '1') return;
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4;
        data[at] = data[at + 1] = data[at + 2] = 0;
      }
    }
  }));
  return { data, side };
}

const step = (offset = 0) => Math.floor((Date.now() / 1000 + offset) / 30);

async function person(server, tag, headers = {}) {
  const c = new Client(server);
  const mail = email(tag);
  const r = await c.post('/api/v1/auth/signup', { email: mail, password: PASSWORD, display_name: `Person ${tag}` }, { headers });
  assert.equal(r.status, 201);
  return { c, mail, id: r.body.user.id };
}

/** Turns two-step on for p: { secret, key, codes, usedStep }. */
async function turnOn(p) {
  const s = await p.c.post('/api/v1/auth/totp/setup', { password: PASSWORD });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const key = base32Decode(s.body.secret);
  const at = step();
  const e = await p.c.post('/api/v1/auth/totp/enable', { code: hotp(key, at) });
  assert.equal(e.status, 200, JSON.stringify(e.body));
  return { secret: s.body.secret, key, codes: e.body.recovery_codes, usedStep: at, uri: s.body.otpauth_uri };
}

async function challengeFor(server, mail) {
  const c = new Client(server);
  const r = await c.post('/api/v1/auth/login', { email: mail, password: PASSWORD });
  assert.equal(r.status, 200);
  assert.equal(r.body.second_step, 'totp', JSON.stringify(r.body));
  assert.equal(c.cookie, null, 'no session before the second step');
  return { c, challenge: r.body.challenge };
}

test('the test\'s TOTP generator gives RFC 6238 appendix B\'s SHA-1 values', () => {
  const key = Buffer.from('12345678901234567890');
  const vectors = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
    [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [t, want] of vectors) assert.equal(hotp(key, Math.floor(t / 30), 8), want, `T=${t}`);
});

describe('two-step sign-in', () => {
  let server;
  before(async () => { server = await startServer({ seed: false, env: { PA_SECRETS_KEY: KEY } }); });
  after(async () => { await stopServer(server); });

  test('setup needs the password; enable needs a code of the new secret; codes are never accepted twice', async () => {
    const p = await person(server, 'totp');
    assertError(await p.c.post('/api/v1/auth/totp/setup', { password: 'not the password' }), 403, 'forbidden');
    assertError(await p.c.post('/api/v1/auth/totp/enable', { code: '123456' }), 409, 'conflict');
    const s = await p.c.post('/api/v1/auth/totp/setup', { password: PASSWORD });
    assert.equal(s.status, 200);
    assert.match(s.body.otpauth_uri, new RegExp(`^otpauth://totp/PetAmigos:${encodeURIComponent(p.mail).replace(/\./g, '\\.')}\\?secret=${s.body.secret}&issuer=PetAmigos`));
    // The QR code of that URI (libqrencode, level M): square, and read back by jsQR as the URI itself.
    const qr = s.body.otpauth_qr;
    assert.equal(qr.rows.length, qr.size);
    for (const row of qr.rows) assert.match(row, new RegExp(`^[01]{${qr.size}}$`));
    const { data, side } = qrBitmap(qr.rows);
    const read = jsQR(data, side, side, { inversionAttempts: 'dontInvert' });
    assert.ok(read, 'jsQR finds a QR code in the rows');
    assert.equal(read.data, s.body.otpauth_uri);
    assert.equal(read.version, (qr.size - 17) / 4);
    // Sealed at rest: 60 bytes, and the secret's bytes are nowhere in the database.
    assert.equal(dbQuery(server, `SELECT length(secret), sealed, enabled_at IS NULL FROM user_totp WHERE user_id = ${p.id.slice(2)}`)
      .replace(/\|/g, ' '), '60 1 1');
    assert.equal(databaseHolds(server, base32Decode(s.body.secret)), false, 'the raw secret is not stored');
    const key = base32Decode(s.body.secret);
    assertError(await p.c.post('/api/v1/auth/totp/enable', { code: hotp(key, step() + 5) }), 403, 'forbidden');
    assert.deepEqual((await p.c.get('/api/v1/auth/totp')).body, { enabled: false, recovery_codes_left: 0 });
    const at = step();
    const e = await p.c.post('/api/v1/auth/totp/enable', { code: hotp(key, at) });
    assert.equal(e.status, 200);
    assert.equal(new Set(e.body.recovery_codes).size, 10);
    assert.deepEqual((await p.c.get('/api/v1/auth/totp')).body, { enabled: true, recovery_codes_left: 10 });
    assertError(await p.c.post('/api/v1/auth/totp/setup', { password: PASSWORD }), 409, 'conflict');
    for (const code of e.body.recovery_codes) assert.equal(databaseHolds(server, Buffer.from(code)), false);

    // Sign-in: the password gives a challenge, no session.
    let { c, challenge } = await challengeFor(server, p.mail);
    assertError(await c.get('/api/v1/auth/sessions'), 401, 'unauthorized');
    // The step used to turn it on is spent.
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: hotp(key, at) }), 403, 'forbidden');
    const next = hotp(key, at + 1).replace(/^(\d{3})/, '$1 '); // typed with a space
    const ok = await c.post('/api/v1/auth/login/totp', { challenge, code: next });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.id, p.id);
    assert.equal((await c.get('/api/v1/auth/sessions')).status, 200);
    // The challenge is spent with the step; the code too, with a new challenge.
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: hotp(key, at + 1) }), 401, 'unauthorized');
    ({ c, challenge } = await challengeFor(server, p.mail));
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: hotp(key, at + 1) }), 403, 'forbidden');
    // Malformed codes and challenges (another person: this one's budget is spent).
    const q = await person(server, 'malformed');
    await turnOn(q);
    ({ c, challenge } = await challengeFor(server, q.mail));
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: '12345' }), 403, 'forbidden');
    assertError(await c.post('/api/v1/auth/login/totp', { challenge: `${challenge.slice(0, -2)}AA`, code: '123456' }), 401, 'unauthorized');
    assertError(await c.post('/api/v1/auth/login/totp', { challenge }), 400, 'bad_request');
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: '123456', recovery_code: 'AAAAA-AAAAA' }), 400, 'bad_request');
  });

  test('recovery codes sign in once each, in any case and spacing', async () => {
    const p = await person(server, 'recovery');
    const on = await turnOn(p);
    let { c, challenge } = await challengeFor(server, p.mail);
    const typed = on.codes[0].toLowerCase().replace('-', ' ');
    assert.equal((await c.post('/api/v1/auth/login/totp', { challenge, recovery_code: typed })).status, 200);
    assert.deepEqual((await c.get('/api/v1/notifications')).body.notifications.filter((n) => n.kind === 'security')
      .map((n) => n.detail.event), ['recovery_used', 'totp_on']);
    assert.deepEqual((await c.get('/api/v1/auth/totp')).body, { enabled: true, recovery_codes_left: 9 });
    ({ c, challenge } = await challengeFor(server, p.mail));
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, recovery_code: on.codes[0] }), 403, 'forbidden');
    // Another person's recovery code is nothing here.
    const q = await person(server, 'other');
    const qon = await turnOn(q);
    assertError(await c.post('/api/v1/auth/login/totp', { challenge, recovery_code: qon.codes[0] }), 403, 'forbidden');
    assert.equal((await c.post('/api/v1/auth/login/totp', { challenge, recovery_code: on.codes[1] })).status, 200);
  });

  test(`${TOTP_BURST} code checks per account (turning it on is one), then 429 even for the right code`, async () => {
    const p = await person(server, 'guess');
    const on = await turnOn(p);
    const { c, challenge } = await challengeFor(server, p.mail);
    const wrong = hotp(on.key, step() + 7);
    for (let i = 1; i < TOTP_BURST; i++)
      assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: wrong }), 403, 'forbidden');
    // From another address too: the bucket is the account's.
    const elsewhere = new Client(server);
    const r = await elsewhere.post('/api/v1/auth/login/totp', { challenge, code: hotp(on.key, on.usedStep + 1) });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) >= 1);
  });

  test('turning it off needs the password and a code; then the password alone signs in', async () => {
    const p = await person(server, 'off');
    const on = await turnOn(p);
    assertError(await p.c.post('/api/v1/auth/totp/disable', { password: 'wrong password!', code: hotp(on.key, on.usedStep + 1) }), 403, 'forbidden');
    assertError(await p.c.post('/api/v1/auth/totp/disable', { password: PASSWORD, code: hotp(on.key, on.usedStep) }), 403, 'forbidden');
    assert.equal((await p.c.post('/api/v1/auth/totp/disable', { password: PASSWORD, recovery_code: on.codes[3] })).status, 200);
    assertError(await p.c.post('/api/v1/auth/totp/disable', { password: PASSWORD, code: '123456' }), 409, 'conflict');
    // Each change is a security notice, in the person's notifications (newest first).
    const events = (await p.c.get('/api/v1/notifications')).body.notifications
      .filter((n) => n.kind === 'security').map((n) => n.detail.event);
    assert.deepEqual(events, ['totp_off', 'totp_on']);
    assert.equal(dbQuery(server, `SELECT count(*) FROM totp_recovery WHERE user_id = ${p.id.slice(2)}`), '0');
    const c = new Client(server);
    const r = await c.post('/api/v1/auth/login', { email: p.mail, password: PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(r.body.user.id, p.id);
  });

  test('codes follow the server\'s clock; a challenge expires; challenges and sealed secrets survive a restart with the key', async () => {
    const p = await person(server, 'clock');
    const on = await turnOn(p);
    const { challenge } = await challengeFor(server, p.mail);
    const dir = server.dir;
    await stopServer(server);
    const offset = 7200;
    server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: KEY, PA_TEST_CLOCK_OFFSET: String(offset) } });
    try {
      let c = new Client(server);
      // Two hours on, this machine's code is far outside the window.
      const fresh = await challengeFor(server, p.mail);
      assertError(await fresh.c.post('/api/v1/auth/login/totp', { challenge: fresh.challenge, code: hotp(on.key, step()) }), 403, 'forbidden');
      assert.equal((await fresh.c.post('/api/v1/auth/login/totp', { challenge: fresh.challenge, code: hotp(on.key, step(offset)) })).status, 200);
      // The challenge from before the restart is older than its life.
      assertError(await c.post('/api/v1/auth/login/totp', { challenge, code: hotp(on.key, step(offset) + 1) }), 401, 'unauthorized');
    } finally {
      await stopServer(server);
    }
    // One second short of its life, a challenge made before the restart still works.
    server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: KEY, PA_TEST_CLOCK_OFFSET: '0' } });
    const late = await challengeFor(server, p.mail);
    await stopServer(server);
    const edge = CHALLENGE_SECONDS - 30;
    server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: KEY, PA_TEST_CLOCK_OFFSET: String(edge) } });
    const c = new Client(server);
    const r = await c.post('/api/v1/auth/login/totp', { challenge: late.challenge, code: hotp(on.key, step(offset) + 3) });
    assertError(r, 403, 'forbidden'); // the challenge was accepted; the code was not (a later step was used)
    // Without the key the sealed secret does not open: the server says so, it does not accept.
    await stopServer(server);
    server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: '' } });
    const none = await challengeFor(server, p.mail);
    assertError(await none.c.post('/api/v1/auth/login/totp', { challenge: none.challenge, code: hotp(on.key, step() + 1) }), 500, 'internal');
    await stopServer(server);
    server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: KEY } });
  });
});

describe('sessions and "download my data"', () => {
  let server, ana, bo;
  before(async () => {
    server = await startServer({ seed: false });
    ana = await person(server, 'ana', { 'user-agent': FIREFOX });
    bo = await person(server, 'bo', { 'user-agent': ANDROID });
  });
  after(async () => { await stopServer(server); });

  test('every new route: no session 401, no CSRF token 403', async () => {
    const anon = new Client(server);
    const routes = [['GET', '/api/v1/auth/totp'], ['POST', '/api/v1/auth/totp/setup'], ['POST', '/api/v1/auth/totp/enable'],
      ['POST', '/api/v1/auth/totp/disable'], ['GET', '/api/v1/auth/sessions'], ['DELETE', '/api/v1/auth/sessions/ses_1'],
      ['GET', '/api/v1/me/export'], ['GET', '/api/v1/me/export/media']];
    for (const [m, url] of routes) assertError(await anon.request(m, url, { json: m === 'GET' ? undefined : {} }), 401, 'unauthorized');
    for (const [m, url] of routes.filter(([m]) => m !== 'GET'))
      assertError(await ana.c.request(m, url, { json: {}, csrf: false }), 403, 'csrf');
    // The second step has no session: a cross-site request is refused.
    assertError(await anon.post('/api/v1/auth/login/totp', { challenge: 'x', code: '123456' },
      { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'csrf');
  });

  test('the list shows each session\'s device and network, this one marked; another person\'s id is 404; ending one signs it out', async () => {
    const phone = new Client(server);
    assert.equal((await phone.post('/api/v1/auth/login', { email: ana.mail, password: PASSWORD }, { headers: { 'user-agent': ANDROID } })).status, 200);
    const list = (await ana.c.get('/api/v1/auth/sessions')).body.sessions;
    assert.equal(list.length, 2);
    const mine = list.find((s) => s.current), other = list.find((s) => !s.current);
    assert.deepEqual([mine.browser, mine.os], ['Firefox', 'Linux']);
    assert.deepEqual([other.browser, other.os], ['Chrome', 'Android']);
    assert.equal(mine.network, `${ana.c.address.split('.').slice(0, 3).join('.')}.0/24`);
    assert.equal(other.network, `${phone.address.split('.').slice(0, 3).join('.')}.0/24`);
    // Bo cannot end (or learn about) Ana's sessions.
    assertError(await bo.c.del(`/api/v1/auth/sessions/${other.id}`), 404, 'not_found');
    assert.equal((await bo.c.get('/api/v1/auth/sessions')).body.sessions.length, 1);
    assert.equal((await phone.get('/api/v1/auth/sessions')).status, 200);
    assert.equal((await ana.c.del(`/api/v1/auth/sessions/${other.id}`)).status, 200);
    assertError(await phone.get('/api/v1/auth/sessions'), 401, 'unauthorized');
    assertError(await ana.c.del(`/api/v1/auth/sessions/${other.id}`), 404, 'not_found');
    assert.equal((await ana.c.get('/api/v1/auth/sessions')).body.sessions.length, 1);
    assertError(await ana.c.del('/api/v1/auth/sessions/s_1'), 404, 'not_found');
  });

  test('a sign-in from a browser and OS the account never used tells its owner once, and the Security view counts it', async () => {
    const p = await person(server, 'devices', { 'user-agent': FIREFOX });
    const security = async () => (await p.c.get('/api/v1/notifications')).body.notifications
      .filter((n) => n.kind === 'security').map((n) => n.detail);
    const newDevices = () => dbQuery(server, `SELECT count(*) FROM security_events WHERE kind = 'signin'
      AND detail = 'new_device' AND user_id = ${p.id.slice(2)}`);
    const login = async (ua) => {
      const c = new Client(server);
      const r = await c.post('/api/v1/auth/login', { email: p.mail, password: PASSWORD }, { headers: { 'user-agent': ua } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r;
    };
    // The account's first device (the sign-up) and the same browser again tell nothing.
    await login(FIREFOX);
    assert.deepEqual(await security(), []);
    assert.equal(newDevices(), '0');
    await login(ANDROID);
    assert.deepEqual(await security(), [{ event: 'new_device', browser: 'Chrome', os: 'Android' }]);
    assert.equal(newDevices(), '1');
    // Known now, even after every session of it ended.
    assert.equal((await p.c.post('/api/v1/auth/logout-all', {})).status, 200);
    await login(ANDROID);
    assert.equal(newDevices(), '1');
    const again = new Client(server);
    assert.equal((await again.post('/api/v1/auth/login', { email: p.mail, password: PASSWORD }, { headers: { 'user-agent': FIREFOX } })).status, 200);
    assert.deepEqual((await again.get('/api/v1/notifications')).body.notifications.filter((n) => n.kind === 'security')
      .map((n) => n.detail.event), ['new_device']);
    // A second step's sign-in counts too (a sign-in event, and the notice).
    const on = await turnOn({ c: again, mail: p.mail });
    const { c, challenge } = await challengeFor(server, p.mail);
    const ua = { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' } };
    const r = await c.post('/api/v1/auth/login/totp', { challenge, code: hotp(on.key, on.usedStep + 1) }, ua);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((await c.get('/api/v1/notifications')).body.notifications.filter((n) => n.kind === 'security')
      .map((n) => n.detail), [{ event: 'new_device', browser: 'Safari', os: 'macOS' }, { event: 'totp_on' },
      { event: 'new_device', browser: 'Chrome', os: 'Android' }]);
    assert.equal(newDevices(), '2');
  });

  test('the last-seen time follows use, at most every 5 minutes', async () => {
    const c = new Client(server);
    await c.post('/api/v1/auth/login', { email: bo.mail, password: PASSWORD });
    const dir = server.dir;
    await stopServer(server);
    server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: '3600' } });
    try {
      const again = new Client(server);
      again.cookie = c.cookie;
      const s = (await again.get('/api/v1/auth/sessions')).body.sessions.find((x) => x.current);
      assert.ok(Date.parse(s.last_seen_at) - Date.parse(s.created_at) >= 3600 * 1000, JSON.stringify(s));
    } finally {
      await stopServer(server);
      server = await startServer({ data: dir, seed: false });
    }
    ana.c.server = server;
    bo.c.server = server;
  });

  test('the JSON export holds the person\'s things and nothing secret or private of anyone else', async () => {
    const pet = (await ana.c.post('/api/v1/pets', { name: 'Mochi', species: 'cat' })).body;
    const media = await ana.c.upload(png(20, 10), 'image/png');
    const post = (await ana.c.post('/api/v1/posts', { caption: 'Mochi naps #cats', media_ids: [media.id], pet_ids: [pet.id] })).body;
    const bpet = (await bo.c.post('/api/v1/pets', { name: 'Rex', species: 'dog' })).body;
    const bmedia = await bo.c.upload(png(12, 12), 'image/png');
    const bpost = (await bo.c.post('/api/v1/posts', { caption: 'Rex at the park', media_ids: [bmedia.id], pet_ids: [bpet.id] })).body;
    await bo.c.upload(png(9, 9), 'image/png'); // a draft of Bo's: private to him
    assert.equal((await ana.c.post(`/api/v1/posts/${bpost.id}/comments`, { body: 'What a good boy' })).status, 201);
    assert.equal((await bo.c.post(`/api/v1/posts/${post.id}/comments`, { body: 'BO-PRIVATE-ISH comment' })).status, 201);
    assert.equal((await ana.c.put(`/api/v1/posts/${bpost.id}/like`)).status, 200);
    assert.equal((await bo.c.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal((await ana.c.put(`/api/v1/users/${bo.id}/follow`)).status, 200);
    const on = await turnOn(ana);

    const r = await ana.c.get('/api/v1/me/export');
    assert.equal(r.status, 200);
    const x = r.body;
    assert.equal(x.profile.id, ana.id);
    assert.equal(x.profile.email, ana.mail);
    assert.deepEqual(x.pets.map((p) => p.name), ['Mochi']);
    assert.deepEqual(x.posts.map((p) => p.id), [post.id]);
    assert.equal(x.post_photos.length, 1);
    assert.deepEqual(x.comments.map((c) => c.body), ['What a good boy']);
    assert.deepEqual(x.likes.map((l) => l.post), [bpost.id]);
    assert.deepEqual(x.following.map((f) => f.user), [bo.id]);
    assert.ok(x.notifications.some((n) => n.kind === 'like' && n.actor === bo.id));
    assert.ok(x.sessions.length >= 1 && x.sessions.every((s) => !('csrf' in s) && !('token_hash' in s)));
    assert.equal(x.two_step.length, 1);
    // Her phone's sign-in (the sessions test above) was a new device.
    assert.deepEqual(x.notices.map((n) => [n.kind, JSON.parse(n.detail).event]), [['security', 'new_device'], ['security', 'totp_on']]);
    assert.deepEqual(x.known_devices.map((d) => `${d.browser} ${d.os}`).sort(), ['Chrome Android', 'Firefox Linux']);
    assert.equal(x.uploads.length, 1);
    const text = JSON.stringify(x);
    for (const secret of [bo.mail, 'BO-PRIVATE-ISH', '$argon2', ana.c.csrf, ana.c.cookie, bo.c.csrf, 'Rex at the park'])
      assert.equal(text.includes(secret), false, `the export holds ${secret}`);
    // The TOTP secret in any spelling, and the recovery codes.
    for (const secret of [on.secret, on.key.toString('hex'), on.key.toString('base64'), ...on.codes])
      assert.equal(text.includes(secret), false, 'the export holds a two-step secret');
    // Bo's export is Bo's.
    const b = (await bo.c.get('/api/v1/me/export')).body;
    assert.equal(b.profile.id, bo.id);
    assert.equal(b.uploads.length, 2);
    assert.equal(JSON.stringify(b).includes(ana.mail), false);
  });

  test('the media archive is a tar of the person\'s uploads, byte for byte, and no one else\'s', async () => {
    const r = await ana.c.get('/api/v1/me/export/media');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/x-tar');
    const files = untar(r.buf);
    const x = (await ana.c.get('/api/v1/me/export')).body;
    assert.deepEqual(files.map((f) => f.name), x.uploads.map((u) => `petamigos-media/${u.file}`));
    for (const f of files) {
      const served = await ana.c.get(`/media/${f.name.split('/')[1]}`);
      assert.equal(served.status, 200);
      assert.ok(Buffer.compare(served.buf, f.data) === 0, `${f.name} as stored`);
    }
    const mine = new Set(files.map((f) => f.name));
    const bos = untar((await bo.c.get('/api/v1/me/export/media')).buf);
    assert.equal(bos.length, 2);
    assert.ok(bos.every((f) => !mine.has(f.name)));
  });

  test(`exports are limited to ${EXPORT_BURST} an hour per person (JSON and archive together)`, async () => {
    const p = await person(server, 'exporter');
    for (let i = 0; i < EXPORT_BURST; i++)
      assert.equal((await p.c.get(i % 2 ? '/api/v1/me/export/media' : '/api/v1/me/export')).status, 200);
    assertError(await p.c.get('/api/v1/me/export'), 429, 'rate_limited');
    assertError(await p.c.get('/api/v1/me/export/media'), 429, 'rate_limited');
  });
});

/** The files of a ustar archive, checking each header's checksum and the end blocks. */
function untar(buf) {
  const files = [];
  let at = 0;
  for (;;) {
    const h = buf.subarray(at, at + 512);
    assert.equal(h.length, 512, 'a whole header block');
    if (h.every((b) => b === 0)) {
      assert.ok(buf.subarray(at, at + 1024).every((b) => b === 0) && buf.length === at + 1024, 'two zero blocks end it');
      return files;
    }
    const field = (o, n) => h.subarray(o, o + n).toString('latin1').replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    assert.equal(parseInt(field(148, 8), 8), sum, 'checksum');
    assert.equal(field(257, 6), 'ustar');
    const size = parseInt(field(124, 12), 8);
    files.push({ name: field(0, 100), data: buf.subarray(at + 512, at + 512 + size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

describe('the two-step schema upgrade', () => {
  test('a SQLite database one version older gets sessions\' last use and the two-step tables, in place', async () => {
    const m = await migrationsFromSource();
    const v = m.findIndex((sql) => sql.includes('CREATE TABLE user_totp'));
    const { tmp, data, sql } = await oldDatabase('twostep', v);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 100);
      INSERT INTO sessions (user_id, token_hash, csrf, created_at, expires_at) VALUES (1, randomblob(32), 'c', 1234, 99999999999);`);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql("SELECT last_seen_at, browser = '', os = '', addr = '' FROM sessions"), '1234 1 1 1');
      assert.equal(sql('SELECT count(*) FROM user_totp; SELECT count(*) FROM totp_recovery;'), '0\n0');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

// Known devices (found in the source, so a renumbering needs no edit): the
// upgrade fills them from the sessions there are, one row per person,
// browser and OS, first and last seen from the sessions'.
const DEVICES_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE known_devices')) + 1;
const DEVICES_WORLD = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
  INSERT INTO sessions (user_id, token_hash, csrf, created_at, expires_at, last_seen_at, browser, os)
  VALUES (1, CAST('token-of-ann-0123456789abcdefgh1' AS BLOB), 'c', 10, 9999999999, 40, 'Firefox', 'Linux'),
    (1, CAST('token-of-ann-0123456789abcdefgh2' AS BLOB), 'c', 20, 9999999999, 30, 'Firefox', 'Linux'),
    (1, CAST('token-of-ann-0123456789abcdefgh3' AS BLOB), 'c', 50, 9999999999, 60, 'Chrome', 'Android');`;
const DEVICES_AFTER = 'SELECT user_id, browser, os, first_seen_at, last_seen_at FROM known_devices ORDER BY browser';

describe(`the known devices schema upgrade (version ${DEVICES_VERSION})`, () => {
  test('SQLite: each session\'s device becomes known, first and last seen from its sessions', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('devices', DEVICES_VERSION - 1);
    sql(DEVICES_WORLD);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql(DEVICES_AFTER), '1 Chrome Android 50 60\n1 Firefox Linux 10 40');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-devices-pg-'));
    const pg = await createDatabase('pa_devices_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, DEVICES_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${DEVICES_VERSION - 1};
        ${DEVICES_WORLD.replace(/CAST\('([^']*)' AS BLOB\)/g, "convert_to('$1', 'UTF8')")}`);
      const server = await startServer({ data: path.join(tmp, 'data'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, DEVICES_AFTER), [
          { user_id: '1', browser: 'Chrome', os: 'Android', first_seen_at: '50', last_seen_at: '60' },
          { user_id: '1', browser: 'Firefox', os: 'Linux', first_seen_at: '10', last_seen_at: '40' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
