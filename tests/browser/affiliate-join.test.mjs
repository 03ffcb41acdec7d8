// The affiliate program's join screen in Chromium (issue 21): an affiliate
// reaches /affiliate from Settings, joins as a shelter from the keyboard,
// copies the link (the clipboard holds it; the copy is announced), gets an
// embed snippet that carries the code; a newcomer in a second browser
// context follows the copied link and signs up through the ordinary form,
// and the sign-up is attributed to the affiliate (their stats say so). axe
// at phone and desktop size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;
const mail = (tag) => `${tag}.${process.pid}.${++serial}@example.test`;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

async function person(name) {
  const c = new Client({ port });
  const email = mail(name.toLowerCase().replace(/\W+/g, ''));
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

async function open(path, { size = PHONE, as = null, clipboard = false } = {}) {
  const context = await browser.newContext({ viewport: size, serviceWorkers: 'block' });
  if (clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  if (as) await context.addCookies([{ name: 'pa_session', value: as.cookie, url: server.url }]);
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

test('an affiliate joins from Settings and copies the link; a newcomer signs up through it in another browser', async () => {
  const shelter = await person('Happy Tails Shelter');
  const { context, page, problems } = await open('/settings', { as: shelter, clipboard: true });
  const link = page.locator('a.settings-affiliate');
  await link.waitFor();
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/affiliate$/);
  await page.locator('h1#aff-title').waitFor();
  assert.deepEqual(await axe(page), []);
  // Join from the keyboard: the kind's radio, then the button.
  await page.locator('#aff-kind-shelter').focus();
  await page.keyboard.press('Space');
  await page.locator('form.aff-join button[type=submit]').focus();
  await page.keyboard.press('Enter');
  const copy = page.locator('#aff-link-copy');
  await copy.waitFor();
  await waitForText(page, '.affiliate p.done', 'You joined. Your link is ready to share.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'aff-link-copy');
  const code = await page.locator('.aff-code code').textContent();
  assert.match(code, /^[a-z0-9]{8}$/);
  const value = await page.inputValue('#aff-link');
  assert.equal(value, `${server.url}r/${code}`);
  const joined = await shelter.get('/api/v1/affiliate');
  assert.equal(joined.body.affiliate.kind, 'shelter');
  assert.equal(joined.body.affiliate.link, value);
  await page.keyboard.press('Enter');
  await waitForText(page, '#aff-link-status', 'Link copied');
  assert.equal(await page.locator('#aff-link-status').getAttribute('role'), 'status');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, value);
  assert.deepEqual(await axe(page), []);

  // The embed snippet of a post carries the code; a wrong address is said beside the field.
  await page.fill('#aff-embed-url', `${server.url}market`);
  await page.locator('form.aff-embed button[type=submit]').click();
  await waitForText(page, '#aff-embed-error', 'That is not the address of a post or listing on PetAmigos that can be shown.');
  assert.equal(await page.locator('#aff-embed-url').getAttribute('aria-invalid'), 'true');
  const post = (await new Client({ port }).get('/api/v1/feed?limit=1')).body.posts[0].id;
  await page.fill('#aff-embed-url', `${server.url}posts/${post}`);
  await page.keyboard.press('Enter');
  const snippet = page.locator('#aff-snippet');
  await snippet.waitFor();
  const html = await snippet.inputValue();
  assert.ok(html.includes(`data-post-id="${post}"`), html);
  assert.ok(html.includes(`data-ref="${code}"`), html);
  assert.ok(html.includes(`${server.url}r/${code}?to=%2Fposts%2F${post}`), html);
  await page.locator('#aff-snippet-copy').click();
  await waitForText(page, '#aff-snippet-status', 'Embed code copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), html);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);

  // A newcomer, in a browser of their own on a desktop, follows the copied link and signs up.
  const other = await open('/', { size: DESKTOP });
  await other.page.goto(copied);
  await screenBuilt(other.page);
  assert.equal(new URL(other.page.url()).pathname, '/');
  const [cookie] = (await other.context.cookies()).filter((c) => c.name === 'pa_aff');
  assert.ok(cookie, 'the first-touch cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.ok(cookie.value.startsWith(`${code}.`));
  await other.page.goto(new URL('/signup', server.url).href);
  await other.page.locator('#display_name').waitFor();
  await other.page.fill('#display_name', 'New Cat Person');
  await other.page.fill('#email', mail('newcomer'));
  await other.page.fill('#password', PASSWORD);
  await other.page.keyboard.press('Enter');
  await other.page.locator('#logout').waitFor();
  const stats = (await shelter.get('/api/v1/affiliate/stats')).body;
  assert.equal(stats.months.at(-1).signups, 1);
  assert.equal(stats.months.at(-1).clicks, 1);
  assert.deepEqual(stats.refused, []);
  assert.deepEqual(await axe(other.page), []);
  await other.context.close();

  // The same screen on a desktop, for someone who joined already: the code, no form.
  const desk = await open('/affiliate', { size: DESKTOP, as: shelter });
  await desk.page.locator('#aff-link').waitFor();
  assert.equal(await desk.page.locator('form.aff-join').count(), 0);
  assert.equal(await desk.page.inputValue('#aff-link'), value);
  assert.deepEqual(await axe(desk.page), []);
  await desk.context.close();
  await context.close();
});
