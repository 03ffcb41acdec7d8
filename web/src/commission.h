/* pa_commission — what affiliates earn from the people they referred
 * (issue 21, "Affiliate program", items 3 and 4; web/README.md
 * "Affiliates: commissions"; the ledger is store/commission.h's).
 *
 * For 12 months after a person's attribution (aff_referrals, written at
 * sign-up by the joining lane), every earning of the platform from them
 * accrues a commission on its base, in the same transaction that records
 * the earning:
 *  - a subscription charge (first or renewal): gross − the provider's fee,
 *    as billing records it (billing.c, record_txn);
 *  - a marketplace order's platform fee (market_ledger's platform_fee,
 *    orders.c): the provider's fee of an order's capture is not recorded
 *    anywhere (market_ledger has no fee row, and a Mercado Pago split's fee
 *    is the seller's), so no share of it is taken off: the base is the
 *    whole platform fee.
 * A refund or chargeback of that charge (or the order's refund) appends a
 * reversal of min(what it took back, what is left of the base): during the
 * hold the commission simply goes, after a payout the affiliate's balance
 * goes negative and is carried into the next payouts. Each provider
 * movement writes once (unique keys); a refund that comes before its charge
 * waits for it in billing's queue, so order does not matter.
 *
 * The month's rate: on its last day (UTC) the number of referred people
 * with Plus sets it for every commission of the month — PA_AFF_RATE_25_BP
 * below PA_AFF_TIER_30_AT, PA_AFF_RATE_30_BP below PA_AFF_TIER_35_AT,
 * PA_AFF_RATE_35_BP from it. The worker closes each month once after it
 * ends (aff_months); until then the dashboard shows the provisional rate
 * (today's count). A commission is approved once its hold
 * (PA_AFF_HOLD_SECONDS) is over and its month closed, then paid in the
 * month's payout batch (payouts.c, payee PA_PAYEE_AFFILIATE) when the
 * balance reaches pa_commission_payout_minimum. */
#ifndef PA_COMMISSION_H
#define PA_COMMISSION_H

#include "store/store.h"

#include <stdint.h>

enum {
  PA_AFF_TIER_30_AT = 10, /* active referred subscribers for the 30 % tier */
  PA_AFF_TIER_35_AT = 50, /* … for the 35 % tier */
  PA_AFF_RATE_25_BP = 2500,
  PA_AFF_RATE_30_BP = 3000,
  PA_AFF_RATE_35_BP = 3500,
  PA_AFF_COMMISSION_MONTHS = 12,    /* months after attribution that earn */
  PA_AFF_HOLD_SECONDS = 30 * 86400, /* pending this long before approval */
  PA_AFF_PAYOUT_MIN_USD_EQUIV = 50, /* × payouts.c's ~1 USD per currency */
  PA_AFF_CLOSE_BATCH = 200,         /* months a worker round closes at most */
  PA_AFF_LIST_MAX = 200,            /* commissions GET /affiliate/earnings lists */
  PA_AFF_CSV_ROWS_MAX = 10000       /* commissions the CSV export holds, newest first */
};

/* The rate in basis points that active referred subscribers on a month's
 * last day set for that month. */
int pa_commission_rate_bp(int64_t active);
/* The commission on base at rate_bp: truncated toward zero, so a reversal
 * (negative base) cancels its accrual exactly. */
int64_t pa_commission_amount(int64_t base_minor, int rate_bp);
/* The smallest affiliate payout in currency, in its minor units (the
 * equivalent of 50 USD); 0 for a currency we do not pay out in. */
int64_t pa_commission_payout_minimum(const char *currency);
/* "YYYY-MM" of t (UTC) into out (8 bytes). */
void pa_commission_month(int64_t t, char out[8]);

/* A movement of a referred person's money the platform recorded. */
typedef struct pa_commission_event {
  int64_t user;         /* who paid (0: the account is gone — nothing accrues) */
  const char *source;   /* "subscription" | "marketplace" */
  const char *key;      /* the movement's unique key ("paypal:<txn>", "ord_<n>:paid") */
  const char *parent;   /* a reversal's charge key; NULL for an earning */
  const char *currency; /* ISO 4217 */
  int64_t base_minor;   /* an earning's base (> 0), or what a reversal took back (> 0) */
  int64_t at;           /* when it happened (the provider's time) */
  /* An earning's payer account as the provider named it (pa_pay_txn's
   * payer), or NULL/"" when unknown: equal to the affiliate's payout email
   * (ASCII case folded), the earning is refused (same_payment_account).
   * Compared only, never written anywhere. */
  const char *payer;
} pa_commission_event;

/* Writes e's commission row, if any, in the caller's transaction (an
 * earning outside every attribution window or a reversal of nothing writes
 * nothing; a key seen before writes nothing). PA_STORE_OK or the error. */
int pa_commission_record(pa_store *db, const pa_commission_event *e);

/* The worker's round: closes the months that ended (their rate fixed). */
void pa_commission_work(pa_store *db, int64_t now);

/* The provisional rate and count at now, and the next tier's count (0 when
 * none is above). */
int pa_commission_tier(pa_store *db, int64_t affiliate, int64_t now, int *rate_bp, int64_t *active,
                       int *next_at);

#endif
