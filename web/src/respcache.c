/* pa_respcache — a small LRU list under one mutex; keys are short (a path
 * and its query), so a linear scan of PA_RESPCACHE_ENTRIES is cheap. */
#include "respcache.h"

#include "log.h"
#include "redis/bus.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct entry {
  char *key, *body;
  size_t len;
  unsigned long long gen;
  int64_t at_ms;
  uint64_t used; /* for least-recently-used eviction */
} entry;

struct pa_respcache {
  pthread_mutex_t lock;
  unsigned long long gen;
  uint64_t tick;
  int64_t max_ms; /* oldest answer served */
  entry e[PA_RESPCACHE_ENTRIES];
};

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PA_RESPCACHE_MS when set to 1..PA_RESPCACHE_MS_MAX, else the default. */
static int64_t max_ms_from_env(void) {
  const char *s = getenv("PA_RESPCACHE_MS");
  if (!s || !*s) return PA_RESPCACHE_MS;
  long n = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9' && n <= PA_RESPCACHE_MS_MAX; p++) n = n * 10 + (*p - '0');
  if (*p || n < 1 || n > PA_RESPCACHE_MS_MAX) {
    pa_log_event("warn", "respcache", "ignoring PA_RESPCACHE_MS: not a whole number from 1 to %d",
                 PA_RESPCACHE_MS_MAX);
    return PA_RESPCACHE_MS;
  }
  return n;
}

pa_respcache *pa_respcache_new(void) {
  pa_respcache *c = calloc(1, sizeof *c);
  if (c) {
    pthread_mutex_init(&c->lock, NULL);
    c->max_ms = max_ms_from_env();
  }
  return c;
}

void pa_respcache_free(pa_respcache *c) {
  if (!c) return;
  for (int i = 0; i < PA_RESPCACHE_ENTRIES; i++) {
    free(c->e[i].key);
    free(c->e[i].body);
  }
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static void bump_here(pa_respcache *c) {
  pthread_mutex_lock(&c->lock);
  c->gen++;
  pthread_mutex_unlock(&c->lock);
}

void pa_respcache_bump(pa_respcache *c) {
  bump_here(c);
  /* Before the write's answer leaves: whoever reads next through another
   * process finds the wake-up on its way (a no-op without Redis). */
  pa_bus_publish("respcache.bump", "", 0);
}

void pa_respcache_bus_bump(void *ctx, const char *channel, const char *payload, size_t len) {
  (void)channel, (void)payload, (void)len;
  if (ctx) bump_here(ctx);
}

void pa_respcache_bus_resync(void *ctx) {
  if (ctx) bump_here(ctx);
}

unsigned long long pa_respcache_gen(pa_respcache *c) {
  pthread_mutex_lock(&c->lock);
  unsigned long long g = c->gen;
  pthread_mutex_unlock(&c->lock);
  return g;
}

int pa_respcache_get(pa_respcache *c, const char *key, char **body, size_t *len) {
  int hit = 0;
  int64_t now = mono_ms();
  *body = NULL;
  *len = 0;
  pthread_mutex_lock(&c->lock);
  for (int i = 0; i < PA_RESPCACHE_ENTRIES && !hit; i++) {
    entry *e = &c->e[i];
    if (!e->key || e->gen != c->gen || now - e->at_ms > c->max_ms || strcmp(e->key, key)) continue;
    if ((*body = malloc(e->len ? e->len : 1)) != NULL) {
      memcpy(*body, e->body, e->len);
      *len = e->len;
      e->used = ++c->tick;
      hit = 1;
    }
  }
  pthread_mutex_unlock(&c->lock);
  return hit;
}

void pa_respcache_put(pa_respcache *c, const char *key, unsigned long long gen, const char *body,
                      size_t len) {
  if (len > PA_RESPCACHE_BODY_MAX) return;
  char *k = strdup(key), *b = malloc(len ? len : 1);
  if (!k || !b) {
    free(k);
    free(b);
    return;
  }
  memcpy(b, body, len);
  pthread_mutex_lock(&c->lock);
  if (gen != c->gen) { /* written meanwhile: this answer may be stale already */
    pthread_mutex_unlock(&c->lock);
    free(k);
    free(b);
    return;
  }
  /* The same key's place, else an empty or stale one, else the least recently used. */
  entry *slot = NULL, *spare = NULL, *oldest = &c->e[0];
  for (int i = 0; i < PA_RESPCACHE_ENTRIES && !slot; i++) {
    entry *e = &c->e[i];
    if (e->key && !strcmp(e->key, key))
      slot = e;
    else if (!spare && (!e->key || e->gen != c->gen))
      spare = e;
    else if (e->used < oldest->used)
      oldest = e;
  }
  if (!slot) slot = spare ? spare : oldest;
  free(slot->key);
  free(slot->body);
  *slot = (entry){k, b, len, gen, mono_ms(), ++c->tick};
  pthread_mutex_unlock(&c->lock);
}
