/* pa_thumbhash — a ~25-byte placeholder for an image, computed at upload and
 * drawn at once while the full image loads.
 *
 * Our implementation of ThumbHash as Evan Wallace published it (the format
 * and algorithm description at evanw.github.io/thumbhash): the image, at most
 * 100x100, is composited over its average colour, converted to LPQA
 * (luminance, yellow-blue, red-green, alpha) and each channel reduced to a few
 * low-frequency DCT coefficients (up to 7 on the long side for L, 3 for P and
 * Q, 5 for A), quantised to 4 bits. Unlike BlurHash it keeps the aspect ratio
 * and alpha, and needs no parameters. Hashes are interchangeable with other
 * ThumbHash implementations. Cosines are computed by our own range reduction
 * and series, so native and WASM builds give identical bytes. */
#ifndef PA_THUMBHASH_H
#define PA_THUMBHASH_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_THUMBHASH_MAX = 25,       /* bytes in the longest hash */
  PA_THUMBHASH_TEXT_MAX = 37,  /* its base64 text and the NUL */
  PA_THUMBHASH_SIDE = 32,      /* the longer side of a decoded placeholder */
  PA_THUMBHASH_INPUT_MAX = 100 /* the largest side pa_thumbhash_encode takes */
};

/* Encodes w x h straight-alpha RGBA pixels, each side 1-100, into hash;
 * *len receives the byte count (at most PA_THUMBHASH_MAX). */
pa_status pa_thumbhash_encode(const uint8_t *rgba, int w, int h, uint8_t hash[PA_THUMBHASH_MAX],
                              size_t *len, pa_error *err);

/* As pa_thumbhash_encode for any size: larger images are first scaled to fit
 * 100x100 with pa_resize. */
pa_status pa_thumbhash_from_rgba(const uint8_t *rgba, int w, int h, uint8_t hash[PA_THUMBHASH_MAX],
                                 size_t *len, pa_error *err);

/* Renders a hash into rgba, which the caller provides with
 * PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4 bytes; *w and *h receive the
 * placeholder's size (the longer side 32, the aspect ratio the hash's). */
pa_status pa_thumbhash_decode(const uint8_t *hash, size_t len, uint8_t *rgba, int *w, int *h,
                              pa_error *err);

/* The average colour (straight RGBA) a hash records. */
pa_status pa_thumbhash_average(const uint8_t *hash, size_t len, uint8_t rgba[4], pa_error *err);

/* Standard base64 with padding, as stored in a post's JSON. Writes at most
 * cap bytes including the NUL; returns the text's length. */
size_t pa_thumbhash_to_base64(const uint8_t *hash, size_t len, char *out, size_t cap);
pa_status pa_thumbhash_from_base64(const char *text, uint8_t hash[PA_THUMBHASH_MAX], size_t *len,
                                   pa_error *err);

/* The CLI's image-hash line: "thumbhash BASE64 placeholder WxH checksum HEX
 * average #RRGGBBAA\n" (checksum: pa_image_checksum of the rendered
 * placeholder). Returns the length the full text needs, like snprintf, or 0
 * with err set for a bad hash. */
size_t pa_thumbhash_describe(const uint8_t *hash, size_t len, char *buf, size_t cap, pa_error *err);

#endif
