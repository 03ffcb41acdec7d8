// The two schemas mean the same (issue 16): one story of writes
// (fixtures/schema-scenario.sql) runs on a fresh SQLite database made by the
// server's migrations and on a fresh PostgreSQL database made by the server's
// pa_pg_schema, and every table comes out the same, counters, notifications
// and the media collection queue included; and every write the schema must
// refuse (fixtures/schema-rejects.sql) is refused by both. Runs the same in
// both passes of the test command: it makes one database of each kind itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './helpers.mjs';
import { createDatabase, dropDatabase } from '../lib/pg.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCENARIO = readFileSync(path.join(here, 'fixtures/schema-scenario.sql'), 'utf8');
const REJECTS = readFileSync(path.join(here, 'fixtures/schema-rejects.sql'), 'utf8');
const PSQL = path.join(process.env.PA_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql');
const BLOB_DOMAIN = 'CREATE DOMAIN pg_temp.blob AS bytea';

// The statements of schema-rejects.sql: each ends with ';' at a line's end.
function statements(text) {
  const out = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (!current && (line.startsWith('--') || !line.trim())) continue;
    current += `${line}\n`;
    if (line.trimEnd().endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  return out;
}

const sqlite = (db, sql, extra = []) =>
  spawnSync('sqlite3', ['-bail', '-cmd', 'PRAGMA foreign_keys = ON', ...extra, db], { input: sql, encoding: 'utf8' });
const psql = (url, sql) =>
  spawnSync(PSQL, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', BLOB_DOMAIN, '-f', '-'], {
    input: sql,
    encoding: 'utf8',
  });

describe('the SQLite and PostgreSQL schemas', () => {
  let tmp, lite, pg;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-parity-'));
    // Each schema as the server makes it: start a server on an empty database, stop it.
    const a = await startServer({ data: path.join(tmp, 'lite'), seed: false, env: { PA_DATABASE_URL: '' } }); // SQLite in either pass
    await stopServer(a);
    lite = path.join(tmp, 'lite', 'petamigos.db');
    pg = await createDatabase('pa_parity');
    const b = await startServer({ data: path.join(tmp, 'pg'), seed: false, env: { PA_DATABASE_URL: pg.url } });
    await stopServer(b);
    // meta holds the server's own marks, written by whichever background
    // rounds (the affiliate month close, the billing sweep, payouts) ran
    // before the stop: the machine's timing, not the schema. The story
    // starts from none on both.
    assert.equal(sqlite(lite, 'DELETE FROM meta;').status, 0);
    assert.equal(psql(pg.url, 'DELETE FROM meta;').status, 0);
  });
  after(async () => {
    if (pg) await dropDatabase(pg.name);
    await rm(tmp, { recursive: true, force: true });
  });

  test('one story of writes leaves the same rows in every table', () => {
    const a = sqlite(lite, SCENARIO);
    const b = psql(pg.url, SCENARIO);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const rows = a.stdout.trim().split('\n');
    assert.ok(rows.length > 100, `the scenario printed ${rows.length} lines`);
    assert.deepEqual(b.stdout.trim().split('\n'), rows);
  });

  test('every write the schema must refuse is refused by both, one at a time', () => {
    const list = statements(REJECTS);
    assert.ok(list.length > 100, `${list.length} statements`);
    const accepted = { sqlite: [], postgresql: [] };
    for (const sql of list) {
      // Each in a transaction rolled back, so one that wrongly passes changes nothing after it.
      if (sqlite(lite, `BEGIN;\n${sql}\nROLLBACK;`).status === 0) accepted.sqlite.push(sql);
      if (psql(pg.url, `BEGIN;\n${sql}\nROLLBACK;`).status === 0) accepted.postgresql.push(sql);
    }
    assert.deepEqual(accepted, { sqlite: [], postgresql: [] });
    // Control: the same harness accepts a write that is allowed.
    const ok = "INSERT INTO meta (key, value) VALUES ('parity_control', 1);";
    assert.equal(sqlite(lite, `BEGIN;\n${ok}\nROLLBACK;`).status, 0);
    assert.equal(psql(pg.url, `BEGIN;\n${ok}\nROLLBACK;`).status, 0);
  });
});
