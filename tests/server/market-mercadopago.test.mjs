// A seller connects their Mercado Pago payout account (issue 20; web/README.md
// "Marketplace"): POST /api/v1/me/seller/mercadopago/connect → the
// simulator's authorization page (web/paysim/mp-oauth.mjs) with a
// single-use state bound to the session → Allow or Deny → our callback,
// which trades the code and keeps the grant sealed under PA_SECRETS_KEY;
// DELETE disconnects. Refused: a replayed state, another person's, another
// session's, an expired one, none; no session (401), CSRF, not a Mercado
// Pago seller (409), no PA_SECRETS_KEY (503). The tokens are never in the
// database in clear nor in the server's log. The token checkout reads
// (pa_market_mp_token) through `petamigos-server admin mp-check`: refreshed
// when near expiry, the new grant saved, the old refresh token spent. One
// server and one simulator for the file (and a keyless server for the 503).
// Runs on SQLite and PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startPaysim } from '../lib/paysim.mjs';
import { BIN, Client, assertError, databaseEnv, databaseHolds, dbQuery, email, startServer, stopServer } from './helpers.mjs';

const KEY = 'c3'.repeat(32); // PA_SECRETS_KEY
const STATE_SECONDS = 600; // PA_MARKET_MP_STATE_SECONDS
const REFRESH_SECONDS = 7 * 24 * 3600; // PA_MARKET_MP_REFRESH_SECONDS
const CALLBACK = '/api/v1/market/mercadopago/callback';
const RUN_BOUND_MS = 60_000; // hang guard only

let sim, server, tmp, stateFile;

