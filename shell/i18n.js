// The shell's language: which locale is in use, its catalog in the core, and
// t(key, args) for every string the shell shows. Formatting (plurals, numbers,
// dates, bidi isolation) happens in the core; see core/src/i18n/i18n.md.
//
// Markup carries keys, filled by localize(root):
//   data-i18n="key"              → textContent
//   data-i18n-label="key"        → aria-label
//   data-i18n-placeholder="key"  → placeholder
//   data-i18n-title="key"        → title
import { wasmI18n } from './i18n-wasm.js';
import { getBytes } from './api.js';

const CHOICE_KEY = 'petamigos.locale';
let i18n = null;
let en = 0; // the English catalog: every lookup falls back to it
let cat = 0;
let locale = 'en';

async function fetchCatalog(tag) {
  const r = await getBytes(`/locales/${tag}.json`);
  if (!r.ok) throw new Error(`catalog ${tag}: ${r.error.kind} ${r.error.status}`);
  return i18n.loadCatalog(tag, new TextDecoder().decode(r.data));
}

// The user's explicit choice (remembered), then the browser's languages.
export function preferredLocale() {
  let choice = null;
  try {
    choice = localStorage.getItem(CHOICE_KEY);
  } catch {
    // storage may be off; the browser's list still applies
  }
  return i18n.negotiate([choice, ...(navigator.languages ?? [navigator.language])].filter(Boolean));
}

export async function startI18n(core) {
  i18n = wasmI18n(core);
  en = await fetchCatalog('en');
  cat = en;
  await setLocale(preferredLocale(), { remember: false });
}

// Switches at runtime: loads the catalog lazily, relabels the page and tells
// listeners ('pa:locale' on window) to redraw what they built themselves.
export async function setLocale(tag, { remember = true } = {}) {
  const resolved = i18n.negotiate([tag]);
  const next = resolved === 'en' ? en : await fetchCatalog(resolved);
  const old = cat;
  cat = next;
  locale = resolved;
  if (remember) {
    try {
      localStorage.setItem(CHOICE_KEY, resolved);
    } catch {
      // not remembered; still switched
    }
  }
  document.documentElement.lang = resolved;
  document.documentElement.dir = i18n.isRtl(resolved) ? 'rtl' : 'ltr';
  localize(document);
  // Listeners run now, synchronously: the core takes the new catalog before
  // the old one is freed below.
  dispatchEvent(new CustomEvent('pa:locale', { detail: { locale: resolved } }));
  if (old !== en && old !== next) i18n.freeCatalog(old);
  return resolved;
}

// The catalog handles in the core's module, for pa_wasm_app_set_locale:
// valid until the next 'pa:locale' event.
export const catalogHandles = () => ({ cat, en });

export const currentLocale = () => locale;
export const supportedLocales = () => i18n.locales();

// t('feed.newPosts', {count: 3}) → "3 new posts" in the current locale.
export function t(key, args) {
  return i18n ? i18n.text(cat, en, key, args) ?? key : key;
}

// money('19.90', 'BRL') → "R$ 19,90" in the current locale: the core's CLDR
// currency pattern, symbol and digits (CLP has none). amount is the API's
// exact decimal string, never a float.
export function money(amount, currency) {
  try {
    return i18n.number(locale, amount, 'currency', currency);
  } catch {
    return `${amount} ${currency}`; // the core refused the number: still say it
  }
}

// day('2026-01-01T00:00:00Z') → "January 1, 2026" in the current locale, in
// this browser's time zone (the core formats; the offset is the browser's).
// time: an API Time (RFC 3339, UTC) or milliseconds since the epoch.
export function day(time) {
  const ms = typeof time === 'string' ? Date.parse(time) : time;
  try {
    return i18n.date(locale, ms, { tz: -new Date(ms).getTimezoneOffset(), date: 'long' });
  } catch {
    return new Date(ms).toISOString().slice(0, 10);
  }
}

export function localize(root) {
  for (const [attr, apply] of [
    ['data-i18n', (el, s) => { el.textContent = s; }],
    ['data-i18n-label', (el, s) => el.setAttribute('aria-label', s)],
    ['data-i18n-placeholder', (el, s) => el.setAttribute('placeholder', s)],
    ['data-i18n-title', (el, s) => el.setAttribute('title', s)],
  ]) {
    for (const el of root.querySelectorAll(`[${attr}]`)) apply(el, t(el.getAttribute(attr)));
  }
}

// The language chooser (settings, onboarding): a labelled <select> of every
// locale by its own name, switching at once.
export function mountLanguagePicker(container, { id = 'language' } = {}) {
  const label = document.createElement('label');
  label.htmlFor = id;
  label.dataset.i18n = 'settings.language';
  const select = document.createElement('select');
  select.id = id;
  select.autocomplete = 'language';
  for (const tag of supportedLocales()) {
    const option = document.createElement('option');
    option.value = tag;
    option.lang = tag;
    option.textContent = endonym(tag);
    select.append(option);
  }
  select.value = locale;
  select.addEventListener('change', () => setLocale(select.value));
  container.append(label, select);
  localize(container);
  return select;
}

// A language's name in itself ("Deutsch"), as choosers show it.
function endonym(tag) {
  try {
    return new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
  } catch {
    return tag;
  }
}
