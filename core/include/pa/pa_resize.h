/* pa_resize — downscaling decoded pixels to the size they are shown at:
 * Mitchell-Netravali (B = C = 1/3), clamped edges, alpha-weighted colours, in
 * linear light. Our own separable filter with SIMD (resize.c): four floats a
 * pixel, SIMD128 in WebAssembly and SSE natively, bit-identical on both. It
 * replaced stb_image_resize v1 (scalar, and its cost grows with the ratio);
 * tests compare it with that reference (test_media.c: within 1 level).
 *
 * Shrinking by 2x or more first averages whole blocks (the mipmap step, as
 * Chromium's "high" quality does): by floor(ratio) per axis, in linear light;
 * the filter then takes the remaining ratio (under 2). At exact ratios the
 * block average is the whole resize.
 *
 * Why Mitchell: for downscaling photos it is sharp without the halos that
 * Catmull-Rom or Lanczos draw around whiskers and fur against a bright sky,
 * and it smooths JPEG block edges instead of sharpening them.
 * Why linear light: 8-bit pixels are sRGB-encoded; averaging the encoded
 * values darkens fine bright detail (fur highlights, text on photos) and muddies
 * red/green edges. Fixed tables convert both ways (no libm), so native and
 * WASM agree to the bit.
 * Why alpha-weighted: a transparent pixel's colour is meaningless and must
 * not bleed into its neighbours (colours are premultiplied while filtering and
 * divided by the filtered alpha after). */
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
