#include "pa/pa_resize.h"

#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

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

/* ---- the separable Mitchell filter, in linear light, with SIMD.
 *
 * Pixels are four floats (R, G, B in linear light on LIN's 0..65535 scale,
 * and alpha 0..255 with the colours premultiplied by it), so one pixel is one
 * 128-bit vector: SIMD128 in WebAssembly, SSE natively, through the compilers'
 * vector extension. Only multiplies and adds in a fixed order and one division
 * per pixel: IEEE makes native and WASM results bit-identical (no FMA on
 * either target). Source rows are converted once each into a ring of the rows
 * the vertical taps need; each output row is the vertical sum of its rows
 * (all taps in one pass over the row), then filtered horizontally (the taps
 * unrolled for the kernel's tap count; weights kept as scalars and splatted
 * as loaded, so a row's weights stay in the L1 cache). When the whole ratio is 2 or more, each
 * source row of the filter is a block average of kx x ky pixels (the mipmap step), kept in floats
 * rather than rounded to 8 bits in between. */
typedef float f4 __attribute__((vector_size(16)));

static f4 splat(float v) { return (f4){v, v, v, v}; }

/* Mitchell-Netravali, B = C = 1/3, support 2 (as stb_image_resize's). */
static double mitchell(double x) {
  if (x < 0) x = -x;
  if (x < 1) return (16 + x * x * (21 * x - 36)) / 18;
  if (x < 2) return (32 + x * (-60 + x * (36 - 7 * x))) / 18;
  return 0;
}

static int ifloor(double x) {
  int i = (int)x;
  return i - (x < (double)i);
}

/* For each output index: the first input index, the tap count and `width`
 * weights (summing to 1), edges clamped. */
typedef struct kernel {
  int width, taps; /* taps: the most any output has; the rest of its weights are 0 */
  int *first, *count;
  float *w; /* width per output: scalars, splatted as they are loaded (4x less to read) */
} kernel;

static void kernel_free(kernel *k) {
  free(k->first);
  free(k->count);
  free(k->w);
  k->first = k->count = NULL, k->w = NULL;
}

static int kernel_init(kernel *k, int in, int out) {
  double scale = (double)in / out, fs = scale > 1 ? scale : 1, radius = 2 * fs;
  k->width = (int)(2 * radius) + 3;
  k->first = malloc(sizeof(int) * (size_t)out);
  k->count = malloc(sizeof(int) * (size_t)out);
  k->w = calloc((size_t)out * (size_t)k->width, sizeof(float));
  double *acc = calloc((size_t)k->width, sizeof(double));
  if (!k->first || !k->count || !k->w || !acc) return free(acc), kernel_free(k), 0;
  k->taps = 1;
  for (int o = 0; o < out; o++) {
    double center = (o + 0.5) * scale;
    int lo = ifloor(center - radius), hi = ifloor(center + radius);
    int first = lo < 0 ? 0 : lo, last = hi > in - 1 ? in - 1 : hi;
    if (first > in - 1) first = in - 1;
    if (last < first) last = first;
    /* at most 2 * radius + 2 taps: width bounds them */
    if (last - first + 1 > k->width) last = first + k->width - 1;
    memset(acc, 0, sizeof(double) * (size_t)k->width);
    double sum = 0;
    for (int i = lo; i <= hi; i++) {
      double w = mitchell((i + 0.5 - center) / fs);
      int c = i < first ? first : i > last ? last : i; /* clamped edge */
      acc[c - first] += w;
      sum += w;
    }
    k->first[o] = first;
    k->count[o] = last - first + 1;
    if (k->count[o] > k->taps) k->taps = k->count[o];
    for (int j = 0; j <= last - first; j++)
      k->w[(size_t)o * (size_t)k->width + (size_t)j] = (float)(sum != 0 ? acc[j] / sum : j == 0);
  }
  free(acc);
  return 1;
}

