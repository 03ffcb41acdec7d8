/* pa_media — the content-addressed media store.
 *
 * A file's name is the lowercase hex BLAKE2b-256 of its bytes plus an
 * extension, so names never collide, files never change, and clients may
 * cache them forever. Call sodium_init() once before using this module. */
#ifndef PA_BLOB_H
#define PA_BLOB_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_BLOB_OK = 0,
  PA_BLOB_EINVAL = -1, /* bad argument or extension */
  PA_BLOB_EIO = -2,    /* the file system refused; errno says why */
  PA_BLOB_ENOMEM = -3,
  PA_BLOB_EENCODE = -4, /* the image encoder failed */
  PA_BLOB_EFORMAT = -5, /* not a format we take, or its header is broken */
  PA_BLOB_ESIZE = -6    /* image dimensions over the limits */
};

enum {
  PA_BLOB_IMAGE_BYTES = 10 * 1024 * 1024,
  PA_BLOB_VIDEO_BYTES = 50 * 1024 * 1024,
  PA_BLOB_MAX_SIDE = 8192, /* pixels, either side */
  PA_BLOB_MAX_PIXELS = 40 * 1000 * 1000
};

typedef enum pa_blob_kind {
  PA_BLOB_JPEG,
  PA_BLOB_PNG,
  PA_BLOB_WEBP,
  PA_BLOB_MP4,
  PA_BLOB_WEBM,
  PA_BLOB_KIND_COUNT
} pa_blob_kind;

typedef struct pa_blob_info {
  pa_blob_kind kind;
  int width, height; /* 0 when a video's size could not be read */
} pa_blob_info;

/* "jpg", "image/jpeg", and whether the kind is a video. */
const char *pa_blob_kind_ext(pa_blob_kind kind);
const char *pa_blob_kind_type(pa_blob_kind kind);
int pa_blob_kind_is_video(pa_blob_kind kind);
/* The kind for a MIME type (parameters ignored); -1 for others. */
int pa_blob_type_kind(const char *mime);

/* Tells the format from the bytes (magic numbers) and reads the size from
 * the headers with bounds-checked readers: JPEG SOF, PNG IHDR, WebP
 * VP8/VP8L/VP8X, MP4 tkhd, WebM PixelWidth/PixelHeight. Images must have a
 * readable size within the limits (PA_BLOB_ESIZE otherwise). */
int pa_blob_sniff(const unsigned char *data, size_t len, pa_blob_info *out);

enum {
  PA_BLOB_HASH_HEX = 64,                       /* hex digits in a name */
  PA_BLOB_NAME_MAX = PA_BLOB_HASH_HEX + 6 + 1, /* "<hex>.webm" and its NUL */
  PA_BLOB_THUMBHASH_MAX = 37                   /* base64 ThumbHash and its NUL */
};

const char *pa_blob_errstr(int rc);

/* Writes the lowercase hex BLAKE2b-256 of data into hex (NUL-terminated). */
void pa_blob_hash(const void *data, size_t len, char hex[PA_BLOB_HASH_HEX + 1]);

struct pa_mstore;
/* Stores data as <hash>.<ext> in the media store (mstore.h: all or nothing,
 * kept as it is when it exists). ext is one of "jpg", "png", "webp", "mp4",
 * "webm". Writes the hash into hex. PA_BLOB_EIO when the store refused
 * (errno says why). */
int pa_blob_store(struct pa_mstore *media, const void *data, size_t len, const char *ext,
                  char hex[PA_BLOB_HASH_HEX + 1]);

/* The MIME type for a well-formed media file name ("<64 lowercase hex>.jpg",
 * ".png", ".webp", ".mp4", ".webm"), or NULL for anything else. */
const char *pa_blob_name_type(const char *name);

/* Clears a video's metadata (GPS, titles, XMP: MP4 udta/meta/uuid boxes,
 * WebM Tags/Attachments) in place with the core's pa_upload_scrub_video;
 * no byte moves and len stays. 0 on success, with *duration_ms (may be NULL)
 * the length the file states, rounded up to the millisecond, or -1 when it
 * states none the core believes (then its reason is in msg); -1 for a file
 * the core cannot walk, with its reason in msg, the bytes then untouched. */
int pa_blob_scrub_video(unsigned char *data, size_t len, int64_t *duration_ms, char *msg,
                        size_t cap);

/* The ThumbHash placeholder (base64) of a JPEG or PNG, decoded by the core's
 * image code with its limits and checks (core/src/media/media.md). 0 on success;
 * -1 for anything it cannot decode (WebP, a refused file): no placeholder. */
int pa_blob_thumbhash(const void *data, size_t len, char out[PA_BLOB_THUMBHASH_MAX]);

/* ---- metadata: what an uploaded image keeps
 *
 * An image is stored with nothing but what draws its pixels, whatever the
 * client did before sending it (web/README.md, "Media"). Kept: JPEG SOI,
 * DQT, DHT, DAC, DRI, DNL, SOFn, the scans, EOI, a JFIF APP0 without a
 * thumbnail and an Adobe APP14 (colour transform); PNG IHDR, PLTE, tRNS,
 * IDAT, IEND and the colour chunks gAMA, cHRM, sRGB, sBIT, bKGD, pHYs; WebP
 * VP8, VP8L, VP8X, ALPH, ANIM and ANMF (VP8X's ICC/EXIF/XMP flags cleared).
 * Anything else goes (EXIF and its GPS, XMP, IPTC, ICC profiles, comments,
 * text chunks, bytes after the end). A JPEG whose EXIF orientation is not 1
 * is instead decoded and re-encoded upright by the core's pa_upload_prepare
 * (quality PA_BLOB_REENCODE_QUALITY, no downsizing), since dropping the tag
 * alone would turn the photo on its side. */
enum { PA_BLOB_REENCODE_QUALITY = 90 };

typedef enum pa_blob_cleaning {
  PA_BLOB_KEPT,     /* nothing to remove: store the bytes as sent */
  PA_BLOB_STRIPPED, /* segments or chunks removed, the rest byte for byte */
  PA_BLOB_REENCODED /* decoded, turned upright and encoded again */
} pa_blob_cleaning;

/* Cleans the image data[0..len) that pa_blob_sniff described in *info.
 * On PA_BLOB_OK *how says what happened; unless PA_BLOB_KEPT, *out is a
 * malloc'd buffer of *out_len bytes (the caller frees it) and *info holds the
 * new size (a turned photo swaps its sides). PA_BLOB_EFORMAT when the
 * structure cannot be walked strictly (a chunk or segment overrunning the
 * file) or a turned JPEG cannot be decoded, with the reason in msg. Videos
 * are PA_BLOB_EINVAL: pa_blob_scrub_video clears those. */
int pa_blob_clean_image(const unsigned char *data, size_t len, pa_blob_info *info,
                        pa_blob_cleaning *how, unsigned char **out, size_t *out_len, char *msg,
                        size_t cap);

/* Encodes w x h RGB pixels as a baseline JPEG. On success *out is a buffer
 * from malloc holding *out_len bytes; the caller frees it with free(). */
int pa_blob_encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                        size_t *out_len);

#endif
