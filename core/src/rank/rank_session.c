/* Ranking sessions: scoring, top-k with a heap, MMR with the same-author
 * rule, seeded exploration, ad blending with caps, and the reasons the UI
 * shows. The formula and guarantees are documented in pa_rank.h. */
#include "rank_internal.h"

#include <stdlib.h>
#include <string.h>

enum {
  MAX_ADVERTISERS = 256, /* per session; a full table refuses new advertisers */
  MAX_SERVED = 1024,     /* ad posts served this session; full refuses new ads */
  LOOKAHEAD = 64         /* beyond the MMR window, how far the author rule looks */
};

/* Candidate flags for one call. */
enum { F_ORGANIC = 1, F_AD = 2, F_POOL = 4, F_PLACED = 8, F_EXPLORED = 16 };

/* A heap entry carries its key, so comparing touches no other memory. */
typedef struct ranked {
  double key; /* the score, or created_at (exact in a double) in FOLLOWING */
  int idx;
} ranked;

typedef struct advertiser {
  uint64_t hash;
  int count;
} advertiser;

struct pa_rank_session {
  pa_rank_config cfg;
  uint64_t seed;
  pa_rank_mode mode;
  int n_advertisers, n_served;
  advertiser advertisers[MAX_ADVERTISERS]; /* sorted by hash */
  uint64_t served[MAX_SERVED];             /* post hashes, sorted */
  /* Scratch reused across calls, so ranking a frame allocates nothing. */
  int scratch_n;
  float *sim, *score, *aff, *caff;
  uint8_t *flag, *author_hidden;
  int *seq, *ads;
  ranked *heap;
  /* The MMR pool: row q is candidate order[q]; maxsim[q] counts the first
   * pupto[q] picks (refresh brings it up to date). */
  int *order, *pauthor, *pupto;
  uint64_t *ppet;
  float *pscore, *maxsim;
  uint8_t *pplaced;
  int8_t q8u[PA_RANK_MAX_DIM];
  int16_t qu[PA_RANK_MAX_DIM];
};

void pa_rank_config_default(pa_rank_config *cfg) {
  *cfg = (pa_rank_config){
      .w_similar = 1.0f,
      .w_author = 0.6f,
      .w_following = 0.35f,
      .w_new = 0.25f,
      .w_popular = 0.2f,
      .new_hours = 12.0f,
      .popular_half = 50.0f,
      .mmr_lambda = 0.7f,
      .mmr_depth = 50,
      .explore = 0.1f,
      .ad_every = 5,
      .ad_cap = 2,
      .int8 = false,
  };
}

static bool in(float x, float lo, float hi) { return x >= lo && x <= hi; } /* false for NaN */

static pa_status check_config(const pa_rank_config *c, pa_error *err) {
  if (!in(c->w_similar, 0, 10) || !in(c->w_author, 0, 10) || !in(c->w_following, 0, 10) ||
      !in(c->w_new, 0, 10) || !in(c->w_popular, 0, 10))
    return pa_error_set(err, PA_ERR_ARG, "rank config: weights must be in 0..10");
  if (!in(c->new_hours, 0.01f, 8760) || !in(c->popular_half, 0.01f, 1e9f))
    return pa_error_set(err, PA_ERR_ARG, "rank config: new_hours and popular_half must be > 0");
  if (!in(c->mmr_lambda, 0, 1) || c->mmr_depth < 0 || c->mmr_depth > 1000)
    return pa_error_set(err, PA_ERR_ARG, "rank config: mmr_lambda in 0..1, mmr_depth in 0..1000");
  if (!in(c->explore, 0, 0.5f))
    return pa_error_set(err, PA_ERR_ARG, "rank config: explore must be in 0..0.5");
  if (c->ad_every < 0 || c->ad_every > 100 || c->ad_cap < 0 || c->ad_cap > 1000)
    return pa_error_set(err, PA_ERR_ARG, "rank config: ad_every in 0..100, ad_cap in 0..1000");
  return PA_OK;
}

pa_status pa_rank_session_create(const pa_rank_config *cfg, uint64_t seed, pa_rank_session **out,
                                 pa_error *err) {
  pa_error_clear(err);
  if (!out) return pa_error_set(err, PA_ERR_ARG, "session: no output");
  *out = NULL;
  pa_rank_config def;
  pa_rank_config_default(&def);
  if (cfg && check_config(cfg, err) != PA_OK) return err ? err->code : PA_ERR_ARG;
  pa_rank_session *s = calloc(1, sizeof *s);
  if (!s) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  s->cfg = cfg ? *cfg : def;
  s->seed = seed;
  s->mode = PA_RANK_FOR_YOU;
  *out = s;
  return PA_OK;
}

