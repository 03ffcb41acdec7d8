// Lives in Chromium, the Done-when (issue 24, web/README.md "Live"):
// one server, one Janus (scripts/janus --test) and one coturn for the file,
// Chromium's fake camera and microphone. Bea goes live from /live/new (the
// broadcaster's own screen); five viewers open /live/live_N and each decodes
// video (getStats framesDecoded grows, read from the page's own watch:
// tests/lib/hooks.mjs); a heart and a comment from one viewer reach Bea and
// the four others; a Janus session opened from a viewer's page with no token
// is refused by Janus itself; Bea blocks one viewer, whose screen says so;
// Bea ends and keeps the live: every viewer says "ended", the replay worker
// makes the recording a reel (GET /reels lists it with its replay) and the
// ended screen's player plays it (currentTime grows). Then a second live is
// ended by a moderator from the console's Lives tab, its viewer told so;
// a browser without RTCPeerConnection gets its message; an unknown live its
// not-found page. Keyboard and axe on the viewer and the console's tab.
// In the PostgreSQL pass (PA_TEST_DATABASE=postgresql) the server runs on a
// database of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { plain, screenBuilt } from '../lib/app.mjs';
import { liveWatchStats } from '../lib/hooks.mjs';
import { startJanus } from '../lib/janus.mjs';
import { loadCore } from '../lib/core.mjs';
import { ROOT, SERVER, SITE } from '../lib/paths.mjs';
import { createDatabase, databaseUrl, dropDatabase } from '../lib/pg.mjs';
import { startServer } from '../lib/server.mjs';
import { startTurn } from '../lib/turn.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const VIEWERS = Number(process.env.PA_LIVE_VIEWERS ?? 5);
const WAIT_MS = 60_000; // hang guard for each wait, never a timing assertion

// The catalogs' words as the page shows them (English), through the WASM core.
const { wasmI18n } = await import(path.join(SITE, 'i18n-wasm.js'));
const i18n = wasmI18n(await loadCore());
const en = i18n.loadCatalog('en', readFileSync(path.join(ROOT, 'locales', 'en.json'), 'utf8'));
const words = (key, args) => plain(i18n.text(en, en, key, args));

let janus, turn, server, browser, database;
const started = Date.now();
let serial = 0;
const mail = (tag) => `${tag}.${process.pid}.${++serial}@example.test`;

