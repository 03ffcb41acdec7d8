/* pa_store_sessions: signed-in sessions. */
#include "store/sessions.h"

#include "store/sql/sql.h"

#include <stdio.h>

int pa_store_sessions_add(pa_store *db, const pa_store_new_session *s) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO sessions (user_id, token_hash, csrf, created_at,"
                                   " expires_at, last_seen_at, browser, os, addr)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6, ?7, ?8)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, s->user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, s->token_hash, (int)s->token_hash_len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, s->csrf);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, s->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, s->expires_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, s->browser ? s->browser : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, s->os ? s->os : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 8, s->addr ? s->addr : "");
  return pa_sq_run(db, st, rc, "new session", NULL, NULL);
}

typedef struct device_count {
  int64_t devices, known;
} device_count;

static int device_row(void *ctx, pa_sql_stmt *st) {
  device_count *c = ctx;
  c->devices = pa_sq_i64(st, 0);
  c->known = pa_sq_i64(st, 1);
  return 0;
}

int pa_store_sessions_device_seen(pa_store *db, int64_t user, const char *browser, const char *os,
                                  int64_t now, int *known, int *first) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT count(*), coalesce(max(CASE WHEN browser = ?2 AND os = ?3"
                     " THEN 1 ELSE 0 END), 0) FROM known_devices WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, browser ? browser : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, os ? os : "");
  device_count c = {0, 0};
  if ((rc = pa_sq_each(db, st, rc, device_row, &c, "known devices")) != PA_STORE_OK) return rc;
  *known = c.known != 0;
  *first = c.devices == 0;
  st =
      pa_sq_stmt(db, "INSERT INTO known_devices (user_id, browser, os, first_seen_at,"
                     " last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (user_id, browser, os)"
                     " DO UPDATE SET last_seen_at = excluded.last_seen_at");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, browser ? browser : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, os ? os : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "known device", NULL, NULL);
}

int pa_store_sessions_find(pa_store *db, const unsigned char *token_hash, size_t token_hash_len,
                           pa_store_session *out) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT s.id, s.user_id, s.csrf, s.expires_at, u.plus_until,"
      " " PA_SQ_ROLE_MASK("s.user_id") ", s.last_seen_at, u.suspended_until, u.banned_at"
                                       " FROM sessions s"
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
    out->last_seen_at = pa_sq_i64(st, 6);
    out->barred_until = !pa_sq_null(st, 8) ? INT64_MAX : pa_sq_i64(st, 7);
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

int pa_store_sessions_seen(pa_store *db, int64_t id, int64_t now) {
  int64_t a[2] = {now, id};
  return pa_sq_exec_i64(db, "UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2", 2, a, NULL);
}

typedef struct list_ctx {
  int (*row)(void *ctx, const pa_store_session_info *s);
  void *ctx;
} list_ctx;

static void copy_text(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

static int list_row(void *c, pa_sql_stmt *st) {
  list_ctx *l = c;
  pa_store_session_info s;
  s.id = pa_sq_i64(st, 0);
  s.created_at = pa_sq_i64(st, 1);
  s.last_seen_at = pa_sq_i64(st, 2);
  copy_text(s.browser, sizeof s.browser, pa_sq_text(st, 3));
  copy_text(s.os, sizeof s.os, pa_sq_text(st, 4));
  copy_text(s.addr, sizeof s.addr, pa_sq_text(st, 5));
  return l->row(l->ctx, &s);
}

int pa_store_sessions_list(pa_store *db, int64_t user, int64_t now,
                           int (*row)(void *ctx, const pa_store_session_info *s), void *ctx) {
  list_ctx l = {row, ctx};
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, created_at, last_seen_at, browser, os, addr"
                                   " FROM sessions WHERE user_id = ?1 AND expires_at > ?2"
                                   " ORDER BY last_seen_at DESC, id DESC");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, now);
  return pa_sq_each(db, st, rc, list_row, &l, "sessions");
}

int pa_store_sessions_delete_own(pa_store *db, int64_t user, int64_t id) {
  int64_t a[2] = {id, user};
  int changes = 0;
  int rc =
      pa_sq_exec_i64(db, "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2", 2, a, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}
