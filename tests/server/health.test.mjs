// The pet-health dashboard (issue 19, item 2): an owner's records of a pet in
// six kinds, each route closed to everyone else (no session 401, another
// person 403, an unknown pet 404), every body read strictly with each limit
// tried at its edge, the reminder of a vaccination and of a medication's dose
// written once when the server's clock passes it (a restart with
// PA_TEST_CLOCK_OFFSET), and a vet's share link that shows the record without
// a session until it expires or is revoked, its token kept only as a hash.
// Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, databaseHolds, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

// The limits of web/src/health.h, each tried at its edge below.
const TITLE_MAX = 120;
const DETAIL_MAX = 120;
const NOTES_MAX = 1000;
const GRAMS_MAX = 200000;
const MINUTES_MAX = 1440;
const METRES_MAX = 200000;
const EVERY_MAX = 365;
const ENTRIES_MAX = 1000;
const SHARE_DAYS_MAX = 30;
const SHARES_MAX = 20;
const DAY = 86400;

/** YYYY-MM-DD of the server's clock plus days (the server runs without an offset here). */
const isoDay = (days = 0, offset = 0) => new Date((Math.floor(Date.now() / 1000) + offset + days * DAY) * 1000).toISOString().slice(0, 10);

async function owner(server, tag) {
  const c = new Client(server);
  const user = await c.signup(email(tag), 'correct horse battery', `Owner ${tag}`);
  const pet = await c.post('/api/v1/pets', { name: `Rex ${tag}`, species: 'dog' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));
  return { c, user, pet: pet.body.id };
}

/** One valid body of each kind. */
const bodies = () => ({
  vaccinations: { name: 'Rabies', given: '2026-01-10', due: '2027-01-10', notes: 'left shoulder' },
  visits: { date: '2026-03-02', clinic: 'Happy Paws', reason: 'Checkup', notes: 'All good.\nNext in a year.' },
  medications: { name: 'Apoquel', dose: '5.4 mg', every: 12, unit: 'hours', start: '2026-12-01', end: '2026-12-20' },
  weights: { date: '2026-12-01', grams: 12500 },
  allergies: { name: 'Chicken', severity: 'moderate' },
  activities: { date: '2026-12-01', minutes: 45, metres: 3200 },
});

const healthDue = (list) => list.filter((n) => n.kind === 'health_due');

