/* Locales, negotiation, direction and catalogs; also the small helpers the
 * other i18n modules share (output accumulation, UTF-8 checks). */
#include "i18n_data.h"
#include "pa/pa_i18n.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Our own pseudo-locale (Chrome's convention), not CLDR data. */
static const char PSEUDO_TAG[] = "en-XA";

/* ---- shared helpers */

void pa_i18n_put(pa_i18n_out *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

void pa_i18n_puts(pa_i18n_out *o, const char *s) { pa_i18n_put(o, s, strlen(s)); }

size_t pa_i18n_finish(pa_i18n_out *o) {
  if (o->cap) o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
  return o->len;
}

int pa_i18n_utf8_len(const unsigned char *s, size_t n) {
  if (n == 0) return 0;
  unsigned c = s[0];
  if (c < 0x80) return 1;
  int extra;
  unsigned cp;
  if (c >= 0xc2 && c <= 0xdf)
    extra = 1, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    extra = 2, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    extra = 3, cp = c & 0x07;
  else
    return 0;
  if ((size_t)extra >= n) return 0;
  for (int k = 1; k <= extra; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[k] & 0x3f);
  }
  if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return extra + 1;
}

/* ---- tags */

typedef struct tag_parts {
  char lang[9], script[5], region[4];
} tag_parts;

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }
static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }
static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool digit(char c) { return c >= '0' && c <= '9'; }

/* Reads language, script and region from a BCP 47 tag (or a POSIX-ish one
 * with '_'), ignoring variants and extensions. False for anything that does
 * not start with a 2-3 letter language ("*", "x-private", "i-klingon"). */
static bool parse_tag(const char *tag, tag_parts *t) {
  memset(t, 0, sizeof *t);
  if (!tag) return false;
  size_t len = 0;
  while (len <= PA_I18N_TAG_MAX && tag[len]) len++;
  if (len == 0 || len > PA_I18N_TAG_MAX) return false;
  int index = 0;
  for (size_t p = 0; p <= len;) {
    size_t q = p;
    while (q < len && tag[q] != '-' && tag[q] != '_') q++;
    size_t n = q - p;
    const char *s = tag + p;
    bool all_alpha = n > 0, all_digit = n > 0;
    for (size_t k = 0; k < n; k++) {
      all_alpha &= alpha(s[k]);
      all_digit &= digit(s[k]);
    }
    if (index == 0) {
      if (!all_alpha || n < 2 || n > 3) return false;
      for (size_t k = 0; k < n && k + 1 < sizeof t->lang; k++) t->lang[k] = lower(s[k]);
    } else if (n == 1) {
      break; /* an extension or private use: nothing we match on */
    } else if (n == 4 && all_alpha && !t->script[0] && !t->region[0]) {
      t->script[0] = upper(s[0]);
      for (size_t k = 1; k < 4; k++) t->script[k] = lower(s[k]);
    } else if (((n == 2 && all_alpha) || (n == 3 && all_digit)) && !t->region[0]) {
      /* The bound restates n <= 3 for GCC, whose -O2 flow analysis loses it. */
      for (size_t k = 0; k < n && k + 1 < sizeof t->region; k++) t->region[k] = upper(s[k]);
    } else if (n == 0) {
      return false; /* "en--US" */
    }               /* else a variant: ignored */
    index++;
    p = q + 1;
  }
  return true;
}

static const char *pair_find(const pa_i18n_pair *pairs, int n, const char *key) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = strcmp(key, pairs[mid].key);
    if (c == 0) return pairs[mid].value;
    if (c < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return NULL;
}

/* Applies legacy aliases and fills the script from likely subtags. */
static void complete(tag_parts *t) {
  const char *to = pair_find(pa_i18n_language_alias, pa_i18n_language_alias_len, t->lang);
  if (to && strlen(to) < sizeof t->lang) strcpy(t->lang, to);
  if (t->script[0]) return;
  char key[16];
  const char *script = NULL;
  if (t->region[0]) {
    strcpy(key, t->lang);
    strcat(key, "-");
    strcat(key, t->region);
    script = pair_find(pa_i18n_likely_script, pa_i18n_likely_script_len, key);
  }
  if (!script) script = pair_find(pa_i18n_likely_script, pa_i18n_likely_script_len, t->lang);
  if (script && strlen(script) < sizeof t->script) strcpy(t->script, script);
}

static bool is_pseudo(const tag_parts *t) {
  return !strcmp(t->lang, "en") && !strcmp(t->region, "XA") && !t->script[0];
}

