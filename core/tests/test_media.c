/* Media beyond decoding: the EXIF parser, resizing, ThumbHash placeholders and
 * upload preparation (metadata stripped from the bytes that would be sent). */
#include "../src/media/exif.h"
#include "pa/pa_image.h"
#include "pa/pa_resize.h"
#include "pa/pa_thumbhash.h"
#include "pa/pa_upload.h"
#include "pa_native.h"
#include "pa_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int near(int a, int b, int tol) { return abs(a - b) <= tol; }

static uint8_t *corpus(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/image-formats/%s", PA_CORPUS_DIR, name);
  uint8_t *bytes = NULL;
  pa_error e;
  if (pa_native_read_file(path, 32u << 20, &bytes, len, &e) != PA_OK) {
    fprintf(stderr, "  missing %s: %s\n", path, e.msg);
    CHECK(!"corpus file missing");
  }
  return bytes;
}

static const uint8_t *find(const uint8_t *hay, size_t n, const void *needle, size_t m) {
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

/* ---- EXIF: TIFF blocks built by hand */

typedef struct tb {
  uint8_t b[512];
  int big;
} tb;

static void put16(tb *t, size_t at, unsigned v) {
  t->b[at + (t->big ? 0 : 1)] = (uint8_t)(v >> 8), t->b[at + (t->big ? 1 : 0)] = (uint8_t)v;
}
static void put32(tb *t, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) t->b[at + (size_t)(t->big ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}
/* Header, then IFD0 at 8 with the given entries (tag, type, value) and next. */
static void tiff(tb *t, int big, int n, const uint32_t (*entries)[3], uint32_t next) {
  memset(t->b, 0, sizeof t->b);
  t->big = big;
  t->b[0] = t->b[1] = big ? 'M' : 'I';
  put16(t, 2, 42);
  put32(t, 4, 8);
  put16(t, 8, (unsigned)n);
  for (int i = 0; i < n; i++) {
    size_t e = 10 + 12 * (size_t)i;
    put16(t, e, entries[i][0]);
    put16(t, e + 2, entries[i][1]);
    put32(t, e + 4, 1);
    if (entries[i][1] == 3)
      put16(t, e + 8, entries[i][2]);
    else
      put32(t, e + 8, entries[i][2]);
  }
  put32(t, 10 + 12 * (size_t)n, next);
}

static void test_exif_parser(void) {
  tb t;
  pa_exif x;
  pa_error e;
  const uint32_t orient6[][3] = {{0x0112, 3, 6}};
  for (int big = 0; big < 2; big++) {
    tiff(&t, big, 1, orient6, 0);
    CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_OK);
    CHECK(x.orientation == 6 && x.ifd0_ok && x.ifds == 1 && !x.gps);
  }
  const uint32_t as_long[][3] = {{0x0112, 4, 6}};
  tiff(&t, 0, 1, as_long, 0);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "orientation has type 4");
  CHECK(x.orientation == 1 && !x.ifd0_ok);
  const uint32_t nine[][3] = {{0x0112, 3, 9}};
  tiff(&t, 1, 1, nine, 0);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "orientation 9 is not 1-8");
  /* Offsets outside the block, entries overrunning it. */
  tiff(&t, 0, 1, orient6, 0);
  put32(&t, 4, 0xfffffff0u);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "IFD0 offset 4294967280 is outside the 26-byte block");
  tiff(&t, 0, 1, orient6, 0);
  put16(&t, 8, 500);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "IFD0 of 500 entries overruns");
  CHECK(pa_exif_parse(t.b, 25, &x, &e) != PA_OK); /* the next-IFD offset cut off */
  CHECK(pa_exif_parse(t.b, 7, &x, &e) == PA_ERR_TRUNCATED);
  /* A chain looping back to IFD0: refused, orientation from IFD0 kept. */
  tiff(&t, 1, 1, orient6, 8);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "IFD1 at offset 8 was already read (a loop)");
  CHECK(x.orientation == 6 && x.ifd0_ok);
  /* GPS: a pointer to an IFD with entries; and one pointing back at IFD0. */
  const uint32_t gps[][3] = {{0x0112, 3, 3}, {0x8825, 4, 40}};
  tiff(&t, 0, 2, gps, 0);
  put16(&t, 40, 2); /* GPS IFD: two entries, zeros */
  CHECK(pa_exif_parse(t.b, 70, &x, &e) == PA_OK);
  CHECK(x.gps && x.orientation == 3 && x.ifds == 2);
  const uint32_t gps_loop[][3] = {{0x8825, 4, 8}};
  tiff(&t, 0, 1, gps_loop, 0);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "GPS IFD at offset 8 was already read");
  /* A chain of more than 8 IFDs. */
  tiff(&t, 0, 0, NULL, 20);
  for (uint32_t k = 0; k < 12; k++) {
    put16(&t, 20 + 8 * k, 0);
    put32(&t, 22 + 8 * k, 28 + 8 * k);
  }
  CHECK(pa_exif_parse(t.b, 200, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "more than 8 IFDs");
  memcpy(t.b, "XX", 2);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  tiff(&t, 0, 1, orient6, 0);
  put16(&t, 2, 43);
  CHECK(pa_exif_parse(t.b, 26, &x, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "TIFF magic is 43");
}

/* Damaged EXIF in a real photo: the image still decodes; orientation is
 * applied only from an IFD0 read whole. */
static void test_exif_damage_in_jpeg(void) {
  size_t len;
  uint8_t *bytes = corpus("orient-6.jpg", &len);
  if (!bytes) return;
  uint8_t *tiff_at = (uint8_t *)find(bytes, len, "Exif\0\0", 6);
  CHECK(tiff_at != NULL);
  if (!tiff_at) return free(bytes);
  tiff_at += 6;
  CHECK(tiff_at[0] == 'I');
  uint32_t ifd0 = tiff_at[4] | (uint32_t)tiff_at[5] << 8;
  unsigned count = tiff_at[ifd0] | (unsigned)tiff_at[ifd0 + 1] << 8;
  uint8_t *next = tiff_at + ifd0 + 2 + 12 * count;
  pa_image_info info;
  pa_error e;
  /* IFD1 -> IFD0: a loop after IFD0, which stays trusted. */
  memcpy(next, (uint8_t[]){(uint8_t)ifd0, 0, 0, 0}, 4);
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK && info.orientation == 6 &&
        info.width == 48);
  /* IFD0 itself outside the block: no orientation, still an image. */
  tiff_at[4] = tiff_at[5] = 0xff;
  CHECK(pa_image_probe(bytes, len, &info, &e) == PA_OK && info.orientation == 1 &&
        info.width == 32);
  pa_image img;
  CHECK(pa_image_decode(bytes, len, NULL, &img, &e) == PA_OK && img.width == 32 &&
        img.height == 48);
  pa_image_free(&img);
  free(bytes);
}

