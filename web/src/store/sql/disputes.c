/* pa_store_disputes: refund requests, disputes and order messages
 * (store/disputes.h). */
#include "store/disputes.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

int pa_store_disputes_claim_get(pa_store *db, int64_t order, pa_store_claim *c) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT order_id, state, reason, decline_reason, dispute_text, seller_answer,"
                     " decision, decision_note, decided_by, requested_at, answered_at, disputed_at,"
                     " seller_answered_at, closed_at FROM market_order_claims WHERE order_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    memset(c, 0, sizeof *c);
    c->order_id = pa_sq_i64(st, 0);
    c->state = pa_market_claim_state_find(pa_sq_text(st, 1));
    copy(c->reason, sizeof c->reason, pa_sq_text(st, 2));
    copy(c->decline_reason, sizeof c->decline_reason, pa_sq_text(st, 3));
    copy(c->dispute_text, sizeof c->dispute_text, pa_sq_text(st, 4));
    copy(c->seller_answer, sizeof c->seller_answer, pa_sq_text(st, 5));
    copy(c->decision, sizeof c->decision, pa_sq_text(st, 6));
    copy(c->note, sizeof c->note, pa_sq_text(st, 7));
    c->decided_by = pa_sq_i64(st, 8);
    c->requested_at = pa_sq_i64(st, 9);
    c->answered_at = pa_sq_i64(st, 10);
    c->disputed_at = pa_sq_i64(st, 11);
    c->seller_answered_at = pa_sq_i64(st, 12);
    c->closed_at = pa_sq_i64(st, 13);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "claim");
}

int pa_store_disputes_claim_request(pa_store *db, int64_t order, const char *reason, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO market_order_claims (order_id, state, reason,"
                                   " requested_at) VALUES (?1, 'requested', ?2, ?3)"
                                   " ON CONFLICT (order_id) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int n = 0;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, reason);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  rc = pa_sq_run(db, st, rc, "claim request", NULL, &n);
  return rc == PA_STORE_OK && !n ? PA_STORE_ECONFLICT : rc;
}

/* Runs an UPDATE of one claim whose ?1 is the order, ?2 a text, ?3 now and
 * ?4 (when four) a time. */
static int update(pa_store *db, const char *sql, int64_t order, const char *text, int64_t now,
                  int four, int64_t t, int *moved) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  *moved = 0;
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, text);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK && four) rc = pa_sq_bind_i64(st, 4, t);
  return pa_sq_run(db, st, rc, "claim", NULL, moved);
}

int pa_store_disputes_claim_decline(pa_store *db, int64_t order, const char *reason, int64_t now,
                                    int *moved) {
  return update(db,
                "UPDATE market_order_claims SET state = 'declined', decline_reason = ?2,"
                " answered_at = ?3 WHERE order_id = ?1 AND state = 'requested'",
                order, reason, now, 0, 0, moved);
}

int pa_store_disputes_claim_dispute(pa_store *db, int64_t order, const char *text, int64_t now,
                                    int64_t silent_before, int *moved) {
  return update(db,
                "UPDATE market_order_claims SET state = 'disputed', dispute_text = ?2,"
                " disputed_at = ?3 WHERE order_id = ?1 AND (state = 'declined' OR"
                " (state = 'requested' AND requested_at <= ?4))",
                order, text, now, 1, silent_before, moved);
}

int pa_store_disputes_claim_answer(pa_store *db, int64_t order, const char *text, int64_t now,
                                   int *moved) {
  return update(db,
                "UPDATE market_order_claims SET seller_answer = ?2, seller_answered_at = ?3"
                " WHERE order_id = ?1 AND state = 'disputed' AND seller_answer IS NULL",
                order, text, now, 0, 0, moved);
}

int pa_store_disputes_claim_close(pa_store *db, int64_t order, int from, int to,
                                  const char *decision, const char *note, int64_t by, int64_t now,
                                  int *moved) {
  const char *f = pa_market_claim_state_name(from), *t = pa_market_claim_state_name(to);
  *moved = 0;
  if (!f || !t) return PA_STORE_EINVAL;
  /* An accepted request is the seller's answer too. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE market_order_claims SET state = ?3, decision = ?4, decision_note = ?5,"
                     " decided_by = ?6, closed_at = ?7, answered_at = COALESCE(answered_at, ?7)"
                     " WHERE order_id = ?1 AND state = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, f);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, t);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, decision);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, note ? note : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 6, by);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, now);
  return pa_sq_run(db, st, rc, "close claim", NULL, moved);
}

/* ---- order messages */

int pa_store_disputes_message_add(pa_store *db, int64_t order, int64_t author, const char *body,
                                  int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO market_order_messages (order_id, author_id, body,"
                                   " created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {order, author};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, body);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "order message", id, NULL);
}

typedef struct message_ctx {
  pa_store_order_message_fn fn;
  void *ctx;
} message_ctx;

static int message_row(void *ctx, pa_sql_stmt *st) {
  message_ctx *c = ctx;
  pa_store_order_message m = {pa_sq_i64(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                              pa_sq_i64(st, 4), pa_sq_text(st, 3)};
  return c->fn(c->ctx, &m);
}

int pa_store_disputes_messages(pa_store *db, int64_t order, const pa_store_cursor *after, int limit,
                               pa_store_order_message_fn fn, void *ctx, pa_store_cursor *next,
                               int *more) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, order_id, author_id, body, created_at"
                                   " FROM market_order_messages WHERE order_id = ?1"
                                   " AND (created_at, id) < (?2, ?3)"
                                   " ORDER BY created_at DESC, id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "order messages");
  }
  message_ctx c = {fn, ctx};
  return pa_sq_page(db, st, limit, message_row, &c, 4, 0, next, more, "order messages");
}