/* Table index for tag, -1 when none; *pseudo says it asked for en-XA. */
static int lookup(const char *tag, bool *pseudo) {
  tag_parts t;
  *pseudo = false;
  if (!parse_tag(tag, &t)) return -1;
  if (is_pseudo(&t)) {
    *pseudo = true;
    return 0; /* en, the pseudo-locale's base */
  }
  complete(&t);
  for (int k = 0; k < pa_i18n_locale_table_len; k++) {
    const pa_i18n_locale_data *d = &pa_i18n_locale_table[k];
    if (!strcmp(t.lang, d->lang) && !strcmp(t.script, d->script)) return k;
  }
  return -1;
}

int pa_i18n_locale_index(const char *tag) {
  bool pseudo;
  return lookup(tag, &pseudo);
}

const pa_i18n_locale_data *pa_i18n_data(const char *tag) {
  int k = pa_i18n_locale_index(tag);
  return &pa_i18n_locale_table[k < 0 ? 0 : k];
}

const char *pa_i18n_locale_at(int index) {
  return index >= 0 && index < pa_i18n_locale_table_len ? pa_i18n_locale_table[index].tag : NULL;
}

int pa_i18n_locale_count(void) { return pa_i18n_locale_table_len; }

const char *pa_i18n_pseudo_locale(void) { return PSEUDO_TAG; }

const char *pa_i18n_resolve(const char *tag) {
  bool pseudo;
  int k = lookup(tag, &pseudo);
  if (pseudo) return PSEUDO_TAG;
  return k < 0 ? NULL : pa_i18n_locale_table[k].tag;
}

const char *pa_i18n_negotiate(const char *const *tags, size_t count) {
  for (size_t k = 0; tags && k < count; k++) {
    const char *r = pa_i18n_resolve(tags[k]);
    if (r) return r;
  }
  return pa_i18n_locale_table[0].tag;
}

bool pa_i18n_is_rtl(const char *tag) {
  tag_parts t;
  if (!parse_tag(tag, &t) || is_pseudo(&t)) return false;
  complete(&t);
  for (int k = 0; k < pa_i18n_rtl_scripts_len; k++)
    if (!strcmp(t.script, pa_i18n_rtl_scripts[k])) return true;
  return false;
}

/* ---- catalogs: sorted entries in one allocation. */

typedef struct entry {
  const char *key, *msg;
} entry;

struct pa_i18n_catalog {
  const char *locale;
  int count;
  entry *entries;
  char *strings; /* every key and message, NUL-separated */
};

static bool key_ok(const char *k) {
  size_t n = 0;
  for (; k[n]; n++)
    if (!(alpha(k[n]) || digit(k[n]) || k[n] == '.' || k[n] == '_' || k[n] == '-')) return false;
  return n >= 1 && n <= PA_I18N_KEY_MAX;
}

static bool utf8_ok(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  for (size_t k = 0; k < n;) {
    int l = pa_i18n_utf8_len(p + k, n - k);
    if (!l) return false;
    k += (size_t)l;
  }
  return true;
}

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

pa_status pa_i18n_catalog_parse(const char *locale, const char *json, size_t len,
                                pa_i18n_catalog **out, pa_error *err) {
  pa_error_clear(err);
  if (!out || (!json && len)) return pa_error_set(err, PA_ERR_ARG, "catalog: no output or input");
  *out = NULL;
  const char *tag = pa_i18n_resolve(locale);
  if (!tag)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "catalog: no shipped locale serves \"%.40s\"",
                        locale ? locale : "(null)");
  if (len > PA_I18N_CATALOG_MAX_BYTES)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "catalog: %zu bytes is over the %d byte limit", len,
                        PA_I18N_CATALOG_MAX_BYTES);
  const char *end = NULL;
  cJSON *root = len ? cJSON_ParseWithLengthOpts(json, len, &end, false) : NULL;
  if (!root) {
    size_t at = end && end >= json ? (size_t)(end - json) : 0;
    return pa_error_set(err, PA_ERR_SYNTAX, "catalog: invalid JSON at byte %zu", at);
  }
  pa_status st = PA_OK;
  int n = 0;
  size_t bytes = 0;
  if (!cJSON_IsObject(root)) {
    st = pa_error_set(err, PA_ERR_SCHEMA, "catalog: expected an object of messages");
    goto done;
  }
  for (const cJSON *it = root->child; it; it = it->next) {
    if (++n > PA_I18N_CATALOG_MAX_KEYS) {
      st = pa_error_set(err, PA_ERR_TOO_LARGE, "catalog: more than %d keys",
                        PA_I18N_CATALOG_MAX_KEYS);
      goto done;
    }
    if (!it->string || !key_ok(it->string)) {
      st = pa_error_set(err, PA_ERR_SCHEMA, "catalog: key \"%.60s\" is not [A-Za-z0-9._-]{1,%d}",
                        it->string ? it->string : "", PA_I18N_KEY_MAX);
      goto done;
    }
    if (!cJSON_IsString(it) || !it->valuestring) {
      st = pa_error_set(err, PA_ERR_SCHEMA, "catalog: %s: expected a string", it->string);
      goto done;
    }
    size_t mlen = strlen(it->valuestring);
    if (mlen > PA_MSG_MAX_BYTES) {
      st = pa_error_set(err, PA_ERR_TOO_LARGE, "catalog: %s: message over %d bytes", it->string,
                        PA_MSG_MAX_BYTES);
      goto done;
    }
    if (!utf8_ok(it->valuestring)) {
      st = pa_error_set(err, PA_ERR_SCHEMA, "catalog: %s: invalid UTF-8", it->string);
      goto done;
    }
    bytes += strlen(it->string) + mlen + 2;
  }
  pa_i18n_catalog *cat = calloc(1, sizeof *cat);
  entry *entries = calloc((size_t)(n ? n : 1), sizeof *entries);
  char *strings = malloc(bytes ? bytes : 1);
  if (!cat || !entries || !strings) {
    free(cat);
    free(entries);
    free(strings);
    st = pa_error_set(err, PA_ERR_NOMEM, "out of memory");
    goto done;
  }
  char *w = strings;
  int k = 0;
  for (const cJSON *it = root->child; it; it = it->next, k++) {
    size_t kl = strlen(it->string) + 1, ml = strlen(it->valuestring) + 1;
    entries[k].key = memcpy(w, it->string, kl);
    w += kl;
    entries[k].msg = memcpy(w, it->valuestring, ml);
    w += ml;
  }
  qsort(entries, (size_t)n, sizeof *entries, entry_cmp);
  for (k = 1; k < n; k++)
    if (!strcmp(entries[k - 1].key, entries[k].key)) {
      st = pa_error_set(err, PA_ERR_SCHEMA, "catalog: key %s appears twice", entries[k].key);
      free(cat);
      free(entries);
      free(strings);
      goto done;
    }
  cat->locale = tag;
  cat->count = n;
  cat->entries = entries;
  cat->strings = strings;
  *out = cat;
