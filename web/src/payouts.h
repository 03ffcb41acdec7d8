/* pa_payouts — paying PayPal sellers out in batches (issue 20, item 5;
 * web/README.md, "Marketplace: payouts").
 *
 * PayPal's marketplace model: we collect the buyer's payment, hold it until
 * the order completes, and then owe the seller their share (our fee was
 * taken at payment: ledger_paid in orders.c). A round of the billing worker
 * (pa_payouts_work) takes every PayPal seller's available balance in a
 * currency at or above the currency's minimum and, in ONE transaction,
 * writes a batch, an item per seller and the ledger rows moving the amounts
 * out of available (store/payouts.h); then sends the batch through PayPal
 * Payouts (pay.h) under an id derived from the batch's ("pob_<id>"): a
 * retry after a lost answer or a restart sends the same id again, and
 * PayPal answers with the first batch, so nothing is paid twice. One batch
 * per currency per round (PayPal's batches, and the simulator's, take one).
 *
 * What becomes of an item comes back by webhook (the billing worker hands
 * PA_PAY_EV_PAYOUT events here) or, when none comes, by reading the batch
 * (GET /v1/payments/payouts/{id}) PA_PAYOUTS_POLL_SECONDS after the last
 * reading: SUCCESS paid; UNCLAIMED waits at PayPal (the receiver has no
 * account yet: PayPal returns it after 30 days); RETURNED, FAILED, BLOCKED …
 * back into the seller's available balance with a ledger row, once. The
 * states only move forward (pending → unclaimed → paid or returned; paid →
 * returned when PayPal reverses it), so a duplicate, a stale PENDING or a
 * SUCCESS after RETURNED changes nothing. The seller is told (notice kind
 * order, detail.step payout_paid / payout_unclaimed / payout_returned).
 *
 * Mercado Pago sellers are never paid by us: the buyer paid their own
 * account (a split), and Mercado Pago releases it to them. */
#ifndef PA_PAYOUTS_H
#define PA_PAYOUTS_H

#include "store/payouts.h"

#include <stdint.h>

enum {
  /* A batch at PayPal that is not done is read again this long after its
   * last reading: the repair for a webhook that never came. */
  PA_PAYOUTS_POLL_SECONDS = 3600,
  /* Balances are gathered into new batches when a PayPal order completed
   * since the last time (an index lookup), else at most this often (a
   * payout that came back, then the seller's saved account): the gathering
   * reads every seller's ledger, too much for every 5-second round. */
  PA_PAYOUTS_SCAN_SECONDS = 3600,
  PA_PAYOUTS_ROUND_BATCHES = 8, /* batches a round sends, and reads, at most */
  PA_PAYOUTS_CURRENCIES_MAX = 16
};

/* The smallest balance paid out in currency, in its minor units (about 1
 * USD: a payout smaller than PayPal's fee on it is not worth sending); 0
 * for a currency we do not pay out in. */
int64_t pa_payouts_minimum(const char *currency);

struct pa_pay;
struct pa_pay_event;
struct pa_pay_payout_item;

/* The worker's round at now: new batches made and sent, unsent ones sent
 * again, those due read back. Nothing when PayPal is not configured. */
void pa_payouts_work(pa_store *db, struct pa_pay *pay, int64_t now);

/* A verified PayPal payouts webhook (PA_PAY_EV_PAYOUT): an item's news
 * applied, or a batch's read back through pay and applied. PA_STORE_OK
 * when handled (or none of ours), another PA_STORE_* code to try later. */
int pa_payouts_event(pa_store *db, struct pa_pay *pay, const struct pa_pay_event *e, int64_t now);

/* Applies PayPal's view of one item (its sender_item_id names ours,
 * "poi_<id>") in one transaction; *applied 1 when it moved the item. An
 * item that is not ours, or whose amount differs, is ignored (logged). */
int pa_payouts_apply(pa_store *db, const struct pa_pay_payout_item *it, int64_t now, int *applied);

#endif
