/* pa_live (socket side) — live.* frames over the chat socket (issue 24,
 * contract §3; web/README.md, "Live"). Both kinds of chat socket carry them:
 * a device's and the device-less one any signed-in session opens
 * (chat_relay.c hands every frame whose type starts with "live." here, after
 * its own session check). The hub keeps which socket is joined to which live
 * (one live per socket); frames for a live go to its joined sockets, and the
 * viewer count is the distinct people joined, the broadcaster not counted.
 * Across server processes (issue 25, "across processes" below): the count
 * is presence "live:<id>", frames and drops also go out on the bus, and the
 * comment and heart limits are charged to pa_limit as well as counted here.
 * Every frame checks the live again in the store (ended, blocked, visible),
 * so a block or end another process made is seen on the next frame even if
 * its bus message was lost; the routes drop memberships at once with
 * pa_live_drop, here and (through the bus) everywhere. */
#include "api/live_socket.h"

#include "api/live.h"
#include "clock.h"
#include "limit.h"
#include "live_frame.h"
#include "log.h"
#include "net/net.h"
#include "redis/bus.h"
#include "redis/presence.h"
#include "store/live.h"
#include "store/safety.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert((int)PA_LIVE_FRAME_TEXT_MAX == (int)PA_LIVE_COMMENT_MAX,
               "live_frame.c reads comments of PA_LIVE_COMMENT_MAX characters");
_Static_assert((int)PA_LIMIT_LIVE_COMMENT_BURST == (int)PA_LIVE_COMMENTS_PER_MIN &&
                   PA_LIMIT_LIVE_COMMENT_WINDOW == 60,
               "the cluster's comment count is PA_LIVE_COMMENTS_PER_MIN a minute");
_Static_assert((int)PA_LIMIT_LIVE_HEART_BURST == (int)PA_LIVE_HEARTS_PER_10S &&
                   PA_LIMIT_LIVE_HEART_WINDOW == 10,
               "the cluster's heart count is PA_LIVE_HEARTS_PER_10S in 10 seconds");

enum {
  COMMENTS_WINDOW_MS = 60 * 1000, /* PA_LIVE_COMMENTS_PER_MIN counts over a minute */
  HEARTS_WINDOW_MS = 10 * 1000,   /* PA_LIVE_HEARTS_PER_10S over ten seconds */
  STATE_MAX = 16                  /* bytes of a live's state word */
};

/* A socket joined to a live; owner: its person is the broadcaster. */
typedef struct member {
  uint64_t conn;
  int64_t live, user;
  int owner;
} member;

/* One person's recent comments and hearts on one live: the times (ms,
 * monotonic) of the last PA_LIVE_COMMENTS_PER_MIN and PA_LIVE_HEARTS_PER_10S,
 * each a ring indexed by how many were taken. One more is allowed when the
 * oldest in the ring has left its window. */
typedef struct bucket {
  int64_t live, user;
  int64_t comments[PA_LIVE_COMMENTS_PER_MIN];
  int64_t hearts[PA_LIVE_HEARTS_PER_10S];
  uint64_t ncomments, nhearts;
} bucket;

struct pa_live_hub {
  pthread_mutex_t lock;
  member *members;
  int n, cap;
  bucket *buckets;
  int nb, capb;
};

pa_live_hub *pa_live_hub_new(void) {
  pa_live_hub *hub = calloc(1, sizeof *hub);
  if (hub) pthread_mutex_init(&hub->lock, NULL);
  return hub;
}

