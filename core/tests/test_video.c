/* pa_upload_scrub_video on MP4 and WebM files built byte by byte: what is
 * cleared, that nothing moves, and that every malformed or cut file is
 * refused and left untouched. (Real ffmpeg files: tests/wasm/video.test.mjs.) */
#include "pa/pa_upload.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>

static const char LOCATION[] = "+48.8584+002.2945/";

typedef struct buf {
  uint8_t b[4096];
  size_t n;
} buf;

static void put(buf *f, const void *p, size_t n) {
  memcpy(f->b + f->n, p, n);
  f->n += n;
}
static void put_be(buf *f, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) f->b[f->n++] = (uint8_t)(v >> (8 * i));
}
static void put_str(buf *f, const char *s) { put(f, s, strlen(s)); }

static const uint8_t *find(const uint8_t *hay, size_t n, const void *needle, size_t m) {
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}
static int has_location(const buf *f) {
  return find(f->b, f->n, LOCATION, strlen(LOCATION)) != NULL;
}

/* ---- MP4: box(f, type) opens a box and returns where its size goes; end() patches it. */

static size_t box(buf *f, const char *type) {
  size_t at = f->n;
  put_be(f, 0, 4);
  put(f, type, 4);
  return at;
}
static size_t big_box(buf *f, const char *type) { /* size 1 + 64-bit largesize */
  size_t at = f->n;
  put_be(f, 1, 4);
  put(f, type, 4);
  put_be(f, 0, 8);
  return at;
}
static void end(buf *f, size_t at) {
  size_t size = f->n - at;
  if (f->b[at + 3] == 1 && !f->b[at] && !f->b[at + 1] && !f->b[at + 2]) {
    for (int i = 0; i < 8; i++) f->b[at + 8 + (size_t)i] = (uint8_t)(size >> (8 * (7 - i)));
  } else {
    for (int i = 0; i < 4; i++) f->b[at + (size_t)i] = (uint8_t)(size >> (8 * (3 - i)));
  }
}
static void leaf(buf *f, const char *type, const char *payload) {
  size_t b = box(f, type);
  put_str(f, payload);
  end(f, b);
}

typedef struct mp4 {
  buf f;
  size_t moov, trak, mdat, tkhd; /* offsets */
  size_t top[8];                 /* where each top-level box ends */
  int ntop;
} mp4;

static void ftyp(mp4 *m) {
  size_t b = box(&m->f, "ftyp");
  put(&m->f, "isom\0\0\2\0isomiso2avc1mp41", 24);
  end(&m->f, b);
  m->top[m->ntop++] = m->f.n;
}

/* A phone-like MP4: location in moov/udta/©xyz, Apple's keys in moov/meta,
 * loci in trak/udta, XMP in a trak uuid and a top-level uuid. */
static void build_mp4(mp4 *m, int large_udta) {
  memset(m, 0, sizeof *m);
  buf *f = &m->f;
  ftyp(m);
  m->moov = box(f, "moov");
  leaf(f, "mvhd", "mvhd-payload-100-bytes-of-times-and-rates");
  size_t udta = large_udta ? big_box(f, "udta") : box(f, "udta");
  size_t xyz = box(f, "\xa9xyz");
  put_be(f, strlen(LOCATION), 2);
  put_be(f, 0x15c7, 2);
  put_str(f, LOCATION);
  end(f, xyz);
  end(f, udta);
  size_t meta = box(f, "meta");
  put_be(f, 0, 4);
  leaf(f, "hdlr", "\0\0\0\0\0\0\0\0mdta");
  leaf(f, "keys", "\0\0\0\0\0\0\0\1\0\0\0\x2dmdtacom.apple.quicktime.location.ISO6709");
  size_t ilst = box(f, "ilst");
  leaf(f, "\0\0\0\1", LOCATION);
  end(f, ilst);
  end(f, meta);
  m->trak = box(f, "trak");
  m->tkhd = f->n;
  leaf(f, "tkhd", "track-header");
  leaf(f, "mdia", "media-boxes-left-alone");
  size_t tu = box(f, "udta");
  leaf(f, "loci", LOCATION);
  end(f, tu);
  size_t uuid = box(f, "uuid");
  put(f, "\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac", 16);
  put_str(f, "<x:xmpmeta><exif:GPSLatitude>48.8584</exif:GPSLatitude></x:xmpmeta>");
  end(f, uuid);
  end(f, m->trak);
  end(f, m->moov);
  m->top[m->ntop++] = f->n;
  size_t top_uuid = box(f, "uuid");
  put(f, "\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac", 16);
  put_str(f, LOCATION);
  end(f, top_uuid);
  m->top[m->ntop++] = f->n;
  m->mdat = box(f, "mdat");
  put_str(f, "sample data the offsets point at");
  end(f, m->mdat);
  m->top[m->ntop++] = f->n;
}

