// The media lifecycle (issue 14, "Media lifecycle"): a file answers 404 once
// nothing holds it (deleted posts, stories, reels, avatars, pets, accounts,
// chat photos; drafts after PA_MEDIA_DRAFT_SECONDS; stories an hour after they
// expire), files two things share stay while one holds them; the daily upload
// quota at its edge and across restarts; images are served without their
// metadata (GPS checked with exiftool); schema 6 files are upgraded in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, assertError, email, oldDatabase, png, startServer, stopServer } from './helpers.mjs';
import { makeLocatedVideo } from '../lib/video.mjs';

const HOUR = 3600;
const DAY = 24 * HOUR;
const DRAFT_SECONDS = DAY; // PA_MEDIA_DRAFT_SECONDS in web/src/api/api.h

let size = 20;
/** A PNG no other test made: every call a new size, so a new file. */
const freshPng = () => { size += 1; return png(size, size + 1); };

const fileOf = (server, url) => path.join(server.dir, 'media', url.replace('/media/', ''));

/** The file answers 200 (and is on disk) or 404 (and is gone from disk). */
async function assertServed(client, url, served, label = url) {
  const r = await client.get(url);
  assert.equal(r.status, served ? 200 : 404, `${label}: ${r.status}`);
  assert.equal(existsSync(fileOf(client.server, url)), served, `${label}: on disk`);
}

async function person(server, name) {
  const c = new Client(server);
  await c.signup(email(name.toLowerCase()), `${name} password!`, name);
  c.password = `${name} password!`;
  c.pet = (await c.post('/api/v1/pets', { name: `${name}'s cat`, species: 'cat' })).body;
  return c;
}

