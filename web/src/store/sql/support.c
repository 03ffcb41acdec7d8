/* pa_store_support: support conversations, messages, canned replies
 * (store/support.h). */
#include "store/support.h"

#include "store/sql/sql.h"

#include <string.h>

/* The columns conv_row reads, for a conversation aliased c, its person u and
 * its assignee a; the last is the queue's sort key (PA_STORE_SUPPORT_NOT_PLUS). */
#define CONV_COLS                                                                                  \
  "c.id, c.user_id, c.assignee_id, c.state, c.plus, c.snoozed_until, c.locale, c.subject,"         \
  " c.created_at, c.updated_at, c.last_person_at, c.resolved_at, c.rating, c.rating_comment,"      \
  " c.rated_at, u.name, a.name, (1 - c.plus) * 1000000000000 + c.last_person_at AS sk"
#define CONV_FROM                                                                                  \
  " FROM support_conversations c JOIN users u ON u.id = c.user_id"                                 \
  " LEFT JOIN users a ON a.id = c.assignee_id"
enum { CONV_SORT_COL = 17, CONV_ID_COL = 0 };

_Static_assert(PA_STORE_SUPPORT_NOT_PLUS == 1000000000000, "CONV_COLS spells the same number");

typedef struct conv_ctx {
  pa_store_support_conv_fn fn;
  void *ctx;
} conv_ctx;

static int conv_row(void *ctx, pa_sql_stmt *st) {
  conv_ctx *c = ctx;
  pa_store_support_conv v = {
      .id = pa_sq_i64(st, 0),
      .user_id = pa_sq_i64(st, 1),
      .assignee_id = pa_sq_i64(st, 2),
      .state = pa_sq_text(st, 3),
      .plus = (int)pa_sq_i64(st, 4),
      .snoozed_until = pa_sq_i64(st, 5),
      .locale = pa_sq_text(st, 6),
      .subject = pa_sq_text(st, 7),
      .created_at = pa_sq_i64(st, 8),
      .updated_at = pa_sq_i64(st, 9),
      .last_person_at = pa_sq_i64(st, 10),
      .resolved_at = pa_sq_i64(st, 11),
      .rating = (int)pa_sq_i64(st, 12),
      .rating_comment = pa_sq_text(st, 13),
      .rated_at = pa_sq_i64(st, 14),
      .person_name = pa_sq_text(st, 15),
      .assignee_name = pa_sq_null(st, 2) ? NULL : pa_sq_text(st, 16),
      .sort_key = pa_sq_i64(st, CONV_SORT_COL),
  };
  return c->fn(c->ctx, &v);
}

int pa_store_support_open(pa_store *db, int64_t user, int plus, const char *locale,
                          const char *subject, int64_t now, int64_t *id, int *created) {
  *created = 0;
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id FROM support_conversations"
                                   " WHERE user_id = ?1 AND state <> 'resolved'");
  if (!st) return pa_sq_fail(db, "support open");
  int64_t found = 0;
  int rc = pa_sq_run(db, st, pa_sq_bind_i64(st, 1, user), "support open", &found, NULL);
  if (rc != PA_STORE_OK) return rc;
  if (found) {
    *id = found;
    return pa_store_support_person_wrote(db, found, plus, now);
  }
  st = pa_sq_stmt(db, "INSERT INTO support_conversations (user_id, state, plus, locale, subject,"
                      " created_at, updated_at, last_person_at)"
                      " VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?5, ?5) RETURNING id");
  if (!st) return pa_sq_fail(db, "support open");
  int b = pa_sq_bind_i64(st, 1, user);
  if (!b) b = pa_sq_bind_i64(st, 2, plus ? 1 : 0);
  if (!b) b = pa_sq_bind_text(st, 3, locale);
  if (!b) b = pa_sq_bind_text(st, 4, subject);
  if (!b) b = pa_sq_bind_i64(st, 5, now);
  rc = pa_sq_run(db, st, b, "support open", id, NULL);
  if (rc == PA_STORE_OK) *created = 1;
  return rc;
}

