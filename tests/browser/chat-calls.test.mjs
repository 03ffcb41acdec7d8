// 1:1 calls in Chromium (web/README.md "Calls"): two people (demo accounts
// Ana and Kenji) in two contexts with Chromium's fake camera and microphone
// (--use-fake-device-for-media-stream --use-fake-ui-for-media-stream), a real
// server and a real coturn (scripts/turn --test). A video call from the chat
// header, answered from the ringing dialog by keyboard: both sides decode
// video (getStats inbound-rtp framesDecoded grows), mute stops the audio the
// other side receives (its totalAudioEnergy stops growing, and grows again
// on unmute), hang-up ends both. The same call with both sides set to relay
// only (iceTransportPolicy 'relay') connects through coturn: the selected
// candidate pair is relay on both sides. A declined call and a missed one
// (the caller gives up while it rings: a notice in the callee's
// conversation). The server's record holds who, whom, when and how it
// ended; its database and WAL hold no SDP and no candidate (searched for the
// DTLS fingerprints, ICE ufrags and candidate lines). axe on the dialog
// ringing and in a call. Kenji's second browser is linked to his account
// first (issue 22: only listed devices are called), and Ana's screen asks
// before calling his changed set of devices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { DEMO, press, withArg } from '../lib/app.mjs';
import { startServer } from '../lib/server.mjs';
import { startTurn } from '../lib/turn.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const secrets = new Set(); // SDP and candidate text seen in the calls, for the database check

let turn, server, browser, ana, kenji;
const started = Date.now();

