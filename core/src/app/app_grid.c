/* The posts grid: a person's, a pet's or a tag's posts as square thumbnails,
 * three to a row, on the same canvas as the feed — or the marketplace's
 * browse results (PA_GRID_LISTINGS): each listing's cover with its title and
 * price (formatted here, from integer minor units) in a caption under the
 * photo, two to a row on narrow screens. One geometry function (tile_at)
 * serves painting, hit-testing and focus; only rows near the viewport are
 * painted and fetched, and the mirror lists only the tiles around the
 * screen, so cost stays flat over thousands of posts or listings. */
#include "app_internal.h"
#include "pa/pa_app.h"
#include "pa/pa_listings.h"
#include "pa/pa_numfmt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CSS pixels. */
enum { GRID_MAX = 900, GRID_GAP = 3, GRID_COLUMNS = 3, GRID_FOOTER = 56 };
/* A listing's caption under its photo: two lines of title, one of price. */
enum { CAPTION_H = 78, CAPTION_PAD = 6, TITLE_SIZE = 14, PRICE_SIZE = 15 };
/* Where the price starts under the photo: below two lines of title. */
enum { PRICE_TOP = 48 };
/* Below this width (CSS px) listings go two to a row: a third of a phone is
 * too narrow for a title. */
enum { NARROW_MAX = 560, NARROW_COLUMNS = 2 };
/* How far back a new page's items are checked against those already shown. */
enum { REPEAT_WINDOW = 50 };

/* Its own pages, scroll and focus, so the feed underneath keeps its state
 * while a profile is open. */
struct app_grid {
  app_screen screen;
  pa_grid_kind kind;
  app_state state;
  const char *message_key;        /* catalog key of the error, or NULL: */
  char message[PA_ERROR_MSG_MAX]; /* the host's text */
  pa_feed **pages;
  int page_count, page_cap;
  const pa_feed_post **posts; /* borrowed from pages */
  pa_listings **lpages;       /* PA_GRID_LISTINGS: its pages, as pages for posts */
  int lpage_count, lpage_cap;
  const pa_listing **listings; /* borrowed from lpages */
  int lcap;
  int count, cap;          /* posts or listings */
  const char *next_cursor; /* owned by the last page */
  bool loading_more;
  double retry_more_after;
  float scroll, velocity, content_height;
  int focused; /* tile with keyboard focus, or -1 */
  int first_visible, last_visible;
};

/* size: the square photo; h: the whole cell (the photo and, for a listing,
 * its caption). */
typedef struct tile {
  float x, y, size, h;
} tile;

static float grid_width(const pa_app *a) { return fminf((float)a->width, app_px(a, GRID_MAX)); }

static int columns(const pa_app *a) {
  return a->grid->kind == PA_GRID_LISTINGS && grid_width(a) < app_px(a, NARROW_MAX) ? NARROW_COLUMNS
                                                                                    : GRID_COLUMNS;
}

static float caption_h(const pa_app *a) {
  return a->grid->kind == PA_GRID_LISTINGS ? app_px(a, CAPTION_H) : 0;
}

static float tile_size(const pa_app *a) {
  int n = columns(a);
  return (grid_width(a) - app_px(a, GRID_GAP) * (float)(n - 1)) / (float)n;
}

static float row_step(const pa_app *a) { return tile_size(a) + caption_h(a) + app_px(a, GRID_GAP); }

/* Where tile i is on screen (device pixels); rows run right to left in RTL. */
static tile tile_at(const pa_app *a, int i) {
  int n = columns(a);
  float size = tile_size(a), step = row_step(a), col_step = size + app_px(a, GRID_GAP);
  float x0 = ((float)a->width - grid_width(a)) / 2;
  int column = a->rtl ? n - 1 - i % n : i % n;
  return (tile){x0 + (float)column * col_step,
                app_px(a, GRID_GAP) + (float)(i / n) * step - a->grid->scroll, size,
                size + caption_h(a)};
}

/* The photo tile i shows (the post's first, the listing's cover), or NULL. */
static const char *tile_url(const app_grid *g, int i) {
  return g->kind == PA_GRID_LISTINGS ? g->listings[i]->cover_url : g->posts[i]->images[0].url;
}

