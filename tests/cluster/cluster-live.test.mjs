// Lives across server processes (issue 25, contract §5; web/README.md "Live frames over the
// socket", across processes): two servers on the same data (sameDataAs) and one real Redis,
// a live on air through one real Janus and a publisher without a browser, as in
// live-socket.test.mjs. A viewer on server 2 sees the comments and hearts sent on server 1
// (and the other way), the viewer count is the cluster's on both (frames and the API), the
// limits count across the servers (the 11th comment in a minute and the 31st heart in 10
// seconds are refused on either), a block made on server 1 drops the viewer's socket on
// server 2, a killed server's viewers leave the count once its presence lapses
// (PA_PRESENCE_TTL_S shortened for the test), and the host's end on server 1 ends the live for
// the viewers on server 2. Both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connect } from '../server/socket.mjs';
import { startJanus, remotePublisher } from '../lib/janus.mjs';
import { startRedis } from '../lib/redis.mjs';
import { Client, dbQuery, email, startServer, stopServer } from '../server/helpers.mjs';

const PASSWORD = 'correct horse battery';
const COMMENTS_PER_MIN = 10; // PA_LIVE_COMMENTS_PER_MIN
const HEARTS_PER_10S = 30; // PA_LIVE_HEARTS_PER_10S
const TTL_S = 3; // PA_PRESENCE_TTL_S for these servers (the lowest redis/presence.c takes)

const num = (id) => Number(id.split('_')[1]);
const frame = (ws, f) => ws.send(JSON.stringify(f));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A signed-up person with a pet (on server): their client, user id and pet id. */
async function person(server, tag) {
  const c = new Client(server);
  const user = await c.signup(email(tag), PASSWORD, `${tag[0].toUpperCase()}${tag.slice(1)}`);
  const pet = await c.post('/api/v1/pets', { name: `${tag}'s dog`, species: 'dog' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));
  return { c, id: user.id, pet: pet.body.id };
}

/** who's session, talking to server (the servers share the database, so the session is good on both). */
function on(server, who) {
  const c = new Client(server);
  c.cookie = who.c.cookie;
  c.csrf = who.c.csrf;
  return { ...who, c };
}