int pa_store_support_add(pa_store *db, int64_t conv, const char *author, int64_t author_id,
                         const char *body, int64_t now, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO support_messages (conversation_id, author, author_id, body,"
                     " created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return pa_sq_fail(db, "support message");
  int b = pa_sq_bind_i64(st, 1, conv);
  if (!b) b = pa_sq_bind_text(st, 2, author);
  if (!b) b = pa_sq_bind_id(st, 3, author_id);
  if (!b) b = pa_sq_bind_text(st, 4, body);
  if (!b) b = pa_sq_bind_i64(st, 5, now);
  int64_t got = 0;
  int rc = pa_sq_run(db, st, b, "support message", &got, NULL);
  if (rc != PA_STORE_OK) return rc;
  if (id) *id = got;
  int64_t a[2] = {conv, now};
  return pa_sq_exec_i64(db, "UPDATE support_conversations SET updated_at = ?2 WHERE id = ?1", 2, a,
                        NULL);
}

int pa_store_support_person_wrote(pa_store *db, int64_t conv, int plus, int64_t now) {
  int64_t a[3] = {conv, plus ? 1 : 0, now};
  int changes = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE support_conversations SET plus = ?2, last_person_at = ?3,"
                          " updated_at = ?3, state = 'open', snoozed_until = NULL,"
                          " resolved_at = NULL WHERE id = ?1",
                          3, a, &changes);
  if (rc == PA_STORE_OK && !changes) return PA_STORE_ENOTFOUND;
  return rc;
}

int pa_store_support_get(pa_store *db, int64_t id, pa_store_support_conv_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " CONV_COLS CONV_FROM " WHERE c.id = ?1");
  if (!st) return pa_sq_fail(db, "support get");
  int seen = 0;
  conv_ctx c = {fn, ctx};
  int b = pa_sq_bind_i64(st, 1, id), rc;
  while (b == PA_SQ_OK && (rc = pa_sq_step(st)) == PA_SQ_ROW) {
    seen = 1;
    if (conv_row(&c, st) != 0) {
      pa_sq_done(st);
      return pa_sq_failf(db, PA_STORE_EABORT, "support get: stopped by callback");
    }
  }
  int out = b != PA_SQ_OK || (rc != PA_SQ_DONE && rc != PA_SQ_ROW) ? pa_sq_fail(db, "support get")
            : seen                                                 ? PA_STORE_OK
                                                                   : PA_STORE_ENOTFOUND;
  pa_sq_done(st);
  return out;
}

typedef struct msg_ctx {
  pa_store_support_msg_fn fn;
  void *ctx;
  int seen;
} msg_ctx;

static int msg_row(void *ctx, pa_sql_stmt *st) {
  msg_ctx *c = ctx;
  pa_store_support_msg m = {pa_sq_i64(st, 0),
                            pa_sq_i64(st, 1),
                            pa_sq_text(st, 2),
                            pa_sq_i64(st, 3),
                            pa_sq_null(st, 3) ? NULL : pa_sq_text(st, 4),
                            pa_sq_text(st, 5),
                            pa_sq_i64(st, 6)};
  c->seen = 1;
  return c->fn(c->ctx, &m);
}

int pa_store_support_messages(pa_store *db, int64_t conv, int with_notes,
                              pa_store_support_msg_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT m.id, m.conversation_id, m.author, m.author_id, u.name, m.body, m.created_at"
          " FROM support_messages m LEFT JOIN users u ON u.id = m.author_id"
          " WHERE m.conversation_id = ?1 AND (?2 = 1 OR m.author <> 'note') ORDER BY m.id");
  if (!st) return pa_sq_fail(db, "support messages");
  int64_t a[2] = {conv, with_notes ? 1 : 0};
  msg_ctx c = {fn, ctx, 0};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), msg_row, &c, "support messages");
}

int pa_store_support_message(pa_store *db, int64_t id, pa_store_support_msg_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT m.id, m.conversation_id, m.author, m.author_id, u.name, m.body, m.created_at"
          " FROM support_messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.id = ?1");
  if (!st) return pa_sq_fail(db, "support message");
  msg_ctx c = {fn, ctx, 0};
  int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), msg_row, &c, "support message");
  return rc == PA_STORE_OK && !c.seen ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_support_mine(pa_store *db, int64_t user, pa_store_support_conv_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " CONV_COLS CONV_FROM
                                   " WHERE c.user_id = ?1 ORDER BY c.updated_at DESC, c.id DESC"
                                   " LIMIT ?2");
  if (!st) return pa_sq_fail(db, "support mine");
  int64_t a[2] = {user, PA_STORE_SUPPORT_MINE_MAX};
  conv_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), conv_row, &c, "support mine");
}

