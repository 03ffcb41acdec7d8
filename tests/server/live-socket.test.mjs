// Live frames over the chat socket (issue 24, contract §3; web/README.md "Live"): joining a
// live (the broadcaster while it is starting, viewers once it is on air), the viewer count
// (distinct people, the broadcaster not counted), comments with the nonce back to the sending
// socket only, hearts, a comment's removal, a block and the end reaching every joined socket,
// the per-person limits at their edges, the text rules, and the socket's other frames still
// working. Lives exist only through POST /lives, which needs Janus: one real Janus for the file
// (tests/lib/janus.mjs), and a publisher without a browser (remotePublisher) so that on-air
// finds the feed publishing. Everything over real sockets, on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connect } from './socket.mjs';
import { startJanus, remotePublisher } from '../lib/janus.mjs';
import { Client, assertError, chatBundle, dbQuery, email, startServer, stopServer } from './helpers.mjs';

const PASSWORD = 'correct horse battery';
const COMMENT_MAX = 300; // PA_LIVE_COMMENT_MAX
const NONCE_MAX = 64; // PA_LIVE_NONCE_MAX (live_frame.h)
const COMMENTS_PER_MIN = 10; // PA_LIVE_COMMENTS_PER_MIN
const HEARTS_PER_10S = 30; // PA_LIVE_HEARTS_PER_10S

const num = (id) => Number(id.split('_')[1]);
const frame = (ws, f) => ws.send(JSON.stringify(f));

/** A signed-up person with a pet: their client, user id and pet id. */
async function person(server, tag) {
  const c = new Client(server);
  const user = await c.signup(email(tag), PASSWORD, `${tag[0].toUpperCase()}${tag.slice(1)}`);
  const pet = await c.post('/api/v1/pets', { name: `${tag}'s dog`, species: 'dog' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));
  return { c, id: user.id, pet: pet.body.id };
}

