/* pa_media — content-addressed media files. */
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <stb_image_write.h>

const char *pa_media_errstr(int rc) {
  switch (rc) {
  case PA_MEDIA_OK: return "ok";
  case PA_MEDIA_EINVAL: return "invalid argument";
  case PA_MEDIA_EIO: return "file system error";
  case PA_MEDIA_ENOMEM: return "out of memory";
  case PA_MEDIA_EENCODE: return "image encoding failed";
  }
  return "unknown error";
}

void pa_media_hash(const void *data, size_t len, char hex[PA_MEDIA_HASH_HEX + 1]) {
  unsigned char h[crypto_generichash_BYTES]; /* 32 bytes: BLAKE2b-256 */
  crypto_generichash(h, sizeof h, data, len, NULL, 0);
  sodium_bin2hex(hex, PA_MEDIA_HASH_HEX + 1, h, sizeof h);
}

static int write_all(int fd, const unsigned char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int pa_media_store(const char *dir, const void *data, size_t len, const char *ext,
                   char hex[PA_MEDIA_HASH_HEX + 1]) {
  char path[4096], tmp[4096];
  struct stat st;
  if (!dir || !data || len == 0 || !ext || (strcmp(ext, "jpg") != 0 && strcmp(ext, "png") != 0))
    return PA_MEDIA_EINVAL;
  pa_media_hash(data, len, hex);
  int n = snprintf(path, sizeof path, "%s/%s.%s", dir, hex, ext);
  int m = snprintf(tmp, sizeof tmp, "%s/.incoming-XXXXXX", dir);
  if (n < 0 || (size_t)n >= sizeof path || m < 0 || (size_t)m >= sizeof tmp) return PA_MEDIA_EINVAL;
  /* Same name means same bytes, so an existing file of the right size is done. */
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) return PA_MEDIA_OK;

  int fd = mkstemp(tmp);
  if (fd < 0) return PA_MEDIA_EIO;
  /* fsync before rename: after a crash the name exists only with its bytes. */
  if (write_all(fd, data, len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    return PA_MEDIA_EIO;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    int saved = errno;
    unlink(tmp);
    errno = saved;
    return PA_MEDIA_EIO;
  }
  return PA_MEDIA_OK;
}

const char *pa_media_name_type(const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < PA_MEDIA_HASH_HEX; i++) {
    char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return NULL;
  }
  const char *ext = name + PA_MEDIA_HASH_HEX;
  if (strcmp(ext, ".jpg") == 0) return "image/jpeg";
  if (strcmp(ext, ".png") == 0) return "image/png";
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

int pa_media_encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                         size_t *out_len) {
  growbuf b = {0};
  *out = NULL;
  *out_len = 0;
  if (!rgb || w <= 0 || h <= 0 || quality < 1 || quality > 100) return PA_MEDIA_EINVAL;
  int ok = stbi_write_jpg_to_func(append, &b, w, h, 3, rgb, quality);
  if (b.failed) {
    free(b.data);
    return PA_MEDIA_ENOMEM;
  }
  if (!ok || b.len == 0) {
    free(b.data);
    return PA_MEDIA_EENCODE;
  }
  *out = b.data;
  *out_len = b.len;
  return PA_MEDIA_OK;
}
