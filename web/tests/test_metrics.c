/* pa_metrics and pa_log (web/src/metrics/, web/src/log.c): the histogram's
 * bucket edges, the route table's limit, label and JSON escaping, the
 * exposition's shape, and the same figures from parallel threads. */
#include "log.h"
#include "metrics/metrics.h"
#include "pa_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The exposition's value of the sample line that starts with prefix; -1 if none. */
static double sample(const char *text, const char *prefix) {
  for (const char *p = text; p && *p;) {
    const char *end = strchr(p, '\n');
    size_t n = strlen(prefix);
    if (strncmp(p, prefix, n) == 0 && p[n] == ' ') return strtod(p + n + 1, NULL);
    p = end ? end + 1 : NULL;
  }
  return -1;
}

static char *render(void) {
  char *t = NULL;
  size_t n = 0;
  CHECK(pa_metrics_render(&t, &n) == 0 && t && strlen(t) == n);
  return t;
}

static int r_edges, r_threads;

static void bucket_edges(void) {
  /* le is inclusive: exactly a bound falls in its bucket, a microsecond more in the next. */
  r_edges = pa_metrics_route("GET", "/edges/{x}");
  CHECK(r_edges >= 0);
  CHECK(pa_metrics_route("GET", "/edges/{x}") == r_edges); /* registered once */
  pa_metrics_request(r_edges, 200, pa_metrics_bucket_us[0], 10);
  pa_metrics_request(r_edges, 204, pa_metrics_bucket_us[0] + 1, 0);
  pa_metrics_request(r_edges, 404, pa_metrics_bucket_us[PA_METRICS_BUCKETS - 1], 5);
  pa_metrics_request(r_edges, 503, pa_metrics_bucket_us[PA_METRICS_BUCKETS - 1] + 1, 0);
  pa_metrics_request(r_edges, 101, 0, 0);
  pa_metrics_request(-1, 200, 0, 0);   /* not a route: ignored */
  pa_metrics_request(9999, 200, 0, 0); /* not a route: ignored */
  char *t = render();
  const char *l = "{method=\"GET\",route=\"/edges/{x}\"";
  char k[160];
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_bucket%s,le=\"0.001\"}", l);
  CHECK(sample(t, k) == 2); /* 0 and 1000 us */
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_bucket%s,le=\"0.0025\"}", l);
  CHECK(sample(t, k) == 3);
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_bucket%s,le=\"10\"}", l);
  CHECK(sample(t, k) == 4);
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_bucket%s,le=\"+Inf\"}", l);
  CHECK(sample(t, k) == 5);
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_count%s}", l);
  CHECK(sample(t, k) == 5);
  snprintf(k, sizeof k, "pa_http_request_duration_seconds_sum%s}", l);
  CHECK(sample(t, k) > 20.0 && sample(t, k) < 20.1); /* 10 s + 10 s + a little */
  snprintf(k, sizeof k, "pa_http_requests_total%s,status=\"2xx\"}", l);
  CHECK(sample(t, k) == 2);
  snprintf(k, sizeof k, "pa_http_requests_total%s,status=\"1xx\"}", l);
  CHECK(sample(t, k) == 1);
  snprintf(k, sizeof k, "pa_http_requests_total%s,status=\"5xx\"}", l);
  CHECK(sample(t, k) == 1);
  snprintf(k, sizeof k, "pa_http_request_errors_total%s}", l);
  CHECK(sample(t, k) == 1);
  snprintf(k, sizeof k, "pa_http_response_bytes_total%s}", l);
  CHECK(sample(t, k) == 15);
  CHECK_CONTAINS(t, "# TYPE pa_http_request_duration_seconds histogram\n");
  CHECK_CONTAINS(t, "# HELP pa_http_requests_total ");
  free(t);
}

