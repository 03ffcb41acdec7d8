/* libFuzzer target: the HTTP/1.1 codec (web/src/net/http.c) on untrusted
 * bytes. The input is what a client sends: a request head, then a body.
 * - pa_http_head_end finds the same end whether the bytes arrive at once or
 *   trickle in random pieces; pa_http_parse_head on the head (and on the
 *   whole input) keeps every string inside the buffer and every accepted
 *   head obeys the rules that stop request smuggling;
 * - the bytes after the head (the whole input when there is no head) go
 *   through the chunked decoder at once, in random pieces, and through a
 *   line-by-line reference decoder: same outcome, same payload;
 * - paths, query variables, cookies, ranges, entity tags and bearer tokens from the parsed head
 *   and from the raw input cut at newlines, into exactly-sized buffers of
 *   several capacities (ASan sees a write past one), against references.
 * The random pieces come from a hash of the input, so a crash replays. */
#include "fuzz_check.h"
#include "net/http.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: abort, so libFuzzer keeps the input. */
/* xorshift64: piece sizes for incremental feeding. */
static uint64_t rnd(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* The next piece of at most left (> 0) bytes: single bytes, a few, or a lot. */
static size_t piece(uint64_t *s, size_t left) {
  uint64_t r = rnd(s);
  size_t n;
  switch (r & 3) {
  case 0: n = 1; break;
  case 1: n = 1 + (size_t)((r >> 8) % 8); break;
  case 2: n = 1 + (size_t)((r >> 8) % 100); break;
  default: n = 1 + (size_t)((r >> 8) % left); break;
  }
  return n < left ? n : left;
}

/* A heap copy of exactly n bytes, so ASan sees any access past them. */
static char *dup_exact(const void *p, size_t n) {
  char *d = malloc(n ? n : 1);
  if (!d) abort();
  if (n) memcpy(d, p, n);
  return d;
}

/* A NUL-terminated heap copy. */
static char *dup_str(const void *p, size_t n) {
  char *d = malloc(n + 1);
  if (!d) abort();
  if (n) memcpy(d, p, n);
  d[n] = '\0';
  return d;
}

static int is_tchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ieq(const char *a, const char *b) {
  while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) a++, b++;
  return *a == *b;
}

