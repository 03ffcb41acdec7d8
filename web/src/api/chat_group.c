/* pa_srv — group chats over HTTP (web/README.md, "Chat", "Groups"): create,
 * list, read, add and remove members, change roles. The server keeps who is
 * in a group so the relay can route and refuse; the name and the messages
 * live only on the members' devices, which change their own copy only on an
 * admin's control message (core/src/chat/chat.md, "Groups"). So a change
 * made here alone makes no client send to anyone new.
 *
 * Who may do what: a person who is not a member gets 404 for everything
 * (the group's existence is not theirs to learn); a member who is not an
 * admin 403 for adding, removing others and roles; anyone may remove
 * themselves (leave). The last admin leaving or being removed makes the
 * oldest remaining member the admin (the devices apply the same rule); an
 * admin may not step down to member when no other admin is left (409
 * last_admin). A group nobody is left in is deleted. */
#include "store/chat_group.h"

#include "api/chat_group_body.h"
#include "api/chat_relay.h"
#include "clock.h"
#include "store/safety.h"

#include <stdio.h>
#include <string.h>

/* The viewer's role in the path's group (rq->ids[0]) into *role; 0, or -1
 * with 404 (not a member, or no such group) or 500 sent. */
static int viewer_role(pa_srv_req *rq, int *role, int64_t *created_at) {
  int rc = pa_store_chat_group_role(rq->db, rq->ids[0], rq->viewer, role, created_at);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such group");
    return -1;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "group role");
    return -1;
  }
  return 0;
}

/* Reads the body and checks it with check (one of chat_group_body.h's, ctx
 * its output); 0, or -1 with 400 sent. */
static int read_body(pa_srv_req *rq,
                     int (*check)(const cJSON *, void *, char *, size_t, const char **),
                     void *ctx) {
  cJSON *body;
  char err[160];
  const char *field = "";
  if (pa_api_body(rq, &body) != 0) return -1;
  int rc = check(body, ctx, err, sizeof err, &field);
  cJSON_Delete(body);
  if (rc != 0) {
    if (field[0])
      pa_api_field_error(rq, 400, "bad_request", err, field);
    else
      PA_BAD(rq, err);
  }
  return rc;
}

static int check_create(const cJSON *b, void *ctx, char *err, size_t n, const char **field) {
  (void)ctx;
  return pa_group_body_create(b, err, n, field);
}
static int check_member(const cJSON *b, void *ctx, char *err, size_t n, const char **field) {
  return pa_group_body_member(b, ctx, err, n, field);
}
static int check_role(const cJSON *b, void *ctx, char *err, size_t n, const char **field) {
  return pa_group_body_role(b, ctx, err, n, field);
}

void pa_api_chat_group_create(pa_srv_req *rq) {
  int64_t group = 0;
  if (read_body(rq, check_create, NULL) != 0) return;
  if (pa_store_chat_group_create(rq->db, rq->viewer, pa_clock_now(), &group) != PA_STORE_OK) {
    pa_api_internal(rq, "create group");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && pa_api_add_id(root, "id", "g", group)) root = (cJSON_Delete(root), NULL);
  pa_api_json(rq, 201, root);
}

static const char *role_name(int role) { return role == PA_STORE_GROUP_ADMIN ? "admin" : "member"; }

static int add_group(void *ctx, const pa_store_chat_group_row *g) {
  cJSON *o = pa_api_array_add_object(ctx);
  return !o || pa_api_add_id(o, "id", "g", g->id) ||
         !cJSON_AddStringToObject(o, "role", role_name(g->role)) ||
         !cJSON_AddNumberToObject(o, "members", (double)g->members) ||
         !cJSON_AddNumberToObject(o, "last_seq", (double)g->last_seq) ||
         pa_api_add_time(o, "created_at", g->created_at);
}

void pa_api_chat_groups_mine(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject();
  cJSON *list = root ? cJSON_AddArrayToObject(root, "groups") : NULL;
  if (!list) {
    cJSON_Delete(root);
    pa_api_json(rq, 200, NULL);
    return;
  }
  int rc = pa_store_chat_group_mine(rq->db, rq->viewer, PA_GROUP_LIST_MAX, add_group, list);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    if (rc == PA_STORE_EABORT)
      pa_api_json(rq, 200, NULL);
    else
      pa_api_internal(rq, "my groups");
    return;
  }
  pa_api_json(rq, 200, root);
}

