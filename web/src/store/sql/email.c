/* pa_store_email: e-mail link tokens and the outbox. */
#include "store/email.h"

#include "store/sql/sql.h"

#include <stdio.h>

static const char *purpose_word(pa_store_token_purpose p) {
  return p == PA_STORE_TOKEN_CHANGE ? "change" : "reset";
}

int pa_store_email_token_add(pa_store *db, int64_t user, const unsigned char hash[32],
                             pa_store_token_purpose purpose, const char *email, int64_t now,
                             int64_t expires_at) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO email_tokens (user_id, token_hash, purpose, email,"
                                   " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, hash, 32);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, purpose_word(purpose));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, email);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, expires_at);
  return pa_sq_run(db, st, rc, "add email token", NULL, NULL);
}

int pa_store_email_token_take(pa_store *db, const unsigned char hash[32],
                              pa_store_token_purpose purpose, int64_t now, int64_t *user,
                              char *email, size_t email_cap) {
  /* One statement marks it used and reads it: two requests with the same
   * token cannot both pass. */
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE email_tokens SET used_at = ?3"
                                   " WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL"
                                   "   AND expires_at > ?3 RETURNING user_id, email");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_blob(st, 1, hash, 32);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, purpose_word(purpose));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out = PA_STORE_OK;
  if (rc == PA_SQ_ROW) {
    *user = pa_sq_i64(st, 0);
    const char *e = pa_sq_text(st, 1);
    if (email && email_cap) snprintf(email, email_cap, "%s", e ? e : "");
  } else {
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "take email token");
  }
  pa_sq_done(st);
  return out;
}

int pa_store_email_tokens_void(pa_store *db, int64_t user, pa_store_token_purpose purpose,
                               int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE email_tokens SET used_at = ?3"
                                   " WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, purpose_word(purpose));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  return pa_sq_run(db, st, rc, "void email tokens", NULL, NULL);
}

int pa_store_email_tokens_prune(pa_store *db, int64_t before) {
  return pa_sq_exec_i64(db, "DELETE FROM email_tokens WHERE expires_at < ?1", 1, &before, NULL);
}

int pa_store_email_outbox_add(pa_store *db, const pa_store_outbox_msg *m) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO outbox (kind, to_addr, subject, body, status,"
                                   " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, m->kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, m->to);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, m->subject);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, m->body);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, m->status);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, m->created_at);
  return pa_sq_run(db, st, rc, "add to outbox", NULL, NULL);
}

typedef struct outbox_walk {
  pa_store_outbox_fn fn;
  void *ctx;
} outbox_walk;

static int outbox_row(void *ctx, pa_sql_stmt *st) {
  const outbox_walk *w = ctx;
  pa_store_outbox_msg m = {.id = pa_sq_i64(st, 0),
                           .created_at = pa_sq_i64(st, 1),
                           .kind = pa_sq_text(st, 2),
                           .to = pa_sq_text(st, 3),
                           .subject = pa_sq_text(st, 4),
                           .body = pa_sq_text(st, 5),
                           .status = pa_sq_text(st, 6)};
  return w->fn(w->ctx, &m);
}

int pa_store_email_outbox_list(pa_store *db, const pa_store_cursor *after, int limit,
                               pa_store_outbox_fn fn, void *ctx, pa_store_cursor *next, int *more) {
  /* ?1 ?2 the cursor, ?3 the row limit. */
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, created_at, kind, to_addr, subject, body, status"
                                   "  FROM outbox WHERE (created_at, id) < (?1, ?2)"
                                   " ORDER BY created_at DESC, id DESC LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_page(st, 1, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "outbox");
  }
  outbox_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, outbox_row, &w, 1, 0, next, more, "outbox");
}
