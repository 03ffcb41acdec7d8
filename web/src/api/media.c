/* pa_srv — uploads, stories and reels. */
#include "api/api.h"
#include "blob.h"
#include "clock.h"
#include "str.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

/* Held while a file is written and its row added, and while orphans are
 * deleted and unlinked, so a collection never removes a file just stored. */
static pthread_mutex_t media_mutex = PTHREAD_MUTEX_INITIALIZER;
void pa_api_media_lock(void) { pthread_mutex_lock(&media_mutex); }
void pa_api_media_unlock(void) { pthread_mutex_unlock(&media_mutex); }

/* ?1 a hash that lost a reference: whether anything still holds it. */
static const char held_sql[] =
    "SELECT EXISTS (SELECT 1 FROM post_images WHERE media = ?1)"
    "    OR EXISTS (SELECT 1 FROM uploads WHERE media = ?1 AND attached_at IS NULL)"
    "    OR EXISTS (SELECT 1 FROM users WHERE avatar = ?1)"
    "    OR EXISTS (SELECT 1 FROM pets WHERE avatar = ?1)"
    "    OR EXISTS (SELECT 1 FROM stories WHERE media = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE video = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE poster = ?1)"
    "    OR EXISTS (SELECT 1 FROM reels WHERE video_alt = ?1)";

/* Runs sql with the hash bound as ?1; SQLITE_DONE or SQLITE_ROW (then *held
 * from column 0) on success. */
static int hash_step(pa_store *db, const char *sql, const char *hash, int *held) {
  sqlite3_stmt *st = pa_sq_stmt(db, sql);
  int rc = st ? sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && held) *held = sqlite3_column_int(st, 0);
  pa_sq_done(st);
  return rc;
}

typedef struct gc_item {
  char hash[PA_BLOB_HASH_HEX + 1];
  char ext[8]; /* "" when the media row is gone already */
} gc_item;

/* One transaction over up to PA_MEDIA_GC_BATCH queued hashes: those nothing
 * holds lose their uploads and media rows, and their file names go into
 * names (*n of them) for unlinking after the commit. *taken: hashes taken
 * off the queue. */
static int gc_batch(pa_store *db, gc_item *items, char (*names)[PA_BLOB_NAME_MAX], int *n,
                    int *taken) {
  int64_t now = pa_clock_now(), drafts_before = now - PA_MEDIA_DRAFT_SECONDS, today = now / 86400;
  int rc = SQLITE_OK, held = 0, m = 0;
  *n = *taken = 0;
  if (pa_store_begin(db) != PA_STORE_OK) return -1;
  /* Drafts past their time go first; the trigger on uploads queues their hashes. */
  if (pa_sq_exec_i64(db, "DELETE FROM uploads WHERE attached_at IS NULL AND created_at <= ?1", 1,
                     &drafts_before, NULL) != PA_STORE_OK ||
      pa_sq_exec_i64(db, "DELETE FROM upload_bytes WHERE day < ?1", 1, &today, NULL) != PA_STORE_OK)
    goto fail;
  sqlite3_stmt *st = pa_sq_stmt(db, "SELECT q.hash, m.ext FROM media_unref q"
                                    " LEFT JOIN media m ON m.hash = q.hash LIMIT ?1");
  rc = st ? sqlite3_bind_int(st, 1, PA_MEDIA_GC_BATCH) : SQLITE_ERROR;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    snprintf(items[m].hash, sizeof items[m].hash, "%s", col(st, 0) ? col(st, 0) : "");
    snprintf(items[m].ext, sizeof items[m].ext, "%s", col(st, 1) ? col(st, 1) : "");
    rc = ++m < PA_MEDIA_GC_BATCH ? SQLITE_OK : SQLITE_DONE;
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE) goto fail;
  for (int i = 0; i < m; i++) {
    const char *h = items[i].hash;
    rc = items[i].ext[0] ? hash_step(db, held_sql, h, &held) : SQLITE_ROW;
    if (rc != SQLITE_ROW) goto fail;
    if (items[i].ext[0] && !held) {
      /* Attached uploads of it go with it (their trigger queues it again,
       * so the queue entry is removed last). */
      if (hash_step(db, "DELETE FROM uploads WHERE media = ?1", h, NULL) != SQLITE_DONE ||
          hash_step(db, "DELETE FROM media WHERE hash = ?1", h, NULL) != SQLITE_DONE)
        goto fail;
      snprintf(names[(*n)++], PA_BLOB_NAME_MAX, "%.64s.%.4s", h, items[i].ext);
    }
    if (hash_step(db, "DELETE FROM media_unref WHERE hash = ?1", h, NULL) != SQLITE_DONE) goto fail;
  }
  if (pa_store_commit(db) != PA_STORE_OK) goto fail;
  *taken = m;
  return 0;
