/* pa_store_commission: the affiliates' commission ledger (store/commission.h). */
#include "store/commission.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

int pa_store_commission_referrer(pa_store *db, int64_t user, int64_t *affiliate,
                                 int64_t *attributed_at) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT affiliate_id, attributed_at FROM aff_referrals"
                                   " WHERE referred_id = ?1 AND state = 'attributed'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    *affiliate = pa_sq_i64(st, 0);
    *attributed_at = pa_sq_i64(st, 1);
  }
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "referrer");
  pa_sq_done(st);
  return res;
}

int pa_store_commission_add(pa_store *db, const pa_store_commission_row *r, int *added) {
  *added = 0;
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO aff_commissions (affiliate_id, referred_id, kind, source, movement,"
          " charge, base_minor, currency, month, at, release_at, reason) VALUES (?1, ?2, ?3, ?4,"
          " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (movement) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, r->affiliate_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, r->referred_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, r->kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, r->source);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, r->movement);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, r->charge);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, r->base_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 8, r->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, r->month);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, r->at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 11, r->release_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 12, r->reason ? r->reason : "");
  int changes = 0;
  rc = pa_sq_run(db, st, rc, "commission", NULL, &changes);
  *added = changes > 0;
  return rc;
}

int pa_store_commission_accrual_get(pa_store *db, const char *charge,
                                    pa_store_commission_accrual *out) {
  memset(out, 0, sizeof *out);
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT a.affiliate_id, a.referred_id, CAST(a.base_minor + (SELECT"
          " COALESCE(sum(r.base_minor), 0) FROM aff_commissions r WHERE r.charge = a.movement"
          " AND r.kind = 'reversal') AS BIGINT), a.release_at, a.source, a.currency, a.month"
          " FROM aff_commissions a WHERE a.movement = ?1 AND a.kind = 'accrual'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, charge);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    out->affiliate_id = pa_sq_i64(st, 0);
    out->referred_id = pa_sq_i64(st, 1);
    out->left_minor = pa_sq_i64(st, 2);
    out->release_at = pa_sq_i64(st, 3);
    copy(out->source, sizeof out->source, pa_sq_text(st, 4));
    copy(out->currency, sizeof out->currency, pa_sq_text(st, 5));
    copy(out->month, sizeof out->month, pa_sq_text(st, 6));
  }
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "accrual");
  pa_sq_done(st);
  return res;
}

int pa_store_commission_active(pa_store *db, int64_t affiliate, int64_t at, int64_t *n) {
  int64_t a[2] = {affiliate, at};
  return pa_sq_scalar_i64(
      db,
      "SELECT count(*) FROM aff_referrals r JOIN users u ON u.id = r.referred_id"
      " WHERE r.affiliate_id = ?1 AND r.state = 'attributed'"
      " AND u.plus_until > ?2",
      2, a, n);
}

typedef struct month_walk {
  int (*fn)(void *ctx, int64_t affiliate, const char *month);
  void *ctx;
} month_walk;

static int open_row(void *ctx, pa_sql_stmt *st) {
  month_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_i64(st, 0), pa_sq_text(st, 1));
}

int pa_store_commission_open_months(pa_store *db, const char *month, int limit,
                                    int (*fn)(void *ctx, int64_t affiliate, const char *month),
                                    void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT DISTINCT c.affiliate_id, c.month FROM aff_commissions c WHERE c.month < ?1"
          " AND NOT EXISTS (SELECT 1 FROM aff_months m WHERE m.affiliate_id = c.affiliate_id"
          " AND m.month = c.month) ORDER BY c.month, c.affiliate_id LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, month);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  month_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, open_row, &w, "open months");
}

int pa_store_commission_close(pa_store *db, int64_t affiliate, const char *month, int64_t active,
                              int rate_bp, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO aff_months (affiliate_id, month, active, rate_bp,"
                                   " closed_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                                   " ON CONFLICT (affiliate_id, month) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, month);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, active);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, rate_bp);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, rc, "close month", NULL, NULL);
}

/* ---- the affiliate's view */

/* A row's rate: its month's closed rate, else the provisional one (?2). */
#define RATE_OF(c)                                                                                 \
  "COALESCE((SELECT m.rate_bp FROM aff_months m WHERE m.affiliate_id = " c                         \
  ".affiliate_id AND m.month = " c ".month), ?2)"

