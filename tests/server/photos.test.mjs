// Photos per post follow the person's plan (pay/catalog.h): PA_CATALOG_PHOTOS_FREE
// (10) free, PA_CATALOG_PHOTOS_PLUS (20) with Plus, each at its edge; more is
// 422 too_many_photos with nothing written. Schema 10 (post_images positions
// 0..19) reached from a version-9 database with images on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  Client, assertError, dbQuery, email, oldDatabase, pgSchemaFromSource, png, startServer,
  stopServer,
} from './helpers.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';

const FREE = 10, PLUS = 20; // PA_CATALOG_PHOTOS_FREE, PA_CATALOG_PHOTOS_PLUS
const num = (id) => Number(id.slice(id.indexOf('_') + 1));

// n uploads of distinct tiny PNGs (a size of their own each, so distinct files).
async function uploads(c, n, from) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await c.upload(png(from + i, 3), 'image/png'));
  return out;
}

describe('photos per post: 10 free, 20 with Plus', () => {
  let server, free, plus, anon, freePet, plusPet;
  before(async () => {
    server = await startServer();
    free = new Client(server);
    plus = new Client(server);
    anon = new Client(server);
    await free.signup(email('free'), 'free person password', 'Fern Free');
    await plus.signup(email('plus'), 'plus person password', 'Pia Plus');
    freePet = (await free.post('/api/v1/pets', { name: 'Tofu', species: 'cat' })).body;
    plusPet = (await plus.post('/api/v1/pets', { name: 'Miso', species: 'dog' })).body;
    // Plus until a month from now: users.plus_until in server seconds, what the
    // session join compares with the clock (api/router.c: rq->plus).
    const until = Math.floor(Date.now() / 1000) + 30 * 86400;
    dbQuery(server, `UPDATE users SET plus_until = ${until} WHERE id = ${num(plus.user.id)}`);
    assert.equal((await plus.get('/api/v1/billing')).body.tier, 'plus', 'the Plus person is Plus');
    assert.equal((await free.get('/api/v1/billing')).body.tier, 'free');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  // What a refused post must not have left: no post, image, tag, or upload taken.
  const written = (c, ids) => dbQuery(server, `SELECT
      (SELECT count(*) FROM posts WHERE author_id = ${num(c.user.id)}),
      (SELECT count(*) FROM post_tags t JOIN posts p ON p.id = t.post_id
        WHERE t.tag = 'toomany' AND p.author_id = ${num(c.user.id)}),
      (SELECT count(*) FROM uploads WHERE attached_at IS NOT NULL AND id IN (${ids.map(num).join(',')}))`);

  test('billing tells each person the limit the posts route enforces', async () => {
    assert.equal((await free.get('/api/v1/billing')).body.entitlements.photos_per_post, FREE);
    assert.equal((await plus.get('/api/v1/billing')).body.entitlements.photos_per_post, PLUS);
  });

  test('a free person: 11 photos are refused, naming the limit and Plus, nothing written; 10 are a post', async () => {
    const media = await uploads(free, FREE + 1, 10);
    const ids = media.map((m) => m.id);
    const r = await free.post('/api/v1/posts', { caption: 'Eleven #toomany', media_ids: ids, pet_ids: [freePet.id] });
    assertError(r, 422, 'too_many_photos');
    assert.equal(r.body.error.field, 'media_ids');
    assert.match(r.body.error.message, /at most 10 photos/);
    assert.match(r.body.error.message, /Plus, up to 20/);
    assert.equal(written(free, ids), '0|0|0', 'no post, tag or attached upload');

    const ok = await free.post('/api/v1/posts', {
      caption: 'Ten', media_ids: ids.slice(0, FREE), pet_ids: [freePet.id], alt: ids.slice(0, FREE).map((_, i) => `photo ${i + 1}`),
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.images.map((i) => [i.url, i.alt]), media.slice(0, FREE).map((m, i) => [m.url, `photo ${i + 1}`]));
  });

  test('a Plus person: 20 photos are served back in order (post, feed, profile); the 21st is refused', async () => {
    const media = await uploads(plus, PLUS + 1, 40);
    const ids = media.map((m) => m.id);
    const r = await plus.post('/api/v1/posts', { caption: 'Too many #toomany', media_ids: ids, pet_ids: [plusPet.id] });
    assertError(r, 422, 'too_many_photos');
    assert.equal(r.body.error.field, 'media_ids');
    assert.match(r.body.error.message, /at most 20 photos/);
    assert.doesNotMatch(r.body.error.message, /Plus/, 'no offer of what the person has');
    assert.equal(written(plus, ids), '0|0|0', 'no post, tag or attached upload');

    const twenty = media.slice(0, PLUS).reverse(); // an order unlike the uploads'
    const made = await plus.post('/api/v1/posts', {
      caption: 'Twenty', media_ids: twenty.map((m) => m.id), pet_ids: [plusPet.id],
      alt: twenty.map((_, i) => `shot ${i + 1}`),
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const want = twenty.map((m, i) => [m.url, `shot ${i + 1}`]);
    const shown = (p) => p.images.map((i) => [i.url, i.alt]);
    assert.deepEqual(shown(made.body), want);
    assert.deepEqual(shown((await anon.get(`/api/v1/posts/${made.body.id}`)).body), want);
    const inFeed = (await anon.get('/api/v1/feed?limit=10')).body.posts.find((p) => p.id === made.body.id);
    assert.ok(inFeed, 'the post is on the first page of the feed');
    assert.deepEqual(shown(inFeed), want);
    const profile = (await anon.get(`/api/v1/users/${plus.user.id}/posts`)).body.posts;
    assert.deepEqual(profile.map((p) => p.id), [made.body.id]);
    assert.deepEqual(shown(profile[0]), want);
  });

  test('no session is 401; another person\'s upload is refused as before; pet_ids keeps its bound of 10', async () => {
    const mine = await uploads(plus, 1, 70);
    assertError(await anon.post('/api/v1/posts', { caption: 'x', media_ids: [mine[0].id], pet_ids: [plusPet.id] }), 401, 'unauthorized');
    const theirs = await uploads(free, 1, 71);
    const before = written(plus, [mine[0].id]);
    const r = await plus.post('/api/v1/posts', { caption: 'x #toomany', media_ids: [mine[0].id, theirs[0].id], pet_ids: [plusPet.id] });
    assertError(r, 400, 'unknown_upload');
    assert.equal(written(plus, [mine[0].id]), before, 'the post and its first image rolled back');

    const pets = [plusPet];
    while (pets.length < 11) pets.push((await plus.post('/api/v1/pets', { name: `Pup ${pets.length}`, species: 'dog' })).body);
    assertError(await plus.post('/api/v1/posts', { caption: 'x', media_ids: [mine[0].id], pet_ids: pets.map((p) => p.id) }),
      400, 'bad_request');
    const ten = await plus.post('/api/v1/posts', { caption: 'x', media_ids: [mine[0].id], pet_ids: pets.slice(0, 10).map((p) => p.id) });
    assert.equal(ten.status, 201, JSON.stringify(ten.body));
    assert.equal(ten.body.pets.length, 10);
  });
});

// A version-9 database's post images, as an older server left them: post 1 with
// the ten photos version 9 allowed (positions 0..9, each with its alt), post 2
// with one; the image of a third post is queued in media_unref by its deletion.
const h = (n) => n.toString(16).padStart(2, '0').repeat(32);
const V9_ROWS = (now) => `
  INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES
    ${Array.from({ length: 12 }, (_, i) => `('${h(i + 1)}', 'png', ${i + 2}, 3, 10, ${now})`).join(',\n    ')};
  INSERT INTO users (id, handle, name, created_at) VALUES (1, 'ann', 'Ann', ${now}), (2, 'ben', 'Ben', ${now});
  INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Biscuit', 'dog', ${now}), (2, 2, 'Kiki', 'cat', ${now});
  INSERT INTO posts (id, author_id, pet_id, caption, created_at) VALUES (1, 1, 1, 'Ten', ${now}),
    (2, 2, 2, 'One', ${now + 1}), (3, 2, 2, 'Gone', ${now + 2});
  INSERT INTO post_pets VALUES (1, 1), (2, 2), (3, 2);
  INSERT INTO post_images (post_id, position, media, alt) VALUES
    ${Array.from({ length: 10 }, (_, i) => `(1, ${i}, '${h(i + 1)}', 'photo ${i}')`).join(',\n    ')},
    (2, 0, '${h(11)}', ''), (3, 0, '${h(12)}', '');
  INSERT INTO likes VALUES (1, 2, ${now});
  DELETE FROM posts WHERE id = 3;`;
const IMAGES = `SELECT post_id, position, media, alt FROM post_images ORDER BY post_id, position`;
// A 20th photo fits the upgraded schema; a 21st does not (each rolled back).
const EDGE_OK = `BEGIN; INSERT INTO post_images (post_id, position, media) VALUES (1, 19, '${h(1)}'); ROLLBACK;`;
const EDGE_BAD = `BEGIN; INSERT INTO post_images (post_id, position, media) VALUES (1, 20, '${h(1)}'); ROLLBACK;`;

describe('the schema 10 upgrade (photos per post)', () => {
  test('SQLite: a version-9 file keeps its images, index, trigger and keys; positions now go to 19', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('photos', 9);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 1; i <= 12; i++) await writeFile(path.join(data, 'media', `${h(i)}.png`), png(i + 1, 3));
    sql(`PRAGMA foreign_keys = ON; ${V9_ROWS(now)}`);
    const before = sql(IMAGES);
    assert.equal(before.split('\n').length, 11, 'what schema 9 held');
    assert.equal(sql('SELECT hash FROM media_unref'), h(12), 'the deleted post\'s image, queued');
    assert.throws(() => sql(EDGE_OK), /CHECK constraint failed/, 'schema 9 refuses a 20th photo');
    const schemaOf = `SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'post_images' ORDER BY type, name`;

    let server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.ok(m.length >= 10, 'the photos migration is 10');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql(IMAGES), before, 'every image kept, in place, with its alt');
      assert.equal(sql(`SELECT count(*) FROM sqlite_schema WHERE name = 'post_images_new'`), '0');
      // The same table, index and trigger a database made fresh has.
      const fresh = await oldDatabase('photos-fresh', 0);
      try {
        fresh.sql(m.join('\n'));
        assert.equal(sql(schemaOf), fresh.sql(schemaOf));
      } finally {
        await rm(fresh.tmp, { recursive: true, force: true });
      }
      assert.deepEqual(sql(schemaOf).split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')),
        ['index post_images_media', 'table post_images', 'trigger unref_post_image']);
      assert.match(sql(schemaOf), /BETWEEN 0 AND 19\)[^\n]*STRICT, WITHOUT ROWID/);
      sql(EDGE_OK);
      assert.throws(() => sql(EDGE_BAD), /CHECK constraint failed/);
      // The API serves the upgraded post, its ten photos in order.
      const anon = new Client(server);
      const post = (await anon.get('/api/v1/posts/p_1')).body;
      assert.deepEqual(post.images.map((i) => [i.url, i.alt]),
        Array.from({ length: 10 }, (_, i) => [`/media/${h(i + 1)}.png`, `photo ${i}`]));
      assert.equal(post.like_count, 1);
      // The rebuilt table's trigger and keys work: a post deleted outside the
      // server queues its images and takes them with it.
      await stopServer(server);
      server = null;
      sql('PRAGMA foreign_keys = ON; DELETE FROM posts WHERE id = 2;');
      assert.equal(sql('SELECT count(*) FROM post_images WHERE post_id = 2'), '0', 'ON DELETE CASCADE');
      assert.equal(sql(`SELECT hash FROM media_unref WHERE hash = '${h(11)}'`), h(11), 'unref_post_image');
      assert.throws(() => sql(`PRAGMA foreign_keys = ON; INSERT INTO post_images (post_id, position, media) VALUES (99, 0, '${h(1)}');`),
        /FOREIGN KEY constraint failed/);
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a version-9 database keeps its images and gets the schema a fresh one has', async () => {
    const { base, baseVersion, migrations } = await pgSchemaFromSource();
    assert.ok(baseVersion + migrations.length >= 10, 'the photos migration is 10');
    const old = await createDatabase('pa_photos_v9');
    const fresh = await createDatabase('pa_photos_v10');
    let server = null, freshServer = null;
    const dirs = [];
    try {
      // Version 9 exactly as a server of that version made it.
      await runSql(old.url, `${base}\n${migrations.slice(0, 9 - baseVersion).join('\n')}\nUPDATE pa_schema SET version = 9;`);
      const now = Math.floor(Date.now() / 1000);
      await runSql(old.url, `BEGIN; ${V9_ROWS(now)}; COMMIT;`);
      const before = await query(old.url, IMAGES);
      assert.equal(before.length, 11, 'what schema 9 held');
      await assert.rejects(runSql(old.url, EDGE_OK), /post_images_position_check/, 'schema 9 refuses a 20th photo');

      const start = async (db, name) => {
        const dir = path.join(await mkdtemp(path.join(os.tmpdir(), `pa-${name}-`)), 'data');
        dirs.push(path.dirname(dir));
        return startServer({ data: dir, seed: false, env: { PA_DATABASE_URL: db.url } });
      };
      server = await start(old, 'photos-pg');
      freshServer = await start(fresh, 'photos-pg-fresh');
      assert.deepEqual(await query(old.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
      assert.deepEqual(await query(old.url, IMAGES), before, 'every image kept, with its alt');
      await runSql(old.url, EDGE_OK);
      await assert.rejects(runSql(old.url, EDGE_BAD), /post_images_position_check/);
      const anon = new Client(server);
      const post = (await anon.get('/api/v1/posts/p_1')).body;
      assert.deepEqual(post.images.map((i) => i.url), Array.from({ length: 10 }, (_, i) => `/media/${h(i + 1)}.png`));
      // The migrated schema is the fresh one, object for object.
      const dump = (url) => execFileSync(path.join(process.env.PA_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'pg_dump'),
        ['--schema-only', '--no-owner', '-d', url]).toString()
        .replace(/^(--|\\restrict |\\unrestrict ).*$/gm, ''); // comments; pg_dump's random per-dump key
      assert.equal(dump(old.url), dump(fresh.url));
      assert.match(dump(fresh.url), /post_images_position_check CHECK \(\(\("position" >= 0\) AND \("position" <= 19\)\)\)/);
    } finally {
      await stopServer(server);
      await stopServer(freshServer);
      await dropDatabase(old.name);
      await dropDatabase(fresh.name);
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
});