typedef struct source {
  const uint8_t *px;
  int sw, sh, ch, weighted, kx, ky, mw; /* mw: ceil(sw / kx) */
  float lin[256];
} source;

static f4 load_px(const source *s, const uint8_t *p) {
  f4 v = {s->lin[p[0]], s->lin[p[1]], s->lin[p[2]], 1};
  return s->weighted ? v * splat((float)p[3]) : v;
}

/* Row my of the (block-averaged) source, as premultiplied linear pixels. */
static void load_row(const source *s, int my, f4 *out) {
  int ch = s->ch, y0 = my * s->ky, y1 = y0 + s->ky < s->sh ? y0 + s->ky : s->sh;
  const uint8_t *row = s->px + (size_t)y0 * (size_t)s->sw * (size_t)ch;
  if (s->kx == 1 && s->ky == 1) {
    for (int x = 0; x < s->sw; x++) out[x] = load_px(s, row + (size_t)x * (size_t)ch);
    return;
  }
  f4 inv_full = splat(1.0f / ((float)s->kx * (float)(y1 - y0)));
  for (int mx = 0; mx < s->mw; mx++) {
    int x0 = mx * s->kx, x1 = x0 + s->kx < s->sw ? x0 + s->kx : s->sw;
    f4 sum = splat(0);
    for (int y = y0; y < y1; y++) {
      const uint8_t *p = s->px + ((size_t)y * (size_t)s->sw + (size_t)x0) * (size_t)ch;
      for (int x = x0; x < x1; x++, p += ch) sum += load_px(s, p);
    }
    f4 inv = x1 - x0 == s->kx ? inv_full : splat(1.0f / ((float)(x1 - x0) * (float)(y1 - y0)));
    out[mx] = sum * inv;
  }
}

/* Linear 0..65535 -> sRGB, one byte per linear value (64 KiB, built per call
 * from THR): a single load per channel in the filter's output loop. */
static void srgb_table(uint8_t *t) {
  for (int v = 0, x = 0; x < 65536; x++) {
    while (v < 255 && THR[v + 1] <= x) v++;
    t[x] = (uint8_t)v;
  }
}

typedef int32_t i4 __attribute__((vector_size(16)));

/* Clamped to 0..65535 and rounded, four lanes at once (NaN becomes 0). */
static i4 to_index(f4 v) {
#ifdef __wasm_simd128__
  /* the same in WASM's own instructions (pmax/pmin: one instruction each, NaN -> 0) */
  v128_t x =
      wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_splat(0), (v128_t)v), wasm_f32x4_splat(65535));
  return (i4)wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(x, wasm_f32x4_splat(0.5f)));
#endif
  v = (f4)((i4)v & (v > 0));
  i4 high = v > 65535;
  v = (f4)(((i4)v & ~high) | ((i4)splat(65535) & high));
  return __builtin_convertvector(v + splat(0.5f), i4);
}

static void store_px(const uint8_t *srgb, f4 v, int weighted, int och, uint8_t *out) {
  if (weighted) {
    float a = v[3];
    if (a < 0.5f) {
      memset(out, 0, 4);
      return;
    }
    i4 c = to_index(v * splat(1 / a));
    out[0] = srgb[c[0]], out[1] = srgb[c[1]], out[2] = srgb[c[2]];
    out[3] = a < 255 ? (uint8_t)(a + 0.5f) : 255;
    return;
  }
  i4 c = to_index(v);
  if (och == 4) { /* one 32-bit store; both targets are little-endian */
    uint32_t px =
        (uint32_t)srgb[c[0]] | (uint32_t)srgb[c[1]] << 8 | (uint32_t)srgb[c[2]] << 16 | 0xff000000u;
    memcpy(out, &px, 4);
    return;
  }
  out[0] = srgb[c[0]], out[1] = srgb[c[1]], out[2] = srgb[c[2]];
}

/* t = r[0]*w[0] + r[1]*w[1] + ... + r[n-1]*w[n-1], left to right, in one
 * pass over the row (n a constant after inlining: the taps unrolled). */
