/* The rank benchmark's WASM module (petamigos-rank-bench): the synthetic
 * fixture of tools/rank_tools.h, so scripts/bench-rank times in Node the same
 * work as `petamigos rank-bench` natively. Not in the app's module: the site
 * never loads it. Fixtures are small integer handles, never pointers. */
#include "pa/pa_rank.h"
#include "rank_tools.h"

#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>

enum { MAX_FIXTURES = 4 }; /* a benchmark holds one; a few leave room for a comparison */

static pa_rank_bench *fixtures[MAX_FIXTURES]; /* handle = index + 1 */
static pa_error last_error;                   /* of the last failed create */

static pa_rank_bench *lookup(int h) { return h >= 1 && h <= MAX_FIXTURES ? fixtures[h - 1] : NULL; }

/* Builds n candidates of dim dimensions and a taste trained on one cluster.
 * Returns a handle >= 1, or -status (message in pa_wasm_rank_bench_error).
 * Free with pa_wasm_rank_bench_destroy. seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_bench_create(int n, int dim, uint32_t seed) {
  int i = 0;
  while (i < MAX_FIXTURES && fixtures[i]) i++;
  if (i == MAX_FIXTURES) {
    pa_error_set(&last_error, PA_ERR_TOO_LARGE, "rank bench: at most %d fixtures", MAX_FIXTURES);
    return -PA_ERR_TOO_LARGE;
  }
  pa_status st = pa_rank_bench_create(n, dim, seed, &fixtures[i], &last_error);
  return st == PA_OK ? i + 1 : -(int)st;
}

/* The last failed create's message. seam: error */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_rank_bench_error(void) { return last_error.msg; }

EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_bench_destroy(int h) {
  pa_rank_bench *b = lookup(h);
  if (!b) return;
  pa_rank_bench_free(b);
  fixtures[h - 1] = NULL;
}

/* One full ranking into limit items; the count, or -status. */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_bench_rank(int h, int int8, int limit) {
  pa_rank_bench *b = lookup(h);
  return b ? pa_rank_bench_rank(b, int8 != 0, limit) : -PA_ERR_ARG;
}

/* The similarity pass alone; kernel as pa_rank_bench_dots. */
EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_bench_dots(int h, int kernel) {
  pa_rank_bench *b = lookup(h);
  if (b) pa_rank_bench_dots(b, kernel);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_bench_copy(int h) {
  pa_rank_bench *b = lookup(h);
  if (b) pa_rank_bench_copy(b);
}

EMSCRIPTEN_KEEPALIVE double pa_wasm_rank_bench_recall(int h, int k) {
  pa_rank_bench *b = lookup(h);
  return b ? pa_rank_bench_recall(b, k) : -1;
}

EMSCRIPTEN_KEEPALIVE double pa_wasm_rank_bench_overlap(int h, int limit) {
  pa_rank_bench *b = lookup(h);
  return b ? pa_rank_bench_list_overlap(b, limit) : -1;
}

EMSCRIPTEN_KEEPALIVE double pa_wasm_rank_bench_bytes(int h) {
  pa_rank_bench *b = lookup(h);
  return b ? (double)pa_rank_bench_bytes(b) : 0;
}

EMSCRIPTEN_KEEPALIVE const char *pa_wasm_rank_bench_kernel(void) { return pa_rank_bench_kernel(); }