void pa_live_hub_free(pa_live_hub *hub) {
  if (!hub) return;
  pthread_mutex_destroy(&hub->lock);
  free(hub->members);
  free(hub->buckets);
  free(hub);
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pa_live_hub *hub_of(const pa_srv *srv) { return srv ? pa_chat_live_hub(srv) : NULL; }

/* ---- membership (callers hold hub->lock) */

static int find_conn(const pa_live_hub *hub, uint64_t conn) {
  for (int i = 0; i < hub->n; i++)
    if (hub->members[i].conn == conn) return i;
  return -1;
}

/* How many of user's sockets here are joined to live as a viewer. */
static int viewer_sockets(const pa_live_hub *hub, int64_t live, int64_t user) {
  int n = 0;
  for (int i = 0; i < hub->n; i++)
    n += hub->members[i].live == live && hub->members[i].user == user && !hub->members[i].owner;
  return n;
}

/* Takes member i out: -1 when it was its person's last viewer socket on its
 * live here (the live's presence goes down by one), else 0. */
static int remove_at(pa_live_hub *hub, int i) {
  member m = hub->members[i];
  hub->members[i] = hub->members[--hub->n];
  return !m.owner && viewer_sockets(hub, m.live, m.user) == 0 ? -1 : 0;
}

/* Adds m (room made by grow): 1 when it is its person's first viewer socket
 * on its live here, else 0. */
static int add_member(pa_live_hub *hub, member m) {
  int first = !m.owner && viewer_sockets(hub, m.live, m.user) == 0;
  hub->members[hub->n++] = m;
  return first;
}

/* The sockets joined to live (of user when user), copied out so that frames
 * are sent with the lock released; NULL when none (or out of memory). */
static uint64_t *conns_of(pa_live_hub *hub, int64_t live, int64_t user, int *count) {
  uint64_t *out = NULL;
  *count = 0;
  pthread_mutex_lock(&hub->lock);
  if (hub->n) out = malloc((size_t)hub->n * sizeof *out);
  for (int i = 0; out && i < hub->n; i++)
    if (hub->members[i].live == live && (!user || hub->members[i].user == user))
      out[(*count)++] = hub->members[i].conn;
  pthread_mutex_unlock(&hub->lock);
  return out;
}

/* ---- across processes: presence and the bus (contract 25 §5)
 *
 * A live's viewer count is presence "live:<id>": each process adds one for
 * each person with a viewer socket joined to it here, so the count is the
 * distinct people per process, summed (one person watching through two
 * processes counts twice). Its frames go to this process's sockets and are
 * published on bus channel "live.<id>" for the others' (pa_bus_publish
 * reaches only the others). A message is one of:
 *   "F <user> <frame>"  the frame to the sockets joined (user's only, when
 *                       user is not 0)
 *   "D <user>"          user's sockets (everyone's, 0) leave the live
 * A live.viewers frame is counted where the change happened and sent
 * everywhere as it is: presence writes a change to Redis a moment after
 * pa_presence_add returns, so the process that made it is the one whose
 * count surely holds it (its own count is exact). Two changes in two
 * processes within that moment may leave a stale count on screens until the
 * next change. Pub/sub may lose a message: a lost frame is a comment or heart missed on
 * the screen (the comments are rows; live.joined brings them back), and every
 * comment or heart frame checks the live in the store, so a lost end or block
 * still keeps the person out. After a gap (pa_bus_on_resync) every live with
 * sockets here is counted again. */

enum { PRESENCE_KEY_MAX = 32 /* "live:" and an int64 */, CHANNEL_MAX = 32 /* "live." too */ };
_Static_assert((int)PRESENCE_KEY_MAX <= (int)PA_PRESENCE_KEY_MAX &&
                   (int)CHANNEL_MAX <= (int)PA_BUS_CHANNEL_MAX,
               "keys and channels fit presence's and the bus's");

static void presence_add(int64_t live, int delta) {
  char key[PRESENCE_KEY_MAX];
  if (!live || !delta) return;
  snprintf(key, sizeof key, "live:%lld", (long long)live);
  pa_presence_add(key, delta);
}

/* Publishes head, then text (may be NULL), on live's channel; failures are
 * logged by the bus. */
static void publish(int64_t live, const char *head, const char *text) {
  char channel[CHANNEL_MAX];
  size_t hn = strlen(head), tn = text ? strlen(text) : 0;
  char *payload = malloc(hn + tn + 1);
  if (!payload) return;
  memcpy(payload, head, hn);
  if (tn) memcpy(payload + hn, text, tn);
  snprintf(channel, sizeof channel, "live.%lld", (long long)live);
  pa_bus_publish(channel, payload, hn + tn);
  free(payload);
}

/* ---- sending */

static void send_text(const pa_srv *srv, uint64_t conn, const char *text, size_t len) {
  if (text) pa_net_ws_send(srv->net, conn, text, len);
}

/* Sends root (then freed) to conn. */
static void send_json(const pa_srv *srv, uint64_t conn, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (text) send_text(srv, conn, text, strlen(text));
  cJSON_free(text);
}

/* Sends text to this process's sockets joined to live (user's only when
 * user), except skip (0: none). */
static void push_here(const pa_srv *srv, int64_t live, int64_t user, uint64_t skip,
                      const char *text, size_t len) {
  pa_live_hub *hub = hub_of(srv);
  int n = 0;
  if (!hub || !text) return;
  uint64_t *conns = conns_of(hub, live, user, &n);
  for (int i = 0; i < n; i++)
    if (conns[i] != skip) send_text(srv, conns[i], text, len);
  free(conns);
}

/* Sends text to every socket joined to live (user's only when user) in the
 * cluster, except skip here. */
static void push_all(const pa_srv *srv, int64_t live, int64_t user, uint64_t skip,
                     const char *text) {
  char head[32];
  if (!hub_of(srv) || !text) return;
  push_here(srv, live, user, skip, text, strlen(text));
  snprintf(head, sizeof head, "F %lld ", (long long)user);
  publish(live, head, text);
}

/* Sends root (then freed) to every socket joined to live except skip. */
static void push_json(const pa_srv *srv, int64_t live, uint64_t skip, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  push_all(srv, live, 0, skip, text);
  cJSON_free(text);
}

void pa_live_push(const pa_srv *srv, int64_t live, const char *text) {
  push_all(srv, live, 0, 0, text);
}

void pa_live_push_user(const pa_srv *srv, int64_t live, int64_t user, const char *text) {
  if (user) push_all(srv, live, user, 0, text);
}

/* {"type": type, "live": "live_N"}, NULL when out of memory. */
static cJSON *live_frame(const char *type, int64_t live) {
  cJSON *root = cJSON_CreateObject();
  if (root &&
      (!cJSON_AddStringToObject(root, "type", type) || pa_api_add_id(root, "live", "live", live)))
    root = (cJSON_Delete(root), NULL);
  return root;
}

/* The socket's usual error frame, naming the live when there is one, and
 * retry_after (seconds) when rate limited. */
static void send_error(const pa_srv *srv, uint64_t conn, int64_t live, const char *code,
                       const char *message, int retry_after) {
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddStringToObject(root, "type", "error") ||
               !cJSON_AddStringToObject(root, "code", code) ||
               !cJSON_AddStringToObject(root, "message", message) ||
               (live && pa_api_add_id(root, "live", "live", live)) ||
               (retry_after && !cJSON_AddNumberToObject(root, "retry_after", retry_after))))
    root = (cJSON_Delete(root), NULL);
  send_json(srv, conn, root);
}

