/* WASM exports of the i18n modules: the same functions the CLI's plural,
 * ordinal, format, negotiate, number, date, relative and i18n commands
 * call, so tests/wasm/i18n.test.mjs can hold the two to the same output.
 *
 * Strings: arguments are UTF-8 in the module's heap (copied in by the
 * generated seam/i18n.js); functions returning char * give a malloc'd string
 * the caller frees with _free (the wrapper does); const char * results are static. Catalogs are
 * small integer handles, never pointers. Every call leaves its outcome in
 * pa_wasm_i18n_error / pa_wasm_i18n_error_code, like the CLI's stderr. */
#include "pa/pa_i18n.h"
#include "pa/pa_msgfmt.h"
#include "pa/pa_numfmt.h"
#include "pa/pa_plural.h"

#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CATALOGS = 8, MAX_TAGS = 32 };

/* Host-side tables (platform code, like pa_wasm.c's app slots). */
static pa_i18n_catalog *catalogs[MAX_CATALOGS]; /* handle = index + 1 */
static pa_error last;
static char last_text[PA_ERROR_MSG_MAX + 32];
static char work[PA_MSG_MAX_OUTPUT + 1]; /* the benchmark's output buffer */

static pa_i18n_catalog *catalog(int h) {
  return h >= 1 && h <= MAX_CATALOGS ? catalogs[h - 1] : NULL;
}

/* The catalog behind handle h, or NULL: pa_wasm.c hands it to an app
 * (pa_wasm_app_set_locale). Not exported to JavaScript. */
const pa_i18n_catalog *pa_wasm_i18n_catalog_of(int h) { return catalog(h); }

/* "error (syntax): message: byte 3: ..." as the CLI prints it, or "". seam: error */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_error(void) {
  if (last.code == PA_OK) return "";
  snprintf(last_text, sizeof last_text, "error (%s): %s", pa_status_name(last.code), last.msg);
  return last_text;
}

EMSCRIPTEN_KEEPALIVE int pa_wasm_i18n_error_code(void) { return (int)last.code; }

/* Runs a snprintf-like formatter twice: once for the size, once to fill. */
typedef size_t (*fill_fn)(void *ctx, char *buf, size_t cap, pa_error *err);

static char *fill(fill_fn f, void *ctx) {
  size_t need = f(ctx, NULL, 0, &last);
  char *s = malloc(need + 1);
  if (s) f(ctx, s, need + 1, &last);
  return s;
}

/* ---- locales */

EMSCRIPTEN_KEEPALIVE int pa_wasm_i18n_locale_count(void) { return pa_i18n_locale_count(); }
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_locale_at(int k) { return pa_i18n_locale_at(k); }
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_resolve(const char *tag) {
  const char *r = pa_i18n_resolve(tag);
  return r ? r : "";
}
EMSCRIPTEN_KEEPALIVE int pa_wasm_i18n_is_rtl(const char *tag) { return pa_i18n_is_rtl(tag); }