static void gauges_and_counters(void) {
  pa_metrics_start();
  pa_metrics_gauge_add(PA_METRICS_CONNECTIONS, 3);
  pa_metrics_gauge_add(PA_METRICS_CONNECTIONS, -1);
  pa_metrics_gauge_set(PA_METRICS_QUEUE_SLOW, 7);
  pa_metrics_count(PA_METRICS_REJECTED_FAST, 2);
  pa_metrics_transport_error(408);
  pa_metrics_transport_error(418); /* not one we name: "other" */
  uint64_t before = pa_metrics_thread_db_ns();
  pa_metrics_db_span(1500000000); /* 1.5 s */
  CHECK(pa_metrics_thread_db_ns() - before == 1500000000);
  char *t = render();
  CHECK(sample(t, "pa_net_connections") == 2);
  CHECK(sample(t, "pa_pool_queue_depth{pool=\"slow\"}") == 7);
  CHECK(sample(t, "pa_pool_rejected_total{pool=\"fast\"}") == 2);
  CHECK(sample(t, "pa_net_transport_errors_total{status=\"408\"}") == 1);
  CHECK(sample(t, "pa_net_transport_errors_total{status=\"other\"}") == 1);
  CHECK(sample(t, "pa_store_seconds_total") >= 1.5);
  CHECK(sample(t, "pa_store_steps_total") >= 1);
  CHECK(sample(t, "process_resident_memory_bytes") > 0);
  CHECK(sample(t, "process_start_time_seconds") > 1.7e9);
  CHECK(sample(t, "pa_uptime_seconds") >= 0);
  free(t);
}

static void label_escaping(void) {
  char out[16];
  CHECK(pa_metrics_escape_label("a\"b\\c\nd", out, sizeof out) == 10);
  CHECK(!strcmp(out, "a\\\"b\\\\c\\nd"));
  /* Cut short, never mid-escape: cap 3 holds "a" and not half of \". */
  CHECK(pa_metrics_escape_label("a\"b", out, 3) == 1 && !strcmp(out, "a"));
  CHECK(pa_metrics_escape_label("ab", out, 3) == 2 && !strcmp(out, "ab"));
  CHECK(pa_metrics_escape_label("abc", out, 3) == 2 && !strcmp(out, "ab"));
  int r = pa_metrics_route("GET", "/odd/\"quoted\"\\path");
  CHECK(r >= 0);
  pa_metrics_request(r, 200, 1, 0);
  char *t = render();
  CHECK_CONTAINS(t, "route=\"/odd/\\\"quoted\\\"\\\\path\"");
  free(t);
}

/* PA_METRICS_LABEL_MAX and PA_METRICS_ROUTES_MAX at their edges. Runs last:
 * it fills the table. */
static void route_limits(void) {
  static char longest[PA_METRICS_LABEL_MAX + 2];
  memset(longest, 'p', PA_METRICS_LABEL_MAX + 1);
  CHECK(pa_metrics_route("GET", longest) == -1); /* one byte over */
  longest[PA_METRICS_LABEL_MAX] = '\0';
  CHECK(pa_metrics_route("GET", longest) >= 0); /* exactly the limit */
  CHECK(pa_metrics_route(NULL, "/x") == -1 && pa_metrics_route("GET", NULL) == -1);
  static char names[PA_METRICS_ROUTES_MAX][16];
  int last = -1, i = 0;
  for (; i < PA_METRICS_ROUTES_MAX; i++) {
    snprintf(names[i], sizeof names[i], "/fill/%d", i);
    int id = pa_metrics_route("GET", names[i]);
    if (id < 0) break;
    last = id;
  }
  CHECK(last == PA_METRICS_ROUTES_MAX - 1); /* the last slot was given */
  CHECK(i < PA_METRICS_ROUTES_MAX);         /* and the next refused */
  CHECK(pa_metrics_route("GET", "/one/more") == -1);
  CHECK(pa_metrics_route("GET", "/edges/{x}") == r_edges); /* a known pair still answers */
}

enum { THREADS = 6, PER_THREAD = 20000 };

