// What the marketplace's screens share (screens/market.js, listing.js,
// seller.js, sell.js, my-listings.js; issue 20): the registries the server
// keeps in web/src/market_rules.c, prices from integer minor units, and the
// listing cards of a results grid. Loaded only with those screens, so it
// costs nothing at start. Listing text is the seller's: only ever textContent.
import { el } from './compose-kit.js';
import { currentLocale, money } from './i18n.js';
import { SPECIES } from './pets.js';

// In the server's order (market_rules.c: categories, conditions).
export const CATEGORIES = ['food', 'toys', 'beds', 'health', 'grooming', 'accessories', 'walking', 'pet_sitting',
  'training', 'other'];
export const CONDITIONS = ['new', 'like_new', 'used', 'n/a'];
export { SPECIES };
// ISO 4217 exponents, as web/src/pay/money.c has them (CLP and JPY have no minor unit).
export const EXPONENTS = { USD: 2, EUR: 2, BRL: 2, ARS: 2, MXN: 2, COP: 2, CLP: 0, JPY: 0 };
export const CURRENCIES = Object.keys(EXPONENTS);
// The catalogs a listing may be written in (market_rules.c: langs).
export const LANGS = ['ar', 'bn', 'de', 'en', 'es', 'fr', 'hi', 'id', 'it', 'ja', 'ko', 'nl', 'pl', 'pt', 'ru', 'th',
  'tr', 'uk', 'vi', 'zh-Hans'];

export const categoryName = (t, c) => t(`market.category.${c}`);
export const conditionName = (t, c) => t(`market.cond.${c === 'n/a' ? 'na' : c}`);
export const speciesName = (t, s) => t(`petedit.species.${s.replace(' ', '_')}`);

// The Intl locale for the current catalog (the pseudo-locale formats as English).
const intlLocale = () => (currentLocale() === 'en-XA' ? 'en' : currentLocale() || 'en');

// 3990 USD → "39.90" — exact decimal text from integer minor units, never a float.
export function minorToDecimal(minor, currency) {
  // A negative amount (an affiliate's balance carried forward) keeps its sign in front of the digits.
  if (minor < 0) return `-${minorToDecimal(-minor, currency)}`;
  const exp = EXPONENTS[currency] ?? 2;
  const digits = String(minor).padStart(exp + 1, '0');
  return exp ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
}

// price(3990, 'USD') → "$39.90" in the person's locale: the core formats it
// (i18n.js money(), as the Billing screen's prices), fed the exact decimal
// text of the integer minor units.
export const price = (minor, currency) => money(minorToDecimal(minor, currency), currency);

// "39,90" or "39.90" → 3990 for a currency with two decimals; null when the
// text is not an amount with at most the currency's digits after the point.
export function decimalToMinor(text, currency) {
  const exp = EXPONENTS[currency] ?? 2;
  const m = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text ?? '');
  if (!m || (m[2] ?? '').length > exp) return null;
  return Number(m[1] + (m[2] ?? '').padEnd(exp, '0'));
}

// "2026-12" → "Dec 2026" in the person's language (a calendar month: UTC, no time zone moves it).
export function monthName(ym) {
  const at = Date.parse(`${ym}-01T00:00:00Z`);
  try {
    return new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(at);
  } catch {
    return ym;
  }
}

// 'USD' → "US dollars"-like, the currency's name in the person's language (Intl.DisplayNames), or its code.
export function currencyName(code) {
  try {
    return new Intl.DisplayNames([intlLocale()], { type: 'currency' }).of(code) ?? code;
  } catch {
    return code;
  }
}

// A language's own name in the person's language (Intl.DisplayNames), or its tag.
export function langName(tag) {
  try {
    return new Intl.DisplayNames([intlLocale()], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

// One result: a link (the title is its name) with the cover, the price and
// the city. `status` shows a listing's state where others' lists would not.
export function listingCard(t, l, { status = false } = {}) {
  const img = l.cover_url ? el('img', { src: l.cover_url, alt: '', loading: 'lazy', width: 320, height: 320 })
    : el('span', { className: 'mkt-card-blank' });
  const link = el('a', { href: `/listings/${l.id}`, className: 'mkt-card-link' }, img,
    el('span', { className: 'mkt-card-title', textContent: l.title }));
  return el('li', { className: 'mkt-card' }, link,
    el('p', { className: 'mkt-card-price', textContent: price(l.price_minor, l.currency) }),
    el('p', { className: 'mkt-card-meta', textContent: `${l.location.city} · ${conditionName(t, l.condition)}` }),
    status && l.status !== 'active' ? el('p', { className: 'mkt-card-status', textContent: t(`market.status.${l.status}`) }) : null);
}

// A results grid that pages with "Show more": load(cursor) → the API's
// answer ({ok, data: {listings, next_cursor}}). Says how it went in `status`.
export function listingGrid(t, { label, empty, load, cardOptions }) {
  const list = el('ul', { className: 'mkt-grid', 'aria-label': label });
  const status = el('p', { className: 'mkt-status', role: 'status' });
  const more = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.more'), hidden: true });
  let cursor = null;
  let shown = 0;
  async function page(reset) {
    if (reset) {
      list.replaceChildren();
      cursor = null;
      shown = 0;
    }
    more.disabled = true;
    const r = await load(cursor);
    more.disabled = false;
    if (!r.ok) return r;
    for (const l of r.data.listings) list.append(listingCard(t, l, cardOptions));
    shown += r.data.listings.length;
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    status.textContent = shown ? t('market.count', { count: shown }) : empty;
    return r;
  }
  more.addEventListener('click', async () => {
    const before = list.children.length;
    await page(false);
    list.children[before]?.querySelector('a')?.focus();
  });
  return { wrap: el('div', { className: 'mkt-results' }, status, list, more), status, reload: () => page(true) };
}

// Stars as text: "★★★★☆" for a rating rounded to whole stars. Never alone:
// the glyphs are hidden from assistive technology and the number beside
// them says the same in words (not colour, not shape only).
export function starText(tenths) {
  const n = Math.max(0, Math.min(5, Math.round(tenths / 10)));
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

// 45 → "4.5" in the person's locale (one decimal: the server's tenths).
export const tenthsText = (tenths) =>
  new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(tenths / 10);

// A seller's summary {count, average_tenths} as a paragraph.
export function ratingSummary(t, s) {
  if (!s.count) return el('p', { className: 'mkt-rating', textContent: t('market.noReviews') });
  return el('p', { className: 'mkt-rating' },
    el('span', { className: 'mkt-stars', 'aria-hidden': 'true', textContent: `${starText(s.average_tenths)} ` }),
    el('span', { textContent: t('market.average', { avg: tenthsText(s.average_tenths), count: s.count }) }));
}

// One review with its seller's reply. The buyer's and seller's words are
// theirs: textContent only.
export function reviewItem(t, r, when) {
  const item = el('li', { className: 'mkt-review' },
    el('p', { className: 'mkt-rating' },
      el('span', { className: 'mkt-stars', 'aria-hidden': 'true', textContent: `${starText(r.rating * 10)} ` }),
      el('span', { textContent: t('market.outOf', { n: r.rating }) })),
    el('p', { className: 'kit-help', textContent: `${r.buyer.name} · ${when(r.created_at)}` }));
  if (r.text) item.append(el('p', { className: 'mkt-review-text', textContent: r.text }));
  if (r.reply) {
    item.append(el('p', { className: 'mkt-review-reply' }, el('strong', { textContent: `${t('market.sellerReply')} ` }),
      el('span', { textContent: r.reply.text })));
  }
  return item;
}
