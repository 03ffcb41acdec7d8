// Replays (issue 24, web/src/live_replay.c): a kept live's Janus recordings
// become one metadata-free VP8 + Opus WebM and a poster through the real
// janus-pp-rec and ffmpeg. The recordings are written by tests/lib/mjr.mjs in
// Janus's MJR format from RTP that ffmpeg makes from lavfi sources (160x120
// at 2 fps), so the 10-minute recording takes seconds, not ten minutes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus } from '../lib/janus.mjs';
import { recordSegment } from '../lib/mjr.mjs';
import { videoTags } from '../lib/video.mjs';
import { BIN, Client, dbQuery, email, startServer, stopServer } from './helpers.mjs';

// web/src/live_replay.h
const MAX_SEGMENTS = 64; // PA_REPLAY_MAX_SEGMENTS
const MAX_FILES = 2 * MAX_SEGMENTS; // PA_REPLAY_MAX_FILES

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-replay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = 1_765_000_000_000_000; // µs: when the first file was opened

// The 10-minute recording, made once: the subcommand's test and the
// server's both use copies of it.
const TEN = path.join(tmp, 'ten-src');
before(async () => {
  mkdirSync(TEN);
  await recordSegment({ dir: TEN, room: 4242, feed: 77, seconds: 600, startUs: T0 });
});

// Waits for what the server does in the background (the replay worker's
// round): polls check until it returns something truthy (the test's own
// timeout is the bound).
async function until(what, check) {
  for (;;) {
    const v = await check();
    if (v) return v;
    await sleep(50);
  }
}

// `petamigos-server replay build REC OUT`: {status, stdout, stderr}.
function replayBuild(rec, out) {
  return spawnSync(BIN, ['replay', 'build', rec, out], { encoding: 'utf8' });
}

function probe(file) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file],
    { encoding: 'utf8' }));
}

// The colour of the frame shown at `seconds` (one pixel, RGB).
function pixelAt(file, seconds) {
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1',
    '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  return [...rgb];
}

// Metadata-free as every reel: no format or stream tags (ffmpeg's own name
// included), nothing exiftool calls a date, a place or an author.
function assertNoMetadata(file) {
  const { format, streams, exif } = videoTags(file);
  assert.deepEqual(format, {}, 'format tags');
  for (const s of streams) assert.deepEqual(s, {}, 'stream tags');
  const keys = Object.keys(exif).filter((k) => !k.startsWith('File:') && !k.startsWith('ExifTool:') && k !== 'SourceFile');
  const found = keys.filter((k) => /GPS|Location|Date|Time(?!codeScale)|Title|Author|Artist|Muxing|Writing|Encoder|XMP|Comment/i.test(k));
  assert.deepEqual(found, [], `exiftool tags: ${JSON.stringify(exif)}`);
}

