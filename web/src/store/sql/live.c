/* pa_store_live: live streams, their comments and blocks (store/live.h). */
#include "store/live.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <stdio.h>
#include <string.h>

#define LIVE_COLS                                                                                  \
  "SELECT l.id, l.user_id, l.pet_id, l.title, l.state, l.instance, l.room, l.feed,"                \
  "       l.room_secret, l.created_at, l.started_at, l.seen_at, l.ended_at, l.end_reason,"         \
  "       l.keep, l.replay_state, l.reel_id, l.viewers_peak, l.hearts, l.comments,"                \
  "       " PA_SQ_PERSON_COLS(                                                                     \
      "u",                                                                                         \
      "um") ", t.id, t.name, t.species, t.avatar, tm.ext"                                          \
            "  FROM lives l JOIN users u ON u.id = l.user_id JOIN pets t ON t.id = l.pet_id"       \
            "  LEFT JOIN media um ON um.hash = u.avatar LEFT JOIN media tm ON tm.hash = t.avatar"

typedef struct walk_ctx {
  pa_store_live_fn fn;
  void *ctx;
  int rows;
} walk_ctx;

static int live_row(void *arg, pa_sql_stmt *st) {
  walk_ctx *w = arg;
  pa_store_live l = {
      .id = pa_sq_i64(st, 0),
      .user_id = pa_sq_i64(st, 1),
      .pet_id = pa_sq_i64(st, 2),
      .title = pa_sq_text(st, 3),
      .state = pa_sq_text(st, 4),
      .instance = pa_sq_text(st, 5),
      .room = pa_sq_i64(st, 6),
      .feed = pa_sq_i64(st, 7),
      .room_secret = pa_sq_text(st, 8),
      .created_at = pa_sq_i64(st, 9),
      .started_at = pa_sq_i64(st, 10),
      .seen_at = pa_sq_i64(st, 11),
      .ended_at = pa_sq_i64(st, 12),
      .end_reason = pa_sq_null(st, 13) ? NULL : pa_sq_text(st, 13),
      .keep = pa_sq_i64(st, 14) != 0,
      .replay_state = pa_sq_text(st, 15),
      .reel_id = pa_sq_i64(st, 16),
      .viewers_peak = pa_sq_i64(st, 17),
      .hearts = pa_sq_i64(st, 18),
      .comments = pa_sq_i64(st, 19),
  };
  pa_sq_person(st, 20, &l.author);
  pa_sq_pet_ref(st, 25, &l.pet);
  w->rows++;
  return w->fn(w->ctx, &l);
}

static int walk(pa_store *db, pa_sql_stmt *st, int bind_rc, pa_store_live_fn fn, void *ctx,
                int *rows, const char *what) {
  walk_ctx w = {fn, ctx, 0};
  int rc = pa_sq_each(db, st, bind_rc, live_row, &w, what);
  if (rows) *rows = w.rows;
  return rc;
}

int pa_store_live_create(pa_store *db, const pa_store_new_live *l, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO lives (user_id, pet_id, title, instance, room,"
                                   " room_secret, feed, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, l->user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, l->pet_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, l->title ? l->title : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, l->instance);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, l->room);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, l->room_secret);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, l->feed);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, l->created_at);
  return pa_sq_run(db, st, rc, "live create", id, NULL);
}

int pa_store_live_get(pa_store *db, int64_t id, pa_store_live_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, LIVE_COLS " WHERE l.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rows = 0, rc = walk(db, st, pa_sq_bind_i64(st, 1, id), fn, ctx, &rows, "live");
  return rc == PA_STORE_OK && rows == 0 ? PA_STORE_ENOTFOUND : rc;
}

/* The live aliased l (its person u) is visible to viewer (a parameter). */
#define LIVE_VISIBLE(viewer)                                                                       \
  PA_SQ_POSTS_VISIBLE("u", viewer) " AND (l.state <> 'starting' OR l.user_id = " viewer ")"

int pa_store_live_visible(pa_store *db, int64_t id, int64_t viewer) {
  int64_t a[2] = {id, viewer}, one;
  return pa_sq_scalar_i64(db,
                          "SELECT 1 FROM lives l JOIN users u ON u.id = l.user_id"
                          " WHERE l.id = ?1 AND " LIVE_VISIBLE("?2"),
                          2, a, &one);
}

int pa_store_live_active_of_user(pa_store *db, int64_t user, int64_t *id) {
  return pa_sq_scalar_i64(db, "SELECT id FROM lives WHERE user_id = ?1 AND state <> 'ended'", 1,
                          &user, id);
}

int pa_store_live_on_air(pa_store *db, int64_t id, int64_t feed, int64_t now, int *first) {
  int64_t a[3] = {id, feed, now};
  int changed = 0;
  *first = 0;
  /* First the move out of starting (only one caller can win it), then the
   * sighting of a live already on air. */
  int rc = pa_sq_exec_i64(db,
                          "UPDATE lives SET state = 'live', started_at = ?3, seen_at = ?3"
                          " WHERE id = ?1 AND feed = ?2 AND state = 'starting'",
                          3, a, &changed);
  if (rc != PA_STORE_OK) return rc;
  if (changed) {
    *first = 1;
    return PA_STORE_OK;
  }
  rc = pa_sq_exec_i64(
      db, "UPDATE lives SET seen_at = ?3 WHERE id = ?1 AND feed = ?2 AND state = 'live'", 3, a,
      &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_set_feed(pa_store *db, int64_t id, int64_t feed) {
  int64_t a[2] = {id, feed};
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "UPDATE lives SET feed = ?2 WHERE id = ?1 AND state <> 'ended'", 2, a,
                          &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_seen(pa_store *db, int64_t id, int64_t now) {
  int64_t a[2] = {id, now};
  return pa_sq_exec_i64(db, "UPDATE lives SET seen_at = ?2 WHERE id = ?1 AND state <> 'ended'", 2,
                        a, NULL);
}

int pa_store_live_end(pa_store *db, int64_t id, const char *reason, int keep, int64_t now) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE lives SET state = 'ended', ended_at = ?2, end_reason = ?3, keep = ?4,"
                     " replay_state = CASE WHEN ?4 = 1 THEN 'pending' ELSE 'none' END"
                     " WHERE id = ?1 AND state <> 'ended'");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, id);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, now);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, reason);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, keep ? 1 : 0);
  int changed = 0;
  int rc = pa_sq_run(db, st, b, "live end", NULL, &changed);
  if (rc != PA_STORE_OK || changed) return rc;
  int64_t n = 0;
  rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM lives WHERE id = ?1", 1, &id, &n);
  if (rc != PA_STORE_OK) return rc;
  return n ? PA_STORE_ECONFLICT : PA_STORE_ENOTFOUND;
}

