/* pa_api — the pet-health dashboard (issue 19; web/README.md, "Pet
 * health"): an owner's records of a pet, its reminders, and the read-only
 * links the owner gives a vet. Bodies are read by health_rules.c's strict parser,
 * the one the fuzz target drives. */
#include "store/health.h"

#include "api/api.h"
#include "auth.h"
#include "clock.h"
#include "health_rules.h"
#include "log.h"
#include "origin.h"
#include "store/notifications.h"
#include "store/pets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON */

static int add_day(cJSON *o, const char *key, const char *day) {
  return (day[0] ? cJSON_AddStringToObject(o, key, day) : cJSON_AddNullToObject(o, key)) ? 0 : -1;
}

static int add_num(cJSON *o, const char *key, int64_t v) {
  return (v >= 0 ? cJSON_AddNumberToObject(o, key, (double)v) : cJSON_AddNullToObject(o, key)) ? 0
                                                                                               : -1;
}

static int add_text(cJSON *o, const char *key, const char *s) {
  return cJSON_AddStringToObject(o, key, s) ? 0 : -1;
}

/* A record in its kind's own members (the ones its body sends), with its id,
 * kind, when it next owes a reminder and its times; NULL when out of memory. */
static cJSON *record_json(const pa_store_health_row *r) {
  const pa_health_entry *e = &r->e;
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_id(o, "id", "hr", r->id) ||
            add_text(o, "kind", pa_health_kind_name(e->kind) ? pa_health_kind_name(e->kind) : "");
  switch (e->kind) {
  case PA_HEALTH_VACCINATION:
    bad = bad || add_text(o, "name", e->title) || add_day(o, "given", e->day) ||
          add_day(o, "due", e->until_day) || add_text(o, "notes", e->notes);
    break;
  case PA_HEALTH_VISIT:
    bad = bad || add_day(o, "date", e->day) || add_text(o, "clinic", e->title) ||
          add_text(o, "reason", e->detail) || add_text(o, "notes", e->notes);
    break;
  case PA_HEALTH_MEDICATION:
    bad = bad || add_text(o, "name", e->title) || add_text(o, "dose", e->detail) ||
          add_num(o, "every", e->every_n) || add_text(o, "unit", e->every_unit) ||
          add_day(o, "start", e->day) || add_day(o, "end", e->until_day) ||
          add_text(o, "notes", e->notes);
    break;
  case PA_HEALTH_WEIGHT:
    bad = bad || add_day(o, "date", e->day) || add_num(o, "grams", e->grams);
    break;
  case PA_HEALTH_ALLERGY:
    bad = bad || add_text(o, "name", e->title) || add_text(o, "severity", e->detail) ||
          add_text(o, "notes", e->notes);
    break;
  default:
    bad = bad || add_day(o, "date", e->day) || add_num(o, "minutes", e->minutes) ||
          add_num(o, "metres", e->metres);
  }
  if (!bad)
    bad = (r->due_at >= 0 ? pa_api_add_time(o, "remind_at", r->due_at)
                          : !cJSON_AddNullToObject(o, "remind_at")) ||
          pa_api_add_time(o, "created_at", r->created_at) ||
          pa_api_add_time(o, "updated_at", r->updated_at);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_health_fn: ctx is the object holding one array per kind. */
static int append_record(void *ctx, const pa_store_health_row *r) {
  const char *key = pa_health_kind_route(r->e.kind);
  cJSON *list = key ? cJSON_GetObjectItemCaseSensitive(ctx, key) : NULL;
  cJSON *o = list ? record_json(r) : NULL;
  if (o && cJSON_AddItemToArray(list, o)) return 0;
  cJSON_Delete(o);
  return list ? -1 : 0;
}

static int keep_record(void *ctx, const pa_store_health_row *r) {
  cJSON **out = ctx;
  return (*out = record_json(r)) ? 0 : -1;
}

/* {"vaccinations":[...], ...} of pet, every kind or one (kind >= 0); NULL
 * with 500 sent on failure. */
static cJSON *records(pa_srv_req *rq, int64_t pet, int kind) {
  cJSON *root = cJSON_CreateObject();
  int bad = !root;
  for (int k = 0; k < PA_HEALTH_KINDS && !bad; k++)
    if (kind < 0 || k == kind) bad = !cJSON_AddArrayToObject(root, pa_health_kind_route(k));
  if (bad || pa_store_health_list(rq->db, pet, kind, append_record, root) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "health records");
    return NULL;
  }
  return root;
}

