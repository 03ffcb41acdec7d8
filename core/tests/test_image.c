#include "pa/pa_image.h"
#include "pa_native.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>

static int near(int a, int b, int tol) { return abs(a - b) <= tol; }

/* Reads tests/corpus/SUB/NAME; NULL (and a failed check) if it is missing. */
static uint8_t *corpus(const char *sub, const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/%s", PA_CORPUS_DIR, sub, name);
  uint8_t *bytes = NULL;
  pa_error e;
  if (pa_native_read_file(path, 32u << 20, &bytes, len, &e) != PA_OK) {
    fprintf(stderr, "  missing %s: %s\n", path, e.msg);
    CHECK(!"corpus file missing");
    return NULL;
  }
  return bytes;
}

/* Decodes an encoded pattern and compares pixels at the quadrant centres. */
static void check_pattern(int png) {
  size_t len;
  uint8_t *bytes = pa_test_encode(png, 128, 128, &len);
  pa_image_info info;
  pa_image img;
  pa_error e;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
  CHECK(info.format == (png ? PA_IMAGE_PNG : PA_IMAGE_JPEG));
  CHECK(info.width == 128 && info.height == 128 && info.frames == 1 && info.orientation == 1);
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK);
  CHECK(img.width == 128 && img.height == 128 && img.rgba != NULL && img.frames == 1);
  CHECK(img.delays_ms == NULL);
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

/* Every real file in tests/corpus/image-formats (made by ImageMagick, see
 * make.sh) against ImageMagick's own decode of it, frame by frame. */
static void test_formats_match_imagemagick(void) {
  static const struct {
    const char *name;
    pa_image_format format;
    int w, h, frames, max_diff; /* per channel; JPEG decoders round differently */
    double mean_diff;
  } files[] = {
      {"plasma.jpg", PA_IMAGE_JPEG, 96, 64, 1, 40, 1.5},
      {"progressive.jpg", PA_IMAGE_JPEG, 80, 60, 1, 24, 1.0},
      {"gray.jpg", PA_IMAGE_JPEG, 40, 30, 1, 2, 0.5},
      {"cmyk.jpg", PA_IMAGE_JPEG, 32, 32, 1, 24, 1.0},
      {"alpha.png", PA_IMAGE_PNG, 48, 40, 1, 0, 0},
      {"palette.png", PA_IMAGE_PNG, 30, 30, 1, 0, 0},
      {"palette-trns.png", PA_IMAGE_PNG, 24, 24, 1, 0, 0},
      {"gray16.png", PA_IMAGE_PNG, 20, 20, 1, 1, 0.6}, /* stb drops the low byte, IM rounds */
      {"rgb16.png", PA_IMAGE_PNG, 24, 16, 1, 1, 0.6},
      {"interlaced.png", PA_IMAGE_PNG, 33, 21, 1, 1, 0.6},
      {"still.gif", PA_IMAGE_GIF, 40, 30, 1, 0, 0},
      {"interlaced.gif", PA_IMAGE_GIF, 41, 29, 1, 0, 0},
      {"anim.gif", PA_IMAGE_GIF, 20, 16, 3, 0, 0},
      {"anim-previous.gif", PA_IMAGE_GIF, 20, 16, 4, 0, 0},
      {"bmp1.bmp", PA_IMAGE_BMP, 33, 17, 1, 0, 0},
      {"bmp4.bmp", PA_IMAGE_BMP, 35, 19, 1, 0, 0},
      {"bmp8.bmp", PA_IMAGE_BMP, 35, 19, 1, 0, 0},
      {"bmp24.bmp", PA_IMAGE_BMP, 36, 20, 1, 0, 0},
      {"bmp32.bmp", PA_IMAGE_BMP, 36, 20, 1, 0, 0},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    size_t len;
    uint8_t *bytes = corpus("image-formats", files[i].name, &len);
    if (!bytes) continue;
    pa_image_info info;
    pa_image img;
    pa_error e;
    CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
    CHECK(info.format == files[i].format && info.frames == files[i].frames);
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK);
    free(bytes);
    if (img.rgba == NULL) {
      fprintf(stderr, "  %s: %s\n", files[i].name, e.msg);
      continue;
    }
    CHECK(img.width == files[i].w && img.height == files[i].h && img.frames == files[i].frames);
    for (int f = 0; f < img.frames; f++) {
      char ref[128];
      snprintf(ref, sizeof ref, "ref/%s-%d.png", files[i].name, f);
      uint8_t *rb = corpus("image-formats", ref, &len);
      pa_image want;
      if (!rb || pa_image_decode(rb, len, NULL, &want, &e) != PA_OK) {
        free(rb);
        continue;
      }
      free(rb);
      CHECK(want.width == img.width && want.height == img.height);
      const uint8_t *got = img.rgba + (size_t)f * img.width * img.height * 4;
      int max = 0;
      double sum = 0;
      size_t n = (size_t)img.width * img.height * 4;
      for (size_t k = 0; k < n && want.width == img.width && want.height == img.height; k++) {
        /* A fully transparent pixel's colour is free. */
        if (k % 4 != 3 && got[k - k % 4 + 3] == 0 && want.rgba[k - k % 4 + 3] == 0) continue;
        int d = abs(got[k] - want.rgba[k]);
        max = d > max ? d : max;
        sum += d;
      }
      if (max > files[i].max_diff || sum / (double)n > files[i].mean_diff)
        fprintf(stderr, "  %s frame %d: max diff %d, mean %.3f\n", files[i].name, f, max,
                sum / (double)n);
      CHECK(max <= files[i].max_diff && sum / (double)n <= files[i].mean_diff);
      pa_image_free(&want);
    }
    pa_image_free(&img);
  }
}

