#include "pa/pa_thumbhash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pa/pa_image.h"
#include "pa/pa_resize.h"

enum { MAX_AC = 48 }; /* the most AC terms a channel has (L at 7x7: 27) */

/* cos(pi * n / d) for n >= 0, d > 0: the angle is reduced exactly in integers
 * to [0, pi/4], then a Taylor series (error < 1e-15 there). libm's cos differs
 * in the last bit between glibc and Emscripten's musl; this does not. */
static double cos_pi(int64_t n, int64_t d) {
  static const double PI = 3.14159265358979323846;
  int64_t r = n % (2 * d);  /* [0, 2pi) */
  if (r > d) r = 2 * d - r; /* cos(2pi - a) = cos(a): [0, pi] */
  double sign = 1;
  if (2 * r > d) r = d - r, sign = -1; /* cos(pi - a) = -cos(a): [0, pi/2] */
  int use_sin = 4 * r > d;             /* cos(a) = sin(pi/2 - a): [0, pi/4] */
  double x = use_sin ? PI * (double)(d - 2 * r) / (double)(2 * d) : PI * (double)r / (double)d;
  double x2 = x * x, term = use_sin ? x : 1, sum = term;
  for (int k = use_sin ? 2 : 1; k < 20; k += 2) {
    term *= -x2 / (double)(k * (k + 1));
    sum += term;
  }
  return sign * sum;
}

static int quant(double v, int max) { /* Math.round, clamped to the field */
  double q = v + 0.5;
  int i = q <= 0 ? 0 : (int)q;
  return i > max ? max : i;
}

/* DC and normalised AC terms of one channel over a triangle of nx x ny
 * frequencies (cx * ny < nx * (ny - cy)). */
typedef struct coeffs {
  double dc, scale;
  double ac[MAX_AC];
  int n;
} coeffs;

static void encode_channel(const double *ch, int w, int h, int nx, int ny, coeffs *c) {
  double fx[PA_THUMBHASH_INPUT_MAX];
  memset(c, 0, sizeof *c);
  for (int cy = 0; cy < ny; cy++)
    for (int cx = 0; cx * ny < nx * (ny - cy); cx++) {
      for (int x = 0; x < w; x++) fx[x] = cos_pi((int64_t)cx * (2 * x + 1), 2 * (int64_t)w);
      double f = 0;
      for (int y = 0; y < h; y++) {
        double fy = cos_pi((int64_t)cy * (2 * y + 1), 2 * (int64_t)h);
        for (int x = 0; x < w; x++) f += ch[x + y * w] * fx[x] * fy;
      }
      f /= (double)w * h;
      if (cx || cy) {
        c->ac[c->n++] = f;
        if (f > c->scale) c->scale = f;
        if (-f > c->scale) c->scale = -f;
      } else {
        c->dc = f;
      }
    }
  if (c->scale > 0)
    for (int i = 0; i < c->n; i++) c->ac[i] = 0.5 + 0.5 / c->scale * c->ac[i];
}

static int ac_count(int nx, int ny) {
  int n = 0;
  for (int cy = 0; cy < ny; cy++)
    for (int cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++) n++;
  return n;
}

