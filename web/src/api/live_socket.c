/* pa_live (socket side) — live.* frames over the chat socket (issue 24,
 * contract §3; web/README.md, "Live"). Both kinds of chat socket carry them:
 * a device's and the device-less one any signed-in session opens
 * (chat_relay.c hands every frame whose type starts with "live." here, after
 * its own session check). The hub keeps which socket is joined to which live
 * (one live per socket); frames for a live go to its joined sockets, and the
 * viewer count is the distinct people joined, the broadcaster not counted.
 * Comments and hearts are counted per person per live in memory (this
 * process's sockets), like the relay's send bucket. Every frame checks the
 * live again in the store (ended, blocked, visible), so a block or end that
 * another process made is seen on the next frame; in this process the
 * routes drop memberships at once with pa_live_drop. */
#include "api/live_socket.h"

#include "api/live.h"
#include "clock.h"
#include "live_frame.h"
#include "log.h"
#include "net/net.h"
#include "store/live.h"
#include "store/safety.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert((int)PA_LIVE_FRAME_TEXT_MAX == (int)PA_LIVE_COMMENT_MAX,
               "live_frame.c reads comments of PA_LIVE_COMMENT_MAX characters");

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

static int cmp_user(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Distinct people joined to live, the broadcaster not counted. */
static int count_viewers(const pa_live_hub *hub, int64_t live) {
  int n = 0, distinct = 0;
  for (int i = 0; i < hub->n; i++) n += hub->members[i].live == live && !hub->members[i].owner;
  if (!n) return 0;
  int64_t *users = malloc((size_t)n * sizeof *users);
  if (!users) return n; /* an upper bound rather than nothing */
  n = 0;
  for (int i = 0; i < hub->n; i++)
    if (hub->members[i].live == live && !hub->members[i].owner) users[n++] = hub->members[i].user;
  qsort(users, (size_t)n, sizeof *users, cmp_user);
  for (int i = 0; i < n; i++) distinct += i == 0 || users[i] != users[i - 1];
  free(users);
  return distinct;
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

/* ---- sending */

static void send_text(const pa_srv *srv, uint64_t conn, const char *text) {
  if (text) pa_net_ws_send(srv->net, conn, text, strlen(text));
}

/* Sends root (then freed) to conn. */
static void send_json(const pa_srv *srv, uint64_t conn, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  send_text(srv, conn, text);
  cJSON_free(text);
}

/* Sends text to the sockets joined to live except skip (0: none). */
static void push_except(const pa_srv *srv, int64_t live, uint64_t skip, const char *text) {
  pa_live_hub *hub = hub_of(srv);
  int n = 0;
  if (!hub || !text) return;
  uint64_t *conns = conns_of(hub, live, 0, &n);
  for (int i = 0; i < n; i++)
    if (conns[i] != skip) send_text(srv, conns[i], text);
  free(conns);
}

/* Sends root (then freed) to every socket joined to live except skip. */
static void push_json(const pa_srv *srv, int64_t live, uint64_t skip, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  push_except(srv, live, skip, text);
  cJSON_free(text);
}

void pa_live_push(const pa_srv *srv, int64_t live, const char *text) {
  push_except(srv, live, 0, text);
}

void pa_live_push_user(const pa_srv *srv, int64_t live, int64_t user, const char *text) {
  pa_live_hub *hub = hub_of(srv);
  int n = 0;
  if (!hub || !text || !user) return;
  uint64_t *conns = conns_of(hub, live, user, &n);
  for (int i = 0; i < n; i++) send_text(srv, conns[i], text);
  free(conns);
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

/* live.viewers to everyone joined to live, after its membership changed
 * (also when the count stayed: a second tab of one person). With db the
 * live's viewers_peak follows. */
static void viewers_changed(const pa_srv *srv, pa_store *db, int64_t live) {
  int n = pa_live_viewers(srv, live);
  if (db && n > 0 && pa_store_live_viewers_peak(db, live, n) != PA_STORE_OK)
    pa_log_event("error", "live", "viewers_peak: %s", pa_store_errmsg(db));
  cJSON *f = live_frame("live.viewers", live);
  if (f && !cJSON_AddNumberToObject(f, "viewers", n)) f = (cJSON_Delete(f), NULL);
  push_json(srv, live, 0, f);
}

int pa_live_viewers(const pa_srv *srv, int64_t live) {
  pa_live_hub *hub = hub_of(srv);
  if (!hub) return 0;
  pthread_mutex_lock(&hub->lock);
  int n = count_viewers(hub, live);
  pthread_mutex_unlock(&hub->lock);
  return n;
}

/* Takes conn out of its live: the live it was in, or 0. */
static int64_t leave(pa_live_hub *hub, uint64_t conn) {
  int64_t live = 0;
  pthread_mutex_lock(&hub->lock);
  int i = find_conn(hub, conn);
  if (i >= 0) {
    live = hub->members[i].live;
    hub->members[i] = hub->members[--hub->n];
  }
  pthread_mutex_unlock(&hub->lock);
  return live;
}

void pa_live_drop(const pa_srv *srv, int64_t live, int64_t user) {
  pa_live_hub *hub = hub_of(srv);
  int dropped = 0;
  if (!hub || !live) return;
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n;)
    if (hub->members[i].live == live && (!user || hub->members[i].user == user))
      hub->members[i] = hub->members[--hub->n], dropped++;
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
  if (dropped && user) viewers_changed(srv, NULL, live);
}

void pa_live_socket_closed(const pa_srv *srv, uint64_t conn) {
  pa_live_hub *hub = hub_of(srv);
  if (!hub) return;
  int64_t live = leave(hub, conn);
  if (live) viewers_changed(srv, NULL, live);
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

/* 0 when user may post one more comment (or heart) to live now, and it is
 * counted; else the seconds until one more is allowed (at least 1). */
static int rate_take(const pa_srv *srv, int64_t live, int64_t user, int kind) {
  pa_live_hub *hub = hub_of(srv);
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
    } else {
      ring[*taken % (uint64_t)size] = now;
      (*taken)++;
    }
  }
  pthread_mutex_unlock(&hub->lock);
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
  pthread_mutex_lock(&hub->lock);
  int i = find_conn(hub, conn);
  if (i >= 0)
    before = hub->members[i].live;
  else if (grow(hub) == 0)
    i = hub->n++;
  if (i >= 0) hub->members[i] = (member){conn, live, user, row.owner == user};
  pthread_mutex_unlock(&hub->lock);
  if (i < 0) {
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
