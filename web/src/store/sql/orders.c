/* pa_store_orders: carts, addresses, orders and the ledger (store/orders.h). */
#include "store/orders.h"

#include "market_ship.h"
#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <stdio.h>
#include <string.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

/* ---- the cart */

int pa_store_orders_cart_count(pa_store *db, int64_t user, int64_t *n) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM market_cart_items WHERE user_id = ?1", 1, &user,
                          n);
}

int pa_store_orders_cart_put(pa_store *db, int64_t user, int64_t listing, int64_t variant,
                             int64_t quantity, const char *title, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO market_cart_items (user_id, listing_id, variant_id, quantity, title,"
          " added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, listing_id,"
          " variant_id) DO UPDATE SET quantity = excluded.quantity, title = excluded.title");
  if (!st) return PA_STORE_EDB;
  int64_t a[4] = {user, listing, variant, quantity};
  int rc = pa_sq_bind_i64s(st, 4, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, title);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, now);
  return pa_sq_run(db, st, rc, "cart put", NULL, NULL);
}

int pa_store_orders_cart_remove(pa_store *db, int64_t user, int64_t listing, int64_t variant,
                                int *removed) {
  int64_t a[3] = {user, listing, variant};
  return pa_sq_exec_i64(db,
                        "DELETE FROM market_cart_items WHERE user_id = ?1 AND listing_id = ?2"
                        " AND variant_id = ?3",
                        3, a, removed);
}

int pa_store_orders_cart_clear(pa_store *db, int64_t user) {
  return pa_sq_exec_i64(db, "DELETE FROM market_cart_items WHERE user_id = ?1", 1, &user, NULL);
}

typedef struct cart_ctx {
  pa_store_cart_fn fn;
  void *ctx;
} cart_ctx;

static int cart_row(void *ctx, pa_sql_stmt *st) {
  cart_ctx *c = ctx;
  pa_store_cart_line l;
  memset(&l, 0, sizeof l);
  l.listing = pa_sq_i64(st, 0);
  l.variant = pa_sq_i64(st, 1);
  l.quantity = pa_sq_i64(st, 2);
  l.added_at = pa_sq_i64(st, 3);
  const int found = !pa_sq_null(st, 5);
  copy(l.title, sizeof l.title, pa_sq_text(st, found ? 5 : 4));
  const char *status = pa_sq_text(st, 10);
  /* Gone: deleted, paused, hidden or removed, a variant that is no more (or
   * a line without one of a listing that has variants now), or a block. */
  l.gone = !found || pa_sq_i64(st, 11) != 0 || (status && strcmp(status, "paused") == 0) ||
           (l.variant && pa_sq_null(st, 12)) || (!l.variant && pa_sq_i64(st, 13)) ||
           !pa_sq_i64(st, 14);
  l.seller = pa_sq_i64(st, 6);
  l.unit_minor = pa_sq_i64(st, 7);
  copy(l.currency, sizeof l.currency, pa_sq_text(st, 8));
  l.stock = pa_sq_i64(st, 9);
  l.sold_out = !l.gone && l.stock < l.quantity;
  const char *prov = pa_sq_text(st, 15);
  l.provider = prov && strcmp(prov, "paypal") == 0 ? PA_MARKET_PAYPAL : PA_MARKET_MERCADOPAGO;
  l.connected = (int)pa_sq_i64(st, 16);
  l.category = pa_market_category_find(pa_sq_text(st, 17) ? pa_sq_text(st, 17) : "");
  return c->fn(c->ctx, &l);
}

