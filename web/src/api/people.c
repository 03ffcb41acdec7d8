/* pa_srv — people and pets: profiles, pets, follows, search. */
#include "api/api.h"
#include "clock.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static int add_count(cJSON *o, const char *key, sqlite3_stmt *st, int i) {
  return cJSON_AddNumberToObject(o, key, (double)sqlite3_column_int64(st, i)) ? 0 : -1;
}

/* ?1 the filter's id, ?2 the viewer. */
#define PET_SQL(where)                                                                             \
  "SELECT t.id, t.name, t.species, t.avatar, tm.ext, t.breed, t.birth_date, t.bio,"                \
  "       t.created_at, u.id, u.name, u.avatar, um.ext,"                                           \
  "       (SELECT count(*) FROM post_pets pp WHERE pp.pet_id = t.id),"                             \
  "       (SELECT count(*) FROM pet_follows f WHERE f.pet_id = t.id),"                             \
  "       EXISTS (SELECT 1 FROM pet_follows f WHERE f.pet_id = t.id AND f.follower_id = ?2)"       \
  "  FROM pets t JOIN users u ON u.id = t.owner_id"                                                \
  "  LEFT JOIN media tm ON tm.hash = t.avatar LEFT JOIN media um ON um.hash = u.avatar"            \
  " WHERE " where

static cJSON *pet_json(sqlite3_stmt *st) {
  cJSON *o = pa_api_pet_json(st, 0), *owner = pa_api_user_json(st, 9);
  int bad = !o || !owner || !cJSON_AddStringToObject(o, "breed", col(st, 5) ? col(st, 5) : "");
  if (!bad)
    bad = col(st, 6) ? !cJSON_AddStringToObject(o, "birth_date", col(st, 6))
                     : !cJSON_AddNullToObject(o, "birth_date");
  if (!bad) {
    bad = !cJSON_AddStringToObject(o, "bio", col(st, 7) ? col(st, 7) : "") ||
          pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 8));
    cJSON_AddItemToObject(o, "owner", owner);
    owner = NULL;
    bad |= add_count(o, "post_count", st, 13) || add_count(o, "follower_count", st, 14) ||
           !cJSON_AddBoolToObject(o, "following", sqlite3_column_int(st, 15));
  }
  cJSON_Delete(owner);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The pet as JSON; NULL with *missing set when there is none. */
static cJSON *load_pet(pa_srv_req *rq, int64_t id, int *missing) {
  sqlite3_stmt *st = pa_sq_stmt(rq->db, PET_SQL("t.id = ?1"));
  int rc = st ? sqlite3_bind_int64(st, 1, id) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  *missing = rc == SQLITE_DONE;
  cJSON *o = rc == SQLITE_ROW ? pet_json(st) : NULL;
  pa_sq_done(st);
  return o;
}

static void send_pet(pa_srv_req *rq, int status, int64_t id) {
  int missing;
  cJSON *o = load_pet(rq, id, &missing);
  if (missing)
    PA_NOT_FOUND(rq, "No such pet");
  else if (!o)
    pa_api_internal(rq, "pet");
  else
    pa_api_json(rq, status, o);
}

void pa_api_pet_get(pa_srv_req *rq) { send_pet(rq, 200, rq->ids[0]); }

void pa_api_my_pets(pa_srv_req *rq) {
  sqlite3_stmt *st = pa_sq_stmt(rq->db, PET_SQL("t.owner_id = ?1 ORDER BY t.id"));
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "pets");
  int rc = st && list ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    cJSON *o = pet_json(st);
    rc = o && cJSON_AddItemToArray(list, o) ? SQLITE_OK : SQLITE_NOMEM;
    if (rc != SQLITE_OK) cJSON_Delete(o);
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
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
  const char *name, *species, *breed, *bio, *birth_date;
  int has_birth, has_avatar; /* present in the body (possibly null) */
  char avatar[65];           /* media hash, "" for none */
} pet_fields;

