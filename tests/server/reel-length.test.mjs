// A reel's video may last as long as the uploader's tier allows
// (web/src/pay/catalog.h: 60 s free, 180 s Plus): POST /media reads the
// length the file states (the core's scrub walk, rounded up to the
// millisecond) and refuses a longer one, or one whose length cannot be read,
// with 422 before anything is stored or counted against the daily quota.
// Real ffmpeg-made clips, 32x32 at 25 fps (frames of 40 ms, so -t gives
// exact lengths); checked with ffprobe before they are trusted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, assertError, dbQuery, email, png, startServer, stopServer } from './helpers.mjs';

const FREE_S = 60, PLUS_S = 180; // PA_CATALOG_REEL_S_FREE, PA_CATALOG_REEL_S_PLUS
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-reel-length-'));

// seconds: a multiple of 0.04; live: a WebM without Info/Duration, as live
// writers make them (ffmpeg -live 1, older Chromium MediaRecorders).
function clip(seconds, ext, { live = false } = {}) {
  const file = path.join(tmp, `${seconds}${live ? '-live' : ''}.${ext}`);
  const codec = ext === 'webm' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '20k', ...(live ? ['-live', '1'] : [])]
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:size=32x32:rate=25',
    '-t', String(seconds), ...codec, file]);
  const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim();
  if (!live) {
    assert.equal(Number(probed), seconds, `${file}: ffprobe's duration`);
  } else {
    // ffprobe gives no length for a file without Duration; its frames must add up.
    assert.equal(probed, 'N/A', `${file} states no Duration`);
    const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
      '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
    assert.equal(frames, Math.round(seconds * 25), `${file}: frames`);
  }
  return readFileSync(file);
}

