/* pa_net on libuv — the only file that includes <uv.h>.
 *
 * One loop thread owns every socket: it accepts, reads into a shared
 * buffer, parses request heads and WebSocket frames, collects bodies, checks
 * caps and deadlines, and writes. Handlers and socket messages run on
 * worker pools; they answer through a mutex-guarded completion list and
 * mailbox that the loop drains when woken (uv_async). Workers never write
 * to a socket and never hold a lock while the loop writes.
 *
 * A connection is freed only when nothing refers to it any more: its libuv
 * handle, writes in flight, a job on a worker, a file read. Workers refer to
 * sockets by id, looked up on the loop thread, so a late answer to a closed
 * socket is dropped, never written to freed memory. */
#include "log.h"
#include "metrics/metrics.h"
#include "net.h"
#include "pool.h"
#include "proxy.h"
#include "ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <uv.h>

enum { READ_BUF = 65536, ADDR_BUCKETS = 4096, ID_SLOT_BITS = 20 };

/* S_STREAM: a streamed answer's head is out; its chunks come through the
 * mailbox until the stream ends. S_PROXY: a connection from PA_PROXY_FROM,
 * waiting for its PROXY v2 header (PA_NET_HEADER_MS from the accept). */
typedef enum { S_PROXY, S_HEAD, S_BODY, S_WAIT, S_SEND, S_WS, S_STREAM } conn_state;

/* What a mailbox entry of a stream asks for. */
enum { SOP_NONE, SOP_DATA, SOP_END, SOP_DROP };

/* Bytes on their way out: written by uv_write, freed when done. */
typedef struct outbuf {
  struct outbuf *next; /* in the mailbox or a socket's held list */
  uv_write_t req;
  struct conn *c;
  uint64_t conn_id;   /* mailbox: the socket it is for */
  int close_code;     /* mailbox: > 0 asks to close the socket with this code */
  int post;           /* mailbox: a post (pa_net_ws_post) waits for socket conn_id */
  int stream_op;      /* mailbox: SOP_*, conn_id is then a stream id */
  uint64_t stream_id; /* a stream's chunk: payload bytes leave its queue when written */
  size_t payload;     /* a stream's chunk: its bytes without the chunk framing */
  size_t pre;         /* a stream's chunk: bytes of the chunk-size line before them */
  unsigned char *ext; /* data lives here instead (a response body), freed with this */
  size_t len;
  unsigned char data[];
} outbuf;

typedef struct addr_slot {
  struct addr_slot *next;
  unsigned char key[16];
  int count;
} addr_slot;

/* A message of a socket waiting for its turn on a worker. In a socket's
 * pend list, post 1 is a marker: the next of the socket's posts (held in
 * pa_net.posts, under the lock) runs here, so posts keep their place among
 * the client's messages. In pa_net.posts, post 1 is the post itself. */
typedef struct wsmsg {
  struct wsmsg *next;
  size_t len;
  int post;
  char data[];
} wsmsg;

struct job;

typedef struct conn {
  uv_tcp_t tcp; /* first: handle pointers convert to conn */
  pa_net *net;
  uint64_t id;
  struct conn *prev, *next; /* every open connection, for the deadline sweep */
  addr_slot *addr;
  char addr_text[PA_PROXY_ADDR_MAX]; /* the peer's, or the client's its PROXY header named */
  conn_state state;
  int refs, closing, reading, close_after_write, in_list;
  int idle;      /* between requests on a kept-alive connection */
  int lingering; /* our last bytes are out: reading and dropping the peer's until it closes */
  uv_shutdown_t shut;
  uint64_t deadline; /* loop ms; 0: none */
  uint64_t started;  /* the current request's first byte (0: none yet) */
  /* input */
  char *in;
  size_t in_len, in_cap, scan;
  /* the request being read or run */
  struct job *job;
  long long body_left; /* -1: chunked */
  size_t body_raw;     /* bytes read for a chunked body, framing included */
  pa_http_chunked chunk;
  size_t body_max;
  int keep_alive;
  /* output */
  size_t out_pending; /* bytes handed to uv_write, not yet written */
  int file_fd, fs_busy;
  long long file_off, file_left;
  uv_fs_t fs;
  unsigned char *file_buf;
  /* WebSocket */
  void *ws_user;
  outbuf *held, **held_tail; /* frames queued before the 101 went out */
  size_t held_bytes;
  pa_ws_frame frame;
  int have_frame, msg_op, ws_busy, pend_count, read_paused;
  int ws_counted; /* in the WebSocket gauge (pa_metrics) */
  uint64_t frame_got;
  unsigned char *msg; /* the message being assembled */
  size_t msg_len;
  unsigned char ctl[PA_WS_CONTROL_MAX];
  wsmsg *pend, **pend_tail;
  uint64_t last_heard, ping_sent;
  /* Streamed answers: the id of the current request's stream (0: none),
   * when it must end, and where it stands. */
  uint64_t stream_id, stream_until;
  int stream_raw;         /* HTTP/1.0: no chunked framing, the end closes */
  int stream_end_pending; /* ended before its head went out */
  int stream_done;        /* the last chunk is written or on its way */
} conn;

enum { J_HTTP, J_WS };

typedef struct job {
  struct job *next; /* the completion list */
  int kind;
  conn *c;
  pa_net *net;
  /* J_HTTP */
  char *headbuf;
  pa_http_head head;
  pa_net_req req;
  pa_net_resp resp;
  int api, slow;
  char accept[PA_WS_ACCEPT_LEN + 1];
  /* J_WS */
  void *user;
  wsmsg *msg; /* msg->post: for cb.ws_post, else cb.ws_message */
} job;

struct pa_net {
  uv_loop_t loop;
  uv_tcp_t listener;
  uv_async_t wake;
  uv_timer_t sweep;
  pthread_t thread;
  int port, started_loop;
  pa_net_callbacks cb;
  char *error_headers;
  pa_pool *fast, *slow;
  /* limits in force (the constants, or lower from the environment) */
  uint64_t header_ms, request_ms, idle_ms, send_ms, ping_ms, stream_ms;
  int conns_max;
  /* loop-thread state */
  conn *list;
  uint64_t refusal_logged; /* loop ms of the last refusal logged */
  uint64_t proxy_logged;   /* loop ms of the last bad PROXY header logged */
  conn **slots;
  int *free_slots, nfree;
  uint64_t gen;
  addr_slot *addrs[ADDR_BUCKETS];
  uint64_t addr_seed;
  char readbuf[READ_BUF];
  int read_busy;
  /* shared with workers: under lock */
  pthread_mutex_t lock;
  job *done, **done_tail;
  outbuf *mail, **mail_tail;
  /* One per connection slot: the stream a sender may still write to, and
   * its payload bytes not yet written (PA_NET_STREAM_QUEUE_MAX). */
  struct {
    uint64_t id;
    size_t queued;
  } * streams;
  /* One per connection slot: the WebSocket (or handshake) posts may be
   * queued for (id 0: none), and its posts waiting for its worker. */
  struct {
    uint64_t id;
    int count;
    wsmsg *head, **tail;
  } * posts;
  pa_proxy_from proxy_from;  /* read-only after start */
  int phase;                 /* set by pa_net_stop: 1 stop serving, 2 finish */
  int served_stop, finished; /* the loop's own record of what it has done */
};

static void conn_close(conn *c);
static void posts_forget(conn *c);
static void process_input(conn *c);
static void after_write(conn *c);
static void stream_forget(conn *c);

static uint64_t now_ms(pa_net *n) { return uv_now(&n->loop); }

/* ---- responses built by handlers */

void pa_net_resp_header(pa_net_resp *r, const char *name, const char *value) {
  size_t nl = strlen(name), vl = strlen(value), need = r->head_len + nl + vl + 5;
  if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
    r->failed = 1;
    return;
  }
  if (need > r->head_cap) {
    size_t cap = r->head_cap ? r->head_cap * 2 : 512;
    while (cap < need) cap *= 2;
    char *p = realloc(r->head, cap);
    if (!p) {
      r->failed = 1;
      return;
    }
    r->head = p;
    r->head_cap = cap;
  }
  r->head_len += (size_t)sprintf(r->head + r->head_len, "%s: %s\r\n", name, value);
}

void pa_net_resp_body(pa_net_resp *r, const void *body, size_t len) {
  free(r->body);
  r->body = malloc(len ? len : 1);
  r->body_len = 0;
  if (!r->body) {
    r->failed = 1;
    return;
  }
  if (len) memcpy(r->body, body, len);
  r->body_len = len;
}

