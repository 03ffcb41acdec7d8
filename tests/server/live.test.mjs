// Lives (issue 24; web/README.md, "Live"): the REST routes against a real
// two-instance Janus 1.1.2 (tests/lib/janus.mjs, one per file): every route's
// authorization (no session 401, CSRF 403, another person 404, wrong role
// 403), strict bodies, the states and their 409s, PA_LIVE_TITLE_MAX and
// PA_LIVE_STARTS_PER_HOUR at their edges, one live per person, on-air refused
// until the feed publishes (a remote publisher fed by ffmpeg: no browser),
// the old feed refused after a reconnect, the instance choice across two
// instances (checked with Janus's own `exists`), the end destroying the room,
// the tray's live entries and their order, the followers' notice (once, not
// to blocked people), the moderators' list and end with its audit entry, the
// watchdog's `lost` and `max` ends (the clock moved by restarting the server
// with PA_TEST_CLOCK_OFFSET: its chores run at start), and the upgrade from
// the schema before on both engines. Both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JanusHttp, janusToken, remotePublisher, startJanus } from '../lib/janus.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png,
  startServer, stopServer,
} from './helpers.mjs';

// web/src/api/live.h
const TITLE_MAX = 80; // PA_LIVE_TITLE_MAX
const STARTS_PER_HOUR = 10; // PA_LIVE_STARTS_PER_HOUR
const LOST_S = 60; // PA_LIVE_LOST_S
const MAX_S = 3600; // PA_LIVE_MAX_S
const TOKEN_S = 600; // PA_LIVE_TOKEN_S

const PASSWORD = 'correct horse battery';
const LIVES = '/api/v1/lives';
const num = (id) => Number(id.split('_')[1]);

/** Runs `petamigos-server admin --data DIR grant MAIL ROLE` on server's database. */
async function grant(server, mail, role) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mail, role], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** A signed-up person with a pet: their client, email, user id and pet id. */
async function person(server, tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, `${tag[0].toUpperCase()}${tag.slice(1)}`);
  const pet = await c.post('/api/v1/pets', { name: `${tag}-pet`, species: 'dog' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));
  return { c, mail, id: user.id, pet: pet.body.id };
}

/** The server's row of live id: instance, room, room secret, feed. */
function liveRow(server, id) {
  const [instance, room, secret, feed, state, reason, keep, replay] = dbQuery(server,
    `SELECT instance, room, room_secret, feed, state, end_reason, keep, replay_state FROM lives WHERE id = ${num(id)}`)
    .split('|');
  return { instance, room: Number(room), secret, feed: Number(feed), state, reason, keep: Number(keep), replay };
}

