/* pa_net — the server's transport: one event-loop thread (libuv) that
 * accepts, reads, parses (pa_http_, pa_ws_) and writes, and worker pools
 * that run the handlers. Handlers see a pa_net_req and fill a pa_net_resp;
 * they never touch a socket, and nothing they do can stall the loop.
 *
 * Every cap and deadline is a named constant below; deadlines (and the
 * total connection cap) may be lowered through the environment variable of
 * the same name, read once at start, so tests reach them without waiting.
 * Only net_uv.c includes <uv.h> (tests/server/abuse.test.mjs checks). */
#ifndef PA_NET_H
#define PA_NET_H

#include "http.h"

#include <stddef.h>
#include <stdint.h>

enum {
  /* Deadlines, in milliseconds. None is reset by bytes trickling in. */
  PA_NET_HEADER_MS = 10000,  /* first byte of a request → its whole head */
  PA_NET_REQUEST_MS = 30000, /* head → the whole body, plus PA_NET_BODY_RATE below */
  PA_NET_BODY_RATE = 262144, /* bytes/s a large body is allowed beyond PA_NET_REQUEST_MS */
  PA_NET_IDLE_MS = 15000,    /* keep-alive connection with no request */
  PA_NET_SEND_MS = 60000,    /* a response or frame that makes no progress */
  PA_NET_WS_PING_MS = 30000, /* a quiet WebSocket is pinged; closed after twice this */
  PA_NET_LINGER_MS = 2000,   /* after our last answer, reading and dropping the peer's bytes */
  PA_NET_SWEEP_MS = 100,     /* how often deadlines are checked */
  /* Caps. */
  PA_NET_CONNS_MAX = 16000,      /* connections in all (the open-files limit here is 20,000) */
  PA_NET_CONNS_PER_ADDR = 256,   /* connections from one address (a NAT may hide many people) */
  PA_NET_WORKERS = 4,            /* threads for ordinary requests and socket messages */
  PA_NET_SLOW_WORKERS = 2,       /* threads for CPU-heavy routes (Argon2id, decoding media) */
  PA_NET_QUEUE_MAX = 512,        /* requests waiting for a worker; then 503 + Retry-After */
  PA_NET_SLOW_QUEUE_MAX = 64,    /* the same for the slow workers */
  PA_WS_MESSAGE_MAX = 400000,    /* bytes of one incoming message: refused from its header (1009) */
  PA_WS_SENDQ_MAX = 1024 * 1024, /* bytes queued to one socket; past it the socket is dropped */
  PA_WS_PENDING_MAX = 8,         /* messages of one socket waiting for its worker; then it is
                                    not read until they drain (messages run in order, one at once) */
  PA_WS_POSTS_MAX = 16,          /* posts (pa_net_ws_post) waiting for one socket's worker; one
                                    more is refused (the poster's wake-up is a hint, not data) */
  PA_NET_FILE_CHUNK = 65536,     /* bytes of a file read and written at a time */
  PA_NET_FILE_INLINE = 256 * 1024, /* files up to this are read whole by the worker */
  /* Streamed answers (pa_net_resp_stream): bytes of one stream queued and
   * not yet written; a send past it means the client stopped reading, and
   * the stream is dropped. */
  PA_NET_STREAM_QUEUE_MAX = 256 * 1024,
  /* Seconds a stream may live; one its handler never ends is closed then.
   * Lowered for tests by the environment variable of the same name. */
  PA_NET_STREAM_MAX_S = 300
};

/* Which pool a request runs on, and how much body it may send. */
typedef struct pa_net_route {
  size_t body_max;   /* bytes; a larger Content-Length is refused with 413 before reading */
  int slow;          /* run on the slow workers */
  int needs_session; /* bodies over PA_NET_SMALL_BODY need a session cookie to be read at all */
} pa_net_route;

enum { PA_NET_SMALL_BODY = 64 * 1024 };

typedef struct pa_net pa_net;

/* A request as a handler sees it; valid until the handler returns. */
typedef struct pa_net_req {
  uint64_t conn; /* the connection's id (for WebSockets: pa_net_ws_send) */
  const pa_http_head *head;
  unsigned char *body; /* malloc'd; pa_net_req_take_body hands it over */
  size_t body_len;
  const char *remote_addr; /* numeric */
  int upgrade;             /* a WebSocket handshake: accept with pa_net_resp_accept_ws */
  /* This request's stream id, for pa_net_stream_send/_end once the handler
   * called pa_net_resp_stream; unique for the transport's life. */
  uint64_t stream;
} pa_net_req;

/* The body the handler's answer carries; *len set, the caller frees it. */
unsigned char *pa_net_req_take_body(pa_net_req *rq, size_t *len);

/* What a handler fills in. Strings are copied; the transport adds
 * Content-Length and Connection. */
typedef struct pa_net_resp {
  int status;
  char *head; /* "Name: value\r\n" lines */
  size_t head_len, head_cap;
  unsigned char *body; /* malloc'd, owned by the response */
  size_t body_len;
  int fd; /* >= 0: send bytes [offset, offset + length) of this file, then close it */
  long long offset, length;
  int head_only; /* HEAD: the headers (with the body's length) and no body */
  int close;     /* close the connection after this answer */
  int failed;    /* out of memory while building: the transport answers 500 */
  void *ws_user; /* a 101 was accepted with this per-socket state (see callbacks) */
  int stream;    /* a streamed answer (pa_net_resp_stream) */
} pa_net_resp;

