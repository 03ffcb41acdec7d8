/* pa_app — the feed screen: state, layout, input, painting and the
 * accessibility mirror. The host drives it: it passes events and data in and
 * calls pa_app_frame once per display frame. */
#ifndef PA_APP_H
#define PA_APP_H

#include "pa/pa_i18n.h"
#include "pa/pa_platform.h"
#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct SDL_Renderer SDL_Renderer;
typedef struct pa_app pa_app;

typedef struct pa_app_config {
  pa_platform platform;
  SDL_Renderer *renderer; /* borrowed; must outlive the app */
  int width, height;      /* viewport in device pixels */
  float scale;            /* device pixels per CSS pixel (devicePixelRatio) */
} pa_app_config;

typedef enum pa_key {
  PA_KEY_DOWN = 1,
  PA_KEY_UP,
  PA_KEY_PAGE_DOWN,
  PA_KEY_PAGE_UP,
  PA_KEY_HOME,
  PA_KEY_END,
  PA_KEY_LIKE, /* toggles the like on the focused post */
  PA_KEY_REFRESH,
  PA_KEY_LEFT,  /* previous story */
  PA_KEY_RIGHT, /* next story */
  PA_KEY_PAUSE, /* pauses or resumes a story */
  PA_KEY_MUTE,  /* toggles a reel's sound */
  PA_KEY_ESCAPE /* closes the story or reel viewer */
} pa_key;

typedef enum pa_theme { PA_THEME_LIGHT = 0, PA_THEME_DARK } pa_theme;

typedef enum pa_feed_mode {
  PA_FEED_REPLACE = 0, /* first load or refresh: keeps the post on screen in place */
  PA_FEED_APPEND,      /* the next page of an infinite scroll */
  PA_FEED_RESET        /* a different feed (For you / Following switched): starts at the top */
} pa_feed_mode;

typedef enum pa_pointer_phase {
  PA_POINTER_DOWN = 0,
  PA_POINTER_MOVE,
  PA_POINTER_UP,
  PA_POINTER_CANCEL
} pa_pointer_phase;

/* A post's controls, for the canvas and the DOM mirror alike. */
typedef enum pa_control {
  PA_CONTROL_LIKE = 1,
  PA_CONTROL_COMMENTS,
  PA_CONTROL_SHARE,
  PA_CONTROL_PROFILE,
  PA_CONTROL_NEXT_IMAGE,
  PA_CONTROL_PREV_IMAGE,
  PA_CONTROL_WHY,            /* "Why am I seeing this?": PA_ACTION_WHY */
  PA_CONTROL_NOT_INTERESTED, /* "Not interested": PA_ACTION_NOT_INTERESTED */
  PA_CONTROL_AD_LINK         /* a sponsored post's link (its call to action): PA_ACTION_AD_CLICK */
} pa_control;

/* The impression rule for sponsored posts (issue 21): an ad counts once per
 * token when at least PA_APP_AD_VIEW_PERCENT percent of its drawn card has
 * been inside the viewport for PA_APP_AD_VIEW_MS of the host's clock (the
 * now_ms of pa_app_frame) without a break; dropping below it, a frame in
 * which it was not drawn (scrolled away, covered by a viewer or the grid),
 * or the app hidden (pa_app_set_visible) starts the time again. */
enum { PA_APP_AD_VIEW_PERCENT = 50, PA_APP_AD_VIEW_MS = 1000 };

/* Whether visible_px of a card height_px tall is enough for the rule above. */
int pa_app_ad_in_view(double visible_px, double height_px);

/* Creates an app in the "loading" state. The caller frees it with pa_app_destroy. */
pa_status pa_app_create(const pa_app_config *config, pa_app **out, pa_error *err);
void pa_app_destroy(pa_app *app);

void pa_app_resize(pa_app *app, int width, int height, float scale);

void pa_app_set_theme(pa_app *app, pa_theme theme);

/* Hands the app a feed page as the server sent it. Bad bytes put the app in
 * its error state (keeping any posts already shown) and return the error. */
