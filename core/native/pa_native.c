#include "pa_native.h"

#include <errno.h>
#include <math.h>
#include <stb_image_write.h>
#include <stb_truetype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pa_native_text {
  uint8_t *data[2];
  stbtt_fontinfo font[2];
};

pa_status pa_native_read_file(const char *path, size_t max, uint8_t **bytes, size_t *len,
                              pa_error *err) {
  *bytes = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return pa_error_set(err, PA_ERR_PLATFORM, "%s: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    if (cap > max) {
      free(buf);
      fclose(f);
      return pa_error_set(err, PA_ERR_TOO_LARGE, "%s: larger than %zu bytes", path, max);
    }
    uint8_t *grown = realloc(buf, cap * 2);
    if (!grown) free(buf);
    buf = grown;
    cap *= 2;
  }
  int failed = ferror(f);
  fclose(f);
  if (!buf) return pa_error_set(err, PA_ERR_NOMEM, "%s: out of memory", path);
  if (failed) {
    free(buf);
    return pa_error_set(err, PA_ERR_PLATFORM, "%s: read error", path);
  }
  if (n > max) {
    free(buf);
    return pa_error_set(err, PA_ERR_TOO_LARGE, "%s: larger than %zu bytes", path, max);
  }
  *bytes = buf;
  *len = n;
  return PA_OK;
}

pa_status pa_native_catalog_load(const char *path, pa_i18n_catalog **out, pa_error *err) {
  *out = NULL;
  const char *base = strrchr(path, '/');
  char tag[PA_I18N_TAG_MAX];
  snprintf(tag, sizeof tag, "%s", base ? base + 1 : path);
  char *dot = strstr(tag, ".json");
  if (dot) *dot = '\0';
  uint8_t *bytes;
  size_t len;
  pa_status st = pa_native_read_file(path, PA_I18N_CATALOG_MAX_BYTES, &bytes, &len, err);
  if (st != PA_OK) return st;
  st = pa_i18n_catalog_parse(tag, (const char *)bytes, len, out, err);
  free(bytes);
  return st;
}

pa_status pa_native_text_create(const char *regular_ttf, const char *bold_ttf, pa_native_text **out,
                                pa_error *err) {
  pa_native_text *t = calloc(1, sizeof *t);
  if (!t) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  const char *paths[2] = {regular_ttf, bold_ttf};
  for (int i = 0; i < 2; i++) {
    size_t len;
    pa_status st = pa_native_read_file(paths[i], 32u << 20, &t->data[i], &len, err);
    if (st == PA_OK && !stbtt_InitFont(&t->font[i], t->data[i], 0))
      st = pa_error_set(err, PA_ERR_SYNTAX, "%s: not a usable TrueType font", paths[i]);
    if (st != PA_OK) {
      pa_native_text_destroy(t);
      return st;
    }
  }
  *out = t;
  return PA_OK;
}

void pa_native_text_destroy(pa_native_text *t) {
  if (!t) return;
  free(t->data[0]);
  free(t->data[1]);
  free(t);
}

enum { MAX_CPS = 4096, MAX_LINES = 64 };

/* Decodes UTF-8 into code points (invalid bytes become U+FFFD); returns count. */
static int decode_utf8(const char *s, uint32_t *cps, int max) {
  const unsigned char *p = (const unsigned char *)s;
  int n = 0;
  while (*p && n < max) {
    uint32_t c = *p++;
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (c >= 0x80 && extra == 0) c = 0xfffd;
    c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0xff;
    for (; extra > 0 && (*p & 0xc0) == 0x80; extra--) c = (c << 6) | (*p++ & 0x3f);
    if (extra) c = 0xfffd;
    /* Bidi marks and embeddings are dropped; isolates (U+2066..2069) are
     * kept for visual_order and take no space. */
    if (c == 0x200e || c == 0x200f || c == 0x061c || (c >= 0x202a && c <= 0x202e)) continue;
    cps[n++] = c;
  }
  return n;
}

/* ---- a small bidi: enough for tests to see RTL text in visual order. No
 * shaping (Arabic letters keep their isolated forms) and no mirrored
 * brackets; the browser, which renders the product, does the real thing. */

