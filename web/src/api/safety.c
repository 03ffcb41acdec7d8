/* pa_api — blocks, mutes, private accounts and follow requests (issue 19;
 * web/README.md, "Blocks, mutes and private accounts"). The listings keep
 * blocked and private rows out in their SQL (store/sql/visible.h); the
 * handlers here and pa_api_standing guard the single-item routes. */
#include "store/safety.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "clock.h"
#include "store/notifications.h"

int pa_api_standing(pa_srv_req *rq, int64_t person, int *rel) {
  int rc = pa_store_safety_relation(rq->db, rq->viewer, person, rel);
  if (rc == PA_STORE_ENOTFOUND) return 1;
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "standing");
    return -1;
  }
  return 0;
}

int pa_api_sees_posts(pa_srv_req *rq, int64_t author) {
  int rel = 0, rc = pa_api_standing(rq, author, &rel);
  if (rc < 0) return -1;
  return rc == 0 && pa_store_safety_sees_posts(rel);
}

/* {"blocked"|"muted": on} */
static void answer_flag(pa_srv_req *rq, const char *key, int on) {
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddBoolToObject(root, key, on)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* PUT (on) or DELETE the viewer's block or mute of the path's person. */
static void set(pa_srv_req *rq, pa_store_safety_kind kind, int on) {
  const int block = kind == PA_STORE_SAFETY_BLOCK;
  const int64_t max = block ? PA_STORE_BLOCKS_MAX : PA_STORE_MUTES_MAX;
  int rel = 0, found = pa_api_standing(rq, rq->ids[0], &rel);
  if (found < 0) return;
  /* Someone who blocked the viewer is absent to them, here too. */
  if (found || (rel & PA_STORE_REL_BLOCKED_BY && !(rel & PA_STORE_REL_BLOCKS) && !block)) {
    PA_NOT_FOUND(rq, "No such user");
    return;
  }
  if (rel & PA_STORE_REL_SELF) {
    PA_BAD(rq, block ? "You cannot block yourself" : "You cannot mute yourself");
    return;
  }
  int already = rel & (block ? PA_STORE_REL_BLOCKS : PA_STORE_REL_MUTES);
  if (!on || already) {
    if (!on && pa_store_safety_remove(rq->db, kind, rq->viewer, rq->ids[0]) != PA_STORE_OK) {
      pa_api_internal(rq, block ? "unblock" : "unmute");
      return;
    }
    if (!on && block) pa_chat_blocks_changed(rq->srv);
    answer_flag(rq, block ? "blocked" : "muted", on);
    return;
  }
  int64_t n = 0;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, block ? "block" : "mute");
    return;
  }
  int rc = pa_store_safety_count(rq->db, kind, rq->viewer, &n);
  if (rc == PA_STORE_OK && n >= max) {
    pa_store_rollback(rq->db);
    pa_api_error(rq, 409, "limit_reached",
                 block ? "You have blocked as many people as one account may; unblock someone first"
                       : "You have muted as many people as one account may; unmute someone first",
                 NULL);
    return;
  }
  if (rc == PA_STORE_OK)
    rc = pa_store_safety_add(rq->db, kind, rq->viewer, rq->ids[0], pa_clock_now());
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) {
    pa_api_internal(rq, block ? "block" : "mute");
    return;
  }
  if (block) pa_chat_blocks_changed(rq->srv);
  answer_flag(rq, block ? "blocked" : "muted", 1);
}

void pa_api_block_put(pa_srv_req *rq) { set(rq, PA_STORE_SAFETY_BLOCK, 1); }
void pa_api_block_delete(pa_srv_req *rq) { set(rq, PA_STORE_SAFETY_BLOCK, 0); }
void pa_api_mute_put(pa_srv_req *rq) { set(rq, PA_STORE_SAFETY_MUTE, 1); }
void pa_api_mute_delete(pa_srv_req *rq) { set(rq, PA_STORE_SAFETY_MUTE, 0); }

static int append_person(void *ctx, const pa_store_person *p) {
  cJSON *o = pa_api_person_json(p);
  if (o && cJSON_AddItemToArray(ctx, o)) return 0;
  cJSON_Delete(o);
  return -1;
}

/* A page of the viewer's blocked (kind) or muted people, or of the people
 * asking to follow them (requests 1). */
static void people_page(pa_srv_req *rq, pa_store_safety_kind kind, int requests) {
  int limit, has_cursor, more = 0, rc;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "users");
  const pa_store_cursor *from = has_cursor ? &after : NULL;
  if (!list)
    rc = PA_STORE_ENOMEM;
  else if (requests)
    rc = pa_store_safety_requests(rq->db, rq->viewer, from, limit, append_person, list, &next,
                                  &more);
  else
    rc = pa_store_safety_list(rq->db, kind, rq->viewer, from, limit, append_person, list, &next,
                              &more);
  if (rc != PA_STORE_OK || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "people");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_my_blocked(pa_srv_req *rq) { people_page(rq, PA_STORE_SAFETY_BLOCK, 0); }
void pa_api_my_muted(pa_srv_req *rq) { people_page(rq, PA_STORE_SAFETY_MUTE, 0); }
void pa_api_my_follow_requests(pa_srv_req *rq) { people_page(rq, PA_STORE_SAFETY_BLOCK, 1); }

/* PUT (accept) or DELETE (decline) the path's person's request to follow
 * the viewer. */
static void answer_request(pa_srv_req *rq, int accept) {
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_safety_request_answer(rq->db, rq->viewer, rq->ids[0], accept, pa_clock_now());
  if (rc == PA_STORE_OK && accept) rc = pa_api_notice(rq, rq->ids[0], "follow_accepted");
  if (rc == PA_STORE_ENOTFOUND) {
    pa_store_rollback(rq->db);
    PA_NOT_FOUND(rq, "No request to follow you from this person");
    return;
  }
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) {
    pa_api_internal(rq, "follow request");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddBoolToObject(root, "follower", accept)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_follow_request_accept(pa_srv_req *rq) { answer_request(rq, 1); }
void pa_api_follow_request_decline(pa_srv_req *rq) { answer_request(rq, 0); }

int pa_api_notice(pa_srv_req *rq, int64_t user, const char *kind) {
  pa_store_notice_new n = {.user = user, .kind = kind, .actor = rq->viewer, .at = pa_clock_now()};
  return pa_store_notifications_add_notice(rq->db, &n, NULL);
}
