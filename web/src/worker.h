/* pa_worker — a thread with a database connection of its own that runs
 * rounds of work: one at once, then at least every tick, sooner when woken.
 * Queues kept in the database (billing's webhooks, pushes to send) are
 * drained this way, so a request only writes a row and the work survives a
 * restart.
 *
 * Several server processes may share the database (web/README.md,
 * "Cluster"): a worker runs its round only while its process holds the
 * lease "worker.<name>" (store/lease.h), taken or renewed before every round
 * and at least every third of the lease's time, and released when the
 * worker stops cleanly, so exactly one process drains each queue and another
 * takes over at its next look when the holder stops (or PA_LEASE_TTL_S after
 * it was killed). A wake-up reaches every process's worker of that name over
 * the bus (job.<name>), so the holder runs the round wherever the work was
 * queued. */
#ifndef PA_WORKER_H
#define PA_WORKER_H

#include "store/store.h"

#include <stddef.h>

enum {
  PA_WORKER_NAME_MAX = 24, /* bytes of a worker's name, with its NUL */
  PA_WORKER_MAX = 16,      /* workers one process runs at once (the bus finds them by name) */
  PA_LEASE_TTL_MIN_S = 3,  /* PA_LEASE_TTL_S's smallest override: renewed every third */
  PA_LEASE_TTL_MAX_S = 3600
};

/* Reads PA_LEASE_TTL_S, the leases' time in seconds (default PA_LEASE_TTL_S
 * of store/lease.h; tests shorten it to see a killed holder's lease lapse):
 * 0, or -1 with a message in err when it is set but not a whole number from
 * PA_LEASE_TTL_MIN_S to PA_LEASE_TTL_MAX_S. Call once before any worker
 * starts; a worker started without it uses the default. */
int pa_worker_config_from_env(char *err, size_t errlen);

/* The leases' time in seconds, as configured. */
int pa_worker_lease_ttl(void);

/* This process's hold on lease name (a worker's, the chores'): takes or
 * renews it on db for pa_redis_node() until now + pa_worker_lease_ttl().
 * 1 when this process holds it, 0 when another does or the database failed
 * (logged). */
int pa_worker_lease_hold(pa_store *db, const char *name);
/* Gives lease name up if this process holds it (a clean stop). */
void pa_worker_lease_release(pa_store *db, const char *name);

typedef struct pa_worker pa_worker;

/* One round on the worker's connection; ctx as given to pa_worker_start. */
typedef void (*pa_worker_round_fn)(pa_store *db, void *ctx);

/* Opens a connection to the database at where and starts the thread that
 * calls round(db, ctx) at once and then at least every tick_seconds while
 * this process holds the lease worker.<name>; NULL (logged under name) when
 * the name is longer than PA_WORKER_NAME_MAX - 1 bytes, PA_WORKER_MAX
 * workers run already, or the database, memory or threads fail. The worker
 * and its connection are freed by pa_worker_stop. */
pa_worker *pa_worker_start(const char *name, const char *where, int tick_seconds,
                           pa_worker_round_fn round, void *ctx);
/* Asks for a round now (work was queued), here and in every other process
 * (job.<name> on the bus). Thread-safe; NULL is fine (nothing). */
void pa_worker_wake(pa_worker *w);
/* Finishes the round under way, releases the lease, joins the thread and
 * frees w; NULL is fine. */
void pa_worker_stop(pa_worker *w);

/* The bus's handler for job.<name> (pa_bus_fn): wakes this process's worker
 * of that name, if one runs, without publishing again. */
void pa_worker_bus_wake(void *ctx, const char *channel, const char *payload, size_t len);
/* The bus's resync handler: a wake-up may have been lost, so every worker
 * of this process looks at its queue. */
void pa_worker_bus_resync(void *ctx);

#endif
