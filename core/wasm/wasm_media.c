/* The media module's exports (petamigos-media.mjs/.wasm): decode, resize,
 * ThumbHash, upload preparation and a video's metadata scrub, for
 * shell/decode-worker.js and tests. It links only the media code, so the
 * worker's module stays small; the app's module keeps its own decoder for
 * browsers without workers.
 *
 * Results come back as one malloc'd media_result that the generated
 * seam/media.js reads at the offsets of its fields and frees with
 * pa_media_result_free. */
#include "pa/pa_image.h"
#include "pa/pa_resize.h"
#include "pa/pa_thumbhash.h"
#include "pa/pa_upload.h"

#include <emscripten.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct media_result {
  int32_t status;  /* 0: byte offset 0 */
  int32_t width;   /* 4 */
  int32_t height;  /* 8 */
  int32_t frames;  /* 12 */
  int32_t format;  /* 16: pa_image_format */
  int32_t len;     /* 20: bytes at data */
  uint8_t *data;   /* 24: RGBA pixels or an encoded file; seam: length=len */
  char text[8192]; /* 28: the CLI's line, or "error (NAME): MESSAGE\n" */
} media_result;

_Static_assert(sizeof(void *) == 4 && offsetof(media_result, text) == 28, "layout JS reads");

static media_result *result(void) { return calloc(1, sizeof(media_result)); }

static media_result *failed(media_result *r, const pa_error *e) {
  r->status = (int32_t)e->code;
  snprintf(r->text, sizeof r->text, "error (%s): %s\n", pa_status_name(e->code), e->msg);
  return r;
}

/* Moves a decoded image into r. */
static media_result *pixels(media_result *r, pa_image *img) {
  r->width = img->width, r->height = img->height, r->frames = img->frames;
  r->len = (int32_t)((size_t)img->width * img->height * 4 * (size_t)img->frames);
  r->data = img->rgba;
  free(img->delays_ms);
  return r;
}

EMSCRIPTEN_KEEPALIVE const char *pa_media_version(void) { return pa_version(); }

/* The wrappers read every result into an object, then free it here. seam: free */
EMSCRIPTEN_KEEPALIVE void pa_media_result_free(media_result *r) {
  if (!r) return;
  free(r->data);
  free(r);
}

/* Probe only: format and displayed size, or the refusal (e.g. WebP). */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_probe(const uint8_t *bytes, size_t len) {
  media_result *r = result();
  pa_image_info info;
  pa_error e;
  if (!r) return NULL;
  pa_status st = pa_image_probe(bytes, len, &info, &e);
  r->format = (int32_t)info.format;
  if (st != PA_OK) return failed(r, &e);
  r->width = info.width, r->height = info.height, r->frames = info.frames;
  pa_image_metadata_names(info.metadata, r->text, sizeof r->text);
  return r;
}

/* The decode worker's call: first frame, upright, downscaled to cover the box. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_decode_fit(const uint8_t *bytes, size_t len, int box_w,
                                                       int box_h) {
  media_result *r = result();
  pa_image img;
  pa_image_info info;
  pa_error e;
  if (!r) return NULL;
  pa_image_probe(bytes, len, &info, &e);
  r->format = (int32_t)info.format;
  if (pa_image_decode_fit(bytes, len, NULL, box_w, box_h, &img, &e) != PA_OK) return failed(r, &e);
  return pixels(r, &img);
}

/* Every frame, upright, full size; text is the CLI's image-info line. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_decode(const uint8_t *bytes, size_t len) {
  media_result *r = result();
  pa_image img;
  pa_error e;
  if (!r) return NULL;
  if (!pa_image_describe(bytes, len, NULL, r->text, sizeof r->text, &e)) return failed(r, &e);
  if (pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK) return failed(r, &e);
  return pixels(r, &img);
}

/* As the CLI's image-resize: decode, then exactly w x h (a 0 side follows the aspect). */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_resize(const uint8_t *bytes, size_t len, int w, int h) {
  media_result *r = result();
  pa_image img;
  pa_error e;
  if (!r) return NULL;
  if (pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK) return failed(r, &e);
  if (w == 0) w = (int)(((int64_t)img.width * h * 2 + img.height) / (2 * (int64_t)img.height));
  if (h == 0) h = (int)(((int64_t)img.height * w * 2 + img.width) / (2 * (int64_t)img.width));
  if (w < 1) w = 1;
  if (h < 1) h = 1;
  uint8_t *dst = malloc((size_t)w * (size_t)h * 4);
  pa_status st = dst ? pa_resize_pixels(img.rgba, img.width, img.height, 4, dst, w, h, &e)
                     : pa_error_set(&e, PA_ERR_NOMEM, "out of memory");
  pa_image_free(&img);
  if (st != PA_OK) {
    free(dst);
    return failed(r, &e);
  }
  r->width = w, r->height = h, r->frames = 1, r->len = w * h * 4, r->data = dst;
  return r;
}

