/* pa_redis_limit: one token-bucket script per charge (see limit.h). */
#include "redis/limit.h"

#include "redis/redis.h"
#include "redis/redis_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS[1] the bucket; ARGV burst, window in ms. Returns the seconds to wait
 * (0: charged). Tokens and the time they were counted at live in a hash;
 * the refill is burst per window, as in limit.c's tables. */
static const char script[] =
    "local burst = tonumber(ARGV[1])\n"
    "local window = tonumber(ARGV[2])\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')\n"
    "local tokens, at = tonumber(b[1]), tonumber(b[2])\n"
    "if not tokens or not at then tokens, at = burst, now end\n"
    "local per = burst / window\n"
    "if now > at then\n"
    "  tokens = math.min(burst, tokens + (now - at) * per)\n"
    "  at = now\n"
    "end\n"
    "local wait = 0\n"
    "if tokens >= 1 then\n"
    "  tokens = tokens - 1\n"
    "else\n"
    "  wait = math.ceil((1 - tokens) / per / 1000)\n"
    "  if wait < 1 then wait = 1 end\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))\n"
    "redis.call('PEXPIRE', KEYS[1], window)\n"
    "return wait\n";

static const char cluster_key_name[] = "pa:limit:key";

/* What every thread shares: the cluster's hash key once read, and the
 * script's SHA-1 once Redis named it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int have_key;
static unsigned char hash_key[PA_REDIS_LIMIT_KEY_BYTES];
static char sha[41];

static int unhex(const char *s, size_t n, unsigned char *out, size_t cap) {
  size_t bin = 0;
  return n == cap * 2 && sodium_hex2bin(out, cap, s, n, NULL, &bin, NULL) == 0 && bin == cap ? 0
                                                                                             : -1;
}

/* The cluster's hash key: ours if no process set one yet, else theirs. */
static int fetch_key(unsigned char out[PA_REDIS_LIMIT_KEY_BYTES]) {
  unsigned char mine[PA_REDIS_LIMIT_KEY_BYTES];
  char hex[2 * PA_REDIS_LIMIT_KEY_BYTES + 1];
  randombytes_buf(mine, sizeof mine);
  sodium_bin2hex(hex, sizeof hex, mine, sizeof mine);
  sodium_memzero(mine, sizeof mine);
  redisReply *r = pa_redis_cmd("limit key", "SET %s %s NX", cluster_key_name, hex);
  sodium_memzero(hex, sizeof hex);
  if (!r) return -1;
  freeReplyObject(r);
  r = pa_redis_cmd("limit key", "GET %s", cluster_key_name);
  if (!r) return -1;
  int ok =
      r->type == REDIS_REPLY_STRING && unhex(r->str, r->len, out, PA_REDIS_LIMIT_KEY_BYTES) == 0;
  freeReplyObject(r);
  if (!ok)
    pa_redis_note("limit", 0, "%s is not %d bytes of hex", cluster_key_name,
                  PA_REDIS_LIMIT_KEY_BYTES);
  return ok ? 0 : -1;
}

static int key_now(unsigned char out[PA_REDIS_LIMIT_KEY_BYTES], int again) {
  pthread_mutex_lock(&lock);
  int have = have_key && !again;
  if (have) memcpy(out, hash_key, sizeof hash_key);
  pthread_mutex_unlock(&lock);
  if (have) return 0;
  if (fetch_key(out) != 0) return -1;
  pthread_mutex_lock(&lock);
  memcpy(hash_key, out, sizeof hash_key);
  have_key = 1;
  pthread_mutex_unlock(&lock);
  return 0;
}

/* Runs the script by its SHA-1 when known, else (or when Redis forgot it:
 * NOSCRIPT, a restart or SCRIPT FLUSH) by its text, which Redis keeps
 * again. The reply, or NULL (an I/O failure: the connection is dropped). */
static redisReply *run(redisContext *c, const char *bucket, const char *burst, const char *window,
                       int *forgot) {
  char known[41];
  pthread_mutex_lock(&lock);
  memcpy(known, sha, sizeof known);
  pthread_mutex_unlock(&lock);
  *forgot = 0;
  if (known[0]) {
    const char *argv[] = {"EVALSHA", known, "1", bucket, burst, window};
    redisReply *r = redisCommandArgv(c, 6, argv, NULL);
    if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0) return r;
    freeReplyObject(r);
    *forgot = 1;
  }
  const char *argv[] = {"EVAL", script, "1", bucket, burst, window};
  redisReply *r = redisCommandArgv(c, 6, argv, NULL);
  if (r && r->type == REDIS_REPLY_INTEGER && !known[0]) {
    /* The SHA-1 Redis names the script by, for the next charges. */
    redisReply *s = redisCommand(c, "SCRIPT LOAD %s", script);
    if (s && s->type == REDIS_REPLY_STRING && s->len == 40) {
      pthread_mutex_lock(&lock);
      memcpy(sha, s->str, 40);
      sha[40] = 0;
      pthread_mutex_unlock(&lock);
    }
    if (s) freeReplyObject(s);
  }
  return r;
}

int pa_redis_limit_charge(const char *purpose, const void *key, size_t len, int burst, int window_s,
                          int *wait) {
  *wait = 0;
  if (!pa_redis_enabled() || strlen(purpose) >= PA_REDIS_LIMIT_PURPOSE_MAX || burst < 1 ||
      window_s < 1)
    return -1;
  redisContext *c = pa_redis_ctx();
  unsigned char k[PA_REDIS_LIMIT_KEY_BYTES], h[PA_REDIS_LIMIT_HASH_BYTES];
  if (!c || key_now(k, 0) != 0) return -1;
  crypto_generichash(h, sizeof h, key, len, k, sizeof k);
  sodium_memzero(k, sizeof k);
  char hex[2 * PA_REDIS_LIMIT_HASH_BYTES + 1], bucket[PA_REDIS_LIMIT_PURPOSE_MAX + 48];
  char nburst[16], nwindow[24];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(bucket, sizeof bucket, "pa:lim:%s:%s", purpose, hex);
  snprintf(nburst, sizeof nburst, "%d", burst);
  snprintf(nwindow, sizeof nwindow, "%lld", (long long)window_s * 1000);
  int forgot = 0;
  redisReply *r = run(c, bucket, nburst, nwindow, &forgot);
  if (!r) {
    pa_redis_ctx_failed("limit");
    return -1;
  }
  int out = -1;
  if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0 && r->integer <= (long long)window_s) {
    *wait = (int)r->integer;
    out = 0;
    pa_redis_note("limit", 1, "ok");
  } else {
    pa_redis_note("limit", 0, "the bucket script answered %.120s",
                  r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
  }
  freeReplyObject(r);
  /* Redis forgot the script: it may have lost its data too, the cluster's
   * key among it; every process reads whatever key is there now. */
  if (forgot) key_now(k, 1), sodium_memzero(k, sizeof k);
  return out;
}
