/* pa_rank pages: strict parsing of GET /api/v1/feed/candidates, the same
 * checks for pages built in memory, and the text the tools print. */
#include "base/strbuf.h"
#include "pa/pa_feed.h"
#include "pa/pa_rank.h"
#include "rank_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NAME = 80 };
#define MAX_EMBEDDING_VALUE 1000.0
#define MAX_COUNT           9007199254740991.0 /* 2^53 - 1: beyond, JSON numbers are inexact */

/* ---- small shared helpers */

uint64_t pa_rank_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * 0x100000001b3u;
  /* FNV alone clusters short ids in the low bits the tables index by. */
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9u;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebu;
  return h ^ (h >> 31);
}

uint64_t pa_rank_rng_next(rank_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

float pa_rank_rng_float(rank_rng *r) {
  return (float)(pa_rank_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

uint32_t pa_rank_rng_below(rank_rng *r, uint32_t n) {
  return (uint32_t)(((pa_rank_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- arena: strings and tag arrays of one page, freed in one go */

struct rank_block {
  rank_block *next;
  size_t used, cap;
  _Alignas(max_align_t) unsigned char data[];
};

static void *arena(pa_rank_page *p, size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  rank_block *b = p->blocks;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 65536 ? n : 65536;
    if (!(b = malloc(sizeof *b + cap))) return NULL;
    *b = (rank_block){p->blocks, 0, cap};
    p->blocks = b;
  }
  void *r = b->data + b->used;
  b->used += n;
  return r;
}

static const char *keep(pa_rank_page *p, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = arena(p, n);
  return d ? memcpy(d, s, n) : NULL;
}

void pa_rank_page_free(pa_rank_page *page) {
  if (!page) return;
  for (rank_block *b = page->blocks, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(page->cands);
  free(page->emb);
  free(page->q8);
  free(page->q8_scale);
  free(page->post_hash);
  free(page->pet_hash);
  free(page->adv_hash);
  free(page->created);
  free(page->age0);
  free(page->popx);
  free(page->follows);
  free(page->is_ad);
  free(page->author_of);
  free(page->author_hash);
  free(page);
}

static pa_rank_page *page_new(int n, int dim) {
  pa_rank_page *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  size_t m = n ? (size_t)n : 1;
  p->n = n;
  p->dim = dim;
  p->cands = calloc(m, sizeof *p->cands);
  p->emb = malloc(m * (size_t)dim * sizeof *p->emb);
  p->post_hash = malloc(m * sizeof *p->post_hash);
  p->pet_hash = malloc(m * sizeof *p->pet_hash);
  p->adv_hash = malloc(m * sizeof *p->adv_hash);
  p->created = malloc(m * sizeof *p->created);
  p->age0 = malloc(m * sizeof *p->age0);
  p->popx = malloc(m * sizeof *p->popx);
  p->follows = malloc(m);
  p->is_ad = malloc(m);
  p->author_of = malloc(m * sizeof *p->author_of);
  p->author_hash = malloc(m * sizeof *p->author_hash);
  if (!p->cands || !p->emb || !p->post_hash || !p->pet_hash || !p->adv_hash || !p->created ||
      !p->age0 || !p->popx || !p->follows || !p->is_ad || !p->author_of || !p->author_hash) {
    pa_rank_page_free(p);
    return NULL;
  }
  return p;
}

/* ---- checks shared by the parser and the builder; each returns a reason or NULL */

static const char TOO_LONG[] = "is too long"; /* the one reason that means PA_ERR_TOO_LARGE */

static const char *check_id(const char *s, size_t max, bool dots) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || (dots && c == '.')))
      return dots ? "may only hold letters, digits, '_', '-' and '.'"
                  : "may only hold letters, digits, '_' and '-'";
  }
  if (n == 0) return "is empty";
  if (n > max) return TOO_LONG;
  return NULL;
}

/* Valid UTF-8 (shortest form, no surrogates, <= U+10FFFF), no control
 * characters, 1..max code points. */
static const char *check_text(const char *s, long max) {
  const unsigned char *p = (const unsigned char *)s;
  long count = 0;
  while (*p) {
    unsigned c = *p++, need, cp, min;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return "holds a control character";
      count++;
      continue;
    }
    if ((c & 0xe0) == 0xc0)
      need = 1, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
      need = 2, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
      need = 3, cp = c & 0x07, min = 0x10000;
    else
      return "is not valid UTF-8";
    for (unsigned k = 0; k < need; k++, p++) {
      if ((*p & 0xc0) != 0x80) return "is not valid UTF-8";
      cp = cp << 6 | (*p & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return "is not valid UTF-8";
    count++;
  }
  if (count == 0) return "is empty";
  if (count > max) return TOO_LONG;
  return NULL;
}

static const char *const TARGETS[PA_RANK_TARGET_LISTS] = {"species", "tags", "languages",
                                                          "countries"};

/* A language tag as the catalogs name them: 2-3 letters, then "-" and
 * subtags of 2-8 letters or digits ("es", "pt-BR", "zh-Hans"). */
static const char *check_lang(const char *s) {
  size_t n = strlen(s), run = 0;
  if (n > PA_RANK_MAX_TARGET_LANG) return TOO_LONG;
  for (size_t i = 0, first = 1; i <= n; i++) {
    char c = s[i];
    if (c == '-' || c == '\0') {
      if (first ? run < 2 || run > 3 : run < 2 || run > 8) return "is not a language tag";
      first = 0;
      run = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (!first && c >= '0' && c <= '9')) {
      run++;
    } else {
      return "is not a language tag";
    }
  }
  return NULL;
}

/* The reason an entry of target list t is refused, or NULL. */
static const char *check_target(pa_rank_target t, const char *s) {
  switch (t) {
  case PA_RANK_TARGET_LANGUAGES: return check_lang(s);
  case PA_RANK_TARGET_COUNTRIES:
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && !s[2]
               ? NULL
               : "is not an ISO 3166-1 alpha-2 code";
  default: return check_text(s, PA_RANK_MAX_TARGET_TEXT);
  }
}

/* ---- the parser's context: the JSON path for error messages */

typedef struct ctx {
  pa_rank_page *page;
  pa_error *err;
  char path[64];
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
  const char *sep = c->path[0] && field[0] && field[0] != '[' ? "." : "";
  return pa_error_set(c->err, code, "%s%s%s: %s", c->path, sep, field, why);
}

#define TRY(x)                                                                                     \
  do {                                                                                             \
    pa_status s_ = (x);                                                                            \
    if (s_ != PA_OK) return s_;                                                                    \
  } while (0)

static const cJSON *field(ctx *c, const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!v) fail(c, PA_ERR_SCHEMA, name, "missing");
  return v;
}

typedef enum { K_ID, K_MODEL, K_TEXT } kind;

static pa_status get_string(ctx *c, const cJSON *o, const char *name, kind k, const char **out) {
  const cJSON *v = field(c, o, name);
  if (!v) return c->err->code;
  if (!cJSON_IsString(v) || !v->valuestring)
    return fail(c, PA_ERR_SCHEMA, name, "expected a string");
  const char *why =
      k == K_TEXT
          ? check_text(v->valuestring, MAX_NAME)
          : check_id(v->valuestring, k == K_ID ? PA_RANK_MAX_ID : PA_RANK_MAX_MODEL, k == K_MODEL);
  if (why) return fail(c, why == TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, name, "%s", why);
  if (!(*out = keep(c->page, v->valuestring)))
    return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  return PA_OK;
}

static pa_status get_count(ctx *c, const cJSON *o, const char *name, int64_t *out) {
  const cJSON *v = field(c, o, name);
  if (!v) return c->err->code;
  if (!cJSON_IsNumber(v)) return fail(c, PA_ERR_SCHEMA, name, "expected an integer");
  double d = v->valuedouble;
  if (!isfinite(d) || d != floor(d))
    return fail(c, PA_ERR_SCHEMA, name, "expected an integer, got %g", d);
  if (d < 0 || d > MAX_COUNT)
    return fail(c, PA_ERR_SCHEMA, name, "%.0f is outside 0..9007199254740991", d);
  *out = (int64_t)d;
  return PA_OK;
}

static const cJSON *get_array(ctx *c, const cJSON *o, const char *name, int lo, int hi, int *n) {
  const cJSON *v = field(c, o, name);
  if (!v) return NULL;
  if (!cJSON_IsArray(v)) {
    fail(c, PA_ERR_SCHEMA, name, "expected an array");
    return NULL;
  }
  *n = cJSON_GetArraySize(v);
  if (*n < lo || *n > hi) {
    if (lo == hi) /* an exact count (the embedding): a mismatch, not a limit */
      fail(c, PA_ERR_SCHEMA, name, "holds %d numbers, expected %d", *n, lo);
    else
      fail(c, *n > hi ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, name, "holds %d items, expected %d..%d",
           *n, lo, hi);
    return NULL;
  }
  return v;
}

/* An optional string of the sponsored object held to check (pa_feed.h's rules). */
static pa_status get_ad_string(ctx *c, const cJSON *o, const char *name,
                               const char *(*check)(const char *), const char **out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!v) return PA_OK; /* servers before issue 21 send none */
  if (!cJSON_IsString(v) || !v->valuestring)
    return fail(c, PA_ERR_SCHEMA, name, "expected a string");
  const char *why = check(v->valuestring);
  if (why)
    return fail(c, why == PA_FEED_TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, name, "%s", why);
  if (!(*out = keep(c->page, v->valuestring)))
    return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  return PA_OK;
}

/* The sponsored object's serving fields (issue 21): token, link and why, each
 * optional (a server before it sends none) and strict when present. */
static pa_status parse_serving(ctx *c, const cJSON *o, pa_rank_candidate *k) {
  TRY(get_ad_string(c, o, "token", pa_feed_ad_token_check, &k->ad_token));
  TRY(get_ad_string(c, o, "link", pa_feed_ad_link_check, &k->ad_link));
  const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "why");
  if (!why) return PA_OK;
  if (!cJSON_IsObject(why)) return fail(c, PA_ERR_SCHEMA, "why", "expected an object");
  for (int t = 0; t < PA_RANK_TARGET_LISTS; t++) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(why, TARGETS[t]);
    char name[40];
    snprintf(name, sizeof name, "why.%s", TARGETS[t]);
    if (!list) continue; /* an absent list is an empty one */
    if (!cJSON_IsArray(list)) return fail(c, PA_ERR_SCHEMA, name, "expected an array");
    int n = cJSON_GetArraySize(list);
    if (n > PA_RANK_MAX_TARGETS)
      return fail(c, PA_ERR_TOO_LARGE, name, "holds %d items, expected 0..%d", n,
                  PA_RANK_MAX_TARGETS);
    const char **items = arena(c->page, sizeof *items * (size_t)(n ? n : 1));
    if (!items) return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
    int j = 0;
    for (const cJSON *e = list->child; e; e = e->next, j++) {
      snprintf(name, sizeof name, "why.%s[%d]", TARGETS[t], j);
      if (!cJSON_IsString(e) || !e->valuestring)
        return fail(c, PA_ERR_SCHEMA, name, "expected a string");
      const char *bad = check_target((pa_rank_target)t, e->valuestring);
      if (bad) return fail(c, bad == TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, name, "%s", bad);
      if (!(items[j] = keep(c->page, e->valuestring)))
        return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
    }
    k->why[t] = items;
    k->why_count[t] = n;
  }
  return PA_OK;
}

