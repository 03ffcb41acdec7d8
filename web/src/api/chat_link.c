/* pa_srv — linking a new device to a person's account (issue 22; the bytes
 * are core/src/chat/chat.md's "Linking a device", web/README.md "Chat"). The
 * new device posts its request under a link id, the person's existing device
 * reads it, checks it with the code's secret (which the server never sees)
 * and answers once; the new device reads the answer. The server carries
 * opaque bytes and checks only who may read and write them, their sizes,
 * that the request names the asking device's own identity key, and the
 * link's age (PA_CHAT_LINK_TTL_S). Device names live here too. */
#include "api/chat_relay.h"
#include "chat_link_rules.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>

/* 0 when device is one of the viewer's; else 404 sent. *identity (when not
 * NULL) gets its identity key. */
static int own_device(pa_srv_req *rq, int64_t device, uint8_t identity[PA_STORE_CHAT_KEY_BYTES]) {
  int64_t owner = 0;
  uint8_t ik[PA_STORE_CHAT_KEY_BYTES], spk[PA_STORE_CHAT_SPK_BYTES];
  int rc = pa_store_chat_bundle_get(rq->db, device, &owner, ik, spk);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat device");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND || owner != rq->viewer) {
    PA_NOT_FOUND(rq, "No such device of yours");
    return -1;
  }
  if (identity) memcpy(identity, ik, sizeof ik);
  return 0;
}

/* POST /chat/links {"device":"d_N","request":B64} → 201 {"id","expires_at"}. */
void pa_api_chat_link_create(pa_srv_req *rq) {
  static const char *const names[] = {"device", "request", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, names) != 0) {
    cJSON_Delete(body);
    return;
  }
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "device");
  uint8_t req[PA_CHAT_LINK_REQUEST_BYTES], ik[PA_STORE_CHAT_KEY_BYTES];
  int64_t device = 0;
  const char *why = NULL, *field = NULL;
  if (!cJSON_IsString(d) || pa_api_parse_id(d->valuestring, "d", &device) != 0)
    why = "device must be a device id like \"d_1\"", field = "device";
  else if (pa_chat_link_request_read(body, req, &why) != 0)
    field = "request";
  cJSON_Delete(body);
  if (why) {
    pa_api_field_error(rq, 400, "bad_request", why, field);
    return;
  }
  if (own_device(rq, device, ik) != 0) return;
  /* The request names the device that asks for the link (bytes 33..65): a
   * device can only ask to be linked itself. */
  if (memcmp(req + 33, ik, sizeof ik) != 0) {
    pa_api_field_error(rq, 400, "bad_request", "request: its identity key is not this device's",
                       "request");
    return;
  }
  if (pa_api_limited(rq, PA_LIMIT_CHAT_LINK, NULL) != 0) return;
  int64_t now = pa_clock_now(), id = 0;
  if (pa_store_chat_link_add(rq->db, rq->viewer, device, req, now, now - PA_CHAT_LINK_TTL_S, &id) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "chat link");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || pa_api_add_id(root, "id", "lk", id) ||
      pa_api_add_time(root, "expires_at", now + PA_CHAT_LINK_TTL_S)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 201, root);
}

/* The viewer's link rq->ids[0] into *l; 0, or -1 with 404 (anyone else's,
 * or none) or 500 sent. */
static int own_link(pa_srv_req *rq, pa_store_chat_link *l) {
  int rc = pa_store_chat_link_get(rq->db, rq->ids[0], l);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat link");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND || l->user != rq->viewer) {
    PA_NOT_FOUND(rq, "No such link of yours");
    return -1;
  }
  return 0;
}

/* Whether l can no longer be approved: older than PA_CHAT_LINK_TTL_S. A link
 * created at t is approvable up to and including t + PA_CHAT_LINK_TTL_S. */
static int link_expired(const pa_store_chat_link *l, int64_t now) {
  return now - l->created_at > PA_CHAT_LINK_TTL_S;
}

