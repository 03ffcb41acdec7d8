// The admin console (issue 19) in Chromium against the real server: an admin
// made on the server's command line sees the header's link, opens /admin,
// grants a role to another person from the keyboard, and finds the grant in
// the Audit tab's table (reached with the arrow keys, as ARIA tabs are); an
// ordinary person sees no link and gets the refusal at /admin. axe on each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, plain, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { Client } from '../server/helpers.mjs';

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
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
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

test('an admin made on the command line grants moderator from the console and sees it in the audit tab', async () => {
  const admin = await person('Ada Console');
  const target = await person('Tom Target');
  const cli = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', admin.email, 'admin'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);

  const { context, page, problems } = await open('/admin', admin);
  await page.getByRole('heading', { name: 'Admin console' }).waitFor();
  assert.equal(await page.locator('#admin-link').isVisible(), true, 'the header links to the console');
  await page.getByRole('table', { name: 'People with a role' }).getByRole('cell', { name: '@ada_console' }).waitFor();
  assert.deepEqual(await axe(page), []);

  // From the keyboard: the email, Tab to the role, choose Moderator, Enter grants.
  const who = page.getByLabel('Email or handle');
  await who.focus();
  await page.keyboard.type(target.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-role');
  await page.getByLabel('Role', { exact: true }).selectOption('moderator');
  await who.focus();
  await page.keyboard.press('Enter');
  await waitForText(page, '.admin-status', 'Tom Target is now Moderator.');
  assert.deepEqual((await target.get('/api/v1/auth/session')).body.user.roles, ['moderator']);
  await page.getByRole('row', { name: /Tom Target/ }).getByRole('cell', { name: 'Moderator' }).waitFor();

  // The Audit tab, by arrow key from the Roles tab: the grant, with who and for whom.
  await page.getByRole('tab', { name: 'Roles' }).focus();
  await page.keyboard.press('ArrowRight');
  const auditTab = page.getByRole('tab', { name: 'Audit log' });
  assert.equal(await auditTab.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-tab-audit');
  const table = page.getByRole('table', { name: 'What the team did, newest first' });
  await table.waitFor();
  const first = table.locator('tbody tr').first();
  await waitForText(page, '#admin-panel-audit tbody tr:first-child', 'Granted Moderator');
  const cells = (await first.locator('td').allTextContents()).map(plain);
  assert.equal(cells[1], 'Ada Console (@ada_console)');
  assert.equal(cells[2], 'Granted Moderator');
  assert.equal(cells[3], 'Tom Target (@tom_target)');
  // The command line's grant of admin is the row below it, with no person as actor.
  const second = (await table.locator('tbody tr').nth(1).locator('td').allTextContents()).map(plain);
  assert.deepEqual(second.slice(1), ['Server command line', 'Granted Admin', 'Ada Console (@ada_console)']);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an ordinary person sees no console link and gets the refusal at /admin', async () => {
  const plainPerson = await person('Olive Ordinary');
  const { context, page, problems } = await open('/', plainPerson);
  await page.locator('#logout').waitFor();
  assert.equal(await page.locator('#admin-link').isHidden(), true);
  await page.goto(new URL('/admin', server.url).href);
  await page.getByRole('heading', { name: 'Not for you, sorry' }).waitFor();
  assert.equal(await page.getByRole('tab').count(), 0, 'no console');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