int pa_store_orders_cart_lines(pa_store *db, int64_t user, pa_store_cart_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT c.listing_id, c.variant_id, c.quantity, c.added_at, c.title, l.title, l.seller_id,"
      " COALESCE(v.price_minor, l.price_minor), l.currency,"
      " CASE WHEN c.variant_id = 0 THEN l.stock ELSE v.stock END, l.status, l.mod_state, v.id,"
      " (SELECT count(*) FROM listing_variants x WHERE x.listing_id = l.id),"
      " CASE WHEN l.id IS NULL OR " PA_SQ_NOT_BLOCKED(
          "?1", "l.seller_id") " THEN 1 ELSE 0 END, s.provider, s.mp_connected, l.category"
                               " FROM market_cart_items c LEFT JOIN listings l ON l.id = "
                               "c.listing_id"
                               " LEFT JOIN listing_variants v ON v.id = c.variant_id AND "
                               "v.listing_id = c.listing_id"
                               " LEFT JOIN sellers s ON s.user_id = l.seller_id"
                               " WHERE c.user_id = ?1 ORDER BY c.added_at, c.listing_id, "
                               "c.variant_id");
  if (!st) return PA_STORE_EDB;
  cart_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, user), cart_row, &c, "cart");
}

/* ---- addresses */

int pa_store_orders_address_count(pa_store *db, int64_t user, int64_t *n) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM market_addresses WHERE user_id = ?1", 1, &user,
                          n);
}

int pa_store_orders_address_add(pa_store *db, int64_t user, const pa_market_address *a, int64_t now,
                                int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO market_addresses (user_id, name, line1, line2, city, region, postal_code,"
          " phone, country, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
          " RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  const char *t[8] = {a->name,   a->line1,       a->line2, a->city,
                      a->region, a->postal_code, a->phone, a->country};
  for (int i = 0; i < 8 && rc == PA_SQ_OK; i++) rc = pa_sq_bind_text(st, i + 2, t[i]);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, now);
  return pa_sq_run(db, st, rc, "add address", id, NULL);
}

#define ADDRESS_COLS "id, name, line1, line2, city, region, postal_code, phone, country"

static void address_row(pa_sql_stmt *st, pa_market_address *a) {
  memset(a, 0, sizeof *a);
  copy(a->name, sizeof a->name, pa_sq_text(st, 1));
  copy(a->line1, sizeof a->line1, pa_sq_text(st, 2));
  copy(a->line2, sizeof a->line2, pa_sq_text(st, 3));
  copy(a->city, sizeof a->city, pa_sq_text(st, 4));
  copy(a->region, sizeof a->region, pa_sq_text(st, 5));
  copy(a->postal_code, sizeof a->postal_code, pa_sq_text(st, 6));
  copy(a->phone, sizeof a->phone, pa_sq_text(st, 7));
  copy(a->country, sizeof a->country, pa_sq_text(st, 8));
}

int pa_store_orders_address_get(pa_store *db, int64_t id, int64_t user, pa_market_address *a) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ADDRESS_COLS
                                   " FROM market_addresses WHERE id = ?1 AND user_id = ?2");
  if (!st) return PA_STORE_EDB;
  int64_t args[2] = {id, user};
  int rc = pa_sq_bind_i64s(st, 2, args);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) address_row(st, a);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "address");
}

int pa_store_orders_address_delete(pa_store *db, int64_t id, int64_t user) {
  int64_t a[2] = {id, user};
  int n = 0;
  int rc =
      pa_sq_exec_i64(db, "DELETE FROM market_addresses WHERE id = ?1 AND user_id = ?2", 2, a, &n);
  return rc == PA_STORE_OK && !n ? PA_STORE_ENOTFOUND : rc;
}

typedef struct addr_ctx {
  pa_store_address_fn fn;
  void *ctx;
} addr_ctx;

static int addr_each(void *ctx, pa_sql_stmt *st) {
  addr_ctx *c = ctx;
  pa_market_address a;
  address_row(st, &a);
  return c->fn(c->ctx, pa_sq_i64(st, 0), &a);
}

int pa_store_orders_addresses(pa_store *db, int64_t user, pa_store_address_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ADDRESS_COLS
                                   " FROM market_addresses WHERE user_id = ?1 ORDER BY id");
  if (!st) return PA_STORE_EDB;
  addr_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, user), addr_each, &c, "addresses");
}

/* ---- orders */

int pa_store_orders_checkout_add(pa_store *db, int64_t buyer, int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO market_checkouts (buyer_id, created_at) VALUES (?1, ?2) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {buyer, now};
  return pa_sq_run(db, st, pa_sq_bind_i64s(st, 2, a), "add checkout", id, NULL);
}

