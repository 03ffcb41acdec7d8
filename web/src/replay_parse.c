/* pa_replay — the pure parts of the replay pipeline, fuzzed
 * (web/fuzz/fuzz_replay.c): a recording's file name and the WebM Info walk. */
#include "live_replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pa_replay_parse_name(const char *name, pa_replay_name *out) {
  size_t len = strlen(name);
  if (len >= sizeof out->name || len < 4 || strcmp(name + len - 4, ".mjr") != 0) return -1;
  const char *user = strstr(name, "-user-");
  if (strncmp(name, "videoroom-", 10) != 0 || !user) return -1;
  char *end;
  errno = 0;
  unsigned long long feed = strtoull(user + 6, &end, 10);
  if (errno || end == user + 6 || *end != '-' || user[6] < '0' || user[6] > '9') return -1;
  const char *ts_at = end + 1;
  long long ts = strtoll(ts_at, &end, 10);
  /* Below 2^62, so two times' difference never overflows. */
  if (errno || end == ts_at || *ts_at < '0' || *ts_at > '9' || *end != '-' || ts >= (1LL << 62))
    return -1;
  int video = strncmp(end + 1, "video-", 6) == 0;
  if (!video && strncmp(end + 1, "audio-", 6) != 0) return -1;
  memcpy(out->name, name, len + 1);
  out->feed = feed, out->ts = ts, out->video = video;
  return 0;
}

/* An EBML variable-length number at d[*at..len): an element id (keep_marker
 * 1: the marker bit stays, as ids are written) or a size. -1 when it runs
 * past the end or is not a valid number; an unknown size is -1 too. */
static int64_t ebml_vint(const unsigned char *d, size_t len, size_t *at, int keep_marker,
                         int max_len) {
  if (*at >= len) return -1;
  int n = 1;
  while (n <= max_len && !(d[*at] & (0x80 >> (n - 1)))) n++;
  if (n > max_len || *at + (size_t)n > len) return -1;
  int64_t v = keep_marker ? d[*at] : d[*at] & (0xff >> n);
  int all_ones = v == (0xff >> n);
  for (int i = 1; i < n; i++) {
    v = (v << 8) | d[*at + i];
    all_ones = all_ones && d[*at + i] == 0xff;
  }
  *at += (size_t)n;
  return !keep_marker && all_ones ? -1 : v;
}

void pa_replay_void_apps(unsigned char *d, size_t len) {
  size_t at = 0;
  while (at < len) {
    int64_t id = ebml_vint(d, len, &at, 1, 4);
    int64_t size = ebml_vint(d, len, &at, 0, 8);
    if (id == 0x18538067) continue; /* Segment: its children follow (its size may be unknown) */
    if (id < 0 || size < 0 || (uint64_t)size > len - at) return;
    if (id != 0x1549A966) { /* not Info: skip it */
      at += (size_t)size;
      continue;
    }
    size_t end = at + (size_t)size;
    while (at < end) {
      size_t start = at;
      int64_t cid = ebml_vint(d, end, &at, 1, 4);
      int64_t csize = ebml_vint(d, end, &at, 0, 8);
      if (cid < 0 || csize < 0 || (uint64_t)csize > end - at) return;
      at += (size_t)csize;
      size_t whole = at - start;
      if ((cid == 0x4D80 || cid == 0x5741) && whole >= 2 && whole - 2 < 0x7f) {
        memset(d + start, 0, whole);
        d[start] = 0xEC; /* Void, with a one-byte size */
        d[start + 1] = (unsigned char)(0x80 | (whole - 2));
      }
    }
    return;
  }
}