static inline __attribute__((always_inline)) void vsum_n(f4 *restrict t, const f4 *const *r,
                                                         const float *w, int n, int len) {
  const f4 *r0 = r[0], *r1 = r[n > 1 ? 1 : 0], *r2 = r[n > 2 ? 2 : 0], *r3 = r[n > 3 ? 3 : 0];
  const f4 *r4 = r[n > 4 ? 4 : 0], *r5 = r[n > 5 ? 5 : 0];
  f4 w0 = splat(w[0]), w1 = splat(w[n > 1 ? 1 : 0]), w2 = splat(w[n > 2 ? 2 : 0]);
  f4 w3 = splat(w[n > 3 ? 3 : 0]), w4 = splat(w[n > 4 ? 4 : 0]), w5 = splat(w[n > 5 ? 5 : 0]);
  for (int x = 0; x < len; x++) {
    f4 a = r0[x] * w0;
    if (n > 1) a = a + r1[x] * w1;
    if (n > 2) a = a + r2[x] * w2;
    if (n > 3) a = a + r3[x] * w3;
    if (n > 4) a = a + r4[x] * w4;
    if (n > 5) a = a + r5[x] * w5;
    t[x] = a;
  }
}

/* t += r[0]*w[0] + ... for the taps after the first six (ratios near 2). */
static void vsum_more(f4 *restrict t, const f4 *const *r, const float *w, int n, int len) {
  for (int x = 0; x < len; x++) {
    f4 a = t[x];
    for (int j = 0; j < n; j++) a = a + r[j][x] * splat(w[j]);
    t[x] = a;
  }
}

static void vsum(f4 *restrict t, const f4 *const *r, const float *w, int n, int len) {
  switch (n < 6 ? n : 6) {
  case 1: vsum_n(t, r, w, 1, len); break;
  case 2: vsum_n(t, r, w, 2, len); break;
  case 3: vsum_n(t, r, w, 3, len); break;
  case 4: vsum_n(t, r, w, 4, len); break;
  case 5: vsum_n(t, r, w, 5, len); break;
  default: vsum_n(t, r, w, 6, len); break;
  }
  if (n > 6) vsum_more(t, r + 6, w + 6, n - 6, len);
}

/* One output row from tmp: each pixel the sum of k->taps taps, left to right
 * (n a constant after inlining). An output with fewer taps has zero weights
 * for the rest, which add exactly nothing; tmp has k->width zero pixels of
 * slack at its end for them to read. */
static inline __attribute__((always_inline)) void hsum_n(const kernel *k, const f4 *restrict tmp,
                                                         const uint8_t *srgb, int weighted, int och,
                                                         uint8_t *out, int dw, int n) {
  const float *w = k->w;
  for (int ox = 0; ox < dw; ox++, out += och, w += k->width) {
    const f4 *p = tmp + k->first[ox];
    f4 acc = p[0] * splat(w[0]);
    if (n > 1) acc = acc + p[1] * splat(w[1]);
    if (n > 2) acc = acc + p[2] * splat(w[2]);
    if (n > 3) acc = acc + p[3] * splat(w[3]);
    if (n > 4) acc = acc + p[4] * splat(w[4]);
    if (n > 5) acc = acc + p[5] * splat(w[5]);
    if (n > 6) acc = acc + p[6] * splat(w[6]);
    if (n > 7)
      for (int j = 7; j < n; j++) acc = acc + p[j] * splat(w[j]);
    store_px(srgb, acc, weighted, och, out);
  }
}