/* ---- the owner's routes */

/* 0 when the path's pet is the viewer's (a pet's health is its owner's
 * alone); else 404 or 403 sent. */
static int owner_only(pa_srv_req *rq) {
  return pa_api_path_pet_mine(rq, "Only the pet's owner sees and keeps its health records");
}

/* The {word} of the path as a kind; -1 with 404 sent when it names none. */
static int path_kind(pa_srv_req *rq) {
  int kind = pa_health_kind_parse(rq->word);
  if (kind < 0) PA_NOT_FOUND(rq, "No such kind of health record");
  return kind;
}

void pa_api_health_get(pa_srv_req *rq) {
  if (owner_only(rq) != 0) return;
  cJSON *root = records(rq, rq->ids[0], -1);
  if (root) pa_api_json(rq, 200, root);
}

void pa_api_health_list(pa_srv_req *rq) {
  int kind;
  if (owner_only(rq) != 0 || (kind = path_kind(rq)) < 0) return;
  cJSON *root = records(rq, rq->ids[0], kind);
  if (root) pa_api_json(rq, 200, root);
}

/* Reads the body of a record of kind; -1 with 400 sent. */
static int read_record(pa_srv_req *rq, int kind, pa_health_entry *e) {
  cJSON *body = NULL;
  char err[160];
  const char *field = NULL;
  if (pa_api_body(rq, &body) != 0) return -1;
  int rc = pa_health_parse(kind, body, e, err, sizeof err, &field);
  if (rc != 0) {
    if (field)
      pa_api_field_error(rq, 400, "bad_request", err, field);
    else
      PA_BAD(rq, err);
  }
  cJSON_Delete(body);
  return rc;
}

static void send_record(pa_srv_req *rq, int status, int64_t id) {
  cJSON *o = NULL;
  int rc = pa_store_health_get(rq->db, rq->ids[0], id, keep_record, &o);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such health record");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "health record");
  else
    pa_api_json(rq, status, o);
}

void pa_api_health_add(pa_srv_req *rq) {
  int kind;
  pa_health_entry *e = malloc(sizeof *e);
  if (!e) {
    pa_api_internal(rq, "add health record");
    return;
  }
  if (owner_only(rq) != 0 || (kind = path_kind(rq)) < 0 || read_record(rq, kind, e) != 0) {
    free(e);
    return;
  }
  const int64_t now = pa_clock_now();
  int64_t n = 0, id = 0;
  /* The count and the insert in one write transaction, so two adds at
   * once cannot both take the last place. */
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_health_count(rq->db, rq->ids[0], kind, &n);
  if (rc == PA_STORE_OK && n >= PA_HEALTH_ENTRIES_MAX) {
    pa_store_rollback(rq->db);
    free(e);
    char msg[128];
    snprintf(msg, sizeof msg, "A pet keeps at most %d records of each kind; delete old ones first",
             PA_HEALTH_ENTRIES_MAX);
    pa_api_error(rq, 409, "conflict", msg, NULL);
    return;
  }
  if (rc == PA_STORE_OK)
    rc = pa_store_health_add(rq->db, rq->ids[0], e, pa_health_due(e, now, 0), now, &id);
  free(e);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK || rc != PA_STORE_OK) {
    pa_api_internal(rq, "add health record");
    return;
  }
  send_record(rq, 201, id);
}

void pa_api_health_edit(pa_srv_req *rq) {
  int kind;
  pa_health_entry *e = malloc(sizeof *e);
  if (!e) {
    pa_api_internal(rq, "change health record");
    return;
  }
  if (owner_only(rq) != 0 || (kind = path_kind(rq)) < 0 || read_record(rq, kind, e) != 0) {
    free(e);
    return;
  }
  const int64_t now = pa_clock_now();
  /* A changed due day or schedule owes its reminder afresh. */
  int rc = pa_store_health_update(rq->db, rq->ids[0], rq->ids[1], e, pa_health_due(e, now, 0), now);
  free(e);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such health record");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "change health record");
  else
    send_record(rq, 200, rq->ids[1]);
}

void pa_api_health_delete(pa_srv_req *rq) {
  int kind;
  if (owner_only(rq) != 0 || (kind = path_kind(rq)) < 0) return;
  int rc = pa_store_health_delete(rq->db, rq->ids[0], kind, rq->ids[1]);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such health record");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "delete health record");
  else
    pa_api_ok(rq);
}

