/* A stand-in for the Live JSON live_socket.c sends (api/live.c, lane lapi)
 * until h/lapi's lands: lane lsock deletes this file then. Weak, so the real
 * one linking beside it wins; this one writes only id, state, viewers, hearts
 * and comments. */
#include "api/live.h"
#include "store/live.h"

typedef struct standin {
  cJSON *out;
  const pa_srv *srv;
} standin;

static int standin_row(void *ctx, const pa_store_live *l) {
  standin *s = ctx;
  s->out = cJSON_CreateObject();
  if (s->out && (pa_api_add_id(s->out, "id", "lv", l->id) ||
                 !cJSON_AddStringToObject(s->out, "state", l->state) ||
                 !cJSON_AddNumberToObject(s->out, "viewers", pa_live_viewers(s->srv, l->id)) ||
                 !cJSON_AddNumberToObject(s->out, "hearts", (double)l->hearts) ||
                 !cJSON_AddNumberToObject(s->out, "comments", (double)l->comments)))
    s->out = (cJSON_Delete(s->out), NULL);
  return 0;
}

__attribute__((weak)) cJSON *pa_live_json(const pa_srv *srv, struct pa_store *db, int64_t id) {
  standin s = {NULL, srv};
  if (pa_store_live_get(db, id, standin_row, &s) != PA_STORE_OK) {
    cJSON_Delete(s.out);
    return NULL;
  }
  return s.out;
}