/* tags: newline-separated, in preference order (navigator.languages.join("\n")). */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_negotiate(const char *tags) {
  char copy[MAX_TAGS * (PA_I18N_TAG_MAX + 2)];
  const char *list[MAX_TAGS];
  size_t n = 0;
  snprintf(copy, sizeof copy, "%s", tags ? tags : "");
  for (char *p = copy; *p && n < MAX_TAGS;) {
    list[n++] = p;
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
  return pa_i18n_negotiate(list, n);
}

/* ---- plurals */

/* The CLDR category (0 zero ... 5 other) of a decimal string, or -status. */
EMSCRIPTEN_KEEPALIVE int pa_wasm_plural(const char *locale, const char *number, int ordinal) {
  pa_plural_category c;
  pa_status st = pa_plural_select_str(locale, ordinal ? PA_PLURAL_ORDINAL : PA_PLURAL_CARDINAL,
                                      number, &c, &last);
  return st == PA_OK ? (int)c : -(int)st;
}

EMSCRIPTEN_KEEPALIVE const char *pa_wasm_plural_name(int c) {
  return pa_plural_category_name((pa_plural_category)c);
}

/* ---- messages */

typedef struct msg_call {
  const char *locale, *message, *key;
  const pa_i18n_catalog *cat, *fallback;
  const pa_msg_arg *args;
  size_t nargs;
  pa_msg_options opts;
} msg_call;

static size_t do_format(void *ctx, char *buf, size_t cap, pa_error *err) {
  msg_call *m = ctx;
  return pa_msg_format(m->locale, m->message, m->args, m->nargs, &m->opts, buf, cap, err);
}

static size_t do_text(void *ctx, char *buf, size_t cap, pa_error *err) {
  msg_call *m = ctx;
  return pa_i18n_text(m->cat, m->fallback, m->key, m->args, m->nargs, &m->opts, buf, cap, err);
}

/* Parses JSON arguments into *args (freed by the caller); NULL on error,
 * with the reason in last. */
static pa_msg_args *parse_args(const char *json, size_t len) {
  pa_msg_args *args = NULL;
  if (pa_msg_args_parse(json, len, &args, &last) != PA_OK) return NULL;
  return args;
}

/* Formats message with arguments given as a JSON object (args_len 0: none).
 * Returns the text (the raw message on a syntax error; see pa_msgfmt.h), or
 * NULL when the arguments themselves are not valid JSON. flags: 1 = no
 * bidi isolation. */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_msg_format(const char *locale, const char *message,
                                              const char *args_json, size_t args_len, int tz,
                                              int flags) {
  pa_msg_args *args = parse_args(args_json, args_len);
  if (!args) return NULL;
  msg_call m = {.locale = locale, .message = message, .opts = {tz, (unsigned)flags}};
  m.args = pa_msg_args_items(args, &m.nargs);
  char *s = fill(do_format, &m);
  pa_msg_args_free(args);
  return s;
}

/* ---- catalogs */

/* Parses catalog JSON for locale. Returns a handle >= 1, or -status (see
 * pa_wasm_i18n_error). Free with pa_wasm_i18n_catalog_free. seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_i18n_catalog_load(const char *locale, const char *json,
                                                   size_t len) {
  int i = 0;
  while (i < MAX_CATALOGS && catalogs[i]) i++;
  if (i == MAX_CATALOGS) {
    pa_error_set(&last, PA_ERR_TOO_LARGE, "catalog: %d loaded already", MAX_CATALOGS);
    return -PA_ERR_TOO_LARGE;
  }
  pa_status st = pa_i18n_catalog_parse(locale, json, len, &catalogs[i], &last);
  return st == PA_OK ? i + 1 : -(int)st;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_i18n_catalog_free(int h) {
  if (!catalog(h)) return;
  pa_i18n_catalog_free(catalogs[h - 1]);
  catalogs[h - 1] = NULL;
}

EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_catalog_locale(int h) {
  const char *l = pa_i18n_catalog_locale(catalog(h));
  return l ? l : "";
}

EMSCRIPTEN_KEEPALIVE int pa_wasm_i18n_catalog_count(int h) {
  return pa_i18n_catalog_count(catalog(h));
}

EMSCRIPTEN_KEEPALIVE const char *pa_wasm_i18n_catalog_key_at(int h, int k) {
  const char *key = pa_i18n_catalog_key_at(catalog(h), k);
  return key ? key : "";
}

/* pa_i18n_text: key from catalog cat, else from fallback (0: none), else
 * the key itself. Returns the text, or NULL when args_json is not valid. */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_i18n_text(int cat, int fallback, const char *key,
                                             const char *args_json, size_t args_len, int tz,
                                             int flags) {
  pa_msg_args *args = parse_args(args_json, args_len);
  if (!args) return NULL;
  msg_call m = {.cat = catalog(cat),
                .fallback = catalog(fallback),
                .key = key,
                .opts = {tz, (unsigned)flags}};
  m.args = pa_msg_args_items(args, &m.nargs);
  char *s = fill(do_text, &m);
  pa_msg_args_free(args);
  return s;
}

/* Formats every key of cat rounds times (as `petamigos i18n bench` does)
 * and returns the count of messages formatted; the shell times it. */
EMSCRIPTEN_KEEPALIVE double pa_wasm_i18n_bench(int cat, int fallback, const char *args_json,
                                               size_t args_len, int rounds) {
  pa_msg_args *args = parse_args(args_json, args_len);
  const pa_i18n_catalog *c = catalog(cat);
  if (!args || !c) {
    pa_msg_args_free(args);
    return -1;
  }
  size_t n;
  const pa_msg_arg *items = pa_msg_args_items(args, &n);
  pa_msg_options opts = {0, 0};
  double messages = 0;
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < pa_i18n_catalog_count(c); k++)
      pa_i18n_text(c, catalog(fallback), pa_i18n_catalog_key_at(c, k), items, n, &opts, work,
                   sizeof work, NULL);
    messages += pa_i18n_catalog_count(c);
  }
  pa_msg_args_free(args);
  return messages;
}

/* ---- numbers and dates */

/* JS numbers as int64_t: NaN and magnitudes past int64 become INT64_MIN, which
 * every formatter refuses or clamps, rather than undefined behaviour. */
static int64_t to_i64(double d) {
  if (!(d > -9.2e18 && d < 9.2e18)) return INT64_MIN;
  return (int64_t)d;
}

typedef struct num_call {
  const char *locale, *number, *currency;
  int style;
  double ms, value;
  int tz, date, time, unit;
  unsigned flags;
} num_call;

static size_t do_number(void *ctx, char *buf, size_t cap, pa_error *err) {
  num_call *c = ctx;
  return pa_num_format(c->locale, c->number, (pa_num_style)c->style, c->currency, buf, cap, err);
}

static size_t do_date(void *ctx, char *buf, size_t cap, pa_error *err) {
  num_call *c = ctx;
  return pa_date_format(c->locale, to_i64(c->ms), c->tz, (pa_date_style)c->date,
                        (pa_date_style)c->time, buf, cap, err);
}

static size_t do_relative(void *ctx, char *buf, size_t cap, pa_error *err) {
  num_call *c = ctx;
  if (c->unit < 0)
    return pa_date_relative_seconds(c->locale, to_i64(c->value), c->flags, buf, cap, err);
  return pa_date_relative(c->locale, to_i64(c->value), (pa_date_unit)c->unit, c->flags, buf, cap,
                          err);
}

/* style: pa_num_style (0 decimal, 1 integer, 2 percent, 3 currency, 4 compact). */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_num_format(const char *locale, const char *number, int style,
                                              const char *currency) {
  num_call c = {.locale = locale, .number = number, .style = style, .currency = currency};
  return fill(do_number, &c);
}

/* ms since the epoch as a double (exact below 2^53); date, time: pa_date_style. */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_date_format(const char *locale, double ms, int tz, int date,
                                               int time) {
  num_call c = {.locale = locale, .ms = ms, .tz = tz, .date = date, .time = time};
  return fill(do_date, &c);
}

/* unit: pa_date_unit, or -1 for seconds in the largest unit that fits. */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_date_relative(const char *locale, double value, int unit,
                                                 int flags) {
  num_call c = {.locale = locale, .value = value, .unit = unit, .flags = (unsigned)flags};
  return fill(do_relative, &c);
}
