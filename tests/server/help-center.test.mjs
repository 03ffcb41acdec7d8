// The help center's store and retrieval (issue 23; contract §2; store/help.h):
// articles loaded at start from a help folder (the test's own small fixture,
// tests/server/fixtures/help/, in en, es, ja, zh-Hans, th, ar and hi — not the
// product's articles), listed by section, read one by one with the fallback to
// en, and searched by BM25 with the question's words OR-ed, in each script;
// a changed article is re-indexed at the next start and only that one, a
// removed file's articles are deleted. The three routes are public: they work
// signed out and signed in, a signed-out caller is limited per address
// (PA_LIMIT_SEARCH, lowered here, tried at its edge), bad input is a clear
// 400 or 404, and the question's caps (PA_STORE_HELP_QUESTION_MAX bytes,
// PA_STORE_HELP_QUESTION_WORDS words) are tried at their edges.
// Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/help');

// store/help.h's caps, each tried at its edge.
const QUESTION_MAX = 500;
const QUESTION_WORDS = 200;
const RESULTS_MAX = 10;
// PA_LIMIT_SEARCH lowered for this file (a long window: nothing refills during it).
const SEARCH_BURST = 20;
const LIMIT_ENV = { PA_LIMIT_SEARCH_BURST: String(SEARCH_BURST), PA_LIMIT_SEARCH_WINDOW: '3600' };

const search = (c, q, locale) =>
  c.get(`/api/v1/help/search?q=${encodeURIComponent(q)}${locale ? `&locale=${encodeURIComponent(locale)}` : ''}`);

