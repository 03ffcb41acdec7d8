#!/usr/bin/env node
// Checks every catalog in locales/ against the source (en.json) with the
// core's own message parser, through the CLI (`petamigos i18n check` lists
// each message's argument signature, `i18n locales` each locale's CLDR
// plural categories), so the check and the app read messages identically.
//
// A catalog fails on: a missing or extra key; a message our parser rejects;
// an argument set (name + type, plural offset, select keys) that differs
// from the source's; a plural or selectordinal without a category its
// locale needs, or with one the locale never selects; a message left in
// English; a stale en-XA.json. Also: a catalog file for no shipped locale.
//
// The help center's folder (--dir locales/help, or --plain) holds plain text:
// the same checks plus those of help.mjs (no `{ } #`, no ASCII apostrophe,
// article fields, summary length, body blocks as en's, sections.json).
//
// Full mode (the default, what ctest runs) needs every shipped locale.
// --locales es,fr (or --locales present: the files that exist) checks only
// those catalogs, with en and en-XA, while translations are in flight.
//
// usage: node scripts/i18n/check-catalogs.mjs --cli PATH/TO/petamigos [--dir LOCALES] [--plain]
//          [--locales LIST|present] [--quiet]
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, LOCALES, PSEUDO, SOURCE_LOCALE, argValue } from './locales.mjs';
import { isHelpDir, readSections, helpProblems, HELP_SECTIONS_FILE } from './help.mjs';

const cli = argValue('--cli') ?? path.join(ROOT, 'build/native/core/petamigos');
const dir = argValue('--dir') ?? path.join(ROOT, 'locales');
const quiet = process.argv.includes('--quiet');
const help = isHelpDir(dir);

// Messages that may read the same as English: the brand, "Reel" (the
// format's name, kept untranslated the way Instagram's own UI keeps it), and
// words a language writes exactly as English does. Anything else identical
// to en.json is a message someone forgot to translate.
const SAME_AS_SOURCE = {
  'app.name': '*',
  'reel.label': '*',
  'nav.reels': '*',
  'nav.home': ['it', 'nl'], // what Instagram's own UI says there
  'language.hi': '*',
  'language.th': ['nl', 'id'],
  'story.label': ['pt', 'fr', 'de'], // what Instagram's own UI says there
  'mod.kind.reel': '*', // the format's name, as reel.label
  'mod.kind.story': ['pt', 'fr', 'de'], // as story.label
  'auth.email': ['id', 'vi'],
  'auth.password': ['it'],
  'settings.account': ['it', 'nl'],
  'settings.privacy': ['it', 'nl'],
  'safety.privacy': ['it', 'nl'], // the word both languages use (as settings.privacy)
  'settings.notifications': ['fr'],
  'nav.notifications': ['fr'],
  'nav.messages': ['fr'],
  'chat.title': ['fr'], // « Messages »
  'chat.label': ['fr'], // « Message »
  'chat.photo': ['fr'], // « Photo »
  // The admin console's words as those languages write them too.
  'admin.tab.roles': ['es'],
  'admin.colRoles': ['es'],
  'admin.colName': ['de'],
  'admin.role.support': ['de', 'nl'],
  'admin.role.moderator': ['nl', 'pl', 'id'],
  'petedit.species.hamster': ['pt', 'fr', 'de', 'nl', 'tr', 'id'], // the animal's name there
  'nav.short.messages': ['es', 'pt', 'fr', 'de', 'nl'], // "Chats" is the word there too
  'settings.themeSystem': ['de'],
  'billing.badge': '*', // the tier's name, a brand
  'billing.tierPlus': '*',
  'billing.plansTitle': '*',
  // The pet-health dashboard: units written the same way, and words those languages share.
  'health.kg': '*',
  'health.km': '*',
  'health.kind.allergies': ['fr'],
  'health.field.date': ['fr'],
  'health.col.date': ['fr'],
  'health.field.minutes': ['fr'],
  'health.col.distance': ['fr'],
  'health.field.start': ['nl'],
  'health.severity.mild': ['nl'],
  // The Health tab: SI unit symbols, and words those languages share with English.
  'ops.ms': '*',
  'ops.perMinute': ['de', 'es', 'pt', 'fr', 'it', 'nl', 'pl'],
  'ops.colRoute': ['fr', 'de', 'nl'],
  'ops.colP50': ['id', 'de'],
  // The advertiser's console (issue 21): words those languages write as English does.
  'adv.link': ['pt', 'de', 'it', 'nl', 'pl'],
  'adv.linkTo': ['pt', 'de', 'it', 'nl', 'pl'],
  'mod.ad.link': ['pt', 'de', 'it', 'nl', 'pl'],
  'adv.topupLine': ['pt', 'fr', 'nl'], // "{price} via {provider}"
  'adv.targetKind.tag': ['pt', 'fr', 'de', 'it', 'nl', 'pl', 'id'],
  'adv.targetTags': ['pt', 'fr', 'de', 'nl'],
  'adv.kind.photo': ['fr'],
  'adv.kind.reel': '*', // the format's name, as reel.label
  'adv.col.impressions': ['fr'],
  'adv.report': ['it'],
  'adv.col.target': ['it', 'id'],
  // The support inbox and conversation (issue 23): the brand, the tier's name, and words those languages share.
  'support.desk.system': '*', // the brand
  'support.desk.plus': '*', // the tier's name, as billing.tierPlus
  'support.desk.stateLine': ['pt', 'de', 'nl', 'pl', 'id'], // "Status: {state}"
  'support.desk.tab': ['de', 'nl'],
  'support.desk.state.open': ['nl'],
  'support.desk.assistant': ['fr'],
  'support.desk.personLine': ['de'],
  'support.desk.cannedBody': ['de'],
  // Lives (issue 24): the pill's word as German and Dutch write it.
  'live.kit.badge': ['de', 'nl'],
  // Lives (issue 24): the tray's pill, kept as "LIVE" where those languages' big apps keep it.
  'stories.live_badge': ['de', 'it', 'nl', 'id'],
};
// The help center's: section titles those languages write as English does.
const HELP_SAME_AS_SOURCE = {
  'help.section.plus': '*', // « PetAmigos Plus », the tier's name
  'help.reels.title': '*', // « Reels », the format's name (as reel.label in the UI)
  'help.notifications.title': ['fr'], // the word French writes as English does (as settings.notifications)
};
const sameAllowed = (tag, key) => {
  const table = help ? HELP_SAME_AS_SOURCE : SAME_AS_SOURCE;
  return table[key] === '*' || (table[key] ?? []).includes(tag);
};

