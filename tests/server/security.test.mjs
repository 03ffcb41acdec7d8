// Security events and the team's views (issue 19, items 5 and 6): failed
// sign-ins, limiter hits, refused uploads and sign-ins are recorded with the
// client's address and its country (a test map of loopback addresses,
// PA_GEOIP_TEST_MAP; Debian's GeoIP database by default), counted by hour
// and country in GET /admin/security with the suspicious patterns flagged
// at their thresholds; X-Forwarded-For is believed from a loopback proxy
// only (its last entry); nothing secret reaches the table; old events are
// pruned at the retention (clock offset); GET /admin/health summarises the
// server's metrics and /metrics has the billing queue's depth. Every new
// route: no session 401, an ordinary person and the other roles 403.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, databaseEnv, databaseHolds, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer,
  stopServer,
} from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'correct horse battery';
// A wrong password no other test types: the database must never hold it.
const GUESS = `Wr0ng-guess-${process.pid}-sesame`;
const SPRAY_ACCOUNTS = 3; // PA_API_SECURITY_SPRAY_ACCOUNTS (web/src/api/api.h)
const TARGET_ADDRESSES = 3; // PA_API_SECURITY_TARGET_ADDRESSES
const HOURS_MAX = 168; // PA_API_SECURITY_HOURS_MAX
const TOP = 20; // PA_API_SECURITY_TOP
const RETENTION_DAYS = 30; // PA_SECEV_RETENTION_DAYS (web/src/secev.h)
const MAP_MAX = 64; // PA_GEO_MAP_MAX (web/src/geo.h)
const LOGIN_ADDR_BURST = 10; // PA_LIMIT_LOGIN_ADDR_BURST (web/src/limit.h)
const OPS_TOKEN = 'ops-token-for-the-security-test-0123456789';

// The mapped addresses (each test its own country, so counts stay apart).
const A = {
  sprayer: ['127.66.0.1', 'BR'],
  second: ['127.66.0.2', 'DE'],
  third: ['127.66.0.3', 'JP'],
  limited: ['127.66.0.5', 'FR'],
  uploader: ['127.66.0.6', 'IT'],
  forwarded: ['127.66.1.1', 'AR'],
};

/** The test map: the addresses above and filler up to exactly PA_GEO_MAP_MAX entries (the edge). */
function mapText() {
  const entries = [...Object.values(A).map(([a, c]) => `${a} ${c}`), '::1 CH'];
  for (let i = 1; entries.length < MAP_MAX; i++) entries.push(`127.66.2.${i}\tZZ`);
  return ['# loopback addresses only: a test-only file', ...entries, ''].join('\n');
}

async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

async function person(server, tag, role) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, `${tag} person`);
  if (role) await cli(server, 'grant', mail, role);
  return { c, mail, id: user.id, user };
}

/** A failed sign-in of mail from client c (401). */
async function fail(c, mail) {
  const r = await c.post('/api/v1/auth/login', { email: mail, password: GUESS });
  assertError(r, 401, 'unauthorized');
}

const sum = (rows, pick) => rows.filter(pick).reduce((n, r) => n + r.count, 0);

