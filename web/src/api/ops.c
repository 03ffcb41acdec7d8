/* pa_api — the operator's routes (F_OPS in router.c: the bearer token is
 * checked there, before these run). */
#include "api/api.h"
#include "metrics/metrics.h"

#include <stdlib.h>

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