int pa_store_support_queue(pa_store *db, const char *state, int64_t assignee,
                           const pa_store_cursor *after, int limit, pa_store_support_conv_fn fn,
                           void *ctx, pa_store_cursor *next, int *more) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT " CONV_COLS CONV_FROM " WHERE c.state = ?1"
                     " AND (?2 = 0 OR (?2 = -1 AND c.assignee_id IS NULL) OR c.assignee_id = ?2)"
                     " AND ((1 - c.plus) * 1000000000000 + c.last_person_at > ?3"
                     " OR ((1 - c.plus) * 1000000000000 + c.last_person_at = ?3 AND c.id > ?4))"
                     " ORDER BY sk, c.id LIMIT ?5");
  if (!st) return pa_sq_fail(db, "support queue");
  int b = pa_sq_bind_text(st, 1, state);
  if (!b) b = pa_sq_bind_i64(st, 2, assignee);
  if (!b) b = pa_sq_bind_i64(st, 3, after ? after->created_at : -1);
  if (!b) b = pa_sq_bind_i64(st, 4, after ? after->id : 0);
  if (!b) b = pa_sq_bind_i64(st, 5, (int64_t)limit + 1);
  if (b) {
    pa_sq_done(st);
    return pa_sq_fail(db, "support queue");
  }
  conv_ctx c = {fn, ctx};
  return pa_sq_page(db, st, limit, conv_row, &c, CONV_SORT_COL, CONV_ID_COL, next, more,
                    "support queue");
}

int pa_store_support_set_state(pa_store *db, int64_t conv, const char *state, int64_t snooze_until,
                               int64_t now) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE support_conversations SET state = ?2, updated_at = ?3,"
                     " snoozed_until = CASE WHEN ?2 = 'snoozed' THEN ?4 ELSE NULL END,"
                     " resolved_at = CASE WHEN ?2 <> 'resolved' THEN NULL"
                     " WHEN state = 'resolved' THEN resolved_at ELSE ?3 END"
                     " WHERE id = ?1");
  if (!st) return pa_sq_fail(db, "support state");
  int b = pa_sq_bind_i64(st, 1, conv);
  if (!b) b = pa_sq_bind_text(st, 2, state);
  if (!b) b = pa_sq_bind_i64(st, 3, now);
  if (!b) b = pa_sq_bind_i64(st, 4, snooze_until);
  int changes = 0;
  int rc = pa_sq_run(db, st, b, "support state", NULL, &changes);
  if (rc == PA_STORE_OK && !changes) return PA_STORE_ENOTFOUND;
  return rc;
}

int pa_store_support_assign(pa_store *db, int64_t conv, int64_t agent, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE support_conversations SET assignee_id = ?2,"
                                   " updated_at = ?3 WHERE id = ?1");
  if (!st) return pa_sq_fail(db, "support assign");
  int b = pa_sq_bind_i64(st, 1, conv);
  if (!b) b = pa_sq_bind_id(st, 2, agent);
  if (!b) b = pa_sq_bind_i64(st, 3, now);
  int changes = 0;
  int rc = pa_sq_run(db, st, b, "support assign", NULL, &changes);
  if (rc == PA_STORE_OK && !changes) return PA_STORE_ENOTFOUND;
  return rc;
}

int pa_store_support_rate(pa_store *db, int64_t conv, int64_t user, int rating, const char *comment,
                          int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE support_conversations SET rating = ?3,"
                                   " rating_comment = ?4, rated_at = ?5"
                                   " WHERE id = ?1 AND user_id = ?2 AND state = 'resolved'"
                                   " AND rating IS NULL");
  if (!st) return pa_sq_fail(db, "support rate");
  int b = pa_sq_bind_i64(st, 1, conv);
  if (!b) b = pa_sq_bind_i64(st, 2, user);
  if (!b) b = pa_sq_bind_i64(st, 3, rating);
  if (!b) b = pa_sq_bind_text(st, 4, comment);
  if (!b) b = pa_sq_bind_i64(st, 5, now);
  int changes = 0;
  int rc = pa_sq_run(db, st, b, "support rate", NULL, &changes);
  if (rc != PA_STORE_OK || changes) return rc;
  /* Nothing changed: say why. */
  st = pa_sq_stmt(db, "SELECT state, rating IS NOT NULL FROM support_conversations"
                      " WHERE id = ?1 AND user_id = ?2");
  if (!st) return pa_sq_fail(db, "support rate");
  int64_t a[2] = {conv, user};
  if (pa_sq_bind_i64s(st, 2, a)) {
    pa_sq_done(st);
    return pa_sq_fail(db, "support rate");
  }
  int step = pa_sq_step(st), out;
  if (step == PA_SQ_ROW)
    out = pa_sq_i64(st, 1) ? PA_STORE_ECONFLICT : PA_STORE_EINVAL;
  else if (step == PA_SQ_DONE)
    out = PA_STORE_ENOTFOUND;
  else
    out = pa_sq_fail(db, "support rate");
  pa_sq_done(st);
  return out;
}

