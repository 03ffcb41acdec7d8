/* pa_store_lease — named leases (schema 46): which server process runs a
 * piece of work that must run once across the cluster (a worker's rounds,
 * the chores). A lease is held by one holder (a process's id) until a time;
 * the holder renews it every round and releases it at a clean stop, and a
 * holder that dies loses it when the time passes. The one row per name is
 * what two processes racing for it meet (an upsert under the row's lock on
 * PostgreSQL, the single writer on SQLite), so at most one holds it. */
#ifndef PA_STORE_LEASE_H
#define PA_STORE_LEASE_H

#include "store/store.h"

enum {
  PA_LEASE_TTL_S = 30,         /* how long a take lasts; a killed holder's lease lapses after it */
  PA_STORE_LEASE_NAME_MAX = 64 /* bytes of a name or a holder (schema 46 CHECK) */
};

/* Takes or renews lease name for holder until now + ttl_s when it is free,
 * expired (its time is not after now) or holder's already: PA_STORE_OK with
 * *held 1. Someone else holds it: PA_STORE_OK with *held 0 (nothing
 * changes). PA_STORE_EINVAL for a name or holder of 0 or more than
 * PA_STORE_LEASE_NAME_MAX bytes, or ttl_s < 1. */
int pa_store_lease_take(pa_store *db, const char *name, const char *holder, int64_t now, int ttl_s,
                        int *held);

/* Gives lease name up when holder holds it, so another process takes it at
 * its next round; PA_STORE_OK also when holder did not hold it. */
int pa_store_lease_release(pa_store *db, const char *name, const char *holder);

#endif
