/* pa_commission: affiliates' commissions (commission.h). */
#include "commission.h"

#include "billing/billing.h"
#include "log.h"
#include "pa/pa_civil.h"
#include "payouts.h"
#include "store/commission.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pa_commission_rate_bp(int64_t active) {
  if (active >= PA_AFF_TIER_35_AT) return PA_AFF_RATE_35_BP;
  if (active >= PA_AFF_TIER_30_AT) return PA_AFF_RATE_30_BP;
  return PA_AFF_RATE_25_BP;
}

int64_t pa_commission_amount(int64_t base_minor, int rate_bp) {
  /* C's division truncates toward zero, as both engines' integer division
   * does in store/sql/commission.c: the sums the store makes and this agree. */
  return base_minor * rate_bp / 10000;
}

int64_t pa_commission_payout_minimum(const char *currency) {
  return pa_payouts_minimum(currency) * PA_AFF_PAYOUT_MIN_USD_EQUIV;
}

void pa_commission_month(int64_t t, char out[8]) {
  const pa_civil c = pa_civil_from_unix(t);
  /* Years 0..9999 and months 1..12: always 7 characters. */
  const unsigned y = (unsigned)(c.year % 10000), m = (unsigned)c.month % 100;
  out[0] = (char)('0' + y / 1000);
  out[1] = (char)('0' + y / 100 % 10);
  out[2] = (char)('0' + y / 10 % 10);
  out[3] = (char)('0' + y % 10);
  out[4] = '-';
  out[5] = (char)('0' + m / 10);
  out[6] = (char)('0' + m % 10);
  out[7] = '\0';
}

/* The first second of the month after month ("YYYY-MM"). */
static int64_t month_end(const char *month) {
  int y = 0, m = 0;
  if (sscanf(month, "%4d-%2d", &y, &m) != 2) return 0;
  if (++m > 12) m = 1, y++;
  return pa_civil_days(y, m, 1) * 86400;
}

/* a and b equal with ASCII letters' case folded (an address's domain is
 * case-blind, and providers and people write local parts in any case). */
static int ascii_case_equal(const char *a, const char *b) {
  for (;; a++, b++) {
    const unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    const unsigned char fx = x >= 'A' && x <= 'Z' ? (unsigned char)(x + 32) : x;
    const unsigned char fy = y >= 'A' && y <= 'Z' ? (unsigned char)(y + 32) : y;
    if (fx != fy) return 0;
    if (!x) return 1;
  }
}

static int earning(pa_store *db, const pa_commission_event *e) {
  int64_t affiliate = 0, attributed = 0;
  int rc = pa_store_commission_referrer(db, e->user, &affiliate, &attributed);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK; /* nobody referred them */
  if (rc != PA_STORE_OK) return rc;
  /* Only what is earned inside the 12 months after attribution. */
  if (e->at < attributed || e->at >= pa_billing_add_months(attributed, PA_AFF_COMMISSION_MONTHS))
    return PA_STORE_OK;
  /* The same payment account on both sides (issue 21, "Attribution"):
   * the person paid from the account the affiliate is paid into. The
   * earning is kept as refused with its reason (it pays nothing and no
   * balance counts it); the payer's address itself is never written. */
  int same = 0;
  if (e->payer && e->payer[0]) {
    char payout[PA_STORE_COMMISSION_EMAIL_MAX];
    rc = pa_store_commission_payout_email(db, affiliate, payout);
    if (rc != PA_STORE_OK) return rc;
    same = payout[0] && ascii_case_equal(payout, e->payer);
    sodium_memzero(payout, sizeof payout);
  }
  char month[8];
  pa_commission_month(e->at, month);
  pa_store_commission_row r = {.affiliate_id = affiliate,
                               .referred_id = e->user,
                               .kind = same ? "refused" : "accrual",
                               .source = e->source,
                               .movement = e->key,
                               .charge = e->key,
                               .base_minor = e->base_minor,
                               .currency = e->currency,
                               .month = month,
                               .at = e->at,
                               .release_at = e->at + PA_AFF_HOLD_SECONDS,
                               .reason = same ? "same_payment_account" : ""};
  int added = 0;
  return pa_store_commission_add(db, &r, &added);
}

