/* pa_srv — the chat relay: a WebSocket per device at
 * /api/v1/chat/socket?device=d_N, signed in by the session cookie and opened
 * only from our own page (Origin). Messages are stored until the recipient
 * device acks them (store-and-forward), then their ciphertext is cleared and
 * the sender is told "delivered"; the row goes when the sender acks that.
 * Each message gets the next sequence number of its pair of users; a resend
 * with the same client id is answered with the first one's number and not
 * stored again. Typing and read indicators are relayed to connected devices
 * and never stored. Frames are JSON text (web/README.md, "Chat"). Every socket,
 * with a device or without, also carries the live.* frames (issue 24), which
 * go to api/live_socket.c once the socket's session is checked.
 *
 * Across processes (issue 25): a stored message or receipt for a device is
 * never pushed by the sender's worker. The sender posts "inbox"/"receipts"
 * to the device's sockets here (pa_net_ws_post) and publishes chat.dev.<id>
 * for the other processes (redis/bus.h), and whoever holds the socket sends
 * it what the store has after the socket's cursor, on the socket's own
 * worker (pa_chat_posted): one road, so nothing reaches a socket twice, and a
 * lost wake-up loses nothing stored. Ephemeral frames (typing, read),
 * revocations, blocks and support frames act here and are published. */
#include "api/chat_relay.h"

#include "api/live.h"
#include "api/live_socket.h"
#include "chat_frame.h"
#include "clock.h"
#include "live_frame.h"
#include "log.h"
#include "net/http.h"
#include "net/ws.h"
#include "redis/bus.h"
#include "redis/presence.h"
#include "store/admin.h"
#include "store/chat.h"
#include "store/chat_group.h"
#include "store/safety.h"
#include "store/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  MAX_ACKS = PA_CHAT_FRAME_MAX_IDS, /* ids in one ack */
  BACKLOG_PAGE = 100,               /* backlog frames sent at once ... */
  BACKLOG_BYTES = 256 * 1024,       /* ... and bytes; the next page follows the client's acks */
  SEND_BURST = 60,                  /* messages a socket may send at once ... */
  SEND_PER_SECOND = 2               /* ... and then per second */
};

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected socket as the hub knows it: found by user, device or session
 * to push frames or to revoke. device 0: a support-only socket (opened
 * without ?device=, issue 23), which gets support.* frames and never a chat
 * frame; roles are its person's (store/admin.h) when it opened, for the
 * frames to agents. */
typedef struct peer {
  uint64_t conn;
  int64_t user, device, session;
  int roles;
} peer;

struct pa_chat_hub {
  pthread_mutex_t lock;
  peer *peers;
  int n, cap;
  _Atomic unsigned long blocks_gen; /* moves on at every block and unblock */
  pa_live_hub *live;                /* which of these sockets joined which live (live_socket.c) */
};

/* What one backlog (the inbox, or the receipts) has sent a socket, a page
 * at a time: at most BACKLOG_PAGE frames await the client's acks, and the
 * next page follows when they all came. */
typedef struct backlog {
  /* inbox: the last row sent; the store makes one device's rows visible in
   * id order, so none below it is still to come. Receipts become visible in
   * the order of acks, not of ids: their backlog is read from the start,
   * leaving out those sent. */
  int64_t after;
  int more;                   /* rows were left for the next page */
  int nsent;                  /* frames sent and not yet acked: */
  int64_t sent[BACKLOG_PAGE]; /* their row ids */
} backlog;

/* Per socket, from its handshake until pa_chat_closed; used by one worker
 * at a time (the transport runs a socket's messages in order). */
typedef struct ws_conn {
  uint64_t conn;
  int64_t user, device, session;
  double tokens;     /* sends allowed now: SEND_BURST, refilled at SEND_PER_SECOND */
  int64_t tokens_at; /* ms, monotonic */
  backlog inbox, receipts;
  /* The last block check: its peer, answer and blocks_gen. A socket sends
   * runs of frames to one person; a probe per frame made a burst slow
   * enough for the token bucket to refill mid-burst. */
  int64_t checked_peer;
  int checked_blocked;
  unsigned long checked_gen;
  int64_t accepted_peer; /* the last person this socket's user wrote to (and so accepted) */
} ws_conn;

/* Token bucket per socket: 1 when one more message may be stored. */
static int may_send(ws_conn *wc) {
  int64_t now = mono_ms();
  wc->tokens += (double)(now - wc->tokens_at) * SEND_PER_SECOND / 1000.0;
  if (wc->tokens > SEND_BURST) wc->tokens = SEND_BURST;
  wc->tokens_at = now;
  if (wc->tokens < 1.0) return 0;
  wc->tokens -= 1.0;
  return 1;
}

pa_chat_hub *pa_chat_hub_new(void) {
  pa_chat_hub *hub = calloc(1, sizeof *hub);
  if (!hub) return NULL;
  hub->live = pa_live_hub_new();
  if (!hub->live) {
    free(hub);
    return NULL;
  }
  pthread_mutex_init(&hub->lock, NULL);
  return hub;
}

pa_live_hub *pa_chat_live_hub(const pa_srv *srv) { return srv->chat ? srv->chat->live : NULL; }

void pa_chat_hub_free(pa_chat_hub *hub) {
  if (!hub) return;
  pthread_mutex_destroy(&hub->lock);
  pa_live_hub_free(hub->live);
  free(hub->peers);
  free(hub);
}

/* Which sockets hub_find looks at: a chat frame goes to device sockets only,
 * a support frame to support sockets only, a revocation to both. */
enum { HUB_CHAT, HUB_SUPPORT, HUB_ANY };

/* The sockets of kind matching every non-zero of user, device, session,
 * copied out (at most cap) so that frames are sent with the lock released. */
static int hub_find_kind(pa_chat_hub *hub, int kind, int64_t user, int64_t device, int64_t session,
                         uint64_t *out, int cap) {
  int n = 0;
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n && n < cap; i++) {
    const peer *p = &hub->peers[i];
    if (kind != HUB_ANY && (kind == HUB_SUPPORT) != (p->device == 0)) continue;
    if ((!user || p->user == user) && (!device || p->device == device) &&
        (!session || p->session == session))
      out[n++] = p->conn;
  }
  pthread_mutex_unlock(&hub->lock);
  return n;
}

static int hub_find(pa_chat_hub *hub, int64_t user, int64_t device, int64_t session, uint64_t *out,
                    int cap) {
  return hub_find_kind(hub, HUB_CHAT, user, device, session, out, cap);
}

/* Which sockets hub_copy_all copies out: every chat (device) socket, or the
 * support sockets of the people who answer there (support or admin role). */
enum { HUB_ALL_CHAT, HUB_ALL_AGENTS };

/* The conns of every socket of `which`, copied out under the lock so that
 * frames are sent with it released; unlike hub_find_kind's, not capped (a
 * resync or an agents frame reaches them all). *out is malloc'd and the
 * caller frees it; NULL, and 0 returned, when the hub is empty or out of
 * memory. */
