/* pa_respcache — answers that are the same for everyone who is signed out
 * (the public feed pages), kept until anything is written. Every successful
 * state-changing API request moves the generation on, so a cached page is
 * never older than the last write this process made; PA_RESPCACHE_MS bounds
 * what another process's writes (a second server on the same database) can
 * leave stale. Thread-safe. */
#ifndef PA_RESPCACHE_H
#define PA_RESPCACHE_H

#include <stddef.h>

enum {
  PA_RESPCACHE_ENTRIES = 64,         /* answers kept; the least recently used goes */
  PA_RESPCACHE_BODY_MAX = 256 << 10, /* bytes of one answer worth keeping */
  PA_RESPCACHE_MS = 2000             /* oldest answer served */
};

typedef struct pa_respcache pa_respcache;

/* NULL when out of memory; freed with pa_respcache_free. */
pa_respcache *pa_respcache_new(void);
void pa_respcache_free(pa_respcache *c);

/* Something was written: every kept answer is stale. */
void pa_respcache_bump(pa_respcache *c);

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
