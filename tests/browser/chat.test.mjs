// E2E chat in Chromium: two people (demo accounts Ana and Kenji) in two
// browser contexts exchange messages both ways; one goes offline and
// receives on return; messages written while the sender is offline go out
// after reconnecting, once each; a server restart (same data, same port) in
// the middle loses nothing; a reload restores the conversation and the
// draft; both see the same safety number. Then the server's SQLite file (and
// its WAL) is searched for every text sent: none may be there. axe on the
// chat screens at phone and desktop sizes, light and dark.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ACCOUNTS = {
  ana: ['ana@demo.petamigos.test', 'petamigos-ana-demo'],
  kenji: ['kenji@demo.petamigos.test', 'petamigos-kenji-demo'],
};
const sent = []; // every text typed, for the plaintext check
const photoSlices = []; // bytes from the middle of each photo sent
let server, browser;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
});

after(async () => {
  if (process.env.PA_CHAT_DEBUG) console.log(server?.log().split('\n').filter((l) => !/^GET|^POST/.test(l)).join('\n').slice(-4000));
});

// A signed-in person in their own context. bypassCSP only so axe can be injected.
async function person(who, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  if (process.env.PA_CHAT_DEBUG) page.on('console', (m) => { if (/chat/.test(m.text())) console.log(who, m.type(), m.text()); });
  await page.goto(server.url);
  const user = await page.evaluate(async ([email, password]) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return (await r.json()).user;
  }, ACCOUNTS[who]);
  assert.ok(user?.id, `${who} signed in`);
  return { context, page, problems, user };
}

const bubble = (page, text) => page.locator('.chat-log li.chat-msg', { hasText: text });

async function write(page, text) {
  sent.push(text);
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await bubble(page, text).waitFor();
}

// want: a status text or a RegExp ('Delivered' may already be 'Read' when the
// other side has the conversation open).
async function status(page, text, want, timeout = 20_000) {
  await page.locator('.chat-log li.chat-msg.chat-out', { hasText: text }).locator('.chat-status', { hasText: want }).waitFor({ timeout });
}

async function once(page, text, timeout = 30_000) {
  await bubble(page, text).first().waitFor({ timeout });
  assert.equal(await bubble(page, text).count(), 1, `"${text}" shown once`);
}

