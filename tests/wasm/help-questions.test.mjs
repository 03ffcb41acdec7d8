// The help center's labelled question set (issue 23, contract §3): the file
// scripts/eval-help measures retrieval with. Checks its shape and the
// issue's figures (at least 200 questions, at least 8 locales with ja, zh,
// th, ar and hi, every article asked at least 4 times), that no question
// holds an article's own title, and that the file is the one committed before
// any article existed: its SHA-256 is pinned, so an edit fails here (add a
// new set beside it instead, tests/help/README.md). Each check is first shown
// to find what it looks for on a broken copy, so none passes vacuously.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';
import { LOCALES } from '../../scripts/i18n/locales.mjs';

const SET_FILE = path.join(ROOT, 'tests/help/questions.json');
const HELP_DIR = path.join(ROOT, 'locales/help');
// The file as committed in 28ee05e, before any article text existed.
const SET_SHA256 = '4afe8f9b526a90a3ffca995cc22d4e220676278addc27af93af7c745c015aebe';
// The figures and the contract's.
const SET_QUESTIONS_MIN = 200;
const SET_LOCALES_MIN = 8;
const SET_LOCALES_REQUIRED = ['ja', 'zh-Hans', 'th', 'ar', 'hi'];
const SET_PER_SLUG_MIN = 4;
// A question the server takes: PA_STORE_HELP_QUESTION_MAX (web/src/store/help.h).
const QUESTION_MAX_BYTES = 500;

const slugsOf = (sections) => sections.flatMap((s) => s.slugs);

