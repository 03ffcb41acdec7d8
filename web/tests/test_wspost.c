/* Posts to a WebSocket (pa_net_ws_post) through the real transport
 * (net/net_uv.c): a handler on a loopback port, a raw socket as the client,
 * this thread as the poster. A post made while the handshake runs waits for
 * the 101; posts run on the socket's worker one at a time with its own
 * messages (never two at once), each in the order posted, through ws_post
 * (never ws_message) with the socket's user; one equal to a post still
 * waiting is coalesced; PA_WS_POSTS_MAX wait and one more is refused; a post
 * that already ran does not coalesce a new one; a gone socket refuses. A
 * client that stops reading is dropped past PA_WS_SENDQ_MAX (slow_reader). */
#include "net/net.h"
#include "pa_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { LOG_MAX = 64 };

static pa_net *net;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int user_tag; /* the socket's user: its address is what callbacks must see */
static uint64_t sock;
static int closed, blocked, release, running, overlap, wrong_user;
static char log_[LOG_MAX][40];
static int nlog;

static void note(const char *kind, const char *data, size_t len) {
  pthread_mutex_lock(&lock);
  if (nlog < LOG_MAX) snprintf(log_[nlog++], sizeof log_[0], "%s:%.*s", kind, (int)len, data);
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

/* Waits (bounded) until pred holds; 1 when it did. */
static int wait_for(int (*pred)(void)) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 20;
  pthread_mutex_lock(&lock);
  int rc = 0;
  while (!pred() && rc == 0) rc = pthread_cond_timedwait(&cond, &lock, &until);
  int ok = pred();
  pthread_mutex_unlock(&lock);
  return ok;
}

static pa_net_route on_route(void *arg, const pa_http_head *h) {
  (void)arg;
  (void)h;
  pa_net_route r = {PA_NET_SMALL_BODY, 0, 0};
  return r;
}

static void on_handle(void *arg, void *ctx, pa_net_req *rq, pa_net_resp *resp) {
  (void)arg;
  (void)ctx;
  if (!rq->upgrade) {
    resp->status = 404;
    return;
  }
  pa_net_resp_accept_ws(resp, &user_tag);
  /* Posted before the 101 is out: it waits for it. */
  CHECK(pa_net_ws_post(net, rq->conn, "hello", 5) == 0);
  pthread_mutex_lock(&lock);
  sock = rq->conn;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static void enter(void *user) {
  pthread_mutex_lock(&lock);
  if (running) overlap = 1;
  if (user != &user_tag) wrong_user = 1;
  running = 1;
  pthread_mutex_unlock(&lock);
}

static void leave(void) {
  pthread_mutex_lock(&lock);
  running = 0;
  pthread_mutex_unlock(&lock);
}

static void on_message(void *arg, void *ctx, uint64_t conn, void *user, const char *data,
                       size_t len) {
  (void)arg;
  (void)ctx;
  (void)conn;
  enter(user);
  note("m", data, len);
  if (len == 5 && memcmp(data, "block", 5) == 0) { /* holds the worker until released */
    pthread_mutex_lock(&lock);
    blocked = 1;
    pthread_cond_broadcast(&cond);
    while (!release) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
  }
  leave();
}

static void on_post(void *arg, void *ctx, uint64_t conn, void *user, const char *data, size_t len) {
  (void)arg;
  (void)ctx;
  CHECK(conn == sock);
  CHECK(data[len] == '\0'); /* handed over as text */
  enter(user);
  note("p", data, len);
  leave();
}

static void on_closed(void *arg, uint64_t conn, void *user) {
  (void)arg;
  (void)conn;
  CHECK(user == &user_tag);
  pthread_mutex_lock(&lock);
  closed = 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static int have_sock(void) { return sock != 0; }
static int is_blocked(void) { return blocked; }
static int is_closed(void) { return closed; }
static int want_n;
static int logged(void) { return nlog >= want_n; }

/* A masked text frame as a client sends it. */
static void send_text(int fd, const char *text) {
  unsigned char f[140], mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  size_t len = strlen(text);
  f[0] = 0x81;
  f[1] = (unsigned char)(0x80 | len);
  memcpy(f + 2, mask, 4);
  for (size_t i = 0; i < len; i++) f[6 + i] = (unsigned char)text[i] ^ mask[i % 4];
  CHECK(write(fd, f, 6 + len) == (ssize_t)(6 + len));
}

static int find(const char *entry) {
  for (int i = 0; i < nlog; i++)
    if (strcmp(log_[i], entry) == 0) return i;
  return -1;
}

static int count(const char *entry) {
  int n = 0;
  for (int i = 0; i < nlog; i++) n += strcmp(log_[i], entry) == 0;
  return n;
}

/* A client socket through the WebSocket handshake (101 read); rcvbuf > 0
 * shrinks its receive buffer first, so a client that stops reading fills the
 * server's queue sooner. */
static int open_socket(int rcvbuf) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (rcvbuf > 0) CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)pa_net_port(net))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
  const char *hs =
      "GET /socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  CHECK(write(fd, hs, strlen(hs)) == (ssize_t)strlen(hs));
  char got[512];
  size_t n = 0;
  got[0] = '\0';
  while (n < sizeof got - 1 && !strstr(got, "\r\n\r\n")) {
    ssize_t r = read(fd, got + n, sizeof got - 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
    got[n] = '\0';
  }
  CHECK(strncmp(got, "HTTP/1.1 101 ", 13) == 0);
  return fd;
}