static int hex(int c) {
  c = lower(c);
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 when the comma-separated list holds token, ASCII case-insensitive. */
static int list_has(const char *list, const char *token) {
  size_t tl = strlen(token);
  for (const char *p = list;; p++) {
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strcspn(p, ",");
    size_t k = n;
    while (k && (p[k - 1] == ' ' || p[k - 1] == '\t')) k--;
    if (k == tl) {
      size_t i = 0;
      while (i < k && lower((unsigned char)p[i]) == token[i]) i++;
      if (i == k) return 1;
    }
    p += n;
    if (!*p) return 0;
  }
}

/* s is a string that starts and ends (its NUL) inside buf[0..len). */
static void check_inside(const char *s, const char *buf, size_t len) {
  ASSERT(s >= buf && s < buf + len);
  ASSERT(memchr(s, '\0', (size_t)(buf + len - s)) != NULL);
}

/* The invariants of a head pa_http_parse_head accepted from buf[0..len). */
static void check_parsed(const pa_http_head *h, const char *buf, size_t len) {
  check_inside(h->method, buf, len);
  size_t ml = strlen(h->method);
  ASSERT(ml >= 1 && ml <= PA_HTTP_METHOD_MAX);
  for (size_t i = 0; i < ml; i++) ASSERT(is_tchar((unsigned char)h->method[i]));
  check_inside(h->path, buf, len);
  ASSERT(h->path[0] == '/');
  size_t target = strlen(h->path);
  for (const char *p = h->path; *p; p++) ASSERT(*p > 0x20 && *p < 0x7f && *p != '?');
  if (h->query) {
    check_inside(h->query, buf, len);
    target += 1 + strlen(h->query);
    for (const char *p = h->query; *p; p++) ASSERT(*p > 0x20 && *p < 0x7f);
  }
  ASSERT(target <= PA_HTTP_TARGET_MAX);
  ASSERT(h->minor == 0 || h->minor == 1);
  ASSERT(h->nfields >= 0 && h->nfields <= PA_HTTP_HEADERS_MAX);

  int hosts = 0, cl = 0, te = 0, ka = 0, closing = 0, conn_up = 0, up_ws = 0;
  long long length = -1;
  for (int i = 0; i < h->nfields; i++) {
    const char *name = h->fields[i].name, *v = h->fields[i].value;
    check_inside(name, buf, len);
    check_inside(v, buf, len);
    ASSERT(*name);
    for (const char *p = name; *p; p++) ASSERT(is_tchar((unsigned char)*p));
    for (const char *p = v; *p; p++)
      ASSERT(((unsigned char)*p >= 0x20 || *p == '\t') && *p != 0x7f);
    size_t vl = strlen(v);
    ASSERT(vl == 0 || (v[0] != ' ' && v[0] != '\t' && v[vl - 1] != ' ' && v[vl - 1] != '\t'));
    /* pa_http_field_get answers the first field of that name. */
    int first = i;
    for (int j = 0; j < i; j++)
      if (ieq(h->fields[j].name, name)) {
        first = j;
        break;
      }
    ASSERT(pa_http_field_get(h, name) == h->fields[first].value);
    if (ieq(name, "Host")) hosts++;
    if (ieq(name, "Transfer-Encoding")) te++;
    if (ieq(name, "Content-Length")) {
      char *end;
      long long n = strtoll(v, &end, 10);
      ASSERT(*v >= '0' && *v <= '9' && !*end && n >= 0 && (length < 0 || n == length));
      length = n;
      cl++;
    }
    /* Several Connection or Upgrade lines are one list (RFC 9110 §5.3). */
    if (ieq(name, "Connection")) {
      ka |= list_has(v, "keep-alive");
      closing |= list_has(v, "close");
      conn_up |= list_has(v, "upgrade");
    }
    if (ieq(name, "Upgrade")) up_ws |= list_has(v, "websocket");
  }
  ASSERT(h->content_length == length && h->content_length >= -1);
  ASSERT(h->chunked == (te > 0));
  ASSERT(te <= 1 && !(h->chunked && cl));
  ASSERT(!h->chunked || h->minor == 1);
  ASSERT(hosts <= 1 && (h->minor == 0 || hosts == 1)); /* 1.1 needs its one Host */
  ASSERT(h->keep_alive == (h->minor == 1 ? !closing : ka && !closing));
  ASSERT(h->upgrade_ws == (conn_up && up_ws && strcmp(h->method, "GET") == 0));
  ASSERT(h->expect_continue == (h->minor == 1 && pa_http_field_get(h, "Expect") != NULL));
}

static int ok_status(int rc) {
  return rc == 0 || rc == -400 || rc == -414 || rc == -431 || rc == -501 || rc == -505;
}

/* Parses an exact copy of buf[0..len); the status, 0 when accepted. */
static int parse_copy(const uint8_t *buf, size_t len, pa_http_head *h) {
  char *copy = dup_exact(buf, len);
  int rc = pa_http_parse_head(copy, len, h);
  ASSERT(ok_status(rc));
  if (rc == 0) check_parsed(h, copy, len);
  free(copy);
  return rc;
}

/* The head's length, found at once and in pieces; 0 when there is none. */
static size_t check_head_end(const uint8_t *data, size_t size, uint64_t *seed) {
  size_t limit = size < PA_HTTP_HEAD_MAX ? size : PA_HTTP_HEAD_MAX, want = 0;
  for (size_t i = 0; i + 4 <= limit && !want; i++)
    if (memcmp(data + i, "\r\n\r\n", 4) == 0) want = i + 4;
  size_t scan = 0;
  ASSERT(pa_http_head_end((const char *)data, size, &scan) == want);
  /* Trickled in: found by the first call whose bytes hold it. */
  size_t fed = 0, got = 0;
  scan = 0;
  while (fed < size && !got) {
    size_t before = fed;
    fed += piece(seed, size - fed);
    got = pa_http_head_end((const char *)data, fed, &scan);
    ASSERT(scan <= fed);
    ASSERT(!got || before < got);
  }
  ASSERT(got == want);
  return want;
}

/* The reference chunked decoder: the whole body at once, line by line, as
 * RFC 9112 §7.1 reads (sizes of at most 15 hex digits, extensions and
 * trailers without control bytes). 1 with *used and the payload, 0 when the
 * bytes end early, -1 when malformed. */
static int ref_chunked(const uint8_t *b, size_t n, size_t *used, uint8_t *pay, size_t *plen) {
  size_t j = 0;
  *plen = 0;
  for (;;) {
    unsigned long long size = 0;
    int digits = 0;
    for (; j < n; j++) {
      int v = hex(b[j]);
      if (v < 0) break;
      if (++digits > 15) return -1;
      size = size * 16 + (unsigned)v;
    }
    if (j == n) return 0;
    if (!digits) return -1;
    if (b[j] == ';')
      for (j++; j < n && b[j] != '\r'; j++)
        if (b[j] < 0x20 && b[j] != '\t') return -1;
    if (j == n) return 0;
    if (b[j] != '\r') return -1;
    if (++j == n) return 0;
    if (b[j++] != '\n') return -1;
    if (!size) break;
    if (n - j < size) return 0;
    memcpy(pay + *plen, b + j, size);
    *plen += size;
    j += size;
    if (j == n) return 0;
    if (b[j] != '\r') return -1;
    if (++j == n) return 0;
    if (b[j++] != '\n') return -1;
  }
  for (;;) { /* trailer lines, then the empty line */
    if (j == n) return 0;
    if (b[j] == '\r') {
      if (++j == n) return 0;
      if (b[j++] != '\n') return -1;
      *used = j;
      return 1;
    }
    if (b[j] < 0x20 || b[j] == 0x7f) return -1;
    for (j++; j < n && b[j] != '\r'; j++)
      if ((b[j] < 0x20 && b[j] != '\t') || b[j] == 0x7f) return -1;
    if (j == n || ++j == n) return 0;
    if (b[j++] != '\n') return -1;
  }
}

static void check_chunked(const uint8_t *data, size_t size, uint64_t *seed) {
  /* At once. */
  pa_http_chunked c = {0};
  char *all = dup_exact(data, size);
  size_t used = 0, out = 0;
  int rc = pa_http_chunked_step(&c, all, size, &used, &out);
  ASSERT(rc >= -1 && rc <= 1);
  if (rc >= 0) ASSERT(out <= used && used <= size && (rc == 1 || used == size));
  if (rc == 1) { /* done stays done and reads no more */
    size_t u2 = 1, o2 = 1;
    ASSERT(pa_http_chunked_step(&c, all + used, size - used, &u2, &o2) == 1 && !u2 && !o2);
  }

  /* Against the reference. */
  uint8_t *ref = malloc(size + 1);
  size_t ref_used = 0, ref_len = 0;
  int ref_rc = ref_chunked(data, size, &ref_used, ref, &ref_len);
  ASSERT(rc == ref_rc);
  if (rc == 1) ASSERT(used == ref_used && out == ref_len && !memcmp(all, ref, out));
  if (rc == 0) ASSERT(out >= ref_len && !memcmp(all, ref, ref_len));

  /* In pieces, each in its own exact buffer. */
  pa_http_chunked s = {0};
  char *pay = malloc(size + 1);
  size_t fed = 0, plen = 0;
  int prc = 0;
  while (fed < size && prc == 0) {
    size_t n = piece(seed, size - fed), u = 0, o = 0;
    char *part = dup_exact(data + fed, n);
    prc = pa_http_chunked_step(&s, part, n, &u, &o);
    if (prc >= 0) {
      ASSERT(o <= u && u <= n && (prc == 1 || u == n));
      memcpy(pay + plen, part, o);
      plen += o;
      fed += u;
    }
    free(part);
  }
  ASSERT(prc == rc);
  if (rc >= 0) ASSERT(fed == used && plen == out && !memcmp(pay, all, out));
  free(pay);
  free(ref);
  free(all);
}

/* The reference query_var: the value of the first a=b pair (or bare a) whose
 * name is name, form-decoded into out (large enough): its length, -1, or -2
 * for a bad %-escape or %00. name holds no '=' or '&' and is not empty. */
static int ref_query(const char *q, const char *name, char *out) {
  size_t nl = strlen(name);
  for (const char *p = q; *p;) {
    size_t n = strcspn(p, "&"), k = strcspn(p, "=&");
    if (k == nl && !memcmp(p, name, nl)) {
      int o = 0;
      for (size_t i = k + 1; i < n; i++) {
        if (p[i] == '%') {
          int hi = i + 2 < n ? hex(p[i + 1]) : -1, lo = hi < 0 ? -1 : hex(p[i + 2]);
          if (lo < 0 || hi * 16 + lo == 0) return -2; /* %00 is refused */
          out[o++] = (char)(hi * 16 + lo);
          i += 2;
        } else {
          out[o++] = p[i] == '+' ? ' ' : p[i];
        }
      }
      out[o] = '\0';
      return o;
    }
    p += n;
    if (*p) p++;
  }
  return -1;
}

/* The reference cookie: RFC 6265 §5.4 pairs split at ';', leading white
 * space skipped, trailing cut, one pair of DQUOTEs taken off. */
static int ref_cookie(const char *hdr, const char *name, char *out) {
  size_t nl = strlen(name);
  for (const char *p = hdr; *p;) {
    p += strspn(p, " \t;");
    if (!*p) break;
    size_t n = strcspn(p, ";"), k = strcspn(p, "=;");
    if (k < n && k == nl && !memcmp(p, name, nl)) {
      const char *v = p + k + 1;
      size_t vl = n - k - 1;
      while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) vl--;
      if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') v++, vl -= 2;
      memcpy(out, v, vl);
      out[vl] = '\0';
      return (int)vl;
    }
    p += n;
  }
  return -1;
}

