/* pa_store_pay: subscriptions, the ledger and the webhook queue. */
#include "store/pay.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

int pa_store_pay_party(pa_store *db, int64_t user, const char *tombstone, int64_t *party) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO ledger_parties (tombstone, user_id) VALUES (?1, ?2)"
                                   " ON CONFLICT (user_id) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, tombstone);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, user);
  rc = pa_sq_run(db, st, rc, "new party", NULL, NULL);
  if (rc != PA_STORE_OK) return rc;
  return pa_sq_scalar_i64(db, "SELECT id FROM ledger_parties WHERE user_id = ?1", 1, &user, party);
}

int pa_store_pay_lock_user(pa_store *db, int64_t user) {
  int64_t id;
  return pa_sq_scalar_i64(db,
                          pa_sq_dialect(db, "SELECT id FROM users WHERE id = ?1",
                                        "SELECT id FROM users WHERE id = ?1 FOR UPDATE"),
                          1, &user, &id);
}

/* ---- subscriptions */

#define SUB_COLS                                                                                   \
  "id, COALESCE(user_id, 0), party_id, plan, provider, country, currency, amount_minor, months,"   \
  " idem_key, COALESCE(provider_id, ''), COALESCE(approve_url, ''), status,"                       \
  " cancel_at_period_end, COALESCE(next_charge_at, 0), COALESCE(failed_at, 0), checked_at,"        \
  " created_at, updated_at, version, kind = 'once'"

static void read_sub(pa_sql_stmt *st, pa_store_sub *s) {
  memset(s, 0, sizeof *s);
  s->id = pa_sq_i64(st, 0);
  s->user_id = pa_sq_i64(st, 1);
  s->party_id = pa_sq_i64(st, 2);
  copy(s->plan, sizeof s->plan, pa_sq_text(st, 3));
  copy(s->provider, sizeof s->provider, pa_sq_text(st, 4));
  copy(s->country, sizeof s->country, pa_sq_text(st, 5));
  copy(s->currency, sizeof s->currency, pa_sq_text(st, 6));
  s->amount_minor = pa_sq_i64(st, 7);
  s->months = (int)pa_sq_i64(st, 8);
  copy(s->idem_key, sizeof s->idem_key, pa_sq_text(st, 9));
  copy(s->provider_id, sizeof s->provider_id, pa_sq_text(st, 10));
  copy(s->approve_url, sizeof s->approve_url, pa_sq_text(st, 11));
  copy(s->status, sizeof s->status, pa_sq_text(st, 12));
  s->cancel_at_period_end = (int)pa_sq_i64(st, 13);
  s->next_charge_at = pa_sq_i64(st, 14);
  s->failed_at = pa_sq_i64(st, 15);
  s->checked_at = pa_sq_i64(st, 16);
  s->created_at = pa_sq_i64(st, 17);
  s->updated_at = pa_sq_i64(st, 18);
  s->version = pa_sq_i64(st, 19);
  s->once = (int)pa_sq_i64(st, 20);
}

/* Steps st for one subscription into out; releases st. */
static int one_sub(pa_store *db, pa_sql_stmt *st, int rc, pa_store_sub *out) {
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) read_sub(st, out);
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "subscription");
  pa_sq_done(st);
  return res;
}

static int bind_null_or_text(pa_sql_stmt *st, int i, const char *s) {
  return s && *s ? pa_sq_bind_text(st, i, s) : pa_sq_bind_null(st, i);
}

int pa_store_pay_subs_add(pa_store *db, const pa_store_sub *s, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO subscriptions (user_id, party_id, plan, provider, country, currency,"
          " amount_minor, months, idem_key, provider_id, approve_url, status,"
          " cancel_at_period_end, checked_at, created_at, updated_at, kind)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?14, ?15)"
          " RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, s->user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, s->party_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, s->plan);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, s->provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, s->country);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, s->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, s->amount_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, s->months);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, s->idem_key);
  if (rc == PA_SQ_OK) rc = bind_null_or_text(st, 10, s->provider_id);
  if (rc == PA_SQ_OK) rc = bind_null_or_text(st, 11, s->approve_url);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 12, s->status);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 13, s->cancel_at_period_end);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 14, s->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 15, s->once ? "once" : "subscription");
  return pa_sq_run(db, st, rc, "new subscription", id, NULL);
}

int pa_store_pay_subs_get(pa_store *db, int64_t id, pa_store_sub *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " SUB_COLS " FROM subscriptions WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  return one_sub(db, st, pa_sq_bind_i64(st, 1, id), out);
}

int pa_store_pay_subs_by_provider_id(pa_store *db, const char *provider, const char *provider_id,
                                     pa_store_sub *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " SUB_COLS
                                   " FROM subscriptions WHERE provider = ?1 AND provider_id = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, provider_id);
  return one_sub(db, st, rc, out);
}

