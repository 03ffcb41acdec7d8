// One identity per person in Chromium (issue 22, "Identity you can check";
// shell/chat/identity.js): the demo accounts Ana and Kenji chat in two
// contexts; each browser made its account key and published a signed list
// naming its device. Then a device is injected for Kenji — registered with a
// crafted request from another session of his account, with real prekeys
// but no account key, so no signed list names it — and Ana's conversation
// shows a persistent notice (still there after a reload and after the device
// is gone again) and asks before sending ("Send anyway"); her message reaches
// Kenji's listed device only: the injected one never gets an envelope (the
// relay's table) nor hands out a prekey. Both see the same safety number over
// the two account keys; Ana marks it verified; Kenji's account is reset (his
// only device removed, a new browser becomes its first device under a new
// account key) and Ana's verified contact reads "changed", with a new number
// that again matches Kenji's. A second browser of Kenji's without his
// account key registers but publishes no list and cannot send (it shows
// "Link this device" instead). axe on the notice and the dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { DEMO, serverAndBrowser } from '../lib/app.mjs';
import { loadCore } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';
import { Client } from '../server/helpers.mjs';

const { wrapChat, toB64 } = await import(path.join(SITE, 'chat', 'crypto.js'));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server, browser;
serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
});

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(server.dir, 'petamigos.db'), text]).toString().trim();
const num = (id) => Number(id.split('_')[1]);

async function person(who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_CHAT_DEBUG) page.on('console', (m) => { if (/chat/.test(m.text())) console.log(who, m.type(), m.text()); });
  await page.goto(server.url);
  const user = await page.evaluate(async ({ email, password }) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return (await r.json()).user;
  }, DEMO[who]);
  assert.ok(user?.id, `${who} signed in`);
  return { context, page, problems, user };
}

// Another session of the same account, outside the browser (the server's own API).
async function session(who) {
  const c = new Client({ port: Number(new URL(server.url).port) });
  await c.login(DEMO[who].email, DEMO[who].password);
  return c;
}

// Navigates inside the app (the router takes the click), so the chat engine
// and its Web Lock stay with the page rather than being handed to a new one.
async function go(page, to) {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
  }, to);
  await page.waitForURL(`**${to}`, { waitUntil: 'commit' });
}

const bubble = (page, text) => page.locator('.chat-log li.chat-msg', { hasText: text });
async function write(page, text) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const digits = async (page) => (await page.locator('#chat-safety-number').textContent()).replace(/\s/g, '');

