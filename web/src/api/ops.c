/* pa_api — the operator's routes (F_OPS in router.c: the bearer token is
 * checked there, before these run). */
#include "api/api.h"
#include "metrics/metrics.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void pa_api_metrics(pa_srv_req *rq) {
  char *text;
  size_t len;
  if (pa_metrics_render(&text, &len) != 0) {
    pa_srv_plain_error(rq, 500, NULL);
    return;
  }
  pa_srv_send(rq, 200, "text/plain; version=0.0.4; charset=utf-8", "no-store", NULL, 0, text, len);
  free(text);
}

void pa_api_ready(pa_srv_req *rq) {
  /* What failed goes to the log only: the answer tells a stranger nothing. */
  int ready = !atomic_load(&rq->srv->draining) && rq->db;
  if (ready && pa_store_ping(rq->db) != PA_STORE_OK) {
    pa_log_event("error", "ready", "database: %s", pa_store_errmsg(rq->db));
    ready = 0;
  }
  const char *body = ready ? "{\"ready\":true}" : "{\"ready\":false}";
  pa_api_send_text(rq, ready ? 200 : 503, body, strlen(body));
}
