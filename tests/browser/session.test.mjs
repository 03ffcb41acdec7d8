// A session that ends under the feed (signed out everywhere from another
// browser) is noticed by the feed's own requests — the ranked feed's
// candidates, the Following feed, a grid's page, a like — exactly as by any
// other screen's: api.js forgets the session, the header shows "Log in" and
// the session-ended banner links to the login. Real server, real Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchPage } from '../lib/browser.mjs';
import { PHONE, serverAndBrowser } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;

serverAndBrowser((s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

// A new person signed in in this browser (in For you or Following), on the
// feed, and a second sign-in of theirs elsewhere that can sign out everywhere.
async function signedInFeed({ mode = 'foryou', path = '/' } = {}) {
  const owner = new Client({ port });
  const email = `session.${process.pid}.${++serial}@example.test`;
  await owner.signup(email, PASSWORD, 'Session Owner');
  const elsewhere = new Client({ port });
  await elsewhere.login(email, PASSWORD);
  const context = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: owner.cookie, url: server.url }]);
  await context.addInitScript((m) => localStorage.setItem('petamigos.feedMode', m), mode);
  // The header's unread badge asks the server too (on navigation, every 30 s):
  // answered here as for a signed-in person, so only the feed's own requests
  // can find out that the session ended.
  await context.route('**/api/v1/notifications/unread', (route) => route.fulfill({ json: { unread_count: 0 } }));
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(path, server.url).href);
  await page.locator('#logout').waitFor({ state: 'visible' }); // the header knows who this is
  return { page, problems, elsewhere };
}

// Every session of the person ends, from the other browser.
async function signOutEverywhere(elsewhere) {
  const r = await elsewhere.post('/api/v1/auth/logout-all', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

// The signed-out view: the banner, "Log in" in the header, no session kept.
async function assertSignedOut(page) {
  await page.locator('#session-banner').waitFor({ state: 'visible' });
  await page.locator('#account-out').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#account-in').isHidden(), true);
  assert.match(await page.locator('#session-login').getAttribute('href'), /^\/login\?next=/);
}

// The console's note about each refused request is expected here.
const realProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));

test('For you: refreshing the ranked feed after the session ended shows the signed-out view', async () => {
  const { page, problems, elsewhere } = await signedInFeed();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  const asked = page.waitForResponse((r) => r.url().includes('/api/v1/feed/candidates') && r.status() === 401);
  await signOutEverywhere(elsewhere);
  await page.locator('#canvas').focus();
  await page.keyboard.press('r'); // the core's refresh: candidates are asked again
  await asked;
  await assertSignedOut(page);
  // The feed goes on, signed out: the newest posts.
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  assert.deepEqual(realProblems(problems), []);
  await page.context().close();
});

test('Following: the feed after the session ended says to sign in, and shows the signed-out view', async () => {
  const { page, problems, elsewhere } = await signedInFeed({ mode: 'following' });
  await page.waitForFunction(() => document.body.dataset.state && document.body.dataset.state !== 'loading');
  await signOutEverywhere(elsewhere);
  await page.locator('#canvas').focus();
  await page.keyboard.press('r');
  await assertSignedOut(page);
  await page.locator('#status').waitFor({ state: 'visible' });
  assert.match(await page.locator('#status-text').textContent(), /[Ss]ign in|[Ll]og in/);
  assert.deepEqual(realProblems(problems), []);
  await page.context().close();
});

test('a grid page answered 401 ends the session the same way', async () => {
  const { page, problems, elsewhere } = await signedInFeed({ path: '/tags/dogs' });
  await page.locator('#grid').waitFor({ state: 'visible' });
  await signOutEverywhere(elsewhere);
  // A tag's grid is public (the real server answers anyone); a 401 is what a
  // grid that needs a session would say once it ended.
  await page.route(/\/api\/v1\/feed\/tag\?/, (route) =>
    route.fulfill({ status: 401, json: { error: { code: 'unauthorized', message: 'Sign in first.' } } }));
  // To another tag, in the app (a link followed): its grid's first page.
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.href = '/tags/cats';
    document.body.append(a);
    a.click();
    a.remove();
  });
  await assertSignedOut(page);
  assert.deepEqual(realProblems(problems), []);
  await page.context().close();
});
