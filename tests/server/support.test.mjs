// Support conversations (issue 23, "hand-off and inbox"; web/README.md
// "Support"): a person hands a question over to people with the assistant's
// transcript, agents (role support or admin) work a queue ordered Plus first
// then longest waiting, write replies and internal notes (never shown to the
// person), assign, move states (a snooze is opened again by the chores when
// it comes — the clock is moved by restarting the server), and the person
// rates the help once it is resolved. Live frames go over the chat socket
// opened without ?device= (support frames only; no chat frame reaches it),
// tested over real sockets. Every route's authorization (no session, another
// person, wrong role, CSRF), every named limit at its edge, and the upgrade
// from the schema before on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { closeAll, connect } from './socket.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, chatBundle, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase,
  pgSchemaFromSource, startServer, stopServer,
} from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const BODY_MAX = 4000; // PA_SUPPORT_BODY_MAX
const SUBJECT_MAX = 200; // PA_SUPPORT_SUBJECT_MAX
const COMMENT_MAX = 1000; // PA_SUPPORT_COMMENT_MAX
const TRANSCRIPT_MAX = 20; // PA_SUPPORT_TRANSCRIPT_MAX
const CANNED_MAX = 200; // PA_STORE_SUPPORT_CANNED_MAX
const SNOOZE_MAX_S = 30 * 86400; // PA_SUPPORT_SNOOZE_MAX_S
const SUPPORT_BURST = 20; // PA_LIMIT_SUPPORT_BURST
const MINE_MAX = 50; // PA_STORE_SUPPORT_MINE_MAX
const QUEUE_PAGE_MAX = 100; // the agents' queue page (api/support.c)
const LOCALE_MAX = 16; // PA_STORE_SUPPORT_LOCALE_MAX
// The burst is the real one; the window is stretched so that nothing refills while the file runs.
const ENV = { PA_LIMIT_SUPPORT_WINDOW: '86400' };

const CONVS = '/api/v1/support/conversations';
const QUEUE = '/api/v1/admin/support/conversations';
const CANNED = '/api/v1/admin/support/canned';
const num = (id) => Number(id.split('_')[1]);
const iso = (secs) => new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Runs `petamigos-server admin --data DIR grant MAIL ROLE` on server's database. */
async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** A signed-up person: their client, email and user id. */
async function person(server, tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, `${tag[0].toUpperCase()}${tag.slice(1)}`);
  return { c, mail, id: user.id, name: user.display_name ?? user.name };
}

