/* pa_redis — PA_REDIS_URL, this process's node id, and one connection per
 * thread that uses Redis (hiredis contexts are not thread-safe; a thread of
 * its own per connection needs no lock and no pool). Every call is bounded
 * by PA_REDIS_TIMEOUT_MS; a connection that failed is dropped and made
 * again no sooner than PA_REDIS_RETRY_MS later, so while Redis is down a
 * caller falls back at once instead of waiting on every call. */
#include "redis/redis.h"

#include "log.h"
#include "redis/redis_internal.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static struct {
  int enabled;
  pa_redis_url url;
} g_cfg;

static pthread_once_t g_node_once = PTHREAD_ONCE_INIT;
static char g_node[33];

static void make_node(void) {
  unsigned char raw[16];
  if (sodium_init() < 0) abort(); /* main() checked it already: cannot happen */
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(g_node, sizeof g_node, raw, sizeof raw);
}

const char *pa_redis_node(void) {
  pthread_once(&g_node_once, make_node);
  return g_node;
}

int pa_redis_enabled(void) { return g_cfg.enabled; }

/* ---- logging once per burst ---- */

enum { NOTE_COMPONENTS_MAX = 8 };
static pthread_mutex_t g_note_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  const char *name;
  int down;
  long suppressed;
} g_notes[NOTE_COMPONENTS_MAX];

