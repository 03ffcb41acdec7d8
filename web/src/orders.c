/* pa_orders: the money- and stock-moving steps of an order (orders.h). */
#include "orders.h"

#include "commission.h"
#include "log.h"
#include "market_mp.h"
#include "pay/catalog.h"
#include "pay/pay.h"
#include "store/disputes.h"
#include "store/market.h"
#include "store/notifications.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The buyer's referrer's commission on our fee of o (commission.h), or
 * its reversal on the order's refund; once each (the keys are unique). */
static int commission(pa_store *db, const pa_store_order *o, int refunded, const char *payer,
                      int64_t now) {
  char key[48], parent[48];
  snprintf(key, sizeof key, "ord_%lld:%s", (long long)o->id, refunded ? "refunded" : "paid");
  snprintf(parent, sizeof parent, "ord_%lld:paid", (long long)o->id);
  pa_commission_event ce = {.user = o->buyer_id,
                            .source = "marketplace",
                            .key = key,
                            .parent = refunded ? parent : NULL,
                            .currency = o->currency,
                            .base_minor = o->fee_minor,
                            .at = now,
                            .payer = payer};
  return pa_commission_record(db, &ce);
}

/* Writes the paid rows of o once.
 *
 * A Mercado Pago order is a split payment: the buyer pays the seller's own
 * Mercado Pago account (the collector) and Mercado Pago passes our
 * marketplace_fee to us, so no money of the seller's passes through ours.
 * Its rows are the same three all the same: buyer_payment (what the buyer
 * paid) = seller_payable (what stays with the seller) + platform_fee (ours),
 * and a refund reverses both shares (Mercado Pago gives our fee back in
 * proportion, all of it on a full refund). The ledger records who is owed
 * what for each order whichever account holds the money, so its balance
 * property (buyer payments = seller payables + platform fees + refunds)
 * holds for both providers; what differs is only who pays the seller out
 * (PayPal: our payouts; Mercado Pago: MP itself, at its money release). */
static int ledger_paid(pa_store *db, const pa_store_order *o, const char *payer, int64_t now) {
  int rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "buyer_payment",
                                      o->total_minor, o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "platform_fee", o->fee_minor,
                                    o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "paid", "seller_payable",
                                    o->total_minor - o->fee_minor, o->currency, now);
  if (rc == PA_STORE_OK) rc = commission(db, o, 0, payer, now);
  return rc;
}

static int tell_to(pa_store *db, const pa_store_order *op, const char *step, int64_t actor,
                   int to_seller, int64_t now);

int pa_orders_tell(pa_store *db, int64_t id, const char *step, int64_t actor, int64_t now) {
  pa_store_order o;
  int rc = pa_store_orders_get(db, id, &o);
  if (rc != PA_STORE_OK) return rc;
  /* The other side of who acted; the server's own steps go to whom they
   * concern: the money's arrival, delivery and completion to the seller,
   * a lapse, a shipment and a refund the server made to the buyer. */
  int to_seller;
  if (actor && actor == o.seller_id)
    to_seller = 0;
  else if (actor && actor == o.buyer_id)
    to_seller = 1;
  else
    to_seller = strcmp(step, "paid") == 0 || strcmp(step, "delivered") == 0 ||
                strcmp(step, "completed") == 0;
  return tell_to(db, &o, step, actor, to_seller, now);
}

int pa_orders_tell_side(pa_store *db, int64_t id, const char *step, int64_t actor, int to_seller,
                        int64_t now) {
  pa_store_order o;
  int rc = pa_store_orders_get(db, id, &o);
  return rc != PA_STORE_OK ? rc : tell_to(db, &o, step, actor, to_seller, now);
}

