/* The pure parts of web/src/redis/ (no I/O, no hiredis, fuzzed by
 * web/fuzz/fuzz_redis.c): PA_REDIS_URL's text, and a bus message as Redis
 * delivers it (bytes another process wrote). */
#ifndef PA_REDIS_WIRE_H
#define PA_REDIS_WIRE_H

#include <stddef.h>

enum {
  PA_REDIS_HOST_MAX = 128, /* bytes of a URL's host, with its NUL */
  PA_REDIS_PATH_MAX = 104, /* bytes of a unix socket's path, with its NUL (sun_path is 108) */
  PA_REDIS_DB_MAX = 9999,  /* the highest database number a URL may name */
  PA_REDIS_NODE_LEN = 32   /* hex characters of a node id (pa_redis_node), at a message's head */
};

/* A parsed PA_REDIS_URL: host and port, or a unix socket path (host ""). */
typedef struct pa_redis_url {
  char host[PA_REDIS_HOST_MAX];
  int port;
  char path[PA_REDIS_PATH_MAX];
  int db;
} pa_redis_url;

/* Parses text (NUL-terminated). 0, or -1 with a message in err that never repeats the URL's
 * text. */
int pa_redis_url_parse(const char *text, pa_redis_url *out, char *err, size_t errlen);

/* 1 when ch[0..len) may be a bus channel: 1..PA_BUS_CHANNEL_MAX-1 printable ASCII bytes without
 * spaces (a Redis argument and a log field), else 0. */
int pa_redis_channel_ok(const char *ch, size_t len);

/* A bus message: Redis's channel name (pa:bus:<channel>) and the message (the publisher's node id,
 * then the payload). 1 with channel (inside rchan, not NUL-terminated), node (inside msg) and
 * payload (inside msg, at most PA_BUS_PAYLOAD_MAX bytes) set; 0 when it is not one. */
typedef struct pa_redis_wire {
  const char *channel;
  size_t channel_len;
  const char *node;
  const char *payload;
  size_t payload_len;
} pa_redis_wire;
int pa_redis_wire_split(const char *rchan, size_t rlen, const char *msg, size_t mlen,
                        pa_redis_wire *out);

#endif