static void test_gif_frames_and_delays(void) {
  size_t len;
  uint8_t *bytes = corpus("image-formats", "anim.gif", &len);
  if (!bytes) return;
  pa_image img;
  pa_error e;
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK);
  CHECK(img.frames == 3 && img.delays_ms != NULL);
  if (img.frames == 3) {
    CHECK(img.delays_ms[0] == 100 && img.delays_ms[1] == 200 && img.delays_ms[2] == 300);
    static const uint8_t colours[3][3] = {
        {0xe0, 0x28, 0x28}, {0x28, 0xc8, 0x3c}, {0x28, 0x3c, 0xdc}};
    for (int f = 0; f < 3; f++) {
      const uint8_t *p = img.rgba + (size_t)f * 20 * 16 * 4 + (8 * 20 + 10) * 4;
      CHECK(p[0] == colours[f][0] && p[1] == colours[f][1] && p[2] == colours[f][2] && p[3] == 255);
    }
  }
  char line[256];
  CHECK(pa_image_describe(bytes, len, NULL, line, sizeof line, &e) > 0);
  CHECK_CONTAINS(line, "gif 20x16 rgba checksum ");
  CHECK_CONTAINS(line, " frames 3 delays 100,200,300\n");
  pa_image_free(&img);
  /* For display only the first frame is decoded. */
  CHECK(pa_image_decode_fit(bytes, len, NULL, 0, 0, &img, &e) == PA_OK);
  CHECK(img.frames == 1 && img.width == 20 && img.height == 16 && img.rgba[0] == 0xe0);
  pa_image_free(&img);
  free(bytes);
}

