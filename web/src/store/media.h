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

#endif
