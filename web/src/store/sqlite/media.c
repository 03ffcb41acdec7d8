/* pa_store_media over SQLite: stored files. */
#include "store/media.h"

#include "store/sqlite/sq.h"

int pa_store_media_add(pa_store *db, const pa_store_media *m) {
  sqlite3_stmt *st = pa_sq_stmt(db, "INSERT INTO media (hash, ext, width, height, bytes, created_at, thumbhash)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO UPDATE"
          " SET thumbhash = coalesce(thumbhash, excluded.thumbhash)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, m->hash);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 2, m->ext);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 3, m->width);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, m->height);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, m->bytes);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, m->created_at);
  if (rc == SQLITE_OK) rc = pa_sq_bind_text(st, 7, m->thumbhash);
  return pa_sq_run(db, st, rc, "add media", NULL, NULL);
}

