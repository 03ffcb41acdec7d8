/* pa_store_posts — posts, their images, pets and tags. */
#ifndef PA_STORE_POSTS_H
#define PA_STORE_POSTS_H

#include "store/store.h"

typedef struct pa_store_new_post {
  int64_t author_id, pet_id;
  const char *caption;
  int64_t like_count, comment_count, created_at;
  int64_t campaign_id; /* 0: not sponsored */
} pa_store_new_post;

/* Inserts a post; also records its first pet in post_pets and its #tags in
 * post_tags. *id (optional) gets the new post's id. */
int pa_store_post_add(pa_store *db, const pa_store_new_post *p, int64_t *id);
int pa_store_post_pet_add(pa_store *db, int64_t post_id, int64_t pet_id);
int pa_store_post_image_add(pa_store *db, int64_t post_id, int position, const char *media_hash,
                            const char *alt);
int pa_store_post_count(pa_store *db, int64_t *out);

#endif