fail:
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) pa_sq_fail(db, "media gc");
  pa_store_rollback(db);
  *n = 0;
  return -1;
}

void pa_api_media_gc(pa_store *db, const char *media_dir) {
  gc_item *items = malloc(PA_MEDIA_GC_BATCH * sizeof *items);
  char(*names)[PA_BLOB_NAME_MAX] = malloc(PA_MEDIA_GC_BATCH * sizeof *names);
  int n = 0, taken = PA_MEDIA_GC_BATCH;
  pa_api_media_quota(); /* read at startup, when main runs the first collection */
  pa_api_media_lock();
  /* Batch after batch until the queue is empty: each takes what it checks off. */
  while (items && names && taken == PA_MEDIA_GC_BATCH) {
    if (gc_batch(db, items, names, &n, &taken) != 0) {
      fprintf(stderr, "media gc: %s\n", pa_store_errmsg(db));
      break;
    }
    /* Rows first, files after: a crash in between leaves a harmless stray file. */
    for (int i = 0; i < n; i++) {
      char path[PATH_MAX + PA_BLOB_NAME_MAX + 2];
      snprintf(path, sizeof path, "%s/%s", media_dir, names[i]);
      unlink(path);
    }
  }
  pa_api_media_unlock();
  free(items);
  free(names);
}

void pa_api_delete_own(pa_srv_req *rq, const char *owner_sql, const char *delete_sql,
                       const char *missing, const char *not_yours) {
  int64_t owner;
  int found;
  if (pa_sq_scalar_found(rq->db, owner_sql, 1, &rq->ids[0], &owner, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "delete");
    return;
  }
  if (!found) {
    PA_NOT_FOUND(rq, missing);
    return;
  }
  if (owner != rq->viewer) {
    PA_FORBIDDEN(rq, not_yours);
    return;
  }
  if (pa_sq_exec_i64(rq->db, delete_sql, 1, &rq->ids[0], NULL) != PA_STORE_OK) {
    pa_api_internal(rq, "delete");
    return;
  }
  pa_api_media_gc(rq->db, rq->srv->media_dir);
  pa_api_ok(rq);
}

void pa_api_media_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, "SELECT user_id FROM uploads WHERE id = ?1",
                    "DELETE FROM uploads WHERE id = ?1", "No such upload",
                    "Only the person who uploaded a file may delete the upload");
}

void pa_api_story_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, "SELECT owner_id FROM stories WHERE id = ?1",
                    "DELETE FROM stories WHERE id = ?1", "No such story",
                    "Only the story's owner may delete it");
}

void pa_api_reel_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, "SELECT author_id FROM reels WHERE id = ?1",
                    "DELETE FROM reels WHERE id = ?1", "No such reel",
                    "Only the reel's author may delete it");
}

/* ---- the daily upload quota */

static int64_t quota_bytes;
static pthread_once_t quota_once = PTHREAD_ONCE_INIT;

