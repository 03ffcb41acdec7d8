// One identity per person on the server (issue 22, "Identity you can check"):
// PUT /api/v1/chat/device-list with real lists signed by the chat WASM module
// (core/src/chat/chat.md, "Account identity and device list") — every rule and
// error of the contract: authorization (no session, no CSRF token, another
// person's device, a list signed for another account), the signature, the
// version, listed keys that are the account's registered devices, the
// account key kept unless no listed device exists (a reset); the count at
// PA_DEVLIST_MAX; GET /users/{u}/chat-devices serving `identity`, `name`,
// `created_at` and `device_list`; the relay's envelope cap
// PA_CHAT_MAX_ENVELOPES at its edge; and the upgrade to the schema that adds
// chat_device_lists on both engines. The browser side is
// tests/browser/chat-identity.test.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';
import { loadCore } from '../lib/core.mjs';
import { SITE } from '../lib/paths.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';

const { wrapChat, toB64 } = await import(path.join(SITE, 'chat', 'crypto.js'));

const MAX_DEVICES = 5; // PA_CHAT_MAX_DEVICES (web/src/api/chat_relay.h) = PA_DEVLIST_MAX (core)
const MAX_ENVELOPES = 2 * MAX_DEVICES; // PA_CHAT_MAX_ENVELOPES
const NOW = Math.floor(Date.now() / 1000);
const num = (id) => Number(id.split('_')[1]);