test('an injected device is shown and asked about, never encrypted to; a changed account key flips a verified contact', { timeout: 240_000 }, async () => {
  const c = wrapChat(await loadCore('chat'));
  const ana = await person('ana');
  let kenji = await person('kenji');

  // Kenji opens chat: his device registers and publishes a list naming it.
  await kenji.page.goto(`${server.url}chat`);
  await kenji.page.getByRole('heading', { name: 'Messages' }).waitFor();
  await kenji.page.waitForFunction(async (id) => {
    const r = await fetch(`/api/v1/users/${id}/chat-devices`);
    return (await r.json()).device_list !== null;
  }, kenji.user.id, { timeout: 30_000 });
  const kenjiDevice = JSON.parse(sql(`SELECT json_group_array(id) FROM chat_devices WHERE user_id = ${num(kenji.user.id)}`));
  assert.equal(kenjiDevice.length, 1);

  await ana.page.goto(`${server.url}chat/${kenji.user.id}`); // her first chat screen: a load
  await ana.page.getByRole('heading', { name: kenji.user.name }).waitFor();
  await write(ana.page, 'First contact: pinned on first use');
  await go(kenji.page, `/chat/${ana.user.id}`);
  await bubble(kenji.page, 'First contact').waitFor({ timeout: 30_000 });
  await write(kenji.page, 'Hello back');
  await bubble(ana.page, 'Hello back').waitFor({ timeout: 30_000 });
  assert.equal(await ana.page.locator('.chat-identity').isVisible(), false, 'no notice on first contact');

  // Safety numbers over the two account keys: the same on both screens; Ana verifies.
  await go(ana.page, `/chat/${kenji.user.id}/verify`);
  await go(kenji.page, `/chat/${ana.user.id}/verify`);
  const before = await digits(ana.page);
  assert.match(before, /^\d{60}$/);
  assert.equal(await digits(kenji.page), before);
  await ana.page.getByRole('button', { name: 'Mark as verified' }).click();
  await ana.page.locator('.chat-ok', { hasText: 'You verified' }).waitFor();

  // The injection: a device registered for Kenji from another session of his,
  // with real prekeys, but in no list his account key signed.
  const crafted = await session('kenji');
  const injectedId = c.identityCreate(Math.floor(Date.now() / 1000), 5);
  const reg = await crafted.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(injectedId)) });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const injected = reg.body.id;
  const served = await crafted.get(`/api/v1/users/${kenji.user.id}/chat-devices`);
  assert.deepEqual(served.body.devices.map((d) => d.id).sort(), [...kenjiDevice.map((id) => `d_${id}`), injected].sort());

  // Ana's conversation shows the change as soon as it opens...
  await go(ana.page, `/chat/${kenji.user.id}`);
  const notice = ana.page.locator('.chat-identity');
  await notice.waitFor({ timeout: 30_000 });
  assert.match(await notice.textContent(), /devices changed/);
  // ...and keeps it: the device gone again and the page reloaded, it is still there.
  assert.equal((await crafted.del(`/api/v1/chat/devices/${injected}`)).status, 200);
  const again = await crafted.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(injectedId)) });
  assert.equal(again.status, 201);
  const injected2 = again.body.id;
  await ana.page.reload();
  await notice.waitFor({ timeout: 30_000 });
  assert.deepEqual(await axe(ana.page), []);

  // Sending asks first; "Send anyway" sends to the listed device only.
  await write(ana.page, 'After the change: only to your real device');
  // (t() isolates the name with U+2068/U+2069.)
  const dialog = ana.page.getByRole('dialog', { name: new RegExp(`^Send to \\W?${kenji.user.name}\\W?\\?$`) });
  await dialog.waitFor({ timeout: 10_000 }).catch(async (err) => {
    throw new Error(`${err.message}; the composer says: ${await ana.page.locator('#chat-error').textContent()}`);
  });
  assert.equal(await bubble(ana.page, 'After the change').count(), 0, 'nothing stored before the answer');
  assert.deepEqual(await axe(ana.page), []);
  await dialog.getByRole('button', { name: 'Send anyway' }).click();
  await bubble(ana.page, 'After the change').waitFor();
  await ana.page.locator('.chat-log li.chat-out', { hasText: 'After the change' }).locator('.chat-status', { hasText: /Sent|Delivered|Read/ }).waitFor({ timeout: 30_000 });
  assert.equal(await notice.isVisible(), false, 'acknowledged');
  await go(kenji.page, `/chat/${ana.user.id}`);
  await bubble(kenji.page, 'After the change').waitFor({ timeout: 30_000 });
  // The relay never had an envelope for either injected device, and no prekey of theirs was taken.
  for (const d of [injected, injected2]) {
    assert.equal(sql(`SELECT count(*) FROM chat_messages WHERE recipient_device = ${num(d)}`), '0');
  }
  assert.equal(sql(`SELECT count(*) FROM chat_prekeys WHERE device_id = ${num(injected2)}`), '5');
  assert.equal(sql(`SELECT count(*) FROM chat_messages WHERE sender_device IN (${num(injected)}, ${num(injected2)})`), '0');
  // Acknowledged once: the next message goes without asking.
  await write(ana.page, 'No second question');
  await bubble(kenji.page, 'No second question').waitFor({ timeout: 30_000 });

  // Kenji's account is reset: his browser's device removed (the injected one
  // too), and a new browser becomes its first device under a new account key.
  await kenji.context.close();
  for (const d of [...kenjiDevice.map((id) => `d_${id}`), injected2]) assert.equal((await crafted.del(`/api/v1/chat/devices/${d}`)).status, 200);
  kenji = await person('kenji');
  await kenji.page.goto(`${server.url}chat/${ana.user.id}/verify`); // its first chat screen: a load
  await kenji.page.locator('#chat-safety-number').waitFor({ timeout: 30_000 });
  const after = await digits(kenji.page);
  assert.notEqual(after, before, 'a new account key, a new number');

  // Ana's verified contact now reads as changed, with the same new number as Kenji's.
  await go(ana.page, `/chat/${kenji.user.id}/verify`);
  await ana.page.locator('#chat-safety-number').waitFor();
  assert.equal(await digits(ana.page), after);
  await ana.page.locator('.chat-note', { hasText: 'changed since you verified it' }).waitFor();
  // ...and says when the change was seen (a date and time in her locale's words).
  await ana.page.locator('.chat-note', { hasText: /Changed \u2068?[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}/ }).waitFor();
  assert.equal(await ana.page.locator('.chat-ok').count(), 0);
  assert.ok(await ana.page.getByRole('button', { name: 'Mark as verified' }).isVisible());
  // Sending to the changed identity asks first again; "Verify first" leads here.
  await go(ana.page, `/chat/${kenji.user.id}`);
  await ana.page.locator('.chat-identity', { hasText: 'safety number changed' }).waitFor({ timeout: 30_000 });
  await write(ana.page, 'To the new key');
  await ana.page.getByRole('dialog').getByRole('button', { name: 'Verify first' }).click();
  await ana.page.waitForURL(`**/chat/${kenji.user.id}/verify`);
  await ana.page.getByRole('button', { name: 'Mark as verified' }).click();
  await ana.page.locator('.chat-ok', { hasText: 'You verified' }).waitFor();
  await go(ana.page, `/chat/${kenji.user.id}`);
  await write(ana.page, 'Verified, so no question');
  await go(kenji.page, `/chat/${ana.user.id}`);
  await bubble(kenji.page, 'Verified, so no question').waitFor({ timeout: 30_000 });

  // A second browser of Kenji's, which does not hold his account key: it
  // registers its device but publishes no list (it needs linking), and
  // cannot send. The chat screen shows once the engine knows that.
  const version = sql(`SELECT version FROM chat_device_lists WHERE user_id = ${num(kenji.user.id)}`);
  const other = await person('kenji');
  await other.page.goto(`${server.url}chat/${ana.user.id}`);
  // Instead of the conversation it shows "Link this device" with its code
  // (tests/browser/chat-devices.test.mjs links one): no composer to send from.
  await other.page.getByRole('heading', { name: 'Link this device' }).waitFor({ timeout: 30_000 });
  assert.equal(sql(`SELECT count(*) FROM chat_devices WHERE user_id = ${num(kenji.user.id)}`), '2');
  assert.equal(sql(`SELECT version FROM chat_device_lists WHERE user_id = ${num(kenji.user.id)}`), version, 'no list published');
  assert.equal(await other.page.getByLabel('Message', { exact: true }).count(), 0);
  for (const p of [ana, kenji, other]) assert.deepEqual(p.problems.filter((x) => !/WebSocket|Failed to load resource/.test(x)), []);
});
