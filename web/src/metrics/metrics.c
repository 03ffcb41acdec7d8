/* pa_metrics — lock-free counters and their Prometheus exposition. */
#include "metrics/metrics.h"

#include "buf.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const uint64_t pa_metrics_bucket_us[PA_METRICS_BUCKETS] = {
    1000,   2500,   5000,    10000,   25000,   50000,   100000,
    250000, 500000, 1000000, 2500000, 5000000, 10000000};

enum { STATUS_CLASSES = 5 }; /* 1xx … 5xx */

/* One route's figures. Buckets are kept apart (not cumulative) so a request
 * touches one; the scrape adds them up. A cache line each, so workers
 * answering different routes never write the same line. */
typedef struct series {
  alignas(64) const char *method;
  const char *pattern;
  _Atomic uint64_t status[STATUS_CLASSES];
  _Atomic uint64_t bucket[PA_METRICS_BUCKETS + 1]; /* the last: over the largest bound */
  _Atomic uint64_t sum_us;
  _Atomic uint64_t errors;
  _Atomic uint64_t bytes;
} series;

static series routes[PA_METRICS_ROUTES_MAX];
static _Atomic int nroutes; /* published with release after the slot is filled */
static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;

static _Atomic int64_t gauges[PA_METRICS_GAUGES];
static _Atomic uint64_t counters[PA_METRICS_COUNTERS];
static _Thread_local uint64_t thread_db_ns;

/* The transport's own answers, by status; anything else is "other". */
static const int transport_codes[] = {400, 401, 408, 413, 414, 431, 500, 503};
enum { TRANSPORT_CODES = sizeof transport_codes / sizeof transport_codes[0] };
static _Atomic uint64_t transport_errors[TRANSPORT_CODES + 1];

static _Atomic int started;
static double start_wall;   /* Unix seconds, with fraction */
static uint64_t start_mono; /* pa_metrics_now_ns at start */

uint64_t pa_metrics_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void pa_metrics_start(void) {
  int no = 0;
  if (!atomic_compare_exchange_strong(&started, &no, 1)) return;
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  start_wall = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
  start_mono = pa_metrics_now_ns();
}

int pa_metrics_route(const char *method, const char *pattern) {
  if (!method || !pattern || strlen(method) > PA_METRICS_LABEL_MAX ||
      strlen(pattern) > PA_METRICS_LABEL_MAX)
    return -1;
  pthread_mutex_lock(&register_lock);
  int n = atomic_load_explicit(&nroutes, memory_order_relaxed), id = -1;
  for (int i = 0; i < n && id < 0; i++)
    if (strcmp(routes[i].method, method) == 0 && strcmp(routes[i].pattern, pattern) == 0) id = i;
  if (id < 0 && n < PA_METRICS_ROUTES_MAX) {
    routes[n].method = method;
    routes[n].pattern = pattern;
    atomic_store_explicit(&nroutes, n + 1, memory_order_release);
    id = n;
  }
  pthread_mutex_unlock(&register_lock);
  return id;
}

void pa_metrics_request(int route, int status, uint64_t us, uint64_t bytes_out) {
  if (route < 0 || route >= atomic_load_explicit(&nroutes, memory_order_acquire)) return;
  series *s = &routes[route];
  int cls = status / 100 - 1;
  if (cls < 0) cls = 0;
  if (cls >= STATUS_CLASSES) cls = STATUS_CLASSES - 1;
  int b = 0;
  while (b < PA_METRICS_BUCKETS && us > pa_metrics_bucket_us[b]) b++;
  atomic_fetch_add_explicit(&s->status[cls], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->bytes, bytes_out, memory_order_relaxed);
  if (status >= 500) atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
}

void pa_metrics_transport_error(int status) {
  int i = 0;
  while (i < TRANSPORT_CODES && transport_codes[i] != status) i++;
  atomic_fetch_add_explicit(&transport_errors[i], 1, memory_order_relaxed);
}

