/* pa_presence — socket counts per key, this process's exact in a table
 * here, the cluster's in Redis: each process keeps a hash
 * pa:pres:node:<node> (key → its count) that expires PA_PRESENCE_TTL_S
 * after its last write, and is listed in the set pa:pres:nodes. A change
 * is written at once (HINCRBY, commutative, so threads need no order); the
 * whole table is written again every PA_PRESENCE_REFRESH_S, which renews
 * the expiry and repairs what a Redis outage or restart lost. A killed
 * process's hash expires, so its sockets stop counting within the TTL. A
 * count is this process's own plus the other listed nodes' fields (one Lua
 * script, which also drops expired nodes from the set). */
#include "redis/presence.h"

#include "log.h"
#include "redis/redis.h"
#include "redis/redis_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  BUCKETS = 1024,    /* of the own table; keys are per user, live or support line */
  TTL_ENV_MIN_S = 3, /* the lowest PA_PRESENCE_TTL_S a test may set */
  HASH_NAME_MAX = 64 /* "pa:pres:node:" + 32 hex + NUL */
};

typedef struct entry {
  struct entry *next;
  long count;
  char key[PA_PRESENCE_KEY_MAX];
} entry;

static struct {
  pthread_mutex_t lock; /* guards the table, n, stopping */
  entry *table[BUCKETS];
  long n; /* entries in the table */
  pthread_cond_t wake;
  pthread_t thread;
  int running, stopping;
  int report_now; /* pa_presence_resynced asked for a report before the period ends */
  int ttl_s, refresh_s;
  char hash[HASH_NAME_MAX];
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static const char NODES[] = "pa:pres:nodes";

/* KEYS[1] this node's hash, KEYS[2] the node set; ARGV: key, delta, ttl, node. */
static const char ADD_LUA[] = "local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) "
                              "if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end "
                              "redis.call('EXPIRE', KEYS[1], ARGV[3]) "
                              "redis.call('SADD', KEYS[2], ARGV[4]) return v";
/* KEYS[1] the node set; ARGV: key, this node. The other live nodes' sum. */
static const char COUNT_LUA[] =
    "local sum = 0 "
    "for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
    "  if n ~= ARGV[2] then "
    "    local h = 'pa:pres:node:' .. n "
    "    if redis.call('EXISTS', h) == 0 then redis.call('SREM', KEYS[1], n) "
    "    else local v = tonumber(redis.call('HGET', h, ARGV[1]) or '0') "
    "      if v and v > 0 then sum = sum + v end end "
    "  end "
    "end return sum";
/* KEYS[1] this node's hash, KEYS[2] the node set; ARGV: ttl, node, then key, count pairs. */
static const char REPORT_LUA[] =
    "redis.call('DEL', KEYS[1]) "
    "for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end "
    "redis.call('SADD', KEYS[2], ARGV[2]) "
    "if #ARGV > 2 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return 1";

static unsigned bucket(const char *key) {
  unsigned h = 2166136261u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 16777619u;
  return h % BUCKETS;
}

static int key_ok(const char *key) {
  size_t n = strnlen(key, PA_PRESENCE_KEY_MAX);
  if (n == 0 || n >= PA_PRESENCE_KEY_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)key[i] <= ' ' || (unsigned char)key[i] >= 0x7f) return 0;
  return 1;
}

/* The own count after adding delta (0 for a lookup); entries at 0 are removed. Lock held. */
static long own_add_locked(const char *key, int delta) {
  entry **pp = &g.table[bucket(key)];
  while (*pp && strcmp((*pp)->key, key) != 0) pp = &(*pp)->next;
  entry *e = *pp;
  if (delta == 0) return e ? e->count : 0;
  if (!e) {
    if (delta < 0) {
      pa_log_event("error", "presence", "a count below 0 for a key with no sockets: ignored");
      return 0;
    }
    e = calloc(1, sizeof *e);
    if (!e) return 0;
    memcpy(e->key, key, strlen(key) + 1);
    *pp = e;
    g.n++;
  }
  e->count += delta;
  long v = e->count;
  if (v <= 0) {
    if (v < 0) pa_log_event("error", "presence", "a count went below 0: reset to 0");
    *pp = e->next;
    free(e);
    g.n--;
    v = 0;
  }
  return v;
}

void pa_presence_add(const char *key, int delta) {
  if (!key || !key_ok(key)) {
    pa_log_event("error", "presence", "a key that is not allowed: ignored");
    return;
  }
  if (delta == 0) return;
  pthread_mutex_lock(&g.lock);
  own_add_locked(key, delta);
  int report = g.running;
  pthread_mutex_unlock(&g.lock);
  if (!report) return;
  char ttl[16], d[16];
  snprintf(ttl, sizeof ttl, "%d", g.ttl_s);
  snprintf(d, sizeof d, "%d", delta);
  redisReply *r = pa_redis_cmd("presence add", "EVAL %s 2 %s %s %s %s %s %s", ADD_LUA, g.hash,
                               NODES, key, d, ttl, pa_redis_node());
  if (r) freeReplyObject(r); /* else logged; the next report repairs it */
}