/* Reads and checks the pet members of body; required: name and species. */
static int read_pet(pa_srv_req *rq, const cJSON *body, int create, pet_fields *f) {
  static const char *const fields[] = {"name", "species",         "breed", "birth_date",
                                       "bio",  "avatar_media_id", NULL};
  memset(f, 0, sizeof *f);
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "name", create, 1, 80, 0, &f->name) ||
      pa_api_str(rq, body, "species", create, 1, 40, 0, &f->species) ||
      pa_api_str(rq, body, "breed", 0, 0, 80, 0, &f->breed) ||
      pa_api_str(rq, body, "bio", 0, 0, 500, 1, &f->bio))
    return -1;
  if (!create && !cJSON_GetArraySize(body)) {
    PA_BAD(rq, "Send at least one field to change");
    return -1;
  }
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(body, "birth_date");
  f->has_birth = b != NULL;
  if (b && !cJSON_IsNull(b)) {
    if (!cJSON_IsString(b) || !date_ok(b->valuestring)) {
      PA_BAD(rq, "birth_date must be a past date like 2021-04-30, or null");
      return -1;
    }
    f->birth_date = b->valuestring;
  }
  int64_t upload = 0;
  f->has_avatar = cJSON_GetObjectItemCaseSensitive(body, "avatar_media_id") != NULL;
  if (pa_api_id(rq, body, "avatar_media_id", "m", 0, &upload)) return -1;
  char ext[8];
  if (upload && pa_api_own_media(rq, upload, "image", "avatar_media_id", "avatar_media_id",
                                 f->avatar, ext) != 0)
    return -1;
  return 0;
}

static int bind_opt(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

void pa_api_pet_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pet_fields f;
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
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "INSERT INTO pets (owner_id, name, species, breed, bio,"
                                        " avatar, birth_date, created_at)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = bind_opt(st, 2, f.name);
  if (rc == SQLITE_OK) rc = bind_opt(st, 3, f.species);
  if (rc == SQLITE_OK) rc = bind_opt(st, 4, f.breed ? f.breed : "");
  if (rc == SQLITE_OK) rc = bind_opt(st, 5, f.bio ? f.bio : "");
  if (rc == SQLITE_OK) rc = bind_opt(st, 6, f.avatar[0] ? f.avatar : NULL);
  if (rc == SQLITE_OK) rc = bind_opt(st, 7, f.birth_date);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 8, pa_clock_now());
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "add pet");
  int64_t id = sqlite3_last_insert_rowid(pa_sq_handle(rq->db));
  pa_sq_done(st);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == SQLITE_DONE) != PA_STORE_OK) rc = SQLITE_ERROR;
  if (rc != SQLITE_DONE)
    pa_api_internal(rq, "add pet");
  else
    send_pet(rq, 201, id);
}

/* 0 when the path's pet is the viewer's; else 404/403 sent. */
static int my_pet(pa_srv_req *rq) {
  int64_t owner;
  int found;
  if (pa_sq_scalar_found(rq->db, "SELECT owner_id FROM pets WHERE id = ?1", 1, &rq->ids[0], &owner,
                         &found) != PA_STORE_OK) {
    pa_api_internal(rq, "pet");
    return -1;
  }
  if (!found) {
    PA_NOT_FOUND(rq, "No such pet");
    return -1;
  }
  if (owner != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the pet's owner may change it");
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
  if (my_pet(rq) != 0 || read_pet(rq, body, 0, &f) != 0) {
    pa_store_rollback(rq->db);
    cJSON_Delete(body);
    return;
  }
  /* NULL keeps a field; ?7/?9 say whether birth_date/avatar were sent at all. */
  sqlite3_stmt *st = pa_sq_stmt(
      rq->db, "UPDATE pets SET name = coalesce(?2, name), species = coalesce(?3, species),"
              " breed = coalesce(?4, breed), bio = coalesce(?5, bio),"
              " birth_date = CASE WHEN ?7 THEN ?6 ELSE birth_date END,"
              " avatar = CASE WHEN ?9 THEN ?8 ELSE avatar END WHERE id = ?1");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = bind_opt(st, 2, f.name);
  if (rc == SQLITE_OK) rc = bind_opt(st, 3, f.species);
  if (rc == SQLITE_OK) rc = bind_opt(st, 4, f.breed);
  if (rc == SQLITE_OK) rc = bind_opt(st, 5, f.bio);
  if (rc == SQLITE_OK) rc = bind_opt(st, 6, f.birth_date);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 7, f.has_birth);
  if (rc == SQLITE_OK) rc = bind_opt(st, 8, f.avatar[0] ? f.avatar : NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 9, f.has_avatar);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "change pet");
  pa_sq_done(st);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == SQLITE_DONE) != PA_STORE_OK) {
    pa_api_internal(rq, "change pet");
    return;
  }
  /* A replaced or removed avatar goes once nothing else shows it. */
  if (f.has_avatar) pa_api_media_gc(rq->db, rq->srv->media_dir);
  send_pet(rq, 200, rq->ids[0]);
}

