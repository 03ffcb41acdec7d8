#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT_SLOTS = 512 };

typedef struct text_slot {
  uint64_t key;
  SDL_Texture *texture;
  int width, height;
  uint64_t last_used;
} text_slot;

struct pa_draw {
  SDL_Renderer *renderer;
  const pa_platform *platform;
  size_t budget, used;
  uint64_t tick;
  uint64_t rasters;      /* texts the platform rasterised (cache misses), ever */
  uint64_t clears;       /* times the whole cache was dropped */
  uint64_t raster_limit; /* pa_draw_limit_rasters */
  text_slot slots[TEXT_SLOTS];
};

static SDL_Color color_of(uint32_t rgba) {
  return (SDL_Color){(Uint8)(rgba >> 24), (Uint8)(rgba >> 16), (Uint8)(rgba >> 8), (Uint8)rgba};
}

pa_draw *pa_draw_create(SDL_Renderer *renderer, const pa_platform *platform, size_t budget_bytes) {
  pa_draw *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->renderer = renderer;
  d->platform = platform;
  d->budget = budget_bytes;
  d->raster_limit = UINT64_MAX;
  return d;
}

void pa_draw_clear_text(pa_draw *d) {
  for (int i = 0; i < TEXT_SLOTS; i++) {
    if (d->slots[i].texture) SDL_DestroyTexture(d->slots[i].texture);
    memset(&d->slots[i], 0, sizeof d->slots[i]);
  }
  d->used = 0;
  d->clears++;
}

void pa_draw_destroy(pa_draw *d) {
  if (!d) return;
  pa_draw_clear_text(d);
  free(d);
}

static uint64_t text_key(const char *s, const pa_text_style *st) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211u;
  const int parts[] = {st->size,      st->bold,      (int)st->color,
                       st->max_width, st->max_lines, st->direction};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    h = (h ^ (uint32_t)parts[i]) * 1099511628211u;
  return h ? h : 1;
}

static void evict(pa_draw *d, text_slot *s) {
  d->used -= (size_t)s->width * (size_t)s->height * 4;
  SDL_DestroyTexture(s->texture);
  memset(s, 0, sizeof *s);
}

pa_text pa_draw_text(pa_draw *d, const char *utf8, const pa_text_style *style) {
  pa_text none = {0};
  if (!utf8 || !*utf8 || !d->platform->text_raster) return none;
  uint64_t key = text_key(utf8, style);
  text_slot *free_slot = NULL, *oldest = NULL;
  d->tick++;
  for (int i = 0; i < TEXT_SLOTS; i++) {
    text_slot *s = &d->slots[i];
    if (s->key == key) {
      s->last_used = d->tick;
      return (pa_text){s->texture, s->width, s->height};
    }
    if (!s->key && !free_slot) free_slot = s;
    if (s->key && (!oldest || s->last_used < oldest->last_used)) oldest = s;
  }
  if (d->rasters >= d->raster_limit) return none;
  pa_bitmap bm = {0};
  d->rasters++;
  if (d->platform->text_raster(d->platform->user, utf8, style, &bm) != 0 || !bm.rgba) return none;
  size_t bytes = (size_t)bm.width * (size_t)bm.height * 4;
  /* Evict least-recently-used text until the new texture fits the budget. */
  while (d->used + bytes > d->budget && oldest) {
    evict(d, oldest);
    free_slot = oldest;
    oldest = NULL;
    for (int i = 0; i < TEXT_SLOTS; i++)
      if (d->slots[i].key && (!oldest || d->slots[i].last_used < oldest->last_used))
        oldest = &d->slots[i];
  }
  if (!free_slot) {
    evict(d, oldest);
    free_slot = oldest;
  }
  SDL_Texture *t = SDL_CreateTexture(d->renderer, SDL_PIXELFORMAT_ABGR8888,
                                     SDL_TEXTUREACCESS_STATIC, bm.width, bm.height);
  if (t) {
    SDL_UpdateTexture(t, NULL, bm.rgba, bm.width * 4);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    *free_slot = (text_slot){key, t, bm.width, bm.height, d->tick};
    d->used += bytes;
  }
  free(bm.rgba);
  return t ? (pa_text){t, bm.width, bm.height} : none;
}

