/* The app: what every screen shares (platform, renderer, text cache,
 * images, theme, the pointer) and the dispatch of pointer, keys, frames and
 * the mirror to the screens (app_internal.h, "screens"). */
#include "app_internal.h"
#include "pa/pa_app.h"
#include "pa/pa_image.h"

#include <SDL.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const palette LIGHT = {0xf3f1eeff, 0xffffffff, 0xe2ddd6ff, 0x1f1b16ff,
                              0x6b625aff, 0x2a7d6fff, 0xe0245eff, 0xfde8e8ff,
                              0x9b1c1cff, 0x1f1b16ee, 0xffffffff, 0xd93a00ff};

static const palette DARK = {0x121212ff, 0x1e1e1eff, 0x2e2e2eff, 0xf2efeaff,
                             0xa8a29aff, 0x5cc2b0ff, 0xff4d7dff, 0x3b1f1fff,
                             0xffb4b4ff, 0xf2efeaee, 0x121212ff, 0xd93a00ff};

float app_px(const pa_app *a, float css) { return css * a->scale; }

#define px app_px

void app_log(pa_app *a, const char *fmt, const char *arg) {
  if (!a->platform.log) return;
  char line[320];
  snprintf(line, sizeof line, fmt, arg);
  a->platform.log(a->platform.user, line);
}

void app_act(pa_app *a, pa_action_kind kind, const char *id) { app_act_value(a, kind, id, 0); }