static pa_status parse_candidate(ctx *c, const cJSON *o, int i) {
  pa_rank_page *pg = c->page;
  pa_rank_candidate *k = &pg->cands[i];
  if (!cJSON_IsObject(o)) return fail(c, PA_ERR_SCHEMA, "", "expected an object");
  TRY(get_string(c, o, "post_id", K_ID, &k->post_id));
  TRY(get_string(c, o, "author_id", K_ID, &k->author_id));
  TRY(get_string(c, o, "pet_id", K_ID, &k->pet_id));
  TRY(get_string(c, o, "species", K_TEXT, &k->species));

  int n;
  const cJSON *v = get_array(c, o, "tags", 0, PA_RANK_MAX_TAGS, &n);
  if (!v) return c->err->code;
  const char **tags = arena(pg, sizeof *tags * (size_t)(n ? n : 1));
  if (!tags) return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  int t = 0;
  for (const cJSON *e = v->child; e; e = e->next, t++) {
    char name[24];
    snprintf(name, sizeof name, "tags[%d]", t);
    if (!cJSON_IsString(e) || !e->valuestring)
      return fail(c, PA_ERR_SCHEMA, name, "expected a string");
    const char *why = check_text(e->valuestring, MAX_NAME);
    if (why) return fail(c, PA_ERR_SCHEMA, name, "%s", why);
    if (!(tags[t] = keep(pg, e->valuestring)))
      return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  }
  k->tags = tags;
  k->tag_count = n;

  const cJSON *when = field(c, o, "created_at");
  if (!when) return c->err->code;
  /* A bounded copy: timestamps longer than 40 bytes are refused outright. */
  const char *ts = cJSON_IsString(when) ? when->valuestring : NULL;
  size_t ts_len = ts ? strlen(ts) : 0;
  char stamp[48] = {0};
  if (ts && ts_len <= 40) memcpy(stamp, ts, ts_len);
  if (!ts || ts_len > 40 || pa_feed_parse_time(stamp, &k->created_at) != PA_OK)
    return fail(c, PA_ERR_SCHEMA, "created_at", "expected an RFC 3339 time");
  TRY(get_count(c, o, "like_count", &k->like_count));
  TRY(get_count(c, o, "comment_count", &k->comment_count));

  if (!(v = field(c, o, "following"))) return c->err->code;
  if (!cJSON_IsBool(v)) return fail(c, PA_ERR_SCHEMA, "following", "expected true or false");
  k->following = cJSON_IsTrue(v);

  if (!(v = get_array(c, o, "embedding", pg->dim, pg->dim, &n))) return c->err->code;
  float *row = pg->emb + (size_t)i * (size_t)pg->dim;
  int j = 0;
  for (const cJSON *e = v->child; e; e = e->next, j++) {
    char name[24];
    snprintf(name, sizeof name, "embedding[%d]", j);
    if (!cJSON_IsNumber(e)) return fail(c, PA_ERR_SCHEMA, name, "expected a number");
    /* cJSON reads 1e999 as infinity; JSON has no NaN, but be sure. */
    if (!isfinite(e->valuedouble)) return fail(c, PA_ERR_SCHEMA, name, "expected a finite number");
    if (fabs(e->valuedouble) > MAX_EMBEDDING_VALUE)
      return fail(c, PA_ERR_SCHEMA, name, "%g is outside -1000..1000", e->valuedouble);
    row[j] = (float)e->valuedouble;
  }

  if (!(v = field(c, o, "sponsored"))) return c->err->code;
  if (!cJSON_IsNull(v)) {
    if (!cJSON_IsObject(v))
      return fail(c, PA_ERR_SCHEMA, "sponsored", "expected null or an object");
    size_t mark = strlen(c->path);
    if (mark + sizeof ".sponsored" <= sizeof c->path)
      memcpy(c->path + mark, ".sponsored", sizeof ".sponsored");
    TRY(get_string(c, v, "advertiser_id", K_ID, &k->advertiser_id));
    TRY(get_string(c, v, "campaign_id", K_ID, &k->campaign_id));
    TRY(parse_serving(c, v, k));
    c->path[mark] = '\0';
    k->sponsored = true;
  }
  return PA_OK;
}

