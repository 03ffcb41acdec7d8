// An ad's impression and click in Chromium against the real server (issue
// 21): the server serves the seed's campaigns as sponsored candidates with a
// token each (web/src/api/ads_serve.c), the WASM core ranks them in, counts
// the impression when half of the ad has been on screen for a second of the
// page's clock and the click when the person follows the ad's link, and
// shell/feed.js posts each once to POST /api/v1/ads/events. The link is a
// real link in the mirror (keyboard, axe) and, like a tap on the canvas's
// call to action, opens in a new tab without an opener or a referrer; "why this ad" names the targeting that matched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { canvasPixels, plain, serverAndBrowser } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LINK = 'https://shop.example/cats?utm=petamigos';
const EMAIL = 'ad-viewer@example.test';
let server, browser, cookie;

const sql = (q) => execFileSync('sqlite3', [path.join(server.dir, 'petamigos.db'), q]).toString().trim();

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  // The seed's campaigns (web/src/store/sql/seed.c: active, funded, their
  // sponsors' posts approved with no link) get a link and a targeting this
  // viewer matches: people who use the app in English and declared Spain.
  assert.ok(Number(sql("SELECT count(*) FROM ad_creatives WHERE review = 'approved'")) >= 1, 'the seed has approved creatives');
  sql(`UPDATE ad_creatives SET link = '${LINK}';
       INSERT INTO ad_targets (campaign_id, kind, value) SELECT id, 'language', 'en' FROM campaigns;
       INSERT INTO ad_targets (campaign_id, kind, value) SELECT id, 'country', 'ES' FROM campaigns;`);
  const joined = await fetch(new URL('/api/v1/auth/signup', server.url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: 'correct horse battery staple', display_name: 'Ad Viewer' }),
  });
  assert.equal(joined.status, 201);
  cookie = /pa_session=([^;]+)/.exec(joined.headers.get('set-cookie'))[1];
  sql(`UPDATE users SET locale = 'en', country = 'ES' WHERE email = '${EMAIL}'`);
});

const serves = () => sql(`SELECT s.id || ':' || (s.impressed_at IS NOT NULL) || ':' || (s.clicked_at IS NOT NULL)
  FROM ad_serves s JOIN users u ON u.id = s.viewer_id WHERE u.email = '${EMAIL}' ORDER BY s.id`).split('\n').filter(Boolean);

