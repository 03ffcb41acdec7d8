/* pa_upload_scrub_video: a video's metadata cleared in place (src/media/media.md,
 * "Videos"). Every box or element keeps its offset and its length, so the
 * sample offset tables (stco/co64), SeekHead and Cues stay valid. The same
 * walk reads the video's duration (pa_upload_scrub.duration_ms).
 *
 * Two passes over the same walk: the first only checks and counts, the second
 * (run only when the first found nothing to refuse) writes. A refused file is
 * left exactly as it came. */
#include "pa/pa_upload.h"

#include <stdio.h>
#include <string.h>

/* What the walk gathers for the duration; cleared before each walk. */
typedef struct timing {
  const char *why; /* the first reason the length is unknown, or NULL */
  /* MP4 */
  int mvhds, fragmented;
  uint32_t timescale;
  uint64_t mvhd_units, tkhd_units; /* in mvhd's timescale; tkhd: the longest track */
  /* WebM: the Segment being walked, then the sum of the finished ones */
  int infos, blocks, float_size; /* float_size: -1 without a Duration */
  uint64_t scale, float_bits;    /* TimecodeScale (ns per tick), Duration's bits */
  uint64_t block_end;            /* ticks: where the latest block ends */
  int64_t total_ms;
} timing;

typedef struct scrub {
  uint8_t *b;
  size_t len;
  int apply; /* 0: check and count only */
  pa_upload_scrub *rep;
  pa_error *err;
  timing t;
} scrub;

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* ---- the duration: every failure only makes the length unknown (the file
 * is still scrubbed; the caller decides what an unknown length means) */

static void no_duration(scrub *s, const char *why) {
  if (!s->t.why) s->t.why = why;
}

static const char BEYOND[] = "it states more than 24 hours";

/* ceil(units * num / den) milliseconds, or -1 past PA_UPLOAD_VIDEO_MAX_MS.
 * Rounded up, so that a video a nanosecond over a limit is over it. The
 * product of two 64-bit header fields is taken in 128 bits: nothing a file
 * states can wrap it. */
typedef unsigned __int128 u128;
static int64_t ms_ceil(uint64_t units, uint64_t num, u128 den) {
  u128 p = (u128)units * num;
  u128 q = p / den + (p % den != 0);
  return q > (u128)PA_UPLOAD_VIDEO_MAX_MS ? -1 : (int64_t)q;
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

/* moov/mvhd and trak/tkhd (ISO/IEC 14496-12 8.2.2, 8.3.2): a version byte
 * and 3 bytes of flags, then version 0 has 32-bit creation and modification
 * times, mvhd a 32-bit timescale, tkhd a track id and 4 reserved bytes, and a
 * 32-bit duration; version 1 has the times and the duration in 64 bits. A
 * duration of all ones means "not stated". */
enum { MVHD_V0_LEN = 20, MVHD_V1_LEN = 32, TKHD_V0_LEN = 24, TKHD_V1_LEN = 36 };

static void mp4_times(scrub *s, const box *bx, int mvhd) {
  const uint8_t *p = s->b + bx->at + bx->sizelen;
  size_t n = bx->end - bx->at - bx->sizelen;
  if (mvhd) s->t.mvhds++;
  if (n < 1 || p[0] > 1)
    return no_duration(s, mvhd ? "mvhd has an unknown version" : "a tkhd has an unknown version");
  int v1 = p[0];
  if (n < (size_t)(mvhd ? v1 ? MVHD_V1_LEN : MVHD_V0_LEN : v1 ? TKHD_V1_LEN : TKHD_V0_LEN))
    return no_duration(s, mvhd ? "mvhd is too short for its version"
                               : "a tkhd is too short for its version");
  size_t at = mvhd ? v1 ? 24 : 16 : v1 ? 28 : 20;
  uint64_t d = v1 ? be64(p + at) : be32(p + at);
  if (d == (v1 ? UINT64_MAX : UINT32_MAX))
    return no_duration(s, mvhd ? "mvhd states no duration" : "a tkhd states no duration");
  if (mvhd) {
    s->t.timescale = be32(p + (v1 ? 20 : 12));
    s->t.mvhd_units = d;
  } else if (d > s->t.tkhd_units) {
    s->t.tkhd_units = d;
  }
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
    } else if ((depth == 1 && is(&bx, "mvhd")) || (depth == 2 && is(&bx, "tkhd"))) {
      mp4_times(s, &bx, depth == 1);
    } else if (depth == 1 && is(&bx, "mvex")) {
      s->t.fragmented = 1;
    } else if (depth < MP4_MAX_DEPTH && is(&bx, depth == 0 ? "moov" : "trak")) {
      if (depth == 0) ++*moov;
      st = mp4_level(s, bx.at + bx.sizelen, bx.end, depth + 1, bx.to_end, moov);
      if (st != PA_OK) return st;
    }
    pos = bx.end;
  }
  return PA_OK;
}

