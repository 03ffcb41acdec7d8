/* pa_api — reports and the moderation routes (issue 19; web/README.md,
 * "Moderation"). Anyone signed in reports a post, a comment, a person or a
 * chat message; moderators (and admins: the route table's F_MOD | F_ADMIN)
 * read the queue, an item in context, and act on it. Each action, its
 * closing of the item's reports, the notices to the person and to the
 * reporters, and its audit row are one transaction. The kinds of items are
 * a registry (api/moderation.h, api/mod_kinds.c). */
#include "api/moderation.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "api/mod_body.h"
#include "clock.h"
#include "store/admin.h"
#include "store/moderation.h"
#include "store/notifications.h"
#include "store/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  PA_MOD_REPORTS_SHOWN = 50 /* reports listed with an item */
};

_Static_assert((int)PA_MOD_BODY_TEXT_MAX == (int)PA_STORE_REPORT_TEXT_MAX &&
                   (int)PA_MOD_BODY_MESSAGE_MAX == (int)PA_STORE_REPORT_MESSAGE_MAX,
               "the body's limits are the schema's");
/* What the person is told carries the note: at most 4 bytes a character
 * (JSON escapes of the newlines and tabs it may hold take 2), with room for
 * the other members, within a notice's detail. */
_Static_assert(4 * (int)PA_MOD_BODY_NOTE_MAX + 200 <= (int)PA_STORE_NOTICE_DETAIL_MAX,
               "a note fits a notice");

/* 400 with the body checker's message and field. */
static void bad_body(pa_srv_req *rq, const char *msg, const char *field) {
  if (field)
    pa_api_field_error(rq, 400, "bad_request", msg, field);
  else
    PA_BAD(rq, msg);
}

/* pa_mod_prefix_fn over the registry. */
static const char *kind_prefix(const char *kind) {
  const pa_mod_kind *k = pa_mod_kind_find(kind);
  return k ? k->prefix : NULL;
}

/* ---- POST /api/v1/reports */

/* The selected chat messages as the report stores them: a JSON array of
 * {id, from, at, text}, written here from the checked body (so the
 * moderator's view reads only what the server wrote). Freed with cJSON_free. */
static char *messages_json(const pa_mod_report_body *b) {
  cJSON *list = cJSON_CreateArray();
  for (int i = 0; list && i < b->n_messages; i++) {
    const pa_mod_report_message *m = &b->messages[i];
    cJSON *o = cJSON_CreateObject();
    if (!o) {
      cJSON_Delete(list);
      return NULL;
    }
    cJSON_AddItemToArray(list, o); /* list owns o from here */
    if (pa_api_add_id(o, "id", "cm", m->id) || pa_api_add_id(o, "from", "u", m->from) ||
        !cJSON_AddStringToObject(o, "at", m->at) || !cJSON_AddStringToObject(o, "text", m->text)) {
      cJSON_Delete(list);
      return NULL;
    }
  }
  char *text = list ? cJSON_PrintUnformatted(list) : NULL;
  cJSON_Delete(list);
  return text;
}

void pa_api_report_create(pa_srv_req *rq) {
  char *messages = NULL;
  char msg[160];
  const char *field;
  int64_t subject = 0, id = 0;
  pa_mod_report_body b;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_mod_body_report(body, kind_prefix, &b, msg, sizeof msg, &field)) {
    bad_body(rq, msg, field);
    goto out;
  }
  const pa_mod_kind *k = pa_mod_kind_find(b.kind);
  const int chat = strcmp(k->name, "message") == 0;
  int rc = k->subject(rq->db, b.item, rq->viewer, b.from, &subject);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, chat ? "No conversation with that person" : "Nothing to report there");
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "report");
    goto out;
  }
  if (subject == rq->viewer) {
    pa_api_error(rq, 400, "own_item", "You cannot report your own", NULL);
    goto out;
  }
  /* Selected chat messages come from the two people of the conversation:
   * the one reported, or the reporter (context). */
  for (int i = 0; i < b.n_messages; i++)
    if (b.messages[i].from != b.from && b.messages[i].from != rq->viewer) {
      pa_api_error(rq, 400, "bad_request",
                   "messages must come from the reported person or from you", "messages");
      goto out;
    }
  /* Charged once the report is valid: a rejected one costs nothing. */
  if (pa_api_limited(rq, PA_LIMIT_REPORT, NULL)) goto out;
  if (b.n_messages && !(messages = messages_json(&b))) {
    pa_api_internal(rq, "report");
    goto out;
  }
  pa_store_report_new r = {rq->viewer, k->name,   b.item,         subject, b.reason,
                           b.text,     b.message, pa_clock_now(), messages};
  rc = pa_store_moderation_report_add(rq->db, &r, &id);
  if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "already_reported",
                 "You reported this already; a moderator will look at it", NULL);
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "report");
    goto out;
  }
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "rep", id) || !cJSON_AddStringToObject(o, "kind", k->name) ||
      !cJSON_AddStringToObject(o, "item_id", b.id) ||
      !cJSON_AddStringToObject(o, "reason", b.reason) || pa_api_add_time(o, "created_at", r.at)) {
    cJSON_Delete(o);
    pa_api_internal(rq, "report");
    goto out;
  }
  pa_api_json(rq, 201, o);
