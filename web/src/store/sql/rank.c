/* pa_store_rank: candidates, interactions and post vectors. */
#include "store/rank.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <string.h>

/* Steps st (bound with bind_rc) to its end, calling row for each row;
 * PA_STORE_EABORT when row returned non-zero. Releases st. */
/* A walk's callback and its context. */
typedef struct sink {
  union {
    pa_store_candidate_fn candidate;
    pa_store_id_fn id;
    pa_store_pair_fn pair;
    pa_store_rank_post_fn post;
  } fn;
  void *ctx;
} sink;

/* The columns and joins of a candidate; ?1 the viewer. The comment count is
 * what the viewer can page through (feed.c says why). What a moderator hid
 * reaches its author only; what was removed, nobody. What the viewer may not
 * see, or muted, is never a candidate. */
#define CANDIDATE_SELECT                                                                           \
  "SELECT p.id, p.author_id, p.pet_id, t.species, p.created_at, "                                  \
  "p.like_count, " PA_SQ_COMMENT_COUNT(                                                            \
      "p.id",                                                                                      \
      "?1") ", p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?1)"            \
            " OR EXISTS (SELECT 1 FROM post_pets pp JOIN pet_follows f ON f.pet_id = pp.pet_id"    \
            "   WHERE pp.post_id = p.id AND f.follower_id = ?1),"                                  \
            " v.vec, c.advertiser_id, p.campaign_id, p.caption"                                    \
            " FROM posts p JOIN pets t ON t.id = p.pet_id JOIN users u ON u.id = p.author_id"      \
            " LEFT JOIN post_vectors v ON v.post_id = p.id"                                        \
            " LEFT JOIN campaigns c ON c.id = p.campaign_id"                                       \
            " WHERE (p.mod_state = 0 OR (p.mod_state = 1 AND p.author_id = ?1))"                   \
            " AND " PA_SQ_POSTS_VISIBLE("u", "?1") " AND " PA_SQ_NOT_MUTED("?1", "p.author_id")

/* ?2 the row limit. An ad's post is a candidate only when it is served
 * (pa_store_rank_candidate, api/ads_serve.c), never as an organic one. */
static const char candidates_sql[] =
    CANDIDATE_SELECT " AND p.campaign_id IS NULL AND " PA_SQ_NOT_CREATIVE(
        "p.id") " ORDER BY p.created_at DESC, p.id DESC LIMIT ?2";

/* ?2 the post. */
static const char candidate_sql[] = CANDIDATE_SELECT " AND p.id = ?2";

static int candidate_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  float vec[PA_STORE_VEC_DIM]; /* the blob copied out: it need not be aligned */
  size_t len = 0;
  const unsigned char *blob = pa_sq_blob(st, 8, &len);
  int has_vec = blob && len == sizeof vec;
  if (has_vec) memcpy(vec, blob, sizeof vec);
  int sponsored = !pa_sq_null(st, 9);
  pa_store_candidate c = {
      .post_id = pa_sq_i64(st, 0),
      .author_id = pa_sq_i64(st, 1),
      .pet_id = pa_sq_i64(st, 2),
      .species = pa_sq_text(st, 3),
      .caption = pa_sq_text(st, 11),
      .created_at = pa_sq_i64(st, 4),
      .like_count = pa_sq_i64(st, 5),
      .comment_count = pa_sq_i64(st, 6),
      .following = (int)pa_sq_i64(st, 7) != 0,
      .vec = has_vec ? vec : NULL,
      .advertiser_id = sponsored ? pa_sq_i64(st, 9) : 0,
      .campaign_id = sponsored ? pa_sq_i64(st, 10) : 0,
  };
  return s->fn.candidate(s->ctx, &c);
}

int pa_store_rank_candidates(pa_store *db, int64_t viewer, int limit, pa_store_candidate_fn fn,
                             void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, candidates_sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, viewer);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  sink s = {.fn.candidate = fn, .ctx = ctx};
  return pa_sq_each(db, st, rc, candidate_row, &s, "candidates");
}

int pa_store_rank_candidate(pa_store *db, int64_t viewer, int64_t post, pa_store_candidate_fn fn,
                            void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, candidate_sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[2] = {viewer, post};
  sink s = {.fn.candidate = fn, .ctx = ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, args), candidate_row, &s, "candidate");
}

