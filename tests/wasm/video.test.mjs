// A reel's video in the media module (petamigos-media.wasm, the decode
// worker's): pa_media_scrub_video clears the metadata of real ffmpeg-made
// MP4, MOV and WebM files in place — the same bytes as the native CLI's
// video-scrub — and the result still decodes; broken files are refused with
// the core's message and left untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, SITE } from '../lib/paths.mjs';
import { loadSeam } from '../lib/core.mjs';
import { assertDecodes, hasLocation, makeLocatedVideo } from '../lib/video.mjs';

const { bindMedia } = await loadSeam('media');
let media, tmp;

before(async () => {
  const { default: create } = await import(path.join(SITE, 'petamigos-media.mjs'));
  media = bindMedia(await create({ wasmBinary: readFileSync(path.join(SITE, 'petamigos-media.wasm')) }));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-video-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

// The worker's call: the bytes are scrubbed in place (a copy here) and read back.
function scrub(bytes) {
  const out = new Uint8Array(bytes);
  const { status, frames: cleared, format: container, text } = media.mediaScrubVideo(out);
  return { status, cleared, container, text, bytes: out };
}

const cli = (...args) => spawnSync(CLI, args, { encoding: 'utf8' });

for (const [ext, container, what] of [['mp4', 1, /udta/], ['mov', 1, /udta/], ['webm', 2, /Tags Title/]]) {
  test(`${ext}: location and title cleared in place, same bytes as the CLI, still decodes`, () => {
    const file = makeLocatedVideo(path.join(tmp, `gps.${ext}`));
    assert.ok(hasLocation(file), 'the fixture has a location to clear');
    const bytes = readFileSync(file);
    const r = scrub(bytes);
    assert.equal(r.status, 0, r.text);
    assert.equal(r.container, container);
    assert.ok(r.cleared >= 1);
    assert.match(r.text, what);
    assert.equal(r.bytes.length, bytes.length);
    const out = path.join(tmp, `wasm.${ext}`);
    writeFileSync(out, r.bytes);
    assert.equal(hasLocation(out), false, 'no location left');
    assertDecodes(out);
    const native = path.join(tmp, `native.${ext}`);
    const n = cli('video-scrub', file, native);
    assert.equal(n.status, 0, n.stderr);
    assert.equal(n.stdout, r.text);
    assert.deepEqual(readFileSync(native), Buffer.from(r.bytes));
    // Scrubbing a scrubbed file finds nothing.
    const again = scrub(r.bytes);
    assert.equal(again.status, 0);
    assert.equal(again.cleared, 0);
    assert.deepEqual(again.bytes, r.bytes);
  });
}

// Lengths as ffmpeg made them (ffprobe agrees), the same natively and in
// WASM: MP4 (mvhd), MOV, WebM with Info/Duration, Matroska, a WebM without
// Duration (-live 1, as MediaRecorder writes: the last block's start, one
// 40 ms frame short) and a fragmented MP4 (unknown).
test('durations of ffmpeg-made videos: native = WASM, at known lengths', () => {
  const cases = [
    ['1.2.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], 'duration 1200 ms'],
    ['2.mov', ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], 'duration 2000 ms'],
    ['3.04.webm', ['-c:v', 'libvpx', '-deadline', 'realtime'], 'duration 3040 ms'],
    ['0.4.mkv', ['-c:v', 'ffv1'], 'duration 400 ms'],
    ['2.live.webm', ['-c:v', 'libvpx', '-deadline', 'realtime', '-live', '1'], 'duration 1960 ms'],
    ['1.frag.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+frag_keyframe+empty_moov'],
      'duration unknown: a fragmented MP4 (moov/mvex) states its length per fragment'],
  ];
  for (const [name, codec, want] of cases) {
    const file = path.join(tmp, name);
    const seconds = name.split(/\.(?=[a-z])/)[0];
    const r0 = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=green:size=32x32:rate=25',
      '-t', seconds, ...codec, file], { encoding: 'utf8' });
    assert.equal(r0.status, 0, r0.stderr);
    const probed = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).stdout.trim();
    if (!name.includes('live')) assert.equal(Number(probed), Number(seconds), `${name}: ffprobe`);
    const n = cli('video-scrub', file, path.join(tmp, `out-${name}`));
    assert.equal(n.status, 0, n.stderr);
    assert.ok(n.stdout.endsWith(`, ${want}\n`), `${name}: ${n.stdout}`);
    assert.equal(scrub(readFileSync(file)).text, n.stdout, `${name}: WASM = CLI`);
  }
});

test('broken videos are refused with the core\'s reason and left as they were', () => {
  const mp4 = readFileSync(makeLocatedVideo(path.join(tmp, 'broken.mp4')));
  const cut = mp4.subarray(0, mp4.length - 50);
  const overrun = Buffer.from(mp4);
  const moov = mp4.indexOf('moov') - 4;
  overrun.writeUInt32BE(mp4.readUInt32BE(moov) + 8, moov + 8); // moov's first child is larger than moov
  const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
  for (const [bytes, status, text] of [[cut, 7, /truncated.*the file ends first/], [overrun, 3, /syntax.*overruns its parent/],
    [gif, 6, /unsupported.*not an MP4 or WebM video/]]) {
    const r = scrub(bytes);
    assert.equal(r.status, status, r.text);
    assert.match(r.text, text);
    assert.deepEqual(Buffer.from(r.bytes), bytes, 'untouched');
    const file = path.join(tmp, 'bad');
    writeFileSync(file, bytes);
    const n = cli('video-scrub', file, path.join(tmp, 'never'));
    assert.equal(n.status, 2);
    assert.equal(n.stderr, r.text);
  }
});
