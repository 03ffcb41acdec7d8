#!/usr/bin/env node
// Writes the seed corpus of fuzz_msgfmt (tests/corpus/msgfmt/): real
// catalog messages in their locale, with and without JSON arguments, and a
// few hand-picked edge cases. Input format: see core/fuzz/fuzz_msgfmt.c
// (byte 0 = locale index, then the message, then NUL + JSON arguments).
//
// usage: node scripts/i18n/gen-fuzz-corpus.mjs
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ROOT, LOCALES, PSEUDO } from './locales.mjs';

const dir = path.join(ROOT, 'tests/corpus/msgfmt');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const tags = [...LOCALES, PSEUDO.tag];
const args = JSON.stringify({ count: 3, pet: 'Luna', name: 'Ana', when: 1795969800000, place: 2, liked: true, species: 'dog', progress: 0.5 });
let n = 0;
function seed(tag, message, json) {
  const parts = [Buffer.from([tags.indexOf(tag)]), Buffer.from(message)];
  if (json !== undefined) parts.push(Buffer.from([0]), Buffer.from(json));
  const bytes = Buffer.concat(parts);
  const name = createHash('sha1').update(bytes).digest('hex').slice(0, 16);
  writeFileSync(path.join(dir, name), bytes);
  n++;
}

// en's messages with a plural, select or typed argument, and the longest
// such ones of every other locale (their scripts, digits and categories);
// libFuzzer's mutations do the rest.
const complex = (message) => /\{\s*\w+\s*,/.test(message);
for (const tag of tags) {
  const catalog = JSON.parse(readFileSync(path.join(ROOT, 'locales', `${tag}.json`), 'utf8'));
  let entries = Object.entries(catalog).filter(([, m]) => complex(m));
  if (tag !== 'en') entries = entries.sort((a, b) => b[1].length - a[1].length).slice(0, 6);
  for (const [key, message] of entries) seed(tag, message, key.length % 2 ? args : undefined);
}
// Edge cases: quoting, nesting, exact values, offsets, bad input.
const edges = [
  "'{'quoted'}' it''s '#' {n, plural, other {'#' #}}",
  '{a, plural, offset:2 =0 {z} =1.5 {x} one {#} other {{b, select, x {{c, selectordinal, one {#} other {#}}} other {}}}}',
  '{n, number, ::compact-short} {n, number, ::currency/JPY} {n, number, percent} {t, date, long} {t, time, short}',
  '{s, select, other {{s, select, other {{s, select, other {{s, select, other {deep}}}}}}}}',
  '{n, plural, one {x}}', '{', '}', "'{unterminated", '{n, plural, =- {x} other {y}}', 'x\u2068y\u2069',
];
for (const e of edges) seed('en', e, JSON.stringify({ n: '1.50', a: 3, b: 'x', c: 22, s: 'y', t: 0 }));
seed('ar', '{n, plural, zero {z} one {o} two {t} few {f} many {m} other {#}}', '{"n":103}');
seed('en', '{"a.b":"{n, plural, one {#} other {#}}"}');
console.log(`wrote ${n} seeds to ${path.relative(ROOT, dir)}`);
