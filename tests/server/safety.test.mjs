// Blocks, mutes and private accounts (issue 19; web/README.md, "Blocks,
// mutes and private accounts"): a block hides two people from each other on
// every surface (feeds, candidates, search, profiles, posts, pets, comments,
// follows, notifications, the chat relay); a mute is one way and silent; a
// private account's posts are for the followers it approves, everywhere
// (embeds and oEmbed too). Every new route: no session 401, no CSRF token
// 403, another person's standing never changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeLocatedVideo } from '../lib/video.mjs';
import { Client, assertError, chatBundle, dbQuery, email, migrationsFromSource, oldDatabase, png, startServer, stopServer } from './helpers.mjs';

// The limits of web/src/store/safety.h.
const BLOCKS_MAX = 2000;
const MUTES_MAX = 2000;
const FOLLOW_REQUESTS_OUT_MAX = 500;

async function person(server, name) {
  const c = new Client(server);
  await c.signup(email(name.split(' ')[0].toLowerCase()), 'correct horse battery', name);
  return c;
}

// A post by c of a new pet named petName; returns { pet, post }.
async function postOf(c, petName, caption) {
  const pet = (await c.post('/api/v1/pets', { name: petName, species: 'dog' })).body;
  const media = await c.upload(png(24, 24), 'image/png');
  const r = await c.post('/api/v1/posts', { caption, media_ids: [media.id], pet_ids: [pet.id] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { pet, post: r.body };
}

const ids = (page) => page.posts.map((p) => p.id);
const feedIds = async (c, path = '/api/v1/feed?limit=50') => {
  const r = await c.get(path);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return ids(r.body);
};
const candidateIds = async (c) => {
  const r = await c.get('/api/v1/feed/candidates');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.candidates.map((x) => x.post_id);
};
const searchIds = async (c, q, type = 'people') => {
  const r = await c.get(`/api/v1/search?q=${encodeURIComponent(q)}&type=${type}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.results.map((x) => x.id);
};
const notes = async (c) => {
  const r = await c.get('/api/v1/notifications');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

// A story and a reel by c of pet; returns { story, reel }. One clip made per
// file (ffmpeg), uploaded by each: the same bytes are one stored file.
let clip;
async function storyAndReel(c, pet) {
  if (!clip) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-safety-'));
    clip = await readFile(makeLocatedVideo(path.join(dir, 'reel.mp4')));
    await rm(dir, { recursive: true, force: true });
  }
  const img = await c.upload(png(20, 20), 'image/png');
  const story = await c.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id });
  assert.equal(story.status, 201, JSON.stringify(story.body));
  const video = await c.upload(clip, 'video/mp4');
  const poster = await c.upload(png(18, 32), 'image/png');
  const reel = await c.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: poster.id, caption: 'Zoom', pet_id: pet.id });
  assert.equal(reel.status, 201, JSON.stringify(reel.body));
  return { story: story.body, reel: reel.body };
}
const trayIds = async (c) => {
  const r = await c.get('/api/v1/stories');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.tray.flatMap((e) => e.stories.map((x) => x.id));
};
const reelIds = async (c) => {
  const r = await c.get('/api/v1/reels?limit=100');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.reels.map((x) => x.id);
};
const listIds = async (c, p) => {
  const r = await c.get(p);
  assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
  return r.body.users.map((x) => x.id);
};

// A chat socket that queues frames.
async function socket(server, client, device) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${device}`, {
    headers: { cookie: `pa_session=${client.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
  });
  const frames = [];
  const waiters = [];
  ws.on('message', (d) => { frames.push(JSON.parse(d.toString())); for (const w of waiters.splice(0)) w(); });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  // The bound is a hang guard only: the frame is waited for, never timed.
  ws.next = async (type) => {
    const end = Date.now() + 30_000;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
    }
  };
  ws.frames = frames;
  ws.sendJson = (o) => ws.send(JSON.stringify(o));
  return ws;
}

describe('safety: blocks', () => {
  let server, ana, ben, cai, anaPost, anaPet, benPost, benPet;
  before(async () => {
    server = await startServer();
    ana = await person(server, 'Anabel Blockwell');
    ben = await person(server, 'Benedict Blockley');
    cai = await person(server, 'Caius Thirdparty');
    ({ post: anaPost, pet: anaPet } = await postOf(ana, 'Rexana', 'Ana walks #safetytag'));
    ({ post: benPost, pet: benPet } = await postOf(ben, 'Rexben', 'Ben naps #safetytag'));
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('authorization: no session 401, no CSRF 403, yourself 400, nobody 404', async () => {
    const anon = new Client(server);
    const u = ben.user.id;
    for (const [m, p] of [['PUT', `/api/v1/users/${u}/block`], ['DELETE', `/api/v1/users/${u}/block`],
      ['PUT', `/api/v1/users/${u}/mute`], ['DELETE', `/api/v1/users/${u}/mute`],
      ['GET', '/api/v1/me/blocked'], ['GET', '/api/v1/me/muted'], ['GET', '/api/v1/me/follow-requests'],
      ['PUT', `/api/v1/me/follow-requests/${u}`], ['DELETE', `/api/v1/me/follow-requests/${u}`]])
      assertError(await anon.request(m, p), 401, 'unauthorized');
    for (const [m, p] of [['PUT', `/api/v1/users/${u}/block`], ['DELETE', `/api/v1/users/${u}/block`],
      ['PUT', `/api/v1/users/${u}/mute`], ['DELETE', `/api/v1/users/${u}/mute`],
      ['PUT', `/api/v1/me/follow-requests/${u}`], ['DELETE', `/api/v1/me/follow-requests/${u}`]])
      assert.equal((await ana.request(m, p, { csrf: false })).status, 403, `${m} ${p} without CSRF`);
    assertError(await ana.put(`/api/v1/users/${ana.user.id}/block`), 400, 'bad_request');
    assertError(await ana.put(`/api/v1/users/${ana.user.id}/mute`), 400, 'bad_request');
    assertError(await ana.put('/api/v1/users/u_999999/block'), 404, 'not_found');
    assertError(await ana.put('/api/v1/users/u_999999/mute'), 404, 'not_found');
    // Nothing was written by the refused requests.
    assert.deepEqual((await ana.get('/api/v1/me/blocked')).body, { users: [], next_cursor: null });
  });

  test('a block hides both people from each other on every surface; unblocking restores what it can', async () => {
    // Before: they follow each other, Ben comments on Ana's post, Ana likes Ben's.
    assert.equal((await ana.put(`/api/v1/users/${ben.user.id}/follow`)).status, 200);
    assert.equal((await ben.put(`/api/v1/users/${ana.user.id}/follow`)).status, 200);
    assert.equal((await ben.put(`/api/v1/pets/${anaPet.id}/follow`)).status, 200);
    const benComment = (await ben.post(`/api/v1/posts/${anaPost.id}/comments`, { body: 'Lovely walk' })).body;
    const caiComment = (await cai.post(`/api/v1/posts/${anaPost.id}/comments`, { body: 'Nice' })).body;
    assert.equal((await ana.put(`/api/v1/posts/${benPost.id}/like`)).status, 200);
    assert.ok((await notes(ana)).notifications.some((n) => n.actor?.id === ben.user.id));
    assert.ok((await feedIds(ana)).includes(benPost.id));
    assert.ok((await searchIds(ana, 'blockley')).includes(ben.user.id));

    const r = await ana.put(`/api/v1/users/${ben.user.id}/block`);
    assert.deepEqual(r.body, { blocked: true });
    assert.deepEqual((await ana.put(`/api/v1/users/${ben.user.id}/block`)).body, { blocked: true }, 'idempotent');
    const list = (await ana.get('/api/v1/me/blocked')).body;
    assert.deepEqual(list.users.map((x) => x.id), [ben.user.id]);

    for (const [viewer, other, otherPost, otherPet] of [[ana, ben, benPost, benPet], [ben, ana, anaPost, anaPet]]) {
      const who = viewer === ana ? 'the blocker' : 'the blocked';
      // Feeds and candidates.
      assert.ok(!(await feedIds(viewer)).includes(otherPost.id), `${who}: /feed`);
      assert.ok(!(await feedIds(viewer, '/api/v1/feed/following')).includes(otherPost.id), `${who}: /feed/following`);
      assert.ok(!(await feedIds(viewer, '/api/v1/feed/tag?tag=safetytag')).includes(otherPost.id), `${who}: /feed/tag`);
      assert.ok(!(await candidateIds(viewer)).includes(otherPost.id), `${who}: candidates`);
      assertError(await viewer.get(`/api/v1/posts/${otherPost.id}`), 404, 'not_found');
      assert.deepEqual((await viewer.get(`/api/v1/posts?ids=${otherPost.id}`)).body.posts, [], `${who}: posts by id`);
      // Search (a mention resolves through it: the other is not found).
      assert.ok(!(await searchIds(viewer, other === ben ? 'blockley' : 'blockwell')).includes(other.user.id), `${who}: search`);
      assert.ok(!(await searchIds(viewer, other === ben ? 'rexben' : 'rexana', 'pets')).includes(otherPet.id), `${who}: pet search`);
      // Comments: none on each other's posts, each other's hidden.
      assertError(await viewer.post(`/api/v1/posts/${otherPost.id}/comments`, { body: 'hi' }), 404, 'not_found');
      assertError(await viewer.put(`/api/v1/posts/${otherPost.id}/like`), 404, 'not_found');
      // Follows: ended both ways, and refused.
      const profile = await viewer.get(`/api/v1/users/${other.user.id}`);
      if (viewer === ben) {
        assertError(profile, 404, 'not_found');
        assertError(await ben.get(`/api/v1/users/${ana.user.id}/posts`), 404, 'not_found');
        assertError(await ben.get(`/api/v1/pets/${anaPet.id}`), 404, 'not_found');
        assertError(await ben.get(`/api/v1/pets/${anaPet.id}/posts`), 404, 'not_found');
        assertError(await ben.put(`/api/v1/users/${ana.user.id}/follow`), 404, 'not_found');
        assertError(await ben.put(`/api/v1/pets/${anaPet.id}/follow`), 404, 'not_found');
      } else {
        // The one who blocked still sees the profile, to unblock from it; no posts, no pets.
        assert.equal(profile.status, 200);
        assert.equal(profile.body.blocked, true);
        assert.equal(profile.body.posts_visible, false);
        assert.deepEqual(profile.body.pets, []);
        assert.equal(profile.body.following, false, 'the follow ended');
        assert.deepEqual((await ana.get(`/api/v1/users/${ben.user.id}/posts`)).body.posts, []);
        assertError(await ana.put(`/api/v1/users/${ben.user.id}/follow`), 403, 'blocked');
      }
    }
    // Ben's comment is hidden from Ana, Cai's still shows; Cai sees both.
    const seenByAna = (await ana.get(`/api/v1/posts/${anaPost.id}/comments`)).body.comments.map((c) => c.id);
    assert.deepEqual(seenByAna, [caiComment.id]);
    const seenByCai = (await cai.get(`/api/v1/posts/${anaPost.id}/comments`)).body.comments.map((c) => c.id);
    assert.deepEqual(seenByCai, [benComment.id, caiComment.id]);
    // Ben cannot answer through a third person's post either: Cai's post, Ana's comment.
    const { post: caiPost } = await postOf(cai, 'Caipet', 'Cai post');
    const anaOnCai = (await ana.post(`/api/v1/posts/${caiPost.id}/comments`, { body: 'Hello Cai' })).body;
    assertError(await ben.post(`/api/v1/posts/${caiPost.id}/comments`, { body: 're', parent_id: anaOnCai.id }), 400, 'bad_request');
    assert.deepEqual((await ben.get(`/api/v1/posts/${caiPost.id}/comments`)).body.comments, []);
    // Follows both ways ended, in the database too.
    assert.equal((await ana.get(`/api/v1/users/${ana.user.id}`)).body.follower_count, 0);
    assert.equal((await ana.get(`/api/v1/users/${ana.user.id}`)).body.following_count, 0);
    // Notifications: none between them, the old ones gone; a new one does not arrive.
    assert.ok(!(await notes(ana)).notifications.some((n) => n.actor?.id === ben.user.id));
    assert.ok(!(await notes(ben)).notifications.some((n) => n.actor?.id === ana.user.id));
    assert.equal((await ana.get('/api/v1/notifications/unread')).body.unread_count,
      (await notes(ana)).notifications.filter((n) => !n.read).length);

    // Unblock: visible again; the follows it ended stay ended.
    assert.deepEqual((await ana.del(`/api/v1/users/${ben.user.id}/block`)).body, { blocked: false });
    assert.deepEqual((await ana.del(`/api/v1/users/${ben.user.id}/block`)).body, { blocked: false }, 'idempotent');
    assert.ok((await feedIds(ana)).includes(benPost.id));
    assert.ok((await feedIds(ben)).includes(anaPost.id));
    assert.equal((await ben.get(`/api/v1/users/${ana.user.id}`)).status, 200);
    assert.equal((await ben.get(`/api/v1/users/${ana.user.id}`)).body.following, false);
    assert.deepEqual((await ana.get('/api/v1/me/blocked')).body.users, []);
  });

  test('either direction is enough: a block by the other side hides them just the same', async () => {
    assert.equal((await ben.put(`/api/v1/users/${ana.user.id}/block`)).status, 200);
    assert.ok(!(await feedIds(ana)).includes(benPost.id));
    assertError(await ana.get(`/api/v1/users/${ben.user.id}`), 404, 'not_found');
    // Ana may still block Ben back (both blocks are kept).
    assert.equal((await ana.put(`/api/v1/users/${ben.user.id}/block`)).status, 200);
    assert.equal((await ben.del(`/api/v1/users/${ana.user.id}/block`)).status, 200);
    assert.ok(!(await feedIds(ben)).includes(anaPost.id), "Ana's own block still holds");
    assert.equal((await ana.del(`/api/v1/users/${ben.user.id}/block`)).status, 200);
    assert.ok((await feedIds(ben)).includes(anaPost.id));
  });

  test('the chat relay: devices and bundles refused, messages and typing dropped between them', async () => {
    const devA = (await ana.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    const devB = (await ben.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    assert.equal((await ana.get(`/api/v1/users/${ben.user.id}/chat-devices`)).status, 200);
    assert.equal((await ben.put(`/api/v1/users/${ana.user.id}/block`)).status, 200);
    assertError(await ana.get(`/api/v1/users/${ben.user.id}/chat-devices`), 404, 'not_found');
    assertError(await ben.get(`/api/v1/users/${ana.user.id}/chat-devices`), 404, 'not_found');
    assertError(await ana.post(`/api/v1/chat/devices/${devB}/bundle`, {}), 404, 'not_found');
    assertError(await ben.post(`/api/v1/chat/devices/${devA}/bundle`, {}), 404, 'not_found');
    const wa = await socket(server, ana, devA);
    const wb = await socket(server, ben, devB);
    await wa.next('hello');
    await wb.next('hello');
    wa.sendJson({ type: 'typing', to: ben.user.id });
    wa.sendJson({ type: 'send', id: 'blocked-1', to: ben.user.id, envelopes: [{ device: devB, body: 'AAAA' }] });
    const err = await wa.next('error');
    assert.equal(err.code, 'not_allowed');
    assert.equal(err.id, 'blocked-1');
    wb.sendJson({ type: 'send', id: 'blocked-2', to: ana.user.id, envelopes: [{ device: devA, body: 'AAAA' }] });
    assert.equal((await wb.next('error')).code, 'not_allowed');
    // Nothing was queued between them.
    assert.equal(dbQuery(server, 'SELECT count(*) FROM chat_messages'), '0');
    // After the unblock the same message goes through, and a ping proves no typing frame came before it.
    assert.equal((await ben.del(`/api/v1/users/${ana.user.id}/block`)).status, 200);
    wa.sendJson({ type: 'send', id: 'ok-1', to: ben.user.id, envelopes: [{ device: devB, body: 'AAAA' }] });
    assert.equal((await wa.next('sent')).id, 'ok-1');
    const msg = await wb.next('msg');
    assert.equal(msg.from, ana.user.id);
    assert.equal(msg.cid, 'ok-1', 'the refused message never arrives');
    assert.ok(!wb.frames.some((f) => f.type === 'typing' || f.type === 'msg'), JSON.stringify(wb.frames));
    wa.close();
    wb.close();
  });

  test(`at most ${BLOCKS_MAX} blocks and ${MUTES_MAX} mutes a person: the next is 409, an existing one stays 200`, async () => {
    const heavy = await person(server, 'Heavy Blocker');
    // The rows up to one below the limit are written directly: 2000 sign-ups would take minutes.
    const me = Number(heavy.user.id.slice(2));
    const values = [];
    for (let i = 0; i < BLOCKS_MAX; i++) values.push(`('blk${i}', 'Blk ${i}', 0)`);
    dbQuery(server, `INSERT INTO users (handle, name, created_at) VALUES ${values.join(',')}`);
    dbQuery(server, `INSERT INTO blocks (blocker_id, blocked_id, created_at) SELECT ${me}, id, 1 FROM users WHERE handle LIKE 'blk%' AND handle <> 'blk0'`);
    dbQuery(server, `INSERT INTO mutes (muter_id, muted_id, created_at) SELECT ${me}, id, 1 FROM users WHERE handle LIKE 'blk%' AND handle <> 'blk0'`);
    assert.equal(dbQuery(server, `SELECT count(*) FROM blocks WHERE blocker_id = ${me}`), String(BLOCKS_MAX - 1));
    assert.equal(dbQuery(server, `SELECT count(*) FROM mutes WHERE muter_id = ${me}`), String(MUTES_MAX - 1));
    // The last allowed one, then one over.
    assert.equal((await heavy.put(`/api/v1/users/${ana.user.id}/block`)).status, 200);
    assertError(await heavy.put(`/api/v1/users/${ben.user.id}/block`), 409, 'limit_reached');
    assert.equal((await heavy.put(`/api/v1/users/${ana.user.id}/block`)).status, 200, 'already blocked: still fine');
    assert.equal((await heavy.put(`/api/v1/users/${ana.user.id}/mute`)).status, 200);
    assertError(await heavy.put(`/api/v1/users/${ben.user.id}/mute`), 409, 'limit_reached');
    // Paged lists: newest first, cursor to the end.
    const first = (await heavy.get('/api/v1/me/blocked?limit=100')).body;
    assert.equal(first.users.length, 100);
    assert.equal(first.users[0].id, ana.user.id);
    assert.ok(first.next_cursor);
    const second = (await heavy.get(`/api/v1/me/blocked?limit=100&cursor=${encodeURIComponent(first.next_cursor)}`)).body;
    assert.equal(second.users.length, 100);
    assert.ok(!second.users.some((u) => first.users.some((f) => f.id === u.id)));
    assert.equal((await heavy.get('/api/v1/me/muted?limit=1')).body.users[0].id, ana.user.id);
  });

  test('stories, reels, a third person\'s follow lists, comment counts and tag search: a block holds both ways', async () => {
    const dot = await person(server, 'Dorothea Storyteller');
    const eli = await person(server, 'Elias Reelmaker');
    const fay = await person(server, 'Fay Bystander');
    const { post: dotPost, pet: dotPet } = await postOf(dot, 'Dotpup', 'Dot #dotonlytag');
    const { post: eliPost, pet: eliPet } = await postOf(eli, 'Elipup', 'Eli #elionlytag');
    const { post: fayPost, pet: fayPet } = await postOf(fay, 'Faypup', 'Fay');
    const mine = { [dot.user.id]: await storyAndReel(dot, dotPet), [eli.user.id]: await storyAndReel(eli, eliPet) };
    // Fay is followed by both and follows both (people and pet); both comment on her post, Eli answers her comment.
    for (const c of [dot, eli]) {
      assert.equal((await c.put(`/api/v1/users/${fay.user.id}/follow`)).status, 200);
      assert.equal((await fay.put(`/api/v1/users/${c.user.id}/follow`)).status, 200);
      assert.equal((await c.put(`/api/v1/pets/${fayPet.id}/follow`)).status, 200);
    }
    const fayComment = (await fay.post(`/api/v1/posts/${fayPost.id}/comments`, { body: 'Mine' })).body;
    const dotComment = (await dot.post(`/api/v1/posts/${fayPost.id}/comments`, { body: 'Dot here' })).body;
    const eliComment = (await eli.post(`/api/v1/posts/${fayPost.id}/comments`, { body: 'Eli here' })).body;
    const eliReply = (await eli.post(`/api/v1/posts/${fayPost.id}/comments`, { body: 'Re', parent_id: fayComment.id })).body;
    const count = async (c) => (await c.get(`/api/v1/posts/${fayPost.id}`)).body.comment_count;
    const comments = async (c, q = '') => (await c.get(`/api/v1/posts/${fayPost.id}/comments${q}`)).body.comments;
    assert.equal(await count(dot), 4);
    const tagFound = async (c, tag) => (await c.get(`/api/v1/search?q=${tag}&type=tags`)).body.results.some((t) => t.tag === tag);
    for (const [viewer, other] of [[dot, eli], [eli, dot]]) {
      assert.ok((await trayIds(viewer)).includes(mine[other.user.id].story.id));
      assert.ok((await reelIds(viewer)).includes(mine[other.user.id].reel.id));
      assert.ok((await listIds(viewer, `/api/v1/users/${fay.user.id}/followers`)).includes(other.user.id));
      assert.ok(await tagFound(viewer, other === eli ? 'elionlytag' : 'dotonlytag'));
    }

    assert.equal((await dot.put(`/api/v1/users/${eli.user.id}/block`)).status, 200);
    for (const [viewer, other, otherPost] of [[dot, eli, eliPost], [eli, dot, dotPost]]) {
      const who = viewer === dot ? 'the blocker' : 'the blocked';
      const { story, reel } = mine[other.user.id];
      // Stories: not in the tray, and the story is as if it did not exist.
      assert.ok(!(await trayIds(viewer)).includes(story.id), `${who}: tray`);
      assertError(await viewer.put(`/api/v1/stories/${story.id}/seen`), 404, 'not_found');
      assert.ok((await trayIds(viewer)).includes(mine[viewer.user.id].story.id), `${who}: own story stays`);
      // Reels.
      assert.ok(!(await reelIds(viewer)).includes(reel.id), `${who}: reels`);
      assert.ok((await reelIds(viewer)).includes(mine[viewer.user.id].reel.id), `${who}: own reel stays`);
      // A third person's lists leave the other out; the counts are Fay's own (store/sql/follows.c).
      for (const p of [`/api/v1/users/${fay.user.id}/followers`, `/api/v1/users/${fay.user.id}/following`,
        `/api/v1/pets/${fayPet.id}/followers`])
        assert.deepEqual(await listIds(viewer, p), [viewer.user.id], `${who}: ${p}`);
      const fayProfile = (await viewer.get(`/api/v1/users/${fay.user.id}`)).body;
      assert.equal(fayProfile.follower_count, 2, `${who}: everyone's count`);
      assert.equal(fayProfile.following_count, 2, `${who}: everyone's count`);
      // The other's own lists: absent to the one blocked, as the profile is.
      if (viewer === eli) {
        for (const p of [`/api/v1/users/${dot.user.id}/followers`, `/api/v1/users/${dot.user.id}/following`,
          `/api/v1/pets/${dotPet.id}/followers`])
          assertError(await eli.get(p), 404, 'not_found');
      } else {
        assert.deepEqual(await listIds(dot, `/api/v1/users/${eli.user.id}/followers`), [fay.user.id]);
      }
      // Tag search: a tag only the other used is not found.
      assert.ok(!(await tagFound(viewer, other === eli ? 'elionlytag' : 'dotonlytag')), `${who}: tag search`);
      assert.ok(await tagFound(viewer, viewer === eli ? 'elionlytag' : 'dotonlytag'), `${who}: own tag`);
      assert.ok(!(await feedIds(viewer, `/api/v1/feed/tag?tag=${other === eli ? 'elionlytag' : 'dotonlytag'}`)).includes(otherPost.id));
    }
    // Comment counts are what each can page through, replies included.
    const paged = async (c) => {
      const top = await comments(c);
      let n = top.length;
      for (const x of top) n += (await comments(c, `?parent_id=${x.id}`)).length;
      return n;
    };
    assert.deepEqual((await comments(dot)).map((x) => x.id), [fayComment.id, dotComment.id]);
    assert.equal((await comments(dot))[0].reply_count, 0, "Eli's reply is not counted for Dot");
    assert.equal(await count(dot), 2);
    assert.equal(await paged(dot), 2);
    assert.deepEqual((await comments(eli)).map((x) => x.id), [fayComment.id, eliComment.id]);
    assert.equal((await comments(eli))[0].reply_count, 1);
    assert.equal(await count(eli), 3);
    assert.equal(await paged(eli), 3);
    assert.equal(await count(fay), 4);
    assert.equal(await paged(fay), 4);
    assert.deepEqual((await comments(fay, `?parent_id=${fayComment.id}`)).map((x) => x.id), [eliReply.id]);
    // The ranked candidates carry the same count.
    const cand = (await dot.get('/api/v1/feed/candidates')).body.candidates.find((x) => x.post_id === fayPost.id);
    assert.equal(cand.comment_count, 2);
    // Fay, in no block, sees everything of both.
    for (const c of [dot, eli]) {
      assert.ok((await trayIds(fay)).includes(mine[c.user.id].story.id));
      assert.ok((await reelIds(fay)).includes(mine[c.user.id].reel.id));
    }
    assert.deepEqual((await listIds(fay, `/api/v1/users/${fay.user.id}/followers`)).sort(), [dot.user.id, eli.user.id].sort());
    // Unblocked: the stories and reels are back; marking a story seen works again.
    assert.equal((await dot.del(`/api/v1/users/${eli.user.id}/block`)).status, 200);
    assert.ok((await trayIds(eli)).includes(mine[dot.user.id].story.id));
    assert.ok((await reelIds(dot)).includes(mine[eli.user.id].reel.id));
    assert.deepEqual((await eli.put(`/api/v1/stories/${mine[dot.user.id].story.id}/seen`)).body, { seen: true });
    assert.equal(await count(dot), 4);
    // A mute takes the stories and reels out of the muter's tray and reels, as out of the feeds.
    assert.equal((await dot.put(`/api/v1/users/${eli.user.id}/mute`)).status, 200);
    assert.ok(!(await trayIds(dot)).includes(mine[eli.user.id].story.id));
    assert.ok(!(await reelIds(dot)).includes(mine[eli.user.id].reel.id));
    assert.ok((await trayIds(eli)).includes(mine[dot.user.id].story.id), 'the muted never know');
    assert.equal((await dot.del(`/api/v1/users/${eli.user.id}/mute`)).status, 200);
  });
});

describe('safety: mutes', () => {
  let server, mia, max, post;
  before(async () => {
    server = await startServer({ seed: false });
    mia = await person(server, 'Mia Muter');
    max = await person(server, 'Max Muted');
    ({ post } = await postOf(max, 'Loud', 'Max again #mutetag'));
    assert.equal((await mia.put(`/api/v1/users/${max.user.id}/follow`)).status, 200);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('muted posts leave the muter\'s feeds and candidates, notifications stop, the muted never know', async () => {
    const { post: miaPost } = await postOf(mia, 'Quiet', 'Mia');
    assert.ok((await feedIds(mia)).includes(post.id));
    assert.deepEqual((await mia.put(`/api/v1/users/${max.user.id}/mute`)).body, { muted: true });
    assert.deepEqual((await mia.get('/api/v1/me/muted')).body.users.map((u) => u.id), [max.user.id]);
    for (const p of ['/api/v1/feed?limit=50', '/api/v1/feed/following', '/api/v1/feed/tag?tag=mutetag'])
      assert.ok(!(await feedIds(mia, p)).includes(post.id), p);
    assert.ok(!(await candidateIds(mia)).includes(post.id));
    // Max's own pages still show to Mia; Max's like of Mia's post is not heard.
    assert.deepEqual(ids((await mia.get(`/api/v1/users/${max.user.id}/posts`)).body), [post.id]);
    assert.equal((await mia.get(`/api/v1/users/${max.user.id}`)).body.muted, true);
    assert.equal((await max.put(`/api/v1/posts/${miaPost.id}/like`)).status, 200);
    assert.deepEqual((await notes(mia)).notifications, []);
    assert.equal((await mia.get('/api/v1/notifications/unread')).body.unread_count, 0);
    // Max sees nothing of it: Mia's profile, posts and the follow are as before.
    const seen = (await max.get(`/api/v1/users/${mia.user.id}`)).body;
    assert.equal(seen.muted, false);
    assert.equal(seen.blocked, false);
    assert.ok((await feedIds(max)).includes(miaPost.id));
    assert.equal((await max.get(`/api/v1/users/${max.user.id}`)).body.follower_count, 1);
    // Unmute: back in the feed.
    assert.deepEqual((await mia.del(`/api/v1/users/${max.user.id}/mute`)).body, { muted: false });
    assert.ok((await feedIds(mia)).includes(post.id));
    assert.equal((await mia.get('/api/v1/notifications/unread')).body.unread_count, 1);
  });
});

describe('safety: private accounts', () => {
  let server, pia, fan, stranger, post, pet, origin, piaStory, piaReel;
  before(async () => {
    server = await startServer({ seed: false });
    origin = server.url.replace(/\/$/, '');
    pia = await person(server, 'Pia Private');
    fan = await person(server, 'Fan Follower');
    stranger = await person(server, 'Stranger Danger');
    ({ post, pet } = await postOf(pia, 'Hidden', 'Only for friends #privtag'));
    ({ story: piaStory, reel: piaReel } = await storyAndReel(pia, pet));
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('PATCH /me private: a boolean only; 401 signed out, 403 without CSRF', async () => {
    assertError(await new Client(server).patch('/api/v1/me', { private: true }), 401, 'unauthorized');
    assert.equal((await pia.request('PATCH', '/api/v1/me', { json: { private: true }, csrf: false })).status, 403);
    assertError(await pia.patch('/api/v1/me', { private: 'yes' }), 400, 'bad_request');
    assertError(await pia.patch('/api/v1/me', {}), 400, 'bad_request');
    assert.equal((await pia.get(`/api/v1/users/${pia.user.id}`)).body.private, false);
  });

  test('a private account\'s posts: only the owner and approved followers; embeds and oEmbed refuse them', async () => {
    const anon = new Client(server);
    assert.ok((await feedIds(anon)).includes(post.id));
    const r = await pia.patch('/api/v1/me', { private: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.private, true);
    for (const c of [anon, stranger, fan]) {
      assert.ok(!(await feedIds(c)).includes(post.id));
      assert.ok(!(await feedIds(c, '/api/v1/feed/tag?tag=privtag')).includes(post.id));
      assertError(await c.get(`/api/v1/posts/${post.id}`), 404, 'not_found');
      assert.deepEqual((await c.get(`/api/v1/users/${pia.user.id}/posts`)).body.posts, []);
      assert.deepEqual((await c.get(`/api/v1/pets/${pet.id}/posts`)).body.posts, []);
      assertError(await c.get(`/api/v1/posts/${post.id}/comments`), 404, 'not_found');
      const profile = (await c.get(`/api/v1/users/${pia.user.id}`)).body;
      assert.equal(profile.name, 'Pia Private');
      assert.equal(profile.private, true);
      assert.equal(profile.posts_visible, false);
      assert.deepEqual(profile.pets, []);
    }
    assert.ok(!(await candidateIds(stranger)).includes(post.id));
    assertError(await stranger.put(`/api/v1/posts/${post.id}/like`), 404, 'not_found');
    assertError(await stranger.post(`/api/v1/posts/${post.id}/comments`, { body: 'hi' }), 404, 'not_found');
    assert.ok((await feedIds(pia)).includes(post.id), 'the owner sees their own');
    assert.equal((await pia.get(`/api/v1/posts/${post.id}`)).status, 200);
    // Stories and reels: the same.
    for (const c of [anon, stranger, fan]) {
      assert.ok(!(await trayIds(c)).includes(piaStory.id), 'tray');
      assert.ok(!(await reelIds(c)).includes(piaReel.id), 'reels');
    }
    assertError(await stranger.put(`/api/v1/stories/${piaStory.id}/seen`), 404, 'not_found');
    assert.ok((await trayIds(pia)).includes(piaStory.id), 'the owner sees their own story');
    assert.ok((await reelIds(pia)).includes(piaReel.id), 'and reel');
    // Embeds: the oEmbed answer and the embed page refuse, like a missing post.
    assertError(await anon.get(`/api/v1/oembed?${new URLSearchParams({ url: `${origin}/posts/${post.id}` })}`), 404, 'not_found');
    assert.equal((await anon.get(`/embed/p/${post.id}`)).status, 404);
  });

  test('following a private person is a request: listed, accepted (then the posts show) or declined', async () => {
    const r = await fan.put(`/api/v1/users/${pia.user.id}/follow`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { following: false, requested: true, follower_count: 0 });
    assert.equal((await fan.get(`/api/v1/users/${pia.user.id}`)).body.requested, true);
    assert.equal((await stranger.put(`/api/v1/users/${pia.user.id}/follow`)).body.requested, true);
    const told = (await notes(pia)).notifications.filter((n) => n.kind === 'follow_request');
    assert.deepEqual(told.map((n) => n.actor.id).sort(), [fan.user.id, stranger.user.id].sort());
    assert.equal((await stranger.put(`/api/v1/users/${pia.user.id}/follow`)).body.requested, true, 'asking twice');
    assert.equal((await notes(pia)).notifications.filter((n) => n.kind === 'follow_request').length, 2, 'told once');
    const waiting = (await pia.get('/api/v1/me/follow-requests')).body.users.map((u) => u.id);
    assert.deepEqual(waiting, [stranger.user.id, fan.user.id]);
    // Only Pia answers Pia's requests: a stranger answering is answering their own (none).
    assertError(await stranger.put(`/api/v1/me/follow-requests/${fan.user.id}`), 404, 'not_found');
    assertError(await pia.put(`/api/v1/me/follow-requests/${pia.user.id}`), 404, 'not_found');
    assert.deepEqual((await pia.put(`/api/v1/me/follow-requests/${fan.user.id}`)).body, { follower: true });
    assertError(await pia.put(`/api/v1/me/follow-requests/${fan.user.id}`), 404, 'not_found');
    const accepted = (await notes(fan)).notifications.filter((n) => n.kind === 'follow_accepted');
    assert.deepEqual(accepted.map((n) => n.actor.id), [pia.user.id]);
    assert.deepEqual((await notes(stranger)).notifications.filter((n) => n.kind === 'follow_accepted'), []);
    assert.deepEqual((await pia.del(`/api/v1/me/follow-requests/${stranger.user.id}`)).body, { follower: false });
    assert.deepEqual((await pia.get('/api/v1/me/follow-requests')).body.users, []);
    assert.deepEqual((await notes(pia)).notifications.filter((n) => n.kind === 'follow_request'), [],
      'answered requests leave the notifications');
    // The accepted follower sees the posts, the declined one does not.
    assert.ok((await feedIds(fan)).includes(post.id));
    assert.ok((await feedIds(fan, '/api/v1/feed/following')).includes(post.id));
    assert.equal((await fan.get(`/api/v1/posts/${post.id}`)).status, 200);
    assert.equal((await fan.get(`/api/v1/users/${pia.user.id}`)).body.posts_visible, true);
    assertError(await stranger.get(`/api/v1/posts/${post.id}`), 404, 'not_found');
    assert.ok((await trayIds(fan)).includes(piaStory.id), 'an approved follower sees the stories');
    assert.deepEqual((await fan.put(`/api/v1/stories/${piaStory.id}/seen`)).body, { seen: true });
    assert.ok((await reelIds(fan)).includes(piaReel.id), 'and the reels');
    assert.ok(!(await trayIds(stranger)).includes(piaStory.id));
    assert.ok(!(await reelIds(stranger)).includes(piaReel.id));
    // A withdrawn request (unfollow) is gone from the list.
    assert.equal((await stranger.put(`/api/v1/users/${pia.user.id}/follow`)).body.requested, true);
    assert.equal((await stranger.del(`/api/v1/users/${pia.user.id}/follow`)).body.requested, false);
    assert.deepEqual((await pia.get('/api/v1/me/follow-requests')).body.users, []);
  });

  test('turning private off accepts the waiting requests', async () => {
    assert.equal((await stranger.put(`/api/v1/users/${pia.user.id}/follow`)).body.requested, true);
    const r = await pia.patch('/api/v1/me', { private: false });
    assert.equal(r.body.private, false);
    assert.equal(r.body.follower_count, 2);
    assert.equal((await stranger.get(`/api/v1/users/${pia.user.id}`)).body.following, true);
    assert.deepEqual((await pia.get('/api/v1/me/follow-requests')).body.users, []);
    assert.ok((await feedIds(new Client(server))).includes(post.id));
  });

  test(`at most ${FOLLOW_REQUESTS_OUT_MAX} requests waiting per person: the next is 409`, async () => {
    const me = Number(stranger.user.id.slice(2));
    const values = [];
    for (let i = 0; i <= FOLLOW_REQUESTS_OUT_MAX; i++) values.push(`('prv${i}', 'Prv ${i}', 0, 1)`);
    dbQuery(server, `INSERT INTO users (handle, name, created_at, private) VALUES ${values.join(',')}`);
    dbQuery(server, `INSERT INTO follow_requests (requester_id, target_id, created_at) SELECT ${me}, id, 1 FROM users WHERE handle LIKE 'prv%' AND handle NOT IN ('prv0', 'prv1')`);
    assert.equal(dbQuery(server, `SELECT count(*) FROM follow_requests WHERE requester_id = ${me}`), String(FOLLOW_REQUESTS_OUT_MAX - 1));
    const [last, over] = ['prv0', 'prv1'].map((h) => `u_${dbQuery(server, `SELECT id FROM users WHERE handle = '${h}'`)}`);
    assert.equal((await stranger.put(`/api/v1/users/${last}/follow`)).body.requested, true, 'the last allowed');
    assertError(await stranger.put(`/api/v1/users/${over}/follow`), 409, 'limit_reached');
    assert.equal((await stranger.put(`/api/v1/users/${last}/follow`)).body.requested, true, 'asking again is no new request');
  });
});

describe('safety: a private account\'s follow lists and breeds', () => {
  let server, owen, appr, pend, strg, pal, bea, owenPet;
  const lists = () => [`/api/v1/users/${owen.user.id}/followers`, `/api/v1/users/${owen.user.id}/following`,
    `/api/v1/pets/${owenPet.id}/followers`];
  const breedCount = async (c) => {
    const r = await c.get('/api/v1/search?q=quokkadoodle&type=breeds');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.results.filter((b) => b.breed === 'Quokkadoodle Zx' && b.species === 'dog').reduce((n, b) => n + b.pet_count, 0);
  };
  before(async () => {
    server = await startServer({ seed: false });
    [owen, appr, pend, strg, pal, bea] = await Promise.all(
      ['Owen Own', 'Appr Approved', 'Pend Pending', 'Strg Stranger', 'Pal Public', 'Bea Breeder'].map((n) => person(server, n)));
    owenPet = (await owen.post('/api/v1/pets', { name: 'Lsty', species: 'dog', breed: 'Quokkadoodle Zx' })).body;
    for (const c of [bea, strg]) await c.post('/api/v1/pets', { name: 'Qd', species: 'dog', breed: 'Quokkadoodle Zx' });
    // While public: Appr follows Owen's pet; Owen follows Pal. Then private,
    // Appr's follow of Owen approved, Pend's still waiting.
    assert.equal((await appr.put(`/api/v1/pets/${owenPet.id}/follow`)).status, 200);
    assert.equal((await owen.put(`/api/v1/users/${pal.user.id}/follow`)).status, 200);
    assert.equal((await owen.patch('/api/v1/me', { private: true })).status, 200);
    for (const c of [appr, pend]) assert.equal((await c.put(`/api/v1/users/${owen.user.id}/follow`)).body.requested, true);
    assert.deepEqual((await owen.put(`/api/v1/me/follow-requests/${appr.user.id}`)).body, { follower: true });
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('pet search finds a private account\'s pets only for its owner and approved followers, as its profile shows them', async () => {
    // First (the lists test below unfollows): Owen is private, Appr's follow approved, Pend's a
    // request; Bea's and Strg's pets are public.
    const found = async (c) => (await searchIds(c, 'lsty', 'pets')).includes(owenPet.id);
    assert.equal(await found(owen), true, 'the owner');
    assert.equal(await found(appr), true, 'an approved follower');
    assert.equal(await found(strg), false, 'a stranger');
    assert.equal(await found(new Client(server)), false, 'no session');
    assert.deepEqual((await pend.get(`/api/v1/users/${owen.user.id}`)).body.pets, [], 'the profile shows a pending request no pets');
    assert.equal(await found(pend), false, 'nor does search');
    // By breed too: the public pets are found by anyone, Owen's by the owner only.
    const byBreed = async (c) => (await searchIds(c, 'quokkadoodle', 'pets')).length;
    assert.equal(await byBreed(strg), 2);
    assert.equal(await byBreed(owen), 3);
  });

  test('followers and following lists: the owner and approved followers; a pending request, a stranger, no session and an unfollower get an empty page marked private', async () => {
    const open = async (c, who) => {
      const [followers, following, petFollowers] = await Promise.all(lists().map((p) => c.get(p)));
      for (const r of [followers, following, petFollowers]) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.private, undefined, who);
      }
      assert.deepEqual(followers.body.users.map((u) => u.id), [appr.user.id], who);
      assert.deepEqual(following.body.users.map((u) => u.id), [pal.user.id], who);
      assert.deepEqual(petFollowers.body.users.map((u) => u.id), [appr.user.id], who);
    };
    const closed = async (c, who) => {
      for (const p of lists()) {
        const r = await c.get(p);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body, { users: [], next_cursor: null, private: true }, `${who} ${p}`);
      }
    };
    await open(owen, 'the owner');
    await open(appr, 'an approved follower');
    await closed(pend, 'a pending request');
    await closed(strg, 'a stranger');
    await closed(new Client(server), 'no session');
    // A public account's lists are everyone's, unmarked.
    const pals = await strg.get(`/api/v1/users/${pal.user.id}/followers`);
    assert.deepEqual([pals.body.users.map((u) => u.id), pals.body.private], [[owen.user.id], undefined]);
    // Unfollowing closes them again (a new follow would be a request).
    assert.equal((await appr.del(`/api/v1/users/${owen.user.id}/follow`)).status, 200);
    await closed(appr, 'after unfollowing');
  });

  test('breed search counts and finds only the pets the viewer may see: blocks both ways, private accounts', async () => {
    // Owen's pet is private; Bea's and Strg's are public.
    assert.equal(await breedCount(new Client(server)), 2, 'no session');
    assert.equal(await breedCount(strg), 2, 'a stranger');
    assert.equal(await breedCount(owen), 3, 'the owner');
    assert.equal((await pend.put(`/api/v1/users/${owen.user.id}/follow`)).body.requested, true);
    assert.equal(await breedCount(pend), 2, 'a pending request');
    assert.deepEqual((await owen.put(`/api/v1/me/follow-requests/${pend.user.id}`)).body, { follower: true });
    assert.equal(await breedCount(pend), 3, 'an approved follower');
    // Bea blocks Strg: neither counts the other's pet, others still count both.
    assert.equal((await bea.put(`/api/v1/users/${strg.user.id}/block`)).status, 200);
    assert.equal(await breedCount(bea), 1, 'the blocker');
    assert.equal(await breedCount(strg), 1, 'the blocked');
    assert.equal(await breedCount(pend), 3);
    // A breed only people in a block with the viewer have is not found at all.
    await bea.post('/api/v1/pets', { name: 'Bz', species: 'cat', breed: 'Quokkadoodle Zx' });
    const cats = async (c) => (await c.get('/api/v1/search?q=quokkadoodle&type=breeds')).body.results.filter((b) => b.species === 'cat');
    assert.deepEqual(await cats(strg), []);
    assert.equal((await cats(pend)).length, 1);
    assert.equal((await bea.del(`/api/v1/users/${strg.user.id}/block`)).status, 200);
    assert.equal(await breedCount(strg), 2, 'unblocked');
  });
});

// The version that adds blocks (13 when written; found in the source, so a
// renumbering at merge needs no edit here).
const SAFETY_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE blocks')) + 1;

describe(`safety: the upgrade to schema ${SAFETY_VERSION}`, () => {
  test('a file one version older gains blocks, mutes, follow requests and users.private (public), its rows kept', async () => {
    const { tmp, data, sql, migrations: m } = await oldDatabase('safety', SAFETY_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, created_at) VALUES (1, 'ann', 'Ann', 1700000000),
        (2, 'ben', 'Ben', 1700000000);
      INSERT INTO follows VALUES (1, 2, 1700000100), (2, 1, 1700000100);`);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('SELECT id, private FROM users ORDER BY id'), '1 0\n2 0');
      assert.equal(sql('SELECT count(*) FROM follows'), '2');
      // The new tables and their checks are in place.
      sql(`PRAGMA foreign_keys = ON; INSERT INTO blocks VALUES (1, 2, 1700000200);`);
      assert.equal(sql('SELECT blocker_id, blocked_id FROM blocks'), '1 2');
      assert.throws(() => sql('PRAGMA foreign_keys = ON; INSERT INTO blocks VALUES (1, 1, 1);'));
      assert.throws(() => sql('PRAGMA foreign_keys = ON; INSERT INTO mutes VALUES (1, 9, 1);'));
    } finally {
      await stopServer(server, { keepData: false });
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
