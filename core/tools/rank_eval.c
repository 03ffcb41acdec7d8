/* Offline evaluation of the ranker with simulated users (rank-eval; the
 * process is described in core/src/rank/rank.md).
 *
 * A world of clusters (species x theme) in a 16-d "true" space, authors with
 * a home cluster and a quality, posts near their author's cluster. A user
 * likes post i with probability
 *   sigmoid(BETA * theta_u . z_i + quality_i + FOLLOW_BONUS * follows - AGE_DECAY * days + BIAS).
 * The "server" never sees z: it factorises the likes of a training
 * population (logistic matrix factorisation, 64 factors) and ships those
 * factors plus noise as the embeddings, as the production pipeline does.
 * Evaluated users then live through sessions: each gets a page of
 * candidates, every method orders it, and the user reacts to the learning
 * ranker's list with position bias, random skips and noise; those signals
 * are all the on-device learner sees. */
#include "rank/rank_internal.h"
#include "rank_tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  L = 16,          /* true latent dims */
  D = PA_RANK_DIM, /* what the server ships */
  CLUSTERS = 12,   /* 4 species x 3 themes */
  AUTHORS = 600,
  ITEMS = 8000,
  EXPOSURES = 150, /* per training user */
  FOLLOWS = 12,
  MAX_FOLLOWS = 64,
  SHOWN = 50 /* the list a method shows */
};

#define BETA         8.0
#define FOLLOW_BONUS 1.2
#define AGE_DECAY    0.4 /* per day */
#define BIAS         (-6.5)
#define EMB_NOISE    0.15 /* x the factors' RMS */
#define STOP         0.07 /* chance to leave at each further post */

void pa_rank_eval_defaults(pa_rank_eval_opts *o) {
  *o = (pa_rank_eval_opts){
      .seed = 7, .users = 300, .sessions = 20, .candidates = 300, .train_users = 2000};
}

static double unif(rank_rng *r) { return (double)(pa_rank_rng_next(r) >> 11) * 0x1.0p-53; }

