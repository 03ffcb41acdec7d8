/* pa_api — an affiliate's money (issue 21, items 3–5; CONTRACT21.md
 * "Money"; commission.h): the payout account, earnings and their CSV.
 * Every route is the viewer's own (no id names anyone else), so nobody
 * else's money is ever shown; someone who has not joined is told so
 * (409 not_an_affiliate), as seller-only routes say not_a_seller. */
#include "api/api.h"
#include "buf.h"
#include "clock.h"
#include "commission.h"
#include "commission_text.h"
#include "srv_internal.h"
#include "store/commission.h"
#include "store/payouts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0 when the viewer is an affiliate; -1 with the answer sent otherwise. */
static int affiliate_only(pa_srv_req *rq, int *rate_bp, int64_t *active, int *next_at) {
  int rc = pa_commission_tier(rq->db, rq->viewer, pa_clock_now(), rate_bp, active, next_at);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "affiliate tier");
    return -1;
  }
  int64_t joined = 0;
  rc = pa_store_commission_is_affiliate(rq->db, rq->viewer, &joined);
  if (rc == PA_STORE_OK && joined) return 0;
  if (rc == PA_STORE_OK)
    pa_api_error(rq, 409, "not_an_affiliate",
                 "Join the affiliate program (POST /api/v1/affiliate) to have earnings", NULL);
  else
    pa_api_internal(rq, "affiliate");
  return -1;
}

void pa_api_affiliate_payout_put(pa_srv_req *rq) {
  cJSON *body = NULL;
  char email[PA_AFF_EMAIL_MAX + 1], err[128], field[32];
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_commission_payout_parse(body, email, err, field);
  cJSON_Delete(body);
  if (bad) {
    pa_api_field_error(rq, 400, "bad_request", err, field[0] ? field : NULL);
    return;
  }
  int rc = pa_store_commission_set_payout(rq->db, rq->viewer, email);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_error(rq, 409, "not_an_affiliate",
                 "Join the affiliate program (POST /api/v1/affiliate) to be paid", NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "payout email");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddStringToObject(root, "paypal_email", email)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* The months' list and the provisional rate an open month shows. */
typedef struct month_list {
  cJSON *rows;
  int provisional_bp;
} month_list;

static int add_month(void *ctx, const char *month, const char *currency, int64_t conversions,
                     int64_t base, int rate_bp, int64_t commission) {
  const month_list *m = ctx;
  cJSON *o = pa_api_array_add_object(m->rows);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "month", month) ||
                 !cJSON_AddStringToObject(o, "currency", currency) ||
                 !cJSON_AddNumberToObject(o, "conversions", (double)conversions) ||
                 !cJSON_AddNumberToObject(o, "base_minor", (double)base) ||
                 !cJSON_AddNumberToObject(o, "commission_minor", (double)commission) ||
                 !cJSON_AddNumberToObject(o, "rate_bp", rate_bp ? rate_bp : m->provisional_bp) ||
                 !cJSON_AddBoolToObject(o, "final", rate_bp != 0)
             ? -1
             : 0;
}

static int add_balance(void *ctx, const char *currency, int64_t pending, int64_t approved,
                       int64_t paid, int64_t carried) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "currency", currency) ||
                 !cJSON_AddNumberToObject(o, "pending_minor", (double)pending) ||
                 !cJSON_AddNumberToObject(o, "approved_minor", (double)approved) ||
                 !cJSON_AddNumberToObject(o, "paid_minor", (double)paid) ||
                 !cJSON_AddNumberToObject(o, "carried_minor", (double)carried) ||
                 !cJSON_AddNumberToObject(o, "payout_minimum_minor",
                                          (double)pa_commission_payout_minimum(currency))
             ? -1
             : 0;
}

static int add_commission(void *ctx, const pa_store_commission_item *it) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "com", it->id) || pa_api_add_time(o, "at", it->at) ||
                 !cJSON_AddStringToObject(o, "source", it->source) ||
                 !cJSON_AddStringToObject(o, "state", it->state) ||
                 !cJSON_AddNumberToObject(o, "base_minor", (double)it->base_minor) ||
                 !cJSON_AddNumberToObject(o, "commission_minor", (double)it->commission_minor) ||
                 !cJSON_AddStringToObject(o, "currency", it->currency) ||
                 pa_api_add_time(o, "release_at", it->release_at)
             ? -1
             : 0;
}

