// The seller's dashboard in Chromium (issue 20 §5; shell/screens/dashboard.js),
// against the real server and the payment simulator (web/paysim/): someone
// who does not sell is told how to start; a PayPal seller with two orders
// (made through the API and the simulator, picked up so the totals are the
// prices) opens the dashboard from My listings with the keyboard and reads
// the pending balance and the month's sales in the table, one bar per month
// of the table; after the hold (server and simulator restarted with
// PA_TEST_CLOCK_OFFSET) the worker's round sends the payout, PayPal pays it,
// the dashboard lists it as paid with the balance paid out, and the
// payout_paid notice reads in Notifications and leads back to the
// dashboard; a then changes their payout account to Mercado Pago on the
// seller profile (screens/seller-profile.js, linked from My listings) and
// is shown its connect step. A second seller, on a phone in Spanish, whose
// PayPal account is locked: the payout returned, in words, with what to do,
// and its notice; they follow the advice's link to the seller profile,
// prefilled, are told an empty e-mail is required, save a working one and
// hear it said; the worker's next scan (an hour on: PA_PAYOUTS_SCAN_SECONDS)
// sends their balance there and the dashboard shows it paid out. axe at
// phone and desktop sizes at each step. Words are the
// catalogs' (through the WASM core), prices the core's. One server and one
// simulator for the file; waits are for conditions, never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE } from '../lib/app.mjs';
import { until } from '../lib/paysim.mjs';
import { png } from '../server/helpers.mjs';
import { axe, enter, i18n, mail, next, shopWorld, text, words } from './shop-world.mjs';

const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS (web/src/market_order.h)
const MONTHS = 12; // the dashboard's months per currency (web/src/payouts.h)
const BEDS_FEE_BPS = 1000; // the beds category's fee (web/src/market_rules.c)
const SCAN = 3600; // PA_PAYOUTS_SCAN_SECONDS: how often the worker gathers balances (web/src/payouts.h)
const usd = (tag, minor) => i18n.number(tag, (minor / 100).toFixed(2), 'currency', 'USD');
const share = (price) => price - Math.floor((price * BEDS_FEE_BPS) / 10000);

const w = shopWorld({ database: 'pa_dash', quietSim: true });
const { restart, open, visit, person } = w;
// The rows of a table as arrays of cell texts (the row header first).
const rows = (locator) => locator.locator('tbody tr').evaluateAll((trs) =>
  trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/[\u2066-\u2069]/g, ''))));

async function seller(tag) {
  const c = await person(tag, `Seller ${tag}`);
  const { user } = c;
  const payout = mail(`${tag}-paypal`);
  assert.equal((await c.put('/api/v1/me/seller', { name: `Shop ${tag}`, payout: { provider: 'paypal', email: payout } })).status, 201);
  return { c, id: user.id, payout };
}

/** One unit of a new listing of s at price (USD, beds), bought by buyer, paid in the simulator, shipped and delivered. */
async function delivered(s, buyer, address, price) {
  const n = next();
  const photo = (await s.c.upload(png(20 + (n % 50), 30), 'image/png')).id;
  const l = await s.c.post('/api/v1/listings', { title: `Dog bed ${n}`, photos: [photo], price_minor: price, currency: 'USD', stock: 5,
    condition: 'new', kind: 'product', category: 'beds', species: ['dog'], location: { city: 'Recife', country: 'BR' },
    shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true } });
  assert.equal(l.status, 201, JSON.stringify(l.body));
  assert.equal((await buyer.put('/api/v1/cart/items', { listing: l.body.id, quantity: 1 })).status, 200);
  // Picked up (free): the order's total is the price.
  const r = await buyer.post('/api/v1/checkout', { address, delivery: { [s.id]: 'pickup' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const [o] = r.body.orders;
  await w.sim.approve('paypal', new URL(o.approve_url).searchParams.get('token'));
  const paid = await buyer.post(`/api/v1/orders/${o.id}/capture`, {});
  assert.equal(paid.body.total_minor, price, JSON.stringify(paid.body));
  assert.equal((await s.c.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'Correios', tracking: 'BR1' })).status, 200);
  assert.equal((await buyer.post(`/api/v1/orders/${o.id}/deliver`, {})).body.state, 'delivered');
}

