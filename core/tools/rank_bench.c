/* The benchmark fixture: the same synthetic page and taste on every
 * platform, so native and WASM timings measure the same work. */
#include "rank/rank_internal.h"
#include "rank_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pa_rank_bench {
  pa_rank_page *page;
  pa_rank_taste *taste;
  pa_rank_session *f32, *i8;
  pa_rank_item *items, *items8;
  float *out;
  float *copy;
  int16_t qu[PA_RANK_MAX_DIM];
  float su;
};

void pa_rank_bench_free(pa_rank_bench *b) {
  if (!b) return;
  pa_rank_page_free(b->page);
  pa_rank_taste_free(b->taste);
  pa_rank_session_free(b->f32);
  pa_rank_session_free(b->i8);
  free(b->items);
  free(b->items8);
  free(b->out);
  free(b->copy);
  free(b);
}

/* Roughly normal: the sum of four uniforms, centred. */
static float gauss(rank_rng *r) {
  float s = 0;
  for (int k = 0; k < 4; k++) s += pa_rank_rng_float(r);
  return (s - 2.0f) * 1.7320508f;
}

pa_status pa_rank_bench_create(int n, int dim, uint64_t seed, pa_rank_bench **out, pa_error *err) {
  pa_error_clear(err);
  *out = NULL;
  if (n < 1 || n > PA_RANK_MAX_CANDIDATES || dim < 16 || dim > PA_RANK_MAX_DIM || dim % 16)
    return pa_error_set(err, PA_ERR_ARG, "bench: n must be 1..%d, dim a multiple of 16 up to %d",
                        PA_RANK_MAX_CANDIDATES, PA_RANK_MAX_DIM);
  pa_rank_bench *b = calloc(1, sizeof *b);
  pa_rank_candidate *c = calloc((size_t)n, sizeof *c);
  float *emb = malloc((size_t)n * (size_t)dim * sizeof *emb);
  float *centre = malloc((size_t)16 * (size_t)dim * sizeof *centre);
  char *ids = malloc((size_t)n * 96);
  pa_status st = PA_ERR_NOMEM;
  if (!b || !c || !emb || !centre || !ids) {
    pa_error_set(err, st, "out of memory");
    goto done;
  }
  rank_rng r = {seed};
  static const char *const species[4] = {"cat", "dog", "rabbit", "bird"};
  for (int k = 0; k < 16 * dim; k++) centre[k] = gauss(&r);
  for (int i = 0; i < n; i++) {
    int cluster = (int)pa_rank_rng_below(&r, 16),
        author = (int)pa_rank_rng_below(&r, (uint32_t)(n / 20 + 1));
    char *id = ids + (size_t)i * 96;
    snprintf(id, 24, "p_%d", i);
    snprintf(id + 24, 24, "u_%d", author);
    snprintf(id + 48, 24, "pet_%d_%d", author, i % 3);
    snprintf(id + 72, 24, "ad_%d", i % 10);
    bool ad = pa_rank_rng_below(&r, 20) == 0;
    c[i] = (pa_rank_candidate){.post_id = id,
                               .author_id = id + 24,
                               .pet_id = id + 48,
                               .species = species[cluster % 4],
                               .created_at = 1795000000 - (int64_t)pa_rank_rng_below(&r, 259200),
                               .like_count = pa_rank_rng_below(&r, 500),
                               .comment_count = pa_rank_rng_below(&r, 50),
                               .following = pa_rank_rng_below(&r, 10) < 3,
                               .sponsored = ad,
                               .advertiser_id = ad ? id + 72 : NULL,
                               .campaign_id = ad ? id + 72 : NULL};
    for (int j = 0; j < dim; j++)
      emb[(size_t)i * (size_t)dim + (size_t)j] = centre[cluster * dim + j] + 0.7f * gauss(&r);
  }
  if ((st = pa_rank_page_build("mf-v1", dim, c, emb, n, &b->page, err)) != PA_OK) goto done;
  if ((st = pa_rank_page_quantize(b->page, err)) != PA_OK) goto done;
  if ((st = pa_rank_taste_create(dim, &b->taste, err)) != PA_OK) goto done;
  /* A user who likes cluster 0 and skips some others: a taste with direction. */
  for (int i = 0, likes = 0; i < n && likes < 60; i++) {
    float d = pa_rank_dot(pa_rank_page_embedding(b->page, i), centre, dim);
    pa_rank_signal sig = d > 0 ? PA_RANK_LIKE : PA_RANK_SKIP;
    likes += sig == PA_RANK_LIKE;
    if ((st = pa_rank_taste_observe(b->taste, b->page, i, sig, 0, err)) != PA_OK) goto done;
  }
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  if ((st = pa_rank_session_create(&cfg, seed, &b->f32, err)) != PA_OK) goto done;
  cfg.int8 = true;
  if ((st = pa_rank_session_create(&cfg, seed, &b->i8, err)) != PA_OK) goto done;
  b->items = malloc((size_t)n * sizeof *b->items);
  b->items8 = malloc((size_t)n * sizeof *b->items8);
  b->out = malloc((size_t)n * sizeof *b->out);
  b->copy = malloc((size_t)n * (size_t)dim * sizeof *b->copy);
  if (!b->items || !b->items8 || !b->out || !b->copy) {
    st = pa_error_set(err, PA_ERR_NOMEM, "out of memory");
    goto done;
  }
  const char *model;
  int8_t q8[PA_RANK_MAX_DIM];
  b->su = pa_rank_quantize(pa_rank_taste_vector(b->taste, &model), dim, q8);
  for (int j = 0; j < dim; j++) b->qu[j] = q8[j];
  st = PA_OK;
done:
  free(c);
  free(emb);
  free(centre);
  free(ids);
  if (st != PA_OK)
    pa_rank_bench_free(b);
  else
    *out = b;
  return st;
}

