/* pa_api — the admin console's routes (issue 19): who holds which role,
 * granting and taking roles, and the audit log. The route table allows them
 * to admins only (router.c, F_ADMIN); nothing here checks a role again. Every
 * change is written with its audit row in one transaction (admin.h). */
#include "admin.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "api/moderation.h"
#include "clock.h"
#include "store/admin.h"
#include "store/email.h"

#include <string.h>

/* Adds "roles": [names] of a PA_STORE_ROLE_* mask, in bit order. */
static int add_roles(cJSON *o, int roles) {
  cJSON *a = cJSON_AddArrayToObject(o, "roles");
  for (int i = 0; a && i < PA_STORE_ROLE_COUNT; i++)
    if ((roles & (1 << i)) &&
        !cJSON_AddItemToArray(a, cJSON_CreateString(pa_store_admin_role_name(1 << i))))
      return -1;
  return a ? 0 : -1;
}

int pa_api_add_roles(cJSON *o, int roles) { return add_roles(o, roles); }

/* {"id","name","handle","avatar_url","roles"} */
static cJSON *holder_json(const pa_store_role_holder *h) {
  cJSON *o = pa_api_person_json(&h->person);
  if (!o || !h->handle || !cJSON_AddStringToObject(o, "handle", h->handle) ||
      add_roles(o, h->roles)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_role_holder_fn: appends to the array ctx. */
static int add_holder(void *ctx, const pa_store_role_holder *h) {
  cJSON *o = holder_json(h);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* pa_store_role_holder_fn: keeps the one person found in *ctx. */
static int keep_holder(void *ctx, const pa_store_role_holder *h) {
  return !(*(cJSON **)ctx = holder_json(h));
}

/* GET /admin/roles?role=&limit=&cursor= */
void pa_api_admin_holders(pa_srv_req *rq) {
  char name[PA_STORE_ROLE_NAME_MAX];
  int limit, has_cursor, more = 0, mask = PA_STORE_ROLE_ALL;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  int q = pa_api_query(rq, "role", name, sizeof name);
  if (q < 0) return;
  if (q == 0 && !(mask = pa_store_admin_role_parse(name))) {
    PA_BAD(rq, "role must be admin, moderator, support or finance");
    return;
  }
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "holders");
  if (!list ||
      pa_store_admin_holders(rq->db, mask, has_cursor ? &after : NULL, limit, add_holder, list,
                             &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "role holders");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* GET /admin/people?who=EMAIL|HANDLE (a leading @ is allowed) */
void pa_api_admin_find(pa_srv_req *rq) {
  char who[PA_API_WHO_MAX + 1];
  cJSON *found = NULL;
  int q = pa_api_query(rq, "who", who, sizeof who);
  if (q < 0) return;
  if (q > 0 || !who[0]) {
    PA_BAD(rq, "who must be an email or a handle");
    return;
  }
  int rc = pa_store_admin_find(rq->db, who[0] == '@' ? who + 1 : who, keep_holder, &found);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "Nobody has that email or handle");
    return;
  }
  if (rc != PA_STORE_OK) {
    cJSON_Delete(found);
    pa_api_internal(rq, "find a person");
    return;
  }
  pa_api_json(rq, 200, found);
}

/* Answers the person rq->ids[0] as holder_json, 404 when there is none. */
static void send_person(pa_srv_req *rq) {
  cJSON *found = NULL;
  int rc = pa_store_admin_person(rq->db, rq->ids[0], keep_holder, &found);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such person");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "person's roles");
  else
    pa_api_json(rq, 200, found);
  if (rc != PA_STORE_OK) cJSON_Delete(found);
}

/* The role the path names into *role; 0, or -1 with 400 sent. */
static int path_role(pa_srv_req *rq, int *role) {
  if ((*role = pa_store_admin_role_parse(rq->word))) return 0;
  PA_BAD(rq, "The role must be admin, moderator, support or finance");
  return -1;
}

/* 0 when rq->ids[0] is a person; else -1 with 404 (or 500) sent. */
static int person_exists(pa_srv_req *rq) {
  cJSON *found = NULL;
  int rc = pa_store_admin_person(rq->db, rq->ids[0], keep_holder, &found);
  cJSON_Delete(found);
  if (rc == PA_STORE_OK) return 0;
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such person");
  else
    pa_api_internal(rq, "person");
  return -1;
}

/* PUT /admin/users/{u}/roles/{role}: idempotent; audited when it changes anything. */
void pa_api_admin_grant(pa_srv_req *rq) {
  int role;
  if (path_role(rq, &role) || person_exists(rq)) return;
  if (pa_admin_grant(rq->db, rq->viewer, rq->ids[0], role, pa_clock_now(), NULL) != PA_STORE_OK) {
    pa_api_internal(rq, "grant role");
    return;
  }
  /* A support socket's frames follow the roles it opened with (api/chat_relay.h). */
  pa_support_roles_changed(rq->srv, rq->ids[0]);
  send_person(rq);
}

/* DELETE /admin/users/{u}/roles/{role}: idempotent; audited when it changes
 * anything. The last admin keeps the role: taken from the only holder
 * (themselves, since only admins get here), nobody could open the console
 * again, grant it back or read the audit log, and the way back would be a
 * shell on the server (`petamigos-server admin grant`). So one admin must
 * first make another. */
void pa_api_admin_revoke(pa_srv_req *rq) {
  int role;
  if (path_role(rq, &role) || person_exists(rq)) return;
  int rc = pa_admin_revoke(rq->db, rq->viewer, rq->ids[0], role, 1, pa_clock_now(), NULL);
  if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "conflict",
                 "The last admin keeps the role; make someone else an admin first", NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "revoke role");
    return;
  }
  pa_support_roles_changed(rq->srv, rq->ids[0]);
  send_person(rq);
}

