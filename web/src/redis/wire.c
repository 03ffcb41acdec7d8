/* The pure parts of web/src/redis/ (wire.h): no I/O, no allocation. */
#include "redis/wire.h"

#include "redis/bus.h"
#include "redis/redis.h"

#include <stdio.h>
#include <string.h>

enum { BUS_PREFIX_LEN = 7 /* "pa:bus:" */ };

static int host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

/* Reads a whole decimal number in [lo, hi] from s..end; 0 or -1. */
static int read_num(const char *s, const char *end, long lo, long hi, long *out) {
  if (s == end || end - s > 6) return -1;
  long v = 0;
  for (const char *p = s; p < end; p++) {
    if (*p < '0' || *p > '9') return -1;
    v = v * 10 + (*p - '0');
  }
  if (v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int pa_redis_url_parse(const char *text, pa_redis_url *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t n = strnlen(text, PA_REDIS_URL_MAX);
  if (n >= PA_REDIS_URL_MAX) {
    snprintf(err, errlen, "PA_REDIS_URL is longer than %d bytes", PA_REDIS_URL_MAX - 1);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f) {
      snprintf(err, errlen, "PA_REDIS_URL holds a space, a control or a non-ASCII byte");
      return -1;
    }
  }
  if (strncmp(text, "unix:", 5) == 0) {
    const char *path = text + 5;
    if (path[0] != '/') {
      snprintf(err, errlen,
               "PA_REDIS_URL: unix: needs an absolute socket path (unix:/path/redis.sock)");
      return -1;
    }
    if (strlen(path) >= PA_REDIS_PATH_MAX) {
      snprintf(err, errlen, "PA_REDIS_URL: the socket path is longer than %d bytes",
               PA_REDIS_PATH_MAX - 1);
      return -1;
    }
    memcpy(out->path, path, strlen(path) + 1);
    return 0;
  }
  if (strncmp(text, "redis://", 8) != 0) {
    snprintf(err, errlen, "PA_REDIS_URL must be redis://HOST:PORT[/DB] or unix:/path/redis.sock");
    return -1;
  }
  const char *h = text + 8, *end = text + n;
  const char *auth_end = memchr(h, '/', (size_t)(end - h));
  if (!auth_end) auth_end = end;
  if (memchr(h, '@', (size_t)(auth_end - h))) {
    snprintf(err, errlen, "PA_REDIS_URL: a user or password in the URL is not supported");
    return -1;
  }
  const char *hs, *he, *p;
  if (*h == '[') { /* [v6] */
    hs = h + 1;
    he = memchr(hs, ']', (size_t)(auth_end - hs));
    if (!he) {
      snprintf(err, errlen, "PA_REDIS_URL: an IPv6 host needs its closing ]");
      return -1;
    }
    for (const char *q = hs; q < he; q++) {
      if (!(host_char(*q) || *q == ':')) {
        snprintf(err, errlen, "PA_REDIS_URL: the IPv6 host holds a character it cannot");
        return -1;
      }
    }
    p = he + 1;
  } else {
    hs = h;
    for (p = h; p < auth_end && *p != ':'; p++) {
      if (!host_char(*p)) {
        snprintf(err, errlen, "PA_REDIS_URL: the host holds a character it cannot");
        return -1;
      }
    }
    he = p;
  }
  if (he == hs) {
    snprintf(err, errlen, "PA_REDIS_URL names no host");
    return -1;
  }
  if ((size_t)(he - hs) >= PA_REDIS_HOST_MAX) {
    snprintf(err, errlen, "PA_REDIS_URL: the host is longer than %d bytes", PA_REDIS_HOST_MAX - 1);
    return -1;
  }
  memcpy(out->host, hs, (size_t)(he - hs));
  out->host[he - hs] = 0;
  long v = 6379;
  if (p < auth_end) {
    if (*p != ':' || read_num(p + 1, auth_end, 1, 65535, &v) != 0) {
      snprintf(err, errlen, "PA_REDIS_URL: the port must be 1..65535");
      return -1;
    }
  }
  out->port = (int)v;
  v = 0;
  if (auth_end < end && auth_end + 1 < end &&
      read_num(auth_end + 1, end, 0, PA_REDIS_DB_MAX, &v) != 0) {
    snprintf(err, errlen, "PA_REDIS_URL: the database after / must be a number 0..%d",
             PA_REDIS_DB_MAX);
    return -1;
  }
  out->db = (int)v;
  return 0;
}

int pa_redis_channel_ok(const char *ch, size_t len) {
  if (len == 0 || len >= PA_BUS_CHANNEL_MAX) return 0;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)ch[i] <= ' ' || (unsigned char)ch[i] >= 0x7f) return 0;
  return 1;
}

int pa_redis_wire_split(const char *rchan, size_t rlen, const char *msg, size_t mlen,
                        pa_redis_wire *out) {
  memset(out, 0, sizeof *out);
  if (rlen <= BUS_PREFIX_LEN || memcmp(rchan, "pa:bus:", BUS_PREFIX_LEN) != 0) return 0;
  const char *ch = rchan + BUS_PREFIX_LEN;
  size_t clen = rlen - BUS_PREFIX_LEN;
  if (!pa_redis_channel_ok(ch, clen) || mlen < PA_REDIS_NODE_LEN) return 0;
  for (size_t i = 0; i < PA_REDIS_NODE_LEN; i++) {
    char c = msg[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  if (mlen - PA_REDIS_NODE_LEN > PA_BUS_PAYLOAD_MAX) return 0;
  *out = (pa_redis_wire){ch, clen, msg, msg + PA_REDIS_NODE_LEN, mlen - PA_REDIS_NODE_LEN};
  return 1;
}
