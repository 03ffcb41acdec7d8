#include "image_check.h"

#include "pa/pa_image.h"

#include <string.h>

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- GIF */

/* Skips data sub-blocks (a size byte, then that many bytes) up to the empty one. */
static pa_status skip_sub_blocks(const uint8_t *b, size_t len, size_t *at, pa_error *err) {
  for (;;) {
    if (*at >= len) return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF data block cut short");
    size_t n = b[(*at)++];
    if (n == 0) return PA_OK;
    if (len - *at < n)
      return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF data block cut short");
    *at += n;
  }
}

pa_status pa_image_gif_scan(const uint8_t *b, size_t len, int max_frames, pa_gif_scan *out,
                            pa_error *err) {
  memset(out, 0, sizeof *out);
  if (len < 13) return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF header cut short");
  if (memcmp(b, "GIF87a", 6) != 0 && memcmp(b, "GIF89a", 6) != 0)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: not a GIF87a or GIF89a header");
  out->width = (int)le16(b + 6);
  out->height = (int)le16(b + 8);
  if (out->width == 0 || out->height == 0)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF screen is %dx%d", out->width, out->height);
  int global = b[10] & 0x80;
  size_t at = 13;
  if (global) {
    size_t n = (size_t)3 << ((b[10] & 7) + 1);
    if (len - at < n)
      return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF colour table cut short");
    at += n;
  }
  for (;;) {
    /* Without its trailer a file cut between two frames would look whole. */
    if (at >= len)
      return pa_error_set(err, PA_ERR_TRUNCATED,
                          "image: GIF ends without its trailer (frames read: %d)", out->frames);
    uint8_t tag = b[at++];
    if (tag == 0x3b) {
      if (out->frames == 0) return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF has no frames");
      return PA_OK;
    }
    if (tag == 0x21) {
      if (len - at < 2)
        return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF extension cut short");
      uint8_t label = b[at++];
      /* stb reads a graphic control block of any other size out of step. */
      if (label == 0xf9 && b[at] != 4)
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "image: GIF graphic control block of %u bytes, not 4", b[at]);
      if (label == 0xfe) out->metadata |= PA_IMAGE_META_COMMENT;
      if (label == 0xff && b[at] == 11 && len - at > 11 &&
          memcmp(b + at + 1, "XMP DataXMP", 11) == 0)
        out->metadata |= PA_IMAGE_META_XMP;
      pa_status st = skip_sub_blocks(b, len, &at, err);
      if (st != PA_OK) return st;
      continue;
    }
    if (tag == 0x2c) {
      if (len - at < 10)
        return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF frame header cut short");
      int x = (int)le16(b + at), y = (int)le16(b + at + 2);
      int w = (int)le16(b + at + 4), h = (int)le16(b + at + 6);
      uint8_t flags = b[at + 8];
      if (x + w > out->width || y + h > out->height)
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "image: GIF frame %d (%dx%d at %d,%d) lies outside the %dx%d screen",
                            out->frames + 1, w, h, x, y, out->width, out->height);
      at += 9;
      if (flags & 0x80) {
        size_t n = (size_t)3 << ((flags & 7) + 1);
        if (len - at < n)
          return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF colour table cut short");
        at += n;
      } else if (!global) {
        return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF frame %d has no colour table",
                            out->frames + 1);
      }
      if (at >= len) return pa_error_set(err, PA_ERR_TRUNCATED, "image: GIF frame data cut short");
      int code_size = b[at++];
      if (code_size < 2 || code_size > 8)
        return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF frame %d has LZW code size %d (2-8)",
                            out->frames + 1, code_size);
      if (out->frames == max_frames)
        return pa_error_set(err, PA_ERR_TOO_LARGE, "image: GIF has more than %d frames",
                            max_frames);
      out->frames++;
      pa_status st = skip_sub_blocks(b, len, &at, err);
      if (st != PA_OK) return st;
      continue;
    }
    return pa_error_set(err, PA_ERR_SYNTAX, "image: GIF has an unknown block 0x%02x at byte %zu",
                        tag, at - 1);
  }
}

/* ---- PNG */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

