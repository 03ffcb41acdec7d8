// /search?q=… — people, pets, breeds and tags as you type: one request per
// kind, debounced, the stale ones aborted, the query kept in the URL. The
// field is a combobox over a listbox of results: ↓/↑ move, Enter opens,
// Escape clears. A breed opens the pets of that breed (pets match by breed).
import { get } from '../api.js';
import { speciesLabel } from '../pets.js';
import { nameWithBadge } from '../plus.js';
import { avatar, el, failureText } from '../social.js';

const KINDS = ['people', 'pets', 'breeds', 'tags'];
const WAIT_MS = 200;

export function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const input = el('input', {
    type: 'search', id: 'search-q', name: 'q', autocomplete: 'off', spellcheck: false, enterKeyHint: 'search',
    role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'search-results', 'aria-autocomplete': 'list',
    'aria-describedby': 'search-help',
  });
  const listbox = el('div', { id: 'search-results', role: 'listbox', 'aria-label': t('search.results'), className: 'search-results' });
  const status = el('p', { id: 'search-status', className: 'social-note', role: 'status' });
  const form = el('form', { role: 'search', className: 'search-form', action: '/search' },
    el('label', { htmlFor: 'search-q', textContent: t('search.label') }), input,
    el('p', { id: 'search-help', className: 'social-note', textContent: t('search.help') }));
  root.append(el('h1', { textContent: t('search.title') }), form, status, listbox);

  let options = []; // [{node, href | breed}]
  let active = -1;
  let timer = 0;
  let inflight = null;

  function setActive(i) {
    if (options[active]) options[active].node.setAttribute('aria-selected', 'false');
    active = i;
    const o = options[i];
    if (o) {
      o.node.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', o.node.id);
      o.node.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(o) {
    if (o.breed) {
      input.value = o.breed;
      run(true);
      input.focus();
    } else {
      navigate(o.href);
    }
  }

  // label: text, or the nodes of a name with its Plus badge (plus.js).
  function option(kind, i, label, detail, href, pic) {
    const node = el('div', { id: `search-${kind}-${i}`, role: 'option', 'aria-selected': 'false', className: 'search-option' },
      pic ?? '', el('span', { className: 'search-label' }, ...[label].flat()),
      detail ? el('span', { className: 'social-note', textContent: detail }) : '');
    const o = { node, href: href.href, breed: href.breed };
    node.addEventListener('click', () => choose(o));
    node.addEventListener('pointermove', () => setActive(options.indexOf(o)));
    options.push(o);
    return node;
  }

  function render(q, results) {
    options = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    const groups = [];
    const [people, pets, breeds, tags] = results;
    const group = (kind, nodes) => {
      if (!nodes.length) return;
      groups.push(el('div', { role: 'group', 'aria-labelledby': `search-g-${kind}`, className: 'search-group' },
        el('div', { id: `search-g-${kind}`, role: 'presentation', className: 'search-group-title', textContent: t(`search.kind.${kind}`) }),
        ...nodes));
    };
    group('people', people.map((u, i) => option('people', i, nameWithBadge(t, u), '', { href: `/people/${encodeURIComponent(u.id)}` }, avatar(u.avatar_url, u.name))));
    group('pets', pets.map((p, i) => option('pets', i, p.name, speciesLabel(t, p.species), { href: `/pets/${encodeURIComponent(p.id)}` }, avatar(p.avatar_url, p.name))));
    group('breeds', breeds.map((b, i) => option('breeds', i, b.breed, t('search.breedPets', { species: speciesLabel(t, b.species), count: b.pet_count }), { breed: b.breed })));
    group('tags', tags.map((g, i) => option('tags', i, `#${g.tag}`, t('social.posts', { count: g.post_count }), { href: `/tags/${encodeURIComponent(g.tag)}` })));
    listbox.replaceChildren(...groups);
    input.setAttribute('aria-expanded', String(options.length > 0));
    status.textContent = options.length ? t('search.count', { count: options.length }) : t('search.none', { q });
  }

  // Asks for every kind at once; a newer query aborts the older one.
  async function run(now = false) {
    clearTimeout(timer);
    const q = input.value.trim();
    const url = q ? `/search?q=${encodeURIComponent(q)}` : '/search';
    if (location.pathname + location.search !== url) history.replaceState(null, '', url);
    inflight?.abort();
    inflight = null;
    if (!q) {
      listbox.replaceChildren();
      options = [];
      input.setAttribute('aria-expanded', 'false');
      status.textContent = '';
      return;
    }
    if (!now) {
      timer = setTimeout(() => run(true), WAIT_MS);
      return;
    }
    const mine = new AbortController();
    inflight = mine;
    status.textContent = t('search.searching');
    const answers = await Promise.all(KINDS.map((k) => get(`/api/v1/search?type=${k}&limit=5&q=${encodeURIComponent(q)}`, { signal: mine.signal })));
    if (inflight !== mine) return; // a newer query is on its way, or the screen closed
    inflight = null;
    // (An answer cut short reads as ok without a body.)
    const failed = answers.find((a) => !a.ok || !Array.isArray(a.data?.results));
    if (failed) {
      listbox.replaceChildren();
      options = [];
      input.setAttribute('aria-expanded', 'false');
      status.textContent = failed.error ? `${t('search.failed')} ${failureText(t, failed.error)}` : t('search.failed');
      return;
    }
    render(q, answers.map((a) => a.data.results));
  }

  input.addEventListener('input', () => run());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!options.length) return;
      e.preventDefault();
      const n = options.length;
      setActive(e.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (options[active]) choose(options[active]);
      else run(true);
    } else if (e.key === 'Escape') {
      if (active >= 0) setActive(-1);
      else if (input.value) { input.value = ''; run(true); }
    }
  });
  form.addEventListener('submit', (e) => e.preventDefault());

  input.value = new URLSearchParams(location.search).get('q') ?? '';
  if (input.value) run(true);
  // The field, not the heading, gets focus: searching is why you came.
  requestAnimationFrame(() => input.focus());
  return () => {
    clearTimeout(timer);
    inflight?.abort();
    inflight = null;
  };
}
