// Embeds on a partner's site, in real Chromium: a page on another origin
// (localhost, its own port) pastes the oEmbed snippet of a demo post; embed.js
// swaps the blockquote for a sandboxed iframe of /embed/p/:id that shows the
// caption and photo and is sized to its content; messages the partner's page
// forges do not resize it. A marketplace listing's snippet (made through the
// API) becomes a frame of /embed/l/:id with its photo, title, seller and the
// price in the partner page's language, its CSP intact. An affiliate's
// snippet (issue 21) frames with its code, and the frame's link goes through
// the affiliate's /r/ link (a click counted, the first-touch cookie set). The
// embed pages pass axe in light and dark.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser } from '../lib/app.mjs';
import { Client, png } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server, browser, partner, partnerUrl, posts, listing;
const pages = new Map(); // partner path -> HTML

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  const feed = await (await fetch(`${server.url}api/v1/feed?limit=2`)).json();
  posts = [];
  for (const p of feed.posts) {
    const r = await fetch(`${server.url}api/v1/oembed?url=${encodeURIComponent(`${server.url}posts/${p.id}`)}&format=json`);
    assert.equal(r.status, 200);
    posts.push({ ...p, oembed: await r.json() });
  }
  // A seller's listing, made through the API, and its oEmbed in Portuguese.
  const seller = new Client({ port: Number(new URL(server.url).port) });
  await seller.signup(`embed.seller.${process.pid}@example.test`, undefined, 'Bia');
  assert.equal((await seller.put('/api/v1/me/seller', { name: 'Loja da Bia', payout: { provider: 'paypal', email: 'bia@example.test' } })).status, 201);
  const photo = (await seller.upload(png(64, 48), 'image/png')).id;
  const made = await seller.post('/api/v1/listings', {
    title: 'Cama ortopédica para cachorro', lang: 'pt', photos: [photo], price_minor: 4990, currency: 'BRL', stock: 2,
    condition: 'new', kind: 'product', category: 'beds', species: ['dog'], location: { city: 'Curitiba', country: 'BR' },
    shipping: { pickup: true },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const r = await fetch(`${server.url}api/v1/oembed?url=${encodeURIComponent(`${server.url}listings/${made.body.id}`)}&lang=pt`);
  assert.equal(r.status, 200);
  listing = { ...made.body, oembed: await r.json() };
  partner = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const html = pages.get(req.url.split('?')[0]);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise((r) => partner.listen(0, '127.0.0.1', r));
  // localhost vs the server's 127.0.0.1: another origin, and another site.
  partnerUrl = `http://localhost:${partner.address().port}`;
});

after(async () => {
  await new Promise((r) => (partner ? partner.close(r) : r()));
});

// A partner's page: its own words around the pasted snippets.
function partnerPage(path, snippets, lang = 'en') {
  pages.set(path, `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Happy Paws Vet Clinic</title>
<script>window.__globalsBefore = Object.keys(window);</script></head>
<body><main><h1>Our patients this week</h1>${snippets.join('\n<p>More news below.</p>\n')}</main></body></html>`);
  return `${partnerUrl}${path}`;
}

async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 800, height: 1000 }, ...options });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  return { page, problems };
}

const frameHeights = (page) =>
  page.$$eval('iframe', (fs) => fs.map((f) => Math.round(f.getBoundingClientRect().height)));

