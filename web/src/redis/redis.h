/* pa_redis — the connection to Redis that the processes of a cluster share
 * (PA_REDIS_URL): what must be common to all of them — wake-ups (bus.h),
 * socket presence (presence.h), rate-limit buckets and job wake-ups — goes
 * through it, and each falls back to its in-process version when Redis is
 * not configured or not answering. Only web/src/redis/ includes hiredis. */
#ifndef PA_REDIS_H
#define PA_REDIS_H

#include <stddef.h>

enum { PA_REDIS_URL_MAX = 256, PA_REDIS_TIMEOUT_MS = 1000, PA_REDIS_RETRY_MS = 1000 };

/* Reads url (redis://HOST:PORT[/DB] or unix:/path/redis.sock; NULL or "": Redis is off) and
 * connects once to check it. 0; -1 for a malformed URL, -2 for a Redis that does not answer,
 * with a message in err. Call once, before any thread uses Redis. */
int pa_redis_init(const char *url, char *err, size_t errlen);
/* 1 when pa_redis_init was given a URL (even while Redis is down), else 0. */
int pa_redis_enabled(void);
/* This process's id: 32 random hex characters, the same for the process's life, also without
 * Redis. */
const char *pa_redis_node(void);
/* Closes the calling thread's connection; other threads' close as they exit. */
void pa_redis_shutdown(void);

#endif