// ---- what the core says

// tag -> { cardinal: Set, ordinal: Set }
function pluralCategories() {
  const out = new Map();
  for (const line of execFileSync(cli, ['i18n', 'locales'], { encoding: 'utf8' }).trim().split('\n')) {
    const [tag, , cardinal, ordinal] = line.split(' ');
    out.set(tag, { cardinal: new Set(cardinal.split(',')), ordinal: new Set(ordinal.split(',')) });
  }
  return out;
}

// key -> signature array, or { error } for a message the parser rejects.
function signatures(file) {
  const r = spawnSync(cli, ['i18n', 'check', file], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 2) throw new Error(`${file}: ${r.stderr.trim() || `exit ${r.status}`}`);
  if (!r.stdout && r.stderr) return { fileError: r.stderr.trim() };
  const out = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const key = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    out.set(key, rest.startsWith('[') ? JSON.parse(rest) : { error: rest });
  }
  return out;
}

// ---- comparisons

const describe = (e) => `{${e.arg}, ${e.type}${e.offset ? `, offset:${e.offset}` : ''}}`;

// "arg:type[:offset]" for every use, as a sorted unique list.
function shape(sig) {
  return [...new Set(sig.map((e) => `${e.arg}:${e.type}${e.offset ? `:offset ${e.offset}` : ''}`))].sort();
}

function checkMessage(tag, key, src, sig, cats, problems) {
  const want = shape(src);
  const got = shape(sig);
  const missing = want.filter((x) => !got.includes(x));
  const extra = got.filter((x) => !want.includes(x));
  if (missing.length || extra.length) {
    problems.push(`${key}: arguments differ from ${SOURCE_LOCALE}` +
      (missing.length ? `; missing ${missing.join(', ')}` : '') +
      (extra.length ? `; unexpected ${extra.join(', ')}` : ''));
  }
  for (const e of sig) {
    if (e.type === 'plural' || e.type === 'selectordinal') {
      const need = e.type === 'plural' ? cats.cardinal : cats.ordinal;
      const have = new Set(e.keys.filter((k) => !k.startsWith('=')));
      const lacking = [...need].filter((c) => !have.has(c));
      const unused = [...have].filter((c) => !need.has(c));
      if (lacking.length) problems.push(`${key}: ${describe(e)} lacks ${lacking.join(', ')} (${tag} needs ${[...need].join(', ')})`);
      if (unused.length) problems.push(`${key}: ${describe(e)} has ${unused.join(', ')}, which ${tag} never selects`);
    } else if (e.type === 'select') {
      const srcKeys = new Set(src.filter((s) => s.arg === e.arg && s.type === 'select').flatMap((s) => s.keys));
      const have = new Set(e.keys);
      const lacking = [...srcKeys].filter((k) => !have.has(k));
      const unknown = [...have].filter((k) => !srcKeys.has(k));
      if (lacking.length) problems.push(`${key}: ${describe(e)} lacks case ${lacking.join(', ')}`);
      if (unknown.length) problems.push(`${key}: ${describe(e)} has case ${unknown.join(', ')}, which ${SOURCE_LOCALE} does not`);
    }
  }
}