/* The capacities tried for a value of length n: small ones and its edge. */
static size_t caps(size_t n, size_t list[12]) {
  static const size_t small[] = {1, 2, 3, 4, 5, 8, 16, 64};
  size_t k = 0;
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) list[k++] = small[i];
  list[k++] = n;
  list[k++] = n + 1;
  list[k++] = n + 2;
  return k;
}

/* pa_http_query_var or pa_http_cookie (cookie = 1) against its reference. */
static void check_lookup(int cookie, const char *text, const char *name) {
  size_t tl = strlen(text);
  int strict = *name && !strpbrk(name, cookie ? "=; \t" : "=&");
  char *want = malloc(tl + 1);
  int ref = strict ? (cookie ? ref_cookie : ref_query)(text, name, want) : 0;
  size_t list[12], n = caps(ref > 0 ? (size_t)ref : 0, list);
  for (size_t i = 0; i < n; i++) {
    if (!list[i]) continue;
    char *out = malloc(list[i]); /* exactly cap bytes */
    int got = cookie ? pa_http_cookie(text, name, out, list[i])
                     : pa_http_query_var(text, name, out, list[i]);
    ASSERT(got >= -2 && (got < 0 || (size_t)got < list[i]));
    if (got >= 0) ASSERT(out[got] == '\0');
    if (strict) {
      if (ref < 0) {
        ASSERT(got == ref);
      } else if ((size_t)ref < list[i]) {
        ASSERT(got == ref && !memcmp(out, want, (size_t)ref + 1));
      } else {
        ASSERT(got == -2); /* a value of cap bytes or more does not fit */
      }
    }
    free(out);
  }
  free(want);
}

