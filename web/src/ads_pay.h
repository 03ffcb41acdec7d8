/* pa_ads_pay — an advertiser's prepaid top-ups through the payment
 * providers (issue 21; web/README.md, "Self-serve ads"): one place for the
 * handlers (api/ads.c), the webhook queue (billing.c hands it the charges
 * that name a top-up) and the worker's re-read. A top-up is a one-time
 * order (PayPal Orders v2, Mercado Pago Checkout Pro on the platform's own
 * account) named "top_N" at the provider, under the top-up's idempotency
 * key; it is credited to the ad ledger exactly once whichever of the return
 * page's read, the webhook or the re-read comes first, with the provider's
 * fee kept on the row, and only when the charge is of its own amount and
 * currency. */
#ifndef PA_ADS_PAY_H
#define PA_ADS_PAY_H

#include "store/ads.h"

struct pa_pay;
struct pa_pay_txn;

enum {
  PA_ADS_PAY_OK = 0,
  PA_ADS_PAY_EDB = 1,          /* the store failed (logged) */
  PA_ADS_PAY_EUNAVAILABLE = 2, /* that provider is not configured, or not for that currency */
  PA_ADS_PAY_EUNREACHABLE = 3, /* the provider did not answer; retry */
  PA_ADS_PAY_EREFUSED = 4      /* the provider refused */
};

enum {
  /* A pending top-up the worker reads again from its provider once it was
   * last touched this long ago (repairs a lost return and webhook). */
  PA_ADS_PAY_RECHECK_SECONDS = 15 * 60,
  PA_ADS_PAY_RECHECK_BATCH = 20,
  /* A top-up nobody approved within this long is failed. */
  PA_ADS_PAY_TTL_SECONDS = 86400
};

/* Starts a top-up of amount_minor (the account's currency) through
 * provider for advertiser a: the pending row, then the provider's order
 * (return: base_url + "/ads/topups/return?topup=top_N"). *out is the row
 * after the call (a row whose provider call failed stays pending, with no
 * approval page). */
int pa_ads_topup_start(pa_store *db, struct pa_pay *pay, const pa_store_advertiser *a,
                       int64_t amount_minor, int provider, const char *base_url, int64_t now,
                       pa_store_topup *out);
/* Reads pending top-up t from its provider (PayPal: captures, the key
 * making a second capture the first; Mercado Pago: payment, when the
 * return named one, else a search by reference) and applies what it says;
 * *t is the row after. A top-up not pending is left as it is. */
int pa_ads_topup_refresh(pa_store *db, struct pa_pay *pay, pa_store_topup *t, const char *payment,
                         int64_t now);
/* A movement of provider ("paypal", "mercadopago") the webhook queue read
 * (verified): 1 when it is a top-up's — a charge whose reference names it
 * ("top_N"; credited once), or a refund or chargeback of one (by its
 * reference or its charge's id; a refund row in the ledger) — applied, or
 * *rc not PA_STORE_OK to put it back for later; 0 when it is none of ours. */
int pa_ads_charge_event(pa_store *db, const char *provider, const struct pa_pay_txn *txn,
                        int64_t now, int *rc);
/* The worker's round: pending top-ups read again (pa_ads_topup_refresh). */
void pa_ads_pay_work(pa_store *db, struct pa_pay *pay, int64_t now);

#endif
