#include "pa/pa_app.h"

#include <SDL.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "pa/pa_feed.h"
#include "pa/pa_image.h"

typedef enum { ST_LOADING, ST_READY, ST_ERROR } app_state;
typedef enum { IMG_NEW, IMG_REQUESTED, IMG_READY, IMG_FAILED } img_state;

typedef struct image_slot {
  char *url;
  img_state state;
  SDL_Texture *texture;
  int width, height;
} image_slot;

typedef struct palette {
  uint32_t page, card, line, text, muted, accent, like, error_bg, error_text, placeholder;
} palette;

static const palette LIGHT = {0xf3f1eeff, 0xffffffff, 0xe2ddd6ff, 0x1f1b16ff, 0x6b625aff,
                              0x2a7d6fff, 0xe0245eff, 0xfde8e8ff, 0x9b1c1cff, 0xe9e4dcff};

/* Layout metrics in CSS pixels; multiplied by the scale when used. */
enum {
  COLUMN_MAX = 600,
  PAD = 12,
  HEADER = 60,
  AVATAR = 40,
  ACTIONS = 44,
  GAP = 14,
  DOTS = 14,
  CAPTION_LINES = 6
};

struct pa_app {
  pa_platform platform;
  SDL_Renderer *renderer;
  pa_draw *draw;
  int width, height;
  float scale;
  palette pal;

  app_state state;
  char message[PA_ERROR_MSG_MAX];
  pa_feed *feed;
  float *post_top, *post_height; /* per post, device pixels */
  float content_height, scroll;
  int laid_out_width;

  image_slot *images;
  int image_count, image_cap;

  int focused; /* post index with keyboard focus, or -1 */
  double now_ms;
  uint32_t mirror_revision;
};

static float px(const pa_app *a, float css) { return css * a->scale; }

static void logf_(pa_app *a, const char *fmt, const char *arg) {
  if (!a->platform.log) return;
  char line[320];
  snprintf(line, sizeof line, fmt, arg);
  a->platform.log(a->platform.user, line);
}

