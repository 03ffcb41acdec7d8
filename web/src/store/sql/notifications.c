/* pa_store_notifications. */
#include "store/notifications.h"

#include "store/sql/sql.h"

/* The list merges two tables at read time, newest first: notifications
 * (likes, comments, replies, follows) and notices (what the server told the
 * person). One order must run through both so a cursor lands between any two
 * rows: (time, key) descending, where the key is the row's id doubled, plus
 * one for a notice — unique across the two (ids are below 2^62), and the
 * cursor's id is that key. Each side is cut at the cursor and the row limit
 * on its own index first (user, time), so a page never sorts more than twice
 * the limit. ?1 the user, ?2 ?3 the cursor (time, key), ?4 the row limit. */
#define PERSON_AND_PET                                                                             \
  "           a.id AS a_id, a.name AS a_name, a.avatar AS a_avatar, am.ext AS a_ext,"              \
  "           a.plus_until AS a_plus, t.id AS t_id, t.name AS t_name, t.species AS t_species,"     \
  "           t.avatar AS t_avatar, tm.ext AS t_ext"
#define PET_JOIN                                                                                   \
  "      LEFT JOIN pets t ON t.id = n.pet_id LEFT JOIN media tm ON tm.hash = t.avatar"
static const char list_sql[] =
    "SELECT k, kind, at, read, post_id, comment_id, a_id, a_name, a_avatar, a_ext, a_plus,"
    "       t_id, t_name, t_species, t_avatar, t_ext, detail FROM ("
    "  SELECT * FROM ("
    "    SELECT n.id * 2 AS k, n.kind AS kind, n.created_at AS at, n.read AS read,"
    "           n.post_id AS post_id, n.comment_id AS comment_id," PERSON_AND_PET ","
    "           CAST('{}' AS TEXT) AS detail"
    "      FROM notifications n JOIN users a ON a.id = n.actor_id"
    "      LEFT JOIN media am ON am.hash = a.avatar" PET_JOIN
    "     WHERE n.user_id = ?1 AND n.created_at <= ?2 AND (n.created_at, n.id * 2) < (?2, ?3)"
    "     ORDER BY n.created_at DESC, n.id DESC LIMIT ?4) AS social"
    "  UNION ALL"
    "  SELECT * FROM ("
    /* The comment id is typed: PostgreSQL makes an untyped NULL text inside the subquery. */
    "    SELECT n.id * 2 + 1, n.kind, n.created_at, n.read, n.post_id, CAST(NULL AS "
    "BIGINT)," PERSON_AND_PET ", n.detail"
    "      FROM notices n LEFT JOIN users a ON a.id = n.actor_id"
    "      LEFT JOIN media am ON am.hash = a.avatar" PET_JOIN
    "     WHERE n.user_id = ?1 AND n.created_at <= ?2 AND (n.created_at, n.id * 2 + 1) < (?2, ?3)"
    "     ORDER BY n.created_at DESC, n.id DESC LIMIT ?4) AS told"
    ") AS merged ORDER BY at DESC, k DESC LIMIT ?4";

typedef struct walk {
  pa_store_notification_fn fn;
  void *ctx;
} walk;

static int row(void *ctx, pa_sql_stmt *st) {
  const walk *w = ctx;
  int64_t key = pa_sq_i64(st, 0);
  /* NULL ids (no post, comment, pet or actor) read as 0. */
  pa_store_notification n = {
      .id = key / 2,
      .notice = (int)(key % 2),
      .kind = pa_sq_text(st, 1),
      .created_at = pa_sq_i64(st, 2),
      .read = (int)pa_sq_i64(st, 3) != 0,
      .post_id = pa_sq_i64(st, 4),
      .comment_id = pa_sq_i64(st, 5),
  };
  pa_sq_person(st, 6, &n.actor);
  pa_sq_pet_ref(st, 11, &n.pet);
  n.detail = pa_sq_text(st, 16);
  if (!n.detail) n.detail = "{}";
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
  /* The cursor is (time, key): columns 2 and 0. */
  return pa_sq_page(db, st, limit, row, &w, 2, 0, next, more, "notifications");
}

int pa_store_notifications_unread(pa_store *db, int64_t user, int64_t *count) {
  return pa_sq_scalar_i64(
      db,
      "SELECT (SELECT count(*) FROM notifications WHERE user_id = ?1 AND read = 0)"
      "     + (SELECT count(*) FROM notices WHERE user_id = ?1 AND read = 0)",
      1, &user, count);
}

int pa_store_notifications_mark_read(pa_store *db, int64_t user, int notice, int64_t up_to) {
  /* ?2 ?3: the (time, key) of the row named, as the list orders them; every
   * row at or below it is read. All of them: above every real position. */
  int64_t a[3] = {user, INT64_MAX, INT64_MAX};
  if (up_to) {
    int64_t named[2] = {up_to, user};
    int rc = pa_sq_scalar_i64(
        db,
        notice ? "SELECT created_at FROM notices WHERE id = ?1 AND user_id = ?2"
               : "SELECT created_at FROM notifications WHERE id = ?1 AND user_id = ?2",
        2, named, &a[1]);
    if (rc != PA_STORE_OK) return rc;
    a[2] = up_to * 2 + (notice ? 1 : 0);
  }
  int rc = pa_sq_exec_i64(db,
                          "UPDATE notifications SET read = 1 WHERE user_id = ?1 AND read = 0"
                          " AND (created_at, id * 2) <= (?2, ?3)",
                          3, a, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db,
                        "UPDATE notices SET read = 1 WHERE user_id = ?1 AND read = 0"
                        " AND (created_at, id * 2 + 1) <= (?2, ?3)",
                        3, a, NULL);
  return rc;
}

int pa_store_notices_add(pa_store *db, const pa_store_notice_new *n, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO notices (user_id, kind, actor_id, post_id, pet_id, detail, created_at)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, n->user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, n->kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 3, n->actor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 4, n->post);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 5, n->pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, n->detail ? n->detail : "{}");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, n->at);
  return pa_sq_run(db, st, rc, "notice", id, NULL);
}
