// Partner embeds of a marketplace listing (issue 20 §2): oEmbed for
// /listings/:id, the embed page /embed/l/:id (title, seller, cover, price,
// a new-tab link; hostile text escaped; words per language), the discovery
// link in the app's page for /listings/:id, and the refusals, as a post's
// embed refuses what a signed-out person may not see: a paused listing, one a
// moderator hid or removed, a deleted one, a suspended or banned seller's, a
// seller who deleted their account. One server, real catalogs and
// index.html. Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResponse } from '../lib/openapi.mjs';
import { BIN, Client, assertError, databaseEnv, email, png, startServer, stopServer } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// What a hostile seller can type into a title and a shop name.
const HOSTILE = {
  title: '<script>alert(1)</script> "x=\'y\' & <b>bold</b> مرحبا 🐶',
  shop: 'Eve </title><img src=x onerror=alert(2)>',
};

async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

async function person(server, tag, name = `Person ${tag}`) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, 'correct horse battery', name);
  return { c, mail, id: user.id };
}

async function seller(server, tag, shop = `Shop ${tag}`) {
  const p = await person(server, tag);
  const r = await p.c.put('/api/v1/me/seller', { name: shop, payout: { provider: 'paypal', email: `pay.${tag}@example.test` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return p;
}

async function listing(s, extra = {}) {
  const photo = (await s.c.upload(png(40, 30), 'image/png')).id;
  const r = await s.c.post('/api/v1/listings', {
    title: 'Cama ortopédica para cachorro', lang: 'pt', photos: [photo], description: '', price_minor: 4990, currency: 'BRL',
    stock: 3, condition: 'new', kind: 'product', category: 'beds', species: ['dog'],
    location: { city: 'Curitiba', country: 'BR' }, shipping: { pickup: true }, ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

describe('listing embeds', () => {
  let server, root, origin, anon, mod, ana, eve, shown, hostile, clp;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pa-embed-listing-'));
    await cp(path.join(repo, 'locales'), path.join(root, 'locales'), { recursive: true });
    await cp(path.join(repo, 'shell/index.html'), path.join(root, 'index.html'));
    server = await startServer({ root, seed: false });
    origin = server.url.replace(/\/$/, '');
    anon = new Client(server);
    mod = await person(server, 'mod');
    await grant(server, mod.mail, 'moderator');
    ana = await seller(server, 'ana', 'Pet Shop Ana');
    eve = await seller(server, 'eve', HOSTILE.shop);
    shown = await listing(ana);
    clp = await listing(ana, { title: '大型犬用ベッド', lang: 'ja', price_minor: 15000, currency: 'CLP' });
    hostile = await listing(eve, { title: HOSTILE.title, lang: 'en' });
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(root, { recursive: true, force: true });
  });

  const oembed = (url, extra = {}, opts) => anon.get(`/api/v1/oembed?${new URLSearchParams({ url, ...extra })}`, opts);
  // The embed page is HTML: checked against the contract here (the client checks /api/ only).
  async function page(target, headers = {}) {
    const r = await anon.get(target, { headers });
    validateResponse('GET', target, r.status, undefined, r.headers['content-type']);
    return { ...r, html: r.buf.toString('utf8') };
  }

  test('oEmbed for a listing: rich, the seller as author, the cover as thumbnail, a blockquote and the script', async () => {
    const r = await oembed(`${origin}/listings/${shown.id}?ref=partner#photos`, { maxwidth: '400' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const o = r.body;
    assert.equal(o.type, 'rich');
    assert.equal(o.title, 'Cama ortopédica para cachorro');
    assert.equal(o.author_name, 'Pet Shop Ana');
    assert.equal(o.author_url, `${origin}/sellers/${ana.id}`);
    assert.equal(o.width, 400);
    assert.equal(o.height, 300 + 200); // the 40×30 cover at 400 px, and the text around it
    assert.match(o.thumbnail_url, new RegExp(`^${origin}/media/[0-9a-f]{64}\\.png$`));
    assert.deepEqual([o.thumbnail_width, o.thumbnail_height], [40, 30]);
    assert.ok(o.html.includes(`data-listing-id="${shown.id}"`), o.html);
    assert.ok(o.html.includes(`href="${origin}/listings/${shown.id}"`));
    assert.ok(o.html.includes(`<script async src="${origin}/embed.js"`));
    assert.ok(!o.html.includes('data-post-id'));
    // The embed page's own address works as the url too.
    assert.equal((await oembed(`${origin}/embed/l/${shown.id}`)).body.title, o.title);
    // Words follow the partner's language.
    const es = await oembed(`${origin}/listings/${shown.id}`, { lang: 'es' });
    assert.ok(es.body.html.includes('Vendido por <bdi>Pet Shop Ana</bdi>'), es.body.html);
  });

  test('oEmbed escapes a hostile title and shop name in its html', async () => {
    const o = (await oembed(`${origin}/listings/${hostile.id}`)).body;
    assert.equal(o.title, HOSTILE.title); // JSON: the title as typed
    assert.equal(o.author_name, HOSTILE.shop);
    assert.ok(!o.html.includes('<script>alert') && !o.html.includes('<img src=x') && !o.html.includes('<b>bold'), o.html);
    assert.ok(o.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(o.html.includes('Eve &lt;/title&gt;&lt;img src=x onerror=alert(2)&gt;'));
  });

  test('the embed page: title, seller, cover with alt text, price as exact decimal and currency, a new-tab link', async () => {
    const r = await page(`/embed/l/${shown.id}`);
    assert.equal(r.status, 200);
    const h = r.html;
    assert.match(r.headers['content-security-policy'], /frame-ancestors \*/);
    assert.ok(!/x-frame-options/i.test(Object.keys(r.headers).join(' ')));
    assert.ok(h.includes(`<main class="embed listing" data-listing-id="${shown.id}">`));
    assert.ok(h.includes('<h1 class="who" dir="auto">Cama ortopédica para cachorro</h1>'));
    assert.ok(h.includes('Sold by <bdi>Pet Shop Ana</bdi>'));
    assert.match(h, /<img class="photo" src="\/media\/[0-9a-f]{64}\.png" width="40" height="30" alt="Photo of \u2068Cama ortopédica para cachorro\u2069">/);
    assert.ok(h.includes('<data class="money" value="49.90" data-currency="BRL">49.90 BRL</data>'));
    assert.ok(h.includes(`<a class="view" href="/listings/${shown.id}" target="_blank" rel="noopener">`));
    assert.ok(h.includes('<script src="/embed-frame.js" defer></script>'));
    assert.ok(!/<script>|\sstyle=|<style|\son[a-z]+=/.test(h), 'no inline script, style or handler');
    // No minor unit: CLP's price is whole.
    assert.ok((await page(`/embed/l/${clp.id}`)).html.includes('<data class="money" value="15000" data-currency="CLP">'));
  });

  test('the embed page escapes a hostile title and shop name', async () => {
    const h = (await page(`/embed/l/${hostile.id}`)).html;
    assert.ok(!h.includes('<script>alert') && !h.includes('<img src=x') && !h.includes('<b>bold'), h);
    assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;x=&#39;y&#39; &amp; &lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(h.includes('<bdi>Eve &lt;/title&gt;&lt;img src=x onerror=alert(2)&gt;</bdi>'));
    assert.equal(h.match(/<\/title>/g).length, 1);
  });

  test('words follow ?lang= and Accept-Language (rtl for Arabic)', async () => {
    const es = (await page(`/embed/l/${shown.id}?lang=es`)).html;
    assert.ok(es.includes('<html lang="es" dir="ltr">') && es.includes('Vendido por') && es.includes('Ver en PetAmigos'), es);
    const pt = (await page(`/embed/l/${shown.id}`, { 'accept-language': 'pt-BR,pt;q=0.9' })).html;
    assert.ok(pt.includes('<html lang="pt"') && pt.includes('Vendido por'));
    const ar = (await page(`/embed/l/${shown.id}`, { 'accept-language': 'ar' })).html;
    assert.ok(ar.includes('<html lang="ar" dir="rtl">') && ar.includes('يبيعه'));
  });

  test("the app's page for /listings/:id names its oEmbed; /market does not", async () => {
    const r = await anon.get(`/listings/${shown.id}`);
    assert.equal(r.status, 200);
    const want = `${origin}/api/v1/oembed?format=json&amp;url=${encodeURIComponent(`${origin}/listings/${shown.id}`)}`;
    assert.ok(r.buf.toString('utf8').includes(`<link rel="alternate" type="application/json+oembed" href="${want}">`));
    assert.ok(!(await anon.get('/market')).buf.toString('utf8').includes('json+oembed'));
    assert.ok(!(await anon.get('/listings/lst_0')).buf.toString('utf8').includes('json+oembed'));
  });

  test('bad listing addresses are 400; unknown ones 404 (oEmbed) and the unavailable page', async () => {
    for (const url of [`${origin}/listings/lst_0`, `${origin}/listings/abc`, `${origin}/listings/`, 'https://evil.example/listings/lst_1']) {
      assertError(await oembed(url), 400, 'bad_request');
    }
    assertError(await oembed(`${origin}/listings/lst_999999`), 404, 'not_found');
    for (const target of ['/embed/l/lst_999999', '/embed/l/lst_0', '/embed/l/nope']) {
      const r = await page(target);
      assert.equal(r.status, 404, target);
      assert.ok(r.html.includes('This listing is not available'), target);
      assert.match(r.headers['content-security-policy'], /frame-ancestors \*/);
    }
  });

  // Each way a listing stops being embeddable: its oEmbed 404 and its page the unavailable one.
  async function refused(l, why) {
    assertError(await oembed(`${origin}/listings/${l.id}`), 404, 'not_found');
    const r = await page(`/embed/l/${l.id}`, { 'accept-language': 'es' });
    assert.equal(r.status, 404, why);
    assert.ok(r.html.includes('Este anuncio no está disponible'), why);
    assert.ok(!r.html.includes(l.title), why);
  }
  const embeddable = async (l) => (await oembed(`${origin}/listings/${l.id}`)).status === 200;

  test('paused, hidden, removed and deleted listings are refused; back when active or restored', async () => {
    const s = await seller(server, 'sam');
    const l = await listing(s);
    assert.ok(await embeddable(l));
    assert.equal((await s.c.patch(`/api/v1/listings/${l.id}`, { status: 'paused' })).status, 200);
    await refused(l, 'paused');
    assert.equal((await s.c.patch(`/api/v1/listings/${l.id}`, { status: 'active' })).status, 200);
    assert.ok(await embeddable(l));
    for (const [action, ok] of [['hide', false], ['restore', true], ['remove', false]]) {
      const r = await mod.c.post(`/api/v1/mod/items/listing/${l.id}/actions`, { action, note: 'checked' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (ok) assert.ok(await embeddable(l), action);
      else await refused(l, action);
    }
    const gone = await listing(s);
    assert.equal((await s.c.del(`/api/v1/listings/${gone.id}`)).status, 200);
    await refused(gone, 'deleted');
  });

  test("a suspended or banned seller's listings are refused, as is a seller who deleted their account", async () => {
    const act = (id, body) => mod.c.post(`/api/v1/mod/items/person/${id}/actions`, body);
    const sus = await seller(server, 'sus');
    const l1 = await listing(sus);
    assert.ok(await embeddable(l1));
    assert.equal((await act(sus.id, { action: 'suspend', days: 3, note: 'cool off' })).status, 200);
    await refused(l1, 'suspended');
    const ban = await seller(server, 'ban');
    const l2 = await listing(ban);
    assert.equal((await act(ban.id, { action: 'ban', note: 'fraud' })).status, 200);
    await refused(l2, 'banned');
    const leaver = await seller(server, 'leaver');
    const l3 = await listing(leaver);
    assert.equal((await leaver.c.del('/api/v1/me', { password: 'correct horse battery' })).status, 200);
    await refused(l3, 'account deleted');
    // Others' listings are untouched.
    assert.ok(await embeddable(shown));
  });
});
