/* pa_platform — the one interface through which the core reaches its host.
 *
 * The host (browser shell, native CLI, tests) fills this table; the core
 * never calls the browser, the file system or the network any other way.
 * Every callback is invoked synchronously from inside a pa_app_* call. */
#ifndef PA_PLATFORM_H
#define PA_PLATFORM_H

#include <stdint.h>

typedef struct pa_text_style {
  int size;       /* font size in device pixels */
  int bold;       /* 0 or 1 */
  uint32_t color; /* 0xRRGGBBAA */
  int max_width;  /* wrap lines to this many device pixels */
  int max_lines;  /* 0 for no limit; the last kept line ends in an ellipsis */
  int direction;  /* paragraph direction, pa_text_direction: the UI's own messages
                     follow the locale; user text (captions, names) is auto */
} pa_text_style;

typedef enum pa_text_direction {
  PA_TEXT_AUTO = 0, /* from the first strong character outside isolates (UAX #9 P2) */
  PA_TEXT_LTR,
  PA_TEXT_RTL /* lines are also aligned to the right edge of the bitmap */
} pa_text_direction;

typedef struct pa_bitmap {
  int width, height;
  uint8_t *rgba; /* width * height * 4 bytes, straight alpha, allocated with malloc */
} pa_bitmap;

/* Things the user asked for that the host carries out (network, navigation,
 * the share sheet). Results come back through pa_app_* calls. */
typedef enum pa_action_kind {
  PA_ACTION_LIKE = 1,       /* id = post; answer with pa_app_like_result */
  PA_ACTION_UNLIKE,         /* id = post; answer with pa_app_like_result */
  PA_ACTION_OPEN_COMMENTS,  /* id = post */
  PA_ACTION_SHARE,          /* id = post */
  PA_ACTION_OPEN_PET,       /* id = pet */
  PA_ACTION_OPEN_PERSON,    /* id = user */
  PA_ACTION_LOAD_MORE,      /* id = cursor; answer with pa_app_feed_loaded(..., PA_FEED_APPEND) */
  PA_ACTION_REFRESH,        /* id = NULL; answer with pa_app_feed_loaded(..., PA_FEED_REPLACE)
                              and pa_app_stories_loaded */
  PA_ACTION_STORY_SEEN,     /* id = story */
  PA_ACTION_LOAD_REELS,     /* id = cursor or NULL; answer with pa_app_reels_loaded */
  PA_ACTION_OPEN_POST,      /* id = post (a tile of the grid) */
  PA_ACTION_VIEWED,         /* id = post; value = ms it was on screen (at least half of it, or
                               half the viewport), reported when it leaves the screen or the
                               feed is replaced; the host turns it into a dwell or skip signal */
  PA_ACTION_WHY,            /* id = post: the user asked why it is in the feed */
  PA_ACTION_NOT_INTERESTED, /* id = post; the host learns from it and answers with
                               pa_app_remove_post */
  PA_ACTION_WATCHED,        /* id = the author (user) of a story or reel the user moved on
                               from; value = the fraction of it watched, 0..1 */
  PA_ACTION_OPEN_LISTING,   /* id = listing (a tile of a PA_GRID_LISTINGS grid) */
  PA_ACTION_AD_IMPRESSION,  /* id = a sponsored post's token (pa_feed_post.ad_token): at least
                               PA_APP_AD_VIEW_PERCENT % of the post was on screen for
                               PA_APP_AD_VIEW_MS of the host's clock without a break; once per
                               token. The host reports it ({token, kind: "impression"}) */
  PA_ACTION_AD_CLICK,       /* id = a sponsored post's token: the person activated the ad's link
                               (its call to action on the canvas, or PA_CONTROL_AD_LINK). The
                               host opens the link (the mirror's "link") and reports the click */
  PA_ACTION_OPEN_LIVE       /* id = a live ("live_N"): a tray entry on air was tapped or activated;
                               the host opens /live/<id>. Last so older kinds keep their values */
} pa_action_kind;

/* Where the host's video element goes (device pixels) and what it does. The
 * core draws the poster and overlays; the browser decodes the video. */
typedef struct pa_video {
  const char *url;      /* NULL: hide the element */
  const char *next_url; /* preload this one, or NULL */
  float x, y, w, h;
  int muted, loop;
} pa_video;

typedef struct pa_action {
  pa_action_kind kind;
  const char *id; /* valid during the callback only */
  double value;   /* PA_ACTION_VIEWED: milliseconds; PA_ACTION_WATCHED: 0..1; otherwise 0 */
} pa_action;

typedef struct pa_platform {
  void *user; /* passed back to every callback */

  /* Shapes, wraps and rasterises UTF-8 text. Text is the platform's job
   * because shaping (Arabic, Indic scripts), line breaking (Thai, CJK) and
   * fonts are what the browser already does well. On success returns 0 and
   * fills *out; the core frees out->rgba with free(). */
  int (*text_raster)(void *user, const char *utf8, const pa_text_style *style, pa_bitmap *out);

  /* Asks the host to fetch url; the host later answers with
   * pa_app_image_loaded (bytes), pa_app_image_decoded (pixels, e.g. from a
   * worker) or pa_app_image_failed for the same id. want_width/height are the
   * largest box (device pixels) the image is drawn into: a host that decodes
   * may downscale to it. */
  void (*image_request)(void *user, uint32_t image_id, const char *url, int want_width,
                        int want_height);

  /* The image is no longer wanted (scrolled far away): the host may drop the
   * fetch or decode; an answer that still arrives is accepted. May be NULL. */
  void (*image_cancel)(void *user, uint32_t image_id);

  /* The user asked for something the host must do. May be NULL (then the
   * controls do nothing). */
  void (*action)(void *user, const pa_action *action);

  /* Shows, moves or hides the video element; called when any of it changes.
   * May be NULL (reels then show their posters). */
  void (*video)(void *user, const pa_video *video);

  /* Diagnostics for developers. Never given user secrets. May be NULL. */
  void (*log)(void *user, const char *message);
} pa_platform;

#endif
