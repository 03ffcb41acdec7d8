/* The translation unit that compiles stb_image_resize (v1) and stb_image_write
 * for the core. Both are static here: the native host compiles its own
 * stb_image_write for tests and screenshots, and two copies must not clash. */
#include <stdlib.h>
#include <string.h>

#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "image_stb.h"

#include <stb_image_write.h>

int pa_stb_resize(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw, int dh,
                  int channels, int alpha, int srgb) {
  return stbir_resize_uint8_generic(src, sw, sh, sw * channels, dst, dw, dh, dw * channels,
                                    channels, alpha ? 3 : STBIR_ALPHA_CHANNEL_NONE, 0,
                                    STBIR_EDGE_CLAMP, STBIR_FILTER_MITCHELL,
                                    srgb ? STBIR_COLORSPACE_SRGB : STBIR_COLORSPACE_LINEAR, NULL);
}

typedef struct sink {
  unsigned char *buf;
  size_t len, cap;
  int failed;
} sink;

static void put(void *ctx, void *data, int size) {
  sink *s = ctx;
  if (s->failed || size <= 0) return;
  if (s->len + (size_t)size > s->cap) {
    size_t cap = (s->len + (size_t)size) * 2;
    unsigned char *grown = realloc(s->buf, cap);
    if (!grown) {
      s->failed = 1;
      return;
    }
    s->buf = grown;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, data, (size_t)size);
  s->len += (size_t)size;
}

static int finish(sink *s, int ok, unsigned char **out, size_t *len) {
  if (!ok || s->failed) {
    free(s->buf);
    return 0;
  }
  *out = s->buf;
  *len = s->len;
  return 1;
}

int pa_stb_write_jpg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                     size_t *len) {
  sink s = {0};
  return finish(&s, stbi_write_jpg_to_func(put, &s, w, h, 3, rgb, quality), out, len);
}

int pa_stb_write_png(const unsigned char *px, int w, int h, int channels, unsigned char **out,
                     size_t *len) {
  sink s = {0};
  return finish(&s, stbi_write_png_to_func(put, &s, w, h, channels, px, w * channels), out, len);
}
