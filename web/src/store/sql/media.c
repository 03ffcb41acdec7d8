/* pa_store_media: stored files. */
#include "store/media.h"

#include "store/sql/sql.h"

#include <stdio.h>

int pa_store_media_add(pa_store *db, const pa_store_media *m) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO media (hash, ext, width, height, bytes, created_at, thumbhash)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO UPDATE"
                     " SET thumbhash = coalesce(media.thumbhash, excluded.thumbhash)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, m->hash);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, m->ext);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, m->width);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, m->height);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, m->bytes);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, m->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, m->thumbhash);
  return pa_sq_run(db, st, rc, "add media", NULL, NULL);
}

int pa_store_media_upload_file(pa_store *db, int64_t upload, int64_t user, char hash[65],
                               char ext[8]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT m.hash, m.ext FROM uploads u"
                                   " JOIN media m ON m.hash = u.media"
                                   " WHERE u.id = ?1 AND u.user_id = ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {upload, user};
  int rc = pa_sq_bind_i64s(st, 2, a);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    snprintf(hash, 65, "%s", pa_sq_text(st, 0) ? pa_sq_text(st, 0) : "");
    snprintf(ext, 8, "%s", pa_sq_text(st, 1) ? pa_sq_text(st, 1) : "");
  }
  int out = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "upload");
  pa_sq_done(st);
  return out;
}

int pa_store_media_upload_attach(pa_store *db, int64_t upload, int64_t now) {
  int64_t a[2] = {upload, now};
  return pa_sq_exec_i64(
      db, "UPDATE uploads SET attached_at = coalesce(attached_at, ?2) WHERE id = ?1", 2, a, NULL);
}

int pa_store_media_upload_add(pa_store *db, int64_t user, const pa_store_media *m, int64_t *id) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  if ((rc = pa_store_media_add(db, m)) == PA_STORE_OK) {
    pa_sql_stmt *st =
        pa_sq_stmt(db, "INSERT INTO uploads (user_id, media, created_at) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (user_id, media) DO UPDATE"
                       " SET created_at = excluded.created_at, attached_at = NULL"
                       " RETURNING id");
    int b = st ? pa_sq_bind_i64(st, 1, user) : PA_SQ_ERROR;
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, m->hash);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, m->created_at);
    rc = st ? pa_sq_run(db, st, b, "add upload", id, NULL) : PA_STORE_EDB;
  }
  if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK && rc == PA_STORE_OK) rc = PA_STORE_EDB;
  return rc;
}

int pa_store_media_upload_owner(pa_store *db, int64_t upload, int64_t *owner) {
  return pa_sq_scalar_i64(db, "SELECT user_id FROM uploads WHERE id = ?1", 1, &upload, owner);
}

int pa_store_media_upload_delete(pa_store *db, int64_t upload) {
  return pa_sq_exec_i64(db, "DELETE FROM uploads WHERE id = ?1", 1, &upload, NULL);
}

/* ---- the daily upload quota */

int pa_store_media_upload_bytes(pa_store *db, int64_t user, int64_t day, int64_t *used) {
  int64_t a[2] = {day, user};
  *used = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT bytes FROM upload_bytes WHERE day = ?1 AND user_id = ?2", 2,
                            a, used);
  return rc == PA_STORE_ENOTFOUND ? PA_STORE_OK : rc;
}

int pa_store_media_upload_charge(pa_store *db, int64_t user, int64_t day, int64_t bytes,
                                 int64_t quota, int *charged) {
  int64_t a[4] = {day, user, bytes, quota};
  int changes = 0;
  int rc = pa_sq_exec_i64(
      db,
      "INSERT INTO upload_bytes (day, user_id, bytes) SELECT ?1, ?2, ?3 WHERE ?3 <= ?4"
      " ON CONFLICT (day, user_id) DO UPDATE SET bytes = upload_bytes.bytes + excluded.bytes"
      " WHERE upload_bytes.bytes + excluded.bytes <= ?4",
      4, a, &changes);
  *charged = rc == PA_STORE_OK && changes > 0;
  return rc;
}

int pa_store_media_upload_refund(pa_store *db, int64_t user, int64_t day, int64_t bytes) {
  int64_t a[3] = {day, user, bytes};
  return pa_sq_exec_i64(db,
                        "UPDATE upload_bytes SET bytes = CASE WHEN bytes > ?3 THEN bytes - ?3"
                        " ELSE 0 END WHERE day = ?1 AND user_id = ?2",
                        3, a, NULL);
}

/* ---- collection */

