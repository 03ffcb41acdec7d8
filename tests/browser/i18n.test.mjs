// The running app in all 20 locales, switched from the settings screen's
// language picker without a reload: the core's canvas and mirror, the nav and
// header, numbers and relative times per locale, Arabic mirrored, the
// pseudo-locale without overflow, the choice remembered, negotiation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { serverAndBrowser } from '../lib/app.mjs';
import { decodePng } from '../lib/png.mjs';
import { ROOT } from '../lib/paths.mjs';

const LOCALES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'ru', 'uk', 'pl', 'tr', 'ar', 'hi', 'bn', 'zh-Hans', 'ja', 'ko', 'id', 'vi', 'th'];
const catalog = (tag) => JSON.parse(readFileSync(path.join(ROOT, 'locales', `${tag}.json`), 'utf8'));
const EN = catalog('en');
const KEY_LIKE = /^[a-z][A-Za-z]*(\.[A-Za-z0-9-]+)+$/; // what a raw catalog key looks like

let server, browser;

serverAndBrowser((s, b) => {
  server = s;
  browser = b;
});

async function open({ viewport = { width: 390, height: 844 }, locale = 'en-US', choice = null, path: at = '/' } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale, serviceWorkers: 'block' });
  if (choice) await context.addInitScript((c) => localStorage.setItem('petamigos.locale', c), choice);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(at, server.url).href);
  return { context, page, problems };
}

// The words the page shows where a user reads them: nav, header, the feed's
// mirror (titles, counts, photo labels, buttons) and their labels.
function visibleWords(page) {
  return page.evaluate(() => {
    const out = [];
    for (const root of document.querySelectorAll('header.bar, #tabs, #mirror, #feed-mode')) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.trim()) out.push(n.data.trim());
      for (const el of root.querySelectorAll('[aria-label]')) out.push(el.getAttribute('aria-label'));
      if (root.getAttribute('aria-label')) out.push(root.getAttribute('aria-label'));
    }
    return out;
  });
}

async function firstArticle(page) {
  const a = page.locator('#mirror > article').first();
  await a.waitFor({ state: 'attached' });
  return a;
}

const canvasShot = async (page) => decodePng(await page.locator('#canvas').screenshot());

// Dark-or-coloured pixels in a vertical strip of the top of the canvas:
// avatars (tray and card header) against the white card.
function ink({ width, pixels }, x0, x1, y0, y1) {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      if (Math.min(pixels[i], pixels[i + 1], pixels[i + 2]) < 200) n++;
    }
  return n;
}

// Digits as ASCII (Arabic-Indic, Persian, Devanagari, Bengali, Thai), spaces
// plain, isolates gone: our CLDR 48 and Chromium's ICU agree on words, not
// always on digits or space characters.
const ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50];
const digitsToAscii = (s) => s
  .replace(/\p{Nd}/gu, (d) => {
    const c = d.codePointAt(0);
    const zero = ZEROS.find((z) => c >= z && c < z + 10);
    return zero === undefined ? d : String(c - zero);
  })
  .replace(/[\u00a0\u202f]/g, ' ').replace(/[\u2066-\u2069]/g, '');