/* The reference path decoder: %XY escapes, none of them NUL or '/'. */
static int ref_path(const char *path, char *out) {
  int o = 0;
  for (const char *p = path; *p; p++) {
    int c = (unsigned char)*p;
    if (c == '%') {
      int hi = hex(p[1]), lo = hi < 0 ? -1 : hex(p[2]);
      if (lo < 0 || (c = hi * 16 + lo) == 0 || c == '/') return -1;
      p += 2;
    }
    out[o++] = (char)c;
  }
  out[o] = '\0';
  return o;
}

/* pa_http_path_decode into exact buffers: the reference's result when it
 * fits with its NUL, -1 otherwise. */
static void check_path(const char *path) {
  char *want = malloc(strlen(path) + 1);
  int ref = ref_path(path, want);
  size_t list[12], n = caps(ref > 0 ? (size_t)ref : 0, list);
  for (size_t i = 0; i < n; i++) {
    if (!list[i]) continue;
    char *out = malloc(list[i]);
    int got = pa_http_path_decode(path, out, list[i]);
    if (ref >= 0 && (size_t)ref < list[i])
      ASSERT(got == ref && !memcmp(out, want, (size_t)ref + 1));
    else
      ASSERT(got == -1);
    free(out);
  }
  ASSERT(pa_http_path_decode(path, want, 0) == -1);
  free(want);
}

