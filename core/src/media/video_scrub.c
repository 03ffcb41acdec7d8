/* pa_upload_scrub_video: a video's metadata cleared in place (src/media/media.md,
 * "Videos"). Every box or element keeps its offset and its length, so the
 * sample offset tables (stco/co64), SeekHead and Cues stay valid.
 *
 * Two passes over the same walk: the first only checks and counts, the second
 * (run only when the first found nothing to refuse) writes. A refused file is
 * left exactly as it came. */
#include "pa/pa_upload.h"

#include <stdio.h>
#include <string.h>

typedef struct scrub {
  uint8_t *b;
  size_t len;
  int apply; /* 0: check and count only */
  pa_upload_scrub *rep;
  pa_error *err;
} scrub;

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void count(scrub *s, size_t bytes, unsigned what) {
  s->rep->cleared++;
  s->rep->cleared_bytes += bytes;
  s->rep->what |= what;
}

/* Past the end of a parent that runs to the end of the file (the top level,
 * an MP4 box of size 0, an EBML element of unknown size): truncated; past the
 * end of a parent with a size of its own: malformed. */
static pa_status overrun(scrub *s, int open, const char *fmt, const char *name, size_t at) {
  pa_status code = open ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX;
  return pa_error_set(s->err, code, fmt, name, at,
                      code == PA_ERR_TRUNCATED ? "the file ends first" : "it overruns its parent");
}

/* ---- MP4 / MOV (ISO base media file format) */

enum { MP4_MAX_DEPTH = 2 }; /* top level (0) > moov (1) > trak (2); nothing deeper is read */

typedef struct box {
  size_t at, sizelen, end; /* sizelen: 8, or 16 with a 64-bit largesize */
  int to_end;              /* size 0: to the end of the file */
  char type[5];            /* printable copy for messages */
  char raw[4];
} box;

static int is(const box *bx, const char *type) { return memcmp(bx->raw, type, 4) == 0; }

static pa_status mp4_box(scrub *s, size_t pos, size_t end, int depth, int open, box *bx) {
  const uint8_t *p = s->b + pos;
  if (end - pos < 8)
    return overrun(s, open, "video: %s%zu: a box header needs 8 bytes; %s", "offset ", pos);
  memcpy(bx->raw, p + 4, 4);
  for (int i = 0; i < 4; i++)
    bx->type[i] = p[4 + i] >= 0x20 && p[4 + i] < 0x7f ? (char)p[4 + i] : '?';
  bx->type[4] = '\0';
  bx->at = pos;
  bx->sizelen = 8;
  bx->to_end = 0;
  uint64_t size = be32(p);
  if (size == 1) {
    if (end - pos < 16)
      return overrun(s, open, "video: box '%s' at %zu: its 64-bit size is cut off; %s", bx->type,
                     pos);
    size = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
    bx->sizelen = 16;
  } else if (size == 0) {
    if (depth != 0)
      return pa_error_set(s->err, PA_ERR_SYNTAX,
                          "video: box '%s' at %zu has size 0 (to the end), allowed only at the "
                          "top level",
                          bx->type, pos);
    size = end - pos;
    bx->to_end = 1;
  }
  size_t head = bx->sizelen + (is(bx, "uuid") ? 16 : 0);
  if (size < head)
    return pa_error_set(s->err, PA_ERR_SYNTAX,
                        "video: box '%s' at %zu: size %llu is below its header", bx->type, pos,
                        (unsigned long long)size);
  if (size > end - pos) {
    return overrun(s, open, "video: box '%s' at %zu is larger than the room left; %s", bx->type,
                   pos);
  }
  bx->end = pos + (size_t)size;
  return PA_OK;
}

/* udta (©xyz, loci, titles…), meta (Apple's location keys, iTunes tags) and
 * uuid boxes (XMP and vendors' own) become 'free' boxes of the same size. */
static void mp4_clear(scrub *s, const box *bx) {
  unsigned what = is(bx, "udta") ? PA_SCRUB_UDTA : is(bx, "meta") ? PA_SCRUB_META : PA_SCRUB_UUID;
  count(s, bx->end - bx->at, what);
  if (!s->apply) return;
  memcpy(s->b + bx->at + 4, "free", 4);
  memset(s->b + bx->at + bx->sizelen, 0, bx->end - bx->at - bx->sizelen);
}

