// petamigos-port-db (issue 16): a SQLite server's database copied into an
// empty PostgreSQL database, and a server on that database answers as the
// SQLite one did — the feed, a profile, a person's notifications and chat
// devices, even their session — and goes on working (the identities were set
// past the copied ids, SQLite's AUTOINCREMENT high marks included). The tool
// refuses a database that holds rows, a SQLite file with dangling references
// and bad arguments. Runs the same in both passes: the source is SQLite on
// purpose, the destination a database of the run's cluster (PA_TEST_PG_URL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BIN, Client, DEMO_BIN, assertNoSanitizerReports, chatBundle, oldDatabase, png, startServer, stopServer,
  migrationsFromSource,
} from './helpers.mjs';
import { createDatabase, dropDatabase, pgUrl, query, runSql } from '../lib/pg.mjs';

const PORT_BIN = process.env.PA_PORT_BIN ?? path.join(path.dirname(BIN), 'petamigos-port-db');
const ANA = ['ana@demo.petamigos.test', 'petamigos-ana-demo'];
const KENJI = ['kenji@demo.petamigos.test', 'petamigos-kenji-demo'];

/** Runs the port tool; resolves with { code, stdout, stderr } whatever its exit. */
function portDb(args) {
  return new Promise((resolve) => {
    execFile(PORT_BIN, args, { timeout: 300_000 }, (e, stdout, stderr) => {
      assertNoSanitizerReports(stderr);
      resolve({ code: e ? e.code : 0, stdout, stderr });
    });
  });
}

