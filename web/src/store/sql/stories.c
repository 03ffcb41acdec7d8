/* pa_store_stories: stories and who has seen them. */
#include "store/stories.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#define OWNER PA_SQ_PERSON_COLS("u", "um")
/* ?2 the viewer. Every read leaves out the stories the viewer may not see,
 * as for posts (store/sql/visible.h): blocks either way, a private account
 * the viewer does not follow, one a moderator hid (but to its owner). */
#define VISIBLE                                                                                    \
  " AND " PA_SQ_POSTS_VISIBLE("u", "?2") " AND " PA_SQ_ITEM_SHOWN("s", "s.owner_id", "?2")
#define STORY_COLS                                                                                 \
  "SELECT s.id, s.created_at, s.expires_at, m.hash, m.ext, m.width, m.height,"                     \
  "       EXISTS (SELECT 1 FROM story_views v WHERE v.story_id = s.id AND v.user_id = ?2),"        \
  "       t.id, t.name, t.species, t.avatar, tm.ext, " OWNER ", s.mod_state"                       \
  "  FROM stories s JOIN pets t ON t.id = s.pet_id JOIN users u ON u.id = s.owner_id"              \
  "  JOIN media m ON m.hash = s.media"                                                             \
  "  LEFT JOIN media tm ON tm.hash = t.avatar LEFT JOIN media um ON um.hash = u.avatar"

/* Steps st (bound) to its end, calling fn for each row; *rows counts them.
 * Releases st. */
static int walk(pa_store *db, pa_sql_stmt *st, int bind_rc, pa_store_story_fn fn, void *ctx,
                int *rows, const char *what) {
  int rc = bind_rc, out = PA_STORE_OK;
  *rows = 0;
  while (bind_rc == PA_SQ_OK && (rc = pa_sq_step(st)) == PA_SQ_ROW) {
    pa_store_story s = {
        .id = pa_sq_i64(st, 0),
        .created_at = pa_sq_i64(st, 1),
        .expires_at = pa_sq_i64(st, 2),
        .media = {pa_sq_text(st, 3), pa_sq_text(st, 4), (int)pa_sq_i64(st, 5),
                  (int)pa_sq_i64(st, 6)},
        .seen = (int)pa_sq_i64(st, 7) != 0,
        .hidden = pa_sq_i64(st, 18) == PA_STORE_MOD_HIDDEN,
    };
    pa_sq_pet_ref(st, 8, &s.pet);
    pa_sq_person(st, 13, &s.owner);
    ++*rows;
    if (fn(ctx, &s) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what);
      break;
    }
  }
  if (out == PA_STORE_OK && rc != PA_SQ_DONE) out = pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}

int pa_store_stories_tray(pa_store *db, int64_t viewer, int64_t now, int limit,
                          pa_store_story_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, STORY_COLS " WHERE s.expires_at > ?1" VISIBLE
                     /* The tray is a feed: the viewer's mutes
                        leave it too, as in store/sql/feed.c. */
                     " AND " PA_SQ_NOT_MUTED(
                         "?2", "s.owner_id") " ORDER BY s.pet_id, s.created_at, s.id LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int64_t a[3] = {now, viewer, limit};
  int rows;
  return walk(db, st, pa_sq_bind_i64s(st, 3, a), fn, ctx, &rows, "stories");
}

int pa_store_stories_get(pa_store *db, int64_t id, int64_t viewer, pa_store_story_fn fn,
                         void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, STORY_COLS " WHERE s.id = ?1" VISIBLE);
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {id, viewer};
  int rows, rc = walk(db, st, pa_sq_bind_i64s(st, 2, a), fn, ctx, &rows, "story");
  return rc == PA_STORE_OK && rows == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_stories_add(pa_store *db, int64_t owner, int64_t pet, const char *media_hash,
                         int64_t created_at, int64_t expires_at, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO stories (owner_id, pet_id, media, created_at,"
                                   " expires_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, owner);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, media_hash);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, expires_at);
  return pa_sq_run(db, st, rc, "add story", id, NULL);
}

int pa_store_stories_live(pa_store *db, int64_t id, int64_t viewer, int64_t now) {
  int64_t a[3] = {id, now, viewer}, one;
  return pa_sq_scalar_i64(db,
                          "SELECT 1 FROM stories s JOIN users u ON u.id = s.owner_id"
                          " WHERE s.id = ?1 AND s.expires_at > ?2 AND " PA_SQ_POSTS_VISIBLE(
                              "u", "?3") " AND " PA_SQ_ITEM_SHOWN("s", "s.owner_id", "?3"),
                          3, a, &one);
}

int pa_store_stories_see(pa_store *db, int64_t id, int64_t viewer) {
  int64_t a[2] = {id, viewer};
  return pa_sq_exec_i64(db,
                        "INSERT INTO story_views (story_id, user_id) VALUES (?1, ?2)"
                        " ON CONFLICT DO NOTHING",
                        2, a, NULL);
}

int pa_store_stories_owner(pa_store *db, int64_t id, int64_t *owner) {
  return pa_sq_scalar_i64(db, "SELECT owner_id FROM stories WHERE id = ?1", 1, &id, owner);
}

int pa_store_stories_set_hidden(pa_store *db, int64_t id, int hidden) {
  int64_t a[2] = {id, hidden ? PA_STORE_MOD_HIDDEN : PA_STORE_MOD_SHOWN};
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "UPDATE stories SET mod_state = ?2 WHERE id = ?1", 2, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_stories_delete(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM stories WHERE id = ?1", 1, &id, NULL);
}

int pa_store_stories_expire(pa_store *db, int64_t before) {
  return pa_sq_exec_i64(db, "DELETE FROM stories WHERE expires_at <= ?1", 1, &before, NULL);
}