describe('the help center', () => {
  let server, tmp, helpDir;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-help-'));
    helpDir = path.join(tmp, 'help');
    await cp(FIXTURE, helpDir, { recursive: true });
    server = await startServer({ seed: false, env: { PA_HELP_DIR: helpDir, ...LIMIT_ENV } });
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(tmp, { recursive: true, force: true });
  });

  test('the loader indexed every article of every file, and said so', async () => {
    assert.match(server.stderr, /7 files, 18 articles: 18 indexed, 0 unchanged, 0 removed/);
    assert.equal(dbQuery(server, 'SELECT count(*) FROM help_articles'), '18');
    assert.equal(dbQuery(server, "SELECT count(*) FROM help_articles WHERE locale = 'es'"), '3');
  });

  test('the articles of a locale come by section, in sections.json\'s order', async () => {
    const c = new Client(server);
    const es = await c.get('/api/v1/help/articles?locale=es');
    assert.equal(es.status, 200);
    assert.equal(es.body.locale, 'es');
    assert.deepEqual(es.body.sections.map((s) => [s.id, s.title, s.articles.map((a) => a.slug)]), [
      ['market', 'Mercado', ['market-buy']],
      ['pets', 'Mascotas', ['pet-photo']],
      ['plus', 'PetAmigos Plus', ['plus-plans']],
    ]);
    assert.equal(es.body.sections[1].articles[0].title, 'Cambiar la foto de perfil de tu mascota');
    // The folder's sections.json orders every locale alike; plus-plans, not in it, takes its
    // section from the contract's table and comes after the listed ones.
    const en = await c.get('/api/v1/help/articles');
    assert.equal(en.body.locale, 'en');
    assert.deepEqual(en.body.sections.map((s) => s.id), ['account', 'market', 'pets', 'plus']);
    // A regional tag is served its language's articles (any zh-… our zh-Hans).
    assert.equal((await c.get('/api/v1/help/articles?locale=es-MX')).body.locale, 'es');
    assert.equal((await c.get('/api/v1/help/articles?locale=zh-TW')).body.locale, 'zh-Hans');
    assert.equal((await c.get('/api/v1/help/articles/pet-photo?locale=ja-JP')).body.locale, 'ja');
    const mx = await search(new Client(server), '¿Cómo cambio la foto de mi perro?', 'es-MX');
    assert.equal(mx.body.results[0].slug, 'pet-photo');
    assert.equal(mx.body.results[0].locale, 'es');
    // A locale without articles is answered in en.
    const fr = await c.get('/api/v1/help/articles?locale=fr');
    assert.equal(fr.body.locale, 'en');
    assert.deepEqual(fr.body.sections, en.body.sections);
  });

  test('one article, in the locale asked for or else in en, with its section\'s others', async () => {
    const c = new Client(server);
    const ja = await c.get('/api/v1/help/articles/pet-photo?locale=ja');
    assert.equal(ja.status, 200);
    assert.equal(ja.body.locale, 'ja');
    assert.equal(ja.body.title, 'ペットのプロフィール写真を変更する');
    assert.equal(ja.body.section, 'pets');
    assert.equal(ja.body.section_title, 'ペット');
    assert.match(ja.body.body, /^ペットごとに/);
    assert.match(ja.body.updated_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(ja.body.related, []);
    // es has no two-step article: en's, saying so.
    const es = await c.get('/api/v1/help/articles/two-step?locale=es');
    assert.equal(es.status, 200);
    assert.equal(es.body.locale, 'en');
    assert.equal(es.body.title, 'Two-step sign-in');
    // Unknown and malformed slugs are no article.
    assertError(await c.get('/api/v1/help/articles/no-such-article'), 404, 'not_found');
    assertError(await c.get('/api/v1/help/articles/Pet_Photo'), 404, 'not_found');
    assertError(await c.get(`/api/v1/help/articles/${'a'.repeat(48)}`), 404, 'not_found');
  });

  test('a question finds its article in each script (words OR-ed, BM25)', async () => {
    const cases = [
      ['en', 'where is the thing I bought, has it shipped?', 'market-buy'],
      ['en', 'how do I replace the picture of my dog', 'pet-photo'],
      ['en', 'my authenticator app code', 'two-step'],
      ['es', '¿Cómo le cambio la foto a mi perro?', 'pet-photo'],
      ['es', '¿dónde está mi pedido? no ha llegado', 'market-buy'],
      ['ja', '犬の写真を変えたい', 'pet-photo'],
      ['ja', '注文した商品はいつ届きますか', 'market-buy'],
      ['zh-Hans', '怎么换狗狗的照片', 'pet-photo'],
      ['zh-Hans', '我的订单到哪里了', 'market-buy'],
      ['th', 'เปลี่ยนรูปแมวยังไง', 'pet-photo'],
      ['th', 'ติดตามพัสดุที่ซื้อได้ที่ไหน', 'market-buy'],
      ['ar', 'كيف أغير صورة القطة', 'pet-photo'],
      ['ar', 'أين طلبي؟ أريد تتبع الشحنة', 'market-buy'],
      ['hi', 'पालतू की फ़ोटो कैसे बदलें', 'pet-photo'],
      ['hi', 'मेरा ऑर्डर कहाँ है, ट्रैकिंग', 'market-buy'],
      // Typed without the nukta the articles write (फोटो for फ़ोटो): still found.
      ['hi', 'फोटो', 'pet-photo'],
    ];
    // Each question from its own address: the limit is tried on its own below.
    for (const [locale, q, slug] of cases) {
      const res = await search(new Client(server), q, locale);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.results.length >= 1, `${locale}: ${q}: no results`);
      assert.equal(res.body.results[0].slug, slug, `${locale}: ${q}: ${JSON.stringify(res.body.results)}`);
      assert.equal(res.body.results[0].locale, locale);
      for (let i = 1; i < res.body.results.length; i++)
        assert.ok(res.body.results[i - 1].score >= res.body.results[i].score);
      assert.ok(res.body.results[0].score > 0);
    }
  });

  test('the score is BM25 with the locale\'s N and average length, the same on both engines', async () => {
    // The reference: store/help.h's formula over the stored terms, computed here.
    const W = [4, 4, 2, 1], K1 = 1.2, B = 0.75;
    const rows = dbQuery(server, "SELECT slug, title_terms, keyword_terms, summary_terms, body_terms FROM help_articles WHERE locale = 'es' ORDER BY slug")
      .split('\n').map((r) => { const [slug, ...cols] = r.split('|'); return { slug, cols: cols.map((c) => (c ? c.split(' ') : [])) }; });
    const avgdl = rows.reduce((a, r) => a + r.cols.flat().length, 0) / rows.length;
    const terms = dbQuery(server, "SELECT title_terms FROM help_articles WHERE slug = 'pet-photo' AND locale = 'es'").split(' ');
    // A question made of stored terms' words: "foto" and "mascota", and a word no article has.
    const q = 'foto mascota zzzz';
    const qterms = ['esfot', 'esfoto', 'esmascot', 'esmascota', 'eszzzz'].map((t) => t.replace(/^es/, 'es\uE000'));
    assert.ok(qterms.slice(0, 2).some((t) => terms.includes(t)), `stored: ${terms.join(' ')}`);
    const expected = new Map();
    for (const r of rows) {
      let score = 0;
      for (const t of new Set(qterms)) {
        const n = rows.filter((x) => x.cols.flat().includes(t)).length;
        if (!n) continue;
        const idf = Math.max(Math.log((rows.length - n + 0.5) / (n + 0.5)), 1e-6);
        const f = r.cols.reduce((a, col, i) => a + W[i] * col.filter((x) => x === t).length, 0);
        if (f) score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * r.cols.flat().length) / avgdl));
      }
      if (score) expected.set(r.slug, score);
    }
    assert.ok(expected.size >= 1);
    const res = await search(new Client(server), q, 'es');
    assert.ok(res.body.results.length >= 1);
    assert.deepEqual(res.body.results.map((r) => r.slug), [...expected].sort((a, b) => b[1] - a[1]).map(([s]) => s));
    for (const r of res.body.results) assert.ok(Math.abs(r.score - expected.get(r.slug)) < 1e-9, `${r.slug}: ${r.score} vs ${expected.get(r.slug)}`);
  });

  test('a locale without articles is searched in en; nothing matching is an empty list', async () => {
    const c = new Client(server);
    const fr = await search(c, 'order tracking', 'fr');
    assert.equal(fr.body.results[0].slug, 'market-buy');
    assert.equal(fr.body.results[0].locale, 'en');
    // IDF per locale: es's articles never answer an en question's words, nor the reverse.
    const es = await search(c, 'authenticator', 'es');
    assert.deepEqual(es.body.results, []);
    assert.deepEqual((await search(c, '!!! ??? ...', 'en')).body.results, []);
    // Japanese function words in hiragana (HELP_KANA_STOP_MAX) are no terms; kanji still are.
    assert.deepEqual((await search(c, 'の を に は たい です', 'ja')).body.results, []);
    assert.equal((await search(c, 'の を 写真 たい', 'ja')).body.results[0].slug, 'pet-photo');
    assert.ok((await search(c, 'zzzqqq plus', 'en')).body.results.length >= 1); // OR: one known word is enough
  });

  test('the question\'s caps at their edges, and bad input', async () => {
    const c = new Client(server);
    const d0 = () => new Client(server);
    // Bytes: the last allowed and the first refused (multi-byte text counts bytes).
    const atMax = 'pedido '.repeat(71) + 'abc'; // 7 * 71 + 3 = 500
    assert.equal(Buffer.byteLength(atMax), QUESTION_MAX);
    const ok = await search(c, atMax, 'es');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.results[0].slug, 'market-buy');
    assertError(await search(c, `${atMax}x`, 'es'), 400, 'bad_request');
    // Words: the last allowed and the first refused.
    const words = (n) => Array.from({ length: n }, () => 'a').join(' ');
    assert.equal((await search(c, words(QUESTION_WORDS), 'en')).status, 200);
    const tooMany = await search(c, words(QUESTION_WORDS + 1), 'en');
    assertError(tooMany, 400, 'bad_request');
    assert.match(tooMany.body.error.message, /200 words/);
    // The longest Chinese question is within the words' cap.
    const zh = '我的订单到哪里了'.repeat(20) + '怎么换照片';
    assert.ok(Buffer.byteLength(zh) <= QUESTION_MAX && Buffer.byteLength(zh) > QUESTION_MAX - 6);
    const zhRes = await search(d0(), zh, 'zh-Hans');
    assert.equal(zhRes.status, 200);
    assert.equal(zhRes.body.results[0].slug, 'market-buy');
    // Missing or empty q, a malformed locale.
    const d = new Client(server);
    assertError(await d.get('/api/v1/help/search'), 400, 'bad_request');
    assertError(await d.get('/api/v1/help/search?q='), 400, 'bad_request');
    for (const bad of ['e', 'en_US', 'x'.repeat(16), 'es%20']) {
      assertError(await d.get(`/api/v1/help/search?q=foto&locale=${bad}`), 400, 'bad_request');
      assertError(await d.get(`/api/v1/help/articles?locale=${bad}`), 400, 'bad_request');
      assertError(await d.get(`/api/v1/help/articles/pet-photo?locale=${bad}`), 400, 'bad_request');
    }
    assertError(await d.get('/api/v1/help/search?q=%ff%fe'), 400, 'bad_request');
    // Reads only.
    const e = new Client(server);
    assert.equal((await e.request('POST', '/api/v1/help/search?q=foto', { json: {} })).status, 405);
  });

  test('at most 10 results', async () => {
    // Every article of en holds "your" or "pet" or "order"…: fewer than 10 exist here,
    // so the cap is read from the store's answer over all of them.
    const res = await search(new Client(server), 'your pet order plus sign code picture cart', 'en');
    assert.equal(res.status, 200);
    assert.ok(res.body.results.length <= RESULTS_MAX);
    assert.equal(res.body.results.length, 4);
  });

  test('public: signed out and signed in alike; signed out limited per address at its edge', async () => {
    const member = new Client(server);
    await member.signup(email('helpreader'), 'correct horse battery', 'Reader');
    assert.equal((await search(member, 'foto perro', 'es')).status, 200);
    assert.equal((await member.get('/api/v1/help/articles?locale=es')).status, 200);
    assert.equal((await member.get('/api/v1/help/articles/pet-photo?locale=es')).status, 200);
    // One address: the three routes share the search budget; the last allowed, then 429.
    const anon = new Client(server);
    for (let i = 0; i < SEARCH_BURST; i++) {
      const path_ = ['/api/v1/help/search?q=foto', '/api/v1/help/articles', '/api/v1/help/articles/pet-photo'][i % 3];
      const res = await anon.get(path_);
      assert.equal(res.status, 200, `request ${i + 1} of ${SEARCH_BURST}`);
    }
    const refused = await anon.get('/api/v1/help/search?q=foto');
    assertError(refused, 429, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    // Another address is not charged for it.
    assert.equal((await search(new Client(server), 'foto')).status, 200);
    // A refused request (bad input) costs nothing: a fresh address spends its budget on 400s first.
    const careless = new Client(server);
    for (let i = 0; i < SEARCH_BURST + 2; i++) assertError(await careless.get('/api/v1/help/search?q='), 400, 'bad_request');
    assert.equal((await search(careless, 'foto')).status, 200);
  });

  // Last: it restarts the server.
  test('a changed article is re-indexed at the next start, and only it; a removed file\'s articles go', async () => {
    const before_ = dbQuery(server, "SELECT slug || ':' || locale || ':' || updated_at FROM help_articles ORDER BY slug, locale").split('\n');
    const stamp = (rows, key) => rows.find((r) => r.startsWith(`${key}:`)).split(':')[2];
    const es = JSON.parse(await readFile(path.join(helpDir, 'es.json'), 'utf8'));
    es['help.pet-photo.body'] += '\n\nTambién puedes recortarla antes de guardarla.';
    es['help.pet-photo.keywords'] += ', recortar';
    await writeFile(path.join(helpDir, 'es.json'), JSON.stringify(es, null, 2));
    await unlink(path.join(helpDir, 'ar.json'));
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env: { PA_HELP_DIR: helpDir, PA_TEST_CLOCK_OFFSET: '1000', ...LIMIT_ENV } });
    assert.match(server.stderr, /6 files, 16 articles: 1 indexed, 15 unchanged, 2 removed/);
    const after_ = dbQuery(server, "SELECT slug || ':' || locale || ':' || updated_at FROM help_articles ORDER BY slug, locale").split('\n');
    assert.ok(Number(stamp(after_, 'pet-photo:es')) >= Number(stamp(before_, 'pet-photo:es')) + 1000);
    for (const key of ['pet-photo:en', 'pet-photo:ja', 'market-buy:es', 'two-step:en'])
      assert.equal(stamp(after_, key), stamp(before_, key), key);
    assert.ok(!after_.some((r) => r.includes(':ar:')));
    const c = new Client(server);
    // The new word is found; ar now falls back to en.
    assert.equal((await search(c, 'recortar', 'es')).body.results[0].slug, 'pet-photo');
    const ar = await c.get('/api/v1/help/articles/pet-photo?locale=ar');
    assert.equal(ar.body.locale, 'en');
    // A broken file stops the server with the file's name, and nothing is written.
    await writeFile(path.join(helpDir, 'ja.json'), '{"help.pet-photo.title": ');
    await stopServer(server);
    const broken = await startServer({ data: server.dir, seed: false, env: { PA_HELP_DIR: helpDir } }).catch((e) => e);
    assert.ok(broken instanceof Error);
    assert.match(broken.message, /ja\.json is not a JSON object/);
    // So does a sections.json that is not a list of sections with valid ids and slugs.
    await cp(FIXTURE, helpDir, { recursive: true });
    await writeFile(path.join(helpDir, 'sections.json'), '[{"section": "Pets!", "slugs": ["pet-photo"]}]');
    const badSections = await startServer({ data: server.dir, seed: false, env: { PA_HELP_DIR: helpDir } }).catch((e) => e);
    assert.ok(badSections instanceof Error);
    assert.match(badSections.message, /sections\.json is not a list/);
    server = await startServer({ data: server.dir, seed: false, env: { PA_HELP_DIR: FIXTURE, ...LIMIT_ENV } });
    assert.match(server.stderr, /7 files, 18 articles: 3 indexed, 15 unchanged, 0 removed/);
  });
});

const HELP_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE help_articles')) + 1;

describe(`the help center's schema upgrade (version ${HELP_VERSION})`, () => {
  test('a SQLite database one version older is upgraded in place and loads the articles', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('help', HELP_VERSION - 1);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '', PA_HELP_DIR: FIXTURE } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT count(*) FROM help_articles'), '18');
      assert.equal(sql("SELECT count(*) FROM help_fts WHERE help_fts MATCH '\"en\uE000tracking\"'"), '1');
      assert.throws(() => sql(`INSERT INTO help_articles (slug, locale, section, section_title, position, title, summary, body,
        keywords, title_terms, keyword_terms, summary_terms, body_terms, terms_len, digest, updated_at)
        VALUES ('Bad Slug', 'en', 'pets', '', 0, 't', '', '', '', '', '', '', '', 0, zeroblob(32), 1);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the table from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-help-pg-'));
    const pg = await createDatabase('pa_help_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, HELP_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${HELP_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url, PA_HELP_DIR: FIXTURE } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM help_articles'), [{ n: '18' }]);
        const res = await search(new Client(server), 'foto perro', 'es');
        assert.equal(res.body.results[0].slug, 'pet-photo');
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
