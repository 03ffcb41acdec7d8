// The generated seam (scripts/seam/gen-seam.mjs, core/wasm/README.md): the
// site's seam/*.js are what the C headers and exports say today, their
// constants agree with the values the core itself reports, and the wrappers
// copy, free and turn statuses into errors as they claim.
// (The native build's seam_asserts.c holds every constant to the compiler.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadCore, loadSeam } from '../lib/core.mjs';
import { ROOT, SITE } from '../lib/paths.mjs';
import { generate, MODULES } from '../../scripts/seam/gen-seam.mjs';
import { stripJs } from '../../scripts/site/strip.mjs';

const seamDir = path.join(SITE, 'seam');
let core, chat, media, rankBench;

// A module of the build's own (not the site's), e.g. the rank benchmark's.
async function loadBuilt(dir, name) {
  const { default: create } = await import(path.join(dir, `${name}.mjs`));
  return create({ wasmBinary: readFileSync(path.join(dir, `${name}.wasm`)) });
}

before(async () => {
  core = await loadCore();
  chat = await loadCore('chat');
  media = await loadBuilt(SITE, 'petamigos-media');
  rankBench = await loadBuilt(process.env.PA_WASM_TOOLS ?? path.join(SITE, '..', 'tools'), 'petamigos-rank-bench');
});