pa_status pa_app_feed_loaded(pa_app *app, const char *json, size_t len, pa_feed_mode mode,
                             pa_error *err);
/* The host could not fetch the feed at all (offline, HTTP error). */
void pa_app_feed_failed(pa_app *app, const char *message);

/* The story tray (GET /api/v1/stories). Bad bytes keep the old tray. */
pa_status pa_app_stories_loaded(pa_app *app, const char *json, size_t len, pa_error *err);
/* Opens the story viewer at tray entry index, at its first unseen story; an
 * entry on air (pa_story_entry.live_id) instead asks the host to open its
 * live (PA_ACTION_OPEN_LIVE). The viewer steps over entries with no stories. */
void pa_app_open_story(pa_app *app, int index);

/* A page of reels (GET /api/v1/reels). */
pa_status pa_app_reels_loaded(pa_app *app, const char *json, size_t len, pa_feed_mode mode,
                              pa_error *err);
/* Opens the reel viewer (asking for reels if it has none). */
void pa_app_open_reels(pa_app *app);
/* The host's video element started (1) or stopped (0) showing frames: the
 * core then stops painting the poster over it and leaves the stage clear. */
void pa_app_video_playing(pa_app *app, int playing);
/* Where the host's video is (seconds into duration_s; it loops): how much of
 * the reel was watched goes with PA_ACTION_WATCHED when the user moves on. */
void pa_app_video_progress(pa_app *app, double position_s, double duration_s);

/* The server's answer to PA_ACTION_LIKE/UNLIKE. On failure the optimistic
 * change is rolled back and the user told. */
void pa_app_like_result(pa_app *app, const char *post_id, int ok, int liked, int64_t like_count);

/* Takes a post out of the feed (the user hid it); what is on screen stays put. */
void pa_app_remove_post(pa_app *app, const char *post_id);

/* Encoded bytes, decoded here with pa_image_decode. */
void pa_app_image_loaded(pa_app *app, uint32_t image_id, const uint8_t *bytes, size_t len);
/* Pixels already decoded by the host: width * height * 4 bytes of straight
 * RGBA, copied by the app. */
void pa_app_image_decoded(pa_app *app, uint32_t image_id, int width, int height,
                          const uint8_t *rgba);
void pa_app_image_failed(pa_app *app, uint32_t image_id);

void pa_app_scroll(pa_app *app, float dy); /* device pixels, positive scrolls down */
void pa_app_key(pa_app *app, pa_key key);
/* Touch or mouse, in device pixels; t_ms is a monotonic timestamp. Drags
 * scroll with momentum, taps hit controls, a double tap on a photo likes it,
 * a pull at the top refreshes. */
void pa_app_pointer(pa_app *app, pa_pointer_phase phase, float x, float y, double t_ms);
/* Activates a control of post index, as a tap or a mirror button would. */
void pa_app_activate(pa_app *app, int index, pa_control control);
/* Moves keyboard focus to post index (-1 for none): scrolls it into view and
 * draws a focus ring, mirroring focus in the host's DOM. */
void pa_app_focus_post(pa_app *app, int index);
/* Focus on one control of post index (a mirror button has keyboard focus):
 * as pa_app_focus_post, plus a focus ring around that control. control 0
 * is the same as pa_app_focus_post. */
void pa_app_focus_control(pa_app *app, int index, pa_control control);

/* ---- The posts grid (app_grid.c): a person's, a pet's or a tag's posts as
 * square thumbnails, three to a row, virtualised and paged. While open it
 * replaces the feed on the canvas (the feed keeps its posts and position);
 * pointer, wheel and keys go to it. A tap (or pa_app_grid_activate) asks the
 * host for PA_ACTION_OPEN_POST; nearing the end asks for PA_ACTION_LOAD_MORE
 * with the grid's cursor, answered by pa_app_grid_loaded(..., PA_FEED_APPEND).
 * The mirror JSON then has a "grid" object: {state, message, total, posts:
 * [{index, id, label}]}, label being the caption (or the photo's alt). */