/* Returns the status; checks the bytes are untouched whenever it is not ok. */
static pa_status scrub(buf *f, pa_upload_scrub *rep, pa_error *e) {
  uint8_t *before = malloc(f->n ? f->n : 1);
  memcpy(before, f->b, f->n);
  pa_status st = pa_upload_scrub_video(f->b, f->n, rep, e);
  if (st != PA_OK) CHECK(memcmp(before, f->b, f->n) == 0);
  CHECK(st == PA_OK || e->msg[0] != '\0');
  free(before);
  return st;
}

/* Scrubs a file that carries the location; checks what was cleared and that
 * the location is gone. */
static void scrub_located(buf *f, pa_upload_scrub *rep, pa_upload_video container, unsigned cleared,
                          unsigned what) {
  pa_error e;
  CHECK(has_location(f));
  CHECK(scrub(f, rep, &e) == PA_OK);
  CHECK(e.code == PA_OK);
  CHECK(rep->container == container);
  CHECK(rep->cleared == cleared);
  CHECK(rep->what == what);
  CHECK(!has_location(f));
}

static void test_mp4_cleared_in_place(void) {
  for (int large = 0; large < 2; large++) {
    mp4 m;
    build_mp4(&m, large);
    mp4 orig = m;
    pa_upload_scrub rep;
    pa_error e;
    /* moov/udta, moov/meta, trak/udta, trak/uuid, the top uuid */
    scrub_located(&m.f, &rep, PA_UPLOAD_VIDEO_MP4, 5,
                  PA_SCRUB_UDTA | PA_SCRUB_META | PA_SCRUB_UUID);
    CHECK(find(m.f.b, m.f.n, "xmpmeta", 7) == NULL);
    CHECK(find(m.f.b, m.f.n, "com.apple", 9) == NULL);
    /* Nothing moved: the boxes around are byte for byte the same. */
    CHECK(memcmp(m.f.b, orig.f.b, m.moov + 8) == 0);
    CHECK(memcmp(m.f.b + m.mdat, orig.f.b + m.mdat, m.f.n - m.mdat) == 0);
    CHECK(memcmp(m.f.b + m.tkhd, orig.f.b + m.tkhd, 20) == 0);
    /* The cleared boxes are 'free' boxes of their old size, zeroed. */
    size_t udta = m.moov + 8 + 8 + strlen("mvhd-payload-100-bytes-of-times-and-rates");
    CHECK(memcmp(m.f.b + udta, orig.f.b + udta, large ? 4 : 4) == 0);
    CHECK(memcmp(m.f.b + udta + 4, "free", 4) == 0);
    if (large) CHECK(memcmp(m.f.b + udta + 8, orig.f.b + udta + 8, 8) == 0); /* largesize kept */
    CHECK(m.f.b[udta + (large ? 16 : 8)] == 0);
    char line[256];
    size_t n = pa_upload_scrub_describe(&rep, line, sizeof line);
    CHECK(n == strlen(line));
    /* This mvhd's version byte is 'm': the length is unknown, and says why. */
    CHECK(rep.duration_ms == PA_UPLOAD_DURATION_UNKNOWN);
    CHECK(strcmp(line, large ? "mp4 cleared 5 udta meta uuid, 275 bytes, 0 seek entries, "
                               "duration unknown: mvhd has an unknown version\n"
                             : "mp4 cleared 5 udta meta uuid, 267 bytes, 0 seek entries, "
                               "duration unknown: mvhd has an unknown version\n") == 0);
    /* Scrubbing again changes nothing. */
    buf again = m.f;
    CHECK(scrub(&m.f, &rep, &e) == PA_OK);
    CHECK(rep.cleared == 0 && rep.cleared_bytes == 0);
    CHECK(memcmp(again.b, m.f.b, m.f.n) == 0);
  }
}

static void test_mp4_truncated(void) {
  mp4 m;
  build_mp4(&m, 0);
  size_t full = m.f.n;
  int checked = 0;
  for (size_t n = 0; n < full; n++) {
    int boundary = 0;
    for (int i = 0; i < m.ntop; i++) boundary |= m.top[i] == n;
    m.f.n = n;
    pa_upload_scrub rep;
    pa_error e;
    pa_status st = scrub(&m.f, &rep, &e);
    if (n == 0) {
      CHECK(st == PA_ERR_ARG);
    } else if (!boundary) {
      CHECK(st == PA_ERR_TRUNCATED);
      if (st != PA_ERR_TRUNCATED) printf("  cut at %zu: %s\n", n, e.msg);
      checked++;
    } else {
      /* Cut between boxes: fine once moov is there, otherwise no video. */
      CHECK(st == (n > m.moov ? PA_OK : PA_ERR_UNSUPPORTED));
      if (st == PA_OK) build_mp4(&m, 0);
    }
  }
  CHECK(checked > 300);
}

