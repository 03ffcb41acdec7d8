/* Streamed answers through the real transport (net/net_uv.c): a handler on
 * a loopback port, raw sockets as clients, this thread as the sender from
 * outside the handler. Events arrive in order whatever their sizes, before
 * and after the head; a client that leaves is noticed (send returns -1);
 * the queue bound drops a client that stops reading, at its edge; a stream
 * never ended is ended at PA_NET_STREAM_MAX_S; HTTP/1.0 and HEAD; eight
 * senders at once. */
#include "net/net.h"
#include "pa_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static pa_net *net;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static uint64_t last_stream; /* the latest streaming handler's id, for this thread */
static int edge_rc[3];       /* /edge's sends from inside the handler */

static pa_net_route on_route(void *arg, const pa_http_head *h) {
  (void)arg;
  (void)h;
  pa_net_route r = {PA_NET_SMALL_BODY, 0, 0};
  return r;
}

static void on_handle(void *arg, void *ctx, pa_net_req *rq, pa_net_resp *resp) {
  (void)arg;
  (void)ctx;
  const char *path = rq->head->path;
  resp->status = 200;
  resp->head_only = strcmp(rq->head->method, "HEAD") == 0; /* as pa_srv_send_head does */
  if (strcmp(path, "/plain") == 0) {
    /* Sends to a request that answers without streaming are dropped. */
    CHECK(pa_net_stream_send(net, rq->stream, "lost", 4) == 0);
    pa_net_resp_header(resp, "Content-Type", "text/plain");
    pa_net_resp_body(resp, "plain", 5);
    return;
  }
  pa_net_resp_stream(resp);
  if (strcmp(path, "/edge") == 0) {
    /* Nothing is written before the head: the queue's edge, exactly. */
    char *big = malloc(PA_NET_STREAM_QUEUE_MAX);
    memset(big, 'q', PA_NET_STREAM_QUEUE_MAX);
    edge_rc[0] = pa_net_stream_send(net, rq->stream, big, PA_NET_STREAM_QUEUE_MAX - 1);
    edge_rc[1] = pa_net_stream_send(net, rq->stream, big, 1); /* the last byte allowed */
    edge_rc[2] = pa_net_stream_send(net, rq->stream, big, 1); /* the first refused */
    free(big);
  } else if (strcmp(path, "/whole") == 0) {
    /* Sent and ended before the head is out. */
    CHECK(pa_net_stream_send(net, rq->stream, "data: one\n\n", 11) == 0);
    CHECK(pa_net_stream_send(net, rq->stream, "", 0) == 0);
    CHECK(pa_net_stream_send(net, rq->stream, "data: two\n\n", 11) == 0);
    pa_net_stream_end(net, rq->stream);
    CHECK(pa_net_stream_send(net, rq->stream, "late", 4) == -1);
  } else if (strcmp(path, "/typed") == 0) {
    pa_net_resp_header(resp, "Content-Type", "application/x-ndjson");
    CHECK(pa_net_stream_send(net, rq->stream, "{}\n", 3) == 0);
    pa_net_stream_end(net, rq->stream);
  } else {
    CHECK(pa_net_stream_send(net, rq->stream, "data: first\n\n", 13) == 0);
  }
  pthread_mutex_lock(&lock);
  last_stream = rq->stream;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static void start(void) {
  pa_net_config cfg = {.host = "127.0.0.1", .port = 0};
  cfg.cb.route = on_route;
  cfg.cb.handle = on_handle;
  char err[256];
  CHECK(pa_net_start(&cfg, &net, err, sizeof err) == 0);
  CHECK(pa_net_run(net) == 0);
}

/* The latest streaming handler's id, taken before a request is sent. */
static uint64_t seen(void) {
  pthread_mutex_lock(&lock);
  uint64_t s = last_stream;
  pthread_mutex_unlock(&lock);
  return s;
}

static uint64_t dialed; /* the latest stream id when the last client dialed */

static int dial(void) {
  dialed = seen();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)pa_net_port(net))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
  return fd;
}

static void say(int fd, const char *text) {
  size_t len = strlen(text);
  CHECK(write(fd, text, len) == (ssize_t)len);
}

