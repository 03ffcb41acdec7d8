/* pa_store_media over SQLite: stored files. */
#include "store/media.h"

#include "store/sqlite/sq.h"

#include <stdio.h>

int pa_store_media_add(pa_store *db, const pa_store_media *m) {
  sqlite3_stmt *st =
      pa_sq_stmt(db, "INSERT INTO media (hash, ext, width, height, bytes, created_at, thumbhash)"
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

int pa_store_upload_file(pa_store *db, int64_t upload, int64_t user, char hash[65], char ext[8]) {
  sqlite3_stmt *st = pa_sq_stmt(db, "SELECT m.hash, m.ext FROM uploads u"
                                    " JOIN media m ON m.hash = u.media"
                                    " WHERE u.id = ?1 AND u.user_id = ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {upload, user};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    snprintf(hash, 65, "%s", pa_sq_text(st, 0) ? pa_sq_text(st, 0) : "");
    snprintf(ext, 8, "%s", pa_sq_text(st, 1) ? pa_sq_text(st, 1) : "");
  }
  int out = rc == SQLITE_ROW    ? PA_STORE_OK
            : rc == SQLITE_DONE ? PA_STORE_ENOTFOUND
                                : pa_sq_fail(db, "upload");
  pa_sq_done(st);
  return out;
}

int pa_store_upload_attach(pa_store *db, int64_t upload, int64_t now) {
  int64_t a[2] = {upload, now};
  return pa_sq_exec_i64(
      db, "UPDATE uploads SET attached_at = coalesce(attached_at, ?2) WHERE id = ?1", 2, a, NULL);
}