async function texts(page) {
  return page.locator('.chat-log li.chat-msg .chat-text').allTextContents();
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('two people chat end to end: offline, restart, reload, no plaintext on the server', { timeout: 240_000 }, async () => {
  const ana = await person('ana');
  const kenji = await person('kenji');

  // Kenji opens chat once, so his device (and its prekeys) exists.
  await kenji.page.goto(`${server.url}chat`);
  await kenji.page.getByRole('heading', { name: 'Messages' }).waitFor();
  await kenji.page.locator('.chat-note', { hasText: 'No conversations yet' }).waitFor();

  // The deep link a person page's "Message" button uses.
  await ana.page.goto(`${server.url}chat/${kenji.user.id}`);
  await ana.page.getByRole('heading', { name: kenji.user.name }).waitFor();
  await write(ana.page, 'Hi Kenji, is Mochi up for a walk on Saturday?');
  await status(ana.page, 'Mochi up for a walk', 'Delivered');

  // Kenji sees it in his list, opens it; Ana sees it read.
  const row = kenji.page.locator('.chat-row', { hasText: ana.user.name });
  await row.waitFor();
  await row.locator('.chat-unread').waitFor();
  await row.click();
  await once(kenji.page, 'is Mochi up for a walk');
  await status(ana.page, 'Mochi up for a walk', 'Read');

  // Typing shows on the other side; the answer arrives.
  await kenji.page.getByLabel('Message', { exact: true }).pressSequentially('Sure');
  // (t() isolates the name with U+2068/U+2069, so match around it.)
  await ana.page.locator('.chat-typing', { hasText: new RegExp(`${kenji.user.name}\\W* is typing`) }).waitFor();
  await kenji.page.getByLabel('Message', { exact: true }).fill('');
  await write(kenji.page, 'Sure! Sora is coming too 🐾');
  await once(ana.page, 'Sora is coming too');

  // Kenji goes offline; Ana's message waits on the server and arrives when he is back.
  await kenji.context.setOffline(true);
  await kenji.page.locator('.chat-note', { hasText: 'You are offline' }).waitFor();
  await write(ana.page, 'Park gate at ten, bring the blue ball');
  await status(ana.page, 'Park gate at ten', 'Sent');
  await ana.page.waitForTimeout(500);
  assert.equal(await bubble(kenji.page, 'Park gate at ten').count(), 0, 'not received while offline');
  await kenji.context.setOffline(false);
  await once(kenji.page, 'Park gate at ten');
  await status(ana.page, 'Park gate at ten', /Delivered|Read/);

  // Ana goes offline and writes two messages: they wait in her outbox, then go once each.
  await ana.context.setOffline(true);
  await ana.page.locator('.chat-note', { hasText: 'You are offline' }).waitFor();
  await write(ana.page, 'Queued one: I will be a bit late');
  await write(ana.page, 'Queued two: ten past ten');
  await status(ana.page, 'Queued one', 'Sending');
  await ana.page.waitForTimeout(500);
  assert.equal(await bubble(kenji.page, 'Queued one').count(), 0);
  await ana.context.setOffline(false);
  await once(kenji.page, 'Queued one');
  await once(kenji.page, 'Queued two');
  await status(ana.page, 'Queued two', /Delivered|Read/);

  // The server goes down; both write; it comes back on the same data and port.
  await server.down();
  await write(ana.page, 'Written while the server was down');
  await write(kenji.page, 'Me too, during the outage');
  await ana.page.waitForTimeout(300);
  await server.up();
  await once(kenji.page, 'Written while the server was down', 60_000);
  await once(ana.page, 'Me too, during the outage', 60_000);
  await status(ana.page, 'Written while the server was down', /Delivered|Read/, 30_000);
  await status(kenji.page, 'Me too, during the outage', /Delivered|Read/, 30_000);

  // Everything, once each, in the same order on both sides.
  const order = [
    'Hi Kenji, is Mochi up for a walk on Saturday?', 'Sure! Sora is coming too 🐾', 'Park gate at ten, bring the blue ball',
    'Queued one: I will be a bit late', 'Queued two: ten past ten',
  ];
  for (const p of [ana.page, kenji.page]) {
    const got = await texts(p);
    assert.deepEqual(got.slice(0, 5), order);
    assert.equal(got.length, 7, JSON.stringify(got));
    assert.deepEqual(got.slice(5).sort(), ['Me too, during the outage', 'Written while the server was down']);
  }

  // A reload restores the conversation (sealed in IndexedDB) and the draft.
  await kenji.page.getByLabel('Message', { exact: true }).fill('A draft that must survive');
  await kenji.page.waitForTimeout(300);
  await kenji.page.reload();
  await once(kenji.page, 'Park gate at ten');
  assert.equal((await texts(kenji.page)).length, 7);
  assert.equal(await kenji.page.getByLabel('Message', { exact: true }).inputValue(), 'A draft that must survive');
  // ...and the restored sessions still work both ways.
  await write(kenji.page, 'Back after a reload');
  await once(ana.page, 'Back after a reload');
  await write(ana.page, 'Received after your reload');
  await once(kenji.page, 'Received after your reload');

  // A photo: prepared (re-encoded, no metadata), encrypted with secretstream,
  // uploaded as opaque bytes; the key rides in the ratchet message.
  await ana.page.locator('#chat-photo').setInputFiles(path.join(ROOT, 'tests/corpus/image-formats/exif-gps.jpg'));
  const photo = kenji.page.locator('.chat-log li.chat-in img.chat-photo');
  await photo.waitFor({ timeout: 30_000 });
  await kenji.page.waitForFunction(() => document.querySelector('.chat-log li.chat-in img.chat-photo')?.naturalWidth > 0);
  const shown = Buffer.from(await photo.evaluate(async (img) => [...new Uint8Array(await (await fetch(img.src)).arrayBuffer())]));
  assert.equal(shown.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
  assert.equal(shown.indexOf('Exif'), -1, 'no EXIF (so no GPS) in what was sent');
  photoSlices.push(shown.subarray(shown.length >> 1, (shown.length >> 1) + 48));
  assert.equal(await ana.page.locator('.chat-log li.chat-out img.chat-photo').count(), 1);

  // Safety numbers: the same 60 digits on both screens; Ana marks them verified.
  await ana.page.getByRole('link', { name: 'Verify safety number' }).click();
  await kenji.page.getByRole('link', { name: 'Verify safety number' }).click();
  const digitsA = await ana.page.locator('.chat-safety').textContent();
  const digitsB = await kenji.page.locator('.chat-safety').textContent();
  assert.match(digitsA, /^\d{60}$/);
  assert.equal(digitsA, digitsB);
  await ana.page.getByRole('button', { name: 'Mark as verified' }).click();
  await ana.page.locator('.chat-ok', { hasText: 'You verified' }).waitFor();
  await ana.page.reload();
  await ana.page.locator('.chat-ok', { hasText: 'You verified' }).waitFor();

  // A second tab of the same account does not fork the ratchet: it says so.
  const tab2 = await ana.context.newPage();
  await tab2.goto(`${server.url}chat`);
  await tab2.locator('.chat-note', { hasText: 'open in another tab' }).waitFor();
  await tab2.close();

  await kenji.page.goto(`${server.url}chat/${ana.user.id}`);
  await once(kenji.page, 'Received after your reload');

  // axe on every chat screen, phone and desktop, light and dark; the keyboard
  // reaches the composer and sends with Enter.
  for (const [name, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
    for (const colorScheme of ['light', 'dark']) {
      const where = `${name}, ${colorScheme}`;
      await ana.page.setViewportSize(size);
      await ana.page.emulateMedia({ colorScheme });
      await ana.page.goto(`${server.url}chat`);
      await ana.page.locator('.chat-row').first().waitFor();
      assert.deepEqual(await axe(ana.page), [], `list (${where})`);
      await ana.page.locator('.chat-row').first().click();
      await ana.page.locator('.chat-log li.chat-msg').first().waitFor();
      assert.deepEqual(await axe(ana.page), [], `conversation (${where})`);
      await ana.page.getByLabel('Message', { exact: true }).focus();
      await ana.page.keyboard.type(`Typed on the keyboard (${where})`);
      sent.push(`Typed on the keyboard (${where})`);
      await ana.page.keyboard.press('Enter');
      await once(kenji.page, `Typed on the keyboard (${where})`);
      // From the keyboard too: focus the link and press Enter (a pointer click
      // here also waits for two equal animation frames, which CI's loaded
      // 2-core machine once failed to give within 30 s).
      await ana.page.getByRole('link', { name: 'Verify safety number' }).focus();
      await ana.page.keyboard.press('Enter');
      await ana.page.locator('.chat-safety').waitFor();
      assert.deepEqual(await axe(ana.page), [], `verify (${where})`);
    }
  }

  for (const p of [ana, kenji]) assert.deepEqual(p.problems.filter((x) => !/WebSocket|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(x)), []);

  // No plaintext on the server: the database file and its WAL.
  const db = path.join(server.dir, 'petamigos.db');
  const files = [db, `${db}-wal`].filter(existsSync);
  assert.ok(files.length >= 1);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const text of sent) assert.equal(bytes.indexOf(Buffer.from(text)), -1, `"${text}" found in ${path.basename(file)}`);
    for (const slice of photoSlices) assert.equal(bytes.indexOf(slice), -1, `photo bytes found in ${path.basename(file)}`);
  }
  // Control: the search does find text the server does store in plain.
  assert.ok(files.some((f) => readFileSync(f).indexOf(Buffer.from(kenji.user.name)) >= 0));
  await ana.context.close();
  await kenji.context.close();
});
