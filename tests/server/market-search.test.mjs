// Full-text search in the marketplace's browse (issue 20): GET
// /api/v1/listings?q= through HTTP, each listing indexed in its own language
// when it is created or changed and dropped from the index when it goes
// (its seller's delete, an account deletion's cascade), the query analyzed
// in the searcher's locale (?lang=, the account's, Accept-Language), found
// with every other filter and in every order, sort=relevance by default,
// blocked sellers and hidden or paused listings never found, ?q= at its
// limits' edges and operators or quotes read as text; and the upgrade that
// brings the trigger dropping a listing's index row (both engines). One
// server for the search. Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer, stopServer,
} from './helpers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// store/textindex.h's limits of what someone typed.
const QUERY_MAX = 256; // bytes
const QUERY_WORDS = 8; // words, once analyzed
const DEPTH_MAX = 1000; // relevance's cursor: listed before a page

async function person(server, tag, headers) {
  const c = new Client(server);
  const user = await c.signup(email(tag), 'correct horse battery', `Person ${tag}`);
  return { c, user, id: user.id, num: Number(user.id.slice(2)), headers };
}

async function seller(server, tag) {
  const p = await person(server, tag);
  const r = await p.c.put('/api/v1/me/seller', { name: `Shop ${tag}`, payout: { provider: 'paypal', email: `pay.${tag}@example.test` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  p.photo = (await p.c.upload(png(3, 3), 'image/png')).id;
  return p;
}

const listing = (s, title, lang, extra = {}) => ({
  title, lang, photos: [s.photo], description: '', price_minor: 4990, currency: 'BRL', stock: 3, condition: 'new', kind: 'product',
  category: 'beds', species: ['dog'], location: { city: 'Curitiba', country: 'BR' }, shipping: { pickup: true }, ...extra,
});

async function list(c, query, headers = {}) {
  const r = await c.request('GET', `/api/v1/listings?${new URLSearchParams(query)}`, { headers });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}
const ids = (body) => body.listings.map((l) => l.id);

describe('the marketplace: full-text search in browse', () => {
  let server, ana, bob, anon, es, pt, ja;
  before(async () => {
    // The repository's root holds locales/: Accept-Language resolves against them.
    server = await startServer({ root: repoRoot, seed: false });
    ana = await seller(server, 'ana');
    bob = await person(server, 'bob');
    anon = new Client(server);
    const add = async (s, body) => {
      const r = await s.c.post('/api/v1/listings', body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id;
    };
    es = await add(ana, listing(ana, 'Camas ortopédicas para perros grandes', 'es', { description: 'Espuma viscoelástica.' }));
    pt = await add(ana, listing(ana, 'Cama ortopédica para cachorro', 'pt'));
    ja = await add(ana, listing(ana, '大型犬用の低反発ペットベッド', 'ja', { price_minor: 1200, currency: 'USD', location: { city: 'Tokyo', country: 'JP' } }));
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('found in the searcher\'s language by any inflection: Spanish, Portuguese, Japanese', async () => {
    // ?lang=, then Accept-Language (no session), then the account's locale.
    assert.deepEqual(ids(await list(anon, { q: 'cama perro', lang: 'es' })), [es]);
    assert.deepEqual(ids(await list(anon, { q: 'cama perro' }, { 'accept-language': 'es-AR,es;q=0.9' })), [es]);
    assert.deepEqual(ids(await list(anon, { q: 'cama cachorro' }, { 'accept-language': 'pt-BR' })), [pt]);
    assert.deepEqual(ids(await list(anon, { q: 'ベッド' }, { 'accept-language': 'ja' })), [ja]);
    assert.deepEqual(ids(await list(anon, { q: '低反発', lang: 'ja' })), [ja]);
    // The description is searched too; the last word is a prefix (people type).
    assert.deepEqual(ids(await list(anon, { q: 'espuma visco', lang: 'es' })), [es]);
    // "cama" alone finds both, in Spanish and Portuguese: ranked, no duplicates.
    assert.deepEqual(new Set(ids(await list(anon, { q: 'cama', lang: 'es' }))), new Set([es, pt]));
    // A signed-in person's account locale is theirs (en here): English has
    // no stem for "perro", yet the written word matches the Spanish one.
    assert.deepEqual(ids(await list(bob.c, { q: 'perros' })), [es]);
    assert.deepEqual(ids(await list(anon, { q: 'gato', lang: 'es' })), []);
    assertError(await anon.get('/api/v1/listings?q=cama&lang=xx-YY'), 400, 'bad_request');
  });

  test('combined with every filter and order; relevance is the default and pages by count', async () => {
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', category: 'toys' })), []);
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', country: 'JP' })), []);
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', city: 'curitiba', species: 'dog', condition: 'new' })).length, 2);
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', currency: 'BRL', price_min: '4990', price_max: '4990' })).length, 2);
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', currency: 'BRL', price_max: '4989' })), []);
    // Newest first with a text: pt was created after es.
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', sort: 'newest' })), [pt, es]);
    assert.deepEqual(ids(await list(anon, { q: 'cama', lang: 'es', sort: 'price_asc', currency: 'BRL' })), [es, pt]);
    assertError(await anon.get('/api/v1/listings?sort=relevance'), 400, 'bad_request');
    // Relevance pages one at a time: two pages, then none; both listings once.
    const p1 = await list(anon, { q: 'cama', lang: 'es', limit: '1' });
    assert.equal(p1.listings.length, 1);
    assert.ok(p1.next_cursor);
    const p2 = await list(anon, { q: 'cama', lang: 'es', limit: '1', cursor: p1.next_cursor });
    assert.equal(p2.listings.length, 1);
    assert.equal(p2.next_cursor, null);
    assert.deepEqual(new Set([...ids(p1), ...ids(p2)]), new Set([es, pt]));
    assert.deepEqual([...ids(p1), ...ids(p2)], ids(await list(anon, { q: 'cama', lang: 'es', sort: 'relevance' })));
    // Another order's cursor (a time) is no relevance cursor.
    const newest = await list(anon, { limit: '1' });
    assertError(await anon.get(`/api/v1/listings?q=cama&limit=1&cursor=${newest.next_cursor}`), 400, 'bad_request');
    assert.ok(DEPTH_MAX > 0);
  });

  test('an edited listing is found by its new words only; a deleted one not at all', async () => {
    const id = (await ana.c.post('/api/v1/listings', listing(ana, 'Comedero de acero', 'es'))).body.id;
    assert.deepEqual(ids(await list(anon, { q: 'comedero', lang: 'es' })), [id]);
    assert.equal((await ana.c.patch(`/api/v1/listings/${id}`, { title: 'Bebedero automático' })).status, 200);
    assert.deepEqual(ids(await list(anon, { q: 'comedero', lang: 'es' })), []);
    assert.deepEqual(ids(await list(anon, { q: 'bebedero', lang: 'es' })), [id]);
    // A change of language re-analyzes it: Portuguese now.
    assert.equal((await ana.c.patch(`/api/v1/listings/${id}`, { title: 'Bebedouros automáticos', lang: 'pt' })).status, 200);
    assert.deepEqual(ids(await list(anon, { q: 'bebedouro', lang: 'pt' })), [id]);
    const n = Number(id.slice(4));
    assert.equal(dbQuery(server, `SELECT locale FROM text_docs WHERE kind = 'listing' AND ref_id = ${n}`), 'pt');
    assert.equal((await ana.c.del(`/api/v1/listings/${id}`)).status, 200);
    assert.deepEqual(ids(await list(anon, { q: 'bebedouro', lang: 'pt' })), []);
    assert.equal(dbQuery(server, `SELECT count(*) FROM text_docs WHERE kind = 'listing' AND ref_id = ${n}`), '0');
  });

  test('blocked sellers, hidden and paused listings are never found', async () => {
    const s = await seller(server, 'hider');
    const v = await person(server, 'viewer');
    const id = (await s.c.post('/api/v1/listings', listing(s, 'Rascador gigante', 'es'))).body.id;
    assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), [id]);
    for (const [blocker, blocked] of [[s, v], [v, s]]) {
      assert.equal((await blocker.c.put(`/api/v1/users/${blocked.id}/block`)).status, 200);
      assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), [], 'blocked');
      assert.equal((await blocker.c.del(`/api/v1/users/${blocked.id}/block`)).status, 200);
    }
    dbQuery(server, `UPDATE listings SET mod_state = 1 WHERE id = ${Number(id.slice(4))}`);
    assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), [], 'hidden');
    dbQuery(server, `UPDATE listings SET mod_state = 0 WHERE id = ${Number(id.slice(4))}`);
    assert.equal((await s.c.patch(`/api/v1/listings/${id}`, { status: 'paused' })).status, 200);
    assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), [], 'paused');
    assert.equal((await s.c.patch(`/api/v1/listings/${id}`, { status: 'active' })).status, 200);
    assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), [id]);
    // An account deletion's cascade takes the index rows with the listings.
    assert.equal((await s.c.del('/api/v1/me', { password: 'correct horse battery' })).status, 200);
    assert.deepEqual(ids(await list(v.c, { q: 'rascador', lang: 'es' })), []);
    assert.equal(dbQuery(server, `SELECT count(*) FROM text_docs WHERE kind = 'listing' AND ref_id = ${Number(id.slice(4))}`), '0');
  });

  test(`?q= at its edges: ${QUERY_MAX} bytes and ${QUERY_WORDS} words; operators and quotes are text`, async () => {
    // 8 words of 31 letters and 7 spaces: 255 bytes, then one more letter.
    const words = Array.from({ length: QUERY_WORDS }, (_, i) => String.fromCharCode(97 + i).repeat(31));
    const at = `${words.join(' ')}x`;
    assert.equal(Buffer.byteLength(at), QUERY_MAX);
    assert.deepEqual(ids(await list(anon, { q: at, lang: 'en' })), []);
    assertError(await anon.get(`/api/v1/listings?${new URLSearchParams({ q: `${at}x`, lang: 'en' })}`), 400, 'bad_request');
    // Words: the eighth is the last allowed, the ninth refused.
    const eight = Array.from({ length: QUERY_WORDS }, (_, i) => `w${String.fromCharCode(97 + i)}z`).join(' ');
    assert.deepEqual(ids(await list(anon, { q: eight, lang: 'en' })), []);
    const r = await anon.get(`/api/v1/listings?${new URLSearchParams({ q: `${eight} wiz`, lang: 'en' })}`);
    assertError(r, 400, 'bad_request');
    assert.equal(r.body.error.field, 'q');
    // A bad %-escape is refused; nothing at all is browse without a text.
    assertError(await anon.get('/api/v1/listings?q=%ZZ'), 400, 'bad_request');
    assert.equal((await list(anon, { q: '' })).listings.length >= 3, true);
    // Each engine's operators read as words or dropped, never as syntax.
    for (const q of ['"cama" OR perro', 'cama AND NOT perro*', 'cama & !perro | x', "cama' perro", 'NEAR(cama perro)',
      'cama:* perro', '(((', '*', '"', '\\', 'cama^2 -perro +x', "'; DROP TABLE listings; --", 'text_fts:cama']) {
      const body = await list(anon, { q, lang: 'es' });
      assert.ok(Array.isArray(body.listings), q);
    }
    assert.deepEqual(ids(await list(anon, { q: '"cama" "perro"', lang: 'es' })), [es]);
    assert.deepEqual(ids(await list(anon, { q: '!!! ???', lang: 'es' })), []);
    assert.equal(dbQuery(server, 'SELECT count(*) > 0 FROM listings'), '1');
  });
});

