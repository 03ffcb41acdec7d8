// The store's statement seam at its limits on PostgreSQL: the C test
// web/tests/test_store.c (ctest runs it on a SQLite file, before scripts/test
// starts the cluster) run here on an empty database of the test cluster, so
// PA_SQ_PARAMS_MAX (16 accepted, 17 refused) and PA_SQ_PARAMS_DYNAMIC_MAX
// (4096, 4097) are shown on both engines with the same words. Runs the same
// in both passes: the database is the cluster's whichever pass this is. The
// full-text index's checks (issue 20: the examples, ranking,
// prefixes, pages, delete, query syntax in text, limits) run there too, and
// the leases' edges (store/lease.h, schema 46). And the server takes
// PA_DATABASE_URL only as pa_store_is_pg_url does (the C test has that
// function's edges).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, assertNoSanitizerReports } from './helpers.mjs';
import { createDatabase, dropDatabase } from '../lib/pg.mjs';

const STORE_TEST_BIN = process.env.PA_STORE_TEST_BIN ?? path.join(path.dirname(BIN), 'test_store');

function run(args) {
  return new Promise((resolve) => {
    execFile(STORE_TEST_BIN, args, { timeout: 120_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? e.code : 0, stdout, stderr }));
  });
}

test('the seam\'s parameter limits hold on PostgreSQL as on SQLite (web/tests/test_store.c)', async () => {
  const db = await createDatabase('pa_seam');
  try {
    const r = await run([db.url]);
    assertNoSanitizerReports(r.stderr);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^store on postgresql$/m);
    // and the full-text index (store/textindex.h) on the same schema as SQLite's.
    for (const name of ['params_cached', 'params_dynamic', 'text_examples', 'text_rank_prefix', 'text_pages',
      'text_syntax', 'text_limits', 'lease_edges']) assert.match(r.stdout, new RegExp(`^ok +${name}$`, 'm'));
    assert.match(r.stdout, /store: \d+ checks, 0 failed/);
  } finally {
    await dropDatabase(db.name);
  }
});

test('the server refuses a PA_DATABASE_URL that is not a postgresql:// URI, before it creates anything', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-seam-'));
  try {
    for (const url of ['POSTGRESQL://127.0.0.1/pa', 'postgresql:/x']) {
      const r = spawnSync(BIN, ['--root', tmp, '--data', path.join(tmp, 'data'), '--port', '0'], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, PA_DATABASE_URL: url },
      });
      assertNoSanitizerReports(r.stderr);
      assert.equal(r.status, 1, `${url}: ${r.stderr}`);
      assert.match(r.stderr, /^petamigos-server: PA_DATABASE_URL must be a postgresql:\/\/ URI$/m, url);
    }
    assert.deepEqual(await readdir(tmp), [], 'no data folder was made');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
