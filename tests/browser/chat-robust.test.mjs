// E2E chat that heals and holds (issue 22, item 3), in Chromium with the real
// server:
// - 300 session starts from attackers (driven from Node with the chat WASM
//   module over real WebSocket frames: 16 accounts with 5 devices each; the
//   relay refuses each account's 11th new session within the hour, and the
//   database's chat_starts rows are cleared to stand for the hour passing)
//   leave Kenji able to start a new conversation: his engine keeps at most
//   SESSIONS_PER_DEVICE sessions per attacker device and at most
//   SESSION_HANDLES open WASM handles (there are more sessions than that;
//   one closed as idle is reopened from its sealed blob when written on);
//   at the relay's limit with Ana himself, his conversation says so and the
//   message waits, then goes.
// - A message Kenji cannot decrypt (Priya's session start names a signed
//   prekey Kenji rotated away twice while it waited; the rotations happen
//   with Kenji's page clock moved 8 and 16 days on, its relay socket held
//   back) shows "Failed" for Priya, her engine re-keys by itself (new
//   session from a fresh bundle) and resends it, and it and the next one get
//   through.
// - A profile older than the relay's count of its identity seals (the count
//   raised in the database, as a restored copy would find it) stops chat and
//   says so (a new account's first device, which chats without linking).
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import WebSocket from 'ws';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser, DEMO } from '../lib/app.mjs';
import { loadCore } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';
import { Client, dbQuery, email } from '../server/helpers.mjs';

const { wrapChat, toB64, fromB64 } = await import(path.join(SITE, 'chat', 'crypto.js'));
const { SESSIONS_PER_DEVICE, SESSION_HANDLES } = await import(path.join(SITE, 'chat', 'robust.js'));
const STARTS_PER_PEER = 10; // PA_CHAT_STARTS_PER_PEER (web/src/api/chat_relay.h)
const ATTACKERS = 16, DEVICES = 5, STARTS = 300;
const DAY = 86_400_000;
let server, browser;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
});

// Every context a test opened is closed after it, passed or not, so no
// engine of one test keeps receiving in the next.
const contexts = [];
const newContext = async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  contexts.push(context);
  return context;
};
afterEach(async () => { for (const c of contexts.splice(0)) await c.close().catch(() => {}); });

after(async () => {
  if (process.env.PA_CHAT_DEBUG) console.log(server?.log().split('\n').filter((l) => !/^GET|^POST/.test(l)).join('\n').slice(-4000));
});

const port = () => Number(new URL(server.url).port);
const until = async (what, fn, timeout = 120_000) => {
  for (const end = Date.now() + timeout; ;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < end, `waited too long for ${what}`); // a hang guard, not a timing assertion
    await new Promise((r) => setTimeout(r, 200));
  }
};

// A signed-in demo person in their own context (serviceWorkers blocked, as in chat.test.mjs).
async function person(who, { keep = false } = {}) {
  const context = keep ? await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' }) : await newContext();
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_CHAT_DEBUG) page.on('console', (m) => { if (/chat/.test(m.text())) console.log(who, m.type(), m.text()); });
  await page.goto(server.url);
  const user = await page.evaluate(async ([mail, password]) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: mail, password }) });
    return (await r.json()).user;
  }, [DEMO[who].email, DEMO[who].password]);
  assert.ok(user?.id, `${who} signed in`);
  return { context, page, problems, user };
}

const bubble = (page, text) => page.locator('.chat-log li.chat-msg', { hasText: text });
async function write(page, text) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await bubble(page, text).first().waitFor();
}
const status = (page, text, want, timeout = 60_000) =>
  page.locator('.chat-log li.chat-msg.chat-out', { hasText: text }).locator('.chat-status', { hasText: want }).first().waitFor({ timeout });

// This browser's chat device id (once chat has registered it).
const deviceOf = (page, user) => until('chat device', () => page.evaluate(async (id) => {
  const { storedDevice } = await import('/chat/store.js');
  return storedDevice(id);
}, user.id));

// What the running engine holds: sessions per peer device, open handles.
const engineState = (page, user) => page.evaluate(async (id) => {
  const { chatEngine } = await import('/chat/engine.js');
  const e = await chatEngine({ id });
  const perDevice = {};
  for (const s of e.sessions) perDevice[s.device] = (perDevice[s.device] ?? 0) + 1;
  const stored = {};
  for (const r of await e.store.all('sessions')) stored[r.device] = (stored[r.device] ?? 0) + 1;
  return { sessions: e.sessions.length, open: e.sessions.filter((s) => s.handle).length, perDevice, stored };
}, user.id);

