// The WASM half of scripts/bench-rank: times the same fixture the native
// `petamigos rank-bench` builds (same n, dim, seed) and prints the same
// "name value" lines, medians in ms. The benchmark's own WASM module
// (petamigos-rank-bench, not in the site) is in PA_WASM_TOOLS, by default
// the tools/ folder beside PA_SITE.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SITE } from '../../tests/lib/paths.mjs';
import { loadSeam } from '../../tests/lib/core.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const n = arg('n', 10000), dim = arg('dim', 64), iters = arg('iters', 200), limit = arg('limit', 50);
const seed = arg('seed', 1);

const tools = process.env.PA_WASM_TOOLS ?? path.join(SITE, '..', 'tools');
const { default: create } = await import(path.join(tools, 'petamigos-rank-bench.mjs'));
const r = (await loadSeam('rank-bench')).bindRankBench(
  await create({ wasmBinary: await readFile(path.join(tools, 'petamigos-rank-bench.wasm')) }));
let h;
try {
  h = r.rankBenchCreate(n, dim, seed);
} catch (err) {
  console.error(`error: bench fixture: ${err.message}`);
  process.exit(2);
}

function median(fn) {
  // V8 compiles WASM in tiers: warm up well past the optimising tier-up.
  for (let k = 0; k < 30; k++) fn();
  const t = [];
  for (let k = 0; k < iters; k++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return iters % 2 ? t[iters >> 1] : (t[iters / 2 - 1] + t[iters / 2]) / 2;
}

const kernel = r.rankBenchKernel();
console.log(`rank-bench: wasm, n ${n}, dim ${dim}, limit ${limit}, iters ${iters}, kernel ${kernel}, medians in ms`);
const ops = [
  ['copy_ms', () => r.rankBenchCopy(h)],
  ['dots_f32_ms', () => r.rankBenchDots(h, 0)],
  ['dots_f32_plain_ms', () => r.rankBenchDots(h, 1)],
  ['dots_i8_ms', () => r.rankBenchDots(h, 2)],
  ['dots_i8_plain_ms', () => r.rankBenchDots(h, 3)],
  ['rank_f32_ms', () => r.rankBenchRank(h, 0, limit)],
  ['rank_i8_ms', () => r.rankBenchRank(h, 1, limit)],
];
for (const [name, fn] of ops) console.log(`${name} ${median(fn).toFixed(4)}`);
console.log(`matrix_bytes ${r.rankBenchBytes(h)}`);
console.log(`int8_recall_at_100 ${r.rankBenchRecall(h, 100).toFixed(3)}`);
console.log(`int8_list_overlap ${r.rankBenchOverlap(h, limit).toFixed(3)}`);
r.rankBenchDestroy(h);
