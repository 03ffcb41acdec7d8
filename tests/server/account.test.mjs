// Accounts people manage (issue 19, item 1): the profile (name, bio, links,
// country, locale, avatar) through PATCH /api/v1/me with every limit at its
// edge, prices defaulting to the declared country, password reset by e-mail
// (no account enumeration, limits per client address and per address asked
// for, single-use tokens stored hashed, expiry through PA_TEST_CLOCK_OFFSET
// restarts, every session ended), change of e-mail with a confirmation link
// (unique addresses, expiry, reuse refused), the admin console's outbox
// (admins and support only), and real SMTP delivery through
// tests/lib/smtp.mjs with the message's headers checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWords, parseMessage, startSmtp } from '../lib/smtp.mjs';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer,
  stopServer,
} from './helpers.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const catalog = (tag) => JSON.parse(readFileSync(path.join(repoRoot, 'locales', `${tag}.json`), 'utf8'));
// The limits as web/src/profile.h, web/src/auth.h and web/src/limit.h name them.
const NAME_MAX = 80, BIO_MAX = 500, LINKS_MAX = 5, LINK_MAX = 200;
const RESET_TTL = 3600, EMAIL_TTL = 86400, MAIL_ACCOUNT_BURST = 3;

async function person(server, tag, name = 'Test Person') {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, name);
  return { c, mail, id: user.id, user };
}

async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** The newest outbox message to `to` (SQL, as the console reads it), or null. */
function outbox(server, to, kind) {
  const rows = dbQuery(server, `SELECT id FROM outbox WHERE to_addr = '${to}' AND kind = '${kind}' ORDER BY id DESC LIMIT 1`);
  if (!rows) return null;
  const body = dbQuery(server, `SELECT body FROM outbox WHERE id = ${rows}`);
  const subject = dbQuery(server, `SELECT subject FROM outbox WHERE id = ${rows}`);
  return { id: Number(rows), body, subject };
}

const tokenOf = (body) => {
  const m = /#token=([A-Za-z0-9_-]{43})/.exec(body);
  assert.ok(m, `a link with a token in: ${body}`);
  return m[1];
};

const sameSite = (server) => ({ headers: { origin: `http://127.0.0.1:${server.port}` } });