void pa_net_resp_file(pa_net_resp *r, int fd, long long offset, long long length) {
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
  /* A small file is read here, on the worker: one read instead of a trip
   * through the loop and libuv's file threads per chunk. */
  if (length <= PA_NET_FILE_INLINE) {
    unsigned char *b = malloc(length > 0 ? (size_t)length : 1);
    ssize_t got = 0;
    while (b && got < length) {
      ssize_t n = pread(fd, b + got, (size_t)(length - got), (off_t)(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += n;
    }
    close(fd);
    if (!b || got != length) {
      free(b);
      r->failed = 1;
      return;
    }
    free(r->body);
    r->body = b;
    r->body_len = (size_t)length;
    return;
  }
  r->fd = fd;
  r->offset = offset;
  r->length = length;
}

void pa_net_resp_accept_ws(pa_net_resp *r, void *user) {
  r->status = 101;
  r->ws_user = user;
}

void pa_net_resp_stream(pa_net_resp *r) { r->stream = 1; }

unsigned char *pa_net_req_take_body(pa_net_req *rq, size_t *len) {
  unsigned char *b = rq->body;
  *len = rq->body_len;
  rq->body = NULL;
  rq->body_len = 0;
  return b;
}

static void resp_free(pa_net_resp *r) {
  free(r->head);
  free(r->body);
  if (r->fd >= 0) close(r->fd);
  r->head = NULL;
  r->body = NULL;
  r->fd = -1;
}

static void job_free(job *j) {
  if (!j) return;
  free(j->headbuf);
  free(j->req.body);
  resp_free(&j->resp);
  free(j->msg);
  free(j);
}

/* ---- limits from the environment (tests lower them) */

static uint64_t env_limit(const char *name, uint64_t def) {
  const char *v = getenv(name);
  char *end;
  if (!v || !*v) return def;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  /* Only lower: a typo must not lift a limit. */
  return errno || *end || x == 0 || x > def ? def : (uint64_t)x;
}

/* ---- connection ids (mailbox lookups) and per-address counts */

static conn *conn_by_id(pa_net *n, uint64_t id) {
  uint64_t slot = id & ((1u << ID_SLOT_BITS) - 1);
  if (slot >= (uint64_t)n->conns_max) return NULL;
  conn *c = n->slots[slot];
  return c && c->id == id && !c->closing ? c : NULL;
}

static addr_slot **addr_bucket(pa_net *n, const unsigned char key[16]) {
  uint64_t h = n->addr_seed;
  for (int i = 0; i < 16; i++) h = (h ^ key[i]) * 0x100000001b3ull;
  h ^= h >> 29;
  return &n->addrs[h % ADDR_BUCKETS];
}

/* The peer's address as 16 bytes (IPv4 mapped) and as text. */
static int peer_key(uv_tcp_t *t, unsigned char key[16], char *text, size_t cap) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  memset(key, 0, 16);
  if (uv_tcp_getpeername(t, (struct sockaddr *)&ss, &len) != 0) return -1;
  if (ss.ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    key[10] = key[11] = 0xff;
    memcpy(key + 12, &a->sin_addr, 4);
    inet_ntop(AF_INET, &a->sin_addr, text, (socklen_t)cap);
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    memcpy(key, &a->sin6_addr, 16);
    inet_ntop(AF_INET6, &a->sin6_addr, text, (socklen_t)cap);
  }
  return 0;
}

/* A numeric address as the 16 bytes peer_key makes (IPv4 mapped). 0, or -1. */
static int text_key(const char *text, unsigned char key[16]) {
  unsigned char b[4];
  memset(key, 0, 16);
  if (inet_pton(AF_INET, text, b) == 1) {
    key[10] = key[11] = 0xff;
    memcpy(key + 12, b, 4);
    return 0;
  }
  return inet_pton(AF_INET6, text, key) == 1 ? 0 : -1;
}

static void refused(pa_net *n, const char *addr, const char *cap);

/* Counts c in under key (PA_NET_CONNS_PER_ADDR). 0, or -1 when key is at
 * the cap (logged) or out of memory; c is not counted then. */
static int addr_take(conn *c, const unsigned char key[16]) {
  pa_net *n = c->net;
  addr_slot **b = addr_bucket(n, key), *a = *b;
  while (a && memcmp(a->key, key, 16) != 0) a = a->next;
  if (a && a->count >= PA_NET_CONNS_PER_ADDR) {
    refused(n, c->addr_text, "PA_NET_CONNS_PER_ADDR");
    return -1;
  }
  if (!a) {
    if (!(a = calloc(1, sizeof *a))) return -1;
    memcpy(a->key, key, 16);
    a->next = *b;
    *b = a;
  }
  a->count++;
  c->addr = a;
  return 0;
}

/* ---- freeing */

static void conn_maybe_free(conn *c) {
  if (c->refs > 0) return;
  pa_net *n = c->net;
  if (c->ws_user && n->cb.ws_closed) n->cb.ws_closed(n->cb.arg, c->id, c->ws_user);
  for (outbuf *o = c->held, *next; o; o = next) {
    next = o->next;
    free(o);
  }
  for (wsmsg *m = c->pend, *next; m; m = next) {
    next = m->next;
    free(m);
  }
  if (c->file_fd >= 0) close(c->file_fd);
  job_free(c->job);
  free(c->in);
  free(c->msg);
  free(c->file_buf);
  free(c);
}

static void on_closed(uv_handle_t *h) {
  conn *c = (conn *)h;
  c->refs--;
  conn_maybe_free(c);
}

static void conn_close(conn *c) {
  pa_net *n = c->net;
  if (c->closing) return;
  stream_forget(c);
  posts_forget(c);
  c->closing = 1;
  if (c->in_list) {
    if (c->prev)
      c->prev->next = c->next;
    else
      n->list = c->next;
    if (c->next) c->next->prev = c->prev;
    c->in_list = 0;
  }
  /* Only a connection that was counted in reaches here with closing 0. */
  pa_metrics_gauge_add(PA_METRICS_CONNECTIONS, -1);
  if (c->ws_counted) pa_metrics_gauge_add(PA_METRICS_WEBSOCKETS, -1);
  c->ws_counted = 0;
  uint64_t slot = c->id & ((1u << ID_SLOT_BITS) - 1);
  if (n->slots[slot] == c) {
    n->slots[slot] = NULL;
    n->free_slots[n->nfree++] = (int)slot;
  }
  if (c->addr && --c->addr->count == 0) {
    addr_slot **p = addr_bucket(n, c->addr->key);
    while (*p != c->addr) p = &(*p)->next;
    *p = c->addr->next;
    free(c->addr);
  }
  c->addr = NULL;
  uv_close((uv_handle_t *)&c->tcp, on_closed);
}

/* ---- streams: the senders' view (under lock) and the loop's */

static uint64_t id_slot(uint64_t id) { return id & ((1u << ID_SLOT_BITS) - 1); }

/* Loop thread: senders may no longer write to c's stream; later sends get -1. */
static void stream_forget(conn *c) {
  pa_net *n = c->net;
  if (!c->stream_id) return;
  uint64_t slot = id_slot(c->stream_id);
  pthread_mutex_lock(&n->lock);
  if (n->streams[slot].id == c->stream_id) {
    n->streams[slot].id = 0;
    n->streams[slot].queued = 0;
  }
  pthread_mutex_unlock(&n->lock);
}

/* Loop thread: nothing more may be posted to c; what waits is dropped. */
static void posts_forget(conn *c) {
  pa_net *n = c->net;
  uint64_t slot = id_slot(c->id);
  wsmsg *drop = NULL;
  pthread_mutex_lock(&n->lock);
  if (n->posts[slot].id == c->id) {
    drop = n->posts[slot].head;
    n->posts[slot].id = 0;
    n->posts[slot].count = 0;
    n->posts[slot].head = NULL;
    n->posts[slot].tail = &n->posts[slot].head;
  }
  pthread_mutex_unlock(&n->lock);
  for (wsmsg *m = drop, *next; m; m = next) {
    next = m->next;
    free(m);
  }
}

/* Loop thread: the next post waiting for c (NULL: none, or c is gone). */
static wsmsg *posts_take(conn *c) {
  pa_net *n = c->net;
  uint64_t slot = id_slot(c->id);
  wsmsg *m = NULL;
  pthread_mutex_lock(&n->lock);
  if (n->posts[slot].id == c->id && (m = n->posts[slot].head)) {
    n->posts[slot].head = m->next;
    if (!m->next) n->posts[slot].tail = &n->posts[slot].head;
    n->posts[slot].count--;
  }
  pthread_mutex_unlock(&n->lock);
  return m;
}

/* Loop thread: m goes back first in line (no worker could take it). */
static void posts_untake(conn *c, wsmsg *m) {
  pa_net *n = c->net;
  uint64_t slot = id_slot(c->id);
  pthread_mutex_lock(&n->lock);
  if (n->posts[slot].id == c->id) {
    m->next = n->posts[slot].head;
    n->posts[slot].head = m;
    if (!m->next) n->posts[slot].tail = &m->next;
    n->posts[slot].count++;
    m = NULL;
  }
  pthread_mutex_unlock(&n->lock);
  free(m);
}

/* Loop thread: payload bytes of a stream reached the socket. */
static void stream_written(pa_net *n, uint64_t id, size_t payload) {
  uint64_t slot = id_slot(id);
  pthread_mutex_lock(&n->lock);
  if (n->streams[slot].id == id && n->streams[slot].queued >= payload)
    n->streams[slot].queued -= payload;
  pthread_mutex_unlock(&n->lock);
}

/* ---- writing */

static void on_shutdown(uv_shutdown_t *req, int status) {
  conn *c = req->data;
  c->refs--;
  if (c->closing) conn_maybe_free(c);
}

static void start_reading(conn *c);

/* Closing right after our last write would reset the connection if the
 * peer is still sending (an upload we refused, the rest of a huge frame),
 * and a reset can destroy our answer before the peer reads it. So: send
 * FIN, drop whatever still arrives, and close at EOF or PA_NET_LINGER_MS. */
static void conn_linger(conn *c) {
  if (c->lingering || c->closing) return;
  c->lingering = 1;
  c->deadline = now_ms(c->net) + PA_NET_LINGER_MS;
  c->shut.data = c;
  if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
    conn_close(c);
    return;
  }
  c->refs++;
  start_reading(c);
}