static int hub_copy_all(pa_chat_hub *hub, int which, uint64_t **out) {
  uint64_t *conns = NULL;
  int n = 0;
  pthread_mutex_lock(&hub->lock);
  if (hub->n) conns = malloc((size_t)hub->n * sizeof *conns);
  for (int i = 0; conns && i < hub->n; i++) {
    const peer *p = &hub->peers[i];
    int match = which == HUB_ALL_CHAT
                    ? p->device != 0
                    : p->device == 0 && (p->roles & (PA_STORE_ROLE_SUPPORT | PA_STORE_ROLE_ADMIN));
    if (match) conns[n++] = p->conn;
  }
  pthread_mutex_unlock(&hub->lock);
  *out = conns;
  return n;
}

/* ---- presence: the cluster's count of sockets (redis/presence.h) */

/* "support:<id>" counts a person's support sockets: pa_support_connected
 * reads it across processes. Chat sockets are not counted: nothing asks, and
 * each count is a round trip to Redis. */
static void support_presence(int64_t user, int delta) {
  char key[PA_PRESENCE_KEY_MAX];
  snprintf(key, sizeof key, "support:%lld", (long long)user);
  pa_presence_add(key, delta);
}

/* ---- sending frames */

static void send_json(const pa_srv *srv, uint64_t conn, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  if (text) pa_net_ws_send(srv->net, conn, text, strlen(text));
  cJSON_free(text);
}

/* Sends text to this process's chat sockets of user. */
static void push_local(const pa_srv *srv, int64_t user, const char *text, size_t len) {
  uint64_t conns[PA_WS_PER_USER];
  int n = hub_find(srv->chat, user, 0, 0, conns, PA_WS_PER_USER);
  for (int i = 0; i < n; i++) pa_net_ws_send(srv->net, conns[i], text, len);
}

/* Sends an ephemeral frame (typing, read; never stored) to every chat
 * socket of user: here, and through chat.user.<user> in the other processes. */
static void push_user(const pa_srv *srv, int64_t user, const char *text) {
  char channel[PA_BUS_CHANNEL_MAX];
  push_local(srv, user, text, strlen(text));
  snprintf(channel, sizeof channel, "chat.user.%lld", (long long)user);
  pa_bus_publish(channel, text, strlen(text));
}

/* The same for root, then freed. */
static void push(const pa_srv *srv, int64_t user, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (text) push_user(srv, user, text);
  cJSON_free(text);
}

/* The wake-ups of a socket's backlogs: what pa_chat_posted takes. */
static const char WAKE_INBOX[] = "inbox", WAKE_RECEIPTS[] = "receipts";

/* This process's sockets of device look into the store for what (WAKE_*). */
static void wake_local(const pa_srv *srv, int64_t device, const char *what) {
  uint64_t conns[PA_WS_PER_USER];
  int n = hub_find(srv->chat, 0, device, 0, conns, PA_WS_PER_USER);
  for (int i = 0; i < n; i++) pa_net_ws_post(srv->net, conns[i], what, strlen(what));
}

/* Something for device was stored (WAKE_INBOX: a message; WAKE_RECEIPTS: a
 * receipt): every socket of device in the cluster is told to look. Called
 * after the commit, so a socket that looks finds it. */
static void wake_device(const pa_srv *srv, int64_t device, const char *what) {
  char channel[PA_BUS_CHANNEL_MAX];
  wake_local(srv, device, what);
  snprintf(channel, sizeof channel, "chat.dev.%lld", (long long)device);
  pa_bus_publish(channel, what, strlen(what));
}

static void revoke_local(const pa_srv *srv, int64_t user, int64_t device, int64_t session) {
  enum { BATCH = 64 };
  uint64_t conns[BATCH];
  if (!user && !device && !session) return;
  int n = hub_find_kind(srv->chat, HUB_ANY, user, device, session, conns, BATCH);
  for (int i = 0; i < n; i++) pa_net_ws_close(srv->net, conns[i], PA_WS_CLOSE_REVOKED, "revoked");
}

void pa_chat_revoke(const pa_srv *srv, int64_t user, int64_t device, int64_t session) {
  char payload[80];
  if (!user && !device && !session) return;
  revoke_local(srv, user, device, session);
  int len = snprintf(payload, sizeof payload, "%lld %lld %lld", (long long)user, (long long)device,
                     (long long)session);
  pa_bus_publish("chat.revoke", payload, (size_t)len);
}

static void send_error(const pa_srv *srv, uint64_t conn, const char *code, const char *message,
                       const char *cid) {
  cJSON *root = cJSON_CreateObject();
  if (root && cJSON_AddStringToObject(root, "type", "error") &&
      cJSON_AddStringToObject(root, "code", code) &&
      cJSON_AddStringToObject(root, "message", message) &&
      (!cid || cJSON_AddStringToObject(root, "id", cid)))
    send_json(srv, conn, root);
  cJSON_Delete(root);
}

static cJSON *frame(const char *type) {
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddStringToObject(root, "type", type)) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* {"type":"msg",...} of a queued message; "request":true when the
 * recipient neither follows nor accepted the sender (a message request). */