static void quota_read(void) {
  const char *v = getenv("PA_MEDIA_QUOTA_DAY_BYTES");
  char *end;
  quota_bytes = PA_MEDIA_QUOTA_DAY_BYTES;
  if (!v || !*v) return;
  errno = 0;
  long long q = strtoll(v, &end, 10);
  if (errno || *end || q < 1 || q > PA_MEDIA_QUOTA_MAX) {
    fprintf(stderr, "petamigos-server: PA_MEDIA_QUOTA_DAY_BYTES must be 1 to %d bytes; using %d\n",
            PA_MEDIA_QUOTA_MAX, PA_MEDIA_QUOTA_DAY_BYTES);
    return;
  }
  quota_bytes = q;
}

int64_t pa_api_media_quota(void) {
  pthread_once(&quota_once, quota_read);
  return quota_bytes;
}

/* "12.5 MiB", "3.0 KiB" or "900 bytes". */
static void format_bytes(int64_t b, char *out, size_t cap) {
  if (b >= 1024 * 1024)
    snprintf(out, cap, "%.1f MiB", (double)b / (1024 * 1024));
  else if (b >= 1024)
    snprintf(out, cap, "%.1f KiB", (double)b / 1024);
  else
    snprintf(out, cap, "%lld bytes", (long long)b);
}

static int quota_used(pa_srv_req *rq, int64_t day, int64_t *used) {
  int64_t a[2] = {day, rq->viewer};
  int found;
  *used = 0;
  return pa_sq_scalar_found(
      rq->db, "SELECT bytes FROM upload_bytes WHERE day = ?1 AND user_id = ?2", 2, a, used, &found);
}

/* 429 naming the quota, what is used, the file's size and when it resets. */
static void quota_refuse(pa_srv_req *rq, int64_t now, int64_t bytes) {
  int64_t used, left = 86400 - now % 86400;
  char q[32], u[32], b[32], msg[320];
  if (quota_used(rq, now / 86400, &used) != PA_STORE_OK) {
    pa_api_internal(rq, "upload quota");
    return;
  }
  format_bytes(pa_api_media_quota(), q, sizeof q);
  format_bytes(used, u, sizeof u);
  format_bytes(bytes, b, sizeof b);
  snprintf(msg, sizeof msg,
           "Daily upload limit reached: each person may upload %s a day, you have uploaded %s "
           "today and this file is %s. The limit resets at 00:00 UTC, in %lld h %02lld min.",
           q, u, b, (long long)(left / 3600), (long long)(left % 3600 / 60));
  pa_api_error_retry(rq, 429, "quota_exceeded", msg, left);
}

int pa_api_media_charge(pa_srv_req *rq, int64_t bytes, int64_t *day) {
  /* One statement, so two uploads at once cannot both fit in the last room. */
  static const char sql[] =
      "INSERT INTO upload_bytes (day, user_id, bytes) SELECT ?1, ?2, ?3 WHERE ?3 <= ?4"
      " ON CONFLICT (day, user_id) DO UPDATE SET bytes = bytes + excluded.bytes"
      " WHERE bytes + excluded.bytes <= ?4";
  int64_t now = pa_clock_now(), a[4] = {now / 86400, rq->viewer, bytes, pa_api_media_quota()};
  int changes = 0;
  *day = a[0];
  if (pa_sq_exec_i64(rq->db, sql, 4, a, &changes) != PA_STORE_OK) {
    pa_api_internal(rq, "upload quota");
    return -1;
  }
  if (changes == 0) {
    quota_refuse(rq, now, bytes);
    return -1;
  }
  return 0;
}

void pa_api_media_refund(pa_srv_req *rq, int64_t bytes, int64_t day) {
  int64_t a[3] = {day, rq->viewer, bytes};
  if (pa_sq_exec_i64(rq->db,
                     "UPDATE upload_bytes SET bytes = max(bytes - ?3, 0)"
                     " WHERE day = ?1 AND user_id = ?2",
                     3, a, NULL) != PA_STORE_OK)
    fprintf(stderr, "upload quota: %s\n", pa_store_errmsg(rq->db));
}

