/* pa_store_totp: two-step sign-in's rows. */
#include "store/totp.h"

#include "store/sql/sql.h"

#include <string.h>

int pa_store_totp_get(pa_store *db, int64_t user, pa_store_totp *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT secret, sealed, enabled_at, last_step FROM user_totp"
                                   " WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int res = PA_STORE_OK;
  if (rc == PA_SQ_ROW) {
    size_t n = 0;
    const unsigned char *b = pa_sq_blob(st, 0, &n);
    if (!b || n > sizeof out->secret) {
      res = pa_sq_failf(db, PA_STORE_EDB, "two-step secret of %lld has %zu bytes", (long long)user,
                        n);
    } else {
      memcpy(out->secret, b, n);
      out->secret_len = n;
      out->sealed = (int)pa_sq_i64(st, 1);
      out->enabled_at = pa_sq_null(st, 2) ? 0 : pa_sq_i64(st, 2);
      out->last_step = pa_sq_i64(st, 3);
    }
  } else {
    res = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "two-step");
  }
  pa_sq_done(st);
  return res;
}

int pa_store_totp_setup(pa_store *db, int64_t user, const unsigned char *secret, size_t n,
                        int sealed, int64_t now) {
  int changes = 0;
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO user_totp (user_id, secret, sealed, created_at) VALUES (?1, ?2, ?3, ?4)"
          " ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,"
          " sealed = excluded.sealed, created_at = excluded.created_at, last_step = 0"
          " WHERE user_totp.enabled_at IS NULL");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, secret, n);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, sealed);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  rc = pa_sq_run(db, st, rc, "two-step setup", NULL, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ECONFLICT : rc;
}

int pa_store_totp_enable(pa_store *db, int64_t user, int64_t step, int64_t now) {
  int64_t a[3] = {user, step, now};
  int changes = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE user_totp SET enabled_at = ?3, last_step = ?2 WHERE user_id = ?1"
                          " AND enabled_at IS NULL AND last_step < ?2",
                          3, a, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ECONFLICT : rc;
}

int pa_store_totp_use_step(pa_store *db, int64_t user, int64_t step) {
  int64_t a[2] = {user, step};
  int changes = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE user_totp SET last_step = ?2 WHERE user_id = ?1"
                          " AND enabled_at IS NOT NULL AND last_step < ?2",
                          2, a, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ECONFLICT : rc;
}

int pa_store_totp_delete(pa_store *db, int64_t user) {
  int rc = pa_sq_exec_i64(db, "DELETE FROM totp_recovery WHERE user_id = ?1", 1, &user, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db, "DELETE FROM user_totp WHERE user_id = ?1", 1, &user, NULL);
  return rc;
}

int pa_store_totp_recovery_set(pa_store *db, int64_t user, const unsigned char (*hashes)[32],
                               int n) {
  int rc = pa_sq_exec_i64(db, "DELETE FROM totp_recovery WHERE user_id = ?1", 1, &user, NULL);
  for (int i = 0; i < n && rc == PA_STORE_OK; i++) {
    pa_sql_stmt *st =
        pa_sq_stmt(db, "INSERT INTO totp_recovery (user_id, code_hash) VALUES (?1, ?2)");
    if (!st) return PA_STORE_EDB;
    int b = pa_sq_bind_i64(st, 1, user);
    if (b == PA_SQ_OK) b = pa_sq_bind_blob(st, 2, hashes[i], 32);
    rc = pa_sq_run(db, st, b, "recovery code", NULL, NULL);
  }
  return rc;
}

int pa_store_totp_recovery_use(pa_store *db, int64_t user, const unsigned char hash[32],
                               int64_t now) {
  int changes = 0;
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE totp_recovery SET used_at = ?3"
                                   " WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, hash, 32);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  rc = pa_sq_run(db, st, rc, "recovery code", NULL, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_totp_recovery_left(pa_store *db, int64_t user, int64_t *n) {
  return pa_sq_scalar_i64(
      db, "SELECT count(*) FROM totp_recovery WHERE user_id = ?1 AND used_at IS NULL", 1, &user, n);
}
