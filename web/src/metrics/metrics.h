/* pa_metrics — the server's health: counters, gauges and a latency
 * histogram per route, exported in Prometheus' text format 0.0.4
 * (GET /metrics, web/README.md "Health").
 *
 * Every figure is a C11 atomic updated with relaxed order, so the workers
 * record in parallel with no lock and no allocation; the storage is static.
 * A scrape reads each atomic once: while requests run, the figures of one
 * series may be a request apart (Prometheus' client libraries behave the
 * same way). Routes are registered once at startup, before any worker runs. */
#ifndef PA_METRICS_H
#define PA_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum {
  /* Route series (method + pattern): the API table (~130 routes) and the
   * families of everything else, with room to grow; past it a route is not
   * measured (pa_metrics_route says -1) rather than the storage growing
   * (metrics.test.mjs's "unmatched" family is the last registered, so it
   * is the first to notice). */
  PA_METRICS_ROUTES_MAX = 256,
  /* Upper bounds of the latency histogram's buckets, +Inf apart (below). */
  PA_METRICS_BUCKETS = 13,
  /* Bytes of one pattern or method kept in a label: ours are far shorter. */
  PA_METRICS_LABEL_MAX = 96
};

/* The buckets' upper bounds in microseconds, from 1 ms to 10 s. */
extern const uint64_t pa_metrics_bucket_us[PA_METRICS_BUCKETS];

typedef enum pa_metrics_gauge {
  PA_METRICS_CONNECTIONS,   /* open TCP connections (the transport) */
  PA_METRICS_WEBSOCKETS,    /* open WebSockets: the chat sockets */
  PA_METRICS_QUEUE_FAST,    /* requests waiting for one of the ordinary workers */
  PA_METRICS_QUEUE_SLOW,    /* the same for the slow workers (Argon2id, media, providers) */
  PA_METRICS_QUEUE_BILLING, /* payment webhooks queued, not applied yet (billing/worker.c) */
  PA_METRICS_GAUGES
} pa_metrics_gauge;

typedef enum pa_metrics_counter {
  PA_METRICS_REJECTED_FAST, /* 503: the ordinary workers' queue was full */
  PA_METRICS_REJECTED_SLOW, /* 503: the slow workers' queue was full */
  PA_METRICS_DB_NS,         /* nanoseconds spent in database statements (store/sql/sql.c) */
  PA_METRICS_DB_STEPS,      /* statement steps */
  PA_METRICS_COUNTERS
} pa_metrics_counter;

/* Records the process's start; called once by the server before serving
 * (later calls do nothing). */
void pa_metrics_start(void);

/* Registers the series of method + pattern (a route's path template, never
 * a raw path) and returns its id, or -1 when PA_METRICS_ROUTES_MAX are
 * taken or a string is longer than PA_METRICS_LABEL_MAX. The strings are
 * borrowed for the life of the process (string literals, a static table).
 * Registering the same pair again returns the same id. Thread-safe, but
 * meant for startup. */
int pa_metrics_route(const char *method, const char *pattern);

/* One answered request of route (an id from pa_metrics_route; anything else
 * is ignored): its status, how long it took and the body bytes sent. A
 * status of 500 or more is also an error. Lock-free. */
void pa_metrics_request(int route, int status, uint64_t us, uint64_t bytes_out);

/* An answer the transport gave itself (a bad head, a deadline, a full queue),
 * which no route saw: counted by status. */
void pa_metrics_transport_error(int status);

void pa_metrics_gauge_add(pa_metrics_gauge g, int64_t delta);
void pa_metrics_gauge_set(pa_metrics_gauge g, int64_t value);
void pa_metrics_count(pa_metrics_counter c, uint64_t n);

/* A monotonic clock in nanoseconds, for timing spans. */
uint64_t pa_metrics_now_ns(void);

/* Database time: the store wraps each statement step in these (sql.c). The
 * span is added to the totals and to this thread's own sum, which
 * pa_metrics_thread_db_ns reads (the request log's db_us). */
void pa_metrics_db_span(uint64_t ns);
uint64_t pa_metrics_thread_db_ns(void);

/* The figures as they are now, for the admin console's Health view
 * (api/admin_ops.c), which draws them itself. */
typedef struct pa_metrics_route_stats {
  const char *method, *pattern;
  uint64_t status[5];                      /* by class: 1xx … 5xx */
  uint64_t requests;                       /* their sum */
  uint64_t bucket[PA_METRICS_BUCKETS + 1]; /* per bucket (not cumulative); the last over 10 s */
  uint64_t sum_us, errors, bytes;
} pa_metrics_route_stats;

/* The registered routes' count; pa_metrics_route_get fills out for route i
 * (0 ≤ i < that count): 0, or -1 for any other i. */
int pa_metrics_routes(void);
int pa_metrics_route_get(int i, pa_metrics_route_stats *out);
/* The latency below which a fraction q (0..1) of s's requests answered, in
 * microseconds, interpolated within its bucket (as Prometheus'
 * histogram_quantile); the largest bound when it falls past it, 0 when s
 * has no requests. */
double pa_metrics_quantile_us(const pa_metrics_route_stats *s, double q);
int64_t pa_metrics_gauge_get(pa_metrics_gauge g);
uint64_t pa_metrics_counter_get(pa_metrics_counter c);
/* Seconds since pa_metrics_start (0 before). */
double pa_metrics_uptime(void);

/* The whole exposition (# HELP, # TYPE, samples; text format 0.0.4) in a
 * malloc'd NUL-terminated buffer the caller frees: 0, or -1 when out of
 * memory. Allocates: a scrape is not on the request path it measures. */
int pa_metrics_render(char **out, size_t *len);

/* Copies s into out as a Prometheus label value (\\, \" and \n escaped),
 * NUL-terminated, cut short (never mid-escape) when cap is too small:
 * the written length. */
size_t pa_metrics_escape_label(const char *s, char *out, size_t cap);

#endif
