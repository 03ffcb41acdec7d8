/* libFuzzer target: the PROXY protocol v2 parsers (web/src/net/proxy.c).
 * First byte even: the rest is what a listed proxy sends first, a header.
 * - pa_proxy_parse on every prefix: "need more" (0) until one length, then
 *   the same answer for every longer input (never refused after being
 *   accepted shorter, never accepted after a refusal);
 * - an accepted header is 16..PA_PROXY_HEADER_MAX bytes, within the input,
 *   and its address is "" or the source bytes of the block read back.
 * First byte odd: the rest is PA_PROXY_FROM's text.
 * - pa_proxy_from_parse accepts at most PA_PROXY_FROM_MAX items, or refuses
 *   with a message and an empty list; every listed network matches its own
 *   address, and text that is not an address matches nothing. */
#include "fuzz_check.h"
#include "net/proxy.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void header(const uint8_t *p, size_t n) {
  char addr[PA_PROXY_ADDR_MAX], err[128];
  /* Past this, every answer is settled (the length field is read by byte 16). */
  size_t top = n < PA_PROXY_HEADER_MAX + 8 ? n : PA_PROXY_HEADER_MAX + 8;
  /* A copy of exactly each prefix's length, so ASan sees any read past it. */
  int first = 0;
  size_t settled = 0;
  for (size_t k = 0; k <= top; k++) {
    uint8_t *b = malloc(k ? k : 1);
    if (!b) abort();
    if (k) memcpy(b, p, k);
    memset(addr, 'x', sizeof addr);
    int rc = pa_proxy_parse(b, k, addr, err, sizeof err);
    free(b);
    TERMINATED(addr);
    if (rc == -1) {
      TERMINATED(err);
      ASSERT(err[0] != '\0');
    }
    if (!first && rc != 0) {
      first = rc;
      settled = k;
    } else if (first) {
      ASSERT(rc == first);
    }
    if (rc > 0) {
      ASSERT(rc >= PA_PROXY_FIXED && rc <= PA_PROXY_HEADER_MAX && (size_t)rc <= k);
      ASSERT(rc > 0 && (size_t)rc == settled);
      if (addr[0]) { /* TCP over IPv4 or IPv6, source first */
        uint8_t back[16];
        if (inet_pton(AF_INET, addr, back) == 1) {
          ASSERT(p[13] == 0x11 && memcmp(back, p + 16, 4) == 0);
        } else {
          ASSERT(inet_pton(AF_INET6, addr, back) == 1);
          ASSERT(p[13] == 0x21 && memcmp(back, p + 16, 16) == 0);
        }
        ASSERT((p[12] & 0x0f) == 1);
      }
    }
  }
}

static void from(const uint8_t *p, size_t n) {
  char *text = malloc(n + 1);
  if (!text) abort();
  if (n) memcpy(text, p, n);
  text[n] = '\0';
  pa_proxy_from f;
  char err[200];
  int rc = pa_proxy_from_parse(&f, text, err, sizeof err);
  TERMINATED(err);
  if (rc != 0) {
    ASSERT(rc == -1 && f.n == 0 && err[0] != '\0');
  } else {
    ASSERT(f.n >= 0 && f.n <= PA_PROXY_FROM_MAX);
    for (int i = 0; i < f.n; i++) {
      char a[INET6_ADDRSTRLEN];
      ASSERT(f.net[i].bits >= 0 && f.net[i].bits <= 128);
      ASSERT(inet_ntop(AF_INET6, f.net[i].addr, a, sizeof a) != NULL);
      ASSERT(pa_proxy_from_match(&f, a) == 1);
    }
  }
  /* The text itself as an address: a match only when it is one. */
  uint8_t b[16];
  if (pa_proxy_from_match(&f, text))
    ASSERT(inet_pton(AF_INET, text, b) == 1 || inet_pton(AF_INET6, text, b) == 1);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0)
    header(data + 1, size - 1);
  else
    from(data + 1, size - 1);
  return 0;
}
