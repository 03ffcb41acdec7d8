/* pa_store_payouts — paying PayPal sellers out in batches, and the seller's
 * dashboard (issue 20, item 5; web/README.md, "Marketplace: payouts";
 * schema version 28). The rules (minimums, the states, the round) are
 * payouts.h's; this is where they are kept.
 *
 * A batch (market_payouts) is one PayPal Payouts call of one currency; an
 * item (market_payout_items) is one seller's whole available balance in
 * that currency; market_payout_ledger holds what moved out of the seller's
 * available balance (event sent, +amount) and back into it (returned,
 * -amount), append-only and once per (item, event). So for each seller
 * and currency: seller payables (market_ledger) = net payouts + balance. */
#ifndef PA_STORE_PAYOUTS_H
#define PA_STORE_PAYOUTS_H

#include "store/store.h"

/* An item's state: in flight (sent or to send), waiting at PayPal for its
 * receiver to claim it, in the seller's account, or back in their balance. */
typedef enum pa_store_payout_state {
  PA_PAYOUT_ITEM_PENDING = 0,
  PA_PAYOUT_ITEM_UNCLAIMED,
  PA_PAYOUT_ITEM_PAID,
  PA_PAYOUT_ITEM_RETURNED
} pa_store_payout_state;

/* Whom an item pays (schema 32): a marketplace seller their available
 * balance (market_payout_ledger), or an affiliate their approved
 * commissions (aff_payout_ledger, store/commission.h). A batch pays one
 * kind only; seller_id is then the affiliate's user id. */
typedef enum pa_store_payee { PA_PAYEE_SELLER = 0, PA_PAYEE_AFFILIATE } pa_store_payee;

/* "pending", "unclaimed", "paid", "returned"; NULL for anything else. */
const char *pa_store_payouts_state_name(int state);

/* A batch's state: written and not yet acknowledged by PayPal (sent again
 * under the same id until it is), at PayPal (paypal_id kept), done (every
 * item final). */
enum { PA_PAYOUT_BATCH_PENDING = 0, PA_PAYOUT_BATCH_SENT, PA_PAYOUT_BATCH_DONE };

typedef struct pa_store_payout_batch {
  int64_t id;
  int state;
  char currency[4];
  char paypal_id[96];
  int64_t total_minor, items, created_at, updated_at, checked_at;
} pa_store_payout_batch;

typedef struct pa_store_payout_item {
  int64_t id, payout_id, seller_id;
  int payee; /* pa_store_payee */
  char receiver[255];
  int64_t amount_minor;
  char currency[4];
  int state; /* pa_store_payout_state */
  char paypal_item_id[96];
  char error[64];
  int64_t created_at, updated_at;
} pa_store_payout_item;
typedef int (*pa_store_payout_item_fn)(void *ctx, const pa_store_payout_item *it);

/* Inside the caller's write transaction: writes a pending batch of
 * currency at now whose items are every PayPal seller's available balance
 * in currency of at least min_minor (payee PA_PAYEE_SELLER), or every
 * affiliate's approved balance less carried reversals at now of at least
 * min_minor who has a payout email and no payout item this month (UTC)
 * (PA_PAYEE_AFFILIATE) — up to max_items of them, the largest user ids
 * last — and each item's sent row in market_payout_ledger or
 * aff_payout_ledger. *id the batch (0 when nobody reached the minimum:
 * nothing written). On PostgreSQL it takes a transaction-scoped advisory
 * lock first, so rounds of two servers never take the same balance. */
int pa_store_payouts_batch_make(pa_store *db, int payee, const char *currency, int64_t min_minor,
                                int max_items, int64_t now, int64_t *id);
/* The currencies in which some payee of that kind has a balance to pay
 * (sellers: available above zero; affiliates: any commission), into
 * out[0..*n) (at most cap, sorted). */
int pa_store_payouts_currencies(pa_store *db, int payee, char (*out)[4], int cap, int *n);
/* When balances were last gathered into batches (meta payouts_scanned; 0
 * before the first time), and setting it. */
