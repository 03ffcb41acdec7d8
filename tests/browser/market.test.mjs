// The marketplace's screens in Chromium against the real server (issue 20,
// items 1-2), on a phone and on a desktop, axe at each step: a person
// becomes a seller on /sell, tries to list a live animal and is refused with
// the adoption policy, then lists a dog bed with two real photos (prepared by
// the core: the stored files carry no metadata); a buyer finds it on /market
// by its category chip (after a price order the server refuses without a
// currency, said beside Currency), opens it, moves through the photo
// carousel with the keyboard, and reaches the seller's page, which a reload
// keeps; the seller pauses it and deletes it from "My listings". A country
// the server refuses is named beside its field (the server's nested
// `location.country`). Searching by `q`, and the results the core draws, are
// tests/browser/market-browse.test.mjs's. An order's notices (kind order) read
// in Notifications with their carrier and tracking, each linking to the order's
// screen (/orders/{id}), by keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { makeImages } from '../lib/images.mjs';
import { DESKTOP, PHONE, assertNoMetadata, chooseWithKey, makeGpsJpeg, plain, screenBuilt, serverAndBrowser,
  storedTags, waitForText, withArg } from '../lib/app.mjs';
import { Client, dbQuery } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server, browser, images, gps;
serverAndBrowser((s, b) => {
  server = s;
  browser = b;
  images = makeImages();
  gps = makeGpsJpeg(path.join(images.dir, 'camera.jpg'), { size: '1200x800' });
});

async function open(pathname, { cookie, size }) {
  const context = await browser.newContext({ viewport: size, serviceWorkers: 'block' });
  if (cookie) await context.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(pathname, server.url).href);
  await screenBuilt(page);
  return { context, page, problems };
}