static void on_written(uv_write_t *req, int status) {
  outbuf *o = req->data;
  conn *c = o->c;
  c->out_pending -= o->len;
  c->refs--;
  if (o->stream_id) stream_written(c->net, o->stream_id, o->payload);
  free(o->ext);
  free(o);
  if (c->closing) {
    conn_maybe_free(c);
    return;
  }
  if (status < 0) {
    conn_close(c);
    return;
  }
  /* Progress: the send deadline starts again. */
  if (c->state == S_SEND || c->state == S_WS || c->state == S_STREAM)
    c->deadline = now_ms(c->net) + c->net->send_ms;
  after_write(c);
}

static outbuf *outbuf_new(size_t len) {
  outbuf *o = calloc(1, sizeof *o + len);
  if (o) o->len = len;
  return o;
}

/* Hands o to libuv (which keeps the order of writes); takes ownership. */
static void write_out(conn *c, outbuf *o) {
  if (c->closing) {
    free(o->ext);
    free(o);
    return;
  }
  uv_buf_t b = uv_buf_init((char *)(o->ext ? o->ext : o->data), (unsigned)o->len);
  o->c = c;
  o->req.data = o;
  c->out_pending += o->len;
  c->refs++;
  if (uv_write(&o->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
    c->out_pending -= o->len;
    c->refs--;
    free(o->ext);
    free(o);
    conn_close(c);
  }
}

static void write_bytes(conn *c, const void *p, size_t len) {
  outbuf *o = outbuf_new(len);
  if (!o) {
    conn_close(c);
    return;
  }
  memcpy(o->data, p, len);
  write_out(c, o);
}

/* A stream's chunk to the socket (its head is out); takes ownership. */
static void stream_write(conn *c, outbuf *o) {
  if (c->stream_raw) { /* HTTP/1.0: the bytes as they are, the end of the body is the close */
    memmove(o->data, o->data + o->pre, o->payload);
    o->len = o->payload;
    o->pre = 0;
  }
  write_out(c, o);
}

/* The stream's last chunk: the chunked body's end, after which the
 * connection serves its next request (request_done, from after_write); an
 * HTTP/1.0 stream is closed instead. */
static void stream_finish(conn *c) {
  stream_forget(c);
  c->stream_done = 1;
  c->deadline = now_ms(c->net) + c->net->send_ms;
  if (c->stream_raw) {
    c->close_after_write = 1;
    after_write(c);
    return;
  }
  write_bytes(c, "0\r\n\r\n", 5);
}

/* A frame (header + payload) as one buffer. */
static outbuf *frame_new(int opcode, const void *payload, size_t len) {
  uint8_t h[PA_WS_HEADER_MAX];
  size_t hl = pa_ws_frame_header(h, opcode, len);
  outbuf *o = outbuf_new(hl + len);
  if (!o) return NULL;
  memcpy(o->data, h, hl);
  if (len) memcpy(o->data + hl, payload, len);
  return o;
}

static void ws_close_now(conn *c, int code, const char *reason) {
  uint8_t payload[PA_WS_CONTROL_MAX];
  size_t n = pa_ws_close_payload(payload, code, reason);
  outbuf *o = frame_new(PA_WS_OP_CLOSE, payload, n);
  c->close_after_write = 1;
  c->deadline = now_ms(c->net) + c->net->send_ms;
  if (o) write_out(c, o);
  if (!o) conn_close(c);
  if (!c->closing && c->reading) { /* nothing more is read from a socket being closed */
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
  }
}

/* A socket frame from a worker or the loop: held until the 101 is out;
 * a socket whose queue passes PA_WS_SENDQ_MAX stopped reading: dropped. */
static void ws_queue(conn *c, outbuf *o) {
  if (c->out_pending + c->held_bytes + o->len > PA_WS_SENDQ_MAX) {
    free(o);
    conn_close(c);
    return;
  }
  if (c->state != S_WS) {
    o->next = NULL;
    *c->held_tail = o;
    c->held_tail = &o->next;
    c->held_bytes += o->len;
    return;
  }
  write_out(c, o);
}

/* The transport's own error answer; the connection closes after it. */
static void send_error(conn *c, int status, const char *extra) {
  pa_net *n = c->net;
  char body[160], head[256];
  int api = c->job && c->job->api;
  const char *code = status == 408   ? "timeout"
                     : status == 413 ? "payload_too_large"
                     : status == 401 ? "unauthorized"
                     : status == 503 ? "unavailable"
                     : status == 500 ? "internal"
                                     : "bad_request";
  int bl = api ? snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                          code, pa_http_status_text(status))
               : snprintf(body, sizeof body, "%d %s\n", status, pa_http_status_text(status));
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
                    "Content-Length: %d\r\nConnection: close\r\n",
                    status, pa_http_status_text(status),
                    api ? "application/json; charset=utf-8" : "text/plain; charset=utf-8", bl);
  size_t el = strlen(n->error_headers), xl = extra ? strlen(extra) : 0;
  outbuf *o = outbuf_new((size_t)hl + el + xl + 2 + (size_t)bl);
  if (!o) {
    conn_close(c);
    return;
  }
  unsigned char *p = o->data;
  memcpy(p, head, (size_t)hl);
  memcpy(p += hl, n->error_headers, el);
  memcpy(p += el, extra ? extra : "", xl);
  memcpy(p += xl, "\r\n", 2);
  memcpy(p + 2, body, (size_t)bl);
  c->state = S_SEND;
  c->close_after_write = 1;
  c->deadline = now_ms(n) + n->send_ms;
  if (c->reading) {
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
  }
  pa_metrics_transport_error(status);
  pa_log_event("warn", "net", "%s %d (%s)", c->addr_text, status, pa_http_status_text(status));
  write_out(c, o);
}

/* ---- files, read off the loop by libuv's thread pool */

static void on_file_read(uv_fs_t *req) {
  conn *c = req->data;
  ssize_t got = req->result;
  uv_fs_req_cleanup(req);
  c->fs_busy = 0;
  c->refs--;
  if (c->closing) {
    conn_maybe_free(c);
    return;
  }
  if (got <= 0) { /* the headers are out: all we can do is close */
    conn_close(c);
    return;
  }
  outbuf *o = outbuf_new((size_t)got);
  if (!o) {
    conn_close(c);
    return;
  }
  memcpy(o->data, c->file_buf, (size_t)got);
  c->file_off += got;
  c->file_left -= got;
  write_out(c, o);
}

static void file_next(conn *c) {
  size_t want = c->file_left < PA_NET_FILE_CHUNK ? (size_t)c->file_left : PA_NET_FILE_CHUNK;
  if (!c->file_buf && !(c->file_buf = malloc(PA_NET_FILE_CHUNK))) {
    conn_close(c);
    return;
  }
  uv_buf_t b = uv_buf_init((char *)c->file_buf, (unsigned)want);
  c->fs.data = c;
  if (uv_fs_read(&c->net->loop, &c->fs, c->file_fd, &b, 1, c->file_off, on_file_read) != 0) {
    conn_close(c);
    return;
  }
  c->fs_busy = 1;
  c->refs++;
}

/* ---- the request cycle */

