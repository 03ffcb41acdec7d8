// Live streaming's Janus, run by us (web/README.md, "Live: Janus"): two real
// Janus 1.1.2 instances from scripts/janus (tests/lib/janus.mjs);
// `petamigos-server janus check` makes its room round trip on both; the
// tokens the server signs (web/src/janus/) are what Janus itself accepts and
// refuses, tried by a raw WebSocket client on Janus's own API (no token,
// another secret, expired, another room's: VideoRoom's 433); a publisher
// without a browser (remotePublisher) shows as publishing; the server's CSP
// lists both WebSocket origins; PA_JANUS malformed stops the server with the
// reason, at PA_JANUS_MAX_INSTANCES and the name's length at their edges;
// unset leaves live streaming off. Both engines (the server's database is
// not involved beyond starting).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { JanusHttp, janusJoinToken, janusToken, remotePublisher, startJanus } from '../lib/janus.mjs';
import { BIN, startServer, stopServer } from './helpers.mjs';

const run = promisify(execFile);
// web/src/janus/janus.h
const PA_JANUS_MAX_INSTANCES = 8;
const PA_JANUS_NAME_MAX = 16; // with the NUL: 15 characters
// janus_videoroom.c
const VIDEOROOM_UNAUTHORIZED = 433;
const JANUS_UNAUTHORIZED = 403; // janus.c: JANUS_ERROR_UNAUTHORIZED

// Instance k's entry in PA_JANUS on ports nothing listens on (the CSP and the parser's limits).
const inst = (k, name = `j${k}`) => `${name} http://127.0.0.1:${10000 + k}/janus ws://127.0.0.1:${20000 + k}`;
const fake = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => inst(from + i));

/** `petamigos-server janus check` with env over the test's: {code, stdout, stderr}. */
async function janusCheck(env) {
  try {
    const { stdout, stderr } = await run(BIN, ['janus', 'check'], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A raw client of Janus's WebSocket API: request(obj) → the answer to its transaction (events included). */
class JanusWs {
  static async open(url) {
    const c = new JanusWs();
    c.ws = new WebSocket(url, 'janus-protocol');
    c.waiting = new Map();
    c.ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.janus === 'ack') return; // the event with the plugin's answer follows
      const w = c.waiting.get(m.transaction);
      if (w) {
        c.waiting.delete(m.transaction);
        w(m);
      }
    });
    await new Promise((resolve, reject) => {
      c.ws.once('open', resolve);
      c.ws.once('error', reject);
    });
    return c;
  }

  request(obj) {
    const transaction = randomBytes(6).toString('hex');
    return new Promise((resolve) => {
      this.waiting.set(transaction, resolve);
      this.ws.send(JSON.stringify({ ...obj, transaction }));
    });
  }

  close() {
    this.ws.close();
  }
}

