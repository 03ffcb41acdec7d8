/* pa_billing_round: a round of the billing worker. */
#include "billing/worker.h"

#include "billing/billing.h"
#include "clock.h"
#include "commission.h"
#include "metrics/metrics.h"
#include "orders.h"
#include "payouts.h"
#include "secev.h"
#include "store/pay.h"

void pa_billing_round(pa_store *db, void *pay) {
  const int64_t now = pa_clock_now();
  int64_t queued = 0;
  pa_billing_work(db, pay, now);
  /* The marketplace's clocks (orders.h) need no provider: the same round. */
  pa_orders_work(db, now);
  /* Then what completed orders made available is paid out (payouts.h). */
  pa_commission_work(db, now); /* months closed before their payouts */
  pa_payouts_work(db, pay, now);
  if (pa_store_pay_events_pending(db, &queued) == PA_STORE_OK)
    pa_metrics_gauge_set(PA_METRICS_QUEUE_BILLING, queued);
  /* This is the server's one housekeeping round with its own connection:
   * old security events go here too (secev.h). */
  pa_secev_prune(db, now);
}