static cJSON *msg_frame(const pa_store_chat_message *m, int request) {
  cJSON *root = frame("msg");
  if (!root || !m->cid || !cJSON_AddNumberToObject(root, "id", (double)m->id) ||
      !cJSON_AddNumberToObject(root, "seq", (double)m->seq) ||
      pa_api_add_id(root, "from", "u", m->from_user) ||
      pa_api_add_id(root, "from_device", "d", m->from_device) ||
      !cJSON_AddStringToObject(root, "cid", m->cid) ||
      pa_chat_add_b64(root, "body", m->body, m->len) ||
      pa_api_add_time(root, "at", m->created_at) ||
      (m->to_user && pa_api_add_id(root, "to", "u", m->to_user)) ||
      (m->group && pa_api_add_id(root, "group", "g", m->group)) ||
      /* a copy for my own device, or a group's message, is never a request */
      (request && !m->to_user && !m->group && !cJSON_AddBoolToObject(root, "request", 1))) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* {"type":"delivered",...} of a delivered message, for its sender; "failed"
 * when the recipient device could not decrypt it. */
static cJSON *delivered_frame(const pa_store_chat_receipt *r) {
  cJSON *root = frame(r->failed ? "failed" : "delivered");
  if (!root || !r->cid || !cJSON_AddNumberToObject(root, "id", (double)r->id) ||
      !cJSON_AddNumberToObject(root, "seq", (double)r->seq) ||
      pa_api_add_id(root, "to", "u", r->to_user) ||
      pa_api_add_id(root, "to_device", "d", r->to_device) ||
      !cJSON_AddStringToObject(root, "cid", r->cid)) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- the backlog, sent a page at a time: at connect, then as acks come */

/* One page being sent to a socket. */
typedef struct page {
  const pa_srv *srv;
  pa_store *db;
  const ws_conn *wc;
  backlog *bl;
  size_t bytes;
  int rows;       /* rows read, those sent before and left out included */
  int64_t sender; /* the last sender looked up, and whether theirs are requests */
  int request;
} page;

static int sent_has(const backlog *bl, int64_t id) {
  for (int i = 0; i < bl->nsent; i++)
    if (bl->sent[i] == id) return 1;
  return 0;
}

/* The client acked id: one frame less awaits it. */
static void sent_drop(backlog *bl, int64_t id) {
  for (int i = 0; i < bl->nsent; i++)
    if (bl->sent[i] == id) {
      bl->sent[i] = bl->sent[--bl->nsent];
      return;
    }
}

/* 1 when the page has its bytes or frames: the rest waits for the next page. */
static int page_full(page *p) {
  if (p->bytes < BACKLOG_BYTES && p->bl->nsent < BACKLOG_PAGE) return 0;
  p->bl->more = 1;
  return 1;
}

/* Sends f (then freed; NULL is skipped), the frame of backlog row id. */
static int page_send(page *p, int64_t id, cJSON *f) {
  char *text = f ? cJSON_PrintUnformatted(f) : NULL;
  cJSON_Delete(f);
  if (text) {
    pa_net_ws_send(p->srv->net, p->wc->conn, text, strlen(text));
    p->bytes += strlen(text);
  }
  cJSON_free(text);
  if (id > p->bl->after && p->bl != &p->wc->receipts) p->bl->after = id;
  p->bl->sent[p->bl->nsent++] = id;
  return 0;
}

/* Whether sender's messages to user are requests. A failing lookup says
 * yes: a request hides nothing, it only asks the recipient first. */
static int is_request(pa_store *db, int64_t user, int64_t sender) {
  int request = 1;
  if (pa_store_chat_is_request(db, user, sender, &request) != PA_STORE_OK) {
    pa_log_event("error", "chat", "request: %s", pa_store_errmsg(db));
    return 1;
  }
  return request;
}

static int inbox_row(void *ctx, const pa_store_chat_message *m) {
  page *p = ctx;
  if (page_full(p)) return 1;
  p->rows++;
  if (p->sender != m->from_user) /* backlogs come in runs from one sender */
    p->sender = m->from_user, p->request = is_request(p->db, p->wc->user, m->from_user);
  return page_send(p, m->id, msg_frame(m, p->request));
}

static int receipt_row(void *ctx, const pa_store_chat_receipt *r) {
  page *p = ctx;
  if (sent_has(p->bl, r->id)) return p->rows++, 0; /* sent before, not yet acked */
  if (page_full(p)) return 1;
  p->rows++;
  return page_send(p, r->id, delivered_frame(r));
}

/* Sends what the store has for the socket's inbox (or receipts) and the
 * socket has not had, up to BACKLOG_PAGE frames awaiting acks; the rest
 * (bl->more) follows the acks. */
static int flush(const pa_srv *srv, pa_store *db, ws_conn *wc, int receipts) {
  backlog *bl = receipts ? &wc->receipts : &wc->inbox;
  int limit = receipts ? BACKLOG_PAGE : BACKLOG_PAGE - bl->nsent;
  page p = {srv, db, wc, bl, 0, 0, 0, 0};
  bl->more = 0;
  if (limit <= 0) {
    bl->more = 1;
    return 0;
  }
  int rc = receipts ? pa_store_chat_receipts(db, wc->device, 0, limit, receipt_row, &p)
                    : pa_store_chat_inbox(db, wc->device, bl->after, limit, inbox_row, &p);
  if (rc != PA_STORE_OK && rc != PA_STORE_EABORT) return -1; /* EABORT: the page is full */
  if (p.rows == limit) bl->more = 1;
  return 0;
}

/* ---- what clients send */

static int cid_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > PA_CHAT_CID_MAX) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '-' || *s == '_'))
      return 0;
  return 1;
}

static int id_member(const cJSON *obj, const char *name, const char *prefix, int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsString(v) && pa_api_parse_id(v->valuestring, prefix, out) == 0 ? 0 : -1;
}

/* Reads a send's envelopes into env, their bodies decoded into bufs (n of
 * them, for the caller to free): each for a device of to_user, or a copy for
 * one of the sender's own other devices (never the sending one). NULL, or
 * what is wrong ("internal": the store failed). */
static const char *read_envelopes(pa_store *db, const ws_conn *wc, const cJSON *list,
                                  int64_t to_user, pa_store_chat_envelope *env, uint8_t **bufs,
                                  int *n) {
  const char *why = NULL;
  const cJSON *e;
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
      cJSON_GetArraySize(list) > PA_CHAT_MAX_ENVELOPES)
    return "envelopes must list 1 to 10 {device, body}";
  cJSON_ArrayForEach(e, list) {
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    int i = (*n)++;
    int64_t owner = 0;
    if (id_member(e, "device", "d", &env[i].device) != 0 || !cJSON_IsString(body))
      return "each envelope needs device (\"d_1\") and body (base64)";
    for (int j = 0; j < i; j++)
      if (env[j].device == env[i].device) why = "two envelopes for one device";
    int rc = pa_store_chat_device_owner(db, env[i].device, &owner);
    if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) return "internal";
    env[i].copy = rc == PA_STORE_OK && owner == wc->user && owner != to_user;
    if (rc == PA_STORE_ENOTFOUND || (owner != to_user && !env[i].copy) ||
        env[i].device == wc->device)
      return "an envelope's device is not one of the recipient's or your own other ones";
    size_t cap = strlen(body->valuestring) / 4 * 3 + 3;
    if (cap > PA_CHAT_MAX_MESSAGE + 3) cap = PA_CHAT_MAX_MESSAGE + 3;
    bufs[i] = malloc(cap);
    if (!bufs[i] || pa_chat_b64_decode(body->valuestring, bufs[i], cap, &env[i].len) != 0 ||
        env[i].len == 0 || env[i].len > PA_CHAT_MAX_MESSAGE)
      return "body must be base64 of 1 to 262,298 bytes";
    env[i].body = bufs[i];
    /* A session start (chat.md) counts against the pair's limit once per
     * session: the start's base key names it. A start to one's own other
     * device (a copy) is not a session with the peer. */
    env[i].start = NULL;
    env[i].start_len = env[i].copy ? 0 : pa_chat_start_key(bufs[i], env[i].len, &env[i].start);
  }
  return why;
}

/* m's new envelopes (ids, 0 for one queued before) are stored: their
 * devices' sockets, wherever they are, send them from the store. A device
 * with none reads them when it connects. */
static void deliver(const pa_srv *srv, const pa_store_chat_outgoing *m, const int64_t *ids) {
  for (int i = 0; i < m->n; i++)
    if (ids[i]) wake_device(srv, m->env[i].device, WAKE_INBOX);
}

/* Whether a and b are in a block, either way: then the relay neither stores
 * nor delivers what one sends the other (nor typing and read marks). A
 * failing lookup counts as a block: nothing is delivered that may not be. */