describe('the pet-health dashboard', () => {
  let server, ann, bob;
  before(async () => {
    server = await startServer();
    ann = await owner(server, 'ann');
    bob = await owner(server, 'bob');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('each kind: add, list, edit, delete, with the kind\'s own members back', async () => {
    const base = `/api/v1/pets/${ann.pet}/health`;
    for (const [kind, body] of Object.entries(bodies())) {
      const made = await ann.c.post(`${base}/${kind}`, body);
      assert.equal(made.status, 201, `${kind}: ${JSON.stringify(made.body)}`);
      for (const [k, v] of Object.entries(body)) assert.deepEqual(made.body[k], v, `${kind}.${k}`);
      const list = await ann.c.get(`${base}/${kind}`);
      assert.equal(list.status, 200);
      assert.deepEqual(Object.keys(list.body), [kind]);
      assert.deepEqual(list.body[kind].map((r) => r.id), [made.body.id]);
      const changed = { ...body, ...(kind === 'weights' ? { grams: 12600 } : kind === 'activities' ? { minutes: 50 } : {}) };
      if ('notes' in changed || kind === 'allergies') changed.notes = 'changed';
      const edited = await ann.c.put(`${base}/${kind}/${made.body.id}`, changed);
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      for (const [k, v] of Object.entries(changed)) assert.deepEqual(edited.body[k], v, `${kind}.${k} edited`);
      // The whole record holds it under its kind; another kind's path does not reach it.
      const all = await ann.c.get(base);
      assert.equal(all.body[kind].length, 1);
      const other = kind === 'weights' ? 'visits' : 'weights';
      assertError(await ann.c.del(`${base}/${other}/${made.body.id}`), 404, 'not_found');
      assert.equal((await ann.c.del(`${base}/${kind}/${made.body.id}`)).status, 200);
      assertError(await ann.c.del(`${base}/${kind}/${made.body.id}`), 404, 'not_found');
      assert.deepEqual((await ann.c.get(`${base}/${kind}`)).body[kind], []);
    }
    // Optional members may be left out; weights stay whole grams.
    const vac = await ann.c.post(`${base}/vaccinations`, { name: 'Distemper', given: '2026-02-01' });
    assert.equal(vac.status, 201);
    assert.equal(vac.body.due, null);
    assert.equal(vac.body.remind_at, null, 'no due day: no reminder');
    assertError(await ann.c.get(`${base}/nonsense`), 404, 'not_found');
  });

  test('every route: no session 401, another person 403, an unknown pet 404', async () => {
    const made = await ann.c.post(`/api/v1/pets/${ann.pet}/health/weights`, { date: '2026-12-02', grams: 9000 });
    const share = await ann.c.post(`/api/v1/pets/${ann.pet}/health/shares`, { days: 1 });
    assert.equal(share.status, 201);
    const routes = [
      ['GET', '/health', undefined],
      ['GET', '/health/weights', undefined],
      ['POST', '/health/weights', { date: '2026-12-02', grams: 9000 }],
      ['PUT', `/health/weights/${made.body.id}`, { date: '2026-12-02', grams: 9100 }],
      ['DELETE', `/health/weights/${made.body.id}`, undefined],
      ['GET', '/health/shares', undefined],
      ['POST', '/health/shares', { days: 3 }],
      ['DELETE', `/health/shares/${share.body.id}`, undefined],
    ];
    const nobody = new Client(server);
    for (const [method, tail, json] of routes) {
      assertError(await nobody.request(method, `/api/v1/pets/${ann.pet}${tail}`, { json }), 401, 'unauthorized');
      assertError(await bob.c.request(method, `/api/v1/pets/${ann.pet}${tail}`, { json }), 403, 'forbidden');
      assertError(await bob.c.request(method, `/api/v1/pets/pet_999999${tail}`, { json }), 404, 'not_found');
    }
    // Nothing of it moved: the record and the link are as they were.
    const w = await ann.c.get(`/api/v1/pets/${ann.pet}/health/weights`);
    assert.deepEqual(w.body.weights.filter((r) => r.id === made.body.id).map((r) => r.grams), [9000]);
    const shares = await ann.c.get(`/api/v1/pets/${ann.pet}/health/shares`);
    assert.deepEqual(shares.body.shares.map((s) => s.state), ['live']);
    // A record of another pet is not reached through one's own pet.
    assertError(await bob.c.put(`/api/v1/pets/${bob.pet}/health/weights/${made.body.id}`, { date: '2026-12-02', grams: 1 }), 404, 'not_found');
    assertError(await bob.c.del(`/api/v1/pets/${bob.pet}/health/shares/${share.body.id}`), 404, 'not_found');
  });

  test('bodies are read strictly, every limit at its edge', async () => {
    const u = await owner(server, 'edges');
    const at = (kind) => `/api/v1/pets/${u.pet}/health/${kind}`;
    const ok = async (kind, body) => {
      const r = await u.c.post(at(kind), body);
      assert.equal(r.status, 201, `${kind} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const bad = async (kind, body, field) => {
      const r = await u.c.post(at(kind), body);
      assertError(r, 400, 'bad_request');
      if (field) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    };
    const b = bodies();
    for (const kind of Object.keys(b)) await bad(kind, { ...b[kind], extra: 1 }); // unknown member
    await bad('weights', [1, 2]);
    // Texts: characters, not bytes (a 4-byte emoji is one).
    await ok('vaccinations', { ...b.vaccinations, name: '🐶'.repeat(TITLE_MAX) });
    await bad('vaccinations', { ...b.vaccinations, name: 'x'.repeat(TITLE_MAX + 1) }, 'name');
    await bad('vaccinations', { ...b.vaccinations, name: '' }, 'name');
    await ok('visits', { ...b.visits, reason: 'r'.repeat(DETAIL_MAX), notes: 'n'.repeat(NOTES_MAX) });
    await bad('visits', { ...b.visits, reason: 'r'.repeat(DETAIL_MAX + 1) }, 'reason');
    await bad('visits', { ...b.visits, notes: 'n'.repeat(NOTES_MAX + 1) }, 'notes');
    await bad('visits', { ...b.visits, clinic: 'a\u0007b' }, 'clinic');
    await bad('medications', { ...b.medications, dose: 'd'.repeat(DETAIL_MAX + 1) }, 'dose');
    // Weights: whole grams from 1 to the most, never a float or a string.
    await ok('weights', { date: '2026-12-01', grams: 1 });
    await ok('weights', { date: '2026-12-01', grams: GRAMS_MAX });
    for (const grams of [0, GRAMS_MAX + 1, 12.5, '12', -3, null]) await bad('weights', { date: '2026-12-01', grams }, 'grams');
    await bad('weights', { date: '2026-12-01' }, 'grams');
    // Days: real calendar days in 1900..2200.
    await ok('weights', { date: '2024-02-29', grams: 5 });
    await ok('weights', { date: '1900-01-01', grams: 5 });
    await ok('weights', { date: '2200-12-31', grams: 5 });
    for (const date of ['2026-02-29', '1899-12-31', '2201-01-01', '2026-13-01', '2026-1-01', '20261201', 20261201]) {
      await bad('weights', { date, grams: 5 }, 'date');
    }
    await bad('vaccinations', { ...b.vaccinations, due: '2025-01-01' }, 'due'); // before it was given
    await bad('medications', { ...b.medications, end: '2026-11-30' }, 'end'); // before the start
    // Activity and medication numbers.
    await ok('activities', { date: '2026-12-01', minutes: MINUTES_MAX, metres: METRES_MAX });
    await ok('activities', { date: '2026-12-01', minutes: 1, metres: 0 });
    await bad('activities', { date: '2026-12-01', minutes: MINUTES_MAX + 1 }, 'minutes');
    await bad('activities', { date: '2026-12-01', minutes: 0 }, 'minutes');
    await bad('activities', { date: '2026-12-01', minutes: 5, metres: METRES_MAX + 1 }, 'metres');
    await ok('medications', { ...b.medications, every: EVERY_MAX, unit: 'days' });
    await bad('medications', { ...b.medications, every: EVERY_MAX + 1 }, 'every');
    await bad('medications', { ...b.medications, every: 0 }, 'every');
    await bad('medications', { ...b.medications, unit: 'weeks' }, 'unit');
    await bad('allergies', { name: 'Pollen', severity: 'deadly' }, 'severity');
    await bad('allergies', { name: 'Pollen' }, 'severity');
    // An edit is read the same way.
    const w = await ok('weights', { date: '2026-12-01', grams: 3000 });
    assertError(await u.c.put(`${at('weights')}/${w.id}`, { date: '2026-12-01', grams: 3000.5 }), 400, 'bad_request');
    assertError(await u.c.put(`${at('weights')}/${w.id}`, { date: '2026-12-01', grams: 3000, kind: 'x' }), 400, 'bad_request');
  });

  test(`a pet keeps at most ${ENTRIES_MAX} records of a kind: the last one fits, the next is 409`, async () => {
    const u = await owner(server, 'many');
    const pet = Number(u.pet.slice(4));
    const now = Math.floor(Date.now() / 1000);
    dbQuery(server, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ENTRIES_MAX - 1})
      INSERT INTO health_entries (pet_id, kind, day, grams, created_at, updated_at)
      SELECT ${pet}, 'weight', '2026-01-01', 1000 + i, ${now}, ${now} FROM n;`);
    const at = `/api/v1/pets/${u.pet}/health/weights`;
    assert.equal((await u.c.post(at, { date: '2026-12-01', grams: 4000 })).status, 201);
    assertError(await u.c.post(at, { date: '2026-12-01', grams: 4000 }), 409, 'conflict');
    // Other kinds count apart.
    assert.equal((await u.c.post(`/api/v1/pets/${u.pet}/health/activities`, { date: '2026-12-01', minutes: 5 })).status, 201);
    assert.equal((await u.c.get(at)).body.weights.length, ENTRIES_MAX);
  });

  test('share links: days 1..30, at most 20 live, the token only hashed, revoked is 410', async () => {
    const u = await owner(server, 'share');
    const at = `/api/v1/pets/${u.pet}/health/shares`;
    for (const days of [0, SHARE_DAYS_MAX + 1, 1.5, '3']) assertError(await u.c.post(at, { days }), 400, 'bad_request');
    assertError(await u.c.post(at, { days: 3, note: 'x' }), 400, 'bad_request');
    await u.c.post(`/api/v1/pets/${u.pet}/health/weights`, { date: '2026-11-01', grams: 7300 });
    const s = await u.c.post(at, { days: SHARE_DAYS_MAX });
    assert.equal(s.status, 201);
    assert.match(s.body.url, new RegExp(`/vet/${s.body.token}$`));
    assert.ok(!databaseHolds(server, Buffer.from(s.body.token)), 'the token is not stored');
    // The vet: no session, the pet and its records.
    const vet = new Client(server);
    const seen = await vet.get(`/api/v1/health/shared/${s.body.token}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.pet.id, u.pet);
    assert.deepEqual(seen.body.weights.map((w) => w.grams), [7300]);
    assertError(await vet.get(`/api/v1/health/shared/${'A'.repeat(43)}`), 404, 'not_found');
    assert.equal((await vet.get(`/api/v1/health/shared/${s.body.token}x`)).status, 404);
    for (let i = 1; i < SHARES_MAX; i++) assert.equal((await u.c.post(at, { days: 1 })).status, 201);
    assertError(await u.c.post(at, { days: 1 }), 409, 'conflict');
    assert.equal((await u.c.del(`${at}/${s.body.id}`)).status, 200);
    assert.equal((await u.c.del(`${at}/${s.body.id}`)).status, 200, 'revoking again is fine');
    assertError(await vet.get(`/api/v1/health/shared/${s.body.token}`), 410, 'gone');
    const list = (await u.c.get(at)).body.shares;
    assert.equal(list.length, SHARES_MAX);
    assert.equal(list.find((x) => x.id === s.body.id).state, 'revoked');
    assert.equal(list.filter((x) => x.state === 'live').length, SHARES_MAX - 1);
    assert.equal((await u.c.post(at, { days: 1 })).status, 201, 'a revoked link frees its place');
  });
});

describe('reminders and link expiry with the clock moved (restarts with PA_TEST_CLOCK_OFFSET)', () => {
  let server, dir, tmp;
  after(async () => {
    await stopServer(server);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('a vaccination due tomorrow and a medication\'s dose each remind their owner once; a 1-day link expires', async () => {
    server = await startServer();
    ({ dir, tmp } = { dir: server.dir, tmp: server.tmp });
    const u = await owner(server, 'remind');
    const other = await owner(server, 'quiet');
    const base = `/api/v1/pets/${u.pet}/health`;
    const vac = await u.c.post(`${base}/vaccinations`, { name: 'Rabies booster', given: isoDay(-365), due: isoDay(1) });
    assert.equal(vac.status, 201);
    assert.equal(vac.body.remind_at, `${isoDay(1)}T00:00:00Z`);
    // A daily dose from tomorrow, ending the day after: owed tomorrow at 00:00 UTC.
    const med = await u.c.post(`${base}/medications`, { name: 'Drops', every: 1, unit: 'days', start: isoDay(1), end: isoDay(5) });
    assert.equal(med.body.remind_at, `${isoDay(1)}T00:00:00Z`);
    // Someone else's far-off vaccination stays quiet.
    await other.c.post(`/api/v1/pets/${other.pet}/health/vaccinations`, { name: 'Lepto', given: isoDay(0), due: isoDay(300) });
    const link = await u.c.post(`${base}/shares`, { days: 1 });
    assert.deepEqual(healthDue((await u.c.get('/api/v1/notifications')).body.notifications), [], 'nothing is due yet');
    const cookie = u.c.cookie;

    await stopServer(server);
    server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(2 * DAY) } });
    server.tmp = tmp;
    const later = new Client(server);
    later.cookie = cookie;
    later.csrf = u.c.csrf;
    // Read twice (and the chores ran at startup): one notice per due record.
    const first = healthDue((await later.get('/api/v1/notifications')).body.notifications);
    const again = healthDue((await later.get('/api/v1/notifications')).body.notifications);
    assert.equal(first.length, 2, JSON.stringify(first));
    assert.deepEqual(again.map((n) => n.id), first.map((n) => n.id));
    const records = first.map((n) => n.detail?.record ?? n.record).sort();
    assert.deepEqual(records, [vac.body.id, med.body.id].sort());
    assert.equal(Number(dbQuery(server, "SELECT count(*) FROM notices WHERE kind = 'health_due'")), 2);
    // The vaccination owes nothing more; the medication's next dose is after now.
    const after2 = (await later.get(base)).body;
    assert.equal(after2.vaccinations[0].remind_at, null);
    assert.equal(after2.medications[0].remind_at, `${isoDay(3)}T00:00:00Z`);
    const quiet = new Client(server);
    quiet.cookie = other.c.cookie;
    assert.deepEqual(healthDue((await quiet.get('/api/v1/notifications')).body.notifications), []);
    // The 1-day link has expired.
    assertError(await new Client(server).get(`/api/v1/health/shared/${link.body.token}`), 410, 'gone');
    assert.equal((await later.get(`${base}/shares`)).body.shares[0].state, 'expired');
  });
});

const HEALTH_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE health_entries')) + 1;

describe(`the health schema upgrade (version ${HEALTH_VERSION})`, () => {
  test('a SQLite database one version older is upgraded in place and takes records', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('health', HEALTH_VERSION - 1);
    const now = Math.floor(Date.now() / 1000);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', ${now});
      INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Rex', 'dog', ${now});`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      sql(`INSERT INTO health_entries (pet_id, kind, day, grams, created_at, updated_at) VALUES (1, 'weight', '2026-01-01', 900, 1, 1);`);
      assert.throws(() => sql(`INSERT INTO health_entries (pet_id, kind, day, grams, created_at, updated_at) VALUES (1, 'weight', '2026-01-01', 0, 1, 1);`));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the tables from pa_pg_migrations', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-health-pg-'));
    const pg = await createDatabase('pa_health_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      // The version before, exactly as a server of that version made it.
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, HEALTH_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${HEALTH_VERSION - 1};`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM health_entries'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
