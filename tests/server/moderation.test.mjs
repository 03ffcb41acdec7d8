// Moderation (issue 19, parts 1 "report …" and 4): anyone signed in reports a
// post, a comment, a person or a chat message (with the text their device
// decrypted); moderators and admins read the queue (open reports grouped by
// item, oldest first), an item in context, and act on it. Every moderation
// route refuses no session (401), an ordinary person and the support and
// finance roles (403). Each action's effect on every surface (feeds,
// candidates, search, profiles, pet pages, the post page, its comments,
// embeds and oEmbed), suspension expiry through PA_TEST_CLOCK_OFFSET, a ban
// refusing sign-in with its sessions gone, and the audit rows with who and
// when. The limits (web/src/store/moderation.h, api/moderation.c, limit.h)
// are tested at their edges.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import { makeLocatedVideo } from '../lib/video.mjs';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png,
  startServer, stopServer,
} from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The named limits, as in web/src/store/moderation.h, web/src/api/moderation.c and web/src/limit.h.
const REPORT_TEXT_MAX = 500;
const REPORT_MESSAGE_MAX = 4000;
const NOTE_MAX = 200;
const SUSPEND_DAYS_MAX = 365;
const REPORT_BURST = 20;

async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `cannot run ${BIN} (set PA_SERVER_BIN)`);
  assert.equal(r.status, 0, r.stderr);
}

async function person(server, tag, name) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, name);
  return { c, mail, id: user.id, user };
}

