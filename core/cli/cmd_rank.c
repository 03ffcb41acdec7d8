/* rank, rank-observe, rank-bench, rank-eval: the pa_rank module from the shell. */
#include "cli.h"
#include "pa/pa_feed.h"
#include "pa/pa_rank.h"
#include "pa_native.h"
#include "rank_tools.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TASTE_MAX_BYTES = 1 << 20 };

static bool parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

static bool parse_int(const char *s, int lo, int hi, int *out) {
  uint64_t v;
  if (!parse_u64(s, &v) || v < (uint64_t)lo || v > (uint64_t)hi) return false;
  *out = (int)v;
  return true;
}

/* pa_feed_parse_time can read a few bytes past a cut-short offset: give it a
 * zero-padded copy. */
static bool parse_time_arg(const char *s, int64_t *out) {
  char buf[48] = {0};
  size_t n = strlen(s);
  if (n > 40) return false;
  memcpy(buf, s, n);
  return pa_feed_parse_time(buf, out) == PA_OK;
}

static pa_status load_page(const char *path, pa_rank_page **page, pa_error *e) {
  uint8_t *bytes;
  size_t len;
  pa_status st = pa_native_read_file(path, PA_RANK_MAX_BYTES + 1, &bytes, &len, e);
  if (st != PA_OK) return st;
  st = pa_rank_page_parse((const char *)bytes, len, page, e);
  free(bytes);
  return st;
}

/* Loads a saved taste; a missing file is a blank taste when allow_missing. */
static pa_status load_taste(const char *path, bool allow_missing, pa_rank_taste **taste,
                            pa_error *e) {
  pa_status st = pa_rank_taste_create(PA_RANK_DIM, taste, e);
  if (st != PA_OK) return st;
  FILE *f = allow_missing ? fopen(path, "rb") : NULL;
  if (allow_missing && !f) return PA_OK;
  if (f) fclose(f);
  uint8_t *bytes;
  size_t len;
  if ((st = pa_native_read_file(path, TASTE_MAX_BYTES, &bytes, &len, e)) == PA_OK) {
    st = pa_rank_taste_load(*taste, bytes, len, e);
    free(bytes);
  }
  if (st != PA_OK) {
    pa_rank_taste_free(*taste);
    *taste = NULL;
  }
  return st;
}

int pa_cli_rank(int argc, char **argv) {
  if (argc < 2) return PA_CLI_USAGE;
  const char *taste_path = NULL;
  pa_rank_mode mode = PA_RANK_FOR_YOU;
  uint64_t seed = 1;
  int limit = 50;
  bool explain = false, json = false, int8 = false, has_now = false;
  int64_t now = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--explain"))
      explain = true;
    else if (!strcmp(a, "--json"))
      json = true;
    else if (!strcmp(a, "--int8"))
      int8 = true;
    else if (!v)
      return PA_CLI_USAGE;
    else if (!strcmp(a, "--mode") && !strcmp(v, "for-you"))
      mode = PA_RANK_FOR_YOU, i++;
    else if (!strcmp(a, "--mode") && !strcmp(v, "following"))
      mode = PA_RANK_FOLLOWING, i++;
    else if (!strcmp(a, "--seed") && parse_u64(v, &seed))
      i++;
    else if (!strcmp(a, "--taste"))
      taste_path = v, i++;
    else if (!strcmp(a, "--limit") && parse_int(v, 0, PA_RANK_MAX_CANDIDATES, &limit))
      i++;
    else if (!strcmp(a, "--now") && parse_time_arg(v, &now))
      has_now = true, i++;
    else
      return PA_CLI_USAGE;
  }
  pa_error e;
  pa_rank_page *page = NULL;
  pa_rank_taste *taste = NULL;
  pa_rank_session *s = NULL;
  pa_rank_item *items = NULL;
  char *text = NULL;
  int rc = PA_CLI_OK, count = 0;
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.int8 = int8;
  if (load_page(argv[1], &page, &e) != PA_OK ||
      (taste_path && load_taste(taste_path, false, &taste, &e) != PA_OK) ||
      (int8 && pa_rank_page_quantize(page, &e) != PA_OK) ||
      pa_rank_session_create(&cfg, seed, &s, &e) != PA_OK) {
    rc = pa_cli_fail(&e);
    goto done;
  }
  pa_rank_session_set_mode(s, mode);
  /* The newest candidate as "now" keeps runs reproducible; --now overrides. */
  if (!has_now) now = pa_rank_page_newest(page);
  if (!(items = malloc(sizeof *items * (size_t)(limit ? limit : 1)))) {
    rc = PA_CLI_HOST;
    goto done;
  }
  if (pa_rank_session_rank(s, taste, page, now, items, limit, &count, &e) != PA_OK) {
    rc = pa_cli_fail(&e);
    goto done;
  }
  size_t need = json ? pa_rank_items_json(page, items, count, NULL, 0)
                     : pa_rank_describe(page, items, count, mode, explain, NULL, 0);
  if (!(text = malloc(need + 1))) {
    rc = PA_CLI_HOST;
    goto done;
  }
  if (json)
    pa_rank_items_json(page, items, count, text, need + 1);
  else
    pa_rank_describe(page, items, count, mode, explain, text, need + 1);
  fputs(text, stdout);
  if (json) fputc('\n', stdout);
