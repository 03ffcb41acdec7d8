// i18n in WASM: plural categories, messages, catalogs, numbers and dates
// exactly as the native CLI prints them, for every shipped locale.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore } from '../lib/core.mjs';
import { CLI, ROOT, SITE } from '../lib/paths.mjs';
import { LOCALES, PSEUDO } from '../../scripts/i18n/locales.mjs';

// The shell's i18n face as the site serves it (it imports the generated seam/i18n.js).
const { wasmI18n, NO_ISOLATE } = await import(path.join(SITE, 'i18n-wasm.js'));

const LOCALES_DIR = path.join(ROOT, 'locales');
let core, i18n;

// The native CLI: stdout, stderr (trimmed) and exit code.
function native(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

// Many commands in one process (`petamigos batch`: one per line, arguments
// tab-separated; each answer ends with \x1e, its status and a newline), so
// hundreds of cases cost one start of the sanitized binary. err is the whole
// run's stderr, for a failure's message.
function nativeBatch(commands) {
  const r = spawnSync(CLI, ['batch'], { input: commands.map((a) => `${a.join('\t')}\n`).join(''), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  const out = [];
  const re = /([^\x1e]*)\x1e(\d+)\n/gy;
  for (let m; (m = re.exec(r.stdout));) out.push({ out: m[1], code: Number(m[2]), err: r.stderr.trim() });
  assert.equal(out.length, commands.length, 'one answer per command');
  return out;
}

before(async () => {
  core = await loadCore();
  i18n = wasmI18n(core);
});

// Numbers that exercise every rule: integers around each modulus, big ones,
// visible fraction digits ("1" vs "1.0" vs "1.00"), compact exponents.
function sampleNumbers() {
  const out = new Set();
  for (let n = 0; n <= 1100; n++) out.add(String(n));
  for (const base of [200, 1000, 10000, 100000, 1000000]) for (let k = 0; k < 25; k++) out.add(String(base + k));
  for (const n of ['1000000', '2000000', '123456789012345678', '-1', '-2', '-11', '-21']) out.add(n);
  for (let n = 0; n <= 30; n++) out.add((n / 10).toFixed(1));
  for (const n of ['0.00', '0.01', '0.04', '1.00', '1.000', '2.00', '1.50', '3.0', '10.0', '11.0', '100.0', '103.0', '1000000.0', '21.1', '0.000000000000000001']) out.add(n);
  for (const n of ['1c3', '2c3', '1c6', '2c6', '1.1c6', '1.0000001c6', '1.0001c3', '5c6', '1.5c9']) out.add(n);
  return [...out];
}

test('lists the same locales, directions and negotiation as native', () => {
  assert.deepEqual(i18n.locales(), LOCALES);
  const nat = native(['i18n', 'locales']).out.trim().split('\n');
  assert.equal(nat.length, LOCALES.length + 1);
  for (const line of nat) {
    const [tag, dir] = line.split(' ');
    assert.equal(i18n.isRtl(tag) ? 'rtl' : 'ltr', dir, tag);
  }
  assert.equal(i18n.isRtl('ar'), true);
  assert.equal(i18n.isRtl('he-IL'), true);
  const lists = [
    ['pt-BR', 'en'], ['zh-CN'], ['zh-SG'], ['zh'], ['zh-TW', 'ja'], ['es-419'], ['EN_us'],
    ['pt_br'], ['xx', 'yy'], [], ['he', 'ar-EG'], ['in'], ['en-XA'], ['sr-Cyrl-RS', 'uk-UA', 'ru'],
  ];
  for (const tags of lists) {
    assert.equal(i18n.negotiate(tags), native(['negotiate', ...tags]).out.trim(), tags.join(','));
  }
  assert.equal(i18n.negotiate(['pt-BR', 'en']), 'pt');
  assert.equal(i18n.negotiate(['zh-CN']), 'zh-Hans');
  assert.equal(i18n.negotiate(['es-419']), 'es');
  assert.equal(i18n.resolve('zh-TW'), null);
});

test('plural categories match native for every locale, cardinal and ordinal', () => {
  const numbers = sampleNumbers();
  let compared = 0;
  for (const tag of [...LOCALES, PSEUDO.tag]) {
    for (const [cmd, ordinal] of [['plural', false], ['ordinal', true]]) {
      const nat = native([cmd, tag, ...numbers]);
      assert.equal(nat.code, 0, `${cmd} ${tag}: ${nat.err}`);
      const lines = nat.out.trim().split('\n');
      assert.equal(lines.length, numbers.length);
      numbers.forEach((n, k) => {
        assert.equal(i18n.plural(tag, n, ordinal), lines[k], `${cmd} ${tag} ${n}`);
      });
      compared += numbers.length;
    }
  }
  // A sanity anchor, so agreement cannot mean both are wrong the same way.
  assert.equal(i18n.plural('ru', '22'), 'few');
  assert.equal(i18n.plural('ar', '0'), 'zero');
  assert.equal(i18n.plural('en', '1.0'), 'other');
  assert.equal(i18n.plural('en', '3', true), 'few');
  assert.ok(compared > 50000, `${compared} comparisons`);
  for (const bad of ['', 'x', '1.', '1e99', '-']) {
    const nat = native(['plural', 'en', bad]);
    assert.equal(nat.code, 2, bad);
    assert.deepEqual(i18n.plural('en', bad), { error: nat.err }, bad);
  }
});

// Argument sets that walk the plural forms: one object serves every key
// (names mean the same thing across the catalog).
function sampleArgs() {
  const when = Date.UTC(2026, 10, 29, 16, 30);
  const species = ['cat', 'dog', 'bird', 'rabbit', 'fish', 'hamster'];
  return [0, 1, 2, 3, 5, 11, 21, 22, 101, 1000000, 1.5, '1.0'].map((n, k) => ({
    count: n, likes: n, comments: k, years: n, place: typeof n === 'number' ? Math.max(1, Math.round(n)) : 1,
    min: n, max: n, status: 500 + k, index: k + 1, total: k + 3, progress: k / 12,
    when: when + k * 3600e3, date: when - k * 86400e3,
    pet: k % 3 ? 'Luna' : 'לונה', name: k % 2 ? 'Ana Souza' : 'علي', author: 'Bo',
    species: species[k % species.length], time: '2h', alt: 'a cat asleep', liked: k % 2 === 0,
    advertiser: 'Acme', reason: 'out of memory', unseen: k % 2 === 1, more: k % 3 === 0,
    label: 'Nap time #cats', tag: 'cats', q: k % 2 ? 'luna' : 'لونا',
    seconds: k + 1, email: 'ana@example.com', n: k + 1, mb: 64 + k,
    provider: k % 2 ? 'PayPal' : 'Mercado Pago', price: k % 2 ? '$4.99' : 'R$ 19,90', shipping: k % 2 ? '$1.50' : 'R$ 4,50',
    minutes: k + 1, plus: 20 + k, role: k % 2 ? 'moderator' : 'admin', tombstone: 'pty_0f3a',
    kg: k % 2 ? 12.5 : 0.35 + k, km: k / 4, until: when + k * 86400e3,
    link: 'https://petamigos.example/reset#token=abc',
    caption: k % 2 ? 'Nap time' : 'قيلولة', kind: 'Post', action: 'Hide', state: 'Hidden', id: 'u_7',
    note: k % 2 ? 'Please be kind' : 'كن لطيفًا',
    browser: k % 2 ? 'Firefox' : 'Chrome', os: k % 2 ? 'Linux' : 'Android', network: k % 2 ? '203.0.113.0/24' : '2001:db8:1::/48',
    created: 'Dec 6, 2026', seen: 'Dec 7, 2026', device: k % 2 ? 'Firefox on Linux' : 'Chrome على Android',
    title: k % 2 ? 'Dog bed' : 'سرير كلب', shown: '1.2K', cities: 'Recife, Olinda', zone: 'Brazil', avg: k % 2 ? '4.5' : '٤٫٥',
    order: 'ord_12', carrier: k % 2 ? 'Correios' : 'DHL', tracking: 'BR123456789',
    quantity: k + 1, unit: k % 2 ? '$2.50' : 'R$ 9,90', seller: k % 2 ? 'Shop Ana' : 'متجر آنا',
    currency: k % 2 ? 'USD' : 'BRL', spent: k % 2 ? '$12.00' : 'R$ 60,00', value: k % 2 ? 'cats' : 'قطط',
    host: 'shop.example', list: k % 2 ? 'cat, dog' : 'قط، كلب', from: when - k * 86400e3, to: when + k * 86400e3,
    query: k % 2 ? 'reset password' : 'كلمة المرور', who: k % 2 ? 'Ana Souza' : 'علي', rating: (k % 5) + 1,
    comment: k % 2 ? 'Quick and kind' : 'سريع ولطيف', days: 30, tier: k % 2 ? 'Plus' : 'Free',
  }));
}

test('every catalog message formats identically in WASM and native, with no errors', () => {
  const enFile = path.join(LOCALES_DIR, 'en.json');
  const en = i18n.loadCatalog('en', readFileSync(enFile, 'utf8'));
  const files = readdirSync(LOCALES_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.equal(files.length, LOCALES.length + 1);
  // Every catalog with every sample, rendered natively in one batch first.
  const samples = [...sampleArgs().entries()];
  const runs = files.flatMap((file) => samples.map(([k, args]) => {
    const flags = k % 4 === 3 ? ['--no-isolate'] : [];
    return { file, k, args, flags, cmd: ['i18n', 'render', path.join(LOCALES_DIR, file), JSON.stringify(args), '--fallback', enFile, '--tz', String(k * 30), ...flags] };
  }));
  const answers = nativeBatch(runs.map((r) => r.cmd));
  let compared = 0;
  for (const file of files) {
    const tag = file.slice(0, -5);
    const cat = i18n.loadCatalog(tag, readFileSync(path.join(LOCALES_DIR, file), 'utf8'));
    assert.equal(i18n.catalogLocale(cat), tag);
    const keys = i18n.keys(cat);
    runs.forEach(({ file: f, k, args, flags }, i) => {
      if (f !== file) return;
      const nat = answers[i];
      assert.equal(nat.code, 0, `${tag}: ${nat.err}`);
      const want = JSON.parse(nat.out);
      assert.deepEqual(Object.keys(want), keys);
      for (const key of keys) {
        const got = i18n.text(cat, en, key, args, { tz: k * 30, flags: flags.length ? NO_ISOLATE : 0 });
        assert.equal(i18n.errorCode(), 0, `${tag} ${key}: ${i18n.error()}`);
        assert.equal(got, want[key], `${tag} ${key} ${JSON.stringify(args)}`);
        compared++;
      }
    });
    if (cat !== en) i18n.freeCatalog(cat);
  }
  i18n.freeCatalog(en);
  assert.ok(compared >= 21 * 128 * 12, `${compared} comparisons`);
});

test('catalog messages read right in their language', () => {
  const load = (tag) => i18n.loadCatalog(tag, readFileSync(path.join(LOCALES_DIR, `${tag}.json`), 'utf8'));
  const en = load('en');
  const say = (tag, key, args) => {
    const cat = tag === 'en' ? en : load(tag);
    try {
      return i18n.text(cat, en, key, args, { flags: NO_ISOLATE });
    } finally {
      if (cat !== en) i18n.freeCatalog(cat);
    }
  };
  assert.equal(say('en', 'feed.newPosts', { count: 1 }), '1 new post');
  assert.equal(say('ru', 'feed.newPosts', { count: 22 }), '22 новые публикации');
  assert.equal(say('ru', 'feed.newPosts', { count: 25 }), '25 новых публикаций');
  assert.equal(say('pl', 'feed.newPosts', { count: 22 }), '22 nowe posty');
  assert.equal(say('ar', 'feed.newPosts', { count: 2 }), 'منشوران جديدان');
  assert.equal(say('fr', 'feed.newPosts', { count: 1000000 }), '1\u202f000\u202f000 de nouvelles publications');
  assert.equal(say('en', 'post.likedBy', { count: 3, name: 'Bo' }), 'Liked by Bo and 2 others');
  assert.equal(say('en', 'post.likeRank', { place: 22 }), 'You are the 22nd person to like this post.');
  assert.equal(say('bn', 'feed.newPosts', { count: 3 }), '৩টি নতুন পোস্ট');
  assert.equal(say('ja', 'reel.viewsCompact', { count: 15300 }), '1.5万 回再生');
  assert.match(say('en-XA', 'feed.retry'), /^\[Ţŕý ååĝååîîñ ?~+\]$/);
  i18n.freeCatalog(en);
});

test('arbitrary messages, good and broken, format as native does', () => {
  const cases = [
    ['en', '{n, plural, offset:1 =0 {none} one {# other} other {# others}}', { n: 3 }],
    ['ar', '{n, plural, zero {z} one {o} two {t} few {f#} many {m#} other {x#}}', { n: 13 }],
    ['en', '{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}', { n: 113 }],
    ['fr', '{n, selectordinal, one {#re} other {#e}} {x, number} {p, number, percent}', { n: 1, x: 1234.5, p: 0.5 }],
    ['de', "{t, date, long} '{'literal'}' it''s", { t: 1795969800000 }],
    ['hi', '{x, number, ::compact-short} {x, number, ::currency/INR}', { x: 1234567 }],
    ['en', 'Hi {name}', { name: 'שלום' }],
    ['en', '{n, plural, one {x}}', { n: 1 }],
    ['en', '{missing}', {}],
    ['en', '{n, number, ::scientific}', { n: 1 }],
    ['en', 'unclosed {n', { n: 1 }],
    ['ru', '{n, plural, one {#} few {#} many {#} other {#}}', { n: '1.50' }],
  ];
  for (const [tag, msg, args] of cases) {
    const nat = native(['format', tag, msg, JSON.stringify(args)]);
    const got = i18n.format(tag, msg, args);
    assert.equal(got + '\n', nat.out, msg);
    assert.equal(i18n.error(), nat.err, msg);
  }
  const bad = native(['format', 'en', '{x}', '{"x":']);
  assert.equal(i18n.format('en', '{x}', undefined) === '{x}', true);
  assert.equal(bad.code, 2);
});

test('numbers, dates and relative times match native for every locale', () => {
  const when = Date.UTC(2026, 10, 29, 16, 30);
  const cases = [];
  for (const tag of LOCALES) {
    for (const n of ['0', '-1234.5', '1234567.891', '0.256', '1e3'.replace('e', 'c')]) {
      for (const style of ['decimal', 'integer', 'percent', 'compact']) cases.push([['number', tag, n, style], () => i18n.number(tag, n, style)]);
      cases.push([['number', tag, n, 'currency=EUR'], () => i18n.number(tag, n, 'currency', 'EUR')]);
    }
    // The plans' currencies (shell/screens/plans.js): Mercado Pago's and PayPal's.
    for (const [n, code] of [['19.90', 'BRL'], ['4990.00', 'ARS'], ['990.00', 'MXN'], ['199000.00', 'COP'], ['49900', 'CLP'], ['4.99', 'USD']]) {
      cases.push([['number', tag, n, `currency=${code}`], () => i18n.number(tag, n, 'currency', code)]);
    }
    for (const [d, t] of [['short', 'none'], ['medium', 'none'], ['long', 'none'], ['none', 'short'], ['medium', 'short'], ['long', 'long']]) {
      cases.push([['date', tag, String(when), d, t, '--tz', '330'], () => i18n.date(tag, when, { tz: 330, date: d, time: t })]);
    }
    for (const [v, u] of [[-3, 'hour'], [2, 'day'], [-1, 'day'], [-45, 'minute'], [-3600 * 30, 'auto']]) {
      cases.push([['relative', tag, String(v), u], () => i18n.relative(tag, v, u)]);
    }
  }
  const answers = nativeBatch(cases.map(([args]) => args));
  cases.forEach(([args, wasm], i) => {
    assert.equal(answers[i].code, 0, `${args.join(' ')}: ${answers[i].err}`);
    assert.equal(wasm() + '\n', answers[i].out, args.join(' '));
  });
  assert.equal(i18n.number('fr', '1234.5'), '1\u202f234,5');
  assert.equal(i18n.number('bn', '1234567'), '১২,৩৪,৫৬৭');
  // CLDR's own data for the plans' currencies (scripts/i18n/gen-locale-data.mjs
  // EXTRA_CURRENCIES): the Brazilian real's symbol, and no decimals for CLP.
  assert.equal(i18n.number('pt', '199.00', 'currency', 'BRL'), 'R$\u00a0199,00');
  assert.equal(i18n.number('es', '49900', 'currency', 'CLP'), '49.900\u00a0CLP');
  assert.equal(i18n.number('en', '49900.4', 'currency', 'CLP'), 'CLP\u00a049,900');
  assert.equal(i18n.relative('en', -3, 'hour'), '3 hours ago');
  assert.equal(i18n.date('en', NaN), '');
  assert.match(i18n.error(), /^error \(invalid_argument\): date: outside the years/);
});

// The batch runner's own edges (core/cli/main.c): PA_CLI_BATCH_ARGS_MAX (32)
// arguments on a line and PA_CLI_BATCH_LINE_MAX (4096) bytes with its
// newline; past either, that line alone is a usage error (status 1) and the
// next line still runs. batch inside batch is refused the same way.
test('petamigos batch: one record per line, its limits at their edges', () => {
  const plural = (extra) => ['plural', 'en', ...Array(extra).fill('1')];
  const longest = ['format', 'en', 'w'.repeat(4096 - 'format\ten\t\n'.length)];
  const answers = nativeBatch([plural(30), plural(31), longest, [...longest.slice(0, 2), `${longest[2]}0`], ['batch'], ['relative', 'en', '-3', 'hour']]);
  assert.deepEqual(answers.map((a) => a.code), [0, 1, 0, 1, 1, 0]);
  assert.equal(answers[0].out, 'one\n'.repeat(30));
  assert.equal(answers[2].out, `${longest[2]}\n`);
  assert.equal(answers[5].out, '3 hours ago\n');
});

test('the catalog check fails on each kind of broken catalog', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-catalogs-'));
  try {
    const check = () => spawnSync(process.execPath, [path.join(ROOT, 'scripts/i18n/check-catalogs.mjs'), '--cli', CLI, '--dir', tmp], { encoding: 'utf8' });
    const copyAll = () => { for (const f of readdirSync(LOCALES_DIR).filter((n) => n.endsWith('.json'))) copyFileSync(path.join(LOCALES_DIR, f), path.join(tmp, f)); };
    copyAll();
    const ok = check();
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /all 21 catalogs pass/);
    const edit = (tag, fn) => {
      const file = path.join(tmp, `${tag}.json`);
      const cat = JSON.parse(readFileSync(file, 'utf8'));
      fn(cat);
      writeFileSync(file, JSON.stringify(cat, null, 2));
    };
    const cases = [
      ['de', (c) => delete c['feed.retry'], /de: 1 problem\n\s+feed\.retry: missing/],
      ['nl', (c) => { c['feed.extra'] = 'Extra'; }, /feed\.extra: not in en\.json/],
      ['fr', (c) => { c['post.openProfile'] = 'Ouvrir le profil de {animal}'; }, /post\.openProfile: arguments differ from en; missing pet:string; unexpected animal:string/],
      ['ru', (c) => { c['feed.newPosts'] = '{count, plural, one {# пост} many {# постов} other {# поста}}'; }, /feed\.newPosts: \{count, plural\} lacks few \(ru needs one, few, many, other\)/],
      ['ja', (c) => { c['feed.newPosts'] = '{count, plural, one {#件} other {#件}}'; }, /has one, which ja never selects/],
      ['ar', (c) => { c['post.likeRank'] = 'أنت {place, selectordinal, other {#}'; }, /post\.likeRank: our parser rejects it: error \(syntax\)/],
      ['it', (c) => { c['feed.retry'] = 'Try again'; }, /feed\.retry: still the English text/],
      ['pl', (c) => { c['post.likedBy'] = c['post.likedBy'].replace('offset:1 ', ''); }, /arguments differ from en; missing count:plural:offset 1/],
      ['es', (c) => { c['pet.kind'] = '{species, select, cat {Gato} other {Mascota}}'; }, /lacks case dog, bird, rabbit, fish/],
      ['en-XA', (c) => { c['feed.retry'] = '[Retry]'; }, /en-XA\.json is stale/],
    ];
    // Each case breaks its own catalog, all in one run (a run checks every
    // catalog): each failure must be reported under its catalog, and only there.
    assert.equal(new Set(cases.map(([tag]) => tag)).size, cases.length, 'one case per catalog');
    copyAll();
    for (const [tag, fn] of cases) edit(tag, fn);
    const r = check();
    assert.equal(r.status, 1, r.stdout);
    const sections = Object.fromEntries(r.stdout.split(/^(?=FAIL |ok )/m).map((part) => [/^(?:FAIL|ok)\s+([\w-]+)/.exec(part)?.[1], part]));
    for (const [tag, , re] of cases) {
      assert.match(sections[tag] ?? '', /^FAIL /, `${tag} failed`);
      assert.match(sections[tag], re, tag);
      for (const [other, , otherRe] of cases) if (other !== tag) assert.doesNotMatch(sections[tag], otherRe, `${other}'s problem is not reported under ${tag}`);
    }
    assert.match(r.stdout, new RegExp(`^${cases.length} catalogs failed`, 'm'));
    copyAll();
    copyFileSync(path.join(LOCALES_DIR, 'de.json'), path.join(tmp, 'xx.json'));
    assert.match(check().stdout, /FAIL xx: locales\/xx\.json is not a shipped locale/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
