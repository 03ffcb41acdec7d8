/* pa_buf — a growable text buffer for answers written by hand (HTML pages,
 * very large JSON). Appending never reports an error: running out of memory
 * sets `failed`, later appends do nothing, and the caller checks it once at
 * the end. The caller frees p. */
#ifndef PA_BUF_H
#define PA_BUF_H

#include <stddef.h>

typedef struct pa_buf {
  char *p; /* NUL-terminated once anything was appended; NULL before */
  size_t len, cap;
  int failed;
} pa_buf;

void pa_buf_put(pa_buf *b, const char *s, size_t n);
void pa_buf_puts(pa_buf *b, const char *s);
void pa_buf_putf(pa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
