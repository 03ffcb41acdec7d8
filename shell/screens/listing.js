// /listings/:id: one listing (issue 20). Its photos in a carousel (Previous
// and Next buttons, or the arrow keys with the carousel focused; each photo
// named "Photo 2 of 3: title", the position said in a live region), the price
// in the person's locale (market-kit.js: Intl.NumberFormat, the currency's
// exponent), variants, condition, shipping, the seller with a link to their
// page, and Report (shell/report.js, kind "listing"). Its seller sees its
// state and an Edit link instead of Report. Others get "Add to cart" (the
// option, the quantity; PUT /api/v1/cart/items), or a link to sign in first.
// Reviews are left from the order's own screen only (order.js): a review
// belongs to an order, and that screen knows whether it has one.
import { get, put } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { categoryName, conditionName, price, ratingSummary, speciesName } from '../market-kit.js';
import { reportButton } from '../report.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const [r, session] = await Promise.all([get(`/api/v1/listings/${encodeURIComponent(params.id)}`), ctx.session()]);
  if (!r.ok) {
    root.append(el('h1', { textContent: t('market.title') }),
      el('p', { role: 'alert', textContent: r.error.status === 404 ? t('market.notFound') : failureText(t, r.error) }));
    return;
  }
  const l = r.data;
  const mine = session.user?.id === l.seller.id;
  root.append(el('h1', { textContent: l.title }));
  if (l.photos.length) root.append(carousel(t, l));

  const facts = el('dl', { className: 'mkt-facts' });
  const fact = (key, value) => facts.append(el('dt', { textContent: t(key) }), el('dd', { textContent: value }));
  root.append(el('p', { className: 'mkt-price', textContent: price(l.price_minor, l.currency) }));
  if (mine || l.status !== 'active') root.append(el('p', { className: 'mkt-card-status', textContent: t(`market.status.${l.status}`) }));
  fact('market.conditionLabel', conditionName(t, l.condition));
  fact('market.categoryLabel', categoryName(t, l.category));
  if (l.species.length) fact('market.species', l.species.map((s) => speciesName(t, s)).join(', '));
  fact('market.location', `${l.location.city}, ${l.location.country}`);
  if (!l.variants.length) fact('market.stock', t('market.inStock', { count: l.stock }));
  root.append(facts);
  if (l.description) root.append(el('p', { className: 'mkt-description', textContent: l.description }));

  if (l.variants.length) {
    const table = el('table', { className: 'mkt-table' }, el('caption', { textContent: t('market.variants') }),
      el('thead', {}, el('tr', {}, ...['market.size', 'market.colour', 'market.price', 'market.stock'].map((k) =>
        el('th', { scope: 'col', textContent: t(k) })))),
      el('tbody', {}, ...l.variants.map((v) => el('tr', {}, el('td', { textContent: v.size || '—' }),
        el('td', { textContent: v.colour || '—' }),
        el('td', { textContent: price(v.price_minor ?? l.price_minor, l.currency) }),
        el('td', { textContent: t('market.inStock', { count: v.stock }) })))));
    root.append(table);
  }

  const ship = el('ul', { className: 'mkt-shipping' });
  for (const z of l.shipping.zones ?? []) {
    ship.append(el('li', { textContent: t('market.zoneRate', { zone: z.name, price: price(z.price_minor, l.currency) }) }));
  }
  if (l.shipping.pickup) ship.append(el('li', { textContent: t('market.pickup') }));
  if (l.shipping.area?.length) ship.append(el('li', { textContent: t('market.area', { cities: l.shipping.area.join(', ') }) }));
  if (ship.children.length) root.append(el('h2', { textContent: t('market.shipping') }), ship);

  if (!mine && l.status === 'active') root.append(buyBox(t, l, session));

  root.append(el('h2', { textContent: t('market.seller') }),
    el('p', {}, el('a', { href: `/sellers/${l.seller.id}`, textContent: l.seller.name })),
    ratingSummary(t, l.seller.reviews));
  const actions = el('p', { className: 'mkt-actions' });
  if (mine) actions.append(el('a', { href: `/sell/${l.id}`, className: 'kit-secondary', textContent: t('market.edit') }));
  else if (session.user) actions.append(reportButton(t, 'listing', l.id, 'kit-secondary'));
  if (actions.children.length) root.append(actions);
}

const QUANTITY_MAX = 99; // PA_CART_QUANTITY_MAX (web/src/market_order.h)

