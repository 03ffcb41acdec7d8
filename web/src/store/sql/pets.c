/* pa_store_pets: pets, their profiles and their owners' changes. */
#include "store/pets.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <limits.h>

int pa_store_pets_add(pa_store *db, const pa_store_pet *p, int64_t *id) {
  pa_store_pet_edit e = {.name = p->name,
                         .species = p->species,
                         .breed = p->breed,
                         .bio = p->bio,
                         .avatar = p->avatar};
  return pa_store_pets_create(db, p->owner_id, &e, p->created_at, id);
}

int pa_store_pets_create(pa_store *db, int64_t owner, const pa_store_pet_edit *e, int64_t now,
                         int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO pets (owner_id, name, species, breed, bio,"
                                   " avatar, birth_date, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, owner);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, e->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, e->species);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, e->breed ? e->breed : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, e->bio ? e->bio : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, e->avatar);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, e->birth_date);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, now);
  return pa_sq_run(db, st, rc, "add pet", id, NULL);
}

int pa_store_pets_update(pa_store *db, int64_t pet, const pa_store_pet_edit *e) {
  /* NULL keeps a field; ?7/?9 say whether birth_date/avatar change at all. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE pets SET name = coalesce(?2, name), species = coalesce(?3, species),"
                     " breed = coalesce(?4, breed), bio = coalesce(?5, bio),"
                     " birth_date = CASE WHEN ?7 = 1 THEN ?6 ELSE birth_date END,"
                     " avatar = CASE WHEN ?9 = 1 THEN ?8 ELSE avatar END WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, e->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, e->species);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, e->breed);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, e->bio);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, e->birth_date);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, e->set_birth_date != 0);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 8, e->avatar);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 9, e->set_avatar != 0);
  return pa_sq_run(db, st, rc, "change pet", NULL, NULL);
}

int pa_store_pets_delete(pa_store *db, int64_t pet) {
  /* Posts whose main pet this is, its stories and reels go by ON DELETE CASCADE. */
  return pa_sq_exec_i64(db, "DELETE FROM pets WHERE id = ?1", 1, &pet, NULL);
}

int pa_store_pets_owner(pa_store *db, int64_t pet, int64_t *owner) {
  return pa_sq_scalar_i64(db, "SELECT owner_id FROM pets WHERE id = ?1", 1, &pet, owner);
}

/* ?1 the pet (one) or the owner (of), ?2 the viewer. */
#define OWNER PA_SQ_PERSON_COLS("u", "um")
#define PROFILE_SQL(where)                                                                         \
  "SELECT t.id, t.name, t.species, t.avatar, tm.ext, t.breed, t.birth_date, t.bio,"                \
  "       t.created_at, " OWNER ","                                                                \
  "       (SELECT count(*) FROM post_pets pp JOIN posts p ON p.id = pp.post_id"                    \
  "         WHERE pp.pet_id = t.id AND p.mod_state = 0 AND " PA_SQ_NOT_CREATIVE(                   \
      "p.id") "),"                                                                                 \
              "       (SELECT count(*) FROM pet_follows f WHERE f.pet_id = t.id),"                 \
              "       EXISTS (SELECT 1 FROM pet_follows f WHERE f.pet_id = t.id AND "              \
              "f.follower_id = ?2)"                                                                \
              "  FROM pets t JOIN users u ON u.id = t.owner_id"                                    \
              "  LEFT JOIN media tm ON tm.hash = t.avatar LEFT JOIN media um ON um.hash = "        \
              "u.avatar"                                                                           \
              " WHERE " where

/* The caller's callback for the rows of a walk, and how many it was given. */
typedef struct rows {
  pa_store_pet_profile_fn profile;
  pa_store_pet_ref_fn ref;
  void *ctx;
  int rows;
} rows;

static const char profile_one_sql[] = PROFILE_SQL("t.id = ?1");
static const char profiles_of_sql[] = PROFILE_SQL("t.owner_id = ?1 ORDER BY t.id");

static int profile_row(void *ctx, pa_sql_stmt *st) {
  rows *r = ctx;
  pa_store_pet_profile p = {.breed = pa_sq_text(st, 5),
                            .birth_date = pa_sq_text(st, 6),
                            .bio = pa_sq_text(st, 7),
                            .created_at = pa_sq_i64(st, 8),
                            .post_count = pa_sq_i64(st, 14),
                            .follower_count = pa_sq_i64(st, 15),
                            .following = (int)pa_sq_i64(st, 16)};
  pa_sq_pet_ref(st, 0, &p.pet);
  pa_sq_person(st, 9, &p.owner);
  r->rows++;
  return r->profile(r->ctx, &p);
}

static int ref_row(void *ctx, pa_sql_stmt *st) {
  rows *r = ctx;
  pa_store_pet_ref p;
  pa_sq_pet_ref(st, 0, &p);
  r->rows++;
  return r->ref(r->ctx, &p);
}

/* Every row of st, bound with bind_rc (PA_SQ_OK when binding went well). */
static int all_rows(pa_store *db, pa_sql_stmt *st, int bind_rc, int (*row)(void *, pa_sql_stmt *),
                    rows *r, const char *what) {
  pa_store_cursor next;
  int more;
  if (bind_rc != PA_SQ_OK) {
    int out = pa_sq_fail(db, what);
    pa_sq_done(st);
    return out;
  }
  return pa_sq_page(db, st, INT_MAX, row, r, 0, 0, &next, &more, what);
}

static int profiles(pa_store *db, const char *sql, int64_t id, int64_t viewer,
                    pa_store_pet_profile_fn fn, void *ctx, int *count) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[2] = {id, viewer};
  rows r = {.profile = fn, .ctx = ctx};
  int rc = all_rows(db, st, pa_sq_bind_i64s(st, 2, args), profile_row, &r, "pet");
  *count = r.rows;
  return rc;
}

int pa_store_pets_profile_get(pa_store *db, int64_t pet, int64_t viewer, pa_store_pet_profile_fn fn,
                              void *ctx) {
  int n, rc = profiles(db, profile_one_sql, pet, viewer, fn, ctx, &n);
  return rc == PA_STORE_OK && n == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_pets_profiles_of(pa_store *db, int64_t owner, int64_t viewer,
                              pa_store_pet_profile_fn fn, void *ctx) {
  int n;
  return profiles(db, profiles_of_sql, owner, viewer, fn, ctx, &n);
}

int pa_store_pets_of(pa_store *db, int64_t owner, pa_store_pet_ref_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT t.id, t.name, t.species, t.avatar, m.ext FROM pets t"
                                   " LEFT JOIN media m ON m.hash = t.avatar"
                                   " WHERE t.owner_id = ?1 ORDER BY t.id");
  if (!st) return PA_STORE_EDB;
  rows r = {.ref = fn, .ctx = ctx};
  return all_rows(db, st, pa_sq_bind_i64(st, 1, owner), ref_row, &r, "pets");
}
