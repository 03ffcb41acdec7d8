// Group chats in Chromium (issue 22, item 4): four people in four browser
// contexts (the demo accounts Ana, Kenji and Priya, and Dora, who signs up)
// form a group: Ana creates it and adds the others by name, everyone sees
// everyone's messages, typing shows as "X is typing", and Ana's message
// reads "Read by 3". Then Ana removes Dora: Dora gets nothing new (her
// screen, and no envelope for her device stored), and a message she tries
// to send after that goes nowhere. A membership the server gains on its own
// (a row inserted for Eve, with no admin's control message) makes no client
// send to her. Last, the SQLite file and its WAL are searched for the
// group's name and every text: none may be there. axe on the group screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { DEMO, serverAndBrowser } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const GROUP_NAME = 'Paseo del parque 7Q3X';
const sent = [GROUP_NAME]; // every secret, for the plaintext check
let server, browser;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
});

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(server.dir, 'petamigos.db'), text]).toString().trim();

// A signed-in person in their own context, with chat open (so their device
// and prekeys exist). bypassCSP only so axe can be injected.
async function person(who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  const user = await page.evaluate(async ([who, account]) => {
    const r = account
      ? await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) })
      : await fetch('/api/v1/auth/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: `${who}@groups.example.test`, password: `${who} password, long enough`, display_name: who === 'dora' ? 'Dora Quispe' : 'Eve Lindqvist' }) });
    return (await r.json()).user;
  }, [who, DEMO[who] ?? null]);
  assert.ok(user?.id, `${who} signed in`);
  await page.goto(`${server.url}chat`);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  await page.getByRole('heading', { name: 'Groups' }).waitFor();
  const device = await page.waitForFunction(async (id) => {
    const r = await fetch('/api/v1/chat/devices');
    const d = (await r.json()).devices;
    return d?.length ? d[0].id : null;
  }, user.id, { timeout: 30_000 }).then((h) => h.jsonValue());
  return { context, page, problems, user, device };
}

const bubble = (page, text) => page.locator('.chat-log li.chat-msg', { hasText: text });

async function write(page, text) {
  sent.push(text);
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await bubble(page, text).waitFor();
}

