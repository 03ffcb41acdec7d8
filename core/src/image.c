#include "pa/pa_image.h"

#include <stdlib.h>
#include <string.h>

#define STBI_NO_STDIO
#include <stb_image.h>

#include "jpeg.h"

const char *pa_image_format_name(pa_image_format format) {
  switch (format) {
  case PA_IMAGE_JPEG: return "jpeg";
  case PA_IMAGE_PNG: return "png";
  case PA_IMAGE_UNKNOWN: break;
  }
  return "unknown";
}

static pa_image_format sniff(const uint8_t *b, size_t len) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return PA_IMAGE_JPEG;
  if (len >= 8 && memcmp(b, png, 8) == 0) return PA_IMAGE_PNG;
  return PA_IMAGE_UNKNOWN;
}

static const char *unsupported_name(const uint8_t *b, size_t len) {
  if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) return "WebP";
  if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0) return "AVIF/HEIC";
  if (len >= 6 && memcmp(b, "GIF8", 4) == 0) return "GIF";
  return NULL;
}

/* stb cannot tell a cut-short file from a corrupt one; the end marker can. */
static int has_trailer(pa_image_format f, const uint8_t *b, size_t len) {
  static const uint8_t iend[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  if (f == PA_IMAGE_JPEG) return len >= 2 && b[len - 2] == 0xff && b[len - 1] == 0xd9;
  return len >= 8 && memcmp(b + len - 8, iend, 8) == 0;
}

pa_status pa_image_probe(const uint8_t *bytes, size_t len, pa_image_info *out, pa_error *err) {
  pa_error_clear(err);
  if (!bytes || !out) return pa_error_set(err, PA_ERR_ARG, "image: no input or output");
  memset(out, 0, sizeof *out);
  if (len == 0) return pa_error_set(err, PA_ERR_TRUNCATED, "image: empty file");
  if (len > INT32_MAX) return pa_error_set(err, PA_ERR_TOO_LARGE, "image: file too large");
  out->format = sniff(bytes, len);
  if (out->format == PA_IMAGE_UNKNOWN) {
    const char *name = unsupported_name(bytes, len);
    if (name) return pa_error_set(err, PA_ERR_UNSUPPORTED, "image: %s is not supported", name);
    return pa_error_set(err, PA_ERR_SYNTAX, "image: not a JPEG or PNG file");
  }
  if (out->format == PA_IMAGE_JPEG) {
    pa_status st = pa_jpeg_check(bytes, len, err);
    if (st != PA_OK) return st;
  }
  int w, h, comp;
  if (!stbi_info_from_memory(bytes, (int)len, &w, &h, &comp))
    return pa_error_set(err, len < 64 ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "image: unreadable %s header (%s)", pa_image_format_name(out->format),
                        stbi_failure_reason() ? stbi_failure_reason() : "unknown");
  out->width = w;
  out->height = h;
  return PA_OK;
}

pa_status pa_image_decode(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                          pa_image *out, pa_error *err) {
  pa_image_limits lim = limits ? *limits : PA_IMAGE_LIMITS_DEFAULT;
  if (!out) return pa_error_set(err, PA_ERR_ARG, "image: no output");
  memset(out, 0, sizeof *out);
  if (len > lim.max_bytes)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "image: %zu bytes is over the %zu byte limit", len,
                        lim.max_bytes);
  pa_image_info info;
  pa_status st = pa_image_probe(bytes, len, &info, err);
  if (st != PA_OK) return st;
  if (info.width > lim.max_width || info.height > lim.max_height ||
      (int64_t)info.width * info.height > lim.max_pixels)
    return pa_error_set(err, PA_ERR_TOO_LARGE,
                        "image: %dx%d is over the limit (%dx%d, %lld pixels)", info.width,
                        info.height, lim.max_width, lim.max_height, (long long)lim.max_pixels);
  int w, h, comp;
  uint8_t *px = stbi_load_from_memory(bytes, (int)len, &w, &h, &comp, 4);
  if (!px) {
    const char *why = stbi_failure_reason() ? stbi_failure_reason() : "unknown";
    pa_status code = has_trailer(info.format, bytes, len) ? PA_ERR_SYNTAX : PA_ERR_TRUNCATED;
    return pa_error_set(err, code, "image: cannot decode %s%s (%s)",
                        pa_image_format_name(info.format),
                        code == PA_ERR_TRUNCATED ? ", the file ends early" : "", why);
  }
  if (w != info.width || h != info.height) {
    stbi_image_free(px);
    return pa_error_set(err, PA_ERR_SYNTAX, "image: header and data disagree on size");
  }
  out->width = w;
  out->height = h;
  out->rgba = px;
  return PA_OK;
}

void pa_image_free(pa_image *image) {
  if (!image) return;
  stbi_image_free(image->rgba);
  image->rgba = NULL;
  image->width = image->height = 0;
}

uint32_t pa_image_checksum(const pa_image *image) {
  uint32_t h = 2166136261u;
  size_t n = image && image->rgba ? (size_t)image->width * (size_t)image->height * 4 : 0;
  for (size_t i = 0; i < n; i++) h = (h ^ image->rgba[i]) * 16777619u;
  return h;
}
