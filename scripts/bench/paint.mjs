// First feed paint on loopback: from navigation start to the first frame in
// which the core has laid out and drawn the feed (its mirror lists a post in
// the same frame), and to the moment the photos on screen are drawn too.
// Each run is a new browser context (cold HTTP cache, no service worker). The
// browser's own reference from the same runs: the page's DOMContentLoaded.
// The trace says where the time goes: the page's resource timings (HTML, JS
// modules, the core's .wasm, the session, the catalog, the first feed page)
// and the shell's User Timing marks (pa:…, shell/feed.js and app.js).
// Prints the previous run's figures (scripts/bench/last/paint.json) above its
// own, met/missed against issue 26's targets, and saves its own there.
import fs from 'node:fs';
import os from 'node:os';
import { startServer } from '../../tests/lib/server.mjs';
import { launchBrowser } from '../../tests/lib/browser.mjs';
import { installTestHooks } from '../../tests/lib/hooks.mjs';

const RUNS = Number(process.argv[2] ?? 10);
const P95_TARGET = 500; // ms, issue 26
const DCL_RATIO_TARGET = 2.5; // feed drawn / DOMContentLoaded, medians
const LAST = new URL('./last/paint.json', import.meta.url);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const previous = fs.existsSync(LAST) ? JSON.parse(fs.readFileSync(LAST, 'utf8')) : null;
if (previous) {
  console.log(`previous (${previous.date}, load average ${previous.load}${previous.note ? `, ${previous.note}` : ''}):`);
  console.log(`  feed drawn median ${previous.feed.median} ms, p95 ${previous.feed.p95} ms, ${previous.ratio}x DOMContentLoaded (median ${previous.dcl.median} ms)`);
}
const loadBefore = load();

const server = await startServer();
const browser = await launchBrowser();
const results = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 430, height: 900 }, deviceScaleFactor: 2, serviceWorkers: 'block' });
    await installTestHooks(context); // window.paMedia.stats
    // Stamped by the page itself, relative to its navigation start.
    await context.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('#mirror article')) {
          window.paFirstFeed = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.paFirstFeed !== undefined);
    await page.waitForFunction(() => {
      const s = window.paMedia?.stats;
      return s && s.requested > 0 && s.workerDecoded + s.browserDecoded + s.mainDecoded + s.failed >= s.requested;
    });
    const r = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const path = (e) => new URL(e.name).pathname;
      const first = (test) => res.find((e) => test(path(e)));
      const span = (e, key) => (e ? { [`${key} sent`]: e.requestStart || e.startTime, [`${key} answered`]: e.responseEnd } : {});
      const js = res.filter((e) => /\.m?js$/.test(path(e)));
      const trace = {
        'HTML answered': nav.responseEnd,
        'JS modules answered (last)': Math.max(...js.map((e) => e.responseEnd)),
        ...span(first((p) => p === '/petamigos-core.wasm'), 'core .wasm'),
        ...span(first((p) => p === '/api/v1/auth/session'), 'session'),
        ...span(first((p) => p.startsWith('/locales/')), 'catalog'),
        ...span(first((p) => /^\/api\/v1\/(feed|posts)/.test(p)), 'first feed page'),
      };
      for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('pa:')) trace[m.name] = m.startTime;
      return {
        dcl: nav.domContentLoadedEventEnd,
        feed: window.paFirstFeed,
        photos: performance.now(),
        trace,
      };
    });
    if (i > 0) results.push(r); // the first run warms the server and the browser
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const quantile = (values, p) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))] : NaN;
};
const q = (key, p) => quantile(results.map((r) => r[key]), p);

// Where the time goes: each milestone's median over the runs, in time order.
const names = [...new Set(results.flatMap((r) => Object.keys(r.trace)))];
const rows = names.map((n) => [n, quantile(results.map((r) => r.trace[n]), 0.5), quantile(results.map((r) => r.trace[n]), 0.95)]);
rows.push(['DOMContentLoaded', q('dcl', 0.5), q('dcl', 0.95)], ['feed in the mirror (first article)', q('feed', 0.5), q('feed', 0.95)]);
rows.sort((a, b) => a[1] - b[1]);
console.log(`trace, median over ${results.length} cold loads (ms from navigation start; +ms since the previous line):`);
let prev = 0;
for (const [n, med, p95] of rows) {
  console.log(`  ${n.padEnd(36)} ${med.toFixed(0).padStart(5)}  (+${(med - prev).toFixed(0).padStart(3)})   p95 ${p95.toFixed(0)}`);
  prev = med;
}

const loadAfter = load();
console.log(`first feed paint over ${results.length} cold loads (430x900 @2x, loopback), load average ${loadBefore} before, ${loadAfter} after:`);
for (const [key, what] of [['dcl', 'page DOMContentLoaded (reference)'], ['feed', 'feed drawn (text, layout, placeholders)'], ['photos', 'photos on screen drawn']])
  console.log(`  ${what.padEnd(42)} median ${q(key, 0.5).toFixed(0)} ms, p95 ${q(key, 0.95).toFixed(0)} ms`);
const ratio = q('feed', 0.5) / q('dcl', 0.5);
const p95 = q('feed', 0.95);
console.log(`feed drawn / DOMContentLoaded: ${ratio.toFixed(2)}x (target <= ${DCL_RATIO_TARGET}x): ${ratio <= DCL_RATIO_TARGET ? 'met' : 'missed'}`);
console.log(`p95 feed drawn ${p95.toFixed(0)} ms (target <= ${P95_TARGET} ms): ${p95 <= P95_TARGET ? 'met' : 'missed'}`);

const round = (x) => Math.round(x);
fs.mkdirSync(new URL('./last/', import.meta.url), { recursive: true });
fs.writeFileSync(LAST, `${JSON.stringify({
  date: new Date().toISOString().slice(0, 16).replace('T', ' '),
  load: loadAfter,
  runs: results.length,
  dcl: { median: round(q('dcl', 0.5)), p95: round(q('dcl', 0.95)) },
  feed: { median: round(q('feed', 0.5)), p95: round(p95) },
  photos: { median: round(q('photos', 0.5)), p95: round(q('photos', 0.95)) },
  ratio: Number(ratio.toFixed(2)),
}, null, 2)}\n`);