before(async () => {
  turn = await startTurn();
  server = await startServer({ env: turn.env });
  browser = await launchBrowser({ args: FAKE_MEDIA });
  ana = await person('ana');
  kenji = await person('kenji');
  // Both open the conversation: their devices exist, their engines run.
  await kenji.page.goto(`${server.url}chat/${ana.user.id}`);
  await kenji.page.getByRole('heading', { name: ana.user.name }).waitFor();
  await ana.page.goto(`${server.url}chat/${kenji.user.id}`);
  await ana.page.getByRole('heading', { name: kenji.user.name }).waitFor();
  await waitDevices(kenji.user.id);
  await waitDevices(ana.user.id);
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await turn?.stop();
    console.log(`# chat-calls: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
});

// A signed-in person in their own context. bypassCSP only so axe can be injected.
async function person(who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, serviceWorkers: 'block',
    permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_CALLS_DEBUG) page.on('console', (m) => console.log(who, m.type(), m.text()));
  await page.goto(server.url);
  const user = await page.evaluate(async ([email, password]) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return (await r.json()).user;
  }, [DEMO[who].email, DEMO[who].password]);
  assert.ok(user?.id, `${who} signed in`);
  return { context, page, problems, user };
}

async function waitDevices(user) {
  for (let i = 0; i < 600; i++) { // hang guard only
    const r = await ana.page.evaluate(async (u) => (await (await fetch(`/api/v1/users/${u}/chat-devices`)).json()).devices?.length ?? 0, user);
    if (r > 0) return;
    await ana.page.waitForTimeout(100);
  }
  throw new Error(`${user} never registered a chat device`);
}

// The page's call, as calls.js has it: state, reason, and getStats boiled down.
function callState(page) {
  return page.evaluate(async () => {
    const { currentCall } = await import('/chat/calls.js');
    const c = currentCall();
    if (!c) return null;
    const out = { id: c.id, state: c.state, role: c.role, signalled: !!c.signalled, video: c.video, muted: c.muted, local: c.pc?.localDescription?.sdp ?? '',
      remote: c.pc?.remoteDescription?.sdp ?? '' };
    if (c.pc) {
      const stats = [...(await c.pc.getStats()).values()];
      const inbound = (kind) => stats.find((s) => s.type === 'inbound-rtp' && s.kind === kind) ?? {};
      out.framesDecoded = inbound('video').framesDecoded ?? 0;
      out.audioEnergy = inbound('audio').totalAudioEnergy ?? 0;
      out.audioPacketsSent = stats.find((s) => s.type === 'outbound-rtp' && s.kind === 'audio')?.packetsSent ?? 0;
      const transport = stats.find((s) => s.type === 'transport');
      const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
      const cand = (id) => stats.find((s) => s.id === id) ?? {};
      out.pair = pair ? { local: cand(pair.localCandidateId).candidateType, remote: cand(pair.remoteCandidateId).candidateType } : null;
      out.candidates = stats.filter((s) => s.type === 'local-candidate' || s.type === 'remote-candidate')
        .map((s) => `${s.address ?? s.ip}:${s.port}`);
    }
    return out;
  });
}

// Polls cond(state) until it holds; a hang guard, never a timing assertion.
async function until(page, cond, what, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await callState(page);
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`waited too long for ${what}: ${JSON.stringify(s && { ...s, local: undefined, remote: undefined })}`);
    await page.waitForTimeout(200);
  }
}

function keep(s) {
  for (const sdp of [s.local, s.remote]) {
    for (const m of sdp.matchAll(/a=(fingerprint:\S+ \S+|ice-ufrag:\S+|ice-pwd:\S+|candidate:[^\r\n]+)/g)) secrets.add(m[1]);
  }
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const dialog = (page) => page.locator('dialog.call-dialog');

// Links fresh (a page showing "Link this device") to the account of existing
// (a linked device): the code it shows, typed into existing's Settings →
// Devices, as tests/browser/chat-devices.test.mjs does.
async function link(existing, fresh) {
  await fresh.getByRole('heading', { name: 'Link this device' }).waitFor();
  const code = fresh.locator('#chat-link-code');
  await code.filter({ hasText: /^lk_[1-9][0-9]* [0-9A-Z]{4}-/ }).waitFor();
  const text = await code.textContent();
  await existing.goto(`${server.url}settings#settings-devices`);
  await existing.getByLabel('Link code').fill(text);
  await existing.getByRole('button', { name: 'Link', exact: true }).click();
  await existing.getByRole('status').filter({ hasText: 'Linked.' }).waitFor();
}

// Audio energy the page receives over one window of 2.5 s (the fake
// microphone beeps about once a second, so any window holds sound when it flows).
async function energyOver(page) {
  const a = (await callState(page)).audioEnergy;
  await page.waitForTimeout(2500);
  return (await callState(page)).audioEnergy - a;
}

const relayOnly = (page, on) => page.evaluate(async (v) => (await import('/chat/calls.js')).setRelayOnly(v), on);

test('a video call: both decode video, mute silences the caller, hang-up ends both', { timeout: 180_000 }, async () => {
  await press(ana.page.getByRole('button', { name: 'Video call' }));
  // Kenji's screen rings: the dialog, Accept focused.
  await dialog(kenji.page).getByRole('heading', { name: new RegExp(`${ana.user.name}\\W* is calling you`) }).waitFor();
  assert.deepEqual(await axe(kenji.page), [], 'ringing dialog');
  const accept = dialog(kenji.page).getByRole('button', { name: 'Accept' });
  assert.equal(await accept.evaluate((b) => b === document.activeElement), true, 'Accept has the focus');
  await kenji.page.keyboard.press('Enter');

  const a = await until(ana.page, (s) => s?.state === 'active' && s.framesDecoded > 10, 'Ana decoding video');
  const k = await until(kenji.page, (s) => s?.state === 'active' && s.framesDecoded > 10, 'Kenji decoding video');
  await until(ana.page, (s) => s.framesDecoded > a.framesDecoded + 10, 'Ana\'s frames to keep coming');
  await until(kenji.page, (s) => s.framesDecoded > k.framesDecoded + 10, 'Kenji\'s frames to keep coming');
  keep(await callState(ana.page));
  assert.match(a.local, /a=fingerprint:sha-256 /, 'the DTLS fingerprint travels in the (encrypted) offer');
  assert.deepEqual(await axe(ana.page), [], 'in-call dialog');

  // The output choice where the browser has setSinkId (Chromium does).
  const output = dialog(ana.page).getByLabel('Sound output');
  await output.waitFor();
  assert.equal(await output.locator('option').first().textContent(), 'Default');

  // Sound flows, then Ana mutes: Kenji receives none (while packets still flow), then unmutes.
  await until(kenji.page, (s) => s.audioEnergy > 0, 'sound at Kenji');
  const loud = await energyOver(kenji.page);
  assert.ok(loud > 0, 'sound flows before mute');
  await press(dialog(ana.page).getByRole('button', { name: 'Mute' }));
  assert.equal(await dialog(ana.page).getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'), 'true');
  // (A muted track sends silence: its energy is nil next to the beeps'.)
  let silent = 0;
  for (let i = 0; i < 10 && silent < 2; i++) silent = (await energyOver(kenji.page)) < loud / 100 ? silent + 1 : 0;
  assert.equal(silent, 2, 'two windows in a row with no sound at Kenji after mute');
  const sent = (await callState(ana.page)).audioPacketsSent;
  await until(ana.page, (s) => s.audioPacketsSent > sent, 'the muted side still sending (silence), not cut off');
  await press(dialog(ana.page).getByRole('button', { name: 'Unmute' }));
  let back = 0;
  for (let i = 0; i < 10 && back < loud / 2; i++) back = await energyOver(kenji.page);
  assert.ok(back >= loud / 2, 'sound again after unmute');

  // Camera off and on (a pressed toggle), then Kenji hangs up: both end.
  await press(dialog(ana.page).getByRole('button', { name: 'Turn camera off' }));
  assert.equal(await dialog(ana.page).getByRole('button', { name: 'Turn camera on' }).getAttribute('aria-pressed'), 'true');
  await press(dialog(kenji.page).getByRole('button', { name: 'Hang up' }));
  await until(kenji.page, (s) => s === null, 'Kenji\'s call to end');
  await until(ana.page, (s) => s === null, 'Ana\'s call to end');
  await dialog(ana.page).getByRole('status').filter({ hasText: 'Call ended' }).waitFor();
  assert.deepEqual([...ana.problems, ...kenji.problems], []);
});

test('relay only: the same call through the real coturn connects over a relay pair', { timeout: 180_000 }, async () => {
  await relayOnly(ana.page, true);
  await relayOnly(kenji.page, true);
  await dialog(ana.page).waitFor({ state: 'hidden' });
  await press(ana.page.getByRole('button', { name: 'Video call' }));
  await dialog(kenji.page).getByRole('button', { name: 'Accept' }).click();
  const a = await until(ana.page, (s) => s?.state === 'active' && s.framesDecoded > 10 && s.pair, 'a relayed call at Ana');
  const k = await until(kenji.page, (s) => s?.state === 'active' && s.framesDecoded > 10 && s.pair, 'a relayed call at Kenji');
  assert.deepEqual(a.pair, { local: 'relay', remote: 'relay' });
  assert.deepEqual(k.pair, { local: 'relay', remote: 'relay' });
  assert.doesNotMatch(a.local, /typ host/, 'relay only: no host candidate offered');
  keep(a);
  keep(k);
  await press(dialog(ana.page).getByRole('button', { name: 'Hang up' }));
  await until(kenji.page, (s) => s === null, 'Kenji\'s call to end');
  await until(ana.page, (s) => s === null, 'Ana\'s call to end');
  await relayOnly(ana.page, false);
  await relayOnly(kenji.page, false);
});

test('declined, and missed: the caller hears it was declined; a call given up while ringing is a missed call', { timeout: 120_000 }, async () => {
  await dialog(ana.page).waitFor({ state: 'hidden' });
  await press(ana.page.getByRole('button', { name: 'Call', exact: true }));
  await dialog(kenji.page).getByRole('button', { name: 'Decline' }).waitFor();
  await press(dialog(kenji.page).getByRole('button', { name: 'Decline' }));
  await dialog(ana.page).getByRole('status').filter({ hasText: /declined the call/ }).waitFor();
  assert.equal(await callState(ana.page), null);

  await dialog(ana.page).waitFor({ state: 'hidden' });
  await dialog(kenji.page).waitFor({ state: 'hidden' });
  await press(ana.page.getByRole('button', { name: 'Call', exact: true }));
  await dialog(kenji.page).getByRole('button', { name: 'Accept' }).waitFor();
  // Ana gives up (Escape hangs up); Kenji's ring stops and his conversation says so.
  await ana.page.keyboard.press('Escape');
  await until(kenji.page, (s) => s === null, 'Kenji\'s ringing to stop');
  const missed = kenji.page.locator('.chat-log li.chat-call', { hasText: withArg('Missed call from ', ana.user.name) });
  await missed.waitFor();

  // Called while offline and given up before he is back: the relay keeps the
  // (encrypted) offer and end for him, and he finds a second missed call.
  await dialog(ana.page).waitFor({ state: 'hidden' });
  await kenji.context.setOffline(true);
  await kenji.page.locator('.chat-note', { hasText: 'You are offline' }).waitFor();
  await press(ana.page.getByRole('button', { name: 'Call', exact: true }));
  await until(ana.page, (s) => s?.state === 'calling' && s.signalled, 'Ana\'s offer to go out');
  await press(dialog(ana.page).getByRole('button', { name: 'Hang up' }));
  await until(ana.page, (s) => s === null, 'Ana to give up');
  await kenji.context.setOffline(false);
  for (let i = 0; i < 600 && await missed.count() < 2; i++) await kenji.page.waitForTimeout(100); // hang guard only
  assert.equal(await missed.count(), 2);
  assert.equal(await callState(kenji.page), null, 'nothing rings on');
  // What failed to load while Kenji was offline is expected; nothing else.
  kenji.problems.splice(0, Infinity, ...kenji.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p)));
  assert.deepEqual([...ana.problems, ...kenji.problems], []);
});

test('two devices of the callee ring; the first to accept wins, the other hears it was answered elsewhere', { timeout: 120_000 }, async () => {
  const kenji2 = await person('kenji');
  try {
    // A second browser of Kenji's chats (and rings) only once linked to his
    // account: its code typed into Settings → Devices on his first device.
    await kenji2.page.goto(`${server.url}chat/${ana.user.id}`);
    await link(kenji.page, kenji2.page);
    await kenji2.page.getByRole('heading', { name: ana.user.name, exact: true }).waitFor();
    await kenji.page.goto(`${server.url}chat/${ana.user.id}`);
    await kenji.page.getByRole('heading', { name: ana.user.name, exact: true }).waitFor();
    await dialog(ana.page).waitFor({ state: 'hidden' });
    // Kenji's devices changed: Ana's screen asks before the offer is encrypted
    // to the new one (identity.js), and she calls anyway.
    await press(ana.page.getByRole('button', { name: 'Call', exact: true }));
    await press(ana.page.getByRole('dialog').getByRole('button', { name: 'Send anyway' }));
    await dialog(kenji.page).getByRole('button', { name: 'Accept' }).waitFor();
    await dialog(kenji2.page).getByRole('button', { name: 'Accept' }).waitFor();
    await press(dialog(kenji2.page).getByRole('button', { name: 'Accept' }));
    await until(ana.page, (s) => s?.state === 'active', 'Ana connected to the second device');
    await until(kenji2.page, (s) => s?.state === 'active', 'the second device connected');
    await dialog(kenji.page).getByRole('status').filter({ hasText: 'Answered on another of your devices' }).waitFor();
    assert.equal(await callState(kenji.page), null, 'the first device stopped ringing');
    await press(dialog(ana.page).getByRole('button', { name: 'Hang up' }));
    await until(kenji2.page, (s) => s === null, 'the second device\'s call to end');
    assert.deepEqual(kenji2.problems, []);
  } finally {
    await kenji2.context.close();
  }
});

test('glare: both call each other at once, and exactly one call connects', { timeout: 120_000 }, async () => {
  await dialog(ana.page).waitFor({ state: 'hidden' });
  await dialog(kenji.page).waitFor({ state: 'hidden' });
  await Promise.all([press(ana.page.getByRole('button', { name: 'Call', exact: true })),
    press(kenji.page.getByRole('button', { name: 'Call', exact: true }))]);
  const a = await until(ana.page, (s) => s?.state === 'active', 'Ana in a call');
  const k = await until(kenji.page, (s) => s?.state === 'active', 'Kenji in a call');
  assert.equal(a.id, k.id, 'the same call on both sides');
  assert.notEqual(a.role, k.role, 'one calls, the other answers');
  await press(dialog(kenji.page).getByRole('button', { name: 'Hang up' }));
  await until(ana.page, (s) => s === null, 'Ana\'s call to end');
  assert.deepEqual([...ana.problems, ...kenji.problems], []);
});

test('busy: a third person calling someone in a call hears so, and the call goes on', { timeout: 120_000 }, async () => {
  const priya = await person('priya');
  try {
    await priya.page.goto(`${server.url}chat/${kenji.user.id}`);
    await priya.page.getByRole('heading', { name: kenji.user.name }).waitFor();
    await dialog(ana.page).waitFor({ state: 'hidden' });
    await dialog(kenji.page).waitFor({ state: 'hidden' });
    await press(ana.page.getByRole('button', { name: 'Call', exact: true }));
    await press(dialog(kenji.page).getByRole('button', { name: 'Accept' }));
    const k = await until(kenji.page, (s) => s?.state === 'active', 'Kenji in a call with Ana');
    await press(priya.page.getByRole('button', { name: 'Call', exact: true }));
    await dialog(priya.page).getByRole('status').filter({ hasText: withArg('', kenji.user.name, ' is in another call') }).waitFor();
    assert.equal(await callState(priya.page), null);
    const still = await callState(kenji.page);
    assert.deepEqual([still.id, still.state], [k.id, 'active'], 'Kenji\'s call with Ana goes on');
    await press(dialog(ana.page).getByRole('button', { name: 'Hang up' }));
    await until(kenji.page, (s) => s === null, 'Kenji\'s call to end');
    assert.deepEqual(priya.problems, []);
  } finally {
    await priya.context.close();
  }
});

test('the server keeps who called whom, when and how it ended; its database and WAL hold no SDP and no candidate', async () => {
  // The record: six calls by Ana to Kenji, in order, each ended as it did, the glare's two, then the busy test's two.
  const db = path.join(server.dir, 'petamigos.db');
  const num = (id) => Number(id.slice(2));
  let rows = '';
  for (let i = 0; i < 100; i++) { // the last end is posted as the call closes: wait for it (hang guard only)
    rows = execFileSync('sqlite3', ['-cmd', '.timeout 10000', db,
      'SELECT caller, callee, started_at > 0, ended_at >= started_at, state FROM calls ORDER BY id']).toString().trim();
    if (!rows.includes('ringing') && rows.split('\n').length === 10) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pair = `${num(ana.user.id)}|${num(kenji.user.id)}|1|1`;
  const list = rows.split('\n');
  assert.deepEqual(list.slice(0, 6),
    [`${pair}|answered`, `${pair}|answered`, `${pair}|declined`, `${pair}|ended`, `${pair}|ended`, `${pair}|answered`]);
  // Glare: each recorded a call; the one kept was answered, the one dropped ended.
  const back = `${num(kenji.user.id)}|${num(ana.user.id)}|1|1`;
  assert.deepEqual(list.slice(6, 8).map((r) => r.split('|')).map((r) => r.slice(0, 2).join('|')).sort(),
    [pair.split('|').slice(0, 2).join('|'), back.split('|').slice(0, 2).join('|')].sort());
  assert.deepEqual(list.slice(6, 8).map((r) => r.split('|')[4]).sort(), ['answered', 'ended']);
  // Busy: Ana's call answered, Priya's recorded as missed.
  const priya = execFileSync('sqlite3', [db, "SELECT id FROM users WHERE email = 'priya@demo.petamigos.test'"]).toString().trim();
  assert.deepEqual(list.slice(8), [`${pair}|answered`, `${priya}|${num(kenji.user.id)}|1|1|missed`]);
  assert.ok(secrets.size > 4, 'fingerprints, ufrags and candidates collected');
  const files = [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f));
  for (const s of secrets) {
    for (const bytes of files) assert.equal(bytes.indexOf(s), -1, `the database holds "${s.slice(0, 40)}"`);
  }
  for (const bytes of files) {
    assert.equal(bytes.indexOf('a=fingerprint'), -1);
    assert.equal(bytes.indexOf('v=0\r\n'), -1);
  }
});