/* Adds a header line; refuses CR/LF in name or value (marks failed). */
void pa_net_resp_header(pa_net_resp *r, const char *name, const char *value);
/* Copies len bytes as the body. */
void pa_net_resp_body(pa_net_resp *r, const void *body, size_t len);
/* Sends bytes [offset, offset + length) of fd (the response owns fd from here). */
void pa_net_resp_file(pa_net_resp *r, int fd, long long offset, long long length);
/* Accepts a WebSocket handshake: the transport answers 101 and keeps user
 * for pa_net_callbacks.ws_message/ws_closed. */
void pa_net_resp_accept_ws(pa_net_resp *r, void *user);
/* Streams the answer: the transport sends the status and headers at once
 * with Transfer-Encoding: chunked (adding Content-Type: text/event-stream
 * and Cache-Control: no-store unless the head already names them), keeps
 * the connection, and writes what pa_net_stream_send queues for the
 * request's stream id (pa_net_req.stream) until pa_net_stream_end. Any
 * body set is ignored. The connection is closed when the client goes, when
 * its queue passes PA_NET_STREAM_QUEUE_MAX, or at PA_NET_STREAM_MAX_S. */
void pa_net_resp_stream(pa_net_resp *r);

typedef struct pa_net_callbacks {
  void *arg; /* passed to every callback */
  /* Worker threads: a context each (a database connection), opened once. */
  void *(*worker_open)(void *arg);
  void (*worker_close)(void *ctx);
  /* Loop thread, once a head is parsed: must not block. */
  pa_net_route (*route)(void *arg, const pa_http_head *head);
  /* Worker: answer one request. */
  void (*handle)(void *arg, void *ctx, pa_net_req *rq, pa_net_resp *resp);
  /* Worker: one complete text message of an accepted socket; one at a time
   * per socket, in order. */
  void (*ws_message)(void *arg, void *ctx, uint64_t conn, void *user, const char *data, size_t len);
  /* Loop thread: the socket is gone and no message of it is running; frees user. */
  void (*ws_closed)(void *arg, uint64_t conn, void *user);
  /* Worker: a message this process posted to the socket with pa_net_ws_post,
   * run in order with the socket's own messages (one at a time per socket),
   * never mistaken for one the client sent. NULL: posts are dropped. */
  void (*ws_post)(void *arg, void *ctx, uint64_t conn, void *user, const char *data, size_t len);
} pa_net_callbacks;

typedef struct pa_net_config {
  const char *host;          /* numeric IPv4 or IPv6 */
  int port;                  /* 0 picks one */
  const char *error_headers; /* "Name: value\r\n" lines added to the transport's own errors */
  pa_net_callbacks cb;
  /* PA_PROXY_FROM's text (proxy.h): connections from these addresses begin
   * with a PROXY protocol v2 header naming the real client. NULL or "": nobody. */
  const char *proxy_from;
} pa_net_config;

/* Listens (connections wait in the backlog) and starts the workers. On
 * success the caller stops and frees *out with pa_net_stop; on failure err
 * says why. */
int pa_net_start(const pa_net_config *cfg, pa_net **out, char *err, size_t errlen);
/* The port listened on: known before anything is served. */
int pa_net_port(const pa_net *n);
/* Starts the loop thread: from here connections are accepted and served.
 * 0, or -1 when the thread could not start. */
int pa_net_run(pa_net *n);

/* From any thread: queue a text frame to socket conn (copied), or close it.
 * Unknown or closed sockets are ignored. pa_net_ws_send returns -1 when the
 * socket is gone. */
int pa_net_ws_send(pa_net *n, uint64_t conn, const char *text, size_t len);
void pa_net_ws_close(pa_net *n, uint64_t conn, int code, const char *reason);
/* From any thread: queue text (copied) for the socket's ws_post callback,
 * which runs on a worker in order with the socket's own messages. A post
 * equal to one still waiting for that socket is coalesced (0, nothing
 * queued): posts are wake-ups ("inbox"), and one pending is as good as two.
 * 0, or -1 when the socket is gone or has PA_WS_POSTS_MAX posts waiting. */
int pa_net_ws_post(pa_net *n, uint64_t conn, const char *text, size_t len);

/* From any thread, also before the handler that streams has returned
 * (bytes wait for the head): queue len bytes (copied, sent as one chunk) to
 * a stream. 0, or -1 when the stream is gone (the client left, it was
 * ended, it outlived PA_NET_STREAM_MAX_S) or this send would pass
 * PA_NET_STREAM_QUEUE_MAX (the stream is then dropped). len 0 sends nothing. */
int pa_net_stream_send(pa_net *n, uint64_t stream, const char *bytes, size_t len);
/* From any thread: the stream's last bytes are queued; the transport ends
 * the chunked body and the connection goes on (keep-alive). Later sends
 * return -1. Unknown or gone streams are ignored. */
void pa_net_stream_end(pa_net *n, uint64_t stream);

/* Stops accepting, closes every connection, lets running handlers finish,
 * joins every thread and frees n. */
void pa_net_stop(pa_net *n);

#endif
