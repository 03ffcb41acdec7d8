// Message requests in Chromium (issue 22, item 6): Rae, who follows nobody
// here, opens chat; a stranger (Sid) writes — Rae's chat screen lists him
// under "Requests", apart from the conversations; his conversation shows
// Accept / Block / Report; Accept (keyboard) moves it to the conversations,
// and his next message arrives as an ordinary one. A second stranger (Vic)
// writes twice; Rae ticks both messages in Report (checkboxes, keyboard) and
// sends them; then blocks Vic, whose next message never arrives: his client
// can no longer list her devices (404 to him) and the relay would refuse it
// anyway (tests/server/chat-requests.test.mjs), so nothing of it is stored,
// his screen never says "Delivered", and Rae's list never shows him while a
// later message from Sid does arrive. A moderator reads both ticked texts in
// the admin console's Moderation tab. axe on each screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { Client, dbQuery } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase().replace(/\W+/g, '')}.${process.pid}.${++serial}@example.test`;
  const user = await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email, id: user.id, handle: user.handle });
}

async function open(path, as) {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: as.cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(path, server.url).href);
  await screenBuilt(page);
  return { context, page, problems };
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
}

// who's page writes text to the open conversation and waits for it to reach a device.
async function write(page, text, want = /Delivered|Read/) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await page.locator('.chat-log li.chat-out', { hasText: text }).locator('.chat-status', { hasText: want }).waitFor();
}