static void test_mp4_largesize_and_size_zero(void) {
  /* A 64-bit mdat size, and a last box whose size 0 means "to the end". */
  mp4 m;
  memset(&m, 0, sizeof m);
  ftyp(&m);
  size_t moov = box(&m.f, "moov");
  leaf(&m.f, "mvhd", "x");
  leaf(&m.f, "udta", LOCATION);
  end(&m.f, moov);
  size_t mdat = big_box(&m.f, "mdat");
  put_str(&m.f, "frames");
  end(&m.f, mdat);
  leaf(&m.f, "free", "");
  size_t last = box(&m.f, "udta");
  put_str(&m.f, LOCATION);
  (void)last; /* size stays 0 */
  pa_upload_scrub rep;
  pa_error e;
  CHECK(scrub(&m.f, &rep, &e) == PA_OK);
  CHECK(rep.cleared == 2);
  CHECK(!has_location(&m.f));
  CHECK(memcmp(m.f.b + last, "\0\0\0\0free", 8) == 0);

  /* Size 0 inside moov is not allowed; neither is a largesize below 16. */
  memset(&m, 0, sizeof m);
  ftyp(&m);
  moov = box(&m.f, "moov");
  box(&m.f, "udta");
  put_str(&m.f, LOCATION);
  end(&m.f, moov);
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "size 0");
  memset(&m, 0, sizeof m);
  ftyp(&m);
  moov = big_box(&m.f, "moov");
  end(&m.f, moov);
  m.f.b[moov + 15] = 12;
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  /* A largesize past the end of the file. */
  m.f.b[moov + 8] = 1;
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_TRUNCATED);
}

static void test_mp4_malformed(void) {
  pa_upload_scrub rep;
  pa_error e;
  mp4 m;
  /* A child whose size overruns its parent. */
  build_mp4(&m, 0);
  size_t udta = m.moov + 8 + 8 + strlen("mvhd-payload-100-bytes-of-times-and-rates");
  m.f.b[udta + 2] = 0x10; /* udta claims 4 KiB inside a smaller moov */
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "'udta'");
  CHECK_CONTAINS(e.msg, "overruns its parent");
  /* Inside a trak too. */
  build_mp4(&m, 0);
  m.f.b[m.tkhd + 3] = 0xF0;
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  /* A size below the header. */
  build_mp4(&m, 0);
  m.f.b[udta + 3] = 7;
  m.f.b[udta + 2] = 0;
  m.f.b[udta + 1] = 0;
  m.f.b[udta] = 0;
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  /* No ftyp first: not an MP4 video. */
  build_mp4(&m, 0);
  memcpy(m.f.b + 4, "wide", 4);
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_UNSUPPORTED);
  memcpy(m.f.b + 4, "ftyp", 4);
  memcpy(m.f.b + m.moov + 4, "moof", 4);
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_UNSUPPORTED);
  CHECK_CONTAINS(e.msg, "not an MP4 video");
  /* A short ftyp. */
  buf f = {{0}, 0};
  leaf(&f, "ftyp", "isom");
  leaf(&f, "moov", "");
  CHECK(scrub(&f, &rep, &e) == PA_ERR_SYNTAX);
  /* moov last in the file: a child overrunning it is malformed, not cut short. */
  memset(&m, 0, sizeof m);
  ftyp(&m);
  size_t moov = box(&m.f, "moov");
  leaf(&m.f, "udta", LOCATION);
  end(&m.f, moov);
  m.f.b[moov + 8 + 3] += 1;
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "overruns its parent");
  /* Two moov boxes. */
  memset(&m, 0, sizeof m);
  ftyp(&m);
  leaf(&m.f, "moov", "");
  leaf(&m.f, "moov", "");
  CHECK(scrub(&m.f, &rep, &e) == PA_ERR_SYNTAX);
  /* Neither MP4 nor WebM. */
  memcpy(f.b, "GIF89a\1\0\1\0", 10);
  f.n = 10;
  CHECK(scrub(&f, &rep, &e) == PA_ERR_UNSUPPORTED);
  CHECK(pa_upload_scrub_video(NULL, 0, &rep, &e) == PA_ERR_ARG);
}

/* ---- WebM */

