// Notifications: likes, comments and follows reach the owner of the post, pet
// or person; taken back with the action; paged newest first; marked read;
// persisted in the SQLite file across a restart; private to their owner.
// Replies reach the author of the comment answered, once per person; a
// schema-5 file is upgraded to that in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer, stopServer,
} from './helpers.mjs';

// Three people signed up on server; the first posts a photo of their pet.
async function threeAndAPost(server, names, petBody, caption) {
  const people = names.map(() => new Client(server));
  for (const [i, c] of people.entries()) await c.signup(email(names[i].toLowerCase()), 'correct horse battery', names[i]);
  const pet = (await people[0].post('/api/v1/pets', petBody)).body;
  const media = await people[0].upload(png(32, 32), 'image/png');
  const post = (await people[0].post('/api/v1/posts', { caption, media_ids: [media.id], pet_ids: [pet.id] })).body;
  return { people, pet, post };
}

describe('notifications', () => {
  let server, alice, bob, carol, pet, post;

  before(async () => {
    server = await startServer();
    ({ people: [alice, bob, carol], pet, post } = await threeAndAPost(server, ['Alice', 'Bob', 'Carol'],
      { name: 'Whiskers', species: 'cat' }, 'Nap #cat'));
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const unread = async (c) => {
    const r = await c.get('/api/v1/notifications/unread');
    assert.equal(r.status, 200);
    return r.body.unread_count;
  };
  const list = async (c, query = '') => {
    const r = await c.get(`/api/v1/notifications${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('signed out: 401; a fresh account has none', async () => {
    const anon = new Client(server);
    assertError(await anon.get('/api/v1/notifications'), 401, 'unauthorized');
    assertError(await anon.get('/api/v1/notifications/unread'), 401, 'unauthorized');
    assertError(await anon.post('/api/v1/notifications/read', {}), 401, 'unauthorized');
    assert.deepEqual(await list(alice), { notifications: [], next_cursor: null, unread_count: 0 });
  });

  test('a like notifies the author with actor, post and pet; an unlike takes it back; own likes are silent', async () => {
    assert.equal((await alice.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal(await unread(alice), 0, 'liking your own post notifies nobody');
    assert.equal((await bob.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal((await bob.put(`/api/v1/posts/${post.id}/like`)).status, 200, 'idempotent');
    assert.equal(await unread(alice), 1);
    const page = await list(alice);
    assert.equal(page.notifications.length, 1);
    const [n] = page.notifications;
    assert.equal(n.kind, 'like');
    assert.equal(n.actor.id, bob.user.id);
    assert.equal(n.actor.name, 'Bob');
    assert.equal(n.post_id, post.id);
    assert.equal(n.pet.id, pet.id);
    assert.equal(n.pet.name, 'Whiskers');
    assert.equal(n.comment_id, null);
    assert.equal(n.read, false);
    assert.equal(await unread(bob), 0, 'the actor is not notified');
    assert.equal((await bob.del(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal(await unread(alice), 0);
    assert.deepEqual((await list(alice)).notifications, []);
  });

  test('comments, follows of the person and of the pet; newest first; paged', async () => {
    assert.equal((await bob.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    const comment = (await bob.post(`/api/v1/posts/${post.id}/comments`, { body: 'So cute' })).body;
    assert.equal((await carol.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    assert.equal((await carol.put(`/api/v1/pets/${pet.id}/follow`)).status, 200);
    assert.equal(await unread(alice), 4);
    const all = await list(alice);
    assert.deepEqual(all.notifications.map((n) => [n.kind, n.actor.name]).sort(),
      [['comment', 'Bob'], ['follow', 'Carol'], ['like', 'Bob'], ['pet_follow', 'Carol']]);
    const byKind = Object.fromEntries(all.notifications.map((n) => [n.kind, n]));
    assert.equal(byKind.comment.comment_id, comment.id);
    assert.equal(byKind.comment.post_id, post.id);
    assert.equal(byKind.follow.pet, null);
    assert.equal(byKind.follow.post_id, null);
    assert.equal(byKind.pet_follow.pet.id, pet.id);
    // Newest first: created_at never increases down the list, ids break ties downwards.
    for (let i = 1; i < all.notifications.length; i++) {
      const [a, b] = [all.notifications[i - 1], all.notifications[i]];
      assert.ok(a.created_at > b.created_at || (a.created_at === b.created_at && Number(a.id.slice(2)) > Number(b.id.slice(2))));
    }
    const first = await list(alice, '?limit=3');
    assert.equal(first.notifications.length, 3);
    assert.ok(first.next_cursor);
    const second = await list(alice, `?limit=3&cursor=${encodeURIComponent(first.next_cursor)}`);
    assert.equal(second.next_cursor, null);
    assert.deepEqual([...first.notifications, ...second.notifications].map((n) => n.id), all.notifications.map((n) => n.id));
    assertError(await alice.get('/api/v1/notifications?cursor=nope'), 400, 'bad_request');
    assertError(await alice.get('/api/v1/notifications?limit=0'), 400, 'bad_request');
    // Private: Carol sees none of Alice's.
    assert.equal((await list(carol)).notifications.length, 0);
    // A deleted comment takes its notification with it.
    assert.equal((await bob.del(`/api/v1/comments/${comment.id}`)).status, 200);
    assert.equal(await unread(alice), 3);
    assert.ok(!(await list(alice)).notifications.some((n) => n.kind === 'comment'));
  });

  test('marking read: up to an id, then all; bad input refused; CSRF required', async () => {
    const before = (await list(alice)).notifications;
    assert.equal(before.length, 3);
    const oldest = before[before.length - 1];
    // Marking read needs the CSRF token like every other state change.
    assertError(await alice.post('/api/v1/notifications/read', {}, { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf');
    assertError(await alice.post('/api/v1/notifications/read', { up_to: 'p_1' }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/notifications/read', { all: true }), 400, 'bad_request');
    const some = await alice.post('/api/v1/notifications/read', { up_to: oldest.id });
    assert.equal(some.status, 200);
    assert.ok(some.body.unread_count < 3, JSON.stringify(some.body));
    const after1 = (await list(alice)).notifications;
    assert.equal(after1.find((n) => n.id === oldest.id).read, true);
    assert.equal(after1.filter((n) => !n.read).length, some.body.unread_count);
    const all = await alice.post('/api/v1/notifications/read', {});
    assert.deepEqual(all.body, { unread_count: 0 });
    assert.ok((await list(alice)).notifications.every((n) => n.read));
    // Bob's other actions still arrive as unread afterwards.
    assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
    assert.equal(await unread(alice), 1);
  });

  test('kept in the SQLite file across a restart; an account deletion removes its notifications', async () => {
    const cookies = { alice: alice.cookie, bob: bob.cookie };
    const before = await list(alice);
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false });
    for (const [name, c] of [['alice', alice], ['bob', bob]]) {
      c.server = server;
      c.cookie = cookies[name];
    }
    assert.deepEqual(await list(alice), before);
    assert.equal((await bob.del('/api/v1/me', { password: 'correct horse battery' })).status, 200);
    const left = await list(alice);
    assert.ok(left.notifications.every((n) => n.actor.id !== bob.user.id), JSON.stringify(left));
    assert.equal(left.unread_count, 0, 'Bob\'s unread follow went with his account');
  });
});

describe('replies notify the author of the comment answered', () => {
  let server, ann, ben, cy, pet, post;

  before(async () => {
    server = await startServer();
    ({ people: [ann, ben, cy], pet, post } = await threeAndAPost(server, ['Ann', 'Ben', 'Cy'],
      { name: 'Biscuit', species: 'dog' }, 'Walk'));
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const comment = async (c, body, parent = null) => {
    const r = await c.post(`/api/v1/posts/${post.id}/comments`, { body, parent_id: parent?.id ?? null });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  // Everyone's notifications about one comment, as [who, kind, actor name].
  const about = async (c) => {
    const out = [];
    for (const [who, client] of [['ann', ann], ['ben', ben], ['cy', cy]]) {
      const r = await client.get('/api/v1/notifications?limit=100');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      for (const n of r.body.notifications) if (n.comment_id === c.id) out.push([who, n.kind, n.actor.name]);
    }
    return out.sort();
  };

  test('a reply: the commenter gets "reply", the post author "comment", one each; the replier none', async () => {
    const top = await comment(ben, 'Lovely dog');
    assert.deepEqual(await about(top), [['ann', 'comment', 'Ben']]);
    const reply = await comment(cy, 'Agreed!', top);
    assert.deepEqual(await about(reply), [['ann', 'comment', 'Cy'], ['ben', 'reply', 'Cy']]);
    const n = (await ben.get('/api/v1/notifications')).body.notifications.find((x) => x.comment_id === reply.id);
    assert.equal(n.post_id, post.id);
    assert.equal(n.pet.id, pet.id);
    assert.equal(n.actor.id, cy.user.id);
    assert.equal(n.read, false);
    // Deleting the reply takes both notifications with it.
    assert.equal((await cy.del(`/api/v1/comments/${reply.id}`)).status, 200);
    assert.deepEqual(await about(reply), []);
    assert.deepEqual(await about(top), [['ann', 'comment', 'Ben']]);
  });

  test('replying to your own comment notifies only the post author', async () => {
    const top = await comment(ben, 'First walk?');
    const own = await comment(ben, 'Answering myself', top);
    assert.deepEqual(await about(own), [['ann', 'comment', 'Ben']]);
  });

  test('the post author replying to a commenter: the commenter gets "reply", the author nothing', async () => {
    const top = await comment(cy, 'Where is this?');
    const reply = await comment(ann, 'The park by the river', top);
    assert.deepEqual(await about(reply), [['cy', 'reply', 'Ann']]);
  });

  test('a reply to the post author\'s own comment reaches them once, as "reply"', async () => {
    const top = await comment(ann, 'He loved it');
    assert.deepEqual(await about(top), []);
    const reply = await comment(ben, 'You can tell', top);
    assert.deepEqual(await about(reply), [['ann', 'reply', 'Ben']]);
    // Deleting the answered comment cascades to the reply and its notification.
    assert.equal((await ann.del(`/api/v1/comments/${top.id}`)).status, 200);
    assert.deepEqual(await about(reply), []);
  });
});

describe('schema 6 upgrade (reply notifications)', () => {
  test('a schema-5 database with comments, replies and notifications is upgraded in place', async () => {
    // Schema 5 from the first five migrations, then a history written under it:
    // Ann's post; Ben comments (1), Cy replies to Ben (2), Ann comments (3),
    // Ben replies to Ann (4) and to himself (5); Ben likes, Cy follows Ann.
    const { tmp, data, db, sql, migrations: m } = await oldDatabase('notif', 5);
    sql(`PRAGMA foreign_keys = ON;
      INSERT INTO users (id, handle, name, created_at) VALUES (1, 'ann', 'Ann', 1700000000),
        (2, 'ben', 'Ben', 1700000000), (3, 'cy', 'Cy', 1700000000);
      INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Biscuit', 'dog', 1700000000);
      INSERT INTO posts (id, author_id, pet_id, caption, created_at) VALUES (1, 1, 1, 'Walk', 1700000100);
      INSERT INTO post_pets VALUES (1, 1);
      INSERT INTO comments (id, post_id, author_id, parent_id, body, created_at) VALUES
        (1, 1, 2, NULL, 'Lovely', 1700000200), (2, 1, 3, 1, 'Agreed', 1700000210),
        (3, 1, 1, NULL, 'Thanks', 1700000220), (4, 1, 2, 3, 'Welcome', 1700000230),
        (5, 1, 2, 1, 'Me again', 1700000240);
      UPDATE notifications SET read = 1 WHERE comment_id = 1;
      INSERT INTO likes VALUES (1, 2, 1700000250);
      INSERT INTO follows VALUES (3, 1, 1700000260);`);
    const rows = `SELECT id, user_id, actor_id, kind, coalesce(comment_id, '-'), read FROM notifications ORDER BY id`;
    assert.equal(sql(rows), ['1 1 2 comment 1 1', '2 1 3 comment 2 0', '3 1 2 comment 4 0', '4 1 2 comment 5 0',
      '5 1 2 like - 0', '6 1 3 follow - 0'].join('\n'), 'what schema 5 wrote');

    let server = await startServer({ data, seed: false });
    try {
      // Kept: ids, read flags; the reply to Ann's own comment became her one 'reply';
      // Ben gets Cy's earlier reply, as read. Nobody hears of their own replies.
      assert.equal(sql('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.equal(sql(rows), ['1 1 2 comment 1 1', '2 1 3 comment 2 0', '3 1 2 reply 4 0', '4 1 2 comment 5 0',
        '5 1 2 like - 0', '6 1 3 follow - 0', '7 2 3 reply 2 1'].join('\n'));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'notifications'`), '6');
      assert.equal(sql(`SELECT count(*) FROM sqlite_schema WHERE name = 'notifications_new'`), '0');

      // Every trigger writing into the rebuilt table works on the upgraded file.
      const { people: [dee, eve, fay], pet, post } = await threeAndAPost(server, ['Dee', 'Eve', 'Fay'],
        { name: 'Pip', species: 'cat' }, 'Hi');
      assert.equal((await eve.put(`/api/v1/posts/${post.id}/like`)).status, 200);
      const top = (await eve.post(`/api/v1/posts/${post.id}/comments`, { body: 'Cute' })).body;
      const reply = (await fay.post(`/api/v1/posts/${post.id}/comments`, { body: 'Yes', parent_id: top.id })).body;
      const answer = (await dee.post(`/api/v1/posts/${post.id}/comments`, { body: 'Thanks', parent_id: top.id })).body;
      assert.equal((await fay.put(`/api/v1/users/${dee.user.id}/follow`)).status, 200);
      assert.equal((await fay.put(`/api/v1/pets/${pet.id}/follow`)).status, 200);
      const kinds = async (c) => (await c.get('/api/v1/notifications')).body.notifications
        .map((n) => [n.kind, n.actor.name, n.comment_id]).sort();
      assert.deepEqual(await kinds(dee), [['comment', 'Eve', top.id], ['comment', 'Fay', reply.id], ['follow', 'Fay', null],
        ['like', 'Eve', null], ['pet_follow', 'Fay', null]].sort());
      assert.deepEqual(await kinds(eve), [['reply', 'Dee', answer.id], ['reply', 'Fay', reply.id]].sort());
      // The triggers that take notifications back work too.
      assert.equal((await eve.del(`/api/v1/posts/${post.id}/like`)).status, 200);
      assert.equal((await fay.del(`/api/v1/users/${dee.user.id}/follow`)).status, 200);
      assert.equal((await fay.del(`/api/v1/pets/${pet.id}/follow`)).status, 200);
      assert.deepEqual(await kinds(dee), [['comment', 'Eve', top.id], ['comment', 'Fay', reply.id]]);
      // A restart finds the schema current and leaves it alone.
      await stopServer(server);
      server = await startServer({ data, seed: false });
      eve.server = server;
      assert.equal(sql('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.deepEqual(await kinds(eve), [['reply', 'Dee', answer.id], ['reply', 'Fay', reply.id]].sort());
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

// Notices (schema 12: what the server itself tells a person, written by
// pa_store_notices_add; tests/server/billing.test.mjs makes real billing ones
// through the payment simulator) are merged into the list by time. Here they
// are written straight into the table, with times and ids chosen to collide
// with the notifications', so one cursor must order both.
describe('notices among the notifications', () => {
  let server, gil, hal, ivy;
  const num = (id) => Number(id.split('_')[1]);

  before(async () => {
    server = await startServer();
    let post;
    ({ people: [gil, hal, ivy], post } = await threeAndAPost(server, ['Gil', 'Hal', 'Ivy'], { name: 'Mo', species: 'cat' }, 'Hey'));
    assert.equal((await hal.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    for (let i = 0; i < 6; i++) assert.equal((await hal.post(`/api/v1/posts/${post.id}/comments`, { body: `No. ${i}` })).status, 201);
    assert.equal((await ivy.put(`/api/v1/users/${gil.user.id}/follow`)).status, 200);
    // Three seconds for Gil's 8 notifications, so several share one; then one
    // notice at each other notification's time with that notification's id
    // (same time, same number: only the merged order tells them apart), one
    // between and one older than all. Ivy gets one too, which Gil must never
    // see. Kinds: billing's (naming nobody), a security notice with its
    // detail, and a follow request naming Hal as its actor.
    const T = 1_900_000_000;
    const g = num(gil.user.id);
    dbQuery(server, `UPDATE notifications SET created_at = ${T} + (id % 3) WHERE user_id = ${g}`);
    const ns = dbQuery(server, `SELECT id, created_at FROM notifications WHERE user_id = ${g} ORDER BY id`).split('\n').map((l) => l.split('|').map(Number));
    assert.equal(ns.length, 8, 'a like, six comments and a follow');
    const kinds = [`'billing_renewal_failed', NULL, '{}'`, `'security', NULL, '{"event":"new_session"}'`,
      `'follow_request', ${num(hal.user.id)}, '{}'`, `'billing_downgraded', NULL, '{}'`];
    const rows = ns.filter((_, i) => i % 2 === 0).map(([id, at], i) => `(${id}, ${g}, ${kinds[i]}, ${at})`);
    const top = Math.max(...ns.map(([id]) => id)) + 1;
    rows.push(`(${top}, ${g}, 'billing_downgraded', NULL, '{}', ${T + 1})`, `(${top + 1}, ${g}, 'billing_renewal_failed', NULL, '{}', ${T - 50})`,
      `(${top + 2}, ${num(ivy.user.id)}, 'billing_downgraded', NULL, '{}', ${T + 1})`);
    dbQuery(server, `INSERT INTO notices (id, user_id, kind, actor_id, detail, created_at) VALUES ${rows.join(', ')}`);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const page = async (c, query) => {
    const r = await c.get(`/api/v1/notifications${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('listed newest first with their own kinds, ids and details, unread and counted', async () => {
    const all = await page(gil, '?limit=100');
    assert.equal(all.next_cursor, null);
    const g = num(gil.user.id);
    const want = [
      ...dbQuery(server, `SELECT id FROM notifications WHERE user_id = ${g}`).split('\n').map((id) => `n_${id}`),
      ...dbQuery(server, `SELECT id FROM notices WHERE user_id = ${g}`).split('\n').map((id) => `nt_${id}`),
    ].sort();
    assert.equal(want.length, 8 + 6);
    assert.deepEqual(all.notifications.map((n) => n.id).sort(), want, 'every row of both tables, once');
    for (let i = 1; i < all.notifications.length; i++) assert.ok(all.notifications[i - 1].created_at >= all.notifications[i].created_at);
    const notices = all.notifications.filter((n) => n.id.startsWith('nt_'));
    assert.deepEqual([...new Set(notices.map((n) => n.kind))].sort(), ['billing_downgraded', 'billing_renewal_failed', 'follow_request', 'security']);
    for (const n of notices.filter((x) => x.kind.startsWith('billing_'))) {
      assert.deepEqual([n.actor, n.post_id, n.comment_id, n.pet, n.read, n.detail], [null, null, null, null, false, {}], JSON.stringify(n));
    }
    assert.deepEqual(notices.find((n) => n.kind === 'security').detail, { event: 'new_session' });
    assert.equal(notices.find((n) => n.kind === 'follow_request').actor.id, hal.user.id);
    assert.ok(all.notifications.filter((n) => n.id.startsWith('n_')).every((n) => !('detail' in n)), 'notifications carry no detail');
    const byId = Object.fromEntries(all.notifications.map((n) => [n.id, n]));
    // The last two written: a downgrade at T + 1, then a failed renewal older than everything.
    const last = Math.max(...notices.map((n) => num(n.id)));
    assert.equal(byId[`nt_${last - 1}`].kind, 'billing_downgraded');
    assert.equal(byId[`nt_${last}`].kind, 'billing_renewal_failed');
    assert.equal(all.notifications.at(-1).id, `nt_${last}`, 'the oldest notice is last');
    assert.equal(all.unread_count, all.notifications.filter((n) => !n.read).length);
    assert.equal(all.unread_count, 8 + 6);
  });

  test('paging through the mix: every page size gives the whole list once, in order', async () => {
    const all = (await page(gil, '?limit=100')).notifications.map((n) => n.id);
    for (const limit of [1, 2, 3, 5]) {
      const seen = [];
      let cursor = null;
      for (let pages = 0; pages < 20; pages++) {
        const p = await page(gil, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.ok(p.notifications.length <= limit);
        seen.push(...p.notifications.map((n) => n.id));
        cursor = p.next_cursor;
        if (!cursor) break;
      }
      assert.equal(cursor, null, `limit ${limit}: the last page came`);
      assert.deepEqual(seen, all, `limit ${limit}`);
    }
  });

  test('private to their owner; signed out 401; read up to a row of either kind marks it and all below it', async () => {
    const ivys = (await page(ivy, '?limit=100')).notifications;
    assert.deepEqual(ivys.map((n) => n.kind), ['billing_downgraded'], 'Ivy sees her own notice and none of Gil\'s');
    const gils = (await page(gil, '?limit=100')).notifications.map((n) => n.id);
    assert.ok(!gils.includes(ivys[0].id), 'Gil does not see Ivy\'s');
    assert.ok(!(await page(hal, '?limit=100')).notifications.some((n) => n.id.startsWith('nt_')), 'Hal has none');
    assertError(await new Client(server).get('/api/v1/notifications'), 401, 'unauthorized');
    // Someone else's row names nothing of Gil's: 404, nothing marked.
    assertError(await gil.post('/api/v1/notifications/read', { up_to: ivys[0].id }), 404, 'not_found');
    assertError(await gil.post('/api/v1/notifications/read', { up_to: 'bn_1' }), 400, 'bad_request');
    assert.equal((await page(gil, '?limit=100')).unread_count, gils.length);
    // Up to a notice in the middle, then up to a notification further up: each
    // time exactly the rows listed at or below it are read.
    const mid = gils.findIndex((id, k) => k >= gils.length / 2 && id.startsWith('nt_'));
    const upper = gils.findIndex((id, k) => k >= 2 && id.startsWith('n_'));
    assert.ok(upper > 0 && upper < mid, `${upper} < ${mid}`);
    for (const at of [mid, upper]) {
      const r = await gil.post('/api/v1/notifications/read', { up_to: gils[at] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const now = (await page(gil, '?limit=100')).notifications;
      assert.deepEqual(now.map((n) => n.read), gils.map((_, k) => k >= at), `read from ${gils[at]} down`);
      assert.equal(r.body.unread_count, at);
    }
    const read = await gil.post('/api/v1/notifications/read', {});
    assert.deepEqual(read.body, { unread_count: 0 });
    assert.equal((await page(gil, '?limit=100')).notifications.length, gils.length, 'marking read removes nothing');
    assert.deepEqual((await page(ivy, '?limit=100')).notifications.map((n) => n.read), [false], 'Ivy\'s stays unread');
  });
});

// Schema 12 moves billing's notices (billing_notices, which kept no read
// mark) into notices, as read, in their order, and drops the old table. The
// version is found in the source, so a renumbering at merge needs no edit.
const NOTICES_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE notices')) + 1;
const OLD_NOTICES = (u) => `INSERT INTO billing_notices (user_id, kind, at) VALUES (${u}, 'downgraded', 50), (${u}, 'renewal_failed', 40);`;

describe('the notices schema upgrade (version 12)', () => {
  test('SQLite: billing notices move into notices, read, in order', async () => {
    const { tmp, data, sql } = await oldDatabase('notices', NOTICES_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1); ${OLD_NOTICES(1)}`);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('SELECT user_id, kind, created_at, read, detail FROM notices ORDER BY id'),
        '1 billing_downgraded 50 1 {}\n1 billing_renewal_failed 40 1 {}');
      assert.equal(sql("SELECT count(*) FROM sqlite_master WHERE name = 'billing_notices'"), '0');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-notices-pg-'));
    const pg = await createDatabase('pa_notices_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, NOTICES_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${NOTICES_VERSION - 1};
        INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1); ${OLD_NOTICES(1)}`);
      const server = await startServer({ data: path.join(tmp, 'data'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT user_id, kind, created_at, read, detail FROM notices ORDER BY id'), [
          { user_id: '1', kind: 'billing_downgraded', created_at: '50', read: '1', detail: '{}' },
          { user_id: '1', kind: 'billing_renewal_failed', created_at: '40', read: '1', detail: '{}' },
        ]);
        assert.deepEqual(await query(pg.url, "SELECT to_regclass('billing_notices') IS NULL AS gone"), [{ gone: 't' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