/* The smallest size covering a box, as pa_image_decode_fit picks it (for the
 * browser-decoded formats): width << 16 | height. */
EMSCRIPTEN_KEEPALIVE int pa_media_cover_size(int w, int h, int box_w, int box_h) {
  int ow, oh;
  pa_resize_cover(w, h, box_w, box_h, &ow, &oh);
  return ow << 16 | oh;
}

/* text: the CLI's image-hash line; data: the placeholder's pixels. */
static media_result *hash_result(media_result *r, const uint8_t *hash, size_t hash_len) {
  pa_error e;
  uint8_t *px = malloc(PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4);
  int w, h;
  if (!px) return free(r), NULL;
  if (!pa_thumbhash_describe(hash, hash_len, r->text, sizeof r->text, &e) ||
      pa_thumbhash_decode(hash, hash_len, px, &w, &h, &e) != PA_OK) {
    free(px);
    return failed(r, &e);
  }
  r->width = w, r->height = h, r->frames = 1, r->len = w * h * 4, r->data = px;
  return r;
}

EMSCRIPTEN_KEEPALIVE media_result *pa_media_hash(const uint8_t *bytes, size_t len) {
  media_result *r = result();
  pa_image img;
  pa_error e;
  uint8_t hash[PA_THUMBHASH_MAX];
  size_t hash_len;
  if (!r) return NULL;
  if (pa_image_decode_fit(bytes, len, NULL, 0, 0, &img, &e) != PA_OK) return failed(r, &e);
  pa_status st = pa_thumbhash_from_rgba(img.rgba, img.width, img.height, hash, &hash_len, &e);
  pa_image_free(&img);
  return st == PA_OK ? hash_result(r, hash, hash_len) : failed(r, &e);
}

/* Renders a base64 hash (from a post) into its placeholder. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_hash_render(const char *base64) {
  media_result *r = result();
  pa_error e;
  uint8_t hash[PA_THUMBHASH_MAX];
  size_t hash_len;
  if (!r) return NULL;
  if (pa_thumbhash_from_base64(base64, hash, &hash_len, &e) != PA_OK) return failed(r, &e);
  return hash_result(r, hash, hash_len);
}

static media_result *upload_result(media_result *r, pa_upload *up) {
  pa_upload_describe(up, r->text, sizeof r->text);
  r->width = up->width, r->height = up->height, r->frames = up->source_frames;
  r->format = (int32_t)up->format;
  r->len = (int32_t)up->len;
  r->data = up->bytes; /* handed over: freed with the result */
  return r;
}

/* The file to upload: text is the CLI's image-prepare line. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_prepare(const uint8_t *bytes, size_t len, int max_edge,
                                                    int quality) {
  media_result *r = result();
  pa_upload_options opt = {max_edge, quality};
  pa_upload up;
  pa_error e;
  if (!r) return NULL;
  if (pa_upload_prepare(bytes, len, NULL, &opt, &up, &e) != PA_OK) return failed(r, &e);
  return upload_result(r, &up);
}

/* For pixels the browser decoded (WebP, AVIF), already upright. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_prepare_rgba(const uint8_t *rgba, int w, int h,
                                                         int max_edge, int quality) {
  media_result *r = result();
  pa_upload_options opt = {max_edge, quality};
  pa_upload up;
  pa_error e;
  if (!r) return NULL;
  if (pa_upload_prepare_rgba(rgba, w, h, &opt, &up, &e) != PA_OK) return failed(r, &e);
  return upload_result(r, &up);
}

/* A reel's video: its metadata cleared in place in bytes, which the caller
 * reads back (src/media/media.md, "Videos"). text: the CLI's video-scrub line;
 * format: pa_upload_video; frames: how many boxes or elements were cleared. */
EMSCRIPTEN_KEEPALIVE media_result *pa_media_scrub_video(uint8_t *bytes, size_t len) {
  media_result *r = result();
  pa_upload_scrub rep;
  pa_error e;
  if (!r) return NULL;
  if (pa_upload_scrub_video(bytes, len, &rep, &e) != PA_OK) return failed(r, &e);
  r->format = (int32_t)rep.container;
  r->frames = (int32_t)rep.cleared;
  pa_upload_scrub_describe(&rep, r->text, sizeof r->text);
  return r;
}