pa_status pa_image_png_scan(const uint8_t *b, size_t len, int *trns, pa_error *err) {
  int data = 0;
  *trns = 0;
  for (size_t at = 8; at < len && len - at >= 12;) {
    uint32_t n = be32(b + at);
    const uint8_t *type = b + at + 4;
    if (memcmp(type, "IEND", 4) == 0) break;
    if (memcmp(type, "tRNS", 4) == 0) *trns = 1;
    if (memcmp(type, "IDAT", 4) == 0) {
      if (n == 0 && !data)
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "image: PNG image data starts with an empty IDAT chunk");
      data = 1;
    }
    /* stb grows its data buffer to a claimed IDAT length before reading it:
     * a 4 KB file asked for 2 GB (fuzz_image). Every chunk must fit. */
    if (n > len - at - 12)
      return pa_error_set(err, PA_ERR_TRUNCATED,
                          "image: PNG %.4s chunk of %u bytes, %zu left in the file",
                          (const char *)type, (unsigned)n, len - at - 12);
    at += 12 + (size_t)n;
  }
  return PA_OK;
}

/* ---- BMP */

pa_status pa_image_bmp_scan(const uint8_t *b, size_t len, pa_bmp_scan *out, pa_error *err) {
  memset(out, 0, sizeof *out);
  if (len < 18) return pa_error_set(err, PA_ERR_TRUNCATED, "image: BMP header cut short");
  if (b[0] != 'B' || b[1] != 'M') return pa_error_set(err, PA_ERR_SYNTAX, "image: not a BMP file");
  uint32_t offset = le32(b + 10), hsz = le32(b + 14);
  if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "image: BMP header of %u bytes is not supported",
                        (unsigned)hsz);
  if (len < 14 + (size_t)hsz)
    return pa_error_set(err, PA_ERR_TRUNCATED, "image: BMP header cut short");
  int64_t w, h;
  unsigned planes, bpp;
  uint32_t compress = 0;
  if (hsz == 12) {
    w = le16(b + 18), h = le16(b + 20), planes = le16(b + 22), bpp = le16(b + 24);
  } else {
    w = (int32_t)le32(b + 18), h = (int32_t)le32(b + 22), planes = le16(b + 26), bpp = le16(b + 28);
    compress = le32(b + 30);
  }
  if (planes != 1) return pa_error_set(err, PA_ERR_SYNTAX, "image: BMP with %u planes", planes);
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "image: BMP with %u bits per pixel", bpp);
  if (compress == 1 || compress == 2)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "image: RLE-compressed BMP is not supported");
  if (compress > 3)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "image: BMP compression %u is not supported",
                        (unsigned)compress);
  if (compress == 3 && bpp != 16 && bpp != 32)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: BMP bit fields need 16 or 32 bits per pixel");
  /* stb flips on the sign of the height and takes abs() of it. */
  if (h < 0) h = -h;
  if (w <= 0 || h <= 0 || w > 65535 || h > 65535)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: BMP size %lldx%lld", (long long)w,
                        (long long)h);
  out->width = (int)w;
  out->height = (int)h;
  int64_t row = (w * bpp + 31) / 32 * 4;
  if ((uint64_t)offset > len || (uint64_t)row * (uint64_t)h > len - offset)
    return pa_error_set(err, PA_ERR_TRUNCATED,
                        "image: BMP pixel data ends early (%zu of %lld bytes)",
                        len < offset ? (size_t)0 : len - offset, (long long)(row * h));
  if (bpp > 8) return PA_OK;
  /* The palette: stb counts entries from the gap before the pixels. */
  int64_t palette = hsz == 12 ? ((int64_t)offset - 14 - 24) / 3 : ((int64_t)offset - 14 - hsz) / 4;
  if (palette <= 0 || palette > 256)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: BMP palette of %lld entries",
                        (long long)palette);
  for (int64_t y = 0; y < h; y++) {
    const uint8_t *p = b + offset + y * row;
    for (int64_t x = 0; x < w; x++) {
      unsigned index = bpp == 8   ? p[x]
                       : bpp == 4 ? (p[x / 2] >> (x % 2 ? 0 : 4)) & 15
                                  : (p[x / 8] >> (7 - x % 8)) & 1;
      if (index >= palette)
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "image: BMP pixel %lld,%lld uses palette entry %u of %lld",
                            (long long)x, (long long)y, index, (long long)palette);
    }
  }
  return PA_OK;
}
