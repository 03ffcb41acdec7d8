// Roles and the audit log (issue 19, item 3): the route table lets only the
// roles a route names through (no session 401, anyone else 403), every grant
// and revoke is audited with its actor and time in the same transaction,
// the log refuses UPDATE and DELETE on both engines, the command line
// (`petamigos-server admin`) grants on the same database and is audited with
// no actor, a deleted account takes its roles and leaves its tombstone in
// the log, and a database of the version before (9 when written) is upgraded
// in place on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

const PASSWORD = 'correct horse battery';

/** Runs `petamigos-server admin --data DIR ...args` on server's database; { status, stdout, stderr }. */
async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `cannot run ${BIN} (set PA_SERVER_BIN)`);
  assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/);
  return r;
}

/** A signed-up person: their client, email and user id. */
async function person(server, tag, name) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, name);
  return { c, mail, id: user.id, user };
}

/** The session's roles, as the shell reads them. */
async function sessionRoles(c) {
  const r = await c.get('/api/v1/auth/session');
  assert.equal(r.status, 200);
  return r.body.user.roles;
}

describe('roles and the audit log', () => {
  let server, admin, mod, plain, other;

  before(async () => {
    server = await startServer();
    admin = await person(server, 'admin', 'Ada Admin');
    mod = await person(server, 'mod', 'Moe Moderator');
    plain = await person(server, 'plain', 'Pat Plain');
    other = await person(server, 'other', 'Oli Other');
    for (const [who, role] of [[admin, 'admin'], [mod, 'moderator']]) {
      const r = await cli(server, 'grant', who.mail, role);
      assert.equal(r.status, 0, r.stderr);
    }
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('a new account has no roles, and the session says which a person holds', async () => {
    assert.deepEqual(plain.user.roles, [], 'signup answers roles: []');
    assert.deepEqual(await sessionRoles(plain.c), []);
    assert.deepEqual(await sessionRoles(admin.c), ['admin']);
    assert.deepEqual(await sessionRoles(mod.c), ['moderator']);
    const again = new Client(server);
    assert.deepEqual((await again.login(admin.mail, PASSWORD)).roles, ['admin'], 'login answers the roles too');
  });

  test('every admin route: no session 401, an ordinary person 403, a moderator 403, an admin gets through', async () => {
    const routes = [
      ['GET', '/api/v1/admin/roles', 200],
      ['GET', `/api/v1/admin/people?who=${encodeURIComponent(other.mail)}`, 200],
      ['PUT', `/api/v1/admin/users/${other.id}/roles/support`, 200],
      ['DELETE', `/api/v1/admin/users/${other.id}/roles/support`, 200],
      ['GET', '/api/v1/admin/audit', 200],
    ];
    const anon = new Client(server);
    for (const [method, url, ok] of routes) {
      assertError(await anon.request(method, url), 401, 'unauthorized');
      const r1 = await plain.c.request(method, url);
      assertError(r1, 403, 'forbidden');
      assertError(await mod.c.request(method, url), 403, 'forbidden');
      const r = await admin.c.request(method, url);
      assert.equal(r.status, ok, `${method} ${url}: ${JSON.stringify(r.body)}`);
    }
    // The refusals changed nothing: Oli holds no role, and only the admin's two acts were logged for him.
    assert.deepEqual((await admin.c.get(`/api/v1/admin/people?who=${encodeURIComponent(other.mail)}`)).body.roles, []);
  });

  test('a grant and a revoke are audited with actor, target, role and time, newest first', async () => {
    const before = Math.floor(Date.now() / 1000);
    const g = await admin.c.put(`/api/v1/admin/users/${other.id}/roles/moderator`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.roles, ['moderator']);
    assert.equal(g.body.id, other.id);
    assert.deepEqual(await sessionRoles(other.c), ['moderator'], 'the next request of that person sees it');
    // Idempotent: the same grant again changes nothing and logs nothing.
    assert.equal((await admin.c.put(`/api/v1/admin/users/${other.id}/roles/moderator`)).status, 200);
    const v = await admin.c.del(`/api/v1/admin/users/${other.id}/roles/moderator`);
    assert.deepEqual(v.body.roles, []);
    const log = await admin.c.get('/api/v1/admin/audit?limit=2');
    assert.equal(log.status, 200);
    const [revoke, grant] = log.body.entries;
    assert.equal(revoke.action, 'role.revoke');
    assert.equal(grant.action, 'role.grant');
    for (const e of [revoke, grant]) {
      assert.equal(e.actor.id, admin.id);
      assert.equal(e.actor.handle, admin.user.handle);
      assert.equal(e.target.kind, 'person');
      assert.equal(e.target.id, other.id);
      assert.equal(e.target.person.name, 'Oli Other');
      assert.deepEqual(e.detail, { role: 'moderator' });
      const at = Date.parse(e.at) / 1000;
      assert.ok(at >= before - 1 && at <= Math.floor(Date.now() / 1000) + 1, `${e.at} is now`);
    }
    assert.ok(Number(revoke.id.slice(3)) > Number(grant.id.slice(3)), 'newest first');
    // The next page continues after them.
    const next = await admin.c.get(`/api/v1/admin/audit?limit=2&cursor=${log.body.next_cursor}`);
    assert.equal(next.status, 200);
    assert.ok(next.body.entries.every((e) => Number(e.id.slice(3)) < Number(grant.id.slice(3))));
  });

  test('holders, filtered by role; finding a person by email or @handle', async () => {
    const all = (await admin.c.get('/api/v1/admin/roles')).body.holders;
    assert.ok(all.some((h) => h.id === admin.id && h.roles.join() === 'admin'));
    assert.ok(all.some((h) => h.id === mod.id && h.roles.join() === 'moderator'));
    assert.ok(!all.some((h) => h.id === plain.id), 'people without a role are not holders');
    const mods = (await admin.c.get('/api/v1/admin/roles?role=moderator')).body.holders;
    assert.ok(mods.some((h) => h.id === mod.id) && !mods.some((h) => h.id === admin.id));
    assertError(await admin.c.get('/api/v1/admin/roles?role=wizard'), 400, 'bad_request');
    const byHandle = await admin.c.get(`/api/v1/admin/people?who=%40${mod.user.handle}`);
    assert.equal(byHandle.body.id, mod.id);
    const byEmail = await admin.c.get(`/api/v1/admin/people?who=${encodeURIComponent(mod.mail.toUpperCase())}`);
    assert.equal(byEmail.body.id, mod.id, 'email ignoring ASCII case, as login');
    assertError(await admin.c.get('/api/v1/admin/people?who=nobody%40example.test'), 404, 'not_found');
    assertError(await admin.c.get('/api/v1/admin/people'), 400, 'bad_request');
  });

  test('bad role names and unknown people are refused', async () => {
    assertError(await admin.c.put(`/api/v1/admin/users/${other.id}/roles/wizard`), 400, 'bad_request');
    assertError(await admin.c.put('/api/v1/admin/users/u_999999/roles/support'), 404, 'not_found');
    assertError(await admin.c.put(`/api/v1/admin/users/${other.id}/roles/Admin`), 404, 'not_found'); // not a {word}: no route
  });

  test('the limits at their edges: a role segment of PA_API_WORD_MAX letters, ?who= of PA_API_WHO_MAX bytes', async () => {
    const WORD_MAX = 20; // PA_API_WORD_MAX (api/api.h)
    const WHO_MAX = 254; // PA_API_WHO_MAX
    // The longest word is routed (and is no role); one letter more matches no route.
    assertError(await admin.c.put(`/api/v1/admin/users/${other.id}/roles/${'a'.repeat(WORD_MAX)}`), 400, 'bad_request');
    assertError(await admin.c.put(`/api/v1/admin/users/${other.id}/roles/${'a'.repeat(WORD_MAX + 1)}`), 404, 'not_found');
    // The longest ?who= is looked up (nobody); one byte more is refused as too long.
    const who = (n) => `${'w'.repeat(n - '@example.test'.length)}@example.test`;
    assertError(await admin.c.get(`/api/v1/admin/people?who=${who(WHO_MAX)}`), 404, 'not_found');
    const long = await admin.c.get(`/api/v1/admin/people?who=${who(WHO_MAX + 1)}`);
    assertError(long, 400, 'bad_request');
    assert.match(long.body.error.message, /who is too long/);
  });

  test('the last admin keeps the role; with a second admin, either may step down', async () => {
    assertError(await admin.c.del(`/api/v1/admin/users/${admin.id}/roles/admin`), 409, 'conflict');
    assert.deepEqual(await sessionRoles(admin.c), ['admin']);
    assert.equal((await admin.c.put(`/api/v1/admin/users/${plain.id}/roles/admin`)).status, 200);
    const r = await plain.c.del(`/api/v1/admin/users/${plain.id}/roles/admin`);
    assert.equal(r.status, 200, 'the second admin steps down');
    assertError(await plain.c.get('/api/v1/admin/audit'), 403, 'forbidden');
    assertError(await admin.c.del(`/api/v1/admin/users/${admin.id}/roles/admin`), 409, 'conflict');
  });

  test('the audit log refuses UPDATE and DELETE in the database itself', () => {
    const n = dbQuery(server, 'SELECT count(*) FROM audit_log');
    assert.ok(Number(n) >= 4, `${n} rows`);
    assert.throws(() => dbQuery(server, "UPDATE audit_log SET action = 'role.forged'"), /append-only/);
    assert.throws(() => dbQuery(server, 'DELETE FROM audit_log'), /append-only/);
    assert.equal(dbQuery(server, 'SELECT count(*) FROM audit_log'), n);
    assert.equal(dbQuery(server, "SELECT count(*) FROM audit_log WHERE action = 'role.forged'"), '0');
  });

  test('the command line grants and revokes by email, audited with no actor; clear refusals', async () => {
    const g = await cli(server, 'grant', other.mail.toUpperCase(), 'finance');
    assert.equal(g.status, 0, g.stderr);
    assert.match(g.stdout, /^granted finance /);
    assert.deepEqual(await sessionRoles(other.c), ['finance']);
    const again = await cli(server, 'grant', other.mail, 'finance');
    assert.match(again.stdout, /already held/);
    const [e] = (await admin.c.get('/api/v1/admin/audit?limit=1')).body.entries;
    assert.equal(e.actor, null, 'the command line');
    assert.equal(e.action, 'role.grant');
    assert.equal(e.target.id, other.id);
    assert.deepEqual(e.detail, { role: 'finance' });
    const list = await cli(server, 'list');
    assert.equal(list.status, 0);
    assert.match(list.stdout, new RegExp(`^${other.id}\\t${other.user.handle}\\tfinance$`, 'm'));
    assert.match(list.stdout, new RegExp(`^${admin.id}\\t${admin.user.handle}\\tadmin$`, 'm'));
    const v = await cli(server, 'revoke', other.mail, 'finance');
    assert.equal(v.status, 0, v.stderr);
    assert.deepEqual(await sessionRoles(other.c), []);
    const unknownMail = await cli(server, 'grant', 'nobody@example.test', 'admin');
    assert.equal(unknownMail.status, 1);
    assert.match(unknownMail.stderr, /no account has the email nobody@example\.test/);
    const unknownRole = await cli(server, 'grant', other.mail, 'wizard');
    assert.equal(unknownRole.status, 2);
    assert.match(unknownRole.stderr, /unknown role wizard/);
    const bad = await cli(server, 'promote', other.mail);
    assert.equal(bad.status, 2);
    assert.deepEqual(await sessionRoles(other.c), [], 'the refusals changed nothing');
  });

  test('a deleted account takes its roles; its audit rows stay under its tombstone', async () => {
    const leaver = await person(server, 'leaver', 'Lee Leaver');
    assert.equal((await admin.c.put(`/api/v1/admin/users/${leaver.id}/roles/support`)).status, 200);
    const [before] = (await admin.c.get('/api/v1/admin/audit?limit=1')).body.entries;
    assert.equal(before.target.id, leaver.id);
    const tomb = before.target.person.tombstone;
    assert.equal((await leaver.c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    const num = leaver.id.slice(2);
    assert.equal(dbQuery(server, `SELECT count(*) FROM user_roles WHERE user_id = ${num}`), '0');
    const [after] = (await admin.c.get('/api/v1/admin/audit?limit=1')).body.entries;
    assert.equal(after.id, before.id, 'the row is still there');
    assert.equal(after.target.id, null);
    assert.deepEqual(after.target.person, { id: null, handle: null, name: null, tombstone: tomb });
    // A new account may get the old id on SQLite; the row still names the tombstone, not them.
    const next = await person(server, 'next', 'Nia Next');
    const [still] = (await admin.c.get(`/api/v1/admin/audit?limit=50`)).body.entries.filter((e) => e.id === before.id);
    assert.equal(still.target.person.tombstone, tomb);
    assert.equal(still.target.id, null, `not ${next.id}`);
  });
});

// The version that adds roles (11 when written; found in the source so a
// renumbering at merge needs no edit here).
const ROLES_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE user_roles')) + 1;

describe('the roles schema upgrade (version 11)', () => {
  test('one migration adds roles, the same one on both engines', async () => {
    assert.ok(ROLES_VERSION > 0);
    const { baseVersion, migrations } = await pgSchemaFromSource();
    assert.match(migrations[ROLES_VERSION - 1 - baseVersion], /CREATE TABLE user_roles/);
  });

  test('a database one version older is upgraded in place, and the command line grants on it', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('roles', ROLES_VERSION - 1);
    const now = Math.floor(Date.now() / 1000);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', ${now});
      INSERT INTO ledger_parties (tombstone, user_id) VALUES ('pty_0123456789abcdef0123456789abcdef', 1);`);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      const r = await cli(server, 'grant', 'ann@example.test', 'admin');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(sql('SELECT user_id, role, granted_by IS NULL FROM user_roles'), '1 admin 1');
      // The party billing made before is the one the log names.
      assert.equal(sql('SELECT a.actor_party IS NULL, p.tombstone FROM audit_log a JOIN ledger_parties p ON p.id = a.target_id'),
        '1 pty_0123456789abcdef0123456789abcdef');
      assert.throws(() => sql('DELETE FROM audit_log;'), /append-only/);
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the roles from pa_pg_migrations', async () => {
    // The version before, exactly as a server of that version made it.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-roles-pg-'));
    const pg = await createDatabase('pa_roles_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, ROLES_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${ROLES_VERSION - 1};
        INSERT INTO users (handle, name, email, created_at) VALUES ('bea', 'Bea', 'bea@example.test', 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        const r = spawnSync(BIN, ['admin', '--data', path.join(tmp, 'b'), 'grant', 'bea@example.test', 'support'],
          { env: { ...process.env, ...env }, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(await query(pg.url, 'SELECT role, granted_by FROM user_roles'), [{ role: 'support', granted_by: null }]);
        await assert.rejects(runSql(pg.url, 'DELETE FROM audit_log'), /append-only/);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