done:
  free(text);
  free(items);
  pa_rank_session_free(s);
  pa_rank_taste_free(taste);
  pa_rank_page_free(page);
  return rc;
}

int pa_cli_rank_observe(int argc, char **argv) {
  if (argc < 4) return PA_CLI_USAGE;
  pa_error e;
  pa_rank_page *page = NULL;
  pa_rank_taste *taste = NULL;
  uint8_t *bytes = NULL;
  int rc = PA_CLI_OK;
  if (load_taste(argv[1], true, &taste, &e) != PA_OK || load_page(argv[2], &page, &e) != PA_OK) {
    rc = pa_cli_fail(&e);
    goto done;
  }
  for (int i = 3; i < argc; i++) {
    /* POST_ID:SIGNAL[:VALUE] */
    char spec[160], *sig, *val;
    snprintf(spec, sizeof spec, "%s", argv[i]);
    if (!(sig = strchr(spec, ':'))) {
      rc = PA_CLI_USAGE;
      goto done;
    }
    *sig++ = '\0';
    double value = 0;
    if ((val = strchr(sig, ':'))) {
      *val++ = '\0';
      char *end;
      value = strtod(val, &end);
      if (end == val || *end) {
        rc = PA_CLI_USAGE;
        goto done;
      }
    }
    pa_rank_signal signal;
    int index = pa_rank_page_find(page, spec);
    if (!pa_rank_signal_from_name(sig, &signal)) {
      pa_error_set(&e, PA_ERR_ARG, "observe: unknown signal \"%s\"", sig);
      rc = pa_cli_fail(&e);
      goto done;
    }
    if (index < 0) {
      pa_error_set(&e, PA_ERR_ARG, "observe: no post \"%s\" on the page", spec);
      rc = pa_cli_fail(&e);
      goto done;
    }
    if (pa_rank_taste_observe(taste, page, index, signal, value, &e) != PA_OK) {
      rc = pa_cli_fail(&e);
      goto done;
    }
  }
  size_t len = pa_rank_taste_saved_size(taste);
  FILE *f = NULL;
  if (!(bytes = malloc(len)) || pa_rank_taste_save(taste, bytes, len, &len, &e) != PA_OK ||
      !(f = fopen(argv[1], "wb")) || fwrite(bytes, 1, len, f) != len) {
    if (f) fclose(f);
    fprintf(stderr, "error (platform): cannot write %s\n", argv[1]);
    rc = PA_CLI_HOST;
    goto done;
  }
  if (fclose(f)) rc = PA_CLI_HOST;
  printf("taste: %" PRIu64 " signals, %zu bytes\n", pa_rank_taste_updates(taste), len);
done:
  free(bytes);
  pa_rank_page_free(page);
  pa_rank_taste_free(taste);
  return rc;
}

/* ---- rank-bench */

typedef enum {
  B_COPY,
  B_DOTS,
  B_DOTS_PLAIN,
  B_DOTS_I8,
  B_DOTS_I8_PLAIN,
  B_RANK,
  B_RANK_I8
} bench_op;

static double median_ms(pa_rank_bench *b, bench_op op, int iters, int limit, double *t) {
  for (int k = -3; k < iters; k++) { /* three warm-up runs */
    double t0 = pa_cli_now_ms();
    switch (op) {
    case B_COPY: pa_rank_bench_copy(b); break;
    case B_DOTS: pa_rank_bench_dots(b, 0); break;
    case B_DOTS_PLAIN: pa_rank_bench_dots(b, 1); break;
    case B_DOTS_I8: pa_rank_bench_dots(b, 2); break;
    case B_DOTS_I8_PLAIN: pa_rank_bench_dots(b, 3); break;
    case B_RANK: pa_rank_bench_rank(b, false, limit); break;
    case B_RANK_I8: pa_rank_bench_rank(b, true, limit); break;
    }
    if (k >= 0) t[k] = pa_cli_now_ms() - t0;
  }
  return pa_cli_median(t, iters);
}

