/* WASM exports for pa_rank: rankers (session + taste + current page) are
 * small integer handles, never pointers. Strings and bytes returned here
 * stay owned by the ranker until its next call of the same kind. */
#include "pa/pa_rank.h"

#include <emscripten.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_RANKERS = 8 };

typedef struct ranker {
  bool used;
  pa_rank_session *session;
  pa_rank_taste *taste;
  pa_rank_page *page;
  bool int8;
  pa_rank_item *items;
  int count;
  char *text;
  uint8_t *saved;
  pa_error error;
} ranker;

static ranker rankers[MAX_RANKERS]; /* handle = index + 1; host-side table */

static ranker *lookup(int h) {
  return h >= 1 && h <= MAX_RANKERS && rankers[h - 1].used ? &rankers[h - 1] : NULL;
}

static void clear(ranker *r) {
  pa_rank_session_free(r->session);
  pa_rank_taste_free(r->taste);
  pa_rank_page_free(r->page);
  free(r->items);
  free(r->text);
  free(r->saved);
  memset(r, 0, sizeof *r);
}

/* A ranker with default config, a blank taste and no page. Returns a handle
 * >= 1, or -status. Free with pa_wasm_rank_destroy. seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_create(uint32_t seed_lo, uint32_t seed_hi) {
  int i = 0;
  while (i < MAX_RANKERS && rankers[i].used) i++;
  if (i == MAX_RANKERS) return -PA_ERR_ARG;
  ranker *r = &rankers[i];
  pa_status st =
      pa_rank_session_create(NULL, (uint64_t)seed_hi << 32 | seed_lo, &r->session, &r->error);
  if (st == PA_OK) st = pa_rank_taste_create(PA_RANK_DIM, &r->taste, &r->error);
  if (st != PA_OK) {
    clear(r);
    return -(int)st;
  }
  r->used = true;
  return i + 1;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_destroy(int h) {
  ranker *r = lookup(h);
  if (r) clear(r);
}

/* The last error's message. seam: error */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_rank_error(int h) {
  ranker *r = lookup(h);
  return r ? r->error.msg : "no such ranker";
}

EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_error_code(int h) {
  ranker *r = lookup(h);
  return r ? (int)r->error.code : PA_ERR_ARG;
}

/* Parses a candidate page; on failure the previous page stays. Returns 0 or
 * a pa_status (message in pa_wasm_rank_error). seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_page(int h, const char *json, size_t len) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  pa_rank_page *page;
  pa_status st = pa_rank_page_parse(json, len, &page, &r->error);
  if (st != PA_OK) return (int)st;
  pa_rank_page_free(r->page);
  r->page = page;
  r->count = 0;
  return PA_OK;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_set_mode(int h, int mode) {
  ranker *r = lookup(h);
  if (r) pa_rank_session_set_mode(r->session, (pa_rank_mode)mode);
}

EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_mode(int h) {
  ranker *r = lookup(h);
  return r ? (int)pa_rank_session_mode(r->session) : -PA_ERR_ARG;
}

/* Returns 0 or a pa_status. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_set_int8(int h, int on) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.int8 = on != 0;
  r->int8 = cfg.int8;
  return (int)pa_rank_session_configure(r->session, &cfg, &r->error);
}

/* A new app session: per-advertiser caps start again. */
EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_restart(int h) {
  ranker *r = lookup(h);
  if (r) pa_rank_session_restart(r->session);
}

/* Ranks the current page into limit items; has_now 0 uses the newest
 * candidate's time, as the CLI does. Returns the count or -status.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_run(int h, int has_now, double now, int limit) {
  ranker *r = lookup(h);
  if (!r) return -PA_ERR_ARG;
  if (!r->page) {
    pa_error_set(&r->error, PA_ERR_ARG, "rank: no page loaded");
    return -PA_ERR_ARG;
  }
  if (limit < 0 || limit > PA_RANK_MAX_CANDIDATES) {
    pa_error_set(&r->error, PA_ERR_ARG, "rank: limit must be 0..%d", PA_RANK_MAX_CANDIDATES);
    return -PA_ERR_ARG;
  }
  if (has_now && !(now > -1e13 && now < 1e13)) { /* keep the conversion defined */
    pa_error_set(&r->error, PA_ERR_ARG, "rank: now must be Unix seconds");
    return -PA_ERR_ARG;
  }
  if (r->int8 && pa_rank_page_quantize(r->page, &r->error) != PA_OK) return -(int)r->error.code;
  pa_rank_item *items = realloc(r->items, sizeof *items * (size_t)(limit ? limit : 1));
  if (!items) return -PA_ERR_NOMEM;
  r->items = items;
  r->count = 0;
  int64_t t = has_now ? (int64_t)now : pa_rank_page_newest(r->page);
  pa_status st =
      pa_rank_session_rank(r->session, r->taste, r->page, t, items, limit, &r->count, &r->error);
  return st == PA_OK ? r->count : -(int)st;
}