static void request_done(conn *c) {
  pa_net *n = c->net;
  job_free(c->job);
  c->job = NULL;
  if (c->file_fd >= 0) {
    close(c->file_fd);
    c->file_fd = -1;
  }
  free(c->file_buf);
  c->file_buf = NULL;
  /* A stream's id dies with its request: late sends get -1, late chunks
   * (and those of a handler that sent but answered otherwise) are dropped. */
  stream_forget(c);
  c->stream_id = 0;
  c->stream_raw = c->stream_end_pending = c->stream_done = 0;
  for (outbuf *o = c->held, *next; o; o = next) {
    next = o->next;
    free(o);
  }
  c->held = NULL;
  c->held_tail = &c->held;
  c->held_bytes = 0;
  if (!c->keep_alive) {
    conn_close(c);
    return;
  }
  c->state = S_HEAD;
  c->started = 0;
  c->scan = 0;
  c->idle = 1;
  c->deadline = now_ms(n) + n->idle_ms;
  start_reading(c);
  process_input(c);
}

static void after_write(conn *c) {
  if (c->out_pending > 0) return;
  if (c->close_after_write) {
    conn_linger(c);
    return;
  }
  if (c->state == S_SEND) {
    if (c->file_left > 0) {
      if (!c->fs_busy) file_next(c);
      return;
    }
    request_done(c);
  } else if (c->state == S_STREAM) {
    if (c->stream_done) request_done(c);
  } else if (c->state == S_WS && c->read_paused && c->pend_count < PA_WS_PENDING_MAX) {
    c->read_paused = 0;
    start_reading(c);
  }
}

static void run_job(void *arg, void *ctx) {
  job *j = arg;
  pa_net *n = j->net;
  if (j->kind == J_HTTP)
    n->cb.handle(n->cb.arg, ctx, &j->req, &j->resp);
  else if (j->msg->post) /* ws_dispatch only takes a post when cb.ws_post is set */
    n->cb.ws_post(n->cb.arg, ctx, j->req.conn, j->user, j->msg->data, j->msg->len);
  else
    n->cb.ws_message(n->cb.arg, ctx, j->req.conn, j->user, j->msg->data, j->msg->len);
  pthread_mutex_lock(&n->lock);
  j->next = NULL;
  *n->done_tail = j;
  n->done_tail = &j->next;
  pthread_mutex_unlock(&n->lock);
  uv_async_send(&n->wake);
}

static void pend_pop(conn *c) {
  wsmsg *m = c->pend;
  c->pend = m->next;
  if (!c->pend) c->pend_tail = &c->pend;
  if (!m->post) c->pend_count--; /* markers do not hold the client's reading back */
}

/* The next message of a socket to its worker, when none is running: the
 * client's own, or (at a marker) the next post waiting for it. */
static void ws_dispatch(conn *c) {
  pa_net *n = c->net;
  while (!c->ws_busy && c->pend && !c->closing && c->state == S_WS) {
    wsmsg *m = c->pend, *run = m;
    if (m->post && (!(run = posts_take(c)) || !n->cb.ws_post)) {
      free(run); /* gone, or nobody to hear it */
      pend_pop(c);
      free(m);
      continue;
    }
    job *j = calloc(1, sizeof *j);
    if (j) {
      j->kind = J_WS;
      j->c = c;
      j->net = n;
      j->user = c->ws_user;
      j->msg = run;
      j->req.conn = c->id;
      j->resp.fd = -1;
    }
    if (!j || pa_pool_submit(n->fast, run_job, j) != 0) {
      free(j); /* out of memory or the pool is full: the sweep tries again */
      if (run != m) posts_untake(c, run);
      return;
    }
    pend_pop(c);
    if (run != m) free(m); /* the marker; the post itself went to the worker */
    c->ws_busy = 1;
    c->refs++;
  }
}

/* 1 when the handler's header lines name field (case-insensitive). */
static int resp_has_field(const pa_net_resp *r, const char *field) {
  size_t fl = strlen(field);
  for (size_t i = 0; i + fl < r->head_len;) {
    if (strncasecmp(r->head + i, field, fl) == 0 && r->head[i + fl] == ':') return 1;
    const char *nl = memchr(r->head + i, '\n', r->head_len - i);
    if (!nl) break;
    i = (size_t)(nl - r->head) + 1;
  }
  return 0;
}

/* A streamed answer's head, at once; then the chunks held so far. */
static void send_stream_head(conn *c, job *j) {
  pa_net *n = c->net;
  pa_net_resp *r = &j->resp;
  int raw = j->head.minor == 0; /* HTTP/1.0 knows no chunked encoding */
  if (raw || r->close) c->keep_alive = 0;
  c->job = j; /* freed by request_done; its body, if any, is not sent */
  char line[64], tail[192];
  int hl =
      snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", r->status, pa_http_status_text(r->status));
  int tl = snprintf(tail, sizeof tail, "%s%s%s%s\r\n",
                    resp_has_field(r, "Content-Type") ? "" : "Content-Type: text/event-stream\r\n",
                    resp_has_field(r, "Cache-Control") ? "" : "Cache-Control: no-store\r\n",
                    raw ? "" : "Transfer-Encoding: chunked\r\n",
                    c->keep_alive ? "" : "Connection: close\r\n");
  outbuf *o = outbuf_new((size_t)hl + r->head_len + (size_t)tl);
  if (!o) {
    conn_close(c);
    return;
  }
  memcpy(o->data, line, (size_t)hl);
  if (r->head_len) memcpy(o->data + hl, r->head, r->head_len);
  memcpy(o->data + hl + r->head_len, tail, (size_t)tl);
  c->deadline = now_ms(n) + n->send_ms;
  if (r->head_only) { /* HEAD: the head says what GET would stream, and that is all */
    stream_forget(c);
    c->state = S_SEND;
    write_out(c, o);
    return;
  }
  c->state = S_STREAM;
  c->stream_raw = raw;
  c->stream_until = now_ms(n) + n->stream_ms;
  write_out(c, o);
  for (outbuf *h = c->held, *next; h && !c->closing; h = next) {
    next = h->next;
    c->held = next;
    c->held_bytes -= h->len;
    stream_write(c, h);
  }
  if (c->closing) return;
  c->held_tail = &c->held;
  if (c->stream_end_pending) stream_finish(c);
}

static void send_response(conn *c, job *j) {
  pa_net *n = c->net;
  pa_net_resp *r = &j->resp;
  char line[256]; /* the status line, or the whole 101 answer */
  if (r->failed || r->status < 100 || r->status > 599) {
    c->job = j;
    send_error(c, 500, NULL);
    return;
  }
  if (r->status == 101 && j->req.upgrade && r->ws_user) {
    int hl = snprintf(line, sizeof line,
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                      j->accept);
    c->ws_user = r->ws_user;
    r->ws_user = NULL;
    job_free(j);
    c->job = NULL;
    c->state = S_WS;
    c->ws_counted = 1;
    pa_metrics_gauge_add(PA_METRICS_WEBSOCKETS, 1);
    c->deadline = 0;
    c->last_heard = c->ping_sent = now_ms(n);
    write_bytes(c, line, (size_t)hl);
    for (outbuf *o = c->held, *next; o && !c->closing; o = next) {
      next = o->next;
      c->held = next;
      c->held_bytes -= o->len;
      write_out(c, o);
    }
    c->held_tail = &c->held;
    ws_dispatch(c); /* posts made while the handshake ran */
    start_reading(c);
    process_input(c); /* frames the client sent right after its handshake */
    return;
  }
  if (r->status == 101) r->status = 500; /* 101 for a request that asked for no upgrade */
  if (r->stream && !j->req.upgrade && r->status >= 200 && r->status != 204 && r->status != 304) {
    send_stream_head(c, j);
    return;
  }
  c->job = j;
  if (j->req.upgrade || r->close) c->keep_alive = 0;
  long long len = r->fd >= 0 ? r->length : (long long)r->body_len;
  int hl =
      snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", r->status, pa_http_status_text(r->status));
  char tail[96];
  int tl = r->status == 304 || r->status == 204
               ? snprintf(tail, sizeof tail, "%s\r\n", c->keep_alive ? "" : "Connection: close\r\n")
               : snprintf(tail, sizeof tail, "Content-Length: %lld\r\n%s\r\n", len,
                          c->keep_alive ? "" : "Connection: close\r\n");
  outbuf *o = outbuf_new((size_t)hl + r->head_len + (size_t)tl);
  if (!o) {
    conn_close(c);
    return;
  }
  memcpy(o->data, line, (size_t)hl);
  if (r->head_len) memcpy(o->data + hl, r->head, r->head_len);
  memcpy(o->data + hl + r->head_len, tail, (size_t)tl);
  c->state = S_SEND;
  c->deadline = now_ms(n) + n->send_ms;
  write_out(c, o);
  if (c->closing) return;
  if (r->head_only || r->status == 304 || r->status == 204) return;
  if (r->fd >= 0) {
    c->file_fd = r->fd;
    r->fd = -1;
    c->file_off = r->offset;
    c->file_left = r->length;
  } else if (r->body_len) {
    outbuf *b = outbuf_new(0);
    if (!b) {
      conn_close(c);
      return;
    }
    b->ext = r->body;
    b->len = r->body_len;
    r->body = NULL;
    write_out(c, b);
  }
}

