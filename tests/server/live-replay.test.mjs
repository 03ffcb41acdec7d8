// Replays (issue 24, web/src/live_replay.c): a kept live's Janus recordings
// become one metadata-free VP8 + Opus WebM and a poster through the real
// janus-pp-rec and ffmpeg. The recordings are written by tests/lib/mjr.mjs in
// Janus's MJR format from RTP that ffmpeg makes from lavfi sources (160x120
// at 2 fps), so the 10-minute recording takes seconds, not ten minutes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordSegment } from '../lib/mjr.mjs';
import { videoTags } from '../lib/video.mjs';
import { BIN } from './helpers.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-replay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = 1_765_000_000_000_000; // µs: when the first file was opened

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
    mkdirSync(rec);
    await recordSegment({ dir: rec, room: 4242, feed: 77, seconds: 600, startUs: T0 });
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
    const [r1, , b1] = pixelAt(video, 1), [r8, , b8] = pixelAt(video, 8);
    assert.ok(r1 > 200 && b1 < 50, `red first: ${pixelAt(video, 1)}`);
    assert.ok(b8 > 200 && r8 < 50, `blue second: ${pixelAt(video, 8)}`);
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
});
