/* pa_native — the native host's side of the platform seam: text through
 * stb_truetype with a Debian font, files, and PNG output. Used by the CLI and
 * the native tests; the browser shell is the other implementation. */
#ifndef PA_NATIVE_H
#define PA_NATIVE_H

#include "pa/pa_app.h"
#include "pa/pa_platform.h"
#include "pa/pa_status.h"

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

#define PA_NATIVE_FONT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define PA_NATIVE_FONT_BOLD    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef struct pa_native_text pa_native_text;

/* Loads the two font files. The caller frees *out with pa_native_text_destroy. */
pa_status pa_native_text_create(const char *regular_ttf, const char *bold_ttf, pa_native_text **out,
                                pa_error *err);
void pa_native_text_destroy(pa_native_text *text);

/* The pa_platform.text_raster callback; user is a pa_native_text. Breaks
 * lines at spaces only and does not shape complex scripts. */
int pa_native_text_raster(void *user, const char *utf8, const pa_text_style *style, pa_bitmap *out);

/* A whole native host: fonts for text, and images answered from files, so
 * URL "/media/NAME" is read from media_dir/NAME. The caller frees *out with
 * pa_native_host_destroy. */
typedef struct pa_native_host pa_native_host;
pa_status pa_native_host_create(const char *media_dir, pa_native_host **out, pa_error *err);
void pa_native_host_destroy(pa_native_host *host);
/* The callback table to put in pa_app_config.platform. */
pa_platform pa_native_host_platform(pa_native_host *host);
/* Answers the image requests app made so far; returns how many it answered. */
int pa_native_host_pump(pa_native_host *host, pa_app *app);

/* Reads a whole file (at most max bytes) into *bytes, which the caller frees with free(). */
pa_status pa_native_read_file(const char *path, size_t max, uint8_t **bytes, size_t *len,
                              pa_error *err);

/* Reads a catalog file (locales/TAG.json: the locale is the file's name
 * without ".json"), for pa_app_set_locale. The caller frees *out with
 * pa_i18n_catalog_free. */
pa_status pa_native_catalog_load(const char *path, pa_i18n_catalog **out, pa_error *err);

/* Writes the renderer's current target (w x h) to a PNG file. */
pa_status pa_native_write_png(SDL_Renderer *renderer, int w, int h, const char *path,
                              pa_error *err);

/* Reads the renderer's current target into rgba (w * h * 4 bytes, caller-owned). */
pa_status pa_native_read_pixels(SDL_Renderer *renderer, int w, int h, uint8_t *rgba, pa_error *err);

/* The reference the core's resizer (resize.c) is tested against:
 * stb_image_resize v1 on uint8 RGB or RGBA, Mitchell, clamped edges, in
 * linear light; with alpha set the 4th channel weights the colours. Returns 1
 * on success, 0 when out of memory. */
int pa_native_stb_resize(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         int channels, int alpha);

#endif
