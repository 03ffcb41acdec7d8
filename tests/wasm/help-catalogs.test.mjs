// The help center's catalog tooling (issue 23, scripts/i18n/help.mjs): the
// check on a folder named `help` fails on each kind of broken article, its
// named limits at their edges, full mode against --locales subsets, and
// add-keys/gen-pseudo on such a folder. Fixtures are this test's own, built
// in a temporary folder (never the product's articles).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../lib/paths.mjs';
import { LOCALES } from '../../scripts/i18n/locales.mjs';
import { HELP_SUMMARY_MAX, HELP_BODY_WORDS_MIN, HELP_BODY_WORDS_MAX } from '../../scripts/i18n/help.mjs';

const node = (script, ...args) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/i18n', script), ...args], { encoding: 'utf8' });

const words = (n, w = 'dog') => Array(n).fill(w).join(' ');
// An English body of `n` words: a paragraph, three steps, two bullets.
const body = (n) => `${words(n - 12)}\n\n1. Open Settings\n2. Choose Devices\n3. Confirm\n\n- One thing\n- Other one`;

function fixture() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pa-help-'));
  const dir = path.join(root, 'help');
  mkdirSync(dir);
  const en = {
    'help.section.pets': 'Pets',
    'help.pet-photo.title': 'Change a pet’s photo',
    'help.pet-photo.summary': 'Open the pet and choose a new photo.',
    'help.pet-photo.body': body(HELP_BODY_WORDS_MIN),
    'help.pet-photo.keywords': 'picture, avatar, pet image',
    'help.add-pet.title': 'Add a pet',
    'help.add-pet.summary': 'Open your profile and add a pet.',
    'help.add-pet.body': body(HELP_BODY_WORDS_MAX),
    'help.add-pet.keywords': 'new pet, second dog',
  };
  const write = (tag, cat) => writeFileSync(path.join(dir, `${tag}.json`), JSON.stringify(cat, null, 2) + '\n');
  // A "translation": every text marked with its locale, blocks kept.
  const translate = (tag) => Object.fromEntries(Object.entries(en).map(([k, v]) => [k, `${tag.toUpperCase()} ${v}`]));
  write('en', en);
  for (const tag of LOCALES.filter((t) => t !== 'en')) write(tag, translate(tag));
  writeFileSync(path.join(dir, 'sections.json'), JSON.stringify([{ section: 'pets', slugs: ['add-pet', 'pet-photo'] }]));
  const pseudo = () => assert.equal(node('gen-pseudo.mjs', '--cli', CLI, '--dir', dir).status, 0);
  pseudo();
  const edit = (tag, fn) => {
    const file = path.join(dir, `${tag}.json`);
    const cat = JSON.parse(readFileSync(file, 'utf8'));
    fn(cat);
    write(tag, cat);
    if (tag === 'en') pseudo();
  };
  const check = (...args) => node('check-catalogs.mjs', '--cli', CLI, '--dir', dir, ...args);
  return { root, dir, en, edit, check, write, translate };
}

// FAIL/ok sections of a run's output, by tag.
const sections = (stdout) => Object.fromEntries(stdout.split(/^(?=FAIL |ok )/m).map((part) => [/^(?:FAIL|ok)\s+([\w-]+)/.exec(part)?.[1], part]));