let photos = 0;
/** A post by who with a photo of its own (a new size: files are shared by hash) and a pet; the post's JSON. */
async function postBy(who, caption) {
  const pet = (await who.c.post('/api/v1/pets', { name: `Pet ${caption.slice(0, 8)}`, species: 'dog' })).body;
  const m = await who.c.upload(png(24 + ++photos, 18), 'image/png');
  const r = await who.c.post('/api/v1/posts', { caption, media_ids: [m.id], pet_ids: [pet.id] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { ...r.body, petId: pet.id, media: m };
}

const report = (who, body) => who.c.post('/api/v1/reports', body);
/** who's moderation notices about item id, newest first. */
const notices = async (who, id) => (await who.c.get('/api/v1/notifications?limit=100')).body.notifications
  .filter((n) => n.kind === 'moderation' && n.detail.id === id);
const act = (who, kind, id, body) => who.c.post(`/api/v1/mod/items/${kind}/${id}/actions`, body);

describe('moderation', () => {
  let server, root, anon, admin, mod, support, finance, alice, bob, carol, dave;

  before(async () => {
    // The embed page reads the shell's index.html and catalogs from the root.
    root = await mkdtemp(path.join(os.tmpdir(), 'pa-mod-root-'));
    await cp(path.join(repo, 'locales'), path.join(root, 'locales'), { recursive: true });
    await cp(path.join(repo, 'shell/index.html'), path.join(root, 'index.html'));
    server = await startServer({ root });
    anon = new Client(server);
    admin = await person(server, 'admin', 'Ada Admin');
    mod = await person(server, 'mod', 'Moe Moderator');
    support = await person(server, 'support', 'Sue Support');
    finance = await person(server, 'finance', 'Fin Finance');
    alice = await person(server, 'alice', 'Alice Author');
    bob = await person(server, 'bob', 'Bob Reporter');
    carol = await person(server, 'carol', 'Carol Reporter');
    dave = await person(server, 'dave', 'Dave Bystander');
    await cli(server, 'grant', admin.mail, 'admin');
    await cli(server, 'grant', mod.mail, 'moderator');
    await cli(server, 'grant', support.mail, 'support');
    await cli(server, 'grant', finance.mail, 'finance');
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(root, { recursive: true, force: true });
  });

  test('every moderation route: no session 401, an ordinary person 403, support and finance 403, moderator and admin 200', async () => {
    const target = await person(server, 'target', 'Tim Target');
    assert.equal((await report(bob, { kind: 'person', id: target.id, reason: 'spam' })).status, 201);
    const routes = [
      ['GET', '/api/v1/mod/queue', undefined],
      ['GET', `/api/v1/mod/items/person/${target.id}`, undefined],
      ['POST', `/api/v1/mod/items/person/${target.id}/actions`, { action: 'warn', note: 'a first warning' }],
    ];
    for (const [method, url, json] of routes) {
      assertError(await anon.request(method, url, { json }), 401, 'unauthorized');
      for (const who of [dave, support, finance]) assertError(await who.c.request(method, url, { json }), 403, 'forbidden');
      for (const who of [mod, admin]) {
        const r = await who.c.request(method, url, { json });
        assert.equal(r.status, 200, `${method} ${url}: ${JSON.stringify(r.body)}`);
      }
    }
    assertError(await anon.post('/api/v1/reports', { kind: 'person', id: target.id, reason: 'spam' }), 401, 'unauthorized');
    // The refusals acted on nothing: the two warnings are the moderator's and the admin's.
    const log = (await admin.c.get('/api/v1/admin/audit?limit=2')).body.entries;
    assert.deepEqual(log.map((e) => [e.action, e.actor.id, e.target.id]),
      [['mod.warn', admin.id, target.id], ['mod.warn', mod.id, target.id]]);
  });

  test('reports: the fixed reasons, text and message at their limits, own items, duplicates, unseen items', async () => {
    const p = await postBy(alice, 'Report me maybe');
    const ok = await report(bob, { kind: 'post', id: p.id, reason: 'spam', text: 'x'.repeat(REPORT_TEXT_MAX) });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.match(ok.body.id, /^rep_\d+$/);
    assert.equal(ok.body.item_id, p.id);
    assertError(await report(bob, { kind: 'post', id: p.id, reason: 'hate' }), 409, 'already_reported');
    assertError(await report(carol, { kind: 'post', id: p.id, reason: 'spam', text: 'é'.repeat(REPORT_TEXT_MAX + 1) }), 400, 'bad_request');
    assertError(await report(carol, { kind: 'post', id: p.id, reason: 'boring' }), 400, 'bad_request');
    assertError(await report(carol, { kind: 'listing', id: p.id, reason: 'spam' }), 400, 'bad_request');
    assertError(await report(carol, { kind: 'comment', id: p.id, reason: 'spam' }), 400, 'bad_request');
    assertError(await report(carol, { kind: 'post', id: p.id, reason: 'spam', message: 'hi' }), 400, 'bad_request');
    assertError(await report(carol, { kind: 'post', id: p.id, reason: 'spam', extra: 1 }), 400, 'bad_request');
    assertError(await report(alice, { kind: 'post', id: p.id, reason: 'spam' }), 400, 'own_item');
    assertError(await report(alice, { kind: 'person', id: alice.id, reason: 'spam' }), 400, 'own_item');
    assertError(await report(carol, { kind: 'post', id: 'p_999999', reason: 'spam' }), 404, 'not_found');
    assertError(await report(carol, { kind: 'person', id: 'u_999999', reason: 'spam' }), 404, 'not_found');
    // Chat messages: the decrypted text, the sender, and a conversation between them.
    const msg = { kind: 'message', id: 'cm_41', from: alice.id, reason: 'harassment' };
    assertError(await report(carol, { ...msg, message: 'you again' }), 404, 'not_found');
    const [lo, hi] = [carol.id, alice.id].map((u) => Number(u.slice(2))).sort((a, b) => a - b);
    dbQuery(server, `INSERT INTO chat_convs (lo, hi, last_seq) VALUES (${lo}, ${hi}, 1)`);
    assertError(await report(carol, msg), 400, 'bad_request');
    assertError(await report(carol, { ...msg, message: 'm'.repeat(REPORT_MESSAGE_MAX + 1) }), 400, 'bad_request');
    const m = await report(carol, { ...msg, message: `${'m'.repeat(REPORT_MESSAGE_MAX - 4)}\nbye` });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const item = (await mod.c.get('/api/v1/mod/items/message/cm_41')).body;
    assert.equal(item.message.from, alice.id);
    assert.equal(item.reports[0].message, `${'m'.repeat(REPORT_MESSAGE_MAX - 4)}\nbye`, 'the reported text reaches the moderator');
    assert.equal(item.reports[0].reporter.id, carol.id);
    // A wrong prefix for the kind is no item.
    assertError(await mod.c.get(`/api/v1/mod/items/post/${alice.id}`), 404, 'not_found');
    assertError(await mod.c.get('/api/v1/mod/items/listing/p_1'), 404, 'not_found');
  });

  test(`reports are limited per person: ${REPORT_BURST} at once, the next 429; refused ones cost nothing`, async () => {
    const eve = await person(server, 'eve', 'Eve Eager');
    const demo = (await anon.get('/api/v1/feed?limit=50')).body.posts.filter((p) => p.author.id !== eve.id);
    assert.ok(demo.length > REPORT_BURST, `the small demo world (web/demo/seed.c) has more than ${REPORT_BURST} posts`);
    for (let i = 0; i < 3; i++) assertError(await report(eve, { kind: 'post', id: demo[0].id, reason: 'nope' }), 400, 'bad_request');
    for (let i = 0; i < REPORT_BURST; i++) {
      const r = await report(eve, { kind: 'post', id: demo[i].id, reason: 'other' });
      assert.equal(r.status, 201, `report ${i + 1}: ${JSON.stringify(r.body)}`);
    }
    const r = await report(eve, { kind: 'post', id: demo[REPORT_BURST].id, reason: 'other' });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) > 0);
  });

  test('the queue: open reports grouped by item, the longest-waiting first, in pages', async () => {
    const p = await postBy(alice, 'Queue me');
    const c = (await dave.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'rude words' })).body;
    assert.equal((await report(bob, { kind: 'post', id: p.id, reason: 'spam' })).status, 201);
    assert.equal((await report(carol, { kind: 'post', id: p.id, reason: 'scam', text: 'a fake shop' })).status, 201);
    assert.equal((await report(bob, { kind: 'comment', id: c.id, reason: 'harassment' })).status, 201);
    const all = [];
    let cursor = null;
    do {
      const r = await mod.c.get(`/api/v1/mod/queue?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      assert.ok(r.body.items.length <= 2);
      all.push(...r.body.items);
      cursor = r.body.next_cursor;
    } while (cursor);
    const keys = all.map((i) => `${i.kind}:${i.id}`);
    assert.equal(new Set(keys).size, keys.length, 'each item once');
    const times = all.map((i) => Date.parse(i.first_reported_at));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    const post = all.find((i) => i.id === p.id);
    assert.equal(post.report_count, 2);
    assert.equal(post.subject.id, alice.id);
    const comment = all.find((i) => i.id === c.id);
    assert.equal(comment.kind, 'comment');
    assert.equal(comment.subject.id, dave.id);
    assert.ok(keys.indexOf(`post:${p.id}`) < keys.indexOf(`comment:${c.id}`));
    // In context: the post with its photo and author, the comment with its post.
    const ip = (await mod.c.get(`/api/v1/mod/items/post/${p.id}`)).body;
    assert.equal(ip.state, 'shown');
    assert.deepEqual(ip.actions, ['hide', 'remove', 'restore', 'warn', 'suspend', 'ban']);
    assert.equal(ip.post.caption, 'Queue me');
    assert.equal(ip.post.author.id, alice.id);
    assert.equal(ip.post.images[0].url, p.images[0].url);
    assert.deepEqual(ip.reports.map((r) => [r.reporter.id, r.reason, r.text]).sort(),
      [[bob.id, 'spam', ''], [carol.id, 'scam', 'a fake shop']].sort());
    const ic = (await mod.c.get(`/api/v1/mod/items/comment/${c.id}`)).body;
    assert.equal(ic.comment.body, 'rude words');
    assert.equal(ic.comment.post.id, p.id);
    const iu = (await mod.c.get(`/api/v1/mod/items/person/${alice.id}`)).body;
    assert.equal(iu.state, 'active');
    assert.ok(iu.person.recent_posts.some((x) => x.id === p.id), 'a person comes with their recent posts');
    assert.deepEqual(iu.actions, ['restore', 'warn', 'suspend', 'ban']);
  });

  test('hide: gone for everyone but its author (marked) on every surface; closes the reports; restore brings it back', async () => {
    const tag = `hideme${process.pid}`;
    const p = await postBy(alice, `Hidden soon #${tag}`);
    const cm = (await dave.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'nice' })).body;
    assert.equal((await report(bob, { kind: 'post', id: p.id, reason: 'nudity' })).status, 201);
    const profile = async (c) => (await c.get(`/api/v1/users/${alice.id}`)).body.post_count;
    const countBefore = await profile(anon);
    const surfaces = async (c) => {
      const ids = (r) => r.body.posts.map((x) => x.id);
      return {
        feed: ids(await c.get('/api/v1/feed?limit=50')).includes(p.id),
        user: ids(await c.get(`/api/v1/users/${alice.id}/posts?limit=50`)).includes(p.id),
        pet: ids(await c.get(`/api/v1/pets/${p.petId}/posts`)).includes(p.id),
        tagFeed: ids(await c.get(`/api/v1/feed/tag?tag=${tag}`)).includes(p.id),
        page: (await c.get(`/api/v1/posts/${p.id}`)).status,
        comments: (await c.get(`/api/v1/posts/${p.id}/comments`)).status,
      };
    };
    const shown = { feed: true, user: true, pet: true, tagFeed: true, page: 200, comments: 200 };
    assert.deepEqual(await surfaces(anon), shown);
    const oembedUrl = `/api/v1/oembed?url=${encodeURIComponent(`${server.url.replace(/\/$/, '')}/posts/${p.id}`)}`;
    assert.equal((await anon.get(oembedUrl)).status, 200);
    assert.equal((await anon.get(`/embed/p/${p.id}`)).status, 200);

    const r = await act(mod, 'post', p.id, { action: 'hide', note: '🐾'.repeat(NOTE_MAX) }); // 4 bytes each
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'hidden');
    assert.deepEqual(r.body.reports.map((x) => x.outcome), ['hide']);
    // Told, in the same transaction: the author with the note (no moderator named), the reporter.
    const [toAuthor] = await notices(alice, p.id);
    assert.equal(toAuthor.actor, null);
    assert.equal(toAuthor.post_id, p.id);
    assert.deepEqual(toAuthor.detail, { action: 'hide', kind: 'post', id: p.id, note: '🐾'.repeat(NOTE_MAX) });
    assert.equal(toAuthor.read, false);
    assert.deepEqual((await notices(bob, p.id)).map((n) => n.detail), [{ report: 'acted', action: 'hide', kind: 'post', id: p.id }]);
    assert.deepEqual(await notices(dave, p.id), [], 'nobody else');

    const hidden = { feed: false, user: false, pet: false, tagFeed: false, page: 404, comments: 404 };
    assert.deepEqual(await surfaces(anon), hidden, 'signed out');
    assert.deepEqual(await surfaces(dave.c), hidden, 'signed in, even a commenter');
    assert.deepEqual(await surfaces(mod.c), hidden, 'the moderator reads it in the queue, not in the feed');
    assertError(await dave.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'still here?' }), 404, 'not_found');
    assert.equal((await anon.get(oembedUrl)).status, 404, 'oEmbed');
    assert.equal((await anon.get(`/embed/p/${p.id}`)).status, 404, 'the embed page');
    const cands = (await dave.c.get('/api/v1/feed/candidates')).body.candidates.map((c) => c.post_id);
    assert.ok(!cands.includes(p.id), 'candidates');
    const tags = (await anon.get(`/api/v1/search?type=tags&q=${tag}`)).body.results;
    assert.deepEqual(tags, [], 'search');
    assert.equal(await profile(anon), countBefore - 1, 'the profile count');
    // Its author still sees it everywhere, marked.
    const mine = await surfaces(alice.c);
    assert.deepEqual(mine, shown, 'the author');
    assert.equal((await alice.c.get(`/api/v1/posts/${p.id}`)).body.moderation, 'hidden');
    assert.equal((await alice.c.get('/api/v1/feed?limit=50')).body.posts.find((x) => x.id === p.id).moderation, 'hidden');
    assert.equal(await profile(alice.c), countBefore);
    // The queue no longer lists it; a new report opens it again.
    const queue = (await mod.c.get('/api/v1/mod/queue?limit=100')).body.items;
    assert.ok(!queue.some((i) => i.id === p.id));
    // Restore: back for everyone, unmarked.
    const back = await act(admin, 'post', p.id, { action: 'restore' });
    assert.equal(back.body.state, 'shown');
    assert.deepEqual((await notices(alice, p.id)).map((n) => n.detail.action), ['restore', 'hide']);
    assert.equal((await notices(bob, p.id)).length, 1, 'a restore tells no reporter');
    assert.deepEqual(await surfaces(anon), shown);
    assert.equal((await alice.c.get(`/api/v1/posts/${p.id}`)).body.moderation, undefined);
    assert.equal((await anon.get(`/api/v1/posts/${p.id}/comments`)).body.comments[0].id, cm.id);
  });

  test('remove: gone for everyone, its author too; its photo file freed; it cannot be shown again', async () => {
    const p = await postBy(alice, 'Remove me');
    const file = path.join(server.dir, 'media', p.images[0].url.replace('/media/', ''));
    const exists = () => access(file).then(() => true, () => false);
    assert.ok(await exists());
    const r = await act(mod, 'post', p.id, { action: 'remove' });
    assert.equal(r.body.state, 'removed');
    assert.deepEqual(r.body.post.images, []);
    for (const c of [anon, alice.c, dave.c]) {
      assertError(await c.get(`/api/v1/posts/${p.id}`), 404, 'not_found');
      assert.ok(!(await c.get(`/api/v1/users/${alice.id}/posts?limit=50`)).body.posts.some((x) => x.id === p.id));
    }
    assert.ok(!(await exists()), 'the photo file is gone');
    for (const action of ['restore', 'hide']) assertError(await act(mod, 'post', p.id, { action }), 409, 'conflict');
    assertError(await report(bob, { kind: 'post', id: p.id, reason: 'spam' }), 404, 'not_found');
  });

  test('reels and stories: reported, queued in context, hidden (their owner only, marked), restored, removed (files freed); told; audited; moderators only', async () => {
    const pet = (await alice.c.post('/api/v1/pets', { name: 'Reely', species: 'dog' })).body;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-mod-reel-'));
    const clip = await readFile(makeLocatedVideo(path.join(dir, 'reel.mp4')));
    await rm(dir, { recursive: true, force: true });
    const video = await alice.c.upload(clip, 'video/mp4');
    const poster = await alice.c.upload(png(17, 31), 'image/png');
    const reel = (await alice.c.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: poster.id, caption: 'Zoomies #fast', pet_id: pet.id })).body;
    const img = await alice.c.upload(png(19, 29), 'image/png');
    const story = (await alice.c.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id })).body;
    assert.ok(reel.id && story.id, JSON.stringify({ reel, story }));
    const reelIds = async (c) => (await c.get('/api/v1/reels?limit=50')).body.reels.map((x) => x.id);
    const trayStories = async (c) => (await c.get('/api/v1/stories')).body.tray.flatMap((e) => e.stories);
    const inTray = async (c) => (await trayStories(c)).some((x) => x.id === story.id);

    // Reported with the existing route; one's own is 400, no session 401.
    const rr = await report(bob, { kind: 'reel', id: reel.id, reason: 'violence' });
    assert.equal(rr.status, 201, JSON.stringify(rr.body));
    assert.deepEqual([rr.body.kind, rr.body.item_id], ['reel', reel.id]);
    assert.equal((await report(carol, { kind: 'story', id: story.id, reason: 'nudity' })).status, 201);
    assertError(await report(alice, { kind: 'reel', id: reel.id, reason: 'spam' }), 400, 'own_item');
    assertError(await anon.post('/api/v1/reports', { kind: 'story', id: story.id, reason: 'spam' }), 401, 'unauthorized');
    assertError(await report(bob, { kind: 'reel', id: 'r_999999', reason: 'spam' }), 404, 'not_found');
    assertError(await report(bob, { kind: 'story', id: reel.id, reason: 'spam' }), 400, 'bad_request');

    // The queue lists both, answered for by their owner; each in context.
    const queue = (await mod.c.get('/api/v1/mod/queue?limit=100')).body.items;
    for (const [kind, id] of [['reel', reel.id], ['story', story.id]]) {
      const q = queue.find((i) => i.id === id);
      assert.deepEqual([q.kind, q.subject.id, q.report_count], [kind, alice.id, 1]);
    }
    const ri = (await mod.c.get(`/api/v1/mod/items/reel/${reel.id}`)).body;
    assert.deepEqual([ri.state, ri.actions], ['shown', ['hide', 'remove', 'restore', 'warn', 'suspend', 'ban']]);
    assert.deepEqual([ri.reel.owner.id, ri.reel.caption, ri.reel.pet_name, ri.reel.media_url, ri.reel.poster_url],
      [alice.id, 'Zoomies #fast', 'Reely', reel.video.url, reel.poster.url]);
    assert.equal(ri.reports[0].reason, 'violence');
    const si = (await mod.c.get(`/api/v1/mod/items/story/${story.id}`)).body;
    assert.deepEqual([si.state, si.story.owner.id, si.story.pet_name, si.story.media_url, si.story.expires_at],
      ['shown', alice.id, 'Reely', story.media.url, story.expires_at]);

    // Moderators and admins only.
    for (const [kind, id] of [['reel', reel.id], ['story', story.id]]) {
      const url = `/api/v1/mod/items/${kind}/${id}`;
      assertError(await anon.get(url), 401, 'unauthorized');
      assertError(await anon.post(`${url}/actions`, { action: 'hide' }), 401, 'unauthorized');
      for (const who of [dave, alice, support, finance]) {
        assertError(await who.c.get(url), 403, 'forbidden');
        assertError(await act(who, kind, id, { action: 'hide' }), 403, 'forbidden');
      }
    }
    assert.ok((await reelIds(dave.c)).includes(reel.id), 'the refusals changed nothing');

    // Hide: every surface leaves it but its owner's, marked; owner and reporter told.
    const hid = await act(mod, 'reel', reel.id, { action: 'hide', note: 'too rough' });
    assert.equal(hid.status, 200, JSON.stringify(hid.body));
    assert.deepEqual([hid.body.state, hid.body.reel.state], ['hidden', 'hidden']);
    for (const c of [anon, dave.c, bob.c, mod.c]) assert.ok(!(await reelIds(c)).includes(reel.id));
    const mine = (await alice.c.get('/api/v1/reels?limit=50')).body.reels.find((x) => x.id === reel.id);
    assert.equal(mine.moderation, 'hidden');
    const [told] = await notices(alice, reel.id);
    assert.deepEqual([told.post_id, told.actor, told.detail], [null, null, { action: 'hide', kind: 'reel', id: reel.id, note: 'too rough' }]);
    assert.deepEqual((await notices(bob, reel.id)).map((n) => n.detail), [{ report: 'acted', action: 'hide', kind: 'reel', id: reel.id }]);
    assertError(await report(dave, { kind: 'reel', id: reel.id, reason: 'spam' }), 404, 'not_found');
    assert.equal((await act(mod, 'story', story.id, { action: 'hide' })).body.state, 'hidden');
    for (const c of [anon, dave.c, carol.c]) assert.ok(!(await inTray(c)));
    assertError(await dave.c.put(`/api/v1/stories/${story.id}/seen`), 404, 'not_found');
    assert.equal((await trayStories(alice.c)).find((x) => x.id === story.id).moderation, 'hidden', 'the owner\'s tray');
    assert.equal((await notices(alice, story.id))[0].detail.action, 'hide');

    // Restore: back for everyone, unmarked.
    assert.equal((await act(admin, 'reel', reel.id, { action: 'restore' })).body.state, 'shown');
    assert.equal((await act(admin, 'story', story.id, { action: 'restore' })).body.state, 'shown');
    assert.ok((await reelIds(dave.c)).includes(reel.id));
    assert.ok(await inTray(dave.c));
    assert.equal((await alice.c.get('/api/v1/reels?limit=50')).body.reels.find((x) => x.id === reel.id).moderation, undefined);
    assert.equal((await trayStories(alice.c)).find((x) => x.id === story.id).moderation, undefined);

    // Remove: gone for everyone, its owner too; the files freed; nothing to show again.
    const file = (url) => path.join(server.dir, 'media', url.replace('/media/', ''));
    const exists = (url) => access(file(url)).then(() => true, () => false);
    for (const url of [reel.video.url, reel.poster.url, story.media.url]) assert.ok(await exists(url), url);
    const gone = await act(mod, 'reel', reel.id, { action: 'remove' });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual([gone.body.state, gone.body.reel], ['removed', null]);
    assert.equal((await act(mod, 'story', story.id, { action: 'remove' })).body.story, null);
    for (const c of [anon, dave.c, alice.c]) {
      assert.ok(!(await reelIds(c)).includes(reel.id));
      assert.ok(!(await inTray(c)));
    }
    for (const url of [reel.video.url, reel.poster.url, story.media.url]) assert.ok(!(await exists(url)), `${url} freed`);
    for (const action of ['restore', 'hide']) {
      assertError(await act(mod, 'reel', reel.id, { action }), 409, 'conflict');
      assertError(await act(mod, 'story', story.id, { action }), 409, 'conflict');
    }
    // Still in context for the record, and the person actions still reach its owner.
    assert.equal((await mod.c.get(`/api/v1/mod/items/reel/${reel.id}`)).body.state, 'removed');
    assert.equal((await act(mod, 'story', story.id, { action: 'warn', note: 'last warning' })).status, 200);
    assert.equal((await notices(alice, story.id))[0].detail.action, 'warn');
    // Audited: who, what and which item.
    const log = (await admin.c.get('/api/v1/admin/audit?limit=2')).body.entries;
    assert.deepEqual(log.map((e) => [e.action, e.actor.id, e.target.kind, e.target.id]),
      [['mod.warn', mod.id, 'story', story.id], ['mod.remove', mod.id, 'story', story.id]]);
    const all = (await admin.c.get('/api/v1/admin/audit?limit=20')).body.entries.filter((e) => e.target.id === reel.id);
    assert.deepEqual(all.map((e) => e.action), ['mod.remove', 'mod.restore', 'mod.hide']);
  });

  test('comments: hidden ones reach their author only, marked; removed ones nobody; restore', async () => {
    const p = await postBy(dave, 'Comment on me');
    const c = (await alice.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'a mean comment' })).body;
    const listed = async (who) => (await who.get(`/api/v1/posts/${p.id}/comments`)).body.comments.find((x) => x.id === c.id);
    assert.equal((await act(mod, 'comment', c.id, { action: 'hide' })).body.state, 'hidden');
    assert.equal(await listed(anon), undefined);
    assert.equal(await listed(dave.c), undefined, 'the post author does not see it either');
    assert.equal((await listed(alice.c)).moderation, 'hidden');
    assertError(await bob.c.post('/api/v1/reports', { kind: 'comment', id: c.id, reason: 'spam' }), 404, 'not_found');
    assert.equal((await act(mod, 'comment', c.id, { action: 'remove' })).body.state, 'removed');
    assert.equal(await listed(alice.c), undefined);
    assert.equal((await act(mod, 'comment', c.id, { action: 'restore' })).body.state, 'shown');
    assert.equal((await listed(anon)).body, 'a mean comment');
  });

  test('a post\'s comment_count and a comment\'s reply_count are what each can page through: hidden ones count for their author only, removed ones for nobody', async () => {
    const p = await postBy(dave, 'Count me');
    const top = (await dave.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'first' })).body;
    const mean = (await alice.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'mean' })).body;
    const reply = (await alice.c.post(`/api/v1/posts/${p.id}/comments`, { body: 'mean reply', parent_id: top.id })).body;
    const counts = async (c) => {
      const post = (await c.get(`/api/v1/posts/${p.id}`)).body;
      const listed = (await c.get(`/api/v1/posts/${p.id}/comments`)).body.comments;
      const replies = (await c.get(`/api/v1/posts/${p.id}/comments?parent_id=${top.id}`)).body.comments;
      assert.equal(post.comment_count, listed.length + replies.length, 'the count is what the lists hold');
      assert.equal(listed.find((x) => x.id === top.id).reply_count, replies.length);
      return [post.comment_count, replies.length];
    };
    assert.deepEqual(await counts(anon), [3, 1]);
    for (const id of [mean.id, reply.id]) assert.equal((await act(mod, 'comment', id, { action: 'hide' })).body.state, 'hidden');
    assert.deepEqual(await counts(anon), [1, 0]);
    assert.deepEqual(await counts(dave.c), [1, 0], 'the post\'s author too');
    assert.deepEqual(await counts(alice.c), [3, 1], 'their author sees their hidden ones');
    const inFeed = (await alice.c.get(`/api/v1/users/${dave.id}/posts?limit=50`)).body.posts.find((x) => x.id === p.id);
    assert.equal(inFeed.comment_count, 3, 'the feeds carry the same count');
    for (const id of [mean.id, reply.id]) assert.equal((await act(mod, 'comment', id, { action: 'remove' })).body.state, 'removed');
    assert.deepEqual(await counts(alice.c), [1, 0]);
    assert.deepEqual(await counts(anon), [1, 0]);
  });

  test('actions: the body at its edges; nobody acts on their own items', async () => {
    const p = await postBy(alice, 'Edges');
    assertError(await act(mod, 'post', p.id, { action: 'hide', note: 'n'.repeat(NOTE_MAX + 1) }), 400, 'bad_request');
    assertError(await act(mod, 'post', p.id, { action: 'delete' }), 400, 'bad_request');
    assertError(await act(mod, 'person', alice.id, { action: 'hide' }), 400, 'bad_request');
    assertError(await act(mod, 'post', p.id, { action: 'hide', days: 3 }), 400, 'bad_request');
    for (const days of [0, SUSPEND_DAYS_MAX + 1, 1.5, '3', undefined]) {
      assertError(await act(mod, 'person', alice.id, { action: 'suspend', days }), 400, 'bad_request');
    }
    assertError(await act(mod, 'post', 'p_999999', { action: 'hide' }), 404, 'not_found');
    const own = await postBy(mod, 'My own');
    assertError(await act(mod, 'post', own.id, { action: 'hide' }), 400, 'own_item');
    assertError(await act(mod, 'person', mod.id, { action: 'ban' }), 400, 'own_item');
    // The refusals changed nothing.
    assert.equal((await mod.c.get(`/api/v1/mod/items/post/${p.id}`)).body.state, 'shown');
  });

  test('a ban through a reported post acts on its author; the audit log names who, what and when', async () => {
    const troll = await person(server, 'troll', 'Tro Troll');
    const p = await postBy(troll, 'Troll post');
    assert.equal((await report(bob, { kind: 'post', id: p.id, reason: 'hate' })).status, 201);
    assert.equal((await report(carol, { kind: 'post', id: p.id, reason: 'hate' })).status, 201);
    const t0 = Date.now();
    const r = await act(admin, 'post', p.id, { action: 'ban', note: 'hate speech' });
    assert.equal(r.status, 200);
    assert.equal(r.body.state, 'shown', 'the post itself is untouched by a ban');
    assertError(await troll.c.get('/api/v1/me/pets'), 401, 'unauthorized');
    const e = (await admin.c.get('/api/v1/admin/audit?limit=1')).body.entries[0];
    assert.equal(e.action, 'mod.ban');
    assert.equal(e.actor.id, admin.id);
    assert.deepEqual(e.target, { kind: 'post', id: p.id });
    assert.equal(e.detail.subject, troll.id);
    assert.equal(e.detail.reports_closed, 2);
    assert.ok(Date.parse(e.at) >= t0 - 2000 && Date.parse(e.at) <= Date.now() + 2000);
  });
  // Last: it restarts the server with the clock moved on.
  test('suspend: sessions end, sign-in refused until the days pass (clock offset); ban: refused for good; audited', async () => {
    const sam = await person(server, 'sam', 'Sam Suspended');
    const other = new Client(server);
    await other.login(sam.mail, PASSWORD);
    assert.equal((await report(bob, { kind: 'person', id: sam.id, reason: 'harassment' })).status, 201);
    const s = await act(mod, 'person', sam.id, { action: 'suspend', days: 3, note: 'cool off' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.state, 'suspended');
    const until = Date.parse(s.body.person.suspended_until);
    assert.ok(Math.abs(until - (Date.now() + 3 * 86400_000)) < 120_000, 'three days from now');
    for (const c of [sam.c, other]) assertError(await c.get('/api/v1/me/pets'), 401, 'unauthorized');
    assertError(await new Client(server).post('/api/v1/auth/login', { email: sam.mail, password: PASSWORD }), 403, 'suspended');
    // A wrong password still reads as any wrong password.
    assertError(await new Client(server).post('/api/v1/auth/login', { email: sam.mail, password: 'not it at all' }), 401, 'unauthorized');
    const log = (await admin.c.get('/api/v1/admin/audit?limit=1')).body.entries[0];
    assert.equal(log.action, 'mod.suspend');
    assert.equal(log.actor.id, mod.id);
    assert.equal(log.target.id, sam.id);
    assert.deepEqual(log.detail, { kind: 'person', id: sam.id, subject: sam.id, note: 'cool off', days: 3, reports_closed: 1 });
    // Sam is told until when (read once signed in again, below); the reporter that it was acted on.
    assert.deepEqual((await notices(bob, sam.id)).map((n) => n.detail.action), ['suspend']);
    assert.ok(Math.abs(Date.parse(log.at) - Date.now()) < 120_000, 'when');

    // Two days on, still suspended; three days and a minute on, signed in again.
    const dir = server.dir;
    await stopServer(server);
    server = await startServer({ root, data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(2 * 86400) } });
    assertError(await new Client(server).post('/api/v1/auth/login', { email: sam.mail, password: PASSWORD }), 403, 'suspended');
    await stopServer(server);
    server = await startServer({ root, data: dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(3 * 86400 + 60) } });
    const back = new Client(server);
    await back.login(sam.mail, PASSWORD);
    const [told] = await notices({ c: back }, sam.id);
    assert.equal(told.detail.action, 'suspend');
    assert.equal(Date.parse(told.detail.until), until - (until % 1000));
    assert.equal(told.detail.note, 'cool off');
    const modBack = new Client(server);
    await modBack.login(mod.mail, PASSWORD);
    assert.equal((await modBack.get(`/api/v1/mod/items/person/${sam.id}`)).body.state, 'active');

    // Ban: every session ends, sign-in refused with a clear message, whatever the clock.
    const b = await act({ c: modBack }, 'person', sam.id, { action: 'ban' });
    assert.equal(b.body.state, 'banned');
    assertError(await back.get('/api/v1/me/pets'), 401, 'unauthorized');
    const refused = await new Client(server).post('/api/v1/auth/login', { email: sam.mail, password: PASSWORD });
    assertError(refused, 403, 'banned');
    assert.match(refused.body.error.message, /banned/);
    assert.equal(dbQuery(server, `SELECT count(*) FROM sessions WHERE user_id = ${Number(sam.id.slice(2))}`), '0');
    assertError(await act({ c: modBack }, 'person', sam.id, { action: 'suspend', days: 1 }), 409, 'conflict');
    // Restore lifts it.
    assert.equal((await act({ c: modBack }, 'person', sam.id, { action: 'restore' })).body.state, 'active');
    await new Client(server).login(sam.mail, PASSWORD);
  });
});