describe('lives', () => {
  let janus, server, ann, bob, carl, dana, erin, fay, gus, mod, admin;
  const publishers = [];

  const inst = (name) => janus.instances.find((i) => i.name === name);
  /** A publisher (ffmpeg over RTP) as the live's feed, or as `feed`. */
  async function publish(id, feed) {
    const row = liveRow(server, id);
    const p = await remotePublisher({ instance: inst(row.instance), secret: janus.secret, room: row.room,
      roomSecret: row.secret, feed: feed ?? row.feed });
    publishers.push(p);
    return p;
  }
  /** Janus's own word on whether room exists on instance name. */
  async function roomExists(name, room) {
    const api = await new JanusHttp(inst(name).http, janusToken(janus.secret)).open();
    try {
      const r = await api.request({ request: 'exists', room });
      assert.equal(r.videoroom, 'success', JSON.stringify(r));
      return r.exists;
    } finally {
      await api.close();
    }
  }
  async function goLive(p, body = {}) {
    const r = await p.c.post(LIVES, { pet_id: p.pet, ...body });
    assert.equal(r.status, 201, `${JSON.stringify(r.body)}\n${server.stderr.slice(-2000)}`);
    return r.body;
  }
  async function onAir(p, id) {
    await publish(id);
    const r = await p.c.post(`${LIVES}/${id}/on-air`, { feed: liveRow(server, id).feed });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'live');
    return r.body;
  }
  async function stopPublishers() {
    while (publishers.length) await publishers.pop().stop().catch(() => {});
  }

  before(async () => {
    janus = await startJanus({ instances: 2 });
    server = await startServer({ seed: false, env: janus.env });
    [ann, bob, carl, dana, erin, fay, gus, mod, admin] = await Promise.all(
      ['ann', 'bob', 'carl', 'dana', 'erin', 'fay', 'gus', 'mod', 'admin'].map((t) => person(server, t)));
    await grant(server, mod.mail, 'moderator');
    await grant(server, admin.mail, 'admin');
  });
  after(async () => {
    await stopPublishers();
    if (server) await stopServer(server, { keepData: false });
    if (janus) await janus.stop();
  });

  test('authorization on every route: no session 401, CSRF 403, another person 404, wrong role 403', async () => {
    const { live } = await goLive(gus, { title: 'Auth' });
    const lv = live.id;
    const anon = new Client(server);
    const routes = [
      ['POST', LIVES, { pet_id: gus.pet }], ['GET', `${LIVES}/${lv}`], ['POST', `${LIVES}/${lv}/on-air`, { feed: 1 }],
      ['POST', `${LIVES}/${lv}/reconnect`, {}], ['POST', `${LIVES}/${lv}/watch`, {}], ['POST', `${LIVES}/${lv}/end`, { keep: false }],
      ['DELETE', `${LIVES}/${lv}/comments/lc_1`], ['POST', `${LIVES}/${lv}/blocks`, { person: ann.id }],
      ['GET', '/api/v1/admin/lives'], ['POST', `/api/v1/admin/lives/${lv}/end`, {}],
    ];
    for (const [method, target, json] of routes) {
      assertError(await anon.request(method, target, { json }), 401, 'unauthorized');
      if (method !== 'GET') assertError(await gus.c.request(method, target, { json, csrf: false }), 403, 'csrf');
    }
    // Another person: the broadcaster's routes read as no such live; a starting live is nobody else's to see.
    for (const [method, target, json] of routes.slice(1, 8)) assertError(await ann.c.request(method, target, { json }), 404, 'not_found');
    // Wrong role: a member (and the broadcaster) is refused the moderators' routes.
    for (const p of [ann, gus]) {
      assertError(await p.c.get('/api/v1/admin/lives'), 403, 'forbidden');
      assertError(await p.c.post(`/api/v1/admin/lives/${lv}/end`, {}), 403, 'forbidden');
    }
    const end = await gus.c.post(`${LIVES}/${lv}/end`, { keep: false });
    assert.equal(end.status, 200, JSON.stringify(end.body));
  });

  test('strict bodies and PA_LIVE_TITLE_MAX at its edge; the pet must be yours', async () => {
    assertError(await bob.c.post(LIVES, { pet_id: bob.pet, extra: 1 }), 400, 'bad_request');
    assertError(await bob.c.post(LIVES, {}), 400, 'bad_request');
    assertError(await bob.c.post(LIVES, { pet_id: 'p_1' }), 400, 'bad_request');
    assertError(await bob.c.post(LIVES, { pet_id: bob.pet, title: 'é'.repeat(TITLE_MAX + 1) }), 400, 'bad_request');
    assertError(await bob.c.post(LIVES, { pet_id: bob.pet, title: 'a\u0007b' }), 400, 'bad_request');
    assertError(await bob.c.post(LIVES, { pet_id: ann.pet }), 404, 'not_found');
    assertError(await bob.c.post(LIVES, { pet_id: 'pet_999999' }), 404, 'not_found');
    const { live, janus: join } = await goLive(bob, { title: 'é'.repeat(TITLE_MAX) });
    assert.equal(live.title, 'é'.repeat(TITLE_MAX));
    assert.equal(live.state, 'starting');
    assert.equal(live.started_at, null);
    assert.equal(live.replay, null);
    assert.equal(join.role, 'publisher');
    assert.equal(join.feed, liveRow(server, live.id).feed);
    const lv = live.id;
    for (const body of [{}, { feed: 0 }, { feed: -1 }, { feed: 1.5 }, { feed: '1' }, { feed: 2 ** 53 }, { feed: 1, x: 1 }]) {
      assertError(await bob.c.post(`${LIVES}/${lv}/on-air`, body), 400, 'bad_request');
    }
    for (const body of [{}, { keep: 'yes' }, { keep: true, x: 1 }]) assertError(await bob.c.post(`${LIVES}/${lv}/end`, body), 400, 'bad_request');
    for (const body of [{}, { person: 'pet_1' }, { person: ann.id, x: 1 }]) assertError(await bob.c.post(`${LIVES}/${lv}/blocks`, body), 400, 'bad_request');
    assertError(await bob.c.post(`${LIVES}/${lv}/blocks`, { person: bob.id }), 400, 'bad_request');
    assertError(await bob.c.post(`${LIVES}/${lv}/blocks`, { person: 'u_999999' }), 404, 'not_found');
    assertError(await bob.c.del(`${LIVES}/${lv}/comments/lc_999999`), 404, 'not_found');
    assert.equal((await bob.c.post(`${LIVES}/${lv}/end`, { keep: false })).status, 200);
  });

  test('one live per person; on air only once the feed publishes; notices to followers once; watch; reconnect; end', async () => {
    // Followers: carl of Ann, dana of her pet, erin of both (one notice); fay follows the pet and is in a block.
    assert.equal((await carl.c.put(`/api/v1/users/${ann.id}/follow`)).status, 200);
    assert.equal((await dana.c.put(`/api/v1/pets/${ann.pet}/follow`)).status, 200);
    assert.equal((await erin.c.put(`/api/v1/users/${ann.id}/follow`)).status, 200);
    assert.equal((await erin.c.put(`/api/v1/pets/${ann.pet}/follow`)).status, 200);
    assert.equal((await fay.c.put(`/api/v1/pets/${ann.pet}/follow`)).status, 200);
    assert.equal((await ann.c.put(`/api/v1/users/${fay.id}/block`)).status, 200);

    const { live, janus: join } = await goLive(ann, { title: 'Walk' });
    const lv = live.id;
    const again = await ann.c.post(LIVES, { pet_id: ann.pet });
    assertError(again, 409, 'live_active');
    assert.equal(again.body.error.live, lv);
    const row = liveRow(server, lv);
    assert.equal(join.url, inst(row.instance).ws);
    assert.equal(join.room, row.room);
    assert.ok(Date.parse(join.expires_at) / 1000 - Date.now() / 1000 > TOKEN_S - 30);
    assert.ok(await roomExists(row.instance, row.room), 'the room made on the chosen instance');
    // Starting: nobody else sees it; the broadcaster's own watch is refused until it starts.
    assertError(await carl.c.get(`${LIVES}/${lv}`), 404, 'not_found');
    assertError(await carl.c.post(`${LIVES}/${lv}/watch`, {}), 404, 'not_found');
    assertError(await ann.c.post(`${LIVES}/${lv}/watch`, {}), 409, 'live_not_started');
    // On air: refused until the feed publishes, and for any other feed.
    assertError(await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: row.feed }), 409, 'not_publishing');
    await publish(lv);
    assertError(await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: row.feed === 1 ? 2 : row.feed - 1 }), 409, 'not_publishing');
    const on = await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: row.feed });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.state, 'live');
    assert.ok(on.body.started_at);
    assert.equal((await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: row.feed })).status, 200, 'again: still live');
    // The notice: each follower once (erin follows both), nobody in a block, not the broadcaster.
    const notices = async (p) => (await p.c.get('/api/v1/notifications')).body.notifications.filter((n) => n.kind === 'live');
    for (const p of [carl, dana, erin]) {
      const n = await notices(p);
      assert.equal(n.length, 1, `one notice for ${p.mail}`);
      assert.deepEqual(n[0].detail, { live: lv, pet: 'ann-pet', title: 'Walk' });
      assert.equal(n[0].actor.id, ann.id);
      assert.equal(n[0].pet.id, ann.pet);
    }
    for (const p of [fay, bob, ann]) assert.equal((await notices(p)).length, 0);
    // Visible now to others; watch gives a subscriber's join for the same room and feed.
    const got = await carl.c.get(`${LIVES}/${lv}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.author.id, ann.id);
    assert.equal(got.body.pet.id, ann.pet);
    assertError(await fay.c.get(`${LIVES}/${lv}`), 404, 'not_found');
    assertError(await fay.c.post(`${LIVES}/${lv}/watch`, {}), 404, 'not_found');
    const w = await carl.c.post(`${LIVES}/${lv}/watch`, {});
    assert.equal(w.status, 200, JSON.stringify(w.body));
    assert.deepEqual([w.body.janus.role, w.body.janus.room, w.body.janus.feed, w.body.janus.url],
      ['subscriber', row.room, row.feed, inst(row.instance).ws]);
    assert.deepEqual(w.body.janus.ice_servers, []);
    assert.match(w.body.janus.token, new RegExp(`^\\d+,janus,janus\\.plugin\\.videoroom,room=${row.room}:`));
    assert.match(w.body.janus.join_token, new RegExp(`^\\d+,janus\\.plugin\\.videoroom,room=${row.room}:`));
    // Blocked from this live: watch refused.
    assert.equal((await ann.c.post(`${LIVES}/${lv}/blocks`, { person: dana.id })).status, 200);
    assert.equal((await ann.c.post(`${LIVES}/${lv}/blocks`, { person: dana.id })).status, 200, 'again is no change');
    assertError(await dana.c.post(`${LIVES}/${lv}/watch`, {}), 403, 'blocked_from_live');
    // A comment (written by the socket's side; here straight into the table) removed by the broadcaster, once.
    dbQuery(server, `INSERT INTO live_comments (live_id, user_id, text, created_at) VALUES (${num(lv)}, ${num(carl.id)}, 'hi', 1)`);
    const lc = `lc_${dbQuery(server, `SELECT max(id) FROM live_comments WHERE live_id = ${num(lv)}`)}`;
    assertError(await carl.c.del(`${LIVES}/${lv}/comments/${lc}`), 404, 'not_found');
    assert.equal((await ann.c.del(`${LIVES}/${lv}/comments/${lc}`)).status, 200);
    assertError(await ann.c.del(`${LIVES}/${lv}/comments/${lc}`), 404, 'not_found');
    assert.equal(dbQuery(server, `SELECT removed_by FROM live_comments WHERE id = ${num(lc)}`), String(num(ann.id)));
    // Reconnect: a new feed; the old one never takes the live back.
    const rc = await ann.c.post(`${LIVES}/${lv}/reconnect`, {});
    assert.equal(rc.status, 200, JSON.stringify(rc.body));
    assert.notEqual(rc.body.janus.feed, row.feed);
    assert.equal(liveRow(server, lv).feed, rc.body.janus.feed);
    assertError(await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: row.feed }), 409, 'not_publishing');
    assertError(await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: rc.body.janus.feed }), 409, 'not_publishing');
    await publish(lv, rc.body.janus.feed);
    assert.equal((await ann.c.post(`${LIVES}/${lv}/on-air`, { feed: rc.body.janus.feed })).status, 200);
    assert.equal((await carl.c.post(`${LIVES}/${lv}/watch`, {})).body.janus.feed, rc.body.janus.feed);
    assert.equal((await notices(carl)).length, 1, 'no second notice after a reconnect');
    // End: the room goes; watch is 410, a second end 409.
    const end = await ann.c.post(`${LIVES}/${lv}/end`, { keep: true });
    assert.equal(end.status, 200, JSON.stringify(end.body));
    assert.deepEqual([end.body.state, end.body.end_reason, end.body.replay.reel], ['ended', 'owner', null]);
    // Kept: pending for the replay worker (lane lrec's), which may have taken it already.
    assert.ok(['pending', 'processing'].includes(end.body.replay.state), end.body.replay.state);
    assert.equal(await roomExists(row.instance, row.room), false, 'the room destroyed');
    assertError(await ann.c.post(`${LIVES}/${lv}/end`, { keep: false }), 409, 'live_ended');
    assertError(await carl.c.post(`${LIVES}/${lv}/watch`, {}), 410, 'live_ended');
    assertError(await ann.c.post(`${LIVES}/${lv}/reconnect`, {}), 409, 'live_ended');
    assert.equal((await carl.c.get(`${LIVES}/${lv}`)).body.state, 'ended', 'an ended live stays readable');
    await stopPublishers();
  });

  test('two instances: two people live at once get one room on each (Janus says so); the tray puts lives first', async () => {
    // Carl follows Ann (above) and Bob; Bob has a story, so his pet has an entry either way.
    assert.equal((await carl.c.put(`/api/v1/users/${bob.id}/follow`)).status, 200);
    const media = await bob.c.upload(png(64, 64), 'image/png');
    assert.equal((await bob.c.post('/api/v1/stories', { media_id: media.id, pet_id: bob.pet })).status, 201);
    let tray = (await carl.c.get('/api/v1/stories')).body.tray;
    assert.deepEqual(tray.map((e) => [e.pet.id, e.live]), [[bob.pet, null]]);

    const a = (await goLive(ann)).live.id;
    const b = (await goLive(bob)).live.id;
    const [ra, rb] = [liveRow(server, a), liveRow(server, b)];
    assert.notEqual(ra.instance, rb.instance, 'the second live goes to the emptier instance');
    assert.deepEqual([await roomExists(ra.instance, ra.room), await roomExists(rb.instance, ra.room)], [true, false]);
    assert.deepEqual([await roomExists(rb.instance, rb.room), await roomExists(ra.instance, rb.room)], [true, false]);
    // Starting lives are in nobody's tray; on air, first, newest live first (Bob's went on air last).
    assert.deepEqual((await carl.c.get('/api/v1/stories')).body.tray.map((e) => e.live), [null]);
    await onAir(ann, a);
    await onAir(bob, b);
    tray = (await carl.c.get('/api/v1/stories')).body.tray;
    assert.deepEqual(tray.map((e) => [e.pet.id, e.live?.id, e.stories.length]), [[bob.pet, b, 1], [ann.pet, a, 0]]);
    assert.equal(tray[1].owner.id, ann.id);
    assert.equal(tray[0].live.viewers, 0);
    // The broadcaster sees their own (Bob's story too, but not his live: she follows neither him nor his pet);
    // someone following neither sees no live; a person in a block none of hers.
    const lives = async (p) => (await p.c.get('/api/v1/stories')).body.tray.map((e) => e.live?.id ?? null);
    assert.deepEqual(await lives(ann), [a, null]);
    assert.deepEqual(await lives(gus), [null]);
    assert.equal((await fay.c.put(`/api/v1/users/${bob.id}/follow`)).status, 200);
    assert.deepEqual(await lives(fay), [b]);

    // The moderators: the list of lives not ended; a moderator ends Bob's (no replay), audited.
    for (const m of [mod, admin]) {
      const list = await m.c.get('/api/v1/admin/lives');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.lives.map((l) => l.id).sort(), [a, b].sort());
    }
    const end = await mod.c.post(`/api/v1/admin/lives/${b}/end`, {});
    assert.equal(end.status, 200, JSON.stringify(end.body));
    assert.deepEqual([end.body.state, end.body.end_reason, end.body.replay], ['ended', 'moderator', null]);
    assert.equal(await roomExists(rb.instance, rb.room), false);
    assertError(await admin.c.post(`/api/v1/admin/lives/${b}/end`, {}), 409, 'live_ended');
    assertError(await admin.c.post('/api/v1/admin/lives/live_999999/end', {}), 404, 'not_found');
    assert.equal(dbQuery(server, `SELECT action, target_kind, target_id, detail FROM audit_log WHERE action = 'live.end'`),
      `live.end|live|${num(b)}|{"person":"${bob.id}"}`);
    assert.deepEqual(await lives(carl), [a, null]);
    // A new live goes to the instance with fewer lives: Bob's, free again.
    const c2 = (await goLive(carl)).live.id;
    assert.equal(liveRow(server, c2).instance, rb.instance);
    assert.equal((await carl.c.post(`${LIVES}/${c2}/end`, { keep: false })).status, 200);
    assert.equal((await ann.c.post(`${LIVES}/${a}/end`, { keep: false })).status, 200);
    await stopPublishers();
  });

  test('a replay is a reel of its own kind: GET /reels and the Live carry it (replay: {live, duration_ms})', async () => {
    // The replay worker (lane lrec) writes such a reel; here it is written straight into the tables.
    const lv = dbQuery(server, `SELECT id FROM lives WHERE user_id = ${num(ann.id)} AND keep = 1 ORDER BY id LIMIT 1`);
    assert.ok(lv, 'the live Ann kept above');
    const hash = dbQuery(server, 'SELECT hash FROM media ORDER BY hash LIMIT 1');
    const reel = dbQuery(server, `INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at, kind, duration_ms, live_id)
      VALUES (${num(ann.id)}, ${num(ann.pet)}, '${hash}', '${hash}', 'Walk', 1, 'replay', 600000, ${lv}) RETURNING id`)
      .split('\n')[0]; // psql adds its "INSERT 0 1" after the row
    dbQuery(server, `UPDATE lives SET replay_state = 'ready', reel_id = ${reel} WHERE id = ${lv}`);
    const got = (await carl.c.get(`${LIVES}/live_${lv}`)).body;
    assert.equal(got.replay.state, 'ready');
    assert.equal(got.replay.reel.id, `r_${reel}`);
    assert.deepEqual(got.replay.reel.replay, { live: `live_${lv}`, duration_ms: 600000 });
    const reels = (await carl.c.get('/api/v1/reels')).body.reels;
    assert.deepEqual(reels.find((r) => r.id === `r_${reel}`).replay, { live: `live_${lv}`, duration_ms: 600000 });
    // A moderator hides it: the Live names no reel to others, its author still sees it.
    dbQuery(server, `UPDATE reels SET mod_state = 1 WHERE id = ${reel}`);
    assert.equal((await carl.c.get(`${LIVES}/live_${lv}`)).body.replay.reel, null);
    assert.equal((await ann.c.get(`${LIVES}/live_${lv}`)).body.replay.reel.moderation, 'hidden');
    dbQuery(server, `DELETE FROM reels WHERE id = ${reel}`);
    assert.deepEqual((await carl.c.get(`${LIVES}/live_${lv}`)).body.replay, { state: 'ready', reel: null });
  });

  test(`PA_LIVE_STARTS_PER_HOUR: ${STARTS_PER_HOUR} starts an hour a person, the next refused (refusals not counted)`, async () => {
    for (let i = 0; i < STARTS_PER_HOUR; i++) {
      if (i === 3) {
        // A refused start (another's pet, a live already on) costs nothing.
        assertError(await erin.c.post(LIVES, { pet_id: ann.pet }), 404, 'not_found');
      }
      const { live } = await goLive(erin);
      if (i === 5) assertError(await erin.c.post(LIVES, { pet_id: erin.pet }), 409, 'live_active');
      assert.equal((await erin.c.post(`${LIVES}/${live.id}/end`, { keep: false })).status, 200);
    }
    const r = await erin.c.post(LIVES, { pet_id: erin.pet });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) >= 1);
    // Others are not held back by her budget.
    const { live } = await goLive(dana);
    assert.equal((await dana.c.post(`${LIVES}/${live.id}/end`, { keep: false })).status, 200);
  });

  test(`the watchdog: no publisher for PA_LIVE_LOST_S (${LOST_S} s) ends a live (lost), PA_LIVE_MAX_S (${MAX_S} s) ends one (max)`, async () => {
    const lost = (await goLive(ann)).live.id;
    const long = (await goLive(bob)).live.id;
    await onAir(ann, lost);
    await onAir(bob, long);
    // Ann's broadcaster goes away; Bob's keeps publishing.
    const annPublisher = publishers.shift();
    await annPublisher.stop();
    const restart = async (offset) => {
      await stopServer(server);
      server = await startServer({ data: server.dir, seed: false, env: { ...janus.env, PA_TEST_CLOCK_OFFSET: String(offset) } });
    };
    // Not yet: well inside PA_LIVE_LOST_S both stay.
    await restart(LOST_S - 20);
    assert.deepEqual([liveRow(server, lost).state, liveRow(server, long).state], ['live', 'live']);
    await restart(LOST_S + 1);
    const l = liveRow(server, lost);
    const recDir = path.join(janus.recDir, String(l.room));
    const recorded = existsSync(recDir) && readdirSync(recDir).some((f) => f.endsWith('.mjr'));
    assert.deepEqual([l.state, l.reason, l.keep, l.replay === 'none'], ['ended', 'lost', recorded ? 1 : 0, !recorded]);
    assert.equal(await roomExists(l.instance, l.room), false);
    assert.equal(liveRow(server, long).state, 'live', 'a publishing live is seen, not ended');
    await restart(MAX_S + 1);
    const m = liveRow(server, long);
    assert.deepEqual([m.state, m.reason, m.keep], ['ended', 'max', 1]);
    assert.notEqual(m.replay, 'none', 'kept: the replay is built');
    assert.equal(await roomExists(m.instance, m.room), false);
    await stopPublishers();
  });
});

// The version that makes lives (45 when written; found in the source).
const LIVE_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE lives')) + 1;

describe(`the upgrade to schema ${LIVE_VERSION}: lives`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Rex', 'dog', 1);
    INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES
      ('1717171717171717171717171717171717171717171717171717171717171717', 'webm', 64, 64, 10, 1),
      ('1818181818181818181818181818181818181818181818181818181818181818', 'jpg', 64, 64, 10, 1);
    INSERT INTO reels (id, author_id, pet_id, video, poster, caption, created_at) VALUES
      (1, 1, 1, '1717171717171717171717171717171717171717171717171717171717171717', '1818181818181818181818181818181818181818181818181818181818181818', 'old', 2);
    INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'order', '{"step":"paid"}', 2);`;
  // This server has no PA_JANUS: live streaming is off, and says so.
  async function unavailable(server) {
    const c = new Client(server);
    await c.signup(email('nojanus'));
    const pet = await c.post('/api/v1/pets', { name: 'Off', species: 'cat' });
    assertError(await c.post(LIVES, { pet_id: pet.body.id }), 503, 'live_unavailable');
    assertError(await c.post(LIVES, { pet_id: 'pet_999999' }), 404, 'not_found');
  }
  const after45 = `INSERT INTO lives (user_id, pet_id, instance, room, room_secret, feed, created_at) VALUES (1, 1, 'j1', 5, 's', 6, 3);
    INSERT INTO notices (user_id, kind, detail, created_at) VALUES (1, 'live', '{"live":"live_1"}', 3);`;

  test('SQLite: a file one version older gains lives, the reels\' kind (old reels: reel) and the notice kinds, its notices kept; without PA_JANUS 503', async () => {
    assert.ok(LIVE_VERSION > 0, 'a migration makes lives');
    const { tmp, data, sql, migrations: m } = await oldDatabase('live', LIVE_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, kind, duration_ms, live_id FROM reels'), '1 reel');
      assert.equal(sql('SELECT id, user_id, kind, detail FROM notices'), '1 1 order {"step":"paid"}');
      sql(after45);
      assert.equal(sql('SELECT count(*) FROM notices'), '2');
      assert.equal(sql("SELECT name FROM sqlite_master WHERE name = 'push_notice'"), 'push_notice', 'the trigger made again');
      assert.equal(sql('SELECT state, replay_state, keep FROM lives'), 'starting none 0');
      await unavailable(server);
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-live-pg-'));
    const pg = await createDatabase('pa_live_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, LIVE_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${LIVE_VERSION - 1};
        ${rows}
        SELECT setval(pg_get_serial_sequence('pets', 'id'), 100);
        SELECT setval(pg_get_serial_sequence('users', 'id'), 100);`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT kind, duration_ms, live_id FROM reels'), [{ kind: 'reel', duration_ms: null, live_id: null }]);
        await runSql(pg.url, after45);
        assert.deepEqual(await query(pg.url, 'SELECT kind FROM notices ORDER BY id'), [{ kind: 'order' }, { kind: 'live' }]);
        assert.deepEqual(await query(pg.url, 'SELECT state, replay_state, keep FROM lives'), [{ state: 'starting', replay_state: 'none', keep: '0' }]);
        await unavailable(server);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