// A title is an article's own wording when it is more than one word (in a
// script written without spaces, 5 graphemes or more): a one-word title is
// the feature's everyday name (Stories, Historias, 短视频, สตอรี่), which
// people do type.
const SPACELESS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const GRAPHEMES = new Intl.Segmenter('und', { granularity: 'grapheme' });
const graphemes = (s) => [...GRAPHEMES.segment(s)].length;
const isPhrase = (title) => /\s/.test(title.trim()) || (SPACELESS.test(title) && graphemes(title) >= 5);
const fold = (s) => s.toLocaleLowerCase().replace(/[’'"“”«»¿?¡!.,:;()「」？！。、，]/g, '').replace(/\s+/g, ' ').trim();

// The articles' titles of a locale that are phrases, folded: [[key, title]].
const titleCache = new Map();
function titlesOf(catalogs, locale) {
  const cat = catalogs[locale];
  if (!cat) return [];
  if (!titleCache.has(cat)) {
    titleCache.set(cat, Object.entries(cat)
      .filter(([k, t]) => k.endsWith('.title') && !k.startsWith('help.section.') && isPhrase(t))
      .map(([k, t]) => [k, fold(t)]));
  }
  return titleCache.get(cat);
}

// Problems of a question set (an array) against the sections (sections.json)
// and the help catalogs by locale ({ tag: { key: text } }), as lines.
function problems(set, sections, catalogs) {
  const out = [];
  if (!Array.isArray(set)) return ['not an array'];
  const slugs = new Set(slugsOf(sections));
  const seen = new Set();
  const perSlug = new Map();
  const perLocale = new Map();
  set.forEach((item, i) => {
    const at = `#${i}`;
    if (!item || typeof item !== 'object' || Object.keys(item).sort().join() !== 'locale,q,slug') {
      out.push(`${at}: not exactly {locale, q, slug}`);
      return;
    }
    const { locale, q, slug } = item;
    if (![locale, q, slug].every((v) => typeof v === 'string' && v.trim() === v && v)) out.push(`${at}: an empty or untrimmed field`);
    if (!LOCALES.includes(locale)) out.push(`${at}: ${locale} is not a shipped locale`);
    if (!slugs.has(slug)) out.push(`${at}: ${slug} is no article`);
    if (Buffer.byteLength(String(q)) > QUESTION_MAX_BYTES) out.push(`${at}: over ${QUESTION_MAX_BYTES} bytes`);
    const key = `${locale}\n${fold(String(q))}`;
    if (seen.has(key)) out.push(`${at}: asked twice in ${locale}`);
    seen.add(key);
    perSlug.set(slug, (perSlug.get(slug) ?? 0) + 1);
    perLocale.set(locale, (perLocale.get(locale) ?? 0) + 1);
    const folded = fold(String(q));
    for (const [k, title] of titlesOf(catalogs, locale)) {
      if (folded.includes(title)) out.push(`${at}: holds the title of ${k} (“${catalogs[locale][k]}”)`);
    }
  });
  if (set.length < SET_QUESTIONS_MIN) out.push(`${set.length} questions, under ${SET_QUESTIONS_MIN}`);
  if (perLocale.size < SET_LOCALES_MIN) out.push(`${perLocale.size} locales, under ${SET_LOCALES_MIN}`);
  for (const l of SET_LOCALES_REQUIRED) if (!perLocale.has(l)) out.push(`no question in ${l}`);
  for (const s of slugs) if ((perSlug.get(s) ?? 0) < SET_PER_SLUG_MIN) out.push(`${s} asked ${perSlug.get(s) ?? 0} times, under ${SET_PER_SLUG_MIN}`);
  return out;
}

const bytes = readFileSync(SET_FILE);
const set = JSON.parse(bytes.toString('utf8'));
const sections = JSON.parse(readFileSync(path.join(HELP_DIR, 'sections.json'), 'utf8'));
const catalogs = Object.fromEntries(
  LOCALES.filter((l) => existsSync(path.join(HELP_DIR, `${l}.json`))).map((l) => [l, JSON.parse(readFileSync(path.join(HELP_DIR, `${l}.json`), 'utf8'))]),
);

test('the question set is the one committed before the articles (never edited)', () => {
  assert.equal(createHash('sha256').update(bytes).digest('hex'), SET_SHA256,
    'tests/help/questions.json changed: it is never edited; add a new set beside it (tests/help/README.md)');
});

test('the question set meets the issue’s figures and names only real articles', () => {
  assert.deepEqual(problems(set, sections, catalogs), []);
  assert.ok(slugsOf(sections).length >= 30, 'sections.json lists the articles'); // the contract's table has 33
  assert.ok(Object.keys(catalogs).length >= 2, 'some help catalogs exist to compare titles with');
});

test('each check finds what it looks for', () => {
  const base = set.slice();
  const expect = (broken, pattern) => assert.ok(problems(broken, sections, catalogs).some((p) => pattern.test(p)), `${pattern}`);
  expect({}, /not an array/);
  expect([...base, { locale: 'en', q: 'x', slug: 'pet-photo', extra: 1 }], /not exactly/);
  expect([...base, { locale: 'en', q: ' padded', slug: 'pet-photo' }], /untrimmed/);
  expect([...base, { locale: 'xx', q: 'where is it', slug: 'pet-photo' }], /not a shipped locale/);
  expect([...base, { locale: 'en', q: 'where is it', slug: 'no-such-article' }], /is no article/);
  expect([...base, { locale: 'en', q: 'a'.repeat(QUESTION_MAX_BYTES + 1), slug: 'pet-photo' }], /over 500 bytes/);
  assert.ok(!problems([...base, { locale: 'en', q: 'a'.repeat(QUESTION_MAX_BYTES), slug: 'pet-photo' }], sections, catalogs).some((p) => /bytes/.test(p)));
  expect([...base, { ...base[0], q: base[0].q.toUpperCase() }], /asked twice/);
  const title = catalogs.en['help.two-step.title'];
  assert.ok(isPhrase(title));
  expect([...base, { locale: 'en', q: `how does ${title.toLowerCase()} work`, slug: 'two-step' }], /holds the title/);
  expect(base.slice(0, SET_QUESTIONS_MIN - 1), new RegExp(`under ${SET_QUESTIONS_MIN}`));
  expect(base.filter((x) => x.locale !== 'hi'), /no question in hi/);
  expect(base.filter((x) => ['en', 'es', 'ja', 'zh-Hans', 'th', 'ar', 'hi'].includes(x.locale)), /locales, under 8/);
  const few = base.filter((x) => x.slug !== 'calls').concat(base.filter((x) => x.slug === 'calls').slice(0, SET_PER_SLUG_MIN - 1));
  expect(few, /calls asked 3 times/);
  // One-word titles are the features' names, which people type: not flagged.
  assert.ok(!isPhrase('Stories') && !isPhrase('Historias') && !isPhrase('短视频') && !isPhrase('สตอรี่'));
  assert.ok(isPhrase('2段階ログイン') && isPhrase('验证安全码') && isPhrase('Two-step sign-in'));
});
