/* pa_api — the marketplace's cart, address book, checkout and orders
 * (issue 20, items 3–5; web/README.md, "Marketplace"). Prices always come
 * from the listings, never from the client; bodies are read by
 * market_order.c's strict readers (the ones web/fuzz/fuzz_cart.c drives);
 * money and stock move only through orders.c, one transaction per step. */
#include "orders.h"

#include "api/api.h"
#include "clock.h"
#include "log.h"
#include "market_mp.h"
#include "market_ship.h"
#include "origin.h"
#include "pay/catalog.h"
#include "pay/pay.h"
#include "store/market.h"
#include "store/payouts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void send_err(pa_srv_req *rq, const pa_market_err *e) {
  if (e->field[0])
    pa_api_field_error(rq, e->status, e->code, e->message, e->field);
  else
    pa_api_error(rq, e->status, e->code, e->message, NULL);
}

/* ---- the cart */

typedef struct cart_view {
  pa_store_cart_line lines[PA_CART_LINES_MAX];
  int n;
} cart_view;

static int keep_line(void *ctx, const pa_store_cart_line *l) {
  cart_view *v = ctx;
  if (v->n < PA_CART_LINES_MAX) v->lines[v->n++] = *l;
  return 0;
}

static const char *line_status(const pa_store_cart_line *l) {
  return l->gone ? "unavailable" : l->sold_out ? "sold_out" : "available";
}

static int add_quote(pa_srv_req *rq, cJSON *o, const cart_view *v, const pa_market_address *a);

/* Sends the viewer's cart: its lines as they stand, the total of the
 * available ones and their currency (null when empty); with quote (an
 * address of theirs), what each seller would charge to reach it. */
static void send_cart_quote(pa_srv_req *rq, int status, const pa_market_address *quote) {
  cart_view *v = calloc(1, sizeof *v);
  cJSON *o = cJSON_CreateObject(), *items = o ? cJSON_AddArrayToObject(o, "items") : NULL;
  int bad =
      !v || !items || pa_store_orders_cart_lines(rq->db, rq->viewer, keep_line, v) != PA_STORE_OK;
  int64_t total = 0;
  const char *currency = NULL;
  for (int i = 0; !bad && i < v->n; i++) {
    const pa_store_cart_line *l = &v->lines[i];
    cJSON *it = cJSON_CreateObject();
    if (!it || !cJSON_AddItemToArray(items, it)) {
      cJSON_Delete(it);
      bad = 1;
      break;
    }
    bad = pa_api_add_id(it, "listing", "lst", l->listing) ||
          (l->variant ? pa_api_add_id(it, "variant", "lv", l->variant)
                      : !cJSON_AddNullToObject(it, "variant")) ||
          !cJSON_AddStringToObject(it, "title", l->title) ||
          !cJSON_AddNumberToObject(it, "quantity", (double)l->quantity) ||
          !cJSON_AddStringToObject(it, "status", line_status(l));
    if (!bad && !l->gone)
      bad = pa_api_add_id(it, "seller", "u", l->seller) ||
            !cJSON_AddNumberToObject(it, "unit_minor", (double)l->unit_minor) ||
            !cJSON_AddStringToObject(it, "currency", l->currency);
    if (!bad && !l->gone && !l->sold_out) {
      total += l->unit_minor * l->quantity;
      currency = l->currency;
    }
  }
  if (!bad)
    bad = !cJSON_AddNumberToObject(o, "total_minor", (double)total) ||
          !(currency ? cJSON_AddStringToObject(o, "currency", currency)
                     : cJSON_AddNullToObject(o, "currency"));
  if (!bad && quote) bad = add_quote(rq, o, v, quote) != 0;
  free(v);
  if (bad) {
    cJSON_Delete(o);
    pa_api_internal(rq, "cart");
    return;
  }
  pa_api_json(rq, status, o);
}

static void send_cart(pa_srv_req *rq, int status) { send_cart_quote(rq, status, NULL); }

/* GET /cart, and with ?address=adr_N (of the viewer's book: anyone else's is
 * 404, as at checkout) the shipping quote the cart screen shows before
 * paying. */
void pa_api_cart_get(pa_srv_req *rq) {
  char text[32];
  int64_t id = 0;
  pa_market_address a;
  int q = pa_api_query(rq, "address", text, sizeof text);
  if (q < 0) return;
  if (q == 1) {
    send_cart(rq, 200);
    return;
  }
  if (pa_market_order_id(text, "adr", &id) != 0) {
    pa_api_field_error(rq, 400, "bad_request", "?address= is an id of your address book (adr_1)",
                       "address");
    return;
  }
  int rc = pa_store_orders_address_get(rq->db, id, rq->viewer, &a);
  if (rc == PA_STORE_ENOTFOUND)
    pa_api_field_error(rq, 404, "not_found", "No such address in your book", "address");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "cart quote");
  else
    send_cart_quote(rq, 200, &a);
}

typedef struct listing_pick {
  int64_t seller, variant, price;
  int status, found_variant, nvariants;
  char title[PA_MARKET_CAP(PA_MARKET_TITLE_MAX)];
  char currency[4];
} listing_pick;

static int keep_pick(void *ctx, const pa_store_market_row *r) {
  listing_pick *p = ctx;
  p->seller = r->seller_id;
  p->status = r->mod_state ? -1 : r->l.status;
  p->price = r->l.price_minor;
  snprintf(p->title, sizeof p->title, "%s", r->l.title);
  snprintf(p->currency, sizeof p->currency, "%s", r->l.currency);
  return 0;
}

static int pick_variant(void *ctx, int64_t id, const pa_market_variant *v) {
  listing_pick *p = ctx;
  (void)v;
  p->nvariants++;
  if (id == p->variant) p->found_variant = 1;
  return 0;
}