static int reversal(pa_store *db, const pa_commission_event *e) {
  pa_store_commission_accrual a;
  int rc = pa_store_commission_accrual_get(db, e->parent, &a);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK; /* the charge earned no commission */
  if (rc != PA_STORE_OK) return rc;
  const int64_t back = e->base_minor < a.left_minor ? e->base_minor : a.left_minor;
  if (back <= 0) return PA_STORE_OK; /* all of it reversed already */
  /* The accrual's month and hold: it nets that month at that rate; after
   * payout the balance goes below zero (carried). */
  pa_store_commission_row r = {.affiliate_id = a.affiliate_id,
                               .referred_id = a.referred_id,
                               .kind = "reversal",
                               .source = a.source,
                               .movement = e->key,
                               .charge = e->parent,
                               .base_minor = -back,
                               .currency = a.currency,
                               .month = a.month,
                               .at = e->at,
                               .release_at = a.release_at,
                               .reason = ""};
  int added = 0;
  return pa_store_commission_add(db, &r, &added);
}

int pa_commission_record(pa_store *db, const pa_commission_event *e) {
  if (!e->key || !e->key[0] || e->base_minor <= 0 || !e->currency) return PA_STORE_OK;
  if (e->parent) return reversal(db, e);
  /* An earning is checked against the same payment account in earning(). */
  return e->user ? earning(db, e) : PA_STORE_OK;
}

typedef struct closing {
  pa_store *db;
  int64_t now;
  int n;
  struct {
    int64_t affiliate;
    char month[8];
  } open[PA_AFF_CLOSE_BATCH];
} closing;

static int open_month(void *ctx, int64_t affiliate, const char *month) {
  closing *c = ctx;
  if (c->n >= PA_AFF_CLOSE_BATCH) return 1;
  c->open[c->n].affiliate = affiliate;
  snprintf(c->open[c->n].month, sizeof c->open[c->n].month, "%s", month);
  c->n++;
  return 0;
}

void pa_commission_work(pa_store *db, int64_t now) {
  closing c = {.db = db, .now = now, .n = 0}; /* about 3 KB */
  char month[8];
  pa_commission_month(now, month);
  /* Only when a month ended or a row was written since the last complete
   * pass (an accrual of a month already over, from a late webhook, needs
   * its close too): otherwise every 5-second round would read the ledger.
   * On PostgreSQL a row can commit after a higher id was seen; its month,
   * if already over, then closes at the next month's pass at the latest. */
  int64_t last_id = 0, marked = 0, max_id = 0;
  const int64_t yyyymm = (int64_t)atoi(month) * 100 + atoi(month + 5);
  int rc = pa_store_commission_close_mark(db, &last_id, &marked, &max_id);
  if (rc != PA_STORE_OK) {
    pa_log_event("error", "commission", "%s", pa_store_errmsg(db));
    return;
  }
  if (marked == yyyymm && last_id == max_id) return;
  rc = pa_store_commission_open_months(db, month, PA_AFF_CLOSE_BATCH, open_month, &c);
  if (rc != PA_STORE_OK && rc != PA_STORE_EABORT) {
    pa_log_event("error", "commission", "%s", pa_store_errmsg(db));
    return;
  }
  for (int i = 0; i < c.n; i++) {
    /* Who had Plus at the end of the month's last day (UTC). */
    int64_t active = 0;
    const int64_t end = month_end(c.open[i].month);
    rc = pa_store_commission_active(db, c.open[i].affiliate, end - 1, &active);
    if (rc == PA_STORE_OK)
      rc = pa_store_commission_close(db, c.open[i].affiliate, c.open[i].month, active,
                                     pa_commission_rate_bp(active), now);
    if (rc != PA_STORE_OK) {
      pa_log_event("error", "commission", "%s", pa_store_errmsg(db));
      return; /* the mark stays: the next round tries again */
    }
  }
  /* A full batch may have left months open: the next round goes on. */
  if (c.n < PA_AFF_CLOSE_BATCH &&
      pa_store_commission_set_close_mark(db, max_id, yyyymm) != PA_STORE_OK)
    pa_log_event("error", "commission", "%s", pa_store_errmsg(db));
}

int pa_commission_tier(pa_store *db, int64_t affiliate, int64_t now, int *rate_bp, int64_t *active,
                       int *next_at) {
  int rc = pa_store_commission_active(db, affiliate, now, active);
  if (rc != PA_STORE_OK) return rc;
  *rate_bp = pa_commission_rate_bp(*active);
  *next_at = *active < PA_AFF_TIER_30_AT   ? PA_AFF_TIER_30_AT
             : *active < PA_AFF_TIER_35_AT ? PA_AFF_TIER_35_AT
                                           : 0;
  return PA_STORE_OK;
}
