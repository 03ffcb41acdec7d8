/* pa_resize — downscaling decoded pixels to the size they are shown at, with
 * stb_image_resize (v1): Mitchell-Netravali (B = C = 1/3), clamped edges,
 * alpha-weighted colours, in linear light.
 *
 * Shrinking by 2x or more first averages whole blocks (the mipmap step, as
 * Chromium's "high" quality does): by floor(ratio) per axis, in linear light,
 * in integers; stb then filters the remaining ratio (under 2). stb v1 has no
 * SIMD and its cost grows with the ratio: 1080x1350 to 540x675 took ~25 ms
 * natively through stb alone, ~3 ms with the block step (exact at 2x).
 *
 * Why Mitchell: for downscaling photos it is sharp without the halos that
 * Catmull-Rom or Lanczos draw around whiskers and fur against a bright sky,
 * and it smooths JPEG block edges instead of sharpening them.
 * Why linear light: 8-bit pixels are sRGB-encoded; averaging the encoded
 * values darkens fine bright detail (fur highlights, text on photos) and muddies
 * red/green edges. stb converts uint8 sRGB through lookup tables, so it costs
 * little and stays bit-identical between native and WASM builds.
 * Why alpha-weighted: a transparent pixel's colour is meaningless and must
 * not bleed into its neighbours (stb premultiplies before filtering and divides
 * after). */
#ifndef PA_RESIZE_H
#define PA_RESIZE_H

#include "pa/pa_status.h"

#include <stdint.h>

/* Resizes sw x sh pixels of `channels` bytes (3 = RGB, 4 = RGBA with straight
 * alpha) into dst, which the caller provides with dw * dh * channels bytes. */
pa_status pa_resize_pixels(const uint8_t *src, int sw, int sh, int channels, uint8_t *dst, int dw,
                           int dh, pa_error *err);

/* As pa_resize_pixels for the 4-byte pixels of an opaque image: the 4th byte
 * is not used and comes out 255. (stb_image converts JPEG colours with SIMD
 * only when writing 4 channels, so this is the fast path for photos.) */
pa_status pa_resize_rgbx(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         pa_error *err);

/* The smallest size with w:h's aspect ratio that covers a box_w x box_h box
 * (a box side of 0 or less is unconstrained), never larger than w x h. */
void pa_resize_cover(int w, int h, int box_w, int box_h, int *out_w, int *out_h);

/* w x h scaled down so that its longer edge is at most max_edge; unchanged
 * when it already fits. Sides are rounded to the nearest pixel, at least 1. */
void pa_resize_fit(int w, int h, int max_edge, int *out_w, int *out_h);

#endif
