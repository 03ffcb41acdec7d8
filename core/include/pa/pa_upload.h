/* pa_upload — preparing a photo on the device before it is sent.
 *
 * The image is decoded (first frame of an animation), turned upright (EXIF
 * orientation baked into the pixels), downsized so that its longer edge is at
 * most max_edge, and re-encoded from pixels alone: JPEG for opaque images,
 * PNG when any pixel is transparent. Nothing of the original file survives,
 * so no metadata does: no EXIF (GPS position, camera serial, time), no XMP,
 * no ICC profile, no comments. A ThumbHash of the result comes with it for
 * the placeholder. */
#ifndef PA_UPLOAD_H
#define PA_UPLOAD_H

#include "pa/pa_image.h"
#include "pa/pa_status.h"
#include "pa/pa_thumbhash.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pa_upload_options {
  int max_edge;     /* pixels on the longer side after downsizing */
  int jpeg_quality; /* 1-100 */
} pa_upload_options;

#define PA_UPLOAD_OPTIONS_DEFAULT ((pa_upload_options){2048, 85})

typedef struct pa_upload {
  uint8_t *bytes; /* the file to send; free with pa_upload_free */
  size_t len;
  pa_image_format format; /* PA_IMAGE_JPEG or PA_IMAGE_PNG */
  int width, height;
  int source_frames;        /* frames in the original; only the first is kept */
  unsigned source_metadata; /* PA_IMAGE_META_* the original carried, all dropped */
  uint8_t thumbhash[PA_THUMBHASH_MAX];
  size_t thumbhash_len;
} pa_upload;

/* Prepares encoded bytes (any format pa_image decodes). limits and options may
 * be NULL for the defaults. The caller frees out with pa_upload_free. */
pa_status pa_upload_prepare(const uint8_t *bytes, size_t len, const pa_image_limits *limits,
                            const pa_upload_options *options, pa_upload *out, pa_error *err);

/* Prepares pixels decoded elsewhere (the browser, for WebP or AVIF): w x h
 * straight-alpha RGBA, already upright. The caller frees out with pa_upload_free. */
pa_status pa_upload_prepare_rgba(const uint8_t *rgba, int w, int h,
                                 const pa_upload_options *options, pa_upload *out, pa_error *err);

void pa_upload_free(pa_upload *upload);

/* The CLI's image-prepare line: "FORMAT WxH N bytes thumbhash BASE64
 * source-frames F source-metadata NAMES\n". Returns the length the full text
 * needs, like snprintf. */
size_t pa_upload_describe(const pa_upload *upload, char *buf, size_t cap);

/* ---- videos: metadata cleared in place (src/media/media.md, "Videos")
 *
 * A reel's MP4/MOV or WebM/Matroska file is not re-encoded: its metadata is
 * overwritten where it lies, without moving a byte, so every offset in the
 * file (stco/co64 chunk tables, SeekHead, Cues) stays valid. MP4: every
 * udta, meta and uuid box at the top level, in moov and in each trak (GPS in
 * ©xyz and loci, Apple's location keys, XMP, titles) becomes a 'free' box of
 * the same size with a zeroed payload. WebM: Tags and Attachments, and the
 * Info Title, become Void elements of the same length; SeekHead entries that
 * point at them too. The structure is walked strictly first; a file it
 * cannot walk is refused and left untouched. */
typedef enum pa_upload_video {
  PA_UPLOAD_VIDEO_NONE,
  PA_UPLOAD_VIDEO_MP4, /* ISO BMFF: MP4, MOV, 3GP, M4V */
  PA_UPLOAD_VIDEO_WEBM /* EBML: WebM, Matroska */
} pa_upload_video;

enum { /* pa_upload_scrub.what */
       PA_SCRUB_UDTA = 1u << 0,
       PA_SCRUB_META = 1u << 1,
       PA_SCRUB_UUID = 1u << 2,
       PA_SCRUB_TAGS = 1u << 3,
       PA_SCRUB_ATTACHMENTS = 1u << 4,
       PA_SCRUB_TITLE = 1u << 5
};

/* A stated length beyond this is not believed: the duration is reported
 * unknown (no phone records a day-long reel; a value past it is a broken or
 * forged header, and keeping it bounded keeps every sum in 64 bits). */
#define PA_UPLOAD_VIDEO_MAX_MS     (24LL * 60 * 60 * 1000)
#define PA_UPLOAD_DURATION_UNKNOWN (-1LL)

typedef struct pa_upload_scrub {
  pa_upload_video container;
  unsigned cleared;       /* boxes or elements turned into padding */
  unsigned what;          /* PA_SCRUB_* kinds among them */
  unsigned pointers;      /* WebM SeekHead entries to them, voided too */
  uint64_t cleared_bytes; /* their total length, headers included */
  /* The video's length in milliseconds, rounded up, 0 to
   * PA_UPLOAD_VIDEO_MAX_MS; or PA_UPLOAD_DURATION_UNKNOWN, with the reason
   * in duration_unknown (a static string; NULL when the length is known).
   * MP4: the longest of moov/mvhd and each trak/tkhd, in mvhd's timescale
   * (a fragmented file, with moov/mvex, is unknown: its length is spread
   * over its fragments). WebM: per Segment, the longest of Info/Duration x
   * TimecodeScale and the end of the last block (cluster Timestamp + the
   * block's relative timecode + its BlockDuration); Segments add up. See
   * src/media/media.md, "Videos: duration". An unknown length does not
   * refuse the file: the caller decides. */
  int64_t duration_ms;
  const char *duration_unknown;
} pa_upload_scrub;

/* Clears the metadata of the video in bytes[0..len) in place; len never
 * changes. report (may be NULL) says what was cleared. On any error the
 * bytes are unchanged: PA_ERR_UNSUPPORTED for what is not an MP4 or WebM
 * video, PA_ERR_SYNTAX for a malformed structure, PA_ERR_TRUNCATED when the
 * file ends inside a box or element. Allocates nothing. */
pa_status pa_upload_scrub_video(uint8_t *bytes, size_t len, pa_upload_scrub *report, pa_error *err);

/* The CLI's video-scrub line: "mp4 cleared N udta meta, B bytes, P seek
 * entries, duration MS ms\n" (or ", duration unknown: REASON"). Returns the length the full text
 * needs, like snprintf. */
size_t pa_upload_scrub_describe(const pa_upload_scrub *report, char *buf, size_t cap);

#endif
