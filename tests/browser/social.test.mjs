// Profiles, the core's posts grid, a post with its comments, tags and search,
// in Chromium against the real server: keyboard paths, optimistic follows that
// persist, comments that survive failures, deep links and history, and axe on
// every screen at phone and desktop sizes in light and dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { press, withArg, canvasPixels, imagesSettled, serverAndBrowser } from '../lib/app.mjs';
import { makeImages } from '../lib/images.mjs';
import { exposeTestHooks } from '../lib/hooks.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ANA = { email: 'ana@demo.petamigos.test', password: 'petamigos-ana-demo' };
let server, browser;

serverAndBrowser((s, b) => {
  server = s;
  browser = b;
});

const api = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

// A page at path; login signs in as Ana first (same-origin fetch, as the form does).
async function open(path, { login = false, width = 390, height = 844, colorScheme = 'light', axe = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, serviceWorkers: 'block', bypassCSP: axe });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(login ? '/' : path, server.url).href);
  if (login) {
    const ok = await page.evaluate(async (body) => (await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).ok, ANA);
    assert.ok(ok, 'demo login');
    await page.goto(new URL(path, server.url).href);
  }
  return { page, problems };
}

const heading = (page) => page.locator('#screen h1');

function differing(a, b) {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i += 4) {
    n += Math.abs(a.pixels[i] - b.pixels[i]) + Math.abs(a.pixels[i + 1] - b.pixels[i + 1]) > 60;
  }
  return n;
}

// Pixels far from the page colour: something is drawn there.
function drawn(img) {
  let n = 0;
  for (let i = 0; i < img.pixels.length; i += 4) {
    n += Math.abs(img.pixels[i] - 0xf3) + Math.abs(img.pixels[i + 1] - 0xf1) + Math.abs(img.pixels[i + 2] - 0xee) > 60;
  }
  return n / (img.pixels.length / 4);
}

async function idOfPet(page, name) {
  return (await api(page, `/api/v1/search?type=pets&q=${encodeURIComponent(name)}`)).results.find((p) => p.name === name).id;
}

test('open a pet from a feed post with the keyboard, follow it; the count persists after reload', async () => {
  const { page, problems } = await open('/', { login: true });
  // A post by someone else's pet (Ana owns Luna and Biscuit).
  const article = page.locator('#mirror article').filter({ hasNotText: /^(Luna|Biscuit) / }).first();
  await article.waitFor({ state: 'attached' });
  const petId = await page.evaluate(async (id) => (await (await fetch(`/api/v1/posts/${id}`)).json()).pet.id, await article.getAttribute('data-id'));
  await press(article.locator('button[data-control="profile"]'));
  await page.waitForURL(`**/pets/${petId}`);
  const pet = await api(page, `/api/v1/pets/${petId}`);
  await heading(page).filter({ hasText: pet.name }).waitFor();
  assert.equal(pet.following, false);

  const follow = page.getByRole('button', { name: withArg('Follow ', pet.name) });
  const followers = page.locator('.social-counts a', { hasText: /followers?$/ });
  assert.equal(await follow.getAttribute('aria-pressed'), 'false');
  assert.equal(await followers.textContent(), `${pet.follower_count} ${pet.follower_count === 1 ? 'follower' : 'followers'}`);
  const answered = page.waitForResponse((r) => r.url().endsWith(`/pets/${petId}/follow`) && r.request().method() === 'PUT');
  await press(follow);
  // Optimistic: the button and the count change before the server answers.
  assert.equal(await follow.getAttribute('aria-pressed'), 'true');
  assert.equal(await followers.textContent(), `${pet.follower_count + 1} ${pet.follower_count + 1 === 1 ? 'follower' : 'followers'}`);
  assert.equal((await answered).status(), 200);

  await page.reload();
  await heading(page).filter({ hasText: pet.name }).waitFor();
  assert.equal(await page.getByRole('button', { name: withArg('Follow ', pet.name) }).getAttribute('aria-pressed'), 'true');
  assert.match(await followers.textContent(), new RegExp(`^${pet.follower_count + 1} `));

  // Its followers list has Ana; unfollowing refused by the server rolls back with a message.
  await press(followers);
  await page.waitForURL(`**/pets/${petId}/followers`);
  await page.locator('.social-people a', { hasText: 'Ana Souza' }).waitFor();
  await page.goBack();
  await heading(page).filter({ hasText: pet.name }).waitFor();
  await page.route('**/api/v1/pets/*/follow', (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'Try later' } }) }));
  const again = page.getByRole('button', { name: withArg('Follow ', pet.name) });
  await press(again);
  await page.locator('.social-message', { hasText: "Couldn't unfollow" }).waitFor();
  assert.equal(await again.getAttribute('aria-pressed'), 'true');
  assert.match(await followers.textContent(), new RegExp(`^${pet.follower_count + 1} `));
  assert.deepEqual(problems.filter((p) => !/503/.test(p)), []);
  await page.context().close();
});

