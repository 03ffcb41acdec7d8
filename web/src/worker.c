/* pa_worker: one thread, one connection, rounds until stopped. */
#include "worker.h"

#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct pa_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stopping, woken, tick_seconds;
  pa_store *db;
  pa_worker_round_fn round;
  void *ctx;
};

static void *run(void *arg) {
  pa_worker *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stopping) {
    w->woken = 0;
    pthread_mutex_unlock(&w->lock);
    w->round(w->db, w->ctx);
    pthread_mutex_lock(&w->lock);
    /* Woken during the round: the work it was woken for may have come after
     * the round read its queue, so another runs at once. */
    if (w->stopping || w->woken) continue;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += w->tick_seconds;
    pthread_cond_timedwait(&w->cond, &w->lock, &until);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

pa_worker *pa_worker_start(const char *name, const char *where, int tick_seconds,
                           pa_worker_round_fn round, void *ctx) {
  char err[256];
  pa_worker *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  if (pa_store_open(where, 0, &w->db, err, sizeof err) != PA_STORE_OK) {
    pa_log_event("error", name, "cannot open database: %s", err);
    free(w);
    return NULL;
  }
  w->tick_seconds = tick_seconds, w->round = round, w->ctx = ctx;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    pa_store_close(w->db);
    free(w);
    return NULL;
  }
  return w;
}

void pa_worker_wake(pa_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->woken = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void pa_worker_stop(pa_worker *w) {
  if (!w) return;
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