test('the help check passes a good folder and fails each kind of broken article under its own catalog', () => {
  const f = fixture();
  try {
    const ok = f.check();
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /all 21 catalogs pass/);
    const cases = [
      ['de', (c) => { c['help.pet-photo.title'] = 'Foto {pet}'; }, /help\.pet-photo\.title: holds \{ \} or #/],
      ['fr', (c) => { c['help.add-pet.summary'] = "Ouvrez l'onglet."; }, /help\.add-pet\.summary: holds an ASCII apostrophe/],
      ['it', (c) => { c['help.add-pet.body'] = f.en['help.add-pet.body']; }, /help\.add-pet\.body: still the English text/],
      ['nl', (c) => { c['help.pet-photo.body'] = c['help.pet-photo.body'].replace('\n\n- One thing\n- Other one', ''); }, /help\.pet-photo\.body: blocks p ol3 differ from en’s p ol3 ul2/],
      ['es', (c) => { c['help.pet-photo.summary'] = 'a'.repeat(HELP_SUMMARY_MAX + 1); }, new RegExp(`help\\.pet-photo\\.summary: ${HELP_SUMMARY_MAX + 1} characters, over ${HELP_SUMMARY_MAX}`)],
      ['ja', (c) => { delete c['help.add-pet.keywords']; }, /help\.add-pet\.keywords: missing/],
      ['ko', (c) => { c['help.add-pet.body'] = c['help.add-pet.body'].replace('KO ', 'KO www.example.com '); }, /help\.add-pet\.body: holds a URL/],
      ['pl', (c) => { c['help.add-pet.keywords'] = 'pies,, kot'; }, /help\.add-pet\.keywords: an empty keyword/],
      ['tr', (c) => { c['help.add-pet.body'] = c['help.add-pet.body'].replace('1. Open', '2. Open'); }, /steps not numbered 1, 2, 3/],
      ['ru', (c) => { c['help.add-pet.body'] = c['help.add-pet.body'].replace('\n\n1. Open', '\n1. Open'); }, /a paragraph with a line break that is not a list/],
    ];
    assert.equal(new Set(cases.map(([tag]) => tag)).size, cases.length, 'one case per catalog');
    for (const [tag, fn] of cases) f.edit(tag, fn);
    // The last allowed summary length passes (pt, otherwise untouched).
    f.edit('pt', (c) => { c['help.pet-photo.summary'] = 'é'.repeat(HELP_SUMMARY_MAX); });
    const r = f.check();
    assert.equal(r.status, 1, r.stdout);
    const s = sections(r.stdout);
    for (const [tag, , re] of cases) {
      assert.match(s[tag] ?? '', /^FAIL /, `${tag} failed`);
      assert.match(s[tag], re, tag);
      for (const [other, , otherRe] of cases) if (other !== tag) assert.doesNotMatch(s[tag], otherRe, `${other}'s problem is not under ${tag}`);
    }
    assert.match(s.pt, /^ok /, s.pt);
    assert.match(r.stdout, new RegExp(`^${cases.length} catalogs failed`, 'm'));
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('English bodies: word counts at their edges, and sections.json in step with the articles', () => {
  const f = fixture();
  try {
    // Both bodies sit at their edges already (80 and 220 words) and pass.
    assert.equal(f.check('--locales', 'es').status, 0);
    f.edit('en', (c) => {
      c['help.pet-photo.body'] = body(HELP_BODY_WORDS_MIN - 1);
      c['help.add-pet.body'] = body(HELP_BODY_WORDS_MAX + 1);
    });
    const r = f.check('--locales', 'es');
    assert.equal(r.status, 1, r.stdout);
    const en = sections(r.stdout).en;
    assert.match(en, new RegExp(`help\\.pet-photo\\.body: ${HELP_BODY_WORDS_MIN - 1} words, outside`));
    assert.match(en, new RegExp(`help\\.add-pet\\.body: ${HELP_BODY_WORDS_MAX + 1} words, outside`));
    f.edit('en', (c) => {
      c['help.pet-photo.body'] = body(HELP_BODY_WORDS_MIN);
      c['help.add-pet.body'] = body(HELP_BODY_WORDS_MAX);
    });
    writeFileSync(path.join(f.dir, 'sections.json'), JSON.stringify([{ section: 'pets', slugs: ['pet-photo', 'lost'] }, { section: 'chat', slugs: [] }]));
    const s = f.check('--locales', 'es');
    assert.equal(s.status, 1, s.stdout);
    assert.match(s.stdout, /sections\.json: lost has no article/);
    assert.match(s.stdout, /help\.add-pet: in no section of sections\.json/);
    assert.match(s.stdout, /help\.section\.chat: missing \(sections\.json names it\)/);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('full mode needs every locale; --locales checks a subset and says it is not a full check', () => {
  const f = fixture();
  try {
    unlinkSync(path.join(f.dir, 'th.json'));
    const full = f.check();
    assert.equal(full.status, 1, full.stdout);
    assert.match(full.stdout, /FAIL th: 1 problem\n\s+locales\/help\/th\.json is missing/);
    const present = f.check('--locales', 'present');
    assert.equal(present.status, 0, present.stdout);
    assert.match(present.stdout, /20 of 21 catalogs pass \(--locales present: not a full check\)/);
    const some = f.check('--locales', 'es,fr');
    assert.equal(some.status, 0, some.stdout);
    assert.match(some.stdout, /4 of 21 catalogs pass/);
    assert.match(f.check('--locales', 'th').stdout, /FAIL th: 1 problem/);
    assert.match(f.check('--locales', 'xx').stdout, /FAIL --locales: xx not shipped locales/);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('add-keys --locales writes only those catalogs, creates a missing one in en’s order, and refuses a patch without their text', () => {
  const f = fixture();
  try {
    unlinkSync(path.join(f.dir, 'th.json'));
    const thai = f.translate('th');
    const patchFile = path.join(f.root, 'patch.json');
    // Given in reverse order: the new file must still follow en.json's.
    writeFileSync(patchFile, JSON.stringify(Object.fromEntries(Object.keys(thai).reverse().map((k) => [k, { th: thai[k] }]))));
    const refused = node('add-keys.mjs', patchFile, '--dir', f.dir);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /has no text for en, es/);
    const before = readFileSync(path.join(f.dir, 'es.json'), 'utf8');
    const r = node('add-keys.mjs', patchFile, '--dir', f.dir, '--locales', 'th');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /in 1 catalogs/);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(f.dir, 'th.json'), 'utf8'))), Object.keys(f.en));
    assert.equal(readFileSync(path.join(f.dir, 'es.json'), 'utf8'), before, 'es untouched');
    const full = f.check();
    assert.equal(full.status, 0, full.stdout);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});
