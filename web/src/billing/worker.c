/* pa_billing_worker: one thread, one connection, rounds of pa_billing_work. */
#include "billing/worker.h"

#include "billing/billing.h"
#include "clock.h"
#include "log.h"
#include "metrics/metrics.h"
#include "secev.h"
#include "store/pay.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct pa_billing_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stopping, woken;
  pa_store *db;
  pa_pay *pay;
};

static void *run(void *arg) {
  pa_billing_worker *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stopping) {
    w->woken = 0;
    pthread_mutex_unlock(&w->lock);
    const int64_t now = pa_clock_now();
    int64_t queued = 0;
    pa_billing_work(w->db, w->pay, now);
    if (pa_store_pay_events_pending(w->db, &queued) == PA_STORE_OK)
      pa_metrics_gauge_set(PA_METRICS_QUEUE_BILLING, queued);
    /* This is the server's one housekeeping thread with its own connection:
     * old security events go here too (secev.h). */
    pa_secev_prune(w->db, now);
    pthread_mutex_lock(&w->lock);
    if (w->stopping || w->woken) continue;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PA_BILLING_TICK_SECONDS;
    pthread_cond_timedwait(&w->cond, &w->lock, &until);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

pa_billing_worker *pa_billing_worker_start(const char *where, pa_pay *pay) {
  char err[256];
  pa_billing_worker *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  if (pa_store_open(where, 0, &w->db, err, sizeof err) != PA_STORE_OK) {
    pa_log_event("error", "billing", "cannot open database: %s", err);
    free(w);
    return NULL;
  }
  w->pay = pay;
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

void pa_billing_worker_wake(pa_billing_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->woken = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void pa_billing_worker_stop(pa_billing_worker *w) {
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