static const char *tile_id(const app_grid *g, int i) {
  return g->kind == PA_GRID_LISTINGS ? g->listings[i]->id : g->posts[i]->id;
}

static void grid_layout(pa_app *a) {
  app_grid *g = a->grid;
  int rows = (g->count + columns(a) - 1) / columns(a);
  g->content_height =
      app_px(a, GRID_GAP) + (float)rows * row_step(a) + (g->count ? app_px(a, GRID_FOOTER) : 0);
}

static void grid_clamp(pa_app *a) {
  app_grid *g = a->grid;
  grid_layout(a);
  float max = fmaxf(0.0f, g->content_height - (float)a->height);
  g->scroll = fmaxf(0.0f, fminf(g->scroll, max));
}

static void free_pages(app_grid *g) {
  for (int i = 0; i < g->page_count; i++) pa_feed_free(g->pages[i]);
  for (int i = 0; i < g->lpage_count; i++) pa_listings_free(g->lpages[i]);
  g->page_count = g->lpage_count = 0;
  g->count = 0;
  g->next_cursor = NULL;
}

static void grid_free(pa_app *a, app_screen *s) {
  app_grid *g = (app_grid *)s;
  free_pages(g);
  free(g->pages);
  free(g->posts);
  free(g->lpages);
  free(g->listings);
  free(g);
}

void pa_app_grid_open(pa_app *a) { pa_app_grid_open_kind(a, PA_GRID_POSTS); }

void pa_app_grid_open_kind(pa_app *a, pa_grid_kind kind) {
  app_grid *g = a->grid;
  /* A story or reel viewer over the feed closes: the grid is a new screen. */
  app_close_others(a, &g->screen);
  free_pages(g);
  g->kind = kind == PA_GRID_LISTINGS ? PA_GRID_LISTINGS : PA_GRID_POSTS;
  g->screen.open = true;
  g->state = ST_LOADING;
  g->message_key = NULL;
  g->message[0] = '\0';
  g->loading_more = false;
  g->retry_more_after = 0;
  g->scroll = g->velocity = 0;
  g->focused = g->first_visible = g->last_visible = -1;
  a->ptr.down = false;
  a->mirror_revision++;
}

static void grid_close(pa_app *a, app_screen *s) {
  free_pages(a->grid);
  a->grid->screen.open = false;
  a->ptr.down = false;
  a->mirror_revision++;
}

void pa_app_grid_close(pa_app *a) {
  if (a->grid->screen.open) grid_close(a, &a->grid->screen);
}

static bool app_grid_grow(app_grid *g, int n) {
  return app_grow((void **)&g->pages, &g->page_cap, g->page_count + 1, sizeof *g->pages) &&
         app_grow((void **)&g->posts, &g->cap, g->count + n, sizeof *g->posts);
}

/* The error state with a catalog key, or (key NULL) the host's text. */
static void grid_error(pa_app *a, const char *key, const char *text) {
  app_grid *g = a->grid;
  if (g->loading_more) {
    /* Keep the tiles; try the next page again a little later. */
    g->loading_more = false;
    g->retry_more_after = a->now_ms + 5000;
  }
  g->state = ST_ERROR;
  g->message_key = key;
  snprintf(g->message, sizeof g->message, "%s", text ? text : "");
  a->mirror_revision++;
}

/* A page replacing the grid starts it again from the top, nothing focused. */
static void page_begin(app_grid *g, pa_feed_mode mode) {
  if (mode != PA_FEED_REPLACE) return;
  free_pages(g);
  g->scroll = 0;
  g->focused = -1;
}

/* Whether id is among the last REPEAT_WINDOW items loaded: a page may repeat
 * the previous page's last item (post or listing). */
static bool seen_recently(const app_grid *g, const char *id) {
  for (int k = g->count - 1; k >= 0 && k >= g->count - REPEAT_WINDOW; k--)
    if (strcmp(tile_id(g, k), id) == 0) return true;
  return false;
}

/* A page is in: the next page's cursor (owned by that page), the grid ready
 * and laid out again, the mirror told. */
