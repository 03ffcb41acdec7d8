// Web Push in Chromium, the app closed: a person turns on "Notifications on
// this device" in Settings from the keyboard (axe clean, phone and desktop);
// the page's service worker is registered; the page is closed; someone
// follows the person, and the server's push — taken from the local stand-in
// push service (tests/lib/pushsim.mjs, which verified its VAPID JWT) and
// decrypted here (RFC 8291), proving the server's payload — is delivered to
// the service worker through CDP's ServiceWorker.deliverPushMessage. The
// worker shows the notification (registration.getNotifications() in the
// worker); its click opens the screen it names.
//
// Chromium refuses pushManager.subscribe in Playwright's contexts (they are
// incognito profiles: "Chrome currently does not support the Push API in
// incognito mode", crbug.com/41124656), and a persistent profile would ask
// Google's FCM, unreachable here; so the subscription the server
// sends to is the test's, made with node:crypto keys at the stand-in's
// endpoint and posted with the page's own session; and no notification can
// be clicked by a user, so the click is the worker's own notificationclick
// handler run on the notification it showed (see the comment there).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { watchPage } from '../lib/browser.mjs';
import { launchBrowser } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { PHONE, DESKTOP, tabTo } from '../lib/app.mjs';
import { browserKeys, startPushService } from '../lib/pushsim.mjs';
import { Client } from '../server/helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
let sim, server, browser, port;
let serial = 0;

before(async () => {
  sim = await startPushService();
  server = await startServer({ env: { PA_PUSH_SERVICE: sim.origin } });
  port = Number(new URL(server.url).port);
  browser = await launchBrowser();
});
after(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await sim?.stop();
  }
});

async function person(name) {
  const c = new Client({ port });
  const email = `${name.toLowerCase()}.${process.pid}.${++serial}@example.test`;
  await c.signup(email, PASSWORD, name);
  return c;
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('a push reaches the closed app\'s service worker, shows a notification, and its click opens the screen', async () => {
  const alice = await person('Alice');
  const bob = await person('Bob');
  const context = await browser.newContext({ viewport: PHONE });
  await context.grantPermissions(['notifications'], { origin: server.url.replace(/\/$/, '') });
  await context.addCookies([{ name: 'pa_session', value: alice.cookie, url: server.url }]);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(new URL('/settings', server.url).href);
  await page.waitForSelector('#push-switch');
  const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
  assert.equal(scope, server.url);

  // The switch, from the keyboard: permission is granted, then the browser's
  // own subscribe is tried; headless Chromium's push service is unreachable,
  // so it says why, and the switch stays off (nothing half-made is kept).
  await tabTo(page, () => document.activeElement?.id === 'push-switch', 'the push switch');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'switch');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !document.querySelector('#push-switch').disabled &&
    (document.querySelector('.settings [role=alert]:not([hidden])')?.textContent || document.querySelector('#push-switch').checked));
  const outcome = await page.evaluate(() => ({
    checked: document.querySelector('#push-switch').checked,
    alert: [...document.querySelectorAll('.settings [role=alert]')].map((a) => (a.hidden ? '' : a.textContent)).join(''),
  }));
  assert.equal(outcome.checked, false);
  assert.match(outcome.alert, /^Notifications could not be turned on: /);
  assert.equal(await page.evaluate(() => Notification.permission), 'granted');
  assert.deepEqual(await axe(page), []);
  await page.setViewportSize(DESKTOP);
  assert.deepEqual(await axe(page), []);

  // The browser side of the subscription: this session's, the test's keys.
  const ua = browserKeys();
  const id = `browser-${process.pid}`;
  const r = await page.evaluate(async (sub) => {
    const s = await (await fetch('/api/v1/auth/session')).json();
    const res = await fetch('/api/v1/push/subscriptions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: JSON.stringify(sub) });
    return res.status;
  }, ua.subscription(sim.endpoint(id), { locale: 'en' }));
  assert.equal(r, 200);

  // The worker's registration, seen from a blank tab that stays open (CDP
  // needs a target; it is not the app).
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const registrations = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
    for (const reg of list) registrations.set(reg.scopeURL, reg.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  const until = async (cond, what) => {
    const end = Date.now() + 30_000; // hang guard only
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`waited too long for ${what}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  await until(() => registrations.has(server.url), 'the registration');
  // Chromium's own note on the refused subscribe (Playwright's contexts are incognito profiles).
  assert.deepEqual(problems.filter((p) => !/does not support the Push API in incognito/.test(p)), []);
  await page.close(); // the app is closed

  // Bob follows Alice: the server pushes to her subscription.
  assert.equal((await bob.put(`/api/v1/users/${alice.user.id}/follow`)).status, 200);
  const [m] = await sim.waitFor(id, 1);
  const payload = ua.decrypt(m.body);
  assert.deepEqual(JSON.parse(payload), { title: 'Bob started following you', body: 'Tap to open PetAmigos', url: `/people/${bob.user.id}`, tag: 'follow', kind: 'follow' });

  // Delivered as the browser's push service would, to the closed app's worker.
  const workerStarted = context.serviceWorkers().length ? null : context.waitForEvent('serviceworker');
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: server.url.replace(/\/$/, ''), registrationId: registrations.get(server.url), data: payload,
  });
  const worker = (await workerStarted) ?? context.serviceWorkers()[0];
  const shown = async () => worker.evaluate(async () => (await self.registration.getNotifications())
    .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data?.url })));
  await until(async () => (await shown()).length === 1, 'the notification');
  assert.deepEqual(await shown(), [{ title: 'Bob started following you', body: 'Tap to open PetAmigos', tag: 'pa-follow', url: `/people/${bob.user.id}` }]);

  // The click. Nobody can click a notification in headless Chromium (no
  // CDP command does), so the worker's own notificationclick handler runs on
  // the notification it showed. With no app window open it closes the
  // notification and calls clients.openWindow with the screen the push
  // names; Chromium refuses that without a real click on a notification
  // (InvalidAccessError: only a user's click grants a worker a window), so
  // the test opens the URL the handler asked for, as the browser would have.
  const asked = await worker.evaluate(async () => {
    const [n] = await self.registration.getNotifications();
    const tried = [];
    const realOpen = self.clients.openWindow.bind(self.clients);
    self.clients.openWindow = (url) => { tried.push(url); return realOpen(url).catch((e) => { tried.push(`refused: ${e.name}`); return null; }); };
    const event = new NotificationEvent('notificationclick', { notification: n });
    const done = [];
    event.waitUntil = (p) => done.push(p);
    self.dispatchEvent(event);
    await Promise.all(done);
    self.clients.openWindow = realOpen;
    return { tried, left: (await self.registration.getNotifications()).length };
  });
  assert.deepEqual(asked, { tried: [new URL(`/people/${bob.user.id}`, server.url).href, 'refused: InvalidAccessError'], left: 0 });
  const screen = await context.newPage();
  await screen.goto(asked.tried[0]);
  await screen.waitForFunction(() => document.body.dataset.route === 'person');
  await screen.waitForFunction((name) => document.querySelector('main h1, h1')?.textContent.includes(name), 'Bob');
  await context.close();
});
