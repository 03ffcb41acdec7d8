// PetAmigos Plus in Chromium, against the real server and the payment
// simulator (web/paysim/) as both providers: sign up → /plans → Plus yearly →
// the provider's approval page → /billing/return → active → the badge on the
// person's own profile, no sponsored post in the feed → /billing with the
// next charge → Cancel behind its dialog → still Plus until the period's end
// → the server (and the sim) a day past it → Free. With PayPal in English at
// phone and desktop sizes (the desktop pass by keyboard only), and with
// Mercado Pago in Brazilian Portuguese paying in BRL; a provider that does
// not answer (Retry then works) and a cancel on the approval page; axe on
// the three screens. Prices and dates are checked against the core's own
// CLDR formatting (the WASM core in Node), words against the catalogs.
// Waits are for conditions (hang guards only), never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { DEMO, DESKTOP, PHONE, plain, tabTo } from '../lib/app.mjs';
import { loadCore } from '../lib/core.mjs';
import { ROOT, SITE } from '../lib/paths.mjs';
import { startPaysim, until } from '../lib/paysim.mjs';
import { startServer } from '../lib/server.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const { wasmI18n } = await import(path.join(SITE, 'i18n-wasm.js'));
const PASSWORD = 'correct horse battery';
const DAY = 86400;
let serial = 0;
const mail = (tag) => `${tag}.${process.pid}.${++serial}@example.test`;

// The core in Node: the same formatting and catalogs the page uses.
const i18n = wasmI18n(await loadCore());
const catalogs = new Map();
function catalog(tag) {
  if (!catalogs.has(tag)) catalogs.set(tag, i18n.loadCatalog(tag, readFileSync(path.join(ROOT, 'locales', `${tag}.json`), 'utf8')));
  return catalogs.get(tag);
}
// A catalog message as the page's t() words it (isolates removed).
const words = (tag, key, args) => plain(i18n.text(catalog(tag), catalog('en'), key, args));
const money = (tag, m) => i18n.number(tag, m.amount, 'currency', m.currency);

// The sim and a server wired both ways, and Chromium. restart(offset) moves
// both clocks: the server comes back on the same data and port.
async function world() {
  const sim = await startPaysim();
  const w = { sim, servers: [], offset: 0 };
  w.start = async (data, port) => {
    w.server = await startServer({ data, port, seed: data ? false : true,
      env: { ...sim.serverEnv(), PA_TEST_CLOCK_OFFSET: String(w.offset) } });
    w.servers.push(w.server);
    await sim.config({
      paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal`,
      mp_webhook_url: `${w.server.url}api/v1/webhooks/mercadopago`,
    });
  };
  w.restart = async (offset) => {
    const { dir, url } = w.server;
    await w.server.down();
    w.offset = offset;
    await sim.clock(offset);
    await w.start(dir, Number(new URL(url).port));
  };
  w.stop = async () => {
    try {
      await w.browser?.close();
    } finally {
      try {
        // The restarted ones first (they keep the data), the first last (it removes it).
        for (const s of w.servers.slice().reverse()) await s.stop();
      } finally {
        await sim.stop();
      }
    }
  };
  await w.start(undefined, 0);
  w.browser = await launchBrowser();
  return w;
}

// A page in its own context: axe needs the CSP bypassed (the CSP itself is
// tested in feed.test.mjs); the sim's approval page is another origin.
async function open(w, { size, locale = 'en-US' }) {
  const context = await w.browser.newContext({ viewport: size, locale, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  return { context, page, problems };
}

// In-app navigation, as a person following a link (/me: on to /people/<id>).
async function go(page, to) {
  if (to === '/me') {
    await page.evaluate(() => { document.querySelector('#screen h1')?.setAttribute('data-left', ''); });
    await clickLink(page, to);
    await page.waitForFunction(() => location.pathname.startsWith('/people/') && !!document.querySelector('#screen h1:not([data-left])'));
    return;
  }
  await clickLink(page, to);
  await page.waitForFunction((href) => location.pathname + location.search === href, to);
}

async function clickLink(page, to) {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
  }, to);
}

async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`), [], `axe on ${what}`);
}

// Presses a control from the keyboard: Tab until it has focus, then Enter.
async function keyTo(page, selector, what) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => !!document.activeElement?.matches(sel), selector)) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

