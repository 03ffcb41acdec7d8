// Moderation in Chromium against the real server (issue 19, "Done when"): a
// person reports a post from its page (the Report dialog, from the
// keyboard) → a moderator, made on the server's command line, opens the
// console's Moderation tab, reads the post in context and hides it with a
// note (the result said in the live region) → the post is gone for a third
// person and marked for its author → an admin's Audit tab shows who did it
// and when. Then a chat message: its receiver reports it from the chat
// screen (the dialog says its text goes to the moderators, E2E) → the
// moderator reads that text in the Moderation tab. On a phone and on a
// desktop, axe on each screen. The exhaustive
// cases (every route's roles, every action on every surface) are in
// tests/server/moderation.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, plain, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { Client, png } from '../server/helpers.mjs';

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

function grant(who, role) {
  const r = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', who.email, role], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function open(path, as, viewport) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
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

for (const [device, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${device}: a report → a moderator hides the post → gone for a third person → the audit log shows who and when`, async () => {
    const author = await person(`Ann Author ${device}`);
    const reporter = await person(`Rey Reporter ${device}`);
    const mod = await person(`Mo Moderator ${device}`);
    const third = await person(`Tia Third ${device}`);
    const admin = await person(`Ada Admin ${device}`);
    grant(mod, 'moderator');
    grant(admin, 'admin');
    const pet = (await author.post('/api/v1/pets', { name: 'Biscuit', species: 'dog' })).body;
    const media = await author.upload(png(30 + serial, 20), 'image/png');
    const caption = `Biscuit on the sofa (${device})`;
    const p = (await author.post('/api/v1/posts', { caption, media_ids: [media.id], pet_ids: [pet.id] })).body;

    // The reporter: Report, from the keyboard, with a reason and a note.
    {
      const { context, page, problems } = await open(`/posts/${p.id}`, reporter, viewport);
      const report = page.getByRole('button', { name: 'Report' });
      await report.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Report this post' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.value), 'spam', 'focus starts on the first reason');
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown'); // spam → … → animal cruelty
      assert.equal(await dialog.getByRole('radio', { name: 'Animal cruelty' }).isChecked(), true);
      await page.keyboard.press('Tab');
      await page.keyboard.type('The dog looks hurt');
      assert.deepEqual(await axe(page), []);
      await dialog.getByRole('button', { name: 'Send report' }).focus();
      await page.keyboard.press('Enter');
      await waitForText(page, '.report-dialog [role=status]', 'Thanks. A moderator will look at it.');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.activeElement?.textContent === 'Reported');
      assert.deepEqual(problems, []);
      await context.close();
    }

    // The moderator: the Moderation tab and the Lives tab (issue 24: moderators end lives) — the only
    // two a moderator sees —, the post in context, Hide with a note.
    {
      const { context, page, problems } = await open('/admin', mod, viewport);
      const tabs = page.getByRole('tab');
      await page.getByRole('tab', { name: 'Moderation' }).waitFor();
      assert.deepEqual(await tabs.allTextContents(), ['Moderation', 'Lives'], 'a moderator sees Moderation and Lives only');
      // Names in messages are isolated (U+2068 … U+2069): the pattern allows them.
      const item = page.getByRole('button', { name: new RegExp(`Post\u2069? · \u2068?Ann Author ${device} \\(@${author.handle}\\)\u2069? · \u2068?1\u2069? report`) });
      await item.waitFor();
      await item.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Post · Shown' }).waitFor();
      await waitForText(page, '.mod-context', caption);
      await waitForText(page, '.mod-reports', 'Animal cruelty');
      await waitForText(page, '.mod-reports', 'The dog looks hurt');
      assert.deepEqual(await axe(page), []);
      await page.getByLabel('Action').selectOption('hide');
      await page.getByLabel('Note to the person (optional)').fill('Please do not post injuries');
      await page.getByRole('button', { name: 'Apply' }).focus();
      await page.keyboard.press('Enter');
      await waitForText(page, '#admin-panel-moderation [role=status]', 'Hide: done. State: Hidden.');
      await page.getByRole('heading', { name: 'Post · Hidden' }).waitFor();
      // The queue is read again after the action: it no longer lists the post.
      await item.waitFor({ state: 'detached' });
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(problems, []);
      await context.close();
    }

    // A third person: the post is gone, on its page and in the feed.
    {
      const { context, page, problems } = await open(`/posts/${p.id}`, third, viewport);
      await waitForText(page, '[role=alert]', 'This page does not exist, or it was removed.');
      assert.equal(await page.getByText(caption).count(), 0);
      const feed = await third.get('/api/v1/feed?limit=50');
      assert.ok(!feed.body.posts.some((x) => x.id === p.id));
      assert.deepEqual(problems.filter((x) => !/404/.test(x)), []);
      await context.close();
    }

    // Its author still sees it, marked.
    {
      const { context, page } = await open(`/posts/${p.id}`, author, viewport);
      await waitForText(page, '.mod-note', 'A moderator hid this. Only you can see it.');
      await context.close();
    }

    // An admin: the Audit tab shows who hid what and when.
    {
      const t0 = Date.now();
      const { context, page, problems } = await open('/admin', admin, viewport);
      await page.getByRole('tab', { name: 'Roles' }).waitFor();
      await page.getByRole('tab', { name: 'Roles' }).focus();
      await page.keyboard.press('ArrowRight');
      await waitForText(page, '#admin-panel-audit tbody tr:first-child', 'Moderation: Hide');
      const cells = (await page.locator('#admin-panel-audit tbody tr').first().locator('td').allTextContents()).map(plain);
      assert.equal(cells[1], `Mo Moderator ${device} (@${mod.handle})`);
      assert.equal(cells[2], 'Moderation: Hide');
      assert.equal(cells[3], `Post ${p.id}`);
      const at = Date.parse(await page.locator('#admin-panel-audit tbody tr').first().locator('time').getAttribute('datetime'));
      assert.ok(at <= t0 && t0 - at < 10 * 60_000, 'when: just now');
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}

// A chat message reported from the chat screen: chat is end-to-end encrypted,
// so the report carries the text the reporter's device decrypted, and the
// dialog says so before it is sent; the moderator reads that text in the
// Moderation tab. Both people keep their browser context (and so their chat
// device) for the whole conversation.
for (const [device, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${device}: a chat message reported from the chat → a moderator reads its text in the Moderation tab`, async () => {
    const reporter = await person(`Rae Receiver ${device}`);
    const sender = await person(`Sid Sender ${device}`);
    const mod = await person(`Meg Moderator ${device}`);
    grant(mod, 'moderator');
    const text = `You will regret posting that, ${device} person`;

    // The reporter opens chat once, so a device (and its prekeys) exists to write to.
    const a = await open('/chat', reporter, viewport);
    await a.page.getByRole('heading', { name: 'Messages' }).waitFor();
    await waitForText(a.page, '.chat-note', 'No conversations yet');

    // The sender writes; delivered to the reporter's device.
    const b = await open(`/chat/${reporter.id}`, sender, viewport);
    await b.page.getByRole('heading', { name: `Rae Receiver ${device}` }).waitFor();
    const box = b.page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
    await b.page.locator('.chat-log li.chat-out', { hasText: text }).locator('.chat-status', { hasText: /Delivered|Read/ }).waitFor();
    assert.equal(await b.page.locator('.chat-report').count(), 0, 'no Report on one\'s own messages');

    // The reporter: the message, its Report button (keyboard), the dialog that says what is shared.
    await a.page.goto(new URL(`/chat/${sender.id}`, server.url).href);
    const bubble = a.page.locator('.chat-log li.chat-in', { hasText: text });
    await bubble.waitFor();
    const report = bubble.getByRole('button', { name: 'Report' });
    await report.focus();
    await a.page.keyboard.press('Enter');
    const dialog = a.page.getByRole('dialog', { name: 'Report this message' });
    await dialog.waitFor();
    await waitForText(a.page, '.report-dialog .report-shared', 'Reporting this message shares its text');
    assert.equal(await dialog.locator('.report-quote').textContent(), text, 'the dialog shows the text that will be shared');
    assert.equal(await a.page.evaluate(() => document.activeElement.value), 'spam', 'focus starts on the first reason');
    await a.page.keyboard.press('ArrowDown'); // spam → harassment
    assert.equal(await dialog.getByRole('radio', { name: 'Harassment or bullying' }).isChecked(), true);
    assert.deepEqual(await axe(a.page), []);
    await dialog.getByRole('button', { name: 'Send report' }).focus();
    await a.page.keyboard.press('Enter');
    await waitForText(a.page, '.report-dialog [role=status]', 'Thanks. A moderator will look at it.');
    assert.deepEqual(await axe(a.page), []);
    await a.page.keyboard.press('Escape');
    await a.page.waitForFunction(() => document.activeElement?.textContent === 'Reported');
    assert.deepEqual(a.problems, []);
    assert.deepEqual(b.problems, []);
    await a.context.close();
    await b.context.close();

    // The moderator: the message in the queue under its sender, the reported text in its report.
    const m = await open('/admin', mod, viewport);
    const item = m.page.getByRole('button', { name: new RegExp(`Chat message\u2069? · \u2068?Sid Sender ${device} \\(@${sender.handle}\\)\u2069? · \u2068?1\u2069? report`) });
    await item.waitFor();
    await item.focus();
    await m.page.keyboard.press('Enter');
    await m.page.getByRole('heading', { name: 'Chat message · Active' }).waitFor();
    await waitForText(m.page, '.mod-reports', 'Harassment or bullying');
    assert.equal(await m.page.locator('.mod-reports .mod-message').textContent(), text);
    assert.deepEqual(await axe(m.page), []);
    assert.deepEqual(m.problems, []);
    await m.context.close();
  });
}