void app_act_value(pa_app *a, pa_action_kind kind, const char *id, double value) {
  if (a->platform.action) a->platform.action(a->platform.user, &(pa_action){kind, id, value});
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
  /* 24 MiB of text textures: a few screens of captions at 3x. */
  a->draw = pa_draw_create(a->renderer, &a->platform, (size_t)24 << 20);
  a->screens[APP_FEED] = app_feed_create(a);
  a->screens[APP_REELS] = app_reels_create(a);
  a->screens[APP_STORIES] = app_stories_create(a);
  a->screens[APP_GRID] = app_grid_create(a);
  for (int i = 0; i < APP_SCREENS; i++)
    if (!a->screens[i]) {
      pa_app_destroy(a);
      return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
    }
  if (!a->draw) {
    pa_app_destroy(a);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  a->mirror_revision = 1;
  *out = a;
  return PA_OK;
}

static void drop_texture(pa_app *a, image_slot *s) {
  if (s->placeholder) SDL_DestroyTexture(s->placeholder);
  s->placeholder = NULL;
  if (!s->texture) return;
  SDL_DestroyTexture(s->texture);
  s->texture = NULL;
  a->image_bytes -= (size_t)s->width * (size_t)s->height * 4;
}

void pa_app_destroy(pa_app *a) {
  if (!a) return;
  for (int i = 0; i < a->image_count; i++) {
    drop_texture(a, &a->images[i]);
    free(a->images[i].url);
  }
  free(a->images);
  for (int i = 0; i < APP_SCREENS; i++)
    if (a->screens[i]) a->screens[i]->ops->free(a, a->screens[i]);
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
  app_invalidate_layout(a);
}

void pa_app_set_theme(pa_app *a, pa_theme theme) {
  a->pal = theme == PA_THEME_DARK ? DARK : LIGHT;
  pa_draw_clear_text(a->draw); /* text colours are baked into its textures */
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

/* The host decodes to the box asked for, so an image first wanted small (a
 * grid tile) and then large (a feed card) is asked for again at the larger
 * box; the small texture is drawn until the sharper one arrives. */
static bool box_outgrows(const image_slot *s, float box_w, float box_h) {
  return box_w > (float)s->asked_w * 1.2f || box_h > (float)s->asked_h * 1.2f;
}

image_slot *app_want_image(pa_app *a, const char *url, float box_w, float box_h) {
  uint32_t id = 0;
  image_slot *s = image_for(a, url, &id);
  if (!s) return NULL;
  s->used_frame = a->frame;
  bool ask = s->state == IMG_NEW ||
             (s->state == IMG_READY && !s->sharper && box_outgrows(s, box_w, box_h));
  if (ask && a->platform.image_request) {
    s->sharper = s->state == IMG_READY;
    if (!s->sharper) s->state = IMG_REQUESTED;
    s->asked_w = (int)ceilf(box_w);
    s->asked_h = (int)ceilf(box_h);
    a->platform.image_request(a->platform.user, id, s->url, s->asked_w, s->asked_h);
  }
  return s;
}

static image_slot *slot_by_id(pa_app *a, uint32_t id) {
  return id >= 1 && id <= (uint32_t)a->image_count ? &a->images[id - 1] : NULL;
}

void pa_app_image_decoded(pa_app *a, uint32_t id, int width, int height, const uint8_t *rgba) {
  image_slot *s = slot_by_id(a, id);
  if (!s || (s->state == IMG_READY && !s->sharper)) return;
  s->sharper = false;
  if (!rgba || width <= 0 || height <= 0 || width > 16384 || height > 16384) {
    if (s->state != IMG_READY) s->state = IMG_FAILED;
    return;
  }
  SDL_Texture *t = SDL_CreateTexture(a->renderer, SDL_PIXELFORMAT_ABGR8888,
                                     SDL_TEXTUREACCESS_STATIC, width, height);
  if (!t) {
    app_log(a, "texture: %s", SDL_GetError());
    if (s->state != IMG_READY) s->state = IMG_FAILED;
    return;
  }
  SDL_UpdateTexture(t, NULL, rgba, width * 4);
  SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
  SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
  drop_texture(a, s); /* the smaller one, and the placeholder: the real thing is here */
  s->texture = t;
  s->width = width;
  s->height = height;
  s->state = IMG_READY;
  s->used_frame = a->frame;
  a->image_bytes += (size_t)width * (size_t)height * 4;
}

void pa_app_image_loaded(pa_app *a, uint32_t id, const uint8_t *bytes, size_t len) {
  image_slot *s = slot_by_id(a, id);
  if (!s || (s->state == IMG_READY && !s->sharper)) return;
  pa_image img;
  pa_error e;
  if (pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK) {
    app_log(a, "%s", e.msg);
    pa_app_image_failed(a, id);
    return;
  }
  pa_app_image_decoded(a, id, img.width, img.height, img.rgba);
  pa_image_free(&img);
}

void pa_app_image_failed(pa_app *a, uint32_t id) {
  image_slot *s = slot_by_id(a, id);
  if (!s) return;
  if (s->state != IMG_READY) s->state = IMG_FAILED;
  s->sharper = false; /* a failed sharper decode keeps the image we have */
}

/* Virtualisation: textures and requests live only near the viewport. Pending
 * requests no longer wanted are cancelled; textures beyond the budget that
 * were not used this frame go, oldest first, and are fetched again if needed. */
static void trim_images(pa_app *a) {
  for (int i = 0; i < a->image_count; i++) {
    image_slot *s = &a->images[i];
    if ((s->state == IMG_REQUESTED || s->sharper) && s->used_frame + 2 < a->frame) {
      if (s->state == IMG_REQUESTED) s->state = IMG_NEW;
      s->sharper = false;
      s->asked_w = s->width, s->asked_h = s->height; /* what the texture we keep covers */
      if (a->platform.image_cancel) a->platform.image_cancel(a->platform.user, (uint32_t)i + 1);
    }
  }
  while (a->image_bytes > IMAGE_BUDGET) {
    image_slot *oldest = NULL;
    for (int i = 0; i < a->image_count; i++) {
      image_slot *s = &a->images[i];
      if (s->texture && s->used_frame < a->frame && (!oldest || s->used_frame < oldest->used_frame))
        oldest = s;
    }
    if (!oldest) break;
    drop_texture(a, oldest);
    oldest->state = IMG_NEW;
  }
}

float app_column_width(const pa_app *a) { return fminf((float)a->width, px(a, COLUMN_MAX)); }

float app_column_x(const pa_app *a) { return ((float)a->width - app_column_width(a)) / 2; }

pa_text_style app_style(const pa_app *a, int css_size, int bold, uint32_t color, float max_w,
                        int max_lines) {
  return (pa_text_style){(int)lroundf(px(a, (float)css_size)), bold, color, (int)max_w, max_lines,
                         a->rtl ? PA_TEXT_RTL : PA_TEXT_LTR};
}

bool app_grow(void **items, int *cap, int need, size_t size) {
  if (need <= *cap) return true;
  int n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  void *p = realloc(*items, size * (size_t)n);
  if (!p) return false;
  *items = p;
  *cap = n;
  return true;
}

float app_key_scroll(const pa_app *a, pa_key key, float scroll, float end) {
  float line = px(a, 48), page = (float)a->height * 0.9f;
  switch (key) {
  case PA_KEY_DOWN: return scroll + line;
  case PA_KEY_UP: return scroll - line;
  case PA_KEY_PAGE_DOWN: return scroll + page;
  case PA_KEY_PAGE_UP: return scroll - page;
  case PA_KEY_HOME: return 0;
  case PA_KEY_END: return end;
  default: return scroll;
  }
}

void pa_app_scroll(pa_app *a, float dy) {
  /* The topmost open screen that scrolls: the viewers leave it to the feed. */
  for (int i = APP_SCREENS - 1; i >= 0; i--) {
    app_screen *s = a->screens[i];
    if (s->open && s->ops->scroll) {
      s->ops->scroll(a, s, dy);
      return;
    }
  }
}

void pa_app_key(pa_app *a, pa_key key) {
  app_screen *s = app_active(a);
  s->ops->key(a, s, key);
}

void pa_app_pointer(pa_app *a, pa_pointer_phase phase, float x, float y, double t) {
  if (phase == PA_POINTER_DOWN) {
    a->ptr.x0 = x;
    a->ptr.y0 = y;
    a->ptr.t0 = t;
  }
  app_screen *s = app_active(a); /* an open viewer, or the grid, takes every touch */
  s->ops->input(a, s, phase, x, y, t);
}

void app_track_pointer(pa_app *a, pa_pointer_phase phase) {
  a->ptr.down = phase == PA_POINTER_DOWN || (a->ptr.down && phase == PA_POINTER_MOVE);
}

/* ---- painting */

void app_text_at(pa_app *a, const char *s, const pa_text_style *st, float x, float y) {
  pa_text t = pa_draw_text(a->draw, s, st);
  if (t.texture)
    SDL_RenderCopyF(a->renderer, t.texture, NULL,
                    &(SDL_FRect){x, y, (float)t.width, (float)t.height});
}

float app_text_width(pa_app *a, const char *s, const pa_text_style *st) {
  return (float)pa_draw_text(a->draw, s, st).width;
}

void app_ring(pa_app *a, float x, float y, float w, float h, float t, uint32_t color) {
  pa_draw_rect(a->draw, x, y, w, t, color);
  pa_draw_rect(a->draw, x, y + h - t, w, t, color);
  pa_draw_rect(a->draw, x, y, t, h, color);
  pa_draw_rect(a->draw, x + w - t, y, t, h, color);
}

void pa_app_set_visible(pa_app *a, int visible) {
  if (a->hidden == !visible) return;
  a->hidden = !visible;
  if (a->hidden) {
    app_feed_hidden(a);
    app_reels_hidden(a);
  }
}

double pa_app_wake_ms(const pa_app *a) {
  if (a->hidden) return 0;
  /* The earlier of the feed's and the reels' due times (0: none). */
  double f = app_feed_wake(a), r = app_reels_wake(a);
  return f > 0 && r > 0 ? fmin(f, r) : f > 0 ? f : r;
}

int pa_app_frame(pa_app *a, double now_ms) {
  double dt = a->last_frame_ms > 0 ? fmin(64.0, fmax(0.0, now_ms - a->last_frame_ms)) : 0;
  a->now_ms = a->last_frame_ms = now_ms;
  a->frame++;
  for (int i = 0; i < APP_SCREENS; i++)
    if (a->screens[i]->ops->tick) a->screens[i]->ops->tick(a, a->screens[i], dt);
  const palette *c = &a->pal;
  SDL_SetRenderDrawColor(a->renderer, c->page >> 24, (c->page >> 16) & 255, (c->page >> 8) & 255,
                         255);
  SDL_RenderClear(a->renderer);
  /* From the topmost open screen that covers the app (the feed at least) up. */
  int base = APP_SCREENS - 1;
  while (base > 0 && !(a->screens[base]->open && a->screens[base]->ops->opaque)) base--;
  bool animating = false;
  for (int i = base; i < APP_SCREENS; i++)
    animating |= a->screens[i]->ops->frame(a, a->screens[i], dt);
  trim_images(a);
  SDL_RenderPresent(a->renderer);
  return animating;
}

int pa_app_prepare(pa_app *a, int max_texts) {
  if (a->hidden || max_texts <= 0) return 0;
  return app_feed_prepare(a, max_texts);
}

void *app_screen_alloc(size_t size, const app_screen_ops *ops) {
  app_screen *s = calloc(1, size);
  if (s) s->ops = ops;
  return s;
}

app_screen *app_active(pa_app *a) {
  int i = APP_SCREENS - 1;
  while (i > 0 && !a->screens[i]->open) i--;
  return a->screens[i];
}

bool app_covered(const pa_app *a, const app_screen *s) {
  bool above = false;
  for (int i = 0; i < APP_SCREENS; i++) {
    if (above && a->screens[i]->open) return true;
    above = above || a->screens[i] == s;
  }
  return false;
}

void app_close_others(pa_app *a, const app_screen *keep) {
  for (int i = APP_SCREENS - 1; i > APP_FEED; i--) /* the top one first */
    if (a->screens[i] != keep && a->screens[i]->open) a->screens[i]->ops->close(a, a->screens[i]);
}

/* ---- accessibility mirror: the posts on screen and a few around them */

uint32_t pa_app_mirror_revision(const pa_app *a) { return a->mirror_revision; }

void app_mirror_window(int first, int last, int focused, int around, int count, int *lo, int *hi) {
  *lo = first < 0 ? 0 : first - around;
  *hi = last < 0 ? 2 * around : last + around;
  if (focused >= 0) { /* never drop the item that has focus */
    *lo = *lo < focused ? *lo : focused;
    *hi = *hi > focused ? *hi : focused;
  }
  *lo = *lo < 0 ? 0 : *lo;
  *hi = *hi >= count ? count - 1 : *hi;
}

size_t pa_app_mirror_json(pa_app *a, char *buf, size_t cap) {
  cJSON *root = cJSON_CreateObject();
  if (cap) buf[0] = '\0';
  if (!root) return 0;
  cJSON_AddNumberToObject(root, "revision", a->mirror_revision);
  for (int i = 0; i < APP_SCREENS; i++) a->screens[i]->ops->mirror(a, a->screens[i], root);
  char *text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!text) return 0;
  size_t len = strlen(text);
  if (cap) snprintf(buf, cap, "%s", text);
  cJSON_free(text);
  return len;
}