/* Normalises, hashes and indexes a filled page; refuses duplicate post ids.
 * name_fmt prints "candidates[%d]" so builder and parser errors look alike. */
static pa_status finish(pa_rank_page *p, pa_error *err) {
  int n = p->n, dim = p->dim;
  p->newest = INT64_MIN;
  uint64_t fp = 0x6a09e667f3bcc909u;
  for (int i = 0; i < n; i++) {
    float *row = p->emb + (size_t)i * (size_t)dim;
    float norm2 = pa_rank_dot(row, row, dim);
    if (norm2 > 0) {
      float norm = sqrtf(norm2);
      for (int j = 0; j < dim; j++) row[j] /= norm;
    }
    const pa_rank_candidate *k = &p->cands[i];
    p->post_hash[i] = pa_rank_hash(k->post_id);
    p->pet_hash[i] = pa_rank_hash(k->pet_id);
    p->adv_hash[i] = k->sponsored ? pa_rank_hash(k->advertiser_id) : 0;
    p->created[i] = (double)k->created_at;
    p->popx[i] = (float)((double)k->like_count + 2.0 * (double)k->comment_count);
    p->follows[i] = k->following;
    p->is_ad[i] = k->sponsored;
    if (k->created_at > p->newest) p->newest = k->created_at;
    fp = (fp ^ p->post_hash[i]) * 0x100000001b3u;
  }
  if (n == 0) p->newest = 0;
  for (int i = 0; i < n; i++) p->age0[i] = (float)(((double)p->newest - p->created[i]) / 3600.0);
  p->fingerprint = fp;

  /* One open-addressing table does both jobs: duplicate posts, author ids. */
  size_t cap = 16;
  while (cap < (size_t)n * 2) cap <<= 1;
  int *slot = malloc(cap * sizeof *slot);
  if (!slot) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  memset(slot, 0xff, cap * sizeof *slot);
  for (int i = 0; i < n; i++) {
    size_t h = (size_t)p->post_hash[i] & (cap - 1);
    for (; slot[h] >= 0; h = (h + 1) & (cap - 1))
      if (p->post_hash[slot[h]] == p->post_hash[i] &&
          !strcmp(p->cands[slot[h]].post_id, p->cands[i].post_id)) {
        int first = slot[h];
        free(slot);
        return pa_error_set(err, PA_ERR_SCHEMA,
                            "candidates[%d].post_id: duplicate of candidates[%d]", i, first);
      }
    slot[h] = i;
  }
  memset(slot, 0xff, cap * sizeof *slot);
  p->author_count = 0;
  for (int i = 0; i < n; i++) {
    uint64_t a = pa_rank_hash(p->cands[i].author_id);
    size_t h = (size_t)a & (cap - 1);
    while (slot[h] >= 0 && p->author_hash[slot[h]] != a) h = (h + 1) & (cap - 1);
    if (slot[h] < 0) {
      slot[h] = p->author_count;
      p->author_hash[p->author_count++] = a;
    }
    p->author_of[i] = slot[h];
  }
  free(slot);
  return PA_OK;
}

