// The affiliate dashboard's pieces in Chromium (issue 21, affiliate program
// §5; shell/screens/affiliate-dashboard.js), against the real server and
// the payment simulator: someone who has not joined is sent to join; an
// affiliate whose link was clicked three times, through which two people
// signed up and one bought Plus through the simulated PayPal, reads the
// charts' data tables (the server's months: clicks, sign-ups and
// conversions; commissions in USD), one bar per series and month, the
// drawings hidden from screen readers; the tier with the count to the next
// one; the balances; the pending commission with its release date; the
// payout e-mail form says its errors at the field (required, then the
// server's refusal) and saves; the CSV link, reached by Tab, downloads the
// commissions with a header row. Again on a phone in Spanish. Then, for an
// affiliate with five yearly Plus sales (the most one source attributes in
// an hour; a sixth sign-up is refused as velocity, and said), the server and simulator restarted past the hold: the worker's
// batch paid by the simulator is listed as paid, the commissions paid, the
// balance paid out and the months closed; a refund after the payout shows
// the negative carried balance. axe at both sizes at each step. Words are
// the catalogs' (through the WASM core), prices the core's. One server and
// one simulator for the file (restarted once, last); waits are for
// conditions, never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DESKTOP, PHONE } from '../lib/app.mjs';
import { until } from '../lib/paysim.mjs';
import { Client } from '../server/helpers.mjs';
import { axe, enter, i18n, mail, said, shopWorld, text, words } from './shop-world.mjs';
import { BASE_RATE_BP, FIRST_TIER_NEXT_AT, buyPlus, click, commissionOf, earningsWhen, signUpWith } from './affiliate-world.mjs';

const PASSWORD = 'correct horse battery';
const DAY = 86400;
const HOLD = 30 * DAY; // PA_AFF_HOLD_SECONDS (web/src/commission.h)
const VELOCITY_PER_HOUR = 5; // PA_AFF_VELOCITY_PER_HOUR (web/src/aff.h): sign-ups attributed from one source in an hour

const w = shopWorld({ database: 'pa_affdash', quietSim: true });
const { open, visit, person } = w;
const usd = (tag, minor) => i18n.number(tag, (minor / 100).toFixed(2), 'currency', 'USD');
// The rows of a table as arrays of cell texts (the row header first).
const rows = (locator) => locator.locator('tbody tr').evaluateAll((trs) =>
  trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/[\u2066-\u2069]/g, ''))));
const heads = (locator) => locator.locator('thead th').evaluateAll((ths) => ths.map((th) => [th.scope, th.textContent]));
// A month as the page names it (market-kit.js's monthName: short month and year, UTC).
const monthIn = (page, ym) => page.evaluate((m) => new Intl.DateTimeFormat(document.documentElement.lang, { year: 'numeric', month: 'short', timeZone: 'UTC' })
  .format(Date.parse(`${m}-01T00:00:00Z`)), ym);

