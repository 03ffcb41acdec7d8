// What the app downloads at start, measured by loading it: the real server,
// headless Chromium at phone size, every response the page and its workers
// receive until the network is idle and the feed's images are drawn. Each body
// is counted gzipped at level 9 (what a static host serves). HTML, CSS, JS and
// WASM count against the budget; catalogs and fonts are listed apart, as are
// the shell's screens (shell/screens/*.js), which load only when visited: each
// is measured by importing it into a freshly started page.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from '../../tests/lib/server.mjs';
import { launchBrowser } from '../../tests/lib/browser.mjs';
import { exposeTestHooks } from '../../tests/lib/hooks.mjs';
import { SITE } from '../../tests/lib/paths.mjs';
import { sizeGate } from '../gates.mjs';

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

function kind(url, type) {
  const p = new URL(url).pathname;
  if (p.startsWith('/api/') || p.startsWith('/media/')) return 'data';
  if (p.startsWith('/locales/')) return 'catalog';
  if (/\.(woff2?|ttf|otf)$/.test(p) || type.startsWith('font/')) return 'font';
  if (p.startsWith('/screens/')) return 'screen';
  if (p.endsWith('.wasm')) return 'wasm';
  if (/\.m?js$/.test(p)) return 'js';
  if (p.endsWith('.css')) return 'css';
  if (type.startsWith('text/html')) return 'html';
  return 'other';
}

// Opens the start page and returns {records, page, context}; records fill as
// responses (the page's and its workers') finish.
async function open(browser, url) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, serviceWorkers: 'block' });
  const records = new Map();
  const pending = new Set(); // bodies still being read
  context.on('requestfinished', (req) => {
    const done = (async () => {
      const res = await req.response();
      const body = res && await res.body().catch(() => null);
      if (!body) return;
      const u = new URL(req.url());
      const name = u.pathname === '/' ? 'index.html' : u.pathname.slice(1);
      records.set(name, { name, kind: kind(req.url(), res.headers()['content-type'] ?? ''), raw: body.length, gz: gzipSync(body, { level: 9 }).length });
    })();
    pending.add(done);
    done.finally(() => pending.delete(done));
  });
  records.settled = async () => {
    await page.waitForLoadState('networkidle');
    while (pending.size) await Promise.all([...pending]);
  };
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  await exposeTestHooks(page); // the feed's own module, already loaded: nothing more is fetched
  await page.waitForFunction(() => (window.paMedia?.stats.workerDecoded ?? 0) + (window.paMedia?.stats.mainDecoded ?? 0) > 0);
  await page.waitForTimeout(500);
  await records.settled();
  return { records, page, context };
}

// The previous figure: the README's "Measurements" row for the size at start
// (its figure and the start of its note), printed above this run's.
function previous() {
  const readme = readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../README.md'), 'utf8');
  const row = readme.split('\n').find((l) => l.startsWith('| what loads at start'));
  const cells = row?.split(' | ') ?? [];
  if (cells.length < 3) return 'none in the README';
  const note = cells[1].replace(/\*\*/g, '');
  return `${note.length > 200 ? `${note.slice(0, 200)}…` : note} (target ${cells[2].replace(/\s*\|\s*$/, '')})`;
}
console.log(`    previous (README): ${previous()}`);

const server = await startServer();
const browser = await launchBrowser();
try {
  const { records, context } = await open(browser, server.url);
  const start = [...records.values()].filter((r) => r.kind !== 'data');
  await context.close();
  const order = ['html', 'css', 'js', 'wasm', 'other', 'catalog', 'font', 'screen'];
  start.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.gz - a.gz);
  console.log(`    loaded at start (${server.url}, signed out, 390x844 @2x), gzip -9:`);
  for (const r of start) console.log(`      ${r.kind.padEnd(7)} ${r.name.padEnd(28)} ${kb(r.raw).padStart(10)} raw ${kb(r.gz).padStart(9)} gz`);
  const sum = (pred) => start.filter(pred).reduce((n, r) => n + r.gz, 0);
  const wasmJs = sum((r) => r.kind === 'js' || r.kind === 'wasm');
  console.log(`    by kind: html ${kb(sum((r) => r.kind === 'html'))}, css ${kb(sum((r) => r.kind === 'css'))}, js ${kb(sum((r) => r.kind === 'js'))}, wasm ${kb(sum((r) => r.kind === 'wasm'))}`);
  console.log(`    apart: catalogs ${kb(sum((r) => r.kind === 'catalog'))}, fonts ${kb(sum((r) => r.kind === 'font'))}, screens loaded at start ${kb(sum((r) => r.kind === 'screen'))}`);

  // Screens, each in a fresh page: what importing it adds to the start set.
  const screens = readdirSync(path.join(SITE, 'screens')).filter((n) => n.endsWith('.js')).sort();
  const lazy = [];
  for (const file of screens) {
    const s = await open(browser, server.url);
    const before = new Set(s.records.keys());
    const ok = await s.page.evaluate(async (f) => { try { await import(`/screens/${f}`); return true; } catch { return false; } }, file);
    await s.page.waitForTimeout(300);
    await s.records.settled();
    const added = [...s.records.values()].filter((r) => !before.has(r.name) && r.kind !== 'data');
    lazy.push({ file, ok, gz: added.reduce((n, r) => n + r.gz, 0), names: added.map((r) => r.name) });
    await s.context.close();
  }
  if (lazy.length) {
    console.log('    screens on demand (not in the budget; counted when visited), gzip -9 of what importing each adds:');
    for (const l of lazy) console.log(`      ${l.file.padEnd(22)} ${kb(l.gz).padStart(9)}  ${l.ok ? l.names.join(', ') : '(import failed)'}`);
  }
  for (const name of ['petamigos-chat.mjs', 'petamigos-chat.wasm']) {
    const file = path.join(SITE, name);
    if (existsSync(file)) console.log(`    on demand: ${name.padEnd(22)} ${kb(gzipSync(readFileSync(file), { level: 9 }).length).padStart(9)} (loaded when chat opens)`);
  }
  console.log(`    WASM + JS at start: ${kb(wasmJs)}`);
  // The gate (scripts/gates.mjs): over the budget, or nothing measured, exits 3.
  const gate = sizeGate(start);
  for (const l of gate.lines) console.log(`    ${l}`);
  if (!gate.ok) process.exitCode = 3;
} finally {
  await browser.close();
  await server.stop();
}
