// The account screens in Chromium against the real server: sign-up and log-in
// forms (inline validation, the server's field errors, nothing typed lost,
// wrong password, rate limit), log out, the session-ended banner, the offline
// and server-unreachable banner, settings (theme on the page and the canvas,
// sign out everywhere, delete account), notifications with the unread badge,
// tab labels that fit at 390 px, and axe on every account screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { decodePng } from '../lib/png.mjs';
import { DESKTOP, PHONE, plain, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { Client, assertError, png } from '../server/helpers.mjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SERVER, ROOT } from '../lib/paths.mjs';

const FORMATS = path.join(ROOT, 'tests/corpus/image-formats');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;
const mail = (tag) => `${tag}.${process.pid}.${++serial}@example.test`;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

// A person made over the API (from its own loopback address, so the browser's
// sign-in attempts keep their own rate-limit bucket).
async function person(name = 'Test Person') {
  const c = new Client({ port });
  const email = mail(name.toLowerCase().replace(/\W+/g, ''));
  await c.signup(email, PASSWORD, name);
  return Object.assign(c, { email });
}

// Problems other than the console's note about a refused request (the tests
// provoke 401s and 409s on purpose).
const realProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));

async function open(path, { size = PHONE, colorScheme = 'light', as = null, locale = null, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: size, colorScheme, bypassCSP, serviceWorkers: 'block' });
  if (as) await context.addCookies([{ name: 'pa_session', value: as.cookie, url: server.url }]);
  if (locale) await context.addInitScript((tag) => localStorage.setItem('petamigos.locale', tag), locale);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(path, server.url).href);
  await screenBuilt(page);
  return { context, page, problems };
}

// In-app navigation, as a person clicking a link.
async function go(page, path) {
  await page.evaluate((to) => {
    const a = document.createElement('a');
    a.href = to;
    document.body.append(a);
    a.click();
    a.remove();
  }, path);
  await page.waitForFunction((to) => location.pathname + location.search === to, path);
}

const messageOf = (page, id) => page.locator(`#${id}-message`);
const described = async (page, id) => {
  const ids = (await page.locator(`#${id}`).getAttribute('aria-describedby')).split(' ');
  return ids.includes(`${id}-message`);
};