/* A Content-Length that cannot fit today is refused before the body is read. */
static int quota_precheck(pa_srv_req *rq) {
  const char *cl = pa_srv_req_header(rq, "Content-Length");
  char *end;
  int64_t used, now = pa_clock_now();
  if (!cl || !*cl) return 0;
  errno = 0;
  long long len = strtoll(cl, &end, 10);
  if (errno || *end || len < 0) return 0; /* the transport judges malformed lengths */
  if (quota_used(rq, now / 86400, &used) != PA_STORE_OK) {
    pa_api_internal(rq, "upload quota");
    return -1;
  }
  if (used + len <= pa_api_media_quota()) return 0;
  quota_refuse(rq, now, len);
  return -1;
}

/* {"url","type","width","height"} from (hash, ext, width, height) at c. */
static cJSON *media_ref(sqlite3_stmt *st, int c) {
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_media_url(o, "url", col(st, c), col(st, c + 1)) ||
            !cJSON_AddStringToObject(o, "type", pa_api_ext_type(col(st, c + 1)));
  for (int k = 0; k < 2 && !bad; k++) {
    const char *key = k ? "height" : "width";
    bad = sqlite3_column_type(st, c + 2 + k) == SQLITE_NULL
              ? !cJSON_AddNullToObject(o, key)
              : !cJSON_AddNumberToObject(o, key, sqlite3_column_int(st, c + 2 + k));
  }
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* ---- uploads */

/* Inserts the media row and the viewer's upload of it (a fresh draft, even
 * when they uploaded the same bytes before) in one transaction: *id. */
static int add_upload(pa_srv_req *rq, const pa_store_media *m, int64_t *id) {
  int64_t now = m->created_at;
  int ok = pa_store_begin(rq->db) == PA_STORE_OK && pa_store_media_add(rq->db, m) == PA_STORE_OK;
  sqlite3_stmt *st =
      ok ? pa_sq_stmt(rq->db, "INSERT INTO uploads (user_id, media, created_at) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (user_id, media) DO UPDATE"
                              " SET created_at = excluded.created_at, attached_at = NULL"
                              " RETURNING id")
         : NULL;
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, m->hash, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, now);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
  pa_sq_done(st);
  return pa_store_end(rq->db, ok && rc == SQLITE_ROW) == PA_STORE_OK ? 0 : -1;
}

/* Clears what the client left in (media.h: videos in place, images stripped
 * or turned upright): 0 with *data / *len / *info the bytes to store, or -1
 * with 422 or 500 sent (*data freed). */
static int clean_upload(pa_srv_req *rq, unsigned char **data, size_t *len, pa_blob_info *info) {
  char why[256], say[360];
  /* A video keeps its bytes, minus its metadata (GPS, titles, XMP), cleared
   * in place by the core as our app does before upload: API clients that
   * skip it get the same. What the core cannot walk is not stored. */
  if (pa_blob_kind_is_video(info->kind)) {
    if (pa_blob_scrub_video(*data, *len, why, sizeof why) == 0) return 0;
    snprintf(say, sizeof say, "The video cannot be checked for metadata, so it is not stored: %s",
             why);
  } else {
    pa_blob_cleaning how;
    unsigned char *clean;
    size_t clean_len;
    int rc = pa_blob_clean_image(*data, *len, info, &how, &clean, &clean_len, why, sizeof why);
    if (rc == PA_BLOB_OK) {
      if (how != PA_BLOB_KEPT) {
        free(*data);
        *data = clean;
        *len = clean_len;
      }
      return 0;
    }
    if (rc != PA_BLOB_EFORMAT) {
      free(*data);
      *data = NULL;
      fprintf(stderr, "upload: clean: %s\n", pa_blob_errstr(rc));
      pa_api_error(rq, 500, "internal", "Could not prepare the image", NULL);
      return -1;
    }
    snprintf(say, sizeof say,
             "The image cannot be cleaned of its metadata (location, camera details), so it is "
             "not stored: %s",
             why);
  }
  free(*data);
  *data = NULL;
  pa_api_error(rq, 422, "unprocessable_media", say, NULL);
  return -1;
}

