// /market: browse the marketplace (issue 20). Category chips, a search box
// (GET /api/v1/listings?q= with the person's language as `lang`, so the
// server analyzes the words as they are meant: "cama perro" finds "Camas …
// para perros"), filters (price range in one currency, species, condition,
// city), an order, and the results drawn by the core on the canvas under the
// form (grid.js with kind 'listings': each photo with its title and price,
// paged by the core as it scrolls), whose mirror is a list of links with the
// title and the price in words. Every choice lives in the URL
// (?category=beds&q=…), so a reload or a shared link shows the same results.
// The server's refusals (a search over its word limit, a price order without
// a currency) are said beside their field. Signed in, the header links to the
// person's orders and their cart, whose link says how many units it holds,
// and a seller's (someone with listings) to their dashboard.
import { get } from '../api.js';
import { cartCount, cartLink } from '../shop-kit.js';
import { el, failureText } from '../compose-kit.js';
import { closeGrid, openGrid } from '../grid.js';
import { currentLocale } from '../i18n.js';
import { CATEGORIES, CONDITIONS, CURRENCIES, SPECIES, categoryName, conditionName, decimalToMinor, minorToDecimal,
  speciesName } from '../market-kit.js';

// The server's limit on a search's words (store/textindex.h, PA_STORE_TEXTINDEX_QUERY_WORDS).
const QUERY_WORDS = 8;