test("the site's seam modules are what the headers and exports generate today", () => {
  const fresh = generate(ROOT);
  const shipped = readdirSync(seamDir).sort();
  assert.deepEqual(shipped, Object.keys(fresh).filter((f) => f !== 'seam_asserts.c').sort());
  // The site's copies went through scripts/site/strip.mjs (comments out).
  const built = (f) => (f.endsWith('.js') ? stripJs(fresh[f], f) : fresh[f]);
  for (const f of shipped) assert.equal(readFileSync(path.join(seamDir, f), 'utf8'), built(f), `seam/${f} is stale: rebuild`);
  // One module per table line, each listing every export of its sources.
  const json = JSON.parse(fresh['seam.json']);
  assert.deepEqual(json.modules.map((m) => m.name), MODULES.map((m) => m.name));
  for (const m of MODULES)
    for (const src of m.sources) {
      const c = readFileSync(path.join(ROOT, 'core/wasm', src), 'utf8');
      const names = [...c.matchAll(/EMSCRIPTEN_KEEPALIVE[^(]*?\b(\w+)\s*\(/g)].map((x) => x[1]);
      assert.deepEqual(json.functions.filter((f) => f.source === `core/wasm/${src}`).map((f) => f.name), names, src);
    }
});

test('every wrapped export exists in its WASM module, and nothing else is exported', async () => {
  const json = JSON.parse(readFileSync(path.join(seamDir, 'seam.json'), 'utf8'));
  const instances = { 'petamigos-core': core, 'petamigos-chat': chat, 'petamigos-media': media,
    'petamigos-rank-bench': rankBench };
  for (const mod of json.modules) {
    const M = instances[mod.wasm];
    const fns = json.functions.filter((f) => f.module === mod.name);
    for (const f of fns) assert.equal(typeof M[`_${f.name}`], 'function', `${mod.wasm} exports ${f.name}`);
    const seam = await loadSeam(mod.name);
    const bind = Object.values(seam).find((v) => typeof v === 'function' && v.name.startsWith('bind'));
    const wrappers = Object.keys(bind(M));
    // Free functions of returned structs are called by the reader, not wrapped.
    const unwrapped = fns.filter((f) => !wrappers.includes(f.js)).map((f) => f.name);
    assert.deepEqual(unwrapped, fns.filter((f) => f.tags.free).map((f) => f.name), mod.name);
  }
  for (const [wasm, M] of Object.entries(instances)) {
    const known = new Set(json.functions.filter((f) => json.modules.find((m) => m.name === f.module).wasm === wasm).map((f) => `_${f.name}`));
    const extra = Object.keys(M).filter((k) => /^_pa_/.test(k) && !known.has(k));
    assert.deepEqual(extra, [], `${wasm} exports functions the seam does not know`);
  }
});

test('constants agree with what the core says about them', async () => {
  const app = await loadSeam('app');
  const a = app.bindApp(core);
  // pa_status: the core names each value; the generated object has them all, in order.
  const names = Object.values(app.pa_status).map((v) => a.statusName(v));
  assert.deepEqual(names.slice(0, 4), ['ok', 'invalid_argument', 'out_of_memory', 'syntax']);
  assert.equal(new Set(names).size, names.length);
  assert.ok(Object.isFrozen(app.pa_key) && Object.isFrozen(app.pa_action_kind));
  const rank = await loadSeam('rank');
  const r = rank.bindRank(core);
  const h = r.rankCreate(1, 0);
  r.rankSetMode(h, rank.pa_rank_mode.FOLLOWING);
  assert.equal(r.rankMode(h), rank.pa_rank_mode.FOLLOWING);
  r.rankDestroy(h);
  const chatSeam = await loadSeam('chat');
  const c = chatSeam.bindChat(chat);
  for (const [k, v] of Object.entries(chatSeam.pa_crypto_fault))
    if (v) assert.equal(c.chatFaultName(v), k.toLowerCase(), `pa_crypto_fault.${k}`);
});

test('wrappers copy strings and bytes in, results out, and free what they copied', async () => {
  const a = (await loadSeam('app')).bindApp(core);
  const probe = () => { const p = core._malloc(64); core._free(p); return p; };
  const before = probe();
  const text = a.feedDescribe(JSON.stringify({ posts: [], next_cursor: null }));
  assert.match(text, /^feed: 0 posts/);
  assert.match(a.feedDescribe(new TextEncoder().encode('{"posts":[]')), /^error \(truncated\): /);
  assert.equal(probe(), before, 'the input copies and the malloc\'d result were freed');

  const m = (await loadSeam('media')).bindMedia(media);
  const r = m.mediaProbe(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  assert.notEqual(r.status, 0);
  assert.match(r.text, /^error \(\w+\): /);
  const inout = new TextEncoder().encode('not a video at all');
  const copy = inout.slice();
  assert.notEqual(m.mediaScrubVideo(inout).status, 0);
  assert.deepEqual(inout, copy, 'a refused scrub leaves the bytes as they were');
});

test('a status becomes a PaError with the core\'s message, status name and fault', async () => {
  const { PaError } = await import(path.join(seamDir, 'heap.js'));
  const r = (await loadSeam('rank')).bindRank(core);
  const h = r.rankCreate(3, 0);
  assert.throws(() => r.rankPage(h, '{"model":'), (e) => e instanceof PaError && e.status === 7 &&
    e.statusName === 'truncated' && /^rank_page: error \(truncated\): page: JSON ends early/.test(e.message));
  assert.throws(() => r.rankRun(h, 0, 0, 10), { statusName: 'invalid_argument', message: /no page loaded/ });
  r.rankDestroy(h);
  const i18n = (await loadSeam('i18n')).bindI18n(core);
  assert.throws(() => i18n.i18nCatalogLoad('en', '{'), { message: /^i18n_catalog_load: error \((syntax|truncated)\): / });

  const c = (await loadSeam('chat')).bindChat(chat);
  const alice = c.chatIdentityCreate(1795496400, 0), bob = c.chatIdentityCreate(1795496400, 2);
  const s = c.chatStart(alice, c.chatBundle(bob, 1));
  const first = c.chatEncrypt(s, 'hello');
  const { value: b, bytes } = c.chatAccept(bob, first);
  assert.equal(new TextDecoder().decode(bytes), 'hello');
  const next = c.chatEncrypt(b, 'back');
  assert.equal(new TextDecoder().decode(c.chatDecrypt(s, next)), 'back');
  assert.throws(() => c.chatDecrypt(s, next), (e) => e instanceof PaError && e.fault === 'replay');
  for (const x of [alice, bob, s, b]) c.chatFree(x);
  assert.throws(() => c.chatEncrypt(s, 'x'), { message: /^chat_encrypt: error \(invalid_argument\): chat: no such session/ });
});
