// Going live in Chromium (issue 24, contract §7; web/README.md "Live"): the
// broadcaster's screen /live/new with Chromium's fake camera and microphone,
// a real server and a real Janus (tests/lib/janus.mjs: scripts/janus --test).
// Ana goes live from Create by keyboard only (the "Go live" link, the title,
// Go live): the server's Live turns `live`, and a viewer (Kenji, a second
// context driving our own shell/live/janus.js as a VideoRoom subscriber)
// decodes frames (getStats framesDecoded grows). His comments reach her
// screen; she removes one (his side is told: live.comment_removed). Her
// Janus WebSocket is closed under her: "Reconnecting…", then on air again
// with a new feed (POST /lives/{lv}/reconnect), announced to Kenji
// (live.feed), who decodes again from it. Priya comments and is blocked from
// this live (her side gets live.blocked; watching is then refused 403). End
// → the dialog (Cancel keeps the live; Keep the replay ends it) → the
// summary with the replay's state. Someone without a pet gets a link to add
// one; a refused camera a message with a retry. axe on every state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { DEMO, plain, tabTo } from '../lib/app.mjs';
import { startServer } from '../lib/server.mjs';
import { startJanus } from '../lib/janus.mjs';
import { createDatabase, databaseUrl, dropDatabase } from '../lib/pg.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

let janus, server, browser, ana, kenji, priya, database;
const started = Date.now();

before(async () => {
  const lap = (what) => process.env.PA_LIVE_DEBUG && console.log(`# ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  janus = await startJanus({ instances: 1 });
  lap('janus');
  // The PostgreSQL pass (PA_TEST_DATABASE=postgresql): the seeded world on a database of its own.
  if (process.env.PA_TEST_DATABASE === 'postgresql') database = (await createDatabase('pa_live_bcast')).name;
  server = await startServer({ env: { ...janus.env, ...(database ? { PA_DATABASE_URL: databaseUrl(database) } : {}) } });
  lap('server');
  browser = await launchBrowser({ args: FAKE_MEDIA });
  lap('browser');
  [ana, kenji, priya] = await Promise.all([person('ana'), person('kenji'), person('priya')]);
  lap('people');
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    try {
      await server?.stop();
    } finally {
      await janus?.stop();
      if (database) await dropDatabase(database);
      console.log(`# live-broadcast: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
});

// A signed-in person in their own context (a demo account, or a new one
// when who is an object {email, password, display_name}). bypassCSP only so
// axe can be injected. Every WebSocket speaking janus-protocol is kept in
// window.__janusSockets, so the test can cut the broadcaster's.
async function person(who, { permissions = ['camera', 'microphone'] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, serviceWorkers: 'block', permissions });
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__janusSockets = [];
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        if (protocols === 'janus-protocol') window.__janusSockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_LIVE_DEBUG) page.on('response', (r) => /\/lives/.test(r.url()) && console.log(Date.now() % 100000, r.request().method(), new URL(r.url()).pathname, r.status()));
  if (process.env.PA_LIVE_DEBUG) page.on('console', (m) => console.log(typeof who === 'string' ? who : 'new', m.type(), m.text()));
  await page.goto(server.url);
  const user = await page.evaluate(async ([path, body]) => {
    const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await r.json()).user;
  }, typeof who === 'string' ? ['/api/v1/auth/login', { email: DEMO[who].email, password: DEMO[who].password }]
    : ['/api/v1/auth/signup', who]);
  assert.ok(user?.id, 'signed in');
  return { context, page, problems, user };
}

async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `axe: ${what}`);
}

const hostState = (page) => page.locator('section.live-host').getAttribute('data-state');
const waitState = (page, state) => page.waitForFunction((s) => document.querySelector('section.live-host')?.dataset.state === s, state,
  { timeout: 30000 });
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.replace(/[\u2066-\u2069]/g, '') ?? '');

