// The feed ranked on the device, in Chromium against the real server: For you
// (candidates ranked by the WASM core with the taste kept in IndexedDB) and
// Following (newest first), the switch, learning from likes, reset, "why this
// post", ads, and the promise that the taste never leaves the device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser } from '../lib/app.mjs';
import { CLI } from '../lib/paths.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let server, browser, candidates, candidatePage, viewerCookie;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  // Candidates need a session: one account (it follows nobody) for the pages
  // below that do not sign in themselves.
  const joined = await fetch(new URL('/api/v1/auth/signup', server.url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'ranker@example.test', password: 'correct horse battery staple', display_name: 'Ranker' }),
  });
  assert.equal(joined.status, 201);
  viewerCookie = /pa_session=([^;]+)/.exec(joined.headers.get('set-cookie'))[1];
  candidatePage = await (await fetch(new URL('/api/v1/feed/candidates?limit=1000', server.url),
    { headers: { cookie: `pa_session=${viewerCookie}` } })).json();
  candidates = candidatePage.candidates;
});

const byId = (id) => candidates.find((c) => c.post_id === id);
const TASTE_MAGIC = 'PAtaste';

// A page with a fixed ranking seed, signed in as the shared account unless
// signedIn is false; every request it sends is kept so the test can check
// that no body (or URL) carries the taste.
async function open({ seed = 7, mode = null, signedIn = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 }, deviceScaleFactor: 1, serviceWorkers: 'block' });
  if (signedIn) await context.addCookies([{ name: 'pa_session', value: viewerCookie, url: server.url }]);
  await context.addInitScript(([s, m]) => {
    if (!localStorage.getItem('petamigos.rankSeed')) localStorage.setItem('petamigos.rankSeed', s);
    if (m && !sessionStorage.getItem('pa-test-mode-set')) {
      localStorage.setItem('petamigos.feedMode', m);
      sessionStorage.setItem('pa-test-mode-set', '1');
    }
  }, [String(seed), mode]);
  const page = await context.newPage();
  const problems = watchPage(page);
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
  await page.goto(server.url);
  return { context, page, problems, requests };
}

// The ids of the ranked list's first slice, from the first request the shell
// makes for their posts (GET /api/v1/posts?ids=…) at or after request number
// `since` (take requests.length before the reload or switch that loads it: a
// count of loads would race a load that a reload interrupted).
async function rankedSlice(requests, page, since = 0) {
  await page.waitForFunction(() => document.querySelectorAll('#mirror > article').length > 0);
  const deadline = Date.now() + 20000;
  for (;;) {
    const slice = requests.slice(since).find((r) => /\/api\/v1\/posts\?ids=[^&]/.test(r.url));
    if (slice) return new URL(slice.url).searchParams.get('ids').split(',');
    if (Date.now() > deadline) throw new Error(`no ranked slice requested after request ${since}`);
    await page.waitForTimeout(100);
  }
}

async function mirrorIds(page) {
  await page.waitForFunction(() => document.querySelectorAll('#mirror > article').length > 0);
  return page.$$eval('#mirror > article', (as) => as.map((a) => a.dataset.id));
}

function assertTasteNeverSent(requests) {
  const magic = Buffer.from(TASTE_MAGIC);
  const b64 = Buffer.from(`${TASTE_MAGIC}\0`).toString('base64').slice(0, 8);
  for (const r of requests) {
    if (r.body) {
      assert.ok(!r.body.includes(magic), `${r.method} ${r.url} carries the taste`);
      assert.ok(!r.body.toString('latin1').includes(b64), `${r.method} ${r.url} carries the taste (base64)`);
      assert.ok(!/"(taste|embedding|vector)"/.test(r.body.toString('utf8')), `${r.method} ${r.url}: ${r.body}`);
    }
    assert.ok(!r.url.includes(b64) && !/taste/i.test(r.url), r.url);
  }
}

