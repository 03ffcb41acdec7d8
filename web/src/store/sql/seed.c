/* pa_store_seed: rows written as given, for the demo and
 * benchmark worlds. */
#include "store/seed.h"

#include "store/sql/sql.h"

int pa_store_seed_advertiser(pa_store *db, const char *name, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO advertisers (name) VALUES (?1) RETURNING id");
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_text(st, 1, name), "add advertiser", id, NULL);
}

int pa_store_seed_campaign(pa_store *db, int64_t advertiser_id, const char *name, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO campaigns (advertiser_id, name) VALUES (?1, ?2) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, advertiser_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  return pa_sq_run(db, st, rc, "add campaign", id, NULL);
}

int pa_store_seed_login(pa_store *db, int64_t user_id, const char *email, const char *pw_hash) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE users SET email = ?2, pw_hash = ?3 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, email);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, pw_hash);
  return pa_sq_run(db, st, rc, "set login", NULL, NULL);
}

/* Runs a three-integer insert; *added says whether it wrote a row. */
static int insert3(pa_store *db, const char *sql, int64_t a, int64_t b, int64_t c, int *added) {
  int64_t args[3] = {a, b, c};
  int n = 0, rc = pa_sq_exec_i64(db, sql, 3, args, &n);
  if (added) *added = n > 0;
  return rc;
}

int pa_store_seed_like(pa_store *db, int64_t post_id, int64_t user_id, int64_t created_at,
                       int *added) {
  return insert3(db,
                 "INSERT INTO likes (post_id, user_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 post_id, user_id, created_at, added);
}

int pa_store_seed_follow(pa_store *db, int64_t follower_id, int64_t followee_id, int64_t created_at,
                         int *added) {
  return insert3(db,
                 "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 follower_id, followee_id, created_at, added);
}

int pa_store_seed_pet_follow(pa_store *db, int64_t follower_id, int64_t pet_id, int64_t created_at,
                             int *added) {
  return insert3(db,
                 "INSERT INTO pet_follows (follower_id, pet_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 follower_id, pet_id, created_at, added);
}

int pa_store_seed_last_user(pa_store *db, int64_t *id) {
  return pa_sq_scalar_i64(db, "SELECT coalesce(max(id), 0) FROM users", 0, NULL, id);
}
