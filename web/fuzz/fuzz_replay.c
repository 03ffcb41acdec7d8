/* libFuzzer target: the replay pipeline's pure parts (web/src/replay_parse.c).
 * First byte even: a file name in a recording folder (pa_replay_parse_name;
 * Janus names them, but the folder is on disk and anything may be in it).
 * Odd: a WebM as ffmpeg wrote it from a broadcaster's stream
 * (pa_replay_void_apps walks its EBML header, Segment and Info in place).
 * Invariants: a name is taken only when it has the shape, its copy equal and
 * its time below 2^62; the walk keeps the length, changes bytes only into
 * Void elements (0xEC, a one-byte size, zeros) and a second walk changes
 * nothing more. */
#include "fuzz_check.h"
#include "live_replay.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const uint8_t *body = data + 1;
  size_t len = size - 1;
  if ((data[0] & 1) == 0) {
    char name[512];
    if (len >= sizeof name) return 0;
    memcpy(name, body, len);
    name[len] = '\0';
    pa_replay_name out;
    if (pa_replay_parse_name(name, &out) == 0) {
      ASSERT(strcmp(out.name, name) == 0);
      ASSERT(strncmp(name, "videoroom-", 10) == 0 && strstr(name, "-user-") != NULL);
      ASSERT(strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".mjr") == 0);
      ASSERT(out.ts >= 0 && out.ts < (1LL << 62));
      ASSERT(out.video == 0 || out.video == 1);
    }
    return 0;
  }
  unsigned char *a = malloc(len ? len : 1), *b = malloc(len ? len : 1);
  if (!a || !b) {
    free(a);
    free(b);
    return 0;
  }
  memcpy(a, body, len);
  pa_replay_void_apps(a, len);
  /* A changed byte is a Void's id, its one-byte size or its zeros. */
  for (size_t i = 0; i < len; i++)
    if (a[i] != body[i]) ASSERT(a[i] == 0 || a[i] == 0xEC || (a[i] & 0x80));
  memcpy(b, a, len);
  pa_replay_void_apps(b, len);
  ASSERT(memcmp(a, b, len) == 0);
  free(a);
  free(b);
  return 0;
}
