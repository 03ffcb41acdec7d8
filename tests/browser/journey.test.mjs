// Issue 9's journey, in Chromium against a fresh real server, at phone size
// (touch) and at desktop size: a new person signs up through the form,
// creates a pet with a breed, posts a camera JPEG that carries GPS through
// the composer (the server's stored file has no EXIF and no GPS), sees the
// post on the pet's page (the core's grid and its mirror); a demo account, in
// a second browser, finds the pet, follows it, sees the post first in its
// Following feed and likes it; the new person searches a breed, reaches a pet
// with the keyboard and follows it, sees the unread badge and the
// notifications, switches to Spanish, reloads (still Spanish, still signed
// in) and signs out. No page error or console error on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { launchBrowser, watchPage } from '../lib/browser.mjs';
import { ROOT } from '../lib/paths.mjs';
import {
  PHONE, DESKTOP, DEMO, READY, plain, press, waitForText, makeGpsJpeg, exifTags, storedTags, assertNoMetadata,
  canvasPixels, imagesSettled, tabTo,
} from '../lib/app.mjs';

const ES = JSON.parse(readFileSync(path.join(ROOT, 'locales/es.json'), 'utf8'));
const PASSWORD = 'correct horse battery';
const PET = { name: 'Nimbus', breed: 'Bernese Mountain Dog', birth: '2022-03-14', bio: 'Loves snow more than anything.' };
const CAPTION = 'First snow for Nimbus #snowday';
let browser, dir, photo;

