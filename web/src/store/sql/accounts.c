/* pa_store_accounts: accounts and their credentials. */
#include "store/accounts.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

int pa_store_accounts_add(pa_store *db, const pa_store_new_account *a, int64_t *id) {
  /* DO NOTHING rather than a failed statement: PostgreSQL would abort the
   * whole transaction on the error, and signup tries handles until one is free. */
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO users (handle, name, email, pw_hash, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"
                                   " RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, a->handle);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, a->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, a->email);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, a->pw_hash);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, a->created_at);
  int64_t new_id = 0;
  int out = pa_sq_run(db, st, rc, "add account", &new_id, NULL);
  if (out != PA_STORE_OK) return out;
  if (!new_id) return pa_sq_failf(db, PA_STORE_ECONFLICT, "add account: handle or email taken");
  if (id) *id = new_id;
  return PA_STORE_OK;
}

/* Steps st (columns id, pw_hash, email, locale) for one row into out (optional). */
static int credentials(pa_store *db, pa_sql_stmt *st, int bind_rc, pa_store_credentials *out) {
  int rc = bind_rc == PA_SQ_OK ? pa_sq_step(st) : bind_rc;
  if (rc == PA_SQ_ROW && out) {
    const char *hash = pa_sq_text(st, 1), *email = pa_sq_text(st, 2);
    out->id = pa_sq_i64(st, 0);
    const char *locale = pa_sq_text(st, 3);
    snprintf(out->email, sizeof out->email, "%s", email ? email : "");
    snprintf(out->locale, sizeof out->locale, "%s", locale ? locale : "");
    /* A hash too long to be one we made signs nobody in. */
    out->pw_hash[0] = '\0';
    if (hash && strlen(hash) < sizeof out->pw_hash) memcpy(out->pw_hash, hash, strlen(hash) + 1);
  }
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "credentials");
  pa_sq_done(st);
  return res;
}

int pa_store_accounts_find(pa_store *db, const char *email, pa_store_credentials *out) {
  pa_sql_stmt *st =
      /* Email is matched ignoring ASCII case, through each schema's unique index. */
      pa_sq_stmt(
          db,
          pa_sq_dialect(
              db, "SELECT id, pw_hash, email, locale FROM users WHERE email = ?1 COLLATE NOCASE",
              "SELECT id, pw_hash, email, locale FROM users WHERE lower(email) = lower(?1::text "
              "COLLATE \"C\")"));
  if (!st) return PA_STORE_EDB;
  return credentials(db, st, pa_sq_bind_text(st, 1, email), out);
}

int pa_store_accounts_credentials(pa_store *db, int64_t id, pa_store_credentials *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, pw_hash, email, locale FROM users WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  return credentials(db, st, pa_sq_bind_i64(st, 1, id), out);
}

#define PERSON PA_SQ_PERSON_COLS("u", "m")

int pa_store_accounts_get(pa_store *db, int64_t id, pa_store_account_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT " PERSON ", u.handle, u.email, u.created_at, " PA_SQ_ROLE_MASK(
              "u.id") ", u.bio, u.links, u.country, u.locale"
                      " FROM users u LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : PA_STORE_OK;
  if (rc == PA_SQ_ROW) {
    pa_store_account a = {.handle = pa_sq_text(st, 5),
                          .email = pa_sq_text(st, 6),
                          .created_at = pa_sq_i64(st, 7),
                          .roles = (int)pa_sq_i64(st, 8),
                          .bio = pa_sq_text(st, 9),
                          .links = pa_sq_text(st, 10),
                          .country = pa_sq_null(st, 11) ? NULL : pa_sq_text(st, 11),
                          .locale = pa_sq_text(st, 12)};
    pa_sq_person(st, 0, &a.person);
    if (fn(ctx, &a) != 0) out = pa_sq_failf(db, PA_STORE_EABORT, "account: stopped by callback");
  } else if (rc != PA_SQ_DONE) {
    out = pa_sq_fail(db, "account");
  }
  pa_sq_done(st);
  return out;
}

int pa_store_accounts_set_password(pa_store *db, int64_t id, const char *pw_hash) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE users SET pw_hash = ?2 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, pw_hash);
  return pa_sq_run(db, st, rc, "set password", NULL, NULL);
}

int pa_store_accounts_set_email(pa_store *db, int64_t id, const char *email) {
  /* The check first, then the write, both inside the caller's transaction;
   * the unique index still has the last word (a race ends in ECONFLICT). */
  pa_store_credentials other;
  int rc = pa_store_accounts_find(db, email, &other);
  if (rc == PA_STORE_OK && other.id != id)
    return pa_sq_failf(db, PA_STORE_ECONFLICT, "change email: taken");
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE users SET email = ?2 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, email);
  return pa_sq_run(db, st, rc, "change email", NULL, NULL);
}

int pa_store_accounts_delete(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM users WHERE id = ?1", 1, &id, NULL);
}
