// Affiliates: joining, links, clicks and attribution at sign-up (issue 21,
// CONTRACT21.md "Joining, links, attribution"), and the upgrade to the
// schema that holds them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';

// The version that makes the affiliate tables (31 when written; found in the source).
const AFF_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE affiliates')) + 1;

describe(`the upgrade to schema ${AFF_VERSION}: affiliates, clicks and referrals`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);`;
  const after = `INSERT INTO affiliates (user_id, code, kind, joined_at) VALUES (1, 'annann', 'vet', 5);
    INSERT INTO aff_clicks (affiliate_id, at, day, source_hash) VALUES (1, 6, 0, '${'0a'.repeat(16)}');
    INSERT INTO aff_referrals (referred_id, affiliate_id, clicked_at, attributed_at, state, source_hash) VALUES (2, 1, 6, 7, 'attributed', '${'0a'.repeat(16)}');`;

  test('SQLite: a file one version older gains the three tables, empty, its people kept', async () => {
    assert.ok(AFF_VERSION > 0, 'a migration makes affiliates');
    const { tmp, data, sql, migrations: m } = await oldDatabase('affjoin', AFF_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT count(*) FROM users'), '2');
      assert.equal(sql('SELECT (SELECT count(*) FROM affiliates) + (SELECT count(*) FROM aff_clicks) + (SELECT count(*) FROM aff_referrals)'), '0');
      sql(after);
      assert.equal(sql('SELECT a.code, r.state, c.day FROM affiliates a, aff_referrals r, aff_clicks c'), 'annann attributed 0');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-affjoin-pg-'));
    const pg = await createDatabase('pa_affjoin_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, AFF_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${AFF_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM affiliates'), [{ n: '0' }]);
        await runSql(pg.url, after);
        assert.deepEqual(await query(pg.url, 'SELECT a.code, r.state, c.day FROM affiliates a, aff_referrals r, aff_clicks c'),
          [{ code: 'annann', state: 'attributed', day: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