static int history_add(pa_store *db, int64_t order, const char *from, const char *to, int64_t actor,
                       int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO market_order_history (order_id, from_state,"
                                   " to_state, actor_id, at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, order);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, from);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, to);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 4, actor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, rc, "order history", NULL, NULL);
}

int pa_store_orders_add(pa_store *db, pa_store_order *o) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO market_orders (checkout_id, position, buyer_id, seller_id, state,"
          " provider, currency, total_minor, fee_minor, address, idem_key, created_at,"
          " updated_at, pay_by, shipping_minor, shipping_method) VALUES (?1, ?2, ?3, ?4,"
          " 'awaiting_payment', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int64_t a[4] = {o->checkout_id, o->position, o->buyer_id, o->seller_id};
  int rc = pa_sq_bind_i64s(st, 4, a);
  if (rc == PA_SQ_OK)
    rc = pa_sq_bind_text(st, 5, o->provider == PA_MARKET_PAYPAL ? "paypal" : "mercadopago");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, o->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, o->total_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, o->fee_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, o->address);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 10, o->idem_key);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 11, o->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 12, o->pay_by);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 13, o->shipping_minor);
  if (rc == PA_SQ_OK) {
    const char *m = pa_market_ship_method_name(o->shipping_method);
    rc = pa_sq_bind_text(st, 14, m ? m : "");
  }
  rc = pa_sq_run(db, st, rc, "add order", &o->id, NULL);
  if (rc != PA_STORE_OK) return rc;
  o->state = PA_ORDER_AWAITING_PAYMENT;
  o->updated_at = o->created_at;
  return history_add(db, o->id, NULL, "awaiting_payment", o->buyer_id, o->created_at);
}

int pa_store_orders_item_add(pa_store *db, int64_t order, int position, int64_t listing,
                             int64_t variant, const char *title, int64_t unit_minor,
                             int64_t quantity) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO market_order_items (order_id, position, listing_id, variant_id, title,"
          " unit_minor, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return PA_STORE_EDB;
  int64_t a[4] = {order, position, listing, variant};
  int rc = pa_sq_bind_i64s(st, 4, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, title);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, unit_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, quantity);
  return pa_sq_run(db, st, rc, "add order item", NULL, NULL);
}

#define ORDER_COLS                                                                                 \
  "id, checkout_id, position, buyer_id, seller_id, state, provider, currency, total_minor,"        \
  " fee_minor, address, idem_key, pay_id, approve_url, capture_id, refund_id, carrier,"            \
  " tracking, created_at, updated_at, pay_by, paid_at, shipped_at, delivered_at, closed_at,"       \
  " shipping_minor, shipping_method"

static void order_row(pa_sql_stmt *st, pa_store_order *o) {
  memset(o, 0, sizeof *o);
  o->id = pa_sq_i64(st, 0);
  o->checkout_id = pa_sq_i64(st, 1);
  o->position = pa_sq_i64(st, 2);
  o->buyer_id = pa_sq_i64(st, 3);
  o->seller_id = pa_sq_i64(st, 4);
  o->state = pa_market_order_state_find(pa_sq_text(st, 5));
  const char *prov = pa_sq_text(st, 6);
  o->provider = prov && strcmp(prov, "paypal") == 0 ? PA_MARKET_PAYPAL : PA_MARKET_MERCADOPAGO;
  copy(o->currency, sizeof o->currency, pa_sq_text(st, 7));
  o->total_minor = pa_sq_i64(st, 8);
  o->fee_minor = pa_sq_i64(st, 9);
  copy(o->address, sizeof o->address, pa_sq_text(st, 10));
  copy(o->idem_key, sizeof o->idem_key, pa_sq_text(st, 11));
  copy(o->pay_id, sizeof o->pay_id, pa_sq_text(st, 12));
  copy(o->approve_url, sizeof o->approve_url, pa_sq_text(st, 13));
  copy(o->capture_id, sizeof o->capture_id, pa_sq_text(st, 14));
  copy(o->refund_id, sizeof o->refund_id, pa_sq_text(st, 15));
  copy(o->carrier, sizeof o->carrier, pa_sq_text(st, 16));
  copy(o->tracking, sizeof o->tracking, pa_sq_text(st, 17));
  o->created_at = pa_sq_i64(st, 18);
  o->updated_at = pa_sq_i64(st, 19);
  o->pay_by = pa_sq_i64(st, 20);
  o->paid_at = pa_sq_i64(st, 21);
  o->shipped_at = pa_sq_i64(st, 22);
  o->delivered_at = pa_sq_i64(st, 23);
  o->closed_at = pa_sq_i64(st, 24);
  o->shipping_minor = pa_sq_i64(st, 25);
  o->shipping_method = pa_market_ship_method_find(pa_sq_text(st, 26));
}

