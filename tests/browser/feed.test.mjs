// The first vertical slice in a real browser: real server, real WASM core,
// real Chromium. The canvas is read back from screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchPage } from '../lib/browser.mjs';
import { canvasPixels, saturatedColours, serverAndBrowser } from '../lib/app.mjs';
import { installTestHooks } from '../lib/hooks.mjs';

let server, browser;

serverAndBrowser((s, b) => {
  server = s;
  browser = b;
});

// Service workers are blocked except where a test is about them: routes do
// not see requests a worker answers.
async function openFeed({ route, serviceWorkers = 'block' } = {}) {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 }, deviceScaleFactor: 1, serviceWorkers });
  const page = await context.newPage();
  const problems = watchPage(page);
  // The feed's pages: signed out, For you is the newest posts (GET /feed);
  // signed in, its ranked slices by id (ranking.js).
  if (route) await page.route(/\/api\/v1\/(feed(\?|$)|posts\?ids=)/, route);
  await page.goto(server.url);
  return { page, problems };
}

test('the core draws the feed on the canvas and mirrors every post in the DOM', async () => {
  const { page, problems } = await openFeed();
  const api = await (await fetch(new URL('/api/v1/feed?limit=50', server.url))).json();
  assert.ok(api.posts.length >= 5, 'the demo world has posts');
  const byId = new Map(api.posts.map((p) => [p.id, p]));

  // The mirror holds the posts on screen and a few around them, in feed order.
  const articles = page.locator('#mirror[role="feed"] > article');
  await articles.first().waitFor({ state: 'attached' });
  const shown = await articles.count();
  assert.ok(shown >= 3 && shown <= api.posts.length, `${shown} posts mirrored`);
  // Signed out, For you is the newest posts (ranked once signed in:
  // tests/browser/ranking.test.mjs).
  for (let i = 0; i < shown; i++) {
    const a = articles.nth(i);
    const p = byId.get(await a.getAttribute('data-id'));
    const sponsored = p.sponsored ? 'Sponsored: ' : '';
    assert.match(await a.locator('h2').textContent(), new RegExp(`^${sponsored}\u2068${p.pet.name}\u2069 the \u2068${p.pet.species}\u2069, posted by \u2068${p.author.name}\u2069 `));
    assert.equal(await a.locator('p').first().textContent(), p.caption);
    assert.equal(await a.getAttribute('aria-posinset'), String(i + 1));
    assert.equal(await a.getAttribute('aria-setsize'), api.posts.length > 20 ? '-1' : String(api.posts.length));
    const carousel = p.images.length > 1 ? ['Previous photo', 'Next photo'] : [];
    assert.deepEqual(await a.locator('button').allTextContents(),
      ['Like', 'Comments', 'Share', `Open \u2068${p.pet.name}\u2069's profile`, ...carousel, 'Why am I seeing this?', 'Not interested']);
  }

  // Wait for the images to arrive and be painted, then look at the canvas.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(100);
  const shot = await canvasPixels(page);
  assert.equal(shot.width, 480);
  assert.ok(saturatedColours(shot) > 40, `illustrations are drawn (${saturatedColours(shot)} colours)`);
  assert.equal(await page.locator('#status').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('scrolling with the wheel moves the drawn feed', async () => {
  const { page, problems } = await openFeed();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  const before = (await canvasPixels(page)).pixels;
  await page.mouse.move(240, 400);
  await page.mouse.wheel(0, 700);
  await page.waitForTimeout(150);
  const after = (await canvasPixels(page)).pixels;
  let changed = 0;
  for (let i = 0; i < before.length; i += 4) changed += before[i] !== after[i] || before[i + 1] !== after[i + 1];
  assert.ok(changed / (before.length / 4) > 0.3, 'most of the canvas changed');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the keyboard walks posts through the mirror', async () => {
  const { page, problems } = await openFeed();
  const articles = page.locator('#mirror article');
  await articles.first().waitFor({ state: 'attached' });
  // Tab past the header's controls to the first post.
  for (let i = 0; i < 25 && !(await page.evaluate(() => document.activeElement.matches('#mirror article'))); i++)
    await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '0');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('j');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '2');
  await page.keyboard.press('k');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '1');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a truncated feed response shows an error state, and retry recovers', async () => {
  let broken = true;
  const { page, problems } = await openFeed({
    route: async (route) => {
      if (!broken) return route.continue();
      const res = await route.fetch();
      const body = await res.text();
      await route.fulfill({ response: res, body: body.slice(0, body.length >> 1) });
    },
  });
  const status = page.locator('#status');
  await status.waitFor({ state: 'visible' });
  assert.match(await page.locator('#status-text').textContent(), /could not be read/);
  assert.equal(await page.locator('#mirror article').count(), 0);
  assert.deepEqual(problems.filter((p) => !p.includes('feed rejected')), []);

  broken = false;
  await page.locator('#retry').click();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  assert.equal(await status.isHidden(), true);
  await page.context().close();
});

