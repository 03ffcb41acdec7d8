/* pa_store_reels: reels. */
#include "store/reels.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#define AUTHOR PA_SQ_PERSON_COLS("u", "um")
/* Every read leaves out the reels the viewer (?4) may not see, as for posts
 * (store/sql/visible.h): blocks either way, a private account the viewer
 * does not follow, one a moderator hid (but to its author). */
#define VISIBLE                                                                                    \
  " AND " PA_SQ_POSTS_VISIBLE("u", "?4") " AND " PA_SQ_ITEM_SHOWN("r", "r.author_id", "?4")
#define REEL_COLS                                                                                  \
  "SELECT r.id, r.created_at, r.caption, " AUTHOR ","                                              \
  "       t.id, t.name, t.species, t.avatar, tm.ext,"                                              \
  "       v.hash, v.ext, v.width, v.height, pm.hash, pm.ext, pm.width, pm.height,"                 \
  "       va.hash, va.ext, va.width, va.height, r.mod_state,"                                      \
  "       CASE WHEN r.kind = 'replay' THEN r.live_id END, r.duration_ms"                           \
  "  FROM reels r JOIN users u ON u.id = r.author_id JOIN pets t ON t.id = r.pet_id"               \
  "  JOIN media v ON v.hash = r.video JOIN media pm ON pm.hash = r.poster"                         \
  "  LEFT JOIN media va ON va.hash = r.video_alt"                                                  \
  "  LEFT JOIN media um ON um.hash = u.avatar LEFT JOIN media tm ON tm.hash = t.avatar"

static pa_store_media_ref media_ref(pa_sql_stmt *st, int c) {
  return (pa_store_media_ref){pa_sq_text(st, c), pa_sq_text(st, c + 1), (int)pa_sq_i64(st, c + 2),
                              (int)pa_sq_i64(st, c + 3)};
}

typedef struct reel_walk {
  pa_store_reel_fn fn;
  void *ctx;
  int rows;
} reel_walk;

static int reel_row(void *ctx, pa_sql_stmt *st) {
  reel_walk *w = ctx;
  pa_store_reel r = {
      .id = pa_sq_i64(st, 0),
      .created_at = pa_sq_i64(st, 1),
      .caption = pa_sq_text(st, 2),
      .video = media_ref(st, 13),
      .poster = media_ref(st, 17),
      .video_alt = media_ref(st, 21),
      .hidden = pa_sq_i64(st, 25) == PA_STORE_MOD_HIDDEN,
      .replay_live = pa_sq_i64(st, 26),
      .duration_ms = pa_sq_i64(st, 27),
  };
  pa_sq_person(st, 3, &r.author);
  pa_sq_pet_ref(st, 8, &r.pet);
  w->rows++;
  return w->fn(w->ctx, &r);
}

int pa_store_reels_list(pa_store *db, int64_t viewer, const pa_store_cursor *after, int limit,
                        pa_store_reel_fn fn, void *ctx, pa_store_cursor *next, int *more) {
  /* The reels are a feed: the viewer's mutes leave it too (store/sql/feed.c). */
  pa_sql_stmt *st = pa_sq_stmt(
      db, REEL_COLS " WHERE (r.created_at, r.id) < (?1, ?2)" VISIBLE " AND " PA_SQ_NOT_MUTED(
              "?4", "r.author_id") " AND r.campaign_id IS NULL ORDER BY r.created_at DESC, r.id "
                                   "DESC LIMIT ?3");
  *more = 0;
  if (!st) return PA_STORE_EDB;
  if (pa_sq_bind_page(st, 1, after, limit) != PA_SQ_OK ||
      pa_sq_bind_i64(st, 4, viewer) != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "reels");
  }
  reel_walk w = {fn, ctx, 0};
  return pa_sq_page(db, st, limit, reel_row, &w, 1, 0, next, more, "reels");
}

int pa_store_reels_get(pa_store *db, int64_t id, int64_t viewer, pa_store_reel_fn fn, void *ctx) {
  /* ?2 ?3 unused: the viewer keeps the list's number. */
  pa_sql_stmt *st = pa_sq_stmt(db, REEL_COLS " WHERE r.id = ?1 AND ?2 = ?3" VISIBLE);
  if (!st) return PA_STORE_EDB;
  int64_t a[4] = {id, 0, 0, viewer};
  if (pa_sq_bind_i64s(st, 4, a) != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "reel");
  }
  reel_walk w = {fn, ctx, 0};
  pa_store_cursor next;
  int more, rc = pa_sq_page(db, st, 1, reel_row, &w, 1, 0, &next, &more, "reel");
  return rc == PA_STORE_OK && w.rows == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_reels_add(pa_store *db, const pa_store_new_reel *r, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at,"
      " video_alt, campaign_id, kind, live_id, duration_ms)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
      " CASE WHEN CAST(?9 AS BIGINT) IS NULL THEN 'reel' ELSE 'replay' END, ?9, ?10) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, r->author_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, r->pet_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, r->video);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, r->poster);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, r->caption ? r->caption : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, r->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, r->video_alt);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 8, r->campaign_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 9, r->replay_live);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 10, r->duration_ms);
  return pa_sq_run(db, st, rc, "add reel", id, NULL);
}

int pa_store_reels_owner(pa_store *db, int64_t id, int64_t *owner) {
  return pa_sq_scalar_i64(db, "SELECT author_id FROM reels WHERE id = ?1", 1, &id, owner);
}

int pa_store_reels_set_hidden(pa_store *db, int64_t id, int hidden) {
  int64_t a[2] = {id, hidden ? PA_STORE_MOD_HIDDEN : PA_STORE_MOD_SHOWN};
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "UPDATE reels SET mod_state = ?2 WHERE id = ?1", 2, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_reels_delete(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM reels WHERE id = ?1", 1, &id, NULL);
}
