/* pa_store_push. */
#include "store/push.h"

#include "store/sql/sql.h"

#include <string.h>

int pa_store_push_subscribe(pa_store *db, int64_t user, int64_t session, const char *endpoint,
                            const uint8_t p256dh[65], const uint8_t auth[16], const char *locale,
                            int64_t now, int max, int64_t *id) {
  if (max < 1 || strlen(endpoint) > PA_STORE_PUSH_ENDPOINT_MAX ||
      strlen(locale) > PA_STORE_PUSH_LOCALE_MAX)
    return PA_STORE_EINVAL;
  int rc = pa_store_begin(db);
  if (rc) return rc;
  /* One row per endpoint: the browser's newest subscription (and session) wins. */
  pa_sql_stmt *st = pa_sq_stmt(db, "DELETE FROM push_subscriptions WHERE endpoint = ?1");
  rc = pa_sq_run(db, st, st ? pa_sq_bind_text(st, 1, endpoint) : PA_SQ_ERROR, "push unsubscribe",
                 NULL, NULL);
  if (!rc) {
    st = pa_sq_stmt(db, "INSERT INTO push_subscriptions"
                        " (user_id, session_id, endpoint, p256dh, auth, locale, created_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
    int b = st ? PA_SQ_OK : PA_SQ_ERROR;
    if (!b) b = pa_sq_bind_i64(st, 1, user);
    if (!b) b = pa_sq_bind_i64(st, 2, session);
    if (!b) b = pa_sq_bind_text(st, 3, endpoint);
    if (!b) b = pa_sq_bind_blob(st, 4, p256dh, 65);
    if (!b) b = pa_sq_bind_blob(st, 5, auth, 16);
    if (!b) b = pa_sq_bind_text(st, 6, locale);
    if (!b) b = pa_sq_bind_i64(st, 7, now);
    rc = pa_sq_run(db, st, b, "push subscribe", id, NULL);
  }
  if (!rc) {
    /* Keep the newest max: the rest, oldest first, are forgotten. */
    int64_t a[2] = {user, max};
    rc = pa_sq_exec_i64(db,
                        "DELETE FROM push_subscriptions WHERE user_id = ?1 AND id NOT IN ("
                        " SELECT id FROM push_subscriptions WHERE user_id = ?1"
                        " ORDER BY created_at DESC, id DESC LIMIT ?2)",
                        2, a, NULL);
  }
  int end = pa_store_end(db, rc == PA_STORE_OK);
  return rc ? rc : end;
}

int pa_store_push_unsubscribe(pa_store *db, int64_t session, int *removed) {
  return pa_sq_exec_i64(db, "DELETE FROM push_subscriptions WHERE session_id = ?1", 1, &session,
                        removed);
}

static const char due_sql[] =
    "SELECT q.id, q.attempts, q.kind, s.id, s.endpoint, s.p256dh, s.auth, s.locale,"
    "  COALESCE(n.kind, t.kind, q.kind), COALESCE(na.name, ta.name, ca.name, ka.name, ''),"
    "  COALESCE(na.handle, ta.handle, ca.handle, ka.handle, ''), COALESCE(n.post_id, t.post_id, 0),"
    "  COALESCE(na.id, ta.id, ca.id, ka.id, 0),"
    "  CASE WHEN (q.kind = 'notification' AND n.id IS NULL)"
    "    OR (q.kind = 'notice' AND t.id IS NULL) OR (q.kind = 'chat' AND ca.id IS NULL)"
    "    OR (q.kind = 'call' AND (k.id IS NULL OR k.state <> 'ringing'))"
    "    THEN 1 ELSE 0 END, COALESCE(t.detail, '{}')"
    " FROM push_queue q JOIN push_subscriptions s ON s.id = q.subscription_id"
    " LEFT JOIN notifications n ON q.kind = 'notification' AND n.id = q.ref_id"
    " LEFT JOIN users na ON na.id = n.actor_id"
    " LEFT JOIN notices t ON q.kind = 'notice' AND t.id = q.ref_id"
    " LEFT JOIN users ta ON ta.id = t.actor_id"
    " LEFT JOIN users ca ON q.kind = 'chat' AND ca.id = q.ref_id"
    /* A call rings while it rings: once ended, its push is dropped unsent. */
    " LEFT JOIN calls k ON q.kind = 'call' AND k.id = q.ref_id"
    " LEFT JOIN users ka ON ka.id = k.caller"
    " WHERE q.next_at <= ?1 ORDER BY q.next_at, q.id LIMIT ?2";

int pa_store_push_due(pa_store *db, int64_t now, int limit, pa_store_push_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, due_sql);
  if (!st) return pa_sq_fail(db, "push due");
  int64_t a[2] = {now, limit};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc) {
    pa_sq_done(st);
    return pa_sq_fail(db, "push due");
  }
  int out = PA_STORE_OK;
  while ((rc = pa_sq_step(st)) == PA_SQ_ROW) {
    size_t n1 = 0, n2 = 0;
    const unsigned char *k = pa_sq_blob(st, 5, &n1), *au = pa_sq_blob(st, 6, &n2);
    pa_store_push_item it = {
        .id = pa_sq_i64(st, 0),
        .attempts = pa_sq_i64(st, 1),
        .source = pa_sq_text(st, 2),
        .subscription_id = pa_sq_i64(st, 3),
        .endpoint = pa_sq_text(st, 4),
        .locale = pa_sq_text(st, 7),
        .n_kind = pa_sq_text(st, 8),
        .actor_name = pa_sq_text(st, 9),
        .actor_handle = pa_sq_text(st, 10),
        .post_id = pa_sq_i64(st, 11),
        .actor_id = pa_sq_i64(st, 12),
        .gone = (int)pa_sq_i64(st, 13),
        .detail = pa_sq_text(st, 14),
    };
    if (!it.detail) it.detail = "{}";
    if (!k || n1 != 65 || !au || n2 != 16) continue; /* the schema's CHECKs make this unreachable */
    memcpy(it.p256dh, k, 65);
    memcpy(it.auth, au, 16);
    if (fn(ctx, &it)) {
      out = PA_STORE_EABORT;
      break;
    }
  }
  if (out == PA_STORE_OK && rc != PA_SQ_DONE) out = pa_sq_fail(db, "push due");
  pa_sq_done(st);
  return out;
}

int pa_store_push_done(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM push_queue WHERE id = ?1", 1, &id, NULL);
}

int pa_store_push_retry(pa_store *db, int64_t id, int64_t attempts, int64_t next_at) {
  int64_t a[3] = {id, attempts, next_at};
  return pa_sq_exec_i64(db, "UPDATE push_queue SET attempts = ?2, next_at = ?3 WHERE id = ?1", 3, a,
                        NULL);
}

int pa_store_push_gone(pa_store *db, int64_t subscription_id) {
  return pa_sq_exec_i64(db, "DELETE FROM push_subscriptions WHERE id = ?1", 1, &subscription_id,
                        NULL);
}
