// The world the shop's browser tests share (market-orders, market-claims,
// market-dashboard): one empty server and one payment simulator for the file
// (on a PostgreSQL database of its own in the PostgreSQL pass,
// PA_TEST_DATABASE=postgresql, as tests/server's helpers do), the server
// restartable on the same data and port with the simulator a clock offset
// on, Chromium, and the helpers each file drives its pages with: a context
// with a person's session cookie, `visit`, axe at both sizes, `enter`,
// `text`, `said`, the catalogs' words through the WASM core, and people made
// through the API. What only one file needs stays in that file.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser } from '../lib/browser.mjs';
import { DESKTOP, PHONE, plain, screenBuilt, screenIdle } from '../lib/app.mjs';
import { loadCore } from '../lib/core.mjs';
import { ROOT, SITE } from '../lib/paths.mjs';
import { startPaysim } from '../lib/paysim.mjs';
import { createDatabase, databaseUrl, dropDatabase } from '../lib/pg.mjs';
import { startServer } from '../lib/server.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const { wasmI18n } = await import(path.join(SITE, 'i18n-wasm.js'));

// The core's i18n in Node, and the catalogs as the page loads them.
export const i18n = wasmI18n(await loadCore());
const catalogs = new Map();
function catalog(tag) {
  if (!catalogs.has(tag)) catalogs.set(tag, i18n.loadCatalog(tag, readFileSync(path.join(ROOT, 'locales', `${tag}.json`), 'utf8')));
  return catalogs.get(tag);
}
// A message in locale tag as the page shows it (English behind), isolates removed.
export const words = (tag, key, args) => plain(i18n.text(catalog(tag), catalog('en'), key, args));

// A number for the file (unique e-mail addresses, and whatever else a file counts).
let serial = 0;
export const next = () => ++serial;
export const mail = (tag) => `${tag}.${process.pid}.${next()}@example.test`;

// Activates a control from the keyboard, once no screen is being built.
export const enter = async (locator) => {
  await screenIdle(locator.page());
  await locator.focus();
  await locator.page().keyboard.press('Enter');
};
export const text = async (locator) => plain(await locator.textContent());
// Waits until an element matching selector reads exactly want (isolates ignored).
export const said = (page, selector, want) => page.waitForFunction(([sel, t]) =>
  [...document.querySelectorAll(sel)].some((n) => n.textContent.replace(/[\u2066-\u2069]/g, '') === t), [selector, want]);

// axe at this size and the other, and nothing wider than the screen.
export async function axe(page, what) {
  const size = page.viewportSize();
  for (const s of [size, size.width === PHONE.width ? DESKTOP : PHONE]) {
    await page.setViewportSize(s);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${what} at ${s.width}px: wider than the screen`);
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
    assert.deepEqual(bad, [], `axe: ${what} at ${s.width}px`);
  }
  await page.setViewportSize(size);
}

/**
 * Starts the file's world before its tests and stops it after (browser, every
 * server started, the simulator, the PostgreSQL database). database: the name
 * the PostgreSQL pass's database starts with; env: more of the server's
 * environment; mercadopago: also point the simulator's Mercado Pago
 * notifications at the server; quietSim: leave the simulator's own console
 * errors (its favicon: another origin, not ours) out of a page's problems.
 * Returns the world: sim, server, database, browser as they are, and
 * restart, open, visit, person.
 */
export function shopWorld({ database, env = {}, mercadopago = false, quietSim = false }) {
  const w = { sim: null, server: null, servers: [], offset: 0, browser: null, database: null };
  async function start(data, port) {
    const db = w.database ? { PA_DATABASE_URL: databaseUrl(w.database) } : {};
    w.server = await startServer({ data, port, seed: false,
      env: { ...w.sim.serverEnv(), ...db, ...env, PA_TEST_CLOCK_OFFSET: String(w.offset) } });
    w.servers.push(w.server);
    const hooks = { paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal` };
    if (mercadopago) hooks.mp_webhook_url = `${w.server.url}api/v1/webhooks/mercadopago`;
    await w.sim.config(hooks);
  }
  // The server (same data, same port) and the simulator a clock offset on.
  w.restart = async (offset) => {
    const { dir, url } = w.server;
    await w.server.down();
    w.offset = offset;
    await w.sim.clock(offset);
    await start(dir, Number(new URL(url).port));
  };
  // A browser context with cookie as the session, its page, and the page's errors.
  w.open = async (cookie, { size, locale }) => {
    const context = await w.browser.newContext({ viewport: size, locale, bypassCSP: true, serviceWorkers: 'block' });
    await context.addCookies([{ name: 'pa_session', value: cookie, url: w.server.url }]);
    const page = await context.newPage();
    // lib/browser.mjs's watchPage, less (with quietSim) the simulator's own errors.
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !(quietSim && m.location().url.startsWith(w.sim.url))) problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    return { context, page, problems };
  };
  w.visit = async (page, pathname) => {
    await page.goto(new URL(pathname, w.server.url).href);
    await screenBuilt(page);
  };
  // A Client for the current server, signed up as someone new called name.
  w.person = async (tag, name) => {
    const c = new Client({ port: Number(new URL(w.server.url).port) });
    await c.signup(mail(tag), undefined, name);
    return c;
  };

  before(async () => {
    if (process.env.PA_TEST_DATABASE === 'postgresql') w.database = (await createDatabase(database)).name;
    w.sim = await startPaysim();
    await start(undefined, 0);
    w.browser = await launchBrowser();
  });
  after(async () => {
    try {
      await w.browser?.close();
    } finally {
      try {
        for (const s of w.servers.slice().reverse()) await s.stop();
      } finally {
        try {
          await w.sim?.stop();
        } finally {
          if (w.database) await dropDatabase(w.database);
        }
      }
    }
  });
  return w;
}
