// The console's Security and Health tabs (issue 19, items 5 and 6) in
// Chromium against the real server, on a desktop and a phone: after a burst
// of failed sign-ins from one mapped address (PA_GEOIP_TEST_MAP) across
// several accounts, an admin reaches the Security tab with the arrow keys and
// reads the flagged address in words, the burst in the tables by hour and by
// country; the Health tab shows the sign-in route's request counter. axe on
// each tab. The exhaustive cases are in tests/server/security.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, plain } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { startServer } from '../lib/server.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
const SPRAYER = '127.77.0.1'; // mapped to Brazil
const ACCOUNTS = 3; // PA_API_SECURITY_SPRAY_ACCOUNTS: the burst reaches the threshold
let server, browser, port, tmp, admin;
let serial = 0;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-security-ui-'));
  const map = path.join(tmp, 'map.txt');
  writeFileSync(map, `${SPRAYER} BR\n`);
  server = await startServer({ seed: false, env: { PA_GEOIP_TEST_MAP: map } });
  browser = await launchBrowser();
  port = Number(new URL(server.url).port);
  admin = await person('Sam Sentinel');
  const cli = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', admin.email, 'admin'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  // The burst: one address, a wrong password for each of ACCOUNTS people.
  const sprayer = new Client({ port }, { address: SPRAYER });
  for (let i = 0; i < ACCOUNTS; i++) {
    const victim = await person(`Victim ${i}`);
    const r = await sprayer.post('/api/v1/auth/login', { email: victim.email, password: 'not-their-password' });
    assert.equal(r.status, 401);
  }
});
after(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});

async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase().replace(/\W+/g, '')}.${process.pid}.${++serial}@example.test`;
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
}

/** The cells of the table named caption, row by row, as the person reads them. */
const tableText = (page, caption) => page.getByRole('table', { name: caption }).evaluate((t) =>
  [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)));

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`${label}: the Security tab flags the address behind the burst; the Health tab counts the sign-ins`, async () => {
    const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
    await context.addCookies([{ name: 'pa_session', value: admin.cookie, url: server.url }]);
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(new URL('/admin', server.url).href);
    await page.getByRole('heading', { name: 'Admin console' }).waitFor();

    // By keyboard, as ARIA tabs go: Roles → Audit log → Security.
    await page.getByRole('tab', { name: 'Roles' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const tab = page.getByRole('tab', { name: 'Security' });
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const flagged = page.locator('.sec-suspicious').filter({ hasText: SPRAYER });
    await flagged.waitFor();
    const words = plain(await flagged.textContent());
    assert.match(words, /^Flagged One address trying many accounts: 127\.77\.0\.1, Brazil \(BR\)\./);
    assert.match(words, new RegExp(`Accounts tried: ${ACCOUNTS}\\. Failed sign-ins: ${ACCOUNTS}\\.$`));
    const byCountry = (await tableText(page, 'Events by country')).map((r) => r.map(plain));
    assert.deepEqual(byCountry.find((r) => r[0] === 'Brazil (BR)'), ['Brazil (BR)', String(ACCOUNTS), '0', '0', '0', '0']);
    const byHour = (await tableText(page, 'Events by hour')).map((r) => r.map(plain));
    assert.equal(byHour.reduce((n, r) => n + Number(r[1]), 0), ACCOUNTS, 'every failure in an hour row');
    const top = page.getByRole('table', { name: 'Busiest addresses' }).getByRole('row', { name: new RegExp(SPRAYER) });
    assert.match(plain(await top.textContent()), /Flagged/, 'the address is flagged in the table too, in words');
    assert.deepEqual(await axe(page), []);

    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Service health' }).getAttribute('aria-selected'), 'true');
    const routes = page.getByRole('table', { name: 'Requests by route since the start' });
    const login = routes.getByRole('row', { name: /POST \/api\/v1\/auth\/login/ });
    await login.waitFor();
    const cells = (await login.locator('td').allTextContents()).map(plain);
    assert.ok(Number(cells[0]) >= ACCOUNTS, `${cells[0]} sign-in requests counted`);
    assert.ok(Number(cells[2]) >= ACCOUNTS, 'the failed ones are refusals (4xx)');
    await page.getByRole('table', { name: 'Answer time by route' }).getByRole('row', { name: /POST \/api\/v1\/auth\/login/ }).waitFor();
    await page.getByRole('table', { name: 'The server now' }).getByRole('row', { name: /Payment webhooks waiting/ }).waitFor();
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });
}