int pa_rank_bench_rank(pa_rank_bench *b, bool int8, int limit) {
  int count = 0;
  if (limit > b->page->n) limit = b->page->n;
  /* Each run starts a new session so the ad caps do not drift across runs. */
  pa_rank_session *s = int8 ? b->i8 : b->f32;
  pa_rank_session_restart(s);
  pa_status st = pa_rank_session_rank(s, b->taste, b->page, 1795000000, int8 ? b->items8 : b->items,
                                      limit, &count, NULL);
  return st == PA_OK ? count : -(int)st;
}

void pa_rank_bench_dots(pa_rank_bench *b, int kernel) {
  const pa_rank_page *p = b->page;
  const char *model;
  const float *u = pa_rank_taste_vector(b->taste, &model);
  switch (kernel) {
  case 0: pa_rank_dots(u, p->emb, p->n, p->dim, b->out); break;
  case 1: pa_rank_dots_scalar(u, p->emb, p->n, p->dim, b->out); break;
  case 2: pa_rank_dots_i8(b->qu, b->su, p->q8, p->q8_scale, p->n, p->dim, b->out); break;
  default: pa_rank_dots_i8_scalar(b->qu, b->su, p->q8, p->q8_scale, p->n, p->dim, b->out); break;
  }
}

void pa_rank_bench_copy(pa_rank_bench *b) { memcpy(b->copy, b->page->emb, pa_rank_bench_bytes(b)); }

size_t pa_rank_bench_bytes(const pa_rank_bench *b) {
  return (size_t)b->page->n * (size_t)b->page->dim * sizeof(float);
}

const char *pa_rank_bench_kernel(void) { return pa_rank_kernel_name(); }

/* Marks the top k of v in top[] (a tool, so a simple selection is fine). */
static void mark_top(const float *v, int n, int k, uint8_t *top) {
  memset(top, 0, (size_t)n);
  for (int m = 0; m < k && m < n; m++) {
    int best = -1;
    for (int i = 0; i < n; i++)
      if (!top[i] && (best < 0 || v[i] > v[best])) best = i;
    if (best < 0) break;
    top[best] = 1;
  }
}

double pa_rank_bench_recall(pa_rank_bench *b, int k) {
  int n = b->page->n;
  if (k > n) k = n;
  float *f = malloc((size_t)n * sizeof *f);
  uint8_t *t1 = malloc((size_t)n), *t2 = malloc((size_t)n);
  double recall = -1;
  if (f && t1 && t2 && k > 0) {
    pa_rank_bench_dots(b, 0);
    memcpy(f, b->out, (size_t)n * sizeof *f);
    pa_rank_bench_dots(b, 2);
    mark_top(f, n, k, t1);
    mark_top(b->out, n, k, t2);
    int hit = 0;
    for (int i = 0; i < n; i++) hit += t1[i] && t2[i];
    recall = (double)hit / k;
  }
  free(f);
  free(t1);
  free(t2);
  return recall;
}

double pa_rank_bench_list_overlap(pa_rank_bench *b, int limit) {
  int a = pa_rank_bench_rank(b, false, limit), q = pa_rank_bench_rank(b, true, limit);
  if (a <= 0 || q <= 0) return -1;
  int hit = 0;
  for (int i = 0; i < a; i++)
    for (int j = 0; j < q; j++) hit += b->items[i].index == b->items8[j].index;
  return (double)hit / a;
}
