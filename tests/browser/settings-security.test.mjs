// Settings → Change password and Chat devices in Chromium against the real
// server, driven from the keyboard: inline errors beside the field at fault,
// a password change that ends the other session and keeps this one; the
// device list with this browser's device marked, removing another device and
// then this one (chat here signs out: its database is deleted, and opening
// chat again registers a new device); the device cap said plainly in chat;
// axe on the settings screen with the list and with the remove dialog open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, screenBuilt, serverAndBrowser } from '../lib/app.mjs';
import { Client, chatBundle } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
const MAX_DEVICES = 5; // PA_CHAT_MAX_DEVICES (web/src/api/chat_relay.h)
let server, browser, port;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

// A person made over the API, from its own loopback address.
async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase().replace(/\W+/g, '')}.${process.pid}.${++serial}@example.test`;
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

async function apiDevice(c) {
  const r = await c.post('/api/v1/chat/devices', { bundle: chatBundle() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const deviceIds = async (c) => (await c.get('/api/v1/chat/devices')).body.devices.map((d) => d.id);

// The console's note about a refused request is expected (wrong password, 409).
const realProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));

async function open(path, { as, size = PHONE, colorScheme = 'light', bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: size, colorScheme, bypassCSP, serviceWorkers: 'block' });
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

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

test('change password from the keyboard: errors beside the field, then changed; the other session ends, this one stays', async () => {
  const owner = await person('Key Changer');
  const elsewhere = new Client({ port });
  await elsewhere.login(owner.email, PASSWORD);
  const { context, page, problems } = await open('/settings', { as: owner });
  const current = page.getByLabel('Current password');
  const fresh = page.getByLabel('New password');
  await current.waitFor();
  assert.equal(await current.getAttribute('autocomplete'), 'current-password');
  assert.equal(await fresh.getAttribute('autocomplete'), 'new-password');
  assert.equal(await current.getAttribute('type'), 'password');

  // Nothing typed: Enter in the first field submits; both say what is missing.
  await current.focus();
  await page.keyboard.press('Enter');
  await page.locator('#password-current-message').getByText('This field is required.').waitFor();
  assert.equal(await page.locator('#password-new-message').textContent(), 'This field is required.');
  assert.equal(await focusedId(page), 'password-current');
  assert.equal(await current.getAttribute('aria-invalid'), 'true');

  // A wrong current password and a short new one: the short one is caught here.
  await page.keyboard.type('not my password');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'password-new');
  await page.keyboard.type('short');
  await page.keyboard.press('Enter');
  await page.locator('#password-new-message').getByText('The password must be at least 10 characters long.').waitFor();
  assert.equal(await page.locator('#password-current-message').isHidden(), true);

  // A good new one: the server refuses the current one, beside its field.
  await fresh.fill('a brand new password');
  await page.keyboard.press('Enter');
  await page.locator('#password-current-message').getByText('The password is wrong.').waitFor();
  assert.equal(await focusedId(page), 'password-current');
  assert.equal(await fresh.inputValue(), 'a brand new password', 'nothing typed is lost');

  await current.fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('Password changed.', { exact: false }).waitFor();
  assert.equal(await current.inputValue(), '');
  assert.equal(await fresh.inputValue(), '');
  assert.equal(await page.locator('#password-current-message').isHidden(), true);

  assert.equal((await elsewhere.get('/api/v1/auth/session')).body.user, null, 'the other session ended');
  assert.equal((await owner.get('/api/v1/auth/session')).body.user.id, owner.user.id, 'this one stays');
  await page.reload();
  await page.locator('#logout').waitFor();
  await new Client({ port }).login(owner.email, 'a brand new password');
  assert.equal((await new Client({ port }).post('/api/v1/auth/login', { email: owner.email, password: PASSWORD })).status, 401);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('chat devices: this browser\'s is marked; remove another, then this one (chat here signs out), from the keyboard', async () => {
  const owner = await person('Device Owner');
  const [first, second] = [await apiDevice(owner), await apiDevice(owner)];
  const { context, page, problems } = await open('/chat', { as: owner, bypassCSP: true });
  // Opening chat registers this browser as a third device.
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  const known = new Set([first, second]);
  let mine;
  for (let i = 0; i < 200 && !mine; i++) {
    mine = (await deviceIds(owner)).find((d) => !known.has(d));
    if (!mine) await page.waitForTimeout(100);
  }
  assert.ok(mine, 'this browser registered a device');

  await page.goto(new URL('/settings', server.url).href);
  const rows = page.locator('ul.devices li');
  await rows.nth(2).waitFor();
  assert.deepEqual(await page.locator('ul.devices button[data-device]').evaluateAll((bs) => bs.map((b) => b.dataset.device)), [first, second, mine]);
  const marked = rows.filter({ hasText: 'This device' });
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.locator('button[data-device]').getAttribute('data-device'), mine);
  assert.match(await rows.first().textContent(), new RegExp(`Device \u2068?${first.slice(2)}\u2069?, added`));

  // Another device: Remove, then Tab from Cancel to the dialog's Remove.
  await page.locator(`button[data-device="${first}"]`).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Messages waiting for it are deleted/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
  assert.deepEqual(await axe(page), []);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('Device removed.', { exact: true }).waitFor();
  await page.locator(`button[data-device="${first}"]`).waitFor({ state: 'detached' });
  assert.deepEqual(await deviceIds(owner), [second, mine]);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.device), second, 'focus stays in the list');

  // Escape cancels: nothing removed.
  await page.locator(`button[data-device="${mine}"]`).focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /This is the browser you are using/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(await deviceIds(owner), [second, mine]);

  // This browser's device: chat here signs out and its database goes.
  const dbName = `petamigos-chat-${owner.user.id}`;
  assert.ok((await page.evaluate(() => indexedDB.databases())).some((d) => d.name === dbName));
  await page.locator(`button[data-device="${mine}"]`).focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('Device removed. Chat in this browser is signed out.').waitFor();
  assert.deepEqual(await deviceIds(owner), [second]);
  assert.equal(await page.locator('ul.devices li').count(), 1);
  assert.equal((await page.evaluate(() => indexedDB.databases())).some((d) => d.name === dbName), false, 'the chat database is deleted');
  assert.equal(await page.locator('.device-this').count(), 0);

  // Opening chat again starts afresh as a new device.
  await page.goto(new URL('/chat', server.url).href);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  let again;
  for (let i = 0; i < 200 && !again; i++) {
    again = (await deviceIds(owner)).find((d) => d !== second);
    if (!again) await page.waitForTimeout(100);
  }
  assert.ok(again && again !== mine, `a new device (${again}), not ${mine} again`);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test(`chat at the device cap (${MAX_DEVICES}) says so and links to Settings; nothing is evicted`, async () => {
  const owner = await person('Many Devices');
  const ids = [];
  for (let i = 0; i < MAX_DEVICES; i++) ids.push(await apiDevice(owner));
  const { context, page, problems } = await open('/chat', { as: owner });
  await page.getByRole('status').getByText(new RegExp(`Your account has reached its limit of chat devices \\(\u2068?${MAX_DEVICES}\u2069?\\)`)).waitFor();
  const link = page.getByRole('link', { name: 'Manage chat devices' });
  assert.equal(await link.getAttribute('href'), '/settings#settings-devices');
  assert.deepEqual(await deviceIds(owner), ids);
  await link.click();
  await page.locator('ul.devices li').nth(MAX_DEVICES - 1).waitFor();
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('axe: settings with the password form and the device list, phone and desktop, light and dark', async () => {
  const owner = await person('Axe Devices');
  await apiDevice(owner);
  for (const size of [PHONE, DESKTOP]) {
    for (const colorScheme of ['light', 'dark']) {
      const { context, page, problems } = await open('/settings', { as: owner, size, colorScheme, bypassCSP: true });
      await page.locator('ul.devices li').first().waitFor();
      await page.getByRole('button', { name: 'Change password' }).click(); // with its messages showing
      await page.locator('#password-current-message').waitFor();
      assert.deepEqual(await axe(page), [], `${size.width}px ${colorScheme}`);
      assert.deepEqual(realProblems(problems), []);
      await context.close();
    }
  }
});
