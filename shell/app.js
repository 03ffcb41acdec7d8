// The shell's bridge: loads the WASM core, gives it the platform services it
// asks for (text, images), forwards input, and reflects the core's mirror into
// DOM. Policy lives in the core; this file only moves bytes and events.
import createPetAmigosCore from './petamigos-core.mjs';
import { rasterText } from './text.js';

const KEYS = { ArrowDown: 1, j: 1, ArrowUp: 2, k: 2, PageDown: 3, ' ': 3, PageUp: 4, Home: 5, End: 6 };

const $ = (id) => document.getElementById(id);
const canvas = $('canvas');
const mirror = $('mirror');
let core = null;
let app = 0;
let dirty = false;
let mirrorRevision = 0;

function redraw() {
  if (!dirty) {
    dirty = true;
    requestAnimationFrame(frame);
  }
}

function frame() {
  dirty = false;
  core._pa_wasm_app_frame(app, Date.now());
  const revision = core._pa_wasm_app_mirror_revision(app);
  if (revision !== mirrorRevision) {
    mirrorRevision = revision;
    renderMirror(JSON.parse(core.UTF8ToString(core._pa_wasm_app_mirror(app))));
  }
}

function withHeap(bytes, fn) {
  const ptr = core._malloc(bytes.length || 1);
  core.HEAPU8.set(bytes, ptr);
  try {
    return fn(ptr, bytes.length);
  } finally {
    core._free(ptr);
  }
}

async function requestImage(handle, id, url) {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    withHeap(bytes, (ptr, len) => core._pa_wasm_app_image(handle, id, ptr, len));
  } catch {
    core._pa_wasm_app_image_failed(handle, id);
  }
  redraw();
}

async function loadFeed() {
  showStatus('loading');
  let bytes;
  try {
    const res = await fetch('/api/v1/feed', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(res.status >= 500 ? 'The server is having trouble.' : `The server said ${res.status}.`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const message = navigator.onLine === false ? 'You are offline.' : err instanceof TypeError ? 'Cannot reach PetAmigos.' : err.message;
    withHeap(new TextEncoder().encode(message + '\0'), (ptr) => core._pa_wasm_app_feed_failed(app, ptr));
    redraw();
    return;
  }
  const status = withHeap(bytes, (ptr, len) => core._pa_wasm_app_feed(app, ptr, len));
  if (status !== 0) console.warn('feed rejected:', core.UTF8ToString(core._pa_wasm_app_error(app)));
  redraw();
}

function showStatus(state, message = '') {
  const box = $('status');
  box.hidden = state !== 'error';
  $('status-text').textContent = message;
  $('retry').hidden = state !== 'error';
  mirror.setAttribute('aria-busy', String(state === 'loading'));
  document.body.dataset.state = state;
}

// One <article> per post, built with textContent only: user text never
// becomes markup.
function renderMirror(m) {
  showStatus(m.state, m.message);
  const articles = m.posts.map((p, i) => {
    const article = document.createElement('article');
    article.tabIndex = 0;
    article.id = `post-${p.id}`;
    article.dataset.index = String(i);
    article.setAttribute('aria-posinset', String(i + 1));
    article.setAttribute('aria-setsize', String(m.posts.length));
    article.setAttribute('aria-labelledby', `${article.id}-title`);
    const title = document.createElement('h2');
    title.id = `${article.id}-title`;
    title.textContent = p.title;
    const caption = document.createElement('p');
    caption.textContent = p.caption;
    const photos = document.createElement('p');
    photos.textContent = p.images.map((alt, k) => `Photo ${k + 1} of ${p.images.length}: ${alt || 'no description'}`).join('. ');
    const counts = document.createElement('p');
    counts.textContent = `${p.likes} ${p.likes === 1 ? 'like' : 'likes'}, ${p.comments} ${p.comments === 1 ? 'comment' : 'comments'}${p.liked ? ', liked by you' : ''}`;
    article.append(title, caption, photos, counts);
    return article;
  });
  mirror.replaceChildren(...articles);
}

function resize() {
  const dpr = window.devicePixelRatio || 1;
  const rect = $('stage').getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  core._pa_wasm_app_resize(app, w, h, dpr);
  // SDL sizes the canvas element; keep its CSS box filling the stage.
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  redraw();
}

function bindInput() {
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? canvas.clientHeight : 1;
    core._pa_wasm_app_scroll(app, e.deltaY * unit * (window.devicePixelRatio || 1));
    redraw();
  }, { passive: false });
  let lastY = null;
  canvas.addEventListener('pointerdown', (e) => { lastY = e.clientY; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointermove', (e) => {
    if (lastY === null) return;
    core._pa_wasm_app_scroll(app, (lastY - e.clientY) * (window.devicePixelRatio || 1));
    lastY = e.clientY;
    redraw();
  });
  const end = () => { lastY = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  document.addEventListener('keydown', (e) => {
    const key = KEYS[e.key];
    if (!key || e.altKey || e.ctrlKey || e.metaKey || e.target.closest('button, input, textarea')) return;
    e.preventDefault();
    // Arrow keys and j/k walk posts when one has focus; the rest scroll.
    const current = document.activeElement?.closest?.('#mirror article');
    const step = key === 1 ? 1 : key === 2 ? -1 : 0;
    if (current && step) {
      const next = mirror.children[Number(current.dataset.index) + step];
      if (next) next.focus();
      return;
    }
    core._pa_wasm_app_key(app, key);
    redraw();
  });
  mirror.addEventListener('focusin', (e) => {
    const article = e.target.closest('article');
    if (article) core._pa_wasm_app_focus(app, Number(article.dataset.index));
    redraw();
  });
  mirror.addEventListener('focusout', () => { core._pa_wasm_app_focus(app, -1); redraw(); });
  $('retry').addEventListener('click', () => loadFeed());
  new ResizeObserver(resize).observe($('stage'));
}

async function start() {
  core = await createPetAmigosCore({
    canvas,
    paHost: {
      textRaster: rasterText,
      requestImage,
      log: (msg) => console.info('[core]', msg),
    },
  });
  const dpr = window.devicePixelRatio || 1;
  const rect = $('stage').getBoundingClientRect();
  app = core._pa_wasm_app_create(Math.max(1, Math.round(rect.width * dpr)), Math.max(1, Math.round(rect.height * dpr)), dpr);
  if (app < 0) throw new Error(`the core could not start (${core.UTF8ToString(core._pa_wasm_status_name(-app))})`);
  bindInput();
  resize();
  await loadFeed();
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((err) => console.info('offline support unavailable:', err.message));
}

start().catch((err) => {
  console.error(err);
  showStatus('error', `PetAmigos could not start: ${err.message}`);
});