/* live.viewers with the cluster's count to this process's sockets joined to
 * live (after a gap on the bus). */
static void tell_viewers(const pa_srv *srv, int64_t live) {
  int n = pa_live_viewers(srv, live);
  cJSON *f = live_frame("live.viewers", live);
  char *text = f && cJSON_AddNumberToObject(f, "viewers", n) ? cJSON_PrintUnformatted(f) : NULL;
  cJSON_Delete(f);
  if (text) push_here(srv, live, 0, 0, text, strlen(text));
  cJSON_free(text);
}

/* live.viewers with the cluster's count to everyone joined to live, after
 * its membership changed here (also when the count stayed: a second tab of
 * one person). With db the live's viewers_peak follows. */
static void viewers_changed(const pa_srv *srv, pa_store *db, int64_t live) {
  int n = pa_live_viewers(srv, live);
  if (db && n > 0 && pa_store_live_viewers_peak(db, live, n) != PA_STORE_OK)
    pa_log_event("error", "live", "viewers_peak: %s", pa_store_errmsg(db));
  cJSON *f = live_frame("live.viewers", live);
  if (f && !cJSON_AddNumberToObject(f, "viewers", n)) f = (cJSON_Delete(f), NULL);
  push_json(srv, live, 0, f);
}

int pa_live_viewers(const pa_srv *srv, int64_t live) {
  char key[PRESENCE_KEY_MAX];
  if (!hub_of(srv)) return 0;
  snprintf(key, sizeof key, "live:%lld", (long long)live);
  long n = pa_presence_count(key);
  return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* Takes conn out of its live: the live it was in, or 0. */
static int64_t leave(pa_live_hub *hub, uint64_t conn) {
  int64_t live = 0;
  int delta = 0;
  pthread_mutex_lock(&hub->lock);
  int i = find_conn(hub, conn);
  if (i >= 0) {
    live = hub->members[i].live;
    delta = remove_at(hub, i);
  }
  pthread_mutex_unlock(&hub->lock);
  presence_add(live, delta);
  return live;
}

/* Drops user's (0: everyone's) sockets here from live; how many. */
static int drop_here(pa_live_hub *hub, int64_t live, int64_t user) {
  int dropped = 0, delta = 0;
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n;)
    if (hub->members[i].live == live && (!user || hub->members[i].user == user))
      delta += remove_at(hub, i), dropped++;
    else
      i++;
  if (!user) { /* the live is over: its counts go with it */
    for (int i = 0; i < hub->nb;) {
      if (hub->buckets[i].live == live)
        hub->buckets[i] = hub->buckets[--hub->nb];
      else
        i++;
    }
  }
  pthread_mutex_unlock(&hub->lock);
  presence_add(live, delta);
  return dropped;
}