test("a partner page on another origin shows the post in a sized, sandboxed iframe", async () => {
  const post = posts[0];
  const { page, problems } = await open(partnerPage('/one', [post.oembed.html]));
  const frameEl = page.locator('iframe.petamigos-embed-frame');
  await frameEl.waitFor();
  assert.equal(await page.locator('blockquote').count(), 0, 'the blockquote was replaced');
  assert.equal(await frameEl.getAttribute('sandbox'), 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
  assert.equal(await frameEl.getAttribute('loading'), 'lazy');
  assert.equal(await frameEl.getAttribute('title'), `\u2068${post.pet.name}\u2069 on PetAmigos`);
  assert.equal(await frameEl.getAttribute('src'), `${server.url}embed/p/${post.id}?lang=en`);
  assert.equal(await frameEl.evaluate((f) => f.style.maxWidth), '325px');

  const frame = page.frameLocator('iframe.petamigos-embed-frame');
  await frame.locator('.caption').waitFor();
  assert.equal(await frame.locator('.caption').textContent(), post.caption);
  const img = frame.locator('img.photo');
  await img.evaluate((el) => (el.complete ? null : new Promise((r) => el.addEventListener('load', r, { once: true }))));
  assert.ok(await img.evaluate((el) => el.naturalWidth > 0), 'the photo loaded');
  assert.equal(await img.getAttribute('alt'), post.images[0].alt);

  // Sized to the embed's content, not the default 150 px.
  await page.waitForFunction(() => document.querySelector('iframe').getBoundingClientRect().height > 200);
  const inner = await frame.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  const [outer] = await frameHeights(page);
  assert.ok(Math.abs(outer - inner) <= 1, `iframe ${outer}px, content ${inner}px`);

  // The partner's page forging the message (right type, id and a height) changes nothing.
  await page.evaluate((id) => window.postMessage({ type: 'petamigos:resize', id, height: 999 }, '*'), post.id);
  await page.evaluate((id) => window.postMessage({ type: 'petamigos:resize', id, height: 37 }, '*'), post.id);
  await page.waitForTimeout(300);
  assert.deepEqual(await frameHeights(page), [outer]);

  // One global, no more (window[0] is the frame itself).
  const added = await page.evaluate(() => Object.keys(window).filter((k) => !window.__globalsBefore.includes(k) && k !== '__globalsBefore' && !/^\d+$/.test(k)));
  assert.deepEqual(added, ['PetAmigosEmbed']);

  // "View on PetAmigos" opens the app's post page in a new tab.
  const [popup] = await Promise.all([page.waitForEvent('popup'), frame.locator('a.view').click()]);
  assert.equal(popup.url(), `${server.url}posts/${post.id}`);
  await popup.close();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('two snippets (the script twice) make two frames, each sized; words in the page language', async () => {
  const { page, problems } = await open(partnerPage('/two', posts.map((p) => p.oembed.html), 'es'));
  await page.waitForFunction(() => {
    const fs = [...document.querySelectorAll('iframe')];
    return fs.length === 2 && fs.every((f) => f.getBoundingClientRect().height > 200);
  });
  assert.equal(await page.locator('iframe').count(), 2);
  assert.equal(await page.locator('blockquote').count(), 0);
  for (const [i, p] of posts.entries()) {
    const frame = page.frameLocator('iframe').nth(i);
    assert.equal(await frame.locator('main').getAttribute('data-post-id'), p.id);
    assert.equal(await frame.locator('a.view').textContent(), 'Ver en PetAmigos (se abre en una pestaña nueva)');
  }
  // Loading the script again finds nothing left to replace.
  await page.addScriptTag({ url: `${server.url}embed.js` });
  await page.evaluate(() => window.PetAmigosEmbed.scan());
  assert.equal(await page.locator('iframe').count(), 2);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('without JavaScript the pasted blockquote reads as the caption and a link', async () => {
  const post = posts[0];
  const { page } = await open(partnerPage('/nojs', [post.oembed.html]), { javaScriptEnabled: false });
  const quote = page.locator('blockquote.petamigos-embed');
  assert.equal(await quote.locator('p').first().textContent(), post.caption);
  assert.equal(await quote.locator('a').getAttribute('href'), `${server.url}posts/${post.id}`);
  assert.equal(await quote.locator('a').textContent(), 'View on PetAmigos');
  await page.context().close();
});

test("a partner page shows a marketplace listing: photo, title, seller, the price in its language, a link; CSP intact", async () => {
  const { page, problems } = await open(partnerPage('/shop', [listing.oembed.html], 'pt-BR'));
  const frameEl = page.locator('iframe.petamigos-embed-frame');
  await frameEl.waitFor();
  assert.equal(await page.locator('blockquote').count(), 0, 'the blockquote was replaced');
  assert.equal(await frameEl.getAttribute('src'), `${server.url}embed/l/${listing.id}?lang=pt-BR`);
  assert.equal(await frameEl.getAttribute('sandbox'), 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
  assert.equal(await frameEl.getAttribute('title'), '\u2068Cama ortopédica para cachorro\u2069 no PetAmigos');
  // The frame's own response keeps the embed CSP: framable anywhere, only its own script.
  const response = await page.request.get(`${server.url}embed/l/${listing.id}?lang=pt-BR`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors \*/);

  const frame = page.frameLocator('iframe.petamigos-embed-frame');
  await frame.locator('h1').waitFor();
  assert.equal(await frame.locator('main').getAttribute('data-listing-id'), listing.id);
  assert.equal(await frame.locator('h1').textContent(), 'Cama ortopédica para cachorro');
  assert.equal(await frame.locator('.seller').textContent(), 'Vendido por Loja da Bia');
  // The exact decimal worded by Intl for pt: "R$ 49,90" (a no-break space).
  await frame.locator('data.money', { hasText: 'R$' }).waitFor();
  assert.equal((await frame.locator('data.money').textContent()).replace(/\s/g, ' '), 'R$ 49,90');
  const img = frame.locator('img.photo');
  await img.evaluate((el) => (el.complete ? null : new Promise((r) => el.addEventListener('load', r, { once: true }))));
  assert.ok(await img.evaluate((el) => el.naturalWidth === 64), 'the cover loaded');
  assert.equal(await img.getAttribute('alt'), 'Foto de \u2068Cama ortopédica para cachorro\u2069');

  // Sized to its content.
  await page.waitForFunction(() => document.querySelector('iframe').getBoundingClientRect().height > 200);
  const inner = await frame.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  const [outer] = await frameHeights(page);
  assert.ok(Math.abs(outer - inner) <= 1, `iframe ${outer}px, content ${inner}px`);

  // "Ver no PetAmigos" opens the listing's page in a new tab.
  const [popup] = await Promise.all([page.waitForEvent('popup'), frame.locator('a.view').click()]);
  assert.equal(popup.url(), `${server.url}listings/${listing.id}`);
  await popup.close();
  assert.deepEqual(problems, [], 'no CSP violation or error in the partner page or the frame');
  await page.context().close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe: the embed pages and their unavailable pages have no serious or critical violations (${colorScheme})`, async () => {
    for (const path of [`embed/p/${posts[0].id}`, 'embed/p/p_999999', `embed/l/${listing.id}`, 'embed/l/lst_999999']) {
      // axe is injected as a script, which the embed's CSP rightly forbids: bypass it for the audit.
      const { page, problems } = await open(`${server.url}${path}`, { colorScheme, bypassCSP: true, viewport: { width: 360, height: 700 } });
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], path);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, colorScheme === 'dark' ? 'rgb(30, 30, 30)' : 'rgb(255, 255, 255)');
      // The 404 page is a real 404 whose words console-log nothing else.
      assert.deepEqual(problems.filter((p) => !/404/.test(p)), []);
      await page.context().close();
    }
  });
}

test("an affiliate's snippet: the frame carries the code, and its link counts the click and sets the first touch", async () => {
  const port = Number(new URL(server.url).port);
  const vet = new Client({ port });
  await vet.signup(`embed.affiliate.${process.pid}@example.test`, undefined, 'Dr Vet');
  const joined = await vet.post('/api/v1/affiliate', { kind: 'vet' });
  assert.equal(joined.status, 201);
  const code = joined.body.affiliate.code;
  const post = posts[0];
  const r = await vet.get(`/api/v1/oembed?url=${encodeURIComponent(`${server.url}posts/${post.id}`)}`);
  assert.ok(r.body.html.includes(`data-ref="${code}"`), r.body.html);
  const { page, problems } = await open(partnerPage('/affiliate', [r.body.html]));
  const frameEl = page.locator('iframe.petamigos-embed-frame');
  await frameEl.waitFor();
  assert.equal(await frameEl.getAttribute('src'), `${server.url}embed/p/${post.id}?lang=en&ref=${code}`);
  const frame = page.frameLocator('iframe.petamigos-embed-frame');
  const view = frame.locator('a.view');
  await view.waitFor();
  assert.equal(await view.getAttribute('href'), `/r/${code}?to=${encodeURIComponent(`/posts/${post.id}`)}`);
  const [popup] = await Promise.all([page.waitForEvent('popup'), view.click()]);
  await popup.waitForURL(`${server.url}posts/${post.id}`);
  const cookies = (await page.context().cookies(server.url)).filter((c) => c.name === 'pa_aff');
  assert.equal(cookies.length, 1);
  assert.ok(cookies[0].value.startsWith(`${code}.`));
  const stats = (await vet.get('/api/v1/affiliate/stats')).body;
  assert.equal(stats.months.at(-1).clicks, 1);
  await popup.close();
  assert.deepEqual(problems, []);
  await page.context().close();
});
