// The Chatwoot mirror (issue 23; web/README.md "Chatwoot"): with
// PA_CHATWOOT_* set, each support conversation is mirrored to Chatwoot's
// Application API (here the stand-in web/chatwootsim/, which follows the
// documented endpoints and payloads) through the outbox and its worker:
// the person as a contact u_N (no e-mail), the conversation, the person's
// messages as incoming ones, the assistant's transcript lines as private
// notes. A failure answered after Chatwoot did the work (the sim's "after"
// fault, a 500) is retried without a duplicate. Replies and status changes
// come back by the webhook: an agent's public reply reaches the person's
// support socket, a resolve there resolves here (the person may rate), a
// replayed or late webhook changes nothing, a forged path token is a 404 and
// a bad signature a 401, both applying nothing. Plus the upgrade from the
// schema before on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from './socket.mjs';
import { startChatwootsim } from '../lib/chatwootsim.mjs';
import { until } from '../lib/paysim.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const HOOK_TOKEN = 'cw-hook-7b1f0c2e9d4a';
const SECRET = 'cw-signing-secret';
const SKEW_S = 300; // PA_CHATWOOT_SKEW_S
const BODY_MAX = 4000; // PA_CHATWOOT_HOOK_BODY_MAX
const CONVS = '/api/v1/support/conversations';
const HOOK = `/api/v1/webhooks/chatwoot/${HOOK_TOKEN}`;

async function person(server, tag) {
  const c = new Client(server);
  const user = await c.signup(email(tag), PASSWORD, `${tag[0].toUpperCase()}${tag.slice(1)}`);
  return { c, id: user.id };
}

/** Chatwoot's signature headers for raw (a JSON text) at ts (seconds). */
function signed(raw, ts = Math.floor(Date.now() / 1000), secret = SECRET) {
  return {
    'x-chatwoot-timestamp': String(ts),
    'x-chatwoot-signature': 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex'),
  };
}

