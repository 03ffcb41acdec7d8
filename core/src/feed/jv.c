#include "jv.h"

#include "pa/pa_feed.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pa_jv_block {
  struct pa_jv_block *next;
  size_t used, cap;
  _Alignas(max_align_t) unsigned char data[];
};

void *pa_jv_alloc(pa_jv_arena *arena, size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  pa_jv_block *b = arena->blocks;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = arena->blocks;
    b->used = 0;
    b->cap = cap;
    arena->blocks = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  return p;
}

void pa_jv_arena_free(pa_jv_arena *arena) {
  for (pa_jv_block *b = arena->blocks, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  arena->blocks = NULL;
}

pa_status pa_jv_fail(pa_jv *v, pa_status code, const char *field, const char *fmt, ...) {
  char why[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return pa_error_set(v->err, code, "%s%s%s: %s", v->path, v->path[0] && field[0] ? "." : "", field,
                      why);
}

/* Counts code points of valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
 * returns -1 for invalid bytes or disallowed control characters. */
static long utf8_length(const char *s, bool allow_newline) {
  const unsigned char *p = (const unsigned char *)s;
  long n = 0;
  while (*p) {
    unsigned c = *p;
    int extra;
    unsigned cp;
    if (c < 0x80) {
      if ((c < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f) return -1;
      p++;
      n++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3, cp = c & 0x07;
    } else {
      return -1;
    }
    for (int i = 1; i <= extra; i++) {
      if ((p[i] & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return -1;
    p += extra + 1;
    n++;
  }
  return n;
}

static const char *keep(pa_jv *v, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = pa_jv_alloc(v->arena, n);
  if (d) memcpy(d, s, n);
  return d;
}

pa_status pa_jv_string(pa_jv *v, const cJSON *obj, const char *field, pa_jv_kind kind, long max,
                       bool nullable, const char **out) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
  *out = NULL;
  if (!j) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
  if (nullable && cJSON_IsNull(j)) return PA_OK;
  return pa_jv_string_item(v, j, field, kind, max, out);
}

pa_status pa_jv_string_item(pa_jv *v, const cJSON *j, const char *field, pa_jv_kind kind, long max,
                            const char **out) {
  *out = NULL;
  if (!cJSON_IsString(j) || !j->valuestring)
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected a string");
  const char *s = j->valuestring;
  long len = utf8_length(s, kind == PA_JV_MULTILINE);
  if (len < 0) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "invalid UTF-8 or control character");
  if (len > max) return pa_jv_fail(v, PA_ERR_TOO_LARGE, field, "longer than %ld characters", max);
  if (len == 0 && kind != PA_JV_TEXT && kind != PA_JV_MULTILINE)
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "empty");
  switch (kind) {
  case PA_JV_ID:
    for (const char *p = s; *p; p++)
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-'))
        return pa_jv_fail(v, PA_ERR_SCHEMA, field, "id may only hold letters, digits, '_' and '-'");
    break;
  case PA_JV_URL:
    /* Same-origin paths or https only: anything else could leak or mislead. */
    if (!((s[0] == '/' && s[1] != '/') || strncmp(s, "https://", 8) == 0))
      return pa_jv_fail(v, PA_ERR_SCHEMA, field, "URL must be a same-origin path or https");
    for (const char *p = s; *p; p++)
      if (*p == ' ' || *p == '\\' || *p == '"' || *p == '<' || *p == '>')
        return pa_jv_fail(v, PA_ERR_SCHEMA, field, "URL holds a character that must be escaped");
    break;
  case PA_JV_TEXT:
  case PA_JV_MULTILINE: break;
  }
  *out = keep(v, s);
  return *out ? PA_OK : pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
}

pa_status pa_jv_int(pa_jv *v, const cJSON *obj, const char *field, int64_t lo, int64_t hi,
                    int64_t *out) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!j) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
  if (!cJSON_IsNumber(j)) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an integer");
  double d = j->valuedouble;
  if (!isfinite(d) || d != floor(d))
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an integer, got %g", d);
  if (d < (double)lo || d > (double)hi)
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "%.0f is outside %lld..%lld", d, (long long)lo,
                      (long long)hi);
  *out = (int64_t)d;
  return PA_OK;
}

pa_status pa_jv_bool(pa_jv *v, const cJSON *obj, const char *field, bool *out) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!j) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
  if (!cJSON_IsBool(j)) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected true or false");
  *out = cJSON_IsTrue(j);
  return PA_OK;
}

pa_status pa_jv_time(pa_jv *v, const cJSON *obj, const char *field, int64_t *out) {
  const char *when;
  PA_JV_TRY(pa_jv_string(v, obj, field, PA_JV_TEXT, 40, false, &when));
  if (pa_feed_parse_time(when, out) != PA_OK)
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an RFC 3339 time, got \"%.40s\"", when);
  return PA_OK;
}

const cJSON *pa_jv_object(pa_jv *v, const cJSON *obj, const char *field) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!j)
    pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
  else if (!cJSON_IsObject(j))
    pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an object");
  return j && cJSON_IsObject(j) ? j : NULL;
}

const cJSON *pa_jv_array(pa_jv *v, const cJSON *obj, const char *field, int lo, int hi, int *n) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!j) {
    pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
    return NULL;
  }
  if (!cJSON_IsArray(j)) {
    pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an array");
    return NULL;
  }
  *n = cJSON_GetArraySize(j);
  if (*n < lo || *n > hi) {
    pa_jv_fail(v, *n > hi ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, field,
               "holds %d items, expected %d..%d", *n, lo, hi);
    return NULL;
  }
  return j;
}

size_t pa_jv_push(pa_jv *v, const char *fmt, ...) {
  size_t len = strlen(v->path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->path + len, sizeof v->path - len, fmt, ap);
  va_end(ap);
  return len;
}

void pa_jv_pop(pa_jv *v, size_t mark) { v->path[mark] = '\0'; }

/* Whether malformed JSON is merely cut short (a dropped connection) rather
 * than wrong: every bracket so far matches and some are still open, or the
 * input stops inside a string. */
static bool cut_short(const char *json, size_t len) {
  char open[256];
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char c = json[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth == sizeof open) return false;
      open[depth++] = c == '{' ? '}' : ']';
    } else if (c == '}' || c == ']') {
      if (depth == 0 || open[--depth] != c) return false;
    }
  }
  return in_string || depth > 0;
}

pa_status pa_jv_document(const char *json, size_t len, size_t max, const char *what, cJSON **root,
                         pa_error *err) {
  *root = NULL;
  if (!json && len) return pa_error_set(err, PA_ERR_ARG, "%s: no input", what);
  if (len > max)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "%s: %zu bytes is over the %zu byte limit", what,
                        len, max);
  if (len == 0) return pa_error_set(err, PA_ERR_TRUNCATED, "%s: empty response", what);
  const char *end = NULL;
  cJSON *doc = cJSON_ParseWithLengthOpts(json, len, &end, false);
  if (!doc) {
    size_t at = end && end >= json ? (size_t)(end - json) : 0;
    if (cut_short(json, len))
      return pa_error_set(err, PA_ERR_TRUNCATED, "%s: JSON ends early (%zu bytes)", what, len);
    return pa_error_set(err, PA_ERR_SYNTAX, "%s: invalid JSON at byte %zu", what, at);
  }
  for (const char *p = end; p && p < json + len; p++)
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
      cJSON_Delete(doc);
      return pa_error_set(err, PA_ERR_SYNTAX, "%s: unexpected data after JSON at byte %zu", what,
                          (size_t)(p - json));
    }
  *root = doc;
  return PA_OK;
}