describe('profile, e-mail links and the outbox', () => {
  let server, admin, support, mod;

  before(async () => {
    // The repository's root as the site: its locales/ are the catalogs mail is worded from.
    server = await startServer({ root: repoRoot });
    admin = await person(server, 'admin', 'Ada Admin');
    support = await person(server, 'support', 'Sue Support');
    mod = await person(server, 'mod', 'Moe Moderator');
    await grant(server, admin.mail, 'admin');
    await grant(server, support.mail, 'support');
    await grant(server, mod.mail, 'moderator');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('PATCH /me: name, bio, links, country and locale, shown on the profile and in the session', async () => {
    const p = await person(server, 'prof');
    const links = ['https://example.org/luna', 'https://vet.example.com:8443/a?b=c#d'];
    const r = await p.c.patch('/api/v1/me', { name: 'Luna’s Human', bio: 'Cats.\nMore cats.', links, country: 'BR', locale: 'pt' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, 'Luna’s Human');
    assert.deepEqual(r.body.links, links);
    assert.equal(r.body.country, 'BR');
    const seen = await new Client(server).get(`/api/v1/users/${p.id}`);
    assert.deepEqual([seen.body.bio, seen.body.links, seen.body.country], ['Cats.\nMore cats.', links, 'BR']);
    const s = (await p.c.get('/api/v1/auth/session')).body.user;
    assert.deepEqual([s.bio, s.links, s.country, s.locale], ['Cats.\nMore cats.', links, 'BR', 'pt']);
    // Members left out stay; null removes the country; [] the links.
    const again = await p.c.patch('/api/v1/me', { country: null, links: [] });
    assert.deepEqual([again.body.name, again.body.country, again.body.links], ['Luna’s Human', null, []]);
    // The avatar still works, alone or with the rest.
    const up = await p.c.upload(png(16, 16), 'image/png');
    const withAvatar = await p.c.patch('/api/v1/me', { avatar_media_id: up.id, bio: 'New bio' });
    assert.equal(withAvatar.status, 200);
    assert.match(withAvatar.body.avatar_url, /^\/media\//);
    assert.equal(withAvatar.body.bio, 'New bio');
  });

  test('PATCH /me: every limit at its edge, unknown members and bad values refused by field', async () => {
    const p = await person(server, 'edge');
    const ok = async (body) => assert.equal((await p.c.patch('/api/v1/me', body)).status, 200, JSON.stringify(body));
    const refused = async (body, field) => {
      const r = await p.c.patch('/api/v1/me', body);
      assertError(r, 400, r.body.error.code);
      assert.equal(r.body.error.field, field, JSON.stringify(body));
    };
    await ok({ name: 'n'.repeat(NAME_MAX) });
    await refused({ name: 'n'.repeat(NAME_MAX + 1) }, 'name');
    await refused({ name: '   ' }, 'name');
    await refused({ name: '' }, 'name');
    await ok({ bio: 'b'.repeat(BIO_MAX) });
    await refused({ bio: 'b'.repeat(BIO_MAX + 1) }, 'bio');
    await ok({ bio: '' });
    const link = (n) => `https://example.org/${'x'.repeat(n - 'https://example.org/'.length)}`;
    assert.equal(link(LINK_MAX).length, LINK_MAX);
    await ok({ links: [link(LINK_MAX)] });
    await refused({ links: [link(LINK_MAX + 1)] }, 'links');
    const five = Array.from({ length: LINKS_MAX }, (_, i) => `https://example.org/${i}`);
    await ok({ links: five });
    await refused({ links: [...five, 'https://example.org/6'] }, 'links');
    for (const bad of ['http://example.org/', 'javascript:alert(1)', 'https://user@example.org/', 'https://localhost/',
      'https://exa mple.org/', 'https://example.org/"><script>', 'https://-bad.example/', 'https://example.org:/', 'https://', 'ftp://example.org/']) {
      await refused({ links: [bad] }, 'links');
    }
    await refused({ links: 'https://example.org/' }, 'links');
    await refused({ links: [42] }, 'links');
    await ok({ country: 'DE' });
    for (const bad of ['XX', 'de', 'DEU', 'D', 'AA', 7]) await refused({ country: bad }, 'country');
    await ok({ locale: 'zh-Hans' });
    for (const bad of ['xx', 'zh', 'de-XX', '../en']) await refused({ locale: bad }, 'locale');
    // A member the contract does not name; an empty body.
    assertError(await p.c.patch('/api/v1/me', { handle: 'me' }), 400, 'bad_request');
    assertError(await p.c.patch('/api/v1/me', {}), 400, 'bad_request');
    // Nothing refused changed anything.
    const u = (await p.c.get(`/api/v1/users/${p.id}`)).body;
    assert.deepEqual([u.name, u.bio, u.links, u.country], ['n'.repeat(NAME_MAX), '', five, 'DE']);
  });

  test('PATCH /me: no session 401, no CSRF token 403; it only ever edits the signed-in person', async () => {
    const p = await person(server, 'authz');
    const other = await person(server, 'other', 'Other Person');
    assertError(await new Client(server).patch('/api/v1/me', { bio: 'x' }), 401, 'unauthorized');
    assertError(await p.c.patch('/api/v1/me', { bio: 'x' }, { csrf: false }), 403, 'csrf');
    assertError(await p.c.patch('/api/v1/me', { bio: 'x' }, { headers: { 'x-csrf-token': other.c.csrf } }), 403, 'csrf');
    assert.equal((await other.c.patch('/api/v1/me', { bio: 'mine' })).status, 200);
    assert.equal((await p.c.get(`/api/v1/users/${p.id}`)).body.bio, '');
    // Another person's upload is not an avatar of mine.
    const up = await other.c.upload(png(8, 8), 'image/png');
    assertError(await p.c.patch('/api/v1/me', { avatar_media_id: up.id }), 400, 'unknown_upload');
  });

  test('the plans default to the declared country, never to one guessed; ?country= still wins', async () => {
    const p = await person(server, 'prices');
    assert.equal((await p.c.get('/api/v1/billing/plans')).body.country, 'US', 'nothing declared: US');
    await p.c.patch('/api/v1/me', { country: 'BR' });
    assert.equal((await p.c.get('/api/v1/billing/plans')).body.country, 'BR');
    assert.equal((await p.c.get('/api/v1/billing/plans?country=DE')).body.country, 'DE');
    assert.equal((await new Client(server).get('/api/v1/billing/plans')).body.country, 'US', 'signed out: US');
  });

  test('reset: the same answer for every address; a link only to a real account, worded in its locale, the token kept hashed', async () => {
    const p = await person(server, 'reset');
    await p.c.patch('/api/v1/me', { locale: 'de' });
    const anon = new Client(server);
    const nobody = email('nobody');
    const a = await anon.post('/api/v1/auth/reset', { email: nobody }, sameSite(server));
    const b = await anon.post('/api/v1/auth/reset', { email: p.mail.toUpperCase() }, sameSite(server));
    assert.deepEqual([a.status, a.body], [200, { ok: true }]);
    assert.deepEqual([b.status, b.body], [a.status, a.body], 'an unknown address reads like a known one');
    assert.equal(outbox(server, nobody, 'reset'), null, 'nothing is sent to an address no account has');
    const m = outbox(server, p.mail, 'reset');
    assert.ok(m, 'the link went to the address the account holds');
    const de = catalog('de');
    assert.equal(m.subject, de['mail.resetSubject'], 'worded in the account\'s locale');
    assert.ok(!m.body.includes(PASSWORD), 'no password in any e-mail');
    assert.ok(m.body.includes(`http://127.0.0.1:${server.port}/reset#token=`), m.body);
    const token = tokenOf(m.body);
    const stored = dbQuery(server, `SELECT count(*) FROM email_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '${p.mail}' AND t.purpose = 'reset' AND t.used_at IS NULL`);
    assert.equal(stored, '1');
    assert.ok(!server.stderr.includes(token) && !server.stdout.includes(token), 'the token is never logged');
    const life = dbQuery(server, `SELECT t.expires_at - t.created_at FROM email_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '${p.mail}' AND t.purpose = 'reset'`);
    assert.equal(Number(life), RESET_TTL, 'PA_AUTH_RESET_TTL');
    // The database holds the hash, never the token.
    const hex = dbQuery(server, server.database
      ? `SELECT encode(token_hash, 'hex') FROM email_tokens ORDER BY id DESC LIMIT 1`
      : `SELECT hex(token_hash) FROM email_tokens ORDER BY id DESC LIMIT 1`);
    assert.notEqual(hex.toLowerCase(), Buffer.from(token, 'base64url').toString('hex'));
    assert.equal(hex.length, 64);
  });

  test('reset confirm: sets the password, ends every session, signs in here; the token works once; malformed ones read alike', async () => {
    const p = await person(server, 'confirm');
    const other = new Client(server);
    await other.login(p.mail, PASSWORD);
    const anon = new Client(server);
    assert.equal((await anon.post('/api/v1/auth/reset', { email: p.mail }, sameSite(server))).status, 200);
    const first = tokenOf(outbox(server, p.mail, 'reset').body);
    assert.equal((await anon.post('/api/v1/auth/reset', { email: p.mail }, sameSite(server))).status, 200);
    const token = tokenOf(outbox(server, p.mail, 'reset').body);
    assert.notEqual(first, token);
    const tries = new Client(server);
    assertError(await tries.post('/api/v1/auth/reset/confirm', { token: first, password: NEW_PASSWORD }, sameSite(server)), 400, 'invalid_token');
    for (const bad of ['x', 'A'.repeat(43), `${token}A`, token.slice(1)]) {
      assertError(await tries.post('/api/v1/auth/reset/confirm', { token: bad, password: NEW_PASSWORD }, sameSite(server)), 400, 'invalid_token');
    }
    const short = await tries.post('/api/v1/auth/reset/confirm', { token, password: 'x'.repeat(9) }, sameSite(server));
    assertError(short, 400, 'bad_request');
    assert.equal(short.body.error.field, 'password');
    assertError(await tries.post('/api/v1/auth/reset/confirm', { token, password: NEW_PASSWORD, extra: 1 }, sameSite(server)), 400, 'bad_request');
    assertError(await tries.post('/api/v1/auth/reset/confirm', { token, password: NEW_PASSWORD }, { headers: { origin: 'https://evil.example' } }), 403, 'csrf');
    const done = await tries.post('/api/v1/auth/reset/confirm', { token, password: NEW_PASSWORD }, sameSite(server));
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.user.email, p.mail, 'signed in with a new session');
    assert.equal((await tries.get('/api/v1/auth/session')).body.user.id, p.id);
    const notes = (await tries.get('/api/v1/notifications')).body.notifications;
    assert.ok(notes.some((n) => n.kind === 'security' && n.detail.event === 'password_reset'), 'a security notice tells the owner');
    for (const old of [p.c, other]) assert.equal((await old.get('/api/v1/auth/session')).body.user, null, 'every earlier session ended');
    assertError(await new Client(server).post('/api/v1/auth/login', { email: p.mail, password: PASSWORD }), 401, 'unauthorized');
    await new Client(server).login(p.mail, NEW_PASSWORD);
    assertError(await new Client(server).post('/api/v1/auth/reset/confirm', { token, password: 'another password!' }, sameSite(server)), 400, 'invalid_token');
  });

  test('reset requests: limited per address asked for, known or not, the same way (3 pass, the 4th is 429)', async () => {
    const p = await person(server, 'limited');
    for (const addr of [p.mail, email('ghost')]) {
      for (let i = 0; i < MAIL_ACCOUNT_BURST; i++) {
        // Each from its own client address: only the per-account budget is spent.
        assert.equal((await new Client(server).post('/api/v1/auth/reset', { email: addr }, sameSite(server))).status, 200);
      }
      const r = await new Client(server).post('/api/v1/auth/reset', { email: addr }, sameSite(server));
      assertError(r, 429, 'rate_limited');
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    assertError(await new Client(server).post('/api/v1/auth/reset', { email: 'not-an-address' }, sameSite(server)), 400, 'bad_request');
    assertError(await new Client(server).post('/api/v1/auth/reset', { email: p.mail }, { headers: { origin: 'https://evil.example' } }), 403, 'csrf');
  });

  test('change e-mail: no session 401, CSRF 403, the password checked, the address well formed, new and free', async () => {
    const p = await person(server, 'chg');
    const taken = await person(server, 'taken');
    const fresh = email('fresh');
    assertError(await new Client(server).post('/api/v1/me/email', { email: fresh, password: PASSWORD }), 401, 'unauthorized');
    assertError(await p.c.post('/api/v1/me/email', { email: fresh, password: PASSWORD }, { csrf: false }), 403, 'csrf');
    const wrong = await p.c.post('/api/v1/me/email', { email: fresh, password: 'not the password' });
    assertError(wrong, 403, 'forbidden');
    assert.equal(wrong.body.error.field, 'password');
    assertError(await p.c.post('/api/v1/me/email', { email: p.mail.toUpperCase(), password: PASSWORD }), 400, 'bad_request');
    assertError(await p.c.post('/api/v1/me/email', { email: 'nope', password: PASSWORD }), 400, 'bad_request');
    const clash = await p.c.post('/api/v1/me/email', { email: taken.mail, password: PASSWORD });
    assertError(clash, 409, 'conflict');
    assert.equal(clash.body.error.field, 'email');
    assert.equal(outbox(server, fresh, 'change_confirm'), null, 'nothing sent for a refused change');
  });

  test('change e-mail: a link to the new address, a notice to the old; applied once, by anyone holding the link', async () => {
    const p = await person(server, 'move');
    const to = email('moved');
    assert.equal((await p.c.post('/api/v1/me/email', { email: to, password: PASSWORD })).status, 200);
    const notice = outbox(server, p.mail, 'change_notice');
    assert.ok(notice && notice.body.includes(to), 'the old address hears of it');
    assert.ok(!/#token=/.test(notice.body), 'the notice carries no link');
    const token = tokenOf(outbox(server, to, 'change_confirm').body);
    assert.equal((await p.c.get('/api/v1/auth/session')).body.user.email, p.mail, 'nothing changes before the link is used');
    const life = dbQuery(server, `SELECT expires_at - created_at FROM email_tokens WHERE purpose = 'change' AND email = '${to}'`);
    assert.equal(Number(life), EMAIL_TTL, 'PA_AUTH_EMAIL_TTL');
    assertError(await new Client(server).post('/api/v1/auth/email/confirm', { token }, { headers: { origin: 'https://evil.example' } }), 403, 'csrf');
    const r = await new Client(server).post('/api/v1/auth/email/confirm', { token }, sameSite(server));
    assert.deepEqual([r.status, r.body], [200, { email: to }]);
    assert.equal((await p.c.get('/api/v1/auth/session')).body.user.email, to);
    const notes = (await p.c.get('/api/v1/notifications')).body.notifications;
    assert.ok(notes.some((n) => n.kind === 'security' && n.detail.event === 'email_changed'), 'a security notice tells the owner');
    await new Client(server).login(to, PASSWORD);
    assertError(await new Client(server).post('/api/v1/auth/email/confirm', { token }, sameSite(server)), 400, 'invalid_token');
  });

  test('change e-mail: an address taken between the request and the link is refused, and the link stays unspent', async () => {
    const p = await person(server, 'race');
    const to = email('contested');
    assert.equal((await p.c.post('/api/v1/me/email', { email: to, password: PASSWORD })).status, 200);
    const token = tokenOf(outbox(server, to, 'change_confirm').body);
    const squatter = new Client(server);
    await squatter.signup(to, PASSWORD, 'Squatter');
    const r = await new Client(server).post('/api/v1/auth/email/confirm', { token }, sameSite(server));
    assertError(r, 409, 'conflict');
    assert.equal(dbQuery(server, `SELECT count(*) FROM email_tokens WHERE email = '${to}' AND used_at IS NULL`), '1');
  });

  test('GET /admin/outbox: no session 401, a member 403, a moderator 403; support and admins read it, paged', async () => {
    assertError(await new Client(server).get('/api/v1/admin/outbox'), 401, 'unauthorized');
    const plain = await person(server, 'plainbox');
    assertError(await plain.c.get('/api/v1/admin/outbox'), 403, 'forbidden');
    assertError(await mod.c.get('/api/v1/admin/outbox'), 403, 'forbidden');
    await new Client(server).post('/api/v1/auth/reset', { email: plain.mail }, sameSite(server));
    await new Client(server).post('/api/v1/auth/reset', { email: plain.mail }, sameSite(server));
    for (const who of [support, admin]) {
      const r = await who.c.get('/api/v1/admin/outbox?limit=1');
      assert.equal(r.status, 200);
      assert.equal(r.body.messages.length, 1);
      assert.equal(r.body.messages[0].to, plain.mail);
      assert.equal(r.body.messages[0].status, 'kept');
      assert.ok(r.body.next_cursor, 'more than one page');
      const next = await who.c.get(`/api/v1/admin/outbox?limit=1&cursor=${r.body.next_cursor}`);
      assert.equal(next.body.messages[0].to, plain.mail);
      assert.ok(next.body.messages[0].id !== r.body.messages[0].id);
    }
  });
});

describe('tokens expire with the clock', () => {
  test('a reset link works until PA_AUTH_RESET_TTL, a change link until PA_AUTH_EMAIL_TTL (server restarts with PA_TEST_CLOCK_OFFSET)', async () => {
    let server = await startServer();
    const p = await person(server, 'clock');
    const to = email('clockmoved');
    const ask = async () => {
      assert.equal((await new Client(server).post('/api/v1/auth/reset', { email: p.mail }, sameSite(server))).status, 200);
      return tokenOf(outbox(server, p.mail, 'reset').body);
    };
    const early = await ask();
    assert.equal((await p.c.post('/api/v1/me/email', { email: to, password: PASSWORD })).status, 200);
    const change = tokenOf(outbox(server, to, 'change_confirm').body);
    await stopServer(server);
    const dir = server.dir;
    // A minute before the reset link's end (the test's own seconds fit in it): it still works.
    server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(RESET_TTL - 60) } });
    const c = new Client(server);
    assert.equal((await c.post('/api/v1/auth/reset/confirm', { token: early, password: NEW_PASSWORD }, sameSite(server))).status, 200);
    const late = await ask();
    await stopServer(server);
    // Past both ends: a reset link made an hour ago, a change link made a day ago.
    server = await startServer({ data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(EMAIL_TTL + 1) } });
    assertError(await new Client(server).post('/api/v1/auth/reset/confirm', { token: late, password: 'yet another one!' }, sameSite(server)), 400, 'invalid_token');
    assertError(await new Client(server).post('/api/v1/auth/email/confirm', { token: change }, sameSite(server)), 400, 'invalid_token');
    await new Client(server).login(p.mail, NEW_PASSWORD);
    await stopServer(server, { keepData: false });
  });
});

describe('SMTP', () => {
  let smtp, server;
  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ root: repoRoot, env: { PA_SMTP_URL: smtp.url, PA_SMTP_FROM: 'hello@petamigos.test' } });
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await smtp.close();
  });

  test('a reset link arrives through SMTP with its headers, and nothing is kept in the outbox', async () => {
    const p = await person(server, 'smtp');
    await p.c.patch('/api/v1/me', { locale: 'ja' });
    const seen = smtp.messages.length;
    assert.equal((await new Client(server).post('/api/v1/auth/reset', { email: p.mail }, sameSite(server))).status, 200);
    const msg = await smtp.next(seen);
    assert.equal(msg.from, 'hello@petamigos.test');
    assert.deepEqual(msg.to, [p.mail]);
    const { headers, body } = parseMessage(msg.raw);
    assert.equal(headers.from, 'PetAmigos <hello@petamigos.test>');
    assert.equal(headers.to, `<${p.mail}>`);
    assert.equal(decodeWords(headers.subject), catalog('ja')['mail.resetSubject']);
    assert.match(headers.date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(headers['message-id'], /^<[0-9a-f]{32}@petamigos\.test>$/);
    assert.equal(headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(headers['mime-version'], '1.0');
    const token = tokenOf(body);
    assert.equal(dbQuery(server, 'SELECT count(*) FROM outbox'), '0');
    const r = await new Client(server).post('/api/v1/auth/reset/confirm', { token, password: NEW_PASSWORD }, sameSite(server));
    assert.equal(r.status, 200);
  });

  test('a message SMTP cannot take is kept in the outbox, marked failed', async (t) => {
    // A mail server that turns every client away at the greeting (RFC 5321's 554).
    const refusing = net.createServer((sock) => sock.end('554 5.3.2 not accepting messages\r\n'));
    await new Promise((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => refusing.close(resolve)));
    const url = `smtp://127.0.0.1:${refusing.address().port}`;
    const s = await startServer({ env: { PA_SMTP_URL: url, PA_SMTP_FROM: 'hello@petamigos.test' } });
    const p = await person(s, 'smtpdown');
    assert.equal((await new Client(s).post('/api/v1/auth/reset', { email: p.mail }, sameSite(s))).status, 200);
    assert.equal(dbQuery(s, `SELECT status FROM outbox WHERE to_addr = '${p.mail}'`), 'failed');
    assert.match(s.stderr + s.stdout, /SMTP did not take a reset message/);
    await stopServer(s, { keepData: false });
  });

  test('a bad configuration stops the server with the variable named', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-smtp-'));
    try {
      for (const [env, named] of [[{ PA_SMTP_URL: 'http://mail.example', PA_SMTP_FROM: 'x@y.example' }, /PA_SMTP_URL/],
        [{ PA_SMTP_URL: 'smtp://127.0.0.1:1', PA_SMTP_FROM: 'not an address' }, /PA_SMTP_FROM/]]) {
        const r = spawnSync(BIN, ['--root', repoRoot, '--data', dir, '--port', '0'], {
          env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000,
        });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, named);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const ACCOUNT_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE email_tokens')) + 1;

describe('the account schema upgrade (version 13 when written)', () => {
  test('a SQLite database one version older is upgraded in place: no links, no country, and a reset works on it', async () => {
    assert.ok(ACCOUNT_VERSION > 0, 'a migration makes email_tokens');
    const { tmp, data, sql, migrations: m } = await oldDatabase('account', ACCOUNT_VERSION - 1);
    const mail = email('old');
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', '${mail}', 1);`);
    const server = await startServer({ data, seed: false, env: { PA_DATABASE_URL: '' } });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql("SELECT links, country IS NULL, locale = '' FROM users"), '[] 1 1');
      assert.equal((await new Client(server).post('/api/v1/auth/reset', { email: mail }, sameSite(server))).status, 200);
      assert.equal(sql('SELECT kind, to_addr FROM outbox'), `reset ${mail}`);
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets the tables and columns from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-account-pg-'));
    const pg = await createDatabase('pa_account_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      // The version before, exactly as a server of that version made it.
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      assert.match(migrations[ACCOUNT_VERSION - 1 - baseVersion], /CREATE TABLE email_tokens/, 'the same migration on both engines');
      await runSql(pg.url, `${base}\n${migrations.slice(0, ACCOUNT_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${ACCOUNT_VERSION - 1};
        INSERT INTO users (handle, name, email, created_at) VALUES ('bea', 'Bea', 'bea@example.test', 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT links, country FROM users'), [{ links: '[]', country: null }]);
        assert.equal((await new Client(server).post('/api/v1/auth/reset', { email: 'bea@example.test' }, sameSite(server))).status, 200);
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM outbox'), [{ kind: 'reset' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