/* Waits for a streaming handler newer than `after` and returns its id. */
static uint64_t next_stream(uint64_t after) {
  pthread_mutex_lock(&lock);
  while (last_stream == after) pthread_cond_wait(&cond, &lock);
  uint64_t s = last_stream;
  pthread_mutex_unlock(&lock);
  return s;
}

/* Reads until the peer closes or `until` appears (NULL: until close). */
static char *read_until(int fd, const char *until, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap + 1);
  for (;;) {
    if (n == cap) b = realloc(b, (cap *= 2) + 1);
    ssize_t got = read(fd, b + n, cap - n);
    if (got <= 0) break;
    n += (size_t)got;
    b[n] = '\0';
    if (until && n >= strlen(until) && strstr(b, until)) break;
  }
  b[n] = '\0';
  *len = n;
  return b;
}

/* The body of a chunked answer (after the head): -1 when malformed or
 * unterminated. */
static long dechunk(const char *p, size_t len, char *out) {
  size_t i = 0, o = 0;
  for (;;) {
    char *end;
    if (i >= len) return -1;
    unsigned long n = strtoul(p + i, &end, 16);
    if (end == p + i || (size_t)(end - p) + 2 > len || end[0] != '\r' || end[1] != '\n') return -1;
    i = (size_t)(end - p) + 2;
    if (n == 0) return i + 2 <= len && memcmp(p + i, "\r\n", 2) == 0 ? (long)o : -1;
    if (i + n + 2 > len || memcmp(p + i + n, "\r\n", 2) != 0) return -1;
    memcpy(out + o, p + i, n);
    o += n;
    i += n + 2;
  }
}

/* Splits a response at its blank line: the head (NUL-terminated in place)
 * and the body's start. */
static char *split(char *resp, size_t len, size_t *body_len) {
  char *e = strstr(resp, "\r\n\r\n");
  CHECK(e != NULL);
  if (!e) {
    *body_len = 0;
    return resp + len;
  }
  e[2] = '\0';
  *body_len = len - (size_t)(e + 4 - resp);
  return e + 4;
}

