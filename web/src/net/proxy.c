/* The PROXY protocol v2 header and PA_PROXY_FROM (proxy.h). Written from
 * HAProxy's proxy-protocol.txt, section 2.2. */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* "\r\n\r\n\0\r\nQUIT\n": chosen by the spec never to begin anything else
 * (an HTTP request, TLS, the v1 text header). */
static const unsigned char SIG[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                      0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

enum {
  CMD_LOCAL = 0x0,
  CMD_PROXY = 0x1,
  FAM_UNSPEC = 0x00,
  FAM_TCP4 = 0x11,
  FAM_UDP4 = 0x12,
  FAM_TCP6 = 0x21,
  FAM_UDP6 = 0x22,
  FAM_UNIX_STREAM = 0x31,
  FAM_UNIX_DGRAM = 0x32,
  /* Bytes of the address block each family needs (source, destination, ports). */
  ADDRS_INET = 12,
  ADDRS_INET6 = 36,
  ADDRS_UNIX = 216
};

static void say(char *err, size_t errlen, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s", msg);
}

int pa_proxy_parse(const unsigned char *buf, size_t len, char addr[PA_PROXY_ADDR_MAX], char *err,
                   size_t errlen) {
  addr[0] = '\0';
  if (len == 0) return 0;
  /* The signature byte by byte, so a wrong beginning is refused at once
   * rather than waited on: a client sending HTTP is told no on its first read. */
  size_t have = len < sizeof SIG ? len : sizeof SIG;
  if (memcmp(buf, SIG, have) != 0) {
    say(err, errlen, "not a PROXY protocol v2 header (bad signature)");
    return -1;
  }
  if (len < 13) return 0;
  if ((buf[12] >> 4) != 2) {
    say(err, errlen, "PROXY protocol version is not 2");
    return -1;
  }
  int cmd = buf[12] & 0x0f;
  if (cmd != CMD_LOCAL && cmd != CMD_PROXY) {
    say(err, errlen, "unknown PROXY protocol command");
    return -1;
  }
  if (len < 14) return 0;
  int fam = buf[13];
  size_t need;
  switch (fam) {
  case FAM_UNSPEC: need = 0; break;
  case FAM_TCP4:
  case FAM_UDP4: need = ADDRS_INET; break;
  case FAM_TCP6:
  case FAM_UDP6: need = ADDRS_INET6; break;
  case FAM_UNIX_STREAM:
  case FAM_UNIX_DGRAM: need = ADDRS_UNIX; break;
  default:
    /* The spec: other values must be rejected as invalid by receivers. */
    say(err, errlen, "unknown PROXY protocol address family");
    return -1;
  }
  if (len < PA_PROXY_FIXED) return 0;
  size_t body = (size_t)buf[14] << 8 | buf[15];
  if (body > PA_PROXY_HEADER_MAX - PA_PROXY_FIXED) {
    say(err, errlen, "PROXY protocol header longer than PA_PROXY_HEADER_MAX");
    return -1;
  }
  /* LOCAL discards the address block, family included (the spec), so only
   * PROXY must carry the addresses its family promises. */
  if (cmd == CMD_PROXY && body < need) {
    say(err, errlen, "PROXY protocol header too short for its address family");
    return -1;
  }
  if (len < PA_PROXY_FIXED + body) return 0;
  int total = (int)(PA_PROXY_FIXED + body);
  /* LOCAL (health checks) and the families we do not route for (UNSPEC,
   * UDP, unix sockets: the spec lets a receiver fall back to UNSPEC) keep
   * the connection's own address. What follows the addresses is TLVs,
   * skipped: nothing we use is in them. */
  if (cmd == CMD_LOCAL || (fam != FAM_TCP4 && fam != FAM_TCP6)) return total;
  const unsigned char *a = buf + PA_PROXY_FIXED; /* the source address comes first */
  const char *ok = fam == FAM_TCP4 ? inet_ntop(AF_INET, a, addr, PA_PROXY_ADDR_MAX)
                                   : inet_ntop(AF_INET6, a, addr, PA_PROXY_ADDR_MAX);
  if (!ok) { /* cannot happen for 4 or 16 bytes; a header is refused rather than half-read */
    addr[0] = '\0';
    say(err, errlen, "PROXY protocol address unreadable");
    return -1;
  }
  return total;
}

/* text as 16 bytes (IPv4 mapped into ::ffff:0:0/96); bits gets the
 * address's own width in that space (32 + 96 for IPv4). 0, or -1. */
static int addr16(const char *text, unsigned char out[16], int *v4) {
  unsigned char b[16];
  if (inet_pton(AF_INET, text, b) == 1) {
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, b, 4);
    *v4 = 1;
    return 0;
  }
  if (inet_pton(AF_INET6, text, out) == 1) {
    *v4 = 0;
    return 0;
  }
  return -1;
}

