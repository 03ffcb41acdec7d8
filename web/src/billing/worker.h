/* pa_billing_worker — the thread that applies queued webhooks and re-reads
 * subscriptions (pa_billing_work), so a provider's delivery is answered at
 * once and the work survives a restart (the queue is in the database). */
#ifndef PA_BILLING_WORKER_H
#define PA_BILLING_WORKER_H

#include "pay/pay.h"

enum { PA_BILLING_TICK_SECONDS = 5 /* a round at least this often */ };

typedef struct pa_billing_worker pa_billing_worker;

/* Starts the thread on its own connection to the database at where; NULL
 * when out of memory or threads. A round runs at once. Stopped and freed
 * by pa_billing_worker_stop. */
pa_billing_worker *pa_billing_worker_start(const char *where, pa_pay *pay);
/* Asks for a round now (a webhook was queued). Thread-safe; NULL is fine. */
void pa_billing_worker_wake(pa_billing_worker *w);
/* Finishes the round under way, joins the thread and frees w; NULL is fine. */
void pa_billing_worker_stop(pa_billing_worker *w);

#endif
