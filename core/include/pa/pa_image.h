/* pa_image — decoding untrusted image bytes into RGBA, refusing before allocating.
 *
 * Dimensions are read from the header first and checked against limits, so a
 * hostile file cannot make us allocate gigabytes. Formats: JPEG, PNG. */
#ifndef PA_IMAGE_H
#define PA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pa/pa_status.h"

typedef enum pa_image_format { PA_IMAGE_UNKNOWN = 0, PA_IMAGE_JPEG, PA_IMAGE_PNG } pa_image_format;

typedef struct pa_image_limits {
  size_t max_bytes;   /* encoded file size */
  int max_width;      /* pixels */
  int max_height;     /* pixels */
  int64_t max_pixels; /* width * height */
} pa_image_limits;

/* 20 MiB files, 8192 px per side, 40 megapixels (a 160 MB RGBA buffer). */
#define PA_IMAGE_LIMITS_DEFAULT ((pa_image_limits){20u << 20, 8192, 8192, 40000000})

typedef struct pa_image_info {
  pa_image_format format;
  int width, height;
} pa_image_info;

typedef struct pa_image {
  int width, height; /* stride is width * 4 */
  uint8_t *rgba;     /* straight (non-premultiplied) alpha */
} pa_image;

const char *pa_image_format_name(pa_image_format format);

/* Identifies the format from the bytes (never a name) and reads dimensions. */
pa_status pa_image_probe(const uint8_t *bytes, size_t len, pa_image_info *out, pa_error *err);

/* Decodes bytes into out->rgba, which the caller frees with pa_image_free.
 * limits may be NULL for PA_IMAGE_LIMITS_DEFAULT. */
pa_status pa_image_decode(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                          pa_image *out, pa_error *err);

void pa_image_free(pa_image *image);

/* FNV-1a over the pixels: a stable fingerprint to compare decoders. */
uint32_t pa_image_checksum(const pa_image *image);

#endif
