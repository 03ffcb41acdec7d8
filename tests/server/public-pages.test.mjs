// Signed-out feed pages are kept between writes (web/src/respcache.h): every
// write shows at once, and a signed-in reader never gets the shared page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, email, startServer, stopServer } from './helpers.mjs';

describe('public pages', () => {
  let server, anon, fan;
  before(async () => {
    server = await startServer();
    anon = new Client(server);
    fan = new Client(server);
    await fan.signup(email('fan'), 'fan password!', 'Fan');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const first = async (c, q = '') => (await c.get(`/api/v1/feed?limit=3${q}`)).body.posts[0];

  test('a like, a comment and a delete show on the next signed-out read', async () => {
    const before = await first(anon);
    assert.deepEqual(await first(anon), before); // read twice: the kept page
    assert.equal((await fan.put(`/api/v1/posts/${before.id}/like`)).status, 200);
    const liked = await first(anon);
    assert.equal(liked.like_count, before.like_count + 1);
    assert.equal(liked.liked, false);
    const r = await fan.post(`/api/v1/posts/${before.id}/comments`, { body: 'so fluffy' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await first(anon)).comment_count, before.comment_count + 1);
  });

  test('a signed-in reader sees their own likes, not the shared page', async () => {
    const post = await first(anon);
    assert.equal((await fan.put(`/api/v1/posts/${post.id}/like`)).status, 200);
    assert.equal((await first(fan)).liked, true);
    assert.equal((await first(anon)).liked, false);
  });

  test('pages differ by query: another limit or cursor is another page', async () => {
    const one = (await anon.get('/api/v1/feed?limit=1')).body;
    const two = (await anon.get('/api/v1/feed?limit=2')).body;
    assert.equal(one.posts.length, 1);
    assert.equal(two.posts.length, 2);
    const next = (await anon.get(`/api/v1/feed?limit=1&cursor=${encodeURIComponent(one.next_cursor)}`)).body;
    assert.equal(next.posts[0].id, two.posts[1].id);
  });
});
