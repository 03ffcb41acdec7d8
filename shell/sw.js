// Offline support: the app shell, the last feed and story tray come from the cache when
// the network does not answer; media (content-addressed, immutable) is cached
// on first use.
//
// API answers are one person's (the feed says what they liked, Following is
// theirs), so they never go in the shared shell cache: they go in API, which
// holds only the answers of whoever is signed in on this browser. The page
// (api.js) deletes it whenever that person changes — signing in or out, the
// session ending, the account deleted — and tells the worker, which then also
// drops answers still on their way from the previous person.
const SHELL = 'petamigos-shell-v3'; // v2 held API answers too: dropped on activate
const MEDIA = 'petamigos-media-v1';
const API = 'petamigos-api-v1'; // the same name as API_CACHE in api.js
const SHELL_FILES = ['/', '/app.css', '/app.js', '/feed.js', '/api.js', '/account.js', '/router.js', '/i18n.js', '/i18n-wasm.js',
  '/text.js', '/grid.js', '/ranking.js', '/plus.js', '/locales/en.json', '/petamigos-core.mjs', '/petamigos-core.wasm', '/decode-worker.js', '/browser-decode.js', '/petamigos-media.mjs', '/petamigos-media.wasm',
  '/manifest.webmanifest', '/icon.svg'];
const MEDIA_MAX = 400; // entries: bounded, so long sessions do not grow storage forever
const API_MAX = 200; // entries: feed pages and slices, bounded the same way

// Bumped when the person changes: an answer fetched before that is not stored.
let generation = 0;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  const keep = new Set([SHELL, MEDIA, API]);
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => !keep.has(n)).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Drops the oldest entries past max (keys() lists them in insertion order).
async function trim(cache, max) {
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - max))) await cache.delete(old);
}

// Network first, so a new build is picked up at once; the cache when offline.
// The cache is opened before asking, so an answer that arrives after the
// page deleted it lands in the deleted one, where nobody finds it.
async function networkFirst(request, name, max) {
  const cache = await caches.open(name);
  const asked = generation;
  try {
    const response = await fetch(request);
    if (response.ok && asked === generation) {
      await cache.put(request, response.clone());
      if (max) await trim(cache, max);
    }
    return response;
  } catch (err) {
    // Every screen's URL is the same page: offline, any navigation gets it.
    const cached = await cache.match(request.mode === 'navigate' ? '/' : request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  // A video asks for ranges (206): the Cache API refuses partial answers
  // (put throws, and the page's video would get a network error), so ranges
  // go to the network as they are; only whole answers are kept.
  if (request.headers.has('range')) return fetch(request);
  const cache = await caches.open(MEDIA);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.status === 200) {
    await cache.put(request, response.clone());
    await trim(cache, MEDIA_MAX);
  }
  return response;
}

// From the page (api.js) when the signed-in person changes.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'pa:forget-api') return;
  generation++;
  event.waitUntil(caches.delete(API));
});

// The feed in both modes (ranked: candidates, then posts by id) and the tray.
const OFFLINE_API = new Set(['/api/v1/feed', '/api/v1/feed/candidates', '/api/v1/feed/following', '/api/v1/posts',
  '/api/v1/stories']);

// The API's origin: the page registers /sw.js?api=ORIGIN when the shell has its own (api.js).
const API_ORIGIN = new URLSearchParams(self.location.search).get('api') || self.location.origin;

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET') return;
  if (url.origin === API_ORIGIN && OFFLINE_API.has(url.pathname)) {
    event.respondWith(networkFirst(event.request, API, API_MAX));
    return;
  }
  if (url.origin !== self.location.origin) return;
  // Embeds (/embed/p/:id, /embed.js and their files) are for partner sites: never the app's cache.
  if (url.pathname.startsWith('/embed')) return;
  if (url.pathname.startsWith('/media/')) event.respondWith(cacheFirst(event.request));
  else if (!url.pathname.startsWith('/api/')) event.respondWith(networkFirst(event.request, SHELL));
});

// Web Push (web/README.md, "Push"): the server sends {title, body, url, tag,
// kind}, encrypted for this browser (RFC 8291; the browser decrypts). Shown
// even when no page is open; a chat push names the sender only, never the
// message. tag groups a kind, so ten likes are one notification, renewed.
const PUSH_ICON = '/icon.svg';
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = {}; }
  const title = typeof data.title === 'string' && data.title ? data.title : 'PetAmigos';
  // Only our own paths: a push never opens another site.
  const url = typeof data.url === 'string' && /^\/[^/\\]/.test(data.url) ? data.url : '/notifications';
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === 'string' ? data.body : '',
    tag: `pa-${typeof data.tag === 'string' ? data.tag : 'other'}`,
    renotify: true,
    icon: PUSH_ICON,
    data: { url, kind: data.kind ?? '' },
  }));
});

// A click opens the screen the push is about: in a window of ours already
// open (focused and navigated), or a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url ?? '/notifications', self.location.origin).href;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const mine = open.find((c) => new URL(c.url).origin === self.location.origin);
    if (mine) {
      await mine.focus().catch(() => {}); // focus needs the click's activation; navigating does not
      if ('navigate' in mine) return mine.navigate(url);
      return mine.postMessage({ type: 'pa:open', url });
    }
    return self.clients.openWindow(url);
  })());
});
