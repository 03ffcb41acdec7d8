// The shell on its own origin (issue 25; web/README.md, "Origins"): Chromium
// maps app.petamigos.test, api.petamigos.test and other.example.test to
// loopback. The API server answers at api.… (PA_PUBLIC_ORIGINS) and CORS for
// app.… only (PA_SHELL_ORIGINS); `petamigos-server site` serves the shell and
// /media/ at app.… with the API's origin in the page. Signing up, a pet, a
// photo posted through the composer and shown from app.…'s /media/, the
// support socket — all from app.…, every API request to api.…, the session
// cookie the API's (HttpOnly). A page at other.example.test cannot read the
// API's answers, and its writes are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { DESKTOP, READY } from '../lib/app.mjs';
import { SITE } from '../lib/paths.mjs';
import { startServer } from '../lib/server.mjs';
import { startSite } from '../lib/site.mjs';

const PASSWORD = 'correct horse battery';
let api, site, other, browser, dir, API, APP, OTHER;

// A port free now (the API's origin names its port before it starts).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  const [p, q] = [await freePort(), await freePort()];
  API = `http://api.petamigos.test:${p}`;
  APP = `http://app.petamigos.test:${q}`;
  api = await startServer({ port: p, env: { PA_PUBLIC_ORIGINS: API, PA_SHELL_ORIGINS: APP } });
  site = await startSite(['--root', SITE, '--media', path.join(api.dir, 'media'), '--api-origin', API, '--origin', APP], { port: q });
  // Another site: any page will do.
  other = http.createServer((req, res) => res.end('<!doctype html><title>other</title><p>other</p>'));
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  OTHER = `http://other.example.test:${other.address().port}`;
  browser = await launchBrowser({ args: [
    '--host-resolver-rules=MAP app.petamigos.test 127.0.0.1, MAP api.petamigos.test 127.0.0.1, MAP other.example.test 127.0.0.1',
    // What https gives a real CDN: a secure context (Web Crypto, the decode worker's APIs).
    `--unsafely-treat-insecure-origin-as-secure=${APP},${API}`,
  ] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'pa-xorigin-'));
  execFileSync('convert', ['-size', '320x240', 'gradient:teal-orange', path.join(dir, 'walk.png')]);
});

