#!/usr/bin/env node
// The seam generator: reads the C sources (core/include/pa/*.h for the
// constants, core/wasm/*.c for the EMSCRIPTEN_KEEPALIVE exports) and writes
//   seam.json        what it read: functions (module, C params, return, doc) and enums
//   <module>.js      per seam module: the constants as frozen objects named like the
//                    C enum, and typed wrappers over the exports (core/wasm/README.md)
//   heap.js          copied from scripts/seam/heap.js: the one heap copy helper
//   seam_asserts.c   _Static_assert lines the native build compiles, so a value this
//                    parser misread fails the build
// The C sources are the only source of truth; nothing here is committed.
//
//   node scripts/seam/gen-seam.mjs --out DIR [--root DIR] [--asserts FILE]
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Seam modules: name -> the WASM module that exports them and its sources in
// core/wasm/. Adding a module is one line here (and its executable in core/CMakeLists.txt).
export const MODULES = [
  { name: 'app', wasm: 'petamigos-core', sources: ['pa_wasm.c'] },
  { name: 'rank', wasm: 'petamigos-core', sources: ['wasm_rank.c'] },
  { name: 'i18n', wasm: 'petamigos-core', sources: ['wasm_i18n.c'] },
  { name: 'media', wasm: 'petamigos-media', sources: ['wasm_media.c'] },
  { name: 'chat', wasm: 'petamigos-chat', sources: ['wasm_chat.c'] },
  // scripts/bench-rank's own module (not loaded by the page; its wrappers are a few hundred bytes).
  { name: 'rank-bench', wasm: 'petamigos-rank-bench', sources: ['wasm_rank_bench.c'] },
];

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---- reading C

const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