static int in_block(const pa_srv *srv, pa_store *db, ws_conn *wc, int64_t b) {
  unsigned long gen = srv->chat->blocks_gen;
  if (wc->checked_peer == b && wc->checked_gen == gen) return wc->checked_blocked;
  int blocked = 0;
  int rc = pa_store_safety_blocked(db, wc->user, b, &blocked);
  if (rc != PA_STORE_OK) {
    pa_log_event("error", "chat", "block: %s", pa_store_errmsg(db));
    return 1;
  }
  wc->checked_peer = b, wc->checked_blocked = blocked, wc->checked_gen = gen;
  return blocked;
}

void pa_chat_blocks_changed(const pa_srv *srv) {
  if (!srv->chat) return;
  srv->chat->blocks_gen++;
  pa_bus_publish("chat.blocks", "1", 1);
}

/* ---- groups: one message to the devices of a group's current members */

/* What a group send refused: its error code and message; NULL code when
 * the store failed ("internal"). */
typedef struct refusal {
  const char *code, *message;
} refusal;

/* Whether the socket's person is a member of group (1), not (0), or the
 * store failed (-1). */
static int is_member(pa_store *db, const ws_conn *wc, int64_t group) {
  int role = 0;
  int rc = pa_store_chat_group_role(db, group, wc->user, &role, NULL);
  return rc == PA_STORE_OK ? 1 : rc == PA_STORE_ENOTFOUND ? 0 : -1;
}

/* Reads a group send's envelopes: each for a device of a current member
 * (own devices included, this one not), at most PA_GROUP_MAX_ENVELOPES,
 * one per device. Envelopes for a member in a block with the sender are
 * left out (kept = 0), as a 1:1 message would be refused. */
static refusal read_group_envelopes(const pa_srv *srv, pa_store *db, ws_conn *wc, int64_t group,
                                    const cJSON *list, pa_store_chat_envelope *env, uint8_t **bufs,
                                    int *n) {
  const cJSON *e;
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
      cJSON_GetArraySize(list) > PA_GROUP_MAX_ENVELOPES)
    return (refusal){"bad_request",
                     "envelopes must list {device, body} for 1 or more member devices, one each"};
  cJSON_ArrayForEach(e, list) {
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    int64_t device = 0, owner = 0;
    if (id_member(e, "device", "d", &device) != 0 || !cJSON_IsString(body))
      return (refusal){"bad_request", "each envelope needs device (\"d_1\") and body (base64)"};
    for (int j = 0; j < *n; j++)
      if (env[j].device == device) return (refusal){"bad_request", "two envelopes for one device"};
    if (device == wc->device)
      return (refusal){"bad_request", "an envelope for the sending device itself"};
    int rc = pa_store_chat_group_device_member(db, group, device, &owner);
    if (rc == PA_STORE_ENOTFOUND)
      return (refusal){"not_member", "an envelope's device is not a current member's"};
    if (rc != PA_STORE_OK) return (refusal){NULL, NULL};
    if (owner != wc->user && in_block(srv, db, wc, owner)) continue;
    int i = (*n)++;
    env[i].device = device;
    size_t cap = strlen(body->valuestring) / 4 * 3 + 3;
    if (cap > PA_CHAT_MAX_MESSAGE + 3) cap = PA_CHAT_MAX_MESSAGE + 3;
    bufs[i] = malloc(cap);
    if (!bufs[i] || pa_chat_b64_decode(body->valuestring, bufs[i], cap, &env[i].len) != 0 ||
        env[i].len == 0 || env[i].len > PA_CHAT_MAX_MESSAGE)
      return (refusal){"bad_request", "body must be base64 of 1 to 262,298 bytes"};
    env[i].body = bufs[i];
  }
  return (refusal){"", ""};
}

static void on_group_send(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in,
                          const char *cid) {
  enum { CAP = PA_GROUP_MAX_ENVELOPES };
  pa_store_chat_envelope *env = calloc(CAP, sizeof *env);
  uint8_t **bufs = calloc(CAP, sizeof *bufs);
  int64_t *ids = calloc(CAP, sizeof *ids), group = 0, seq = 0;
  int n = 0, dup = 0;
  refusal why = {"", ""};
  if (!env || !bufs || !ids)
    why = (refusal){NULL, NULL};
  else if (id_member(in, "group", "g", &group) != 0)
    why = (refusal){"bad_request", "group must be a group id like \"g_1\""};
  else if (cJSON_GetObjectItemCaseSensitive(in, "to"))
    why = (refusal){"bad_request", "a group message has no \"to\""};
  else {
    int member = is_member(db, wc, group);
    if (member < 0)
      why = (refusal){NULL, NULL};
    else if (!member)
      why = (refusal){"not_member", "You are not in this group"};
    else
      why = read_group_envelopes(srv, db, wc, group,
                                 cJSON_GetObjectItemCaseSensitive(in, "envelopes"), env, bufs, &n);
  }
  pa_store_chat_outgoing m = {.from_user = wc->user,
                              .from_device = wc->device,
                              .cid = cid,
                              .env = env,
                              .n = n,
                              .now = pa_clock_now(),
                              .group = group};
  /* Everyone left out (blocks): stored nowhere, answered as sent. */
  if (why.code && !why.code[0] && n > 0 &&
      pa_store_chat_queue_add(db, &m, ids, &seq, &dup) != PA_STORE_OK)
    why = (refusal){NULL, NULL};
  if (!why.code) {
    pa_log_event("error", "chat", "group send: %s", pa_store_errmsg(db));
    send_error(srv, wc->conn, "internal", "Something went wrong on our side", cid);
  } else if (why.code[0]) {
    send_error(srv, wc->conn, why.code, why.message, cid);
  } else {
    cJSON *ack = frame("sent");
    if (ack && (!cJSON_AddStringToObject(ack, "id", cid) ||
                !cJSON_AddNumberToObject(ack, "seq", (double)seq) ||
                pa_api_add_id(ack, "group", "g", group) || !cJSON_AddBoolToObject(ack, "dup", dup)))
      ack = (cJSON_Delete(ack), NULL);
    send_json(srv, wc->conn, ack);
    cJSON_Delete(ack);
    deliver(srv, &m, ids);
  }
  for (int i = 0; bufs && i < n; i++) free(bufs[i]);
  free(env);
  free(bufs);
  free(ids);
}

typedef struct indicator_walk {
  const pa_srv *srv;
  pa_store *db;
  ws_conn *wc;
  const char *text;
} indicator_walk;

static int indicator_member(void *ctx, const pa_store_chat_group_member *m) {
  indicator_walk *w = ctx;
  if (m->user != w->wc->user && !in_block(w->srv, w->db, w->wc, m->user))
    push_user(w->srv, m->user, w->text);
  return 0;
}

/* typing / read in a group: relayed to the other members' connected
 * devices, never stored; from a member only. */
