#!/usr/bin/env node
// Generates the core's per-locale number and date data, and what locale
// negotiation needs, from CLDR JSON (cldr-core, cldr-numbers-full,
// cldr-dates-full) into one C file of constant tables (see core/src/i18n/i18n.md
// for why tables rather than lazily loaded files). Also writes each locale's
// data size, raw and gzipped, as JSON for scripts/bench-i18n.
//
// usage: node scripts/i18n/gen-locale-data.mjs --out FILE.c [--sizes FILE.json] [--cldr DIR]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LOCALES, cldrDir, readJson, argValue, cstr } from './locales.mjs';

const cldr = cldrDir();
const core = (f) => readJson(path.join(cldr, 'cldr-core', f));
const numbers = (tag, f) => readJson(path.join(cldr, 'cldr-numbers-full/main', tag, f)).main[tag].numbers;
const dates = (tag, f) => readJson(path.join(cldr, 'cldr-dates-full/main', tag, f)).main[tag].dates;

const likely = core('supplemental/likelySubtags.json').supplemental.likelySubtags;
const numberingSystems = core('supplemental/numberingSystems.json').supplemental.numberingSystems;
const currencyData = core('supplemental/currencyData.json').supplemental.currencyData;
const aliases = core('supplemental/aliases.json').supplemental.metadata.alias.languageAlias;
const scriptMetadata = core('scriptMetadata.json').scriptMetadata;

const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];
const UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year']; // pa_date_unit order
const STYLES = ['', '-short']; // long, short
const COMPACT_MIN = 3;
const COMPACT_MAGS = 15;

const fail = (msg) => {
  throw new Error(`gen-locale-data: ${msg}`);
};

// ---- number patterns (UTS #35 part 3, "Number Format Patterns")

// Splits a pattern into literal affixes and the numeric part, honouring
// quotes; symbols in affixes become the locale's ("%" → percentSign).
function splitPattern(pat, sym) {
  const out = { prefix: '', number: '', suffix: '' };
  let where = 'prefix';
  for (let k = 0; k < pat.length; k++) {
    const ch = pat[k];
    const numeric = '#0,.@'.includes(ch);
    if (numeric && where !== 'suffix') {
      where = 'number';
      out.number += ch;
      continue;
    }
    if (where === 'number') where = 'suffix';
    if (ch === "'") {
      if (pat[k + 1] === "'") {
        out[where] += "'";
        k++;
        continue;
      }
      const end = pat.indexOf("'", k + 1);
      if (end < 0) fail(`unterminated quote in "${pat}"`);
      out[where] += pat.slice(k + 1, end);
      k = end;
      continue;
    }
    if (ch === '%') out[where] += sym.percentSign;
    else if (ch === '‰') out[where] += sym.perMille;
    else if (ch === '-') out[where] += sym.minusSign;
    else if (ch === '+') out[where] += sym.plusSign;
    else out[where] += ch; // includes ¤, replaced at run time
  }
  return out;
}

function numberPattern(pattern, sym) {
  const [posText, negText] = pattern.split(';');
  const pos = splitPattern(posText, sym);
  const [intPart, fracPart = ''] = pos.number.split('.');
  const groups = intPart.split(',');
  const p = {
    prefix: pos.prefix,
    suffix: pos.suffix,
    min_int: (intPart.match(/0/g) || []).length,
    min_frac: (fracPart.match(/0/g) || []).length,
    max_frac: fracPart.length,
    group1: groups.length > 1 ? groups[groups.length - 1].length : 0,
    group2: groups.length > 2 ? groups[groups.length - 2].length : groups.length > 1 ? groups[groups.length - 1].length : 0,
  };
  if (negText) {
    const neg = splitPattern(negText, sym);
    p.neg_prefix = neg.prefix;
    p.neg_suffix = neg.suffix;
  } else {
    p.neg_prefix = sym.minusSign + pos.prefix;
    p.neg_suffix = pos.suffix;
  }
  return p;
}

function compactPattern(pattern, sym) {
  const s = splitPattern(pattern, sym);
  const zeros = (s.number.match(/0/g) || []).length;
  if (s.number.replace(/0/g, '')) fail(`compact pattern "${pattern}" has more than zeros`);
  // A bare "0" means: do not compact at this magnitude.
  if (zeros === 1 && !s.prefix && !s.suffix) return { prefix: '', suffix: '', zeros: 0 };
  return { prefix: s.prefix, suffix: s.suffix, zeros };
}

