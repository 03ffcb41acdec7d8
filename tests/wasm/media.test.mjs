// The media module (petamigos-media.wasm, the decode worker's) in Node: every
// format, orientation, resize, ThumbHash and upload preparation give the same
// bytes as the native CLI, and uploads carry no metadata.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodePng } from '../lib/png.mjs';
import { CLI, ROOT, SITE } from '../lib/paths.mjs';
import { loadSeam } from '../lib/core.mjs';

const { bindMedia, pa_image_format } = await loadSeam('media');

const FORMATS = path.join(ROOT, 'tests/corpus/image-formats');
const REGRESSIONS = path.join(ROOT, 'tests/corpus/image-regressions');
let media, tmp, big;

async function loadMedia() {
  const { default: create } = await import(path.join(SITE, 'petamigos-media.mjs'));
  return bindMedia(await create({ wasmBinary: readFileSync(path.join(SITE, 'petamigos-media.wasm')) }));
}

// The native CLI: stdout, or stderr when it refuses.
function native(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  return { code: r.status, text: r.stdout || r.stderr };
}

const sha = (b) => createHash('sha256').update(b).digest('hex');
const corpusImages = () => readdirSync(FORMATS).filter((n) => /\.(jpe?g|png|gif|bmp|webp|avif|heic)$/.test(n));

before(async () => {
  media = await loadMedia();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-media-'));
  // Photo-sized JPEGs (4:2:0, like cameras) exercise stb's SIMD paths.
  big = path.join(tmp, 'big.jpg');
  execFileSync('convert', ['-size', '1080x1350', '-seed', '21', 'plasma:fractal', '-quality', '85', big]);
  execFileSync('convert', [big, '-interlace', 'JPEG', path.join(tmp, 'big-progressive.jpg')]);
});

test('reports the same version as the native CLI', () => {
  assert.equal(native(['version']).text.trim(), `petamigos ${media.mediaVersion()}`);
});

test('every corpus file decodes (or is refused) exactly as natively, frames and orientation included', () => {
  const files = [...corpusImages().map((n) => path.join(FORMATS, n)),
    ...readdirSync(REGRESSIONS).map((n) => path.join(REGRESSIONS, n)), big, path.join(tmp, 'big-progressive.jpg')];
  assert.ok(files.length >= 40);
  for (const file of files) {
    const r = media.mediaDecode(readFileSync(file));
    const nat = native(['image-info', file]);
    assert.equal(r.text, nat.text, path.basename(file));
    assert.equal(r.status === 0, nat.code === 0, path.basename(file));
  }
  const anim = media.mediaDecode(readFileSync(path.join(FORMATS, 'anim.gif')));
  assert.match(anim.text, /^gif 20x16 rgba checksum [0-9a-f]{8} frames 3 delays 100,200,300\n$/);
  assert.equal(anim.data.length, 3 * 20 * 16 * 4);
  assert.match(media.mediaDecode(readFileSync(path.join(FORMATS, 'orient-6-mm.jpg'))).text,
    /^jpeg 48x32 .* orientation 6\n$/);
});

