// The shell on its own origin (web/README.md, "Origins"; issue 25): the API
// answers CORS for exactly the origins in PA_SHELL_ORIGINS (credentialed,
// Vary: Origin, preflights 204 with the methods and headers the shell sends)
// and nothing for any other origin; those origins pass the Origin checks of
// signup, login and the chat socket. `petamigos-server site` serves the shell
// and /media/ on the shell's origin: no API, no database, the page names the
// API's origin and CSP connect-src lets the shell reach it.
// Node's http (the Client) sends whatever Origin and Sec-Fetch-Site a browser
// would: the browser side is tests/browser/cross-origin.test.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startSite } from '../lib/site.mjs';
import { BIN, Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_AGE = '600'; // PA_SRV_CORS_MAX_AGE_S (web/src/srv.h)
const ORIGIN_MAX = 8; // PA_ORIGIN_MAX (web/src/origin.h)
const APP = 'http://app.petamigos.test:8081';
// PA_ORIGIN_MAX of them: the list's edge, accepted.
const SHELL = [APP, 'https://shell.example', ...Array.from({ length: ORIGIN_MAX - 2 }, (_, i) => `http://app${i}.example`)].join(', ');
const OTHER = 'http://other.example.test:8082';

// A raw request (no openapi check: preflights are not operations).
function raw(port, method, target, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${target} timed out`)));
    req.end();
  });
}

const noCors = (h, what) => {
  for (const k of Object.keys(h)) assert.ok(!k.startsWith('access-control-'), `${what}: ${k}: ${h[k]}`);
};

// The chat socket's upgrade status (0: opened; 404: passed the checks, the device is nobody's).
function socketStatus(port, cookie, origin, site) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/chat/socket?device=d_999999`, {
      headers: { cookie: `pa_session=${cookie}`, 'sec-fetch-site': site }, origin,
    });
    ws.once('open', () => { ws.close(); resolve(0); });
    ws.once('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
    ws.on('error', reject);
  });
}

// Runs the binary to its exit (for arguments it refuses): {code, stderr, stdout}.
function runToExit(args, env = {}, cwd = undefined) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

// One API server for the file (the site role serves its media).
let server, port, alice, pet;
before(async () => {
  server = await startServer({ env: { PA_SHELL_ORIGINS: SHELL } });
  ({ port } = server);
  alice = new Client(server);
  await alice.signup(email('cors'));
  pet = (await alice.post('/api/v1/pets', { name: 'Rex', species: 'dog' })).body;
});
after(() => stopServer(server, { keepData: false }));