static bool isolate(uint32_t c) { return c >= 0x2066 && c <= 0x2069; }

static bool strong_rtl(uint32_t c) {
  return (c >= 0x0590 && c <= 0x08ff) || (c >= 0xfb1d && c <= 0xfdff) ||
         (c >= 0xfe70 && c <= 0xfeff);
}

static bool strong_ltr(uint32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c >= 0x00c0 && c < 0x0590 && c != 0x00d7 && c != 0x00f7) || (c >= 0x0900 && c < 0x2000) ||
         (c >= 0x3040 && c < 0xfb1d);
}

static bool paragraph_rtl(const uint32_t *cp, int n, int direction) {
  if (direction != PA_TEXT_AUTO) return direction == PA_TEXT_RTL;
  for (int i = 0, depth = 0; i < n; i++) { /* P2: skipping what isolates wrap */
    if (isolate(cp[i]))
      depth += cp[i] == 0x2069 ? (depth > 0 ? -1 : 0) : 1;
    else if (!depth && (strong_rtl(cp[i]) || strong_ltr(cp[i])))
      return strong_rtl(cp[i]);
  }
  return false;
}

/* Writes cp[0..n) in visual order: levels 0/1 (LTR paragraph) or 1/2 (RTL),
 * neutrals between two runs of one direction take it, others the
 * paragraph's; isolate controls stand at the paragraph's level, so what
 * they wrap never merges with its neighbours; then runs are reversed from
 * the highest level down (UAX #9 L2). One level of nesting only. */
static void visual_order(const uint32_t *cp, int n, bool rtl, uint32_t *out) {
  uint8_t level[MAX_CPS];
  int base = rtl ? 1 : 0;
  for (int i = 0; i < n; i++)
    level[i] = isolate(cp[i])      ? (uint8_t)base
               : strong_rtl(cp[i]) ? 1
               : strong_ltr(cp[i]) ? (uint8_t)(rtl ? 2 : 0)
                                   : 255;
  for (int i = 0; i < n; i++) {
    if (level[i] != 255) continue;
    int j = i;
    while (j < n && level[j] == 255) j++;
    int before = i > 0 ? level[i - 1] : base, after = j < n ? level[j] : base;
    for (int k = i; k < j; k++) level[k] = (uint8_t)(before == after ? before : base);
    i = j - 1;
  }
  if (out != cp) memcpy(out, cp, (size_t)n * sizeof *out);
  for (int lv = 2; lv >= 1; lv--)
    for (int i = 0; i < n; i++) {
      if (level[i] < lv) continue;
      int j = i;
      while (j < n && level[j] >= lv) j++;
      for (int a = i, b = j - 1; a < b; a++, b--) {
        uint32_t t = out[a];
        out[a] = out[b];
        out[b] = t;
        uint8_t u = level[a];
        level[a] = level[b];
        level[b] = u;
      }
      i = j - 1;
    }
}

static float advance(const stbtt_fontinfo *f, float scale, uint32_t c, uint32_t next) {
  if (isolate(c)) return 0;
  int adv, lsb;
  stbtt_GetCodepointHMetrics(f, (int)c, &adv, &lsb);
  return ((float)adv + (next ? (float)stbtt_GetCodepointKernAdvance(f, (int)c, (int)next) : 0)) *
         scale;
}

typedef struct line {
  int start, end; /* code point range, end exclusive */
  int ellipsis;
} line;

/* Greedy line breaking at spaces and newlines; words wider than a line are split. */
static int break_lines(const stbtt_fontinfo *f, float scale, const uint32_t *cp, int n, float max_w,
                       int max_lines, line *lines) {
  int count = 0, start = 0;
  while (start < n && count < MAX_LINES) {
    float w = 0;
    int i = start, last_space = -1;
    while (i < n && cp[i] != '\n') {
      float a = advance(f, scale, cp[i], i + 1 < n ? cp[i + 1] : 0);
      if (w + a > max_w && i > start) break;
      if (cp[i] == ' ') last_space = i;
      w += a;
      i++;
    }
    int end = i;
    if (i < n && cp[i] != '\n' && last_space > start) end = last_space;
    lines[count++] = (line){start, end, 0};
    start = end;
    if (start < n && (cp[start] == ' ' || cp[start] == '\n')) start++;
    if (max_lines && count == max_lines && start < n) {
      lines[count - 1].ellipsis = 1;
      break;
    }
  }
  return count;
}

