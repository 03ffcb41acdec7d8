/* The app's shared internals: state and helpers used by app.c (feed),
 * app_stories.c and app_reels.c. Not a public interface. */
#ifndef PA_APP_INTERNAL_H
#define PA_APP_INTERNAL_H

#include "draw.h"
#include "pa/pa_app.h"
#include "pa/pa_feed.h"
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
  uint64_t used_frame; /* last frame that drew or wanted it */
} image_slot;

/* What the app knows about a post beyond the immutable parsed page. */
typedef struct post_view {
  const pa_feed_post *post; /* borrowed from one of a->pages */
  float top, height;        /* device pixels; height estimated until measured */
  float measured_width;     /* width the height was measured at, 0 if estimated */
  bool liked;
  int64_t likes;
  int like_pending; /* 0, or the state we asked the server for: 1 like, -1 unlike */
  int image_index;  /* carousel position */
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
  pa_video video_sent; /* what the host last heard, to call it only on change */
  char video_url[PA_FEED_MAX_URL + 1];

  int focused; /* post index with keyboard focus, or -1 */
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
void app_log(pa_app *a, const char *fmt, const char *arg);
/* The image for url, requested at box size if new; NULL if out of memory. */
image_slot *app_want_image(pa_app *a, const char *url, float box_w, float box_h);
/* Grows *items (size bytes each) to hold need, doubling; false if out of memory. */
bool app_grow(void **items, int *cap, int need, size_t size);
/* Posts are measured again at the next frame (width, scale or content above changed). */
void app_invalidate_layout(pa_app *a);
void app_relative_time(int64_t then, double now_ms, int long_form, char *buf, size_t cap);
float app_column_width(const pa_app *a);
float app_column_x(const pa_app *a);

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
