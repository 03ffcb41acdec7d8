/* The browser host's C side: exports for the shell, with apps addressed by
 * small integer handles rather than raw pointers, and the platform callbacks
 * forwarded to the JavaScript host object (Module.paHost, see shell/feed.js).
 * The shell calls these through the generated seam/app.js (core/wasm/README.md). */
#include "pa/pa_app.h"
#include "pa/pa_feed.h"
#include "pa/pa_resize.h"

#include <SDL.h>
#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

/* ---- JavaScript imports: the platform seam, browser side. */

// clang-format off
EM_JS(uint8_t *, pa_js_text_raster,
      (const char *utf8, int size, int bold, uint32_t color, int max_width, int max_lines,
       int direction, int *out_w, int *out_h),
      {
        const bm = Module.paHost.textRaster(UTF8ToString(utf8), {size, bold : !!bold,
          color : color >>> 0, maxWidth : max_width, maxLines : max_lines,
          direction : ['auto', 'ltr', 'rtl'][direction] || 'auto'});
        if (!bm || !bm.width || !bm.height) return 0;
        const ptr = _malloc(bm.data.length);
        if (!ptr) return 0;
        HEAPU8.set(bm.data, ptr);
        HEAP32[out_w >> 2] = bm.width;
        HEAP32[out_h >> 2] = bm.height;
        return ptr;
      });
// clang-format on

// clang-format off
EM_JS(void, pa_js_image_request, (int handle, uint32_t id, const char *url, int w, int h),
      { Module.paHost.requestImage(handle, id >>> 0, UTF8ToString(url), w, h); });
// clang-format on

// clang-format off
EM_JS(void, pa_js_image_cancel, (int handle, uint32_t id),
      { if (Module.paHost.cancelImage) Module.paHost.cancelImage(handle, id >>> 0); });
// clang-format on

// clang-format off
EM_JS(void, pa_js_action, (int handle, int kind, const char *id, double value),
      { Module.paHost.action(handle, kind, id ? UTF8ToString(id) : null, value); });
// clang-format on

// clang-format off
EM_JS(void, pa_js_video,
      (int handle, const char *url, const char *next, float x, float y, float w, float h,
       int muted, int loop),
      {
        Module.paHost.video(handle, url ? UTF8ToString(url) : null,
                            next ? UTF8ToString(next) : null, {x, y, w, h}, !!muted, !!loop);
      });
// clang-format on

// clang-format off
EM_JS(void, pa_js_log, (const char *msg), { Module.paHost.log(UTF8ToString(msg)); });
// clang-format on

/* ---- handles */

enum { MAX_APPS = 4 };

typedef struct slot {
  pa_app *app;
  SDL_Window *window;
  SDL_Renderer *renderer;
  pa_error error; /* the last error, for pa_wasm_app_error */
  char *mirror;
  /* The canvas keeps a 1x1 drawing buffer until the first frame: a new
   * WebGL buffer counts as changed, and a software-composited page reads the
   * whole of it back at its next commit (~140 ms for a blank 860x1800 one
   * here, on the way to the first paint; issue 26). */
  int width, height; /* the size the canvas takes at the first frame */
  bool drawn;
} slot;

static slot slots[MAX_APPS]; /* index + 1 is the handle */

static slot *lookup(int handle) {
  return handle >= 1 && handle <= MAX_APPS && slots[handle - 1].app ? &slots[handle - 1] : NULL;
}

static int text_raster(void *user, const char *utf8, const pa_text_style *st, pa_bitmap *out) {
  out->rgba = pa_js_text_raster(utf8, st->size, st->bold, st->color, st->max_width, st->max_lines,
                                st->direction, &out->width, &out->height);
  return out->rgba ? 0 : -1;
}

static void image_request(void *user, uint32_t id, const char *url, int w, int h) {
  pa_js_image_request((int)(intptr_t)user, id, url, w, h);
}

static void image_cancel(void *user, uint32_t id) { pa_js_image_cancel((int)(intptr_t)user, id); }

static void action(void *user, const pa_action *a) {
  pa_js_action((int)(intptr_t)user, (int)a->kind, a->id, a->value);
}

