/* What the web fuzz targets that check a reader's answers share: an
 * invariant that aborts with its file and line (so libFuzzer keeps the
 * input), a buffer's NUL within it, and code points of UTF-8 text. */
#ifndef PA_FUZZ_CHECK_H
#define PA_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);                    \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* buf (an array, not a pointer) holds its NUL. */
#define TERMINATED(buf) ASSERT(memchr((buf), 0, sizeof(buf)) != NULL)

/* Code points of NUL-terminated UTF-8 (continuation bytes not counted). */
static inline long points(const char *s) {
  long n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

#endif
