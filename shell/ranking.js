// The feed's two modes (core/src/rank/rank.md, "The app's feed"):
//   For you   — GET /api/v1/feed/candidates (posts with 64-d embeddings), ranked
//               here by the core's ranker with the user's taste, then the posts
//               of one slice of the ranked list at a time from
//               GET /api/v1/posts?ids=… (the app's cursor is "r<slice>").
//   Following — GET /api/v1/feed/following, newest first, the server's cursor.
// Candidates need a session and are rate limited: signed out (or over the
// limit), For you is GET /api/v1/feed (newest first, the server's cursor).
// The taste (what the ranker learned from this user's own signals) is kept in
// IndexedDB on this device and never sent anywhere: no request below has a
// body, and nothing here reads the taste except to store it.
//
// Other screens talk to it with window events:
//   pa:feed-mode  {detail: {mode: 'foryou' | 'following'}}  (also stored in
//                 localStorage 'petamigos.feedMode')
//   pa:taste-reset                                         forget the taste
//   pa:signal     {detail: {kind, post_id | pet_id | author_id, value}}
//                 kind: like, dwell (value ms), watch (value 0..1), skip, hide,
//                 hide-author, follow
//   pa:follow     {detail: {pet_id | user_id | author_id, following}}
const MODE_KEY = 'petamigos.feedMode';
const SEED_KEY = 'petamigos.rankSeed';
const SLICE = 20; // posts per ranked slice (the feed's page size)
const CANDIDATES = 1000; // candidates fetched and ranked per load
import { t, currentLocale } from './i18n.js';
import { getSession, getBytes, getBytesEarly, lastKnownUser } from './api.js';
import { keyValueStore } from './idb.js';
import { bindRank, pa_rank_signal, pa_rank_mode } from './seam/rank.js';
import { PaError } from './seam/heap.js';

// The signals' names: pa_rank_signal's (core/include/pa/pa_rank.h), lower case with dashes.
const SIGNALS = Object.fromEntries(Object.entries(pa_rank_signal).map(([k, v]) => [k.toLowerCase().replace(/_/g, '-'), v]));
const TASTE = 'taste'; // the one record's key, in the database below
const tasteDb = keyValueStore('petamigos-rank', 'taste');

let rank = null; // the core's ranking exports (seam/rank.js)
let h = 0; // the ranker's handle
let ranked = []; // [{index, post_id, score, sponsored, why}] of the last ranking
let unranked = false; // the last first page of For you was the newest posts (signed out)
const whyById = new Map();
let saveTimer = 0;
let onChange = () => {};
// The stored taste is read from IndexedDB in the background (opening it can
// take a second on a cold start): nothing ranks, learns or saves before it is.
let restored = false;
let tasteRestored = Promise.resolve();

export function feedMode() {
  return localStorage.getItem(MODE_KEY) === 'following' ? 'following' : 'foryou';
}

// ---- IndexedDB: one record, the taste's bytes (pa_rank_taste_save)


async function restoreTaste() {
  try {
    const saved = await tasteDb.get(TASTE);
    if (!(saved instanceof Uint8Array)) return;
    rank.rankTasteLoad(h, saved);
  } catch (err) {
    if (err instanceof PaError) return console.info('[rank] stored taste refused:', err.message);
    console.info('[rank] no stored taste:', err?.message);
  }
}

// Written shortly after the last signal (one write per burst of scrolling).
function saveTasteSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveTaste, 300);
}

async function saveTaste() {
  clearTimeout(saveTimer);
  if (!restored) return; // would write a fresh taste over the stored one
  let bytes;
  try {
    bytes = rank.rankTasteSave(h);
  } catch (err) {
    return console.info('[rank] taste not saved:', err.message);
  }
  try {
    await tasteDb.put(TASTE, bytes);
  } catch (err) {
    console.info('[rank] taste not saved:', err?.message);
  }
}

async function resetTaste() {
  await tasteRestored; // else the stored taste would come back after the reset
  clearTimeout(saveTimer);
  rank.rankTasteReset(h);
  rank.rankRestart(h); // a new beginning: the cold-start list again
  try {
    await tasteDb.delete(TASTE);
  } catch (err) {
    console.info('[rank] taste not cleared:', err?.message);
  }
  if (feedMode() === 'foryou') onChange();
}

