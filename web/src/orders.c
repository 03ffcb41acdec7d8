/* pa_orders: the money- and stock-moving steps of an order (orders.h). */
#include "orders.h"

#include "log.h"

#include <stdio.h>

/* Writes the paid rows of o once. */
static int ledger_paid(pa_store *db, const pa_store_order *o, int64_t now) {
  int rc = pa_store_ledger_add(db, o->id, o->seller_id, "paid", "buyer_payment", o->total_minor,
                               o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_ledger_add(db, o->id, o->seller_id, "paid", "platform_fee", o->fee_minor,
                             o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_ledger_add(db, o->id, o->seller_id, "paid", "seller_payable",
                             o->total_minor - o->fee_minor, o->currency, now);
  return rc;
}

static int finish(pa_store *db, int rc) {
  if (rc == PA_STORE_OK) rc = pa_store_commit(db);
  if (rc != PA_STORE_OK) pa_store_rollback(db);
  return rc;
}

int pa_orders_paid(pa_store *db, int64_t id, const char *capture_id, int64_t actor, int64_t now,
                   int *applied) {
  pa_store_order o;
  int moved = 0;
  *applied = 0;
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  /* Read inside the write transaction, so a concurrent step is seen. */
  rc = pa_store_order_get(db, id, &o);
  if (rc == PA_STORE_OK && o.state == PA_ORDER_AWAITING_PAYMENT)
    rc = pa_store_order_move(db, id, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_PAID, actor, now, NULL,
                             NULL, &moved);
  /* Money that came in is in the ledger whatever the order's state: a
   * payment that raced a lapse is recorded, then refunded. */
  if (rc == PA_STORE_OK && (moved || o.state == PA_ORDER_CANCELLED)) rc = ledger_paid(db, &o, now);
  if (rc == PA_STORE_OK && (moved || !o.capture_id[0]))
    rc = pa_store_order_set_capture(db, id, capture_id);
  rc = finish(db, rc);
  if (rc == PA_STORE_OK) *applied = moved;
  return rc;
}

int pa_orders_refunded(pa_store *db, int64_t id, const char *refund_id, int64_t actor,
                       int64_t now) {
  pa_store_order o;
  int moved = 0;
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_order_get(db, id, &o);
  if (rc == PA_STORE_OK && o.state == PA_ORDER_PAID)
    rc = pa_store_order_move(db, id, PA_ORDER_PAID, PA_ORDER_CANCELLED, actor, now, NULL, NULL,
                             &moved);
  if (rc == PA_STORE_OK && moved) rc = pa_store_order_release_stock(db, id);
  if (rc == PA_STORE_OK)
    rc = pa_store_ledger_add(db, id, o.seller_id, "refunded", "refund", o.total_minor, o.currency,
                             now);
  if (rc == PA_STORE_OK)
    rc = pa_store_ledger_add(db, id, o.seller_id, "refunded", "platform_fee", -o.fee_minor,
                             o.currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_ledger_add(db, id, o.seller_id, "refunded", "seller_payable",
                             -(o.total_minor - o.fee_minor), o.currency, now);
  if (rc == PA_STORE_OK) rc = pa_store_order_set_refund(db, id, refund_id);
  return finish(db, rc);
}

int pa_orders_cancel_unpaid(pa_store *db, int64_t id, int64_t actor, int64_t now, int *moved) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_order_move(db, id, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, actor, now, NULL,
                           NULL, moved);
  if (rc == PA_STORE_OK && *moved) rc = pa_store_order_release_stock(db, id);
  return finish(db, rc);
}

/* Moves every due order of state from to to. */
static void advance(pa_store *db, int from, int to, int64_t now) {
  int64_t ids[PA_ORDERS_WORK_BATCH];
  int n = 0, moved = 0;
  if (pa_store_orders_due(db, from, now, PA_ORDERS_WORK_BATCH, ids, &n) != PA_STORE_OK) {
    pa_log_event("error", "orders", "%s", pa_store_errmsg(db));
    return;
  }
  for (int i = 0; i < n; i++) {
    int rc;
    if (from == PA_ORDER_AWAITING_PAYMENT) {
      rc = pa_orders_cancel_unpaid(db, ids[i], 0, now, &moved);
    } else if ((rc = pa_store_begin(db)) == PA_STORE_OK) {
      /* The step and its history row together. */
      rc = finish(db, pa_store_order_move(db, ids[i], from, to, 0, now, NULL, NULL, &moved));
    }
    if (rc != PA_STORE_OK) pa_log_event("error", "orders", "%s", pa_store_errmsg(db));
  }
}

void pa_orders_work(pa_store *db, int64_t now) {
  advance(db, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, now);
  advance(db, PA_ORDER_SHIPPED, PA_ORDER_DELIVERED, now);
  advance(db, PA_ORDER_DELIVERED, PA_ORDER_COMPLETED, now);
}
