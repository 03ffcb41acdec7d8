/* pa_store_notifications. */
#include "store/notifications.h"

#include "store/sql/sql.h"

/* ?1 the user, ?2 ?3 the cursor, ?4 the row limit. */
static const char list_sql[] =
    "SELECT n.id, n.kind, n.created_at, n.read, n.post_id, n.comment_id,"
    "       a.id, a.name, a.avatar, am.ext,"
    "       t.id, t.name, t.species, t.avatar, tm.ext"
    "  FROM notifications n JOIN users a ON a.id = n.actor_id"
    "  LEFT JOIN media am ON am.hash = a.avatar"
    "  LEFT JOIN pets t ON t.id = n.pet_id LEFT JOIN media tm ON tm.hash = t.avatar"
    " WHERE n.user_id = ?1 AND (n.created_at, n.id) < (?2, ?3)"
    " ORDER BY n.created_at DESC, n.id DESC LIMIT ?4";

typedef struct walk {
  pa_store_notification_fn fn;
  void *ctx;
} walk;

static int row(void *ctx, pa_sql_stmt *st) {
  const walk *w = ctx;
  /* NULL ids (no post, comment or pet) read as 0. */
  pa_store_notification n = {
      .id = pa_sq_i64(st, 0),
      .kind = pa_sq_text(st, 1),
      .created_at = pa_sq_i64(st, 2),
      .read = (int)pa_sq_i64(st, 3) != 0,
      .post_id = pa_sq_i64(st, 4),
      .comment_id = pa_sq_i64(st, 5),
  };
  pa_sq_person(st, 6, &n.actor);
  pa_sq_pet_ref(st, 10, &n.pet);
  return w->fn(w->ctx, &n);
}

int pa_store_notifications_list(pa_store *db, int64_t user, const pa_store_cursor *after, int limit,
                                pa_store_notification_fn fn, void *ctx, pa_store_cursor *next,
                                int *more) {
  pa_sql_stmt *st = pa_sq_stmt(db, list_sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "notifications");
  }
  walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, row, &w, 2, 0, next, more, "notifications");
}

int pa_store_notifications_unread(pa_store *db, int64_t user, int64_t *count) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read = 0",
                          1, &user, count);
}

int pa_store_notifications_mark_read(pa_store *db, int64_t user, int64_t up_to) {
  int64_t a[2] = {user, up_to};
  return pa_sq_exec_i64(db,
                        "UPDATE notifications SET read = 1 WHERE user_id = ?1 AND read = 0"
                        " AND (?2 = 0 OR id <= ?2)",
                        2, a, NULL);
}
