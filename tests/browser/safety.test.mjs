// Blocks and private accounts in Chromium against the real server (issue 19),
// on a phone and on a desktop, axe on each screen: a person blocks someone
// from their profile (a confirmation dialog, from the keyboard), that
// person's posts leave the Following feed, then unblocks them; the person
// makes the account private in Settings → Privacy, a second person's Follow
// becomes a request, and accepting it in Settings lets them see the posts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { DESKTOP, PHONE, screenBuilt, serverAndBrowser, waitForText } from '../lib/app.mjs';
import { Client, png } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

async function person(name) {
  const c = new Client({ port });
  await c.signup(`${name.toLowerCase().replace(/\W+/g, '')}.${process.pid}.${++serial}@example.test`, PASSWORD, name);
  return c;
}

async function postBy(c, petName) {
  const pet = (await c.post('/api/v1/pets', { name: petName, species: 'cat' })).body;
  const media = await c.upload(png(40, 40), 'image/png');
  return (await c.post('/api/v1/posts', { caption: `${petName} today`, media_ids: [media.id], pet_ids: [pet.id] })).body;
}

async function open(path, as, size) {
  const context = await browser.newContext({ viewport: size, serviceWorkers: 'block' });
  await context.addCookies([{ name: 'pa_session', value: as.cookie, url: server.url }]);
  // The Following feed: the server's pages as they are (For you ranks them).
  await context.addInitScript(() => localStorage.setItem('petamigos.feedMode', 'following'));
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL(path, server.url).href);
  await screenBuilt(page);
  return { context, page, problems };
}

async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(bad, [], what);
}

const article = (page, post) => page.locator(`#mirror article[data-id="${post.id}"]`);

for (const [sizeName, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${sizeName}: block from a profile hides their posts, unblock; a private account's follow is a request, accepted`, async () => {
    const ana = await person(`Ana Safe ${sizeName}`);
    const ben = await person(`Ben Blocked ${sizeName}`);
    const cai = await person(`Cai Friend ${sizeName}`);
    const benPost = await postBy(ben, `Benpet${sizeName}`);
    const caiPost = await postBy(cai, `Caipet${sizeName}`);
    for (const who of [ben, cai]) assert.equal((await ana.put(`/api/v1/users/${who.user.id}/follow`)).status, 200);

    // The feed shows both; Ben's profile has Block.
    const { context, page, problems } = await open('/', ana, size);
    await article(page, benPost).waitFor({ state: 'attached' });
    await article(page, caiPost).waitFor({ state: 'attached' });
    await page.goto(new URL(`/people/${ben.user.id}`, server.url).href);
    const block = page.getByRole('group', { name: /More for\W+Ben Blocked/ }).getByRole('button', { name: 'Block', exact: true });
    await block.waitFor();
    await axe(page, 'a profile with Block and Mute');

    // From the keyboard: Block opens the dialog (Cancel focused), Escape closes it back on Block.
    await block.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Block\W+Ben Blocked/ });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
    await axe(page, 'the block dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Block');
    assert.equal((await ana.get('/api/v1/me/blocked')).body.users.length, 0, 'Escape blocked nobody');
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // the dialog's Block
    await waitForText(page, '.social-profile', `You blocked Ben Blocked ${sizeName}.`);
    assert.deepEqual((await ana.get('/api/v1/me/blocked')).body.users.map((u) => u.id), [ben.user.id]);

    // The feed: Ben's post is gone, Cai's still there.
    await page.goto(server.url);
    await article(page, caiPost).waitFor({ state: 'attached' });
    assert.equal(await article(page, benPost).count(), 0);

    // Unblock from his profile: the page is his again (follow him again to see him in Following).
    await page.goto(new URL(`/people/${ben.user.id}`, server.url).href);
    const unblock = page.getByRole('button', { name: 'Unblock', exact: true });
    await unblock.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Block', exact: true }).waitFor();
    assert.deepEqual((await ana.get('/api/v1/me/blocked')).body.users, []);
    await page.getByRole('button', { name: /Follow\W+Ben Blocked/ }).click();
    await page.waitForFunction(() => document.querySelector('.social-toggle')?.getAttribute('aria-pressed') === 'true');
    await page.goto(server.url);
    await article(page, benPost).waitFor({ state: 'attached' });

    // Settings → Privacy: the private switch.
    await page.goto(new URL('/settings', server.url).href);
    const toggle = page.getByRole('checkbox', { name: 'Private account' });
    await toggle.waitFor();
    await toggle.focus();
    await page.keyboard.press('Space');
    await waitForText(page, '#settings-privacy-section', 'Your account is private.');
    assert.equal((await ana.get(`/api/v1/users/${ana.user.id}`)).body.private, true);
    await axe(page, 'Settings with Privacy');

    // A second person (Dee): Ana's page says private; Follow becomes a request.
    const dee = await person(`Dee Asker ${sizeName}`);
    const anaPost = await postBy(ana, `Anapet${sizeName}`);
    const other = await open(`/people/${ana.user.id}`, dee, size);
    await waitForText(other.page, '.social-profile', 'This account is private.');
    await other.page.getByRole('button', { name: /Follow\W+Ana Safe/ }).click();
    await waitForText(other.page, '.social-message', `Follow request sent to Ana Safe ${sizeName}.`);
    assert.deepEqual((await ana.get('/api/v1/me/follow-requests')).body.users.map((u) => u.id), [dee.user.id]);
    await axe(other.page, 'a private profile');

    // Ana accepts in Settings (the list names Dee); Dee then sees the post.
    await page.reload();
    const accept = page.getByRole('button', { name: `Accept: Dee Asker ${sizeName}` });
    await accept.focus();
    await page.keyboard.press('Enter');
    await waitForText(page, '.privacy-people .done', 'Done.');
    await page.waitForFunction(() => !document.querySelector('#settings-privacy-section .privacy-list li button[aria-label^="Accept"]'));
    assert.equal((await dee.get(`/api/v1/users/${ana.user.id}`)).body.following, true);
    await other.page.goto(new URL(`/posts/${anaPost.id}`, server.url).href);
    await screenBuilt(other.page);
    assert.equal((await dee.get(`/api/v1/posts/${anaPost.id}`)).status, 200);
    // The notice reached Dee.
    const told = (await dee.get('/api/v1/notifications')).body.notifications;
    assert.ok(told.some((n) => n.kind === 'follow_accepted' && n.actor.id === ana.user.id), JSON.stringify(told));
    await other.page.goto(new URL('/notifications', server.url).href);
    await waitForText(other.page, '.notif-list', `Ana Safe ${sizeName} accepted your follow request`);
    await axe(other.page, 'notifications with follow_accepted');

    assert.deepEqual(problems, []);
    assert.deepEqual(other.problems, []);
    await other.context.close();
    await context.close();
  });
}
