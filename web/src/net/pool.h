/* pa_pool — a fixed set of worker threads behind a bounded queue. The event
 * loop hands CPU and database work here so that it never waits on either;
 * a full queue is refused at once (the caller answers 503) instead of
 * growing without bound. */
#ifndef PA_POOL_H
#define PA_POOL_H

typedef struct pa_pool pa_pool;

/* Runs on a worker thread with that worker's context. */
typedef void (*pa_pool_fn)(void *job, void *worker_ctx);

/* Starts threads workers, each calling open(arg) once for its context and
 * close(ctx) when it ends (either may be NULL). queue_max jobs may wait.
 * NULL when out of memory or threads. Freed by pa_pool_free. */
pa_pool *pa_pool_new(int threads, int queue_max, void *(*open)(void *arg), void (*close)(void *ctx),
                     void *arg);

/* Queues fn(job): 0, or -1 when the queue is full (nothing was queued). */
int pa_pool_submit(pa_pool *p, pa_pool_fn fn, void *job);

/* Mirrors the queue's length into the pa_metrics gauge (a
 * pa_metrics_gauge), set under the queue's lock so it is never off. */
void pa_pool_gauge(pa_pool *p, int gauge);

/* Runs every queued job, then joins the threads and frees p. */
void pa_pool_free(pa_pool *p);

#endif