static void on_group_indicator(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in,
                               const char *type, int64_t group) {
  const cJSON *seq = cJSON_GetObjectItemCaseSensitive(in, "seq");
  int is_read = strcmp(type, "read") == 0;
  if (is_read && (!cJSON_IsNumber(seq) || seq->valuedouble < 0)) {
    send_error(srv, wc->conn, "bad_request", "read needs group (\"g_1\") and seq", NULL);
    return;
  }
  if (is_member(db, wc, group) != 1) {
    send_error(srv, wc->conn, "not_member", "You are not in this group", NULL);
    return;
  }
  cJSON *f = frame(type);
  char *text = NULL;
  if (f && !pa_api_add_id(f, "group", "g", group) && !pa_api_add_id(f, "from", "u", wc->user) &&
      (!is_read || cJSON_AddNumberToObject(f, "seq", seq->valuedouble)))
    text = cJSON_PrintUnformatted(f);
  cJSON_Delete(f);
  if (!text) return;
  indicator_walk w = {srv, db, wc, text};
  if (pa_store_chat_group_members(db, group, indicator_member, &w) != PA_STORE_OK)
    pa_log_event("error", "chat", "group %s: %s", type, pa_store_errmsg(db));
  cJSON_free(text);
}

static void on_send(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in) {
  pa_store_chat_envelope env[PA_CHAT_MAX_ENVELOPES] = {{0}};
  uint8_t *bufs[PA_CHAT_MAX_ENVELOPES] = {0};
  int64_t ids[PA_CHAT_MAX_ENVELOPES], to_user = 0, seq = 0;
  int n = 0, dup = 0;
  const char *why = NULL;
  const cJSON *cidv = cJSON_GetObjectItemCaseSensitive(in, "id");
  const char *cid = cJSON_IsString(cidv) ? cidv->valuestring : NULL;
  if (!cid_ok(cid)) {
    send_error(srv, wc->conn, "bad_request", "id must be 1 to 64 letters, digits, - or _", NULL);
    return;
  }
  if (!may_send(wc)) {
    send_error(srv, wc->conn, "rate_limited", "Too many messages at once; try again in a moment",
               cid);
    return;
  }
  if (cJSON_GetObjectItemCaseSensitive(in, "group")) {
    on_group_send(srv, db, wc, in, cid);
    return;
  }
  if (id_member(in, "to", "u", &to_user) != 0)
    why = "to must be a user id like \"u_1\"";
  else
    why = read_envelopes(db, wc, cJSON_GetObjectItemCaseSensitive(in, "envelopes"), to_user, env,
                         bufs, &n);
  if (!why && in_block(srv, db, wc, to_user)) why = "blocked";
  int64_t now = pa_clock_now();
  pa_store_chat_outgoing m = {.from_user = wc->user,
                              .from_device = wc->device,
                              .to_user = to_user,
                              .cid = cid,
                              .env = env,
                              .n = n,
                              .now = now,
                              .starts_max = PA_CHAT_STARTS_PER_PEER,
                              .starts_since = now - PA_CHAT_STARTS_WINDOW_S};
  int rc = why ? PA_STORE_OK : pa_store_chat_queue_add(db, &m, ids, &seq, &dup);
  if (rc == PA_STORE_ECONFLICT)
    why = "starts";
  else if (rc != PA_STORE_OK)
    why = "internal";
  if (why) {
    int internal = strcmp(why, "internal") == 0, refused = strcmp(why, "blocked") == 0;
    int starts = strcmp(why, "starts") == 0;
    if (internal) pa_log_event("error", "chat", "store: %s", pa_store_errmsg(db));
    send_error(srv, wc->conn,
               internal  ? "internal"
               : refused ? "not_allowed"
               : starts  ? "too_many_starts"
                         : "bad_request",
               internal  ? "Something went wrong on our side"
               : refused ? "This person cannot receive your messages"
               : starts  ? "Too many new secure sessions with this person in the last hour; "
                           "try again later"
                         : why,
               cid);
  } else {
    cJSON *ack = frame("sent");
    if (ack && (!cJSON_AddStringToObject(ack, "id", cid) ||
                !cJSON_AddNumberToObject(ack, "seq", (double)seq) ||
                pa_api_add_id(ack, "to", "u", to_user) || !cJSON_AddBoolToObject(ack, "dup", dup)))
      ack = (cJSON_Delete(ack), NULL);
    send_json(srv, wc->conn, ack);
    cJSON_Delete(ack);
    /* Writing to someone accepts their messages: a reply is never a request.
     * The sender is told nothing of whether theirs is one. */
    if (wc->accepted_peer != to_user) {
      if (pa_store_chat_accept(db, wc->user, to_user, m.now) == PA_STORE_OK)
        wc->accepted_peer = to_user;
      else
        pa_log_event("error", "chat", "accept: %s", pa_store_errmsg(db));
    }
    deliver(srv, &m, ids);
  }
  for (int i = 0; i < n; i++) free(bufs[i]);
}

/* The sender's device of the receipt an ack made (0: none was made). */
static int take_receipt(void *ctx, const pa_store_chat_receipt *r) {
  *(int64_t *)ctx = r->from_device;
  return 0;
}

enum { ON_ACK, ON_RECEIPT, ON_FAILED };

/* ack: the recipient has the messages; their ciphertext goes, senders hear
 * "delivered". failed: the same, but the recipient could not decrypt them
 * and senders hear "failed" (to start a new session and resend).
 * delivered_ack: the sender has heard either; the rows go. */
static void on_ack(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in, int kind) {
  int receipts = kind == ON_RECEIPT;
  backlog *bl = receipts ? &wc->receipts : &wc->inbox;
  int64_t ids[MAX_ACKS], senders[MAX_ACKS];
  int n = pa_chat_frame_ids(in, ids, MAX_ACKS), nsenders = 0;
  for (int i = 0; i < n; i++) {
    int64_t id = ids[i], sender = 0;
    int rc = receipts ? pa_store_chat_receipt_drop(db, id, wc->device)
             : kind == ON_FAILED
                 ? pa_store_chat_fail(db, id, wc->device, pa_clock_now(), take_receipt, &sender)
                 : pa_store_chat_ack(db, id, wc->device, pa_clock_now(), take_receipt, &sender);
    if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND)
      pa_log_event("error", "chat", "ack: %s", pa_store_errmsg(db));
    int j = 0;
    while (j < nsenders && senders[j] != sender) j++;
    if (sender && j == nsenders) senders[nsenders++] = sender;
    /* An acked frame makes room for the next page, found or not (a row
     * another path removed must not hold the page forever). */
    sent_drop(bl, id);
  }
  /* After the writes: a sender's socket that looks finds its receipts. */
  for (int j = 0; j < nsenders; j++) wake_device(srv, senders[j], WAKE_RECEIPTS);
  if (n < 0) return;
  if (bl->more && bl->nsent == 0 && flush(srv, db, wc, receipts) != 0)
    pa_log_event("error", "chat", "backlog: %s", pa_store_errmsg(db));
}

