// The feed's bridge: loads the WASM core, gives it the platform services it
// asks for (text, images, actions, video), forwards input, and reflects the
// core's mirror into DOM. Policy lives in the core; this file only moves bytes
// and events. app.js starts it and shows it on the feed's routes.
import createPetAmigosCore from './petamigos-core.mjs';
import { bindApp, pa_key, pa_action_kind as ACTION, pa_control, pa_pointer_phase, pa_feed_mode, pa_theme } from './seam/app.js';
import { rasterText } from './text.js';
import { browserDecode, unpackSize } from './browser-decode.js';
import { navigate } from './router.js';
import { request, post, getBytes, dropEarly, ApiError, failureMessage } from './api.js';
import { feedPage, viewed, watched, signal, showWhy, startRanking } from './ranking.js';
import { t, catalogHandles } from './i18n.js';
import { plusBadge } from './plus.js';
import { startGrid, gridOpen, loadGridPage, renderGridMirror, keepChildren } from './grid.js';

// Keys, controls and pointer phases as the core names them (seam/app.js, from core/include/pa/pa_app.h).
const KEY = pa_key;
const KEYS = { ArrowDown: KEY.DOWN, j: KEY.DOWN, ArrowUp: KEY.UP, k: KEY.UP, PageDown: KEY.PAGE_DOWN, ' ': KEY.PAGE_DOWN,
  PageUp: KEY.PAGE_UP, Home: KEY.HOME, End: KEY.END, l: KEY.LIKE, r: KEY.REFRESH, ArrowLeft: KEY.LEFT,
  ArrowRight: KEY.RIGHT, m: KEY.MUTE, Escape: KEY.ESCAPE };
// The mirror's data-control names: pa_control's, in lower case with dashes.
const CONTROL = Object.fromEntries(Object.entries(pa_control).map(([k, v]) => [k.toLowerCase().replace(/_/g, '-'), v]));
const sponsoredIds = new Set(); // posts the mirror says are ads
const adLinks = new Map(); // token -> the ad's link, from the mirror (an ad's "link") or a sponsored reel
const reelAds = new Map(); // reel id -> its served ad ({token, link, why}), from GET /reels
const POINTER = { pointerdown: pa_pointer_phase.DOWN, pointermove: pa_pointer_phase.MOVE, pointerup: pa_pointer_phase.UP,
  pointercancel: pa_pointer_phase.CANCEL };

const $ = (id) => document.getElementById(id);
const canvas = $('canvas');
const mirror = $('mirror');
let core = null;
let pa = null; // the core's app exports (seam/app.js)
let app = 0;
let dirty = false;
// The core has no words before the first catalog ('pa:locale'): a frame then
// would only cost a full-canvas upload on the way to the first paint.
let hasWords = false;
// The feed's first page is on its way (usually already asked for at start):
// a frame now would only say "Loading", and on a software-composited canvas
// cost a full readback on the way to the first paint (issue 26: ~100 ms
// here). "Loading" is drawn only if the page takes longer than this, as a
// spinner waits before showing; loadFeed draws the moment the page is in.
const LOADING_GRACE_MS = 300;
let firstPageWait = 0; // the grace timer while the first page is awaited
let mirrorRevision = 0;

// The first feed paint's milestones as User Timing marks (pa:…), read by
// scripts/bench-paint's trace; each is set once, costs nothing after.
const marked = new Set();
function mark(name) {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(`pa:${name}`);
}
let firstPageIn = false; // the first page was handed to the core; its first frame is marked

function redraw() {
  if (!dirty) {
    dirty = true;
    requestAnimationFrame(frame);
  }
}

// The time each core frame takes, kept (a bounded ring) only once asked:
// scripts/bench-frames asks through the test hooks (tests/lib/hooks.mjs).
// Nothing is published on window by the app itself.
let frameTimes = null;

// Starts timing frames; returns a function reading the times so far (ms).
export function timeFrames() {
  frameTimes ??= { ring: new Float64Array(4096), n: 0, text: { ms: 0, n: 0, px: 0 }, slow: [], uploads: [], ahead: { n: 0, ms: 0, max: 0 } };
  return () => Array.from(frameTimes.ring.subarray(0, Math.min(frameTimes.n, 4096)));
}

// What the slow frames (over SLOW_FRAME_MS) spent on text the platform
// rasterised, and each image upload's time and size, for scripts/bench-frames.
const SLOW_FRAME_MS = 4;
const PROFILE_MAX = 256; // entries kept of each
export function frameProfile() {
  return frameTimes && { slow: frameTimes.slow, uploads: frameTimes.uploads, ahead: { ...frameTimes.ahead } };
}