describe('janus', () => {
  let janus, server, room;
  const roomSecret = randomBytes(8).toString('hex');

  before(async () => {
    janus = await startJanus({ instances: 2 });
    // The server gets PA_JANUS_MAX_INSTANCES instances: the two real ones first.
    server = await startServer({ env: { ...janus.env, PA_JANUS: [janus.env.PA_JANUS, ...fake(3, PA_JANUS_MAX_INSTANCES)].join(';') } });
    // A room as the server makes it (signed_tokens: a room token is needed to join).
    room = 1 + Math.floor(Math.random() * 2 ** 40);
    const api = await new JanusHttp(janus.instances[0].http, janusToken(janus.secret)).open();
    const made = await api.request({ request: 'create', room, admin_key: janus.adminKey, secret: roomSecret,
      publishers: 1, is_private: true, signed_tokens: true, videocodec: 'vp8', audiocodec: 'opus' });
    await api.close();
    assert.equal(made.videoroom, 'created');
  });

  after(async () => {
    await stopServer(server);
    await janus?.stop();
  });

  test('janus check: info and a room created, listed, destroyed and gone on both instances', async () => {
    const r = await janusCheck(janus.env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ['j1', 'j2']) {
      assert.match(r.stdout, new RegExp(`^${name} info: ok$`, 'm'));
      for (const step of ['create', 'exists \\(0 publishers\\)', 'destroy', 'gone']) {
        assert.match(r.stdout, new RegExp(`^${name} room \\d+ ${step}: ok$`, 'm'));
      }
    }
    assert.match(r.stdout, /^janus check: ok$/m);
  });

  test('janus check fails on a wrong admin key (VideoRoom 433) and a wrong secret (Janus 403)', async () => {
    let r = await janusCheck({ ...janus.env, PA_JANUS_ADMIN_KEY: 'not-the-key' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^j1 room \d+ create: FAILED \(janus refused: videoroom error 433/m);
    r = await janusCheck({ ...janus.env, PA_JANUS_SECRET: 'not-the-secret' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /create: FAILED \(janus refused: janus error 403/);
    assert.match(r.stdout, /^janus check: FAILED$/m);
    r = await janusCheck({ PA_JANUS: '' });
    assert.equal(r.code, 2);
    r = await janusCheck({ PA_JANUS: undefined });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /PA_JANUS is not set/);
  });

  test('Janus takes the room token signed as the server signs it, and refuses the others', async () => {
    const ws = janus.instances[0].ws;
    const now = Math.floor(Date.now() / 1000);
    const good = janusToken(janus.secret, { room, expiresAt: now + 600 });
    const join = janusJoinToken(janus.secret, { room, expiresAt: now + 600 });

    // A viewer with the room's token: session, VideoRoom, joined.
    const c = await JanusWs.open(ws);
    const s = await c.request({ janus: 'create', token: good });
    assert.equal(s.janus, 'success', JSON.stringify(s));
    const h = await c.request({ janus: 'attach', session_id: s.data.id, plugin: 'janus.plugin.videoroom', token: good });
    assert.equal(h.janus, 'success', JSON.stringify(h));
    const ids = { session_id: s.data.id, handle_id: h.data.id, token: good };
    const joined = await c.request({ janus: 'message', ...ids,
      body: { request: 'join', ptype: 'publisher', room, id: 77, token: join } });
    assert.equal(joined.plugindata?.data?.videoroom, 'joined', JSON.stringify(joined));

    // No token, another secret's, an expired one: Janus refuses the session.
    for (const token of [undefined, janusToken('another-secret', { room }),
      janusToken(janus.secret, { room, expiresAt: now - 1 })]) {
      const r = await c.request({ janus: 'create', token });
      assert.equal(r.janus, 'error');
      assert.equal(r.error.code, JANUS_UNAUTHORIZED);
    }
    // A second handle on the session (the first is in the room now).
    const h2 = await c.request({ janus: 'attach', session_id: s.data.id, plugin: 'janus.plugin.videoroom', token: good });
    const ids2 = { ...ids, handle_id: h2.data.id };
    // A session, but a join token of another room, another secret, expired,
    // or the core's token instead of the room's: VideoRoom refuses the join.
    for (const token of [janusJoinToken(janus.secret, { room: room + 1 }), janusJoinToken('another', { room }),
      janusJoinToken(janus.secret, { room, expiresAt: now - 1 }), good]) {
      const r = await c.request({ janus: 'message', ...ids2,
        body: { request: 'join', ptype: 'subscriber', room, streams: [{ feed: 77 }], token } });
      assert.equal(r.plugindata.data.error_code, VIDEOROOM_UNAUTHORIZED, JSON.stringify(r));
    }
    // The right token but none in the join itself: refused too.
    const r = await c.request({ janus: 'message', ...ids2, body: { request: 'join', ptype: 'publisher', room, id: 78 } });
    assert.equal(r.plugindata.data.error_code, VIDEOROOM_UNAUTHORIZED);
    c.close();
  });

  test('remotePublisher: publishing in listparticipants until stopped', async () => {
    const feed = 4242;
    const pub = await remotePublisher({ instance: janus.instances[0], secret: janus.secret, room, roomSecret, feed });
    const api = await new JanusHttp(janus.instances[0].http, janusToken(janus.secret)).open();
    try {
      let list = await api.request({ request: 'listparticipants', room });
      assert.deepEqual(list.participants.filter((p) => p.publisher).map((p) => p.id), [feed]);
      await pub.stop();
      list = await api.request({ request: 'listparticipants', room });
      assert.deepEqual(list.participants.filter((p) => p.id === feed), []);
    } finally {
      await api.close();
    }
  });

  test("the CSP's connect-src lists every instance's WebSocket origin (PA_JANUS_MAX_INSTANCES of them)", async () => {
    const res = await fetch(server.url);
    const origins = [...janus.instances.map((i) => i.ws), ...fake(3, PA_JANUS_MAX_INSTANCES).map((i) => i.split(' ')[2])];
    assert.equal(origins.length, PA_JANUS_MAX_INSTANCES);
    assert.match(res.headers.get('content-security-policy'), new RegExp(`connect-src 'self' ${origins.join(' ')};`));
  });

  test('PA_JANUS malformed stops the server with the reason; limits at their edges; unset is off', async () => {
    const env = { ...janus.env };
    const many = (n) => fake(1, n).join(';');
    // (The most instances: the file's server runs with them.)
    // The longest name: taken (janus check goes past the configuration to Janus, which is not there).
    const longest = await janusCheck({ ...env, PA_JANUS: inst(1, 'a'.repeat(PA_JANUS_NAME_MAX - 1)) });
    assert.equal(longest.code, 1);
    assert.match(longest.stdout, /^a{15} info: FAILED \(janus unreachable/m);
    // One past each, and malformed values: refused, saying why.
    const refused = [
      [many(PA_JANUS_MAX_INSTANCES + 1), /PA_JANUS: more than 8 instances/],
      [inst(1, 'a'.repeat(PA_JANUS_NAME_MAX)), /PA_JANUS: instance 1's name is longer than 15 characters/],
      [`${inst(1)};${inst(2, 'j1')}`, /PA_JANUS: instance 2's name is used twice \(j1\)/],
      ['j1 http://127.0.0.1:1/janus', /PA_JANUS: instance 1 is not "NAME HTTP_URL WS_URL"/],
      ['j1 ftp://127.0.0.1:1/janus ws://127.0.0.1:2', /instance 1's HTTP URL is not an http:\/\/ or https:\/\/ URL/],
    ];
    // The server reads PA_JANUS with the same function as `janus check`
    // (pa_janus_config_from_env): the server is started once on a refused value,
    // the others are tried through the command, which costs no database.
    await assert.rejects(startServer({ env: { ...env, PA_JANUS: refused[0][0] } }), refused[0][1]);
    refused.push([inst(1), /PA_JANUS_REC_DIR is not an absolute path/, { PA_JANUS_REC_DIR: 'rec' }],
      [inst(1), /PA_JANUS_SECRET is not set/, { PA_JANUS_SECRET: '' }]);
    for (const [value, why, more = {}] of refused) {
      const r = await janusCheck({ ...env, PA_JANUS: value, ...more });
      assert.equal(r.code, 2, value);
      assert.match(r.stderr, why);
    }
    // Unset: live off, connect-src 'self' alone.
    const s = await startServer({ env: { PA_JANUS: undefined } });
    const csp = (await fetch(s.url)).headers.get('content-security-policy');
    assert.match(csp, /connect-src 'self';/);
    await stopServer(s);
  });
});