// ---- currencies: each shipped locale's likely region's tender, plus a few
// that travellers and sellers use everywhere.
const EXTRA_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'MXN', 'SAR', 'AED', 'ARS', 'BRL', 'CLP', 'COP'];
function regionCurrency(region) {
  const list = currencyData.region[region] || [];
  for (const entry of list) {
    for (const [code, info] of Object.entries(entry)) {
      if (!info._to && info._tender !== 'false') return code;
    }
  }
  return null;
}
const currencies = [...EXTRA_CURRENCIES];
for (const tag of LOCALES) {
  const region = likely[tag]?.split('-').pop() ?? likely[tag.split('-')[0]].split('-').pop();
  const code = regionCurrency(region);
  if (code && !currencies.includes(code)) currencies.push(code);
}
currencies.sort();
const currencyDigits = (code) => Number((currencyData.fractions[code] || currencyData.fractions.DEFAULT)._digits);

// ---- one locale

const lang = (tag) => tag.split('-')[0];
function scriptOf(tag) {
  const parts = tag.split('-');
  if (parts[1] && /^[A-Z][a-z]{3}$/.test(parts[1])) return parts[1];
  const full = likely[tag] || likely[parts[0]];
  if (!full) fail(`no likely subtags for ${tag}`);
  return full.split('-')[1];
}

function localeData(tag) {
  const num = numbers(tag, 'numbers.json');
  const ns = num.defaultNumberingSystem;
  const sym = num[`symbols-numberSystem-${ns}`];
  const digits = [...numberingSystems[ns]._digits];
  if (digits.length !== 10) fail(`${tag}: numbering system ${ns} is not decimal`);
  const cur = num[`currencyFormats-numberSystem-${ns}`];
  const short = num[`decimalFormats-numberSystem-${ns}`].short.decimalFormat;
  const compact = [];
  for (let m = 0; m < COMPACT_MAGS; m++) {
    const key = String(10n ** BigInt(m + COMPACT_MIN));
    compact.push(CATEGORIES.map((c) => {
      const pat = short[`${key}-count-${c}`];
      return pat === undefined ? null : compactPattern(pat, sym);
    }));
  }
  const currencyNames = numbers(tag, 'currencies.json').currencies;

  const greg = dates(tag, 'ca-gregorian.json').calendars.gregorian;
  const tz = dates(tag, 'timeZoneNames.json').timeZoneNames;
  const fields = dates(tag, 'dateFields.json').fields;
  const months = (w) => Array.from({ length: 12 }, (_, k) => greg.months.format[w][String(k + 1)]);
  const styles = ['short', 'medium', 'long'];
  // Long dates take the "at" glue ("November 29, 2026 at 10:30 AM") where
  // CLDR has one, as ICU does for long and full date styles.
  const atTime = greg['dateTimeFormats-atTime']?.standard ?? {};
  const dtf = (s) => (s === 'long' && atTime.long) || greg.dateTimeFormats[s];
  const [hourPos, hourNeg] = tz.hourFormat.split(';');

  return {
    tag,
    lang: lang(tag),
    script: scriptOf(tag),
    numbering: ns,
    digits,
    decimal: sym.decimal,
    group: sym.group,
    minus: sym.minusSign,
    percent: sym.percentSign,
    min_grouping: Number(num.minimumGroupingDigits),
    decimal_pat: numberPattern(num[`decimalFormats-numberSystem-${ns}`].standard, sym),
    percent_pat: numberPattern(num[`percentFormats-numberSystem-${ns}`].standard, sym),
    currency_pat: numberPattern(cur.standard, sym),
    currency_alpha_pat: numberPattern(cur['standard-alphaNextToNumber'] || cur.standard, sym),
    compact,
    currency_symbols: currencies.map((c) => currencyNames[c]?.symbol ?? c),
    // CLDR's currencyMatch [[:^S:]&[:^Z:]], per end of the symbol.
    currency_alpha: currencies.map((c) => {
      const chars = [...(currencyNames[c]?.symbol ?? c)];
      const alpha = (ch) => (ch && !/[\p{S}\p{Z}]/u.test(ch) ? 1 : 0);
      return alpha(chars[0]) | (alpha(chars[chars.length - 1]) << 1);
    }),
    months_abbr: months('abbreviated'),
    months_wide: months('wide'),
    era_abbr: [greg.eras.eraAbbr['0'], greg.eras.eraAbbr['1']],
    am: greg.dayPeriods.format.abbreviated.am,
    pm: greg.dayPeriods.format.abbreviated.pm,
    date_pat: styles.map((s) => greg.dateFormats[s]),
    time_pat: styles.map((s) => greg.timeFormats[s]),
    datetime_pat: styles.map(dtf),
    gmt_format: tz.gmtFormat,
    gmt_zero: tz.gmtZeroFormat,
    hour_pos: hourPos,
    hour_neg: hourNeg,
    rel: UNITS.map((u) => STYLES.map((st) => ['past', 'future'].map((dir) => {
      const f = fields[u + st]?.[`relativeTime-type-${dir}`] || {};
      return CATEGORIES.map((c) => f[`relativeTimePattern-count-${c}`] ?? null);
    }))),
    rel_named: UNITS.map((u) => STYLES.map((st) => [-2, -1, 0, 1, 2].map((k) => fields[u + st]?.[`relative-type-${k}`] ?? null))),
  };
}

