/* pa_draw — painting primitives over SDL_Renderer, and the text texture cache.
 * Internal to the core: only pa_app uses it. */
#ifndef PA_DRAW_H
#define PA_DRAW_H

#include "pa/pa_platform.h"

#include <SDL.h>
#include <stdint.h>

typedef struct pa_draw pa_draw;

typedef struct pa_text {
  SDL_Texture *texture; /* owned by the cache; valid until the next pa_draw_text call */
  int width, height;
} pa_text;

/* Creates a drawing context with a text cache of at most budget_bytes of
 * textures. The caller frees it with pa_draw_destroy. */
pa_draw *pa_draw_create(SDL_Renderer *renderer, const pa_platform *platform, size_t budget_bytes);
void pa_draw_destroy(pa_draw *d);
void pa_draw_clear_text(pa_draw *d);

/* Rasterised, cached text; width/height are 0 when the platform failed. */
pa_text pa_draw_text(pa_draw *d, const char *utf8, const pa_text_style *style);
/* How many texts the platform was asked to rasterise so far (cache misses). */
uint64_t pa_draw_rasters(const pa_draw *d);
/* How many times the whole text cache was dropped (pa_draw_clear_text). */
uint64_t pa_draw_clears(const pa_draw *d);
/* Rasterises no more texts once pa_draw_rasters reaches limit: a text not
 * cached then draws nothing. UINT64_MAX (the default) for no limit. */
void pa_draw_limit_rasters(pa_draw *d, uint64_t limit);

void pa_draw_rect(pa_draw *d, float x, float y, float w, float h, uint32_t rgba);
/* Makes the box fully transparent, so what lies under the canvas shows. */
void pa_draw_punch(pa_draw *d, float x, float y, float w, float h);
/* A disc, optionally textured (the texture is mapped onto its bounding square). */
void pa_draw_disc(pa_draw *d, float cx, float cy, float r, uint32_t rgba, SDL_Texture *tex);
/* A heart centred at (cx, cy) of width w. */
void pa_draw_heart(pa_draw *d, float cx, float cy, float w, uint32_t rgba);
/* Copies texture so that it covers the box, cropping the overflow. */
void pa_draw_cover(pa_draw *d, SDL_Texture *tex, int tw, int th, float x, float y, float w,
                   float h);

#endif