static const char *keep_text(ranker *r, size_t need, bool json, bool explain) {
  char *t = realloc(r->text, need + 1);
  if (!t) return "";
  r->text = t;
  if (json)
    pa_rank_items_json(r->page, r->items, r->count, t, need + 1);
  else
    pa_rank_describe(r->page, r->items, r->count, pa_rank_session_mode(r->session), explain, t,
                     need + 1);
  return t;
}

/* The last ranking as the CLI's `rank` prints it. */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_rank_describe(int h, int explain) {
  ranker *r = lookup(h);
  if (!r || !r->page) return "";
  return keep_text(r,
                   pa_rank_describe(r->page, r->items, r->count, pa_rank_session_mode(r->session),
                                    explain != 0, NULL, 0),
                   false, explain != 0);
}

/* The last ranking as JSON for the shell (see pa_rank_items_json). */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_rank_json(int h) {
  ranker *r = lookup(h);
  if (!r || !r->page) return "[]";
  return keep_text(r, pa_rank_items_json(r->page, r->items, r->count, NULL, 0), true, false);
}

/* Learns from a signal on a post of the current page. Returns 0 or a pa_status.
 * seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_observe(int h, const char *post_id, int signal,
                                              double value) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  int index = pa_rank_page_find(r->page, post_id);
  if (index < 0)
    return (int)pa_error_set(&r->error, PA_ERR_ARG, "observe: no post \"%.64s\" on the page",
                             post_id ? post_id : "");
  return (int)pa_rank_taste_observe(r->taste, r->page, index, (pa_rank_signal)signal, value,
                                    &r->error);
}

/* The feed had the post on screen for ms (the app's PA_ACTION_VIEWED): a skip
 * or a dwell (pa_rank_taste_viewed). Returns 0 or a pa_status. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_viewed(int h, const char *post_id, double ms) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  int index = pa_rank_page_find(r->page, post_id);
  if (index < 0)
    return (int)pa_error_set(&r->error, PA_ERR_ARG, "viewed: no post \"%.64s\" on the page",
                             post_id ? post_id : "");
  return (int)pa_rank_taste_viewed(r->taste, r->page, index, ms, &r->error);
}

/* A signal about a person or a pet rather than a post (a follow from a
 * profile): learned on their newest candidate (pa_rank_page_find_by); empty
 * strings match any. Returns 0 or a pa_status. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_observe_by(int h, const char *author_id, const char *pet_id,
                                                 int signal, double value) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  int index = pa_rank_page_find_by(r->page, author_id && *author_id ? author_id : NULL,
                                   pet_id && *pet_id ? pet_id : NULL);
  if (index < 0)
    return (int)pa_error_set(&r->error, PA_ERR_ARG, "observe: no candidate by that person or pet");
  return (int)pa_rank_taste_observe(r->taste, r->page, index, (pa_rank_signal)signal, value,
                                    &r->error);
}

/* A signal about an author from outside the candidates (a story or reel
 * watched): only their affinity moves. Returns 0 or a pa_status. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_observe_author(int h, const char *author_id, int signal,
                                                     double value) {
  ranker *r = lookup(h);
  if (!r) return PA_ERR_ARG;
  return (int)pa_rank_taste_observe_author(r->taste, author_id, (pa_rank_signal)signal, value,
                                           &r->error);
}

/* Serialises the taste for local storage (never upload it). Returns the
 * length or -status; the bytes are at pa_wasm_rank_taste_data. The wrapper
 * returns a copy of them. seam: throws-negative bytes-at=pa_wasm_rank_taste_data */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_taste_save(int h) {
  ranker *r = lookup(h);
  if (!r) return -PA_ERR_ARG;
  size_t len = pa_rank_taste_saved_size(r->taste);
  uint8_t *b = realloc(r->saved, len);
  if (!b) return -PA_ERR_NOMEM;
  r->saved = b;
  pa_status st = pa_rank_taste_save(r->taste, b, len, &len, &r->error);
  return st == PA_OK ? (int)len : -(int)st;
}

EMSCRIPTEN_KEEPALIVE const uint8_t *pa_wasm_rank_taste_data(int h) {
  ranker *r = lookup(h);
  return r ? r->saved : NULL;
}

/* Returns 0 or a pa_status; on failure the taste is unchanged. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_rank_taste_load(int h, const uint8_t *bytes, size_t len) {
  ranker *r = lookup(h);
  return r ? (int)pa_rank_taste_load(r->taste, bytes, len, &r->error) : PA_ERR_ARG;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_rank_taste_reset(int h) {
  ranker *r = lookup(h);
  if (r) pa_rank_taste_reset(r->taste);
}
