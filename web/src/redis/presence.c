/* pa_presence — socket counts per key, this process's exact in a table
 * here, the cluster's in Redis: each process keeps a hash
 * pa:pres:node:<node> (key → its count) that expires PA_PRESENCE_TTL_S
 * after its last write, and is listed in the set pa:pres:nodes. A change
 * is queued for the reporting thread, which writes it at once (HINCRBY,
 * commutative, so threads need no order), so pa_presence_add never waits on
 * Redis (the event loop calls it); the whole table is written again every
 * PA_PRESENCE_REFRESH_S, which renews the expiry and repairs what a Redis
 * outage or restart lost. A killed
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
  BUCKETS = 1024,     /* of the own table; keys are per user, live or support line */
  TTL_ENV_MIN_S = 3,  /* the lowest PA_PRESENCE_TTL_S a test may set */
  HASH_NAME_MAX = 64, /* "pa:pres:node:" + 32 hex + NUL */
  PENDING_MAX = 4096  /* changes queued for the reporter; past it, a whole report replaces them */
};

typedef struct change {
  char key[PA_PRESENCE_KEY_MAX];
  int delta;
} change;

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
  int report_now;  /* a whole report before the period ends (a resync, a lost change) */
  change *pending; /* changes not yet written to Redis */
  size_t n_pending;
  int ttl_s, refresh_s;
  char hash[HASH_NAME_MAX];
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static const char NODES[] = "pa:pres:nodes";

/* KEYS[1] this node's hash, KEYS[2] the node set; ARGV: ttl, node, then key, delta pairs. */
static const char ADD_LUA[] =
    "for i = 3, #ARGV, 2 do "
    "  local v = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) "
    "  if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end "
    "end "
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "redis.call('SADD', KEYS[2], ARGV[2]) return 1";
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
  if (g.running) {
    if (g.n_pending < PENDING_MAX) {
      change *c = &g.pending[g.n_pending++];
      memcpy(c->key, key, strlen(key) + 1);
      c->delta = delta;
    } else {
      g.report_now = 1; /* the whole table says it */
    }
    pthread_cond_broadcast(&g.wake);
  }
  pthread_mutex_unlock(&g.lock);
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
  g.n_pending = 0; /* the snapshot holds them */
  g.report_now = 0;
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

/* Writes the queued changes (one script). 0, or -1 (logged). Called with g.lock held; drops it
 * while Redis is asked. */
static int flush_locked(void) {
  size_t n = g.n_pending, argc = 7 + 2 * n;
  change *batch = malloc(n * sizeof *batch);
  const char **argv = calloc(argc, sizeof *argv);
  size_t *lens = calloc(argc, sizeof *lens);
  char *nums = calloc(n, 16);
  if (!batch || !argv || !lens || !nums) {
    free(batch), free(argv), free(lens), free(nums);
    g.report_now = 1;
    return -1;
  }
  memcpy(batch, g.pending, n * sizeof *batch);
  g.n_pending = 0;
  pthread_mutex_unlock(&g.lock);
  char ttl[16];
  snprintf(ttl, sizeof ttl, "%d", g.ttl_s);
  argv[0] = "EVAL", argv[1] = ADD_LUA, argv[2] = "2", argv[3] = g.hash, argv[4] = NODES;
  argv[5] = ttl, argv[6] = pa_redis_node();
  for (size_t k = 0; k < n; k++) {
    snprintf(nums + k * 16, 16, "%d", batch[k].delta);
    argv[7 + 2 * k] = batch[k].key;
    argv[8 + 2 * k] = nums + k * 16;
  }
  for (size_t j = 0; j < argc; j++) lens[j] = strlen(argv[j]);
  redisReply *r = pa_redis_cmd_argv("presence add", (int)argc, argv, lens);
  if (r) freeReplyObject(r);
  free(batch), free(argv), free(lens), free(nums);
  pthread_mutex_lock(&g.lock);
  if (!r) g.report_now = 1; /* lost: the whole table once Redis answers */
  return r ? 0 : -1;
}

static struct timespec after_s(int s, int ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += s + ms / 1000;
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static void *reporter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&g.lock);
  struct timespec due = after_s(g.refresh_s, 0);
  int failed = 0;
  while (!g.stopping) {
    /* After a failure, nothing is tried again before PA_REDIS_RETRY_MS. */
    struct timespec until = failed ? after_s(0, PA_REDIS_RETRY_MS) : due;
    int timed_out = 0;
    while (!g.stopping && (failed || (!g.report_now && g.n_pending == 0)) && !timed_out)
      timed_out = pthread_cond_timedwait(&g.wake, &g.lock, &until) == ETIMEDOUT;
    if (g.stopping) break;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int whole = g.report_now || now.tv_sec > due.tv_sec ||
                (now.tv_sec == due.tv_sec && now.tv_nsec >= due.tv_nsec);
    if (whole) {
      pthread_mutex_unlock(&g.lock);
      failed = report() != 0;
      pthread_mutex_lock(&g.lock);
      if (failed) g.report_now = 1;
      due = after_s(g.refresh_s, 0);
    } else if (g.n_pending > 0) {
      failed = flush_locked() != 0;
    }
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
  g.pending = calloc(PENDING_MAX, sizeof *g.pending);
  if (!g.pending) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  g.n_pending = 0;
  g.stopping = 0;
  /* Counts taken before the start (none, usually) go with the first report, at once. */
  g.report_now = 1;
  g.running = 1;
  if (pthread_create(&g.thread, NULL, reporter, NULL) != 0) {
    g.running = 0;
    free(g.pending);
    g.pending = NULL;
    snprintf(err, errlen, "cannot start presence's reporting thread");
    return -1;
  }
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
  free(g.pending);
  g.pending = NULL;
  g.n_pending = 0;
  redisReply *r = pa_redis_cmd("presence stop", "DEL %s", g.hash);
  if (r) freeReplyObject(r);
  r = pa_redis_cmd("presence stop", "SREM %s %s", NODES, pa_redis_node());
  if (r) freeReplyObject(r);
  /* The own table stays: sockets still open count here until they close. */
}
