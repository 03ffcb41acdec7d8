#!/usr/bin/env node
// Writes locales/en-XA.json, the pseudo-locale, from locales/en.json with the
// core's own pseudo-localizer (`petamigos i18n pseudo`), so message syntax is
// kept exactly as our parser reads it. --check compares instead of writing
// and exits 1 when the file is stale.
//
// usage: node scripts/i18n/gen-pseudo.mjs --cli PATH/TO/petamigos [--dir LOCALES] [--check]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, PSEUDO, SOURCE_LOCALE, argValue } from './locales.mjs';

const cli = argValue('--cli') ?? path.join(ROOT, 'build/native/core/petamigos');
const dir = argValue('--dir') ?? path.join(ROOT, 'locales');
const source = path.join(dir, `${SOURCE_LOCALE}.json`);
const target = path.join(dir, `${PSEUDO.tag}.json`);

// The CLI lists keys in bytewise order; keep en.json's order for reviewers.
const pseudo = JSON.parse(execFileSync(cli, ['i18n', 'pseudo', source], { encoding: 'utf8' }));
const ordered = {};
for (const key of Object.keys(JSON.parse(readFileSync(source, 'utf8')))) ordered[key] = pseudo[key];
const text = JSON.stringify(ordered, null, 2) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${path.relative(ROOT, target)} is stale: run node scripts/i18n/gen-pseudo.mjs --cli ${cli}`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(ROOT, target)} (${Object.keys(ordered).length} messages)`);
}
