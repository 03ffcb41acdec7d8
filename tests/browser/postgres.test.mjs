// Moving a community to PostgreSQL (issue 16), as a person sees it: the demo
// world seeded into SQLite, ported with petamigos-port-db into a fresh
// PostgreSQL database of the run's cluster (PA_TEST_PG_URL), and the app then
// shows the same feed — the same posts in the same order in the canvas's DOM
// mirror, the same photos drawn — from a server on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { canvasPixels, saturatedColours } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { startServer } from '../lib/server.mjs';
import { createDatabase, dropDatabase } from '../lib/pg.mjs';

const PORT_TOOL = process.env.PA_PORT_BIN ?? path.join(path.dirname(SERVER), 'petamigos-port-db');

let browser, database;
before(async () => {
  browser = await launchBrowser();
  database = await createDatabase('pa_browser');
});
after(async () => {
  await browser?.close();
  if (database) await dropDatabase(database.name);
});

const port = (sqlite, url) =>
  new Promise((resolve, reject) => {
    execFile(PORT_TOOL, ['--sqlite', sqlite, '--postgres', url], { timeout: 300000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${PORT_TOOL} failed (set PA_PORT_BIN): ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });

// What the app shows: each mirrored post's heading and caption, in order.
async function feedAsShown(url) {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 }, deviceScaleFactor: 1, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  const articles = page.locator('#mirror[role="feed"] > article');
  await articles.first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  const shown = [];
  for (let i = 0; i < (await articles.count()); i++) {
    const a = articles.nth(i);
    shown.push([await a.getAttribute('data-id'), await a.locator('h2').textContent(), await a.locator('p').first().textContent()]);
  }
  const colours = saturatedColours(await canvasPixels(page));
  await context.close();
  return { shown, colours, problems };
}

test('the demo world ported to PostgreSQL: the app shows the same feed', async () => {
  const lite = await startServer({ seed: 'small', env: { PA_DATABASE_URL: '' } });
  let onSqlite, onPostgres, pg;
  try {
    onSqlite = await feedAsShown(lite.url);
  } finally {
    await lite.down();
  }
  try {
    const out = await port(path.join(lite.dir, 'petamigos.db'), database.url);
    assert.match(out, /^verified +posts /m);
    // The same media folder, the database now in PostgreSQL.
    pg = await startServer({ data: lite.dir, seed: false, env: { PA_DATABASE_URL: database.url } });
    onPostgres = await feedAsShown(pg.url);
  } finally {
    try {
      await pg?.stop();
    } finally {
      await lite.stop();
    }
  }
  assert.ok(onSqlite.shown.length >= 3, `${onSqlite.shown.length} posts shown on SQLite`);
  assert.deepEqual(onPostgres.shown, onSqlite.shown);
  assert.ok(onPostgres.colours > 40, `photos drawn from PostgreSQL's feed (${onPostgres.colours} colours)`);
  assert.deepEqual(onSqlite.problems, []);
  assert.deepEqual(onPostgres.problems, []);
});
