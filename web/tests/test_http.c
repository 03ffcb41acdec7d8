/* The HTTP/1.1 codec (web/src/net/http.c): every limit at its edge, the
 * refusals that stop request smuggling, the connection rules of HTTP/1.0
 * and 1.1, chunked bodies cut at every byte, and the query, cookie, range,
 * entity-tag and bearer-token helpers at their capacity edges. */
#include "net/http.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pa_http_head H;
static char *held; /* the buffer H points into */

/* Parses text[0..n) as a complete head; the status, 0 when accepted. */
static int parse_n(const char *text, size_t n) {
  free(held);
  held = malloc(n ? n : 1); /* exactly n bytes: ASan sees a read past them */
  memcpy(held, text, n);
  return pa_http_parse_head(held, n, &H);
}

/* Parses text, which must be one whole head as pa_http_head_end finds it. */
static int parse(const char *text) {
  size_t n = strlen(text), scan = 0;
  CHECK(pa_http_head_end(text, n, &scan) == n);
  return parse_n(text, n);
}

/* "GET <target> HTTP/1.1", Host, then X-Pad filling the head to total bytes. */
static char *padded_head(const char *target, size_t total) {
  char *buf = malloc(total + 1);
  int n = snprintf(buf, total + 1, "GET %s HTTP/1.1\r\nHost: h\r\nX-Pad: ", target);
  CHECK(n > 0 && (size_t)n + 4 <= total);
  memset(buf + n, 'a', total - (size_t)n - 4);
  memcpy(buf + total - 4, "\r\n\r\n", 5);
  return buf;
}

static void head_end_finds_the_blank_line(void) {
  const char *req = "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST";
  size_t scan = 0;
  CHECK(pa_http_head_end(req, strlen(req), &scan) == 27);
  /* Trickled in one byte at a time: found exactly when its last byte comes. */
  scan = 0;
  for (size_t len = 1; len <= strlen(req); len++) {
    size_t end = pa_http_head_end(req, len, &scan);
    CHECK(end == (len >= 27 ? 27u : 0u));
    if (end) break;
  }
  /* Bare LFs never end a head. */
  scan = 0;
  CHECK(pa_http_head_end("GET / HTTP/1.1\nHost: h\n\n", 24, &scan) == 0);
}

static void head_max_edge(void) {
  char *at = padded_head("/", PA_HTTP_HEAD_MAX);
  size_t scan = 0;
  CHECK(pa_http_head_end(at, PA_HTTP_HEAD_MAX, &scan) == PA_HTTP_HEAD_MAX);
  CHECK(parse(at) == 0);
  free(at);
  /* One byte more is never a complete head, whatever follows: the transport
   * answers 431 once it holds PA_HTTP_HEAD_MAX bytes without one. */
  char *over = padded_head("/", PA_HTTP_HEAD_MAX + 1);
  over = realloc(over, PA_HTTP_HEAD_MAX + 5);
  memcpy(over + PA_HTTP_HEAD_MAX + 1, "\r\n\r\n", 4);
  scan = 0;
  CHECK(pa_http_head_end(over, PA_HTTP_HEAD_MAX + 5, &scan) == 0);
  scan = 0;
  size_t found = 0;
  for (size_t len = 1; len <= PA_HTTP_HEAD_MAX + 5; len++)
    found |= pa_http_head_end(over, len, &scan);
  CHECK(found == 0);
  free(over);
}

static void target_max_edge(void) {
  char *target = malloc(PA_HTTP_TARGET_MAX + 2);
  memset(target, 'a', PA_HTTP_TARGET_MAX + 1);
  target[0] = '/';
  target[PA_HTTP_TARGET_MAX] = '\0';
  char *req = padded_head(target, PA_HTTP_TARGET_MAX + 100);
  CHECK(parse(req) == 0);
  CHECK(strlen(H.path) == PA_HTTP_TARGET_MAX);
  free(req);
  target[PA_HTTP_TARGET_MAX] = 'a';
  target[PA_HTTP_TARGET_MAX + 1] = '\0';
  req = padded_head(target, PA_HTTP_TARGET_MAX + 100);
  CHECK(parse(req) == -414);
  free(req);
  /* The query counts: the whole target is limited. */
  target[1] = '?';
  req = padded_head(target, PA_HTTP_TARGET_MAX + 100);
  CHECK(parse(req) == -414);
  free(req);
  free(target);
}

