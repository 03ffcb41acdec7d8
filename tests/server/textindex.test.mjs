// The full-text index's schema upgrade (issue 20; store/textindex.h): from
// the version before, on both engines, text_docs and its index arrive and
// the old rows stay; a row written after the upgrade is found through the
// engine's own index (SQLite's FTS5 table kept by triggers, PostgreSQL's GIN
// index over the generated tsvector column), a replaced one by its new terms only. The version is found in
// the source, so a renumbering at merge needs no edit. The index's behaviour
// (the examples, ranking, prefixes, pages, limits) is web/tests/
// test_store.c, run on SQLite by ctest and on PostgreSQL by store-seam.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';

const TEXT_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE text_docs')) + 1;
const OLD_WORLD = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);`;
// What pa_store_textindex_put writes (the terms of "Camas ortopédicas para
// perros grandes" in es), then its replacement.
const PUT = (terms) => `INSERT INTO text_docs (kind, ref_id, locale, terms) VALUES ('listing', 7, 'es', '${terms}')
  ON CONFLICT (kind, ref_id) DO UPDATE SET locale = excluded.locale, terms = excluded.terms;`;
const FIRST = 'cam camas ortoped ortopedicas par para perr perros grand grandes';
const SECOND = 'gat gatos';

describe(`the full-text schema upgrade (version ${TEXT_VERSION})`, () => {
  test('SQLite: text_docs and its FTS5 index arrive, the old rows stay', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('textindex', TEXT_VERSION - 1);
    sql(OLD_WORLD);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT count(*) FROM users'), '1');
      const match = (q) => sql(`SELECT d.ref_id FROM text_fts JOIN text_docs d ON d.id = text_fts.rowid WHERE text_fts MATCH '${q}'`);
      sql(PUT(FIRST));
      assert.equal(match('"cam" AND "perr"*'), '7');
      sql(PUT(SECOND));
      assert.equal(match('"perr"'), '');
      assert.equal(match('"gat"'), '7');
      sql("DELETE FROM text_docs WHERE kind = 'listing' AND ref_id = 7");
      assert.equal(match('"gat"'), '');
      assert.equal(sql("INSERT INTO text_fts (text_fts) VALUES ('integrity-check'); PRAGMA integrity_check;"), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same from pa_pg_migrations, through the GIN index', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-textindex-pg-'));
    const pg = await createDatabase('pa_textindex_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, TEXT_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${TEXT_VERSION - 1};
        ${OLD_WORLD}`);
      const server = await startServer({ data: path.join(tmp, 'data'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM users'), [{ n: '1' }]);
        const match = (q) => query(pg.url, `SET enable_seqscan = off; SELECT ref_id FROM text_docs
          WHERE lexemes @@ CAST($q$${q}$q$ AS tsquery)`);
        await runSql(pg.url, PUT(FIRST));
        assert.deepEqual(await match("'cam' & 'perr':*"), [{ ref_id: '7' }]);
        // The planner reaches the rows through the index the migration made.
        const plan = await query(pg.url, `SET enable_seqscan = off; EXPLAIN SELECT ref_id FROM text_docs
          WHERE lexemes @@ CAST('cam' AS tsquery)`);
        assert.match(JSON.stringify(plan), /text_docs_terms/);
        await runSql(pg.url, PUT(SECOND));
        assert.deepEqual(await match("'perr'"), []);
        assert.deepEqual(await match("'gat'"), [{ ref_id: '7' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
