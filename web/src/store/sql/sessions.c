/* pa_store_sessions: signed-in sessions. */
#include "store/sessions.h"

#include "store/sql/sql.h"

#include <stdio.h>

int pa_store_sessions_add(pa_store *db, const pa_store_new_session *s) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO sessions (user_id, token_hash, csrf, created_at,"
                                   " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, s->user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, s->token_hash, (int)s->token_hash_len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, s->csrf);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, s->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, s->expires_at);
  return pa_sq_run(db, st, rc, "new session", NULL, NULL);
}

int pa_store_sessions_find(pa_store *db, const unsigned char *token_hash, size_t token_hash_len,
                           pa_store_session *out) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT s.id, s.user_id, s.csrf, s.expires_at, u.plus_until,"
      " " PA_SQ_ROLE_MASK("s.user_id") ", u.suspended_until, u.banned_at FROM sessions s"
                                       " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_blob(st, 1, token_hash, (int)token_hash_len);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    const char *csrf = pa_sq_text(st, 2);
    out->id = pa_sq_i64(st, 0);
    out->user_id = pa_sq_i64(st, 1);
    out->expires_at = pa_sq_i64(st, 3);
    out->plus_until = pa_sq_i64(st, 4);
    out->roles = (int)pa_sq_i64(st, 5);
    out->barred_until = !pa_sq_null(st, 7) ? INT64_MAX : pa_sq_i64(st, 6);
    snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? csrf : "");
  }
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "session");
  pa_sq_done(st);
  return res;
}

int pa_store_sessions_extend(pa_store *db, int64_t id, int64_t expires_at) {
  int64_t a[2] = {expires_at, id};
  return pa_sq_exec_i64(db, "UPDATE sessions SET expires_at = ?1 WHERE id = ?2", 2, a, NULL);
}

int pa_store_sessions_delete(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM sessions WHERE id = ?1", 1, &id, NULL);
}

int pa_store_sessions_delete_user(pa_store *db, int64_t user, int64_t keep) {
  int64_t a[2] = {user, keep};
  return pa_sq_exec_i64(db, "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2", 2, a, NULL);
}

int pa_store_sessions_expire(pa_store *db, int64_t now) {
  return pa_sq_exec_i64(db, "DELETE FROM sessions WHERE expires_at <= ?1", 1, &now, NULL);
}