static int tell_to(pa_store *db, const pa_store_order *op, const char *step, int64_t actor,
                   int to_seller, int64_t now) {
  const pa_store_order o = *op;
  int rc;
  /* A side whose account is gone is told nothing. */
  if (!(to_seller ? o.seller_id : o.buyer_id)) return PA_STORE_OK;
  char ref[32];
  snprintf(ref, sizeof ref, "ord_%lld", (long long)o.id);
  cJSON *d = cJSON_CreateObject();
  char *detail = NULL;
  int ok = d && cJSON_AddStringToObject(d, "step", step) &&
           cJSON_AddStringToObject(d, "order", ref) &&
           cJSON_AddStringToObject(d, "role", to_seller ? "seller" : "buyer") &&
           cJSON_AddNumberToObject(d, "total_minor", (double)o.total_minor) &&
           cJSON_AddStringToObject(d, "currency", o.currency);
  if (ok && strcmp(step, "shipped") == 0)
    ok = cJSON_AddStringToObject(d, "carrier", o.carrier) &&
         cJSON_AddStringToObject(d, "tracking", o.tracking);
  if (ok) detail = cJSON_PrintUnformatted(d);
  cJSON_Delete(d);
  if (!detail) return PA_STORE_ENOMEM;
  /* Carrier and tracking are bounded (market_order.h) well within the
   * detail's bytes, escapes included. */
  pa_store_notice_new n = {.user = to_seller ? o.seller_id : o.buyer_id,
                           .kind = "order",
                           .actor = actor,
                           .detail = detail,
                           .at = now};
  rc = pa_store_notifications_add_notice(db, &n, NULL);
  cJSON_free(detail);
  return rc;
}

static int finish(pa_store *db, int rc) {
  if (rc == PA_STORE_OK) rc = pa_store_commit(db);
  if (rc != PA_STORE_OK) pa_store_rollback(db);
  return rc;
}

int pa_orders_paid(pa_store *db, int64_t id, const char *capture_id, const char *payer,
                   int64_t actor, int64_t now, int *applied) {
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
  if (rc == PA_STORE_OK && (moved || o.state == PA_ORDER_CANCELLED))
    rc = ledger_paid(db, &o, payer, now);
  if (rc == PA_STORE_OK && moved) rc = pa_orders_tell(db, id, "paid", actor, now);
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
  if (rc == PA_STORE_OK) rc = commission(db, &o, 1, NULL, now);
  /* Told once: a second record of the same refund writes no ledger row either. */
  if (rc == PA_STORE_OK && !o.refund_id[0]) rc = pa_orders_tell(db, id, "refunded", actor, now);
  if (rc == PA_STORE_OK) rc = pa_store_orders_set_refund(db, id, refund_id);
  return finish(db, rc);
}

int pa_orders_cancel_unpaid(pa_store *db, int64_t id, int64_t actor, int64_t now, int tell,
                            int *moved) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_orders_move(db, id, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, actor, now, NULL,
                            NULL, moved);
  if (rc == PA_STORE_OK && *moved) rc = pa_store_orders_release_stock(db, id);
  if (rc == PA_STORE_OK && *moved && tell)
    rc = pa_orders_tell(db, id, actor ? "cancelled" : "lapsed", actor, now);
  return finish(db, rc);
}

/* Whether order id's claim stops its clocks at now (store/orders.h,
 * pa_store_orders_due), read again inside the step's transaction: a
 * request that came after the round listed the order wins. */
static int frozen(pa_store *db, int64_t id, int64_t now, int *out) {
  pa_store_claim c;
  *out = 0;
  int rc = pa_store_disputes_claim_get(db, id, &c);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK;
  if (rc == PA_STORE_OK)
    *out = pa_market_claim_open(c.state) ||
           (c.state == PA_CLAIM_DECLINED && c.answered_at > now - PA_CLAIM_DISPUTE_WINDOW_SECONDS);
  return rc;
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
      rc = pa_orders_cancel_unpaid(db, ids[i], 0, now, 1, &moved);
    } else if ((rc = pa_store_begin(db)) == PA_STORE_OK) {
      /* The step and its history row together, the order's row taken
       * first so a refund request on it waits for the step or is seen. */
      int stop = 0;
      moved = 0;
      rc = pa_store_orders_lock(db, ids[i]);
      if (rc == PA_STORE_OK) rc = frozen(db, ids[i], now, &stop);
      if (rc == PA_STORE_OK && !stop)
        rc = pa_store_orders_move(db, ids[i], from, to, 0, now, NULL, NULL, &moved);
      if (rc == PA_STORE_OK && moved)
        rc = pa_orders_tell(db, ids[i], to == PA_ORDER_DELIVERED ? "delivered" : "completed", 0,
                            now);
      rc = finish(db, rc);
    }
    if (rc != PA_STORE_OK) pa_log_event("error", "orders", "%s", pa_store_errmsg(db));
  }
}

void pa_orders_work(pa_store *db, int64_t now) {
  advance(db, PA_ORDER_AWAITING_PAYMENT, PA_ORDER_CANCELLED, now);
  advance(db, PA_ORDER_SHIPPED, PA_ORDER_DELIVERED, now);
  advance(db, PA_ORDER_DELIVERED, PA_ORDER_COMPLETED, now);
}