test('an unreachable server and a 500 each show a clear message', async () => {
  for (const [route, text] of [
    [(r) => r.abort('connectionrefused'), /Cannot reach PetAmigos/],
    [(r) => r.fulfill({ status: 500, body: '{"error":{"code":"internal","message":"x"}}' }), /server is having trouble/],
  ]) {
    const { page, problems } = await openFeed({ route });
    await page.locator('#status').waitFor({ state: 'visible' });
    assert.match(await page.locator('#status-text').textContent(), text);
    assert.deepEqual(problems.filter((p) => !/Failed to load resource|net::ERR/.test(p)), []);
    await page.context().close();
  }
});

test('user text reaches the DOM only as text', async () => {
  const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
  const { page } = await openFeed({
    route: async (route) => {
      const res = await route.fetch();
      const feed = await res.json();
      feed.posts[0].caption = evil;
      feed.posts[0].pet.name = '<b>Rex</b>';
      await route.fulfill({ response: res, json: feed });
    },
  });
  const first = page.locator('#mirror article').first();
  await first.waitFor({ state: 'attached' });
  assert.equal(await first.locator('p').first().textContent(), evil);
  assert.match(await first.locator('h2').textContent(), /^\u2068<b>Rex<\/b>\u2069 the /);
  assert.equal(await page.locator('#mirror img, #mirror script, #mirror b').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.context().close();
});

test('the page is served with a strict Content-Security-Policy and runs under it', async () => {
  const res = await fetch(server.url);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const { page, problems } = await openFeed();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused/.test(p)), []);
  await page.context().close();
});

test('the page as served publishes no test hooks (#bench included); the tests\' hooks are their own', async () => {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  // Globals named like the hooks (paMedia, paFrameTimes, pa…).
  const hooks = () => page.evaluate(() => Object.keys(window).filter((k) => /^pa[A-Z]/.test(k)).sort());
  await page.goto(`${server.url}#bench`);
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(await hooks(), []);
  // Installed by a test (tests/lib/hooks.mjs), the same page has them.
  await installTestHooks(context, { frames: true });
  await page.reload();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForFunction(() => window.paMedia && window.paFrameTimes);
  assert.deepEqual(await hooks(), ['paFrameTimes', 'paMedia']);
  await context.close();
});

test('installed as a PWA, the app opens offline with the last feed', async () => {
  const { page, problems } = await openFeed({ serviceWorkers: 'allow' });
  const manifest = await (await fetch(new URL('/manifest.webmanifest', server.url))).json();
  assert.equal(manifest.display, 'standalone');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload(); // now controlled by the worker, which caches what it serves
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  const online = await page.locator('#mirror article').evaluateAll((a) => a.map((x) => x.id));

  await page.context().setOffline(true);
  await page.reload();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  assert.deepEqual(await page.locator('#mirror article').evaluateAll((a) => a.map((x) => x.id)), online);
  assert.ok(saturatedColours(await canvasPixels(page)) > 40, 'cached images are drawn offline');
  await page.context().setOffline(false);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('scrolling to the end pages through the whole feed', async () => {
  const all = [];
  for (let cursor = null; ; ) {
    const page = await (await fetch(new URL(`/api/v1/feed${cursor ? `?cursor=${cursor}` : ''}`, server.url))).json();
    all.push(...page.posts);
    if (!(cursor = page.next_cursor)) break;
  }
  const { page, problems } = await openFeed();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  // Keep pressing End: each time the core asks for the next page (signed in,
  // For you asks for the next ranked slice) near the end, until the last post
  // is mirrored.
  const lastPost = page.locator(`#mirror article[aria-posinset="${all.length}"]`);
  for (let i = 0; i < 20 && !(await lastPost.count()); i++) {
    await page.keyboard.press('End');
    await page.waitForTimeout(150);
  }
  await lastPost.waitFor({ state: 'attached' });
  assert.equal(await lastPost.getAttribute('aria-setsize'), String(all.length));
  const lastId = /^post-(.*)$/.exec(await lastPost.getAttribute('id'))?.[1];
  assert.ok(all.some((p) => p.id === lastId), lastId);
  assert.ok((await page.locator('#mirror article').count()) < all.length, 'the mirror stays windowed');
  assert.deepEqual(problems, []);
  await page.context().close();
});