test('a stranger\'s message is a request; accept moves it; ticked messages reach a moderator; a blocked stranger\'s next message never arrives', async () => {
  const rae = await person('Rae Receiver');
  const sid = await person('Sid Stranger');
  const vic = await person('Vic Villain');
  const mod = await person('Meg Moderator');
  const grant = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', mod.email, 'moderator'], { encoding: 'utf8' });
  assert.equal(grant.status, 0, grant.stderr);

  // Rae opens chat once, so her device (and its prekeys) exists to write to.
  const a = await open('/chat', rae);
  await waitForText(a.page, '.chat-note', 'No conversations yet');

  // Sid writes: delivered to Rae's device; her list shows him under Requests.
  const s = await open(`/chat/${rae.id}`, sid);
  await s.page.getByRole('heading', { name: 'Rae Receiver' }).waitFor();
  await write(s.page, 'Hello from Sid');
  const requests = a.page.getByRole('region', { name: 'Message requests' });
  await requests.getByRole('link', { name: /Sid Stranger/ }).waitFor();
  assert.equal(await a.page.locator('ul.chat-list:not(.chat-requests-list) li').count(), 0, 'not among the conversations');
  assert.deepEqual(await axe(a.page), []);

  // His conversation: Accept / Block / Report; Accept from the keyboard.
  await requests.getByRole('link', { name: /Sid Stranger/ }).click();
  const bar = a.page.getByRole('region', { name: /Sid Stranger.*wants to send you messages/ });
  await bar.waitFor();
  for (const name of ['Accept', 'Block', 'Report']) assert.equal(await bar.getByRole('button', { name }).count(), 1, name);
  assert.equal(await a.page.locator('.chat-log li.chat-in', { hasText: 'Hello from Sid' }).count(), 1);
  assert.deepEqual(await axe(a.page), []);
  await bar.getByRole('button', { name: 'Accept' }).focus();
  await a.page.keyboard.press('Enter');
  await bar.waitFor({ state: 'hidden' });
  assert.equal(await a.page.evaluate(() => document.activeElement?.id), 'chat-input', 'focus moves to the composer');
  // Accepted on the server: his next message is an ordinary one.
  await write(s.page, 'Thanks for accepting');
  await a.page.locator('.chat-log li.chat-in', { hasText: 'Thanks for accepting' }).waitFor();
  assert.equal(await bar.isVisible(), false);
  await a.page.getByRole('link', { name: 'All messages' }).click();
  await a.page.locator('ul.chat-list:not(.chat-requests-list)').getByRole('link', { name: /Sid Stranger/ }).waitFor();
  assert.equal(await a.page.getByRole('region', { name: 'Message requests' }).isVisible(), false, 'no requests left');

  // Vic writes twice; Rae reports both, ticked from the keyboard.
  const v = await open(`/chat/${rae.id}`, vic);
  await v.page.getByRole('heading', { name: 'Rae Receiver' }).waitFor();
  await write(v.page, 'You will regret it');
  await write(v.page, 'I know where you walk your dog');
  await requests.getByRole('link', { name: /Vic Villain/ }).click();
  const vbar = a.page.getByRole('region', { name: /Vic Villain.*wants to send you messages/ });
  await a.page.locator('.chat-log li.chat-in', { hasText: 'I know where you walk your dog' }).waitFor();
  await vbar.getByRole('button', { name: 'Report' }).focus();
  await a.page.keyboard.press('Enter');
  const dialog = a.page.getByRole('dialog', { name: 'Report this message' });
  await dialog.waitFor();
  assert.equal(await a.page.evaluate(() => document.activeElement?.type), 'checkbox', 'focus starts on the first message');
  await a.page.keyboard.press('Space');
  await a.page.keyboard.press('Tab');
  await a.page.keyboard.press('Space');
  assert.equal(await dialog.getByRole('checkbox', { name: 'You will regret it' }).isChecked(), true);
  assert.equal(await dialog.getByRole('checkbox', { name: 'I know where you walk your dog' }).isChecked(), true);
  await dialog.getByRole('radio', { name: 'Harassment or bullying' }).check();
  assert.deepEqual(await axe(a.page), []);
  await dialog.getByRole('button', { name: 'Send report' }).focus();
  await a.page.keyboard.press('Enter');
  await waitForText(a.page, '.report-dialog [role=status]', 'Thanks. A moderator will look at it.');
  await a.page.keyboard.press('Escape');
  await a.page.waitForFunction(() => document.activeElement?.textContent === 'Report');

  // Block: the conversation goes; Vic's next message is refused and never arrives.
  await vbar.getByRole('button', { name: 'Block' }).click();
  await a.page.waitForURL(/\/chat$/);
  await a.page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
  assert.equal(await a.page.getByRole('link', { name: /Vic Villain/ }).count(), 0);
  const box = v.page.getByLabel('Message', { exact: true });
  await box.fill('Are you ignoring me');
  await box.press('Enter');
  await v.page.locator('.chat-log li.chat-out', { hasText: 'Are you ignoring me' }).waitFor();
  // Nothing of it reaches Rae: a later message from Sid arrives, Vic's does not.
  await write(s.page, 'Still there?'); // a later message from an accepted person does arrive
  await a.page.locator('ul.chat-list').getByRole('link', { name: /Sid Stranger.*Still there\?/ }).waitFor();
  assert.equal(dbQuery(server, `SELECT count(*) FROM chat_messages m JOIN chat_devices d ON d.id = m.sender_device WHERE d.user_id = ${Number(vic.id.slice(2))} AND m.body IS NOT NULL`), '0',
    'the relay stored nothing of Vic\'s after the block (his earlier two were delivered and cleared)');
  assert.equal(await a.page.getByRole('link', { name: /Vic Villain/ }).count(), 0);
  assert.equal(await v.page.locator('.chat-log li.chat-out', { hasText: 'Are you ignoring me' }).locator('.chat-status', { hasText: /Delivered|Read/ }).count(), 0);
  assert.deepEqual(a.problems, []);
  assert.deepEqual(s.problems, []);
  // Vic's client retries: to him, Rae's devices are now 404 (a block hides her).
  assert.deepEqual(v.problems.filter((x) => !/status of 404/.test(x)), []);
  await Promise.all([a, s, v].map((p) => p.context.close()));

  // The moderator reads the two ticked texts in the Moderation tab.
  const m = await open('/admin', mod);
  const item = m.page.getByRole('button', { name: /Chat message.*Vic Villain.*1\u2069? report/ });
  await item.waitFor();
  await item.click();
  await m.page.getByRole('heading', { name: 'Chat message · Active' }).waitFor();
  await waitForText(m.page, '.mod-reports', '2 messages the reporter selected');
  assert.deepEqual(await m.page.locator('.mod-reports .mod-selected .mod-message').allTextContents(),
    ['You will regret it', 'I know where you walk your dog']);
  assert.deepEqual(await axe(m.page), []);
  assert.deepEqual(m.problems, []);
  await m.context.close();
});
