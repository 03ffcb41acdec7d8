// Creating content in a real browser against the real server: pet profiles
// (create, edit, active pet, delete), the post composer (photos prepared by
// the core in the decode worker: the STORED file has no EXIF and no GPS;
// refused files get their message and the rest stay; upload progress; a
// failed upload keeps the draft and a retry finishes it; the draft survives a
// reload, an upload the server discarded is sent again, the daily quota's
// message), the story composer and the reel upload (a video over the
// person's reel length refused early and by the server; a MediaRecorder
// recording's length as the core reads it), axe on every screen at
// phone and desktop, light and dark, and the composer from the keyboard alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { CLI, ROOT } from '../lib/paths.mjs';
import { PHONE, DESKTOP, READY, plain, waitForText, makeGpsJpeg, exifTags, storedTags, assertNoMetadata, tabTo as tabUntil, chooseWithKey, serverAndBrowser } from '../lib/app.mjs';
import { LOCATION, assertDecodes, hasLocation, makeLocatedVideo } from '../lib/video.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FORMATS = path.join(ROOT, 'tests/corpus/image-formats');
let server, browser, dir, files;
let users = 0;

serverAndBrowser(async (s, b) => {
  server = s;
  browser = b;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pa-compose-'));
  const f = (name) => path.join(dir, name);
  // A camera-like JPEG: large, with GPS position, camera make and a comment.
  makeGpsJpeg(f('IMG_0001.jpg'));
  execFileSync('convert', ['-size', '300x200', 'gradient:orange-purple', f('sunset.png')]);
  // Refused by the core: too wide (over 8192 px), cut short, HEIC.
  execFileSync('convert', ['-size', '9000x8', 'xc:teal', f('panorama.jpg')]);
  writeFileSync(f('broken.jpg'), readFileSync(f('IMG_0001.jpg')).subarray(0, 3000));
  copyFileSync(path.join(FORMATS, 'photo.heic'), f('photo.heic'));
  // A real clip for the reel, filmed "at" a place (Tags LOCATION, a Title),
  // and one cut short that the core cannot read.
  makeLocatedVideo(f('clip.webm'), 'webm', { size: '180x320', seconds: '1' });
  writeFileSync(f('cut.webm'), readFileSync(f('clip.webm')).subarray(0, 1500));
  // Over a free person's 60 s (web/src/pay/catalog.h): 61 s, 32x32 at 1 fps.
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:size=32x32:rate=1', '-t', '61',
    '-c:v', 'libvpx', '-deadline', 'realtime', f('long.webm')]);
  files = f;
});


// A new signed-up user in a fresh context (optionally with a pet made through the API).
async function session({ size = DESKTOP, colorScheme = 'light', pet = null, axe = false, phone = false } = {}) {
  const context = await browser.newContext({ viewport: size, colorScheme, serviceWorkers: 'block', bypassCSP: axe,
    hasTouch: phone, isMobile: phone });
  const n = ++users;
  const signup = await context.request.post(new URL('/api/v1/auth/signup', server.url).href, {
    data: { email: `maker${n}@example.test`, password: 'correct horse battery', display_name: `Maker ${n}` },
  });
  assert.equal(signup.status(), 201, await signup.text());
  const { user, csrf_token: csrf } = await signup.json();
  let created = null;
  if (pet) {
    const r = await context.request.post(new URL('/api/v1/pets', server.url).href, { data: pet, headers: { 'X-CSRF-Token': csrf } });
    assert.equal(r.status(), 201, await r.text());
    created = await r.json();
  }
  const page = await context.newPage();
  const problems = watchPage(page);
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  const api = async (p) => {
    const r = await context.request.get(new URL(p, server.url).href);
    return { status: r.status(), body: await r.json() };
  };
  return { context, page, problems, user, pet: created, api };
}

async function go(page, where) {
  await page.goto(new URL(where, server.url).href);
  await page.locator('#screen h1').waitFor();
  // Mounted: the shell focuses the screen's heading once the screen is built.
  await page.waitForFunction(() => document.activeElement?.matches('#screen h1'));
}