test("the core draws a pet's posts as a grid; its mirror lists them; a tile opens its post", async () => {
  const { page, problems } = await open('/', { width: 390, height: 844 });
  const id = await idOfPet(page, 'Pepper');
  const posts = (await api(page, `/api/v1/pets/${id}/posts`)).posts;
  assert.ok(posts.length >= 2);
  await page.goto(new URL(`/pets/${id}`, server.url).href);
  const links = page.locator('#grid-mirror a');
  await links.first().waitFor({ state: 'attached' });
  assert.deepEqual(await links.allTextContents(), posts.map((p) => (p.images.length > 1 ? `${p.caption} (${p.images.length} photos)` : p.caption)));
  assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href'))), posts.map((p) => `/posts/${p.id}`));
  // The canvas sits below the header and shows the thumbnails once decoded.
  const header = await page.locator('#screen').boundingBox(), stage = await page.locator('#canvas').boundingBox();
  assert.ok(stage.y >= header.y + header.height - 1 && stage.height > 200, JSON.stringify({ header, stage }));
  await imagesSettled(page);
  const shown = await canvasPixels(page);
  assert.ok(drawn(shown) > 0.1, `drawn ${drawn(shown)}`);
  // Focus on a link rings its tile on the canvas.
  await links.nth(1).focus();
  await page.waitForTimeout(100);
  const ringed = await canvasPixels(page);
  assert.ok(differing(shown, ringed) > 100, `${differing(shown, ringed)} pixels changed`);
  // Arrow keys walk the tiles; Enter opens the post.
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), `/posts/${posts[0].id}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/posts/${posts[1].id}`);
  await heading(page).filter({ hasText: 'Pepper' }).waitFor();
  assert.equal(await page.locator('#grid').isHidden(), true, 'the grid closes with its screen');
  // A tap on a tile opens its post too.
  await page.goBack();
  await links.first().waitFor({ state: 'attached' });
  await page.waitForTimeout(200);
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 6, box.y + box.width / 6);
  await page.waitForURL(`**/posts/${posts[0].id}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a person page, /me, and the following list', async () => {
  const { page, problems } = await open('/me', { login: true });
  await page.waitForURL(/\/people\/u_\d+$/);
  await heading(page).filter({ hasText: 'Ana Souza' }).waitFor();
  const me = await api(page, '/api/v1/auth/session');
  const profile = await api(page, `/api/v1/users/${me.user.id}`);
  assert.equal(await page.locator('.social-facts').first().textContent(), `@${profile.handle}`);
  assert.deepEqual(await page.locator('.social-pets a > span:not(.social-avatar):not(.social-note)').allTextContents(), profile.pets.map((p) => p.name));
  assert.equal(await page.getByRole('button', { name: /^Follow/ }).count(), 0, 'no follow button on your own page');
  assert.equal(await page.locator('#tabs a[href="/me"]').getAttribute('aria-current'), 'page');
  await page.locator('#grid-mirror a').nth(profile.post_count - 1).waitFor({ state: 'attached' });
  // Following: a link to the list of the people Ana follows.
  const following = page.locator('.social-counts a', { hasText: /following$/ });
  assert.equal(await following.textContent(), `${profile.following_count} following`);
  await press(following);
  await page.waitForURL(`**/people/${me.user.id}/following`);
  await heading(page).filter({ hasText: withArg('People ', 'Ana Souza', ' follows') }).waitFor();
  const list = (await api(page, `/api/v1/users/${me.user.id}/following`)).users.map((u) => u.name);
  await page.locator('.social-people a').first().waitFor();
  assert.deepEqual(await page.locator('.social-people a > span:not(.social-avatar)').allTextContents(), list);
  // Someone else's page: follow, then their followers list has Ana.
  await page.locator('.social-people a').first().click();
  await page.waitForURL(/\/people\/u_\d+$/);
  const other = await api(page, `/api/v1/users/${page.url().split('/').pop()}`);
  await heading(page).filter({ hasText: other.name }).waitFor();
  assert.equal(await page.getByRole('button', { name: withArg('Follow ', other.name) }).getAttribute('aria-pressed'), 'true');
  await page.locator('.social-counts a', { hasText: /followers?$/ }).click();
  await page.locator('.social-people a', { hasText: 'Ana Souza' }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();

  // Signed out, /me asks to sign in and comes back.
  const anon = await open('/me');
  await anon.page.waitForURL('**/login?next=%2Fme');
  await anon.page.context().close();
});

test('comment on a post, see it after reload; a failed comment keeps its text; delete your own', async () => {
  const { page, problems } = await open('/', { login: true });
  const id = await idOfPet(page, 'Pepper');
  const post = (await api(page, `/api/v1/pets/${id}/posts`)).posts[0];
  await page.goto(new URL(`/posts/${post.id}`, server.url).href);
  await heading(page).filter({ hasText: 'Pepper' }).waitFor();
  // The caption's #tags link to their pages.
  for (const tag of post.tags) assert.equal(await page.locator('.social-caption a', { hasText: `#${tag}` }).getAttribute('href'), `/tags/${tag}`);
  const text = page.getByLabel('Add a comment');
  const mine = `Such a clever dog ${Date.now()}`;
  await text.fill(mine);
  await text.press('Control+Enter');
  await page.locator('.social-comment-body', { hasText: mine }).waitFor();
  assert.equal(await text.inputValue(), '');
  await page.reload();
  await page.locator('.social-comment-body', { hasText: mine }).waitFor();

  // The network fails: the message says so and the text stays, even across a reload.
  await page.route('**/api/v1/posts/*/comments', (route) => (route.request().method() === 'POST' ? route.abort() : route.continue()));
  const failing = 'This one will not get through';
  await text.fill(failing);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#comment-error', { hasText: 'was not sent' }).waitFor();
  assert.equal(await text.inputValue(), failing);
  assert.equal(await page.locator('.social-comment-body', { hasText: failing }).count(), 0);
  await page.unroute('**/api/v1/posts/*/comments');
  await page.reload();
  await heading(page).filter({ hasText: 'Pepper' }).waitFor();
  assert.equal(await page.getByLabel('Add a comment').inputValue(), failing);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.social-comment-body', { hasText: failing }).waitFor();

  // A reply to the first comment, then deleting the comment Ana wrote first.
  const first = page.locator('.social-comments-section > .social-comments > li').first();
  await first.getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Add a comment').fill('A reply');
  await page.getByLabel('Add a comment').press('Control+Enter');
  await first.locator('.social-replies .social-comment-body', { hasText: 'A reply' }).waitFor();
  const item = page.locator('.social-comment', { has: page.locator('.social-comment-body', { hasText: mine }) });
  await item.getByRole('button', { name: 'Delete' }).first().click();
  await item.getByRole('button', { name: 'Yes, delete' }).click();
  await page.locator('.social-comment-body', { hasText: mine }).waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('.social-comment-body', { hasText: failing }).waitFor();
  assert.equal(await page.locator('.social-comment-body', { hasText: mine }).count(), 0);
  assert.deepEqual(problems.filter((p) => !/ERR_FAILED|Failed to load/.test(p)), []);
  await page.context().close();
});

