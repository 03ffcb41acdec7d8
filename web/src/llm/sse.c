/* pa_sse — the text/event-stream reader and writer (sse.h). The reader is a
 * byte-at-a-time state machine over one line buffer and one data buffer, so
 * its result cannot depend on how the bytes were split. */
#include "llm/sse.h"

#include <string.h>

void pa_sse_init(pa_sse_reader *r) {
  r->state = PA_SSE_OK;
  r->bom_done = r->bom_seen = r->after_cr = 0;
  r->line_len = r->data_len = 0;
  r->has_data = 0;
  r->event[0] = '\0';
}

/* The field name and value of a complete line (not NUL-terminated). */
static int field(pa_sse_reader *r, const char *line, size_t len) {
  const char *colon = memchr(line, ':', len);
  size_t nl = colon ? (size_t)(colon - line) : len;
  const char *v = colon ? colon + 1 : line + len;
  size_t vl = (size_t)(line + len - v);
  if (vl && *v == ' ') { /* one space after the colon is not part of the value */
    v++;
    vl--;
  }
  if (nl == 5 && memcmp(line, "event", 5) == 0) {
    if (vl > PA_SSE_NAME_MAX) return PA_SSE_ETOOBIG;
    memcpy(r->event, v, vl);
    r->event[vl] = '\0';
  } else if (nl == 4 && memcmp(line, "data", 4) == 0) {
    /* Lines join with LF; the cap counts the joined text. */
    size_t add = vl + (r->has_data ? 1 : 0);
    if (r->data_len + add > PA_SSE_EVENT_MAX) return PA_SSE_ETOOBIG;
    if (r->has_data) r->data[r->data_len++] = '\n';
    memcpy(r->data + r->data_len, v, vl);
    r->data_len += vl;
    r->has_data = 1;
  }
  /* id, retry and anything else: not used here. */
  return PA_SSE_OK;
}

/* A line ended (the terminator is not in it). */
static int line_end(pa_sse_reader *r, pa_sse_on_event cb, void *ctx) {
  size_t len = r->line_len;
  r->line_len = 0;
  if (len == 0) { /* a blank line dispatches the event, if it has data */
    int stop = 0;
    if (r->has_data) {
      r->data[r->data_len] = '\0';
      stop = cb(ctx, r->event[0] ? r->event : "message", r->data, r->data_len);
    }
    r->data_len = 0;
    r->has_data = 0;
    r->event[0] = '\0';
    return stop ? PA_SSE_ESTOP : PA_SSE_OK;
  }
  if (r->line[0] == ':') return PA_SSE_OK; /* a comment (keep-alives) */
  return field(r, r->line, len);
}

int pa_sse_feed(pa_sse_reader *r, const char *bytes, size_t len, pa_sse_on_event cb, void *ctx) {
  static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};
  for (size_t i = 0; i < len && r->state == PA_SSE_OK; i++) {
    unsigned char c = (unsigned char)bytes[i];
    if (!r->bom_done) {
      /* A BOM at the very start is skipped; the bytes of a partial one are
       * ordinary text after all. */
      if (c == bom[r->bom_seen]) {
        if (++r->bom_seen == 3) r->bom_done = 1;
        continue;
      }
      r->bom_done = 1;
      int seen = r->bom_seen;
      r->bom_seen = 0;
      for (int k = 0; k < seen; k++) r->line[r->line_len++] = (char)bom[k];
    }
    if (c == '\n' && r->after_cr) { /* the LF of a CRLF */
      r->after_cr = 0;
      continue;
    }
    r->after_cr = c == '\r';
    if (c == '\r' || c == '\n') {
      r->state = line_end(r, cb, ctx);
      continue;
    }
    if (r->line_len >= PA_SSE_EVENT_MAX + PA_SSE_FIELD_SLACK) {
      r->state = PA_SSE_ETOOBIG;
      break;
    }
    r->line[r->line_len++] = (char)c;
  }
  return r->state;
}

size_t pa_sse_event(char *buf, size_t cap, const char *name, const char *data) {
  size_t nl = name ? strlen(name) : 0, dl = strlen(data);
  if ((name && strpbrk(name, "\r\n")) || strpbrk(data, "\r\n")) return 0;
  /* "event: " name "\n" "data: " data "\n\n" and the NUL */
  size_t need = (name ? 8 + nl : 0) + 6 + dl + 2 + 1;
  if (need > cap) return 0;
  size_t n = 0;
  if (name) {
    memcpy(buf, "event: ", 7);
    memcpy(buf + 7, name, nl);
    buf[7 + nl] = '\n';
    n = 8 + nl;
  }
  memcpy(buf + n, "data: ", 6);
  memcpy(buf + n + 6, data, dl);
  memcpy(buf + n + 6 + dl, "\n\n", 3);
  return n + 6 + dl + 2;
}
