#include "pa/pa_feed.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena: every string and array of one feed lives in a chain of blocks,
 * so ownership is one pointer and freeing is one call. */

typedef struct block {
  struct block *next;
  size_t used, cap;
  _Alignas(max_align_t) unsigned char data[];
} block;

struct pa_feed {
  block *blocks;
  pa_feed_post *posts;
  int post_count;
  const char *next_cursor;
};

static void *arena_alloc(pa_feed *f, size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  block *b = f->blocks;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = f->blocks;
    b->used = 0;
    b->cap = cap;
    f->blocks = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  return p;
}

/* ---- validation context: carries the JSON path for error messages. */

typedef struct ctx {
  pa_feed *feed;
  pa_error *err; /* always points at storage, so helpers can report through it */
  char path[96];
} ctx;

static pa_status fail(ctx *c, pa_status code, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static pa_status fail(ctx *c, pa_status code, const char *field, const char *fmt, ...) {
  char why[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return pa_error_set(c->err, code, "%s%s%s: %s", c->path, c->path[0] ? "." : "", field, why);
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

static char *keep(ctx *c, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = arena_alloc(c->feed, n);
  if (d) memcpy(d, s, n);
  return d;
}

/* Kinds of strings the API sends, each with its own rule. */
typedef enum { S_ID, S_TEXT, S_MULTILINE, S_URL } str_kind;

static pa_status get_string(ctx *c, const cJSON *obj, const char *field, str_kind kind, long max,
                            bool nullable, const char **out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
  *out = NULL;
  if (!v) return fail(c, PA_ERR_SCHEMA, field, "missing");
  if (nullable && cJSON_IsNull(v)) return PA_OK;
  if (!cJSON_IsString(v) || !v->valuestring)
    return fail(c, PA_ERR_SCHEMA, field, "expected a string%s", nullable ? " or null" : "");
  const char *s = v->valuestring;
  size_t bytes = strlen(s);
  long len = utf8_length(s, kind == S_MULTILINE);
  if (len < 0) return fail(c, PA_ERR_SCHEMA, field, "invalid UTF-8 or control character");
  if (len > max) return fail(c, PA_ERR_TOO_LARGE, field, "longer than %ld characters", max);
  switch (kind) {
  case S_ID:
    if (bytes == 0) return fail(c, PA_ERR_SCHEMA, field, "empty id");
    for (const char *p = s; *p; p++)
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-'))
        return fail(c, PA_ERR_SCHEMA, field, "id may only hold letters, digits, '_' and '-'");
    break;
  case S_URL:
    /* Same-origin paths or https only: anything else could leak or mislead. */
    if (!((s[0] == '/' && s[1] != '/') || strncmp(s, "https://", 8) == 0))
      return fail(c, PA_ERR_SCHEMA, field, "URL must be a same-origin path or https");
    for (const char *p = s; *p; p++)
      if (*p == ' ' || *p == '\\' || *p == '"' || *p == '<' || *p == '>')
        return fail(c, PA_ERR_SCHEMA, field, "URL holds a character that must be escaped");
    break;
  case S_TEXT:
  case S_MULTILINE:
    break;
  }
  *out = keep(c, s);
  return *out ? PA_OK : pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
}

static pa_status get_int(ctx *c, const cJSON *obj, const char *field, int64_t lo, int64_t hi,
                         int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!v) return fail(c, PA_ERR_SCHEMA, field, "missing");
  if (!cJSON_IsNumber(v)) return fail(c, PA_ERR_SCHEMA, field, "expected an integer");
  double d = v->valuedouble;
  if (!isfinite(d) || d != floor(d))
    return fail(c, PA_ERR_SCHEMA, field, "expected an integer, got %g", d);
  if (d < (double)lo || d > (double)hi)
    return fail(c, PA_ERR_SCHEMA, field, "%.0f is outside %" PRId64 "..%" PRId64, d, lo, hi);
  *out = (int64_t)d;
  return PA_OK;
}

static const cJSON *get_object(ctx *c, const cJSON *obj, const char *field) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
  if (!v) {
    fail(c, PA_ERR_SCHEMA, field, "missing");
    return NULL;
  }
  if (!cJSON_IsObject(v)) {
    fail(c, PA_ERR_SCHEMA, field, "expected an object");
    return NULL;
  }
  return v;
}

/* Pushes ".field" or "[i]" onto the path; pop restores the saved length. */
static size_t push(ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static size_t push(ctx *c, const char *fmt, ...) {
  size_t len = strlen(c->path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->path + len, sizeof c->path - len, fmt, ap);
  va_end(ap);
  return len;
}
static void pop(ctx *c, size_t len) { c->path[len] = '\0'; }

#define TRY(x)                                                                                     \
  do {                                                                                             \
    pa_status s_ = (x);                                                                            \
    if (s_ != PA_OK) return s_;                                                                    \
  } while (0)

static pa_status parse_person(ctx *c, const cJSON *o, pa_feed_person *p) {
  TRY(get_string(c, o, "id", S_ID, PA_FEED_MAX_ID, false, &p->id));
  TRY(get_string(c, o, "name", S_TEXT, PA_FEED_MAX_NAME, false, &p->name));
  return get_string(c, o, "avatar_url", S_URL, PA_FEED_MAX_URL, true, &p->avatar_url);
}

static pa_status parse_pet(ctx *c, const cJSON *o, pa_feed_pet *p) {
  TRY(get_string(c, o, "id", S_ID, PA_FEED_MAX_ID, false, &p->id));
  TRY(get_string(c, o, "name", S_TEXT, PA_FEED_MAX_NAME, false, &p->name));
  TRY(get_string(c, o, "species", S_TEXT, PA_FEED_MAX_NAME, false, &p->species));
  return get_string(c, o, "avatar_url", S_URL, PA_FEED_MAX_URL, true, &p->avatar_url);
}

static pa_status parse_image(ctx *c, const cJSON *o, pa_feed_image *im) {
  int64_t w, h;
  if (!cJSON_IsObject(o)) return fail(c, PA_ERR_SCHEMA, "", "expected an object");
  TRY(get_string(c, o, "url", S_URL, PA_FEED_MAX_URL, false, &im->url));
  TRY(get_int(c, o, "width", 1, PA_FEED_MAX_DIMENSION, &w));
  TRY(get_int(c, o, "height", 1, PA_FEED_MAX_DIMENSION, &h));
  im->width = (int)w;
  im->height = (int)h;
  if (!cJSON_GetObjectItemCaseSensitive(o, "alt")) {
    im->alt = "";
    return PA_OK;
  }
  TRY(get_string(c, o, "alt", S_TEXT, PA_FEED_MAX_CAPTION, true, &im->alt));
  if (!im->alt) im->alt = "";
  return PA_OK;
}

static const cJSON *get_array(ctx *c, const cJSON *o, const char *field, int lo, int hi, int *n) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
  if (!v) {
    fail(c, PA_ERR_SCHEMA, field, "missing");
    return NULL;
  }
  if (!cJSON_IsArray(v)) {
    fail(c, PA_ERR_SCHEMA, field, "expected an array");
    return NULL;
  }
  *n = cJSON_GetArraySize(v);
  if (*n < lo || *n > hi) {
    fail(c, *n > hi ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, field, "holds %d items, expected %d..%d",
         *n, lo, hi);
    return NULL;
  }
  return v;
}

static pa_status parse_post(ctx *c, const cJSON *o, pa_feed_post *p) {
  const cJSON *v;
  int n;
  if (!cJSON_IsObject(o)) return fail(c, PA_ERR_SCHEMA, "", "expected an object");
  TRY(get_string(c, o, "id", S_ID, PA_FEED_MAX_ID, false, &p->id));

  if (!(v = get_object(c, o, "author"))) return c->err->code;
  size_t mark = push(c, ".author");
  TRY(parse_person(c, v, &p->author));
  pop(c, mark);

  if (!(v = get_object(c, o, "pet"))) return c->err->code;
  mark = push(c, ".pet");
  TRY(parse_pet(c, v, &p->pet));
  pop(c, mark);

  if (!(v = get_array(c, o, "images", 1, PA_FEED_MAX_IMAGES, &n)))
    return c->err->code;
  pa_feed_image *images = arena_alloc(c->feed, sizeof *images * (size_t)n);
  if (!images) return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    mark = push(c, ".images[%d]", i);
    TRY(parse_image(c, cJSON_GetArrayItem(v, i), &images[i]));
    pop(c, mark);
  }
  p->images = images;
  p->image_count = n;

  TRY(get_string(c, o, "caption", S_MULTILINE, PA_FEED_MAX_CAPTION, false, &p->caption));

  if (!(v = get_array(c, o, "tags", 0, PA_FEED_MAX_TAGS, &n)))
    return c->err->code;
  const char **tags = arena_alloc(c->feed, sizeof *tags * (size_t)(n ? n : 1));
  if (!tags) return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    const cJSON *t = cJSON_GetArrayItem(v, i);
    char field[24];
    snprintf(field, sizeof field, "tags[%d]", i);
    if (!cJSON_IsString(t)) return fail(c, PA_ERR_SCHEMA, field, "expected a string");
    long len = utf8_length(t->valuestring, false);
    if (len < 1 || len > PA_FEED_MAX_NAME)
      return fail(c, PA_ERR_SCHEMA, field, "expected 1..%d valid UTF-8 characters",
                  PA_FEED_MAX_NAME);
    if (!(tags[i] = keep(c, t->valuestring)))
      return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  }
  p->tags = tags;
  p->tag_count = n;

  /* Counts beyond 2^53 cannot round-trip through JSON numbers exactly. */
  TRY(get_int(c, o, "like_count", 0, INT64_C(9007199254740991), &p->like_count));
  TRY(get_int(c, o, "comment_count", 0, INT64_C(9007199254740991), &p->comment_count));

  v = cJSON_GetObjectItemCaseSensitive(o, "liked");
  if (!v) return fail(c, PA_ERR_SCHEMA, "liked", "missing");
  if (!cJSON_IsBool(v)) return fail(c, PA_ERR_SCHEMA, "liked", "expected true or false");
  p->liked = cJSON_IsTrue(v);

  const char *when;
  TRY(get_string(c, o, "created_at", S_TEXT, 40, false, &when));
  if (pa_feed_parse_time(when, &p->created_at) != PA_OK)
    return fail(c, PA_ERR_SCHEMA, "created_at", "expected an RFC 3339 time, got \"%.40s\"", when);
  return PA_OK;
}