static pa_status parse_root(ctx *c, const cJSON *root, pa_rank_page **out) {
  if (!cJSON_IsObject(root)) return pa_error_set(c->err, PA_ERR_SCHEMA, "page: expected an object");
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
  if (!model) return pa_error_set(c->err, PA_ERR_SCHEMA, "model: missing");
  if (!cJSON_IsObject(model))
    return pa_error_set(c->err, PA_ERR_SCHEMA, "model: expected an object");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(model, "dim");
  if (!d) return pa_error_set(c->err, PA_ERR_SCHEMA, "model.dim: missing");
  if (!cJSON_IsNumber(d) || !isfinite(d->valuedouble) || d->valuedouble != floor(d->valuedouble))
    return pa_error_set(c->err, PA_ERR_SCHEMA, "model.dim: expected an integer");
  if (d->valuedouble != PA_RANK_DIM)
    return pa_error_set(c->err, PA_ERR_UNSUPPORTED,
                        "model.dim: %.0f is not supported; this build ranks %d-d embeddings",
                        fmax(-1e9, fmin(1e9, d->valuedouble)), PA_RANK_DIM);
  int n;
  const cJSON *cands = get_array(c, root, "candidates", 0, PA_RANK_MAX_CANDIDATES, &n);
  if (!cands) return c->err->code;
  if (!(c->page = page_new(n, PA_RANK_DIM)))
    return pa_error_set(c->err, PA_ERR_NOMEM, "out of memory");
  snprintf(c->path, sizeof c->path, "model");
  const char *version;
  TRY(get_string(c, model, "version", K_MODEL, &version));
  snprintf(c->page->model, sizeof c->page->model, "%s", version);
  int i = 0;
  for (const cJSON *e = cands->child; e; e = e->next, i++) {
    snprintf(c->path, sizeof c->path, "candidates[%d]", i);
    TRY(parse_candidate(c, e, i));
  }
  TRY(finish(c->page, c->err));
  *out = c->page;
  c->page = NULL;
  return PA_OK;
}