void pa_live_drop(const pa_srv *srv, int64_t live, int64_t user) {
  pa_live_hub *hub = hub_of(srv);
  char head[32];
  if (!hub || !live) return;
  int dropped = drop_here(hub, live, user);
  snprintf(head, sizeof head, "D %lld", (long long)user);
  publish(live, head, NULL);
  if (dropped && user) viewers_changed(srv, NULL, live);
}

void pa_live_socket_closed(const pa_srv *srv, uint64_t conn) {
  pa_live_hub *hub = hub_of(srv);
  if (!hub) return;
  int64_t live = leave(hub, conn);
  if (live) viewers_changed(srv, NULL, live);
}

/* A decimal in [0, INT64_MAX] at *p (at most end), then *p past it; -1 when
 * there is none or it is too long. */
static int64_t read_num(const char **p, const char *end) {
  int64_t v = 0;
  const char *s = *p;
  for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
    if (v > (INT64_MAX - (**p - '0')) / 10) return -1;
    v = v * 10 + (**p - '0');
  }
  return *p > s ? v : -1;
}

/* A message from another process (the subscriber thread): sends to this
 * process's sockets; a "D" that drops someone here asks Redis for the new
 * count and publishes it. Redis is what the subscriber reads from, so that
 * waits on nothing the thread does not already depend on, and at most
 * PA_REDIS_TIMEOUT_MS. Anything malformed is ignored (logged). */
static void on_bus(void *ctx, const char *channel, const char *payload, size_t len) {
  const pa_srv *srv = ctx;
  pa_live_hub *hub = hub_of(srv);
  const char *c = channel + 5, *cend = channel + strlen(channel), *p = payload,
             *end = payload + len;
  int64_t live = strncmp(channel, "live.", 5) == 0 ? read_num(&c, cend) : -1, user = 0;
  if (!hub || live <= 0 || c != cend || len == 0) goto bad;
  char op = *p++;
  if ((op != 'F' && op != 'D') || p == end || *p++ != ' ' || (user = read_num(&p, end)) < 0)
    goto bad;
  if (op == 'D' && p == end) {
    if (drop_here(hub, live, user) && user) viewers_changed(srv, NULL, live);
    return;
  }
  if (op == 'F' && p < end && *p++ == ' ' && p < end) {
    push_here(srv, live, user, 0, p, (size_t)(end - p));
    return;
  }
bad:
  pa_log_event("error", "live", "bus: a malformed message on %s ignored", channel);
}

/* After a gap on the bus: counts may have changed unheard. */
static void on_resync(void *ctx) {
  const pa_srv *srv = ctx;
  pa_live_hub *hub = hub_of(srv);
  int64_t *lives = NULL;
  int n = 0;
  if (!hub) return;
  pthread_mutex_lock(&hub->lock);
  if (hub->n) lives = malloc((size_t)hub->n * sizeof *lives);
  for (int i = 0; lives && i < hub->n; i++) {
    int seen = 0;
    for (int k = 0; k < n && !seen; k++) seen = lives[k] == hub->members[i].live;
    if (!seen) lives[n++] = hub->members[i].live;
  }
  pthread_mutex_unlock(&hub->lock);
  for (int i = 0; i < n; i++) tell_viewers(srv, lives[i]);
  free(lives);
}

