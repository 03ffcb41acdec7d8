/* libFuzzer target: the WebSocket codec (web/src/net/ws.c) on untrusted
 * bytes. The input is what a client sends after the handshake: a frame.
 * - pa_ws_parse_header on the input and on each of its prefixes: a header
 *   is complete from one length on, never refused after being accepted
 *   shorter, and what it accepts is a frame a server may read (masked, no
 *   reserved bits, known opcode, control frames short and final);
 * - the frame's payload is unmasked (twice is identity, in two pieces the
 *   same as in one) and, when it is text, checked as UTF-8 against the
 *   reference decoder below (Unicode's table 3-7), as is the raw input;
 * - server headers from pa_ws_frame_header, with a mask added as a client
 *   would, parse back to the same frame;
 * - the handshake's accept key and close payloads from the same bytes. */
#include "fuzz_check.h"
#include "net/ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: abort, so libFuzzer keeps the input. */
static uint8_t *dup_exact(const void *p, size_t n) {
  uint8_t *d = malloc(n ? n : 1);
  if (!d) abort();
  if (n) memcpy(d, p, n);
  return d;
}

/* Well-formed UTF-8 as the Unicode Standard's table 3-7 lists it: the byte
 * after each lead byte has its own range, which rules out overlongs,
 * surrogates and code points past U+10FFFF. */
static int ref_utf8(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = s[i], lo = 0x80, hi = 0xbf;
    size_t more;
    if (c <= 0x7f) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c == 0xe0) {
      more = 2, lo = 0xa0;
    } else if (c == 0xed) {
      more = 2, hi = 0x9f;
    } else if (c >= 0xe1 && c <= 0xef) {
      more = 2;
    } else if (c == 0xf0) {
      more = 3, lo = 0x90;
    } else if (c >= 0xf1 && c <= 0xf3) {
      more = 3;
    } else if (c == 0xf4) {
      more = 3, hi = 0x8f;
    } else {
      return 0;
    }
    if (n - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k <= more; k++)
      if ((s[i + k] & 0xc0) != 0x80) return 0;
    i += 1 + more;
  }
  return 1;
}

static void check_utf8(const uint8_t *s, size_t n) {
  uint8_t *copy = dup_exact(s, n);
  ASSERT(pa_ws_utf8_ok(copy, n) == ref_utf8(s, n));
  free(copy);
}

/* Checks a header pa_ws_parse_header accepted from buf. */
static void check_frame(const pa_ws_frame *f, const uint8_t *buf, size_t len) {
  ASSERT(f->header_len <= PA_WS_HEADER_MAX && f->header_len <= len);
  ASSERT(f->header_len == 6 || f->header_len == 8 || f->header_len == 14);
  ASSERT(f->masked == 1 && (f->fin == 0 || f->fin == 1));
  ASSERT(f->fin == buf[0] >> 7 && f->opcode == (buf[0] & 15) && !(buf[0] & 0x70));
  ASSERT(f->opcode <= PA_WS_OP_BINARY ||
         (f->opcode >= PA_WS_OP_CLOSE && f->opcode <= PA_WS_OP_PONG));
  if (f->opcode >= PA_WS_OP_CLOSE) ASSERT(f->fin && f->length <= PA_WS_CONTROL_MAX);
  ASSERT(f->length >> 63 == 0);
  ASSERT(!memcmp(f->mask, buf + f->header_len - 4, 4));
  uint64_t declared = buf[1] & 0x7f;
  if (declared < 126) ASSERT(f->length == declared && f->header_len == 6);
}

/* Parses buf and each of its prefixes; returns the verdict on all of it. */
static int check_header(const uint8_t *data, size_t size, pa_ws_frame *f) {
  int code = 0, rc = 0;
  uint8_t *copy = dup_exact(data, size);
  rc = pa_ws_parse_header(copy, size, f, &code);
  ASSERT(rc >= -1 && rc <= 1);
  if (rc == -1) ASSERT(code == PA_WS_CLOSE_PROTOCOL);
  if (rc == 1) check_frame(f, data, size);
  free(copy);
  /* No verdict before the bytes that decide it, none taken back after. */
  size_t upto = size < PA_WS_HEADER_MAX + 1 ? size : PA_WS_HEADER_MAX + 1;
  int prev = 0;
  for (size_t k = 0; k <= upto; k++) {
    pa_ws_frame g;
    int c2 = 0;
    uint8_t *pre = dup_exact(data, k);
    int r = pa_ws_parse_header(pre, k, &g, &c2);
    free(pre);
    ASSERT(prev == 0 || r == prev);
    if (rc == 1) ASSERT(r == (k >= f->header_len) && (r <= 0 || !memcmp(&g, f, sizeof g)));
    if (rc == 0) ASSERT(r == 0);
    if (rc == -1) ASSERT(r <= 0);
    prev = r;
  }
  return rc;
}

