// A reel ad in Chromium against the real server (issue 21, schema 34): a
// reel creative of the seed's active, funded campaign is served in GET
// /reels after four organic reels (web/src/api/reels.c); the WASM core's
// reels viewer labels it "Sponsored", counts its impression once its stage
// has been on screen for a second of the page's clock, and shell/feed.js
// posts it once to POST /api/v1/ads/events; the viewer's (visually hidden,
// keyboard) dialog says it is sponsored and offers "why this ad" (the ad
// reason) and its link, which opens in a new tab without an opener and is
// counted once; axe-clean with the viewer open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { plain, serverAndBrowser } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LINK = 'https://toys.example/reel?utm=petamigos';
const EMAIL = 'reel-ad-viewer@example.test';
const ORGANIC = 4; // PA_ADSERVE_PAGE_SHARE - 1: organic reels before the first ad's place
let server, browser, cookie, reelAd;

const sql = (q) => execFileSync('sqlite3', [path.join(server.dir, 'petamigos.db'), q]).toString().trim();

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  // A seed reel copied as four newer organic reels and as the reel of a
  // creative of the seed's first active campaign (approved, with a link).
  const cmp = sql("SELECT id FROM campaigns WHERE state = 'active' ORDER BY id LIMIT 1");
  assert.ok(cmp, 'the seed has an active campaign (web/src/store/sql/seed.c)');
  const t = Number(sql('SELECT max(created_at) FROM reels')) + 100;
  for (let i = 0; i < ORGANIC; i++) {
    sql(`INSERT INTO reels (author_id, pet_id, video, poster, video_alt, caption, created_at)
      SELECT author_id, pet_id, video, poster, video_alt, 'Organic ${i}', ${t + 10 - i} FROM reels ORDER BY id LIMIT 1`);
  }
  reelAd = Number(sql(`INSERT INTO reels (author_id, pet_id, video, poster, video_alt, caption, created_at, campaign_id)
    SELECT author_id, pet_id, video, poster, video_alt, 'New toy, in motion', ${t}, ${cmp} FROM reels ORDER BY id LIMIT 1
    RETURNING id`));
  sql(`INSERT INTO ad_creatives (campaign_id, reel_id, link, review, reviewed_at, created_at)
    VALUES (${cmp}, ${reelAd}, '${LINK}', 'approved', 1, 1)`);
  const joined = await fetch(new URL('/api/v1/auth/signup', server.url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: 'correct horse battery staple', display_name: 'Reel Viewer' }),
  });
  assert.equal(joined.status, 201);
  cookie = /pa_session=([^;]+)/.exec(joined.headers.get('set-cookie'))[1];
});

const serves = () => sql(`SELECT (s.impressed_at IS NOT NULL) || ':' || (s.clicked_at IS NOT NULL)
  FROM ad_serves s JOIN users u ON u.id = s.viewer_id JOIN ad_creatives k ON k.id = s.creative_id
  WHERE u.email = '${EMAIL}' AND k.reel_id = ${reelAd} ORDER BY s.id`).split('\n').filter(Boolean);

test('a reel ad: labelled, seen for a second and counted once, its link followed and counted once, why, axe', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
  await context.route('https://toys.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Toys</title>' }));
  const page = await context.newPage();
  const problems = watchPage(page);
  const events = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/ads/events') events.push(JSON.parse(r.postData()));
  });
  await page.goto(server.url);
  await page.locator('#tabs a[href="/reels"]').click();
  await page.waitForSelector('#viewer:not([hidden])');
  assert.equal(await page.locator('#viewer-sponsored').isHidden(), true, 'an organic reel is not labelled');

  // Four organic reels, then the ad; a second of it on screen counts it.
  const impression = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ads/events'
    && r.request().postDataJSON().kind === 'impression');
  for (let i = 0; i < ORGANIC; i++) await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => !document.getElementById('viewer-sponsored').hidden);
  assert.equal(await page.textContent('#viewer-caption'), 'New toy, in motion');
  assert.equal(await page.textContent('#viewer-sponsored'), 'Sponsored');
  assert.equal(events.length, 0, 'nothing counted before a second went by');
  const counted = await impression;
  assert.deepEqual(await counted.json(), { counted: true });
  const token = counted.request().postDataJSON().token;

  // "Why": the ad's reason, from the keyboard; closing it keeps the reel open.
  await page.locator('#viewer-why').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#why-dialog[open]');
  assert.equal((await page.locator('#why-reasons li').allTextContents())[0], 'It is an ad: an advertiser paid to show it.');
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.getElementById('why-dialog').open);
  assert.equal(await page.locator('#viewer').isHidden(), false);

  // Its link: a new tab at the advertiser's site, no opener; the click counted once.
  const link = page.locator('#viewer-link');
  assert.equal(plain(await link.textContent()), 'Visit toys.example (sponsored link, opens in a new tab)');
  const click = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ads/events'
    && r.request().postDataJSON().kind === 'click');
  const popup = context.waitForEvent('page');
  await link.focus();
  await page.keyboard.press('Enter');
  const tab = await popup;
  await tab.waitForLoadState();
  assert.equal(tab.url(), LINK);
  assert.equal(await tab.evaluate(() => window.opener), null);
  assert.deepEqual(await (await click).json(), { counted: true });
  await tab.close();

  // One post per action, with this ad's token (once per token: core/tests/test_app.c test_reel_ads).
  assert.deepEqual(events, [{ token, kind: 'impression' }, { token, kind: 'click' }]);
  assert.deepEqual(serves(), ['1:1']);
  assert.deepEqual(problems, []);
  await context.close();
});