static int id_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  return s->fn.id(s->ctx, pa_sq_i64(st, 0));
}

static int ids(pa_store *db, const char *sql, pa_store_id_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  sink s = {.fn.id = fn, .ctx = ctx};
  return pa_sq_each(db, st, PA_SQ_OK, id_row, &s, "ids");
}

int pa_store_rank_users(pa_store *db, pa_store_id_fn fn, void *ctx) {
  return ids(db, "SELECT id FROM users ORDER BY id", fn, ctx);
}

int pa_store_rank_posts(pa_store *db, pa_store_id_fn fn, void *ctx) {
  return ids(db, "SELECT id FROM posts ORDER BY id", fn, ctx);
}

static const char *const pairs_sql[] = {
    [PA_STORE_RANK_LIKE] = "SELECT user_id, post_id FROM likes",
    [PA_STORE_RANK_FOLLOW_AUTHOR] = "SELECT f.follower_id, p.id FROM follows f"
                                    " JOIN posts p ON p.author_id = f.followee_id",
    [PA_STORE_RANK_FOLLOW_PET] = "SELECT f.follower_id, pp.post_id FROM pet_follows f"
                                 " JOIN post_pets pp ON pp.pet_id = f.pet_id",
};

static int pair_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  return s->fn.pair(s->ctx, pa_sq_i64(st, 0), pa_sq_i64(st, 1));
}

int pa_store_rank_pairs(pa_store *db, pa_store_rank_signal signal, pa_store_pair_fn fn, void *ctx) {
  if (signal < PA_STORE_RANK_LIKE || signal > PA_STORE_RANK_FOLLOW_PET)
    return pa_sq_failf(db, PA_STORE_EINVAL, "rank pairs: bad signal");
  pa_sql_stmt *st = pa_sq_stmt(db, pairs_sql[signal]);
  if (!st) return PA_STORE_EDB;
  sink s = {.fn.pair = fn, .ctx = ctx};
  return pa_sq_each(db, st, PA_SQ_OK, pair_row, &s, "rank pairs");
}

static int post_text_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  pa_store_rank_post p = {pa_sq_i64(st, 0), pa_sq_text(st, 1), pa_sq_text(st, 2)};
  return s->fn.post(s->ctx, &p);
}

int pa_store_rank_post_texts(pa_store *db, pa_store_rank_post_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT p.id, t.species, p.caption FROM posts p"
                                   " JOIN pets t ON t.id = p.pet_id ORDER BY p.id");
  if (!st) return PA_STORE_EDB;
  sink s = {.fn.post = fn, .ctx = ctx};
  return pa_sq_each(db, st, PA_SQ_OK, post_text_row, &s, "rank posts");
}

int pa_store_rank_vectors_clear(pa_store *db) {
  return pa_sq_exec_i64(db, "DELETE FROM post_vectors", 0, NULL, NULL);
}

int pa_store_rank_vector_put(pa_store *db, int64_t post, const float vec[PA_STORE_VEC_DIM]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO post_vectors (post_id, vec) VALUES (?1, ?2)"
                                   " ON CONFLICT (post_id) DO UPDATE SET vec = excluded.vec");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, post);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, vec, PA_STORE_VEC_DIM * (int)sizeof *vec);
  return pa_sq_run(db, st, rc, "put vector", NULL, NULL);
}

int pa_store_rank_vectors_done(pa_store *db) {
  /* WHERE true: SQLite reads ON after a bare FROM as a join's. */
  return pa_sq_exec_i64(db,
                        "INSERT INTO meta (key, value) SELECT 'embed_likes', count(*) FROM likes"
                        " WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        0, NULL, NULL);
}

int pa_store_rank_state_get(pa_store *db, pa_store_rank_state *out) {
  int64_t missing = 0;
  out->likes_then = -1;
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM likes", 0, NULL, &out->likes);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db, "SELECT value FROM meta WHERE key = 'embed_likes'", 0, NULL,
                          &out->likes_then);
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    rc = pa_sq_scalar_i64(db,
                          "SELECT EXISTS (SELECT 1 FROM posts p WHERE NOT EXISTS"
                          " (SELECT 1 FROM post_vectors v WHERE v.post_id = p.id))",
                          0, NULL, &missing);
  out->missing = missing != 0;
  return rc;
}
