// The one way the shell talks to the API (web/openapi.yaml): JSON (or bytes:
// getBytes), the CSRF token on unsafe requests, failures sorted into kinds (a
// 401 ends the session everywhere). Never throws.
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// The API's origin ('' for ours): the site role fills the meta. sw.js reads it from its URL.
export const API = globalThis.document?.querySelector('meta[name="pa-api-origin"]')?.content ?? '';
const at = (path) => (path.startsWith('/api/') ? API + path : path); // catalogs stay ours
export const wsUrl = (path) => new URL(API + path, location.href).href.replace(/^http/, 'ws');
export const SW_URL = API ? `/sw.js?api=${API}` : '/sw.js';
let session = null; // {user, csrf_token} from GET /auth/session, or null before the first ask

// kind: 'offline', 'unreachable' (server down), 'auth', 'invalid' (see
// .fields), 'server' (5xx), 'status' (other 4xx).
export class ApiError {
  constructor(kind, status = 0, body = null) {
    this.kind = kind;
    this.status = status;
    this.code = body?.error?.code ?? '';
    this.message = body?.error?.message ?? '';
    this.fields = body?.error?.fields ?? {};
    this.field = body?.error?.field ?? ''; // the request member at fault
    this.retryAfter = 0;
    this.body = body; // for members beside error (a 502's checkout)
  }
}

// One GET /auth/session at a time: callers before its answer share it.
let asking = null;
export function getSession(refresh = false) {
  if (session && !refresh) return Promise.resolve(session);
  if (asking && !refresh) return asking;
  const p = askSession().finally(() => {
    if (asking === p) asking = null;
  });
  asking = p;
  return p;
}

async function askSession() {
  const r = await request('GET', '/api/v1/auth/session');
  // Unreachable: keep what we knew (asked again once the server answers).
  if (!r.ok && (r.error.kind === 'offline' || r.error.kind === 'unreachable')) return session ?? { user: null, csrf_token: '' };
  session = r.ok ? r.data : { user: null, csrf_token: '' };
  // Only the server's word says who this is now (not a failure, not offline).
  if (r.ok) await ownCache(session.user?.id ?? '');
  return session;
}

// Signed out (logout, the account deleted, the session ended): resolves once
// nothing of that person's is cached any more.
export function forgetSession() {
  session = null;
  asking = null;
  early.clear();
  return ownCache('', { always: true });
}

// After signup/login: the answer's {user, csrf_token} is the session;
// resolves once the cache is the new person's.
export function setSession(s) {
  session = s;
  asking = null;
  early.clear();
  return ownCache(s?.user?.id ?? '');
}

// sw.js's offline API answers are one person's: the cache belongs to whoever
// filled it (localStorage, '' for nobody) and is deleted here (also without a
// worker) when that changes or on signing out; the worker is told, so answers
// still arriving for the previous person are not stored.
const API_CACHE = 'petamigos-api-v1'; // the same name as API in sw.js
const OWNER_KEY = 'petamigos.apiCacheOwner';

async function ownCache(user, { always = false } = {}) {
  let owner;
  try {
    owner = localStorage.getItem(OWNER_KEY) ?? '';
  } catch {
    owner = null; // unknown: forget, to be safe
  }
  if (owner === user && !always) return;
  navigator.serviceWorker?.controller?.postMessage({ type: 'pa:forget-api' });
  try {
    await globalThis.caches?.delete(API_CACHE); // no Cache Storage (not a secure context): nothing kept
  } catch {
    // storage unavailable: nothing was kept
  }
  try {
    localStorage.setItem(OWNER_KEY, user);
  } catch {
    // unknown next time too, and forgotten again then
  }
}

// 'pa:reachable' on window when the server stops or starts answering
// ({ok: false, kind: 'offline'|'unreachable'} or {ok: true}).
let reachable = true;
function reach(ok, kind = '') {
  if (ok === reachable) return;
  reachable = ok;
  dispatchEvent(new CustomEvent('pa:reachable', { detail: { ok, kind } }));
}

// request(method, path, body?) → {ok: true, data, status} | {ok: false, error: ApiError}.
// body: a plain object (sent as JSON), a Blob/FormData (sent as is) or undefined.
export async function request(method, path, body, { headers = {}, signal } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (UNSAFE.has(method)) h['X-CSRF-Token'] = (await getSession()).csrf_token ?? '';
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof FormData)) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return send(path, { method, headers: h, body: payload, signal }, (res) => res.json());
}

// Requests started early, before anything asks for them (the first screen's
// data while the core downloads and compiles, app.js): getBytes(path) with no
// options takes the answer, once, when the path is exactly the same. What is
// not taken is dropped with dropEarly() (the first feed is in) and whenever
// the person changes, so no answer outlives the moment it was meant for.
const early = new Map();
export function getBytesEarly(path) {
  if (!early.has(path)) early.set(path, getBytes(path));
}
export function dropEarly() {
  early.clear();
}

