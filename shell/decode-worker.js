// The decode worker: fetches feed images, decodes them with the media module
// (petamigos-media.wasm: only the core's image code) and downsizes them to the
// box they are drawn in, off the main thread; the pixels are transferred, not
// copied. WebP and AVIF, which the core does not decode, go through the
// browser's decoder here (createImageBitmap + OffscreenCanvas).
//
// Messages in:  {type: 'decode', key, url, w, h}   {type: 'cancel', key}
//               {type: 'prepare', key, bytes, maxEdge, quality}  (an upload; bytes: ArrayBuffer)
//               {type: 'scrub', key, bytes, mime}  (a reel's video: metadata cleared in place)
// Messages out: {type: 'ready'}  {type: 'decoded', key, width, height, pixels, via, ms}
//               {type: 'failed', key, reason, message, status?}  {type: 'cancelled', key, stage}
//               {type: 'prepared', key, bytes, mime, width, height, text, via}
//               {type: 'scrubbed', key, bytes, mime, text}
import createPetAmigosMedia from './petamigos-media.mjs';
import { bindMedia, pa_status, pa_image_format } from './seam/media.js';
import { browserDecode as decodeInBrowser, unpackSize } from './browser-decode.js';

const MAX_WAITING = 64; // requests not yet started; beyond this the oldest is dropped
const MAX_FETCHES = 4; // requests fetching at once
const UNSUPPORTED = pa_status.ERR_UNSUPPORTED;
const BROWSER_FORMATS = new Set([pa_image_format.WEBP, pa_image_format.AVIF, pa_image_format.HEIC]);

const jobs = new Map(); // key -> {key, url, w, h, stage, abort}
const waiting = []; // keys, oldest first
const decodeQueue = []; // {job, bytes}, fetched and waiting for the decoder
let fetching = 0;
let decodeScheduled = false;

const mediaReady = createPetAmigosMedia().then(bindMedia);
mediaReady.then(() => postMessage({ type: 'ready' }), (err) => {
  // Without its module the worker is useless: say so, and the page decodes itself.
  postMessage({ type: 'broken', message: String(err?.message ?? err) });
});

function finish(job, message, transfer = []) {
  jobs.delete(job.key);
  postMessage({ key: job.key, ...message }, transfer);
}

function pump() {
  while (fetching < MAX_FETCHES && waiting.length) startFetch(jobs.get(waiting.shift()));
}