async function newPost(client, media, pet = client.pet) {
  const r = await client.post('/api/v1/posts', { caption: 'x', media_ids: media.map((m) => m.id), pet_ids: [pet.id] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

describe('media lifecycle: deleting what holds a file', () => {
  let server, alice, bob, anon, tmp;
  before(async () => {
    server = await startServer();
    alice = await person(server, 'Alice');
    bob = await person(server, 'Bob');
    anon = new Client(server);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-lifecycle-'));
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a deleted post\'s images answer 404; an image another post shows stays until that one goes too', async () => {
    const own = await alice.upload(freshPng(), 'image/png');
    const shared = await alice.upload(freshPng(), 'image/png');
    const first = await newPost(alice, [own, shared]);
    const second = await newPost(alice, [shared]);
    // Bob uploads the same bytes: the same file, held by his post too.
    const bobs = await bob.upload(readFileSync(fileOf(server, shared.url)), 'image/png');
    assert.equal(bobs.url, shared.url);
    const third = await newPost(bob, [bobs]);
    for (const m of [own, shared]) await assertServed(anon, m.url, true);

    assertError(await bob.del(`/api/v1/posts/${first.id}`), 403, 'forbidden');
    assertError(await anon.del(`/api/v1/posts/${first.id}`), 401, 'unauthorized');
    await assertServed(anon, own.url, true, 'after refused deletes');
    assert.equal((await alice.del(`/api/v1/posts/${first.id}`)).status, 200);
    await assertServed(anon, own.url, false, 'the deleted post\'s own image');
    await assertServed(anon, shared.url, true, 'the image her second post shows');
    assert.equal((await alice.del(`/api/v1/posts/${second.id}`)).status, 200);
    await assertServed(anon, shared.url, true, 'the image Bob\'s post shows');
    assert.equal((await bob.del(`/api/v1/posts/${third.id}`)).status, 200);
    await assertServed(anon, shared.url, false, 'once no post shows it');
    // The upload ids went with their files.
    assertError(await alice.post('/api/v1/posts', { caption: 'again', media_ids: [own.id], pet_ids: [alice.pet.id] }),
      400, 'unknown_upload');
  });

  test('stories: the owner deletes one (others 403, no session 401) and its image goes', async () => {
    const img = await alice.upload(freshPng(), 'image/png');
    const story = (await alice.post('/api/v1/stories', { media_id: img.id, pet_id: alice.pet.id })).body;
    assertError(await bob.del(`/api/v1/stories/${story.id}`), 403, 'forbidden');
    assertError(await anon.del(`/api/v1/stories/${story.id}`), 401, 'unauthorized');
    assertError(await alice.del(`/api/v1/stories/${story.id}`, undefined, { csrf: false }), 403, 'csrf');
    await assertServed(anon, img.url, true);
    assert.equal((await alice.del(`/api/v1/stories/${story.id}`)).status, 200);
    await assertServed(anon, img.url, false);
    const tray = (await anon.get('/api/v1/stories')).body.tray;
    assert.ok(!tray.some((e) => e.stories.some((s) => s.id === story.id)), 'gone from the tray');
    assertError(await alice.del(`/api/v1/stories/${story.id}`), 404, 'not_found');
    assertError(await alice.del('/api/v1/stories/s_999999'), 404, 'not_found');
  });

  test('reels: the author deletes one (others 403, no session 401) and its video and poster go', async () => {
    const video = await alice.upload(readFileSync(makeLocatedVideo(path.join(tmp, 'reel.mp4'))), 'video/mp4');
    const poster = await alice.upload(freshPng(), 'image/png');
    const reel = (await alice.post('/api/v1/reels',
      { video_media_id: video.id, poster_media_id: poster.id, caption: 'Zoomies', pet_id: alice.pet.id })).body;
    assertError(await bob.del(`/api/v1/reels/${reel.id}`), 403, 'forbidden');
    assertError(await anon.del(`/api/v1/reels/${reel.id}`), 401, 'unauthorized');
    for (const m of [video, poster]) await assertServed(anon, m.url, true);
    assert.equal((await alice.del(`/api/v1/reels/${reel.id}`)).status, 200);
    for (const m of [video, poster]) await assertServed(anon, m.url, false);
    assert.ok(!(await anon.get('/api/v1/reels?limit=100')).body.reels.some((r) => r.id === reel.id));
    assertError(await alice.del(`/api/v1/reels/${reel.id}`), 404, 'not_found');
  });

  test('avatars: a replaced or removed avatar goes; only your own uploads can be your avatar', async () => {
    const one = await alice.upload(freshPng(), 'image/png');
    const two = await alice.upload(freshPng(), 'image/png');
    let r = await alice.patch('/api/v1/me', { avatar_media_id: one.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.avatar_url, one.url);
    assert.equal(r.body.id, alice.user.id);
    assert.equal((await anon.get(`/api/v1/users/${alice.user.id}`)).body.avatar_url, one.url);

    assertError(await anon.patch('/api/v1/me', { avatar_media_id: two.id }), 401, 'unauthorized');
    assertError(await bob.patch('/api/v1/me', { avatar_media_id: two.id }), 400, 'unknown_upload');
    assert.equal((await bob.patch('/api/v1/me', { avatar_media_id: two.id })).body.error.field, 'avatar_media_id');
    assertError(await alice.patch('/api/v1/me', {}), 400, 'bad_request');
    assertError(await alice.patch('/api/v1/me', { avatar_media_id: one.id, nickname: 'x' }), 400, 'bad_request');
    assert.equal((await anon.get(`/api/v1/users/${bob.user.id}`)).body.avatar_url, null, 'Bob\'s unchanged');

    r = await alice.patch('/api/v1/me', { avatar_media_id: two.id });
    assert.equal(r.body.avatar_url, two.url);
    await assertServed(anon, one.url, false, 'the replaced avatar');
    await assertServed(anon, two.url, true);
    r = await alice.patch('/api/v1/me', { avatar_media_id: null });
    assert.equal(r.status, 200);
    assert.equal(r.body.avatar_url, null);
    await assertServed(anon, two.url, false, 'the removed avatar');
  });

  test('pets: a replaced avatar goes, and a deleted pet takes its avatar and its posts\' images', async () => {
    const first = await alice.upload(freshPng(), 'image/png');
    const second = await alice.upload(freshPng(), 'image/png');
    const photo = await alice.upload(freshPng(), 'image/png');
    const pet = (await alice.post('/api/v1/pets', { name: 'Pip', species: 'dog', avatar_media_id: first.id })).body;
    assert.equal(pet.avatar_url, first.url);
    await newPost(alice, [photo], pet);
    assertError(await bob.patch(`/api/v1/pets/${pet.id}`, { avatar_media_id: second.id }), 403, 'forbidden');
    assert.equal((await alice.patch(`/api/v1/pets/${pet.id}`, { avatar_media_id: second.id })).body.avatar_url, second.url);
    await assertServed(anon, first.url, false, 'the replaced pet avatar');
    assertError(await bob.del(`/api/v1/pets/${pet.id}`), 403, 'forbidden');
    assert.equal((await alice.del(`/api/v1/pets/${pet.id}`)).status, 200);
    await assertServed(anon, second.url, false, 'the deleted pet\'s avatar');
    await assertServed(anon, photo.url, false, 'the image of the deleted pet\'s post');
  });

  test('uploads: the uploader discards a draft at once (others 403, no session 401); a used one stays with its post', async () => {
    const draft = await alice.upload(freshPng(), 'image/png');
    assertError(await bob.del(`/api/v1/media/${draft.id}`), 403, 'forbidden');
    assertError(await anon.del(`/api/v1/media/${draft.id}`), 401, 'unauthorized');
    await assertServed(anon, draft.url, true, 'after refused deletes');
    assert.equal((await alice.del(`/api/v1/media/${draft.id}`)).status, 200);
    await assertServed(anon, draft.url, false, 'the discarded draft');
    assertError(await alice.del(`/api/v1/media/${draft.id}`), 404, 'not_found');
    assertError(await alice.post('/api/v1/stories', { media_id: draft.id, pet_id: alice.pet.id }), 400, 'unknown_upload');

    const used = await alice.upload(freshPng(), 'image/png');
    const post = await newPost(alice, [used]);
    assert.equal((await alice.del(`/api/v1/media/${used.id}`)).status, 200);
    await assertServed(anon, used.url, true, 'still shown by the post');
    assert.equal((await alice.del(`/api/v1/posts/${post.id}`)).status, 200);
    await assertServed(anon, used.url, false);
  });

  test('chat photos: the sender deletes one (others 403, no session 401), then it is 404', async () => {
    const up = await alice.request('POST', '/api/v1/chat/attachments',
      { body: Buffer.alloc(64, 7), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(up.status, 201);
    const target = `/api/v1/chat/attachments?id=${up.body.id}`;
    assert.equal((await bob.get(target)).status, 200);
    assertError(await bob.del(target), 403, 'forbidden');
    assertError(await anon.del(target), 401, 'unauthorized');
    assertError(await alice.del('/api/v1/chat/attachments?id=nope'), 400, 'bad_request');
    assert.equal((await alice.del(target)).status, 200);
    assertError(await bob.get(target), 404, 'not_found');
    assertError(await alice.del(target), 404, 'not_found');
  });

  test('deleting an account deletes every file only it held', async () => {
    const carol = await person(server, 'Carol');
    // Her avatar, a post's two images (one Bob posts too), a story's image, a draft.
    const ups = [];
    for (let i = 0; i < 5; i++) ups.push(await carol.upload(freshPng(), 'image/png'));
    const [av, ph, st, dr, sh] = ups;
    assert.equal((await carol.patch('/api/v1/me', { avatar_media_id: av.id })).status, 200);
    await newPost(carol, [ph, sh]);
    assert.equal((await carol.post('/api/v1/stories', { media_id: st.id, pet_id: carol.pet.id })).status, 201);
    const bobs = await bob.upload(readFileSync(fileOf(server, sh.url)), 'image/png');
    const bobPost = await newPost(bob, [bobs]);
    assertError(await carol.del('/api/v1/me', { password: 'wrong password' }), 403, 'forbidden');
    for (const m of ups) await assertServed(anon, m.url, true);
    assert.equal((await carol.del('/api/v1/me', { password: carol.password })).status, 200);
    for (const m of [av, ph, st, dr]) await assertServed(anon, m.url, false, 'Carol\'s file');
    await assertServed(anon, sh.url, true, 'the file Bob\'s post shows too');
    assert.equal((await bob.del(`/api/v1/posts/${bobPost.id}`)).status, 200);
    await assertServed(anon, sh.url, false);
  });
});

describe('media lifecycle over time (clock offset and restarts)', () => {
  test('a draft survives its 24 hours and goes after; an expired story\'s media goes with its purge', async () => {
    let server = await startServer();
    try {
      const c = await person(server, 'Dana');
      const anon = new Client(server);
      const draft = await c.upload(freshPng(), 'image/png');
      const storyImg = await c.upload(freshPng(), 'image/png');
      const kept = await c.upload(freshPng(), 'image/png');
      await c.post('/api/v1/stories', { media_id: storyImg.id, pet_id: c.pet.id });
      const post = await newPost(c, [kept]);
      const restart = async (offset) => {
        await stopServer(server);
        server = await startServer({ data: server.dir, seed: false, env: { PA_TEST_CLOCK_OFFSET: String(offset) } });
        c.server = server;
        anon.server = server;
      };

      // A minute before the draft's time is up (the startup collection has run).
      await restart(DRAFT_SECONDS - 60);
      for (const m of [draft, storyImg, kept]) await assertServed(anon, m.url, true, 'within the day');

      // Past the draft's day and an hour past the story's expiry: both purged at startup.
      await restart(DAY + HOUR + 60);
      await assertServed(anon, draft.url, false, 'the draft past its day');
      await assertServed(anon, storyImg.url, false, 'the purged story\'s image');
      await assertServed(anon, kept.url, true, 'the post\'s image');
      assertError(await c.post('/api/v1/posts', { caption: 'late', media_ids: [draft.id], pet_ids: [c.pet.id] }), 400, 'unknown_upload');
      assert.equal((await anon.get(`/api/v1/posts/${post.id}`)).body.images[0].url, kept.url);

      // A draft used in time is attached and no longer expires.
      const late = await c.upload(freshPng(), 'image/png');
      await newPost(c, [late]);
      await restart(3 * DAY);
      await assertServed(anon, late.url, true, 'attached before its day was up');
    } finally {
      await stopServer(server, { keepData: false });
    }
  });
});

describe('daily upload quota', () => {
  const a = png(40, 40), b = png(41, 41);
  const QUOTA = a.length + b.length;
  let server, c;
  before(async () => {
    server = await startServer({ env: { PA_MEDIA_QUOTA_DAY_BYTES: String(QUOTA) } });
    c = await person(server, 'Quinn');
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const up = (bytes, opts = {}) => c.request('POST', '/api/v1/media',
    { body: bytes, headers: { 'content-type': 'image/png', ...opts } });

  function assertQuota(r) {
    assertError(r, 429, 'quota_exceeded');
    const wait = Number(r.headers['retry-after']);
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= DAY, `Retry-After ${r.headers['retry-after']}`);
    assert.match(r.body.error.message, new RegExp(`upload ${(QUOTA / 1024).toFixed(1)} KiB a day`));
    assert.match(r.body.error.message, /resets at 00:00 UTC, in \d+ h \d\d min/);
  }

  test('exactly the quota fits, one byte more does not; refused files are not counted', async () => {
    assertError(await up(Buffer.from('not a png at all')), 415, 'unsupported_media_type');
    assert.equal((await up(a)).status, 201);
    const over = Buffer.concat([b, Buffer.from([0])]); // one byte past the room left
    assertQuota(await up(over)); // refused from its Content-Length, before the body
    assertQuota(await up(over, { 'transfer-encoding': 'chunked' })); // refused when charged
    const fits = await up(b);
    assert.equal(fits.status, 201, JSON.stringify(fits.body)); // exactly at the quota
    assertQuota(await up(png(8, 8)));
    assertQuota(await up(a)); // the same bytes again count again
    // Chat photos count too.
    const photo = await c.request('POST', '/api/v1/chat/attachments',
      { body: Buffer.alloc(32, 1), headers: { 'content-type': 'application/octet-stream' } });
    assertQuota(photo);
  });

  test('the count lives in the database: a restart keeps it, the next UTC day resets it', async () => {
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env: { PA_MEDIA_QUOTA_DAY_BYTES: String(QUOTA) } });
    c.server = server;
    assertQuota(await up(png(9, 9)));
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false,
      env: { PA_MEDIA_QUOTA_DAY_BYTES: String(QUOTA), PA_TEST_CLOCK_OFFSET: String(DAY) } });
    c.server = server;
    assert.equal((await up(a)).status, 201, 'a new day');
  });
});

// ---- metadata

function pngChunks(buf) {
  const out = [];
  for (let i = 8; i + 12 <= buf.length; i += 12 + buf.readUInt32BE(i)) out.push(buf.toString('latin1', i + 4, i + 8));
  return out;
}

function webpChunks(buf) {
  const out = [];
  for (let i = 12; i + 8 <= buf.length;) {
    const len = buf.readUInt32LE(i + 4);
    out.push(buf.toString('latin1', i, i + 4));
    i += 8 + len + (len & 1);
  }
  return out;
}

/** Markers before the first scan, as hex ("e0", "db", ...). */
function jpegMarkers(buf) {
  const out = [];
  for (let i = 2; i + 4 <= buf.length && buf[i] === 0xff;) {
    const m = buf[i + 1];
    out.push(m.toString(16));
    if (m === 0xda) break;
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return out;
}

describe('uploaded images are served without metadata', () => {
  let server, c, dir;
  before(async () => {
    server = await startServer();
    c = await person(server, 'Gus');
    dir = mkdtempSync(path.join(os.tmpdir(), 'pa-meta-'));
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name) => path.join(dir, name);
  const tags = (f) => JSON.parse(execFileSync('exiftool', ['-j', '-G', '-a', f], { encoding: 'utf8' }))[0];
  const tag = (f, args) => execFileSync('exiftool', ['-q', '-overwrite_original', ...args, f]);
  const GPS = ['-GPSLatitude=48.8584', '-GPSLatitudeRef=N', '-GPSLongitude=2.2945', '-GPSLongitudeRef=E'];
  // What exiftool reports as metadata: EXIF (GPS included), XMP, IPTC, ICC, comments, PNG text.
  const META = /^(EXIF|XMP|IPTC|ICC_Profile|Photoshop|MakerNotes|MPF|FlashPix):|GPS|Comment|^PNG:(?!ImageWidth|ImageHeight|BitDepth|ColorType|Compression|Filter|Interlace|Gamma|WhitePoint|Red|Green|Blue|SRGBRendering|BackgroundColor|PixelsPerUnit|PixelUnits|SignificantBits)/;

  /** Uploads bytes, fetches them back from /media, saves them as name. */
  async function roundTrip(bytes, type, name) {
    const m = await c.upload(bytes, type);
    const got = await new Client(server).get(m.url);
    assert.equal(got.status, 200);
    assert.equal(got.buf.length, m.bytes);
    writeFileSync(file(name), got.buf);
    return { m, buf: got.buf, tags: tags(file(name)) };
  }

  const metaKeys = (t) => Object.keys(t).filter((k) => META.test(k));

  test('a GPS-tagged JPEG (EXIF, XMP, IPTC, comment) comes back with none of it, pixels untouched', async () => {
    execFileSync('convert', ['-size', '96x64', '-seed', '3', 'plasma:fractal', '-quality', '90', file('gps.jpg')]);
    tag(file('gps.jpg'), [...GPS, '-Make=PhoneCo', '-SerialNumber=SN12345', '-XMP:Creator=Gus', '-IPTC:Keywords=home',
      '-Comment=our street']);
    const before = tags(file('gps.jpg'));
    assert.ok(Object.keys(before).some((k) => /GPSLatitude/.test(k)), 'the original has GPS');
    assert.ok(metaKeys(before).some((k) => k.startsWith('XMP:')) && metaKeys(before).some((k) => k.startsWith('IPTC:')));
    const { m, buf, tags: after } = await roundTrip(readFileSync(file('gps.jpg')), 'image/jpeg', 'gps-served.jpg');
    assert.deepEqual(metaKeys(after), [], JSON.stringify(after));
    assert.deepEqual([m.width, m.height, after['File:ImageWidth'], after['File:ImageHeight']], [96, 64, 96, 64]);
    assert.ok(!buf.includes('SN12345') && !buf.includes('PhoneCo') && !buf.includes('our street'));
    for (const mk of jpegMarkers(buf)) assert.match(mk, /^(e0|db|c[0-9a-f]|dd|da)$/, `marker ${mk}`);
    // Stripped, not re-encoded: the scan data is the original's.
    const orig = readFileSync(file('gps.jpg'));
    const scan = (x) => x.subarray(x.indexOf(Buffer.from([0xff, 0xda])));
    assert.deepEqual(scan(buf), scan(orig));
  });

  test('a JPEG turned by its EXIF orientation is re-encoded upright, without EXIF', async () => {
    // Stored 64x48, red left and blue right; orientation 6 shows it turned clockwise:
    // 48x64, red on top.
    execFileSync('convert', ['-size', '32x48', 'xc:red', '-size', '32x48', 'xc:blue', '+append', '-quality', '95', file('turned.jpg')]);
    tag(file('turned.jpg'), ['-Orientation#=6', ...GPS]);
    const { m, tags: after } = await roundTrip(readFileSync(file('turned.jpg')), 'image/jpeg', 'turned-served.jpg');
    assert.deepEqual(metaKeys(after), [], JSON.stringify(after));
    assert.equal(after['EXIF:Orientation'], undefined);
    assert.deepEqual([m.width, m.height, m.type], [48, 64, 'image/jpeg']);
    const pixel = (x, y) => execFileSync('convert', [file('turned-served.jpg'), '-format', `%[fx:int(255*p{${x},${y}}.r)] %[fx:int(255*p{${x},${y}}.b)]`, 'info:'],
      { encoding: 'utf8' }).split(' ').map(Number);
    const [topR, topB] = pixel(24, 8), [botR, botB] = pixel(24, 56);
    assert.ok(topR > 200 && topB < 60, `top is red: ${topR} ${topB}`);
    assert.ok(botB > 200 && botR < 60, `bottom is blue: ${botR} ${botB}`);
  });

  test('a PNG with text chunks and EXIF GPS keeps only its image chunks', async () => {
    execFileSync('convert', ['-size', '40x30', 'gradient:green-white', '-set', 'comment', 'our street', file('text.png')]);
    tag(file('text.png'), GPS);
    const orig = readFileSync(file('text.png'));
    assert.ok(pngChunks(orig).includes('tEXt') && pngChunks(orig).includes('eXIf'), pngChunks(orig).join());
    const { buf, tags: after } = await roundTrip(orig, 'image/png', 'text-served.png');
    assert.deepEqual(metaKeys(after), [], JSON.stringify(after));
    for (const chunk of pngChunks(buf)) {
      assert.ok(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'gAMA', 'cHRM', 'sRGB', 'sBIT', 'bKGD', 'pHYs'].includes(chunk), chunk);
    }
    assert.deepEqual(pngChunks(buf).filter((k) => k === 'IDAT').length, pngChunks(orig).filter((k) => k === 'IDAT').length);
    assert.ok(!buf.includes('our street'));
  });

  test('a WebP with EXIF and XMP chunks keeps only its image chunks', async () => {
    execFileSync('convert', ['-size', '40x30', 'gradient:red-blue', file('meta.webp')]);
    tag(file('meta.webp'), [...GPS, '-XMP:Creator=Gus']);
    const orig = readFileSync(file('meta.webp'));
    assert.ok(webpChunks(orig).includes('EXIF') && webpChunks(orig).includes('XMP '), webpChunks(orig).join());
    const { buf, tags: after } = await roundTrip(orig, 'image/webp', 'meta-served.webp');
    assert.deepEqual(metaKeys(after), [], JSON.stringify(after));
    for (const chunk of webpChunks(buf)) assert.ok(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF'].includes(chunk), chunk);
    assert.equal(buf.readUInt32LE(4), buf.length - 8, 'RIFF size');
    assert.equal(buf[20] & 0x2c, 0, 'VP8X flags no ICC, EXIF or XMP');
  });

  test('a clean image is stored as sent; a structure that cannot be walked is 422 and not stored', async () => {
    const clean = freshPng();
    const { buf } = await roundTrip(clean, 'image/png', 'clean.png');
    assert.deepEqual(buf, clean);
    const broken = Buffer.from(clean);
    broken.writeUInt32BE(0x7fff0000, 33); // the IDAT's length runs past the end
    const r = await c.request('POST', '/api/v1/media', { body: broken, headers: { 'content-type': 'image/png' } });
    assertError(r, 422, 'unprocessable_media');
    assert.match(r.body.error.message, /metadata/);
  });
});

describe('schema 8 upgrade (media lifecycle)', () => {
  test('a schema-6 database is upgraded in place: files kept for nothing go, used uploads are attached', async () => {
    const { tmp, data, db, sql, migrations: m } = await oldDatabase('media', 6);
    // h1: Ann's post image, uploaded by her. h2: uploaded by Ann for a post she
    // deleted (only the upload row kept it: the leak). h3: Ben's avatar. h4:
    // Ben's fresh draft. h5: a pet avatar the seed stored (no upload row).
    const h = (n) => String(n).repeat(64);
    const now = Math.floor(Date.now() / 1000), old = now - 30 * DAY;
    for (let n = 1; n <= 5; n++) await writeFile(path.join(data, 'media', `${h(n)}.png`), png(n + 1, n + 1));
    sql(`PRAGMA foreign_keys = ON;
      INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES
        ('${h(1)}', 'png', 2, 2, 10, ${old}), ('${h(2)}', 'png', 3, 3, 10, ${old}), ('${h(3)}', 'png', 4, 4, 10, ${old}),
        ('${h(4)}', 'png', 5, 5, 10, ${now}), ('${h(5)}', 'png', 6, 6, 10, ${old});
      INSERT INTO users (id, handle, name, avatar, created_at) VALUES (1, 'ann', 'Ann', NULL, ${old}),
        (2, 'ben', 'Ben', '${h(3)}', ${old});
      INSERT INTO pets (id, owner_id, name, species, avatar, created_at) VALUES (1, 1, 'Biscuit', 'dog', '${h(5)}', ${old});
      INSERT INTO posts (id, author_id, pet_id, caption, created_at) VALUES (1, 1, 1, 'Walk', ${old});
      INSERT INTO post_pets VALUES (1, 1);
      INSERT INTO post_images (post_id, position, media) VALUES (1, 0, '${h(1)}');
      INSERT INTO uploads (id, user_id, media, created_at) VALUES (1, 1, '${h(1)}', ${old}), (2, 1, '${h(2)}', ${old}),
        (3, 2, '${h(3)}', ${old}), (4, 2, '${h(4)}', ${now});`);

    let server = await startServer({ data, seed: false });
    try {
      const anon = new Client(server);
      assert.equal(sql('PRAGMA user_version'), String(m.length), 'the current schema');
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT id, attached_at IS NOT NULL FROM uploads ORDER BY id'), ['1 1', '3 1', '4 0'].join('\n'));
      assert.equal(sql('SELECT count(*) FROM media_unref'), '0', 'the startup collection checked every hash');
      await assertServed(anon, `/media/${h(2)}.png`, false, 'the deleted post\'s image');
      for (const n of [1, 3, 4, 5]) await assertServed(anon, `/media/${h(n)}.png`, true, `h${n}`);
      // The triggers work on the upgraded file: a post deleted (and an avatar
      // removed) outside the server is collected at the next start.
      await stopServer(server);
      sql(`PRAGMA foreign_keys = ON; DELETE FROM posts WHERE id = 1; UPDATE users SET avatar = NULL WHERE id = 2;`);
      assert.equal(sql('SELECT hash FROM media_unref ORDER BY hash'), [h(1), h(3)].join('\n'));
      server = await startServer({ data, seed: false });
      anon.server = server;
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      for (const n of [1, 3]) await assertServed(anon, `/media/${h(n)}.png`, false, `h${n} once released`);
      for (const n of [4, 5]) await assertServed(anon, `/media/${h(n)}.png`, true, `h${n}`);
      assert.equal(sql('SELECT count(*) FROM uploads'), '1', 'only the draft\'s upload is left');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
