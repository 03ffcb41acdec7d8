/* The app's shared internals: state and helpers used by app.c (feed),
 * app_stories.c and app_reels.c. Not a public interface. */
#ifndef PA_APP_INTERNAL_H
#define PA_APP_INTERNAL_H

#include "draw.h"
#include "pa/pa_app.h"
#include "pa/pa_feed.h"
#include "pa/pa_i18n.h"
#include "pa/pa_stories.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { ST_LOADING, ST_READY, ST_ERROR } app_state;
typedef enum { IMG_NEW, IMG_REQUESTED, IMG_READY, IMG_FAILED } img_state;

typedef struct image_slot {
  char *url;
  img_state state;
  SDL_Texture *texture;
  int width, height;
  int asked_w, asked_h;     /* the box of the last request (device pixels) */
  bool sharper;             /* READY, and a larger decode for a larger box is on its way */
  uint64_t used_frame;      /* last frame that drew or wanted it */
  SDL_Texture *placeholder; /* its ThumbHash rendered (32 px), until the image is ready */
  int placeholder_w, placeholder_h;
} image_slot;

/* What the app knows about a post beyond the immutable parsed page. */
typedef struct post_view {
  const pa_feed_post *post; /* borrowed from one of a->pages */
  float top, height;        /* device pixels; height estimated until measured */
  float measured_width;     /* width the height was measured at, 0 if estimated */
  bool liked;
  int64_t likes;
  int like_pending;  /* 0, or the state we asked the server for: 1 like, -1 unlike */
  int image_index;   /* carousel position */
  double view_start; /* ms when it came on screen, 0 while it is not (PA_ACTION_VIEWED) */
} post_view;

typedef struct palette {
  uint32_t page, card, line, text, muted, accent, like, error_bg, error_text, notice_bg,
      notice_text;
} palette;

/* Layout metrics in CSS pixels; multiplied by the scale when used. */
enum {
  COLUMN_MAX = 600,
  PAD = 12,
  HEADER = 60,
  AVATAR = 40,
  ACTIONS = 44,
  GAP = 14,
  DOTS = 14,
  CAPTION_LINES = 6,
  CAPTION_ESTIMATE = 40, /* two lines, until measured */
  FOOTER = 64,
  PULL_TRIGGER = 72
};

enum { MIRROR_AROUND = 6 }; /* posts mirrored beyond those on screen */

/* Images kept as textures at most; beyond it, those off screen are dropped. */
static const size_t IMAGE_BUDGET = (size_t)96 << 20;

/* The posts grid (app_grid.c): its own pages, scroll and focus, so the feed
 * underneath keeps its state while a profile is open. */
typedef struct app_grid {
  bool open;
  app_state state;
  const char *message_key;        /* catalog key of the error, or NULL: */
  char message[PA_ERROR_MSG_MAX]; /* the host's text */
  pa_feed **pages;
  int page_count, page_cap;
  const pa_feed_post **posts; /* borrowed from pages */
  int count, cap;
  const char *next_cursor; /* owned by the last page */
  bool loading_more;
  double retry_more_after;
  float scroll, velocity, content_height;
  int focused; /* tile with keyboard focus, or -1 */
  int first_visible, last_visible;
} app_grid;

struct pa_app {
  pa_platform platform;
  SDL_Renderer *renderer;
  pa_draw *draw;
  int width, height;
  float scale;
  palette pal;

  app_state state;
  char message[PA_ERROR_MSG_MAX];
  char notice[PA_ERROR_MSG_MAX]; /* a transient message over the feed */
  double notice_until;

  pa_feed **pages;
  int page_count, page_cap;
  post_view *posts;
  int post_count, post_cap;
  const char *next_cursor; /* owned by the last page */
  bool loading_more, refreshing;
  double retry_more_after; /* ms; a failed page is retried no sooner */
  float content_height;

  float scroll, velocity; /* velocity in device px per ms */
  float pull;             /* overscroll at the top, for pull-to-refresh */
  struct {
    bool down, dragging;
    float x0, y0, x, y;
    double t0, t;
  } ptr;
  struct {
    double t;
    float x, y;
  } last_tap;

  image_slot *images;
  int image_count, image_cap;
  size_t image_bytes;

  /* Stories: the tray, what this viewer has seen, and the open viewer. */
  pa_stories *tray;
  bool *seen;     /* per story, in tray order */
  int *seen_base; /* per entry: index of its first story in seen */
  float tray_scroll;
  struct {
    bool open, paused;
    int entry, story;
    double elapsed; /* ms shown so far */
    bool held;
  } viewer;

  /* Reels: the loaded pages and the open viewer. */
  pa_reels **reel_pages;
  int reel_page_count, reel_page_cap;
  const pa_reel **reels;
  int reel_count, reel_cap;
  bool reels_open, reels_loading, muted, video_playing;
  int reel;
  double reel_watched, reel_position; /* fraction of the current reel seen (-1: nothing yet) */
  pa_video video_sent;                /* what the host last heard, to call it only on change */
  char video_url[PA_FEED_MAX_URL + 1];

  /* Words (app_i18n.c): borrowed catalogs, their locale, mirrored layout.
   * message_key/notice_key name the catalog message shown; when empty,
   * message/notice hold text the host gave. */
  const pa_i18n_catalog *cat, *fallback;
  char locale[PA_I18N_TAG_MAX];
  bool rtl;
  const char *message_key, *notice_key;

