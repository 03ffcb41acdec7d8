/* pa_api — the admin console's team views (issue 19): Security (the events
 * of store/security.h, counted by hour and country, with suspicious
 * patterns picked out) and Health (the server's own metrics, metrics.h).
 * Admins only (router.c, F_ADMIN); read-only, so nothing is audited. */
#include "api/api.h"
#include "clock.h"
#include "geo.h"
#include "metrics/metrics.h"
#include "secev.h"
#include "store/security.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- GET /admin/security?hours=N */

/* pa_store_security_count_fn: appends {"hour"|"country", "kind", "count"}
 * to the array ctx. */
static int add_hour(void *ctx, const char *kind, int64_t at, const char *key, int64_t n) {
  (void)key;
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddNumberToObject(o, "hour", (double)at) ||
      !cJSON_AddStringToObject(o, "kind", kind) ||
      !cJSON_AddNumberToObject(o, "count", (double)n) || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

static int add_country(void *ctx, const char *kind, int64_t at, const char *key, int64_t n) {
  (void)at;
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddStringToObject(o, "country", key) ||
      !cJSON_AddStringToObject(o, "kind", kind) ||
      !cJSON_AddNumberToObject(o, "count", (double)n) || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

static cJSON *addr_json(const pa_store_security_addr *a) {
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddStringToObject(o, "address", a->addr) ||
      !cJSON_AddStringToObject(o, "country", a->country) ||
      !cJSON_AddNumberToObject(o, "login_failed", (double)a->login_failed) ||
      !cJSON_AddNumberToObject(o, "limited", (double)a->limited) ||
      !cJSON_AddNumberToObject(o, "upload_refused", (double)a->upload_refused) ||
      !cJSON_AddNumberToObject(o, "signin", (double)a->signin) ||
      !cJSON_AddNumberToObject(o, "new_device", (double)a->new_device) ||
      !cJSON_AddNumberToObject(o, "accounts", (double)a->accounts)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_addr(void *ctx, const pa_store_security_addr *a) {
  cJSON *o = addr_json(a);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* One address failing for many accounts: {"pattern", "address", ...}. */
static int add_spray(void *ctx, const pa_store_security_addr *a) {
  cJSON *o = addr_json(a);
  if (!o || !cJSON_AddStringToObject(o, "pattern", "one_address_many_accounts") ||
      !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* One account failing from many addresses: {"pattern", "person", ...}. */
static int add_target(void *ctx, const pa_store_security_target *t) {
  cJSON *o = cJSON_CreateObject(), *p = pa_api_person_json(&t->person);
  if (!o || !p || !cJSON_AddStringToObject(o, "pattern", "one_account_many_addresses") ||
      !cJSON_AddStringToObject(p, "handle", t->handle ? t->handle : "") ||
      !cJSON_AddItemToObject(o, "person", p)) {
    cJSON_Delete(o);
    cJSON_Delete(p);
    return -1;
  }
  if (!cJSON_AddNumberToObject(o, "addresses", (double)t->addresses) ||
      !cJSON_AddNumberToObject(o, "login_failed", (double)t->failures) ||
      !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* ?hours=N: 1..PA_API_SECURITY_HOURS_MAX, default PA_API_SECURITY_HOURS_DEFAULT;
 * 0, or -1 with 400 sent. */
static int hours_param(pa_srv_req *rq, int *hours) {
  char text[8], *end;
  int q = pa_api_query(rq, "hours", text, sizeof text);
  *hours = PA_API_SECURITY_HOURS_DEFAULT;
  if (q < 0) return -1;
  if (q == 1) return 0;
  long v = strtol(text, &end, 10);
  if (!*text || *end || strspn(text, "0123456789") != strlen(text) || v < 1 ||
      v > PA_API_SECURITY_HOURS_MAX) {
    char msg[80];
    snprintf(msg, sizeof msg, "hours must be a whole number from 1 to %d",
             PA_API_SECURITY_HOURS_MAX);
    PA_BAD(rq, msg);
    return -1;
  }
  *hours = (int)v;
  return 0;
}

void pa_api_admin_security(pa_srv_req *rq) {
  int hours;
  if (hours_param(rq, &hours) != 0) return;
  const int64_t now = pa_clock_now();
  /* Whole hours: the oldest row of the table starts at the hour's start. */
  const int64_t since = (now / 3600 - hours + 1) * 3600;
  cJSON *root = cJSON_CreateObject(), *th = cJSON_CreateObject();
  cJSON *by_hour = cJSON_AddArrayToObject(root, "by_hour");
  cJSON *by_country = cJSON_AddArrayToObject(root, "by_country");
  cJSON *top = cJSON_AddArrayToObject(root, "top_addresses");
  cJSON *sus = cJSON_AddArrayToObject(root, "suspicious");
  int bad =
      !th || !by_hour || !by_country || !top || !sus ||
      !cJSON_AddNumberToObject(root, "hours", hours) ||
      !cJSON_AddNumberToObject(root, "since", (double)since) ||
      !cJSON_AddNumberToObject(root, "now", (double)now) ||
      !cJSON_AddStringToObject(root, "country_source", pa_geo_source()) ||
      !cJSON_AddNumberToObject(th, "accounts_per_address", PA_API_SECURITY_SPRAY_ACCOUNTS) ||
      !cJSON_AddNumberToObject(th, "addresses_per_account", PA_API_SECURITY_TARGET_ADDRESSES) ||
      !cJSON_AddNumberToObject(th, "retention_days", PA_SECEV_RETENTION_DAYS) ||
      !cJSON_AddItemToObject(root, "thresholds", th);
  if (bad) cJSON_Delete(th);
  if (bad || pa_store_security_by_hour(rq->db, since, add_hour, by_hour) != PA_STORE_OK ||
      pa_store_security_by_country(rq->db, since, add_country, by_country) != PA_STORE_OK ||
      pa_store_security_top_addrs(rq->db, since, PA_API_SECURITY_TOP, add_addr, top) !=
          PA_STORE_OK ||
      pa_store_security_spraying(rq->db, since, PA_API_SECURITY_SPRAY_ACCOUNTS, PA_API_SECURITY_TOP,
                                 add_spray, sus) != PA_STORE_OK ||
      pa_store_security_targeted(rq->db, since, PA_API_SECURITY_TARGET_ADDRESSES,
                                 PA_API_SECURITY_TOP, add_target, sus) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "security view");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* ---- GET /admin/health */

static int add_route(cJSON *list, const pa_metrics_route_stats *s, double uptime) {
  cJSON *o = cJSON_CreateObject();
  const double minutes = uptime > 1 ? uptime / 60 : 1.0 / 60;
  if (!o || !cJSON_AddStringToObject(o, "method", s->method) ||
      !cJSON_AddStringToObject(o, "route", s->pattern) ||
      !cJSON_AddNumberToObject(o, "requests", (double)s->requests) ||
      !cJSON_AddNumberToObject(o, "per_minute", (double)s->requests / minutes) ||
      !cJSON_AddNumberToObject(o, "client_errors", (double)s->status[3]) ||
      !cJSON_AddNumberToObject(o, "server_errors", (double)s->errors) ||
      !cJSON_AddNumberToObject(o, "error_rate", (double)s->errors / (double)s->requests) ||
      !cJSON_AddNumberToObject(o, "mean_ms", (double)s->sum_us / (double)s->requests / 1000) ||
      !cJSON_AddNumberToObject(o, "p50_ms", pa_metrics_quantile_us(s, 0.5) / 1000) ||
      !cJSON_AddNumberToObject(o, "p90_ms", pa_metrics_quantile_us(s, 0.9) / 1000) ||
      !cJSON_AddNumberToObject(o, "p99_ms", pa_metrics_quantile_us(s, 0.99) / 1000) ||
      !cJSON_AddNumberToObject(o, "bytes", (double)s->bytes) || !cJSON_AddItemToArray(list, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

void pa_api_admin_health(pa_srv_req *rq) {
  const double uptime = pa_metrics_uptime();
  cJSON *root = cJSON_CreateObject(), *queues = cJSON_CreateObject(), *db = cJSON_CreateObject();
  cJSON *routes = cJSON_AddArrayToObject(root, "routes");
  int bad = !routes || !queues || !db;
  for (int i = 0, n = pa_metrics_routes(); i < n && !bad; i++) {
    pa_metrics_route_stats s;
    /* Routes that never answered would be rows of zeros, as in /metrics. */
    if (pa_metrics_route_get(i, &s) == 0 && s.requests) bad = add_route(routes, &s, uptime);
  }
  const uint64_t db_ns = pa_metrics_counter_get(PA_METRICS_DB_NS);
  bad = bad || !cJSON_AddNumberToObject(root, "uptime_seconds", uptime) ||
        !cJSON_AddNumberToObject(root, "connections",
                                 (double)pa_metrics_gauge_get(PA_METRICS_CONNECTIONS)) ||
        !cJSON_AddNumberToObject(root, "websockets",
                                 (double)pa_metrics_gauge_get(PA_METRICS_WEBSOCKETS)) ||
        !cJSON_AddNumberToObject(queues, "fast",
                                 (double)pa_metrics_gauge_get(PA_METRICS_QUEUE_FAST)) ||
        !cJSON_AddNumberToObject(queues, "slow",
                                 (double)pa_metrics_gauge_get(PA_METRICS_QUEUE_SLOW)) ||
        !cJSON_AddNumberToObject(queues, "billing",
                                 (double)pa_metrics_gauge_get(PA_METRICS_QUEUE_BILLING)) ||
        !cJSON_AddNumberToObject(queues, "rejected_fast",
                                 (double)pa_metrics_counter_get(PA_METRICS_REJECTED_FAST)) ||
        !cJSON_AddNumberToObject(queues, "rejected_slow",
                                 (double)pa_metrics_counter_get(PA_METRICS_REJECTED_SLOW)) ||
        !cJSON_AddNumberToObject(db, "seconds", (double)db_ns / 1e9) ||
        !cJSON_AddNumberToObject(db, "steps", (double)pa_metrics_counter_get(PA_METRICS_DB_STEPS));
  if (!bad) {
    bad = !cJSON_AddItemToObject(root, "queues", queues);
    if (bad)
      cJSON_Delete(db);
    else
      bad = !cJSON_AddItemToObject(root, "database", db);
  } else {
    cJSON_Delete(queues);
    cJSON_Delete(db);
  }
  if (bad) {
    cJSON_Delete(root);
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  pa_api_json(rq, 200, root);
}
