/* The translation unit that compiles stb_image_write for the core, static:
 * the native host compiles its own for tests and screenshots, and two copies
 * must not clash. (Resizing is our own, resize.c; the native host keeps
 * stb_image_resize as the reference the tests compare it with.) */
#include <stdlib.h>
#include <string.h>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "image_stb.h"

#include <stb_image_write.h>

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