/* GET /chat/links/{id} → {"id","device","request","state","expires_at","response"?}. */
void pa_api_chat_link_get(pa_srv_req *rq) {
  pa_store_chat_link *l = malloc(sizeof *l);
  if (!l) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  if (own_link(rq, l) != 0) {
    free(l);
    return;
  }
  const char *state = l->response_len                   ? "approved"
                      : link_expired(l, pa_clock_now()) ? "expired"
                                                        : "waiting";
  cJSON *root = cJSON_CreateObject();
  if (!root || pa_api_add_id(root, "id", "lk", l->id) ||
      pa_api_add_id(root, "device", "d", l->device) ||
      pa_chat_add_b64(root, "request", l->request, sizeof l->request) ||
      !cJSON_AddStringToObject(root, "state", state) ||
      pa_api_add_time(root, "expires_at", l->created_at + PA_CHAT_LINK_TTL_S) ||
      (l->response_len && pa_chat_add_b64(root, "response", l->response, l->response_len))) {
    cJSON_Delete(root);
    root = NULL;
  }
  free(l);
  pa_api_json(rq, 200, root);
}

/* POST /chat/links/{id}/approve {"response":B64}: once, while it waits. */
void pa_api_chat_link_approve(pa_srv_req *rq) {
  static const char *const names[] = {"response", NULL};
  pa_store_chat_link *l = malloc(sizeof *l);
  cJSON *body = NULL;
  if (!l) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  if (own_link(rq, l) != 0 || pa_api_body(rq, &body) != 0) {
    free(l);
    return;
  }
  if (pa_api_only(rq, body, names) != 0) {
    cJSON_Delete(body);
    free(l);
    return;
  }
  uint8_t resp[PA_CHAT_LINK_RESPONSE_MAX_BYTES];
  size_t len = 0;
  const char *why = NULL;
  int bad = pa_chat_link_response_read(body, resp, &len, &why) != 0;
  cJSON_Delete(body);
  int64_t now = pa_clock_now();
  if (bad) {
    pa_api_field_error(rq, 400, "bad_request", why, "response");
  } else if (l->response_len) {
    pa_api_error(rq, 409, "already_approved", "This link was approved already", NULL);
  } else if (link_expired(l, now)) {
    pa_api_error(rq, 409, "link_expired",
                 "This link code has expired; start again on the new device", NULL);
  } else if (pa_api_limited(rq, PA_LIMIT_CHAT_LINK, NULL) == 0) {
    int rc = pa_store_chat_link_approve(rq->db, l->id, resp, len, now, now - PA_CHAT_LINK_TTL_S);
    if (rc == PA_STORE_ENOTFOUND) /* another approval came first */
      pa_api_error(rq, 409, "already_approved", "This link was approved already", NULL);
    else if (rc != PA_STORE_OK)
      pa_api_internal(rq, "chat link");
    else
      pa_api_ok(rq);
  }
  free(l);
}

/* PATCH /chat/devices/{d} {"name": 1..40 characters, or null to clear}. */
void pa_api_chat_device_rename(pa_srv_req *rq) {
  static const char *const names[] = {"name", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, names) != 0) {
    cJSON_Delete(body);
    return;
  }
  const char *name = NULL, *why = NULL;
  if (pa_chat_device_name_read(body, &name, &why) != 0) {
    cJSON_Delete(body);
    pa_api_field_error(rq, 400, "bad_request", why, "name");
    return;
  }
  int rc = pa_store_chat_device_rename(rq->db, rq->ids[0], rq->viewer, name);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such device of yours");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "chat device");
  else {
    cJSON *root = cJSON_CreateObject();
    if (!root || pa_api_add_id(root, "id", "d", rq->ids[0]) ||
        !(name ? cJSON_AddStringToObject(root, "name", name)
               : cJSON_AddNullToObject(root, "name"))) {
      cJSON_Delete(root);
      root = NULL;
    }
    pa_api_json(rq, 200, root);
  }
  cJSON_Delete(body);
}