void pa_api_media_upload(pa_srv_req *rq) {
  const char *type = pa_srv_req_header(rq, "Content-Type");
  int kind = pa_blob_type_kind(type);
  char msg[160], hash[PA_BLOB_HASH_HEX + 1];
  if (kind < 0) {
    pa_api_error(rq, 415, "unsupported_media_type",
                 "Content-Type must be image/jpeg, image/png, image/webp, video/mp4 or "
                 "video/webm",
                 NULL);
    return;
  }
  if (quota_precheck(rq) != 0) return;
  size_t max = pa_blob_kind_is_video(kind) ? PA_BLOB_VIDEO_BYTES : PA_BLOB_IMAGE_BYTES;
  unsigned char *data;
  size_t len;
  if (pa_srv_body(rq, max, &data, &len) != 0) return;
  pa_blob_info info;
  int rc = len ? pa_blob_sniff(data, len, &info) : PA_BLOB_EFORMAT;
  if (len == 0) {
    PA_BAD(rq, "The body is empty: send the file's bytes");
  } else if (rc == PA_BLOB_ESIZE) {
    snprintf(msg, sizeof msg, "Images may be at most %d pixels a side and %d megapixels",
             PA_BLOB_MAX_SIDE, PA_BLOB_MAX_PIXELS / 1000000);
    pa_api_error(rq, 413, "payload_too_large", msg, NULL);
  } else if (rc != PA_BLOB_OK || (int)info.kind != kind) {
    snprintf(msg, sizeof msg, "The bytes are not %s", pa_blob_kind_type(kind));
    pa_api_error(rq, 415, "unsupported_media_type", msg, NULL);
  }
  /* A valid file is charged as received, before the work of cleaning it. */
  int64_t received = (int64_t)len, day;
  if (len == 0 || rc != PA_BLOB_OK || (int)info.kind != kind ||
      pa_api_media_charge(rq, received, &day) != 0) {
    free(data);
    return;
  }
  if (clean_upload(rq, &data, &len, &info) != 0) {
    pa_api_media_refund(rq, received, day);
    return;
  }
  const char *ext = pa_blob_kind_ext(info.kind);
  /* The placeholder, decoded outside the store's lock (WebP has none). */
  char thumb[PA_BLOB_THUMBHASH_MAX];
  int has_thumb = (strcmp(ext, "jpg") == 0 || strcmp(ext, "png") == 0) &&
                  pa_blob_thumbhash(data, len, thumb) == 0;
  int64_t id = 0;
  pa_api_media_lock();
  rc = pa_blob_store(rq->srv->media_dir, data, len, ext, hash);
  pa_store_media m = {
      hash, ext, info.width, info.height, (int64_t)len, pa_clock_now(), has_thumb ? thumb : NULL};
  int stored = rc == PA_BLOB_OK && add_upload(rq, &m, &id) == 0;
  pa_api_media_unlock();
  free(data);
  if (!stored) {
    pa_api_media_refund(rq, received, day);
    if (rc != PA_BLOB_OK) {
      fprintf(stderr, "upload: store: %s\n", pa_blob_errstr(rc));
      pa_api_error(rq, 500, "internal", "Could not store the file", NULL);
    } else {
      pa_api_internal(rq, "upload");
    }
    return;
  }
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_id(o, "id", "m", id) || pa_api_add_media_url(o, "url", hash, ext) ||
            !cJSON_AddStringToObject(o, "type", pa_blob_kind_type(info.kind)) ||
            !(info.width ? cJSON_AddNumberToObject(o, "width", info.width)
                         : cJSON_AddNullToObject(o, "width")) ||
            !(info.height ? cJSON_AddNumberToObject(o, "height", info.height)
                          : cJSON_AddNullToObject(o, "height")) ||
            !cJSON_AddNumberToObject(o, "bytes", (double)len);
  if (bad) {
    cJSON_Delete(o);
    o = NULL;
  }
  pa_api_json(rq, 201, o);
}