typedef struct currency_ctx {
  const char *want;
  int64_t listing, variant;
  int mixed, lines, has_line;
} currency_ctx;

static int check_currency(void *ctx, const pa_store_cart_line *l) {
  currency_ctx *c = ctx;
  c->lines++;
  if (l->listing == c->listing && l->variant == c->variant)
    c->has_line = 1;
  else if (!l->gone && strcmp(l->currency, c->want) != 0)
    c->mixed = 1;
  return 0;
}

void pa_api_cart_put(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_cart_line line;
  pa_market_err e;
  listing_pick p;
  char msg[200];
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_cart_parse(body, &line, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  memset(&p, 0, sizeof p);
  p.variant = line.variant;
  int rc = pa_store_market_listing_get(rq->db, line.listing, rq->viewer, keep_pick, &p);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_field_error(rq, 404, "not_found", "No such listing", "listing");
    return;
  }
  if (rc != PA_STORE_OK ||
      pa_store_market_variants(rq->db, line.listing, pick_variant, &p) != PA_STORE_OK) {
    pa_api_internal(rq, "cart");
    return;
  }
  if (p.seller == rq->viewer) {
    pa_api_error(rq, 409, "own_listing", "You cannot buy your own listing", NULL);
    return;
  }
  if (p.status != PA_MARKET_ACTIVE) {
    pa_api_error(rq, 409, p.status == PA_MARKET_SOLD_OUT ? "sold_out" : "unavailable",
                 p.status == PA_MARKET_SOLD_OUT ? "This listing is sold out"
                                                : "This listing is not for sale now",
                 NULL);
    return;
  }
  if ((p.nvariants > 0) != (line.variant != 0) || (line.variant && !p.found_variant)) {
    pa_api_field_error(rq, 400, "bad_request",
                       p.nvariants ? "Choose one of this listing's variants"
                                   : "This listing has no variants",
                       "variant");
    return;
  }
  /* One currency per cart: a checkout charges one amount per seller, and
   * the buyer sees one total. */
  currency_ctx c = {p.currency, line.listing, line.variant, 0, 0, 0};
  if (pa_store_orders_cart_lines(rq->db, rq->viewer, check_currency, &c) != PA_STORE_OK) {
    pa_api_internal(rq, "cart");
    return;
  }
  if (c.mixed) {
    snprintf(msg, sizeof msg,
             "Your cart is in another currency; this listing is in %s. Check out or empty your "
             "cart first",
             p.currency);
    pa_api_error(rq, 409, "mixed_currencies", msg, NULL);
    return;
  }
  if (!c.has_line && c.lines >= PA_CART_LINES_MAX) {
    snprintf(msg, sizeof msg, "A cart holds at most %d lines", PA_CART_LINES_MAX);
    pa_api_error(rq, 409, "cart_full", msg, NULL);
    return;
  }
  if (pa_store_orders_cart_put(rq->db, rq->viewer, line.listing, line.variant, line.quantity,
                               p.title, pa_clock_now()) != PA_STORE_OK) {
    pa_api_internal(rq, "cart put");
    return;
  }
  send_cart(rq, 200);
}

void pa_api_cart_item_delete(pa_srv_req *rq) {
  int removed = 0;
  if (pa_store_orders_cart_remove(rq->db, rq->viewer, rq->ids[0], rq->ids[1], &removed) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "cart remove");
    return;
  }
  if (!removed) {
    PA_NOT_FOUND(rq, "That is not in your cart");
    return;
  }
  send_cart(rq, 200);
}

void pa_api_cart_clear(pa_srv_req *rq) {
  if (pa_store_orders_cart_clear(rq->db, rq->viewer) != PA_STORE_OK) {
    pa_api_internal(rq, "cart clear");
    return;
  }
  send_cart(rq, 200);
}

/* ---- the address book */

static cJSON *address_json(int64_t id, const pa_market_address *a) {
  cJSON *o = NULL;
  char *text = pa_market_address_json(a);
  if (text) o = cJSON_Parse(text);
  cJSON_free(text);
  if (o && id && pa_api_add_id(o, "id", "adr", id)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_address(void *ctx, int64_t id, const pa_market_address *a) {
  cJSON *o = address_json(id, a);
  if (o && cJSON_AddItemToArray(ctx, o)) return 0;
  cJSON_Delete(o);
  return -1;
}

void pa_api_addresses_get(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "addresses") : NULL;
  if (!list || pa_store_orders_addresses(rq->db, rq->viewer, add_address, list) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "addresses");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_address_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_address a;
  pa_market_err e;
  int64_t n = 0, id = 0;
  char msg[96];
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_address_parse(body, &a, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "add address");
    return;
  }
  /* The count and the insert in one transaction: two at once cannot both
   * take the last place. */
  int rc = pa_store_orders_address_count(rq->db, rq->viewer, &n);
  if (rc == PA_STORE_OK && n >= PA_ADDRESSES_MAX) {
    pa_store_rollback(rq->db);
    snprintf(msg, sizeof msg, "An address book keeps at most %d addresses", PA_ADDRESSES_MAX);
    pa_api_error(rq, 409, "too_many_addresses", msg, NULL);
    return;
  }
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_address_add(rq->db, rq->viewer, &a, pa_clock_now(), &id);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "add address");
    return;
  }
  cJSON *o = address_json(id, &a);
  if (!o)
    pa_api_internal(rq, "add address");
  else
    pa_api_json(rq, 201, o);
}

void pa_api_address_delete(pa_srv_req *rq) {
  int rc = pa_store_orders_address_delete(rq->db, rq->ids[0], rq->viewer);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such address in your book");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "delete address");
  else
    pa_api_ok(rq);
}

