/* pa_embed — implicit ALS item vectors with a tag/species cold start. */
#include "embed.h"

#include "store/rank.h"
#include "str.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K = PA_EMBED_DIM, SWEEPS = 8, COLD_LIKES = 5 };
_Static_assert((int)PA_EMBED_DIM == (int)PA_STORE_VEC_DIM,
               "the store keeps vectors of PA_EMBED_DIM floats");
static const double ALPHA = 10.0, LAMBDA = 0.1, FOLLOW_WEIGHT = 0.25;

/* A fixed direction per word: BLAKE2b of the word seeds xorshift. */
static void word_vector(const char *kind, const char *word, float out[K]) {
  unsigned char h[8];
  crypto_generichash_state s;
  crypto_generichash_init(&s, NULL, 0, sizeof h);
  crypto_generichash_update(&s, (const unsigned char *)kind, strlen(kind));
  crypto_generichash_update(&s, (const unsigned char *)":", 1);
  crypto_generichash_update(&s, (const unsigned char *)word, strlen(word));
  crypto_generichash_final(&s, h, sizeof h);
  uint64_t x = 0;
  for (int i = 0; i < 8; i++) x = x << 8 | h[i];
  if (!x) x = 1;
  for (int i = 0; i < K; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    out[i] = (float)((double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0);
  }
}

static void normalise(float *v) {
  double n = 0;
  for (int i = 0; i < K; i++) n += (double)v[i] * v[i];
  n = sqrt(n);
  if (n < 1e-12) {
    for (int i = 0; i < K; i++) v[i] = i == 0 ? 1.0f : 0.0f;
    return;
  }
  for (int i = 0; i < K; i++) v[i] = (float)(v[i] / n);
}

void pa_embed_cold(const char *species, const char *const *tags, int ntags, float out[K]) {
  float w[K];
  /* The species weighs as much as all the tags together. */
  word_vector("species", species ? species : "", out);
  normalise(out);
  float acc[K] = {0};
  for (int t = 0; t < ntags; t++) {
    word_vector("tag", tags[t], w);
    for (int i = 0; i < K; i++) acc[i] += w[i];
  }
  if (ntags) {
    normalise(acc);
    for (int i = 0; i < K; i++) out[i] += acc[i];
  }
  normalise(out);
}

/* ---- the interaction matrix, stored by row and by column */

typedef struct entry {
  int row, col;
  double r;
} entry;

typedef struct problem {
  int nu, ni;
  int64_t *users, *posts; /* ids by index, ascending */
  entry *e;
  int ne, cap;
} problem;

static int index_of(const int64_t *ids, int n, int64_t id) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (ids[mid] == id) return mid;
    if (ids[mid] < id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

/* Collects ids (pa_store_id_fn) into a growing array. */
typedef struct id_sink {
  int64_t **v;
  int *n, cap;
} id_sink;

static int add_id(void *ctx, int64_t id) {
  id_sink *s = ctx;
  if (*s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : 256;
    int64_t *p = realloc(*s->v, (size_t)cap * sizeof *p);
    if (!p) return -1;
    *s->v = p;
    s->cap = cap;
  }
  (*s->v)[(*s->n)++] = id;
  return 0;
}

static int load_ids(pa_store *db, int (*walk)(pa_store *, pa_store_id_fn, void *), int64_t **out,
                    int *n) {
  id_sink s = {out, n, 0};
  *n = 0;
  return walk(db, add_id, &s) == PA_STORE_OK ? 0 : -1;
}

static int add_entry(problem *p, int row, int col, double r) {
  if (p->ne == p->cap) {
    int cap = p->cap ? p->cap * 2 : 1024;
    entry *e = realloc(p->e, (size_t)cap * sizeof *e);
    if (!e) return -1;
    p->e = e;
    p->cap = cap;
  }
  p->e[p->ne++] = (entry){row, col, r};
  return 0;
}

typedef struct entry_sink {
  problem *p;
  double w;
} entry_sink;

static int add_pair(void *ctx, int64_t user, int64_t post) {
  entry_sink *s = ctx;
  int u = index_of(s->p->users, s->p->nu, user), i = index_of(s->p->posts, s->p->ni, post);
  return u >= 0 && i >= 0 ? add_entry(s->p, u, i, s->w) : 0;
}

/* The (user, post) pairs of signal, weighing w each; repeats add up when merged below. */
static int load_entries(pa_store *db, problem *p, pa_store_rank_signal signal, double w) {
  entry_sink s = {p, w};
  return pa_store_rank_pairs(db, signal, add_pair, &s) == PA_STORE_OK ? 0 : -1;
}

static int by_row(const void *a, const void *b) {
  const entry *x = a, *y = b;
  return x->row != y->row ? x->row - y->row : x->col - y->col;
}

/* Cholesky solve of the k x k SPD system a x = b in place (a is destroyed). */
static int solve(double *a, double *b) {
  for (int j = 0; j < K; j++) {
    double d = a[j * K + j];
    for (int k = 0; k < j; k++) d -= a[j * K + k] * a[j * K + k];
    if (d <= 0) return -1;
    d = sqrt(d);
    a[j * K + j] = d;
    for (int i = j + 1; i < K; i++) {
      double s = a[i * K + j];
      for (int k = 0; k < j; k++) s -= a[i * K + k] * a[j * K + k];
      a[i * K + j] = s / d;
    }
  }
  for (int i = 0; i < K; i++) {
    double s = b[i];
    for (int k = 0; k < i; k++) s -= a[i * K + k] * b[k];
    b[i] = s / a[i * K + i];
  }
  for (int i = K - 1; i >= 0; i--) {
    double s = b[i];
    for (int k = i + 1; k < K; k++) s -= a[k * K + i] * b[k];
    b[i] = s / a[i * K + i];
  }
  return 0;
}

/* One half-sweep: solves every row of x from the fixed y, given the
 * entries of each row as [start[r], start[r + 1]) in e (sorted by row);
 * other(e) is the column index on the y side. */
static void sweep(double *x, int nx, const double *y, int ny, const entry *e, const int *start,
                  int transpose, double *a, double *b) {
  double yty[K * K];
  memset(yty, 0, sizeof yty);
  for (int j = 0; j < ny; j++)
    for (int r = 0; r < K; r++)
      for (int c = 0; c <= r; c++) yty[r * K + c] += y[j * K + r] * y[j * K + c];
  for (int r = 0; r < K; r++)
    for (int c = r + 1; c < K; c++) yty[r * K + c] = yty[c * K + r];
  for (int u = 0; u < nx; u++) {
    memcpy(a, yty, sizeof yty);
    memset(b, 0, K * sizeof *b);
    for (int k = 0; k < K; k++) a[k * K + k] += LAMBDA;
    for (int t = start[u]; t < start[u + 1]; t++) {
      const double *yj = y + (size_t)(transpose ? e[t].row : e[t].col) * K;
      double c = ALPHA * e[t].r; /* confidence - 1 */
      for (int r = 0; r < K; r++) {
        b[r] += (1.0 + c) * yj[r];
        for (int q = 0; q < K; q++) a[r * K + q] += c * yj[r] * yj[q];
      }
    }
    if (solve(a, b) == 0) memcpy(x + (size_t)u * K, b, K * sizeof *b);
  }
}

static int tag_collect(void *ctx, const char *tag) {
  struct {
    char (*tags)[PA_TEXT_MAX_TAG + 1];
    int n;
  } *c = ctx;
  snprintf(c->tags[c->n++], PA_TEXT_MAX_TAG + 1, "%s", tag);
  return 0;
}

/* What the vector of each post is made from (pa_store_rank_post_fn). */
typedef struct blend {
  pa_store *db;
  const problem *p;
  const double *y;
  const int *likes;
  char *err; /* a failed write's message, kept past the walk's own */
  size_t errlen;
} blend;

/* Blends the post's learned vector with its cold start by its likes, and stores it. */
static int store_vector(void *ctx, const pa_store_rank_post *post) {
  const blend *bl = ctx;
  int i = index_of(bl->p->posts, bl->p->ni, post->id);
  char tags[PA_TEXT_MAX_TAGS][PA_TEXT_MAX_TAG + 1];
  struct {
    char (*tags)[PA_TEXT_MAX_TAG + 1];
    int n;
  } c = {tags, 0};
  pa_str_tags(post->caption ? post->caption : "", tag_collect, &c);
  const char *ptrs[PA_TEXT_MAX_TAGS];
  for (int t = 0; t < c.n; t++) ptrs[t] = tags[t];
  float v[K], cold[K];
  pa_embed_cold(post->species, ptrs, c.n, cold);
  const double *y = i >= 0 ? bl->y + (size_t)i * K : NULL;
  double n2 = 0, w = i >= 0 ? (double)bl->likes[i] / COLD_LIKES : 0;
  if (w > 1) w = 1;
  for (int k = 0; y && k < K; k++) n2 += y[k] * y[k];
  for (int k = 0; k < K; k++) {
    double learned = y && n2 > 1e-18 ? y[k] / sqrt(n2) : 0;
    v[k] = (float)(w * learned + (1 - w) * cold[k]);
  }
  normalise(v);
  if (pa_store_rank_vector_put(bl->db, post->id, v) == PA_STORE_OK) return 0;
  snprintf(bl->err, bl->errlen, "embed: store: %s", pa_store_errmsg(bl->db));
  return -1;
}

int pa_embed_compute(pa_store *db, char *err, size_t errlen) {
  problem p = {0};
  double *x = NULL, *y = NULL, *a = malloc(K * K * sizeof *a), *b = malloc(K * sizeof *b);
  int *ustart = NULL, *istart = NULL, *likes = NULL, rc = -1;
  entry *cols = NULL;
  if (!a || !b || load_ids(db, pa_store_rank_users, &p.users, &p.nu) ||
      load_ids(db, pa_store_rank_posts, &p.posts, &p.ni) ||
      load_entries(db, &p, PA_STORE_RANK_LIKE, 1.0) ||
      load_entries(db, &p, PA_STORE_RANK_FOLLOW_AUTHOR, FOLLOW_WEIGHT) ||
      load_entries(db, &p, PA_STORE_RANK_FOLLOW_PET, FOLLOW_WEIGHT)) {
    snprintf(err, errlen, "embed: load: %s", pa_store_errmsg(db));
    goto out;
  }
  /* Merge repeats, then index by row (users) and by column (posts). */
  if (p.ne) qsort(p.e, (size_t)p.ne, sizeof *p.e, by_row);
  int m = 0;
  for (int t = 0; t < p.ne; t++) {
    if (m && p.e[m - 1].row == p.e[t].row && p.e[m - 1].col == p.e[t].col)
      p.e[m - 1].r += p.e[t].r;
    else
      p.e[m++] = p.e[t];
  }
  p.ne = m;
  x = calloc((size_t)(p.nu ? p.nu : 1) * K, sizeof *x);
  y = calloc((size_t)(p.ni ? p.ni : 1) * K, sizeof *y);
  ustart = calloc((size_t)p.nu + 1, sizeof *ustart);
  istart = calloc((size_t)p.ni + 1, sizeof *istart);
  likes = calloc((size_t)p.ni + 1, sizeof *likes);
  cols = malloc((size_t)(p.ne ? p.ne : 1) * sizeof *cols);
  if (!x || !y || !ustart || !istart || !likes || !cols) {
    snprintf(err, errlen, "embed: out of memory");
    goto out;
  }
  for (int t = 0; t < p.ne; t++) {
    ustart[p.e[t].row + 1]++;
    istart[p.e[t].col + 1]++;
    if (p.e[t].r >= 1.0) likes[p.e[t].col]++;
  }
  for (int i = 0; i < p.nu; i++) ustart[i + 1] += ustart[i];
  for (int i = 0; i < p.ni; i++) istart[i + 1] += istart[i];
  {
    int *fill = calloc((size_t)p.ni + 1, sizeof *fill);
    if (!fill) goto out;
    for (int t = 0; t < p.ne; t++) cols[istart[p.e[t].col] + fill[p.e[t].col]++] = p.e[t];
    free(fill);
  }
  /* Seeded start: small values from a fixed xorshift stream. */
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < (size_t)p.ni * K; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    y[i] = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 0.1;
  }
  for (int it = 0; it < SWEEPS && p.nu && p.ni; it++) {
    sweep(x, p.nu, y, p.ni, p.e, ustart, 0, a, b);
    sweep(y, p.ni, x, p.nu, cols, istart, 1, a, b);
  }

  /* Blend with the cold start and store, all in one transaction. */
  blend bl = {db, &p, y, likes, err, errlen};
  err[0] = '\0';
  int ok = pa_store_begin(db) == PA_STORE_OK;
  if (ok) {
    ok = pa_store_rank_vectors_clear(db) == PA_STORE_OK &&
         pa_store_rank_post_texts(db, store_vector, &bl) == PA_STORE_OK &&
         pa_store_rank_vectors_done(db) == PA_STORE_OK;
    if (!ok && !err[0]) snprintf(err, errlen, "embed: store: %s", pa_store_errmsg(db));
    if (pa_store_end(db, ok) == PA_STORE_OK) rc = 0;
  }
  if (rc != 0 && !err[0]) snprintf(err, errlen, "embed: store: %s", pa_store_errmsg(db));
out:
  free(p.users);
  free(p.posts);
  free(p.e);
  free(x);
  free(y);
  free(a);
  free(b);
  free(ustart);
  free(istart);
  free(likes);
  free(cols);
  return rc;
}

int pa_embed_staleness(pa_store *db, int64_t *new_likes, int *missing) {
  pa_store_rank_state st;
  if (pa_store_rank_state_get(db, &st) != PA_STORE_OK) return -1;
  int64_t likes = st.likes, seen = st.likes_then;
  *new_likes = seen < 0 ? likes + 1 : likes > seen ? likes - seen : seen - likes;
  *missing = st.missing;
  return 0;
}