async function storedTaste(page, whole = false) {
  return page.evaluate((all) => new Promise((resolve, reject) => {
    const req = indexedDB.open('petamigos-rank', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('taste');
    req.onsuccess = () => {
      const get = req.result.transaction('taste').objectStore('taste').get('taste');
      get.onsuccess = () => { resolve(get.result ? Array.from(all ? get.result : get.result.slice(0, 8)) : null); req.result.close(); };
      get.onerror = () => reject(get.error);
    };
    req.onerror = () => reject(req.error);
  }), whole);
}

async function signUp(page, name) {
  const status = await page.evaluate(async (n) => {
    const r = await fetch('/api/v1/auth/signup', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: `${n}-${Date.now()}@example.test`, password: 'correct horse battery staple', display_name: n }),
    });
    return r.status;
  }, name);
  assert.equal(status, 201);
}

async function logIn(page, email, password) {
  const status = await page.evaluate(async ([e, p]) => (await fetch('/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email: e, password: p }),
  })).status, [email, password]);
  assert.equal(status, 200);
}

// The mean position (0-based) of a species' posts in a ranked list.
function meanRank(ids, species) {
  const at = ids.map((id, i) => [byId(id)?.species, i]).filter(([s]) => s === species).map(([, i]) => i);
  return at.length ? at.reduce((a, b) => a + b, 0) / at.length : ids.length;
}

test('For you is ranked on the device: not chronological, the same for the same seed, ads spaced and labelled', async () => {
  const chrono = (await (await fetch(new URL('/api/v1/feed?limit=50', server.url))).json()).posts.map((p) => p.id);
  const a = await open({ seed: 7 });
  const b = await open({ seed: 7 });
  const ranked = await rankedSlice(a.requests, a.page);
  assert.equal(ranked.length, 20);
  assert.notDeepEqual(ranked, chrono.slice(0, 20), 'a ranked order, not the newest first');
  assert.deepEqual(await rankedSlice(b.requests, b.page), ranked, 'deterministic for a fixed seed');
  // The feed shows that order.
  const shown = await mirrorIds(a.page);
  assert.deepEqual(shown, ranked.slice(0, shown.length));
  assert.equal(await a.page.getAttribute('#feed-mode button[data-mode="foryou"]', 'aria-pressed'), 'true');

  // Ads: never first, never adjacent, labelled in the mirror.
  const adAt = ranked.map((id, i) => [id, i]).filter(([id]) => byId(id).sponsored).map(([, i]) => i);
  assert.ok(adAt.length >= 1, 'the small world has ads among the candidates');
  assert.ok(adAt[0] > 0);
  for (let k = 1; k < adAt.length; k++) assert.ok(adAt[k] - adAt[k - 1] > 1, `ads at ${adAt}`);
  const ad = ranked[adAt[0]];
  // Scroll until the ad is mirrored.
  for (let i = 0; i < 30 && !(await a.page.$(`#mirror > article[data-id="${ad}"]`)); i++) {
    await a.page.mouse.move(240, 500);
    await a.page.mouse.wheel(0, 500);
    await a.page.waitForTimeout(80);
  }
  // Posts scrolled past were reported (skips and dwells) and learned: stored.
  await a.page.mouse.move(240, 500);
  for (let i = 0; i < 3; i++) {
    await a.page.mouse.wheel(0, 700);
    await a.page.waitForTimeout(100);
  }
  for (let i = 0; i < 20 && !(await storedTaste(a.page)); i++) await a.page.waitForTimeout(100);
  assert.deepEqual((await storedTaste(a.page)).slice(0, 7), [...Buffer.from(TASTE_MAGIC)]);
  assert.equal(await storedTaste(b.page), null, 'the other page did not scroll: nothing learned');
  const heading = await a.page.textContent(`#mirror > article[data-id="${ad}"] h2`);
  assert.match(heading, /^Sponsored: /);
  assert.equal(await a.page.getAttribute(`#mirror > article[data-id="${ad}"]`, 'data-sponsored'), '');
  for (const id of shown.filter((x) => !byId(x).sponsored))
    assert.doesNotMatch(await a.page.textContent(`#mirror > article[data-id="${id}"] h2`) ?? '', /^Sponsored/);
  assertTasteNeverSent(a.requests);
  assert.deepEqual(a.problems, []);
  await a.context.close();
  await b.context.close();
});