/* ---- orders as JSON */

static int add_item(void *ctx, const pa_store_order_item *it) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "listing", "lst", it->listing) ||
                 (it->variant ? pa_api_add_id(o, "variant", "lv", it->variant)
                              : !cJSON_AddNullToObject(o, "variant")) ||
                 !cJSON_AddStringToObject(o, "title", it->title) ||
                 !cJSON_AddNumberToObject(o, "unit_minor", (double)it->unit_minor) ||
                 !cJSON_AddNumberToObject(o, "quantity", (double)it->quantity)
             ? -1
             : 0;
}

static int add_step(void *ctx, const char *from, const char *to, int64_t actor, int64_t at) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !(from ? cJSON_AddStringToObject(o, "from", from) : cJSON_AddNullToObject(o, "from")) ||
                 !cJSON_AddStringToObject(o, "to", to) ||
                 (actor ? pa_api_add_id(o, "by", "u", actor) : !cJSON_AddNullToObject(o, "by")) ||
                 pa_api_add_time(o, "at", at)
             ? -1
             : 0;
}

static int add_entry(void *ctx, const char *event, const char *kind, int64_t amount,
                     const char *currency, int64_t at) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "event", event) || !cJSON_AddStringToObject(o, "kind", kind) ||
                 !cJSON_AddNumberToObject(o, "amount_minor", (double)amount) ||
                 !cJSON_AddStringToObject(o, "currency", currency) || pa_api_add_time(o, "at", at)
             ? -1
             : 0;
}

static int add_opt_time(cJSON *o, const char *key, int64_t t) {
  return t ? pa_api_add_time(o, key, t) : !cJSON_AddNullToObject(o, key);
}

/* Order o as viewer (its buyer or its seller) sees it; full adds the
 * items, the address, the history and the ledger. */