/* A server header for (opcode, len), masked and parsed as a client's. */
static void check_roundtrip(int opcode, uint64_t len, int fin, const uint8_t mask[4]) {
  uint8_t *out = malloc(PA_WS_HEADER_MAX), client[PA_WS_HEADER_MAX];
  size_t n = pa_ws_frame_header(out, opcode, len);
  ASSERT(n == (len < 126 ? 2u : len <= 0xffff ? 4u : 10u));
  ASSERT(out[0] == (0x80 | (opcode & 15)) && !(out[1] & 0x80));
  memcpy(client, out, n);
  free(out);
  if (!fin) client[0] &= 0x7f;
  client[1] |= 0x80;
  memcpy(client + n, mask, 4);
  pa_ws_frame f;
  int code = 0, op = opcode & 15;
  int rc = pa_ws_parse_header(client, n + 4, &f, &code);
  int control = op >= 8, known = op <= 2 || (op >= 8 && op <= 10);
  int want = known && len >> 63 == 0 && (!control || (fin && len <= PA_WS_CONTROL_MAX));
  ASSERT(rc == (want ? 1 : -1));
  if (rc == 1)
    ASSERT(f.fin == fin && f.opcode == op && f.masked && f.length == len && f.header_len == n + 4 &&
           !memcmp(f.mask, mask, 4));
}

static uint64_t be64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  return v;
}

/* XOR with the mask from offset at: twice is identity, two pieces the same. */
static void check_unmask(const uint8_t *data, size_t n, const uint8_t mask[4], uint64_t at,
                         size_t cut) {
  uint8_t *one = dup_exact(data, n), *two = dup_exact(data, n);
  pa_ws_unmask(one, n, mask, at);
  for (size_t i = 0; i < n; i++) ASSERT(one[i] == (data[i] ^ mask[(at + i) & 3]));
  cut = n ? cut % (n + 1) : 0;
  pa_ws_unmask(two, cut, mask, at);
  pa_ws_unmask(two + cut, n - cut, mask, at + cut);
  ASSERT(!memcmp(one, two, n));
  pa_ws_unmask(one, n, mask, at);
  ASSERT(!memcmp(one, data, n));
  free(one);
  free(two);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Accepted keys are exactly the canonical base64 of 16 bytes. */
static void check_accept(const uint8_t *data, size_t size) {
  size_t n = size < 30 ? size : 30;
  char *key = malloc(n + 1), out[PA_WS_ACCEPT_LEN + 1];
  memcpy(key, data, n);
  key[n] = '\0';
  int valid = strlen(key) == 24 && key[22] == '=' && key[23] == '=';
  for (int i = 0; valid && i < 22; i++) valid = key[i] && strchr(b64, key[i]) != NULL;
  if (valid) valid = ((strchr(b64, key[21]) - b64) & 15) == 0;
  memset(out, 1, sizeof out);
  int rc = pa_ws_accept_key(key, out);
  ASSERT(rc == (valid ? 0 : -1));
  if (rc == 0) {
    ASSERT(out[PA_WS_ACCEPT_LEN] == '\0' && out[27] == '=');
    for (int i = 0; i < 27; i++) ASSERT(out[i] && strchr(b64, out[i]));
    ASSERT(((strchr(b64, out[26]) - b64) & 3) == 0); /* 20 bytes: the last 2 bits are padding */
  }
  free(key);
}

/* Close payloads: the code, then as much of the reason as fits, cut
 * between characters. */
static void check_close(int code, const uint8_t *data, size_t size) {
  char *reason = malloc(size + 1);
  memcpy(reason, data, size);
  reason[size] = '\0';
  size_t rl = strlen(reason);
  uint8_t *out = malloc(PA_WS_CONTROL_MAX);
  size_t n = pa_ws_close_payload(out, code, reason);
  ASSERT(n >= 2 && n <= PA_WS_CONTROL_MAX);
  ASSERT(out[0] == (uint8_t)(code >> 8) && out[1] == (uint8_t)code);
  size_t kept = n - 2;
  ASSERT(kept <= rl && !memcmp(out + 2, reason, kept));
  if (ref_utf8((const uint8_t *)reason, rl)) { /* reasons we send are UTF-8 */
    ASSERT(ref_utf8(out + 2, kept));
    if (kept < rl)
      ASSERT(kept + 3 >= PA_WS_CONTROL_MAX - 2 && ((uint8_t)reason[kept] & 0xc0) != 0x80);
  }
  ASSERT(pa_ws_close_payload(out, code, NULL) == 2);
  free(out);
  free(reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_ws_frame f;
  if (check_header(data, size, &f) == 1) {
    size_t avail = size - f.header_len;
    size_t n = f.length < avail ? (size_t)f.length : avail;
    uint8_t *payload = dup_exact(data + f.header_len, n);
    check_unmask(payload, n, f.mask, 0, size);
    pa_ws_unmask(payload, n, f.mask, 0);
    check_utf8(payload, n); /* text frames from the seeds carry real UTF-8 */
    free(payload);
  }
  check_utf8(data, size);

  uint8_t mask[4] = {0};
  memcpy(mask, data, size < 4 ? size : 4);
  uint64_t at = size >= 12 ? be64(data + 4) : size;
  check_unmask(data, size, mask, at, size >= 13 ? data[12] : 0);

  /* Lengths at the edges of each encoding, and one from the input. */
  static const uint64_t edges[] = {0, 125, 126, 127, 0xffff, 0x10000, UINT64_MAX >> 1, UINT64_MAX};
  int opcode = size ? data[0] : PA_WS_OP_TEXT;
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
    check_roundtrip(opcode, edges[i], (opcode >> 7) & 1, mask);
  if (size >= 9) check_roundtrip(opcode, be64(data + 1), (opcode >> 7) & 1, mask);

  check_accept(data, size);
  check_close(size >= 2 ? data[0] << 8 | data[1] : 1000, size >= 2 ? data + 2 : data,
              size >= 2 ? size - 2 : size);
  return 0;
}