/* What a grid shows. */
typedef enum pa_grid_kind {
  PA_GRID_POSTS = 0, /* posts, pages in the feed's JSON shape (pa_feed.h) */
  /* The marketplace's browse: listings (pa_listings.h, the API's
   * ListingPage) with their title and price (pa_num_format_minor) in a
   * caption under the photo, two to a row below 560 CSS px. A tap asks for
   * PA_ACTION_OPEN_LISTING. The mirror's "grid" then has kind "listings",
   * columns, and listings: [{index, id, title, price, label}], label being
   * the catalog's grid.listing ("{title}, {price}"). */
  PA_GRID_LISTINGS = 1
} pa_grid_kind;

/* Opens an empty grid of posts in its loading state, dropping any previous
 * grid; the host then fetches the first page and passes it to
 * pa_app_grid_loaded. */
void pa_app_grid_open(pa_app *app);
/* The same for a grid of kind. */
void pa_app_grid_open_kind(pa_app *app, pa_grid_kind kind);
/* A page of the open grid's kind (posts: the feed's JSON shape; listings:
 * a ListingPage). Bad bytes keep the tiles shown and
 * put the grid in its error state; the error is returned. */
pa_status pa_app_grid_loaded(pa_app *app, const char *json, size_t len, pa_feed_mode mode,
                             pa_error *err);
/* The host could not fetch a page (offline, HTTP error). */
void pa_app_grid_failed(pa_app *app, const char *message);
/* Back to the feed; the grid's pages are freed. */
void pa_app_grid_close(pa_app *app);
/* Keyboard focus on tile index (-1 for none): scrolled into view, ringed. */
void pa_app_grid_focus(pa_app *app, int index);
/* Opens the post of tile index, as a tap would. */
void pa_app_grid_activate(pa_app *app, int index);

/* The catalogs the app's own text comes from (pa_i18n_text): cat for the
 * user's locale, fallback (normally "en"; may be NULL) for keys cat lacks.
 * Both are borrowed and must stay alive until the next call or
 * pa_app_destroy. Counts, relative times and numbers follow cat's locale;
 * an RTL locale (pa_i18n_is_rtl) mirrors the layout. The app measures again
 * and redraws at the next frame, keeping the post at the top of the screen
 * where it was. Before the first call the app shows no text of its own. */
void pa_app_set_locale(pa_app *app, const pa_i18n_catalog *cat, const pa_i18n_catalog *fallback);

/* The host shows (1) or hides (0) the app: another screen over the canvas, or
 * the page in the background. While hidden nothing counts as on screen: the
 * posts' dwell is reported (PA_ACTION_VIEWED) and sponsored posts' time stops. */
void pa_app_set_visible(pa_app *app, int visible);

/* The host's clock time (as pa_app_frame's now_ms) at which the app needs a
 * frame although nothing else changes — a sponsored post's impression falls
 * due then — or 0 when none. The host calls pa_app_frame at that time. */
double pa_app_wake_ms(const pa_app *app);

/* Lays out and paints one frame. now_ms is wall-clock time (ms since the
 * Unix epoch), used for relative times and animation. Returns 1 while an
 * animation (momentum, a notice) wants another frame soon, else 0. */
int pa_app_frame(pa_app *app, double now_ms);

/* Work for the host's idle time between frames (a browser's
 * requestIdleCallback): rasterises the texts of the feed's posts next to
 * the screen, at most max_texts of them, so a post scrolling in finds them
 * cached and its frame rasterises nothing. Shows nothing. Returns how many
 * texts it rasterised; 0 when nothing is left to do until the next frame. */
int pa_app_prepare(pa_app *app, int max_texts);

/* The accessibility mirror: JSON describing what is drawn, for the host to
 * reflect into DOM (as text only). The revision changes whenever it does. */
uint32_t pa_app_mirror_revision(const pa_app *app);
/* Writes the mirror JSON into buf (NUL-terminated when cap > 0); returns the
 * length the full text needs, like snprintf. */
size_t pa_app_mirror_json(pa_app *app, char *buf, size_t cap);

#endif
