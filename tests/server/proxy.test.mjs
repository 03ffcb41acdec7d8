// The PROXY protocol v2 (issue 25): a load balancer in front names each
// client in a binary header before its HTTP. With PA_PROXY_FROM=127.0.0.1,
// raw sockets from 127.0.0.1 play HAProxy: the header's client is the one
// the server sees (the sessions list's network, the per-address connection
// cap); a listed address that sends no header, or a broken one, is closed;
// a header from any other address is garbage HTTP (400) and names nobody;
// a header may arrive in pieces; LOCAL (HAProxy's health checks) keeps the
// proxy's own address. A bad PA_PROXY_FROM stops the server. Deadlines are
// lowered through the environment; no assertion is about time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, Client, email, startServer, stopServer } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Mirrors of web/src/net/net.h and net/proxy.h (checked against the headers below).
const PA_NET_CONNS_PER_ADDR = 256;
const PA_PROXY_FROM_MAX = 16;
const PA_PROXY_HEADER_MAX = 16 + 512;

async function constant(file, name) {
  const m = new RegExp(`${name}\\s*=\\s*([^,/]+)`).exec(await readFile(path.join(repo, file), 'utf8'));
  return Function(`return (${m[1]})`)();
}

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

// A PROXY v2 header as HAProxy's send-proxy-v2 writes it: PROXY over TCP
// from src (IPv4 or IPv6) to the server, or LOCAL with no addresses.
function v2(src, { local = false, version = 2, tlvs = Buffer.alloc(0) } = {}) {
  if (local) return Buffer.concat([SIG, Buffer.from([version << 4, 0x00, 0, tlvs.length]), tlvs]);
  const six = net.isIPv6(src);
  const addr = (a) => (six ? ip6(a) : Buffer.from(a.split('.').map(Number)));
  const ports = Buffer.from([0xc7, 0x38, 0x1f, 0x90]);
  const body = Buffer.concat([addr(src), addr(six ? '::1' : '127.0.0.1'), ports, tlvs]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([SIG, Buffer.from([version << 4 | 1, six ? 0x21 : 0x11]), len, body]);
}

function ip6(text) {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

// A raw TCP connection from localAddress; `ended` resolves with all the server sent.
function raw(port, localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    s.got = '';
    s.on('error', () => {}); // a reset after a refusal is an answer too: '' below
    s.on('data', (d) => {
      s.got += d.toString('latin1');
      s.emit('got');
    });
    s.ended = new Promise((r) => s.once('close', () => r(s.got)));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Resolves once the socket has received a whole answer head (or closed).
function answered(s) {
  return new Promise((resolve) => {
    const check = () => {
      if (s.got.includes('\r\n\r\n') || s.destroyed) {
        s.off('got', check);
        s.off('close', check);
        resolve(s.got);
      }
    };
    s.on('got', check);
    s.on('close', check);
    check();
  });
}

const get = (port, target, close = true) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;

function login(port, mail, password) {
  const body = JSON.stringify({ email: mail, password });
  return `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('the PROXY protocol v2 from PA_PROXY_FROM', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { PA_PROXY_FROM: '127.0.0.1, 10.9.0.0/16', PA_NET_HEADER_MS: '1500' } });
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('the constants the test mirrors are the server\'s', async () => {
    assert.equal(await constant('web/src/net/net.h', 'PA_NET_CONNS_PER_ADDR'), PA_NET_CONNS_PER_ADDR);
    assert.equal(await constant('web/src/net/proxy.h', 'PA_PROXY_FROM_MAX'), PA_PROXY_FROM_MAX);
    assert.equal(await constant('web/src/net/proxy.h', 'PA_PROXY_HEADER_MAX'), PA_PROXY_HEADER_MAX);
  });

  test('the header\'s client is the one seen (IPv4, IPv6); LOCAL keeps the proxy\'s own address', async () => {
    const mail = email('proxied');
    const person = new Client(server, { address: '127.0.8.1' }); // its own network: 127.0.8.0/24
    await person.signup(mail, 'correct horse battery', 'Proxied');
    const cases = [[v2('203.0.113.7'), '203.0.113.0/24'], [v2('2001:db8:5::7'), '2001:db8:5::/48'],
      [v2('', { local: true }), '127.0.0.0/24']];
    for (const [header, network] of cases) {
      const s = await raw(server.port, '127.0.0.1');
      s.write(Buffer.concat([header, Buffer.from(login(server.port, mail, 'correct horse battery'))]));
      assert.match(await s.ended, /^HTTP\/1\.1 200 /, network);
    }
    const r = await person.get('/api/v1/auth/sessions');
    assert.equal(r.status, 200);
    const networks = r.body.sessions.map((x) => x.network);
    for (const [, network] of cases) assert.ok(networks.includes(network), `${network} in ${networks}`);
    assert.equal(networks.length, 4, 'the sign-up and the three sign-ins');
  });

  test(`the per-address cap (${PA_NET_CONNS_PER_ADDR}) counts the header's client, not the proxy`, async () => {
    const socks = [];
    // Each connection is counted once its header is read: one answer each proves it was.
    for (let i = 0; i < PA_NET_CONNS_PER_ADDR; i++) {
      const s = await raw(server.port, '127.0.0.1');
      s.write(Buffer.concat([v2('203.0.113.9'), Buffer.from(get(server.port, '/nothing-here', false))]));
      assert.match(await answered(s), /^HTTP\/1\.1 404 /);
      socks.push(s);
    }
    // One more for the same client is closed without an answer.
    const extra = await raw(server.port, '127.0.0.1');
    extra.write(Buffer.concat([v2('203.0.113.9'), Buffer.from(get(server.port, '/nothing-here'))]));
    assert.equal(await extra.ended, '', 'the connection past the cap is closed without an answer');
    // Another client through the same proxy (past 256 connections from it), and a direct one, get in.
    const other = await raw(server.port, '127.0.0.1');
    other.write(Buffer.concat([v2('203.0.113.10'), Buffer.from(get(server.port, '/nothing-here'))]));
    assert.match(await other.ended, /^HTTP\/1\.1 404 /);
    const direct = await raw(server.port, '127.0.9.1');
    direct.write(get(server.port, '/nothing-here'));
    assert.match(await direct.ended, /^HTTP\/1\.1 404 /);
    // One of the client's closes: one more gets in.
    socks[0].destroy();
    await socks[0].ended;
    let served = '';
    for (let i = 0; i < 50 && !served; i++) {
      const again = await raw(server.port, '127.0.0.1');
      again.write(Buffer.concat([v2('203.0.113.9'), Buffer.from(get(server.port, '/nothing-here'))]));
      served = await again.ended;
    }
    assert.match(served, /^HTTP\/1\.1 404 /);
    for (const s of socks) s.destroy();
  });

  test('a listed address without a header, or with a broken one, is closed unanswered', async () => {
    // HTTP straight away.
    const plain = await raw(server.port, '127.0.0.1');
    plain.write(get(server.port, '/nothing-here'));
    assert.equal(await plain.ended, '');
    // Nothing at all, and half a header then nothing: closed at PA_NET_HEADER_MS (lowered to 1.5 s).
    const silent = await raw(server.port, '127.0.0.1');
    const half = await raw(server.port, '127.0.0.1');
    half.write(v2('203.0.113.7').subarray(0, 20));
    // Version 1 in a v2 header; a length past PA_PROXY_HEADER_MAX.
    const old = await raw(server.port, '127.0.0.1');
    old.write(Buffer.concat([v2('203.0.113.7', { version: 1 }), Buffer.from(get(server.port, '/'))]));
    assert.equal(await old.ended, '');
    const long = await raw(server.port, '127.0.0.1');
    long.write(v2('203.0.113.7', { tlvs: Buffer.alloc(PA_PROXY_HEADER_MAX - 16 - 12 + 1) }));
    assert.equal(await long.ended, '');
    // The longest header allowed is read (TLVs skipped).
    const longest = await raw(server.port, '127.0.0.1');
    const tlv = Buffer.alloc(PA_PROXY_HEADER_MAX - 16 - 12);
    tlv.writeUInt8(0x04, 0); // PP2_TYPE_NOOP over the rest
    tlv.writeUInt16BE(tlv.length - 3, 1);
    longest.write(Buffer.concat([v2('203.0.113.7', { tlvs: tlv }), Buffer.from(get(server.port, '/nothing-here'))]));
    assert.match(await longest.ended, /^HTTP\/1\.1 404 /);
    assert.equal(await silent.ended, '');
    assert.equal(await half.ended, '');
  });

  test('a header from an unlisted address is not believed: 400, closed', async () => {
    for (const from of ['127.0.0.2', '127.0.9.3']) {
      const s = await raw(server.port, from);
      s.write(Buffer.concat([v2('203.0.113.7'), Buffer.from(get(server.port, '/nothing-here'))]));
      const got = await s.ended;
      assert.match(got, /^HTTP\/1\.1 400 /, from);
      assert.doesNotMatch(got, /404/);
    }
  });

  test('a header in pieces, and HTTP in the same write as its last bytes', async () => {
    const header = v2('198.51.100.4');
    const s = await raw(server.port, '127.0.0.1');
    for (let i = 0; i < header.length - 3; i++) {
      s.write(header.subarray(i, i + 1));
      await tick(); // each byte its own segment (Nagle off in node)
    }
    s.write(Buffer.concat([header.subarray(header.length - 3), Buffer.from(get(server.port, '/nothing-here', false))]));
    assert.match(await answered(s), /^HTTP\/1\.1 404 /);
    // The connection goes on as HTTP: a second request on it is served.
    s.write(get(server.port, '/nothing-here'));
    assert.match(await s.ended, /^HTTP\/1\.1 404 [\s\S]*HTTP\/1\.1 404 /);
  });
});