test('decoded pixels match the native PNGs byte for byte, every frame and the worker path', () => {
  const cases = [['anim.gif', 3], ['anim-previous.gif', 4], ['orient-7.jpg', 1], ['cmyk.jpg', 1],
    ['rgb16.png', 1], ['bmp8.bmp', 1], ['palette-trns.png', 1]];
  for (const [name, frames] of cases) {
    const r = media.mediaDecode(readFileSync(path.join(FORMATS, name)));
    const size = r.width * r.height * 4;
    for (let f = 0; f < frames; f++) {
      const out = path.join(tmp, `${name}-${f}.png`);
      assert.equal(native(['image-decode', path.join(FORMATS, name), out, '--frame', String(f)]).code, 0);
      const png = decodePng(readFileSync(out));
      assert.ok(Buffer.from(r.data.subarray(f * size, (f + 1) * size)).equals(png.pixels), `${name} frame ${f}`);
    }
  }
  // The worker's call: first frame, upright, downscaled to cover the box.
  for (const [file, w, h] of [[big, 540, 0], [big, 300, 300], [path.join(FORMATS, 'orient-6.jpg'), 20, 0],
    [path.join(FORMATS, 'alpha.png'), 17, 9], [path.join(FORMATS, 'anim.gif'), 0, 0]]) {
    const r = media.mediaDecodeFit(readFileSync(file), w, h);
    const out = path.join(tmp, 'fit.png');
    assert.equal(native(['image-decode', file, out, '--fit', String(w), String(h)]).code, 0);
    const png = decodePng(readFileSync(out));
    assert.deepEqual([r.width, r.height], [png.width, png.height], `${file} ${w}x${h}`);
    assert.ok(Buffer.from(r.data).equals(png.pixels), `${path.basename(file)} fit ${w}x${h}`);
  }
  const fit = media.mediaDecodeFit(readFileSync(big), 540, 0);
  assert.deepEqual([fit.width, fit.height], [540, 675]);
});

test('resizing gives the native pixels byte for byte', () => {
  for (const [file, w, h] of [[big, 540, 0], [big, 0, 100], [path.join(FORMATS, 'alpha.png'), 31, 17],
    [path.join(FORMATS, 'exif-gps.jpg'), 24, 0]]) {
    const r = media.mediaResize(readFileSync(file), w, h);
    assert.equal(r.status, 0, r.text);
    const out = path.join(tmp, 'resized.png');
    const nat = native(['image-resize', file, String(w), String(h), out]);
    assert.equal(nat.code, 0, nat.text);
    const png = decodePng(readFileSync(out));
    assert.deepEqual([r.width, r.height], [png.width, png.height]);
    assert.ok(Buffer.from(r.data).equals(png.pixels), `${path.basename(file)} to ${w}x${h}`);
  }
});

test('ThumbHash placeholders are the same bytes and pixels as native', () => {
  for (const name of ['plasma.jpg', 'alpha.png', 'exif-gps.jpg', 'anim.gif', 'palette-trns.png']) {
    const file = path.join(FORMATS, name);
    const r = media.mediaHash(readFileSync(file));
    assert.equal(r.text, native(['image-hash', file]).text, name);
    const hash = r.text.split(' ')[1];
    assert.ok(Buffer.from(hash, 'base64').length <= 25);
    const out = path.join(tmp, 'placeholder.png');
    assert.equal(native(['image-hash', '--decode', hash, out]).code, 0);
    const rendered = media.mediaHashRender(hash);
    assert.ok(Buffer.from(rendered.data).equals(decodePng(readFileSync(out)).pixels), name);
    assert.equal(Math.max(rendered.width, rendered.height), 32);
  }
  assert.match(media.mediaHashRender('AAAA').text, /^error \(truncated\): thumbhash: 3 bytes is too short/);
});

// Markers of a JPEG up to its first scan.
function jpegMarkers(b) {
  const out = [];
  for (let at = 2; at + 4 <= b.length && b[at] === 0xff && b[at + 1] !== 0xda; at += 2 + b.readUInt16BE(at + 2)) {
    out.push(b[at + 1].toString(16));
  }
  return out;
}

