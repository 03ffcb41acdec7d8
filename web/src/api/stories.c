/* pa_api — stories: 24 hours, enforced on every read. */
#include "store/stories.h"

#include "api/api.h"
#include "api/live.h"
#include "clock.h"
#include "store/live.h"

#include <stdlib.h>

static cJSON *story_json(const pa_store_story *s) {
  cJSON *o = cJSON_CreateObject(), *media = pa_api_media_ref_json(&s->media);
  int bad = !o || !media || pa_api_add_id(o, "id", "s", s->id);
  if (!bad) {
    cJSON_AddItemToObject(o, "media", media);
    media = NULL;
    bad = pa_api_add_time(o, "created_at", s->created_at) ||
          pa_api_add_time(o, "expires_at", s->expires_at) ||
          !cJSON_AddBoolToObject(o, "seen", s->seen) ||
          /* Only its owner is shown a hidden story: marked, as a hidden post. */
          (s->hidden && !cJSON_AddStringToObject(o, "moderation", "hidden"));
  }
  cJSON_Delete(media);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* One pet's stories in the tray. */
typedef struct tray_entry {
  cJSON *obj;
  int all_seen;
  int64_t latest, pet;
  int64_t live_at; /* when the pet's live went on air (issue 24), 0 when none */
} tray_entry;

enum { TRAY_MAX_STORIES = 5000 };

typedef struct tray {
  tray_entry *entries; /* room for TRAY_MAX_STORIES */
  int n;
  const pa_srv *srv; /* for the lives' viewer counts */
} tray;

/* Pets on air first, newest live first (issue 24); then unseen first, then
 * the newest story, then the pet. */
static int tray_order(const void *a, const void *b) {
  const tray_entry *x = a, *y = b;
  if ((x->live_at != 0) != (y->live_at != 0)) return x->live_at ? -1 : 1;
  if (x->live_at != y->live_at) return x->live_at > y->live_at ? -1 : 1;
  if (x->all_seen != y->all_seen) return x->all_seen - y->all_seen;
  if (x->latest != y->latest) return x->latest > y->latest ? -1 : 1;
  return x->pet < y->pet ? -1 : x->pet > y->pet;
}

/* {"pet","owner","stories":[]} for the pet of s. */
static cJSON *tray_entry_json(const pa_store_story *s) {
  cJSON *o = cJSON_CreateObject(), *pet = pa_api_pet_ref_json(&s->pet),
        *owner = pa_api_person_json(&s->owner);
  int has_pet = o && pet && cJSON_AddItemToObject(o, "pet", pet);
  if (!has_pet) cJSON_Delete(pet);
  int has_owner = has_pet && owner && cJSON_AddItemToObject(o, "owner", owner);
  if (!has_owner) cJSON_Delete(owner);
  if (!has_owner || !cJSON_AddArrayToObject(o, "stories")) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_stories_tray callback: stories come grouped by pet. */
static int tray_add(void *ctx, const pa_store_story *s) {
  tray *t = ctx;
  tray_entry *e = t->n ? &t->entries[t->n - 1] : NULL;
  if (!e || e->pet != s->pet.id) {
    if (t->n == TRAY_MAX_STORIES) return -1;
    e = &t->entries[t->n];
    *e = (tray_entry){tray_entry_json(s), 1, 0, s->pet.id, 0};
    if (!e->obj) return -1;
    t->n++;
  }
  cJSON *j = story_json(s);
  if (!j || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(e->obj, "stories"), j)) {
    cJSON_Delete(j);
    return -1;
  }
  e->all_seen &= s->seen;
  e->latest = s->created_at;
  return 0;
}

/* pa_store_live_tray callback: the live's pet's entry gets "live" (an entry
 * of its own, with no stories, when the pet has none). */
static int tray_live(void *ctx, const pa_store_live *l) {
  tray *t = ctx;
  tray_entry *e = NULL;
  for (int i = 0; i < t->n && !e; i++)
    if (t->entries[i].pet == l->pet_id) e = &t->entries[i];
  if (!e) {
    if (t->n == TRAY_MAX_STORIES) return -1;
    pa_store_story s = {.pet = l->pet, .owner = l->author};
    e = &t->entries[t->n];
    *e = (tray_entry){tray_entry_json(&s), 1, 0, l->pet_id, 0};
    if (!e->obj) return -1;
    t->n++;
  }
  if (e->live_at) return 0; /* one live a pet: the newest came first */
  cJSON *live = cJSON_CreateObject();
  if (!live || pa_api_add_id(live, "id", "live", l->id) ||
      !cJSON_AddNumberToObject(live, "viewers", pa_live_viewers(t->srv, l->id)) ||
      !cJSON_AddItemToObject(e->obj, "live", live)) {
    cJSON_Delete(live);
    return -1;
  }
  e->live_at = l->started_at ? l->started_at : 1;
  return 0;
}

void pa_api_stories_get(pa_srv_req *rq) {
  tray t = {calloc(TRAY_MAX_STORIES, sizeof *t.entries), 0, rq->srv};
  int ok = t.entries &&
           pa_store_stories_tray(rq->db, rq->viewer, pa_clock_now(), TRAY_MAX_STORIES, tray_add,
                                 &t) == PA_STORE_OK &&
           pa_store_live_tray(rq->db, rq->viewer, tray_live, &t) == PA_STORE_OK;
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "tray");
  ok = ok && list;
  if (ok) qsort(t.entries, (size_t)t.n, sizeof *t.entries, tray_order);
  for (int i = 0; i < t.n; i++) {
    if (ok && cJSON_AddBoolToObject(t.entries[i].obj, "all_seen", t.entries[i].all_seen) &&
        (t.entries[i].live_at || cJSON_AddNullToObject(t.entries[i].obj, "live")) &&
        cJSON_AddItemToArray(list, t.entries[i].obj))
      continue;
    cJSON_Delete(t.entries[i].obj);
    ok = 0;
  }
  free(t.entries);
  if (!ok) {
    cJSON_Delete(root);
    pa_api_internal(rq, "stories");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* pa_store_stories_get callback: the story's JSON into *(cJSON **)ctx. */
static int story_one(void *ctx, const pa_store_story *s) {
  cJSON **out = ctx;
  *out = story_json(s);
  return *out ? 0 : -1;
}

void pa_api_story_create(pa_srv_req *rq) {
  static const char *const fields[] = {"media_id", "pet_id", NULL};
  int64_t upload, pet, now = pa_clock_now(), id;
  char hash[65], ext[8];
  cJSON *body = NULL, *o = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  int refused = pa_api_only(rq, body, fields) || pa_api_id(rq, body, "media_id", "m", 1, &upload) ||
                pa_api_id(rq, body, "pet_id", "pet", 1, &pet);
  cJSON_Delete(body);
  if (refused) return;
  /* The checks and the insert in one transaction: the upload is marked
   * attached only if the story is written. */
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "add story");
    return;
  }
  if (pa_api_own_media(rq, upload, NULL, "media_id", "media_id", hash, ext) ||
      pa_api_own_pet(rq, pet, "pet_id")) {
    pa_store_rollback(rq->db);
    return;
  }
  int rc = pa_store_stories_add(rq->db, rq->viewer, pet, hash, now, now + 86400, &id);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) rc = PA_STORE_EDB;
  if (rc == PA_STORE_OK) rc = pa_store_stories_get(rq->db, id, rq->viewer, story_one, &o);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(o);
    pa_api_internal(rq, "add story");
    return;
  }
  pa_api_json(rq, 201, o);
}

void pa_api_story_seen(pa_srv_req *rq) {
  int rc = pa_store_stories_live(rq->db, rq->ids[0], rq->viewer, pa_clock_now());
  /* A story the viewer may not see (a block, a private account) is answered
   * as one that does not exist. */
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such story (stories expire after 24 hours)");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "story");
    return;
  }
  if (pa_store_stories_see(rq->db, rq->ids[0], rq->viewer) != PA_STORE_OK) {
    pa_api_internal(rq, "story seen");
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (o && !cJSON_AddTrueToObject(o, "seen")) {
    cJSON_Delete(o);
    o = NULL;
  }
  pa_api_json(rq, 200, o);
}

void pa_api_story_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, pa_store_stories_owner, pa_store_stories_delete, "No such story",
                    "Only the story's owner may delete it");
}
