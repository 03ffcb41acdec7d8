/* Internal to the pa_rank module: the page layout the ranker reads directly,
 * ids as 64-bit hashes, the kernels and a seeded PRNG. */
#ifndef PA_RANK_INTERNAL_H
#define PA_RANK_INTERNAL_H

#include "pa/pa_rank.h"

#include <stdint.h>

typedef struct rank_block rank_block;

struct pa_rank_page {
  rank_block *blocks; /* arena for strings and small arrays */
  char model[PA_RANK_MAX_MODEL + 1];
  int dim, n;
  pa_rank_candidate *cands;
  float *emb;          /* n * dim, unit length, malloc'd */
  int8_t *q8;          /* n * dim or NULL, malloc'd by pa_rank_page_quantize */
  float *q8_scale;     /* n */
  uint64_t *post_hash; /* n */
  uint64_t *pet_hash;  /* n */
  uint64_t *adv_hash;  /* n: the advertiser's, 0 for organic posts */
  /* What the score reads, laid out flat so its loop vectorises. */
  double *created;  /* n: created_at as a double (exact below 2^53) */
  float *age0;      /* n: hours between created_at and the newest candidate */
  float *popx;      /* n: likes + 2 * comments */
  uint8_t *follows; /* n */
  uint8_t *is_ad;   /* n */
  int *author_of;   /* n: index into author_hash */
  uint64_t *author_hash;
  int author_count;
  int64_t newest;
  uint64_t fingerprint; /* of the post ids in order: seeds exploration per page */
};

/* FNV-1a 64 with a splitmix finaliser. Ids compare by this hash. */
uint64_t pa_rank_hash(const char *s);

/* splitmix64: small, seeded explicitly, the same on every platform. */
typedef struct rank_rng {
  uint64_t s;
} rank_rng;
uint64_t pa_rank_rng_next(rank_rng *r);
/* Uniform in [0, 1) with 24 bits, exact in float. */
float pa_rank_rng_float(rank_rng *r);
/* Uniform in [0, n) for n >= 1. */
uint32_t pa_rank_rng_below(rank_rng *r, uint32_t n);

/* Dot product in one fixed summation order (16 running sums, combined
 * pairwise), so the SIMD and scalar paths give the same bits. dim % 16 == 0. */
float pa_rank_dot(const float *a, const float *b, int dim);
/* out[i] = u . m[i*dim ..] for n rows. */
void pa_rank_dots(const float *u, const float *m, int n, int dim, float *out);
/* The same in plain loops (what the compiler makes of it), for the bench. */
void pa_rank_dots_scalar(const float *u, const float *m, int n, int dim, float *out);
/* out[i] = (float)(sum qu * q[i]) * su * scale[i]; exact integer sums. */
void pa_rank_dots_i8(const int16_t *qu, float su, const int8_t *q, const float *scale, int n,
                     int dim, float *out);
void pa_rank_dots_i8_scalar(const int16_t *qu, float su, const int8_t *q, const float *scale, int n,
                            int dim, float *out);
/* Quantises v to q with scale max|v|/127 (0 for a zero vector). */
float pa_rank_quantize(const float *v, int dim, int8_t *q);
/* Name of the kernel in use: "wasm-simd128", "sse2" or "scalar". */
const char *pa_rank_kernel_name(void);

/* The taste's read side, for the ranker. */
const float *pa_rank_taste_vector(const pa_rank_taste *t, const char **model);
int pa_rank_taste_dim(const pa_rank_taste *t);
float pa_rank_taste_affinity_hash(const pa_rank_taste *t, uint64_t author);
bool pa_rank_taste_hidden_post(const pa_rank_taste *t, uint64_t post);
bool pa_rank_taste_hidden_author(const pa_rank_taste *t, uint64_t author);
bool pa_rank_taste_has_hidden(const pa_rank_taste *t);

#endif
