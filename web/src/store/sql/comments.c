/* pa_store_comments. */
#include "store/comments.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

/* The author. */
#define PERSON PA_SQ_PERSON_COLS("u", "m")
/* A comment's reply_count is of the replies viewer is listed (visible.h). */
#define COMMENT_SQL(viewer, where)                                                                 \
  "SELECT c.id, c.post_id, c.parent_id, c.body, c.created_at, " PERSON ","                         \
  "       (SELECT count(*) FROM comments r WHERE r.parent_id = c.id"                               \
  "         AND " PA_SQ_COMMENT_SHOWN("r",                                                         \
                                      viewer) "), c.mod_state"                                     \
                                              "  FROM comments c JOIN users u ON u.id = "          \
                                              "c.author_id LEFT JOIN media m ON m.hash = u.avatar" \
                                              " WHERE " where

/* ?1 the post, ?2 the parent (replies only), ?3 ?4 the cursor, ?5 the row limit,
 * ?6 the viewer: a comment a moderator hid is listed to its author only, a
 * removed one to nobody; comments by people in a block with the viewer
 * (either way) are left out (store/sql/visible.h). */
#define COMMENT_PAGE(parent)                                                                       \
  COMMENT_SQL("?6",                                                                                \
              "c.post_id = ?1 AND " parent " AND (c.created_at, c.id) > (?3, ?4)"                  \
              " AND " PA_SQ_COMMENT_SHOWN("c", "?6") " ORDER BY c.created_at, c.id LIMIT ?5")

static const char top_sql[] = COMMENT_PAGE("?2 = 0 AND c.parent_id IS NULL");
static const char replies_sql[] = COMMENT_PAGE("c.parent_id = ?2");

typedef struct comment_walk {
  pa_store_comment_fn fn;
  void *ctx;
} comment_walk;

static int comment_row(void *ctx, pa_sql_stmt *st) {
  const comment_walk *w = ctx;
  pa_store_comment c = {
      .id = pa_sq_i64(st, 0),
      .post_id = pa_sq_i64(st, 1),
      .parent_id = pa_sq_i64(st, 2), /* NULL reads as 0 */
      .body = pa_sq_text(st, 3),
      .created_at = pa_sq_i64(st, 4),
      .reply_count = pa_sq_i64(st, 10),
      .mod_state = (int)pa_sq_i64(st, 11),
  };
  pa_sq_person(st, 5, &c.author);
  return w->fn(w->ctx, &c);
}

int pa_store_comments_list(pa_store *db, int64_t post, int64_t parent, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_comment_fn fn,
                           void *ctx, pa_store_cursor *next, int *more) {
  pa_sql_stmt *st = pa_sq_stmt(db, parent ? replies_sql : top_sql);
  if (!st) return PA_STORE_EDB;
  /* Oldest first: the first page starts below every real position. */
  int64_t a[4] = {post, parent, after ? after->created_at : INT64_MIN,
                  after ? after->id : INT64_MIN};
  int rc = pa_sq_bind_i64s(st, 4, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, limit + 1);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, viewer);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "comments");
  }
  comment_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, comment_row, &w, 4, 0, next, more, "comments");
}

int pa_store_comments_get(pa_store *db, int64_t id, int64_t viewer, pa_store_comment_fn fn,
                          void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, COMMENT_SQL("?2", "c.id = ?1"));
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {id, viewer};
  int rc = pa_sq_bind_i64s(st, 2, a), out = PA_STORE_OK;
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  comment_walk w = {fn, ctx};
  if (rc == PA_SQ_ROW && comment_row(&w, st) != 0)
    out = pa_sq_failf(db, PA_STORE_EABORT, "comment: stopped by callback");
  else if (rc == PA_SQ_DONE)
    out = PA_STORE_ENOTFOUND;
  else if (rc != PA_SQ_ROW)
    out = pa_sq_fail(db, "comment");
  pa_sq_done(st);
  return out;
}

int pa_store_comments_info_get(pa_store *db, int64_t id, pa_store_comment_info *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT c.post_id, c.parent_id, c.author_id, p.author_id"
                                   "  FROM comments c JOIN posts p ON p.id = c.post_id"
                                   " WHERE c.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW)
    *out = (pa_store_comment_info){pa_sq_i64(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                                   pa_sq_i64(st, 3)};
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "comment");
  pa_sq_done(st);
  return res;
}

int pa_store_comments_add(pa_store *db, int64_t post, int64_t author, int64_t parent,
                          const char *body, int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO comments (post_id, author_id, parent_id, body,"
                                   " created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {post, author};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 3, parent);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, body);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, rc, "add comment", id, NULL);
}

int pa_store_comments_delete(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM comments WHERE id = ?1", 1, &id, NULL);
}
