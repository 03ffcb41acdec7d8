/* pa_store_aff: affiliates, their clicks and referrals (store/affiliates.h). */
#include "store/affiliates.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

int pa_store_aff_get(pa_store *db, int64_t user, pa_store_affiliate *out) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT user_id, code, kind, joined_at, payout_email FROM affiliates WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out_rc;
  if (rc == PA_SQ_ROW) {
    const char *code = pa_sq_text(st, 1), *kind = pa_sq_text(st, 2), *mail = pa_sq_text(st, 4);
    memset(out, 0, sizeof *out);
    out->user_id = pa_sq_i64(st, 0);
    snprintf(out->code, sizeof out->code, "%s", code ? code : "");
    snprintf(out->kind, sizeof out->kind, "%s", kind ? kind : "");
    out->joined_at = pa_sq_i64(st, 3);
    out->has_payout_email = mail != NULL;
    snprintf(out->payout_email, sizeof out->payout_email, "%s", mail ? mail : "");
    out_rc = PA_STORE_OK;
  } else {
    out_rc = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "affiliate");
  }
  pa_sq_done(st);
  return out_rc;
}

int pa_store_aff_join(pa_store *db, int64_t user, const char *code, const char *kind, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO affiliates (user_id, code, kind, joined_at)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int b = pa_sq_bind_i64(st, 1, user);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, code);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, kind);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, now);
  int rc = pa_sq_run(db, st, b, "join affiliates", NULL, &changed);
  if (rc == PA_STORE_OK && !changed)
    return pa_sq_failf(db, PA_STORE_ECONFLICT, "join affiliates: code taken or joined");
  return rc;
}

int pa_store_aff_by_code(pa_store *db, const char *code, int64_t *user,
                         char email[PA_STORE_EMAIL_MAX + 1]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT a.user_id, u.email FROM affiliates a"
                                   " JOIN users u ON u.id = a.user_id WHERE a.code = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, code);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out;
  if (rc == PA_SQ_ROW) {
    const char *mail = pa_sq_text(st, 1);
    *user = pa_sq_i64(st, 0);
    snprintf(email, PA_STORE_EMAIL_MAX + 1, "%s", mail ? mail : "");
    out = PA_STORE_OK;
  } else {
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "affiliate by code");
  }
  pa_sq_done(st);
  return out;
}

int pa_store_aff_click(pa_store *db, int64_t affiliate, int64_t at, int64_t day, const char *source,
                       int max, int *counted) {
  /* One statement: the count and the insert see the same rows (SQLite's one
   * writer; on PostgreSQL two clicks at the same instant may both pass, one
   * click over the limit at most). */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO aff_clicks (affiliate_id, at, day, source_hash)"
          " SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS TEXT)"
          " WHERE (SELECT count(*) FROM aff_clicks"
          " WHERE affiliate_id = ?1 AND source_hash = ?4 AND day = ?3) < ?5");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int b = pa_sq_bind_i64(st, 1, affiliate);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, at);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, day);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 4, source);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, max);
  int rc = pa_sq_run(db, st, b, "affiliate click", NULL, &changed);
  *counted = rc == PA_STORE_OK && changed > 0;
  return rc;
}

int pa_store_aff_attributed_since(pa_store *db, int64_t affiliate, const char *source,
                                  int64_t since, int64_t *n) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT count(*) FROM aff_referrals WHERE affiliate_id = ?1"
                                   " AND source_hash = ?2 AND attributed_at >= ?3"
                                   " AND state = 'attributed'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, affiliate);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, source);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, since);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) *n = pa_sq_i64(st, 0);
  pa_sq_done(st);
  return rc == PA_SQ_ROW ? PA_STORE_OK : pa_sq_fail(db, "attributed sign-ups");
}

int pa_store_aff_refer(pa_store *db, int64_t referred, int64_t affiliate, int64_t clicked_at,
                       int64_t at, const char *reason, const char *source) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO aff_referrals (referred_id, affiliate_id, clicked_at,"
          " attributed_at, state, reason, source_hash) VALUES (?1, ?2, ?3, ?4,"
          " CASE WHEN CAST(?5 AS TEXT) IS NULL THEN 'attributed' ELSE 'refused' END, ?5, ?6)");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, referred);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, affiliate);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, clicked_at);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, at);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 5, reason);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 6, source);
  return pa_sq_run(db, st, b, "referral", NULL, NULL);
}

typedef struct day_ctx {
  pa_store_aff_day_fn fn;
  void *ctx;
} day_ctx;

static int day_row(void *ctx, pa_sql_stmt *st) {
  day_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_i64(st, 0), pa_sq_i64(st, 1));
}

static int days(pa_store *db, const char *sql, int64_t affiliate, int64_t since,
                pa_store_aff_day_fn fn, void *ctx, const char *what) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, affiliate);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, since);
  day_ctx c = {fn, ctx};
  return pa_sq_each(db, st, b, day_row, &c, what);
}

int pa_store_aff_click_days(pa_store *db, int64_t affiliate, int64_t since_day,
                            pa_store_aff_day_fn fn, void *ctx) {
  return days(db,
              "SELECT day, count(*) FROM aff_clicks WHERE affiliate_id = ?1 AND day >= ?2"
              " GROUP BY day ORDER BY day",
              affiliate, since_day, fn, ctx, "affiliate clicks");
}

int pa_store_aff_signup_days(pa_store *db, int64_t affiliate, int64_t since, pa_store_aff_day_fn fn,
                             void *ctx) {
  /* Integer division on both engines (BIGINT / integer literal). */
  return days(db,
              "SELECT attributed_at / 86400, count(*) FROM aff_referrals WHERE affiliate_id = ?1"
              " AND state = 'attributed' AND attributed_at >= ?2"
              " GROUP BY attributed_at / 86400 ORDER BY attributed_at / 86400",
              affiliate, since, fn, ctx, "affiliate sign-ups");
}

typedef struct reason_ctx {
  pa_store_aff_reason_fn fn;
  void *ctx;
} reason_ctx;

static int reason_row(void *ctx, pa_sql_stmt *st) {
  reason_ctx *c = ctx;
  const char *reason = pa_sq_text(st, 0);
  return c->fn(c->ctx, reason ? reason : "", pa_sq_i64(st, 1));
}

int pa_store_aff_refusals(pa_store *db, int64_t affiliate, pa_store_aff_reason_fn fn, void *ctx) {
  /* Refused sign-ups, and the referred people one of whose earnings the
   * commissions refused (same_payment_account, store/commission.h): each
   * person once per reason. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT reason, CAST(sum(n) AS BIGINT) FROM (SELECT reason, count(*) AS n"
          " FROM aff_referrals WHERE affiliate_id = ?1 AND state = 'refused' GROUP BY reason"
          " UNION ALL SELECT reason, count(DISTINCT referred_id) FROM aff_commissions"
          " WHERE affiliate_id = ?1 AND kind = 'refused' GROUP BY reason) x"
          " GROUP BY reason ORDER BY reason");
  if (!st) return PA_STORE_EDB;
  reason_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, affiliate), reason_row, &c, "refusals");
}
