// Accessibility of the feed screen: axe-core finds no serious or critical
// violation, in light and dark, at phone and desktop widths; the mirror's
// buttons work from the keyboard. A screen is aria-busy while the shell
// builds it, and its heading takes the focus once it is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { screenBuilt, serverAndBrowser } from '../lib/app.mjs';
import { decodePng } from '../lib/png.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server, browser;

serverAndBrowser((s, b) => {
  server = s;
  browser = b;
});

async function open({ width, height, colorScheme }) {
  // axe is injected as a script, which our own CSP rightly forbids: bypass it
  // for the audit only (the CSP itself is tested in feed.test.mjs).
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  return { page, problems };
}

for (const [name, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe: no serious or critical violations (${name}, ${colorScheme})`, async () => {
      const { page, problems } = await open({ ...size, colorScheme });
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }
}

test('dark mode paints the canvas dark', async () => {
  const { page } = await open({ width: 390, height: 844, colorScheme: 'dark' });
  const { pixels } = decodePng(await page.locator('#canvas').screenshot({ clip: { x: 0, y: 0, width: 8, height: 8 } }));
  assert.ok(pixels[0] < 40 && pixels[1] < 40 && pixels[2] < 40, `page colour ${pixels.slice(0, 3)}`);
  await page.context().close();
});

test('mirror buttons act from the keyboard: carousel and share', async () => {
  const { page, problems } = await open({ width: 390, height: 844, colorScheme: 'light' });
  // A post with several photos: the small demo world's third newest has two
  // (web/demo/seed.c, the hand-written posts), so the signed-out feed's first
  // screen mirrors it. Move its carousel with the keyboard.
  const feed = await (await fetch(new URL('/api/v1/feed?limit=3', server.url))).json();
  const withPhotos = feed.posts.find((p) => p.images.length >= 2);
  assert.ok(withPhotos, `a post with several photos among the newest three: ${feed.posts.map((p) => `${p.id}: ${p.images.length}`)}`);
  const multi = page.locator(`#mirror article[data-id="${withPhotos.id}"]`);
  await multi.locator('button[data-control="next-image"]').waitFor({ state: 'attached' });
  const photo = multi.locator('p').nth(1);
  assert.match(await photo.textContent(), new RegExp(`^Photo 1 of ${withPhotos.images.length}`));
  await multi.locator('button[data-control="next-image"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((el) => /^Photo 2 of/.test(el.textContent), await photo.elementHandle());
  // Share copies the post's link where the share sheet is unavailable.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const first = page.locator('#mirror article').first();
  await first.locator('button[data-control="share"]').focus();
  await page.keyboard.press('Enter');
  const id = await first.getAttribute('data-id');
  await page.waitForFunction(async (want) => (await navigator.clipboard.readText()).endsWith(want), `/posts/${id}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a screen is aria-busy while it is built, then its heading has the focus and the mark is gone', async () => {
  const { page, problems } = await open({ width: 1280, height: 800, colorScheme: 'light' });
  // The market's screen is built once its first page of listings arrived (screens/market.js): that
  // answer is held until the busy mark has been seen.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/listings?**', async (route) => {
    await held;
    await route.continue();
  });
  await page.evaluate(() => { history.pushState(null, '', '/market'); dispatchEvent(new PopStateEvent('popstate')); });
  await page.waitForFunction(() => document.body.dataset.route === 'market'
    && document.getElementById('screen').getAttribute('aria-busy') === 'true' && !!document.querySelector('#screen h1'));
  assert.equal(await page.evaluate(() => document.activeElement?.matches('#screen h1')), false, 'the heading waits for the screen');
  release();
  await screenBuilt(page);
  assert.equal(await page.evaluate(() => document.activeElement?.matches('#screen h1')), true, 'the built screen\'s heading has the focus');
  assert.deepEqual(problems, []);
  await page.context().close();
});