/* Whether bad JSON is cut short (a dropped connection) rather than wrong:
 * brackets match so far and some are still open, or a string is. */
static bool ends_early(const char *s, size_t len) {
  long depth = 0;
  bool str = false;
  for (size_t i = 0; i < len; i++) {
    if (str) {
      if (s[i] == '\\')
        i++;
      else if (s[i] == '"')
        str = false;
    } else if (s[i] == '"') {
      str = true;
    } else if (s[i] == '{' || s[i] == '[') {
      depth++;
    } else if (s[i] == '}' || s[i] == ']') {
      if (--depth < 0) return false;
    }
  }
  return str || depth > 0;
}

pa_status pa_rank_page_parse(const char *json, size_t len, pa_rank_page **out, pa_error *err) {
  pa_error_clear(err);
  if (!out || (!json && len)) return pa_error_set(err, PA_ERR_ARG, "page: no input or output");
  *out = NULL;
  if (len > PA_RANK_MAX_BYTES)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "page: %zu bytes is over the %d byte limit", len,
                        PA_RANK_MAX_BYTES);
  if (len == 0) return pa_error_set(err, PA_ERR_TRUNCATED, "page: empty response");
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
  if (!root) {
    if (ends_early(json, len))
      return pa_error_set(err, PA_ERR_TRUNCATED, "page: JSON ends early (%zu bytes)", len);
    return pa_error_set(err, PA_ERR_SYNTAX, "page: invalid JSON at byte %zu",
                        end && end >= json ? (size_t)(end - json) : (size_t)0);
  }
  for (const char *p = end; p && p < json + len; p++)
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
      cJSON_Delete(root);
      return pa_error_set(err, PA_ERR_SYNTAX, "page: unexpected data after JSON at byte %zu",
                          (size_t)(p - json));
    }
  pa_error local;
  ctx c = {.page = NULL, .err = err ? err : &local, .path = ""};
  pa_status st = parse_root(&c, root, out);
  cJSON_Delete(root);
  pa_rank_page_free(c.page);
  return st;
}

pa_status pa_rank_page_build(const char *model, int dim, const pa_rank_candidate *cands,
                             const float *embeddings, int n, pa_rank_page **out, pa_error *err) {
  pa_error_clear(err);
  if (!out) return pa_error_set(err, PA_ERR_ARG, "page: no output");
  *out = NULL;
  if (dim < 16 || dim > PA_RANK_MAX_DIM || dim % 16)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "model.dim: %d is not a multiple of 16 in 16..%d",
                        dim, PA_RANK_MAX_DIM);
  if (n < 0 || n > PA_RANK_MAX_CANDIDATES)
    return pa_error_set(err, n < 0 ? PA_ERR_ARG : PA_ERR_TOO_LARGE,
                        "candidates: holds %d items, expected 0..%d", n, PA_RANK_MAX_CANDIDATES);
  if ((n && (!cands || !embeddings)) || !model)
    return pa_error_set(err, PA_ERR_ARG, "page: no candidates or model");
  const char *why = check_id(model, PA_RANK_MAX_MODEL, true);
  if (why) return pa_error_set(err, PA_ERR_SCHEMA, "model.version: %s", why);
  pa_rank_page *p = page_new(n, dim);
  if (!p) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  snprintf(p->model, sizeof p->model, "%s", model);
  pa_status st = PA_OK;
