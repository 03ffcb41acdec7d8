// The service worker's offline copies of API answers are one person's: in
// Chromium with the real worker, one browser profile is shared — A signs in,
// browses (feed, Following, notifications), signs out (or signs out
// everywhere, or deletes the account), and Cache Storage holds nothing of
// A's; B then signs in on the same profile, goes offline, and is never
// served A's answers. The shell itself still opens offline (feed.test.mjs).
// Media too: a controlled page plays a reel (a video's ranges pass through
// the worker) and whole media are still kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const PASSWORD = 'correct horse battery';
let server, browser, port, liked, pet;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
  // The post A likes: the newest of a pet A follows, so it leads A's Following.
  const anon = new Client({ port });
  pet = (await anon.get('/api/v1/feed?limit=1')).body.posts[0].pet;
  liked = (await anon.get(`/api/v1/pets/${pet.id}/posts?limit=1`)).body.posts[0];
});

// A person made over the API; likes and follows are theirs alone.
async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase()}.${process.pid}.${++serial}@example.test`;
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

// Everything under /api/ in Cache Storage, read from the page.
const cachedApi = (page) => page.evaluate(async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (!url.pathname.startsWith('/api/')) continue;
      out.push({ cache: name, path: url.pathname + url.search, body: await (await cache.match(request)).text() });
    }
  }
  return out;
});

// What only A's answers hold: the post A liked, said to be liked.
const likedByA = (body) => body.includes(`"id":"${liked.id}"`) && /"liked":true/.test(body);

// A fresh profile whose page is controlled by the worker (it caches what it serves).
async function controlledPage() {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 }, serviceWorkers: 'allow' });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  return { context, page, problems };
}

async function logIn(page, who) {
  await page.goto(new URL('/login', server.url).href);
  await page.fill('#email', who.email);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('#logout').waitFor();
}

// A browses: the feed, Following (which holds the post A liked), notifications;
// until the worker has stored A's Following.
async function browseAsA(page) {
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.click('#feed-mode button[data-mode="following"]');
  await page.locator(`#mirror article[data-id="${liked.id}"]`).waitFor({ state: 'attached' });
  await page.goto(new URL('/notifications', server.url).href);
  await page.locator('#screen h1').waitFor();
  await page.goto(server.url);
  await page.locator(`#mirror article[data-id="${liked.id}"]`).waitFor({ state: 'attached' });
  await page.click('#feed-mode button[data-mode="foryou"]'); // remembered: leave the feed as it was
  await page.waitForFunction(() => localStorage.getItem('petamigos.feedMode') === 'foryou');
  for (let i = 0; i < 100 && !(await cachedApi(page)).some((e) => likedByA(e.body)); i++) await page.waitForTimeout(100);
  const mine = await cachedApi(page);
  // The worker does keep A's answers while A is signed in (or this test could not fail).
  assert.ok(mine.some((e) => e.path.startsWith('/api/v1/feed/following') && likedByA(e.body)),
    `A's Following is cached: ${mine.map((e) => e.path)}`);
  assert.ok(mine.every((e) => e.cache === 'petamigos-api-v1'), `API answers only in the API cache: ${mine.map((e) => e.cache)}`);
  return mine;
}

function assertNothingOfA(entries, when) {
  const leaked = entries.filter((e) => likedByA(e.body) || e.path.startsWith('/api/v1/feed/following')
    || e.path.startsWith('/api/v1/notifications'));
  assert.deepEqual(leaked.map((e) => e.path), [], `${when}: A's answers still cached`);
}

test('signed out, nothing of A is cached; B on the same profile, offline, is never served A\'s answers', async () => {
  const a = await person('Avery');
  const b = await person('Blake');
  assert.equal((await a.put(`/api/v1/pets/${pet.id}/follow`, {})).status, 200);
  assert.equal((await a.put(`/api/v1/posts/${liked.id}/like`, {})).status, 200);
  const { context, page, problems } = await controlledPage();
  await logIn(page, a);
  const mine = await browseAsA(page);

  // Log out from the header: the cache is emptied before the screens follow.
  await page.locator('#logout').click();
  await page.locator('#account-out').waitFor();
  assertNothingOfA(await cachedApi(page), 'just signed out');
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  assertNothingOfA(await cachedApi(page), 'signed out, the feed shown again');

  // B signs in on the same profile, browses, goes offline.
  await logIn(page, b);
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  assertNothingOfA(await cachedApi(page), 'B signed in');
  await context.setOffline(true);
  const served = await page.evaluate((paths) => Promise.all(paths.map((p) =>
    fetch(p).then((r) => r.text()).catch(() => null))), mine.map((e) => e.path));
  // (An answer alike for everyone, such as the story tray, may be B's own copy.)
  const fromA = served.filter((body) => body !== null && likedByA(body));
  assert.deepEqual(fromA, [], 'offline, B is served none of A\'s answers');
  // The app itself still opens offline.
  await page.reload();
  await page.locator('#canvas').waitFor();
  await context.setOffline(false);
  assert.deepEqual(problems.filter((p) => !/Failed to load resource|Failed to fetch/.test(p)), []);
  await context.close();
});

test('sign out everywhere and deleting the account clear A\'s cached answers too', async () => {
  for (const how of ['everywhere', 'delete']) {
    const a = await person('Avery');
    assert.equal((await a.put(`/api/v1/pets/${pet.id}/follow`, {})).status, 200);
    assert.equal((await a.put(`/api/v1/posts/${liked.id}/like`, {})).status, 200);
    const { context, page } = await controlledPage();
    await logIn(page, a);
    await browseAsA(page);
    await page.goto(new URL('/settings', server.url).href);
    if (how === 'everywhere') {
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.waitForURL(/\/login$/);
    } else {
      await page.getByRole('button', { name: 'Delete account' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete account' });
      await dialog.getByLabel('Your password, to confirm').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Delete forever' }).click();
      await page.waitForURL((u) => u.pathname === '/');
    }
    await page.locator('#account-out').waitFor();
    assertNothingOfA(await cachedApi(page), how);
    await context.close();
  }
});

// Media through the worker: a video asks for ranges (206), which the Cache
// API refuses to store; the worker must pass them through, or every video of
// a controlled page (reels, live replays) fails to load. A whole image is
// still kept.
test('a page the worker controls plays a reel\'s video (ranges pass through) and still caches whole media', async () => {
  const anon = new Client({ port });
  const reel = (await anon.get('/api/v1/reels?limit=1')).body.reels[0];
  const { context, page, problems } = await controlledPage();
  try {
    const ranged = await page.evaluate(async (url) => {
      const r = await fetch(url, { headers: { Range: 'bytes=0-99' } });
      await r.arrayBuffer();
      return r.status;
    }, reel.video.url);
    assert.equal(ranged, 206);
    await page.evaluate((url) => {
      const v = document.createElement('video');
      v.id = 'pa-sw-video';
      v.muted = true;
      v.src = url;
      document.body.append(v);
      v.play().catch(() => {});
    }, reel.video.url);
    await page.waitForFunction(() => document.getElementById('pa-sw-video').currentTime > 0.2);
    const kept = await page.evaluate(async (url) => {
      await (await fetch(url)).arrayBuffer();
      const cache = await caches.open('petamigos-media-v1');
      return { poster: !!(await cache.match(url)) };
    }, reel.poster.url);
    assert.deepEqual(kept, { poster: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
