/* libFuzzer target: web/src/redis/'s parsers (wire.c). First byte even:
 * PA_REDIS_URL's text (pa_redis_url_parse; the operator's); odd: a bus
 * message as Redis delivers it, written by another process
 * (pa_redis_wire_split), the second byte the length of Redis's channel name
 * and the rest the message. Invariants: a URL is 0 or -1; on 0 exactly one
 * of host (with a port 1..65535) and an absolute path is set, both
 * NUL-terminated, db 0..PA_REDIS_DB_MAX; on -1 a reason is said and it does
 * not repeat the URL (tested with a marker). A message is 1 or 0; on 1 the
 * channel lies inside the channel name after "pa:bus:" and passes
 * pa_redis_channel_ok, the node is 32 lower-case hex characters at the
 * message's head and the payload the rest, at most PA_BUS_PAYLOAD_MAX. */
#include "fuzz_check.h"
#include "redis/bus.h"
#include "redis/wire.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { TEXT_MAX = 512 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if ((data[0] & 1) == 0) {
    char text[TEXT_MAX];
    size_t n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
    memcpy(text, data + 1, n);
    text[n] = 0;
    pa_redis_url u;
    char err[256] = "";
    int rc = pa_redis_url_parse(text, &u, err, sizeof err);
    ASSERT(rc == 0 || rc == -1);
    TERMINATED(u.host);
    TERMINATED(u.path);
    if (rc == 0) {
      ASSERT((u.host[0] != 0) != (u.path[0] != 0));
      if (u.host[0]) ASSERT(u.port >= 1 && u.port <= 65535);
      if (u.path[0]) ASSERT(u.path[0] == '/');
      ASSERT(u.db >= 0 && u.db <= PA_REDIS_DB_MAX);
    } else {
      ASSERT(err[0] != 0);
      /* The reason never repeats the text: a marker in the URL is never in it. */
      if (strstr(text, "MARKER")) ASSERT(strstr(err, "MARKER") == NULL);
    }
    return 0;
  }
  if (size < 2) return 0;
  size_t rlen = data[1] < size - 2 ? data[1] : size - 2;
  const char *rchan = (const char *)data + 2, *msg = rchan + rlen;
  size_t mlen = size - 2 - rlen;
  pa_redis_wire w;
  int rc = pa_redis_wire_split(rchan, rlen, msg, mlen, &w);
  ASSERT(rc == 0 || rc == 1);
  if (rc == 1) {
    ASSERT(w.channel == rchan + 7 && w.channel_len == rlen - 7);
    ASSERT(memcmp(rchan, "pa:bus:", 7) == 0);
    ASSERT(pa_redis_channel_ok(w.channel, w.channel_len));
    ASSERT(w.node == msg);
    for (int i = 0; i < PA_REDIS_NODE_LEN; i++)
      ASSERT(strchr("0123456789abcdef", w.node[i]) && w.node[i]);
    ASSERT(w.payload == msg + PA_REDIS_NODE_LEN && w.payload_len == mlen - PA_REDIS_NODE_LEN);
    ASSERT(w.payload_len <= PA_BUS_PAYLOAD_MAX);
  }
  return 0;
}
