/* pa_assist_tool: the assistant's account tools (assist_tools.h). */
#include "assist_tools.h"

#include "api/api.h"
#include "clock.h"
#include "market_order.h"
#include "store/assist.h"
#include "store/orders.h"
#include "store/pay.h"

#include <string.h>

static cJSON *error_json(const char *code) {
  cJSON *o = cJSON_CreateObject();
  if (o && !cJSON_AddStringToObject(o, "error", code)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* A time, or null when t is 0. */
static int add_time_or_null(cJSON *o, const char *key, int64_t t) {
  return t ? pa_api_add_time(o, key, t) : !cJSON_AddNullToObject(o, key);
}

cJSON *pa_assist_tool_my_plan(pa_store *db, int64_t viewer) {
  const int64_t now = pa_clock_now();
  int64_t until = 0;
  pa_store_sub s;
  int rc = pa_store_pay_plus_until(db, viewer, &until);
  int has = rc == PA_STORE_OK ? pa_store_pay_subs_current(db, viewer, &s) : rc;
  if (rc != PA_STORE_OK || (has != PA_STORE_OK && has != PA_STORE_ENOTFOUND)) return NULL;
  /* Renewing as billing.c says: a subscription (not a one-off pass) neither
   * cancelled nor set to end, whose next charge is known. */
  int renews = has == PA_STORE_OK && !s.once && !s.cancel_at_period_end &&
               (!strcmp(s.status, "active") || !strcmp(s.status, "suspended")) && s.next_charge_at;
  cJSON *o = cJSON_CreateObject();
  int bad = !o || !cJSON_AddStringToObject(o, "tier", until > now ? "plus" : "free") ||
            (has == PA_STORE_OK ? !cJSON_AddStringToObject(o, "plan", s.plan)
                                : !cJSON_AddNullToObject(o, "plan")) ||
            !cJSON_AddBoolToObject(o, "renews", renews) ||
            add_time_or_null(o, "renews_at", renews ? s.next_charge_at : 0) ||
            add_time_or_null(o, "plus_until", until > now ? until : 0);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static cJSON *order_json(const pa_store_order *o, int detail) {
  const char *state = pa_market_order_state_name(o->state);
  cJSON *j = cJSON_CreateObject();
  int bad = !j || pa_api_add_id(j, "id", "ord", o->id) ||
            !cJSON_AddStringToObject(j, "state", state ? state : "unknown") ||
            !cJSON_AddNumberToObject(j, "total_minor", (double)o->total_minor) ||
            !cJSON_AddStringToObject(j, "currency", o->currency) ||
            pa_api_add_time(j, "created_at", o->created_at) ||
            pa_api_add_time(j, "updated_at", o->updated_at);
  if (!bad && detail)
    bad = add_time_or_null(j, "paid_at", o->paid_at) ||
          add_time_or_null(j, "shipped_at", o->shipped_at) ||
          add_time_or_null(j, "delivered_at", o->delivered_at);
  if (bad) {
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

static int add_order(void *ctx, const pa_store_order *o) {
  cJSON *j = order_json(o, 0);
  if (j && cJSON_AddItemToArray(ctx, j)) return 0;
  cJSON_Delete(j);
  return -1;
}

cJSON *pa_assist_tool_my_orders(pa_store *db, int64_t viewer) {
  pa_store_cursor next = {0, 0};
  int more = 0;
  cJSON *o = cJSON_CreateObject(), *list = o ? cJSON_AddArrayToObject(o, "orders") : NULL;
  if (!list || pa_store_orders_list(db, viewer, 0, NULL, PA_ASSIST_ORDERS_MAX, add_order, list,
                                    &next, &more) != PA_STORE_OK) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *pa_assist_tool_order_status(pa_store *db, int64_t viewer, const char *order_id) {
  int64_t id = 0;
  pa_store_order o;
  if (!order_id || pa_api_parse_id(order_id, "ord", &id) != 0) return error_json("not_found");
  int rc = pa_store_orders_get(db, id, &o);
  if (rc == PA_STORE_ENOTFOUND) return error_json("not_found");
  if (rc != PA_STORE_OK) return NULL;
  /* Another person's order answers exactly as no order: nothing of it, not
   * even that it exists, reaches the model or the answer. */
  if (o.buyer_id != viewer && o.seller_id != viewer) return error_json("not_found");
  cJSON *j = order_json(&o, 1), *root = j ? cJSON_CreateObject() : NULL;
  if (!root) {
    cJSON_Delete(j);
    return NULL;
  }
  cJSON_AddItemToObject(root, "order", j);
  return root;
}

static int add_hidden(void *ctx, const pa_store_assist_hidden *h) {
  cJSON *j = cJSON_CreateObject();
  int bad = !j || pa_api_add_id(j, "id", "p", h->post) ||
            !cJSON_AddStringToObject(j, "state", h->state == 2 ? "removed" : "hidden") ||
            pa_api_add_time(j, "at", h->at) ||
            (h->reason[0] ? !cJSON_AddStringToObject(j, "reason", h->reason)
                          : !cJSON_AddNullToObject(j, "reason"));
  if (!bad && cJSON_AddItemToArray(ctx, j)) return 0;
  cJSON_Delete(j);
  return -1;
}

cJSON *pa_assist_tool_hidden_posts(pa_store *db, int64_t viewer) {
  cJSON *o = cJSON_CreateObject(), *list = o ? cJSON_AddArrayToObject(o, "posts") : NULL;
  if (!list || pa_store_assist_hidden_posts(db, viewer, PA_ASSIST_HIDDEN_MAX, add_hidden, list) !=
                   PA_STORE_OK) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *pa_assist_tool_run(pa_store *db, int64_t viewer, const char *name, const cJSON *args) {
  if (!name) return error_json("bad_tool");
  if (!strcmp(name, "my_plan")) return pa_assist_tool_my_plan(db, viewer);
  if (!strcmp(name, "my_orders")) return pa_assist_tool_my_orders(db, viewer);
  if (!strcmp(name, "hidden_posts")) return pa_assist_tool_hidden_posts(db, viewer);
  if (!strcmp(name, "order_status")) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(args, "order_id");
    return pa_assist_tool_order_status(db, viewer, cJSON_IsString(id) ? id->valuestring : NULL);
  }
  return error_json("bad_tool");
}

/* name, description and (order_status only) its one argument. */
static cJSON *spec(const char *name, const char *description, int order_arg) {
  cJSON *t = cJSON_CreateObject(), *f = t ? cJSON_AddObjectToObject(t, "function") : NULL;
  cJSON *p = f ? cJSON_AddObjectToObject(f, "parameters") : NULL;
  cJSON *props = p ? cJSON_AddObjectToObject(p, "properties") : NULL;
  int bad = !props || !cJSON_AddStringToObject(t, "type", "function") ||
            !cJSON_AddStringToObject(f, "name", name) ||
            !cJSON_AddStringToObject(f, "description", description) ||
            !cJSON_AddStringToObject(p, "type", "object");
  if (!bad && order_arg) {
    cJSON *id = cJSON_AddObjectToObject(props, "order_id"),
          *req = cJSON_AddArrayToObject(p, "required");
    bad = !id || !req || !cJSON_AddStringToObject(id, "type", "string") ||
          !cJSON_AddStringToObject(id, "description", "The order's id, like ord_12") ||
          !cJSON_AddItemToArray(req, cJSON_CreateString("order_id"));
  }
  if (bad) {
    cJSON_Delete(t);
    return NULL;
  }
  return t;
}

cJSON *pa_assist_tool_specs(void) {
  cJSON *a = cJSON_CreateArray();
  cJSON *items[] = {
      spec("my_plan", "The asker's own plan: tier, renewal date", 0),
      spec("my_orders", "The asker's own latest orders: id, state, total, dates", 0),
      spec("order_status", "One of the asker's own orders by its id", 1),
      spec("hidden_posts", "The asker's own posts hidden or removed by moderation", 0)};
  int bad = !a;
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
    if (bad || !items[i] || !cJSON_AddItemToArray(a, items[i])) {
      cJSON_Delete(items[i]);
      bad = 1;
    }
  if (bad) {
    cJSON_Delete(a);
    return NULL;
  }
  return a;
}