async function startFetch(job) {
  fetching++;
  job.stage = 'fetching';
  job.abort = new AbortController();
  let bytes = null, error = null;
  try {
    // Not through api.js: a worker has no window for its session and network
    // events, and images are public files (no session, no CSRF token).
    const res = await fetch(job.url, { signal: job.abort.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    error = err;
  }
  fetching--;
  if (jobs.get(job.key) === job) {
    if (error) finish(job, { type: 'failed', reason: 'fetch', message: String(error.message ?? error) });
    else {
      job.stage = 'queued';
      decodeQueue.push({ job, bytes });
      scheduleDecode();
    }
  }
  pump();
}

// One decode per task, so cancel messages are handled between decodes.
function scheduleDecode() {
  if (decodeScheduled || !decodeQueue.length) return;
  decodeScheduled = true;
  setTimeout(decodeNext, 0);
}

async function decodeNext() {
  decodeScheduled = false;
  const item = decodeQueue.shift();
  if (item && jobs.get(item.job.key) === item.job) {
    item.job.stage = 'decoding';
    try {
      await decode(item.job, item.bytes);
    } catch (err) { // a trap (e.g. out of memory) fails this image, not the queue
      if (jobs.get(item.job.key) === item.job) finish(item.job, { type: 'failed', reason: 'decode', message: String(err?.message ?? err) });
    }
  }
  scheduleDecode();
}

async function decode(job, bytes) {
  const media = await mediaReady;
  const t0 = performance.now(); // decode and downsize only, not the wait for the module
  const r = media.mediaDecodeFit(bytes, job.w, job.h); // r.data: a copy we can transfer
  if (r.status === 0) {
    finish(job, { type: 'decoded', width: r.width, height: r.height, pixels: r.data.buffer, via: 'wasm',
      ms: performance.now() - t0 }, [r.data.buffer]);
    return;
  }
  if (r.status === UNSUPPORTED && BROWSER_FORMATS.has(r.format)) {
    try {
      const px = await browserDecode(media, bytes, job.w, job.h);
      finish(job, { type: 'decoded', ...px, via: 'browser', ms: performance.now() - t0 }, [px.pixels]);
    } catch (err) {
      finish(job, { type: 'failed', reason: 'decode', message: `${r.text.trim()}; this browser cannot decode it either (${err.message})` });
    }
    return;
  }
  finish(job, { type: 'failed', reason: 'decode', message: r.text.trim() });
}

// The browser's decoder for what the core refuses. mode 'cover' (default):
// downsized to the cover size the core would pick for the box; 'fit' (uploads):
// full size, as mediaPrepareRgba downsizes with the core's own filter.
// Orientation comes from the file.
function browserDecode(media, bytes, boxW, boxH, mode = 'cover') {
  const size = mode === 'fit' ? (w, h) => [w, h] : (w, h) => unpackSize(media.mediaCoverSize(w, h, boxW, boxH));
  return decodeInBrowser(new Blob([bytes]), size);
}

function request({ key, url, w, h }) {
  if (jobs.has(key)) return;
  const job = { key, url, w, h, stage: 'waiting', abort: null };
  jobs.set(key, job);
  waiting.push(key);
  // Bounded: a burst of requests (a long fling) drops the oldest waiting one.
  if (waiting.length > MAX_WAITING) {
    const old = jobs.get(waiting.shift());
    finish(old, { type: 'failed', reason: 'dropped', message: `more than ${MAX_WAITING} images waiting` });
  }
  pump();
}

function cancel({ key }) {
  const job = jobs.get(key);
  if (!job) return postMessage({ type: 'cancelled', key, stage: 'done' });
  const stage = job.stage;
  jobs.delete(key);
  if (stage === 'waiting') waiting.splice(waiting.indexOf(key), 1);
  if (stage === 'fetching') job.abort.abort();
  // 'queued': decodeNext skips it; 'decoding' cannot be interrupted and answers.
  postMessage({ type: 'cancelled', key, stage });
}

// ---- uploads: the core re-encodes the picture from pixels alone (upright,
// longer edge at most maxEdge, no metadata: no GPS leaves the device). WebP
// and AVIF are decoded by the browser first; HEIC fails in browsers that
// cannot decode it, with the core's message and the browser's.
async function prepare({ key, bytes, maxEdge, quality }) {
  const media = await mediaReady;
  const src = new Uint8Array(bytes);
  let r = media.mediaPrepare(src, maxEdge, quality);
  let via = 'wasm';
  if (r.status === UNSUPPORTED && BROWSER_FORMATS.has(r.format)) {
    let px;
    try {
      px = await browserDecode(media, src, maxEdge, maxEdge, 'fit');
    } catch (err) {
      postMessage({ type: 'failed', key, reason: 'prepare', status: r.status, format: r.format,
        message: `${r.text.trim()}; this browser cannot decode it either (${err.message})` });
      return;
    }
    const rgba = new Uint8Array(px.pixels);
    r = media.mediaPrepareRgba(rgba, px.width, px.height, maxEdge, quality);
    via = 'browser';
  }
  if (r.status !== 0) {
    postMessage({ type: 'failed', key, reason: 'prepare', status: r.status, format: r.format, message: r.text.trim() });
    return;
  }
  // format: PA_IMAGE_JPEG (1) or PA_IMAGE_PNG (2); data is the encoded file.
  postMessage({ type: 'prepared', key, bytes: r.data.buffer, mime: r.format === pa_image_format.PNG ? 'image/png' : 'image/jpeg',
    width: r.width, height: r.height, text: r.text.trim(), via }, [r.data.buffer]);
}

// ---- a reel's video is not re-encoded: the core clears its metadata (GPS in
// udta/meta/XMP boxes, WebM Tags) where it lies, so every offset stays valid
// (core/src/media/media.md, "Videos"). A file it cannot walk is refused.
async function scrub({ key, bytes, mime }) {
  const media = await mediaReady;
  const out = new Uint8Array(bytes); // cleared in place by the core
  const r = media.mediaScrubVideo(out);
  if (r.status !== 0) {
    postMessage({ type: 'failed', key, reason: 'scrub', status: r.status, message: r.text.trim() });
    return;
  }
  postMessage({ type: 'scrubbed', key, bytes: out.buffer, mime, text: r.text.trim() }, [out.buffer]);
}

onmessage = ({ data }) => {
  if (data.type === 'decode') request(data);
  else if (data.type === 'cancel') cancel(data);
  else if (data.type === 'prepare' || data.type === 'scrub') {
    (data.type === 'prepare' ? prepare : scrub)(data)
      .catch((err) => postMessage({ type: 'failed', key: data.key, reason: data.type, message: String(err?.message ?? err) }));
  }
};
