/* pa_media — content-addressed media files. */
#include "blob.h"

#include "mstore.h"
#include "pa/pa_image.h"
#include "pa/pa_thumbhash.h"
#include "pa/pa_upload.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stb_image_write.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *pa_blob_errstr(int rc) {
  switch (rc) {
  case PA_BLOB_OK: return "ok";
  case PA_BLOB_EINVAL: return "invalid argument";
  case PA_BLOB_EIO: return "file system error";
  case PA_BLOB_ENOMEM: return "out of memory";
  case PA_BLOB_EENCODE: return "image encoding failed";
  case PA_BLOB_EFORMAT: return "not a supported image or video";
  case PA_BLOB_ESIZE: return "image dimensions over the limits";
  }
  return "unknown error";
}

void pa_blob_hash(const void *data, size_t len, char hex[PA_BLOB_HASH_HEX + 1]) {
  unsigned char h[crypto_generichash_BYTES]; /* 32 bytes: BLAKE2b-256 */
  crypto_generichash(h, sizeof h, data, len, NULL, 0);
  sodium_bin2hex(hex, PA_BLOB_HASH_HEX + 1, h, sizeof h);
}

int pa_blob_store(pa_mstore *media, const void *data, size_t len, const char *ext,
                  char hex[PA_BLOB_HASH_HEX + 1]) {
  char name[PA_BLOB_NAME_MAX];
  int known = 0;
  for (int k = 0; ext && k < PA_BLOB_KIND_COUNT; k++)
    known |= strcmp(ext, pa_blob_kind_ext(k)) == 0;
  if (!media || !data || len == 0 || !known) return PA_BLOB_EINVAL;
  pa_blob_hash(data, len, hex);
  snprintf(name, sizeof name, "%s.%s", hex, ext);
  return pa_mstore_put(media, name, data, len) == 0 ? PA_BLOB_OK : PA_BLOB_EIO;
}

const char *pa_blob_name_type(const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < PA_BLOB_HASH_HEX; i++) {
    char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return NULL;
  }
  const char *ext = name + PA_BLOB_HASH_HEX;
  for (int k = 0; k < PA_BLOB_KIND_COUNT; k++)
    if (ext[0] == '.' && strcmp(ext + 1, pa_blob_kind_ext(k)) == 0) return pa_blob_kind_type(k);
  return NULL;
}

typedef struct growbuf {
  unsigned char *data;
  size_t len, cap;
  int failed;
} growbuf;

static void append(void *ctx, void *bytes, int size) {
  growbuf *b = ctx;
  if (b->failed || size <= 0) return;
  if (b->len + (size_t)size > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + (size_t)size) cap *= 2;
    unsigned char *p = realloc(b->data, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, (size_t)size);
  b->len += (size_t)size;
}

int pa_blob_encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                        size_t *out_len) {
  growbuf b = {0};
  *out = NULL;
  *out_len = 0;
  if (!rgb || w <= 0 || h <= 0 || quality < 1 || quality > 100) return PA_BLOB_EINVAL;
  int ok = stbi_write_jpg_to_func(append, &b, w, h, 3, rgb, quality);
  if (b.failed) {
    free(b.data);
    return PA_BLOB_ENOMEM;
  }
  if (!ok || b.len == 0) {
    free(b.data);
    return PA_BLOB_EENCODE;
  }
  *out = b.data;
  *out_len = b.len;
  return PA_BLOB_OK;
}

/* ---- format sniffing */

static const char *const kind_ext[] = {"jpg", "png", "webp", "mp4", "webm"};
static const char *const kind_type[] = {"image/jpeg", "image/png", "image/webp", "video/mp4",
                                        "video/webm"};

const char *pa_blob_kind_ext(pa_blob_kind kind) {
  return kind < PA_BLOB_KIND_COUNT ? kind_ext[kind] : NULL;
}
const char *pa_blob_kind_type(pa_blob_kind kind) {
  return kind < PA_BLOB_KIND_COUNT ? kind_type[kind] : NULL;
}
int pa_blob_kind_is_video(pa_blob_kind kind) { return kind == PA_BLOB_MP4 || kind == PA_BLOB_WEBM; }

