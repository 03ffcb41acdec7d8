// End-to-end tests for petamigos-server: spawns the real binary on a fresh
// data directory and talks HTTP to it.
//
//   PA_SERVER_BIN=build/native-debug/web/petamigos-server node --test tests/server/server.test.mjs
//
// The binary defaults to the native-debug (ASan + UBSan) build; any sanitizer
// report on the server's stderr fails the run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResponse } from '../lib/openapi.mjs';
import { migrationsFromSource } from './helpers.mjs';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit, sanitizerReports } from '../lib/exit.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.resolve(
  repoRoot,
  process.env.PA_SERVER_BIN ?? 'build/native-debug/web/petamigos-server',
);
// The demo world's tool (web/demo/), built beside the server: BUILD/web/demo/.
const DEMO_BIN = path.resolve(
  repoRoot,
  process.env.PA_DEMO_BIN ?? path.join(path.dirname(BIN), 'demo', 'petamigos-demo'),
);
// Seeding draws ~70 images and two reels; under ASan on a busy machine that takes a while.
const START_TIMEOUT_MS = 120_000;

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; " +
  "worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'self'";
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
};
const JSON_TYPE = 'application/json; charset=utf-8';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SPECIES = new Set(['cat', 'dog', 'rabbit', 'parrot', 'hamster', 'turtle']);
const MEDIA_URL = /^\/media\/[0-9a-f]{64}\.jpg$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const INDEX_HTML = '<!doctype html><meta charset="utf-8"><title>PetAmigos test</title>\n';
// The demo seeds 30 posts; two of them are its campaigns' ad creatives, which
// are offered as ranking candidates and never listed in a feed (issue 21).
const ORGANIC = 28;

// ---- process management

/** Seeds the small demo world with petamigos-demo (a database with posts is
 * left alone), starts the server; resolves once it printed its listening
 * line. The tool's output heads server.stderr. */
function startServer(root, data) {
  const seeded = spawnSync(DEMO_BIN, ['--data', data, '--size', 'small'], {
    encoding: 'utf8',
    env: { ...process.env },
    timeout: START_TIMEOUT_MS,
  });
  if (seeded.status !== 0)
    return Promise.reject(new Error(`${DEMO_BIN} failed (${seeded.status ?? seeded.error}):\n${seeded.stderr}`));
  const child = spawn(BIN, ['--root', root, '--data', data, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  const server = { child, url: null, stdout: '', stderr: seeded.stdout + seeded.stderr, exit: null };
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      server.exit = { code, signal };
      resolve(server.exit);
    });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (server.stderr += chunk));
  child.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time; stderr:\n${server.stderr}`));
    }, START_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${BIN}: ${err.message} (set PA_SERVER_BIN)`));
    });
    child.stdout.on('data', (chunk) => {
      server.stdout += chunk;
      const m = /^PetAmigos server listening on (http:\/\/127\.0\.0\.1:(\d+)\/)\n/.exec(
        server.stdout,
      );
      if (m && !server.url) {
        clearTimeout(timer);
        server.url = m[1];
        server.port = Number(m[2]);
        resolve(server);
      }
    });
    server.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!server.url)
        reject(new Error(`server exited (${code ?? signal}) before listening:\n${server.stderr}`));
    });
  });
}

/** SIGTERM, then wait; SIGKILL if it hangs. */
async function stopServer(server) {
  if (!server || server.exit) return server?.exit;
  server.stopped = true;
  server.child.kill(STOP_SIGNAL);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_GRACE_MS);
  const exit = await server.exited;
  clearTimeout(timer);
  return exit;
}

function assertNoSanitizerReports(stderr) {
  assert.deepEqual(sanitizerReports(stderr), [], `sanitizer report in stderr:\n${stderr}`);
}

// ---- HTTP helpers

