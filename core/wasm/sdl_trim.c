/* Leaves SDL's software renderer and surface blitters out of the app's WASM
 * module (petamigos-core only; native builds keep both: the golden tests
 * draw with the software renderer).
 *
 * The browser app draws with SDL's WebGL (GLES2) renderer only: pa_wasm.c
 * asks for SDL_RENDERER_ACCELERATED, which the software renderer never
 * matches, and it makes no software renderer for a surface. Yet SDL lists the
 * software renderer among its drivers, so the linker keeps it and everything
 * it draws with (line, rectangle and point blending, rotation): about 100 KB
 * of code, 23 KB gzipped. Likewise surface-to-surface blits, reached only by
 * pixel format conversion: every texture the core makes is ABGR8888, which
 * the GLES2 renderer takes as it is, so no conversion ever runs; the blitter
 * tables are another ~190 KB of code.
 *
 * Defining these entry points here means the linker never takes
 * SDL_render_sw.o or SDL_blit.o (and what only they use) from libSDL2.a.
 * Asking for either anyway gives an SDL error, not a crash. SDL_RenderDriver
 * is SDL's internal type (src/render/SDL_sysrender.h in SDL 2.26.5, the
 * version scripts/setup builds): an entry point and the info. */
#include <SDL.h>

struct SDL_RenderDriver {
  SDL_Renderer *(*CreateRenderer)(SDL_Window *window, Uint32 flags);
  SDL_RendererInfo info;
};

static SDL_Renderer *not_built(void) {
  SDL_SetError("SDL's software renderer is not built into this module");
  return NULL;
}

static SDL_Renderer *create_software(SDL_Window *window, Uint32 flags) { return not_built(); }

struct SDL_RenderDriver SW_RenderDriver = {create_software,
                                           {"software", SDL_RENDERER_SOFTWARE, 0, {0}, 0, 0}};

SDL_Renderer *SW_CreateRendererForSurface(SDL_Surface *surface);
SDL_Renderer *SW_CreateRendererForSurface(SDL_Surface *surface) { return not_built(); }

/* SDL_blit.c's only external symbol: picks the blitter for a surface mapping. */
int SDL_CalculateBlit(SDL_Surface *surface);
int SDL_CalculateBlit(SDL_Surface *surface) {
  return SDL_SetError("SDL's surface blitters are not built into this module");
}