uint64_t pa_draw_rasters(const pa_draw *d) { return d->rasters; }

uint64_t pa_draw_clears(const pa_draw *d) { return d->clears; }

void pa_draw_limit_rasters(pa_draw *d, uint64_t limit) { d->raster_limit = limit; }

void pa_draw_rect(pa_draw *d, float x, float y, float w, float h, uint32_t rgba) {
  SDL_Color c = color_of(rgba);
  SDL_SetRenderDrawBlendMode(d->renderer, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
  SDL_SetRenderDrawColor(d->renderer, c.r, c.g, c.b, c.a);
  SDL_RenderFillRectF(d->renderer, &(SDL_FRect){x, y, w, h});
}

void pa_draw_punch(pa_draw *d, float x, float y, float w, float h) {
  SDL_SetRenderDrawBlendMode(d->renderer, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(d->renderer, 0, 0, 0, 0);
  SDL_RenderFillRectF(d->renderer, &(SDL_FRect){x, y, w, h});
}

/* Fills a star-shaped polygon as a fan around (cx, cy). */
static void fan(pa_draw *d, float cx, float cy, const float *xy, int n, uint32_t rgba,
                SDL_Texture *tex, float u0, float v0, float uw, float vh) {
  enum { MAX = 64 };
  SDL_Vertex v[MAX + 1];
  int idx[MAX * 3];
  SDL_Color c = color_of(rgba);
  if (n > MAX) n = MAX;
  v[0] = (SDL_Vertex){{cx, cy}, c, {(cx - u0) / uw, (cy - v0) / vh}};
  for (int i = 0; i < n; i++) {
    float x = xy[2 * i], y = xy[2 * i + 1];
    v[i + 1] = (SDL_Vertex){{x, y}, c, {(x - u0) / uw, (y - v0) / vh}};
    idx[3 * i] = 0;
    idx[3 * i + 1] = i + 1;
    idx[3 * i + 2] = i + 1 < n ? i + 2 : 1;
  }
  SDL_RenderGeometry(d->renderer, tex, v, n + 1, idx, n * 3);
}

void pa_draw_disc(pa_draw *d, float cx, float cy, float r, uint32_t rgba, SDL_Texture *tex) {
  enum { N = 48 };
  float xy[2 * N];
  for (int i = 0; i < N; i++) {
    float a = (float)i * 6.2831853f / N;
    xy[2 * i] = cx + r * cosf(a);
    xy[2 * i + 1] = cy + r * sinf(a);
  }
  fan(d, cx, cy, xy, N, tex ? 0xffffffffu : rgba, tex, cx - r, cy - r, 2 * r, 2 * r);
}

void pa_draw_heart(pa_draw *d, float cx, float cy, float w, uint32_t rgba) {
  enum { N = 48 };
  float xy[2 * N], k = w / 34.0f;
  for (int i = 0; i < N; i++) {
    /* The classic heart curve; it is star-shaped around its centre. */
    float t = (float)i * 6.2831853f / N, s = sinf(t);
    xy[2 * i] = cx + k * 16.0f * s * s * s;
    xy[2 * i + 1] =
        cy - k * (13.0f * cosf(t) - 5.0f * cosf(2 * t) - 2.0f * cosf(3 * t) - cosf(4 * t) + 2.0f);
  }
  fan(d, cx, cy, xy, N, rgba, NULL, 0, 0, 1, 1);
}

void pa_draw_cover(pa_draw *d, SDL_Texture *tex, int tw, int th, float x, float y, float w,
                   float h) {
  if (!tex || tw <= 0 || th <= 0) return;
  float s = fmaxf(w / (float)tw, h / (float)th);
  float sw = w / s, sh = h / s;
  SDL_Rect src = {(int)(((float)tw - sw) / 2), (int)(((float)th - sh) / 2), (int)sw, (int)sh};
  SDL_RenderCopyF(d->renderer, tex, &src, &(SDL_FRect){x, y, w, h});
}