describe('cors: the API with PA_SHELL_ORIGINS', () => {

  test('a preflight from a shell origin is 204 with the methods, headers and Max-Age; any other origin 403 without CORS', async () => {
    const ask = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' };
    for (const origin of [APP, 'https://shell.example', `http://app${ORIGIN_MAX - 3}.example`]) {
      const r = await raw(port, 'OPTIONS', '/api/v1/posts', { origin, ...ask });
      assert.equal(r.status, 204, origin);
      assert.equal(r.headers['access-control-allow-origin'], origin);
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
      assert.equal(r.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE');
      assert.equal(r.headers['access-control-allow-headers'], 'Content-Type, X-CSRF-Token, Idempotency-Key');
      assert.equal(r.headers['access-control-max-age'], MAX_AGE);
      assert.equal(r.headers.vary, 'Origin');
      assert.equal(r.text, '');
    }
    // Any path under /api/ (the preflight comes before the route is known), a DELETE too.
    const del = await raw(port, 'OPTIONS', `/api/v1/pets/${pet.id}`, { origin: APP, 'access-control-request-method': 'DELETE' });
    assert.equal(del.status, 204);
    for (const [origin, method] of [[OTHER, 'POST'], ['http://app.petamigos.test:8082', 'POST'], ['http://shell.example', 'GET'],
      ['null', 'POST'], [undefined, 'POST'], [APP, 'TRACE'], [APP, undefined]]) {
      const headers = { ...(origin ? { origin } : {}), ...(method ? { 'access-control-request-method': method } : {}) };
      const r = await raw(port, 'OPTIONS', '/api/v1/posts', headers);
      assert.equal(r.status, 403, `${origin} ${method}`);
      assert.equal(JSON.parse(r.text).error.code, 'cors');
      if (origin !== APP) noCors(r.headers, `${origin} ${method}`);
    }
  });

  test('a credentialed GET from a shell origin can be read (Allow-Origin, Credentials, Retry-After exposed); others get no CORS', async () => {
    const r = await alice.get('/api/v1/auth/session', { headers: { origin: APP, 'sec-fetch-site': 'same-site' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.user.id, alice.user.id);
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(r.headers['access-control-expose-headers'], 'Retry-After');
    assert.equal(r.headers.vary, 'Origin');
    // An error answer is readable too (the shell shows the server's reason).
    const e = await alice.get('/api/v1/pets/pet_999999999', { headers: { origin: APP } });
    assert.equal(e.status, 404);
    assert.equal(e.headers['access-control-allow-origin'], APP);
    for (const origin of [OTHER, 'https://app.petamigos.test:8081', 'http://shell.example', undefined]) {
      const o = await alice.get('/api/v1/auth/session', { headers: origin ? { origin } : {} });
      assert.equal(o.status, 200);
      noCors(o.headers, String(origin));
      assert.equal(o.headers.vary, 'Origin', 'the answer differs by Origin, so caches must key on it');
    }
    // Pages and media are not the API's: no CORS there.
    noCors((await raw(port, 'GET', '/', { origin: APP })).headers, 'page');
  });

  test('a write from a shell origin needs the session CSRF token like any other', async () => {
    const ok = await alice.patch(`/api/v1/pets/${pet.id}`, { name: 'Rexy' }, { headers: { origin: APP, 'sec-fetch-site': 'same-site' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], APP);
    assertError(await alice.patch(`/api/v1/pets/${pet.id}`, { name: 'Rex' }, { headers: { origin: APP, 'x-csrf-token': 'wrong' } }), 403, 'csrf');
  });

  test('signup and login from a shell origin pass the Origin check (same-site or cross-site); any other origin is 403', async () => {
    const body = { email: email('shell'), password: 'correct horse battery', display_name: 'Shell' };
    const c = new Client(server);
    const s = await c.post('/api/v1/auth/signup', body, { headers: { origin: APP, 'sec-fetch-site': 'same-site' } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal(s.headers['access-control-allow-origin'], APP);
    // The API's cookie: HttpOnly, SameSite=Lax (app. and api. are the same site), no Domain.
    const cookie = s.headers['set-cookie'].find((x) => x.startsWith('pa_session='));
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /Domain=/i);
    const login = await new Client(server).post('/api/v1/auth/login', { email: body.email, password: body.password },
      { headers: { origin: 'https://shell.example', 'sec-fetch-site': 'cross-site' } });
    assert.equal(login.status, 200);
    for (const [origin, site] of [[OTHER, 'cross-site'], [OTHER, undefined], ['http://app.petamigos.test', 'same-site'],
      [`${APP}.evil.example`, 'cross-site'], [undefined, 'cross-site']]) {
      const headers = { ...(origin ? { origin } : {}), ...(site ? { 'sec-fetch-site': site } : {}) };
      assertError(await new Client(server).post('/api/v1/auth/signup', { ...body, email: email('x') }, { headers }), 403, 'csrf');
      const l = await new Client(server).post('/api/v1/auth/login', { email: body.email, password: body.password }, { headers });
      assertError(l, 403, 'csrf');
      noCors(l.headers, `${origin} ${site}`);
    }
  });

  test('the chat socket takes a shell origin and refuses any other', async () => {
    assert.equal(await socketStatus(port, alice.cookie, APP, 'same-site'), 404);
    assert.equal(await socketStatus(port, alice.cookie, 'https://shell.example', 'cross-site'), 404);
    assert.equal(await socketStatus(port, alice.cookie, OTHER, 'cross-site'), 403);
    assert.equal(await socketStatus(port, alice.cookie, 'http://app.petamigos.test:9', 'same-site'), 403);
  });
});

describe('cors: PA_SHELL_ORIGINS is checked at start', () => {
  test('a malformed list or more than PA_ORIGIN_MAX origins refuses to start (exit 2, named); PA_ORIGIN_MAX pass (the server above)', async () => {
    const list = (n) => Array.from({ length: n }, (_, i) => `http://app${i}.example`).join(',');
    for (const bad of ['app.example', 'http://app.example/path', 'ftp://app.example', list(ORIGIN_MAX + 1)]) {
      const r = await runToExit(['--root', repo, '--data', '/nonexistent-pa-dir'], { PA_SHELL_ORIGINS: bad });
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /PA_SHELL_ORIGINS: /, bad);
    }
  });
});

describe('cors: the site role (petamigos-server site)', () => {
  let site, root, cwd, photo;
  const API = 'http://api.petamigos.test:8443';
  before(async () => {
    photo = await alice.upload(png(12, 9), 'image/png');
    root = await mkdtemp(path.join(os.tmpdir(), 'pa-site-root-'));
    await cp(path.join(repo, 'shell/index.html'), path.join(root, 'index.html'));
    await cp(path.join(repo, 'shell/api.js'), path.join(root, 'api.js'));
    cwd = await mkdtemp(path.join(os.tmpdir(), 'pa-site-cwd-'));
    // A database that cannot be reached: the site never opens one.
    site = await startSite(['--root', root, '--media', path.join(server.dir, 'media'), '--api-origin', `${API}/`],
      { env: { PA_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' }, cwd, bin: BIN });
  });
  after(async () => {
    await site.stop();
    await rm(root, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  test('the page names the API origin in its meta, on every screen; CSP connect-src adds the API over http and ws', async () => {
    for (const target of ['/', '/settings', `/posts/p_1`]) {
      const r = await raw(site.port, 'GET', target);
      assert.equal(r.status, 200, target);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.ok(r.text.includes(`<meta name="pa-api-origin" content="${API}">`), target);
      assert.match(r.headers['content-security-policy'], new RegExp(`connect-src 'self' ${API} ws://api\\.petamigos\\.test:8443;`));
      assert.match(r.headers['content-security-policy'], /img-src 'self' blob: data:; media-src 'self' blob:;/);
    }
    // Other files as they are; the API server's own page keeps its meta empty.
    const js = await raw(site.port, 'GET', '/api.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    const own = await raw(server.port, 'GET', '/');
    assert.doesNotMatch(own.headers['content-security-policy'], /api\.petamigos/);
  });

  test('no API here (404 JSON naming the API origin), no embeds, no sockets; a foreign Host is 421', async () => {
    for (const [method, target] of [['GET', '/api/v1/feed'], ['POST', '/api/v1/auth/login'], ['GET', '/api']]) {
      const r = await raw(site.port, method, target);
      assert.equal(r.status, 404, target);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      const e = JSON.parse(r.text).error;
      assert.equal(e.code, 'not_found');
      assert.ok(e.message.includes(API), e.message);
    }
    assert.equal((await raw(site.port, 'GET', '/embed/p/p_1')).status, 404);
    assert.equal((await raw(site.port, 'GET', '/', { host: 'evil.example' })).status, 421);
    const ws = await new Promise((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${site.port}/api/v1/chat/socket`);
      s.once('open', () => { s.close(); resolve(0); });
      s.once('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
      s.on('error', reject);
    });
    assert.equal(ws, 404);
  });

  test('media the API stored are served read-only, with ranges; no database was opened or made', async () => {
    const whole = await raw(site.port, 'GET', photo.url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['content-type'], 'image/png');
    assert.equal(whole.headers['cache-control'], 'public, max-age=31536000, immutable');
    const part = await raw(site.port, 'GET', photo.url, { range: 'bytes=0-7' });
    assert.equal(part.status, 206);
    assert.match(part.headers['content-range'], /^bytes 0-7\/\d+$/);
    assert.equal((await raw(site.port, 'POST', photo.url)).status, 405);
    assert.equal((await raw(site.port, 'GET', '/media/0000.png')).status, 404);
    assert.deepEqual(await readdir(cwd), []);
  });

  test('bad arguments refuse to start (exit 2): a missing or malformed --api-origin, --data', async () => {
    for (const args of [['--root', repo, '--media', repo], ['--root', repo, '--media', repo, '--api-origin', 'api.example'],
      ['--root', repo, '--media', repo, '--api-origin', 'http://a.example,http://b.example'],
      ['--root', repo, '--data', repo, '--api-origin', API]]) {
      const r = await runToExit(['site', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^petamigos-server site: /, args.join(' '));
    }
  });
});