/* ---- share links */

/* The link's public address: the shell's read-only page. */
static int add_share_url(pa_srv_req *rq, cJSON *o, const char *token) {
  char url[512];
  snprintf(url, sizeof url, "%s/vet/%s", pa_origin_base(pa_api_origins(rq)), token);
  return add_text(o, "url", url);
}

static cJSON *share_json(const pa_store_health_share *s, int64_t now) {
  cJSON *o = cJSON_CreateObject();
  const char *state = s->revoked_at ? "revoked" : s->expires_at <= now ? "expired" : "live";
  if (!o || pa_api_add_id(o, "id", "hs", s->id) ||
      pa_api_add_time(o, "created_at", s->created_at) ||
      pa_api_add_time(o, "expires_at", s->expires_at) ||
      (s->revoked_at ? pa_api_add_time(o, "revoked_at", s->revoked_at)
                     : !cJSON_AddNullToObject(o, "revoked_at")) ||
      add_text(o, "state", state)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

typedef struct share_list {
  cJSON *list;
  int64_t now;
} share_list;

static int append_share(void *ctx, const pa_store_health_share *s) {
  share_list *l = ctx;
  cJSON *o = share_json(s, l->now);
  if (o && cJSON_AddItemToArray(l->list, o)) return 0;
  cJSON_Delete(o);
  return -1;
}

void pa_api_health_shares(pa_srv_req *rq) {
  if (owner_only(rq) != 0) return;
  cJSON *root = cJSON_CreateObject();
  share_list l = {root ? cJSON_AddArrayToObject(root, "shares") : NULL, pa_clock_now()};
  if (!l.list || pa_store_health_shares(rq->db, rq->ids[0], append_share, &l) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "health shares");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_health_share_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  char err[160], token[PA_AUTH_TOKEN_TEXT];
  const char *field = NULL;
  unsigned char hash[32];
  int days = 0;
  if (owner_only(rq) != 0 || pa_api_body(rq, &body) != 0) return;
  int bad = pa_health_parse_share(body, &days, err, sizeof err, &field);
  cJSON_Delete(body);
  if (bad) {
    if (field)
      pa_api_field_error(rq, 400, "bad_request", err, field);
    else
      PA_BAD(rq, err);
    return;
  }
  const int64_t now = pa_clock_now(), expires = now + (int64_t)days * 86400;
  int64_t live = 0, id = 0;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_health_shares_live(rq->db, rq->ids[0], now, &live);
  if (rc == PA_STORE_OK && live >= PA_HEALTH_SHARES_MAX) {
    pa_store_rollback(rq->db);
    snprintf(err, sizeof err, "A pet has at most %d live links; revoke one first",
             PA_HEALTH_SHARES_MAX);
    pa_api_error(rq, 409, "conflict", err, NULL);
    return;
  }
  pa_auth_new_token(token, hash);
  if (rc == PA_STORE_OK)
    rc = pa_store_health_share_add(rq->db, rq->ids[0], hash, now, expires, &id);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK || rc != PA_STORE_OK) {
    pa_api_internal(rq, "add health share");
    return;
  }
  /* The token is shown this once: only its hash is kept. */
  pa_store_health_share s = {id, rq->ids[0], now, expires, 0};
  cJSON *o = share_json(&s, now);
  if (!o || add_text(o, "token", token) || add_share_url(rq, o, token)) {
    cJSON_Delete(o);
    pa_api_internal(rq, "add health share");
    return;
  }
  pa_api_json(rq, 201, o);
}

void pa_api_health_share_revoke(pa_srv_req *rq) {
  if (owner_only(rq) != 0) return;
  int rc = pa_store_health_share_revoke(rq->db, rq->ids[0], rq->ids[1], pa_clock_now());
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such link");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "revoke health share");
  else
    pa_api_ok(rq);
}

static int keep_pet(void *ctx, const pa_store_pet_profile *p) {
  cJSON **out = ctx;
  return (*out = pa_api_pet_ref_json(&p->pet)) ? 0 : -1;
}

void pa_api_health_shared(pa_srv_req *rq) {
  unsigned char hash[32];
  pa_store_health_share s;
  const int64_t now = pa_clock_now();
  if (pa_auth_token_hash(rq->token, hash) != 0) {
    PA_NOT_FOUND(rq, "No such link");
    return;
  }
  int rc = pa_store_health_share_find(rq->db, hash, &s);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such link");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "health share");
    return;
  }
  if (s.revoked_at || s.expires_at <= now) {
    pa_api_error(rq, 410, "gone",
                 s.revoked_at ? "The owner revoked this link" : "This link has expired", NULL);
    return;
  }
  cJSON *pet = NULL, *root = records(rq, s.pet_id, -1);
  if (!root) return;
  rc = pa_store_pets_profile_get(rq->db, s.pet_id, 0, keep_pet, &pet);
  if (rc != PA_STORE_OK || pa_api_add_time(root, "expires_at", s.expires_at)) {
    cJSON_Delete(pet);
    cJSON_Delete(root);
    if (rc == PA_STORE_ENOTFOUND)
      PA_NOT_FOUND(rq, "No such link");
    else
      pa_api_internal(rq, "health share");
    return;
  }
  cJSON_AddItemToObject(root, "pet", pet);
  pa_api_json(rq, 200, root);
}

