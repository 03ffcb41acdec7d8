// First feed paint on loopback: from navigation start to the first frame in
// which the core has laid out and drawn the feed (its mirror lists a post in
// the same frame), and to the moment the photos on screen are drawn too.
// Each run is a new browser context (cold HTTP cache, no service worker). The
// browser's own reference from the same runs: the page's DOMContentLoaded.
import { startServer } from '../../tests/lib/server.mjs';
import { launchBrowser } from '../../tests/lib/browser.mjs';
import { installTestHooks } from '../../tests/lib/hooks.mjs';

const RUNS = Number(process.argv[2] ?? 10);
const BUDGET = 1000;

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
    const r = await page.evaluate(() => ({
      dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      feed: window.paFirstFeed,
      photos: performance.now(),
    }));
    if (i > 0) results.push(r); // the first run warms the server and the browser
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const q = (key, p) => {
  const v = results.map((r) => r[key]).sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(p * v.length))];
};
console.log(`first feed paint over ${results.length} cold loads (430x900 @2x, loopback):`);
for (const [key, what] of [['dcl', 'page DOMContentLoaded (reference)'], ['feed', 'feed drawn (text, layout, placeholders)'], ['photos', 'photos on screen drawn']])
  console.log(`  ${what.padEnd(42)} median ${q(key, 0.5).toFixed(0)} ms, p95 ${q(key, 0.95).toFixed(0)} ms`);
console.log(`feed drawn / DOMContentLoaded: ${(q('feed', 0.5) / q('dcl', 0.5)).toFixed(2)}x; p95 feed drawn = ${(q('feed', 0.95) / BUDGET * 100).toFixed(0)} % of the 1 s target`);
