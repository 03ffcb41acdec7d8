/* The PROXY protocol v2 parsers (web/src/net/proxy.c): headers as HAProxy
 * writes them (TCP over IPv4 and IPv6, LOCAL for health checks, with TLVs),
 * every byte of the fixed part wrong in turn, each header cut at every
 * length, the length bound at its edge; and PA_PROXY_FROM's list parser and
 * matcher at their edges (PA_PROXY_FROM_MAX, prefix lengths, host bits). */
#include "net/proxy.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char SIG[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                      0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A header: version/command byte, family byte, then body_len bytes of body
 * (the addresses, then TLVs), with the length field saying declared. */
static size_t header(unsigned char *b, int vc, int fam, const unsigned char *body, size_t body_len,
                     size_t declared) {
  memcpy(b, SIG, 12);
  b[12] = (unsigned char)vc;
  b[13] = (unsigned char)fam;
  b[14] = (unsigned char)(declared >> 8);
  b[15] = (unsigned char)declared;
  if (body_len) memcpy(b + 16, body, body_len);
  return 16 + body_len;
}

/* 203.0.113.7:51000 → 192.0.2.1:8080 */
static const unsigned char V4[12] = {203, 0, 113, 7, 192, 0, 2, 1, 0xc7, 0x38, 0x1f, 0x90};
/* 2001:db8::7 → 2001:db8::1, ports as above */
static const unsigned char V6[36] = {0x20, 0x01, 0x0d, 0xb8, 0,    0,   0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     7,    0x20, 0x01, 0x0d, 0xb8, 0,   0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0,    1,    0xc7, 0x38, 0x1f, 0x90};

/* Every proper prefix of a good header asks for more; the whole gives n. */
static void every_cut(const unsigned char *b, size_t n, const char *want) {
  char addr[PA_PROXY_ADDR_MAX], err[128];
  for (size_t k = 0; k < n; k++) CHECK(pa_proxy_parse(b, k, addr, err, sizeof err) == 0);
  CHECK(pa_proxy_parse(b, n, addr, err, sizeof err) == (int)n);
  CHECK(strcmp(addr, want) == 0);
}

static void tcp4_and_tcp6(void) {
  unsigned char b[PA_PROXY_HEADER_MAX + 64];
  size_t n = header(b, 0x21, 0x11, V4, sizeof V4, sizeof V4);
  CHECK(n == 28);
  every_cut(b, n, "203.0.113.7");
  n = header(b, 0x21, 0x21, V6, sizeof V6, sizeof V6);
  CHECK(n == 52);
  every_cut(b, n, "2001:db8::7");
  /* HTTP right behind the header stays unread: only the header is consumed. */
  n = header(b, 0x21, 0x11, V4, sizeof V4, sizeof V4);
  memcpy(b + n, "GET / HTTP/1.1\r\n", 16);
  char addr[PA_PROXY_ADDR_MAX], err[128];
  CHECK(pa_proxy_parse(b, n + 16, addr, err, sizeof err) == 28);
  /* An IPv4-mapped IPv6 source reads as IPv6 text (the transport maps it back). */
  unsigned char m[36];
  memcpy(m, V6, sizeof m);
  memset(m, 0, 10);
  m[10] = m[11] = 0xff;
  m[12] = 198, m[13] = 51, m[14] = 100, m[15] = 9;
  n = header(b, 0x21, 0x21, m, sizeof m, sizeof m);
  every_cut(b, n, "::ffff:198.51.100.9");
  /* The longest text an IPv6 source can make fits PA_PROXY_ADDR_MAX. */
  memcpy(m, V6, sizeof m);
  for (int i = 0; i < 16; i++) m[i] = (unsigned char)(i % 2 ? 0xff : 0xfe);
  n = header(b, 0x21, 0x21, m, sizeof m, sizeof m);
  every_cut(b, n, "feff:feff:feff:feff:feff:feff:feff:feff");
}