test('search a breed as you type and reach its pet with the keyboard; empty and error states', async () => {
  const { page, problems } = await open('/search');
  const box = page.getByRole('combobox', { name: /Search people, pets, breeds and tags/ });
  await box.waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'search-q');
  await page.keyboard.type('border col', { delay: 40 });
  const breed = page.getByRole('option', { name: /Border Collie/ });
  await breed.waitFor();
  assert.equal(new URL(page.url()).search, '?q=border%20col');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  // ↓ walks the options (aria-activedescendant); Enter on the breed lists its pets.
  for (let i = 0; i < 10 && (await box.getAttribute('aria-activedescendant')) !== (await breed.getAttribute('id')); i++) {
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await breed.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('search-q').value === 'Border Collie');
  // Pepper may already be listed by "border col" (pets match by breed): wait for the breed's own
  // answer, whose render clears the active option, or the walk below may happen on the old list.
  await page.waitForFunction(() => !document.getElementById('search-q').hasAttribute('aria-activedescendant'));
  const pepper = page.getByRole('option', { name: /^Pepper/ });
  await pepper.waitFor();
  for (let i = 0; i < 10 && (await box.getAttribute('aria-activedescendant')) !== (await pepper.getAttribute('id')); i++) {
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await pepper.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/pets\/pet_\d+$/);
  await heading(page).filter({ hasText: 'Pepper' }).waitFor();
  // Back to the search, with its query from the URL.
  await page.goBack();
  await page.getByRole('option', { name: /^Pepper/ }).waitFor();
  assert.equal(await page.locator('#search-q').inputValue(), 'Border Collie');

  await page.locator('#search-q').fill('zzqqxx');
  await page.locator('#search-status', { hasText: withArg('Nothing found for “', 'zzqqxx', '”.') }).waitFor();
  assert.equal(await page.getByRole('option').count(), 0);
  await page.route('**/api/v1/search*', (route) => route.abort());
  await page.locator('#search-q').fill('luna');
  await page.locator('#search-status', { hasText: 'Search failed.' }).waitFor();
  assert.deepEqual(problems.filter((p) => !/ERR_FAILED|Failed to load/.test(p)), []);
  await page.context().close();
});

