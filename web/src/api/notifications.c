/* pa_api — notifications: likes, comments, replies and follows of the viewer's
 * posts, pets and person, and the viewer's billing notices among them. The
 * store writes them beside the actions themselves (store/notifications.h);
 * this file lists them, counts the unread ones and marks them read. */
#include "store/notifications.h"

#include "api/api.h"
#include "clock.h"

#include <stdint.h>
#include <string.h>

/* The viewer's unread count into *out; 0, or -1 with 500 sent. */
static int unread(pa_srv_req *rq, int64_t *out) {
  /* The viewer's own health reminders first, so a vaccination that came due
   * is counted now rather than at the next chores round (a failure is
   * logged there and retried next time: the list still answers). */
  pa_api_health_remind(rq->db, pa_clock_now(), rq->viewer);
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

/* A billing notice (id "bn_N", kind billing_…) links to the Billing screen
 * and names nobody: its actor, post, comment and pet are null. */
static cJSON *notification_json(const pa_store_notification *n) {
  cJSON *o = cJSON_CreateObject(), *actor = NULL, *pet = NULL;
  int bad = !o || !n->kind;
  if (!bad && !n->billing) bad = !(actor = pa_api_person_json(&n->actor));
  if (!bad && n->pet.id) bad = !(pet = pa_api_pet_ref_json(&n->pet));
  bad = bad || pa_api_add_id(o, "id", n->billing ? "bn" : "n", n->id) ||
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
  cJSON_Delete(actor);
  cJSON_Delete(pet);
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

/* {} marks every notification read; {"up_to": "n_7"} those up to that id. */
void pa_api_notifications_read(pa_srv_req *rq) {
  static const char *const fields[] = {"up_to", NULL};
  cJSON *body = NULL;
  int64_t up_to = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_id(rq, body, "up_to", "n", 0, &up_to)) {
    cJSON_Delete(body);
    return;
  }
  cJSON_Delete(body);
  if (pa_store_notifications_mark_read(rq->db, rq->viewer, up_to) != PA_STORE_OK) {
    pa_api_internal(rq, "mark notifications read");
    return;
  }
  send_unread(rq);
}