done:
  cJSON_Delete(root);
  return st;
}

void pa_i18n_catalog_free(pa_i18n_catalog *cat) {
  if (!cat) return;
  free(cat->entries);
  free(cat->strings);
  free(cat);
}

const char *pa_i18n_catalog_locale(const pa_i18n_catalog *cat) { return cat ? cat->locale : NULL; }

int pa_i18n_catalog_count(const pa_i18n_catalog *cat) { return cat ? cat->count : 0; }

const char *pa_i18n_catalog_key_at(const pa_i18n_catalog *cat, int index) {
  return cat && index >= 0 && index < cat->count ? cat->entries[index].key : NULL;
}

const char *pa_i18n_catalog_get(const pa_i18n_catalog *cat, const char *key) {
  if (!cat || !key) return NULL;
  entry probe = {key, NULL};
  const entry *e =
      bsearch(&probe, cat->entries, (size_t)cat->count, sizeof *cat->entries, entry_cmp);
  return e ? e->msg : NULL;
}

/* Formats key from one catalog; false (and err filled if still clear) when
 * it has no such key or the message fails. */
static bool try_catalog(const pa_i18n_catalog *cat, const char *key, const pa_msg_arg *args,
                        size_t nargs, const pa_msg_options *opts, char *buf, size_t cap,
                        size_t *len, pa_error *first) {
  if (!cat) return false;
  const char *msg = pa_i18n_catalog_get(cat, key);
  if (!msg) {
    if (first->code == PA_OK)
      pa_error_set(first, PA_ERR_ARG, "%s: no key %.100s", cat->locale, key);
    return false;
  }
  pa_error e;
  *len = pa_msg_format(cat->locale, msg, args, nargs, opts, buf, cap, &e);
  if (e.code == PA_OK) return true;
  if (first->code == PA_OK) pa_error_set(first, e.code, "%s: %.60s: %s", cat->locale, key, e.msg);
  return false;
}

size_t pa_i18n_text(const pa_i18n_catalog *cat, const pa_i18n_catalog *fallback, const char *key,
                    const pa_msg_arg *args, size_t nargs, const pa_msg_options *opts, char *buf,
                    size_t cap, pa_error *err) {
  pa_error first;
  pa_error_clear(&first);
  size_t len = 0;
  if (!key) key = "";
  if (!try_catalog(cat, key, args, nargs, opts, buf, cap, &len, &first) &&
      !try_catalog(fallback, key, args, nargs, opts, buf, cap, &len, &first)) {
    pa_i18n_out o = {buf, cap, 0};
    pa_i18n_puts(&o, key);
    len = pa_i18n_finish(&o);
    if (first.code == PA_OK) pa_error_set(&first, PA_ERR_ARG, "no catalog given for %.100s", key);
  }
  if (err) *err = first;
  return len;
}
