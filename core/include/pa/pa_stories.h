/* pa_stories / pa_reels — strict parsing of the story tray (GET /api/v1/stories)
 * and of a page of reels (GET /api/v1/reels). Parsed documents are immutable
 * and own their strings. */
#ifndef PA_STORIES_H
#define PA_STORIES_H

#include "pa/pa_feed.h"
#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PA_STORIES_MAX_ENTRIES = 200, PA_STORIES_MAX_PER_ENTRY = 100, PA_REELS_MAX_PAGE = 100 };

/* Lives (issue 24): a tray entry's "live" viewer count and a replay reel's
 * length are bounded so a hostile server cannot overflow an int or claim a
 * replay longer than a day (the server ends lives after PA_LIVE_MAX_S, an
 * hour; the slack keeps a longer configured limit working). */
enum { PA_STORIES_MAX_LIVE_VIEWERS = 2147483647, PA_REELS_MAX_REPLAY_MS = 86400000 };

typedef struct pa_media_ref {
  const char *url, *type; /* type: "image/jpeg", "video/mp4", ... */
  int width, height;      /* 0 when the server could not tell */
} pa_media_ref;

typedef struct pa_story {
  const char *id;
  pa_media_ref media;
  int64_t created_at, expires_at;
  bool seen;
} pa_story;

typedef struct pa_story_entry {
  pa_feed_pet pet;
  pa_feed_person owner;
  const pa_story *stories; /* oldest first */
  int story_count;         /* 0 only when live_id is set (a pet live with no stories) */
  bool all_seen;
  /* The pet's live on air (GET /stories' "live": null or {id, viewers}):
   * its id ("live_" and digits) and current viewers; NULL and 0 when none.
   * Tapping such an entry opens the live (PA_ACTION_OPEN_LIVE). */
  const char *live_id;
  int live_viewers;
} pa_story_entry;

typedef struct pa_stories pa_stories;

/* Parses a tray; the caller frees *out with pa_stories_free. */
pa_status pa_stories_parse(const char *json, size_t len, pa_stories **out, pa_error *err);
void pa_stories_free(pa_stories *tray);
int pa_stories_count(const pa_stories *tray);
const pa_story_entry *pa_stories_entry_at(const pa_stories *tray, int index);

typedef struct pa_reel {
  const char *id;
  pa_feed_person author;
  pa_feed_pet pet;
  const char *caption;
  pa_media_ref video, poster;
  int64_t created_at;
  /* A sponsored reel's serving fields (issue 21, GET /reels' "sponsored"
   * object: null or absent for a reel): the server's single-use token and
   * the ad's link ("" for none), as pa_feed_post's ad_token and ad_link.
   * NULL for a reel that is no ad. */
  const char *ad_token, *ad_link;
  /* A live's replay (GET /reels' "replay": null or {live, duration_ms}):
   * its length in ms (0: not a replay) and the live's id ("live_" and
   * digits; NULL when not a replay). The viewer draws a "Replay" chip. */
  int64_t replay_ms;
  const char *replay_live;
} pa_reel;

typedef struct pa_reels pa_reels;

/* Parses a page of reels; the caller frees *out with pa_reels_free. */
pa_status pa_reels_parse(const char *json, size_t len, pa_reels **out, pa_error *err);
void pa_reels_free(pa_reels *page);
int pa_reels_count(const pa_reels *page);
const pa_reel *pa_reels_at(const pa_reels *page, int index);
const char *pa_reels_next_cursor(const pa_reels *page);

#endif
