// On-device ranking in WASM: the same lists, reasons, ads and learned taste
// as the native CLI, to the byte, for the same page and seed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { CLI } from '../lib/paths.mjs';

const { bindRank, pa_rank_signal, pa_rank_mode } = await loadSeam('rank');
// The CLI's signal names: pa_rank_signal's, lower case with dashes.
const SIGNALS = Object.fromEntries(Object.entries(pa_rank_signal).map(([k, v]) => [k.toLowerCase().replace(/_/g, '-'), v]));
let r, tmp;

// mulberry32: a small seeded PRNG so every run writes the same pages.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A candidate page as GET /api/v1/feed/candidates sends it: clusters of
// species in embedding space, some followed authors, a few ads.
function makePage({ n = 300, seed = 1, dim = 64, authors = 40 } = {}) {
  const r = rng(seed);
  const species = ['cat', 'dog', 'rabbit', 'bird'];
  const t0 = Date.UTC(2026, 10, 24, 5) / 1000;
  const candidates = [];
  for (let i = 0; i < n; i++) {
    const cluster = i % 4;
    const author = `u_${Math.floor(r() * authors)}`;
    const ad = i % 25 === 7 ? { advertiser_id: `ad_${i % 3}`, campaign_id: `c_${i}` } : null;
    candidates.push({
      post_id: `p_${i}`,
      author_id: ad ? `brand_${i % 3}` : author,
      pet_id: `pet_${author}`,
      species: species[cluster],
      tags: i % 3 ? ['sleepy'] : [],
      created_at: new Date((t0 - Math.floor(r() * 48 * 3600)) * 1000).toISOString().replace('.000', ''),
      like_count: Math.floor(r() * 800),
      comment_count: Math.floor(r() * 40),
      following: r() < 0.3,
      embedding: Array.from({ length: dim }, (_, j) =>
        Number(((Math.floor(j / 16) === cluster ? 1 : 0) + (r() - 0.5) * 0.8).toFixed(5))),
      sponsored: ad,
    });
  }
  return JSON.stringify({ model: { version: 'mf-v1', dim }, candidates });
}

// The call's outcome as the CLI prints a refusal: null when it succeeded.
function refusal(h, fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return `error (${e.statusName}): ${r.rankError(h)}\n`;
  }
}

// A ranker handle with a page loaded; returns [handle, error text or null].
function ranker(page, { seed = 1, taste = null } = {}) {
  const h = r.rankCreate(seed % 2 ** 32, Math.floor(seed / 2 ** 32));
  assert.ok(h >= 1, `create: ${h}`);
  if (taste) r.rankTasteLoad(h, taste);
  return [h, refusal(h, () => r.rankPage(h, page))];
}

function runWasm(h, { mode = 'for-you', limit = 50, explain = true, int8 = false } = {}) {
  r.rankSetInt8(h, int8 ? 1 : 0);
  r.rankSetMode(h, mode === 'following' ? pa_rank_mode.FOLLOWING : pa_rank_mode.FOR_YOU);
  return refusal(h, () => r.rankRun(h, 0, 0, limit)) ?? r.rankDescribe(h, explain ? 1 : 0);
}

function wasmRank(page, opts = {}) {
  const [h, error] = ranker(page, opts);
  try {
    return error ?? runWasm(h, opts);
  } finally {
    r.rankDestroy(h);
  }
}

function native(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, text: r.stdout || r.stderr };
}

function nativeRank(file, { seed = 1, mode = 'for-you', limit = 50, explain = true, int8 = false, taste } = {}) {
  const args = ['rank', file, '--seed', String(seed), '--mode', mode, '--limit', String(limit)];
  if (explain) args.push('--explain');
  if (int8) args.push('--int8');
  if (taste) args.push('--taste', taste);
  return native(args);
}