  int focused;                /* post index with keyboard focus, or -1 */
  pa_control focused_control; /* the mirror button with focus in that post, or 0 */
  app_grid grid;
  int first_visible, last_visible;
  double now_ms, last_frame_ms;
  uint64_t frame;
  uint32_t mirror_revision;
};

float app_px(const pa_app *a, float css);
pa_text_style app_style(const pa_app *a, int css_size, int bold, uint32_t color, float max_w,
                        int max_lines);
void app_text_at(pa_app *a, const char *s, const pa_text_style *st, float x, float y);
float app_text_width(pa_app *a, const char *s, const pa_text_style *st);
void app_act(pa_app *a, pa_action_kind kind, const char *id);
void app_act_value(pa_app *a, pa_action_kind kind, const char *id, double value);
void app_log(pa_app *a, const char *fmt, const char *arg);
/* The image for url, requested at box size if new; NULL if out of memory. */
image_slot *app_want_image(pa_app *a, const char *url, float box_w, float box_h);
/* Grows *items (size bytes each) to hold need, doubling; false if out of memory. */
bool app_grow(void **items, int *cap, int need, size_t size);
/* Posts are measured again at the next frame (width, scale or content above changed). */
void app_invalidate_layout(pa_app *a);

/* ---- words and direction (app_i18n.c) */

/* key from the app's catalogs with args, into buf; "" before pa_app_set_locale. */
const char *app_tr(pa_app *a, char *buf, size_t cap, const char *key, const pa_msg_arg *args,
                   size_t nargs);
#define APP_T(a, buf, cap, key) app_tr((a), (buf), (cap), (key), NULL, 0)
#define APP_TA(a, buf, cap, key, ...)                                                              \
  app_tr((a), (buf), (cap), (key), (const pa_msg_arg[]){__VA_ARGS__},                              \
         sizeof((const pa_msg_arg[]){__VA_ARGS__}) / sizeof(pa_msg_arg))
/* A count in the locale's compact form ("1.2K", "1,2 k", "1.2万"). */
const char *app_count(pa_app *a, int64_t n, char *buf, size_t cap);
/* then (Unix seconds) relative to the frame's time: "3h" or "3 hours ago". */
const char *app_when(pa_app *a, int64_t then, int long_form, char *buf, size_t cap);
/* The message key's text, or the host's text when key is NULL or empty. */
const char *app_message(pa_app *a, const char *key, const char *text, char *buf, size_t cap);
/* app_style for text users wrote (names, captions): direction from the text. */
pa_text_style app_user_style(const pa_app *a, int css_size, int bold, uint32_t color, float max_w,
                             int max_lines);
/* x of a box [x, x+w) mirrored inside [left, left+width) when the locale is RTL. */
float app_mx(const pa_app *a, float x, float w, float left, float width);
/* Draws s at the start edge of [x, x+w): the left, or the right in RTL.
 * Returns the x where the text ends in reading order. */
float app_text_start(pa_app *a, const char *s, const pa_text_style *st, float x, float w, float y);
float app_column_width(const pa_app *a);
float app_column_x(const pa_app *a);

/* The scroll position after a scrolling key (arrows, pages, Home, End to
 * end); other keys leave it. The caller clamps. */
float app_key_scroll(const pa_app *a, pa_key key, float scroll, float end);
/* The items the mirror holds: those on screen (first..last, -1 if none),
 * around more each side, and the focused one (-1 for none); into [lo, hi]. */
void app_mirror_window(int first, int last, int focused, int around, int count, int *lo, int *hi);
/* A focus ring of thickness t just inside the box. */
void app_ring(pa_app *a, float x, float y, float w, float h, float t, uint32_t color);

/* The posts grid (app_grid.c); while open, app.c hands it input and frames. */
bool app_grid_input(pa_app *a, pa_pointer_phase phase, float x, float y, double t);
bool app_grid_scroll(pa_app *a, float dy);
bool app_grid_key(pa_app *a, pa_key key);
void app_paint_grid(pa_app *a, double dt);
bool app_grid_animating(const pa_app *a);
void app_grid_free(pa_app *a);
void app_grid_mirror(pa_app *a, void *root);

/* Stories (app_stories.c). */
float app_tray_height(const pa_app *a); /* 0 without stories */
void app_paint_tray(pa_app *a, float top);
bool app_tray_tap(pa_app *a, float x, float y, float top);
void app_tray_drag(pa_app *a, float dx);
bool app_story_input(pa_app *a, pa_pointer_phase phase, float x, float y, double t);
bool app_story_key(pa_app *a, pa_key key);
void app_paint_story(pa_app *a, double dt);
void app_stories_free(pa_app *a);
void app_stories_mirror(pa_app *a, void *root); /* root is a cJSON object */

/* Reels (app_reels.c). */
bool app_reels_input(pa_app *a, pa_pointer_phase phase, float x, float y, double t);
bool app_reels_key(pa_app *a, pa_key key);
void app_paint_reels(pa_app *a);
void app_reels_free(pa_app *a);
void app_reels_mirror(pa_app *a, void *root);

#endif