static double gauss(rank_rng *r) {
  double u = unif(r), v = unif(r);
  return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static void normalise(double *v, int n) {
  double s = 0;
  for (int j = 0; j < n; j++) s += v[j] * v[j];
  s = sqrt(s);
  for (int j = 0; s > 0 && j < n; j++) v[j] /= s;
}

typedef struct world {
  double centre[CLUSTERS][L];
  int home[AUTHORS];
  double author_q[AUTHORS], author_cum[AUTHORS];
  int item_author[ITEMS], item_cluster[ITEMS];
  double z[ITEMS][L], item_q[ITEMS];
  float emb[ITEMS][D];
  int64_t likes[ITEMS], comments[ITEMS];
  int by_author_start[AUTHORS + 1], by_author[ITEMS];
  char post_id[ITEMS][16], author_id[AUTHORS][16], pet_id[ITEMS][24];
} world;

typedef struct user {
  double theta[L];
  int follows[MAX_FOLLOWS], n_follows;
} user;

static bool follows(const user *u, int author) {
  for (int k = 0; k < u->n_follows; k++)
    if (u->follows[k] == author) return true;
  return false;
}

static double like_p(const world *w, const user *u, int i, double age_days) {
  double d = 0;
  for (int j = 0; j < L; j++) d += u->theta[j] * w->z[i][j];
  return sigmoid(BETA * d + w->item_q[i] + (follows(u, w->item_author[i]) ? FOLLOW_BONUS : 0) -
                 AGE_DECAY * age_days + BIAS);
}

static int pick_author(const world *w, rank_rng *r) {
  double x = unif(r) * w->author_cum[AUTHORS - 1];
  int lo = 0, hi = AUTHORS - 1;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (w->author_cum[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static void make_world(world *w, rank_rng *r) {
  double species[4][L], theme[3][L];
  for (int s = 0; s < 4; s++) {
    for (int j = 0; j < L; j++) species[s][j] = gauss(r);
    normalise(species[s], L);
  }
  for (int t = 0; t < 3; t++) {
    for (int j = 0; j < L; j++) theme[t][j] = gauss(r);
    normalise(theme[t], L);
  }
  for (int c = 0; c < CLUSTERS; c++) {
    for (int j = 0; j < L; j++) w->centre[c][j] = species[c % 4][j] + 0.7 * theme[c / 4][j];
    normalise(w->centre[c], L);
  }
  double cum = 0;
  for (int a = 0; a < AUTHORS; a++) {
    w->home[a] = (int)pa_rank_rng_below(r, CLUSTERS);
    w->author_q[a] = 0.4 * gauss(r);
    cum += 1.0 / pow(a + 10.0, 0.8); /* a few prolific authors, a long tail */
    w->author_cum[a] = cum;
    snprintf(w->author_id[a], sizeof w->author_id[a], "u_%d", a);
  }
  for (int i = 0; i < ITEMS; i++) {
    int a = pick_author(w, r);
    int c = unif(r) < 0.85 ? w->home[a] : (int)pa_rank_rng_below(r, CLUSTERS);
    w->item_author[i] = a;
    w->item_cluster[i] = c;
    for (int j = 0; j < L; j++) w->z[i][j] = w->centre[c][j] + 0.35 * gauss(r) / 4.0;
    w->item_q[i] = w->author_q[a] + 0.3 * gauss(r);
    snprintf(w->post_id[i], sizeof w->post_id[i], "p_%d", i);
    snprintf(w->pet_id[i], sizeof w->pet_id[i], "pet_%d_%d", a, c % 4);
  }
  /* Items grouped by author, to fill pages with followed authors' posts. */
  memset(w->by_author_start, 0, sizeof w->by_author_start);
  for (int i = 0; i < ITEMS; i++) w->by_author_start[w->item_author[i] + 1]++;
  for (int a = 0; a < AUTHORS; a++) w->by_author_start[a + 1] += w->by_author_start[a];
  int fill[AUTHORS];
  memcpy(fill, w->by_author_start, sizeof fill);
  for (int i = 0; i < ITEMS; i++) w->by_author[fill[w->item_author[i]]++] = i;
}

static void make_user(const world *w, user *u, rank_rng *r) {
  int c1 = (int)pa_rank_rng_below(r, CLUSTERS), c2 = (int)pa_rank_rng_below(r, CLUSTERS);
  double second = unif(r) < 0.5 ? 0.6 : 0;
  for (int j = 0; j < L; j++)
    u->theta[j] = w->centre[c1][j] + second * w->centre[c2][j] + 0.3 * gauss(r) / 4.0;
  normalise(u->theta, L);
  u->n_follows = 0;
  for (int tries = 0; u->n_follows < FOLLOWS && tries < 10000; tries++) {
    int a = pick_author(w, r);
    bool home = w->home[a] == c1 || (second > 0 && w->home[a] == c2);
    if ((home || unif(r) < 0.3) && !follows(u, a)) u->follows[u->n_follows++] = a;
  }
}

/* The server's side: logistic MF on a training population's likes. */
static double factorise(world *w, const pa_rank_eval_opts *o, rank_rng *r, double *ceiling) {
  int nu = o->train_users, n = nu * EXPOSURES;
  int *iu = malloc(sizeof *iu * (size_t)n), *ii = malloc(sizeof *ii * (size_t)n);
  uint8_t *y = malloc((size_t)n);
  float *truth = malloc(sizeof *truth * (size_t)n);
  float *P = malloc(sizeof *P * (size_t)nu * D), *Q = malloc(sizeof *Q * (size_t)ITEMS * D);
  float *bq = calloc(ITEMS, sizeof *bq), *bu = calloc((size_t)nu, sizeof *bu);
  double auc = -1;
  if (!iu || !ii || !y || !truth || !P || !Q || !bq || !bu) goto done;
  memset(w->likes, 0, sizeof w->likes);
  for (int u = 0, k = 0; u < nu; u++) {
    user tu;
    make_user(w, &tu, r);
    for (int e = 0; e < EXPOSURES; e++, k++) {
      int i = (int)pa_rank_rng_below(r, ITEMS);
      iu[k] = u;
      ii[k] = i;
      truth[k] = (float)like_p(w, &tu, i, 1.0);
      y[k] = unif(r) < truth[k];
      w->likes[i] += y[k];
    }
  }
  for (size_t k = 0; k < (size_t)nu * D; k++) P[k] = (float)(0.1 * gauss(r));
  for (size_t k = 0; k < (size_t)ITEMS * D; k++) Q[k] = (float)(0.1 * gauss(r));
  /* Every user's every 20th exposure is held out for the AUC. */
  int held = n / 20;
  const float lr = 0.1f, reg = 0.05f;
  for (int epoch = 0; epoch < 20; epoch++)
    for (int t = 0; t < n; t++) {
      int k = (int)pa_rank_rng_below(r, (uint32_t)n);
      if (k % 20 == 19) continue;
      float *p = P + (size_t)iu[k] * D, *q = Q + (size_t)ii[k] * D;
      double s = bq[ii[k]] + bu[iu[k]];
      for (int j = 0; j < D; j++) s += p[j] * q[j];
      float g = (float)(y[k] - sigmoid(s));
      for (int j = 0; j < D; j++) {
        float pj = p[j];
        p[j] += lr * (g * q[j] - reg * pj);
        q[j] += lr * (g * pj - reg * q[j]);
      }
      bq[ii[k]] += lr * g;
      bu[iu[k]] += lr * g;
    }
  /* Held-out AUC: does the factorisation order likes above the rest? */
  long pairs = 0, wins = 0, best = 0;
  for (int t = 0; t < 20000; t++) {
    int a = 20 * (int)pa_rank_rng_below(r, (uint32_t)held) + 19;
    int b = 20 * (int)pa_rank_rng_below(r, (uint32_t)held) + 19;
    if (y[a] == y[b]) continue;
    if (!y[a]) {
      int tmp = a;
      a = b;
      b = tmp;
    }
    double sa = bq[ii[a]] + bu[iu[a]], sb = bq[ii[b]] + bu[iu[b]];
    for (int j = 0; j < D; j++) {
      sa += P[(size_t)iu[a] * D + j] * Q[(size_t)ii[a] * D + j];
      sb += P[(size_t)iu[b] * D + j] * Q[(size_t)ii[b] * D + j];
    }
    pairs++;
    wins += sa > sb;
    best += truth[a] > truth[b];
  }
  auc = pairs ? (double)wins / (double)pairs : 0;
  *ceiling = pairs ? (double)best / (double)pairs : 0;
  double rms = 0;
  for (size_t k = 0; k < (size_t)ITEMS * D; k++) rms += (double)Q[k] * Q[k];
  rms = sqrt(rms / ((double)ITEMS * D));
  for (int i = 0; i < ITEMS; i++) {
    for (int j = 0; j < D; j++)
      w->emb[i][j] = (float)(Q[(size_t)i * D + j] + EMB_NOISE * rms * gauss(r));
    /* Counts as the app would show them: the training likes, scaled up. */
    w->comments[i] = w->likes[i] * 3 + pa_rank_rng_below(r, 3);
    w->likes[i] *= 25;
  }
done:
  free(iu);
  free(ii);
  free(y);
  free(truth);
  free(P);
  free(Q);
  free(bq);
  free(bu);
  return auc;
}

/* ---- metrics */

typedef struct acc {
  double ndcg, recall;
  int n;
} acc;

static void score_list(acc *a, const int *list, int len, const uint8_t *label, int positives) {
  if (positives == 0) return;
  double dcg = 0, idcg = 0;
  int hits = 0;
  for (int k = 0; k < len && k < 10; k++) dcg += label[list[k]] / log2(k + 2.0);
  for (int k = 0; k < positives && k < 10; k++) idcg += 1 / log2(k + 2.0);
  for (int k = 0; k < len && k < SHOWN; k++) hits += label[list[k]];
  a->ndcg += dcg / idcg;
  a->recall += (double)hits / positives;
  a->n++;
}

typedef struct sort_ctx {
  const double *key;
  int idx;
} sort_ctx;

static int by_key_desc(const void *pa, const void *pb) {
  const sort_ctx *a = pa, *b = pb;
  if (a->key[a->idx] != b->key[b->idx]) return a->key[a->idx] > b->key[b->idx] ? -1 : 1;
  return a->idx - b->idx;
}

/* A baseline's list: the top SHOWN by key, descending (ties: page order). */
static int baseline(const double *key, int n, sort_ctx *tmp, int *list) {
  for (int k = 0; k < n; k++) tmp[k] = (sort_ctx){key, k};
  qsort(tmp, (size_t)n, sizeof *tmp, by_key_desc);
  int len = n < SHOWN ? n : SHOWN;
  for (int k = 0; k < len; k++) list[k] = tmp[k].idx;
  return len;
}

/* ---- the user's behaviour on the learning ranker's list */

static pa_status react(const world *w, user *u, pa_rank_taste *taste, const pa_rank_page *page,
                       const pa_rank_item *items, int count, const int *item_of,
                       const uint8_t *label, const double *p, rank_rng *r, pa_error *err) {
  for (int pos = 0; pos < count; pos++) {
    if (pos > 0 && unif(r) < STOP) break; /* position bias: attention runs out */
    int k = items[pos].index, i = item_of[k];
    bool reel = i % 10 == 0;
    pa_status st = PA_OK;
#define OBS(sig, v)                                                                                \
  do {                                                                                             \
    if ((st = pa_rank_taste_observe(taste, page, k, sig, v, err)) != PA_OK) return st;             \
  } while (0)
    if (label[k] && unif(r) >= 0.1) { /* one in ten interesting posts scrolls by anyway */
      if (reel)
        OBS(PA_RANK_WATCH, 0.7 + 0.3 * unif(r));
      else
        OBS(PA_RANK_DWELL, 4000 + 11000 * unif(r));
      OBS(PA_RANK_LIKE, 0);
      int a = w->item_author[i];
      if (!follows(u, a) && u->n_follows < MAX_FOLLOWS && unif(r) < 0.1) {
        OBS(PA_RANK_FOLLOW, 0);
        u->follows[u->n_follows++] = a;
      }
    } else if (unif(r) < 0.02) {
      OBS(PA_RANK_LIKE, 0); /* noise */
    } else {
      if (reel)
        OBS(PA_RANK_WATCH, 0.35 * unif(r));
      else if (unif(r) < 0.6)
        OBS(PA_RANK_SKIP, 0);
      else
        OBS(PA_RANK_DWELL, 300 + 1200 * unif(r));
      if (p[k] < 0.03 && unif(r) < 0.05) OBS(PA_RANK_HIDE, 0);
    }
#undef OBS
  }
  return PA_OK;
}

pa_status pa_rank_eval_run(const pa_rank_eval_opts *o, pa_rank_eval_result *res, pa_error *err) {
  pa_error_clear(err);
  if (!o || !res || o->users < 1 || o->sessions < 1 || o->candidates < SHOWN ||
      o->candidates > ITEMS / 2 || o->train_users < 10)
    return pa_error_set(err, PA_ERR_ARG, "eval: bad options");
  memset(res, 0, sizeof *res);
  int m = o->candidates;
  world *w = malloc(sizeof *w);
  pa_rank_candidate *cands = malloc(sizeof *cands * (size_t)m);
  float *emb = malloc(sizeof *emb * (size_t)m * D);
  int *item_of = malloc(sizeof *item_of * (size_t)m), *list = malloc(sizeof *list * SHOWN);
  uint8_t *label = malloc((size_t)m), *taken = calloc(ITEMS, 1);
  double *p = malloc(sizeof *p * (size_t)m), *key = malloc(sizeof *key * (size_t)m);
  sort_ctx *tmp = malloc(sizeof *tmp * (size_t)m);
  pa_rank_item *items = malloc(sizeof *items * SHOWN);
  pa_rank_taste *taste = NULL;
  pa_rank_session *learn = NULL, *cold = NULL, *q8 = NULL;
  pa_rank_item *items8 = malloc(sizeof *items8 * SHOWN);
  double overlap = 0;
  pa_status st = PA_ERR_NOMEM;
  if (!w || !cands || !emb || !item_of || !list || !label || !taken || !p || !key || !tmp ||
      !items || !items8) {
    pa_error_set(err, st, "out of memory");
    goto done;
  }
  rank_rng world_rng = {o->seed}, user_rng = {o->seed ^ 0x5555u}, act_rng = {o->seed ^ 0xaaaau};
  make_world(w, &world_rng);
  res->mf_auc = factorise(w, o, &world_rng, &res->mf_auc_ceiling);
  if (res->mf_auc < 0) {
    pa_error_set(err, st, "out of memory");
    goto done;
  }
  if ((st = pa_rank_taste_create(D, &taste, err)) != PA_OK) goto done;
  acc a[PA_RANK_EVAL_ROWS] = {{0}};
  long shown = 0, liked = 0;
  const int64_t t0 = 1795000000;
  for (int uix = 0; uix < o->users; uix++) {
    user u;
    make_user(w, &u, &user_rng);
    pa_rank_taste_reset(taste);
    pa_rank_session_free(learn);
    pa_rank_session_free(cold);
    pa_rank_session_free(q8);
    learn = cold = q8 = NULL;
    pa_rank_config cfg8;
    pa_rank_config_default(&cfg8);
    cfg8.int8 = true;
    if ((st = pa_rank_session_create(NULL, o->seed + (uint64_t)uix, &learn, err)) != PA_OK ||
        (st = pa_rank_session_create(NULL, o->seed + (uint64_t)uix, &cold, err)) != PA_OK ||
        (st = pa_rank_session_create(&cfg8, o->seed + (uint64_t)uix, &q8, err)) != PA_OK)
      goto done;
    for (int s = 0; s < o->sessions; s++) {
      int64_t now = t0 + (int64_t)s * 86400;
      /* A quarter of the page from followed authors, the rest from anyone. */
      int n = 0;
      for (int tries = 0; n < m / 4 && tries < m * 4; tries++) {
        int a0 = u.follows[pa_rank_rng_below(&user_rng, (uint32_t)u.n_follows)];
        int lo = w->by_author_start[a0], hi = w->by_author_start[a0 + 1];
        if (hi == lo) continue;
        int i = w->by_author[lo + (int)pa_rank_rng_below(&user_rng, (uint32_t)(hi - lo))];
        if (!taken[i]) taken[i] = 1, item_of[n++] = i;
      }
      while (n < m) {
        int i = (int)pa_rank_rng_below(&user_rng, ITEMS);
        if (!taken[i]) taken[i] = 1, item_of[n++] = i;
      }
      int positives = 0;
      static const char *const species[4] = {"cat", "dog", "rabbit", "bird"};
      static const char *const themes[3] = {"sleepy", "playful", "outdoors"};
      for (int k = 0; k < m; k++) {
        int i = item_of[k];
        taken[i] = 0;
        int64_t age = (int64_t)pa_rank_rng_below(&user_rng, 72 * 3600);
        cands[k] = (pa_rank_candidate){.post_id = w->post_id[i],
                                       .author_id = w->author_id[w->item_author[i]],
                                       .pet_id = w->pet_id[i],
                                       .species = species[w->item_cluster[i] % 4],
                                       .tags = &themes[w->item_cluster[i] / 4],
                                       .tag_count = 1,
                                       .created_at = now - age,
                                       .like_count = w->likes[i],
                                       .comment_count = w->comments[i],
                                       .following = follows(&u, w->item_author[i])};
        memcpy(emb + (size_t)k * D, w->emb[i], sizeof w->emb[i]);
        p[k] = like_p(w, &u, i, (double)age / 86400.0);
        label[k] = unif(&user_rng) < p[k];
        positives += label[k];
      }
      shown += m;
      liked += positives;
      pa_rank_page *page;
      if ((st = pa_rank_page_build("mf-sim", D, cands, emb, m, &page, err)) != PA_OK) goto done;
      int len, count;
      for (int k = 0; k < m; k++) key[k] = (double)cands[k].created_at;
      len = baseline(key, m, tmp, list);
      score_list(&a[0], list, len, label, positives);
      for (int k = 0; k < m; k++) key[k] = (double)cands[k].like_count;
      len = baseline(key, m, tmp, list);
      score_list(&a[1], list, len, label, positives);
      if ((st = pa_rank_session_rank(cold, NULL, page, now, items, SHOWN, &count, err)) != PA_OK)
        goto page_done;
      for (int k = 0; k < count; k++) list[k] = items[k].index;
      score_list(&a[2], list, count, label, positives);
      if ((st = pa_rank_session_rank(learn, taste, page, now, items, SHOWN, &count, err)) != PA_OK)
        goto page_done;
      for (int k = 0; k < count; k++) list[k] = items[k].index;
      score_list(&a[3], list, count, label, positives);
      if (s >= o->sessions / 2) score_list(&a[4], list, count, label, positives);
      /* The same ranking from int8 embeddings: what quantising costs. */
      int count8;
      if ((st = pa_rank_page_quantize(page, err)) != PA_OK ||
          (st = pa_rank_session_rank(q8, taste, page, now, items8, SHOWN, &count8, err)) != PA_OK)
        goto page_done;
      int same = 0;
      for (int k = 0; k < count8; k++) {
        list[k] = items8[k].index;
        for (int j = 0; j < count; j++) same += items8[k].index == items[j].index;
      }
      overlap += count ? (double)same / count : 1;
      score_list(&a[5], list, count8, label, positives);
      len = baseline(p, m, tmp, list);
      score_list(&a[6], list, len, label, positives);
      st = react(w, &u, taste, page, items, count, item_of, label, p, &act_rng, err);
    page_done:
      pa_rank_page_free(page);
      if (st != PA_OK) goto done;
    }
  }
  static const char *const names[PA_RANK_EVAL_ROWS] = {
      "chronological (newest first)",     "popularity (most liked first)",
      "ranked, no learning (cold start)", "ranked, learning on device",
      "ranked, learning, second half",    "ranked, learning, int8 scoring",
      "oracle (true like probability)"};
  for (int k = 0; k < PA_RANK_EVAL_ROWS; k++)
    res->rows[k] = (pa_rank_eval_row){names[k], a[k].n ? a[k].ndcg / a[k].n : 0,
                                      a[k].n ? a[k].recall / a[k].n : 0, a[k].n};
  res->base_rate = shown ? (double)liked / (double)shown : 0;
  res->int8_overlap = overlap / ((double)o->users * o->sessions);
  st = PA_OK;
done:
  pa_rank_session_free(learn);
  pa_rank_session_free(cold);
  pa_rank_session_free(q8);
  free(items8);
  pa_rank_taste_free(taste);
  free(w);
  free(cands);
  free(emb);
  free(item_of);
  free(list);
  free(label);
  free(taken);
  free(p);
  free(key);
  free(tmp);
  free(items);
  return st;
}
