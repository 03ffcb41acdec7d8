// Self-serve ads, the advertiser's account (issue 21; web/README.md,
// "Self-serve ads"): the schema upgrade from the version before on both
// engines. Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';

const VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE ad_ledger')) + 1;

// What a database at the version before holds: two people, the seed's
// advertiser and campaign with a post naming it, and a report of every kind.
const KINDS = ['post', 'comment', 'person', 'message', 'reel', 'story', 'listing', 'review', 'dispute'];
const BEFORE = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bob', 'Bob', 'bob@example.test', 1);
  INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Rex', 'dog', 1);
  INSERT INTO advertisers (id, name) VALUES (1, 'Acme');
  INSERT INTO campaigns (id, advertiser_id, name) VALUES (1, 1, 'Spring');
  INSERT INTO posts (id, author_id, pet_id, caption, created_at, campaign_id) VALUES (1, 1, 1, 'Hi', 1, 1);
  ${KINDS.map((k, i) => `INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, message, created_at) VALUES (1, '${k}', ${i + 1}, 2, 'spam', ${k === 'message' ? "'hi'" : 'NULL'}, 1);`).join('\n')}`;
// What only the new version takes: an account of Ann's, a campaign's new
// fields, a creative under review as Ann's own 'ad' report, a top-up credited.
const AFTER = `UPDATE advertisers SET user_id = 1, currency = 'EUR', created_at = 5 WHERE id = 1;
  UPDATE campaigns SET objective = 'traffic', state = 'paused', bid_cpm_minor = 300, starts_at = 5, ends_at = 6 WHERE id = 1;
  INSERT INTO ad_targets (campaign_id, kind, value) VALUES (1, 'language', 'es');
  INSERT INTO ad_creatives (campaign_id, post_id, link, created_at) VALUES (1, 1, 'https://acme.example/', 5);
  INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (1, 'ad', 1, 1, 'other', 5);
  INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency, created_at, updated_at) VALUES (1, 'paypal', 'k-0123456789abcdef', 100, 'EUR', 5, 5);
  INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id, at) VALUES (1, 'topup', 100000, 'EUR', 1, 6);`;
const REFUSED = "INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (2, 'post', 1, 2, 'spam', 7);";

describe(`the ads schema upgrade (version ${VERSION})`, () => {
  test(`a SQLite database at version ${VERSION - 1} keeps its seed campaigns and reports and takes the ad tables`, async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('ads', VERSION - 1);
    sql(BEFORE);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT group_concat(kind) FROM (SELECT kind FROM reports ORDER BY id)'), KINDS.join(','));
      assert.equal(sql('SELECT id, name, user_id IS NULL, currency, created_at FROM advertisers'), '1 Acme 1 USD 0');
      assert.equal(sql('SELECT name, objective, state, bid_cpm_minor, ends_at IS NULL FROM campaigns'), 'Spring awareness draft 0 1');
      assert.equal(sql('SELECT campaign_id FROM posts'), '1');
      sql(AFTER);
      assert.equal(sql('SELECT sum(amount_milli) FROM ad_ledger'), '100000');
      assert.throws(() => sql(REFUSED));
      assert.throws(() => sql('UPDATE ad_ledger SET amount_milli = 1;'));
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE name IN ('reports_open', 'reports_queue', 'reports_subject', 'advertisers_user', 'ad_serves_campaign', 'ad_serves_viewer')"), '6');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test(`a PostgreSQL database at version ${VERSION - 1} gets the ad tables and the ad kind, its rows kept`, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-ads-pg-'));
    const pg = await createDatabase('pa_ads_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${VERSION - 1};
        ${BEFORE}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual((await query(pg.url, 'SELECT kind FROM reports ORDER BY id')).map((r) => r.kind), KINDS);
        assert.deepEqual(await query(pg.url, 'SELECT name, currency, created_at FROM advertisers'), [{ name: 'Acme', currency: 'USD', created_at: '0' }]);
        assert.deepEqual(await query(pg.url, 'SELECT objective, state FROM campaigns'), [{ objective: 'awareness', state: 'draft' }]);
      } finally {
        await stopServer(server);
      }
      await runSql(pg.url, AFTER);
      assert.deepEqual(await query(pg.url, 'SELECT sum(amount_milli) AS s FROM ad_ledger'), [{ s: '100000' }]);
      await assert.rejects(runSql(pg.url, REFUSED));
      await assert.rejects(runSql(pg.url, 'UPDATE ad_ledger SET amount_milli = 1;'));
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
