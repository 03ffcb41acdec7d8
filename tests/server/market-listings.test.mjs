// The marketplace's sellers and listings (issue 20): a seller profile with
// its payout account, listings read strictly (every limit of
// web/src/market_rules.h tried at its edge, unknown members and coordinates
// refused by name), the live-animal rule (422 live_animals_forbidden),
// browse with structured filters, sorts and cursor paging, blocks hiding a
// seller's listings both ways, every route closed to who must not use it
// (no session 401, another person 403/404, CSRF), and the schema upgrade from
// the version before on both engines. One server for the file. Runs on
// SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer, stopServer,
} from './helpers.mjs';

// The limits of web/src/market_rules.h, each tried at its edge below.
const TITLE_MAX = 120;
const DESCRIPTION_MAX = 5000;
const PHOTOS_MAX = 10;
const VARIANTS_MAX = 20;
const STOCK_MAX = 100000;
const LISTINGS_MAX = 200;
const CREATES_PER_HOUR = 20;
const SELLER_NAME_MAX = 60;

let uniq = 0;

async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

async function person(server, tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, 'correct horse battery', `Person ${tag}`);
  return { c, user, mail, id: user.id, num: Number(user.id.slice(2)) };
}

async function seller(server, tag) {
  const p = await person(server, tag);
  const r = await p.c.put('/api/v1/me/seller', { name: `Shop ${tag}`, payout: { provider: 'paypal', email: `pay.${tag}@example.test` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return p;
}

async function photos(c, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await c.upload(png(2 + (++uniq % 200), 2 + Math.floor(uniq / 200)), 'image/png')).id);
  return out;
}

const product = (photoIds, extra = {}) => ({
  title: 'Rope toy', description: 'Strong cotton rope.\nFor big dogs.', photos: photoIds, price_minor: 1299, currency: 'USD',
  stock: 5, condition: 'new', kind: 'product', category: 'toys', species: ['dog'],
  location: { city: 'Porto Alegre', country: 'BR' }, shipping: { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true }, ...extra,
});

const service = (photoIds, extra = {}) => ({
  title: 'Dog walking', photos: photoIds, price_minor: 2000, currency: 'BRL', condition: 'n/a', kind: 'service',
  category: 'walking', species: ['dog'], location: { city: 'Curitiba', country: 'BR' }, shipping: { area: ['Curitiba', 'Pinhais'] }, ...extra,
});

describe('the marketplace: sellers and listings', () => {
  let server, ann, bob, ann1;
  before(async () => {
    server = await startServer();
    ann = await seller(server, 'ann');
    bob = await person(server, 'bob');
    [ann1] = await photos(ann.c, 1);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('a seller profile: 404 until set, PayPal or Mercado Pago (connected later), strict body', async () => {
    const p = await person(server, 'sel');
    assertError(await p.c.get('/api/v1/me/seller'), 404, 'not_found');
    assertError(await new Client(server).get('/api/v1/me/seller'), 401, 'unauthorized');
    assertError(await new Client(server).put('/api/v1/me/seller', { name: 'X', payout: { provider: 'mercadopago' } }), 401, 'unauthorized');
    assertError(await p.c.put('/api/v1/me/seller', { name: 'X', payout: { provider: 'mercadopago' } }, { csrf: false }), 403, 'csrf');
    const made = await p.c.put('/api/v1/me/seller', { name: 'Pet Shop', payout: { provider: 'mercadopago' } });
    assert.equal(made.status, 201);
    assert.deepEqual(made.body.payout, { provider: 'mercadopago', connected: false });
    assert.equal(made.body.user, p.id);
    // Connected by the OAuth lane later; a change of provider drops it.
    dbQuery(server, `UPDATE sellers SET mp_connected = 1 WHERE user_id = ${p.num};`);
    const same = await p.c.put('/api/v1/me/seller', { name: 'Pet Shop 2', payout: { provider: 'mercadopago' } });
    assert.equal(same.status, 200);
    assert.deepEqual(same.body.payout, { provider: 'mercadopago', connected: true });
    const pp = await p.c.put('/api/v1/me/seller', { name: 'Pet Shop', payout: { provider: 'paypal', email: 'me@example.test' } });
    assert.deepEqual(pp.body.payout, { provider: 'paypal', email: 'me@example.test' });
    assert.deepEqual((await p.c.get('/api/v1/me/seller')).body, pp.body);
    const bad = [
      [{ name: 'X', payout: { provider: 'paypal', email: 'me@example.test' }, extra: 1 }, 'extra'],
      [{ name: '', payout: { provider: 'mercadopago' } }, 'name'],
      [{ name: 'x'.repeat(SELLER_NAME_MAX + 1), payout: { provider: 'mercadopago' } }, 'name'],
      [{ name: 'X', payout: { provider: 'stripe' } }, 'payout.provider'],
      [{ name: 'X', payout: { provider: 'paypal' } }, 'payout.email'],
      [{ name: 'X', payout: { provider: 'paypal', email: 'nope' } }, 'payout.email'],
      [{ name: 'X', payout: { provider: 'mercadopago', email: 'a@b.c' } }, 'payout.email'],
      [{ name: 'X', payout: { provider: 'mercadopago', token: 'x' } }, 'payout.token'],
      [{ name: 'X' }, 'payout'],
    ];
    for (const [body, field] of bad) {
      const r = await p.c.put('/api/v1/me/seller', body);
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, field, JSON.stringify(body));
    }
    assert.equal((await p.c.put('/api/v1/me/seller', { name: 'x'.repeat(SELLER_NAME_MAX), payout: { provider: 'mercadopago' } })).status, 200);
  });

  test('a listing: created with photos and variants, read back by anyone, public seller page', async () => {
    const ids = await photos(ann.c, 2);
    const body = product(ids, {
      variants: [{ size: 'S', colour: 'red', stock: 3 }, { size: 'L', stock: 0, price_minor: 1599 }],
      lang: 'pt',
    });
    const made = await ann.c.post('/api/v1/listings', body);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const l = made.body;
    assert.match(l.id, /^lst_\d+$/);
    assert.equal(l.title, body.title);
    assert.equal(l.description, body.description);
    assert.equal(l.lang, 'pt');
    assert.equal(l.price_minor, 1299);
    assert.equal(l.currency, 'USD');
    assert.equal(l.stock, 3, 'the variants\' stock summed');
    assert.equal(l.fee_bps, 1000);
    assert.equal(l.moderation, 'shown');
    assert.deepEqual(l.photos.map((p) => p.id), ids);
    assert.equal(l.cover_url, l.photos[0].url);
    assert.deepEqual(l.variants.map(({ size, colour, stock, price_minor }) => ({ size, colour, stock, price_minor })),
      [{ size: 'S', colour: 'red', stock: 3, price_minor: null }, { size: 'L', colour: '', stock: 0, price_minor: 1599 }]);
    assert.deepEqual(l.shipping, { zones: [{ name: 'Brazil', price_minor: 500 }], pickup: true, area: [] });
    assert.deepEqual(l.location, { city: 'Porto Alegre', country: 'BR' });
    assert.deepEqual(l.species, ['dog']);
    assert.equal(l.seller.id, ann.id);
    // Anyone reads it, signed in or not; only its seller sees the moderation state.
    const pub = await new Client(server).get(`/api/v1/listings/${l.id}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.body.moderation, undefined);
    assert.equal((await bob.c.get(`/api/v1/listings/${l.id}`)).body.title, body.title);
    // lang defaults to the seller's locale (English when it is none of the catalogs).
    const en = await ann.c.post('/api/v1/listings', service([ann1]));
    assert.equal(en.status, 201, JSON.stringify(en.body));
    assert.equal(en.body.lang, 'en');
    assert.deepEqual(en.body.shipping, { zones: [], pickup: false, area: ['Curitiba', 'Pinhais'] });
    const page = await new Client(server).get(`/api/v1/sellers/${ann.id}`);
    assert.equal(page.status, 200);
    assert.equal(page.body.name, 'Shop ann');
    assert.ok(page.body.listings >= 2);
    assertError(await new Client(server).get(`/api/v1/sellers/${bob.id}`), 404, 'not_found');
    assertError(await new Client(server).get('/api/v1/listings/lst_999999'), 404, 'not_found');
    // "Download my data" holds the seller profile, the listings and their photos.
    const x = (await ann.c.get('/api/v1/me/export')).body;
    assert.deepEqual(x.seller.map((r) => [r.name, r.provider, r.paypal_email, r.connected]), [['Shop ann', 'paypal', 'pay.ann@example.test', false]]);
    assert.ok(x.listings.some((r) => r.id === l.id && r.price_minor === 1299 && r.currency === 'USD' && JSON.parse(r.shipping).pickup === true));
    assert.deepEqual(x.listing_photos.filter((r) => r.listing === l.id).map((r) => r.file), l.photos.map((p) => p.url.replace('/media/', '')));
    assert.deepEqual((await bob.c.get('/api/v1/me/export')).body.listings, []);
  });

  test('live animals cannot be listed: 422 live_animals_forbidden with the adoption policy', async () => {
    for (const extra of [{ category: 'animals' }, { category: 'Puppies' }, { category: 'dogs' }, { category: 'guinea pig' }, { kind: 'animal' }, { kind: 'live_animals' }]) {
      const r = await ann.c.post('/api/v1/listings', product([ann1], extra));
      assertError(r, 422, 'live_animals_forbidden');
      assert.match(r.body.error.message, /adoption post/);
      assert.equal(r.body.error.field, 'category' in extra ? 'category' : 'kind');
      // An edit cannot turn a listing into one either.
    }
    const ok = await ann.c.post('/api/v1/listings', product([ann1]));
    const r = await ann.c.patch(`/api/v1/listings/${ok.body.id}`, { category: 'pets' });
    assertError(r, 422, 'live_animals_forbidden');
    // A plain unknown category is a 400, not the policy.
    assertError(await ann.c.post('/api/v1/listings', product([ann1], { category: 'cars' })), 400, 'bad_request');
  });

  test('the body is strict: each error names its field; coordinates are refused by name', async () => {
    const cases = [
      [{ colour: 'red' }, 'colour'],
      [{ location: { city: 'X', country: 'BR', latitude: -30.03 } }, 'location.latitude'],
      [{ lat: -30.03 }, 'lat'],
      [{ location: { city: 'X', country: 'ZZ' } }, 'location.country'],
      [{ location: { city: '', country: 'BR' } }, 'location.city'],
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(TITLE_MAX + 1) }, 'title'],
      [{ description: 'x'.repeat(DESCRIPTION_MAX + 1) }, 'description'],
      [{ price_minor: 12.5 }, 'price_minor'],
      [{ price_minor: 0 }, 'price_minor'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ lang: 'xx' }, 'lang'],
      [{ stock: STOCK_MAX + 1 }, 'stock'],
      [{ condition: 'broken' }, 'condition'],
      [{ species: ['dragon'] }, 'species[0]'],
      [{ species: ['dog', 'dog'] }, 'species[1]'],
      [{ photos: ['p_1'] }, 'photos[0]'],
      [{ photos: ['m_999999'] }, 'photos[0]'],
      [{ variants: [{ size: 'S', stock: STOCK_MAX + 1 }] }, 'variants[0].stock'],
      [{ variants: [{ size: 'S' }] }, 'variants[0].stock'],
      [{ variants: [{ size: 'S', stock: 1, weight: 2 }] }, 'variants[0].weight'],
      [{ shipping: { zones: [{ name: 'A' }] } }, 'shipping.zones[0].price_minor'],
      [{ shipping: { courier: true } }, 'shipping.courier'],
      [{ location: { city: 'X', country: 'BR', Lat: 1 } }, undefined],
    ];
    for (const [extra, field] of cases) {
      const r = await ann.c.post('/api/v1/listings', product([ann1], extra));
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.field, field, JSON.stringify(extra));
    }
    const missing = product([ann1]);
    delete missing.shipping;
    assert.equal((await ann.c.post('/api/v1/listings', missing)).body.error.field, 'shipping');
    // Whole-listing rules are 422, naming the member at fault.
    for (const [body, field] of [
      [service([ann1], { condition: 'new' }), 'condition'],
      [service([ann1], { shipping: { area: [] } }), 'shipping.area'],
      [product([ann1], { condition: 'n/a' }), 'condition'],
      [product([ann1], { shipping: { pickup: false } }), 'shipping'],
      [product([ann1], { category: 'walking' }), 'category'],
    ]) {
      const r = await ann.c.post('/api/v1/listings', body);
      assertError(r, 422, 'unprocessable');
      assert.equal(r.body.error.field, field);
    }
  });

  test(`edges: title ${TITLE_MAX}, description ${DESCRIPTION_MAX}, ${PHOTOS_MAX} photos, ${VARIANTS_MAX} variants, stock ${STOCK_MAX}`, async () => {
    const ten = await photos(ann.c, PHOTOS_MAX);
    const variants = Array.from({ length: VARIANTS_MAX }, (_, i) => ({ size: `S${i}`, stock: i === 0 ? STOCK_MAX : 1 }));
    const r = await ann.c.post('/api/v1/listings', product(ten, { title: 'é'.repeat(TITLE_MAX), description: 'x'.repeat(DESCRIPTION_MAX), variants }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.photos.length, PHOTOS_MAX);
    assert.equal(r.body.variants.length, VARIANTS_MAX);
    assert.equal(r.body.variants[0].stock, STOCK_MAX);
    assertError(await ann.c.post('/api/v1/listings', product([...ten, 'm_999999'])), 422, 'too_many_photos');
    assertError(await ann.c.post('/api/v1/listings', product([])), 422, 'too_many_photos');
    assertError(await ann.c.post('/api/v1/listings', product([ann1], { variants: [...variants, { size: 'XL', stock: 1 }] })), 422, 'too_many_variants');
    assert.equal((await ann.c.post('/api/v1/listings', product([ann1], { stock: STOCK_MAX }))).status, 201);
  });

  test('routes are closed: no session 401, not a seller 409, someone else\'s 403, CSRF on writes', async () => {
    const mine = (await ann.c.post('/api/v1/listings', product([ann1]))).body.id;
    const anon = new Client(server);
    assertError(await anon.post('/api/v1/listings', product([ann1])), 401, 'unauthorized');
    assertError(await anon.patch(`/api/v1/listings/${mine}`, { title: 'x' }), 401, 'unauthorized');
    assertError(await anon.del(`/api/v1/listings/${mine}`), 401, 'unauthorized');
    assertError(await anon.get('/api/v1/me/listings'), 401, 'unauthorized');
    const [bobPhoto] = await photos(bob.c, 1);
    assertError(await bob.c.post('/api/v1/listings', product([bobPhoto])), 409, 'not_a_seller');
    assertError(await bob.c.patch(`/api/v1/listings/${mine}`, { title: 'mine now' }), 403, 'forbidden');
    assertError(await bob.c.del(`/api/v1/listings/${mine}`), 403, 'forbidden');
    // Another person's upload is not a photo a seller may use.
    assertError(await ann.c.post('/api/v1/listings', product([bobPhoto])), 400, 'unknown_upload');
    assertError(await ann.c.post('/api/v1/listings', product([ann1]), { csrf: false }), 403, 'csrf');
    assertError(await ann.c.patch(`/api/v1/listings/${mine}`, { title: 'x' }, { csrf: false }), 403, 'csrf');
    assertError(await ann.c.del(`/api/v1/listings/${mine}`, undefined, { csrf: false }), 403, 'csrf');
    assert.equal((await ann.c.get(`/api/v1/listings/${mine}`)).body.title, 'Rope toy');
  });

  test('edit and delete: members sent change, variants keep their ids by position, photos replace', async () => {
    const ids = await photos(ann.c, 2);
    const made = (await ann.c.post('/api/v1/listings', product([ids[0]], { variants: [{ size: 'S', stock: 1 }, { size: 'M', stock: 2 }] }))).body;
    const r = await ann.c.patch(`/api/v1/listings/${made.id}`, {
      price_minor: 999, photos: [ids[1], ids[0]], variants: [{ size: 'S', stock: 7 }], status: 'paused',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.price_minor, 999);
    assert.equal(r.body.title, made.title);
    assert.equal(r.body.status, 'paused');
    assert.deepEqual(r.body.photos.map((p) => p.id), [ids[1], ids[0]]);
    assert.deepEqual(r.body.variants.map((v) => [v.id, v.stock]), [[made.variants[0].id, 7]]);
    // Paused: its seller sees it, nobody else does.
    assertError(await bob.c.get(`/api/v1/listings/${made.id}`), 404, 'not_found');
    assert.ok((await ann.c.get('/api/v1/me/listings?limit=100')).body.listings.some((x) => x.id === made.id));
    assert.ok(!(await bob.c.get(`/api/v1/sellers/${ann.id}/listings?limit=100`)).body.listings.some((x) => x.id === made.id));
    // A service cannot keep a product's condition.
    assertError(await ann.c.patch(`/api/v1/listings/${made.id}`, { kind: 'service' }), 422, 'unprocessable');
    // Deleting it frees its photos' files (nothing else holds them).
    const urls = r.body.photos.map((p) => p.url);
    for (const url of urls) assert.equal((await bob.c.get(url)).status, 200);
    assert.equal((await ann.c.del(`/api/v1/listings/${made.id}`)).status, 200);
    for (const url of urls) assert.equal((await bob.c.get(url)).status, 404, url);
    assertError(await ann.c.get(`/api/v1/listings/${made.id}`), 404, 'not_found');
    assertError(await ann.c.del(`/api/v1/listings/${made.id}`), 404, 'not_found');
  });

  test('browse: structured filters, sorts by price within a currency, cursor paging', async () => {
    const s = await seller(server, 'browse');
    const [ph] = await photos(s.c, 1);
    const city = `Bagé ${process.pid}`;
    const made = [];
    for (const [price, extra] of [[300, { species: ['cat'] }], [100, { condition: 'used' }], [200, { category: 'beds' }], [400, {}]]) {
      const r = await s.c.post('/api/v1/listings', product([ph], { price_minor: price, currency: 'CLP', location: { city, country: 'CL' }, ...extra }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      made.push(r.body.id);
    }
    const q = (params) => bob.c.get(`/api/v1/listings?${new URLSearchParams({ city, ...params })}`);
    assert.deepEqual((await q({})).body.listings.map((l) => l.id), [...made].reverse());
    assert.deepEqual((await q({ city: city.toUpperCase() })).body.listings.length, 4);
    assert.deepEqual((await q({ species: 'cat' })).body.listings.map((l) => l.id), [made[0]]);
    assert.deepEqual((await q({ condition: 'used' })).body.listings.map((l) => l.id), [made[1]]);
    assert.deepEqual((await q({ category: 'beds' })).body.listings.map((l) => l.id), [made[2]]);
    assert.deepEqual((await q({ country: 'AR' })).body.listings, []);
    assert.deepEqual((await q({ currency: 'CLP', sort: 'price_asc' })).body.listings.map((l) => l.price_minor), [100, 200, 300, 400]);
    assert.deepEqual((await q({ currency: 'CLP', sort: 'price_desc', price_min: 150, price_max: 300 })).body.listings.map((l) => l.price_minor), [300, 200]);
    // Pages of two, in price order, then the end.
    const p1 = (await q({ currency: 'CLP', sort: 'price_asc', limit: 2 })).body;
    assert.deepEqual(p1.listings.map((l) => l.price_minor), [100, 200]);
    const p2 = (await q({ currency: 'CLP', sort: 'price_asc', limit: 2, cursor: p1.next_cursor })).body;
    assert.deepEqual(p2.listings.map((l) => l.price_minor), [300, 400]);
    assert.equal(p2.next_cursor, null);
    const n1 = (await q({ limit: 3 })).body;
    const n2 = (await q({ limit: 3, cursor: n1.next_cursor })).body;
    assert.deepEqual([...n1.listings, ...n2.listings].map((l) => l.id), [...made].reverse());
    // Bad filters are 400 naming the parameter; prices compare within one currency.
    for (const [params, field] of [[{ category: 'animals' }, 'category'], [{ species: 'dragon' }, 'species'], [{ price_min: '1.5', currency: 'CLP' }, 'price_min'],
      [{ price_min: '100' }, 'currency'], [{ sort: 'price_asc' }, 'currency'], [{ sort: 'best' }, 'sort'], [{ country: 'ZZ' }, 'country']]) {
      const r = await q(params);
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, field, JSON.stringify(params));
    }
    // Paused and moderated listings leave browse.
    await s.c.patch(`/api/v1/listings/${made[0]}`, { status: 'paused' });
    dbQuery(server, `UPDATE listings SET mod_state = 1 WHERE id = ${Number(made[1].slice(4))};`);
    assert.deepEqual((await q({})).body.listings.map((l) => l.id), [made[3], made[2]]);
    assertError(await bob.c.get(`/api/v1/listings/${made[1]}`), 404, 'not_found');
    assert.equal((await s.c.get(`/api/v1/listings/${made[1]}`)).body.moderation, 'hidden');
  });

  test('a block hides a seller\'s listings both ways: browse, seller page, by id', async () => {
    const s = await seller(server, 'blocker');
    const viewer = await person(server, 'blocked');
    const [ph] = await photos(s.c, 1);
    const city = `Blockville ${process.pid}`;
    const l = (await s.c.post('/api/v1/listings', product([ph], { location: { city, country: 'US' } }))).body.id;
    const seen = async (c) => (await c.get(`/api/v1/listings?city=${encodeURIComponent(city)}`)).body.listings.length;
    assert.equal(await seen(viewer.c), 1);
    for (const [blocker, blocked] of [[s, viewer], [viewer, s]]) {
      assert.equal((await blocker.c.put(`/api/v1/users/${blocked.id}/block`)).status, 200);
      assert.equal(await seen(viewer.c), 0);
      assertError(await viewer.c.get(`/api/v1/listings/${l}`), 404, 'not_found');
      assertError(await viewer.c.get(`/api/v1/sellers/${s.id}`), 404, 'not_found');
      assertError(await viewer.c.get(`/api/v1/sellers/${s.id}/listings`), 404, 'not_found');
      assertError(await viewer.c.patch(`/api/v1/listings/${l}`, { title: 'x' }), 404, 'not_found');
      assert.equal((await blocker.c.del(`/api/v1/users/${blocked.id}/block`)).status, 200);
    }
    assert.equal(await seen(viewer.c), 1);
    assert.equal((await viewer.c.get(`/api/v1/sellers/${s.id}/listings`)).body.listings.length, 1);
  });

  test('moderation: a listing is reported, shown in context, hidden, removed and restored', async () => {
    const mod = await person(server, 'moder');
    await grant(server, mod.mail, 'moderator');
    const s = await seller(server, 'reported');
    const [ph] = await photos(s.c, 1);
    const l = (await s.c.post('/api/v1/listings', product([ph], { title: 'Miracle cure' }))).body;
    assertError(await s.c.post('/api/v1/reports', { kind: 'listing', id: l.id, reason: 'scam' }), 400, 'own_item');
    const rep = await bob.c.post('/api/v1/reports', { kind: 'listing', id: l.id, reason: 'scam', text: 'Fake' });
    assert.equal(rep.status, 201, JSON.stringify(rep.body));
    assertError(await bob.c.post('/api/v1/reports', { kind: 'listing', id: 'lst_999999', reason: 'scam' }), 404, 'not_found');
    const queue = (await mod.c.get('/api/v1/mod/queue?limit=100')).body.items;
    assert.ok(queue.some((i) => i.kind === 'listing' && i.id === l.id && i.subject.id === s.id));
    const item = (await mod.c.get(`/api/v1/mod/items/listing/${l.id}`)).body;
    assert.equal(item.state, 'shown');
    assert.equal(item.listing.title, 'Miracle cure');
    assert.equal(item.listing.seller.id, s.id);
    assert.equal(item.listing.images.length, 1);
    assertError(await bob.c.get(`/api/v1/mod/items/listing/${l.id}`), 403, 'forbidden');
    for (const [action, others, mine] of [['hide', 404, 'hidden'], ['remove', 404, 'removed'], ['restore', 200, 'shown']]) {
      const r = await mod.c.post(`/api/v1/mod/items/listing/${l.id}/actions`, { action, note: 'checked' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await bob.c.get(`/api/v1/listings/${l.id}`)).status, others, action);
      const own = (await s.c.get(`/api/v1/listings/${l.id}`)).body;
      assert.equal(own.moderation, mine, action);
      assert.equal(own.status, mine === 'removed' ? 'removed' : 'active');
    }
  });

  test('a seller who deletes their account takes their listings, and their photos\' files, with them', async () => {
    const s = await seller(server, 'leaver');
    const [ph] = await photos(s.c, 1);
    const l = (await s.c.post('/api/v1/listings', product([ph]))).body;
    const url = l.photos[0].url;
    assert.equal((await bob.c.get(url)).status, 200);
    assert.equal((await s.c.del('/api/v1/me', { password: 'correct horse battery' })).status, 200);
    assertError(await bob.c.get(`/api/v1/listings/${l.id}`), 404, 'not_found');
    assertError(await bob.c.get(`/api/v1/sellers/${s.id}`), 404, 'not_found');
    assert.equal((await bob.c.get(url)).status, 404);
  });

  test(`a seller keeps at most ${LISTINGS_MAX} listings and creates ${CREATES_PER_HOUR} an hour`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const fill = (s, n, at) => dbQuery(server, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
      INSERT INTO listings (seller_id, title, lang, price_minor, currency, kind, condition, category, city, city_key, country, created_at, updated_at)
      SELECT ${s.num}, 'Old', 'en', 100, 'USD', 'product', 'new', 'toys', 'X', 'x', 'US', ${at}, ${at} FROM n;`);
    const many = await seller(server, 'many');
    const [ph] = await photos(many.c, 1);
    fill(many, LISTINGS_MAX - 1, now - 7200);
    assert.equal((await many.c.post('/api/v1/listings', product([ph]))).status, 201);
    assertError(await many.c.post('/api/v1/listings', product([ph])), 409, 'too_many_listings');
    const fast = await seller(server, 'fast');
    const [ph2] = await photos(fast.c, 1);
    fill(fast, CREATES_PER_HOUR - 1, now - 60);
    fill(fast, 5, now - 3700);
    assert.equal((await fast.c.post('/api/v1/listings', product([ph2]))).status, 201);
    const r = await fast.c.post('/api/v1/listings', product([ph2]));
    assertError(r, 429, 'rate_limited');
    assert.equal(r.headers['retry-after'], '3600');
  });
});

const MARKET_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE listings')) + 1;

describe(`the marketplace schema upgrade (version ${MARKET_VERSION})`, () => {
  test('a SQLite database one version older is upgraded in place; its reports stay', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('market', MARKET_VERSION - 1);
    const now = Math.floor(Date.now() / 1000);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', ${now}), (2, 'bob', 'Bob', 'bob@example.test', ${now});
      INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'person', 2, 2, 'spam', ${now});`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT kind, item_id FROM reports'), 'person 2');
      sql(`INSERT INTO sellers (user_id, name, provider, paypal_email, created_at, updated_at) VALUES (1, 'Ann', 'paypal', 'a@b.c', 1, 1);
        INSERT INTO listings (seller_id, title, lang, price_minor, currency, kind, condition, category, city, city_key, country, created_at, updated_at)
        VALUES (1, 'Toy', 'en', 100, 'USD', 'product', 'new', 'toys', 'X', 'x', 'US', 1, 1);
        INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (2, 'listing', 1, 1, 'scam', 1);`);
      assert.throws(() => sql(`INSERT INTO listings (seller_id, title, lang, price_minor, currency, kind, condition, category, city, city_key, country, created_at, updated_at)
        VALUES (1, 'Toy', 'en', 100, 'USD', 'service', 'new', 'toys', 'X', 'x', 'US', 1, 1);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the tables from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-market-pg-'));
    const pg = await createDatabase('pa_market_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, MARKET_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${MARKET_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM listings'), [{ n: '0' }]);
        await runSql(pg.url, `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bob', 'Bob', 'bob@example.test', 1);
          INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (2, 'listing', 1, 1, 'scam', 1);`);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