static pa_status parse_root(ctx *c, const cJSON *root) {
  int n;
  const cJSON *posts;
  if (!cJSON_IsObject(root)) return pa_error_set(c->err, PA_ERR_SCHEMA, "feed: expected an object");
  if (!(posts = get_array(c, root, "posts", 0, PA_FEED_MAX_POSTS, &n)))
    return c->err->code;
  c->feed->posts = arena_alloc(c->feed, sizeof *c->feed->posts * (size_t)(n ? n : 1));
  if (!c->feed->posts) return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  memset(c->feed->posts, 0, sizeof *c->feed->posts * (size_t)n);
  for (int i = 0; i < n; i++) {
    size_t mark = push(c, "posts[%d]", i);
    TRY(parse_post(c, cJSON_GetArrayItem(posts, i), &c->feed->posts[i]));
    pop(c, mark);
  }
  c->feed->post_count = n;
  return get_string(c, root, "next_cursor", S_TEXT, 512, true,
                    &c->feed->next_cursor);
}

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
      if (c == '\\') i++;
      else if (c == '"') in_string = false;
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

pa_status pa_feed_parse(const char *json, size_t len, pa_feed **out, pa_error *err) {
  pa_error_clear(err);
  if (!out || (!json && len)) return pa_error_set(err, PA_ERR_ARG, "feed: no output or input");
  *out = NULL;
  if (len > PA_FEED_MAX_BYTES)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "feed: %zu bytes is over the %d byte limit", len,
                        PA_FEED_MAX_BYTES);
  if (len == 0) return pa_error_set(err, PA_ERR_TRUNCATED, "feed: empty response");

  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
  if (!root) {
    size_t at = end && end >= json ? (size_t)(end - json) : 0;
    if (cut_short(json, len))
      return pa_error_set(err, PA_ERR_TRUNCATED, "feed: JSON ends early (%zu bytes)", len);
    return pa_error_set(err, PA_ERR_SYNTAX, "feed: invalid JSON at byte %zu", at);
  }
  for (const char *p = end; p && p < json + len; p++)
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
      cJSON_Delete(root);
      return pa_error_set(err, PA_ERR_SYNTAX, "feed: unexpected data after JSON at byte %zu",
                          (size_t)(p - json));
    }

  pa_feed *feed = calloc(1, sizeof *feed);
  if (!feed) {
    cJSON_Delete(root);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  pa_error local;
  ctx c = {.feed = feed, .err = err ? err : &local, .path = ""};
  pa_status st = parse_root(&c, root);
  cJSON_Delete(root);
  if (st != PA_OK) {
    pa_feed_free(feed);
    return st;
  }
  *out = feed;
  return PA_OK;
}