typedef struct months_walk {
  pa_store_commission_month_fn fn;
  void *ctx;
} months_walk;

static int month_row(void *ctx, pa_sql_stmt *st) {
  months_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2), pa_sq_i64(st, 3),
               (int)pa_sq_i64(st, 4), pa_sq_i64(st, 5));
}

int pa_store_commission_months(pa_store *db, int64_t affiliate, int provisional_bp,
                               pa_store_commission_month_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT month, currency, CAST(sum(CASE WHEN kind = 'accrual' THEN 1 ELSE 0 END)"
          " AS BIGINT), CAST(sum(base_minor) AS BIGINT), COALESCE(max(closed), 0),"
          " CAST(sum(base_minor * rate / 10000) AS BIGINT) FROM (SELECT c.month, c.currency,"
          " c.kind, c.base_minor, " RATE_OF(
              "c") " AS rate, (SELECT m.rate_bp FROM aff_months m"
                   " WHERE m.affiliate_id = c.affiliate_id AND m.month = c.month) AS closed"
                   " FROM aff_commissions c WHERE c.affiliate_id = ?1 AND c.kind <> 'refused') x"
                   " GROUP BY month, currency ORDER BY month, currency");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, provisional_bp);
  months_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, month_row, &w, "commission months");
}

typedef struct balance_walk {
  pa_store_commission_balance_fn fn;
  void *ctx;
} balance_walk;

static int balance_row(void *ctx, pa_sql_stmt *st) {
  balance_walk *w = ctx;
  const int64_t approved = pa_sq_i64(st, 2), paid = pa_sq_i64(st, 3);
  const int64_t left = approved - paid;
  return w->fn(w->ctx, pa_sq_text(st, 0), pa_sq_i64(st, 1), left > 0 ? left : 0, paid,
               left < 0 ? left : 0);
}

int pa_store_commission_balances(pa_store *db, int64_t affiliate, int provisional_bp, int64_t now,
                                 pa_store_commission_balance_fn fn, void *ctx) {
  /* Approved: released (?3) in a closed month; pending: the rest, at the
   * provisional rate where the month is open. Paid: net payouts. */
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT currency, CAST(sum(pending) AS BIGINT), CAST(sum(approved) AS BIGINT),"
      " CAST(sum(paid) AS BIGINT) FROM (SELECT c.currency AS currency,"
      " CASE WHEN c.release_at > ?3 OR NOT EXISTS (SELECT 1 FROM aff_months m"
      " WHERE m.affiliate_id = c.affiliate_id AND m.month = c.month)"
      " THEN c.base_minor * " RATE_OF(
          "c") " / 10000 ELSE 0 END AS pending,"
               " CASE WHEN c.release_at <= ?3 AND EXISTS (SELECT 1 FROM aff_months m"
               " WHERE m.affiliate_id = c.affiliate_id AND m.month = c.month)"
               " THEN c.base_minor * " RATE_OF(
                   "c") " / 10000 ELSE 0 END AS approved, 0 AS paid"
                        " FROM aff_commissions c WHERE c.affiliate_id = ?1 AND c.kind <> 'refused'"
                        " UNION ALL SELECT currency, 0, 0, amount_minor FROM aff_payout_ledger"
                        " WHERE affiliate_id = ?1) x GROUP BY currency ORDER BY currency");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, provisional_bp);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  balance_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, balance_row, &w, "commission balances");
}

typedef struct list_walk {
  int (*fn)(void *ctx, const pa_store_commission_item *it);
  void *ctx;
} list_walk;

static int list_row(void *ctx, pa_sql_stmt *st) {
  list_walk *w = ctx;
  const int64_t base = pa_sq_i64(st, 3);
  const int closed = (int)pa_sq_i64(st, 7), paid = (int)pa_sq_i64(st, 8);
  const int64_t release = pa_sq_i64(st, 2), now = pa_sq_i64(st, 9);
  pa_store_commission_item it = {.id = pa_sq_i64(st, 0),
                                 .at = pa_sq_i64(st, 1),
                                 .release_at = release,
                                 .base_minor = base,
                                 .commission_minor = pa_sq_i64(st, 4),
                                 .source = pa_sq_text(st, 5),
                                 .currency = pa_sq_text(st, 6),
                                 .state = base <= 0                  ? "reversed"
                                          : release > now || !closed ? "pending"
                                          : paid                     ? "paid"
                                                                     : "approved"};
  return w->fn(w->ctx, &it);
}

