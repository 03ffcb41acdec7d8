/* pa_art — procedural pet illustrations.
 *
 * Every shape is a signed distance function evaluated per pixel, which gives
 * clean anti-aliased edges without a rasteriser. Drawings are laid out in a
 * 100-unit square centred on the origin (y grows downward); a "pen" maps those
 * units to pixels with a rotation, a scale and an optional mirror, so a head
 * can tilt or a turtle face the other way without changing its geometry. */
#include "art.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define PA_PI 3.14159265f

/* ---- colour */

typedef struct col {
  float r, g, b; /* 0..255 */
} col;

static col hex(uint32_t v) {
  return (col){(float)((v >> 16) & 255u), (float)((v >> 8) & 255u), (float)(v & 255u)};
}
static col mix(col a, col b, float t) {
  return (col){a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}
static col lighten(col c, float t) { return mix(c, hex(0xffffff), t); }
/* Darkening toward a warm plum reads softer than toward black. */
static col darken(col c, float t) { return mix(c, hex(0x2b1f33), t); }

/* ---- deterministic randomness (a counter hashed with a 32-bit finaliser) */

typedef struct rng {
  uint32_t s;
} rng;

static uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
static uint32_t rng_next(rng *r) { return hash32(r->s += 0x9e3779b9u); }
static float rng_unit(rng *r) { return (float)(rng_next(r) >> 8) * (1.0f / 16777216.0f); }
static float rng_range(rng *r, float lo, float hi) { return lo + (hi - lo) * rng_unit(r); }
static int rng_below(rng *r, int n) { return (int)(rng_next(r) % (uint32_t)n); }

/* ---- canvas and pens */

typedef struct canvas {
  unsigned char *px;
  int w, h;
} canvas;

typedef struct pen {
  canvas *cv;
  float ox, oy; /* pixel position of the local origin */
  float s;      /* pixels per unit */
  float cs, sn; /* rotation of the local frame */
  float fx;     /* 1, or -1 to mirror local x */
  float grow;   /* units added around every shape (the sticker outline pass) */
  int outline;  /* 1 while painting the silhouette: one colour, no details */
  col outline_col;
} pen;

static void pen_map(const pen *p, float lx, float ly, float *px, float *py) {
  lx *= p->fx;
  *px = p->ox + p->s * (p->cs * lx - p->sn * ly);
  *py = p->oy + p->s * (p->sn * lx + p->cs * ly);
}

/* A child frame at (x, y) of p, turned by deg and scaled; mirroring carries over. */
static pen pen_sub(const pen *p, float x, float y, float deg, float scale) {
  pen q = *p;
  float a = p->fx * deg * PA_PI / 180.0f, ca = cosf(a), sa = sinf(a);
  pen_map(p, x, y, &q.ox, &q.oy);
  q.cs = p->cs * ca - p->sn * sa;
  q.sn = p->sn * ca + p->cs * sa;
  q.s = p->s * scale;
  q.grow = p->grow / scale;
  return q;
}

/* ---- shapes */

typedef enum kind { K_CIRCLE, K_ELLIPSE, K_DOME, K_BOX, K_SEG, K_TRI, K_ARC, K_HEX } kind;

typedef struct shape {
  kind k;
  float cx, cy, cs, sn;      /* the shape's own frame */
  float a, b, c, d, e, f, r; /* meaning depends on k */
  float x0, y0, x1, y1;      /* local bounding box, before growing */
} shape;

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }
static float len2(float x, float y) { return sqrtf(x * x + y * y); }

static shape circle(float x, float y, float r) {
  return (shape){.k = K_CIRCLE,
                 .cx = x,
                 .cy = y,
                 .cs = 1,
                 .a = r,
                 .x0 = x - r,
                 .y0 = y - r,
                 .x1 = x + r,
                 .y1 = y + r};
}

static shape framed(kind k, float x, float y, float rx, float ry, float deg) {
  float a = deg * PA_PI / 180.0f, m = rx > ry ? rx : ry;
  return (shape){.k = k,
                 .cx = x,
                 .cy = y,
                 .cs = cosf(a),
                 .sn = sinf(a),
                 .a = rx,
                 .b = ry,
                 .x0 = x - m,
                 .y0 = y - m,
                 .x1 = x + m,
                 .y1 = y + m};
}
static shape ellipse(float x, float y, float rx, float ry, float deg) {
  return framed(K_ELLIPSE, x, y, rx, ry, deg);
}
/* The upper half of an ellipse (in its own frame): shells and hair caps. */
static shape dome(float x, float y, float rx, float ry, float deg) {
  return framed(K_DOME, x, y, rx, ry, deg);
}
static shape box(float x, float y, float hw, float hh, float r, float deg) {
  shape s = framed(K_BOX, x, y, hw * 1.42f, hh * 1.42f, deg);
  s.a = hw;
  s.b = hh;
  s.r = r;
  return s;
}
static shape seg(float x0, float y0, float x1, float y1, float r) {
  return (shape){.k = K_SEG,
                 .cs = 1,
                 .a = x0,
                 .b = y0,
                 .c = x1,
                 .d = y1,
                 .r = r,
                 .x0 = fminf(x0, x1) - r,
                 .y0 = fminf(y0, y1) - r,
                 .x1 = fmaxf(x0, x1) + r,
                 .y1 = fmaxf(y0, y1) + r};
}
/* A triangle with corners rounded by r (the corners grow outward by r). */
static shape tri(float x0, float y0, float x1, float y1, float x2, float y2, float r) {
  return (shape){.k = K_TRI,
                 .cs = 1,
                 .a = x0,
                 .b = y0,
                 .c = x1,
                 .d = y1,
                 .e = x2,
                 .f = y2,
                 .r = r,
                 .x0 = fminf(x0, fminf(x1, x2)) - r,
                 .y0 = fminf(y0, fminf(y1, y2)) - r,
                 .x1 = fmaxf(x0, fmaxf(x1, x2)) + r,
                 .y1 = fmaxf(y0, fmaxf(y1, y2)) + r};
}
/* A stroke of thickness th along a circle of radius rad, from angle a0 to a1
 * in degrees (0 is +x, 90 is down). */
static shape arc(float x, float y, float rad, float a0, float a1, float th) {
  float m = rad + th;
  return (shape){.k = K_ARC,
                 .cx = x,
                 .cy = y,
                 .cs = 1,
                 .a = rad,
                 .b = a0,
                 .c = a1,
                 .r = th * 0.5f,
                 .x0 = x - m,
                 .y0 = y - m,
                 .x1 = x + m,
                 .y1 = y + m};
}
static shape hexagon(float x, float y, float rad, float round, float deg) {
  shape s = framed(K_HEX, x, y, rad * 1.2f + round, rad * 1.2f + round, deg);
  s.a = rad;
  s.r = round;
  return s;
}

static float sd_ellipse(float x, float y, float rx, float ry) {
  float k0 = len2(x / rx, y / ry), k1 = len2(x / (rx * rx), y / (ry * ry));
  if (k1 < 1e-6f) return -fminf(rx, ry);
  return k0 * (k0 - 1.0f) / k1; /* first-order estimate: exact enough near the edge */
}