/* ---- resize */

static void test_resize(void) {
  enum { N = 64 };
  static uint8_t src[N * N * 4 + 4096], dst[N * N * 4];
  pa_error e;
  /* A flat colour stays flat. */
  for (int i = 0; i < N * N; i++) memcpy(src + 3 * i, (uint8_t[]){200, 100, 50}, 3);
  CHECK(pa_resize_pixels(src, N, N, 3, dst, 17, 13, &e) == PA_OK);
  int flat = 1;
  for (int i = 0; i < 17 * 13; i++)
    flat &= near(dst[3 * i], 200, 1) && near(dst[3 * i + 1], 100, 1) && near(dst[3 * i + 2], 50, 1);
  CHECK(flat);
  /* Every grey level survives a 2x block average of itself (the sRGB tables round trip). */
  for (int x = 0; x < 512; x++)
    memset(src + 3 * x, x / 2, 3), memset(src + 3 * (512 + x), x / 2, 3);
  CHECK(pa_resize_pixels(src, 512, 2, 3, dst, 256, 1, &e) == PA_OK);
  int levels = 1;
  for (int v = 0; v < 256; v++) levels &= dst[3 * v] == v && dst[3 * v + 2] == v;
  CHECK(levels);
  /* Linear light: a black/white pixel checkerboard halves to sRGB 188 (half
   * the light), not 128 (half the encoded value). */
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++) memset(src + 3 * (y * N + x), (x + y) % 2 ? 255 : 0, 3);
  CHECK(pa_resize_pixels(src, N, N, 3, dst, N / 2, N / 2, &e) == PA_OK);
  int mid = dst[3 * ((N / 4) * (N / 2) + N / 4)];
  if (!near(mid, 188, 6)) fprintf(stderr, "  checkerboard mid grey %d\n", mid);
  CHECK(near(mid, 188, 6));
  /* Alpha-weighted: a transparent red half must not tint the opaque blue one. */
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++)
      memcpy(src + 4 * (y * N + x),
             x < N / 2 ? (uint8_t[]){255, 0, 0, 0} : (uint8_t[]){0, 0, 255, 255}, 4);
  CHECK(pa_resize_pixels(src, N, N, 4, dst, 8, 8, &e) == PA_OK);
  int clean = 1;
  for (int i = 0; i < 64; i++)
    if (dst[4 * i + 3] > 0) clean &= dst[4 * i] <= 2 && dst[4 * i + 2] >= 250;
  CHECK(clean);
  CHECK(dst[3] == 0 && dst[7 * 4 + 3] == 255);
  /* Opaque 4-byte pixels: the 4th byte is ignored (no weighting) and comes out 255. */
  CHECK(pa_resize_rgbx(src, N, N, dst, 8, 8, &e) == PA_OK);
  CHECK(dst[3] == 255 && dst[0] == 255 && dst[7 * 4 + 2] == 255 && dst[7 * 4 + 3] == 255);
  CHECK(pa_resize_rgbx(src, N, N, dst, 40, 40, &e) == PA_OK && dst[3] == 255);
  CHECK(pa_resize_pixels(src, N, N, 2, dst, 8, 8, &e) == PA_ERR_ARG);
  CHECK(pa_resize_pixels(src, 0, N, 4, dst, 8, 8, &e) == PA_ERR_ARG);
  CHECK(pa_resize_pixels(NULL, N, N, 4, dst, 8, 8, &e) == PA_ERR_ARG);

  int w, h;
  pa_resize_cover(1080, 1350, 540, 0, &w, &h);
  CHECK(w == 540 && h == 675);
  pa_resize_cover(1080, 1350, 500, 500, &w, &h);
  CHECK(w == 500 && h == 625);
  pa_resize_cover(3000, 2000, 2048, 0, &w, &h);
  CHECK(w == 2048 && h == 1366); /* rounded up: the box stays covered */
  pa_resize_cover(100, 50, 400, 10, &w, &h);
  CHECK(w == 100 && h == 50); /* never enlarged */
  pa_resize_fit(3000, 2000, 100, &w, &h);
  CHECK(w == 100 && h == 67);
  pa_resize_fit(1, 5000, 100, &w, &h);
  CHECK(w == 1 && h == 100);
  pa_resize_fit(80, 60, 100, &w, &h);
  CHECK(w == 80 && h == 60);
}