/* Refunds a Mercado Pago order's split payment in full with its seller's
 * token (wiped after): Mercado Pago gives back our fee in proportion.
 * *disconnected 1 when the seller has no grant any more (disconnected, or
 * Mercado Pago refused its refresh): the payment sits in their account,
 * and only their token can refund it. */
static int mp_refund(pa_store *db, pa_pay *pay, const pa_store_order *o, const char *key,
                     int64_t now, pa_pay_txn *t, char perr[PA_PAY_ERR_MAX], int *disconnected) {
  char token[PA_PAY_MP_TOKEN_MAX];
  const char *country = pa_catalog_mp_country(o->currency);
  int mrc = country ? pa_market_mp_token(db, pay, o->seller_id, now, token, NULL)
                    : PA_MARKET_MP_ENOTCONNECTED;
  int prc = PA_PAY_EREFUSED;
  *disconnected = mrc == PA_MARKET_MP_ENOTCONNECTED;
  if (mrc == PA_MARKET_MP_OK)
    prc = pa_pay_mp_seller_refund(pay, token, country, o->capture_id, NULL, key, t, perr);
  else
    snprintf(perr, PA_PAY_ERR_MAX, "the seller's Mercado Pago token is not available (%d)", mrc);
  sodium_memzero(token, sizeof token);
  return prc;
}

/* Refunds order o's charge in full with the provider: an order is refunded
 * once whichever way (a cancellation, a refund request, a dispute), so
 * every way uses the one key derived from the order's, and a retry is the
 * same refund there. 0, or -1 with err set and *disconnected (when not
 * NULL) 1 if a Mercado Pago seller's grant is gone (mp_refund). */
static int provider_refund(pa_store *db, pa_pay *pay, const pa_store_order *o, int64_t now,
                           pa_pay_txn *t, char *err, size_t errlen, int *disconnected) {
  char key[80], perr[PA_PAY_ERR_MAX] = "";
  int gone = 0;
  memset(t, 0, sizeof *t);
  snprintf(key, sizeof key, "%s-refund", o->idem_key);
  int prc = o->provider == PA_MARKET_MERCADOPAGO
                ? mp_refund(db, pay, o, key, now, t, perr, &gone)
                : pa_pay_refund(pay, PA_PAY_PAYPAL, "", o->capture_id, 0, NULL, key, t, perr);
  if (disconnected) *disconnected = gone;
  if (prc == PA_PAY_OK) return 0;
  snprintf(err, errlen, "%s", perr);
  return -1;
}

int pa_orders_refund(pa_store *db, pa_pay *pay, int64_t id, int64_t actor, int64_t now, char *err,
                     size_t errlen) {
  pa_store_order o;
  pa_pay_txn t;
  int disconnected = 0;
  int rc = pa_store_orders_get(db, id, &o);
  if (rc != PA_STORE_OK) return rc;
  /* On a failure nothing is written: the order stays as it was (paid, its
   * ledger's paid rows only) until the refund is asked again with the same
   * key (for a disconnected Mercado Pago seller, once they connect again). */
  if (provider_refund(db, pay, &o, now, &t, err, errlen, &disconnected) != 0)
    return disconnected ? PA_STORE_ECONFLICT : PA_STORE_EDB;
  return pa_orders_refunded(db, id, t.id, actor, now);
}

/* The ledger's refund rows of o: the payment back to the buyer, both shares
 * reversed (a second call writes nothing: the rows are unique). */
static int ledger_refunded(pa_store *db, const pa_store_order *o, int64_t now) {
  int rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "refunded", "refund", o->total_minor,
                                      o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "refunded", "platform_fee",
                                    -o->fee_minor, o->currency, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_orders_ledger_add(db, o->id, o->seller_id, "refunded", "seller_payable",
                                    -(o->total_minor - o->fee_minor), o->currency, now);
  if (rc == PA_STORE_OK) rc = commission(db, o, 1, NULL, now);
  return rc;
}