test('signed out, For you is the newest posts: no candidates are asked for; signing in ranks them', async () => {
  const chrono = (await (await fetch(new URL('/api/v1/feed', server.url))).json()).posts.map((p) => p.id);
  const { context, page, problems, requests } = await open({ signedIn: false });
  const shown = await mirrorIds(page);
  assert.deepEqual(shown, chrono.slice(0, shown.length));
  assert.equal(await page.getAttribute('#feed-mode button[data-mode="foryou"]', 'aria-pressed'), 'true');
  assert.ok(!requests.some((r) => r.url.includes('/api/v1/feed/candidates')), 'no candidates without a session');
  await logIn(page, 'kenji@demo.petamigos.test', 'petamigos-kenji-demo');
  const since = requests.length;
  await page.reload();
  const ranked = await rankedSlice(requests, page, since);
  assert.notDeepEqual(ranked, chrono.slice(0, ranked.length), 'ranked once signed in');
  assert.ok(requests.slice(since).some((r) => r.url.includes('/api/v1/feed/candidates?limit=1000')));
  assert.deepEqual(problems, []);
  await context.close();
});

test('likes teach the taste: the species moves up after a reload, the taste survives it, reset forgets it', async () => {
  const { context, page, problems, requests } = await open({ seed: 7 });
  await signUp(page, 'taster');
  let since = requests.length;
  await page.reload();
  const cold = await rankedSlice(requests, page, since);
  assert.equal(await storedTaste(page), null, 'nothing learned yet');
  // The species that ranks lowest at cold start.
  const species = [...new Set(candidates.map((c) => c.species))];
  const target = species.map((s) => [s, meanRank(cold, s)]).sort((x, y) => y[1] - x[1])[0][0];
  const theirs = candidates.filter((c) => c.species === target && !c.sponsored).map((c) => c.post_id);
  assert.ok(theirs.length >= 3, `${target} has posts`);

  // One like through the feed's own button (the mirror's, with the keyboard)…
  const first = (await mirrorIds(page))[0];
  await page.focus(`#mirror > article[data-id="${first}"] button[data-control="like"]`);
  await page.keyboard.press('Enter');
  for (let i = 0; i < 50 && !(await storedTaste(page)); i++) await page.waitForTimeout(100);
  assert.equal(await page.getAttribute(`#mirror > article[data-id="${first}"] button[data-control="like"]`, 'aria-pressed'), 'true');
  assert.deepEqual((await storedTaste(page)).slice(0, 7), [...Buffer.from(TASTE_MAGIC)]);
  // …and likes of the target species (as other screens report them).
  await page.evaluate((ids) => {
    for (const id of ids) dispatchEvent(new CustomEvent('pa:signal', { detail: { kind: 'like', post_id: id } }));
  }, theirs.slice(0, 4));
  await page.waitForTimeout(600); // the taste is written shortly after the last signal

  since = requests.length;
  await page.reload();
  const learned = await rankedSlice(requests, page, since);
  assert.ok(meanRank(learned, target) < meanRank(cold, target),
    `${target} moved up: ${meanRank(cold, target)} -> ${meanRank(learned, target)}`);
  assert.notDeepEqual(learned, cold);

  // Reset (the settings screen's button): the cold-start order again, nothing stored.
  since = requests.length;
  await page.evaluate(() => dispatchEvent(new CustomEvent('pa:taste-reset')));
  const again = await rankedSlice(requests, page, since);
  assert.deepEqual(again, cold);
  assert.equal(await storedTaste(page), null);
  since = requests.length;
  await page.reload();
  assert.deepEqual(await rankedSlice(requests, page, since), cold, 'still forgotten after a reload');
  assertTasteNeverSent(requests);
  assert.deepEqual(problems, []);
  await context.close();
});