void pa_metrics_gauge_add(pa_metrics_gauge g, int64_t delta) {
  if ((unsigned)g < PA_METRICS_GAUGES)
    atomic_fetch_add_explicit(&gauges[g], delta, memory_order_relaxed);
}

void pa_metrics_gauge_set(pa_metrics_gauge g, int64_t value) {
  if ((unsigned)g < PA_METRICS_GAUGES)
    atomic_store_explicit(&gauges[g], value, memory_order_relaxed);
}

void pa_metrics_count(pa_metrics_counter c, uint64_t n) {
  if ((unsigned)c < PA_METRICS_COUNTERS)
    atomic_fetch_add_explicit(&counters[c], n, memory_order_relaxed);
}

void pa_metrics_db_span(uint64_t ns) {
  thread_db_ns += ns;
  atomic_fetch_add_explicit(&counters[PA_METRICS_DB_NS], ns, memory_order_relaxed);
  atomic_fetch_add_explicit(&counters[PA_METRICS_DB_STEPS], 1, memory_order_relaxed);
}

uint64_t pa_metrics_thread_db_ns(void) { return thread_db_ns; }

size_t pa_metrics_escape_label(const char *s, char *out, size_t cap) {
  size_t n = 0;
  if (cap == 0) return 0;
  for (; s && *s; s++) {
    const char *rep = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
    size_t need = rep ? 2 : 1;
    if (n + need >= cap) break;
    if (rep) {
      memcpy(out + n, rep, 2);
    } else {
      out[n] = *s;
    }
    n += need;
  }
  out[n] = '\0';
  return n;
}

static uint64_t load(_Atomic uint64_t *a) { return atomic_load_explicit(a, memory_order_relaxed); }

/* Resident set size from /proc (Linux); 0 when unreadable. */
static uint64_t rss_bytes(void) {
  unsigned long long size = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  int ok = fscanf(f, "%llu %llu", &size, &resident) == 2;
  fclose(f);
  long page = sysconf(_SC_PAGESIZE);
  return ok && page > 0 ? (uint64_t)resident * (uint64_t)page : 0;
}