static int bits_match(const unsigned char *a, const unsigned char *b, int bits) {
  int whole = bits / 8, rest = bits % 8;
  if (memcmp(a, b, (size_t)whole) != 0) return 0;
  if (!rest) return 1;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

/* One item, "ADDR" or "ADDR/BITS", into net. 0, or -1 with err set. */
static int parse_item(const char *item, pa_proxy_net *net, char *err, size_t errlen) {
  char a[PA_PROXY_ADDR_MAX];
  const char *slash = strchr(item, '/');
  size_t alen = slash ? (size_t)(slash - item) : strlen(item);
  int v4 = 0;
  if (alen == 0 || alen >= sizeof a) {
    snprintf(err, errlen, "\"%s\" is not a numeric IPv4 or IPv6 address", item);
    return -1;
  }
  memcpy(a, item, alen);
  a[alen] = '\0';
  if (addr16(a, net->addr, &v4) != 0) {
    snprintf(err, errlen, "\"%s\" is not a numeric IPv4 or IPv6 address", a);
    return -1;
  }
  int width = v4 ? 32 : 128;
  int bits = width;
  if (slash) {
    const char *d = slash + 1;
    size_t dl = strlen(d);
    bits = 0;
    /* Digits only, no sign or spaces, and short enough not to overflow. */
    if (dl == 0 || dl > 3) bits = -1;
    for (size_t i = 0; bits >= 0 && i < dl; i++)
      bits = d[i] >= '0' && d[i] <= '9' ? bits * 10 + (d[i] - '0') : -1;
    if (bits < 0 || bits > width) {
      snprintf(err, errlen, "\"%s\": the prefix length must be 0..%d", item, width);
      return -1;
    }
  }
  net->bits = bits + (v4 ? 96 : 0);
  /* Host bits under the prefix: "10.0.0.1/8" is a typo for an address or
   * for "10.0.0.0/8"; guessing either could trust the wrong machines. */
  unsigned char masked[16];
  memcpy(masked, net->addr, 16);
  for (int i = net->bits; i < 128; i++) masked[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
  if (memcmp(masked, net->addr, 16) != 0) {
    snprintf(err, errlen, "\"%s\" has bits set past its prefix length", item);
    return -1;
  }
  return 0;
}

int pa_proxy_from_parse(pa_proxy_from *out, const char *text, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (err && errlen) err[0] = '\0';
  if (!text) return 0;
  size_t tl = strlen(text);
  if (tl > PA_PROXY_FROM_TEXT_MAX) {
    snprintf(err, errlen, "longer than %d bytes", PA_PROXY_FROM_TEXT_MAX);
    return -1;
  }
  size_t i = 0;
  while (i < tl && is_space(text[i])) i++;
  if (i == tl) return 0; /* only spaces: nobody, as unset */
  const char *p = text;
  for (;;) {
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : text + tl;
    const char *s = p;
    while (s < end && is_space(*s)) s++;
    const char *e = end;
    while (e > s && is_space(e[-1])) e--;
    size_t n = (size_t)(e - s);
    char item[PA_PROXY_ADDR_MAX + 8];
    if (n == 0) {
      say(err, errlen, "an empty item (two commas in a row, or one at an end)");
      memset(out, 0, sizeof *out);
      return -1;
    }
    if (n >= sizeof item) {
      snprintf(err, errlen, "\"%.*s...\" is not a numeric address or CIDR", 24, s);
      memset(out, 0, sizeof *out);
      return -1;
    }
    if (out->n == PA_PROXY_FROM_MAX) {
      snprintf(err, errlen, "more than %d items (PA_PROXY_FROM_MAX)", PA_PROXY_FROM_MAX);
      memset(out, 0, sizeof *out);
      return -1;
    }
    memcpy(item, s, n);
    item[n] = '\0';
    if (parse_item(item, &out->net[out->n], err, errlen) != 0) {
      memset(out, 0, sizeof *out);
      return -1;
    }
    out->n++;
    if (!comma) return 0;
    p = comma + 1;
  }
}

int pa_proxy_from_match(const pa_proxy_from *f, const char *numeric_addr) {
  unsigned char a[16];
  int v4;
  if (!numeric_addr || addr16(numeric_addr, a, &v4) != 0) return 0;
  for (int i = 0; i < f->n; i++)
    if (bits_match(a, f->net[i].addr, f->net[i].bits)) return 1;
  return 0;
}
