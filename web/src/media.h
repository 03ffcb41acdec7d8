/* pa_media — the content-addressed media store.
 *
 * A file's name is the lowercase hex BLAKE2b-256 of its bytes plus an
 * extension, so names never collide, files never change, and clients may
 * cache them forever. Call sodium_init() once before using this module. */
#ifndef PA_MEDIA_H
#define PA_MEDIA_H

#include <stddef.h>

enum {
  PA_MEDIA_OK = 0,
  PA_MEDIA_EINVAL = -1, /* bad argument or extension */
  PA_MEDIA_EIO = -2,    /* the file system refused; errno says why */
  PA_MEDIA_ENOMEM = -3,
  PA_MEDIA_EENCODE = -4, /* the image encoder failed */
  PA_MEDIA_EFORMAT = -5, /* not a format we take, or its header is broken */
  PA_MEDIA_ESIZE = -6    /* image dimensions over the limits */
};

enum {
  PA_MEDIA_IMAGE_BYTES = 10 * 1024 * 1024,
  PA_MEDIA_VIDEO_BYTES = 50 * 1024 * 1024,
  PA_MEDIA_MAX_SIDE = 8192, /* pixels, either side */
  PA_MEDIA_MAX_PIXELS = 40 * 1000 * 1000
};

typedef enum pa_media_kind {
  PA_MEDIA_JPEG,
  PA_MEDIA_PNG,
  PA_MEDIA_WEBP,
  PA_MEDIA_MP4,
  PA_MEDIA_WEBM,
  PA_MEDIA_KIND_COUNT
} pa_media_kind;

typedef struct pa_media_info {
  pa_media_kind kind;
  int width, height; /* 0 when a video's size could not be read */
} pa_media_info;

/* "jpg", "image/jpeg", and whether the kind is a video. */
const char *pa_media_kind_ext(pa_media_kind kind);
const char *pa_media_kind_type(pa_media_kind kind);
int pa_media_kind_is_video(pa_media_kind kind);
/* The kind for a MIME type (parameters ignored); -1 for others. */
int pa_media_type_kind(const char *mime);

/* Tells the format from the bytes (magic numbers) and reads the size from
 * the headers with bounds-checked readers: JPEG SOF, PNG IHDR, WebP
 * VP8/VP8L/VP8X, MP4 tkhd, WebM PixelWidth/PixelHeight. Images must have a
 * readable size within the limits (PA_MEDIA_ESIZE otherwise). */
int pa_media_sniff(const unsigned char *data, size_t len, pa_media_info *out);

enum {
  PA_MEDIA_HASH_HEX = 64,                        /* hex digits in a name */
  PA_MEDIA_NAME_MAX = PA_MEDIA_HASH_HEX + 6 + 1, /* "<hex>.webm" and its NUL */
  PA_MEDIA_THUMBHASH_MAX = 37                    /* base64 ThumbHash and its NUL */
};

const char *pa_media_errstr(int rc);

/* Writes the lowercase hex BLAKE2b-256 of data into hex (NUL-terminated). */
void pa_media_hash(const void *data, size_t len, char hex[PA_MEDIA_HASH_HEX + 1]);

/* Stores data as dir/<hash>.<ext> unless that file exists, via a temporary
 * file and rename so readers never see a partial file. ext is one of
 * "jpg", "png", "webp", "mp4", "webm".
 * Writes the hash into hex. */
int pa_media_store(const char *dir, const void *data, size_t len, const char *ext,
                   char hex[PA_MEDIA_HASH_HEX + 1]);

/* The MIME type for a well-formed media file name ("<64 lowercase hex>.jpg",
 * ".png", ".webp", ".mp4", ".webm"), or NULL for anything else. */
const char *pa_media_name_type(const char *name);

/* Clears a video's metadata (GPS, titles, XMP: MP4 udta/meta/uuid boxes,
 * WebM Tags/Attachments) in place with the core's pa_upload_scrub_video;
 * no byte moves and len stays. 0 on success; -1 for a file the core cannot
 * walk, with its reason in msg, the bytes then untouched. */
int pa_media_scrub_video(unsigned char *data, size_t len, char *msg, size_t cap);

/* The ThumbHash placeholder (base64) of a JPEG or PNG, decoded by the core's
 * image code with its limits and checks (core/src/media.md). 0 on success;
 * -1 for anything it cannot decode (WebP, a refused file): no placeholder. */
int pa_media_thumbhash(const void *data, size_t len, char out[PA_MEDIA_THUMBHASH_MAX]);

/* Encodes w x h RGB pixels as a baseline JPEG. On success *out is a buffer
 * from malloc holding *out_len bytes; the caller frees it with free(). */
int pa_media_encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                         size_t *out_len);

#endif