/* A head with Host and then fields X-1 .. X-(n-1): n fields in all. */
static int parse_fields(int n) {
  char *buf = malloc(64 + 16 * (size_t)n), *p = buf;
  p += sprintf(p, "GET / HTTP/1.1\r\nHost: h\r\n");
  for (int i = 1; i < n; i++) p += sprintf(p, "X-%d: %d\r\n", i, i);
  p += sprintf(p, "\r\n");
  int rc = parse(buf);
  free(buf);
  return rc;
}

static void headers_max_edge(void) {
  CHECK(parse_fields(PA_HTTP_HEADERS_MAX) == 0);
  CHECK(H.nfields == PA_HTTP_HEADERS_MAX);
  CHECK(parse_fields(PA_HTTP_HEADERS_MAX + 1) == -431);
}

static void method_max_edge(void) {
  CHECK(parse("ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: h\r\n\r\n") == 0);
  CHECK(strcmp(H.method, "ABCDEFGHIJKLMNOP") == 0 && strlen(H.method) == PA_HTTP_METHOD_MAX);
  CHECK(parse("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse(" / HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
}

static void request_line(void) {
  CHECK(parse("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\n\r\n") == 0);
  CHECK(strcmp(H.method, "GET") == 0 && strcmp(H.path, "/a/b") == 0);
  CHECK(H.query && strcmp(H.query, "x=1&y=2") == 0 && H.minor == 1);
  CHECK(parse("GET /a HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && H.query == NULL);
  CHECK(parse("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && strcmp(H.query, "") == 0);
  CHECK(parse("GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && strcmp(H.query, "b?c") == 0);
  /* A stray CRLF before the request line is skipped (RFC 9112 §2.2). */
  CHECK(parse("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && strcmp(H.path, "/") == 0);
  CHECK(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET a HTTP/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1 \r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET /\r\nHost: h\r\n\r\n") == -400); /* HTTP/0.9 */
}

static void versions(void) {
  CHECK(parse("GET / HTTP/1.0\r\n\r\n") == 0 && H.minor == 0);
  CHECK(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == -505);
  CHECK(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n") == -505);
  CHECK(parse("GET / HTTP/3.0\r\nHost: h\r\n\r\n") == -505);
  CHECK(parse("GET / http/1.1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1\r\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.10\r\nHost: h\r\n\r\n") == -400);
}

static void fields(void) {
  CHECK(parse("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t one two \t\r\nx-a: 2\r\nEmpty:\r\n"
              "X-Bin: caf\xc3\xa9\r\n\r\n") == 0);
  CHECK(H.nfields == 5);
  CHECK(strcmp(pa_http_field_get(&H, "host"), "h") == 0);
  CHECK(strcmp(pa_http_field_get(&H, "X-A"), "one two") == 0); /* the first of two */
  CHECK(strcmp(pa_http_field_get(&H, "empty"), "") == 0);
  CHECK(strcmp(pa_http_field_get(&H, "X-Bin"), "caf\xc3\xa9") == 0); /* obs-text passes */
  CHECK(pa_http_field_get(&H, "X") == NULL);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nX@: x\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fz\r\n\r\n") == -400);
}

/* Each of these lets two parsers disagree about where a request ends. */
static void smuggling_refused(void) {
  /* Content-Length beside Transfer-Encoding, in either order. */
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
              "Transfer-Encoding: chunked\r\n\r\n") == -400);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
              "Content-Length: 4\r\n\r\n") == -400);
  /* Two different lengths; the same one twice is harmless. */
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\ncontent-length: 5\r\n\r\n") ==
        -400);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n") == 0);
  CHECK(H.content_length == 5 && !H.chunked);
  /* Codings other than chunked, or chunked twice. */
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") == -501);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == -501);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
              "Transfer-Encoding: chunked\r\n\r\n") == -501);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n") == 0);
  CHECK(H.chunked && H.content_length == -1);
  /* chunked means nothing to HTTP/1.0. */
  CHECK(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == -400);
  /* Obsolete line folding, with a space or a tab. */
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n") == -400);
  /* Bare LF, bare CR, NUL: in the request line and in a field. */
  CHECK(parse("GET / HTTP/1.1\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nX: a\nHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\rHost: h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\rX: a\r\n\r\n") == -400);
  const char nul_value[] = "GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n";
  CHECK(parse_n(nul_value, sizeof nul_value - 1) == -400);
  const char nul_target[] = "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
  CHECK(parse_n(nul_target, sizeof nul_target - 1) == -400);
  /* White space before the colon. */
  CHECK(parse("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n") == -400);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\n") == -400);
  /* Host: exactly one in HTTP/1.1, at most one in 1.0. */
  CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.1\r\nX: y\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == -400);
  CHECK(parse("GET / HTTP/1.0\r\nX: y\r\n\r\n") == 0);
  /* A blank line inside what was passed as one head. */
  const char two[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\nX: y\r\n\r\n";
  CHECK(parse_n(two, sizeof two - 1) == -400);
}

static void content_length_values(void) {
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n") == 0);
  CHECK(H.content_length == 0);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && H.content_length == -1);
  /* 18 digits are read, 19 are not. */
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999999999999999999\r\n\r\n") == 0);
  CHECK(H.content_length == 999999999999999999LL);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000000000000\r\n\r\n") == -400);
  static const char *bad[] = {"+5", "-1", "5 5", "0x5", "", "1,1", "5;"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char req[128];
    snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %s\r\n\r\n", bad[i]);
    CHECK(parse(req) == -400);
  }
}

static void keep_alive_rules(void) {
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && H.keep_alive == 1);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") == 0 && !H.keep_alive);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n") == 0 &&
        !H.keep_alive);
  /* Several Connection lines are one list: a close in any of them counts. */
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nConnection: x\r\n\r\n") == 0 &&
        !H.keep_alive);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n") == 0 && H.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\n\r\n") == 0 && !H.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") == 0 && H.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n") == 0 &&
        !H.keep_alive);
}