static void free_scratch(pa_rank_session *s) {
  free(s->sim);
  free(s->score);
  free(s->aff);
  free(s->caff);
  free(s->flag);
  free(s->author_hidden);
  free(s->seq);
  free(s->ads);
  free(s->heap);
  free(s->order);
  free(s->pauthor);
  free(s->ppet);
  free(s->pscore);
  free(s->maxsim);
  free(s->pupto);
  free(s->pplaced);
  s->scratch_n = 0;
}

void pa_rank_session_free(pa_rank_session *s) {
  if (!s) return;
  free_scratch(s);
  free(s);
}

pa_status pa_rank_session_configure(pa_rank_session *s, const pa_rank_config *cfg, pa_error *err) {
  pa_error_clear(err);
  if (!s || !cfg) return pa_error_set(err, PA_ERR_ARG, "session: no session or config");
  if (check_config(cfg, err) != PA_OK) return err ? err->code : PA_ERR_ARG;
  s->cfg = *cfg;
  return PA_OK;
}

void pa_rank_session_set_mode(pa_rank_session *s, pa_rank_mode mode) {
  if (s && (mode == PA_RANK_FOR_YOU || mode == PA_RANK_FOLLOWING)) s->mode = mode;
}

pa_rank_mode pa_rank_session_mode(const pa_rank_session *s) {
  return s ? s->mode : PA_RANK_FOR_YOU;
}

void pa_rank_session_restart(pa_rank_session *s) {
  if (!s) return;
  s->n_advertisers = 0;
  s->n_served = 0;
}

static bool grow(pa_rank_session *s, int n) {
  if (n <= s->scratch_n) return true;
  free_scratch(s);
  size_t m = (size_t)n;
  s->sim = malloc(m * sizeof *s->sim);
  s->score = malloc(m * sizeof *s->score);
  s->aff = malloc(m * sizeof *s->aff);
  s->caff = malloc(m * sizeof *s->caff);
  s->flag = malloc(m);
  s->author_hidden = malloc(m);
  s->seq = malloc(m * sizeof *s->seq);
  s->ads = malloc(m * sizeof *s->ads);
  s->heap = malloc(m * sizeof *s->heap);
  s->order = malloc(m * sizeof *s->order);
  s->pauthor = malloc(m * sizeof *s->pauthor);
  s->ppet = malloc(m * sizeof *s->ppet);
  s->pscore = malloc(m * sizeof *s->pscore);
  s->maxsim = malloc(m * sizeof *s->maxsim);
  s->pupto = malloc(m * sizeof *s->pupto);
  s->pplaced = malloc(m);
  if (!s->sim || !s->score || !s->aff || !s->caff || !s->flag || !s->author_hidden || !s->seq ||
      !s->ads || !s->heap || !s->order || !s->pauthor || !s->ppet || !s->pscore || !s->maxsim ||
      !s->pupto || !s->pplaced) {
    free_scratch(s);
    return false;
  }
  s->scratch_n = n;
  return true;
}

/* ---- the score, term by term: only + - * / so every platform agrees */

/* One definition for the score pass and for the reasons, so they agree.
 * All float and branch-free, so the pass over all candidates vectorises
 * four wide (always inlined: clang for WASM kept it a call per candidate,
 * 7 % of a ranking). A post's age is its age at the page's newest post
 * (age0) plus how much later "now" is (shift). */
static inline __attribute__((always_inline)) void terms(const pa_rank_config *c, float age0,
                                                        float x, uint8_t follows, float sim,
                                                        float aff, float shift, float t[5]) {
  float hours = age0 + shift;
  hours = hours > 0 ? hours : 0; /* posts from the future count as new */
  t[0] = c->w_similar * sim;
  t[1] = c->w_author * aff;
  t[2] = follows ? c->w_following : 0;
  t[3] = c->w_new * (c->new_hours / (c->new_hours + hours));
  t[4] = c->w_popular * (x / (x + c->popular_half));
}

/* Hours from the page's newest post to now. */
static float shift_of(const pa_rank_page *p, int64_t now) {
  return (float)(((double)now - (double)p->newest) / 3600.0);
}