// In a viewer's page: the live's socket frames (window.__frames), joined
// over the page's one socket, and a VideoRoom subscriber through our own
// janus.js on the feed the server names (POST /lives/{lv}/watch), which
// subscribes again whenever live.feed names a new one.
async function startViewer(page, live) {
  await page.evaluate(async (liveId) => {
    const { post, getSession } = await import('/api.js');
    await getSession(true); // signed in after the page loaded: the CSRF token of this session
    const { listen, send } = await import('/support/socket.js');
    const { openJanus } = await import('/live/janus.js');
    window.__frames = [];
    window.__feeds = [];
    let sub = null;
    const subscribe = async () => {
      const w = await post(`/api/v1/lives/${liveId}/watch`, {});
      if (!w.ok) {
        window.__watchRefused = w.error.status;
        return;
      }
      const j = w.data.janus;
      sub?.session.close();
      sub?.pc.close();
      const session = await openJanus({ url: j.url, token: j.token });
      const handle = await session.attach('janus.plugin.videoroom');
      const pc = new RTCPeerConnection({ iceServers: j.ice_servers });
      sub = { session, pc };
      window.__viewerPc = pc;
      window.__feeds.push(j.feed);
      pc.addEventListener('icecandidate', (e) => handle.trickle(e.candidate ?? null));
      // Janus's trickled candidates (full_trickle), once its offer is set.
      const early = [];
      let offered = false;
      const addRemote = (c) => pc.addIceCandidate(c && !c.completed ? c : undefined).catch(() => {});
      handle.on('trickle', (c) => (offered ? addRemote(c) : early.push(c)));
      const { jsep } = await handle.send({ request: 'join', ptype: 'subscriber', room: j.room, streams: [{ feed: j.feed }], token: j.join_token });
      await pc.setRemoteDescription(jsep);
      offered = true;
      for (const c of early.splice(0)) addRemote(c);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await handle.send({ request: 'start', room: j.room }, pc.localDescription);
    };
    listen({
      prefix: 'live.',
      onFrame: (f) => {
        window.__frames.push(f);
        if (f.type === 'live.feed') subscribe().catch((e) => console.error('resubscribe', e.message));
      },
      onOpen: () => send({ type: 'live.join', live: liveId }),
    });
    await subscribe();
  }, live);
}

// framesDecoded of the viewer's inbound video, now.
const decoded = (page) => page.evaluate(async () => {
  if (!window.__viewerPc) return 0;
  let n = 0;
  (await window.__viewerPc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.framesDecoded ?? 0; });
  return n;
});