/* typing / read: relayed to the other user's connected devices, not stored. */
static void on_indicator(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in,
                         const char *type) {
  int64_t to = 0, group = 0;
  const cJSON *seq = cJSON_GetObjectItemCaseSensitive(in, "seq");
  int is_read = strcmp(type, "read") == 0;
  if (cJSON_GetObjectItemCaseSensitive(in, "group")) {
    if (id_member(in, "group", "g", &group) != 0)
      send_error(srv, wc->conn, "bad_request", "group must be a group id like \"g_1\"", NULL);
    else
      on_group_indicator(srv, db, wc, in, type, group);
    return;
  }
  if (id_member(in, "to", "u", &to) != 0 ||
      (is_read && (!cJSON_IsNumber(seq) || seq->valuedouble < 0))) {
    send_error(srv, wc->conn, "bad_request",
               is_read ? "read needs to (\"u_1\") and seq" : "typing needs to (\"u_1\")", NULL);
    return;
  }
  if (in_block(srv, db, wc, to)) return; /* dropped, as a message would be */
  cJSON *f = frame(type);
  if (f && (pa_api_add_id(f, "from", "u", wc->user) ||
            (is_read && !cJSON_AddNumberToObject(f, "seq", seq->valuedouble))))
    f = (cJSON_Delete(f), NULL);
  push(srv, to, f);
}

/* identity_gen: the device sealed its identity under this generation. The
 * server keeps the highest, and the hello frame tells it back, so a profile
 * restored from an older copy (a lower generation) learns it is stale. */
static void on_identity_gen(const pa_srv *srv, pa_store *db, ws_conn *wc, const cJSON *in) {
  int64_t gen = 0, highest = 0;
  if (pa_chat_frame_generation(in, &gen) != 0) {
    send_error(srv, wc->conn, "bad_request", "identity_gen needs generation (a positive integer)",
               NULL);
    return;
  }
  int rc = pa_store_chat_identity_gen(db, wc->device, wc->user, gen, &highest);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND)
    pa_log_event("error", "chat", "identity_gen: %s", pa_store_errmsg(db));
}

/* ---- the socket's life: handshake, messages, close */

/* Refuses a handshake with a JSON error; the transport closes afterwards. */
static void refuse(pa_srv_req *rq, int status, const char *code, const char *message) {
  pa_api_error(rq, status, code, message, NULL);
}

/* ---- device-less sockets (issue 23; web/README.md, "Support" and "Live") */

/* A device-less socket: any signed-in session, no device. It carries
 * support.* frames from the server, and the live.* frames both ways (issue
 * 24: watching a live needs no chat device); from the client it takes ping
 * and live.*. At most PA_SUPPORT_WS_PER_USER per person (tabs); one more is
 * refused. */
static void support_upgrade(pa_srv_req *rq) {
  const pa_srv *srv = rq->srv;
  ws_conn *wc = calloc(1, sizeof *wc);
  if (!wc) {
    refuse(rq, 500, "internal", "Out of memory");
    return;
  }
  wc->conn = rq->in->conn, wc->user = rq->viewer, wc->session = rq->session_id;
  pa_chat_hub *hub = srv->chat;
  int mine = 0, placed = 0;
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n; i++)
    if (hub->peers[i].user == rq->viewer && hub->peers[i].device == 0) mine++;
  int full = mine >= PA_SUPPORT_WS_PER_USER;
  if (!full && hub->n == hub->cap) {
    int cap = hub->cap ? hub->cap * 2 : 64;
    peer *p = realloc(hub->peers, (size_t)cap * sizeof *p);
    if (p) hub->peers = p, hub->cap = cap;
  }
  if (!full && hub->n < hub->cap) {
    hub->peers[hub->n++] = (peer){wc->conn, wc->user, 0, wc->session, rq->roles};
    placed = 1;
  }
  pthread_mutex_unlock(&hub->lock);
  if (placed) support_presence(wc->user, 1); /* taken back in pa_chat_closed */
  if (!placed) {
    free(wc);
    if (full) {
      char msg[128];
      snprintf(msg, sizeof msg, "At most %d support connections at once; close one first",
               PA_SUPPORT_WS_PER_USER);
      refuse(rq, 429, "too_many_sockets", msg);
    } else {
      refuse(rq, 503, "unavailable", "Out of memory");
    }
    return;
  }
  pa_net_resp_accept_ws(rq->out, wc);
  rq->status = 101;
  cJSON *hello = frame("hello");
  if (hello &&
      (pa_api_add_id(hello, "user", "u", wc->user) || !cJSON_AddBoolToObject(hello, "support", 1) ||
       !cJSON_AddBoolToObject(hello, "agent",
                              (rq->roles & (PA_STORE_ROLE_SUPPORT | PA_STORE_ROLE_ADMIN)) != 0)))
    hello = (cJSON_Delete(hello), NULL);
  send_json(srv, wc->conn, hello);
  cJSON_Delete(hello);
}

/* A frame from a device-less socket: ping, or a live.* frame (support's
 * writes go through the HTTP routes, which check roles and CSRF). The
 * session must still exist. */
static void support_message(const pa_srv *srv, pa_store *db, uint64_t conn, ws_conn *wc,
                            const char *data, size_t len) {
  int rc = db ? pa_store_support_session_alive(db, wc->session, pa_clock_now()) : PA_STORE_EDB;
  if (rc != PA_STORE_OK) {
    if (rc != PA_STORE_ENOTFOUND)
      pa_log_event("error", "support", "session check: %s", db ? pa_store_errmsg(db) : "no db");
    pa_net_ws_close(srv->net, conn,
                    rc == PA_STORE_ENOTFOUND ? PA_WS_CLOSE_REVOKED : PA_WS_CLOSE_TRY_LATER,
                    rc == PA_STORE_ENOTFOUND ? "revoked" : "try again");
    return;
  }
  cJSON *in = cJSON_ParseWithLength(data, len);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(in, "type");
  if (cJSON_IsString(type) && strcmp(type->valuestring, "ping") == 0) {
    cJSON *pong = frame("pong");
    send_json(srv, conn, pong);
    cJSON_Delete(pong);
  } else if (cJSON_IsString(type) && pa_live_frame_is_live(type->valuestring)) {
    pa_live_frame(srv, db, conn, wc->user, data, len);
  } else {
    send_error(srv, conn, "bad_request", "A socket without a device takes only ping and live.*",
               NULL);
  }
  cJSON_Delete(in);
}

static int support_push_local(const pa_srv *srv, int64_t user, const char *text, size_t len) {
  uint64_t conns[PA_SUPPORT_WS_PER_USER];
  int n = hub_find_kind(srv->chat, HUB_SUPPORT, user, 0, 0, conns, PA_SUPPORT_WS_PER_USER);
  for (int i = 0; i < n; i++) pa_net_ws_send(srv->net, conns[i], text, len);
  return n;
}

int pa_support_push_user(const pa_srv *srv, int64_t user, const char *text) {
  char channel[PA_BUS_CHANNEL_MAX];
  if (!srv || !srv->chat || !user) return 0;
  snprintf(channel, sizeof channel, "support.user.%lld", (long long)user);
  pa_bus_publish(channel, text, strlen(text));
  return support_push_local(srv, user, text, strlen(text));
}

