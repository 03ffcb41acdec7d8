/* pa_tar: ustar archives of regular files. */
#include "tar.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n) {
  const unsigned char *b = p;
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

/* An octal field of width bytes: width - 1 digits and a NUL. */
static int octal(unsigned char *f, size_t width, uint64_t v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%0*llo", (int)(width - 1), (unsigned long long)v);
  if (n < 0 || (size_t)n != width - 1) return -1;
  memcpy(f, tmp, width);
  return 0;
}

int pa_tar_header(unsigned char h[PA_TAR_BLOCK], const char *name, int64_t size, int64_t mtime) {
  size_t n = strlen(name);
  if (n == 0 || n > PA_TAR_NAME_MAX || size < 0 || mtime < 0) return -1;
  memset(h, 0, PA_TAR_BLOCK);
  memcpy(h, name, n);                                    /* name[100] */
  if (octal(h + 100, 8, 0644) || octal(h + 108, 8, 0) || /* mode, uid */
      octal(h + 116, 8, 0) ||                            /* gid */
      octal(h + 124, 12, (uint64_t)size) ||              /* size */
      octal(h + 136, 12, (uint64_t)mtime))               /* mtime */
    return -1;
  h[156] = '0';                /* typeflag: a regular file */
  memcpy(h + 257, "ustar", 6); /* magic "ustar\0" */
  memcpy(h + 263, "00", 2);    /* version */
  /* The checksum is summed with its own field as spaces. */
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < PA_TAR_BLOCK; i++) sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
  h[155] = ' ';
  return 0;
}

int pa_tar_add_fd(int out_fd, const char *name, int src_fd, int64_t size, int64_t mtime) {
  unsigned char block[PA_TAR_BLOCK], buf[65536];
  if (pa_tar_header(block, name, size, mtime) != 0) {
    errno = EINVAL;
    return -1;
  }
  if (write_all(out_fd, block, sizeof block) != 0) return -1;
  int64_t left = size;
  while (left > 0) {
    size_t want = left < (int64_t)sizeof buf ? (size_t)left : sizeof buf;
    ssize_t r = read(src_fd, buf, want);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) errno = EIO; /* the file shrank under us */
      return -1;
    }
    if (write_all(out_fd, buf, (size_t)r) != 0) return -1;
    left -= r;
  }
  size_t pad = (size_t)((PA_TAR_BLOCK - size % PA_TAR_BLOCK) % PA_TAR_BLOCK);
  memset(block, 0, sizeof block);
  return pad ? write_all(out_fd, block, pad) : 0;
}

int pa_tar_finish(int out_fd) {
  unsigned char zero[2 * PA_TAR_BLOCK];
  memset(zero, 0, sizeof zero);
  return write_all(out_fd, zero, sizeof zero);
}
