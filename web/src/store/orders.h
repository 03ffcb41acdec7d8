/* pa_store_orders — the marketplace's carts, address book, orders and their
 * ledger (issue 20, items 3–5; web/README.md, "Marketplace"; schema version
 * 25). The rules (limits, the state machine, the fee) are market_order.h's;
 * this is where they are kept. Stock is reserved with
 * pa_store_market_reserve (store/market.h) in the order's transaction and
 * given back by pa_store_orders_release_stock. */
#ifndef PA_STORE_ORDERS_H
#define PA_STORE_ORDERS_H

#include "market_order.h"
#include "store/store.h"

/* ---- the cart */

/* A cart line as it stands now: the listing's live price and stock, or
 * gone (deleted, paused, hidden by a moderator, a variant removed, a block
 * between buyer and seller). */
typedef struct pa_store_cart_line {
  int64_t listing, variant, quantity, added_at;
  int gone;
  char title[PA_MARKET_CAP(PA_MARKET_TITLE_MAX)]; /* live, or as it was when added */
  int64_t seller;
  int provider, connected; /* the seller's payout account (PA_MARKET_PAYPAL …) */
  int64_t unit_minor, stock;
  char currency[4];
  int category, sold_out;
} pa_store_cart_line;
typedef int (*pa_store_cart_fn)(void *ctx, const pa_store_cart_line *l);

int pa_store_orders_cart_count(pa_store *db, int64_t user, int64_t *n);
/* Sets the quantity of user's line (listing, variant), adding it with title at now. */
int pa_store_orders_cart_put(pa_store *db, int64_t user, int64_t listing, int64_t variant,
                             int64_t quantity, const char *title, int64_t now);
/* Removes a line; *removed 0 when there was none. */
int pa_store_orders_cart_remove(pa_store *db, int64_t user, int64_t listing, int64_t variant,
                                int *removed);
int pa_store_orders_cart_clear(pa_store *db, int64_t user);
/* user's lines, oldest first, as they stand now (for user as the viewer). */
int pa_store_orders_cart_lines(pa_store *db, int64_t user, pa_store_cart_fn fn, void *ctx);

/* ---- the address book */

int pa_store_orders_address_count(pa_store *db, int64_t user, int64_t *n);
int pa_store_orders_address_add(pa_store *db, int64_t user, const pa_market_address *a, int64_t now,
                                int64_t *id);
/* Address id of user into *a; PA_STORE_ENOTFOUND when none, or not theirs. */
int pa_store_orders_address_get(pa_store *db, int64_t id, int64_t user, pa_market_address *a);
/* PA_STORE_ENOTFOUND when none, or not theirs. */
int pa_store_orders_address_delete(pa_store *db, int64_t id, int64_t user);
typedef int (*pa_store_address_fn)(void *ctx, int64_t id, const pa_market_address *a);
int pa_store_orders_addresses(pa_store *db, int64_t user, pa_store_address_fn fn, void *ctx);

/* ---- orders */

typedef struct pa_store_order {
  int64_t id, checkout_id, position, buyer_id, seller_id;
  int state;    /* pa_market_order_state */
  int provider; /* PA_MARKET_PAYPAL or PA_MARKET_MERCADOPAGO */
  char currency[4];
  int64_t total_minor, fee_minor;
  char address[2048]; /* the JSON pa_market_address_json wrote */
  char idem_key[65];  /* every provider call of the order derives its key from this */
  char pay_id[96], approve_url[512], capture_id[96], refund_id[96];
  char carrier[PA_MARKET_CAP(PA_ORDER_CARRIER_MAX)], tracking[PA_MARKET_CAP(PA_ORDER_TRACKING_MAX)];
  int64_t created_at, updated_at, pay_by, paid_at, shipped_at, delivered_at, closed_at;
  /* Shipping (schema 28; market_ship.h): the part of total_minor charged to
   * reach the buyer (the fee is on the rest), and how (PA_SHIP_*; -1 for an
   * order made before shipping was charged). */
  int64_t shipping_minor;
  int shipping_method;
} pa_store_order;
typedef int (*pa_store_order_fn)(void *ctx, const pa_store_order *o);

