// Posts, likes, comments, pets, people, follows, feeds and search.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, dbQuery, email, jpegHeader, png, startServer, stopServer } from './helpers.mjs';

async function walk(c, first, key, { limit = 7, max = 200 } = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < max; i++) {
    const sep = first.includes('?') ? '&' : '?';
    const r = await c.get(`${first}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    items.push(...r.body[key]);
    cursor = r.body.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error('never ended');
}

describe('posts, people and pets', () => {
  let server, alice, bob, anon, alicePet, alicePet2, bobPet;
  before(async () => {
    server = await startServer();
    alice = new Client(server);
    bob = new Client(server);
    anon = new Client(server);
    await alice.signup(email('alice'), 'alice password', 'Alice Liddell');
    await bob.signup(email('bob'), 'bob password!', 'Bob Builder');
    alicePet = (await alice.post('/api/v1/pets', { name: 'Whiskers', species: 'cat', breed: 'Maine Coon',
      birth_date: '2020-02-29', bio: 'Large and in charge.' })).body;
    alicePet2 = (await alice.post('/api/v1/pets', { name: 'Pip', species: 'hamster' })).body;
    bobPet = (await bob.post('/api/v1/pets', { name: 'Rex', species: 'dog', breed: 'Corgi' })).body;
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('pets: create, read, patch, list, and owner-only changes', async () => {
    assert.equal(alicePet.name, 'Whiskers');
    assert.equal(alicePet.birth_date, '2020-02-29');
    assert.equal(alicePet.owner.id, alice.user.id);
    assert.equal(alicePet.post_count, 0);
    assert.equal(alicePet2.birth_date, null);
    assert.equal(alicePet2.breed, '');
    const got = await anon.get(`/api/v1/pets/${alicePet.id}`);
    assert.deepEqual(got.body, alicePet);
    const mine = await alice.get('/api/v1/me/pets');
    assert.deepEqual(mine.body.pets.map((p) => p.id), [alicePet.id, alicePet2.id]);

    const patched = await alice.patch(`/api/v1/pets/${alicePet2.id}`, { bio: 'Tiny.', birth_date: '2024-01-31' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.bio, 'Tiny.');
    assert.equal(patched.body.name, 'Pip');
    assert.equal(patched.body.birth_date, '2024-01-31');
    const cleared = await alice.patch(`/api/v1/pets/${alicePet2.id}`, { birth_date: null });
    assert.equal(cleared.body.birth_date, null);
    assert.equal(cleared.body.bio, 'Tiny.');

    assertError(await bob.patch(`/api/v1/pets/${alicePet.id}`, { name: 'Mine now' }), 403, 'forbidden');
    assertError(await bob.del(`/api/v1/pets/${alicePet.id}`), 403, 'forbidden');
    assertError(await alice.patch('/api/v1/pets/pet_999999', { name: 'X' }), 404, 'not_found');
    for (const bad of [{}, { name: '' }, { birth_date: '2021-02-29' }, { birth_date: '2999-01-01' },
      { birth_date: '21-01-01' }, { species: 7 }, { colour: 'red' }]) {
      assertError(await alice.patch(`/api/v1/pets/${alicePet.id}`, bad), 400, 'bad_request');
    }
    for (const bad of [{ species: 'cat' }, { name: 'X' }, { name: 'x'.repeat(81), species: 'cat' }]) {
      assertError(await alice.post('/api/v1/pets', bad), 400, 'bad_request');
    }
    assertError(await alice.post('/api/v1/pets', { name: 'X', species: 'cat', avatar_media_id: 'm_999' }), 400, 'unknown_upload');
    const avatar = await alice.upload(png(64, 64), 'image/png');
    const withAvatar = await alice.patch(`/api/v1/pets/${alicePet2.id}`, { avatar_media_id: avatar.id });
    assert.equal(withAvatar.body.avatar_url, avatar.url);
    const extra = (await alice.post('/api/v1/pets', { name: 'Temp', species: 'rabbit' })).body;
    assert.equal((await alice.del(`/api/v1/pets/${extra.id}`)).status, 200);
    assertError(await anon.get(`/api/v1/pets/${extra.id}`), 404, 'not_found');
  });

  test('posts: create with tags, several pets and images; read; delete own only', async () => {
    const m1 = await alice.upload(png(40, 30), 'image/png');
    const m2 = await alice.upload(jpegHeader(1080, 1350), 'image/jpeg');
    const r = await alice.post('/api/v1/posts', {
      caption: 'Two friends #BestFriends #cat and #hamster, again #cat. Not a tag: #1 or a#b',
      media_ids: [m1.id, m2.id], pet_ids: [alicePet.id, alicePet2.id], alt: ['grey square'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const p = r.body;
    assert.deepEqual(p.tags, ['bestfriends', 'cat', 'hamster']);
    assert.equal(p.pet.id, alicePet.id);
    assert.deepEqual(p.pets.map((x) => x.id), [alicePet.id, alicePet2.id]);
    assert.deepEqual(p.images.map((i) => [i.url, i.width, i.height, i.alt]),
      [[m1.url, 40, 30, 'grey square'], [m2.url, 1080, 1350, '']]);
    assert.equal(p.liked, false);
    assert.equal(p.like_count, 0);
    const got = await anon.get(`/api/v1/posts/${p.id}`);
    assert.deepEqual(got.body, p);
    const feed = await anon.get('/api/v1/feed?limit=1');
    assert.equal(feed.body.posts[0].id, p.id);
    assert.equal((await anon.get(`/api/v1/pets/${alicePet2.id}`)).body.post_count, 1);
    const petPosts = await anon.get(`/api/v1/pets/${alicePet2.id}/posts`);
    assert.deepEqual(petPosts.body.posts.map((x) => x.id), [p.id]);

    assertError(await bob.del(`/api/v1/posts/${p.id}`), 403, 'forbidden');
    const temp = (await alice.post('/api/v1/posts', { caption: '', media_ids: [m1.id], pet_ids: [alicePet.id] })).body;
    assert.equal((await alice.del(`/api/v1/posts/${temp.id}`)).status, 200);
    assertError(await alice.del(`/api/v1/posts/${temp.id}`), 404, 'not_found');
    assertError(await anon.get(`/api/v1/posts/${temp.id}`), 404, 'not_found');
  });

  test('posts: bad input, and nothing half-written when a check fails midway', async () => {
    const m = await alice.upload(png(10, 10), 'image/png');
    const bobMedia = await bob.upload(png(11, 11), 'image/png');
    const before = await anon.get('/api/v1/feed?limit=50');
    const cases = [
      [{ caption: 'x', media_ids: [], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      [{ caption: 'x', media_ids: Array(11).fill(m.id), pet_ids: [alicePet.id] }, 422, 'too_many_photos'], // a free person's limit (photos.test.mjs)
      [{ caption: 'x', media_ids: [m.id, m.id], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      [{ caption: 'x', media_ids: [m.id], pet_ids: [] }, 400, 'bad_request'],
      [{ caption: 'x', media_ids: ['p_1'], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      [{ caption: 'x'.repeat(2201), media_ids: [m.id], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      [{ caption: 7, media_ids: [m.id], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      [{ media_ids: [m.id], pet_ids: [alicePet.id] }, 400, 'bad_request'],
      // Someone else's upload, someone else's pet, a pet that does not exist:
      // each found after the post row and earlier images were written.
      [{ caption: 'x #half', media_ids: [m.id, bobMedia.id], pet_ids: [alicePet.id] }, 400, 'unknown_upload'],
      [{ caption: 'x #half', media_ids: [m.id], pet_ids: [alicePet.id, bobPet.id] }, 403, 'forbidden'],
      [{ caption: 'x #half', media_ids: [m.id], pet_ids: [alicePet.id, 'pet_999999'] }, 400, 'bad_request'],
      [{ caption: 'x #half', media_ids: [m.id], pet_ids: [bobPet.id] }, 403, 'forbidden'],
    ];
    for (const [body, status, code] of cases) {
      assertError(await alice.post('/api/v1/posts', body), status, code);
    }
    const afterwards = await anon.get('/api/v1/feed?limit=50');
    assert.deepEqual(afterwards.body, before.body, 'no post appeared');
    const tags = await anon.get('/api/v1/search?type=tags&q=half');
    assert.deepEqual(tags.body.results, [], 'no tag rows were left behind');
    assert.equal((await anon.get(`/api/v1/pets/${alicePet.id}`)).body.post_count,
      (await anon.get(`/api/v1/pets/${alicePet.id}/posts?limit=50`)).body.posts.length);
  });

  test('alt text at PA_STORE_ALT_MAX (web/src/store/feed.h): 300 bytes kept whole on either engine, 301 refused', async () => {
    const m = await alice.upload(png(12, 12), 'image/png');
    const alt = 'é'.repeat(150); // 300 bytes in 150 characters: the schemas count bytes
    const body = (text) => ({ caption: 'alt at its edge', media_ids: [m.id], pet_ids: [alicePet.id], alt: [text] });
    assertError(await alice.post('/api/v1/posts', body(`${alt}x`)), 400, 'bad_request');
    const ok = await alice.post('/api/v1/posts', body(alt));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal((await anon.get(`/api/v1/posts/${ok.body.id}`)).body.images[0].alt, alt);
    assert.equal((await alice.del(`/api/v1/posts/${ok.body.id}`)).status, 200);
  });

  test('likes are idempotent and per viewer', async () => {
    const post = 'p_3';
    const start = (await anon.get(`/api/v1/posts/${post}`)).body.like_count;
    const a = await bob.put(`/api/v1/posts/${post}/like`);
    assert.deepEqual(a.body, { liked: true, like_count: start + 1 });
    const b = await bob.put(`/api/v1/posts/${post}/like`);
    assert.deepEqual(b.body, { liked: true, like_count: start + 1 });
    assert.equal((await bob.get(`/api/v1/posts/${post}`)).body.liked, true);
    assert.equal((await alice.get(`/api/v1/posts/${post}`)).body.liked, false);
    assert.equal((await anon.get(`/api/v1/posts/${post}`)).body.liked, false);
    const inFeed = (await bob.get('/api/v1/feed?limit=50')).body.posts.find((p) => p.id === post);
    assert.equal(inFeed.liked, true);
    assert.deepEqual((await bob.del(`/api/v1/posts/${post}/like`)).body, { liked: false, like_count: start });
    assert.deepEqual((await bob.del(`/api/v1/posts/${post}/like`)).body, { liked: false, like_count: start });
    assertError(await bob.put('/api/v1/posts/p_999999/like'), 404, 'not_found');
  });

  test('comments: replies one level deep, pagination, deletion rights', async () => {
    const post = 'p_5';
    const before = (await anon.get(`/api/v1/posts/${post}`)).body.comment_count;
    const top = (await alice.post(`/api/v1/posts/${post}/comments`, { body: 'First!\nTwo lines.' })).body;
    assert.equal(top.parent_id, null);
    assert.equal(top.author.id, alice.user.id);
    const reply = await bob.post(`/api/v1/posts/${post}/comments`, { body: 'A reply', parent_id: top.id });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.parent_id, top.id);
    assertError(await alice.post(`/api/v1/posts/${post}/comments`, { body: 'deeper', parent_id: reply.body.id }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/posts/p_6/comments', { body: 'wrong post', parent_id: top.id }), 400, 'bad_request');
    assertError(await alice.post(`/api/v1/posts/${post}/comments`, { body: '' }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/posts/p_999999/comments', { body: 'x' }), 404, 'not_found');
    for (let i = 0; i < 12; i++) await bob.post(`/api/v1/posts/${post}/comments`, { body: `c${i}` });
    const all = await walk(anon, `/api/v1/posts/${post}/comments`, 'comments', { limit: 5 });
    assert.equal(all.length, new Set(all.map((c) => c.id)).size);
    assert.ok(all.every((c) => c.parent_id === null));
    assert.equal(all.find((c) => c.id === top.id).reply_count, 1);
    const times = all.map((c) => [Date.parse(c.created_at), Number(c.id.slice(2))]);
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1][0] < times[i][0] || (times[i - 1][0] === times[i][0] && times[i - 1][1] < times[i][1]));
    const replies = await anon.get(`/api/v1/posts/${post}/comments?parent_id=${top.id}`);
    assert.deepEqual(replies.body.comments.map((c) => c.id), [reply.body.id]);
    assertError(await anon.get(`/api/v1/posts/p_6/comments?parent_id=${top.id}`), 404, 'not_found');
    assertError(await anon.get(`/api/v1/posts/${post}/comments?parent_id=x`), 400, 'bad_request');
    assertError(await anon.get(`/api/v1/posts/${post}/comments?cursor=zzz`), 400, 'bad_request');
    assert.equal((await anon.get(`/api/v1/posts/${post}`)).body.comment_count, before + 14);

    const stranger = new Client(server);
    await stranger.signup(email('stranger'));
    assertError(await stranger.del(`/api/v1/comments/${top.id}`), 403, 'forbidden');
    assert.equal((await alice.del(`/api/v1/comments/${top.id}`)).status, 200);
    assertError(await alice.del(`/api/v1/comments/${top.id}`), 404, 'not_found');
    assert.equal((await anon.get(`/api/v1/posts/${post}`)).body.comment_count, before + 12, 'the reply went too');
  });

  test('follows, profiles with counts, followers and following pages', async () => {
    const bobId = bob.user.id;
    const f = await alice.put(`/api/v1/users/${bobId}/follow`);
    assert.equal(f.body.following, true);
    assert.equal((await alice.put(`/api/v1/users/${bobId}/follow`)).body.follower_count, f.body.follower_count);
    assertError(await alice.put(`/api/v1/users/${alice.user.id}/follow`), 400, 'bad_request');
    assertError(await alice.put('/api/v1/users/u_999999/follow'), 404, 'not_found');
    const profile = await alice.get(`/api/v1/users/${bobId}`);
    assert.equal(profile.body.following, true);
    assert.equal(profile.body.follower_count, f.body.follower_count);
    assert.equal(profile.body.pet_count, 1);
    assert.deepEqual(profile.body.pets.map((p) => p.id), [bobPet.id]);
    assert.equal((await anon.get(`/api/v1/users/${bobId}`)).body.following, false);

    const fans = [];
    for (let i = 0; i < 5; i++) {
      const c = new Client(server);
      await c.signup(email('fan'));
      await c.put(`/api/v1/users/${bobId}/follow`);
      fans.push(c.user.id);
    }
    const followers = await walk(anon, `/api/v1/users/${bobId}/followers`, 'users', { limit: 2 });
    assert.equal(followers.length, 6);
    assert.deepEqual(new Set(followers.map((u) => u.id)), new Set([...fans, alice.user.id]));
    const following = await walk(anon, `/api/v1/users/${alice.user.id}/following`, 'users');
    assert.deepEqual(following.map((u) => u.id), [bobId]);
    assertError(await anon.get('/api/v1/users/u_999999/followers'), 404, 'not_found');

    const pf = await alice.put(`/api/v1/pets/${bobPet.id}/follow`);
    assert.deepEqual(pf.body, { following: true, requested: false, follower_count: 1 });
    assert.equal((await alice.get(`/api/v1/pets/${bobPet.id}`)).body.following, true);
    assert.deepEqual((await alice.del(`/api/v1/pets/${bobPet.id}/follow`)).body, { following: false, requested: false, follower_count: 0 });
    assert.equal((await alice.del(`/api/v1/users/${bobId}/follow`)).body.following, false);
  });

  test('following feed: followed people and pets only, newest first', async () => {
    const viewer = new Client(server);
    await viewer.signup(email('viewer'));
    assert.deepEqual((await viewer.get('/api/v1/feed/following')).body, { posts: [], next_cursor: null });
    // u_1 is Ana (demo), pet_8 is Tortellini (Maya's turtle).
    await viewer.put('/api/v1/users/u_1/follow');
    await viewer.put('/api/v1/pets/pet_8/follow');
    const posts = await walk(viewer, '/api/v1/feed/following', 'posts', { limit: 3 });
    assert.ok(posts.length > 0);
    for (const p of posts) assert.ok(p.author.id === 'u_1' || p.pet.id === 'pet_8', p.id);
    const everything = await walk(viewer, '/api/v1/feed', 'posts', { limit: 50 });
    const expected = everything.filter((p) => p.author.id === 'u_1' || p.pet.id === 'pet_8').map((p) => p.id);
    assert.deepEqual(posts.map((p) => p.id), expected);
    const mine = await walk(anon, '/api/v1/users/u_1/posts', 'posts');
    assert.deepEqual(mine.map((p) => p.id), everything.filter((p) => p.author.id === 'u_1').map((p) => p.id));
    assertError(await anon.get('/api/v1/users/u_999999/posts'), 404, 'not_found');
    assertError(await anon.get('/api/v1/pets/pet_999999/posts'), 404, 'not_found');
  });

  test('feed pages: every post once, with all its images in order, at every page size', async () => {
    // The database's own answer, read beside the API: each post with images, newest first, and its
    // images by position (the feed reads posts and images in one statement per page).
    // Ad creatives are posts too, but never in the feed (issue 21).
    const rows = dbQuery(server, 'SELECT p.id, i.position, i.media, i.alt FROM posts p JOIN post_images i ON i.post_id = p.id'
      + ' WHERE p.id NOT IN (SELECT post_id FROM ad_creatives WHERE post_id IS NOT NULL)'
      + ' ORDER BY p.created_at DESC, p.id DESC, i.position').split('\n');
    const expected = [];
    for (const row of rows) {
      const [id, , media, alt] = row.split('|');
      if (expected.at(-1)?.id !== `p_${id}`) expected.push({ id: `p_${id}`, images: [] });
      expected.at(-1).images.push({ media, alt });
    }
    assert.ok(expected.some((p) => p.images.length > 1), 'the demo world has carousels');
    const shape = (posts) => posts.map((p) => ({
      id: p.id, images: p.images.map((im) => ({ media: im.url.split('/').pop().split('.')[0], alt: im.alt })),
    }));
    for (const limit of [1, 2, 7, 50]) {
      const posts = await walk(anon, '/api/v1/feed', 'posts', { limit, max: 1000 });
      assert.deepEqual(shape(posts), expected, `limit ${limit}`);
    }
  });

  test('search: people, pets, breeds, tags; case-insensitive and Unicode-safe', async () => {
    const s = (q, type) => anon.get(`/api/v1/search?type=${type}&q=${encodeURIComponent(q)}`);
    assert.deepEqual((await s('TOMÁS', 'people')).body.results.map((u) => u.name), ['Tomás Herrera']);
    assert.deepEqual((await s('tomás', 'people')).body.results.map((u) => u.name), ['Tomás Herrera']);
    const ali = (await s('ali', 'people')).body.results.map((u) => u.name);
    assert.equal(ali[0], 'Alice Liddell', 'word prefix before substring');
    const zoe = new Client(server);
    await zoe.signup(email('zoe'), 'zoe password', 'ΖΩΉ Ελληνική');
    assert.equal((await s('ζωή', 'people')).body.results[0].name, 'ΖΩΉ Ελληνική');
    assert.equal((await s('ελλην', 'people')).body.results[0].name, 'ΖΩΉ Ελληνική');
    assert.equal((await s('ζωη', 'people')).body.results.length, 0, 'accents are not stripped');
    assert.ok((await s('whisk', 'pets')).body.results.some((p) => p.id === alicePet.id));
    const breeds = (await s('coon', 'breeds')).body.results;
    assert.deepEqual(breeds.find((b) => b.breed === 'Maine Coon'), { breed: 'Maine Coon', species: 'cat', pet_count: 1 });
    const tags = (await s('#hamster', 'tags')).body.results;
    assert.equal(tags[0].tag, 'hamsterlife');
    assert.ok(tags.every((t) => t.tag.includes('hamster') && t.post_count > 0));
    // Paging gives every match once.
    const page1 = await anon.get('/api/v1/search?type=tags&q=a&limit=3');
    const all = await walk(anon, '/api/v1/search?type=tags&q=a', 'results', { limit: 3 });
    assert.deepEqual(all.slice(0, 3), page1.body.results);
    assert.equal(new Set(all.map((t) => t.tag)).size, all.length);
    const people = await walk(anon, '/api/v1/search?type=people&q=a', 'results', { limit: 2 });
    assert.equal(new Set(people.map((u) => u.id)).size, people.length);
    for (const bad of ['/api/v1/search?type=people', '/api/v1/search?q=a', '/api/v1/search?type=cats&q=a',
      `/api/v1/search?type=people&q=${'x'.repeat(101)}`, '/api/v1/search?type=people&q=%20%20',
      '/api/v1/search?type=people&q=%FF%FE', '/api/v1/search?type=people&q=a&limit=0',
      '/api/v1/search?type=tags&q=a&cursor=abc']) {
      assertError(await anon.get(bad), 400, 'bad_request');
    }
  });
});
