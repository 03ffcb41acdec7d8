/* pa_proxy — the PROXY protocol v2 (HAProxy's proxy-protocol.txt, section 2):
 * a load balancer in front tells us, in a binary header before the first
 * byte of HTTP, which client it is speaking for. Only a connection from an
 * address listed in PA_PROXY_FROM is believed (anyone else could claim any
 * address); for those the header is required.
 *
 * Pure functions over untrusted bytes, no I/O and no allocation: the fuzz
 * build compiles them alone (web/fuzz/fuzz_proxy.c). */
#ifndef PA_NET_PROXY_H
#define PA_NET_PROXY_H

#include <stddef.h>

enum {
  PA_PROXY_FROM_MAX = 16, /* addresses or networks in PA_PROXY_FROM; one more is refused */
  /* Bytes of the list's text: 16 IPv6 CIDRs with spaces fit ("…/128, ") */
  PA_PROXY_FROM_TEXT_MAX = 1024,
  PA_PROXY_FIXED = 16, /* the signature (12), version and command, family, length (2) */
  /* The whole header: the fixed part, the addresses (at most 216, for unix
   * sockets) and TLVs. Ours are the addresses (12 or 36) and a few TLVs;
   * a longer length is refused before its bytes are read. */
  PA_PROXY_HEADER_MAX = 16 + 512, /* PA_PROXY_FIXED + 512 */
  PA_PROXY_ADDR_MAX = 48          /* numeric address text with its NUL (IPv6: 46) */
};

/* One listed address or network: 16 bytes (IPv4 as ::ffff:a.b.c.d) and
 * how many leading bits must match. */
typedef struct pa_proxy_net {
  unsigned char addr[16];
  int bits;
} pa_proxy_net;

/* PA_PROXY_FROM parsed; n 0 trusts nobody. */
typedef struct pa_proxy_from {
  pa_proxy_net net[PA_PROXY_FROM_MAX];
  int n;
} pa_proxy_from;

/* Parses text: a comma list of numeric IPv4 or IPv6 addresses, each with an
 * optional "/bits" (0..32 or 0..128), spaces around items allowed. NULL or
 * "" (only spaces) gives an empty list. 0, or -1 with a message in err (the
 * item and what is wrong with it); *out is empty then. Host bits set under
 * the prefix ("10.0.0.1/8") are refused: the writer meant something else. */
int pa_proxy_from_parse(pa_proxy_from *out, const char *text, char *err, size_t errlen);
/* 1 when numeric_addr (IPv4, IPv6 or IPv4-mapped IPv6 text) is in f, else 0
 * (also when it is not an address). */
int pa_proxy_from_match(const pa_proxy_from *f, const char *numeric_addr);

/* Reads a PROXY v2 header at the start of buf.
 * >0: the header's length (to consume); addr holds the client's numeric
 *     address (TCP over IPv4 or IPv6, command PROXY), or "" when the
 *     connection speaks for itself (command LOCAL: HAProxy's health checks;
 *     or PROXY with an UNSPEC family, which the spec says to treat as LOCAL).
 *  0: buf is a correct beginning; more bytes are needed.
 * -1: not a header we accept (err says why): bad signature, version other
 *     than 2, an unknown command, UDP or unix sockets, a length too short for
 *     the family's addresses or over PA_PROXY_HEADER_MAX.
 * TLVs after the addresses are skipped unread. */
int pa_proxy_parse(const unsigned char *buf, size_t len, char addr[PA_PROXY_ADDR_MAX], char *err,
                   size_t errlen);

#endif