/* ---- reminders */

/* A due record copied out of the list, so the notices are written after
 * the query is done (never a write while a read is being stepped). */
typedef struct due_item {
  int64_t id, due_at, owner, pet;
  pa_health_entry e;
} due_item;

typedef struct due_batch {
  due_item *items;
  int n;
} due_batch;

static int collect_due(void *ctx, const pa_store_health_due *d) {
  due_batch *b = ctx;
  due_item *it = &b->items[b->n++];
  it->id = d->row.id;
  it->due_at = d->row.due_at;
  it->owner = d->owner_id;
  it->pet = d->row.pet_id;
  it->e = d->row.e;
  return 0;
}

/* The notice's detail: what the notification screen says beside the pet
 * the notice names (its pet_id): the record, its kind, title and due time.
 * A title fits the notice's limit whatever its characters: 4 bytes a
 * character at most, or 2 for an escaped quote, beside a frame of ~100. */
_Static_assert(4 * PA_HEALTH_TITLE_MAX + 160 < PA_STORE_NOTICE_DETAIL_MAX,
               "a health notice's detail fits the notices' CHECK");
static char *notice_detail(const due_item *it) {
  cJSON *o = cJSON_CreateObject();
  char *out = NULL;
  if (o && !pa_api_add_id(o, "pet", "pet", it->pet) && !pa_api_add_id(o, "record", "hr", it->id) &&
      add_text(o, "kind", pa_health_kind_name(it->e.kind)) == 0 &&
      add_text(o, "title", it->e.title) == 0 && pa_api_add_time(o, "due_at", it->due_at) == 0)
    out = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return out;
}

int pa_api_health_remind(pa_store *db, int64_t now, int64_t owner) {
  due_batch b = {calloc(PA_HEALTH_REMIND_BATCH, sizeof(due_item)), 0};
  int sent = 0;
  if (!b.items) return -1;
  int rc = pa_store_health_due_list(db, now, owner, PA_HEALTH_REMIND_BATCH, collect_due, &b);
  for (int i = 0; rc == PA_STORE_OK && i < b.n; i++) {
    const due_item *it = &b.items[i];
    char *detail = notice_detail(it);
    int changed = 0;
    if (!detail) {
      rc = PA_STORE_ENOMEM;
      break;
    }
    /* The move and the notice in one transaction: of two rounds (the
     * chores and a reader of notifications) only the one that moved the
     * reminder writes the notice, and a failed notice moves nothing. */
    rc = pa_store_begin(db);
    if (rc == PA_STORE_OK)
      rc = pa_store_health_remind(db, it->id, it->due_at, pa_health_due(&it->e, now, 1), &changed);
    if (rc == PA_STORE_OK && changed)
      rc = pa_store_notifications_add_notice(
          db,
          &(pa_store_notice_new){
              .user = it->owner, .kind = "health_due", .pet = it->pet, .detail = detail, .at = now},
          NULL);
    free(detail);
    if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK) rc = PA_STORE_EDB;
    sent += rc == PA_STORE_OK && changed;
  }
  free(b.items);
  if (rc != PA_STORE_OK) pa_log_event("error", "health", "reminders: %s", pa_store_errmsg(db));
  return rc == PA_STORE_OK ? sent : -1;
}
