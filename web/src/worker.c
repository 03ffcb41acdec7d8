/* pa_worker: one thread, one connection, rounds until stopped, each under
 * the process's lease of the worker's name. */
#include "worker.h"

#include "log.h"
#include "redis/bus.h"
#include "redis/redis.h"
#include "store/lease.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pa_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stopping, woken, tick_seconds;
  pa_store *db;
  pa_worker_round_fn round;
  void *ctx;
  char name[PA_WORKER_NAME_MAX];
  char lease[PA_WORKER_NAME_MAX + 8]; /* "worker.<name>" */
};

/* Written once before any worker starts (pa_worker_config_from_env). */
static int lease_ttl = PA_LEASE_TTL_S;

/* The workers running in this process, for the bus's wake-ups by name. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pa_worker *registry[PA_WORKER_MAX];

int pa_worker_config_from_env(char *err, size_t errlen) {
  const char *s = getenv("PA_LEASE_TTL_S");
  lease_ttl = PA_LEASE_TTL_S;
  if (!s || !*s) return 0;
  long n = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9' && n <= PA_LEASE_TTL_MAX_S; p++) n = n * 10 + (*p - '0');
  if (*p || n < PA_LEASE_TTL_MIN_S || n > PA_LEASE_TTL_MAX_S) {
    snprintf(err, errlen, "PA_LEASE_TTL_S must be a whole number of seconds from %d to %d",
             PA_LEASE_TTL_MIN_S, PA_LEASE_TTL_MAX_S);
    return -1;
  }
  lease_ttl = (int)n;
  return 0;
}

int pa_worker_lease_ttl(void) { return lease_ttl; }

/* Leases are kept in wall-clock seconds without the test clock's offset:
 * processes started with different offsets on one database still agree. */
int pa_worker_lease_hold(pa_store *db, const char *name) {
  int held = 0;
  if (pa_store_lease_take(db, name, pa_redis_node(), (int64_t)time(NULL), lease_ttl, &held) !=
      PA_STORE_OK) {
    pa_log_event("error", "lease", "%s: %s", name, pa_store_errmsg(db));
    return 0;
  }
  return held;
}

void pa_worker_lease_release(pa_store *db, const char *name) {
  if (pa_store_lease_release(db, name, pa_redis_node()) != PA_STORE_OK)
    pa_log_event("error", "lease", "%s: %s", name, pa_store_errmsg(db));
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *run(void *arg) {
  pa_worker *w = arg;
  /* The lease is renewed at least every third of its time, so it never
   * lapses between two looks of its holder, and a worker that does not
   * hold it looks that often whether it is free. */
  int64_t renew_ms = (int64_t)(lease_ttl / 3 > 0 ? lease_ttl / 3 : 1) * 1000;
  int64_t tick_ms = (int64_t)w->tick_seconds * 1000, due = 0;
  int held = 0;
  pthread_mutex_lock(&w->lock);
  while (!w->stopping) {
    int woken = w->woken;
    w->woken = 0;
    pthread_mutex_unlock(&w->lock);
    int had = held;
    held = pa_worker_lease_hold(w->db, w->lease);
    int64_t now = mono_ms();
    /* A round when asked, when its tick is due, or when the lease was just
     * taken over (what the last holder left may be waiting). */
    if (held && (woken || !had || now >= due)) {
      w->round(w->db, w->ctx);
      due = mono_ms() + tick_ms;
    }
    pthread_mutex_lock(&w->lock);
    /* Woken during the round: the work it was woken for may have come after
     * the round read its queue, so another runs at once. */
    if (w->stopping || w->woken) continue;
    int64_t wait = held && due - now < renew_ms ? due - now : renew_ms;
    if (wait < 1) wait = 1;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(wait / 1000);
    until.tv_nsec += (long)(wait % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->cond, &w->lock, &until);
  }
  pthread_mutex_unlock(&w->lock);
  /* A clean stop: whoever looks next takes over at once. */
  if (held) pa_worker_lease_release(w->db, w->lease);
  return NULL;
}

static int registry_add(pa_worker *w) {
  int ok = 0;
  pthread_mutex_lock(&registry_lock);
  for (int i = 0; i < PA_WORKER_MAX && !ok; i++)
    if (!registry[i]) registry[i] = w, ok = 1;
  pthread_mutex_unlock(&registry_lock);
  return ok;
}

static void registry_remove(pa_worker *w) {
  pthread_mutex_lock(&registry_lock);
  for (int i = 0; i < PA_WORKER_MAX; i++)
    if (registry[i] == w) registry[i] = NULL;
  pthread_mutex_unlock(&registry_lock);
}

pa_worker *pa_worker_start(const char *name, const char *where, int tick_seconds,
                           pa_worker_round_fn round, void *ctx) {
  char err[256];
  if (strlen(name) >= PA_WORKER_NAME_MAX) {
    pa_log_event("error", "worker", "the name %s is longer than %d bytes", name,
                 PA_WORKER_NAME_MAX - 1);
    return NULL;
  }
  pa_worker *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  if (pa_store_open(where, 0, &w->db, err, sizeof err) != PA_STORE_OK) {
    pa_log_event("error", name, "cannot open database: %s", err);
    free(w);
    return NULL;
  }
  w->tick_seconds = tick_seconds, w->round = round, w->ctx = ctx;
  snprintf(w->name, sizeof w->name, "%s", name);
  snprintf(w->lease, sizeof w->lease, "worker.%s", name);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  int listed = registry_add(w);
  if (!listed) pa_log_event("error", name, "more than %d workers", PA_WORKER_MAX);
  if (!listed || pthread_create(&w->thread, NULL, run, w) != 0) {
    registry_remove(w);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    pa_store_close(w->db);
    free(w);
    return NULL;
  }
  return w;
}

static void wake_here(pa_worker *w) {
  pthread_mutex_lock(&w->lock);
  w->woken = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void pa_worker_wake(pa_worker *w) {
  if (!w) return;
  wake_here(w);
  /* The holder of the lease may be another process; the payload says nothing. */
  char channel[PA_WORKER_NAME_MAX + 8];
  snprintf(channel, sizeof channel, "job.%s", w->name);
  pa_bus_publish(channel, "", 0);
}

void pa_worker_bus_wake(void *ctx, const char *channel, const char *payload, size_t len) {
  (void)ctx, (void)payload, (void)len;
  if (strncmp(channel, "job.", 4) != 0) return;
  pthread_mutex_lock(&registry_lock);
  for (int i = 0; i < PA_WORKER_MAX; i++)
    if (registry[i] && strcmp(registry[i]->name, channel + 4) == 0) wake_here(registry[i]);
  pthread_mutex_unlock(&registry_lock);
}

void pa_worker_bus_resync(void *ctx) {
  (void)ctx;
  pthread_mutex_lock(&registry_lock);
  for (int i = 0; i < PA_WORKER_MAX; i++)
    if (registry[i]) wake_here(registry[i]);
  pthread_mutex_unlock(&registry_lock);
}

void pa_worker_stop(pa_worker *w) {
  if (!w) return;
  registry_remove(w);
  pthread_mutex_lock(&w->lock);
  w->stopping = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  pa_store_close(w->db);
  free(w);
}
