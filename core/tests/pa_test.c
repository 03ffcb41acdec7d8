#include "pa_test.h"

#include <stb_image_write.h> /* compiled once, in pa_native's stb_impl.c */
#include <stdio.h>
#include <stdlib.h>

int pa_test_failures, pa_test_checks;

void pa_test_fail(const char *file, int line, const char *what) {
  pa_test_failures++;
  fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what);
}

void pa_test_run(const char *name, void (*fn)(void)) {
  int before = pa_test_failures;
  fn();
  printf("%s %s\n", pa_test_failures == before ? "ok  " : "FAIL", name);
}

int pa_test_summary(const char *suite) {
  printf("%s: %d checks, %d failed\n", suite, pa_test_checks, pa_test_failures);
  return pa_test_failures ? 1 : 0;
}

void pa_test_pattern(int x, int y, uint8_t rgb[3]) {
  /* Large flat quadrants so lossy JPEG keeps colours close. */
  int q = (x >= 64) + 2 * (y >= 64);
  static const uint8_t colours[4][3] = {
      {220, 40, 40}, {40, 200, 60}, {40, 60, 220}, {240, 220, 40}};
  memcpy(rgb, colours[q], 3);
}

typedef struct sink {
  uint8_t *buf;
  size_t len, cap;
} sink;

static void put(void *ctx, void *data, int size) {
  sink *s = ctx;
  if (s->len + (size_t)size > s->cap) {
    s->cap = (s->len + (size_t)size) * 2;
    s->buf = realloc(s->buf, s->cap);
  }
  memcpy(s->buf + s->len, data, (size_t)size);
  s->len += (size_t)size;
}

uint8_t *pa_test_encode(int png, int w, int h, size_t *len) {
  uint8_t *px = malloc((size_t)w * (size_t)h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) pa_test_pattern(x % 128, y % 128, &px[(y * w + x) * 3]);
  sink s = {0};
  if (png)
    stbi_write_png_to_func(put, &s, w, h, 3, px, w * 3);
  else
    stbi_write_jpg_to_func(put, &s, w, h, 3, px, 90);
  free(px);
  *len = s.len;
  return s.buf;
}
