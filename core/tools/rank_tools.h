/* Tools around pa_rank shared by the CLI and the WASM host: a synthetic
 * benchmark fixture and the offline evaluation. Not part of the app's API. */
#ifndef PA_RANK_TOOLS_H
#define PA_RANK_TOOLS_H

#include "pa/pa_rank.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- benchmark fixture: n candidates, dim-d, a taste trained on one cluster */

typedef struct pa_rank_bench pa_rank_bench;

/* The caller frees *out with pa_rank_bench_free. */
pa_status pa_rank_bench_create(int n, int dim, uint64_t seed, pa_rank_bench **out, pa_error *err);
void pa_rank_bench_free(pa_rank_bench *b);
/* One full ranking into limit items; returns the count (negative status on error). */
int pa_rank_bench_rank(pa_rank_bench *b, bool int8, int limit);
/* The similarity pass alone: 0 SIMD f32, 1 plain-loop f32, 2 SIMD int8, 3 plain-loop int8. */
void pa_rank_bench_dots(pa_rank_bench *b, int kernel);
/* A plain copy of the embedding matrix: the memory-bandwidth floor. */
void pa_rank_bench_copy(pa_rank_bench *b);
/* Bytes of the f32 embedding matrix. */
size_t pa_rank_bench_bytes(const pa_rank_bench *b);
/* Share of the f32 similarity top k that int8 also puts in its top k. */
double pa_rank_bench_recall(pa_rank_bench *b, int k);
/* Share of the f32 ranked list (limit items) that the int8 ranking returns too. */
double pa_rank_bench_list_overlap(pa_rank_bench *b, int limit);
/* Kernel names for printing. */
const char *pa_rank_bench_kernel(void);

/* ---- offline evaluation with simulated users (see core/src/rank/rank.md) */

typedef struct pa_rank_eval_opts {
  uint64_t seed;
  int users, sessions, candidates; /* evaluated users, sessions each, candidates per page */
  int train_users;                 /* the population the "server" factorises */
} pa_rank_eval_opts;

enum { PA_RANK_EVAL_ROWS = 7 };

typedef struct pa_rank_eval_row {
  const char *name;
  double ndcg10, recall50;
  int sessions; /* sessions averaged (those with at least one relevant candidate) */
} pa_rank_eval_row;

typedef struct pa_rank_eval_result {
  pa_rank_eval_row rows[PA_RANK_EVAL_ROWS];
  double base_rate;      /* share of candidates a user would like */
  double mf_auc;         /* the factorisation's held-out AUC, a sanity check */
  double mf_auc_ceiling; /* the same pairs ordered by the true probabilities */
  double int8_overlap;   /* share of the f32 list (50) the int8 ranking also shows */
} pa_rank_eval_result;

void pa_rank_eval_defaults(pa_rank_eval_opts *o);
pa_status pa_rank_eval_run(const pa_rank_eval_opts *o, pa_rank_eval_result *res, pa_error *err);

#endif