typedef struct wake_ctx {
  int64_t ids[64];
  int n;
} wake_ctx;

static int wake_row(void *ctx, pa_sql_stmt *st) {
  wake_ctx *w = ctx;
  if (w->n < (int)(sizeof w->ids / sizeof w->ids[0])) w->ids[w->n++] = pa_sq_i64(st, 0);
  return 0;
}

int pa_store_support_wake(pa_store *db, int64_t now, int (*fn)(void *ctx, int64_t id), void *ctx) {
  /* In batches of what a wake_ctx holds: each batch's ids are told after it
   * is written; the next round takes the rest. */
  for (;;) {
    wake_ctx w = {{0}, 0};
    pa_sql_stmt *st =
        pa_sq_stmt(db, "SELECT id FROM support_conversations WHERE snoozed_until IS NOT NULL"
                       " AND snoozed_until <= ?1 ORDER BY snoozed_until, id LIMIT 64");
    if (!st) return pa_sq_fail(db, "support wake");
    int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, now), wake_row, &w, "support wake");
    if (rc != PA_STORE_OK) return rc;
    for (int i = 0; i < w.n; i++) {
      int64_t a[2] = {w.ids[i], now};
      rc = pa_sq_exec_i64(db,
                          "UPDATE support_conversations SET state = 'open', snoozed_until = NULL,"
                          " updated_at = ?2 WHERE id = ?1 AND state = 'snoozed'",
                          2, a, NULL);
      if (rc != PA_STORE_OK) return rc;
      if (fn && fn(ctx, w.ids[i]) != 0) return PA_STORE_EABORT;
    }
    if (w.n < 64) return PA_STORE_OK;
  }
}

typedef struct canned_ctx {
  pa_store_support_canned_fn fn;
  void *ctx;
} canned_ctx;

static int canned_row(void *ctx, pa_sql_stmt *st) {
  canned_ctx *c = ctx;
  pa_store_support_canned v = {pa_sq_i64(st, 0),  pa_sq_i64(st, 1),  pa_sq_i64(st, 2),
                               pa_sq_text(st, 3), pa_sq_text(st, 4), pa_sq_text(st, 5)};
  return c->fn(c->ctx, &v);
}

int pa_store_support_canned_list(pa_store *db, pa_store_support_canned_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, created_by, created_at, shortcut, title, body"
                                   " FROM support_canned ORDER BY shortcut, id");
  if (!st) return pa_sq_fail(db, "support canned");
  canned_ctx c = {fn, ctx};
  return pa_sq_each(db, st, PA_SQ_OK, canned_row, &c, "support canned");
}

int pa_store_support_canned_add(pa_store *db, const char *shortcut, const char *title,
                                const char *body, int64_t by, int64_t now, int64_t *id) {
  int64_t n = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM support_canned", 0, NULL, &n);
  if (rc != PA_STORE_OK) return rc;
  if (n >= PA_STORE_SUPPORT_CANNED_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "support canned: %d kept already",
                       PA_STORE_SUPPORT_CANNED_MAX);
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO support_canned (shortcut, title, body, created_by, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return pa_sq_fail(db, "support canned add");
  int b = pa_sq_bind_text(st, 1, shortcut);
  if (!b) b = pa_sq_bind_text(st, 2, title);
  if (!b) b = pa_sq_bind_text(st, 3, body);
  if (!b) b = pa_sq_bind_id(st, 4, by);
  if (!b) b = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, b, "support canned add", id, NULL);
}

int pa_store_support_canned_delete(pa_store *db, int64_t id) {
  int changes = 0;
  int rc = pa_sq_exec_i64(db, "DELETE FROM support_canned WHERE id = ?1", 1, &id, &changes);
  if (rc == PA_STORE_OK && !changes) return PA_STORE_ENOTFOUND;
  return rc;
}

int pa_store_support_session_alive(pa_store *db, int64_t session, int64_t now) {
  int64_t a[2] = {session, now}, one;
  return pa_sq_scalar_i64(db, "SELECT 1 FROM sessions WHERE id = ?1 AND expires_at > ?2", 2, a,
                          &one);
}
