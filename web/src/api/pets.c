/* pa_api — pets: their profiles, and their owners adding, changing and
 * deleting them. */
#include "store/pets.h"

#include "api/api.h"
#include "clock.h"
#include "store/safety.h"

#include <stdlib.h>
#include <string.h>

static int add_str(cJSON *o, const char *key, const char *s) {
  return cJSON_AddStringToObject(o, key, s ? s : "") ? 0 : -1;
}

/* A pet's profile as JSON; NULL when out of memory. */
static cJSON *pet_json(const pa_store_pet_profile *p) {
  cJSON *o = pa_api_pet_ref_json(&p->pet), *owner = pa_api_person_json(&p->owner);
  int bad = !o || !owner || add_str(o, "breed", p->breed);
  if (!bad)
    bad = p->birth_date ? add_str(o, "birth_date", p->birth_date)
                        : !cJSON_AddNullToObject(o, "birth_date");
  if (!bad) {
    bad = add_str(o, "bio", p->bio) || pa_api_add_time(o, "created_at", p->created_at);
    cJSON_AddItemToObject(o, "owner", owner);
    owner = NULL;
    bad |= !cJSON_AddNumberToObject(o, "post_count", (double)p->post_count) ||
           !cJSON_AddNumberToObject(o, "follower_count", (double)p->follower_count) ||
           !cJSON_AddBoolToObject(o, "following", p->following);
  }
  cJSON_Delete(owner);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_pet_profile_fn: ctx is the cJSON ** that takes the pet, or the
 * array it joins. */
static int keep_pet(void *ctx, const pa_store_pet_profile *p) {
  cJSON **out = ctx;
  return (*out = pet_json(p)) ? 0 : -1;
}

static int append_pet(void *ctx, const pa_store_pet_profile *p) {
  cJSON *o = pet_json(p);
  if (o && cJSON_AddItemToArray(ctx, o)) return 0;
  cJSON_Delete(o);
  return -1;
}

static void send_pet(pa_srv_req *rq, int status, int64_t id) {
  cJSON *o = NULL;
  int rc = pa_store_pets_profile_get(rq->db, id, rq->viewer, keep_pet, &o);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such pet");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "pet");
  else
    pa_api_json(rq, status, o);
}

/* To someone their owner blocked, a pet is absent. */
void pa_api_pet_get(pa_srv_req *rq) {
  int64_t owner = 0;
  int rel = 0, rc = pa_store_pets_owner(rq->db, rq->ids[0], &owner), found = 0;
  if (rc == PA_STORE_OK && (found = pa_api_standing(rq, owner, &rel)) < 0) return;
  if (rc == PA_STORE_ENOTFOUND || found || (rel & PA_STORE_REL_BLOCKED_BY)) {
    PA_NOT_FOUND(rq, "No such pet");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "pet");
    return;
  }
  send_pet(rq, 200, rq->ids[0]);
}

void pa_api_my_pets(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "pets");
  if (!list ||
      pa_store_pets_profiles_of(rq->db, rq->viewer, rq->viewer, append_pet, list) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "my pets");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* YYYY-MM-DD, a real calendar day, not in the future. */
static int date_ok(const char *s) {
  int y, m, d;
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
  y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return 0;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 0;
  char today[32];
  pa_api_format_time(pa_clock_now(), today);
  return strncmp(s, today, 10) <= 0;
}

typedef struct pet_fields {
  pa_store_pet_edit e; /* its avatar points at hash when one was sent */
  char hash[65];
} pet_fields;

/* Reads and checks the pet members of body; required on create: name and
 * species. An avatar upload is attached: call it inside the transaction. */
static int read_pet(pa_srv_req *rq, const cJSON *body, int create, pet_fields *f) {
  static const char *const fields[] = {"name", "species",         "breed", "birth_date",
                                       "bio",  "avatar_media_id", NULL};
  pa_store_pet_edit *e = &f->e;
  memset(f, 0, sizeof *f);
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "name", create, 1, 80, 0, &e->name) ||
      pa_api_str(rq, body, "species", create, 1, 40, 0, &e->species) ||
      pa_api_str(rq, body, "breed", 0, 0, 80, 0, &e->breed) ||
      pa_api_str(rq, body, "bio", 0, 0, 500, 1, &e->bio))
    return -1;
  if (!create && !cJSON_GetArraySize(body)) {
    PA_BAD(rq, "Send at least one field to change");
    return -1;
  }
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(body, "birth_date");
  e->set_birth_date = b != NULL;
  if (b && !cJSON_IsNull(b)) {
    if (!cJSON_IsString(b) || !date_ok(b->valuestring)) {
      PA_BAD(rq, "birth_date must be a past date like 2021-04-30, or null");
      return -1;
    }
    e->birth_date = b->valuestring;
  }
  int64_t upload = 0;
  e->set_avatar = cJSON_GetObjectItemCaseSensitive(body, "avatar_media_id") != NULL;
  if (pa_api_id(rq, body, "avatar_media_id", "m", 0, &upload)) return -1;
  char ext[8];
  if (upload && pa_api_own_media(rq, upload, "image", "avatar_media_id", "avatar_media_id", f->hash,
                                 ext) != 0)
    return -1;
  if (upload) e->avatar = f->hash;
  return 0;
}

void pa_api_pet_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pet_fields f;
  int64_t id = 0;
  if (pa_api_body(rq, &body) != 0) return;
  /* One transaction: the avatar's upload is attached only if the pet is written. */
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    cJSON_Delete(body);
    pa_api_internal(rq, "add pet");
    return;
  }
  if (read_pet(rq, body, 1, &f) != 0) {
    pa_store_rollback(rq->db);
    cJSON_Delete(body);
    return;
  }
  int rc = pa_store_pets_create(rq->db, rq->viewer, &f.e, pa_clock_now(), &id);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK)
    pa_api_internal(rq, "add pet");
  else
    send_pet(rq, 201, id);
}

int pa_api_path_pet_mine(pa_srv_req *rq, const char *refusal) {
  int64_t owner;
  int rc = pa_store_pets_owner(rq->db, rq->ids[0], &owner);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such pet");
    return -1;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "pet");
    return -1;
  }
  if (owner != rq->viewer) {
    PA_FORBIDDEN(rq, refusal);
    return -1;
  }
  return 0;
}

void pa_api_pet_patch(pa_srv_req *rq) {
  cJSON *body = NULL;
  pet_fields f;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    cJSON_Delete(body);
    pa_api_internal(rq, "change pet");
    return;
  }
  if (pa_api_path_pet_mine(rq, "Only the pet's owner may change it") != 0 ||
      read_pet(rq, body, 0, &f) != 0) {
    pa_store_rollback(rq->db);
    cJSON_Delete(body);
    return;
  }
  int rc = pa_store_pets_update(rq->db, rq->ids[0], &f.e);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) {
    pa_api_internal(rq, "change pet");
    return;
  }
  /* A replaced or removed avatar goes once nothing else shows it. */
  if (f.e.set_avatar) pa_api_media_gc(rq->db, rq->srv->media);
  send_pet(rq, 200, rq->ids[0]);
}

void pa_api_pet_delete(pa_srv_req *rq) {
  if (pa_api_path_pet_mine(rq, "Only the pet's owner may change it") != 0) return;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "delete pet");
    return;
  }
  if (pa_store_end(rq->db, pa_store_pets_delete(rq->db, rq->ids[0]) == PA_STORE_OK) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "delete pet");
    return;
  }
  pa_api_media_gc(rq->db, rq->srv->media);
  pa_api_ok(rq);
}