int pa_store_payouts_scanned(pa_store *db, int64_t *at);
int pa_store_payouts_set_scanned(pa_store *db, int64_t at);
/* *news 1 when a PayPal order completed at or after since (the state index
 * answers it without reading the ledger). */
int pa_store_payouts_news(pa_store *db, int64_t since, int *news);
int pa_store_payouts_batch_get(pa_store *db, int64_t id, pa_store_payout_batch *out);
/* The ids of up to cap batches still pending (to send), oldest first. */
int pa_store_payouts_unsent(pa_store *db, int64_t *ids, int cap, int *n);
/* The ids of up to cap batches at PayPal not done whose last reading is at
 * or before before, oldest reading first. */
int pa_store_payouts_due(pa_store *db, int64_t before, int64_t *ids, int cap, int *n);
/* Batch id was accepted by PayPal as paypal_id: pending → sent. */
int pa_store_payouts_batch_sent(pa_store *db, int64_t id, const char *paypal_id, int64_t now);
/* Batch id was read at now; done when none of its items is pending or
 * unclaimed any more. */
int pa_store_payouts_batch_checked(pa_store *db, int64_t id, int64_t now);
/* Batch id's items in id order. */
int pa_store_payouts_batch_items(pa_store *db, int64_t id, pa_store_payout_item_fn fn, void *ctx);
int pa_store_payouts_item_get(pa_store *db, int64_t id, pa_store_payout_item *out);
/* Inside the caller's transaction: item id moves from state from to state
 * to (with PayPal's item id and error text, kept when empty) at now; a
 * return writes its returned row in market_payout_ledger (once per item).
 * *moved 0 when it was not in from any more: nothing is written. */
int pa_store_payouts_item_move(pa_store *db, int64_t id, int from, int to,
                               const char *paypal_item_id, const char *error, int64_t now,
                               int *moved);
/* Our batch PayPal knows as paypal_id into *id; PA_STORE_ENOTFOUND when none. */
int pa_store_payouts_by_paypal(pa_store *db, const char *paypal_id, int64_t *id);

/* ---- the seller's view */

/* seller's money per currency (sorted): pending (their share of orders
 * paid and not completed), available (of completed PayPal orders, less net
 * payouts: ours to pay), in_flight (items sent or unclaimed), paid_out
 * (items paid, and completed Mercado Pago orders, which Mercado Pago
 * releases to the seller itself). */
typedef int (*pa_store_payouts_balance_fn)(void *ctx, const char *currency, int64_t pending,
                                           int64_t available, int64_t in_flight, int64_t paid_out);
int pa_store_payouts_balance(pa_store *db, int64_t seller, pa_store_payouts_balance_fn fn,
                             void *ctx);
/* seller's sales per month (UTC, "YYYY-MM") and currency from since on:
 * orders paid in the month and not cancelled, their totals, our fees and
 * the seller's share; oldest month first. */
typedef int (*pa_store_sales_fn)(void *ctx, const char *month, const char *currency, int64_t orders,
                                 int64_t total_minor, int64_t fee_minor, int64_t net_minor);
int pa_store_payouts_sales(pa_store *db, int64_t seller, int64_t since, pa_store_sales_fn fn,
                           void *ctx);
/* How many of seller's orders are in each state (only states with some). */
typedef int (*pa_store_state_count_fn)(void *ctx, const char *state, int64_t n);
int pa_store_payouts_order_states(pa_store *db, int64_t seller, pa_store_state_count_fn fn,
                                  void *ctx);
/* seller's (or, payee PA_PAYEE_AFFILIATE, the affiliate's) payout items,
 * newest first, paged by (created_at, id). */
int pa_store_payouts_list(pa_store *db, int payee, int64_t seller, const pa_store_cursor *after,
                          int limit, pa_store_payout_item_fn fn, void *ctx, pa_store_cursor *next,
                          int *more);

#endif
