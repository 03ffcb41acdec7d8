/* pa_respcache — answers that are the same for everyone who is signed out
 * (the public feed pages), kept until anything is written. Every successful
 * state-changing API request moves the generation on, so a cached page is
 * never older than the last write this process made. In a cluster the bump
 * also goes to every other process over the bus (respcache.bump), which
 * bumps its own; PA_RESPCACHE_MS bounds what another process's writes can
 * leave stale when that wake-up is lost or Redis is not configured (a second
 * server on the same database without Redis). Thread-safe. */
#ifndef PA_RESPCACHE_H
#define PA_RESPCACHE_H

#include <stddef.h>

enum {
  PA_RESPCACHE_ENTRIES = 64,         /* answers kept; the least recently used goes */
  PA_RESPCACHE_BODY_MAX = 256 << 10, /* bytes of one answer worth keeping */
  PA_RESPCACHE_MS = 2000,            /* oldest answer served (PA_RESPCACHE_MS replaces it) */
  PA_RESPCACHE_MS_MAX = 3600 * 1000  /* the largest the environment may set */
};

typedef struct pa_respcache pa_respcache;

/* NULL when out of memory; freed with pa_respcache_free. The environment's
 * PA_RESPCACHE_MS (1..PA_RESPCACHE_MS_MAX; anything else is ignored with a
 * warning) replaces the oldest answer served, so a test can make a stale
 * answer last and see that only the bus ended it. */
pa_respcache *pa_respcache_new(void);
void pa_respcache_free(pa_respcache *c);

/* Something was written: every kept answer is stale, here and (over the
 * bus) in the other processes. */
void pa_respcache_bump(pa_respcache *c);

/* The bus's handler for respcache.bump (pa_bus_fn; ctx the cache): another
 * process wrote, so this one's answers are stale; nothing is published. */
void pa_respcache_bus_bump(void *ctx, const char *channel, const char *payload, size_t len);
/* The bus's resync handler (ctx the cache): a bump may have been lost. */
void pa_respcache_bus_resync(void *ctx);

/* A fresh answer for key: 1 with *body (malloc'd copy the caller frees) and
 * *len, or 0. */
int pa_respcache_get(pa_respcache *c, const char *key, char **body, size_t *len);

/* Keeps body for key, unless a write happened since gen was read (then the
 * answer may already be stale). gen comes from pa_respcache_gen before the
 * answer was built. */
unsigned long long pa_respcache_gen(pa_respcache *c);
void pa_respcache_put(pa_respcache *c, const char *key, unsigned long long gen, const char *body,
                      size_t len);

#endif
