// The Plus badge in the DOM lists of people (a post's comments, a follower
// list, search results: shell/plus.js beside each name the API marks
// "plus": true, and only there), and billing notices in the notifications
// list, linking to /billing with the Billing screen's words. Axe on each.
// A demo owner (web/demo/seed.c) is made Plus by setting users.plus_until,
// as tests do where the payment journey is not the point; the journey itself
// is tests/browser/billing.test.mjs. The billing notice is written into
// notices as billing would (tests/server/billing.test.mjs makes real ones
// through the payment simulator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { DEMO, plain, press, serverAndBrowser } from '../lib/app.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const en = JSON.parse(readFileSync(new URL('../../locales/en.json', import.meta.url), 'utf8'));
let server, browser;
serverAndBrowser((s, b) => {
  server = s;
  browser = b;
});

const sql = (q) => execFileSync('sqlite3', [path.join(server.dir, 'petamigos.db'), q]).toString().trim();
const num = (id) => Number(id.split('_')[1]);

async function open() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block', bypassCSP: true });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  return { page, problems };
}

// Signs the page in as who (as the form does) and answers {user, csrf}.
async function signIn(page, who) {
  const r = await page.evaluate(async (body) => {
    const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }, { email: who.email, password: who.password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { user: r.body.user, csrf: r.body.csrf_token };
}

async function call(page, csrf, method, url, json) {
  const r = await page.evaluate(async ([m, u, b, token]) => {
    const res = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token }, body: b === undefined ? undefined : JSON.stringify(b) });
    return { status: res.status, body: await res.json() };
  }, [method, url, json, csrf]);
  assert.ok(r.status < 300, `${method} ${url}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// Client-side navigation, as a link does.
async function go(page, to) {
  await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, to);
}

async function axeClean(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${what}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), []);
}

// [person id, has the badge, accessible text] of each link to a person inside selector.
const badges = (page, selector) => page.locator(`${selector} a[href^="/people/"]`).evaluateAll((as) => as.map((a) => [
  decodeURIComponent(a.getAttribute('href').slice('/people/'.length)), !!a.querySelector('.plus-badge'), a.textContent.replace(/[\u2066-\u2069]/g, '')]));

test('the Plus badge beside Plus people in comments, a follower list and search; nowhere else', async () => {
  const { page, problems } = await open();
  // Kenji (free) comments on one of Priya's posts and follows her; then Ana, made Plus, does too.
  const kenji = await signIn(page, DEMO.kenji);
  const priya = (await call(page, kenji.csrf, 'GET', `/api/v1/search?type=people&q=${encodeURIComponent(DEMO.priya.name)}`)).results[0];
  assert.equal(priya?.name, DEMO.priya.name, 'Priya is in the demo world (web/demo/seed.c)');
  // Her post with the fewest comments, so the two new ones are on the first page (oldest first).
  const posts = (await call(page, kenji.csrf, 'GET', `/api/v1/users/${priya.id}/posts?limit=20`)).posts;
  assert.ok(posts.length > 0, 'Priya has posts in the demo world');
  const post = posts.reduce((a, b) => (b.comment_count < a.comment_count ? b : a));
  await call(page, kenji.csrf, 'POST', `/api/v1/posts/${post.id}/comments`, { body: 'Kenji was here' });
  await call(page, kenji.csrf, 'PUT', `/api/v1/users/${priya.id}/follow`);
  const ana = await signIn(page, DEMO.ana);
  sql(`UPDATE users SET plus_until = ${Math.floor(Date.now() / 1000) + 366 * 86400} WHERE id = ${num(ana.user.id)}`);
  await call(page, ana.csrf, 'POST', `/api/v1/posts/${post.id}/comments`, { body: 'Ana was here' });
  await call(page, ana.csrf, 'PUT', `/api/v1/users/${priya.id}/follow`);
  await page.goto(server.url);
  const label = `${en['billing.badge']}`;

  // The post's comments: Ana's name with the badge, Kenji's without.
  await go(page, `/posts/${post.id}`);
  await page.locator('.social-comment').filter({ hasText: 'Ana was here' }).waitFor();
  await page.locator('.social-comment').filter({ hasText: 'Kenji was here' }).waitFor();
  const inComments = await badges(page, '.social-comment');
  assert.ok(inComments.some(([id, b, text]) => id === ana.user.id && b && text === `${DEMO.ana.name} ${label}`), JSON.stringify(inComments));
  assert.ok(inComments.some(([id, b]) => id === kenji.user.id && !b), JSON.stringify(inComments));
  assert.ok(inComments.every(([id, b]) => b === (id === ana.user.id)), `only Ana's name has it: ${JSON.stringify(inComments)}`);
  await axeClean(page, 'post');

  // Priya's followers.
  await go(page, `/people/${priya.id}/followers`);
  await page.locator('.social-people a[href^="/people/"]').first().waitFor();
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`.social-people a[href="/people/${id}"]`)), [ana.user.id, kenji.user.id]);
  const followers = await badges(page, '.social-people');
  assert.deepEqual(followers.filter(([id]) => id === ana.user.id || id === kenji.user.id).sort(),
    [[ana.user.id, true, `${DEMO.ana.name} ${label}`], [kenji.user.id, false, DEMO.kenji.name]].sort());
  assert.ok(followers.every(([id, b]) => b === (id === ana.user.id)), JSON.stringify(followers));
  await axeClean(page, 'followers');

  // Search: the option's accessible name carries the badge's word.
  await go(page, `/search?q=${encodeURIComponent(DEMO.ana.name)}`);
  const option = page.getByRole('option', { name: `${DEMO.ana.name} ${label}` });
  await option.waitFor();
  assert.equal(await option.locator('.plus-badge').count(), 1);
  await page.locator('#search-q').fill('');
  await page.locator('#search-q').pressSequentially(DEMO.kenji.name);
  await page.getByRole('option', { name: DEMO.kenji.name, exact: true }).waitFor();
  assert.equal(await page.locator('#search-results .plus-badge').count(), 0, 'Kenji has no badge');
  await axeClean(page, 'search');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a billing notice in the notifications list, in the Billing screen\'s words, linking to /billing', async () => {
  const { page, problems } = await open();
  const { user } = await signIn(page, DEMO.kenji);
  const at = Math.floor(Date.now() / 1000) - 60;
  sql(`INSERT INTO notices (user_id, kind, created_at) VALUES (${num(user.id)}, 'billing_renewal_failed', ${at})`);
  await page.goto(server.url);
  // The Billing screen's words for it, as it shows them.
  await go(page, '/billing');
  const said = page.locator('.billing-notice');
  await said.first().waitFor();
  const words = plain(await said.first().textContent());
  assert.ok(words.startsWith(en['billing.noticeRenewalFailed'].split('{date}')[0]), words);

  await go(page, '/notifications');
  const link = page.locator('.notif-list a[href="/billing"]');
  await link.waitFor();
  assert.equal(plain(await link.textContent()), words);
  await axeClean(page, 'notifications');
  await press(link);
  await page.waitForFunction(() => location.pathname === '/billing');
  await page.locator('.billing-notice').first().waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});