long pa_presence_count(const char *key) {
  if (!key || !key_ok(key)) return 0;
  pthread_mutex_lock(&g.lock);
  long own = own_add_locked(key, 0);
  int shared = g.running;
  pthread_mutex_unlock(&g.lock);
  if (!shared) return own;
  redisReply *r =
      pa_redis_cmd("presence count", "EVAL %s 1 %s %s %s", COUNT_LUA, NODES, key, pa_redis_node());
  if (!r) return own;
  long others = r->type == REDIS_REPLY_INTEGER && r->integer > 0 ? (long)r->integer : 0;
  freeReplyObject(r);
  return own + others;
}

/* Writes the whole own table (one script, atomic). 0, or -1 (logged). */
static int report(void) {
  pthread_mutex_lock(&g.lock);
  size_t n = (size_t)g.n, argc = 7 + 2 * n, i = 7;
  const char **argv = calloc(argc, sizeof *argv);
  size_t *lens = calloc(argc, sizeof *lens);
  char *nums = calloc(n ? n : 1, 24);
  char *keys = calloc(n ? n : 1, PA_PRESENCE_KEY_MAX);
  if (!argv || !lens || !nums || !keys) {
    pthread_mutex_unlock(&g.lock);
    free(argv), free(lens), free(nums), free(keys);
    return -1;
  }
  for (int b = 0; b < BUCKETS; b++) {
    for (entry *e = g.table[b]; e; e = e->next) {
      size_t k = (i - 7) / 2;
      memcpy(keys + k * PA_PRESENCE_KEY_MAX, e->key, PA_PRESENCE_KEY_MAX);
      snprintf(nums + k * 24, 24, "%ld", e->count);
      argv[i++] = keys + k * PA_PRESENCE_KEY_MAX;
      argv[i++] = nums + k * 24;
    }
  }
  pthread_mutex_unlock(&g.lock);
  char ttl[16];
  snprintf(ttl, sizeof ttl, "%d", g.ttl_s);
  argv[0] = "EVAL", argv[1] = REPORT_LUA, argv[2] = "2", argv[3] = g.hash, argv[4] = NODES;
  argv[5] = ttl, argv[6] = pa_redis_node();
  for (size_t j = 0; j < argc; j++) lens[j] = strlen(argv[j]);
  redisReply *r = pa_redis_cmd_argv("presence report", (int)argc, argv, lens);
  if (r) freeReplyObject(r);
  free(argv), free(lens), free(nums), free(keys);
  return r ? 0 : -1;
}

static void *reporter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&g.lock);
  while (!g.stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += g.refresh_s;
    while (!g.stopping && !g.report_now &&
           pthread_cond_timedwait(&g.wake, &g.lock, &until) != ETIMEDOUT) {
    }
    if (g.stopping) break;
    g.report_now = 0;
    pthread_mutex_unlock(&g.lock);
    report();
    pthread_mutex_lock(&g.lock);
  }
  pthread_mutex_unlock(&g.lock);
  pa_redis_shutdown(); /* this thread's connection */
  return NULL;
}

void pa_presence_resynced(void) {
  pthread_mutex_lock(&g.lock);
  g.report_now = 1;
  pthread_cond_broadcast(&g.wake);
  pthread_mutex_unlock(&g.lock);
}

int pa_presence_start(char *err, size_t errlen) {
  if (!pa_redis_enabled()) return 0;
  g.ttl_s = PA_PRESENCE_TTL_S;
  const char *env = getenv("PA_PRESENCE_TTL_S");
  if (env && *env) {
    char *end;
    errno = 0;
    long v = strtol(env, &end, 10);
    if (errno || *end || v < TTL_ENV_MIN_S || v > PA_PRESENCE_TTL_S) {
      snprintf(err, errlen, "PA_PRESENCE_TTL_S must be a whole number %d..%d", TTL_ENV_MIN_S,
               PA_PRESENCE_TTL_S);
      return -1;
    }
    g.ttl_s = (int)v;
  }
  /* The same proportion as the defaults: three reports per TTL. */
  g.refresh_s = g.ttl_s * PA_PRESENCE_REFRESH_S / PA_PRESENCE_TTL_S;
  snprintf(g.hash, sizeof g.hash, "pa:pres:node:%s", pa_redis_node());
  g.stopping = 0;
  if (pthread_create(&g.thread, NULL, reporter, NULL) != 0) {
    snprintf(err, errlen, "cannot start presence's reporting thread");
    return -1;
  }
  pthread_mutex_lock(&g.lock);
  g.running = 1;
  pthread_mutex_unlock(&g.lock);
  report(); /* counts taken before the start (none, usually) */
  return 0;
}

void pa_presence_stop(void) {
  pthread_mutex_lock(&g.lock);
  int was = g.running;
  g.running = 0;
  g.stopping = 1;
  pthread_cond_broadcast(&g.wake);
  pthread_mutex_unlock(&g.lock);
  if (!was) return;
  pthread_join(g.thread, NULL);
  redisReply *r = pa_redis_cmd("presence stop", "DEL %s", g.hash);
  if (r) freeReplyObject(r);
  r = pa_redis_cmd("presence stop", "SREM %s %s", NODES, pa_redis_node());
  if (r) freeReplyObject(r);
  /* The own table stays: sockets still open count here until they close. */
}