static void *hammer(void *arg) {
  (void)arg;
  for (int i = 0; i < PER_THREAD; i++) pa_metrics_request(r_threads, 200 + (i % 2) * 300, 3000, 1);
  return NULL;
}

static void parallel_threads(void) {
  /* Six workers at once, as in the server: no count is lost. */
  r_threads = pa_metrics_route("POST", "/threads");
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, hammer, NULL) == 0);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  char *x = render();
  CHECK(sample(x, "pa_http_request_duration_seconds_count{method=\"POST\",route=\"/threads\"}") ==
        THREADS * PER_THREAD);
  CHECK(sample(x, "pa_http_requests_total{method=\"POST\",route=\"/threads\",status=\"2xx\"}") ==
        THREADS * PER_THREAD / 2);
  CHECK(sample(x, "pa_http_request_errors_total{method=\"POST\",route=\"/threads\"}") ==
        THREADS * PER_THREAD / 2);
  free(x);
}

static void log_escaping(void) {
  char out[32];
  CHECK(pa_log_escape("a\"b\\c\n\x01", out, sizeof out) == 19);
  CHECK(!strcmp(out, "a\\\"b\\\\c\\u000a\\u0001"));
  CHECK(pa_log_escape("ab\n", out, 6) == 2 && !strcmp(out, "ab")); /* never half an escape */
  CHECK(pa_log_escape("caf\xc3\xa9", out, sizeof out) == 5);       /* UTF-8 as it is */
  char a[PA_LOG_ID_LEN], b[PA_LOG_ID_LEN];
  pa_log_request_id(a);
  pa_log_request_id(b);
  CHECK(strcmp(a, b) != 0 && strlen(a) >= 10 && strncmp(a, b, 9) == 0); /* same prefix, new count */
}

/* What pa_log writes while fn runs, read back from a temporary file put in
 * place of stderr; the caller frees it. */
static char *captured(void (*fn)(void)) {
  FILE *f = tmpfile();
  CHECK(f != NULL);
  fflush(stderr);
  int saved = dup(2);
  dup2(fileno(f), 2);
  fn();
  dup2(saved, 2);
  close(saved);
  long n = ftell(f) >= 0 ? (fseek(f, 0, SEEK_END), ftell(f)) : 0;
  char *out = calloc(1, (size_t)n + 1);
  rewind(f);
  CHECK(fread(out, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  return out;
}

static void long_event(void) {
  /* Every byte doubles when escaped: the message is cut at PA_LOG_MSG_MAX and
   * its escape to fit, never mid-escape. */
  static char msg[PA_LOG_MSG_MAX * 2];
  memset(msg, '"', sizeof msg - 1);
  pa_log_event("warn", "test", "%s", msg);
}

static void short_event(void) { pa_log_event("info", "test", "x=%d", 7); }

static void log_lines(void) {
  char *one = captured(long_event);
  size_t n = strlen(one);
  CHECK(n < PA_LOG_LINE_MAX && n > PA_LOG_MSG_MAX / 2);
  CHECK(one[n - 1] == '\n' && strchr(one, '\n') == one + n - 1); /* one whole line */
  CHECK(n >= 5 && !strcmp(one + n - 5, "\\\"\"}\n"));            /* ends with an escaped quote */
  CHECK_CONTAINS(one, "\"level\":\"warn\",\"component\":\"test\",\"msg\":\"\\\"");
  free(one);
  char *two = captured(short_event);
  CHECK_CONTAINS(two, "\"component\":\"test\",\"msg\":\"x=7\"}\n");
  CHECK(!strncmp(two, "{\"time\":\"20", 11));
  free(two);
}

int main(void) {
  RUN(bucket_edges);
  RUN(gauges_and_counters);
  RUN(label_escaping);
  RUN(parallel_threads);
  RUN(log_escaping);
  RUN(log_lines);
  RUN(route_limits);
  return pa_test_summary("web.metrics");
}