// "Add to cart": the option (when the listing has some, sold-out ones
// disabled), the quantity up to what is left, and what happened in words
// with a link to the cart. Signed out: a link to sign in and come back.
function buyBox(t, l, session) {
  if (!session.user) {
    return el('p', { className: 'mkt-actions' }, el('a', { href: `/login?next=${encodeURIComponent(location.pathname)}`,
      className: 'kit-button', textContent: t('shop.loginToBuy') }));
  }
  const form = el('form', { className: 'mkt-form shop-buy', noValidate: true, 'aria-label': t('shop.addToCart') });
  const status = el('p', { role: 'status', className: 'shop-added' });
  const error = el('p', { className: 'kit-error', id: 'shop-buy-error' });
  const quantity = el('select', { id: 'shop-quantity', 'aria-describedby': 'shop-buy-error' });
  const setMax = (stock) => {
    const keep = Number(quantity.value) || 1;
    quantity.replaceChildren(...Array.from({ length: Math.max(1, Math.min(QUANTITY_MAX, stock)) }, (_, i) =>
      el('option', { value: String(i + 1), textContent: String(i + 1) })));
    quantity.value = String(Math.min(keep, quantity.options.length));
  };
  let variant = null;
  if (l.variants.length) {
    variant = el('select', { id: 'shop-variant', 'aria-describedby': 'shop-buy-error' },
      ...l.variants.map((v) => el('option', { value: v.id, disabled: v.stock < 1,
        textContent: `${[v.size, v.colour].filter(Boolean).join(' · ') || '—'} (${price(v.price_minor ?? l.price_minor, l.currency)})${v.stock < 1 ? ` — ${t('market.status.sold_out')}` : ''}` })));
    const first = l.variants.find((v) => v.stock > 0);
    if (first) variant.value = first.id;
    variant.addEventListener('change', () => setMax(l.variants.find((v) => v.id === variant.value)?.stock ?? 1));
    form.append(el('div', { className: 'kit-field' }, el('label', { htmlFor: 'shop-variant', textContent: t('market.variants') }), variant));
    setMax(first?.stock ?? 1);
  } else {
    setMax(l.stock);
  }
  const add = el('button', { type: 'submit', className: 'kit-primary', textContent: t('shop.addToCart') });
  form.append(el('div', { className: 'kit-field' }, el('label', { htmlFor: 'shop-quantity', textContent: t('shop.quantity') }), quantity),
    add, error, status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    add.disabled = true;
    const body = { listing: l.id, quantity: Number(quantity.value), ...(variant ? { variant: variant.value } : {}) };
    const r = await put('/api/v1/cart/items', body);
    add.disabled = false;
    if (!r.ok) {
      error.textContent = r.error.code === 'mixed_currencies' ? t('shop.mixedCurrencies') : failureText(t, r.error);
      return;
    }
    const units = r.data.items.reduce((n, i) => n + i.quantity, 0);
    status.replaceChildren(document.createTextNode(`${t('shop.added', { count: units })} `),
      el('a', { href: '/cart', textContent: t('shop.viewCart') }));
  });
  return form;
}

// A carousel of the listing's photos: one shown at a time; the buttons and
// the arrow keys (on the focused carousel) move; Home and End go to the ends.
function carousel(t, l) {
  const count = l.photos.length;
  let at = 0;
  const live = el('p', { className: 'visually-hidden', 'aria-live': 'polite' });
  const figures = l.photos.map((p, i) => el('img', { src: p.url, className: 'mkt-photo', hidden: i !== 0,
    alt: t('market.photoOf', { n: i + 1, count, title: l.title }) }));
  const prev = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.previousPhoto') });
  const next = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.nextPhoto') });
  const position = el('span', { className: 'mkt-position', 'aria-hidden': 'true' });
  const region = el('section', { className: 'mkt-carousel', 'aria-roledescription': t('market.carousel'),
    'aria-label': t('market.photos'), tabIndex: 0 }, el('div', { className: 'mkt-stage' }, ...figures),
  count > 1 ? el('div', { className: 'mkt-carousel-controls' }, prev, position, next) : null, live);
  function show(i, announce = true) {
    at = (i + count) % count;
    figures.forEach((f, j) => { f.hidden = j !== at; });
    position.textContent = `${at + 1} / ${count}`;
    if (announce) live.textContent = figures[at].alt;
  }
  prev.addEventListener('click', () => show(at - 1));
  next.addEventListener('click', () => show(at + 1));
  region.addEventListener('keydown', (e) => {
    const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    const rtl = getComputedStyle(region).direction === 'rtl';
    if (step) show(at + (rtl ? -step : step));
    else if (e.key === 'Home') show(0);
    else if (e.key === 'End') show(count - 1);
    else return;
    e.preventDefault();
  });
  show(0, false);
  return region;
}