describe('signed device lists', () => {
  let server, c, ana, bo, anon;
  const ids = {}; // device id → identity handle
  before(async () => {
    c = wrapChat(await loadCore('chat'));
    server = await startServer();
    ana = new Client(server);
    bo = new Client(server);
    anon = new Client(server);
    await ana.signup(email('ana-devlist'), 'ana password 1', 'Ana');
    await bo.signup(email('bo-devlist'), 'bo password 12', 'Bo');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  // Registers a device for client: {id, h (identity handle), ik (bytes)}.
  async function device(client) {
    const h = c.identityCreate(NOW, 2);
    const r = await client.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(h)) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[r.body.id] = h;
    return { id: r.body.id, h, ik: c.identityKey(h) };
  }
  const sign = (aik, who, version, devs) => toB64(c.devlistSign(aik, who.user.id, version, NOW, devs.map((d) => d.ik)));
  const publish = (who, list, dev) => who.put('/api/v1/chat/device-list', { list, device: dev.id });

  let aikA, a1, a2, b1;
  test('authorization: no session, no CSRF token, another person\'s device, a list signed for another account', async () => {
    aikA = c.aikCreate();
    a1 = await device(ana);
    b1 = await device(bo);
    const list = sign(aikA, ana, 1, [a1]);
    assertError(await anon.put('/api/v1/chat/device-list', { list, device: a1.id }), 401, 'unauthorized');
    assertError(await ana.put('/api/v1/chat/device-list', { list, device: a1.id }, { csrf: false }), 403, 'csrf');
    // Bo's device named in Ana's request: not hers (404, as for every device route).
    assertError(await publish(ana, list, b1), 404, 'not_found');
    // A list Ana's key signed for Bo's account, posted by Bo and by Ana: refused both ways.
    const forBo = sign(aikA, bo, 1, [b1]);
    assertError(await publish(bo, list, b1), 400, 'bad_list');
    const r = await publish(ana, forBo, a1);
    assertError(r, 400, 'bad_list');
    assert.match(r.body.error.message, /signature does not verify for account u_/);
    // Nothing was stored for either.
    assert.equal(dbQuery(server, 'SELECT count(*) FROM chat_device_lists'), '0');
    const peer = await bo.get(`/api/v1/users/${ana.user.id}/chat-devices`);
    assert.equal(peer.status, 200);
    assert.equal(peer.body.device_list, null);
  });

  test('the first list: published, then served to peers with identity, name and created_at', async () => {
    const list = sign(aikA, ana, 1, [a1]);
    const r = await publish(ana, list, a1);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { version: 1, devices: 1 });
    const peer = await bo.get(`/api/v1/users/${ana.user.id}/chat-devices`);
    assert.equal(peer.body.device_list, list);
    assert.equal(peer.body.devices.length, 1);
    const [d] = peer.body.devices;
    assert.equal(d.id, a1.id);
    assert.equal(d.identity, toB64(a1.ik));
    assert.equal(d.identity_key, d.identity);
    assert.equal(d.name, null);
    assert.ok(Date.parse(d.created_at) > 0);
    // What a peer verifies: the served bytes, for Ana's account only.
    const v = c.devlistVerify(Buffer.from(peer.body.device_list, 'base64'), ana.user.id);
    assert.deepEqual(v.devices, [a1.ik]);
    assert.throws(() => c.devlistVerify(Buffer.from(peer.body.device_list, 'base64'), bo.user.id));
    assert.equal(dbQuery(server, `SELECT version, length(list), length(aik) FROM chat_device_lists WHERE user_id = ${num(ana.user.id)}`),
      '1|146|32');
  });

  test('every refusal: version, unregistered and missing devices, tampering, the body', async () => {
    a2 = await device(ana);
    // The same version again, and an older one: 409 stale_version.
    assertError(await publish(ana, sign(aikA, ana, 1, [a1, a2]), a1), 409, 'stale_version');
    assertError(await publish(ana, sign(aikA, ana, 0, [a1, a2]), a1), 409, 'stale_version');
    // A key that is not one of Ana's registered devices (Bo's, or nobody's).
    const stranger = { ik: c.identityKey(c.identityCreate(NOW, 0)) };
    assertError(await publish(ana, sign(aikA, ana, 2, [a1, b1]), a1), 400, 'bad_list');
    assertError(await publish(ana, sign(aikA, ana, 2, [a1, stranger]), a1), 400, 'bad_list');
    // The publishing device must be in it.
    const without = await publish(ana, sign(aikA, ana, 2, [a1]), a2);
    assertError(without, 400, 'bad_list');
    assert.match(without.body.error.message, /must name the device that publishes it/);
    // A changed byte: the signature fails.
    const bytes = Buffer.from(sign(aikA, ana, 2, [a1, a2]), 'base64');
    bytes[60] ^= 1;
    assertError(await publish(ana, bytes.toString('base64'), a1), 400, 'bad_list');
    // Body: not base64, empty, too long, extra member, no device, a malformed id.
    const good = sign(aikA, ana, 2, [a1, a2]);
    for (const body of [{ list: 'not base64!', device: a1.id }, { list: '', device: a1.id },
      { list: Buffer.alloc(275).toString('base64'), device: a1.id }, { list: good, device: a1.id, extra: 1 },
      { list: good }, { list: good, device: 'd_01' }, { list: good, device: 7 }, []]) {
      assertError(await ana.put('/api/v1/chat/device-list', body), 400, 'bad_request');
    }
    // None of it changed the stored list.
    assert.equal(dbQuery(server, `SELECT version FROM chat_device_lists WHERE user_id = ${num(ana.user.id)}`), '1');
    const r = await publish(ana, good, a2);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { version: 2, devices: 2 });
  });

  test(`the count at PA_DEVLIST_MAX (${MAX_DEVICES}): five listed, a sixth refused`, async () => {
    const all = [a1, a2];
    while (all.length < MAX_DEVICES) all.push(await device(ana));
    // The cap on registering agrees: a sixth device is refused with the contract's message.
    const sixth = await ana.post('/api/v1/chat/devices', { bundle: toB64(c.bundle(c.identityCreate(NOW, 0))) });
    assertError(sixth, 409, 'too_many_devices');
    assert.equal(sixth.body.error.message, `You have ${MAX_DEVICES} devices; remove one in Settings first`);
    const five = sign(aikA, ana, 3, all);
    const r = await publish(ana, five, a1);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.devices, MAX_DEVICES);
    // Six keys cannot be signed; six written by hand (one key more, 306 bytes) are past the
    // body's 274-byte limit, and the count byte set to 6 in a list of five is refused by the core.
    assert.throws(() => c.devlistSign(aikA, ana.user.id, 4, NOW, [...all.map((d) => d.ik), b1.ik]), /devices/);
    const bytes = Buffer.from(five, 'base64');
    assert.equal(bytes.length, 274);
    const six = Buffer.concat([bytes.subarray(0, 50 + 32 * MAX_DEVICES), Buffer.from(b1.ik), bytes.subarray(50 + 32 * MAX_DEVICES)]);
    six[49] = MAX_DEVICES + 1;
    const long = await publish(ana, six.toString('base64'), a1);
    assertError(long, 400, 'bad_request');
    assert.match(long.body.error.message, /at most 274 bytes/);
    const count = Buffer.from(bytes);
    count[49] = MAX_DEVICES + 1;
    const refused = await publish(ana, count.toString('base64'), a1);
    assertError(refused, 400, 'bad_list');
    assert.match(refused.body.error.message, /6 devices, want 1\.\.5/);
    // Back to two, for what follows (removing devices from the list is a newer version).
    for (const d of all.slice(2)) assert.equal((await ana.del(`/api/v1/chat/devices/${d.id}`)).status, 200);
    assert.equal((await publish(ana, sign(aikA, ana, 4, [a1, a2]), a1)).status, 200);
  });

  test('another account key: refused while a listed device exists, taken after a reset', async () => {
    const aikB = c.aikCreate();
    const r = await publish(ana, sign(aikB, ana, 5, [a1, a2]), a1);
    assertError(r, 409, 'identity_mismatch');
    // One listed device left is enough to keep the key.
    assert.equal((await ana.del(`/api/v1/chat/devices/${a2.id}`)).status, 200);
    assertError(await publish(ana, sign(aikB, ana, 5, [a1]), a1), 409, 'identity_mismatch');
    // Every listed device removed: a new first device publishes under a new key (a reset)...
    assert.equal((await ana.del(`/api/v1/chat/devices/${a1.id}`)).status, 200);
    const fresh = await device(ana);
    assertError(await publish(ana, sign(aikB, ana, 4, [fresh]), fresh), 409, 'stale_version');
    const reset = await publish(ana, sign(aikB, ana, 5, [fresh]), fresh);
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    // ...which peers are served, and see as another key.
    const peer = await bo.get(`/api/v1/users/${ana.user.id}/chat-devices`);
    const v = c.devlistVerify(Buffer.from(peer.body.device_list, 'base64'), ana.user.id);
    assert.deepEqual(v.aik, c.aikKey(aikB));
    assert.notDeepEqual(v.aik, c.aikKey(aikA));
    // From now on the old key is the one refused.
    assertError(await publish(ana, sign(aikA, ana, 6, [fresh]), fresh), 409, 'identity_mismatch');
    // A device outside the list is served as registered, and the list still names only the listed one.
    const pending = await device(ana);
    const served = await bo.get(`/api/v1/users/${ana.user.id}/chat-devices`);
    assert.deepEqual(served.body.devices.map((d) => d.id), [fresh.id, pending.id]);
    assert.deepEqual(c.devlistVerify(Buffer.from(served.body.device_list, 'base64'), ana.user.id).devices, [fresh.ik]);
  });

  test(`the relay takes at most PA_CHAT_MAX_ENVELOPES (${MAX_ENVELOPES}) envelopes a message`, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${b1.id}`, {
      headers: { cookie: `pa_session=${bo.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
    });
    const frames = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    // The next frame that answers a send (the socket's hello and backlog aside).
    const next = async () => {
      for (let i = 0; i < 200; i++) {
        const at = frames.findIndex((f) => f.type === 'error' || f.type === 'sent');
        if (at >= 0) return frames.splice(at, 1)[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no answer; have ${JSON.stringify(frames)}`);
    };
    const anaDevices = (await bo.get(`/api/v1/users/${ana.user.id}/chat-devices`)).body.devices;
    const env = (n) => Array.from({ length: n }, (_, i) => ({ device: anaDevices[i % anaDevices.length].id, body: 'AQ==' }));
    ws.send(JSON.stringify({ type: 'send', id: 'over', to: ana.user.id, envelopes: env(MAX_ENVELOPES + 1) }));
    const over = await next();
    assert.equal(over.type, 'error');
    assert.match(over.message, new RegExp(`1 to ${MAX_ENVELOPES}`));
    // At the cap the count passes; these ten name two devices, so the next rule speaks.
    ws.send(JSON.stringify({ type: 'send', id: 'at', to: ana.user.id, envelopes: env(MAX_ENVELOPES) }));
    const at = await next();
    assert.equal(at.type, 'error');
    assert.match(at.message, /two envelopes for one device/);
    ws.close();
  });
});

// The upgrade to the schema that adds chat_device_lists.
const LIST_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chat_device_lists')) + 1;

describe(`the upgrade to schema ${LIST_VERSION}: signed device lists`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO chat_devices (id, user_id, identity, spk, spk_id, created_at)
      VALUES (3, 1, CAST('${'i'.repeat(32)}' AS BLOB), CAST('${'s'.repeat(108)}' AS BLOB), 1, 1);`;
  const list = (v) => `INSERT INTO chat_device_lists (user_id, aik, version, list, updated_at)
    VALUES (1, CAST('${'a'.repeat(32)}' AS BLOB), ${v}, CAST('${'l'.repeat(146)}' AS BLOB), 2)`;

  test('SQLite: a file one version older keeps its devices and gets the table', async () => {
    assert.ok(LIST_VERSION > 0, 'a migration creates chat_device_lists');
    const { tmp, data, sql, migrations: m } = await oldDatabase('devlist', LIST_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, user_id FROM chat_devices'), '3 1');
      sql(`${list(1)};`);
      assert.throws(() => sql(`${list(2)};`), 'one list per person');
      assert.equal(sql('SELECT version, length(list) FROM chat_device_lists'), '1 146');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-devlist-pg-'));
    const pg = await createDatabase('pa_devlist_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      const blobRows = rows.replaceAll(/CAST\('([^']*)' AS BLOB\)/g, "convert_to('$1', 'UTF8')");
      await runSql(pg.url, `${base}\n${migrations.slice(0, LIST_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${LIST_VERSION - 1};
        ${blobRows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT id, user_id FROM chat_devices'), [{ id: '3', user_id: '1' }]);
        const pgList = (v) => list(v).replaceAll(/CAST\('([^']*)' AS BLOB\)/g, "convert_to('$1', 'UTF8')");
        await runSql(pg.url, `${pgList(1)};`);
        await assert.rejects(runSql(pg.url, `${pgList(2)};`));
        assert.deepEqual(await query(pg.url, 'SELECT version, octet_length(list) AS n FROM chat_device_lists'), [{ version: '1', n: '146' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