/* The boxes in [start, end) at depth; descends into moov at the top and trak in moov. */
static pa_status mp4_level(scrub *s, size_t start, size_t end, int depth, int open, int *moov) {
  for (size_t pos = start; pos < end;) {
    box bx;
    pa_status st = mp4_box(s, pos, end, depth, open, &bx);
    if (st != PA_OK) return st;
    if (depth == 0 && pos == 0) {
      if (!is(&bx, "ftyp"))
        return pa_error_set(s->err, PA_ERR_UNSUPPORTED,
                            "video: not an MP4 video (the first box is '%s', not 'ftyp')", bx.type);
      size_t brands = bx.end - bx.at - bx.sizelen;
      if (brands < 8 || brands % 4)
        return pa_error_set(s->err, PA_ERR_SYNTAX, "video: 'ftyp' holds %zu bytes, not 8 + 4n",
                            brands);
    } else if (is(&bx, "udta") || is(&bx, "meta") || is(&bx, "uuid")) {
      mp4_clear(s, &bx);
    } else if (depth < MP4_MAX_DEPTH && is(&bx, depth == 0 ? "moov" : "trak")) {
      if (depth == 0) ++*moov;
      st = mp4_level(s, bx.at + bx.sizelen, bx.end, depth + 1, bx.to_end, moov);
      if (st != PA_OK) return st;
    }
    pos = bx.end;
  }
  return PA_OK;
}

static pa_status mp4_scrub(scrub *s) {
  int moov = 0;
  pa_status st = mp4_level(s, 0, s->len, 0, 1, &moov);
  if (st != PA_OK) return st;
  if (moov != 1)
    return pa_error_set(s->err, moov ? PA_ERR_SYNTAX : PA_ERR_UNSUPPORTED,
                        moov ? "video: %d 'moov' boxes; a video has one"
                             : "video: not an MP4 video (%d 'moov' boxes: an image or a fragment?)",
                        moov);
  return PA_OK;
}

/* ---- WebM / Matroska (EBML) */

enum {
  EBML_HEADER = 0x1A45DFA3,
  EBML_DOCTYPE = 0x4282,
  MKV_SEGMENT = 0x18538067,
  MKV_SEEKHEAD = 0x114D9B74,
  MKV_SEEK = 0x4DBB,
  MKV_SEEKID = 0x53AB,
  MKV_INFO = 0x1549A966,
  MKV_TITLE = 0x7BA9,
  MKV_CLUSTER = 0x1F43B675,
  MKV_TAGS = 0x1254C367,
  MKV_ATTACHMENTS = 0x1941A469,
  MKV_VOID = 0xEC,
  MKV_CRC32 = 0xBF
};

typedef struct elem {
  size_t at, data, end; /* end: data + size, or the parent's end when the size is unknown */
  uint32_t id;
  int unknown;
} elem;

/* An EBML variable-length integer: an id keeps its length marker (1-4 bytes),
 * a size drops it (1-8 bytes; all value bits set means "unknown"). */
static pa_status vint(scrub *s, size_t *pos, size_t end, int open, int is_id, uint64_t *v,
                      int *unknown) {
  size_t at = *pos;
  if (at >= end)
    return overrun(s, open, "video: %s at %zu is missing; %s", is_id ? "an element id" : "a size",
                   at);
  uint8_t first = s->b[at];
  int n = 1;
  while (n <= 8 && !(first & (0x80 >> (n - 1)))) n++;
  if (n > (is_id ? 4 : 8))
    return pa_error_set(s->err, PA_ERR_SYNTAX, "video: invalid EBML %s at %zu (byte 0x%02X)",
                        is_id ? "id" : "size", at, first);
  if ((size_t)n > end - at)
    return overrun(s, open, "video: %s at %zu is cut off; %s", is_id ? "an element id" : "a size",
                   at);
  uint64_t x = is_id ? first : (uint64_t)(first & (0xFF >> n));
  int ones = (first & (0xFF >> n)) == (0xFF >> n);
  for (int k = 1; k < n; k++) {
    x = x << 8 | s->b[at + (size_t)k];
    ones &= s->b[at + (size_t)k] == 0xFF;
  }
  if (is_id && ones)
    return pa_error_set(s->err, PA_ERR_SYNTAX, "video: reserved EBML id at %zu", at);
  *unknown = ones;
  *v = x;
  *pos = at + (size_t)n;
  return PA_OK;
}