/* Ranges: 1 only with 0 <= from <= to < size; several ranges are ignored. */
static void check_range(const char *hdr) {
  static const long long sizes[] = {0, 1, 2, 10, 1000, 65536, LLONG_MAX};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    long long from = -7, to = -7;
    int rc = pa_http_range(hdr, sizes[i], &from, &to);
    ASSERT(rc >= -1 && rc <= 1);
    if (rc == 1) ASSERT(0 <= from && from <= to && to < sizes[i]);
    if (strchr(hdr, ',') || strncmp(hdr, "bytes=", 6)) ASSERT(rc == 0);
    if (sizes[i] == 0) ASSERT(rc != 1);
  }
}

/* Entity tags: weak comparison (W/ on either side changes nothing, for a
 * tag that is one: W/ before a quoted opaque-tag, RFC 9110 §8.8.3 — "W/W/x"
 * is no entity tag, and what it matches is not a promise), "*" matches all,
 * and a tag absent from the header cannot match. */
static void check_etag(const char *hdr, const char *etag) {
  int m = pa_http_etag_match(hdr, etag);
  ASSERT(m == 0 || m == 1);
  const char *bare = strncmp(etag, "W/", 2) ? etag : etag + 2;
  char *weak = malloc(strlen(bare) + 3);
  memcpy(weak, "W/", 2);
  strcpy(weak + 2, bare);
  if (bare[0] == '"')
    ASSERT(pa_http_etag_match(hdr, weak) == m && pa_http_etag_match(hdr, bare) == m);
  if (*bare && !strchr(hdr, '*') && !strstr(hdr, bare)) ASSERT(!m);
  free(weak);
  ASSERT(pa_http_etag_match(NULL, etag) == 0);
}

/* Names taken from a list "a=1&b" (sep '&') or a cookie header (sep ';'). */
static void check_names(int cookie, const char *text) {
  const char *p = text;
  for (int k = 0; k < 8 && *p; k++) {
    p += strspn(p, cookie ? " \t;" : "&");
    size_t n = strcspn(p, cookie ? "=;" : "=&");
    char *name = dup_str(p, n);
    check_lookup(cookie, text, name);
    free(name);
    p += strcspn(p, cookie ? ";" : "&");
  }
  check_lookup(cookie, text, "q");
}

/* The reference bearer parse: "bearer" in any case, blanks, a b64token
 * (token characters, '=' only trailing), blanks, the end. */
