#include "base/strbuf.h"
#include "exif.h"
#include "image_check.h"
#include "image_stb.h"
#include "jpeg.h"
#include "pa/pa_image.h"
#include "pa/pa_resize.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STBI_NO_STDIO
#include <stb_image.h>

const char *pa_image_format_name(pa_image_format format) {
  switch (format) {
  case PA_IMAGE_JPEG: return "jpeg";
  case PA_IMAGE_PNG: return "png";
  case PA_IMAGE_GIF: return "gif";
  case PA_IMAGE_BMP: return "bmp";
  case PA_IMAGE_WEBP: return "webp";
  case PA_IMAGE_AVIF: return "avif";
  case PA_IMAGE_HEIC: return "heic";
  case PA_IMAGE_UNKNOWN: break;
  }
  return "unknown";
}

/* An ISO-BMFF file (AVIF, HEIC): its ftyp box lists brands. */
static pa_image_format sniff_ftyp(const uint8_t *b, size_t len) {
  size_t box = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
  if (box > len) box = len;
  int heif = 0;
  for (size_t at = 8; at + 4 <= box; at += 4) {
    if (at == 12) continue; /* the minor version, not a brand */
    if (!memcmp(b + at, "avif", 4) || !memcmp(b + at, "avis", 4)) return PA_IMAGE_AVIF;
    if (!memcmp(b + at, "heic", 4) || !memcmp(b + at, "heix", 4) || !memcmp(b + at, "hevc", 4) ||
        !memcmp(b + at, "hevx", 4) || !memcmp(b + at, "heim", 4) || !memcmp(b + at, "heis", 4) ||
        !memcmp(b + at, "mif1", 4) || !memcmp(b + at, "msf1", 4))
      heif = 1;
  }
  return heif ? PA_IMAGE_HEIC : PA_IMAGE_UNKNOWN;
}

static pa_image_format sniff(const uint8_t *b, size_t len) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return PA_IMAGE_JPEG;
  if (len >= 8 && memcmp(b, png, 8) == 0) return PA_IMAGE_PNG;
  if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) return PA_IMAGE_GIF;
  if (len >= 2 && b[0] == 'B' && b[1] == 'M') return PA_IMAGE_BMP;
  if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) return PA_IMAGE_WEBP;
  if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0) return sniff_ftyp(b, len);
  return PA_IMAGE_UNKNOWN;
}

static const char *display_name(pa_image_format f) {
  return f == PA_IMAGE_WEBP ? "WebP" : f == PA_IMAGE_AVIF ? "AVIF" : "HEIC/HEIF";
}

/* stb cannot tell a cut-short file from a corrupt one; for JPEG and PNG the end
 * marker can. GIF and BMP files were already walked to their end. */
