/* pa_tar — a small writer of POSIX ustar archives (regular files only) onto
 * a file descriptor, for "download my data"'s media archive. Names are ours
 * (HASH.EXT under a folder), never a person's text. */
#ifndef PA_TAR_H
#define PA_TAR_H

#include <stdint.h>

enum {
  PA_TAR_BLOCK = 512,
  PA_TAR_NAME_MAX = 99,             /* bytes of a name in the header's own field (no prefix use) */
  PA_TAR_SIZE_MAX_OCTAL_DIGITS = 11 /* sizes below 8 GiB fit the classic size field */
};

/* Appends file src_fd (size bytes, read from its start) as name with mtime;
 * 0, or -1 (errno from the failed read or write, or EINVAL when name or size
 * does not fit the header). */
int pa_tar_add_fd(int out_fd, const char *name, int src_fd, int64_t size, int64_t mtime);

/* Writes the end of the archive (two zero blocks); 0 or -1. */
int pa_tar_finish(int out_fd);

/* Fills a ustar header block for name, size and mtime; 0, or -1 when they do
 * not fit. Pure (tested against GNU tar in tests/server/twostep.test.mjs). */
int pa_tar_header(unsigned char block[PA_TAR_BLOCK], const char *name, int64_t size, int64_t mtime);

#endif
