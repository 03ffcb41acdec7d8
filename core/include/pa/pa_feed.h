/* pa_feed — strict parsing of the API's feed page (GET /api/v1/feed).
 *
 * The server is untrusted: every field is type- and range-checked, strings
 * must be valid UTF-8, and limits below are enforced before anything is
 * kept. A parsed feed is immutable and owns all its strings. */
#ifndef PA_FEED_H
#define PA_FEED_H

#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_FEED_MAX_BYTES = 4 * 1024 * 1024, /* one page of JSON */
  PA_FEED_MAX_POSTS = 100,
  /* Images per post: the most any plan allows (the server's
   * PA_CATALOG_PHOTOS_PLUS; a free person's posts carry up to 10). */
  PA_FEED_MAX_IMAGES = 20,
  PA_FEED_MAX_TAGS = 30,
  PA_FEED_MAX_CAPTION = 2200, /* code points */
  PA_FEED_MAX_NAME = 80,      /* code points */
  PA_FEED_MAX_ID = 64,        /* bytes of [A-Za-z0-9_-] */
  PA_FEED_MAX_URL = 2048,
  PA_FEED_MAX_DIMENSION = 16384
};

typedef struct pa_feed_image {
  const char *url;
  int width, height;
  const char *alt;       /* never NULL; "" when the server sent none */
  const char *thumbhash; /* base64 ThumbHash placeholder, NULL when none (pa_thumbhash.h) */
} pa_feed_image;

typedef struct pa_feed_person {
  const char *id, *name;
  const char *avatar_url; /* NULL when none */
  bool plus; /* a PetAmigos Plus member: the UI shows a badge (optional, default false) */
} pa_feed_person;

typedef struct pa_feed_pet {
  const char *id, *name, *species;
  const char *avatar_url; /* NULL when none */
} pa_feed_pet;

typedef struct pa_feed_post {
  const char *id;
  pa_feed_person author;
  pa_feed_pet pet;
  const pa_feed_image *images;
  int image_count; /* 1..PA_FEED_MAX_IMAGES */
  const char *caption;
  const char *const *tags;
  int tag_count;
  int64_t like_count, comment_count;
  bool liked;
  int64_t created_at; /* seconds since the Unix epoch, UTC */
  bool sponsored;     /* an ad: the UI labels it "Sponsored" (optional, default false) */
} pa_feed_post;

typedef struct pa_feed pa_feed;

/* Parses len bytes of JSON into a new feed. On success *out owns everything;
 * the caller frees it with pa_feed_free. On failure *out is NULL and err says
 * which field was wrong (e.g. "posts[2].created_at: ..."). */
pa_status pa_feed_parse(const char *json, size_t len, pa_feed **out, pa_error *err);

void pa_feed_free(pa_feed *feed);

int pa_feed_count(const pa_feed *feed);
const pa_feed_post *pa_feed_post_at(const pa_feed *feed, int index);
/* Cursor for the next page, or NULL on the last page. */
const char *pa_feed_next_cursor(const pa_feed *feed);

/* Writes a human-readable summary of feed into buf (always NUL-terminated
 * when cap > 0). Returns the length the full text needs, like snprintf. */
size_t pa_feed_describe(const pa_feed *feed, char *buf, size_t cap);

/* Formats t (Unix seconds) as "YYYY-MM-DDTHH:MM:SSZ" into buf[21]. */
void pa_feed_format_time(int64_t t, char buf[21]);

/* Parses an RFC 3339 timestamp into Unix seconds (fraction dropped). */
pa_status pa_feed_parse_time(const char *s, int64_t *out);

#endif
