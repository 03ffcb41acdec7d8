// The slow suite's 10-minute live (issue 24, run by scripts/test-live, not by
// scripts/test): Ana goes live from the /live/new screen in Chromium with the
// fake camera and microphone, through the real server, Janus (scripts/janus
// --test) and coturn; the live runs its full 10 minutes by the server's own
// clock (ended once the server's Live says started_at + 600 s has passed,
// found by polling with a deadline), is kept, and the replay reel appears
// with a length of 600 s give or take a few seconds: in GET /reels (its
// replay.duration_ms, and the file itself by ffprobe) and playing in the live
// screen's player and in a plain <video>.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { startTurn } from '../lib/turn.mjs';
import { startJanus } from '../lib/janus.mjs';
import { DEMO } from '../lib/app.mjs';

const run = promisify(execFile);
const LIVE_S = 600; // the live's own length: the 10 minutes of the issue
// The replay covers publishing (from a moment before on-air) to the end (a
// moment after started_at + 600 s): a few seconds either way.
const LENGTH_SLACK_MS = 5000;
const POLL_MS = 1000; // how often the server's Live is asked while waiting
// Deadlines, far past what each step needs, so a hang fails naming the step.
const START_DEADLINE_MS = 120000;
const LIVE_DEADLINE_MS = (LIVE_S + 180) * 1000;
const REPLAY_DEADLINE_MS = 600000;
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

let janus, turn, server, browser, context, page, problems;

before(async () => {
  janus = await startJanus({ instances: 1 });
  turn = await startTurn();
  server = await startServer({ env: { ...janus.env, ...turn.env } });
  browser = await launchBrowser({ args: FAKE_MEDIA });
  context = await browser.newContext({ viewport: { width: 430, height: 900 } });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(server.url).origin });
  page = await context.newPage();
  problems = watchPage(page);
  await page.goto(server.url);
  await page.evaluate(async ({ email, password }) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (!r.ok) throw new Error(`login ${r.status}`);
  }, DEMO.ana);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await turn?.stop();
  await janus?.stop();
});

// GET from the page (Ana's session): the parsed body of a 200.
const get = (url) => page.evaluate(async (u) => {
  const r = await fetch(`/api/v1${u}`);
  if (!r.ok) throw new Error(`GET ${u}: ${r.status}`);
  return r.json();
}, url);

// Asks `ask` every POLL_MS until it returns something truthy; fails past the deadline.
async function pollUntil(what, deadlineMs, ask) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const got = await ask();
    if (got) return got;
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((ok) => setTimeout(ok, POLL_MS));
  }
}

const seconds = (t) => Date.parse(t) / 1000;

test('a 10-minute live from /live/new, kept, becomes a replay reel of 600 s that plays', { timeout: 40 * 60000 }, async () => {
  await page.goto(`${server.url}live/new`);
  // The screen's own elements (screens/live-new.js): the title field, Go live
  // (enabled once the fake camera's preview runs), End, the end dialog.
  const title = page.locator('#live-title');
  await title.waitFor();
  await title.fill('Ten minutes with Luna');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/lives') && r.request().method() === 'POST');
  await page.locator('button.live-go:enabled').click();
  const made = await (await created).json();
  const lv = made.live.id;
  assert.match(lv, /^live_\d+$/);

  // On air by the server's word (the screen posts on-air once Janus has the feed).
  const onAir = await pollUntil(`${lv} on air`, START_DEADLINE_MS, async () => {
    const l = await get(`/lives/${lv}`);
    return l.state === 'live' && l.started_at ? l : null;
  });
  const endAt = seconds(onAir.started_at) + LIVE_S;

  // The live's own 10 minutes, by the server's clock: the Live is asked until
  // started_at + 600 s has passed; it must stay live all along (the watchdog
  // ends a live whose feed is gone: reason lost).
  const last = await pollUntil(`${lv} live for ${LIVE_S} s`, LIVE_DEADLINE_MS, async () => {
    const l = await get(`/lives/${lv}`);
    assert.equal(l.state, 'live', `the live ended early: ${JSON.stringify(l)}`);
    return Date.now() / 1000 > endAt + 1 ? l : null;
  });
  assert.equal(last.end_reason, null);

  // End and keep, as the broadcaster does: End, then "Keep the replay" (the
  // dialog's first action).
  await page.locator('button.live-end').click();
  const ended = page.waitForResponse((r) => r.url().endsWith(`/api/v1/lives/${lv}/end`));
  await page.locator('dialog.live-end-dialog[open] .live-end-actions button').first().click();
  const endAnswer = await ended;
  assert.equal(endAnswer.status(), 200);
  assert.equal((await endAnswer.json()).state, 'ended');

  const done = await pollUntil(`${lv}'s replay ready`, REPLAY_DEADLINE_MS, async () => {
    const l = await get(`/lives/${lv}`);
    assert.notEqual(l.replay?.state, 'failed', `the replay failed: ${JSON.stringify(l)}`);
    return l.replay?.state === 'ready' ? l : null;
  });
  assert.equal(done.end_reason, 'owner');
  const recorded = done.ended_at && seconds(done.ended_at) - seconds(done.started_at);
  assert.ok(recorded >= LIVE_S, `ended ${recorded} s after started_at`);

  // GET /reels: the replay, newest first, with its length.
  const { reels } = await get('/reels');
  const reel = reels.find((r) => r.replay?.live === lv);
  assert.ok(reel, `no replay of ${lv} in GET /reels`);
  assert.equal(reel.id, done.replay.reel.id);
  assert.ok(Math.abs(reel.replay.duration_ms - LIVE_S * 1000) <= LENGTH_SLACK_MS, `duration_ms ${reel.replay.duration_ms}`);

  // The file itself says the same length.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-long-live-'));
  try {
    const res = await fetch(new URL(reel.video.url, server.url));
    assert.equal(res.status, 200);
    const file = path.join(dir, 'replay.webm');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    assert.ok(Math.abs(Number(stdout) * 1000 - LIVE_S * 1000) <= LENGTH_SLACK_MS, `ffprobe says ${stdout.trim()} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // The broadcaster's summary links the replay once it is ready; it opens the
  // live's screen, whose player (the ended live shows its replay) plays it …
  const link = page.locator(`a[href="/live/${lv}"]`);
  await link.waitFor({ timeout: 120000 });
  await link.click();
  await page.waitForURL(`**/live/${lv}`);
  const plays = (selector) => page.waitForFunction(([sel, want, slack]) => {
    const v = document.querySelector(sel);
    if (!v) return false;
    v.muted = true; // playing without a gesture needs it
    if (v.paused) v.play().catch(() => {});
    return Math.abs(v.duration * 1000 - want) <= slack && v.currentTime > 0.5 && v.readyState >= 2;
  }, [selector, LIVE_S * 1000, LENGTH_SLACK_MS], { timeout: 60000 });
  await plays('video.live-replay-player');
  // … and as the plain file GET /reels names.
  await page.evaluate((url) => {
    const v = document.createElement('video');
    v.id = 'pa-replay-check';
    v.muted = true;
    v.src = url;
    document.body.append(v);
  }, reel.video.url);
  await plays('#pa-replay-check');
  // The screen asks on-air until Janus has the feed: those 409s are the
  // protocol (Chromium logs every 4xx answer as a console error).
  assert.deepEqual(problems.filter((p) => !/status of 409/.test(p)), []);
});