void pa_api_pet_delete(pa_srv_req *rq) {
  if (my_pet(rq) != 0) return;
  /* Posts whose main pet this is, its stories and reels go by ON DELETE CASCADE. */
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_sq_exec_i64(rq->db, "DELETE FROM pets WHERE id = ?1", 1, &rq->ids[0], NULL) !=
          PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "delete pet");
    pa_store_rollback(rq->db);
    return;
  }
  pa_api_media_gc(rq->db, rq->srv->media_dir);
  pa_api_ok(rq);
}

/* ---- people */

void pa_api_user_get(pa_srv_req *rq) {
  sqlite3_stmt *st = pa_sq_stmt(
      rq->db, "SELECT u.id, u.name, u.avatar, m.ext, u.handle, u.bio, u.created_at,"
              "       (SELECT count(*) FROM pets WHERE owner_id = u.id),"
              "       (SELECT count(*) FROM posts WHERE author_id = u.id),"
              "       (SELECT count(*) FROM follows WHERE followee_id = u.id),"
              "       (SELECT count(*) FROM follows WHERE follower_id = u.id),"
              "       EXISTS (SELECT 1 FROM follows WHERE followee_id = u.id AND follower_id = ?2)"
              "  FROM users u LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  cJSON *o = NULL;
  if (rc == SQLITE_ROW) {
    cJSON *summary = pa_api_user_json(st, 0);
    o = cJSON_CreateObject();
    int bad = !summary || !o || pa_api_add_id(o, "id", "u", sqlite3_column_int64(st, 0)) ||
              !cJSON_AddStringToObject(o, "name", col(st, 1) ? col(st, 1) : "") ||
              !cJSON_AddStringToObject(o, "handle", col(st, 4) ? col(st, 4) : "") ||
              !cJSON_AddStringToObject(o, "bio", col(st, 5) ? col(st, 5) : "") ||
              !cJSON_AddItemToObject(o, "avatar_url",
                                     cJSON_DetachItemFromObject(summary, "avatar_url")) ||
              pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 6)) ||
              add_count(o, "pet_count", st, 7) || add_count(o, "post_count", st, 8) ||
              add_count(o, "follower_count", st, 9) || add_count(o, "following_count", st, 10) ||
              !cJSON_AddBoolToObject(o, "following", sqlite3_column_int(st, 11));
    cJSON_Delete(summary);
    if (bad) {
      cJSON_Delete(o);
      o = NULL;
    }
  }
  pa_sq_done(st);
  if (rc == SQLITE_DONE) {
    PA_NOT_FOUND(rq, "No such user");
    return;
  }
  cJSON *pets = o ? cJSON_AddArrayToObject(o, "pets") : NULL;
  st = pets ? pa_sq_stmt(rq->db, "SELECT t.id, t.name, t.species, t.avatar, m.ext FROM pets t"
                                 " LEFT JOIN media m ON m.hash = t.avatar"
                                 " WHERE t.owner_id = ?1 ORDER BY t.id")
            : NULL;
  rc = st ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    cJSON *p = pa_api_pet_json(st, 0);
    rc = p && cJSON_AddItemToArray(pets, p) ? SQLITE_OK : SQLITE_NOMEM;
    if (rc != SQLITE_OK) cJSON_Delete(p);
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(o);
    pa_api_internal(rq, "user");
    return;
  }
  pa_api_json(rq, 200, o);
}