#define BAD(code, ...)                                                                             \
  do {                                                                                             \
    st = pa_error_set(err, code, __VA_ARGS__);                                                     \
    goto done;                                                                                     \
  } while (0)
  for (int i = 0; i < n; i++) {
    const pa_rank_candidate *in = &cands[i];
    pa_rank_candidate *k = &p->cands[i];
    const char *ids[3] = {in->post_id, in->author_id, in->pet_id};
    static const char *const names[3] = {"post_id", "author_id", "pet_id"};
    for (int f = 0; f < 3; f++)
      if (!ids[f] || (why = check_id(ids[f], PA_RANK_MAX_ID, false)))
        BAD(PA_ERR_SCHEMA, "candidates[%d].%s: %s", i, names[f], ids[f] ? why : "missing");
    if (!in->species || (why = check_text(in->species, MAX_NAME)))
      BAD(PA_ERR_SCHEMA, "candidates[%d].species: %s", i, in->species ? why : "missing");
    if (in->tag_count < 0 || in->tag_count > PA_RANK_MAX_TAGS || (in->tag_count && !in->tags))
      BAD(PA_ERR_SCHEMA, "candidates[%d].tags: holds %d items, expected 0..%d", i, in->tag_count,
          PA_RANK_MAX_TAGS);
    if (in->like_count < 0 || in->comment_count < 0 || (double)in->like_count > MAX_COUNT ||
        (double)in->comment_count > MAX_COUNT)
      BAD(PA_ERR_SCHEMA, "candidates[%d]: counts must be in 0..9007199254740991", i);
    if (in->sponsored != (in->advertiser_id != NULL) || in->sponsored != (in->campaign_id != NULL))
      BAD(PA_ERR_SCHEMA, "candidates[%d].sponsored: needs both advertiser_id and campaign_id", i);
    if (in->sponsored && ((why = check_id(in->advertiser_id, PA_RANK_MAX_ID, false)) ||
                          (why = check_id(in->campaign_id, PA_RANK_MAX_ID, false))))
      BAD(PA_ERR_SCHEMA, "candidates[%d].sponsored: %s", i, why);
    if (!in->sponsored && (in->ad_token || in->ad_link))
      BAD(PA_ERR_SCHEMA, "candidates[%d].sponsored: a token or link needs sponsored", i);
    if (in->ad_token && (why = pa_feed_ad_token_check(in->ad_token)))
      BAD(why == PA_FEED_TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA,
          "candidates[%d].sponsored.token: %s", i, why);
    if (in->ad_link && (why = pa_feed_ad_link_check(in->ad_link)))
      BAD(why == PA_FEED_TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA,
          "candidates[%d].sponsored.link: %s", i, why);
    for (int t = 0; t < PA_RANK_TARGET_LISTS; t++) {
      int m = in->why_count[t];
      if (m < 0 || m > PA_RANK_MAX_TARGETS || (m && (!in->why[t] || !in->sponsored)))
        BAD(m > PA_RANK_MAX_TARGETS ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA,
            "candidates[%d].sponsored.why.%s: holds %d items, expected 0..%d (sponsored only)", i,
            TARGETS[t], m, PA_RANK_MAX_TARGETS);
      const char **items = arena(p, sizeof *items * (size_t)(m ? m : 1));
      if (!items) BAD(PA_ERR_NOMEM, "out of memory");
      for (int j = 0; j < m; j++) {
        if (!in->why[t][j] || (why = check_target((pa_rank_target)t, in->why[t][j])))
          BAD(why == TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA,
              "candidates[%d].sponsored.why.%s[%d]: %s", i, TARGETS[t], j,
              in->why[t][j] ? why : "missing");
        if (!(items[j] = keep(p, in->why[t][j]))) BAD(PA_ERR_NOMEM, "out of memory");
      }
      p->cands[i].why[t] = items; /* kept through *k = *in below */
    }
    const char **tags = arena(p, sizeof *tags * (size_t)(in->tag_count ? in->tag_count : 1));
    if (!tags) BAD(PA_ERR_NOMEM, "out of memory");
    for (int t = 0; t < in->tag_count; t++) {
      if (!in->tags[t] || (why = check_text(in->tags[t], MAX_NAME)))
        BAD(PA_ERR_SCHEMA, "candidates[%d].tags[%d]: %s", i, t, in->tags[t] ? why : "missing");
      if (!(tags[t] = keep(p, in->tags[t]))) BAD(PA_ERR_NOMEM, "out of memory");
    }
    const char *const *why_kept[PA_RANK_TARGET_LISTS];
    memcpy(why_kept, k->why, sizeof why_kept);
    *k = *in;
    k->tags = tags;
    memcpy(k->why, why_kept, sizeof why_kept);
    if ((in->ad_token && !(k->ad_token = keep(p, in->ad_token))) ||
        (in->ad_link && !(k->ad_link = keep(p, in->ad_link))))
      BAD(PA_ERR_NOMEM, "out of memory");
    if (!(k->post_id = keep(p, in->post_id)) || !(k->author_id = keep(p, in->author_id)) ||
        !(k->pet_id = keep(p, in->pet_id)) || !(k->species = keep(p, in->species)) ||
        (in->sponsored && (!(k->advertiser_id = keep(p, in->advertiser_id)) ||
                           !(k->campaign_id = keep(p, in->campaign_id)))))
      BAD(PA_ERR_NOMEM, "out of memory");
    for (int j = 0; j < dim; j++) {
      float x = embeddings[(size_t)i * (size_t)dim + (size_t)j];
      if (!isfinite(x) || fabsf(x) > (float)MAX_EMBEDDING_VALUE)
        BAD(PA_ERR_SCHEMA, "candidates[%d].embedding[%d]: expected a finite number in -1000..1000",
            i, j);
      p->emb[(size_t)i * (size_t)dim + (size_t)j] = x;
    }
  }