describe('the Chatwoot mirror', () => {
  let cw, server, ann, bob, hook;

  before(async () => {
    cw = await startChatwootsim({ secret: SECRET });
    server = await startServer({ seed: false, env: cw.serverEnv(HOOK_TOKEN) });
    await cw.config({ hook: `${server.url}api/v1/webhooks/chatwoot/${HOOK_TOKEN}` });
    ann = await person(server, 'ann');
    bob = await person(server, 'bob');
    hook = new Client(server);
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await cw.stop();
  });

  /** Posts a webhook body to path, signed unless headers are given. */
  const post = (body, { target = HOOK, headers } = {}) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return hook.request('POST', target, { body: raw, headers: { 'content-type': 'application/json', ...(headers ?? signed(raw)) } });
  };
  const conversationOf = async (sc) => {
    const st = await cw.state();
    return st.conversations.find((c) => c.custom_attributes.petamigos_conversation === sc);
  };
  const outboxEmpty = () => dbQuery(server, 'SELECT count(*) FROM chatwoot_outbox') === '0';

  let sc, remote;

  test('a hand-off is mirrored once, though Chatwoot answered 500 after doing the work', async () => {
    // The contact's creation fails outright once; the conversation and the first message are made in
    // Chatwoot, and their answers lost.
    await cw.fail({ method: 'POST', path: 'contacts', status: 500 });
    await cw.fail({ method: 'POST', path: 'conversations', status: 500, after: true });
    await cw.fail({ method: 'POST', path: '/messages', status: 500, after: true });
    const open = await ann.c.post(CONVS, {
      subject: 'Cambiar la foto', locale: 'es',
      transcript: [{ author: 'person', body: '¿Cómo cambio la foto de mi perro?' }, { author: 'assistant', body: 'Abre el perfil de tu mascota.' }],
    });
    assert.equal(open.status, 201, JSON.stringify(open.body));
    sc = open.body.id;
    await until('the transcript mirrored', async () => outboxEmpty() && (await conversationOf(sc))?.messages.length === 2);
    const st = await cw.state();
    assert.deepEqual(st.contacts.map((k) => [k.identifier, k.email]), [[ann.id, null]], 'one contact, u_N, no e-mail');
    assert.ok(st.contacts[0].contact_inboxes.some((ci) => ci.source_id === `petamigos-${ann.id}` && ci.inbox.id === cw.inbox));
    const mine = st.conversations.filter((c) => c.contact_inbox.contact_id === st.contacts[0].id);
    assert.equal(mine.length, 1, 'the lost answer made no second conversation');
    const conv = mine[0];
    remote = conv.id;
    assert.equal(conv.inbox_id, cw.inbox);
    assert.equal(conv.contact_inbox.source_id, `petamigos-${ann.id}`, 'the conversation is on our contact inbox');
    assert.deepEqual(conv.messages.map((m) => [m.content, m.message_type, m.private]), [
      ['¿Cómo cambio la foto de mi perro?', 'incoming', false],
      ['Assistant: Abre el perfil de tu mascota.', 'outgoing', true],
    ], 'the lost message answer made no duplicate');
    // The retries looked before they made: the contact's conversations, the conversation's messages.
    const paths = st.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes(`GET /contacts/${st.contacts[0].id}/conversations`), paths.join('\n'));
    assert.ok(paths.includes(`GET /conversations/${remote}/messages`), paths.join('\n'));
    assert.equal(dbQuery(server, `SELECT count(*) FROM support_messages WHERE conversation_id = ${sc.split('_')[1]} AND chatwoot_id IS NOT NULL`), '2');

    // The person writes again: one more incoming message, in the same conversation.
    const more = await ann.c.post(`${CONVS}/${sc}/messages`, { body: 'Gracias, pero no veo el botón' });
    assert.equal(more.status, 201);
    await until('the new message mirrored', async () => outboxEmpty() && (await conversationOf(sc)).messages.length === 3);
    const after = await conversationOf(sc);
    assert.equal(after.messages[2].content, 'Gracias, pero no veo el botón');
    assert.equal(after.messages[2].message_type, 'incoming');
    assert.equal((await cw.state()).contacts.length, 1);
  });

  test('the stand-in answers like Chatwoot: 401 without the token, 404 for another account, 422 for a taken identifier', async () => {
    const base = `api/v1/accounts/${cw.account}`;
    assert.equal((await cw.call('GET', `${base}/contacts/search?q=u_1`)).status, 401);
    assert.equal((await cw.call('GET', `${base}/contacts/search?q=u_1`, undefined, { api_access_token: 'wrong' })).status, 401);
    const auth = { api_access_token: cw.token };
    assert.equal((await cw.call('GET', `api/v1/accounts/${cw.account + 1}/contacts/search?q=u_1`, undefined, auth)).status, 404);
    assert.equal((await cw.call('POST', `${base}/contacts`, { name: 'Again', identifier: ann.id }, auth)).status, 422);
    assert.equal((await cw.call('POST', `${base}/conversations/999999/messages`, { content: 'x' }, auth)).status, 404);
  });

  test('a message that keeps failing is retried with back-off: the 11th failure kept, the 12th dropped', async () => {
    const ATTEMPTS_MAX = 12; // PA_CHATWOOT_ATTEMPTS_MAX
    // Failing before the hand-off: the worker is woken by it at once.
    await cw.fail({ method: 'POST', path: '/messages', status: 503, times: 1000 });
    try {
      const open = await bob.c.post(CONVS, { subject: 'Pagos', transcript: [{ author: 'person', body: 'Mi pago falló' }] });
      assert.equal(open.status, 201);
      const conv = open.body.id.split('_')[1];
      const row = () => dbQuery(server, `SELECT attempts, next_at FROM chatwoot_outbox WHERE conversation_id = ${conv}`);
      // Whatever tries came first, the row is moved to its 11th try, due now.
      await until('a first failure', async () => Number(row().split('|')[0] || 0) >= 1);
      // (Again if a round under way wrote its own count over ours.)
      let before = 0;
      await until('the 11th failure', async () => {
        const attempts = Number(row().split('|')[0]);
        if (attempts < ATTEMPTS_MAX - 2) {
          before = Math.floor(Date.now() / 1000);
          dbQuery(server, `UPDATE chatwoot_outbox SET attempts = ${ATTEMPTS_MAX - 2}, next_at = 0 WHERE conversation_id = ${conv}`);
        }
        return attempts === ATTEMPTS_MAX - 1;
      });
      const after = Math.floor(Date.now() / 1000);
      const next = Number(row().split('|')[1]);
      // The back-off doubles from 1 s: 2^10 s after the 11th failure (under the hour's cap), counted from
      // the round's start, which may be the second before our update.
      assert.ok(next >= before - 1 + 1024 && next <= after + 1024, `next_at ${next} in [${before - 1}, ${after}] + 1024`);
      dbQuery(server, `UPDATE chatwoot_outbox SET next_at = 0 WHERE conversation_id = ${conv}`);
      await until('the 12th failure drops it', async () => row() === '');
      assert.equal(dbQuery(server, `SELECT count(*) FROM support_messages WHERE conversation_id = ${conv} AND chatwoot_id IS NULL`), '1');
      // The server's stderr reaches this process through a pipe, after the row is gone: wait for it.
      await until('the drop is logged', async () => /not mirrored after 12 tries: dropped/.test(server.stderr));
    } finally {
      await cw.fail({ clear: true });
    }
  });

  test('an agent reply in Chatwoot reaches the person live; a private one and a replay do not', async () => {
    const ws = await connect(server, ann.c);
    try {
      const r = await cw.reply(remote, 'Hola Ann: Mascotas → Editar → Foto.');
      assert.equal(r.status, 200, r.body);
      const f = await ws.next('support.message');
      assert.equal(f.conversation, sc);
      assert.equal(f.message.author, 'agent');
      assert.equal(f.message.body, 'Hola Ann: Mascotas → Editar → Foto.');
      // The same webhook again: applied once.
      const again = await cw.replay();
      assert.equal(again.status, 200);
      // An internal note in Chatwoot stays there.
      assert.equal((await cw.reply(remote, 'nota interna', true)).status, 200);
      const view = await ann.c.get(`${CONVS}/${sc}`);
      const agentMsgs = view.body.messages.filter((m) => m.author === 'agent');
      assert.deepEqual(agentMsgs.map((m) => m.body), ['Hola Ann: Mascotas → Editar → Foto.']);
      // Our own incoming messages coming back as webhooks are not applied either.
      assert.equal(view.body.messages.length, 4);
    } finally {
      ws.close();
    }
  });

  test('resolved in Chatwoot → resolved here, the person may rate; an older status changes nothing', async () => {
    const ws = await connect(server, ann.c);
    try {
      const r = await cw.status(remote, 'resolved');
      assert.equal(r.status, 200, r.body);
      const f = await ws.next('support.state');
      assert.deepEqual([f.conversation, f.state, f.can_rate], [sc, 'resolved', true]);
      // A late "open" from before the resolve: ignored.
      const late = { event: 'conversation_status_changed', id: remote, status: 'open', timestamp: 1 };
      assert.equal((await post(late)).status, 200);
      const view = await ann.c.get(`${CONVS}/${sc}`);
      assert.equal(view.body.state, 'resolved');
      assert.equal(view.body.can_rate, true);
      const rated = await ann.c.post(`${CONVS}/${sc}/rating`, { rating: 5 });
      assert.ok([200, 201].includes(rated.status), JSON.stringify(rated.body));
    } finally {
      ws.close();
    }
  });

  test('a forged or unknown path token is a 404 and applies nothing', async () => {
    const body = { event: 'message_created', id: 900001, content: 'forged', message_type: 'outgoing', private: false, conversation: { id: remote } };
    const before = dbQuery(server, 'SELECT count(*) FROM support_messages');
    for (const target of ['/api/v1/webhooks/chatwoot/wrong', `/api/v1/webhooks/chatwoot/${HOOK_TOKEN}x`, `/api/v1/webhooks/chatwoot/${HOOK_TOKEN.slice(0, -1)}`]) {
      assertError(await post(body, { target }), 404, 'not_found');
    }
    assert.equal(dbQuery(server, 'SELECT count(*) FROM support_messages'), before);
    // Signed by someone else, unsigned, or out of the window: 401, nothing applied.
    const raw = JSON.stringify(body);
    assertError(await post(raw, { headers: signed(raw, undefined, 'not-the-secret') }), 401, 'bad_signature');
    assertError(await post(raw, { headers: {} }), 401, 'bad_signature');
    const now = Math.floor(Date.now() / 1000);
    // The window's edges, with 5 s either side for the two clocks' seconds: inside applies, outside not.
    assertError(await post(raw, { headers: signed(raw, now - SKEW_S - 5) }), 401, 'bad_signature');
    assertError(await post(raw, { headers: signed(raw, now + SKEW_S + 5) }), 401, 'bad_signature');
    assert.equal(dbQuery(server, 'SELECT count(*) FROM support_messages'), before);
    const inside = (id, ts) => JSON.stringify({ ...body, id, content: `inside ${id}` });
    for (const [id, ts] of [[900011, now - SKEW_S + 5], [900012, now + SKEW_S - 5]]) {
      const r = inside(id);
      assert.equal((await post(r, { headers: signed(r, ts) })).status, 200);
    }
    assert.equal(dbQuery(server, 'SELECT count(*) FROM support_messages WHERE chatwoot_id IN (900011, 900012)'), '2');
    // No session is needed, and a session does not help with a wrong token.
    const withSession = await bob.c.request('POST', '/api/v1/webhooks/chatwoot/wrong', { body: raw, headers: { 'content-type': 'application/json', ...signed(raw) } });
    assertError(withSession, 404, 'not_found');
  });

  test('the body is read strictly; a reply at 4000 characters is applied, at 4001 refused', async () => {
    for (const bad of ['[]', '{"event":1}', '{"event":"message_created","id":"1","message_type":"outgoing","private":false,"conversation":{"id":1}}',
      '{"event":"message_created","id":1,"message_type":"outgoing","private":"no","conversation":{"id":1}}',
      '{"event":"conversation_status_changed","id":1,"status":"closed","timestamp":5}', '{"event":"x"} trailing']) {
      assertError(await post(bad), 400, 'bad_request');
    }
    // Another event, or a conversation that is not ours: acknowledged, nothing applied.
    assert.equal((await post({ event: 'contact_created', id: 1 })).status, 200);
    assert.equal((await post({ event: 'message_created', id: 900002, content: 'x', message_type: 'outgoing', private: false, conversation: { id: 999999 } })).status, 200);
    const edge = (n, id) => ({ event: 'message_created', id, content: 'é'.repeat(n), message_type: 'outgoing', private: false, conversation: { id: remote } });
    assert.equal((await post(edge(BODY_MAX, 900003))).status, 200);
    assertError(await post(edge(BODY_MAX + 1, 900004)), 400, 'bad_request');
    assert.equal(dbQuery(server, 'SELECT count(*) FROM support_messages WHERE chatwoot_id IN (900003, 900004)'), '1');
  });
});

