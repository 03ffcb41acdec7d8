// Upload preparation for the composers: every photo goes through the core
// (decode-worker.js → petamigos-media: pa_media_prepare) before it leaves the
// device — upright, downsized to a maximum edge, re-encoded from pixels alone,
// so no EXIF, GPS or other metadata is ever uploaded. The worker is the same
// script the feed uses, in an instance of its own that lives while a composer
// is open. A reel's video is not re-encoded: scrubVideo has the core clear its
// metadata in place (pa_media_scrub_video), and a video it cannot read is refused.
const PHOTO_EDGE = 2048;
const AVATAR_EDGE = 1024;
const QUALITY = 85;
// Status codes from core/include/pa/pa_status.h, for the message a person sees.
const TOO_LARGE = 5, UNSUPPORTED = 6;
// Files are read only up to this size; the core's own limit is 20 MiB.
const READ_LIMIT = 64 * 1024 * 1024;

export { PHOTO_EDGE, AVATAR_EDGE };

export function createPreparer() {
  let worker = null;
  let next = 1;
  const pending = new Map();

  function start() {
    worker = new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      const done = pending.get(data.key);
      if (data.type === 'broken') {
        for (const fn of pending.values()) fn({ ok: false, kind: 'worker', message: data.message });
        pending.clear();
        return;
      }
      if (!done) return;
      pending.delete(data.key);
      if (data.type === 'scrubbed') {
        done({ ok: true, blob: new Blob([data.bytes], { type: data.mime }), removed: scrubbedNames(data.text),
          durationMs: scrubbedMs(data.text) });
      } else if (data.type === 'prepared') {
        done({ ok: true, blob: new Blob([data.bytes], { type: data.mime }), width: data.width, height: data.height,
          removed: metadataRemoved(data.text), via: data.via });
      } else if (data.type === 'failed') {
        done({ ok: false, kind: kindOf(data.status), message: data.message.replace(/^error \([a-z_]+\): (image: )?/i, '') });
      }
    };
    worker.onerror = (e) => {
      for (const fn of pending.values()) fn({ ok: false, kind: 'worker', message: e.message || 'the worker failed' });
      pending.clear();
    };
  }

  // prepare(file, {maxEdge}) → {ok, blob, width, height, removed} | {ok: false, kind, message}
  // kind: 'too-large' | 'unsupported' | 'broken' | 'worker'.
  function prepare(file, { maxEdge = PHOTO_EDGE } = {}) {
    return ask(file, { type: 'prepare', maxEdge, quality: QUALITY });
  }

  // scrubVideo(file) → {ok, blob (same type and length), removed, durationMs (or null)} | {ok: false, kind, message}
  function scrubVideo(file) {
    return ask(file, { type: 'scrub', mime: file.type });
  }

  async function ask(file, message) {
    if (file.size > READ_LIMIT) {
      return { ok: false, kind: 'too-large', message: '', limitMb: READ_LIMIT / (1024 * 1024) };
    }
    let bytes;
    try {
      bytes = await file.arrayBuffer();
    } catch (err) {
      return { ok: false, kind: 'broken', message: String(err?.message ?? err) };
    }
    if (!worker) start();
    const key = next++;
    return new Promise((resolve) => {
      pending.set(key, resolve);
      worker.postMessage({ ...message, key, bytes }, [bytes]);
    });
  }

  function close() {
    worker?.terminate();
    worker = null;
    for (const fn of pending.values()) fn({ ok: false, kind: 'worker', message: 'closed' });
    pending.clear();
  }

  return { prepare, scrubVideo, close };
}

// Anything else the core refuses (SYNTAX, TRUNCATED, …) is a broken file.
function kindOf(status) {
  return status === TOO_LARGE ? 'too-large' : status === UNSUPPORTED ? 'unsupported' : 'broken';
}

// "… source-metadata exif gps" at the end of the core's line → ['exif', 'gps'].
function metadataRemoved(text) {
  const m = /source-metadata (.+)$/.exec(text ?? '');
  return m && m[1] !== 'none' ? m[1].trim().split(' ') : [];
}

// "mp4 cleared 2 udta meta, 340 bytes, 0 seek entries" → ['udta', 'meta'].
// The video's length the core read (pa_upload_scrub.duration_ms, as the
// server reads it), or null when the file states none it believes.
function scrubbedMs(text) {
  const m = /, duration (\d+) ms$/.exec(text ?? '');
  return m ? Number(m[1]) : null;
}

function scrubbedNames(text) {
  const m = /cleared \d+([^,]*),/.exec(text ?? '');
  return m ? m[1].trim().split(' ').filter(Boolean) : [];
}

// The localized sentence for a refused file; the core's own words follow it.
export function refusalText(t, name, result) {
  const key = { 'too-large': 'compose.refusedTooLarge', unsupported: 'compose.refusedUnsupported' }[result.kind]
    ?? 'compose.refusedBroken';
  const text = t(key, { name });
  // Too large to read at all: the limit, in the person's words (the core's
  // own refusals come with their detail in result.message).
  return result.limitMb ? `${text} ${t('compose.refusedOverLimit', { mb: result.limitMb })}` : text;
}
