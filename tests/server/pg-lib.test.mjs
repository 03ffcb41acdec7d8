// tests/lib/pg.mjs and scripts/pg on the run's real throwaway cluster
// (PA_TEST_PG_URL, started by scripts/test): databases made empty and from a
// template, queried, and dropped while someone is connected.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDatabase, databaseUrl, dropDatabase, parseCsv, pgUrl, query, runSql, uniqueName,
} from '../lib/pg.mjs';

const PG_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/pg');
const made = [];
after(async () => {
  for (const name of made) await dropDatabase(name);
});
async function fresh(prefix, opts) {
  const db = await createDatabase(prefix, opts);
  made.push(db.name);
  return db;
}
const names = async () => (await query(pgUrl(), 'SELECT datname FROM pg_database')).map((r) => r.datname);

test('pgUrl names scripts/pg start when no cluster is given, and never skips', () => {
  const saved = process.env.PA_TEST_PG_URL;
  assert.ok(saved, 'PA_TEST_PG_URL must be set for this file (scripts/test sets it)');
  try {
    delete process.env.PA_TEST_PG_URL;
    assert.throws(() => pgUrl(), /PA_TEST_PG_URL is not set.*scripts\/pg start/s);
    assert.throws(() => databaseUrl('x'), /scripts\/pg start/);
  } finally {
    process.env.PA_TEST_PG_URL = saved;
  }
  assert.match(pgUrl(), /^postgresql:\/\/pa@127\.0\.0\.1:\d+\/postgres$/);
});

test('the cluster is the throwaway one scripts/pg makes', async () => {
  const [s] = await query(pgUrl(), `SELECT current_user AS "user", current_setting('server_version_num') AS version,
    current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
    current_setting('full_page_writes') AS fpw, current_setting('max_connections') AS max_conn,
    current_setting('listen_addresses') AS listen, pg_encoding_to_char(encoding) AS encoding,
    datcollate AS collate, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super
    FROM pg_database WHERE datname = current_database()`);
  assert.equal(s.user, 'pa');
  assert.ok(Number(s.version) >= 150000 && Number(s.version) < 160000, s.version);
  assert.deepEqual([s.fsync, s.sync, s.fpw], ['off', 'off', 'off']);
  assert.ok(Number(s.max_conn) >= 300, s.max_conn);
  assert.equal(s.listen, '127.0.0.1');
  assert.equal(s.encoding, 'UTF8');
  assert.equal(s.collate, 'C'); // byte order, as SQLite's BINARY
  assert.equal(s.super, 't');
});