static void head(pa_buf *b, const char *name, const char *type, const char *help) {
  pa_buf_putf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of series s: method="…",route="…" (escaped). */
static void labels(const series *s, char *out, size_t cap) {
  char m[2 * PA_METRICS_LABEL_MAX + 1], p[2 * PA_METRICS_LABEL_MAX + 1];
  pa_metrics_escape_label(s->method, m, sizeof m);
  pa_metrics_escape_label(s->pattern, p, sizeof p);
  snprintf(out, cap, "method=\"%s\",route=\"%s\"", m, p);
}

static void render_routes(pa_buf *b, int n) {
  static const char *const classes[STATUS_CLASSES] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  char l[4 * PA_METRICS_LABEL_MAX + 32];
  /* Only routes that answered at least once: the others would be all zeros. */
  int used[PA_METRICS_ROUTES_MAX];
  for (int i = 0; i < n; i++) {
    uint64_t total = 0;
    for (int c = 0; c < STATUS_CLASSES; c++) total += load(&routes[i].status[c]);
    used[i] = total > 0;
  }
  head(b, "pa_http_requests_total", "counter",
       "Requests answered, by route pattern, method and status class.");
  for (int i = 0; i < n; i++) {
    if (!used[i]) continue;
    labels(&routes[i], l, sizeof l);
    for (int c = 0; c < STATUS_CLASSES; c++)
      pa_buf_putf(b, "pa_http_requests_total{%s,status=\"%s\"} %llu\n", l, classes[c],
                  (unsigned long long)load(&routes[i].status[c]));
  }
  head(b, "pa_http_request_duration_seconds", "histogram",
       "Time from a request's dispatch to a worker to its answer, by route pattern and method.");
  for (int i = 0; i < n; i++) {
    if (!used[i]) continue;
    labels(&routes[i], l, sizeof l);
    uint64_t cum = 0;
    for (int k = 0; k <= PA_METRICS_BUCKETS; k++) {
      cum += load(&routes[i].bucket[k]);
      if (k < PA_METRICS_BUCKETS)
        pa_buf_putf(b, "pa_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", l,
                    (double)pa_metrics_bucket_us[k] / 1e6, (unsigned long long)cum);
      else
        pa_buf_putf(b, "pa_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", l,
                    (unsigned long long)cum);
    }
    pa_buf_putf(b, "pa_http_request_duration_seconds_sum{%s} %.6f\n", l,
                (double)load(&routes[i].sum_us) / 1e6);
    /* _count is the +Inf bucket by definition; the status counters are kept
     * apart, so a test can compare the two. */
    pa_buf_putf(b, "pa_http_request_duration_seconds_count{%s} %llu\n", l, (unsigned long long)cum);
  }
  head(b, "pa_http_request_errors_total", "counter",
       "Answers with a 5xx status (the server's fault), by route pattern and method.");
  for (int i = 0; i < n; i++) {
    if (!used[i]) continue;
    labels(&routes[i], l, sizeof l);
    pa_buf_putf(b, "pa_http_request_errors_total{%s} %llu\n", l,
                (unsigned long long)load(&routes[i].errors));
  }
  head(b, "pa_http_response_bytes_total", "counter",
       "Body bytes sent (HEAD: none), by route pattern and method.");
  for (int i = 0; i < n; i++) {
    if (!used[i]) continue;
    labels(&routes[i], l, sizeof l);
    pa_buf_putf(b, "pa_http_response_bytes_total{%s} %llu\n", l,
                (unsigned long long)load(&routes[i].bytes));
  }
}

int pa_metrics_routes(void) { return atomic_load_explicit(&nroutes, memory_order_acquire); }

int pa_metrics_route_get(int i, pa_metrics_route_stats *out) {
  if (i < 0 || i >= pa_metrics_routes()) return -1;
  series *s = &routes[i];
  memset(out, 0, sizeof *out);
  out->method = s->method;
  out->pattern = s->pattern;
  for (int c = 0; c < STATUS_CLASSES; c++) {
    out->status[c] = load(&s->status[c]);
    out->requests += out->status[c];
  }
  for (int k = 0; k <= PA_METRICS_BUCKETS; k++) out->bucket[k] = load(&s->bucket[k]);
  out->sum_us = load(&s->sum_us);
  out->errors = load(&s->errors);
  out->bytes = load(&s->bytes);
  return 0;
}

double pa_metrics_quantile_us(const pa_metrics_route_stats *s, double q) {
  uint64_t total = 0, cum = 0;
  for (int k = 0; k <= PA_METRICS_BUCKETS; k++) total += s->bucket[k];
  if (total == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  double rank = q * (double)total;
  for (int k = 0; k < PA_METRICS_BUCKETS; k++) {
    uint64_t in = s->bucket[k];
    if (in && (double)(cum + in) >= rank) {
      double lo = k ? (double)pa_metrics_bucket_us[k - 1] : 0, hi = (double)pa_metrics_bucket_us[k];
      return lo + (hi - lo) * ((rank - (double)cum) / (double)in);
    }
    cum += in;
  }
  return (double)pa_metrics_bucket_us[PA_METRICS_BUCKETS - 1];
}

int64_t pa_metrics_gauge_get(pa_metrics_gauge g) {
  return (unsigned)g < PA_METRICS_GAUGES ? atomic_load_explicit(&gauges[g], memory_order_relaxed)
                                         : 0;
}

uint64_t pa_metrics_counter_get(pa_metrics_counter c) {
  return (unsigned)c < PA_METRICS_COUNTERS ? load(&counters[c]) : 0;
}

double pa_metrics_uptime(void) {
  return started ? (double)(pa_metrics_now_ns() - start_mono) / 1e9 : 0.0;
}

int pa_metrics_render(char **out, size_t *len) {
  pa_buf b = {0};
  int n = atomic_load_explicit(&nroutes, memory_order_acquire);
  *out = NULL;
  *len = 0;
  render_routes(&b, n);

  head(&b, "pa_net_transport_errors_total", "counter",
       "Answers the transport gave itself before any route (bad heads, deadlines, caps, full "
       "queues), by status.");
  for (int i = 0; i <= TRANSPORT_CODES; i++) {
    if (i < TRANSPORT_CODES)
      pa_buf_putf(&b, "pa_net_transport_errors_total{status=\"%d\"} %llu\n", transport_codes[i],
                  (unsigned long long)load(&transport_errors[i]));
    else
      pa_buf_putf(&b, "pa_net_transport_errors_total{status=\"other\"} %llu\n",
                  (unsigned long long)load(&transport_errors[i]));
  }
  head(&b, "pa_net_connections", "gauge", "Open TCP connections.");
  pa_buf_putf(
      &b, "pa_net_connections %lld\n",
      (long long)atomic_load_explicit(&gauges[PA_METRICS_CONNECTIONS], memory_order_relaxed));
  head(&b, "pa_net_websockets", "gauge", "Open WebSockets (chat sockets).");
  pa_buf_putf(
      &b, "pa_net_websockets %lld\n",
      (long long)atomic_load_explicit(&gauges[PA_METRICS_WEBSOCKETS], memory_order_relaxed));
  head(&b, "pa_pool_queue_depth", "gauge", "Requests and socket messages waiting for a worker.");
  pa_buf_putf(
      &b, "pa_pool_queue_depth{pool=\"fast\"} %lld\npa_pool_queue_depth{pool=\"slow\"} %lld\n",
      (long long)atomic_load_explicit(&gauges[PA_METRICS_QUEUE_FAST], memory_order_relaxed),
      (long long)atomic_load_explicit(&gauges[PA_METRICS_QUEUE_SLOW], memory_order_relaxed));
  head(&b, "pa_billing_queue_depth", "gauge",
       "Payment provider webhooks queued and not applied yet (counted each billing round).");
  pa_buf_putf(
      &b, "pa_billing_queue_depth %lld\n",
      (long long)atomic_load_explicit(&gauges[PA_METRICS_QUEUE_BILLING], memory_order_relaxed));
  head(&b, "pa_pool_rejected_total", "counter",
       "Requests refused with 503 because the worker pool's queue was full.");
  pa_buf_putf(&b,
              "pa_pool_rejected_total{pool=\"fast\"} %llu\npa_pool_rejected_total{pool=\"slow\"} "
              "%llu\n",
              (unsigned long long)load(&counters[PA_METRICS_REJECTED_FAST]),
              (unsigned long long)load(&counters[PA_METRICS_REJECTED_SLOW]));
  head(&b, "pa_store_seconds_total", "counter",
       "Time spent stepping database statements, on every thread.");
  pa_buf_putf(&b, "pa_store_seconds_total %.9f\n", (double)load(&counters[PA_METRICS_DB_NS]) / 1e9);
  head(&b, "pa_store_steps_total", "counter", "Database statement steps.");
  pa_buf_putf(&b, "pa_store_steps_total %llu\n",
              (unsigned long long)load(&counters[PA_METRICS_DB_STEPS]));
  head(&b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  pa_buf_putf(&b, "process_resident_memory_bytes %llu\n", (unsigned long long)rss_bytes());
  head(&b, "process_start_time_seconds", "gauge", "Start time of the process since the epoch.");
  pa_buf_putf(&b, "process_start_time_seconds %.3f\n", start_wall);
  head(&b, "pa_uptime_seconds", "gauge", "Seconds since the server started (monotonic clock).");
  pa_buf_putf(&b, "pa_uptime_seconds %.3f\n",
              started ? (double)(pa_metrics_now_ns() - start_mono) / 1e9 : 0.0);
  if (b.failed) {
    free(b.p);
    return -1;
  }
  *out = b.p;
  *len = b.len;
  return 0;
}
