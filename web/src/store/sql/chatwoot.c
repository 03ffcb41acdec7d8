/* pa_store_chatwoot: the Chatwoot mirror's state (store/chatwoot.h). */
#include "store/chatwoot.h"

#include "store/sql/sql.h"

int pa_store_chatwoot_enqueue(pa_store *db, int64_t conv, int64_t now) {
  const int64_t a[2] = {conv, now};
  return pa_sq_exec_i64(db,
                        "INSERT INTO chatwoot_outbox (message_id, conversation_id, next_at,"
                        " created_at) SELECT m.id, m.conversation_id, ?2, ?2"
                        " FROM support_messages m WHERE m.conversation_id = ?1"
                        " AND m.author IN ('person', 'assistant') AND m.chatwoot_id IS NULL"
                        " AND NOT EXISTS (SELECT 1 FROM chatwoot_outbox o"
                        " WHERE o.message_id = m.id) ORDER BY m.id",
                        2, a, NULL);
}

typedef struct item_ctx {
  pa_store_chatwoot_item_fn fn;
  void *ctx;
} item_ctx;

static int item_row(void *ctx, pa_sql_stmt *st) {
  item_ctx *c = ctx;
  pa_store_chatwoot_item it = {
      .id = pa_sq_i64(st, 0),
      .message_id = pa_sq_i64(st, 1),
      .conversation_id = pa_sq_i64(st, 2),
      .attempts = pa_sq_i64(st, 3),
      .author = pa_sq_text(st, 4),
      .body = pa_sq_text(st, 5),
      .user_id = pa_sq_i64(st, 6),
      .person_name = pa_sq_text(st, 7),
      .subject = pa_sq_text(st, 8),
      .locale = pa_sq_text(st, 9),
      .remote_conversation = pa_sq_i64(st, 10),
      .remote_contact = pa_sq_i64(st, 11),
      .source_id = pa_sq_text(st, 12),
  };
  return c->fn(c->ctx, &it);
}

int pa_store_chatwoot_due(pa_store *db, int64_t now, int limit, pa_store_chatwoot_item_fn fn,
                          void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT o.id, o.message_id, o.conversation_id, o.attempts, m.author, m.body,"
          " c.user_id, u.name, c.subject, c.locale, c.chatwoot_id, k.contact_id, k.source_id"
          " FROM chatwoot_outbox o JOIN support_messages m ON m.id = o.message_id"
          " JOIN support_conversations c ON c.id = o.conversation_id"
          " JOIN users u ON u.id = c.user_id"
          " LEFT JOIN chatwoot_contacts k ON k.user_id = c.user_id"
          " WHERE o.next_at <= ?1 AND NOT EXISTS (SELECT 1 FROM chatwoot_outbox p"
          " WHERE p.conversation_id = o.conversation_id AND p.id < o.id AND p.next_at > ?1)"
          " ORDER BY o.id LIMIT ?2");
  if (!st) return pa_sq_fail(db, "chatwoot due");
  int b = pa_sq_bind_i64(st, 1, now);
  if (!b) b = pa_sq_bind_i64(st, 2, limit);
  item_ctx c = {fn, ctx};
  return pa_sq_each(db, st, b, item_row, &c, "chatwoot due");
}

int pa_store_chatwoot_contact_set(pa_store *db, int64_t user, int64_t contact,
                                  const char *source_id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chatwoot_contacts (user_id, contact_id, source_id)"
                                   " VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO UPDATE"
                                   " SET contact_id = excluded.contact_id,"
                                   " source_id = excluded.source_id");
  if (!st) return pa_sq_fail(db, "chatwoot contact");
  int b = pa_sq_bind_i64(st, 1, user);
  if (!b) b = pa_sq_bind_i64(st, 2, contact);
  if (!b) b = pa_sq_bind_text(st, 3, source_id);
  return pa_sq_run(db, st, b, "chatwoot contact", NULL, NULL);
}