int pa_store_pay_subs_current(pa_store *db, int64_t user, pa_store_sub *out) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT " SUB_COLS " FROM subscriptions WHERE user_id = ?1"
      " AND status IN ('active', 'suspended', 'cancelled', 'expired') ORDER BY id DESC LIMIT 1");
  if (!st) return PA_STORE_EDB;
  return one_sub(db, st, pa_sq_bind_i64(st, 1, user), out);
}

int pa_store_pay_subs_update(pa_store *db, pa_store_sub *s) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE subscriptions SET provider_id = ?2, approve_url = ?3, status = ?4,"
          " cancel_at_period_end = ?5, next_charge_at = ?6, failed_at = ?7, checked_at = ?8,"
          " updated_at = ?9, version = version + 1 WHERE id = ?1 AND version = ?10");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, s->id);
  if (rc == PA_SQ_OK) rc = bind_null_or_text(st, 2, s->provider_id);
  if (rc == PA_SQ_OK) rc = bind_null_or_text(st, 3, s->approve_url);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, s->status);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, s->cancel_at_period_end);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 6, s->next_charge_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 7, s->failed_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, s->checked_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 9, s->updated_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, s->version);
  int changes = 0;
  rc = pa_sq_run(db, st, rc, "update subscription", NULL, &changes);
  if (rc != PA_STORE_OK) return rc;
  if (changes == 0)
    return pa_sq_failf(db, PA_STORE_ECONFLICT, "subscription %lld changed meanwhile",
                       (long long)s->id);
  s->version++;
  return PA_STORE_OK;
}

typedef struct sub_fill {
  pa_store_sub *out;
  int cap, n;
} sub_fill;

static int sub_row(void *ctx, pa_sql_stmt *st) {
  sub_fill *f = ctx;
  if (f->n < f->cap) read_sub(st, &f->out[f->n++]);
  return 0;
}

int pa_store_pay_subs_open(pa_store *db, int64_t user, int64_t before, pa_store_sub *out, int cap,
                           int *n) {
  pa_sql_stmt *st =
      user > 0 ? pa_sq_stmt(db, "SELECT " SUB_COLS " FROM subscriptions WHERE user_id = ?1 AND"
                                " status IN ('unreachable', 'pending', 'active', 'suspended')"
                                " ORDER BY id LIMIT ?2")
               : pa_sq_stmt(db, "SELECT " SUB_COLS " FROM subscriptions WHERE checked_at < ?1 AND"
                                " status IN ('unreachable', 'pending', 'active', 'suspended')"
                                " ORDER BY checked_at LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user > 0 ? user : before);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, cap);
  sub_fill f = {out, cap, 0};
  rc = pa_sq_each(db, st, rc, sub_row, &f, "open subscriptions");
  *n = f.n;
  return rc;
}

/* ---- the ledger */

static int entry(pa_store *db, int64_t txn, const char *account_kind, const char *account_of,
                 const char *currency, int64_t amount) {
  if (amount == 0) return PA_STORE_OK; /* a zero fee moves nothing */
  char account[80];
  snprintf(account, sizeof account, "%s:%s", account_kind, account_of);
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO ledger_entries (txn_id, account, currency,"
                                   " amount_minor) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, txn);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, account);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, amount);
  return pa_sq_run(db, st, rc, "ledger entry", NULL, NULL);
}

int pa_store_pay_ledger_record(pa_store *db, const pa_store_txn *t, int *added) {
  *added = 0;
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO ledger_txns (provider, provider_txn, kind, parent_txn, party_id,"
          " subscription_id, plan, months, currency, gross_minor, fee_minor, occurred_at,"
          " recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
          " ON CONFLICT (provider, provider_txn) DO NOTHING RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, t->provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, t->provider_txn);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, t->kind);
  if (rc == PA_SQ_OK) rc = bind_null_or_text(st, 4, t->parent_txn);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, t->party_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 6, t->subscription_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, t->plan);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, t->months);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, t->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, t->gross_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 11, t->fee_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 12, t->occurred_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 13, t->recorded_at);
  int64_t id = 0;
  if ((rc = pa_sq_run(db, st, rc, "ledger", &id, NULL)) != PA_STORE_OK || id == 0) return rc;
  *added = 1;
  const int64_t g = t->gross_minor, f = t->fee_minor;
  if (!strcmp(t->kind, "charge")) {
    if ((rc = entry(db, id, "provider", t->provider, t->currency, g - f)) != PA_STORE_OK ||
        (rc = entry(db, id, "fees", t->provider, t->currency, f)) != PA_STORE_OK ||
        (rc = entry(db, id, "revenue", t->plan, t->currency, -g)) != PA_STORE_OK)
      return rc;
    return PA_STORE_OK;
  }
  const char *contra = !strcmp(t->kind, "refund") ? "refunds" : "chargebacks";
  if ((rc = entry(db, id, contra, t->plan, t->currency, g)) != PA_STORE_OK ||
      (rc = entry(db, id, "provider", t->provider, t->currency, -g)) != PA_STORE_OK)
    return rc;
  return PA_STORE_OK;
}

