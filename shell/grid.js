// The posts grid of a profile or a tag, and the marketplace's browse results,
// drawn by the core (core/src/app/app_grid.c) on the feed's canvas: this
// module fetches their pages, shows the canvas below the screen's DOM header,
// and keeps the grid's mirror — a list of links, one per post or listing near
// the screen, labelled with the caption, or the title and the price the core
// formats — in step with it. Screens call openGrid(url) in mount (the market:
// openGrid(url, {kind: 'listings', …})) and closeGrid() in their cleanup.
import { getBytes } from './api.js';
import { t } from './i18n.js';
import { pa_feed_mode, pa_grid_kind } from './seam/app.js';

let host = null; // {pa (seam/app.js's exports), app, redraw, show} from feed.js
let source = null; // the page URL of the open grid, or null
let options = {}; // the open grid's openGrid options
let columns = 3; // tiles a row, as the core last laid them out
let generation = 0; // answers for a grid no longer open are dropped

const $ = (id) => document.getElementById(id);

export function startGrid(bridge) {
  host = bridge;
  const list = $('grid-mirror');
  list.addEventListener('focusin', (e) => {
    const li = e.target.closest('li');
    if (li) host.pa.appGridFocus(host.app, Number(li.dataset.index));
    host.redraw();
  });
  list.addEventListener('focusout', (e) => {
    if (!list.contains(e.relatedTarget)) host.pa.appGridFocus(host.app, -1);
    host.redraw();
  });
  // Arrows move between tiles as they are laid out: three to a row (listings
  // on a phone: two).
  list.addEventListener('keydown', (e) => {
    const li = e.target.closest('li');
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[e.key];
    if (!li || !step || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    e.stopPropagation();
    const rtl = document.documentElement.dir === 'rtl' && Math.abs(step) === 1;
    const want = Number(li.dataset.index) + (rtl ? -step : step);
    list.querySelector(`li[data-index="${want}"] a`)?.focus();
  });
}

export const gridOpen = () => source !== null;

// Shows the grid of the posts at url (a feed-shaped API path) under the
// screen; with kind 'listings', of the listings at url (a ListingPage path).
// title names the mirror's list; empty is said when there are none; onPage(r)
// hears every page's answer ({ok, error}), so a screen can say a refusal
// beside the field it names. Opening again starts over (a new search).
export function openGrid(url, { kind = 'posts', title, empty, onPage } = {}) {
  source = url;
  options = { kind, empty, onPage };
  generation++;
  document.body.dataset.grid = kind;
  $('grid').hidden = false;
  $('grid-title').textContent = title ?? t('grid.title');
  host.pa.appGridOpenKind(host.app, kind === 'listings' ? pa_grid_kind.LISTINGS : pa_grid_kind.POSTS);
  host.show(true);
  host.redraw();
  return loadGridPage(null);
}

export function closeGrid() {
  if (source === null) return;
  source = null;
  options = {};
  generation++;
  delete document.body.dataset.grid;
  $('grid-title').textContent = t('grid.title');
  $('grid').hidden = true;
  $('grid-mirror').replaceChildren();
  host.pa.appGridClose(host.app);
  host.show(false);
}

// The first page (cursor null) or the one after cursor (PA_ACTION_LOAD_MORE).
export async function loadGridPage(cursor) {
  const mine = generation;
  const sep = source.includes('?') ? '&' : '?';
  const r = await getBytes(`${source}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
  if (mine !== generation) return;
  options.onPage?.(r, cursor);
  if (r.ok) {
    const bytes = r.data; // as the server sent it: the core's strict parser judges it
    try {
      host.pa.appGrid(host.app, bytes, cursor ? pa_feed_mode.APPEND : pa_feed_mode.REPLACE);
    } catch (err) {
      console.warn('grid page rejected:', err.message);
    }
  } else {
    const message = r.error.kind === 'offline' ? t('feed.error.offline') : r.error.kind === 'unreachable'
      ? t('feed.error.unreachable') : t(options.kind === 'listings' ? 'grid.listingsFailed' : 'grid.failed');
    host.pa.appGridFailed(host.app, message);
  }
  host.redraw();
}

// The mirror: a link per tile near the screen (kept by post id, so the one
// with focus survives the window sliding), with its place in the whole list.
export function renderGridMirror(g) {
  if (!g) return;
  const list = $('grid-mirror');
  const listings = g.kind === 'listings';
  columns = g.columns || 3;
  $('grid-status').textContent = g.state === 'loading' ? t(listings ? 'grid.listingsLoading' : 'grid.loading')
    : g.state === 'error' ? g.message : g.total === 0 ? options.empty ?? t('grid.empty') : '';
  list.setAttribute('aria-busy', String(g.state === 'loading'));
  if (listings) {
    // A listing's link: its title and the price the core formats, in order.
    keepChildren(list, g.listings, (l, li) => {
      if (!li) {
        li = document.createElement('li');
        li.dataset.id = l.id;
        li.append(document.createElement('a'));
      }
      li.dataset.index = String(l.index);
      li.setAttribute('aria-posinset', String(l.index + 1));
      li.setAttribute('aria-setsize', String(g.total));
      const a = li.firstChild;
      a.href = `/listings/${encodeURIComponent(l.id)}`;
      a.textContent = l.label;
      return li;
    });
    return;
  }
  keepChildren(list, g.posts, (p, li) => {
    if (!li) {
      li = document.createElement('li');
      li.dataset.id = p.id;
      li.append(document.createElement('a'));
    }
    li.dataset.index = String(p.index);
    li.setAttribute('aria-posinset', String(p.index + 1));
    li.setAttribute('aria-setsize', String(g.total));
    const a = li.firstChild;
    a.href = `/posts/${encodeURIComponent(p.id)}`;
    a.textContent = p.images > 1 ? t('grid.tileMany', { label: p.label, count: p.images }) : p.label;
    return li;
  });
}

// Makes parent's children one per item, in order, reusing the child whose
// data-id is the item's id (so the one with focus stays in the document):
// fill(item, existing child or undefined) returns the child to use.
export function keepChildren(parent, items, fill) {
  const old = new Map([...parent.children].map((el) => [el.dataset.id, el]));
  const wanted = items.map((item) => {
    const el = fill(item, old.get(item.id));
    old.delete(item.id);
    return el;
  });
  for (const gone of old.values()) gone.remove();
  let at = parent.firstChild;
  for (const el of wanted) {
    if (el !== at) parent.insertBefore(el, at);
    else at = at.nextSibling;
  }
}