#undef BAD
  st = finish(p, err);
done:
  if (st != PA_OK) {
    pa_rank_page_free(p);
    return st;
  }
  *out = p;
  return PA_OK;
}

int pa_rank_page_count(const pa_rank_page *page) { return page ? page->n : 0; }
int pa_rank_page_dim(const pa_rank_page *page) { return page ? page->dim : 0; }
const char *pa_rank_page_model(const pa_rank_page *page) { return page ? page->model : ""; }
int64_t pa_rank_page_newest(const pa_rank_page *page) { return page ? page->newest : 0; }

const pa_rank_candidate *pa_rank_page_candidate(const pa_rank_page *page, int index) {
  return page && index >= 0 && index < page->n ? &page->cands[index] : NULL;
}

const float *pa_rank_page_embedding(const pa_rank_page *page, int index) {
  return page && index >= 0 && index < page->n ? page->emb + (size_t)index * (size_t)page->dim
                                               : NULL;
}

int pa_rank_page_find(const pa_rank_page *page, const char *post_id) {
  if (!page || !post_id) return -1;
  uint64_t h = pa_rank_hash(post_id);
  for (int i = 0; i < page->n; i++)
    if (page->post_hash[i] == h && !strcmp(page->cands[i].post_id, post_id)) return i;
  return -1;
}

int pa_rank_page_find_by(const pa_rank_page *page, const char *author_id, const char *pet_id) {
  if (!page || (!author_id && !pet_id)) return -1;
  int best = -1;
  for (int i = 0; i < page->n; i++) {
    const pa_rank_candidate *c = &page->cands[i];
    if ((author_id && strcmp(c->author_id, author_id)) || (pet_id && strcmp(c->pet_id, pet_id)))
      continue;
    if (best < 0 || c->created_at > page->cands[best].created_at) best = i;
  }
  return best;
}

pa_status pa_rank_page_quantize(pa_rank_page *page, pa_error *err) {
  if (!page) return pa_error_set(err, PA_ERR_ARG, "quantize: no page");
  if (page->q8) return PA_OK;
  size_t m = page->n ? (size_t)page->n : 1;
  int8_t *q = malloc(m * (size_t)page->dim);
  float *scale = malloc(m * sizeof *scale);
  if (!q || !scale) {
    free(q);
    free(scale);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < page->n; i++)
    scale[i] = pa_rank_quantize(page->emb + (size_t)i * (size_t)page->dim, page->dim,
                                q + (size_t)i * (size_t)page->dim);
  page->q8 = q;
  page->q8_scale = scale;
  return PA_OK;
}

/* ---- names and text */

const char *pa_rank_mode_name(pa_rank_mode mode) {
  return mode == PA_RANK_FOLLOWING ? "following" : "for-you";
}

const char *pa_rank_why_name(pa_rank_why why) {
  switch (why) {
  case PA_RANK_WHY_SIMILAR: return "similar";
  case PA_RANK_WHY_AUTHOR: return "author";
  case PA_RANK_WHY_FOLLOWING: return "following";
  case PA_RANK_WHY_NEW: return "new";
  case PA_RANK_WHY_POPULAR: return "popular";
  case PA_RANK_WHY_EXPLORING: return "exploring";
  case PA_RANK_WHY_SPONSORED: return "sponsored";
  }
  return "unknown";
}

static const char *const SIGNALS[] = {"like", "dwell",       "watch", "skip",
                                      "hide", "hide-author", "follow"};

const char *pa_rank_target_name(pa_rank_target t) {
  return (unsigned)t < PA_RANK_TARGET_LISTS ? TARGETS[t] : "unknown";
}

