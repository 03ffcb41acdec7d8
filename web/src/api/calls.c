/* pa_api calls — 1:1 calls (issue 22; web/README.md, "Calls"). The server
 * hands out TURN credentials (coturn's REST scheme: username
 * "<expiry>:u_N", password base64(HMAC-SHA1(secret, username)), so coturn
 * checks them without asking us) and records who called whom, when and how
 * it ended. Offers, answers and candidates never come here: they go
 * end-to-end encrypted through the chat relay (core/src/chat/chat.md). */
#include "store/calls.h"

#include "api/chat_relay.h"
#include "auth/totp.h"
#include "clock.h"
#include "store/safety.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PA_TURN_URL when it is one turn:/turns: URL without a query, else NULL. */
static const char *turn_url(void) {
  const char *u = getenv("PA_TURN_URL");
  if (!u || strlen(u) > PA_TURN_URL_MAX) return NULL;
  if (strncmp(u, "turn:", 5) != 0 && strncmp(u, "turns:", 6) != 0) return NULL;
  for (const char *p = u; *p; p++)
    if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '"' || *p == '\\') return NULL;
  return u;
}

cJSON *pa_api_turn_json(int64_t viewer) {
  const char *url = turn_url(), *secret = getenv("PA_TURN_SECRET");
  if (!url || !secret || !*secret) return NULL;
  char user[64], with[PA_TURN_URL_MAX + 20];
  uint8_t mac[20];
  char b64[sizeof mac * 2];
  snprintf(user, sizeof user, "%lld:u_%lld", (long long)(pa_clock_now() + PA_TURN_TTL_S),
           (long long)viewer);
  if (pa_totp_hmac_sha1((const uint8_t *)secret, strlen(secret), (const uint8_t *)user,
                        strlen(user), mac) != 0)
    return NULL;
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
  cJSON *root = cJSON_CreateObject(), *urls = cJSON_AddArrayToObject(root, "urls");
  int bad = !root || !urls;
  static const char *const transports[] = {"udp", "tcp"};
  for (int i = 0; !bad && i < 2; i++) {
    snprintf(with, sizeof with, "%s?transport=%s", url, transports[i]);
    bad = !cJSON_AddItemToArray(urls, cJSON_CreateString(with));
  }
  if (bad || !cJSON_AddStringToObject(root, "username", user) ||
      !cJSON_AddStringToObject(root, "credential", b64) ||
      !cJSON_AddNumberToObject(root, "ttl", PA_TURN_TTL_S)) {
    cJSON_Delete(root);
    root = NULL;
  }
  return root;
}

void pa_api_chat_turn(pa_srv_req *rq) {
  cJSON *root = pa_api_turn_json(rq->viewer);
  if (!root) {
    pa_api_error(rq, 503, "turn_unconfigured", "Calls cannot be relayed here: no TURN server",
                 NULL);
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_chat_call_start(pa_srv_req *rq) {
  static const char *const names[] = {"to", "video", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  int64_t to = 0;
  const cJSON *video = cJSON_GetObjectItemCaseSensitive(body, "video");
  int bad = pa_api_only(rq, body, names) || pa_api_id(rq, body, "to", "u", 1, &to);
  if (!bad && !cJSON_IsBool(video)) {
    pa_api_field_error(rq, 400, "bad_request", "video must be true or false", "video");
    bad = 1;
  }
  cJSON_Delete(body);
  if (bad) return;
  if (to == rq->viewer) {
    pa_api_field_error(rq, 400, "bad_request", "You cannot call yourself", "to");
    return;
  }
  /* A block either way reads as nobody there, as in the chat relay. */
  int rel = 0, found = pa_api_standing(rq, to, &rel);
  if (found < 0) return;
  if (found == 1 || (rel & (PA_STORE_REL_BLOCKS | PA_STORE_REL_BLOCKED_BY))) {
    pa_api_field_error(rq, 404, "not_found", "No such user", "to");
    return;
  }
  const int64_t now = pa_clock_now();
  int64_t n = 0, id = 0;
  if (pa_store_calls_count_since(rq->db, rq->viewer, now - PA_CALLS_WINDOW_S + 1, &n) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "calls count");
    return;
  }
  if (n >= PA_CALLS_PER_HOUR) {
    char msg[96];
    snprintf(msg, sizeof msg, "You started %d calls in the last hour; try again later",
             PA_CALLS_PER_HOUR);
    pa_api_error_retry(rq, 429, "rate_limited", msg, 60);
    return;
  }
  if (pa_store_calls_start(rq->db, rq->viewer, to, now, &id) != PA_STORE_OK) {
    pa_api_internal(rq, "call start");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || pa_api_add_id(root, "id", "call", id)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 201, root);
}

void pa_api_chat_call_end(pa_srv_req *rq) {
  static const char *const names[] = {"state", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "state");
  int state = cJSON_IsString(s) ? pa_store_calls_state_parse(s->valuestring) : -1;
  int bad = pa_api_only(rq, body, names);
  cJSON_Delete(body);
  if (bad) return;
  if (state <= PA_STORE_CALL_RINGING) {
    pa_api_field_error(rq, 400, "bad_request", "state must be answered, declined, missed or ended",
                       "state");
    return;
  }
  int64_t caller = 0, callee = 0;
  int was = 0;
  int rc = pa_store_calls_get(rq->db, rq->ids[0], &caller, &callee, &was);
  if (rc == PA_STORE_OK && caller != rq->viewer && callee != rq->viewer) rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_OK) rc = pa_store_calls_end(rq->db, rq->ids[0], state, pa_clock_now());
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such call");
  else if (rc == PA_STORE_ECONFLICT)
    pa_api_error(rq, 409, "call_ended", "This call has already ended", NULL);
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "call end");
  else
    pa_api_ok(rq);
}