/** fetch, with every /api/ answer checked against web/openapi.yaml. */
async function get(server, pathAndQuery, init) {
  const res = await fetch(new URL(pathAndQuery, server.url), init);
  const p = new URL(pathAndQuery, server.url).pathname;
  if (!p.startsWith('/api/')) return res;
  const method = init?.method ?? 'GET';
  const text = await res.clone().text();
  const body = method === 'HEAD' ? undefined : JSON.parse(text);
  validateResponse(method, p, res.status, body, res.headers.get('content-type'));
  return res;
}

async function getJson(server, pathAndQuery) {
  const res = await get(server, pathAndQuery);
  const body = await res.json();
  return { res, body };
}

function assertSecurityHeaders(res, what) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(res.headers.get(name), value, `${what}: ${name}`);
  }
}

async function assertApiError(res, status, code) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), JSON_TYPE);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assertSecurityHeaders(res, `${status} ${code}`);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  return body;
}

/** Sends bytes as they are (fetch would normalise "..") and parses the reply. */
function rawRequest(port, target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('connect', () =>
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
    );
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0])?.[1]);
      const headers = new Map(
        head.slice(1).map((line) => {
          const i = line.indexOf(':');
          return [line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()];
        }),
      );
      const body = text.slice(split + 4);
      // JSON answers (the API's errors) are held to the contract too.
      if ((headers.get('content-type') ?? '').startsWith('application/json')) {
        try {
          validateResponse(method, target, status, JSON.parse(body), headers.get('content-type'));
        } catch (e) {
          reject(e);
          return;
        }
      }
      resolve({ status, headers, body });
    });
  });
}