static void tlvs_and_length_edge(void) {
  unsigned char b[PA_PROXY_HEADER_MAX + 64], body[PA_PROXY_HEADER_MAX];
  char addr[PA_PROXY_ADDR_MAX], err[128];
  /* TLVs HAProxy may send (ALPN, authority, unique id, a NOOP), skipped unread. */
  static const unsigned char tlv[] = {0x01, 0x00, 0x02, 'h',  '2',  0x02, 0x00, 0x03, 'a',
                                      '.',  'b',  0x05, 0x00, 0x01, 'x',  0x04, 0x00, 0x00};
  memcpy(body, V4, sizeof V4);
  memcpy(body + sizeof V4, tlv, sizeof tlv);
  size_t n = header(b, 0x21, 0x11, body, sizeof V4 + sizeof tlv, sizeof V4 + sizeof tlv);
  every_cut(b, n, "203.0.113.7");
  /* The bound: a body of PA_PROXY_HEADER_MAX - 16 bytes is read, one more is
   * refused from the length field alone (before its bytes arrive). */
  size_t most = PA_PROXY_HEADER_MAX - PA_PROXY_FIXED;
  memset(body, 0xab, sizeof body); /* TLV bytes are not parsed: any will do */
  memcpy(body, V6, sizeof V6);
  n = header(b, 0x21, 0x21, body, most, most);
  CHECK(n == PA_PROXY_HEADER_MAX);
  CHECK(pa_proxy_parse(b, n - 1, addr, err, sizeof err) == 0);
  CHECK(pa_proxy_parse(b, n, addr, err, sizeof err) == PA_PROXY_HEADER_MAX);
  CHECK(strcmp(addr, "2001:db8::7") == 0);
  header(b, 0x21, 0x21, body, 0, most + 1);
  CHECK(pa_proxy_parse(b, 16, addr, err, sizeof err) == -1);
  CHECK_CONTAINS(err, "PA_PROXY_HEADER_MAX");
  header(b, 0x21, 0x21, body, 0, 0xffff);
  CHECK(pa_proxy_parse(b, 16, addr, err, sizeof err) == -1);
  /* Too short for the family's addresses: one byte under is refused, also for LOCAL. */
  header(b, 0x21, 0x11, V4, sizeof V4 - 1, sizeof V4 - 1);
  CHECK(pa_proxy_parse(b, 16 + sizeof V4 - 1, addr, err, sizeof err) == -1);
  CHECK_CONTAINS(err, "too short");
  header(b, 0x21, 0x21, V6, sizeof V6 - 1, sizeof V6 - 1);
  CHECK(pa_proxy_parse(b, 16, addr, err, sizeof err) == -1);
  header(b, 0x21, 0x31, body, 0, 215);
  CHECK(pa_proxy_parse(b, 16, addr, err, sizeof err) == -1);
}

static void local_and_fallbacks(void) {
  unsigned char b[PA_PROXY_HEADER_MAX + 64], body[256];
  char addr[PA_PROXY_ADDR_MAX], err[128];
  /* LOCAL as HAProxy's health checks send it: UNSPEC, no addresses. */
  size_t n = header(b, 0x20, 0x00, NULL, 0, 0);
  CHECK(n == 16);
  every_cut(b, n, "");
  /* LOCAL with addresses (allowed): still the connection's own address. */
  n = header(b, 0x20, 0x11, V4, sizeof V4, sizeof V4);
  every_cut(b, n, "");
  /* LOCAL discards the address block whatever its family says: shorter is fine. */
  n = header(b, 0x20, 0x21, V4, sizeof V4, sizeof V4);
  every_cut(b, n, "");
  n = header(b, 0x20, 0x11, NULL, 0, 0);
  every_cut(b, n, "");
  /* LOCAL with a TLV and no family. */
  static const unsigned char noop[] = {0x04, 0x00, 0x02, 0, 0};
  n = header(b, 0x20, 0x00, noop, sizeof noop, sizeof noop);
  every_cut(b, n, "");
  /* PROXY with UNSPEC, UDP or unix sockets: the spec's fallback to UNSPEC. */
  n = header(b, 0x21, 0x00, NULL, 0, 0);
  every_cut(b, n, "");
  n = header(b, 0x21, 0x12, V4, sizeof V4, sizeof V4);
  every_cut(b, n, "");
  n = header(b, 0x21, 0x22, V6, sizeof V6, sizeof V6);
  every_cut(b, n, "");
  memset(body, 'p', 216);
  n = header(b, 0x21, 0x31, body, 216, 216);
  every_cut(b, n, "");
  n = header(b, 0x21, 0x32, body, 216, 216);
  every_cut(b, n, "");
  /* addr is reset on every call, even after a header that named a client. */
  n = header(b, 0x21, 0x11, V4, sizeof V4, sizeof V4);
  CHECK(pa_proxy_parse(b, n, addr, err, sizeof err) == 28 && addr[0]);
  CHECK(pa_proxy_parse(b, 3, addr, err, sizeof err) == 0 && addr[0] == '\0');
}