out:
  cJSON_free(messages);
  cJSON_Delete(body);
}

/* ---- GET /api/v1/mod/queue */

static int add_group(void *ctx, const pa_store_moderation_group *g) {
  const pa_mod_kind *k = pa_mod_kind_find(g->kind);
  cJSON *o = cJSON_CreateObject(), *subject = pa_api_person_json(&g->subject_person);
  int bad = !k || !o || !subject || !cJSON_AddItemToArray(ctx, o);
  if (bad) {
    cJSON_Delete(o);
    cJSON_Delete(subject);
    return -1;
  }
  if (!cJSON_AddStringToObject(subject, "handle", g->subject_handle ? g->subject_handle : "") ||
      !cJSON_AddItemToObject(o, "subject", subject)) {
    cJSON_Delete(subject);
    return -1;
  }
  return !cJSON_AddStringToObject(o, "kind", g->kind) ||
                 pa_api_add_id(o, "id", k->prefix, g->item) ||
                 !cJSON_AddNumberToObject(o, "report_count", (double)g->count) ||
                 pa_api_add_time(o, "first_reported_at", g->first_at)
             ? -1
             : 0;
}

void pa_api_mod_queue(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "items");
  if (!list ||
      pa_store_moderation_queue(rq->db, has_cursor ? &after : NULL, limit, add_group, list, &next,
                                &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "moderation queue");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* ---- the item a path names */

/* The kind and id of /mod/items/{kind}/{id}: the id's prefix must be the
 * kind's. 0, or -1 with 404 sent. */
static int path_item(pa_srv_req *rq, const pa_mod_kind **k, int64_t *id) {
  char want[64];
  *k = pa_mod_kind_find(rq->word);
  *id = rq->ids[0];
  if (*k) {
    int n = snprintf(want, sizeof want, "/api/v1/mod/items/%s/%s_%lld", (*k)->name, (*k)->prefix,
                     (long long)*id);
    if (n > 0 && (size_t)n < sizeof want && strncmp(rq->path, want, (size_t)n) == 0 &&
        (rq->path[n] == '\0' || rq->path[n] == '/'))
      return 0;
  }
  PA_NOT_FOUND(rq, "No such item: the kinds are post, comment, person, message, reel, story, "
                   "listing, review and dispute");
  return -1;
}

static int add_report(void *ctx, const pa_store_report *r) {
  cJSON *o = cJSON_CreateObject(), *who = pa_api_person_json(&r->reporter);
  if (!o || !who || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    cJSON_Delete(who);
    return -1;
  }
  if (!cJSON_AddStringToObject(who, "handle", r->reporter_handle ? r->reporter_handle : "") ||
      !cJSON_AddItemToObject(o, "reporter", who)) {
    cJSON_Delete(who);
    return -1;
  }
  int bad = pa_api_add_id(o, "id", "rep", r->id) || pa_api_add_time(o, "created_at", r->at) ||
            !cJSON_AddStringToObject(o, "reason", r->reason) ||
            !cJSON_AddStringToObject(o, "text", r->text ? r->text : "");
  bad = bad || (r->message ? !cJSON_AddStringToObject(o, "message", r->message)
                           : !cJSON_AddNullToObject(o, "message"));
  bad = bad || (r->outcome ? !cJSON_AddStringToObject(o, "outcome", r->outcome)
                           : !cJSON_AddNullToObject(o, "outcome"));
  /* The chat messages the reporter selected (schema 36): the array the
   * server wrote, or empty for reports of other kinds and older ones. */
  cJSON *messages = r->messages ? cJSON_Parse(r->messages) : cJSON_CreateArray();
  if (!cJSON_IsArray(messages)) {
    cJSON_Delete(messages);
    messages = cJSON_CreateArray();
  }
  if (!messages) return -1;
  cJSON_AddItemToObject(o, "messages", messages); /* o (in ctx's array) owns it now */
  return bad ? -1 : 0;
}

/* {"kind","id","state","actions",<kind>:{…},"reports":[…]} */
static cJSON *item_json(pa_srv_req *rq, const pa_mod_kind *k, int64_t id, int *rc) {
  const char *state = "shown";
  cJSON *o = cJSON_CreateObject(), *actions, *reports;
  *rc = PA_STORE_ENOMEM;
  if (!o || !cJSON_AddStringToObject(o, "kind", k->name) || pa_api_add_id(o, "id", k->prefix, id) ||
      !(actions = cJSON_AddArrayToObject(o, "actions")))
    goto fail;
  for (int i = 0; i < PA_MOD_ACTIONS; i++)
    if ((k->actions & (1 << i)) &&
        !cJSON_AddItemToArray(actions, cJSON_CreateString(pa_mod_action_name(1 << i))))
      goto fail;
  if ((*rc = k->context(rq->db, id, o, &state)) != PA_STORE_OK) goto fail;
  *rc = PA_STORE_ENOMEM;
  if (!cJSON_AddStringToObject(o, "state", state) ||
      !(reports = cJSON_AddArrayToObject(o, "reports")))
    goto fail;
  if ((*rc = pa_store_moderation_reports(rq->db, k->name, id, PA_MOD_REPORTS_SHOWN, add_report,
                                         reports)) != PA_STORE_OK)
    goto fail;
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

/* Answers the item as item_json, 404 when there is none. */
static void send_item(pa_srv_req *rq, const pa_mod_kind *k, int64_t id, int status) {
  int rc;
  cJSON *o = item_json(rq, k, id, &rc);
  if (o)
    pa_api_json(rq, status, o);
  else if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such item");
  else
    pa_api_internal(rq, "moderation item");
}

void pa_api_mod_item(pa_srv_req *rq) {
  const pa_mod_kind *k;
  int64_t id;
  if (path_item(rq, &k, &id)) return;
  send_item(rq, k, id, 200);
}

/* ---- POST /api/v1/mod/items/{kind}/{id}/actions */

/* The notices an action leaves, written in its transaction. */
typedef struct notify_ctx {
  pa_store *db;
  int64_t post, at;
  const char *detail;
  int rc;
  int count;
} notify_ctx;

/* The notice (kind moderation, store/notifications.h) to user: the item's
 * post when it is one, and no actor — moderators act for the service, and
 * naming one would invite pressure on them; the audit log keeps who. */
static int notify(pa_store *db, int64_t user, int64_t post, const char *detail, int64_t at) {
  pa_store_notice_new n = {user, "moderation", 0, post, 0, detail, at};
  return pa_store_notifications_add_notice(db, &n, NULL);
}

/* pa_store_moderation_close's callback: tells each reporter. */
static int tell_reporter(void *ctx, int64_t reporter) {
  notify_ctx *n = ctx;
  n->count++;
  if (n->detail && n->rc == PA_STORE_OK) n->rc = notify(n->db, reporter, n->post, n->detail, n->at);
  return n->rc == PA_STORE_OK ? 0 : -1;
}

/* The JSON text of o into out (cap bytes); 0, or -1 when it does not fit. */
static int print_into(cJSON *o, char *out, size_t cap) {
  return o && cJSON_PrintPreallocated(o, out, (int)cap, 0) ? 0 : -1;
}

void pa_api_mod_action(pa_srv_req *rq) {
  const pa_mod_kind *k;
  const char *field;
  int64_t id, subject = 0;
  char msg[160], item_text[48], subject_text[32], detail[PA_STORE_AUDIT_DETAIL_MAX + 1],
      told[PA_STORE_AUDIT_DETAIL_MAX + 1], reporters_told[256], audit_action[32];
  pa_mod_action_body ab;
  cJSON *body = NULL, *d = NULL, *t = NULL, *rt = NULL;
  if (path_item(rq, &k, &id) || pa_api_body(rq, &body) != 0) return;
  if (pa_mod_body_action(body, &ab, msg, sizeof msg, &field)) {
    bad_body(rq, msg, field);
    goto out;
  }
  const int action = ab.action;
  const char *action_name = ab.name, *note = ab.note;
  const int64_t days = ab.days;
  if (!(k->actions & action)) {
    snprintf(msg, sizeof msg, "action %s does not apply to a %s (see actions)", action_name,
             k->name);
    pa_api_field_error(rq, 400, "bad_request", msg, "action");
    goto out;
  }
  int rc = k->owner(rq->db, id, &subject);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such item");
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "moderation action");
    goto out;
  }
  /* Nobody judges their own case: another moderator acts on it. */
  if (subject == rq->viewer) {
    pa_api_error(rq, 400, "own_item", "Another moderator must act on your own items or account",
                 NULL);
    goto out;
  }
  const int64_t now = pa_clock_now();
  const int on_item = (action & (PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE)) && k->apply;
  snprintf(item_text, sizeof item_text, "%s_%lld", k->prefix, (long long)id);
  snprintf(subject_text, sizeof subject_text, "u_%lld", (long long)subject);
  snprintf(audit_action, sizeof audit_action, "mod.%s", action_name);
  /* What the person is told, the audit row's detail and what reporters are
   * told: the server's own JSON, the note escaped by cJSON. */
  d = cJSON_CreateObject();
  t = cJSON_CreateObject();
  rt = cJSON_CreateObject();
  int bad = !d || !t || !rt || !cJSON_AddStringToObject(d, "kind", k->name) ||
            !cJSON_AddStringToObject(d, "id", item_text) ||
            !cJSON_AddStringToObject(d, "subject", subject_text) ||
            (note && !cJSON_AddStringToObject(d, "note", note)) ||
            (days && !cJSON_AddNumberToObject(d, "days", (double)days)) ||
            !cJSON_AddStringToObject(t, "action", action_name) ||
            !cJSON_AddStringToObject(t, "kind", k->name) ||
            !cJSON_AddStringToObject(t, "id", item_text) ||
            (note && !cJSON_AddStringToObject(t, "note", note)) ||
            (days && pa_api_add_time(t, "until", now + days * 86400)) ||
            !cJSON_AddStringToObject(rt, "report", "acted") ||
            !cJSON_AddStringToObject(rt, "action", action_name) ||
            !cJSON_AddStringToObject(rt, "kind", k->name) ||
            !cJSON_AddStringToObject(rt, "id", item_text) || print_into(t, told, sizeof told) ||
            print_into(rt, reporters_told, sizeof reporters_told);
  if (bad) {
    pa_api_internal(rq, "moderation action");
    goto out;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "moderation action");
    goto out;
  }
  pa_store_moderation_person_state was = {0, 0};
  rc = PA_STORE_OK;
  if (on_item) {
    rc = k->apply(rq->db, id, action);
  } else if (action != PA_MOD_WARN) {
    rc = pa_store_moderation_person_get(rq->db, subject, &was);
    int64_t until = action == PA_MOD_SUSPEND ? now + days * 86400
                    : action == PA_MOD_BAN   ? was.suspended_until
                                             : 0;
    int64_t banned = action == PA_MOD_BAN ? (was.banned_at ? was.banned_at : now) : 0;
    if (rc == PA_STORE_OK && action == PA_MOD_SUSPEND && was.banned_at) rc = PA_STORE_ECONFLICT;
    if (rc == PA_STORE_OK) rc = pa_store_moderation_person_set(rq->db, subject, until, banned);
    /* Suspended or banned: every session ends now (the chat sockets after the commit). */
    if (rc == PA_STORE_OK && action != PA_MOD_RESTORE)
      rc = pa_store_sessions_delete_user(rq->db, subject, 0);
  }
  /* Restoring is no verdict on a report: its reporters are not told. */
  const int64_t post = strcmp(k->name, "post") == 0 ? id : 0;
  notify_ctx n = {rq->db,      post, now, action == PA_MOD_RESTORE ? NULL : reporters_told,
                  PA_STORE_OK, 0};
  if (rc == PA_STORE_OK) {
    rc = pa_store_moderation_close(rq->db, k->name, id, action_name, now, tell_reporter, &n);
    if (rc == PA_STORE_EABORT) rc = n.rc;
  }
  if (rc == PA_STORE_OK) rc = notify(rq->db, subject, post, told, now);
  if (rc == PA_STORE_OK) {
    bad = !cJSON_AddNumberToObject(d, "reports_closed", n.count) ||
          print_into(d, detail, sizeof detail);
    /* A person's rows name their party (store/admin.h); an item's its id. */
    pa_store_audit_new a = {now,          rq->viewer,
                            audit_action, strcmp(k->name, "person") == 0 ? "person" : k->name,
                            id,           detail};
    rc = bad ? PA_STORE_ENOMEM : pa_store_admin_audit(rq->db, &a);
  }
  int end = pa_store_end(rq->db, rc == PA_STORE_OK);
  if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "conflict",
                 action == PA_MOD_SUSPEND ? "The person is banned already"
                                          : "A removed item's photos or video are gone: it "
                                            "cannot be hidden or shown again",
                 NULL);
    goto out;
  }
  if (rc != PA_STORE_OK || end != PA_STORE_OK) {
    pa_api_internal(rq, "moderation action");
    goto out;
  }
  if (action == PA_MOD_SUSPEND || action == PA_MOD_BAN) pa_chat_revoke(rq->srv, subject, 0, 0);
  if (on_item && action == PA_MOD_REMOVE) pa_api_media_gc(rq->db, rq->srv->media);
  send_item(rq, k, id, 200);
out:
  cJSON_Delete(d);
  cJSON_Delete(t);
  cJSON_Delete(rt);
  cJSON_Delete(body);
}