test('deep links to a pet, a person, a post and a tag work on reload and with back and forward', async () => {
  const { page, problems } = await open('/');
  const id = await idOfPet(page, 'Pepper');
  const pet = await api(page, `/api/v1/pets/${id}`);
  const post = (await api(page, `/api/v1/pets/${id}/posts`)).posts[0];
  const tag = post.tags[0];
  const stops = [[`/pets/${id}`, 'Pepper'], [`/people/${pet.owner.id}`, pet.owner.name], [`/posts/${post.id}`, 'Pepper'], [`/tags/${tag}`, `#${tag}`]];
  for (const [path, title] of stops) {
    await page.goto(new URL(path, server.url).href);
    await heading(page).filter({ hasText: title }).waitFor();
    await page.reload();
    await heading(page).filter({ hasText: title }).waitFor();
  }
  // The tag page's grid lists posts with the tag.
  await page.locator('#grid-mirror a').first().waitFor({ state: 'attached' });
  for (const label of await page.locator('#grid-mirror a').allTextContents()) assert.match(label, new RegExp(`#${tag}\\b`, 'i'));
  for (const [path, title] of stops.slice(0, -1).reverse()) {
    await page.goBack();
    await heading(page).filter({ hasText: title }).waitFor();
    assert.equal(new URL(page.url()).pathname, path);
  }
  await page.goForward();
  await heading(page).filter({ hasText: pet.owner.name }).waitFor();
  // In-app links move between them too: owner link, then back to the feed.
  await page.goto(new URL(`/pets/${id}`, server.url).href);
  await page.locator('.social-owner a').click();
  await heading(page).filter({ hasText: pet.owner.name }).waitFor();
  await page.goto(new URL('/pets/pet_99999', server.url).href);
  await page.locator('#screen [role="alert"]', { hasText: 'does not exist' }).waitFor();
  assert.deepEqual(problems.filter((p) => !/404/.test(p)), []);
  await page.context().close();
});