int pa_live_bus_on(const pa_srv *srv) {
  return pa_bus_on("live.", on_bus, (void *)srv) != 0 ||
                 pa_bus_on_resync(on_resync, (void *)srv) != 0
             ? -1
             : 0;
}

/* ---- rate limits */

enum { RATE_COMMENT, RATE_HEART };

/* The bucket of user on live, made when missing (buckets quiet for longer
 * than the longest window are reused first); NULL when out of memory. */
static bucket *bucket_of(pa_live_hub *hub, int64_t live, int64_t user, int64_t now) {
  for (int i = 0; i < hub->nb; i++)
    if (hub->buckets[i].live == live && hub->buckets[i].user == user) return &hub->buckets[i];
  for (int i = 0; i < hub->nb;) {
    const bucket *b = &hub->buckets[i];
    int64_t last_c = b->ncomments ? b->comments[(b->ncomments - 1) % PA_LIVE_COMMENTS_PER_MIN] : 0;
    int64_t last_h = b->nhearts ? b->hearts[(b->nhearts - 1) % PA_LIVE_HEARTS_PER_10S] : 0;
    if (now - last_c >= COMMENTS_WINDOW_MS && now - last_h >= HEARTS_WINDOW_MS)
      hub->buckets[i] = hub->buckets[--hub->nb];
    else
      i++;
  }
  if (hub->nb == hub->capb) {
    int cap = hub->capb ? hub->capb * 2 : 16;
    bucket *b = realloc(hub->buckets, (size_t)cap * sizeof *b);
    if (!b) return NULL;
    hub->buckets = b, hub->capb = cap;
  }
  bucket *b = &hub->buckets[hub->nb++];
  memset(b, 0, sizeof *b);
  b->live = live, b->user = user;
  return b;
}

/* This process's window of user's comments (or hearts) on live: 0 when one
 * more is allowed now (taken too when take), else the seconds until one is
 * (at least 1). */
static int window_take(pa_live_hub *hub, int64_t live, int64_t user, int kind, int take) {
  int64_t now = mono_ms();
  int wait = 0;
  pthread_mutex_lock(&hub->lock);
  bucket *b = bucket_of(hub, live, user, now);
  if (b) {
    int64_t *ring = kind == RATE_COMMENT ? b->comments : b->hearts;
    uint64_t *taken = kind == RATE_COMMENT ? &b->ncomments : &b->nhearts;
    int size = kind == RATE_COMMENT ? PA_LIVE_COMMENTS_PER_MIN : PA_LIVE_HEARTS_PER_10S;
    int64_t window = kind == RATE_COMMENT ? COMMENTS_WINDOW_MS : HEARTS_WINDOW_MS;
    int64_t oldest = ring[*taken % (uint64_t)size];
    if (*taken >= (uint64_t)size && now - oldest < window) {
      wait = (int)((oldest + window - now + 999) / 1000);
      if (wait < 1) wait = 1;
    } else if (take) {
      ring[*taken % (uint64_t)size] = now;
      (*taken)++;
    }
  }
  pthread_mutex_unlock(&hub->lock);
  return wait;
}

/* 0 when user may post one more comment (or heart) to live now, and it is
 * counted; else the seconds until one more is allowed (at least 1). Two
 * counts: this process's exact sliding window, and the cluster's (pa_limit,
 * in Redis when configured: a token bucket of the same burst and window, so
 * nobody gets more by spreading frames over the processes). Every sequence
 * the window allows the bucket allows too, so on one process the window
 * decides, as before issue 25. Neither counts what the other refused: the
 * window is looked at first, the bucket charged (outside the hub's lock: it
 * may be a round trip to Redis), then the window taken (looked at again, for
 * a frame of another socket of the person that came between). */
static int rate_take(const pa_srv *srv, int64_t live, int64_t user, int kind) {
  pa_live_hub *hub = hub_of(srv);
  const int64_t key[2] = {live, user};
  int wait = window_take(hub, live, user, kind, 0);
  if (!wait)
    wait = pa_limit_charge(kind == RATE_COMMENT ? PA_LIMIT_LIVE_COMMENT : PA_LIMIT_LIVE_HEART, key,
                           sizeof key);
  if (!wait) wait = window_take(hub, live, user, kind, 1);
  return wait;
}

/* ---- the live as a frame sees it */