// Waits until the viewer's framesDecoded passes `from` by a good margin.
async function decodesPast(page, from, what) {
  for (let i = 0; i < 300; i++) { // hang guard only: each wait is on the next sample
    if (await decoded(page) > from + 10) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: the viewer never decoded frames`);
}

const frame = (page, type, pred = '') => page.waitForFunction(([t, p]) => (window.__frames ?? []).some((f) => f.type === t && (!p || JSON.stringify(f).includes(p))),
  [type, pred], { timeout: 20000 });

const api = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const { request, getSession } = await import('/api.js');
  await getSession(true);
  const r = await request(m, p, b);
  return r.ok ? { status: r.status, data: r.data } : { status: r.error.status, code: r.error.code };
}, [method, path, body]);

test('without a pet: a link to add one; axe', async () => {
  const newcomer = await person({ email: 'newcomer-live@example.test', password: 'correct horse battery staple', display_name: 'New Comer' });
  await newcomer.page.goto(`${server.url}live/new`);
  const link = newcomer.page.getByRole('link', { name: 'Add a pet' });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), '/pets/new');
  assert.equal(await newcomer.page.getByRole('button', { name: 'Go live' }).count(), 0);
  await axe(newcomer.page, 'no pet');
  assert.deepEqual(newcomer.problems, []);
  await newcomer.context.close();
});

test('camera refused: a clear message and a retry, Go live stays off; axe', async () => {
  // A Chromium without the fake-UI flag: headless, nobody answers the
  // camera prompt, and the page is refused as when a person says Block.
  const plainBrowser = await launchBrowser({ args: ['--use-fake-device-for-media-stream'] });
  try {
    const context = await plainBrowser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, serviceWorkers: 'block' });
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(server.url);
    await page.evaluate(async ([email, password]) => fetch('/api/v1/auth/login', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) }), [DEMO.kenji.email, DEMO.kenji.password]);
    await page.goto(`${server.url}live/new`);
    const alert = page.locator('.live-camera-msg');
    await alert.waitFor();
    assert.match(plain(await alert.textContent()), /Camera and microphone are blocked/);
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.ok(await page.getByRole('button', { name: 'Go live' }).isDisabled());
    await page.getByRole('button', { name: 'Try the camera again' }).waitFor();
    await axe(page, 'camera refused');
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
  } finally {
    await plainBrowser.close();
  }
});

test('go live by keyboard, a viewer decodes, comments removed and a viewer blocked, reconnect, End → Keep → summary; axe on each state', async () => {
  const { page } = ana;
  // Create → "Go live" by keyboard.
  await page.goto(`${server.url}compose`);
  await page.getByRole('link', { name: 'Go live' }).waitFor();
  await tabTo(page, () => document.activeElement?.getAttribute('href') === '/live/new', 'the Go live link');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Go live', level: 1 }).waitFor();
  await page.waitForFunction(() => !document.querySelector('.live-go')?.disabled); // the preview runs
  assert.ok(await page.evaluate(() => document.querySelector('.live-preview').srcObject?.getVideoTracks().length === 1));
  await axe(page, 'setup');
  await tabTo(page, () => document.activeElement?.id === 'live-title', 'the title');
  await page.keyboard.type('Biscuit at the beach');
  await tabTo(page, () => document.activeElement?.classList.contains('live-go'), 'Go live');
  await page.keyboard.press('Enter');
  await waitState(page, 'live');
  assert.match(plain(await page.locator('.live-status').textContent()), /You are live/);
  const id = await page.locator('section.live-host').getAttribute('data-live');
  assert.match(id, /^live_\d+$/);
  const shown = await api(page, 'GET', `/api/v1/lives/${id}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.data.state, 'live');
  assert.equal(shown.data.title, 'Biscuit at the beach');

  // Kenji watches and decodes; he is counted.
  await startViewer(kenji.page, id);
  await frame(kenji.page, 'live.joined');
  await decodesPast(kenji.page, 0, 'first feed');
  await page.waitForFunction(() => /1/.test(document.querySelector('.live-viewers')?.textContent ?? ''));

  // His comments reach her screen; she removes one by keyboard, he is told.
  for (const text of ['Hello Biscuit!', 'Spam spam spam']) {
    await kenji.page.evaluate(async ([l, text]) => (await import('/support/socket.js')).send({ type: 'live.comment', live: l, text, nonce: text }), [id, text]);
  }
  const spam = page.locator('.live-comment', { hasText: 'Spam spam spam' });
  await spam.waitFor();
  await page.locator('.live-comment', { hasText: 'Hello Biscuit!' }).waitFor();
  await axe(page, 'on air with comments');
  await tabTo(page, () => document.activeElement?.closest('.live-comment')?.textContent.includes('Spam')
    && document.activeElement.classList.contains('live-remove'), 'Remove on the spam');
  await page.keyboard.press('Enter');
  await spam.waitFor({ state: 'detached' });
  await frame(kenji.page, 'live.comment_removed');
  assert.equal(await page.locator('.live-comment', { hasText: 'Hello Biscuit!' }).count(), 1);

  // Her Janus socket drops: "Reconnecting…" (held until seen), then a new feed on air, and Kenji decodes it.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/lives/*/reconnect', async (route) => { await held; await route.continue(); });
  const before = await decoded(kenji.page);
  await page.evaluate(() => window.__janusSockets.forEach((ws) => ws.close()));
  await waitState(page, 'reconnecting');
  assert.match(plain(await page.locator('.live-status').textContent()), /Reconnecting…/);
  await axe(page, 'reconnecting');
  release();
  await waitState(page, 'live');
  await page.unroute('**/api/v1/lives/*/reconnect');
  await frame(kenji.page, 'live.feed');
  const feeds = await kenji.page.evaluate(() => window.__feeds);
  await kenji.page.waitForFunction(() => window.__feeds.length === 2);
  assert.notEqual(feeds[0], (await kenji.page.evaluate(() => window.__feeds))[1], 'a new feed id');
  await decodesPast(kenji.page, 0, 'the new feed');
  void before;

  // Priya comments and is blocked from this live: her side is told, watching is refused.
  await startViewer(priya.page, id);
  await frame(priya.page, 'live.joined');
  await priya.page.evaluate(async (l) => (await import('/support/socket.js')).send({ type: 'live.comment', live: l, text: 'Buy followers', nonce: 'p1' }), id);
  const hers = page.locator('.live-comment', { hasText: 'Buy followers' });
  await hers.waitFor();
  const block = hers.getByRole('button', { name: 'Block from this live' });
  assert.equal(await block.evaluate((b) => b.getAttribute('aria-describedby').split(' ').map((i) => document.getElementById(i).textContent).join(' ')),
    `${DEMO.priya.name} Buy followers`, 'described by who and what');
  await block.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /can no longer watch/.test(document.querySelector('.live-action-msg')?.textContent ?? ''));
  await frame(priya.page, 'live.blocked');
  assert.equal((await api(priya.page, 'POST', `/api/v1/lives/${id}/watch`, {})).status, 403);

  // End: Cancel keeps the live, focus back on End; then Keep the replay.
  const end = page.getByRole('button', { name: 'End live' });
  await end.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog.live-end-dialog');
  await dialog.waitFor();
  assert.equal(await focusedText(page), 'Keep the replay');
  await axe(page, 'the end dialog');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), 'Cancel');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await hostState(page), 'live');
  assert.equal(await focusedText(page), 'End live');
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Enter'); // Keep the replay
  await waitState(page, 'ended');
  await frame(kenji.page, 'live.ended');
  const summary = page.locator('.live-summary');
  assert.match(plain(await summary.textContent()), /Your live has ended/);
  assert.match(plain(await summary.textContent()), /Most viewers at once: [12]/);
  assert.match(plain(await summary.locator('.live-replay').textContent()), /\S/);
  assert.equal(await focusedText(page), 'Your live has ended');
  const ended = await api(page, 'GET', `/api/v1/lives/${id}`);
  assert.equal(ended.data.state, 'ended');
  assert.equal(ended.data.end_reason, 'owner');
  assert.ok(ended.data.replay, 'kept: a replay is on its way');
  await axe(page, 'summary');
  assert.deepEqual(ana.problems.filter((p) => !/Failed to load resource/.test(p)), []);
});
