/* pa_pool — workers and a ring of waiting jobs under one mutex. */
#include "pool.h"

#include "metrics/metrics.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct item {
  pa_pool_fn fn;
  void *job;
} item;

struct pa_pool {
  pthread_mutex_t lock;
  pthread_cond_t ready;
  item *ring;
  int cap, head, count, stopping, threads, started;
  int gauge; /* the pa_metrics gauge that mirrors count, or -1 */
  void *(*open)(void *arg);
  void (*close)(void *ctx);
  void *arg;
  pthread_t tid[];
};

static void *worker(void *arg) {
  pa_pool *p = arg;
  void *ctx = p->open ? p->open(p->arg) : NULL;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (p->count == 0 && !p->stopping) pthread_cond_wait(&p->ready, &p->lock);
    if (p->count == 0) break; /* stopping, and nothing left to run */
    item it = p->ring[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
    if (p->gauge >= 0) pa_metrics_gauge_set((pa_metrics_gauge)p->gauge, p->count);
    pthread_mutex_unlock(&p->lock);
    it.fn(it.job, ctx);
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  if (p->close) p->close(ctx);
  return NULL;
}

pa_pool *pa_pool_new(int threads, int queue_max, void *(*open)(void *arg), void (*close)(void *ctx),
                     void *arg) {
  pa_pool *p = calloc(1, sizeof *p + (size_t)threads * sizeof(pthread_t));
  if (!p) return NULL;
  p->ring = calloc((size_t)queue_max, sizeof *p->ring);
  p->cap = queue_max;
  p->open = open;
  p->close = close;
  p->arg = arg;
  p->gauge = -1;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->ready, NULL);
  for (int i = 0; p->ring && i < threads; i++) {
    if (pthread_create(&p->tid[i], NULL, worker, p) != 0) break;
    p->started++;
  }
  if (!p->ring || p->started < threads) {
    pa_pool_free(p);
    return NULL;
  }
  return p;
}

int pa_pool_submit(pa_pool *p, pa_pool_fn fn, void *job) {
  pthread_mutex_lock(&p->lock);
  int ok = p->count < p->cap && !p->stopping;
  if (ok) {
    p->ring[(p->head + p->count) % p->cap] = (item){fn, job};
    p->count++;
    if (p->gauge >= 0) pa_metrics_gauge_set((pa_metrics_gauge)p->gauge, p->count);
    pthread_cond_signal(&p->ready);
  }
  pthread_mutex_unlock(&p->lock);
  return ok ? 0 : -1;
}

void pa_pool_gauge(pa_pool *p, int gauge) {
  pthread_mutex_lock(&p->lock);
  p->gauge = gauge;
  pa_metrics_gauge_set((pa_metrics_gauge)gauge, p->count);
  pthread_mutex_unlock(&p->lock);
}

void pa_pool_free(pa_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->ready);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->started; i++) pthread_join(p->tid[i], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->ready);
  free(p->ring);
  free(p);
}
