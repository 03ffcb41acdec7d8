/* pa_strbuf — appending printf output to a caller-owned buffer, snprintf
 * style: len counts what the whole text needs even when cap is too small. */
#ifndef PA_STRBUF_H
#define PA_STRBUF_H

#include <stddef.h>

typedef struct pa_strbuf {
  char *buf; /* may be NULL when cap is 0 */
  size_t cap, len;
} pa_strbuf;

void pa_strbuf_put(pa_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