int pa_store_pay_ledger_txn_sub(pa_store *db, const char *provider, const char *provider_txn,
                                int64_t *subscription) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT COALESCE(subscription_id, 0) FROM ledger_txns"
                                   " WHERE provider = ?1 AND provider_txn = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, provider_txn);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) *subscription = pa_sq_i64(st, 0);
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "movement's subscription");
  pa_sq_done(st);
  return res;
}

int pa_store_pay_ledger_left(pa_store *db, const char *provider, const char *provider_txn,
                             int64_t *left) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT c.gross_minor - (SELECT COALESCE(sum(r.gross_minor), 0) FROM ledger_txns r"
          " WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn) FROM ledger_txns c"
          " WHERE c.provider = ?1 AND c.provider_txn = ?2 AND c.kind = 'charge'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, provider_txn);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) *left = pa_sq_i64(st, 0);
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "what is left of a charge");
  pa_sq_done(st);
  return res;
}

typedef struct charge_walk {
  int (*fn)(void *ctx, int64_t at, int months);
  void *ctx;
} charge_walk;

static int charge_row(void *ctx, pa_sql_stmt *st) {
  charge_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_i64(st, 0), (int)pa_sq_i64(st, 1));
}

int pa_store_pay_ledger_live_charges(pa_store *db, int64_t party,
                                     int (*fn)(void *ctx, int64_t at, int months), void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT c.occurred_at, c.months FROM ledger_txns c WHERE c.party_id = ?1"
          " AND c.kind = 'charge' AND c.gross_minor > (SELECT COALESCE(sum(r.gross_minor), 0)"
          " FROM ledger_txns r WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn"
          " AND r.kind = 'refund') AND NOT EXISTS (SELECT 1 FROM ledger_txns r"
          " WHERE r.provider = c.provider AND r.parent_txn = c.provider_txn"
          " AND r.kind = 'chargeback')");
  if (!st) return PA_STORE_EDB;
  charge_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, party), charge_row, &w, "live charges");
}

typedef struct receipt_walk {
  int (*fn)(void *ctx, const pa_store_receipt *r);
  void *ctx;
} receipt_walk;

static int receipt_row(void *ctx, pa_sql_stmt *st) {
  receipt_walk *w = ctx;
  pa_store_receipt r = {.id = pa_sq_i64(st, 0),
                        .at = pa_sq_i64(st, 1),
                        .gross_minor = pa_sq_i64(st, 2),
                        .fee_minor = pa_sq_i64(st, 3),
                        .kind = pa_sq_text(st, 4),
                        .provider = pa_sq_text(st, 5),
                        .plan = pa_sq_text(st, 6),
                        .currency = pa_sq_text(st, 7)};
  return w->fn(w->ctx, &r);
}

int pa_store_pay_ledger_receipts(pa_store *db, int64_t party, int limit,
                                 int (*fn)(void *ctx, const pa_store_receipt *r), void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT id, occurred_at, gross_minor, fee_minor, kind, provider, plan,"
                     " currency FROM ledger_txns WHERE party_id = ?1"
                     " ORDER BY occurred_at DESC, id DESC LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, party);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  receipt_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, receipt_row, &w, "receipts");
}

int pa_store_pay_set_plus_until(pa_store *db, int64_t user, int64_t until) {
  int64_t a[2] = {user, until};
  return pa_sq_exec_i64(db, "UPDATE users SET plus_until = ?2 WHERE id = ?1", 2, a, NULL);
}

int pa_store_pay_plus_until(pa_store *db, int64_t user, int64_t *until) {
  return pa_sq_scalar_i64(db, "SELECT plus_until FROM users WHERE id = ?1", 1, &user, until);
}

typedef struct user_walk {
  int (*fn)(void *ctx, int64_t user);
  void *ctx;
} user_walk;

static int user_row(void *ctx, pa_sql_stmt *st) {
  user_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_i64(st, 0));
}

int pa_store_pay_lapsed(pa_store *db, int64_t after, int64_t upto,
                        int (*fn)(void *ctx, int64_t user), void *ctx) {
  /* Not those already told of this end (billing.c's recompute tells when a
   * change ends Plus at once). */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT id FROM users u WHERE plus_until > ?1 AND plus_until <= ?2"
                     " AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.user_id = u.id"
                     " AND n.kind = 'billing_downgraded' AND n.created_at >= u.plus_until)"
                     " ORDER BY id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, after);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, upto);
  user_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, user_row, &w, "lapsed");
}

