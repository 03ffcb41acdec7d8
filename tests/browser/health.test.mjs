// The pet-health dashboard in Chromium against the real server (issue 19,
// "Done when"): on a phone an owner goes from the pet's page to its health
// record from the keyboard, adds a vaccination due tomorrow (a missing field
// is named beside it first); the server comes back with its clock two days
// on (PA_TEST_CLOCK_OFFSET) and the reminder is among the notifications,
// once; the owner logs three weights and the weight chart's table lists
// them, oldest first. On a desktop the vet opens the share link without a
// session and reads the same table. axe on each screen, phone and desktop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { DESKTOP, PHONE, plain, screenBuilt, tabTo, waitForText } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
const DAY = 86400;
let first, server, browser;

before(async () => {
  first = await startServer();
  server = first;
  browser = await launchBrowser();
});
after(async () => {
  try {
    await browser?.close();
  } finally {
    // The restarted server keeps the data; the first one removes it.
    if (server !== first) await server.stop();
    await first.stop();
  }
});

// The server again on the same data and port, its clock moved by offset seconds.
async function restart(offset) {
  const { dir, url } = server;
  await server.down();
  server = await startServer({ data: dir, port: Number(new URL(url).port), seed: false,
    env: { PA_TEST_CLOCK_OFFSET: String(offset) } });
}

async function open(path, { cookie, size }) {
  const context = await browser.newContext({ viewport: size, serviceWorkers: 'block' });
  if (cookie) await context.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
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

const isoDay = (days) => new Date(Date.now() + days * DAY * 1000).toISOString().slice(0, 10);
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
// The console's note about a request the server refused on purpose is expected.
const realProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));
const tableRows = (page, selector) => page.$$eval(`${selector} tbody tr`, (rows) =>
  rows.map((r) => [...r.children].map((c) => c.textContent.replace(/[\u2066-\u2069]/g, ''))));

