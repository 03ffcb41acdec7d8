// What the profile, tag and search screens need beyond the basics: a pet's
// followers, the posts with a tag (/feed/tag), and pets found by breed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

describe('profile, tag and search pages', () => {
  let server, alice, bob, carol, anon, fern, rex;
  before(async () => {
    server = await startServer();
    [alice, bob, carol, anon] = [new Client(server), new Client(server), new Client(server), new Client(server)];
    await alice.signup(email('alice'), 'alice password', 'Alice Social');
    await bob.signup(email('bob'), 'bob password!', 'Bob Social');
    await carol.signup(email('carol'), 'carol password', 'Carol Social');
    fern = (await alice.post('/api/v1/pets', { name: 'Fern', species: 'dog', breed: 'Whippet Zq' })).body;
    rex = (await bob.post('/api/v1/pets', { name: 'Rexzq', species: 'dog', breed: 'Corgi' })).body;
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test("a pet's followers, most recent first, paged; 404 for no such pet", async () => {
    assert.deepEqual((await anon.get(`/api/v1/pets/${fern.id}/followers`)).body, { users: [], next_cursor: null });
    assert.equal((await bob.put(`/api/v1/pets/${fern.id}/follow`)).body.follower_count, 1);
    assert.equal((await carol.put(`/api/v1/pets/${fern.id}/follow`)).body.follower_count, 2);
    const all = await anon.get(`/api/v1/pets/${fern.id}/followers`);
    assert.equal(all.status, 200);
    assert.deepEqual(new Set(all.body.users.map((u) => u.name)), new Set(['Carol Social', 'Bob Social']));
    const first = await anon.get(`/api/v1/pets/${fern.id}/followers?limit=1`);
    assert.equal(first.body.users.length, 1);
    assert.ok(first.body.next_cursor);
    const second = await anon.get(`/api/v1/pets/${fern.id}/followers?limit=1&cursor=${first.body.next_cursor}`);
    assert.equal(second.body.users.length, 1);
    assert.equal(second.body.next_cursor, null);
    assert.notEqual(first.body.users[0].id, second.body.users[0].id);
    // Unfollowing takes them off the list; a person's followers are a different list.
    await bob.del(`/api/v1/pets/${fern.id}/follow`);
    assert.deepEqual((await anon.get(`/api/v1/pets/${fern.id}/followers`)).body.users.map((u) => u.name), ['Carol Social']);
    assert.deepEqual((await anon.get(`/api/v1/users/${alice.user.id}/followers`)).body.users, []);
    assertError(await anon.get('/api/v1/pets/pet_999999/followers'), 404, 'not_found');
    assertError(await anon.get(`/api/v1/pets/${fern.id}/followers?cursor=nope!`), 400, 'bad_request');
  });

  test('posts with a tag, newest first, paged, in the feed shape', async () => {
    const media = await alice.upload(png(12, 12), 'image/png');
    const made = [];
    for (const caption of ['Zoomies #RunZq', 'Nap #sleepzq', 'More #runzq and #sleepzq']) {
      const m = made.length ? await alice.upload(png(12 + made.length, 12), 'image/png') : media;
      made.push((await alice.post('/api/v1/posts', { caption, media_ids: [m.id], pet_ids: [fern.id] })).body);
    }
    const run = await anon.get('/api/v1/feed/tag?tag=runzq');
    assert.equal(run.status, 200);
    assert.deepEqual(run.body.posts.map((p) => p.id), [made[2].id, made[0].id]);
    assert.equal(run.body.next_cursor, null);
    // '#' and capitals are forgiven; the viewer's likes show.
    await bob.put(`/api/v1/posts/${made[1].id}/like`);
    const sleep = await bob.get('/api/v1/feed/tag?tag=%23SleepZq&limit=1');
    assert.deepEqual(sleep.body.posts.map((p) => [p.id, p.liked]), [[made[2].id, false]]);
    const rest = await bob.get(`/api/v1/feed/tag?tag=sleepzq&limit=1&cursor=${sleep.body.next_cursor}`);
    assert.deepEqual(rest.body.posts.map((p) => [p.id, p.liked]), [[made[1].id, true]]);
    assert.equal(rest.body.next_cursor, null);
    assert.deepEqual((await anon.get('/api/v1/feed/tag?tag=nosuchtagzq')).body, { posts: [], next_cursor: null });
    for (const bad of ['', '?tag=', '?tag=two%20words', '?tag=%C3%A9lan', `?tag=${'a'.repeat(81)}`, '?tag=a&limit=0']) {
      assertError(await anon.get(`/api/v1/feed/tag${bad}`), 400, 'bad_request');
    }
  });

  test('pets are found by breed as well as by name', async () => {
    const s = (q, type) => anon.get(`/api/v1/search?type=${type}&q=${encodeURIComponent(q)}`);
    const breeds = (await s('whippet', 'breeds')).body.results;
    assert.ok(breeds.some((b) => b.breed === 'Whippet Zq' && b.pet_count === 1));
    assert.deepEqual((await s('Whippet Zq', 'pets')).body.results.map((p) => p.id), [fern.id]);
    assert.deepEqual((await s('zq', 'pets')).body.results.map((p) => p.id).sort(), [fern.id, rex.id].sort());
    // A word of the name or the breed comes before a match inside a word.
    assert.equal((await s('rexzq', 'pets')).body.results[0].id, rex.id);
  });
});