static float sd_tri(float px, float py, const shape *s) {
  const float v[6] = {s->a, s->b, s->c, s->d, s->e, s->f};
  float sgn, best = 1e30f, inside = 1e30f;
  float ex0 = v[2] - v[0], ey0 = v[3] - v[1], ex2 = v[0] - v[4], ey2 = v[1] - v[5];
  sgn = (ex0 * ey2 - ey0 * ex2) > 0 ? 1.0f : -1.0f;
  for (int i = 0; i < 3; i++) {
    float ax = v[2 * i], ay = v[2 * i + 1];
    float ex = v[(2 * i + 2) % 6] - ax, ey = v[(2 * i + 3) % 6] - ay;
    float wx = px - ax, wy = py - ay;
    float t = clampf((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0f, 1.0f);
    float qx = wx - ex * t, qy = wy - ey * t;
    float dd = qx * qx + qy * qy, side = sgn * (wx * ey - wy * ex);
    if (dd < best) best = dd;
    if (side < inside) inside = side;
  }
  return -sqrtf(best) * (inside > 0 ? 1.0f : -1.0f);
}

static float sd_shape(const shape *s, float x, float y) {
  float dx = x - s->cx, dy = y - s->cy;
  float fx = s->cs * dx + s->sn * dy, fy = -s->sn * dx + s->cs * dy;
  switch (s->k) {
  case K_CIRCLE: return len2(dx, dy) - s->a;
  case K_ELLIPSE: return sd_ellipse(fx, fy, s->a, s->b);
  case K_DOME: return fmaxf(sd_ellipse(fx, fy, s->a, s->b), fy);
  case K_BOX: {
    float qx = fabsf(fx) - s->a + s->r, qy = fabsf(fy) - s->b + s->r;
    return len2(fmaxf(qx, 0), fmaxf(qy, 0)) + fminf(fmaxf(qx, qy), 0) - s->r;
  }
  case K_SEG: {
    float ex = s->c - s->a, ey = s->d - s->b, wx = x - s->a, wy = y - s->b;
    float l = ex * ex + ey * ey;
    float t = l > 0 ? clampf((wx * ex + wy * ey) / l, 0, 1) : 0;
    return len2(wx - ex * t, wy - ey * t) - s->r;
  }
  case K_TRI: return sd_tri(x, y, s) - s->r;
  case K_ARC: {
    float ang = atan2f(dy, dx) * 180.0f / PA_PI;
    while (ang < s->b) ang += 360.0f;
    while (ang >= s->b + 360.0f) ang -= 360.0f;
    if (ang <= s->c) return fabsf(len2(dx, dy) - s->a) - s->r;
    float a0 = s->b * PA_PI / 180.0f, a1 = s->c * PA_PI / 180.0f;
    float d0 = len2(dx - s->a * cosf(a0), dy - s->a * sinf(a0));
    float d1 = len2(dx - s->a * cosf(a1), dy - s->a * sinf(a1));
    return fminf(d0, d1) - s->r;
  }
  case K_HEX: {
    const float kx = -0.866025404f, ky = 0.5f, kz = 0.577350269f;
    float px = fabsf(fx), py = fabsf(fy), t = 2.0f * fminf(kx * px + ky * py, 0.0f);
    px -= t * kx;
    py -= t * ky;
    px -= clampf(px, -kz * s->a, kz * s->a);
    py -= s->a;
    return len2(px, py) * (py > 0 ? 1.0f : -1.0f) - s->r;
  }
  }
  return 1e30f;
}

/* Paints shape s, cut to clip when not NULL, in colour c with opacity alpha. */
static void fill_clip(const pen *p, shape s, const shape *clip, col c, float alpha) {
  canvas *cv = p->cv;
  float g = p->grow, bx[4], by[4];
  if (p->outline) {
    if (alpha < 0.99f) return; /* translucent touches never shape the silhouette */
    c = p->outline_col;
  }
  pen_map(p, s.x0 - g, s.y0 - g, &bx[0], &by[0]);
  pen_map(p, s.x1 + g, s.y0 - g, &bx[1], &by[1]);
  pen_map(p, s.x0 - g, s.y1 + g, &bx[2], &by[2]);
  pen_map(p, s.x1 + g, s.y1 + g, &bx[3], &by[3]);
  float minx = fminf(fminf(bx[0], bx[1]), fminf(bx[2], bx[3]));
  float maxx = fmaxf(fmaxf(bx[0], bx[1]), fmaxf(bx[2], bx[3]));
  float miny = fminf(fminf(by[0], by[1]), fminf(by[2], by[3]));
  float maxy = fmaxf(fmaxf(by[0], by[1]), fmaxf(by[2], by[3]));
  int x0 = (int)clampf(floorf(minx) - 1, 0, (float)cv->w);
  int x1 = (int)clampf(ceilf(maxx) + 1, 0, (float)cv->w);
  int y0 = (int)clampf(floorf(miny) - 1, 0, (float)cv->h);
  int y1 = (int)clampf(ceilf(maxy) + 1, 0, (float)cv->h);
  float inv = 1.0f / p->s;
  for (int y = y0; y < y1; y++) {
    unsigned char *row = cv->px + ((size_t)y * (size_t)cv->w) * 3u;
    for (int x = x0; x < x1; x++) {
      float dx = ((float)x + 0.5f - p->ox) * inv, dy = ((float)y + 0.5f - p->oy) * inv;
      float lx = (p->cs * dx + p->sn * dy) * p->fx, ly = -p->sn * dx + p->cs * dy;
      float d = sd_shape(&s, lx, ly) - g;
      if (clip) d = fmaxf(d, sd_shape(clip, lx, ly) - g);
      float a = clampf(0.5f - d * p->s, 0.0f, 1.0f) * alpha;
      if (a <= 0.0f) continue;
      unsigned char *o = row + (size_t)x * 3u;
      o[0] = (unsigned char)lrintf((float)o[0] + (c.r - (float)o[0]) * a);
      o[1] = (unsigned char)lrintf((float)o[1] + (c.g - (float)o[1]) * a);
      o[2] = (unsigned char)lrintf((float)o[2] + (c.b - (float)o[2]) * a);
    }
  }
}

static void fill(const pen *p, shape s, col c, float alpha) { fill_clip(p, s, NULL, c, alpha); }

/* A thick stroke along a quadratic Bézier, as a chain of capsules. */
static void curve(const pen *p, float x0, float y0, float cx, float cy, float x1, float y1,
                  float r0, float r1, col c) {
  enum { N = 12 };
  float px = x0, py = y0;
  for (int i = 1; i <= N; i++) {
    float t = (float)i / N, u = 1 - t;
    float x = u * u * x0 + 2 * u * t * cx + t * t * x1;
    float y = u * u * y0 + 2 * u * t * cy + t * t * y1;
    fill(p, seg(px, py, x, y, r0 + (r1 - r0) * t), c, 1);
    px = x;
    py = y;
  }
}

static void heart(const pen *p, float x, float y, float size, float deg, col c, float alpha) {
  pen h = pen_sub(p, x, y, deg, size / 10.0f);
  fill(&h, circle(-2.6f, -1.8f, 3.2f), c, alpha);
  fill(&h, circle(2.6f, -1.8f, 3.2f), c, alpha);
  fill(&h, tri(-5.0f, -0.2f, 5.0f, -0.2f, 0.0f, 5.0f, 0.6f), c, alpha);
}

static void sparkle(const pen *p, float x, float y, float size, col c) {
  fill(p, ellipse(x, y, size * 0.18f, size, 0), c, 1);
  fill(p, ellipse(x, y, size * 0.18f, size, 90), c, 1);
}

static void paw_print(const pen *p, float x, float y, float size, float deg, col c) {
  pen q = pen_sub(p, x, y, deg, size / 10.0f);
  fill(&q, ellipse(0, 2.2f, 4.2f, 3.4f, 0), c, 1);
  fill(&q, ellipse(-4.6f, -2.2f, 1.6f, 2.1f, -20), c, 1);
  fill(&q, ellipse(-1.6f, -4.6f, 1.6f, 2.1f, -5), c, 1);
  fill(&q, ellipse(1.6f, -4.6f, 1.6f, 2.1f, 5), c, 1);
  fill(&q, ellipse(4.6f, -2.2f, 1.6f, 2.1f, 20), c, 1);
}

/* A "z" for sleepy pets, from three strokes. */
static void zee(const pen *p, float x, float y, float size, col c) {
  float h = size * 0.5f, t = size * 0.09f;
  fill(p, seg(x - h, y - h, x + h, y - h, t), c, 1);
  fill(p, seg(x + h, y - h, x - h, y + h, t), c, 1);
  fill(p, seg(x - h, y + h, x + h, y + h, t), c, 1);
}

/* ---- coats: a pet's fixed colours and markings */

typedef enum marking {
  M_NONE,
  M_STRIPES, /* tabby stripes; head stripes on turtles */
  M_CALICO,
  M_POINTS, /* dark mask and ears (colour-point) */
  M_TUXEDO, /* white muzzle and chest on a dark coat */
  M_BLAZE,  /* white stripe between the eyes */
  M_SPOTS,
  M_PATCH, /* one patch around an eye */
  M_MASK,  /* pale cheeks and muzzle */
  M_CREST  /* tall crest feathers (parrots) */
} marking;

typedef struct coat {
  const char *name;
  uint32_t fur;    /* main colour; parrots: body; turtles: shell */
  uint32_t shade;  /* darker fur; parrots: wings; turtles: shell rim */
  uint32_t light;  /* muzzle, chest, belly; turtles: shell plates */
  uint32_t accent; /* markings; parrots: head; turtles: skin */
  uint32_t inner;  /* inside the ears, blush; parrots: cheeks */
  uint32_t nose;   /* nose; parrots: beak */
  uint32_t eye;    /* iris, or the whole eye when dark */
  marking mark;
  int alt_ears; /* dogs: pointy; rabbits: lop; parrots: white face ring */
} coat;

static const coat cat_coats[] = {
    {"grey", 0xa9b3c2, 0x8d98ab, 0xe6eaf1, 0x8d98ab, 0xf6b3c0, 0xf08ca0, 0x2b2530, M_NONE, 0},
    {"ginger tabby", 0xf7ab60, 0xe28c3f, 0xffe8cf, 0xd9742a, 0xffb9b0, 0xf0829a, 0x2b2530,
     M_STRIPES, 0},
    {"black", 0x3f3b4a, 0x2f2c39, 0x57526a, 0x2f2c39, 0xe596ad, 0xd97a93, 0xc4dc52, M_NONE, 0},
    {"calico", 0xfcf6ee, 0xe8dccd, 0xffffff, 0xf3a457, 0xffb9c4, 0xf0829a, 0x2b2530, M_CALICO, 0},
    {"cream colour-point", 0xf6e9d6, 0xe4d2b8, 0xfff8ee, 0x6e4c3d, 0xe6a9b0, 0x8a5a4e, 0x3c78d8,
     M_POINTS, 0},
    {"tuxedo", 0x3f3b4a, 0x2f2c39, 0xffffff, 0x2f2c39, 0xf5a9bb, 0xf08ca0, 0x2b2530, M_TUXEDO, 0},
    {"grey tabby", 0xaab2bf, 0x8f98a8, 0xeef1f5, 0x6d7587, 0xf6b3c0, 0xf08ca0, 0x2b2530, M_STRIPES,
     0},
};

static const coat dog_coats[] = {
    {"golden", 0xebb462, 0xd49640, 0xfbe4bf, 0xcf8d3a, 0xf7a9b2, 0x3a2f35, 0x2b2530, M_NONE, 0},
    {"chocolate brown", 0xa9704a, 0x8d5836, 0xdcb493, 0x7a4a2d, 0xf2a0aa, 0x2f2428, 0x2b2530,
     M_NONE, 0},
    {"black-and-white", 0x3e3b48, 0x2d2a36, 0xffffff, 0x2d2a36, 0xf3a4b2, 0x221d24, 0x2b2530,
     M_BLAZE, 0},
    {"red-and-white", 0xf0a052, 0xd98536, 0xfff7ec, 0xd98536, 0xf7b0a8, 0x2f2428, 0x2b2530, M_MASK,
     1},
    {"spotted", 0xfffdf8, 0xe9e3da, 0xffffff, 0x3a3742, 0xf7b0bc, 0x2f2428, 0x2b2530, M_SPOTS, 0},
    {"white-and-tan", 0xfff8ee, 0xeadcc8, 0xffffff, 0xc08a5c, 0xf7b0bc, 0x3a2f35, 0x2b2530, M_PATCH,
     0},
    {"grey-and-white", 0x8e98a8, 0x737e90, 0xffffff, 0x5f697b, 0xf3a4b2, 0x2b2530, 0x5ea6e6, M_MASK,
     1},
};

static const coat rabbit_coats[] = {
    {"white", 0xfffcf8, 0xefe6dc, 0xffffff, 0xefe6dc, 0xffb8c8, 0xf58aa5, 0x2b2530, M_NONE, 0},
    {"grey", 0xbdb6b4, 0xa39b99, 0xece8e6, 0xa39b99, 0xf4b2bf, 0xe88aa0, 0x2b2530, M_NONE, 0},
    {"brown", 0xb98d66, 0x9e734f, 0xeedcc8, 0x9e734f, 0xf4b2bf, 0xe88aa0, 0x2b2530, M_NONE, 0},
    {"black-and-white", 0xfffcf8, 0xefe6dc, 0xffffff, 0x3e3b48, 0xffb8c8, 0xf58aa5, 0x2b2530,
     M_PATCH, 0},
    {"cream lop-eared", 0xf5e2c4, 0xe2c9a3, 0xfff6e8, 0xe2c9a3, 0xf4b2bf, 0xe88aa0, 0x2b2530,
     M_NONE, 1},
};

static const coat parrot_coats[] = {
    {"green", 0x8ed25c, 0x5f9f3b, 0xbfe98a, 0xffe66b, 0x5b8cff, 0xf2c48d, 0x2b2530, M_NONE, 0},
    {"blue", 0x7cc4f2, 0x4f93c6, 0xb5e0fb, 0xffffff, 0x4d6fd8, 0xf2c48d, 0x2b2530, M_NONE, 0},
    {"orange-and-yellow", 0xffb42e, 0x6cbf55, 0xffd768, 0xff8a2a, 0xff6d3a, 0x3d3a46, 0x2b2530,
     M_NONE, 1},
    {"grey-and-yellow", 0xb9b6b2, 0x96928e, 0xd6d3cf, 0xffe27a, 0xff9a4d, 0x9a8f8a, 0x2b2530,
     M_CREST, 0},
    {"scarlet", 0xe8433e, 0x3b82d6, 0xf06a4f, 0xe8433e, 0xffd23f, 0xf4efe6, 0x2b2530, M_NONE, 1},
};

static const coat hamster_coats[] = {
    {"golden", 0xf3b561, 0xdd9a43, 0xfff6ea, 0xdd9a43, 0xffb3bd, 0xf58aa5, 0x2b2530, M_NONE, 0},
    {"cream", 0xf8e5c6, 0xe9cfa7, 0xfffaf2, 0xe9cfa7, 0xffb3bd, 0xf58aa5, 0x8f2d44, M_NONE, 0},
    {"grey", 0xb3afb3, 0x979297, 0xf4f1f3, 0x6e6970, 0xffb3bd, 0xf58aa5, 0x2b2530, M_STRIPES, 0},
    {"black-and-white", 0xffffff, 0xece6e6, 0xffffff, 0x3e3b48, 0xffb3bd, 0xf58aa5, 0x2b2530,
     M_PATCH, 0},
};

static const coat turtle_coats[] = {
    {"green", 0x62a657, 0x4a8842, 0x8acb70, 0xa5d97f, 0xffa4a4, 0x2b2530, 0x2b2530, M_NONE, 0},
    {"olive red-eared", 0x6f8f45, 0x587336, 0x9cb765, 0x98c46a, 0xff8f8f, 0x2b2530, 0x2b2530,
     M_STRIPES, 0},
    {"brown", 0xa87a4f, 0x8a613b, 0xcf9f69, 0xb9cc7d, 0xffa4a4, 0x2b2530, 0x2b2530, M_NONE, 0},
    {"teal", 0x3fa8a0, 0x2f8a83, 0x73d0c5, 0xa8dc8e, 0xffa4a4, 0x2b2530, 0x2b2530, M_SPOTS, 0},
};

typedef struct species_info {
  const char *name;
  const coat *coats;
  int ncoats;
  float focus_x, focus_y, zoom; /* avatar close-up: centre and magnification */
} species_info;

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const species_info species_table[PA_ART_SPECIES_COUNT] = {
    {"cat", cat_coats, COUNT(cat_coats), 0, -6, 1.55f},
    {"dog", dog_coats, COUNT(dog_coats), 0, -6, 1.6f},
    {"rabbit", rabbit_coats, COUNT(rabbit_coats), 0, -12, 1.4f},
    {"parrot", parrot_coats, COUNT(parrot_coats), 0, -16, 1.65f},
    {"hamster", hamster_coats, COUNT(hamster_coats), 0, 2, 1.35f},
    {"turtle", turtle_coats, COUNT(turtle_coats), 32, 2, 1.55f},
};

/* ---- scene plan: everything a scene seed decides, derived in one place so
 * the picture and its description agree. */

typedef enum eyes { EYES_OPEN, EYES_HAPPY, EYES_WINK, EYES_SLEEPY } eyes;
typedef enum accessory {
  ACC_NONE,
  ACC_BOW,
  ACC_PARTY_HAT,
  ACC_BANDANA,
  ACC_FLOWER,
  ACC_COLLAR,
  ACC_COUNT
} accessory;
typedef enum pattern {
  PAT_DOTS,
  PAT_STRIPES,
  PAT_PAWS,
  PAT_HEARTS,
  PAT_CONFETTI,
  PAT_PLAIN,
  PAT_COUNT
} pattern;
typedef enum floaters { FLOAT_NONE, FLOAT_HEARTS, FLOAT_SPARKLES } floaters;

typedef struct plan {
  col bg_top, bg_bottom, ground, pattern_col;
  pattern pat;
  float tilt; /* head tilt, degrees */
  float mirror;
  eyes eye;
  int tongue;
  accessory acc;
  col acc_col, acc_col2;
  floaters flt;
  int snack; /* hamsters: holding a seed */
  uint32_t seed;
} plan;

static const uint32_t backgrounds[][2] = {
    {0xd9f2e6, 0xbfe8d4}, /* mint */
    {0xffe6d5, 0xffd2b5}, /* peach */
    {0xebe3fc, 0xd9ccf7}, /* lavender */
    {0xd9edff, 0xbfdfff}, /* sky */
    {0xfff4c9, 0xffe79e}, /* butter */
    {0xffe0ea, 0xffcadb}, /* blush */
    {0xe4efd8, 0xd1e4bf}, /* sage */
};
static const uint32_t accent_colours[] = {0xf25f5c, 0x2ec4b6, 0x9b5de5, 0x3a86ff,
                                          0xffbe0b, 0xff70a6, 0x43aa8b};

static const char *const accessory_words[ACC_COUNT] = {
    NULL, "a bow", "a party hat", "a bandana", "a flower", "a collar with a tag"};

static plan make_plan(const pa_art_pet *pet, const pa_art_scene *scene) {
  plan pl;
  rng r = {hash32(scene->seed ^ 0x5eed1234u)};
  const uint32_t *bg = backgrounds[rng_below(&r, COUNT(backgrounds))];
  pl.seed = scene->seed;
  pl.bg_top = hex(bg[0]);
  pl.bg_bottom = hex(bg[1]);
  pl.ground = darken(pl.bg_bottom, 0.09f);
  pl.pattern_col = lighten(pl.bg_top, 0.55f);
  pl.pat = (pattern)rng_below(&r, PAT_COUNT);
  pl.tilt = rng_range(&r, -13.0f, 13.0f);
  pl.mirror = rng_below(&r, 2) ? -1.0f : 1.0f;
  int e = rng_below(&r, 10);
  pl.eye = e < 5 ? EYES_OPEN : e < 7 ? EYES_HAPPY : e < 9 ? EYES_WINK : EYES_SLEEPY;
  pl.tongue = rng_below(&r, 3) == 0 && pl.eye != EYES_SLEEPY;
  /* About half the pictures dress the pet up. */
  int acc = rng_below(&r, 2 * (ACC_COUNT - 1));
  pl.acc = acc < ACC_COUNT - 1 ? (accessory)(acc + 1) : ACC_NONE;
  /* Parrots and turtles have no neck for a bandana or collar; a collar would
   * vanish in a hamster's fluff, a bandana does not. */
  if ((pet->species == PA_ART_PARROT || pet->species == PA_ART_TURTLE) &&
      (pl.acc == ACC_BANDANA || pl.acc == ACC_COLLAR))
    pl.acc = ACC_PARTY_HAT;
  if (pet->species == PA_ART_HAMSTER && pl.acc == ACC_COLLAR) pl.acc = ACC_BANDANA;
  int a = rng_below(&r, COUNT(accent_colours));
  pl.acc_col = hex(accent_colours[a]);
  pl.acc_col2 = hex(accent_colours[(a + 2 + rng_below(&r, 3)) % COUNT(accent_colours)]);
  pl.flt = (floaters)rng_below(&r, 3);
  pl.snack = rng_below(&r, 2);
  if (scene->frame == PA_ART_FRAME_AVATAR) {
    /* Avatars stay calm and readable at 40 px: eyes open, nothing on the head. */
    pl.eye = EYES_OPEN;
    pl.acc = ACC_NONE;
    pl.flt = FLOAT_NONE;
    pl.tilt *= 0.5f;
  }
  return pl;
}

/* ---- shared features */

static int is_dark(col c) { return c.r + c.g + c.b < 300.0f; }

/* Outlines and closed eyes: dark ink, or pale ink on dark fur. */
static col ink_on(col under) { return is_dark(under) ? hex(0xf4eef8) : hex(0x2b2530); }

/* under is the colour around the eye, so dark eyes on dark fur get a pale rim. */
static void eye(const pen *p, float x, float y, float size, eyes style, int right, col iris,
                col under) {
  col line = ink_on(under);
  if (p->outline) return;
  if (style == EYES_WINK) style = right ? EYES_HAPPY : EYES_OPEN;
  if (style == EYES_HAPPY) {
    fill(p, arc(x, y + size * 0.55f, size * 0.95f, 200, 340, size * 0.42f), line, 1);
    return;
  }
  if (style == EYES_SLEEPY) {
    fill(p, arc(x, y - size * 0.35f, size * 0.95f, 25, 155, size * 0.38f), line, 1);
    return;
  }
  int dark = iris.r + iris.g + iris.b < 200.0f;
  if (dark) {
    if (is_dark(under))
      fill(p, ellipse(x, y, size * 0.82f + 0.8f, size + 0.8f, 0), lighten(under, 0.5f), 1);
    fill(p, ellipse(x, y, size * 0.82f, size, 0), iris, 1);
  } else {
    fill(p, ellipse(x, y, size * 0.86f, size * 1.04f, 0), hex(0x2b2530), 1);
    fill(p, ellipse(x, y, size * 0.72f, size * 0.9f, 0), iris, 1);
    fill(p, ellipse(x, y + size * 0.05f, size * 0.28f, size * 0.74f, 0), hex(0x201a24), 1);
  }
  fill(p, circle(x + size * 0.28f, y - size * 0.36f, size * 0.3f), hex(0xffffff), 1);
  fill(p, circle(x - size * 0.3f, y + size * 0.36f, size * 0.13f), hex(0xffffff), 0.9f);
}

/* The "ω" mouth of cats, rabbits and hamsters. */
static void mouth_w(const pen *p, float x, float y, float size, col c) {
  if (p->outline) return;
  fill(p, arc(x - size, y, size, 10, 170, size * 0.38f), c, 1);
  fill(p, arc(x + size, y, size, 10, 170, size * 0.38f), c, 1);
}

static void whiskers(const pen *p, float x, float y, float len, col c) {
  if (p->outline) return;
  for (int side = -1; side <= 1; side += 2) {
    float s = (float)side;
    fill(p, seg(s * x, y - 1.6f, s * (x + len), y - 4.0f, 0.32f), c, 1);
    fill(p, seg(s * x, y, s * (x + len * 1.05f), y + 0.2f, 0.32f), c, 1);
    fill(p, seg(s * x, y + 1.6f, s * (x + len), y + 4.4f, 0.32f), c, 1);
  }
}

static void blush(const pen *p, float x, float y, float rx, col c) {
  fill(p, ellipse(-x, y, rx, rx * 0.6f, 0), c, 0.55f);
  fill(p, ellipse(x, y, rx, rx * 0.6f, 0), c, 0.55f);
}

/* Head accessories, placed by each species at its own anchor points:
 * (hx, hy) top of the head for hats and flowers, (bx, by) ear base for bows,
 * neck_y and neck_w for bandanas and collars. */
typedef struct anchors {
  float hx, hy, hat_size, bx, by, neck_y, neck_w;
} anchors;

static void accessory_draw(const pen *p, const plan *pl, const anchors *an, int neck) {
  col c = pl->acc_col, c2 = pl->acc_col2, white = hex(0xffffff);
  if (neck != (pl->acc == ACC_BANDANA || pl->acc == ACC_COLLAR)) return;
  switch (pl->acc) {
  case ACC_NONE: break;
  case ACC_BOW: {
    pen q = pen_sub(p, an->bx, an->by, 18, 1);
    fill(&q, tri(-1, 0, -9, -5.5f, -9, 5.5f, 1.6f), c, 1);
    fill(&q, tri(1, 0, 9, -5.5f, 9, 5.5f, 1.6f), c, 1);
    if (!p->outline) {
      fill(&q, circle(-6.5f, -1.5f, 1.3f), lighten(c, 0.5f), 1);
      fill(&q, circle(6.5f, 1.5f, 1.3f), lighten(c, 0.5f), 1);
    }
    fill(&q, ellipse(0, 0, 2.8f, 3.2f, 0), darken(c, 0.15f), 1);
    break;
  }
  case ACC_PARTY_HAT: {
    float s = an->hat_size;
    pen q = pen_sub(p, an->hx, an->hy, 12, s / 10.0f);
    fill(&q, tri(-7, 1, 7, 1, 0, -17, 0.8f), c, 1);
    if (!p->outline) {
      fill(&q, seg(-4.2f, -6, 3.6f, -4, 1.1f), c2, 1);
      fill(&q, seg(-6.0f, 0, 6.0f, 0.8f, 1.2f), c2, 1);
      fill(&q, circle(-1.5f, -10.5f, 1.0f), white, 1);
      fill(&q, circle(2.5f, -2.5f, 1.0f), white, 1);
    }
    fill(&q, circle(0, -18.5f, 3.0f), c2, 1);
    break;
  }
  case ACC_FLOWER: {
    pen q = pen_sub(p, an->bx, an->by, 0, 1);
    for (int i = 0; i < 5; i++) {
      float a = (float)i * 72.0f * PA_PI / 180.0f;
      fill(&q, circle(4.2f * cosf(a), 4.2f * sinf(a), 3.4f), c, 1);
    }
    fill(&q, circle(0, 0, 2.8f), hex(0xffd23f), 1);
    break;
  }
  case ACC_BANDANA: {
    float w = an->neck_w, y = an->neck_y;
    fill(p, tri(-w, y - 1, w, y - 1, 0, y + w * 0.85f, 1.5f), c, 1);
    if (!p->outline) {
      fill(p, circle(-w * 0.45f, y + 2.5f, 1.1f), white, 0.9f);
      fill(p, circle(w * 0.45f, y + 2.5f, 1.1f), white, 0.9f);
      fill(p, circle(0, y + w * 0.45f, 1.1f), white, 0.9f);
    }
    break;
  }
  case ACC_COLLAR: {
    float w = an->neck_w, y = an->neck_y;
    fill(p, box(0, y, w, 2.3f, 2.3f, 0), c, 1);
    fill(p, circle(0, y + 4.2f, 3.0f), hex(0xffcf3f), 1);
    if (!p->outline) fill(p, circle(-0.8f, y + 3.4f, 0.9f), hex(0xfff1b8), 1);
    break;
  }
  case ACC_COUNT: break;
  }
}

/* ---- species */

typedef struct look {
  col fur, shade, light, accent, inner, nose, eye, line;
  marking mark;
  int alt;
} look;

static look look_of(const coat *c) {
  look k = {hex(c->fur),  hex(c->shade), hex(c->light), hex(c->accent), hex(c->inner),
            hex(c->nose), hex(c->eye),   hex(0x2b2530), c->mark,        c->alt_ears};
  return k;
}

static void draw_cat(const pen *p, const look *k, const plan *pl) {
  /* body, tail and paws */
  curve(p, 14, 38, 42, 38, 33, 10, 4.2f, 3.6f, k->mark == M_POINTS ? k->accent : k->fur);
  fill(p, ellipse(0, 25, 21, 19, 0), k->fur, 1);
  if (k->mark == M_TUXEDO || k->mark == M_CALICO || k->mark == M_NONE)
    fill(p, ellipse(0, 27, 11, 13, 0), k->light, 1);
  else
    fill(p, ellipse(0, 27, 11, 13, 0), lighten(k->fur, 0.45f), 1);
  fill(p, ellipse(-8.5f, 41, 6.5f, 4.6f, 0), k->mark == M_TUXEDO ? k->light : k->fur, 1);
  fill(p, ellipse(8.5f, 41, 6.5f, 4.6f, 0), k->mark == M_TUXEDO ? k->light : k->fur, 1);
  if (!p->outline) {
    col toe = darken(k->mark == M_TUXEDO ? k->light : k->fur, 0.25f);
    for (int s = -1; s <= 1; s += 2) {
      fill(p, seg(s * 8.5f - 1.6f, 42.5f, s * 8.5f - 1.6f, 44.5f, 0.35f), toe, 1);
      fill(p, seg(s * 8.5f + 1.6f, 42.5f, s * 8.5f + 1.6f, 44.5f, 0.35f), toe, 1);
    }
  }

  pen h = pen_sub(p, 0, 6, pl->tilt, 1);
  col ear = k->mark == M_POINTS ? k->accent : k->fur;
  /* ears */
  fill(&h, tri(-22, -22, -18, -46, -4, -34, 2.5f), ear, 1);
  fill(&h, tri(22, -22, 18, -46, 4, -34, 2.5f), k->mark == M_CALICO ? hex(0x4a4350) : ear, 1);
  fill(&h, tri(-17.5f, -26, -16, -40, -8, -33, 1.2f), k->inner, 1);
  fill(&h, tri(17.5f, -26, 16, -40, 8, -33, 1.2f), k->inner, 1);
  /* head */
  fill(&h, ellipse(0, -14, 25, 21, 0), k->fur, 1);
  if (!h.outline) {
    switch (k->mark) {
    case M_STRIPES:
      fill(&h, seg(0, -33.5f, 0, -27, 1.5f), k->accent, 1);
      fill(&h, seg(-6, -32.5f, -5, -27.5f, 1.3f), k->accent, 1);
      fill(&h, seg(6, -32.5f, 5, -27.5f, 1.3f), k->accent, 1);
      fill(&h, seg(-22.5f, -16, -18, -15, 1.1f), k->accent, 1);
      fill(&h, seg(-22.5f, -11, -18, -11, 1.1f), k->accent, 1);
      fill(&h, seg(22.5f, -16, 18, -15, 1.1f), k->accent, 1);
      fill(&h, seg(22.5f, -11, 18, -11, 1.1f), k->accent, 1);
      break;
    case M_CALICO:
      fill(&h, ellipse(-12, -22, 10, 8, -20), k->accent, 1);
      fill(&h, ellipse(14, -24, 8, 6, 25), hex(0x4a4350), 1);
      break;
    case M_POINTS: fill(&h, ellipse(0, -7, 12, 9.5f, 0), k->accent, 1); break;
    case M_TUXEDO:
      fill(&h, ellipse(0, -3, 11, 8.5f, 0), k->light, 1);
      fill(&h, tri(0, -20, -4, -9, 4, -9, 1), k->light, 1);
      break;
    default: break;
    }
  }
  if (k->mark != M_POINTS && k->mark != M_TUXEDO) {
    fill(&h, ellipse(-4, -5.5f, 5.5f, 4.2f, 0), k->light, 1);
    fill(&h, ellipse(4, -5.5f, 5.5f, 4.2f, 0), k->light, 1);
  }
  col muzzle = k->mark == M_TUXEDO ? k->light : k->mark == M_POINTS ? k->accent : k->light;
  eye(&h, -10, -15, 3.8f, pl->eye, 0, k->eye, k->fur);
  eye(&h, 10, -15, 3.8f, pl->eye, 1, k->eye, k->fur);
  blush(&h, 16, -7, 3.6f, k->inner);
  fill(&h, tri(-2.3f, -9.2f, 2.3f, -9.2f, 0, -6.8f, 0.9f), k->nose, 1);
  mouth_w(&h, 0, -6.2f, 1.9f, is_dark(muzzle) ? ink_on(muzzle) : darken(k->fur, 0.55f));
  whiskers(&h, 12, -7, 16, is_dark(k->fur) ? hex(0xe9e4ef) : darken(k->fur, 0.45f));
  anchors an = {6, -33, 11, 15, -33, 11, 11};
  accessory_draw(&h, pl, &an, 0);
  anchors neck = {0, 0, 0, 0, 0, 8.5f, 12};
  accessory_draw(p, pl, &neck, 1);
}

static void draw_dog(const pen *p, const look *k, const plan *pl) {
  float wag = pl->tilt * 0.8f;
  curve(p, 15, 33, 31, 31 + wag * 0.3f, 30, 17 - wag * 0.4f, 3.2f, 2.2f, k->fur);
  fill(p, ellipse(0, 26, 22, 18, 0), k->fur, 1);
  fill(p, ellipse(0, 28, 11, 12, 0), k->mark == M_NONE ? lighten(k->fur, 0.55f) : k->light, 1);
  if (k->mark == M_SPOTS && !p->outline) {
    fill(p, circle(-14, 22, 2.4f), k->accent, 1);
    fill(p, circle(13, 30, 2.0f), k->accent, 1);
    fill(p, circle(16, 19, 1.6f), k->accent, 1);
  }
  col paw = k->mark == M_BLAZE || k->mark == M_MASK ? k->light : k->fur;
  fill(p, ellipse(-9, 41, 7, 4.8f, 0), paw, 1);
  fill(p, ellipse(9, 41, 7, 4.8f, 0), paw, 1);
  if (!p->outline) {
    col toe = darken(paw, 0.25f);
    for (int s = -1; s <= 1; s += 2) {
      fill(p, seg(s * 9.0f - 1.8f, 42.3f, s * 9.0f - 1.8f, 44.6f, 0.38f), toe, 1);
      fill(p, seg(s * 9.0f + 1.8f, 42.3f, s * 9.0f + 1.8f, 44.6f, 0.38f), toe, 1);
    }
  }

  pen h = pen_sub(p, 0, 6, pl->tilt, 1);
  col ear = k->mark == M_PATCH || k->mark == M_SPOTS ? k->accent : k->shade;
  if (k->alt) {
    fill(&h, tri(-22, -20, -17, -45, -5, -31, 2.5f), k->fur, 1);
    fill(&h, tri(22, -20, 17, -45, 5, -31, 2.5f), k->fur, 1);
    fill(&h, tri(-17, -25, -15.5f, -39, -9, -31, 1.2f), k->inner, 1);
    fill(&h, tri(17, -25, 15.5f, -39, 9, -31, 1.2f), k->inner, 1);
  }
  fill(&h, ellipse(0, -14, 24, 21, 0), k->fur, 1);
  if (!h.outline) {
    switch (k->mark) {
    case M_PATCH: fill(&h, ellipse(-10, -16, 7.5f, 7, 10), k->accent, 1); break;
    case M_SPOTS:
      fill(&h, circle(-15, -26, 2.2f), k->accent, 1);
      fill(&h, circle(8, -29, 1.7f), k->accent, 1);
      fill(&h, circle(17, -8, 1.9f), k->accent, 1);
      break;
    case M_BLAZE: fill(&h, seg(0, -33, 0, -16, 3.0f), k->light, 1); break;
    case M_MASK:
      fill(&h, ellipse(-9, -6, 10, 8, -15), k->light, 1);
      fill(&h, ellipse(9, -6, 10, 8, 15), k->light, 1);
      fill(&h, circle(-9, -21.5f, 1.8f), k->light, 1);
      fill(&h, circle(9, -21.5f, 1.8f), k->light, 1);
      break;
    default: break;
    }
  }
  if (!k->alt) {
    /* floppy ears hang over the head's sides */
    fill(&h, ellipse(-22, -18, 8, 15, 22), ear, 1);
    fill(&h, ellipse(22, -18, 8, 15, -22), ear, 1);
  }
  fill(&h, ellipse(0, -5, 12, 9, 0), k->mark == M_NONE ? lighten(k->fur, 0.55f) : k->light, 1);
  col line = k->line; /* the mouth sits on the pale muzzle */
  eye(&h, -10, -16, 3.8f, pl->eye, 0, k->eye, k->mark == M_PATCH ? k->accent : k->fur);
  eye(&h, 10, -16, 3.8f, pl->eye, 1, k->eye, k->fur);
  blush(&h, 16, -7, 3.4f, k->inner);
  if (!h.outline) {
    if (pl->tongue) {
      fill(&h, ellipse(0, 1.5f, 3.2f, 4.4f, 0), hex(0xff7b93), 1);
      fill(&h, seg(0, -0.2f, 0, 3.2f, 0.35f), hex(0xe05a75), 1);
    }
    fill(&h, seg(0, -8, 0, -3.5f, 0.45f), line, 1);
    fill(&h, arc(-2.6f, -3.4f, 2.6f, 10, 170, 0.9f), line, 1);
    fill(&h, arc(2.6f, -3.4f, 2.6f, 10, 170, 0.9f), line, 1);
  }
  fill(&h, ellipse(0, -9, 4.4f, 3.1f, 0), k->nose, 1);
  if (!h.outline) fill(&h, ellipse(-1.2f, -10, 1.3f, 0.8f, 0), hex(0xffffff), 0.7f);
  anchors an = {-6, -33, 11, -16, -32, 11, 11};
  accessory_draw(&h, pl, &an, 0);
  anchors neck = {0, 0, 0, 0, 0, 9, 13};
  accessory_draw(p, pl, &neck, 1);
}

static void draw_rabbit(const pen *p, const look *k, const plan *pl) {
  fill(p, ellipse(0, 27, 20, 17, 0), k->fur, 1);
  fill(p, ellipse(0, 29, 10, 11, 0), k->light, 1);
  fill(p, ellipse(-7, 41, 5.5f, 4, 0), k->fur, 1);
  fill(p, ellipse(7, 41, 5.5f, 4, 0), k->fur, 1);
  if (k->mark == M_PATCH && !p->outline) fill(p, ellipse(12, 22, 6, 5, 20), k->accent, 1);

  pen h = pen_sub(p, 0, 8, pl->tilt, 1);
  col ear = k->mark == M_PATCH ? k->accent : k->fur;
  if (k->alt) {
    /* lop ears droop down the sides of the head */
    fill(&h, ellipse(-20, -14, 6.5f, 16, 18), ear, 1);
    fill(&h, ellipse(20, -14, 6.5f, 16, -18), ear, 1);
  } else {
    fill(&h, ellipse(-8.5f, -39, 6.2f, 16, -9), ear, 1);
    fill(&h, ellipse(8.5f, -39, 6.2f, 16, 9), ear, 1);
    fill(&h, ellipse(-8.6f, -38, 3.2f, 12, -9), k->inner, 1);
    fill(&h, ellipse(8.6f, -38, 3.2f, 12, 9), k->inner, 1);
  }
  fill(&h, ellipse(0, -14, 21, 18, 0), k->fur, 1);
  if (k->alt) {
    /* lop ears hang in front of the cheeks */
    fill(&h, ellipse(-20, -13, 6.5f, 15, 14), k->shade, 1);
    fill(&h, ellipse(20, -13, 6.5f, 15, -14), k->shade, 1);
  }
  if (k->mark == M_PATCH && !h.outline) {
    fill(&h, ellipse(-8.5f, -16, 7, 7, 0), k->accent, 1);
    fill(&h, ellipse(8.5f, -16, 7, 7, 0), k->accent, 1);
  }
  fill(&h, ellipse(-4.2f, -6, 5, 4, 0), k->light, 1);
  fill(&h, ellipse(4.2f, -6, 5, 4, 0), k->light, 1);
  col around = k->mark == M_PATCH ? k->accent : k->fur;
  eye(&h, -8.5f, -16, 3.4f, pl->eye, 0, k->eye, around);
  eye(&h, 8.5f, -16, 3.4f, pl->eye, 1, k->eye, around);
  blush(&h, 13.5f, -7.5f, 3.2f, k->inner);
  if (!h.outline) {
    fill(&h, box(0, -3.4f, 2.0f, 1.9f, 0.6f, 0), hex(0xffffff), 1);
    fill(&h, seg(0, -4.8f, 0, -1.9f, 0.2f), hex(0xd9d2cc), 1);
  }
  fill(&h, tri(-1.8f, -10, 1.8f, -10, 0, -8.3f, 0.7f), k->nose, 1);
  mouth_w(&h, 0, -7.8f, 1.7f, darken(k->fur, 0.5f));
  whiskers(&h, 9, -8, 11, darken(k->fur, 0.35f));
  anchors an = {0, -31, 9, k->alt ? 12 : 0, k->alt ? -30 : -31, 10, 10};
  if (!k->alt && pl->acc == ACC_PARTY_HAT) an.hx = -1;
  accessory_draw(&h, pl, &an, 0);
  anchors neck = {0, 0, 0, 0, 0, 11, 11};
  accessory_draw(p, pl, &neck, 1);
}

static void draw_parrot(const pen *p, const look *k, const plan *pl) {
  col wood = hex(0xb07845);
  /* tail, then the perch it hangs behind, then the bird */
  fill(p, ellipse(-3.5f, 46, 3.6f, 11, 10), k->shade, 1);
  fill(p, ellipse(3.5f, 46, 3.6f, 11, -10), k->shade, 1);
  fill(p, seg(-40, 38, 40, 38, 3.2f), wood, 1);
  if (!p->outline) {
    fill(p, seg(-30, 37.5f, -22, 37.5f, 0.5f), darken(wood, 0.25f), 1);
    fill(p, seg(18, 38.5f, 27, 38.5f, 0.5f), darken(wood, 0.25f), 1);
  }
  fill(p, ellipse(0, 15, 19, 24, 0), k->fur, 1);
  fill(p, ellipse(0, 21, 12, 16, 0), k->light, 1);
  if (!p->outline) {
    /* a few belly feathers */
    for (int i = 0; i < 3; i++) {
      float y = 16 + (float)i * 6;
      fill(p, arc(-3, y, 3, 20, 160, 0.7f), darken(k->light, 0.12f), 1);
      fill(p, arc(3.5f, y + 3, 3, 20, 160, 0.7f), darken(k->light, 0.12f), 1);
    }
  }
  for (int s = -1; s <= 1; s += 2) {
    float f = (float)s;
    fill(p, ellipse(f * 16, 17, 7.5f, 17, f * -12), k->shade, 1);
    if (!p->outline) {
      fill(p, arc(f * 16.5f, 22, 4.5f, 20, 160, 1.1f), darken(k->shade, 0.2f), 1);
      fill(p, arc(f * 17.5f, 27, 4, 20, 160, 1.1f), darken(k->shade, 0.2f), 1);
      fill(p, ellipse(f * 15.5f, 9, 3.5f, 5, f * -12), lighten(k->shade, 0.25f), 1);
    }
  }
  col foot = hex(0x9a8a8a);
  for (int s = -1; s <= 1; s += 2) {
    float f = (float)s * 6;
    fill(p, seg(f - 2.4f, 36, f - 2.4f, 40.5f, 1.3f), foot, 1);
    fill(p, seg(f, 36, f, 41, 1.3f), foot, 1);
    fill(p, seg(f + 2.4f, 36, f + 2.4f, 40.5f, 1.3f), foot, 1);
  }

  pen h = pen_sub(p, 0, 0, pl->tilt, 1);
  if (k->mark == M_CREST) {
    fill(&h, ellipse(0, -38, 2.6f, 9, 5), k->accent, 1);
    fill(&h, ellipse(-4.5f, -36, 2.4f, 8, -18), k->accent, 1);
    fill(&h, ellipse(4.5f, -35, 2.2f, 7, 25), k->accent, 1);
  } else {
    fill(&h, ellipse(-1.5f, -35, 2.4f, 4.5f, -20), k->accent, 1);
    fill(&h, ellipse(2, -35.5f, 2.2f, 4, 15), k->accent, 1);
  }
  fill(&h, circle(0, -18, 17.5f), k->accent, 1);
  if (k->alt && !h.outline) {
    /* bare facial patches, as macaws and conures have */
    fill(&h, ellipse(-8.5f, -19, 6, 5.5f, 0), hex(0xfbf7f0), 1);
    fill(&h, ellipse(8.5f, -19, 6, 5.5f, 0), hex(0xfbf7f0), 1);
  }
  if (!h.outline) {
    fill(&h, circle(-12, -11, 3.6f), k->inner, 1);
    fill(&h, circle(12, -11, 3.6f), k->inner, 1);
  }
  col face = k->alt ? hex(0xfbf7f0) : k->accent;
  eye(&h, -8.5f, -20, 3.2f, pl->eye, 0, k->eye, face);
  eye(&h, 8.5f, -20, 3.2f, pl->eye, 1, k->eye, face);
  col beak = k->nose;
  fill(&h, ellipse(0, -9.5f, 3.3f, 2.6f, 0), darken(beak, 0.3f), 1);
  fill(&h, ellipse(0, -14, 5.2f, 4.2f, 0), beak, 1);
  fill(&h, tri(-4.2f, -13, 4.2f, -13, 0.6f, -6.8f, 1.0f), beak, 1);
  if (!h.outline) fill(&h, ellipse(-1.8f, -15.5f, 1.6f, 1.0f, -20), lighten(beak, 0.5f), 0.8f);
  if (k->inner.b > 200 && k->inner.r < 120 && !h.outline) /* budgie cere */
    fill(&h, ellipse(0, -17.2f, 2.8f, 1.2f, 0), k->inner, 1);
  anchors an = {3, -33, 9, 11, -31, 0, 0};
  accessory_draw(&h, pl, &an, 0);
}

static void draw_hamster(const pen *p, const look *k, const plan *pl) {
  fill(p, ellipse(-13, 38, 6, 3.6f, -10), k->inner, 1);
  fill(p, ellipse(13, 38, 6, 3.6f, 10), k->inner, 1);
  pen h = pen_sub(p, 0, 34, pl->tilt * 0.6f, 1);
  /* the whole hamster is one round loaf; coordinates relative to its base */
  fill(&h, circle(-18, -52, 7.5f), k->fur, 1);
  fill(&h, circle(18, -52, 7.5f), k->fur, 1);
  fill(&h, circle(-18, -52, 4.2f), k->inner, 1);
  fill(&h, circle(18, -52, 4.2f), k->inner, 1);
  fill(&h, ellipse(0, -30, 32, 30, 0), k->fur, 1);
  if (!h.outline) {
    if (k->mark == M_STRIPES) fill(&h, ellipse(0, -54, 7, 4, 0), k->accent, 1);
    if (k->mark == M_PATCH) {
      fill(&h, ellipse(-13, -39, 8, 7.5f, -10), k->accent, 1);
      fill(&h, ellipse(21, -22, 8, 10, 20), k->accent, 1);
    }
  }
  fill(&h, ellipse(0, -16, 22, 16, 0), k->light, 1);
  fill(&h, ellipse(0, -29, 11, 8, 0), k->light, 1);
  fill(&h, ellipse(-17, -27, 9.5f, 8.5f, 0), lighten(k->fur, 0.35f), 1);
  fill(&h, ellipse(17, -27, 9.5f, 8.5f, 0), lighten(k->fur, 0.35f), 1);
  eye(&h, -11, -37, 3.4f, pl->eye, 0, k->eye, k->mark == M_PATCH ? k->accent : k->fur);
  eye(&h, 11, -37, 3.4f, pl->eye, 1, k->eye, k->fur);
  blush(&h, 17, -25.5f, 3.6f, k->inner);
  fill(&h, ellipse(0, -31, 1.9f, 1.3f, 0), k->nose, 1);
  mouth_w(&h, 0, -29.6f, 1.5f, darken(k->fur, 0.55f));
  whiskers(&h, 6, -29, 9, darken(k->fur, 0.35f));
  if (pl->snack && !h.outline) {
    /* a sunflower seed held in both paws */
    pen sd = pen_sub(&h, 0, -17, 20, 1);
    fill(&sd, ellipse(0, 0, 3.2f, 5.4f, 0), hex(0x3b3540), 1);
    fill(&sd, seg(-1.1f, -3.5f, -1.1f, 3.5f, 0.35f), hex(0xe9e4dc), 1);
    fill(&sd, seg(1.1f, -3.5f, 1.1f, 3.5f, 0.35f), hex(0xe9e4dc), 1);
    fill(&h, ellipse(-4.6f, -16, 3.2f, 2.6f, 0), k->inner, 1);
    fill(&h, ellipse(4.6f, -16, 3.2f, 2.6f, 0), k->inner, 1);
  }
  anchors an = {2, -57, 9, 13, -58, 0, 0};
  accessory_draw(&h, pl, &an, 0);
  /* a hamster has no neck: the bandana sits under the chin */
  anchors neck = {0, 0, 0, 0, 0, -22, 14};
  accessory_draw(&h, pl, &neck, 1);
}

static void draw_turtle(const pen *p, const look *k, const plan *pl) {
  pen t = pen_sub(p, -3, 3, 0, 0.9f);
  col skin = k->accent;
  fill(&t, ellipse(-22, 34, 6, 7, 10), skin, 1);
  fill(&t, ellipse(20, 34, 6, 7, -10), skin, 1);
  fill(&t, tri(-35, 27, -44, 31, -34, 32, 1.2f), skin, 1);
  fill(&t, seg(27, 25, 35, 10, 6.5f), skin, 1);
  pen h = pen_sub(&t, 35, 10, pl->tilt, 1);
  fill(&h, ellipse(8, -6, 13, 11, 0), skin, 1);
  if (!h.outline) {
    if (k->mark == M_STRIPES) {
      fill(&h, ellipse(3, -5, 3.4f, 1.7f, -10), hex(0xe8473f), 1); /* the red "ear" */
      fill(&h, seg(-2, -1, 9, 2.5f, 0.7f), hex(0xe9e36a), 1);
    }
    eye(&h, 12, -9, 3.2f, pl->eye, 0, k->eye, skin);
    fill(&h, arc(14, -5.5f, 4, 25, 120, 0.9f), k->line, 1);
    fill(&h, ellipse(8, -1.5f, 3, 1.8f, 0), k->inner, 0.55f);
    fill(&h, circle(19.2f, -7, 0.6f), darken(skin, 0.4f), 1);
  }
  anchors an = {8, -15, 9, 4, -16, 0, 0};
  accessory_draw(&h, pl, &an, 0);
  /* shell */
  fill(&t, dome(0, 27, 33, 31, 0), k->fur, 1);
  if (!t.outline) {
    /* plates: a flat-topped hexagon grid cut to a dome inside the shell's edge */
    col plate = k->light;
    shape inner = dome(0, 27, 30, 28, 0);
    for (int cx = -3; cx <= 3; cx++)
      for (int cy = -2; cy <= 2; cy++) {
        float x = (float)cx * 12.2f, y = 13.0f + (float)cy * 14.0f + (cx & 1 ? 7.0f : 0.0f);
        fill_clip(&t, hexagon(x, y, 5.6f, 1.0f, 0), &inner, plate, 1);
        if (k->mark == M_SPOTS) fill_clip(&t, circle(x, y, 1.6f), &inner, lighten(plate, 0.5f), 1);
      }
    fill(&t, ellipse(-14, 3, 6, 2.2f, -35), hex(0xffffff), 0.35f);
  }
  fill(&t, box(0, 28, 36, 3.6f, 3.6f, 0), k->shade, 1);
  if (!t.outline)
    for (int i = -3; i <= 3; i++)
      fill(&t, circle((float)i * 9.5f, 28, 1.1f), lighten(k->shade, 0.35f), 1);
}

typedef void (*draw_fn)(const pen *p, const look *k, const plan *pl);
static const draw_fn drawers[PA_ART_SPECIES_COUNT] = {draw_cat,    draw_dog,     draw_rabbit,
                                                      draw_parrot, draw_hamster, draw_turtle};

/* ---- backgrounds */

static void paint_gradient(canvas *cv, col top, col bottom) {
  for (int y = 0; y < cv->h; y++) {
    col c = mix(top, bottom, (float)y / (float)(cv->h > 1 ? cv->h - 1 : 1));
    unsigned char *row = cv->px + (size_t)y * (size_t)cv->w * 3u;
    for (int x = 0; x < cv->w; x++) {
      row[3 * x] = (unsigned char)lrintf(c.r);
      row[3 * x + 1] = (unsigned char)lrintf(c.g);
      row[3 * x + 2] = (unsigned char)lrintf(c.b);
    }
  }
}

/* bg is the unrotated page pen; ex, ey are the half-extents in units. */
static void paint_pattern(const pen *bg, const plan *pl, float ex, float ey) {
  rng r = {hash32(pl->seed ^ 0xbac6u)};
  col c = pl->pattern_col;
  switch (pl->pat) {
  case PAT_DOTS:
    for (float y = -ey; y <= ey + 6; y += 12)
      for (float x = -ex + (fmodf(y + ey, 24) < 1 ? 0 : 6); x <= ex + 6; x += 12)
        fill(bg, circle(x, y, 1.8f), c, 0.9f);
    break;
  case PAT_STRIPES:
    for (float x = -ex - ey * 2; x <= ex + ey; x += 11)
      fill(bg, seg(x, ey + 4, x + 2 * ey + 8, -ey - 4, 2.2f), c, 0.6f);
    break;
  case PAT_PAWS:
    for (float y = -ey + 8; y <= ey; y += 22)
      for (float x = -ex + (fmodf(y + ey, 44) < 20 ? 6 : 17); x <= ex + 4; x += 22)
        paw_print(bg, x, y, 5.0f, rng_range(&r, -30, 30), c);
    break;
  case PAT_HEARTS:
    for (float y = -ey + 6; y <= ey + 4; y += 16)
      for (float x = -ex + (fmodf(y + ey, 32) < 10 ? 4 : 12); x <= ex + 4; x += 16)
        heart(bg, x, y, 4.0f, rng_range(&r, -20, 20), c, 0.9f);
    break;
  case PAT_CONFETTI:
    for (int i = 0; i < (int)(ex * ey / 28); i++) {
      float x = rng_range(&r, -ex, ex), y = rng_range(&r, -ey, ey);
      float a = rng_range(&r, 0, 6.28f), l = rng_range(&r, 1.2f, 2.2f);
      col cc = mix(hex(accent_colours[rng_below(&r, COUNT(accent_colours))]), pl->bg_top, 0.45f);
      fill(bg, seg(x - l * cosf(a), y - l * sinf(a), x + l * cosf(a), y + l * sinf(a), 0.8f), cc,
           1);
    }
    break;
  case PAT_PLAIN:
    fill(bg, circle(ex * 0.55f, -ey * 0.55f, 17), lighten(pl->bg_top, 0.5f), 0.8f);
    fill(bg, circle(-ex * 0.7f, ey * 0.1f, 9), lighten(pl->bg_top, 0.4f), 0.6f);
    break;
  case PAT_COUNT: break;
  }
}

static void paint_floaters(const pen *bg, const plan *pl, pa_art_species sp, float ex, float ey) {
  rng r = {hash32(pl->seed ^ 0xf10a7u)};
  /* corners away from the pet, jittered */
  static const float spots[4][2] = {{-0.78f, -0.74f}, {0.76f, -0.7f}, {-0.8f, 0.1f}, {0.8f, 0.05f}};
  if (pl->eye == EYES_SLEEPY && sp != PA_ART_HAMSTER) {
    col c = darken(pl->bg_bottom, 0.35f);
    float sx = pl->mirror > 0 ? 1.0f : -1.0f;
    zee(bg, sx * 24, -36, 5, c);
    zee(bg, sx * 31, -43, 3.6f, c);
    zee(bg, sx * 36, -49, 2.6f, c);
    return;
  }
  for (int i = 0; i < 4; i++) {
    float x = spots[i][0] * ex + rng_range(&r, -3, 3), y = spots[i][1] * ey + rng_range(&r, -3, 3);
    if (pl->flt == FLOAT_HEARTS)
      heart(bg, x, y, rng_range(&r, 4.5f, 6.5f), rng_range(&r, -25, 25), hex(0xff6f91), 1);
    else if (pl->flt == FLOAT_SPARKLES)
      sparkle(bg, x, y, rng_range(&r, 3.5f, 5.5f), hex(0xffffff));
  }
}

/* ---- public */

const char *pa_art_errstr(int rc) {
  switch (rc) {
  case PA_ART_OK: return "ok";
  case PA_ART_EINVAL: return "invalid species or image size";
  }
  return "unknown error";
}

const char *pa_art_species_name(pa_art_species species) {
  return (unsigned)species < PA_ART_SPECIES_COUNT ? species_table[species].name : NULL;
}

int pa_art_species_parse(const char *name, pa_art_species *out) {
  for (int i = 0; i < PA_ART_SPECIES_COUNT; i++)
    if (name && strcmp(name, species_table[i].name) == 0) {
      *out = (pa_art_species)i;
      return PA_ART_OK;
    }
  return PA_ART_EINVAL;
}

int pa_art_coat_count(pa_art_species species) {
  return (unsigned)species < PA_ART_SPECIES_COUNT ? species_table[species].ncoats : 0;
}

static const coat *coat_of(const pa_art_pet *pet) {
  if ((unsigned)pet->species >= PA_ART_SPECIES_COUNT) return NULL;
  const species_info *si = &species_table[pet->species];
  int i = pet->coat % si->ncoats;
  return &si->coats[i < 0 ? i + si->ncoats : i];
}

const char *pa_art_coat_name(const pa_art_pet *pet) {
  const coat *c = coat_of(pet);
  return c ? c->name : NULL;
}

const char *pa_art_scene_accessory(const pa_art_pet *pet, const pa_art_scene *scene) {
  if (!coat_of(pet)) return NULL;
  plan pl = make_plan(pet, scene);
  return accessory_words[pl.acc];
}

int pa_art_render_pet(const pa_art_pet *pet, const pa_art_scene *scene, unsigned char *rgb, int w,
                      int h) {
  static const pa_art_pose still = {0, 0};
  return pa_art_render_pet_pose(pet, scene, &still, rgb, w, h);
}

int pa_art_render_pet_pose(const pa_art_pet *pet, const pa_art_scene *scene,
                           const pa_art_pose *pose, unsigned char *rgb, int w, int h) {
  const coat *ct = coat_of(pet);
  if (!ct || !rgb || w < PA_ART_MIN || h < PA_ART_MIN || w > PA_ART_MAX || h > PA_ART_MAX)
    return PA_ART_EINVAL;
  canvas cv = {rgb, w, h};
  plan pl = make_plan(pet, scene);
  look k = look_of(ct);
  const species_info *si = &species_table[pet->species];
  float unit = (float)(w < h ? w : h) / 100.0f;
  float ex = (float)w / unit / 2, ey = (float)h / unit / 2;
  pen bg = {&cv, (float)w / 2, (float)h / 2, unit, 1, 0, 1, 0, 0, {0, 0, 0}};

  paint_gradient(&cv, pl.bg_top, pl.bg_bottom);
  int avatar = scene->frame == PA_ART_FRAME_AVATAR;
  if (!avatar) paint_pattern(&bg, &pl, ex, ey);

  pen pet_pen = bg;
  pet_pen.fx = pet->species == PA_ART_TURTLE || !avatar ? pl.mirror : 1;
  if (avatar) {
    pet_pen.s = unit * si->zoom;
    pen_map(&bg, -si->focus_x * si->zoom * pet_pen.fx, -si->focus_y * si->zoom, &pet_pen.ox,
            &pet_pen.oy);
  } else {
    /* a soft floor and a shadow to stand on; the shadow shrinks as the pet hops */
    fill(&bg, ellipse(0, ey + 14, ex * 1.6f, 30, 0), pl.ground, 0.45f);
    float sy = pet->species == PA_ART_PARROT ? 46 : 45;
    float shrink = 1.0f - (pose->lift > 30 ? 30 : pose->lift) / 60.0f;
    fill(&bg, ellipse(0, sy, 30 * shrink, 4.5f * shrink, 0), darken(pl.bg_bottom, 0.3f),
         0.18f * shrink);
    if (h > w) pen_map(&bg, 0, 4, &pet_pen.ox, &pet_pen.oy);
    pet_pen.oy -= pose->lift * unit;
    pet_pen.cs = cosf(pose->tilt);
    pet_pen.sn = sinf(pose->tilt);
  }

  /* sticker look: a white silhouette a little larger than the pet, then the pet */
  pen outline = pet_pen;
  outline.outline = 1;
  outline.grow = avatar ? 1.6f : 2.4f;
  outline.outline_col = hex(0xffffff);
  drawers[pet->species](&outline, &k, &pl);
  drawers[pet->species](&pet_pen, &k, &pl);

  if (!avatar) paint_floaters(&bg, &pl, pet->species, ex, ey);
  return PA_ART_OK;
}

static const uint32_t skin_tones[] = {0xf9d7c0, 0xeec1a2, 0xd9a07b, 0xb97a55, 0x8d5a3b, 0xffe0cc};
static const uint32_t hair_colours[] = {0x2e2430, 0x5a3a2a, 0x8a5a35, 0xd9a55a,
                                        0xb5483a, 0x9aa0a8, 0x1f1a24};
static const uint32_t shirt_colours[] = {0x3a86ff, 0xf25f5c, 0x43aa8b,
                                         0x9b5de5, 0xffbe0b, 0xff70a6};

int pa_art_render_owner(uint32_t seed, unsigned char *rgb, int w, int h) {
  if (!rgb || w < PA_ART_MIN || h < PA_ART_MIN || w > PA_ART_MAX || h > PA_ART_MAX)
    return PA_ART_EINVAL;
  canvas cv = {rgb, w, h};
  rng r = {hash32(seed ^ 0x0a1e5u)};
  const uint32_t *bgc = backgrounds[rng_below(&r, COUNT(backgrounds))];
  col skin = hex(skin_tones[rng_below(&r, COUNT(skin_tones))]);
  col hair = hex(hair_colours[rng_below(&r, COUNT(hair_colours))]);
  col shirt = hex(shirt_colours[rng_below(&r, COUNT(shirt_colours))]);
  int style = rng_below(&r, 4), glasses = rng_below(&r, 3) == 0;
  float unit = (float)(w < h ? w : h) / 100.0f;
  pen p = {&cv, (float)w / 2, (float)h / 2, unit, 1, 0, 1, 0, 0, {0, 0, 0}};
  col line = hex(0x2b2530);

  paint_gradient(&cv, hex(bgc[0]), hex(bgc[1]));
  fill(&p, ellipse(0, 54, 40, 25, 0), shirt, 1);
  fill(&p, box(0, 24, 7, 8, 3, 0), darken(skin, 0.12f), 1);
  fill(&p, tri(-7, 30, 7, 30, 0, 37, 1), lighten(shirt, 0.6f), 1);
  /* hair is a big shape behind the face; the face in front leaves a hairline */
  if (style == 1) fill(&p, box(0, 8, 25, 28, 14, 0), hair, 1); /* long */
  if (style == 2) fill(&p, circle(0, -27, 9), hair, 1);        /* bun */
  fill(&p, ellipse(0, -5, 24, 23, 0), hair, 1);
  fill(&p, circle(-21, 4, 4.2f), skin, 1);
  fill(&p, circle(21, 4, 4.2f), skin, 1);
  fill(&p, ellipse(0, 3, 20, 22, 0), skin, 1);
  if (style == 3) {
    for (int i = -2; i <= 2; i++) fill(&p, circle((float)i * 7, -15, 5), hair, 1); /* curls */
  } else {
    fill(&p, ellipse(-5, -15, 15, 6, 14), hair, 1); /* side-swept fringe */
  }
  fill(&p, ellipse(-8, 1, 2.2f, 2.7f, 0), line, 1);
  fill(&p, ellipse(8, 1, 2.2f, 2.7f, 0), line, 1);
  fill(&p, circle(-7.3f, 0.2f, 0.7f), hex(0xffffff), 1);
  fill(&p, circle(8.7f, 0.2f, 0.7f), hex(0xffffff), 1);
  fill(&p, seg(-11, -5, -5, -6, 0.8f), darken(hair, 0.1f), 1);
  fill(&p, seg(5, -6, 11, -5, 0.8f), darken(hair, 0.1f), 1);
  if (glasses) {
    fill(&p, arc(-8, 1, 5.2f, 0, 360, 1.1f), line, 1);
    fill(&p, arc(8, 1, 5.2f, 0, 360, 1.1f), line, 1);
    fill(&p, seg(-2.8f, 0.5f, 2.8f, 0.5f, 0.55f), line, 1);
  }
  fill(&p, ellipse(-12, 8, 3.4f, 2, 0), hex(0xff8fa3), 0.4f);
  fill(&p, ellipse(12, 8, 3.4f, 2, 0), hex(0xff8fa3), 0.4f);
  fill(&p, arc(0, 7, 5, 30, 150, 1.4f), darken(skin, 0.6f), 1);
  return PA_ART_OK;
}
