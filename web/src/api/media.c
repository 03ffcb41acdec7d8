/* pa_api — uploads, the daily upload quota and the media collector. */
#include "api/api.h"
#include "blob.h"
#include "clock.h"
#include "log.h"
#include "mstore.h"
#include "pay/catalog.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pa_api_media_gc(pa_store *db, pa_mstore *media) {
  pa_store_media_file *freed = malloc(PA_MEDIA_GC_BATCH * sizeof *freed);
  int64_t now = pa_clock_now();
  int n = 0, taken = PA_MEDIA_GC_BATCH;
  pa_api_media_quota(); /* read at startup, when main runs the first collection */
  /* Held while a file is written and its row added, and while orphans are
   * deleted and removed, so a collection never removes a file just stored —
   * by this process or by another one on the same store. */
  pa_mstore_lock(media);
  /* Drafts past their time go first: that queues their hashes. */
  int rc = freed ? pa_store_media_uploads_expire(db, now - PA_MEDIA_DRAFT_SECONDS, now / 86400)
                 : PA_STORE_ENOMEM;
  /* Batch after batch until the queue is empty: each takes what it checks off. */
  while (rc == PA_STORE_OK && taken == PA_MEDIA_GC_BATCH) {
    rc = pa_store_media_collect(db, PA_MEDIA_GC_BATCH, freed, &n, &taken);
    /* Rows first, files after: a crash in between leaves a harmless stray file. */
    for (int i = 0; i < n; i++) {
      char name[PA_BLOB_NAME_MAX + 8];
      snprintf(name, sizeof name, "%.64s.%.7s", freed[i].hash, freed[i].ext);
      if (pa_mstore_remove(media, name) != 0)
        pa_log_event("error", "media gc", "cannot remove %s: %s", name, strerror(errno));
    }
  }
  if (rc != PA_STORE_OK)
    pa_log_event("error", "media gc", "%s", freed ? pa_store_errmsg(db) : pa_store_errstr(rc));
  pa_mstore_unlock(media);
  free(freed);
}

void pa_api_delete_own(pa_srv_req *rq, pa_api_owner_fn owner, pa_api_remove_fn remove,
                       const char *missing, const char *not_yours) {
  int64_t who;
  int rc = owner(rq->db, rq->ids[0], &who);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, missing);
  } else if (rc == PA_STORE_OK && who != rq->viewer) {
    PA_FORBIDDEN(rq, not_yours);
  } else if (rc != PA_STORE_OK || remove(rq->db, rq->ids[0]) != PA_STORE_OK) {
    pa_api_internal(rq, "delete");
  } else {
    pa_api_media_gc(rq->db, rq->srv->media);
    pa_api_ok(rq);
  }
}