/* The transport on a loopback port with this file's callbacks, in net. */
static void start_net(void) {
  pa_net_config cfg = {.host = "127.0.0.1", .port = 0};
  cfg.cb.route = on_route;
  cfg.cb.handle = on_handle;
  cfg.cb.ws_message = on_message;
  cfg.cb.ws_post = on_post;
  cfg.cb.ws_closed = on_closed;
  char err[256];
  CHECK(pa_net_start(&cfg, &net, err, sizeof err) == 0);
  CHECK(pa_net_run(net) == 0);
}

static void posts(void) {
  start_net();
  CHECK(pa_net_ws_post(net, 0, "x", 1) == -1);
  CHECK(pa_net_ws_post(net, 12345, "x", 1) == -1); /* no such socket */

  int fd = open_socket(0);
  CHECK(wait_for(have_sock));

  /* The worker is held by a message; posts wait behind it. */
  send_text(fd, "block");
  CHECK(wait_for(is_blocked));
  CHECK(pa_net_ws_post(net, sock, "inbox", 5) == 0);
  CHECK(pa_net_ws_post(net, sock, "inbox", 5) == 0); /* coalesced */
  CHECK(pa_net_ws_post(net, sock, "receipts", 8) == 0);
  CHECK(pa_net_ws_post(net, sock, "inbox", 5) == 0); /* still waiting: coalesced */
  CHECK(pa_net_ws_post(net, sock, "", 0) == 0);      /* an empty post is a post */
  send_text(fd, "after");
  /* Up to PA_WS_POSTS_MAX waiting: 3 so far. */
  char text[16];
  for (int i = 3; i < PA_WS_POSTS_MAX; i++) {
    snprintf(text, sizeof text, "n%d", i);
    CHECK(pa_net_ws_post(net, sock, text, strlen(text)) == 0);
  }
  CHECK(pa_net_ws_post(net, sock, "one more", 8) == -1);
  CHECK(pa_net_ws_post(net, sock, "receipts", 8) == 0); /* coalesced even when full */
  pthread_mutex_lock(&lock);
  release = 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  /* hello, block, after, and PA_WS_POSTS_MAX posts. */
  want_n = 3 + PA_WS_POSTS_MAX;
  CHECK(wait_for(logged));
  pthread_mutex_lock(&lock);
  CHECK(find("p:hello") == 0); /* the handshake's post runs first, after the 101 */
  CHECK(find("m:block") == 1);
  CHECK(count("p:inbox") == 1 && count("p:receipts") == 1 && count("p:") == 1);
  CHECK(find("p:inbox") < find("p:receipts") && find("p:receipts") < find("p:"));
  CHECK(find("p:") < find("p:n3"));
  for (int i = 3; i + 1 < PA_WS_POSTS_MAX; i++) {
    char x[16], y[16];
    snprintf(x, sizeof x, "p:n%d", i);
    snprintf(y, sizeof y, "p:n%d", i + 1);
    CHECK(find(x) >= 0 && find(x) < find(y));
  }
  CHECK(find("m:after") > 1);
  CHECK(count("p:one more") == 0);
  CHECK(nlog == 3 + PA_WS_POSTS_MAX);
  CHECK(!overlap && !wrong_user);
  pthread_mutex_unlock(&lock);

  /* A post that ran is not waiting any more: the same text runs again. */
  CHECK(pa_net_ws_post(net, sock, "inbox", 5) == 0);
  want_n = 4 + PA_WS_POSTS_MAX;
  CHECK(wait_for(logged));
  pthread_mutex_lock(&lock);
  CHECK(count("p:inbox") == 2);
  pthread_mutex_unlock(&lock);

  /* The socket goes: posts are refused. */
  close(fd);
  CHECK(wait_for(is_closed));
  CHECK(pa_net_ws_post(net, sock, "inbox", 5) == -1);
  pa_net_stop(net);
}

/* A client that stops reading: frames sent to it fill the kernel's buffers,
 * then the transport's queue, and past PA_WS_SENDQ_MAX the socket is dropped
 * (closed, ws_closed called) instead of growing memory.
 * The chat relay's own messages wait for acks a page at a time, so this is
 * the bound for what is pushed without them (typing, live and support frames). */
static void slow_reader(void) {
  enum { FRAME = 65536, BOUND = 64 << 20 };
  sock = 0, closed = 0, nlog = 0;
  start_net();
  int fd = open_socket(4096); /* never read from here on */
  CHECK(wait_for(have_sock));
  char *frame = malloc(FRAME);
  CHECK(frame != NULL);
  memset(frame, 'x', FRAME);
  size_t sent = 0;
  while (sent < BOUND && pa_net_ws_send(net, sock, frame, FRAME) == 0) sent += FRAME;
  CHECK(wait_for(is_closed));
  CHECK(sent >= PA_WS_SENDQ_MAX); /* the queue's bound, and the kernel's buffers, came first */
  free(frame);
  close(fd);
  pa_net_stop(net);
}

int main(void) {
  RUN(posts);
  RUN(slow_reader);
  return pa_test_summary("web.wspost");
}
