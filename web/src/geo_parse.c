/* pa_geo's pure parts: addresses, X-Forwarded-For and the test map. */
#include "geo.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int pa_geo_canonical(const char *addr, char out[PA_GEO_ADDR_MAX]) {
  unsigned char a[16];
  out[0] = '\0';
  if (!addr || strlen(addr) >= PA_GEO_ADDR_MAX) return -1;
  if (inet_pton(AF_INET, addr, a) == 1) return inet_ntop(AF_INET, a, out, PA_GEO_ADDR_MAX) ? 0 : -1;
  if (inet_pton(AF_INET6, addr, a) != 1) return -1;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(a, mapped, sizeof mapped) == 0)
    return inet_ntop(AF_INET, a + 12, out, PA_GEO_ADDR_MAX) ? 0 : -1;
  return inet_ntop(AF_INET6, a, out, PA_GEO_ADDR_MAX) ? 0 : -1;
}

int pa_geo_is_loopback(const char *addr) {
  return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

int pa_geo_forwarded_for(const char *header, char out[PA_GEO_ADDR_MAX]) {
  char entry[PA_GEO_ADDR_MAX];
  out[0] = '\0';
  if (!header) return -1;
  const char *start = strrchr(header, ',');
  start = start ? start + 1 : header;
  while (*start == ' ' || *start == '\t') start++;
  size_t n = strlen(start);
  while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t')) n--;
  if (n == 0 || n >= sizeof entry) return -1;
  memcpy(entry, start, n);
  entry[n] = '\0';
  return pa_geo_canonical(entry, out);
}

void pa_geo_client(const char *peer, const char *forwarded_for, char out[PA_GEO_ADDR_MAX]) {
  char own[PA_GEO_ADDR_MAX];
  if (pa_geo_canonical(peer, own) != 0) {
    out[0] = '\0';
    return;
  }
  if (pa_geo_is_loopback(own) && pa_geo_forwarded_for(forwarded_for, out) == 0) return;
  memcpy(out, own, sizeof own);
}

static int fail(char *err, size_t errlen, int line, const char *what) {
  snprintf(err, errlen, "test map line %d: %s", line, what);
  return -1;
}

int pa_geo_map_parse(const char *text, size_t len, pa_geo_map *out, char *err, size_t errlen) {
  out->n = 0;
  if (len > PA_GEO_MAP_BYTES) return fail(err, errlen, 0, "the file is too large");
  int line = 0;
  size_t i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && text[end] != '\n') end++;
    line++;
    char buf[128];
    size_t n = end - i;
    if (n >= sizeof buf) return fail(err, errlen, line, "the line is too long");
    memcpy(buf, text + i, n);
    buf[n] = '\0';
    i = end + 1;
    if (memchr(buf, '\0', n)) return fail(err, errlen, line, "a NUL byte");
    if (n > 0 && buf[n - 1] == '\r') buf[--n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\0' || *p == '#') continue;
    char *addr = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    if (!*p) return fail(err, errlen, line, "expected an address and a country code");
    *p++ = '\0';
    while (*p == ' ' || *p == '\t') p++;
    char *cc = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    char *rest = p;
    while (*rest == ' ' || *rest == '\t') rest++;
    *p = '\0';
    if (*rest) return fail(err, errlen, line, "text after the country code");
    if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
      return fail(err, errlen, line, "the country must be two uppercase letters");
    char canon[PA_GEO_ADDR_MAX];
    if (pa_geo_canonical(addr, canon) != 0) return fail(err, errlen, line, "not an address");
    if (!pa_geo_is_loopback(canon))
      return fail(err, errlen, line, "only loopback addresses may be mapped (a test-only file)");
    for (int k = 0; k < out->n; k++)
      if (strcmp(out->e[k].addr, canon) == 0)
        return fail(err, errlen, line, "the address is mapped twice");
    if (out->n == PA_GEO_MAP_MAX) return fail(err, errlen, line, "too many entries");
    memcpy(out->e[out->n].addr, canon, sizeof canon);
    memcpy(out->e[out->n].country, cc, 3);
    out->n++;
  }
  return 0;
}