static void events_in_order_and_keep_alive(void) {
  int fd = dial();
  say(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  uint64_t s = next_stream(dialed);
  /* Sizes from 1 byte to past the loop's read and write buffers; together
   * under PA_NET_STREAM_QUEUE_MAX, so no send may fail however slowly the
   * loop writes. */
  static const size_t sizes[] = {1, 2, 15, 16, 17, 0, 255, 4096, 65535, 65536, 100000};
  size_t total = 13;
  char *want = malloc(1 << 20), *got = malloc(1 << 20), *piece = malloc(100000);
  memcpy(want, "data: first\n\n", 13);
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    for (size_t i = 0; i < sizes[k]; i++) piece[i] = (char)('a' + (total + i) % 26);
    CHECK(pa_net_stream_send(net, s, piece, sizes[k]) == 0);
    memcpy(want + total, piece, sizes[k]);
    total += sizes[k];
  }
  CHECK(total < PA_NET_STREAM_QUEUE_MAX);
  pa_net_stream_end(net, s);
  CHECK(pa_net_stream_send(net, s, "x", 1) == -1); /* ended */
  size_t len, blen;
  char *resp = read_until(fd, "\r\n0\r\n\r\n", &len);
  char *body = split(resp, len, &blen);
  CHECK_CONTAINS(resp, "HTTP/1.1 200 OK\r\n");
  CHECK_CONTAINS(resp, "Transfer-Encoding: chunked\r\n");
  CHECK_CONTAINS(resp, "Content-Type: text/event-stream\r\n");
  CHECK_CONTAINS(resp, "Cache-Control: no-store\r\n");
  CHECK(strstr(resp, "Content-Length") == NULL);
  CHECK(strstr(resp, "Connection: close") == NULL);
  CHECK(dechunk(body, blen, got) == (long)total);
  CHECK(memcmp(got, want, total) == 0);
  free(resp);
  /* The connection goes on: the next request answers, and sends to it before
   * it answered without streaming were dropped. */
  say(fd, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  resp = read_until(fd, "\r\n\r\nplain", &len);
  CHECK_CONTAINS(resp, "Content-Length: 5\r\n");
  CHECK(strstr(resp, "lost") == NULL);
  free(resp);
  free(piece);
  free(want);
  free(got);
  close(fd);
}

static void ended_before_the_head(void) {
  int fd = dial();
  say(fd, "GET /whole HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t len, blen;
  char *resp = read_until(fd, NULL, &len), got[64];
  char *body = split(resp, len, &blen);
  CHECK_CONTAINS(resp, "Connection: close\r\n");
  CHECK(dechunk(body, blen, got) == 22);
  CHECK(memcmp(got, "data: one\n\ndata: two\n\n", 22) == 0);
  free(resp);
  close(fd);
  /* The handler's own Content-Type stays. */
  fd = dial();
  say(fd, "GET /typed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  resp = read_until(fd, NULL, &len);
  CHECK_CONTAINS(resp, "Content-Type: application/x-ndjson\r\n");
  CHECK(strstr(resp, "text/event-stream") == NULL);
  free(resp);
  close(fd);
}

static void unknown_streams_refused(void) {
  CHECK(pa_net_stream_send(net, 0, "x", 1) == -1);
  CHECK(pa_net_stream_send(net, (uint64_t)1 << 40, "x", 1) == -1);
  CHECK(pa_net_stream_send(net, UINT64_MAX, "x", 1) == -1);
  pa_net_stream_end(net, UINT64_MAX); /* ignored */
}

static void client_leaving_is_noticed(void) {
  int fd = dial();
  say(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  uint64_t s = next_stream(dialed);
  size_t len;
  char *resp = read_until(fd, "data: first\n\n", &len);
  free(resp);
  CHECK(pa_net_stream_send(net, s, "data: more\n\n", 12) == 0);
  close(fd);
  /* The loop notices the close when it reads the end of the connection; the
   * next send after that returns -1. Bounded: at most 100 s of tries. */
  int rc = 0;
  for (int i = 0; i < 100000 && rc == 0; i++) {
    rc = pa_net_stream_send(net, s, "data: more\n\n", 12);
    if (rc == 0) nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  CHECK(rc == -1);
  CHECK(pa_net_stream_send(net, s, "x", 1) == -1);
}

static void queue_edge(void) {
  int fd = dial();
  say(fd, "GET /edge HTTP/1.1\r\nHost: x\r\n\r\n");
  next_stream(dialed);
  CHECK(edge_rc[0] == 0);
  CHECK(edge_rc[1] == 0);  /* PA_NET_STREAM_QUEUE_MAX bytes queued: allowed */
  CHECK(edge_rc[2] == -1); /* one more: the stream is dropped */
  /* Dropped: the connection closes before the body's end. */
  size_t len;
  char *resp = read_until(fd, NULL, &len);
  CHECK(strstr(resp, "\r\n0\r\n\r\n") == NULL);
  free(resp);
  close(fd);
}

static void a_client_that_stops_reading_is_dropped(void) {
  int fd = dial();
  say(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  uint64_t s = next_stream(dialed);
  /* Nothing is read: once the kernel's buffers are full the transport's
   * queue grows until the bound, and then the stream is dropped. */
  static char piece[16384];
  memset(piece, 'z', sizeof piece);
  long sent = 0;
  int rc = 0;
  for (int i = 0; i < 100000 && rc == 0; i++) {
    rc = pa_net_stream_send(net, s, piece, sizeof piece);
    if (rc == 0) sent += (long)sizeof piece;
    if (i % 64 == 63) nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  CHECK(rc == -1);
  CHECK(sent >= PA_NET_STREAM_QUEUE_MAX - (long)sizeof piece);
  CHECK(pa_net_stream_send(net, s, "x", 1) == -1);
  /* The connection is gone: reading drains what was buffered, then ends
   * without the chunked body's last chunk. */
  size_t len;
  char *resp = read_until(fd, NULL, &len);
  CHECK(strstr(resp, "\r\n0\r\n\r\n") == NULL);
  free(resp);
  close(fd);
}

static void http10_and_head(void) {
  int fd = dial();
  say(fd, "GET /events HTTP/1.0\r\nHost: x\r\n\r\n");
  uint64_t s = next_stream(dialed);
  CHECK(pa_net_stream_send(net, s, "data: 1.0\n\n", 11) == 0);
  pa_net_stream_end(net, s);
  size_t len, blen;
  char *resp = read_until(fd, NULL, &len);
  char *body = split(resp, len, &blen);
  CHECK_CONTAINS(resp, "Connection: close\r\n");
  CHECK(strstr(resp, "chunked") == NULL);
  CHECK(blen == 24 && memcmp(body, "data: first\n\ndata: 1.0\n\n", 24) == 0);
  free(resp);
  close(fd);
  fd = dial();
  say(fd, "HEAD /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  s = next_stream(dialed);
  resp = read_until(fd, NULL, &len);
  body = split(resp, len, &blen);
  CHECK_CONTAINS(resp, "Transfer-Encoding: chunked\r\n");
  CHECK(blen == 0);
  CHECK(pa_net_stream_send(net, s, "x", 1) == -1);
  free(resp);
  close(fd);
}

/* Streams sent from several threads at once, each to its own client,
 * arrive whole and in order (the mailbox and the stream table shared by
 * every sender and the loop). */
enum { PARALLEL = 8, PARALLEL_EVENTS = 200 };

typedef struct sender {
  uint64_t stream;
  int ok;
} sender;

static void *send_many(void *arg) {
  sender *s = arg;
  char ev[64];
  s->ok = 1;
  for (int i = 0; i < PARALLEL_EVENTS; i++) {
    int n = snprintf(ev, sizeof ev, "data: %llu-%d\n\n", (unsigned long long)s->stream, i);
    /* Each event is tiny: the bound is never near, a -1 would be a bug. */
    if (pa_net_stream_send(net, s->stream, ev, (size_t)n) != 0) s->ok = 0;
  }
  pa_net_stream_end(net, s->stream);
  return NULL;
}

static void parallel_senders(void) {
  int fds[PARALLEL];
  sender senders[PARALLEL];
  pthread_t threads[PARALLEL];
  for (int k = 0; k < PARALLEL; k++) {
    fds[k] = dial();
    say(fds[k], "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    senders[k].stream = next_stream(dialed);
  }
  for (int k = 0; k < PARALLEL; k++) pthread_create(&threads[k], NULL, send_many, &senders[k]);
  for (int k = 0; k < PARALLEL; k++) pthread_join(threads[k], NULL);
  for (int k = 0; k < PARALLEL; k++) {
    CHECK(senders[k].ok);
    size_t len, blen;
    char *resp = read_until(fds[k], "\r\n0\r\n\r\n", &len);
    char *body = split(resp, len, &blen), *got = malloc(blen + 1), *want = malloc(blen + 64);
    long n = dechunk(body, blen, got);
    size_t w = (size_t)sprintf(want, "data: first\n\n");
    for (int i = 0; i < PARALLEL_EVENTS; i++)
      w += (size_t)sprintf(want + w, "data: %llu-%d\n\n", (unsigned long long)senders[k].stream, i);
    CHECK(n == (long)w && memcmp(got, want, w) == 0);
    free(got);
    free(want);
    free(resp);
    close(fds[k]);
  }
}

/* PA_NET_STREAM_MAX_S lowered to 1 s (a new transport reads it at start):
 * a stream nobody ends is ended, its connection closed, its sends refused. */
static void max_life(void) {
  pa_net_stop(net);
  setenv("PA_NET_STREAM_MAX_S", "1", 1);
  start();
  unsetenv("PA_NET_STREAM_MAX_S");
  int fd = dial();
  say(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  uint64_t s = next_stream(dialed);
  CHECK(pa_net_stream_send(net, s, "data: a\n\n", 9) == 0);
  size_t len, blen;
  char *resp = read_until(fd, NULL, &len), got[64];
  char *body = split(resp, len, &blen);
  CHECK(dechunk(body, blen, got) == 22);
  CHECK(memcmp(got, "data: first\n\ndata: a\n\n", 22) == 0);
  CHECK(pa_net_stream_send(net, s, "x", 1) == -1);
  free(resp);
  close(fd);
}

int main(void) {
  start();
  RUN(events_in_order_and_keep_alive);
  RUN(ended_before_the_head);
  RUN(unknown_streams_refused);
  RUN(client_leaving_is_noticed);
  RUN(queue_edge);
  RUN(a_client_that_stops_reading_is_dropped);
  RUN(http10_and_head);
  RUN(parallel_senders);
  RUN(max_life);
  pa_net_stop(net);
  return pa_test_summary("web.stream");
}
