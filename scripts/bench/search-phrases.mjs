// The phrases scripts/bench-search indexes: every string of the 20 catalogs
// (locales/*.json, not the en-XA pseudo-locale), one "locale<TAB>phrase"
// line each, with ICU MessageFormat arguments ({name}, {n, plural, …})
// removed, in a fixed order so the generated documents are the same on
// every run. usage: node scripts/bench/search-phrases.mjs > FILE
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'locales');
const out = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'en-XA.json').sort()) {
  const locale = file.slice(0, -5);
  const catalog = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  for (const key of Object.keys(catalog).sort()) {
    let text = String(catalog[key]);
    // Innermost braces first, until none are left: arguments and plural arms go.
    for (let before = ''; before !== text;) {
      before = text;
      text = text.replace(/\{[^{}]*\}/g, ' ');
    }
    text = text.replace(/[\t\n\r]+/g, ' ').replace(/ +/g, ' ').trim();
    if (text.length >= 2) out.push(`${locale}\t${text}`);
  }
}
process.stdout.write(`${out.join('\n')}\n`);