/* The movie's length: the longer of what mvhd and the longest tkhd state
 * (both in mvhd's timescale; players take the longest track). What the
 * headers state is what is read: the sample tables (stts, edit lists) lie
 * deeper and are a decoder's business. A fragmented file (moov/mvex) is
 * unknown: its mvhd covers only what precedes the first fragment (0 for
 * ffmpeg's empty_moov), the rest lies in moof boxes that mehd may or may not
 * sum up, so believing it would let any length through. */
static void mp4_duration(scrub *s) {
  timing *t = &s->t;
  if (t->mvhds != 1) no_duration(s, t->mvhds ? "more than one mvhd" : "the file has no mvhd");
  if (t->fragmented) no_duration(s, "a fragmented MP4 (moov/mvex) states its length per fragment");
  if (!t->why && !t->timescale) no_duration(s, "mvhd's timescale is 0");
  if (t->why) return;
  int64_t ms =
      ms_ceil(t->mvhd_units > t->tkhd_units ? t->mvhd_units : t->tkhd_units, 1000, t->timescale);
  if (ms < 0) return no_duration(s, BEYOND);
  s->t.total_ms = ms;
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
  mp4_duration(s);
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
  MKV_TIMECODESCALE = 0x2AD7B1,
  MKV_DURATION = 0x4489,
  MKV_CLUSTER = 0x1F43B675,
  MKV_TIMESTAMP = 0xE7,
  MKV_SIMPLEBLOCK = 0xA3,
  MKV_BLOCKGROUP = 0xA0,
  MKV_BLOCK = 0xA1,
  MKV_BLOCKDURATION = 0x9B,
  MKV_TAGS = 0x1254C367,
  MKV_ATTACHMENTS = 0x1941A469,
  MKV_VOID = 0xEC,
  MKV_CRC32 = 0xBF
};

/* Matroska's defaults and bounds for times. A tick is at least 1 ns, so a
 * count of ticks past the longest believable length in nanoseconds is past
 * it at any TimecodeScale; bounding every count there keeps their sums
 * (cluster + block + BlockDuration) far inside 64 bits. */
