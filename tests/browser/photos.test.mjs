// Photos per post follow the plan (GET /billing's entitlements.photos_per_post:
// 10 free, 20 with Plus), in Chromium against the real server: a Plus person
// composes a post of more than 10 photos and every one of them is reachable
// from the keyboard in the feed's carousel; a free person's 11th photo is
// refused in the composer with what Plus allows and a link to the plans.
// axe on both screens. The photos are tiny PNGs (ImageMagick), so it is quick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { PHONE, READY, plain, serverAndBrowser, waitForText } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const COLOURS = ['red', 'orange', 'gold', 'green', 'teal', 'blue', 'navy', 'purple', 'pink', 'brown', 'gray', 'black'];
let server, browser, dir, photos;
let people = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pa-photos-'));
  // Twelve distinct 24x24 PNGs: more than a free post takes, fewer than Plus's 20.
  photos = COLOURS.map((c, i) => {
    const file = path.join(dir, `${String(i + 1).padStart(2, '0')}-${c}.png`);
    execFileSync('convert', ['-size', '24x24', `xc:${c}`, file]);
    return file;
  });
});

test.after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// A new person in a fresh phone-sized context, with a pet; Plus when asked
// (users.plus_until a month ahead, in the seconds the server's clock counts:
// what the session's join compares, web/src/api/router.c).
async function person({ plus = false, axe = false } = {}) {
  const context = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block', bypassCSP: axe });
  const n = ++people;
  const signup = await context.request.post(new URL('/api/v1/auth/signup', server.url).href, {
    data: { email: `photos${n}@example.test`, password: 'correct horse battery', display_name: `Photographer ${n}` },
  });
  assert.equal(signup.status(), 201, await signup.text());
  const { user, csrf_token: csrf } = await signup.json();
  const pet = await context.request.post(new URL('/api/v1/pets', server.url).href,
    { data: { name: `Model ${n}`, species: 'cat' }, headers: { 'X-CSRF-Token': csrf } });
  assert.equal(pet.status(), 201, await pet.text());
  if (plus) {
    const until = Math.floor(Date.now() / 1000) + 30 * 86400;
    execFileSync('sqlite3', [path.join(server.dir, 'petamigos.db'),
      `UPDATE users SET plus_until = ${until} WHERE id = ${Number(user.id.slice(2))}`]);
  }
  const billing = await (await context.request.get(new URL('/api/v1/billing', server.url).href)).json();
  assert.equal(billing.tier, plus ? 'plus' : 'free');
  const page = await context.newPage();
  const problems = watchPage(page);
  return { context, page, problems };
}

async function audit(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${what}: ${v.id}: ${v.help} (${v.nodes.map((x) => x.target).join(', ')})`), []);
}

async function compose(page) {
  await page.goto(new URL('/compose', server.url).href);
  await page.locator('#compose-files').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.activeElement?.matches('#screen h1'));
}

test('a free person: the help says 10, the 11th photo is refused with what Plus allows and a link to the plans', async () => {
  const { context, page, problems } = await person({ axe: true });
  await compose(page);
  assert.match(plain(await page.locator('#compose-photos-help').textContent()), /^Maximum 10\./);
  await page.setInputFiles('#compose-files', photos.slice(0, 11));
  await page.locator('.compose-refusal').waitFor();
  await page.waitForFunction(() => !document.querySelector('.compose-preparing'));
  assert.equal(await page.locator(READY).count(), 10, 'the first ten are taken');
  const refusals = (await page.locator('.compose-refusal').allTextContents()).map(plain);
  assert.equal(refusals.length, 1, refusals.join('\n'));
  assert.match(refusals[0], /^11-gray\.png was left out: the maximum is 10\. With PetAmigos Plus, a post can have up to 20 photos\./);
  const link = page.locator('.compose-refusal a');
  assert.equal(await link.getAttribute('href'), '/plans');
  assert.equal(await link.textContent(), 'See Plus plans');
  await audit(page, '/compose, free, at the limit');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a Plus person: 12 photos compose into one post, and the feed carousel reaches each from the keyboard', async () => {
  const { context, page, problems } = await person({ plus: true });
  await compose(page);
  assert.match(plain(await page.locator('#compose-photos-help').textContent()), /^Maximum 20\./);
  await page.setInputFiles('#compose-files', photos);
  await page.waitForFunction((n) => document.querySelectorAll('.compose-photo:not(.compose-preparing)').length === n
    && !document.querySelector('.compose-preparing'), photos.length);
  assert.equal(await page.locator('.compose-refusal').count(), 0);
  await page.fill('#compose-caption', 'A dozen #colours');
  await page.getByRole('button', { name: 'Share post' }).click();
  await page.waitForURL(/\/posts\/p_\d+$/);
  const id = new URL(page.url()).pathname.split('/').pop();
  const post = await (await context.request.get(new URL(`/api/v1/posts/${id}`, server.url).href)).json();
  assert.equal(post.images.length, photos.length);
  assert.deepEqual(post.images.map((i) => i.width), photos.map(() => 24));
  await context.close();

  // The signed-out feed lists the newest first: the post is its first card.
  const viewer = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block', bypassCSP: true });
  const feed = await viewer.newPage();
  const feedProblems = watchPage(feed);
  await feed.goto(server.url);
  const card = feed.locator(`#mirror article[data-id="${id}"]`);
  const next = card.locator('button[data-control="next-image"]');
  await next.waitFor({ state: 'attached' });
  const photo = card.locator('p').nth(1);
  assert.match(plain(await photo.textContent()), /^Photo 1 of 12/);
  await next.focus();
  for (let k = 2; k <= photos.length; k++) {
    await feed.keyboard.press('Enter');
    await waitForText(feed, `#mirror article[data-id="${id}"] p`, `Photo ${k} of 12`);
  }
  // Past the last photo nothing moves; back goes to the one before.
  await feed.keyboard.press('Enter');
  assert.match(plain(await photo.textContent()), /^Photo 12 of 12/);
  await card.locator('button[data-control="prev-image"]').focus();
  await feed.keyboard.press('Enter');
  await waitForText(feed, `#mirror article[data-id="${id}"] p`, 'Photo 11 of 12');
  await audit(feed, 'the feed with a 12-photo post');
  assert.deepEqual(problems, []);
  assert.deepEqual(feedProblems, []);
  await viewer.close();
});