// ---- signals

// Runs one observation; false when the ranker refused it (a post no longer on its page).
function learned(observe) {
  if (!restored) {
    tasteRestored.then(() => learned(observe)); // learned on top of the stored taste
    return true;
  }
  try {
    observe();
  } catch (err) {
    if (err instanceof PaError) return false;
    throw err;
  }
  saveTasteSoon();
  return true;
}

// kind: a name of SIGNALS; the post must be on the ranker's candidate page.
export function signal(kind, postId, value = 0) {
  if (!h || !(kind in SIGNALS) || !postId) return false;
  return learned(() => rank.rankObserve(h, postId, SIGNALS[kind], value));
}

// The core had the post on screen for ms: a skip under a second, else a dwell.
export function viewed(postId, ms) {
  if (!h || !postId) return false;
  return learned(() => rank.rankViewed(h, postId, ms));
}

// A story or reel by authorId was left after seeing this fraction of it: the
// author's affinity learns (they are not candidates, so the vector does not).
export function watched(authorId, fraction) {
  if (!h || !authorId) return false;
  return learned(() => rank.rankObserveAuthor(h, authorId, SIGNALS.watch, fraction));
}

function signalBy(kind, authorId, petId, value = 0) {
  if (!h || !(kind in SIGNALS) || (!authorId && !petId)) return false;
  return learned(() => rank.rankObserveBy(h, authorId || '', petId || '', SIGNALS[kind], value));
}

function onSignal({ detail = {} }) {
  const { kind, post_id: post, pet_id: pet, author_id: author, value = 0 } = detail;
  if (post) signal(kind, post, value);
  else signalBy(kind, author, pet, value);
}

function onFollow({ detail = {} }) {
  if (detail.following === false) return;
  signalBy('follow', detail.author_id || detail.user_id, detail.pet_id);
}

// ---- pages for the core's feed

// A page as the server sent it (the core's parser is the judge); a failure
// throws api.js's ApiError (kind, status), a 401 having ended the session.
async function fetchBytes(url) {
  const r = await getBytes(url);
  if (!r.ok) throw r.error;
  return r.data;
}

// The ranker refused the page: why, for the console; the person is told the
// feed could not be loaded, in their language.
function rankFailed(err) {
  console.info('[rank] the feed could not be ranked:', err.message);
  return new Error(t('feed.error.loadFailed'));
}

const CANDIDATES_URL = `/api/v1/feed/candidates?limit=${CANDIDATES}`;

// Whether there is anything to rank: candidates need a session. Offline the
// session is not asked (the request could only fail): candidates the service
// worker kept say someone signed in was here.
async function canRank() {
  if (navigator.onLine === false) {
    try {
      return !!(await globalThis.caches?.match(CANDIDATES_URL));
    } catch {
      return false;
    }
  }
  return !!(await getSession()).user;
}

// Ranks a fresh page of candidates with the current taste.
async function rankCandidates() {
  const bytes = await fetchBytes(CANDIDATES_URL);
  await tasteRestored;
  try {
    rank.rankPage(h, bytes);
    rank.rankSetMode(h, pa_rank_mode.FOR_YOU);
    rank.rankRun(h, 1, Math.floor(Date.now() / 1000), CANDIDATES);
  } catch (err) {
    throw rankFailed(err);
  }
  ranked = JSON.parse(rank.rankJson(h));
  whyById.clear();
  for (const item of ranked) whyById.set(item.post_id, item);
}

// The first page's requests, sent at start beside the core's download and
// compile (app.js), exactly as feedPage(null) will make them: Following's
// page at once; For you's newest posts at once when this browser last saw
// nobody signed in (or nobody at all), the candidates once the session says
// someone is. A wrong guess costs one unused request (api.js drops it).
export function requestFirstPage() {
  if (navigator.onLine === false) return; // offline: feedPage reads the worker's cache its own way
  const following = feedMode() === 'following';
  if (following) getBytesEarly('/api/v1/feed/following');
  else if (!lastKnownUser()) getBytesEarly('/api/v1/feed');
  getSession().then(({ user }) => {
    if (user) getBytesEarly(CANDIDATES_URL);
  });
}