function textRaster(text, style) {
  if (!frameTimes) return rasterText(text, style);
  const t0 = performance.now();
  const bm = rasterText(text, style);
  frameTimes.text.ms += performance.now() - t0;
  frameTimes.text.n++;
  frameTimes.text.px += bm.width * bm.height;
  return bm;
}

// A frame the core wants although nothing moves (an ad's impression falls due).
let wakeTimer = 0;
function wakeAt(ms) {
  clearTimeout(wakeTimer);
  wakeTimer = ms > 0 ? setTimeout(redraw, Math.max(0, ms - Date.now())) : 0;
}

function frame() {
  dirty = false;
  // Under another screen the canvas is 1x1: a frame would lay out at that size
  // and ask for images at a degenerate box (kept for their URL, so a post
  // just made showed as a blur on its pet's grid). showFeed() redraws.
  if ($('feed-view').hidden || !hasWords || firstPageWait) return;
  const t0 = frameTimes ? performance.now() : 0;
  if (frameTimes) frameTimes.text = { ms: 0, n: 0, px: 0 };
  // The core says when it is animating (a fling, a notice) and wants more frames.
  const more = pa.appFrame(app, Date.now());
  if (frameTimes) {
    const ms = performance.now() - t0;
    frameTimes.ring[frameTimes.n++ % 4096] = ms;
    if (ms > SLOW_FRAME_MS && frameTimes.slow.length < PROFILE_MAX)
      frameTimes.slow.push({ frame: frameTimes.n, ms, textMs: frameTimes.text.ms, texts: frameTimes.text.n, textPx: frameTimes.text.px });
  }
  if (firstPageIn) mark('feed-frame');
  if (more) redraw();
  wakeAt(pa.appWakeMs(app));
  const revision = pa.appMirrorRevision(app);
  if (revision !== mirrorRevision) {
    mirrorRevision = revision;
    renderMirror(JSON.parse(pa.appMirror(app)));
    if (firstPageIn) mark('feed-mirror');
  }
  prepareSoon();
}

// Rasterising ahead (issue 26): the core rasterises the texts of the posts
// next to the screen in the browser's idle time, one per call while the idle
// period lasts, so the frame a post scrolls in has nothing to rasterise. On
// a page never idle the wait times out and one text is done anyway. Without
// requestIdleCallback (Safari) a short slice after a task stands in.
const IDLE_MARGIN_MS = 4; // of an idle period left unused: about one long caption
const IDLE_WAIT_MS = 100;
const IDLE_SLICE_MS = 8;
const whenIdle = window.requestIdleCallback
  ? (run) => requestIdleCallback(run, { timeout: IDLE_WAIT_MS })
  : (run) => setTimeout(() => {
    const end = performance.now() + IDLE_SLICE_MS;
    run({ didTimeout: false, timeRemaining: () => end - performance.now() });
  });
let preparing = false;
function prepareSoon() {
  if (!preparing) {
    preparing = true;
    whenIdle(prepareAhead);
  }
}
function prepareAhead(deadline) {
  preparing = false;
  if ($('feed-view').hidden) return;
  const more = () => !deadline.didTimeout && deadline.timeRemaining() > IDLE_MARGIN_MS;
  if (!deadline.didTimeout && !more()) return prepareSoon();
  do {
    const t0 = frameTimes ? performance.now() : 0;
    const done = pa.appPrepare(app, 1);
    if (done && frameTimes) {
      const ms = performance.now() - t0;
      frameTimes.ahead.n++;
      frameTimes.ahead.ms += ms;
      frameTimes.ahead.max = Math.max(frameTimes.ahead.max, ms);
    }
    if (!done) return; // nothing left until the next frame moves the screen
  } while (more());
  prepareSoon();
}

// ---- images: fetched, decoded and downsized to their box in shell/decode-worker.js
// (its own small WASM module, petamigos-media); the pixels come back to the core
// through appImageDecoded (seam/app.js). Without workers (or if the worker cannot
// start) the browser decodes on this thread (the app's module has no decoder).
// See core/src/media/media.md.
const media = {
  worker: null,
  next: 1, // request numbers: an image asked for again after a cancel is a new request
  started: false, // the worker was started (or could not be)
  current: new Map(), // "handle:id" -> request number in flight
  requests: new Map(), // request number -> {handle, id, url}
  // Counters, exported as mediaStats for the tests (tests/lib/hooks.mjs).
  stats: { requested: 0, workerDecoded: 0, browserDecoded: 0, mainDecoded: 0, failed: 0, dropped: 0,
    cancelRequests: 0, cancelledBeforeDecode: 0, workerDecodeMs: 0, mainThreadMs: 0, maxWidth: 0 },
};
export const mediaStats = media.stats;

