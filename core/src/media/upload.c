#include "pa/pa_upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_stb.h"
#include "pa/pa_resize.h"

static pa_status check_options(const pa_upload_options *o, pa_error *err) {
  if (o->max_edge < 16 || o->max_edge > 16384)
    return pa_error_set(err, PA_ERR_ARG, "upload: max edge %d is not 16-16384", o->max_edge);
  if (o->jpeg_quality < 1 || o->jpeg_quality > 100)
    return pa_error_set(err, PA_ERR_ARG, "upload: JPEG quality %d is not 1-100", o->jpeg_quality);
  return PA_OK;
}

/* The box pa_image_decode_fit and pa_resize_cover take: the longer side bounded. */
static void edge_box(int w, int h, int max_edge, int *bw, int *bh) {
  *bw = w >= h ? max_edge : 0;
  *bh = w >= h ? 0 : max_edge;
}

/* Encodes upright RGBA pixels (already at their final size) and hashes them. */
static pa_status encode(const uint8_t *rgba, int w, int h, const pa_upload_options *o,
                        pa_upload *out, pa_error *err) {
  size_t n = (size_t)w * (size_t)h;
  int alpha = 0;
  for (size_t i = 0; i < n && !alpha; i++) alpha = rgba[4 * i + 3] != 255;
  pa_status st = pa_thumbhash_from_rgba(rgba, w, h, out->thumbhash, &out->thumbhash_len, err);
  if (st != PA_OK) return st;
  int ok;
  if (alpha) {
    out->format = PA_IMAGE_PNG;
    ok = pa_stb_write_png(rgba, w, h, 4, &out->bytes, &out->len);
  } else {
    uint8_t *rgb = malloc(n * 3);
    if (!rgb) return pa_error_set(err, PA_ERR_NOMEM, "upload: out of memory");
    for (size_t i = 0; i < n; i++) memcpy(rgb + 3 * i, rgba + 4 * i, 3);
    out->format = PA_IMAGE_JPEG;
    ok = pa_stb_write_jpg(rgb, w, h, o->jpeg_quality, &out->bytes, &out->len);
    free(rgb);
  }
  if (!ok) return pa_error_set(err, PA_ERR_NOMEM, "upload: cannot encode %dx%d", w, h);
  out->width = w;
  out->height = h;
  return PA_OK;
}

pa_status pa_upload_prepare(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                            const pa_upload_options *options, pa_upload *out, pa_error *err) {
  pa_upload_options o = options ? *options : PA_UPLOAD_OPTIONS_DEFAULT;
  if (!out) return pa_error_set(err, PA_ERR_ARG, "upload: no output");
  memset(out, 0, sizeof *out);
  pa_status st = check_options(&o, err);
  if (st != PA_OK) return st;
  pa_image_info info;
  if ((st = pa_image_probe(bytes, len, &info, err)) != PA_OK) return st;
  int bw, bh;
  edge_box(info.width, info.height, o.max_edge, &bw, &bh);
  pa_image img;
  if ((st = pa_image_decode_fit(bytes, len, limits, bw, bh, &img, err)) != PA_OK) return st;
  st = encode(img.rgba, img.width, img.height, &o, out, err);
  pa_image_free(&img);
  if (st != PA_OK) {
    pa_upload_free(out);
    return st;
  }
  out->source_frames = info.frames;
  out->source_metadata = info.metadata;
  return PA_OK;
}

pa_status pa_upload_prepare_rgba(const uint8_t *rgba, int w, int h,
                                 const pa_upload_options *options, pa_upload *out, pa_error *err) {
  pa_upload_options o = options ? *options : PA_UPLOAD_OPTIONS_DEFAULT;
  if (!out) return pa_error_set(err, PA_ERR_ARG, "upload: no output");
  memset(out, 0, sizeof *out);
  if (!rgba || w <= 0 || h <= 0 || w > 16384 || h > 16384)
    return pa_error_set(err, PA_ERR_ARG, "upload: no pixels or a bad size %dx%d", w, h);
  pa_status st = check_options(&o, err);
  if (st != PA_OK) return st;
  int bw, bh, tw, th;
  edge_box(w, h, o.max_edge, &bw, &bh);
  pa_resize_cover(w, h, bw, bh, &tw, &th);
  const uint8_t *px = rgba;
  uint8_t *small = NULL;
  if (tw != w || th != h) {
    if (!(small = malloc((size_t)tw * (size_t)th * 4)))
      return pa_error_set(err, PA_ERR_NOMEM, "upload: out of memory");
    if ((st = pa_resize_pixels(rgba, w, h, 4, small, tw, th, err)) != PA_OK) {
      free(small);
      return st;
    }
    px = small;
  }
  st = encode(px, tw, th, &o, out, err);
  free(small);
  if (st != PA_OK) {
    pa_upload_free(out);
    return st;
  }
  out->source_frames = 1;
  return PA_OK;
}

void pa_upload_free(pa_upload *upload) {
  if (!upload) return;
  free(upload->bytes);
  memset(upload, 0, sizeof *upload);
}

size_t pa_upload_describe(const pa_upload *u, char *buf, size_t cap) {
  char hash[PA_THUMBHASH_TEXT_MAX], meta[64];
  pa_thumbhash_to_base64(u->thumbhash, u->thumbhash_len, hash, sizeof hash);
  pa_image_metadata_names(u->source_metadata, meta, sizeof meta);
  int n = snprintf(
      buf, cap, "%s %dx%d %zu bytes thumbhash %s source-frames %d source-metadata %s\n",
      pa_image_format_name(u->format), u->width, u->height, u->len, hash, u->source_frames, meta);
  return n > 0 ? (size_t)n : 0;
}