/* A stream's chunk, end or drop from a sender; takes ownership of o. */
static void stream_mail(pa_net *n, outbuf *o) {
  uint64_t slot = id_slot(o->conn_id);
  conn *c = slot < (uint64_t)n->conns_max ? n->slots[slot] : NULL;
  if (!c || c->closing || c->stream_id != o->conn_id || c->close_after_write || c->stream_done) {
    free(o); /* the stream is over: the sender has been told or will be */
    return;
  }
  int op = o->stream_op;
  if (op == SOP_DROP) { /* its queue overflowed: a client that stopped reading */
    free(o);
    conn_close(c);
  } else if (op == SOP_END) {
    free(o);
    if (c->state == S_STREAM)
      stream_finish(c);
    else
      c->stream_end_pending = 1;
  } else if (c->state == S_STREAM) {
    stream_write(c, o);
  } else if (c->state == S_BODY || c->state == S_WAIT) { /* the head is not out yet */
    o->next = NULL;
    *c->held_tail = o;
    c->held_tail = &o->next;
    c->held_bytes += o->len;
  } else {
    free(o); /* the handler answered without streaming */
  }
}

/* The wake-up: finished jobs first, then frames and closes from workers. */
static void on_wake(uv_async_t *a) {
  pa_net *n = a->data;
  pthread_mutex_lock(&n->lock);
  job *done = n->done;
  outbuf *mail = n->mail;
  n->done = NULL;
  n->done_tail = &n->done;
  n->mail = NULL;
  n->mail_tail = &n->mail;
  int phase = n->phase;
  pthread_mutex_unlock(&n->lock);
  for (job *j = done, *next; j; j = next) {
    next = j->next;
    conn *c = j->c;
    c->refs--;
    if (j->kind == J_WS) {
      c->ws_busy = 0;
      job_free(j);
      if (c->closing) {
        conn_maybe_free(c);
        continue;
      }
      ws_dispatch(c);
      after_write(c); /* resumes reading if the queue drained */
      continue;
    }
    if (c->closing) {
      /* Accepted for a socket that left meanwhile: the owner of the state
       * still has to hear it is gone. */
      if (j->resp.ws_user && n->cb.ws_closed) n->cb.ws_closed(n->cb.arg, c->id, j->resp.ws_user);
      job_free(j);
      conn_maybe_free(c);
      continue;
    }
    send_response(c, j);
  }
  for (outbuf *o = mail, *next; o; o = next) {
    next = o->next;
    if (o->stream_op) {
      stream_mail(n, o);
      continue;
    }
    conn *c = conn_by_id(n, o->conn_id);
    if (o->post) { /* a marker: the post's place among the client's messages */
      wsmsg *m = c && !c->close_after_write ? calloc(1, sizeof *m) : NULL;
      free(o);
      if (!m) continue; /* gone; out of memory: the post waits for the close */
      m->post = 1;
      *c->pend_tail = m;
      c->pend_tail = &m->next;
      ws_dispatch(c);
      continue;
    }
    if (!c || c->close_after_write) {
      free(o);
    } else if (o->close_code) {
      if (c->state == S_WS) {
        ws_close_now(c, o->close_code, (const char *)o->data);
      } else {
        conn_close(c);
      }
      free(o);
    } else {
      ws_queue(c, o);
    }
  }
  if (phase >= 1 && !n->served_stop) {
    n->served_stop = 1;
    uv_close((uv_handle_t *)&n->listener, NULL);
    uv_timer_stop(&n->sweep);
    while (n->list) conn_close(n->list);
  }
  if (phase == 2 && !n->finished) {
    n->finished = 1;
    uv_close((uv_handle_t *)&n->sweep, NULL);
    uv_close((uv_handle_t *)&n->wake, NULL);
  }
}

/* ---- reading */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  conn *c = (conn *)h;
  /* One buffer for the whole loop: libuv reads into it and calls on_read
   * before the next allocation, so an idle socket holds no read buffer. */
  if (c->net->read_busy) {
    buf->base = NULL;
    buf->len = 0;
    return;
  }
  c->net->read_busy = 1;
  buf->base = c->net->readbuf;
  buf->len = sizeof c->net->readbuf;
}

static int in_append(conn *c, const char *p, size_t len) {
  if (c->in_len + len > c->in_cap) {
    size_t cap = c->in_cap ? c->in_cap : 1024;
    while (cap < c->in_len + len) cap *= 2;
    char *q = realloc(c->in, cap + 1);
    if (!q) return -1;
    c->in = q;
    c->in_cap = cap;
  }
  memcpy(c->in + c->in_len, p, len);
  c->in_len += len;
  return 0;
}

static void in_consume(conn *c, size_t n) {
  memmove(c->in, c->in + n, c->in_len - n);
  c->in_len -= n;
  if (c->in_len == 0 && c->in_cap > 4096) { /* an idle socket gives its buffer back */
    free(c->in);
    c->in = NULL;
    c->in_cap = 0;
  }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn *c = (conn *)s;
  pa_net *n = c->net;
  if (buf->base == n->readbuf) n->read_busy = 0;
  if (nread == 0) return;
  if (nread < 0 || c->closing) {
    conn_close(c);
    return;
  }
  if (c->lingering) return; /* dropped unread */
  if (in_append(c, buf->base, (size_t)nread) != 0) {
    conn_close(c);
    return;
  }
  if (c->state == S_WS) c->last_heard = now_ms(n);
  process_input(c);
}

static void start_reading(conn *c) {
  if (c->reading || c->closing || (c->close_after_write && !c->lingering)) return;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) c->reading = 1;
}

static void stop_reading(conn *c) {
  if (!c->reading) return;
  uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = 0;
}