// Started by the first image request, after the first frame: its module
// and WASM would otherwise compete with the core's for the first paint.
function startDecodeWorker() {
  media.started = true;
  if (typeof Worker === 'undefined') return;
  try {
    media.worker = new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' });
  } catch {
    return;
  }
  media.worker.onmessage = ({ data }) => onWorkerMessage(data);
  media.worker.onerror = (e) => {
    e.preventDefault();
    abandonWorker(`the decode worker failed: ${e.message || 'cannot start'}`);
  };
}

// Back to decoding on this thread, including what the worker still had.
function abandonWorker(why) {
  if (!media.worker) return;
  console.info('[media]', why, '- decoding on the main thread');
  media.worker.terminate();
  media.worker = null;
  const pending = [...media.requests.values()];
  media.requests.clear();
  media.current.clear();
  for (const r of pending) decodeOnMainThread(r.handle, r.id, r.url, r.w, r.h);
}

function onWorkerMessage(m) {
  if (m.type === 'broken') return abandonWorker(m.message);
  if (m.type === 'ready') return;
  const r = media.requests.get(m.key);
  if (m.type === 'cancelled') {
    if (m.stage !== 'decoding' && m.stage !== 'done') media.stats.cancelledBeforeDecode++;
    if (m.stage !== 'decoding') media.requests.delete(m.key);
    return;
  }
  media.requests.delete(m.key);
  if (!r) return;
  const key = `${r.handle}:${r.id}`;
  const isCurrent = media.current.get(key) === m.key;
  if (isCurrent) media.current.delete(key);
  if (m.type === 'decoded') {
    // Accepted even after a cancel: the work is done and the core may use it.
    const t0 = performance.now();
    pa.appImageDecoded(r.handle, r.id, m.width, m.height, new Uint8Array(m.pixels));
    const ms = performance.now() - t0;
    media.stats.mainThreadMs += ms;
    if (frameTimes && frameTimes.uploads.length < PROFILE_MAX)
      frameTimes.uploads.push({ frame: frameTimes.n, ms, width: m.width, height: m.height });
    media.stats.workerDecodeMs += m.ms;
    media.stats.maxWidth = Math.max(media.stats.maxWidth, m.width);
    media.stats[m.via === 'browser' ? 'browserDecoded' : 'workerDecoded']++;
    redraw();
  } else if (m.type === 'failed' && isCurrent) {
    media.stats[m.reason === 'dropped' ? 'dropped' : 'failed']++;
    if (m.reason !== 'dropped') console.info('[media]', r.url, m.message);
    pa.appImageFailed(r.handle, r.id);
    redraw();
  }
}

// The browser's decoder, downsized to the box as the worker would.
async function decodeOnMainThread(handle, id, url, w, h) {
  try {
    const r = await getBytes(url, { headers: { Accept: 'image/*' } });
    if (!r.ok) throw new Error(`HTTP ${r.error.status || r.error.kind}`);
    const blob = new Blob([r.data]);
    const t0 = performance.now();
    const px = await browserDecode(blob, (iw, ih) => unpackSize(pa.imageCoverSize(iw, ih, w, h)));
    pa.appImageDecoded(handle, id, px.width, px.height, new Uint8Array(px.pixels));
    media.stats.mainThreadMs += performance.now() - t0;
    media.stats.maxWidth = Math.max(media.stats.maxWidth, px.width);
    media.stats.mainDecoded++;
  } catch (err) {
    console.info('[media]', url, String(err?.message ?? err));
    pa.appImageFailed(handle, id);
  }
  redraw();
}

// The platform seam's image_request: w x h is the box (device pixels) the
// image is drawn into; the worker downsizes to cover it before transfer.
function requestImage(handle, id, url, w, h) {
  media.stats.requested++;
  if (!media.started) startDecodeWorker();
  if (!media.worker) return decodeOnMainThread(handle, id, url, w, h);
  const n = String(media.next++);
  media.requests.set(n, { handle, id, url, w, h });
  media.current.set(`${handle}:${id}`, n);
  media.worker.postMessage({ type: 'decode', key: n, url, w, h });
}