describe('the webhook token from the environment', () => {
  test('16 and 43 characters work; 15 and 44 turn the webhook off (404), logged', async () => {
    const TOKEN_MIN = 16; // PA_CHATWOOT_HOOK_TOKEN_MIN
    const TOKEN_MAX = 43; // PA_CHATWOOT_HOOK_TOKEN_MAX
    const cases = [[TOKEN_MIN, 200], [TOKEN_MAX, 200], [TOKEN_MIN - 1, 404], [TOKEN_MAX + 1, 404]];
    const env = { PA_CHATWOOT_URL: 'http://127.0.0.1:9/', PA_CHATWOOT_TOKEN: 't', PA_CHATWOOT_ACCOUNT: '1', PA_CHATWOOT_INBOX: '1' };
    const servers = await Promise.all(cases.map(([n]) => startServer({ seed: false, env: { ...env, PA_CHATWOOT_WEBHOOK_TOKEN: 'k'.repeat(n) } })));
    try {
      for (const [i, [n, status]] of cases.entries()) {
        const c = new Client(servers[i]);
        const res = await c.request('POST', `/api/v1/webhooks/chatwoot/${'k'.repeat(n)}`, { json: { event: 'contact_created', id: 1 } });
        assert.equal(res.status, status, `a token of ${n}`);
        assert.equal(/PA_CHATWOOT_WEBHOOK_TOKEN must be/.test(servers[i].stderr), status === 404, `a token of ${n}: logged`);
      }
    } finally {
      await Promise.all(servers.map((s) => stopServer(s, { keepData: false })));
    }
  });
});