void pa_api_media_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, pa_store_media_upload_owner, pa_store_media_upload_delete, "No such upload",
                    "Only the person who uploaded a file may delete the upload");
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
    pa_log_event("warn", "media", "PA_MEDIA_QUOTA_DAY_BYTES must be 1 to %d bytes; using %d",
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

/* 429 naming the quota, what is used, the file's size and when it resets. */
static void quota_refuse(pa_srv_req *rq, int64_t now, int64_t bytes) {
  int64_t used, left = 86400 - now % 86400;
  char q[32], u[32], b[32], msg[320];
  if (pa_store_media_upload_bytes(rq->db, rq->viewer, now / 86400, &used) != PA_STORE_OK) {
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
  int64_t now = pa_clock_now();
  int charged = 0;
  *day = now / 86400;
  if (pa_store_media_upload_charge(rq->db, rq->viewer, *day, bytes, pa_api_media_quota(),
                                   &charged) != PA_STORE_OK) {
    pa_api_internal(rq, "upload quota");
    return -1;
  }
  if (!charged) {
    quota_refuse(rq, now, bytes);
    return -1;
  }
  return 0;
}

void pa_api_media_refund(pa_srv_req *rq, int64_t bytes, int64_t day) {
  if (pa_store_media_upload_refund(rq->db, rq->viewer, day, bytes) != PA_STORE_OK)
    pa_log_event("error", "upload quota", "%s", pa_store_errmsg(rq->db));
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
  if (pa_store_media_upload_bytes(rq->db, rq->viewer, now / 86400, &used) != PA_STORE_OK) {
    pa_api_internal(rq, "upload quota");
    return -1;
  }
  if (used + len <= pa_api_media_quota()) return 0;
  quota_refuse(rq, now, len);
  return -1;
}

/* ---- uploads */

/* A video longer than the uploader's tier allows for a reel (pay/catalog.h,
 * reel_seconds), or whose length cannot be read (it could be any), is
 * refused: 1 with 422 sent, 0 when it may be stored. Exactly the limit
 * passes: duration_ms <= seconds * 1000, the core having rounded the
 * length up to the millisecond, so 60.0004 s is 60001 ms and over 60 s.
 * The body says the numbers for the app to word: {"error", "video":
 * {"duration_ms" (or null), "limit_seconds", "plus_limit_seconds"}}. */
static int refuse_long_video(pa_srv_req *rq, int64_t ms, const char *why) {
  const pa_catalog_entitlements *ent =
      pa_catalog_entitlements_of(rq->plus ? PA_TIER_PLUS : PA_TIER_FREE);
  int limit = ent->reel_seconds, plus = pa_catalog_entitlements_of(PA_TIER_PLUS)->reel_seconds;
  if (ms >= 0 && ms <= (int64_t)limit * 1000) return 0;
  char say[400], more[96] = "";
  if (limit < plus)
    snprintf(more, sizeof more, " With Plus, reels may be up to %d seconds long.", plus);
  if (ms < 0)
    snprintf(say, sizeof say,
             "The video's length cannot be read (%s), so it is not stored: your reels may be at "
             "most %d seconds long.%s",
             why, limit, more);
  else
    snprintf(say, sizeof say,
             "The video is %lld.%03lld seconds long; your reels may be at most %d seconds "
             "long.%s",
             (long long)(ms / 1000), (long long)(ms % 1000), limit, more);
  cJSON *root = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(root, "error");
  cJSON *v = cJSON_AddObjectToObject(root, "video");
  if (err && v &&
      cJSON_AddStringToObject(err, "code", ms < 0 ? "video_length_unknown" : "video_too_long") &&
      cJSON_AddStringToObject(err, "message", say) &&
      (ms < 0 ? cJSON_AddNullToObject(v, "duration_ms")
              : cJSON_AddNumberToObject(v, "duration_ms", (double)ms)) &&
      cJSON_AddNumberToObject(v, "limit_seconds", limit) &&
      cJSON_AddNumberToObject(v, "plus_limit_seconds", plus)) {
    pa_api_json(rq, 422, root);
  } else {
    cJSON_Delete(root);
    pa_api_error(rq, 422, ms < 0 ? "video_length_unknown" : "video_too_long", say, NULL);
  }
  return 1;
}

/* Clears what the client left in (media.h: videos in place, images stripped
 * or turned upright) and holds videos to the tier's reel length: 0 with
 * *data / *len / *info the bytes to store, or -1 with 422 or 500 sent
 * (*data freed; the caller refunds the quota). */
static int clean_upload(pa_srv_req *rq, unsigned char **data, size_t *len, pa_blob_info *info) {
  char why[256], say[360];
  /* A video keeps its bytes, minus its metadata (GPS, titles, XMP), cleared
   * in place by the core as our app does before upload: API clients that
   * skip it get the same. What the core cannot walk is not stored. */
  if (pa_blob_kind_is_video(info->kind)) {
    int64_t ms = -1;
    if (pa_blob_scrub_video(*data, *len, &ms, why, sizeof why) == 0) {
      if (!refuse_long_video(rq, ms, why)) return 0;
      free(*data);
      *data = NULL;
      return -1;
    }
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
      pa_log_event("warn", "upload", "clean: %s", pa_blob_errstr(rc));
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
  pa_mstore_lock(rq->srv->media);
  rc = pa_blob_store(rq->srv->media, data, len, ext, hash);
  pa_store_media m = {
      hash, ext, info.width, info.height, (int64_t)len, pa_clock_now(), has_thumb ? thumb : NULL};
  int stored =
      rc == PA_BLOB_OK && pa_store_media_upload_add(rq->db, rq->viewer, &m, &id) == PA_STORE_OK;
  pa_mstore_unlock(rq->srv->media);
  free(data);
  if (!stored) {
    pa_api_media_refund(rq, received, day);
    if (rc != PA_BLOB_OK) {
      pa_log_event("error", "upload", "store: %s", pa_blob_errstr(rc));
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

cJSON *pa_api_media_ref_json(const pa_store_media_ref *m) {
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_media_url(o, "url", m->hash, m->ext) ||
            !cJSON_AddStringToObject(o, "type", pa_api_ext_type(m->ext));
  for (int k = 0; k < 2 && !bad; k++) {
    const char *key = k ? "height" : "width";
    int v = k ? m->height : m->width;
    bad = !(v ? cJSON_AddNumberToObject(o, key, v) : cJSON_AddNullToObject(o, key));
  }
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
