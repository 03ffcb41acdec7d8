/* Shared between the pa_srv translation units; not part of the module's API. */
#ifndef PA_SRV_INTERNAL_H
#define PA_SRV_INTERNAL_H

#include "janus/janus.h"
#include "log.h"
#include "net/net.h"
#include "origin.h"
#include "srv.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct pa_srv {
  pa_net *net;
  pa_origins origins;       /* where people reach us: Host and Origin checks, absolute links */
  char root[PATH_MAX];      /* resolved, no trailing slash */
  char media_dir[PATH_MAX]; /* resolved */
  struct pa_mstore *media;  /* the media store on media_dir (mstore.h): every media file's road */
  char db_path[PATH_MAX];
  int port;
  /* Housekeeping thread: expired stories and sessions, orphaned media,
   * stale ranking vectors. */
  pthread_t chores;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int stopping, chores_running;
  /* Set by pa_srv_drain (on SIGTERM, before pa_srv_stop), read by GET
   * /api/v1/ready: a load balancer stops sending new requests here. */
  atomic_int draining;
  struct pa_chat_hub *chat;          /* connected chat devices (srv_chat.c) */
  struct pa_respcache *public_pages; /* signed-out feed pages (respcache.h) */
  struct pa_pay *pay;                /* the payment providers (pay/pay.h) */
  struct pa_worker *billing;         /* applies their webhooks (billing/worker.h) */
  struct pa_mail *mail;              /* SMTP or the outbox (mail/mail.h) */
  struct pa_push *push;              /* Web Push: VAPID key, endpoint policy (push/push.h) */
  struct pa_worker *push_worker;     /* sends the queued pushes (push/push.h) */
  struct pa_assist *assist;          /* the assistant's threads, with a model (assist.h) */
  struct pa_worker *chatwoot_worker; /* mirrors to Chatwoot when configured (chatwoot/mirror.h) */
  /* Builds kept lives' replays (live_replay.h); NULL without PA_JANUS_REC_DIR. */
  struct pa_replay_worker *replay;
  int family[5]; /* pa_metrics series of the paths the route table does not name (srv.c) */
  /* Live streaming's Janus instances (janus/janus.h), read at start; janus_on 0: off. */
  pa_janus_config janus;
  int janus_on;
  char csp[4096]; /* the Content-Security-Policy, with the instances' WS origins (srv.c) */
};

/* One request in flight, on a worker thread. */
typedef struct pa_srv_req {
  pa_net_req *in;   /* what the transport read */
  pa_net_resp *out; /* what the handler answers */
  const pa_srv *srv;
  const char *method;
  const char *path;               /* percent-decoded, without the query string */
  const char *query;              /* raw query string, or NULL */
  int head;                       /* HEAD: headers only */
  const char *csp;                /* Content-Security-Policy instead of the default, or NULL */
  int status;                     /* status sent, for the log; 0 until then */
  char request_id[PA_LOG_ID_LEN]; /* in the log line and the X-Request-Id header */
  /* Set by pa_api_handle once a route matched: its pa_metrics series and
   * pattern; otherwise srv.c names the path's family. */
  int metric;
  const char *route;
  /* API requests only (srv_api.c fills these before a handler runs): */
  struct pa_store *db;  /* this worker's connection */
  int64_t ids[2];       /* ids taken from the path, in order */
  int64_t viewer;       /* signed-in user, 0 for nobody */
  int64_t session_id;   /* 0 without a session */
  int plus;             /* the viewer has Plus now (no ads, the badge, higher limits) */
  int roles;            /* the viewer's roles, a PA_STORE_ROLE_* mask (store/admin.h) */
  char word[24];        /* a {word} segment of the path (a role's name), "" without one */
  char token[48];       /* a {token} segment (a vet's share link), "" without one */
  char csrf[48];        /* the session's CSRF token, "" without one */
  char set_cookie[160]; /* a Set-Cookie to send with the answer, or "" */
  /* A second one (sign-up clears the affiliate first-touch cookie beside
   * setting the session's), or "". */
  char set_cookie2[96];
  const char *remote_addr; /* the peer's numeric address */
  /* The client's address (geo.h: the peer's, or what a proxy on this
   * machine forwarded), canonical; filled by pa_api_handle, "" before. */
  char client[46];
  char error_code[32]; /* the code of the error answer sent (api.c), "" for none */
  /* This request's stream id (pa_net_req.stream): after pa_srv_stream_begin,
   * any thread sends to it with pa_srv_stream_send until pa_srv_stream_end. */
  uint64_t stream;
} pa_srv_req;