typedef struct live_row {
  int found;
  int64_t owner, hearts;
  int keep;
  char state[STATE_MAX], end_reason[STATE_MAX];
} live_row;

static int take_live(void *ctx, const pa_store_live *l) {
  live_row *r = ctx;
  r->found = 1, r->owner = l->user_id, r->hearts = l->hearts;
  r->keep = l->keep;
  snprintf(r->state, sizeof r->state, "%s", l->state ? l->state : "");
  snprintf(r->end_reason, sizeof r->end_reason, "%s", l->end_reason ? l->end_reason : "");
  return 0;
}

/* Reads live into row and checks user may take part: NULL, or the error
 * code (with *why) the frame is refused with. */
static const char *check(pa_store *db, int64_t live, int64_t user, live_row *row,
                         const char **why) {
  memset(row, 0, sizeof *row);
  int rc = pa_store_live_get(db, live, take_live, row);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && !row->found)) {
    *why = "No such live";
    return "not_found";
  }
  if (rc != PA_STORE_OK) goto internal;
  if (row->owner == user) {
    if (strcmp(row->state, "ended") == 0) {
      *why = "This live has ended";
      return "live_ended";
    }
    return NULL;
  }
  if (strcmp(row->state, "starting") == 0) {
    /* Not visible to anyone but the broadcaster yet; it is told apart from
     * a missing live only for someone who will be able to watch it. */
    int rel = 0;
    rc = pa_store_safety_relation(db, user, row->owner, &rel);
    if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) goto internal;
    if (rc == PA_STORE_ENOTFOUND || !pa_store_safety_sees_posts(rel)) {
      *why = "No such live";
      return "not_found";
    }
    *why = "This live has not started yet";
    return "live_not_started";
  }
  rc = pa_store_live_visible(db, live, user);
  if (rc == PA_STORE_ENOTFOUND) {
    *why = "No such live";
    return "not_found";
  }
  if (rc != PA_STORE_OK) goto internal;
  if (strcmp(row->state, "ended") == 0) {
    *why = "This live has ended";
    return "live_ended";
  }
  rc = pa_store_live_is_blocked(db, live, user);
  if (rc == 1) {
    *why = "The broadcaster blocked you from this live";
    return "blocked_from_live";
  }
  if (rc != 0) goto internal;
  return NULL;
internal:
  pa_log_event("error", "live", "frame check: %s", pa_store_errmsg(db));
  *why = "Something went wrong on our side";
  return "internal";
}

/* ---- frames */

