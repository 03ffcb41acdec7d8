/* pa_billing_round — what the billing worker (a pa_worker, worker.h) does
 * each round: applies queued webhooks and re-reads subscriptions
 * (pa_billing_work), so a provider's delivery is answered at once and the
 * work survives a restart (the queue is in the database). */
#ifndef PA_BILLING_WORKER_H
#define PA_BILLING_WORKER_H

#include "pay/pay.h"
#include "store/store.h"

enum { PA_BILLING_TICK_SECONDS = 5 /* a round at least this often */ };

/* One round on db; pay is the server's pa_pay (pa_worker_round_fn). */
void pa_billing_round(pa_store *db, void *pay);

#endif
