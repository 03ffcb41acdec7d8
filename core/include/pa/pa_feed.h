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
  PA_FEED_MAX_DIMENSION = 16384,
  /* A sponsored post's serving fields (issue 21): the server's single-use
   * token, base64url without padding, and the ad's link. */
  PA_FEED_MAX_AD_TOKEN = 256, /* bytes of [A-Za-z0-9_-] */
  PA_FEED_MAX_AD_LINK = 2048  /* bytes of an https URL */
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
  /* A sponsored post's optional "ad" object, {"token": "...", "link": "" or
   * "https://..."}: the shell copies it from the ranking candidate's
   * "sponsored" object (pa_rank.h), as the posts routes do not carry it. Both
   * NULL without one; with one, token is a valid ad token and link "" (no
   * link) or an https URL. Only a sponsored post may have one. */
  const char *ad_token, *ad_link;
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

/* The checks every parser applies to an ad's serving fields: NULL when s is
 * valid, else why not ("is too long" means PA_ERR_TOO_LARGE). A token is
 * 1..PA_FEED_MAX_AD_TOKEN bytes of base64url ([A-Za-z0-9_-], no padding). A
 * link is "" (the ad has none) or https://host[:port][/...] in printable
 * ASCII without spaces, quotes, angle brackets, backslashes or user info,
 * at most PA_FEED_MAX_AD_LINK bytes. */
const char *pa_feed_ad_token_check(const char *s);
const char *pa_feed_ad_link_check(const char *s);
extern const char PA_FEED_TOO_LONG[]; /* the reason both give for an over-long value */

/* Formats t (Unix seconds) as "YYYY-MM-DDTHH:MM:SSZ" into buf[21]. */
void pa_feed_format_time(int64_t t, char buf[21]);

/* Parses an RFC 3339 timestamp into Unix seconds (fraction dropped). */
pa_status pa_feed_parse_time(const char *s, int64_t *out);

#endif
