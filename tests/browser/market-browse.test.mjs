// The marketplace's browse drawn by the core (issue 20 §2), in Chromium on a
// phone and a desktop with axe: /market's results are the core's grid on the
// canvas (each listing's photo, really drawn: its colour is counted in the
// canvas's pixels) with a DOM mirror of links named by the title and the
// price the core formats, in order, reached and moved through by keyboard;
// the search box sends what is typed as `q` with the person's language, so
// in Spanish "cama perro" finds "Camas ortopédicas para perros grandes", in
// Brazilian Portuguese "cama cachorro" finds "Cama ortopédica para cachorro",
// and in Japanese a word inside a title finds it; the deep link /market?q=
// survives a reload; no match is said; a search over the server's word limit
// is refused beside the field. The listings are made through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, canvasPixels, imagesSettled, plain, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CITY = `Vila Teste ${process.pid}`; // only this file's listings are in this city
const PAGING_CITY = `Paginas ${process.pid}`; // 21 listings: a second page (the API's default page is 20)
const COLOURS = { es: [208, 32, 32], pt: [32, 176, 64], ja: [40, 64, 216] };
const TITLES = {
  es: 'Camas ortopédicas para perros grandes',
  pt: 'Cama ortopédica para cachorro',
  ja: '大型犬用の低反発ペットベッド',
};
let server, browser;
const made = {}; // lang -> listing

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pa-browse-'));
  const seller = new Client({ port: Number(new URL(server.url).port) });
  await seller.signup(`browse.seller.${process.pid}@example.test`, undefined, 'Loja Browse');
  assert.equal((await seller.put('/api/v1/me/seller', { name: 'Loja Browse', payout: { provider: 'paypal', email: 'browse@example.test' } })).status, 201);
  // Oldest first: the newest (Japanese) leads the unsearched results.
  for (const [lang, price, currency] of [['es', 4990, 'BRL'], ['pt', 3990, 'BRL'], ['ja', 1250, 'USD']]) {
    const file = path.join(dir, `${lang}.png`);
    execFileSync('convert', ['-size', '96x96', `xc:rgb(${COLOURS[lang].join(',')})`, file]);
    const photo = (await seller.upload(readFileSync(file), 'image/png')).id;
    const r = await seller.post('/api/v1/listings', {
      title: TITLES[lang], lang, photos: [photo], price_minor: price, currency, stock: 2, condition: 'new', kind: 'product',
      category: 'beds', species: ['dog'], location: { city: CITY, country: 'BR' }, shipping: { pickup: true },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made[lang] = r.body;
  }
  // Two sellers (a seller creates at most 20 listings an hour) fill a city past one page.
  const shared = (await seller.upload(readFileSync(path.join(dir, 'es.png')), 'image/png')).id;
  for (let i = 0; i < 21; i++) {
    const who = i < 17 ? seller : await pager();
    const photo = i < 17 ? shared : (await who.upload(readFileSync(path.join(dir, 'pt.png')), 'image/png')).id;
    const r = await who.post('/api/v1/listings', {
      title: `Brinquedo ${i + 1}`, lang: 'pt', photos: [photo], price_minor: 100 + i, currency: 'BRL', stock: 1, condition: 'new',
      kind: 'product', category: 'toys', species: ['dog'], location: { city: PAGING_CITY, country: 'BR' }, shipping: { pickup: true },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

let second = null; // the second seller, made once
async function pager() {
  if (second) return second;
  second = new Client({ port: Number(new URL(server.url).port) });
  await second.signup(`browse.pager.${process.pid}@example.test`, undefined, 'Loja Dois');
  assert.equal((await second.put('/api/v1/me/seller', { name: 'Loja Dois', payout: { provider: 'paypal', email: 'dois@example.test' } })).status, 201);
  return second;
}

async function open(pathname, { size, locale }) {
  const context = await browser.newContext({ viewport: size, locale, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(pathname, server.url).href);
  await screenBuilt(page);
  return { context, page, problems };
}

async function axe(page, what) {
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${what}: wider than the screen`);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(bad, [], `axe: ${what}`);
}

// The grid's mirror once the core has answered: [{index, id, name}], in order.
// ids: wait until the mirror lists exactly these (a new search's answer, not
// the previous one's links still in the document).
async function mirror(page, ids) {
  await page.waitForFunction((want) => document.body.dataset.grid === 'listings'
    && document.getElementById('grid-mirror').getAttribute('aria-busy') === 'false'
    && (!want || [...document.querySelectorAll('#grid-mirror li')].map((li) => li.dataset.id).join() === want.join()), ids);
  return page.$$eval('#grid-mirror li', (lis) => lis.map((li) => ({
    index: Number(li.dataset.index), id: li.dataset.id, href: li.firstChild.getAttribute('href'),
    name: li.firstChild.textContent, setsize: li.getAttribute('aria-setsize'),
  })));
}

// How many canvas pixels are within a small distance of rgb.
function pixelsNear({ pixels }, [r, g, b]) {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) < 40) n++;
  }
  return n;
}

async function search(page, words) {
  const box = page.locator('#mkt-q');
  await box.fill(words);
  await box.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === words);
}

const priceIn = (locale, minor, currency) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
const same = (a, b) => plain(a).replace(/\s/g, ' ') === plain(b).replace(/\s/g, ' ');

for (const [sizeName, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${sizeName}: in Spanish "cama perro" finds the Spanish bed, drawn on the canvas, named with its price; reload keeps it; no match and too many words are said`, async () => {
    const { context, page, problems } = await open('/market', { size, locale: 'es-ES' });
    await waitForText(page, 'h1', 'Mercado');
    await search(page, 'cama perro');
    const found = await mirror(page, [made.es.id]);
    assert.deepEqual(found.map((l) => l.id), [made.es.id]);
    assert.equal(found[0].href, `/listings/${made.es.id}`);
    assert.equal(found[0].setsize, '1');
    // The title and the price the core formats, in Spanish (CLDR: "49,90 R$").
    assert.ok(same(found[0].name, `${TITLES.es}, ${priceIn('es', 4990, 'BRL')}`), found[0].name);
    // The photo is really drawn: its red fills a tile; the other listings' colours are nowhere.
    await imagesSettled(page);
    const shot = await canvasPixels(page);
    assert.ok(pixelsNear(shot, COLOURS.es) > 3000, `the red photo is drawn (${pixelsNear(shot, COLOURS.es)} px)`);
    assert.equal(pixelsNear(shot, COLOURS.pt) + pixelsNear(shot, COLOURS.ja), 0);
    await axe(page, `${sizeName}: a search's results`);

    // The deep link survives a reload: the box and the results.
    await page.reload();
    assert.equal(await page.locator('#mkt-q').inputValue(), 'cama perro');
    assert.deepEqual((await mirror(page, [made.es.id])).map((l) => l.id), [made.es.id]);

    // No match is said (the mirror's status; the canvas draws it too).
    await search(page, 'gato');
    await waitForText(page, '#grid-status', 'Ningún anuncio coincide con «gato».');
    assert.deepEqual(await mirror(page, []), []);

    // Nine words: the server's limit is eight, said beside the box in Spanish.
    await search(page, 'uno dos tres cuatro cinco seis siete ocho nueve');
    await waitForText(page, '#mkt-q-error', 'Acorta tu búsqueda: como máximo 8 palabras.');
    assert.equal(await page.locator('#mkt-q').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(problems.filter((p) => !/Failed to load resource.*400/.test(p)), []);
    await context.close();
  });

  test(`${sizeName}: in Brazilian Portuguese "cama cachorro" and in Japanese a word inside the title find their listing`, async () => {
    let { context, page, problems } = await open('/market?q=cama%20cachorro', { size, locale: 'pt-BR' });
    let found = await mirror(page, [made.pt.id]);
    assert.deepEqual(found.map((l) => l.id), [made.pt.id]);
    assert.ok(same(found[0].name, `${TITLES.pt}, ${priceIn('pt-BR', 3990, 'BRL')}`), found[0].name);
    assert.deepEqual(problems, []);
    await context.close();

    ({ context, page, problems } = await open('/market', { size, locale: 'ja' }));
    await search(page, '低反発');
    found = await mirror(page, [made.ja.id]);
    assert.deepEqual(found.map((l) => l.id), [made.ja.id]);
    assert.ok(same(found[0].name, `${TITLES.ja}、${priceIn('ja', 1250, 'USD')}`), found[0].name);
    await imagesSettled(page);
    assert.ok(pixelsNear(await canvasPixels(page), COLOURS.ja) > 3000, 'the blue photo is drawn');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`${sizeName}: browsing a city: every listing drawn, the mirror in order, arrows move between tiles, Enter opens one`, async () => {
    const { context, page, problems } = await open(`/market?city=${encodeURIComponent(CITY)}`, { size, locale: 'en-US' });
    const found = await mirror(page);
    // Newest first, each named by its title and price, with its place in the list.
    assert.deepEqual(found.map((l) => l.id), [made.ja.id, made.pt.id, made.es.id]);
    assert.deepEqual(found.map((l) => l.index), [0, 1, 2]);
    assert.ok(same(found[0].name, `${TITLES.ja}, $12.50`), found[0].name);
    assert.ok(same(found[1].name, `${TITLES.pt}, R$39.90`), found[1].name);
    assert.ok(found.every((l) => l.setsize === '3'));
    await imagesSettled(page);
    const shot = await canvasPixels(page);
    for (const lang of ['es', 'pt', 'ja']) assert.ok(pixelsNear(shot, COLOURS[lang]) > 3000, `${lang}'s photo is drawn`);
    await axe(page, `${sizeName}: browsing`);

    // The keyboard: the first link, then an arrow to the next tile and (a phone's two columns) down a row.
    const link = (i) => page.locator(`#grid-mirror li[data-index="${i}"] a`);
    await link(0).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.dataset.index), '1');
    await page.keyboard.press('ArrowLeft');
    if (sizeName === 'phone') {
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.dataset.index), '2');
    }
    await page.keyboard.press('Enter');
    const want = sizeName === 'phone' ? made.es : made.ja;
    await page.waitForURL((u) => u.pathname === `/listings/${want.id}`);
    await waitForText(page, 'h1', want.title);
    // Leaving the market closes the grid.
    assert.equal(await page.evaluate(() => document.body.dataset.grid), undefined);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('desktop: scrolling the canvas pages the results with the cursor: the 21st listing arrives and the list knows its size', async () => {
  const { context, page, problems } = await open(`/market?city=${encodeURIComponent(PAGING_CITY)}`, { size: DESKTOP, locale: 'pt-BR' });
  const pages = []; // the cursors of the pages asked for after the first
  page.on('request', (r) => {
    const cursor = r.url().includes('/api/v1/listings?') && new URL(r.url()).searchParams.get('cursor');
    if (cursor) pages.push(cursor);
  });
  const first = await mirror(page);
  assert.equal(first[0].name.replace(/[\u2066-\u2069]/g, '').split(',')[0], 'Brinquedo 21');
  assert.equal(first[0].setsize, '-1', 'more to come: the size is not known yet');
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 20);
  for (let i = 0; i < 40; i++) {
    if (await page.locator('#grid-mirror li[aria-setsize="21"][data-index="20"]').count()) break;
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(50);
  }
  const all = await mirror(page);
  const last = all.at(-1);
  assert.equal(last.index, 20);
  assert.equal(last.setsize, '21');
  assert.equal(last.name.replace(/[\u2066-\u2069]/g, '').split(',')[0], 'Brinquedo 1');
  assert.equal(pages.length, 1, 'the second page asked for once, with the cursor');
  assert.deepEqual(problems, []);
  await context.close();
});
