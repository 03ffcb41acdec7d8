/* The app's shared internals: the state and helpers app.c keeps for every
 * screen, and the one interface the screens (app_feed.c, app_stories.c,
 * app_reels.c, app_grid.c) implement. Not a public interface. */
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

typedef struct palette {
  uint32_t page, card, line, text, muted, accent, like, error_bg, error_text, notice_bg,
      notice_text, live /* a tray entry on air: its ring and LIVE pill */;
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
  CTA = 48,        /* a sponsored post's call-to-action band under the photo */
  CTA_BUTTON = 36, /* the button inside it */
  PULL_TRIGGER = 72
};

enum { MIRROR_AROUND = 6 }; /* posts mirrored beyond those on screen */

/* Rasterising ahead (issue 26): pa_app_prepare paints the posts next to the
 * screen off screen, between frames, so their texts are cached before they
 * scroll in; it looks this many posts below the screen (and one above). */
enum { AHEAD_POSTS = 4 };

/* Images kept as textures at most; beyond it, those off screen are dropped. */
static const size_t IMAGE_BUDGET = (size_t)96 << 20;

/* ---- screens: the parts of the app the user moves between.
 *
 * Each screen (the feed with its story tray, the story viewer, the reel
 * viewer, the posts grid, and the screens to come) keeps its own state in
 * its own struct in its own file, behind this one interface. The app owns
 * what they share (platform, renderer, text cache, images, words, pointer)
 * and holds the screens in z-order, bottom first. The topmost open screen is
 * the active one: it gets the pointer and the keys. Each frame paints from
 * the topmost open opaque screen up; the mirror has every screen's part. */
typedef struct app_screen app_screen;

typedef struct app_screen_ops {
  /* The pointer (a->ptr holds where it went down) and keys, while active. */
  void (*input)(pa_app *a, app_screen *s, pa_pointer_phase phase, float x, float y, double t);
  void (*key)(pa_app *a, app_screen *s, pa_key key);
  /* Wheel scrolling; NULL passes it to the open screen beneath. */
  void (*scroll)(pa_app *a, app_screen *s, float dy);
  /* Every frame, open or not, before painting: motion that runs on while
   * hidden (a fling, the layout). May be NULL. */
  void (*tick)(pa_app *a, app_screen *s, double dt);
  /* Paints, when it or a screen beneath is shown; a closed screen paints
   * nothing but may let go of what it showed. True while it animates. */
  bool (*frame)(pa_app *a, app_screen *s, double dt);
  /* Adds its part to the mirror's root (a cJSON object). */
  void (*mirror)(pa_app *a, app_screen *s, void *root);
  /* Closes it (another screen takes the app); NULL for the feed, always open. */
  void (*close)(pa_app *a, app_screen *s);
  void (*free)(pa_app *a, app_screen *s);
  bool opaque; /* covers the whole app: the screens beneath are not painted */
} app_screen_ops;

struct app_screen {
  const app_screen_ops *ops;
  bool open;
};

/* The screens, in z-order; each file's struct starts with its app_screen.
 * The story viewer lies above the reels: opened from the feed's tray, it
 * takes the pointer and keys should both be open. */
typedef enum { APP_FEED, APP_REELS, APP_STORIES, APP_GRID, APP_SCREENS } app_screen_id;
typedef struct app_feed app_feed;
typedef struct app_stories app_stories;
typedef struct app_reels app_reels;
typedef struct app_grid app_grid;

/* A zeroed screen struct of size bytes (its app_screen first) with ops, closed;
 * NULL if out of memory. The screen's ops->free frees it. */
void *app_screen_alloc(size_t size, const app_screen_ops *ops);
/* Each makes its screen, closed (the feed: open), and sets its typed pointer
 * in a; NULL if out of memory. The app frees it with its ops->free. */
app_screen *app_feed_create(pa_app *a);
app_screen *app_stories_create(pa_app *a);
app_screen *app_reels_create(pa_app *a);
app_screen *app_grid_create(pa_app *a);

struct pa_app {
  pa_platform platform;
  SDL_Renderer *renderer;
  pa_draw *draw;
  int width, height;
  float scale;
  palette pal;

  /* The pointer, shared: a screen opened mid-gesture sees where it began. */
  struct {
    bool down, dragging;
    float x0, y0, x, y;
    double t0, t;
  } ptr;

  image_slot *images;
  int image_count, image_cap;
  size_t image_bytes;

  /* Words (app_i18n.c): borrowed catalogs, their locale, mirrored layout. */
  const pa_i18n_catalog *cat, *fallback;
  char locale[PA_I18N_TAG_MAX];
  bool rtl;

  app_screen *screens[APP_SCREENS];
  app_feed *feed; /* the same screens, typed, for the files that own them */
  app_stories *stories;
  app_reels *reels;
  app_grid *grid;

  double now_ms, last_frame_ms;
  uint64_t frame;
  bool hidden; /* pa_app_set_visible(0): nothing is on screen */
  uint32_t mirror_revision;
};

/* The screen that gets pointer and keys: the topmost open one. */
app_screen *app_active(pa_app *a);
/* Whether an open screen lies over s (it is not what the user sees). */
bool app_covered(const pa_app *a, const app_screen *s);
/* Closes every open screen above the feed but keep: a new screen starts clean. */
void app_close_others(pa_app *a, const app_screen *keep);
/* The pointer's press and release on a viewer that takes every touch. */
void app_track_pointer(pa_app *a, pa_pointer_phase phase);

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
/* Posts are measured again at the next frame (width, scale or content above
 * changed); app_feed.c. */
void app_invalidate_layout(pa_app *a);
/* The app was hidden: what was on screen has left it (dwell, ads' time); app_feed.c. */
void app_feed_hidden(pa_app *a);
/* When the feed next needs a frame for an ad's impression, or 0; app_feed.c. */
double app_feed_wake(const pa_app *a);
/* pa_app_prepare for the feed: texts of the posts next to the screen, at most
 * max rasterised; returns how many were (app_feed.c). */
int app_feed_prepare(pa_app *a, int max);
/* The impression of the served ad token is due (pa_app.h's rule met, in the
 * feed or the reels): hands it to the host unless a token of the same text
 * was counted before (one ring for both, app_feed.c). */
void app_ad_impression(pa_app *a, const char *token);
/* The reels' like app_feed_hidden and app_feed_wake (app_reels.c). */
void app_reels_hidden(pa_app *a);
double app_reels_wake(const pa_app *a);

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

/* Stories (app_stories.c): the tray the feed paints at its top. */
float app_tray_height(const pa_app *a); /* 0 without stories */
/* Words of a catalog key on a round-ended pill: the tray's LIVE, the reel's Replay. */
void app_pill(pa_app *a, float x, float cy, float anchor, const char *key, uint32_t bg);
void app_paint_tray(pa_app *a, float top);
bool app_tray_tap(pa_app *a, float x, float y, float top);
void app_tray_drag(pa_app *a, float dx);
void app_tray_mirror(pa_app *a, void *root); /* root is a cJSON object */
void app_tray_direction_changed(pa_app *a);  /* the locale's direction flipped */

#endif
