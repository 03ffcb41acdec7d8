/* pa_store_media — stored files (images and videos by content hash). */
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

/* Records a stored file; one that is already known keeps its row (and gains
 * a ThumbHash it lacked). */
int pa_store_media_add(pa_store *db, const pa_store_media *m);

/* The stored file of upload `upload` if `user` made it: its hash (64 hex
 * digits) and extension; PA_STORE_ENOTFOUND when there is no such upload of
 * theirs. */
int pa_store_upload_file(pa_store *db, int64_t upload, int64_t user, char hash[65], char ext[8]);
/* Marks the upload used by something (a post, story, reel or avatar) from
 * `now` on, unless it was already. */
int pa_store_upload_attach(pa_store *db, int64_t upload, int64_t now);

#endif
