// Self-serve ads, the advertiser's account (issue 21; web/README.md,
// "Self-serve ads"; web/src/api/ads.c, ads_pay.c) against the payment
// simulator (web/paysim/): the account (one per person, its name at its
// edge, its currency fixed by money), every route closed to who must not use
// it (no session 401, no CSRF token 403, another person's top-up 404); a
// top-up's amount at its edges; a top-up paid through PayPal (captured by
// the return page's read) and through Mercado Pago (told by the webhook),
// each credited once with the provider's fee however often the return page
// is read and the webhook delivered; the balance from the ledger; account
// deletion refused while money is pending or unspent. Waits are for
// conditions (hang guards only), never for time. Then the schema upgrade
// from the version before on both engines. Runs on SQLite and on PostgreSQL
// (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { startPaysim, until } from '../lib/paysim.mjs';
import { Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer } from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const NAME_MAX = 80; // PA_ADS_NAME_MAX
// A top-up's edges (ads_rules.h: PA_ADS_TOPUP_MIN_UNITS 5, _MAX_UNITS 10000
// of a "unit", USD 100 and BRL 500 minor units).
const USD_MIN = 500;
const USD_MAX = 1000000;
const BRL_MIN = 2500;
const BRL_MAX = 5000000;

describe('the advertiser account and its top-ups', () => {
  let sim, server, anon;
  before(async () => {
    sim = await startPaysim();
    server = await startServer({ seed: false, env: sim.serverEnv() });
    await sim.config({
      paypal_webhook_url: `${server.url}api/v1/webhooks/paypal`,
      mp_webhook_url: `${server.url}api/v1/webhooks/mercadopago`,
    });
    anon = new Client(server);
  });
  after(async () => {
    try {
      await stopServer(server, { keepData: false });
    } finally {
      await sim.stop();
    }
  });

  async function person(tag) {
    const c = new Client(server);
    c.mail = email(tag);
    c.user = await c.signup(c.mail, PASSWORD, tag);
    return c;
  }
  const account = async (c) => {
    const r = await c.get('/api/v1/ads/account');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.advertiser;
  };
  const credits = (topup) => dbQuery(server, `SELECT count(*) FROM ad_ledger WHERE kind = 'topup' AND topup_id = ${topup.slice(4)}`);
  const delivered = async () => until('every delivery made', async () => (await sim.deliveries()).every((d) => d.delivered));

  test('every route: no session 401, no CSRF token 403, another person\'s top-up 404', async () => {
    const a = await person('auth-a');
    const b = await person('auth-b');
    assert.equal((await a.put('/api/v1/ads/account', { name: 'A', currency: 'USD' })).status, 200);
    const t = await a.post('/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'paypal' });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    for (const [method, url, json] of [['GET', '/api/v1/ads/account'], ['PUT', '/api/v1/ads/account', { name: 'X', currency: 'USD' }],
      ['GET', '/api/v1/ads/topups'], ['POST', '/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'paypal' }],
      ['GET', `/api/v1/ads/topups/${t.body.topup.id}`]]) {
      assertError(await anon.request(method, url, { json }), 401, 'unauthorized');
      if (method !== 'GET') assertError(await a.request(method, url, { json, csrf: false }), 403, 'csrf');
    }
    assertError(await b.get(`/api/v1/ads/topups/${t.body.topup.id}`), 404, 'not_found');
    assert.equal((await b.put('/api/v1/ads/account', { name: 'B', currency: 'USD' })).status, 200);
    assertError(await b.get(`/api/v1/ads/topups/${t.body.topup.id}`), 404, 'not_found');
    assert.deepEqual((await b.get('/api/v1/ads/topups')).body, { topups: [] });
    assertError(await b.get('/api/v1/ads/topups/top_999999'), 404, 'not_found');
    // Nothing the refusals tried changed a's account.
    const acc = await account(a);
    assert.deepEqual([acc.name, acc.currency, acc.balance_minor], ['A', 'USD', 0]);
    assert.deepEqual((await a.get('/api/v1/ads/topups')).body.topups.map((x) => x.id), [t.body.topup.id]);
  });

  test('the account: none, then one per person; its name at its edge; its currency fixed once money is on its way', async () => {
    const c = await person('account');
    assert.deepEqual((await c.get('/api/v1/ads/account')).body, { advertiser: null });
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'paypal' }), 404, 'no_advertiser');
    const r = await c.put('/api/v1/ads/account', { name: 'n'.repeat(NAME_MAX), currency: 'EUR' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.advertiser.name, 'n'.repeat(NAME_MAX));
    assert.match(r.body.advertiser.id, /^ad_[1-9]/);
    assertError(await c.put('/api/v1/ads/account', { name: 'n'.repeat(NAME_MAX + 1), currency: 'EUR' }), 422, 'bad_length');
    assertError(await c.put('/api/v1/ads/account', { name: '', currency: 'EUR' }), 422, 'bad_length');
    assertError(await c.put('/api/v1/ads/account', { name: 'Shop', currency: 'GBP' }), 400, 'bad_request');
    assertError(await c.put('/api/v1/ads/account', { name: 'Shop', currency: 'USD', extra: 1 }), 400, 'bad_request');
    // Renamed and moved to USD while it holds nothing: the same account.
    const again = await c.put('/api/v1/ads/account', { name: 'Pet Shop', currency: 'USD' });
    assert.equal(again.body.advertiser.id, r.body.advertiser.id);
    assert.deepEqual([again.body.advertiser.name, again.body.advertiser.currency], ['Pet Shop', 'USD']);
    // A top-up's amount at its edges (the refused ones start nothing).
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: USD_MIN - 1, provider: 'paypal' }), 422, 'out_of_range');
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: USD_MAX + 1, provider: 'paypal' }), 422, 'out_of_range');
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: 12.5, provider: 'paypal' }), 400, 'bad_request');
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'stripe' }), 400, 'bad_request');
    // Mercado Pago takes no USD.
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'mercadopago' }), 422, 'provider_unavailable');
    assert.deepEqual((await c.get('/api/v1/ads/topups')).body.topups, []);
    for (const amount of [USD_MIN, USD_MAX]) {
      const t = await c.post('/api/v1/ads/topups', { amount_minor: amount, provider: 'paypal' });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      assert.deepEqual([t.body.topup.state, t.body.topup.amount_minor, t.body.topup.currency], ['pending', amount, 'USD']);
      assert.match(t.body.topup.approve_url, /^https?:\/\//);
    }
    assert.deepEqual((await c.get('/api/v1/ads/topups')).body.topups.map((x) => x.amount_minor), [USD_MAX, USD_MIN], 'newest first');
    assertError(await c.put('/api/v1/ads/account', { name: 'Pet Shop', currency: 'EUR' }), 409, 'currency_locked');
    assert.equal((await c.put('/api/v1/ads/account', { name: 'Renamed', currency: 'USD' })).status, 200, 'the name may change');
    // Money pending keeps the account (its deletion is refused, nothing deleted).
    assertError(await c.del('/api/v1/me', { password: PASSWORD }), 409, 'ad_topup_pending');
    assert.equal((await account(c)).name, 'Renamed');
  });

  test('PayPal: approved, captured by the return page\'s read, credited once with its fee however often read and delivered', async () => {
    const c = await person('paypal');
    await c.put('/api/v1/ads/account', { name: 'Acme', currency: 'USD' });
    await sim.delivery('duplicate'); // every webhook twice
    const r = await c.post('/api/v1/ads/topups', { amount_minor: 5000, provider: 'paypal' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.topup.id;
    const order = new URL(r.body.topup.approve_url).searchParams.get('token');
    assert.ok(order, 'the approval page names the order');
    assert.equal((await c.get(`/api/v1/ads/topups/${id}`)).body.topup.state, 'pending', 'not approved yet');
    assert.equal((await account(c)).balance_minor, 0);
    const { redirect } = await sim.approve('paypal', order);
    assert.match(redirect, new RegExp(`/ads/topups/return\\?topup=${id}`));
    for (let i = 0; i < 3; i++) {
      const t = (await c.get(`/api/v1/ads/topups/${id}`)).body.topup;
      assert.equal(t.state, 'paid');
      assert.ok(t.fee_minor > 0, 'the provider\'s fee is kept');
    }
    await delivered();
    await sim.delivery('deliver');
    const capture = dbQuery(server, `SELECT capture_ref FROM ad_topups WHERE id = ${id.slice(4)}`);
    const charges = (await sim.record()).money.filter((m) => m.kind === 'charge' && m.txn_id === capture);
    assert.equal(charges.length, 1, 'captured once');
    assert.deepEqual([charges[0].gross_minor, charges[0].currency], [5000, 'USD']);
    assert.equal(credits(id), '1', 'credited once');
    const acc = await account(c);
    assert.deepEqual([acc.balance_minor, acc.spent_minor], [5000, 0]);
    assert.equal((await c.get('/api/v1/ads/topups')).body.topups[0].fee_minor, charges[0].fee_minor, 'the provider\'s fee, as it charged it');
    // An unspent balance keeps the account too.
    assertError(await c.del('/api/v1/me', { password: PASSWORD }), 409, 'ad_balance');
    assert.equal((await account(c)).balance_minor, 5000);
  });

  test('Mercado Pago: the webhook credits it; the return page read twice and the webhook again change nothing', async () => {
    const c = await person('mp');
    await c.put('/api/v1/ads/account', { name: 'Patas', currency: 'BRL' });
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: BRL_MIN - 1, provider: 'mercadopago' }), 422, 'out_of_range');
    assertError(await c.post('/api/v1/ads/topups', { amount_minor: BRL_MAX + 1, provider: 'mercadopago' }), 422, 'out_of_range');
    const r = await c.post('/api/v1/ads/topups', { amount_minor: BRL_MIN, provider: 'mercadopago' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.topup.id;
    const pref = new URL(r.body.topup.approve_url).searchParams.get('pref_id');
    assert.ok(pref);
    await sim.delivery('duplicate');
    const { redirect } = await sim.approve('mercadopago', pref);
    const payment = new URL(redirect).searchParams.get('payment_id');
    assert.ok(payment);
    await until('the webhook credits it', async () => credits(id) === '1');
    await delivered();
    await sim.delivery('deliver');
    for (let i = 0; i < 2; i++) {
      const t = (await c.get(`/api/v1/ads/topups/${id}?payment=${payment}`)).body.topup;
      assert.equal(t.state, 'paid');
      assert.ok(t.fee_minor > 0);
    }
    assert.equal((await c.get(`/api/v1/ads/topups/${id}`)).body.topup.state, 'paid');
    assert.equal(credits(id), '1', 'credited once');
    assert.equal((await account(c)).balance_minor, BRL_MIN);
    const charges = (await sim.record()).money.filter((m) => m.kind === 'charge' && String(m.txn_id) === payment);
    assert.equal(charges.length, 1);
    assert.equal((await c.get(`/api/v1/ads/topups/${id}`)).body.topup.fee_minor, charges[0].fee_minor, 'the provider\'s fee');
    assertError(await c.get(`/api/v1/ads/topups/${id}?payment=12ab`), 400, 'bad_request');
    // Someone else's payment named on another top-up credits nothing there.
    const other = await person('mp-other');
    await other.put('/api/v1/ads/account', { name: 'Other', currency: 'BRL' });
    const o = await other.post('/api/v1/ads/topups', { amount_minor: BRL_MIN, provider: 'mercadopago' });
    assert.equal((await other.get(`/api/v1/ads/topups/${o.body.topup.id}?payment=${payment}`)).body.topup.state, 'pending');
    assert.equal((await account(other)).balance_minor, 0);
    // Every delivery came twice and the return page was read three times: one ledger row.
    assert.equal(dbQuery(server, `SELECT count(*) FROM ad_ledger WHERE advertiser_id = ${(await account(c)).id.slice(3)}`), '1');
  });

  test('a top-up refunded or charged back at the provider: one refund row (once per top-up, however often told), the balance below zero shown as owed', async () => {
    const refunds = (topup) => dbQuery(server, `SELECT count(*) || ' ' || COALESCE(SUM(amount_milli), 0) FROM ad_ledger WHERE kind = 'refund' AND refund_of = ${topup.slice(4)}`);
    // PayPal: paid (captured by the return page's read), then partly spent (as the serving side writes spend).
    const p = await person('refund-pp');
    await p.put('/api/v1/ads/account', { name: 'Refunded PP', currency: 'USD' });
    const tp = (await p.post('/api/v1/ads/topups', { amount_minor: 5000, provider: 'paypal' })).body.topup;
    await sim.approve('paypal', new URL(tp.approve_url).searchParams.get('token'));
    assert.equal((await p.get(`/api/v1/ads/topups/${tp.id}`)).body.topup.state, 'paid');
    await delivered();
    const pAdv = (await account(p)).id.slice(3);
    dbQuery(server, `INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, serve_id, campaign_id, at)
      VALUES (${pAdv}, 'spend', -4000500, 'USD', -${pAdv}, 1, 1)`);
    // The refund's webhook names only the capture; every delivery twice.
    await sim.delivery('duplicate');
    const capture = dbQuery(server, `SELECT capture_ref FROM ad_topups WHERE id = ${tp.id.slice(4)}`);
    await sim.refund('paypal', capture, 2000);
    await until('the refund booked', async () => refunds(tp.id) === '1 -2000000');
    await delivered();
    await sim.delivery('deliver');
    // 5000 − 4000.5 − 2000 = −1000.5: nothing left to spend, 1000 owed (rounded toward zero).
    let acc = await account(p);
    assert.deepEqual([acc.balance_minor, acc.owed_minor, acc.spent_minor], [0, 1000, 4000]);
    // The rest charged back later: the ledger keeps one refund per top-up (schema 31), so it is logged, not booked.
    await sim.chargeback('paypal', capture);
    await delivered();
    assert.equal(refunds(tp.id), '1 -2000000');
    assert.equal((await account(p)).owed_minor, 1000);
    // Mercado Pago: credited by its webhook, refunded in full: the refund's reference names the top-up.
    const m = await person('refund-mp');
    await m.put('/api/v1/ads/account', { name: 'Refunded MP', currency: 'BRL' });
    const tm = (await m.post('/api/v1/ads/topups', { amount_minor: BRL_MIN, provider: 'mercadopago' })).body.topup;
    const { redirect } = await sim.approve('mercadopago', new URL(tm.approve_url).searchParams.get('pref_id'));
    const payment = new URL(redirect).searchParams.get('payment_id');
    await until('the webhook credits it', async () => credits(tm.id) === '1');
    await delivered();
    await sim.delivery('duplicate');
    await sim.refund('mercadopago', payment);
    await until('the refund booked', async () => refunds(tm.id) === `1 -${BRL_MIN * 1000}`);
    await delivered();
    await sim.delivery('deliver');
    acc = await account(m);
    assert.deepEqual([acc.balance_minor, acc.owed_minor, acc.spent_minor], [0, 0, 0]);
    // Another webhook for the payment (it is read back with its refunds) books nothing more.
    await sim.chargeback('mercadopago', payment).catch(() => {}); // refunded in full: the simulator may refuse it
    await delivered();
    assert.equal(refunds(tm.id), `1 -${BRL_MIN * 1000}`);
    assert.equal(credits(tm.id), '1');
  });

  test('a top-up whose return and webhook were both lost is found by the worker\'s re-read (PayPal captured, Mercado Pago searched)', async () => {
    const p = await person('lost-pp');
    const m = await person('lost-mp');
    await p.put('/api/v1/ads/account', { name: 'Lost PP', currency: 'USD' });
    await m.put('/api/v1/ads/account', { name: 'Lost MP', currency: 'MXN' });
    const tp = (await p.post('/api/v1/ads/topups', { amount_minor: USD_MIN, provider: 'paypal' })).body.topup;
    const tm = (await m.post('/api/v1/ads/topups', { amount_minor: 10000, provider: 'mercadopago' })).body.topup;
    await sim.delivery('drop');
    await sim.approve('paypal', new URL(tp.approve_url).searchParams.get('token'));
    await sim.approve('mercadopago', new URL(tm.approve_url).searchParams.get('pref_id'));
    await sim.delivery('deliver');
    assert.equal(credits(tp.id), '0');
    assert.equal(credits(tm.id), '0', 'nothing has told the server yet');
    // Nobody comes back; PA_ADS_PAY_RECHECK_SECONDS (15 minutes) later the worker reads them again.
    const offset = 16 * 60;
    await stopServer(server);
    await sim.clock(offset);
    server = await startServer({ data: server.dir, seed: false, env: { ...sim.serverEnv(), PA_TEST_CLOCK_OFFSET: String(offset) } });
    await sim.config({ paypal_webhook_url: `${server.url}api/v1/webhooks/paypal`, mp_webhook_url: `${server.url}api/v1/webhooks/mercadopago` });
    await until('both credited by the re-read', async () => credits(tp.id) === '1' && credits(tm.id) === '1');
    for (const c of [p, m]) {
      c.server = server;
      await c.login(c.mail, PASSWORD);
    }
    assert.equal((await account(p)).balance_minor, USD_MIN);
    assert.equal((await account(m)).balance_minor, 10000);
    assert.equal((await p.get(`/api/v1/ads/topups/${tp.id}`)).body.topup.state, 'paid');
    assert.equal(credits(tp.id), '1', 'the later read credits nothing more');
  });
});

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