const FILTERS = ['q', 'category', 'species', 'condition', 'city', 'currency', 'price_min', 'price_max', 'sort'];

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const signedIn = !!(await ctx.session()).user;
  // Someone who has listed something (a seller) has a link to their dashboard too: asked of
  // their listings, which answer everyone (GET /api/v1/me/seller would fail for non-sellers).
  const [count, mine] = signedIn ? await Promise.all([cartCount(), get('/api/v1/me/listings?limit=1')]) : [0, null];
  const want = new URLSearchParams(location.search);

  root.append(el('h1', { textContent: t('market.title') }),
    el('p', { className: 'mkt-actions' },
      el('a', { href: '/sell', className: 'kit-button', textContent: t('market.sell') }),
      signedIn ? el('a', { href: '/market/mine', className: 'kit-secondary', textContent: t('market.mine') }) : null,
      signedIn ? el('a', { href: '/orders', className: 'kit-secondary', textContent: t('shop.orders') }) : null,
      mine?.ok && mine.data.listings.length ? el('a', { href: '/market/dashboard', className: 'kit-secondary', textContent: t('dash.title') }) : null,
      signedIn ? cartLink(t, count) : null));

  // ---- category chips: toggle buttons, one pressed at most ("All": none)
  const chips = el('div', { className: 'mkt-chips', role: 'group', 'aria-label': t('market.categories') });
  const chip = (value, label) => {
    const b = el('button', { type: 'button', className: 'mkt-chip', textContent: label,
      'aria-pressed': String((want.get('category') ?? '') === value) });
    b.dataset.category = value;
    b.addEventListener('click', () => {
      for (const c of chips.children) c.setAttribute('aria-pressed', String(c === b));
      search();
    });
    return b;
  };
  chips.append(chip('', t('market.allCategories')), ...CATEGORIES.map((c) => chip(c, categoryName(t, c))));

  // ---- the search box and the filters, one form
  const form = el('form', { className: 'mkt-filters', role: 'search', noValidate: true });
  const errors = {};
  const row = (id, labelKey, control) => {
    control.id = id;
    errors[id] = el('p', { id: `${id}-error`, className: 'kit-error' });
    control.setAttribute('aria-describedby', `${id}-error`);
    return el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(labelKey) }), control, errors[id]);
  };
  const select = (name, options, any) => {
    const s = el('select', { name });
    if (any) s.append(el('option', { value: '', textContent: any }));
    for (const [value, label] of options) s.append(el('option', { value, textContent: label }));
    s.value = want.get(name) ?? (any ? '' : options[0][0]);
    return s;
  };
  const q = el('input', { type: 'search', name: 'q', maxLength: 100, autocomplete: 'off', value: want.get('q') ?? '' });
  const currency = select('currency', CURRENCIES.map((c) => [c, c]), t('market.anyCurrency'));
  const amount = (name) => el('input', { type: 'text', name, inputMode: 'decimal', autocomplete: 'off',
    value: want.get(name) && want.get('currency') ? minorToDecimal(want.get(name), want.get('currency')) : '' });
  const priceMin = amount('price_min');
  const priceMax = amount('price_max');
  const species = select('species', SPECIES.map((s) => [s, speciesName(t, s)]), t('market.anySpecies'));
  const condition = select('condition', CONDITIONS.map((c) => [c, conditionName(t, c)]), t('market.anyCondition'));
  const city = el('input', { type: 'text', name: 'city', maxLength: 120, autocomplete: 'address-level2', value: want.get('city') ?? '' });
  const sort = select('sort', ['newest', 'price_asc', 'price_desc'].map((s) => [s, t(`market.sort.${s}`)]));
  const searchRow = row('mkt-q', 'market.search', q);
  const apply = el('button', { type: 'submit', className: 'kit-primary', textContent: t('market.apply') });
  // Folded on phones (the results would start a screen below) unless a filter is set.
  const filters = el('details', { className: 'mkt-fieldset', open: matchMedia('(min-width: 720px)').matches
    || FILTERS.some((f) => f !== 'q' && f !== 'category' && want.has(f)) },
  el('summary', { textContent: t('market.filters') }),
  el('div', { className: 'mkt-filter-grid' },
    row('mkt-price-min', 'market.priceMin', priceMin), row('mkt-price-max', 'market.priceMax', priceMax),
    row('mkt-currency', 'market.currency', currency), row('mkt-species', 'market.species', species),
    row('mkt-condition', 'market.conditionLabel', condition), row('mkt-city', 'market.city', city),
    row('mkt-sort', 'market.sortLabel', sort)));
  form.append(searchRow, filters, el('div', { className: 'kit-actions' }, apply));
  const failure = el('p', { className: 'kit-error', role: 'alert' });
  // The search box first: on a phone the results start under this header.
  root.append(form, chips, failure);

  function showFailure(error) {
    const id = { currency: 'mkt-currency', price_min: 'mkt-price-min', price_max: 'mkt-price-max', city: 'mkt-city',
      sort: 'mkt-sort', q: 'mkt-q' }[error.field];
    if (id) {
      if (id !== 'mkt-q') filters.open = true;
      // The search's limits in the person's words; the server's message for the others.
      errors[id].textContent = id === 'mkt-q' ? t('market.error.query', { count: QUERY_WORDS })
        : error.message || failureText(t, error);
      document.getElementById(id).setAttribute('aria-invalid', 'true');
    } else failure.textContent = failureText(t, error);
  }

  function search({ push = true } = {}) {
    for (const [id, p] of Object.entries(errors)) {
      p.textContent = '';
      document.getElementById(id)?.removeAttribute('aria-invalid');
    }
    failure.textContent = '';
    const p = new URLSearchParams();
    const category = chips.querySelector('[aria-pressed="true"]')?.dataset.category;
    if (q.value.trim()) p.set('q', q.value.trim());
    if (category) p.set('category', category);
    if (species.value) p.set('species', species.value);
    if (condition.value) p.set('condition', condition.value);
    if (city.value.trim()) p.set('city', city.value.trim());
    if (currency.value) p.set('currency', currency.value);
    for (const [input, name, id] of [[priceMin, 'price_min', 'mkt-price-min'], [priceMax, 'price_max', 'mkt-price-max']]) {
      if (!input.value.trim()) continue;
      const minor = decimalToMinor(input.value, currency.value || 'USD');
      if (minor === null) {
        filters.open = true;
        errors[id].textContent = t('market.error.amount');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      p.set(name, String(minor));
    }
    if (sort.value !== 'newest') p.set('sort', sort.value);
    if (push) {
      const url = `/market${p.size ? `?${p}` : ''}`;
      if (url !== location.pathname + location.search) history.replaceState(null, '', url);
    }
    // The words are analyzed in the person's language (the URL keeps only what they chose).
    const api = new URLSearchParams(p);
    if (p.has('q')) api.set('lang', currentLocale() === 'en-XA' ? 'en' : currentLocale() || 'en');
    return openGrid(`/api/v1/listings?${api}`, {
      kind: 'listings',
      title: t('market.results'),
      empty: p.has('q') ? t('market.noMatch', { q: p.get('q') }) : t('market.none'),
      onPage: (r) => {
        if (!r.ok) showFailure(r.error);
      },
    });
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search();
  });
  await search({ push: FILTERS.some((f) => want.has(f)) });
  return closeGrid;
}