int pa_store_live_active_list(pa_store *db, pa_store_live_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, LIVE_COLS " WHERE l.state <> 'ended' ORDER BY l.created_at DESC, l.id DESC");
  if (!st) return PA_STORE_EDB;
  return walk(db, st, PA_SQ_OK, fn, ctx, NULL, "lives");
}

int pa_store_live_instance_load(pa_store *db, const char *const *names, int n, int *counts) {
  for (int i = 0; i < n; i++) {
    pa_sql_stmt *st =
        pa_sq_stmt(db, "SELECT count(*) FROM lives WHERE instance = ?1 AND state <> 'ended'");
    if (!st) return PA_STORE_EDB;
    int rc = pa_sq_bind_text(st, 1, names[i]);
    int64_t c = 0;
    if (rc == PA_SQ_OK && (rc = pa_sq_step(st)) == PA_SQ_ROW) c = pa_sq_i64(st, 0);
    pa_sq_done(st);
    if (rc != PA_SQ_ROW) return pa_sq_fail(db, "live instance load");
    counts[i] = (int)c;
  }
  return PA_STORE_OK;
}

#define COMMENT_COLS                                                                               \
  "SELECT c.id, c.live_id, c.created_at, c.text, " PA_SQ_PERSON_COLS(                              \
      "u", "um") "  FROM live_comments c JOIN users u ON u.id = c.user_id"                         \
                 "  LEFT JOIN media um ON um.hash = u.avatar"

typedef struct comment_ctx {
  pa_store_live_comment_fn fn;
  void *ctx;
  int rows;
} comment_ctx;

static int comment_row(void *arg, pa_sql_stmt *st) {
  comment_ctx *w = arg;
  pa_store_live_comment c = {.id = pa_sq_i64(st, 0),
                             .live_id = pa_sq_i64(st, 1),
                             .created_at = pa_sq_i64(st, 2),
                             .text = pa_sq_text(st, 3)};
  pa_sq_person(st, 4, &c.author);
  w->rows++;
  return w->fn(w->ctx, &c);
}

int pa_store_live_comment_add(pa_store *db, int64_t live, int64_t user, const char *text,
                              int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO live_comments (live_id, user_id, text, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, live);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, text);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  rc = pa_sq_run(db, st, rc, "live comment", id, NULL);
  if (rc != PA_STORE_OK) return rc;
  return pa_sq_exec_i64(db, "UPDATE lives SET comments = comments + 1 WHERE id = ?1", 1, &live,
                        NULL);
}