static void id(buf *f, uint32_t v) {
  int n = v > 0xFFFFFF ? 4 : v > 0xFFFF ? 3 : v > 0xFF ? 2 : 1;
  put_be(f, v, n);
}
/* Opens an element with an 8-byte size to patch later (or width w). */
static size_t el(buf *f, uint32_t v) {
  id(f, v);
  size_t at = f->n;
  put_be(f, 0x01, 1);
  put_be(f, 0, 7);
  return at;
}
static void el_end(buf *f, size_t at) {
  uint64_t size = f->n - at - 8;
  for (int i = 1; i < 8; i++) f->b[at + (size_t)i] = (uint8_t)(size >> (8 * (7 - i)));
}
static void el_leaf(buf *f, uint32_t v, const void *data, size_t n) { /* 1-byte size */
  id(f, v);
  put_be(f, 0x80 | n, 1);
  put(f, data, n);
}

static void ebml_head(buf *f, const char *doctype) {
  id(f, 0x1A45DFA3);
  put_be(f, 0x80 | (3 + strlen(doctype) + 4), 1);
  el_leaf(f, 0x4286, "\1", 1);
  el_leaf(f, 0x4282, doctype, strlen(doctype));
}

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ ((c & 1) ? 0xEDB88320u : 0);
  }
  return ~c;
}

typedef struct webm {
  buf f;
  size_t seekhead, tags, attachments, cluster, info, crc;
} webm;

/* unknown: the Segment and its Cluster have unknown sizes (a live recording). */
static void build_webm(webm *w, int unknown) {
  memset(w, 0, sizeof *w);
  buf *f = &w->f;
  ebml_head(f, "webm");
  size_t seg;
  if (unknown) {
    id(f, 0x18538067);
    put_be(f, 0x01FFFFFFFFFFFFFFull, 8);
    seg = 0;
  } else {
    seg = el(f, 0x18538067);
  }
  w->seekhead = f->n;
  size_t sh = el(f, 0x114D9B74);
  w->crc = f->n + 2;
  el_leaf(f, 0xBF, "\0\0\0\0", 4);
  size_t seek = el(f, 0x4DBB);
  el_leaf(f, 0x53AB, "\x12\x54\xC3\x67", 4);
  el_leaf(f, 0x53AC, "\x01\x00", 2);
  el_end(f, seek);
  seek = el(f, 0x4DBB);
  el_leaf(f, 0x53AB, "\x15\x49\xA9\x66", 4);
  el_leaf(f, 0x53AC, "\x00\x40", 2);
  el_end(f, seek);
  el_end(f, sh);
  uint32_t c = crc32(f->b + w->crc + 4, f->n - w->crc - 4);
  for (int k = 0; k < 4; k++) f->b[w->crc + (size_t)k] = (uint8_t)(c >> (8 * k));
  w->info = f->n;
  size_t info = el(f, 0x1549A966);
  el_leaf(f, 0x2AD7B1, "\x0f\x42\x40", 3);
  el_leaf(f, 0x7BA9, "Walk to 12 Main St", 18);
  el_leaf(f, 0x4D80, "petamigos-test", 14);
  el_end(f, info);
  size_t tracks = el(f, 0x1654AE6B);
  el_leaf(f, 0xAE, "\xd7\x81\x01", 3);
  el_end(f, tracks);
  w->cluster = f->n;
  if (unknown) {
    id(f, 0x1F43B675);
    put_be(f, 0xFF, 1);
  } else {
    w->cluster = el(f, 0x1F43B675);
  }
  el_leaf(f, 0xE7, "\0", 1);
  el_leaf(f, 0xA3, "\x81\0\0\x80 frame bytes", 17);
  if (!unknown) el_end(f, w->cluster);
  w->tags = f->n;
  size_t tags = el(f, 0x1254C367);
  size_t tag = el(f, 0x7373);
  size_t st = el(f, 0x67C8);
  el_leaf(f, 0x45A3, "LOCATION", 8);
  el_leaf(f, 0x4487, LOCATION, strlen(LOCATION));
  el_end(f, st);
  el_end(f, tag);
  el_end(f, tags);
  w->attachments = f->n;
  id(f, 0x1941A469); /* 2-byte size this time */
  put_be(f, 0x4000 | 12, 2);
  el_leaf(f, 0x466E, "cover.jpg", 9);
  if (!unknown) el_end(f, seg);
}

