// Uploads (sniffing, limits, dedup), byte ranges, stories (expiry) and reels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { validateResponse } from '../lib/openapi.mjs';
import { Client, assertError, dbQuery, email, jpegHeader, png, startServer, stopServer, webp } from './helpers.mjs';
import { CLI } from '../lib/paths.mjs';
import { assertDecodes, hasLocation, makeLocatedVideo } from '../lib/video.mjs';

/** Sends raw bytes, returns status, headers and body of the first answer. */
function raw(port, text, { address = '127.0.0.1', wait = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: address });
    const chunks = [];
    socket.setTimeout(wait, () => socket.destroy(new Error('raw request timed out')));
    socket.on('connect', () => socket.write(text));
    socket.on('data', (c) => {
      chunks.push(c);
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      const len = /content-length: (\d+)/i.exec(all.slice(0, end));
      if (end >= 0 && len && all.length >= end + 4 + Number(len[1])) {
        socket.destroy();
        const head = all.slice(0, end).split('\r\n');
        const out = { status: Number(head[0].split(' ')[1]), head: head.join('\n'), body: all.slice(end + 4) };
        // Raw answers are held to the contract like every other.
        try {
          const target = text.split(' ')[1];
          if (target.startsWith('/api/')) validateResponse(text.split(' ')[0], target, out.status, JSON.parse(out.body));
        } catch (e) {
          reject(e);
          return;
        }
        resolve(out);
      }
    });
    socket.on('error', reject);
  });
}