before(async () => {
  if (process.env.PA_TEST_DATABASE === 'postgresql') database = (await createDatabase('pa_live_browser')).name;
  janus = await startJanus({ instances: 1 });
  turn = await startTurn();
  server = await startServer({ seed: false,
    env: { ...janus.env, ...turn.env, ...(database ? { PA_DATABASE_URL: databaseUrl(database) } : {}) } });
  browser = await launchBrowser({ args: FAKE_MEDIA });
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    try {
      await server?.stop();
    } finally {
      await turn?.stop();
      await janus?.stop();
      if (database) await dropDatabase(database);
      console.log(`# live (browser): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
});

const port = () => Number(new URL(server.url).port);

// Someone new (an API client signed up) with a browser page on their session.
// camera: the broadcaster's context may use the fake devices; noRtc: a
// browser without RTCPeerConnection.
async function person(tag, name, { camera = false, noRtc = false } = {}) {
  const api = new Client({ port: port() });
  const email = mail(tag);
  const user = await api.signup(email, undefined, name);
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true, serviceWorkers: 'block' });
  if (camera) await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
  if (noRtc) await context.addInitScript(() => { delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection; });
  await context.addCookies([{ name: 'pa_session', value: api.cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_LIVE_DEBUG) page.on('console', (m) => console.log(tag, m.type(), m.text()));
  return { api, user, email, context, page, problems };
}

// A request from the person's page (their cookie, their CSRF token): the live
// routes are read as the shell reads them → {status, body}.
const call = (who, method, url, body) => who.page.evaluate(async ([m, u, b]) => {
  const { csrf_token: csrf } = await (await fetch('/api/v1/auth/session')).json();
  const r = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: b === undefined ? undefined : JSON.stringify(b) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}, [method, url, body]);

async function visit(page, pathname) {
  await page.goto(new URL(pathname, server.url).href);
  await screenBuilt(page);
}

// Waits until an element matching selector reads exactly want (isolates ignored).
const said = (page, selector, want) => page.waitForFunction(([sel, t]) =>
  [...document.querySelectorAll(sel)].some((n) => n.textContent.replace(/[\u2066-\u2069]/g, '').trim() === t), [selector, want], { timeout: WAIT_MS });
async function viewerState(page, state) {
  try {
    await page.waitForFunction((s) => document.querySelector('.live-viewer')?.dataset.state === s, state, { timeout: WAIT_MS });
  } catch (e) {
    const now = await page.evaluate(() => `${document.querySelector('.live-viewer')?.dataset.state}: ${document.querySelector('.live-state')?.textContent}`);
    throw new Error(`never ${state} (${now}; watch ${JSON.stringify(await liveWatchStats(page))}): ${e.message}`);
  }
}

// Polls ask() until it returns something truthy (a hang guard, not a timing assertion).
async function until(what, ask) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const got = await ask();
    if (got) return got;
    if (Date.now() > end) throw new Error(`waited too long for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// framesDecoded grows on the page's watch: read once it decodes, then again higher.
async function decodes(page, who) {
  const first = await until(`${who} decoding`, async () => {
    const s = await liveWatchStats(page);
    return s && s.framesDecoded > 0 ? s : null;
  });
  await until(`${who}'s framesDecoded growing past ${first.framesDecoded}`, async () =>
    (await liveWatchStats(page)).framesDecoded > first.framesDecoded);
}

async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(bad, [], `axe: ${what}`);
}

// The broadcaster goes live from their own screen (screens/live-new.js) → the live's id, on air.
async function goLive(host, title) {
  await visit(host.page, '/live/new');
  await host.page.locator('#live-title').fill(title);
  const created = host.page.waitForResponse((r) => r.url().endsWith('/api/v1/lives') && r.request().method() === 'POST');
  await host.page.locator('button.live-go:enabled').click({ timeout: WAIT_MS });
  const made = await (await created).json();
  const lv = made.live?.id;
  assert.ok(lv, `POST /lives answered ${JSON.stringify(made)}\n${server.log().slice(-3000)}`);
  assert.match(lv, /^live_[1-9][0-9]*$/);
  await until(`${lv} on air`, async () => (await call(host, 'GET', `/api/v1/lives/${lv}`)).body.state === 'live');
  return lv;
}

test('a live with five viewers: video on each, a heart and a comment reach everyone, no token no Janus, a block, end and the replay plays',
  { timeout: 180_000 }, async () => {
    const bea = await person('bea', 'Bea Host', { camera: true });
    const pet = await bea.api.post('/api/v1/pets', { name: 'Luna', species: 'dog' });
    assert.equal(pet.status, 201, JSON.stringify(pet.body));
    const lv = await goLive(bea, 'Luna at the beach');

    // Five viewers, each decoding video from the SFU.
    const viewers = [];
    for (let i = 1; i <= VIEWERS; i++) viewers.push(await person(`v${i}`, `Viewer ${i}`));
    await Promise.all(viewers.map(async (v) => {
      await visit(v.page, `/live/${lv}`);
      await viewerState(v.page, 'playing');
    }));
    for (const [i, v] of viewers.entries()) await decodes(v.page, `viewer ${i + 1}`);
    const [v1, ...others] = viewers;
    // The broadcaster sees five viewers (the socket hub counts people joined).
    await said(bea.page, '.live-viewers', words('live.kit.viewers', { count: VIEWERS, shown: String(VIEWERS) }));
    await axe(v1.page, 'the viewer playing');

    // A heart from viewer 1, by keyboard: Bea and the four others count it.
    await v1.page.locator('.live-heart').focus();
    await v1.page.keyboard.press('Enter');
    const oneHeart = words('live.kit.hearts', { count: 1, shown: '1' });
    await said(bea.page, '.live-hearts', oneHeart);
    for (const v of others) await said(v.page, '.live-hearts', oneHeart);

    // A comment from viewer 1 (typed, sent with Enter): in Bea's log and every other viewer's.
    const text = '¡Hola Luna! 🐶 <b>not markup</b>';
    await v1.page.locator('#live-comment').fill(text);
    await v1.page.locator('#live-comment').press('Enter');
    for (const p of [v1.page, bea.page, ...others.map((v) => v.page)]) await said(p, '.live-comments .live-comment-text', text);
    assert.equal(await v1.page.locator('#live-comment').inputValue(), '', 'the sent comment leaves the box');
    assert.equal(await bea.page.locator('.live-comments b').count(), 0, 'a comment is text, never markup');

    // No token, no Janus: a session opened from a viewer's page with our own client is refused by Janus.
    const { ws } = janus.instances[0];
    const refused = await v1.page.evaluate(async (url) => {
      const { openJanus } = await import('/live/janus.js');
      try {
        const s = await openJanus({ url, token: '' });
        s.close();
        return null;
      } catch (e) {
        return { code: e.code, reason: e.reason };
      }
    }, ws);
    assert.equal(refused?.code, 403, `Janus let a session without a token in: ${JSON.stringify(refused)}`);
    assert.match(refused.reason, /unauthorized/i);

    // Bea blocks viewer 5 from this live: their screen says so and the video stops.
    const v5 = viewers[VIEWERS - 1];
    const blocked = await call(bea, 'POST', `/api/v1/lives/${lv}/blocks`, { person: v5.user.id });
    // The contract says 204; lapi's route answers 200 {ok: true}: either is the block taking.
    assert.ok([200, 204].includes(blocked.status), JSON.stringify(blocked));
    await viewerState(v5.page, 'blocked');
    await said(v5.page, '.live-state', words('live.view.blocked'));
    assert.equal(await liveWatchStats(v5.page), null, 'a blocked viewer\'s video stopped');
    assert.equal((await call(v5, 'POST', `/api/v1/lives/${lv}/watch`, {})).status, 403, 'and the server refuses them a new token');

    // Bea ends and keeps it: every viewer still there says "ended".
    await bea.page.locator('button.live-end').click();
    const ended = bea.page.waitForResponse((r) => r.url().endsWith(`/api/v1/lives/${lv}/end`));
    await bea.page.locator('dialog.live-end-dialog[open] .live-end-actions button').first().click();
    assert.equal((await ended).status(), 200);
    for (const v of viewers.slice(0, VIEWERS - 1)) {
      await viewerState(v.page, 'ended');
      await said(v.page, '.live-ended h2', words('live.view.endedTitle'));
      await said(v.page, '.live-ended-reason', words('live.kit.ended.owner'));
      assert.equal(await liveWatchStats(v.page), null, 'the video stopped');
    }

    // The replay: a reel in GET /reels with its replay, playing in the ended screen's player.
    const reel = await until('the replay reel', async () => {
      const r = await call(v1, 'GET', '/api/v1/reels');
      return r.body.reels?.find((x) => x.replay?.live === lv) ?? null;
    });
    assert.ok(reel.replay.duration_ms > 0, JSON.stringify(reel.replay));
    const player = v1.page.locator('.live-ended video.live-replay-player');
    await player.waitFor({ timeout: WAIT_MS });
    assert.equal(await v1.page.locator('.live-ended video source').first().getAttribute('src'), reel.sources?.[0]?.url ?? reel.video.url);
    const t0 = await player.evaluate(async (video) => {
      video.muted = true;
      await video.play();
      return video.currentTime;
    });
    await v1.page.waitForFunction(([t]) => document.querySelector('video.live-replay-player').currentTime > t + 0.5, [t0], { timeout: WAIT_MS });
    await axe(v1.page, 'the ended live with its replay');

    // Expected refusals only: the broadcaster's on-air retries (409 not_publishing) and the blocked viewer's 403.
    for (const p of [bea, ...viewers]) {
      assert.deepEqual(p.problems.filter((x) => !/Failed to load resource: the server responded with a status of (409|403)/.test(x)), [], 'page errors');
    }
    await Promise.all([bea, ...viewers].map((p) => p.context.close()));
  });

test('a moderator ends a live from the console; no WebRTC, no video; an unknown live is not found', { timeout: 120_000 }, async () => {
  const cam = await person('cam', 'Cam Host', { camera: true });
  assert.equal((await cam.api.post('/api/v1/pets', { name: 'Tofu', species: 'cat' })).status, 201);
  const lv = await goLive(cam, 'Tofu naps');
  const viewer = await person('w', 'Wen Viewer');
  await visit(viewer.page, `/live/${lv}`);
  await viewerState(viewer.page, 'playing');

  // Without RTCPeerConnection: the message, and no watch runs.
  const old = await person('old', 'Old Browser', { noRtc: true });
  await visit(old.page, `/live/${lv}`);
  await viewerState(old.page, 'unsupported');
  await said(old.page, '.live-state', words('live.view.unsupported'));
  await axe(old.page, 'a browser that cannot play live video');

  // An unknown live.
  await visit(old.page, '/live/live_999999999');
  await said(old.page, 'h1', words('live.view.notFoundTitle'));

  // The moderator (granted on the command line), the console's Lives tab, End with a confirmation.
  const mod = await person('mod', 'Mo Moderator');
  const env = { ...process.env, ...(database ? { PA_DATABASE_URL: databaseUrl(database) } : {}) };
  const granted = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', mod.email, 'moderator'], { env, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);
  await visit(mod.page, '/admin');
  const tab = mod.page.getByRole('tab', { name: words('live.admin.tab') });
  await tab.focus();
  await mod.page.keyboard.press('Enter');
  const row = mod.page.locator(`.admin-live[data-id="${lv}"]`);
  await row.waitFor({ timeout: WAIT_MS });
  await axe(mod.page, 'the console\'s Lives tab');
  // End names the live it ends (its label), then asks; the focus moves to the question's Cancel.
  const who = words('live.kit.who', { name: 'Cam Host', pet: 'Tofu' });
  const end = row.getByText(words('live.admin.end'), { exact: true });
  assert.equal(plain(await end.getAttribute('aria-label')), words('live.admin.endNamed', { name: who }));
  await end.focus();
  await mod.page.keyboard.press('Enter');
  await said(mod.page, `.admin-live[data-id="${lv}"] .mod-confirm p`, words('live.admin.confirm', { name: who }));
  assert.equal(plain(await mod.page.evaluate(() => document.activeElement.textContent)), words('live.admin.cancel'));
  await row.getByText(words('live.admin.yes'), { exact: true }).click();
  await said(mod.page, '.admin-lives-status', words('live.admin.ended', { name: who }));
  assert.equal(await mod.page.locator(`.admin-live[data-id="${lv}"]`).count(), 0, 'gone from the list');

  await viewerState(viewer.page, 'ended');
  await said(viewer.page, '.live-ended-reason', words('live.kit.ended.moderator'));
  await said(viewer.page, '.live-ended p', words('live.view.noReplay'));
  const endedLive = (await call(cam, 'GET', `/api/v1/lives/${lv}`)).body;
  assert.deepEqual([endedLive.state, endedLive.end_reason, endedLive.replay], ['ended', 'moderator', null]);

  // Someone without a role gets 403 from the route the tab reads.
  assert.equal((await call(viewer, 'GET', '/api/v1/admin/lives')).status, 403);
  await Promise.all([cam, viewer, old, mod].map((p) => p.context.close()));
});