async function mpSeller(tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, 'correct horse battery', `Person ${tag}`);
  const r = await c.put('/api/v1/me/seller', { name: `Shop ${tag}`, payout: { provider: 'mercadopago' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { c, user, mail, num: Number(user.id.slice(2)) };
}

/** Starts a connection: the authorization URL's query. */
async function connect(s) {
  const r = await s.c.post('/api/v1/me/seller/mercadopago/connect', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const url = new URL(r.body.url);
  assert.equal(url.origin + url.pathname, `${sim.url}mercadopago/authorization`);
  return url.searchParams;
}

/** The seller's decision on the provider's page: the path of our callback it redirects to. */
async function decide(q, decision) {
  const out = await sim.mpAuthorize({ client_id: q.get('client_id'), redirect_uri: q.get('redirect_uri'), state: q.get('state'), decision, country: 'BR' });
  const back = new URL(out.redirect);
  assert.equal(back.pathname, CALLBACK);
  return back.pathname + back.search;
}

function result(r) {
  assert.equal(r.status, 303, JSON.stringify(r.body));
  const loc = new URL(r.headers.location);
  assert.equal(loc.pathname, '/sell');
  return loc.searchParams.get('mercadopago');
}

function admin(args) {
  return new Promise(async (resolve) => {
    const env = { ...process.env, ...(await databaseEnv(server.dir)), ...sim.serverEnv(), PA_SECRETS_KEY: KEY };
    execFile(BIN, ['admin', '--data', server.dir, ...args], { env, timeout: RUN_BOUND_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** Every token the simulator issued: what must never be found in clear. */
async function issued() {
  const st = JSON.parse(await readFile(stateFile, 'utf8'));
  const o = st.mp?.oauth ?? { access: {}, refresh: {} };
  return { access: Object.keys(o.access), refresh: Object.keys(o.refresh), state: o };
}

describe('the marketplace: a seller connects Mercado Pago', () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-mp-connect-'));
    stateFile = path.join(tmp, 'sim.json');
    sim = await startPaysim({ args: ['--state', stateFile] });
    server = await startServer({ seed: false, env: { ...sim.serverEnv(), PA_SECRETS_KEY: KEY } });
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await sim.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  test('approve: connected, the grant sealed (never in clear in the database or the log); disconnect erases it', async () => {
    const s = await mpSeller('approve');
    const q = await connect(s);
    assert.equal(q.get('redirect_uri'), `${server.url.replace(/\/$/, '')}${CALLBACK}`);
    assert.match(q.get('state'), /^[A-Za-z0-9_-]{43}$/);
    // The page itself renders for the seller.
    const page = await sim.call('GET', `mercadopago/authorization?${q}`);
    assert.equal(page.status, 200);
    assert.equal(result(await s.c.get(await decide(q, 'approve'))), 'connected');
    assert.equal((await s.c.get('/api/v1/me/seller')).body.payout.connected, true);
    // The state is kept only hashed, and is gone once used.
    assert.equal(databaseHolds(server, q.get('state')), false);
    assert.equal(dbQuery(server, `SELECT count(*) FROM mp_connect_states WHERE user_id = ${s.num}`), '0');
    const { access, refresh } = await issued();
    assert.ok(access.length >= 1 && refresh.length >= 1);
    for (const t of [...access, ...refresh]) {
      assert.equal(databaseHolds(server, t), false, 'a token in clear in the database');
      assert.equal(server.stderr.includes(t) || server.stdout.includes(t), false, 'a token in the log');
    }
    const row = dbQuery(server, `SELECT mp_user_id, generation FROM mp_grants WHERE user_id = ${s.num}`);
    assert.match(row, /^\d+\|1$/);
    // Disconnect: the grant is erased, the seller shows not connected.
    assertError(await s.c.del('/api/v1/me/seller/mercadopago', undefined, { csrf: false }), 403, 'csrf');
    assert.equal((await s.c.del('/api/v1/me/seller/mercadopago')).status, 200);
    assert.equal((await s.c.get('/api/v1/me/seller')).body.payout.connected, false);
    assert.equal(dbQuery(server, `SELECT count(*) FROM mp_grants WHERE user_id = ${s.num}`), '0');
    assert.equal((await s.c.del('/api/v1/me/seller/mercadopago')).status, 200);
  });

  test('deny on the provider\'s page: not connected; the state is spent', async () => {
    const s = await mpSeller('deny');
    const q = await connect(s);
    const back = await decide(q, 'deny');
    assert.match(back, /error=access_denied/);
    assert.equal(result(await s.c.get(back)), 'denied');
    assert.equal((await s.c.get('/api/v1/me/seller')).body.payout.connected, false);
    assertError(await s.c.get(back), 400, 'invalid_state');
  });

  test('refused: a replayed state, another person\'s, another session\'s, an expired one, none', async () => {
    const s = await mpSeller('replay');
    const q = await connect(s);
    const back = await decide(q, 'approve');
    // Another person cannot use it (and does not spend it).
    const eve = await mpSeller('eve');
    assertError(await eve.c.get(back), 400, 'invalid_state');
    // Nor the same person in another session.
    const other = new Client(server);
    await other.login(s.mail, 'correct horse battery');
    assertError(await other.get(back), 400, 'invalid_state');
    assert.equal(result(await s.c.get(back)), 'connected');
    assertError(await s.c.get(back), 400, 'invalid_state'); // replayed
    // No session: 401; no state, an unknown one: refused.
    assertError(await new Client(server).get(back), 401, 'unauthorized');
    assertError(await s.c.get(`${CALLBACK}?code=TG-x`), 400, 'invalid_state');
    assertError(await s.c.get(`${CALLBACK}?code=TG-x&state=${'A'.repeat(43)}`), 400, 'invalid_state');
    // A new connection replaces the pending one: the first state stops working.
    const t0 = Math.floor(Date.now() / 1000);
    const q1 = await connect(s);
    const q2 = await connect(s);
    const t1 = Math.ceil(Date.now() / 1000);
    const exp = Number(dbQuery(server, `SELECT expires_at FROM mp_connect_states WHERE user_id = ${s.num}`));
    assert.ok(exp >= t0 + STATE_SECONDS && exp <= t1 + STATE_SECONDS, `a state lives ${STATE_SECONDS} s`);
    assertError(await s.c.get(`${CALLBACK}?code=TG-x&state=${q1.get('state')}`), 400, 'invalid_state');
    // Expired (its time moved back past now) is refused; a few seconds left is
    // allowed (q3 below).
    dbQuery(server, `UPDATE mp_connect_states SET expires_at = expires_at - ${STATE_SECONDS} - 5 WHERE user_id = ${s.num}`);
    assertError(await s.c.get(`${CALLBACK}?code=TG-x&state=${q2.get('state')}`), 400, 'invalid_state');
    // A code the provider refuses (forged) with a good state: back to the page, failed.
    const q3 = await connect(s);
    dbQuery(server, `UPDATE mp_connect_states SET expires_at = ${Math.floor(Date.now() / 1000) + 5} WHERE user_id = ${s.num}`);
    assert.equal(result(await s.c.get(`${CALLBACK}?code=TG-forged-1&state=${q3.get('state')}`)), 'failed');
  });

  test('who may connect: no session 401, CSRF, a PayPal seller or nobody 409', async () => {
    assertError(await new Client(server).post('/api/v1/me/seller/mercadopago/connect', {}), 401, 'unauthorized');
    const s = await mpSeller('csrf');
    assertError(await s.c.post('/api/v1/me/seller/mercadopago/connect', {}, { csrf: false }), 403, 'csrf');
    const pp = new Client(server);
    await pp.signup(email('paypal'), 'correct horse battery', 'PayPal seller');
    assertError(await pp.post('/api/v1/me/seller/mercadopago/connect', {}), 409, 'not_a_seller');
    assertError(await pp.del('/api/v1/me/seller/mercadopago'), 409, 'not_a_seller');
    assert.equal((await pp.put('/api/v1/me/seller', { name: 'PP', payout: { provider: 'paypal', email: 'pp@example.test' } })).status, 201);
    assertError(await pp.post('/api/v1/me/seller/mercadopago/connect', {}), 409, 'not_mercadopago');
    assertError(await pp.del('/api/v1/me/seller/mercadopago'), 409, 'not_mercadopago');
  });

  test('a change of payout provider erases the grant', async () => {
    const s = await mpSeller('switch');
    const q = await connect(s);
    assert.equal(result(await s.c.get(await decide(q, 'approve'))), 'connected');
    assert.equal(dbQuery(server, `SELECT count(*) FROM mp_grants WHERE user_id = ${s.num}`), '1');
    assert.equal((await s.c.put('/api/v1/me/seller', { name: 'S', payout: { provider: 'paypal', email: 's@example.test' } })).status, 200);
    assert.equal(dbQuery(server, `SELECT count(*) FROM mp_grants WHERE user_id = ${s.num}`), '0');
  });

  test('checkout\'s token (admin mp-check): used as is, refreshed near expiry with the grant saved, the old refresh token spent', async () => {
    const s = await mpSeller('token');
    const q = await connect(s);
    assert.equal(result(await s.c.get(await decide(q, 'approve'))), 'connected');
    const before = dbQuery(server, `SELECT mp_user_id, expires_at, generation FROM mp_grants WHERE user_id = ${s.num}`).split('|');
    // Far from expiry: the token as stored, no refresh.
    let r = await admin(['mp-check', s.mail]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { mp_user_id: before[0], expires_at: Number(before[1]) });
    assert.equal(dbQuery(server, `SELECT generation FROM mp_grants WHERE user_id = ${s.num}`), '1');
    const old = await issued();
    // One second past the refresh window's edge: still used as is; at the edge: refreshed.
    const now = Math.floor(Date.now() / 1000);
    dbQuery(server, `UPDATE mp_grants SET expires_at = ${now + REFRESH_SECONDS + 60} WHERE user_id = ${s.num}`);
    r = await admin(['mp-check', s.mail]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dbQuery(server, `SELECT generation FROM mp_grants WHERE user_id = ${s.num}`), '1');
    dbQuery(server, `UPDATE mp_grants SET expires_at = ${now + REFRESH_SECONDS - 60} WHERE user_id = ${s.num}`);
    r = await admin(['mp-check', s.mail]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mp_user_id, before[0]);
    assert.ok(out.expires_at > now + 100 * 86400, 'a fresh grant (180 days)');
    assert.equal(dbQuery(server, `SELECT generation FROM mp_grants WHERE user_id = ${s.num}`), '2');
    // The refresh token the seller had is spent at the provider; the new tokens are sealed too.
    const now2 = await issued();
    const spent = old.refresh.filter((t) => now2.state.refresh[t].used);
    assert.equal(spent.length >= 1, true);
    for (const t of [...now2.access, ...now2.refresh]) assert.equal(databaseHolds(server, t), false);
    assert.equal(r.stdout.includes('APP_USR'), false, 'mp-check never prints the token');
    // Not connected: refused.
    assert.equal((await s.c.del('/api/v1/me/seller/mercadopago')).status, 200);
    r = await admin(['mp-check', s.mail]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not connected/);
  });

  test('without PA_SECRETS_KEY no connection starts (tokens are never kept in clear)', async () => {
    const keyless = await startServer({ seed: false, env: sim.serverEnv() });
    try {
      const c = new Client(keyless);
      await c.signup(email('keyless'), 'correct horse battery', 'Keyless');
      assert.equal((await c.put('/api/v1/me/seller', { name: 'K', payout: { provider: 'mercadopago' } })).status, 201);
      assertError(await c.post('/api/v1/me/seller/mercadopago/connect', {}), 503, 'provider_unavailable');
    } finally {
      await stopServer(keyless, { keepData: false });
    }
  });
});