// The signup form, then ?next=.
async function signUp(w, page, next) {
  const email = mail('plus');
  await page.goto(`${w.server.url}signup?next=${encodeURIComponent(next)}`);
  await page.locator('#display_name').waitFor();
  await page.fill('#display_name', 'Plus Person');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === next);
  return email;
}

const api = async (page, w, p) => {
  const r = await page.context().request.get(new URL(p, w.server.url).href);
  assert.equal(r.status(), 200, `${p}: ${await r.text()}`);
  return r.json();
};

const uiLocale = (page) => page.evaluate(() => document.documentElement.lang);
// The date as the page formats it: the core's long date in the browser's zone.
async function pageDay(page, tag, time) {
  const ms = Date.parse(time);
  const tz = await page.evaluate((t) => -new Date(t).getTimezoneOffset(), ms);
  return i18n.date(tag, ms, { tz, date: 'long' });
}

// The whole journey; keyboard: every billing control reached with Tab and
// pressed with Enter or Space.
async function journey({ size, locale, provider, country, keyboard = false, audit = false }) {
  const w = await world();
  try {
    const { context, page, problems } = await open(w, { size, locale });
    const email = await signUp(w, page, '/plans');
    const tag = await uiLocale(page);

    // ---- /plans: the country from the locale's region, the yearly offers in the locale's format
    const offer = page.locator(`.billing-offer[data-provider="${provider}"]`);
    await offer.waitFor();
    assert.equal(await page.inputValue('#plans-country'), country);
    if (keyboard) {
      await tabTo(page, () => document.activeElement?.name === 'plans-interval', 'the billing period');
      await page.keyboard.press(await page.evaluate(() => document.activeElement.value) === 'year' ? 'Space' : 'ArrowRight');
    } else {
      await page.locator('#plans-interval-year').check();
    }
    assert.equal(await page.isChecked('#plans-interval-year'), true);
    const plans = await api(page, w, `/api/v1/billing/plans?country=${country}`);
    const yearly = plans.plans.find((p) => p.id === 'plus_yearly').offers.find((o) => o.provider === provider);
    assert.ok(yearly, `${provider} sells plus_yearly in ${country}`);
    const priceText = money(tag, yearly);
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.replace(/[\u2066-\u2069]/g, '') === want,
      [`.billing-offer[data-provider="${provider}"] .billing-price`, words(tag, 'billing.pricePerYear', { price: priceText })]);
    if (provider === 'mercadopago') assert.equal(yearly.currency, 'BRL');
    const ent = plans.entitlements.plus;
    for (const [perk, args] of [['billing.perkNoAds'], ['billing.perkBadge'], ['billing.perkPhotos', { max: ent.photos_per_post }],
      ['billing.perkReels', { minutes: ent.reel_seconds / 60 }]]) {
      assert.ok((await page.locator('.billing-perks').textContent()).includes(words(tag, perk, args)), perk);
    }
    if (audit) await axe(page, '/plans');

    // ---- the provider's approval page, and back
    const name = provider === 'paypal' ? 'PayPal' : 'Mercado Pago';
    const button = offer.locator('button');
    assert.equal(plain(await button.textContent()), words(tag, 'billing.continueWith', { provider: name }));
    if (keyboard) await keyTo(page, `.billing-offer[data-provider="${provider}"] button`, `Continue with ${name}`);
    else await button.click();
    await page.waitForURL((u) => u.href.startsWith(w.sim.url));
    if (keyboard) await keyTo(page, 'button[value="approve"]', 'Approve at the provider');
    else await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === '/billing/return');
    await page.locator('.billing[data-state="active"]').waitFor();
    assert.equal(await page.locator('.billing-state').getAttribute('aria-live'), 'polite');
    assert.equal(plain(await page.locator('.billing-state').textContent()), words(tag, 'billing.stateActive'));
    assert.equal(plain(await page.locator('h1').textContent()), words(tag, 'billing.welcomeTitle'));
    if (audit) await axe(page, '/billing/return');
    if (keyboard) {
      await keyTo(page, '.billing-actions a[href="/billing"]', 'Manage billing');
      await page.waitForURL((u) => u.pathname === '/billing');
    }

    // ---- Plus: the badge on the person's own profile, no ads in the feed
    await go(page, '/me');
    await page.locator('#screen h1 .plus-badge').waitFor();
    assert.equal(await page.locator('#screen h1 .plus-badge').textContent(), words(tag, 'billing.badge'));
    await go(page, '/');
    await page.locator('#mirror article').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('#mirror article[data-sponsored]').count(), 0, 'no sponsored post mirrored');
    const feed = await api(page, w, '/api/v1/feed?limit=50');
    assert.ok(feed.posts.length > 0);
    assert.ok(feed.posts.every((p) => !p.sponsored), 'no sponsored post for Plus');
    // Control: someone without Plus is served the seed's ads (web/demo/seed.c; candidates only:
    // ads are never organic).
    const other = new Client({ port: Number(new URL(w.server.url).port) });
    await other.login(DEMO.kenji.email, DEMO.kenji.password);
    const theirs = (await other.get('/api/v1/feed/candidates?limit=1000')).body;
    assert.ok(theirs.candidates.some((k) => k.sponsored), 'control: others are served ads');

    // ---- /billing: the next charge, the receipt
    await go(page, '/billing');
    let b = await api(page, w, '/api/v1/billing');
    assert.equal(b.tier, 'plus');
    const next = page.locator('[data-fact="next-charge"]');
    await next.waitFor();
    assert.equal(plain(await next.textContent()), words(tag, 'billing.nextChargeValue',
      { price: money(tag, b.subscription.next_charge), date: await pageDay(page, tag, b.subscription.next_charge.at) }));
    assert.equal(plain(await page.locator('[data-fact="provider"]').textContent()), name);
    const receipt = page.locator('.billing-receipts tbody tr[data-kind="charge"]');
    assert.equal(await receipt.count(), 1);
    assert.ok(plain(await receipt.textContent()).includes(priceText), 'the receipt shows what was paid');
    if (audit) await axe(page, '/billing');

    // ---- Cancel: the dialog takes focus, Escape closes it and focus comes back
    // (after the provider's webhooks about the first payment have reached the
    // server, as they would long before a person cancels)
    await until('webhooks delivered', async () => (await w.sim.deliveries()).every((d) => d.delivered));
    const cancel = page.locator('.billing-body button.danger');
    if (keyboard) await keyTo(page, '.billing-body button.danger', 'Cancel subscription');
    else await cancel.click();
    await page.locator('dialog.confirm-dialog[open]').waitFor();
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('dialog[open]')), true, 'focus in the dialog');
    assert.ok(plain(await page.locator('#billing-cancel-text').textContent())
      .includes(await pageDay(page, tag, b.subscription.current_period_end)), 'the dialog says until when');
    if (audit) await axe(page, 'the cancel dialog');
    await page.keyboard.press('Escape');
    await page.locator('dialog.confirm-dialog[open]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.matches('.billing-body button.danger')), true, 'focus back on Cancel');
    if (keyboard) {
      await page.keyboard.press('Enter');
      await page.locator('dialog.confirm-dialog[open]').waitFor();
      await page.keyboard.press('Tab'); // from "Keep Plus" to the confirmation
      await page.keyboard.press('Enter');
    } else {
      await cancel.click();
      await page.locator('dialog.confirm-dialog[open]').waitFor();
      await page.locator('dialog.confirm-dialog button.danger').click();
    }
    await page.locator('.billing-ends').waitFor();
    b = await api(page, w, '/api/v1/billing');
    assert.equal(b.tier, 'plus', 'paid time is kept');
    assert.equal(b.subscription.cancel_at_period_end, true, JSON.stringify(b));
    assert.equal(plain(await page.locator('.billing-ends').textContent()),
      words(tag, 'billing.endsOn', { date: await pageDay(page, tag, b.subscription.current_period_end) }));
    assert.equal(plain(await page.locator('[data-fact="tier"]').textContent()), words(tag, 'billing.tierPlus'));
    assert.equal(await page.locator('[data-fact="next-charge"]').count(), 0, 'no next charge after a cancel');
    await page.waitForFunction((want) => document.activeElement?.textContent === want, words(tag, 'billing.resume')); // focus on Resume

    // ---- a day after the paid period: Free (the session ran out with it: log in again)
    const end = Date.parse(b.subscription.current_period_end) / 1000;
    await w.restart(Math.ceil(end - Date.now() / 1000) + DAY);
    await page.goto(`${w.server.url}billing`);
    await page.waitForURL((u) => u.pathname === '/login');
    await page.locator('#email').waitFor();
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/billing');
    await until('free', async () => (await api(page, w, '/api/v1/billing')).tier === 'free');
    await page.reload();
    await page.locator('[data-fact="tier"]').waitFor();
    assert.equal(plain(await page.locator('[data-fact="tier"]').textContent()), words(tag, 'billing.tierFree'));
    assert.equal(await page.locator('.billing-body a[href="/plans"]').count(), 1, 'Free: a link to the plans');
    await go(page, '/me');
    await page.locator('#screen h1').waitFor();
    assert.equal(await page.locator('#screen h1 .plus-badge').count(), 0, 'no badge after Plus ended');
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
    await context.close();
  } finally {
    await w.stop();
  }
}

