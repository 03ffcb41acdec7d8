/* pa_origin — the server's public origins (origin.h). */
#include "origin.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int default_port(int https) { return https ? 443 : 80; }

/* host[:port] of exactly n bytes: the host lower-cased into host (an IPv6
 * address keeps its brackets), *port the number or -1 when absent. 0 or -1
 * with err (when non-NULL) saying why. */
static int split_authority(const char *s, size_t n, char host[PA_ORIGIN_HOST_MAX + 1], int *port,
                           char *err, size_t errlen) {
  size_t hl = 0;
  int bad = 0;
  if (n > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', n);
    hl = close ? (size_t)(close - s) + 1 : 0;
    for (size_t i = 1; i + 1 < hl; i++)
      bad |= !isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.';
    if (hl < 3 || bad) {
      if (err) snprintf(err, errlen, "the IPv6 address must be hex digits and ':' in brackets");
      return -1;
    }
  } else {
    while (hl < n && s[hl] != ':') hl++;
    for (size_t i = 0; i < hl; i++)
      bad |= !isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.';
    if (bad) {
      if (err) snprintf(err, errlen, "the host may hold letters, digits, '-' and '.' only");
      return -1;
    }
  }
  if (hl == 0 || hl > PA_ORIGIN_HOST_MAX) {
    if (err) snprintf(err, errlen, "the host must be 1..%d bytes", PA_ORIGIN_HOST_MAX);
    return -1;
  }
  for (size_t i = 0; i < hl; i++) host[i] = (char)tolower((unsigned char)s[i]);
  host[hl] = '\0';
  *port = -1;
  if (hl == n) return 0;
  if (s[hl] != ':' || n - hl - 1 == 0 || n - hl - 1 > 5) {
    if (err) snprintf(err, errlen, "the port must be 1..65535");
    return -1;
  }
  long p = 0;
  for (size_t i = hl + 1; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) p = -1;
    if (p >= 0) p = p * 10 + (s[i] - '0');
  }
  if (p < 1 || p > 65535) {
    if (err) snprintf(err, errlen, "the port must be 1..65535");
    return -1;
  }
  *port = (int)p;
  return 0;
}

/* "http(s)://" at the start of s: its length, *https set; else 0. */
static size_t scheme_len(const char *s, int *https) {
  if (strncasecmp(s, "https://", 8) == 0) {
    *https = 1;
    return 8;
  }
  if (strncasecmp(s, "http://", 7) == 0) {
    *https = 0;
    return 7;
  }
  return 0;
}

/* scheme://authority of exactly n bytes into out, normalised. */
static int parse_one(const char *s, size_t n, pa_origin *out, char *err, size_t errlen) {
  int https = 0;
  size_t skip = scheme_len(s, &https);
  if (!skip || skip > n) {
    if (err) snprintf(err, errlen, "it must start with http:// or https://");
    return -1;
  }
  if (split_authority(s + skip, n - skip, out->host, &out->port, err, errlen) != 0) return -1;
  out->https = https;
  if (out->port < 0) out->port = default_port(https);
  if (out->port == default_port(https))
    snprintf(out->url, sizeof out->url, "%s://%s", https ? "https" : "http", out->host);
  else
    snprintf(out->url, sizeof out->url, "%s://%s:%d", https ? "https" : "http", out->host,
             out->port);
  return 0;
}

static int same(const pa_origin *a, const pa_origin *b) {
  return a->https == b->https && a->port == b->port && strcmp(a->host, b->host) == 0;
}

static int add(pa_origins *o, const pa_origin *one, char *err, size_t errlen) {
  for (int i = 0; i < o->n; i++)
    if (same(&o->list[i], one)) return 0;
  if (o->n >= PA_ORIGIN_MAX) {
    snprintf(err, errlen, "at most %d origins", PA_ORIGIN_MAX);
    return -1;
  }
  o->list[o->n++] = *one;
  return 0;
}

