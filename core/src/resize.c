#include "image_stb.h"
#include "pa/pa_resize.h"

#include <stdlib.h>
#include <string.h>

/* sRGB (IEC 61966-2-1) 8-bit value -> linear light in 0..65535, rounded. */
static const uint16_t LIN[256] = {
    0,     20,    40,    60,    80,    99,    119,   139,   159,   179,   199,   219,   241,
    264,   288,   313,   340,   367,   396,   427,   458,   491,   526,   562,   599,   637,
    677,   718,   761,   805,   851,   898,   947,   997,   1048,  1101,  1156,  1212,  1270,
    1330,  1391,  1453,  1517,  1583,  1651,  1720,  1790,  1863,  1937,  2013,  2090,  2170,
    2250,  2333,  2418,  2504,  2592,  2681,  2773,  2866,  2961,  3058,  3157,  3258,  3360,
    3464,  3570,  3678,  3788,  3900,  4014,  4129,  4247,  4366,  4488,  4611,  4736,  4864,
    4993,  5124,  5257,  5392,  5530,  5669,  5810,  5953,  6099,  6246,  6395,  6547,  6700,
    6856,  7014,  7174,  7335,  7500,  7666,  7834,  8004,  8177,  8352,  8528,  8708,  8889,
    9072,  9258,  9445,  9635,  9828,  10022, 10219, 10417, 10619, 10822, 11028, 11235, 11446,
    11658, 11873, 12090, 12309, 12530, 12754, 12980, 13209, 13440, 13673, 13909, 14146, 14387,
    14629, 14874, 15122, 15371, 15623, 15878, 16135, 16394, 16656, 16920, 17187, 17456, 17727,
    18001, 18277, 18556, 18837, 19121, 19407, 19696, 19987, 20281, 20577, 20876, 21177, 21481,
    21787, 22096, 22407, 22721, 23038, 23357, 23678, 24002, 24329, 24658, 24990, 25325, 25662,
    26001, 26344, 26688, 27036, 27386, 27739, 28094, 28452, 28813, 29176, 29542, 29911, 30282,
    30656, 31033, 31412, 31794, 32179, 32567, 32957, 33350, 33745, 34143, 34544, 34948, 35355,
    35764, 36176, 36591, 37008, 37429, 37852, 38278, 38706, 39138, 39572, 40009, 40449, 40891,
    41337, 41785, 42236, 42690, 43147, 43606, 44069, 44534, 45002, 45473, 45947, 46423, 46903,
    47385, 47871, 48359, 48850, 49344, 49841, 50341, 50844, 51349, 51858, 52369, 52884, 53401,
    53921, 54445, 54971, 55500, 56032, 56567, 57105, 57646, 58190, 58737, 59287, 59840, 60396,
    60955, 61517, 62082, 62650, 63221, 63795, 64372, 64952, 65535,
};

/* THR[v]: the linear value where sRGB v - 0.5 lies; a linear x encodes as the
 * largest v with THR[v] <= x (LIN[v] always falls inside its own step). Both
 * tables are fixed numbers, not pow() at run time, so every platform agrees. */
static const uint16_t THR[256] = {
    0,     10,    30,    50,    70,    90,    109,   129,   149,   169,   189,   209,   230,
    252,   276,   300,   326,   353,   382,   411,   442,   475,   508,   543,   580,   618,
    657,   697,   739,   783,   828,   874,   922,   971,   1022,  1075,  1129,  1184,  1241,
    1300,  1360,  1422,  1485,  1550,  1617,  1685,  1755,  1826,  1900,  1975,  2051,  2130,
    2210,  2292,  2375,  2460,  2547,  2636,  2727,  2819,  2914,  3010,  3107,  3207,  3309,
    3412,  3517,  3624,  3733,  3844,  3957,  4071,  4188,  4306,  4427,  4549,  4673,  4800,
    4928,  5058,  5190,  5325,  5461,  5599,  5739,  5881,  6026,  6172,  6320,  6471,  6623,
    6778,  6935,  7093,  7254,  7417,  7582,  7750,  7919,  8090,  8264,  8440,  8618,  8798,
    8980,  9165,  9351,  9540,  9731,  9925,  10120, 10318, 10518, 10720, 10924, 11131, 11340,
    11551, 11765, 11981, 12199, 12419, 12642, 12867, 13094, 13324, 13556, 13790, 14027, 14266,
    14508, 14751, 14998, 15246, 15497, 15750, 16006, 16264, 16525, 16788, 17053, 17321, 17591,
    17864, 18139, 18416, 18696, 18979, 19264, 19551, 19841, 20134, 20429, 20726, 21026, 21329,
    21634, 21941, 22251, 22564, 22879, 23197, 23517, 23840, 24165, 24493, 24824, 25157, 25493,
    25831, 26172, 26516, 26862, 27211, 27562, 27916, 28273, 28632, 28994, 29359, 29726, 30096,
    30469, 30844, 31222, 31603, 31986, 32372, 32761, 33153, 33547, 33944, 34344, 34746, 35151,
    35559, 35970, 36383, 36799, 37218, 37640, 38064, 38492, 38922, 39354, 39790, 40228, 40670,
    41114, 41560, 42010, 42463, 42918, 43376, 43837, 44301, 44768, 45237, 45709, 46185, 46663,
    47144, 47628, 48114, 48604, 49097, 49592, 50091, 50592, 51096, 51603, 52113, 52626, 53142,
    53661, 54183, 54707, 55235, 55766, 56299, 56836, 57375, 57918, 58463, 59012, 59563, 60118,
    60675, 61235, 61799, 62365, 62935, 63507, 64083, 64661, 65243,
};

