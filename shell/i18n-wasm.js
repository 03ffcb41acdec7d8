// A thin JavaScript face for the core's i18n exports (core/wasm/wasm_i18n.c),
// used by the shell (shell/i18n.js), tests/wasm/i18n.test.mjs and scripts/bench-i18n:
// strings go in as UTF-8 copies in the heap, char * results are read and
// freed, catalogs are integer handles.
//
//   const i18n = wasmI18n(core);
//   const tag = i18n.negotiate([userChoice, ...navigator.languages]);
//   const en = i18n.loadCatalog('en', await (await fetch('/locales/en.json')).text());
//   const cat = tag === 'en' ? en : i18n.loadCatalog(tag, await fetchText(`/locales/${tag}.json`));
//   i18n.text(cat, en, 'feed.newPosts', { count: 3 });   // "3 new posts" in tag
//   i18n.freeCatalog(old)                                  // after switching locale
const enc = new TextEncoder();

export const NUM_STYLES = { decimal: 0, integer: 1, percent: 2, currency: 3, compact: 4 };
export const DATE_STYLES = { none: 0, short: 1, medium: 2, long: 3 };
export const UNITS = { second: 0, minute: 1, hour: 2, day: 3, week: 4, month: 5, year: 6, auto: -1 };
export const NO_ISOLATE = 1;

export function wasmI18n(core) {
  // Copies each string into the heap for the call, then frees them all.
  function withStrings(strings, fn) {
    const ptrs = strings.map((s) => {
      if (s === null || s === undefined) return 0;
      const bytes = enc.encode(s);
      const p = core._malloc(bytes.length + 1);
      core.HEAPU8.set(bytes, p);
      core.HEAPU8[p + bytes.length] = 0;
      return p;
    });
    try {
      return fn(...ptrs);
    } finally {
      for (const p of ptrs) if (p) core._free(p);
    }
  }
  // Reads and frees a malloc'd result; null stays null.
  const take = (p) => {
    if (!p) return null;
    try {
      return core.UTF8ToString(p);
    } finally {
      core._free(p);
    }
  };
  const error = () => core.UTF8ToString(core._pa_wasm_i18n_error());
  const json = (args) => (args === undefined || args === null ? '' : JSON.stringify(args));
  const byteLength = (s) => enc.encode(s).length;

  return {
    error,
    errorCode: () => core._pa_wasm_i18n_error_code(),
    locales: () => Array.from({ length: core._pa_wasm_i18n_locale_count() }, (_, k) => core.UTF8ToString(core._pa_wasm_i18n_locale_at(k))),
    resolve: (tag) => withStrings([tag], (t) => core.UTF8ToString(core._pa_wasm_i18n_resolve(t))) || null,
    negotiate: (tags) => withStrings([tags.join('\n')], (t) => core.UTF8ToString(core._pa_wasm_i18n_negotiate(t))),
    isRtl: (tag) => withStrings([tag], (t) => core._pa_wasm_i18n_is_rtl(t) !== 0),
    // The category name, or { error } as the CLI prints it.
    plural(locale, number, ordinal = false) {
      const c = withStrings([locale, number], (l, n) => core._pa_wasm_plural(l, n, ordinal ? 1 : 0));
      return c >= 0 ? core.UTF8ToString(core._pa_wasm_plural_name(c)) : { error: error() };
    },
    format(locale, message, args, { tz = 0, flags = 0 } = {}) {
      const a = json(args);
      return take(withStrings([locale, message, a], (l, m, j) => core._pa_wasm_msg_format(l, m, j, byteLength(a), tz, flags)));
    },
    // Returns a handle; throws with the core's message when the catalog is refused.
    loadCatalog(locale, text) {
      const h = withStrings([locale, text], (l, t) => core._pa_wasm_i18n_catalog_load(l, t, byteLength(text)));
      if (h < 0) throw new Error(error());
      return h;
    },
    freeCatalog: (h) => core._pa_wasm_i18n_catalog_free(h),
    catalogLocale: (h) => core.UTF8ToString(core._pa_wasm_i18n_catalog_locale(h)),
    keys: (h) => Array.from({ length: core._pa_wasm_i18n_catalog_count(h) }, (_, k) => core.UTF8ToString(core._pa_wasm_i18n_catalog_key_at(h, k))),
    text(cat, fallback, key, args, { tz = 0, flags = 0 } = {}) {
      const a = json(args);
      return take(withStrings([key, a], (k, j) => core._pa_wasm_i18n_text(cat, fallback || 0, k, j, byteLength(a), tz, flags)));
    },
    bench(cat, fallback, args, rounds) {
      const a = json(args);
      return withStrings([a], (j) => core._pa_wasm_i18n_bench(cat, fallback || 0, j, byteLength(a), rounds));
    },
    number: (locale, number, style = 'decimal', currency = null) =>
      take(withStrings([locale, number, currency], (l, n, c) => core._pa_wasm_num_format(l, n, NUM_STYLES[style], c))),
    date: (locale, ms, { tz = 0, date = 'medium', time = 'none' } = {}) =>
      take(withStrings([locale], (l) => core._pa_wasm_date_format(l, ms, tz, DATE_STYLES[date], DATE_STYLES[time]))),
    relative: (locale, value, unit, flags = 0) =>
      take(withStrings([locale], (l) => core._pa_wasm_date_relative(l, value, UNITS[unit], flags))),
  };
}