int pa_store_orders_get(pa_store *db, int64_t id, pa_store_order *o) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ORDER_COLS " FROM market_orders WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) order_row(st, o);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "order");
}

int pa_store_orders_by_capture(pa_store *db, const char *capture_id, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id FROM market_orders WHERE capture_id = ?1 AND"
                                   " capture_id <> '' ORDER BY id LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, capture_id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) *id = pa_sq_i64(st, 0);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "order by capture");
}

static int set_text(pa_store *db, const char *sql, int64_t id, const char *a, const char *b) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, a);
  if (rc == PA_SQ_OK && b) rc = pa_sq_bind_text(st, 3, b);
  return pa_sq_run(db, st, rc, "order update", NULL, NULL);
}

int pa_store_orders_set_payment(pa_store *db, int64_t id, const char *pay_id,
                                const char *approve_url) {
  return set_text(db, "UPDATE market_orders SET pay_id = ?2, approve_url = ?3 WHERE id = ?1", id,
                  pay_id, approve_url);
}

int pa_store_orders_set_capture(pa_store *db, int64_t id, const char *capture_id) {
  return set_text(db, "UPDATE market_orders SET capture_id = ?2 WHERE id = ?1", id, capture_id,
                  NULL);
}

int pa_store_orders_set_refund(pa_store *db, int64_t id, const char *refund_id) {
  return set_text(db, "UPDATE market_orders SET refund_id = ?2 WHERE id = ?1", id, refund_id, NULL);
}

int pa_store_orders_move(pa_store *db, int64_t id, int from, int to, int64_t actor, int64_t now,
                         const char *carrier, const char *tracking, int *moved) {
  const char *f = pa_market_order_state_name(from), *t = pa_market_order_state_name(to);
  *moved = 0;
  if (!f || !t) return PA_STORE_EINVAL;
  /* The state in the WHERE: of two movers at once, one changes the row. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE market_orders SET state = ?3, updated_at = ?4,"
          " paid_at = CASE WHEN ?3 = 'paid' THEN ?4 ELSE paid_at END,"
          " shipped_at = CASE WHEN ?3 = 'shipped' THEN ?4 ELSE shipped_at END,"
          " delivered_at = CASE WHEN ?3 = 'delivered' THEN ?4 ELSE delivered_at END,"
          " closed_at = CASE WHEN ?3 IN ('completed', 'cancelled') THEN ?4 ELSE closed_at END,"
          " carrier = COALESCE(?5, carrier), tracking = COALESCE(?6, tracking)"
          " WHERE id = ?1 AND state = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, f);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, t);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, carrier);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, tracking);
  rc = pa_sq_run(db, st, rc, "move order", NULL, moved);
  if (rc != PA_STORE_OK || !*moved) return rc;
  return history_add(db, id, f, t, actor, now);
}

int pa_store_orders_lock(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "UPDATE market_orders SET updated_at = updated_at WHERE id = ?1", 1,
                        &id, NULL);
}

/* The units back, capped at PA_MARKET_STOCK_MAX (a seller may have raised
 * the stock meanwhile). SQLite's two-argument min is PostgreSQL's LEAST. */
#define RELEASE_VARIANTS(MIN)                                                                      \
  "UPDATE listing_variants SET stock = " MIN "(stock + (SELECT sum(i.quantity)"                    \
  " FROM market_order_items i WHERE i.order_id = ?1 AND i.variant_id = listing_variants.id),"      \
  " 100000) WHERE id IN (SELECT variant_id FROM market_order_items WHERE order_id = ?1"            \
  " AND variant_id <> 0)"
#define RELEASE_LISTINGS(MIN)                                                                      \
  "UPDATE listings SET stock = " MIN "(stock + (SELECT sum(i.quantity) FROM"                       \
  " market_order_items i WHERE i.order_id = ?1 AND i.variant_id = 0 AND"                           \
  " i.listing_id = listings.id), 100000) WHERE id IN (SELECT listing_id FROM"                      \
  " market_order_items WHERE order_id = ?1 AND variant_id = 0)"

int pa_store_orders_release_stock(pa_store *db, int64_t id) {
  int rc = pa_sq_exec_i64(db, pa_sq_dialect(db, RELEASE_VARIANTS("min"), RELEASE_VARIANTS("LEAST")),
                          1, &id, NULL);
  if (rc != PA_STORE_OK) return rc;
  return pa_sq_exec_i64(db, pa_sq_dialect(db, RELEASE_LISTINGS("min"), RELEASE_LISTINGS("LEAST")),
                        1, &id, NULL);
}

typedef struct item_ctx {
  pa_store_order_item_fn fn;
  void *ctx;
} item_ctx;

static int item_row(void *ctx, pa_sql_stmt *st) {
  item_ctx *c = ctx;
  pa_store_order_item it = {pa_sq_i64(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 3), pa_sq_i64(st, 4),
                            pa_sq_text(st, 2)};
  return c->fn(c->ctx, &it);
}

int pa_store_orders_items(pa_store *db, int64_t id, pa_store_order_item_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT listing_id, variant_id, title, unit_minor, quantity"
                     " FROM market_order_items WHERE order_id = ?1 ORDER BY position");
  if (!st) return PA_STORE_EDB;
  item_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), item_row, &c, "order items");
}