/* ---- stories: 24 hours, enforced on every read */

#define STORY_COLS                                                                                 \
  "SELECT s.id, s.created_at, s.expires_at, m.hash, m.ext, m.width, m.height,"                     \
  "       EXISTS (SELECT 1 FROM story_views v WHERE v.story_id = s.id AND v.user_id = ?2),"        \
  "       t.id, t.name, t.species, t.avatar, tm.ext, u.id, u.name, u.avatar, um.ext"               \
  "  FROM stories s JOIN pets t ON t.id = s.pet_id JOIN users u ON u.id = s.owner_id"              \
  "  JOIN media m ON m.hash = s.media"                                                             \
  "  LEFT JOIN media tm ON tm.hash = t.avatar LEFT JOIN media um ON um.hash = u.avatar"

static cJSON *story_json(sqlite3_stmt *st) {
  cJSON *o = cJSON_CreateObject(), *media = media_ref(st, 3);
  int bad = !o || !media || pa_api_add_id(o, "id", "s", sqlite3_column_int64(st, 0));
  if (!bad) {
    cJSON_AddItemToObject(o, "media", media);
    media = NULL;
    bad = pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 1)) ||
          pa_api_add_time(o, "expires_at", sqlite3_column_int64(st, 2)) ||
          !cJSON_AddBoolToObject(o, "seen", sqlite3_column_int(st, 7));
  }
  cJSON_Delete(media);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

typedef struct tray_entry {
  cJSON *obj;
  int all_seen;
  int64_t latest, pet;
} tray_entry;

/* Unseen first, then the newest story, then the pet. */
static int tray_order(const void *a, const void *b) {
  const tray_entry *x = a, *y = b;
  if (x->all_seen != y->all_seen) return x->all_seen - y->all_seen;
  if (x->latest != y->latest) return x->latest > y->latest ? -1 : 1;
  return x->pet < y->pet ? -1 : x->pet > y->pet;
}

enum { TRAY_MAX_STORIES = 5000 };