describe('support conversations', () => {
  let server, ann, bob, agent, admin, mod;

  before(async () => {
    server = await startServer({ seed: false, env: ENV });
    ann = await person(server, 'ann');
    bob = await person(server, 'bob');
    agent = await person(server, 'agent');
    admin = await person(server, 'admin');
    mod = await person(server, 'mod');
    await grant(server, agent.mail, 'support');
    await grant(server, admin.mail, 'admin');
    await grant(server, mod.mail, 'moderator');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('authorization on every route: no session 401, another person 404, wrong role 403, CSRF 403', async () => {
    const open = await ann.c.post(CONVS, { subject: 'Where is my pet photo?', locale: 'es' });
    assert.equal(open.status, 201, JSON.stringify(open.body));
    const sc = open.body.id;
    const anon = new Client(server);
    const mine = [
      ['POST', CONVS, { subject: 'x' }],
      ['GET', CONVS],
      ['GET', `${CONVS}/${sc}`],
      ['POST', `${CONVS}/${sc}/messages`, { body: 'hi' }],
      ['POST', `${CONVS}/${sc}/rating`, { rating: 5 }],
    ];
    for (const [method, url, json] of mine) {
      assertError(await anon.request(method, url, { json }), 401, 'unauthorized');
    }
    // Another person's conversation does not exist for them.
    for (const [method, url, json] of mine.slice(2)) {
      assertError(await bob.c.request(method, url, { json }), 404, 'not_found');
    }
    assertError(await bob.c.get(`${CONVS}/sc_999999`), 404, 'not_found');
    assert.deepEqual((await bob.c.get(CONVS)).body.conversations, []);
    for (const [method, url, json] of mine.filter(([m]) => m === 'POST')) {
      assertError(await ann.c.request(method, url, { json, csrf: false }), 403, 'csrf');
    }
    const agents = [
      ['GET', QUEUE, undefined, 200],
      ['GET', `${QUEUE}/${sc}`, undefined, 200],
      ['POST', `${QUEUE}/${sc}/messages`, { body: 'Looking', internal: true }, 201],
      ['POST', `${QUEUE}/${sc}/state`, { state: 'open' }, 200],
      ['POST', `${QUEUE}/${sc}/assign`, { agent: null }, 200],
      ['GET', CANNED, undefined, 200],
      ['POST', CANNED, { shortcut: 'authz', title: 'T', body: 'B' }, 201],
      ['DELETE', `${CANNED}/cn_999999`, undefined, 404],
    ];
    for (const [method, url, json, ok] of agents) {
      assertError(await anon.request(method, url, { json }), 401, 'unauthorized');
      // A person, and a moderator without support: neither holds the role.
      assertError(await ann.c.request(method, url, { json }), 403, 'forbidden');
      assertError(await mod.c.request(method, url, { json }), 403, 'forbidden');
      if (method !== 'GET') assertError(await agent.c.request(method, url, { json, csrf: false }), 403, 'csrf');
      assert.equal((await agent.c.request(method, url, { json })).status, ok, `${method} ${url} as support`);
    }
    // Admins hold every power of the console.
    assert.equal((await admin.c.get(`${QUEUE}/${sc}`)).status, 200);
    assertError(await agent.c.get(`${QUEUE}/sc_999999`), 404, 'not_found');
    assertError(await agent.c.post(`${QUEUE}/sc_999999/messages`, { body: 'x' }), 404, 'not_found');
  });

  test('a hand-off carries the transcript, a second one joins it; subject, transcript and body at their edges', async () => {
    const cat = await person(server, 'cat');
    const line = (i) => ({ author: i % 2 ? 'assistant' : 'person', body: i === 3 ? 'é'.repeat(BODY_MAX) : `line ${i}` });
    const lines = (n) => Array.from({ length: n }, (_, i) => line(i));
    let r = await cat.c.post(CONVS, { subject: 'Photo', transcript: lines(TRANSCRIPT_MAX + 1) });
    assertError(r, 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 's'.repeat(SUBJECT_MAX + 1) }), 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 'x', transcript: [{ author: 'agent', body: 'x' }] }), 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 'x', transcript: [{ author: 'person', body: 'é'.repeat(BODY_MAX + 1) }] }), 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 'x', locale: 'e' }), 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 'x', locale: 'a'.repeat(LOCALE_MAX + 1) }), 400, 'bad_request');
    assertError(await cat.c.post(CONVS, { subject: 'x', locale: 'es_ES' }), 400, 'bad_request');
    assert.deepEqual((await cat.c.get(CONVS)).body.conversations, [], 'nothing refused was kept');
    r = await cat.c.post(CONVS, { subject: 's'.repeat(SUBJECT_MAX), transcript: lines(TRANSCRIPT_MAX), ask: 'ha_7', locale: 'zh-Hans' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sc = r.body.id;
    assert.equal(r.body.state, 'open');
    assert.equal(r.body.can_rate, false);
    assert.deepEqual(r.body.messages.map((m) => [m.author, m.body]), lines(TRANSCRIPT_MAX).map((l) => [l.author, l.body]));
    // A second hand-off while this one is open: the same conversation, the new lines appended.
    r = await cat.c.post(CONVS, { subject: 'Another', transcript: [{ author: 'person', body: 'Still there?' }] });
    assert.equal(r.status, 200);
    assert.equal(r.body.id, sc);
    assert.equal(r.body.subject, 's'.repeat(SUBJECT_MAX), 'the subject is the first one');
    assert.equal(r.body.messages.length, TRANSCRIPT_MAX + 1);
    // A message: 1..4000 characters.
    r = await cat.c.post(`${CONVS}/${sc}/messages`, { body: 'ü'.repeat(BODY_MAX) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.author, 'person');
    assertError(await cat.c.post(`${CONVS}/${sc}/messages`, { body: 'ü'.repeat(BODY_MAX + 1) }), 400, 'bad_request');
    assertError(await cat.c.post(`${CONVS}/${sc}/messages`, { body: '' }), 400, 'bad_request');
    assertError(await cat.c.post(`${CONVS}/${sc}/messages`, { body: 'x', extra: 1 }), 400, 'bad_request');
    const list = (await cat.c.get(CONVS)).body.conversations;
    assert.deepEqual(list.map((c) => [c.id, c.state, c.can_rate]), [[sc, 'open', false]]);
    assert.equal(dbQuery(server, `SELECT locale, plus FROM support_conversations WHERE id = ${num(sc)}`), 'zh-Hans|0');
    // A locale tag of 16 characters is kept (the schema's most).
    const dot = await person(server, 'dot');
    r = await dot.c.post(CONVS, { subject: 'x', locale: 'a'.repeat(LOCALE_MAX) });
    assert.equal(r.status, 201);
    // The list holds the newest 50: the 51st oldest is left out.
    const uid = num(dot.id);
    const rows = Array.from({ length: MINE_MAX }, (_, i) =>
      `(${uid}, 'resolved', 'en', 'old ${i}', ${i + 1}, ${i + 1}, ${i + 1}, ${i + 2})`).join(', ');
    dbQuery(server, `INSERT INTO support_conversations (user_id, state, locale, subject, created_at, updated_at, last_person_at, resolved_at) VALUES ${rows}`);
    const listed = (await dot.c.get(CONVS)).body.conversations;
    assert.equal(listed.length, MINE_MAX);
    assert.equal(listed[0].id, r.body.id, 'newest first');
    assert.ok(!listed.some((c) => c.subject === 'old 0'), 'the oldest is the one left out');
    assert.ok(listed.some((c) => c.subject === 'old 1'));
  });

  test('agents: notes never reach the person, replies name the agent, assignment, states and the rating rules', async () => {
    const sc = (await ann.c.get(CONVS)).body.conversations[0].id;
    const note = await agent.c.post(`${QUEUE}/${sc}/messages`, { body: 'Plus member? check billing', internal: true });
    assert.equal(note.status, 201);
    assert.equal(note.body.author, 'note');
    const reply = await agent.c.post(`${QUEUE}/${sc}/messages`, { body: 'Open the pet, then Edit.' });
    assert.equal(reply.status, 201);
    assert.deepEqual([reply.body.author, reply.body.agent_name], ['agent', 'Agent']);
    const seen = (await ann.c.get(`${CONVS}/${sc}`)).body;
    assert.ok(!seen.messages.some((m) => m.author === 'note' || /check billing|Looking/.test(m.body)), 'no note reaches the person');
    assert.deepEqual(seen.messages.filter((m) => m.author === 'agent').map((m) => [m.body, m.agent_name]), [['Open the pet, then Edit.', 'Agent']]);
    const view = (await agent.c.get(`${QUEUE}/${sc}`)).body;
    assert.deepEqual(view.messages.filter((m) => m.author === 'note').map((m) => m.body), ['Looking', 'Plus member? check billing']);
    assert.deepEqual(view.person, { id: ann.id, name: 'Ann', plus: false, plan: 'free' });
    assert.equal(view.locale, 'es');
    // Nobody had a support socket open: the reply left the person a notice that links to it.
    const notices = (await ann.c.get('/api/v1/notifications')).body.notifications.filter((n) => n.kind === 'support_reply');
    assert.deepEqual(notices.map((n) => n.detail), [{ conversation: sc }], 'one notice: for the reply, none for the notes');

    // Assignment: to someone who holds support or admin, or to nobody.
    let r = await agent.c.post(`${QUEUE}/${sc}/assign`, { agent: agent.id });
    assert.deepEqual(r.body.assignee, { id: agent.id, name: 'Agent' });
    assert.equal((await ann.c.get(`${CONVS}/${sc}`)).body.assignee_name, 'Agent');
    const ids = async (q) => (await agent.c.get(`${QUEUE}?${q}`)).body.conversations.map((c) => c.id);
    assert.ok((await ids('assignee=me')).includes(sc));
    assert.ok(!(await ids('assignee=none')).includes(sc));
    assert.ok(!(await admin.c.get(`${QUEUE}?assignee=me`)).body.conversations.some((c) => c.id === sc));
    assertError(await agent.c.post(`${QUEUE}/${sc}/assign`, { agent: ann.id }), 400, 'not_agent');
    assertError(await agent.c.post(`${QUEUE}/${sc}/assign`, { agent: mod.id }), 400, 'not_agent');
    assertError(await agent.c.post(`${QUEUE}/${sc}/assign`, {}), 400, 'bad_request');
    assert.equal((await agent.c.post(`${QUEUE}/${sc}/assign`, { agent: admin.id })).body.assignee.id, admin.id);
    assert.equal((await agent.c.post(`${QUEUE}/${sc}/assign`, { agent: null })).body.assignee, null);
    assertError(await agent.c.get(`${QUEUE}?state=closed`), 400, 'bad_request');
    assert.equal((await agent.c.get(`${QUEUE}?limit=${QUEUE_PAGE_MAX}`)).status, 200);
    assertError(await agent.c.get(`${QUEUE}?limit=${QUEUE_PAGE_MAX + 1}`), 400, 'bad_request');
    assertError(await agent.c.get(`${QUEUE}?assignee=you`), 400, 'bad_request');

    // Pending until the person answers; rating only once resolved.
    assert.equal((await agent.c.post(`${QUEUE}/${sc}/state`, { state: 'pending' })).body.state, 'pending');
    assertError(await ann.c.post(`${CONVS}/${sc}/rating`, { rating: 5 }), 409, 'not_resolved');
    assert.equal((await ann.c.post(`${CONVS}/${sc}/messages`, { body: 'It worked' })).status, 201);
    assert.equal((await ann.c.get(`${CONVS}/${sc}`)).body.state, 'open', 'the person writing opens it again');
    r = await agent.c.post(`${QUEUE}/${sc}/state`, { state: 'resolved' });
    assert.equal(r.body.state, 'resolved');
    assert.ok(r.body.resolved_at);
    assert.equal((await ann.c.get(`${CONVS}/${sc}`)).body.can_rate, true);
    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, {},
      { rating: 5, comment: 'c'.repeat(COMMENT_MAX + 1) }, { rating: 5, comment: '' }, { rating: 5, extra: 1 }]) {
      assertError(await ann.c.post(`${CONVS}/${sc}/rating`, bad), 400, 'bad_request');
    }
    r = await ann.c.post(`${CONVS}/${sc}/rating`, { rating: 4, comment: 'c'.repeat(COMMENT_MAX) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.rating, r.body.can_rate], [4, false]);
    assertError(await ann.c.post(`${CONVS}/${sc}/rating`, { rating: 5 }), 409, 'already_rated');
    assert.equal((await agent.c.get(`${QUEUE}/${sc}`)).body.rating_comment, 'c'.repeat(COMMENT_MAX));

    // A new hand-off after the resolution is a new conversation; the old one cannot open beside it.
    r = await ann.c.post(CONVS, { subject: 'Another question' });
    assert.equal(r.status, 201);
    assert.notEqual(r.body.id, sc);
    assertError(await agent.c.post(`${QUEUE}/${sc}/state`, { state: 'open' }), 409, 'another_open');
    assertError(await ann.c.post(`${CONVS}/${sc}/messages`, { body: 'and one more thing' }), 409, 'another_open');
    assert.deepEqual((await ann.c.get(CONVS)).body.conversations.map((c) => c.state), ['open', 'resolved']);
    // Resolved and rated, written to again: open, the rating kept.
    await agent.c.post(`${QUEUE}/${r.body.id}/state`, { state: 'resolved' });
    assert.equal((await ann.c.post(`${CONVS}/${sc}/messages`, { body: 'and one more thing' })).status, 201);
    const back = (await ann.c.get(`${CONVS}/${sc}`)).body;
    assert.deepEqual([back.state, back.rating, back.can_rate], ['open', 4, false]);
    // The person's data export holds their conversations and what was said, never a note.
    const data = (await ann.c.get('/api/v1/me/export')).body;
    assert.deepEqual(data.support_conversations.map((c) => [c.id, c.rating]), [[sc, 4], [r.body.id, null]]);
    const said = data.support_messages.filter((m) => m.conversation === sc);
    assert.ok(said.some((m) => m.author === 'agent' && m.body === 'Open the pet, then Edit.'));
    assert.ok(!said.some((m) => m.author === 'note' || /check billing|Looking/.test(m.body)), 'no note in the export');
    assertError(await bob.c.get(`${CONVS}/${sc}`), 404, 'not_found');
    assert.deepEqual((await bob.c.get('/api/v1/me/export')).body.support_conversations, []);
  });

  test('the queue answers Plus members first, then the longest waiting, page by page', async () => {
    const [p1, p2, p3] = [await person(server, 'pia'), await person(server, 'pol'), await person(server, 'plu')];
    dbQuery(server, `UPDATE users SET plus_until = ${Math.floor(Date.now() / 1000) + 30 * 86400} WHERE id = ${num(p3.id)}`);
    const order = [];
    for (const p of [p1, p2, p3]) {
      const r = await p.c.post(CONVS, { subject: `From ${p.name}` });
      assert.equal(r.status, 201);
      order.push(r.body.id);
      // last_person_at is in seconds: each waits a second longer than the next.
      dbQuery(server, `UPDATE support_conversations SET last_person_at = last_person_at - ${100 - order.length} WHERE id = ${num(r.body.id)}`);
    }
    const walk = async () => {
      const seen = [];
      let cursor = null;
      for (let pages = 0; pages < 100; pages++) {
        const r = await agent.c.get(`${QUEUE}?state=open&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200);
        assert.equal(r.body.next, r.body.next_cursor);
        seen.push(...r.body.conversations);
        cursor = r.body.next;
        if (!cursor) return seen;
      }
      assert.fail('the queue never ended');
    };
    let seen = await walk();
    assert.equal(new Set(seen.map((c) => c.id)).size, seen.length, 'no conversation twice across pages');
    assert.deepEqual(seen.filter((c) => order.includes(c.id)).map((c) => c.id), [order[2], order[0], order[1]]);
    assert.equal(seen.find((c) => c.id === order[2]).person.plus, true);
    const plusAt = seen.findIndex((c) => !c.person.plus);
    assert.ok(seen.slice(plusAt).every((c) => !c.person.plus), 'every Plus member before everyone else');
    // Pia writes again: she has waited least now.
    assert.equal((await p1.c.post(`${CONVS}/${order[0]}/messages`, { body: 'hello?' })).status, 201);
    seen = await walk();
    assert.deepEqual(seen.filter((c) => order.includes(c.id)).map((c) => c.id), [order[2], order[1], order[0]]);
  });

  test('canned replies: a shortcut once, at most 200 kept', async () => {
    let r = await agent.c.post(CANNED, { shortcut: 'photo', title: 'Pet photo', body: 'Open the pet,\nthen Edit.' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id;
    assertError(await agent.c.post(CANNED, { shortcut: 'photo', title: 'Again', body: 'x' }), 409, 'shortcut_taken');
    assertError(await agent.c.post(CANNED, { shortcut: 'Pet Photo', title: 'T', body: 'x' }), 400, 'bad_request');
    assertError(await agent.c.post(CANNED, { shortcut: 'x'.repeat(33), title: 'T', body: 'x' }), 400, 'bad_request');
    assertError(await agent.c.post(CANNED, { shortcut: 'title', title: 't'.repeat(SUBJECT_MAX + 1), body: 'x' }), 400, 'bad_request');
    assertError(await agent.c.post(CANNED, { shortcut: 'long', title: 'T', body: 'x'.repeat(BODY_MAX + 1) }), 400, 'bad_request');
    assert.ok((await admin.c.get(CANNED)).body.canned.some((c) => c.id === id && c.body === 'Open the pet,\nthen Edit.'));
    assert.equal((await agent.c.del(`${CANNED}/${id}`)).status, 200);
    assertError(await agent.c.del(`${CANNED}/${id}`), 404, 'not_found');
    // Fill to one below the cap, then the 200th is taken and the 201st refused.
    const have = Number(dbQuery(server, 'SELECT count(*) FROM support_canned'));
    const rows = Array.from({ length: CANNED_MAX - 1 - have }, (_, i) => `('fill${i}', 'T', 'x', 1)`).join(', ');
    dbQuery(server, `INSERT INTO support_canned (shortcut, title, body, created_at) VALUES ${rows}`);
    r = await agent.c.post(CANNED, { shortcut: 'x'.repeat(32), title: 't'.repeat(SUBJECT_MAX), body: 'b'.repeat(BODY_MAX) });
    assert.equal(r.status, 201, 'the 200th');
    assertError(await agent.c.post(CANNED, { shortcut: 'one-more', title: 'T', body: 'x' }), 409, 'too_many_canned');
    assert.equal((await agent.c.get(CANNED)).body.canned.length, CANNED_MAX);
    assert.equal((await agent.c.del(`${CANNED}/${r.body.id}`)).status, 200);
    assert.equal((await agent.c.post(CANNED, { shortcut: 'one-more', title: 'T', body: 'x' })).status, 201);
  });

  test('live frames over real sockets: the person gets replies and states (never notes), agents everything, others nothing', async () => {
    const dan = await person(server, 'dan');
    const eve = await person(server, 'eve');
    const danWs = await connect(server, dan.c);
    assert.deepEqual(danWs.hello, { type: 'hello', user: dan.id, support: true, agent: false });
    const agentWs = await connect(server, agent.c);
    assert.equal(agentWs.hello.agent, true);
    const eveWs = await connect(server, eve.c);
    const modWs = await connect(server, mod.c);
    try {
      const open = await dan.c.post(CONVS, { subject: 'Order', transcript: [{ author: 'person', body: 'Where is my order?' }] });
      const sc = open.body.id;
      const item = await agentWs.next('support.conversation', (f) => f.conversation.id === sc);
      assert.deepEqual([item.conversation.person.id, item.conversation.state, item.conversation.assignee], [dan.id, 'open', null]);
      assert.equal((await agentWs.next('support.message', (f) => f.conversation === sc)).message.body, 'Where is my order?');
      await danWs.next('support.message', (f) => f.conversation === sc);

      await agent.c.post(`${QUEUE}/${sc}/messages`, { body: 'secret note', internal: true });
      assert.equal((await agentWs.next('support.message', (f) => f.message.author === 'note')).message.body, 'secret note');
      await agent.c.post(`${QUEUE}/${sc}/messages`, { body: 'It ships today' });
      const got = await danWs.next('support.message', (f) => f.message.author === 'agent');
      assert.deepEqual([got.conversation, got.message.body, got.message.agent_name], [sc, 'It ships today', 'Agent']);
      await agent.c.post(`${QUEUE}/${sc}/state`, { state: 'resolved' });
      assert.deepEqual(await danWs.next('support.state'), { type: 'support.state', conversation: sc, state: 'resolved', can_rate: true });
      await agentWs.next('support.conversation', (f) => f.conversation.id === sc && f.conversation.state === 'resolved');

      const danSaw = await danWs.settle();
      assert.ok(!danSaw.some((f) => f.message?.author === 'note' || JSON.stringify(f).includes('secret note')), 'a note never reaches the person');
      assert.ok(!danSaw.some((f) => f.type === 'support.conversation'), 'list items are for agents');
      // Another person, and a moderator (no support role), get nothing.
      assert.deepEqual((await eveWs.settle()).map((f) => f.type), ['hello']);
      assert.deepEqual((await modWs.settle()).map((f) => f.type), ['hello']);
      // The reply found the person's socket open: no notice.
      assert.ok(!(await dan.c.get('/api/v1/notifications')).body.notifications.some((n) => n.kind === 'support_reply'));
      // A device-less socket takes ping and live.* only: a chat frame is refused.
      danWs.send(JSON.stringify({ type: 'send', to: eve.id, id: 'c1', envelopes: [] }));
      assert.equal((await danWs.next('error')).code, 'bad_request');
    } finally {
      await closeAll(danWs, agentWs, eveWs, modWs);
    }
  });

  test('no chat frame ever reaches a support socket (and the chat socket still gets them)', async () => {
    const device = async (c) => {
      const r = await c.post('/api/v1/chat/devices', { bundle: chatBundle() });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id;
    };
    const fay = await person(server, 'fay');
    const gil = await person(server, 'gil');
    const [fd, gd] = [await device(fay.c), await device(gil.c)];
    const fayChat = await connect(server, fay.c, `?device=${fd}`);
    const faySupport = await connect(server, fay.c);
    const gilChat = await connect(server, gil.c, `?device=${gd}`);
    try {
      gilChat.send(JSON.stringify({ type: 'typing', to: fay.id }));
      assert.equal((await fayChat.next('typing')).from, gil.id);
      assert.deepEqual((await faySupport.settle()).map((f) => f.type), ['hello'], 'the typing frame went to the chat socket only');
      // Support frames go to the support socket only.
      await fay.c.post(CONVS, { subject: 'Hi', transcript: [{ author: 'person', body: 'Hello' }] });
      await faySupport.next('support.message');
      assert.ok(!(await fayChat.settle()).some((f) => String(f.type).startsWith('support.')));
    } finally {
      await closeAll(fayChat, faySupport, gilChat);
    }
  });

  test('the support socket: a session and our own page only, at most 10 a person, closed at sign-out', async () => {
    const refused = (headers, origin = `http://127.0.0.1:${server.port}`) => new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket`, { headers, origin });
      ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode); ws.terminate(); });
      ws.on('open', () => { resolve('open'); ws.close(); });
      ws.on('error', () => {});
    });
    const kim = await person(server, 'kim');
    assert.equal(await refused({}), 401);
    assert.equal(await refused({ cookie: `pa_session=${kim.c.cookie}` }, 'http://evil.example'), 403);
    assert.equal(await refused({ cookie: `pa_session=${kim.c.cookie}` }, null), 403, "no Origin");
    const sockets = [];
    try {
      for (let i = 0; i < 10; i++) sockets.push(await connect(server, kim.c)); // PA_SUPPORT_WS_PER_USER
      assert.equal(await refused({ cookie: `pa_session=${kim.c.cookie}` }), 429);
      const closed = sockets.map((ws) => new Promise((resolve) => ws.once('close', (code) => resolve(code))));
      assert.equal((await kim.c.post('/api/v1/auth/logout', {})).status, 200);
      assert.deepEqual(await Promise.all(closed), Array(10).fill(4001));
    } finally {
      await closeAll(...sockets);
    }
  });

  test('a role taken closes the support sockets, whose next one gets no agent frames', async () => {
    const lee = await person(server, 'lee');
    await grant(server, lee.mail, 'support');
    let ws = await connect(server, lee.c);
    assert.equal(ws.hello.agent, true);
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    assert.equal((await admin.c.del(`/api/v1/admin/users/${lee.id}/roles/support`)).status, 200);
    assert.equal(await closed, 4001);
    ws = await connect(server, lee.c);
    try {
      assert.equal(ws.hello.agent, false);
      const max = await person(server, 'max');
      assert.equal((await max.c.post(CONVS, { subject: 'anyone?', transcript: [{ author: 'person', body: 'hi' }] })).status, 201);
      assert.deepEqual((await ws.settle()).map((f) => f.type), ['hello']);
    } finally {
      await closeAll(ws);
    }
  });

  test(`PA_LIMIT_SUPPORT: ${SUPPORT_BURST} hand-offs and messages a person, the next refused`, async () => {
    const hal = await person(server, 'hal');
    const r = await hal.c.post(CONVS, { subject: 'Many questions' });
    assert.equal(r.status, 201);
    for (let i = 2; i <= SUPPORT_BURST; i++) {
      assert.equal((await hal.c.post(`${CONVS}/${r.body.id}/messages`, { body: `question ${i}` })).status, 201, `write ${i}`);
    }
    assertError(await hal.c.post(`${CONVS}/${r.body.id}/messages`, { body: 'one too many' }), 429, 'rate_limited');
    assertError(await hal.c.post(CONVS, { subject: 'again' }), 429, 'rate_limited');
    // Reading is not limited, and the limit is per person.
    assert.equal((await hal.c.get(`${CONVS}/${r.body.id}`)).status, 200);
    assert.equal((await bob.c.post(CONVS, { subject: 'Mine' })).status, 201);
  });

  test('a snooze that came due opens when an agent reads the queue, told live to the person and the agents', async () => {
    const nia = await person(server, 'nia');
    const sc = (await nia.c.post(CONVS, { subject: 'Tomorrow' })).body.id;
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await agent.c.post(`${QUEUE}/${sc}/state`, { state: 'snoozed', snooze_until: iso(now + 3600) })).status, 200);
    const niaWs = await connect(server, nia.c);
    const adminWs = await connect(server, admin.c);
    try {
      // Reading the queue before it is due changes nothing.
      assert.ok((await agent.c.get(`${QUEUE}?state=snoozed`)).body.conversations.some((c) => c.id === sc));
      assert.deepEqual((await niaWs.settle()).map((f) => f.type), ['hello']);
      // The hour has passed (the row's time moved back, as the clock cannot move under a running server).
      dbQuery(server, `UPDATE support_conversations SET snoozed_until = ${now - 1} WHERE id = ${num(sc)}`);
      assert.equal((await nia.c.get(`${CONVS}/${sc}`)).body.state, 'snoozed', 'the person reading does not wake it');
      assert.ok((await agent.c.get(QUEUE)).body.conversations.some((c) => c.id === sc && c.state === 'open'));
      assert.deepEqual(await niaWs.next('support.state'), { type: 'support.state', conversation: sc, state: 'open', can_rate: false });
      const item = await adminWs.next('support.conversation', (f) => f.conversation.id === sc);
      assert.equal(item.conversation.state, 'open');
      assert.equal(item.conversation.snoozed_until, undefined);
    } finally {
      await closeAll(niaWs, adminWs);
    }
  });

  test('snooze: a future time at most 30 days ahead; the chores open it again when it comes (clock moved)', async () => {
    const [ida, jon] = [await person(server, 'ida'), await person(server, 'jon')];
    const a = (await ida.c.post(CONVS, { subject: 'Later' })).body.id;
    const b = (await jon.c.post(CONVS, { subject: 'Much later' })).body.id;
    const now = Math.floor(Date.now() / 1000);
    const state = (sc, json) => agent.c.post(`${QUEUE}/${sc}/state`, json);
    assertError(await state(a, { state: 'snoozed' }), 400, 'bad_request');
    assertError(await state(a, { state: 'snoozed', snooze_until: iso(now - 60) }), 400, 'bad_request');
    assertError(await state(a, { state: 'snoozed', snooze_until: '2026-02-31T09:00:00Z' }), 400, 'bad_request');
    assertError(await state(a, { state: 'snoozed', snooze_until: `${iso(now + 3600).slice(0, -1)}+00:00` }), 400, 'bad_request');
    // The edge, with a few seconds for the server's clock and ours to differ.
    assertError(await state(a, { state: 'snoozed', snooze_until: iso(now + SNOOZE_MAX_S + 5) }), 400, 'bad_request');
    assertError(await state(a, { state: 'open', snooze_until: iso(now + 3600) }), 400, 'bad_request');
    let r = await state(b, { state: 'snoozed', snooze_until: iso(now + SNOOZE_MAX_S - 5) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.snoozed_until, iso(now + SNOOZE_MAX_S - 5));
    r = await state(a, { state: 'snoozed', snooze_until: iso(now + 86400) });
    assert.deepEqual([r.body.state, r.body.snoozed_until], ['snoozed', iso(now + 86400)]);
    assert.equal((await ida.c.get(`${CONVS}/${a}`)).body.state, 'snoozed');
    const snoozed = async () => (await agent.c.get(`${QUEUE}?state=snoozed`)).body.conversations.map((c) => c.id).sort();
    assert.deepEqual(await snoozed(), [a, b].sort());

    // Two days later (the server restarted with its clock moved; its chores run at start).
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env: { ...ENV, PA_TEST_CLOCK_OFFSET: String(2 * 86400) } });
    for (const p of [ida, jon, agent, admin, ann, bob, mod]) p.c.server = server;
    assert.equal((await ida.c.get(`${CONVS}/${a}`)).body.state, 'open', 'due: open again');
    assert.equal((await jon.c.get(`${CONVS}/${b}`)).body.state, 'snoozed', 'not due yet: still snoozed');
    assert.deepEqual(await snoozed(), [b]);
    assert.ok((await agent.c.get(`${QUEUE}?state=open`)).body.conversations.some((c) => c.id === a));
  });
});

