/* pa_sse — server-sent events (the WHATWG "text/event-stream" format), both
 * ways: an incremental reader for the model endpoint's stream (llm/client.c),
 * and the writer of one event for our own streamed answers.
 *
 * The reader takes bytes as they come, in any chunking (one byte at a time
 * yields the same events as the whole stream at once): lines end with CR,
 * LF or CRLF, "data:" lines of one event are joined with LF, comments
 * (":...") and unknown fields (id, retry, anything else) are ignored, a
 * leading UTF-8 BOM is skipped, and an event not closed by a blank line
 * before the end is dropped (as a browser does). It allocates nothing; a
 * pa_sse_reader holds its buffers and may live on the heap or in static
 * storage. */
#ifndef PA_SSE_H
#define PA_SSE_H

#include <stddef.h>

enum {
  PA_SSE_EVENT_MAX = 16384, /* bytes of one event's data (joined); past it: PA_SSE_ETOOBIG */
  PA_SSE_NAME_MAX = 64,     /* bytes of an event's name ("event:" field); past it: PA_SSE_ETOOBIG */
  /* bytes of one line beyond its value: the field name and colon ("data: ") */
  PA_SSE_FIELD_SLACK = 16
};

enum {
  PA_SSE_OK = 0,
  PA_SSE_ETOOBIG = -1, /* an event or line over its cap; the reader is spent */
  PA_SSE_ESTOP = -2    /* the callback asked to stop; the reader is spent */
};

/* One complete event: name ("message" when the stream named none) and its
 * data, NUL-terminated (data may hold LF between joined lines, never a
 * trailing one). Returns 0 to go on, non-zero to stop reading. */
typedef int (*pa_sse_on_event)(void *ctx, const char *event, const char *data, size_t len);

typedef struct pa_sse_reader {
  int state;    /* PA_SSE_OK, or the error that spent it */
  int bom_done; /* past the first bytes (a BOM is only skipped there) */
  int bom_seen; /* bytes of a BOM matched so far */
  int after_cr; /* the last byte was CR: an LF right after it ends nothing */
  size_t line_len;
  size_t data_len;
  int has_data; /* a data field was seen for this event (even an empty one) */
  char event[PA_SSE_NAME_MAX + 1];
  char line[PA_SSE_EVENT_MAX + PA_SSE_FIELD_SLACK + 1];
  char data[PA_SSE_EVENT_MAX + 2];
} pa_sse_reader;

void pa_sse_init(pa_sse_reader *r);

/* Feeds len bytes; calls cb for every event they complete, in order.
 * PA_SSE_OK, PA_SSE_ETOOBIG or PA_SSE_ESTOP (also for every later call). */
int pa_sse_feed(pa_sse_reader *r, const char *bytes, size_t len, pa_sse_on_event cb, void *ctx);

/* Writes one event, "event: NAME\ndata: DATA\n\n", NUL-terminated, into buf:
 * its length, or 0 when it does not fit in cap or name or data hold CR or
 * LF (cJSON_PrintUnformatted's JSON never does). name NULL: no event line
 * (a "message"). */
size_t pa_sse_event(char *buf, size_t cap, const char *name, const char *data);

#endif