// The core's own ranker (the CLI) on the same candidates: where an author's
// first post lands, with the page's stored taste or none, and why.
function rankByCli(taste) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-rank-'));
  fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(candidatePage));
  const args = ['rank', path.join(dir, 'c.json'), '--json', '--limit', String(candidates.length), '--seed', '7'];
  if (taste) fs.writeFileSync(path.join(dir, 'taste.bin'), Buffer.from(taste));
  const out = execFileSync(CLI, taste ? [...args, '--taste', path.join(dir, 'taste.bin')] : args, { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true });
  return JSON.parse(out);
}

test('a reel watched to its end teaches the taste about its author (stories and reels are not candidates)', async () => {
  const reels = (await (await fetch(new URL('/api/v1/reels', server.url))).json()).reels;
  const author = reels[0].author.id;
  assert.ok(candidates.some((c) => c.author_id === author), 'the reel\'s author has posts to rank');
  const { context, page, problems, requests } = await open({ seed: 7 });
  await rankedSlice(requests, page);
  assert.equal(await storedTaste(page), null);
  await page.locator('#tabs a[href="/reels"]').click();
  await page.waitForFunction((url) => document.getElementById('reel-video').getAttribute('src') === url, reels[0].video.url);
  // Watched to the end (or round again), then the next reel.
  await page.waitForFunction(() => {
    const v = document.getElementById('reel-video');
    window.paMostWatched = Math.max(window.paMostWatched ?? 0, v.duration ? v.currentTime / v.duration : 0);
    return window.paMostWatched > 0.9;
  }, null, { timeout: 20000, polling: 50 });
  // (Posts that left the screen when the reels opened may have been stored
  // already, 300 ms after they left: let that land, then wait for a change.)
  await page.waitForTimeout(400);
  const before = JSON.stringify(await storedTaste(page, true));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((url) => document.getElementById('reel-video').getAttribute('src') === url, reels[1].video.url);
  for (let i = 0; i < 30 && JSON.stringify(await storedTaste(page, true)) === before; i++) await page.waitForTimeout(100);
  const taste = await storedTaste(page, true);
  assert.ok(taste && JSON.stringify(taste) !== before, 'the taste was stored');
  // The author learned: their first post does not fall, and says why.
  const firstBy = (items) => items.findIndex((it) => byId(it.post_id)?.author_id === author);
  const cold = rankByCli(null), warm = rankByCli(taste);
  assert.ok(firstBy(warm) <= firstBy(cold), `${author}: ${firstBy(cold)} -> ${firstBy(warm)}`);
  assert.ok(warm[firstBy(warm)].why.some((w) => w.code === 'author'), JSON.stringify(warm[firstBy(warm)]));
  assertTasteNeverSent(requests);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Following is newest first from followed pets and people; the switch goes both ways and is remembered', async () => {
  const { context, page, problems, requests } = await open({ seed: 7 });
  await logIn(page, 'ana@demo.petamigos.test', 'petamigos-ana-demo');
  let since = requests.length;
  await page.reload();
  const ranked = await rankedSlice(requests, page, since);
  const following = await page.evaluate(async () => (await (await fetch('/api/v1/feed/following?limit=50')).json()).posts);
  assert.ok(following.length >= 3, 'ana follows someone in the small world');
  for (let i = 1; i < following.length; i++) assert.ok(following[i - 1].created_at >= following[i].created_at);

  // The switch above the feed, from the keyboard.
  await page.focus('#feed-mode button[data-mode="following"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#feed-mode button[data-mode="following"]').getAttribute('aria-pressed') === 'true');
  // The first post of both lists can be the same: wait for the whole window.
  const isFollowing = (ids) => {
    const shown = [...document.querySelectorAll('#mirror > article')].map((a) => a.dataset.id);
    return shown.length > 0 && shown.every((id, i) => id === ids[i]);
  };
  await page.waitForFunction(isFollowing, following.map((p) => p.id));
  const shown = await mirrorIds(page);
  assert.deepEqual(shown, following.slice(0, shown.length).map((p) => p.id));
  assert.equal(await page.evaluate(() => localStorage.getItem('petamigos.feedMode')), 'following');

  // Remembered across a reload.
  await page.reload();
  await page.waitForFunction(isFollowing, following.map((p) => p.id));

  // The settings screen's way: storage + event. Back to the ranked order.
  since = requests.length;
  await page.evaluate(() => {
    localStorage.setItem('petamigos.feedMode', 'foryou');
    dispatchEvent(new CustomEvent('pa:feed-mode', { detail: { mode: 'foryou' } }));
  });
  await page.waitForFunction(() => document.querySelector('#feed-mode button[data-mode="foryou"]').getAttribute('aria-pressed') === 'true');
  const back = await rankedSlice(requests, page, since);
  // The ranked list again, not the Following order. Not always identical to
  // the first: the posts seen in between were learned (skips and dwells when
  // each list was replaced), which can move a few of them.
  assert.notDeepEqual(back.slice(0, 5), following.slice(0, 5).map((p) => p.id));
  const top = new Set(ranked.slice(0, 10));
  assert.ok(back.slice(0, 5).filter((id) => top.has(id)).length >= 4, `${back.slice(0, 5)} vs ${ranked.slice(0, 10)}`);
  await page.waitForFunction((id) => document.querySelector('#mirror > article')?.dataset.id === id, back[0]);
  assertTasteNeverSent(requests);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"Why am I seeing this?" shows the post\'s reasons; "Not interested" hides it', async () => {
  const { context, page, problems, requests } = await open({ seed: 7 });
  const ranked = await rankedSlice(requests, page);
  const first = ranked[0];
  await page.focus(`#mirror > article[data-id="${first}"] button[data-control="why"]`);
  assert.equal(await page.textContent(`#mirror > article[data-id="${first}"] button[data-control="why"]`), 'Why am I seeing this?');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#why-dialog[open]');
  const reasons = await page.$$eval('#why-reasons li', (lis) => lis.map((li) => [li.dataset.code, li.textContent]));
  assert.ok(reasons.length >= 1 && reasons.length <= 4, JSON.stringify(reasons));
  for (const [code, text] of reasons) {
    assert.ok(['similar', 'author', 'following', 'new', 'popular', 'exploring', 'sponsored'].includes(code), code);
    assert.ok(text.length > 5 && !text.startsWith('rank.'), text);
  }
  assert.match(await page.textContent('#why-note'), /device/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'why-close');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#why-dialog:not([open])', { state: 'attached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.control), 'why', 'focus goes back');

  // Not interested: gone from the feed at once, learned (stored), and ranked out after a reload.
  await page.focus(`#mirror > article[data-id="${first}"] button[data-control="not-interested"]`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => !document.querySelector(`#mirror > article[data-id="${id}"]`), first);
  await page.waitForTimeout(600);
  assert.notEqual(await storedTaste(page), null);
  const since = requests.length;
  await page.reload();
  const after = await rankedSlice(requests, page, since);
  assert.ok(!after.includes(first), 'a hidden post is never ranked again');
  assertTasteNeverSent(requests);
  assert.deepEqual(problems, []);
  await context.close();
});

// The switch and the dialog are ours: axe finds nothing serious with the
// dialog open, in light and dark, at phone and desktop sizes.
const axeSource = (await import('node:fs')).readFileSync(
  (await import('node:module')).createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe: the feed switch and "why" dialog (${name}, ${colorScheme})`, async () => {
      const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true, serviceWorkers: 'block' });
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(server.url);
      await page.locator('#mirror article').first().waitFor({ state: 'attached' });
      await page.focus('#mirror article button[data-control="why"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#why-dialog[open]');
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
      // The switch's buttons show where the focus is.
      await page.keyboard.press('Escape');
      await page.focus('#feed-mode button[data-mode="following"]');
      const outline = await page.$eval('#feed-mode button[data-mode="following"]', (b) => getComputedStyle(b).outlineStyle);
      assert.notEqual(outline, 'none');
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}
