// Two-step sign-in and the sessions list in Chromium against the real server,
// from the keyboard (issue 19's journey): Settings → turn two-step on (the
// QR code's SVG screenshotted and read with jsQR, the codes made from the
// decoded URI's secret with node:crypto, RFC 6238; the key shown as text
// too), the recovery codes with the "I saved
// them" step; sign out, sign in with the password and then a code; a second
// session in another browser context (signed in with a recovery code) ended
// from the list, after which that context is signed out. axe on each step, on
// a phone and on a desktop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsQR from 'jsqr';
import { watchPage } from '../lib/browser.mjs';
import { decodePng } from '../lib/png.mjs';
import { DESKTOP, PHONE, screenBuilt, serverAndBrowser, tabTo } from '../lib/app.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let server, browser, port;
let serial = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  port = Number(new URL(server.url).port);
});

function totp(secret, stepOffset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const key = [];
  for (const ch of secret) {
    acc = (acc << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      key.push((acc >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + stepOffset));
  const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  return String((mac.readUInt32BE(mac[19] & 15) & 0x7fffffff) % 1e6).padStart(6, '0');
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
}

const realProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

async function context(size, cookie) {
  const ctx = await browser.newContext({ viewport: size, serviceWorkers: 'block' });
  if (cookie) await ctx.addCookies([{ name: 'pa_session', value: cookie, url: server.url }]);
  const page = await ctx.newPage();
  const problems = watchPage(page);
  return { ctx, page, problems };
}

async function go(page, path) {
  await page.goto(new URL(path, server.url).href);
  await screenBuilt(page);
}

for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${label}: turn two-step on, sign in with a code, end another session from the list`, async () => {
    const owner = new Client({ port });
    const mail = `twostep.${process.pid}.${++serial}@example.test`;
    await owner.signup(mail, PASSWORD, 'Two Step');
    const { ctx, page, problems } = await context(size, owner.cookie);
    await go(page, '/settings');

    // Off: one button. Enter opens the password step.
    const start = page.locator('#twostep-start');
    await start.waitFor();
    assert.equal(await start.textContent(), 'Turn on two-step sign-in');
    await start.focus();
    await page.keyboard.press('Enter');
    await page.locator('#twostep-password').waitFor();
    assert.equal(await focusedId(page), 'twostep-password');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await page.locator('#twostep-password-message').getByText('The password is wrong.').waitFor();
    await page.locator('#twostep-password').fill(PASSWORD);
    await page.keyboard.press('Enter');

    // The QR code (an image with a name), read from its pixels as a phone's camera
    // would; the key as text, grouped by four; the otpauth:// link beside it.
    const qr = page.getByRole('img', { name: 'QR code of the setup key: scan it with your authenticator app' });
    await qr.waitFor();
    const shot = decodePng(await qr.screenshot());
    const read = jsQR(new Uint8ClampedArray(shot.pixels), shot.width, shot.height);
    assert.ok(read, 'jsQR finds the QR code in the screenshot of the SVG');
    const uri = await page.locator('a.twostep-link').getAttribute('href');
    assert.equal(read.data, uri);
    const secret = new URL(read.data).searchParams.get('secret');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const keyText = page.locator('#twostep-key');
    assert.equal((await keyText.textContent()).replace(/ /g, ''), secret);
    assert.match(uri, new RegExp(`^otpauth://totp/PetAmigos:.*secret=${secret}`));
    assert.equal(await focusedId(page), 'twostep-setup-code');
    assert.deepEqual(await axe(page), []);
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await page.locator('#twostep-setup-code-message').getByText("That code didn't work", { exact: false }).waitFor();
    await page.locator('#twostep-setup-code').fill(totp(secret));
    await page.keyboard.press('Enter');

    // The recovery codes, once; Done only after "I saved them".
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const codes = await page.locator('ul.twostep-codes li').allTextContents();
    assert.equal(codes.length, 10);
    assert.ok(codes.every((c) => /^[A-Z2-7]{5}-[A-Z2-7]{5}$/.test(c)));
    assert.equal(await focusedId(page), 'twostep-codes-title');
    const done = page.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true);
    assert.deepEqual(await axe(page), []);
    await tabTo(page, () => document.activeElement?.id === 'twostep-saved', 'the "I saved them" box');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Done');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Two-step sign-in is now on.').waitFor();
    assert.match(await page.locator('#twostep-state').textContent(), /Two-step sign-in is on\. Recovery codes left: \u2068?10\u2069?/);
    assert.equal((await owner.get('/api/v1/auth/totp')).body.enabled, true);

    // Sign out, then in: password, then the code step (a later step than the one used).
    await page.locator('#logout').click();
    await go(page, '/login');
    await page.getByLabel('Email').fill(mail);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    assert.equal(await focusedId(page), 'twostep-code');
    assert.equal(await page.locator('#twostep-code').getAttribute('autocomplete'), 'one-time-code');
    assert.deepEqual(await axe(page), []);
    await page.keyboard.type(totp(secret, 1));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const mine = (await ctx.cookies()).find((c) => c.name === 'pa_session').value;

    // A second session elsewhere, signed in with a recovery code.
    const phone = new Client({ port });
    const first = await phone.post('/api/v1/auth/login', { email: mail, password: PASSWORD }, { headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36' } });
    assert.equal(first.body.second_step, 'totp');
    const second = await phone.post('/api/v1/auth/login/totp', { challenge: first.body.challenge, recovery_code: codes[0] },
      { headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36' } });
    assert.equal(second.status, 200);
    const other = await context(size, phone.cookie);
    await go(other.page, '/settings');
    await other.page.locator('#twostep-state').getByText('Recovery codes left', { exact: false }).waitFor();

    // The list here: this one marked, the other with "Sign out".
    await go(page, '/settings');
    const rows = page.locator('ul.sessions li');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const marked = rows.filter({ hasText: 'This device' });
    assert.equal(await marked.count(), 1);
    assert.equal(await marked.locator('button').count(), 0);
    const out = page.locator('ul.sessions button');
    assert.match(await rows.filter({ has: page.locator('button') }).textContent(), /Chrome\u2069? on \u2068?Android/);
    assert.deepEqual(await axe(page), []);
    await out.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('That device is signed out.').waitFor();
    await out.waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);

    // The other context is signed out: Settings there has only the preferences, and Log in.
    await go(other.page, '/settings');
    await other.page.locator('#settings-prefs').waitFor();
    await other.page.getByRole('link', { name: 'Log in' }).first().waitFor();
    assert.equal(await other.page.locator('#settings-sessions').count(), 0);
    assert.equal((await phone.get('/api/v1/auth/session')).body.user, null);
    assert.equal((await new Client({ port }).get('/api/v1/auth/session', { headers: { cookie: `pa_session=${mine}` } })).status, 200);

    // Download my data: two links the browser saves.
    assert.equal(await page.locator('a.export-json').getAttribute('href'), '/api/v1/me/export');
    assert.equal(await page.locator('a.export-media').getAttribute('download'), 'petamigos-media.tar');
    assert.deepEqual(realProblems(problems), []);
    assert.deepEqual(realProblems(other.problems), []);
    await other.ctx.close();
    await ctx.close();
  });
}
