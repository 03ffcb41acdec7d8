// Offline support: the app shell, the last feed and story tray come from the cache when
// the network does not answer; media (content-addressed, immutable) is cached
// on first use.
const SHELL = 'petamigos-shell-v2';
const MEDIA = 'petamigos-media-v1';
const SHELL_FILES = ['/', '/app.css', '/app.js', '/feed.js', '/api.js', '/account.js', '/router.js', '/i18n.js', '/i18n-wasm.js',
  '/text.js', '/grid.js', '/ranking.js', '/locales/en.json', '/petamigos-core.mjs', '/petamigos-core.wasm', '/decode-worker.js', '/browser-decode.js', '/petamigos-media.mjs', '/petamigos-media.wasm',
  '/manifest.webmanifest', '/icon.svg'];
const MEDIA_MAX = 400; // entries: bounded, so long sessions do not grow storage forever

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  const keep = new Set([SHELL, MEDIA]);
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => !keep.has(n)).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Network first, so a new build is picked up at once; the cache when offline.
async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    // Every screen's URL is the same page: offline, any navigation gets it.
    const cached = await cache.match(request.mode === 'navigate' ? '/' : request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(MEDIA);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MEDIA_MAX))) await cache.delete(old);
  }
  return response;
}

// The feed in both modes (ranked: candidates, then posts by id) and the tray.
const OFFLINE_API = new Set(['/api/v1/feed', '/api/v1/feed/candidates', '/api/v1/feed/following', '/api/v1/posts',
  '/api/v1/stories']);

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // Embeds (/embed/p/:id, /embed.js and their files) are for partner sites: never the app's cache.
  if (url.pathname.startsWith('/embed')) return;
  if (url.pathname.startsWith('/media/')) event.respondWith(cacheFirst(event.request));
  else if (OFFLINE_API.has(url.pathname) || !url.pathname.startsWith('/api/'))
    event.respondWith(networkFirst(event.request));
});
