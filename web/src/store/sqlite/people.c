/* pa_store_people over SQLite: people and their pets. */
#include "store/people.h"

#include "store/sqlite/sq.h"

int pa_store_user_add(pa_store *db, const pa_store_user *u, int64_t *id) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO users (handle, name, bio, avatar, created_at)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, u->handle);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 2, u->name);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, u->bio ? u->bio : "");
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 4, u->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, u->created_at);
  return pa_sq_run(db, st, rc, "add user", id, NULL);
}

int pa_store_pet_add(pa_store *db, const pa_store_pet *p, int64_t *id) {
  sqlite3_stmt *st =
      pa_sq_stmt(db, "INSERT INTO pets (owner_id, name, species, breed, bio, avatar,"
                     " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = sqlite3_bind_int64(st, 1, p->owner_id);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 2, p->name);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 3, p->species);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 4, p->breed ? p->breed : "");
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 5, p->bio ? p->bio : "");
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 6, p->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, p->created_at);
  return pa_sq_run(db, st, rc, "add pet", id, NULL);
}

int pa_store_pet_owner(pa_store *db, int64_t pet, int64_t *owner) {
  return pa_sq_scalar_i64(db, "SELECT owner_id FROM pets WHERE id = ?1", 1, &pet, owner);
}