// The version that adds the mirror (42 when written on this branch; found in the source).
const MIRROR_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE chatwoot_outbox')) + 1;

describe(`the upgrade to schema ${MIRROR_VERSION}: the Chatwoot mirror`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO support_conversations (id, user_id, state, locale, subject, created_at, updated_at, last_person_at) VALUES (1, 1, 'open', 'en', 'Hi', 1, 1, 1);
    INSERT INTO support_messages (conversation_id, author, author_id, body, created_at) VALUES (1, 'person', 1, 'Hello', 1);`;

  test('SQLite: a file one version older gains the mirror, its conversations kept', async () => {
    assert.ok(MIRROR_VERSION > 0, 'a migration makes chatwoot_outbox');
    const { tmp, data, sql, migrations: m } = await oldDatabase('chatwoot', MIRROR_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, subject, chatwoot_id IS NULL, chatwoot_status_at IS NULL FROM support_conversations'), '1 Hi 1 1');
      assert.equal(sql(`INSERT INTO chatwoot_outbox (message_id, conversation_id, next_at, created_at) VALUES (1, 1, 1, 1);
        UPDATE support_messages SET chatwoot_id = 5; SELECT count(*) FROM chatwoot_outbox`), '1');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-chatwoot-pg-'));
    const pg = await createDatabase('pa_chatwoot_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, MIRROR_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${MIRROR_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, 'INSERT INTO chatwoot_outbox (message_id, conversation_id, next_at, created_at) VALUES (1, 1, 1, 1); UPDATE support_messages SET chatwoot_id = 5;');
        assert.deepEqual(await query(pg.url, 'SELECT c.subject, m.chatwoot_id FROM support_messages m JOIN support_conversations c ON c.id = m.conversation_id'), [{ subject: 'Hi', chatwoot_id: '5' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