int pa_native_text_raster(void *user, const char *utf8, const pa_text_style *st, pa_bitmap *out) {
  pa_native_text *t = user;
  const stbtt_fontinfo *f = &t->font[st->bold ? 1 : 0];
  static _Thread_local uint32_t cps[MAX_CPS];
  line lines[MAX_LINES];
  int n = decode_utf8(utf8, cps, MAX_CPS);
  float scale = stbtt_ScaleForPixelHeight(f, (float)st->size);
  int ascent, descent, gap;
  stbtt_GetFontVMetrics(f, &ascent, &descent, &gap);
  float line_h = ceilf((float)(ascent - descent + gap) * scale * 1.15f);
  float ell_w = advance(f, scale, 0x2026, 0);
  int nl = break_lines(f, scale, cps, n, (float)st->max_width, st->max_lines, lines);
  if (nl == 0) return -1;

  float width = 0;
  for (int l = 0; l < nl; l++) {
    float w = lines[l].ellipsis ? ell_w : 0;
    for (int i = lines[l].start; i < lines[l].end; i++)
      w += advance(f, scale, cps[i], i + 1 < lines[l].end ? cps[i + 1] : 0);
    width = fmaxf(width, fminf(w, (float)st->max_width));
  }
  int W = (int)ceilf(width) + 1, H = (int)(line_h * (float)nl) + 1;
  uint8_t *alpha = calloc((size_t)W * (size_t)H, 1);
  out->rgba = malloc((size_t)W * (size_t)H * 4);
  if (!alpha || !out->rgba) {
    free(alpha);
    free(out->rgba);
    out->rgba = NULL;
    return -1;
  }
  bool rtl = paragraph_rtl(cps, n, st->direction);
  static _Thread_local uint32_t vis[MAX_CPS + 1];
  for (int l = 0; l < nl; l++) {
    float x = 0, base = (float)l * line_h + (float)ascent * scale;
    int end = lines[l].end;
    if (lines[l].ellipsis) /* drop glyphs until the ellipsis fits */
      while (end > lines[l].start) {
        float w = ell_w;
        for (int i = lines[l].start; i < end; i++) w += advance(f, scale, cps[i], 0);
        if (w <= (float)st->max_width) break;
        end--;
      }
    int m = end - lines[l].start;
    memcpy(vis, cps + lines[l].start, (size_t)m * sizeof *vis);
    if (lines[l].ellipsis) vis[m++] = 0x2026;
    visual_order(vis, m, rtl, vis);
    if (rtl) { /* lines end at the right edge */
      float w = 0;
      for (int i = 0; i < m; i++) w += advance(f, scale, vis[i], i + 1 < m ? vis[i + 1] : 0);
      x = fmaxf(0.0f, (float)W - 1 - w);
    }
    for (int i = 0; i < m; i++) {
      uint32_t c = vis[i];
      if (isolate(c)) continue;
      int x0, y0, x1, y1;
      float fx = x - floorf(x);
      stbtt_GetCodepointBitmapBoxSubpixel(f, (int)c, scale, scale, fx, 0, &x0, &y0, &x1, &y1);
      int gx = (int)floorf(x) + x0, gy = (int)lroundf(base) + y0;
      int gw = x1 - x0, gh = y1 - y0;
      if (gw > 0 && gh > 0 && gx >= 0 && gy >= 0 && gx + gw <= W && gy + gh <= H) {
        /* Glyph boxes can overlap (kerning), so render aside and keep the max. */
        uint8_t glyph[128 * 128];
        if (gw <= 128 && gh <= 128) {
          stbtt_MakeCodepointBitmapSubpixel(f, glyph, gw, gh, gw, scale, scale, fx, 0, (int)c);
          for (int yy = 0; yy < gh; yy++)
            for (int xx = 0; xx < gw; xx++) {
              uint8_t *d = &alpha[(size_t)(gy + yy) * (size_t)W + (size_t)(gx + xx)];
              if (glyph[yy * gw + xx] > *d) *d = glyph[yy * gw + xx];
            }
        }
      }
      x += advance(f, scale, c, i + 1 < m ? vis[i + 1] : 0);
    }
  }
  uint8_t r = (uint8_t)(st->color >> 24), g = (uint8_t)(st->color >> 16),
          b = (uint8_t)(st->color >> 8), a = (uint8_t)st->color;
  for (size_t i = 0; i < (size_t)W * (size_t)H; i++) {
    out->rgba[4 * i] = r;
    out->rgba[4 * i + 1] = g;
    out->rgba[4 * i + 2] = b;
    out->rgba[4 * i + 3] = (uint8_t)(alpha[i] * a / 255);
  }
  free(alpha);
  out->width = W;
  out->height = H;
  return 0;
}