async function once(page, text, timeout = 30_000) {
  await bubble(page, text).first().waitFor({ timeout });
  assert.equal(await bubble(page, text).count(), 1, `"${text}" shown once`);
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// Every envelope the relay ever stores, kept by a trigger the test adds (a
// delivered row is deleted once its receipt is acked, so counting
// chat_messages afterwards would miss what came and went).
function recordEnvelopes() {
  sql(`CREATE TABLE test_envelopes (id INTEGER, recipient_device INTEGER);
    CREATE TRIGGER test_envelopes AFTER INSERT ON chat_messages BEGIN
      INSERT INTO test_envelopes VALUES (NEW.id, NEW.recipient_device); END;`);
}
// Envelopes stored for a device since envelope id `after`.
const queuedTo = (device, after = 0) => Number(sql(`SELECT count(*) FROM test_envelopes WHERE recipient_device = ${device.slice(2)} AND id > ${after}`));
const lastMessageId = () => Number(sql('SELECT coalesce(max(id), 0) FROM test_envelopes'));

test('four people in a group: messages, typing, read by; a removed member gets nothing; the server cannot add a listener', async () => {
  recordEnvelopes();
  const ana = await person('ana');
  const kenji = await person('kenji');
  const priya = await person('priya');
  const dora = await person('dora');
  const everyone = [ana, kenji, priya, dora];

  // Ana creates the group and adds the three others, found by name.
  await ana.page.getByLabel('Name of a new group').fill(GROUP_NAME);
  await ana.page.getByRole('button', { name: 'Create group' }).click();
  await ana.page.getByRole('heading', { name: GROUP_NAME }).waitFor();
  const g = new URL(ana.page.url()).pathname.split('/').pop();
  assert.match(g, /^g_\d+$/);
  for (const p of [kenji, priya, dora]) {
    await ana.page.getByLabel('Add someone by name').fill(p.user.name.split(' ')[0]);
    await ana.page.getByRole('button', { name: 'Search', exact: true }).click();
    await ana.page.getByRole('button', { name: new RegExp(`^Add \\W*${p.user.name}`) }).click();
    await ana.page.locator('.chat-member', { hasText: p.user.name }).waitFor();
  }

  // Each learns the group from Ana's control message (the name is nowhere else) and opens it.
  for (const p of [kenji, priya, dora]) {
    const row = p.page.locator('.chat-groups .chat-row', { hasText: GROUP_NAME });
    await row.waitFor({ timeout: 30_000 });
    if (p === kenji) assert.deepEqual(await axe(p.page), [], 'chat list with a group');
    // From the keyboard: focus the group's link and press Enter.
    await row.focus();
    await p.page.keyboard.press('Enter');
    await p.page.getByRole('heading', { name: GROUP_NAME }).waitFor();
    for (const q of everyone) if (q !== p) await p.page.locator('.chat-member', { hasText: q.user.name }).waitFor();
  }

  await write(ana.page, 'Hola grupo, walk at nine? 4KZ');
  for (const p of [kenji, priya, dora]) await once(p.page, 'walk at nine? 4KZ');
  await ana.page.locator('.chat-out', { hasText: 'walk at nine? 4KZ' }).locator('.chat-status', { hasText: 'Read by 3' }).waitFor({ timeout: 30_000 });

  // Typing shows with the typist's name; Kenji's answer reaches the three others.
  await kenji.page.getByLabel('Message', { exact: true }).pressSequentially('Sure');
  for (const p of [ana, priya]) await p.page.locator('.chat-typing', { hasText: new RegExp(`${kenji.user.name}\\W* is typing`) }).waitFor();
  await kenji.page.getByLabel('Message', { exact: true }).fill('');
  await write(kenji.page, 'Count Mochi and me in 8WD');
  for (const p of [ana, priya, dora]) {
    await once(p.page, 'Count Mochi and me in 8WD');
    await p.page.locator('.chat-in', { hasText: 'Count Mochi and me in 8WD' }).locator('.chat-from', { hasText: kenji.user.name }).waitFor();
  }

  assert.deepEqual(await axe(ana.page), [], 'group screen (admin)');
  assert.deepEqual(await axe(dora.page), [], 'group screen (member)');

  assert.ok(queuedTo(dora.device) >= 2, 'control: Dora\'s device got envelopes while a member');
  // Ana removes Dora; from then on nothing reaches Dora's device.
  const beforeRemoval = lastMessageId();
  await ana.page.getByRole('button', { name: new RegExp(`^Remove \\W*${dora.user.name}`) }).click();
  await ana.page.locator('.chat-member', { hasText: dora.user.name }).waitFor({ state: 'detached' });
  for (const p of [kenji, priya]) await p.page.locator('.chat-member', { hasText: dora.user.name }).waitFor({ state: 'detached', timeout: 30_000 });
  await write(ana.page, 'After Dora left: gate B 5PL');
  await write(priya.page, 'Priya after removal 2RM');
  for (const p of [kenji, priya]) await once(p.page, 'After Dora left: gate B 5PL');
  for (const p of [ana, kenji]) await once(p.page, 'Priya after removal 2RM');
  assert.equal(await bubble(dora.page, 'gate B 5PL').count(), 0);
  assert.equal(await bubble(dora.page, '2RM').count(), 0);
  assert.equal(queuedTo(dora.device, beforeRemoval), 0, 'no envelope stored for the removed member');
  // What Dora still writes goes nowhere, and she is told she is out.
  await write(dora.page, 'Dora after removal 9DX');
  await dora.page.locator('.chat-note', { hasText: 'no longer in this group' }).waitFor({ timeout: 30_000 });
  await ana.page.waitForTimeout(1000);
  for (const p of [ana, kenji, priya]) assert.equal(await bubble(p.page, '9DX').count(), 0);

  // The server adds Eve on its own (no admin's control message): nobody sends to her.
  const eve = await person('eve');
  sql(`INSERT INTO chat_group_members (group_id, user_id, role, joined_at) VALUES (${g.slice(2)}, ${eve.user.id.slice(2)}, 'member', 1)`);
  const beforeEve = lastMessageId();
  await write(ana.page, 'Only the four of us 3EV');
  await write(kenji.page, 'Kenji after the insert 6EV');
  for (const p of [kenji, priya]) await once(p.page, 'Only the four of us 3EV');
  for (const p of [ana, priya]) await once(p.page, 'Kenji after the insert 6EV');
  assert.equal(queuedTo(eve.device, beforeEve), 0, 'no envelope for a member only the server knows');
  assert.ok(queuedTo(kenji.device, beforeEve) >= 1, 'control: the real members\' devices did get envelopes');
  assert.equal(await eve.page.locator('.chat-groups .chat-row').count(), 0);
  for (const p of [ana, kenji, priya]) assert.equal(await p.page.locator('.chat-member', { hasText: eve.user.name }).count(), 0);

  for (const p of [...everyone, eve]) assert.deepEqual(p.problems.filter((x) => !/WebSocket|Failed to load resource/.test(x)), []);

  // No group name and no text on the server: the database file and its WAL.
  const db = path.join(server.dir, 'petamigos.db');
  const files = [db, `${db}-wal`].filter(existsSync);
  assert.ok(files.length >= 1);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const text of sent) assert.equal(bytes.indexOf(Buffer.from(text)), -1, `"${text}" found in ${path.basename(file)}`);
  }
  // Control: the search finds what the server does keep in plain.
  assert.ok(files.some((f) => readFileSync(f).indexOf(Buffer.from('Dora Quispe')) >= 0));
  for (const p of [...everyone, eve]) await p.context.close();
});