pa_status pa_thumbhash_encode(const uint8_t *rgba, int w, int h, uint8_t hash[PA_THUMBHASH_MAX],
                              size_t *len, pa_error *err) {
  if (!rgba || !hash || !len) return pa_error_set(err, PA_ERR_ARG, "thumbhash: no input or output");
  if (w < 1 || h < 1 || w > PA_THUMBHASH_INPUT_MAX || h > PA_THUMBHASH_INPUT_MAX)
    return pa_error_set(err, PA_ERR_ARG, "thumbhash: %dx%d does not fit 100x100", w, h);
  int n = w * h;
  double *lpqa = malloc(sizeof(double) * 4 * (size_t)n);
  if (!lpqa) return pa_error_set(err, PA_ERR_NOMEM, "thumbhash: out of memory");
  double *l = lpqa, *p = l + n, *q = p + n, *a = q + n;

  /* The average colour, weighted by alpha. */
  double avg_r = 0, avg_g = 0, avg_b = 0, avg_a = 0;
  for (int i = 0; i < n; i++) {
    double alpha = rgba[4 * i + 3] / 255.0;
    avg_r += alpha / 255.0 * rgba[4 * i];
    avg_g += alpha / 255.0 * rgba[4 * i + 1];
    avg_b += alpha / 255.0 * rgba[4 * i + 2];
    avg_a += alpha;
  }
  if (avg_a > 0) avg_r /= avg_a, avg_g /= avg_a, avg_b /= avg_a;
  int has_alpha = avg_a < n;
  int l_limit = has_alpha ? 5 : 7; /* fewer luminance terms leave room for alpha */
  int longer = w > h ? w : h;
  int lx = (2 * l_limit * w + longer) / (2 * longer),
      ly = (2 * l_limit * h + longer) / (2 * longer);
  if (lx < 1) lx = 1;
  if (ly < 1) ly = 1;

  /* Composite over the average colour, then RGB to LPQA. */
  for (int i = 0; i < n; i++) {
    double alpha = rgba[4 * i + 3] / 255.0;
    double r = avg_r * (1 - alpha) + alpha / 255.0 * rgba[4 * i];
    double g = avg_g * (1 - alpha) + alpha / 255.0 * rgba[4 * i + 1];
    double b = avg_b * (1 - alpha) + alpha / 255.0 * rgba[4 * i + 2];
    l[i] = (r + g + b) / 3;
    p[i] = (r + g) / 2 - b;
    q[i] = r - g;
    a[i] = alpha;
  }
  coeffs cl, cp, cq, ca;
  encode_channel(l, w, h, lx > 3 ? lx : 3, ly > 3 ? ly : 3, &cl);
  encode_channel(p, w, h, 3, 3, &cp);
  encode_channel(q, w, h, 3, 3, &cq);
  if (has_alpha) encode_channel(a, w, h, 5, 5, &ca);
  free(lpqa);

  int landscape = w > h;
  uint32_t h24 = (uint32_t)quant(63 * cl.dc, 63) | (uint32_t)quant(31.5 + 31.5 * cp.dc, 63) << 6 |
                 (uint32_t)quant(31.5 + 31.5 * cq.dc, 63) << 12 |
                 (uint32_t)quant(31 * cl.scale, 31) << 18 | (uint32_t)has_alpha << 23;
  uint32_t h16 = (uint32_t)(landscape ? ly : lx) | (uint32_t)quant(63 * cp.scale, 63) << 3 |
                 (uint32_t)quant(63 * cq.scale, 63) << 9 | (uint32_t)landscape << 15;
  memset(hash, 0, PA_THUMBHASH_MAX);
  hash[0] = h24 & 255, hash[1] = (h24 >> 8) & 255, hash[2] = (uint8_t)(h24 >> 16);
  hash[3] = h16 & 255, hash[4] = (uint8_t)(h16 >> 8);
  size_t start = has_alpha ? 6 : 5;
  if (has_alpha) hash[5] = (uint8_t)(quant(15 * ca.dc, 15) | quant(15 * ca.scale, 15) << 4);
  const coeffs *chans[4] = {&cl, &cp, &cq, &ca};
  int k = 0;
  for (int c = 0; c < (has_alpha ? 4 : 3); c++)
    for (int i = 0; i < chans[c]->n; i++, k++)
      hash[start + (size_t)(k >> 1)] |= (uint8_t)(quant(15 * chans[c]->ac[i], 15) << ((k & 1) * 4));
  *len = start + (size_t)(k + 1) / 2;
  return PA_OK;
}

pa_status pa_thumbhash_from_rgba(const uint8_t *rgba, int w, int h, uint8_t hash[PA_THUMBHASH_MAX],
                                 size_t *len, pa_error *err) {
  if (w <= PA_THUMBHASH_INPUT_MAX && h <= PA_THUMBHASH_INPUT_MAX)
    return pa_thumbhash_encode(rgba, w, h, hash, len, err);
  int sw, sh;
  pa_resize_fit(w, h, PA_THUMBHASH_INPUT_MAX, &sw, &sh);
  uint8_t small[PA_THUMBHASH_INPUT_MAX * PA_THUMBHASH_INPUT_MAX * 4];
  pa_status st = pa_resize_pixels(rgba, w, h, 4, small, sw, sh, err);
  return st == PA_OK ? pa_thumbhash_encode(small, sw, sh, hash, len, err) : st;
}

/* The header, read and checked against the hash's length. */
typedef struct header {
  double l_dc, p_dc, q_dc, a_dc, l_scale, p_scale, q_scale, a_scale;
  int has_alpha, landscape, lx, ly; /* lx, ly: the L triangle, at least 3 */
  int ratio_x, ratio_y;             /* the aspect ratio the hash keeps */
  size_t start;                     /* where the AC nibbles begin */
} header;