pa_status pa_native_read_pixels(SDL_Renderer *r, int w, int h, uint8_t *rgba, pa_error *err) {
  if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ABGR8888, rgba, w * 4) != 0)
    return pa_error_set(err, PA_ERR_PLATFORM, "read pixels: %s", SDL_GetError());
  return PA_OK;
}

pa_status pa_native_write_png(SDL_Renderer *r, int w, int h, const char *path, pa_error *err) {
  uint8_t *px = malloc((size_t)w * (size_t)h * 4);
  if (!px) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  pa_status st = pa_native_read_pixels(r, w, h, px, err);
  if (st == PA_OK && !stbi_write_png(path, w, h, 4, px, w * 4))
    st = pa_error_set(err, PA_ERR_PLATFORM, "%s: cannot write PNG", path);
  free(px);
  return st;
}

/* ---- the native host */

enum { MAX_PENDING = 1024 };

struct pa_native_host {
  pa_native_text *text;
  char media_dir[512];
  struct {
    uint32_t id;
    char *url;
  } pending[MAX_PENDING];
  int pending_count;
};

static int host_text(void *user, const char *utf8, const pa_text_style *style, pa_bitmap *out) {
  return pa_native_text_raster(((pa_native_host *)user)->text, utf8, style, out);
}

static void host_request(void *user, uint32_t id, const char *url, int want_w, int want_h) {
  pa_native_host *h = user;
  if (h->pending_count == MAX_PENDING) return;
  char *copy = strdup(url);
  if (!copy) return;
  h->pending[h->pending_count].id = id;
  h->pending[h->pending_count++].url = copy;
}

static void host_log(void *user, const char *msg) { fprintf(stderr, "core: %s\n", msg); }

pa_status pa_native_host_create(const char *media_dir, pa_native_host **out, pa_error *err) {
  pa_native_host *h = calloc(1, sizeof *h);
  if (!h) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  snprintf(h->media_dir, sizeof h->media_dir, "%s", media_dir ? media_dir : ".");
  pa_status st = pa_native_text_create(PA_NATIVE_FONT_REGULAR, PA_NATIVE_FONT_BOLD, &h->text, err);
  if (st != PA_OK) {
    free(h);
    return st;
  }
  *out = h;
  return PA_OK;
}

void pa_native_host_destroy(pa_native_host *h) {
  if (!h) return;
  for (int i = 0; i < h->pending_count; i++) free(h->pending[i].url);
  pa_native_text_destroy(h->text);
  free(h);
}

pa_platform pa_native_host_platform(pa_native_host *h) {
  return (pa_platform){h, host_text, host_request, NULL, NULL, NULL, host_log};
}

int pa_native_host_pump(pa_native_host *h, pa_app *app) {
  int n = h->pending_count;
  h->pending_count = 0;
  for (int i = 0; i < n; i++) {
    const char *url = h->pending[i].url, *name = strrchr(url, '/');
    char path[1024];
    uint8_t *bytes;
    size_t len;
    pa_error e;
    snprintf(path, sizeof path, "%s/%s", h->media_dir, name ? name + 1 : url);
    /* Names never climb out of the media folder. */
    if (strstr(path + strlen(h->media_dir), "..") ||
        pa_native_read_file(path, 64u << 20, &bytes, &len, &e) != PA_OK) {
      pa_app_image_failed(app, h->pending[i].id);
    } else {
      pa_app_image_loaded(app, h->pending[i].id, bytes, len);
      free(bytes);
    }
    free(h->pending[i].url);
  }
  return n;
}