/* PATCH /api/v1/me: the avatar (an upload of the viewer's, or null). */
void pa_api_me_patch(pa_srv_req *rq) {
  static const char *const fields[] = {"avatar_media_id", NULL};
  char hash[65] = "", ext[8];
  int64_t upload = 0;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  int refused =
      pa_api_only(rq, body, fields) || pa_api_id(rq, body, "avatar_media_id", "m", 0, &upload);
  if (!refused && !cJSON_GetObjectItemCaseSensitive(body, "avatar_media_id")) {
    PA_BAD(rq, "Send avatar_media_id: an upload of yours, or null to remove the avatar");
    refused = 1;
  }
  cJSON_Delete(body);
  if (refused) return;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "change avatar");
    return;
  }
  if (upload &&
      pa_api_own_media(rq, upload, "image", "avatar_media_id", "avatar_media_id", hash, ext)) {
    pa_store_rollback(rq->db);
    return;
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "UPDATE users SET avatar = ?2 WHERE id = ?1");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = bind_opt(st, 2, upload ? hash : NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "change avatar");
  pa_sq_done(st);
  if (pa_store_end(rq->db, rc == SQLITE_DONE) != PA_STORE_OK) {
    pa_api_internal(rq, "change avatar");
    return;
  }
  /* The avatar it replaced goes once nothing else shows it. */
  pa_api_media_gc(rq->db, rq->srv->media_dir);
  rq->ids[0] = rq->viewer;
  pa_api_user_get(rq);
}

static void follow(pa_srv_req *rq, int pet, int on) {
  static const char *const sql[2][2] = {
      {"DELETE FROM follows WHERE follower_id = ?1 AND followee_id = ?2",
       "INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?1, ?2, ?3)"},
      {"DELETE FROM pet_follows WHERE follower_id = ?1 AND pet_id = ?2",
       "INSERT OR IGNORE INTO pet_follows (follower_id, pet_id, created_at) VALUES (?1, ?2, ?3)"}};
  int64_t a[3] = {rq->viewer, rq->ids[0], pa_clock_now()}, count = 0, v;
  int found;
  if (pa_sq_scalar_found(
          rq->db, pet ? "SELECT 1 FROM pets WHERE id = ?1" : "SELECT 1 FROM users WHERE id = ?1", 1,
          &rq->ids[0], &v, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "follow");
    return;
  }
  if (!found) {
    PA_NOT_FOUND(rq, pet ? "No such pet" : "No such user");
    return;
  }
  if (!pet && rq->ids[0] == rq->viewer) {
    PA_BAD(rq, "You cannot follow yourself");
    return;
  }
  if (pa_sq_exec_i64(rq->db, sql[pet][on], on ? 3 : 2, a, NULL) != PA_STORE_OK ||
      pa_sq_scalar_found(rq->db,
                         pet ? "SELECT count(*) FROM pet_follows WHERE pet_id = ?1"
                             : "SELECT count(*) FROM follows WHERE followee_id = ?1",
                         1, &rq->ids[0], &count, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "follow");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddBoolToObject(root, "following", on) ||
               !cJSON_AddNumberToObject(root, "follower_count", (double)count))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_user_follow(pa_srv_req *rq) { follow(rq, 0, 1); }
void pa_api_user_unfollow(pa_srv_req *rq) { follow(rq, 0, 0); }
void pa_api_pet_follow(pa_srv_req *rq) { follow(rq, 1, 1); }
void pa_api_pet_unfollow(pa_srv_req *rq) { follow(rq, 1, 0); }

/* ?1 the user, ?2 ?3 the cursor (follow time, user id), ?4 the row limit. */
static const char followers_sql[] =
    "SELECT f.created_at, u.id, u.name, u.avatar, m.ext FROM follows f"
    "  JOIN users u ON u.id = f.follower_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.followee_id = ?1 AND (f.created_at, u.id) < (?2, ?3)"
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4";
static const char following_sql[] =
    "SELECT f.created_at, u.id, u.name, u.avatar, m.ext FROM follows f"
    "  JOIN users u ON u.id = f.followee_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.follower_id = ?1 AND (f.created_at, u.id) < (?2, ?3)"
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4";

/* ?1 the pet, as above. */
static const char pet_followers_sql[] =
    "SELECT f.created_at, u.id, u.name, u.avatar, m.ext FROM pet_follows f"
    "  JOIN users u ON u.id = f.follower_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.pet_id = ?1 AND (f.created_at, u.id) < (?2, ?3)"
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4";

/* A row of the queries above: the follow's time, then the user. */
static cJSON *follower_json(sqlite3_stmt *st) { return pa_api_user_json(st, 1); }

/* pet: the path's id is a pet's (else a user's). */
static void people_page(pa_srv_req *rq, const char *sql, int pet) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  int64_t v;
  int found;
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  if (pa_sq_scalar_found(
          rq->db, pet ? "SELECT 1 FROM pets WHERE id = ?1" : "SELECT 1 FROM users WHERE id = ?1", 1,
          &rq->ids[0], &v, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "people");
    return;
  }
  if (!found) {
    PA_NOT_FOUND(rq, pet ? "No such pet" : "No such user");
    return;
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, sql);
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "users");
  int rc = st && list ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, has_cursor ? after.created_at : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, has_cursor ? after.id : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, limit + 1);
  if (rc == SQLITE_OK) rc = pa_api_page_rows(st, limit, follower_json, list, 0, 1, &next, &more);
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "people");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_followers(pa_srv_req *rq) { people_page(rq, followers_sql, 0); }
void pa_api_following(pa_srv_req *rq) { people_page(rq, following_sql, 0); }
void pa_api_pet_followers(pa_srv_req *rq) { people_page(rq, pet_followers_sql, 1); }