int pa_blob_type_kind(const char *mime) {
  if (!mime) return -1;
  size_t n = strcspn(mime, "; ");
  for (int k = 0; k < PA_BLOB_KIND_COUNT; k++)
    if (strlen(kind_type[k]) == n && strncasecmp(mime, kind_type[k], n) == 0) return k;
  return -1;
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static unsigned le16(const unsigned char *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static uint32_t le24(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Walks marker segments up to the first SOF (any but DHT, JPG, DAC). */
static int jpeg_size(const unsigned char *d, size_t n, int *w, int *h) {
  size_t i = 2;
  while (i + 4 <= n) {
    if (d[i] != 0xff) return -1;
    unsigned char m = d[i + 1];
    if (m == 0xff) { /* fill byte */
      i++;
      continue;
    }
    if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2;
      continue;
    }
    if (m == 0xd9 || m == 0xda) return -1; /* image data before any frame header */
    size_t len = be16(d + i + 2);
    if (len < 2 || i + 2 + len > n) return -1;
    if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
      if (len < 8) return -1;
      *h = (int)be16(d + i + 5);
      *w = (int)be16(d + i + 7);
      return 0;
    }
    i += 2 + len;
  }
  return -1;
}

static int webp_size(const unsigned char *d, size_t n, int *w, int *h) {
  if (n < 30) return -1;
  if (memcmp(d + 12, "VP8 ", 4) == 0) {
    if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a) return -1;
    *w = (int)(le16(d + 26) & 0x3fff);
    *h = (int)(le16(d + 28) & 0x3fff);
    return 0;
  }
  if (memcmp(d + 12, "VP8L", 4) == 0) {
    if (d[20] != 0x2f) return -1;
    const unsigned char *b = d + 21;
    *w = 1 + (int)((unsigned)b[0] | ((unsigned)b[1] & 0x3f) << 8);
    *h = 1 + (int)((unsigned)b[1] >> 6 | (unsigned)b[2] << 2 | ((unsigned)b[3] & 0x0f) << 10);
    return 0;
  }
  if (memcmp(d + 12, "VP8X", 4) == 0) {
    *w = 1 + (int)le24(d + 24);
    *h = 1 + (int)le24(d + 27);
    return 0;
  }
  return -1;
}

/* Finds box `type` among the boxes in d[0..n); 0 with its payload. */
static int mp4_box(const unsigned char *d, size_t n, const char *type, const unsigned char **body,
                   size_t *blen, size_t *from) {
  size_t i = *from;
  while (i + 8 <= n) {
    uint64_t size = be32(d + i);
    size_t head = 8;
    if (size == 1) {
      if (i + 16 > n) return -1;
      size = (uint64_t)be32(d + i + 8) << 32 | be32(d + i + 12);
      head = 16;
    } else if (size == 0) {
      size = n - i; /* to the end */
    }
    if (size < head || size > n - i) return -1;
    if (memcmp(d + i + 4, type, 4) == 0) {
      *body = d + i + head;
      *blen = (size_t)size - head;
      *from = i + (size_t)size;
      return 0;
    }
    i += (size_t)size;
  }
  return -1;
}

/* The first track header with a non-zero size (16.16 fixed point). */
static void mp4_size(const unsigned char *d, size_t n, int *w, int *h) {
  const unsigned char *moov, *trak, *tkhd;
  size_t mlen, tlen, klen, at = 0, in = 0;
  if (mp4_box(d, n, "moov", &moov, &mlen, &at) != 0) return;
  while (mp4_box(moov, mlen, "trak", &trak, &tlen, &in) == 0) {
    size_t k = 0;
    if (mp4_box(trak, tlen, "tkhd", &tkhd, &klen, &k) != 0 || klen < 1) continue;
    size_t off = tkhd[0] == 1 ? 88 : 76; /* version 1 has 64-bit times */
    if (klen < off + 8) continue;
    uint32_t tw = be32(tkhd + off) >> 16, th = be32(tkhd + off + 4) >> 16;
    if (tw && th) {
      *w = (int)tw;
      *h = (int)th;
      return;
    }
  }
}

/* EBML variable-length integers: the id keeps its marker bit, sizes do not. */
static int ebml_vint(const unsigned char *d, size_t n, size_t *i, uint64_t *v, int keep,
                     int *unknown) {
  if (*i >= n || d[*i] == 0) return -1;
  int len = 1;
  while (!(d[*i] & (0x80 >> (len - 1)))) len++;
  if (len > 8 || *i + (size_t)len > n) return -1;
  uint64_t x = keep ? d[*i] : (uint64_t)(d[*i] & (0xff >> len));
  int ones = (d[*i] & (0xff >> len)) == (0xff >> len);
  for (int k = 1; k < len; k++) {
    x = x << 8 | d[*i + (size_t)k];
    ones &= d[*i + (size_t)k] == 0xff;
  }
  if (unknown) *unknown = ones;
  *i += (size_t)len;
  *v = x;
  return 0;
}