// An attacker account's socket for one of its devices, answering sends by cid.
async function socket(client, device) {
  const ws = new WebSocket(`ws://127.0.0.1:${port()}/api/v1/chat/socket?device=${device}`, {
    headers: { cookie: `pa_session=${client.cookie}` }, origin: server.url.replace(/\/$/, ''),
  });
  const answers = new Map();
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString());
    if ((f.type === 'sent' || f.type === 'error') && f.id) answers.get(f.id)?.(f);
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.send_ = (frame) => new Promise((resolve) => { answers.set(frame.id, resolve); ws.send(JSON.stringify(frame)); });
  return ws;
}

// Kenji's browser, shared by the first two tests: his account's first chat
// device (a second browser would be a device waiting to be linked).
let kenjiBrowser;

test('300 session starts from attackers: the relay limits each, Kenji prunes, and still starts a new conversation', async () => {
  const kenji = await person('kenji', { keep: true });
  kenjiBrowser = kenji.context;
  await kenji.page.goto(`${server.url}chat`);
  const kenjiDevice = await deviceOf(kenji.page, kenji.user);
  const c = wrapChat(await loadCore('chat'));

  // One bundle of Kenji's, its one-time prekey cut off (the count is not
  // signed): every start made from it is a valid start without DH4.
  const fetcher = new Client({ port: port() });
  await fetcher.signup(email('bundle'), 'attacker password', 'Bundle');
  const got = await fetcher.post(`/api/v1/chat/devices/${kenjiDevice}/bundle`, {});
  assert.equal(got.status, 200, JSON.stringify(got.body));
  const bundle = fromB64(got.body.bundle).slice(0, 143);
  bundle[141] = 0;
  bundle[142] = 0;

  let sent = 0, refusedAtEdge = 0;
  // The first attacker's last session on its first device is kept, to write
  // on again after the flood: by then Kenji has closed it as idle.
  let kept = null;
  for (let a = 0; a < ATTACKERS; a++) {
    const client = new Client({ port: port() });
    const who = await client.signup(email(`attacker${a}`), 'attacker password', `Attacker ${a}`);
    const devices = [];
    for (let d = 0; d < DEVICES; d++) {
      const identity = c.identityCreate(Math.floor(Date.now() / 1000), 0);
      const r = await client.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(identity)) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      devices.push({ id: r.body.id, identity, ws: await socket(client, r.body.id) });
    }
    // The attacker's account signs its device list (identity.js accepts
    // starts only from a device in the sender's signed list).
    const aik = c.aikCreate();
    const list = c.devlistSign(aik, who.id, 1, Math.floor(Date.now() / 1000), devices.map((d) => c.identityKey(d.identity)));
    const published = await client.put('/api/v1/chat/device-list', { list: toB64(list), device: devices[0].id });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    c.free(aik);
    const share = Math.round((STARTS * (a + 1)) / ATTACKERS) - Math.round((STARTS * a) / ATTACKERS);
    let sinceClear = 0;
    for (let k = 0; k < share; k++) {
      const dev = devices[k % DEVICES];
      const session = c.start(dev.identity, bundle);
      const body = toB64(c.encrypt(session, new TextEncoder().encode(`spam ${a}.${k}`)));
      const last = a === 0 && k % DEVICES === 0 && k + DEVICES >= share;
      if (last) kept = { client, who, session, dev };
      else c.free(session);
      const frame = { type: 'send', id: `spam-${a}-${k}`, to: kenji.user.id, envelopes: [{ device: kenjiDevice, body }] };
      let answer = await dev.ws.send_(frame);
      if (answer.type === 'error') {
        // The relay's limit, exactly at its edge: 10 new sessions taken, the 11th refused.
        assert.equal(answer.code, 'too_many_starts', JSON.stringify(answer));
        assert.equal(sinceClear, STARTS_PER_PEER);
        refusedAtEdge++;
        // An hour passes (for this pair): the database forgets its starts.
        dbQuery(server, `DELETE FROM chat_starts WHERE sender_id = ${who.id.slice(2)}`);
        sinceClear = 0;
        answer = await dev.ws.send_(frame);
      }
      assert.equal(answer.type, 'sent', JSON.stringify(answer));
      sinceClear++;
      sent++;
    }
    for (const dev of devices) {
      dev.ws.close();
      if (dev !== kept?.dev) c.free(dev.identity);
    }
  }
  assert.equal(sent, STARTS);
  assert.ok(refusedAtEdge >= ATTACKERS, `the limit refused ${refusedAtEdge} starts`);

  // Kenji's engine takes all 300 (none waits at the relay) ...
  await until('Kenji received every start', () =>
    dbQuery(server, `SELECT count(*) FROM chat_messages WHERE recipient_device = ${kenjiDevice.slice(2)} AND body IS NOT NULL`) === '0', 240_000);
  // ... keeping at most 3 sessions per attacker device and 200 open handles,
  // with more sessions than handles (so idle ones were closed, not refused).
  const st = await engineState(kenji.page, kenji.user);
  const counts = Object.values(st.perDevice);
  assert.equal(counts.length, ATTACKERS * DEVICES, JSON.stringify(st));
  assert.ok(counts.every((n) => n <= SESSIONS_PER_DEVICE), JSON.stringify(st.perDevice));
  assert.ok(Object.values(st.stored).every((n) => n <= SESSIONS_PER_DEVICE), JSON.stringify(st.stored));
  assert.ok(st.open <= SESSION_HANDLES, `${st.open} open handles`);
  assert.ok(st.sessions > SESSION_HANDLES, `${st.sessions} sessions`);

  // The kept session writes again (its start data again, the same base key):
  // Kenji's copy of it was closed as idle, is reopened from its sealed blob,
  // and reads the message.
  const again = c.encrypt(kept.session, new TextEncoder().encode('reopened from its blob'));
  const base = toB64(again.subarray(33, 65));
  const sessionOpen = () => kenji.page.evaluate(async ([id, b]) => {
    const { chatEngine } = await import('/chat/engine.js');
    const s = (await chatEngine({ id })).sessions.find((x) => x.base === b);
    return s ? !!s.handle : null;
  }, [kenji.user.id, base]);
  assert.equal(await sessionOpen(), false, 'closed as idle, still kept');
  const ws = await socket(kept.client, kept.dev.id);
  assert.equal((await ws.send_({ type: 'send', id: 'spam-again', to: kenji.user.id, envelopes: [{ device: kenjiDevice, body: toB64(again) }] })).type, 'sent');
  ws.close();
  const readAgain = () => kenji.page.evaluate(async ([id, from]) => {
    const { chatEngine } = await import('/chat/engine.js');
    const m = (await (await chatEngine({ id })).messages(from)).find((x) => x.cid === 'spam-again');
    return m ? { text: m.text, failed: m.failed } : null;
  }, [kenji.user.id, kept.who.id]);
  assert.deepEqual(await until('the message on the reopened session', readAgain), { text: 'reopened from its blob', failed: false });
  assert.equal(await sessionOpen(), true);
  c.free(kept.session);
  c.free(kept.dev.identity);

  // Kenji starts a new conversation with Ana; she gets it and answers.
  const ana = await person('ana');
  await ana.page.goto(`${server.url}chat`);
  await deviceOf(ana.page, ana.user);
  // First Kenji is at the relay's limit with Ana (10 new sessions in the
  // hour, put in the database): his message is refused with too_many_starts,
  // stays unsent, and the conversation says why rather than retrying at once.
  const pair = `${kenji.user.id.slice(2)}, ${ana.user.id.slice(2)}`;
  dbQuery(server, `INSERT INTO chat_starts (sender_id, recipient_id, base, created_at) VALUES ${
    Array.from({ length: STARTS_PER_PEER }, (_, i) => `(${pair}, x'${(i + 1).toString(16).padStart(2, '0')}', strftime('%s','now'))`).join(', ')}`);
  await kenji.page.goto(`${server.url}chat/${ana.user.id}`);
  await write(kenji.page, 'Still here after the flood');
  await kenji.page.getByText(/Too many new secure sessions with .*Ana/).waitFor({ timeout: 30_000 });
  await status(kenji.page, 'Still here after the flood', 'Sending');
  // The hour passes; the page is opened again and the message goes.
  dbQuery(server, `DELETE FROM chat_starts WHERE sender_id = ${kenji.user.id.slice(2)}`);
  await kenji.page.reload();
  await ana.page.goto(`${server.url}chat/${kenji.user.id}`);
  await bubble(ana.page, 'Still here after the flood').waitFor({ timeout: 60_000 });
  await status(kenji.page, 'Still here after the flood', /Delivered|Read/);
  await write(ana.page, 'Glad to hear it');
  await bubble(kenji.page, 'Glad to hear it').waitFor({ timeout: 60_000 });
  assert.ok((await engineState(kenji.page, kenji.user)).open <= SESSION_HANDLES);
  assert.deepEqual([...kenji.problems, ...ana.problems], []);
  await kenji.page.close(); // his chat stops; the next test reopens it in the same browser
});

