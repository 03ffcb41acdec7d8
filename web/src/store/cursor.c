/* Feed cursors: base64url of "v1.<created_at>.<id>". The same text on every
 * database, so a cursor survives a move from SQLite to PostgreSQL. */
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void pa_store_cursor_encode(const pa_store_cursor *c, char out[PA_STORE_CURSOR_MAX]) {
  char plain[64];
  int n = snprintf(plain, sizeof plain, "v1.%lld.%lld", (long long)c->created_at, (long long)c->id);
  sodium_bin2base64(out, PA_STORE_CURSOR_MAX, (const unsigned char *)plain, (size_t)n,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Canonical decimal only: optional '-', no leading zeros, no overflow. */
static int parse_i64(const char **p, int64_t *out) {
  const char *s = *p;
  int neg = *s == '-';
  uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
  if (neg) s++;
  if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9')) return -1;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (v > (lim - d) / 10u) return -1;
    v = v * 10u + d;
  }
  *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
  *p = s;
  return 0;
}

int pa_store_cursor_decode(const char *text, pa_store_cursor *out) {
  unsigned char plain[64];
  size_t n = 0, len = text ? strlen(text) : 0;
  if (len == 0 || len >= PA_STORE_CURSOR_MAX) return PA_STORE_EINVAL;
  if (sodium_base642bin(plain, sizeof plain - 1, text, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return PA_STORE_EINVAL;
  plain[n] = '\0';
  if (memchr(plain, '\0', n)) return PA_STORE_EINVAL;
  const char *p = (const char *)plain;
  pa_store_cursor c;
  if (strncmp(p, "v1.", 3) != 0) return PA_STORE_EINVAL;
  p += 3;
  if (parse_i64(&p, &c.created_at) != 0 || *p++ != '.' || parse_i64(&p, &c.id) != 0 || *p ||
      c.id < 1)
    return PA_STORE_EINVAL;
  /* One position, one spelling: reject anything we would not have written. */
  char again[PA_STORE_CURSOR_MAX];
  pa_store_cursor_encode(&c, again);
  if (strcmp(again, text) != 0) return PA_STORE_EINVAL;
  *out = c;
  return PA_STORE_OK;
}
