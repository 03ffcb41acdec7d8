/* pa_billing — paid plans on top of the providers (pay/) and the store.
 *
 * The one place that decides what a person's payments mean: it starts
 * checkouts, applies what a provider says (a webhook, a re-read), records
 * money in the ledger and derives the tier from it. Handlers (api/billing.c)
 * and the worker thread (worker.c) call it; neither writes billing state
 * another way.
 *
 * Order never matters: every event leads to a re-read of the subscription
 * from the provider (its current state wins) and money movements are keyed
 * by the provider's ids (a duplicate records nothing); the tier is computed
 * from the ledger's live charges and the subscription's state, never
 * counted up or down. */
#ifndef PA_BILLING_H
#define PA_BILLING_H

#include "pay/pay.h"
#include "store/pay.h"

enum {
  /* After a renewal is due, Plus stays this long while the provider retries
   * the charge (past due), then the person is downgraded. */
  PA_BILLING_GRACE_SECONDS = 7 * 86400,
  /* The worker re-reads an open subscription from its provider when it was
   * last checked this long ago (repairs dropped webhooks). */
  PA_BILLING_RECHECK_SECONDS = 6 * 3600,
  /* A checkout's return page may ask the provider again this often. */
  PA_BILLING_POLL_RECHECK_SECONDS = 2,
  /* Subscriptions the worker re-reads per round. */
  PA_BILLING_RECHECK_BATCH = 20,
  PA_BILLING_LAPSED_BATCH = 256, /* downgrade notices written per round at most */
  /* A pending checkout of the same plan and provider is reused for this
   * long (a second click must not open a second subscription). */
  PA_BILLING_REUSE_SECONDS = 1800,
  /* An event that could not be applied is tried again after
   * PA_BILLING_RETRY_BASE_SECONDS << attempts, at most this often: */
  PA_BILLING_RETRY_BASE_SECONDS = 5,
  PA_BILLING_RETRY_MAX_SECONDS = 3600,
  /* and given up (logged) after this many attempts. */
  PA_BILLING_EVENT_ATTEMPTS_MAX = 20,
  /* Applied events' ids are kept this long: PayPal resends for 3 days. */
  PA_BILLING_EVENTS_KEEP_SECONDS = 30 * 86400,
  /* Movements a subscription re-read lists at most. */
  PA_BILLING_TXNS_MAX = 64,
  PA_BILLING_RECEIPTS_MAX = 50,
  PA_BILLING_NOTICES_MAX = 10,
  /* A one-time order nobody approved within this long is let go. */
  PA_BILLING_ORDER_TTL_SECONDS = 86400
};

/* Return codes: PA_BILLING_OK, or a reason the handler maps to an answer. */
enum {
  PA_BILLING_OK = 0,
  PA_BILLING_EDB = 1,          /* the store failed (logged) */
  PA_BILLING_ENOTOFFERED = 2,  /* that plan or provider is not sold in that country */
  PA_BILLING_EUNAVAILABLE = 3, /* the provider is not configured here */
  PA_BILLING_EUNREACHABLE = 4, /* the provider did not answer; retry later */
  PA_BILLING_EREFUSED = 5,     /* the provider refused */
  PA_BILLING_ESTATE = 6,       /* not possible in the subscription's state */
  PA_BILLING_ENOTFOUND = 7,
  PA_BILLING_ECONFLICT = 8 /* the row changed meanwhile (internal: callers never see it) */
};

/* Calendar months after t (UTC), the day clamped to the month's length, as
 * providers bill: Jan 31 + 1 month is Feb 28 (29). */
int64_t pa_billing_add_months(int64_t t, int months);

/* Starts a checkout of plan through provider for user: a pending
 * subscription row (or the one still pending from a moment ago), then the
 * provider's subscription. *out is the row after the call; on
 * PA_BILLING_EUNREACHABLE the row stays ("unreachable") for
 * pa_billing_retry. base_url: where the provider sends the person back. */
int pa_billing_checkout(pa_store *db, pa_pay *pay, int64_t user, const char *plan,
                        pa_pay_provider provider, const char *country, const char *base_url,
                        pa_store_sub *out);
/* Asks the provider again for an unreachable checkout, with its key. */
int pa_billing_retry(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *base_url);
/* The person left the approval page without approving. */
int pa_billing_abandon(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now);

/* Re-reads sub from its provider and applies it: state, next charge, money
 * movements, the tier. sub is updated in place. */
int pa_billing_refresh(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now);

/* A one-time order (plus_year_pass) after its approval: PayPal's order is
 * captured; for Mercado Pago, payment is the payment id the return URL
 * named, read back and accepted only if it pays this checkout. */
int pa_billing_order_paid(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment,
                          int64_t now);

/* Cancel at the period's end (the provider stops charging; Plus lasts what
 * was paid) and undo it. */
int pa_billing_cancel(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now);
int pa_billing_resume(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now);

/* When the person's paid time ends (0: never paid or all reversed). */
int pa_billing_paid_until(pa_store *db, int64_t party, int64_t *until);

/* Applies one queued webhook: PA_BILLING_OK (done), or an error to retry. */
int pa_billing_apply_event(pa_store *db, pa_pay *pay, const pa_store_pay_event *ev, int64_t now);

/* One round of background work: due events, re-reads of subscriptions not
 * checked for PA_BILLING_RECHECK_SECONDS, ends of cancelled periods,
 * downgrade notices, pruning. */
void pa_billing_work(pa_store *db, pa_pay *pay, int64_t now);

/* Before an account is deleted: cancels each open subscription at its
 * provider. PA_BILLING_OK only when every one is cancelled (the account
 * must not be deleted while a provider would still charge it). */
int pa_billing_close_account(pa_store *db, pa_pay *pay, int64_t user, int64_t now);

#endif