void pa_feed_free(pa_feed *feed) {
  if (!feed) return;
  for (block *b = feed->blocks, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(feed);
}

int pa_feed_count(const pa_feed *feed) { return feed ? feed->post_count : 0; }

const pa_feed_post *pa_feed_post_at(const pa_feed *feed, int index) {
  return feed && index >= 0 && index < feed->post_count ? &feed->posts[index] : NULL;
}

const char *pa_feed_next_cursor(const pa_feed *feed) { return feed ? feed->next_cursor : NULL; }

/* ---- time: civil-from-days and days-from-civil (proleptic Gregorian). */

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

pa_status pa_feed_parse_time(const char *s, int64_t *out) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) < 20) return PA_ERR_SYNTAX;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || se < 0 || se > 60 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return PA_ERR_SYNTAX;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return PA_ERR_SYNTAX;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return PA_ERR_SYNTAX;
    while (*p >= '0' && *p <= '9') p++;
  }
  int offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh = digits(p + 1, 2), om = digits(p + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || p[3] != ':') return PA_ERR_SYNTAX;
    offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return PA_ERR_SYNTAX;
  }
  if (*p) return PA_ERR_SYNTAX;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - offset;
  return PA_OK;
}

void pa_feed_format_time(int64_t t, char buf[21]) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  int64_t y = yoe + era * 400 + (m <= 2);
  char tmp[64]; /* roomy, so the compiler can see no truncation */
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)(y % 10000), m, d,
           (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
  memcpy(buf, tmp, 20);
  buf[20] = '\0';
}

