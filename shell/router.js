// URLs for every screen: history.pushState navigation, back/forward and deep
// links. A screen is a module in screens/ exporting
//   mount(root, params, ctx) → optional cleanup function
// where root is an empty <section> it owns until the next navigation, params
// holds the route's named parts, and ctx is the app context (see app.js).
// The feed is not a screen module: it is the canvas, shown when the route
// is 'feed' (or another route that declares `canvas: true`).
const routes = [];

// route('/pets/:id', 'pet', {canvas}) — load is the module name in screens/.
export function route(pattern, name, opts = {}) {
  const keys = [];
  const source = pattern.replace(/:([a-z]+)/g, (_, k) => {
    keys.push(k);
    return '([^/]+)';
  });
  routes.push({ name, keys, re: new RegExp(`^${source}/?$`), ...opts });
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (m) {
      const params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      return { route: r, params };
    }
  }
  return null;
}

let onChange = () => {};

export function startRouter(handler) {
  onChange = handler;
  addEventListener('popstate', () => onChange(location));
  // Same-origin links navigate in place; modified clicks open tabs as usual.
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[href]');
    if (!a || a.target || a.hasAttribute('download') || e.defaultPrevented) return;
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/media/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  onChange(location);
}

// navigate('/pets/pet_3') — pushes (or replaces) history and shows the screen.
export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, location.href);
  if (url.href === location.href && !replace) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search + url.hash);
  onChange(location);
}