test('upload preparation gives the native bytes and strips every piece of metadata', () => {
  const exiftool = spawnSync('exiftool', ['-ver']).status === 0;
  const cases = [['exif-gps.jpg', []], ['exif-gps.png', []], ['orient-6.jpg', []], ['alpha.png', []],
    ['anim.gif', []], ['big', ['--max-edge', '512']], ['big', ['--quality', '70']]];
  for (const [name, opts] of cases) {
    const file = name === 'big' ? big : path.join(FORMATS, name);
    const out = path.join(tmp, 'upload.bin');
    const nat = native(['image-prepare', file, out, ...opts]);
    assert.equal(nat.code, 0, nat.text);
    const maxEdge = opts[0] === '--max-edge' ? Number(opts[1]) : 2048;
    const quality = opts[0] === '--quality' ? Number(opts[1]) : 85;
    const r = media.mediaPrepare(readFileSync(file), maxEdge, quality);
    assert.equal(r.text, nat.text, name);
    const bytes = Buffer.from(r.data);
    assert.equal(sha(bytes), sha(readFileSync(out)), `${name}: the same bytes as native`);
    for (const secret of ['Exif', 'GPS', 'http://ns.adobe.com', 'ICC_PROFILE', 'Photoshop', 'PetPhone',
      'SN123456', 'Paris', 'Rex at the tower', 'home sweet home', 'eXIf', 'tEXt', 'iTXt', 'iCCP']) {
      assert.equal(bytes.indexOf(secret), -1, `${name} upload carries ${secret}`);
    }
    if (r.format === 1) assert.deepEqual(jpegMarkers(bytes), ['e0', 'db', 'c0', 'c4'], name);
    if (exiftool) {
      writeFileSync(out, bytes);
      const tags = JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', out], { encoding: 'utf8' }))[0];
      const found = Object.keys(tags).filter((k) => /^(EXIF|GPS|XMP|ICC|IPTC|Photoshop|IFD)/.test(k) || /Comment$/.test(k));
      assert.deepEqual(found, [], `${name}: exiftool finds ${found.join(', ')}`);
    }
  }
  const gps = media.mediaPrepare(readFileSync(path.join(FORMATS, 'exif-gps.jpg')), 2048, 85);
  assert.match(gps.text, /^jpeg 48x64 \d+ bytes thumbhash \S+ source-frames 1 source-metadata exif gps xmp icc comment text\n$/);
  const anim = media.mediaPrepare(readFileSync(path.join(FORMATS, 'anim.gif')), 2048, 85);
  assert.match(anim.text, /source-frames 3 /);
  const webp = media.mediaPrepare(readFileSync(path.join(FORMATS, 'photo.webp')), 2048, 85);
  assert.match(webp.text, /^error \(unsupported\): image: WebP is not supported by the core \(the browser decodes it\)\n$/);
});

test('pixels the browser decoded (WebP, AVIF) are prepared from RGBA', () => {
  const w = 3000, h = 40, px = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) px.set([200, 120, 40, 255], i * 4);
  const r = media.mediaPrepareRgba(px, w, h, 2048, 85);
  assert.equal(r.status, 0, r.text);
  assert.match(r.text, /^jpeg 2048x28 /);
  assert.deepEqual([...r.data.subarray(0, 3)], [0xff, 0xd8, 0xff]);
});

test('damaged files give the native error, never a trap', () => {
  for (const name of ['progressive.jpg', 'interlaced.png', 'anim.gif', 'bmp24.bmp', 'exif-gps.jpg']) {
    const bytes = readFileSync(path.join(FORMATS, name));
    for (const cut of [0, 10, bytes.length >> 2, bytes.length >> 1, bytes.length - 1]) {
      const part = bytes.subarray(0, cut);
      const file = path.join(tmp, 'cut.bin');
      writeFileSync(file, part);
      assert.equal(media.mediaDecode(part).text, native(['image-info', file]).text, `${name} cut at ${cut}`);
    }
    for (let i = 0; i < 30; i++) {
      const bad = Buffer.from(bytes);
      for (let k = 0; k < 4; k++) bad[(i * 7919 + k * 104729) % bad.length] ^= 0xa5;
      const r = media.mediaDecodeFit(bad, 16, 16);
      assert.ok(r.status === 0 || /^error \(\w+\): /.test(r.text), `${name} #${i}`);
    }
  }
  const probe = media.mediaProbe(readFileSync(path.join(FORMATS, 'photo.avif')));
  assert.equal(probe.format, pa_image_format.AVIF); // the worker hands it to the browser
  assert.equal(media.mediaCoverSize(1080, 1350, 540, 0), (540 << 16) | 675);
});