/* Linear -> sRGB through a 4096-entry index into THR, built per call (no
 * mutable globals). Thresholds lie at least 20 apart past the first (10), so a
 * 16-wide bucket holds at most one: one compare, no branch to mispredict. */
typedef struct encoder {
  uint8_t start[4096]; /* the code at the bucket's first value */
  uint32_t edge[4096]; /* where the next code begins (65536: never) */
} encoder;

static void encoder_init(encoder *e) {
  int v = 0;
  for (int i = 0; i < 4096; i++) {
    while (v < 255 && THR[v + 1] <= i * 16) v++;
    e->start[i] = (uint8_t)v;
    e->edge[i] = v < 255 ? THR[v + 1] : 65536;
  }
}

static uint8_t encode(const encoder *e, uint32_t x) {
  uint32_t i = x >> 4;
  return (uint8_t)(e->start[i] + (x >= e->edge[i]));
}

/* Area average over kx x ky blocks in linear light (alpha-weighted for RGBA),
 * in integers: dst is ceil(sw / kx) x ceil(sh / ky); edge blocks average what
 * they have. This is the mipmap step: exact for integer ratios, and it leaves
 * stb_image_resize a ratio under 2, where its filter is cheap. */
static pa_status box_reduce(const uint8_t *src, int sw, int sh, int ch, int och, int weighted,
                            int kx, int ky, uint8_t *dst, int dw, int dh, pa_error *err) {
  uint64_t *acc = malloc((size_t)dw * 4 * sizeof *acc); /* per block: colour sums, alpha sum */
  encoder *enc = malloc(sizeof *enc);
  if (!acc || !enc) {
    free(acc), free(enc);
    return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory");
  }
  encoder_init(enc);
  for (int oy = 0; oy < dh; oy++) {
    memset(acc, 0, (size_t)dw * 4 * sizeof *acc);
    int y0 = oy * ky, y1 = y0 + ky < sh ? y0 + ky : sh;
    for (int y = y0; y < y1; y++) {
      const uint8_t *row = src + (size_t)y * (size_t)sw * (size_t)ch;
      for (int ox = 0; ox < dw; ox++) {
        int x0 = ox * kx, x1 = x0 + kx < sw ? x0 + kx : sw;
        const uint8_t *p = row + (size_t)x0 * (size_t)ch;
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (!weighted) {
          for (int x = x0; x < x1; x++, p += ch) s0 += LIN[p[0]], s1 += LIN[p[1]], s2 += LIN[p[2]];
        } else {
          for (int x = x0; x < x1; x++, p += 4) {
            uint32_t a = p[3];
            s0 += LIN[p[0]] * a, s1 += LIN[p[1]] * a, s2 += LIN[p[2]] * a, s3 += a;
          }
        }
        uint64_t *a = acc + (size_t)ox * 4;
        a[0] += s0, a[1] += s1, a[2] += s2, a[3] += s3;
      }
    }
    /* Averages by multiplying with a reciprocal: 64-bit divisions per channel
     * cost more than the whole summing. IEEE doubles round the same way on
     * every platform. */
    uint8_t *out = dst + (size_t)oy * (size_t)dw * (size_t)och;
    double inv_full = 1.0 / ((double)kx * (double)(y1 - y0));
    for (int ox = 0; ox < dw; ox++, out += och) {
      const uint64_t *a = acc + (size_t)ox * 4;
      int x0 = ox * kx, x1 = x0 + kx < sw ? x0 + kx : sw;
      double inv_n = x1 - x0 == kx ? inv_full : 1.0 / ((double)(x1 - x0) * (double)(y1 - y0));
      /* colour weight: the pixel count, or the alpha sum */
      double inv_w = !weighted ? inv_n : a[3] ? 1.0 / (double)a[3] : 0;
      for (int c = 0; c < 3; c++) out[c] = encode(enc, (uint32_t)((double)a[c] * inv_w + 0.5));
      if (och == 4) out[3] = weighted ? (uint8_t)((double)a[3] * inv_n + 0.5) : 255;
    }
  }
  free(acc);
  free(enc);
  return PA_OK;
}