test('a message that cannot be decrypted shows Failed, the sender re-keys by itself, across a signed-prekey rotation', async () => {
  // Kenji's device exists (the test above); his chat is closed.
  const priya = await person('priya');
  const kenjiCtx = kenjiBrowser;
  contexts.push(kenjiCtx); // closed after this test
  const signIn = async (page) => {
    await page.goto(server.url);
    return page.evaluate(async ([mail, password]) => {
      const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: mail, password }) });
      return (await r.json()).user;
    }, [DEMO.kenji.email, DEMO.kenji.password]);
  };
  let page = await kenjiCtx.newPage();
  const kenji = await signIn(page);
  await page.goto(`${server.url}chat`);
  const kenjiDevice = await deviceOf(page, kenji);
  await page.close();
  const spk = () => Number(dbQuery(server, `SELECT spk_id FROM chat_devices WHERE id = ${kenjiDevice.slice(2)}`));
  const first = spk();

  // Priya writes first, while Kenji is away: a session start naming his current signed prekey.
  await priya.page.goto(`${server.url}chat/${kenji.id}`);
  await write(priya.page, 'Walk on Sunday?');
  await status(priya.page, 'Walk on Sunday?', 'Sent');

  // Kenji opens chat twice, 8 and 16 days later by his clock, with the relay
  // socket held back: each time his signed prekey is due and rotates, so the
  // one Priya's start names is gone (the previous one answers until the next rotation).
  for (const days of [8, 16]) {
    page = await kenjiCtx.newPage();
    await page.routeWebSocket(/\/api\/v1\/chat\/socket/, () => {}); // connects nowhere
    await page.clock.setSystemTime(Date.now() + days * DAY);
    await page.goto(`${server.url}chat`);
    await until(`rotation at day ${days}`, () => spk() > first + (days === 8 ? 0 : 1));
    await page.close();
  }

  // Now Kenji connects: Priya's start fails (the prekey is gone). She sees
  // Failed; her engine drops the session, starts a new one from a fresh
  // bundle and sends the text again, which Kenji reads.
  page = await kenjiCtx.newPage();
  const problems = watchPage(page);
  await page.clock.setSystemTime(Date.now() + 16 * DAY);
  await page.goto(`${server.url}chat/${priya.user.id}`);
  await status(priya.page, 'Walk on Sunday?', 'Failed');
  await page.locator('.chat-log li.chat-msg.chat-in .chat-text', { hasText: 'Walk on Sunday?' }).waitFor({ timeout: 60_000 });
  await until('the resend delivered', async () => (await priya.page.locator('.chat-log li.chat-msg.chat-out', { hasText: 'Walk on Sunday?' })
    .locator('.chat-status').allTextContents()).some((s) => /Delivered|Read/.test(s)));
  assert.equal(await priya.page.locator('.chat-log li.chat-msg.chat-out', { hasText: 'Walk on Sunday?' }).count(), 2, 'the failed one and its resend');
  // The next one gets through on the new session, and so does Kenji's answer.
  await write(priya.page, 'Bring the ball');
  await page.locator('.chat-log li.chat-msg.chat-in', { hasText: 'Bring the ball' }).waitFor({ timeout: 60_000 });
  await status(priya.page, 'Bring the ball', /Delivered|Read/);
  await write(page, 'Sunday it is');
  await bubble(priya.page, 'Sunday it is').waitFor({ timeout: 60_000 });
  assert.deepEqual([...priya.problems, ...problems], []);
});