static void websocket_upgrade(void) {
  const char *key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  char req[256];
  snprintf(req, sizeof req,
           "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n%s\r\n",
           key);
  CHECK(parse(req) == 0 && H.upgrade_ws);
  CHECK(parse("GET /c HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\n"
              "Connection: keep-alive, Upgrade\r\n\r\n") == 0 &&
        H.upgrade_ws);
  CHECK(parse("GET /c HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
              "Connection: keep-alive\r\nConnection: upgrade\r\n\r\n") == 0 &&
        H.upgrade_ws);
  CHECK(parse("POST /c HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n") ==
            0 &&
        !H.upgrade_ws);
  CHECK(parse("GET /c HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n") == 0 && !H.upgrade_ws);
  CHECK(parse("GET /c HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n\r\n") == 0 && !H.upgrade_ws);
  CHECK(parse("GET /c HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n") == 0 &&
        !H.upgrade_ws);
}

static void expect_continue(void) {
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n") ==
        0);
  CHECK(H.expect_continue);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n") == 0 &&
        H.expect_continue);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\n\r\n") == 0 && !H.expect_continue);
  CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n") == -400);
  /* RFC 9110 §10.1.1: ignored from HTTP/1.0. */
  CHECK(parse("POST / HTTP/1.0\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n") == 0 &&
        !H.expect_continue);
}

/* Decodes in[0..n) fed in pieces cut at the given offsets (ascending, ending
 * with n); the decoder's last result, payload into out. */
static int dechunk(const char *in, size_t n, const size_t *cuts, size_t ncuts, char *out,
                   size_t *olen, size_t *used) {
  pa_http_chunked c = {0};
  size_t at = 0;
  int rc = 0;
  *olen = 0;
  for (size_t k = 0; k < ncuts && rc == 0; k++) {
    size_t len = cuts[k] - at, u, o;
    char *part = malloc(len ? len : 1);
    memcpy(part, in + at, len);
    rc = pa_http_chunked_step(&c, part, len, &u, &o);
    if (rc >= 0) {
      memcpy(out + *olen, part, o);
      *olen += o;
      at += u;
    }
    free(part);
  }
  *used = at;
  return rc;
}

