// The Plus badge on every person the API names (issue 18): comment authors
// (top level and replies, and the answer to a new comment), follower and
// following lists (of people and of pets), people search, notification
// actors, a pet's owner, the story tray's owners, reel authors, feed authors
// and profiles. A Plus person says "plus": true everywhere, a free person and
// one whose Plus has lapsed say false (users.plus_until against the server's
// clock: the rule is pa_api_add_plus, one place for all).
// People are made Plus by setting users.plus_until, as the billing tests do
// where the payment journey is not the point (tests/server/billing.test.mjs
// shows the journey sets that column).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, dbQuery, email, png, startServer, stopServer } from './helpers.mjs';

const YEAR = 366 * 86400;
const num = (id) => Number(id.split('_')[1]);

describe('the Plus badge on every person the API names', () => {
  let server, pia, fred, lapsed, tom, tomPet, post, piaPet, fredPet;
  // What each of the people this test made must say.
  const expected = () => ({ [pia.user.id]: true, [fred.user.id]: false, [lapsed.user.id]: false, [tom.user.id]: false });

  // Every person object of a list, as [id, plus]; asserts each carries a
  // boolean and that the people of `who` are all there with the right flag.
  function check(people, who, what) {
    assert.ok(people.length > 0, `${what}: nobody listed`);
    for (const p of people) assert.equal(typeof p.plus, 'boolean', `${what}: ${JSON.stringify(p)}`);
    const got = Object.fromEntries(people.map((p) => [p.id, p.plus]));
    const want = expected();
    for (const id of who) assert.equal(got[id], want[id], `${what}: ${id} in ${JSON.stringify(people)}`);
  }

  async function person(name) {
    const c = new Client(server);
    await c.signup(email(name.toLowerCase().replace(/\s/g, '')), 'correct horse battery', name);
    return c;
  }
  async function petOf(c, name) {
    const r = await c.post('/api/v1/pets', { name, species: 'dog' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }
  const ok = async (res, status = 200) => {
    const r = await res;
    assert.equal(r.status, status, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    server = await startServer();
    pia = await person('Zorblat Pia');
    fred = await person('Zorblat Fred');
    lapsed = await person('Zorblat Lapsed');
    tom = await person('Tom');
    // Pia has Plus for a year; Lapsed had it until an hour ago (the server's clock is the machine's).
    const now = Math.floor(Date.now() / 1000);
    dbQuery(server, `UPDATE users SET plus_until = ${now + YEAR} WHERE id = ${num(pia.user.id)}`);
    dbQuery(server, `UPDATE users SET plus_until = ${now - 3600} WHERE id = ${num(lapsed.user.id)}`);
    tomPet = await petOf(tom, 'Rex');
    piaPet = await petOf(pia, 'Pip');
    fredPet = await petOf(fred, 'Fido');
    const media = await tom.upload(png(32, 32), 'image/png');
    post = await ok(tom.post('/api/v1/posts', { caption: 'Walk', media_ids: [media.id], pet_ids: [tomPet.id] }), 201);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('comments and replies: each author with their flag, also in the answer to a new comment', async () => {
    const everyone = [pia, fred, lapsed];
    const made = [];
    for (const c of everyone) {
      const body = await ok(c.post(`/api/v1/posts/${post.id}/comments`, { body: `Hi from ${c.user.id}` }), 201);
      assert.equal(body.author.plus, expected()[c.user.id], `POST answer: ${JSON.stringify(body)}`);
      made.push(body);
    }
    const top = await ok(tom.get(`/api/v1/posts/${post.id}/comments`));
    check(top.comments.map((x) => x.author), everyone.map((c) => c.user.id), 'comments');
    for (const c of everyone) await ok(c.post(`/api/v1/posts/${post.id}/comments`, { body: 'Reply', parent_id: made[0].id }), 201);
    const replies = await ok(tom.get(`/api/v1/posts/${post.id}/comments?parent_id=${made[0].id}`));
    check(replies.comments.map((x) => x.author), everyone.map((c) => c.user.id), 'replies');
  });

  test('followers and following, of a person and of a pet; notification actors', async () => {
    for (const c of [pia, fred, lapsed]) {
      await ok(c.put(`/api/v1/users/${tom.user.id}/follow`));
      await ok(c.put(`/api/v1/pets/${tomPet.id}/follow`));
      await ok(tom.put(`/api/v1/users/${c.user.id}/follow`));
    }
    const ids = [pia, fred, lapsed].map((c) => c.user.id);
    check((await ok(tom.get(`/api/v1/users/${tom.user.id}/followers`))).users, ids, 'followers');
    check((await ok(tom.get(`/api/v1/pets/${tomPet.id}/followers`))).users, ids, 'pet followers');
    check((await ok(tom.get(`/api/v1/users/${tom.user.id}/following`))).users, ids, 'following');
    // Signed out too: the lists are public.
    check((await ok(new Client(server).get(`/api/v1/users/${tom.user.id}/followers`))).users, ids, 'followers, signed out');
    check((await ok(pia.get(`/api/v1/users/${pia.user.id}/followers`))).users, [tom.user.id], 'a Plus person\'s followers');
    const notes = (await ok(tom.get('/api/v1/notifications?limit=100'))).notifications;
    check(notes.map((n) => n.actor), ids, 'notification actors');
  });

  test('people search', async () => {
    const r = await ok(tom.get('/api/v1/search?type=people&q=zorblat'));
    assert.equal(r.results.length, 3, JSON.stringify(r.results));
    check(r.results, [pia, fred, lapsed].map((c) => c.user.id), 'search');
  });

  test('a pet\'s owner, profiles, the story tray, the feed', async () => {
    assert.equal((await ok(tom.get(`/api/v1/pets/${piaPet.id}`))).owner.plus, true);
    assert.equal((await ok(tom.get(`/api/v1/pets/${fredPet.id}`))).owner.plus, false);
    for (const c of [pia, fred, lapsed]) assert.equal((await ok(tom.get(`/api/v1/users/${c.user.id}`))).plus, expected()[c.user.id]);
    for (const [c, pet] of [[pia, piaPet], [fred, fredPet]]) {
      const img = await c.upload(png(32, 32), 'image/png');
      await ok(c.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id }), 201);
      await ok(c.post('/api/v1/posts', { caption: 'Me', media_ids: [(await c.upload(png(24, 24), 'image/png')).id], pet_ids: [pet.id] }), 201);
    }
    const tray = await ok(tom.get('/api/v1/stories'));
    check(tray.tray.map((e) => e.owner), [pia.user.id, fred.user.id], 'story tray');
    const feed = await ok(tom.get('/api/v1/feed?limit=10'));
    check(feed.posts.map((p) => p.author), [pia.user.id, fred.user.id], 'feed');
  });

  test('reel authors (the seeded reels, web/demo/seed.c)', async () => {
    const reels = (await ok(tom.get('/api/v1/reels'))).reels;
    assert.ok(reels.length > 0, 'the small demo world has reels (web/demo/seed.c seed_reels; needs ffmpeg)');
    const author = reels[0].author.id;
    assert.equal(reels[0].author.plus, false);
    dbQuery(server, `UPDATE users SET plus_until = ${Math.floor(Date.now() / 1000) + YEAR} WHERE id = ${num(author)}`);
    for (const r of (await ok(tom.get('/api/v1/reels'))).reels) assert.equal(r.author.plus, r.author.id === author, JSON.stringify(r.author));
  });
});
