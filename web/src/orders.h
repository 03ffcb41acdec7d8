/* pa_orders — the marketplace order's steps that move money or stock, in
 * one place for the handlers (api/orders.c) and the worker's round: a
 * payment applied once (a second capture, or one after the order lapsed,
 * writes nothing twice), a refund recorded, an unpaid order cancelled with
 * its units given back, and the clocks (PA_ORDER_PAY_TIMEOUT_SECONDS,
 * PA_ORDER_AUTO_DELIVER_SECONDS, PA_ORDER_HOLD_SECONDS) run down by
 * pa_orders_work. Every step is one transaction with its history row and
 * its ledger rows (web/README.md, "Marketplace"). */
#ifndef PA_ORDERS_H
#define PA_ORDERS_H

#include "store/orders.h"

enum { PA_ORDERS_WORK_BATCH = 100 /* orders a round moves per clock, at most */ };

/* Order id was charged (capture_id, the provider's id of the charge): moves
 * it awaiting_payment → paid by actor and writes the ledger's paid rows
 * (buyer_payment = seller_payable + platform_fee). *applied 1 when this call
 * moved it; 0 when it was already paid or beyond (nothing written) or
 * cancelled (the ledger's paid rows are written, once: the caller refunds).
 * PA_STORE_* codes. */
/* payer: the charge's payer account (pa_pay_txn's), or NULL when the
 * provider's object names none: the buyer's referrer's commission is
 * refused when it is the affiliate's payout account (commission.h). */
int pa_orders_paid(pa_store *db, int64_t id, const char *capture_id, const char *payer,
                   int64_t actor, int64_t now, int *applied);
/* Order id's payment was refunded in full (refund_id): moves it (paid →
 * cancelled) by actor, gives its units back when this moved it, and writes
 * the ledger's refunded rows once (refund = buyer_payment, both shares
 * reversed). */
int pa_orders_refunded(pa_store *db, int64_t id, const char *refund_id, int64_t actor, int64_t now);
/* Cancels unpaid order id by actor (0: the server, the reservation lapsed)
 * and gives its units back, telling the other side when tell (not for an
 * order whose payment could not even be asked for: the checkout's answer
 * says so); *moved 0 when it was no longer unpaid. */
int pa_orders_cancel_unpaid(pa_store *db, int64_t id, int64_t actor, int64_t now, int tell,
                            int *moved);
/* A PayPal charge a webhook reported (txn, verified): when its reference
 * names one of our orders ("ord_N"), it is applied as the return's capture
 * would (once, whichever comes first), and refunded at once through pay when
 * the order had lapsed before the money came. 1 when txn was an order's
 * (handled or put back: *rc), 0 when it is none of the marketplace's. */
struct pa_pay;
struct pa_pay_txn;
int pa_orders_charge_event(pa_store *db, struct pa_pay *pay, const struct pa_pay_txn *txn,
                           int64_t now, int *rc);
/* A Mercado Pago notification of payment payment_id collected by the
 * Mercado Pago user mp_user (the notification's user_id; country its site
 * when it says, else ""): when mp_user is a connected seller of ours, the
 * payment is read with their token (pa_market_mp_token) and, when it is an
 * approved charge of that seller's order ("ord_N", the whole amount), applied
 * once as a PayPal capture is, and refunded at once when the order had
 * lapsed. 1 when mp_user is our seller's (handled, or *rc not PA_STORE_OK:
 * put it back for later), 0 when it is not (the caller's to apply). */
int pa_orders_mp_event(pa_store *db, struct pa_pay *pay, const char *mp_user, const char *country,
                       const char *payment_id, int64_t now, int *rc);
/* Refunds order id's charge (key: the order's, so a retry refunds once) and
 * records it; PA_STORE_OK, or PA_STORE_EDB also when the provider failed
 * (err says why), or PA_STORE_ECONFLICT when the order is a Mercado Pago
 * seller's who disconnected since (or whose grant Mercado Pago no longer
 * refreshes): the money is in their account and only their token refunds
 * it, so nothing is written and the order stays as it was. */
int pa_orders_refund(pa_store *db, struct pa_pay *pay, int64_t id, int64_t actor, int64_t now,
                     char *err, size_t errlen);
/* Tells the other side of order id's step (notice kind "order", inside the
 * caller's transaction, so it stands or falls with the step): detail.step
 * is paid (to the seller), shipped (to the buyer, with carrier and
 * tracking), delivered and completed (to the seller: the balance is
 * available), cancelled or refunded (to the side that did not act; the
 * buyer when the server did), lapsed (to the buyer); detail also names the
 * order, the recipient's role and the total. actor as the step's (0: the
 * server). PA_STORE_* codes. */
int pa_orders_tell(pa_store *db, int64_t id, const char *step, int64_t actor, int64_t now);
/* The worker's round: lapsed reservations cancelled, shipped orders past
 * PA_ORDER_AUTO_DELIVER_SECONDS delivered, delivered ones past
 * PA_ORDER_HOLD_SECONDS completed. */
void pa_orders_work(pa_store *db, int64_t now);

/* As pa_orders_tell, to the seller (to_seller 1) or the buyer: a
 * moderator's decision is news to both sides. */
int pa_orders_tell_side(pa_store *db, int64_t id, const char *step, int64_t actor, int to_seller,
                        int64_t now);

/* Refunds shipped or delivered order id in full through its provider
 * (the order's one refund key) and closes its claim, which must be in
 * state from (PA_CLAIM_REQUESTED: the seller accepted; PA_CLAIM_DISPUTED:
 * moderator actor decided, decision "refund" and note). In one transaction:
 * the claim refunded, the order cancelled (the units stay with the buyer),
 * the ledger's refund rows, the notices. *moved 0 when the claim was not in
 * from any more (nothing refunded). PA_STORE_EDB with err set when the
 * provider refused or was away (nothing changed). */
/* More writes of the caller's in a step's transaction (a moderator's
 * decision closes its report and writes its audit row with it). */
typedef int (*pa_orders_also_fn)(pa_store *db, void *ctx);
int pa_orders_claim_refund(pa_store *db, struct pa_pay *pay, int64_t id, int from,
                           const char *decision, const char *note, int64_t actor, int64_t now,
                           pa_orders_also_fn also, void *also_ctx, int *moved, char *err,
                           size_t errlen);
/* A moderator's (actor) decision for the seller on order id's dispute: the
 * claim released, the order delivered (when it was shipped) and completed
 * at now, both sides told. *moved 0 when it was not disputed any more. */
int pa_orders_claim_release(pa_store *db, int64_t id, const char *note, int64_t actor, int64_t now,
                            pa_orders_also_fn also, void *also_ctx, int *moved);

#endif