/* The head is in c->in[0..end): parse a private copy, pick the route. */
static void begin_request(conn *c, size_t end) {
  pa_net *n = c->net;
  job *j = calloc(1, sizeof *j);
  char *copy = j ? malloc(end + 1) : NULL;
  if (!copy) {
    free(j);
    conn_close(c);
    return;
  }
  memcpy(copy, c->in, end);
  copy[end] = '\0';
  in_consume(c, end);
  c->scan = 0;
  j->kind = J_HTTP;
  j->c = c;
  j->net = n;
  j->headbuf = copy;
  j->resp.fd = -1;
  c->job = j;
  int rc = pa_http_parse_head(copy, end, &j->head);
  if (rc < 0) {
    send_error(c, -rc, NULL);
    return;
  }
  j->api = strncmp(j->head.path, "/api/", 5) == 0;
  j->req.conn = c->id;
  /* A stream id per request (not a WebSocket handshake, whose held frames
   * must stay frames), known to senders before the handler answers. */
  if (!j->head.upgrade_ws) {
    c->stream_id = (++n->gen << ID_SLOT_BITS) | id_slot(c->id);
    j->req.stream = c->stream_id;
    pthread_mutex_lock(&n->lock);
    n->streams[id_slot(c->id)].id = c->stream_id;
    n->streams[id_slot(c->id)].queued = 0;
    pthread_mutex_unlock(&n->lock);
  }
  j->req.head = &j->head;
  j->req.remote_addr = c->addr_text;
  c->keep_alive = j->head.keep_alive;
  pa_net_route route = n->cb.route(n->cb.arg, &j->head);
  j->slow = route.slow;
  if (j->head.upgrade_ws) {
    const char *version = pa_http_field_get(&j->head, "Sec-WebSocket-Version");
    if (!version || strcmp(version, "13") != 0) {
      send_error(c, 426, "Sec-WebSocket-Version: 13\r\n");
      return;
    }
    if (pa_ws_accept_key(pa_http_field_get(&j->head, "Sec-WebSocket-Key"), j->accept) != 0 ||
        j->head.content_length > 0 || j->head.chunked) {
      send_error(c, 400, NULL);
      return;
    }
    j->req.upgrade = 1;
    /* Posts may be queued from here (the handler registers the socket
     * before its 101 is out); they run once it is. */
    pthread_mutex_lock(&n->lock);
    n->posts[id_slot(c->id)].id = c->id;
    pthread_mutex_unlock(&n->lock);
  }
  long long declared = j->head.chunked              ? -1
                       : j->head.content_length > 0 ? j->head.content_length
                                                    : 0;
  c->body_max = route.body_max;
  if (declared > (long long)route.body_max) {
    send_error(c, 413, NULL);
    return;
  }
  /* A large upload from someone with no session is not worth reading. */
  const char *cookie = pa_http_field_get(&j->head, "Cookie");
  if (route.needs_session && (declared > PA_NET_SMALL_BODY || declared < 0) &&
      (!cookie || !strstr(cookie, "pa_session="))) {
    send_error(c, 401, NULL);
    return;
  }
  if (j->head.expect_continue && declared != 0) write_bytes(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
  c->body_left = declared;
  c->body_raw = 0;
  memset(&c->chunk, 0, sizeof c->chunk);
  if (declared > 0 && !(j->req.body = malloc((size_t)declared))) {
    send_error(c, 503, "Retry-After: 1\r\n");
    return;
  }
  c->state = S_BODY;
  /* One deadline for the whole body, set once: trickling bytes do not move it. */
  uint64_t allow = (declared > 0 ? (uint64_t)declared : route.body_max) * 1000 / PA_NET_BODY_RATE;
  c->deadline = now_ms(n) + n->request_ms + (declared == 0 ? 0 : allow);
}

static void dispatch(conn *c) {
  pa_net *n = c->net;
  job *j = c->job;
  c->state = S_WAIT;
  c->deadline = 0;
  if (pa_pool_submit(j->slow ? n->slow : n->fast, run_job, j) != 0) {
    pa_metrics_count(j->slow ? PA_METRICS_REJECTED_SLOW : PA_METRICS_REJECTED_FAST, 1);
    send_error(c, 503, "Retry-After: 1\r\n");
    return;
  }
  c->job = NULL; /* the worker has it now; it comes back through on_wake */
  c->refs++;
}

/* Body bytes from c->in; dispatches once complete. 1: go on, 0: need more. */
static int read_body(conn *c) {
  job *j = c->job;
  if (c->body_left >= 0) {
    size_t take = c->in_len < (size_t)c->body_left ? c->in_len : (size_t)c->body_left;
    if (take) memcpy(j->req.body + j->req.body_len, c->in, take);
    j->req.body_len += take;
    c->body_left -= (long long)take;
    in_consume(c, take);
    if (c->body_left > 0) return 0;
  } else {
    size_t used = 0, out = 0;
    int rc = pa_http_chunked_step(&c->chunk, c->in, c->in_len, &used, &out);
    if (rc < 0) {
      send_error(c, 400, NULL);
      return 0;
    }
    /* Framing counts too: endless chunk extensions or trailers carry no
     * payload but must not be read forever. */
    c->body_raw += used;
    if (j->req.body_len + out > c->body_max || c->body_raw > c->body_max + PA_NET_SMALL_BODY) {
      send_error(c, 413, NULL);
      return 0;
    }
    if (out) {
      unsigned char *b = realloc(j->req.body, j->req.body_len + out);
      if (!b) {
        send_error(c, 503, "Retry-After: 1\r\n");
        return 0;
      }
      memcpy(b + j->req.body_len, c->in, out);
      j->req.body = b;
      j->req.body_len += out;
    }
    in_consume(c, used);
    if (rc == 0) return 0;
  }
  dispatch(c);
  return 1;
}

/* A complete frame's payload is in place: act on it. 0 to go on. */
static int ws_frame_done(conn *c) {
  pa_ws_frame *f = &c->frame;
  c->have_frame = 0;
  if (f->opcode == PA_WS_OP_PING) {
    outbuf *o = frame_new(PA_WS_OP_PONG, c->ctl, (size_t)f->length);
    if (o) ws_queue(c, o);
    return c->closing;
  }
  if (f->opcode == PA_WS_OP_PONG) return 0;
  if (f->opcode == PA_WS_OP_CLOSE) {
    int code = f->length >= 2 ? c->ctl[0] << 8 | c->ctl[1] : PA_WS_CLOSE_NORMAL;
    ws_close_now(c, code >= 1000 && code < 5000 ? code : PA_WS_CLOSE_PROTOCOL, "");
    return 1;
  }
  if (!f->fin) return 0;
  if (!pa_ws_utf8_ok(c->msg, c->msg_len)) {
    ws_close_now(c, PA_WS_CLOSE_BAD_DATA, "text must be UTF-8");
    return 1;
  }
  wsmsg *m = malloc(sizeof *m + c->msg_len + 1);
  if (!m) {
    ws_close_now(c, PA_WS_CLOSE_TRY_LATER, "out of memory");
    return 1;
  }
  m->next = NULL;
  m->len = c->msg_len;
  m->post = 0;
  memcpy(m->data, c->msg, c->msg_len);
  m->data[c->msg_len] = '\0';
  free(c->msg);
  c->msg = NULL;
  c->msg_len = 0;
  c->msg_op = 0;
  *c->pend_tail = m;
  c->pend_tail = &m->next;
  if (++c->pend_count >= PA_WS_PENDING_MAX) { /* not read again until its worker catches up */
    stop_reading(c);
    c->read_paused = 1;
  }
  ws_dispatch(c);
  return 0;
}

/* Frames from c->in. 0 when more bytes are needed or the socket closes. */
static int read_frames(conn *c) {
  while (c->in_len > 0 && !c->close_after_write && !c->closing) {
    if (!c->have_frame) {
      int code = 0;
      int rc = pa_ws_parse_header((const uint8_t *)c->in, c->in_len, &c->frame, &code);
      if (rc == 0) return 0;
      if (rc < 0) {
        ws_close_now(c, code, "protocol error");
        return 0;
      }
      pa_ws_frame *f = &c->frame;
      if (f->opcode == PA_WS_OP_BINARY) {
        ws_close_now(c, PA_WS_CLOSE_UNSUPPORTED, "text frames only");
        return 0;
      }
      if (f->opcode < 0x8) {
        if ((f->opcode == PA_WS_OP_CONT) != (c->msg_op != 0)) {
          ws_close_now(c, PA_WS_CLOSE_PROTOCOL, "bad fragmentation");
          return 0;
        }
        /* Refused from the header, before a byte of it is buffered. */
        if (f->length > PA_WS_MESSAGE_MAX - c->msg_len) {
          ws_close_now(c, PA_WS_CLOSE_TOO_BIG, "message too big");
          return 0;
        }
        unsigned char *m = realloc(c->msg, c->msg_len + (size_t)f->length + 1);
        if (!m) {
          ws_close_now(c, PA_WS_CLOSE_TRY_LATER, "out of memory");
          return 0;
        }
        c->msg = m;
        if (f->opcode != PA_WS_OP_CONT) c->msg_op = f->opcode;
      }
      in_consume(c, f->header_len);
      c->have_frame = 1;
      c->frame_got = 0;
    }
    pa_ws_frame *f = &c->frame;
    size_t want = (size_t)(f->length - c->frame_got);
    size_t take = c->in_len < want ? c->in_len : want;
    unsigned char *dst = f->opcode >= 0x8 ? c->ctl + c->frame_got : c->msg + c->msg_len;
    memcpy(dst, c->in, take);
    pa_ws_unmask(dst, take, f->mask, c->frame_got);
    c->frame_got += take;
    if (f->opcode < 0x8) c->msg_len += take;
    in_consume(c, take);
    if (c->frame_got < f->length) return 0;
    if (ws_frame_done(c)) return 0;
  }
  return 0;
}

/* The header named the client (addr, or "" for LOCAL: the proxy speaks for
 * itself): from here it is the connection's address, and it is counted
 * against PA_NET_CONNS_PER_ADDR only now, so the cap counts real clients
 * and not the proxy. 0, or -1 when c was closed (at the cap). */
static int proxy_client(conn *c, const char *addr) {
  unsigned char key[16];
  if (addr[0]) {
    size_t l = strlen(addr);
    if (l >= sizeof c->addr_text || text_key(addr, key) != 0) {
      conn_close(c);
      return -1;
    }
    memcpy(c->addr_text, addr, l + 1);
  } else if (peer_key(&c->tcp, key, c->addr_text, sizeof c->addr_text) != 0) {
    conn_close(c);
    return -1;
  }
  if (addr_take(c, key) != 0) {
    conn_close(c);
    return -1;
  }
  return 0;
}

static void process_input(conn *c) {
  pa_net *n = c->net;
  while (!c->closing && !c->close_after_write) {
    switch (c->state) {
    case S_PROXY: {
      char addr[PA_PROXY_ADDR_MAX], why[128];
      int rc = pa_proxy_parse((const unsigned char *)c->in, c->in_len, addr, why, sizeof why);
      if (rc == 0) return;
      if (rc < 0) { /* a listed proxy speaking garbage: nothing in it can be trusted */
        uint64_t now = now_ms(n);
        if (now - n->proxy_logged >=
            1000) { /* a misconfigured proxy: once a second, not per request */
          n->proxy_logged = now;
          pa_log_event("warn", "net", "%s: PROXY header refused: %s", c->addr_text, why);
        }
        conn_close(c);
        return;
      }
      in_consume(c, (size_t)rc);
      if (proxy_client(c, addr) != 0) return;
      c->state = S_HEAD; /* what follows the header, in this read or later, is HTTP */
      break;
    }
    case S_HEAD: {
      if (c->in_len == 0) return;
      if (!c->started) {
        /* A new connection's head deadline runs from its accept; a kept-alive
         * one's from the first byte of its next request. */
        c->started = now_ms(n);
        if (c->idle) c->deadline = c->started + n->header_ms;
        c->idle = 0;
      }
      size_t end = pa_http_head_end(c->in, c->in_len, &c->scan);
      if (!end) {
        if (c->in_len >= PA_HTTP_HEAD_MAX)
          send_error(c, memchr(c->in, '\n', c->in_len) ? 431 : 414, NULL);
        return;
      }
      begin_request(c, end);
      break;
    }
    case S_BODY:
      if (!read_body(c)) return;
      break;
    case S_WAIT:
    case S_SEND:
      /* A pipelined request waits; past one head's worth, stop reading. */
      if (c->in_len > PA_HTTP_HEAD_MAX) stop_reading(c);
      return;
    case S_WS: read_frames(c); return;
    case S_STREAM:
      /* Reading goes on so a client that leaves is noticed; a pipelined
       * request waits, but a stream's client has nothing more to say. */
      if (c->in_len > PA_HTTP_HEAD_MAX) conn_close(c);
      return;
    }
  }
}

/* ---- accepting */

/* A connection closed at accept: said in the log, at most once a second, so
 * a flood cannot fill the disk. */
static void refused(pa_net *n, const char *addr, const char *cap) {
  uint64_t now = now_ms(n);
  if (now - n->refusal_logged < 1000) return;
  n->refusal_logged = now;
  pa_log_event("warn", "net", "refused a connection from %s: %s reached", addr[0] ? addr : "?",
               cap);
}

static void on_connection(uv_stream_t *server, int status) {
  pa_net *n = server->data;
  if (status < 0) return;
  conn *c = calloc(1, sizeof *c);
  if (!c) return;
  c->net = n;
  c->file_fd = -1;
  c->held_tail = &c->held;
  c->pend_tail = &c->pend;
  if (uv_tcp_init(&n->loop, &c->tcp) != 0) {
    free(c);
    return;
  }
  c->refs = 1;    /* the handle */
  c->closing = 1; /* until counted in */
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    return;
  }
  unsigned char key[16];
  if (peer_key(&c->tcp, key, c->addr_text, sizeof c->addr_text) != 0 || n->nfree == 0) {
    refused(n, c->addr_text, "PA_NET_CONNS_MAX");
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    return;
  }
  /* A listed proxy's connection is counted under the client its header
   * names, once it has arrived (proxy_client); until then only
   * PA_NET_CONNS_MAX and PA_NET_HEADER_MS hold it. */
  int proxied = n->proxy_from.n > 0 && pa_proxy_from_match(&n->proxy_from, c->addr_text);
  if (!proxied && addr_take(c, key) != 0) {
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    return;
  }
  c->closing = 0;
  pa_metrics_gauge_add(PA_METRICS_CONNECTIONS, 1);
  int slot = n->free_slots[--n->nfree];
  c->id = (++n->gen << ID_SLOT_BITS) | (uint64_t)slot;
  n->slots[slot] = c;
  c->next = n->list;
  if (n->list) n->list->prev = c;
  n->list = c;
  c->in_list = 1;
  uv_tcp_nodelay(&c->tcp, 1);
  c->state = proxied ? S_PROXY : S_HEAD;
  c->deadline = now_ms(n) + n->header_ms;
  start_reading(c);
}

