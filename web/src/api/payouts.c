/* pa_api — the seller's dashboard and payouts (issue 20, item 5;
 * web/README.md, "Marketplace: payouts"). Both are the viewer's own: there
 * is no way to name another seller, so nobody else's money is ever shown.
 * Someone without a seller profile is told so (409 not_a_seller), as the
 * other seller-only routes do. */
#include "store/payouts.h"

#include "api/api.h"
#include "clock.h"
#include "market_order.h"
#include "pa/pa_civil.h"
#include "payouts.h"
#include "store/market.h"

#include <stdio.h>
#include <string.h>

enum { DASHBOARD_MONTHS = 12 /* months of sales the dashboard shows, this one included */ };

/* 0 when the viewer is a seller; -1 with the answer sent otherwise. */
static int seller_only(pa_srv_req *rq) {
  pa_store_market_seller s;
  int rc = pa_store_market_seller_get(rq->db, rq->viewer, &s);
  if (rc == PA_STORE_OK) return 0;
  if (rc == PA_STORE_ENOTFOUND)
    pa_api_error(rq, 409, "not_a_seller",
                 "Set up your seller profile (PUT /api/v1/me/seller) to have a dashboard", NULL);
  else
    pa_api_internal(rq, "seller");
  return -1;
}

static int add_balance(void *ctx, const char *currency, int64_t pending, int64_t available,
                       int64_t in_flight, int64_t paid_out) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "currency", currency) ||
                 !cJSON_AddNumberToObject(o, "pending_minor", (double)pending) ||
                 !cJSON_AddNumberToObject(o, "available_minor", (double)available) ||
                 !cJSON_AddNumberToObject(o, "in_flight_minor", (double)in_flight) ||
                 !cJSON_AddNumberToObject(o, "paid_out_minor", (double)paid_out) ||
                 !cJSON_AddNumberToObject(o, "payout_minimum_minor",
                                          (double)pa_payouts_minimum(currency))
             ? -1
             : 0;
}

/* The months of the dashboard, oldest first ("YYYY-MM", UTC), and the
 * start of the oldest. */
typedef struct months {
  char name[DASHBOARD_MONTHS][16]; /* "YYYY-MM" */
  int64_t since;
} months;

static void month_names(int64_t now, months *m) {
  const pa_civil c = pa_civil_from_unix(now);
  int64_t y = c.year;
  int mo = c.month; /* 1..12 */
  for (int i = DASHBOARD_MONTHS - 1; i >= 0; i--) {
    snprintf(m->name[i], sizeof m->name[i], "%04d-%02d", (int)(y % 10000), mo);
    if (i == 0) m->since = pa_civil_days(y, mo, 1) * 86400;
    if (--mo < 1) mo = 12, y--;
  }
}

typedef struct sales {
  const months *m;
  cJSON *rows; /* what the store found, then filled out below */
} sales;

static int add_sale(void *ctx, const char *month, const char *currency, int64_t orders,
                    int64_t total, int64_t fee, int64_t net) {
  sales *s = ctx;
  cJSON *o = pa_api_array_add_object(s->rows);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "month", month) ||
                 !cJSON_AddStringToObject(o, "currency", currency) ||
                 !cJSON_AddNumberToObject(o, "orders", (double)orders) ||
                 !cJSON_AddNumberToObject(o, "total_minor", (double)total) ||
                 !cJSON_AddNumberToObject(o, "fee_minor", (double)fee) ||
                 !cJSON_AddNumberToObject(o, "net_minor", (double)net)
             ? -1
             : 0;
}

/* Every month of m for each currency the rows name (zeros where none), in
 * currency then month order, so a chart needs no gaps filled. */
