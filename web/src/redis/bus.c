/* pa_bus — wake-ups between processes over Redis pub/sub.
 *
 * On the wire a message on pa:bus:<channel> is the publisher's node id (32
 * hex characters, pa_redis_node) followed by the payload, so a process
 * skips its own messages (it acted for its own sockets before publishing).
 * One subscriber thread per process, on a connection of its own, reads
 * every pa:bus:* message (PSUBSCRIBE) and runs the handlers whose prefix
 * starts the channel. Its read blocks without a timeout (a timeout would
 * cost the connection in hiredis); pa_bus_stop ends it by shutting the
 * socket down under it. After any gap (Redis restarted, the connection
 * dropped) it subscribes again and runs the resync callbacks, since
 * messages of the gap are lost. */
#include "redis/bus.h"

#include "log.h"
#include "redis/redis.h"
#include "redis/redis_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static struct {
  struct {
    const char *prefix;
    size_t len;
    pa_bus_fn fn;
    void *ctx;
  } on[PA_BUS_HANDLERS_MAX];
  int n_on;
  struct {
    void (*fn)(void *ctx);
    void *ctx;
  } resync[PA_BUS_HANDLERS_MAX];
  int n_resync;
  int started; /* pa_bus_start ran (handlers are fixed from then on) */
  int running; /* the subscriber thread exists */
  pthread_t thread;
  pthread_mutex_t lock; /* guards ctx and stopping (pa_bus_stop vs the thread) */
  pthread_cond_t wake;
  redisContext *ctx; /* the subscriber's connection, or NULL between connections */
  int stopping;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

int pa_bus_on(const char *prefix, pa_bus_fn fn, void *ctx) {
  if (g.started || g.n_on == PA_BUS_HANDLERS_MAX || !prefix || !fn) return -1;
  g.on[g.n_on].prefix = prefix;
  g.on[g.n_on].len = strlen(prefix);
  g.on[g.n_on].fn = fn;
  g.on[g.n_on].ctx = ctx;
  g.n_on++;
  return 0;
}

int pa_bus_on_resync(void (*fn)(void *ctx), void *ctx) {
  if (g.started || g.n_resync == PA_BUS_HANDLERS_MAX || !fn) return -1;
  g.resync[g.n_resync].fn = fn;
  g.resync[g.n_resync].ctx = ctx;
  g.n_resync++;
  return 0;
}

int pa_bus_publish(const char *channel, const char *payload, size_t len) {
  if (!pa_redis_enabled()) return 0;
  size_t clen = strlen(channel);
  if (!pa_redis_channel_ok(channel, clen)) {
    pa_log_event("error", "bus", "publish refused: a channel of %zu bytes that is not allowed",
                 clen);
    return -1;
  }
  if (len > PA_BUS_PAYLOAD_MAX) {
    pa_log_event("error", "bus", "publish on %s refused: %zu bytes is over %d", channel, len,
                 PA_BUS_PAYLOAD_MAX);
    return -1;
  }
  /* hiredis joins %b%b into one argument: the node id, then the payload. */
  redisReply *r =
      pa_redis_cmd("bus publish", "PUBLISH pa:bus:%b %b%b", channel, clen, pa_redis_node(),
                   (size_t)PA_REDIS_NODE_LEN, payload ? payload : "", len);
  if (!r) return -1;
  freeReplyObject(r);
  return 0;
}

static void dispatch(const redisReply *r) {
  /* ["pmessage", pattern, channel, payload] */
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 ||
      r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "pmessage") != 0)
    return;
  const redisReply *ch = r->element[2], *msg = r->element[3];
  if (ch->type != REDIS_REPLY_STRING || msg->type != REDIS_REPLY_STRING) return;
  pa_redis_wire w;
  if (!pa_redis_wire_split(ch->str, ch->len, msg->str, msg->len, &w)) {
    pa_log_event("warn", "bus", "a message of %zu bytes that is not a bus message: ignored",
                 msg->len);
    return;
  }
  if (memcmp(w.node, pa_redis_node(), PA_REDIS_NODE_LEN) == 0) return; /* our own */
  /* The channel as a string for the handlers (channel_ok bounds it). */
  char channel[PA_BUS_CHANNEL_MAX];
  memcpy(channel, w.channel, w.channel_len);
  channel[w.channel_len] = 0;
  for (int i = 0; i < g.n_on; i++) {
    if (w.channel_len >= g.on[i].len && memcmp(channel, g.on[i].prefix, g.on[i].len) == 0)
      g.on[i].fn(g.on[i].ctx, channel, w.payload, w.payload_len);
  }
}

