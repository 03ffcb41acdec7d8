// The locales PetAmigos ships, in one place for every generator and check.
// Tags are BCP 47 as the catalogs (locales/<tag>.json) are named.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const LOCALES = [
  'en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'ru', 'uk', 'pl',
  'tr', 'ar', 'hi', 'bn', 'zh-Hans', 'ja', 'ko', 'id', 'vi', 'th',
];

// Generated from en by scripts/i18n/gen-pseudo.mjs; formats with en's data.
export const PSEUDO = { tag: 'en-XA', base: 'en' };

export const SOURCE_LOCALE = 'en';

// CLDR JSON lives in node_modules; generators take --cldr DIR to override.
export function cldrDir(argv = process.argv) {
  const i = argv.indexOf('--cldr');
  return i > 0 ? argv[i + 1] : path.join(ROOT, 'node_modules');
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function argValue(name, argv = process.argv) {
  const i = argv.indexOf(name);
  return i > 0 ? argv[i + 1] : undefined;
}

// The CLDR locale whose plural rules apply to a tag: CLDR keys rules by
// language ("zh", not "zh-Hans"), so drop subtags until one is found.
export function pluralLocale(tag, rules) {
  for (let t = tag; t; t = t.includes('-') ? t.slice(0, t.lastIndexOf('-')) : '') {
    if (rules[t]) return t;
  }
  return 'root';
}

// C string literal for any UTF-8 text: non-ASCII and quotes escaped as octal
// so the generated file is plain ASCII and no escape can swallow a following
// hex digit.
export function cstr(s) {
  if (s === null || s === undefined) return 'NULL';
  const bytes = Buffer.from(s, 'utf8');
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f && b !== 0x3f) out += String.fromCharCode(b); // '?' avoids trigraphs
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}