before(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(path.join(os.tmpdir(), 'pa-journey-'));
  photo = makeGpsJpeg(path.join(dir, 'IMG_2041.jpg'));
  const source = exifTags(photo);
  assert.ok(source['EXIF:GPSLatitude'] && source['EXIF:GPSLongitude'] && source['EXIF:Make'] === 'PetCam',
    'the photo from the camera carries GPS and camera data');
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A fresh browser context at the size, a page in it and what goes wrong there
// (page errors, console errors, refused requests).
async function person(size, phone) {
  const context = await browser.newContext({ viewport: size, hasTouch: phone, isMobile: phone,
    deviceScaleFactor: phone ? 2 : 1, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = watchPage(page);
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  // A finger on a phone, the mouse on a desktop.
  const tap = (locator) => (phone ? locator.tap() : locator.click());
  return { context, page, problems, tap };
}

const heading = (page) => page.locator('#screen h1');
const tab = (page, name) => page.locator(`#tabs a[data-tab="${name}"]`);
const api = (page, p) => page.evaluate(async (u) => (await fetch(u)).json(), p);
const idFrom = (page) => new URL(page.url()).pathname.split('/').pop();

// Walks a search's listbox with ↓ until the option is the active one, then Enter.
async function chooseOption(page, option) {
  const box = page.locator('#search-q');
  const id = await option.getAttribute('id');
  for (let i = 0; i < 20 && (await box.getAttribute('aria-activedescendant')) !== id; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
}

// The luminance spread of a square of the canvas (CSS pixels): a photo
// varies, an empty background does not.
function spread(img, scale, x, y, size) {
  const values = [];
  for (let py = Math.round((y + 4) * scale); py < Math.round((y + size - 4) * scale); py += 2) {
    for (let px = Math.round((x + 4) * scale); px < Math.round((x + size - 4) * scale); px += 2) {
      const i = (py * img.width + px) * 4;
      values.push(0.3 * img.pixels[i] + 0.59 * img.pixels[i + 1] + 0.11 * img.pixels[i + 2]);
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

for (const [size, viewport, phone] of [['phone', PHONE, true], ['desktop', DESKTOP, false]]) {
  test(`the journey of a new pet owner (${size})`, async () => {
    const server = await startServer();
    const contexts = [];
    try {
      const me = await person(viewport, phone);
      contexts.push(me.context);
      const { page, tap } = me;
      const email = `journey.${size}.${process.pid}@example.test`;

      // ---- sign up through the form in the header
      await page.goto(server.url);
      await page.locator('#mirror article').first().waitFor({ state: 'attached' });
      await tap(page.locator('#account-out a[href="/signup"]'));
      await page.waitForURL(/\/signup$/);
      await page.locator('#display_name').waitFor();
      await page.fill('#display_name', 'Dana Journey');
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === '/');
      await page.locator('#logout').waitFor();
      assert.equal(await page.locator('#account-out').isHidden(), true);
      const { user } = await api(page, '/api/v1/auth/session');
      assert.deepEqual([user.name, user.email], ['Dana Journey', email]);

      // ---- a pet: the composer says to add one first
      await tap(tab(page, 'create'));
      await page.waitForURL(/\/compose$/);
      await page.getByText('Add a pet first').waitFor();
      await tap(page.locator('#screen').getByRole('link', { name: 'Add a pet' }));
      await page.waitForURL(/\/pets\/new$/);
      await page.locator('#pet-name').waitFor();
      await page.fill('#pet-name', PET.name);
      await page.selectOption('#pet-species', 'dog');
      await page.fill('#pet-breed', PET.breed);
      await page.fill('#pet-birth', PET.birth);
      await page.fill('#pet-bio', PET.bio);
      await tap(page.getByRole('button', { name: 'Create profile' }));
      await page.waitForURL(/\/pets\/pet_\d+$/);
      const petId = idFrom(page);
      await heading(page).filter({ hasText: PET.name }).waitFor();
      assert.match(await page.locator('.social-facts').first().textContent(), new RegExp(PET.breed));
      const pet = await api(page, `/api/v1/pets/${petId}`);
      assert.deepEqual([pet.name, pet.species, pet.breed, pet.birth_date, pet.owner.id], [PET.name, 'dog', PET.breed, PET.birth, user.id]);

      // ---- a post with the camera's photo, through the composer
      await tap(tab(page, 'create'));
      await page.waitForURL(/\/compose$/);
      await page.locator('#compose-files').waitFor({ state: 'attached' });
      assert.equal(await page.inputValue('#compose-pet'), petId, 'posting as the new pet');
      await page.setInputFiles('#compose-files', photo);
      await page.locator(READY).waitFor();
      assert.match(plain(await page.locator(READY).textContent()), /Location data removed/);
      await page.getByLabel('Description for people who cannot see the photo (alt text)').fill('Nimbus in the snow');
      await page.fill('#compose-caption', CAPTION);
      await tap(page.getByRole('button', { name: 'Share post' }));
      await page.waitForURL(/\/posts\/p_\d+$/);
      const postId = idFrom(page);
      await heading(page).filter({ hasText: PET.name }).waitFor();
      const posted = await api(page, `/api/v1/posts/${postId}`);
      assert.deepEqual([posted.pet.id, posted.caption, posted.tags, posted.images.length], [petId, CAPTION, ['snowday'], 1]);
      assert.equal(posted.images[0].alt, 'Nimbus in the snow');
      // What the server stored: downsized, re-encoded, no EXIF, no GPS, no camera.
      const stored = storedTags(server.dir, posted.images[0].url);
      assertNoMetadata(stored, 'the stored photo');
      assert.equal(stored['File:FileType'], 'JPEG');
      assert.equal(stored['File:ImageWidth'], 2048);
      assert.ok(!JSON.stringify(stored).includes('PetCam') && !JSON.stringify(stored).includes('secret place'));

      // ---- the pet's page lists it in the core's grid
      await tap(heading(page).getByRole('link', { name: PET.name }));
      await page.waitForURL(new RegExp(`/pets/${petId}$`));
      const tiles = page.locator('#grid-mirror a');
      await tiles.first().waitFor({ state: 'attached' });
      assert.deepEqual(await tiles.allTextContents(), [CAPTION]);
      assert.equal(await tiles.first().getAttribute('href'), `/posts/${postId}`);
      assert.match(await page.locator('.social-counts').textContent(), /^1 post/);
      // Drawn: the first tile shows the photo, the second place stays empty.
      await imagesSettled(page);
      const box = await page.locator('#canvas').boundingBox();
      const shot = await canvasPixels(page);
      const scale = shot.width / box.width;
      const gridWidth = Math.min(box.width, 900), tileSize = (gridWidth - 6) / 3, x0 = (box.width - gridWidth) / 2;
      const photoSpread = spread(shot, scale, x0, 3, tileSize), emptySpread = spread(shot, scale, x0 + tileSize + 3, 3, tileSize);
      assert.ok(photoSpread > 15 && emptySpread < 3, `tile ${photoSpread}, empty place ${emptySpread}`);

      // ---- a demo account, in its own browser, finds the pet, follows it and sees the post
      const fan = await person(viewport, phone);
      contexts.push(fan.context);
      const p2 = fan.page;
      await p2.goto(new URL('/login', server.url).href);
      await p2.locator('#email').waitFor();
      await p2.fill('#email', DEMO.kenji.email);
      await p2.fill('#password', DEMO.kenji.password);
      await p2.keyboard.press('Enter');
      await p2.waitForURL((u) => u.pathname === '/');
      await p2.locator('#logout').waitFor();
      await fan.tap(tab(p2, 'search'));
      await p2.waitForFunction(() => document.activeElement?.id === 'search-q');
      await p2.keyboard.type(PET.name, { delay: 30 });
      const found = p2.getByRole('option', { name: new RegExp(`^${PET.name}`) });
      await found.waitFor();
      await chooseOption(p2, found);
      await p2.waitForURL(new RegExp(`/pets/${petId}$`));
      await heading(p2).filter({ hasText: PET.name }).waitFor();
      const follow = p2.getByRole('button', { name: new RegExp(`^Follow \\W?${PET.name}\\W?$`) });
      assert.equal(await follow.getAttribute('aria-pressed'), 'false');
      const followed = p2.waitForResponse((r) => r.url().endsWith(`/pets/${petId}/follow`) && r.request().method() === 'PUT');
      await press(follow);
      assert.equal((await followed).status(), 200);
      assert.equal(await follow.getAttribute('aria-pressed'), 'true');
      await waitForText(p2, '.social-counts a', '1 follower');
      // Home, Following: the new post comes first in the feed's mirror.
      await fan.tap(tab(p2, 'home'));
      await p2.locator('#mirror article').first().waitFor({ state: 'attached' });
      await press(p2.locator('#feed-mode button[data-mode="following"]'));
      await p2.waitForFunction((id) => document.querySelector('#mirror > article')?.dataset.id === id, postId);
      const article = p2.locator(`#mirror > article[data-id="${postId}"]`);
      assert.match(plain(await article.locator('h2').textContent()), new RegExp(PET.name));
      assert.match(plain(await article.textContent()), /First snow for Nimbus/);
      // …and likes it from the keyboard.
      const liked = p2.waitForResponse((r) => r.url().endsWith(`/posts/${postId}/like`) && r.request().method() === 'PUT');
      await press(article.locator('button[data-control="like"]'));
      assert.equal((await liked).status(), 200);
      await p2.waitForFunction((id) => document.querySelector(`#mirror > article[data-id="${id}"] button[data-control="like"]`)
        ?.getAttribute('aria-pressed') === 'true', postId);

      // ---- the new person searches a breed and follows a pet, from the keyboard
      await tap(tab(page, 'search'));
      await page.waitForFunction(() => document.activeElement?.id === 'search-q');
      await page.keyboard.type('border col', { delay: 30 });
      const breed = page.getByRole('option', { name: /Border Collie/ });
      await breed.waitFor();
      await chooseOption(page, breed);
      await page.waitForFunction(() => document.getElementById('search-q').value === 'Border Collie');
      // Pepper may already be listed by "border col" (pets match by breed): wait for the breed's own
      // answer, whose render clears the active option, or the walk below may happen on the old list
      // (as social.test.mjs does; CI-like load failed the walk here).
      await page.waitForFunction(() => !document.getElementById('search-q').hasAttribute('aria-activedescendant'));
      const pepper = page.getByRole('option', { name: /^Pepper/ });
      await pepper.waitFor();
      await chooseOption(page, pepper);
      await page.waitForURL(/\/pets\/pet_\d+$/);
      await heading(page).filter({ hasText: 'Pepper' }).waitFor();
      const pepperId = idFrom(page);
      assert.equal((await api(page, `/api/v1/pets/${pepperId}`)).breed, 'Border Collie');
      const followPepper = page.getByRole('button', { name: /^Follow \W?Pepper\W?$/ });
      // From the page's heading (focused on arrival), Tab to the follow button; Enter.
      await page.waitForFunction(() => document.activeElement?.matches('#screen h1'));
      await tabTo(page, () => document.activeElement.matches('#screen button[aria-pressed]'), 'the follow button');
      const answered = page.waitForResponse((r) => r.url().endsWith(`/pets/${pepperId}/follow`) && r.request().method() === 'PUT');
      await page.keyboard.press('Enter');
      assert.equal((await answered).status(), 200);
      assert.equal(await followPepper.getAttribute('aria-pressed'), 'true');
      assert.equal((await api(page, `/api/v1/pets/${pepperId}`)).following, true);

      // ---- the follow and the like as notifications: the badge, then the list
      await page.locator('#unread-badge').getByText('2').waitFor();
      assert.match(plain(await tab(page, 'notifications').textContent()), /2 new notifications/);
      await tap(tab(page, 'notifications'));
      await page.waitForURL(/\/notifications$/);
      const items = page.locator('.notif-list a');
      await items.nth(1).waitFor();
      const said = (await items.evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])))
        .map(([text, href]) => [plain(text), href]);
      assert.deepEqual(said.sort(), [
        [`${DEMO.kenji.name} liked your photo of ${PET.name}.`, `/posts/${postId}`],
        [`${DEMO.kenji.name} started following ${PET.name}.`, `/pets/${petId}`],
      ].sort());
      await page.locator('#unread-badge').waitFor({ state: 'hidden' });

      // ---- Spanish, from the settings screen
      await tap(page.locator('header a[href="/settings"]'));
      await page.waitForURL(/\/settings$/);
      await page.locator('select#language').selectOption('es');
      await page.waitForFunction(() => document.documentElement.lang === 'es');
      const spanish = async () => {
        await heading(page).filter({ hasText: ES['settings.title'] }).waitFor();
        const nav = await page.locator('#tabs [data-i18n]').evaluateAll((els) => els.map((e) => [e.dataset.i18n, e.textContent]));
        assert.ok(nav.length >= 7);
        for (const [key, text] of nav) assert.equal(text, ES[key], key);
        assert.equal(await tab(page, 'home').textContent(), 'Inicio');
        assert.equal(await page.locator('label[for="language"]').textContent(), ES['settings.language']);
        await waitForText(page, '#screen p', `Has iniciado sesión como Dana Journey (${email}).`);
      };
      await spanish();
      // A reload keeps the language and the session.
      await page.reload();
      await page.waitForFunction(() => document.documentElement.lang === 'es');
      await spanish();
      await page.locator('#logout').waitFor();
      assert.equal(await page.locator('#logout').textContent(), ES['auth.logOut']);

      // ---- sign out from the header
      await tap(page.locator('#logout'));
      await page.waitForURL((u) => u.pathname === '/');
      await page.locator('#account-out').waitFor();
      assert.equal(await page.locator('#account-out a[href="/login"]').textContent(), ES['auth.logIn']);
      assert.equal(await page.locator('#account-in').isHidden(), true);
      assert.equal((await api(page, '/api/v1/auth/session')).user, null);
      await page.goto(new URL('/me', server.url).href);
      await page.waitForURL(/\/login\?next=%2Fme$/);
      await heading(page).filter({ hasText: ES['auth.logIn'] }).waitFor();

      assert.deepEqual(me.problems, []);
      assert.deepEqual(fan.problems, []);
    } finally {
      for (const c of contexts) await c.close();
      await server.stop();
    }
  });
}