/* weighted: the 4th channel is alpha and weights the colours; otherwise a
 * 4th channel is ignored and written 255. */
static pa_status resize(const uint8_t *src, int sw, int sh, int channels, int weighted,
                        uint8_t *dst, int dw, int dh, pa_error *err) {
  if (!src || !dst) return pa_error_set(err, PA_ERR_ARG, "resize: no input or output");
  if (channels != 3 && channels != 4)
    return pa_error_set(err, PA_ERR_ARG, "resize: %d channels (3 or 4)", channels);
  if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 || sw > 65535 || sh > 65535 || dw > 65535 ||
      dh > 65535)
    return pa_error_set(err, PA_ERR_ARG, "resize: %dx%d to %dx%d", sw, sh, dw, dh);
  /* Shrinking 2x or more: area-average by the whole factor first (see box_reduce). */
  int kx = sw / dw > 1 ? sw / dw : 1, ky = sh / dh > 1 ? sh / dh : 1;
  if (kx > 1 || ky > 1) {
    int mw = (sw + kx - 1) / kx, mh = (sh + ky - 1) / ky;
    if (mw == dw && mh == dh)
      return box_reduce(src, sw, sh, channels, channels, weighted, kx, ky, dst, dw, dh, err);
  }
  /* stb filters opaque pixels as RGB: a quarter less of its (scalar) work. */
  int fch = channels == 4 && !weighted ? 3 : channels;
  uint8_t *mid = NULL, *out = dst;
  if (kx > 1 || ky > 1) {
    int mw = (sw + kx - 1) / kx, mh = (sh + ky - 1) / ky;
    if (!(mid = malloc((size_t)mw * (size_t)mh * (size_t)fch)))
      return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory for %dx%d", mw, mh);
    pa_status st = box_reduce(src, sw, sh, channels, fch, weighted, kx, ky, mid, mw, mh, err);
    if (st != PA_OK) return free(mid), st;
    src = mid, sw = mw, sh = mh;
  } else if (fch != channels) {
    size_t n = (size_t)sw * (size_t)sh;
    if (!(mid = malloc(n * 3))) return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory");
    for (size_t i = 0; i < n; i++) memcpy(mid + 3 * i, src + 4 * i, 3);
    src = mid;
  }
  if (fch != channels && !(out = malloc((size_t)dw * (size_t)dh * 3))) {
    free(mid);
    return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory");
  }
  int ok = pa_stb_resize(src, sw, sh, out, dw, dh, fch, weighted, 1);
  free(mid);
  if (ok && out != dst) /* RGB back to RGBX, opaque */
    for (size_t i = 0, n = (size_t)dw * (size_t)dh; i < n; i++) {
      memcpy(dst + 4 * i, out + 3 * i, 3);
      dst[4 * i + 3] = 255;
    }
  if (out != dst) free(out);
  if (!ok)
    return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory for %dx%d to %dx%d", sw, sh, dw,
                        dh);
  return PA_OK;
}

pa_status pa_resize_pixels(const uint8_t *src, int sw, int sh, int channels, uint8_t *dst, int dw,
                           int dh, pa_error *err) {
  return resize(src, sw, sh, channels, channels == 4, dst, dw, dh, err);
}

pa_status pa_resize_rgbx(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         pa_error *err) {
  return resize(src, sw, sh, 4, 0, dst, dw, dh, err);
}

void pa_resize_cover(int w, int h, int box_w, int box_h, int *out_w, int *out_h) {
  *out_w = w, *out_h = h;
  if (w <= 0 || h <= 0) return;
  int64_t bw = box_w > 0 ? box_w : 0, bh = box_h > 0 ? box_h : 0;
  if (bw >= w || bh >= h || (bw == 0 && bh == 0)) return; /* never enlarged */
  /* Integer arithmetic: the same size on every platform. The side with the
   * larger scale decides; the other is rounded up so the box stays covered. */
  if (bw * h >= bh * w) {
    *out_w = (int)bw;
    *out_h = (int)((h * bw + w - 1) / w);
  } else {
    *out_h = (int)bh;
    *out_w = (int)((w * bh + h - 1) / h);
  }
  if (*out_w < 1) *out_w = 1;
  if (*out_h < 1) *out_h = 1;
}

void pa_resize_fit(int w, int h, int max_edge, int *out_w, int *out_h) {
  *out_w = w, *out_h = h;
  if (w <= 0 || h <= 0 || max_edge <= 0 || (w <= max_edge && h <= max_edge)) return;
  int64_t m = max_edge;
  if (w >= h) {
    *out_w = max_edge;
    *out_h = (int)((2 * h * m + w) / (2 * (int64_t)w));
  } else {
    *out_h = max_edge;
    *out_w = (int)((2 * w * m + h) / (2 * (int64_t)h));
  }
  if (*out_w < 1) *out_w = 1;
  if (*out_h < 1) *out_h = 1;
}