static void score_all(const pa_rank_config *cfg, const pa_rank_page *p, const float *restrict sim,
                      const float *restrict aff, float shift, float *restrict score) {
  const pa_rank_config c = *cfg;
  const float *restrict age0 = p->age0;
  const float *restrict popx = p->popx;
  const uint8_t *restrict follows = p->follows;
  for (int i = 0; i < p->n; i++) {
    float t[5];
    terms(&c, age0[i], popx[i], follows[i], sim[i], aff[i], shift, t);
    score[i] = (((t[0] + t[1]) + t[2]) + t[3]) + t[4];
  }
}

/* ---- ordering and the top-k heap */

/* Whether a ranks before b: higher key, then page order. */
static bool ahead(ranked a, ranked b) { return a.key > b.key || (a.key == b.key && a.idx < b.idx); }

/* Min-heap on "ahead": h[0] is the weakest of the best k seen. */
static void sift_down(ranked *h, int m, int at) {
  ranked x = h[at];
  for (;;) {
    int l = 2 * at + 1, r = l + 1, w = l;
    if (l >= m) break;
    if (r < m && ahead(h[l], h[r])) w = r;
    if (!ahead(x, h[w])) break;
    h[at] = h[w];
    at = w;
  }
  h[at] = x;
}

/* Writes the best k of the flagged candidates (of list[0..n) when list is
 * given, else of 0..n), best first, to out (which may be list); returns how many. */
static int top_k(const float *score, const double *created, bool by_time, const uint8_t *flag,
                 uint8_t want, const int *list, int n, int k, ranked *h, int *out) {
  int m = 0;
  double floor = 0; /* h[0].key once the heap is full: most candidates stop here */
  if (k <= 0) return 0;
  for (int e = 0; e < n; e++) {
    int i = list ? list[e] : e;
    if (!(flag[i] & want)) continue;
    ranked x = {by_time ? created[i] : (double)score[i], i};
    if (m == k && x.key < floor) continue;
    if (m < k) {
      int at = m++;
      while (at > 0 && ahead(h[(at - 1) / 2], x)) {
        h[at] = h[(at - 1) / 2];
        at = (at - 1) / 2;
      }
      h[at] = x;
    } else if (ahead(x, h[0])) {
      h[0] = x;
      sift_down(h, m, 0);
    }
    floor = h[0].key;
  }
  /* Pop the weakest to the back: the array ends up best first. */
  for (int end = m - 1; end > 0; end--) {
    ranked t = h[0];
    h[0] = h[end];
    h[end] = t;
    sift_down(h, end, 0);
  }
  for (int q = 0; q < m; q++) out[q] = h[q].idx;
  return m;
}

/* ---- served ads */

