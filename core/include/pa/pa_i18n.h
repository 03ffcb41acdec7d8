/* pa_i18n — locales, negotiation, direction and translation catalogs.
 *
 * PetAmigos ships 20 locales (pa_i18n_locale_at) plus the pseudo-locale
 * "en-XA" for layout testing. The shell picks one with pa_i18n_negotiate,
 * fetches locales/<tag>.json lazily and hands the bytes to
 * pa_i18n_catalog_parse; pa_i18n_text formats a key from it, falling back to
 * the English catalog and then to the key itself, so the UI never shows
 * nothing. Messages are ICU MessageFormat (see pa_msgfmt.h). */
#ifndef PA_I18N_H
#define PA_I18N_H

#include "pa/pa_msgfmt.h"
#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>

enum {
  PA_I18N_TAG_MAX = 64,                    /* longest tag we look at, bytes */
  PA_I18N_CATALOG_MAX_BYTES = 1024 * 1024, /* one catalog file */
  PA_I18N_CATALOG_MAX_KEYS = 4096,
  PA_I18N_KEY_MAX = 128 /* bytes of [A-Za-z0-9._-] */
};

/* Shipped locales, in a stable order; index 0 is the source locale "en".
 * Returns NULL past the end. The pseudo-locale is not in this list. */
const char *pa_i18n_locale_at(int index);
int pa_i18n_locale_count(void);

/* The pseudo-locale's tag, "en-XA". */
const char *pa_i18n_pseudo_locale(void);

/* The shipped locale whose data serves tag, or NULL: case-insensitive, '_'
 * read as '-', legacy codes mapped (in → id), and a tag matches a locale of
 * the same language and script, the script inferred from CLDR's likely
 * subtags (pt-BR → pt, es-419 → es, zh-CN/zh-SG → zh-Hans; zh-TW is
 * Traditional Chinese, so no match). "en-XA" resolves to itself. */
const char *pa_i18n_resolve(const char *tag);

/* The best shipped locale for tags in preference order (navigator.languages,
 * with the user's explicit choice, if any, put first by the caller): the
 * first tag that resolves wins; "en" when none does. Never NULL. */
const char *pa_i18n_negotiate(const char *const *tags, size_t count);

/* Whether text in tag's language is written right to left (its likely
 * script is RTL in CLDR's script metadata): true for ar, also for he, fa,
 * ur... so the renderer mirrors the layout. */
bool pa_i18n_is_rtl(const char *tag);

/* ---- catalogs: a flat JSON object {"feed.loading": "Loading your feed…", …}. */

typedef struct pa_i18n_catalog pa_i18n_catalog;

/* Parses len bytes of catalog JSON for locale (resolved with
 * pa_i18n_resolve; unknown tags are refused). Keys must match
 * [A-Za-z0-9._-]{1,PA_I18N_KEY_MAX} and values be strings; message syntax is
 * checked when formatted (pa_i18n_text falls back then) or with
 * pa_msg_check. On success *out owns copies of everything; free it with
 * pa_i18n_catalog_free. */
pa_status pa_i18n_catalog_parse(const char *locale, const char *json, size_t len,
                                pa_i18n_catalog **out, pa_error *err);

void pa_i18n_catalog_free(pa_i18n_catalog *cat);

/* The locale the catalog was parsed for ("pt", "en-XA"). */
const char *pa_i18n_catalog_locale(const pa_i18n_catalog *cat);

int pa_i18n_catalog_count(const pa_i18n_catalog *cat);
/* Entry index in key order (bytewise), or NULL past the end. */
const char *pa_i18n_catalog_key_at(const pa_i18n_catalog *cat, int index);
/* The raw message for key, or NULL when the catalog has no such key. */
const char *pa_i18n_catalog_get(const pa_i18n_catalog *cat, const char *key);

/* Formats key from cat into buf (always NUL-terminated when cap > 0) and
 * returns the length the full text needs, like snprintf. When cat lacks the
 * key or its message fails (bad syntax, missing argument), the same key is
 * formatted from fallback (may be NULL; normally the "en" catalog) in
 * fallback's locale, and when that fails too the text is the key itself.
 * err (may be NULL) gets the first problem, so callers can log it; the
 * returned text is always usable. */
size_t pa_i18n_text(const pa_i18n_catalog *cat, const pa_i18n_catalog *fallback, const char *key,
                    const pa_msg_arg *args, size_t nargs, const pa_msg_options *opts, char *buf,
                    size_t cap, pa_error *err);

#endif