static cJSON *filled(const months *m, const cJSON *rows) {
  cJSON *out = cJSON_CreateArray();
  char seen[16][4];
  int ns = 0;
  const cJSON *r;
  cJSON_ArrayForEach(r, rows) {
    const char *c = cJSON_GetObjectItemCaseSensitive(r, "currency")->valuestring;
    int k = 0;
    while (k < ns && strcmp(seen[k], c) != 0) k++;
    if (k == ns && ns < 16) snprintf(seen[ns++], 4, "%s", c);
  }
  /* Sorted, so the answer's order does not hang on the store's. */
  for (int i = 1; i < ns; i++)
    for (int j = i; j > 0 && strcmp(seen[j - 1], seen[j]) > 0; j--) {
      char t[4];
      memcpy(t, seen[j], 4), memcpy(seen[j], seen[j - 1], 4), memcpy(seen[j - 1], t, 4);
    }
  for (int k = 0; out && k < ns; k++)
    for (int i = 0; i < DASHBOARD_MONTHS; i++) {
      const cJSON *found = NULL;
      cJSON_ArrayForEach(r, rows) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(r, "currency")->valuestring, seen[k]) &&
            !strcmp(cJSON_GetObjectItemCaseSensitive(r, "month")->valuestring, m->name[i]))
          found = r;
      }
      cJSON *o = found ? cJSON_Duplicate(found, 1) : cJSON_CreateObject();
      if (!o || !cJSON_AddItemToArray(out, o)) {
        cJSON_Delete(o);
        cJSON_Delete(out);
        return NULL;
      }
      if (!found && (!cJSON_AddStringToObject(o, "month", m->name[i]) ||
                     !cJSON_AddStringToObject(o, "currency", seen[k]) ||
                     !cJSON_AddNumberToObject(o, "orders", 0) ||
                     !cJSON_AddNumberToObject(o, "total_minor", 0) ||
                     !cJSON_AddNumberToObject(o, "fee_minor", 0) ||
                     !cJSON_AddNumberToObject(o, "net_minor", 0))) {
        cJSON_Delete(out);
        return NULL;
      }
    }
  return out;
}

static int add_state(void *ctx, const char *state, int64_t n) {
  cJSON *o = ctx;
  cJSON_DeleteItemFromObjectCaseSensitive(o, state);
  return cJSON_AddNumberToObject(o, state, (double)n) ? 0 : -1;
}

void pa_api_market_dashboard(pa_srv_req *rq) {
  if (seller_only(rq) != 0) return;
  months m;
  month_names(pa_clock_now(), &m);
  cJSON *root = cJSON_CreateObject();
  cJSON *bal = root ? cJSON_AddArrayToObject(root, "balances") : NULL;
  cJSON *states = root ? cJSON_AddObjectToObject(root, "orders") : NULL;
  sales s = {&m, cJSON_CreateArray()};
  int ok = bal && states && s.rows && cJSON_AddStringToObject(root, "since", m.name[0]);
  /* Every state present, at zero when the seller has none in it. */
  for (int i = 0; ok && i < PA_ORDER_STATES; i++)
    ok = cJSON_AddNumberToObject(states, pa_market_order_state_name(i), 0) != NULL;
  ok = ok && pa_store_payouts_balance(rq->db, rq->viewer, add_balance, bal) == PA_STORE_OK &&
       pa_store_payouts_sales(rq->db, rq->viewer, m.since, add_sale, &s) == PA_STORE_OK &&
       pa_store_payouts_order_states(rq->db, rq->viewer, add_state, states) == PA_STORE_OK;
  cJSON *sales_out = ok ? filled(&m, s.rows) : NULL;
  cJSON_Delete(s.rows);
  if (!sales_out || !cJSON_AddItemToObject(root, "sales", sales_out)) {
    cJSON_Delete(sales_out);
    cJSON_Delete(root);
    pa_api_internal(rq, "dashboard");
    return;
  }
  pa_api_json(rq, 200, root);
}

static int add_payout(void *ctx, const pa_store_payout_item *it) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "poi", it->id) || pa_api_add_id(o, "batch", "pob", it->payout_id) ||
                 !cJSON_AddStringToObject(o, "state", pa_store_payouts_state_name(it->state)) ||
                 !cJSON_AddNumberToObject(o, "amount_minor", (double)it->amount_minor) ||
                 !cJSON_AddStringToObject(o, "currency", it->currency) ||
                 !cJSON_AddStringToObject(o, "receiver", it->receiver) ||
                 (it->error[0] ? !cJSON_AddStringToObject(o, "error", it->error)
                               : !cJSON_AddNullToObject(o, "error")) ||
                 pa_api_add_time(o, "created_at", it->created_at) ||
                 pa_api_add_time(o, "updated_at", it->updated_at)
             ? -1
             : 0;
}

void pa_api_market_payouts(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (seller_only(rq) != 0 ||
      pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "payouts") : NULL;
  if (!list ||
      pa_store_payouts_list(rq->db, PA_PAYEE_SELLER, rq->viewer, has_cursor ? &after : NULL, limit,
                            add_payout, list, &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "payouts");
    return;
  }
  pa_api_json(rq, 200, root);
}