const draftIn = (page, key) => page.evaluate((k) => new Promise((resolve) => {
  const req = indexedDB.open('petamigos-drafts');
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains('drafts')) return resolve(null);
    const get = db.transaction('drafts').objectStore('drafts').get(k);
    get.onsuccess = () => {
      const d = get.result;
      resolve(d ? { caption: d.caption, petId: d.petId, photos: d.photos.map((p) => ({ name: p.name, alt: p.alt, bytes: p.bytes.byteLength, mediaId: p.mediaId })) } : null);
    };
  };
}), key);

async function waitForDraft(page, key, predicate) {
  for (let i = 0; i < 100; i++) {
    const d = await draftIn(page, key);
    if (d && predicate(d)) return d;
    await page.waitForTimeout(100);
  }
  throw new Error(`draft ${key}: ${JSON.stringify(await draftIn(page, key))}`);
}

// Records every value the upload progress bar shows.
async function watchProgress(page) {
  await page.evaluate(() => {
    window.progressSeen = [];
    const bar = document.getElementById('compose-progress');
    new MutationObserver(() => window.progressSeen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
  return () => page.evaluate(() => window.progressSeen);
}

test('pet profiles: create with a prepared avatar, validate, edit, switch the active pet, delete', async () => {
  const { context, page, problems, user, api } = await session();
  // Without a pet the composer says what to do first.
  await go(page, '/compose');
  await page.getByText('Add a pet first').waitFor();
  await page.locator('#screen').getByRole('link', { name: 'Add a pet' }).click();
  await page.waitForURL(/\/pets\/new$/);
  await go(page, '/pets/new');
  // Nothing filled: the name is required, said next to the field, focused.
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.locator('#pet-name-error').waitFor();
  assert.equal(await page.locator('#pet-name').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'pet-name');
  // A future birth date is refused.
  await page.fill('#pet-name', 'Biscuit');
  await page.fill('#pet-birth', '2999-01-01');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.locator('#pet-birth-error').getByText('cannot be in the future').waitFor();
  await page.fill('#pet-birth', '2021-05-04');
  await page.selectOption('#pet-species', 'other');
  await page.fill('#pet-species-other', 'axolotl');
  await page.fill('#pet-breed', 'Leucistic');
  await page.fill('#pet-bio', 'Smiles a lot.');
  assert.equal(await page.getByRole('button', { name: 'Remove photo' }).isVisible(), false, 'no photo to remove yet');
  await page.setInputFiles('#pet-avatar', files('IMG_0001.jpg'));
  await page.waitForFunction(() => document.querySelector('.pet-avatar')?.src.startsWith('blob:'));
  assert.equal(await page.getByRole('button', { name: 'Remove photo' }).isVisible(), true);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.waitForURL(/\/pets\/pet_\d+$/);
  const id = new URL(page.url()).pathname.split('/').pop();
  let pet = (await api(`/api/v1/pets/${id}`)).body;
  assert.deepEqual([pet.name, pet.species, pet.breed, pet.birth_date, pet.bio, pet.owner.id],
    ['Biscuit', 'axolotl', 'Leucistic', '2021-05-04', 'Smiles a lot.', user.id]);
  assert.ok(pet.avatar_url, 'avatar stored');
  const avatar = storedTags(server.dir, pet.avatar_url);
  assertNoMetadata(avatar, 'the stored avatar');
  assert.ok(Math.max(avatar['File:ImageWidth'], avatar['File:ImageHeight']) <= 1024, 'avatar downsized');
  // The first pet becomes the active one.
  assert.equal(await page.evaluate(() => localStorage.getItem('petamigos.activePet')), id);

  // Edit: the form comes back filled; change the name and species.
  await go(page, `/pets/${id}/edit`);
  assert.equal(await page.inputValue('#pet-name'), 'Biscuit');
  assert.equal(await page.inputValue('#pet-species'), 'other');
  assert.equal(await page.inputValue('#pet-species-other'), 'axolotl');
  await page.fill('#pet-name', 'Biscuit II');
  await page.selectOption('#pet-species', 'cat');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(new RegExp(`/pets/${id}$`));
  pet = (await api(`/api/v1/pets/${id}`)).body;
  assert.deepEqual([pet.name, pet.species, pet.breed], ['Biscuit II', 'cat', 'Leucistic']);
  assert.ok(pet.avatar_url, 'the avatar stays when not touched');
  // Removing the photo.
  await go(page, `/pets/${id}/edit`);
  await page.getByRole('button', { name: 'Remove photo' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(new RegExp(`/pets/${id}$`));
  assert.equal((await api(`/api/v1/pets/${id}`)).body.avatar_url, null);

  // A second pet, made the active one; the composer's switcher shows it.
  await go(page, '/pets/new');
  await page.fill('#pet-name', 'Noodle');
  await page.selectOption('#pet-species', 'dog');
  await page.check('#pet-active');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.waitForURL(/\/pets\/pet_\d+$/);
  const second = new URL(page.url()).pathname.split('/').pop();
  assert.equal(await page.evaluate(() => localStorage.getItem('petamigos.activePet')), second);
  await go(page, '/compose');
  assert.equal(await page.inputValue('#compose-pet'), second);
  await page.selectOption('#compose-pet', id);
  assert.equal(await page.evaluate(() => localStorage.getItem('petamigos.activePet')), id);

  // Delete, after a confirmation that can be cancelled.
  await go(page, `/pets/${second}/edit`);
  await page.getByRole('button', { name: 'Delete pet' }).click();
  const dialog = page.getByRole('dialog', { name: /^Delete \W?Noodle\W?\?$/ });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api(`/api/v1/pets/${second}`)).status, 200);
  await page.getByRole('button', { name: 'Delete pet' }).click();
  await dialog.getByRole('button', { name: 'Delete forever' }).click();
  await page.waitForURL(new RegExp(`/people/${user.id}$`));
  assert.equal((await api(`/api/v1/pets/${second}`)).status, 404);
  assert.deepEqual((await api('/api/v1/me/pets')).body.pets.map((p) => p.id), [id]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('composer: photos prepared by the core, refusals per file, alt text, order, progress; the stored files carry no EXIF or GPS', async () => {
  const { context, page, problems, pet, api } = await session({ pet: { name: 'Pepper', species: 'dog' } });
  const source = exifTags(files('IMG_0001.jpg'));
  assert.ok(source['EXIF:GPSLatitude'] && source['EXIF:Make'] === 'PetCam', 'the source carries GPS and camera data');
  await go(page, '/compose');
  await page.setInputFiles('#compose-files', ['IMG_0001.jpg', 'panorama.jpg', 'broken.jpg', 'photo.heic', 'sunset.png'].map(files));
  await page.locator(READY).nth(1).waitFor();
  await page.waitForFunction(() => !document.querySelector('.compose-preparing'));
  const refusals = (await page.locator('.compose-refusal').allTextContents()).map(plain);
  assert.equal(refusals.length, 3, refusals.join('\n'));
  assert.match(refusals[0], /panorama\.jpg is too large\..*9000/);
  assert.match(refusals[1], /broken\.jpg is damaged or not an image\..*(ends early|cannot decode)/);
  assert.match(refusals[2], /photo\.heic is in a format that cannot be used here\..*HEIC/);
  assert.equal(await page.locator(READY).count(), 2, 'the good photos stay');
  assert.match(await page.locator(READY).first().textContent(), /Location data removed/);
  // Dismiss one message; the others stay.
  await page.getByRole('button', { name: /^Dismiss the message about \W?panorama\.jpg\W?$/ }).click();
  assert.equal(await page.locator('.compose-refusal').count(), 2);

  await page.getByLabel('Description for people who cannot see the photo (alt text)').first().fill('Pepper on the beach');
  await page.getByLabel('Description for people who cannot see the photo (alt text)').nth(1).fill('An orange sky');
  // Move the second photo first.
  await page.getByRole('group', { name: 'Photo 2 of 2' }).getByRole('button', { name: 'Move earlier' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Move later', 'focus follows the moved photo');
  assert.equal(await page.getByLabel('Description for people who cannot see the photo (alt text)').first().inputValue(), 'An orange sky');
  await page.fill('#compose-caption', 'Golden hour #beach #sunset');
  const progressSeen = await watchProgress(page);
  await page.getByRole('button', { name: 'Share post' }).click();
  await page.waitForURL(/\/posts\/p_\d+$/);
  const seen = await progressSeen();
  assert.equal(seen.at(-1), 100, `progress ${seen}`);
  assert.ok(seen.length >= 3 && seen.every((v, i) => i === 0 || v >= seen[i - 1]), `progress only grows: ${seen}`);

  const id = new URL(page.url()).pathname.split('/').pop();
  const post = (await api(`/api/v1/posts/${id}`)).body;
  assert.equal(post.pet.id, pet.id);
  assert.deepEqual(post.tags, ['beach', 'sunset']);
  assert.deepEqual(post.images.map((i) => i.alt), ['An orange sky', 'Pepper on the beach']);
  // The photo from the camera: downsized to 2048 and re-encoded without any metadata.
  assert.equal(post.images[1].width, 2048);
  assert.ok(Math.abs(post.images[1].height - 1365.3) < 1, `height ${post.images[1].height}`);
  for (const image of post.images) {
    const tags = storedTags(server.dir, image.url);
    assertNoMetadata(tags, image.url);
    assert.ok(!JSON.stringify(tags).includes('PetCam') && !JSON.stringify(tags).includes('secret place'));
  }
  // Posted: the draft is gone.
  assert.equal(await draftIn(page, 'post'), null);
  await go(page, '/compose');
  assert.equal(await page.locator(READY).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('composer: the draft survives a reload; a failed upload keeps it and a retry sends only what is missing', async () => {
  const { context, page, pet, api } = await session({ pet: { name: 'Mochi', species: 'cat' } });
  await go(page, '/compose');
  await page.setInputFiles('#compose-files', [files('IMG_0001.jpg'), files('sunset.png')]);
  await page.locator(READY).nth(1).waitFor();
  await page.getByLabel('Description for people who cannot see the photo (alt text)').first().fill('Mochi asleep');
  await page.fill('#compose-caption', 'Nap time #cat');
  await waitForDraft(page, 'post', (d) => d.caption === 'Nap time #cat' && d.photos.length === 2 && d.photos[0].alt === 'Mochi asleep');

  await page.reload();
  await page.locator(READY).nth(1).waitFor();
  assert.equal(await page.inputValue('#compose-caption'), 'Nap time #cat');
  assert.equal(await page.getByLabel('Description for people who cannot see the photo (alt text)').first().inputValue(), 'Mochi asleep');
  assert.equal(await page.locator('.compose-photo img').first().evaluate((img) => img.complete && img.naturalWidth > 0), true);

  // The first upload goes through, the second fails (the connection drops).
  let uploads = 0;
  await page.route('**/api/v1/media', (route) => (++uploads === 2 ? route.abort('connectionreset') : route.continue()));
  await page.getByRole('button', { name: 'Share post' }).click();
  const alert = page.locator('#compose-error');
  await alert.getByText('Not posted').waitFor();
  assert.match(plain(await alert.textContent()), /Cannot reach PetAmigos\..*draft is kept/);
  assert.equal(await page.locator(READY).count(), 2);
  assert.equal(await page.inputValue('#compose-caption'), 'Nap time #cat');
  const kept = await waitForDraft(page, 'post', (d) => d.photos[0].mediaId);
  assert.ok(kept.photos[0].mediaId && !kept.photos[1].mediaId, 'the first upload is remembered');
  assert.equal((await api('/api/v1/me/pets')).body.pets[0].post_count ?? 0, 0);

  // Even a reload in between loses nothing; the retry sends only the second photo.
  await page.reload();
  await page.locator(READY).nth(1).waitFor();
  await page.getByRole('button', { name: 'Share post' }).click();
  await page.waitForURL(/\/posts\/p_\d+$/);
  assert.equal(uploads, 3);
  const post = (await api(`/api/v1/posts/${new URL(page.url()).pathname.split('/').pop()}`)).body;
  assert.equal(post.images.length, 2);
  assert.equal(post.caption, 'Nap time #cat');
  assert.equal(post.pet.id, pet.id);
  assert.equal(await draftIn(page, 'post'), null);
  await context.close();
});

test('composer: a draft whose upload the server discarded (unused for a day) uploads it again and posts', async () => {
  const { context, page, api } = await session({ pet: { name: 'Tofu', species: 'dog' } });
  await go(page, '/compose');
  await page.setInputFiles('#compose-files', [files('sunset.png')]);
  await page.locator(READY).first().waitFor();
  await page.fill('#compose-caption', 'Later #dog');
  // The photo is uploaded but the post does not get through: the draft keeps the upload's id.
  let uploads = 0, posts = 0;
  await page.route('**/api/v1/media', (route) => { uploads++; return route.continue(); });
  await page.route('**/api/v1/posts', (route) => (++posts === 1 ? route.abort('connectionreset') : route.continue()));
  await page.getByRole('button', { name: 'Share post' }).click();
  await page.locator('#compose-error').getByText('Not posted').waitFor();
  const { photos: [kept] } = await waitForDraft(page, 'post', (d) => d.photos[0].mediaId);
  // The server forgets it, as it does with an upload nothing used for a day.
  const csrf = (await api('/api/v1/auth/session')).body.csrf_token;
  const gone = await context.request.delete(new URL(`/api/v1/media/${kept.mediaId}`, server.url).href, { headers: { 'X-CSRF-Token': csrf } });
  assert.equal(gone.status(), 200);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.waitForURL(/\/posts\/p_\d+$/);
  assert.deepEqual([uploads, posts], [2, 3], 'refused once as unknown_upload, uploaded again, posted');
  const post = (await api(`/api/v1/posts/${new URL(page.url()).pathname.split('/').pop()}`)).body;
  assert.equal(post.images.length, 1);
  assert.equal(post.caption, 'Later #dog');
  assert.equal(await draftIn(page, 'post'), null);
  await context.close();
});

test('composer: past the daily upload quota it says when uploads open again, and the draft stays', async () => {
  const small = await startServer({ seed: false, env: { PA_MEDIA_QUOTA_DAY_BYTES: '1000' } });
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  try {
    const at = (p) => new URL(p, small.url).href;
    const signup = await context.request.post(at('/api/v1/auth/signup'),
      { data: { email: 'quota@example.test', password: 'correct horse battery', display_name: 'Quota' } });
    assert.equal(signup.status(), 201);
    const { csrf_token: csrf } = await signup.json();
    const pet = await context.request.post(at('/api/v1/pets'), { data: { name: 'Bun', species: 'rabbit' }, headers: { 'X-CSRF-Token': csrf } });
    assert.equal(pet.status(), 201);
    const page = await context.newPage();
    await page.goto(at('/compose'));
    await page.locator('#screen h1').waitFor();
    await page.setInputFiles('#compose-files', [files('sunset.png')]);
    await page.locator(READY).first().waitFor();
    await page.fill('#compose-caption', 'Too much today');
    await page.getByRole('button', { name: 'Share post' }).click();
    const alert = page.locator('#compose-error');
    await alert.getByText('Not posted').waitFor();
    assert.match(plain(await alert.textContent()), /You have reached today's upload limit\. You can upload again from \d{1,2}:\d\d/);
    await waitForDraft(page, 'post', (d) => d.caption === 'Too much today' && d.photos.length === 1 && !d.photos[0].mediaId);
  } finally {
    await context.close();
    await small.stop();
  }
});

test('story composer: one photo, posted as a story that shows in the tray', async () => {
  const { context, page, problems, pet, api } = await session({ pet: { name: 'Kiwi', species: 'parrot' } });
  // From the feed (its tray already loaded) through the Create tab.
  await page.goto(server.url);
  await page.locator('#stories li').first().waitFor({ state: 'attached' });
  assert.ok(!(await page.locator('#stories').textContent()).includes('Kiwi'));
  await page.locator('#tabs a[href="/compose"]').click();
  await page.locator('#screen h1').waitFor();
  await page.getByRole('link', { name: 'New story' }).click();
  await page.waitForFunction(() => document.activeElement?.matches('#screen h1') && location.pathname === '/compose/story');
  await page.setInputFiles('#compose-files', files('IMG_0001.jpg'));
  await page.locator(READY).waitFor();
  const progressSeen = await watchProgress(page);
  await page.getByRole('button', { name: 'Share story' }).click();
  await page.waitForFunction(() => location.pathname === '/');
  assert.equal((await progressSeen()).at(-1), 100);
  const tray = (await api('/api/v1/stories')).body.tray;
  const mine = tray.find((e) => e.pet.id === pet.id);
  assert.ok(mine, 'the story is in the tray');
  assert.equal(mine.stories.length, 1);
  assertNoMetadata(storedTags(server.dir, mine.stories[0].media.url), 'the story');
  // The feed's tray shows it without a reload.
  await page.waitForFunction(() => document.getElementById('stories').textContent.includes('Kiwi'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('reel upload: a video with progress, a poster from one of its frames, and no location', async () => {
  const { context, page, problems, pet, api } = await session({ pet: { name: 'Bolt', species: 'dog' } });
  await go(page, '/compose/reel');
  await page.fill('#compose-caption', 'Zoomies #run');
  // Not a video the server takes: said, nothing else changes.
  await page.setInputFiles('#compose-video', files('sunset.png'));
  await page.locator('#compose-pick-error').getByText('choose an MP4 or WebM video').waitFor();
  // A video the core cannot check for hidden data: refused next to the picker, the caption stays.
  await page.setInputFiles('#compose-video', files('cut.webm'));
  await page.locator('#compose-pick-error').getByText('could not be checked for hidden data').waitFor();
  assert.equal(await page.locator('.compose-video video').count(), 0);
  assert.equal(await page.inputValue('#compose-caption'), 'Zoomies #run');
  assert.ok(hasLocation(files('clip.webm')), 'the clip carries a location');
  await page.setInputFiles('#compose-video', files('clip.webm'));
  await page.locator('.compose-video video').waitFor();
  // What the composer keeps (and will send) is already scrubbed: the draft's bytes.
  const held = await page.waitForFunction(() => new Promise((resolve) => {
    const req = indexedDB.open('petamigos-drafts');
    req.onsuccess = () => {
      const all = req.result.transaction('drafts').objectStore('drafts').getAll();
      all.onsuccess = () => {
        const video = all.result.find((d) => d?.video?.bytes)?.video;
        resolve(video && Array.from(new Uint8Array(video.bytes)));
      };
    };
  }));
  const kept = Buffer.from(await held.jsonValue());
  assert.equal(kept.length, readFileSync(files('clip.webm')).length);
  assert.equal(kept.includes(LOCATION), false, 'the draft holds the scrubbed video');
  const progressSeen = await watchProgress(page);
  await page.getByRole('button', { name: 'Share reel' }).click();
  await page.waitForURL(/\/reels$/);
  assert.equal((await progressSeen()).at(-1), 100);
  const reel = (await api('/api/v1/reels?limit=1')).body.reels[0];
  assert.equal(reel.pet.id, pet.id);
  assert.equal(reel.caption, 'Zoomies #run');
  assert.equal(reel.video.type, 'video/webm');
  assert.equal(reel.poster.type, 'image/jpeg');
  const stored = path.join(server.dir, 'media', path.basename(reel.video.url));
  assert.equal(readFileSync(stored).length, readFileSync(files('clip.webm')).length, 'the video is stored whole');
  assert.equal(hasLocation(stored), false, 'the stored video has no location or title');
  assertDecodes(stored);
  assert.deepEqual(problems, []);
  await context.close();
});

test('reel too long: a free person\'s 61 s video is refused before any upload, from the keyboard, axe-clean; the server\'s 422 reads the same', async () => {
  const { context, page, problems } = await session({ axe: true, pet: { name: 'Rex', species: 'dog' } });
  const uploads = [];
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/media') uploads.push(r.url()); });
  await go(page, '/compose/reel');
  // The help under the picker states the limit (GET /billing: reel_seconds).
  await waitForText(page, '#compose-video-help', 'Reels can be up to 60 s long.');
  await page.fill('#compose-caption', 'A long walk');
  await tabUntil(page, () => document.activeElement.id === 'compose-video', 'the video picker');
  await chooseWithKey(page, 'Space', files('long.webm'));
  const error = page.locator('#compose-pick-error');
  await waitForText(page, '#compose-pick-error', 'long.webm was not added: it is longer than 60 s, the longest your reels can be.');
  await waitForText(page, '#compose-pick-error', 'With Plus, reels can be up to 180 s long.');
  assert.equal(await error.getByRole('link', { name: 'See Plus plans' }).getAttribute('href'), '/plans');
  assert.equal(await page.locator('.compose-video video').count(), 0, 'not taken');
  assert.equal(await page.inputValue('#compose-caption'), 'A long walk');
  // Sharing now asks for a video; nothing was or is uploaded.
  await page.getByRole('button', { name: 'Share reel' }).click();
  await error.getByText(/choose a video/i).waitFor();
  assert.deepEqual(uploads, []);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);
  // Picked again: refused again; the way to Plus is reachable from the keyboard.
  await page.setInputFiles('#compose-video', files('long.webm'));
  await error.getByRole('link', { name: 'See Plus plans' }).waitFor();
  await page.focus('#compose-video');
  await tabUntil(page, () => document.activeElement.matches('#compose-pick-error a[href="/plans"]'), 'the link to the plans');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/plans$/);
  assert.deepEqual(uploads, []);
  assert.deepEqual(problems, []);

  // Without the billing answer the composer cannot know the limit: the
  // server's 422 says it, worded the same, next to the picker.
  const blind = await session({ pet: { name: 'Rex', species: 'dog' } });
  await blind.page.route('**/api/v1/billing', (r) => r.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'test: billing is away' } }) }));
  await go(blind.page, '/compose/reel');
  await blind.page.setInputFiles('#compose-video', files('long.webm'));
  await blind.page.locator('.compose-video video').waitFor();
  await blind.page.getByRole('button', { name: 'Share reel' }).click();
  const said = blind.page.locator('#compose-pick-error');
  await waitForText(blind.page, '#compose-pick-error', 'long.webm was not added: it is longer than 60 s, the longest your reels can be.');
  await said.getByRole('link', { name: 'See Plus plans' }).waitFor();
  await blind.page.waitForFunction(() => document.activeElement?.id === 'compose-video');
  // The two refusals staged here, as the page and its console report them.
  const staged = /^HTTP (503 .*\/api\/v1\/billing|422 .*\/api\/v1\/media)$|^console: Failed to load resource: .* status of (503|422) /;
  assert.deepEqual(blind.problems.filter((p) => !staged.test(p)), []);
  assert.equal(blind.problems.filter((p) => /422/.test(p)).length, 2, 'the server refused the video once');
  assert.equal((await blind.api('/api/v1/reels?limit=1')).body.reels.some((r) => r.caption === 'A long walk'), false);
  await blind.context.close();
  await context.close();
});

// Chromium's own recording (MediaRecorder, what a web camera capture
// uploads): the core reads the length ffprobe reads, rounded up to the
// millisecond (this Chromium writes a 4-byte float Duration; older ones wrote
// none, and then the last block's start counts).
test('a MediaRecorder WebM: the core reads its length as ffprobe does', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent('<canvas width="32" height="32"></canvas>');
  const bytes = await page.evaluate(async () => {
    const canvas = document.querySelector('canvas');
    const g = canvas.getContext('2d');
    const rec = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
    const parts = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    let n = 0;
    const paint = () => { g.fillStyle = `hsl(${(n++ * 30) % 360} 80% 50%)`; g.fillRect(0, 0, 32, 32); };
    paint();
    const timer = setInterval(paint, 40);
    const stopped = new Promise((resolve) => { rec.onstop = resolve; });
    rec.start();
    // Recorded until 30 frames were painted: the length is whatever it is, read back below.
    await new Promise((resolve) => { const t = setInterval(() => { if (n > 30) { clearInterval(t); resolve(); } }, 10); });
    rec.stop();
    await stopped;
    clearInterval(timer);
    return Array.from(new Uint8Array(await new Blob(parts).arrayBuffer()));
  });
  await context.close();
  const file = path.join(dir, 'recorded.webm');
  writeFileSync(file, Buffer.from(bytes));
  const said = execFileSync(CLI, ['video-scrub', file, path.join(dir, 'recorded-out.webm')], { encoding: 'utf8' });
  const ms = Number(/, duration (\d+) ms\n$/.exec(said)?.[1]);
  assert.ok(ms > 0, said);
  const probe = (args) => execFileSync('ffprobe', ['-v', 'error', ...args, '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim();
  const stated = probe(['-show_entries', 'format=duration']);
  const lastStart = Math.max(...probe(['-show_entries', 'packet=pts_time']).split('\n').map((l) => Number(l.split(',')[0])));
  assert.ok(ms >= lastStart * 1000, `${ms} ms ends after the last frame starts (${lastStart} s)`);
  if (stated !== 'N/A') {
    // ffprobe prints microseconds; ours is the same length rounded up to the millisecond.
    assert.ok(ms >= Number(stated) * 1000 - 0.001 && ms < Number(stated) * 1000 + 1.001, `${ms} ms vs ffprobe's ${stated} s`);
  }
});

test('composer from the keyboard alone: pick, describe, reorder, mention a pet, post', async () => {
  const { context, page, problems } = await session({ pet: { name: 'Ziggy Stardust', species: 'cat' } });
  await go(page, '/compose');
  const tabTo = (predicate, what) => tabUntil(page, predicate, what);
  await tabTo(() => document.activeElement.id === 'compose-files', 'the photo picker');
  // Its label, drawn as a button, shows the focus.
  const outline = await page.locator('label[for="compose-files"]').evaluate((l) => getComputedStyle(l).outlineStyle);
  assert.equal(outline, 'solid');
  await chooseWithKey(page, 'Space', [files('sunset.png'), files('IMG_0001.jpg')]);
  await page.locator(READY).nth(1).waitFor();
  await tabTo(() => document.activeElement.id?.startsWith('compose-alt-'), 'the first alt text');
  await page.keyboard.type('An orange sky');
  await tabTo(() => document.activeElement.textContent === 'Move later', 'Move later');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('group', { name: 'Photo 2 of 2' }).getByLabel(/alt text/).inputValue(), 'An orange sky');
  await tabTo(() => document.activeElement.id === 'compose-caption', 'the caption');
  await page.keyboard.type('Look @Zig');
  await page.locator('#compose-mentions [role="option"]').first().waitFor();
  assert.equal(await page.locator('#compose-caption').getAttribute('aria-activedescendant'), 'compose-mentions-0');
  await page.keyboard.press('Enter');
  await page.keyboard.type('#stars');
  assert.equal(await page.inputValue('#compose-caption'), 'Look @Ziggy_Stardust #stars');
  await tabTo(() => document.activeElement.textContent === 'Share post', 'Share post');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/posts\/p_\d+$/);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe: composers and pet form have no serious or critical violations (${name}, ${colorScheme})`, async () => {
      const { context, page, problems, pet } = await session({ size, colorScheme, axe: true, phone: name === 'phone', pet: { name: 'Axel', species: 'dog' } });
      const audit = async (what) => {
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(bad.map((v) => `${what}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), []);
      };
      await go(page, '/compose');
      if (name === 'phone') assert.equal(await page.locator('#compose-camera').getAttribute('capture'), 'environment');
      await page.setInputFiles('#compose-files', [files('sunset.png'), files('IMG_0001.jpg'), files('photo.heic')]);
      await page.locator('.compose-refusal').waitFor();
      await page.locator(READY).nth(1).waitFor();
      await audit('/compose');
      await go(page, '/compose/story');
      await audit('/compose/story');
      await go(page, '/compose/reel');
      await audit('/compose/reel');
      await go(page, '/pets/new');
      await page.getByRole('button', { name: 'Create profile' }).click();
      await page.locator('#pet-name-error').waitFor();
      await audit('/pets/new');
      await go(page, `/pets/${pet.id}/edit`);
      await page.getByRole('button', { name: 'Delete pet' }).click();
      await audit('/pets/:id/edit');
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}
