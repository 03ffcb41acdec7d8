/* pa_store_people: people and their profile pages. */
#include "store/people.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <stdio.h>

int pa_store_people_add(pa_store *db, const pa_store_user *u, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO users (handle, name, bio, avatar, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, u->handle);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, u->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, u->bio ? u->bio : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, u->avatar);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, u->created_at);
  return pa_sq_run(db, st, rc, "add user", id, NULL);
}

int pa_store_people_exists(pa_store *db, int64_t user) {
  int64_t one;
  return pa_sq_scalar_i64(db, "SELECT 1 FROM users WHERE id = ?1", 1, &user, &one);
}

int pa_store_people_set_avatar(pa_store *db, int64_t user, const char *hash) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE users SET avatar = ?2 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, hash);
  return pa_sq_run(db, st, rc, "change avatar", NULL, NULL);
}

int pa_store_people_edit(pa_store *db, int64_t user, const pa_store_profile_edit *e) {
  /* One statement whatever changes: a NULL parameter keeps the column. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, pa_sq_dialect(db,
                        "UPDATE users SET name = coalesce(?2, name), bio = coalesce(?3, bio),"
                        " links = coalesce(?4, links),"
                        " country = CASE WHEN ?5 IS NULL THEN country WHEN ?5 = '' THEN NULL"
                        "   ELSE ?5 END,"
                        " locale = coalesce(?6, locale) WHERE id = ?1",
                        "UPDATE users SET name = coalesce(?2::text, name), bio = coalesce(?3::text,"
                        " bio), links = coalesce(?4::text, links),"
                        " country = CASE WHEN ?5::text IS NULL THEN country WHEN ?5::text = ''"
                        "   THEN NULL ELSE ?5::text END,"
                        " locale = coalesce(?6::text, locale) WHERE id = ?1"));
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, e->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, e->bio);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, e->links);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, e->country);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, e->locale);
  return pa_sq_run(db, st, rc, "edit profile", NULL, NULL);
}

int pa_store_people_country(pa_store *db, int64_t user, char out[3]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT country FROM users WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "country");
  out[0] = '\0';
  if (rc == PA_SQ_ROW && !pa_sq_null(st, 0)) snprintf(out, 3, "%s", pa_sq_text(st, 0));
  pa_sq_done(st);
  return res;
}

#define PERSON PA_SQ_PERSON_COLS("u", "m")
/* ?1 the user, ?2 the viewer. */
static const char profile_sql[] =
    "SELECT " PERSON ", u.handle, u.bio, u.created_at,"
    "       (SELECT count(*) FROM pets WHERE owner_id = u.id),"
    "       (SELECT count(*) FROM posts WHERE author_id = u.id"
    "         AND (mod_state = 0 OR (mod_state = 1 AND author_id = ?2))"
    "         AND " PA_SQ_NOT_CREATIVE(
        "posts.id") "),"
                    "       (SELECT count(*) FROM follows WHERE followee_id = u.id),"
                    "       (SELECT count(*) FROM follows WHERE follower_id = u.id),"
                    "       EXISTS (SELECT 1 FROM follows WHERE followee_id = u.id AND follower_id "
                    "= ?2),"
                    "       u.links, u.country"
                    "  FROM users u LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1";

int pa_store_people_profile(pa_store *db, int64_t user, int64_t viewer, pa_store_profile_fn fn,
                            void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, profile_sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[2] = {user, viewer};
  int rc = pa_sq_bind_i64s(st, 2, args), out = PA_STORE_OK;
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    pa_store_profile p = {.handle = pa_sq_text(st, 5),
                          .bio = pa_sq_text(st, 6),
                          .created_at = pa_sq_i64(st, 7),
                          .pet_count = pa_sq_i64(st, 8),
                          .post_count = pa_sq_i64(st, 9),
                          .follower_count = pa_sq_i64(st, 10),
                          .following_count = pa_sq_i64(st, 11),
                          .following = (int)pa_sq_i64(st, 12),
                          .links = pa_sq_text(st, 13),
                          .country = pa_sq_null(st, 14) ? NULL : pa_sq_text(st, 14)};
    pa_sq_person(st, 0, &p.person);
    if (fn(ctx, &p) != 0) out = pa_sq_failf(db, PA_STORE_EABORT, "profile: stopped by callback");
  } else {
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "profile");
  }
  pa_sq_done(st);
  return out;
}