/* The core's own SIMD resampler against the reference it replaced: the
 * block average (the core's, exact ratios) followed by stb_image_resize v1's
 * Mitchell in linear light. A photo-like image (gradients, noise, hard edges),
 * opaque and with alpha, at the feed's ratios and beyond. */
static void fill_photo(uint8_t *px, int w, int h, int ch, int with_alpha) {
  uint32_t seed = 12345;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * (size_t)ch;
      seed = seed * 1103515245u + 12345u;
      int noise = (int)(seed >> 27) - 16; /* fine detail, like fur */
      int r = x * 255 / w + noise, g = y * 255 / h + noise, b = ((x / 37 + y / 53) % 2) * 200 + 20;
      if ((x - w / 2) * (x - w / 2) + (y - h / 3) * (y - h / 3) < (w / 5) * (w / 5))
        r = g = b = 250;
      p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
      p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
      p[2] = (uint8_t)b;
      if (ch == 4)
        p[3] = with_alpha ? (uint8_t)(x < w / 4 ? 0 : x < w / 2 ? (x * 7 + y) % 256 : 255) : 77;
    }
}

/* The mipmap step of the reference, in doubles with the sRGB formula: kx x ky
 * blocks averaged in linear light (alpha-weighted), rounded to 8 bits. */
static double srgb_to_linear(double v) {
  v /= 255;
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static uint8_t linear_to_srgb(double l) {
  double v = l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055;
  v = v * 255 + 0.5;
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void reference_box(const uint8_t *src, int sw, int sh, int ch, int alpha, int kx, int ky,
                          uint8_t *dst) {
  int mw = (sw + kx - 1) / kx, mh = (sh + ky - 1) / ky;
  for (int my = 0; my < mh; my++)
    for (int mx = 0; mx < mw; mx++) {
      double sum[3] = {0}, wsum = 0, n = 0;
      for (int y = my * ky; y < my * ky + ky && y < sh; y++)
        for (int x = mx * kx; x < mx * kx + kx && x < sw; x++) {
          const uint8_t *p = src + ((size_t)y * (size_t)sw + (size_t)x) * (size_t)ch;
          double w = alpha ? p[3] : 1;
          for (int c = 0; c < 3; c++) sum[c] += srgb_to_linear(p[c]) * w;
          wsum += w, n++;
        }
      uint8_t *o = dst + ((size_t)my * (size_t)mw + (size_t)mx) * (size_t)ch;
      for (int c = 0; c < 3; c++) o[c] = wsum > 0 ? linear_to_srgb(sum[c] / wsum) : 0;
      if (ch == 4) o[3] = (uint8_t)(alpha ? wsum / n + 0.5 : 255);
    }
}

/* What the core did before its own resampler: the block average, then (for
 * what remains of the ratio) stb_image_resize v1. */
static int reference_resize(const uint8_t *src, int sw, int sh, int ch, int alpha, uint8_t *dst,
                            int dw, int dh) {
  int kx = sw / dw > 1 ? sw / dw : 1, ky = sh / dh > 1 ? sh / dh : 1;
  if (kx == 1 && ky == 1) return pa_native_stb_resize(src, sw, sh, dst, dw, dh, ch, alpha);
  int mw = (sw + kx - 1) / kx, mh = (sh + ky - 1) / ky;
  if (mw == dw && mh == dh) return reference_box(src, sw, sh, ch, alpha, kx, ky, dst), 1;
  uint8_t *mid = malloc((size_t)mw * (size_t)mh * (size_t)ch);
  if (mid) reference_box(src, sw, sh, ch, alpha, kx, ky, mid);
  int ok = mid && pa_native_stb_resize(mid, mw, mh, dst, dw, dh, ch, alpha);
  free(mid);
  return ok;
}

static void test_resize_matches_reference(void) {
  enum { SW = 1080, SH = 1350 };
  /* 568: a ratio of 1.9, no block step: 8 or more taps a side (resize.c's longest paths). */
  static const int sizes[][2] = {{956, 1195},  {478, 598}, {540, 676}, {720, 900}, {300, 375},
                                 {1000, 1250}, {361, 451}, {120, 150}, {33, 41},   {568, 710}};
  uint8_t *src = malloc((size_t)SW * SH * 4), *ours = malloc((size_t)SW * SH * 4),
          *ref = malloc((size_t)SW * SH * 4);
  CHECK(src && ours && ref);
  pa_error e;
  for (int mode = 0; mode < 3; mode++) { /* RGB, opaque RGBX, RGBA with alpha */
    int ch = mode == 0 ? 3 : 4, alpha = mode == 2;
    fill_photo(src, SW, SH, ch, alpha);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      int dw = sizes[k][0], dh = sizes[k][1];
      CHECK((mode == 1 ? pa_resize_rgbx(src, SW, SH, ours, dw, dh, &e)
                       : pa_resize_pixels(src, SW, SH, ch, ours, dw, dh, &e)) == PA_OK);
      CHECK(reference_resize(src, SW, SH, ch, alpha, ref, dw, dh));
      double sum = 0;
      int worst = 0, n = 0;
      for (int i = 0; i < dw * dh; i++) {
        const uint8_t *a = ours + (size_t)i * (size_t)ch, *b = ref + (size_t)i * (size_t)ch;
        int visible = ch == 3 || !alpha || b[3] >= 64; /* colour under near-zero alpha is noise */
        for (int c = 0; c < (alpha ? 4 : 3); c++) {
          if (c < 3 && !visible) continue;
          int d = abs(a[c] - b[c]);
          sum += d, n++;
          if (d > worst) worst = d;
        }
        if (ch == 4 && !alpha && a[3] != 255) worst = 999;
      }
      double mean = sum / (n ? n : 1);
      if (mean > 0.25 || worst > 2)
        fprintf(stderr, "  %s %dx%d: mean |diff| %.3f, max %d\n",
                mode == 0   ? "rgb"
                : mode == 1 ? "rgbx"
                            : "rgba",
                dw, dh, mean, worst);
      CHECK(mean <= 0.25 && worst <= 2);
    }
  }
  /* Enlarging (the CLI's image-resize allows it) and degenerate sizes. */
  fill_photo(src, 64, 48, 4, 1);
  CHECK(pa_resize_pixels(src, 64, 48, 4, ours, 100, 75, &e) == PA_OK);
  CHECK(pa_native_stb_resize(src, 64, 48, ref, 100, 75, 4, 1));
  int close = 1;
  for (int i = 0; i < 100 * 75; i++)
    if (ref[4 * i + 3] >= 64)
      for (int c = 0; c < 4; c++) close &= near(ours[4 * i + c], ref[4 * i + c], 8);
  CHECK(close);
  CHECK(pa_resize_pixels(src, 64, 48, 4, ours, 1, 1, &e) == PA_OK);
  CHECK(pa_resize_pixels(src, 1, 1, 4, ours, 7, 3, &e) == PA_OK && ours[4 * 20 + 3] == src[3]);
  free(src), free(ours), free(ref);
}

/* ---- ThumbHash */

/* Mean alpha, and mean colour weighted by alpha (a transparent pixel's colour is free). */
static void mean_rgba(const uint8_t *px, int w, int h, double m[4]) {
  memset(m, 0, 4 * sizeof *m);
  for (int i = 0; i < w * h; i++) {
    for (int c = 0; c < 3; c++) m[c] += px[4 * i + c] * (double)px[4 * i + 3];
    m[3] += px[4 * i + 3];
  }
  for (int c = 0; c < 3; c++) m[c] = m[3] > 0 ? m[c] / m[3] : 0;
  m[3] /= (double)w * h;
}

/* Hashes a corpus image and checks the placeholder against it. */
static void check_round_trip(const char *name, int tol, int want_alpha) {
  size_t len, hl;
  uint8_t *bytes = corpus(name, &len);
  if (!bytes) return;
  pa_image img;
  pa_error e;
  uint8_t hash[PA_THUMBHASH_MAX], again[PA_THUMBHASH_MAX];
  uint8_t px[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4];
  CHECK(pa_image_decode_fit(bytes, len, NULL, 0, 0, &img, &e) == PA_OK);
  free(bytes);
  CHECK(pa_thumbhash_from_rgba(img.rgba, img.width, img.height, hash, &hl, &e) == PA_OK);
  CHECK(hl >= 5 && hl <= PA_THUMBHASH_MAX);
  CHECK(((hash[2] & 0x80) != 0) == want_alpha);
  size_t hl2;
  CHECK(pa_thumbhash_from_rgba(img.rgba, img.width, img.height, again, &hl2, &e) == PA_OK);
  CHECK(hl2 == hl && memcmp(hash, again, hl) == 0); /* deterministic */
  int pw, ph;
  CHECK(pa_thumbhash_decode(hash, hl, px, &pw, &ph, &e) == PA_OK);
  CHECK((pw == PA_THUMBHASH_SIDE) != (ph == PA_THUMBHASH_SIDE) || pw == ph);
  /* Aspect kept (the hash stores it in 1/7 steps of the longer side). */
  double want = (double)img.width / img.height, got = (double)pw / ph;
  if (fabs(got - want) / want > 0.2) fprintf(stderr, "  %s aspect %.3f vs %.3f\n", name, got, want);
  CHECK(fabs(got - want) / want <= 0.2);
  /* Mean colour (alpha-weighted for colour) within tolerance. */
  double mi[4], mp[4];
  mean_rgba(img.rgba, img.width, img.height, mi);
  mean_rgba(px, pw, ph, mp);
  for (int c = 0; c < 4; c++) {
    if (!near((int)mi[c], (int)mp[c], tol))
      fprintf(stderr, "  %s channel %d: %.1f vs %.1f\n", name, c, mi[c], mp[c]);
    CHECK(near((int)mi[c], (int)mp[c], tol));
  }
  uint8_t avg[4];
  CHECK(pa_thumbhash_average(hash, hl, avg, &e) == PA_OK);
  if (!want_alpha)
    for (int c = 0; c < 3; c++) CHECK(near(avg[c], (int)mi[c], tol));
  pa_image_free(&img);
}

static void test_thumbhash_round_trip(void) {
  check_round_trip("plasma.jpg", 10, 0);
  check_round_trip("exif-gps.jpg", 10, 0); /* portrait, after orientation */
  check_round_trip("progressive.jpg", 10, 0);
  check_round_trip("bmp24.bmp", 10, 0);
  check_round_trip("alpha.png", 12, 1); /* alpha kept */
  check_round_trip("palette-trns.png", 16, 1);
}

static void test_thumbhash_flat_and_format(void) {
  uint8_t px[10 * 10 * 4], out[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4], hash[PA_THUMBHASH_MAX];
  size_t hl;
  int w, h;
  pa_error e;
  for (int i = 0; i < 100; i++) memcpy(px + 4 * i, (uint8_t[]){30, 120, 200, 255}, 4);
  CHECK(pa_thumbhash_encode(px, 10, 10, hash, &hl, &e) == PA_OK);
  CHECK(pa_thumbhash_decode(hash, hl, out, &w, &h, &e) == PA_OK && w == 32 && h == 32);
  int flat = 1;
  for (int i = 0; i < w * h; i++)
    flat &= near(out[4 * i], 30, 6) && near(out[4 * i + 1], 120, 6) &&
            near(out[4 * i + 2], 200, 6) && out[4 * i + 3] == 255;
  CHECK(flat);
  /* Sizes: 1-100 a side for encode. */
  CHECK(pa_thumbhash_encode(px, 101, 1, hash, &hl, &e) == PA_ERR_ARG);
  CHECK(pa_thumbhash_encode(px, 0, 1, hash, &hl, &e) == PA_ERR_ARG);
  /* Base64 both ways; damaged text and hashes are refused. */
  CHECK(pa_thumbhash_encode(px, 10, 10, hash, &hl, &e) == PA_OK);
  char text[PA_THUMBHASH_TEXT_MAX];
  size_t n = pa_thumbhash_to_base64(hash, hl, text, sizeof text);
  CHECK(n == strlen(text) && n == (hl + 2) / 3 * 4);
  uint8_t back[PA_THUMBHASH_MAX];
  size_t bl;
  CHECK(pa_thumbhash_from_base64(text, back, &bl, &e) == PA_OK && bl == hl &&
        !memcmp(back, hash, hl));
  CHECK(pa_thumbhash_from_base64("abc", back, &bl, &e) == PA_ERR_SYNTAX);
  CHECK(pa_thumbhash_from_base64("ab=c", back, &bl, &e) == PA_ERR_SYNTAX);
  CHECK(pa_thumbhash_from_base64("a!cd", back, &bl, &e) == PA_ERR_SYNTAX);
  CHECK(pa_thumbhash_from_base64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", back, &bl, &e) ==
        PA_ERR_TOO_LARGE);
  CHECK(pa_thumbhash_decode(hash, hl - 1, out, &w, &h, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_thumbhash_decode(hash, 4, out, &w, &h, &e) == PA_ERR_TRUNCATED);
  uint8_t zero_side[PA_THUMBHASH_MAX];
  memcpy(zero_side, hash, hl);
  zero_side[3] &= 0xf8, zero_side[4] &= 0x7f; /* portrait with 0 terms across */
  CHECK(pa_thumbhash_decode(zero_side, hl, out, &w, &h, &e) == PA_ERR_SYNTAX);
  char line[256];
  CHECK(pa_thumbhash_describe(hash, hl, line, sizeof line, &e) > 0);
  CHECK_CONTAINS(line, "placeholder 32x32 checksum ");
  unsigned ar, ag, ab, aa;
  const char *avg = strstr(line, "average #");
  CHECK(avg && sscanf(avg, "average #%02x%02x%02x%02x", &ar, &ag, &ab, &aa) == 4);
  if (avg)
    CHECK(near((int)ar, 30, 4) && near((int)ag, 120, 4) && near((int)ab, 200, 4) && aa == 255);
}

/* ---- uploads */

/* The JPEG markers before the first scan, as a string of hex bytes. */
static void jpeg_markers(const uint8_t *b, size_t len, char *out, size_t cap) {
  size_t at = 2, n = 0;
  out[0] = '\0';
  while (at + 4 <= len && b[at] == 0xff && b[at + 1] != 0xda) {
    n += (size_t)snprintf(out + n, cap - n, "%02x ", b[at + 1]);
    at += 2 + ((size_t)b[at + 2] << 8 | b[at + 3]);
  }
}

static void check_no_metadata(const pa_upload *up) {
  static const char *secrets[] = {"Exif",
                                  "GPS",
                                  "http://ns.adobe.com",
                                  "ICC_PROFILE",
                                  "Photoshop",
                                  "PetPhone",
                                  "SN123456",
                                  "Paris",
                                  "Rex at the tower",
                                  "home sweet home",
                                  "eXIf",
                                  "tEXt",
                                  "iTXt",
                                  "zTXt",
                                  "iCCP"};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
    if (find(up->bytes, up->len, secrets[i], strlen(secrets[i])))
      fprintf(stderr, "  upload carries \"%s\"\n", secrets[i]);
    CHECK(!find(up->bytes, up->len, secrets[i], strlen(secrets[i])));
  }
  pa_image_info info;
  pa_error e;
  CHECK(pa_image_probe(up->bytes, up->len, &info, &e) == PA_OK);
  CHECK(info.metadata == 0 && info.orientation == 1 && info.width == up->width &&
        info.height == up->height);
  if (up->format == PA_IMAGE_JPEG) {
    char markers[256];
    jpeg_markers(up->bytes, up->len, markers, sizeof markers);
    /* SOI, then only JFIF, tables and the frame: no APP1-15, no COM. */
    CHECK(strcmp(markers, "e0 db c0 c4 ") == 0 || strcmp(markers, "db c0 c4 ") == 0);
    if (strcmp(markers, "e0 db c0 c4 ") && strcmp(markers, "db c0 c4 "))
      fprintf(stderr, "  markers %s\n", markers);
  } else {
    /* PNG: IHDR, IDATs, IEND and nothing else. */
    size_t at = 8;
    int other = 0;
    while (at + 12 <= up->len) {
      uint32_t n = (uint32_t)up->bytes[at] << 24 | (uint32_t)up->bytes[at + 1] << 16 |
                   (uint32_t)up->bytes[at + 2] << 8 | up->bytes[at + 3];
      const uint8_t *t = up->bytes + at + 4;
      other |= memcmp(t, "IHDR", 4) && memcmp(t, "IDAT", 4) && memcmp(t, "IEND", 4);
      at += 12 + n;
    }
    CHECK(!other && at == up->len);
  }
}

static void test_upload_strips_metadata(void) {
  size_t len;
  uint8_t *bytes = corpus("exif-gps.jpg", &len);
  if (!bytes) return;
  CHECK(find(bytes, len, "SN123456", 8) &&
        find(bytes, len, "ICC_PROFILE", 11)); /* the source has it all */
  pa_upload up;
  pa_error e;
  CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
  free(bytes);
  CHECK(up.format == PA_IMAGE_JPEG && up.width == 48 && up.height == 64); /* upright */
  CHECK(up.source_metadata == (PA_IMAGE_META_EXIF | PA_IMAGE_META_GPS | PA_IMAGE_META_XMP |
                               PA_IMAGE_META_ICC | PA_IMAGE_META_COMMENT | PA_IMAGE_META_TEXT));
  check_no_metadata(&up);
  char line[256];
  pa_upload_describe(&up, line, sizeof line);
  CHECK_CONTAINS(line, "jpeg 48x64 ");
  CHECK_CONTAINS(line, " source-frames 1 source-metadata exif gps xmp icc comment text\n");
  pa_upload_free(&up);
  CHECK(up.bytes == NULL);

  bytes = corpus("exif-gps.png", &len);
  if (!bytes) return;
  CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
  CHECK(up.format == PA_IMAGE_JPEG && (up.source_metadata & PA_IMAGE_META_GPS));
  check_no_metadata(&up);
  pa_upload_free(&up);
  free(bytes);
}

static void test_upload_orientation_baked(void) {
  static const uint8_t quadrant[4][3] = {
      {220, 40, 40}, {40, 200, 60}, {40, 60, 220}, {240, 220, 40}};
  for (int o = 1; o <= 8; o++) {
    char name[32];
    snprintf(name, sizeof name, "orient-%d.jpg", o);
    size_t len;
    uint8_t *bytes = corpus(name, &len);
    if (!bytes) continue;
    pa_upload up;
    pa_image img;
    pa_error e;
    CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
    free(bytes);
    check_no_metadata(&up);
    CHECK(pa_image_decode(up.bytes, up.len, NULL, &img, &e) == PA_OK);
    CHECK(img.width == 48 && img.height == 32);
    for (int q = 0; q < 4 && img.width == 48; q++) {
      const uint8_t *p =
          img.rgba + ((size_t)((q / 2) * 16 + 8) * 48 + (size_t)((q % 2) * 24 + 12)) * 4;
      CHECK(near(p[0], quadrant[q][0], 10) && near(p[1], quadrant[q][1], 10) &&
            near(p[2], quadrant[q][2], 10));
    }
    pa_image_free(&img);
    pa_upload_free(&up);
  }
}

static void test_upload_sizes_and_formats(void) {
  pa_upload up;
  pa_error e;
  size_t len;
  uint8_t *bytes = pa_test_encode(0, 3000, 1000, &len);
  CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
  CHECK(up.width == 2048 && up.height == 683 && up.format == PA_IMAGE_JPEG);
  pa_upload_free(&up);
  pa_upload_options small = {100, 70};
  CHECK(pa_upload_prepare(bytes, len, NULL, &small, &up, &e) == PA_OK);
  CHECK(up.width == 100 && up.height == 34);
  pa_upload_free(&up);
  pa_upload_options bad = {8, 85};
  CHECK(pa_upload_prepare(bytes, len, NULL, &bad, &up, &e) == PA_ERR_ARG);
  CHECK_CONTAINS(e.msg, "max edge 8");
  bad = (pa_upload_options){2048, 0};
  CHECK(pa_upload_prepare(bytes, len, NULL, &bad, &up, &e) == PA_ERR_ARG);
  free(bytes);

  /* Transparency: PNG. */
  bytes = corpus("alpha.png", &len);
  if (bytes) {
    CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
    CHECK(up.format == PA_IMAGE_PNG && up.width == 48 && up.height == 40 &&
          (up.thumbhash[2] & 0x80));
    check_no_metadata(&up);
    pa_upload_free(&up);
    free(bytes);
  }
  /* An animation keeps its first frame. */
  bytes = corpus("anim.gif", &len);
  if (bytes) {
    pa_image img;
    CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_OK);
    CHECK(up.source_frames == 3 && up.format == PA_IMAGE_JPEG);
    CHECK(pa_image_decode(up.bytes, up.len, NULL, &img, &e) == PA_OK);
    CHECK(img.rgba && near(img.rgba[0], 0xe0, 8) && near(img.rgba[1], 0x28, 8));
    pa_image_free(&img);
    pa_upload_free(&up);
    free(bytes);
  }
  /* WebP: the core refuses; the shell hands the browser's pixels instead. */
  bytes = corpus("photo.webp", &len);
  if (bytes) {
    CHECK(pa_upload_prepare(bytes, len, NULL, NULL, &up, &e) == PA_ERR_UNSUPPORTED);
    CHECK_CONTAINS(e.msg, "WebP is not supported by the core");
    free(bytes);
  }
  uint8_t *px = malloc(3000 * 20 * 4);
  for (int i = 0; i < 3000 * 20; i++) memcpy(px + 4 * i, (uint8_t[]){10, 20, 30, 255}, 4);
  CHECK(pa_upload_prepare_rgba(px, 3000, 20, NULL, &up, &e) == PA_OK);
  CHECK(up.format == PA_IMAGE_JPEG && up.width == 2048 && up.height == 14);
  check_no_metadata(&up);
  pa_upload_free(&up);
  px[3] = 0;
  CHECK(pa_upload_prepare_rgba(px, 30, 20, NULL, &up, &e) == PA_OK && up.format == PA_IMAGE_PNG);
  pa_upload_free(&up);
  CHECK(pa_upload_prepare_rgba(px, 0, 20, NULL, &up, &e) == PA_ERR_ARG);
  free(px);
}

int main(void) {
  RUN(test_exif_parser);
  RUN(test_exif_damage_in_jpeg);
  RUN(test_resize);
  RUN(test_resize_matches_reference);
  RUN(test_thumbhash_round_trip);
  RUN(test_thumbhash_flat_and_format);
  RUN(test_upload_strips_metadata);
  RUN(test_upload_orientation_baked);
  RUN(test_upload_sizes_and_formats);
  return pa_test_summary("media");
}
