// The affiliate journey in Chromium (issue 21, the first "Done when"), against
// the real server and the payment simulator (web/paysim/): an affiliate joins
// on the Affiliate screen and copies their link (the clipboard read back); a
// newcomer opens it in another browser, signs up there and buys Plus through
// the simulated PayPal's approval page; the affiliate follows the Affiliate
// screen's link to their dashboard, by keyboard, and reads a pending
// commission of 25 % of the net amount (gross − the simulator's fee), their
// click, sign-up and conversion in the month's row; the simulator refunds
// the newcomer within the hold and the dashboard shows the commission
// reversed and nothing pending. Self-referral: the affiliate's own link,
// opened in a fresh browser to sign up a variant of their own e-mail, is
// refused (no sign-up counted, the refusal's reason on the dashboard). axe
// at phone and desktop sizes at each screen. Words are the catalogs'
// (through the WASM core), prices the core's. One server and one simulator
// for the file; waits are for conditions, never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE } from '../lib/app.mjs';
import { until } from '../lib/paysim.mjs';
import { axe, enter, i18n, mail, said, shopWorld, text, words } from './shop-world.mjs';
import { Client } from '../server/helpers.mjs';
import { commissionOf, earningsWhen, linkPath } from './affiliate-world.mjs';

const w = shopWorld({ database: 'pa_affjourney', quietSim: true });
const { open, visit } = w;
const PASSWORD = 'correct horse battery';
const usd = (tag, minor) => i18n.number(tag, (minor / 100).toFixed(2), 'currency', 'USD');
const rows = (locator) => locator.locator('tbody tr').evaluateAll((trs) =>
  trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/[\u2066-\u2069]/g, ''))));

/** A browser of its own with no session (a newcomer's), its page and the page's errors. */
async function stranger(size) {
  const context = await w.browser.newContext({ viewport: size, locale: 'en-US', bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.startsWith(w.sim.url)) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  return { context, page, problems };
}

/** The sign-up form, as a person fills it, then on to next. */
async function signUp(page, email, name, next) {
  await page.goto(`${w.server.url}signup?next=${encodeURIComponent(next)}`);
  await page.locator('#display_name').waitFor();
  await page.fill('#display_name', name);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === next);
}

/** The Affiliate screen's link to the dashboard, pressed from the keyboard. */
async function toDashboard(page) {
  await visit(page, '/affiliate');
  const link = page.locator('#screen a[href="/affiliate/dashboard"]');
  await link.waitFor();
  await enter(link);
  await page.waitForURL((u) => u.pathname === '/affiliate/dashboard');
  await page.locator('.aff-activity-table, #screen .mkt-status:not(:empty)').first().waitFor();
}

let affiliate; // { c, page, context, problems, link, email } of the first test, for the second