static int looks_cut(pa_image_format f, const uint8_t *b, size_t len) {
  static const uint8_t iend[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  if (f == PA_IMAGE_JPEG) return !(len >= 2 && b[len - 2] == 0xff && b[len - 1] == 0xd9);
  if (f == PA_IMAGE_PNG) return !(len >= 8 && memcmp(b + len - 8, iend, 8) == 0);
  return 0;
}

/* PNG channels from IHDR's colour type, plus one for a tRNS chunk. */
static int png_channels(const uint8_t *b, size_t len, int trns) {
  static const int by_type[7] = {1, 0, 3, 3, 2, 0, 4};
  int type = len > 25 && b[25] < 7 ? by_type[b[25]] : 0;
  if (trns && (type == 1 || type == 3)) type++;
  return type ? type : 4;
}

pa_status pa_image_probe(const uint8_t *bytes, size_t len, pa_image_info *out, pa_error *err) {
  pa_error_clear(err);
  if (!bytes || !out) return pa_error_set(err, PA_ERR_ARG, "image: no input or output");
  memset(out, 0, sizeof *out);
  out->frames = 1;
  out->orientation = 1;
  if (len == 0) return pa_error_set(err, PA_ERR_TRUNCATED, "image: empty file");
  if (len > INT32_MAX) return pa_error_set(err, PA_ERR_TOO_LARGE, "image: file too large");
  out->format = sniff(bytes, len);
  switch (out->format) {
  case PA_IMAGE_UNKNOWN:
    return pa_error_set(err, PA_ERR_SYNTAX, "image: not a JPEG, PNG, GIF or BMP file");
  case PA_IMAGE_WEBP:
  case PA_IMAGE_AVIF:
  case PA_IMAGE_HEIC:
    return pa_error_set(err, PA_ERR_UNSUPPORTED,
                        "image: %s is not supported by the core (the browser decodes it)",
                        display_name(out->format));
  default: break;
  }

  pa_status st = PA_OK;
  int bmp_w = 0, bmp_h = 0, trns = 0;
  if (out->format == PA_IMAGE_JPEG) {
    if ((st = pa_jpeg_check(bytes, len, err)) != PA_OK) return st;
    pa_exif exif;
    pa_exif_scan_jpeg(bytes, len, &exif, &out->metadata);
    out->orientation = exif.orientation;
  } else if (out->format == PA_IMAGE_PNG) {
    if ((st = pa_image_png_scan(bytes, len, &trns, err)) != PA_OK) return st;
    pa_exif_scan_png(bytes, len, &out->metadata);
  } else if (out->format == PA_IMAGE_GIF) {
    pa_gif_scan gif;
    if ((st = pa_image_gif_scan(bytes, len, INT_MAX, &gif, err)) != PA_OK) return st;
    out->frames = gif.frames;
    out->metadata = gif.metadata;
  } else {
    pa_bmp_scan bmp;
    if ((st = pa_image_bmp_scan(bytes, len, &bmp, err)) != PA_OK) return st;
    bmp_w = bmp.width, bmp_h = bmp.height;
  }

  int w, h, comp;
  if (!stbi_info_from_memory(bytes, (int)len, &w, &h, &comp))
    return pa_error_set(err, len < 64 ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "image: unreadable %s header (%s)", pa_image_format_name(out->format),
                        stbi_failure_reason() ? stbi_failure_reason() : "unknown");
  if (out->format == PA_IMAGE_BMP) w = bmp_w, h = bmp_h; /* stb reports top-down heights negative */
  if (w <= 0 || h <= 0)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: %s header says %dx%d",
                        pa_image_format_name(out->format), w, h);
  out->channels = out->format == PA_IMAGE_PNG ? png_channels(bytes, len, trns) : comp;
  int swap = out->orientation >= 5;
  out->width = swap ? h : w;
  out->height = swap ? w : h;
  return PA_OK;
}

static pa_status check_limits(const pa_image_info *info, const pa_image_limits *lim, int all_frames,
                              pa_error *err) {
  int64_t pixels = (int64_t)info->width * info->height;
  if (info->width > lim->max_width || info->height > lim->max_height || pixels > lim->max_pixels)
    return pa_error_set(err, PA_ERR_TOO_LARGE,
                        "image: %dx%d is over the limit (%dx%d, %lld pixels)", info->width,
                        info->height, lim->max_width, lim->max_height, (long long)lim->max_pixels);
  if (info->frames > lim->max_frames)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "image: %d frames is over the limit of %d",
                        info->frames, lim->max_frames);
  if (all_frames && pixels * info->frames > lim->max_total_pixels)
    return pa_error_set(err, PA_ERR_TOO_LARGE,
                        "image: %d frames of %dx%d is over the limit of %lld pixels", info->frames,
                        info->width, info->height, (long long)lim->max_total_pixels);
  return PA_OK;
}

static pa_status stb_failed(const pa_image_info *info, const uint8_t *bytes, size_t len,
                            pa_error *err) {
  const char *why = stbi_failure_reason() ? stbi_failure_reason() : "unknown";
  if (!strcmp(why, "outofmem"))
    return pa_error_set(err, PA_ERR_NOMEM, "image: out of memory decoding %s",
                        pa_image_format_name(info->format));
  pa_status code = looks_cut(info->format, bytes, len) ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX;
  return pa_error_set(err, code, "image: cannot decode %s%s (%s)",
                      pa_image_format_name(info->format),
                      code == PA_ERR_TRUNCATED ? ", the file ends early" : "", why);
}

/* Decodes in stored orientation: every frame, or the first, with 3 or 4
 * channels. *px is malloc'd; *delays too for an animation. */