// A new account signed in in a context of its own: its first chat device
// (a new device of an account that has one already would wait to be linked).
async function newcomer(name) {
  const client = new Client({ port: port() });
  const user = await client.signup(email('newcomer'), 'correct horse battery', name);
  const context = await newContext();
  await context.addCookies([{ name: 'pa_session', value: client.cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  return { context, page, problems, user };
}

test('a profile older than the relay\'s count of identity seals stops chat and says so', async () => {
  const ana = await newcomer('Ana Restored'); // an account's first chat device, so chat opens (no link needed)
  await ana.page.goto(`${server.url}chat`);
  await ana.page.getByRole('heading', { name: 'Messages' }).waitFor();
  const device = await deviceOf(ana.page, ana.user);
  const count = () => Number(dbQuery(server, `SELECT identity_gen FROM chat_devices WHERE id = ${device.slice(2)}`));
  const reported = await until('the identity generation reported', () => count());
  assert.ok(reported > 0);
  // A report from an older copy never lowers it (the relay keeps the highest).
  await ana.page.reload();
  await ana.page.getByRole('heading', { name: 'Messages' }).waitFor();
  assert.ok(count() >= reported);
  // The server has seen later seals than this profile holds: as if the
  // profile were restored from a copy made before them.
  dbQuery(server, `UPDATE chat_devices SET identity_gen = ${count() + 5} WHERE id = ${device.slice(2)}`);
  await ana.page.reload();
  await ana.page.getByRole('alert').filter({ hasText: 'older copy of your profile' }).waitFor({ timeout: 30_000 });
  await ana.page.getByRole('link', { name: 'Manage chat devices' }).waitFor();
  // Stopped: nothing sent from the stale keys, and the count is not lowered.
  assert.ok(count() >= reported + 5);
  assert.deepEqual(ana.problems, []);
});
