// Helpers the browser tests share for driving the app's screens: text as the
// user reads it, keyboard activation, the canvas as pixels, and the media
// store's files as exiftool reads them.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { decodePng } from './png.mjs';
import { startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';
import { exposeTestHooks } from './hooks.mjs';

// A test file's real server (the small demo world) and Chromium: both start
// before its tests, `ready(server, browser)` keeps them (and may do more
// setup), and both stop after. The server's stop checks its exit status and
// stderr (tests/lib/exit.mjs): a crash, a non-zero exit or a sanitizer report
// fails the file's `after`, and so the run.
export function serverAndBrowser(ready) {
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await ready(server, browser);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

// The demo accounts of the seeded worlds (web/README.md).
export const DEMO = {
  ana: { email: 'ana@demo.petamigos.test', password: 'petamigos-ana-demo', name: 'Ana Souza' },
  kenji: { email: 'kenji@demo.petamigos.test', password: 'petamigos-kenji-demo', name: 'Kenji Watanabe' },
  priya: { email: 'priya@demo.petamigos.test', password: 'petamigos-priya-demo', name: 'Priya Nair' },
};

// Text without the bidi isolation marks (U+2066..2069) the core puts around
// a message's arguments.
export const plain = (s) => s.replace(/[\u2066-\u2069]/g, '');

// Waits until no screen is being built: #screen not aria-busy (shell/app.js's
// show: until mounted, localized, its heading focused, so a key pressed before
// would land on a focus the heading then takes). At once on a page that is
// not the shell (a provider's), which has no #screen.
export const screenIdle = (page) => page.waitForFunction(() => !document.getElementById('screen')?.hasAttribute('aria-busy'));
// Waits until the shell has built the page's screen: a route chosen, then idle.
export async function screenBuilt(page) {
  await page.waitForFunction(() => document.body.dataset.route !== undefined);
  await screenIdle(page);
}

// A pattern for text with an argument in it, isolated or not.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const withArg = (before, arg, after = '') => new RegExp(`${escape(before)}\u2068?${escape(arg)}\u2069?${escape(after)}`);

// Waits until an element matching selector contains text (isolates ignored).
export const waitForText = (page, selector, text) => page.waitForFunction(([sel, want]) =>
  [...document.querySelectorAll(sel)].some((e) => e.textContent.replace(/[\u2066-\u2069]/g, '').includes(want)), [selector, text]);

// Activates a control from the keyboard (the mirror's visually hidden
// buttons cannot be clicked).
export async function press(locator) {
  await locator.focus();
  await locator.page().keyboard.press('Enter');
}

// A composer photo the core has prepared.
export const READY = '.compose-photo:not(.compose-preparing)';

// A camera-like JPEG made by ImageMagick and tagged by exiftool: GPS
// position, camera make and model, a comment.
export function makeGpsJpeg(file, { size = '2400x1600' } = {}) {
  execFileSync('convert', ['-size', size, '-seed', '3', 'plasma:fractal', '-quality', '90', file]);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=40.4168', '-GPSLatitudeRef=N', '-GPSLongitude=3.7038',
    '-GPSLongitudeRef=W', '-Make=PetCam', '-Model=Test 1', '-Comment=secret place', file]);
  return file;
}

// A file's tags as exiftool reads them (-G: with group names).
export const exifTags = (file) => JSON.parse(execFileSync('exiftool', ['-j', '-G', file], { encoding: 'utf8' }))[0];

// The server's stored file behind a /media/ URL (dataDir: the server's --data).
export const storedTags = (dataDir, url) => exifTags(path.join(dataDir, 'media', path.basename(url)));

export function assertNoMetadata(tags, what) {
  const leaked = Object.keys(tags).filter((k) => /^(EXIF|GPS|XMP|IPTC|ICC_Profile|MakerNotes):|GPS|Comment/.test(k));
  assert.deepEqual(leaked, [], `${what} carries metadata`);
}

// The canvas as pixels (a screenshot of the element, at the device's scale).
export async function canvasPixels(page) {
  return decodePng(await page.locator('#canvas').screenshot());
}

// Distinct saturated colours (4 bits a channel): loading placeholders are a
// few flat tints; drawn illustrations give dozens.
export function saturatedColours({ pixels }) {
  const seen = new Set();
  for (let i = 0; i < pixels.length; i += 4) {
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
    const max = Math.max(r, g, b), min = Math.min(r, g, b);
    if (max > 60 && (max - min) / max > 0.25) seen.add((r >> 4) << 8 | (g >> 4) << 4 | b >> 4);
  }
  return seen.size;
}

// Every image the core asked for has been answered: the canvas stops changing.
export async function imagesSettled(page) {
  await exposeTestHooks(page);
  await page.waitForFunction(() => {
    const s = window.paMedia.stats;
    return s.requested > 0 && s.workerDecoded + s.browserDecoded + s.mainDecoded + s.failed + s.dropped
      + s.cancelledBeforeDecode >= s.requested;
  });
  await page.waitForTimeout(150);
}

// Presses Tab until predicate (run in the page) holds; at most 40 times.
// Opens the focused file input with a key and answers its chooser with
// `files`. Playwright starts intercepting choosers when the first listener
// is added, by a message of its own that a key press sent straight after may
// overtake (Chromium then opens its own chooser, and no event ever comes);
// a round trip to the page after listening lets the interception land first.
export async function chooseWithKey(page, key, files) {
  const chooser = page.waitForEvent('filechooser');
  await page.evaluate(() => 0);
  await page.keyboard.press(key);
  await (await chooser).setFiles(files);
}

export async function tabTo(page, predicate, what) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}
