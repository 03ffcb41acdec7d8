/* pa_worker — a thread with a database connection of its own that runs
 * rounds of work: one at once, then at least every tick, sooner when woken.
 * Queues kept in the database (billing's webhooks, pushes to send) are
 * drained this way, so a request only writes a row and the work survives a
 * restart. */
#ifndef PA_WORKER_H
#define PA_WORKER_H

#include "store/store.h"

typedef struct pa_worker pa_worker;

/* One round on the worker's connection; ctx as given to pa_worker_start. */
typedef void (*pa_worker_round_fn)(pa_store *db, void *ctx);

/* Opens a connection to the database at where and starts the thread that
 * calls round(db, ctx) at once and then at least every tick_seconds; NULL
 * (logged under name) when the database, memory or threads fail. The worker
 * and its connection are freed by pa_worker_stop. */
pa_worker *pa_worker_start(const char *name, const char *where, int tick_seconds,
                           pa_worker_round_fn round, void *ctx);
/* Asks for a round now (work was queued). Thread-safe; NULL is fine. */
void pa_worker_wake(pa_worker *w);
/* Finishes the round under way, joins the thread and frees w; NULL is fine. */
void pa_worker_stop(pa_worker *w);

#endif
