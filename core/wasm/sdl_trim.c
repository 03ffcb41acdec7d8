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
 * YUV and RLE likewise (issue 26, the 300 KB start): the core makes no YUV
 * texture (videos play in the DOM's <video>) and no RLE surface, yet
 * SDL_surface.c and SDL_render.c name the pixel converters (SDL_yuv.c with
 * its yuv2rgb tables), the software YUV texture (SDL_yuv_sw.c) and the RLE
 * blitters (SDL_RLEaccel.c): about 60 KB of code and tables. The GLES2
 * renderer takes YUV textures itself and asks only for the conversion mode.
 *
 * And SDL's "offscreen" and "dummy" video drivers, listed after Emscripten's
 * (so never picked in a browser) but linked with their EGL loader,
 * framebuffers and BMP writer: about 9 KB of code.
 *
 * Defining these entry points here means the linker never takes
 * SDL_render_sw.o, SDL_blit.o, SDL_yuv.o, SDL_yuv_sw.o, SDL_RLEaccel.o,
 * SDL_offscreenvideo.o or SDL_nullvideo.o (and what only they use) from
 * libSDL2.a.
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

/* SDL_yuv.c (src/video/SDL_yuv_c.h): pixel conversions to, from and between
 * YUV formats, reached by SDL_ConvertPixels. */
static int no_yuv(void) {
  return SDL_SetError("SDL's YUV conversions are not built into this module");
}

int SDL_ConvertPixels_YUV_to_RGB(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch);
int SDL_ConvertPixels_YUV_to_RGB(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch) {
  return no_yuv();
}
int SDL_ConvertPixels_RGB_to_YUV(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch);
int SDL_ConvertPixels_RGB_to_YUV(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch) {
  return no_yuv();
}
int SDL_ConvertPixels_YUV_to_YUV(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch);
int SDL_ConvertPixels_YUV_to_YUV(int width, int height, Uint32 src_format, const void *src,
                                 int src_pitch, Uint32 dst_format, void *dst, int dst_pitch) {
  return no_yuv();
}

/* SDL's own rule (SDL_yuv.c), the mode never being set: BT.601 up to SD
 * height, BT.709 above. SDL_YUV_SD_THRESHOLD is SDL's constant. */
enum { SDL_YUV_SD_THRESHOLD = 576 };
SDL_YUV_CONVERSION_MODE SDL_GetYUVConversionModeForResolution(int width, int height) {
  return height <= SDL_YUV_SD_THRESHOLD ? SDL_YUV_CONVERSION_BT601 : SDL_YUV_CONVERSION_BT709;
}

/* SDL_yuv_sw.c (src/render/SDL_yuv_sw_c.h): YUV textures for renderers that
 * lack them. Creating one fails, so the others are never reached. */
typedef struct SDL_SW_YUVTexture SDL_SW_YUVTexture;

SDL_SW_YUVTexture *SDL_SW_CreateYUVTexture(Uint32 format, int w, int h);
SDL_SW_YUVTexture *SDL_SW_CreateYUVTexture(Uint32 format, int w, int h) {
  no_yuv();
  return NULL;
}
int SDL_SW_UpdateYUVTexture(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect, const void *pixels,
                            int pitch);
int SDL_SW_UpdateYUVTexture(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect, const void *pixels,
                            int pitch) {
  return no_yuv();
}
int SDL_SW_UpdateYUVTexturePlanar(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect,
                                  const Uint8 *Yplane, int Ypitch, const Uint8 *Uplane, int Upitch,
                                  const Uint8 *Vplane, int Vpitch);
int SDL_SW_UpdateYUVTexturePlanar(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect,
                                  const Uint8 *Yplane, int Ypitch, const Uint8 *Uplane, int Upitch,
                                  const Uint8 *Vplane, int Vpitch) {
  return no_yuv();
}
int SDL_SW_UpdateNVTexturePlanar(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect,
                                 const Uint8 *Yplane, int Ypitch, const Uint8 *UVplane,
                                 int UVpitch);
int SDL_SW_UpdateNVTexturePlanar(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect,
                                 const Uint8 *Yplane, int Ypitch, const Uint8 *UVplane,
                                 int UVpitch) {
  return no_yuv();
}
int SDL_SW_LockYUVTexture(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect, void **pixels,
                          int *pitch);
int SDL_SW_LockYUVTexture(SDL_SW_YUVTexture *swdata, const SDL_Rect *rect, void **pixels,
                          int *pitch) {
  return no_yuv();
}
int SDL_SW_CopyYUVToRGB(SDL_SW_YUVTexture *swdata, const SDL_Rect *srcrect, Uint32 target_format,
                        int w, int h, void *pixels, int pitch);
int SDL_SW_CopyYUVToRGB(SDL_SW_YUVTexture *swdata, const SDL_Rect *srcrect, Uint32 target_format,
                        int w, int h, void *pixels, int pitch) {
  return no_yuv();
}
void SDL_SW_DestroyYUVTexture(SDL_SW_YUVTexture *swdata);
void SDL_SW_DestroyYUVTexture(SDL_SW_YUVTexture *swdata) {}

/* SDL_RLEaccel.c (src/video/SDL_RLEaccel_c.h): run-length encoded surfaces,
 * asked for with SDL_RLEACCEL, which the core never sets. Encoding fails,
 * so no surface is ever RLE and there is nothing to decode. */
int SDL_RLESurface(SDL_Surface *surface);
int SDL_RLESurface(SDL_Surface *surface) {
  return SDL_SetError("SDL's RLE surfaces are not built into this module");
}
void SDL_UnRLESurface(SDL_Surface *surface, int recode);
void SDL_UnRLESurface(SDL_Surface *surface, int recode) {}

/* SDL's video driver entry (src/video/SDL_sysvideo.h): SDL_VideoInit tries
 * each in turn and takes the first whose create() gives a device. These two
 * give none, so only the Emscripten driver is ever used. */
typedef struct SDL_VideoDevice SDL_VideoDevice;
typedef struct VideoBootStrap {
  const char *name;
  const char *desc;
  SDL_VideoDevice *(*create)(void);
} VideoBootStrap;

static SDL_VideoDevice *no_driver(void) {
  SDL_SetError("this SDL video driver is not built into this module");
  return NULL;
}

VideoBootStrap OFFSCREEN_bootstrap = {"offscreen", "not built into this module", no_driver};
VideoBootStrap DUMMY_bootstrap = {"dummy", "not built into this module", no_driver};
