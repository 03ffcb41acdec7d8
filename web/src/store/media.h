/* pa_store_media — stored files (images and videos by content hash), the
 * uploads that make them someone's, each person's uploaded bytes per UTC day
 * (the daily quota) and the collection of files nothing uses any more.
 *
 * An upload is a draft until a post, story, reel or avatar uses it
 * (pa_store_media_upload_attach). Deletes that release a file queue its hash; the
 * collector (pa_store_media_collect) checks only queued hashes. */
#ifndef PA_STORE_MEDIA_H
#define PA_STORE_MEDIA_H

#include "store/store.h"

typedef struct pa_store_media {
  const char *hash; /* 64 lowercase hex digits */
  const char *ext;  /* "jpg" or "png" */
  int width, height;
  int64_t bytes, created_at;
  const char *thumbhash; /* base64 ThumbHash, or NULL */
} pa_store_media;

/* A stored file as a story or reel shows it; width and height are 0 when
 * unknown (videos). */
typedef struct pa_store_media_ref {
  const char *hash, *ext;
  int width, height;
} pa_store_media_ref;

/* Records a stored file; one that is already known keeps its row (and gains
 * a ThumbHash it lacked). */
int pa_store_media_add(pa_store *db, const pa_store_media *m);
/* The stored file hash's pixel size (an embed's thumbnail);
 * PA_STORE_ENOTFOUND when there is no such file. */
int pa_store_media_size(pa_store *db, const char *hash, int *width, int *height);

/* The stored file of upload `upload` if `user` made it: its hash (64 hex
 * digits) and extension; PA_STORE_ENOTFOUND when there is no such upload of
 * theirs. */
int pa_store_media_upload_file(pa_store *db, int64_t upload, int64_t user, char hash[65],
                               char ext[8]);
/* Records m (as pa_store_media_add) and a fresh draft upload of it by
 * `user` at m->created_at, in one transaction of its own (an earlier upload
 * of the same file by them becomes that draft again): *id the upload's id. */
int pa_store_media_upload_add(pa_store *db, int64_t user, const pa_store_media *m, int64_t *id);
/* Who made upload `upload`; PA_STORE_ENOTFOUND when there is no such upload. */
int pa_store_media_upload_owner(pa_store *db, int64_t upload, int64_t *owner);
int pa_store_media_upload_delete(pa_store *db, int64_t upload);
/* Marks the upload used by something (a post, story, reel or avatar) from
 * `now` on, unless it was already. */
int pa_store_media_upload_attach(pa_store *db, int64_t upload, int64_t now);

/* ---- the daily upload quota: bytes per person per day (days since
 * 1970-01-01, UTC) */

/* The bytes `user` has uploaded on `day` (0 when none). */
int pa_store_media_upload_bytes(pa_store *db, int64_t user, int64_t day, int64_t *used);
/* Adds bytes to the user's count for day only when the sum stays within
 * quota, in one statement so two uploads at once cannot both fit in the last
 * room: *charged 1 when added, 0 when refused. */
int pa_store_media_upload_charge(pa_store *db, int64_t user, int64_t day, int64_t bytes,
                                 int64_t quota, int *charged);
/* Takes bytes back off the count (never below 0). */
int pa_store_media_upload_refund(pa_store *db, int64_t user, int64_t day, int64_t bytes);

/* ---- collection */

/* A file the collector released: the caller removes "<hash>.<ext>". */
typedef struct pa_store_media_file {
  char hash[65];
  char ext[8];
} pa_store_media_file;

/* Forgets draft uploads created at or before drafts_before and quota counts
 * of days before `day` (which queues the drafts' hashes). */
int pa_store_media_uploads_expire(pa_store *db, int64_t drafts_before, int64_t day);
/* One collection batch, in one transaction of its own: takes up to max
 * hashes off the queue of those that lost a reference (*taken of them; max
 * means more may wait); those no post, draft, avatar, story or reel holds
 * lose their media row and uploads and are written to freed (room for max;
 * *n of them) for the caller to remove after. On failure nothing is taken
 * and *n is 0. */
int pa_store_media_collect(pa_store *db, int max, pa_store_media_file *freed, int *n, int *taken);

#endif