int pa_cli_rank_bench(int argc, char **argv) {
  int n = 10000, dim = 64, iters = 200, limit = 50;
  uint64_t seed = 1;
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return PA_CLI_USAGE;
    if (!strcmp(a, "--n") && parse_int(v, 1, PA_RANK_MAX_CANDIDATES, &n)) continue;
    if (!strcmp(a, "--dim") && parse_int(v, 16, PA_RANK_MAX_DIM, &dim) && dim % 16 == 0) continue;
    if (!strcmp(a, "--iters") && parse_int(v, 1, 100000, &iters)) continue;
    if (!strcmp(a, "--limit") && parse_int(v, 1, PA_RANK_MAX_CANDIDATES, &limit)) continue;
    if (!strcmp(a, "--seed") && parse_u64(v, &seed)) continue;
    return PA_CLI_USAGE;
  }
  pa_error e;
  pa_rank_bench *b;
  if (pa_rank_bench_create(n, dim, seed, &b, &e) != PA_OK) return pa_cli_fail(&e);
  double *t = malloc(sizeof *t * (size_t)iters);
  if (!t) {
    pa_rank_bench_free(b);
    return PA_CLI_HOST;
  }
  printf("rank-bench: native, n %d, dim %d, limit %d, iters %d, kernel %s, medians in ms\n", n, dim,
         limit, iters, pa_rank_bench_kernel());
  static const struct {
    bench_op op;
    const char *name;
  } OPS[] = {{B_COPY, "copy_ms"},
             {B_DOTS, "dots_f32_ms"},
             {B_DOTS_PLAIN, "dots_f32_plain_ms"},
             {B_DOTS_I8, "dots_i8_ms"},
             {B_DOTS_I8_PLAIN, "dots_i8_plain_ms"},
             {B_RANK, "rank_f32_ms"},
             {B_RANK_I8, "rank_i8_ms"}};
  for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++)
    printf("%s %.4f\n", OPS[k].name, median_ms(b, OPS[k].op, iters, limit, t));
  printf("matrix_bytes %zu\n", pa_rank_bench_bytes(b));
  printf("int8_recall_at_100 %.3f\n", pa_rank_bench_recall(b, 100));
  printf("int8_list_overlap %.3f\n", pa_rank_bench_list_overlap(b, limit));
  free(t);
  pa_rank_bench_free(b);
  return PA_CLI_OK;
}

/* ---- rank-eval */

int pa_cli_rank_eval(int argc, char **argv) {
  pa_rank_eval_opts o;
  pa_rank_eval_defaults(&o);
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return PA_CLI_USAGE;
    if (!strcmp(a, "--seed") && parse_u64(v, &o.seed)) continue;
    if (!strcmp(a, "--users") && parse_int(v, 1, 100000, &o.users)) continue;
    if (!strcmp(a, "--sessions") && parse_int(v, 1, 1000, &o.sessions)) continue;
    if (!strcmp(a, "--candidates") && parse_int(v, 50, PA_RANK_MAX_CANDIDATES, &o.candidates))
      continue;
    if (!strcmp(a, "--train-users") && parse_int(v, 10, 100000, &o.train_users)) continue;
    return PA_CLI_USAGE;
  }
  pa_error e;
  pa_rank_eval_result r;
  if (pa_rank_eval_run(&o, &r, &e) != PA_OK) return pa_cli_fail(&e);
  printf("rank-eval: seed %" PRIu64 ", %d users x %d sessions, %d candidates per page, "
         "%d users behind the item embeddings\n",
         o.seed, o.users, o.sessions, o.candidates, o.train_users);
  printf("  base rate %.3f liked; factorisation held-out AUC %.3f (true probabilities: %.3f)\n",
         r.base_rate, r.mf_auc, r.mf_auc_ceiling);
  printf("  int8 scoring keeps %.1f%% of the f32 list (top 50)\n", 100 * r.int8_overlap);
  printf("  %-34s %8s %10s %9s\n", "method", "NDCG@10", "recall@50", "sessions");
  for (int k = 0; k < PA_RANK_EVAL_ROWS; k++)
    printf("  %-34s %8.4f %10.4f %9d\n", r.rows[k].name, r.rows[k].ndcg10, r.rows[k].recall50,
           r.rows[k].sessions);
  return PA_CLI_OK;
}