describe('live frames over the chat socket', () => {
  let janus, server, ann, bob, cat, dan, eve, fay, gus;
  let live, publisher;
  const sockets = [];
  const open = async (who, q = '') => {
    const ws = await connect(server, who.c, q);
    sockets.push(ws);
    return ws;
  };
  const join = async (ws, id = live) => {
    frame(ws, { type: 'live.join', live: id });
    return ws.next('live.joined', (f) => f.live.id === id);
  };
  const error = (ws, code) => ws.next('error', (f) => f.code === code);

  before(async () => {
    janus = await startJanus({ instances: 1 });
    server = await startServer({ seed: false, env: janus.env });
    [ann, bob, cat, dan, eve, fay, gus] = await Promise.all(
      ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus'].map((t) => person(server, t)));
    // eve is blocked by the broadcaster: the live does not exist for her.
    assert.equal((await ann.c.put(`/api/v1/users/${eve.id}/block`)).status < 300, true);
    const r = await ann.c.post('/api/v1/lives', { pet_id: ann.pet, title: 'Rex at the beach' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    live = r.body.live.id;
  });
  after(async () => {
    await closeAll(...sockets);
    await publisher?.stop();
    await stopServer(server, { keepData: false });
    await janus?.stop();
  });

  test('a starting live: the broadcaster joins (not counted); viewers are refused until it is on air', async () => {
    const annWs = await open(ann);
    const joined = await join(annWs);
    assert.equal(joined.live.state, 'starting');
    assert.deepEqual(joined.comments, []);
    assert.equal((await annWs.next('live.viewers')).viewers, 0, 'the broadcaster is never counted');
    const bobWs = await open(bob);
    frame(bobWs, { type: 'live.join', live });
    assert.equal((await error(bobWs, 'live_not_started')).live, live);
    const eveWs = await open(eve);
    frame(eveWs, { type: 'live.join', live });
    assert.equal((await error(eveWs, 'not_found')).live, live, 'blocked by the broadcaster: no such live');
    frame(bobWs, { type: 'live.join', live: 'live_999999' });
    assert.equal((await error(bobWs, 'not_found')).live, 'live_999999');
    frame(bobWs, { type: 'live.join', live: 'nope' });
    await error(bobWs, 'bad_request');

    // On air: a publisher without a browser publishes with the live's feed, then on-air.
    const [room, secret, feed] = dbQuery(server, `SELECT room, room_secret, feed FROM lives WHERE id = ${num(live)}`).split('|');
    publisher = await remotePublisher({ instance: janus.instances[0], secret: janus.secret, room: Number(room), roomSecret: secret, feed: Number(feed) });
    // As the broadcaster's client does: on-air again while Janus does not list the feed yet
    // (409 not_publishing); a remote publisher is usually listed at once.
    let on;
    for (let i = 0; i < 20; i++) {
      on = await ann.c.post(`/api/v1/lives/${live}/on-air`, { feed: Number(feed) });
      if (on.status !== 409) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.state, 'live');
    assert.equal((await join(bobWs)).live.state, 'live');
  });

  test('viewers: distinct people (two sockets of one person count once), sent on every change', async () => {
    const annWs = sockets[0];
    const bobWs = sockets[1];
    assert.equal((await annWs.next('live.viewers')).viewers, 1, 'bob joined');
    const bobWs2 = await open(bob);
    await join(bobWs2);
    assert.equal((await annWs.next('live.viewers')).viewers, 1, "bob's second socket: still one person");
    const catWs = await open(cat);
    const joined = await join(catWs);
    assert.equal(joined.live.viewers, 2);
    assert.equal((await annWs.next('live.viewers')).viewers, 2);
    assert.equal((await ann.c.get(`/api/v1/lives/${live}`)).body.viewers, 2);
    frame(catWs, { type: 'live.leave', live });
    assert.equal((await annWs.next('live.viewers')).viewers, 1);
    frame(catWs, { type: 'live.leave', live });
    assert.equal((await error(catWs, 'not_joined')).live, live);
    await closeAll(bobWs2);
    assert.equal((await annWs.next('live.viewers')).viewers, 1, 'a closed socket leaves; bob is still there');
    await join(catWs);
    assert.equal((await annWs.next('live.viewers')).viewers, 2);
    assert.equal((await bobWs.next('live.viewers', (f) => f.viewers === 2)).live, live);
    assert.ok(Number(dbQuery(server, `SELECT viewers_peak FROM lives WHERE id = ${num(live)}`)) >= 2);
  });

  test('a comment reaches everyone joined, its nonce only the sending socket; hearts count for all', async () => {
    const [annWs, bobWs] = sockets;
    const catWs = sockets.find((s) => s.hello.user === cat.id);
    frame(bobWs, { type: 'live.comment', live, text: '  Hello Rex!  ', nonce: 'n-1' });
    const mine = await bobWs.next('live.comment');
    assert.equal(mine.nonce, 'n-1');
    assert.equal(mine.comment.text, 'Hello Rex!', 'trimmed');
    assert.equal(mine.comment.author.id, bob.id);
    assert.match(mine.comment.id, /^lc_\d+$/);
    for (const ws of [annWs, catWs]) {
      const f = await ws.next('live.comment');
      assert.equal(f.comment.id, mine.comment.id);
      assert.equal('nonce' in f, false, 'the nonce is for the sender only');
    }
    frame(catWs, { type: 'live.heart', live });
    for (const ws of [annWs, bobWs, catWs]) {
      const f = await ws.next('live.hearts');
      assert.deepEqual([f.hearts, f.from], [1, cat.id]);
    }
    // A late joiner gets the recent comments, oldest first.
    const gusWs = await open(gus);
    const joined = await join(gusWs);
    assert.deepEqual(joined.comments.map((c) => c.id), [mine.comment.id]);
    assert.equal(joined.live.hearts, 1);
  });

  test('comment text: 300 characters pass and 301 do not; empty, control characters and long nonces are refused', async () => {
    const catWs = sockets.find((s) => s.hello.user === cat.id);
    frame(catWs, { type: 'live.comment', live, text: 'é'.repeat(COMMENT_MAX), nonce: 'n'.repeat(NONCE_MAX) });
    const ok = await catWs.next('live.comment', (f) => f.nonce);
    assert.equal([...ok.comment.text].length, COMMENT_MAX);
    frame(catWs, { type: 'live.comment', live, text: 'a'.repeat(COMMENT_MAX + 1) });
    assert.equal((await error(catWs, 'too_long')).live, live);
    for (const text of ['   ', 'bell\u0007', 'nul\u0000x', 'c1\u0085', '']) {
      frame(catWs, { type: 'live.comment', live, text });
      await error(catWs, 'bad_request');
    }
    frame(catWs, { type: 'live.comment', live, text: 'hi', nonce: 'n'.repeat(NONCE_MAX + 1) });
    await error(catWs, 'bad_request');
    frame(catWs, { type: 'live.comment', live, text: 'hi', extra: 1 });
    await error(catWs, 'bad_request');
    const settled = await catWs.settle();
    assert.equal(settled.filter((f) => f.type === 'live.comment' && f.comment.author.id === cat.id).length, 1,
      'only the 300-character comment was posted');
  });

  test('limits per person per live: the 10th comment in a minute passes, the 11th is rate_limited; 30 hearts, then the 31st', async () => {
    const danWs = await open(dan);
    await join(danWs);
    for (let i = 1; i <= COMMENTS_PER_MIN + 1; i++) frame(danWs, { type: 'live.comment', live, text: `comment ${i}`, nonce: `d${i}` });
    for (let i = 1; i <= COMMENTS_PER_MIN; i++) assert.equal((await danWs.next('live.comment', (f) => f.nonce === `d${i}`)).comment.text, `comment ${i}`);
    const limited = await error(danWs, 'rate_limited');
    assert.equal(limited.live, live);
    assert.ok(limited.retry_after >= 1 && limited.retry_after <= 60, JSON.stringify(limited));
    // The limit is the person's, not the socket's.
    const danWs2 = await open(dan);
    await join(danWs2);
    frame(danWs2, { type: 'live.comment', live, text: 'from my other tab' });
    await error(danWs2, 'rate_limited');

    const hearts = Number(dbQuery(server, `SELECT hearts FROM lives WHERE id = ${num(live)}`));
    for (let i = 0; i <= HEARTS_PER_10S; i++) frame(danWs, { type: 'live.heart', live });
    const h = await error(danWs, 'rate_limited');
    assert.ok(h.retry_after >= 1 && h.retry_after <= 10, JSON.stringify(h));
    const mine = (await danWs.settle()).filter((f) => f.type === 'live.hearts' && f.from === dan.id);
    assert.equal(mine.length, HEARTS_PER_10S);
    assert.equal(Math.max(...mine.map((f) => f.hearts)), hearts + HEARTS_PER_10S);
    assert.equal(Number(dbQuery(server, `SELECT hearts FROM lives WHERE id = ${num(live)}`)), hearts + HEARTS_PER_10S);
    await closeAll(danWs2);
  });

  test("not joined: refused; the broadcaster removes a comment (told to all); another live's comment is not_found", async () => {
    const [annWs, bobWs] = sockets;
    const fayWs = await open(fay);
    frame(fayWs, { type: 'live.comment', live, text: 'sneaky' });
    assert.equal((await error(fayWs, 'not_joined')).live, live);
    frame(fayWs, { type: 'live.heart', live });
    await error(fayWs, 'not_joined');

    frame(bobWs, { type: 'live.comment', live, text: 'remove me', nonce: 'rm' });
    const c = (await bobWs.next('live.comment', (f) => f.nonce === 'rm')).comment.id;
    assertError(await bob.c.del(`/api/v1/lives/${live}/comments/${c}`), 404, 'not_found');
    assert.equal((await ann.c.del(`/api/v1/lives/${live}/comments/${c}`)).status, 200);
    for (const ws of [annWs, bobWs]) assert.equal((await ws.next('live.comment_removed')).comment, c);
    // fay's own live (starting): her comment there is not one of ann's live.
    const other = await fay.c.post('/api/v1/lives', { pet_id: fay.pet });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const own = await join(fayWs, other.body.live.id);
    assert.equal(own.live.state, 'starting');
    frame(fayWs, { type: 'live.comment', live: other.body.live.id, text: 'mine', nonce: 'f' });
    const theirs = (await fayWs.next('live.comment', (f) => f.nonce === 'f')).comment.id;
    assertError(await ann.c.del(`/api/v1/lives/${live}/comments/${theirs}`), 404, 'not_found');
    // Joining another live leaves the first.
    await join(fayWs);
    await join(fayWs, other.body.live.id);
    frame(fayWs, { type: 'live.heart', live });
    await error(fayWs, 'not_joined');
    assert.equal((await fay.c.post(`/api/v1/lives/${other.body.live.id}/end`, { keep: false })).status, 200);
    await fayWs.next('live.ended');
  });

  test('the socket still carries its other frames: ping, support.* on a device-less one, chat on a device one', async () => {
    const bobWs = sockets[1];
    frame(bobWs, { type: 'ping' });
    await bobWs.next('pong');
    await bob.c.post('/api/v1/support/conversations', { subject: 'Live help', transcript: [{ author: 'person', body: 'Hello' }] });
    await bobWs.next('support.message');
    frame(bobWs, { type: 'send', to: ann.id, id: 'c1', envelopes: [] });
    await error(bobWs, 'bad_request');
    // A socket with a chat device joins lives too.
    const d = await gus.c.post('/api/v1/chat/devices', { bundle: chatBundle() });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const gusChat = await open(gus, `?device=${d.body.id}`);
    assert.equal((await join(gusChat)).live.id, live);
    frame(gusChat, { type: 'live.comment', live, text: 'from my chat socket', nonce: 'g' });
    assert.equal((await gusChat.next('live.comment', (f) => f.nonce === 'g')).comment.author.id, gus.id);
  });

  test('a block: live.blocked to the person, who leaves at once and is refused afterwards', async () => {
    const [annWs, bobWs] = sockets;
    const before = (await ann.c.get(`/api/v1/lives/${live}`)).body.viewers;
    assert.equal((await ann.c.post(`/api/v1/lives/${live}/blocks`, { person: bob.id })).status, 200);
    assert.equal((await bobWs.next('live.blocked')).live, live);
    assert.equal((await annWs.next('live.viewers', (f) => f.viewers === before - 1)).live, live);
    frame(bobWs, { type: 'live.comment', live, text: 'still here?' });
    await error(bobWs, 'not_joined');
    frame(bobWs, { type: 'live.join', live });
    assert.equal((await error(bobWs, 'blocked_from_live')).live, live);
    const bobWs2 = await open(bob);
    frame(bobWs2, { type: 'live.join', live });
    await error(bobWs2, 'blocked_from_live');
  });

  test('the end: live.ended to every joined socket; joining an ended live is refused', async () => {
    const joined = sockets.filter((ws) => ws.all.some((f) => f.type === 'live.joined' && f.live.id === live) &&
      ws.hello.user !== bob.id && ws.hello.user !== fay.id && ws.readyState === 1 &&
      !ws.all.some((f) => f.type === 'error' && f.code === 'blocked_from_live'));
    assert.ok(joined.length >= 4, `${joined.length} sockets joined`);
    assert.equal((await ann.c.post(`/api/v1/lives/${live}/end`, { keep: false })).status, 200);
    for (const ws of joined) {
      const f = await ws.next('live.ended');
      assert.deepEqual([f.live, f.reason, f.replay], [live, 'owner', false]);
    }
    const catWs = sockets.find((s) => s.hello.user === cat.id);
    frame(catWs, { type: 'live.heart', live });
    await error(catWs, 'not_joined');
    frame(catWs, { type: 'live.join', live });
    assert.equal((await error(catWs, 'live_ended')).live, live);
  });
});