int pa_orders_claim_refund(pa_store *db, pa_pay *pay, int64_t id, int from, const char *decision,
                           const char *note, int64_t actor, int64_t now, pa_orders_also_fn also,
                           void *also_ctx, int *moved, char *err, size_t errlen) {
  pa_store_order o;
  pa_store_claim c;
  pa_pay_txn t;
  int order_moved = 0;
  *moved = 0;
  int rc = pa_store_orders_get(db, id, &o);
  if (rc == PA_STORE_OK) rc = pa_store_disputes_claim_get(db, id, &c);
  if (rc != PA_STORE_OK) return rc;
  /* Looked at before the money moves, so a claim someone else closed
   * meanwhile is not refunded (the transaction looks again). */
  if (c.state != from || (o.state != PA_ORDER_SHIPPED && o.state != PA_ORDER_DELIVERED))
    return PA_STORE_OK;
  if (provider_refund(db, pay, &o, now, &t, err, errlen, NULL) != 0) return PA_STORE_EDB;
  if ((rc = pa_store_begin(db)) != PA_STORE_OK) return rc;
  rc = pa_store_disputes_claim_close(db, id, from, PA_CLAIM_REFUNDED, decision, note,
                                     decision ? actor : 0, now, moved);
  if (rc == PA_STORE_OK) rc = pa_store_orders_get(db, id, &o);
  /* The goods went out: no units go back to the listings. */
  if (rc == PA_STORE_OK && *moved && (o.state == PA_ORDER_SHIPPED || o.state == PA_ORDER_DELIVERED))
    rc = pa_store_orders_move(db, id, o.state, PA_ORDER_CANCELLED, actor, now, NULL, NULL,
                              &order_moved);
  if (rc == PA_STORE_OK && *moved && !order_moved) {
    pa_log_event("error", "orders", "ord_%lld refunded (%s) but it moved meanwhile", (long long)id,
                 t.id);
    rc = PA_STORE_ECONFLICT;
  }
  if (rc == PA_STORE_OK && *moved) rc = ledger_refunded(db, &o, now);
  if (rc == PA_STORE_OK && *moved) rc = pa_store_orders_set_refund(db, id, t.id);
  /* The seller accepted: the buyer is told. A moderator decided: both are. */
  if (rc == PA_STORE_OK && *moved && (decision || actor != o.buyer_id))
    rc = tell_to(db, &o, "refunded", actor, 0, now);
  if (rc == PA_STORE_OK && *moved && decision) rc = tell_to(db, &o, "refunded", actor, 1, now);
  if (rc == PA_STORE_OK && *moved && also) rc = also(db, also_ctx);
  return finish(db, rc);
}

int pa_orders_claim_release(pa_store *db, int64_t id, const char *note, int64_t actor, int64_t now,
                            pa_orders_also_fn also, void *also_ctx, int *moved) {
  pa_store_order o;
  int step = 0;
  *moved = 0;
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_disputes_claim_close(db, id, PA_CLAIM_DISPUTED, PA_CLAIM_RELEASED, "release", note,
                                     actor, now, moved);
  if (rc == PA_STORE_OK) rc = pa_store_orders_get(db, id, &o);
  /* Decided for the seller: the goods count as delivered, and the hold,
   * which is the buyer's time to dispute, has done its work, so the order
   * completes now and the seller's share becomes available. */
  if (rc == PA_STORE_OK && *moved && o.state == PA_ORDER_SHIPPED) {
    rc = pa_store_orders_move(db, id, PA_ORDER_SHIPPED, PA_ORDER_DELIVERED, actor, now, NULL, NULL,
                              &step);
    o.state = PA_ORDER_DELIVERED;
  }
  if (rc == PA_STORE_OK && *moved && o.state == PA_ORDER_DELIVERED)
    rc = pa_store_orders_move(db, id, PA_ORDER_DELIVERED, PA_ORDER_COMPLETED, actor, now, NULL,
                              NULL, &step);
  if (rc == PA_STORE_OK && *moved) rc = tell_to(db, &o, "released", actor, 0, now);
  if (rc == PA_STORE_OK && *moved) rc = tell_to(db, &o, "released", actor, 1, now);
  if (rc == PA_STORE_OK && *moved && also) rc = also(db, also_ctx);
  return finish(db, rc);
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
  if ((*rc = pa_orders_paid(db, id, txn->id, txn->payer, 0, now, &applied)) != PA_STORE_OK ||
      (*rc = pa_store_orders_get(db, id, &o)) != PA_STORE_OK)
    return 1;
  if (o.state == PA_ORDER_CANCELLED && !o.refund_id[0] &&
      (*rc = pa_orders_refund(db, pay, id, 0, now, err, sizeof err)) != PA_STORE_OK)
    pa_log_event("warn", "orders", "refund ord_%lld after a lapse: %s", (long long)id, err);
  return 1;
}

