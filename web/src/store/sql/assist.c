/* pa_store_assist: the assistant's questions (store/assist.h). */
#include "store/assist.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

int pa_store_assist_add(pa_store *db, const pa_store_assist_ask *a, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO help_asks (user_id, token, locale, question, answer,"
                     " articles, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                     " RETURNING id");
  if (!st) return pa_sq_fail(db, "ask add");
  int b = pa_sq_bind_id(st, 1, a->user_id);
  if (!b)
    b = a->user_id ? pa_sq_bind_null(st, 2)
                   : pa_sq_bind_blob(st, 2, a->token_hash, sizeof a->token_hash);
  if (!b) b = pa_sq_bind_text(st, 3, a->locale);
  if (!b) b = pa_sq_bind_text(st, 4, a->question);
  if (!b) b = pa_sq_bind_text(st, 5, a->answer);
  if (!b) b = pa_sq_bind_text(st, 6, a->articles);
  if (!b) b = pa_sq_bind_i64(st, 7, a->created_at);
  return pa_sq_run(db, st, b, "ask add", id, NULL);
}

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

int pa_store_assist_get(pa_store *db, int64_t id, pa_store_assist_ask *a) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT user_id, token, locale, question, answer, articles, used_model, tools,"
                     " streamed, created_at FROM help_asks WHERE id = ?1");
  if (!st) return pa_sq_fail(db, "ask get");
  if (pa_sq_bind_i64(st, 1, id)) {
    pa_sq_done(st);
    return pa_sq_fail(db, "ask get");
  }
  int rc = pa_sq_step(st), out = PA_STORE_ENOTFOUND;
  if (rc == PA_SQ_ROW) {
    memset(a, 0, sizeof *a);
    a->id = id;
    a->user_id = pa_sq_i64(st, 0);
    size_t n = 0;
    const unsigned char *t = pa_sq_blob(st, 1, &n);
    if (t && n == sizeof a->token_hash) memcpy(a->token_hash, t, n);
    copy(a->locale, sizeof a->locale, pa_sq_text(st, 2));
    copy(a->question, sizeof a->question, pa_sq_text(st, 3));
    copy(a->answer, sizeof a->answer, pa_sq_text(st, 4));
    copy(a->articles, sizeof a->articles, pa_sq_text(st, 5));
    a->used_model = (int)pa_sq_i64(st, 6);
    copy(a->tools, sizeof a->tools, pa_sq_text(st, 7));
    a->streamed = (int)pa_sq_i64(st, 8);
    a->created_at = pa_sq_i64(st, 9);
    out = PA_STORE_OK;
  } else if (rc != PA_SQ_DONE) {
    out = pa_sq_fail(db, "ask get");
  }
  pa_sq_done(st);
  return out;
}

int pa_store_assist_claim(pa_store *db, int64_t id, int *claimed) {
  return pa_sq_exec_i64(db, "UPDATE help_asks SET streamed = 1 WHERE id = ?1 AND streamed = 0", 1,
                        &id, claimed);
}

int pa_store_assist_finish(pa_store *db, int64_t id, const char *answer, const char *articles,
                           const char *tools) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE help_asks SET answer = ?2, articles = ?3, tools = ?4,"
                                   " used_model = 1 WHERE id = ?1");
  if (!st) return pa_sq_fail(db, "ask finish");
  int b = pa_sq_bind_i64(st, 1, id);
  if (!b) b = pa_sq_bind_text(st, 2, answer);
  if (!b) b = pa_sq_bind_text(st, 3, articles);
  if (!b) b = pa_sq_bind_text(st, 4, tools);
  return pa_sq_run(db, st, b, "ask finish", NULL, NULL);
}

int pa_store_assist_expire(pa_store *db, int64_t before, int *n) {
  return pa_sq_exec_i64(db, "DELETE FROM help_asks WHERE created_at < ?1", 1, &before, n);
}

typedef struct hidden_ctx {
  pa_store_assist_hidden_fn fn;
  void *ctx;
} hidden_ctx;

static int hidden_row(void *c, pa_sql_stmt *st) {
  hidden_ctx *h = c;
  pa_store_assist_hidden row = {pa_sq_i64(st, 0), pa_sq_i64(st, 2), (int)pa_sq_i64(st, 1), ""};
  copy(row.reason, sizeof row.reason, pa_sq_text(st, 3));
  return h->fn(h->ctx, &row);
}

int pa_store_assist_hidden_posts(pa_store *db, int64_t user, int limit,
                                 pa_store_assist_hidden_fn fn, void *ctx) {
  /* Only the person's own posts (author_id = ?1) and their own notices:
   * nothing of who reported them, only the reasons given. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT p.id, p.mod_state,"
          " coalesce((SELECT max(n.created_at) FROM notices n WHERE n.user_id = ?1"
          "   AND n.kind = 'moderation' AND n.post_id = p.id), p.created_at),"
          " coalesce((SELECT r.reason FROM reports r WHERE r.kind = 'post' AND r.item_id = p.id"
          "   GROUP BY r.reason ORDER BY count(*) DESC, r.reason LIMIT 1), '')"
          " FROM posts p WHERE p.author_id = ?1 AND p.mod_state IN (1, 2)"
          " ORDER BY p.id DESC LIMIT ?2");
  if (!st) return pa_sq_fail(db, "hidden posts");
  int b = pa_sq_bind_i64(st, 1, user);
  if (!b) b = pa_sq_bind_i64(st, 2, limit);
  hidden_ctx h = {fn, ctx};
  return pa_sq_each(db, st, b, hidden_row, &h, "hidden posts");
}
