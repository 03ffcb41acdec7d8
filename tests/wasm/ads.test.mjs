// Ads in the WASM core (issue 21): a sponsored candidate's serving fields
// (token, link, why) parsed and handed to the shell exactly as the native CLI
// does, the same refusals at the limits' edges, and the app's "ad" object of a
// feed post. The impression and click rules are the app's, tested natively
// (core/tests/test_app.c) and in Chromium (tests/browser/ads-events.test.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { CLI } from '../lib/paths.mjs';

const { bindRank, pa_rank_mode } = await loadSeam('rank');
const { bindApp, PA_FEED_MAX_AD_TOKEN, PA_FEED_MAX_AD_LINK } = await loadSeam('app');
const { PA_RANK_MAX_TARGETS } = await loadSeam('rank');
let r, app, tmp;

before(async () => {
  const core = await loadCore();
  r = bindRank(core);
  app = bindApp(core);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-ads-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
});

function native(args) {
  const res = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: res.status, text: res.stdout || res.stderr };
}

function file(name, text) {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
}

// Twelve organic candidates and two ads (the ranker places at most one ad
// after every five organic posts), as GET /feed/candidates sends them.
function page(sponsoredExtra = {}) {
  const t0 = Date.UTC(2026, 10, 24, 5) / 1000;
  const candidates = [];
  for (let i = 0; i < 14; i++) {
    const ad = i === 6 || i === 12;
    candidates.push({
      post_id: `p_${i}`, author_id: ad ? `u_brand${i}` : `u_${i}`, pet_id: `pet_${i}`, species: i % 2 ? 'dog' : 'cat',
      tags: [], created_at: new Date((t0 - i * 3600) * 1000).toISOString().replace('.000', ''),
      like_count: 10 + i, comment_count: 1, following: false,
      embedding: Array.from({ length: 64 }, (_, j) => Number((((i * 7 + j * 3) % 11) / 11 - 0.4).toFixed(4))),
      sponsored: ad ? {
        advertiser_id: 'ad_1', campaign_id: `c_${i}`, token: `tok_${i}-AZaz09`,
        link: i === 6 ? 'https://shop.example/cats?utm=pa' : '',
        why: i === 6 ? { species: ['cat'], tags: ['toys', 'say "hi"'], languages: ['es', 'pt-BR'], countries: ['ES'] } : {},
        ...sponsoredExtra,
      } : null,
    });
  }
  return JSON.stringify({ model: { version: 'mf-v1', dim: 64 }, candidates });
}

function wasmJson(text) {
  const h = r.rankCreate(7, 0);
  try {
    r.rankPage(h, text);
    r.rankSetMode(h, pa_rank_mode.FOR_YOU);
    r.rankRun(h, 0, 0, 50);
    return r.rankJson(h);
  } catch (e) {
    return `error (${e.statusName}): ${r.rankError(h)}`;
  } finally {
    r.rankDestroy(h);
  }
}

test('a sponsored candidate\'s token, link and why reach the shell as natively', () => {
  const text = page();
  const wasm = wasmJson(text);
  const nat = native(['rank', file('page.json', text), '--seed', '7', '--json']);
  assert.equal(nat.code, 0, nat.text);
  assert.equal(`${wasm}\n`, nat.text);
  const ads = JSON.parse(wasm).filter((it) => it.sponsored);
  assert.deepEqual(ads.map((it) => it.post_id).sort(), ['p_12', 'p_6'], 'both ads placed (14 candidates)');
  const six = ads.find((it) => it.post_id === 'p_6').sponsored;
  assert.deepEqual(six, {
    advertiser_id: 'ad_1', campaign_id: 'c_6', token: 'tok_6-AZaz09', link: 'https://shop.example/cats?utm=pa',
    why: { species: ['cat'], tags: ['toys', 'say "hi"'], languages: ['es', 'pt-BR'], countries: ['ES'] },
  });
  assert.deepEqual(ads.find((it) => it.post_id === 'p_12').sponsored.why, { species: [], tags: [], languages: [], countries: [] });
});