describe('reel length by tier', () => {
  let server, free, plus, anon, freeId, plusId, pet;
  const v = {};
  before(async () => {
    v.mp4At60 = clip(60, 'mp4');
    v.mp4Over60 = clip(60.04, 'mp4');
    v.mp4At180 = clip(180, 'mp4');
    v.mp4Over180 = clip(180.04, 'mp4');
    v.webmOver60 = clip(60.04, 'webm');
    v.liveOver60 = clip(60.12, 'webm', { live: true }); // its last frame starts at 60.08 s
    server = await startServer({ env: { PA_LIMIT_UPLOAD_BURST: '1000' } });
    free = new Client(server);
    plus = new Client(server);
    anon = new Client(server);
    freeId = (await free.signup(email('free'), 'free password', 'Free')).id.slice(2);
    plusId = (await plus.signup(email('plus'), 'plus password', 'Plus')).id.slice(2);
    // Plus as the billing journey leaves it (users.plus_until, seconds; the
    // session join reads it on every request: web/src/api/router.c).
    dbQuery(server, `UPDATE users SET plus_until = ${Math.floor(Date.now() / 1000) + 30 * 86400} WHERE id = ${plusId}`);
    pet = (await plus.post('/api/v1/pets', { name: 'Biscuit', species: 'dog' })).body;
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    rmSync(tmp, { recursive: true, force: true });
  });

  const up = (c, bytes, type = 'video/mp4') => c.request('POST', '/api/v1/media', { body: bytes, headers: { 'content-type': type } });
  const counted = (id) => Number(dbQuery(server, `SELECT COALESCE(SUM(bytes), 0) FROM upload_bytes WHERE user_id = ${id}`));
  const uploads = (id) => Number(dbQuery(server, `SELECT COUNT(*) FROM uploads WHERE user_id = ${id}`));
  const files = () => readdirSync(path.join(server.dir, 'media')).length;

  // A refusal: 422 with the numbers, and nothing stored or counted.
  async function refused(c, id, bytes, { type, ms, limit }) {
    const before = { counted: counted(id), uploads: uploads(id), files: files() };
    const r = await up(c, bytes, type);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body), ['error', 'video']);
    assert.equal(r.body.error.code, ms === null ? 'video_length_unknown' : 'video_too_long');
    assert.deepEqual(r.body.video, { duration_ms: ms, limit_seconds: limit, plus_limit_seconds: PLUS_S });
    assert.match(r.body.error.message, new RegExp(`at most ${limit} seconds`));
    if (ms !== null) assert.match(r.body.error.message, new RegExp(`is ${(ms / 1000).toFixed(3).replace('.', '\\.')} seconds long`));
    if (limit < PLUS_S) assert.match(r.body.error.message, new RegExp(`With Plus, reels may be up to ${PLUS_S} seconds`));
    else assert.doesNotMatch(r.body.error.message, /With Plus/);
    assert.deepEqual({ counted: counted(id), uploads: uploads(id), files: files() }, before, 'nothing stored, nothing counted');
    return r;
  }

  test('free: exactly 60 s is accepted, 40 ms more is refused with the Plus hint', async () => {
    const at = counted(freeId);
    const ok = await up(free, v.mp4At60);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(counted(freeId), at + v.mp4At60.length, 'an accepted video is counted');
    await refused(free, freeId, v.mp4Over60, { ms: 60040, limit: FREE_S });
    await refused(free, freeId, v.webmOver60, { type: 'video/webm', ms: 60040, limit: FREE_S });
    // Without Info/Duration the last block's start counts (60.08 s).
    await refused(free, freeId, v.liveOver60, { type: 'video/webm', ms: 60080, limit: FREE_S });
  });

  test('a video whose length cannot be read is refused', async () => {
    // mvhd's timescale set to 0: the bytes still scrub, the length is unknown.
    const broken = Buffer.from(v.mp4At60);
    const mvhd = broken.indexOf('mvhd');
    assert.equal(broken[mvhd + 4], 0, 'version 0');
    broken.writeUInt32BE(0, mvhd + 4 + 12);
    await refused(free, freeId, broken, { ms: null, limit: FREE_S });
    const r = await up(plus, broken);
    assert.equal(r.body.error.code, 'video_length_unknown');
    assert.match(r.body.error.message, /timescale is 0/);
  });

  test('Plus: past 60 s and exactly 180 s are accepted, 40 ms more is refused; the reel works', async () => {
    const over60 = await up(plus, v.mp4Over60);
    assert.equal(over60.status, 201, JSON.stringify(over60.body));
    const live = await up(plus, v.liveOver60, 'video/webm');
    assert.equal(live.status, 201, JSON.stringify(live.body));
    const at180 = await up(plus, v.mp4At180);
    assert.equal(at180.status, 201, JSON.stringify(at180.body));
    await refused(plus, plusId, v.mp4Over180, { ms: 180040, limit: PLUS_S });
    const poster = await plus.upload(png(32, 32), 'image/png');
    const reel = await plus.post('/api/v1/reels', { video_media_id: at180.body.id, poster_media_id: poster.id, caption: 'Three minutes of Biscuit', pet_id: pet.id });
    assert.equal(reel.status, 201, JSON.stringify(reel.body));
    const listed = (await anon.get('/api/v1/reels')).body.reels.find((x) => x.id === reel.body.id);
    assert.ok(listed, 'the reel is listed');
    const served = await anon.get(listed.video.url);
    assert.equal(served.status, 200);
    assert.equal(served.buf.length, v.mp4At180.length);
  });

  test('Plus ends: the free limit applies again', async () => {
    dbQuery(server, `UPDATE users SET plus_until = ${Math.floor(Date.now() / 1000) - 1} WHERE id = ${plusId}`);
    await refused(plus, plusId, v.mp4Over60, { ms: 60040, limit: FREE_S });
  });

  test('no session: 401 before the length matters', async () => {
    assertError(await up(anon, v.mp4At60), 401, 'unauthorized');
    assertError(await up(anon, v.mp4Over180), 401, 'unauthorized');
  });
});