/* A connection subscribed to pa:bus:* (the subscription confirmed), reads without a timeout;
 * NULL with a message in err. */
static redisContext *subscribe(char *err, size_t errlen) {
  redisContext *c = pa_redis_connect(PA_REDIS_TIMEOUT_MS, err, errlen);
  if (!c) return NULL;
  redisReply *r = redisCommand(c, "PSUBSCRIBE pa:bus:*");
  int ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
           r->element[0]->type == REDIS_REPLY_STRING &&
           strcmp(r->element[0]->str, "psubscribe") == 0;
  if (!ok) snprintf(err, errlen, "PSUBSCRIBE failed: %s", r ? "unexpected reply" : c->errstr);
  if (r) freeReplyObject(r);
  if (!ok) {
    redisFree(c);
    return NULL;
  }
  struct timeval none = {0, 0};
  redisSetTimeout(c, none);
  return c;
}

/* Waits up to ms unless stopping; returns stopping. Called with g.lock held. */
static int wait_locked(int ms) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  while (!g.stopping && pthread_cond_timedwait(&g.wake, &g.lock, &until) != ETIMEDOUT) {
  }
  return g.stopping;
}

static void *subscriber(void *arg) {
  (void)arg;
  int gap = 0;
  for (;;) {
    pthread_mutex_lock(&g.lock);
    redisContext *c = g.ctx;
    int stop = g.stopping;
    pthread_mutex_unlock(&g.lock);
    if (stop) break;
    if (!c) {
      char err[256];
      c = subscribe(err, sizeof err);
      pthread_mutex_lock(&g.lock);
      if (!c) {
        pa_redis_note("bus", 0, "subscriber: %s; trying again every %d ms", err, PA_REDIS_RETRY_MS);
        wait_locked(PA_REDIS_RETRY_MS);
        pthread_mutex_unlock(&g.lock);
        continue;
      }
      g.ctx = c;
      if (g.stopping) shutdown(c->fd, SHUT_RDWR); /* stop raced the connect */
      pthread_mutex_unlock(&g.lock);
      pa_redis_note("bus", 1, "ok");
    }
    if (gap) {
      gap = 0;
      pa_log_event("info", "bus", "subscribed again after a gap: resyncing");
      pa_presence_resynced();
      for (int i = 0; i < g.n_resync; i++) g.resync[i].fn(g.resync[i].ctx);
    }
    void *reply = NULL;
    while (redisGetReply(c, &reply) == REDIS_OK) {
      dispatch(reply);
      freeReplyObject(reply);
      reply = NULL;
    }
    pthread_mutex_lock(&g.lock);
    stop = g.stopping;
    if (!stop) pa_redis_note("bus", 0, "subscriber lost Redis: %s", c->errstr);
    g.ctx = NULL;
    pthread_mutex_unlock(&g.lock);
    redisFree(c);
    gap = 1;
  }
  return NULL;
}

int pa_bus_start(char *err, size_t errlen) {
  g.started = 1;
  if (!pa_redis_enabled()) return 0;
  redisContext *c = subscribe(err, errlen);
  if (!c) return -1;
  g.ctx = c;
  g.stopping = 0;
  if (pthread_create(&g.thread, NULL, subscriber, NULL) != 0) {
    redisFree(c);
    g.ctx = NULL;
    snprintf(err, errlen, "cannot start the bus's subscriber thread");
    return -1;
  }
  g.running = 1;
  return 0;
}

void pa_bus_stop(void) {
  if (!g.running) return;
  pthread_mutex_lock(&g.lock);
  g.stopping = 1;
  if (g.ctx) shutdown(g.ctx->fd, SHUT_RDWR); /* the blocked read returns */
  pthread_cond_broadcast(&g.wake);
  pthread_mutex_unlock(&g.lock);
  pthread_join(g.thread, NULL);
  g.running = 0;
}
