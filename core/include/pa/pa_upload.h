/* pa_upload — preparing a photo on the device before it is sent.
 *
 * The image is decoded (first frame of an animation), turned upright (EXIF
 * orientation baked into the pixels), downsized so that its longer edge is at
 * most max_edge, and re-encoded from pixels alone: JPEG for opaque images,
 * PNG when any pixel is transparent. Nothing of the original file survives,
 * so no metadata does: no EXIF (GPS position, camera serial, time), no XMP,
 * no ICC profile, no comments. A ThumbHash of the result comes with it for
 * the placeholder. */
#ifndef PA_UPLOAD_H
#define PA_UPLOAD_H

#include "pa/pa_image.h"
#include "pa/pa_status.h"
#include "pa/pa_thumbhash.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pa_upload_options {
  int max_edge;     /* pixels on the longer side after downsizing */
  int jpeg_quality; /* 1-100 */
} pa_upload_options;

#define PA_UPLOAD_OPTIONS_DEFAULT ((pa_upload_options){2048, 85})

typedef struct pa_upload {
  uint8_t *bytes; /* the file to send; free with pa_upload_free */
  size_t len;
  pa_image_format format; /* PA_IMAGE_JPEG or PA_IMAGE_PNG */
  int width, height;
  int source_frames;        /* frames in the original; only the first is kept */
  unsigned source_metadata; /* PA_IMAGE_META_* the original carried, all dropped */
  uint8_t thumbhash[PA_THUMBHASH_MAX];
  size_t thumbhash_len;
} pa_upload;

/* Prepares encoded bytes (any format pa_image decodes). limits and options may
 * be NULL for the defaults. The caller frees out with pa_upload_free. */
pa_status pa_upload_prepare(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                            const pa_upload_options *options, pa_upload *out, pa_error *err);

/* Prepares pixels decoded elsewhere (the browser, for WebP or AVIF): w x h
 * straight-alpha RGBA, already upright. The caller frees out with pa_upload_free. */
pa_status pa_upload_prepare_rgba(const uint8_t *rgba, int w, int h,
                                 const pa_upload_options *options, pa_upload *out, pa_error *err);

void pa_upload_free(pa_upload *upload);

/* The CLI's image-prepare line: "FORMAT WxH N bytes thumbhash BASE64
 * source-frames F source-metadata NAMES\n". Returns the length the full text
 * needs, like snprintf. */
size_t pa_upload_describe(const pa_upload *upload, char *buf, size_t cap);

#endif
