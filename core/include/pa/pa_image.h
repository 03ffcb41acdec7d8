/* pa_image — decoding untrusted image bytes into RGBA, refusing before allocating.
 *
 * Formats: JPEG (baseline and progressive, grey/YCbCr/CMYK; EXIF orientation
 * applied), PNG (1-16 bit, palette, interlaced), GIF (every frame of an
 * animation, with delays) and BMP (uncompressed and bit fields). WebP, AVIF and
 * HEIC are recognised and refused with PA_ERR_UNSUPPORTED: the browser decodes
 * those (src/media/media.md).
 *
 * Every file is walked by our own bounds-checked parsers (JPEG markers, GIF
 * blocks, BMP header and palette indices) and its dimensions checked against
 * the limits before stb_image allocates anything. Sizes in this API are as
 * displayed, after EXIF orientation. */
#ifndef PA_IMAGE_H
#define PA_IMAGE_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pa_image_format {
  PA_IMAGE_UNKNOWN = 0,
  PA_IMAGE_JPEG,
  PA_IMAGE_PNG,
  PA_IMAGE_GIF,
  PA_IMAGE_BMP,
  /* Recognised from their bytes but not decoded by the core. */
  PA_IMAGE_WEBP,
  PA_IMAGE_AVIF,
  PA_IMAGE_HEIC
} pa_image_format;

typedef struct pa_image_limits {
  size_t max_bytes;         /* encoded file size */
  int max_width;            /* pixels */
  int max_height;           /* pixels */
  int64_t max_pixels;       /* width * height of one frame */
  int max_frames;           /* frames in a GIF, checked on every GIF before decoding */
  int64_t max_total_pixels; /* frames * width * height, when every frame is decoded */
} pa_image_limits;

/* 20 MiB files, 8192 px a side, 40 megapixels a frame (a 160 MB RGBA buffer),
 * 500 frames, 64 megapixels over a whole animation (256 MB). */
#define PA_IMAGE_LIMITS_DEFAULT ((pa_image_limits){20u << 20, 8192, 8192, 40000000, 500, 64000000})

/* Metadata found in a file (pa_image_info.metadata). */
enum {
  PA_IMAGE_META_EXIF = 1 << 0,    /* JPEG APP1 Exif, PNG eXIf */
  PA_IMAGE_META_GPS = 1 << 1,     /* an EXIF GPS IFD with entries */
  PA_IMAGE_META_XMP = 1 << 2,     /* JPEG APP1 XMP, PNG iTXt XML:com.adobe.xmp, GIF XMP */
  PA_IMAGE_META_ICC = 1 << 3,     /* JPEG APP2 ICC_PROFILE, PNG iCCP */
  PA_IMAGE_META_COMMENT = 1 << 4, /* JPEG COM, GIF comment extension */
  PA_IMAGE_META_TEXT = 1 << 5,    /* PNG tEXt/zTXt/iTXt, JPEG APP13 (IPTC) */
};

typedef struct pa_image_info {
  pa_image_format format;
  int width, height; /* as displayed (after orientation) */
  int channels;      /* as stored: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (GIF: 4) */
  int frames;        /* 1, or the frames of an animated GIF */
  int orientation;   /* EXIF 1-8 (JPEG); 1 when absent or unreadable */
  unsigned metadata; /* PA_IMAGE_META_* */
} pa_image_info;

typedef struct pa_image {
  int width, height; /* of one frame; stride is width * 4 */
  int frames;        /* frames stored one after another in rgba */
  uint8_t *rgba;     /* straight (non-premultiplied) alpha */
  int *delays_ms;    /* frames entries for an animation (as the file says), else NULL */
} pa_image;

const char *pa_image_format_name(pa_image_format format);

/* Identifies the format from the bytes (never a name), walks its structure and
 * reads dimensions, frames, orientation and metadata. Allocates nothing. */
pa_status pa_image_probe(const uint8_t *bytes, size_t len, pa_image_info *out, pa_error *err);

/* Decodes every frame into out->rgba, orientation applied. The caller frees
 * out with pa_image_free. limits may be NULL for PA_IMAGE_LIMITS_DEFAULT. */
pa_status pa_image_decode(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                          pa_image *out, pa_error *err);

/* Decodes the first frame for display in a box_w x box_h box (device pixels):
 * downscaled (pa_resize) to the smallest size that covers the box, keeping the
 * aspect ratio, never enlarged; box 0 x 0 keeps the full size. Orientation is
 * applied. The caller frees out with pa_image_free. */
pa_status pa_image_decode_fit(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                              int box_w, int box_h, pa_image *out, pa_error *err);

void pa_image_free(pa_image *image);

/* Rotates/flips w x h RGBA pixels as EXIF orientation o (1-8) says into dst,
 * which holds w * h * 4 bytes; orientations 5-8 swap width and height. */
void pa_image_orient(const uint8_t *src, int w, int h, int o, uint8_t *dst);

/* Encodes w x h RGBA pixels as a PNG with nothing but IHDR, IDAT and IEND.
 * *out is malloc'd; the caller frees it with free(). */
pa_status pa_image_encode_png(const uint8_t *rgba, int w, int h, uint8_t **out, size_t *len,
                              pa_error *err);

/* FNV-1a over the pixels of every frame: a stable fingerprint to compare decoders. */
uint32_t pa_image_checksum(const pa_image *image);

/* Probes and decodes, and writes the CLI's image-info line into buf (cap bytes,
 * NUL-terminated): "FORMAT WxH rgba checksum HEX[ frames N delays A,B,...][ orientation O]\n".
 * Returns the length the full text needs, like snprintf, or 0 with err set. */
size_t pa_image_describe(const uint8_t *bytes, size_t len, const pa_image_limits *limits, char *buf,
                         size_t cap, pa_error *err);

/* Writes the metadata flags as words ("exif gps xmp icc comment text", or
 * "none") into buf (cap bytes, NUL-terminated). */
void pa_image_metadata_names(unsigned metadata, char *buf, size_t cap);

#endif
