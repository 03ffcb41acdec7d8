// Pieces the composers and the pet form share: building DOM, the file
// pickers (choose + take a photo), the upload progress bar, uploading a list
// of prepared files with one progress, and failure messages.
import { upload, failureMessage } from './api.js';

// el('p', {className: 'x', textContent: 'y'}, child…) — text only via properties.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k in node && !k.startsWith('aria') && k !== 'role') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// What to tell a person when a request failed (api.js error kinds).
export function failureText(t, error) {
  // The daily upload quota: when it resets, in the person's own clock.
  if (error.code === 'quota_exceeded') return t('compose.error.quota', { when: Date.now() + error.retryAfter * 1000 });
  if (error.kind === 'auth') return t('compose.error.signedOut');
  // The server's own words when it refused the request (not when it failed).
  const refused = !['offline', 'unreachable', 'server'].includes(error.kind);
  if (refused && error.message) return t('compose.error.refused', { reason: error.message });
  return t(...failureMessage(error));
}

// A real <input type=file> that keeps its keyboard focus (visually hidden,
// focus drawn on its label, which looks like a button). capture: 'environment'
// opens the camera on phones.
export function filePicker({ id, label, accept, multiple = false, capture, onFiles }) {
  const input = el('input', { type: 'file', id, accept, multiple, className: 'kit-file' });
  if (capture) input.setAttribute('capture', capture);
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    if (files.length) onFiles(files);
  });
  const wrap = el('span', { className: 'kit-picker' }, input, el('label', { htmlFor: id, className: 'kit-button', textContent: label }));
  return { wrap, input };
}

export const isPhone = () => matchMedia('(pointer: coarse)').matches;

// The upload progress: a labelled <progress> (0-100) and a text line.
export function progressBlock(t, id) {
  const label = el('label', { htmlFor: id, textContent: t('compose.progressLabel') });
  const bar = el('progress', { id, max: 100, value: 0 });
  const text = el('p', { className: 'kit-progress-text', 'aria-live': 'polite' });
  const wrap = el('div', { className: 'kit-progress', hidden: true }, label, bar, text);
  return {
    wrap,
    set(fraction) {
      wrap.hidden = false;
      const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
      bar.value = pct;
      text.textContent = t('upload.progress', { progress: pct / 100 });
    },
    hide() { wrap.hidden = true; },
  };
}

// Uploads every part that has no mediaId yet, in order, with one progress
// over all bytes; each success is recorded on its part (and saved through
// onStored) so a retry sends only what is missing.
// parts: [{blob, mediaId}] → {ok: true} | {ok: false, error}
export async function uploadParts(parts, { onProgress, onStored, signal }) {
  const todo = parts.filter((p) => !p.mediaId);
  const total = todo.reduce((n, p) => n + p.blob.size, 0) || 1;
  let done = 0;
  onProgress(0);
  for (const part of todo) {
    const r = await upload('/api/v1/media', part.blob, { signal, onProgress: (sent) => onProgress((done + Math.min(sent, part.blob.size)) / total) });
    if (!r.ok) return r;
    part.mediaId = r.data.id;
    done += part.blob.size;
    onProgress(done / total);
    await onStored?.(part);
  }
  return { ok: true };
}

// Uploads what is missing (uploadParts), then send() → a request's answer.
// An upload the server no longer knows ('unknown_upload': unused for a day,
// so discarded) is uploaded again once, so a draft kept for days still posts.
export async function withUploads(parts, options, send) {
  for (let again = false; ; again = true) {
    const up = await uploadParts(parts, options);
    if (!up.ok) return up;
    const r = await send();
    if (r.ok || r.error.code !== 'unknown_upload' || again) return r;
    for (const part of parts) part.mediaId = null;
    await options.onStored?.();
  }
}
