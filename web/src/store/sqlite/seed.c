/* pa_store_seed over SQLite: rows written as given, for the demo and
 * benchmark worlds. */
#include "store/seed.h"

#include "store/sqlite/sq.h"

int pa_store_seed_advertiser(pa_store *db, const char *name, int64_t *id) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO advertisers (name) VALUES (?1) RETURNING id");
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_text(st, 1, name), "add advertiser", id, NULL);
}

int pa_store_seed_campaign(pa_store *db, int64_t advertiser_id, const char *name, int64_t *id) {
  sqlite3_stmt *st =
      pa_sq_stmt(db, "INSERT INTO campaigns (advertiser_id, name) VALUES (?1, ?2) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, advertiser_id);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 2, name);
  return pa_sq_run(db, st, rc, "add campaign", id, NULL);
}

int pa_store_seed_login(pa_store *db, int64_t user_id, const char *email, const char *pw_hash) {
  sqlite3_stmt *st = pa_sq_stmt(db, "UPDATE users SET email = ?2, pw_hash = ?3 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, user_id);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 2, email);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, pw_hash);
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

int pa_store_seed_comment_add(pa_store *db, const pa_store_seed_comment *c, int64_t *id) {
  sqlite3_stmt *st =
      pa_sq_stmt(db, "INSERT INTO comments (post_id, author_id, parent_id, body, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, c->post_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, c->author_id);
  if (rc == SQLITE_OK)
    rc = c->parent_id ? sqlite3_bind_int64(st, 3, c->parent_id) : sqlite3_bind_null(st, 3);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 4, c->body);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, c->created_at);
  return pa_sq_run(db, st, rc, "add comment", id, NULL);
}

int pa_store_seed_story_add(pa_store *db, const pa_store_seed_story *s) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO stories (owner_id, pet_id, media, created_at,"
                                    " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, s->owner_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, s->pet_id);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, s->media);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, s->created_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, s->expires_at);
  return pa_sq_run(db, st, rc, "add story", NULL, NULL);
}

int pa_store_seed_reel_add(pa_store *db, const pa_store_seed_reel *r) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO reels (author_id, pet_id, video, video_alt,"
                                    " poster, caption, created_at)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, r->author_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, r->pet_id);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, r->video);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 4, r->video_alt);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 5, r->poster);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 6, r->caption);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, r->created_at);
  return pa_sq_run(db, st, rc, "add reel", NULL, NULL);
}

int pa_store_seed_last_user(pa_store *db, int64_t *id) {
  return pa_sq_scalar_i64(db, "SELECT coalesce(max(id), 0) FROM users", 0, NULL, id);
}

int pa_store_seed_session_add(pa_store *db, const pa_store_seed_session *s) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO sessions (user_id, token_hash, csrf, created_at,"
                                    " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, s->user_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob(st, 2, s->token_hash, PA_STORE_SEED_TOKEN_HASH, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, s->csrf);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, s->created_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, s->expires_at);
  return pa_sq_run(db, st, rc, "add session", NULL, NULL);
}

int pa_store_seed_device_add(pa_store *db, const pa_store_seed_device *d, int64_t *id) {
  sqlite3_stmt *st =
      pa_sq_stmt(db, "INSERT INTO chat_devices (user_id, identity, spk, spk_id, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, d->user_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob(st, 2, d->identity, PA_STORE_SEED_IDENTITY, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_blob(st, 3, d->spk, PA_STORE_SEED_SPK, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, d->spk_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, d->created_at);
  return pa_sq_run(db, st, rc, "add chat device", id, NULL);
}
