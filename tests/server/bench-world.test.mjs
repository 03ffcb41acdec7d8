// petamigos-bench-world (web/tools/bench_world.c), the WebSocket benchmark's
// world (scripts/bench-server ws): the accounts it adds are signed in by the
// sessions it prints (CSRF token included), their devices open chat sockets
// that relay, and every device's bundle passes the server's own checks (its
// signed prekey verifies). Its argument limits are tested at their edges.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { BIN, Client, databaseEnv, startServer, stopServer } from './helpers.mjs';

const TOOL = path.join(path.dirname(BIN), 'petamigos-bench-world');
const USERS_MAX = 20000; // BW_USERS_MAX
const DEVICES_MAX = 20; // BW_DEVICES_MAX

function world(env, dir, ...args) {
  const r = spawnSync(TOOL, ['--data', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (r.error) throw new Error(`cannot run ${TOOL}: ${r.error.message}`);
  return { status: r.status, lines: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)), stderr: r.stderr };
}

// A chat socket that resolves with its hello frame and collects the rest.
function socket(server, line, device) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${device}`, {
    headers: { cookie: `pa_session=${line.session}` },
    origin: `http://127.0.0.1:${server.port}`,
  });
  ws.frames = [];
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type === 'hello') resolve({ ws, hello: f });
      else ws.frames.push(f);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function frame(ws, type) {
  for (let i = 0; i < 200; i++) {
    const f = ws.frames.find((x) => x.type === type);
    if (f) return f;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} frame; have ${JSON.stringify(ws.frames)}`);
}

describe('bench world: accounts, sessions and chat devices for the benchmark', () => {
  let tmp, dir, server, first, second;
  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-bench-world-'));
    dir = path.join(tmp, 'data');
    const env = await databaseEnv(dir); // the pass's database: SQLite, or a PostgreSQL one
    first = world(env, dir, '--users', '3', '--devices', '2');
    second = world(env, dir, '--users', '2', '--devices', '1'); // added to the same database
    server = await startServer({ data: dir, seed: false });
  });
  after(async () => {
    await stopServer(server);
    rmSync(tmp, { recursive: true, force: true });
  });

  test('one JSON line per account; a second run adds distinct accounts and devices', () => {
    assert.equal(first.status, 0, first.stderr);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(first.lines.length, 3);
    assert.equal(second.lines.length, 2);
    const all = [...first.lines, ...second.lines];
    for (const l of all) {
      assert.deepEqual(Object.keys(l), ['user', 'session', 'csrf', 'devices']);
      assert.match(l.user, /^u_\d+$/);
      assert.match(l.session, /^[A-Za-z0-9_-]{43}$/);
      assert.match(l.csrf, /^[A-Za-z0-9_-]{43}$/);
      for (const d of l.devices) assert.match(d, /^d_\d+$/);
    }
    assert.equal(new Set(all.map((l) => l.user)).size, 5);
    assert.equal(new Set(all.flatMap((l) => l.devices)).size, 3 * 2 + 2);
  });

  test('the printed session signs in, with its CSRF token, and lists the devices', async () => {
    for (const l of [...first.lines, ...second.lines]) {
      const c = new Client(server);
      c.cookie = l.session;
      const s = await c.get('/api/v1/auth/session');
      assert.equal(s.status, 200);
      assert.equal(s.body.user.id, l.user);
      assert.equal(s.body.csrf_token, l.csrf);
      const list = await c.get(`/api/v1/users/${l.user}/chat-devices`);
      assert.deepEqual(list.body.devices.map((d) => d.id), l.devices);
    }
    // Someone else's session is not this account's.
    const c = new Client(server);
    c.cookie = first.lines[0].session;
    c.csrf = first.lines[1].csrf;
    const wrong = await c.post(`/api/v1/chat/devices/${first.lines[1].devices[0]}/bundle`, {});
    assert.equal(wrong.status, 403);
  });

  test('each device bundle passes the server checks: taken by one, republished by its owner', async () => {
    const [a, b] = first.lines;
    const taker = new Client(server);
    taker.cookie = a.session;
    taker.csrf = a.csrf;
    const owner = new Client(server);
    owner.cookie = b.session;
    owner.csrf = b.csrf;
    for (const d of b.devices) {
      const taken = await taker.post(`/api/v1/chat/devices/${d}/bundle`, {});
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.equal(taken.body.user, b.user);
      // PUT verifies the signed prekey's signature against the identity key.
      const again = await owner.put(`/api/v1/chat/devices/${d}/prekeys`, { bundle: taken.body.bundle });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, { id: d, prekeys: 0, spk_id: 1 });
    }
  });

  test('devices open chat sockets and relay a message to another account', async () => {
    const [a] = first.lines;
    const b = second.lines[1];
    const sa = await socket(server, a, a.devices[1]);
    const sb = await socket(server, b, b.devices[0]);
    try {
      assert.deepEqual([sa.hello.user, sa.hello.device], [a.user, a.devices[1]]);
      assert.deepEqual([sb.hello.user, sb.hello.device], [b.user, b.devices[0]]);
      sa.ws.send(JSON.stringify({ type: 'send', id: 'bw-1', to: b.user, envelopes: [{ device: b.devices[0], body: 'AAECAw==' }] }));
      assert.equal((await frame(sa.ws, 'sent')).id, 'bw-1');
      const msg = await frame(sb.ws, 'msg');
      assert.deepEqual([msg.cid, msg.from, msg.from_device, msg.body], ['bw-1', a.user, a.devices[1], 'AAECAw==']);
      sb.ws.send(JSON.stringify({ type: 'ack', ids: [msg.id] }));
      assert.equal((await frame(sa.ws, 'delivered')).cid, 'bw-1');
    } finally {
      sa.ws.close();
      sb.ws.close();
    }
  });
});

describe('bench world: argument limits', () => {
  let tmp;
  before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-bench-world-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test(`devices: ${DEVICES_MAX} per account accepted, ${DEVICES_MAX + 1} and 0 refused`, () => {
    const ok = world({}, path.join(tmp, 'd'), '--users', '1', '--devices', String(DEVICES_MAX));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.lines[0].devices.length, DEVICES_MAX);
    for (const n of [DEVICES_MAX + 1, 0, -1]) {
      const r = world({}, path.join(tmp, 'd'), '--users', '1', '--devices', String(n));
      assert.equal(r.status, 2, `--devices ${n}`);
      assert.equal(r.lines.length, 0);
      assert.match(r.stderr, /^usage:/);
    }
  });

  test(`users: ${USERS_MAX} accepted, ${USERS_MAX + 1} and 0 refused`, () => {
    const ok = world({}, path.join(tmp, 'u'), '--users', String(USERS_MAX), '--devices', '1');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.lines.length, USERS_MAX);
    for (const n of [USERS_MAX + 1, 0, '12x']) {
      const r = world({}, path.join(tmp, 'u2'), '--users', String(n), '--devices', '1');
      assert.equal(r.status, 2, `--users ${n}`);
      assert.equal(r.lines.length, 0);
    }
  });

  test('--data, --users and --devices are all required; unknown options refused', () => {
    for (const args of [['--users', '1', '--devices', '1'], ['--data', tmp, '--devices', '1'],
      ['--data', tmp, '--users', '1'], ['--data', tmp, '--users', '1', '--devices', '1', '--seed'],
      ['--data', tmp, '--users', '1', '--devices', '1', '--force', 'yes']]) {
      const r = spawnSync(TOOL, args, { encoding: 'utf8' });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});