/* ---- search: prefix-of-a-word matches (class 0) before substring ones (1) */

/* ?1 folded query, ?2 ?3 cursor (class, id), ?4 row limit. */
static const char search_people_sql[] =
    "SELECT cls, id, name, avatar, ext FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(u.name) || ' ' || u.handle, ' ' || ?1) > 0 THEN 0"
    "              WHEN instr(pa_fold(u.name) || ' ' || u.handle, ?1) > 0 THEN 1 ELSE 2 END AS cls,"
    "         u.id AS id, u.name AS name, u.avatar AS avatar, m.ext AS ext"
    "    FROM users u LEFT JOIN media m ON m.hash = u.avatar)"
    " WHERE cls < 2 AND (cls, id) > (?2, ?3) ORDER BY cls, id LIMIT ?4";
/* Pets match by name or by breed (a breed result leads to its pets). */
static const char search_pets_sql[] =
    "SELECT cls, id, name, species, avatar, ext FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(t.name) || ' ' || pa_fold(t.breed), ' ' || ?1) > 0"
    "              THEN 0"
    "              WHEN instr(pa_fold(t.name) || ' ' || pa_fold(t.breed), ?1) > 0 THEN 1"
    "              ELSE 2 END AS cls,"
    "         t.id AS id, t.name AS name, t.species AS species, t.avatar AS avatar, m.ext AS ext"
    "    FROM pets t LEFT JOIN media m ON m.hash = t.avatar)"
    " WHERE cls < 2 AND (cls, id) > (?2, ?3) ORDER BY cls, id LIMIT ?4";
/* Groups have no id of their own: these page by (class, smallest member id). */
static const char search_breeds_sql[] =
    "SELECT cls, gid, breed, species, n FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(breed), ' ' || ?1) > 0 THEN 0"
    "              WHEN instr(pa_fold(breed), ?1) > 0 THEN 1 ELSE 2 END AS cls,"
    "         min(id) AS gid, breed, species, count(*) AS n"
    "    FROM pets WHERE breed <> '' GROUP BY breed, species)"
    " WHERE cls < 2 AND (cls, gid) > (?2, ?3) ORDER BY cls, gid LIMIT ?4";
/* Tags share posts, so (class, tag) orders them; the cursor's id is the rank. */
static const char search_tags_sql[] =
    "SELECT cls, tag, n FROM ("
    "  SELECT CASE WHEN instr(tag, ?1) = 1 THEN 0 WHEN instr(tag, ?1) > 1 THEN 1 ELSE 2 END AS cls,"
    "         tag, count(*) AS n FROM post_tags GROUP BY tag)"
    " WHERE cls < 2 ORDER BY cls, n DESC, tag LIMIT ?4 OFFSET ?3";