void pa_api_stories_get(pa_srv_req *rq) {
  sqlite3_stmt *st =
      pa_sq_stmt(rq->db, STORY_COLS " WHERE s.expires_at > ?1"
                                    " ORDER BY s.pet_id, s.created_at, s.id LIMIT 5000");
  tray_entry *entries = calloc(TRAY_MAX_STORIES, sizeof *entries);
  int n = 0, rc = st && entries ? sqlite3_bind_int64(st, 1, pa_clock_now()) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t pet = sqlite3_column_int64(st, 8);
    tray_entry *e = n ? &entries[n - 1] : NULL;
    rc = SQLITE_NOMEM;
    if (!e || e->pet != pet) {
      e = &entries[n++];
      e->pet = pet;
      e->all_seen = 1;
      cJSON *p = pa_api_pet_json(st, 8), *u = pa_api_user_json(st, 13);
      e->obj = cJSON_CreateObject();
      if (!e->obj || !p || !u || !cJSON_AddItemToObject(e->obj, "pet", p)) {
        cJSON_Delete(p);
        cJSON_Delete(u);
        break;
      }
      cJSON_AddItemToObject(e->obj, "owner", u);
      if (!cJSON_AddArrayToObject(e->obj, "stories")) break;
    }
    cJSON *s = story_json(st);
    if (!s || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(e->obj, "stories"), s)) {
      cJSON_Delete(s);
      break;
    }
    e->all_seen &= sqlite3_column_int(st, 7);
    e->latest = sqlite3_column_int64(st, 1);
    rc = SQLITE_OK;
  }
  pa_sq_done(st);
  cJSON *root = cJSON_CreateObject(), *tray = cJSON_AddArrayToObject(root, "tray");
  if (rc == SQLITE_DONE && tray) qsort(entries, (size_t)n, sizeof *entries, tray_order);
  for (int i = 0; i < n; i++) {
    if (rc == SQLITE_DONE && tray &&
        cJSON_AddBoolToObject(entries[i].obj, "all_seen", entries[i].all_seen) &&
        cJSON_AddItemToArray(tray, entries[i].obj))
      continue;
    cJSON_Delete(entries[i].obj);
    rc = SQLITE_NOMEM;
  }
  free(entries);
  if (rc != SQLITE_DONE || !tray) {
    cJSON_Delete(root);
    pa_api_internal(rq, "stories");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_story_create(pa_srv_req *rq) {
  static const char *const fields[] = {"media_id", "pet_id", NULL};
  int64_t upload, pet, now = pa_clock_now(), id;
  char hash[65], ext[8];
  cJSON *body = NULL;
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
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "INSERT INTO stories (owner_id, pet_id, media, created_at,"
                                        " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, pet);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, now);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, now + 86400);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "add story");
  id = sqlite3_last_insert_rowid(pa_sq_handle(rq->db));
  pa_sq_done(st);
  if (pa_store_end(rq->db, rc == SQLITE_DONE) != PA_STORE_OK) rc = SQLITE_ERROR;
  st = rc == SQLITE_DONE ? pa_sq_stmt(rq->db, STORY_COLS " WHERE s.id = ?1") : NULL;
  rc = st ? sqlite3_bind_int64(st, 1, id) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  cJSON *o = rc == SQLITE_ROW ? story_json(st) : NULL;
  pa_sq_done(st);
  if (!o)
    pa_api_internal(rq, "add story");
  else
    pa_api_json(rq, 201, o);
}

void pa_api_story_seen(pa_srv_req *rq) {
  int64_t a[2] = {rq->ids[0], pa_clock_now()}, v;
  int found;
  if (pa_sq_scalar_found(rq->db, "SELECT 1 FROM stories WHERE id = ?1 AND expires_at > ?2", 2, a,
                         &v, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "story");
    return;
  }
  if (!found) {
    PA_NOT_FOUND(rq, "No such story (stories expire after 24 hours)");
    return;
  }
  int64_t b[2] = {rq->ids[0], rq->viewer};
  if (pa_sq_exec_i64(rq->db,
                     "INSERT OR IGNORE INTO story_views (story_id, user_id) VALUES (?1, ?2)", 2, b,
                     NULL) != PA_STORE_OK) {
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

/* ---- reels */

#define REEL_COLS                                                                                  \
  "SELECT r.id, r.created_at, r.caption, u.id, u.name, u.avatar, um.ext,"                          \
  "       t.id, t.name, t.species, t.avatar, tm.ext,"                                              \
  "       v.hash, v.ext, v.width, v.height, pm.hash, pm.ext, pm.width, pm.height,"                 \
  "       va.hash, va.ext, va.width, va.height"                                                    \
  "  FROM reels r JOIN users u ON u.id = r.author_id JOIN pets t ON t.id = r.pet_id"               \
  "  JOIN media v ON v.hash = r.video JOIN media pm ON pm.hash = r.poster"                         \
  "  LEFT JOIN media va ON va.hash = r.video_alt"                                                  \
  "  LEFT JOIN media um ON um.hash = u.avatar LEFT JOIN media tm ON tm.hash = t.avatar"

static int add_tag(void *ctx, const char *tag) {
  cJSON *item = cJSON_CreateString(tag);
  if (!item || !cJSON_AddItemToArray(ctx, item)) {
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

static cJSON *reel_json(sqlite3_stmt *st) {
  cJSON *o = cJSON_CreateObject(), *parts[4] = {pa_api_user_json(st, 3), pa_api_pet_json(st, 7),
                                                media_ref(st, 12), media_ref(st, 16)};
  static const char *const keys[4] = {"author", "pet", "video", "poster"};
  const char *caption = col(st, 2) ? col(st, 2) : "";
  int bad = !o || pa_api_add_id(o, "id", "r", sqlite3_column_int64(st, 0));
  for (int i = 0; i < 4; i++) {
    if (!bad && parts[i] && cJSON_AddItemToObject(o, keys[i], parts[i])) continue;
    bad = 1;
    cJSON_Delete(parts[i]);
  }
  /* Every encoding of the clip, for <source> elements: the main one first. */
  cJSON *sources = bad ? NULL : cJSON_AddArrayToObject(o, "sources");
  for (int c = 12; sources && c <= 20; c += 8) {
    if (c == 20 && sqlite3_column_type(st, 20) == SQLITE_NULL) break;
    cJSON *ref = media_ref(st, c);
    if (!ref || !cJSON_AddItemToArray(sources, ref)) {
      cJSON_Delete(ref);
      bad = 1;
      break;
    }
  }
  bad |= !sources;
  cJSON *tags = bad ? NULL : cJSON_AddArrayToObject(o, "tags");
  bad = bad || !tags || !cJSON_AddStringToObject(o, "caption", caption) ||
        pa_str_tags(caption, add_tag, tags) ||
        pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 1));
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void pa_api_reels_get(pa_srv_req *rq) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, 10, &limit, &after, &has_cursor)) return;
  sqlite3_stmt *st =
      pa_sq_stmt(rq->db, REEL_COLS " WHERE (r.created_at, r.id) < (?1, ?2)"
                                   " ORDER BY r.created_at DESC, r.id DESC LIMIT ?3");
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "reels");
  int rc = st && list ? sqlite3_bind_int64(st, 1, has_cursor ? after.created_at : INT64_MAX)
                      : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, has_cursor ? after.id : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 3, limit + 1);
  if (rc == SQLITE_OK) rc = pa_api_page_rows(st, limit, reel_json, list, 1, 0, &next, &more);
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "reels");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_reel_create(pa_srv_req *rq) {
  static const char *const fields[] = {"video_media_id", "poster_media_id", "caption", "pet_id",
                                       NULL};
  int64_t video, poster, pet, id;
  char vhash[65], vext[8], phash[65], pext[8];
  const char *caption;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_id(rq, body, "video_media_id", "m", 1, &video) ||
      pa_api_id(rq, body, "poster_media_id", "m", 1, &poster) ||
      pa_api_id(rq, body, "pet_id", "pet", 1, &pet) ||
      pa_api_str(rq, body, "caption", 1, 0, 2200, 1, &caption)) {
    cJSON_Delete(body);
    return;
  }
  /* As for stories: the uploads are attached only if the reel is written. */
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    cJSON_Delete(body);
    pa_api_internal(rq, "add reel");
    return;
  }
  if (pa_api_own_media(rq, video, "video", "video_media_id", "video_media_id", vhash, vext) ||
      pa_api_own_media(rq, poster, "image", "poster_media_id", "poster_media_id", phash, pext) ||
      pa_api_own_pet(rq, pet, "pet_id")) {
    pa_store_rollback(rq->db);
    cJSON_Delete(body);
    return;
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "INSERT INTO reels (author_id, pet_id, video, poster,"
                                        " caption, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, pet);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 3, vhash, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 4, phash, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 5, caption, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, pa_clock_now());
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "add reel");
  id = sqlite3_last_insert_rowid(pa_sq_handle(rq->db));
  pa_sq_done(st);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == SQLITE_DONE) != PA_STORE_OK) rc = SQLITE_ERROR;
  st = rc == SQLITE_DONE ? pa_sq_stmt(rq->db, REEL_COLS " WHERE r.id = ?1") : NULL;
  rc = st ? sqlite3_bind_int64(st, 1, id) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  cJSON *o = rc == SQLITE_ROW ? reel_json(st) : NULL;
  pa_sq_done(st);
  if (!o)
    pa_api_internal(rq, "add reel");
  else
    pa_api_json(rq, 201, o);
}