describe('PA_PROXY_FROM\'s checks at start', () => {
  test('a bad PA_PROXY_FROM stops the server with the variable named; the longest list starts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-proxy-'));
    try {
      const many = Array.from({ length: PA_PROXY_FROM_MAX + 1 }, (_, i) => `10.0.0.${i + 1}`);
      for (const [value, why] of [['localhost', /not a numeric/], ['10.0.0.1/8', /past its prefix/],
        ['127.0.0.1,', /empty/], ['::/129', /prefix length/], [many.join(','), /PA_PROXY_FROM_MAX/]]) {
        const r = spawnSync(BIN, ['--root', repo, '--data', dir, '--port', '0'], {
          env: { ...process.env, PA_PROXY_FROM: value }, encoding: 'utf8', timeout: 30_000,
        });
        assert.notEqual(r.status, 0, value);
        assert.match(r.stderr, /PA_PROXY_FROM/, value);
        assert.match(r.stderr, why, value);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const many = Array.from({ length: PA_PROXY_FROM_MAX }, (_, i) => `10.0.0.${i + 1}`);
    const s = await startServer({ env: { PA_PROXY_FROM: many.join(', ') } });
    try {
      const c = await raw(s.port, '127.0.9.4'); // not listed: plain HTTP
      c.write(get(s.port, '/nothing-here'));
      assert.match(await c.ended, /^HTTP\/1\.1 404 /);
    } finally {
      await stopServer(s, { keepData: false });
    }
  });
});