/* ---- deadlines */

static void on_sweep(uv_timer_t *t) {
  pa_net *n = t->data;
  uint64_t now = now_ms(n);
  for (conn *c = n->list, *next; c; c = next) {
    next = c->next;
    if (c->lingering) {
      if (now >= c->deadline) conn_close(c);
      continue;
    }
    if (c->state == S_WS) {
      if (c->out_pending > 0 || c->close_after_write) {
        /* Writes that make no progress: a peer that stopped reading. */
        if (!c->deadline) {
          c->deadline = now + n->send_ms;
        } else if (now >= c->deadline) {
          conn_close(c);
          continue;
        }
      } else {
        c->deadline = 0;
      }
      if (c->close_after_write) continue;
      if (now - c->last_heard >= 2 * n->ping_ms) {
        conn_close(c);
      } else if (now - c->last_heard >= n->ping_ms && now - c->ping_sent >= n->ping_ms) {
        outbuf *o = frame_new(PA_WS_OP_PING, NULL, 0);
        c->ping_sent = now;
        if (o) ws_queue(c, o);
      } else if (c->pend && !c->ws_busy) {
        ws_dispatch(c); /* the pool was full at the time */
      }
      continue;
    }
    if (c->state == S_STREAM) {
      if (!c->stream_done && now >= c->stream_until) { /* PA_NET_STREAM_MAX_S: ended, then closed */
        c->keep_alive = 0;
        stream_finish(c);
        continue;
      }
      if (c->out_pending > 0) { /* writes that make no progress: a peer that stopped reading */
        if (!c->deadline)
          c->deadline = now + n->send_ms;
        else if (now >= c->deadline)
          conn_close(c);
      } else if (!c->stream_done) {
        c->deadline = 0;
      }
      continue;
    }
    if (!c->deadline || now < c->deadline) continue;
    if ((c->state == S_HEAD && c->started) || c->state == S_BODY)
      send_error(c, 408, NULL);
    else
      conn_close(c); /* idle, or a response nobody reads */
  }
}

/* ---- from workers */

int pa_net_ws_send(pa_net *n, uint64_t conn_id, const char *text, size_t len) {
  outbuf *o = frame_new(PA_WS_OP_TEXT, text, len);
  if (!o) return -1;
  o->conn_id = conn_id;
  pthread_mutex_lock(&n->lock);
  *n->mail_tail = o;
  n->mail_tail = &o->next;
  pthread_mutex_unlock(&n->lock);
  uv_async_send(&n->wake);
  return 0;
}

void pa_net_ws_close(pa_net *n, uint64_t conn_id, int code, const char *reason) {
  size_t rl = reason ? strlen(reason) : 0;
  outbuf *o = outbuf_new(rl + 1);
  if (!o) return;
  o->conn_id = conn_id;
  o->close_code = code;
  memcpy(o->data, reason ? reason : "", rl + 1);
  pthread_mutex_lock(&n->lock);
  *n->mail_tail = o;
  n->mail_tail = &o->next;
  pthread_mutex_unlock(&n->lock);
  uv_async_send(&n->wake);
}

int pa_net_stream_send(pa_net *n, uint64_t stream, const char *bytes, size_t len) {
  uint64_t slot = id_slot(stream);
  if (!stream || slot >= (uint64_t)n->conns_max) return -1;
  char pre[24];
  int pl = snprintf(pre, sizeof pre, "%zx\r\n", len);
  outbuf *o = len ? outbuf_new((size_t)pl + len + 2) : NULL;
  if (o) {
    memcpy(o->data, pre, (size_t)pl);
    memcpy(o->data + pl, bytes, len);
    memcpy(o->data + pl + len, "\r\n", 2);
    o->conn_id = o->stream_id = stream;
    o->stream_op = SOP_DATA;
    o->payload = len;
    o->pre = (size_t)pl;
  }
  pthread_mutex_lock(&n->lock);
  int rc = 0;
  if (n->streams[slot].id != stream) {
    rc = -1;
  } else if (len && (!o || len > PA_NET_STREAM_QUEUE_MAX - n->streams[slot].queued)) {
    /* Past the bound (or out of memory): the stream is dropped, not grown. */
    n->streams[slot].id = 0;
    rc = -1;
    if (o || (o = outbuf_new(0))) {
      o->conn_id = stream;
      o->stream_id = 0;
      o->stream_op = SOP_DROP;
      o->len = 0;
    }
  } else if (o) {
    n->streams[slot].queued += len;
  }
  if (o && (rc == 0 || o->stream_op == SOP_DROP)) {
    o->next = NULL;
    *n->mail_tail = o;
    n->mail_tail = &o->next;
    o = NULL;
  }
  pthread_mutex_unlock(&n->lock);
  free(o);
  uv_async_send(&n->wake);
  return rc;
}

