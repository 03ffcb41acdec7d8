/* pa_store_feed — walks of posts with their author, pet and images: the
 * home feed, following, a person's or a pet's posts, one post, a tag. */
#ifndef PA_STORE_FEED_H
#define PA_STORE_FEED_H

#include "store/store.h"

enum {
  PA_STORE_FEED_MAX = 50, /* posts per page */
  /* Images per post: the most any tier may attach (PA_CATALOG_PHOTOS_PLUS,
   * pay/catalog.h), and what the schema's CHECK on post_images.position
   * allows (0..19). The store does not include the catalog (the store sits
   * below the payment code), so api/posts.c asserts the two agree. */
  PA_STORE_MAX_IMAGES = 20,
  PA_STORE_POST_PETS_MAX = 10, /* pets one post shows: a bound of its own, not the tier's */
  PA_STORE_ALT_MAX = 300       /* bytes of alt text */
};

typedef struct pa_store_image {
  const char *hash, *ext, *alt;
  int width, height;
  const char *thumbhash; /* NULL when the image has none */
} pa_store_image;

/* One feed row. Strings are valid only during the callback; avatar hashes
 * (and their ext) are NULL when there is no avatar. */
typedef struct pa_store_feed_post {
  int64_t id, created_at, like_count, comment_count;
  const char *caption;
  int64_t author_id;
  const char *author_name, *author_avatar, *author_avatar_ext;
  int64_t pet_id;
  const char *pet_name, *pet_species, *pet_avatar, *pet_avatar_ext;
  const pa_store_image *images;
  int image_count;           /* 1..PA_STORE_MAX_IMAGES: posts without images are not listed */
  int liked;                 /* by the viewer */
  int sponsored;             /* the post belongs to an ad campaign */
  int64_t author_plus_until; /* the author has Plus (the badge) until then */
  int mod_state;             /* PA_STORE_MOD_*: hidden posts reach their author only */
} pa_store_feed_post;

/* Which posts a feed walk lists. */
typedef enum pa_store_feed_kind {
  PA_STORE_FEED_ALL,
  PA_STORE_FEED_FOLLOWING, /* by people the viewer follows, or showing pets they follow */
  PA_STORE_FEED_AUTHOR,    /* by user `id` */
  PA_STORE_FEED_PET,       /* showing pet `id` */
  PA_STORE_FEED_ONE,       /* post `id` only */
  PA_STORE_FEED_TAG        /* tagged `tag` */
} pa_store_feed_kind;

typedef struct pa_store_feed_query {
  pa_store_feed_kind kind;
  int64_t id;      /* for AUTHOR, PET, ONE */
  int64_t viewer;  /* signed-in user for `liked` and FOLLOWING; 0 for nobody */
  const char *tag; /* for TAG */
} pa_store_feed_query;

/* Returns non-zero to stop the walk (pa_store_feed then returns PA_STORE_EABORT). */
typedef int (*pa_store_feed_fn)(void *ctx, const pa_store_feed_post *post);

/* Calls fn for up to limit (1..PA_STORE_FEED_MAX) posts, newest first, after
 * `after` (NULL for the first page). *has_more says whether another page
 * exists; *next is the position of the last post passed to fn. */
int pa_store_feed(pa_store *db, const pa_store_cursor *after, int limit, pa_store_feed_fn fn,
                  void *ctx, pa_store_cursor *next, int *has_more);
/* The same walk over the posts q selects. */
int pa_store_feed_where(pa_store *db, const pa_store_feed_query *q, const pa_store_cursor *after,
                        int limit, pa_store_feed_fn fn, void *ctx, pa_store_cursor *next,
                        int *has_more);

/* Whether the person (PA_STORE_FEED_AUTHOR) or pet (PA_STORE_FEED_PET) whose
 * posts q walks exists: PA_STORE_OK, or PA_STORE_ENOTFOUND when not. */
int pa_store_feed_subject(pa_store *db, const pa_store_feed_query *q);

#endif
