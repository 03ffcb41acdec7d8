/* pa_orders: the money- and stock-moving steps of an order (orders.h). */
#include "orders.h"

#include "log.h"
#include "pay/pay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the paid rows of o once. */
static int ledger_paid(pa_store *db, const pa_store_order *o, int64_t now) {
  int rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "buyer_payment",
                                      o->total_minor, o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "platform_fee", o->fee_minor,
                                    o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "seller_payable",
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
  rc = pa_store_orders_get(db, id, &o);
  if (rc == PA_STORE_OK && o.state == PA_ORDER_AWAITING_PAYMENT)
    rc = pa_store_orders_move(db, id, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_PAID, actor, now, NULL,
                              NULL, &moved);
  /* Money that came in is in the ledger whatever the order's state: a
   * payment that raced a lapse is recorded, then refunded. */
  if (rc == PA_STORE_OK && (moved || o.state == PA_ORDER_CANCELLED)) rc = ledger_paid(db, &o, now);
  if (rc == PA_STORE_OK && (moved || !o.capture_id[0]))
    rc = pa_store_orders_set_capture(db, id, capture_id);
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
  rc = pa_store_orders_get(db, id, &o);
  if (rc == PA_STORE_OK && o.state == PA_ORDER_PAID)
    rc = pa_store_orders_move(db, id, PA_ORDER_PAID, PA_ORDER_CANCELLED, actor, now, NULL, NULL,
                              &moved);
  if (rc == PA_STORE_OK && moved) rc = pa_store_orders_release_stock(db, id);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, id, o.seller_id, "refunded", "refund", o.total_minor,
                                    o.currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, id, o.seller_id, "refunded", "platform_fee", -o.fee_minor,
                                    o.currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, id, o.seller_id, "refunded", "seller_payable",
                                    -(o.total_minor - o.fee_minor), o.currency, now);
  if (rc == PA_STORE_OK) rc = pa_store_orders_set_refund(db, id, refund_id);
  return finish(db, rc);
}

int pa_orders_cancel_unpaid(pa_store *db, int64_t id, int64_t actor, int64_t now, int *moved) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_orders_move(db, id, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, actor, now, NULL,
                            NULL, moved);
  if (rc == PA_STORE_OK && *moved) rc = pa_store_orders_release_stock(db, id);
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
      rc = finish(db, pa_store_orders_move(db, ids[i], from, to, 0, now, NULL, NULL, &moved));
    }
    if (rc != PA_STORE_OK) pa_log_event("error", "orders", "%s", pa_store_errmsg(db));
  }
}

void pa_orders_work(pa_store *db, int64_t now) {
  advance(db, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, now);
  advance(db, PA_ORDER_SHIPPED, PA_ORDER_DELIVERED, now);
  advance(db, PA_ORDER_DELIVERED, PA_ORDER_COMPLETED, now);
}

int pa_orders_refund(pa_store *db, pa_pay *pay, int64_t id, int64_t actor, int64_t now, char *err,
                     size_t errlen) {
  pa_store_order o;
  pa_pay_txn t;
  char key[80], perr[PA_PAY_ERR_MAX] = "";
  int rc = pa_store_orders_get(db, id, &o);
  if (rc != PA_STORE_OK) return rc;
  memset(&t, 0, sizeof t);
  snprintf(key, sizeof key, "%s-refund", o.idem_key);
  if (pa_pay_refund(pay, PA_PAY_PAYPAL, "", o.capture_id, 0, NULL, key, &t, perr) != PA_PAY_OK) {
    snprintf(err, errlen, "%s", perr);
    return PA_STORE_EDB;
  }
  return pa_orders_refunded(db, id, t.id, actor, now);
}

int pa_orders_charge_event(pa_store *db, pa_pay *pay, const pa_pay_txn *txn, int64_t now, int *rc) {
  const char *ref = txn->reference;
  pa_store_order o;
  int applied = 0;
  int64_t found = 0;
  char err[PA_PAY_ERR_MAX] = "";
  /* A refund may come without our reference: it names the charge it
   * reverses, which an order keeps. We record our refunds when we make
   * them, so it is only acknowledged. */
  if (txn->kind != PA_PAY_TXN_CHARGE && txn->parent_id[0]) {
    *rc = pa_store_orders_by_capture(db, txn->parent_id, &found);
    if (*rc == PA_STORE_OK) return 1;
    if (*rc != PA_STORE_ENOTFOUND) return 1;
    *rc = PA_STORE_OK;
  }
  if (strncmp(ref, "ord_", 4) != 0 || ref[4] < '1' || ref[4] > '9' ||
      strspn(ref + 4, "0123456789") != strlen(ref + 4) || strlen(ref + 4) > 15)
    return 0;
  const int64_t id = strtoll(ref + 4, NULL, 10);
  *rc = PA_STORE_OK;
  /* Refunds are recorded when we make them; only charges are news. */
  if (txn->kind != PA_PAY_TXN_CHARGE) return 1;
  if ((*rc = pa_orders_paid(db, id, txn->id, 0, now, &applied)) != PA_STORE_OK ||
      (*rc = pa_store_orders_get(db, id, &o)) != PA_STORE_OK)
    return 1;
  if (o.state == PA_ORDER_CANCELLED && !o.refund_id[0] &&
      (*rc = pa_orders_refund(db, pay, id, 0, now, err, sizeof err)) != PA_STORE_OK)
    pa_log_event("warn", "orders", "refund ord_%lld after a lapse: %s", (long long)id, err);
  return 1;
}
