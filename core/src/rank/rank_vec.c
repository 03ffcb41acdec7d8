/* The ranker's hot loop: one dot product per candidate. Every path sums in
 * the same order (16 running sums, lane l of block m in sum 4m + l, combined
 * pairwise), so WASM SIMD128, SSE2 and plain C agree to the bit and the same
 * seed gives the same list in the browser and in the CLI. */
#include "rank_internal.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define RANK_KERNEL "wasm-simd128"
#elif defined(__SSE2__)
#include <emmintrin.h>
#define RANK_KERNEL "sse2"
#else
#define RANK_KERNEL "scalar"
#endif

const char *pa_rank_kernel_name(void) { return RANK_KERNEL; }

static float combine(const float acc[16]) {
  float s0 = (acc[0] + acc[4]) + (acc[8] + acc[12]);
  float s1 = (acc[1] + acc[5]) + (acc[9] + acc[13]);
  float s2 = (acc[2] + acc[6]) + (acc[10] + acc[14]);
  float s3 = (acc[3] + acc[7]) + (acc[11] + acc[15]);
  return (s0 + s1) + (s2 + s3);
}

static float dot_scalar(const float *a, const float *b, int dim) {
  float acc[16] = {0};
  for (int j = 0; j < dim; j += 16)
    for (int k = 0; k < 16; k++) acc[k] += a[j + k] * b[j + k];
  return combine(acc);
}

#if defined(__wasm_simd128__)
static float dot_simd(const float *a, const float *b, int dim) {
  v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (int j = 0; j < dim; j += 16) {
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(a + j + 4), wasm_v128_load(b + j + 4)));
    a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(a + j + 8), wasm_v128_load(b + j + 8)));
    a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(a + j + 12), wasm_v128_load(b + j + 12)));
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
  return (wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
         (wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3));
}

static int32_t dot_i8(const int16_t *qu, const int8_t *q, int dim) {
  v128_t acc = wasm_i32x4_splat(0);
  for (int j = 0; j < dim; j += 16) {
    v128_t v = wasm_v128_load(q + j);
    acc = wasm_i32x4_add(
        acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(v), wasm_v128_load(qu + j)));
    acc = wasm_i32x4_add(
        acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(v), wasm_v128_load(qu + j + 8)));
  }
  return wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
         wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
}
#elif defined(__SSE2__)
static float dot_simd(const float *a, const float *b, int dim) {
  __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (int j = 0; j < dim; j += 16) {
    a0 = _mm_add_ps(a0, _mm_mul_ps(_mm_loadu_ps(a + j), _mm_loadu_ps(b + j)));
    a1 = _mm_add_ps(a1, _mm_mul_ps(_mm_loadu_ps(a + j + 4), _mm_loadu_ps(b + j + 4)));
    a2 = _mm_add_ps(a2, _mm_mul_ps(_mm_loadu_ps(a + j + 8), _mm_loadu_ps(b + j + 8)));
    a3 = _mm_add_ps(a3, _mm_mul_ps(_mm_loadu_ps(a + j + 12), _mm_loadu_ps(b + j + 12)));
  }
  float s[4];
  _mm_storeu_ps(s, _mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)));
  return (s[0] + s[1]) + (s[2] + s[3]);
}

static int32_t dot_i8(const int16_t *qu, const int8_t *q, int dim) {
  __m128i acc = _mm_setzero_si128();
  for (int j = 0; j < dim; j += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(q + j));
    /* SSE2 has no sign-extending widen: duplicate each byte, shift back. */
    __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
    __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
    acc = _mm_add_epi32(acc, _mm_madd_epi16(lo, _mm_loadu_si128((const __m128i *)(qu + j))));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(hi, _mm_loadu_si128((const __m128i *)(qu + j + 8))));
  }
  int32_t s[4];
  _mm_storeu_si128((__m128i *)s, acc);
  return s[0] + s[1] + s[2] + s[3];
}
#else
static float dot_simd(const float *a, const float *b, int dim) { return dot_scalar(a, b, dim); }
static int32_t dot_i8(const int16_t *qu, const int8_t *q, int dim) {
  int32_t s = 0;
  for (int j = 0; j < dim; j++) s += qu[j] * q[j];
  return s;
}
#endif

float pa_rank_dot(const float *a, const float *b, int dim) { return dot_simd(a, b, dim); }

void pa_rank_dots(const float *u, const float *m, int n, int dim, float *out) {
  for (int i = 0; i < n; i++) out[i] = dot_simd(u, m + (size_t)i * (size_t)dim, dim);
}

void pa_rank_dots_scalar(const float *u, const float *m, int n, int dim, float *out) {
  for (int i = 0; i < n; i++) out[i] = dot_scalar(u, m + (size_t)i * (size_t)dim, dim);
}

void pa_rank_dots_i8(const int16_t *qu, float su, const int8_t *q, const float *scale, int n,
                     int dim, float *out) {
  for (int i = 0; i < n; i++)
    out[i] = (float)dot_i8(qu, q + (size_t)i * (size_t)dim, dim) * su * scale[i];
}

void pa_rank_dots_i8_scalar(const int16_t *qu, float su, const int8_t *q, const float *scale, int n,
                            int dim, float *out) {
  for (int i = 0; i < n; i++) {
    const int8_t *row = q + (size_t)i * (size_t)dim;
    int32_t s = 0;
    for (int j = 0; j < dim; j++) s += qu[j] * row[j];
    out[i] = (float)s * su * scale[i];
  }
}

float pa_rank_quantize(const float *v, int dim, int8_t *q) {
  float m = 0;
  for (int j = 0; j < dim; j++) {
    float a = v[j] < 0 ? -v[j] : v[j];
    if (a > m) m = a;
  }
  if (m == 0) {
    for (int j = 0; j < dim; j++) q[j] = 0;
    return 0;
  }
  float scale = m / 127.0f;
  for (int j = 0; j < dim; j++) {
    float x = v[j] / scale;
    /* Round half away from zero by hand: no libm, same bits everywhere. */
    int r = (int)(x + (x >= 0 ? 0.5f : -0.5f));
    q[j] = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
  }
  return scale;
}