int pa_support_connected(const pa_srv *srv, int64_t user) {
  char key[PA_PRESENCE_KEY_MAX];
  if (!srv || !srv->chat || !user) return 0;
  snprintf(key, sizeof key, "support:%lld", (long long)user);
  return pa_presence_count(key) > 0;
}

static void roles_changed_local(const pa_srv *srv, int64_t user) {
  uint64_t conns[PA_SUPPORT_WS_PER_USER];
  int n = hub_find_kind(srv->chat, HUB_SUPPORT, user, 0, 0, conns, PA_SUPPORT_WS_PER_USER);
  for (int i = 0; i < n; i++)
    pa_net_ws_close(srv->net, conns[i], PA_WS_CLOSE_REVOKED, "roles changed");
}

void pa_support_roles_changed(const pa_srv *srv, int64_t user) {
  char payload[24];
  if (!srv || !srv->chat || !user) return;
  roles_changed_local(srv, user);
  int len = snprintf(payload, sizeof payload, "%lld", (long long)user);
  pa_bus_publish("support.roles", payload, (size_t)len);
}

static void push_agents_local(const pa_srv *srv, const char *text, size_t len) {
  uint64_t *conns;
  int n = hub_copy_all(srv->chat, HUB_ALL_AGENTS, &conns);
  for (int i = 0; i < n; i++) pa_net_ws_send(srv->net, conns[i], text, len);
  free(conns);
}

void pa_support_push_agents(const pa_srv *srv, const char *text) {
  if (!srv || !srv->chat) return;
  push_agents_local(srv, text, strlen(text));
  pa_bus_publish("support.agents", text, strlen(text));
}

void pa_chat_upgrade(pa_srv_req *rq) {
  const pa_srv *srv = rq->srv;
  char text[40];
  int64_t device = 0, owner = 0;
  if (strcmp(rq->path, "/api/v1/chat/socket") != 0) {
    refuse(rq, 404, "not_found", "No WebSocket here");
    return;
  }
  if (!rq->db) {
    refuse(rq, 500, "internal", "Something went wrong on our side");
    return;
  }
  /* Browsers always send Origin on a WebSocket; only our own page may open one. */
  if (!pa_srv_req_header(rq, "Origin") || !pa_api_same_origin(rq)) {
    refuse(rq, 403, "csrf", "Cross-site WebSocket refused");
    return;
  }
  if (pa_api_resolve_session(rq) != 0) return;
  if (!rq->viewer) {
    refuse(rq, 401, "unauthorized", "Sign in first");
    return;
  }
  int dq = pa_http_query_var(rq->query, "device", text, sizeof text);
  if (dq == -1) { /* no device: a support-only socket */
    support_upgrade(rq);
    return;
  }
  if (dq < 0 || pa_api_parse_id(text, "d", &device) != 0) {
    refuse(rq, 400, "bad_request", "device must be one of your device ids, like d_1");
    return;
  }
  int rc = pa_store_chat_device_owner(rq->db, device, &owner);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat socket");
    return;
  }
  if (rc == PA_STORE_ENOTFOUND || owner != rq->viewer) {
    refuse(rq, 404, "not_found", "No such device of yours");
    return;
  }
  ws_conn *wc = calloc(1, sizeof *wc);
  if (!wc) {
    refuse(rq, 500, "internal", "Out of memory");
    return;
  }
  wc->conn = rq->in->conn, wc->user = rq->viewer, wc->device = device;
  wc->session = rq->session_id, wc->tokens = SEND_BURST, wc->tokens_at = mono_ms();
  /* One socket per device (the newest wins), PA_WS_PER_USER per person. */
  pa_chat_hub *hub = srv->chat;
  uint64_t replaced = 0;
  int others = 0, mine = -1;
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n; i++) {
    if (hub->peers[i].device == device)
      mine = i;
    else if (hub->peers[i].user == rq->viewer && hub->peers[i].device)
      others++;
  }
  int full = others >= PA_WS_PER_USER;
  if (!full && mine < 0 && hub->n == hub->cap) {
    int cap = hub->cap ? hub->cap * 2 : 64;
    peer *p = realloc(hub->peers, (size_t)cap * sizeof *p);
    if (p) {
      hub->peers = p;
      hub->cap = cap;
    }
  }
  int placed = !full && (mine >= 0 || hub->n < hub->cap);
  if (placed) {
    if (mine >= 0)
      replaced = hub->peers[mine].conn;
    else
      mine = hub->n++;
    hub->peers[mine] = (peer){wc->conn, wc->user, wc->device, wc->session, rq->roles};
  }
  pthread_mutex_unlock(&hub->lock);
  if (!placed) {
    free(wc);
    if (full) {
      char msg[128];
      snprintf(msg, sizeof msg,
               "At most %d of your devices can be connected to chat at once; close one first",
               PA_WS_PER_USER);
      refuse(rq, 429, "too_many_sockets", msg);
    } else {
      refuse(rq, 503, "unavailable", "Out of memory");
    }
    return;
  }
  if (replaced)
    pa_net_ws_close(srv->net, replaced, PA_WS_CLOSE_REPLACED, "replaced by a newer connection");
  pa_net_resp_accept_ws(rq->out, wc);
  rq->status = 101;
  /* Queued now, sent right after the handshake's answer. */
  int64_t gen = 0;
  if (pa_store_chat_identity_gen(rq->db, wc->device, wc->user, 0, &gen) != PA_STORE_OK) gen = 0;
  cJSON *hello = frame("hello");
  if (hello && (pa_api_add_id(hello, "user", "u", wc->user) ||
                pa_api_add_id(hello, "device", "d", wc->device) ||
                !cJSON_AddNumberToObject(hello, "identity_gen", (double)gen)))
    hello = (cJSON_Delete(hello), NULL);
  send_json(srv, wc->conn, hello);
  cJSON_Delete(hello);
  if (flush(srv, rq->db, wc, 0) != 0 || flush(srv, rq->db, wc, 1) != 0)
    pa_log_event("error", "chat", "backlog: %s", pa_store_errmsg(rq->db));
}

/* 1 while the socket's session and device still exist: signing out,
 * changing the password, deleting the account or removing the device ends
 * them, and no message of the socket is taken after that, even one already
 * on its way when pa_chat_revoke closed it. */
static int still_allowed(pa_store *db, const ws_conn *wc) {
  int rc = pa_store_chat_session_check(db, wc->session, wc->device, pa_clock_now());
  return rc == PA_STORE_OK ? 1 : rc == PA_STORE_ENOTFOUND ? 0 : -1;
}

