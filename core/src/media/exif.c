#include "exif.h"

#include "pa/pa_image.h"

#include <stdio.h>
#include <string.h>

enum { MAX_IFDS = 8, TAG_ORIENTATION = 0x0112, TAG_EXIF_IFD = 0x8769, TAG_GPS_IFD = 0x8825 };

typedef struct tiff {
  const uint8_t *b;
  size_t len;
  int big; /* "MM": big-endian */
  uint32_t seen[MAX_IFDS];
  int nseen;
} tiff;

static unsigned rd16(const tiff *t, size_t at) {
  const uint8_t *p = t->b + at;
  return t->big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t rd32(const tiff *t, size_t at) {
  const uint8_t *p = t->b + at;
  return t->big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Checks that an IFD at off lies inside the block and was not seen before;
 * returns its entry count through *count. */
static pa_status enter_ifd(tiff *t, uint32_t off, const char *name, unsigned *count,
                           pa_error *err) {
  for (int i = 0; i < t->nseen; i++)
    if (t->seen[i] == off)
      return pa_error_set(err, PA_ERR_SYNTAX, "exif: %s at offset %u was already read (a loop)",
                          name, (unsigned)off);
  if (t->nseen == MAX_IFDS)
    return pa_error_set(err, PA_ERR_SYNTAX, "exif: more than %d IFDs", MAX_IFDS);
  t->seen[t->nseen++] = off;
  if (off < 8 || off > t->len || t->len - off < 2)
    return pa_error_set(err, PA_ERR_SYNTAX, "exif: %s offset %u is outside the %zu-byte block",
                        name, (unsigned)off, t->len);
  *count = rd16(t, off);
  /* Entries of 12 bytes, then the 4-byte offset of the next IFD. */
  if ((t->len - off - 2) / 12 < *count || t->len - off - 2 - 12 * (size_t)*count < 4)
    return pa_error_set(err, PA_ERR_TRUNCATED, "exif: %s of %u entries overruns the %zu-byte block",
                        name, *count, t->len);
  return PA_OK;
}

pa_status pa_exif_parse(const uint8_t *b, size_t len, pa_exif *out, pa_error *err) {
  memset(out, 0, sizeof *out);
  out->orientation = 1;
  if (!b || len < 8) return pa_error_set(err, PA_ERR_TRUNCATED, "exif: TIFF header cut short");
  tiff t = {b, len, 0, {0}, 0};
  if (b[0] == 'I' && b[1] == 'I')
    t.big = 0;
  else if (b[0] == 'M' && b[1] == 'M')
    t.big = 1;
  else
    return pa_error_set(err, PA_ERR_SYNTAX, "exif: byte order is not II or MM");
  if (rd16(&t, 2) != 42)
    return pa_error_set(err, PA_ERR_SYNTAX, "exif: TIFF magic is %u, not 42", rd16(&t, 2));

  uint32_t off = rd32(&t, 4), gps_off = 0, exif_off = 0;
  unsigned count;
  pa_status st = enter_ifd(&t, off, "IFD0", &count, err);
  if (st != PA_OK) return st;
  int orientation = 1;
  for (unsigned i = 0; i < count; i++) {
    size_t e = off + 2 + 12 * (size_t)i;
    unsigned tag = rd16(&t, e), type = rd16(&t, e + 2);
    uint32_t n = rd32(&t, e + 4);
    if (tag == TAG_ORIENTATION) {
      if (type != 3 || n != 1)
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "exif: orientation has type %u and count %u, not SHORT x1", type,
                            (unsigned)n);
      unsigned v = rd16(&t, e + 8); /* a SHORT sits at the start of the value field */
      if (v < 1 || v > 8)
        return pa_error_set(err, PA_ERR_SYNTAX, "exif: orientation %u is not 1-8", v);
      orientation = (int)v;
    } else if (tag == TAG_GPS_IFD || tag == TAG_EXIF_IFD) {
      if ((type != 4 && type != 13) || n != 1)
        return pa_error_set(err, PA_ERR_SYNTAX, "exif: IFD pointer 0x%04x has type %u and count %u",
                            tag, type, (unsigned)n);
      *(tag == TAG_GPS_IFD ? &gps_off : &exif_off) = rd32(&t, e + 8);
    }
  }
  uint32_t next = rd32(&t, off + 2 + 12 * (size_t)count);
  out->orientation = orientation;
  out->ifd0_ok = 1;
  out->ifds = 1;

  /* Sub-IFDs are checked and counted; their entries are not interpreted. */
  if (gps_off) {
    if ((st = enter_ifd(&t, gps_off, "GPS IFD", &count, err)) != PA_OK) return st;
    out->gps = count > 0;
    out->ifds++;
  }
  if (exif_off) {
    if ((st = enter_ifd(&t, exif_off, "Exif IFD", &count, err)) != PA_OK) return st;
    out->ifds++;
  }
  /* The chain: IFD1 (the thumbnail) and, rarely, more. */
  for (int k = 1; next != 0; k++) {
    char name[16];
    snprintf(name, sizeof name, "IFD%d", k);
    if ((st = enter_ifd(&t, next, name, &count, err)) != PA_OK) return st;
    out->ifds++;
    next = rd32(&t, next + 2 + 12 * (size_t)count);
  }
  return PA_OK;
}

static int starts(const uint8_t *p, size_t n, const char *lit, size_t litlen) {
  return n >= litlen && memcmp(p, lit, litlen) == 0;
}

void pa_exif_scan_jpeg(const uint8_t *b, size_t len, pa_exif *exif, unsigned *metadata) {
  memset(exif, 0, sizeof *exif);
  exif->orientation = 1;
  int have_exif = 0;
  size_t at = 2; /* after SOI */
  while (at + 4 <= len) {
    if (b[at] != 0xff) return; /* not a marker before the first scan: pa_jpeg_check's business */
    uint8_t m = b[at + 1];
    if (m == 0xff) {
      at++;
      continue;
    }
    if (m == 0xda || m == 0xd9) return; /* metadata comes before the first scan */
    if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
      at += 2;
      continue;
    }
    size_t seglen = (size_t)b[at + 2] << 8 | b[at + 3];
    if (seglen < 2) return;
    const uint8_t *p = b + at + 4;
    size_t n = seglen - 2;
    if (n > len - at - 4) n = len - at - 4; /* cut short: look at what is there */
    if (m == 0xe1 && starts(p, n, "Exif\0\0", 6)) {
      *metadata |= PA_IMAGE_META_EXIF;
      if (!have_exif) {
        have_exif = 1;
        pa_exif parsed;
        pa_exif_parse(p + 6, n - 6, &parsed, NULL);
        if (parsed.gps) *metadata |= PA_IMAGE_META_GPS;
        if (parsed.ifd0_ok) *exif = parsed;
      }
    } else if (m == 0xe1 && (starts(p, n, "http://ns.adobe.com/xap/1.0/", 29) ||
                             starts(p, n, "http://ns.adobe.com/xmp/extension/", 35))) {
      *metadata |= PA_IMAGE_META_XMP;
    } else if (m == 0xe2 && starts(p, n, "ICC_PROFILE", 12)) {
      *metadata |= PA_IMAGE_META_ICC;
    } else if (m == 0xed) {
      *metadata |= PA_IMAGE_META_TEXT; /* Photoshop IRB: IPTC captions, keywords, places */
    } else if (m == 0xfe) {
      *metadata |= PA_IMAGE_META_COMMENT;
    }
    at += 2 + seglen;
  }
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void pa_exif_scan_png(const uint8_t *b, size_t len, unsigned *metadata) {
  size_t at = 8;
  while (at < len && len - at >= 12) {
    uint32_t n = be32(b + at);
    const uint8_t *type = b + at + 4, *p = b + at + 8;
    if (n > len - at - 12 || memcmp(type, "IEND", 4) == 0) break;
    if (memcmp(type, "eXIf", 4) == 0) {
      *metadata |= PA_IMAGE_META_EXIF;
      pa_exif parsed;
      pa_exif_parse(p, n, &parsed, NULL);
      if (parsed.gps) *metadata |= PA_IMAGE_META_GPS;
    } else if (memcmp(type, "iCCP", 4) == 0) {
      *metadata |= PA_IMAGE_META_ICC;
    } else if (memcmp(type, "iTXt", 4) == 0 && starts(p, n, "XML:com.adobe.xmp", 18)) {
      *metadata |= PA_IMAGE_META_XMP;
    } else if (memcmp(type, "tEXt", 4) == 0 || memcmp(type, "zTXt", 4) == 0 ||
               memcmp(type, "iTXt", 4) == 0) {
      *metadata |= PA_IMAGE_META_TEXT;
    }
    at += 12 + (size_t)n;
  }
}