function pageFile(name, text) {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

before(async () => {
  r = bindRank(await loadCore());
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-rank-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
});

test('ranks exactly as the native CLI for the same page and seed', () => {
  const page = makePage({ n: 400, seed: 3 });
  const file = pageFile('page.json', page);
  for (const seed of [1, 42, 2 ** 40 + 7]) {
    for (const mode of ['for-you', 'following']) {
      const wasm = wasmRank(page, { seed, mode });
      const nat = nativeRank(file, { seed, mode });
      assert.equal(nat.code, 0, nat.text);
      assert.match(wasm, new RegExp(`^rank: 50 of 400 candidates, ${mode}, model mf-v1\\n`));
      assert.equal(wasm, nat.text, `seed ${seed}, ${mode}`);
    }
  }
  const forYou = wasmRank(page, { seed: 42 });
  assert.match(forYou, /, sponsored by ad_\d \(c_\d+\)\n {5}why: sponsored 1\.0000/);
  assert.match(forYou, /why: exploring 1\.0000/);
  assert.notEqual(forYou, wasmRank(page, { seed: 43 })); // the seed moves exploration
});

test('int8 scoring gives the same list in WASM and native', () => {
  const page = makePage({ n: 500, seed: 9 });
  const file = pageFile('page8.json', page);
  const wasm = wasmRank(page, { seed: 5, int8: true, limit: 80 });
  assert.equal(wasm, nativeRank(file, { seed: 5, int8: true, limit: 80 }).text);
});

test('learns the same taste bytes as native and ranks the same with it', () => {
  const page = makePage({ n: 300, seed: 4 });
  const file = pageFile('learn.json', page);
  const specs = [['p_2', 'like'], ['p_6', 'like'], ['p_10', 'dwell', 8200], ['p_3', 'skip'],
    ['p_14', 'watch', 0.85], ['p_5', 'hide'], ['p_9', 'hide-author'], ['p_18', 'follow'],
    ['p_22', 'like'], ['p_1', 'dwell', 300]];
  const [h] = ranker(page, { seed: 8 });
  const before = runWasm(h);
  for (const [id, sig, value = 0] of specs) r.rankObserve(h, id, SIGNALS[sig], value);
  r.rankRestart(h); // a new app session, as a fresh CLI run is
  const after = runWasm(h);
  const wasmTaste = Buffer.from(r.rankTasteSave(h));
  assert.ok(wasmTaste.length > 72);
  r.rankDestroy(h);

  const tasteFile = path.join(tmp, 'taste.bin');
  const obs = native(['rank-observe', tasteFile, file, ...specs.map(([id, sig, v]) => (v === undefined ? `${id}:${sig}` : `${id}:${sig}:${v}`))]);
  assert.equal(obs.code, 0, obs.text);
  assert.match(obs.text, /^taste: 10 signals, \d+ bytes\n$/);
  assert.deepEqual(wasmTaste, readFileSync(tasteFile));

  assert.notEqual(after, before); // learning moved the list
  assert.doesNotMatch(after, /\. p_5 by /); // the hidden post is gone
  assert.equal(after, nativeRank(file, { seed: 8, taste: tasteFile }).text);
  assert.equal(wasmRank(page, { seed: 8, taste: wasmTaste }), after);

  // A corrupt taste is refused and the ranker keeps the taste it had.
  const [h2] = ranker(page, { seed: 8, taste: wasmTaste });
  const bad = Buffer.from(wasmTaste);
  bad[100] ^= 1;
  assert.throws(() => r.rankTasteLoad(h2, bad), { statusName: 'syntax', message: /taste: checksum mismatch/ });
  assert.equal(runWasm(h2), after);
  r.rankDestroy(h2);
  writeFileSync(tasteFile, bad);
  const nat = nativeRank(file, { taste: tasteFile });
  assert.equal(nat.code, 2);
  assert.match(nat.text, /^error \(syntax\): taste: checksum mismatch/);
});

// What the feed reports (ranking.js): a post's time on screen, and follows of
// a person or pet; each is the same learning as the signal it stands for.
test('viewed is a skip or a dwell; observe_by learns on the newest candidate', () => {
  const text = makePage({ n: 120, seed: 6 });
  const cands = JSON.parse(text).candidates;
  const newestBy = (key, id) => cands.filter((c) => c[key] === id)
    .reduce((a, c) => (!a || c.created_at > a.created_at ? c : a), null).post_id;
  const taste = (h) => Buffer.from(r.rankTasteSave(h));
  const [a] = ranker(text), [b] = ranker(text);
  r.rankViewed(a, 'p_4', 400);
  r.rankViewed(a, 'p_7', 9000);
  r.rankObserveBy(a, 'u_3', '', SIGNALS.follow, 0);
  r.rankObserveBy(a, '', 'pet_u_9', SIGNALS.follow, 0);
  for (const [id, sig, v] of [['p_4', 'skip', 0], ['p_7', 'dwell', 9000], [newestBy('author_id', 'u_3'), 'follow', 0],
    [newestBy('pet_id', 'pet_u_9'), 'follow', 0]])
    r.rankObserve(b, id, SIGNALS[sig], v);
  assert.deepEqual(taste(a), taste(b));
  // Unknown posts, people and pets are refused with a message; the taste stays.
  const refused = { statusName: 'invalid_argument' };
  assert.throws(() => r.rankViewed(a, 'p_999', 5000), { ...refused, message: /viewed: no post "p_999" on the page/ });
  assert.throws(() => r.rankObserveBy(a, 'u_none', '', SIGNALS.follow, 0), refused);
  assert.throws(() => r.rankViewed(a, 'p_4', -5), refused);
  assert.deepEqual(taste(a), taste(b));
  r.rankDestroy(a);
  r.rankDestroy(b);
});

test('switches modes on one ranker and comes back to the same list', () => {
  const page = makePage({ n: 200, seed: 5 });
  const [h] = ranker(page, { seed: 2 });
  const forYou = runWasm(h);
  const following = runWasm(h, { mode: 'following' });
  assert.equal(r.rankMode(h), pa_rank_mode.FOLLOWING);
  assert.equal(runWasm(h), forYou);
  const json = JSON.parse(r.rankJson(h));
  r.rankDestroy(h);
  const times = [...following.matchAll(/\d\. p_\d+ by u_\d+, \S+ \(\w+\), (\S+), score/g)].map((m) => m[1]);
  assert.ok(times.length > 10);
  assert.deepEqual(times, [...times].sort().reverse()); // newest first
  assert.equal(json.length, 50);
  const ad = json.find((it) => it.sponsored);
  assert.match(ad.sponsored.advertiser_id, /^ad_\d$/);
  assert.equal(ad.why[0].code, 'sponsored');
  assert.ok(json.every((it) => typeof it.score === 'number' && Array.isArray(it.why)));
});

test('refuses bad pages with the same message as native', () => {
  const good = makePage({ n: 3, seed: 6 });
  const first = good.indexOf('"embedding":[') + 13;
  const cases = {
    wrongDim: [good.replace('"dim":64', '"dim":128'), /^error \(unsupported\): model\.dim: 128 is not supported/],
    infinite: [good.slice(0, first) + '1e999,' + good.slice(good.indexOf(',', first) + 1),
      /^error \(schema\): candidates\[0\]\.embedding\[0\]: expected a finite number/],
    short: [good.slice(0, first) + good.slice(good.indexOf(',', first) + 1),
      /^error \(schema\): candidates\[0\]\.embedding: holds 63 numbers, expected 64/],
    truncated: [good.slice(0, good.length - 40), /^error \(truncated\): page: JSON ends early/],
    stringNumber: [good.replace('"like_count":', '"like_count":"1"+'), /^error \(syntax\)/],
    missing: [good.replace('"following":', '"follows":'), /^error \(schema\): candidates\[0\]\.following: missing/],
  };
  for (const [name, [text, re]] of Object.entries(cases)) {
    const wasm = wasmRank(text);
    assert.match(wasm, re, name);
    const nat = native(['rank', pageFile(`${name}.json`, text)]);
    assert.equal(nat.code, 2, name);
    assert.equal(wasm, nat.text, name);
  }
});

test('handles are small integers, checked on every call', () => {
  const hs = [];
  for (let i = 0; i < 8; i++) hs.push(r.rankCreate(i, 0));
  assert.deepEqual(hs, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(() => r.rankCreate(9, 0), { statusName: 'invalid_argument' }); // the table is full
  for (const h of hs) r.rankDestroy(h);
  assert.throws(() => r.rankRun(3, 0, 0, 10), { message: /no such ranker/ }); // destroyed
  assert.equal(r.rankError(99), 'no such ranker');
  const h = r.rankCreate(1, 0);
  assert.throws(() => r.rankRun(h, 0, 0, 10), { message: /no page loaded/ }); // no page yet
  r.rankDestroy(h);
});
