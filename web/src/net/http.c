/* pa_http — the HTTP/1.1 text rules (RFC 9110, 9112, 6265). Strict where
 * leniency lets two parsers disagree about where a request ends. */
#include "http.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (lower((unsigned char)*a) != lower((unsigned char)*b)) return 0;
  return *a == *b;
}

/* RFC 9110 tchar. */
static int is_tchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* 1 when the comma-separated list value holds token (case-insensitive). */
static int list_has(const char *value, const char *token) {
  size_t tl = strlen(token);
  for (const char *p = value; *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    const char *end = p;
    while (*end && *end != ',') end++;
    size_t n = (size_t)(end - p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (n == tl) {
      size_t i = 0;
      while (i < n && lower((unsigned char)p[i]) == lower((unsigned char)token[i])) i++;
      if (i == n) return 1;
    }
    p = end;
  }
  return 0;
}

const char *pa_http_field_get(const pa_http_head *h, const char *name) {
  for (int i = 0; i < h->nfields; i++)
    if (ieq(h->fields[i].name, name)) return h->fields[i].value;
  return NULL;
}

/* Content-Length: 1 to 18 digits, nothing else. */
static int parse_length(const char *v, long long *out) {
  long long n = 0;
  int digits = 0;
  for (; *v >= '0' && *v <= '9'; v++, digits++) {
    if (digits == 18) return -1;
    n = n * 10 + (*v - '0');
  }
  if (*v || digits == 0) return -1;
  *out = n;
  return 0;
}

/* The request line "METHOD SP /target SP HTTP/1.x" in line[0..n), rewritten
 * in place. Returns 0 or a negative status. */
static int parse_request_line(char *line, size_t n, pa_http_head *h) {
  size_t i = 0;
  while (i < n && is_tchar((unsigned char)line[i])) i++;
  if (i == 0 || i > PA_HTTP_METHOD_MAX || i >= n || line[i] != ' ') return -400;
  line[i++] = '\0';
  h->method = line;
  size_t t0 = i;
  while (i < n && (unsigned char)line[i] > 0x20 && (unsigned char)line[i] < 0x7f) i++;
  if (i - t0 > PA_HTTP_TARGET_MAX) return -414;
  if (i == t0 || i >= n || line[i] != ' ' || line[t0] != '/') return -400;
  line[i++] = '\0';
  h->path = line + t0;
  char *q = strchr(line + t0, '?');
  if (q) {
    *q = '\0';
    h->query = q + 1;
  }
  if (n - i != 8 || memcmp(line + i, "HTTP/1.", 7) != 0) {
    /* HTTP/2.0 and friends are well formed but not ours to speak here. */
    return n - i == 8 && memcmp(line + i, "HTTP/", 5) == 0 && line[i + 5] >= '0' &&
                   line[i + 5] <= '9'
               ? -505
               : -400;
  }
  if (line[i + 7] != '0' && line[i + 7] != '1') return -505;
  h->minor = line[i + 7] - '0';
  return 0;
}

/* One "name: value" line in line[0..n), rewritten in place. */
static int parse_field(char *line, size_t n, pa_http_head *h) {
  size_t i = 0;
  /* A line that starts with white space is obsolete folding: refused. */
  while (i < n && is_tchar((unsigned char)line[i])) i++;
  if (i == 0 || i >= n || line[i] != ':') return -400;
  if (h->nfields == PA_HTTP_HEADERS_MAX) return -431;
  line[i++] = '\0';
  while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
  size_t v0 = i, end = n;
  for (size_t k = v0; k < n; k++) {
    unsigned char c = (unsigned char)line[k];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return -400;
  }
  while (end > v0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
  line[end] = '\0';
  h->fields[h->nfields++] = (pa_http_field){line, line + v0};
  return 0;
}

size_t pa_http_head_end(const char *buf, size_t len, size_t *scan) {
  size_t limit = len < PA_HTTP_HEAD_MAX ? len : PA_HTTP_HEAD_MAX;
  for (size_t i = *scan; i + 3 < limit; i++)
    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
      return i + 4;
  /* Resume where a terminator could still begin. */
  *scan = limit > 3 ? limit - 3 : 0;
  return 0;
}

int pa_http_parse_head(char *buf, size_t len, pa_http_head *h) {
  size_t start = 0, end = len;
  memset(h, 0, sizeof *h);
  h->content_length = -1;
  if (len < 4 || memcmp(buf + len - 4, "\r\n\r\n", 4) != 0) return -400;
  /* Some clients send a stray CRLF after a body; RFC 9112 §2.2 says skip it. */
  while (start + 4 < len && buf[start] == '\r' && buf[start + 1] == '\n' && start < 8) start += 2;
  int cl_seen = 0;
  for (size_t line = start, first = 1; line < end - 2; first = 0) {
    size_t eol = line;
    while (buf[eol] != '\r' || buf[eol + 1] != '\n') {
      /* A bare CR or LF, or a NUL, inside a line: refused. */
      if (buf[eol] == '\r' || buf[eol] == '\n' || buf[eol] == '\0') return -400;
      eol++;
    }
    buf[eol] = '\0';
    int rc = first ? parse_request_line(buf + line, eol - line, h)
                   : parse_field(buf + line, eol - line, h);
    if (rc) return rc;
    line = eol + 2;
  }
  int hosts = 0, closing = 0, keep = 0, conn_upgrade = 0, websocket = 0;
  for (int i = 0; i < h->nfields; i++) {
    const char *name = h->fields[i].name, *v = h->fields[i].value;
    if (ieq(name, "Content-Length")) {
      long long n;
      if (parse_length(v, &n) != 0 || (cl_seen && n != h->content_length)) return -400;
      h->content_length = n;
      cl_seen = 1;
    } else if (ieq(name, "Transfer-Encoding")) {
      if (h->chunked || !ieq(v, "chunked")) return -501;
      h->chunked = 1;
    } else if (ieq(name, "Host")) {
      hosts++;
    } else if (ieq(name, "Connection")) {
      /* Several Connection (or Upgrade) lines are one list (RFC 9110 §5.3). */
      closing |= list_has(v, "close");
      keep |= list_has(v, "keep-alive");
      conn_upgrade |= list_has(v, "upgrade");
    } else if (ieq(name, "Upgrade")) {
      websocket |= list_has(v, "websocket");
    } else if (ieq(name, "Expect")) {
      if (!ieq(v, "100-continue")) return -400; /* RFC 9110 allows 417; nothing else exists */
      /* RFC 9110 §10.1.1: ignored from HTTP/1.0, whose clients never wait for a 100. */
      h->expect_continue = h->minor == 1;
    }
  }
  if (h->chunked && cl_seen) return -400;
  if (h->chunked && h->minor == 0) return -400;
  if (hosts > 1 || (h->minor == 1 && hosts == 0)) return -400;
  h->keep_alive = !closing && (h->minor == 1 || keep);
  h->upgrade_ws = conn_upgrade && websocket && strcmp(h->method, "GET") == 0;
  return 0;
}

enum {
  CH_SIZE,
  CH_EXT,
  CH_SIZE_LF,
  CH_DATA,
  CH_DATA_CR,
  CH_DATA_LF,
  CH_TRAILER,
  CH_TRAILER_LF,
  CH_LINE,
  CH_LINE_LF,
  CH_DONE
};

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pa_http_chunked_step(pa_http_chunked *c, char *buf, size_t len, size_t *used, size_t *out) {
  size_t i = 0, o = 0;
  while (i < len && c->state != CH_DONE) {
    unsigned char ch = (unsigned char)buf[i];
    switch (c->state) {
    case CH_SIZE: {
      int v = hexval(ch);
      if (v >= 0) {
        if (++c->digits > 15) return -1; /* < 2^60: no overflow, far past any limit */
        c->left = c->left * 16 + (unsigned)v;
        i++;
      } else if (c->digits == 0) {
        return -1;
      } else if (ch == ';') {
        c->state = CH_EXT;
        i++;
      } else if (ch == '\r') {
        c->state = CH_SIZE_LF;
        i++;
      } else {
        return -1;
      }
      break;
    }
    case CH_EXT: /* chunk extensions: skipped, but no control bytes */
      if (ch == '\r')
        c->state = CH_SIZE_LF;
      else if (ch < 0x20 && ch != '\t')
        return -1;
      i++;
      break;
    case CH_SIZE_LF:
      if (ch != '\n') return -1;
      i++;
      c->digits = 0;
      c->state = c->left ? CH_DATA : CH_TRAILER;
      break;
    case CH_DATA: {
      size_t n = len - i < c->left ? len - i : (size_t)c->left;
      memmove(buf + o, buf + i, n);
      o += n;
      i += n;
      c->left -= n;
      if (!c->left) c->state = CH_DATA_CR;
      break;
    }
    case CH_DATA_CR:
      if (ch != '\r') return -1;
      c->state = CH_DATA_LF;
      i++;
      break;
    case CH_DATA_LF:
      if (ch != '\n') return -1;
      c->state = CH_SIZE;
      i++;
      break;
    case CH_TRAILER: /* at the start of a trailer line: CR ends the body */
      if (ch == '\r') {
        c->state = CH_TRAILER_LF;
      } else if (ch < 0x20 || ch == 0x7f) {
        return -1;
      } else {
        c->state = CH_LINE;
      }
      i++;
      break;
    case CH_TRAILER_LF:
      if (ch != '\n') return -1;
      c->state = CH_DONE;
      i++;
      break;
    case CH_LINE: /* trailer fields are read and ignored */
      if (ch == '\r')
        c->state = CH_LINE_LF;
      else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
        return -1;
      i++;
      break;
    case CH_LINE_LF:
      if (ch != '\n') return -1;
      c->state = CH_TRAILER;
      i++;
      break;
    }
  }
  *used = i;
  *out = o;
  return c->state == CH_DONE;
}

static int unhex(const char *p) {
  int a = hexval((unsigned char)p[0]), b = a < 0 ? -1 : hexval((unsigned char)p[1]);
  return b < 0 ? -1 : a * 16 + b;
}

int pa_http_path_decode(const char *path, char *out, size_t cap) {
  size_t n = 0;
  for (const char *s = path; *s; s++) {
    int c = (unsigned char)*s;
    if (c == '%') {
      if ((c = unhex(s + 1)) <= 0 || c == '/') return -1;
      s += 2;
    }
    if (n + 1 >= cap) return -1;
    out[n++] = (char)c;
  }
  if (cap == 0) return -1;
  out[n] = '\0';
  return (int)n;
}

int pa_http_query_var(const char *query, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  if (!query || cap == 0) return -1;
  for (const char *p = query; *p;) {
    const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
    if ((size_t)(end - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
      size_t n = 0;
      for (const char *s = p + nl + 1; s < end; s++) {
        int c = (unsigned char)*s;
        if (c == '+') {
          c = ' ';
        } else if (c == '%') {
          /* %00 would end the value early for every caller using it as a string. */
          if (end - s < 3 || (c = unhex(s + 1)) <= 0) return -2;
          s += 2;
        }
        if (n + 1 >= cap) return -2;
        out[n++] = (char)c;
      }
      out[n] = '\0';
      return (int)n;
    }
    if ((size_t)(end - p) == nl && memcmp(p, name, nl) == 0) { /* "name" with no '=' */
      out[0] = '\0';
      return 0;
    }
    p = amp ? amp + 1 : end;
  }
  return -1;
}

int pa_http_cookie(const char *header, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  if (!header || cap == 0) return -1;
  for (const char *p = header; *p;) {
    while (*p == ' ' || *p == '\t' || *p == ';') p++;
    const char *end = strchr(p, ';');
    if (!end) end = p + strlen(p);
    if ((size_t)(end - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
      const char *v = p + nl + 1, *ve = end;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') v++, ve--; /* RFC 6265 quoted form */
      size_t n = (size_t)(ve - v);
      if (n + 1 > cap) return -2;
      memcpy(out, v, n);
      out[n] = '\0';
      return (int)n;
    }
    p = end;
  }
  return -1;
}

int pa_http_is_token68_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

int pa_http_bearer(const char *header, char *out, size_t cap) {
  static const char scheme[] = "bearer";
  if (!header) return -1;
  for (int i = 0; i < 6; i++) /* ASCII case-insensitive: no locale */
    if ((header[i] | 0x20) != scheme[i]) return -1;
  if (header[6] != ' ' && header[6] != '\t') return -1;
  const char *v = header + 6;
  while (*v == ' ' || *v == '\t') v++;
  const char *e = v;
  while (pa_http_is_token68_char(*e) && *e != '=') e++;
  if (e == v) return -1; /* no token, or one that starts with '=' */
  while (*e == '=') e++;
  const char *end = e;
  while (*end == ' ' || *end == '\t') end++;
  if (*end) return -1; /* a byte no token holds, or a second word */
  size_t n = (size_t)(e - v);
  if (n + 1 > cap) return -2;
  memcpy(out, v, n);
  out[n] = '\0';
  return (int)n;
}

/* Digits into *out; the position after them, or NULL on overflow. */
static const char *digits(const char *p, long long *out) {
  long long v = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (v > (LLONG_MAX - 9) / 10) return NULL;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return p;
}

int pa_http_range(const char *h, long long size, long long *from, long long *to) {
  if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',')) return 0;
  const char *p = h + 6;
  long long a = -1, b = -1;
  while (*p == ' ') p++;
  if (*p >= '0' && *p <= '9' && !(p = digits(p, &a))) return 0;
  if (*p++ != '-') return 0;
  if (*p >= '0' && *p <= '9' && !(p = digits(p, &b))) return 0;
  while (*p == ' ') p++;
  if (*p || (a < 0 && b < 0)) return 0;
  if (a < 0) { /* the last b bytes */
    if (b == 0 || size == 0) return -1;
    *from = b >= size ? 0 : size - b;
    *to = size - 1;
    return 1;
  }
  if (b >= 0 && b < a) return 0; /* invalid: ignore the header */
  if (a >= size) return -1;
  *from = a;
  *to = b < 0 || b >= size ? size - 1 : b;
  return 1;
}

int pa_http_etag_match(const char *header, const char *etag) {
  const char *want = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
  size_t wlen = strlen(want);
  for (const char *p = header; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '*') return 1;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    if (len == wlen && memcmp(p, want, len) == 0) return 1;
    p = end;
  }
  return 0;
}

const char *pa_http_status_text(int status) {
  static const struct {
    int status;
    const char *text;
  } table[] = {{100, "Continue"},
               {101, "Switching Protocols"},
               {200, "OK"},
               {201, "Created"},
               {204, "No Content"},
               {206, "Partial Content"},
               {301, "Moved Permanently"},
               {302, "Found"},
               {303, "See Other"},
               {304, "Not Modified"},
               {400, "Bad Request"},
               {401, "Unauthorized"},
               {402, "Payment Required"},
               {403, "Forbidden"},
               {404, "Not Found"},
               {405, "Method Not Allowed"},
               {408, "Request Timeout"},
               {409, "Conflict"},
               {410, "Gone"},
               {411, "Length Required"},
               {413, "Content Too Large"},
               {414, "URI Too Long"},
               {415, "Unsupported Media Type"},
               {416, "Range Not Satisfiable"},
               {421, "Misdirected Request"},
               {422, "Unprocessable Content"},
               {426, "Upgrade Required"},
               {429, "Too Many Requests"},
               {431, "Request Header Fields Too Large"},
               {500, "Internal Server Error"},
               {501, "Not Implemented"},
               {503, "Service Unavailable"},
               {505, "HTTP Version Not Supported"},
               {507, "Insufficient Storage"}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].status == status) return table[i].text;
  return "Error";
}
