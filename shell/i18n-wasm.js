// A thin JavaScript face for the core's i18n exports (core/wasm/wasm_i18n.c,
// wrapped by the generated seam/i18n.js), used by the shell (shell/i18n.js),
// tests/wasm/i18n.test.mjs and scripts/bench-i18n: names for the styles and
// units, arguments as JSON; catalogs are integer handles.
//
//   const i18n = wasmI18n(core);
//   const tag = i18n.negotiate([userChoice, ...navigator.languages]);
//   const en = i18n.loadCatalog('en', await (await fetch('/locales/en.json')).text());
//   const cat = tag === 'en' ? en : i18n.loadCatalog(tag, await fetchText(`/locales/${tag}.json`));
//   i18n.text(cat, en, 'feed.newPosts', { count: 3 });   // "3 new posts" in tag
//   i18n.freeCatalog(old)                                  // after switching locale
import { bindI18n, pa_num_style, pa_date_style, pa_date_unit, PA_MSG_NO_ISOLATE } from './seam/i18n.js';

// The core's enums by the names the shell passes (seam/i18n.js, from core/include/pa/pa_numfmt.h).
const lower = (e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k.toLowerCase(), v]));
export const NUM_STYLES = lower(pa_num_style);
export const DATE_STYLES = lower(pa_date_style);
export const UNITS = { ...lower(pa_date_unit), auto: -1 };
export const NO_ISOLATE = PA_MSG_NO_ISOLATE;

export function wasmI18n(core) {
  const w = bindI18n(core);
  const error = () => w.i18nError();
  const json = (args) => (args === undefined || args === null ? '' : JSON.stringify(args));

  return {
    error,
    errorCode: () => w.i18nErrorCode(),
    locales: () => Array.from({ length: w.i18nLocaleCount() }, (_, k) => w.i18nLocaleAt(k)),
    resolve: (tag) => w.i18nResolve(tag) || null,
    negotiate: (tags) => w.i18nNegotiate(tags.join('\n')),
    isRtl: (tag) => w.i18nIsRtl(tag) !== 0,
    // The category name, or { error } as the CLI prints it.
    plural(locale, number, ordinal = false) {
      const c = w.plural(locale, number, ordinal ? 1 : 0);
      return c >= 0 ? w.pluralName(c) : { error: error() };
    },
    format: (locale, message, args, { tz = 0, flags = 0 } = {}) => w.msgFormat(locale, message, json(args), tz, flags),
    // Returns a handle; throws with the core's message when the catalog is refused.
    loadCatalog(locale, text) {
      try {
        return w.i18nCatalogLoad(locale, text);
      } catch {
        throw new Error(error());
      }
    },
    freeCatalog: (h) => w.i18nCatalogFree(h),
    catalogLocale: (h) => w.i18nCatalogLocale(h),
    keys: (h) => Array.from({ length: w.i18nCatalogCount(h) }, (_, k) => w.i18nCatalogKeyAt(h, k)),
    text: (cat, fallback, key, args, { tz = 0, flags = 0 } = {}) => w.i18nText(cat, fallback || 0, key, json(args), tz, flags),
    bench: (cat, fallback, args, rounds) => w.i18nBench(cat, fallback || 0, json(args), rounds),
    number: (locale, number, style = 'decimal', currency = null) => w.numFormat(locale, number, NUM_STYLES[style], currency),
    date: (locale, ms, { tz = 0, date = 'medium', time = 'none' } = {}) =>
      w.dateFormat(locale, ms, tz, DATE_STYLES[date], DATE_STYLES[time]),
    relative: (locale, value, unit, flags = 0) => w.dateRelative(locale, value, UNITS[unit], flags),
  };
}