static uint64_t ebml_uint(const unsigned char *d, size_t len) {
  uint64_t v = 0;
  for (size_t k = 0; k < len && k < 8; k++) v = v << 8 | d[k];
  return v;
}

/* Walks Segment > Tracks > TrackEntry > Video for PixelWidth/Height; checks
 * the DocType is "webm". Returns 0 when the header is a WebM one. */
static int webm_scan(const unsigned char *d, size_t n, int *w, int *h) {
  size_t i = 0;
  int doc_ok = 0, steps = 0;
  while (i < n && steps++ < 100000) {
    uint64_t id, size;
    int unknown;
    if (ebml_vint(d, n, &i, &id, 1, NULL) != 0 || ebml_vint(d, n, &i, &size, 0, &unknown) != 0)
      break;
    if (unknown || size > n - i) size = n - i;
    switch (id) {
    case 0x1a45dfa3:                 /* EBML header */
    case 0x18538067:                 /* Segment */
    case 0x1654ae6b:                 /* Tracks */
    case 0xae:                       /* TrackEntry */
    case 0xe0: /* Video */ continue; /* descend: the children follow */
    case 0x4282:                     /* DocType */
      doc_ok = size == 4 && memcmp(d + i, "webm", 4) == 0;
      if (!doc_ok) return -1;
      break;
    case 0xb0:
      if (!*w) *w = (int)ebml_uint(d + i, (size_t)size);
      break;
    case 0xba:
      if (!*h) *h = (int)ebml_uint(d + i, (size_t)size);
      break;
    default: break;
    }
    if (*w && *h && doc_ok) break;
    i += (size_t)size;
  }
  return doc_ok ? 0 : -1;
}

int pa_blob_sniff(const unsigned char *d, size_t n, pa_blob_info *out) {
  int w = 0, h = 0;
  memset(out, 0, sizeof *out);
  if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
    out->kind = PA_BLOB_JPEG;
    if (jpeg_size(d, n, &w, &h) != 0) return PA_BLOB_EFORMAT;
  } else if (n >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
    out->kind = PA_BLOB_PNG;
    if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0) return PA_BLOB_EFORMAT;
    uint32_t pw = be32(d + 16), ph = be32(d + 20);
    w = pw > 0x7fffffff ? -1 : (int)pw;
    h = ph > 0x7fffffff ? -1 : (int)ph;
  } else if (n >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
    out->kind = PA_BLOB_WEBP;
    if (webp_size(d, n, &w, &h) != 0) return PA_BLOB_EFORMAT;
  } else if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0) {
    out->kind = PA_BLOB_MP4;
    mp4_size(d, n, &w, &h);
  } else if (n >= 4 && memcmp(d, "\x1a\x45\xdf\xa3", 4) == 0) {
    out->kind = PA_BLOB_WEBM;
    if (webm_scan(d, n, &w, &h) != 0) return PA_BLOB_EFORMAT;
  } else {
    return PA_BLOB_EFORMAT;
  }
  if (pa_blob_kind_is_video(out->kind)) {
    /* A size we cannot read, or cannot believe, is left unknown. */
    if (w < 1 || h < 1 || w > 16384 || h > 16384) w = h = 0;
  } else if (w < 1 || h < 1) {
    return PA_BLOB_EFORMAT;
  } else if (w > PA_BLOB_MAX_SIDE || h > PA_BLOB_MAX_SIDE || (int64_t)w * h > PA_BLOB_MAX_PIXELS) {
    return PA_BLOB_ESIZE;
  }
  out->width = w;
  out->height = h;
  return PA_BLOB_OK;
}

int pa_blob_scrub_video(unsigned char *data, size_t len, int64_t *duration_ms, char *msg,
                        size_t cap) {
  pa_error e;
  pa_upload_scrub rep;
  if (pa_upload_scrub_video(data, len, &rep, &e) == PA_OK) {
    if (duration_ms) *duration_ms = rep.duration_ms;
    if (rep.duration_unknown) snprintf(msg, cap, "%s", rep.duration_unknown);
    return 0;
  }
  /* "video: …" from the core; the prefix is ours to drop. */
  snprintf(msg, cap, "%s", strncmp(e.msg, "video: ", 7) == 0 ? e.msg + 7 : e.msg);
  return -1;
}