describe('replay build (the operator subcommand and the pipeline under it)', () => {
  test('a 10-minute recording becomes a 600 s VP8 + Opus WebM with no metadata and a poster', async () => {
    const rec = path.join(tmp, 'ten'), out = path.join(tmp, 'ten-out');
    cpSync(TEN, rec, { recursive: true });
    const r = replayBuild(rec, out);
    assert.equal(r.status, 0, r.stderr);
    const ms = Number(/duration_ms (\d+)/.exec(r.stdout)[1]);
    assert.ok(Math.abs(ms - 600_000) <= 1000, `duration_ms ${ms}`);
    assert.match(r.stdout, /segments 1\n/);
    assert.deepEqual(readdirSync(out).sort(), ['poster.jpg', 'replay.webm'], 'only the two results stay');
    const video = path.join(out, 'replay.webm');
    const p = probe(video);
    assert.equal(p.format.format_name, 'matroska,webm');
    assert.ok(Math.abs(Number(p.format.duration) - 600) <= 1, `ffprobe duration ${p.format.duration}`);
    assert.deepEqual(p.streams.map((s) => s.codec_name), ['vp8', 'opus']);
    assert.equal(p.streams[0].width, 160);
    assertNoMetadata(video);
    // The recording is the same on both sides of the scrub: frames decode to the end.
    const dec = spawnSync('ffmpeg', ['-v', 'error', '-ss', '599', '-i', video, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(dec.status, 0, dec.stderr);
    assert.equal(dec.stderr.trim(), '');
    // The poster: a JPEG of the video's size, its JFIF header and nothing else.
    const poster = readFileSync(path.join(out, 'poster.jpg'));
    assert.deepEqual([...poster.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const pp = probe(path.join(out, 'poster.jpg'));
    assert.equal(pp.streams[0].codec_name, 'mjpeg');
    assert.equal(pp.streams[0].width, 160);
    assert.ok(!poster.includes('Lavc'), 'no encoder comment in the poster');
    // The recording folder is only read.
    assert.equal(readdirSync(rec).length, 2);
  });

  test('two segments (a reconnect under a new feed id) join in time order, one without sound', async () => {
    const rec = path.join(tmp, 'two'), out = path.join(tmp, 'two-out');
    mkdirSync(rec);
    // The earlier segment has the larger feed id: the names sort the other way.
    await recordSegment({ dir: rec, room: 5, feed: 900, seconds: 3, startUs: T0, color: 'red' });
    await recordSegment({ dir: rec, room: 5, feed: 100, seconds: 7, startUs: T0 + 60_000_000, color: 'blue', audio: false });
    const r = replayBuild(rec, out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /segments 2\n/);
    const ms = Number(/duration_ms (\d+)/.exec(r.stdout)[1]);
    assert.ok(Math.abs(ms - 10_000) <= 250, `duration_ms ${ms}`);
    const video = path.join(out, 'replay.webm');
    assert.deepEqual(probe(video).streams.map((s) => s.codec_name), ['vp8', 'opus']);
    const first = pixelAt(video, 1), second = pixelAt(video, 8);
    assert.ok(first[0] > 200 && first[2] < 50, `red first: ${first}`);
    assert.ok(second[2] > 200 && second[0] < 50, `blue second: ${second}`);
    assertNoMetadata(video);
  });

  test('a broken recording fails with a message naming the program and the file', async () => {
    const rec = path.join(tmp, 'broken'), out = path.join(tmp, 'broken-out');
    mkdirSync(rec);
    const name = `videoroom-6-user-1-${T0}-video-0.mjr`;
    writeFileSync(path.join(rec, name), Buffer.concat([Buffer.from('MJR00002\x00\x09{"t": "v"'), Buffer.alloc(64, 7)]));
    const r = replayBuild(rec, out);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^replay: janus-pp-rec failed \\(exit \\d+\\): .+ \\[${name}\\]\\n$`));
    assert.deepEqual(readdirSync(out), [], 'nothing half-made stays');
    // A folder with no video recording at all.
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'notes.txt'), 'not a recording');
    const e = replayBuild(empty, path.join(tmp, 'empty-out'));
    assert.equal(e.status, 1);
    assert.equal(e.stderr, 'replay: no video recording in the folder\n');
    // Wrong use: the usage, exit 2.
    const u = spawnSync(BIN, ['replay', 'build', rec], { encoding: 'utf8' });
    assert.equal(u.status, 2);
    assert.match(u.stderr, /usage: petamigos-server replay build REC_DIR OUT_DIR/);
  });

  test('PA_REPLAY_MAX_SEGMENTS and PA_REPLAY_MAX_FILES at their edges', () => {
    // Empty files named as VideoRoom names them: at the last allowed count the
    // build gets as far as janus-pp-rec (which refuses an empty file); one
    // more is refused before any program runs.
    function folder(name, videos, audios) {
      const dir = path.join(tmp, name);
      mkdirSync(dir);
      for (let i = 0; i < videos; i++) writeFileSync(path.join(dir, `videoroom-8-user-${i + 1}-${T0 + i * 1000}-video-0.mjr`), '');
      for (let i = 0; i < audios; i++) writeFileSync(path.join(dir, `videoroom-8-user-${i + 1}-${T0 + i * 1000 + 1}-audio-1.mjr`), '');
      return replayBuild(dir, path.join(tmp, `${name}-out`));
    }
    assert.match(folder('seg-last', MAX_SEGMENTS, 0).stderr, /^replay: janus-pp-rec found no media \[videoroom-8-user-1-/);
    assert.equal(folder('seg-over', MAX_SEGMENTS + 1, 0).stderr, `replay: more than ${MAX_SEGMENTS} segments\n`);
    assert.match(folder('files-last', MAX_SEGMENTS, MAX_FILES - MAX_SEGMENTS).stderr, /^replay: janus-pp-rec found no media \[videoroom-8-user-1-/);
    assert.equal(folder('files-over', MAX_SEGMENTS, MAX_FILES - MAX_SEGMENTS + 1).stderr,
      `replay: more than ${MAX_FILES} recordings in the folder\n`);
  });
});

// The worker in the server, with a real Janus (tests/lib/janus.mjs): a live
// started and ended through the routes with keep becomes a replay reel in
// GET /reels (its room's folder filled with our MJR files, as Janus would);
// discarded, its folder goes at end. Lives ended with keep whose replay is
// pending when the server starts (a restart, or kept while it was down) are
// built at once; a broken recording fails and stays for the operator.
describe('the replay worker', () => {
  let janus, server, owner, ownerId, pet, recRoot;
  const now = Math.floor(Date.now() / 1000);
  const lives = {};

  // A live row as lapi's routes leave it once ended (store/live.h).
  function endedLive(room, { keep, title, replay = keep ? 'pending' : 'none' }) {
    dbQuery(server, `INSERT INTO lives (user_id, pet_id, title, state, instance, room, room_secret, feed, created_at,
      started_at, ended_at, end_reason, keep, replay_state) VALUES (${ownerId}, ${pet.id.slice(4)}, '${title}', 'ended',
      'j1', ${room}, 'room-secret', 77, ${now - 700}, ${now - 690}, ${now - 60}, 'owner', ${keep}, '${replay}')`);
    return Number(dbQuery(server, `SELECT id FROM lives WHERE room = ${room}`));
  }

  before(async () => {
    janus = await startJanus();
    recRoot = janus.recDir;
    const env = janus.env;
    server = await startServer({ env });
    owner = new Client(server);
    ownerId = (await owner.signup(email('host'), 'host password', 'Host')).id.slice(2);
    pet = (await owner.post('/api/v1/pets', { name: 'Biscuit', species: 'dog' })).body;
    lives.kept = endedLive(4242, { keep: 1, title: 'Biscuit at the beach' });
    lives.discarded = endedLive(5151, { keep: 0, title: 'Not this one' });
    lives.broken = endedLive(6161, { keep: 1, title: 'Broken' });
    // Cut short by a stop mid-build: still processing, built again.
    lives.interrupted = endedLive(4343, { keep: 1, title: 'Interrupted', replay: 'processing' });
    cpSync(TEN, path.join(recRoot, '4242'), { recursive: true });
    mkdirSync(path.join(recRoot, '4343'));
    for (const f of readdirSync(TEN)) cpSync(path.join(TEN, f), path.join(recRoot, '4343', f.replace('-4242-', '-4343-')));
    mkdirSync(path.join(recRoot, '5151'));
    cpSync(path.join(TEN, readdirSync(TEN)[0]), path.join(recRoot, '5151', readdirSync(TEN)[0]));
    mkdirSync(path.join(recRoot, '6161'));
    writeFileSync(path.join(recRoot, '6161', `videoroom-6161-user-1-${T0}-video-0.mjr`), 'MJR00002\x00\x03{"t');
    // A folder no live names (a live being started): left alone.
    mkdirSync(path.join(recRoot, '7171'));
    // The rows were written behind the running server's back: a restart
    // finds them pending, as after a crash.
    await stopServer(server);
    server = await startServer({ data: server.dir, seed: false, env });
    owner.server = server; // the same session, the new port
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await janus?.stop();
  });

  test('a kept live becomes a replay reel; the raw folder goes; the broadcaster is told', async () => {
    await until('ready', () => dbQuery(server, `SELECT replay_state FROM lives WHERE id = ${lives.kept}`) === 'ready');
    const reelId = Number(dbQuery(server, `SELECT reel_id FROM lives WHERE id = ${lives.kept}`));
    assert.ok(reelId > 0);
    assert.equal(dbQuery(server, `SELECT kind, live_id, author_id, pet_id, caption FROM reels WHERE id = ${reelId}`),
      `replay|${lives.kept}|${ownerId}|${pet.id.slice(4)}|Biscuit at the beach`);
    const ms = Number(dbQuery(server, `SELECT duration_ms FROM reels WHERE id = ${reelId}`));
    assert.ok(Math.abs(ms - 600_000) <= 1000, `duration_ms ${ms}`);
    assert.equal(dbQuery(server, `SELECT detail FROM notices WHERE user_id = ${ownerId} AND kind = 'live_replay'
      AND detail LIKE '%"live_${lives.kept}"%'`), `{"live":"live_${lives.kept}","reel":"r_${reelId}","state":"ready"}`);
    await until('raw folder deleted', () => !existsSync(path.join(recRoot, '4242')));
    assert.ok(!existsSync(path.join(recRoot, '4242.replay')), 'the work folder goes too');
    // The stored files: the scrubbed WebM and the poster.
    const [video, poster] = dbQuery(server, `SELECT video, poster FROM reels WHERE id = ${reelId}`).split('|');
    const file = path.join(server.dir, 'media', `${video}.webm`);
    assert.ok(Math.abs(Number(probe(file).format.duration) - 600) <= 1);
    assertNoMetadata(file);
    assert.ok(existsSync(path.join(server.dir, 'media', `${poster}.jpg`)));
  });

  test('a replay left processing by a stop is built again at start', async () => {
    await until('ready', () => dbQuery(server, `SELECT replay_state FROM lives WHERE id = ${lives.interrupted}`) === 'ready');
    assert.equal(dbQuery(server, `SELECT r.caption FROM lives l JOIN reels r ON r.id = l.reel_id WHERE l.id = ${lives.interrupted}`),
      'Interrupted');
    await until('raw folder deleted', () => !existsSync(path.join(recRoot, '4343')));
  });

  test('a discarded live\'s folder is deleted; one no live names is left', async () => {
    await until('discarded folder deleted', () => !existsSync(path.join(recRoot, '5151')));
    assert.equal(dbQuery(server, `SELECT replay_state FROM lives WHERE id = ${lives.discarded}`), 'none');
    assert.ok(existsSync(path.join(recRoot, '7171')));
  });

  test('a broken recording: replay failed, the broadcaster told, the folder kept for the operator', async () => {
    await until('failed', () => dbQuery(server, `SELECT replay_state FROM lives WHERE id = ${lives.broken}`) === 'failed');
    assert.equal(dbQuery(server, `SELECT reel_id IS NULL FROM lives WHERE id = ${lives.broken}`), '1');
    assert.equal(dbQuery(server, `SELECT detail FROM notices WHERE user_id = ${ownerId} AND kind = 'live_replay'
      AND detail LIKE '%"live_${lives.broken}"%'`), `{"live":"live_${lives.broken}","reel":null,"state":"failed"}`);
    assert.ok(existsSync(path.join(recRoot, '6161', `videoroom-6161-user-1-${T0}-video-0.mjr`)));
    // The reason in the log (the server's stderr reaches us through a pipe, after the row).
    await until('logged', () => new RegExp(`live_${lives.broken}: janus-pp-rec failed \\(exit 1\\): .+ \\[videoroom-6161-`).test(server.stderr));
  });
  // A live through the routes: started (Janus creates its room and the
  // server its folder), its folder filled as Janus would, then ended.
  async function liveWithRecording(title) {
    const r = await owner.post('/api/v1/lives', { pet_id: pet.id, title });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.live.id;
    const room = Number(dbQuery(server, `SELECT room FROM lives WHERE id = ${id.slice("live_".length)}`));
    const dir = path.join(recRoot, String(room));
    assert.ok(existsSync(dir), 'the server made the room\'s folder');
    for (const f of readdirSync(TEN)) cpSync(path.join(TEN, f), path.join(dir, f.replace('-4242-', `-${room}-`)));
    return { id, dir };
  }

  test('kept through POST /lives/{live}/end: the replay reel in GET /reels, the Live ready, the notice', async () => {
    const { id, dir } = await liveWithRecording('Ten minutes of Biscuit');
    const end = await owner.post(`/api/v1/lives/${id}/end`, { keep: true });
    assert.equal(end.status, 200, JSON.stringify(end.body));
    assert.ok(['pending', 'processing'].includes(end.body.replay.state), JSON.stringify(end.body.replay));
    const live = await until('ready', async () => {
      const g = await owner.get(`/api/v1/lives/${id}`);
      assert.equal(g.status, 200);
      assert.notEqual(g.body.replay?.state, 'failed', JSON.stringify(g.body.replay));
      return g.body.replay?.state === 'ready' && g.body;
    });
    const reel = live.replay.reel;
    assert.equal(reel.caption, 'Ten minutes of Biscuit');
    assert.equal(reel.replay.live, id);
    assert.ok(Math.abs(reel.replay.duration_ms - 600_000) <= 1000, `duration_ms ${reel.replay.duration_ms}`);
    assert.equal(reel.pet.id, pet.id);
    // Listed in GET /reels like any reel, newest first: this one is the newest.
    const list = await owner.get('/api/v1/reels');
    assert.equal(list.status, 200);
    assert.equal(list.body.reels[0].id, reel.id);
    assert.deepEqual(list.body.reels[0].replay, reel.replay);
    // Its video is served, a WebM of ten minutes.
    const video = await owner.get(new URL(reel.video.url, server.url).pathname);
    assert.equal(video.status, 200);
    assert.equal(video.headers['content-type'], 'video/webm');
    const file = path.join(tmp, 'served.webm');
    writeFileSync(file, video.buf);
    assert.ok(Math.abs(Number(probe(file).format.duration) - 600) <= 1);
    assertNoMetadata(file);
    // The broadcaster's notice, in the notifications list.
    const notes = await owner.get('/api/v1/notifications');
    const n = notes.body.notifications.find((x) => x.kind === 'live_replay' && x.detail?.live === id);
    assert.ok(n, JSON.stringify(notes.body.notifications.map((x) => x.kind)));
    assert.deepEqual(n.detail, { live: id, reel: reel.id, state: 'ready' });
    await until('raw folder deleted', () => !existsSync(dir));
    // Deleted like a reel: the Live then has no reel.
    const del = await owner.del(`/api/v1/reels/${reel.id}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal((await owner.get(`/api/v1/lives/${id}`)).body.replay.reel, null);
  });

  test('discarded through POST /lives/{live}/end: no replay, the folder deleted at end', async () => {
    const { id, dir } = await liveWithRecording('Not for keeps');
    const end = await owner.post(`/api/v1/lives/${id}/end`, { keep: false });
    assert.equal(end.status, 200, JSON.stringify(end.body));
    assert.equal(end.body.replay, null);
    await until('folder deleted', () => !existsSync(dir));
    assert.equal(dbQuery(server, `SELECT replay_state, reel_id IS NULL FROM lives WHERE id = ${id.slice("live_".length)}`), 'none|1');
  });
});