static pa_status read_header(const uint8_t *hash, size_t len, header *hd, pa_error *err) {
  if (!hash || len < 5)
    return pa_error_set(err, PA_ERR_TRUNCATED, "thumbhash: %zu bytes is too short", len);
  uint32_t h24 = hash[0] | (uint32_t)hash[1] << 8 | (uint32_t)hash[2] << 16;
  uint32_t h16 = hash[3] | (uint32_t)hash[4] << 8;
  hd->l_dc = (h24 & 63) / 63.0;
  hd->p_dc = ((h24 >> 6) & 63) / 31.5 - 1;
  hd->q_dc = ((h24 >> 12) & 63) / 31.5 - 1;
  hd->l_scale = ((h24 >> 18) & 31) / 31.0;
  hd->has_alpha = (int)(h24 >> 23);
  hd->p_scale = ((h16 >> 3) & 63) / 63.0;
  hd->q_scale = ((h16 >> 9) & 63) / 63.0;
  hd->landscape = (int)(h16 >> 15);
  int small = (int)(h16 & 7), big = hd->has_alpha ? 5 : 7;
  if (small == 0)
    return pa_error_set(err, PA_ERR_SYNTAX, "thumbhash: no luminance terms on one side");
  hd->ratio_x = hd->landscape ? big : small;
  hd->ratio_y = hd->landscape ? small : big;
  hd->lx = hd->ratio_x > 3 ? hd->ratio_x : 3;
  hd->ly = hd->ratio_y > 3 ? hd->ratio_y : 3;
  hd->start = hd->has_alpha ? 6 : 5;
  if (len < hd->start) return pa_error_set(err, PA_ERR_TRUNCATED, "thumbhash: alpha byte missing");
  hd->a_dc = hd->has_alpha ? (hash[5] & 15) / 15.0 : 1;
  hd->a_scale = hd->has_alpha ? (hash[5] >> 4) / 15.0 : 0;
  int terms = ac_count(hd->lx, hd->ly) + 2 * ac_count(3, 3) + (hd->has_alpha ? ac_count(5, 5) : 0);
  if (len < hd->start + (size_t)(terms + 1) / 2)
    return pa_error_set(err, PA_ERR_TRUNCATED, "thumbhash: %zu bytes, %zu needed", len,
                        hd->start + (size_t)(terms + 1) / 2);
  return PA_OK;
}

static void decode_channel(const uint8_t *hash, size_t start, int *k, int nx, int ny, double scale,
                           double *ac) {
  int i = 0;
  for (int cy = 0; cy < ny; cy++)
    for (int cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++, i++, (*k)++)
      ac[i] = (((hash[start + (size_t)(*k >> 1)] >> ((*k & 1) * 4)) & 15) / 7.5 - 1) * scale;
}

static uint8_t to_byte(double v) { return v <= 0 ? 0 : v >= 1 ? 255 : (uint8_t)(255 * v); }

pa_status pa_thumbhash_decode(const uint8_t *hash, size_t len, uint8_t *rgba, int *w, int *h,
                              pa_error *err) {
  header hd;
  if (!rgba || !w || !h) return pa_error_set(err, PA_ERR_ARG, "thumbhash: no output");
  pa_status st = read_header(hash, len, &hd, err);
  if (st != PA_OK) return st;
  double l_ac[MAX_AC], p_ac[MAX_AC], q_ac[MAX_AC], a_ac[MAX_AC];
  int k = 0;
  /* Saturation boosted by 1.25 to make up for quantisation, as the format does. */
  decode_channel(hash, hd.start, &k, hd.lx, hd.ly, hd.l_scale, l_ac);
  decode_channel(hash, hd.start, &k, 3, 3, hd.p_scale * 1.25, p_ac);
  decode_channel(hash, hd.start, &k, 3, 3, hd.q_scale * 1.25, q_ac);
  if (hd.has_alpha) decode_channel(hash, hd.start, &k, 5, 5, hd.a_scale, a_ac);

  int S = PA_THUMBHASH_SIDE;
  if (hd.ratio_x > hd.ratio_y)
    *w = S, *h = (2 * S * hd.ratio_y + hd.ratio_x) / (2 * hd.ratio_x);
  else
    *h = S, *w = (2 * S * hd.ratio_x + hd.ratio_y) / (2 * hd.ratio_y);
  int nx = hd.lx > (hd.has_alpha ? 5 : 3) ? hd.lx : (hd.has_alpha ? 5 : 3);
  int ny = hd.ly > (hd.has_alpha ? 5 : 3) ? hd.ly : (hd.has_alpha ? 5 : 3);
  double fx[8], fy[8];
  for (int y = 0; y < *h; y++)
    for (int x = 0; x < *w; x++) {
      double l = hd.l_dc, p = hd.p_dc, q = hd.q_dc, a = hd.a_dc;
      for (int cx = 0; cx < nx; cx++) fx[cx] = cos_pi((int64_t)cx * (2 * x + 1), 2 * (int64_t)*w);
      for (int cy = 0; cy < ny; cy++) fy[cy] = cos_pi((int64_t)cy * (2 * y + 1), 2 * (int64_t)*h);
      int j = 0;
      for (int cy = 0; cy < hd.ly; cy++)
        for (int cx = cy ? 0 : 1; cx * hd.ly < hd.lx * (hd.ly - cy); cx++, j++)
          l += l_ac[j] * fx[cx] * (fy[cy] * 2);
      j = 0;
      for (int cy = 0; cy < 3; cy++)
        for (int cx = cy ? 0 : 1; cx < 3 - cy; cx++, j++) {
          double f = fx[cx] * (fy[cy] * 2);
          p += p_ac[j] * f;
          q += q_ac[j] * f;
        }
      if (hd.has_alpha) {
        j = 0;
        for (int cy = 0; cy < 5; cy++)
          for (int cx = cy ? 0 : 1; cx < 5 - cy; cx++, j++) a += a_ac[j] * fx[cx] * (fy[cy] * 2);
      }
      double b = l - 2.0 / 3.0 * p, r = (3 * l - b + q) / 2, g = r - q;
      uint8_t *o = rgba + 4 * ((size_t)y * (size_t)*w + (size_t)x);
      o[0] = to_byte(r), o[1] = to_byte(g), o[2] = to_byte(b), o[3] = to_byte(a);
    }
  return PA_OK;
}

