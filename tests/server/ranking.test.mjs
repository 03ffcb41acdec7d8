// Feed candidates for on-device ranking: exact shape, viewer-relative
// fields, sponsorship, and what the embeddings have learnt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

const KEYS = ['post_id', 'author_id', 'pet_id', 'species', 'tags', 'created_at', 'like_count',
  'comment_count', 'following', 'embedding', 'sponsored'];

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

// A signed-in client of its own (candidates need a session).
async function member(server, tag = 'viewer') {
  const c = new Client(server);
  await c.signup(email(tag));
  return c;
}

describe('feed candidates', () => {
  let server, anon, viewer;
  before(async () => {
    server = await startServer();
    anon = new Client(server);
    viewer = await member(server);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('exact shape; finite, normalised 64-d embeddings; newest first', async () => {
    const r = await viewer.get('/api/v1/feed/candidates');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['model', 'candidates']);
    assert.deepEqual(r.body.model, { version: 'mf-v1', dim: 64 });
    const cands = r.body.candidates;
    assert.equal(cands.length, 30, 'default limit 1000 takes them all');
    // Ads' posts are never organic (issue 21): the feed has the organic candidates, in order.
    const feed = (await anon.get('/api/v1/feed?limit=50')).body.posts;
    const organic = cands.filter((c) => c.sponsored === null);
    assert.deepEqual(organic.map((c) => c.post_id), feed.map((p) => p.id));
    for (const c of cands) {
      assert.deepEqual(Object.keys(c), KEYS);
      assert.equal(c.embedding.length, 64);
      assert.ok(c.embedding.every(Number.isFinite));
      assert.ok(Math.abs(Math.hypot(...c.embedding) - 1) < 1e-4, `${c.post_id} is unit length`);
    }
    for (const [i, c] of organic.entries()) {
      assert.equal(c.author_id, feed[i].author.id);
      assert.equal(c.pet_id, feed[i].pet.id);
      assert.equal(c.species, feed[i].pet.species);
      assert.deepEqual(c.tags, feed[i].tags);
      assert.equal(c.created_at, feed[i].created_at);
      assert.equal(c.like_count, feed[i].like_count);
      assert.equal(c.comment_count, feed[i].comment_count);
      assert.equal(c.following, false, 'a new account follows nobody');
    }
    const sponsored = cands.filter((c) => c.sponsored !== null);
    // The seed's two ads, served (the token, link and why are ads-serve.test.mjs's).
    assert.deepEqual(sponsored.map((c) => [c.post_id, { advertiser_id: c.sponsored.advertiser_id, campaign_id: c.sponsored.campaign_id }]).sort(),
      [['p_21', { advertiser_id: 'ad_2', campaign_id: 'c_4' }], ['p_6', { advertiser_id: 'ad_1', campaign_id: 'c_1' }]]);
    assert.equal((await viewer.get('/api/v1/feed/candidates?limit=5')).body.candidates.length, 5);
    assert.equal((await viewer.get('/api/v1/feed/candidates?limit=1000')).body.candidates.length, 30);
    for (const bad of ['0', '1001', '20000', 'abc', '', '-1', '1.5']) {
      assertError(await viewer.get(`/api/v1/feed/candidates?limit=${bad}`), 400, 'bad_request');
    }
    assertError(await anon.get('/api/v1/feed/candidates'), 401, 'unauthorized');
  });

  test('following is relative to the viewer', async () => {
    const c = new Client(server);
    await c.signup(email('rank'));
    await c.put('/api/v1/users/u_1/follow');
    await c.put('/api/v1/pets/pet_8/follow');
    const cands = (await c.get('/api/v1/feed/candidates')).body.candidates;
    for (const x of cands) assert.equal(x.following, x.author_id === 'u_1' || x.pet_id === 'pet_8', x.post_id);
    assert.ok(cands.some((x) => x.following));
  });

  test('a new post has a cold-start vector at once: its species and tags', async () => {
    const c = new Client(server);
    await c.signup(email('cold'));
    const pet = (await c.post('/api/v1/pets', { name: 'Newbie', species: 'turtle' })).body;
    const m = await c.upload(png(12, 12), 'image/png');
    const p1 = (await c.post('/api/v1/posts', { caption: '#turtle #snacktime', media_ids: [m.id], pet_ids: [pet.id] })).body;
    const p2 = (await c.post('/api/v1/posts', { caption: '#snacktime #turtle', media_ids: [m.id], pet_ids: [pet.id] })).body;
    const cands = (await c.get('/api/v1/feed/candidates?limit=2')).body.candidates;
    const [v2, v1] = cands.map((x) => x.embedding);
    assert.deepEqual(cands.map((x) => x.post_id), [p2.id, p1.id]);
    assert.ok(dot(v1, v2) > 0.9999, 'same species and tags, same vector');
    assert.ok(Math.abs(Math.hypot(...v1) - 1) < 1e-4);
  });
});

describe('embeddings learn from likes', () => {
  test('posts liked by the same people end up closer than random pairs; deterministic', async () => {
    let server = await startServer();
    const groupA = ['p_2', 'p_9', 'p_14', 'p_25'];
    const groupB = ['p_4', 'p_11', 'p_19', 'p_28'];
    for (const [group, tag] of [[groupA, 'a'], [groupB, 'b']]) {
      for (let i = 0; i < 6; i++) {
        const c = new Client(server);
        await c.signup(email(`fan${tag}`));
        for (const p of group) assert.equal((await c.put(`/api/v1/posts/${p}/like`)).status, 200);
      }
    }
    await stopServer(server);
    // Vectors are recomputed at startup when likes changed.
    server = await startServer({ data: server.dir, seed: false });
    const cands = (await (await member(server)).get('/api/v1/feed/candidates')).body.candidates;
    const vec = new Map(cands.map((c) => [c.post_id, c.embedding]));
    const pairs = (xs, ys) => xs.flatMap((x, i) => ys.filter((y, j) => (xs === ys ? j > i : true)).map((y) => dot(vec.get(x), vec.get(y))));
    const ids = cands.map((c) => c.post_id);
    const all = pairs(ids, ids);
    const withinA = mean(pairs(groupA, groupA)), withinB = mean(pairs(groupB, groupB));
    const across = mean(pairs(groupA, groupB)), random = mean(all);
    assert.ok(withinA > random + 0.2, `within A ${withinA.toFixed(3)} vs random ${random.toFixed(3)}`);
    assert.ok(withinB > random + 0.2, `within B ${withinB.toFixed(3)} vs random ${random.toFixed(3)}`);
    assert.ok(withinA > across && withinB > across, `across ${across.toFixed(3)}`);
    await stopServer(server, { keepData: false });

    // The same world twice gives the same vectors.
    const one = await startServer({ fresh: true });
    const two = await startServer({ fresh: true });
    const e1 = (await (await member(one)).get('/api/v1/feed/candidates')).body.candidates.map((c) => c.embedding);
    const e2 = (await (await member(two)).get('/api/v1/feed/candidates')).body.candidates.map((c) => c.embedding);
    assert.deepEqual(e1, e2);
    // Seeding is deterministic down to the bytes: the same pictures and clips.
    const media = async (s) => {
      const c = new Client(s);
      const feed = (await c.get('/api/v1/feed?limit=50')).body.posts.flatMap((p) => p.images.map((i) => i.url));
      const reels = (await c.get('/api/v1/reels')).body.reels.flatMap((r) => [r.poster.url, ...r.sources.map((x) => x.url)]);
      return [...feed, ...reels];
    };
    assert.deepEqual(await media(one), await media(two));
    await stopServer(one, { keepData: false });
    await stopServer(two, { keepData: false });
  });
});