test('PayPal, phone, English: Plus yearly in USD, badge, no ads, next charge, cancel, Free after the period; axe', () =>
  journey({ size: PHONE, locale: 'en-US', provider: 'paypal', country: 'US', audit: true }));

test('PayPal, desktop, by keyboard only: the same journey', () =>
  journey({ size: DESKTOP, locale: 'en-US', provider: 'paypal', country: 'US', keyboard: true }));

test('Mercado Pago in pt-BR, paying in BRL as CLDR writes it', () =>
  journey({ size: PHONE, locale: 'pt-BR', provider: 'mercadopago', country: 'BR', audit: true }));

test('provider unreachable: the state and Retry, then a cancel on the approval page; signed out: a sign-in link', async () => {
  const w = await world();
  try {
    const { context, page, problems } = await open(w, { size: DESKTOP });
    // Signed out: the plans and prices, a way to sign in, no checkout buttons.
    await page.goto(`${w.server.url}plans`);
    await page.locator('.billing-offer[data-provider="paypal"]').waitFor();
    assert.equal(await page.locator('.billing-signin a[href="/login?next=/plans"]').isVisible(), true);
    assert.equal(await page.locator('.billing-offer button').count(), 0);
    await axe(page, '/plans signed out');
    // The country choice is remembered.
    await page.selectOption('#plans-country', 'DE');
    await page.waitForFunction(() => document.querySelector('.billing-offer')?.dataset.currency === 'EUR');
    await page.reload();
    await page.locator('.billing-offer[data-currency="EUR"]').waitFor();
    assert.equal(await page.inputValue('#plans-country'), 'DE');
    await page.selectOption('#plans-country', 'US');
    await page.locator('.billing-offer[data-currency="USD"]').waitFor();

    await signUp(w, page, '/plans');
    const offer = page.locator('.billing-offer[data-provider="paypal"]');
    await offer.locator('button').waitFor();
    // PayPal answers the subscription's creation with a 500 once.
    await w.sim.faults({ method: 'POST', path: '^/v1/billing/subscriptions$', action: '500', times: 1 });
    await offer.locator('button').click();
    await page.locator('.billing-unreachable').waitFor();
    assert.equal(plain(await page.locator('.billing-unreachable').textContent()), words('en', 'billing.unreachable', { provider: 'PayPal' }));
    assert.equal(await page.evaluate(() => location.pathname), '/plans', 'still here');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), words('en', 'billing.retry'), 'focus on Retry');
    await axe(page, '/plans unreachable');
    // Retry: the same checkout (the same idempotency key), now at PayPal.
    await page.getByRole('button', { name: words('en', 'billing.retry') }).click();
    await page.waitForURL((u) => u.href.startsWith(w.sim.url));
    assert.equal((await w.sim.record()).creates.paypal_subscriptions, 1, 'one subscription at PayPal');
    // Cancel on the approval page: back on the return screen, cancelled, nothing charged.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === '/billing/return');
    await page.locator('.billing[data-state="cancelled"]').waitFor();
    assert.equal(plain(await page.locator('.billing-state').textContent()), words('en', 'billing.stateCancelled', { provider: 'PayPal' }));
    const co = new URL(page.url()).searchParams.get('checkout');
    assert.equal((await api(page, w, `/api/v1/billing/checkouts/${co}`)).checkout.status, 'cancelled');
    assert.equal((await api(page, w, '/api/v1/billing')).tier, 'free');
    assert.deepEqual((await w.sim.record()).money, [], 'nothing charged');
    await axe(page, '/billing/return cancelled');
    // Billing for a free person: a link to the plans, no receipts.
    await go(page, '/billing');
    await page.locator('.billing-body a[href="/plans"]').waitFor();
    assert.equal(plain(await page.locator('[data-fact="tier"]').textContent()), words('en', 'billing.tierFree'));
    await axe(page, '/billing free');
    // Settings links to Billing.
    await go(page, '/settings');
    await page.locator('a.settings-billing[href="/billing"]').waitFor();
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
    await context.close();
  } finally {
    await w.stop();
  }
});

