#include <stdio.h>
#include <stdlib.h>

#include "pa_native.h"

#include "pa/pa_image.h"
#include "pa_test.h"

static int near(int a, int b, int tol) { return abs(a - b) <= tol; }

/* Decodes an encoded pattern and compares pixels at the quadrant centres. */
static void check_pattern(int png) {
  size_t len;
  uint8_t *bytes = pa_test_encode(png, 128, 128, &len);
  pa_image_info info;
  pa_image img;
  pa_error e;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
  CHECK(info.format == (png ? PA_IMAGE_PNG : PA_IMAGE_JPEG));
  CHECK(info.width == 128 && info.height == 128);
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK);
  CHECK(img.width == 128 && img.height == 128 && img.rgba != NULL);
  int tol = png ? 0 : 12;
  for (int y = 32; y < 128; y += 64)
    for (int x = 32; x < 128; x += 64) {
      uint8_t want[3];
      const uint8_t *got = &img.rgba[(y * 128 + x) * 4];
      pa_test_pattern(x, y, want);
      CHECK(near(got[0], want[0], tol) && near(got[1], want[1], tol) && near(got[2], want[2], tol));
      CHECK(got[3] == 255);
    }
  pa_image_free(&img);
  CHECK(img.rgba == NULL);
  free(bytes);
}

static void test_png(void) { check_pattern(1); }
static void test_jpeg(void) { check_pattern(0); }

static void test_limits_refuse_before_decoding(void) {
  size_t len;
  uint8_t *bytes = pa_test_encode(1, 300, 200, &len);
  pa_image img;
  pa_error e;
  pa_image_limits lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_width = 299;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "300x200 is over the limit");
  lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_height = 199;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_pixels = 300 * 200 - 1;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_bytes = len - 1;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "byte limit");
  CHECK(img.rgba == NULL);
  free(bytes);
}

static void test_header_claims_huge_size(void) {
  /* A PNG whose IHDR claims 100000 x 100000: refused from the header alone. */
  size_t len;
  uint8_t *bytes = pa_test_encode(1, 8, 8, &len);
  bytes[16] = 0, bytes[17] = 1, bytes[18] = 0x86, bytes[19] = 0xa0;
  bytes[20] = 0, bytes[21] = 1, bytes[22] = 0x86, bytes[23] = 0xa0;
  pa_image img;
  pa_error e;
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK);
  CHECK(img.rgba == NULL);
  free(bytes);
}

static void test_unsupported_and_garbage(void) {
  pa_image img;
  pa_error e;
  const uint8_t webp[] = "RIFF\x10\0\0\0WEBPVP8 ";
  CHECK(pa_image_decode(webp, sizeof webp - 1, NULL, &img, &e) == PA_ERR_UNSUPPORTED);
  CHECK_CONTAINS(e.msg, "WebP is not supported");
  const uint8_t gif[] = "GIF89a\1\0\1\0";
  CHECK(pa_image_decode(gif, sizeof gif - 1, NULL, &img, &e) == PA_ERR_UNSUPPORTED);
  const uint8_t text[] = "<html>not an image</html>";
  CHECK(pa_image_decode(text, sizeof text - 1, NULL, &img, &e) == PA_ERR_SYNTAX);
  CHECK(pa_image_decode(text, 0, NULL, &img, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_image_decode(NULL, 0, NULL, NULL, &e) == PA_ERR_ARG);
}

static void test_truncated_and_corrupted(void) {
  for (int png = 0; png < 2; png++) {
    size_t len;
    uint8_t *bytes = pa_test_encode(png, 128, 128, &len);
    /* Cut short anywhere: an error or (JPEG only, stb is lenient) an image of
     * the right size, never a crash or a wrong-sized buffer. */
    for (size_t cut = 0; cut < len; cut += 1 + cut / 16) {
      pa_image img;
      pa_error e;
      pa_status st = pa_image_decode(bytes, cut, NULL, &img, &e);
      if (st == PA_OK) {
        CHECK(!png && img.width == 128 && img.height == 128);
        pa_image_free(&img);
      } else {
        CHECK(img.rgba == NULL && e.msg[0] != '\0');
      }
    }
    pa_image img;
    pa_error e;
    CHECK(pa_image_decode(bytes, len / 2, NULL, &img, &e) != PA_OK || !png);
    if (png) CHECK(e.code == PA_ERR_TRUNCATED);
    pa_image_free(&img);
    /* Flip bytes through the body: decode or refuse, never crash. */
    for (size_t at = 20; at < len; at += 97) {
      uint8_t *copy = malloc(len);
      memcpy(copy, bytes, len);
      copy[at] ^= 0x5a;
      if (pa_image_decode(copy, len, NULL, &img, &e) == PA_OK) {
        CHECK(img.width == 128 && img.height == 128);
        pa_image_free(&img);
      }
      free(copy);
    }
    free(bytes);
  }
}

static void test_checksum(void) {
  size_t len;
  uint8_t *bytes = pa_test_encode(1, 64, 64, &len);
  pa_image a, b;
  CHECK(pa_image_decode(bytes, len, NULL, &a, NULL) == PA_OK);
  CHECK(pa_image_decode(bytes, len, NULL, &b, NULL) == PA_OK);
  CHECK(pa_image_checksum(&a) == pa_image_checksum(&b));
  b.rgba[5] ^= 1;
  CHECK(pa_image_checksum(&a) != pa_image_checksum(&b));
  pa_image_free(&a);
  pa_image_free(&b);
  free(bytes);
}

/* Inputs the fuzzer found that crash Debian's stb_image unless we refuse
 * them first (out-of-bounds Huffman tables). */
static void test_fuzzer_regressions(void) {
  const char *names[] = {"stb-dht-257-symbols.jpg", "stb-dht-cut-short.jpg"};
  for (size_t i = 0; i < 2; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/image-regressions/%s", PA_CORPUS_DIR, names[i]);
    uint8_t *bytes;
    size_t len;
    pa_image img;
    pa_error e;
    CHECK(pa_native_read_file(path, 1 << 20, &bytes, &len, &e) == PA_OK);
    if (!bytes) continue;
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
    CHECK_CONTAINS(e.msg, "Huffman table");
    free(bytes);
  }
}

int main(void) {
  RUN(test_png);
  RUN(test_jpeg);
  RUN(test_limits_refuse_before_decoding);
  RUN(test_header_claims_huge_size);
  RUN(test_unsupported_and_garbage);
  RUN(test_truncated_and_corrupted);
  RUN(test_checksum);
  RUN(test_fuzzer_regressions);
  return pa_test_summary("image");
}