static void test_limits_refuse_before_decoding(void) {
  size_t len;
  uint8_t *bytes = pa_test_encode(1, 300, 200, &len);
  pa_image img;
  pa_error e;
  pa_image_limits lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_width = 299;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "300x200 is over the limit");
  CHECK(pa_image_decode_fit(bytes, len, &lim, 10, 10, &img, &e) == PA_ERR_TOO_LARGE);
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

  /* Frames, and frames x pixels, for animations. */
  bytes = corpus("image-formats", "anim.gif", &len);
  if (!bytes) return;
  lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_frames = 2;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "3 frames is over the limit of 2");
  CHECK(pa_image_decode_fit(bytes, len, &lim, 0, 0, &img, &e) == PA_ERR_TOO_LARGE);
  lim = PA_IMAGE_LIMITS_DEFAULT;
  lim.max_total_pixels = 3 * 20 * 16 - 1;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "3 frames of 20x16 is over the limit");
  /* ...which does not apply when only the first frame is decoded. */
  CHECK(pa_image_decode_fit(bytes, len, &lim, 0, 0, &img, &e) == PA_OK);
  pa_image_free(&img);
  lim.max_total_pixels = 3 * 20 * 16;
  CHECK(pa_image_decode(bytes, len, &lim, &img, &e) == PA_OK);
  pa_image_free(&img);
  CHECK(PA_IMAGE_LIMITS_DEFAULT.max_frames == 500 &&
        PA_IMAGE_LIMITS_DEFAULT.max_total_pixels == 64000000);
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
  /* A GIF screen of 65535 x 65535 and a BMP of 60000 x 60000. */
  bytes = corpus("image-formats", "still.gif", &len);
  if (bytes) {
    bytes[6] = bytes[7] = bytes[8] = bytes[9] = 0xff;
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK);
    free(bytes);
  }
  bytes = corpus("image-formats", "bmp24.bmp", &len);
  if (bytes) {
    bytes[18] = bytes[22] = 0x60, bytes[19] = bytes[23] = 0xea;
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK);
    CHECK(img.rgba == NULL);
    free(bytes);
  }
}