const UNINDEX_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('listings_unindex')) + 1;

describe(`schema ${UNINDEX_VERSION}: the listings' index trigger and the Mercado Pago connection's tables`, () => {
  const seed = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO sellers (user_id, name, provider, paypal_email, created_at, updated_at) VALUES (1, 'Ann', 'paypal', 'a@b.c', 1, 1);
    INSERT INTO listings (seller_id, title, lang, price_minor, currency, kind, condition, category, city, city_key, country, created_at, updated_at)
    VALUES (1, 'Toy', 'en', 100, 'USD', 'product', 'new', 'toys', 'X', 'x', 'US', 1, 1), (1, 'Bed', 'en', 100, 'USD', 'product', 'new', 'beds', 'X', 'x', 'US', 1, 1);
    INSERT INTO text_docs (kind, ref_id, locale, terms) VALUES ('listing', 1, 'en', 'toy'), ('listing', 2, 'en', 'bed');`;

  test('a SQLite database one version older gets it: a deleted listing takes its index row', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('unindex', UNINDEX_VERSION - 1);
    sql(seed);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      sql('DELETE FROM listings WHERE id = 1;');
      assert.equal(sql("SELECT group_concat(ref_id) FROM text_docs WHERE kind = 'listing'"), '2');
      assert.equal(sql("SELECT count(*) FROM text_fts WHERE text_fts MATCH 'toy'"), '0');
      // The Mercado Pago connection's tables arrive empty.
      assert.equal(sql('SELECT count(*) FROM mp_grants; SELECT count(*) FROM mp_connect_states;'), '0\n0');
      assert.equal(sql('PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets it from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-unindex-pg-'));
    const pg = await createDatabase('pa_unindex_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, UNINDEX_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${UNINDEX_VERSION - 1};\n${seed}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, 'DELETE FROM users WHERE id = 1;');
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM text_docs'), [{ n: '0' }]);
        assert.deepEqual(await query(pg.url, 'SELECT (SELECT count(*) FROM mp_grants) + (SELECT count(*) FROM mp_connect_states) AS n'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