static void video(void *user, const pa_video *v) {
  pa_js_video((int)(intptr_t)user, v->url, v->next_url, v->x, v->y, v->w, v->h, v->muted, v->loop);
}

static void log_line(void *user, const char *msg) { pa_js_log(msg); }

/* ---- exports */

EMSCRIPTEN_KEEPALIVE const char *pa_wasm_version(void) { return pa_version(); }

/* seam: status-name */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_status_name(int code) {
  return pa_status_name((pa_status)code);
}

/* Returns a malloc'd description: the feed summary, or "error (NAME): MESSAGE".
 * The caller frees it with free(). The same text the CLI's feed-parse prints. */
EMSCRIPTEN_KEEPALIVE char *pa_wasm_feed_describe(const char *json, size_t len) {
  pa_feed *feed;
  pa_error e;
  if (pa_feed_parse(json, len, &feed, &e) != PA_OK) {
    size_t n = strlen(e.msg) + 64;
    char *s = malloc(n);
    if (s) snprintf(s, n, "error (%s): %s\n", pa_status_name(e.code), e.msg);
    return s;
  }
  size_t need = pa_feed_describe(feed, NULL, 0);
  char *s = malloc(need + 1);
  if (s) pa_feed_describe(feed, s, need + 1);
  pa_feed_free(feed);
  return s;
}