// Pattern letters the run-time date formatter implements (datefmt.c).
const DATE_LETTERS = new Set('GyMLdhHKkmsaz');
function checkDatePattern(tag, pat) {
  const bare = pat.replace(/'[^']*'/g, '');
  for (const ch of bare.match(/[A-Za-z]/g) || []) {
    if (!DATE_LETTERS.has(ch)) fail(`${tag}: date pattern "${pat}" uses "${ch}", which datefmt.c does not implement`);
  }
}

// ---- negotiation tables

const supportedLangs = new Set(LOCALES.map(lang));
const rtlScripts = Object.entries(scriptMetadata).filter(([, v]) => v.rtl === 'YES').map(([k]) => k).sort();
const likelyScript = new Map();
for (const [key, value] of Object.entries(likely)) {
  const parts = key.split('-');
  const script = value.split('-')[1];
  if (parts.length === 1 && parts[0] !== 'und') {
    // Every shipped language, and every language written right to left.
    if (supportedLangs.has(key) || rtlScripts.includes(script)) likelyScript.set(key, script);
  } else if (parts.length === 2 && supportedLangs.has(parts[0]) && /^([A-Z]{2}|\d{3})$/.test(parts[1])) {
    // Regions where a shipped language is written in another script (zh-TW).
    const base = likely[parts[0]].split('-')[1];
    if (script !== base) likelyScript.set(key, script);
  }
}
const languageAlias = [];
for (const [key, v] of Object.entries(aliases)) {
  const to = v._replacement;
  if (/^[a-z]{2,3}$/.test(key) && /^[a-z]{2,3}$/.test(to) && likelyScript.has(to) && !to.includes('-')) {
    languageAlias.push([key, to]);
  }
}
languageAlias.sort((a, b) => (a[0] < b[0] ? -1 : 1));
const likelyRows = [...likelyScript].sort((a, b) => (a[0] < b[0] ? -1 : 1));

// ---- emit C

const c = [];
const pat = (p) =>
  `{${cstr(p.prefix)}, ${cstr(p.suffix)}, ${cstr(p.neg_prefix)}, ${cstr(p.neg_suffix)}, ${p.min_int}, ${p.min_frac}, ${p.max_frac}, ${p.group1}, ${p.group2}}`;
const strs = (a) => `{${a.map(cstr).join(', ')}}`;

const out = argValue('--out');
const sizesOut = argValue('--sizes');
if (!out) fail('usage: gen-locale-data.mjs --out FILE.c [--sizes FILE.json] [--cldr DIR]');

const all = LOCALES.map(localeData);
const sizes = {};
for (const d of all) {
  for (const p of [...d.date_pat, ...d.time_pat]) checkDatePattern(d.tag, p);
  const blob = Buffer.from(JSON.stringify(d));
  sizes[d.tag] = { raw: blob.length, gzip: gzipSync(blob, { level: 9 }).length };
}

