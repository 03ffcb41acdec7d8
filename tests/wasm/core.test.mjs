// The WASM core in Node: the same feed parser as native, byte for byte.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { CLI, SITE } from '../lib/paths.mjs';

let core, app, tmp;

const post = (over = {}) => ({
  id: 'p_1',
  author: { id: 'u_1', name: 'Ana Souza', avatar_url: null },
  pet: { id: 'pet_1', name: 'Luna', species: 'cat', avatar_url: '/media/a.jpg' },
  images: [{ url: '/media/b.jpg', width: 640, height: 800, alt: 'Luna asleep' }],
  caption: 'Sunday nap ☀️ #sleepy',
  tags: ['sleepy'],
  like_count: 12,
  comment_count: 3,
  liked: false,
  created_at: '2026-11-24T05:00:00Z',
  ...over,
});

// Runs the native CLI and returns what it printed (stdout or stderr).
function native(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  return { code: r.status, text: r.stdout || r.stderr };
}

before(async () => {
  core = await loadCore();
  app = (await loadSeam('app')).bindApp(core);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-wasm-'));
});

test('reports the same version as the native CLI', () => {
  const version = app.version();
  assert.match(version, /^\d+\.\d+\.\d+$/);
  assert.equal(native(['version']).text.trim(), `petamigos ${version}`);
});

test('parses a feed exactly as the native CLI does', () => {
  const feed = JSON.stringify({
    posts: [post(), post({ id: 'p_0', liked: true, tags: [], caption: 'مرحبا بالقطط' })],
    next_cursor: 'c2',
  });
  const file = path.join(tmp, 'feed.json');
  writeFileSync(file, feed);
  const wasm = app.feedDescribe(feed);
  assert.match(wasm, /^feed: 2 posts, next_cursor "c2"\n/);
  assert.match(wasm, /post p_0 by Ana Souza \(u_1\) about Luna, cat \(pet_1\)/);
  assert.match(wasm, /caption: "مرحبا بالقطط"/);
  assert.equal(wasm, native(['feed-parse', file]).text);
});

test('refuses broken feeds with the same message as native', () => {
  const good = JSON.stringify({ posts: [post()], next_cursor: null });
  const cases = {
    truncated: [good.slice(0, good.length - 20), /^error \(truncated\): feed: JSON ends early/],
    garbage: ['<html>502 Bad Gateway</html>', /^error \(syntax\): feed: invalid JSON at byte 0/],
    wrongType: [good.replace('"like_count":12', '"like_count":"12"'),
      /^error \(schema\): posts\[0\]\.like_count: expected an integer/],
    badUrl: [good.replace('/media/b.jpg', 'javascript:alert(1)'),
      /^error \(schema\): posts\[0\]\.images\[0\]\.url: URL must be a same-origin path or https/],
    empty: ['', /^error \(truncated\): feed: empty response/],
  };
  for (const [name, [text, re]] of Object.entries(cases)) {
    const wasm = app.feedDescribe(text);
    assert.match(wasm, re, name);
    const file = path.join(tmp, `${name}.json`);
    writeFileSync(file, text);
    const nat = native(['feed-parse', file]);
    assert.equal(nat.code, 2, name);
    assert.equal(wasm, nat.text, name);
  }
});

// Images are decoded by the worker's module (tests/wasm/media.test.mjs) or,
// without a worker, by the browser; the app's module carries no decoder, only
// the size rule, so both paths hand the core pixels of the same size.
test('the app module has no image decoder and picks the same sizes as the worker', async () => {
  const exported = Object.keys(core).filter((k) => k.startsWith('_pa_'));
  assert.ok(exported.length > 10, 'the module exports the app');
  assert.deepEqual(exported.filter((k) => /_(image_describe|app_image|decode|decode_fit)$/.test(k)), []);
  const wasm = readFileSync(path.join(SITE, 'petamigos-core.wasm')).toString('latin1');
  for (const text of ['is not supported by the core', 'JFIF', 'IHDR']) assert.ok(!wasm.includes(text), `found "${text}"`);
  const media = (await loadSeam('media')).bindMedia(await loadCore('media'));
  const cases = [[1080, 1350, 540, 0], [1080, 1350, 478, 598], [640, 800, 956, 1195], [4000, 3000, 0, 300], [3, 1, 1, 1]];
  for (const [w, h, bw, bh] of cases)
    assert.equal(app.imageCoverSize(w, h, bw, bh), media.mediaCoverSize(w, h, bw, bh), `${w}x${h} in ${bw}x${bh}`);
  assert.equal(app.imageCoverSize(1080, 1350, 540, 0), (540 << 16) | 675);
});

// The app's module leaves out the SDL parts the browser app never reaches
// (core/wasm/sdl_trim.c, issue 26's 300 KB start): each line is a message only
// that part of SDL 2.26.5 carries, present in the module before the trim.
test('the app module carries no SDL YUV conversion, BMP writer or offscreen/dummy video driver', () => {
  const wasm = readFileSync(path.join(SITE, 'petamigos-core.wasm')).toString('latin1');
  const parts = {
    'SDL_yuv.c': 'GetYUVPlanes(): Unsupported YUV format',
    'SDL_yuv.c (YUV to YUV)': "Can't change YUV plane types in-place",
    'SDL_bmp.c': 'bpp BMP files not supported',
    'SDL_offscreenvideo.c': 'SDL offscreen video driver',
    'SDL_nullvideo.c': 'SDL dummy video driver',
  };
  for (const [part, text] of Object.entries(parts)) assert.ok(!wasm.includes(text), `${part} is linked: found "${text}"`);
  assert.ok(wasm.includes('SDL\'s YUV conversions are not built into this module'), 'the stand-ins are linked');
});
