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
  PA_MEDIA_EENCODE = -4 /* the image encoder failed */
};

enum {
  PA_MEDIA_HASH_HEX = 64,                       /* hex digits in a name */
  PA_MEDIA_NAME_MAX = PA_MEDIA_HASH_HEX + 5 + 1 /* "<hex>.jpg" and its NUL */
};

const char *pa_media_errstr(int rc);

/* Writes the lowercase hex BLAKE2b-256 of data into hex (NUL-terminated). */
void pa_media_hash(const void *data, size_t len, char hex[PA_MEDIA_HASH_HEX + 1]);

/* Stores data as dir/<hash>.<ext> unless that file exists, via a temporary
 * file and rename so readers never see a partial file. ext is "jpg" or "png".
 * Writes the hash into hex. */
int pa_media_store(const char *dir, const void *data, size_t len, const char *ext,
                   char hex[PA_MEDIA_HASH_HEX + 1]);

/* The MIME type for a well-formed media file name ("<64 lowercase hex>.jpg"
 * or ".png"), or NULL for anything else. */
const char *pa_media_name_type(const char *name);

/* Encodes w x h RGB pixels as a baseline JPEG. On success *out is a buffer
 * from malloc holding *out_len bytes; the caller frees it with free(). */
int pa_media_encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                         size_t *out_len);

#endif