static int ref_bearer(const char *hdr, char *out) {
  static const char scheme[] = "bearer";
  size_t i = 0;
  for (; i < 6; i++)
    if (!hdr[i] || (char)(hdr[i] | 0x20) != scheme[i]) return -1;
  if (hdr[i] != ' ' && hdr[i] != '\t') return -1;
  while (hdr[i] == ' ' || hdr[i] == '\t') i++;
  size_t start = i, eq = 0;
  for (; hdr[i] && hdr[i] != ' ' && hdr[i] != '\t'; i++) {
    char c = hdr[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '=') {
      eq++;
    } else if (eq || !(alnum || strchr("-._~+/", c))) {
      return -1; /* a byte no token holds, or one after the '='s */
    }
  }
  size_t end = i;
  if (end == start || eq == end - start) return -1; /* empty, or nothing but '=' */
  while (hdr[i] == ' ' || hdr[i] == '\t') i++;
  if (hdr[i]) return -1;
  memcpy(out, hdr + start, end - start);
  out[end - start] = '\0';
  return (int)(end - start);
}

/* pa_http_bearer against its reference, into exactly-sized buffers. */
static void check_bearer(const char *text) {
  char *want = malloc(strlen(text) + 1);
  int ref = ref_bearer(text, want);
  size_t list[12], n = caps(ref > 0 ? (size_t)ref : 0, list);
  for (size_t i = 0; i < n; i++) {
    if (!list[i]) continue;
    char *out = malloc(list[i]);
    int got = pa_http_bearer(text, out, list[i]);
    if (ref < 0)
      ASSERT(got == -1);
    else if ((size_t)ref < list[i])
      ASSERT(got == ref && !memcmp(out, want, (size_t)ref + 1));
    else
      ASSERT(got == -2);
    free(out);
  }
  free(want);
}

/* Every accessor on what a parsed head carries. */
static void check_fields(const pa_http_head *h) {
  check_path(h->path);
  if (h->query) check_names(0, h->query);
  ASSERT(pa_http_query_var(NULL, "q", (char[4]){0}, 4) == -1);
  for (int i = 0; i < h->nfields; i++) {
    const char *name = h->fields[i].name, *v = h->fields[i].value;
    if (ieq(name, "Cookie")) check_names(1, v);
    if (ieq(name, "Range")) check_range(v);
    if (ieq(name, "Authorization")) check_bearer(v);
    if (ieq(name, "If-None-Match") || ieq(name, "If-Match")) {
      /* Each listed tag matches. */
      for (const char *p = v; *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        char *tag = dup_str(p, n);
        if (*tag) ASSERT(pa_http_etag_match(v, tag) == 1);
        check_etag(v, tag);
        free(tag);
        p += strcspn(p, ",");
      }
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t seed = 0xcbf29ce484222325u;
  for (size_t i = 0; i < size; i++) seed = (seed ^ data[i]) * 0x100000001b3u;
  seed |= 1;

  size_t head = check_head_end(data, size, &seed);
  pa_http_head *h = malloc(sizeof *h);
  if (head) {
    char *copy = dup_exact(data, head);
    int rc = pa_http_parse_head(copy, head, h);
    ASSERT(ok_status(rc));
    if (rc == 0) {
      check_parsed(h, copy, head);
      check_fields(h);
    }
    free(copy);
  }
  if (size != head) parse_copy(data, size, h); /* any bytes at all */
  free(h);

  check_chunked(data + head, size - head, &seed);

  /* The raw input cut at its first two newlines: a header or query, a name. */
  const uint8_t *nl1 = memchr(data, '\n', size);
  size_t l1 = nl1 ? (size_t)(nl1 - data) : size;
  const uint8_t *rest = nl1 ? nl1 + 1 : data + size;
  size_t rl = size - (size_t)(rest - data);
  const uint8_t *nl2 = memchr(rest, '\n', rl);
  char *a = dup_str(data, l1), *b = dup_str(rest, nl2 ? (size_t)(nl2 - rest) : rl);
  check_lookup(0, a, b);
  check_lookup(1, a, b);
  check_range(a);
  check_path(a);
  check_etag(a, b);
  check_bearer(a);
  free(a);
  free(b);

  int status = size >= 2 ? data[0] << 8 | data[1] : 0;
  const char *text = pa_http_status_text(status);
  ASSERT(text && *text);
  return 0;
}