typedef struct step_ctx {
  pa_store_order_step_fn fn;
  void *ctx;
} step_ctx;

static int step_row(void *ctx, pa_sql_stmt *st) {
  step_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2), pa_sq_i64(st, 3));
}

int pa_store_orders_history(pa_store *db, int64_t id, pa_store_order_step_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT from_state, to_state, actor_id, at FROM"
                                   " market_order_history WHERE order_id = ?1 ORDER BY id");
  if (!st) return PA_STORE_EDB;
  step_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), step_row, &c, "order history");
}

typedef struct list_ctx {
  pa_store_order_fn fn;
  void *ctx;
} list_ctx;

static int list_row(void *ctx, pa_sql_stmt *st) {
  list_ctx *c = ctx;
  pa_store_order o;
  order_row(st, &o);
  return c->fn(c->ctx, &o);
}

int pa_store_orders_list(pa_store *db, int64_t user, int as_seller, const pa_store_cursor *after,
                         int limit, pa_store_order_fn fn, void *ctx, pa_store_cursor *next,
                         int *more) {
  pa_sql_stmt *st =
      as_seller ? pa_sq_stmt(db, "SELECT " ORDER_COLS " FROM market_orders WHERE seller_id = ?1"
                                 " AND (created_at, id) < (?2, ?3)"
                                 " ORDER BY created_at DESC, id DESC LIMIT ?4")
                : pa_sq_stmt(db, "SELECT " ORDER_COLS " FROM market_orders WHERE buyer_id = ?1"
                                 " AND (created_at, id) < (?2, ?3)"
                                 " ORDER BY created_at DESC, id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "orders");
  }
  list_ctx c = {fn, ctx};
  return pa_sq_page(db, st, limit, list_row, &c, 18, 0, next, more, "orders");
}

/* No claim stops the order's clocks (store/disputes.h): none open, and no
 * decline newer than ?3 (the buyer's time to open a dispute). */
#define NOT_FROZEN                                                                                 \
  "NOT EXISTS (SELECT 1 FROM market_order_claims c WHERE c.order_id = market_orders.id AND"        \
  " (c.state IN ('requested', 'disputed') OR (c.state = 'declined' AND c.answered_at > ?3)))"

