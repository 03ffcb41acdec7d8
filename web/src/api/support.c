/* pa_api — support conversations (api/support.h; web/README.md "Support").
 * Handlers read and check the request, write through store/support.h in one
 * transaction, answer, and then tell the support sockets: the person's
 * (never a note) and every agent's (notes too). A reply that finds none of
 * the person's sockets open leaves them a notice (kind support_reply). */
#include "api/support.h"

#include "api/chat_relay.h"
#include "chatwoot/mirror.h"
#include "clock.h"
#include "log.h"
#include "store/admin.h"
#include "store/chatwoot.h"
#include "store/notifications.h"
#include "store/support.h"
#include "support_rules.h"

#include <stdio.h>
#include <string.h>

enum {
  QUEUE_PAGE_MAX = 100, /* conversations per page of the agents' queue */
  QUEUE_PAGE_DEFAULT = 50,
  NEW_MESSAGES_MAX = PA_SUPPORT_TRANSCRIPT_MAX + 1 /* written by one request */
};

/* ---- reading a conversation into the JSON each side sees */

enum { VIEW_PERSON = 1, VIEW_ITEM = 2, VIEW_AGENT = 4 };

typedef struct conv_view {
  int want; /* VIEW_* bits: which objects to build */
  int64_t user_id, assignee_id;
  char state[16];
  int can_rate;
  cJSON *person; /* the person's view (messages added by the caller) */
  cJSON *item;   /* the agents' list item */
  cJSON *agent;  /* the agents' view (messages added by the caller) */
} conv_view;

static void view_free(conv_view *v) {
  cJSON_Delete(v->person);
  cJSON_Delete(v->item);
  cJSON_Delete(v->agent);
  v->person = v->item = v->agent = NULL;
}

/* {"id","name","plus"}: plus is the person's Plus when they last wrote,
 * the queue's order. */
static cJSON *person_ref(const pa_store_support_conv *c) {
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "u", c->user_id) ||
      !cJSON_AddStringToObject(o, "name", c->person_name ? c->person_name : "") ||
      !cJSON_AddBoolToObject(o, "plus", c->plus)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The agents' list item: {"id","state","subject","person","assignee",
 * "updated_at","last_person_at","snoozed_until"?}. */
static cJSON *item_json(const pa_store_support_conv *c) {
  cJSON *o = cJSON_CreateObject(), *person = person_ref(c), *assignee = NULL;
  int bad = !o || !person;
  if (!bad && c->assignee_id) {
    assignee = cJSON_CreateObject();
    bad = !assignee || pa_api_add_id(assignee, "id", "u", c->assignee_id) ||
          !cJSON_AddStringToObject(assignee, "name", c->assignee_name ? c->assignee_name : "");
  }
  bad = bad || pa_api_add_id(o, "id", "sc", c->id) ||
        !cJSON_AddStringToObject(o, "state", c->state) ||
        !cJSON_AddStringToObject(o, "subject", c->subject);
  if (!bad) {
    cJSON_AddItemToObject(o, "person", person);
    person = NULL;
    if (assignee)
      cJSON_AddItemToObject(o, "assignee", assignee);
    else
      bad = !cJSON_AddNullToObject(o, "assignee");
    assignee = NULL;
  }
  bad = bad || pa_api_add_time(o, "updated_at", c->updated_at) ||
        pa_api_add_time(o, "last_person_at", c->last_person_at) ||
        (c->snoozed_until && pa_api_add_time(o, "snoozed_until", c->snoozed_until));
  cJSON_Delete(person);
  cJSON_Delete(assignee);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The person's view: {"id","state","subject","created_at","updated_at",
 * "assignee_name"?,"rating"?,"can_rate"} (messages follow). */
