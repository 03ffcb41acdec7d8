// Mercado Pago's OAuth for marketplaces: a seller connects their account to
// the platform's application on the authorization page
// (/mercadopago/authorization?client_id=&response_type=code&platform_id=mp&
// state=&redirect_uri=), comes back to redirect_uri with ?code=TG-…&state=, and
// the platform trades the code at POST /oauth/token for the seller's
// access_token (which then makes payments whose collector is the seller),
// refresh_token, user_id, public_key and expires_in.
import { randomUUID } from 'node:crypto';
import { book, hexId, withQuery } from './book.mjs';

// What Mercado Pago documents: a code lives 10 minutes and is used once; an
// access token lasts 180 days (expires_in 15552000).
const CODE_SECONDS = 600;
const TOKEN_SECONDS = 15552000;
const SELLER_SITES = ['BR', 'AR', 'MX', 'CO', 'CL'];
const MERCHANT = 'PetAmigos';

const oauth = () => {
  book.state.mp.oauth ??= { codes: {}, access: {}, refresh: {}, sellers: {} };
  return book.state.mp.oauth;
};

/** OAuth's error answer in Mercado Pago's shape. */
function oauthError(status, error, message) {
  return { status, body: { message, error, status, cause: [] } };
}

/** The seller behind a Bearer token (an unexpired access token the sim issued): {user_id, country, client_id} or null. */
export function sellerOf(token) {
  const t = oauth().access[token];
  return t && t.expires_ms > book.now() ? { ...oauth().sellers[t.user_id], client_id: t.client_id } : null;
}

/**
 * The seller's decision (the page's form and POST /__sim/mp/authorize):
 * {client_id, redirect_uri, state, decision: approve|deny, country?, user_id?}.
 * user_id names a seller connecting again; otherwise a new seller account of
 * country (BR unless given) is made. → {redirect, code, user_id} or {status, error}.
 */
export function authorize({ client_id, redirect_uri, state, decision, country = 'BR', user_id }) {
  if (client_id !== book.config.mp_client_id) return { status: 400, error: `unknown client_id ${client_id}` };
  let target;
  try {
    target = new URL(redirect_uri);
  } catch {
    return { status: 400, error: 'redirect_uri must be an absolute URL' };
  }
  if (!['approve', 'deny'].includes(decision)) return { status: 400, error: 'decision must be approve or deny' };
  if (decision === 'deny') return { redirect: withQuery(target.href, { error: 'access_denied', state }) };
  let seller = user_id !== undefined ? oauth().sellers[user_id] : null;
  if (user_id !== undefined && !seller) return { status: 404, error: `no seller ${user_id}` };
  if (!seller) {
    if (!SELLER_SITES.includes(country)) return { status: 400, error: `country must be one of ${SELLER_SITES.join(', ')}` };
    seller = { user_id: book.serial(), country };
    oauth().sellers[seller.user_id] = seller;
  }
  const code = `TG-${hexId(12)}-${seller.user_id}`;
  oauth().codes[code] = { user_id: seller.user_id, client_id, redirect_uri, expires_ms: book.now() + CODE_SECONDS * 1000 };
  return { redirect: withQuery(target.href, { code, state }), code, user_id: seller.user_id };
}

function issue(userId, clientId) {
  const now = book.now();
  const d = new Date(now);
  const stamp = `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  const access = `APP_USR-${clientId}-${stamp}-${hexId(16)}-${userId}`;
  const refresh = `TG-${hexId(12)}-${userId}`;
  oauth().access[access] = { user_id: userId, client_id: clientId, expires_ms: now + TOKEN_SECONDS * 1000 };
  oauth().refresh[refresh] = { user_id: userId, client_id: clientId };
  book.state.tokens_issued++;
  return {
    status: 200,
    body: {
      access_token: access, token_type: 'Bearer', expires_in: TOKEN_SECONDS, scope: 'offline_access payments read write',
      user_id: userId, refresh_token: refresh, public_key: `APP_USR-${randomUUID()}`, live_mode: false,
    },
  };
}

/** POST /oauth/token (JSON or form body; no Bearer): authorization_code or refresh_token. */
export function token(ctx) {
  const type = (ctx.headers['content-type'] ?? '').split(';')[0].trim();
  const b = type === 'application/x-www-form-urlencoded' ? Object.fromEntries(new URLSearchParams(ctx.raw)) : ctx.json ?? {};
  if (b.client_id !== book.config.mp_client_id || b.client_secret !== book.config.mp_client_secret) {
    return oauthError(401, 'invalid_client', 'invalid client_id or client_secret');
  }
  if (b.grant_type === 'authorization_code') {
    const c = oauth().codes[b.code];
    // A code is good once, for its client and the redirect_uri it was issued to.
    if (!c || c.used || c.expires_ms <= book.now() || c.client_id !== b.client_id || c.redirect_uri !== b.redirect_uri) {
      return oauthError(400, 'invalid_grant', 'invalid_grant');
    }
    c.used = true;
    return issue(c.user_id, c.client_id);
  }
  if (b.grant_type === 'refresh_token') {
    const r = oauth().refresh[b.refresh_token];
    if (!r || r.used || r.client_id !== b.client_id) return oauthError(400, 'invalid_grant', 'invalid_grant');
    r.used = true; // a refresh token is traded once; the answer carries the next
    return issue(r.user_id, r.client_id);
  }
  return oauthError(400, 'unsupported_grant_type', `grant_type ${b.grant_type} is not supported`);
}

const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const FIELDS = ['client_id', 'response_type', 'platform_id', 'state', 'redirect_uri'];

/** GET the authorization page: which application asks, a country for a new seller account, Allow / Deny. */
export function renderAuthorization(query) {
  if (query.get('client_id') !== book.config.mp_client_id || query.get('response_type') !== 'code' || !query.get('redirect_uri')) {
    return { status: 400, type: 'text/html', body: '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Mercado Pago: invalid request</title></head><body><main><h1>Invalid authorization request</h1></main></body></html>\n' };
  }
  const hidden = FIELDS.map((f) => `<input type="hidden" name="${f}" value="${escape(query.get(f))}">`).join('\n');
  const options = SELLER_SITES.map((c) => `<option value="${c}">${c}</option>`).join('');
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Mercado Pago: connect to ${MERCHANT}</title></head>
<body><main>
<h1>Mercado Pago (simulated authorization)</h1>
<p>${MERCHANT} asks to receive payments into your account and charge its fee on each sale.</p>
<form method="post">
<fieldset>
<legend>Connect your Mercado Pago account to ${MERCHANT}?</legend>
${hidden}
<label for="country">Your account's country</label>
<select id="country" name="country">${options}</select>
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</fieldset>
</form>
</main></body>
</html>
`;
  return { status: 200, type: 'text/html', body };
}

/** POST the page's form: 303 back to redirect_uri with code and state (or error=access_denied). */
export function submitAuthorization(form) {
  const out = authorize({
    client_id: form.get('client_id'), redirect_uri: form.get('redirect_uri'), state: form.get('state') ?? undefined,
    decision: form.get('decision'), country: form.get('country') ?? 'BR',
  });
  if (out.error) return { status: out.status, type: 'text/html', body: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Mercado Pago: cannot continue</title></head><body><main><h1>Cannot continue</h1><p>${escape(out.error)}</p></main></body></html>\n` };
  return { status: 303, headers: { location: out.redirect }, body: '' };
}
