/* pa_api — notifications: likes, comments, replies and follows of the viewer's
 * posts, pets and person ("n_" ids), and among them by time the notices the
 * server wrote for the viewer ("nt_": billing, follow requests, health
 * reminders, moderation, security; store/notifications.h). This file lists
 * them, counts the unread ones and marks them read. */
#include "store/notifications.h"

#include "api/api.h"

#include <stdint.h>
#include <string.h>

/* The viewer's unread count into *out; 0, or -1 with 500 sent. */
static int unread(pa_srv_req *rq, int64_t *out) {
  if (pa_store_notifications_unread(rq->db, rq->viewer, out) != PA_STORE_OK) {
    pa_api_internal(rq, "unread notifications");
    return -1;
  }
  return 0;
}

/* {"unread_count": n} */
static void send_unread(pa_srv_req *rq) {
  int64_t n;
  if (unread(rq, &n) != 0) return;
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddNumberToObject(root, "unread_count", (double)n)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* Adds key: "<prefix>_<id>", or null when id is 0. */
static int add_opt_id(cJSON *o, const char *key, const char *prefix, int64_t id) {
  if (!id) return cJSON_AddNullToObject(o, key) ? 0 : -1;
  return pa_api_add_id(o, key, prefix, id);
}

/* A notification names its actor; a notice may name nobody (actor null)
 * and carries its kind's detail object (billing's is empty: the app links it
 * to the Billing screen). */
static cJSON *notification_json(const pa_store_notification *n) {
  cJSON *o = cJSON_CreateObject(), *actor = NULL, *pet = NULL, *detail = NULL;
  int bad = !o || !n->kind;
  if (!bad && n->actor.id) bad = !(actor = pa_api_person_json(&n->actor));
  if (!bad && n->pet.id) bad = !(pet = pa_api_pet_ref_json(&n->pet));
  /* The server's own JSON (the schema checks it is an object). */
  if (!bad && n->notice) bad = !(detail = cJSON_Parse(n->detail)) || !cJSON_IsObject(detail);
  bad = bad || pa_api_add_id(o, "id", n->notice ? "nt" : "n", n->id) ||
        !cJSON_AddStringToObject(o, "kind", n->kind);
  if (!bad) {
    if (actor)
      cJSON_AddItemToObject(o, "actor", actor);
    else
      bad = !cJSON_AddNullToObject(o, "actor");
    actor = NULL;
    bad = bad || add_opt_id(o, "post_id", "p", n->post_id) ||
          add_opt_id(o, "comment_id", "c", n->comment_id);
  }
  if (!bad) {
    if (pet) {
      cJSON_AddItemToObject(o, "pet", pet);
      pet = NULL;
    } else {
      bad = !cJSON_AddNullToObject(o, "pet");
    }
  }
  bad = bad || pa_api_add_time(o, "created_at", n->created_at) ||
        !cJSON_AddBoolToObject(o, "read", n->read);
  if (!bad && detail) {
    cJSON_AddItemToObject(o, "detail", detail);
    detail = NULL;
  }
  cJSON_Delete(actor);
  cJSON_Delete(pet);
  cJSON_Delete(detail);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_notification_fn: appends the notification to the array ctx. */
static int add_notification(void *ctx, const pa_store_notification *n) {
  cJSON *o = notification_json(n);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

void pa_api_notifications_get(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  int64_t count;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) ||
      unread(rq, &count))
    return;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "notifications");
  if (!list ||
      pa_store_notifications_list(rq->db, rq->viewer, has_cursor ? &after : NULL, limit,
                                  add_notification, list, &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next) ||
      !cJSON_AddNumberToObject(root, "unread_count", (double)count)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "notifications");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_notifications_unread(pa_srv_req *rq) { send_unread(rq); }

/* {} marks every notification and notice read; {"up_to": "n_7"} or
 * {"up_to": "nt_3"} those listed at or below that one (older or the same).
 * An id that is not the viewer's is 404 and marks nothing. */
void pa_api_notifications_read(pa_srv_req *rq) {
  static const char *const fields[] = {"up_to", NULL};
  cJSON *body = NULL;
  int64_t up_to = 0;
  int notice = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields)) {
    cJSON_Delete(body);
    return;
  }
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "up_to");
  if (v && !cJSON_IsNull(v)) {
    notice = cJSON_IsString(v) && strncmp(v->valuestring, "nt_", 3) == 0;
    if (!cJSON_IsString(v) || pa_api_parse_id(v->valuestring, notice ? "nt" : "n", &up_to) != 0) {
      cJSON_Delete(body);
      PA_BAD(rq, "up_to must be an id like \"n_1\" or \"nt_1\"");
      return;
    }
  }
  cJSON_Delete(body);
  int rc = pa_store_notifications_mark_read(rq->db, rq->viewer, notice, up_to);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such notification");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "mark notifications read");
    return;
  }
  send_unread(rq);
}
