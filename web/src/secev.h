/* pa_secev — recording security events from requests (issue 19; the table
 * is store/security.h, the reading is the admin console's Security view,
 * api/admin_ops.c).
 *
 * Each event is one INSERT on the request's own connection, outside any
 * transaction of the handler's, with the client's address (rq->client,
 * geo.h) and its country. A failed write is logged, never the request's
 * failure. Limiter hits are sampled: the first of a purpose and address is
 * written at once, later ones within PA_SECEV_LIMIT_SAMPLE_SECONDS only
 * counted in memory and carried by the next row written (its n), so a flood
 * of refused requests costs at most one write a minute per address. */
#ifndef PA_SECEV_H
#define PA_SECEV_H

#include "limit.h"
#include "srv_internal.h"

enum {
  PA_SECEV_RETENTION_DAYS = 30,       /* events older than this are pruned */
  PA_SECEV_LIMIT_SAMPLE_SECONDS = 60, /* at most one limiter row per purpose, address and this */
  PA_SECEV_LIMIT_SLOTS = 4096         /* the sampler's table (a power of two) */
};

/* A failed sign-in; user the account the e-mail named (0: none). */
void pa_secev_login_failed(pa_srv_req *rq, int64_t user);
/* A new session for user (a sign-in or a sign-up); new_device when made
 * from a browser and OS the account never used before (detail
 * "new_device", counted apart in the Security view). */
void pa_secev_signin(pa_srv_req *rq, int64_t user, int new_device);
/* A request refused by the limiter for purpose. */
void pa_secev_limited(pa_srv_req *rq, pa_limit_purpose purpose);
/* An upload refused (4xx) with the answer's error code as the reason. */
void pa_secev_upload_refused(pa_srv_req *rq, const char *reason);

/* Deletes events older than the retention, as of now (the housekeeping
 * thread's round). */
void pa_secev_prune(struct pa_store *db, int64_t now);

#endif