test('an ad on screen for a second is counted once, its link opens in a new tab and is counted once', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1100 }, deviceScaleFactor: 1, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
  await context.addInitScript(() => localStorage.setItem('petamigos.rankSeed', '7'));
  // The advertiser's site, answered here (the test has no internet).
  await context.route('https://shop.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Shop</title>' }));
  const page = await context.newPage();
  const problems = watchPage(page);
  const events = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/ads/events') events.push({ method: r.method(), body: JSON.parse(r.postData()) });
  });
  await page.goto(server.url);

  // The first ad with a link, mirrored (scrolled to if it is further down).
  const ad = page.locator('#mirror > article[data-sponsored]:has(a[data-control="ad-link"])').first();
  for (let i = 0; i < 40 && !(await ad.count()); i++) {
    await page.mouse.move(640, 400);
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(80);
  }
  assert.equal(await ad.count(), 1, 'the ranked feed shows an ad with a link (seed.c campaigns, served by ads_serve.c)');
  assert.equal(events.length, 0, 'nothing counted before the ad was on screen for a second');
  const link = ad.locator('a[data-control="ad-link"]');
  assert.equal(await link.getAttribute('href'), LINK);
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'sponsored noopener noreferrer');
  assert.equal(plain(await link.textContent()), 'Visit shop.example (sponsored link, opens in a new tab)');

  // Focus brings it on screen; a second of the page's clock later it counts.
  const impression = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ads/events'
    && r.request().postDataJSON().kind === 'impression');
  await ad.focus();
  const counted = await impression;
  assert.equal(counted.status(), 200);
  assert.deepEqual(await counted.json(), { counted: true });
  const token = counted.request().postDataJSON().token;
  assert.match(token, /^[A-Za-z0-9_-]{1,256}$/);

  // Away and back: the core does not count it again (once per token).
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await ad.focus();

  // Its link from the keyboard: a new tab at the ad's site, no opener, no referrer.
  const click = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ads/events'
    && r.request().postDataJSON().kind === 'click');
  const popup = context.waitForEvent('page');
  await link.focus();
  await page.keyboard.press('Enter');
  const tab = await popup;
  await tab.waitForLoadState();
  assert.equal(tab.url(), LINK);
  assert.equal(await tab.evaluate(() => window.opener), null);
  assert.equal(await tab.evaluate(() => document.referrer), '');
  assert.deepEqual(await (await click).json(), { counted: true });
  await tab.close();

  // A tap on the canvas's call to action (the accent band under the photo,
  // found in the pixels) goes the same way: a new tab, one more post, which
  // the server does not count twice.
  const { width, pixels } = await canvasPixels(page);
  const column = Math.round((width - 600) / 2) + 30; // inside the button, which spans the column less its padding
  const accent = (y) => { const i = (y * width + column) * 4; return Math.abs(pixels[i] - 0x2a) + Math.abs(pixels[i + 1] - 0x7d) + Math.abs(pixels[i + 2] - 0x6f) < 12; };
  let band = -1;
  for (let y = 0, run = 0; y < pixels.length / 4 / width && band < 0; y++) {
    run = accent(y) ? run + 1 : 0;
    if (run === 30) band = y - 12; // inside the 36 px button
  }
  assert.ok(band > 0, 'the call to action is drawn (core/src/app/app_feed.c, CTA)');
  const again = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ads/events'
    && r.request().postDataJSON().kind === 'click');
  const popup2 = context.waitForEvent('page');
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + width / 2, box.y + band);
  const tab2 = await popup2;
  await tab2.waitForLoadState();
  assert.equal(tab2.url(), LINK);
  assert.equal(await tab2.evaluate(() => window.opener), null);
  assert.deepEqual(await (await again).json(), { counted: false });
  await tab2.close();

  // One post per action, each with this ad's token; the server has each once.
  assert.deepEqual(events, [
    { method: 'POST', body: { token, kind: 'impression' } },
    { method: 'POST', body: { token, kind: 'click' } },
    { method: 'POST', body: { token, kind: 'click' } },
  ]);
  assert.ok(serves().some((s) => s.endsWith(':1:1')), `the serve is impressed and clicked: ${serves()}`);
  // A client repeating them inflates nothing: the server counts each once.
  const repeated = await page.evaluate(async (t) => {
    const csrf = (await (await fetch('/api/v1/auth/session')).json()).csrf_token;
    const send = (kind) => fetch('/api/v1/ads/events', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ token: t, kind }) }).then((r) => r.json());
    return [await send('impression'), await send('click')];
  }, token);
  assert.deepEqual(repeated, [{ counted: false }, { counted: false }]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"why this ad" names the targeting that matched, and the feed with an ad\'s link is axe-clean', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
  await context.addInitScript(() => localStorage.setItem('petamigos.rankSeed', '7'));
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  const ad = page.locator('#mirror > article[data-sponsored]:has(a[data-control="ad-link"])').first();
  for (let i = 0; i < 40 && !(await ad.count()); i++) {
    await page.mouse.move(200, 400);
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(80);
  }
  assert.equal(await ad.count(), 1, 'an ad with a link is mirrored');
  await ad.locator('button[data-control="why"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#why-dialog[open]');
  const reasons = await page.locator('#why-reasons li').allTextContents();
  assert.equal(reasons[0], 'It is an ad: an advertiser paid to show it.');
  assert.equal(await page.textContent('#why-targets-intro'), 'The advertiser chose to show it to people who:');
  assert.deepEqual((await page.locator('#why-targets-list li').allTextContents()).map(plain), [
    'use PetAmigos in: English',
    'said in their settings that they live in: Spain',
  ]);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
  await page.keyboard.press('Escape');
  assert.deepEqual(problems, []);
  await context.close();
});
