/* pa_redis_limit: one token-bucket script per charge (see limit.h). */
#include "redis/limit.h"

#include "redis/redis.h"
#include "redis/redis_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS[1] the bucket, KEYS[2] the cluster's hash key; ARGV burst, window in
 * ms, the hash key the bucket's name was made with. Returns the seconds to
 * wait (0: charged), or -1 when the cluster's key is not that one (Redis
 * lost it, or another process set it first): the caller reads it again and
 * retries, so every process hashes with the same key. Tokens and the time
 * they were counted at live in a hash; the refill is burst per window, as
 * in limit.c's tables. */
static const char script[] =
    "if redis.call('GET', KEYS[2]) ~= ARGV[3] then return -1 end\n"
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

enum { KEY_HEX = 2 * PA_REDIS_LIMIT_KEY_BYTES + 1 };

/* What every thread shares: the cluster's hash key once read (and its hex,
 * which the script compares), and the script's SHA-1 once Redis named it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int have_key;
static unsigned char hash_key[PA_REDIS_LIMIT_KEY_BYTES];
static char hash_key_hex[KEY_HEX];
static char sha[41];

/* The cluster's hash key: ours if no process set one yet, else theirs. */
static int fetch_key(unsigned char out[PA_REDIS_LIMIT_KEY_BYTES], char hex[KEY_HEX]) {
  unsigned char mine[PA_REDIS_LIMIT_KEY_BYTES];
  randombytes_buf(mine, sizeof mine);
  sodium_bin2hex(hex, KEY_HEX, mine, sizeof mine);
  sodium_memzero(mine, sizeof mine);
  redisReply *r = pa_redis_cmd("limit key", "SET %s %s NX", cluster_key_name, hex);
  if (!r) return -1;
  freeReplyObject(r);
  r = pa_redis_cmd("limit key", "GET %s", cluster_key_name);
  if (!r) return -1;
  size_t bin = 0;
  int ok = r->type == REDIS_REPLY_STRING && r->len == KEY_HEX - 1 &&
           sodium_hex2bin(out, PA_REDIS_LIMIT_KEY_BYTES, r->str, r->len, NULL, &bin, NULL) == 0 &&
           bin == PA_REDIS_LIMIT_KEY_BYTES;
  if (ok) sodium_bin2hex(hex, KEY_HEX, out, PA_REDIS_LIMIT_KEY_BYTES); /* lowercase, as stored */
  ok = ok && strncmp(hex, r->str, KEY_HEX - 1) == 0;
  freeReplyObject(r);
  if (!ok)
    pa_redis_note("limit", 0, "%s is not %d bytes of lowercase hex", cluster_key_name,
                  PA_REDIS_LIMIT_KEY_BYTES);
  return ok ? 0 : -1;
}

/* The key this process hashes with: the one read before, or (again: the
 * script said it is not the cluster's any more) read now. */
static int key_now(unsigned char out[PA_REDIS_LIMIT_KEY_BYTES], char hex[KEY_HEX], int again) {
  pthread_mutex_lock(&lock);
  int have = have_key && !again;
  if (have) {
    memcpy(out, hash_key, sizeof hash_key);
    memcpy(hex, hash_key_hex, sizeof hash_key_hex);
  }
  pthread_mutex_unlock(&lock);
  if (have) return 0;
  if (fetch_key(out, hex) != 0) return -1;
  pthread_mutex_lock(&lock);
  memcpy(hash_key, out, sizeof hash_key);
  memcpy(hash_key_hex, hex, sizeof hash_key_hex);
  have_key = 1;
  pthread_mutex_unlock(&lock);
  return 0;
}

/* Runs the script by its SHA-1 when known, else (or when Redis forgot it:
 * NOSCRIPT, after a restart or SCRIPT FLUSH) by its text, which Redis keeps
 * again. The reply, or NULL (an I/O failure). */
static redisReply *run(redisContext *c, const char **args) {
  char known[41];
  pthread_mutex_lock(&lock);
  memcpy(known, sha, sizeof known);
  pthread_mutex_unlock(&lock);
  const char *argv[] = {"EVALSHA",        known,   "2",     args[0],
                        cluster_key_name, args[1], args[2], args[3]};
  if (known[0]) {
    redisReply *r = redisCommandArgv(c, 8, argv, NULL);
    if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0) return r;
    freeReplyObject(r);
  }
  argv[0] = "EVAL";
  argv[1] = script;
  redisReply *r = redisCommandArgv(c, 8, argv, NULL);
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
  char nburst[16], nwindow[24];
  snprintf(nburst, sizeof nburst, "%d", burst);
  snprintf(nwindow, sizeof nwindow, "%lld", (long long)window_s * 1000);
  /* A second try only when the cluster's key changed under us. */
  for (int again = 0; again < 2; again++) {
    redisContext *c = pa_redis_ctx();
    unsigned char k[PA_REDIS_LIMIT_KEY_BYTES], h[PA_REDIS_LIMIT_HASH_BYTES];
    char khex[KEY_HEX];
    if (!c || key_now(k, khex, again) != 0) return -1;
    crypto_generichash(h, sizeof h, key, len, k, sizeof k);
    sodium_memzero(k, sizeof k);
    char hex[2 * PA_REDIS_LIMIT_HASH_BYTES + 1], bucket[PA_REDIS_LIMIT_PURPOSE_MAX + 48];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(bucket, sizeof bucket, "pa:lim:%s:%s", purpose, hex);
    const char *args[] = {bucket, nburst, nwindow, khex};
    redisReply *r = run(c, args);
    sodium_memzero(khex, sizeof khex);
    if (!r) {
      pa_redis_ctx_failed("limit");
      return -1;
    }
    int stale = r->type == REDIS_REPLY_INTEGER && r->integer == -1;
    int out = -1;
    if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0 && r->integer <= (long long)window_s) {
      *wait = (int)r->integer;
      out = 0;
      pa_redis_note("limit", 1, "ok");
    } else if (!stale) {
      pa_redis_note("limit", 0, "the bucket script answered %.120s",
                    r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
    }
    freeReplyObject(r);
    if (!stale) return out;
  }
  pa_redis_note("limit", 0, "%s keeps changing", cluster_key_name);
  return -1;
}