// The version that makes support conversations (41 when written on this branch; found in the source).
const SUPPORT_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE support_conversations')) + 1;

describe(`the upgrade to schema ${SUPPORT_VERSION}: support conversations`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'order', '{"step":"paid"}', 2);`;

  test('SQLite: a file one version older gains the support tables and the notice kind, its notices kept', async () => {
    assert.ok(SUPPORT_VERSION > 0, 'a migration makes support_conversations');
    const { tmp, data, sql, migrations: m } = await oldDatabase('support', SUPPORT_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, user_id, kind, detail FROM notices'), '1 1 order {"step":"paid"}');
      assert.equal(sql(`INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'support_reply', '{"conversation":"sc_1"}', 3);
        SELECT count(*) FROM notices`), '2');
      assert.equal(sql("SELECT name FROM sqlite_master WHERE name = 'push_notice'"), 'push_notice', 'the trigger made again');
      assert.equal(sql('SELECT count(*) FROM support_conversations, support_messages, support_canned'), '0');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-support-pg-'));
    const pg = await createDatabase('pa_support_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, SUPPORT_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${SUPPORT_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        await runSql(pg.url, `INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'support_reply', '{"conversation":"sc_1"}', 3);`);
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM notices ORDER BY id'), [{ kind: 'order' }, { kind: 'support_reply' }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM support_conversations'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