static cJSON *person_json(const pa_store_support_conv *c, int can_rate) {
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "sc", c->id) || !cJSON_AddStringToObject(o, "state", c->state) ||
      !cJSON_AddStringToObject(o, "subject", c->subject) ||
      pa_api_add_time(o, "created_at", c->created_at) ||
      pa_api_add_time(o, "updated_at", c->updated_at) ||
      (c->assignee_name && !cJSON_AddStringToObject(o, "assignee_name", c->assignee_name)) ||
      (c->rating && !cJSON_AddNumberToObject(o, "rating", c->rating)) ||
      !cJSON_AddBoolToObject(o, "can_rate", can_rate)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The agents' view: the list item and "locale","created_at","resolved_at"?,
 * "rating"?,"rating_comment"? (the person's plan and the messages follow). */
static cJSON *agent_json(const pa_store_support_conv *c) {
  cJSON *o = item_json(c);
  if (!o || !cJSON_AddStringToObject(o, "locale", c->locale) ||
      pa_api_add_time(o, "created_at", c->created_at) ||
      (c->resolved_at && pa_api_add_time(o, "resolved_at", c->resolved_at)) ||
      (c->rating && !cJSON_AddNumberToObject(o, "rating", c->rating)) ||
      (c->rating_comment && !cJSON_AddStringToObject(o, "rating_comment", c->rating_comment))) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_support_conv_fn: fills the conv_view ctx. */
static int take_view(void *ctx, const pa_store_support_conv *c) {
  conv_view *v = ctx;
  v->user_id = c->user_id;
  v->assignee_id = c->assignee_id;
  snprintf(v->state, sizeof v->state, "%s", c->state);
  v->can_rate = strcmp(c->state, "resolved") == 0 && !c->rating;
  if ((v->want & VIEW_PERSON) && !(v->person = person_json(c, v->can_rate))) return -1;
  if ((v->want & VIEW_ITEM) && !(v->item = item_json(c))) return -1;
  if ((v->want & VIEW_AGENT) && !(v->agent = agent_json(c))) return -1;
  return 0;
}

/* Reads conversation id into v; 0, or -1 with 404 (none; or not the
 * viewer's when mine) or 500 sent. */
static int load(pa_srv_req *rq, int64_t id, int mine, conv_view *v) {
  int rc = pa_store_support_get(rq->db, id, take_view, v);
  if (rc == PA_STORE_OK && (!mine || v->user_id == rq->viewer)) return 0;
  view_free(v);
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such conversation");
  else
    pa_api_internal(rq, "support conversation");
  return -1;
}

/* {"id","author","body","created_at","agent_name"?}: the agent's name on
 * an agent's reply (and, for agents, on a note). */
static cJSON *message_json(const pa_store_support_msg *m, int for_agent) {
  cJSON *o = cJSON_CreateObject();
  int named = m->author_name &&
              (strcmp(m->author, "agent") == 0 || (for_agent && strcmp(m->author, "note") == 0));
  if (!o || pa_api_add_id(o, "id", "sm", m->id) ||
      !cJSON_AddStringToObject(o, "author", m->author) ||
      !cJSON_AddStringToObject(o, "body", m->body) ||
      pa_api_add_time(o, "created_at", m->created_at) ||
      (named && !cJSON_AddStringToObject(o, "agent_name", m->author_name))) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

typedef struct msg_list {
  cJSON *array;
  int for_agent;
} msg_list;

static int add_message(void *ctx, const pa_store_support_msg *m) {
  msg_list *l = ctx;
  cJSON *o = message_json(m, l->for_agent);
  if (!o || !cJSON_AddItemToArray(l->array, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* Adds "messages" to obj: notes only for agents. */
static int add_messages(pa_store *db, cJSON *obj, int64_t conv, int for_agent) {
  msg_list l = {cJSON_AddArrayToObject(obj, "messages"), for_agent};
  if (!l.array) return -1;
  return pa_store_support_messages(db, conv, for_agent, add_message, &l) == PA_STORE_OK ? 0 : -1;
}

/* ---- live frames */

/* Sends f (then freed) to the person's support sockets. */
static void to_person(const pa_srv *srv, int64_t user, cJSON *f) {
  char *text = f ? cJSON_PrintUnformatted(f) : NULL;
  cJSON_Delete(f);
  if (text) pa_support_push_user(srv, user, text);
  cJSON_free(text);
}

/* Sends f (then freed) to every agent's support sockets. */
static void to_agents(const pa_srv *srv, cJSON *f) {
  char *text = f ? cJSON_PrintUnformatted(f) : NULL;
  cJSON_Delete(f);
  if (text) pa_support_push_agents(srv, text);
  cJSON_free(text);
}

/* {"type": type, "conversation": "sc_N"} */
static cJSON *frame(const char *type, int64_t conv) {
  cJSON *f = cJSON_CreateObject();
  if (!f || !cJSON_AddStringToObject(f, "type", type) ||
      pa_api_add_id(f, "conversation", "sc", conv)) {
    cJSON_Delete(f);
    return NULL;
  }
  return f;
}

/* support.conversation (the list item) to the agents. */
static void tell_agents_conversation(const pa_srv *srv, pa_store *db, int64_t conv) {
  conv_view v = {.want = VIEW_ITEM};
  if (pa_store_support_get(db, conv, take_view, &v) != PA_STORE_OK) {
    view_free(&v);
    return;
  }
  cJSON *f = cJSON_CreateObject();
  if (f && cJSON_AddStringToObject(f, "type", "support.conversation")) {
    cJSON_AddItemToObject(f, "conversation", v.item);
    v.item = NULL;
    to_agents(srv, f);
  } else {
    cJSON_Delete(f);
  }
  view_free(&v);
}

typedef struct msg_frames {
  pa_srv_req *rq;
  int64_t person; /* 0: the person is not told */
} msg_frames;

/* pa_store_support_msg_fn: support.message of m to the agents, and to the
 * person unless it is a note. */
static int tell_message(void *ctx, const pa_store_support_msg *m) {
  msg_frames *mf = ctx;
  for (int agent = 0; agent <= 1; agent++) {
    if (!agent && (!mf->person || strcmp(m->author, "note") == 0)) continue;
    cJSON *f = frame("support.message", m->conversation_id), *o = message_json(m, agent);
    if (!f || !o) {
      cJSON_Delete(f);
      cJSON_Delete(o);
      continue;
    }
    cJSON_AddItemToObject(f, "message", o);
    if (agent)
      to_agents(mf->rq->srv, f);
    else
      to_person(mf->rq->srv, mf->person, f);
  }
  return 0;
}

/* support.state to the person's sockets. */
static void tell_person_state(const pa_srv *srv, int64_t conv, int64_t person, const char *state,
                              int can_rate) {
  cJSON *f = frame("support.state", conv);
  if (f && (!cJSON_AddStringToObject(f, "state", state) ||
            !cJSON_AddBoolToObject(f, "can_rate", can_rate)))
    f = (cJSON_Delete(f), NULL);
  to_person(srv, person, f);
}

/* Tells the new messages ids[0..n) (support.message), then the agents the
 * conversation (support.conversation). person 0: the person is not told. */
static void tell_new(pa_srv_req *rq, int64_t conv, int64_t person, const int64_t *ids, int n) {
  msg_frames mf = {rq, person};
  for (int i = 0; i < n; i++) pa_store_support_message(rq->db, ids[i], tell_message, &mf);
  tell_agents_conversation(rq->srv, rq->db, conv);
}

/* ---- the person's routes */

/* 1 when s is a locale tag we could serve: 2..16 letters, digits and '-'. */
static int locale_ok(const char *s) {
  size_t n = strlen(s);
  return n >= 2 && n <= PA_STORE_SUPPORT_LOCALE_MAX &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* Answers the person's view of conv with its messages (status 200 or 201). */
static void send_person_view(pa_srv_req *rq, int64_t conv, int status) {
  conv_view v = {.want = VIEW_PERSON};
  if (load(rq, conv, 1, &v) != 0) return;
  if (add_messages(rq->db, v.person, conv, 0) != 0) {
    view_free(&v);
    pa_api_internal(rq, "support messages");
    return;
  }
  pa_api_json(rq, status, v.person);
  v.person = NULL;
  view_free(&v);
}

/* POST /support/conversations {"subject","transcript"?,"ask"?,"locale"?} */
void pa_api_support_create(pa_srv_req *rq) {
  static const char *const names[] = {"subject", "transcript", "ask", "locale", NULL};
  cJSON *body;
  const char *subject = NULL, *why = NULL, *locale = "en";
  pa_support_line lines[PA_SUPPORT_TRANSCRIPT_MAX];
  int n = 0;
  int64_t ask = 0;
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *loc = cJSON_GetObjectItemCaseSensitive(body, "locale");
  if (pa_api_only(rq, body, names) ||
      pa_api_str(rq, body, "subject", 1, 1, PA_SUPPORT_SUBJECT_MAX, 0, &subject) ||
      pa_api_id(rq, body, "ask", "ha", 0, &ask)) {
    cJSON_Delete(body);
    return;
  }
  if (loc && !cJSON_IsNull(loc)) {
    if (!cJSON_IsString(loc) || !locale_ok(loc->valuestring)) {
      cJSON_Delete(body);
      pa_api_field_error(rq, 400, "bad_request", "locale must be a language tag like es or zh-Hans",
                         "locale");
      return;
    }
    locale = loc->valuestring;
  }
  if (pa_support_transcript_read(cJSON_GetObjectItemCaseSensitive(body, "transcript"), lines, &n,
                                 &why) != 0) {
    cJSON_Delete(body);
    pa_api_field_error(rq, 400, "bad_request", why, "transcript");
    return;
  }
  int64_t now = pa_clock_now(), conv = 0, ids[NEW_MESSAGES_MAX];
  int created = 0, rc = PA_STORE_OK;
  /* A second request racing this one may make the person's conversation
   * first (the unique index refuses ours): the next try joins it. */
  for (int attempt = 0; attempt < 2; attempt++) {
    rc = pa_store_begin(rq->db);
    if (rc == PA_STORE_OK)
      rc = pa_store_support_open(rq->db, rq->viewer, rq->plus, locale, subject, now, &conv,
                                 &created);
    for (int i = 0; rc == PA_STORE_OK && i < n; i++) {
      int person = strcmp(lines[i].author, "person") == 0;
      rc = pa_store_support_add(rq->db, conv, lines[i].author, person ? rq->viewer : 0,
                                lines[i].body, now, &ids[i]);
    }
    /* The Chatwoot mirror (chatwoot/mirror.h): queued with the messages. */
    if (rc == PA_STORE_OK && pa_chatwoot_enabled())
      rc = pa_store_chatwoot_enqueue(rq->db, conv, now);
    if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
    if (rc == PA_STORE_OK) break;
    pa_store_rollback(rq->db);
    if (rc != PA_STORE_ECONFLICT) break;
  }
  cJSON_Delete(body);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "support open");
    return;
  }
  send_person_view(rq, conv, created ? 201 : 200);
  tell_new(rq, conv, rq->viewer, ids, n);
  pa_chatwoot_wake(rq->srv);
}

typedef struct mine_list {
  cJSON *array;
} mine_list;

static int add_mine(void *ctx, const pa_store_support_conv *c) {
  mine_list *l = ctx;
  cJSON *o = person_json(c, strcmp(c->state, "resolved") == 0 && !c->rating);
  if (!o || !cJSON_AddItemToArray(l->array, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* GET /support/conversations: the viewer's, newest first. */
void pa_api_support_mine(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject();
  mine_list l = {root ? cJSON_AddArrayToObject(root, "conversations") : NULL};
  if (!l.array || pa_store_support_mine(rq->db, rq->viewer, add_mine, &l) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "support mine");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* GET /support/conversations/{sc} */
void pa_api_support_get(pa_srv_req *rq) { send_person_view(rq, rq->ids[0], 200); }

/* The body of a message: {"body"} (and, for agents, "internal"). */
static int read_body(pa_srv_req *rq, const char *const *names, cJSON **body, const char **text) {
  if (pa_api_body(rq, body) != 0) return -1;
  if (pa_api_only(rq, *body, names) ||
      pa_api_str(rq, *body, "body", 1, 1, PA_SUPPORT_BODY_MAX, 1, text)) {
    cJSON_Delete(*body);
    return -1;
  }
  return 0;
}

/* POST /support/conversations/{sc}/messages {"body"}: a resolved, pending or
 * snoozed conversation is open again. */
void pa_api_support_message(pa_srv_req *rq) {
  static const char *const names[] = {"body", NULL};
  cJSON *body;
  const char *text;
  conv_view v = {.want = 0};
  if (load(rq, rq->ids[0], 1, &v) != 0) return;
  if (read_body(rq, names, &body, &text) != 0) return;
  int64_t now = pa_clock_now(), id = 0, conv = rq->ids[0];
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_support_person_wrote(rq->db, conv, rq->plus, now);
  if (rc == PA_STORE_OK)
    rc = pa_store_support_add(rq->db, conv, "person", rq->viewer, text, now, &id);
  if (rc == PA_STORE_OK && pa_chatwoot_enabled()) rc = pa_store_chatwoot_enqueue(rq->db, conv, now);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  cJSON_Delete(body);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    if (rc == PA_STORE_ECONFLICT)
      pa_api_error(rq, 409, "another_open",
                   "You have another open conversation with us; write there", NULL);
    else
      pa_api_internal(rq, "support message");
    return;
  }
  cJSON *m = NULL;
  msg_list l = {cJSON_CreateArray(), 0};
  if (l.array && pa_store_support_message(rq->db, id, add_message, &l) == PA_STORE_OK)
    m = cJSON_DetachItemFromArray(l.array, 0);
  cJSON_Delete(l.array);
  if (!m) {
    pa_api_internal(rq, "support message");
    return;
  }
  pa_api_json(rq, 201, m);
  if (strcmp(v.state, "open") != 0) tell_person_state(rq->srv, conv, rq->viewer, "open", 0);
  tell_new(rq, conv, rq->viewer, &id, 1);
  pa_chatwoot_wake(rq->srv);
}

/* POST /support/conversations/{sc}/rating {"rating","comment"?}: once, when resolved. */
void pa_api_support_rate(pa_srv_req *rq) {
  static const char *const names[] = {"rating", "comment", NULL};
  cJSON *body;
  const char *comment, *why = NULL;
  int rating;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, names)) {
    cJSON_Delete(body);
    return;
  }
  if (pa_support_rating_read(body, &rating, &comment, &why) != 0) {
    cJSON_Delete(body);
    PA_BAD(rq, why);
    return;
  }
  int rc = pa_store_support_rate(rq->db, rq->ids[0], rq->viewer, rating, comment, pa_clock_now());
  cJSON_Delete(body);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such conversation");
  else if (rc == PA_STORE_EINVAL)
    pa_api_error(rq, 409, "not_resolved", "A conversation is rated once it is resolved", NULL);
  else if (rc == PA_STORE_ECONFLICT)
    pa_api_error(rq, 409, "already_rated", "You rated this conversation already", NULL);
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "support rate");
  if (rc != PA_STORE_OK) return;
  send_person_view(rq, rq->ids[0], 200);
  tell_agents_conversation(rq->srv, rq->db, rq->ids[0]);
}

/* ---- the agents' routes */

typedef struct queue_list {
  cJSON *array;
} queue_list;

static int add_item(void *ctx, const pa_store_support_conv *c) {
  queue_list *l = ctx;
  cJSON *o = item_json(c);
  if (!o || !cJSON_AddItemToArray(l->array, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* GET /admin/support/conversations?state=&assignee=me|none|any&cursor=&limit= */
void pa_api_support_queue(pa_srv_req *rq) {
  static const char *const states[] = {"open", "pending", "snoozed", "resolved"};
  char state[16] = "open", who[8] = "any";
  const char *st = NULL;
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, QUEUE_PAGE_MAX, QUEUE_PAGE_DEFAULT, &limit, &after, &has_cursor)) return;
  /* What came due since the chores' last round is open now, and told live:
   * the inbox an agent reads is never behind the clock. */
  pa_support_wake(rq->srv, rq->db, pa_clock_now());
  int q = pa_api_query(rq, "state", state, sizeof state);
  if (q < 0) return;
  for (size_t i = 0; i < sizeof states / sizeof *states; i++)
    if (strcmp(state, states[i]) == 0) st = states[i];
  if (!st) {
    PA_BAD(rq, "state must be open, pending, snoozed or resolved");
    return;
  }
  if ((q = pa_api_query(rq, "assignee", who, sizeof who)) < 0) return;
  int64_t assignee = strcmp(who, "me") == 0     ? rq->viewer
                     : strcmp(who, "none") == 0 ? -1
                     : strcmp(who, "any") == 0  ? 0
                                                : -2;
  if (assignee == -2) {
    PA_BAD(rq, "assignee must be me, none or any");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  queue_list l = {root ? cJSON_AddArrayToObject(root, "conversations") : NULL};
  char text[PA_STORE_CURSOR_MAX];
  if (!l.array ||
      pa_store_support_queue(rq->db, st, assignee, has_cursor ? &after : NULL, limit, add_item, &l,
                             &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "support queue");
    return;
  }
  /* The contract's "next" beside the API's usual "next_cursor": the same. */
  pa_store_cursor_encode(&next, text);
  if (!(more ? cJSON_AddStringToObject(root, "next", text) : cJSON_AddNullToObject(root, "next"))) {
    cJSON_Delete(root);
    pa_api_internal(rq, "support queue");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* pa_store_role_holder_fn: the person's Plus now, into *(int *)ctx. */
static int take_plus(void *ctx, const pa_store_role_holder *h) {
  *(int *)ctx = h->person.plus_until > pa_clock_now();
  return 0;
}

/* Answers the agents' view of conv (with its messages, notes included, and
 * the person's plan now). */
static void send_agent_view(pa_srv_req *rq, int64_t conv, int status) {
  conv_view v = {.want = VIEW_AGENT};
  int plus = 0;
  if (load(rq, conv, 0, &v) != 0) return;
  cJSON *person = cJSON_GetObjectItemCaseSensitive(v.agent, "person");
  int rc = pa_store_admin_person(rq->db, v.user_id, take_plus, &plus);
  if ((rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) ||
      !cJSON_AddStringToObject(person, "plan", plus ? "plus" : "free") ||
      add_messages(rq->db, v.agent, conv, 1) != 0) {
    view_free(&v);
    pa_api_internal(rq, "support conversation");
    return;
  }
  pa_api_json(rq, status, v.agent);
  v.agent = NULL;
  view_free(&v);
}

/* GET /admin/support/conversations/{sc} */
void pa_api_support_agent_get(pa_srv_req *rq) { send_agent_view(rq, rq->ids[0], 200); }

/* POST /admin/support/conversations/{sc}/messages {"body","internal"?}: a
 * reply (the person sees it; a notice when no socket of theirs is open) or
 * an internal note (agents only). */
void pa_api_support_agent_message(pa_srv_req *rq) {
  static const char *const names[] = {"body", "internal", NULL};
  cJSON *body;
  const char *text;
  conv_view v = {.want = 0};
  int64_t conv = rq->ids[0];
  if (load(rq, conv, 0, &v) != 0) return;
  if (read_body(rq, names, &body, &text) != 0) return;
  const cJSON *in = cJSON_GetObjectItemCaseSensitive(body, "internal");
  if (in && !cJSON_IsBool(in)) {
    cJSON_Delete(body);
    pa_api_field_error(rq, 400, "bad_request", "internal must be true or false", "internal");
    return;
  }
  int note = cJSON_IsTrue(in);
  int64_t now = pa_clock_now(), id = 0;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_support_add(rq->db, conv, note ? "note" : "agent", rq->viewer, text, now, &id);
  if (rc == PA_STORE_OK && !note && !pa_support_connected(rq->srv, v.user_id)) {
    char detail[64];
    snprintf(detail, sizeof detail, "{\"conversation\":\"sc_%lld\"}", (long long)conv);
    pa_store_notice_new n = {
        .user = v.user_id, .kind = "support_reply", .detail = detail, .at = now};
    rc = pa_store_notifications_add_notice(rq->db, &n, NULL);
  }
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  cJSON_Delete(body);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "support reply");
    return;
  }
  cJSON *m = NULL;
  msg_list l = {cJSON_CreateArray(), 1};
  if (l.array && pa_store_support_message(rq->db, id, add_message, &l) == PA_STORE_OK)
    m = cJSON_DetachItemFromArray(l.array, 0);
  cJSON_Delete(l.array);
  if (!m) {
    pa_api_internal(rq, "support reply");
    return;
  }
  pa_api_json(rq, 201, m);
  tell_new(rq, conv, v.user_id, &id, 1);
}

/* POST /admin/support/conversations/{sc}/state {"state","snooze_until"?} */
void pa_api_support_state(pa_srv_req *rq) {
  static const char *const names[] = {"state", "snooze_until", NULL};
  cJSON *body;
  const char *state, *why = NULL;
  int64_t until = 0, now = pa_clock_now(), conv = rq->ids[0];
  conv_view v = {.want = 0};
  if (load(rq, conv, 0, &v) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, names)) {
    cJSON_Delete(body);
    return;
  }
  int bad = pa_support_state_read(body, now, &state, &until, &why);
  cJSON_Delete(body);
  if (bad) {
    PA_BAD(rq, why);
    return;
  }
  int rc = pa_store_support_set_state(rq->db, conv, state, until, now);
  if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "another_open",
                 "This person has another conversation that is not resolved", NULL);
    return;
  }
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such conversation");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "support state");
    return;
  }
  send_agent_view(rq, conv, 200);
  int resolved = strcmp(state, "resolved") == 0;
  conv_view after = {.want = 0};
  int can_rate = resolved && pa_store_support_get(rq->db, conv, take_view, &after) == PA_STORE_OK &&
                 after.can_rate;
  tell_person_state(rq->srv, conv, v.user_id, state, can_rate);
  tell_agents_conversation(rq->srv, rq->db, conv);
}

/* POST /admin/support/conversations/{sc}/assign {"agent": "u_N" | null}:
 * the agent must hold support or admin. */
void pa_api_support_assign(pa_srv_req *rq) {
  static const char *const names[] = {"agent", NULL};
  cJSON *body;
  int64_t agent = 0, conv = rq->ids[0];
  conv_view v = {.want = 0};
  if (load(rq, conv, 0, &v) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  int has = cJSON_GetObjectItemCaseSensitive(body, "agent") != NULL;
  int bad = pa_api_only(rq, body, names) || pa_api_id(rq, body, "agent", "u", 0, &agent);
  cJSON_Delete(body);
  if (bad) return;
  if (!has) {
    pa_api_field_error(rq, 400, "bad_request", "agent is required (a person's id, or null)",
                       "agent");
    return;
  }
  if (agent) {
    int roles = 0;
    if (pa_store_admin_roles_of(rq->db, agent, &roles) != PA_STORE_OK) {
      pa_api_internal(rq, "agent roles");
      return;
    }
    if (!(roles & (PA_STORE_ROLE_SUPPORT | PA_STORE_ROLE_ADMIN))) {
      pa_api_field_error(rq, 400, "not_agent", "That person holds neither support nor admin",
                         "agent");
      return;
    }
  }
  int rc = pa_store_support_assign(rq->db, conv, agent, pa_clock_now());
  if (rc != PA_STORE_OK) {
    if (rc == PA_STORE_ENOTFOUND)
      PA_NOT_FOUND(rq, "No such conversation");
    else
      pa_api_internal(rq, "support assign");
    return;
  }
  send_agent_view(rq, conv, 200);
  tell_agents_conversation(rq->srv, rq->db, conv);
}

/* {"id","shortcut","title","body","created_at"} */
static cJSON *canned_json(const pa_store_support_canned *c) {
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "cn", c->id) ||
      !cJSON_AddStringToObject(o, "shortcut", c->shortcut) ||
      !cJSON_AddStringToObject(o, "title", c->title) ||
      !cJSON_AddStringToObject(o, "body", c->body) ||
      pa_api_add_time(o, "created_at", c->created_at)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_canned(void *ctx, const pa_store_support_canned *c) {
  cJSON *o = canned_json(c);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* GET /admin/support/canned: every canned reply, by shortcut. */
void pa_api_support_canned_list(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "canned");
  if (!list || pa_store_support_canned_list(rq->db, add_canned, list) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "support canned");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* 1 when s is a shortcut: 1..32 lowercase letters, digits, '-' or '_'. */
static int shortcut_ok(const char *s) {
  size_t n = strlen(s);
  return n >= 1 && n <= PA_SUPPORT_SHORTCUT_MAX &&
         strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* POST /admin/support/canned {"shortcut","title","body"} */
void pa_api_support_canned_add(pa_srv_req *rq) {
  static const char *const names[] = {"shortcut", "title", "body", NULL};
  cJSON *body;
  const char *shortcut, *title, *text;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, names) ||
      pa_api_str(rq, body, "shortcut", 1, 1, PA_SUPPORT_SHORTCUT_MAX, 0, &shortcut) ||
      pa_api_str(rq, body, "title", 1, 1, PA_SUPPORT_SUBJECT_MAX, 0, &title) ||
      pa_api_str(rq, body, "body", 1, 1, PA_SUPPORT_BODY_MAX, 1, &text)) {
    cJSON_Delete(body);
    return;
  }
  if (!shortcut_ok(shortcut)) {
    cJSON_Delete(body);
    pa_api_field_error(rq, 400, "bad_request", "shortcut must be lowercase letters, digits, - or _",
                       "shortcut");
    return;
  }
  int64_t id = 0, now = pa_clock_now();
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_support_canned_add(rq->db, shortcut, title, text, rq->viewer, now, &id);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) pa_store_rollback(rq->db);
  pa_store_support_canned c = {id, rq->viewer, now, shortcut, title, text};
  cJSON *o = rc == PA_STORE_OK ? canned_json(&c) : NULL;
  cJSON_Delete(body);
  if (rc == PA_STORE_ECONFLICT)
    pa_api_field_error(rq, 409, "shortcut_taken", "Another canned reply has that shortcut",
                       "shortcut");
  else if (rc == PA_STORE_EINVAL)
    pa_api_error(rq, 409, "too_many_canned",
                 "At most 200 canned replies are kept; delete one first", NULL);
  else if (!o)
    pa_api_internal(rq, "support canned add");
  else
    pa_api_json(rq, 201, o);
}

/* DELETE /admin/support/canned/{cn} */
void pa_api_support_canned_delete(pa_srv_req *rq) {
  int rc = pa_store_support_canned_delete(rq->db, rq->ids[0]);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such canned reply");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "support canned delete");
  else
    pa_api_ok(rq);
}

/* ---- snoozes that came due */

typedef struct wake_ctx {
  const pa_srv *srv;
  pa_store *db;
} wake_ctx;

/* A conversation opened again: support.state to its person, the list item to
 * the agents. */
static int tell_woken(void *ctx, int64_t id) {
  wake_ctx *w = ctx;
  conv_view v = {.want = 0};
  if (pa_store_support_get(w->db, id, take_view, &v) == PA_STORE_OK)
    tell_person_state(w->srv, id, v.user_id, v.state, v.can_rate);
  tell_agents_conversation(w->srv, w->db, id);
  return 0;
}

void pa_support_wake(const pa_srv *srv, pa_store *db, int64_t now) {
  wake_ctx w = {srv, db};
  if (pa_store_support_wake(db, now, srv ? tell_woken : NULL, &w) != PA_STORE_OK)
    pa_log_event("error", "support", "wake: %s", pa_store_errmsg(db));
}

/* ---- the Chatwoot mirror's webhook (api/chatwoot.c) tells what it applied */

void pa_support_tell_reply(pa_srv_req *rq, int64_t conv, int64_t person, int64_t msg) {
  tell_new(rq, conv, person, &msg, 1);
}

void pa_support_tell_state(pa_srv_req *rq, int64_t conv, int64_t person, const char *state) {
  conv_view after = {.want = 0};
  int can_rate = strcmp(state, "resolved") == 0 &&
                 pa_store_support_get(rq->db, conv, take_view, &after) == PA_STORE_OK &&
                 after.can_rate;
  tell_person_state(rq->srv, conv, person, state, can_rate);
  tell_agents_conversation(rq->srv, rq->db, conv);
}