describe('lives across two server processes', () => {
  let janus, redis, s1, s2, s3, ann, bob, cat, dan, eve, live, publisher;
  const sockets = [];
  const open = async (server, who) => {
    const ws = await connect(server, who.c);
    sockets.push(ws);
    return ws;
  };
  const join = async (ws) => {
    frame(ws, { type: 'live.join', live });
    return ws.next('live.joined', (f) => f.live.id === live);
  };
  const error = (ws, code) => ws.next('error', (f) => f.code === code);
  /** GET /lives/{live}'s viewers on server, as who. */
  const viewers = async (server, who) => {
    const r = await on(server, who).c.get(`/api/v1/lives/${live}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.viewers;
  };
  /** Waits (bounded) until server's API gives n viewers. */
  const viewersBecome = async (server, who, n) => {
    let v;
    for (let i = 0; i < 100; i++) {
      if ((v = await viewers(server, who)) === n) return;
      await sleep(200);
    }
    assert.fail(`viewers stayed ${v}, not ${n}`);
  };

  before(async () => {
    [janus, redis] = await Promise.all([startJanus({ instances: 1 }), startRedis()]);
    // The cluster's buckets keep their bursts; their windows are stretched so that nothing
    // refills while a test runs (each process's own windows are not: they are live-socket's).
    const env = { ...janus.env, PA_REDIS_URL: redis.url, PA_PRESENCE_TTL_S: String(TTL_S),
      PA_LIMIT_LIVE_COMMENT_WINDOW: '3600', PA_LIMIT_LIVE_HEART_WINDOW: '3600' };
    s1 = await startServer({ seed: false, env });
    // s3 is killed in its test (started here, beside s2, to save a start).
    [s2, s3] = await Promise.all([1, 2].map(() => startServer({ seed: false, env, sameDataAs: s1 })));
    [ann, bob, cat, dan, eve] = await Promise.all(['ann', 'bob', 'cat', 'dan', 'eve'].map((t) => person(s1, t)));
    const r = await ann.c.post('/api/v1/lives', { pet_id: ann.pet, title: 'Rex in two places' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    live = r.body.live.id;
    const [room, secret, feed] = dbQuery(s1, `SELECT room, room_secret, feed FROM lives WHERE id = ${num(live)}`).split('|');
    publisher = await remotePublisher({ instance: janus.instances[0], secret: janus.secret, room: Number(room), roomSecret: secret, feed: Number(feed) });
    let onAir;
    for (let i = 0; i < 20; i++) {
      onAir = await ann.c.post(`/api/v1/lives/${live}/on-air`, { feed: Number(feed) });
      if (onAir.status !== 409) break;
      await sleep(250);
    }
    assert.equal(onAir.status, 200, JSON.stringify(onAir.body));
  });
  after(async () => {
    await closeAll(...sockets);
    await publisher?.stop();
    if (s3 && !s3.exit) await stopServer(s3); // its test failed before the kill
    await stopServer(s2, { keepData: false });
    await stopServer(s1, { keepData: false });
    await Promise.all([janus?.stop(), redis?.stop()]);
  });

  test('a viewer on server 2 sees comments and hearts sent on server 1 and the other way; the count is 2 on both', async () => {
    const annWs = await open(s1, ann);
    await join(annWs);
    const bobWs = await open(s1, bob);
    await join(bobWs);
    const catWs = await open(s2, on(s2, cat));
    const joined = await join(catWs);
    assert.equal(joined.live.viewers, 2, 'bob on server 1 and cat on server 2');
    for (const ws of [annWs, bobWs, catWs]) await ws.next('live.viewers', (f) => f.viewers === 2);
    assert.equal(await viewers(s1, ann), 2);
    assert.equal(await viewers(s2, ann), 2);

    frame(bobWs, { type: 'live.comment', live, text: 'Hello from one', nonce: 'b1' });
    const mine = await bobWs.next('live.comment', (f) => f.nonce === 'b1');
    const there = await catWs.next('live.comment', (f) => f.comment.id === mine.comment.id);
    assert.equal(there.comment.text, 'Hello from one');
    assert.equal('nonce' in there, false, 'the nonce is for the sending socket only');
    frame(bobWs, { type: 'live.heart', live });
    assert.deepEqual([(await catWs.next('live.hearts')).from, (await annWs.next('live.hearts')).from], [bob.id, bob.id]);

    frame(catWs, { type: 'live.comment', live, text: 'And back from two', nonce: 'c1' });
    const back = await catWs.next('live.comment', (f) => f.nonce === 'c1');
    for (const ws of [annWs, bobWs]) assert.equal((await ws.next('live.comment', (f) => f.comment.id === back.comment.id)).comment.author.id, cat.id);
    // Every frame reaches each socket once: the bus reaches only the other process.
    for (const ws of [annWs, bobWs, catWs]) {
      const ids = (await ws.settle()).filter((f) => f.type === 'live.comment').map((f) => f.comment.id);
      assert.deepEqual(ids, [mine.comment.id, back.comment.id]);
    }
  });

  test('the limits count across servers: the 11th comment in a minute and the 31st heart are refused on either', async () => {
    const d1 = await open(s1, dan);
    await join(d1);
    const d2 = await open(s2, on(s2, dan));
    await join(d2);
    try {
      const half = COMMENTS_PER_MIN / 2;
      for (let i = 1; i <= COMMENTS_PER_MIN; i++) {
        const ws = i <= half ? d1 : d2;
        frame(ws, { type: 'live.comment', live, text: `comment ${i}`, nonce: `d${i}` });
        assert.equal((await ws.next('live.comment', (f) => f.nonce === `d${i}`)).comment.text, `comment ${i}`);
      }
      for (const ws of [d1, d2]) {
        frame(ws, { type: 'live.comment', live, text: 'one too many' });
        // retry_after is the stretched bucket's (the window above), not a minute's.
        const limited = await error(ws, 'rate_limited');
        assert.ok(limited.retry_after >= 1, JSON.stringify(limited));
      }
      assert.equal(Number(dbQuery(s1, `SELECT count(*) FROM live_comments WHERE live_id = ${num(live)} AND text = 'one too many'`)), 0);

      const hearts = Number(dbQuery(s1, `SELECT hearts FROM lives WHERE id = ${num(live)}`));
      for (const ws of [d1, d2]) {
        for (let i = 0; i < HEARTS_PER_10S / 2; i++) frame(ws, { type: 'live.heart', live });
        await ws.next('live.hearts', (f) => f.from === dan.id && f.hearts === hearts + HEARTS_PER_10S / 2 * (ws === d1 ? 1 : 2));
      }
      for (const ws of [d1, d2]) {
        frame(ws, { type: 'live.heart', live });
        const limited = await error(ws, 'rate_limited');
        assert.ok(limited.retry_after >= 1, JSON.stringify(limited));
      }
      assert.equal(Number(dbQuery(s1, `SELECT hearts FROM lives WHERE id = ${num(live)}`)), hearts + HEARTS_PER_10S);
    } finally {
      await closeAll(d1, d2); // the later tests count without dan
    }
  });

  test("a block made on server 1 drops the person's socket on server 2", async () => {
    const eveWs = await open(s2, on(s2, eve));
    await join(eveWs);
    await viewersBecome(s1, ann, 3);
    assert.equal((await ann.c.post(`/api/v1/lives/${live}/blocks`, { person: eve.id })).status, 200);
    assert.equal((await eveWs.next('live.blocked')).live, live);
    // Server 2 drops her socket (its count goes down first, then it tells everyone).
    await viewersBecome(s1, ann, 2);
    // Dropped on server 2 itself (else the store's check would answer blocked_from_live).
    frame(eveWs, { type: 'live.heart', live });
    await error(eveWs, 'not_joined');
    frame(eveWs, { type: 'live.join', live });
    await error(eveWs, 'blocked_from_live');
  });

  test("a killed server's viewers leave the count once its presence lapses", async () => {
    const danWs = await connect(s3, on(s3, dan).c);
    await join(danWs);
    await viewersBecome(s1, ann, 3);
    s3.child.kill('SIGKILL');
    await s3.exited;
    await assert.rejects(stopServer(s3), /SIGKILL/);
    await viewersBecome(s1, ann, 2);
    await viewersBecome(s2, ann, 2);
  });

  test('the host ends the live on server 1: the viewer on server 2 gets live.ended and leaves it', async () => {
    const [annWs, bobWs, catWs] = sockets;
    assert.equal((await ann.c.post(`/api/v1/lives/${live}/end`, { keep: false })).status, 200);
    for (const ws of [annWs, bobWs, catWs]) {
      const f = await ws.next('live.ended');
      assert.deepEqual([f.live, f.reason, f.replay], [live, 'owner', false]);
    }
    // Everyone dropped on both servers (then a frame finds the socket out of the live).
    await viewersBecome(s2, ann, 0);
    frame(catWs, { type: 'live.heart', live });
    await error(catWs, 'not_joined');
  });
});
