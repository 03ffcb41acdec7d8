/* The WebSocket codec (web/src/net/ws.c): the handshake's accept key (RFC
 * 6455 §1.3), frame headers at each length encoding's edges, what a server
 * must refuse from a client, unmasking, UTF-8 by the Autobahn suite's case
 * categories (6.x), and close payloads. */
#include "net/ws.h"
#include "pa_test.h"

#include <stdlib.h>
#include <string.h>

static void accept_key(void) {
  /* RFC 6455 §1.3, and keys of all-zero and all-one bits (Python's hashlib). */
  static const char *pairs[][2] = {{"dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
                                   {"AAAAAAAAAAAAAAAAAAAAAA==", "ICX+Yqv66kxgM0FcWaLWlFLwTAI="},
                                   {"/////////////////////w==", "XXpj4jYzLM2yUE0C7TIgMwTQh2g="},
                                   {"x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    char out[PA_WS_ACCEPT_LEN + 1];
    CHECK(pa_ws_accept_key(pairs[i][0], out) == 0 && strcmp(out, pairs[i][1]) == 0);
  }
  /* Anything but base64 of 16 bytes. */
  static const char *bad[] = {
      "",
      "dGhlIHNhbXBsZSBub25jZQ=",   /* 23 chars */
      "dGhlIHNhbXBsZSBub25jZQ===", /* 25 */
      "dGhlIHNhbXBsZSBub25jZQAA",  /* no padding */
      "dGhlIHNhbXBsZSBub25jZ===",  /* 15 bytes and a half */
      "dGhlIHNhbXBsZSBub25j!Q==",  /* not the alphabet */
      "dGhlIHNhbXBsZSBub25jZR==",  /* bits set past the 16th byte */
      "dGhlIHNhbXBsZSBub25jZQ= ",
      "dGhlIHNhbXBs ZSBub25jZQ=",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char out[PA_WS_ACCEPT_LEN + 1];
    CHECK(pa_ws_accept_key(bad[i], out) == -1);
  }
  char out[PA_WS_ACCEPT_LEN + 1];
  CHECK(pa_ws_accept_key(NULL, out) == -1);
}

/* A client frame header: fin, opcode, a mask, and len in the shortest form. */
static size_t client_header(uint8_t *out, int fin, int opcode, uint64_t len) {
  size_t n = pa_ws_frame_header(out, opcode, len);
  if (!fin) out[0] &= 0x7f;
  out[1] |= 0x80;
  memcpy(out + n, "\x37\xfa\x21\x3d", 4);
  return n + 4;
}

/* Parses buf[0..len) as a header in an exactly-sized copy. */
static int parse(const uint8_t *buf, size_t len, pa_ws_frame *f, int *code) {
  uint8_t *copy = malloc(len ? len : 1);
  memcpy(copy, buf, len);
  *code = 0;
  int rc = pa_ws_parse_header(copy, len, f, code);
  free(copy);
  return rc;
}

static void length_encodings(void) {
  static const struct {
    uint64_t len;
    size_t header;
  } edges[] = {{0, 2},     {125, 2},    {126, 4},       {127, 4},
               {65535, 4}, {65536, 10}, {1u << 31, 10}, {UINT64_MAX >> 1, 10}};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    uint8_t out[PA_WS_HEADER_MAX], client[PA_WS_HEADER_MAX];
    CHECK(pa_ws_frame_header(out, PA_WS_OP_BINARY, edges[i].len) == edges[i].header);
    CHECK(out[0] == 0x82 && !(out[1] & 0x80)); /* fin, unmasked: a server's frame */
    size_t n = client_header(client, 1, PA_WS_OP_BINARY, edges[i].len);
    pa_ws_frame f;
    int code;
    CHECK(parse(client, n, &f, &code) == 1);
    CHECK(f.fin && f.opcode == PA_WS_OP_BINARY && f.masked && f.length == edges[i].len);
    CHECK(f.header_len == n && n <= PA_WS_HEADER_MAX);
    CHECK(!memcmp(f.mask, "\x37\xfa\x21\x3d", 4));
    /* Every shorter prefix asks for more. */
    for (size_t k = 0; k < n; k++) CHECK(parse(client, k, &f, &code) == 0);
  }
  /* The exact bytes: 16-bit and 64-bit lengths in network order. */
  uint8_t out[PA_WS_HEADER_MAX];
  CHECK(pa_ws_frame_header(out, PA_WS_OP_TEXT, 126) == 4 && !memcmp(out, "\x81\x7e\x00\x7e", 4));
  CHECK(pa_ws_frame_header(out, PA_WS_OP_TEXT, 65535) == 4 && !memcmp(out, "\x81\x7e\xff\xff", 4));
  CHECK(pa_ws_frame_header(out, PA_WS_OP_TEXT, 65536) == 10 &&
        !memcmp(out, "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  CHECK(pa_ws_frame_header(out, PA_WS_OP_CLOSE, 2) == 2 && !memcmp(out, "\x88\x02", 2));
}

static void rfc_example(void) {
  /* RFC 6455 §5.7: a single-frame masked text message "Hello". */
  uint8_t frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  pa_ws_frame f;
  int code;
  CHECK(parse(frame, sizeof frame, &f, &code) == 1);
  CHECK(f.fin && f.opcode == PA_WS_OP_TEXT && f.length == 5 && f.header_len == 6);
  pa_ws_unmask(frame + 6, 5, f.mask, 0);
  CHECK(!memcmp(frame + 6, "Hello", 5));
  /* Unmasked in two pieces, the second continuing the mask where it was. */
  static const uint8_t masked[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
  uint8_t again[5];
  memcpy(again, masked, 5);
  pa_ws_unmask(again, 2, f.mask, 0);
  pa_ws_unmask(again + 2, 3, f.mask, 2);
  CHECK(!memcmp(again, "Hello", 5));
  pa_ws_unmask(again, 5, f.mask, 0); /* twice: back to the bytes sent */
  CHECK(!memcmp(again, masked, 5));
  /* The same text from a server (unmasked): refused from a client. */
  uint8_t unmasked[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  CHECK(parse(unmasked, sizeof unmasked, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
}

static void control_frames(void) {
  uint8_t h[PA_WS_HEADER_MAX];
  pa_ws_frame f;
  int code;
  static const int ops[] = {PA_WS_OP_CLOSE, PA_WS_OP_PING, PA_WS_OP_PONG};
  for (size_t i = 0; i < 3; i++) {
    size_t n = client_header(h, 1, ops[i], PA_WS_CONTROL_MAX);
    CHECK(parse(h, n, &f, &code) == 1 && f.length == 125 && f.opcode == ops[i]);
    n = client_header(h, 1, ops[i], PA_WS_CONTROL_MAX + 1);
    CHECK(parse(h, n, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
    n = client_header(h, 1, ops[i], 0);
    CHECK(parse(h, n, &f, &code) == 1 && f.length == 0);
    /* Control frames cannot be fragmented. */
    n = client_header(h, 0, ops[i], 1);
    CHECK(parse(h, n, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
  }
  /* Data frames can: a first fragment and a continuation. */
  size_t n = client_header(h, 0, PA_WS_OP_TEXT, 3);
  CHECK(parse(h, n, &f, &code) == 1 && !f.fin && f.opcode == PA_WS_OP_TEXT);
  n = client_header(h, 1, PA_WS_OP_CONT, 70000);
  CHECK(parse(h, n, &f, &code) == 1 && f.fin && f.opcode == PA_WS_OP_CONT && f.length == 70000);
}

static void refused_headers(void) {
  uint8_t h[PA_WS_HEADER_MAX];
  pa_ws_frame f;
  int code;
  /* Each reserved bit, with no extension negotiated. */
  static const uint8_t rsv[] = {0x40, 0x20, 0x10};
  for (size_t i = 0; i < 3; i++) {
    size_t n = client_header(h, 1, PA_WS_OP_TEXT, 5);
    h[0] |= rsv[i];
    CHECK(parse(h, n, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
  }
  /* Reserved opcodes 0x3-0x7 and 0xB-0xF. */
  for (int op = 0; op < 16; op++) {
    size_t n = client_header(h, 1, op, 5);
    int known = op <= 2 || (op >= 8 && op <= 10);
    CHECK(parse(h, n, &f, &code) == (known ? 1 : -1));
  }
  /* A 64-bit length with its top bit set. */
  size_t n = client_header(h, 1, PA_WS_OP_BINARY, 65536);
  h[2] |= 0x80;
  CHECK(parse(h, n, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
  /* 300 MB declared: read from the header before any payload, for the caller's cap. */
  n = client_header(h, 1, PA_WS_OP_BINARY, 300u << 20);
  CHECK(parse(h, n, &f, &code) == 1 && f.length == 300u << 20);
  /* Unmasked, at every length encoding. */
  static const uint64_t lens[] = {5, 300, 70000};
  for (size_t i = 0; i < 3; i++) {
    size_t m = pa_ws_frame_header(h, PA_WS_OP_BINARY, lens[i]);
    memset(h + m, 0, sizeof h - m);
    CHECK(parse(h, sizeof h, &f, &code) == -1 && code == PA_WS_CLOSE_PROTOCOL);
  }
}

#define UTF8(s, ok) CHECK(pa_ws_utf8_ok((const uint8_t *)(s), sizeof(s) - 1) == (ok))

/* Autobahn TestSuite case 6 (UTF-8 handling), category by category. */
static void utf8_autobahn(void) {
  UTF8("", 1);                                                                        /* 6.1 */
  UTF8("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!", 1); /* 6.2 */
  UTF8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 1); /* 6.3 κόσμε */
  UTF8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
       0);             /* 6.4 κόσμε, a surrogate, "edited" */
  UTF8("\xce\xba", 1); /* 6.5 one code point */
  UTF8("\xe1\xbd", 0); /* 6.6 κόσμε cut inside a character */
  UTF8("\xce\xba\xe1", 0);
  UTF8("\x00", 1); /* 6.7 first of each length */
  UTF8("\xc2\x80", 1);
  UTF8("\xe0\xa0\x80", 1);
  UTF8("\xf0\x90\x80\x80", 1);
  UTF8("\xf8\x88\x80\x80\x80", 0); /* 6.8 five and six bytes */
  UTF8("\xfc\x84\x80\x80\x80\x80", 0);
  UTF8("\x7f", 1); /* 6.9 last of each length */
  UTF8("\xdf\xbf", 1);
  UTF8("\xef\xbf\xbf", 1);
  UTF8("\xf4\x8f\xbf\xbf", 1);
  UTF8("\xf7\xbf\xbf\xbf", 0); /* 6.10 past U+10FFFF, five, six bytes */
  UTF8("\xfb\xbf\xbf\xbf\xbf", 0);
  UTF8("\xfd\xbf\xbf\xbf\xbf\xbf", 0);
  UTF8("\xed\x9f\xbf", 1);     /* 6.11 other boundaries: U+D7FF */
  UTF8("\xee\x80\x80", 1);     /* U+E000 */
  UTF8("\xef\xbf\xbd", 1);     /* U+FFFD */
  UTF8("\xf4\x90\x80\x80", 0); /* U+110000 */
  UTF8("\x80", 0);             /* 6.12 unexpected continuation bytes */
  UTF8("\xbf", 0);
  UTF8("\x80\xbf", 0);
  UTF8("\x80\xbf\x80\xbf\x80\xbf\x80", 0);
  UTF8("\xc0\x20\xc1\x20", 0); /* 6.13 lonely start bytes */
  UTF8("\xe0\x20\xef\x20", 0);
  UTF8("\xf0\x20\xf7\x20", 0);
  UTF8("\xc0", 0); /* 6.14 last continuation byte missing */
  UTF8("\xe0\x80", 0);
  UTF8("\xf0\x80\x80", 0);
  UTF8("\xdf", 0);
  UTF8("\xef\xbf", 0);
  UTF8("\xf4\x8f\xbf", 0);
  UTF8("\xc0\xe0\x80\xf0\x80\x80\xdf\xef\xbf\xf7\xbf\xbf", 0); /* 6.15 concatenated */
  UTF8("\xfe", 0);                                             /* 6.16 impossible bytes */
  UTF8("\xff", 0);
  UTF8("\xfe\xfe\xff\xff", 0);
  UTF8("\xc0\xaf", 0); /* 6.17 overlong '/' */
  UTF8("\xe0\x80\xaf", 0);
  UTF8("\xf0\x80\x80\xaf", 0);
  UTF8("\xf8\x80\x80\x80\xaf", 0);
  UTF8("\xc1\xbf", 0); /* 6.18 longest overlongs */
  UTF8("\xe0\x9f\xbf", 0);
  UTF8("\xf0\x8f\xbf\xbf", 0);
  UTF8("\xc0\x80", 0); /* 6.19 overlong NUL */
  UTF8("\xe0\x80\x80", 0);
  UTF8("\xf0\x80\x80\x80", 0);
  UTF8("\xed\xa0\x80", 0); /* 6.20 single surrogates */
  UTF8("\xed\xad\xbf", 0);
  UTF8("\xed\xae\x80", 0);
  UTF8("\xed\xbf\xbf", 0);
  UTF8("\xed\xa0\x80\xed\xb0\x80", 0); /* 6.21 paired surrogates */
  UTF8("\xed\xaf\xbf\xed\xbf\xbf", 0);
  UTF8("\xef\xbf\xbe", 1); /* 6.22 noncharacters are valid */
  UTF8("\xf0\x9f\xbf\xbe", 1);
  UTF8("\xf4\x8f\xbf\xbe", 1);
  UTF8("\xef\xb7\x90", 1); /* U+FDD0 */
  UTF8("\xef\xbf\xbd", 1); /* 6.23 U+FFFD */
  UTF8("pets \xf0\x9f\x90\xbe ok", 1);
}

static void close_payloads(void) {
  uint8_t out[PA_WS_CONTROL_MAX];
  CHECK(pa_ws_close_payload(out, PA_WS_CLOSE_NORMAL, "bye") == 5 && !memcmp(out,
                                                                            "\x03\xe8"
                                                                            "bye",
                                                                            5));
  CHECK(pa_ws_close_payload(out, PA_WS_CLOSE_TOO_BIG, NULL) == 2 && !memcmp(out, "\x03\xf1", 2));
  CHECK(pa_ws_close_payload(out, PA_WS_CLOSE_REVOKED, "") == 2 && !memcmp(out, "\x0f\xa1", 2));
  /* Long reasons are cut to fit 125 bytes, never inside a character. */
  char reason[300];
  memset(reason, 'a', sizeof reason);
  reason[299] = '\0';
  CHECK(pa_ws_close_payload(out, 1000, reason) == PA_WS_CONTROL_MAX);
  memcpy(reason + 121, "\xc3\xa9", 3); /* é at 121..122, then the end: fits exactly */
  CHECK(pa_ws_close_payload(out, 1000, reason) == 125 && !memcmp(out + 123, "\xc3\xa9", 2));
  memset(reason, 'a', sizeof reason - 1);
  memcpy(reason + 122, "\xc3\xa9", 2); /* é at 122..123: cut before it */
  CHECK(pa_ws_close_payload(out, 1000, reason) == 124 && out[123] == 'a');
  memset(reason, 'a', sizeof reason - 1);
  memcpy(reason + 121, "\xf0\x9f\x90\xbe", 4); /* a 4-byte character across the edge */
  CHECK(pa_ws_close_payload(out, 1000, reason) == 123 && pa_ws_utf8_ok(out + 2, 121));
}

int main(void) {
  RUN(accept_key);
  RUN(length_encodings);
  RUN(rfc_example);
  RUN(control_frames);
  RUN(refused_headers);
  RUN(utf8_autobahn);
  RUN(close_payloads);
  return pa_test_summary("web.ws");
}