test('the settings picker switches the running app through all 20 locales, the canvas included', async () => {
  const { page, problems } = await open();
  const article = await firstArticle(page);
  await page.waitForFunction(() => document.querySelector('#mirror article button[data-control="like"]')?.textContent);
  const api = await (await fetch(new URL('/api/v1/feed', server.url))).json();
  const [enTitle, , , enCounts] = await article.locator(':scope > *').evaluateAll((els) => els.map((e) => e.textContent));
  const english = { title: enTitle, counts: enCounts };
  let shot = await canvasShot(page);
  const enShot = shot;
  const W = shot.width;
  const enInk = [ink(shot, 14, 50, 0, 200), ink(shot, W - 50, W - 14, 0, 200)];
  assert.ok(enInk[0] > enInk[1] * 2, `avatars on the left in English (${enInk})`);

  for (const tag of [...LOCALES.slice(1), 'en']) {
    const cat = catalog(tag);
    // Through the UI: the settings screen, its <select id="language">, back to the feed.
    await page.locator('a[href="/settings"]').first().click();
    const select = page.locator('select#language');
    await select.waitFor();
    await select.selectOption(tag);
    await page.waitForFunction((t) => document.documentElement.lang === t, tag);
    await page.locator('#tabs a[href="/"]').click();
    await page.waitForFunction((like) => document.querySelector('#mirror article button[data-control="like"]')?.textContent === like,
      cat['post.like']);

    // Direction of the document and of the core's layout.
    assert.equal(await page.evaluate(() => document.documentElement.dir), tag === 'ar' ? 'rtl' : 'ltr', tag);

    // No raw key anywhere a user reads; nothing left in English where the
    // locale has its own words.
    const words = await visibleWords(page);
    for (const w of words) assert.ok(!KEY_LIKE.test(w), `${tag}: raw key "${w}"`);
    const navKeys = await page.evaluate(() => [...document.querySelectorAll('#tabs [data-i18n]')].map((e) => [e.dataset.i18n, e.textContent]));
    for (const [key, text] of navKeys) {
      assert.equal(text, cat[key], `${tag}: ${key}`);
      if (cat[key] !== EN[key]) assert.notEqual(text, EN[key], `${tag}: ${key} still English`);
    }
    const labels = await article.locator('button[data-control]').evaluateAll((bs) => bs.map((b) => [b.dataset.control, b.textContent]));
    const want = { like: 'post.like', comments: 'post.comments', share: 'post.share' };
    for (const [control, text] of labels) {
      assert.ok(text && !KEY_LIKE.test(text), `${tag}: ${control} label "${text}"`);
      if (want[control]) assert.equal(text, cat[want[control]], `${tag}: ${control}`);
    }
    const [title, , photo, counts] = await article.locator(':scope > *').evaluateAll((els) => els.map((e) => e.textContent));
    if (tag !== 'en') {
      assert.notEqual(title, english.title, `${tag}: title in English`);
      assert.notEqual(counts, english.counts, `${tag}: counts in English`);
      assert.ok(!title.includes(' posted by '), `${tag}: title in English: ${title}`);
    }
    // Relative time as the browser's own Intl words it (digits compared as
    // values). The demo world's newest post is hours old (web/demo/seed.c),
    // past the "now" a post under a minute old would say.
    const post = api.posts[0];
    const when = await page.evaluate(([t, created]) => {
      const s = Math.floor((Date.now() - Date.parse(created)) / 1000);
      if (s < 60) return null;
      const [v, unit] = s >= 365 * 86400 ? [s / (365 * 86400), 'year'] : s >= 30 * 86400 ? [s / (30 * 86400), 'month']
        : s >= 7 * 86400 ? [s / (7 * 86400), 'week'] : s >= 86400 ? [s / 86400, 'day'] : s >= 3600 ? [s / 3600, 'hour'] : [s / 60, 'minute'];
      return new Intl.RelativeTimeFormat(t, { numeric: 'auto' }).format(-Math.floor(v), unit);
    }, [tag, post.created_at]);
    assert.ok(when, `the newest post is at least a minute old (${post.created_at})`);
    assert.ok(digitsToAscii(title).includes(digitsToAscii(when)), `${tag}: "${title}" says "${when}"`);
    // Numbers in the locale's digits: Bengali uses its own.
    if (tag === 'bn') assert.match(photo + counts, /[০-৯]/u, `bn digits: ${photo} ${counts}`);

    // The canvas redrew in the new words: it differs from English (and English,
    // last, from Thai).
    const next = await canvasShot(page);
    const ref = tag === 'en' ? shot : enShot;
    let changed = 0;
    for (let i = 0; i < next.pixels.length; i += 4) changed += next.pixels[i] !== ref.pixels[i] || next.pixels[i + 1] !== ref.pixels[i + 1];
    assert.ok(changed > 0, `${tag}: the canvas changed (${changed} pixels)`);
    shot = next;
    if (tag === 'ar') {
      // Mirrored: the avatars (tray and card header) sit on the right.
      const arInk = [ink(shot, 14, 50, 0, 200), ink(shot, W - 50, W - 14, 0, 200)];
      assert.ok(arInk[1] > arInk[0] * 2, `avatars on the right in Arabic (${arInk})`);
      const mirrorDir = await page.evaluate(() => getComputedStyle(document.querySelector('#tabs')).direction);
      assert.equal(mirrorDir, 'rtl');
    }
  }
  assert.deepEqual(problems, []);
});

test('the choice is remembered across a reload', async () => {
  const { page, problems } = await open({ path: '/settings' });
  const select = page.locator('select#language');
  await select.waitFor();
  await select.selectOption('de');
  await page.waitForFunction(() => document.documentElement.lang === 'de');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.lang === 'de');
  await page.locator('#tabs a[href="/"]').click();
  await page.waitForFunction((like) => document.querySelector('#mirror article button[data-control="like"]')?.textContent === like,
    catalog('de')['post.like']);
  assert.deepEqual(problems, []);
});

test('a pt-BR browser gets Portuguese; an unknown language falls back to English without an error', async () => {
  for (const [locale, want] of [['pt-BR', 'pt'], ['tlh-KX', 'en']]) {
    const { page, problems, context } = await open({ locale });
    await page.waitForFunction((w) => document.documentElement.lang === w, want);
    await page.waitForFunction((like) => document.querySelector('#mirror article button[data-control="like"]')?.textContent === like,
      catalog(want)['post.like']);
    assert.equal(await page.locator('#tabs a[href="/"]').textContent(), catalog(want)['nav.home']);
    assert.deepEqual(problems, [], locale);
    await context.close();
  }
  // A remembered choice we do not ship (say, from a newer version) is no error either.
  const { page, problems } = await open({ choice: 'xx-unknown' });
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await firstArticle(page);
  assert.deepEqual(problems, []);
});

