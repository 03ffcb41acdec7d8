/* The Web Push routes: the server's VAPID key, and this session's browser
 * subscription (store/push.h; push/ sends). A subscription belongs to the
 * session that made it: signing out ends it (the database cascades). */
#include "push/push.h"

#include "api/api.h"
#include "clock.h"
#include "srv_internal.h"
#include "store/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pa_api_push_key(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject();
  if (!root || !cJSON_AddStringToObject(root, "key", pa_push_public_key(rq->srv->push)) ||
      !cJSON_AddNumberToObject(root, "max_devices", PA_PUSH_SUBS_MAX)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "push key");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* {endpoint, keys: {p256dh, auth}, expirationTime?, locale?}: what
 * PushSubscription.toJSON() gives, and the page's language for the words. */
void pa_api_push_subscribe(pa_srv_req *rq) {
  static const char *const fields[] = {"endpoint", "keys", "expirationTime", "locale", NULL};
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields)) {
    cJSON_Delete(body);
    return;
  }
  char *text = cJSON_PrintUnformatted(body);
  cJSON_Delete(body);
  if (!text) {
    pa_api_internal(rq, "push subscribe");
    return;
  }
  pa_push_sub sub;
  char field[32];
  int rc = pa_push_sub_parse(text, strlen(text), pa_push_policy_get(rq->srv->push), &sub, field,
                             sizeof field);
  free(text);
  if (rc != PA_PUSH_OK) {
    /* field: the contract's field names are [a-z_]; the message names the key. */
    char msg[96];
    snprintf(msg, sizeof msg, "%s: %s", field,
             strcmp(field, "endpoint") == 0 ? "not a push service this server sends to"
                                            : "malformed");
    pa_api_field_error(rq, 400, "bad_request", msg,
                       strncmp(field, "keys", 4) == 0 ? "keys" : field);
    return;
  }
  int64_t id = 0;
  rc = pa_store_push_subscribe(rq->db, rq->viewer, rq->session_id, sub.endpoint, sub.p256dh,
                               sub.auth, sub.locale, pa_clock_now(), PA_PUSH_SUBS_MAX, &id);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "push subscribe");
    return;
  }
  pa_api_ok(rq);
}

void pa_api_push_unsubscribe(pa_srv_req *rq) {
  int removed = 0;
  if (pa_store_push_unsubscribe(rq->db, rq->session_id, &removed) != PA_STORE_OK) {
    pa_api_internal(rq, "push unsubscribe");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || !cJSON_AddNumberToObject(root, "removed", removed)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "push unsubscribe");
    return;
  }
  pa_api_json(rq, 200, root);
}