const MOD_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE reports')) + 1;
// The version that moderates reels and stories (21 when written; found in the source).
const CLIP_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('ALTER TABLE reels ADD COLUMN mod_state')) + 1;

describe('the moderation schema upgrade', () => {
  test('a SQLite database one version older is upgraded in place: everything shown, nobody suspended', async () => {
    assert.ok(MOD_VERSION > 0, 'a migration makes reports');
    const { tmp, data, sql, migrations: m } = await oldDatabase('moderation', MOD_VERSION - 1);
    sql(`INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
      INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Rex', 'dog', 1);
      INSERT INTO posts (id, author_id, pet_id, caption, created_at) VALUES (1, 1, 1, 'old', 2);
      INSERT INTO comments (post_id, author_id, body, created_at) VALUES (1, 1, 'kept', 3);`);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT p.mod_state, c.mod_state, u.suspended_until IS NULL, u.banned_at IS NULL FROM posts p, comments c, users u'), '0 0 1 1');
      assert.equal(sql('SELECT count(*) FROM reports'), '0');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('a PostgreSQL database one version older gets moderation from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-mod-pg-'));
    const pg = await createDatabase('pa_mod_up');
    try {
      const env = { PA_DATABASE_URL: pg.url };
      // The version before, exactly as a server of that version made it.
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, MOD_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${MOD_VERSION - 1};
        INSERT INTO users (handle, name, email, created_at) VALUES ('bea', 'Bea', 'bea@example.test', 1);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT suspended_until, banned_at FROM users'), [{ suspended_until: null, banned_at: null }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM reports'), [{ n: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe(`the upgrade to schema ${CLIP_VERSION}: reels and stories are moderated`, () => {
  const H = (c) => c.repeat(64);
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);
    INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Rex', 'dog', 1);
    INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES ('${H('a')}', 'mp4', 1, 1, 1, 1), ('${H('b')}', 'png', 1, 1, 1, 1);
    INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at) VALUES (1, 1, '${H('a')}', '${H('b')}', 'kept', 2);
    INSERT INTO stories (owner_id, pet_id, media, created_at, expires_at) VALUES (1, 1, '${H('b')}', 2, 9999999999);
    INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, text, created_at) VALUES (2, 'post', 7, 1, 'spam', 'old', 3);`;

  test('SQLite: a file one version older gains mod_state (shown) on reels and stories and report kinds reel and story, its rows kept', async () => {
    assert.ok(CLIP_VERSION > 0, 'a migration moderates reels');
    const { tmp, data, sql, migrations: m } = await oldDatabase('clipmod', CLIP_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT r.caption, r.mod_state, s.mod_state FROM reels r, stories s'), 'kept 0 0');
      assert.equal(sql('SELECT id, kind, item_id, text FROM reports'), '1 post 7 old');
      assert.equal(sql("INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (2, 'reel', 1, 1, 'spam', 4), (2, 'story', 1, 1, 'spam', 4); SELECT count(*) FROM reports"), '3');
      assert.equal(sql("SELECT name FROM sqlite_master WHERE tbl_name = 'reports' AND type = 'index' ORDER BY name").replace(/\n/g, ' '),
        'reports_open reports_queue reports_subject');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-clipmod-pg-'));
    const pg = await createDatabase('pa_clipmod_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, CLIP_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${CLIP_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT r.caption, r.mod_state AS rm, s.mod_state AS sm FROM reels r, stories s'),
          [{ caption: 'kept', rm: '0', sm: '0' }]);
        await runSql(pg.url, "INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, created_at) VALUES (2, 'reel', 1, 1, 'spam', 4), (2, 'story', 1, 1, 'spam', 4);");
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM reports ORDER BY kind'), [{ kind: 'post' }, { kind: 'reel' }, { kind: 'story' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