// The bytes of one feed page for the core: cursor null is the first page.
export async function feedPage(cursor) {
  if (feedMode() === 'following') {
    // The candidates still come, so signals here teach the taste too.
    if (cursor === null && (await canRank())) rankCandidates().catch((err) => console.info('[rank]', err.message));
    const query = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    return fetchBytes(`/api/v1/feed/following${query}`).catch((err) => {
      throw err.status === 401 ? new Error(t('rank.signInForFollowing')) : err;
    });
  }
  if (cursor === null) {
    // Signed out (or the session ended meanwhile: 401), or out of candidate
    // pages for now (429): the newest posts, unranked.
    unranked = !(await canRank());
    if (!unranked) {
      await rankCandidates().catch((err) => {
        if (err.status !== 401 && err.status !== 429) throw err;
        unranked = true;
      });
    }
    if (unranked) {
      ranked = [];
      whyById.clear();
    }
  }
  if (unranked) return fetchBytes(`/api/v1/feed${cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`}`);
  const slice = cursor === null ? 0 : Number(/^r(\d+)$/.exec(cursor)?.[1] ?? NaN);
  if (!Number.isInteger(slice)) throw new Error(t('feed.error.unreadable'));
  const ids = ranked.slice(slice * SLICE, (slice + 1) * SLICE).map((item) => item.post_id);
  const bytes = ids.length ? await fetchBytes(`/api/v1/posts?ids=${ids.join(',')}`) : null;
  let page = { posts: [], next_cursor: null };
  try {
    if (bytes) page = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return bytes; // not JSON: the core refuses it with its own message
  }
  // The app's cursor: the next slice of the ranked list, if any.
  if (page && typeof page === 'object') page.next_cursor = (slice + 1) * SLICE < ranked.length ? `r${slice + 1}` : null;
  withAds(page);
  return new TextEncoder().encode(JSON.stringify(page));
}

// An ad's token and link, from its candidate, as the post's "ad" (pa_feed.h).
function withAds(page) {
  for (const post of Array.isArray(page?.posts) ? page.posts : []) {
    const ad = post?.sponsored === true ? whyById.get(post.id)?.sponsored : null;
    if (typeof ad?.token === 'string') post.ad = { token: ad.token, link: ad.link ?? '' };
  }
}

// The last ranking's entry for a post ({why: [{code, weight}], sponsored}), or null.
export function whyOf(postId) {
  return feedMode() === 'foryou' ? whyById.get(postId) ?? null : null;
}

export function setFeedMode(mode) {
  const m = mode === 'following' ? 'following' : 'foryou';
  const changed = m !== feedMode();
  localStorage.setItem(MODE_KEY, m);
  dispatchEvent(new CustomEvent('pa:feed-mode', { detail: { mode: m, fromFeed: true } }));
  return changed;
}

// ---- the For you / Following switch above the feed (index.html #feed-mode)

function showMode() {
  for (const b of document.querySelectorAll('#feed-mode button[data-mode]'))
    b.setAttribute('aria-pressed', String(b.dataset.mode === feedMode()));
}

function bindModeSwitch() {
  const bar = document.getElementById('feed-mode');
  if (!bar) return;
  bar.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-mode]');
    if (b && b.dataset.mode !== feedMode()) setFeedMode(b.dataset.mode);
  });
  showMode();
}

// ---- "Why am I seeing this?": a small modal dialog with the post's reasons

let whyDialog = null;
let whyReturn = null;

function dialog() {
  if (whyDialog) return whyDialog;
  whyDialog = document.createElement('dialog');
  whyDialog.id = 'why-dialog';
  whyDialog.setAttribute('aria-labelledby', 'why-title');
  const title = document.createElement('h2');
  title.id = 'why-title';
  const list = document.createElement('ul');
  list.id = 'why-reasons';
  const targets = document.createElement('div');
  targets.id = 'why-targets';
  const note = document.createElement('p');
  note.id = 'why-note';
  const close = document.createElement('button');
  close.type = 'button';
  close.id = 'why-close';
  close.addEventListener('click', () => whyDialog.close());
  whyDialog.append(title, list, targets, note, close);
  whyDialog.addEventListener('close', () => whyReturn?.focus?.());
  document.body.append(whyDialog);
  return whyDialog;
}

// "Why this ad": the targeting that matched (the candidate's sponsored.why), named.
const TARGETS = ['species', 'tags', 'languages', 'countries'];
function targetName(kind, value) {
  try {
    if (kind === 'species') {
      const key = `petedit.species.${value}`;
      const name = t(key);
      return name && name !== key ? name : value;
    }
    if (kind === 'tags') return `#${value}`;
    const names = new Intl.DisplayNames([currentLocale() || 'en'], { type: kind === 'languages' ? 'language' : 'region' });
    return names.of(value) ?? value;
  } catch {
    return value; // a code the browser does not know: shown as sent
  }
}