// The user id of the last session this browser saw ('' for nobody), or null
// when it never saw one (a first visit) or cannot tell: a guess made before
// the session answers, never a decision about what someone may see.
export function lastKnownUser() {
  try {
    return localStorage.getItem(OWNER_KEY);
  } catch {
    return null;
  }
}

// getBytes(path, {headers, signal}): request()'s answer with data a Uint8Array
// as sent, for the core's strict parsers and the image decoder.
export function getBytes(path, { headers = {}, signal } = {}) {
  if (!signal && Object.keys(headers).length === 0 && early.has(path)) {
    const answer = early.get(path);
    early.delete(path);
    return answer;
  }
  const h = { Accept: 'application/json', ...headers };
  return send(path, { method: 'GET', headers: h, signal }, async (res) => new Uint8Array(await res.arrayBuffer()));
}

// The one fetch: read(res) gives a success's body; a failure's is read as the
// API's JSON error.
async function send(path, { method, headers, body, signal }, read) {
  let res;
  try {
    const url = at(path);
    res = await fetch(url, { method, headers, body, signal, credentials: url === path ? 'same-origin' : 'include' });
  } catch (err) {
    if (err?.name === 'AbortError') return { ok: false, error: new ApiError('aborted') };
    const kind = navigator.onLine === false ? 'offline' : 'unreachable';
    reach(false, kind);
    return { ok: false, error: new ApiError(kind) };
  }
  reach(true);
  let data = null;
  if (res.status !== 204) {
    try {
      data = await (res.ok ? read(res) : res.json());
    } catch {
      data = null;
    }
  }
  // A success whose body never arrived whole (aborted, connection cut) is a failure.
  if (res.ok && res.status !== 204 && data === null) {
    return { ok: false, error: new ApiError(signal?.aborted ? 'aborted' : 'unreachable') };
  }
  if (res.ok) return { ok: true, status: res.status, data };
  return { ok: false, error: failure(res.status, data, res.headers.get('Retry-After')) };
}

// The catalog key (and its arguments) that words a failed request for
// anyone: t(...failureMessage(error)).
export function failureMessage(error) {
  if (error.kind === 'offline') return ['feed.error.offline'];
  if (error.kind === 'unreachable') return ['feed.error.unreachable'];
  if (error.kind === 'server') return ['feed.error.server'];
  return ['feed.error.status', { status: error.status }];
}

function failure(status, data, retryAfter) {
  const kind = status === 401 ? 'auth' : status === 400 || status === 409 || status === 422 ? 'invalid'
    : status >= 500 ? 'server' : 'status';
  const error = new ApiError(kind, status, data);
  error.retryAfter = Number(retryAfter) || 0;
  if (kind === 'auth' && session?.user) {
    // The session ended under us (expired, signed out elsewhere): say so once.
    forgetSession();
    dispatchEvent(new CustomEvent('pa:session-expired'));
  }
  return error;
}

// upload(path, blob, {onProgress, signal}) — POSTs raw bytes (Content-Type from
// the blob) with upload progress, which fetch cannot report: onProgress(sent,
// total) as bytes go out. Same answer shape and failure kinds as request().
export async function upload(path, blob, { onProgress = () => {}, signal } = {}) {
  const csrf = (await getSession()).csrf_token ?? '';
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', at(path));
    xhr.withCredentials = at(path) !== path;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', blob.type);
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : blob.size);
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(blob.size, blob.size);
        resolve({ ok: true, status: xhr.status, data });
      } else {
        resolve({ ok: false, error: failure(xhr.status, data, xhr.getResponseHeader('Retry-After')) });
      }
    };
    xhr.onerror = () => resolve({ ok: false, error: new ApiError(navigator.onLine === false ? 'offline' : 'unreachable') });
    xhr.onabort = () => resolve({ ok: false, error: new ApiError('aborted') });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(blob);
  });
}

export const get = (path, opts) => request('GET', path, undefined, opts);

// The viewer's tier and entitlements and Plus's, for the composers to say
// before the server refuses (null when unknown; the server enforces them).
export async function planLimits() {
  const [mine, plans] = await Promise.all([get('/api/v1/billing'), get('/api/v1/billing/plans')]);
  return {
    tier: mine.ok ? mine.data.tier : null,
    mine: mine.ok ? mine.data.entitlements : null,
    plus: plans.ok ? plans.data.entitlements.plus : null,
  };
}
export const post = (path, body, opts) => request('POST', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const patch = (path, body, opts) => request('PATCH', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);
