// The advertiser is told a moderator's decisions on their ad creatives
// (web/src/api/ads.c, a `moderation` notice with detail.item `ad`), in
// Chromium against the real server: the notifications screen says "approved"
// and "rejected" with the moderator's note, each a link to the creative's
// post reached from the keyboard, axe-clean; a decision of another kind of
// item keeps its own words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, plain, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { Client, png } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase().replace(/\W+/g, '')}.${process.pid}.${++serial}@example.test`;
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

test('the advertiser reads "approved" and "rejected" with the note, each linking the creative\'s post', async () => {
  const adv = await person('Acme Ads');
  const mod = await person('Mo Derator');
  const cli = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', mod.email, 'moderator'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  await mod.login(mod.email, PASSWORD);
  assert.equal((await adv.put('/api/v1/ads/account', { name: 'Acme Pets', currency: 'USD' })).status, 200);
  const cmp = (await adv.post('/api/v1/ads/campaigns', { name: 'Gatos', objective: 'traffic', bid_cpm_minor: 300,
    daily_budget_minor: 1000, total_budget_minor: 5000 })).body.campaign;
  const pet = (await adv.post('/api/v1/pets', { name: 'Michi', species: 'cat' })).body;
  const creatives = [];
  for (const caption of ['Sand for cats', 'Miracle cure']) {
    const m = await adv.upload(png(30 + creatives.length, 20), 'image/png');
    const r = await adv.post(`/api/v1/ads/campaigns/${cmp.id}/creatives`,
      { pet_id: pet.id, media: [m.id], caption, link: 'https://acme.example/sand' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    creatives.push(r.body.creative);
  }
  const [good, bad] = creatives;
  assert.equal((await mod.post(`/api/v1/mod/ads/${good.id}/review`, { decision: 'approve' })).status, 200);
  const r = await mod.post(`/api/v1/mod/ads/${bad.id}/review`, { decision: 'reject', note: 'Health claims are not allowed' });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: adv.cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL('/notifications', server.url).href);
  await waitForText(page, '.notif-list', 'A moderator approved your ad: it can run now.');
  await waitForText(page, '.notif-list', 'A moderator rejected your ad: it will not run.');
  const links = await page.$$eval('.notif-list a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  assert.deepEqual(links.map(([text, href]) => [plain(text), href]), [
    ['A moderator rejected your ad: it will not run. Note: Health claims are not allowed', `/posts/${bad.post_id}`],
    ['A moderator approved your ad: it can run now.', `/posts/${good.post_id}`],
  ]);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  assert.deepEqual(serious, [], 'axe on the notifications with ad decisions');
  // From the keyboard: Tab reaches the approval's link, Enter opens the creative's post (its author reads it).
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent?.includes('approved your ad'))) break;
  }
  assert.ok(await page.evaluate(() => document.activeElement?.textContent?.includes('approved your ad')), 'the link is reached by Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(new URL(`/posts/${good.post_id}`, server.url).href);
  assert.deepEqual(problems, []);
  await context.close();
});