void pa_api_search(pa_srv_req *rq) {
  static const char *const types[] = {"people", "pets", "breeds", "tags"};
  static const char *const sqls[] = {search_people_sql, search_pets_sql, search_breeds_sql,
                                     search_tags_sql};
  char q[400], type[16], folded[420];
  int limit, has_cursor, t = -1, n = 0, more = 0;
  pa_store_cursor after, next = {0, 0};
  int rc = pa_api_query(rq, "type", type, sizeof type);
  if (rc < 0) return;
  for (int i = 0; rc == 0 && i < 4; i++)
    if (strcmp(type, types[i]) == 0) t = i;
  if (t < 0) {
    PA_BAD(rq, "type must be people, pets, breeds or tags");
    return;
  }
  rc = pa_api_query(rq, "q", q, 101 + 2);
  if (rc < 0) return;
  /* Trim spaces, and the sigils people type: '#' for tags, '@' for people. */
  char *s = q;
  size_t len = rc == 0 ? strlen(q) : 0;
  while (len && (*s == ' ' || *s == '#' || *s == '@')) s++, len--;
  while (len && s[len - 1] == ' ') s[--len] = '\0';
  if (len == 0 || len > 100 || pa_str_utf8_len(s, len, 0) < 0 ||
      pa_str_fold(s, folded, sizeof folded) != 0) {
    PA_BAD(rq, "q must be 1 to 100 bytes of text");
    return;
  }
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  /* Tag pages continue at an offset; the cursor says which type it is for. */
  if (has_cursor && t == 3 &&
      (after.id != 4 || after.created_at < 0 || after.created_at > 1000000)) {
    PA_BAD(rq, "cursor is not valid; use next_cursor from the previous page");
    return;
  }
  if (has_cursor && t != 3 && (after.created_at < 0 || after.created_at > 1)) {
    PA_BAD(rq, "cursor is not valid; use next_cursor from the previous page");
    return;
  }
  if (pa_api_limited(rq, PA_LIMIT_SEARCH, NULL) != 0) return;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, sqls[t]);
  cJSON *root = cJSON_CreateObject(), *list;
  int bad = !root || !cJSON_AddStringToObject(root, "type", types[t]) ||
            !(list = cJSON_AddArrayToObject(root, "results"));
  rc = st && !bad ? sqlite3_bind_text(st, 1, folded, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (t == 3) {
    int64_t offset = has_cursor ? after.created_at : 0;
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, offset);
    next.created_at = offset;
    next.id = 4;
  } else {
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, has_cursor ? after.created_at : -1);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, has_cursor ? after.id : 0);
  }
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, limit + 1);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == limit) {
      more = 1;
      rc = SQLITE_DONE;
      break;
    }
    cJSON *o = NULL;
    if (t == 0)
      o = pa_api_user_json(st, 1);
    else if (t == 1)
      o = pa_api_pet_json(st, 1);
    else if ((o = cJSON_CreateObject()) != NULL) {
      int fail = t == 2
                     ? !cJSON_AddStringToObject(o, "breed", col(st, 2) ? col(st, 2) : "") ||
                           !cJSON_AddStringToObject(o, "species", col(st, 3) ? col(st, 3) : "") ||
                           add_count(o, "pet_count", st, 4)
                     : !cJSON_AddStringToObject(o, "tag", col(st, 1) ? col(st, 1) : "") ||
                           add_count(o, "post_count", st, 2);
      if (fail) {
        cJSON_Delete(o);
        o = NULL;
      }
    }
    rc = o && cJSON_AddItemToArray(list, o) ? SQLITE_OK : SQLITE_NOMEM;
    if (rc != SQLITE_OK) cJSON_Delete(o);
    if (t == 3) {
      next.created_at++;
    } else {
      next.created_at = sqlite3_column_int64(st, 0);
      next.id = sqlite3_column_int64(st, 1);
    }
    n++;
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "search");
    return;
  }
  pa_api_json(rq, 200, root);
}