describe('security events and the team views', () => {
  let tmp, mapFile, server, admin, plain, staff, victims;
  const view = async (q = '') => {
    const r = await admin.c.get(`/api/v1/admin/security${q}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-security-'));
    mapFile = path.join(tmp, 'geo-map.txt');
    await writeFile(mapFile, mapText());
    server = await startServer({ seed: false, env: { PA_GEOIP_TEST_MAP: mapFile, PA_METRICS_TOKEN: OPS_TOKEN } });
    admin = await person(server, 'secadmin', 'admin');
    plain = await person(server, 'secplain');
    staff = [await person(server, 'secmod', 'moderator'), await person(server, 'secsupport', 'support'),
      await person(server, 'secfinance', 'finance')];
    victims = [];
    for (let i = 0; i < 4; i++) victims.push(await person(server, `victim${i}`));
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(tmp, { recursive: true, force: true });
  });

  test('each new route: no session 401, an ordinary person 403, moderator/support/finance 403, admin 200', async () => {
    const anon = new Client(server);
    for (const url of ['/api/v1/admin/security', '/api/v1/admin/health']) {
      assertError(await anon.get(url), 401, 'unauthorized');
      assertError(await plain.c.get(url), 403, 'forbidden');
      for (const s of staff) assertError(await s.c.get(url), 403, 'forbidden');
      assert.equal((await admin.c.get(url)).status, 200);
    }
  });

  test('a burst of failed sign-ins from mapped addresses shows by hour and country; the patterns are flagged at their thresholds', async () => {
    const [v0, v1, v2, v3] = victims;
    const sprayer = new Client(server, { address: A.sprayer[0] });
    const second = new Client(server, { address: A.second[0] });
    const third = new Client(server, { address: A.third[0] });
    // One address, SPRAY_ACCOUNTS - 1 accounts: not yet suspicious.
    for (const v of [v0, v1]) await fail(sprayer, v.mail);
    // v0 fails from TARGET_ADDRESSES - 1 addresses so far.
    let b = await view();
    assert.ok(!b.suspicious.some((s) => s.address === A.sprayer[0]), 'two accounts is under the threshold');
    assert.ok(!b.suspicious.some((s) => s.person?.id === v0.id), 'one address is under the threshold');
    await fail(second, v0.mail);
    b = await view();
    assert.ok(!b.suspicious.some((s) => s.person?.id === v0.id), 'two addresses is under the threshold');
    // The threshold: a third account, a third address.
    await fail(sprayer, v2.mail);
    b = await view();
    assert.equal(b.suspicious.find((s) => s.address === A.sprayer[0])?.accounts, SPRAY_ACCOUNTS, 'flagged at exactly the threshold');
    await fail(sprayer, v3.mail);
    await fail(sprayer, v3.mail); // the same account again: still four accounts
    await fail(third, v0.mail);
    await fail(sprayer, `nobody.${process.pid}@example.test`); // no account: counted, names none
    // A sign-in that works, from a mapped address.
    const ok = new Client(server, { address: A.second[0] });
    await ok.login(v1.mail, PASSWORD);
    // And one from a phone the account never used: a new device, counted apart too.
    const phone = new Client(server, { address: A.second[0] });
    const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
    assert.equal((await phone.post('/api/v1/auth/login', { email: v1.mail, password: PASSWORD }, { headers: { 'user-agent': android } })).status, 200);

    b = await view();
    assert.equal(b.country_source, 'test_map');
    assert.deepEqual(b.thresholds, { accounts_per_address: SPRAY_ACCOUNTS, addresses_per_account: TARGET_ADDRESSES, retention_days: RETENTION_DAYS });
    const failedIn = (cc) => sum(b.by_country, (r) => r.kind === 'login_failed' && r.country === cc);
    assert.equal(failedIn('BR'), 6, 'six failures from the sprayer (Brazil)');
    assert.equal(failedIn('DE'), 1);
    assert.equal(failedIn('JP'), 1);
    assert.equal(sum(b.by_country, (r) => r.kind === 'signin' && r.country === 'DE'), 2, 'the sign-ins that worked');
    assert.equal(sum(b.by_country, (r) => r.kind === 'new_device' && r.country === 'DE'), 1, 'one of them from a new device');
    assert.equal(sum(b.by_hour, (r) => r.kind === 'new_device'), 1, 'the sign-ups are no new devices');
    const de = b.top_addresses.find((a) => a.address === A.second[0]);
    assert.deepEqual([de.signin, de.new_device], [2, 1], 'the address\'s row counts its new device too');
    // By hour: every failure is in an hour of the view (the test may straddle an hour's end).
    assert.equal(sum(b.by_hour, (r) => r.kind === 'login_failed'), 8);
    const hourNow = Math.floor(b.now / 3600) * 3600;
    assert.ok(b.by_hour.every((r) => r.hour % 3600 === 0 && r.hour >= b.since && r.hour <= hourNow));
    assert.equal(b.since, hourNow - 23 * 3600, 'the default is the last 24 whole hours');
    // Unmapped addresses (the sign-ups') have no country.
    assert.ok(sum(b.by_country, (r) => r.kind === 'signin' && r.country === '') >= 8);

    const spray = b.suspicious.find((s) => s.pattern === 'one_address_many_accounts');
    assert.deepEqual(
      { address: spray.address, country: spray.country, accounts: spray.accounts, login_failed: spray.login_failed },
      { address: A.sprayer[0], country: 'BR', accounts: 4, login_failed: 6 },
    );
    assert.equal(b.suspicious.filter((s) => s.pattern === 'one_address_many_accounts').length, 1, 'only the sprayer');
    const target = b.suspicious.find((s) => s.pattern === 'one_account_many_addresses');
    assert.equal(target.person.id, v0.id);
    assert.equal(target.person.handle, v0.user.handle);
    assert.equal(target.addresses, 3);
    assert.equal(target.login_failed, 3);
    assert.equal(b.suspicious.filter((s) => s.pattern === 'one_account_many_addresses').length, 1, 'v3 failed from one address only');
    assert.equal(b.top_addresses[0].address, A.sprayer[0], 'the busiest address first');
    assert.equal(b.top_addresses[0].login_failed, 6);
  });

  test('?hours= from 1 to PA_API_SECURITY_HOURS_MAX; anything else is refused', async () => {
    const one = await view('?hours=1');
    assert.equal(one.hours, 1);
    assert.equal(one.since, Math.floor(one.now / 3600) * 3600);
    assert.equal((await view(`?hours=${HOURS_MAX}`)).hours, HOURS_MAX);
    for (const bad of ['0', String(HOURS_MAX + 1), '-1', '+5', 'abc', '1.5', '']) {
      assertError(await admin.c.get(`/api/v1/admin/security?hours=${bad}`), 400, 'bad_request');
    }
  });

  test('limiter hits are counted by purpose (sampled) and refused uploads by reason', async () => {
    const c = new Client(server, { address: A.limited[0] });
    for (let i = 0; i < LOGIN_ADDR_BURST; i++) await fail(c, `nobody.${i}.${process.pid}@example.test`);
    for (let i = 0; i < 3; i++) {
      assertError(await c.post('/api/v1/auth/login', { email: 'x@example.test', password: GUESS }), 429, 'rate_limited');
    }
    const u = new Client(server, { address: A.uploader[0] });
    await u.signup(email('uploader'), PASSWORD, 'Uma Uploader');
    const refuse = async (type, body, status, code) =>
      assertError(await u.request('POST', '/api/v1/media', { body, headers: { 'content-type': type } }), status, code);
    await refuse('text/plain', Buffer.from('hello'), 415, 'unsupported_media_type');
    await refuse('image/png', Buffer.from('not a png at all'), 415, 'unsupported_media_type');
    await refuse('image/png', Buffer.alloc(0), 400, 'bad_request');

    const b = await view();
    const fr = b.by_country.filter((r) => r.country === 'FR');
    assert.equal(sum(fr, (r) => r.kind === 'login_failed'), LOGIN_ADDR_BURST);
    // The first hit is written at once; the ones within the minute after ride on the next row.
    const limited = sum(fr, (r) => r.kind === 'limited');
    assert.ok(limited >= 1 && limited <= 3, `${limited} limiter hits shown`);
    assert.equal(dbQuery(server, "SELECT detail FROM security_events WHERE kind = 'limited' AND addr = '127.66.0.5'").split('\n')[0], 'login_addr');
    const it = b.by_country.filter((r) => r.country === 'IT');
    assert.equal(sum(it, (r) => r.kind === 'upload_refused'), 3);
    assert.equal(sum(it, (r) => r.kind === 'signin'), 1, 'the sign-up is a new session');
    assert.equal(
      dbQuery(server, "SELECT detail FROM security_events WHERE kind = 'upload_refused' ORDER BY id"),
      'unsupported_media_type\nunsupported_media_type\nbad_request',
    );
    const row = b.top_addresses.find((a) => a.address === A.uploader[0]);
    assert.deepEqual([row.country, row.upload_refused, row.signin], ['IT', 3, 1]);
  });

  test('X-Forwarded-For is believed from a loopback proxy, its last entry only, when it is an address', async () => {
    const proxy = new Client(server); // a loopback peer, as a proxy on this machine
    const r = await proxy.post('/api/v1/auth/login', { email: victims[3].mail, password: GUESS },
      { headers: { 'x-forwarded-for': `203.0.113.9, ${A.forwarded[0]}` } });
    assertError(r, 401, 'unauthorized');
    const forged = await proxy.post('/api/v1/auth/login', { email: victims[3].mail, password: GUESS },
      { headers: { 'x-forwarded-for': `${A.forwarded[0]}, not-an-address` } });
    assertError(forged, 401, 'unauthorized');
    const rows = dbQuery(server, `SELECT addr, country FROM security_events WHERE kind = 'login_failed' AND user_id = ${victims[3].id.slice(2)} ORDER BY id`).split('\n');
    assert.deepEqual(rows.slice(-2), [`${A.forwarded[0]}|AR`, `${proxy.address}|`]);
  });

  test('the busiest addresses stop at PA_API_SECURITY_TOP', async () => {
    const distinct = () => Number(dbQuery(server, 'SELECT count(DISTINCT addr) FROM security_events'));
    while (distinct() < TOP) await fail(new Client(server), victims[2].mail);
    assert.equal((await view()).top_addresses.length, TOP, 'exactly as many as there are');
    await fail(new Client(server), victims[2].mail);
    assert.equal(distinct(), TOP + 1);
    assert.equal((await view()).top_addresses.length, TOP, 'one more is left out');
  });

  test('nothing secret reaches the events: no password, no token, no e-mail', async () => {
    assert.ok(Number(dbQuery(server, "SELECT count(*) FROM security_events WHERE kind = 'login_failed'")) >= 8, 'the burst is there to look through');
    assert.equal(databaseHolds(server, Buffer.from(GUESS)), false, 'the wrong password is nowhere in the database');
    assert.equal(databaseHolds(server, Buffer.from(admin.c.cookie)), false, 'nor a session token');
    const text = dbQuery(server, 'SELECT kind, detail, addr, country FROM security_events');
    assert.doesNotMatch(text, /@|nobody|sesame/);
  });

  test('the health view summarises the metrics; /metrics has the billing queue depth', async () => {
    const h = await admin.c.get('/api/v1/admin/health');
    assert.equal(h.status, 200);
    const login = h.body.routes.find((r) => r.method === 'POST' && r.route === '/api/v1/auth/login');
    assert.ok(login.requests >= 20, `${login.requests} sign-in requests`);
    assert.ok(login.client_errors >= 20, 'the failed sign-ins are 4xx');
    assert.equal(login.server_errors, 0);
    assert.equal(login.error_rate, 0);
    assert.ok(login.p50_ms > 0 && login.p50_ms <= login.p90_ms && login.p90_ms <= login.p99_ms);
    assert.ok(login.per_minute > 0);
    assert.equal(h.body.queues.billing, 0, 'no webhook waits');
    assert.ok(h.body.database.steps > 0 && h.body.database.seconds > 0);
    assert.ok(h.body.connections >= 1, 'this request is on an open connection');
    const m = await new Client(server).get('/metrics', { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    assert.equal(m.status, 200);
    assert.match(m.buf.toString(), /^# TYPE pa_billing_queue_depth gauge\npa_billing_queue_depth 0$/m);
  });

  test('events are pruned after the retention (clock offset), not before', async () => {
    const count = () => Number(dbQuery(server, 'SELECT count(*) FROM security_events'));
    const kept = count();
    const tmpOfFirst = server.tmp; // removed (and its database dropped) by the last stop
    await stopServer(server);
    const now = Math.floor(Date.now() / 1000);
    // A sentinel older than the retention as the restarted clock sees it: once it is gone, a round ran.
    const offset = RETENTION_DAYS * 86400 - 7200;
    const sentinel = `INSERT INTO security_events (at, kind, addr) VALUES (${now - 3 * 3600}, 'signin', '127.99.99.99')`;
    dbQuery(server, sentinel);
    server = await startServer({ data: server.dir, seed: false, env: { PA_GEOIP_TEST_MAP: mapFile, PA_TEST_CLOCK_OFFSET: String(offset) } });
    server.tmp = tmpOfFirst;
    while (Number(dbQuery(server, "SELECT count(*) FROM security_events WHERE addr = '127.99.99.99'")) !== 0) {
      await new Promise((r) => setTimeout(r, 100)); // hang guard: the test's own timeout
    }
    assert.equal(count(), kept, 'events two hours inside the retention stay');
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env: { PA_GEOIP_TEST_MAP: mapFile, PA_TEST_CLOCK_OFFSET: String(RETENTION_DAYS * 86400 + 7200) } });
    server.tmp = tmpOfFirst;
    while (count() !== 0) await new Promise((r) => setTimeout(r, 100));
    assert.equal(count(), 0, 'all of them two hours past it');
  });
});

describe('the country source', () => {
  test('Debian\'s GeoIP databases by default: a forwarded public address has its country (IPv4 and IPv6)', async () => {
    const server = await startServer({ seed: false });
    try {
      const c = new Client(server);
      for (const addr of ['8.8.8.8', '2001:4860:4860::8888']) {
        const r = await c.post('/api/v1/auth/login', { email: 'x@example.test', password: GUESS }, { headers: { 'x-forwarded-for': addr } });
        assertError(r, 401, 'unauthorized');
      }
      assert.equal(dbQuery(server, 'SELECT addr, country FROM security_events ORDER BY id'),
        '8.8.8.8|US\n2001:4860:4860::8888|US');
    } finally {
      await stopServer(server, { keepData: false });
    }
  });

  test('a test map is refused unless it maps loopback addresses only, once each, at most PA_GEO_MAP_MAX', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-geomap-'));
    try {
      const tooMany = Array.from({ length: MAP_MAX + 1 }, (_, i) => `127.66.3.${i + 1} ZZ`).join('\n');
      for (const [text, why] of [
        ['8.8.8.8 US\n', /line 1: only loopback addresses/],
        ['127.0.0.2 BR\n127.0.0.2 DE\n', /line 2: the address is mapped twice/],
        ['127.0.0.2 br\n', /two uppercase letters/],
        ['127.0.0.2\n', /expected an address and a country code/],
        ['localhost BR\n', /not an address/],
        [tooMany, /line 65: too many entries/],
      ]) {
        const file = path.join(tmp, 'map.txt');
        await writeFile(file, text);
        const r = spawnSync(BIN, ['--root', path.join(here, '../corpus'), '--data', path.join(tmp, 'data'), '--port', '0'], {
          env: { ...process.env, PA_GEOIP_TEST_MAP: file, PA_DATABASE_URL: '' }, encoding: 'utf8', timeout: 60_000,
        });
        assert.notEqual(r.status, 0, `${JSON.stringify(text.slice(0, 40))} is refused`);
        assert.match(r.stderr, why);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

const SECURITY_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE security_events')) + 1;

describe(`the security events schema upgrade (version ${SECURITY_VERSION})`, () => {
  test('one migration makes the events table', async () => {
    assert.ok(SECURITY_VERSION > 0);
  });

  test('a SQLite database one version older is upgraded in place and records events', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('security', SECURITY_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assertError(await new Client(server).post('/api/v1/auth/login', { email: 'ann@example.test', password: GUESS }), 401, 'unauthorized');
      assert.equal(sql("SELECT kind, user_id FROM security_events"), 'login_failed 1');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the table from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-security-pg-'));
    const pg = await createDatabase('pa_security_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      // The version before, exactly as a server of that version made it.
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, SECURITY_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${SECURITY_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assertError(await new Client(server).post('/api/v1/auth/login', { email: 'x@example.test', password: GUESS }), 401, 'unauthorized');
        assert.deepEqual(await query(pg.url, 'SELECT kind, user_id FROM security_events'), [{ kind: 'login_failed', user_id: null }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