static void test_webm_cleared_in_place(void) {
  for (int unknown = 0; unknown < 2; unknown++) {
    webm w;
    build_webm(&w, unknown);
    webm orig = w;
    pa_upload_scrub rep;
    pa_error e;
    scrub_located(&w.f, &rep, PA_UPLOAD_VIDEO_WEBM, 3,
                  PA_SCRUB_TAGS | PA_SCRUB_ATTACHMENTS | PA_SCRUB_TITLE);
    CHECK(rep.pointers == 1);
    CHECK(find(w.f.b, w.f.n, "Main St", 7) == NULL);
    CHECK(find(w.f.b, w.f.n, "cover.jpg", 9) == NULL);
    CHECK(find(w.f.b, w.f.n, "petamigos-test", 14) != NULL); /* MuxingApp stays */
    CHECK(find(w.f.b, w.f.n, "frame bytes", 11) != NULL);
    /* Tags: 4-byte id + 8-byte size became 1-byte Void id + 8-byte size; same end. */
    CHECK(w.f.b[w.tags] == 0xEC);
    CHECK(w.f.b[w.tags + 1] == 0x01);
    uint64_t size = 0;
    for (int i = 2; i < 9; i++) size = size << 8 | w.f.b[w.tags + (size_t)i];
    CHECK(w.tags + 9 + size == w.attachments);
    /* Attachments: 4 + 2 + 12 = 18 bytes → Void with an 8-byte size and 9 zeros. */
    CHECK(w.f.b[w.attachments] == 0xEC);
    CHECK(memcmp(w.f.b + w.attachments + 1, "\x01\0\0\0\0\0\0\x09", 8) == 0);
    CHECK(w.attachments + 18 == w.f.n);
    /* The Seek entry for Tags is Void; the one for Info stays; the CRC matches. */
    CHECK(w.f.b[w.crc + 4] == 0xEC);
    CHECK(find(w.f.b, w.f.n, "\x15\x49\xA9\x66", 4) != NULL);
    size_t sh_end = w.info;
    uint32_t c = crc32(w.f.b + w.crc + 4, sh_end - w.crc - 4);
    CHECK(w.f.b[w.crc] == (uint8_t)c && w.f.b[w.crc + 3] == (uint8_t)(c >> 24));
    CHECK(memcmp(w.f.b, orig.f.b, w.seekhead) == 0);
    CHECK(memcmp(w.f.b + w.cluster, orig.f.b + w.cluster, w.tags - w.cluster) == 0);
    char line[256];
    pa_upload_scrub_describe(&rep, line, sizeof line);
    CHECK_CONTAINS(line, "webm cleared 3 Tags Attachments Title");
    CHECK_CONTAINS(line, "1 seek entries");
    /* Again: nothing to do. */
    CHECK(scrub(&w.f, &rep, &e) == PA_OK);
    CHECK(rep.cleared == 0 && rep.pointers == 0);
  }
}

