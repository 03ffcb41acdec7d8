// The WASM core in Node: the same parser and decoder as native, byte for byte.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore, describe } from '../lib/core.mjs';
import { makeImages } from '../lib/images.mjs';
import { CLI } from '../lib/paths.mjs';

let core, images, tmp;
const enc = new TextEncoder();

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
  images = makeImages();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-wasm-'));
});

test('reports the same version as the native CLI', () => {
  const version = core.UTF8ToString(core._pa_wasm_version());
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
  const wasm = describe(core, '_pa_wasm_feed_describe', enc.encode(feed));
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
    const wasm = describe(core, '_pa_wasm_feed_describe', enc.encode(text));
    assert.match(wasm, re, name);
    const file = path.join(tmp, `${name}.json`);
    writeFileSync(file, text);
    const nat = native(['feed-parse', file]);
    assert.equal(nat.code, 2, name);
    assert.equal(wasm, nat.text, name);
  }
});

test('decodes real JPEG and PNG files to the same pixels as native', () => {
  for (const name of images.names) {
    const bytes = images.read(name);
    const wasm = describe(core, '_pa_wasm_image_describe', bytes);
    assert.match(wasm, /^(jpeg|png) \d+x\d+ rgba checksum [0-9a-f]{8}\n$/, name);
    assert.equal(wasm, native(['image-info', path.join(images.dir, name)]).text, name);
  }
  const [w, h] = describe(core, '_pa_wasm_image_describe', images.read('progressive.jpg'))
    .match(/(\d+)x(\d+)/).slice(1).map(Number);
  assert.deepEqual([w, h], [301, 203]);
});

test('refuses hostile images with a clear error and no crash', () => {
  const jpg = images.read('plasma.jpg');
  const png = images.read('alpha.png');
  const webp = Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1');
  const huge = Buffer.from(png);
  huge.writeUInt32BE(100000, 16); // IHDR width
  huge.writeUInt32BE(100000, 20); // IHDR height
  const out = (b) => describe(core, '_pa_wasm_image_describe', b);
  assert.match(out(png.subarray(0, png.length >> 1)), /^error \(truncated\)/);
  assert.match(out(webp), /^error \(unsupported\): image: WebP is not supported/);
  assert.match(out(huge), /^error \((too_large|syntax)\)/);
  assert.match(out(Buffer.from('not an image')), /^error \(syntax\)/);
  for (let i = 0; i < 40; i++) {
    const bad = Buffer.from(jpg);
    for (let k = 0; k < 8; k++) bad[(i * 7919 + k * 104729) % bad.length] ^= 0xa5;
    assert.match(out(bad), /^(jpeg \d+x\d+|error \()/); // decodes or refuses; never traps
  }
});