int pa_store_orders_due(pa_store *db, int state, int64_t now, int limit, int64_t *ids, int *n) {
  pa_sql_stmt *st = NULL;
  int64_t at = now;
  *n = 0;
  if (state == PA_ORDER_AWAITING_PAYMENT)
    st = pa_sq_stmt(db, "SELECT id FROM market_orders WHERE state = 'awaiting_payment'"
                        " AND pay_by <= ?1 ORDER BY id LIMIT ?2");
  else if (state == PA_ORDER_SHIPPED)
    st = pa_sq_stmt(db, "SELECT id FROM market_orders WHERE state = 'shipped'"
                        " AND shipped_at <= ?1 AND " NOT_FROZEN " ORDER BY id LIMIT ?2"),
    at = now - PA_ORDER_AUTO_DELIVER_SECONDS;
  else if (state == PA_ORDER_DELIVERED)
    st = pa_sq_stmt(db, "SELECT id FROM market_orders WHERE state = 'delivered'"
                        " AND delivered_at <= ?1 AND " NOT_FROZEN " ORDER BY id LIMIT ?2"),
    at = now - PA_ORDER_HOLD_SECONDS;
  else
    return PA_STORE_EINVAL;
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  if (rc == PA_SQ_OK && state != PA_ORDER_AWAITING_PAYMENT)
    rc = pa_sq_bind_i64(st, 3, now - PA_CLAIM_DISPUTE_WINDOW_SECONDS);
  while (rc == PA_SQ_OK || rc == PA_SQ_ROW) {
    rc = pa_sq_step(st);
    if (rc == PA_SQ_ROW && *n < limit) ids[(*n)++] = pa_sq_i64(st, 0);
  }
  pa_sq_done(st);
  return rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "orders due");
}

int pa_store_orders_open(pa_store *db, int64_t user, int64_t *n) {
  return pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM market_orders WHERE (buyer_id = ?1 OR seller_id ="
                          " ?1) AND state NOT IN ('completed', 'cancelled')",
                          1, &user, n);
}

/* ---- the ledger */

int pa_store_orders_ledger_add(pa_store *db, int64_t order, int64_t seller, const char *event,
                               const char *kind, int64_t amount_minor, const char *currency,
                               int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "INSERT INTO market_ledger (order_id, seller_id, event, kind, amount_minor, currency,"
      " at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (order_id, event, kind) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {order, seller};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, event);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, amount_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, now);
  return pa_sq_run(db, st, rc, "ledger", NULL, NULL);
}

typedef struct ledger_ctx {
  pa_store_ledger_fn fn;
  void *ctx;
} ledger_ctx;

static int ledger_row(void *ctx, pa_sql_stmt *st) {
  ledger_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2), pa_sq_text(st, 3),
               pa_sq_i64(st, 4));
}

int pa_store_orders_ledger_order(pa_store *db, int64_t order, pa_store_ledger_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT event, kind, amount_minor, currency, at FROM"
                                   " market_ledger WHERE order_id = ?1 ORDER BY id");
  if (!st) return PA_STORE_EDB;
  ledger_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, order), ledger_row, &c, "ledger");
}

typedef struct balance_ctx {
  pa_store_balance_fn fn;
  void *ctx;
} balance_ctx;

static int balance_row(void *ctx, pa_sql_stmt *st) {
  balance_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2));
}

int pa_store_orders_ledger_balance(pa_store *db, int64_t seller, pa_store_balance_fn fn,
                                   void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT g.currency,"
          " CAST(COALESCE(sum(CASE WHEN o.state <> 'completed' THEN g.amount_minor END), 0) AS"
          " BIGINT),"
          " CAST(COALESCE(sum(CASE WHEN o.state = 'completed' THEN g.amount_minor END), 0) AS"
          " BIGINT)"
          " FROM market_ledger g JOIN market_orders o ON o.id = g.order_id"
          " WHERE g.seller_id = ?1 AND g.kind = 'seller_payable' GROUP BY g.currency"
          " ORDER BY g.currency");
  if (!st) return PA_STORE_EDB;
  balance_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, seller), balance_row, &c, "balance");
}