test('an affiliate copies their link; a newcomer signs up through it in another browser and buys Plus; 25 % of the net is pending, then reversed by a refund in the hold', async () => {
  const email = mail('journey-aff');
  const aff = new Client({ port: Number(new URL(w.server.url).port) });
  await aff.signup(email, PASSWORD, 'Journey Affiliate');
  // ---- the affiliate joins on the Affiliate screen and copies their link
  const a = await open(aff.cookie, { size: DESKTOP, locale: 'en-US' });
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(w.server.url).origin });
  await visit(a.page, '/affiliate');
  const join = a.page.locator('#screen form.aff-join button[type="submit"]');
  await join.waitFor();
  await axe(a.page, 'the Affiliate screen before joining');
  await enter(join);
  const copy = a.page.locator('#aff-link-copy');
  await copy.waitFor();
  const joined = (await aff.get('/api/v1/affiliate')).body.affiliate;
  assert.ok(joined?.link, 'joined, with a link');
  await enter(copy);
  await said(a.page, '#aff-link-status', words('en', 'affiliate.copied'));
  assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), joined.link, 'the link on the clipboard');
  await axe(a.page, 'the Affiliate screen with the link');

  // ---- a newcomer opens it in another browser, signs up there and buys Plus at PayPal's page
  const n = await stranger(PHONE);
  await n.page.goto(linkPath(w, joined.link));
  await n.page.waitForURL((u) => u.origin === new URL(w.server.url).origin && !u.pathname.startsWith('/r/'));
  await signUp(n.page, mail('newcomer'), 'New Comer', '/plans');
  const offer = n.page.locator('.billing-offer[data-provider="paypal"]');
  await offer.locator('button').waitFor();
  await n.page.locator('#plans-interval-month').check();
  await offer.locator('button').click();
  await n.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await n.page.getByRole('button', { name: 'Approve' }).click();
  await n.page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === '/billing/return');
  await n.page.locator('.billing[data-state="active"]').waitFor();
  const charges = (await w.sim.record()).money.filter((m) => m.kind === 'charge');
  assert.equal(charges.length, 1, 'the newcomer\'s one payment');
  const [sale] = charges;
  assert.ok(sale.fee_minor > 0, 'PayPal kept a fee');
  const net = sale.gross_minor - sale.fee_minor;
  const commission = commissionOf(sale);
  assert.equal(commission, Math.trunc((net * 25) / 100), '25 % of the net amount');

  // ---- the affiliate's dashboard: the click, sign-up and conversion; 25 % of the net, pending
  const earned = await earningsWhen(aff, 'the commission', (e) => e.commissions.length === 1);
  const [com] = earned.commissions;
  assert.deepEqual([com.state, com.base_minor, com.commission_minor], ['pending', net, commission], JSON.stringify(com));
  await toDashboard(a.page);
  const item = a.page.locator(`.aff-commission[data-id="${com.id}"]`);
  await item.waitFor();
  assert.equal(await item.getAttribute('data-state'), 'pending');
  assert.equal(await text(item.locator('p').first()),
    words('en', 'affdash.com.subscription', { price: usd('en', commission), total: usd('en', net), date: Date.parse(com.at) }));
  assert.equal(await text(item.locator('.aff-state')), words('en', 'affdash.com.pending', { date: Date.parse(com.release_at) }));
  const month = (await rows(a.page.locator('.aff-activity-table'))).at(-1);
  assert.deepEqual(month.slice(1), ['1', '1', '1'], 'this month: one click, one sign-up, one conversion');
  assert.equal((await rows(a.page.locator('.aff-balance[data-currency="USD"] table')))[0][1], usd('en', commission), 'pending');
  await axe(a.page, 'the dashboard with a pending commission');

  // ---- the newcomer is refunded within the hold: the commission is reversed
  await w.sim.refund('paypal', sale.txn_id, sale.gross_minor);
  await earningsWhen(aff, 'the reversal', (e) => e.commissions[0]?.state === 'reversed');
  await a.page.reload();
  await a.page.locator(`.aff-commission[data-id="${com.id}"][data-state="reversed"]`).waitFor();
  assert.equal(await text(item.locator('.aff-state')), words('en', 'affdash.com.reversed'));
  assert.equal(await text(item.locator('p').first()), words('en', 'affdash.com.subscriptionOn', { date: Date.parse(com.at) }));
  assert.deepEqual((await rows(a.page.locator('.aff-balance[data-currency="USD"] table'))).map((r) => r[1]),
    [usd('en', 0), usd('en', 0), usd('en', 0), usd('en', 0)], 'nothing pending, approved, paid or carried');
  await axe(a.page, 'the dashboard with the commission reversed');
  assert.deepEqual(n.problems, []);
  await n.context.close();
  affiliate = { c: aff, ...a, link: joined.link, email };
});

test('self-referral: the affiliate\'s own link used to sign up their own e-mail variant attributes nothing', async () => {
  assert.ok(affiliate, 'the first test\'s affiliate');
  const { c: aff, page } = affiliate;
  const before = (await aff.get('/api/v1/affiliate/stats')).body;
  const signups = before.months.reduce((s, m) => s + m.signups, 0);
  // Their own address with a +tag: the same mailbox.
  const variant = affiliate.email.replace('@', '+again@');
  const s = await stranger(DESKTOP);
  await s.page.goto(linkPath(w, affiliate.link));
  await s.page.waitForURL((u) => !u.pathname.startsWith('/r/'));
  await signUp(s.page, variant, 'Journey Affiliate Again', '/');
  const after = await until('the refusal recorded', async () => {
    const st = (await aff.get('/api/v1/affiliate/stats')).body;
    return st.refused.some((r) => r.reason === 'self_referral' && r.n === 1) && st;
  });
  assert.equal(after.months.reduce((x, m) => x + m.signups, 0), signups, 'no sign-up attributed');
  await toDashboard(page);
  const line = page.locator('.aff-refused li[data-reason="self_referral"]');
  await line.waitFor();
  assert.equal(await text(line), words('en', 'affdash.refusedLine', { reason: words('en', 'affdash.reason.self_referral'), count: 1 }));
  await axe(page, 'the dashboard with a refused sign-up');
  assert.deepEqual(s.problems, []);
  await s.context.close();
  assert.deepEqual(affiliate.problems, []);
  await affiliate.context.close();
});