describe('media, stories and reels', () => {
  let server, alice, bob, anon, pet;
  before(async () => {
    // Alice uploads every case below: more than PA_LIMIT_UPLOAD_BURST allows
    // one person (that limit is tested in limits.test.mjs).
    server = await startServer({ env: { PA_LIMIT_UPLOAD_BURST: '1000' } });
    alice = new Client(server);
    bob = new Client(server);
    anon = new Client(server);
    await alice.signup(email('alice'), 'alice password', 'Alice');
    await bob.signup(email('bob'), 'bob password!', 'Bob');
    pet = (await alice.post('/api/v1/pets', { name: 'Mittens', species: 'cat' })).body;
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('uploads: type and size from the bytes, stored by content', async () => {
    const cases = [
      [png(320, 200), 'image/png', 320, 200],
      [jpegHeader(4000, 3000), 'image/jpeg', 4000, 3000],
      [webp('VP8 ', 640, 480), 'image/webp', 640, 480],
      [webp('VP8L', 1000, 700), 'image/webp', 1000, 700],
      [webp('VP8X', 5000, 4000), 'image/webp', 5000, 4000],
    ];
    for (const [bytes, type, width, height] of cases) {
      const m = await alice.upload(bytes, type);
      assert.equal(m.type, type);
      assert.deepEqual([m.width, m.height, m.bytes], [width, height, bytes.length], type);
      assert.match(m.url, new RegExp(`^/media/[0-9a-f]{64}\\.${type.split('/')[1].replace('jpeg', 'jpg')}$`));
      const got = await anon.get(m.url);
      assert.equal(got.status, 200);
      assert.equal(got.headers['content-type'], type);
      assert.equal(got.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.deepEqual(got.buf, bytes);
    }
    // Same bytes: same file and the same upload for the same person.
    const a = await alice.upload(png(77, 77), 'image/png');
    const b = await alice.upload(png(77, 77), 'image/png');
    const c = await bob.upload(png(77, 77), 'image/png');
    assert.equal(a.id, b.id);
    assert.equal(a.url, c.url);
    assert.notEqual(a.id, c.id);
    // A charset parameter on the type is fine.
    assert.equal((await alice.upload(png(5, 5), 'image/png; foo=bar')).width, 5);
  });

  test('uploads: mismatched, unknown, empty, huge and broken files are refused', async () => {
    const up = (bytes, type, extra = {}) => alice.request('POST', '/api/v1/media', { body: bytes, headers: { 'content-type': type, ...extra } });
    assertError(await up(png(10, 10), 'image/jpeg'), 415, 'unsupported_media_type');
    assertError(await up(jpegHeader(10, 10), 'video/mp4'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.from('GIF89a.........'), 'image/gif'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.from('hello'), 'text/plain'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.from('not really a png'), 'image/png'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 200, 1, 2]), 'image/jpeg'), 415, 'unsupported_media_type');
    assertError(await up(Buffer.alloc(0), 'image/png'), 400, 'bad_request');
    assertError(await up(png(9000, 10), 'image/png'), 413, 'payload_too_large');
    assertError(await up(jpegHeader(8000, 8000), 'image/jpeg'), 413, 'payload_too_large');
    assertError(await up(webp('VP8X', 10000, 10), 'image/webp'), 413, 'payload_too_large');
    assertError(await anon.request('POST', '/api/v1/media', { body: png(4, 4), headers: { 'content-type': 'image/png' } }), 401, 'unauthorized');
    assertError(await alice.request('POST', '/api/v1/media', { body: png(4, 4), headers: { 'content-type': 'image/png' }, csrf: false }), 403, 'csrf');
  });

  test('uploads: Content-Length over the limit is 413 before the body is sent', async () => {
    for (const [type, len] of [['image/png', 10 * 1024 * 1024 + 1], ['video/mp4', 50 * 1024 * 1024 + 1]]) {
      const r = await raw(server.port,
        `POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: pa_session=${alice.cookie}\r\n` +
        `X-CSRF-Token: ${alice.csrf}\r\nContent-Type: ${type}\r\nContent-Length: ${len}\r\n\r\n`,
        { address: alice.address });
      assert.equal(r.status, 413, r.head);
      assert.match(r.body, /"payload_too_large"/);
    }
    // Chunked, with no length up front: cut off once past the limit.
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 1);
    big.set(png(10, 10));
    const res = await alice.request('POST', '/api/v1/media', { body: big, headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' } });
    assertError(res, 413, 'payload_too_large');
    // A chunked upload within the limit is fine.
    const small = await alice.request('POST', '/api/v1/media', { body: png(33, 44), headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' } });
    assert.equal(small.status, 201);
    assert.deepEqual([small.body.width, small.body.height], [33, 44]);
  });

  test('byte ranges on media: 206, suffixes, 416, and whole files otherwise', async () => {
    const reels = (await anon.get('/api/v1/reels')).body.reels;
    const url = reels[0].video.url;
    const whole = await anon.get(url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers['content-type'], 'video/mp4');
    const size = whole.buf.length;
    assert.equal(whole.buf.subarray(4, 8).toString(), 'ftyp');
    const r = (range, extra = {}) => anon.get(url, { headers: { range, ...extra } });
    let x = await r('bytes=0-99');
    assert.equal(x.status, 206);
    assert.equal(x.headers['content-range'], `bytes 0-99/${size}`);
    assert.deepEqual(x.buf, whole.buf.subarray(0, 100));
    x = await r('bytes=100-');
    assert.equal(x.headers['content-range'], `bytes 100-${size - 1}/${size}`);
    assert.deepEqual(x.buf, whole.buf.subarray(100));
    x = await r('bytes=-50');
    assert.deepEqual(x.buf, whole.buf.subarray(size - 50));
    x = await r(`bytes=${size - 10}-${size + 1000}`);
    assert.equal(x.status, 206);
    assert.equal(x.buf.length, 10);
    x = await r(`bytes=${size}-`);
    assert.equal(x.status, 416);
    assert.equal(x.headers['content-range'], `bytes */${size}`);
    x = await r('bytes=0-1,5-9'); // several ranges: the whole file is fine
    assert.equal(x.status, 200);
    assert.equal(x.buf.length, size);
    x = await r('bytes=0-9', { 'if-range': '"stale"' });
    assert.equal(x.status, 200);
    x = await r('bytes=0-9', { 'if-range': whole.headers.etag });
    assert.equal(x.status, 206);
    x = await r('items=0-9');
    assert.equal(x.status, 200);
    // A seek into the middle, as a <video> element does.
    x = await r(`bytes=${Math.floor(size / 2)}-`);
    assert.deepEqual(x.buf, whole.buf.subarray(Math.floor(size / 2)));
    const webm = await anon.get(reels[0].sources[1].url, { headers: { range: 'bytes=0-3' } });
    assert.equal(webm.status, 206);
    assert.equal(webm.headers['content-type'], 'video/webm');
    assert.deepEqual([...webm.buf], [0x1a, 0x45, 0xdf, 0xa3]);
  });

  test('reels: seeded clips in both formats; publish your own', async () => {
    const list = (await anon.get('/api/v1/reels')).body;
    assert.equal(list.reels.length, 2);
    assert.equal(list.next_cursor, null);
    for (const reel of list.reels) {
      assert.deepEqual(reel.sources.map((s) => s.type), ['video/mp4', 'video/webm']);
      assert.deepEqual([reel.video.width, reel.video.height], [180, 320], 'vertical');
      assert.equal(reel.poster.type, 'image/jpeg');
    }
    // Upload a copy of a seeded clip: sizes come from the MP4 tkhd and WebM headers.
    const mp4 = (await anon.get(list.reels[0].video.url)).buf;
    const webmBytes = (await anon.get(list.reels[0].sources[1].url)).buf;
    const video = await alice.upload(mp4, 'video/mp4');
    assert.deepEqual([video.width, video.height, video.url], [180, 320, list.reels[0].video.url]);
    const w = await alice.upload(webmBytes, 'video/webm');
    assert.deepEqual([w.width, w.height], [180, 320]);
    const poster = await alice.upload(png(180, 320), 'image/png');
    const r = await alice.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: poster.id, caption: 'Mine! #reel', pet_id: pet.id });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.tags, ['reel']);
    assert.equal((await anon.get('/api/v1/reels?limit=1')).body.reels[0].id, r.body.id);
    const pages = [];
    let cursor = null;
    do {
      const p = await anon.get(`/api/v1/reels?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...p.body.reels.map((x) => x.id));
      cursor = p.body.next_cursor;
    } while (cursor);
    assert.equal(pages.length, 3);
    assertError(await alice.post('/api/v1/reels', { video_media_id: poster.id, poster_media_id: poster.id, caption: '', pet_id: pet.id }), 400, 'bad_request');
    assertError(await alice.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: video.id, caption: '', pet_id: pet.id }), 400, 'bad_request');
    assertError(await bob.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: poster.id, caption: '', pet_id: pet.id }), 400, 'unknown_upload');
    assertError(await alice.post('/api/v1/reels', { video_media_id: video.id, poster_media_id: poster.id, pet_id: pet.id }), 400, 'bad_request');
    // Videos cannot be post images.
    assertError(await alice.post('/api/v1/posts', { caption: '', media_ids: [video.id], pet_ids: [pet.id] }), 400, 'bad_request');
  });

  test('videos: stored with their location and title cleared in place; unreadable ones 422', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-video-'));
    try {
      for (const ext of ['mp4', 'mov', 'webm']) {
        const file = makeLocatedVideo(path.join(tmp, `gps.${ext}`));
        assert.ok(hasLocation(file), `the ${ext} made by ffmpeg carries a location`);
        const bytes = readFileSync(file);
        const type = ext === 'webm' ? 'video/webm' : 'video/mp4';
        const m = await alice.upload(bytes, type);
        assert.equal(m.bytes, bytes.length, 'nothing moved: same length');
        assert.deepEqual([m.width, m.height], [96, 64]);
        const stored = path.join(server.dir, 'media', path.basename(m.url));
        const served = (await anon.get(m.url)).buf;
        assert.deepEqual(served, readFileSync(stored));
        assert.notDeepEqual(served, bytes);
        assert.equal(hasLocation(stored), false, `the stored ${ext} still carries its location`);
        assertDecodes(stored);
        // The CLI gives the same bytes (one scrubber for app, server and scripts).
        const out = path.join(tmp, `cli.${ext}`);
        execFileSync(CLI, ['video-scrub', file, out]);
        assert.deepEqual(readFileSync(out), served);
      }
      // Cut short, a box overrunning its parent, an MP4 without its moov: 422, nothing stored.
      const mp4 = readFileSync(path.join(tmp, 'gps.mp4'));
      const moov = mp4.indexOf('moov') - 4;
      const overrun = Buffer.from(mp4);
      const child = moov + 8;
      overrun.writeUInt32BE(mp4.readUInt32BE(moov) + 16, child);
      const noMoov = Buffer.from(mp4);
      noMoov.write('junk', moov + 4);
      const webm = readFileSync(path.join(tmp, 'gps.webm'));
      const before = readdirSync(path.join(server.dir, 'media')).length;
      for (const [bytes, type, why] of [[mp4.subarray(0, mp4.length - 100), 'video/mp4', 'ends first'],
        [overrun, 'video/mp4', 'overruns its parent'], [noMoov, 'video/mp4', 'not an MP4 video'],
        [webm.subarray(0, webm.length - 10), 'video/webm', 'ends first']]) {
        const r = await alice.request('POST', '/api/v1/media', { body: bytes, headers: { 'content-type': type } });
        assertError(r, 422, 'unprocessable_media');
        assert.match(r.body.error.message, new RegExp(why));
      }
      assert.equal(readdirSync(path.join(server.dir, 'media')).length, before);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('stories: tray of unexpired stories, per-viewer seen, unseen first', async () => {
    const tray = (await alice.get('/api/v1/stories')).body.tray;
    // Small world: Luna 2 fresh, Biscuit 1 fresh + 1 expired, Mochi only expired, Chai 1 fresh.
    assert.deepEqual(tray.map((e) => [e.pet.name, e.stories.length]).sort(),
      [['Biscuit', 1], ['Chai', 1], ['Luna', 2]]);
    const now = Date.now();
    for (const e of tray) {
      assert.equal(e.all_seen, false);
      for (const s of e.stories) {
        assert.ok(Date.parse(s.expires_at) > now, 'never an expired story');
        assert.equal(Date.parse(s.expires_at) - Date.parse(s.created_at), 86_400_000);
        assert.equal(s.seen, false);
      }
      const times = e.stories.map((s) => Date.parse(s.created_at));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first within an entry');
    }
    // Newest story first among unseen entries.
    const latest = tray.map((e) => Math.max(...e.stories.map((s) => Date.parse(s.created_at))));
    assert.deepEqual(latest, [...latest].sort((a, b) => b - a));
    const first = tray[0];
    for (const s of first.stories) assert.deepEqual((await alice.put(`/api/v1/stories/${s.id}/seen`)).body, { seen: true });
    assert.deepEqual((await alice.put(`/api/v1/stories/${first.stories[0].id}/seen`)).body, { seen: true });
    const again = (await alice.get('/api/v1/stories')).body.tray;
    assert.equal(again.at(-1).pet.id, first.pet.id, 'seen entries go last');
    assert.equal(again.at(-1).all_seen, true);
    assert.ok(again.at(-1).stories.every((s) => s.seen));
    assert.ok((await bob.get('/api/v1/stories')).body.tray.every((e) => !e.all_seen), 'seen is per viewer');
    assertError(await alice.put('/api/v1/stories/s_999999/seen'), 404, 'not_found');
    assertError(await anon.put(`/api/v1/stories/${first.stories[0].id}/seen`), 401, 'unauthorized');
    // Seeded story 4 (Biscuit's, 30 hours old) exists in the database but is expired.
    assertError(await alice.put('/api/v1/stories/s_4/seen'), 404, 'not_found');

    const img = await alice.upload(png(90, 160), 'image/png');
    const s = await alice.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id });
    assert.equal(s.status, 201);
    assert.equal(s.body.media.url, img.url);
    assert.equal((await bob.get('/api/v1/stories')).body.tray[0].pet.id, pet.id, 'the newest unseen entry leads');
    assertError(await bob.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id }), 400, 'unknown_upload');
    const bobImg = await bob.upload(png(91, 160), 'image/png');
    assertError(await bob.post('/api/v1/stories', { media_id: bobImg.id, pet_id: pet.id }), 403, 'forbidden');
    assertError(await bob.post('/api/v1/stories', { media_id: bobImg.id }), 400, 'bad_request');
  });
});

describe('story expiry across restarts', () => {
  test('24 hours later nothing shows, and expired stories never come back', async () => {
    let server = await startServer();
    const c = new Client(server);
    await c.signup(email('exp'), 'expiry password', 'E');
    const pet = (await c.post('/api/v1/pets', { name: 'Brief', species: 'dog' })).body;
    const img = await c.upload(png(20, 20), 'image/png');
    const story = (await c.post('/api/v1/stories', { media_id: img.id, pet_id: pet.id })).body;
    assert.equal((await c.get('/api/v1/stories')).body.tray.length, 4);
    await stopServer(server);

    // 23 hours on: the new story is still there, the seeded ones are gone.
    server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(23 * 3600) } });
    let tray = (await new Client(server).get('/api/v1/stories')).body.tray;
    assert.deepEqual(tray.map((e) => e.pet.id), [pet.id]);
    await stopServer(server);

    // 24.5 hours on: expired half an hour ago, not purged yet: reads hide it.
    server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(24.5 * 3600) } });
    const late = new Client(server);
    tray = (await late.get('/api/v1/stories')).body.tray;
    assert.deepEqual(tray, []);
    await late.signup(email('late'));
    assertError(await late.put(`/api/v1/stories/${story.id}/seen`), 404, 'not_found');
    const rows = (sql) => dbQuery(server, sql);
    assert.equal(rows(`SELECT count(*) FROM stories WHERE id = ${story.id.slice(2)}`), '1', 'the row is still there');
    await stopServer(server);

    // 26 hours on the periodic purge has removed it.
    server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(26 * 3600) } });
    assert.deepEqual((await new Client(server).get('/api/v1/stories')).body.tray, []);
    assert.equal(rows('SELECT count(*) FROM stories'), '0', 'purged');
    await stopServer(server);

    // Back to the real clock: what was purged stays purged.
    server = await startServer({ data: server.dir, seed: false });
    assert.deepEqual((await new Client(server).get('/api/v1/stories')).body.tray, [], 'purged for good');
    await stopServer(server);
  });
});
