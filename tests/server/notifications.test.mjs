// Notifications: likes, comments and follows reach the owner of the post, pet
// or person; taken back with the action; paged newest first; marked read;
// persisted in the SQLite file across a restart; private to their owner.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

describe('notifications', () => {
  let server, alice, bob, carol, pet, post;

  before(async () => {
    server = await startServer();
    alice = new Client(server);
    bob = new Client(server);
    carol = new Client(server);
    await alice.signup(email('alice'), 'correct horse battery', 'Alice');
    await bob.signup(email('bob'), 'correct horse battery', 'Bob');
    await carol.signup(email('carol'), 'correct horse battery', 'Carol');
    pet = (await alice.post('/api/v1/pets', { name: 'Whiskers', species: 'cat' })).body;
    const media = await alice.upload(png(32, 32), 'image/png');
    post = (await alice.post('/api/v1/posts', { caption: 'Nap #cat', media_ids: [media.id], pet_ids: [pet.id] })).body;
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