void pa_redis_note(const char *component, int ok, const char *fmt, ...) {
  pthread_mutex_lock(&g_note_lock);
  int i;
  for (i = 0; i < NOTE_COMPONENTS_MAX && g_notes[i].name; i++)
    if (strcmp(g_notes[i].name, component) == 0) break;
  if (i == NOTE_COMPONENTS_MAX) i = NOTE_COMPONENTS_MAX - 1; /* more names than slots: share */
  if (!g_notes[i].name) g_notes[i].name = component;
  int was_down = g_notes[i].down;
  long suppressed = g_notes[i].suppressed;
  if (ok) {
    g_notes[i].down = 0;
    g_notes[i].suppressed = 0;
  } else {
    g_notes[i].down = 1;
    if (was_down) g_notes[i].suppressed++;
  }
  pthread_mutex_unlock(&g_note_lock);
  if (ok && was_down) {
    pa_log_event("info", component,
                 "Redis answers again (%ld more failures since the first were not logged)",
                 suppressed);
  } else if (!ok && !was_down) {
    char msg[PA_LOG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pa_log_event("warn", component, "%s (falling back to this process alone until it answers)",
                 msg);
  }
}

/* ---- connections ---- */

static void describe(char *out, size_t cap) {
  if (g_cfg.url.path[0])
    snprintf(out, cap, "unix:%s", g_cfg.url.path);
  else
    snprintf(out, cap, "%s:%d", g_cfg.url.host, g_cfg.url.port);
}

redisContext *pa_redis_connect(int timeout_ms, char *err, size_t errlen) {
  char where[PA_REDIS_HOST_MAX + 16];
  describe(where, sizeof where);
  struct timeval tv = {PA_REDIS_TIMEOUT_MS / 1000, (PA_REDIS_TIMEOUT_MS % 1000) * 1000};
  redisContext *c = g_cfg.url.path[0] ? redisConnectUnixWithTimeout(g_cfg.url.path, tv)
                                      : redisConnectWithTimeout(g_cfg.url.host, g_cfg.url.port, tv);
  if (!c || c->err) {
    snprintf(err, errlen, "cannot reach Redis at %s: %s", where, c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return NULL;
  }
  if (redisSetTimeout(c, tv) != REDIS_OK) {
    snprintf(err, errlen, "Redis at %s: cannot set a timeout", where);
    redisFree(c);
    return NULL;
  }
  redisReply *r = redisCommand(c, "SELECT %d", g_cfg.url.db);
  if (!r || r->type == REDIS_REPLY_ERROR) {
    snprintf(err, errlen, "Redis at %s: SELECT %d failed: %s", where, g_cfg.url.db,
             r ? r->str : c->errstr);
    if (r) freeReplyObject(r);
    redisFree(c);
    return NULL;
  }
  freeReplyObject(r);
  if (!g_cfg.url.path[0]) redisEnableKeepAlive(c);
  if (timeout_ms == 0) {
    struct timeval none = {0, 0};
    redisSetTimeout(c, none);
  } else if (timeout_ms != PA_REDIS_TIMEOUT_MS) {
    struct timeval t = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redisSetTimeout(c, t);
  }
  return c;
}

typedef struct thread_conn {
  redisContext *c;
  long long retry_at_ms; /* after a failure: no new connection before this */
  int fresh_used;        /* c has answered a command (so it may be stale by now) */
} thread_conn;

static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

static void free_conn(void *p) {
  thread_conn *t = p;
  if (t->c) redisFree(t->c);
  free(t);
}
static void make_key(void) {
  if (pthread_key_create(&g_key, free_conn) != 0) abort();
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static thread_conn *my_conn(void) {
  pthread_once(&g_key_once, make_key);
  thread_conn *t = pthread_getspecific(g_key);
  if (!t) {
    t = calloc(1, sizeof *t);
    if (!t || pthread_setspecific(g_key, t) != 0) {
      free(t);
      return NULL;
    }
  }
  return t;
}

redisContext *pa_redis_ctx(void) {
  if (!g_cfg.enabled) return NULL;
  thread_conn *t = my_conn();
  if (!t) return NULL;
  if (t->c) return t->c;
  long long now = now_ms();
  if (now < t->retry_at_ms) return NULL;
  char err[256];
  t->c = pa_redis_connect(PA_REDIS_TIMEOUT_MS, err, sizeof err);
  t->fresh_used = 0;
  if (!t->c) {
    t->retry_at_ms = now + PA_REDIS_RETRY_MS;
    pa_redis_note("redis", 0, "%s", err);
  }
  return t->c;
}

void pa_redis_ctx_failed(const char *what) {
  thread_conn *t = my_conn();
  if (!t) return;
  pa_redis_note("redis", 0, "%s: %s", what, t->c && t->c->err ? t->c->errstr : "unexpected reply");
  if (t->c) redisFree(t->c);
  t->c = NULL;
  t->retry_at_ms = now_ms() + PA_REDIS_RETRY_MS;
}

static redisReply *checked(const char *what, redisReply *r) {
  if (!r) {
    pa_redis_ctx_failed(what);
    return NULL;
  }
  if (r->type == REDIS_REPLY_ERROR) {
    /* Redis's own words (a script's or a command's error): no payload is in them. */
    pa_redis_note("redis", 0, "%s: Redis answered %.120s", what, r->str);
    freeReplyObject(r);
    return NULL;
  }
  pa_redis_note("redis", 1, "ok");
  return r;
}

/* A connection kept from before may have died quietly (Redis restarted since): a command that
 * fails on one is tried once more on a new connection before it counts as a failure. */
static int drop_stale(void) {
  thread_conn *t = my_conn();
  /* Only a connection the server closed: a timeout would only double the wait. */
  if (!t || !t->c || !t->fresh_used) return 0;
  int closed = t->c->err == REDIS_ERR_EOF ||
               (t->c->err == REDIS_ERR_IO &&
                (strstr(t->c->errstr, "Broken pipe") || strstr(t->c->errstr, "reset by peer")));
  if (!closed) return 0;
  redisFree(t->c);
  t->c = NULL;
  t->retry_at_ms = 0;
  return 1;
}

static void mark_used(void) {
  thread_conn *t = my_conn();
  if (t) t->fresh_used = 1;
}

redisReply *pa_redis_cmd(const char *what, const char *fmt, ...) {
  for (int attempt = 0;; attempt++) {
    redisContext *c = pa_redis_ctx();
    if (!c) return NULL;
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (!r && attempt == 0 && drop_stale()) continue;
    mark_used();
    return checked(what, r);
  }
}

redisReply *pa_redis_cmd_argv(const char *what, int argc, const char **argv, const size_t *lens) {
  for (int attempt = 0;; attempt++) {
    redisContext *c = pa_redis_ctx();
    if (!c) return NULL;
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (!r && attempt == 0 && drop_stale()) continue;
    mark_used();
    return checked(what, r);
  }
}

int pa_redis_init(const char *url, char *err, size_t errlen) {
  pa_redis_node();
  /* A write to a connection Redis closed must be an error, not the end of the process (the
   * server's transport ignores SIGPIPE too; the command-line tools need it here). */
  signal(SIGPIPE, SIG_IGN);
  memset(&g_cfg, 0, sizeof g_cfg);
  if (!url || !*url) return 0;
  pa_redis_url u;
  if (pa_redis_url_parse(url, &u, err, errlen) != 0) return -1;
  g_cfg.url = u;
  redisContext *c = pa_redis_connect(PA_REDIS_TIMEOUT_MS, err, errlen);
  if (!c) return -2;
  redisReply *r = redisCommand(c, "PING");
  int ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
  if (!ok) {
    char where[PA_REDIS_HOST_MAX + 16];
    describe(where, sizeof where);
    snprintf(err, errlen, "Redis at %s does not answer PING: %s", where,
             r ? (r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply") : c->errstr);
  }
  if (r) freeReplyObject(r);
  redisFree(c);
  if (!ok) return -2;
  g_cfg.enabled = 1;
  return 0;
}

void pa_redis_shutdown(void) {
  pthread_once(&g_key_once, make_key);
  thread_conn *t = pthread_getspecific(g_key);
  if (t) {
    pthread_setspecific(g_key, NULL);
    free_conn(t);
  }
}
