#!/usr/bin/env node
// The body of scripts/bench-i18n: message formatting throughput, native
// (`petamigos i18n bench`) and WASM (pa_wasm_i18n_bench in Node), over every
// key of each catalog with the same arguments and the en catalog as
// fallback, plus each locale's data size: the CLDR number/date data the
// generator compiles in and the catalog the shell fetches, raw and gzipped.
//
// usage: node scripts/i18n/bench.mjs --cli PATH --site DIR [--seconds 0.5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, LOCALES, PSEUDO, argValue } from './locales.mjs';

const cli = argValue('--cli');
const site = argValue('--site');
// The site's copy: it imports the generated seam/i18n.js beside it.
const { wasmI18n } = await import(path.join(site, 'i18n-wasm.js'));
const seconds = Number(argValue('--seconds') ?? 0.5);
const ARGS = {
  count: 3, likes: 21, comments: 1, years: 2, place: 22, min: 8, max: 40, status: 503, index: 1,
  total: 3, progress: 0.42, when: 1795969800000, date: 1795969800000, pet: 'Luna', name: 'Ana',
  author: 'Bo', species: 'cat', time: '2h', alt: 'a cat asleep', liked: true, advertiser: 'Acme',
  reason: 'out of memory',
};
const locales = path.join(ROOT, 'locales');
const catalogFile = (tag) => path.join(locales, `${tag}.json`);

// Per-locale CLDR data sizes, as the generator measures them.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-bench-i18n-'));
execFileSync(process.execPath, [path.join(ROOT, 'scripts/i18n/gen-locale-data.mjs'), '--out', path.join(tmp, 'data.c'), '--sizes', path.join(tmp, 'sizes.json')]);
const sizes = JSON.parse(readFileSync(path.join(tmp, 'sizes.json'), 'utf8'));
rmSync(tmp, { recursive: true, force: true });

const { default: create } = await import(path.join(site, 'petamigos-core.mjs'));
const core = await create({
  wasmBinary: readFileSync(path.join(site, 'petamigos-core.wasm')),
  paHost: { log() {}, textRaster() { return null; }, requestImage() {} },
});
const i18n = wasmI18n(core);
const en = i18n.loadCatalog('en', readFileSync(catalogFile('en'), 'utf8'));

function wasmRate(tag) {
  const cat = tag === 'en' ? en : i18n.loadCatalog(tag, readFileSync(catalogFile(tag), 'utf8'));
  i18n.bench(cat, en, ARGS, 20); // warm up
  let messages = 0;
  let rounds = 50;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    messages += i18n.bench(cat, en, ARGS, rounds);
    elapsed = performance.now() - start;
    rounds = Math.min(rounds * 2, 2000);
  }
  if (cat !== en) i18n.freeCatalog(cat);
  return messages / (elapsed / 1000);
}

function nativeRate(tag) {
  const out = execFileSync(cli, ['i18n', 'bench', catalogFile(tag), JSON.stringify(ARGS), '--fallback', catalogFile('en'), '--seconds', String(seconds)], { encoding: 'utf8' });
  const m = out.match(/([\d.]+) messages\/s/);
  if (!m) throw new Error(`unexpected bench output: ${out}`);
  return Number(m[1]);
}

const kb = (n) => (n / 1024).toFixed(1);
const rows = [];
for (const tag of [...LOCALES, PSEUDO.tag]) {
  const nat = nativeRate(tag);
  const wasm = wasmRate(tag);
  const text = readFileSync(catalogFile(tag));
  const data = sizes[tag === PSEUDO.tag ? PSEUDO.base : tag];
  rows.push({ tag, nat, wasm, dataRaw: data.raw, dataGz: data.gzip, catRaw: text.length, catGz: gzipSync(text, { level: 9 }).length });
}
i18n.freeCatalog(en);

const fmtRate = (r) => Math.round(r).toLocaleString('en');
const header = ['locale', 'native msg/s', 'wasm msg/s', 'wasm/native time', 'CLDR data KiB', 'gzip', 'catalog KiB', 'gzip'];
const lines = rows.map((r) => [r.tag, fmtRate(r.nat), fmtRate(r.wasm), `${(r.nat / r.wasm).toFixed(2)}x`, kb(r.dataRaw), kb(r.dataGz), kb(r.catRaw), kb(r.catGz)]);
const sum = (f) => rows.reduce((a, r) => a + f(r), 0);
const med = (f) => rows.map(f).sort((a, b) => a - b)[rows.length >> 1];
lines.push(['median', fmtRate(med((r) => r.nat)), fmtRate(med((r) => r.wasm)), `${(med((r) => r.nat) / med((r) => r.wasm)).toFixed(2)}x`, '', '', '', '']);
lines.push(['total', '', '', '', kb(sum((r) => (r.tag === PSEUDO.tag ? 0 : r.dataRaw))), kb(sum((r) => (r.tag === PSEUDO.tag ? 0 : r.dataGz))), kb(sum((r) => r.catRaw)), kb(sum((r) => r.catGz))]);
const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
const row = (cells) => '  ' + cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
console.log(row(header));
console.log(row(widths.map((w) => '-'.repeat(w))));
for (const l of lines) console.log(row(l));
console.log(`  (${Object.keys(JSON.parse(readFileSync(catalogFile('en'), 'utf8'))).length} messages per catalog, all with the same arguments, ${seconds}s per measurement;`);
console.log('   CLDR data: the per-locale number/date tables compiled into the core, measured as JSON; en-XA shares en\'s)');