static void hsum(const kernel *k, const f4 *restrict tmp, const uint8_t *srgb, int weighted,
                 int och, uint8_t *out, int dw) {
  switch (k->taps < 8 ? k->taps : 8) {
  case 1: hsum_n(k, tmp, srgb, weighted, och, out, dw, 1); break;
  case 2: hsum_n(k, tmp, srgb, weighted, och, out, dw, 2); break;
  case 3: hsum_n(k, tmp, srgb, weighted, och, out, dw, 3); break;
  case 4: hsum_n(k, tmp, srgb, weighted, och, out, dw, 4); break;
  case 5: hsum_n(k, tmp, srgb, weighted, och, out, dw, 5); break;
  case 6: hsum_n(k, tmp, srgb, weighted, och, out, dw, 6); break;
  case 7: hsum_n(k, tmp, srgb, weighted, och, out, dw, 7); break;
  default: hsum_n(k, tmp, srgb, weighted, och, out, dw, k->taps); break;
  }
}

static pa_status filter(const uint8_t *src, int sw, int sh, int ch, int weighted, int kx, int ky,
                        uint8_t *dst, int dw, int dh, pa_error *err) {
  source *s = malloc(sizeof *s);
  uint8_t *srgb = malloc(65536);
  kernel kh = {0}, kv = {0};
  int mw = (sw + kx - 1) / kx, mh = (sh + ky - 1) / ky;
  f4 *ring = NULL, *tmp = NULL;
  int *row_of = NULL;
  const f4 **rows = NULL;
  int ok = s && srgb && kernel_init(&kh, mw, dw) && kernel_init(&kv, mh, dh);
  if (ok) {
    ring = malloc(sizeof(f4) * (size_t)mw * (size_t)kv.width);
    tmp = calloc((size_t)mw + (size_t)kh.width, sizeof(f4)); /* + the zero slack hsum reads */
    row_of = malloc(sizeof(int) * (size_t)kv.width);
    rows = malloc(sizeof *rows * (size_t)kv.width);
    ok = ring && tmp && row_of && rows;
  }
  if (!ok) {
    free(s), free(srgb), free(ring), free(tmp), free(row_of), free(rows);
    kernel_free(&kh), kernel_free(&kv);
    return pa_error_set(err, PA_ERR_NOMEM, "resize: out of memory for %dx%d to %dx%d", sw, sh, dw,
                        dh);
  }
  *s = (source){src, sw, sh, ch, weighted, kx, ky, mw, {0}};
  for (int i = 0; i < 256; i++) s->lin[i] = (float)LIN[i];
  srgb_table(srgb);
  for (int i = 0; i < kv.width; i++) row_of[i] = -1;
  int och = ch, exact = mw == dw && mh == dh; /* a whole ratio: the block average is all */
  for (int oy = 0; exact && oy < dh; oy++) {
    load_row(s, oy, tmp);
    uint8_t *out = dst + (size_t)oy * (size_t)dw * (size_t)och;
    for (int ox = 0; ox < dw; ox++, out += och) store_px(srgb, tmp[ox], weighted, och, out);
  }
  for (int oy = 0; !exact && oy < dh; oy++) {
    int first = kv.first[oy], n = kv.count[oy];
    for (int j = 0; j < n; j++) {
      int r = first + j, slot = r % kv.width;
      if (row_of[slot] != r) load_row(s, r, ring + (size_t)slot * (size_t)mw), row_of[slot] = r;
    }
    /* vertical: tmp = the rows' weighted sum, in one pass */
    for (int j = 0; j < n; j++) rows[j] = ring + (size_t)((first + j) % kv.width) * (size_t)mw;
    vsum(tmp, rows, kv.w + (size_t)oy * (size_t)kv.width, n, mw);
    /* horizontal, then back to 8-bit sRGB */
    hsum(&kh, tmp, srgb, weighted, och, dst + (size_t)oy * (size_t)dw * (size_t)och, dw);
  }
  free(s), free(srgb), free(ring), free(tmp), free(row_of), free(rows);
  kernel_free(&kh), kernel_free(&kv);
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
  /* Shrinking 2x or more: area-average by the whole factor first. */
  int kx = sw / dw > 1 ? sw / dw : 1, ky = sh / dh > 1 ? sh / dh : 1;
  return filter(src, sw, sh, channels, weighted, kx, ky, dst, dw, dh, err);
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