int pa_store_commission_list(pa_store *db, int64_t affiliate, int provisional_bp, int64_t now,
                             int limit, int (*fn)(void *ctx, const pa_store_commission_item *it),
                             void *ctx) {
  /* Each accrual with its reversals netted (a reversal is no line of its
   * own: it changes its accrual's). Paid: an affiliate payout item not
   * returned was made at or after its release. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT a.id, a.at, a.release_at, CAST(a.base_minor + COALESCE((SELECT"
          " sum(r.base_minor) FROM aff_commissions r WHERE r.charge = a.movement"
          " AND r.kind = 'reversal'), 0) AS BIGINT), CAST(a.base_minor "
          "* " RATE_OF("a") " / 10000 + COALESCE((SELECT sum(r.base_minor "
                            "* " RATE_OF("r") " / 10000)"
                                              " FROM aff_commissions r WHERE r.charge = "
                                              "a.movement AND r.kind = 'reversal'), 0)"
                                              " AS BIGINT), a.source, a.currency, EXISTS "
                                              "(SELECT 1 FROM aff_months m"
                                              " WHERE m.affiliate_id = a.affiliate_id "
                                              "AND m.month = a.month), EXISTS (SELECT 1"
                                              " FROM market_payout_items i WHERE "
                                              "i.seller_id = a.affiliate_id"
                                              " AND i.payee = 'affiliate' AND i.currency "
                                              "= a.currency AND i.state <> 'returned'"
                                              " AND i.created_at >= a.release_at), ?3 "
                                              "FROM aff_commissions a"
                                              " WHERE a.affiliate_id = ?1 AND a.kind = "
                                              "'accrual'"
                                              " ORDER BY a.at DESC, a.id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, provisional_bp);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, limit);
  list_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, list_row, &w, "commissions");
}

int pa_store_commission_set_payout(pa_store *db, int64_t affiliate, const char *email) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE affiliates SET payout_email = ?2 WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, email);
  int changes = 0;
  rc = pa_sq_run(db, st, rc, "payout email", NULL, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_commission_payout_email(pa_store *db, int64_t affiliate,
                                     char out[PA_STORE_COMMISSION_EMAIL_MAX]) {
  out[0] = '\0';
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT COALESCE(payout_email, '') FROM affiliates WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) copy(out, PA_STORE_COMMISSION_EMAIL_MAX, pa_sq_text(st, 0));
  int res = rc == PA_SQ_ROW || rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "payout email");
  pa_sq_done(st);
  return res;
}

int pa_store_commission_payouts_in_flight(pa_store *db, int64_t affiliate, int64_t *n) {
  return pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM market_payout_items WHERE payee = 'affiliate'"
                          " AND seller_id = ?1 AND state IN ('pending', 'unclaimed')",
                          1, &affiliate, n);
}

int pa_store_commission_is_affiliate(pa_store *db, int64_t user, int64_t *joined) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM affiliates WHERE user_id = ?1", 1, &user,
                          joined);
}

int pa_store_commission_close_mark(pa_store *db, int64_t *last_id, int64_t *month,
                                   int64_t *max_id) {
  *last_id = *month = *max_id = 0;
  int rc =
      pa_sq_scalar_i64(db, "SELECT value FROM meta WHERE key = 'aff_close_id'", 0, NULL, last_id);
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    rc = pa_sq_scalar_i64(db, "SELECT value FROM meta WHERE key = 'aff_close_month'", 0, NULL,
                          month);
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    rc = pa_sq_scalar_i64(db, "SELECT COALESCE(max(id), 0) FROM aff_commissions", 0, NULL, max_id);
  return rc;
}

int pa_store_commission_set_close_mark(pa_store *db, int64_t last_id, int64_t month) {
  int64_t a[2] = {last_id, month};
  return pa_sq_exec_i64(
      db,
      "INSERT INTO meta (key, value) VALUES ('aff_close_id', ?1), ('aff_close_month',"
      " ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      2, a, NULL);
}