static int find_u64(const uint64_t *a, int n, uint64_t h) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (a[mid] < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static bool was_served(const pa_rank_session *s, uint64_t post) {
  int at = find_u64(s->served, s->n_served, post);
  return at < s->n_served && s->served[at] == post;
}

/* Where adv is, or would go, in the advertiser table (sorted by hash). */
static int advertiser_at(const pa_rank_session *s, uint64_t adv) {
  int lo = 0, hi = s->n_advertisers;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (s->advertisers[mid].hash < adv)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int advertiser_count(const pa_rank_session *s, uint64_t adv) {
  int lo = advertiser_at(s, adv);
  return lo < s->n_advertisers && s->advertisers[lo].hash == adv ? s->advertisers[lo].count : -1;
}

/* An ad may be placed if it was served this session already (it counts
 * once), or if its advertiser is under the cap and the tables have room. */
static bool ad_allowed(const pa_rank_session *s, uint64_t post, uint64_t adv) {
  if (was_served(s, post)) return true;
  if (s->n_served >= MAX_SERVED) return false;
  int have = advertiser_count(s, adv);
  if (have < 0) return s->n_advertisers < MAX_ADVERTISERS && s->cfg.ad_cap > 0;
  return have < s->cfg.ad_cap;
}

static void record_served(pa_rank_session *s, uint64_t post, uint64_t adv) {
  int at = find_u64(s->served, s->n_served, post);
  memmove(&s->served[at + 1], &s->served[at], sizeof s->served[0] * (size_t)(s->n_served - at));
  s->served[at] = post;
  s->n_served++;
  int lo = advertiser_at(s, adv);
  if (lo < s->n_advertisers && s->advertisers[lo].hash == adv) {
    s->advertisers[lo].count++;
    return;
  }
  memmove(&s->advertisers[lo + 1], &s->advertisers[lo],
          sizeof s->advertisers[0] * (size_t)(s->n_advertisers - lo));
  s->advertisers[lo] = (advertiser){adv, 1};
  s->n_advertisers++;
}

/* ---- choosing an ad for a slot */

typedef struct ad_pick {
  pa_rank_session *s;
  const pa_rank_page *page;
  int n_best; /* s->ads[0..n_best) holds the best ads, best first */
  int n_all;  /* ads on the page (flag F_AD) */
} ad_pick;

static bool ad_fits(const ad_pick *a, int i, int left, int right, bool *any) {
  const pa_rank_page *p = a->page;
  if ((a->s->flag[i] & F_PLACED) || !ad_allowed(a->s, p->post_hash[i], p->adv_hash[i]))
    return false;
  *any = true;
  return p->author_of[i] != left && p->author_of[i] != right;
}

/* The best ad that may go between authors left and right, or -1; *any says
 * whether any ad may still be shown at all. */
static int pick_ad(const ad_pick *a, int left, int right, bool *any) {
  *any = false;
  for (int q = 0; q < a->n_best; q++)
    if (ad_fits(a, a->s->ads[q], left, right, any)) return a->s->ads[q];
  if (a->n_best == a->n_all) return -1;
  int best = -1;
  const float *score = a->s->score;
  for (int i = 0; i < a->page->n; i++)
    if ((a->s->flag[i] & F_AD) && ad_fits(a, i, left, right, any) &&
        (best < 0 || score[i] > score[best] || (score[i] == score[best] && i < best)))
      best = i;
  return best;
}

/* ---- the organic sequence for FOR_YOU: MMR window, then score order */

typedef struct run {
  pa_rank_session *s;
  const pa_rank_page *page;
  const pa_rank_config *cfg;
} run;

/* Brings pool row q's maxsim up to date with the first len picks: its
 * similarity to each, 1 for the same author or pet (the penalty's rule). */
static void refresh(pa_rank_session *s, const pa_rank_page *p, int q, int len) {
  int dim = p->dim;
  const float *row = p->emb + (size_t)s->order[q] * (size_t)dim;
  float m = s->maxsim[q];
  for (int t = s->pupto[q]; t < len; t++) {
    int pick = s->seq[t];
    float d = 1;
    if (p->author_of[pick] != s->pauthor[q] && p->pet_hash[pick] != s->ppet[q]) {
      float v = pa_rank_dot(p->emb + (size_t)pick * (size_t)dim, row, dim);
      d = v > 0 ? v : 0;
    }
    if (d > m) m = d;
  }
  s->maxsim[q] = m;
  s->pupto[q] = len;
}

/* The unplaced pool row with the highest MMR value (the first on a tie),
 * among other authors than prev's when other is set; -1 when none. Lazy:
 * maxsim only grows as picks are added, so a row's value on its stale
 * maxsim bounds its true value from above, and a row whose bound cannot beat
 * the best so far is passed over without its dot products. The pool is best
 * first, so the best so far is high early, most rows are passed over, and
 * the scan stops at the first row whose score alone cannot beat it.
 * The answer is what scoring every row afresh would give. */
static int mmr_best(pa_rank_session *s, const pa_rank_page *p, int k, int len, float lambda,
                    float mu, int prev, bool other) {
  int best = -1;
  float v_best = 0;
  for (int q = 0; q < k; q++) {
    /* No row from here on can win: a value is at most lambda * its score
     * (maxsim >= 0), and the pool's scores only fall. */
    if (best >= 0 && !(lambda * s->pscore[q] > v_best)) break;
    if (s->pplaced[q] || (other && s->pauthor[q] == prev)) continue;
    float v = lambda * s->pscore[q] - mu * s->maxsim[q];
    if (best >= 0 && !(v > v_best)) continue;
    if (s->pupto[q] != len) {
      refresh(s, p, q, len);
      v = lambda * s->pscore[q] - mu * s->maxsim[q];
    }
    if (best < 0 || v > v_best) best = q, v_best = v;
  }
  return best;
}

static int for_you(run *r, int n_org, int cap) {
  pa_rank_session *s = r->s;
  const pa_rank_page *p = r->page;
  const pa_rank_config *c = r->cfg;
  int depth = c->mmr_depth < cap ? c->mmr_depth : cap;
  /* The pool MMR draws from: deep enough that a homogeneous top can be broken up. */
  int k = top_k(s->score, p->created, false, s->flag, F_ORGANIC, NULL, p->n, cap + 3 * depth,
                s->heap, s->order);
  for (int q = 0; q < k; q++) {
    int i = s->order[q];
    s->flag[i] |= F_POOL;
    s->pauthor[q] = p->author_of[i];
    s->ppet[q] = p->pet_hash[i];
    s->pscore[q] = s->score[i];
    s->maxsim[q] = 0;
    s->pupto[q] = 0;
    s->pplaced[q] = 0;
  }
  bool explore = c->explore > 0 && n_org > k;

  rank_rng rng = {s->seed ^ (p->fingerprint * 0x9e3779b97f4a7c15u)};
  const float lambda = c->mmr_lambda, mu = 1 - c->mmr_lambda;
  int len = 0, prev = -1, cursor = 0;
  int want = cap < n_org ? cap : n_org;
  while (len < want) {
    int pick = -1, at = -1;
    if (len > 0 && explore && pa_rank_rng_float(&rng) < c->explore) {
      /* Rejection sampling: uniform over the eligible, no list to build. */
      for (int tries = 0; tries < 8 && pick < 0; tries++) {
        int i = (int)pa_rank_rng_below(&rng, (uint32_t)p->n);
        if ((s->flag[i] & (F_ORGANIC | F_POOL | F_PLACED)) == F_ORGANIC &&
            p->author_of[i] != prev && s->aff[p->author_of[i]] >= 0)
          pick = i;
      }
      if (pick >= 0) s->flag[pick] |= F_EXPLORED;
    }
    if (pick < 0 && len < depth) {
      /* MMR, preferring another author than the previous item's. */
      at = mmr_best(s, p, k, len, lambda, mu, prev, true);
      if (at < 0) at = mmr_best(s, p, k, len, lambda, mu, prev, false);
    } else if (pick < 0) {
      while (cursor < k && s->pplaced[cursor]) cursor++;
      int seen = 0;
      for (int q = cursor; q < k && seen < LOOKAHEAD; q++) {
        if (s->pplaced[q]) continue;
        seen++;
        if (s->pauthor[q] != prev) {
          at = q;
          break;
        }
      }
      if (at < 0 && cursor < k) at = cursor;
    }
    if (at >= 0) {
      pick = s->order[at];
      s->pplaced[at] = 1;
    }
    if (pick < 0) break;
    s->flag[pick] |= F_PLACED;
    s->seq[len++] = pick;
    prev = p->author_of[pick];
  }
  return len;
}

/* ---- reasons */

static void explain(const run *r, int i, pa_rank_item *it, int64_t now) {
  const pa_rank_page *p = r->page;
  const pa_rank_session *s = r->s;
  float t[5];
  terms(r->cfg, p->age0[i], p->popx[i], p->follows[i], s->sim[i], s->aff[p->author_of[i]],
        shift_of(p, now), t);
  memset(it, 0, sizeof *it); /* no stray bytes for callers that compare or hash items */
  it->index = i;
  it->score = s->score[i];
  it->sponsored = p->cands[i].sponsored;
  it->reason_count = 0;
  if (it->sponsored) it->reasons[it->reason_count++] = (pa_rank_reason){PA_RANK_WHY_SPONSORED, 1};
  if (s->flag[i] & F_EXPLORED)
    it->reasons[it->reason_count++] = (pa_rank_reason){PA_RANK_WHY_EXPLORING, 1};
  static const pa_rank_why CODES[5] = {PA_RANK_WHY_SIMILAR, PA_RANK_WHY_AUTHOR,
                                       PA_RANK_WHY_FOLLOWING, PA_RANK_WHY_NEW, PA_RANK_WHY_POPULAR};
  bool used[5] = {false};
  while (it->reason_count < PA_RANK_MAX_REASONS) {
    int best = -1;
    for (int j = 0; j < 5; j++)
      if (!used[j] && t[j] >= 0.005f && (best < 0 || t[j] > t[best])) best = j;
    if (best < 0) break;
    used[best] = true;
    it->reasons[it->reason_count++] = (pa_rank_reason){CODES[best], t[best]};
  }
}

/* ---- the call */

pa_status pa_rank_session_rank(pa_rank_session *s, const pa_rank_taste *taste,
                               const pa_rank_page *page, int64_t now, pa_rank_item *out, int cap,
                               int *count, pa_error *err) {
  pa_error_clear(err);
  if (!s || !page || !count || cap < 0 || (cap && !out))
    return pa_error_set(err, PA_ERR_ARG, "rank: no session, page or output");
  *count = 0;
  if (taste && pa_rank_taste_dim(taste) != page->dim)
    return pa_error_set(err, PA_ERR_ARG, "rank: page is %d-d, taste is %d-d", page->dim,
                        pa_rank_taste_dim(taste));
  const pa_rank_config *c = &s->cfg;
  if (c->int8 && !page->q8)
    return pa_error_set(err, PA_ERR_ARG, "rank: int8 scoring needs pa_rank_page_quantize first");
  int n = page->n, dim = page->dim;
  if (n == 0 || cap == 0) return PA_OK;
  if (!grow(s, n)) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");

  /* Similarity: the hot loop. A taste learned in another model scores 0. */
  const char *model = "";
  const float *u = taste ? pa_rank_taste_vector(taste, &model) : NULL;
  if (u && !strcmp(model, page->model)) {
    if (c->int8) {
      float su = pa_rank_quantize(u, dim, s->q8u);
      for (int j = 0; j < dim; j++) s->qu[j] = s->q8u[j];
      pa_rank_dots_i8(s->qu, su, page->q8, page->q8_scale, n, dim, s->sim);
    } else {
      pa_rank_dots(u, page->emb, n, dim, s->sim);
    }
  } else {
    memset(s->sim, 0, sizeof *s->sim * (size_t)n);
  }
  for (int a = 0; a < page->author_count; a++) {
    s->aff[a] = taste ? pa_rank_taste_affinity_hash(taste, page->author_hash[a]) : 0;
    s->author_hidden[a] = taste && pa_rank_taste_hidden_author(taste, page->author_hash[a]);
  }
  bool hides = taste && pa_rank_taste_has_hidden(taste);
  bool following = s->mode == PA_RANK_FOLLOWING;
  int n_org = 0, n_ads = 0;
  for (int i = 0; i < n; i++) {
    int a = page->author_of[i];
    s->caff[i] = s->aff[a];
    uint8_t f = page->is_ad[i] ? F_AD : !following || page->follows[i] ? F_ORGANIC : 0;
    if (hides && f && (s->author_hidden[a] || pa_rank_taste_hidden_post(taste, page->post_hash[i])))
      f = 0;
    s->flag[i] = f;
    if (f == F_AD) s->ads[n_ads++] = i;
    n_org += f == F_ORGANIC;
  }
  score_all(c, page, s->sim, s->caff, shift_of(page, now), s->score);
  /* The best ads, once, as many as the slots could want (caps and authors
   * may skip some); pick_ad falls back to all ads if these run out. */
  int want_ads = c->ad_every > 0 ? (cap / c->ad_every + 1) * 4 : 0;
  int n_best_ads = top_k(s->score, page->created, false, s->flag, F_AD, s->ads, n_ads,
                         want_ads < n_ads ? want_ads : n_ads, s->heap, s->ads);

  run r = {s, page, c};
  int len = following ? top_k(s->score, page->created, true, s->flag, F_ORGANIC, NULL, n, cap,
                              s->heap, s->seq)
                      : for_you(&r, n_org, cap);

  /* Blend ads: after every ad_every organic posts at most one, never next to
   * its own author, within the per-advertiser cap for the session. */
  int o = 0, since = 0, j = 0;
  bool ads_left = c->ad_every > 0 && n_ads > 0;
  ad_pick ap = {s, page, n_best_ads, n_ads};
  while (o < cap) {
    if (ads_left && since >= c->ad_every && j > 0) {
      int left = page->author_of[out[o - 1].index];
      int right = j < len ? page->author_of[s->seq[j]] : -1;
      int i = pick_ad(&ap, left, right, &ads_left);
      if (i >= 0) {
        s->flag[i] |= F_PLACED;
        if (!was_served(s, page->post_hash[i]))
          record_served(s, page->post_hash[i], page->adv_hash[i]);
        explain(&r, i, &out[o++], now);
        since = 0;
        continue;
      }
    }
    if (j >= len) break;
    explain(&r, s->seq[j++], &out[o++], now);
    since++;
  }
  *count = o;
  return PA_OK;
}
