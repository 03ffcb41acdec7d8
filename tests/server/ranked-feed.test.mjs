// The ranked feed's server side: posts by id in the order asked (the phone
// ranks /feed/candidates and pages through its own list), and the
// `sponsored` label every feed post carries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { Client, assertError, email, startServer, stopServer } from './helpers.mjs';
import { CLI } from '../lib/paths.mjs';

describe('posts by id', () => {
  let server, anon;
  before(async () => {
    server = await startServer();
    anon = new Client(server);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('in the order asked, feed shape, repeats once, unknown ids left out', async () => {
    const feed = (await anon.get('/api/v1/feed?limit=50')).body.posts;
    const ids = [feed[7].id, feed[0].id, feed[21].id, feed[3].id];
    const r = await anon.get(`/api/v1/posts?ids=${ids.join(',')}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.posts.map((p) => p.id), ids);
    assert.equal(r.body.next_cursor, null);
    // The same objects as the feed's, field for field.
    for (const p of r.body.posts) assert.deepEqual(p, feed.find((f) => f.id === p.id));
    const again = await anon.get(`/api/v1/posts?ids=${ids[0]},${ids[1]},${ids[0]},p_999999`);
    assert.deepEqual(again.body.posts.map((p) => p.id), ids.slice(0, 2));
    const fifty = feed.concat(feed).slice(0, 50).map((p) => p.id);
    assert.equal((await anon.get(`/api/v1/posts?ids=${fifty.join(',')}`)).status, 200);
  });

  test('bad lists are refused', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `p_${i + 1}`).join(',');
    for (const bad of ['', 'p_0', 'p_1,,p_2', 'u_1', 'p_1,', 'p_01', 'x', many]) {
      assertError(await anon.get(`/api/v1/posts?ids=${encodeURIComponent(bad)}`), 400, 'bad_request');
    }
    assertError(await anon.get('/api/v1/posts'), 400, 'bad_request');
  });

  test('ads are labelled sponsored in every feed; the others are not', async () => {
    const viewer = new Client(server);
    await viewer.signup(email('ads'));
    const cands = (await viewer.get('/api/v1/feed/candidates')).body.candidates;
    const ads = new Set(cands.filter((c) => c.sponsored).map((c) => c.post_id));
    assert.ok(ads.size >= 1);
    const feed = (await anon.get('/api/v1/feed?limit=50')).body.posts;
    for (const p of feed) assert.equal(p.sponsored, ads.has(p.id), p.id);
    const one = (await anon.get(`/api/v1/posts/${[...ads][0]}`)).body;
    assert.equal(one.sponsored, true);
    const byId = (await anon.get(`/api/v1/posts?ids=${[...ads].join(',')}`)).body.posts;
    assert.ok(byId.length === ads.size && byId.every((p) => p.sponsored));
  });
});

describe('ThumbHash placeholders', () => {
  let server, anon, tmp;
  before(async () => {
    server = await startServer();
    anon = new Client(server);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-thumb-'));
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    rmSync(tmp, { recursive: true, force: true });
  });

  // The core's CLI: the hash of a file, or the average colour a hash records.
  const cli = (args) => spawnSync(CLI, args, { encoding: 'utf8' }).stdout;
  const average = (hash) => {
    const hex = /average #([0-9a-f]{6})/.exec(cli(['image-hash', '--decode', hash, path.join(tmp, 'out.png')]))?.[1];
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  };

  test('every seeded image has one, the same for the same bytes', async () => {
    const images = (await anon.get('/api/v1/feed?limit=50')).body.posts.flatMap((p) => p.images);
    assert.ok(images.length >= 30);
    const byUrl = new Map();
    for (const im of images) {
      assert.match(im.thumbhash ?? '', /^[A-Za-z0-9+/]{6,34}={0,2}$/, im.url);
      if (byUrl.has(im.url)) assert.equal(byUrl.get(im.url), im.thumbhash);
      byUrl.set(im.url, im.thumbhash);
    }
    assert.ok(new Set(byUrl.values()).size > byUrl.size / 2, 'different pictures, different hashes');
    // The server's hash is the core's hash of the stored bytes.
    const [url, hash] = [...byUrl][0];
    const file = path.join(tmp, 'seeded.jpg');
    writeFileSync(file, Buffer.from(await (await fetch(new URL(url, server.url))).arrayBuffer()));
    assert.match(cli(['image-hash', file]), new RegExp(`^thumbhash ${hash.replace(/[+/]/g, '\\$&')} `));
  });

  test('an upload gets the hash of its pixels, shown with its post; WebP gets none', async () => {
    const c = new Client(server);
    await c.signup(email('thumb'));
    const pet = (await c.post('/api/v1/pets', { name: 'Rojo', species: 'cat' })).body;
    const red = await c.upload(colourPng(40, 30, [220, 30, 30]), 'image/png');
    const blue = await c.upload(colourPng(30, 40, [20, 40, 210]), 'image/png');
    const post = (await c.post('/api/v1/posts', { caption: 'colours', media_ids: [red.id, blue.id], pet_ids: [pet.id] })).body;
    const [a, b] = post.images.map((im) => im.thumbhash);
    assert.deepEqual((await c.get(`/api/v1/posts?ids=${post.id}`)).body.posts[0].images.map((im) => im.thumbhash), [a, b]);
    const [r1, g1, b1] = average(a), [r2, g2, b2] = average(b);
    assert.ok(r1 > 180 && g1 < 70 && b1 < 70, `red: ${[r1, g1, b1]}`);
    assert.ok(b2 > 170 && r2 < 60 && g2 < 80, `blue: ${[r2, g2, b2]}`);
    // A WebP is stored (the browser decodes it) but the server has no decoder for it.
    const webp = await c.upload(tinyWebp(), 'image/webp');
    const pw = await c.post('/api/v1/posts', { caption: 'webp', media_ids: [webp.id], pet_ids: [pet.id] });
    assert.equal(pw.status, 201);
    assert.equal(pw.body.images[0].thumbhash, null);
  });
});

// A w x h PNG of one RGB colour (zlib from node).
function colourPng(w, h, [r, g, b]) {
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3).map((_, i) => [r, g, b][i % 3])]);
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const td = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array(h).fill(row)))), chunk('IEND', Buffer.alloc(0))]);
}

// A 1x1 lossless WebP (VP8L).
function tinyWebp() {
  return Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
}
