// The shell's entry: starts the core (feed.js), the language (i18n.js) and the
// session (api.js), then shows one screen per URL (router.js). Screens other
// than the feed are DOM modules in screens/, loaded when first visited.
import { startFeed, feedReady, loadFirstFeed, showFeed, showStatus, mark } from './feed.js';
import { startI18n, localize, t } from './i18n.js';
import { SW_URL, getSession, getBytesEarly } from './api.js';
import { requestFirstPage } from './ranking.js';
import { route, match, navigate, startRouter } from './router.js';
import { startAccount } from './account.js';

const $ = (id) => document.getElementById(id);

// Routes, most specific first; the name is the module in screens/. canvas: the
// route shows the core's feed instead. auth: signed-in users only (others go to /login).
route('/', 'feed', { canvas: true });
route('/reels', 'feed', { canvas: true, reels: true });
// Before '/pets/:id', which would match '/pets/new'.
route('/pets/new', 'pet-edit', { auth: true });
route('/pets/:id/edit', 'pet-edit', { auth: true });
// The pet-health dashboard: the owner's; a vet's share link needs no session.
route('/pets/:id/health', 'health', { auth: true });
route('/vet/:token', 'health');
route('/compose', 'compose', { auth: true });
route('/compose/story', 'compose-story', { auth: true });
route('/compose/reel', 'compose-reel', { auth: true });
route('/me', 'person', { auth: true });
route('/people/:id/followers', 'follows');
route('/people/:id/following', 'follows');
route('/people/:id', 'person');
route('/pets/:id/followers', 'follows');
route('/pets/:id', 'pet');
route('/posts/:id', 'post');
route('/tags/:tag', 'tag');
route('/search', 'search');
// /help/search before /help/:slug.
route('/help', 'help');
route('/help/search', 'help');
route('/help/:slug', 'help-article');
route('/signup', 'signup');
route('/login', 'login');
route('/settings/profile', 'settings-profile', { auth: true });
route('/settings', 'settings');
route('/affiliate', 'affiliate', { auth: true });
route('/forgot', 'forgot');
route('/reset', 'reset');
route('/confirm-email', 'confirm-email');
route('/notifications', 'notifications', { auth: true });
route('/admin', 'admin', { auth: true }); // the team's console; the screen refuses people without a role
route('/plans', 'plans');
route('/billing/return', 'billing-return', { auth: true });
route('/billing', 'billing', { auth: true });
route('/affiliate/dashboard', 'affiliate-dashboard', { auth: true });
route('/market', 'market');
route('/market/mine', 'my-listings', { auth: true });
route('/market/seller', 'seller-profile', { auth: true });
route('/listings/:id', 'listing');
route('/sellers/:id', 'seller');
route('/sell', 'sell', { auth: true });
route('/sell/:id', 'sell', { auth: true });
route('/cart', 'cart', { auth: true });
route('/orders', 'orders', { auth: true });
route('/orders/:id/return', 'order-return', { auth: true });
route('/orders/:id', 'order', { auth: true });
route('/market/orders', 'orders', { auth: true });
route('/market/dashboard', 'dashboard', { auth: true });
route('/ads', 'ads', { auth: true });
route('/ads/topups/return', 'ads-topup-return', { auth: true });
route('/ads/campaigns', 'ads-campaigns', { auth: true });
route('/ads/campaigns/new', 'ads-campaign-form', { auth: true });
route('/ads/campaigns/:id/edit', 'ads-campaign-form', { auth: true });
route('/ads/campaigns/:id', 'ads-campaign', { auth: true });
// /chat/:id: "Message" on a person's page (:id is their user id).
route('/chat', 'chat', { auth: true });
route('/chat/groups/:id', 'chat-group', { auth: true });
route('/chat/:id/verify', 'chat-verify', { auth: true });
route('/chat/:id', 'chat', { auth: true });
route('/support/:id', 'support', { auth: true });
route('/live/new', 'live-new', { auth: true });
route('/live/:id', 'live', { auth: true });

// What every screen gets besides its root and params.
const ctx = {
  t,
  navigate,
  localize,
  session: () => getSession(),
  core: null,
};

let cleanup = null;
let feedStarted = false;
let shows = 0; // navigations begun; the newest one clears aria-busy

// #screen is aria-busy until built (mounted, localized, heading focused).
async function show(loc) {
  const mine = ++shows;
  const screen = $('screen');
  screen.setAttribute('aria-busy', 'true');
  try {
    await build(loc, screen);
  } finally {
    if (mine === shows) screen.removeAttribute('aria-busy');
  }
}

async function build(loc, screen) {
  const found = match(loc.pathname);
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  screen.replaceChildren();
  for (const a of document.querySelectorAll('#tabs a')) {
    if (a.getAttribute('href') === loc.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  dispatchEvent(new CustomEvent('pa:navigated', { detail: { path: loc.pathname } }));
  if (found?.route.auth && !(await getSession()).user) {
    navigate(`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`, { replace: true });
    return;
  }
  const onCanvas = !found || found.route.canvas;
  screen.hidden = onCanvas && !!found;
  document.body.dataset.route = found ? found.route.name : 'not-found';
  if (found?.route.canvas) {
    showFeed(true, { reels: !!found.route.reels });
    if (!feedStarted) {
      feedStarted = true;
      await loadFirstFeed();
    }
    return;
  }
  showFeed(false);
  screen.hidden = false;
  if (!found) {
    const h = document.createElement('h1');
    h.textContent = t('app.notFound');
    const p = document.createElement('p');
    const a = document.createElement('a');
    a.href = '/';
    a.textContent = t('app.backHome');
    p.append(a);
    screen.append(h, p);
    return;
  }
  try {
    const mod = await import(`./screens/${found.route.name}.js`);
    if (location.pathname !== loc.pathname) return; // navigated away while loading
    cleanup = await mod.mount(screen, found.params, ctx);
  } catch (err) {
    console.error(err);
    showStatus('error', t('app.screenFailed'));
  }
  localize(screen);
  // Focus the new screen's heading, so screen readers hear where they are.
  const heading = screen.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

async function start() {
  mark('start');
  // The first screen's data goes out now, beside the core's download and
  // compile (issue 26): the English catalog, and on the feed its first page.
  getBytesEarly('/locales/en.json');
  if (match(location.pathname)?.route.canvas) requestFirstPage();
  ctx.core = await startFeed();
  await Promise.all([startI18n(ctx.core), feedReady()]);
  mark('i18n-ready');
  startAccount(ctx);
  // Someone else signed in (or nobody now): the feed is theirs.
  addEventListener('pa:session-changed', () => { if (feedStarted) loadFirstFeed(); });
  startRouter((loc) => show(loc).catch((err) => console.error(err)));
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(SW_URL).catch((err) => console.info('offline support unavailable:', err.message));
}

start().catch((err) => {
  console.error(err);
  // The catalogs are read by the core: when it could not start, t() has no
  // words yet (it answers the key), and only English is left to say so.
  const text = t('app.startFailed', { reason: err.message });
  showStatus('error', text === 'app.startFailed' ? `PetAmigos could not start: ${err.message}` : text);
});