// Text containers whose content is wider than their box.
function overflowing(page, selector) {
  return page.evaluate((sel) => {
    const out = [];
    let checked = 0; // boxes with text measured: none would prove nothing
    const doc = document.documentElement;
    if (doc.scrollWidth > innerWidth) out.push(`the page: ${doc.scrollWidth} > ${innerWidth}`);
    for (const root of document.querySelectorAll(sel))
      for (const el of [root, ...root.querySelectorAll('*')]) {
        if (el.closest('.visually-hidden, [hidden], svg')) continue;
        const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
        if (!hasText || el.clientWidth === 0) continue;
        checked++;
        if (el.scrollWidth > el.clientWidth + 1)
          out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}: "${el.textContent.trim().slice(0, 40)}" ${el.scrollWidth} > ${el.clientWidth}`);
      }
    if (checked < 5) out.push(`only ${checked} boxes with text under ${sel}`);
    return out;
  }, selector);
}

test('the pseudo-locale overflows no box in the nav, header, feed or settings, at phone and desktop width', async () => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    const { page, problems, context } = await open({ viewport, choice: 'en-XA' });
    await page.waitForFunction(() => document.documentElement.lang === 'en-XA');
    await page.waitForFunction((like) => document.querySelector('#mirror article button[data-control="like"]')?.textContent === like,
      catalog('en-XA')['post.like']);
    const feed = await overflowing(page, 'header.bar, #tabs, #feed-mode, #status');
    assert.deepEqual(feed, [], `feed at ${viewport.width}px`);
    await page.locator('a[href="/settings"]').first().click();
    await page.locator('select#language').waitFor();
    const settings = await overflowing(page, 'header.bar, #tabs, #screen');
    assert.deepEqual(settings, [], `settings at ${viewport.width}px`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// The fonts scripts/setup installs (fonts-noto-core, fonts-noto-cjk) give
// every script of the 20 locales its glyphs: a label drawn by the shell's own
// text service (shell/text.js: the font stack the core's canvas text uses)
// must not look like the same number of U+0378 (unassigned, so drawn as the
// missing-glyph box, "tofu") drawn the same way, and none of its characters
// drawn alone may look like one box. Without the fonts the whole labels are
// rows of identical boxes in Japanese and Hindi; Thai's stacked vowel and
// tone marks make its row differ even as tofu, so the characters are also
// compared one by one (each consonant alone is exactly the box).
test('Japanese, Hindi and Thai labels are drawn in their own scripts, not as tofu', async () => {
  for (const tag of ['ja', 'hi', 'th']) {
    const { page, context } = await open({ choice: tag });
    await page.waitForFunction((t) => document.documentElement.lang === t, tag);
    for (const key of ['nav.home', 'post.like']) {
      const label = catalog(tag)[key];
      const chars = [...new Set([...label].filter((c) => c !== ' '))];
      const tofu = [...label].map((c) => (c === ' ' ? c : '\u0378')).join('');
      const [drawn, boxes, box, ...alone] = await page.evaluate(async (texts) => {
        const { rasterText } = await import('/text.js');
        return texts.map((t) => {
          const r = rasterText(t, { size: 24, bold: false, color: 0x000000ff, maxWidth: 4000, maxLines: 1 });
          let ink = 0;
          for (let i = 3; i < r.data.length; i += 4) if (r.data[i] > 0) ink++;
          return { width: r.width, height: r.height, ink, pixels: Array.from(r.data).join(',') };
        });
      }, [label, tofu, '\u0378', ...chars]);
      const same = (a, b) => a.width === b.width && a.pixels === b.pixels;
      const why = 'no font for its script (scripts/setup installs fonts-noto-core and fonts-noto-cjk)';
      assert.ok(drawn.ink > 0 && box.ink > 0, `${tag} ${key} "${label}": nothing drawn (${drawn.ink}, box ${box.ink})`);
      assert.ok(!same(drawn, boxes), `${tag} ${key} "${label}" is drawn exactly like ${tofu.length} U+0378 boxes: ${why}`);
      const boxed = chars.filter((c, i) => same(alone[i], box));
      assert.deepEqual(boxed.map((c) => `U+${c.codePointAt(0).toString(16).toUpperCase()}`), [],
        `${tag} ${key} "${label}": these characters are drawn as the missing-glyph box: ${why}`);
    }
    await context.close();
  }
});
