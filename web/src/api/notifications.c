/* pa_srv — notifications: likes, comments, replies and follows of the viewer's posts,
 * pets and person. The rows are written by triggers beside the actions
 * themselves (db.c, schemas 3 and 6); this file lists them, counts the unread ones
 * and marks them read. */
#include "api/api.h"

#include <stdint.h>
#include <string.h>

static const char unread_sql[] =
    "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read = 0";

/* ?1 the viewer, ?2 ?3 the cursor (created_at, id), ?4 the row limit. */
static const char list_sql[] =
    "SELECT n.id, n.kind, n.created_at, n.read, n.post_id, n.comment_id,"
    "       a.id, a.name, a.avatar, am.ext,"
    "       t.id, t.name, t.species, t.avatar, tm.ext"
    "  FROM notifications n JOIN users a ON a.id = n.actor_id"
    "  LEFT JOIN media am ON am.hash = a.avatar"
    "  LEFT JOIN pets t ON t.id = n.pet_id LEFT JOIN media tm ON tm.hash = t.avatar"
    " WHERE n.user_id = ?1 AND (n.created_at, n.id) < (?2, ?3)"
    " ORDER BY n.created_at DESC, n.id DESC LIMIT ?4";

/* The viewer's unread count into *out; 0, or -1 with 500 sent. */
static int unread(pa_srv_req *rq, int64_t *out) {
  int found;
  if (pa_sq_scalar_found(rq->db, unread_sql, 1, &rq->viewer, out, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "unread notifications");
    return -1;
  }
  return 0;
}

/* {"unread_count": n} */
static void send_unread(pa_srv_req *rq) {
  int64_t n;
  if (unread(rq, &n) != 0) return;
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddNumberToObject(root, "unread_count", (double)n)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* Adds key: "<prefix>_<id>" from column c, or null when the column is NULL. */
static int add_opt_id(cJSON *o, const char *key, const char *prefix, sqlite3_stmt *st, int c) {
  if (sqlite3_column_type(st, c) == SQLITE_NULL) return cJSON_AddNullToObject(o, key) ? 0 : -1;
  return pa_api_add_id(o, key, prefix, sqlite3_column_int64(st, c));
}

static cJSON *notification_json(sqlite3_stmt *st) {
  cJSON *o = cJSON_CreateObject(), *actor = pa_api_user_json(st, 6), *pet = NULL;
  const char *kind = (const char *)sqlite3_column_text(st, 1);
  int bad = !o || !actor || !kind;
  if (!bad && sqlite3_column_type(st, 10) != SQLITE_NULL) bad = !(pet = pa_api_pet_json(st, 10));
  bad = bad || pa_api_add_id(o, "id", "n", sqlite3_column_int64(st, 0)) ||
        !cJSON_AddStringToObject(o, "kind", kind);
  if (!bad) {
    cJSON_AddItemToObject(o, "actor", actor);
    actor = NULL;
    bad = add_opt_id(o, "post_id", "p", st, 4) || add_opt_id(o, "comment_id", "c", st, 5);
  }
  if (!bad) {
    if (pet) {
      cJSON_AddItemToObject(o, "pet", pet);
      pet = NULL;
    } else {
      bad = !cJSON_AddNullToObject(o, "pet");
    }
  }
  bad = bad || pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 2)) ||
        !cJSON_AddBoolToObject(o, "read", sqlite3_column_int(st, 3) != 0);
  cJSON_Delete(actor);
  cJSON_Delete(pet);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void pa_api_notifications_get(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  int64_t count;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) ||
      unread(rq, &count))
    return;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, list_sql);
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "notifications");
  int rc = st && list ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, has_cursor ? after.created_at : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, has_cursor ? after.id : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, limit + 1);
  if (rc == SQLITE_OK)
    rc = pa_api_page_rows(st, limit, notification_json, list, 2, 0, &next, &more);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "notifications");
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_api_add_cursor(root, more, &next) ||
      !cJSON_AddNumberToObject(root, "unread_count", (double)count)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "notifications");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_notifications_unread(pa_srv_req *rq) { send_unread(rq); }

/* {} marks every notification read; {"up_to": "n_7"} those up to that id. */
void pa_api_notifications_read(pa_srv_req *rq) {
  static const char *const fields[] = {"up_to", NULL};
  cJSON *body = NULL;
  int64_t args[2] = {rq->viewer, 0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_id(rq, body, "up_to", "n", 0, &args[1])) {
    cJSON_Delete(body);
    return;
  }
  cJSON_Delete(body);
  if (pa_sq_exec_i64(rq->db,
                     "UPDATE notifications SET read = 1 WHERE user_id = ?1 AND read = 0"
                     " AND (?2 = 0 OR id <= ?2)",
                     2, args, NULL) != PA_STORE_OK) {
    pa_api_internal(rq, "mark notifications read");
    return;
  }
  send_unread(rq);
}