// The seam's image_cancel: the image scrolled away; queued work is dropped.
function cancelImage(handle, id) {
  media.stats.cancelRequests++;
  const key = `${handle}:${id}`;
  const n = media.current.get(key);
  if (!n || !media.worker) return;
  media.current.delete(key);
  media.worker.postMessage({ type: 'cancel', key: n });
}

async function like(id, on) {
  let ok = 0, liked = 0, count = 0;
  // Failed (offline, signed out): the core rolls the like back and says so.
  const r = await request(on ? 'PUT' : 'DELETE', `/api/v1/posts/${encodeURIComponent(id)}/like`);
  if (r.ok) [ok, liked, count] = [1, r.data.liked ? 1 : 0, r.data.like_count];
  pa.appLikeResult(app, id, ok, liked, count);
  redraw();
}

async function share(id) {
  const url = new URL(`/posts/${encodeURIComponent(id)}`, location.href).href;
  try {
    if (navigator.share) await navigator.share({ title: t('app.name'), url });
    else await navigator.clipboard.writeText(url);
  } catch {
    // the user closed the share sheet
  }
}

// GETs a JSON document for the core; returns its bytes as sent, or null when
// it failed (api.js has told the session and the network banner).
async function coreBytes(url) {
  const r = await getBytes(url);
  return r.ok ? r.data : null;
}

async function loadStories() {
  const bytes = await coreBytes('/api/v1/stories');
  if (bytes) rejected('stories', () => pa.appStories(app, bytes));
  redraw();
}