void pa_chat_message(const pa_srv *srv, pa_store *db, uint64_t conn, void *user, const char *data,
                     size_t len) {
  ws_conn *wc = user;
  if (!wc->device) {
    support_message(srv, db, conn, wc, data, len);
    return;
  }
  int ok = db ? still_allowed(db, wc) : -1;
  if (ok <= 0) {
    if (ok < 0)
      pa_log_event("error", "chat", "session check: %s", db ? pa_store_errmsg(db) : "no db");
    pa_net_ws_close(srv->net, conn, ok < 0 ? PA_WS_CLOSE_TRY_LATER : PA_WS_CLOSE_REVOKED,
                    ok < 0 ? "try again" : "revoked");
    return;
  }
  cJSON *in = cJSON_ParseWithLength(data, len);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(in, "type");
  const char *t = cJSON_IsString(type) ? type->valuestring : "";
  if (!cJSON_IsObject(in))
    send_error(srv, conn, "bad_request", "Each frame must be one JSON object", NULL);
  else if (strcmp(t, "send") == 0)
    on_send(srv, db, wc, in);
  else if (strcmp(t, "ack") == 0)
    on_ack(srv, db, wc, in, ON_ACK);
  else if (strcmp(t, "failed") == 0)
    on_ack(srv, db, wc, in, ON_FAILED);
  else if (strcmp(t, "delivered_ack") == 0)
    on_ack(srv, db, wc, in, ON_RECEIPT);
  else if (strcmp(t, "identity_gen") == 0)
    on_identity_gen(srv, db, wc, in);
  else if (strcmp(t, "typing") == 0 || strcmp(t, "read") == 0)
    on_indicator(srv, db, wc, in, t);
  else if (pa_live_frame_is_live(t))
    pa_live_frame(srv, db, conn, wc->user, data, len);
  else if (strcmp(t, "ping") == 0) {
    cJSON *pong = frame("pong");
    send_json(srv, conn, pong);
    cJSON_Delete(pong);
  } else
    send_error(srv, conn, "bad_request", "Unknown frame type", NULL);
  cJSON_Delete(in);
}

void pa_chat_posted(const pa_srv *srv, pa_store *db, uint64_t conn, void *user, const char *data,
                    size_t len) {
  ws_conn *wc = user;
  (void)conn;
  int receipts = len == strlen(WAKE_RECEIPTS) && memcmp(data, WAKE_RECEIPTS, len) == 0;
  if (!wc->device || !db ||
      (!receipts && !(len == strlen(WAKE_INBOX) && memcmp(data, WAKE_INBOX, len) == 0)))
    return;
  /* While a page awaits its acks, they bring the next page, new rows too. */
  if ((receipts ? wc->receipts : wc->inbox).more) return;
  if (flush(srv, db, wc, receipts) != 0)
    pa_log_event("error", "chat", "backlog: %s", pa_store_errmsg(db));
}

void pa_chat_closed(const pa_srv *srv, uint64_t conn, void *user) {
  pa_chat_hub *hub = srv->chat;
  peer gone = {0};
  int found = 0;
  pa_live_socket_closed(srv, conn);
  pthread_mutex_lock(&hub->lock);
  for (int i = 0; i < hub->n; i++)
    if (hub->peers[i].conn == conn) {
      gone = hub->peers[i], found = 1;
      hub->peers[i] = hub->peers[--hub->n];
      break;
    }
  pthread_mutex_unlock(&hub->lock);
  if (found && gone.device == 0) support_presence(gone.user, -1);
  free(user);
}

/* ---- the other processes (redis/bus.h): their wake-ups, frames and
 * revocations, acted on for this process's sockets. Handlers run on the
 * bus's thread: they only look into the hub and queue to sockets. */

/* The id that ends channel after prefix (> 0), or 0. */
static int64_t channel_id(const char *channel, const char *prefix) {
  size_t n = strlen(prefix);
  int64_t id = 0;
  if (strncmp(channel, prefix, n) != 0 ||
      pa_chat_frame_bus_ids(channel + n, strlen(channel + n), &id, 1) != 0)
    return 0;
  return id;
}

static void on_bus_device(void *ctx, const char *channel, const char *payload, size_t len) {
  const pa_srv *srv = ctx;
  int64_t device = channel_id(channel, "chat.dev.");
  const char *what = len == strlen(WAKE_INBOX) && memcmp(payload, WAKE_INBOX, len) == 0 ? WAKE_INBOX
                     : len == strlen(WAKE_RECEIPTS) && memcmp(payload, WAKE_RECEIPTS, len) == 0
                         ? WAKE_RECEIPTS
                         : NULL;
  if (device && what) wake_local(srv, device, what);
}

static void on_bus_user(void *ctx, const char *channel, const char *payload, size_t len) {
  int64_t user = channel_id(channel, "chat.user.");
  if (user && len) push_local(ctx, user, payload, len);
}

/* "<user> <device> <session>" (0: any) */
static void on_bus_revoke(void *ctx, const char *channel, const char *payload, size_t len) {
  int64_t v[3];
  (void)channel;
  if (pa_chat_frame_bus_ids(payload, len, v, 3) == 0) revoke_local(ctx, v[0], v[1], v[2]);
}

static void on_bus_blocks(void *ctx, const char *channel, const char *payload, size_t len) {
  const pa_srv *srv = ctx;
  (void)channel, (void)payload, (void)len;
  srv->chat->blocks_gen++;
}

static void on_bus_support_user(void *ctx, const char *channel, const char *payload, size_t len) {
  int64_t user = channel_id(channel, "support.user.");
  if (user && len) support_push_local(ctx, user, payload, len);
}

static void on_bus_agents(void *ctx, const char *channel, const char *payload, size_t len) {
  (void)channel;
  if (len) push_agents_local(ctx, payload, len);
}

static void on_bus_roles(void *ctx, const char *channel, const char *payload, size_t len) {
  int64_t user = 0;
  (void)channel;
  if (pa_chat_frame_bus_ids(payload, len, &user, 1) == 0 && user) roles_changed_local(ctx, user);
}

/* After a gap in the bus, any wake-up may have been lost: every chat socket
 * here looks into the store. */
static void on_bus_resync(void *ctx) {
  const pa_srv *srv = ctx;
  uint64_t *conns;
  int n = hub_copy_all(srv->chat, HUB_ALL_CHAT, &conns);
  for (int i = 0; i < n; i++) {
    pa_net_ws_post(srv->net, conns[i], WAKE_INBOX, strlen(WAKE_INBOX));
    pa_net_ws_post(srv->net, conns[i], WAKE_RECEIPTS, strlen(WAKE_RECEIPTS));
  }
  free(conns);
}

int pa_chat_bus_on(const pa_srv *srv) {
  static const struct {
    const char *prefix;
    pa_bus_fn fn;
  } on[] = {{"chat.dev.", on_bus_device},           {"chat.user.", on_bus_user},
            {"chat.revoke", on_bus_revoke},         {"chat.blocks", on_bus_blocks},
            {"support.user.", on_bus_support_user}, {"support.agents", on_bus_agents},
            {"support.roles", on_bus_roles}};
  void *ctx = (void *)srv; /* the handlers only read it */
  for (size_t i = 0; i < sizeof on / sizeof on[0]; i++)
    if (pa_bus_on(on[i].prefix, on[i].fn, ctx) != 0) return -1;
  return pa_bus_on_resync(on_bus_resync, ctx);
}