static cJSON *order_json(pa_srv_req *rq, const pa_store_order *o, int full) {
  cJSON *j = cJSON_CreateObject();
  int bad = !j || pa_api_add_id(j, "id", "ord", o->id) ||
            pa_api_add_id(j, "checkout", "chk", o->checkout_id) ||
            !cJSON_AddStringToObject(j, "state", pa_market_order_state_name(o->state)) ||
            !cJSON_AddStringToObject(j, "role", o->buyer_id == rq->viewer ? "buyer" : "seller") ||
            (o->buyer_id ? pa_api_add_id(j, "buyer", "u", o->buyer_id)
                         : !cJSON_AddNullToObject(j, "buyer")) ||
            (o->seller_id ? pa_api_add_id(j, "seller", "u", o->seller_id)
                          : !cJSON_AddNullToObject(j, "seller")) ||
            !cJSON_AddStringToObject(j, "provider",
                                     o->provider == PA_MARKET_PAYPAL ? "paypal" : "mercadopago") ||
            !cJSON_AddNumberToObject(j, "total_minor", (double)o->total_minor) ||
            !cJSON_AddNumberToObject(j, "fee_minor", (double)o->fee_minor) ||
            !cJSON_AddNumberToObject(j, "shipping_minor", (double)o->shipping_minor) ||
            !(pa_market_ship_method_name(o->shipping_method)
                  ? cJSON_AddStringToObject(j, "shipping_method",
                                            pa_market_ship_method_name(o->shipping_method))
                  : cJSON_AddNullToObject(j, "shipping_method")) ||
            !cJSON_AddStringToObject(j, "currency", o->currency) ||
            /* The approval page is the buyer's, while it can still be paid. */
            (o->buyer_id == rq->viewer && o->state == PA_ORDER_AWAITING_PAYMENT && o->approve_url[0]
                 ? !cJSON_AddStringToObject(j, "approve_url", o->approve_url)
                 : !cJSON_AddNullToObject(j, "approve_url")) ||
            !(o->carrier[0] ? cJSON_AddStringToObject(j, "carrier", o->carrier)
                            : cJSON_AddNullToObject(j, "carrier")) ||
            !(o->tracking[0] ? cJSON_AddStringToObject(j, "tracking", o->tracking)
                             : cJSON_AddNullToObject(j, "tracking")) ||
            pa_api_add_time(j, "created_at", o->created_at) ||
            pa_api_add_time(j, "pay_by", o->pay_by) || add_opt_time(j, "paid_at", o->paid_at) ||
            add_opt_time(j, "shipped_at", o->shipped_at) ||
            add_opt_time(j, "delivered_at", o->delivered_at) ||
            add_opt_time(j, "closed_at", o->closed_at);
  if (!bad && full) {
    cJSON *items = cJSON_AddArrayToObject(j, "items"),
          *history = cJSON_AddArrayToObject(j, "history"),
          *ledger = cJSON_AddArrayToObject(j, "ledger"), *addr = cJSON_Parse(o->address);
    bad = !items || !history || !ledger || !addr ||
          pa_store_orders_items(rq->db, o->id, add_item, items) != PA_STORE_OK ||
          pa_store_orders_history(rq->db, o->id, add_step, history) != PA_STORE_OK ||
          pa_store_orders_ledger_order(rq->db, o->id, add_entry, ledger) != PA_STORE_OK;
    if (addr && !cJSON_AddItemToObject(j, "address", addr)) {
      cJSON_Delete(addr);
      bad = 1;
    }
    if (!bad) bad = pa_api_claim_add(rq->db, j, o->id, o->state, pa_clock_now()) != 0;
  }
  if (bad) {
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

/* The path's order into *o when the viewer is its buyer or its seller: 0,
 * or -1 with 404 sent (someone else's order is not there for them). */
static int my_order(pa_srv_req *rq, pa_store_order *o) {
  int rc = pa_store_orders_get(rq->db, rq->ids[0], o);
  if (rc == PA_STORE_OK && (o->buyer_id == rq->viewer || o->seller_id == rq->viewer)) return 0;
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such order");
  else
    pa_api_internal(rq, "order");
  return -1;
}

int pa_api_order_mine(pa_srv_req *rq, pa_store_order *o) { return my_order(rq, o); }

static void send_order(pa_srv_req *rq, int64_t id) {
  pa_store_order o;
  cJSON *j = NULL;
  if (pa_store_orders_get(rq->db, id, &o) != PA_STORE_OK || !(j = order_json(rq, &o, 1))) {
    pa_api_internal(rq, "order");
    return;
  }
  pa_api_json(rq, 200, j);
}

void pa_api_order_send(pa_srv_req *rq, int64_t id) { send_order(rq, id); }

void pa_api_order_get(pa_srv_req *rq) {
  pa_store_order o;
  if (my_order(rq, &o) == 0) send_order(rq, o.id);
}

typedef struct list_ctx {
  pa_srv_req *rq;
  cJSON *list;
} list_ctx;

static int append_order(void *ctx, const pa_store_order *o) {
  list_ctx *c = ctx;
  cJSON *j = order_json(c->rq, o, 0);
  if (j && cJSON_AddItemToArray(c->list, j)) return 0;
  cJSON_Delete(j);
  return -1;
}

void pa_api_orders_list(pa_srv_req *rq) {
  char as[16];
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  int q = pa_api_query(rq, "as", as, sizeof as);
  if (q < 0) return;
  if (q == 1) snprintf(as, sizeof as, "buyer");
  if (strcmp(as, "buyer") != 0 && strcmp(as, "seller") != 0) {
    pa_api_field_error(rq, 400, "bad_request", "?as= is buyer or seller", "as");
    return;
  }
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "orders") : NULL;
  list_ctx c = {rq, list};
  if (!list ||
      pa_store_orders_list(rq->db, rq->viewer, as[0] == 's', has_cursor ? &after : NULL, limit,
                           append_order, &c, &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "orders");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* ---- checkout */

typedef struct group {
  int64_t seller;
  int first, provider, connected;
  int64_t shipping; /* what reaching the address costs (market_ship.h) */
  int method;       /* PA_SHIP_* */
} group;

/* ---- shipping (market_ship.h) */

static int keep_offer(void *ctx, const pa_store_market_row *r) {
  pa_market_ship_offer_of(&r->l, ctx);
  return 0;
}

/* The shipping offers of v's lines (offers[i] line i's, read from their
 * listings now); a line gone offers nothing (it reaches no address). 0, or
 * -1 when the database failed. */
static int load_offers(pa_srv_req *rq, const cart_view *v, pa_market_ship_offer *offers) {
  for (int i = 0; i < v->n; i++) {
    memset(&offers[i], 0, sizeof offers[i]);
    if (v->lines[i].gone) continue;
    int rc = pa_store_market_listing_get(rq->db, v->lines[i].listing, rq->viewer, keep_offer,
                                         &offers[i]);
    if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) return -1;
  }
  return 0;
}

/* What seller's lines (those not gone) of v cost to reach address a, the
 * buyer asking for pickup or not: 0 with *method and *shipping, -1 with
 * *failed the cart index of a line that cannot reach it; 1 when the seller
 * has no such line. */
static int seller_shipping(const cart_view *v, const pa_market_ship_offer *offers, int64_t seller,
                           const pa_market_address *a, int pickup, int *method, int64_t *shipping,
                           int *failed) {
  const pa_market_ship_offer *mine[PA_CART_LINES_MAX];
  int at[PA_CART_LINES_MAX], n = 0, k = -1;
  for (int i = 0; i < v->n; i++)
    if (v->lines[i].seller == seller && !v->lines[i].gone) {
      at[n] = i;
      mine[n++] = &offers[i];
    }
  if (n == 0) return 1;
  int rc = pa_market_ship_order(mine, n, a->country, a->city, pickup, method, shipping, &k);
  *failed = k >= 0 ? at[k] : -1;
  return rc;
}

/* One seller's options into the quote: ship (or service), and pickup when
 * their products offer it; none when nothing reaches the address. */
static int add_options(cJSON *options, const cart_view *v, const pa_market_ship_offer *offers,
                       int64_t seller, const pa_market_address *a) {
  for (int pickup = 0; pickup < 2; pickup++) {
    int method, failed;
    int64_t shipping;
    if (seller_shipping(v, offers, seller, a, pickup, &method, &shipping, &failed) != 0) continue;
    /* A service-only seller has one way: asking for pickup changes nothing. */
    if (pickup && method == PA_SHIP_SERVICE) continue;
    cJSON *o = pa_api_array_add_object(options);
    if (!o) return -1;
    if (!cJSON_AddStringToObject(o, "method", pa_market_ship_method_name(method)) ||
        !cJSON_AddNumberToObject(o, "shipping_minor", (double)shipping))
      return -1;
  }
  return 0;
}

/* The cart's quote for address a: "shipping": [{seller, items_minor,
 * options: [{method, shipping_minor}]}] in cart order, one per seller of
 * the lines not gone; items_minor sums its available lines as total_minor
 * does. */
static int add_quote(pa_srv_req *rq, cJSON *o, const cart_view *v, const pa_market_address *a) {
  pa_market_ship_offer *offers = calloc((size_t)(v->n ? v->n : 1), sizeof *offers);
  cJSON *list = cJSON_AddArrayToObject(o, "shipping");
  int bad = !offers || !list || load_offers(rq, v, offers) != 0;
  for (int i = 0; !bad && i < v->n; i++) {
    const pa_store_cart_line *l = &v->lines[i];
    int seen = 0;
    for (int j = 0; j < i && !seen; j++)
      seen = !v->lines[j].gone && v->lines[j].seller == l->seller;
    if (l->gone || seen) continue;
    int64_t items = 0;
    for (int j = i; j < v->n; j++)
      if (v->lines[j].seller == l->seller && !v->lines[j].gone && !v->lines[j].sold_out)
        items += v->lines[j].unit_minor * v->lines[j].quantity;
    cJSON *s = cJSON_CreateObject(), *options = NULL;
    if (!s || !cJSON_AddItemToArray(list, s)) {
      cJSON_Delete(s);
      bad = 1;
      break;
    }
    bad = pa_api_add_id(s, "seller", "u", l->seller) ||
          !cJSON_AddNumberToObject(s, "items_minor", (double)items) ||
          !(options = cJSON_AddArrayToObject(s, "options")) ||
          add_options(options, v, offers, l->seller, a) != 0;
  }
  free(offers);
  return bad ? -1 : 0;
}

/* A refusal of one seller's part of a checkout, into refused[]. */
static int add_refusal(cJSON *refused, int64_t seller, const char *code, const char *message) {
  cJSON *o = pa_api_array_add_object(refused);
  if (!o) return -1;
  return pa_api_add_id(o, "seller", "u", seller) || !cJSON_AddStringToObject(o, "code", code) ||
                 !cJSON_AddStringToObject(o, "message", message)
             ? -1
             : 0;
}

/* Makes seller g's order from the cart's lines of that seller in one
 * transaction: its units reserved (or none), the order and items written,
 * the lines taken out of the cart. 1 made (*o filled), 0 sold out, -1 a
 * database failure. */
static int make_order(pa_srv_req *rq, const cart_view *v, const group *g, int64_t checkout,
                      int position, const char *address, int64_t now, pa_store_order *o) {
  memset(o, 0, sizeof *o);
  o->checkout_id = checkout;
  o->position = position;
  o->buyer_id = rq->viewer;
  o->seller_id = g->seller;
  o->provider = g->provider;
  o->created_at = now;
  o->pay_by = now + PA_ORDER_PAY_TIMEOUT_SECONDS;
  snprintf(o->address, sizeof o->address, "%s", address);
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(o->idem_key, sizeof o->idem_key, raw, sizeof raw);
  for (int i = 0; i < v->n; i++) {
    const pa_store_cart_line *l = &v->lines[i];
    if (l->seller != g->seller) continue;
    const pa_market_category *cat = pa_market_category_at(l->category);
    snprintf(o->currency, sizeof o->currency, "%s", l->currency);
    o->total_minor += l->unit_minor * l->quantity;
    o->fee_minor += pa_market_fee(l->unit_minor * l->quantity, cat ? cat->fee_bps : 0);
  }
  /* Shipping is added after the fee: the platform's fee is a share of what
   * is sold (the category's rate on the items), while shipping is what the
   * seller pays a carrier or spends to get there, passed on at cost; a
   * share of it would tax postage. It stays in seller_payable (total -
   * fee), so the ledger still balances buyer_payment = seller_payable +
   * platform_fee. */
  o->shipping_minor = g->shipping;
  o->shipping_method = g->method;
  o->total_minor += g->shipping;
  if (pa_store_begin(rq->db) != PA_STORE_OK) return -1;
  int rc = PA_STORE_OK, taken = 1, pos = 0, removed;
  for (int i = 0; rc == PA_STORE_OK && taken && i < v->n; i++)
    if (v->lines[i].seller == g->seller)
      rc = pa_store_market_reserve(rq->db, v->lines[i].listing, v->lines[i].variant,
                                   v->lines[i].quantity, &taken);
  if (rc == PA_STORE_OK && !taken) {
    pa_store_rollback(rq->db);
    return 0;
  }
  if (rc == PA_STORE_OK) rc = pa_store_orders_add(rq->db, o);
  for (int i = 0; rc == PA_STORE_OK && i < v->n; i++) {
    const pa_store_cart_line *l = &v->lines[i];
    if (l->seller != g->seller) continue;
    rc = pa_store_orders_item_add(rq->db, o->id, pos++, l->listing, l->variant, l->title,
                                  l->unit_minor, l->quantity);
    if (rc == PA_STORE_OK)
      rc = pa_store_orders_cart_remove(rq->db, rq->viewer, l->listing, l->variant, &removed);
  }
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    return -1;
  }
  return 1;
}

/* Asks the provider for order o's payment (PayPal's, or the Mercado Pago
 * seller's split preference) (key: the order's, so a retry is the
 * same order there). 0, or -1 when the provider refused or is away. */
static int ask_provider(pa_srv_req *rq, pa_store_order *o) {
  char ret[PA_PAY_URL_MAX], cancel[PA_PAY_URL_MAX], ref[32], title[64], key[80],
      err[PA_PAY_ERR_MAX] = "";
  const char *base = pa_origin_base(pa_api_origins(rq));
  snprintf(ref, sizeof ref, "ord_%lld", (long long)o->id);
  snprintf(ret, sizeof ret, "%s/orders/%s/return", base, ref);
  snprintf(cancel, sizeof cancel, "%s/orders/%s/return?result=cancel", base, ref);
  snprintf(title, sizeof title, "PetAmigos order %s", ref);
  snprintf(key, sizeof key, "%s-create", o->idem_key);
  pa_pay_order_request prq = {.provider = PA_PAY_PAYPAL,
                              .country = "",
                              .title = title,
                              .idempotency_key = key,
                              .reference = ref,
                              .return_url = ret,
                              .cancel_url = cancel};
  prq.amount.minor = o->total_minor;
  snprintf(prq.amount.currency, sizeof prq.amount.currency, "%s", o->currency);
  pa_pay_order got;
  memset(&got, 0, sizeof got);
  int prc;
  if (o->provider == PA_MARKET_MERCADOPAGO) {
    /* A split payment: the preference is the seller's (their token, wiped
     * after use), our category fee rides along as marketplace_fee. */
    char token[PA_PAY_MP_TOKEN_MAX];
    pa_money fee = {.minor = o->fee_minor};
    snprintf(fee.currency, sizeof fee.currency, "%s", o->currency);
    prq.provider = PA_PAY_MERCADOPAGO;
    prq.country = pa_catalog_mp_country(o->currency);
    int mrc = prq.country ? pa_market_mp_token(rq->db, rq->srv->pay, o->seller_id, pa_clock_now(),
                                               token, NULL)
                          : PA_MARKET_MP_ENOTCONNECTED;
    if (mrc == PA_MARKET_MP_OK)
      prc = pa_pay_mp_seller_order_create(rq->srv->pay, token, &prq, &fee, &got, err);
    else {
      snprintf(err, sizeof err, "the seller's Mercado Pago token is not available (%d)", mrc);
      prc = PA_PAY_EREFUSED;
    }
    sodium_memzero(token, sizeof token);
  } else {
    prc = pa_pay_order_create(rq->srv->pay, &prq, &got, err);
  }
  if (prc != PA_PAY_OK) {
    pa_log_event("warn", "orders", "create payment of %s: %s", ref, err);
    return -1;
  }
  snprintf(o->pay_id, sizeof o->pay_id, "%s", got.id);
  snprintf(o->approve_url, sizeof o->approve_url, "%s", got.approve_url);
  return pa_store_orders_set_payment(rq->db, o->id, got.id, got.approve_url) == PA_STORE_OK ? 0
                                                                                            : -1;
}

/* Seller g's refusal when a line cannot reach the address (no_shipping),
 * with its title; -1 when out of memory. */
static int refuse_shipping(cJSON *refused, const group *g, const pa_store_cart_line *l,
                           int pickup) {
  char msg[PA_MARKET_CAP(PA_MARKET_TITLE_MAX) + 200];
  if (pickup)
    snprintf(msg, sizeof msg,
             "\"%.120s\" cannot be picked up from this seller; ask for shipping instead. Their "
             "items stay in your cart",
             l->title);
  else
    snprintf(msg, sizeof msg,
             "\"%.120s\" does not ship to, or serve, your address; choose pickup if the seller "
             "offers it, or another address. Their items stay in your cart",
             l->title);
  return add_refusal(refused, g->seller, "no_shipping", msg);
}

void pa_api_checkout(pa_srv_req *rq) {
  cJSON *body = NULL, *root = NULL, *orders, *refused;
  pa_market_err e;
  pa_market_address addr;
  pa_market_checkout req;
  pa_market_ship_offer *offers = NULL;
  int64_t checkout = 0;
  char *address = NULL, msg[200];
  cart_view *v = NULL;
  group groups[PA_CART_LINES_MAX];
  int ngroups = 0, made = 0, sold_out = 0;
  const int64_t now = pa_clock_now();
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_ship_checkout_parse(body, &req, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int rc = pa_store_orders_address_get(rq->db, req.address, rq->viewer, &addr);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_field_error(rq, 404, "not_found", "No such address in your book", "address");
    return;
  }
  if (rc != PA_STORE_OK || !(v = calloc(1, sizeof *v)) ||
      !(address = pa_market_address_json(&addr)) ||
      pa_store_orders_cart_lines(rq->db, rq->viewer, keep_line, v) != PA_STORE_OK) {
    pa_api_internal(rq, "checkout");
    goto out;
  }
  if (v->n == 0) {
    pa_api_error(rq, 409, "cart_empty", "Your cart is empty", NULL);
    goto out;
  }
  for (int i = 0; i < v->n; i++) {
    const pa_store_cart_line *l = &v->lines[i];
    if (l->gone) {
      snprintf(msg, sizeof msg, "\"%.120s\" is no longer for sale: take it out of your cart",
               l->title);
      pa_api_error(rq, 409, "unavailable", msg, NULL);
      goto out;
    }
    if (strcmp(l->currency, v->lines[0].currency) != 0) {
      pa_api_error(rq, 409, "mixed_currencies",
                   "Your cart mixes currencies; a checkout pays in one. Take out the lines in the "
                   "other currency",
                   NULL);
      goto out;
    }
    int k = 0;
    while (k < ngroups && groups[k].seller != l->seller) k++;
    if (k == ngroups)
      groups[ngroups++] = (group){l->seller, i, l->provider, l->connected, 0, PA_SHIP_SHIP};
  }
  /* v->n > 0 here (an empty cart was refused above); said again for GCC's
   * range analysis, which otherwise takes the int for a huge size. */
  if (v->n <= 0 || !(offers = calloc((size_t)v->n, sizeof *offers)) ||
      load_offers(rq, v, offers) != 0) {
    pa_api_internal(rq, "checkout");
    goto out;
  }
  /* PayPal not configured refuses its sellers only (payment_unavailable,
   * below): a Mercado Pago seller's split payment does not need it. */
  const int paypal = pa_pay_enabled(rq->srv->pay, PA_PAY_PAYPAL, NULL);
  root = cJSON_CreateObject();
  orders = root ? cJSON_AddArrayToObject(root, "orders") : NULL;
  refused = root ? cJSON_AddArrayToObject(root, "refused") : NULL;
  if (!orders || !refused ||
      pa_store_orders_checkout_add(rq->db, rq->viewer, now, &checkout) != PA_STORE_OK ||
      pa_api_add_id(root, "checkout", "chk", checkout)) {
    pa_api_internal(rq, "checkout");
    goto out;
  }
  /* One order per seller, each with its own payment, in cart order: the
   * answer lists their approval pages in that order. */
  for (int k = 0; k < ngroups; k++) {
    const group *g = &groups[k];
    pa_store_order o;
    if (g->provider != PA_MARKET_PAYPAL && !g->connected) {
      /* A Mercado Pago seller is paid through a split payment collected
       * with their own account: not possible until it is connected. */
      if (add_refusal(refused, g->seller, "seller_not_connected",
                      "This seller has not connected their Mercado Pago account yet, so their "
                      "items cannot be paid now; they stay in your cart"))
        goto fail;
      continue;
    }
    if (g->provider != PA_MARKET_PAYPAL && !pa_catalog_mp_country(v->lines[g->first].currency)) {
      /* Each Mercado Pago site takes its own currency only. */
      if (add_refusal(refused, g->seller, "currency_unsupported",
                      "This seller is paid through Mercado Pago, which does not take this "
                      "currency; their items stay in your cart"))
        goto fail;
      continue;
    }
    if (g->provider == PA_MARKET_PAYPAL && !paypal) {
      if (add_refusal(refused, g->seller, "payment_unavailable",
                      "Payments through PayPal are not available right now; this seller's items "
                      "stay in your cart"))
        goto fail;
      continue;
    }
    /* Shipping is chosen before anything is reserved: a line that cannot
     * reach the address refuses its seller's order whole. */
    const int pickup = pa_market_ship_wants_pickup(&req, g->seller);
    int failed = -1;
    if (seller_shipping(v, offers, g->seller, &addr, pickup, &groups[k].method, &groups[k].shipping,
                        &failed) != 0) {
      if (refuse_shipping(refused, g, &v->lines[failed >= 0 ? failed : g->first], pickup))
        goto fail;
      continue;
    }
    int r = make_order(rq, v, g, checkout, k, address, now, &o);
    if (r < 0) goto fail;
    if (r == 0) {
      sold_out++;
      if (add_refusal(refused, g->seller, "sold_out",
                      "Not enough units are left of an item from this seller; it stays in your "
                      "cart"))
        goto fail;
      continue;
    }
    if (ask_provider(rq, &o) != 0) {
      int moved = 0;
      /* No payment to wait for: the units go back at once. */
      if (pa_orders_cancel_unpaid(rq->db, o.id, 0, now, 0, &moved) != PA_STORE_OK ||
          add_refusal(refused, g->seller, "payment_unavailable",
                      "The payment provider could not be reached for this seller's order; it "
                      "was cancelled, try again"))
        goto fail;
      continue;
    }
    if (pa_store_orders_get(rq->db, o.id, &o) != PA_STORE_OK) goto fail;
    cJSON *j = order_json(rq, &o, 0);
    if (!j || !cJSON_AddItemToArray(orders, j)) {
      cJSON_Delete(j);
      goto fail;
    }
    made++;
  }
  if (made == 0) {
    cJSON_Delete(root);
    root = NULL;
    if (sold_out == ngroups)
      pa_api_error(rq, 409, "sold_out", "Sold out: not enough units are left; nothing was charged",
                   NULL);
    else
      pa_api_error(rq, 409, "checkout_refused",
                   "None of your cart's sellers can be paid now; see each line", NULL);
    goto out;
  }
  pa_api_json(rq, 201, root);
  root = NULL;
  goto out;
fail:
  pa_api_internal(rq, "checkout");
out:
  cJSON_Delete(root);
  cJSON_free(address);
  free(offers);
  free(v);
}

/* ---- transitions */

/* The order's seller or buyer only (the other gets 403); 0 or -1 sent. */
static int must_be(pa_srv_req *rq, const pa_store_order *o, int seller) {
  if ((seller ? o->seller_id : o->buyer_id) == rq->viewer) return 0;
  PA_FORBIDDEN(rq, seller ? "Only the order's seller may do this"
                          : "Only the order's buyer may do this");
  return -1;
}

static void send_state_conflict(pa_srv_req *rq, const pa_store_order *o) {
  char msg[120];
  snprintf(msg, sizeof msg, "The order is %s: this step is not possible now",
           pa_market_order_state_name(o->state));
  pa_api_error(rq, 409, "wrong_state", msg, NULL);
}

/* Moves the path's order from → to by the viewer in a transaction; 409
 * when another step came first. */
static void simple_move(pa_srv_req *rq, pa_store_order *o, int from, int to,
                        const pa_market_shipment *s) {
  int moved = 0;
  if (o->state != from) {
    send_state_conflict(rq, o);
    return;
  }
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_move(rq->db, o->id, from, to, rq->viewer, pa_clock_now(),
                              s ? s->carrier : NULL, s ? s->tracking : NULL, &moved);
  if (rc == PA_STORE_OK && moved)
    rc = pa_orders_tell(rq->db, o->id, to == PA_ORDER_SHIPPED ? "shipped" : "delivered", rq->viewer,
                        pa_clock_now());
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "order step");
    return;
  }
  if (!moved) {
    pa_store_orders_get(rq->db, o->id, o);
    send_state_conflict(rq, o);
    return;
  }
  send_order(rq, o->id);
}