static int add_payout(void *ctx, const pa_store_payout_item *it) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  /* Unclaimed waits at PayPal for the receiver: still pending for them. */
  const char *state = it->state == PA_PAYOUT_ITEM_PAID       ? "paid"
                      : it->state == PA_PAYOUT_ITEM_RETURNED ? "returned"
                                                             : "pending";
  return pa_api_add_id(o, "id", "apo", it->id) || pa_api_add_time(o, "at", it->created_at) ||
                 !cJSON_AddNumberToObject(o, "amount_minor", (double)it->amount_minor) ||
                 !cJSON_AddStringToObject(o, "currency", it->currency) ||
                 !cJSON_AddStringToObject(o, "state", state)
             ? -1
             : 0;
}

void pa_api_affiliate_earnings(pa_srv_req *rq) {
  int rate = 0, next_at = 0, more = 0;
  int64_t active = 0;
  const int64_t now = pa_clock_now();
  if (affiliate_only(rq, &rate, &active, &next_at) != 0) return;
  cJSON *root = cJSON_CreateObject();
  cJSON *tier = root ? cJSON_AddObjectToObject(root, "tier") : NULL;
  cJSON *months = root ? cJSON_AddArrayToObject(root, "months") : NULL;
  cJSON *bal = root ? cJSON_AddArrayToObject(root, "balances") : NULL;
  cJSON *coms = root ? cJSON_AddArrayToObject(root, "commissions") : NULL;
  cJSON *pays = root ? cJSON_AddArrayToObject(root, "payouts") : NULL;
  month_list mctx = {months, rate};
  pa_store_cursor next = {0, 0};
  int ok = tier && months && bal && coms && pays &&
           cJSON_AddNumberToObject(tier, "rate_bp", rate) &&
           cJSON_AddNumberToObject(tier, "active_subscribers", (double)active) &&
           (next_at ? cJSON_AddNumberToObject(tier, "next_at", next_at)
                    : cJSON_AddNullToObject(tier, "next_at")) &&
           pa_store_commission_months(rq->db, rq->viewer, rate, add_month, &mctx) == PA_STORE_OK &&
           pa_store_commission_balances(rq->db, rq->viewer, rate, now, add_balance, bal) ==
               PA_STORE_OK &&
           pa_store_commission_list(rq->db, rq->viewer, rate, now, PA_AFF_LIST_MAX, add_commission,
                                    coms) == PA_STORE_OK &&
           pa_store_payouts_list(rq->db, PA_PAYEE_AFFILIATE, rq->viewer, NULL, PA_API_LIST_MAX,
                                 add_payout, pays, &next, &more) == PA_STORE_OK;
  if (!ok) {
    cJSON_Delete(root);
    pa_api_internal(rq, "earnings");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* A text cell, quoted and formula-safe (commission_text.h), then sep. */
static void csv_cell(pa_buf *c, const char *s, const char *sep) {
  char cell[PA_AFF_CSV_CELL_MAX];
  if (pa_commission_csv_cell(s, cell, sizeof cell) != 0) {
    c->failed = 1;
    return;
  }
  pa_buf_puts(c, cell);
  pa_buf_puts(c, sep);
}

static int csv_row(void *ctx, const pa_store_commission_item *it) {
  pa_buf *c = ctx;
  char id[32], at[32], release[32], num[32];
  snprintf(id, sizeof id, "com_%lld", (long long)it->id);
  pa_api_format_time(it->at, at);
  pa_api_format_time(it->release_at, release);
  csv_cell(c, id, ",");
  csv_cell(c, at, ",");
  csv_cell(c, it->source, ",");
  csv_cell(c, it->state, ",");
  snprintf(num, sizeof num, "%lld,", (long long)it->base_minor);
  pa_buf_puts(c, num);
  snprintf(num, sizeof num, "%lld,", (long long)it->commission_minor);
  pa_buf_puts(c, num);
  csv_cell(c, it->currency, ",");
  csv_cell(c, release, "\r\n");
  return c->failed ? -1 : 0;
}

void pa_api_affiliate_earnings_csv(pa_srv_req *rq) {
  int rate = 0, next_at = 0;
  int64_t active = 0;
  if (affiliate_only(rq, &rate, &active, &next_at) != 0) return;
  pa_buf c = {0}; /* the CSV, growing as rows come */
  pa_buf_puts(&c, "id,at,source,state,base_minor,commission_minor,currency,release_at\r\n");
  int rc = pa_store_commission_list(rq->db, rq->viewer, rate, pa_clock_now(), PA_AFF_CSV_ROWS_MAX,
                                    csv_row, &c);
  if (rc != PA_STORE_OK || c.failed) {
    free(c.p);
    pa_api_internal(rq, "earnings csv");
    return;
  }
  const pa_srv_header disp = {"Content-Disposition", "attachment; filename=\"earnings.csv\""};
  pa_srv_send(rq, 200, "text/csv; charset=utf-8", "no-store", &disp, 1, c.p, c.len);
  free(c.p);
}