static void test_unsupported_and_garbage(void) {
  pa_image img;
  pa_error e;
  const uint8_t webp[] = "RIFF\x10\0\0\0WEBPVP8 ";
  CHECK(pa_image_decode(webp, sizeof webp - 1, NULL, &img, &e) == PA_ERR_UNSUPPORTED);
  CHECK_CONTAINS(e.msg, "WebP is not supported");
  static const struct {
    const char *name, *say;
    pa_image_format format;
  } real[] = {{"photo.webp", "WebP", PA_IMAGE_WEBP},
              {"photo.avif", "AVIF", PA_IMAGE_AVIF},
              {"photo.heic", "HEIC", PA_IMAGE_HEIC},
              {"bmp8-rle.bmp", "RLE-compressed BMP", PA_IMAGE_BMP}};
  for (size_t i = 0; i < 4; i++) {
    size_t len;
    uint8_t *bytes = corpus("image-formats", real[i].name, &len);
    if (!bytes) continue;
    pa_image_info info;
    CHECK(pa_image_probe(bytes, len, &info, &e) == PA_ERR_UNSUPPORTED);
    CHECK(info.format == real[i].format);
    CHECK_CONTAINS(e.msg, real[i].say);
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_UNSUPPORTED && img.rgba == NULL);
    free(bytes);
  }
  const uint8_t gif[] = "GIF89a\1\0\1\0";
  CHECK(pa_image_decode(gif, sizeof gif - 1, NULL, &img, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "GIF header cut short");
  const uint8_t text[] = "<html>not an image</html>";
  CHECK(pa_image_decode(text, sizeof text - 1, NULL, &img, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "not a JPEG, PNG, GIF or BMP file");
  CHECK(pa_image_decode(text, 0, NULL, &img, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_image_decode(NULL, 0, NULL, NULL, &e) == PA_ERR_ARG);
}

/* Cut short anywhere, and flipped bytes: an error with a message, or (JPEG
 * only, stb pads a cut scan) an image of the right size; never a crash or a
 * wrong-sized buffer. */
static void check_damage(const char *name, const uint8_t *bytes, size_t len, int w, int h,
                         pa_status cut_status) {
  pa_image img;
  pa_error e;
  for (size_t cut = 0; cut < len; cut += 1 + cut / 32) {
    pa_status st = pa_image_decode(bytes, cut, NULL, &img, &e);
    if (st == PA_OK) {
      /* A PNG missing only its IEND chunk has all its pixels. */
      int png_end = cut + 12 >= len && bytes[1] == 'P';
      if (!(cut_status == PA_OK || png_end))
        fprintf(stderr, "  %s cut at %zu decoded\n", name, cut);
      CHECK((cut_status == PA_OK || png_end) && img.width == w && img.height == h);
      pa_image_free(&img);
    } else {
      CHECK(img.rgba == NULL && e.msg[0] != '\0');
    }
  }
  if (cut_status != PA_OK) {
    pa_status st = pa_image_decode(bytes, len * 3 / 4, NULL, &img, &e);
    if (st != cut_status) fprintf(stderr, "  %s cut: %s\n", name, e.msg);
    CHECK(st == cut_status);
  }
  uint8_t *copy = malloc(len);
  for (size_t at = 6; at < len; at += 1 + len / 97) {
    memcpy(copy, bytes, len);
    copy[at] ^= 0x5a;
    if (pa_image_decode(copy, len, NULL, &img, &e) == PA_OK) {
      CHECK(img.rgba != NULL && img.width > 0 && img.height > 0);
      pa_image_free(&img);
    } else {
      CHECK(img.rgba == NULL && e.msg[0] != '\0');
    }
  }
  free(copy);
}

static void test_truncated_and_corrupted(void) {
  for (int png = 0; png < 2; png++) {
    size_t len;
    uint8_t *bytes = pa_test_encode(png, 128, 128, &len);
    check_damage(png ? "png" : "jpeg", bytes, len, 128, 128, png ? PA_ERR_TRUNCATED : PA_OK);
    free(bytes);
  }
  static const struct {
    const char *name;
    int w, h;
    pa_status cut;
  } files[] = {
      {"progressive.jpg", 80, 60, PA_OK},      {"interlaced.png", 33, 21, PA_ERR_TRUNCATED},
      {"still.gif", 40, 30, PA_ERR_TRUNCATED}, {"anim.gif", 20, 16, PA_ERR_TRUNCATED},
      {"bmp8.bmp", 35, 19, PA_ERR_TRUNCATED},  {"bmp24.bmp", 36, 20, PA_ERR_TRUNCATED},
      {"bmp32.bmp", 36, 20, PA_ERR_TRUNCATED}, {"exif-gps.jpg", 48, 64, PA_OK}};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    size_t len;
    uint8_t *bytes = corpus("image-formats", files[i].name, &len);
    if (!bytes) continue;
    check_damage(files[i].name, bytes, len, files[i].w, files[i].h, files[i].cut);
    free(bytes);
  }
}

static void test_bmp_structure(void) {
  /* A 2x2, 8-bit BMP with a two-colour palette, built by hand. */
  uint8_t b[62 + 8] = {'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 62, 0, 0, 0, 40,
                       0,   0,   0,  2, 0, 0, 0, 2, 0, 0, 0,  1, 0, 8, 0};
  const uint8_t palette[8] = {0, 0, 255, 0, 255, 0, 0, 0}; /* BGRA: red, blue */
  memcpy(b + 54, palette, 8);
  const uint8_t rows[8] = {0, 1, 0, 0, 1, 0, 0, 0}; /* bottom row first, padded to 4 */
  memcpy(b + 62, rows, 8);
  pa_image img;
  pa_error e;
  CHECK(pa_image_decode(b, sizeof b, NULL, &img, &e) == PA_OK);
  if (img.rgba) {
    /* Top row (stored last): blue, red; bottom: red, blue. */
    CHECK(img.rgba[2] == 255 && img.rgba[0] == 0 && img.rgba[4] == 255);
    CHECK(img.rgba[8] == 255 && img.rgba[12 + 2] == 255);
  }
  pa_image_free(&img);
  /* Top-down (negative height): the same rows the other way up. */
  b[22] = 0xfe, b[23] = b[24] = b[25] = 0xff;
  CHECK(pa_image_decode(b, sizeof b, NULL, &img, &e) == PA_OK);
  if (img.rgba) CHECK(img.rgba[0] == 255 && img.rgba[4 + 2] == 255 && img.height == 2);
  pa_image_free(&img);
  /* A pixel naming palette entry 5 of 2: stb would read uninitialised memory. */
  b[62] = 5;
  CHECK(pa_image_decode(b, sizeof b, NULL, &img, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "palette entry 5 of 2");
  b[62] = 0;
  b[28] = 7; /* 7 bits per pixel */
  CHECK(pa_image_decode(b, sizeof b, NULL, &img, &e) == PA_ERR_UNSUPPORTED);
  b[28] = 8;
  b[22] = 0, b[23] = 0x80, b[24] = 0, b[25] = 0x80; /* INT32_MIN rows: stb would abs() it */
  CHECK(pa_image_decode(b, sizeof b, NULL, &img, &e) != PA_OK);
}

static void test_gif_structure(void) {
  size_t len;
  uint8_t *bytes = corpus("image-formats", "still.gif", &len);
  if (!bytes) return;
  pa_image img;
  pa_error e;
  /* Without the trailer byte: a cut we cannot tell from one between frames. */
  CHECK(bytes[len - 1] == 0x3b);
  CHECK(pa_image_decode(bytes, len - 1, NULL, &img, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "GIF ends without its trailer (frames read: 1)");
  /* Cut inside the pixel data. */
  CHECK(pa_image_decode(bytes, len - 5, NULL, &img, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "GIF data block cut short");
  /* The frame moved outside the screen. */
  size_t at = 13 + (size_t)(3 << ((bytes[10] & 7) + 1));
  while (bytes[at] == 0x21) { /* skip extensions */
    at += 2;
    while (bytes[at]) at += 1 + bytes[at];
    at++;
  }
  CHECK(bytes[at] == 0x2c);
  bytes[at + 1] = 5; /* left = 5 */
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "lies outside the 40x30 screen");
  bytes[at + 1] = 0;
  bytes[at + 10 + (bytes[at + 9] & 0x80 ? (size_t)(3 << ((bytes[at + 9] & 7) + 1)) : 0)] = 12;
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "LZW code size 12");
  free(bytes);
}

/* The 8 EXIF orientations (exiftool-tagged, both byte orders): every file
 * must come out as reference.png, 48x32: red, green / blue, yellow. */
static void test_exif_orientations(void) {
  static const uint8_t quadrant[4][3] = {
      {220, 40, 40}, {40, 200, 60}, {40, 60, 220}, {240, 220, 40}};
  const char *names[] = {"orient-1.jpg", "orient-2.jpg", "orient-3.jpg",
                         "orient-4.jpg", "orient-5.jpg", "orient-6.jpg",
                         "orient-7.jpg", "orient-8.jpg", "orient-6-mm.jpg"};
  for (int i = 0; i < 9; i++) {
    size_t len;
    uint8_t *bytes = corpus("image-formats", names[i], &len);
    if (!bytes) continue;
    pa_image_info info;
    pa_image img;
    pa_error e;
    CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
    CHECK(info.orientation == (i == 8 ? 6 : i + 1));
    CHECK(info.width == 48 && info.height == 32 && (info.metadata & PA_IMAGE_META_EXIF));
    for (int fit = 0; fit < 2; fit++) {
      /* Full decode, and the worker's path (downscaled to cover 24x16). */
      pa_status st = fit ? pa_image_decode_fit(bytes, len, NULL, 24, 0, &img, &e)
                         : pa_image_decode(bytes, len, NULL, &img, &e);
      CHECK(st == PA_OK);
      if (st != PA_OK) continue;
      int w = fit ? 24 : 48, h = fit ? 16 : 32;
      CHECK(img.width == w && img.height == h);
      for (int q = 0; q < 4 && img.width == w; q++) {
        int x = (q % 2) * w / 2 + w / 4, y = (q / 2) * h / 2 + h / 4;
        const uint8_t *p = img.rgba + ((size_t)y * w + x) * 4;
        if (!near(p[0], quadrant[q][0], 6) || !near(p[1], quadrant[q][1], 6) ||
            !near(p[2], quadrant[q][2], 6))
          fprintf(stderr, "  %s%s quadrant %d: %d,%d,%d\n", names[i], fit ? " (fit)" : "", q, p[0],
                  p[1], p[2]);
        CHECK(near(p[0], quadrant[q][0], 6) && near(p[1], quadrant[q][1], 6) &&
              near(p[2], quadrant[q][2], 6));
      }
      pa_image_free(&img);
    }
    free(bytes);
  }
}

static void test_orient_pixels(void) {
  /* A 3x2 image of numbered pixels through each orientation. */
  uint8_t src[6 * 4], dst[6 * 4];
  for (int i = 0; i < 6; i++)
    src[4 * i] = (uint8_t)i, src[4 * i + 1] = src[4 * i + 2] = 0, src[4 * i + 3] = 255;
  /* Source: 0 1 2 / 3 4 5. Expected output rows per orientation. */
  static const uint8_t want[9][6] = {{0},
                                     {0, 1, 2, 3, 4, 5},  /* 1 */
                                     {2, 1, 0, 5, 4, 3},  /* 2 mirrored */
                                     {5, 4, 3, 2, 1, 0},  /* 3 rotated 180 */
                                     {3, 4, 5, 0, 1, 2},  /* 4 flipped */
                                     {0, 3, 1, 4, 2, 5},  /* 5 transposed (2x3) */
                                     {3, 0, 4, 1, 5, 2},  /* 6 rotated 90 cw */
                                     {5, 2, 4, 1, 3, 0},  /* 7 transversed */
                                     {2, 5, 1, 4, 0, 3}}; /* 8 rotated 90 ccw */
  for (int o = 1; o <= 8; o++) {
    pa_image_orient(src, 3, 2, o, dst);
    for (int i = 0; i < 6; i++) CHECK(dst[4 * i] == want[o][i]);
  }
}

static void test_metadata_found(void) {
  size_t len;
  uint8_t *bytes = corpus("image-formats", "exif-gps.jpg", &len);
  if (!bytes) return;
  pa_image_info info;
  pa_error e;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
  unsigned all = PA_IMAGE_META_EXIF | PA_IMAGE_META_GPS | PA_IMAGE_META_XMP | PA_IMAGE_META_ICC |
                 PA_IMAGE_META_COMMENT | PA_IMAGE_META_TEXT;
  CHECK(info.metadata == all);
  CHECK(info.orientation == 6 && info.width == 48 && info.height == 64);
  char names[64];
  pa_image_metadata_names(info.metadata, names, sizeof names);
  CHECK(strcmp(names, "exif gps xmp icc comment text") == 0);
  pa_image_metadata_names(0, names, sizeof names);
  CHECK(strcmp(names, "none") == 0);
  free(bytes);
  bytes = corpus("image-formats", "exif-gps.png", &len);
  if (!bytes) return;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK);
  CHECK((info.metadata & (PA_IMAGE_META_EXIF | PA_IMAGE_META_GPS | PA_IMAGE_META_XMP)) ==
        (PA_IMAGE_META_EXIF | PA_IMAGE_META_GPS | PA_IMAGE_META_XMP));
  free(bytes);
}

static void test_decode_fit(void) {
  size_t len;
  uint8_t *bytes = corpus("image-formats", "plasma.jpg", &len); /* 96x64 */
  if (!bytes) return;
  pa_image img;
  pa_error e;
  static const int cases[][4] = {
      /* box w, h -> size: the smallest cover, aspect kept, never enlarged */
      {48, 0, 48, 32},    {0, 16, 24, 16}, {48, 48, 72, 48}, {60, 10, 60, 40},
      {200, 200, 96, 64}, {0, 0, 96, 64},  {96, 1, 96, 64},  {1, 1, 2, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK(pa_image_decode_fit(bytes, len, NULL, cases[i][0], cases[i][1], &img, &e) == PA_OK);
    if (img.width != cases[i][2] || img.height != cases[i][3])
      fprintf(stderr, "  box %dx%d gave %dx%d\n", cases[i][0], cases[i][1], img.width, img.height);
    CHECK(img.width == cases[i][2] && img.height == cases[i][3] && img.frames == 1);
    CHECK(img.rgba && img.rgba[3] == 255);
    pa_image_free(&img);
  }
  free(bytes);
  /* Alpha survives the RGB shortcut: a palette PNG with tRNS keeps it. */
  bytes = corpus("image-formats", "palette-trns.png", &len);
  if (!bytes) return;
  pa_image_info info;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK && info.channels == 4);
  CHECK(pa_image_decode_fit(bytes, len, NULL, 12, 12, &img, &e) == PA_OK);
  CHECK(img.rgba && img.rgba[3] == 0 && img.rgba[(6 * 12 + 6) * 4 + 3] == 255);
  pa_image_free(&img);
  free(bytes);
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

/* Inputs that crash Debian's stb_image unless we refuse them first
 * (out-of-bounds Huffman tables), or that its GIF frame loop reads out of
 * bounds on (restore-to-previous disposal: we decode it with our own loop). */
static void test_fuzzer_regressions(void) {
  const char *names[] = {"stb-dht-257-symbols.jpg", "stb-dht-cut-short.jpg"};
  for (size_t i = 0; i < 2; i++) {
    size_t len;
    pa_image img;
    pa_error e;
    uint8_t *bytes = corpus("image-regressions", names[i], &len);
    if (!bytes) continue;
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
    CHECK_CONTAINS(e.msg, "Huffman table");
    free(bytes);
  }
  size_t len;
  pa_image img;
  pa_error e;
  /* A scan using a Huffman table no DHT defined: stb reads garbage indices. */
  uint8_t *bytes = corpus("image-regressions", "stb-undefined-huffman.jpg", &len);
  if (bytes) {
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
    CHECK_CONTAINS(e.msg, "never defined");
    free(bytes);
  }
  /* An empty IDAT before any data: stb offsets a NULL buffer (UBSan). */
  bytes = corpus("image-regressions", "stb-png-empty-idat.png", &len);
  if (bytes) {
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_SYNTAX);
    CHECK_CONTAINS(e.msg, "empty IDAT");
    free(bytes);
  }
  /* An IDAT claiming 2 GB in a 4 KB file: stb would allocate it first. */
  bytes = corpus("image-regressions", "stb-png-huge-idat.png", &len);
  if (bytes) {
    CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_ERR_TRUNCATED);
    CHECK_CONTAINS(e.msg, "left in the file");
    free(bytes);
  }
  bytes = corpus("image-regressions", "stb-gif-dispose-previous.gif", &len);
  if (!bytes) return;
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK);
  CHECK(img.frames == 4);
  pa_image_free(&img);
  free(bytes);
}

int main(void) {
  RUN(test_png);
  RUN(test_jpeg);
  RUN(test_formats_match_imagemagick);
  RUN(test_gif_frames_and_delays);
  RUN(test_limits_refuse_before_decoding);
  RUN(test_header_claims_huge_size);
  RUN(test_unsupported_and_garbage);
  RUN(test_truncated_and_corrupted);
  RUN(test_bmp_structure);
  RUN(test_gif_structure);
  RUN(test_exif_orientations);
  RUN(test_orient_pixels);
  RUN(test_metadata_found);
  RUN(test_decode_fit);
  RUN(test_checksum);
  RUN(test_fuzzer_regressions);
  return pa_test_summary("image");
}