/* ---- reading a request: the only way handlers see the transport */

/* The value of request header name (case-insensitive), or NULL. */
const char *pa_srv_req_header(const pa_srv_req *rq, const char *name);

/* The request body (the transport read it whole, within the route's
 * limit): 0 with *out (the caller frees it) and *len, or -1 when it is over
 * max and the 413 answer was sent. Once per request. */
int pa_srv_body(pa_srv_req *rq, size_t max, unsigned char **out, size_t *len);

typedef struct pa_srv_header {
  const char *name, *value;
} pa_srv_header;

/* Sets the answer's status, the security headers, Content-Type (when type
 * is non-NULL), Cache-Control and extra headers; the body comes next (none
 * for 304). The transport adds Content-Length. */
void pa_srv_send_head(pa_srv_req *rq, int status, const char *type, const char *cache,
                      const pa_srv_header *extra, int nextra);

/* The answer's body is bytes [from, from + len) of fd, which the transport
 * reads off the loop and closes; after pa_srv_send_head. */
void pa_srv_send_fd(pa_srv_req *rq, int fd, long long from, long long len);

/* A complete response with an in-memory body (copied). */
void pa_srv_send(pa_srv_req *rq, int status, const char *type, const char *cache,
                 const pa_srv_header *extra, int nextra, const void *body, size_t len);

/* Streams the answer as server-sent events: 200, the security headers,
 * Content-Type: text/event-stream, Cache-Control: no-store, chunked; the
 * events come from pa_srv_stream_send on rq->stream (any thread, also after
 * the handler returned; llm/sse.h's pa_sse_event writes one). */
void pa_srv_stream_begin(pa_srv_req *rq);
/* 0, or -1 when the client is gone, the stream ended or outlived
 * PA_NET_STREAM_MAX_S, or its queue would pass PA_NET_STREAM_QUEUE_MAX (the
 * stream is then closed): the sender stops producing. */
int pa_srv_stream_send(const pa_srv *srv, uint64_t stream, const char *bytes, size_t len);
/* Ends the stream (the last bytes sent are delivered first). */
void pa_srv_stream_end(const pa_srv *srv, uint64_t stream);

/* A short text/plain error page; allow (or NULL) becomes the Allow header. */
void pa_srv_plain_error(pa_srv_req *rq, int status, const char *allow);

/* Copies s into out (always NUL-terminated), percent-escaping anything but
 * printable ASCII, and cutting it to fit: safe in logs and JSON messages. */
void pa_srv_printable(const char *s, char *out, size_t cap);

/* Route families: /api/... and everything else (media and the static site). */
void pa_api_handle(pa_srv_req *rq);
void pa_srv_files(pa_srv_req *rq);

/* Embeds (srv_embed.c): the page /embed/p/{post_id} for partner sites'
 * iframes; and index.html (open as fd) served for /posts/{post_id} with its
 * oEmbed discovery link, returning 1 when it answered (0: not a post path). */
struct stat;
/* The shipped catalog's tag for the request (?lang=, then Accept-Language,
 * then "en"), into out (16 bytes). */
void pa_srv_locale(pa_srv_req *rq, char out[16]);
/* 1 when tag names a shipped catalog exactly as its file does ("pt-BR"). */
int pa_srv_locale_ok(const pa_srv *srv, const char *tag);
void pa_srv_embed_page(pa_srv_req *rq);
int pa_srv_embed_index(pa_srv_req *rq, int fd, const struct stat *st);

#endif
