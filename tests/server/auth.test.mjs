// Accounts: signup, login, sessions, CSRF, rate limits, logout, account deletion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

describe('accounts', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('signup signs in: cookie flags, session, CSRF token', async () => {
    const c = new Client(server);
    const mail = email('signup');
    const r = await c.post('/api/v1/auth/signup', { email: mail, password: 'a long enough secret', display_name: 'Zoë Ångström' });
    assert.equal(r.status, 201);
    assert.equal(r.body.user.email, mail);
    assert.equal(r.body.user.name, 'Zoë Ångström');
    assert.match(r.body.user.handle, /^[a-z0-9_]+$/);
    const cookie = r.headers['set-cookie'][0];
    assert.match(cookie, /^pa_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    assert.ok(!/Secure/.test(cookie), 'no Secure over plain HTTP');
    const s = await c.get('/api/v1/auth/session');
    assert.equal(s.status, 200);
    assert.equal(s.body.user.id, r.body.user.id);
    assert.equal(s.body.csrf_token, r.body.csrf_token);
    // The password and the cookie never reach the log.
    assert.ok(!server.stderr.includes('a long enough secret'));
    assert.ok(!server.stderr.includes(c.cookie));
  });

  test('Secure cookie behind a loopback proxy that says https', async () => {
    const c = new Client(server);
    const r = await c.post('/api/v1/auth/signup', { email: email('tls'), password: 'a long enough secret', display_name: 'T' },
      { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 201);
    assert.match(r.headers['set-cookie'][0], /; Secure$/);
  });

  test('signed out: user null, csrf_token null', async () => {
    const r = await new Client(server).get('/api/v1/auth/session');
    assert.deepEqual(r.body, { user: null, csrf_token: null });
    const bogus = new Client(server);
    bogus.cookie = 'A'.repeat(43);
    assert.deepEqual((await bogus.get('/api/v1/auth/session')).body, { user: null, csrf_token: null });
    bogus.cookie = 'not a token';
    assert.deepEqual((await bogus.get('/api/v1/auth/session')).body, { user: null, csrf_token: null });
  });

  test('signup checks its input', async () => {
    const c = new Client(server);
    const cases = [
      [{ email: 'x@y.z', password: 'short', display_name: 'A' }, 400],
      [{ email: 'x@y.z', password: 'x'.repeat(257), display_name: 'A' }, 400],
      [{ email: 'not-an-email', password: 'long enough pw', display_name: 'A' }, 400],
      [{ email: 'x@y.z', password: 'long enough pw', display_name: '' }, 400],
      [{ email: 'x@y.z', password: 'long enough pw' }, 400],
      [{ email: 'x@y.z', password: 'long enough pw', display_name: 'A', admin: true }, 400],
      [{ email: 5, password: 'long enough pw', display_name: 'A' }, 400],
      [{ email: 'x@y.z', password: 'long enough pw', display_name: 'bad\u0001name' }, 400],
    ];
    for (const [body, status] of cases) {
      assertError(await c.post('/api/v1/auth/signup', body), status, 'bad_request');
    }
    // 256 bytes is the most a password may have: multi-byte characters count as bytes.
    const ok = await c.post('/api/v1/auth/signup', { email: email('max'), password: 'é'.repeat(128), display_name: 'Max' });
    assert.equal(ok.status, 201);
    const over = await new Client(server).post('/api/v1/auth/signup', { email: email('max'), password: 'é'.repeat(128) + 'x', display_name: 'Max' });
    assertError(over, 400, 'bad_request');
    // PA_STORE_EMAIL_MAX (web/src/store/accounts.h): an address of 254 bytes
    // signs up and signs in; 255 is refused by both.
    const long = (n) => { const e = email('long'); return `${e.split('@')[0]}@${'d'.repeat(n - e.indexOf('@') - 6)}.test`; };
    const [at, past] = [long(254), long(255)];
    assert.deepEqual([at.length, past.length], [254, 255]);
    assert.equal((await new Client(server).post('/api/v1/auth/signup', { email: at, password: 'long enough pw', display_name: 'Long' })).status, 201);
    assert.equal((await new Client(server).post('/api/v1/auth/login', { email: at, password: 'long enough pw' })).status, 200);
    assertError(await new Client(server).post('/api/v1/auth/signup', { email: past, password: 'long enough pw', display_name: 'Long' }), 400, 'bad_request');
    assertError(await new Client(server).post('/api/v1/auth/login', { email: past, password: 'long enough pw' }), 400, 'bad_request');
  });

  test('duplicate email is 409, whatever its case', async () => {
    const mail = email('dup');
    await new Client(server).signup(mail);
    const r = await new Client(server).post('/api/v1/auth/signup', { email: mail.toUpperCase(), password: 'another password', display_name: 'B' });
    assertError(r, 409, 'conflict');
  });

  test('signup and login name the field at fault, for forms to show the message beside it', async () => {
    const c = new Client(server);
    const mail = email('field');
    const cases = [
      [{ email: 'not-an-email', password: 'long enough pw', display_name: 'A' }, 400, 'email'],
      [{ email: mail, password: 'short', display_name: 'A' }, 400, 'password'],
      [{ email: mail, password: 'long enough pw', display_name: '' }, 400, 'display_name'],
      [{ email: mail, password: 'long enough pw' }, 400, 'display_name'],
      [{ email: 5, password: 'long enough pw', display_name: 'A' }, 400, 'email'],
    ];
    for (const [body, status, field] of cases) {
      const r = await c.post('/api/v1/auth/signup', body);
      assert.equal(r.status, status);
      assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    }
    await new Client(server).signup(mail);
    const dup = await c.post('/api/v1/auth/signup', { email: mail, password: 'long enough pw', display_name: 'B' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.field, 'email');
    const missing = await c.post('/api/v1/auth/login', { email: mail });
    assert.equal(missing.body.error.field, 'password');
    // A wrong password names no field: it must not tell which half was wrong.
    const wrong = await c.post('/api/v1/auth/login', { email: mail, password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.field, undefined);
  });

  test('login, and one answer for unknown email and wrong password', async () => {
    const mail = email('login');
    await new Client(server).signup(mail, 'the right password');
    const c = new Client(server);
    const user = await c.login(mail, 'the right password');
    assert.equal(user.email, mail);
    const wrong = await new Client(server).post('/api/v1/auth/login', { email: mail, password: 'the wrong password' });
    const unknown = await new Client(server).post('/api/v1/auth/login', { email: email('nobody'), password: 'the wrong password' });
    assertError(wrong, 401, 'unauthorized');
    assertError(unknown, 401, 'unauthorized');
    assert.deepEqual(wrong.body, unknown.body);
    // Demo accounts from web/README.md work.
    const demo = await new Client(server).login('ana@demo.petamigos.test', 'petamigos-ana-demo');
    assert.equal(demo.name, 'Ana Souza');
  });

  test('CSRF: state-changing requests need the session token', async () => {
    const c = new Client(server);
    await c.signup(email('csrf'));
    const body = { name: 'Rex', species: 'dog' };
    assertError(await c.post('/api/v1/pets', body, { csrf: false }), 403, 'csrf');
    assertError(await c.post('/api/v1/pets', body, { headers: { 'x-csrf-token': 'x'.repeat(43) } }), 403, 'csrf');
    assertError(await c.post('/api/v1/auth/logout', {}, { csrf: false }), 403, 'csrf');
    assert.equal((await c.post('/api/v1/pets', body)).status, 201);
    // Another session's token is not this one's.
    const other = new Client(server);
    await other.signup(email('csrf2'));
    assertError(await c.post('/api/v1/pets', body, { headers: { 'x-csrf-token': other.csrf } }), 403, 'csrf');
  });

  test('CSRF: signup and login refuse cross-site requests', async () => {
    const c = new Client(server);
    const creds = { email: email('xsite'), password: 'long enough pw', display_name: 'X' };
    assertError(await c.post('/api/v1/auth/signup', creds, { headers: { origin: 'https://evil.example' } }), 403, 'csrf');
    assertError(await c.post('/api/v1/auth/signup', creds, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'csrf');
    assertError(await c.post('/api/v1/auth/signup', creds, { headers: { origin: 'null' } }), 403, 'csrf');
    assertError(await c.post('/api/v1/auth/login', creds, { headers: { 'sec-fetch-site': 'same-site' } }), 403, 'csrf');
    const ok = await c.post('/api/v1/auth/signup', creds, {
      headers: { origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(ok.status, 201);
  });

  test('without a session: 401 on everything that needs one', async () => {
    const c = new Client(server);
    for (const [method, target] of [
      ['POST', '/api/v1/auth/logout'], ['POST', '/api/v1/auth/logout-all'], ['DELETE', '/api/v1/me'],
      ['GET', '/api/v1/me/pets'], ['GET', '/api/v1/feed/following'], ['POST', '/api/v1/posts'],
      ['PUT', '/api/v1/posts/p_1/like'], ['POST', '/api/v1/media'], ['POST', '/api/v1/stories'],
      ['PUT', '/api/v1/users/u_1/follow'], ['POST', '/api/v1/reels'], ['DELETE', '/api/v1/comments/c_1'],
    ]) {
      assertError(await c.request(method, target, { json: {} }), 401, 'unauthorized');
    }
  });

  test('logout ends this session only; logout-all ends every one', async () => {
    const mail = email('out');
    const a = new Client(server);
    await a.signup(mail, 'password of mine');
    const b = new Client(server);
    await b.login(mail, 'password of mine');
    const c = new Client(server);
    await c.login(mail, 'password of mine');
    const oldA = a.cookie;
    const out = await a.post('/api/v1/auth/logout', {});
    assert.equal(out.status, 200);
    assert.match(out.headers['set-cookie'][0], /^pa_session=; Path=\/; Max-Age=0;/);
    a.cookie = oldA; // a stolen copy of the cookie is dead too
    assert.equal((await a.get('/api/v1/auth/session')).body.user, null);
    assert.equal((await b.get('/api/v1/auth/session')).body.user.email, mail);
    assert.equal((await b.post('/api/v1/auth/logout-all', {})).status, 200);
    assert.equal((await c.get('/api/v1/auth/session')).body.user, null);
  });

  test('rate limits: per address, then per account, with Retry-After', async () => {
    const c = new Client(server);
    let limited;
    for (let i = 0; i < 12 && !limited; i++) {
      const r = await c.post('/api/v1/auth/login', { email: email('rl'), password: 'not the password' });
      if (r.status === 429) limited = r;
      else assertError(r, 401, 'unauthorized');
    }
    assert.ok(limited, 'the address was limited within 11 attempts');
    assertError(limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    // One account attacked from many addresses.
    const victim = email('victim');
    let accountLimited = false;
    for (let i = 0; i < 12 && !accountLimited; i++) {
      const r = await new Client(server).post('/api/v1/auth/login', { email: victim, password: 'guess ' + i });
      accountLimited = r.status === 429;
    }
    assert.ok(accountLimited, 'the account was limited across addresses');
  });

  test('DELETE /me removes the account, its content and media references', async () => {
    const owner = new Client(server);
    const user = await owner.signup(email('del'), 'delete me please');
    const pet = (await owner.post('/api/v1/pets', { name: 'Ghost', species: 'cat' })).body;
    const media = await owner.upload(png(32, 24), 'image/png');
    const post = (await owner.post('/api/v1/posts', { caption: 'bye #farewell', media_ids: [media.id], pet_ids: [pet.id] })).body;
    const fan = new Client(server);
    await fan.signup(email('fan'));
    await fan.put(`/api/v1/posts/${post.id}/like`);
    await fan.put(`/api/v1/users/${user.id}/follow`);
    await owner.post(`/api/v1/posts/p_1/comments`, { body: 'hello from a leaver' });
    const before = (await fan.get('/api/v1/posts/p_1')).body.comment_count;
    const file = path.join(server.dir, 'media', media.url.slice('/media/'.length));
    assert.ok((await readdir(path.dirname(file))).includes(path.basename(file)));

    assertError(await owner.del('/api/v1/me', { password: 'wrong password' }), 403, 'forbidden');
    assertError(await owner.del('/api/v1/me', {}), 400, 'bad_request');
    const r = await owner.del('/api/v1/me', { password: 'delete me please' });
    assert.equal(r.status, 200);
    assert.equal(owner.cookie, null);
    assertError(await fan.get(`/api/v1/users/${user.id}`), 404, 'not_found');
    assertError(await fan.get(`/api/v1/posts/${post.id}`), 404, 'not_found');
    assertError(await fan.get(`/api/v1/pets/${pet.id}`), 404, 'not_found');
    assert.equal((await fan.get('/api/v1/posts/p_1')).body.comment_count, before - 1);
    // Nothing else uses the uploaded file, so it is gone from the store too.
    assert.ok(!(await readdir(path.dirname(file))).includes(path.basename(file)));
    assertError(await new Client(server).post('/api/v1/auth/login', { email: user.email, password: 'delete me please' }), 401, 'unauthorized');
  });
});

describe('sessions survive a restart', () => {
  test('the same cookie works after a restart; expiry slides with use; then it expires', async () => {
    let server = await startServer({ seed: 'small' });
    const c = new Client(server);
    const mail = email('restart');
    await c.signup(mail, 'survive restarts');
    const cookie = c.cookie;
    await stopServer(server);
    const dir = server.dir;
    const at = async (days) => {
      server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(days * 86400) } });
      const again = new Client(server);
      again.cookie = cookie;
      again.csrf = c.csrf;
      return again;
    };
    let again = await at(0);
    const s = await again.get('/api/v1/auth/session');
    assert.equal(s.body.user.email, mail);
    assert.equal(s.body.csrf_token, c.csrf);
    assert.equal(s.headers['set-cookie'], undefined, 'no refresh on the same day');
    assert.equal((await again.post('/api/v1/pets', { name: 'Kept', species: 'dog' })).status, 201);
    await stopServer(server);
    // Used on day 20: 30 fresh days, and a fresh cookie with the same token.
    again = await at(20);
    const slid = await again.get('/api/v1/auth/session');
    assert.equal(slid.body.user.email, mail);
    assert.match(slid.headers['set-cookie'][0], new RegExp(`^pa_session=${cookie}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax$`));
    await stopServer(server);
    again = await at(45); // past the first 30 days, inside the extension
    assert.equal((await again.get('/api/v1/auth/session')).body.user.email, mail);
    await stopServer(server);
    again = await at(80); // 35 days after the last use
    assert.deepEqual((await again.get('/api/v1/auth/session')).body, { user: null, csrf_token: null });
    await stopServer(server);
  });
});
