/* pa_store_posts — posts, their images, pets and tags, and their likes. */
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
int pa_store_posts_add(pa_store *db, const pa_store_new_post *p, int64_t *id);
int pa_store_posts_pet_add(pa_store *db, int64_t post_id, int64_t pet_id);
int pa_store_posts_image_add(pa_store *db, int64_t post_id, int position, const char *media_hash,
                             const char *alt);
int pa_store_posts_count(pa_store *db, int64_t *out);

/* The author of post `post` into *author; PA_STORE_ENOTFOUND when there is no such post. */
int pa_store_posts_author(pa_store *db, int64_t post, int64_t *author);
/* Deletes the post with its images, pets, tags, likes and comments (their
 * media is queued for collection). */
int pa_store_posts_delete(pa_store *db, int64_t post);

typedef int (*pa_store_pet_ref_fn)(void *ctx, const pa_store_pet_ref *pet);
/* Calls fn for every pet post `post` shows: its first pet first, then by id. */
int pa_store_posts_pets(pa_store *db, int64_t post, pa_store_pet_ref_fn fn, void *ctx);

/* Records (on non-zero) or takes back (on 0) user's like of post; both are
 * idempotent. *like_count gets the post's count after it (0 when the post
 * is gone). */
int pa_store_posts_like_set(pa_store *db, int64_t post, int64_t user, int on, int64_t now,
                            int64_t *like_count);

#endif