/* The element at pos inside a parent ending at end (open: see overrun). */
static pa_status ebml_elem(scrub *s, size_t pos, size_t end, int open, elem *e) {
  uint64_t id = 0, size = 0; /* set by vint on success; -O3 cannot tell */
  int unknown = 0;
  e->at = pos;
  pa_status st = vint(s, &pos, end, open, 1, &id, &unknown);
  if (st == PA_OK) st = vint(s, &pos, end, open, 0, &size, &unknown);
  if (st != PA_OK) return st;
  e->id = (uint32_t)id;
  e->data = pos;
  e->unknown = unknown;
  if (unknown) {
    e->end = end;
  } else if (size > end - pos) {
    char name[16];
    snprintf(name, sizeof name, "0x%X", e->id);
    return overrun(s, open, "video: element %s at %zu is larger than the room left; %s", name,
                   e->at);
  } else {
    e->end = pos + (size_t)size;
  }
  return PA_OK;
}

static pa_status known_size(scrub *s, const elem *e) {
  if (!e->unknown) return PA_OK;
  return pa_error_set(s->err, PA_ERR_SYNTAX, "video: element 0x%X at %zu has an unknown size",
                      e->id, e->at);
}

/* Rewrites e as a Void element of exactly the same total length: a 1-byte
 * id, a size as wide as needed (up to 8 bytes), zeros. */