async function loadReels(cursor) {
  const bytes = await coreBytes(`/api/v1/reels${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
  if (bytes) {
    rememberReelAds(bytes);
    rejected('reels', () => pa.appReels(app, bytes, cursor ? pa_feed_mode.APPEND : pa_feed_mode.REPLACE));
  }
  redraw();
}

// A page's sponsored reels (issue 21): their "why" for the dialog and their
// link for a click; the core reads the same page for the rest.
function rememberReelAds(bytes) {
  try {
    for (const r of JSON.parse(new TextDecoder().decode(bytes)).reels ?? []) {
      const ad = r?.sponsored;
      if (typeof ad?.token !== 'string') continue;
      reelAds.set(r.id, ad);
      if (ad.link) adLinks.set(ad.token, ad.link);
    }
  } catch {
    // not JSON: the core refuses it with its own message
  }
}

// One post per event, never retried: the server counts once per token and kind.
function adEvent(token, kind) {
  if (token) post('/api/v1/ads/events', { token, kind }).catch(() => {});
}

// Opened as its link would be, within the person's own tap or click.
function openAdLink(href) {
  if (!href || !href.startsWith('https://')) return;
  const a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'sponsored noopener noreferrer';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

// Seen state is a courtesy: whatever the answer, the viewer goes on.
function storySeen(id) {
  request('PUT', `/api/v1/stories/${encodeURIComponent(id)}/seen`);
}

function onAction(handle, kind, id, value) {
  if (kind === ACTION.LIKE || kind === ACTION.UNLIKE) {
    like(id, kind === ACTION.LIKE);
    signal(kind === ACTION.LIKE ? 'like' : 'skip', id); // an unlike takes some of the like back
  // Ranking's actions: a post left the screen (value: ms on screen), "Why am I
  // seeing this?", "Not interested", a story or reel left (id: its author,
  // value: the fraction watched).
  } else if (kind === ACTION.VIEWED) viewed(id, value);
  else if (kind === ACTION.WATCHED) watched(id, value);
  else if (kind === ACTION.WHY) reelAds.has(id) ? showWhy(id, true, reelAds.get(id).why) : showWhy(id, sponsoredIds.has(id));
  else if (kind === ACTION.NOT_INTERESTED) {
    signal('hide', id);
    pa.appRemovePost(app, id);
    redraw();
  }
  else if (kind === ACTION.SHARE) share(id);
  // Ads (issue 21): id is the server's token.
  else if (kind === ACTION.AD_IMPRESSION) adEvent(id, 'impression');
  else if (kind === ACTION.AD_CLICK) {
    openAdLink(adLinks.get(id));
    adEvent(id, 'click');
  }
  else if (kind === ACTION.LOAD_MORE) gridOpen() ? loadGridPage(id) : loadFeed(id);
  else if (kind === ACTION.OPEN_POST) navigate(`/posts/${encodeURIComponent(id)}`);
  else if (kind === ACTION.OPEN_LISTING) navigate(`/listings/${encodeURIComponent(id)}`);
  else if (kind === ACTION.REFRESH) { loadFeed(); loadStories(); }
  else if (kind === ACTION.STORY_SEEN) storySeen(id);
  else if (kind === ACTION.LOAD_REELS) loadReels(id);
  else if (kind === ACTION.OPEN_PET) navigate(`/pets/${encodeURIComponent(id)}`);
  else if (kind === ACTION.OPEN_PERSON) navigate(`/people/${encodeURIComponent(id)}`);
  else if (kind === ACTION.OPEN_COMMENTS) navigate(`/posts/${encodeURIComponent(id)}`);
  else if (kind === ACTION.OPEN_LIVE) navigate(`/live/${encodeURIComponent(id)}`);
  else console.info('[core] action', kind, id);
}

// The reel's <video> sits under the canvas, which the core leaves clear over
// the stage once frames show; a second element preloads the next reel.
const video = $('reel-video');
const preload = $('reel-preload');
function onVideo(handle, url, next, rect, muted, loop) {
  if (!url) {
    video.hidden = true;
    video.pause();
    video.removeAttribute('src');
    video.load();
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  Object.assign(video.style, { left: `${rect.x / dpr}px`, top: `${rect.y / dpr}px`, width: `${rect.w / dpr}px`, height: `${rect.h / dpr}px` });
  video.hidden = false;
  video.muted = muted;
  video.loop = loop;
  if (video.getAttribute('src') !== url) {
    pa.appVideoPlaying(app, 0);
    video.src = url;
    video.play().catch(() => {}); // autoplay may wait for a gesture; the poster stays
  }
  if (next && preload.getAttribute('src') !== next) preload.src = next;
}

// Loads the first page (cursor null) or the page after cursor, of For you or
// Following (ranking.js); reset: another feed, shown from the top.
// A first page (start, refresh, mode switch) starts a new generation: an
// answer to an older request (a next page of the other mode) is dropped.
let feedGeneration = 0;
async function loadFeed(cursor = null, reset = false) {
  if (cursor === null) {
    feedGeneration++;
    showStatus('loading');
  }
  const generation = feedGeneration;
  if (cursor === null && !firstPageIn && !firstPageWait)
    firstPageWait = setTimeout(() => { firstPageWait = 0; redraw(); }, LOADING_GRACE_MS);
  let bytes;
  try {
    bytes = await feedPage(cursor);
    if (generation !== feedGeneration) return;
  } catch (err) {
    if (generation !== feedGeneration) return;
    endFirstPageWait();
    // A failed request in the person's words; ranking.js words its own errors.
    const message = err instanceof ApiError ? t(...failureMessage(err)) : err.message;
    pa.appFeedFailed(app, message);
    redraw();
    return;
  }
  const mode = cursor === null ? (reset ? pa_feed_mode.RESET : pa_feed_mode.REPLACE) : pa_feed_mode.APPEND;
  endFirstPageWait();
  mark('feed-bytes');
  if (cursor === null) dropEarly(); // what start asked for and nobody took is stale from now on
  rejected('feed', () => pa.appFeed(app, bytes, mode));
  mark('feed-laid-out'); // parsed, and the posts near the screen measured
  firstPageIn = true;
  // A first page is drawn at once, not at the next animation frame: the text,
  // layout and placeholders show while the photos are still on their way.
  if (cursor === null) frame();
  else redraw();
}

function endFirstPageWait() {
  clearTimeout(firstPageWait);
  firstPageWait = 0;
}

// A page the core refused keeps what it showed; the console says why.
function rejected(what, load) {
  try {
    load();
  } catch (err) {
    console.warn(`${what} rejected:`, err.message);
  }
}

function showStatus(state, message = '', notice = '') {
  $('notice').textContent = notice;
  const box = $('status');
  box.hidden = state !== 'error';
  $('status-text').textContent = message;
  $('retry').hidden = state !== 'error';
  mirror.setAttribute('aria-busy', String(state === 'loading'));
  document.body.dataset.state = state;
}

// The mirror: one <article> per post near the screen, built with textContent
// only (user text never becomes markup). Articles are kept by post id so the
// one with focus stays in the document while the window slides.
function renderMirror(m) {
  showStatus(m.state, m.message, m.notice);
  renderTray(m.stories ?? []);
  renderViewer(m.viewer ?? null);
  renderGridMirror(m.grid);
  keepChildren(mirror, m.posts, (p, article) => {
    article ??= createArticle(p);
    fillArticle(article, p, m.total);
    return article;
  });
}

function renderTray(labels) {
  const list = $('stories');
  list.hidden = labels.length === 0;
  const items = labels.map((label, i) => {
    const li = list.children[i] ?? document.createElement('li');
    const b = li.firstChild ?? li.appendChild(document.createElement('button'));
    b.type = 'button';
    b.dataset.story = String(i);
    b.textContent = label;
    return li;
  });
  while (list.children.length > items.length) list.lastChild.remove();
  list.append(...items.filter((li) => !li.parentNode));
}

// The open story or reel as a modal dialog: its label, its buttons, focus
// kept inside while it is open and given back when it closes.
let focusBeforeViewer = null;
let viewerAd = null; // the open reel's served ad, or null
function renderViewer(v) {
  const dialog = $('viewer');
  const wasOpen = !dialog.hidden;
  dialog.hidden = !v;
  viewerAd = v?.kind === 'reel' && v.ad_token ? reelAds.get(v.id) ?? null : null;
  if (!v) {
    if (wasOpen) (focusBeforeViewer?.isConnected ? focusBeforeViewer : canvas).focus?.();
    return;
  }
  if (!wasOpen) focusBeforeViewer = document.activeElement;
  dialog.dataset.kind = v.kind;
  dialog.dataset.reel = v.kind === 'reel' ? v.id ?? '' : '';
  dialog.setAttribute('aria-label', t(v.kind === 'story' ? 'story.label' : 'nav.reels'));
  $('viewer-label').textContent = v.label;
  if (v.replay) $('viewer-label').append(' ', v.replay);
  $('viewer-caption').textContent = v.caption ?? '';
  $('viewer-pause').hidden = v.kind !== 'story';
  $('viewer-pause').textContent = t(v.paused ? 'viewer.play' : 'viewer.pause');
  $('viewer-sound').hidden = v.kind !== 'reel';
  $('viewer-sound').textContent = t(v.muted ? 'viewer.soundOn' : 'viewer.soundOff');
  // A sponsored reel: labelled, why, and its link (the canvas draws the same).
  $('viewer-sponsored').hidden = $('viewer-why').hidden = !viewerAd;
  $('viewer-link').hidden = !viewerAd?.link;
  if (viewerAd?.link) $('viewer-link').textContent = t('sponsored.linkLabel', { host: new URL(viewerAd.link).host });
  if (!wasOpen) $('viewer-next').focus();
}

function createArticle(p) {
  const article = document.createElement('article');
  article.tabIndex = 0;
  article.id = `post-${p.id}`;
  article.dataset.id = p.id;
  article.setAttribute('aria-labelledby', `${article.id}-title`);
  const title = document.createElement('h2');
  title.id = `${article.id}-title`;
  const controls = document.createElement('div');
  controls.className = 'controls';
  const link = document.createElement('p');
  link.className = 'ad-link';
  article.append(title, document.createElement('p'), document.createElement('p'), document.createElement('p'), link, controls);
  return article;
}

function fillArticle(article, p, total) {
  article.dataset.index = String(p.index);
  article.setAttribute('aria-posinset', String(p.index + 1));
  article.setAttribute('aria-setsize', String(total));
  const [title, caption, photos, counts, link, controls] = article.children;
  title.textContent = p.sponsored ? `${t('rank.sponsored')}: ${p.title}` : p.title;
  if (p.plus) title.append(' ', plusBadge(t));
  article.toggleAttribute('data-plus', !!p.plus);
  if (p.sponsored) sponsoredIds.add(p.id);
  article.toggleAttribute('data-sponsored', !!p.sponsored);
  caption.textContent = p.caption;
  fillAdLink(link, p.link);
  photos.textContent = p.photo; // "Photo 1 of 3: …" and the counts come worded from the core
  counts.textContent = p.counts;
  const buttons = p.controls.map((c, i) => {
    const b = controls.children[i] ?? document.createElement('button');
    b.type = 'button';
    b.textContent = c.label;
    b.dataset.control = c.control;
    if ('pressed' in c) b.setAttribute('aria-pressed', String(c.pressed));
    else b.removeAttribute('aria-pressed');
    return b;
  });
  if (buttons.some((b, i) => controls.children[i] !== b) || controls.children.length !== buttons.length)
    controls.replaceChildren(...buttons);
}

// An ad's link as a real link; its click goes through the core (PA_CONTROL_AD_LINK).
function fillAdLink(box, link) {
  box.hidden = !link;
  if (!link) return box.replaceChildren();
  adLinks.set(link.token, link.href);
  const a = box.firstChild ?? box.appendChild(document.createElement('a'));
  if (a.getAttribute('href') !== link.href) a.href = link.href;
  a.target = '_blank';
  a.rel = 'sponsored noopener noreferrer';
  a.dataset.control = 'ad-link';
  a.textContent = link.label;
}

function resize() {
  const dpr = window.devicePixelRatio || 1;
  const rect = $('stage').getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  pa.appResize(app, w, h, dpr);
  // SDL sizes the canvas element; keep its CSS box filling the stage.
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  redraw();
}

function bindInput() {
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? canvas.clientHeight : 1;
    pa.appScroll(app, e.deltaY * unit * (window.devicePixelRatio || 1));
    redraw();
  }, { passive: false });
  // Touch and mouse go to the core as they are: it owns drags, flings, taps
  // and pull-to-refresh.
  for (const type of Object.keys(POINTER)) {
    canvas.addEventListener(type, (e) => {
      if (type === 'pointerdown') canvas.setPointerCapture(e.pointerId);
      if (type === 'pointermove' && e.buttons === 0 && e.pointerType === 'mouse') return;
      const dpr = window.devicePixelRatio || 1;
      const rect = canvas.getBoundingClientRect();
      pa.appPointer(app, POINTER[type], (e.clientX - rect.left) * dpr, (e.clientY - rect.top) * dpr, e.timeStamp);
      redraw();
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.target.closest?.('#why-dialog')) return; // "why" over a reel keeps its own keys
    const key = KEYS[e.key];
    const viewing = !$('viewer').hidden;
    if (viewing && e.key === 'Tab') {
      // aria-modal: Tab cycles through the viewer's own buttons.
      const buttons = [...$('viewer').querySelectorAll('button:not([hidden])')];
      const i = buttons.indexOf(document.activeElement);
      e.preventDefault();
      buttons[(i + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length].focus();
      return;
    }
    if (!key || e.altKey || e.ctrlKey || e.metaKey) return;
    // In a viewer the arrows, Space, M and Escape drive it, even from its buttons.
    if (viewing) {
      const k = e.key === ' ' ? KEY.PAUSE : key;
      if ((e.key === ' ' || e.key === 'Enter') && e.target.closest('button')) return;
      e.preventDefault();
      pa.appKey(app, k);
      redraw();
      return;
    }
    if (e.target.closest('button, input, textarea')) return;
    // Other screens keep their keys; with a grid, only the canvas side takes them.
    if ($('feed-view').hidden || (gridOpen() && e.target !== document.body && !e.target.closest('#feed-view'))) return;
    if (key === KEY.LIKE && !document.activeElement?.closest?.('#mirror article')) return;
    e.preventDefault();
    // Arrow keys and j/k walk posts when one has focus; the rest scroll.
    const current = document.activeElement?.closest?.('#mirror article');
    const step = key === KEY.DOWN ? 1 : key === KEY.UP ? -1 : 0;
    if (current && step) {
      const next = mirror.children[Number(current.dataset.index) + step];
      if (next) next.focus();
      return;
    }
    pa.appKey(app, key);
    redraw();
  });
  mirror.addEventListener('focusin', (e) => {
    // A focused button gets its own ring on the canvas (issue 4).
    const article = e.target.closest('article');
    const control = CONTROL[e.target.closest('[data-control]')?.dataset.control] ?? 0;
    if (article) pa.appFocusControl(app, Number(article.dataset.index), control);
    redraw();
  });
  mirror.addEventListener('focusout', (e) => {
    if (!mirror.contains(e.relatedTarget)) pa.appFocus(app, -1);
    redraw();
  });
  mirror.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-control], a[data-control]');
    if (!button) return;
    if (button.localName === 'a') e.preventDefault(); // the core's action opens it, once
    const article = button.closest('article');
    pa.appActivate(app, Number(article.dataset.index), CONTROL[button.dataset.control]);
    redraw();
  });
  const dark = matchMedia('(prefers-color-scheme: dark)');
  // The theme chosen in settings (<html data-theme>, shell/account.js), else the system's.
  const isDark = () => (document.documentElement.dataset.theme ?? (dark.matches ? 'dark' : 'light')) === 'dark';
  const applyTheme = () => { pa.appSetTheme(app, isDark() ? pa_theme.DARK : pa_theme.LIGHT); redraw(); };
  dark.addEventListener('change', applyTheme);
  addEventListener('pa:theme', applyTheme);
  applyTheme();
  $('retry').addEventListener('click', () => { loadFeed(); loadStories(); });
  $('stories').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-story]');
    if (b) { pa.appOpenStory(app, Number(b.dataset.story)); redraw(); }
  });
  const viewerKeys = { 'viewer-prev': KEY.LEFT, 'viewer-next': KEY.RIGHT, 'viewer-pause': KEY.PAUSE, 'viewer-sound': KEY.MUTE, 'viewer-close': KEY.ESCAPE };
  $('viewer').addEventListener('click', (e) => {
    const id = e.target.closest('button')?.id;
    if (id === 'viewer-why' && viewerAd) showWhy($('viewer').dataset.reel, true, viewerAd.why);
    if (id === 'viewer-link' && viewerAd?.link) {
      openAdLink(viewerAd.link);
      adEvent(viewerAd.token, 'click');
    }
    const key = viewerKeys[id];
    if (key) { pa.appKey(app, key); redraw(); }
  });
  video.addEventListener('playing', () => { pa.appVideoPlaying(app, 1); redraw(); });
  video.addEventListener('timeupdate', () => pa.appVideoProgress(app, video.currentTime, video.duration || 0));
  video.addEventListener('error', () => { pa.appVideoPlaying(app, 0); redraw(); });
  new ResizeObserver(resize).observe($('stage'));
}

// Loads the core and starts the feed on the canvas; resolves to the core
// module (its i18n exports serve the whole shell).
export async function startFeed() {
  mark('core-start');
  core = await createPetAmigosCore({
    canvas,
    paHost: {
      textRaster,
      requestImage,
      cancelImage,
      action: onAction,
      video: onVideo,
      log: (msg) => console.info('[core]', msg),
    },
  });
  const dpr = window.devicePixelRatio || 1;
  const rect = $('stage').getBoundingClientRect();
  pa = bindApp(core);
  try {
    app = pa.appCreate(Math.max(1, Math.round(rect.width * dpr)), Math.max(1, Math.round(rect.height * dpr)), dpr);
  } catch (err) {
    throw new Error(`the core could not start (${err.statusName})`);
  }
  mark('core-ready'); // compiled, instantiated, the app created
  bindInput();
  startGrid({ pa, app, redraw, show: (visible) => showFeed(visible) });
  resize();
  // The core's words come from the shell's catalogs; a switch rewords and
  // mirrors the canvas at once (the core keeps the scroll position).
  addEventListener('pa:locale', () => {
    const { cat, en } = catalogHandles();
    pa.appSetLocale(app, cat, en);
    hasWords = true;
    redraw();
  });
  // The ranker restores the taste from IndexedDB while app.js loads the
  // language: feedReady() resolves when both may be used.
  ranking = startRanking({ core, reload: () => { if (feedLoaded) loadFeed(null, true); } }).then(() => mark('ranking-ready'));
  return core;
}

let ranking = null;
// Resolves once the feed's ranker has started (after startFeed).
export function feedReady() {
  return ranking;
}

// Hidden (another screen, a background tab): an ad's time stops, dwell is reported.
function showCanvas() {
  if (pa) pa.appSetVisible(app, $('feed-view').hidden || document.visibilityState === 'hidden' ? 0 : 1);
}
document.addEventListener('visibilitychange', () => { showCanvas(); redraw(); });

// The feed's first load, after the shell is ready (session, language).
let feedLoaded = false; // the feed loads when first shown; later mode switches reload it
export function loadFirstFeed() {
  feedLoaded = true;
  mark('feed-load');
  loadStories();
  return loadFeed();
}

// Something was just posted (screens/compose.js): what is loaded is stale.
addEventListener('pa:posted', ({ detail }) => {
  if (!feedLoaded) return;
  if (detail?.kind === 'reel') loadReels();
  else if (detail?.kind === 'story') loadStories();
  else loadFeed();
});

// Shown on the feed's routes, hidden (and quiet) under other screens.
export function showFeed(visible, { reels = false } = {}) {
  $('feed-view').hidden = !visible;
  showCanvas();
  $('feed-view').toggleAttribute('data-reels', !!reels);
  if (visible) {
    resize();
    if (reels) pa.appOpenReels(app);
    redraw();
  }
}

export { showStatus, mark };