static pa_status decode_stored(const uint8_t *bytes, size_t len, const pa_image_info *info,
                               int channels, int all_frames, uint8_t **px, int **delays,
                               int *frames, pa_error *err) {
  int sw = info->orientation >= 5 ? info->height : info->width;
  int sh = info->orientation >= 5 ? info->width : info->height;
  *px = NULL, *delays = NULL, *frames = 1;
  if (info->format == PA_IMAGE_GIF && all_frames && info->frames > 1) {
    size_t stride = (size_t)sw * (size_t)sh * 4;
    *px = malloc(stride * (size_t)info->frames);
    *delays = malloc(sizeof(int) * (size_t)info->frames);
    if (!*px || !*delays) {
      free(*px), free(*delays);
      *px = NULL, *delays = NULL;
      return pa_error_set(err, PA_ERR_NOMEM, "image: out of memory for %d frames", info->frames);
    }
    int n = pa_stb_gif_frames(bytes, (int)len, sw, sh, info->frames, *px, *delays);
    if (n != info->frames) {
      free(*px), free(*delays);
      *px = NULL, *delays = NULL;
      if (n < 0) return stb_failed(info, bytes, len, err);
      return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF decoded %d of its %d frames", n,
                          info->frames);
    }
    *frames = n;
    return PA_OK;
  }
  int w, h, comp;
  *px = stbi_load_from_memory(bytes, (int)len, &w, &h, &comp, channels);
  if (!*px) return stb_failed(info, bytes, len, err);
  if (w != sw || h != sh) {
    stbi_image_free(*px);
    *px = NULL;
    return pa_error_set(err, PA_ERR_SYNTAX, "image: header and data disagree on size");
  }
  return PA_OK;
}

/* Replaces *px (frames of w x h RGBA) with its oriented copy. */
static pa_status orient_frames(uint8_t **px, int w, int h, int frames, int o, pa_error *err) {
  if (o == 1) return PA_OK;
  size_t stride = (size_t)w * (size_t)h * 4;
  uint8_t *dst = malloc(stride * (size_t)frames);
  if (!dst) return pa_error_set(err, PA_ERR_NOMEM, "image: out of memory for orientation");
  for (int f = 0; f < frames; f++) pa_image_orient(*px + stride * f, w, h, o, dst + stride * f);
  free(*px);
  *px = dst;
  return PA_OK;
}

/* What both decoders check first: an output to clear, then the byte,
 * dimension and (all_frames) frame limits on the probed header. */
static pa_status start_decode(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                              int all_frames, pa_image *out, pa_image_info *info, pa_error *err) {
  pa_image_limits lim = limits ? *limits : PA_IMAGE_LIMITS_DEFAULT;
  if (!out) return pa_error_set(err, PA_ERR_ARG, "image: no output");
  memset(out, 0, sizeof *out);
  if (len > lim.max_bytes)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "image: %zu bytes is over the %zu byte limit", len,
                        lim.max_bytes);
  pa_status st = pa_image_probe(bytes, len, info, err);
  return st == PA_OK ? check_limits(info, &lim, all_frames, err) : st;
}

pa_status pa_image_decode(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                          pa_image *out, pa_error *err) {
  pa_image_info info;
  pa_status st = start_decode(bytes, len, limits, 1, out, &info, err);
  if (st != PA_OK) return st;
  uint8_t *px;
  int *delays, frames;
  if ((st = decode_stored(bytes, len, &info, 4, 1, &px, &delays, &frames, err)) != PA_OK) return st;
  int sw = info.orientation >= 5 ? info.height : info.width;
  int sh = info.orientation >= 5 ? info.width : info.height;
  if ((st = orient_frames(&px, sw, sh, frames, info.orientation, err)) != PA_OK) {
    free(px), free(delays);
    return st;
  }
  out->width = info.width;
  out->height = info.height;
  out->frames = frames;
  out->rgba = px;
  out->delays_ms = delays;
  return PA_OK;
}

pa_status pa_image_decode_fit(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                              int box_w, int box_h, pa_image *out, pa_error *err) {
  pa_image_info info;
  pa_status st = start_decode(bytes, len, limits, 0, out, &info, err);
  if (st != PA_OK) return st;
  /* Always 4 channels: stb converts JPEG colours with SIMD only into RGBA.
   * Opaque images skip the alpha weighting when resized. */
  int opaque = !(info.channels == 2 || info.channels == 4);
  uint8_t *px;
  int *delays, frames;
  if ((st = decode_stored(bytes, len, &info, 4, 0, &px, &delays, &frames, err)) != PA_OK) return st;
  int swap = info.orientation >= 5;
  int sw = swap ? info.height : info.width, sh = swap ? info.width : info.height;
  int tw, th; /* displayed target */
  pa_resize_cover(info.width, info.height, box_w, box_h, &tw, &th);
  int rw = swap ? th : tw, rh = swap ? tw : th; /* resized, still stored orientation */
  if (rw != sw || rh != sh) {
    uint8_t *small = malloc((size_t)rw * (size_t)rh * 4);
    if (!small) st = pa_error_set(err, PA_ERR_NOMEM, "image: out of memory for %dx%d", rw, rh);
    if (st == PA_OK)
      st = opaque ? pa_resize_rgbx(px, sw, sh, small, rw, rh, err)
                  : pa_resize_pixels(px, sw, sh, 4, small, rw, rh, err);
    free(px);
    px = small;
    if (st != PA_OK) {
      free(px);
      return st;
    }
  }
  if ((st = orient_frames(&px, rw, rh, 1, info.orientation, err)) != PA_OK) {
    free(px);
    return st;
  }
  out->width = tw;
  out->height = th;
  out->frames = 1;
  out->rgba = px;
  return PA_OK;
}

