// Scrolls a 200-post feed with wheel events (and a fling) and reads back how
// long each core frame took (shell/feed.js times them once the test hooks ask).
import { startServer } from '../../tests/lib/server.mjs';
import { launchBrowser } from '../../tests/lib/browser.mjs';
import { installTestHooks } from '../../tests/lib/hooks.mjs';

const POSTS = 200;
const BUDGET = 1000 / 60;

const server = await startServer();
const browser = await launchBrowser();
try {
  // 200 posts made from the demo world's real posts and images, 20 a page.
  const real = [];
  for (let cursor = null; ; ) {
    const page = await (await fetch(new URL(`/api/v1/feed${cursor ? `?cursor=${cursor}` : ''}`, server.url))).json();
    real.push(...page.posts);
    if (!(cursor = page.next_cursor)) break;
  }
  const posts = Array.from({ length: POSTS }, (_, i) => ({ ...real[i % real.length], id: `b_${i}` }));
  const context = await browser.newContext({ viewport: { width: 430, height: 900 }, deviceScaleFactor: 2, serviceWorkers: 'block' });
  // Following mode: the server's pages in order (For you would rank them).
  await context.addInitScript(() => localStorage.setItem('petamigos.feedMode', 'following'));
  await installTestHooks(context, { frames: true }); // window.paFrameTimes()
  const page = await context.newPage();
  await page.route('**/api/v1/feed/following*', (route) => {
    const cursor = Number(new URL(route.request().url()).searchParams.get('cursor') ?? 0);
    const next = cursor + 20 < POSTS ? String(cursor + 20) : null;
    route.fulfill({ json: { posts: posts.slice(cursor, cursor + 20), next_cursor: next } });
  });
  await page.goto(server.url);
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForFunction(() => window.paFrameTimes);
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => window.paFrameTimes()); // warm
  const start = Date.now();
  await page.mouse.move(215, 450);
  // Steady wheel scrolling through the whole feed, like a trackpad.
  while (!(await page.locator('#post-b_199').count()) && Date.now() - start < 120000) {
    for (let i = 0; i < 10; i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(16);
    }
  }
  // A touch fling back up, handled by the core's momentum.
  await page.mouse.wheel(0, -3000);
  await page.waitForTimeout(500);
  const times = (await page.evaluate(() => window.paFrameTimes())).sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const reached = await page.locator('#post-b_199').count();
  console.log(`frames: ${times.length} while scrolling ${POSTS} posts (reached the end: ${reached ? 'yes' : 'no'})`);
  console.log(`core frame time: median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${times.at(-1).toFixed(2)} ms`);
  console.log(`as a fraction of the 16.7 ms budget: p95 ${(q(0.95) / BUDGET * 100).toFixed(1)} %, max ${(times.at(-1) / BUDGET * 100).toFixed(1)} % (target p95 <= 25 %)`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