void pa_net_stream_end(pa_net *n, uint64_t stream) {
  uint64_t slot = id_slot(stream);
  if (!stream || slot >= (uint64_t)n->conns_max) return;
  outbuf *o = outbuf_new(0);
  if (!o) return; /* PA_NET_STREAM_MAX_S ends it */
  o->conn_id = stream;
  o->stream_op = SOP_END;
  pthread_mutex_lock(&n->lock);
  if (n->streams[slot].id == stream) {
    n->streams[slot].id = 0;
    *n->mail_tail = o;
    n->mail_tail = &o->next;
    o = NULL;
  }
  pthread_mutex_unlock(&n->lock);
  free(o);
  uv_async_send(&n->wake);
}

/* ---- life cycle */

static void *loop_thread(void *arg) {
  pa_net *n = arg;
  uv_run(&n->loop, UV_RUN_DEFAULT);
  return NULL;
}

static void net_free(pa_net *n) {
  pa_pool_free(n->fast);
  pa_pool_free(n->slow);
  free(n->slots);
  free(n->free_slots);
  free(n->streams);
  free(n->posts);
  free(n->error_headers);
  pthread_mutex_destroy(&n->lock);
  free(n);
}

/* Undoes a start that got as far as the loop's handles. */
static void start_failed(pa_net *n) {
  uv_close((uv_handle_t *)&n->listener, NULL);
  uv_close((uv_handle_t *)&n->wake, NULL);
  uv_close((uv_handle_t *)&n->sweep, NULL);
  uv_run(&n->loop, UV_RUN_DEFAULT);
  uv_loop_close(&n->loop);
  net_free(n);
}

int pa_net_start(const pa_net_config *cfg, pa_net **out, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  *out = NULL;
  pa_net *n = calloc(1, sizeof *n);
  if (!n) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  /* A write to a socket the peer has closed must fail with EPIPE, not kill
   * the process: libuv leaves SIGPIPE as it finds it. */
  signal(SIGPIPE, SIG_IGN);
  pthread_mutex_init(&n->lock, NULL);
  n->cb = cfg->cb;
  n->done_tail = &n->done;
  n->mail_tail = &n->mail;
  n->header_ms = env_limit("PA_NET_HEADER_MS", PA_NET_HEADER_MS);
  n->request_ms = env_limit("PA_NET_REQUEST_MS", PA_NET_REQUEST_MS);
  n->idle_ms = env_limit("PA_NET_IDLE_MS", PA_NET_IDLE_MS);
  n->send_ms = env_limit("PA_NET_SEND_MS", PA_NET_SEND_MS);
  n->ping_ms = env_limit("PA_NET_WS_PING_MS", PA_NET_WS_PING_MS);
  n->stream_ms = env_limit("PA_NET_STREAM_MAX_S", PA_NET_STREAM_MAX_S) * 1000;
  n->conns_max = (int)env_limit("PA_NET_CONNS_MAX", PA_NET_CONNS_MAX);
  n->error_headers = strdup(cfg->error_headers ? cfg->error_headers : "");
  n->slots = calloc((size_t)n->conns_max, sizeof *n->slots);
  n->free_slots = calloc((size_t)n->conns_max, sizeof *n->free_slots);
  n->streams = calloc((size_t)n->conns_max, sizeof *n->streams);
  n->posts = calloc((size_t)n->conns_max, sizeof *n->posts);
  if (!n->error_headers || !n->slots || !n->free_slots || !n->streams || !n->posts) {
    snprintf(err, errlen, "out of memory");
    net_free(n);
    return -1;
  }
  for (int i = 0; i < n->conns_max; i++) n->posts[i].tail = &n->posts[i].head;
  char why[200];
  if (pa_proxy_from_parse(&n->proxy_from, cfg->proxy_from, why, sizeof why) != 0) {
    snprintf(err, errlen, "PA_PROXY_FROM: %s", why);
    net_free(n);
    return -1;
  }
  for (int i = 0; i < n->conns_max; i++) n->free_slots[i] = n->conns_max - 1 - i;
  n->nfree = n->conns_max;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, &n->addr_seed, sizeof n->addr_seed) != (ssize_t)sizeof n->addr_seed) {
    if (fd >= 0) close(fd);
    snprintf(err, errlen, "cannot read /dev/urandom");
    net_free(n);
    return -1;
  }
  close(fd);
  if (uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&ss) != 0 &&
      uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&ss) != 0) {
    snprintf(err, errlen, "host must be a numeric IP address, got %s", cfg->host);
    net_free(n);
    return -1;
  }
  n->fast = pa_pool_new(PA_NET_WORKERS, PA_NET_QUEUE_MAX, cfg->cb.worker_open, cfg->cb.worker_close,
                        cfg->cb.arg);
  n->slow = pa_pool_new(PA_NET_SLOW_WORKERS, PA_NET_SLOW_QUEUE_MAX, cfg->cb.worker_open,
                        cfg->cb.worker_close, cfg->cb.arg);
  int rc;
  if (!n->fast || !n->slow || (rc = uv_loop_init(&n->loop)) != 0) {
    snprintf(err, errlen, "cannot start workers or the event loop");
    net_free(n);
    return -1;
  }
  pa_pool_gauge(n->fast, PA_METRICS_QUEUE_FAST);
  pa_pool_gauge(n->slow, PA_METRICS_QUEUE_SLOW);

  uv_tcp_init(&n->loop, &n->listener);
  uv_async_init(&n->loop, &n->wake, on_wake);
  uv_timer_init(&n->loop, &n->sweep);
  n->listener.data = n;
  n->wake.data = n;
  n->sweep.data = n;
  if ((rc = uv_tcp_bind(&n->listener, (struct sockaddr *)&ss, 0)) != 0 ||
      (rc = uv_listen((uv_stream_t *)&n->listener, 1024, on_connection)) != 0) {
    snprintf(err, errlen, "cannot listen on %s port %d: %s", cfg->host, cfg->port, uv_strerror(rc));
    start_failed(n);
    return -1;
  }
  int len = sizeof ss;
  uv_tcp_getsockname(&n->listener, (struct sockaddr *)&ss, &len);
  n->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
  uv_timer_start(&n->sweep, on_sweep, PA_NET_SWEEP_MS, PA_NET_SWEEP_MS);
  *out = n;
  return 0;
}

int pa_net_run(pa_net *n) {
  if (pthread_create(&n->thread, NULL, loop_thread, n) != 0) return -1;
  n->started_loop = 1;
  return 0;
}

int pa_net_port(const pa_net *n) { return n->port; }

void pa_net_stop(pa_net *n) {
  if (!n) return;
  if (!n->started_loop) { /* listening, but nothing was ever served */
    start_failed(n);
    return;
  }
  /* 1: the loop stops listening and closes every connection; handlers still
   * running finish on their workers and post their (dropped) answers. */
  pthread_mutex_lock(&n->lock);
  n->phase = 1;
  pthread_mutex_unlock(&n->lock);
  uv_async_send(&n->wake);
  pa_pool_free(n->fast);
  pa_pool_free(n->slow);
  n->fast = n->slow = NULL;
  /* 2: every answer is in; the loop frees what is left and ends. */
  pthread_mutex_lock(&n->lock);
  n->phase = 2;
  pthread_mutex_unlock(&n->lock);
  uv_async_send(&n->wake);
  pthread_join(n->thread, NULL);
  uv_loop_close(&n->loop);
  net_free(n);
}

int pa_net_ws_post(pa_net *n, uint64_t conn_id, const char *text, size_t len) {
  uint64_t slot = id_slot(conn_id);
  if (!conn_id || slot >= (uint64_t)n->conns_max) return -1;
  wsmsg *m = malloc(sizeof *m + len + 1);
  outbuf *mark = outbuf_new(0);
  if (!m || !mark) {
    free(m);
    free(mark);
    return -1;
  }
  m->next = NULL;
  m->len = len;
  m->post = 1;
  if (len) memcpy(m->data, text, len);
  m->data[len] = '\0';
  mark->conn_id = conn_id;
  mark->post = 1;
  int rc = -1, queued = 0;
  pthread_mutex_lock(&n->lock);
  if (n->posts[slot].id == conn_id) {
    rc = 0;
    int same = 0;
    for (wsmsg *p = n->posts[slot].head; p && !same; p = p->next)
      same = p->len == len && memcmp(p->data, m->data, len) == 0;
    if (!same && n->posts[slot].count >= PA_WS_POSTS_MAX) {
      rc = -1;
    } else if (!same) {
      *n->posts[slot].tail = m;
      n->posts[slot].tail = &m->next;
      n->posts[slot].count++;
      *n->mail_tail = mark;
      n->mail_tail = &mark->next;
      queued = 1;
    }
  }
  pthread_mutex_unlock(&n->lock);
  if (!queued) {
    free(m);
    free(mark);
    return rc;
  }
  uv_async_send(&n->wake);
  return 0;
}