test("the feed's mirror buttons ring their control on the canvas when focused (issue 4)", async () => {
  const { page, problems } = await open('/');
  const article = page.locator('#mirror article').first();
  await article.waitFor({ state: 'attached' });
  await article.focus();
  await imagesSettled(page);
  const plain = await canvasPixels(page);
  await article.locator('button[data-control="like"]').focus();
  await page.waitForTimeout(150);
  const like = await canvasPixels(page);
  await article.locator('button[data-control="comments"]').focus();
  await page.waitForTimeout(150);
  const comments = await canvasPixels(page);
  assert.ok(differing(plain, like) > 50, `like ring: ${differing(plain, like)}`);
  assert.ok(differing(like, comments) > 50, `comments ring: ${differing(like, comments)}`);
  await article.focus();
  await page.waitForTimeout(150);
  assert.ok(differing(plain, await canvasPixels(page)) < 20, 'the ring goes with the focus');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test("a new post: its @mention links to the pet, its #tag to the tag's grid, which shows it", async () => {
  const { page, problems } = await open('/', { login: true });
  const luna = await idOfPet(page, 'Luna'), biscuit = await idOfPet(page, 'Biscuit');
  const jpeg = [...makeImages().read('plasma.jpg')];
  const tag = `parkday${Date.now() % 100000}`;
  const caption = `Park day with @Biscuit #${tag}`;
  const postId = await page.evaluate(async ([bytes, body]) => {
    const { csrf_token: csrf } = await (await fetch('/api/v1/auth/session')).json();
    const media = await (await fetch('/api/v1/media', { method: 'POST', headers: { 'Content-Type': 'image/jpeg', 'X-CSRF-Token': csrf },
      body: new Uint8Array(bytes) })).json();
    const res = await fetch('/api/v1/posts', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ ...body, media_ids: [media.id] }) });
    return (await res.json()).id;
  }, [jpeg, { caption, pet_ids: [luna, biscuit] }]);
  assert.match(postId, /^p_\d+$/);
  await page.goto(new URL(`/posts/${postId}`, server.url).href);
  await heading(page).filter({ hasText: 'Luna' }).waitFor();
  assert.equal(await page.locator('.social-caption').textContent(), caption);
  assert.equal(await page.locator('.social-caption a', { hasText: '@Biscuit' }).getAttribute('href'), `/pets/${biscuit}`);
  await page.locator('.social-photos img').evaluate((img) => img.decode());
  await page.locator('.social-caption a', { hasText: `#${tag}` }).click();
  await page.waitForURL(`**/tags/${tag}`);
  await heading(page).filter({ hasText: `#${tag}` }).waitFor();
  const links = page.locator('#grid-mirror a');
  await links.first().waitFor({ state: 'attached' });
  assert.deepEqual(await links.allTextContents(), [caption]);
  await exposeTestHooks(page);
  await page.waitForFunction(() => Object.entries(window.paMedia.stats).some(([k, v]) => /Decoded$/.test(k) && v > 0));
  await page.waitForTimeout(150);
  assert.ok(drawn(await canvasPixels(page)) > 0.05, 'the tile is drawn');
  // The mention's pet page lists it first in its grid.
  await page.goBack();
  await page.locator('.social-caption a', { hasText: '@Biscuit' }).click();
  await heading(page).filter({ hasText: 'Biscuit' }).waitFor();
  await page.locator('#grid-mirror a').first().waitFor({ state: 'attached' });
  assert.equal(await page.locator('#grid-mirror a').first().getAttribute('href'), `/posts/${postId}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('typing fast asks once for the final query, and a newer query aborts a slow older one', async () => {
  const { page, problems } = await open('/search');
  await page.waitForFunction(() => document.activeElement?.id === 'search-q');
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/search')) asked.push(new URL(r.url()).searchParams.get('q')); });
  await page.keyboard.type('pepper', { delay: 30 });
  await page.getByRole('option', { name: /^Pepper/ }).waitFor();
  assert.deepEqual([...new Set(asked)], ['pepper'], 'debounced: no request per keystroke');
  assert.equal(asked.length, 4, 'people, pets, breeds and tags');
  // "lun" answers slowly; "luna" typed meanwhile aborts it, and its answer wins.
  const aborted = [];
  page.on('requestfailed', (r) => { if (r.url().includes('q=lun&') || r.url().endsWith('q=lun')) aborted.push(r.failure().errorText); });
  await page.route('**/api/v1/search*', async (route) => {
    if (new URL(route.request().url()).searchParams.get('q') === 'lun') await new Promise((r) => setTimeout(r, 1500));
    await route.continue().catch(() => {});
  });
  // Waits (generously) for what the page does, not for a time: a loaded machine may take longer.
  const until = async (done, what) => {
    for (let i = 0; i < 600 && !done(); i++) await page.waitForTimeout(50);
    assert.ok(done(), what);
  };
  await page.locator('#search-q').fill('lun');
  await until(() => asked.filter((q) => q === 'lun').length === 4, `"lun" asked once per kind: ${asked}`);
  await page.locator('#search-q').fill('luna');
  await page.getByRole('option', { name: /^Luna/ }).waitFor();
  await until(() => aborted.length === 4, `aborted: ${aborted}`);
  assert.equal(aborted.length, 4, `aborted: ${aborted}`);
  assert.equal(await page.locator('#search-q').inputValue(), 'luna');
  assert.equal(new URL(page.url()).searchParams.get('q'), 'luna');
  assert.ok(await page.getByRole('option', { name: /^Luna/ }).count() >= 1);
  assert.deepEqual(problems, []);
  await page.context().close();
});

// axe on every screen this file adds, at both sizes, in light and dark.
for (const [size, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe: profile, followers, post, tag and search screens (${size}, ${colorScheme})`, async () => {
      const { page, problems } = await open('/search?q=pepper', { login: true, ...viewport, colorScheme, axe: true });
      const id = await idOfPet(page, 'Pepper');
      const pet = await api(page, `/api/v1/pets/${id}`);
      const post = (await api(page, `/api/v1/pets/${id}/posts`)).posts[0];
      const screens = [
        ['/search?q=pepper', () => page.getByRole('option').first().waitFor()],
        [`/pets/${id}`, () => page.locator('#grid-mirror a').first().waitFor({ state: 'attached' })],
        [`/people/${pet.owner.id}`, () => page.locator('#grid-mirror a').first().waitFor({ state: 'attached' })],
        [`/pets/${id}/followers`, () => page.locator('.social-people').waitFor({ state: 'attached' })],
        [`/posts/${post.id}`, () => page.locator('.social-comment').first().waitFor()],
        [`/tags/${post.tags[0]}`, () => page.locator('#grid-mirror a').first().waitFor({ state: 'attached' })],
      ];
      await page.evaluate(axeSource);
      for (const [path, ready] of screens) {
        await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, path);
        await ready();
        await page.waitForTimeout(100);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(bad.map((v) => `${path}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), []);
      }
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }
}