test('sign up: inline validation, the server\'s field error beside the field, nothing lost, then signed in at ?next=', async () => {
  const taken = await person('Taken');
  const { context, page, problems } = await open('/signup?next=/settings');
  await page.locator('h1').waitFor();
  assert.equal(await page.locator('#email').getAttribute('autocomplete'), 'email');
  assert.equal(await page.locator('#email').getAttribute('inputmode'), 'email');
  assert.equal(await page.locator('#password').getAttribute('autocomplete'), 'new-password');
  assert.equal(await page.locator('#display_name').getAttribute('autocomplete'), 'name');
  assert.ok(await described(page, 'email'));
  // Empty form: every field says what is missing, focus goes to the first.
  await page.getByRole('button', { name: 'Sign up' }).click();
  assert.equal(await messageOf(page, 'display_name').textContent(), 'This field is required.');
  assert.equal(await messageOf(page, 'email').textContent(), 'This field is required.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'display_name');
  // Bad values: checked in place, without a request.
  await page.fill('#display_name', 'Nala Owner');
  await page.fill('#email', 'nala-at-example');
  await page.fill('#password', 'short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  assert.equal(await messageOf(page, 'display_name').isHidden(), true);
  assert.equal(await messageOf(page, 'email').textContent(), 'Enter a valid email address.');
  assert.equal(await messageOf(page, 'password').textContent(), 'The password must be at least 10 characters long.');
  assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
  // Fixing a field clears its message as the person types.
  await page.fill('#password', PASSWORD);
  assert.equal(await messageOf(page, 'password').isHidden(), true);
  // The server refuses a taken email: the message sits beside the email field.
  await page.fill('#email', taken.email);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await messageOf(page, 'email').getByText('An account with this email already exists.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  // Nothing typed was lost.
  assert.equal(await page.inputValue('#display_name'), 'Nala Owner');
  assert.equal(await page.inputValue('#email'), taken.email);
  assert.equal(await page.inputValue('#password'), PASSWORD);
  // A fresh email: signed in, on to ?next=, the header says so.
  const email = mail('nala');
  await page.fill('#email', email);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/settings$/);
  await waitForText(page, '#screen p', `Signed in as Nala Owner (${email}).`);
  assert.equal(await page.locator('#logout').isVisible(), true);
  assert.equal(await page.locator('#account-out').isHidden(), true);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('log in: wrong password beside the field, values kept; log in; log out from the header; feed reloads', async () => {
  const owner = await person('Login Owner');
  const { context, page, problems } = await open('/');
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  // Signed out: the header offers Log in and Sign up.
  assert.equal(await page.locator('#account-out').isVisible(), true);
  await page.locator('#account-out a[href="/login"]').click();
  await page.waitForURL(/\/login$/);
  assert.equal(await page.locator('#password').getAttribute('autocomplete'), 'current-password');
  await page.fill('#email', owner.email);
  await page.fill('#password', 'not my password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await messageOf(page, 'password').getByText('Wrong email or password.').waitFor();
  assert.equal(await page.inputValue('#email'), owner.email);
  assert.equal(await page.inputValue('#password'), 'not my password');
  // The feed is reloaded for the new user: its request carries the session.
  const feedAfterLogin = page.waitForRequest((r) => /\/api\/v1\/(feed|stories)/.test(r.url()));
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await feedAfterLogin;
  await page.locator('#logout').waitFor();
  const cookies = await context.cookies();
  assert.ok(cookies.some((c) => c.name === 'pa_session'));
  // Log out from the header: signed out here and on the server.
  await page.locator('#logout').click();
  await page.locator('#account-out').waitFor();
  const session = await page.evaluate(() => fetch('/api/v1/auth/session').then((r) => r.json()));
  assert.equal(session.user, null);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('log in refused for too many attempts: the message says how long to wait', async () => {
  const owner = await person('Busy Owner');
  // Ten wrong tries from elsewhere use up the account's attempts.
  const other = new Client({ port });
  for (let i = 0; i < 10; i++) await other.post('/api/v1/auth/login', { email: owner.email, password: 'wrong guess' });
  const { context, page } = await open('/login');
  await page.fill('#email', owner.email);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  const alert = page.locator('.form-message');
  await alert.waitFor();
  assert.match(await alert.textContent(), /^Too many attempts\. Try again in \d+ seconds?\.$/);
  assert.equal(await page.inputValue('#password'), PASSWORD);
  await context.close();
});

test('session ended on the server: a banner links to log in, the screen stays, and logging in comes back', async () => {
  const owner = await person('Expiring Owner');
  const { context, page, problems } = await open('/settings', { as: owner });
  await waitForText(page, '#screen p', 'Signed in as Expiring Owner');
  await page.locator('#theme-dark').check();
  await page.evaluate(() => { document.querySelector('#screen h1').dataset.marker = 'kept'; });
  // The session ends on the server (its own logout from another client).
  const r = await owner.post('/api/v1/auth/logout', {});
  assert.equal(r.status, 200);
  // The next request of this page finds out (the badge's refresh).
  await page.evaluate(() => dispatchEvent(new CustomEvent('pa:navigated')));
  const banner = page.locator('#session-banner');
  await banner.getByText('Your session ended — log in again.').waitFor();
  assert.equal(await page.evaluate(() => location.pathname), '/settings');
  assert.equal(await page.locator('#screen h1').getAttribute('data-marker'), 'kept');
  assert.equal(await page.locator('#theme-dark').isChecked(), true);
  assert.equal(await page.locator('#account-out').isVisible(), true);
  await banner.getByRole('link', { name: 'Log in' }).click();
  await page.waitForURL(/\/login\?next=%2Fsettings$/);
  await page.fill('#email', owner.email);
  await page.fill('#password', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/settings$/);
  assert.equal(await banner.isHidden(), true);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('offline: a banner while the browser is offline, gone when it is back', async () => {
  const { context, page } = await open('/settings');
  await page.locator('h1').waitFor();
  const banner = page.locator('#network-banner');
  assert.equal(await banner.isHidden(), true);
  await context.setOffline(true);
  await banner.getByText('You are offline.', { exact: false }).waitFor();
  await context.setOffline(false);
  await banner.waitFor({ state: 'hidden' });
  await context.close();
});

test('settings: the theme changes the page and the canvas, and is remembered', async () => {
  const { context, page, problems } = await open('/settings', { colorScheme: 'light' });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const canvasCorner = async () => decodePng(await page.locator('#canvas').screenshot({ clip: { x: 0, y: 0, width: 8, height: 8 } })).pixels;
  assert.equal(await page.locator('#theme-system').isChecked(), true);
  assert.equal(await background(), 'rgb(243, 241, 238)');
  await page.locator('#theme-dark').check();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await background(), 'rgb(18, 18, 18)');
  await go(page, '/');
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  await page.waitForTimeout(200);
  let px = await canvasCorner();
  assert.ok(px[0] < 40 && px[1] < 40 && px[2] < 40, `dark canvas, got ${px.slice(0, 3)}`);
  // Remembered across a reload.
  await page.reload();
  await page.locator('#mirror article').first().waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  // Light, chosen in a dark system, wins too.
  await page.emulateMedia({ colorScheme: 'dark' });
  await go(page, '/settings');
  await page.locator('#theme-light').check();
  assert.equal(await background(), 'rgb(243, 241, 238)');
  await go(page, '/');
  await page.waitForTimeout(200);
  px = await canvasCorner();
  assert.ok(px[0] > 200 && px[1] > 200 && px[2] > 200, `light canvas, got ${px.slice(0, 3)}`);
  // Feed mode and taste reset are announced for the feed to act on.
  await go(page, '/settings');
  const events = await page.evaluate(() => {
    const seen = [];
    addEventListener('pa:feed-mode', (e) => seen.push(`mode:${e.detail.mode}`));
    addEventListener('pa:taste-reset', () => seen.push('reset'));
    window.paSeen = seen;
    return seen.length;
  });
  assert.equal(events, 0);
  await page.locator('#feed-mode-following').check();
  await page.getByRole('button', { name: 'Reset what PetAmigos learned about my taste' }).click();
  await page.getByRole('status').getByText('Done. Your feed starts learning your taste afresh.').waitFor();
  assert.deepEqual(await page.evaluate(() => window.paSeen), ['mode:following', 'reset']);
  assert.equal(await page.evaluate(() => localStorage.getItem('petamigos.feedMode')), 'following');
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('settings: sign out everywhere ends the other browser\'s session too', async () => {
  const owner = await person('Everywhere Owner');
  const second = new Client({ port });
  await second.login(owner.email, PASSWORD);
  const a = await open('/settings', { as: owner });
  const b = await open('/settings', { as: second });
  await b.page.locator('#logout').waitFor();
  await a.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await a.page.waitForURL(/\/login$/);
  // The header follows the session once it is fetched again, just after the navigation.
  await a.page.locator('#account-out').waitFor({ state: 'visible' });
  assert.equal((await second.get('/api/v1/auth/session')).body.user, null);
  // The other browser finds out at its next request.
  await b.page.evaluate(() => dispatchEvent(new CustomEvent('pa:navigated')));
  await b.page.locator('#session-banner').waitFor();
  await a.context.close();
  await b.context.close();
});

test('settings: delete account behind a confirmation; afterwards the login fails', async () => {
  const owner = await person('Leaving Owner');
  const { context, page, problems } = await open('/settings', { as: owner });
  await page.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete account' });
  await dialog.waitFor();
  await dialog.getByText('Delete your account and all your data? This cannot be undone.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
  // Cancel keeps everything.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.ok((await owner.get('/api/v1/auth/session')).body.user);
  await page.getByRole('button', { name: 'Delete account' }).click();
  await dialog.getByLabel('Your password, to confirm').fill('wrong password');
  await dialog.getByRole('button', { name: 'Delete forever' }).click();
  await dialog.getByText('The password is wrong.').waitFor();
  assert.ok((await owner.get('/api/v1/auth/session')).body.user, 'still there after a wrong password');
  await dialog.getByLabel('Your password, to confirm').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Delete forever' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('#account-out').waitFor();
  await go(page, '/login');
  await page.fill('#email', owner.email);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await messageOf(page, 'password').getByText('Wrong email or password.').waitFor();
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('notifications: another person likes, follows and replies → badge with the count → the list → badge clears', async () => {
  const owner = await person('Pet Owner');
  const fan = await person('Big Fan');
  const pet = (await owner.post('/api/v1/pets', { name: 'Biscuit', species: 'dog' })).body;
  const media = await owner.upload(png(64, 48), 'image/png');
  const post = (await owner.post('/api/v1/posts', { caption: 'Walk #dog', media_ids: [media.id], pet_ids: [pet.id] })).body;
  const { context, page, problems } = await open('/settings', { as: owner });
  await page.locator('#logout').waitFor();
  const tab = page.locator('#tabs a[data-tab="notifications"]');
  assert.equal(await page.locator('#unread-badge').isHidden(), true);
  assert.equal((await fan.put(`/api/v1/posts/${post.id}/like`)).status, 200);
  assert.equal((await fan.put(`/api/v1/pets/${pet.id}/follow`)).status, 200);
  // Navigating refreshes the badge.
  await go(page, '/search');
  await page.locator('#unread-badge').getByText('2').waitFor();
  // The count is in the link's accessible name, not only drawn.
  await page.getByRole('link', { name: 'Alerts 2 new notifications' }).waitFor();
  await tab.click();
  await page.waitForURL(/\/notifications$/);
  const items = page.locator('.notif-list li');
  await items.first().waitFor();
  assert.equal(await items.count(), 2);
  const links = (await page.locator('.notif-list a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])))
    .map(([text, href]) => [plain(text), href]);
  assert.deepEqual(links.sort(), [
    ['Big Fan liked your photo of Biscuit.', `/posts/${post.id}`],
    ['Big Fan started following Biscuit.', `/pets/${pet.id}`],
  ].sort());
  await page.locator('#unread-badge').waitFor({ state: 'hidden' });
  assert.equal((await owner.get('/api/v1/notifications/unread')).body.unread_count, 0);
  // A follow of the person links to the person.
  assert.equal((await fan.put(`/api/v1/users/${owner.user.id}/follow`)).status, 200);
  await go(page, '/settings');
  await page.locator('#unread-badge').getByText('1').waitFor();
  await go(page, '/notifications');
  await waitForText(page, '.notif-list a', 'Big Fan started following you.');
  assert.equal(await page.locator('.notif-list a', { hasText: 'following you' }).getAttribute('href'), `/people/${fan.user.id}`);
  // A reply to the owner's own comment on their post: one "replied" item (no
  // "commented" beside it) that opens the post with the conversation.
  const mine = (await owner.post(`/api/v1/posts/${post.id}/comments`, { body: 'Best walk ever' })).body;
  assert.equal((await fan.post(`/api/v1/posts/${post.id}/comments`, { body: 'Looks fun!', parent_id: mine.id })).status, 201);
  await go(page, '/settings');
  await page.locator('#unread-badge').getByText('1').waitFor();
  await go(page, '/notifications');
  await waitForText(page, '.notif-list a', 'Big Fan replied to your comment.');
  const replied = page.locator('.notif-list a', { hasText: 'replied to your comment' });
  assert.equal(await replied.count(), 1);
  assert.equal(await page.locator('.notif-list a', { hasText: 'commented' }).count(), 0);
  assert.equal(await replied.getAttribute('href'), `/posts/${post.id}`);
  await replied.click();
  await page.waitForURL((u) => u.pathname === `/posts/${post.id}`);
  await page.getByText('Best walk ever').waitFor();
  await page.getByRole('button', { name: 'Show 1 reply' }).click();
  await page.getByText('Looks fun!').waitFor();
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('tab labels fit at 390 px in German and the pseudo-locale; icons are hidden from assistive technology', async () => {
  for (const locale of ['de', 'en-XA']) {
    const { context, page } = await open('/settings', { locale });
    await page.waitForFunction((tag) => document.documentElement.lang === tag, locale);
    const report = await page.locator('#tabs a').evaluateAll((links) => links.map((a) => {
      const label = [...a.querySelectorAll('span')].find((s) => getComputedStyle(s).display !== 'none' && !s.classList.contains('visually-hidden') && !s.classList.contains('badge'));
      const r = label.getBoundingClientRect(), box = a.getBoundingClientRect();
      const lines = Math.round(r.height / parseFloat(getComputedStyle(label).lineHeight));
      const inside = r.left >= box.left - 1 && r.right <= box.right + 1 && box.left >= 0 && box.right <= innerWidth;
      return { text: label.textContent, fits: label.scrollWidth <= Math.ceil(r.width) + 1 && inside, lines,
        icon: a.querySelector('svg')?.getAttribute('aria-hidden') };
    }));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${locale}: the page is wider than the screen`);
    for (const t of report) {
      assert.ok(t.fits, `${locale}: "${t.text}" overflows its tab`);
      assert.ok(t.lines <= (locale === 'de' ? 1 : 3), `${locale}: "${t.text}" takes ${t.lines} lines`);
      assert.equal(t.icon, 'true');
    }
    await context.close();
  }
});

test('axe: signup, login, settings (signed out and in) and notifications, phone and desktop, light and dark', async () => {
  const owner = await person('Axe Owner');
  for (const [sizeName, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    for (const colorScheme of ['light', 'dark']) {
      for (const [path, as] of [['/signup', null], ['/login', null], ['/settings', null], ['/settings', owner], ['/notifications', owner]]) {
        const { context, page, problems } = await open(path, { size, colorScheme, as, bypassCSP: true });
        await page.locator('#screen h1').waitFor();
        if (as) await page.locator('#logout').waitFor();
        if (path === '/signup') await page.getByRole('button', { name: 'Sign up' }).click(); // with its messages showing
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(bad.map((v) => `${path} ${sizeName} ${colorScheme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`), []);
        assert.deepEqual(realProblems(problems), []);
        await context.close();
      }
    }
  }
});

test('the delete dialog passes axe too, and Tab stays inside it', async () => {
  const owner = await person('Dialog Owner');
  const { context, page } = await open('/settings', { as: owner, bypassCSP: true, colorScheme: 'dark' });
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.getByRole('dialog').waitFor();
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    // The page behind the modal is inert: focus is in the dialog (or has left the page for the browser's own UI).
    const where = await page.evaluate(() => (document.activeElement.closest('dialog') ? 'dialog' : document.activeElement.tagName));
    assert.ok(where === 'dialog' || where === 'BODY', `focus went to ${where}`);
  }
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  await context.close();
});

// The profile and the e-mail flows (issue 19): a person edits their profile
// on a phone (name, bio, a link refused then fixed, the country, a photo),
// their page shows it (the link nofollow ugc noopener); on a desktop,
// signed out, they forget the password, an admin reads the link in the
// console's Outbox, and following it (the token leaves the address bar)
// sets a new password and signs them in. axe on each screen.
test('profile edited with a photo and a link; a forgotten password reset from the e-mail in the Outbox', async () => {
  const owner = await person('Profile Owner');
  const admin = await person('Outbox Admin');
  const cli = spawnSync(SERVER, ['admin', '--data', server.dir, 'grant', admin.email, 'admin'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);

  // ---- the profile, on a phone
  const phone = await open('/settings/profile', { as: owner, size: PHONE, bypassCSP: true });
  const { page } = phone;
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  assert.deepEqual(await axeOf(page), []);
  await page.getByLabel('Display name').fill('Nala’s Person');
  await page.getByLabel('About you').fill('Two cats, one garden.');
  await page.getByRole('button', { name: 'Add a link' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.type), 'url', 'the new field has the focus');
  await page.keyboard.type('http://nala.example/blog');
  await page.getByLabel('Country you live in').selectOption('BR');
  await page.setInputFiles('#profile-avatar', path.join(FORMATS, 'plasma.jpg'));
  await page.waitForFunction(() => document.querySelector('.pet-avatar')?.src.startsWith('blob:'));
  await page.getByRole('button', { name: 'Save profile' }).click();
  await waitForText(page, '#profile-links-error', 'Up to 5 web addresses that start with https://');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'http://nala.example/blog', 'focus on the bad link');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('https://nala.example/blog');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await waitForText(page, '.profile-settings .done', 'Profile saved.');
  const saved = (await owner.get(`/api/v1/users/${owner.user.id}`)).body;
  assert.deepEqual([saved.name, saved.bio, saved.links, saved.country], ['Nala’s Person', 'Two cats, one garden.', ['https://nala.example/blog'], 'BR']);
  assert.match(saved.avatar_url, /^\/media\//);
  assert.equal((await owner.get('/api/v1/billing/plans')).body.country, 'BR', 'prices follow the declared country');
  // Their page: the link as the person's own, the country, the photo.
  await go(page, `/people/${owner.user.id}`);
  const link = page.getByRole('link', { name: 'nala.example/blog' });
  await link.waitFor();
  assert.equal(await link.getAttribute('rel'), 'nofollow ugc noopener');
  assert.equal(await link.getAttribute('href'), 'https://nala.example/blog');
  await page.getByText('Brazil', { exact: true }).waitFor();
  assert.deepEqual(await axeOf(page), []);
  assert.deepEqual(realProblems(phone.problems), []);
  await phone.context.close();

  // ---- forgotten, on a desktop, signed out
  const desk = await open('/login', { size: DESKTOP, bypassCSP: true });
  await desk.page.getByRole('link', { name: 'Forgot your password?' }).click();
  await desk.page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  assert.deepEqual(await axeOf(desk.page), []);
  await desk.page.getByLabel('E-mail address').fill(owner.email);
  await desk.page.keyboard.press('Enter');
  await waitForText(desk.page, '.auth .done', `If an account uses ${owner.email}, a link is on its way. It works for one hour.`);

  // ---- the admin reads it in the console's Outbox
  const console_ = await open('/admin', { as: admin, size: DESKTOP, bypassCSP: true });
  await console_.page.getByRole('tab', { name: 'Outbox' }).click();
  const mailItem = console_.page.locator('.admin-mail', { hasText: owner.email }).first();
  await mailItem.locator('summary').click();
  const body = await mailItem.locator('.admin-mail-body').textContent();
  assert.deepEqual(await axeOf(console_.page), []);
  await console_.context.close();
  const url = /https?:\/\/\S+\/reset#token=[A-Za-z0-9_-]+/.exec(body)?.[0];
  assert.ok(url, `a reset link in: ${body}`);
  assert.ok(!body.includes(PASSWORD), 'no password in the e-mail');

  // ---- following the link: the token leaves the address bar, a new password signs in
  await desk.page.goto(url);
  await desk.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.equal(await desk.page.evaluate(() => location.hash + location.search), '', 'the token is gone from the URL');
  assert.deepEqual(await axeOf(desk.page), []);
  await desk.page.getByLabel('New password', { exact: true }).fill('a whole new password');
  await desk.page.getByRole('button', { name: 'Save and sign in' }).click();
  await desk.page.waitForURL((u) => u.pathname === '/');
  const session = await desk.page.evaluate(() => fetch('/api/v1/auth/session').then((r) => r.json()));
  assert.equal(session.user.email, owner.email, 'signed in');
  // The notifications say what happened to the account.
  await go(desk.page, '/notifications');
  await desk.page.getByText(/Your password was reset on .* and every session ended\./).waitFor();
  assertError(await new Client({ port }).post('/api/v1/auth/login', { email: owner.email, password: PASSWORD }), 401, 'unauthorized');
  assert.equal((await owner.get('/api/v1/auth/session')).body.user, null, 'the old session ended');
  assert.deepEqual(realProblems(desk.problems), []);
  await desk.context.close();
});

async function axeOf(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
}

// Last: it stops the server under the page.
test('server down mid-session: the unreachable banner shows, and goes when the server is back', async () => {
  const owner = await person('Patient Owner');
  const { context, page } = await open('/settings', { as: owner });
  await page.locator('#logout').waitFor();
  const banner = page.locator('#network-banner');
  await server.down();
  await go(page, '/search'); // the badge's refresh cannot reach the server
  await banner.getByText('Cannot reach PetAmigos.', { exact: false }).waitFor();
  assert.equal(await page.locator('#session-banner').isHidden(), true, 'not mistaken for a signed-out session');
  await server.up();
  await banner.waitFor({ state: 'hidden', timeout: 20_000 });
  assert.equal(await page.locator('#logout').isVisible(), true, 'still signed in');
  await context.close();
});