int pa_store_live_comment_remove(pa_store *db, int64_t live, int64_t comment, int64_t by,
                                 int64_t now) {
  int64_t a[4] = {live, comment, by, now};
  int changed = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE live_comments SET removed_at = ?4, removed_by = ?3"
                          " WHERE id = ?2 AND live_id = ?1 AND removed_at IS NULL",
                          4, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_comments_recent(pa_store *db, int64_t live, int limit,
                                  pa_store_live_comment_fn fn, void *ctx) {
  /* The newest limit, turned oldest first. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT * FROM (" COMMENT_COLS " WHERE c.live_id = ?1 AND c.removed_at IS NULL"
                     " ORDER BY c.id DESC LIMIT ?2) recent ORDER BY 1");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {live, limit};
  comment_ctx w = {fn, ctx, 0};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), comment_row, &w, "live comments");
}

int pa_store_live_comment_get(pa_store *db, int64_t comment, pa_store_live_comment_fn fn,
                              void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, COMMENT_COLS " WHERE c.id = ?1");
  if (!st) return PA_STORE_EDB;
  comment_ctx w = {fn, ctx, 0};
  int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, comment), comment_row, &w, "live comment");
  return rc == PA_STORE_OK && w.rows == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_block_add(pa_store *db, int64_t live, int64_t user, int64_t now) {
  int64_t a[3] = {live, user, now};
  return pa_sq_exec_i64(db,
                        "INSERT INTO live_blocks (live_id, user_id, created_at) VALUES (?1, ?2, ?3)"
                        " ON CONFLICT DO NOTHING",
                        3, a, NULL);
}

int pa_store_live_is_blocked(pa_store *db, int64_t live, int64_t user) {
  int64_t a[2] = {live, user}, one;
  int rc = pa_sq_scalar_i64(db, "SELECT 1 FROM live_blocks WHERE live_id = ?1 AND user_id = ?2", 2,
                            a, &one);
  return rc == PA_STORE_OK ? 1 : rc == PA_STORE_ENOTFOUND ? 0 : rc;
}

int pa_store_live_hearts_add(pa_store *db, int64_t live, int64_t n) {
  int64_t a[2] = {live, n};
  return pa_sq_exec_i64(db, "UPDATE lives SET hearts = hearts + ?2 WHERE id = ?1", 2, a, NULL);
}

int pa_store_live_viewers_peak(pa_store *db, int64_t live, int64_t n) {
  int64_t a[2] = {live, n};
  return pa_sq_exec_i64(
      db, "UPDATE lives SET viewers_peak = ?2 WHERE id = ?1 AND viewers_peak < ?2", 2, a, NULL);
}

int pa_store_live_replay_state(pa_store *db, int64_t live, const char *state) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE lives SET replay_state = ?2 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, live);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, state);
  int changed = 0;
  int rc = pa_sq_run(db, st, b, "live replay state", NULL, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_replay_done(pa_store *db, int64_t live, int64_t reel) {
  int64_t a[2] = {live, reel};
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "UPDATE lives SET replay_state = 'ready', reel_id = ?2 WHERE id = ?1",
                          2, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_live_replays_pending(pa_store *db, pa_store_live_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, LIVE_COLS " WHERE l.state = 'ended'"
                                             " AND l.replay_state IN ('pending', 'processing')"
                                             " ORDER BY l.ended_at, l.id");
  if (!st) return PA_STORE_EDB;
  return walk(db, st, PA_SQ_OK, fn, ctx, NULL, "live replays");
}

/* ?1 the viewer: the people and pets they follow, and themselves. */
#define FOLLOWED                                                                                   \
  "(l.user_id = ?1 OR EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1"                    \
  " AND f.followee_id = l.user_id) OR EXISTS (SELECT 1 FROM pet_follows pf"                        \
  " WHERE pf.follower_id = ?1 AND pf.pet_id = l.pet_id))"

int pa_store_live_tray(pa_store *db, int64_t viewer, pa_store_live_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, LIVE_COLS " WHERE l.state = 'live'"
                               " AND " LIVE_VISIBLE("?1") " AND " FOLLOWED
                                                          " ORDER BY l.started_at DESC, l.id DESC");
  if (!st) return PA_STORE_EDB;
  return walk(db, st, pa_sq_bind_i64(st, 1, viewer), fn, ctx, NULL, "live tray");
}

int pa_store_live_notify_followers(pa_store *db, int64_t live, const char *detail, int64_t now,
                                   int *sent) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "INSERT INTO notices (user_id, kind, actor_id, pet_id, detail, created_at)"
      " SELECT w.id, 'live', l.user_id, l.pet_id, ?2, ?3"
      "  FROM lives l JOIN users w ON w.id <> l.user_id"
      " WHERE l.id = ?1"
      "   AND (EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = w.id"
      "                 AND f.followee_id = l.user_id)"
      "     OR EXISTS (SELECT 1 FROM pet_follows pf WHERE pf.follower_id = w.id"
      "                 AND pf.pet_id = l.pet_id))"
      "   AND " PA_SQ_NOT_BLOCKED(
          "w.id", "l.user_id") "   AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.user_id = w.id"
                               "     AND n.kind = 'live' AND n.detail = ?2)");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, live);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, detail);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, now);
  int changed = 0;
  int rc = pa_sq_run(db, st, b, "live notices", NULL, &changed);
  if (sent) *sent = changed;
  return rc;
}