#define MKV_TIMECODESCALE_DEFAULT 1000000u /* ns per tick: milliseconds */
#define MKV_TICKS_MAX             ((uint64_t)PA_UPLOAD_VIDEO_MAX_MS * 1000000u)
enum { MKV_FLOAT_EXACT_SHIFT = 107 }; /* 1e6 << 107 still fits 128 bits (1e6 < 2^20) */

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
    } else if (parent->id == MKV_INFO && c.id == MKV_TIMECODESCALE) {
      s->t.scale = c.end - c.data <= 8 ? ebml_uint(s, &c) : 0;
      if (!s->t.scale) no_duration(s, "TimecodeScale is 0 or wider than 8 bytes");
    } else if (parent->id == MKV_INFO && c.id == MKV_DURATION) {
      size_t n = c.end - c.data;
      if (n != 0 && n != 4 && n != 8) no_duration(s, "Duration is not a float of 4 or 8 bytes");
      s->t.float_size = (int)n;
      s->t.float_bits = n ? ebml_uint(s, &c) : 0;
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

/* A Block or SimpleBlock begins with its track number (a vint like a size,
 * 1-8 bytes) and its timecode relative to the Cluster's, a signed 16-bit
 * big-endian; dur: its BlockDuration in ticks (0 for none). *last: the latest
 * end in the Cluster, relative to the Cluster's Timestamp. */
static void block_time(scrub *s, size_t d, size_t end, uint64_t dur, int64_t *last) {
  int n = 1;
  while (d < end && n <= 8 && !(s->b[d] & (0x80 >> (n - 1)))) n++;
  if (d >= end || n > 8 || end - d < (size_t)n + 2)
    return no_duration(s, "a block is too short for its track and timecode");
  int16_t rel = (int16_t)(uint16_t)(s->b[d + (size_t)n] << 8 | s->b[d + (size_t)n + 1]);
  if (dur > MKV_TICKS_MAX) return no_duration(s, "a BlockDuration states more than 24 hours");
  int64_t e = rel + (int64_t)dur;
  if (e > *last) *last = e;
}

static pa_status block_group(scrub *s, const elem *g, int64_t *last) {
  size_t block = 0, block_end = 0;
  uint64_t dur = 0;
  for (size_t pos = g->data; pos < g->end;) {
    elem c;
    pa_status st = ebml_elem(s, pos, g->end, 0, &c);
    if (st == PA_OK) st = known_size(s, &c);
    if (st != PA_OK) return st;
    if (c.id == MKV_BLOCK) {
      block = c.data;
      block_end = c.end;
    } else if (c.id == MKV_BLOCKDURATION) {
      dur = c.end - c.data <= 8 ? ebml_uint(s, &c) : UINT64_MAX;
    }
    pos = c.end;
  }
  if (block_end) block_time(s, block, block_end, dur, last);
  return PA_OK;
}

/* A Cluster's children, read for where its last block ends (the length of a
 * file whose Info states none). A Cluster of unknown size (live recordings,
 * MediaRecorder) ends where an element that cannot be its child begins;
 * *next: where the Cluster ended. open: see overrun. */
static pa_status cluster(scrub *s, const elem *cl, int open, size_t *next) {
  uint64_t ts = 0;
  int64_t last = INT64_MIN;
  size_t pos = cl->data;
  while (pos < cl->end) {
    elem c;
    pa_status st = ebml_elem(s, pos, cl->end, open, &c);
    if (st != PA_OK) return st;
    if (cl->unknown && !cluster_child(c.id)) break;
    if ((st = known_size(s, &c)) != PA_OK) return st;
    if (c.id == MKV_TIMESTAMP) {
      ts = c.end - c.data <= 8 ? ebml_uint(s, &c) : UINT64_MAX;
    } else if (c.id == MKV_SIMPLEBLOCK) {
      block_time(s, c.data, c.end, 0, &last);
    } else if (c.id == MKV_BLOCKGROUP && (st = block_group(s, &c, &last)) != PA_OK) {
      return st;
    }
    pos = c.end;
  }
  if (last != INT64_MIN) {
    if (ts > MKV_TICKS_MAX) {
      no_duration(s, "a Cluster's Timestamp states more than 24 hours");
    } else if ((int64_t)ts + last > 0 && (uint64_t)((int64_t)ts + last) > s->t.block_end) {
      s->t.block_end = (uint64_t)((int64_t)ts + last);
    }
    s->t.blocks = 1;
  }
  *next = cl->unknown ? pos : cl->end;
  return PA_OK;
}

/* An EBML float (IEEE 754 binary32 or binary64, big-endian bits) of ticks,
 * times scale ns, in milliseconds rounded up; -1 with the reason noted.
 * Decoded from its bits as m x 2^e and multiplied in integers, so that the
 * product is exact: a Duration of 60000.0 ms ticks is 60000 ms, never 60001
 * by a float rounding, and the limit's edge is where it says. */
static int64_t float_ms(scrub *s, uint64_t bits, int size, uint64_t scale) {
  int fbits = size == 8 ? 52 : 23, ebits = size == 8 ? 11 : 8;
  int bias = (1 << (ebits - 1)) - 1, top = (1 << ebits) - 1;
  uint64_t frac = bits & ((1ull << fbits) - 1);
  int exp = (int)(bits >> fbits & (uint64_t)top);
  int negative = (int)(bits >> (fbits + ebits) & 1);
  if (exp == top) return no_duration(s, frac ? "Duration is NaN" : "Duration is infinite"), -1;
  uint64_t m = exp ? frac | 1ull << fbits : frac; /* subnormals have no implicit 1 */
  int e = (exp ? exp : 1) - bias - fbits;
  if (!m) return 0; /* +0 and -0 */
  if (negative) return no_duration(s, "Duration is negative"), -1;
  int64_t ms;
  if (e >= 0) {
    /* m < 2^(fbits+1): m << e fits 64 bits up to e = 63 - fbits; beyond,
     * the value is over 2^64 ticks, far past any believable length. */
    ms = e <= 63 - fbits ? ms_ceil(m << e, scale, 1000000) : -1;
  } else if (-e <= MKV_FLOAT_EXACT_SHIFT) {
    ms = ms_ceil(m, scale, (u128)1000000 << -e);
  } else {
    ms = 1; /* m x scale < 2^117, over 2^107 x 1e6: under a millisecond, rounded up */
  }
  if (ms < 0) no_duration(s, BEYOND);
  return ms;
}

/* A Segment's length, added to the file's: the longer of what Info's
 * Duration states and where the last block ends. Why both: live writers
 * (ffmpeg -live, older Chromium MediaRecorders, a recording cut off before
 * it was finalised) write no Duration, so the blocks are all there is; and
 * where a Duration is stated, a forged short one must not hide blocks that
 * play on. The block count ends at the last block's start plus its
 * BlockDuration when it has one (SimpleBlocks have none), so a file without
 * Duration counts at most one frame short of what a player shows; laced
 * frames after a block's first are not counted either. */
static void segment_duration(scrub *s) {
  timing *t = &s->t;
  if (t->infos > 1) no_duration(s, "more than one Info in a Segment");
  if (t->float_size < 0 && !t->blocks) no_duration(s, "a Segment has neither Duration nor blocks");
  if (t->why) return;
  int64_t stated = t->float_size > 0 ? float_ms(s, t->float_bits, t->float_size, t->scale) : 0;
  int64_t played = ms_ceil(t->block_end, t->scale, 1000000);
  if (played < 0) no_duration(s, BEYOND);
  if (t->why) return;
  t->total_ms += stated > played ? stated : played;
  if (t->total_ms > PA_UPLOAD_VIDEO_MAX_MS) no_duration(s, BEYOND);
}

/* The Segment's top-level children; *next: where the Segment ended. */
static pa_status segment(scrub *s, const elem *seg, size_t *next) {
  size_t pos = seg->data;
  s->t.infos = s->t.blocks = 0;
  s->t.float_size = -1;
  s->t.scale = MKV_TIMECODESCALE_DEFAULT;
  s->t.block_end = 0;
  while (pos < seg->end) {
    elem e;
    pa_status st = ebml_elem(s, pos, seg->end, seg->unknown, &e);
    if (st != PA_OK) return st;
    if (e.id == EBML_HEADER && seg->unknown) break; /* the next file of a chain */
    if (e.unknown && e.id != MKV_CLUSTER) return known_size(s, &e);
    if (e.id == MKV_CLUSTER) {
      st = cluster(s, &e, e.unknown ? seg->unknown : 0, &pos);
    } else if (e.id == MKV_TAGS || e.id == MKV_ATTACHMENTS) {
      st = ebml_void(s, &e, e.id == MKV_TAGS ? PA_SCRUB_TAGS : PA_SCRUB_ATTACHMENTS);
      pos = e.end;
    } else if (e.id == MKV_SEEKHEAD || e.id == MKV_INFO) {
      s->t.infos += e.id == MKV_INFO;
      st = level1_children(s, &e);
      pos = e.end;
    } else {
      pos = e.end; /* Tracks, Cues… skipped by size */
    }
    if (st != PA_OK) return st;
  }
  segment_duration(s);
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
  rep->duration_ms = PA_UPLOAD_DURATION_UNKNOWN;
  rep->duration_unknown = "the file was not read";
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
  scrub s = {bytes, len, 0, rep, err, {0}};
  pa_status st = walk(&s);
  if (st != PA_OK) return st;
  pa_upload_video container = rep->container;
  memset(rep, 0, sizeof *rep);
  rep->container = container;
  s.apply = 1;
  memset(&s.t, 0, sizeof s.t);
  st = walk(&s); /* the same walk over unchanged structure: cannot fail now */
  rep->duration_unknown = s.t.why;
  rep->duration_ms = s.t.why ? PA_UPLOAD_DURATION_UNKNOWN : s.t.total_ms;
  return st;
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
  char len[96];
  if (r->duration_ms >= 0)
    snprintf(len, sizeof len, "%lld ms", (long long)r->duration_ms);
  else
    snprintf(len, sizeof len, "unknown: %s", r->duration_unknown ? r->duration_unknown : "?");
  int k = snprintf(buf, cap, "%s cleared %u%s, %llu bytes, %u seek entries, duration %s\n",
                   r->container == PA_UPLOAD_VIDEO_WEBM ? "webm" : "mp4", r->cleared, what,
                   (unsigned long long)r->cleared_bytes, r->pointers, len);
  return k < 0 ? 0 : (size_t)k;
}