int pa_store_pay_swept(pa_store *db, int64_t *at) {
  int rc = pa_sq_scalar_i64(db, "SELECT value FROM meta WHERE key = 'billing_swept'", 0, NULL, at);
  if (rc == PA_STORE_ENOTFOUND) {
    *at = 0;
    return PA_STORE_OK;
  }
  return rc;
}

int pa_store_pay_set_swept(pa_store *db, int64_t at) {
  return pa_sq_exec_i64(db,
                        "INSERT INTO meta (key, value) VALUES ('billing_swept', ?1)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        1, &at, NULL);
}

int pa_store_pay_notice_add(pa_store *db, int64_t user, const char *kind, int64_t at) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO notices (user_id, kind, created_at) VALUES (?1, "
                                   "'billing_' || CAST(?2 AS TEXT), ?3)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, at);
  return pa_sq_run(db, st, rc, "billing notice", NULL, NULL);
}

typedef struct notice_walk {
  int (*fn)(void *ctx, const char *kind, int64_t at);
  void *ctx;
} notice_walk;

static int notice_row(void *ctx, pa_sql_stmt *st) {
  notice_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_text(st, 0), pa_sq_i64(st, 1));
}

int pa_store_pay_notices(pa_store *db, int64_t user, int limit,
                         int (*fn)(void *ctx, const char *kind, int64_t at), void *ctx) {
  /* notices (schema 12) keeps billing's beside the others, as billing_<kind>. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT substr(kind, 9), created_at FROM notices WHERE user_id = ?1"
                     " AND kind IN ('billing_renewal_failed', 'billing_downgraded')"
                     " ORDER BY created_at DESC, id DESC LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  notice_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, notice_row, &w, "billing notices");
}

/* ---- the webhook queue */

int pa_store_pay_event_add(pa_store *db, const char *provider, const char *event_id,
                           const unsigned char *body, size_t len, const char *query, int64_t now,
                           int *added) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO pay_events (provider, event_id, body, query,"
                                   " received_at, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                                   " ON CONFLICT (provider, event_id) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, event_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 3, body, len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, query);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  int changes = 0;
  rc = pa_sq_run(db, st, rc, "queue event", NULL, &changes);
  *added = changes > 0;
  return rc;
}

int pa_store_pay_event_next(pa_store *db, int64_t now, pa_store_pay_event *out) {
  memset(out, 0, sizeof *out);
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, provider, event_id, body, query, attempts"
                                   " FROM pay_events WHERE done_at IS NULL AND next_at <= ?1"
                                   " ORDER BY next_at, id LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, now);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int res = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : PA_STORE_OK;
  if (rc == PA_SQ_ROW) {
    size_t len = 0;
    const unsigned char *body = pa_sq_blob(st, 3, &len);
    const char *query = pa_sq_text(st, 4);
    out->id = pa_sq_i64(st, 0);
    copy(out->provider, sizeof out->provider, pa_sq_text(st, 1));
    copy(out->event_id, sizeof out->event_id, pa_sq_text(st, 2));
    out->attempts = (int)pa_sq_i64(st, 5);
    out->body = malloc(len + 1);
    out->query = query ? strdup(query) : NULL;
    if (!out->body || (query && !out->query)) {
      free(out->body);
      free(out->query);
      memset(out, 0, sizeof *out);
      res = PA_STORE_ENOMEM;
    } else {
      if (len) memcpy(out->body, body, len);
      out->body[len] = 0;
      out->len = len;
    }
  } else if (rc != PA_SQ_DONE) {
    res = pa_sq_fail(db, "next event");
  }
  pa_sq_done(st);
  return res;
}

int pa_store_pay_event_done(pa_store *db, int64_t id, int64_t now) {
  int64_t a[2] = {id, now};
  return pa_sq_exec_i64(db,
                        "UPDATE pay_events SET done_at = ?2, attempts = attempts + 1"
                        " WHERE id = ?1",
                        2, a, NULL);
}

int pa_store_pay_event_retry(pa_store *db, int64_t id, int64_t next_at) {
  int64_t a[2] = {id, next_at};
  return pa_sq_exec_i64(db,
                        "UPDATE pay_events SET next_at = ?2, attempts = attempts + 1"
                        " WHERE id = ?1",
                        2, a, NULL);
}

int pa_store_pay_events_prune(pa_store *db, int64_t before) {
  return pa_sq_exec_i64(db, "DELETE FROM pay_events WHERE done_at IS NOT NULL AND received_at < ?1",
                        1, &before, NULL);
}

int pa_store_pay_events_pending(pa_store *db, int64_t *n) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM pay_events WHERE done_at IS NULL", 0, NULL, n);
}