test('the Plus badge wherever a Plus person is named: the feed (canvas mirror), a post, a profile', async () => {
  const w = await world();
  try {
    // The three demo owners with passwords (web/demo/seed.c) take Plus over
    // the API: Mercado Pago in Brazil, approved at the sim.
    const plus = new Set();
    for (const who of [DEMO.ana, DEMO.kenji, DEMO.priya]) {
      const c = new Client({ port: Number(new URL(w.server.url).port) });
      await c.login(who.email, who.password);
      const r = await c.post('/api/v1/billing/checkout', { plan: 'plus_monthly', provider: 'mercadopago', country: 'BR' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await w.sim.approve('mercadopago', new URL(r.body.checkout.approve_url).searchParams.get('preapproval_id'), 'approve');
      await until(`${who.name} on Plus`, async () => (await c.get('/api/v1/billing')).body.tier === 'plus');
      plus.add(c.user.id);
    }
    const { context, page, problems } = await open(w, { size: PHONE });
    await page.goto(w.server.url);
    await page.locator('#mirror article').first().waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelectorAll('#mirror article').length >= 3);
    // Every mirrored post carries the badge exactly when its author has Plus.
    const mirrored = await page.locator('#mirror article').evaluateAll((as) => as.map((a) => ({
      id: a.dataset.id, plus: a.hasAttribute('data-plus'), badge: !!a.querySelector('h2 .plus-badge') })));
    let seen = 0;
    for (const m of mirrored) {
      const post = await (await fetch(new URL(`/api/v1/posts/${m.id}`, w.server.url))).json();
      assert.equal(post.author.plus, plus.has(post.author.id), `${m.id}: the API agrees`);
      assert.equal(m.plus, post.author.plus, `${m.id}: data-plus`);
      assert.equal(m.badge, post.author.plus, `${m.id}: the title's badge`);
      seen += m.plus;
    }
    assert.ok(seen > 0, `a Plus author among the mirrored posts: ${JSON.stringify(mirrored)}`);
    // A post's page names its author with the badge; so does the profile.
    const byPlus = mirrored.find((m) => m.plus);
    await go(page, `/posts/${byPlus.id}`);
    await page.locator('#screen a[href^="/people/"] .plus-badge').first().waitFor();
    const author = (await (await fetch(new URL(`/api/v1/posts/${byPlus.id}`, w.server.url))).json()).author;
    await go(page, `/people/${author.id}`);
    await page.locator('#screen h1 .plus-badge').waitFor();
    assert.equal(plain(await page.locator('#screen h1').textContent()), `${author.name} ${words('en', 'billing.badge')}`);
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
    await context.close();
  } finally {
    await w.stop();
  }
});

test('a year paid once (plus_year_pass): PayPal in English, Mercado Pago in pt-BR', async () => {
  const w = await world();
  try {
    for (const [locale, provider, country] of [['en-US', 'paypal', 'US'], ['pt-BR', 'mercadopago', 'BR']]) {
      const { context, page, problems } = await open(w, { size: PHONE, locale });
      await signUp(w, page, '/plans');
      const tag = await uiLocale(page);
      const plans = await api(page, w, `/api/v1/billing/plans?country=${country}`);
      const pass = plans.plans.find((p) => p.interval === 'once')?.offers.find((o) => o.provider === provider);
      assert.ok(pass, `${provider} sells the pass in ${country}`);
      await page.locator('label[data-interval="once"]:not([hidden])').waitFor();
      await page.locator('#plans-interval-once').check();
      await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.replace(/[\u2066-\u2069]/g, '') === want,
        [`.billing-offer[data-provider="${provider}"] .billing-price`, words(tag, 'billing.pricePass', { price: money(tag, pass) })]);
      await page.locator(`.billing-offer[data-provider="${provider}"] button`).click();
      await page.waitForURL((u) => u.href.startsWith(w.sim.url));
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === '/billing/return');
      await page.locator('.billing[data-state="active"]').waitFor();
      assert.equal((await api(page, w, '/api/v1/billing')).tier, 'plus');
      await go(page, '/billing');
      await page.locator('[data-fact="tier"]').waitFor();
      assert.equal(plain(await page.locator('[data-fact="tier"]').textContent()), words(tag, 'billing.tierPlus'));
      assert.ok(plain(await page.locator('.billing-receipts').textContent()).includes(money(tag, pass)), 'the receipt');
      assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
      await context.close();
    }
  } finally {
    await w.stop();
  }
});