void pa_api_order_ship(pa_srv_req *rq) {
  pa_store_order o;
  cJSON *body = NULL;
  pa_market_shipment s;
  pa_market_err e;
  if (my_order(rq, &o) != 0 || must_be(rq, &o, 1) != 0 || pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_ship_parse(body, &s, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  simple_move(rq, &o, PA_ORDER_PAID, PA_ORDER_SHIPPED, &s);
}

void pa_api_order_deliver(pa_srv_req *rq) {
  pa_store_order o;
  if (my_order(rq, &o) == 0 && must_be(rq, &o, 0) == 0)
    simple_move(rq, &o, PA_ORDER_SHIPPED, PA_ORDER_DELIVERED, NULL);
}

/* Refunds order o's charge through the provider and records it (orders.c).
 * 0, or -1 with the error sent. */
static int refund(pa_srv_req *rq, const pa_store_order *o) {
  char err[PA_PAY_ERR_MAX] = "";
  int rc =
      pa_orders_refund(rq->db, rq->srv->pay, o->id, rq->viewer, pa_clock_now(), err, sizeof err);
  if (rc == PA_STORE_OK) return 0;
  if (rc == PA_STORE_ECONFLICT) {
    pa_log_event("warn", "orders", "refund ord_%lld: %s", (long long)o->id, err);
    pa_api_error(rq, 409, "seller_disconnected",
                 "The seller disconnected their Mercado Pago account, which holds this payment, "
                 "so it cannot be refunded now; the order is unchanged. The seller must connect "
                 "it again (or contact support)",
                 NULL);
    return -1;
  }
  if (err[0]) {
    pa_log_event("warn", "orders", "refund ord_%lld: %s", (long long)o->id, err);
    pa_api_error(rq, 502, "provider_unreachable",
                 "The refund could not be made with the payment provider; nothing changed, try "
                 "again in a moment",
                 NULL);
  } else {
    pa_api_internal(rq, "record refund");
  }
  return -1;
}

void pa_api_order_cancel(pa_srv_req *rq) {
  pa_store_order o;
  int moved = 0;
  if (my_order(rq, &o) != 0) return;
  if (o.state == PA_ORDER_AWAITING_PAYMENT) {
    if (pa_orders_cancel_unpaid(rq->db, o.id, rq->viewer, pa_clock_now(), 1, &moved) !=
        PA_STORE_OK) {
      pa_api_internal(rq, "cancel order");
      return;
    }
    if (!moved) {
      /* Paid in the meantime: cancel it as a paid one. */
      if (pa_store_orders_get(rq->db, o.id, &o) != PA_STORE_OK) {
        pa_api_internal(rq, "cancel order");
        return;
      }
    }
  }
  if (!moved && o.state == PA_ORDER_PAID) {
    if (refund(rq, &o) != 0) return;
    moved = 1;
  }
  if (!moved) {
    send_state_conflict(rq, &o);
    return;
  }
  send_order(rq, o.id);
}

void pa_api_order_capture(pa_srv_req *rq) {
  pa_store_order o;
  pa_pay_txn t;
  char key[80], err[PA_PAY_ERR_MAX] = "";
  int applied = 0;
  if (my_order(rq, &o) != 0 || must_be(rq, &o, 0) != 0) return;
  if (o.state != PA_ORDER_AWAITING_PAYMENT) {
    /* A second return, or a reload: the order as it is (applied once). */
    if (o.state == PA_ORDER_CANCELLED && !o.capture_id[0])
      send_state_conflict(rq, &o);
    else
      send_order(rq, o.id);
    return;
  }
  if (o.provider == PA_MARKET_MERCADOPAGO) {
    /* Mercado Pago captures at approval and tells us by webhook
     * (pa_orders_mp_event): the return only shows the order as it is. */
    send_order(rq, o.id);
    return;
  }
  memset(&t, 0, sizeof t);
  snprintf(key, sizeof key, "%s-capture", o.idem_key);
  int prc = pa_pay_order_capture(rq->srv->pay, PA_PAY_PAYPAL, "", o.pay_id, key, &t, err);
  if (prc == PA_PAY_EREFUSED || (prc == PA_PAY_OK && t.kind != PA_PAY_TXN_CHARGE)) {
    pa_api_error(rq, 402, "payment_declined",
                 "The payment was not approved or was declined; approve it and try again", NULL);
    return;
  }
  if (prc != PA_PAY_OK) {
    pa_log_event("warn", "orders", "capture ord_%lld: %s", (long long)o.id, err);
    pa_api_error(rq, 502, "provider_unreachable",
                 "The payment provider could not be reached; try again in a moment", NULL);
    return;
  }
  const int64_t now = pa_clock_now();
  if (pa_orders_paid(rq->db, o.id, t.id, t.payer, rq->viewer, now, &applied) != PA_STORE_OK ||
      pa_store_orders_get(rq->db, o.id, &o) != PA_STORE_OK) {
    pa_api_internal(rq, "order paid");
    return;
  }
  if (o.state == PA_ORDER_CANCELLED && !o.refund_id[0]) {
    /* The reservation lapsed while the buyer paid: their units may be
     * someone else's now, so the money goes back. */
    if (refund(rq, &o) != 0) return;
    pa_api_error(rq, 409, "expired",
                 "The order lapsed before the payment arrived; the payment was refunded", NULL);
    return;
  }
  send_order(rq, o.id);
}

/* ---- the seller's balance */

/* Available is what we owe now: completed PayPal orders' share less
 * payouts (store/payouts.h); the dashboard shows the rest. */
static int add_balance(void *ctx, const char *currency, int64_t pending, int64_t available,
                       int64_t in_flight, int64_t paid_out) {
  (void)in_flight, (void)paid_out;
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "currency", currency) ||
                 !cJSON_AddNumberToObject(o, "pending_minor", (double)pending) ||
                 !cJSON_AddNumberToObject(o, "available_minor", (double)available)
             ? -1
             : 0;
}

void pa_api_seller_balance(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "balances") : NULL;
  if (!list || pa_store_payouts_balance(rq->db, rq->viewer, add_balance, list) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "balance");
    return;
  }
  pa_api_json(rq, 200, root);
}