/** Width and height from a baseline or progressive JPEG's SOF marker. */
function jpegSize(buf) {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

/** Hashtags as the server should extract them, in caption order, lowercased, unique. */
function expectedTags(caption) {
  const tags = [];
  for (const m of caption.matchAll(/(^|[^A-Za-z0-9_#&])#([A-Za-z0-9_]+)/g)) {
    const t = m[2].toLowerCase();
    if (!/^\d+$/.test(t) && !tags.includes(t)) tags.push(t);
  }
  return tags;
}

const numericId = (id) => Number(id.slice(id.indexOf('_') + 1));

/** Walks every page at the given limit; returns the pages. */
async function walkFeed(server, limit) {
  const pages = [];
  let cursor = null;
  for (let guard = 0; guard < 100; guard++) {
    const q = `/api/v1/feed?limit=${limit}` +
      (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const { res, body } = await getJson(server, q);
    assert.equal(res.status, 200, `page ${pages.length}: ${JSON.stringify(body)}`);
    pages.push(body);
    cursor = body.next_cursor;
    if (cursor === null) return pages;
  }
  throw new Error('feed never ended');
}

// ---- the suite

describe('petamigos-server', () => {
  let tmp, root, data, server;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-server-test-'));
    root = path.join(tmp, 'site');
    data = path.join(tmp, 'data');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), INDEX_HTML);
    await writeFile(path.join(root, 'app.js'), 'export const x = 1;\n');
    await writeFile(path.join(root, 'core.mjs'), 'export default 1;\n');
    await writeFile(path.join(root, 'core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await writeFile(path.join(root, 'app.css'), 'body { margin: 0; }\n');
    await writeFile(path.join(root, 'app.webmanifest'), '{"name":"PetAmigos"}\n');
    await writeFile(path.join(root, 'sub', 'index.html'), INDEX_HTML);
    await writeFile(path.join(root, '.secret'), 'hidden dotfile\n');
    // Outside the root: nothing may reach these.
    await writeFile(path.join(tmp, 'secret.txt'), 'TOP SECRET outside root\n');
    await symlink(path.join(tmp, 'secret.txt'), path.join(root, 'escape.txt'));
    server = await startServer(root, data);
  });

  // However the tests went, the last server must end cleanly (tests/lib/exit.mjs).
  after(async () => {
    try {
      const exit = await stopServer(server);
      if (server) assertCleanExit('petamigos-server', { exit, stderr: server.stderr, stopped: server.stopped });
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  test('prints exactly one listening line on stdout', () => {
    assert.equal(server.stdout, `PetAmigos server listening on ${server.url}\n`);
    assert.match(server.stderr, /seeded 30 demo posts/);
  });

  test('feed: shape and types of every post', async () => {
    const { res, body } = await getJson(server, '/api/v1/feed?limit=50');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), JSON_TYPE);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(body).sort(), ['next_cursor', 'posts']);
    assert.equal(body.next_cursor, null);
    assert.equal(body.posts.length, ORGANIC);

    const ownersWithoutAvatar = new Set();
    for (const p of body.posts) {
      const where = `post ${p.id}`;
      assert.deepEqual(
        Object.keys(p).sort(),
        ['author', 'caption', 'comment_count', 'created_at', 'id', 'images', 'like_count',
          'liked', 'pet', 'sponsored', 'tags'],
        where,
      );
      assert.match(p.id, /^p_\d+$/, where);

      assert.deepEqual(Object.keys(p.author).sort(), ['avatar_url', 'id', 'name', 'plus'], where);
      assert.equal(typeof p.author.plus, 'boolean', where); // the Plus badge (nobody has Plus in the seeded world)
      assert.equal(p.author.plus, false, where);
      assert.match(p.author.id, /^u_\d+$/, where);
      assert.equal(typeof p.author.name, 'string');
      assert.ok(p.author.name.length > 0, where);
      if (p.author.avatar_url === null) ownersWithoutAvatar.add(p.author.id);
      else assert.match(p.author.avatar_url, MEDIA_URL, where);

      assert.deepEqual(Object.keys(p.pet).sort(), ['avatar_url', 'id', 'name', 'species'], where);
      assert.match(p.pet.id, /^pet_\d+$/, where);
      assert.equal(typeof p.pet.name, 'string');
      assert.ok(SPECIES.has(p.pet.species), `${where}: species ${p.pet.species}`);
      assert.match(p.pet.avatar_url, MEDIA_URL, where);

      assert.ok(Array.isArray(p.images) && p.images.length >= 1 && p.images.length <= 3, where);
      for (const im of p.images) {
        assert.deepEqual(Object.keys(im).sort(), ['alt', 'height', 'thumbhash', 'url', 'width'], where);
        assert.match(im.url, MEDIA_URL, where);
        assert.equal(im.width, 640, where);
        assert.ok(im.height === 640 || im.height === 800, where);
        assert.ok(im.alt.startsWith(`Illustration of ${p.pet.name}, a`), `${where}: ${im.alt}`);
        assert.ok(im.alt.includes(p.pet.species), `${where}: ${im.alt}`);
      }

      assert.equal(typeof p.caption, 'string');
      assert.ok(Array.isArray(p.tags) && p.tags.length > 0, where);
      assert.ok(p.tags.every((t) => typeof t === 'string'), where);
      assert.deepEqual(p.tags, expectedTags(p.caption), where);

      for (const k of ['like_count', 'comment_count']) {
        assert.ok(Number.isSafeInteger(p[k]) && p[k] >= 0, `${where}: ${k}`);
      }
      assert.equal(p.liked, false, where);
      assert.match(p.created_at, RFC3339_UTC, where);
      const t = Date.parse(p.created_at);
      assert.ok(t <= Date.now() + 60_000 && t > Date.now() - 14 * 86_400_000, where);
    }
    assert.ok(ownersWithoutAvatar.size >= 1, 'some authors have no avatar (null avatar_url)');

    // Newest first; equal times ordered by id, newest id first.
    for (let i = 1; i < body.posts.length; i++) {
      const a = body.posts[i - 1], b = body.posts[i];
      const ta = Date.parse(a.created_at), tb = Date.parse(b.created_at);
      const newer = ta > tb || (ta === tb && numericId(a.id) > numericId(b.id));
      assert.ok(newer, `${a.id} before ${b.id}`);
    }
    const species = new Set(body.posts.map((p) => p.pet.species));
    assert.deepEqual([...species].sort(), [...SPECIES].sort());
    assert.equal(new Set(body.posts.map((p) => p.pet.id)).size, 10);
    assert.equal(new Set(body.posts.map((p) => p.author.id)).size, 6);
    assert.ok(body.posts.some((p) => p.images.length > 1), 'some posts have several images');
  });

  test('feed: default limit is 20', async () => {
    const { res, body } = await getJson(server, '/api/v1/feed');
    assert.equal(res.status, 200);
    assert.equal(body.posts.length, 20);
    assert.equal(typeof body.next_cursor, 'string');
  });

  test('feed: pagination walks all 28 organic posts once, in order, ending with null', async () => {
    const { body: all } = await getJson(server, '/api/v1/feed?limit=50');
    const allIds = all.posts.map((p) => p.id);
    for (const limit of [1, 7, 10, 27, 28]) {
      const pages = await walkFeed(server, limit);
      const ids = pages.flatMap((pg) => pg.posts.map((p) => p.id));
      assert.equal(new Set(ids).size, ids.length, `limit ${limit}: duplicates`);
      assert.deepEqual(ids, allIds, `limit ${limit}: order`);
      assert.equal(pages.length, Math.ceil(ORGANIC / limit), `limit ${limit}: pages`);
      for (const pg of pages.slice(0, -1)) {
        assert.equal(pg.posts.length, limit);
        assert.match(pg.next_cursor, /^[A-Za-z0-9_-]+$/);
        assert.ok(pg.next_cursor.length <= 512);
      }
      assert.equal(pages.at(-1).next_cursor, null);
    }
  });

  test('feed: a cursor is stable (same page every time)', async () => {
    const { body: first } = await getJson(server, '/api/v1/feed?limit=5');
    const cursor = encodeURIComponent(first.next_cursor);
    const a = await getJson(server, `/api/v1/feed?limit=5&cursor=${cursor}`);
    const b = await getJson(server, `/api/v1/feed?limit=5&cursor=${cursor}`);
    assert.deepEqual(a.body, b.body);
    const six = (await getJson(server, '/api/v1/feed?limit=6')).body;
    assert.equal(a.body.posts[0].id, six.posts[5].id);
  });

  test('feed: bad limit or cursor is 400 with the error shape', async () => {
    for (const limit of ['0', '51', '-1', 'abc', '1.5', '', '1e1', '99999999999999999999', '+5']) {
      const res = await get(server, `/api/v1/feed?limit=${encodeURIComponent(limit)}`);
      await assertApiError(res, 400, 'bad_request');
    }
    const { body } = await getJson(server, '/api/v1/feed?limit=3');
    const good = body.next_cursor;
    const forged = Buffer.from('v1.x.y').toString('base64url');
    const padded = Buffer.from('v1.1795464000.29').toString('base64url') + '==';
    const leadingZero = Buffer.from('v1.01795464000.29').toString('base64url');
    for (const cursor of ['', 'zz', '!!!', forged, padded, leadingZero, good + 'A', good.slice(1),
      'null', 'a'.repeat(600)]) {
      const res = await get(server, `/api/v1/feed?cursor=${encodeURIComponent(cursor)}`);
      await assertApiError(res, 400, 'bad_request');
    }
  });

  test('unknown /api routes are JSON 404s', async () => {
    const res = await get(server, '/api/v1/nope');
    const body = await assertApiError(res, 404, 'not_found');
    assert.equal(body.error.message, 'No route for GET /api/v1/nope');
    for (const p of ['/api', '/api/', '/api/v2/feed', '/api/v1/feed/', '/api/v1/feed/x']) {
      await assertApiError(await get(server, p), 404, 'not_found');
    }
    const del = await get(server, '/api/v1/nope', { method: 'DELETE' });
    const delBody = await assertApiError(del, 404, 'not_found');
    assert.equal(delBody.error.message, 'No route for DELETE /api/v1/nope');
  });

  test('POST /api/v1/feed is 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const body = method === 'DELETE' ? undefined : '{}';
      const res = await get(server, '/api/v1/feed', { method, body });
      await assertApiError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
    }
  });

  test('bad input everywhere gets the one error shape', async () => {
    const signup = (body, headers = { 'content-type': 'application/json' }) =>
      get(server, '/api/v1/auth/signup', { method: 'POST', body, headers });
    await assertApiError(await signup('{"email": "a@b.c",'), 400, 'bad_request');
    await assertApiError(await signup('[1,2]'), 400, 'bad_request');
    await assertApiError(await signup('{} {}'), 400, 'bad_request');
    await assertApiError(await signup(''), 400, 'bad_request');
    await assertApiError(await signup('{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    await assertApiError(await signup('{}', {}), 415, 'unsupported_media_type');
    const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70_000), display_name: 'A' });
    await assertApiError(await signup(big), 413, 'payload_too_large');
    // Wrong methods say what is allowed.
    for (const [method, target, allow] of [
      ['PATCH', '/api/v1/posts/p_1', 'GET, HEAD, DELETE'],
      ['GET', '/api/v1/posts/p_1/like', 'PUT, DELETE'],
      ['GET', '/api/v1/auth/login', 'POST'],
      ['POST', '/api/v1/stories/s_1/seen', 'PUT'],
      ['DELETE', '/api/v1/search', 'GET, HEAD'],
      ['PUT', '/api/v1/pets/pet_1', 'GET, HEAD, PATCH, DELETE'],
    ]) {
      const res = await get(server, target, { method });
      await assertApiError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.get('allow'), allow, `${method} ${target}`);
    }
    // Ids that are not ids are no route at all.
    for (const target of ['/api/v1/posts/1', '/api/v1/posts/p_0', '/api/v1/posts/p_01', '/api/v1/users/pet_1',
      '/api/v1/posts/p_99999999999999999999999', '/api/v1/posts/p_1/likes']) {
      await assertApiError(await get(server, target), 404, 'not_found');
    }
    await assertApiError(await get(server, '/api/v1/posts/p_999999'), 404, 'not_found');
  });

  test('HEAD on the feed sends headers only', async () => {
    const res = await get(server, '/api/v1/feed', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), JSON_TYPE);
    assert.ok(Number(res.headers.get('content-length')) > 100);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  test('every image and avatar is a real, immutable JPEG of the stated size', async () => {
    const { body } = await getJson(server, '/api/v1/feed?limit=50');
    const media = new Map(); // url -> expected size or null
    for (const p of body.posts) {
      for (const im of p.images) media.set(im.url, { width: im.width, height: im.height });
      media.set(p.pet.avatar_url, { width: 160, height: 160 });
      if (p.author.avatar_url) media.set(p.author.avatar_url, { width: 160, height: 160 });
    }
    assert.ok(media.size >= 45, `expected ~49 distinct media files, got ${media.size}`);
    for (const [url, size] of media) {
      const res = await get(server, url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('content-type'), 'image/jpeg', url);
      assert.equal(res.headers.get('cache-control'), IMMUTABLE, url);
      const hash = url.slice('/media/'.length, -'.jpg'.length);
      assert.equal(res.headers.get('etag'), `"${hash}"`, url);
      assertSecurityHeaders(res, url);
      const buf = Buffer.from(await res.arrayBuffer());
      assert.equal(Number(res.headers.get('content-length')), buf.length, url);
      assert.deepEqual([...buf.subarray(0, 3)], [0xff, 0xd8, 0xff], `${url}: JPEG magic`);
      assert.deepEqual([...buf.subarray(-2)], [0xff, 0xd9], `${url}: JPEG end marker`);
      const floor = size.width > 200 ? 15_000 : 3_000;
      assert.ok(buf.length > floor, `${url}: only ${buf.length} bytes`);
      assert.deepEqual(jpegSize(buf), size, url);
    }
  });

  test('media: revalidation, HEAD and bad names', async () => {
    const { body } = await getJson(server, '/api/v1/feed?limit=1');
    const url = body.posts[0].images[0].url;
    const first = await get(server, url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    const again = await get(server, url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assertSecurityHeaders(again, '304');
    const head = await get(server, url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), first.headers.get('content-length'));
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    const hash = url.slice(7, 71);
    for (const bad of [
      `/media/${hash}.gif`, `/media/${hash.toUpperCase()}.jpg`, `/media/${hash.slice(1)}.jpg`,
      `/media/${hash}.jpg.bak`, `/media/${'0'.repeat(64)}.jpg`, '/media/', '/media/x.jpg',
      `/media/${hash}.png`,
    ]) {
      const res = await get(server, bad);
      assert.equal(res.status, 404, bad);
      assertSecurityHeaders(res, bad);
      await res.arrayBuffer();
    }
    const post = await get(server, url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.arrayBuffer();
  });

  test('security headers on API, static, media and error responses', async () => {
    const { body } = await getJson(server, '/api/v1/feed?limit=1');
    const targets = [
      ['/api/v1/feed?limit=2', 200], ['/api/v1/feed?limit=0', 400], ['/api/v1/nope', 404],
      ['/', 200], ['/index.html', 200], ['/app.js', 200], ['/core.wasm', 200],
      [body.posts[0].images[0].url, 200], ['/no/such/file.html', 404], ['/missing.js', 404],
      ['/.secret', 404],
    ];
    for (const [target, status] of targets) {
      const res = await get(server, target);
      assert.equal(res.status, status, target);
      assertSecurityHeaders(res, target);
      await res.arrayBuffer();
    }
    const res = await get(server, '/api/v1/feed', { method: 'POST' });
    assertSecurityHeaders(res, 'POST 405');
    await res.arrayBuffer();
    const raw = await rawRequest(server.port, '/../etc/passwd');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      assert.equal(raw.headers.get(name), value, `raw 404: ${name}`);
    }
  });

  test('/ serves index.html; static MIME types and cache headers', async () => {
    const res = await get(server, '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), INDEX_HTML);

    const types = {
      '/index.html': 'text/html; charset=utf-8',
      '/sub/': 'text/html; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/core.mjs': 'text/javascript; charset=utf-8',
      '/core.wasm': 'application/wasm',
      '/app.css': 'text/css; charset=utf-8',
      '/app.webmanifest': 'application/manifest+json',
    };
    for (const [target, type] of Object.entries(types)) {
      const r = await get(server, target);
      assert.equal(r.status, 200, target);
      assert.equal(r.headers.get('content-type'), type, target);
      assert.equal(r.headers.get('cache-control'), 'no-cache', target);
      await r.arrayBuffer();
    }
    const wasm = Buffer.from(await (await get(server, '/core.wasm')).arrayBuffer());
    assert.deepEqual(wasm, await readFile(path.join(root, 'core.wasm')));

    // The shell's screens are paths without an extension: the billing ones
    // (shell/screens/plans.js, billing.js, billing-return.js) get the page too.
    for (const screen of ['/plans', '/billing', '/billing/return?checkout=co_1&result=cancel']) {
      const r = await get(server, screen);
      assert.equal(r.status, 200, screen);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', screen);
      assert.equal(await r.text(), INDEX_HTML, screen);
    }

    const etag = res.headers.get('etag');
    assert.ok(etag, 'static files carry an ETag');
    const again = await get(server, '/', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    await again.arrayBuffer();

    const head = await get(server, '/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(INDEX_HTML));
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    const post = await get(server, '/', { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.arrayBuffer();
  });

  test('path traversal never escapes the root', async () => {
    const attempts = [
      '/../etc/passwd',
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/sub/../../secret.txt',
      '/sub/%2e%2e/%2e%2e/secret.txt',
      '/../secret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
      '/escape.txt', // a symlink inside the root pointing outside it
      '/.secret',
      '//etc/passwd',
      '/media/../petamigos.db',
      '/media/%2e%2e/petamigos.db',
      '/api/../../etc/passwd',
    ];
    // Absolute-form targets ("GET http://host/...") are refused (400) or dropped without an
    // answer, which is as safe as a 404; they must not leak either.
    const absolute = [
      `http://127.0.0.1:${server.port}/../etc/passwd`,
      'http://127.0.0.1/../secret.txt',
    ];
    for (const target of [...attempts, ...absolute]) {
      const res = await rawRequest(server.port, target);
      const dropped = absolute.includes(target) && res.body === '' && Number.isNaN(res.status);
      const refused = dropped || res.status === 404 || res.status === 400;
      assert.ok(refused, `${target}: status ${res.status}`);
      assert.ok(!res.body.includes('root:'), `${target}: leaked /etc/passwd`);
      assert.ok(!res.body.includes('TOP SECRET'), `${target}: leaked a file outside root`);
      assert.ok(!res.body.includes('SQLite format'), `${target}: leaked the database`);
      assert.ok(!res.body.includes('hidden dotfile'), `${target}: served a dotfile`);
    }
  });

  test('concurrent requests all succeed', async () => {
    const { body } = await getJson(server, '/api/v1/feed?limit=50');
    const urls = body.posts.flatMap((p) => [
      `/api/v1/feed?limit=${1 + (numericId(p.id) % 50)}`,
      p.images[0].url,
      '/',
    ]);
    const results = await Promise.all(
      urls.map(async (u) => {
        const res = await get(server, u);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    assert.deepEqual(results, urls.map(() => 200));
  });

  test('requests are logged without query strings', () => {
    // One JSON line per request with the route's pattern (web/README.md, "Health").
    assert.match(server.stderr, /^\{"time":"[^"]+","level":"info","msg":"request","id":"[0-9a-f-]+","method":"GET","route":"\/api\/v1\/feed","status":200,"us":\d+,"bytes":\d+,"db_us":\d+\}$/m);
    assert.ok(!/cursor=|limit=/.test(server.stderr), 'query strings must not be logged');
  });

  test('restart on the same data keeps the same posts and seeds nothing new', async () => {
    const before = (await getJson(server, '/api/v1/feed?limit=50')).body;
    const exit = await stopServer(server);
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${server.stderr}`);
    assertNoSanitizerReports(server.stderr);

    server = await startServer(root, data);
    assert.match(server.stderr, /not seeding/);
    const afterRestart = (await getJson(server, '/api/v1/feed?limit=50')).body;
    assert.equal(afterRestart.posts.length, ORGANIC);
    assert.deepEqual(afterRestart.posts.map((p) => p.id), before.posts.map((p) => p.id));
    assert.deepEqual(afterRestart, before);

    const exit2 = await stopServer(server);
    assert.deepEqual(exit2, { code: 0, signal: null }, `stderr:\n${server.stderr}`);
    assertNoSanitizerReports(server.stderr);
  });
});

describe('petamigos-server arguments', () => {
  function run(args) {
    return new Promise((resolve, reject) => {
      const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, out, err }));
    });
  }

  test('missing or bad arguments exit 2 with usage', async () => {
    const cases = [
      [],
      ['--root', '/tmp'],
      ['--root', '/tmp', '--data', '/tmp/x', '--port', '70000'],
      ['--root', '/tmp', '--data', '/tmp/x', '--port', 'http'],
      ['--bogus'],
    ];
    for (const args of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /usage: petamigos-server/);
      assert.equal(r.out, '');
    }
  });

  test('a root that is not a directory fails cleanly', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-server-args-'));
    try {
      const r = await run(['--root', path.join(tmp, 'nope'), '--data', path.join(tmp, 'data'),
        '--port', '0']);
      assert.equal(r.code, 1);
      assert.match(r.err, /root .* is not a directory/);
      assert.equal(r.out, '');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('schema migration', () => {
  test('a database written by the first server (schema 1) is upgraded in place', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-server-migrate-'));
    const data = path.join(tmp, 'data');
    const hash = 'a'.repeat(64);
    await mkdir(path.join(data, 'media'), { recursive: true });
    await writeFile(path.join(tmp, 'index.html'), INDEX_HTML);
    // Schema 1 as the first server wrote it (web/src/db.c, migrations[0]).
    execFileSync('sqlite3', [path.join(data, 'petamigos.db')], { input: `
      CREATE TABLE media (hash TEXT PRIMARY KEY, ext TEXT NOT NULL CHECK (ext IN ('jpg', 'png')),
        width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE users (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        bio TEXT NOT NULL DEFAULT '', avatar TEXT REFERENCES media(hash), created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL, species TEXT NOT NULL, breed TEXT NOT NULL DEFAULT '', bio TEXT NOT NULL DEFAULT '',
        avatar TEXT REFERENCES media(hash), created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE, caption TEXT NOT NULL,
        like_count INTEGER NOT NULL DEFAULT 0, comment_count INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL) STRICT;
      CREATE INDEX posts_feed ON posts(created_at, id);
      CREATE TABLE post_images (post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL, media TEXT NOT NULL REFERENCES media(hash), alt TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (post_id, position)) STRICT, WITHOUT ROWID;
      INSERT INTO media VALUES ('${hash}', 'jpg', 640, 640, 1000, 1700000000);
      INSERT INTO users VALUES (1, 'old', 'Old Timer', '', '${hash}', 1700000000);
      INSERT INTO pets VALUES (1, 1, 'Fossil', 'turtle', '', '', NULL, 1700000000);
      INSERT INTO posts VALUES (1, 1, 1, 'Still here #vintage #Turtle', 7, 0, 1700000100);
      INSERT INTO post_images VALUES (1, 0, '${hash}', 'a photo');
      PRAGMA user_version = 1;` });
    const server = await startServer(tmp, data);
    try {
      assert.match(server.stderr, /not seeding/);
      const { body } = await getJson(server, '/api/v1/feed');
      assert.equal(body.posts.length, 1);
      assert.deepEqual(body.posts[0].tags, ['vintage', 'turtle']);
      assert.equal(body.posts[0].like_count, 7);
      const tags = await getJson(server, '/api/v1/search?type=tags&q=vint');
      assert.deepEqual(tags.body.results, [{ tag: 'vintage', post_count: 1 }], 'tags backfilled');
      const pet = await getJson(server, '/api/v1/pets/pet_1');
      assert.equal(pet.body.post_count, 1, 'post_pets backfilled');
      assert.equal(pet.body.birth_date, null);
      // Candidates need a session.
      const joined = await get(server, '/api/v1/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'new@example.test', password: 'correct horse battery', display_name: 'New' }) });
      assert.equal(joined.status, 201);
      const cookie = joined.headers.get('set-cookie').split(';')[0];
      const cands = await (await get(server, '/api/v1/feed/candidates', { headers: { cookie } })).json();
      assert.equal(cands.candidates[0].embedding.length, 64);
      const version = execFileSync('sqlite3', [path.join(data, 'petamigos.db'), 'PRAGMA user_version; PRAGMA foreign_key_check;']).toString();
      assert.equal(version.trim(), String((await migrationsFromSource()).length), 'the current schema');
    } finally {
      const exit = await stopServer(server);
      assert.deepEqual(exit, { code: 0, signal: null }, server.stderr);
      assertNoSanitizerReports(server.stderr);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