pa_status pa_thumbhash_average(const uint8_t *hash, size_t len, uint8_t rgba[4], pa_error *err) {
  header hd;
  pa_status st = read_header(hash, len, &hd, err);
  if (st != PA_OK) return st;
  double b = hd.l_dc - 2.0 / 3.0 * hd.p_dc, r = (3 * hd.l_dc - b + hd.q_dc) / 2, g = r - hd.q_dc;
  rgba[0] = to_byte(r), rgba[1] = to_byte(g), rgba[2] = to_byte(b), rgba[3] = to_byte(hd.a_dc);
  return PA_OK;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t pa_thumbhash_to_base64(const uint8_t *hash, size_t len, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)hash[i] << 16 | (i + 1 < len ? (uint32_t)hash[i + 1] << 8 : 0) |
                 (i + 2 < len ? hash[i + 2] : 0);
    char quad[4] = {B64[v >> 18], B64[(v >> 12) & 63], i + 1 < len ? B64[(v >> 6) & 63] : '=',
                    i + 2 < len ? B64[v & 63] : '='};
    for (int k = 0; k < 4; k++, n++)
      if (n + 1 < cap) out[n] = quad[k];
  }
  if (cap) out[n < cap ? n : cap - 1] = '\0';
  return n;
}

pa_status pa_thumbhash_from_base64(const char *text, uint8_t hash[PA_THUMBHASH_MAX], size_t *len,
                                   pa_error *err) {
  if (!text || !hash || !len) return pa_error_set(err, PA_ERR_ARG, "thumbhash: no input or output");
  size_t n = strlen(text), out = 0;
  if (n % 4 != 0) return pa_error_set(err, PA_ERR_SYNTAX, "thumbhash: base64 of %zu characters", n);
  for (size_t i = 0; i < n; i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      char c = text[i + k];
      const char *at = c ? strchr(B64, c) : NULL;
      if (c == '=' && i + 4 == n && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        pad++;
        v <<= 6;
      } else if (at && !pad) {
        v = v << 6 | (uint32_t)(at - B64);
      } else {
        return pa_error_set(err, PA_ERR_SYNTAX, "thumbhash: bad base64 at character %zu",
                            i + (size_t)k);
      }
    }
    for (int k = 0; k < 3 - pad; k++) {
      if (out == PA_THUMBHASH_MAX)
        return pa_error_set(err, PA_ERR_TOO_LARGE, "thumbhash: more than %d bytes",
                            PA_THUMBHASH_MAX);
      hash[out++] = (uint8_t)(v >> (16 - 8 * k));
    }
  }
  *len = out;
  return PA_OK;
}

size_t pa_thumbhash_describe(const uint8_t *hash, size_t len, char *buf, size_t cap,
                             pa_error *err) {
  uint8_t px[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4], avg[4];
  int w, h;
  char text[PA_THUMBHASH_TEXT_MAX];
  if (cap) buf[0] = '\0';
  if (len > PA_THUMBHASH_MAX) {
    pa_error_set(err, PA_ERR_TOO_LARGE, "thumbhash: %zu bytes is more than %d", len,
                 PA_THUMBHASH_MAX);
    return 0;
  }
  if (pa_thumbhash_decode(hash, len, px, &w, &h, err) != PA_OK ||
      pa_thumbhash_average(hash, len, avg, err) != PA_OK)
    return 0;
  pa_thumbhash_to_base64(hash, len, text, sizeof text);
  pa_image img = {w, h, 1, px, NULL};
  int n =
      snprintf(buf, cap, "thumbhash %s placeholder %dx%d checksum %08x average #%02x%02x%02x%02x\n",
               text, w, h, pa_image_checksum(&img), avg[0], avg[1], avg[2], avg[3]);
  return n > 0 ? (size_t)n : 0;
}