/* Creates an app drawing onto the page's canvas (Module.canvas). Returns a
 * handle >= 1, or -status on failure. Free with pa_wasm_app_destroy.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_create(int width, int height, float scale) {
  int i = 0;
  while (i < MAX_APPS && slots[i].app) i++;
  if (i == MAX_APPS) return -PA_ERR_ARG;
  slot *s = &slots[i];
  /* SDL 2.26 binds to "#canvas" (hard-coded). It would otherwise take every
   * key on the page (and break Tab); the shell forwards the keys we need. */
  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
  if (SDL_WasInit(SDL_INIT_VIDEO) == 0 && SDL_Init(SDL_INIT_VIDEO) != 0) return -PA_ERR_PLATFORM;
  /* An alpha channel lets the reel stage show the video element beneath. */
  SDL_GL_SetAttribute(SDL_GL_ALPHA_SIZE, 8);
  /* SDL_Renderer draws 2D quads: no depth or stencil buffer to allocate (a
   * full-page drawing buffer's worth of each, at start; issue 26). */
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  s->window = SDL_CreateWindow("PetAmigos", 0, 0, 1, 1, 0);
  s->width = width;
  s->height = height;
  s->renderer = s->window ? SDL_CreateRenderer(s->window, -1, SDL_RENDERER_ACCELERATED) : NULL;
  if (!s->renderer) {
    if (s->window) SDL_DestroyWindow(s->window);
    s->window = NULL;
    return -PA_ERR_PLATFORM;
  }
  pa_app_config cfg = {{(void *)(intptr_t)(i + 1), text_raster, image_request, image_cancel, action,
                        video, log_line},
                       s->renderer,
                       width,
                       height,
                       scale};
  pa_status st = pa_app_create(&cfg, &s->app, &s->error);
  if (st != PA_OK) {
    SDL_DestroyRenderer(s->renderer);
    SDL_DestroyWindow(s->window);
    return -(int)st;
  }
  return i + 1;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_destroy(int handle) {
  slot *s = lookup(handle);
  if (!s) return;
  pa_app_destroy(s->app);
  SDL_DestroyRenderer(s->renderer);
  SDL_DestroyWindow(s->window);
  free(s->mirror);
  memset(s, 0, sizeof *s);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_resize(int handle, int width, int height, float scale) {
  slot *s = lookup(handle);
  if (!s) return;
  s->width = width;
  s->height = height;
  if (s->drawn) SDL_SetWindowSize(s->window, width, height);
  pa_app_resize(s->app, width, height, scale);
}

/* mode: pa_feed_mode (0 replace, 1 append, 2 reset: another feed, from the
 * top). Returns 0 or a pa_status; the message is then in pa_wasm_app_error.
 * seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_feed(int handle, const char *json, size_t len, int mode) {
  slot *s = lookup(handle);
  pa_feed_mode m = mode == 1 ? PA_FEED_APPEND : mode == 2 ? PA_FEED_RESET : PA_FEED_REPLACE;
  return s ? (int)pa_app_feed_loaded(s->app, json, len, m, &s->error) : PA_ERR_ARG;
}

/* Returns 0 or a pa_status (message in pa_wasm_app_error). seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_stories(int handle, const char *json, size_t len) {
  slot *s = lookup(handle);
  return s ? (int)pa_app_stories_loaded(s->app, json, len, &s->error) : PA_ERR_ARG;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_open_story(int handle, int index) {
  slot *s = lookup(handle);
  if (s) pa_app_open_story(s->app, index);
}

/* mode: 0 replace, 1 append. Returns 0 or a pa_status. seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_reels(int handle, const char *json, size_t len, int mode) {
  slot *s = lookup(handle);
  return s ? (int)pa_app_reels_loaded(s->app, json, len, mode ? PA_FEED_APPEND : PA_FEED_REPLACE,
                                      &s->error)
           : PA_ERR_ARG;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_video_playing(int handle, int playing) {
  slot *s = lookup(handle);
  if (s) pa_app_video_playing(s->app, playing);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_video_progress(int handle, double position_s,
                                                     double duration_s) {
  slot *s = lookup(handle);
  if (s) pa_app_video_progress(s->app, position_s, duration_s);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_open_reels(int handle) {
  slot *s = lookup(handle);
  if (s) pa_app_open_reels(s->app);
}

/* The user hid the post ("Not interested"). */
EMSCRIPTEN_KEEPALIVE void pa_wasm_app_remove_post(int handle, const char *post_id) {
  slot *s = lookup(handle);
  if (s) pa_app_remove_post(s->app, post_id);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_like_result(int handle, const char *post_id, int ok,
                                                  int liked, double like_count) {
  slot *s = lookup(handle);
  if (s) pa_app_like_result(s->app, post_id, ok, liked, (int64_t)like_count);
}

const pa_i18n_catalog *pa_wasm_i18n_catalog_of(int h); /* wasm_i18n.c */

/* cat, fallback: catalog handles from pa_wasm_i18n_catalog_load (0: none);
 * the host frees a catalog only after giving the app another. */
EMSCRIPTEN_KEEPALIVE void pa_wasm_app_set_locale(int handle, int cat, int fallback) {
  slot *s = lookup(handle);
  if (s) pa_app_set_locale(s->app, pa_wasm_i18n_catalog_of(cat), pa_wasm_i18n_catalog_of(fallback));
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_set_theme(int handle, int dark) {
  slot *s = lookup(handle);
  if (s) pa_app_set_theme(s->app, dark ? PA_THEME_DARK : PA_THEME_LIGHT);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_pointer(int handle, int phase, float x, float y, double t) {
  slot *s = lookup(handle);
  if (s && phase >= PA_POINTER_DOWN && phase <= PA_POINTER_CANCEL)
    pa_app_pointer(s->app, (pa_pointer_phase)phase, x, y, t);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_activate(int handle, int index, int control) {
  slot *s = lookup(handle);
  if (s && control >= PA_CONTROL_LIKE && control <= PA_CONTROL_AD_LINK)
    pa_app_activate(s->app, index, (pa_control)control);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_feed_failed(int handle, const char *message) {
  slot *s = lookup(handle);
  if (s) pa_app_feed_failed(s->app, message);
}

/* The last error's message. seam: error */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_app_error(int handle) {
  slot *s = lookup(handle);
  return s ? s->error.msg : "no such app";
}

/* The size the decode worker would give an image of w x h for a box (see
 * pa_resize_cover), for the main thread's fallback through the browser's
 * decoder: width << 16 | height. This module decodes no image itself. */
EMSCRIPTEN_KEEPALIVE int pa_wasm_image_cover_size(int w, int h, int box_w, int box_h) {
  int ow, oh;
  pa_resize_cover(w, h, box_w, box_h, &ow, &oh);
  return ow << 16 | oh;
}

/* rgba: width * height * 4 bytes of straight RGBA, copied. */
EMSCRIPTEN_KEEPALIVE void pa_wasm_app_image_decoded(int handle, uint32_t id, int width, int height,
                                                    const uint8_t *rgba) {
  slot *s = lookup(handle);
  if (s) pa_app_image_decoded(s->app, id, width, height, rgba);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_image_failed(int handle, uint32_t id) {
  slot *s = lookup(handle);
  if (s) pa_app_image_failed(s->app, id);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_scroll(int handle, float dy) {
  slot *s = lookup(handle);
  if (s) pa_app_scroll(s->app, dy);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_key(int handle, int key) {
  slot *s = lookup(handle);
  if (s && key >= PA_KEY_DOWN && key <= PA_KEY_ESCAPE) pa_app_key(s->app, (pa_key)key);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_focus(int handle, int index) {
  slot *s = lookup(handle);
  if (s) pa_app_focus_post(s->app, index);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_focus_control(int handle, int index, int control) {
  slot *s = lookup(handle);
  if (s) pa_app_focus_control(s->app, index, (pa_control)control);
}

/* ---- the posts grid (pa_app_grid_*) */

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_open(int handle) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_open(s->app);
}

/* kind: a pa_grid_kind (posts or the marketplace's listings). */
EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_open_kind(int handle, int kind) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_open_kind(s->app, kind == PA_GRID_LISTINGS ? PA_GRID_LISTINGS : PA_GRID_POSTS);
}

/* mode: 0 replace, 1 append. Returns 0 or a pa_status (message in pa_wasm_app_error).
 * seam: throws */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_grid(int handle, const char *json, size_t len, int mode) {
  slot *s = lookup(handle);
  return s ? (int)pa_app_grid_loaded(s->app, json, len, mode ? PA_FEED_APPEND : PA_FEED_REPLACE,
                                     &s->error)
           : PA_ERR_ARG;
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_failed(int handle, const char *message) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_failed(s->app, message);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_close(int handle) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_close(s->app);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_focus(int handle, int index) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_focus(s->app, index);
}

EMSCRIPTEN_KEEPALIVE void pa_wasm_app_grid_activate(int handle, int index) {
  slot *s = lookup(handle);
  if (s) pa_app_grid_activate(s->app, index);
}

/* The page shows (1) or hides (0) the feed's canvas (another screen, a
 * background tab): see pa_app_set_visible. */
EMSCRIPTEN_KEEPALIVE void pa_wasm_app_set_visible(int handle, int visible) {
  slot *s = lookup(handle);
  if (s) pa_app_set_visible(s->app, visible);
}

/* When (ms, the clock of pa_wasm_app_frame) the app needs a frame although
 * nothing else changes, or 0: a sponsored post's impression falls due. */
EMSCRIPTEN_KEEPALIVE double pa_wasm_app_wake_ms(int handle) {
  slot *s = lookup(handle);
  return s ? pa_app_wake_ms(s->app) : 0;
}

/* Returns 1 while the app animates and wants another frame. */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_frame(int handle, double now_ms) {
  slot *s = lookup(handle);
  if (!s) return 0;
  if (!s->drawn) {
    SDL_SetWindowSize(s->window, s->width, s->height);
    s->drawn = true;
  }
  return pa_app_frame(s->app, now_ms);
}

/* Idle time's work: texts of the posts next to the screen; how many it did. */
EMSCRIPTEN_KEEPALIVE int pa_wasm_app_prepare(int handle, int max_texts) {
  slot *s = lookup(handle);
  return s ? pa_app_prepare(s->app, max_texts) : 0;
}

EMSCRIPTEN_KEEPALIVE uint32_t pa_wasm_app_mirror_revision(int handle) {
  slot *s = lookup(handle);
  return s ? pa_app_mirror_revision(s->app) : 0;
}

/* Returns the mirror JSON, owned by the app until the next call. */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_app_mirror(int handle) {
  slot *s = lookup(handle);
  if (!s) return "{}";
  size_t need = pa_app_mirror_json(s->app, NULL, 0);
  char *m = realloc(s->mirror, need + 1);
  if (!m) return "{}";
  s->mirror = m;
  pa_app_mirror_json(s->app, m, need + 1);
  return m;
}