c.push(`/* GENERATED by scripts/i18n/gen-locale-data.mjs from CLDR ${readJson(path.join(cldr, 'cldr-core/package.json')).version}
 * (cldr-core, cldr-numbers-full, cldr-dates-full). Do not edit. */
#include "i18n_data.h"
`);
c.push('const pa_i18n_currency pa_i18n_currencies[] = {');
for (const code of currencies) c.push(`  {"${code}", ${currencyDigits(code)}},`);
c.push('};');
c.push(`const int pa_i18n_currency_count = ${currencies.length};\n`);

all.forEach((d, k) => {
  c.push(`static const char *const currency_symbols_${k}[] = ${strs(d.currency_symbols)};`);
  c.push(`static const unsigned char currency_alpha_${k}[] = {${d.currency_alpha.join(', ')}};`);
});
c.push('\nconst pa_i18n_locale_data pa_i18n_locale_table[] = {');
all.forEach((d, k) => {
  const compact = d.compact
    .map((row) => `{${row.map((e) => (e ? `{${cstr(e.prefix)}, ${cstr(e.suffix)}, ${e.zeros}}` : '{NULL, NULL, 0}')).join(', ')}}`)
    .join(',\n      ');
  const rel = d.rel.map((u) => `{${u.map((s) => `{${s.map(strs).join(', ')}}`).join(', ')}}`).join(',\n      ');
  const named = d.rel_named.map((u) => `{${u.map(strs).join(', ')}}`).join(',\n      ');
  c.push(`  {/* ${d.tag} */
    .tag = ${cstr(d.tag)}, .lang = ${cstr(d.lang)}, .script = ${cstr(d.script)}, .numbering = ${cstr(d.numbering)},
    .digits = ${strs(d.digits)},
    .decimal = ${cstr(d.decimal)}, .group = ${cstr(d.group)}, .minus = ${cstr(d.minus)}, .percent = ${cstr(d.percent)},
    .min_grouping = ${d.min_grouping},
    .decimal_pat = ${pat(d.decimal_pat)},
    .percent_pat = ${pat(d.percent_pat)},
    .currency_pat = ${pat(d.currency_pat)},
    .currency_alpha_pat = ${pat(d.currency_alpha_pat)},
    .compact = {${compact}},
    .currency_symbols = currency_symbols_${k}, .currency_alpha = currency_alpha_${k},
    .months_abbr = ${strs(d.months_abbr)},
    .months_wide = ${strs(d.months_wide)},
    .era_abbr = ${strs(d.era_abbr)}, .am = ${cstr(d.am)}, .pm = ${cstr(d.pm)},
    .date_pat = ${strs(d.date_pat)},
    .time_pat = ${strs(d.time_pat)},
    .datetime_pat = ${strs(d.datetime_pat)},
    .gmt_format = ${cstr(d.gmt_format)}, .gmt_zero = ${cstr(d.gmt_zero)}, .hour_pos = ${cstr(d.hour_pos)}, .hour_neg = ${cstr(d.hour_neg)},
    .rel = {${rel}},
    .rel_named = {${named}}},`);
});
c.push('};');
c.push(`const int pa_i18n_locale_table_len = ${all.length};\n`);

c.push('const pa_i18n_pair pa_i18n_likely_script[] = {');
for (const [k, v] of likelyRows) c.push(`  {"${k}", "${v}"},`);
c.push('};');
c.push(`const int pa_i18n_likely_script_len = ${likelyRows.length};\n`);
c.push('const pa_i18n_pair pa_i18n_language_alias[] = {');
for (const [k, v] of languageAlias) c.push(`  {"${k}", "${v}"},`);
c.push('};');
c.push(`const int pa_i18n_language_alias_len = ${languageAlias.length};\n`);
c.push(`const char *const pa_i18n_rtl_scripts[] = {${rtlScripts.map((s) => `"${s}"`).join(', ')}};`);
c.push(`const int pa_i18n_rtl_scripts_len = ${rtlScripts.length};`);

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, c.join('\n') + '\n');
if (sizesOut) writeFileSync(sizesOut, JSON.stringify(sizes, null, 1) + '\n');