test('someone who has not joined is told what the dashboard is and sent to join', async () => {
  const c = await person('not-joined', 'Not Joined');
  const { context, page, problems } = await open(c.cookie, { size: PHONE, locale: 'en-US' });
  await visit(page, '/affiliate/dashboard');
  await page.locator('#screen a.kit-button[href="/affiliate"]').waitFor();
  assert.equal(await text(page.locator('h1')), words('en', 'affdash.title'));
  assert.equal(await text(page.locator('#screen .mkt-status')), words('en', 'affdash.notJoined'));
  assert.equal(await text(page.locator('#screen a.kit-button[href="/affiliate"]')), words('en', 'affdash.join'));
  assert.equal(await page.locator('#screen table').count(), 0, 'no figures');
  await axe(page, 'the dashboard before joining');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an affiliate reads their charts\' tables, tier, balances and commission; the payout form and the CSV', async () => {
  const aff = await person('affiliate', 'Aff Iliate');
  const joined = await aff.post('/api/v1/affiliate', { kind: 'person' });
  assert.equal(joined.status, 201, JSON.stringify(joined.body));
  const { link } = joined.body.affiliate;
  // Three newcomers' browsers click; two of them sign up; one of those buys Plus.
  const cookies = [await click(w, link), await click(w, link), await click(w, link)];
  const buyer = await signUpWith(w, cookies[0], 'ref-buyer');
  await signUpWith(w, cookies[1], 'ref-free');
  const sale = await buyPlus(w, buyer);
  const commission = commissionOf(sale);
  const earned = await earningsWhen(aff, 'the commission', (e) => e.commissions.length === 1);
  const stats = (await aff.get('/api/v1/affiliate/stats')).body;
  const [com] = earned.commissions;
  assert.deepEqual([com.state, com.source, com.base_minor, com.commission_minor, com.currency],
    ['pending', 'subscription', sale.gross_minor - sale.fee_minor, commission, 'USD'], 'the server\'s commission');
  assert.deepEqual(stats.months.reduce((s, m) => [s[0] + m.clicks, s[1] + m.signups], [0, 0]), [3, 2], 'the server\'s clicks and sign-ups');

  const { context, page, problems } = await open(aff.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(page, '/affiliate/dashboard');
  const activity = page.locator('.aff-activity-table');
  await activity.waitFor();
  assert.equal(await text(page.locator('h1')), words('en', 'affdash.title'));

  // ---- clicks, sign-ups and conversions: the table is the server's months, the drawing a bar per series and month
  assert.equal(await text(activity.locator('caption')), words('en', 'affdash.activityCaption'));
  assert.deepEqual(await heads(activity), [['col', words('en', 'dash.col.month')], ['col', words('en', 'affdash.col.clicks')],
    ['col', words('en', 'affdash.col.signups')], ['col', words('en', 'affdash.col.conversions')]]);
  const conversions = new Map();
  for (const m of earned.months) conversions.set(m.month, (conversions.get(m.month) ?? 0) + m.conversions);
  const months = [...new Set([...stats.months.map((m) => m.month), ...conversions.keys()])].sort();
  const want = [];
  for (const m of months) {
    const s = stats.months.find((x) => x.month === m) ?? { clicks: 0, signups: 0 };
    want.push([await monthIn(page, m), String(s.clicks), String(s.signups), String(conversions.get(m) ?? 0)]);
  }
  assert.deepEqual(await rows(activity), want);
  assert.ok(want.some((r) => r[3] === '1'), 'the conversion is in a month');
  assert.equal(await activity.locator('tbody th[scope="row"]').count(), months.length, 'each row headed by its month');
  const drawing = page.locator('.aff-activity-chart svg');
  assert.equal(await drawing.getAttribute('aria-hidden'), 'true');
  assert.equal(await drawing.locator('rect').count(), 3 * months.length, 'three bars a month');

  // ---- earnings by month in USD: conversions, the net amount, the month's rate so far, the commission
  const earnings = page.locator('.aff-earnings-chart[data-currency="USD"]');
  assert.equal(await text(earnings.locator('caption')), words('en', 'affdash.earningsCaption', { name: 'US Dollar' }));
  const usdMonths = earned.months.filter((m) => m.currency === 'USD');
  const earnRows = await rows(earnings.locator('table'));
  assert.equal(earnRows.length, usdMonths.length);
  assert.equal(await earnings.locator('svg rect').count(), usdMonths.length, 'one bar a month');
  const thisMonth = earnRows.find((r) => r[1] === '1');
  assert.deepEqual(thisMonth.slice(2), [usd('en', sale.gross_minor - sale.fee_minor), words('en', 'affdash.rateSoFar', { progress: BASE_RATE_BP / 10000 }),
    usd('en', commission)], 'the open month at the first tier\'s rate');

  // ---- the tier: 25 %, one active subscriber, nine to the next tier
  assert.equal(await text(page.locator('.aff-rate')), words('en', 'affdash.rateNow', { progress: 0.25 }));
  assert.equal(await text(page.locator('.aff-active')), words('en', 'affdash.active', { count: earned.tier.active_subscribers }));
  assert.equal(earned.tier.next_at, FIRST_TIER_NEXT_AT);
  assert.equal(await text(page.locator('label[for="aff-tier-progress"]')),
    words('en', 'affdash.toNext', { count: FIRST_TIER_NEXT_AT - earned.tier.active_subscribers, progress: 0.3 }));
  assert.deepEqual(await page.locator('#aff-tier-progress').evaluate((p) => [p.max, p.value]), [FIRST_TIER_NEXT_AT, earned.tier.active_subscribers]);

  // ---- balances, and the commission held until its release date
  assert.deepEqual(await rows(page.locator('.aff-balance[data-currency="USD"] table')), [
    [words('en', 'affdash.pending'), usd('en', commission)], [words('en', 'affdash.approved'), usd('en', 0)],
    [words('en', 'affdash.paid'), usd('en', 0)], [words('en', 'affdash.carried'), usd('en', 0)]]);
  const [balance] = earned.balances;
  assert.ok(balance.payout_minimum_minor > 0, 'the server\'s payout minimum');
  assert.equal(await text(page.locator('.aff-balance[data-currency="USD"] .aff-minimum')),
    words('en', 'affdash.minimum', { price: usd('en', balance.payout_minimum_minor) }));
  const item = page.locator(`.aff-commission[data-id="${com.id}"]`);
  assert.equal(await item.getAttribute('data-state'), 'pending');
  const line = await text(item.locator('p').first());
  assert.ok(line.startsWith(usd('en', commission)) && line.includes(usd('en', com.base_minor)), line);
  assert.equal(await text(item.locator('.aff-state')), words('en', 'affdash.com.pending', { date: Date.parse(com.release_at) }));
  assert.equal(await text(page.locator('#aff-h-payouts + p')), words('en', 'dash.payoutsEmpty'));
  await axe(page, 'the affiliate dashboard');

  // ---- the payout e-mail: required, then the server's refusal at the field, then saved
  const email = page.locator('#aff-paypal-email');
  const saveButton = page.locator('.aff-payout-form button[type="submit"]');
  assert.equal(await email.inputValue(), '');
  await enter(saveButton);
  await said(page, '#aff-paypal-email-error', words('en', 'auth.error.required'));
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  assert.ok(await email.evaluate((e) => e === document.activeElement), 'focus on the field');
  assert.match(await email.getAttribute('aria-describedby'), /\baff-paypal-email-error\b/);
  const refusal = await aff.put('/api/v1/affiliate/payout', { paypal_email: 'not an address' });
  assert.equal(refusal.status, 400, JSON.stringify(refusal.body));
  assert.equal(refusal.body.error.field, 'paypal_email', 'the server names the field');
  await page.keyboard.type('not an address');
  await page.keyboard.press('Enter');
  await said(page, '#aff-paypal-email-error', refusal.body.error.message);
  assert.ok(await email.evaluate((e) => e === document.activeElement), 'focus back on the field');
  await axe(page, 'the payout form with an error');
  const address = `aff.payouts.${process.pid}@example.test`;
  await email.fill(address);
  await page.keyboard.press('Enter');
  await said(page, '.aff-payout-saved', words('en', 'affdash.payoutSaved', { email: address }));
  assert.equal(await email.getAttribute('aria-invalid'), null);
  assert.equal(await text(page.locator('#aff-paypal-email-error')), '');
  assert.equal((await aff.get('/api/v1/affiliate')).body.affiliate.payout_email, address);

  // ---- the CSV: Tab reaches the link, Enter downloads the commissions with a header row
  await page.locator('h1').focus();
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.matches('a.aff-csv'));
  }
  assert.ok(reached, 'Tab reaches the CSV link');
  assert.equal(await text(page.locator('a.aff-csv')), words('en', 'affdash.csv'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').replace(/\r\n/g, '\n').trimEnd().split('\n');
  assert.equal(csv.length, 2, `a header row and one commission:\n${csv.join('\n')}`);
  assert.ok(!csv[0].includes(com.id) && /[a-z]/i.test(csv[0]), `a header row first: ${csv[0]}`);
  assert.ok(csv[1].includes(com.id) && csv[1].includes('pending'), `the commission's row: ${csv[1]}`);
  assert.deepEqual(problems.filter((m) => !/Failed to load resource.*400.*affiliate\/payout/.test(m)), [], 'only the refusal the test asked for');

  // ---- reloaded: the e-mail prefilled
  await page.reload();
  await email.waitFor();
  assert.equal(await email.inputValue(), address);
  await context.close();

  // ---- on a phone in Spanish
  const es = await open(aff.cookie, { size: PHONE, locale: 'es-ES' });
  await visit(es.page, '/affiliate/dashboard');
  await es.page.locator('.aff-activity-table').waitFor();
  const tag = await es.page.evaluate(() => document.documentElement.lang);
  assert.equal(tag, 'es');
  assert.equal(await text(es.page.locator('h1')), words(tag, 'affdash.title'));
  assert.equal(await text(es.page.locator('.aff-activity-table caption')), words(tag, 'affdash.activityCaption'));
  assert.equal(await text(es.page.locator(`.aff-commission[data-id="${com.id}"] .aff-state`)),
    words(tag, 'affdash.com.pending', { date: Date.parse(com.release_at) }));
  assert.equal(await text(es.page.locator('a.aff-csv')), words(tag, 'affdash.csv'));
  await axe(es.page, 'the affiliate dashboard in Spanish');
  assert.deepEqual(es.problems, []);
  await es.context.close();
});

test('after the hold: the payout listed as paid with the commissions paid; a refund after it shows a negative carried balance', async () => {
  const email = mail('payout-aff');
  const aff = new Client({ port: Number(new URL(w.server.url).port) });
  await aff.signup(email, PASSWORD, 'Paid Affiliate');
  const { link } = (await aff.post('/api/v1/affiliate', { kind: 'shop' })).body.affiliate;
  const payoutTo = `aff.paid.${process.pid}@example.test`;
  assert.equal((await aff.put('/api/v1/affiliate/payout', { paypal_email: payoutTo })).status, 200);
  // Enough yearly Plus through the link for the payout minimum (at most PA_AFF_VELOCITY_PER_HOUR from one source).
  const sales = [];
  for (let i = 0; i < VELOCITY_PER_HOUR; i++) sales.push(await buyPlus(w, await signUpWith(w, await click(w, link), `yearly${i}`), 'plus_yearly'));
  // One more from the same source within the hour: refused as velocity (shown below).
  await signUpWith(w, await click(w, link), 'one-too-many');
  const owed = sales.reduce((s, x) => s + commissionOf(x), 0);
  const minimum = (await earningsWhen(aff, 'five commissions', (e) => e.commissions.length === VELOCITY_PER_HOUR)).balances[0].payout_minimum_minor;
  assert.ok(owed >= minimum, `${owed} reaches the minimum ${minimum}`);

  // ---- the hold over and the month closed: the worker's batch, which the simulator pays
  await w.restart(w.offset + HOLD + 2 * DAY);
  await aff.login(email, PASSWORD); // the session ended with the month
  await earningsWhen(aff, 'the batch sent', (e) => e.payouts.length === 1);
  await until('paid', async () => {
    await w.sim.processPayouts();
    return (await aff.get('/api/v1/affiliate/earnings')).body.payouts[0].state === 'paid';
  });
  const paid = (await aff.get('/api/v1/affiliate/earnings')).body;
  const { context, page, problems } = await open(aff.cookie, { size: PHONE, locale: 'en-US' });
  await visit(page, '/affiliate/dashboard');
  const payout = page.locator(`.aff-payout[data-id="${paid.payouts[0].id}"]`);
  await payout.waitFor();
  assert.equal(await payout.getAttribute('data-state'), 'paid');
  assert.equal(await text(payout.locator('p').first()), words('en', 'affdash.payoutLine', { price: usd('en', owed), date: Date.parse(paid.payouts[0].at) }));
  assert.equal(await text(payout.locator('p').nth(1)), words('en', 'affdash.po.paid'));
  assert.deepEqual(await page.locator('.aff-commission').evaluateAll((li) => li.map((x) => x.dataset.state)), Array(VELOCITY_PER_HOUR).fill('paid'));
  assert.deepEqual((await rows(page.locator('.aff-balance[data-currency="USD"] table'))).map((r) => r[1]),
    [usd('en', 0), usd('en', 0), usd('en', owed), usd('en', 0)], 'paid out');
  assert.ok((await rows(page.locator('.aff-earnings-table'))).every((r) => !r[3].includes('so far')), 'the months closed');
  assert.equal(await text(page.locator('.aff-refused li[data-reason="velocity"]')),
    words('en', 'affdash.refusedLine', { reason: words('en', 'affdash.reason.velocity'), count: 1 }), 'the sixth sign-up refused');
  await axe(page, 'the dashboard with a paid payout');

  // ---- a refund after the payout: the commission reversed, its amount carried as a negative balance
  await w.sim.refund('paypal', sales[0].txn_id, sales[0].gross_minor);
  const back = commissionOf(sales[0]);
  await earningsWhen(aff, 'carried', (e) => e.balances[0].carried_minor === -back);
  await page.reload();
  await page.locator('.aff-commission[data-state="reversed"]').waitFor();
  assert.equal(await text(page.locator('.aff-balance[data-currency="USD"] tbody tr').nth(3).locator('td')), usd('en', -back));
  assert.ok(usd('en', -back).includes('-'), `a negative amount reads as one: ${usd('en', -back)}`);
  await axe(page, 'the dashboard with a carried balance');
  assert.deepEqual(problems, []);
  await context.close();
});