int pa_blob_thumbhash(const void *data, size_t len, char out[PA_BLOB_THUMBHASH_MAX]) {
  pa_image img;
  pa_error e;
  uint8_t hash[PA_THUMBHASH_MAX];
  size_t n = 0;
  out[0] = '\0';
  /* As the core hashes (pa_upload_prepare, `petamigos image-hash`), so the
   * same bytes give the same hash everywhere. */
  if (pa_image_decode(data, len, NULL, &img, &e) != PA_OK) return -1;
  pa_status st = pa_thumbhash_from_rgba(img.rgba, img.width, img.height, hash, &n, &e);
  pa_image_free(&img);
  if (st != PA_OK) return -1;
  return pa_thumbhash_to_base64(hash, n, out, PA_BLOB_THUMBHASH_MAX) > 0 ? 0 : -1;
}

/* ---- metadata (media.h, "what an uploaded image keeps") */

/* The kept parts, copied in order into a buffer as long as the input (what
 * is kept never grows); dropped says whether anything was left out. */
typedef struct keeper {
  unsigned char *p;
  size_t len;
  int dropped;
} keeper;

static void keep(keeper *k, const unsigned char *src, size_t n) {
  memcpy(k->p + k->len, src, n);
  k->len += n;
}

/* A segment that describes pixels and nothing else: marker m, then n bytes
 * of body after the length field. */
static int jpeg_pixel_segment(unsigned char m, const unsigned char *body, size_t n) {
  switch (m) {
  case 0xc4: /* DHT */
  case 0xcc: /* DAC */
  case 0xdb: /* DQT */
  case 0xdc: /* DNL */
  case 0xdd: /* DRI */ return 1;
  case 0xe0: /* JFIF: "JFIF\0", version, units, density, then a 0 x 0 thumbnail */
    return n == 14 && memcmp(body, "JFIF", 5) == 0 && body[12] == 0 && body[13] == 0;
  case 0xee: /* Adobe: version, two flag words and the colour transform */
    return n == 12 && memcmp(body, "Adobe", 5) == 0;
  default: return m >= 0xc0 && m <= 0xcf && m != 0xc8; /* SOFn (0xc8 is reserved) */
  }
}

static int jpeg_strip(const unsigned char *d, size_t n, keeper *k) {
  size_t i = 2;
  keep(k, d, 2);
  while (i < n) {
    if (d[i] != 0xff || i + 1 >= n) return -1;
    unsigned char m = d[i + 1];
    if (m == 0xff) { /* fill byte before a marker */
      k->dropped = 1;
      i++;
      continue;
    }
    if (m == 0xd9) { /* EOI: what follows is not the image (trailers, second pictures) */
      keep(k, d + i, 2);
      k->dropped |= i + 2 < n;
      return 0;
    }
    if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) { /* TEM, RSTn: no length */
      keep(k, d + i, 2);
      i += 2;
      continue;
    }
    if (m == 0x00 || m == 0xd8 || n - i < 4) return -1;
    size_t seg = 2 + (size_t)be16(d + i + 2);
    if (seg < 4 || seg > n - i) return -1;
    if (m == 0xda) {
      /* The scan header, then entropy-coded data up to the first marker that
       * is not a restart (0xff00 is a stuffed 0xff). */
      size_t j = i + seg;
      while (j + 1 < n && !(d[j] == 0xff && d[j + 1] != 0 && (d[j + 1] < 0xd0 || d[j + 1] > 0xd7)))
        j++;
      if (j + 1 >= n) j = n; /* no EOI: a truncated file, kept as far as it goes */
      keep(k, d + i, j - i);
      i = j;
      continue;
    }
    if (jpeg_pixel_segment(m, d + i + 4, seg - 4))
      keep(k, d + i, seg);
    else
      k->dropped = 1;
    i += seg;
  }
  return 0;
}

static int png_pixel_chunk(const unsigned char *type) {
  static const char pixels[][5] = {"IHDR", "PLTE", "tRNS", "IDAT", "IEND", "gAMA",
                                   "cHRM", "sRGB", "sBIT", "bKGD", "pHYs"};
  for (size_t i = 0; i < sizeof pixels / sizeof pixels[0]; i++)
    if (memcmp(type, pixels[i], 4) == 0) return 1;
  return 0;
}