/** The balance table's rows of one currency: [label, amount] × 4. */
const balanceRows = (page, currency) => rows(page.locator(`.dash-balance[data-currency="${currency}"] table`));

test('a PayPal seller reads their balance and sales, is paid after the hold, and follows the notice back to the dashboard', async () => {
  const buyer = await person('buyer', 'Ana Compras');
  const address = (await buyer.post('/api/v1/me/addresses', { name: 'Ana', street: 'Rua 1', city: 'Recife', country: 'BR' })).body.id;

  // ---- not a seller: told how to become one
  const nb = await open(buyer.cookie, { size: PHONE, locale: 'en-US' });
  await visit(nb.page, '/market');
  await nb.page.locator('.mkt-actions .shop-cart-link').waitFor();
  assert.equal(await nb.page.locator('a[href="/market/dashboard"]').count(), 0, 'no dashboard link for someone who does not sell');
  await visit(nb.page, '/market/dashboard');
  await nb.page.locator('#screen a[href="/sell"]').waitFor();
  assert.equal(await text(nb.page.locator('#screen .mkt-status')), words('en', 'dash.notSeller'));
  assert.equal(await text(nb.page.locator('#screen a[href="/sell"]')), words('en', 'dash.becomeSeller'));
  await axe(nb.page, 'dashboard for someone who does not sell');
  assert.deepEqual(nb.problems.filter((m) => !/Failed to load resource.*409.*market\/dashboard/.test(m)), [], 'only the answer that says so');
  await nb.context.close();

  // ---- two sellers: a's payouts are paid, b's PayPal account is locked
  const a = await seller('dash-a');
  const b = await seller('dash-b');
  await w.sim.payoutReceiver(b.payout, 'failed');
  await delivered(a, buyer, address, 4000);
  await delivered(a, buyer, address, 2500);
  await delivered(b, buyer, address, 3000);
  const net = share(4000) + share(2500);

  // ---- a on a desktop, from My listings by the keyboard: pending, the month's sales, a bar per month
  const s = await open(a.c.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(s.page, '/market');
  await s.page.locator('.mkt-actions a[href="/market/dashboard"]').waitFor(); // the market's header, for a seller
  await visit(s.page, '/market/mine');
  assert.equal(await text(s.page.locator('#screen a[href="/market/seller"]')), words('en', 'market.profileTitle'), 'the seller profile, from My listings');
  const link = s.page.locator('#screen a[href="/market/dashboard"]');
  await link.waitFor();
  assert.equal(await text(link), words('en', 'dash.title'));
  await enter(link);
  await s.page.locator('.dash-sales-table').waitFor();
  assert.equal(await text(s.page.locator('h1')), words('en', 'dash.title'));
  assert.deepEqual(await balanceRows(s.page, 'USD'), [
    [words('en', 'dash.pending'), usd('en', net)], [words('en', 'dash.available'), usd('en', 0)],
    [words('en', 'dash.inFlight'), usd('en', 0)], [words('en', 'dash.paidOut'), usd('en', 0)]]);
  assert.equal(await text(s.page.locator('.dash-balance[data-currency="USD"] .dash-minimum')), words('en', 'dash.minimum', { price: usd('en', 100) }));
  assert.equal(await text(s.page.locator('.dash-sales-table caption')), words('en', 'dash.salesCaption', { name: 'US Dollar' }));
  const dash = (await a.c.get('/api/v1/market/dashboard')).body;
  const sold = dash.sales.filter((m) => m.orders > 0);
  assert.deepEqual(sold.map((m) => [m.orders, m.total_minor, m.net_minor]), [[2, 6500, net]], 'the server\'s month');
  const table = await rows(s.page.locator('.dash-sales-table'));
  assert.equal(table.length, MONTHS);
  const month = table.find((r) => r[1] === '2');
  assert.deepEqual(month.slice(1), ['2', usd('en', 6500), usd('en', net)], 'the month\'s sales in the table');
  assert.equal(table.at(-1), month, 'this month, the last row');
  assert.equal(table.filter((r) => r[1] === '0').length, MONTHS - 1, 'the other months, zeros');
  assert.equal(await s.page.locator('.dash-chart svg rect').count(), table.length, 'one bar per month of the table');
  assert.equal(await s.page.getAttribute('.dash-chart svg', 'aria-hidden'), 'true');
  assert.equal(await text(s.page.locator('.dash-orders li[data-state="delivered"]')),
    words('en', 'dash.stateCount', { state: words('en', 'shop.state.delivered'), count: 2 }));
  assert.equal(await text(s.page.locator('.dash-section [role="status"]')), words('en', 'dash.payoutsEmpty'));
  await axe(s.page, 'the seller\'s dashboard, pending');

  // ---- after the hold: the worker's round sends the batch, PayPal pays it
  await restart(HOLD + 120);
  await until('a\'s payout sent', async () => (await a.c.get('/api/v1/market/payouts')).body.payouts.length === 1);
  await until('b\'s payout sent', async () => (await b.c.get('/api/v1/market/payouts')).body.payouts.length === 1);
  // The items exist once the worker wrote its batch, which reaches PayPal a moment later (payouts.c sends after
  // the transaction): PayPal is asked to process until it has, rather than once, which could come too early.
  await until('a paid and b\'s returned', async () => {
    await w.sim.processPayouts();
    return (await a.c.get('/api/v1/market/payouts')).body.payouts[0].state === 'paid'
      && (await b.c.get('/api/v1/market/payouts')).body.payouts[0].state === 'returned';
  });
  const notices = async (c, step) => (await c.get('/api/v1/notifications?limit=50')).body.notifications.filter((n) => n.detail?.step === step);
  await until('a told', async () => (await notices(a.c, 'payout_paid')).length === 1);
  await until('b told', async () => (await notices(b.c, 'payout_returned')).length === 1);

  // ---- a reads the notice in Notifications and follows it to the dashboard
  await visit(s.page, '/notifications');
  const notice = s.page.locator('#screen li a[href="/market/dashboard"]');
  await notice.waitFor();
  assert.equal(await text(notice), words('en', 'market.noticePayoutPaid', { price: usd('en', net) }));
  await axe(s.page, 'the payout notice');
  await enter(notice);
  await s.page.locator('.dash-payout[data-state="paid"]').waitFor();
  assert.deepEqual(await balanceRows(s.page, 'USD'), [
    [words('en', 'dash.pending'), usd('en', 0)], [words('en', 'dash.available'), usd('en', 0)],
    [words('en', 'dash.inFlight'), usd('en', 0)], [words('en', 'dash.paidOut'), usd('en', net)]]);
  const paid = s.page.locator('.dash-payout');
  assert.equal(await paid.count(), 1);
  const line = await text(paid.locator('p').first());
  assert.ok(line.includes(usd('en', net)) && line.includes(a.payout), line);
  assert.equal(await text(paid.locator('.mkt-card-status')), words('en', 'dash.state.paid'));
  assert.equal(await paid.locator('.kit-error').count(), 0);
  assert.equal(await text(s.page.locator('.dash-orders li[data-state="completed"]')),
    words('en', 'dash.stateCount', { state: words('en', 'shop.state.completed'), count: 2 }));
  assert.equal(await paid.locator('a[href="/market/seller"]').count(), 0, 'no advice on a paid payout');
  await axe(s.page, 'the seller\'s dashboard, paid');

  // ---- a moves to Mercado Pago on the seller profile (from My listings): no e-mail, the connect step
  await visit(s.page, '/market/mine');
  await enter(s.page.locator('#screen a[href="/market/seller"]'));
  const provider = s.page.locator('#seller-provider');
  await provider.waitFor();
  assert.equal(await text(s.page.locator('h1')), words('en', 'market.profileTitle'));
  assert.equal(await provider.inputValue(), 'paypal');
  assert.equal(await s.page.locator('#seller-email').inputValue(), a.payout);
  await provider.selectOption('mercadopago');
  assert.ok(await s.page.locator('#seller-email').isHidden(), 'no e-mail for Mercado Pago');
  await enter(s.page.locator('#screen button[type="submit"]'));
  const connect = s.page.locator('.mkt-connect button');
  await connect.waitFor();
  assert.equal(await text(connect), words('en', 'market.mpConnect'));
  assert.equal(await text(s.page.locator('.mkt-connect p').first()), words('en', 'market.mpConnectIntro'));
  assert.equal(await text(s.page.locator('.mkt-profile-saved')), words('en', 'market.profileSaved'));
  assert.ok(await s.page.locator('.mkt-profile-saved').evaluate((e) => e === document.activeElement), 'the confirmation has the focus');
  assert.deepEqual((await a.c.get('/api/v1/me/seller')).body.payout, { provider: 'mercadopago', connected: false });
  await axe(s.page, 'the seller profile, Mercado Pago');
  assert.deepEqual(s.problems, []);
  await s.context.close();

  // ---- b on a phone in Spanish: the returned payout in words, back in the balance, and its notice
  const p = await open(b.c.cookie, { size: PHONE, locale: 'es-ES' });
  await visit(p.page, '/notifications');
  const es = await p.page.evaluate(() => document.documentElement.lang);
  assert.equal(es, 'es');
  const back = p.page.locator('#screen li a[href="/market/dashboard"]');
  await back.waitFor();
  assert.equal(await text(back), words(es, 'market.noticePayoutReturned', { price: usd(es, share(3000)) }));
  await enter(back);
  const returned = p.page.locator('.dash-payout[data-state="returned"]');
  await returned.waitFor();
  assert.equal(await text(returned.locator('.mkt-card-status')), words(es, 'dash.state.returned'));
  assert.equal(await text(returned.locator('.kit-error')), words(es, 'dash.error.locked'));
  assert.deepEqual((await balanceRows(p.page, 'USD'))[1], [words(es, 'dash.available'), usd(es, share(3000))], 'back in the balance');
  await axe(p.page, 'a returned payout');

  // ---- b follows the advice to the seller profile, prefilled, and fixes the e-mail
  const advice = returned.locator('a[href="/market/seller"]');
  assert.equal(await text(advice), words(es, 'dash.editProfile'));
  await enter(advice);
  const email = p.page.locator('#seller-email');
  await email.waitFor();
  assert.equal(await text(p.page.locator('h1')), words(es, 'market.profileTitle'));
  assert.equal(await p.page.locator('#seller-name').inputValue(), 'Shop dash-b');
  assert.equal(await email.inputValue(), b.payout);
  await axe(p.page, 'the seller profile');
  await email.fill('');
  await enter(p.page.locator('#screen button[type="submit"]'));
  await p.page.locator('#seller-email[aria-invalid="true"]').waitFor();
  assert.equal(await text(p.page.locator('#seller-email-error')), words(es, 'auth.error.required'), 'the first setup\'s field error');
  assert.ok(await email.evaluate((e) => e === document.activeElement), 'the field at fault has the focus');
  const fixed = mail('dash-b-fixed');
  await email.fill(fixed);
  await p.page.keyboard.press('Enter');
  const saved = p.page.locator('.mkt-profile-saved');
  await saved.locator('p').first().waitFor();
  assert.equal(await text(saved), words(es, 'market.profileSaved') + words(es, 'market.payoutTo', { email: fixed }));
  assert.ok(await saved.evaluate((e) => e === document.activeElement), 'the confirmation has the focus');
  assert.equal(await p.page.locator('#seller-email-error').textContent(), '');
  await axe(p.page, 'the seller profile, saved');

  // ---- the worker's next scan pays the new address; the dashboard says so
  await restart(w.offset + SCAN + 60);
  await until('b\'s second payout sent', async () => (await b.c.get('/api/v1/market/payouts')).body.payouts.length === 2);
  await until('b paid', async () => {
    await w.sim.processPayouts();
    return (await b.c.get('/api/v1/market/payouts')).body.payouts.some((o) => o.state === 'paid');
  });
  await visit(p.page, '/market/dashboard');
  const repaid = p.page.locator('.dash-payout[data-state="paid"]');
  await repaid.waitFor();
  const repaidLine = await text(repaid.locator('p').first());
  assert.ok(repaidLine.includes(fixed) && repaidLine.includes(usd(es, share(3000))), repaidLine);
  assert.deepEqual((await balanceRows(p.page, 'USD'))[3], [words(es, 'dash.paidOut'), usd(es, share(3000))], 'paid out');
  assert.deepEqual((await balanceRows(p.page, 'USD'))[1], [words(es, 'dash.available'), usd(es, 0)]);
  await axe(p.page, 'the payout paid after the fix');
  assert.deepEqual(p.problems, []);
  await p.context.close();
});