/* {"id","handle","name","tombstone"} of a person in the audit log: id,
 * handle and name null once their account is gone. */
static cJSON *audit_person(const pa_store_person *p, const char *handle, const char *tombstone) {
  cJSON *o = cJSON_CreateObject();
  int bad = !o;
  if (!bad && p->id)
    bad = pa_api_add_id(o, "id", "u", p->id) || !cJSON_AddStringToObject(o, "handle", handle) ||
          !cJSON_AddStringToObject(o, "name", p->name);
  else if (!bad)
    bad = !cJSON_AddNullToObject(o, "id") || !cJSON_AddNullToObject(o, "handle") ||
          !cJSON_AddNullToObject(o, "name");
  if (bad || !cJSON_AddStringToObject(o, "tombstone", tombstone)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static cJSON *audit_json(const pa_store_audit_row *r) {
  cJSON *o = cJSON_CreateObject(), *actor = NULL, *target = NULL, *detail = NULL, *who = NULL;
  int bad = !o || !r->action || !r->target_kind || !r->detail;
  bad = bad || pa_api_add_id(o, "id", "al", r->id) || pa_api_add_time(o, "at", r->at);
  /* The command line has no party: its rows say actor null. */
  if (!bad && r->actor_tombstone[0]) {
    actor = audit_person(&r->actor, r->actor_handle ? r->actor_handle : "", r->actor_tombstone);
    if (!actor || !cJSON_AddItemToObject(o, "actor", actor)) {
      cJSON_Delete(actor);
      bad = 1;
    }
  } else if (!bad) {
    bad = !cJSON_AddNullToObject(o, "actor");
  }
  bad = bad || !cJSON_AddStringToObject(o, "action", r->action) ||
        !(target = cJSON_AddObjectToObject(o, "target")) ||
        !cJSON_AddStringToObject(target, "kind", r->target_kind);
  if (!bad && strcmp(r->target_kind, "person") == 0) {
    bad = r->target_id ? pa_api_add_id(target, "id", "u", r->target_id)
                       : !cJSON_AddNullToObject(target, "id");
    who = bad ? NULL
              : audit_person(&r->target, r->target_handle ? r->target_handle : "",
                             r->target_tombstone);
    if (!bad && (!who || !cJSON_AddItemToObject(target, "person", who))) {
      cJSON_Delete(who);
      bad = 1;
    }
  } else if (!bad) {
    /* Another kind of item (a moderation action's): its id with the prefix
     * the moderation registry gives the kind. */
    const pa_mod_kind *k = pa_mod_kind_find(r->target_kind);
    bad = k ? pa_api_add_id(target, "id", k->prefix, r->target_id) : 0;
  }
  /* The detail is the server's own JSON object (admin.c), parsed back to nest it. */
  if (!bad) {
    detail = cJSON_Parse(r->detail);
    if (!cJSON_IsObject(detail) || !cJSON_AddItemToObject(o, "detail", detail)) {
      cJSON_Delete(detail);
      bad = 1;
    }
  }
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_audit_fn: appends to the array ctx. */
static int add_audit(void *ctx, const pa_store_audit_row *r) {
  cJSON *o = audit_json(r);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* GET /admin/audit?limit=&cursor= newest first */
void pa_api_admin_audit(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "entries");
  if (!list ||
      pa_store_admin_audit_list(rq->db, has_cursor ? &after : NULL, limit, add_audit, list, &next,
                                &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "audit log");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* An outbox message (pa_store_outbox_fn; ctx is the array). */
static int add_outbox(void *ctx, const pa_store_outbox_msg *m) {
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_id(o, "id", "mail", m->id) ||
            pa_api_add_time(o, "created_at", m->created_at) ||
            !cJSON_AddStringToObject(o, "kind", m->kind) ||
            !cJSON_AddStringToObject(o, "to", m->to) ||
            !cJSON_AddStringToObject(o, "subject", m->subject) ||
            !cJSON_AddStringToObject(o, "body", m->body) ||
            !cJSON_AddStringToObject(o, "status", m->status) || !cJSON_AddItemToArray(ctx, o);
  if (bad) cJSON_Delete(o);
  return bad ? -1 : 0;
}

/* GET /admin/outbox?limit=&cursor= newest first (admins and support: the
 * embedded mail service's messages, links included, so a person without
 * working e-mail can be helped). */
void pa_api_admin_outbox(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "messages");
  if (!list ||
      pa_store_email_outbox_list(rq->db, has_cursor ? &after : NULL, limit, add_outbox, list, &next,
                                 &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "outbox");
    return;
  }
  pa_api_json(rq, 200, root);
}
