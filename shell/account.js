// The account around every screen: the theme, the header's Log in / Sign up /
// Log out controls and Help button, the banners (session ended, offline or server
// unreachable) and the unread badge on the Notifications tab. Screens call
// signedIn()/logOut() here so everything that depends on who is signed in
// (header, badge, feed) follows: 'pa:session-changed' on window.
import { get, post, getSession, setSession, forgetSession } from './api.js';

const $ = (id) => document.getElementById(id);
const THEME_KEY = 'petamigos.theme';
const POLL_MS = 30_000;

// ---- theme: 'system' | 'light' | 'dark', applied as <html data-theme> (none
// for system), which app.css and the canvas (feed.js) follow.
function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function themeChoice() {
  const v = stored(THEME_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function applyTheme(choice) {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  dispatchEvent(new CustomEvent('pa:theme', { detail: { theme: choice } }));
}

export function setTheme(choice) {
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // not remembered; still applied
  }
  applyTheme(choice);
}

applyTheme(themeChoice()); // before the first paint of any screen

// ---- session changes

// After signup/login: session is the server's {user, csrf_token}; the
// screens follow once the offline cache is the new person's (api.js).
export async function signedIn(session) {
  await setSession(session);
  changed();
}

// Ends this session (everywhere: all sessions of the account). Resolves to
// the api.js answer; the local state is signed out whatever the server said
// unless the network failed.
export async function logOut({ everywhere = false } = {}) {
  const r = await post(everywhere ? '/api/v1/auth/logout-all' : '/api/v1/auth/logout', {});
  if (r.ok || r.error.kind === 'auth') {
    await forgetSession(); // what was cached for them goes too (api.js)
    changed();
    return { ok: true };
  }
  return r;
}

// The account is gone (deleted): signed out here too, its cached answers gone.
export async function accountGone() {
  await forgetSession();
  changed();
}

function changed() {
  dispatchEvent(new CustomEvent('pa:session-changed'));
}

// ---- header, banners and badge
let ctx = null;
let unread = 0;
let pollTimer = 0;

export function startAccount(appCtx) {
  ctx = appCtx;
  $('logout').addEventListener('click', async () => {
    const r = await logOut();
    if (r.ok) ctx.navigate('/');
  });
  $('session-login').addEventListener('click', (e) => { e.currentTarget.href = loginHref(); });
  // The support widget is not part of the start: its module loads on the first click.
  $('help-open').addEventListener('click', () => import('./support/widget.js').then((m) => m.open(ctx), (err) => console.error(err)));
  $('session-dismiss').addEventListener('click', () => { $('session-banner').hidden = true; });
  addEventListener('pa:session-expired', () => {
    $('session-login').href = loginHref();
    $('session-banner').hidden = false;
    renderHeader();
  });
  addEventListener('pa:session-changed', () => {
    $('session-banner').hidden = true;
    renderHeader();
  });
  addEventListener('pa:locale', () => renderBadge());
  addEventListener('online', () => reachability());
  addEventListener('offline', () => showNetwork('offline'));
  addEventListener('pa:reachable', (e) => {
    if (!e.detail.ok) return showNetwork(e.detail.kind);
    showNetwork(navigator.onLine === false ? 'offline' : '');
    renderHeader();
  });
  addEventListener('pa:navigated', () => refreshBadge());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshBadge();
  });
  if (offline()) showNetwork('offline');
  renderHeader();
}

const loginHref = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;

// Offline, nothing is asked (the request could only fail); the header shows
// once the session is known.
const offline = () => navigator.onLine === false;

async function renderHeader() {
  if (offline()) return;
  const { user } = await getSession();
  $('account-out').hidden = !!user;
  $('account-in').hidden = !user;
  // The console's link, for people on the team (any role); the server checks each request anyway.
  $('admin-link').hidden = !user?.roles?.length;
  refreshBadge();
}

// ---- the network banner: '' hides it; otherwise 'offline' or 'unreachable'.
// While it shows, the server is asked again every few seconds, and the
// banner goes when an answer comes back.
let probeTimer = 0;
function showNetwork(kind) {
  const banner = $('network-banner');
  banner.hidden = !kind;
  banner.dataset.kind = kind;
  $('network-text').dataset.i18n = kind === 'offline' ? 'account.offline' : 'account.unreachable';
  $('network-text').textContent = kind ? ctx.t($('network-text').dataset.i18n) : '';
  clearTimeout(probeTimer);
  if (kind) probeTimer = setTimeout(reachability, 5000);
}

async function reachability() {
  if (offline()) return showNetwork('offline');
  const r = await get('/api/v1/auth/session');
  const down = !r.ok && (r.error.kind === 'offline' || r.error.kind === 'unreachable');
  showNetwork(down ? r.error.kind : '');
  if (!down) renderHeader();
}

// ---- the unread badge on the Notifications tab
export async function refreshBadge() {
  clearTimeout(pollTimer);
  if (offline()) return; // asked again when the network is back
  const { user } = await getSession();
  if (user) {
    const r = await get('/api/v1/notifications/unread');
    if (r.ok) unread = r.data.unread_count;
  } else {
    unread = 0;
  }
  renderBadge();
  if (user) pollTimer = setTimeout(() => { if (document.visibilityState === 'visible') refreshBadge(); }, POLL_MS);
}

// The screen read some: the count it now knows.
export function setUnread(n) {
  unread = n;
  renderBadge();
}

function renderBadge() {
  const badge = $('unread-badge');
  const said = $('unread-text');
  badge.hidden = unread === 0;
  badge.textContent = unread > 99 ? '99+' : String(unread);
  // A space keeps the tab's label and the count apart in the link's name.
  said.textContent = unread ? ` ${ctx.t('notifications.unread', { count: unread })}` : '';
}

// Where to go after signing in: ?next= when it is a path on this site, else home.
// "Chrome on Linux": a session's or a security notice's device in words
// (the server names browsers and systems from a fixed list, auth/device.h).
export function deviceName(t, d) {
  if (d.browser && d.os) return t('sessions.device', { browser: d.browser, os: d.os });
  return d.browser || d.os || t('sessions.unknownDevice');
}

export function nextPath() {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