/* {"id","author","text","created_at"} of a comment; NULL when out of memory. */
static cJSON *comment_json(const pa_store_live_comment *c) {
  cJSON *root = cJSON_CreateObject(), *author = pa_api_person_json(&c->author);
  if (!root || !author || pa_api_add_id(root, "id", "lc", c->id) ||
      !cJSON_AddItemToObject(root, "author", author) ||
      !cJSON_AddStringToObject(root, "text", c->text ? c->text : "") ||
      pa_api_add_time(root, "created_at", c->created_at)) {
    if (!root || !cJSON_GetObjectItemCaseSensitive(root, "author")) cJSON_Delete(author);
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

static int add_comments(void *ctx, const pa_store_live_comment *c) {
  cJSON *item = comment_json(c);
  if (!item || !cJSON_AddItemToArray(ctx, item)) {
    cJSON_Delete(item);
    return 1;
  }
  return 0;
}

/* Room for one more member; 0, or -1 when out of memory (lock held). */
static int grow(pa_live_hub *hub) {
  if (hub->n < hub->cap) return 0;
  int cap = hub->cap ? hub->cap * 2 : 64;
  member *m = realloc(hub->members, (size_t)cap * sizeof *m);
  if (!m) return -1;
  hub->members = m, hub->cap = cap;
  return 0;
}

/* live.joined {live: Live, comments: [LiveComment]}; NULL when out of memory
 * or the store failed. */
static cJSON *joined_frame(const pa_srv *srv, pa_store *db, int64_t live) {
  cJSON *f = cJSON_CreateObject(), *json = pa_live_json(srv, db, live);
  cJSON *comments = cJSON_CreateArray();
  if (!f || !json || !comments || !cJSON_AddStringToObject(f, "type", "live.joined") ||
      !cJSON_AddItemToObject(f, "live", json)) {
    cJSON_Delete(f), cJSON_Delete(json), cJSON_Delete(comments);
    return NULL;
  }
  if (!cJSON_AddItemToObject(f, "comments", comments)) {
    cJSON_Delete(f), cJSON_Delete(comments);
    return NULL;
  }
  int rc = pa_store_live_comments_recent(db, live, PA_LIVE_RECENT_COMMENTS, add_comments, comments);
  if (rc != PA_STORE_OK) {
    pa_log_event("error", "live", "recent comments: %s", pa_store_errmsg(db));
    cJSON_Delete(f);
    return NULL;
  }
  return f;
}

static void on_join(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t user, int64_t live) {
  pa_live_hub *hub = hub_of(srv);
  live_row row;
  const char *why = NULL, *code = check(db, live, user, &row, &why);
  if (code) {
    send_error(srv, conn, live, code, why, 0);
    return;
  }
  /* A socket is in one live at most: joining another leaves the first. */
  int64_t before = 0;
  int gone = 0, first = 0, joined = 0;
  pthread_mutex_lock(&hub->lock);
  int i = find_conn(hub, conn);
  if (i >= 0) {
    before = hub->members[i].live;
    gone = remove_at(hub, i);
  }
  if (grow(hub) == 0) {
    first = add_member(hub, (member){conn, live, user, row.owner == user});
    joined = 1;
  }
  pthread_mutex_unlock(&hub->lock);
  /* Presence outside the lock: it may be a round trip to Redis. */
  presence_add(before, gone);
  presence_add(live, first);
  if (!joined) {
    send_error(srv, conn, live, "internal", "Out of memory", 0);
    return;
  }
  if (before && before != live) viewers_changed(srv, db, before);
  /* A block or an end that came between the check and the joining dropped
   * everyone it concerned before this socket was in: look once more. */
  code = check(db, live, user, &row, &why);
  if (code) {
    leave(hub, conn);
    send_error(srv, conn, live, code, why, 0);
    return;
  }
  /* Joined first, then the frame: a comment posted meanwhile is in one or
   * the other (maybe both; clients keep comments by id). */
  cJSON *f = joined_frame(srv, db, live);
  if (!f) {
    leave(hub, conn);
    send_error(srv, conn, live, "internal", "Something went wrong on our side", 0);
    viewers_changed(srv, db, live);
    return;
  }
  send_json(srv, conn, f);
  viewers_changed(srv, db, live);
}

/* The live conn is joined to, 0 when none. */
static int64_t joined_live(pa_live_hub *hub, uint64_t conn) {
  pthread_mutex_lock(&hub->lock);
  int i = find_conn(hub, conn);
  int64_t live = i >= 0 ? hub->members[i].live : 0;
  pthread_mutex_unlock(&hub->lock);
  return live;
}

/* A comment, heart or leave needs the socket joined to that live; comment
 * and heart also check the live again (ended, blocked, still visible): a
 * refusal drops the membership, with live.blocked or live.ended first so
 * the client's screen says why. 0 when the frame may go on. */
static int still_in(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t user, int64_t live,
                    live_row *row) {
  pa_live_hub *hub = hub_of(srv);
  if (joined_live(hub, conn) != live) {
    send_error(srv, conn, live, "not_joined", "Join this live first", 0);
    return -1;
  }
  const char *why = NULL, *code = check(db, live, user, row, &why);
  if (!code) return 0;
  if (strcmp(code, "internal") != 0) {
    int blocked = strcmp(code, "blocked_from_live") == 0;
    cJSON *f = live_frame(blocked ? "live.blocked" : "live.ended", live);
    if (f && !blocked && strcmp(code, "live_ended") == 0) {
      /* ended by another process (or the frame crossed the route's live.ended) */
      if (!cJSON_AddStringToObject(f, "reason", row->end_reason) ||
          !cJSON_AddBoolToObject(f, "replay", row->keep))
        f = (cJSON_Delete(f), NULL);
    }
    if (blocked || strcmp(code, "live_ended") == 0)
      send_json(srv, conn, f);
    else
      cJSON_Delete(f);
    if (leave(hub, conn)) viewers_changed(srv, db, live);
  }
  send_error(srv, conn, live, code, why, 0);
  return -1;
}

static void on_leave(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t live) {
  pa_live_hub *hub = hub_of(srv);
  if (joined_live(hub, conn) != live) {
    send_error(srv, conn, live, "not_joined", "You are not in this live", 0);
    return;
  }
  leave(hub, conn);
  viewers_changed(srv, db, live);
}

static void rate_limited(const pa_srv *srv, uint64_t conn, int64_t live, int wait, int comment) {
  char msg[160];
  snprintf(msg, sizeof msg,
           comment ? "At most %d comments a minute; wait a moment"
                   : "At most %d hearts in 10 seconds; wait a moment",
           comment ? PA_LIVE_COMMENTS_PER_MIN : PA_LIVE_HEARTS_PER_10S);
  send_error(srv, conn, live, "rate_limited", msg, wait);
}

static int take_comment(void *ctx, const pa_store_live_comment *c) {
  cJSON **out = ctx;
  *out = comment_json(c);
  return 0;
}

static void on_comment(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t user,
                       const pa_live_in *in) {
  live_row row;
  int64_t id = 0;
  if (still_in(srv, db, conn, user, in->live, &row) != 0) return;
  int wait = rate_take(srv, in->live, user, RATE_COMMENT);
  if (wait) {
    rate_limited(srv, conn, in->live, wait, 1);
    return;
  }
  cJSON *comment = NULL;
  if (pa_store_live_comment_add(db, in->live, user, in->text, pa_clock_now(), &id) != PA_STORE_OK ||
      pa_store_live_comment_get(db, id, take_comment, &comment) != PA_STORE_OK || !comment) {
    pa_log_event("error", "live", "comment: %s", pa_store_errmsg(db));
    cJSON_Delete(comment);
    send_error(srv, conn, in->live, "internal", "Something went wrong on our side", 0);
    return;
  }
  /* Everyone joined gets the comment; the sender's own socket also gets its
   * nonce back, to match the comment with the one it shows as sending. */
  cJSON *f = live_frame("live.comment", in->live);
  cJSON *mine = NULL;
  if (f && cJSON_AddItemToObject(f, "comment", comment)) {
    comment = NULL;
    mine = cJSON_Duplicate(f, 1);
    if (mine && in->nonce[0] && !cJSON_AddStringToObject(mine, "nonce", in->nonce))
      mine = (cJSON_Delete(mine), NULL);
  }
  cJSON_Delete(comment);
  push_json(srv, in->live, conn, f);
  send_json(srv, conn, mine);
}

static void on_heart(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t user, int64_t live) {
  live_row row;
  if (still_in(srv, db, conn, user, live, &row) != 0) return;
  int wait = rate_take(srv, live, user, RATE_HEART);
  if (wait) {
    rate_limited(srv, conn, live, wait, 0);
    return;
  }
  if (pa_store_live_hearts_add(db, live, 1) != PA_STORE_OK ||
      check(db, live, user, &row, &(const char *){NULL}) != NULL) {
    pa_log_event("error", "live", "heart: %s", pa_store_errmsg(db));
    send_error(srv, conn, live, "internal", "Something went wrong on our side", 0);
    return;
  }
  cJSON *f = live_frame("live.hearts", live);
  if (f && (!cJSON_AddNumberToObject(f, "hearts", (double)row.hearts) ||
            pa_api_add_id(f, "from", "u", user)))
    f = (cJSON_Delete(f), NULL);
  push_json(srv, live, 0, f);
}

void pa_live_frame(const pa_srv *srv, pa_store *db, uint64_t conn, int64_t user, const char *data,
                   size_t len) {
  pa_live_in in;
  const char *code = NULL, *why = NULL;
  if (!hub_of(srv)) return;
  if (pa_live_frame_parse(data, len, &in, &code, &why) != 0) {
    send_error(srv, conn, in.live, code, why, 0);
    return;
  }
  if (!db) {
    send_error(srv, conn, in.live, "internal", "Something went wrong on our side", 0);
    return;
  }
  switch (in.kind) {
  case PA_LIVE_IN_JOIN: on_join(srv, db, conn, user, in.live); break;
  case PA_LIVE_IN_LEAVE: on_leave(srv, db, conn, in.live); break;
  case PA_LIVE_IN_COMMENT: on_comment(srv, db, conn, user, &in); break;
  case PA_LIVE_IN_HEART: on_heart(srv, db, conn, user, in.live); break;
  }
}