int pa_store_media_uploads_expire(pa_store *db, int64_t drafts_before, int64_t day) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  /* The trigger on uploads queues the drafts' hashes. */
  rc = pa_sq_exec_i64(db, "DELETE FROM uploads WHERE attached_at IS NULL AND created_at <= ?1", 1,
                      &drafts_before, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db, "DELETE FROM upload_bytes WHERE day < ?1", 1, &day, NULL);
  if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK && rc == PA_STORE_OK) rc = PA_STORE_EDB;
  return rc;
}

/* ?1 a hash that lost a reference: whether anything still holds it. */
static const char held_sql[] =
    "SELECT EXISTS (SELECT 1 FROM post_images WHERE media = ?1)"
    "    OR EXISTS (SELECT 1 FROM uploads WHERE media = ?1 AND attached_at IS NULL)"
    "    OR EXISTS (SELECT 1 FROM users WHERE avatar = ?1)"
    "    OR EXISTS (SELECT 1 FROM pets WHERE avatar = ?1)"
    "    OR EXISTS (SELECT 1 FROM stories WHERE media = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE video = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE poster = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE video_alt = ?1)"
    "    OR EXISTS (SELECT 1 FROM listing_photos WHERE media = ?1)";

/* Runs sql with hash bound as ?1 to its end; *held (optional) gets column 0
 * of its row. */
static int hash_run(pa_store *db, const char *sql, const char *hash, int64_t *held) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_text(st, 1, hash), "media gc", held, NULL);
}

/* The queued hashes, up to max, with their extension ("" when the media row
 * is gone already) into items: *m of them. */
static int queued(pa_store *db, int max, pa_store_media_file *items, int *m) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT q.hash, m.ext FROM media_unref q"
                                   " LEFT JOIN media m ON m.hash = q.hash LIMIT ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, max);
  *m = 0;
  while (rc == PA_SQ_OK && (rc = pa_sq_step(st)) == PA_SQ_ROW) {
    const char *h = pa_sq_text(st, 0), *e = pa_sq_text(st, 1);
    snprintf(items[*m].hash, sizeof items[*m].hash, "%s", h ? h : "");
    snprintf(items[*m].ext, sizeof items[*m].ext, "%s", e ? e : "");
    rc = ++*m < max ? PA_SQ_OK : PA_SQ_DONE;
  }
  int out = rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "media gc");
  pa_sq_done(st);
  return out;
}

/* Checks one queued hash: when nothing holds it, its uploads and media row
 * go (their trigger queues it again, so the queue entry is removed last) and
 * *freed is set. */
static int collect_one(pa_store *db, const pa_store_media_file *f, int *freed) {
  int64_t held = 1;
  int rc = PA_STORE_OK;
  *freed = 0;
  if (f->ext[0]) rc = hash_run(db, held_sql, f->hash, &held);
  if (rc == PA_STORE_OK && f->ext[0] && !held) {
    rc = hash_run(db, "DELETE FROM uploads WHERE media = ?1", f->hash, NULL);
    if (rc == PA_STORE_OK) rc = hash_run(db, "DELETE FROM media WHERE hash = ?1", f->hash, NULL);
    *freed = rc == PA_STORE_OK;
  }
  if (rc == PA_STORE_OK)
    rc = hash_run(db, "DELETE FROM media_unref WHERE hash = ?1", f->hash, NULL);
  return rc;
}

int pa_store_media_collect(pa_store *db, int max, pa_store_media_file *freed, int *n, int *taken) {
  int m = 0, gone, rc = pa_store_begin(db);
  *n = *taken = 0;
  if (rc != PA_STORE_OK) return rc;
  /* freed holds the queued hashes first; those that go are moved down. */
  rc = queued(db, max, freed, &m);
  for (int i = 0; i < m && rc == PA_STORE_OK; i++) {
    rc = collect_one(db, &freed[i], &gone);
    if (rc == PA_STORE_OK && gone) freed[(*n)++] = freed[i];
  }
  if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK) {
    *n = 0;
    return rc == PA_STORE_OK ? PA_STORE_EDB : rc;
  }
  *taken = m;
  return PA_STORE_OK;
}

typedef struct media_size {
  int *width, *height;
  int found;
} media_size;

static int read_size(void *ctx, pa_sql_stmt *st) {
  media_size *m = ctx;
  *m->width = (int)pa_sq_i64(st, 0);
  *m->height = (int)pa_sq_i64(st, 1);
  m->found = 1;
  return 0;
}

int pa_store_media_size(pa_store *db, const char *hash, int *width, int *height) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT width, height FROM media WHERE hash = ?1");
  if (!st) return PA_STORE_EDB;
  media_size m = {width, height, 0};
  int rc = pa_sq_each(db, st, pa_sq_bind_text(st, 1, hash), read_size, &m, "media size");
  return rc != PA_STORE_OK ? rc : m.found ? PA_STORE_OK : PA_STORE_ENOTFOUND;
}