const sqlite = (file, sql) => execFileSync('sqlite3', [file, sql]).toString().trim();
// The tables a port copies: every one but SQLite's own (sqlite_sequence)
// and the full-text index's virtual and shadow tables (text_fts*: PostgreSQL
// indexes text_docs itself).
const tablesOf = (file) =>
  sqlite(file, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name").split('\n');

/** A client of `server` that carries `from`'s session (cookie and CSRF token). */
function sameSession(server, from) {
  const c = new Client(server);
  c.cookie = from.cookie;
  c.csrf = from.csrf;
  c.user = from.user;
  return c;
}

async function json(client, target) {
  const r = await client.get(target);
  assert.equal(r.status, 200, `${target}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Every page of the signed-out feed. */
async function wholeFeed(client) {
  const posts = [];
  let cursor = null;
  do {
    const page = await json(client, `/api/v1/feed?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    posts.push(...page.posts);
    cursor = page.next_cursor;
  } while (cursor);
  return posts;
}

/** What the comparison reads on a server, the same requests in the same order. */
async function snapshot(server, sessions) {
  const anon = new Client(server);
  const ana = sameSession(server, sessions.ana);
  const kenji = sameSession(server, sessions.kenji);
  return {
    feed: await wholeFeed(anon),
    profile: await json(anon, `/api/v1/users/${sessions.ana.user.id}`),
    anaPosts: await json(anon, `/api/v1/users/${sessions.ana.user.id}/posts`),
    comments: await json(anon, `/api/v1/posts/${sessions.post}/comments`),
    notifications: await json(ana, '/api/v1/notifications'),
    unread: await json(ana, '/api/v1/notifications/unread'),
    devices: await json(ana, '/api/v1/chat/devices'),
    peerDevices: await json(kenji, `/api/v1/users/${sessions.ana.user.id}/chat-devices`),
    stories: await json(kenji, '/api/v1/stories'),
    session: await json(kenji, '/api/v1/auth/session'),
  };
}

describe('petamigos-port-db', () => {
  let tmp, data, file, target, sqliteServer, pgServer;
  const sessions = {};
  let before_, ported;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-port-'));
    data = path.join(tmp, 'data');
    file = path.join(data, 'petamigos.db');
    // The small demo world in a SQLite file, whichever pass this is: seeded
    // here without PA_DATABASE_URL, the folder then holds petamigos.db and
    // startServer keeps it on SQLite.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PA_DATABASE_URL'));
    execFileSync(DEMO_BIN, ['--data', data, '--size', 'small'], { env, stdio: 'ignore' });
    sqliteServer = await startServer({ data, seed: false });

    // Activity through the API, so the copy holds more than the seed wrote:
    // likes, a comment and a reply (counters and notifications written by
    // triggers), sessions, chat devices (one removed, so chat_devices' high
    // mark is above its highest id), a story and a post with an upload.
    const ana = new Client(sqliteServer), kenji = new Client(sqliteServer);
    await ana.login(...ANA);
    await kenji.login(...KENJI);
    const anaPet = (await json(ana, '/api/v1/me/pets')).pets[0];
    const kenjiPosts = (await json(kenji, `/api/v1/users/${kenji.user.id}/posts`)).posts;
    const img = await ana.upload(png(48, 32), 'image/png');
    const post = await ana.post('/api/v1/posts', { caption: 'Ported #port', media_ids: [img.id], pet_ids: [anaPet.id] });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    sessions.post = post.body.id;
    assert.equal((await kenji.put(`/api/v1/posts/${post.body.id}/like`)).status, 200);
    assert.equal((await ana.put(`/api/v1/posts/${kenjiPosts[0].id}/like`)).status, 200);
    const comment = await kenji.post(`/api/v1/posts/${post.body.id}/comments`, { body: 'Before the move' });
    assert.equal(comment.status, 201, JSON.stringify(comment.body));
    const reply = await ana.post(`/api/v1/posts/${post.body.id}/comments`, { body: 'Still here after', parent_id: comment.body.id });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    const story = await ana.upload(png(36, 64), 'image/png');
    assert.equal((await ana.post('/api/v1/stories', { media_id: story.id, pet_id: anaPet.id })).status, 201);
    const devices = [];
    for (const who of [ana, ana, kenji]) {
      const r = await who.post('/api/v1/chat/devices', { bundle: chatBundle() });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      devices.push(r.body.id);
    }
    // Ana's second device is removed: a port must not hand its id out again.
    const removed = await ana.del(`/api/v1/chat/devices/${devices[2]}`);
    assert.equal(removed.status, 404, 'that one is kenji\'s');
    assert.equal((await kenji.del(`/api/v1/chat/devices/${devices[2]}`)).status, 200);
    sessions.removedDevice = Number(devices[2].slice(2));
    sessions.ana = ana;
    sessions.kenji = kenji;
    before_ = await snapshot(sqliteServer, sessions);
    await stopServer(sqliteServer);
    // Two rows of the full-text index (store/textindex.h's terms), written
    // as the store does; SQLite's FTS5 tables stay behind, text_docs goes.
    sqlite(file, `INSERT INTO text_docs (kind, ref_id, locale, terms) VALUES
      ('listing', 1, 'es', 'cam camas ortoped ortopedicas perr perros'), ('listing', 2, 'ja', '大型 犬 ベッド')`);

    target = await createDatabase('pa_port');
    ported = await portDb(['--sqlite', file, '--postgres', target.url]);
  });

  // The PostgreSQL server's end is checked like every other's (a failure here
  // fails the file), and the database and folder go either way.
  after(async () => {
    try {
      await stopServer(pgServer);
    } finally {
      if (target) await dropDatabase(target.name);
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  test('the port copies and verifies every table and says so, table by table', () => {
    assert.equal(ported.code, 0, ported.stdout + ported.stderr);
    const tables = tablesOf(file);
    assert.ok(tables.length >= 25, tables.join(' '));
    for (const t of tables) {
      assert.match(ported.stdout, new RegExp(`^copied +${t} +\\d+ rows`, 'm'), t);
      assert.match(ported.stdout, new RegExp(`^verified +${t} +\\d+ rows +sha256 [0-9a-f]{16}\\.\\. equal`, 'm'), t);
    }
    // Parents before the tables that reference them.
    const at = (t) => ported.stdout.indexOf(`copied   ${t} `);
    assert.ok(at('users') < at('pets') && at('pets') < at('posts') && at('posts') < at('likes'));
    assert.ok(at('posts') < at('comments') && at('comments') < at('notifications'));
    assert.ok(at('chat_devices') < at('chat_messages'));
    const rows = tables.reduce((n, t) => n + Number(sqlite(file, `SELECT count(*) FROM "${t}"`)), 0);
    assert.match(ported.stdout, new RegExp(`ported ${tables.length} tables, ${rows} rows in [0-9.]+ s; all ${tables.length} tables verified`));
    assert.match(ported.stdout, /^identity chat_devices\.id: next \d+$/m);
  });

  test('the full-text index arrives as its terms, and PostgreSQL indexes them itself', async () => {
    assert.doesNotMatch(ported.stdout, /text_fts/);
    assert.match(ported.stdout, /^verified +text_docs +2 rows/m);
    assert.deepEqual(await query(target.url, `SELECT ref_id FROM text_docs
      WHERE lexemes @@ CAST($q$'cam' & 'perr':*$q$ AS tsquery) OR lexemes @@ CAST($q$'ベッド'$q$ AS tsquery)
      ORDER BY ref_id`), [{ ref_id: '1' }, { ref_id: '2' }]);
  });

  test('counters and notifications arrive as they were, not counted again by the triggers', async () => {
    for (const [sql, what] of [
      ['SELECT count(*) FROM notifications', 'notifications'],
      ['SELECT sum(like_count) FROM posts', 'likes counted'],
      ['SELECT sum(comment_count) FROM posts', 'comments counted'],
      ['SELECT count(*) FROM media_unref', 'the media queue'],
    ]) {
      const [row] = await query(target.url, sql);
      assert.equal(Object.values(row)[0], sqlite(file, sql), what);
    }
  });

  test('a server on the PostgreSQL database answers as the SQLite one did', async () => {
    pgServer = await startServer({ data, seed: false, env: { PA_DATABASE_URL: target.url } });
    const now = await snapshot(pgServer, sessions);
    for (const key of Object.keys(before_)) assert.deepEqual(now[key], before_[key], key);
    // The demo's 28 organic posts (its 30 less the two ad creatives: candidates, never in a feed)
    // and the test's own.
    assert.ok(before_.feed.length > 28, `${before_.feed.length} posts`);
    assert.ok(before_.notifications.notifications.length > 0);
    assert.equal(before_.devices.devices.length, 2);
  });

  test('and goes on: a signup, a post, a like and a chat device get new ids', async () => {
    const fresh = new Client(pgServer);
    const user = await fresh.signup(`ported.${process.pid}@example.test`, 'correct horse battery', 'After Port');
    assert.ok(Number(user.id.slice(2)) > Number(sessions.kenji.user.id.slice(2)));
    const pet = await fresh.post('/api/v1/pets', { name: 'Newcomer', species: 'dog' });
    assert.equal(pet.status, 201, JSON.stringify(pet.body));
    const img = await fresh.upload(png(40, 40), 'image/png');
    const post = await fresh.post('/api/v1/posts', { caption: 'First on PostgreSQL', media_ids: [img.id], pet_ids: [pet.body.id] });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    assert.ok(Number(post.body.id.slice(2)) > Number(sessions.post.slice(2)));
    const ana = sameSession(pgServer, sessions.ana);
    assert.equal((await ana.put(`/api/v1/posts/${post.body.id}/like`)).status, 200);
    // The triggers are on again: the like was counted and notified.
    const [counted] = await query(target.url, `SELECT like_count FROM posts WHERE id = ${post.body.id.slice(2)}`);
    assert.equal(counted.like_count, '1');
    assert.equal((await json(fresh, '/api/v1/notifications/unread')).unread_count, 1);
    // A new device never gets the removed one's id (AUTOINCREMENT's rule).
    const device = await ana.post('/api/v1/chat/devices', { bundle: chatBundle() });
    assert.equal(device.status, 201, JSON.stringify(device.body));
    assert.ok(Number(device.body.id.slice(2)) > sessions.removedDevice, `${device.body.id} after d_${sessions.removedDevice}`);
    await stopServer(pgServer);
  });

  test('a database that holds rows is refused and left as it was', async () => {
    const [held] = await query(target.url, 'SELECT count(*) AS n FROM posts');
    const r = await portDb(['--sqlite', file, '--postgres', target.url]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /refused: the PostgreSQL database is not empty/);
    assert.match(r.stderr, /^ {2}advertisers holds rows$/m);
    assert.match(r.stderr, /^ {2}\(the first 10 of \d+\)$/m);
    assert.doesNotMatch(r.stdout, /^copied/m);
    assert.deepEqual(await query(target.url, 'SELECT count(*) AS n FROM posts'), [held]);
  });

  test('a SQLite file with a dangling reference is refused, naming it; the URL\'s password is never shown', async () => {
    const broken = path.join(tmp, 'broken');
    await cp(data, broken, { recursive: true });
    const db = path.join(broken, 'petamigos.db');
    const id = sqlite(db, 'SELECT min(id) FROM posts');
    sqlite(db, `PRAGMA foreign_keys = OFF; UPDATE posts SET pet_id = 987654 WHERE id = ${id};`);
    const empty = await createDatabase('pa_port_broken');
    try {
      const url = new URL(empty.url);
      url.password = 'hunter2-not-shown';
      const r = await portDb(['--sqlite', db, '--postgres', url.toString()]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /refused: the SQLite database has 1 reference to rows it does not hold/);
      assert.match(r.stderr, new RegExp(`^ {2}posts row ${id}: pet_id = 987654 has no row in pets$`, 'm'));
      assert.ok(!(r.stdout + r.stderr).includes('hunter2'), 'the password is printed');
      assert.match(r.stdout, /:\*\*\*@127\.0\.0\.1/);
      // libpq quotes a malformed URL's password in its message: not shown either.
      const bad = await portDb(['--sqlite', db, '--postgres', empty.url.replace('pa@', 'pa:hunter2%zz@')]);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stderr, /cannot connect to postgresql:\/\/pa:\*\*\*@/);
      assert.ok(!bad.stderr.includes('hunter2'), bad.stderr);
      // Nothing was created there.
      assert.deepEqual(await query(empty.url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"), [{ n: '0' }]);
    } finally {
      await dropDatabase(empty.name);
    }
  });

  test('an older SQLite file is brought to the current schema first; AUTOINCREMENT high marks carry over', async () => {
    const old = await oldDatabase('port', 6);
    const into = await createDatabase('pa_port_old');
    try {
      // Written as a schema-6 server would have: the triggers count the like and notify.
      old.sql(`INSERT INTO users (id, handle, name, created_at) VALUES (1, 'ada', 'Ada', 100), (2, 'bo', 'Bo', 100);
        INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Pip', 'cat', 100);
        INSERT INTO posts (id, author_id, pet_id, caption, created_at) VALUES (1, 1, 1, 'Hello #old', 100);
        INSERT INTO post_pets VALUES (1, 1);
        INSERT INTO post_tags VALUES (1, 'old');
        INSERT INTO likes VALUES (1, 2, 101);
        INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at)
          VALUES (1, 1, zeroblob(32), zeroblob(108), 1, 100), (2, 2, randomblob(32), zeroblob(108), 1, 100);
        INSERT INTO chat_messages (sender_device, recipient_device, client_id, seq, body, created_at)
          VALUES (1, 2, 'c1', 1, x'00ff', 102), (1, 2, 'c2', 2, x'', 103), (1, 2, 'c3', 3, NULL, 104);
        DELETE FROM chat_messages WHERE client_id = 'c3';`);
      const r = await portDb(['--sqlite', old.db, '--postgres', into.url]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(old.sql('PRAGMA user_version'), String((await migrationsFromSource()).length), 'the current schema');
      // Message 3 was deleted: the next message is 4, as SQLite would have made it.
      assert.match(r.stdout, /^identity chat_messages\.id: next 4$/m);
      assert.match(r.stdout, /^identity chat_devices\.id: next 3$/m);
      assert.deepEqual(await query(into.url, 'SELECT like_count FROM posts'), [{ like_count: '1' }]);
      assert.deepEqual(await query(into.url, "SELECT kind, actor_id FROM notifications"), [{ kind: 'like', actor_id: '2' }]);
      // An empty blob stays empty, not NULL.
      assert.deepEqual(await query(into.url, "SELECT encode(body, 'hex') AS body FROM chat_messages ORDER BY id"),
        [{ body: '00ff' }, { body: '' }]);
      assert.deepEqual(await query(into.url, 'SELECT version FROM pa_schema'), [{ version: String((await migrationsFromSource()).length) }]);
    } finally {
      await dropDatabase(into.name);
      await rm(old.tmp, { recursive: true, force: true });
    }
  });

  test('bad arguments: usage and exit 2; --help: usage and exit 0', async () => {
    const url = pgUrl();
    for (const args of [
      [],
      ['--sqlite', file],
      ['--postgres', url],
      ['--sqlite', file, '--postgres', '/tmp/not-a-url'],
      ['--sqlite', url, '--postgres', url],
      ['--sqlite', file, '--postgres', url, '--force'],
      ['--sqlite', file, '--sqlite', file, '--postgres', url],
      ['--sqlite'],
    ]) {
      const r = await portDb(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^petamigos-port-db: .+\nusage: petamigos-port-db --sqlite FILE --postgres URL/, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const help = await portDb(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: petamigos-port-db --sqlite FILE --postgres URL/);
  });
});

// The copy's batches at their edges (web/src/store/sql/port.c): an INSERT
// takes BATCH_ROWS (256) rows, fewer when they would need more than
// PA_SQ_PARAMS_DYNAMIC_MAX (4096) parameters (a table's columns times its
// rows), and is cut short once its values hold BATCH_BYTES (4 MiB). Each
// table below sits on one edge; the rows one INSERT wrote share their cmin
// in PostgreSQL (the command of the port's transaction that inserted them),
// so the batches are read back from the copy itself, and every table must
// still verify (counts and SHA-256, as the tool checks) and equal the source.
// The same source sits on the edges of what the port takes of a schema
// (store/port.h, port.c): PA_STORE_PORT_TABLES_MAX tables, a table and a
// column named with PA_STORE_PORT_NAME_MAX - 1 bytes, COLUMNS_MAX columns;
// one more of each is refused, as are dangling references past
// PA_STORE_PORT_REPORT_MAX (listed up to it, then counted).
describe('petamigos-port-db: the batches and the schema at their edges', () => {
  const BATCH_ROWS = 256;
  const PARAMS_MAX = 4096;
  const BATCH_BYTES = 4 << 20;
  const TABLES_MAX = 128;
  const NAME_MAX = 64; // with the NUL: names of 63 bytes
  const COLUMNS_MAX = 32;
  const REPORT_MAX = 10;
  const PAGE_ENDS = [16, 16 + 128, 16 + 128 + 1024, 16 + 128 + 1024 + 4096];
  const longName = `long_${'n'.repeat(NAME_MAX - 1 - 5)}`;
  const longColumn = `c${'o'.repeat(NAME_MAX - 2)}`;
  const MIB = 1 << 20;
  // What the port counts of a chat_messages row (port.c, value_keep): 8 per
  // integer (id, sender_device, recipient_device, seq, created_at, and
  // failed since schema 39), a text's or blob's length (client_id
  // 'm01'..'m10', body), 0 for NULL (delivered_at).
  const MESSAGE_OVERHEAD = 6 * 8 + 3;
  const wide = (n) => Array.from({ length: n - 1 }, (_, i) => `c${i + 2}`);
  let tmp, target, ported;
  const src = {};

  // sqlite3 with room for the blobs' hex.
  const lite = (sql) => execFileSync('sqlite3', [src.db, sql], { maxBuffer: 64 << 20 }).toString().trim();

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-port-batch-'));
    src.db = path.join(tmp, 'data', 'petamigos.db');
    await mkdir(path.dirname(src.db));
    // The current schema, as the server's migrations make it.
    const m = await migrationsFromSource();
    execFileSync('sqlite3', [src.db], { input: `${m.join('\n')}\nPRAGMA user_version = ${m.length};` });
    const upTo = (n) => `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})`;
    // Rows 1-4 of chat_messages hold BATCH_BYTES - 1 (no cut), row 5 passes
    // it (cut after 5 rows); rows 6-9 hold exactly BATCH_BYTES (cut after 4).
    const body = (i) => `${MIB - MESSAGE_OVERHEAD - (i === 4 ? 1 : 0)}`;
    const tables16 = `id INTEGER PRIMARY KEY, ${wide(16).map((c) => `${c} INTEGER`).join(', ')}`;
    const tables17 = `id INTEGER PRIMARY KEY, ${wide(17).map((c) => `${c} INTEGER`).join(', ')}`;
    lite(`PRAGMA foreign_keys = ON;
      ${upTo(BATCH_ROWS + 1)} INSERT INTO advertisers (id, name) SELECT i, 'Advertiser ' || i FROM k;
      ${upTo(BATCH_ROWS)} INSERT INTO users (id, handle, name, created_at) SELECT i, 'u' || i, 'User ' || i, 100 + i FROM k;
      ${upTo(BATCH_ROWS - 1)} INSERT INTO pets (id, owner_id, name, species, created_at)
        SELECT i, (i - 1) % ${BATCH_ROWS} + 1, 'Pet ' || i, 'cat', 200 + i FROM k;
      INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at)
        VALUES (1, 1, randomblob(32), randomblob(108), 1, 300), (2, 2, randomblob(32), randomblob(108), 1, 300);
      ${upTo(10)} INSERT INTO chat_messages (id, sender_device, recipient_device, client_id, seq, body, created_at)
        SELECT i, 1, 2, printf('m%02d', i), i, randomblob(CASE i WHEN 4 THEN ${body(4)} ELSE ${body(1)} END), 400 + i FROM k;
      CREATE TABLE wide16 (${tables16}) STRICT;
      CREATE TABLE wide17 (${tables17}) STRICT;
      ${upTo(BATCH_ROWS + 1)} INSERT INTO wide16 SELECT i, ${wide(16).map((_, c) => `i * ${c + 2}`).join(', ')} FROM k;
      ${upTo(Math.floor(PARAMS_MAX / 17) + 1)} INSERT INTO wide17 SELECT i, ${wide(17).map((_, c) => `i * ${c + 2}`).join(', ')} FROM k;`);
    // The tables the schema has, the ones above and a few more (the widest
    // a port takes, the longest names), then fillers up to TABLES_MAX.
    const extra = [
      `wide16 (${tables16})`,
      `wide17 (${tables17})`,
      `wide32 (id INTEGER PRIMARY KEY, ${wide(COLUMNS_MAX).map((c) => `${c} INTEGER`).join(', ')})`,
      `${longName} (${longColumn} INTEGER PRIMARY KEY, note TEXT)`,
    ];
    // The checksum walks a table in pages by key (port.c, checksum): 16
    // rows (PAGE_ROWS_FIRST), then 8 times more (PAGE_GROWTH) up to 4096
    // (PAGE_ROWS_MAX) for rows this small; a table that ends exactly at a
    // page's end, or one row past it, at each of them.
    for (const end of PAGE_ENDS) extra.push(`pages_${end} (id INTEGER PRIMARY KEY)`, `pages_${end + 1} (id INTEGER PRIMARY KEY)`);
    const have = tablesOf(src.db).length - 2; // wide16 and wide17 are made already
    for (let i = have + extra.length; i < TABLES_MAX; i++) extra.push(`filler_${i} (id INTEGER PRIMARY KEY)`);
    lite(`${extra.slice(2).map((t) => `CREATE TABLE ${t} STRICT;`).join('\n')}
      ${upTo(BATCH_ROWS / 2 + 1)} INSERT INTO wide32 SELECT i, ${wide(COLUMNS_MAX).map((_, c) => `i + ${c}`).join(', ')} FROM k;
      ${PAGE_ENDS.flatMap((end) => [end, end + 1]).map((n) => `${upTo(n)} INSERT INTO pages_${n} SELECT i FROM k;`).join('\n')}
      INSERT INTO ${longName} VALUES (1, 'a long name');`);
    assert.equal(tablesOf(src.db).length, TABLES_MAX);
    // The extra tables exist on both sides, as the port requires.
    target = await createDatabase('pa_port_batch');
    await runSql(target.url, extra.map((t) => `CREATE TABLE ${t.replaceAll('INTEGER', 'bigint')};`).join('\n'));
    ported = await portDb(['--sqlite', src.db, '--postgres', target.url]);
  });

  after(async () => {
    if (target) await dropDatabase(target.name);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Rows per INSERT of table in the copy, in order: [{ rows, first, last }]. */
  const batches = async (table) =>
    (await query(target.url, `SELECT cmin::text::bigint AS c, count(*) AS rows, min(id) AS first, max(id) AS last
      FROM ${table} GROUP BY 1 ORDER BY 1`)).map(({ rows, first, last }) => [Number(rows), Number(first), Number(last)]);

  const verified = (table, rows) => {
    assert.match(ported.stdout, new RegExp(`^copied +${table} +${rows} rows`, 'm'), table);
    assert.match(ported.stdout, new RegExp(`^verified +${table} +${rows} rows +sha256 [0-9a-f]{16}\\.\\. equal`, 'm'), table);
  };

  test('the port succeeds and verifies every table', () => {
    assert.equal(ported.code, 0, ported.stdout + ported.stderr);
    assert.match(ported.stdout, /all \d+ tables verified/);
  });

  test('255, 256 and 257 rows: one short batch, one full batch, a full batch and one row', async () => {
    verified('pets', BATCH_ROWS - 1);
    verified('users', BATCH_ROWS);
    verified('advertisers', BATCH_ROWS + 1);
    assert.deepEqual(await batches('pets'), [[BATCH_ROWS - 1, 1, BATCH_ROWS - 1]]);
    assert.deepEqual(await batches('users'), [[BATCH_ROWS, 1, BATCH_ROWS]]);
    assert.deepEqual(await batches('advertisers'), [[BATCH_ROWS, 1, BATCH_ROWS], [1, BATCH_ROWS + 1, BATCH_ROWS + 1]]);
    // The rows themselves, read from both sides.
    for (const [table, cols] of [['advertisers', 'id, name'], ['users', 'id, handle, name, bio, created_at'], ['pets', 'id, owner_id, name, species, created_at']]) {
      const there = (await query(target.url, `SELECT ${cols} FROM ${table} ORDER BY id`)).map((r) => Object.values(r).join('|'));
      assert.deepEqual(there, lite(`SELECT ${cols.replaceAll(', ', " || '|' || ")} FROM ${table} ORDER BY id`).split('\n'), table);
    }
  });

  test('PA_SQ_PARAMS_DYNAMIC_MAX: 16 columns still take 256 rows (4096 parameters), 17 columns take 240 (4080; 241 would be 4097)', async () => {
    verified('wide16', BATCH_ROWS + 1);
    verified('wide17', Math.floor(PARAMS_MAX / 17) + 1);
    assert.deepEqual(await batches('wide16'), [[BATCH_ROWS, 1, BATCH_ROWS], [1, BATCH_ROWS + 1, BATCH_ROWS + 1]]);
    const rows17 = Math.floor(PARAMS_MAX / 17);
    assert.equal(rows17 * 17, 4080);
    assert.deepEqual(await batches('wide17'), [[rows17, 1, rows17], [1, rows17 + 1, rows17 + 1]]);
    const [sums] = await query(target.url, `SELECT sum(c17) AS c17, sum(c16) AS c16 FROM wide17`);
    assert.deepEqual(sums, { c17: lite('SELECT sum(c17) FROM wide17'), c16: lite('SELECT sum(c16) FROM wide17') });
  });

  test('COLUMNS_MAX columns (128 rows an INSERT, 4096 parameters) and 63-byte names port; TABLES_MAX tables port', async () => {
    verified('wide32', BATCH_ROWS / 2 + 1);
    assert.deepEqual(await batches('wide32'), [[BATCH_ROWS / 2, 1, BATCH_ROWS / 2], [1, BATCH_ROWS / 2 + 1, BATCH_ROWS / 2 + 1]]);
    verified(longName, 1);
    assert.deepEqual(await query(target.url, `SELECT ${longColumn} AS id, note FROM ${longName}`), [{ id: '1', note: 'a long name' }]);
    assert.match(ported.stdout, new RegExp(`ported ${TABLES_MAX} tables, .*; all ${TABLES_MAX} tables verified`));
  });

  test('the checksum\'s pages: tables ending at a page\'s end and one row past it verify', async () => {
    for (const n of PAGE_ENDS.flatMap((end) => [end, end + 1])) {
      verified(`pages_${n}`, n);
      assert.deepEqual(await query(target.url, `SELECT count(*) AS n, sum(id) AS s FROM pages_${n}`), [{ n: String(n), s: String((n * (n + 1)) / 2) }]);
    }
  });

  test('one more table, column, byte of a name: refused, naming the limit; dangling references past REPORT_MAX are counted', async () => {
    const into = await createDatabase('pa_port_edges');
    try {
      /** A copy of the source changed by sql, ported into `into`: the result. */
      const attempt = async (name, sql) => {
        const dir = path.join(tmp, name);
        await mkdir(dir);
        const db = path.join(dir, 'petamigos.db');
        lite(`VACUUM INTO '${db}'`);
        execFileSync('sqlite3', [db, sql]);
        return portDb(['--sqlite', db, '--postgres', into.url]);
      };
      const refused = (r, what) => {
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, what);
        assert.doesNotMatch(r.stdout, /^copied/m);
      };
      refused(await attempt('tables', 'CREATE TABLE one_more (id INTEGER PRIMARY KEY) STRICT;'),
        new RegExp(`^petamigos-port-db: refused: more than ${TABLES_MAX} tables$`, 'm'));
      // The fillers make room: each of these keeps TABLES_MAX tables.
      const filler = tablesOf(src.db).find((t) => t.startsWith('filler_'));
      refused(await attempt('columns', `DROP TABLE ${filler};
          CREATE TABLE wide33 (id INTEGER PRIMARY KEY, ${wide(COLUMNS_MAX + 1).map((c) => `${c} INTEGER`).join(', ')}) STRICT;`),
        new RegExp(`^petamigos-port-db: refused: table wide33 has more than ${COLUMNS_MAX} columns$`, 'm'));
      const tooLong = `${longName}x`;
      refused(await attempt('name', `DROP TABLE ${filler}; CREATE TABLE ${tooLong} (id INTEGER PRIMARY KEY) STRICT;`),
        new RegExp(`^petamigos-port-db: refused: a table: the name "${tooLong}" is empty or longer than ${NAME_MAX - 1} bytes$`, 'm'));
      // REPORT_MAX dangling references are all listed; one more is counted.
      for (const n of [REPORT_MAX, REPORT_MAX + 1]) {
        const r = await attempt(`dangling-${n}`, `PRAGMA foreign_keys = OFF; UPDATE pets SET owner_id = 987654 WHERE id <= ${n};`);
        refused(r, new RegExp(`refused: the SQLite database has ${n} references to rows it does not hold`));
        assert.equal(r.stderr.match(/^ {2}pets row \d+: owner_id = 987654 has no row in users$/gm).length, REPORT_MAX, r.stderr);
        if (n > REPORT_MAX) assert.match(r.stderr, new RegExp(`^ {2}\\(the first ${REPORT_MAX} of ${n}\\)$`, 'm'));
        else assert.doesNotMatch(r.stderr, /the first/);
      }
      // Nothing was copied by any of them.
      assert.deepEqual(await query(into.url, 'SELECT count(*) AS n FROM advertisers'), [{ n: '0' }]);
    } finally {
      await dropDatabase(into.name);
    }
  });

  test('BATCH_BYTES: a batch one byte short goes on, one that reaches it is cut; the blobs arrive whole', async () => {
    verified('chat_messages', 10);
    const sizes = lite('SELECT length(body) FROM chat_messages ORDER BY id').split('\n').map(Number);
    const held = (ids) => ids.reduce((n, id) => n + MESSAGE_OVERHEAD + sizes[id - 1], 0);
    assert.equal(held([1, 2, 3, 4]), BATCH_BYTES - 1);
    assert.equal(held([6, 7, 8, 9]), BATCH_BYTES);
    assert.deepEqual(await batches('chat_messages'), [[5, 1, 5], [4, 6, 9], [1, 10, 10]]);
    const there = await query(target.url, "SELECT id, length(body) AS n, encode(sha256(body), 'hex') AS sum FROM chat_messages ORDER BY id");
    const here = lite('SELECT id, hex(body) FROM chat_messages ORDER BY id').split('\n').map((line) => {
      const [id, hex] = line.split('|');
      const bytes = Buffer.from(hex, 'hex');
      return { id, n: String(bytes.length), sum: createHash('sha256').update(bytes).digest('hex') };
    });
    assert.deepEqual(there, here);
  });
});