/* A new checkout of buyer at now: *id its number. */
int pa_store_orders_checkout_add(pa_store *db, int64_t buyer, int64_t now, int64_t *id);
/* Inserts o (state awaiting_payment, its history's first row); o->id set. */
int pa_store_orders_add(pa_store *db, pa_store_order *o);
int pa_store_orders_item_add(pa_store *db, int64_t order, int position, int64_t listing,
                             int64_t variant, const char *title, int64_t unit_minor,
                             int64_t quantity);
int pa_store_orders_get(pa_store *db, int64_t id, pa_store_order *o);
/* The order whose charge is the provider's capture_id into *id;
 * PA_STORE_ENOTFOUND when none. */
int pa_store_orders_by_capture(pa_store *db, const char *capture_id, int64_t *id);
int pa_store_orders_set_payment(pa_store *db, int64_t id, const char *pay_id,
                                const char *approve_url);
int pa_store_orders_set_capture(pa_store *db, int64_t id, const char *capture_id);
int pa_store_orders_set_refund(pa_store *db, int64_t id, const char *refund_id);
/* Moves order id from state from to state to at now by actor (0: the
 * server), with a history row and the time of the step (shipped: carrier
 * and tracking too, else NULL). *moved 0 when it was not in from any more:
 * whoever moved it first won, and nothing is written. */
int pa_store_orders_move(pa_store *db, int64_t id, int from, int to, int64_t actor, int64_t now,
                         const char *carrier, const char *tracking, int *moved);
/* Takes order id's row for the rest of the transaction (PostgreSQL's row
 * lock; SQLite's write transaction holds everything already): a refund
 * request and the worker's step on the same order then happen one after
 * the other, so neither acts on what the other is changing. */
int pa_store_orders_lock(pa_store *db, int64_t id);
/* Gives the units of order id's items back to their listings and variants
 * (those still there). */
int pa_store_orders_release_stock(pa_store *db, int64_t id);

typedef struct pa_store_order_item {
  int64_t listing, variant, unit_minor, quantity;
  const char *title; /* valid in the callback only */
} pa_store_order_item;
typedef int (*pa_store_order_item_fn)(void *ctx, const pa_store_order_item *it);
int pa_store_orders_items(pa_store *db, int64_t id, pa_store_order_item_fn fn, void *ctx);
typedef int (*pa_store_order_step_fn)(void *ctx, const char *from, const char *to, int64_t actor,
                                      int64_t at);
int pa_store_orders_history(pa_store *db, int64_t id, pa_store_order_step_fn fn, void *ctx);

/* user's orders as buyer (as_seller 0) or as seller, newest first, paged. */
int pa_store_orders_list(pa_store *db, int64_t user, int as_seller, const pa_store_cursor *after,
                         int limit, pa_store_order_fn fn, void *ctx, pa_store_cursor *next,
                         int *more);
/* The ids of up to limit orders in state whose clock ran out at now: an
 * unpaid one past pay_by, a shipped one PA_ORDER_AUTO_DELIVER_SECONDS after
 * shipping, a delivered one PA_ORDER_HOLD_SECONDS after delivery. A shipped
 * or delivered order whose refund request or dispute is open (or declined
 * less than PA_CLAIM_DISPUTE_WINDOW_SECONDS ago) is never due: its clocks
 * stand still (store/disputes.h). */
int pa_store_orders_due(pa_store *db, int state, int64_t now, int limit, int64_t *ids, int *n);
/* How many orders user has open as buyer or as seller. */
int pa_store_orders_open(pa_store *db, int64_t user, int64_t *n);

/* ---- the ledger */

/* Appends one movement of order (kind: buyer_payment, platform_fee,
 * seller_payable, refund; event: paid or refunded); a second call with the
 * same (order, event, kind) writes nothing. */
int pa_store_orders_ledger_add(pa_store *db, int64_t order, int64_t seller, const char *event,
                               const char *kind, int64_t amount_minor, const char *currency,
                               int64_t now);
typedef int (*pa_store_ledger_fn)(void *ctx, const char *event, const char *kind,
                                  int64_t amount_minor, const char *currency, int64_t at);
int pa_store_orders_ledger_order(pa_store *db, int64_t order, pa_store_ledger_fn fn, void *ctx);
/* seller's balance per currency from the ledger: pending (orders not yet
 * completed), available (completed). */
typedef int (*pa_store_balance_fn)(void *ctx, const char *currency, int64_t pending,
                                   int64_t available);
int pa_store_orders_ledger_balance(pa_store *db, int64_t seller, pa_store_balance_fn fn, void *ctx);

#endif