const char *pa_rank_signal_name(pa_rank_signal sig) {
  return (unsigned)sig < sizeof SIGNALS / sizeof SIGNALS[0] ? SIGNALS[sig] : "unknown";
}

bool pa_rank_signal_from_name(const char *name, pa_rank_signal *out) {
  for (size_t i = 0; name && i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
    if (!strcmp(name, SIGNALS[i])) {
      *out = (pa_rank_signal)i;
      return true;
    }
  return false;
}

size_t pa_rank_describe(const pa_rank_page *page, const pa_rank_item *items, int count,
                        pa_rank_mode mode, bool explain, char *buf, size_t cap) {
  pa_strbuf o = {buf, cap, 0};
  if (cap) buf[0] = '\0';
  if (!page) return 0;
  pa_strbuf_put(&o, "rank: %d of %d candidates, %s, model %s\n", count, page->n,
                pa_rank_mode_name(mode), page->model);
  for (int r = 0; r < count; r++) {
    const pa_rank_item *it = &items[r];
    const pa_rank_candidate *k = pa_rank_page_candidate(page, it->index);
    if (!k) continue;
    char when[21];
    pa_feed_format_time(k->created_at, when);
    pa_strbuf_put(&o, "%3d. %s by %s, %s (%s), %s, score %.4f", r + 1, k->post_id, k->author_id,
                  k->pet_id, k->species, when, it->score);
    if (it->sponsored)
      pa_strbuf_put(&o, ", sponsored by %s (%s)", k->advertiser_id, k->campaign_id);
    pa_strbuf_put(&o, "\n");
    if (explain) {
      pa_strbuf_put(&o, "     why:");
      for (int w = 0; w < it->reason_count; w++)
        pa_strbuf_put(&o, "%s %s %.4f", w ? "," : "", pa_rank_why_name(it->reasons[w].code),
                      it->reasons[w].weight);
      pa_strbuf_put(&o, "%s\n", it->reason_count ? "" : " -");
    }
  }
  return o.len;
}

/* s as a JSON string: the checks allow no control characters, so only the
 * quote and the backslash need escaping. */
static void json_string(pa_strbuf *o, const char *s) {
  pa_strbuf_put(o, "\"");
  for (const char *run = s; *s; run = s) {
    s += strcspn(s, "\"\\");
    pa_strbuf_put(o, "%.*s", (int)(s - run), run);
    if (*s) pa_strbuf_put(o, "\\%c", *s++);
  }
  pa_strbuf_put(o, "\"");
}

size_t pa_rank_items_json(const pa_rank_page *page, const pa_rank_item *items, int count, char *buf,
                          size_t cap) {
  pa_strbuf o = {buf, cap, 0};
  if (cap) buf[0] = '\0';
  pa_strbuf_put(&o, "[");
  for (int r = 0; page && r < count; r++) {
    const pa_rank_item *it = &items[r];
    const pa_rank_candidate *k = pa_rank_page_candidate(page, it->index);
    if (!k) continue;
    /* Ids are [A-Za-z0-9_-] by the parser's rules, so they need no escaping. */
    pa_strbuf_put(&o,
                  "%s{\"index\":%d,\"post_id\":\"%s\",\"score\":%.4f,\"sponsored\":", r ? "," : "",
                  it->index, k->post_id, it->score);
    if (it->sponsored) {
      /* Tokens and links hold no character JSON must escape (the checks). */
      pa_strbuf_put(&o, "{\"advertiser_id\":\"%s\",\"campaign_id\":\"%s\"", k->advertiser_id,
                    k->campaign_id);
      if (k->ad_token) pa_strbuf_put(&o, ",\"token\":\"%s\"", k->ad_token);
      if (k->ad_link) pa_strbuf_put(&o, ",\"link\":\"%s\"", k->ad_link);
      pa_strbuf_put(&o, ",\"why\":{");
      for (int t = 0; t < PA_RANK_TARGET_LISTS; t++) {
        pa_strbuf_put(&o, "%s\"%s\":[", t ? "," : "", TARGETS[t]);
        for (int j = 0; j < k->why_count[t]; j++) {
          pa_strbuf_put(&o, "%s", j ? "," : "");
          json_string(&o, k->why[t][j]);
        }
        pa_strbuf_put(&o, "]");
      }
      pa_strbuf_put(&o, "}}");
    } else
      pa_strbuf_put(&o, "null");
    pa_strbuf_put(&o, ",\"why\":[");
    for (int w = 0; w < it->reason_count; w++)
      pa_strbuf_put(&o, "%s{\"code\":\"%s\",\"weight\":%.4f}", w ? "," : "",
                    pa_rank_why_name(it->reasons[w].code), it->reasons[w].weight);
    pa_strbuf_put(&o, "]}");
  }
  pa_strbuf_put(&o, "]");
  return o.len;
}