static int add_member(void *ctx, const pa_store_chat_group_member *m) {
  cJSON *o = pa_api_array_add_object(ctx);
  return !o || pa_api_add_id(o, "id", "u", m->user) ||
         !cJSON_AddStringToObject(o, "role", role_name(m->role)) ||
         pa_api_add_time(o, "joined_at", m->joined_at);
}

void pa_api_chat_group_get(pa_srv_req *rq) {
  int role = 0;
  int64_t created_at = 0;
  if (viewer_role(rq, &role, &created_at) != 0) return;
  cJSON *root = cJSON_CreateObject();
  cJSON *list = root ? cJSON_AddArrayToObject(root, "members") : NULL;
  if (!list || pa_api_add_id(root, "id", "g", rq->ids[0]) ||
      pa_api_add_time(root, "created_at", created_at)) {
    cJSON_Delete(root);
    pa_api_json(rq, 200, NULL);
    return;
  }
  int rc = pa_store_chat_group_members(rq->db, rq->ids[0], add_member, list);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    if (rc == PA_STORE_EABORT)
      pa_api_json(rq, 200, NULL);
    else
      pa_api_internal(rq, "group members");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* 0 when the viewer is an admin of the path's group; else -1 with 404 or
 * 403 sent. */
static int viewer_admin(pa_srv_req *rq) {
  int role = 0;
  if (viewer_role(rq, &role, NULL) != 0) return -1;
  if (role != PA_STORE_GROUP_ADMIN) {
    PA_FORBIDDEN(rq, "Only the group's admins can do that");
    return -1;
  }
  return 0;
}

void pa_api_chat_group_member_add(pa_srv_req *rq) {
  int64_t user = 0;
  int rel = 0;
  if (viewer_admin(rq) != 0 || read_body(rq, check_member, &user) != 0) return;
  int found = pa_api_standing(rq, user, &rel);
  if (found < 0) return;
  /* Nobody, or in a block with the admin either way: the same answer, so
   * a block is not told apart from an unknown id. */
  if (found == 1 || (rel & (PA_STORE_REL_BLOCKS | PA_STORE_REL_BLOCKED_BY))) {
    pa_api_field_error(rq, 404, "not_found", "No such person", "user");
    return;
  }
  int rc = pa_store_chat_group_add(rq->db, rq->ids[0], user, PA_GROUP_MAX_MEMBERS, pa_clock_now());
  if (rc == PA_STORE_EABORT) {
    char msg[96];
    snprintf(msg, sizeof msg, "A group has at most %d people", PA_GROUP_MAX_MEMBERS);
    pa_api_error(rq, 409, "group_full", msg, NULL);
  } else if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "already_member", "Already in this group", NULL);
  } else if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such group"); /* its last member left meanwhile */
  } else if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "add group member");
  } else {
    pa_api_ok(rq);
  }
}

void pa_api_chat_group_member_remove(pa_srv_req *rq) {
  int role = 0;
  int64_t user = rq->ids[1];
  if (viewer_role(rq, &role, NULL) != 0) return;
  if (user != rq->viewer && role != PA_STORE_GROUP_ADMIN) {
    PA_FORBIDDEN(rq, "Only the group's admins can remove someone else");
    return;
  }
  int rc = pa_store_chat_group_remove(rq->db, rq->ids[0], user);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such member");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "remove group member");
  else
    pa_api_ok(rq);
}

void pa_api_chat_group_member_role(pa_srv_req *rq) {
  int admin = 0;
  if (viewer_admin(rq) != 0 || read_body(rq, check_role, &admin) != 0) return;
  int rc = pa_store_chat_group_set_role(rq->db, rq->ids[0], rq->ids[1],
                                        admin ? PA_STORE_GROUP_ADMIN : PA_STORE_GROUP_MEMBER);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such member");
  else if (rc == PA_STORE_ECONFLICT)
    pa_api_error(rq, 409, "last_admin", "A group needs an admin: make someone else admin first",
                 NULL);
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "group role");
  else
    pa_api_ok(rq);
}