after(async () => {
  try {
    await browser?.close();
    await new Promise((resolve) => (other ? other.close(resolve) : resolve()));
    await site?.stop();
  } finally {
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

test('the shell at app.… signs up, posts a photo and reads its socket through api.…; the cookie is the API\'s', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });

  await page.goto(`${APP}/signup`);
  assert.equal(await page.getAttribute('meta[name="pa-api-origin"]', 'content'), API);
  const email = `xorigin.${process.pid}@example.test`;
  await page.fill('#display_name', 'Cross Origin');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname !== '/signup');
  await page.locator('#logout').waitFor();

  // The session is the API's cookie, HttpOnly: the shell's origin has none, and its script cannot see it.
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'pa_session');
  assert.ok(session, JSON.stringify(cookies));
  assert.equal(session.domain, 'api.petamigos.test');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.equal(cookies.filter((c) => c.domain.includes('app.petamigos.test')).length, 0);
  assert.equal(await page.evaluate(() => document.cookie), '');

  // A pet through api.js (a credentialed, preflighted write from app.…), then the composer.
  const pet = await page.evaluate(async () => {
    const { post } = await import('/api.js');
    const r = await post('/api/v1/pets', { name: 'Pepper', species: 'dog' });
    return r.ok ? r.data : r.error;
  });
  assert.match(pet.id, /^pet_\d+$/, JSON.stringify(pet));
  await page.goto(`${APP}/compose`);
  await page.locator('#compose-files').waitFor({ state: 'attached' });
  await page.setInputFiles('#compose-files', path.join(dir, 'walk.png'));
  await page.locator(READY).first().waitFor();
  await page.fill('#compose-caption', 'Across origins #walk');
  await page.getByRole('button', { name: 'Share post' }).click();
  await page.waitForURL(/\/posts\/p_\d+$/);
  assert.equal(new URL(page.url()).origin, APP);
  const id = new URL(page.url()).pathname.split('/').pop();
  const post = await page.evaluate(async (p) => {
    const { get } = await import('/api.js');
    const r = await get(`/api/v1/posts/${p}`);
    return r.ok ? r.data : r.error;
  }, id);
  assert.match(post.images?.[0]?.url ?? '', /^\/media\//, JSON.stringify(post));

  // The signed-out feed (newest first) at app.…: the post's card, its photo from app.…'s /media/ (the CDN's).
  const viewer = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  const photo = new Promise((resolve) => viewer.on('response', (r) => { if (r.url() === `${APP}${post.images[0].url}`) resolve(r.status()); }));
  const feed = await viewer.newPage();
  const feedProblems = watchPage(feed);
  await feed.goto(`${APP}/`);
  await feed.locator(`#mirror article[data-id="${id}"]`).waitFor({ state: 'attached' });
  assert.equal(await photo, 200);
  assert.deepEqual(feedProblems, []);
  await viewer.close();

  // The support socket (ws://api.…) opens with the session.
  await page.evaluate(async () => {
    const { listen } = await import('/support/socket.js');
    globalThis.stopSocket = listen({ prefix: 'support.', onFrame() {}, onOpen() {} });
  });
  await page.waitForFunction(() => document.documentElement.dataset.supportSocket === 'open');

  // Every API request went to api.…, none to the shell's origin.
  const apiCalls = requests.filter((u) => new URL(u).pathname.startsWith('/api/'));
  assert.ok(apiCalls.length >= 5, apiCalls.join('\n'));
  assert.deepEqual(apiCalls.filter((u) => new URL(u).origin !== API), []);
  assert.ok(apiCalls.some((u) => u.startsWith(`${API}/api/v1/media`)), 'the upload went to the API');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a page on another origin cannot read the API\'s answers, and its writes are refused', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  // Signed in at the API through the shell (the cookie is there; another site's requests must not use it).
  const page = await context.newPage();
  await page.goto(`${APP}/`);
  const signedUp = await page.evaluate(async (email) => {
    const { post } = await import('/api.js');
    const r = await post('/api/v1/auth/signup', { email, password: 'correct horse battery', display_name: 'Other Target' });
    return r.status;
  }, `xorigin.other.${process.pid}@example.test`);
  assert.equal(signedUp, 201);
  await page.goto(`${OTHER}/`);
  const results = await page.evaluate(async (apiOrigin) => {
    const attempt = async (url, init) => {
      try {
        const r = await fetch(url, init);
        return { type: r.type, status: r.status, text: r.type === 'opaque' ? '' : await r.text() };
      } catch (e) {
        return { error: e.name };
      }
    };
    return {
      read: await attempt(`${apiOrigin}/api/v1/auth/session`, { credentials: 'include' }),
      opaque: await attempt(`${apiOrigin}/api/v1/auth/session`, { credentials: 'include', mode: 'no-cors' }),
      write: await attempt(`${apiOrigin}/api/v1/auth/login`, { method: 'POST', credentials: 'include',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'a@example.test', password: 'x' }) }),
    };
  }, API);
  assert.deepEqual(results.read, { error: 'TypeError' });
  assert.deepEqual(results.opaque, { type: 'opaque', status: 0, text: '' });
  assert.deepEqual(results.write, { error: 'TypeError' }, 'the preflight is refused');
  // A form post (no preflight) reaches the API, which refuses it: the Origin is not the shell's.
  const answered = page.waitForResponse((r) => r.url() === `${API}/api/v1/auth/login`);
  await page.evaluate((apiOrigin) => {
    const form = Object.assign(document.createElement('form'), { method: 'POST', action: `${apiOrigin}/api/v1/auth/login`, enctype: 'text/plain' });
    form.append(Object.assign(document.createElement('input'), { name: '{"email":"a@example.test","password":"', value: 'x"}' }));
    document.body.append(form);
    form.submit();
  }, API);
  const refused = await answered;
  assert.equal(refused.status(), 403);
  assert.equal((await refused.json()).error.code, 'csrf');
  await context.close();
});