static pa_status ebml_void(scrub *s, const elem *e, unsigned what) {
  size_t total = e->end - e->at;
  for (int w = 8; w >= 1; w--) {
    if (total < 1 + (size_t)w) continue;
    uint64_t data = (uint64_t)(total - 1 - (size_t)w);
    if (data > (1ull << (7 * w)) - 2) continue; /* all ones would mean "unknown" */
    if (what) count(s, total, what);
    if (s->apply) {
      uint64_t v = data | 1ull << (7 * w);
      s->b[e->at] = MKV_VOID;
      for (int k = 0; k < w; k++) s->b[e->at + 1 + (size_t)k] = (uint8_t)(v >> (8 * (w - 1 - k)));
      memset(s->b + e->at + 1 + w, 0, (size_t)data);
    }
    return PA_OK;
  }
  return pa_error_set(s->err, PA_ERR_UNSUPPORTED,
                      "video: element 0x%X at %zu (%zu bytes) cannot be turned into padding", e->id,
                      e->at, total);
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = c >> 1 ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

/* The unsigned or binary value of a small element (ids in SeekID). */
static uint64_t ebml_uint(const scrub *s, const elem *e) {
  uint64_t v = 0;
  for (size_t i = e->data; i < e->end && i - e->data < 8; i++) v = v << 8 | s->b[i];
  return e->end - e->data > 8 ? 0 : v;
}

/* Seek entries that point at Tags or Attachments. */
static pa_status seek_points_to_metadata(scrub *s, const elem *seek, int *hit) {
  *hit = 0;
  for (size_t pos = seek->data; pos < seek->end;) {
    elem c;
    pa_status st = ebml_elem(s, pos, seek->end, 0, &c);
    if (st == PA_OK) st = known_size(s, &c);
    if (st != PA_OK) return st;
    if (c.id == MKV_SEEKID) {
      uint64_t id = ebml_uint(s, &c);
      *hit |= id == MKV_TAGS || id == MKV_ATTACHMENTS;
    }
    pos = c.end;
  }
  return PA_OK;
}

/* SeekHead: entries for the cleared elements become Void; Info: the Title
 * does. A CRC-32 first child is recomputed when anything changed. */
static pa_status level1_children(scrub *s, const elem *parent) {
  size_t crc_at = 0;
  int changed = 0, first = 1;
  for (size_t pos = parent->data; pos < parent->end; first = 0) {
    elem c;
    pa_status st = ebml_elem(s, pos, parent->end, 0, &c);
    if (st == PA_OK) st = known_size(s, &c);
    if (st != PA_OK) return st;
    if (first && c.id == MKV_CRC32 && c.end - c.data == 4) crc_at = c.data;
    int hit = 0;
    if (parent->id == MKV_SEEKHEAD && c.id == MKV_SEEK) {
      st = seek_points_to_metadata(s, &c, &hit);
      if (st != PA_OK) return st;
      if (hit) s->rep->pointers++;
    } else if (parent->id == MKV_INFO && c.id == MKV_TITLE) {
      hit = 1;
    }
    if (hit) {
      st = ebml_void(s, &c, parent->id == MKV_INFO ? PA_SCRUB_TITLE : 0);
      if (st != PA_OK) return st;
      changed = 1;
    }
    pos = c.end;
  }
  if (changed && crc_at && s->apply) {
    uint32_t crc = crc32_ieee(s->b + crc_at + 4, parent->end - crc_at - 4);
    for (int k = 0; k < 4; k++)
      s->b[crc_at + (size_t)k] = (uint8_t)(crc >> (8 * k)); /* little-endian */
  }
  return PA_OK;
}

static int cluster_child(uint32_t id) {
  switch (id) {
  case 0xE7:   /* Timestamp */
  case 0x5854: /* SilentTracks */
  case 0xA7:   /* Position */
  case 0xAB:   /* PrevSize */
  case 0xA3:   /* SimpleBlock */
  case 0xA0:   /* BlockGroup */
  case 0xAF:   /* EncryptedBlock */
  case MKV_VOID:
  case MKV_CRC32: return 1;
  default: return 0;
  }
}

/* A Cluster of unknown size (live recordings, MediaRecorder) ends where an
 * element that cannot be its child begins. Returns that position in *next. */
static pa_status open_cluster(scrub *s, const elem *cl, int open, size_t *next) {
  size_t pos = cl->data;
  while (pos < cl->end) {
    elem c;
    pa_status st = ebml_elem(s, pos, cl->end, open, &c);
    if (st != PA_OK) return st;
    if (!cluster_child(c.id)) break;
    if ((st = known_size(s, &c)) != PA_OK) return st;
    pos = c.end;
  }
  *next = pos;
  return PA_OK;
}

/* The Segment's top-level children; *next: where the Segment ended. */
static pa_status segment(scrub *s, const elem *seg, size_t *next) {
  size_t pos = seg->data;
  while (pos < seg->end) {
    elem e;
    pa_status st = ebml_elem(s, pos, seg->end, seg->unknown, &e);
    if (st != PA_OK) return st;
    if (e.id == EBML_HEADER && seg->unknown) break; /* the next file of a chain */
    if (e.unknown && e.id != MKV_CLUSTER) return known_size(s, &e);
    if (e.unknown) {
      st = open_cluster(s, &e, seg->unknown, &pos);
    } else if (e.id == MKV_TAGS || e.id == MKV_ATTACHMENTS) {
      st = ebml_void(s, &e, e.id == MKV_TAGS ? PA_SCRUB_TAGS : PA_SCRUB_ATTACHMENTS);
      pos = e.end;
    } else if (e.id == MKV_SEEKHEAD || e.id == MKV_INFO) {
      st = level1_children(s, &e);
      pos = e.end;
    } else {
      pos = e.end; /* Clusters, Tracks, Cues… skipped by size */
    }
    if (st != PA_OK) return st;
  }
  *next = pos;
  return PA_OK;
}

/* The EBML header: a known size, and a DocType of webm or matroska. */
static pa_status ebml_header(scrub *s, const elem *h) {
  pa_status st = known_size(s, h);
  int doc = 0;
  for (size_t pos = h->data; st == PA_OK && pos < h->end;) {
    elem c = {0};
    if ((st = ebml_elem(s, pos, h->end, 0, &c)) == PA_OK) st = known_size(s, &c);
    if (st != PA_OK) break;
    if (c.id == EBML_DOCTYPE) {
      size_t n = c.end - c.data;
      while (n && s->b[c.data + n - 1] == 0) n--; /* strings may be NUL-padded */
      doc = (n == 4 && memcmp(s->b + c.data, "webm", 4) == 0) ||
            (n == 8 && memcmp(s->b + c.data, "matroska", 8) == 0);
      if (!doc)
        return pa_error_set(s->err, PA_ERR_UNSUPPORTED,
                            "video: not a WebM video (EBML DocType is not webm or matroska)");
    }
    pos = c.end;
  }
  if (st == PA_OK && !doc)
    st = pa_error_set(s->err, PA_ERR_SYNTAX, "video: the EBML header has no DocType");
  return st;
}

static pa_status webm_scrub(scrub *s) {
  int segments = 0;
  for (size_t pos = 0; pos < s->len;) {
    elem e;
    pa_status st = ebml_elem(s, pos, s->len, 1, &e);
    if (st != PA_OK) return st;
    if (pos == 0 || e.id == EBML_HEADER) {
      if (e.id != EBML_HEADER)
        return pa_error_set(s->err, PA_ERR_UNSUPPORTED, "video: not a WebM video");
      st = ebml_header(s, &e);
      pos = e.end;
    } else if (e.id == MKV_SEGMENT) {
      segments++;
      st = segment(s, &e, &pos);
    } else if (e.id == MKV_VOID) {
      st = known_size(s, &e);
      pos = e.end;
    } else {
      st = pa_error_set(s->err, PA_ERR_SYNTAX,
                        "video: element 0x%X at %zu does not belong at the top level", e.id, e.at);
    }
    if (st != PA_OK) return st;
  }
  if (!segments)
    return pa_error_set(s->err, PA_ERR_TRUNCATED, "video: the WebM file has no Segment");
  return PA_OK;
}

/* ---- public */

pa_status pa_upload_scrub_video(uint8_t *bytes, size_t len, pa_upload_scrub *report,
                                pa_error *err) {
  pa_upload_scrub local;
  pa_upload_scrub *rep = report ? report : &local;
  memset(rep, 0, sizeof *rep);
  pa_error_clear(err);
  if (!bytes && len) return pa_error_set(err, PA_ERR_ARG, "video: no bytes");
  if (len < 8) {
    return pa_error_set(err, len ? PA_ERR_TRUNCATED : PA_ERR_ARG, "video: %zu bytes is not a video",
                        len);
  }
  pa_status (*walk)(scrub *);
  if (be32(bytes) == EBML_HEADER) {
    rep->container = PA_UPLOAD_VIDEO_WEBM;
    walk = webm_scrub;
  } else if (memcmp(bytes + 4, "ftyp", 4) == 0) {
    rep->container = PA_UPLOAD_VIDEO_MP4;
    walk = mp4_scrub;
  } else {
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "video: not an MP4 or WebM video");
  }
  scrub s = {bytes, len, 0, rep, err};
  pa_status st = walk(&s);
  if (st != PA_OK) return st;
  pa_upload_video container = rep->container;
  memset(rep, 0, sizeof *rep);
  rep->container = container;
  s.apply = 1;
  return walk(&s); /* the same walk over unchanged structure: cannot fail now */
}

size_t pa_upload_scrub_describe(const pa_upload_scrub *r, char *buf, size_t cap) {
  static const char *const names[] = {"udta", "meta", "uuid", "Tags", "Attachments", "Title"};
  char what[64] = "";
  size_t n = 0;
  for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
    if (!(r->what & 1u << i)) continue;
    int k = snprintf(what + n, sizeof what - n, " %s", names[i]);
    if (k > 0 && (size_t)k < sizeof what - n) n += (size_t)k;
  }
  int k = snprintf(buf, cap, "%s cleared %u%s, %llu bytes, %u seek entries\n",
                   r->container == PA_UPLOAD_VIDEO_WEBM ? "webm" : "mp4", r->cleared, what,
                   (unsigned long long)r->cleared_bytes, r->pointers);
  return k < 0 ? 0 : (size_t)k;
}
