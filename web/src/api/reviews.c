/* pa_api — reviews of marketplace orders (issue 20, item 6; web/README.md,
 * "Marketplace"). An order's buyer reviews it once it is delivered (by their
 * own confirmation or the worker's after PA_ORDER_AUTO_DELIVER_SECONDS) or
 * completed: the goods arrived, so there is something to judge, and the
 * hold after delivery is when a review matters most. One review per order,
 * never edited; the seller replies once. Bodies are read by market_order.c's
 * strict readers (web/fuzz/fuzz_cart.c drives them). */
#include "store/reviews.h"

#include "api/api.h"
#include "clock.h"
#include "store/market.h"
#include "store/orders.h"

#include <stdio.h>
#include <string.h>

static void send_err(pa_srv_req *rq, const pa_market_err *e) {
  if (e->field[0])
    pa_api_field_error(rq, e->status, e->code, e->message, e->field);
  else
    pa_api_error(rq, e->status, e->code, e->message, NULL);
}

/* Whether an order in state s may be reviewed. */
static int reviewable(int s) { return s == PA_ORDER_DELIVERED || s == PA_ORDER_COMPLETED; }

/* The review as the API shows it. */
static cJSON *review_json(const pa_store_review *r) {
  cJSON *o = cJSON_CreateObject(), *buyer = o ? cJSON_AddObjectToObject(o, "buyer") : NULL;
  int bad = !buyer || pa_api_add_id(o, "id", "rv", r->id) ||
            pa_api_add_id(o, "order", "ord", r->order_id) ||
            pa_api_add_id(o, "seller", "u", r->seller_id) ||
            !cJSON_AddNumberToObject(o, "rating", r->rating) ||
            !cJSON_AddStringToObject(o, "text", r->text) ||
            pa_api_add_time(o, "created_at", r->created_at) ||
            pa_api_add_id(buyer, "id", "u", r->buyer_id) ||
            !cJSON_AddStringToObject(buyer, "name", r->buyer_name);
  if (!bad && r->has_reply) {
    cJSON *reply = cJSON_AddObjectToObject(o, "reply");
    bad = !reply || !cJSON_AddStringToObject(reply, "text", r->reply) ||
          pa_api_add_time(reply, "created_at", r->replied_at);
  } else if (!bad) {
    bad = !cJSON_AddNullToObject(o, "reply");
  }
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int keep_json(void *ctx, const pa_store_review *r) {
  return (*(cJSON **)ctx = review_json(r)) ? 0 : -1;
}

static void send_review(pa_srv_req *rq, int status, int64_t order) {
  cJSON *j = NULL;
  if (pa_store_reviews_of_order(rq->db, order, keep_json, &j) != PA_STORE_OK || !j) {
    cJSON_Delete(j);
    pa_api_internal(rq, "review");
    return;
  }
  pa_api_json(rq, status, j);
}

/* The path's order into *o when the viewer is its buyer or its seller, and
 * the one the route is for (seller 1: its seller) — else 404 for a stranger
 * (someone else's order is not there for them) or 403 for the other party;
 * 0, or -1 sent. */
static int party(pa_srv_req *rq, pa_store_order *o, int seller) {
  int rc = pa_store_orders_get(rq->db, rq->ids[0], o);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "order");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND || (o->buyer_id != rq->viewer && o->seller_id != rq->viewer)) {
    PA_NOT_FOUND(rq, "No such order");
    return -1;
  }
  if ((seller ? o->seller_id : o->buyer_id) != rq->viewer) {
    PA_FORBIDDEN(rq, seller ? "Only the order's seller may reply"
                            : "Only the order's buyer may review it");
    return -1;
  }
  return 0;
}

void pa_api_order_review(pa_srv_req *rq) {
  pa_store_order o;
  cJSON *body = NULL;
  pa_market_review rv;
  pa_market_err e;
  if (party(rq, &o, 0) != 0) return;
  if (!reviewable(o.state)) {
    char msg[120];
    snprintf(msg, sizeof msg, "The order is %s: it can be reviewed once delivered",
             pa_market_order_state_name(o.state));
    pa_api_error(rq, 409, "wrong_state", msg, NULL);
    return;
  }
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_review_parse(body, &rv, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int64_t id = 0;
  int rc = pa_store_reviews_add(rq->db, o.id, o.seller_id, o.buyer_id, rv.rating, rv.text,
                                pa_clock_now(), &id);
  if (rc == PA_STORE_ECONFLICT)
    pa_api_error(rq, 409, "already_reviewed", "This order has its review already", NULL);
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "add review");
  else
    send_review(rq, 201, o.id);
}

void pa_api_order_review_reply(pa_srv_req *rq) {
  pa_store_order o;
  cJSON *body = NULL;
  char text[PA_MARKET_CAP(PA_REVIEW_REPLY_MAX)];
  pa_market_err e;
  if (party(rq, &o, 1) != 0 || pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_review_reply_parse(body, text, sizeof text, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int rc = pa_store_reviews_reply(rq->db, o.id, text, pa_clock_now());
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "This order has no review to reply to");
  else if (rc == PA_STORE_ECONFLICT)
    pa_api_error(rq, 409, "already_replied", "This review has its reply already", NULL);
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "reply to review");
  else
    send_review(rq, 200, o.id);
}

int pa_api_add_review_summary(pa_store *db, cJSON *o, const char *key, int64_t seller) {
  int64_t count = 0, sum = 0;
  if (pa_store_reviews_summary(db, seller, &count, &sum) != PA_STORE_OK) return -1;
  cJSON *r = cJSON_AddObjectToObject(o, key);
  if (!r || !cJSON_AddNumberToObject(r, "count", (double)count)) return -1;
  /* The mean in tenths of a star, integers only, rounded half up:
   * (10·sum + ⌊count/2⌋) div count. A half can only come with an even count,
   * where ⌊count/2⌋ is exact. */
  return count ? !cJSON_AddNumberToObject(r, "average_tenths",
                                          (double)((10 * sum + count / 2) / count))
               : !cJSON_AddNullToObject(r, "average_tenths");
}

typedef struct list_ctx {
  cJSON *list;
} list_ctx;

static int append_review(void *ctx, const pa_store_review *r) {
  list_ctx *c = ctx;
  cJSON *j = review_json(r);
  if (j && cJSON_AddItemToArray(c->list, j)) return 0;
  cJSON_Delete(j);
  return -1;
}

static int nothing(void *ctx, const pa_store_market_seller_page *p) {
  (void)ctx;
  (void)p;
  return 0;
}

void pa_api_seller_reviews(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  /* A seller the viewer may not see (a block either way, or nobody who
   * sells) is 404, not an empty list. */
  int rc = pa_store_market_seller_page_get(rq->db, rq->ids[0], rq->viewer, nothing, NULL);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such seller");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "seller reviews");
    return;
  }
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "reviews") : NULL;
  list_ctx c = {list};
  if (!list || pa_api_add_review_summary(rq->db, root, "summary", rq->ids[0]) ||
      pa_store_reviews_list(rq->db, rq->ids[0], rq->viewer, has_cursor ? &after : NULL, limit,
                            append_review, &c, &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "seller reviews");
    return;
  }
  pa_api_json(rq, 200, root);
}
