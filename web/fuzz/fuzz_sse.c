/* libFuzzer target: the SSE reader (web/src/llm/sse.c) on a model
 * endpoint's untrusted bytes, and the event writer. Differential: the same
 * bytes fed whole, one byte at a time and split at other points (every point
 * for short inputs) yield the same events and the same final state.
 * Invariants: every event's data is NUL-terminated at its length and within
 * PA_SSE_EVENT_MAX, its name within PA_SSE_NAME_MAX; what the writer writes
 * from a prefix of the input reads back as exactly that one event. */
#include "fuzz_check.h"
#include "llm/sse.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every split point for short inputs, byte by byte for medium ones (both
 * cost a feed per byte); spread points beyond. */
enum { EVERY_POINT_MAX = 256, BYTEWISE_MAX = 8192, SPLITS = 16 };

typedef struct seen {
  uint64_t hash;
  long count;
} seen;

static int on_event(void *ctx, const char *event, const char *d, size_t len) {
  seen *s = ctx;
  ASSERT(len <= PA_SSE_EVENT_MAX && d[len] == '\0');
  ASSERT(strlen(event) <= PA_SSE_NAME_MAX && event[0]);
  uint64_t h = s->hash ^ 0xcbf29ce484222325ull;
  for (const char *p = event; *p; p++) h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
  h = (h ^ 0xff) * 0x100000001b3ull;
  for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)d[i]) * 0x100000001b3ull;
  s->hash = h;
  s->count++;
  return 0;
}

static pa_sse_reader reader;

/* Feeds data cut at the given points; the events' digest and the state. */
static int run(const uint8_t *data, size_t size, const size_t *cuts, size_t ncuts, seen *s) {
  memset(s, 0, sizeof *s);
  pa_sse_init(&reader);
  size_t at = 0;
  int rc = PA_SSE_OK;
  for (size_t i = 0; i <= ncuts; i++) {
    size_t to = i < ncuts ? cuts[i] : size;
    if (to < at) continue;
    rc = pa_sse_feed(&reader, (const char *)data + at, to - at, on_event, s);
    at = to;
  }
  return rc;
}

typedef struct one {
  char name[PA_SSE_NAME_MAX + 1];
  char data[512];
  int count;
} one;

static int read_one(void *ctx, const char *event, const char *d, size_t len) {
  one *o = ctx;
  o->count++;
  snprintf(o->name, sizeof o->name, "%s", event);
  ASSERT(len < sizeof o->data);
  memcpy(o->data, d, len + 1);
  return 0;
}

static void writer(const uint8_t *data, size_t size) {
  /* name: up to the first byte 0x01, data: the rest, both cut short. */
  char name[80] = "", text[400] = "", buf[600];
  const uint8_t *sep = memchr(data, 1, size);
  size_t nl = sep ? (size_t)(sep - data) : 0, dl = sep ? size - nl - 1 : size;
  if (nl >= sizeof name) nl = sizeof name - 1;
  if (dl >= sizeof text) dl = sizeof text - 1;
  memcpy(name, data, nl);
  name[nl] = '\0';
  memcpy(text, sep ? sep + 1 : data, dl);
  text[dl] = '\0';
  size_t n = pa_sse_event(buf, sizeof buf, name[0] ? name : NULL, text);
  int clean = !strpbrk(name, "\r\n") && !strpbrk(text, "\r\n");
  ASSERT(clean == (n > 0));
  if (!n) return;
  ASSERT(buf[n] == '\0' && strlen(buf) == n);
  one o = {0};
  pa_sse_init(&reader);
  int rc = pa_sse_feed(&reader, buf, n, read_one, &o);
  if (strlen(name) > PA_SSE_NAME_MAX) {
    ASSERT(rc == PA_SSE_ETOOBIG);
    return;
  }
  ASSERT(rc == PA_SSE_OK && o.count == 1);
  /* The reader takes one space after the colon away; the writer adds one. */
  ASSERT(strcmp(o.name, name[0] ? name : "message") == 0);
  ASSERT(strcmp(o.data, text) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  seen whole, bytes, split;
  int rc = run(data, size, NULL, 0, &whole);
  static size_t cuts[BYTEWISE_MAX];
  if (size <= BYTEWISE_MAX) {
    for (size_t i = 0; i < size; i++) cuts[i] = i + 1;
    ASSERT(run(data, size, cuts, size, &bytes) == rc);
    ASSERT(bytes.count == whole.count && bytes.hash == whole.hash);
  }
  if (size <= EVERY_POINT_MAX) {
    for (size_t cut = 0; cut <= size; cut++) {
      ASSERT(run(data, size, &cut, 1, &split) == rc);
      ASSERT(split.count == whole.count && split.hash == whole.hash);
    }
  } else {
    /* Points spread over the input, chosen by its own bytes. */
    size_t n = 0, at = 0;
    for (size_t i = 0; i < SPLITS; i++) {
      at += 1 + (data[i % size] * 257u + i * 7919u) % (size / SPLITS + 1);
      if (at > size) break;
      cuts[n++] = at;
    }
    ASSERT(run(data, size, cuts, n, &split) == rc);
    ASSERT(split.count == whole.count && split.hash == whole.hash);
  }
  writer(data, size);
  return 0;
}