static int png_strip(const unsigned char *d, size_t n, keeper *k) {
  size_t i = 8;
  keep(k, d, 8);
  while (i < n) {
    if (n - i < 12) return -1;
    uint32_t len = be32(d + i); /* length, type, data, CRC */
    if (len > n - i - 12) return -1;
    const unsigned char *type = d + i + 4;
    size_t whole = 12 + (size_t)len;
    if (png_pixel_chunk(type))
      keep(k, d + i, whole);
    else
      k->dropped = 1;
    i += whole;
    if (memcmp(type, "IEND", 4) == 0) {
      k->dropped |= i < n;
      return 0;
    }
  }
  return 0;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int webp_pixel_chunk(const unsigned char *type) {
  static const char pixels[][5] = {"VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF"};
  for (size_t i = 0; i < sizeof pixels / sizeof pixels[0]; i++)
    if (memcmp(type, pixels[i], 4) == 0) return 1;
  return 0;
}

enum { WEBP_VP8X_META = 0x20 | 0x08 | 0x04 }; /* VP8X flags: ICC profile, EXIF, XMP */

static int webp_strip(const unsigned char *d, size_t n, keeper *k) {
  uint32_t riff = le32(d + 4);
  if (riff < 4 || riff > n - 8) return -1;
  size_t end = 8 + (size_t)riff, i = 12;
  k->dropped = end < n; /* bytes after the RIFF form */
  keep(k, d, 12);
  while (i < end) {
    if (end - i < 8) return -1;
    uint32_t len = le32(d + i + 4);
    if (len > end - i - 8) return -1;
    size_t whole = 8 + (size_t)len + (len & 1); /* payloads are padded to even */
    if (whole > end - i) whole = end - i;       /* a last pad byte left out */
    if (webp_pixel_chunk(d + i)) {
      size_t at = k->len;
      keep(k, d + i, whole);
      if (memcmp(d + i, "VP8X", 4) == 0 && len >= 1) {
        unsigned char flags = (unsigned char)(k->p[at + 8] & ~WEBP_VP8X_META);
        k->dropped |= flags != k->p[at + 8];
        k->p[at + 8] = flags;
      }
    } else {
      k->dropped = 1;
    }
    i += whole;
  }
  uint32_t size = (uint32_t)(k->len - 8);
  for (int b = 0; b < 4; b++) k->p[4 + b] = (unsigned char)(size >> (8 * b));
  return 0;
}

/* A turned JPEG: the core decodes it upright and encodes the pixels alone. */
static int reencode_upright(const unsigned char *data, size_t len, pa_blob_info *info,
                            unsigned char **out, size_t *out_len, char *msg, size_t cap) {
  pa_upload up;
  pa_error e;
  pa_upload_options o = {PA_BLOB_MAX_SIDE, PA_BLOB_REENCODE_QUALITY};
  if (pa_upload_prepare(data, len, NULL, &o, &up, &e) != PA_OK) {
    snprintf(msg, cap, "it cannot be decoded to turn it upright (%s)", e.msg);
    return e.code == PA_ERR_NOMEM ? PA_BLOB_ENOMEM : PA_BLOB_EFORMAT;
  }
  *out = up.bytes; /* ours now: up is not freed */
  *out_len = up.len;
  info->kind = up.format == PA_IMAGE_PNG ? PA_BLOB_PNG : PA_BLOB_JPEG;
  info->width = up.width;
  info->height = up.height;
  return PA_BLOB_OK;
}

int pa_blob_clean_image(const unsigned char *data, size_t len, pa_blob_info *info,
                        pa_blob_cleaning *how, unsigned char **out, size_t *out_len, char *msg,
                        size_t cap) {
  *how = PA_BLOB_KEPT;
  *out = NULL;
  *out_len = 0;
  if (cap) msg[0] = '\0';
  if (!data || len < 16 || pa_blob_kind_is_video(info->kind)) return PA_BLOB_EINVAL;
  pa_image_info probe;
  if (info->kind == PA_BLOB_JPEG && pa_image_probe(data, len, &probe, NULL) == PA_OK &&
      probe.orientation != 1) {
    int rc = reencode_upright(data, len, info, out, out_len, msg, cap);
    if (rc == PA_BLOB_OK) *how = PA_BLOB_REENCODED;
    return rc;
  }
  keeper k = {malloc(len), 0, 0};
  if (!k.p) return PA_BLOB_ENOMEM;
  int rc = info->kind == PA_BLOB_JPEG  ? jpeg_strip(data, len, &k)
           : info->kind == PA_BLOB_PNG ? png_strip(data, len, &k)
                                       : webp_strip(data, len, &k);
  if (rc != 0 || !k.dropped) {
    free(k.p);
    if (rc != 0)
      snprintf(msg, cap, "its %s structure is broken (a part overruns the file)",
               info->kind == PA_BLOB_JPEG  ? "JPEG"
               : info->kind == PA_BLOB_PNG ? "PNG"
                                           : "WebP");
    return rc != 0 ? PA_BLOB_EFORMAT : PA_BLOB_OK;
  }
  *how = PA_BLOB_STRIPPED;
  *out = k.p;
  *out_len = k.len;
  return PA_BLOB_OK;
}