test('names are unique per call, legal identifiers, at most 63 bytes', () => {
  const a = uniqueName('feed'), b = uniqueName('feed');
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^feed_${process.pid}_\\d+$`));
  assert.match(uniqueName('9 Weird-Name!'), /^d9_weird_name__\d+_\d+$/);
  const long = uniqueName('x'.repeat(100));
  assert.ok(long.length <= 63 && long.endsWith(`_${process.pid}_${long.split('_').pop()}`), long);
});

test('createDatabase makes an empty database that databaseUrl reaches', async () => {
  const db = await fresh('pglib_empty');
  assert.equal(db.url, databaseUrl(db.name));
  assert.ok((await names()).includes(db.name));
  const [r] = await query(db.url, 'SELECT current_database() AS db, count(*) AS tables FROM pg_tables WHERE schemaname = \'public\'');
  assert.deepEqual(r, { db: db.name, tables: '0' });
});

test('query returns rows as strings by column, NULL apart from empty, odd text intact', async () => {
  const db = await fresh('pglib_query');
  const odd = 'comma, "quote"\nnew line\r\nand ü 🐾 \\N';
  await runSql(db.url, `CREATE TABLE t (id int PRIMARY KEY, s text, n int);
    INSERT INTO t VALUES (1, NULL, NULL), (2, '', 0), (3, ${"'" + odd.replaceAll("'", "''") + "'"}, -5);`);
  const rows = await query(db.url, 'SELECT id, s, n FROM t ORDER BY id');
  assert.deepEqual(rows, [
    { id: '1', s: null, n: null },
    { id: '2', s: '', n: '0' },
    { id: '3', s: odd, n: '-5' },
  ]);
  assert.deepEqual(Object.keys(rows[0]), ['id', 's', 'n']);
  assert.deepEqual(await query(db.url, 'SELECT id FROM t WHERE false'), []);
  assert.deepEqual(await query(db.url, 'UPDATE t SET n = 1 WHERE id = 2'), []);
  assert.deepEqual(await query(db.url, 'UPDATE t SET n = 2 WHERE id = 2 RETURNING id, n'), [{ id: '2', n: '2' }]);
  await assert.rejects(query(db.url, 'SELECT nope FROM t'), /column "nope" does not exist/);
  await assert.rejects(runSql(db.url, 'INSERT INTO t VALUES (1, NULL, NULL)'), /duplicate key value violates unique constraint/);
  // The script stopped at its first error: the later insert never ran.
  await assert.rejects(runSql(db.url, 'INSERT INTO t VALUES (9, NULL, NULL); SELECT 1/0; INSERT INTO t VALUES (10, NULL, NULL);'), /division by zero/);
  assert.deepEqual(await query(db.url, 'SELECT id FROM t WHERE id >= 9 ORDER BY id'), [{ id: '9' }]);
});

test('parseCsv reads what psql writes', () => {
  assert.deepEqual(parseCsv('a,b\n1,"x,""y""\nz"\n,\n'), [['a', 'b'], ['1', 'x,"y"\nz'], ['', '']]);
  assert.deepEqual(parseCsv(''), []);
});

test('createDatabase with a template copies it, and the copy is on its own', async () => {
  const tpl = await fresh('pglib_tpl');
  await runSql(tpl.url, `CREATE TABLE pets (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
    INSERT INTO pets (name) SELECT 'pet ' || i FROM generate_series(1, 1000) i;
    CREATE INDEX pets_name ON pets (lower(name));`);
  const a = await fresh('pglib_copy', { template: tpl.name });
  const b = await fresh('pglib_copy', { template: tpl.name });
  assert.notEqual(a.name, b.name);
  for (const db of [a, b]) {
    assert.deepEqual(await query(db.url, 'SELECT count(*) AS n, max(name) AS last FROM pets'), [{ n: '1000', last: 'pet 999' }]);
  }
  // Schema came along: the unique constraint and the sequence.
  assert.deepEqual(await query(a.url, "INSERT INTO pets (name) VALUES ('new') RETURNING id"), [{ id: '1001' }]);
  await assert.rejects(runSql(a.url, "INSERT INTO pets (name) VALUES ('pet 1')"), /duplicate key/);
  await runSql(a.url, "DELETE FROM pets WHERE name LIKE 'pet 1%'");
  assert.deepEqual(await query(tpl.url, 'SELECT count(*) AS n FROM pets'), [{ n: '1000' }]);
  assert.deepEqual(await query(b.url, 'SELECT count(*) AS n FROM pets'), [{ n: '1000' }]);
  await assert.rejects(createDatabase('pglib_copy', { template: 'no_such_db' }), /template database "no_such_db" does not exist/);
});

test('dropDatabase ends the sessions on it first; a missing database is nothing to drop', async () => {
  const db = await createDatabase('pglib_drop');
  // Someone holding a connection (as a server's pool would).
  const holder = spawn(path.join(process.env.PA_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql'),
    ['-X', '-q', '-d', db.url, '-c', 'SELECT pg_sleep(600)'], { stdio: 'ignore' });
  const holderExit = new Promise((r) => holder.on('exit', (code, signal) => r({ code, signal })));
  try {
    for (let i = 0; ; i++) {
      const [r] = await query(pgUrl(), `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '${db.name}'`);
      if (r.n !== '0') break;
      assert.ok(i < 300, 'the holding session never showed up');
      await new Promise((r) => setTimeout(r, 100));
    }
    await dropDatabase(db.name);
    assert.ok(!(await names()).includes(db.name));
    const exit = await holderExit;
    assert.notEqual(exit.code, 0, 'the holder was cut off'); // psql: "terminating connection due to administrator command"
  } finally {
    holder.kill('SIGKILL');
  }
  await dropDatabase(db.name);
  await dropDatabase('pglib_never_made');
});

test('createDatabase fails loudly on a cluster that is not there', async () => {
  const saved = process.env.PA_TEST_PG_URL;
  try {
    const u = new URL(saved);
    u.port = '1'; // nothing listens on 127.0.0.1:1
    process.env.PA_TEST_PG_URL = u.toString();
    await assert.rejects(createDatabase('pglib_nowhere'), /psql failed .*127\.0\.0\.1.*port 1 failed/s);
  } finally {
    process.env.PA_TEST_PG_URL = saved;
  }
});

function pgScript(...args) {
  return new Promise((resolve) => {
    execFile(PG_SCRIPT, args, { timeout: 120_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? e.code : 0, stdout, stderr }));
  });
}

test('scripts/pg: a second cluster beside the run\'s, reused by a second start, gone after stop', async () => {
  // Not made beforehand (scripts/pg makes it); in /tmp, which the postgres user can enter.
  const dir = path.join(os.tmpdir(), `pa-pg-test-${process.pid}-${Date.now()}`);
  try {
    const one = await pgScript('start', dir);
    assert.equal(one.code, 0, one.stderr);
    const url = one.stdout.trim();
    assert.match(url, /^postgresql:\/\/pa@127\.0\.0\.1:\d+\/postgres$/);
    assert.notEqual(new URL(url).port, new URL(pgUrl()).port);
    assert.deepEqual(await query(url, 'SELECT 1 AS one'), [{ one: '1' }]);
    const again = await pgScript('start', dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), url, 'a running cluster is reused');
    // Only pa, only from 127.0.0.1.
    const u = new URL(url);
    u.username = 'postgres';
    await assert.rejects(query(u.toString(), 'SELECT 1'), /no pg_hba\.conf entry/);
    const stop = await pgScript('stop', dir);
    assert.equal(stop.code, 0, stop.stderr);
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    await assert.rejects(query(url, 'SELECT 1'), /psql failed/);
    const twice = await pgScript('stop', dir);
    assert.equal(twice.code, 0, twice.stderr);
  } finally {
    await pgScript('stop', dir);
  }
});

test('scripts/pg refuses a folder it did not make, and leaves it as it was', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-pg-foreign-'));
  try {
    await writeFile(path.join(dir, 'keep'), 'mine');
    for (const cmd of ['start', 'stop']) {
      const r = await pgScript(cmd, dir);
      assert.equal(r.code, 1, `${cmd}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /not empty and holds no cluster made by scripts\/pg/);
      assert.equal(r.stdout, '');
      assert.equal(await readFile(path.join(dir, 'keep'), 'utf8'), 'mine');
    }
    const bad = await pgScript('start');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /usage: scripts\/pg start DIR/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
