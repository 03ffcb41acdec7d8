// The one way the shell talks to the backend (web/openapi.yaml): JSON in and
// out, the CSRF token on every unsafe request, and failures sorted into the
// few kinds a screen has to tell apart. Nothing here throws.
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let session = null; // {user, csrf_token} from GET /auth/session, or null before the first ask

// Why a request failed: 'offline' (no network), 'unreachable' (server down),
// 'auth' (not signed in or session expired), 'invalid' (the server refused the
// input: see .fields), 'server' (5xx), 'status' (other 4xx).
export class ApiError {
  constructor(kind, status = 0, body = null) {
    this.kind = kind;
    this.status = status;
    this.code = body?.error?.code ?? '';
    this.message = body?.error?.message ?? '';
    this.fields = body?.error?.fields ?? {};
    this.retryAfter = 0;
  }
}

export async function getSession(refresh = false) {
  if (session && !refresh) return session;
  const r = await request('GET', '/api/v1/auth/session');
  session = r.ok ? r.data : { user: null, csrf_token: '' };
  return session;
}

export function forgetSession() {
  session = null;
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
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, signal, credentials: 'same-origin' });
  } catch (err) {
    if (err?.name === 'AbortError') return { ok: false, error: new ApiError('aborted') };
    return { ok: false, error: new ApiError(navigator.onLine === false ? 'offline' : 'unreachable') };
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return { ok: true, status: res.status, data };
  const kind = res.status === 401 ? 'auth' : res.status === 400 || res.status === 409 || res.status === 422 ? 'invalid'
    : res.status >= 500 ? 'server' : 'status';
  const error = new ApiError(kind, res.status, data);
  error.retryAfter = Number(res.headers.get('Retry-After')) || 0;
  if (kind === 'auth' && session?.user) {
    // The session ended under us (expired, signed out elsewhere): say so once.
    session = null;
    dispatchEvent(new CustomEvent('pa:session-expired'));
  }
  return { ok: false, error };
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const patch = (path, body, opts) => request('PATCH', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);