int pa_store_chatwoot_conversation_set(pa_store *db, int64_t conv, int64_t remote) {
  const int64_t a[2] = {conv, remote};
  return pa_sq_exec_i64(db, "UPDATE support_conversations SET chatwoot_id = ?2 WHERE id = ?1", 2, a,
                        NULL);
}

int pa_store_chatwoot_sent(pa_store *db, int64_t item, int64_t message, int64_t remote) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  const int64_t a[2] = {message, remote}, b[1] = {item};
  rc = pa_sq_exec_i64(db, "UPDATE support_messages SET chatwoot_id = ?2 WHERE id = ?1", 2, a, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db, "DELETE FROM chatwoot_outbox WHERE id = ?1", 1, b, NULL);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(db);
    return rc;
  }
  return pa_store_commit(db);
}

int pa_store_chatwoot_retry(pa_store *db, int64_t item, int64_t attempts, int64_t next_at) {
  const int64_t a[3] = {item, attempts, next_at};
  return pa_sq_exec_i64(db, "UPDATE chatwoot_outbox SET attempts = ?2, next_at = ?3 WHERE id = ?1",
                        3, a, NULL);
}

int pa_store_chatwoot_drop(pa_store *db, int64_t item) {
  const int64_t a[1] = {item};
  return pa_sq_exec_i64(db, "DELETE FROM chatwoot_outbox WHERE id = ?1", 1, a, NULL);
}

static int take_pair(void *ctx, pa_sql_stmt *st) {
  int64_t *out = ctx;
  out[0] = pa_sq_i64(st, 0);
  out[1] = pa_sq_i64(st, 1);
  out[2] = 1;
  return 0;
}

int pa_store_chatwoot_find(pa_store *db, int64_t remote, int64_t *conv, int64_t *user) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT id, user_id FROM support_conversations WHERE chatwoot_id = ?1");
  if (!st) return pa_sq_fail(db, "chatwoot find");
  int64_t out[3] = {0, 0, 0};
  int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, remote), take_pair, out, "chatwoot find");
  if (rc != PA_STORE_OK) return rc;
  if (!out[2]) return PA_STORE_ENOTFOUND;
  *conv = out[0], *user = out[1];
  return PA_STORE_OK;
}

int pa_store_chatwoot_reply(pa_store *db, int64_t conv, int64_t remote, const char *body,
                            int64_t now, int64_t *id, int *created) {
  *created = 0;
  *id = 0;
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO support_messages (conversation_id, author, body, created_at,"
                     " chatwoot_id) VALUES (?1, 'agent', ?2, ?3, ?4) ON CONFLICT DO NOTHING"
                     " RETURNING id");
  if (!st) return pa_sq_fail(db, "chatwoot reply");
  int b = pa_sq_bind_i64(st, 1, conv);
  if (!b) b = pa_sq_bind_text(st, 2, body);
  if (!b) b = pa_sq_bind_i64(st, 3, now);
  if (!b) b = pa_sq_bind_i64(st, 4, remote);
  int rc = pa_sq_run(db, st, b, "chatwoot reply", id, NULL);
  if (rc != PA_STORE_OK) return rc;
  if (*id) {
    *created = 1;
    const int64_t a[2] = {conv, now};
    rc = pa_sq_exec_i64(db, "UPDATE support_conversations SET updated_at = ?2 WHERE id = ?1", 2, a,
                        NULL);
  }
  return rc;
}

int pa_store_chatwoot_status_at(pa_store *db, int64_t conv, int64_t at, int *apply) {
  const int64_t a[2] = {conv, at};
  int changes = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE support_conversations SET chatwoot_status_at = ?2 WHERE id = ?1"
                          " AND (chatwoot_status_at IS NULL OR chatwoot_status_at < ?2)",
                          2, a, &changes);
  *apply = rc == PA_STORE_OK && changes > 0;
  return rc;
}