/* The outcome of decoding in at once. */
static int dechunk_all(const char *in, char *out, size_t *olen, size_t *used) {
  size_t n = strlen(in);
  return dechunk(in, n, &n, 1, out, olen, used);
}

static void chunked_bodies(void) {
  char out[256];
  size_t olen, used;
  const char *body = "5\r\nhello\r\n7;name=\"v\";x\r\n, world\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n";
  CHECK(dechunk_all(body, out, &olen, &used) == 1);
  CHECK(olen == 12 && !memcmp(out, "hello, world", 12) && used == strlen(body));
  /* Cut at every byte into two pieces, and fed one byte at a time. */
  size_t n = strlen(body);
  for (size_t cut = 0; cut <= n; cut++) {
    size_t cuts[2] = {cut, n};
    CHECK(dechunk(body, n, cuts, 2, out, &olen, &used) == 1 && olen == 12 &&
          !memcmp(out, "hello, world", 12) && used == n);
  }
  size_t ones[128];
  CHECK(n <= 128);
  for (size_t i = 0; i < n; i++) ones[i] = i + 1;
  CHECK(dechunk(body, n, ones, n, out, &olen, &used) == 1 && olen == 12 &&
        !memcmp(out, "hello, world", 12));
  /* Upper-case hex; the bytes after the body are left for the next request. */
  CHECK(dechunk_all("A\r\n0123456789\r\n0\r\n\r\nGET /", out, &olen, &used) == 1);
  CHECK(olen == 10 && used == strlen("A\r\n0123456789\r\n0\r\n\r\n"));
  CHECK(dechunk_all("0\r\n\r\n", out, &olen, &used) == 1 && olen == 0 && used == 5);
  /* Incomplete: more is needed, nothing is wrong. */
  CHECK(dechunk_all("5\r\nhel", out, &olen, &used) == 0 && olen == 3);
  CHECK(dechunk_all("5\r\nhello\r\n0\r\n", out, &olen, &used) == 0);
  /* 15 hex digits are read; a 16th would be past any limit (and near overflow). */
  CHECK(dechunk_all("fffffffffffffff\r\n", out, &olen, &used) == 0);
  CHECK(dechunk_all("1000000000000000\r\n", out, &olen, &used) == -1);
  CHECK(dechunk_all("0000000000000001\r\n", out, &olen, &used) == -1);
  CHECK(dechunk_all("ffffffffffffffffffff\r\n", out, &olen, &used) == -1);
  /* Malformed. */
  static const char *bad[] = {
      "5\r\nhelloX\r\n0\r\n\r\n", /* no CRLF after the data */
      "5\r\nhello\n0\r\n\r\n",    /* LF alone after the data */
      "5\nhello\r\n0\r\n\r\n",    /* LF alone after the size */
      "\r\nhello\r\n",            /* no size */
      "g\r\n",                    /* not hex */
      "-5\r\n",                   /* signed */
      "5 \r\nhello\r\n",          /* white space after the size */
      "5;a\x01\r\nhello\r\n",     /* control byte in an extension */
      "5;a\n\r\nhello\r\n",       /* LF in an extension */
      "0\r\nX: a\x01\r\n\r\n",    /* control byte in a trailer */
      "0\r\n\tX: a\r\n\r\n",      /* a trailer starting with white space (folding) */
      "0\r\nX: a\n\r\n",          /* bare LF in a trailer */
      "0\r\n\r\r",                /* CR without LF at the end */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(dechunk_all(bad[i], out, &olen, &used) == -1);
  /* Done stays done and reads nothing more. */
  pa_http_chunked c = {0};
  char buf[] = "0\r\n\r\nXYZ";
  size_t u, o;
  CHECK(pa_http_chunked_step(&c, buf, 8, &u, &o) == 1 && u == 5);
  CHECK(pa_http_chunked_step(&c, buf + 5, 3, &u, &o) == 1 && u == 0 && o == 0);
}

/* path_decode into an exactly-sized buffer of cap bytes; the path in pd_out. */
static char pd_out[256];
static int pd(const char *path, size_t cap) {
  char *out = malloc(cap ? cap : 1);
  int rc = pa_http_path_decode(path, out, cap);
  if (rc >= 0) memcpy(pd_out, out, (size_t)rc + 1);
  free(out);
  return rc;
}

static void path_decoding(void) {
  CHECK(pd("/a%20b/%41+c", 64) == 8 && !strcmp(pd_out, "/a b/A+c")); /* '+' is not a space here */
  CHECK(pd("/%c3%a9t%C3%A9", 64) == 6 && !strcmp(pd_out, "/\xc3\xa9t\xc3\xa9"));
  /* Dots decode: segment checks run on the decoded path. */
  CHECK(pd("/%2e%2e/x", 64) == 5 && !strcmp(pd_out, "/../x"));
  /* An encoded slash or NUL, and malformed escapes, are refused. */
  static const char *bad[] = {"/a%2fb", "/a%2Fb", "/%00", "/%zz", "/%4", "/%", "/%%41"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(pd(bad[i], 64) == -1);
  /* Capacity: a path of cap - 1 bytes (after decoding) fits, cap does not. */
  CHECK(pd("/abc", 5) == 4 && !strcmp(pd_out, "/abc"));
  CHECK(pd("/abc", 4) == -1);
  CHECK(pd("/%41%42%43", 5) == 4 && !strcmp(pd_out, "/ABC"));
  CHECK(pd("/%41%42%43", 4) == -1);
  CHECK(pd("", 1) == 0 && pd("", 0) == -1 && pd("/", 0) == -1);
}

/* query_var into an exactly-sized buffer of cap bytes; the value in *v. */
static char qv_out[256];
static int qv(const char *query, const char *name, size_t cap) {
  char *out = malloc(cap ? cap : 1);
  int rc = pa_http_query_var(query, name, out, cap);
  if (rc >= 0) memcpy(qv_out, out, (size_t)rc + 1);
  free(out);
  return rc;
}

static void query_vars(void) {
  const char *q = "a=1&b=%41%42+c&plus=%2B&flag&a=2&empty=&bad=%zz&cut=%4&end=%";
  CHECK(qv(q, "a", 64) == 1 && !strcmp(qv_out, "1")); /* the first of two */
  CHECK(qv(q, "b", 64) == 4 && !strcmp(qv_out, "AB c"));
  CHECK(qv(q, "plus", 64) == 1 && !strcmp(qv_out, "+"));
  CHECK(qv(q, "flag", 64) == 0 && !strcmp(qv_out, "")); /* no '=' */
  CHECK(qv(q, "empty", 64) == 0 && !strcmp(qv_out, ""));
  CHECK(qv("nul=a%00b", "nul", 64) == -2); /* would cut the value short as a string */
  CHECK(qv(q, "bad", 64) == -2 && qv(q, "cut", 64) == -2 && qv(q, "end", 64) == -2);
  CHECK(qv(q, "c", 64) == -1 && qv(q, "fla", 64) == -1 && qv(q, "flags", 64) == -1);
  CHECK(qv(NULL, "a", 64) == -1);
  CHECK(qv("a=%zz&a=1", "a", 64) == -2); /* the first wins, even when bad */
  CHECK(qv("x=1&&a=5&", "a", 64) == 1 && !strcmp(qv_out, "5"));
  /* Capacity: a value of cap - 1 bytes (after decoding) fits, cap does not. */
  CHECK(qv("a=abc", "a", 4) == 3 && !strcmp(qv_out, "abc"));
  CHECK(qv("a=abcd", "a", 4) == -2);
  CHECK(qv("a=%41%42%43", "a", 4) == 3 && !strcmp(qv_out, "ABC"));
  CHECK(qv("a=%41%42%43%44", "a", 4) == -2);
  CHECK(qv("a=", "a", 1) == 0 && qv("a=x", "a", 1) == -2);
}

static char ck_out[256];
static int ck(const char *header, const char *name, size_t cap) {
  char *out = malloc(cap ? cap : 1);
  int rc = pa_http_cookie(header, name, out, cap);
  if (rc >= 0) memcpy(ck_out, out, (size_t)rc + 1);
  free(out);
  return rc;
}

static void cookies(void) {
  const char *h = "pa_session=abc123; theme=\"dark\";  lang=fr \t;eq=a=b;q=\"x;last=";
  CHECK(ck(h, "pa_session", 64) == 6 && !strcmp(ck_out, "abc123"));
  CHECK(ck(h, "theme", 64) == 4 && !strcmp(ck_out, "dark")); /* quoted */
  CHECK(ck(h, "lang", 64) == 2 && !strcmp(ck_out, "fr"));    /* white space around */
  CHECK(ck(h, "eq", 64) == 3 && !strcmp(ck_out, "a=b"));
  CHECK(ck(h, "q", 64) == 2 && !strcmp(ck_out, "\"x")); /* one quote is not a quoted form */
  CHECK(ck(h, "last", 64) == 0 && !strcmp(ck_out, ""));
  CHECK(ck(h, "session", 64) == -1 && ck(h, "pa_sessio", 64) == -1 && ck(h, "Theme", 64) == -1);
  CHECK(ck(NULL, "a", 64) == -1 && ck("", "a", 64) == -1 && ck("a", "a", 64) == -1);
  /* Capacity: cap - 1 bytes fit (the quotes do not count), cap do not. */
  CHECK(ck("a=abc", "a", 4) == 3 && !strcmp(ck_out, "abc"));
  CHECK(ck("a=abcd", "a", 4) == -2);
  CHECK(ck("a=\"abc\"", "a", 4) == 3 && !strcmp(ck_out, "abc"));
  CHECK(ck("a=\"abcd\"", "a", 4) == -2);
}

static char bearer_out[64];
static int bearer(const char *h, size_t cap) {
  memset(bearer_out, 0, sizeof bearer_out);
  return pa_http_bearer(h, bearer_out, cap);
}

static void bearer_tokens(void) {
  CHECK(bearer("Bearer abc", 64) == 3 && !strcmp(bearer_out, "abc"));
  CHECK(bearer("bearer abc", 64) == 3 && bearer("BEARER abc", 64) == 3); /* any case */
  CHECK(bearer("Bearer \t  a-._~+/Z9==  ", 64) == 11 && !strcmp(bearer_out, "a-._~+/Z9=="));
  /* Absent, another scheme, no token, a second word, bytes no token holds. */
  CHECK(bearer(NULL, 64) == -1 && bearer("", 64) == -1 && bearer("Bearer", 64) == -1);
  CHECK(bearer("Bearer ", 64) == -1 && bearer("Bearerabc", 64) == -1);
  CHECK(bearer("Basic abc", 64) == -1 && bearer("Bearer2 abc", 64) == -1 &&
        bearer("Bea", 64) == -1);
  CHECK(bearer("Bearer a b", 64) == -1 && bearer("Bearer a,b", 64) == -1);
  CHECK(bearer("Bearer a\"", 64) == -1 && bearer("Bearer \xc3\xa9", 64) == -1);
  CHECK(bearer("Bearer =abc", 64) == -1 &&
        bearer("Bearer ab=c", 64) == -1); /* '=' only at the end */
  /* Capacity: cap - 1 bytes fit, cap do not. */
  CHECK(bearer("Bearer abc", 4) == 3 && !strcmp(bearer_out, "abc"));
  CHECK(bearer("Bearer abcd", 4) == -2);
  CHECK(pa_http_is_token68_char('~') && !pa_http_is_token68_char(' ') &&
        !pa_http_is_token68_char(0));
}

static void ranges(void) {
  long long from = -1, to = -1;
  CHECK(pa_http_range("bytes=0-99", 1000, &from, &to) == 1 && from == 0 && to == 99);
  CHECK(pa_http_range("bytes=-100", 1000, &from, &to) == 1 && from == 900 && to == 999);
  CHECK(pa_http_range("bytes=-2000", 1000, &from, &to) == 1 && from == 0 && to == 999);
  CHECK(pa_http_range("bytes=500-", 1000, &from, &to) == 1 && from == 500 && to == 999);
  CHECK(pa_http_range("bytes=0-99999", 1000, &from, &to) == 1 && from == 0 && to == 999);
  CHECK(pa_http_range("bytes=999-", 1000, &from, &to) == 1 && from == 999 && to == 999);
  CHECK(pa_http_range("bytes= 5-6 ", 1000, &from, &to) == 1 && from == 5 && to == 6);
  /* Unsatisfiable: 416. */
  CHECK(pa_http_range("bytes=1000-", 1000, &from, &to) == -1);
  CHECK(pa_http_range("bytes=1000-2000", 1000, &from, &to) == -1);
  CHECK(pa_http_range("bytes=-0", 1000, &from, &to) == -1);
  CHECK(pa_http_range("bytes=0-", 0, &from, &to) == -1);
  CHECK(pa_http_range("bytes=-5", 0, &from, &to) == -1);
  /* Ignored: the whole resource. */
  static const char *whole[] = {"bytes=0-1,3-4",
                                "bytes=0-1, 3-4",
                                "bytes=5-3",
                                "bytes=-",
                                "bytes=a-b",
                                "items=0-1",
                                "bytes=0-1x",
                                "bytes=1 - 2",
                                "Bytes=0-1",
                                "bytes=99999999999999999999-", /* overflow */
                                "bytes=0-99999999999999999999",
                                "bytes=-99999999999999999999"};
  for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
    CHECK(pa_http_range(whole[i], 1000, &from, &to) == 0);
  CHECK(pa_http_range(NULL, 1000, &from, &to) == 0);
  /* 18 digits still read. */
  CHECK(pa_http_range("bytes=0-999999999999999999", 1000, &from, &to) == 1 && to == 999);
}

static void etags(void) {
  CHECK(pa_http_etag_match("\"abc\"", "\"abc\""));
  CHECK(pa_http_etag_match("W/\"abc\"", "\"abc\"")); /* weak comparison, both ways */
  CHECK(pa_http_etag_match("\"abc\"", "W/\"abc\""));
  CHECK(pa_http_etag_match("\"x\", W/\"abc\" ,\"y\"", "\"abc\""));
  CHECK(pa_http_etag_match("*", "\"abc\""));
  CHECK(!pa_http_etag_match("\"ab\"", "\"abc\"") && !pa_http_etag_match("\"abcd\"", "\"abc\""));
  CHECK(!pa_http_etag_match("abc", "\"abc\""));
  CHECK(!pa_http_etag_match("", "\"abc\"") && !pa_http_etag_match(NULL, "\"abc\""));
}

static void status_texts(void) {
  CHECK(!strcmp(pa_http_status_text(200), "OK"));
  CHECK(!strcmp(pa_http_status_text(404), "Not Found"));
  CHECK(!strcmp(pa_http_status_text(414), "URI Too Long"));
  CHECK(!strcmp(pa_http_status_text(431), "Request Header Fields Too Large"));
  CHECK(!strcmp(pa_http_status_text(505), "HTTP Version Not Supported"));
  CHECK(!strcmp(pa_http_status_text(999), "Error"));
  /* Every refusal the parser makes has a phrase. */
  static const int refusals[] = {400, 414, 431, 501, 505};
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
    CHECK(strcmp(pa_http_status_text(refusals[i]), "Error") != 0);
}

int main(void) {
  RUN(head_end_finds_the_blank_line);
  RUN(head_max_edge);
  RUN(target_max_edge);
  RUN(headers_max_edge);
  RUN(method_max_edge);
  RUN(request_line);
  RUN(versions);
  RUN(fields);
  RUN(smuggling_refused);
  RUN(content_length_values);
  RUN(keep_alive_rules);
  RUN(websocket_upgrade);
  RUN(expect_continue);
  RUN(chunked_bodies);
  RUN(path_decoding);
  RUN(query_vars);
  RUN(cookies);
  RUN(bearer_tokens);
  RUN(ranges);
  RUN(etags);
  RUN(status_texts);
  free(held);
  return pa_test_summary("web.http");
}