pa_status pa_app_create(const pa_app_config *config, pa_app **out, pa_error *err) {
  pa_error_clear(err);
  if (!config || !out || !config->renderer || config->width <= 0 || config->height <= 0)
    return pa_error_set(err, PA_ERR_ARG, "app: config needs a renderer and a positive size");
  *out = NULL;
  pa_app *a = calloc(1, sizeof *a);
  if (!a) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  a->platform = config->platform;
  a->renderer = config->renderer;
  a->width = config->width;
  a->height = config->height;
  a->scale = config->scale > 0 ? config->scale : 1.0f;
  a->pal = LIGHT;
  a->state = ST_LOADING;
  a->focused = -1;
  /* 24 MiB of text textures: a few screens of captions at 3x. */
  a->draw = pa_draw_create(a->renderer, &a->platform, (size_t)24 << 20);
  if (!a->draw) {
    free(a);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  a->mirror_revision = 1;
  *out = a;
  return PA_OK;
}

static void free_images(pa_app *a) {
  for (int i = 0; i < a->image_count; i++) {
    free(a->images[i].url);
    if (a->images[i].texture) SDL_DestroyTexture(a->images[i].texture);
  }
  free(a->images);
  a->images = NULL;
  a->image_count = a->image_cap = 0;
}

void pa_app_destroy(pa_app *a) {
  if (!a) return;
  free_images(a);
  pa_feed_free(a->feed);
  free(a->post_top);
  free(a->post_height);
  pa_draw_destroy(a->draw);
  free(a);
}

void pa_app_resize(pa_app *a, int width, int height, float scale) {
  if (width <= 0 || height <= 0) return;
  if (scale <= 0) scale = 1.0f;
  if (scale != a->scale) pa_draw_clear_text(a->draw); /* glyphs differ per scale */
  a->width = width;
  a->height = height;
  a->scale = scale;
  a->laid_out_width = 0;
}

/* ---- images: one slot per distinct URL; the id is the slot index + 1. */

static image_slot *image_for(pa_app *a, const char *url, uint32_t *id) {
  if (!url) return NULL;
  for (int i = 0; i < a->image_count; i++)
    if (strcmp(a->images[i].url, url) == 0) {
      *id = (uint32_t)i + 1;
      return &a->images[i];
    }
  if (a->image_count == a->image_cap) {
    int cap = a->image_cap ? a->image_cap * 2 : 64;
    image_slot *grown = realloc(a->images, sizeof *grown * (size_t)cap);
    if (!grown) return NULL;
    a->images = grown;
    a->image_cap = cap;
  }
  image_slot *s = &a->images[a->image_count];
  memset(s, 0, sizeof *s);
  size_t n = strlen(url) + 1;
  if (!(s->url = malloc(n))) return NULL;
  memcpy(s->url, url, n);
  *id = (uint32_t)++a->image_count;
  return s;
}

static image_slot *want_image(pa_app *a, const char *url, float box_w, float box_h) {
  uint32_t id = 0;
  image_slot *s = image_for(a, url, &id);
  if (s && s->state == IMG_NEW && a->platform.image_request) {
    s->state = IMG_REQUESTED;
    a->platform.image_request(a->platform.user, id, s->url, (int)ceilf(box_w), (int)ceilf(box_h));
  }
  return s;
}

static image_slot *slot_by_id(pa_app *a, uint32_t id) {
  return id >= 1 && id <= (uint32_t)a->image_count ? &a->images[id - 1] : NULL;
}

void pa_app_image_decoded(pa_app *a, uint32_t id, int width, int height, const uint8_t *rgba) {
  image_slot *s = slot_by_id(a, id);
  if (!s || s->state == IMG_READY) return;
  if (!rgba || width <= 0 || height <= 0 || width > 16384 || height > 16384) {
    s->state = IMG_FAILED;
    return;
  }
  s->texture = SDL_CreateTexture(a->renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC,
                                 width, height);
  if (!s->texture) {
    logf_(a, "texture: %s", SDL_GetError());
    s->state = IMG_FAILED;
    return;
  }
  SDL_UpdateTexture(s->texture, NULL, rgba, width * 4);
  SDL_SetTextureBlendMode(s->texture, SDL_BLENDMODE_BLEND);
  SDL_SetTextureScaleMode(s->texture, SDL_ScaleModeLinear);
  s->width = width;
  s->height = height;
  s->state = IMG_READY;
}

void pa_app_image_loaded(pa_app *a, uint32_t id, const uint8_t *bytes, size_t len) {
  image_slot *s = slot_by_id(a, id);
  if (!s || s->state == IMG_READY) return;
  pa_image img;
  pa_error e;
  if (pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK) {
    logf_(a, "%s", e.msg);
    s->state = IMG_FAILED;
    return;
  }
  pa_app_image_decoded(a, id, img.width, img.height, img.rgba);
  pa_image_free(&img);
}

void pa_app_image_failed(pa_app *a, uint32_t id) {
  image_slot *s = slot_by_id(a, id);
  if (s) s->state = IMG_FAILED;
}

/* ---- feed state */

static void set_error(pa_app *a, const char *message) {
  a->state = ST_ERROR;
  snprintf(a->message, sizeof a->message, "%s", message);
  a->mirror_revision++;
}

pa_status pa_app_feed_loaded(pa_app *a, const char *json, size_t len, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_feed *feed = NULL;
  pa_status st = pa_feed_parse(json, len, &feed, e);
  if (st != PA_OK) {
    /* Keep whatever is on screen; tell the user, and the developer why. */
    logf_(a, "feed rejected: %s", e->msg);
    set_error(a, "The feed could not be read. Pull to try again.");
    return st;
  }
  int n = pa_feed_count(feed);
  float *top = malloc(sizeof *top * (size_t)(n ? n : 1));
  float *height = malloc(sizeof *height * (size_t)(n ? n : 1));
  if (!top || !height) {
    free(top);
    free(height);
    pa_feed_free(feed);
    set_error(a, "Out of memory.");
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  pa_feed_free(a->feed);
  free(a->post_top);
  free(a->post_height);
  a->feed = feed;
  a->post_top = top;
  a->post_height = height;
  a->state = ST_READY;
  a->message[0] = '\0';
  a->scroll = 0;
  a->focused = -1;
  a->laid_out_width = 0;
  a->mirror_revision++;
  return PA_OK;
}

void pa_app_feed_failed(pa_app *a, const char *message) {
  set_error(a, message && *message ? message : "The feed could not be loaded.");
}

/* ---- layout */

static float column_width(const pa_app *a) { return fminf((float)a->width, px(a, COLUMN_MAX)); }

static float image_box_height(const pa_app *a, const pa_feed_image *im) {
  /* Portrait up to 4:5 and landscape down to 1.91:1, as photo apps crop. */
  float ratio = (float)im->height / (float)im->width;
  return column_width(a) * fmaxf(0.5236f, fminf(1.25f, ratio));
}

static pa_text_style style(const pa_app *a, int css_size, int bold, uint32_t color, float max_w,
                           int max_lines) {
  return (pa_text_style){(int)lroundf(px(a, (float)css_size)), bold, color, (int)max_w, max_lines};
}

static float caption_height(pa_app *a, const pa_feed_post *p) {
  float w = column_width(a) - 2 * px(a, PAD);
  pa_text_style st = style(a, 15, 0, a->pal.text, w, CAPTION_LINES);
  pa_text t = pa_draw_text(a->draw, p->caption, &st);
  return (float)t.height;
}

static void layout(pa_app *a) {
  if (a->laid_out_width == a->width || !a->feed) return;
  float y = px(a, GAP);
  for (int i = 0; i < pa_feed_count(a->feed); i++) {
    const pa_feed_post *p = pa_feed_post_at(a->feed, i);
    float h = px(a, HEADER) + image_box_height(a, &p->images[0]) + px(a, ACTIONS) +
              caption_height(a, p) + px(a, PAD);
    if (p->image_count > 1) h += px(a, DOTS);
    a->post_top[i] = y;
    a->post_height[i] = h;
    y += h + px(a, GAP);
  }
  a->content_height = y;
  a->laid_out_width = a->width;
}

static void clamp_scroll(pa_app *a) {
  float max = fmaxf(0.0f, a->content_height - (float)a->height);
  a->scroll = fmaxf(0.0f, fminf(a->scroll, max));
}

void pa_app_scroll(pa_app *a, float dy) {
  a->scroll += dy;
  clamp_scroll(a);
}

void pa_app_key(pa_app *a, pa_key key) {
  float line = px(a, 48), page = (float)a->height * 0.9f;
  switch (key) {
  case PA_KEY_DOWN: a->scroll += line; break;
  case PA_KEY_UP: a->scroll -= line; break;
  case PA_KEY_PAGE_DOWN: a->scroll += page; break;
  case PA_KEY_PAGE_UP: a->scroll -= page; break;
  case PA_KEY_HOME: a->scroll = 0; break;
  case PA_KEY_END: a->scroll = a->content_height; break;
  }
  clamp_scroll(a);
}

void pa_app_focus_post(pa_app *a, int index) {
  a->focused = index >= 0 && index < pa_feed_count(a->feed) ? index : -1;
  if (a->focused < 0) return;
  layout(a);
  float top = a->post_top[index], bottom = top + a->post_height[index];
  /* Scroll as little as possible: align the top, or the bottom if it fits. */
  if (top - px(a, GAP) < a->scroll || a->post_height[index] > (float)a->height)
    a->scroll = top - px(a, GAP);
  else if (bottom + px(a, GAP) > a->scroll + (float)a->height)
    a->scroll = bottom + px(a, GAP) - (float)a->height;
  clamp_scroll(a);
}

/* ---- painting */

static void relative_time(int64_t then, double now_ms, int long_form, char *buf, size_t cap) {
  double s = now_ms / 1000.0 - (double)then;
  static const struct { double unit; const char *s, *l; } u[] = {
      {86400, "d", "day"}, {3600, "h", "hour"}, {60, "m", "minute"}};
  if (s < 60) {
    snprintf(buf, cap, "%s", long_form ? "just now" : "now");
    return;
  }
  for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
    if (s >= u[i].unit) {
      long n = (long)(s / u[i].unit);
      if (long_form)
        snprintf(buf, cap, "%ld %s%s ago", n, u[i].l, n == 1 ? "" : "s");
      else
        snprintf(buf, cap, "%ld%s", n, u[i].s);
      return;
    }
}

static void text_at(pa_app *a, const char *s, const pa_text_style *st, float x, float y) {
  pa_text t = pa_draw_text(a->draw, s, st);
  if (t.texture)
    SDL_RenderCopyF(a->renderer, t.texture, NULL,
                    &(SDL_FRect){x, y, (float)t.width, (float)t.height});
}

static float text_width(pa_app *a, const char *s, const pa_text_style *st) {
  return (float)pa_draw_text(a->draw, s, st).width;
}

static uint32_t species_tint(const char *species) {
  uint32_t h = 2166136261u;
  for (; *species; species++) h = (h ^ (uint8_t)*species) * 16777619u;
  static const uint32_t tints[] = {0xf6d7b0ff, 0xcfe3d4ff, 0xd7d3f0ff, 0xf3cfd6ff, 0xcde3f1ff};
  return tints[h % (sizeof tints / sizeof tints[0])];
}

static void paint_post(pa_app *a, const pa_feed_post *p, float x, float y, float w) {
  const palette *c = &a->pal;
  float pad = px(a, PAD), h = a->post_height[p - pa_feed_post_at(a->feed, 0)];
  pa_draw_rect(a->draw, x, y, w, h, c->line);
  pa_draw_rect(a->draw, x + 1, y + 1, w - 2, h - 2, c->card);

  /* Header: the pet's avatar, the pet's name, then who posted and when. */
  float r = px(a, AVATAR) / 2, cy = y + px(a, HEADER) / 2;
  image_slot *av = want_image(a, p->pet.avatar_url, 2 * r, 2 * r);
  pa_draw_disc(a->draw, x + pad + r, cy, r, species_tint(p->pet.species),
               av && av->state == IMG_READY ? av->texture : NULL);
  float tx = x + pad + 2 * r + px(a, 10), tw = w - (tx - x) - pad;
  pa_text_style name = style(a, 15, 1, c->text, tw, 1);
  text_at(a, p->pet.name, &name, tx, cy - px(a, 19));
  char when[24], byline[200];
  relative_time(p->created_at, a->now_ms, 0, when, sizeof when);
  snprintf(byline, sizeof byline, "%s · %s · %s", p->pet.species, p->author.name, when);
  pa_text_style meta = style(a, 13, 0, c->muted, tw, 1);
  text_at(a, byline, &meta, tx, cy + px(a, 1));

  /* The first image, cropped to the card's box, or a tinted placeholder. */
  float iy = y + px(a, HEADER), ih = image_box_height(a, &p->images[0]);
  image_slot *im = want_image(a, p->images[0].url, w - 2, ih);
  pa_draw_rect(a->draw, x + 1, iy, w - 2, ih, species_tint(p->pet.species));
  if (im && im->state == IMG_READY) {
    pa_draw_cover(a->draw, im->texture, im->width, im->height, x + 1, iy, w - 2, ih);
  } else if (im && im->state == IMG_FAILED) {
    pa_text_style st = style(a, 14, 0, c->muted, w - 2 * pad, 1);
    const char *msg = "Image unavailable";
    text_at(a, msg, &st, x + (w - text_width(a, msg, &st)) / 2, iy + ih / 2 - px(a, 9));
  }
  float ay = iy + ih;
  if (p->image_count > 1) {
    float dot = px(a, 3), step = px(a, 10);
    float dx = x + w / 2 - step * (float)(p->image_count - 1) / 2;
    for (int k = 0; k < p->image_count; k++)
      pa_draw_disc(a->draw, dx + step * (float)k, ay + px(a, DOTS) / 2 + px(a, 2), dot,
                   k == 0 ? c->accent : c->line, NULL);
    ay += px(a, DOTS);
  }

  /* Actions: like state and count, comment count. */
  float hy = ay + px(a, ACTIONS) / 2, hx = x + pad + px(a, 12);
  pa_draw_heart(a->draw, hx, hy, px(a, 24), p->liked ? c->like : c->muted);
  if (!p->liked) pa_draw_heart(a->draw, hx, hy, px(a, 17), c->card);
  char count[32];
  snprintf(count, sizeof count, "%lld", (long long)p->like_count);
  pa_text_style num = style(a, 14, 1, c->text, px(a, 120), 1);
  text_at(a, count, &num, hx + px(a, 18), hy - px(a, 9));
  float bx = hx + px(a, 36) + text_width(a, count, &num) + px(a, 14);
  pa_draw_disc(a->draw, bx, hy, px(a, 10), c->muted, NULL);
  pa_draw_disc(a->draw, bx, hy, px(a, 7.5f), c->card, NULL);
  snprintf(count, sizeof count, "%lld", (long long)p->comment_count);
  text_at(a, count, &num, bx + px(a, 16), hy - px(a, 9));

  pa_text_style cap = style(a, 15, 0, c->text, w - 2 * pad, CAPTION_LINES);
  text_at(a, p->caption, &cap, x + pad, ay + px(a, ACTIONS));

  if (p - pa_feed_post_at(a->feed, 0) == a->focused) {
    float t = px(a, 3);
    pa_draw_rect(a->draw, x, y, w, t, c->accent);
    pa_draw_rect(a->draw, x, y + h - t, w, t, c->accent);
    pa_draw_rect(a->draw, x, y, t, h, c->accent);
    pa_draw_rect(a->draw, x + w - t, y, t, h, c->accent);
  }
}

static void paint_message(pa_app *a, const char *title, const char *detail, float y) {
  float w = column_width(a) - 2 * px(a, PAD), x = ((float)a->width - w) / 2;
  pa_text_style t = style(a, 17, 1, a->pal.text, w, 2);
  pa_text_style d = style(a, 14, 0, a->pal.muted, w, 4);
  text_at(a, title, &t, x + (w - text_width(a, title, &t)) / 2, y);
  if (detail && *detail)
    text_at(a, detail, &d, x + (w - text_width(a, detail, &d)) / 2, y + px(a, 28));
}

void pa_app_frame(pa_app *a, double now_ms) {
  a->now_ms = now_ms;
  layout(a);
  clamp_scroll(a);
  const palette *c = &a->pal;
  SDL_SetRenderDrawColor(a->renderer, c->page >> 24, (c->page >> 16) & 255, (c->page >> 8) & 255,
                         255);
  SDL_RenderClear(a->renderer);

  float w = column_width(a), x = ((float)a->width - w) / 2;
  int n = pa_feed_count(a->feed);
  /* Paint only what intersects the viewport; fetch a screen ahead. */
  for (int i = 0; i < n; i++) {
    float top = a->post_top[i] - a->scroll, bottom = top + a->post_height[i];
    if (bottom < 0 || top > (float)a->height * 2) continue;
    if (top > (float)a->height) {
      const pa_feed_post *p = pa_feed_post_at(a->feed, i);
      want_image(a, p->images[0].url, w - 2, image_box_height(a, &p->images[0]));
      continue;
    }
    paint_post(a, pa_feed_post_at(a->feed, i), x, top, w);
  }
  if (a->state == ST_LOADING) paint_message(a, "Loading your feed…", NULL, (float)a->height / 3);
  if (a->state == ST_READY && n == 0)
    paint_message(a, "No posts yet", "Follow some pets to fill your feed.", (float)a->height / 3);
  if (a->state == ST_ERROR) {
    if (n == 0) {
      paint_message(a, "Something went wrong", a->message, (float)a->height / 3);
    } else {
      pa_text_style st = style(a, 14, 1, c->error_text, w - 2 * px(a, PAD), 2);
      pa_text t = pa_draw_text(a->draw, a->message, &st);
      pa_draw_rect(a->draw, x, 0, w, (float)t.height + px(a, 16), c->error_bg);
      text_at(a, a->message, &st, x + px(a, PAD), px(a, 8));
    }
  }
  SDL_RenderPresent(a->renderer);
}

/* ---- accessibility mirror */

uint32_t pa_app_mirror_revision(const pa_app *a) { return a->mirror_revision; }

size_t pa_app_mirror_json(pa_app *a, char *buf, size_t cap) {
  static const char *names[] = {"loading", "ready", "error"};
  cJSON *root = cJSON_CreateObject();
  if (cap) buf[0] = '\0';
  if (!root) return 0;
  cJSON_AddNumberToObject(root, "revision", a->mirror_revision);
  cJSON_AddStringToObject(root, "state", names[a->state]);
  cJSON_AddStringToObject(root, "message", a->message);
  cJSON *posts = cJSON_AddArrayToObject(root, "posts");
  for (int i = 0; i < pa_feed_count(a->feed); i++) {
    const pa_feed_post *p = pa_feed_post_at(a->feed, i);
    char when[48], title[256];
    relative_time(p->created_at, a->now_ms, 1, when, sizeof when);
    snprintf(title, sizeof title, "%s the %s, posted by %s %s", p->pet.name, p->pet.species,
             p->author.name, when);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "caption", p->caption);
    cJSON *alts = cJSON_AddArrayToObject(o, "images");
    for (int k = 0; k < p->image_count; k++)
      cJSON_AddItemToArray(alts, cJSON_CreateString(p->images[k].alt));
    cJSON_AddNumberToObject(o, "likes", (double)p->like_count);
    cJSON_AddNumberToObject(o, "comments", (double)p->comment_count);
    cJSON_AddBoolToObject(o, "liked", p->liked);
    cJSON_AddItemToArray(posts, o);
  }
  char *text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!text) return 0;
  size_t len = strlen(text);
  if (cap) snprintf(buf, cap, "%s", text);
  cJSON_free(text);
  return len;
}