void pa_image_free(pa_image *image) {
  if (!image) return;
  free(image->rgba); /* stb_image allocates with malloc */
  free(image->delays_ms);
  memset(image, 0, sizeof *image);
}

void pa_image_orient(const uint8_t *src, int w, int h, int o, uint8_t *dst) {
  int ow = o >= 5 ? h : w, oh = o >= 5 ? w : h;
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      int sx, sy;
      switch (o) {
      case 2: sx = w - 1 - x, sy = y; break;         /* mirrored */
      case 3: sx = w - 1 - x, sy = h - 1 - y; break; /* rotated 180 */
      case 4: sx = x, sy = h - 1 - y; break;         /* flipped */
      case 5: sx = y, sy = x; break;                 /* transposed */
      case 6: sx = y, sy = h - 1 - x; break;         /* rotated 90 clockwise */
      case 7: sx = w - 1 - y, sy = h - 1 - x; break; /* transversed */
      case 8: sx = w - 1 - y, sy = x; break;         /* rotated 90 anticlockwise */
      default: sx = x, sy = y; break;
      }
      memcpy(dst + ((size_t)y * ow + x) * 4, src + ((size_t)sy * w + sx) * 4, 4);
    }
}

pa_status pa_image_encode_png(const uint8_t *rgba, int w, int h, uint8_t **out, size_t *len,
                              pa_error *err) {
  if (!rgba || !out || !len || w <= 0 || h <= 0 || w > 65535 || h > 65535)
    return pa_error_set(err, PA_ERR_ARG, "image: nothing to encode (%dx%d)", w, h);
  if (!pa_stb_write_png(rgba, w, h, 4, out, len))
    return pa_error_set(err, PA_ERR_NOMEM, "image: out of memory encoding a %dx%d PNG", w, h);
  return PA_OK;
}

uint32_t pa_image_checksum(const pa_image *image) {
  uint32_t h = 2166136261u;
  size_t frames = image && image->frames > 1 ? (size_t)image->frames : 1;
  size_t n = image && image->rgba ? (size_t)image->width * (size_t)image->height * 4 * frames : 0;
  for (size_t i = 0; i < n; i++) h = (h ^ image->rgba[i]) * 16777619u;
  return h;
}

size_t pa_image_describe(const uint8_t *bytes, size_t len, const pa_image_limits *limits, char *buf,
                         size_t cap, pa_error *err) {
  pa_image_info info;
  pa_image img;
  if (cap) buf[0] = '\0';
  if (pa_image_probe(bytes, len, &info, err) != PA_OK ||
      pa_image_decode(bytes, len, limits, &img, err) != PA_OK)
    return 0;
  pa_strbuf b = {buf, cap, 0};
  pa_strbuf_put(&b, "%s %dx%d rgba checksum %08x", pa_image_format_name(info.format), img.width,
                img.height, pa_image_checksum(&img));
  if (img.frames > 1) {
    pa_strbuf_put(&b, " frames %d delays", img.frames);
    for (int f = 0; f < img.frames; f++) pa_strbuf_put(&b, "%c%d", f ? ',' : ' ', img.delays_ms[f]);
  }
  if (info.orientation != 1) pa_strbuf_put(&b, " orientation %d", info.orientation);
  pa_strbuf_put(&b, "\n");
  pa_image_free(&img);
  return b.len;
}

void pa_image_metadata_names(unsigned metadata, char *buf, size_t cap) {
  static const char *names[] = {"exif", "gps", "xmp", "icc", "comment", "text"};
  pa_strbuf b = {buf, cap, 0};
  if (cap) buf[0] = '\0';
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (metadata & (1u << i)) pa_strbuf_put(&b, "%s%s", b.len ? " " : "", names[i]);
  if (b.len == 0) pa_strbuf_put(&b, "none");
}