static pa_status page_done(pa_app *a, const char *next_cursor) {
  app_grid *g = a->grid;
  g->next_cursor = next_cursor;
  g->loading_more = false;
  g->state = ST_READY;
  g->message_key = NULL;
  g->message[0] = '\0';
  grid_clamp(a);
  a->mirror_revision++;
  return PA_OK;
}

/* A page of listings (pa_listings.h), as pa_app_grid_loaded for posts. */
static pa_status listings_loaded(pa_app *a, const char *json, size_t len, pa_feed_mode mode,
                                 pa_error *e) {
  app_grid *g = a->grid;
  pa_listings *page = NULL;
  pa_status st = pa_listings_parse(json, len, &page, e);
  if (st != PA_OK) {
    app_log(a, "listings page rejected: %s", e->msg);
    grid_error(a, "grid.listingsUnreadable", NULL);
    return st;
  }
  page_begin(g, mode);
  int n = pa_listings_count(page);
  if (!app_grow((void **)&g->lpages, &g->lpage_cap, g->lpage_count + 1, sizeof *g->lpages) ||
      !app_grow((void **)&g->listings, &g->lcap, g->count + n, sizeof *g->listings)) {
    pa_listings_free(page);
    grid_error(a, "feed.error.outOfMemory", NULL);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  g->lpages[g->lpage_count++] = page;
  for (int i = 0; i < n; i++) {
    const pa_listing *l = pa_listings_at(page, i);
    if (!seen_recently(g, l->id)) g->listings[g->count++] = l;
  }
  return page_done(a, pa_listings_next_cursor(page));
}

pa_status pa_app_grid_loaded(pa_app *a, const char *json, size_t len, pa_feed_mode mode,
                             pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  app_grid *g = a->grid;
  if (!g->screen.open) return pa_error_set(e, PA_ERR_ARG, "grid: not open");
  if (g->kind == PA_GRID_LISTINGS) return listings_loaded(a, json, len, mode, e);
  pa_feed *feed = NULL;
  pa_status st = pa_feed_parse(json, len, &feed, e);
  if (st != PA_OK) {
    app_log(a, "grid page rejected: %s", e->msg);
    grid_error(a, "grid.unreadable", NULL);
    return st;
  }
  page_begin(g, mode);
  int n = pa_feed_count(feed);
  if (!app_grid_grow(g, n)) {
    pa_feed_free(feed);
    grid_error(a, "feed.error.outOfMemory", NULL);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  g->pages[g->page_count++] = feed;
  for (int i = 0; i < n; i++) {
    const pa_feed_post *p = pa_feed_post_at(feed, i);
    if (!seen_recently(g, p->id)) g->posts[g->count++] = p;
  }
  return page_done(a, pa_feed_next_cursor(feed));
}

void pa_app_grid_failed(pa_app *a, const char *message) {
  if (!a->grid->screen.open) return;
  if (message && *message)
    grid_error(a, NULL, message);
  else
    grid_error(a, a->grid->kind == PA_GRID_LISTINGS ? "grid.listingsFailed" : "grid.failed", NULL);
}

void pa_app_grid_focus(pa_app *a, int index) {
  app_grid *g = a->grid;
  g->focused = g->screen.open && index >= 0 && index < g->count ? index : -1;
  if (g->focused < 0) return;
  /* Scroll as little as possible to show the whole tile. */
  tile t = tile_at(a, index);
  float gap = app_px(a, GRID_GAP);
  if (t.y - gap < 0)
    g->scroll += t.y - gap;
  else if (t.y + t.h + gap > (float)a->height)
    g->scroll += t.y + t.h + gap - (float)a->height;
  g->velocity = 0;
  grid_clamp(a);
}

void pa_app_grid_activate(pa_app *a, int index) {
  app_grid *g = a->grid;
  if (g->screen.open && index >= 0 && index < g->count)
    app_act(a, g->kind == PA_GRID_LISTINGS ? PA_ACTION_OPEN_LISTING : PA_ACTION_OPEN_POST,
            tile_id(g, index));
}

/* ---- input */

static void grid_scroll(pa_app *a, app_screen *s, float dy) {
  a->grid->velocity = 0;
  a->grid->scroll += dy;
  grid_clamp(a);
}

static void grid_key(pa_app *a, app_screen *s, pa_key key) {
  app_grid *g = a->grid;
  g->velocity = 0; /* likes, refresh and viewer keys mean nothing here */
  g->scroll = app_key_scroll(a, key, g->scroll, g->content_height);
  grid_clamp(a);
}

static int tile_hit(const pa_app *a, float x, float y) {
  for (int i = a->grid->first_visible; i >= 0 && i <= a->grid->last_visible; i++) {
    tile t = tile_at(a, i);
    if (x >= t.x && x < t.x + t.size && y >= t.y && y < t.y + t.h) return i;
  }
  return -1;
}

static void grid_input(pa_app *a, app_screen *s, pa_pointer_phase phase, float x, float y,
                       double t) {
  app_grid *g = a->grid;
  switch (phase) {
  case PA_POINTER_DOWN:
    a->ptr.down = true;
    a->ptr.dragging = false;
    a->ptr.x = x, a->ptr.y = y, a->ptr.t = t;
    g->velocity = 0; /* a touch stops a fling */
    break;
  case PA_POINTER_MOVE:
    if (!a->ptr.down) break;
    if (!a->ptr.dragging && fabsf(y - a->ptr.y0) + fabsf(x - a->ptr.x0) > app_px(a, 8))
      a->ptr.dragging = true;
    if (a->ptr.dragging) {
      float dy = a->ptr.y - y;
      double dt = t - a->ptr.t;
      g->scroll += dy;
      grid_clamp(a);
      if (dt > 0) g->velocity = 0.8f * (float)(dy / dt) + 0.2f * g->velocity;
    }
    a->ptr.x = x, a->ptr.y = y, a->ptr.t = t;
    break;
  case PA_POINTER_UP:
    if (!a->ptr.down) break;
    a->ptr.down = false;
    if (!a->ptr.dragging && t - a->ptr.t0 < 500) pa_app_grid_activate(a, tile_hit(a, x, y));
    if (!a->ptr.dragging || t - a->ptr.t > 80) g->velocity = 0; /* held still: no fling */
    break;
  case PA_POINTER_CANCEL:
    a->ptr.down = false;
    g->velocity = 0;
    break;
  }
}

/* ---- painting */

static void centered(pa_app *a, const char *s, int size, int bold, uint32_t color, float y) {
  pa_text_style st = app_style(a, size, bold, color, grid_width(a) - 2 * app_px(a, 16), 3);
  app_text_at(a, s, &st, ((float)a->width - app_text_width(a, s, &st)) / 2, y);
}

/* The price of listing l in the locale's words ("R$ 49,90", "￥1,200"). */
static const char *listing_price(pa_app *a, const pa_listing *l, char *buf, size_t cap) {
  pa_error e;
  pa_num_format_minor(a->locale[0] ? a->locale : "en", l->price_minor, l->currency, buf, cap, &e);
  return buf;
}

/* A listing's caption: its title (two lines at most, in the text's own
 * direction) and its price under the photo. */
static void paint_caption(pa_app *a, int i, tile t) {
  const pa_listing *l = a->grid->listings[i];
  const palette *c = &a->pal;
  float pad = app_px(a, CAPTION_PAD), w = t.size - 2 * pad;
  char price[96];
  pa_text_style title = app_user_style(a, TITLE_SIZE, 0, c->text, w, 2);
  pa_text_style money = app_style(a, PRICE_SIZE, 1, c->text, w, 1);
  app_text_start(a, l->title, &title, t.x + pad, w, t.y + t.size + pad);
  app_text_start(a, listing_price(a, l, price, sizeof price), &money, t.x + pad, w,
                 t.y + t.size + app_px(a, PRICE_TOP));
}

static void paint_tile(pa_app *a, int i, tile t) {
  const app_grid *g = a->grid;
  const palette *c = &a->pal;
  const char *url = tile_url(g, i);
  pa_draw_rect(a->draw, t.x, t.y, t.size, t.size, c->line);
  image_slot *im = url ? app_want_image(a, url, t.size, t.size) : NULL;
  if (im && im->state == IMG_READY)
    pa_draw_cover(a->draw, im->texture, im->width, im->height, t.x, t.y, t.size, t.size);
  if (g->kind == PA_GRID_LISTINGS) paint_caption(a, i, t);
  if (g->kind == PA_GRID_POSTS && g->posts[i]->image_count > 1) {
    /* Two stacked squares in the corner: more than one photo. */
    float s = app_px(a, 10), m = app_px(a, 8), b = app_px(a, 2);
    float x = t.x + t.size - m - s - b, y = t.y + m + b;
    pa_draw_rect(a->draw, x + b, y - b, s, s, 0xffffffff);
    pa_draw_rect(a->draw, x - b / 2, y + b / 2, s, s, 0x1f1b16ff);
    pa_draw_rect(a->draw, x, y, s, s, 0xffffffff);
  }
  if (i == a->grid->focused) {
    float f = app_px(a, 3);
    app_ring(a, t.x, t.y, t.size, t.h, f, c->accent);
    app_ring(a, t.x + f, t.y + f, t.size - 2 * f, t.h - 2 * f, app_px(a, 1), c->card);
  }
}

static bool grid_frame(pa_app *a, app_screen *s, double dt) {
  app_grid *g = a->grid;
  if (!g->screen.open) return false;
  const palette *c = &a->pal;
  float h = (float)a->height;
  if (g->velocity != 0 && !a->ptr.down) {
    g->scroll += g->velocity * (float)dt;
    g->velocity *= expf(-(float)dt / 325.0f);
    float max = fmaxf(0.0f, g->content_height - h);
    if (fabsf(g->velocity) < 0.02f * a->scale || g->scroll <= 0 || g->scroll >= max)
      g->velocity = 0;
  }
  grid_clamp(a);

  /* Rows on screen are painted; a screen above and below is fetched. */
  int first = -1, last = -1;
  float step = row_step(a);
  int lo_row = (int)floorf((g->scroll - h) / step), hi_row = (int)ceilf((g->scroll + 2 * h) / step);
  int n = columns(a);
  int lo = lo_row < 0 ? 0 : lo_row * n;
  int hi = hi_row * n + n - 1 < g->count - 1 ? hi_row * n + n - 1 : g->count - 1;
  for (int i = lo; i <= hi; i++) {
    tile t = tile_at(a, i);
    if (t.y + t.h <= 0 || t.y >= h) {
      if (tile_url(g, i)) app_want_image(a, tile_url(g, i), t.size, t.size);
      continue;
    }
    if (first < 0) first = i;
    last = i;
    paint_tile(a, i, t);
  }
  if (first != g->first_visible || last != g->last_visible) a->mirror_revision++;
  g->first_visible = first;
  g->last_visible = last;

  /* The next page, two screens before the end. */
  if (g->next_cursor && !g->loading_more && g->state == ST_READY &&
      g->scroll + 3 * h > g->content_height && a->now_ms >= g->retry_more_after) {
    g->loading_more = true;
    app_act(a, PA_ACTION_LOAD_MORE, g->next_cursor);
  }
  char words[PA_ERROR_MSG_MAX];
  float footer = g->content_height - app_px(a, GRID_FOOTER) - g->scroll + app_px(a, 18);
  if (g->count && g->next_cursor && footer < h)
    centered(a, APP_T(a, words, sizeof words, "feed.loadingMore"), 14, 0, c->muted, footer);
  bool market = g->kind == PA_GRID_LISTINGS;
  if (g->state == ST_LOADING)
    centered(a, APP_T(a, words, sizeof words, market ? "grid.listingsLoading" : "grid.loading"), 16,
             1, c->muted, app_px(a, 40));
  if (g->state == ST_READY && g->count == 0)
    centered(a, APP_T(a, words, sizeof words, market ? "market.none" : "grid.empty"), 16, 1,
             c->muted, app_px(a, 40));
  if (g->state == ST_ERROR) {
    const char *m = app_message(a, g->message_key, g->message, words, sizeof words);
    float y = g->count ? h - app_px(a, 64) : app_px(a, 40);
    pa_text_style st = app_style(a, 14, 1, c->error_text, grid_width(a) - 2 * app_px(a, 16), 2);
    pa_text t = pa_draw_text(a->draw, m, &st);
    float x = ((float)a->width - grid_width(a)) / 2;
    pa_draw_rect(a->draw, x, y, grid_width(a), (float)t.height + app_px(a, 16), c->error_bg);
    app_text_start(a, m, &st, x + app_px(a, 16), grid_width(a) - 2 * app_px(a, 16),
                   y + app_px(a, 8));
  }
  return g->velocity != 0;
}

/* ---- mirror */

enum { LABEL_MAX = 240 }; /* bytes of a caption kept as a tile's label */

/* Copies s, cut at a character boundary with an ellipsis if it is long. */
static void short_label(const char *s, char out[LABEL_MAX + 4]) {
  size_t n = strlen(s);
  if (n <= LABEL_MAX) {
    memcpy(out, s, n + 1);
    return;
  }
  n = LABEL_MAX;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* not inside a character */
  memcpy(out, s, n);
  memcpy(out + n, "\xE2\x80\xA6", 4); /* "…" and the NUL */
}

static void grid_mirror(pa_app *a, app_screen *s, void *root_) {
  static const char *names[] = {"loading", "ready", "error"};
  app_grid *g = a->grid;
  if (!g->screen.open) return;
  cJSON *o = cJSON_AddObjectToObject(root_, "grid");
  if (!o) return;
  char words[PA_ERROR_MSG_MAX];
  cJSON_AddStringToObject(o, "state", names[g->state]);
  cJSON_AddStringToObject(o, "message",
                          app_message(a, g->message_key, g->message, words, sizeof words));
  cJSON_AddNumberToObject(o, "total", g->next_cursor ? -1 : g->count);
  cJSON_AddNumberToObject(o, "columns", columns(a));
  /* The tiles on screen and MIRROR_AROUND rows around them. */
  int lo, hi;
  app_mirror_window(g->first_visible, g->last_visible, g->focused, MIRROR_AROUND * columns(a),
                    g->count, &lo, &hi);
  if (g->kind == PA_GRID_LISTINGS) {
    cJSON_AddStringToObject(o, "kind", "listings");
    cJSON *items = cJSON_AddArrayToObject(o, "listings");
    for (int i = lo; items && i <= hi; i++) {
      const pa_listing *l = g->listings[i];
      char price[96], label[1024];
      listing_price(a, l, price, sizeof price);
      cJSON *t = cJSON_CreateObject();
      cJSON_AddNumberToObject(t, "index", i);
      cJSON_AddStringToObject(t, "id", l->id);
      cJSON_AddStringToObject(t, "title", l->title);
      cJSON_AddStringToObject(t, "price", price);
      cJSON_AddStringToObject(t, "label",
                              APP_TA(a, label, sizeof label, "grid.listing",
                                     PA_MSG_STR("title", l->title), PA_MSG_STR("price", price)));
      cJSON_AddItemToArray(items, t);
    }
    return;
  }
  cJSON_AddStringToObject(o, "kind", "posts");
  cJSON *posts = cJSON_AddArrayToObject(o, "posts");
  for (int i = lo; posts && i <= hi; i++) {
    const pa_feed_post *p = g->posts[i];
    char label[LABEL_MAX + 4];
    if (p->caption[0] || p->images[0].alt[0])
      short_label(p->caption[0] ? p->caption : p->images[0].alt, label);
    else
      APP_TA(a, label, sizeof label, "grid.photoOf", PA_MSG_STR("pet", p->pet.name));
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "index", i);
    cJSON_AddStringToObject(t, "id", p->id);
    cJSON_AddStringToObject(t, "label", label);
    cJSON_AddNumberToObject(t, "images", p->image_count);
    cJSON_AddItemToArray(posts, t);
  }
}

static const app_screen_ops GRID_OPS = {
    .input = grid_input,
    .key = grid_key,
    .scroll = grid_scroll,
    .frame = grid_frame,
    .mirror = grid_mirror,
    .close = grid_close,
    .free = grid_free,
    .opaque = true,
};

app_screen *app_grid_create(pa_app *a) {
  app_grid *g = app_screen_alloc(sizeof *g, &GRID_OPS);
  if (!g) return NULL;
  g->focused = -1;
  a->grid = g;
  return &g->screen;
}