// Text outside arguments, to spot messages left in English.
const hasWords = (msg) => /\p{L}{2,}/u.test(msg.replace(/\{[^{}]*\}/g, ''));

function checkCatalog(tag, file, source, sourceSigs, cats) {
  const problems = [];
  let messages;
  try {
    messages = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return [`not valid JSON: ${err.message}`];
  }
  const sigs = signatures(file);
  if (sigs.fileError) return [sigs.fileError];
  for (const key of Object.keys(source)) if (!(key in messages)) problems.push(`${key}: missing`);
  for (const key of Object.keys(messages)) if (!(key in source)) problems.push(`${key}: not in ${SOURCE_LOCALE}.json`);
  for (const key of Object.keys(messages)) {
    if (!(key in source)) continue;
    const sig = sigs.get(key);
    if (!sig || sig.error) {
      problems.push(`${key}: our parser rejects it: ${sig ? sig.error : 'no result'}`);
      continue;
    }
    checkMessage(tag, key, sourceSigs.get(key), sig, cats, problems);
    if (tag !== SOURCE_LOCALE && messages[key] === source[key] && hasWords(source[key]) && !sameAllowed(tag, key)) {
      problems.push(`${key}: still the English text`);
    }
  }
  if (help) {
    problems.push(...helpProblems(tag, messages, source, {
      isSource: tag === SOURCE_LOCALE, isPseudo: tag === PSEUDO.tag, sections: readSections(dir),
    }));
  }
  return problems;
}

const categories = pluralCategories();
const sourceFile = path.join(dir, `${SOURCE_LOCALE}.json`);
const source = JSON.parse(readFileSync(sourceFile, 'utf8'));
const sourceSigs = signatures(sourceFile);
let failed = 0;

const present = readdirSync(dir).filter((f) => f.endsWith('.json') && !(help && f === HELP_SECTIONS_FILE)).sort();
for (const name of present) {
  const tag = name.slice(0, -5);
  if (!LOCALES.includes(tag) && tag !== PSEUDO.tag) {
    console.log(`FAIL ${tag}: locales/${name} is not a shipped locale`);
    failed++;
  }
}

// Which catalogs to check: all (full mode), or a subset with en and en-XA.
const subset = argValue('--locales');
let tags = [...LOCALES, PSEUDO.tag];
if (subset) {
  const wanted = subset === 'present' ? present.map((f) => f.slice(0, -5)) : subset.split(',');
  const unknown = wanted.filter((t) => !tags.includes(t));
  if (unknown.length) {
    console.log(`FAIL --locales: ${unknown.join(', ')} not shipped locales`);
    process.exit(1);
  }
  tags = tags.filter((t) => t === SOURCE_LOCALE || t === PSEUDO.tag || wanted.includes(t));
}

for (const tag of tags) {
  const file = path.join(dir, `${tag}.json`);
  let problems;
  try {
    readFileSync(file);
    problems = checkCatalog(tag, file, source, sourceSigs, categories.get(tag));
  } catch (err) {
    problems = [err.code === 'ENOENT' ? `${help ? 'locales/help' : 'locales'}/${tag}.json is missing` : err.message];
  }
  if (tag === PSEUDO.tag) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/i18n/gen-pseudo.mjs'), '--cli', cli, '--dir', dir, '--check'], { encoding: 'utf8' });
    if (r.status !== 0) problems.push(r.stderr.trim());
  }
  if (problems.length) {
    failed++;
    console.log(`FAIL ${tag}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    for (const p of problems) console.log(`     ${p}`);
  } else if (!quiet) {
    const cats = categories.get(tag);
    console.log(`ok   ${tag.padEnd(7)} ${Object.keys(source).length} messages; plural ${[...cats.cardinal].join('/')}; ordinal ${[...cats.ordinal].join('/')}`);
  }
}
console.log(failed ? `${failed} catalog${failed === 1 ? '' : 's'} failed`
  : subset ? `${tags.length} of ${LOCALES.length + 1} catalogs pass (--locales ${subset}: not a full check)` : `all ${LOCALES.length + 1} catalogs pass`);
process.exit(failed ? 1 : 0);