int pa_origin_parse(pa_origins *o, const char *text, char *err, size_t errlen) {
  const char *s = text ? text : "";
  while (*s) {
    while (*s == ' ' || *s == ',') s++;
    size_t n = strcspn(s, ",");
    while (n > 0 && s[n - 1] == ' ') n--;
    if (n == 0) break;
    /* "https://host/" is the same origin as "https://host" */
    int https;
    size_t core = n > scheme_len(s, &https) && s[n - 1] == '/' ? n - 1 : n;
    pa_origin one;
    char why[96];
    if (parse_one(s, core, &one, why, sizeof why) != 0) {
      snprintf(err, errlen, "origin \"%.*s\": %s", n > 80 ? 80 : (int)n, s, why);
      return -1;
    }
    if (add(o, &one, err, errlen) != 0) return -1;
    s += n;
  }
  return 0;
}

int pa_origin_default(pa_origins *o, const char *listen_host, int port, char *err, size_t errlen) {
  unsigned char addr[16], any[16] = {0};
  char text[PA_ORIGIN_URL_MAX + 32];
  int v6 = 0;
  if (o->n > 0) return 0;
  if (!listen_host || (inet_pton(AF_INET, listen_host, addr) != 1 &&
                       !(v6 = inet_pton(AF_INET6, listen_host, addr) == 1))) {
    snprintf(err, errlen, "the listening address %s is not a numeric IP address",
             listen_host ? listen_host : "(none)");
    return -1;
  }
  if (memcmp(addr, any, v6 ? 16 : 4) == 0) {
    snprintf(err, errlen,
             "%s listens on every address: name the address people use with --origin "
             "(or PA_PUBLIC_ORIGINS)",
             listen_host);
    return -1;
  }
  /* Written back the way browsers write it (IPv6 compressed, lower case). */
  static const unsigned char v6_loopback[16] = {[15] = 1};
  static const unsigned char v4_loopback[4] = {127, 0, 0, 1};
  int loopback = memcmp(addr, v6 ? v6_loopback : v4_loopback, v6 ? 16 : 4) == 0;
  char canon[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, canon, sizeof canon)) {
    snprintf(err, errlen, "cannot write the listening address %s", listen_host);
    return -1;
  }
  snprintf(text, sizeof text, v6 ? "http://[%s]:%d" : "http://%s:%d", canon, port);
  if (pa_origin_parse(o, text, err, errlen) != 0) return -1;
  if (loopback) {
    snprintf(text, sizeof text, "http://localhost:%d", port);
    if (pa_origin_parse(o, text, err, errlen) != 0) return -1;
  }
  return 0;
}

int pa_origin_host_ok(const pa_origins *o, const char *host) {
  char h[PA_ORIGIN_HOST_MAX + 1];
  int port;
  if (!host || split_authority(host, strlen(host), h, &port, NULL, 0) != 0) return 0;
  for (int i = 0; i < o->n; i++) {
    const pa_origin *c = &o->list[i];
    if (strcmp(c->host, h) == 0 && (port < 0 ? c->port == default_port(c->https) : port == c->port))
      return 1;
  }
  return 0;
}

int pa_origin_origin_ok(const pa_origins *o, const char *origin) {
  pa_origin one;
  if (!origin || parse_one(origin, strlen(origin), &one, NULL, 0) != 0) return 0;
  for (int i = 0; i < o->n; i++)
    if (same(&o->list[i], &one)) return 1;
  return 0;
}

const char *pa_origin_url_path(const pa_origins *o, const char *url) {
  int https;
  size_t skip = scheme_len(url, &https);
  if (!skip) return NULL;
  size_t n = skip + strcspn(url + skip, "/?#");
  pa_origin one;
  if (parse_one(url, n, &one, NULL, 0) != 0) return NULL;
  for (int i = 0; i < o->n; i++)
    if (same(&o->list[i], &one)) return url + n;
  return NULL;
}

const char *pa_origin_base(const pa_origins *o) { return o->n > 0 ? o->list[0].url : ""; }