test('the serving fields\' limits refuse at the same edge with the same message as native', () => {
  const cases = {
    tokenLast: [{ token: 'A'.repeat(PA_FEED_MAX_AD_TOKEN) }, null],
    tokenFirstRefused: [{ token: 'A'.repeat(PA_FEED_MAX_AD_TOKEN + 1) },
      /^error \(too_large\): candidates\[6\]\.sponsored\.token: is too long$/],
    tokenPadding: [{ token: 'abc=' }, /^error \(schema\): candidates\[6\]\.sponsored\.token: may only hold base64url/],
    linkLast: [{ link: `https://x.example/${'q'.repeat(PA_FEED_MAX_AD_LINK - 18)}` }, null],
    linkFirstRefused: [{ link: `https://x.example/${'q'.repeat(PA_FEED_MAX_AD_LINK - 17)}` },
      /^error \(too_large\): candidates\[6\]\.sponsored\.link: is too long$/],
    linkHttp: [{ link: 'http://shop.example/' }, /^error \(schema\): candidates\[6\]\.sponsored\.link: must be an https URL$/],
    targetsLast: [{ why: { tags: Array.from({ length: PA_RANK_MAX_TARGETS }, (_, i) => `t${i}`) } }, null],
    targetsFirstRefused: [{ why: { tags: Array.from({ length: PA_RANK_MAX_TARGETS + 1 }, (_, i) => `t${i}`) } },
      /^error \(too_large\): candidates\[6\]\.sponsored\.why\.tags: holds 21 items, expected 0\.\.20$/],
    country: [{ why: { countries: ['es'] } }, /^error \(schema\): candidates\[6\]\.sponsored\.why\.countries\[0\]: is not an ISO 3166-1 alpha-2 code$/],
  };
  for (const [name, [extra, re]] of Object.entries(cases)) {
    const text = page(extra);
    const wasm = wasmJson(text);
    const nat = native(['rank', file(`${name}.json`, text), '--seed', '7', '--json']);
    if (re) {
      assert.match(wasm, re, name);
      assert.equal(nat.code, 2, name);
      assert.equal(`${wasm}\n`, nat.text, name);
    } else {
      assert.equal(nat.code, 0, `${name}: ${nat.text}`);
      assert.equal(`${wasm}\n`, nat.text, name);
    }
  }
});

test('a feed post\'s "ad" object is parsed and refused as natively', () => {
  const post = (over) => ({
    id: 'p_6', author: { id: 'u_1', name: 'Acme Pets', avatar_url: null },
    pet: { id: 'pet_1', name: 'Luna', species: 'cat', avatar_url: null },
    images: [{ url: '/media/b.jpg', width: 640, height: 640, alt: '' }], caption: 'New toys', tags: [],
    like_count: 0, comment_count: 0, liked: false, created_at: '2026-11-24T05:00:00Z', ...over,
  });
  const cases = {
    ad: [post({ sponsored: true, ad: { token: 'tok_6', link: 'https://shop.example/' } }),
      /sponsored, token tok_6, link https:\/\/shop\.example\/\n/],
    noLink: [post({ sponsored: true, ad: { token: 'tok_6', link: '' } }), /  sponsored, token tok_6\n/],
    organic: [post({ ad: { token: 'tok_6', link: '' } }), /^error \(schema\): posts\[0\]\.ad: only a sponsored post has one\n$/],
    badLink: [post({ sponsored: true, ad: { token: 'tok_6', link: 'https://a@b/' } }),
      /^error \(schema\): posts\[0\]\.ad\.link: may not hold user info\n$/],
  };
  for (const [name, [p, re]] of Object.entries(cases)) {
    const text = JSON.stringify({ posts: [p], next_cursor: null });
    const wasm = app.feedDescribe(text);
    assert.match(wasm, re, name);
    assert.equal(wasm, native(['feed-parse', file(`feed-${name}.json`, text)]).text, name);
  }
});