static void refusals(void) {
  unsigned char b[PA_PROXY_HEADER_MAX + 64];
  char addr[PA_PROXY_ADDR_MAX], err[128];
  size_t n = header(b, 0x21, 0x11, V4, sizeof V4, sizeof V4);
  /* Each signature byte wrong in turn: refused as soon as that byte is seen. */
  for (size_t i = 0; i < 12; i++) {
    unsigned char c[64];
    memcpy(c, b, n);
    c[i] ^= 0x20;
    CHECK(pa_proxy_parse(c, i + 1, addr, err, sizeof err) == -1);
    CHECK(pa_proxy_parse(c, n, addr, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "signature");
  }
  /* HTTP, TLS and the v1 text header are refused at their first byte. */
  CHECK(pa_proxy_parse((const unsigned char *)"GET / HTTP/1.1\r\n", 16, addr, err, sizeof err) ==
        -1);
  CHECK(pa_proxy_parse((const unsigned char *)"G", 1, addr, err, sizeof err) == -1);
  CHECK(pa_proxy_parse((const unsigned char *)"\x16\x03\x01", 3, addr, err, sizeof err) == -1);
  CHECK(pa_proxy_parse((const unsigned char *)"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 32, addr, err,
                       sizeof err) == -1);
  /* "\r\n\r\n" then something else: an empty HTTP line is not the signature. */
  CHECK(pa_proxy_parse((const unsigned char *)"\r\n\r\nGET", 7, addr, err, sizeof err) == -1);
  /* Every version but 2 (both nibbles of byte 12), refused once byte 12 is in. */
  for (int v = 0; v < 16; v++) {
    if (v == 2) continue;
    header(b, v << 4 | 1, 0x11, V4, sizeof V4, sizeof V4);
    CHECK(pa_proxy_parse(b, 12, addr, err, sizeof err) == 0);
    CHECK(pa_proxy_parse(b, 13, addr, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "version");
  }
  /* Commands 2..15. */
  for (int cmd = 2; cmd < 16; cmd++) {
    header(b, 0x20 | cmd, 0x11, V4, sizeof V4, sizeof V4);
    CHECK(pa_proxy_parse(b, 13, addr, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "command");
  }
  /* Every family byte outside the seven the spec defines, for PROXY and LOCAL. */
  int allowed = 0;
  for (int fam = 0; fam < 256; fam++) {
    int ok = fam == 0x00 || fam == 0x11 || fam == 0x12 || fam == 0x21 || fam == 0x22 ||
             fam == 0x31 || fam == 0x32;
    for (int cmd = 0; cmd < 2; cmd++) {
      header(b, 0x20 | cmd, fam, V4, 0, 216);
      int rc = pa_proxy_parse(b, 14, addr, err, sizeof err);
      CHECK(rc == (ok ? 0 : -1));
      if (!ok) CHECK_CONTAINS(err, "family");
    }
    allowed += ok;
  }
  CHECK(allowed == 7);
  /* A NULL err is allowed. */
  CHECK(pa_proxy_parse((const unsigned char *)"G", 1, addr, NULL, 0) == -1);
}

static void from_list(void) {
  pa_proxy_from f;
  char err[256];
  /* Unset, empty, spaces: nobody. */
  CHECK(pa_proxy_from_parse(&f, NULL, err, sizeof err) == 0 && f.n == 0);
  CHECK(pa_proxy_from_parse(&f, "", err, sizeof err) == 0 && f.n == 0);
  CHECK(pa_proxy_from_parse(&f, "  \t ", err, sizeof err) == 0 && f.n == 0);
  CHECK(!pa_proxy_from_match(&f, "127.0.0.1"));
  /* Addresses, networks, spaces around items. */
  CHECK(pa_proxy_from_parse(&f, " 127.0.0.1 ,10.0.0.0/8,\t::1, 2001:db8::/32 , 192.168.1.0/24", err,
                            sizeof err) == 0);
  CHECK(f.n == 5);
  CHECK(pa_proxy_from_match(&f, "127.0.0.1"));
  CHECK(pa_proxy_from_match(&f, "::ffff:127.0.0.1")); /* a dual-stack listener's view */
  CHECK(!pa_proxy_from_match(&f, "127.0.0.2"));
  CHECK(pa_proxy_from_match(&f, "10.255.255.255"));
  CHECK(pa_proxy_from_match(&f, "10.0.0.0"));
  CHECK(!pa_proxy_from_match(&f, "11.0.0.0"));
  CHECK(!pa_proxy_from_match(&f, "9.255.255.255"));
  CHECK(pa_proxy_from_match(&f, "::1"));
  CHECK(!pa_proxy_from_match(&f, "::2"));
  CHECK(pa_proxy_from_match(&f, "2001:db8:ffff::1"));
  CHECK(!pa_proxy_from_match(&f, "2001:db9::1"));
  CHECK(pa_proxy_from_match(&f, "192.168.1.255"));
  CHECK(!pa_proxy_from_match(&f, "192.168.2.0"));
  /* Not addresses: never a match. */
  CHECK(!pa_proxy_from_match(&f, ""));
  CHECK(!pa_proxy_from_match(&f, NULL));
  CHECK(!pa_proxy_from_match(&f, "localhost"));
  CHECK(!pa_proxy_from_match(&f, "127.0.0.1 "));
  /* Prefix lengths at their edges: /0 (everyone of the family), /32, /128,
   * a prefix not on a byte boundary. */
  CHECK(pa_proxy_from_parse(&f, "0.0.0.0/0", err, sizeof err) == 0);
  CHECK(pa_proxy_from_match(&f, "203.0.113.7") && pa_proxy_from_match(&f, "255.255.255.255"));
  CHECK(!pa_proxy_from_match(&f, "2001:db8::1")); /* an IPv4 network holds no IPv6 address */
  CHECK(pa_proxy_from_parse(&f, "::/0", err, sizeof err) == 0);
  CHECK(pa_proxy_from_match(&f, "2001:db8::1") && pa_proxy_from_match(&f, "10.0.0.1"));
  CHECK(pa_proxy_from_parse(&f, "203.0.113.7/32,2001:db8::7/128", err, sizeof err) == 0);
  CHECK(pa_proxy_from_match(&f, "203.0.113.7") && !pa_proxy_from_match(&f, "203.0.113.6"));
  CHECK(pa_proxy_from_match(&f, "2001:db8::7") && !pa_proxy_from_match(&f, "2001:db8::6"));
  CHECK(pa_proxy_from_parse(&f, "172.16.0.0/12", err, sizeof err) == 0);
  CHECK(pa_proxy_from_match(&f, "172.31.255.255") && !pa_proxy_from_match(&f, "172.32.0.0"));
  CHECK(pa_proxy_from_match(&f, "172.16.0.0") && !pa_proxy_from_match(&f, "172.15.255.255"));
  CHECK(pa_proxy_from_parse(&f, "fe80::/10", err, sizeof err) == 0);
  CHECK(pa_proxy_from_match(&f, "febf::1") && !pa_proxy_from_match(&f, "fec0::1"));
  /* PA_PROXY_FROM_MAX items are read; one more is refused. */
  char text[PA_PROXY_FROM_TEXT_MAX + 2];
  size_t at = 0;
  for (int i = 0; i < PA_PROXY_FROM_MAX; i++)
    at += (size_t)snprintf(text + at, sizeof text - at, "%s10.0.0.%d", i ? "," : "", i + 1);
  CHECK(pa_proxy_from_parse(&f, text, err, sizeof err) == 0 && f.n == PA_PROXY_FROM_MAX);
  CHECK(pa_proxy_from_match(&f, "10.0.0.16") && !pa_proxy_from_match(&f, "10.0.0.17"));
  snprintf(text + at, sizeof text - at, ",10.0.0.99");
  CHECK(pa_proxy_from_parse(&f, text, err, sizeof err) == -1 && f.n == 0);
  CHECK_CONTAINS(err, "PA_PROXY_FROM_MAX");
  /* The text's bound: PA_PROXY_FROM_TEXT_MAX bytes are read, one more is refused. */
  memset(text, ' ', PA_PROXY_FROM_TEXT_MAX);
  memcpy(text, "127.0.0.1", 9);
  text[PA_PROXY_FROM_TEXT_MAX] = '\0';
  CHECK(pa_proxy_from_parse(&f, text, err, sizeof err) == 0 && f.n == 1);
  text[PA_PROXY_FROM_TEXT_MAX] = ' ';
  text[PA_PROXY_FROM_TEXT_MAX + 1] = '\0';
  CHECK(pa_proxy_from_parse(&f, text, err, sizeof err) == -1);
  /* 16 of the longest items (IPv6 with /128) fit the text bound. */
  at = 0;
  for (int i = 0; i < PA_PROXY_FROM_MAX; i++)
    at += (size_t)snprintf(text + at, sizeof text - at,
                           "%sffff:ffff:ffff:ffff:ffff:ffff:ffff:%04x/128", i ? ", " : "", i);
  CHECK(at <= PA_PROXY_FROM_TEXT_MAX);
  CHECK(pa_proxy_from_parse(&f, text, err, sizeof err) == 0 && f.n == PA_PROXY_FROM_MAX);
  /* Refusals, each with a message naming what is wrong; the list is empty after. */
  static const char *bad[][2] = {
      {"127.0.0.1,", "empty"},
      {",127.0.0.1", "empty"},
      {"127.0.0.1,,10.0.0.1", "empty"},
      {"127.0.0.1, ,10.0.0.1", "empty"},
      {"localhost", "not a numeric"},
      {"127.0.0", "not a numeric"},
      {"127.0.0.1.1", "not a numeric"},
      {"256.0.0.1", "not a numeric"},
      {"127.0.0.1 10.0.0.1", "not a numeric"},
      {"127.0.0.1;10.0.0.1", "not a numeric"},
      {"[::1]", "not a numeric"},
      {"::1%lo", "not a numeric"},
      {"/8", "not a numeric"},
      {"10.0.0.0/", "prefix length"},
      {"10.0.0.0/33", "prefix length"},
      {"10.0.0.0/-1", "prefix length"},
      {"10.0.0.0/+8", "prefix length"},
      {"10.0.0.0/8a", "prefix length"},
      {"10.0.0.0/0008", "prefix length"},
      {"10.0.0.0/ 8", "prefix length"},
      {"10.0.0.0/8/8", "prefix length"},
      {"::/129", "prefix length"},
      {"10.0.0.1/8", "past its prefix"},
      {"11.0.0.0/7", "past its prefix"},
      {"2001:db8::1/32", "past its prefix"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "not a numeric"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    f.n = 3;
    err[0] = '\0';
    int rc = pa_proxy_from_parse(&f, bad[i][0], err, sizeof err);
    CHECK(rc == -1 && f.n == 0);
    if (!strstr(err, bad[i][1])) fprintf(stderr, "  %s: %s\n", bad[i][0], err);
    CHECK_CONTAINS(err, bad[i][1]);
  }
  /* The longest item is named in the message, cut. */
  CHECK(pa_proxy_from_parse(&f, "x123456789012345678901234567890123456789012345678901234567890",
                            err, sizeof err) == -1);
  CHECK_CONTAINS(err, "not a numeric");
}

int main(void) {
  RUN(tcp4_and_tcp6);
  RUN(tlvs_and_length_edge);
  RUN(local_and_fallbacks);
  RUN(refusals);
  RUN(from_list);
  return pa_test_summary("web.proxy");
}