// axe, and nothing wider than the screen.
async function axe(page, what) {
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${what}: wider than the screen`);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(bad, [], `axe: ${what}`);
}

// The refusals on purpose (the country 400, the live animal 422, no seller yet 404) are noted by the console.
const realProblems = (problems) => problems.filter((p) => !/Failed to load resource.*(400|422|404)/.test(p));
const enter = async (locator) => {
  await locator.focus();
  await locator.page().keyboard.press('Enter');
};

for (const [sizeName, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${sizeName}: a seller lists a dog bed with two photos (a live animal refused); a buyer finds it by category, browses its photos by keyboard, reaches the seller`, async () => {
    const port = Number(new URL(server.url).port);
    const seller = new Client({ port });
    await seller.signup(`seller.${sizeName}.${process.pid}@example.test`, undefined, `Sam ${sizeName}`);
    const buyer = new Client({ port });
    await buyer.signup(`buyer.${sizeName}.${process.pid}@example.test`, undefined, `Bea ${sizeName}`);
    const title = `Cosy dog bed ${sizeName}`;
    const shop = `Sam’s Beds ${sizeName}`;

    // ---- becoming a seller
    let { context, page, problems } = await open('/sell', { cookie: seller.cookie, size });
    await waitForText(page, 'h1', 'Sell on PetAmigos');
    await axe(page, `${sizeName}: becoming a seller`);
    await page.getByLabel('Seller name').fill(shop);
    await page.getByLabel('PayPal e-mail address').fill(`sam.${sizeName}@example.test`);
    await enter(page.getByRole('button', { name: 'Start selling' }));
    await page.getByRole('heading', { name: 'New listing' }).waitFor();
    assert.equal((await seller.get('/api/v1/me/seller')).body.name, shop);

    // ---- the listing's fields; two photos through the core's preparation
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Description').fill('Washable cover, fits a beagle.');
    await page.locator('#lst-photos').focus();
    await chooseWithKey(page, 'Enter', [gps, path.join(images.dir, 'plasma.jpg')]);
    await page.locator('.mkt-photo-item').nth(1).waitFor();
    await page.getByLabel('Price', { exact: true }).fill('39.90');
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByLabel('Quantity', { exact: true }).fill('3');
    await page.getByLabel('Dog', { exact: true }).check();
    await page.getByLabel('City').fill('Lisbon');
    await page.getByLabel('Country code').fill('ZZ');
    await page.getByLabel('Local pickup').check();
    await axe(page, `${sizeName}: the listing form`);

    // ---- the server's refusal of a nested member (location.country) shows beside its field
    await page.getByLabel('Category').selectOption('beds');
    await enter(page.getByRole('button', { name: 'Publish listing' }));
    await waitForText(page, '#lst-country-error', 'ISO 3166');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lst-country');
    assert.equal(await page.locator('#lst-country').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Country code').fill('PT');

    // ---- a live animal: refused, with the policy said and the category marked
    await page.getByLabel('Category').selectOption('animals');
    await enter(page.getByRole('button', { name: 'Publish listing' }));
    const refusal = page.locator('.mkt-refusal');
    await refusal.waitFor();
    await waitForText(page, '.mkt-refusal h3', 'Live animals can’t be sold here');
    assert.match(await refusal.textContent(), /Live animals cannot be sold on PetAmigos\. To find a home for an animal, write an adoption post instead/);
    assert.equal(await page.getByRole('link', { name: 'Write an adoption post' }).getAttribute('href'), '/compose');
    assert.equal(await page.locator('#lst-category').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lst-category');
    await axe(page, `${sizeName}: the live-animal refusal`);
    assert.equal((await seller.get('/api/v1/me/listings')).body.listings.length, 0);

    // ---- the dog bed
    await page.getByLabel('Category').selectOption('beds');
    await enter(page.getByRole('button', { name: 'Publish listing' }));
    await page.waitForURL(/\/listings\/lst_\d+$/);
    const id = new URL(page.url()).pathname.split('/').pop();
    const listing = (await seller.get(`/api/v1/listings/${id}`)).body;
    assert.equal(listing.photos.length, 2);
    assert.deepEqual([listing.price_minor, listing.currency, listing.category, listing.species, listing.stock],
      [3990, 'USD', 'beds', ['dog'], 3]);
    for (const p of listing.photos) assertNoMetadata(storedTags(server.dir, p.url), 'a listing photo');
    assert.deepEqual(realProblems(problems), []);
    await context.close();

    // ---- a buyer: /market → the Beds chip → the listing
    ({ context, page, problems } = await open('/market', { cookie: buyer.cookie, size }));
    await waitForText(page, 'h1', 'Market');
    await axe(page, `${sizeName}: the market`);
    // The filters (folded on a phone): a price order without a currency is refused beside Currency.
    const filters = page.locator('details.mkt-fieldset');
    assert.equal(await filters.evaluate((d) => d.open), sizeName === 'desktop');
    if (sizeName === 'phone') await enter(filters.locator('summary'));
    await page.getByLabel('Sort by').selectOption('price_asc');
    await enter(page.getByRole('button', { name: 'Show results' }));
    await waitForText(page, '#mkt-currency-error', 'needs ?currency=');
    assert.equal(await page.locator('#mkt-currency').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Currency').selectOption('USD');
    await enter(page.getByRole('button', { name: 'Show results' }));
    const card = page.getByRole('link', { name: title });
    await card.waitFor();
    await enter(page.getByRole('button', { name: 'Beds', exact: true }));
    await page.waitForURL((u) => u.search === '?category=beds&currency=USD&sort=price_asc');
    await card.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Beds', exact: true }).getAttribute('aria-pressed'), 'true');
    await axe(page, `${sizeName}: results for Beds`);
    // The deep link keeps the category on reload.
    await page.reload();
    await card.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Beds', exact: true }).getAttribute('aria-pressed'), 'true');
    await enter(card);
    await page.waitForURL((u) => u.pathname === `/listings/${id}`);
    await waitForText(page, 'h1', title);
    assert.equal(plain(await page.locator('.mkt-price').textContent()), '$39.90');
    await page.getByRole('button', { name: 'Report' }).waitFor();
    await axe(page, `${sizeName}: the listing`);

    // ---- the carousel from the keyboard: Next, then the arrow keys on the carousel
    const shown = async () => (await page.$$eval('.mkt-photo', (imgs) => imgs.filter((i) => !i.hidden).map((i) => i.alt))).map(plain);
    assert.deepEqual(await shown(), [`Photo 1 of 2: ${title}`]);
    await enter(page.getByRole('button', { name: 'Next photo' }));
    assert.deepEqual(await shown(), [`Photo 2 of 2: ${title}`]);
    await waitForText(page, '.mkt-carousel [aria-live]', `Photo 2 of 2: ${title}`);
    await page.locator('.mkt-carousel').focus();
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await shown(), [`Photo 1 of 2: ${title}`]);
    await page.keyboard.press('End');
    assert.deepEqual(await shown(), [`Photo 2 of 2: ${title}`]);

    // ---- the seller's page, which a reload keeps
    await enter(page.getByRole('link', { name: shop }));
    await page.waitForURL((u) => u.pathname === `/sellers/${seller.user.id}`);
    await waitForText(page, 'h1', shop);
    await page.reload();
    await waitForText(page, 'h1', shop);
    await page.getByRole('link', { name: title }).waitFor();
    // Its rating in words (no reviews yet) and the reviews section.
    await waitForText(page, 'h2#seller-reviews', 'Reviews');
    await waitForText(page, 'p.mkt-rating', 'No reviews yet.');
    await axe(page, `${sizeName}: the seller's page`);
    assert.deepEqual(realProblems(problems), []);
    await context.close();

    // ---- the seller's own list: pause, then delete after the confirmation
    ({ context, page, problems } = await open('/market/mine', { cookie: seller.cookie, size }));
    await waitForText(page, 'h1', 'My listings');
    await enter(page.getByRole('button', { name: withArg('Pause ', title) }));
    await waitForText(page, '.mkt-status', `${title} is paused.`);
    assert.equal((await seller.get(`/api/v1/listings/${id}`)).body.status, 'paused');
    await page.getByRole('button', { name: withArg('Resume ', title) }).waitFor();
    await axe(page, `${sizeName}: my listings`);
    await enter(page.getByRole('button', { name: withArg('Delete ', title) }));
    await page.getByRole('dialog').waitFor();
    await axe(page, `${sizeName}: the delete confirmation`);
    await enter(page.getByRole('dialog').getByRole('button', { name: 'Delete' }));
    await waitForText(page, '.mkt-status', `${title} was deleted.`);
    assert.equal((await seller.get(`/api/v1/listings/${id}`)).status, 404);
    assert.deepEqual(realProblems(problems), []);
    await context.close();
  });
}

test('phone: order notices in Notifications: the shipment with carrier and tracking (buyer), the payment (seller), each to the order', async () => {
  const port = Number(new URL(server.url).port);
  const p = new Client({ port });
  const me = await p.signup(`orders.${process.pid}@example.test`, undefined, 'Oli Orders');
  const id = Number(me.id.slice(2));
  const now = Math.floor(Date.now() / 1000);
  // As pa_orders_tell writes them (web/src/orders.c); the steps themselves are tests/server/market-orders.test.mjs's.
  dbQuery(server, `INSERT INTO notices (user_id, kind, detail, created_at) VALUES
    (${id}, 'order', '{"step":"shipped","order":"ord_41","role":"buyer","total_minor":2500,"currency":"BRL","carrier":"Correios","tracking":"BR123"}', ${now - 60}),
    (${id}, 'order', '{"step":"paid","order":"ord_42","role":"seller","total_minor":2500,"currency":"BRL"}', ${now});`);
  const { context, page, problems } = await open('/notifications', { cookie: p.cookie, size: PHONE });
  await waitForText(page, '#screen', 'ord_42');
  const links = await page.$$eval('#screen li a', (as) => as.map((a) => [a.textContent.replace(/[\u2066-\u2069]/g, ''), a.getAttribute('href')]));
  assert.deepEqual(links, [
    ['Order ord_42 was paid: you can ship it now.', '/orders/ord_42'],
    ['Your order ord_41 was shipped with Correios (tracking BR123).', '/orders/ord_41'],
  ]);
  await axe(page, 'phone: order notices');
  // To the order's screen (market-orders.test.mjs follows a real one): these notices' orders do not exist.
  await enter(page.locator('#screen li a[href="/orders/ord_42"]'));
  await waitForText(page, 'h1', 'Order ord_42');
  await waitForText(page, '#screen [role="alert"]', 'This order isn’t available.');
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