/* ---- describe: the text the CLI prints and the WASM tests compare. */

typedef struct out {
  char *buf;
  size_t cap, len;
} out;

static void put(out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put(out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->len < o->cap ? o->cap - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += (size_t)n;
}

size_t pa_feed_describe(const pa_feed *feed, char *buf, size_t cap) {
  out o = {buf, cap, 0};
  if (cap) buf[0] = '\0';
  if (!feed) return 0;
  put(&o, "feed: %d post%s, next_cursor %s%s%s\n", feed->post_count,
      feed->post_count == 1 ? "" : "s", feed->next_cursor ? "\"" : "",
      feed->next_cursor ? feed->next_cursor : "none", feed->next_cursor ? "\"" : "");
  for (int i = 0; i < feed->post_count; i++) {
    const pa_feed_post *p = &feed->posts[i];
    char when[21];
    pa_feed_format_time(p->created_at, when);
    put(&o, "post %s by %s (%s) about %s, %s (%s)\n", p->id, p->author.name, p->author.id,
        p->pet.name, p->pet.species, p->pet.id);
    put(&o, "  %s, %" PRId64 " likes, %" PRId64 " comments, liked: %s\n", when, p->like_count,
        p->comment_count, p->liked ? "yes" : "no");
    for (int k = 0; k < p->image_count; k++)
      put(&o, "  image %d: %s %dx%d \"%s\"\n", k + 1, p->images[k].url, p->images[k].width,
          p->images[k].height, p->images[k].alt);
    put(&o, "  tags:");
    for (int k = 0; k < p->tag_count; k++) put(&o, " #%s", p->tags[k]);
    put(&o, "\n  caption: \"%s\"\n", p->caption);
  }
  return o.len;
}