test('an owner adds a vaccination due tomorrow, is reminded once two days on, logs three weights; a vet reads them', async () => {
  const owner = new Client({ port: Number(new URL(server.url).port) });
  await owner.signup(`health.${process.pid}@example.test`, PASSWORD, 'Hana Health');
  const pet = (await owner.post('/api/v1/pets', { name: 'Mochi', species: 'dog' })).body;

  // Phone: the pet's page → its health record, from the keyboard.
  let { context, page, problems } = await open(`/pets/${pet.id}`, { cookie: owner.cookie, size: PHONE });
  await page.getByRole('link', { name: 'Health record' }).waitFor();
  await tabTo(page, () => document.activeElement?.textContent === 'Health record', 'the health link');
  await page.keyboard.press('Enter');
  await waitForText(page, 'h1', 'Mochi’s health');
  assert.deepEqual(await axe(page), [], 'axe: the empty health record on a phone');

  // The vaccination: Enter with the vaccine missing names it beside its field.
  const vaccine = page.locator('#health-vaccinations-name');
  await vaccine.focus();
  await page.keyboard.press('Enter');
  await page.locator('#health-vaccinations-name-message').getByText('Fill in this field.').waitFor();
  assert.equal(await focusedId(page), 'health-vaccinations-name');
  assert.equal(await vaccine.getAttribute('aria-invalid'), 'true');
  await page.keyboard.type('Rabies booster');
  await page.getByLabel('Given on').fill(isoDay(-365));
  await page.getByLabel('Due on (optional)').fill(isoDay(1));
  await vaccine.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('Saved.').waitFor();
  await waitForText(page, '#health-h-vaccinations ~ .health-list', 'Rabies booster');
  await waitForText(page, '.health-upcoming', 'Rabies booster');
  assert.equal(await focusedId(page), 'health-vaccinations-name', 'focus back on the form for the next one');
  // Nothing is due yet.
  const before = await owner.get('/api/v1/notifications');
  assert.deepEqual(before.body.notifications.filter((n) => n.kind === 'health_due'), []);
  await context.close();

  // Two days on: the reminder is there, once.
  await restart(2 * DAY);
  ({ context, page, problems } = await open('/notifications', { cookie: owner.cookie, size: PHONE }));
  await waitForText(page, '#screen', 'Rabies booster for Mochi is due.');
  const said = await page.$$eval('#screen li', (items) => items.map((i) => i.textContent.replace(/[\u2066-\u2069]/g, '')));
  assert.equal(said.filter((s) => s.includes('Rabies booster for Mochi is due.')).length, 1, said.join('\n'));
  assert.deepEqual(await axe(page), [], 'axe: notifications with the reminder');

  // It links to the record; three weights, oldest typed last.
  const reminder = page.locator(`#screen li a[href="/pets/${pet.id}/health"]`);
  assert.equal(plain(await reminder.textContent()), 'Rabies booster for Mochi is due.');
  await reminder.focus();
  await page.keyboard.press('Enter');
  await waitForText(page, 'h1', 'Mochi’s health');
  const weights = [[isoDay(-1), '12.6'], [isoDay(-20), '12'], [isoDay(-10), '12.35']];
  for (const [i, [date, kg]] of weights.entries()) {
    await page.locator('#health-weights-date').fill(date);
    await page.locator('#health-weights-grams').fill(kg);
    await page.locator('#health-weights-grams').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.health-weight-table tbody tr').length === n, i + 1);
  }
  await page.waitForFunction(() => document.querySelectorAll('.health-weight-table tbody tr').length === 3);
  const rows = await tableRows(page, '.health-weight-table');
  assert.deepEqual(rows.map((r) => r[1]), ['12 kg', '12.35 kg', '12.6 kg'], 'oldest first, as logged');
  assert.equal(await page.locator('.health-weight-table caption').textContent(), 'Weight over time');
  assert.equal(await page.locator('.health-weight-table th[scope="col"]').count(), 2);
  assert.equal(await page.locator('.health-chart svg[aria-hidden="true"] circle').count(), 3, 'one dot per weight');
  // The server kept whole grams.
  const kept = (await owner.get(`/api/v1/pets/${pet.id}/health/weights`)).body.weights.map((w) => w.grams).sort();
  assert.deepEqual(kept, [12000, 12350, 12600]);
  // A weight with a fourth decimal is refused beside its field.
  await page.locator('#health-weights-date').fill(isoDay(0));
  await page.locator('#health-weights-grams').fill('12.3456');
  await page.locator('#health-weights-grams').focus();
  await page.keyboard.press('Enter');
  await page.locator('#health-weights-grams-message').getByText('Enter a weight in kilograms, like 12.5.').waitFor();
  assert.deepEqual(await axe(page), [], 'axe: the record with a chart and an error on a phone');

  // The share link for the vet.
  await page.getByLabel('Link works for (days)').fill('3');
  await page.getByLabel('Link works for (days)').focus();
  await page.keyboard.press('Enter');
  const url = page.locator('#health-share-url');
  await url.waitFor();
  assert.equal(await focusedId(page), 'health-share-url');
  const link = new URL(await url.inputValue());
  assert.match(link.pathname, /^\/vet\/[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(realProblems(problems), []);
  await context.close();

  // Desktop: the vet, without a session, reads the same weights; axe there and on the owner's screen.
  ({ context, page, problems } = await open(link.pathname, { size: DESKTOP }));
  await waitForText(page, 'h1', 'Mochi’s health record');
  await page.waitForFunction(() => document.querySelectorAll('.health-weight-table tbody tr').length === 3);
  assert.deepEqual((await tableRows(page, '.health-weight-table')).map((r) => r[1]), ['12 kg', '12.35 kg', '12.6 kg']);
  assert.equal(await page.locator('form').count(), 0, 'read-only: no forms');
  assert.deepEqual(await axe(page), [], 'axe: the vet view on a desktop');
  assert.deepEqual(realProblems(problems), []);
  await context.close();
  ({ context, page, problems } = await open(`/pets/${pet.id}/health`, { cookie: owner.cookie, size: DESKTOP }));
  await page.waitForFunction(() => document.querySelectorAll('.health-weight-table tbody tr').length === 3);
  assert.ok(plain(await page.locator('.health-upcoming, .health-empty').first().textContent()).length > 0);
  assert.deepEqual(await axe(page), [], 'axe: the owner\'s record on a desktop');
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