/* Reads seller's payment payment_id on the site of country with their
 * token (wiped after). */
static int mp_read(pa_store *db, pa_pay *pay, int64_t seller, const char *country,
                   const char *payment_id, int64_t now, pa_pay_mp_split *out,
                   char err[PA_PAY_ERR_MAX]) {
  char token[PA_PAY_MP_TOKEN_MAX];
  int mrc = pa_market_mp_token(db, pay, seller, now, token, NULL);
  int prc = PA_PAY_EUNREACHABLE;
  if (mrc == PA_MARKET_MP_OK)
    prc = pa_pay_mp_seller_payment_get(pay, token, country, payment_id, out, err);
  else if (mrc == PA_MARKET_MP_ENOTCONNECTED)
    prc = PA_PAY_EREFUSED;
  sodium_memzero(token, sizeof token);
  return prc;
}

int pa_orders_mp_event(pa_store *db, pa_pay *pay, const char *mp_user, const char *country,
                       const char *payment_id, int64_t now, int *rc) {
  int64_t seller = 0, id = 0;
  pa_store_order o;
  pa_pay_mp_split sp;
  char err[PA_PAY_ERR_MAX] = "";
  int applied = 0;
  *rc = PA_STORE_OK;
  if (!mp_user || !mp_user[0]) return 0;
  int src = pa_store_market_mp_seller_of(db, mp_user, &seller);
  if (src == PA_STORE_ENOTFOUND) return 0; /* no seller of ours (any more): billing's, or none */
  if (src != PA_STORE_OK) {
    *rc = src;
    return 1;
  }
  /* The notification may not say the site; the order's currency does, so a
   * first read on a guess is read again on the order's site when it differs
   * (the amounts' decimals are the site's). */
  const char *site = pa_catalog_mp_currency(country) ? country : "BR";
  int prc = mp_read(db, pay, seller, site, payment_id, now, &sp, err);
  if (prc == PA_PAY_EREFUSED) {
    pa_log_event("warn", "orders", "seller payment %s not readable: %s", payment_id, err);
    return 1; /* not connected any more, or not theirs: nothing to apply */
  }
  if (prc != PA_PAY_OK) {
    pa_log_event("warn", "orders", "read seller payment %s: %s", payment_id, err);
    *rc = PA_STORE_EDB; /* again later */
    return 1;
  }
  if (pa_market_order_id(sp.charge.reference, "ord", &id) != 0) return 1; /* not an order's */
  if ((*rc = pa_store_orders_get(db, id, &o)) != PA_STORE_OK) {
    if (*rc == PA_STORE_ENOTFOUND) *rc = PA_STORE_OK;
    return 1;
  }
  /* Only the order's own seller collects its payment. */
  if (o.seller_id != seller || o.provider != PA_MARKET_MERCADOPAGO) return 1;
  const char *own = pa_catalog_mp_country(o.currency);
  if (own && strcmp(own, site) != 0) {
    prc = mp_read(db, pay, seller, own, payment_id, now, &sp, err);
    if (prc != PA_PAY_OK) {
      *rc = prc == PA_PAY_EREFUSED ? PA_STORE_OK : PA_STORE_EDB;
      return 1;
    }
  }
  /* Refunds are recorded when we make them; only an approved charge of the
   * whole order is news. */
  if (sp.charge.kind != PA_PAY_TXN_CHARGE) return 1;
  if (sp.charge.gross.minor != o.total_minor || strcmp(sp.charge.gross.currency, o.currency) != 0) {
    pa_log_event("error", "orders", "seller payment %s does not match ord_%lld", payment_id,
                 (long long)id);
    return 1;
  }
  if ((*rc = pa_orders_paid(db, id, payment_id, sp.charge.payer, 0, now, &applied)) !=
          PA_STORE_OK ||
      (*rc = pa_store_orders_get(db, id, &o)) != PA_STORE_OK)
    return 1;
  if (o.state == PA_ORDER_CANCELLED && !o.refund_id[0] &&
      (*rc = pa_orders_refund(db, pay, id, 0, now, err, sizeof err)) != PA_STORE_OK)
    pa_log_event("warn", "orders", "refund ord_%lld after a lapse: %s", (long long)id, err);
  return 1;
}