// The comment block right before offset `at` (/* */ or // lines), or ''.
function docBefore(src, at) {
  const before = src.slice(0, at).replace(/\s+$/, '');
  if (before.endsWith('*/')) {
    const start = before.lastIndexOf('/*');
    return before.slice(start + 2, -2).split('\n').map((l) => l.replace(/^\s*\*?\s?/, '')).join('\n').trim();
  }
  const lines = [];
  for (const l of before.split('\n').reverse()) {
    if (!/^\s*\/\//.test(l)) break;
    lines.unshift(l.replace(/^\s*\/\/\s?/, ''));
  }
  return lines.join('\n').trim();
}

// `seam: a b=c` anywhere in a doc comment: the tags the generator obeys.
function tagsOf(doc) {
  const tags = {};
  const m = /seam:([\s\S]*)$/.exec(doc.replace(/\*\//g, ''));
  if (m)
    for (const t of m[1].trim().split(/\s+/).filter(Boolean)) {
      const [k, v] = t.split('=');
      tags[k] = v ?? true;
    }
  return tags;
}

// Integer constant expressions as C headers write them (1u << 20, 13 + 24, A | B).
function evaluate(expr, known) {
  const e = expr.replace(/\b(0x[0-9a-f]+|\d+)[uUlL]*\b/gi, '$1')
    .replace(/\b[A-Z_][A-Z0-9_]*\b/g, (id) => (id in known ? `(${known[id]})` : `@${id}`));
  if (!/^[\s0-9a-fx()+\-*/%<>|&~^]*$/i.test(e)) return undefined;
  try {
    const v = Function(`"use strict"; return (${e});`)();
    return Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function splitTopLevel(body) {
  const parts = [];
  let depth = 0, cur = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) parts.push(cur), (cur = '');
    else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

// Enums (named typedefs and anonymous blocks) and integer #defines of one header.
function readHeader(file, rel, known) {
  const src = stripComments(readFileSync(file, 'utf8'));
  const enums = [];
  const re = /(typedef\s+)?enum\s*(\w+)?\s*\{([^}]*)\}\s*(\w+)?\s*;|#define\s+(PA_\w+)\s+([^\n]+)/g;
  for (const m of src.matchAll(re)) {
    if (m[5]) {
      const v = evaluate(m[6].trim(), known);
      if (v !== undefined) enums.push({ name: null, header: rel, values: { [m[5]]: (known[m[5]] = v) } });
      continue;
    }
    const values = {};
    let next = 0;
    for (const item of splitTopLevel(m[3])) {
      const [id, expr] = item.split('=').map((s) => s.trim());
      const v = expr === undefined ? next : evaluate(expr, known);
      if (v === undefined) throw new Error(`${rel}: cannot evaluate ${id} = ${expr}`);
      values[id] = known[id] = v;
      next = v + 1;
    }
    enums.push({ name: m[4] || m[2] || null, header: rel, values });
  }
  return enums;
}

// The EMSCRIPTEN_KEEPALIVE functions of one wasm/*.c file, with their doc comments.
function readExports(file, rel) {
  const src = readFileSync(file, 'utf8');
  const fns = [];
  for (const m of src.matchAll(/EMSCRIPTEN_KEEPALIVE\s+([\w\s*]+?)\s*\b(\w+)\s*\(([^)]*)\)\s*\{/g)) {
    const doc = docBefore(src, m.index);
    const params = m[3].trim() === 'void' ? [] : m[3].split(',').map((p) => {
      const pm = /^(.*?)(\w+)$/.exec(p.trim().replace(/\s+/g, ' '));
      return { name: pm[2], type: pm[1].replace(/\s*\*\s*/g, ' *').trim() };
    });
    fns.push({ name: m[2], source: rel, returns: m[1].replace(/\s*\*\s*/g, ' *').trim().replace(/\s+/g, ' '),
      params, doc: doc.replace(/\s*seam:[\s\S]*$/, '').trim(), tags: tagsOf(doc) });
  }
  // Structs returned by pointer (media_result): fields for the reader.
  const structs = {};
  for (const m of src.matchAll(/typedef\s+struct\s+(\w+)\s*\{([\s\S]*?)\}\s*\w+\s*;/g)) {
    structs[m[1]] = m[2].split('\n').map((line) => {
      const fm = /^\s*([\w\s]+?)\s*(\*?)\s*(\w+)(?:\[(\d+)\])?\s*;(.*)$/.exec(line);
      return fm && { type: fm[1] + (fm[2] ? ' *' : ''), name: fm[3], count: fm[4] ? Number(fm[4]) : 0,
        tags: tagsOf(fm[5]) };
    }).filter(Boolean);
  }
  const includes = [...src.matchAll(/#include\s+"pa\/(\w+\.h)"/g)].map((m) => m[1]);
  // Tags of the file's opening comment apply to the whole module (wipe-inputs).
  const fileTags = tagsOf(/^\s*\/\*([\s\S]*?)\*\//.exec(src)?.[1] ?? '');
  return { fns, structs, includes, fileTags };
}

// ---- writing JavaScript

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const jsName = (c) => camel(c.replace(/^pa_wasm_/, '').replace(/^pa_/, ''));
const isBytePtr = (t) => /^(const )?(char|uint8_t) \*$/.test(t);
const NUMERIC = /^(int|unsigned|float|double|size_t|u?int(8|16|32|64)_t)$/;

// wasm32 layout of a struct made of 4-byte scalars, pointers, doubles and char arrays.
function layout(fields) {
  let at = 0;
  return fields.map((f) => {
    const size = f.count ? f.count : f.type === 'double' ? 8 : 4;
    const align = f.count ? 1 : size;
    at = Math.ceil(at / align) * align;
    const r = { ...f, offset: at };
    at += size;
    return r;
  });
}

function readerFor(struct, fields, freeFn) {
  const parts = layout(fields).map((f) => {
    if (f.count) return `${f.name}: $h.str(p + ${f.offset})`;
    if (f.type.endsWith('*') && f.tags.length) {
      const len = layout(fields).find((g) => g.name === f.tags.length);
      return `${f.name}: $h.bytes($h.i32(p + ${f.offset}), $h.i32(p + ${len.offset}))`;
    }
    if (f.type === 'double') return `${f.name}: $h.f64(p + ${f.offset})`;
    return `${f.name}: $h.i32(p + ${f.offset})`;
  });
  return `(p, what) => {\n    if (!p) throw $h.error(what, 2, 'out of memory');\n    try {\n      return { ${parts.join(', ')} };\n    } finally {\n      M._${freeFn}(p);\n    }\n  }`;
}

function wrapper(fn, ctx) {
  const args = [], heapArgs = [], cArgs = [];
  for (let i = 0; i < fn.params.length; i++) {
    const p = fn.params[i], next = fn.params[i + 1];
    if (isBytePtr(p.type)) {
      const inout = !p.type.startsWith('const');
      args.push(p.name);
      heapArgs.push(inout ? `$h.inout(${p.name})` : p.name);
      const k = heapArgs.length - 1;
      if (next && next.type === 'size_t') {
        cArgs.push(`a[${k}].p`, `a[${k}].n`);
        i++;
      } else cArgs.push(`a[${k}].p`);
    } else if (NUMERIC.test(p.type)) {
      args.push(p.name);
      cArgs.push(p.name);
    } else if (p.type.endsWith('*') && ctx.structs[p.type.slice(0, -2)]) {
      return null; // a struct's free function: used by the reader, not exported
    } else throw new Error(`${fn.name}: parameter ${p.type} ${p.name} needs a seam: tag`);
  }
  const t = fn.tags;
  let call = `M._${fn.name}(${cArgs.join(', ')})`;
  const what = fn.name.replace(/^pa_(wasm_)?/, '');
  const errArgs = (f) => args.slice(0, f.params.length).join(', ');
  // The message function takes the call's handle when it takes one (by name: handle, h).
  const errOk = ctx.error && ctx.error.params.every((p, i) => fn.params[i]?.name === p.name);
  const errIn = errOk && ctx.error.params.length ? `, ${errArgs(ctx.error)}` : '';
  if (t['throws'] || t['throws-negative']) {
    ctx.used[t['throws'] ? '$ok' : '$neg'] = true;
    call = `${t['throws'] ? '$ok' : '$neg'}(${call}, '${what}'${errOk ? errIn : ', NaN'})`;
  }
  if (t['bytes-at']) {
    const at = ctx.byName[t['bytes-at']];
    const lenFn = t.length && ctx.byName[t.length];
    const wipe = t.wipe ? `M._${t.wipe}()` : '';
    const ptr = `M._${at.name}(${errArgs(at)})`;
    if (lenFn)
      call = `{\n      const value = ${call};\n      const bytes = $h.bytes(${ptr}, M._${lenFn.name}(${errArgs(lenFn)}) >>> 0);\n      ${wipe}${wipe ? ';\n      ' : ''}return { value, bytes };\n    }`;
    else
      call = `{\n      const n = ${call};\n      const bytes = $h.bytes(${ptr}, n);\n      ${wipe}${wipe ? ';\n      ' : ''}return bytes;\n    }`;
  } else if (fn.returns === 'const char *') call = `$h.str(${call})`;
  else if (fn.returns === 'char *') call = `$h.take(${call})`;
  else if (/^(uint32_t|size_t|unsigned)$/.test(fn.returns)) call = `${call} >>> 0`;
  else if (fn.returns.endsWith('*') && ctx.structs[fn.returns.slice(0, -2)])
    call = `read_${fn.returns.slice(0, -2)}(${call}, '${what}')`;
  if (heapArgs.length) {
    const body = call.startsWith('{') ? call.replace(/\n {6}/g, '\n        ').replace(/\n {4}\}$/, '\n      }') : call;
    call = `$h.with([${heapArgs.join(', ')}], (a) => ${body})`;
  }
  const body = call.startsWith('{') ? call : `${call}`;
  return `    ${jsName(fn.name)}: (${args.join(', ')}) => ${body},`;
}

function moduleJs(mod, fns, enums, ctx) {
  const out = [`// Generated by scripts/seam/gen-seam.mjs from ${mod.sources.map((s) => `core/wasm/${s}`).join(', ')}`,
    '// and the headers they include. Do not edit: change the C and rebuild (core/wasm/README.md).',
    "import { seam } from './heap.js';", ''];
  let header = '';
  for (const e of enums) {
    if (e.header !== header) out.push(`// ${(header = e.header)}`);
    if (e.name) {
      const keys = Object.keys(e.values);
      let prefix = keys.length > 1 ? keys.reduce((a, b) => { while (!b.startsWith(a)) a = a.slice(0, -1); return a; }) : '';
      prefix = prefix.slice(0, prefix.lastIndexOf('_') + 1);
      if (keys.length === 1) prefix = /^PA_/.test(keys[0]) ? 'PA_' : '';
      const body = keys.map((k) => `${k.slice(prefix.length)}: ${e.values[k]}`).join(', ');
      out.push(`export const ${e.name} = Object.freeze({ ${body} });`);
    } else
      for (const [k, v] of Object.entries(e.values)) out.push(`export const ${k} = ${v};`);
  }
  const bind = `bind${mod.name[0].toUpperCase()}${camel(mod.name.slice(1).replace(/-/g, '_'))}`;
  out.push('', `// The ${mod.name} exports of ${mod.wasm}.mjs over instance M; one object per instance.`,
    `export function ${bind}(M) {`, `  const $h = seam(M, ${ctx.statusName ? `(c) => M._${ctx.statusName.name}(c)` : 'null'}, ${ctx.wipe ? 'true' : 'false'});`);
  // $ok(rc, what, handle): rc 0 or a status; $neg: < 0 is -status. The
  // message comes from the module's error function (NaN: none for this call).
  ctx.used = {};
  const wrappers = fns.map((f) => wrapper(f, ctx)).filter(Boolean);
  const msg = ctx.error
    ? `(k) => (Number.isNaN(k) ? '' : $h.str(M._${ctx.error.name}(${ctx.error.params.length ? 'k' : ''})))` : 'null';
  const fault = ctx.fault
    ? `() => {\n    const f = M._${ctx.fault.name}();\n    return f ? $h.str(M._${ctx.fault.tags['error-fault']}(f)) : '';\n  }` : 'null';
  if (ctx.used.$ok || ctx.used.$neg) out.push(`  const $message = ${msg};`, `  const $fault = ${fault};`);
  if (ctx.used.$ok) out.push("  const $ok = (rc, what, k) => $h.check(rc, what, false, () => $message(k), $fault);");
  if (ctx.used.$neg) out.push("  const $neg = (rc, what, k) => $h.check(rc, what, true, () => $message(k), $fault);");
  for (const [name, fields] of Object.entries(ctx.structs)) {
    const free = fns.find((f) => f.tags.free && f.params[0]?.type === `${name} *`);
    if (free) out.push(`  const read_${name} = ${readerFor(name, fields, free.name)};`);
  }
  out.push('  return {', ...wrappers, '  };', '}', '');
  return out.join('\n');
}

// ---- main

export function generate(root) {
  const inc = path.join(root, 'core/include/pa');
  const known = {};
  const headerEnums = {};
  // pa_status.h first: other headers use its values.
  const headers = ['pa_status.h', 'pa_platform.h', ...readdirSorted(inc).filter((h) => !['pa_status.h', 'pa_platform.h'].includes(h))];
  for (const hd of headers) headerEnums[hd] = readHeader(path.join(inc, hd), `core/include/pa/${hd}`, known);
  const headerIncludes = Object.fromEntries(headers.map((hd) =>
    [hd, [...readFileSync(path.join(inc, hd), 'utf8').matchAll(/#include\s+"pa\/(\w+\.h)"/g)].map((m) => m[1])]));
  const closure = (list) => {
    const seen = new Set();
    const visit = (hd) => { if (seen.has(hd)) return; seen.add(hd); (headerIncludes[hd] || []).forEach(visit); };
    list.forEach(visit);
    return headers.filter((hd) => seen.has(hd));
  };

  const json = { generator: 'scripts/seam/gen-seam.mjs', modules: [], functions: [], enums: [] };
  for (const hd of headers) json.enums.push(...headerEnums[hd]);
  const files = {};
  const perWasm = {};
  for (const mod of MODULES) {
    const read = mod.sources.map((s) => readExports(path.join(root, 'core/wasm', s), `core/wasm/${s}`));
    const fns = read.flatMap((r) => r.fns);
    (perWasm[mod.wasm] ??= []).push(...fns);
    mod.read = { fns, structs: Object.assign({}, ...read.map((r) => r.structs)), includes: read.flatMap((r) => r.includes),
      fileTags: Object.assign({}, ...read.map((r) => r.fileTags)) };
  }
  for (const mod of MODULES) {
    const { fns, structs, includes, fileTags } = mod.read;
    const byName = Object.fromEntries(perWasm[mod.wasm].map((f) => [f.name, f]));
    const tagged = (tag) => fns.find((f) => f.tags[tag]) || null;
    const ctx = { structs, byName, error: tagged('error'), fault: tagged('error-fault'),
      statusName: perWasm[mod.wasm].find((f) => f.tags['status-name']) || null,
      wipe: !!fileTags['wipe-inputs'] };
    const hds = closure(includes);
    const enums = hds.flatMap((hd) => headerEnums[hd]);
    json.modules.push({ name: mod.name, wasm: mod.wasm, sources: mod.sources.map((s) => `core/wasm/${s}`),
      headers: hds.map((hd) => `core/include/pa/${hd}`), file: `seam/${mod.name}.js` });
    for (const f of fns) json.functions.push({ name: f.name, module: mod.name, source: f.source, js: jsName(f.name),
      params: f.params, returns: f.returns, doc: f.doc, tags: f.tags });
    files[`${mod.name}.js`] = moduleJs(mod, fns, enums, ctx);
  }
  files['seam.json'] = `${JSON.stringify(json, null, 2)}\n`;
  files['heap.js'] = `// Generated from scripts/seam/heap.js (comments there). Do not edit.\n${
    readFileSync(path.join(HERE, 'heap.js'), 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n')}`;
  const asserts = ['/* Generated by scripts/seam/gen-seam.mjs: every constant the seam modules carry,',
    ' * checked against the headers by the compiler. Do not edit. */'];
  for (const hd of headers) asserts.push(`#include "pa/${hd}"`);
  for (const e of json.enums)
    for (const [k, v] of Object.entries(e.values))
      asserts.push(`_Static_assert(${k} == ${v}, "${k} in ${e.header}: the seam generator read ${v}");`);
  files['seam_asserts.c'] = `${asserts.join('\n')}\n`;
  return files;
}

function readdirSorted(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.h')).sort();
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gen-seam.mjs')) {
  const opt = {};
  for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  if (!opt.out && !opt.asserts) {
    console.error('usage: gen-seam.mjs [--out DIR] [--asserts FILE] [--root DIR]');
    process.exit(2);
  }
  const files = generate(opt.root || path.resolve(HERE, '../..'));
  for (const [name, text] of Object.entries(files)) {
    const to = name === 'seam_asserts.c' ? opt.asserts : opt.out && path.join(opt.out, name);
    if (!to) continue;
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
}