static void test_webm_malformed(void) {
  pa_upload_scrub rep;
  pa_error e;
  webm w;
  /* Every cut inside the file is refused (the Segment has a known size). */
  build_webm(&w, 0);
  size_t full = w.f.n;
  int truncated = 0;
  for (size_t n = 4; n < full; n++) {
    w.f.n = n;
    pa_status st = scrub(&w.f, &rep, &e);
    CHECK(st != PA_OK);
    truncated += st == PA_ERR_TRUNCATED;
  }
  CHECK(truncated == (int)(full - 4));
  /* An element overrunning its parent (the Title, past the end of Info). */
  build_webm(&w, 0);
  CHECK(w.f.b[w.info + 19] == 0x7B && w.f.b[w.info + 21] == (0x80 | 18));
  w.f.b[w.info + 21] = 0x80 | 60;
  CHECK(scrub(&w.f, &rep, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "overruns its parent");
  /* Tags of unknown size cannot be cleared safely: refused. */
  build_webm(&w, 1);
  w.f.b[w.tags + 4] = 0xFF;
  memmove(w.f.b + w.tags + 5, w.f.b + w.tags + 12, w.f.n - w.tags - 12);
  w.f.n -= 7;
  CHECK(scrub(&w.f, &rep, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "unknown size");
  /* Not WebM or Matroska. */
  buf f = {{0}, 0};
  ebml_head(&f, "mkx");
  el_leaf(&f, 0x18538067, "", 0);
  CHECK(scrub(&f, &rep, &e) == PA_ERR_UNSUPPORTED);
  /* An invalid id byte, a top-level element that is not a Segment. */
  build_webm(&w, 0);
  w.f.b[w.seekhead] = 0x00;
  CHECK(scrub(&w.f, &rep, &e) == PA_ERR_SYNTAX);
  f.n = 0;
  ebml_head(&f, "matroska");
  el_leaf(&f, 0x1F43B675, "", 0);
  CHECK(scrub(&f, &rep, &e) == PA_ERR_SYNTAX);
  /* A header alone has no Segment. */
  f.n = 0;
  ebml_head(&f, "webm");
  CHECK(scrub(&f, &rep, &e) == PA_ERR_TRUNCATED);
}

/* ---- duration */

/* An MP4 whose moov holds an mvhd (version v, timescale, duration) and a trak
 * whose tkhd states tkhd_dur (0: no trak); extra: a box type added to moov. */
static void mp4_timed(buf *f, int v, uint32_t timescale, uint64_t dur, uint64_t tkhd_dur,
                      const char *extra) {
  f->n = 0;
  size_t b = box(f, "ftyp");
  put(f, "isom\0\0\2\0isom", 12);
  end(f, b);
  size_t moov = box(f, "moov");
  size_t mvhd = box(f, "mvhd");
  put_be(f, (uint64_t)v << 24, 4); /* version, flags */
  put_be(f, 0, v ? 8 : 4);         /* creation, modification */
  put_be(f, 0, v ? 8 : 4);
  put_be(f, timescale, 4);
  put_be(f, dur, v ? 8 : 4);
  put_be(f, 0x00010000, 4); /* rate: the rest of a real mvhd */
  end(f, mvhd);
  if (tkhd_dur) {
    size_t trak = box(f, "trak");
    size_t tkhd = box(f, "tkhd");
    put_be(f, (uint64_t)v << 24, 4);
    put_be(f, 0, v ? 8 : 4);
    put_be(f, 0, v ? 8 : 4);
    put_be(f, 1, 4); /* track id */
    put_be(f, 0, 4);
    put_be(f, tkhd_dur, v ? 8 : 4);
    end(f, tkhd);
    end(f, trak);
  }
  if (extra) leaf(f, extra, "");
  end(f, moov);
  leaf(f, "mdat", "frames");
}

static int64_t duration_of(buf *f, const char **why) {
  pa_upload_scrub rep;
  pa_error e;
  CHECK(scrub(f, &rep, &e) == PA_OK);
  *why = rep.duration_unknown;
  CHECK((rep.duration_ms < 0) == (rep.duration_unknown != NULL));
  CHECK(rep.duration_ms == PA_UPLOAD_DURATION_UNKNOWN ||
        (rep.duration_ms >= 0 && rep.duration_ms <= PA_UPLOAD_VIDEO_MAX_MS));
  return rep.duration_ms;
}

static void test_mp4_duration(void) {
  buf f;
  const char *why;
  const uint64_t max = PA_UPLOAD_VIDEO_MAX_MS;
  mp4_timed(&f, 0, 1000, 60000, 0, NULL);
  CHECK(duration_of(&f, &why) == 60000);
  /* Rounded up: 90 kHz ticks one past 60 s is 60.0000111 s. */
  mp4_timed(&f, 0, 90000, 5400000, 0, NULL);
  CHECK(duration_of(&f, &why) == 60000);
  mp4_timed(&f, 0, 90000, 5400001, 0, NULL);
  CHECK(duration_of(&f, &why) == 60001);
  /* Version 1: a 64-bit duration (5000 s at 1 MHz is past 2^32 ticks). */
  mp4_timed(&f, 1, 1000000, 5000000000ull, 0, NULL);
  CHECK(duration_of(&f, &why) == 5000000);
  /* The longest track counts when it is longer than mvhd says. */
  mp4_timed(&f, 0, 600, 600 * 10, 600 * 90, NULL);
  CHECK(duration_of(&f, &why) == 90000);
  mp4_timed(&f, 1, 600, 600 * 10, 600 * 5, NULL);
  CHECK(duration_of(&f, &why) == 10000);
  /* The edge of what is believed: exactly 24 h, then a millisecond more. */
  mp4_timed(&f, 1, 1000, max, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_VIDEO_MAX_MS);
  mp4_timed(&f, 1, 1000, max + 1, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "more than 24 hours");
  /* No wrap: a 64-bit duration times 1000 overflows 64 bits. */
  mp4_timed(&f, 1, 1, UINT64_MAX - 1, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "more than 24 hours");
  mp4_timed(&f, 1, 1000, UINT64_MAX / 1000 + 2, 0, NULL); /* x1000 wraps to a small number */
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  /* Refused as lengths: timescale 0, all ones (not stated), odd versions,
   * short boxes, no mvhd, a fragmented file. */
  mp4_timed(&f, 0, 0, 60000, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "timescale is 0");
  mp4_timed(&f, 0, 1000, UINT32_MAX, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "states no duration");
  mp4_timed(&f, 1, 1000, UINT64_MAX, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  mp4_timed(&f, 0, 1000, 60000, UINT32_MAX, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "tkhd states no duration");
  mp4_timed(&f, 2, 1000, 60000, 0, NULL);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "unknown version");
  mp4_timed(&f, 0, 1000, 60000, 0, "mvex");
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "fragmented");
  mp4_timed(&f, 0, 1000, 60000, 0, "mvhd"); /* a second, empty mvhd */
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  /* An mvhd just too short for its version (v0: 20 bytes, v1: 32), and just long enough. */
  for (int v = 0; v < 2; v++) {
    for (int cut = 0; cut < 2; cut++) {
      buf g = {{0}, 0};
      size_t b = box(&g, "ftyp");
      put(&g, "isom\0\0\2\0isom", 12);
      end(&g, b);
      size_t moov = box(&g, "moov");
      size_t mvhd = box(&g, "mvhd");
      put_be(&g, (uint64_t)v << 24, 4);
      put_be(&g, 0, v ? 8 : 4);
      put_be(&g, 0, v ? 8 : 4);
      put_be(&g, 10, 4);
      put_be(&g, 25, v ? 8 : 4);
      g.n -= (size_t)cut;
      end(&g, mvhd);
      end(&g, moov);
      CHECK(duration_of(&g, &why) == (cut ? PA_UPLOAD_DURATION_UNKNOWN : 2500));
      if (cut) CHECK_CONTAINS(why, "too short");
    }
  }
  buf g = {{0}, 0};
  size_t b = box(&g, "ftyp");
  put(&g, "isom\0\0\2\0isom", 12);
  end(&g, b);
  leaf(&g, "moov", "");
  CHECK(duration_of(&g, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "no mvhd");
}

/* A WebM with one Segment: Info with TimecodeScale (0: left out) and a
 * Duration of dur_n bytes (-1: left out), then clusters added by the caller;
 * close it with el_end(f, seg). */
static size_t webm_timed(buf *f, uint64_t scale, uint64_t dur_bits, int dur_n) {
  f->n = 0;
  ebml_head(f, "webm");
  size_t seg = el(f, 0x18538067);
  size_t info = el(f, 0x1549A966);
  if (scale) {
    id(f, 0x2AD7B1);
    put_be(f, 0x88, 1);
    put_be(f, scale, 8);
  }
  if (dur_n >= 0) {
    id(f, 0x4489);
    put_be(f, 0x80 | (unsigned)dur_n, 1);
    put_be(f, dur_bits, dur_n);
  }
  el_end(f, info);
  return seg;
}
/* A Cluster at ts with a SimpleBlock at rel, or a BlockGroup when bdur > 0. */
static void webm_cluster(buf *f, uint64_t ts, int16_t rel, uint64_t bdur) {
  size_t cl = el(f, 0x1F43B675);
  id(f, 0xE7);
  put_be(f, 0x88, 1);
  put_be(f, ts, 8);
  uint8_t blk[6] = {0x81, (uint8_t)((uint16_t)rel >> 8), (uint8_t)rel, 0x80, 'f', 'r'};
  if (bdur) {
    size_t g = el(f, 0xA0);
    el_leaf(f, 0xA1, blk, sizeof blk);
    id(f, 0x9B);
    put_be(f, 0x88, 1);
    put_be(f, bdur, 8);
    el_end(f, g);
  } else {
    el_leaf(f, 0xA3, blk, sizeof blk);
  }
  el_end(f, cl);
}
static uint64_t f64(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static uint64_t f32(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  return u;
}

static int64_t webm_ms(uint64_t scale, uint64_t dur_bits, int dur_n, const char **why) {
  buf f;
  size_t seg = webm_timed(&f, scale, dur_bits, dur_n);
  webm_cluster(&f, 0, 0, 0);
  el_end(&f, seg);
  return duration_of(&f, why);
}

static void test_webm_duration(void) {
  const char *why;
  const double max = (double)PA_UPLOAD_VIDEO_MAX_MS;
  /* Duration in ticks of TimecodeScale ns (default 1 ms), as 4- or 8-byte floats. */
  CHECK(webm_ms(0, f64(60000.0), 8, &why) == 60000);
  CHECK(webm_ms(0, f32(60000.0f), 4, &why) == 60000);
  CHECK(webm_ms(1000000, f64(60000.5), 8, &why) == 60001);
  CHECK(webm_ms(1000, f64(60000000.0), 8, &why) == 60000); /* microsecond ticks */
  CHECK(webm_ms(1000, f64(60000001.0), 8, &why) == 60001);
  CHECK(webm_ms(1, f64(60e9), 8, &why) == 60000);         /* nanosecond ticks */
  CHECK(webm_ms(1000000000, f32(3.0f), 4, &why) == 3000); /* second ticks */
  /* Exactly from the bits: 0.1 is not 1/10 in binary, yet 600000 x 0.1 ms ticks... */
  CHECK(webm_ms(100000, f64(600000.0), 8, &why) == 60000);
  CHECK(webm_ms(0, f64(59999.9999), 8, &why) == 60000);
  CHECK(webm_ms(0, f32(0.25f), 4, &why) == 1);
  CHECK(webm_ms(0, f64(5e-324), 8, &why) == 1); /* the smallest subnormal, rounded up */
  CHECK(webm_ms(0, f64(-0.0), 8, &why) == 0);
  CHECK(webm_ms(0, 0, 0, &why) == 0); /* a float of size 0 is 0.0 */
  /* The edge of what is believed. */
  CHECK(webm_ms(0, f64(max), 8, &why) == PA_UPLOAD_VIDEO_MAX_MS);
  CHECK(webm_ms(0, f64(max + 0.5), 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "more than 24 hours");
  CHECK(webm_ms(0, f64(1e300), 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK(webm_ms(UINT64_MAX, f64(1.0), 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK(webm_ms(UINT64_MAX, f64(1.0 / 1024), 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK(webm_ms(0, f32(3.0e38f), 4, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  /* Not lengths: NaN, infinity, negative, other sizes, TimecodeScale 0. */
  CHECK(webm_ms(0, 0x7FF8000000000000ull, 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "NaN");
  CHECK(webm_ms(0, 0x7FC00000u, 4, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "NaN");
  CHECK(webm_ms(0, 0x7FF0000000000000ull, 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "infinite");
  CHECK(webm_ms(0, 0x7F800000u, 4, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK(webm_ms(0, f64(-1.0), 8, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "negative");
  CHECK(webm_ms(0, f32(-5e-45f), 4, &why) == PA_UPLOAD_DURATION_UNKNOWN); /* negative subnormal */
  CHECK(webm_ms(0, 0x404E00, 3, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "4 or 8 bytes");
  CHECK(webm_ms(0, f32(1.0f), 5, &why) == PA_UPLOAD_DURATION_UNKNOWN);

  /* No Duration (MediaRecorder, ffmpeg -live): where the last block ends,
   * cluster Timestamp + signed relative timecode (+ BlockDuration). */
  buf f;
  size_t seg = webm_timed(&f, 0, 0, -1);
  webm_cluster(&f, 0, 0, 0);
  webm_cluster(&f, 30000, 29999, 0);
  webm_cluster(&f, 60000, -1, 0); /* a block just before its cluster's time */
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == 59999);
  seg = webm_timed(&f, 0, 0, -1);
  webm_cluster(&f, 59000, -32768, 33768); /* a BlockGroup's BlockDuration counts */
  webm_cluster(&f, 1000, 500, 0);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == 60000);
  seg = webm_timed(&f, 1000, 0, -1); /* microsecond ticks: rounded up */
  webm_cluster(&f, 60000000, 1, 0);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == 60001);
  /* A stated Duration shorter than the blocks does not hide them. */
  seg = webm_timed(&f, 0, f64(1000.0), 8);
  webm_cluster(&f, 90000, 0, 0);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == 90000);
  /* Neither Duration nor blocks; a Timestamp past belief. */
  seg = webm_timed(&f, 0, 0, -1);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "neither Duration nor blocks");
  seg = webm_timed(&f, 1, 0, -1);
  webm_cluster(&f, (uint64_t)PA_UPLOAD_VIDEO_MAX_MS * 1000000, 0, 0);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_VIDEO_MAX_MS);
  seg = webm_timed(&f, 1, 0, -1);
  webm_cluster(&f, (uint64_t)PA_UPLOAD_VIDEO_MAX_MS * 1000000 + 1, 0, 0);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  seg = webm_timed(&f, 0, 0, -1);
  webm_cluster(&f, UINT64_MAX, 0, UINT64_MAX);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  /* A block too short for its track number and timecode. */
  seg = webm_timed(&f, 0, 0, -1);
  size_t cl = el(&f, 0x1F43B675);
  el_leaf(&f, 0xA3, "\x81\x00", 2);
  el_end(&f, cl);
  el_end(&f, seg);
  CHECK(duration_of(&f, &why) == PA_UPLOAD_DURATION_UNKNOWN);
  CHECK_CONTAINS(why, "too short");
  /* Chained Segments add up. */
  buf two;
  seg = webm_timed(&two, 0, f64(20000.0), 8);
  el_end(&two, seg);
  buf second;
  seg = webm_timed(&second, 0, f64(40000.0), 8);
  el_end(&second, seg);
  put(&two, second.b, second.n);
  CHECK(duration_of(&two, &why) == 60000);
  /* The live-recording builder: a Segment and a Cluster of unknown size. */
  webm w;
  build_webm(&w, 1);
  CHECK(duration_of(&w.f, &why) == 0);
}

int main(void) {
  RUN(test_mp4_cleared_in_place);
  RUN(test_mp4_truncated);
  RUN(test_mp4_largesize_and_size_zero);
  RUN(test_mp4_malformed);
  RUN(test_webm_cleared_in_place);
  RUN(test_webm_malformed);
  RUN(test_mp4_duration);
  RUN(test_webm_duration);
  return pa_test_summary("video");
}