function targeting(why) {
  if (!why) return [];
  const intro = document.createElement('p');
  intro.id = 'why-targets-intro';
  const list = document.createElement('ul');
  list.id = 'why-targets-list';
  const kinds = TARGETS.filter((k) => Array.isArray(why[k]) && why[k].length);
  if (!kinds.length) {
    intro.textContent = t('sponsored.why.everyone');
    return [intro];
  }
  intro.textContent = t('sponsored.whyIntro');
  const lists = new Intl.ListFormat([currentLocale() || 'en'], { type: 'conjunction' });
  list.append(...kinds.map((k) => {
    const li = document.createElement('li');
    li.dataset.target = k;
    li.textContent = t(`sponsored.why.${k}`, { list: lists.format(why[k].map((v) => targetName(k, v))) });
    return li;
  }));
  return [intro, list];
}

// Reason codes of pa_rank_items_json, strongest first; Following explains itself.
// adWhy: a sponsored reel's targeting (GET /reels), which no ranking names.
export function showWhy(postId, sponsored = false, adWhy = null) {
  const d = dialog();
  whyReturn = document.activeElement;
  const item = adWhy ? null : whyOf(postId);
  const codes = item ? item.why.map((r) => r.code) : adWhy ? [] : feedMode() === 'following' ? ['followingMode'] : ['recent'];
  if (sponsored && !codes.includes('sponsored')) codes.unshift('sponsored');
  d.querySelector('#why-title').textContent = t('rank.whyTitle');
  d.querySelector('#why-reasons').replaceChildren(...codes.map((code) => {
    const li = document.createElement('li');
    li.dataset.code = code;
    li.textContent = t(`rank.why.${code}`);
    return li;
  }));
  d.querySelector('#why-targets').replaceChildren(...(sponsored ? targeting(adWhy ?? item?.sponsored?.why) : []));
  d.querySelector('#why-note').textContent = t('rank.whyPrivacy');
  d.querySelector('#why-close').textContent = t('rank.close');
  if (!d.open) d.showModal();
  d.querySelector('#why-close').focus();
}

// A seed per device, so exploration differs between people but a list is
// reproducible (tests set localStorage 'petamigos.rankSeed').
function seed() {
  let s = Number(localStorage.getItem(SEED_KEY));
  if (!Number.isSafeInteger(s) || s <= 0) {
    s = 1 + Math.floor(Math.random() * 2 ** 32);
    localStorage.setItem(SEED_KEY, String(s));
  }
  return s;
}

// Starts the ranker; reload() is called when the feed must be loaded again
// from the top (mode switched, taste reset).
export async function startRanking({ core, reload }) {
  rank = bindRank(core);
  onChange = reload;
  const s = seed();
  try {
    h = rank.rankCreate(s % 2 ** 32, Math.floor(s / 2 ** 32));
  } catch {
    throw new Error('the ranker could not start');
  }
  tasteRestored = restoreTaste().then(() => {
    restored = true;
  });
  bindModeSwitch();
  addEventListener('pa:signal', onSignal);
  addEventListener('pa:follow', onFollow);
  addEventListener('pa:taste-reset', () => resetTaste());
  addEventListener('pa:feed-mode', (e) => {
    const m = e.detail?.mode === 'following' ? 'following' : 'foryou';
    if (!e.detail?.fromFeed) localStorage.setItem(MODE_KEY, m);
    showMode();
    onChange();
  });
  // Keep what was learned when the page goes away.
  addEventListener('pagehide', () => saveTaste());
}
