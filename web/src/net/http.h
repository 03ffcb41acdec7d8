/* pa_http — HTTP/1.1 text rules, pure functions over untrusted bytes: the
 * incremental request-head parser, query strings, cookies, byte ranges and
 * entity tags. Nothing here allocates, blocks or knows about sockets; every
 * function is fuzzed (web/fuzz/fuzz_http.c). */
#ifndef PA_HTTP_H
#define PA_HTTP_H

#include <stddef.h>

enum {
  PA_HTTP_HEAD_MAX = 16 * 1024,  /* bytes of request line + headers (431 past it) */
  PA_HTTP_TARGET_MAX = 8 * 1024, /* bytes of the request target (414 past it) */
  PA_HTTP_HEADERS_MAX = 64,      /* header lines in one request (431 past it) */
  PA_HTTP_METHOD_MAX = 16        /* bytes of a method name */
};

typedef struct pa_http_field {
  const char *name, *value; /* NUL-terminated, inside the parsed buffer */
} pa_http_field;

/* A parsed request head. Strings point into the buffer given to
 * pa_http_parse_head, which they must not outlive. */
typedef struct pa_http_head {
  const char *method;
  const char *path;  /* the target up to '?', as sent (not percent-decoded) */
  const char *query; /* after '?', or NULL */
  int minor;         /* HTTP/1.minor */
  int nfields;
  pa_http_field fields[PA_HTTP_HEADERS_MAX];
  long long content_length; /* -1 when absent */
  int chunked;              /* Transfer-Encoding: chunked */
  int keep_alive;           /* the connection may carry another request */
  int upgrade_ws;           /* Upgrade: websocket with Connection: upgrade */
  int expect_continue;      /* Expect: 100-continue */
} pa_http_head;

/* The length of the request head (through its blank line) at the start of
 * buf, or 0 while incomplete. *scan (0 at first) remembers where the search
 * stopped, so bytes trickling in are looked at once each. Only the first
 * PA_HTTP_HEAD_MAX bytes are searched. */
size_t pa_http_head_end(const char *buf, size_t len, size_t *scan);

/* Parses a complete head (len from pa_http_head_end), rewriting buf in place
 * (NULs after names and values) and filling *h. Returns 0, or a negative HTTP
 * status (-400, -414, -431, -501, -505) saying why the request is refused.
 * Obsolete line folding, bare CR or LF, NUL, two Host fields, a
 * Content-Length beside Transfer-Encoding, two different Content-Lengths and
 * codings other than chunked are refused: request smuggling needs one of
 * them. */
int pa_http_parse_head(char *buf, size_t len, pa_http_head *h);

/* The value of field name (ASCII case-insensitive), or NULL. */
const char *pa_http_field_get(const pa_http_head *h, const char *name);

/* One step of a chunked body: reads what buf (len bytes) holds from the
 * decoder's state. Payload bytes are moved to the front of buf; *used tells
 * how many input bytes were consumed, *out how many payload bytes are now at
 * buf[0..*out). Returns 1 when the last chunk and trailers have been read,
 * 0 when more input is needed, -1 when malformed. */
typedef struct pa_http_chunked {
  int state;
  unsigned long long left; /* payload bytes left in the current chunk */
  int digits;
} pa_http_chunked;
int pa_http_chunked_step(pa_http_chunked *c, char *buf, size_t len, size_t *used, size_t *out);

/* Percent-decodes a request path into out (cap bytes with the NUL): its
 * length, or -1 when an escape is malformed or decodes to NUL or '/' (an
 * encoded slash would let "..%2f" past segment checks), or it does not fit. */
int pa_http_path_decode(const char *path, char *out, size_t cap);

/* Form-decodes the value of name from a query string (a=1&b=2, '+' is a
 * space) into out: its length, -1 when absent, -2 when it does not fit or
 * has a bad %-escape (%00 included). A name given twice: the first wins. */
int pa_http_query_var(const char *query, const char *name, char *out, size_t cap);

/* The value of cookie name from a Cookie header into out: its length, -1
 * when absent, -2 when it does not fit. */
int pa_http_cookie(const char *header, const char *name, char *out, size_t cap);

/* 1 when c may appear in a bearer token (RFC 6750's b64token: letters,
 * digits, - . _ ~ + / and trailing =). */
int pa_http_is_token68_char(char c);

/* The token of an "Authorization: Bearer TOKEN" header into out (the scheme
 * in any case, then spaces; the token b64token-shaped, its '=' only at the
 * end): its length, -1 when header is NULL or of another scheme or
 * malformed, -2 when the token does not fit in cap (with the NUL). */
int pa_http_bearer(const char *header, char *out, size_t cap);

/* One "bytes=" range of a resource of size bytes: 1 with [*from, *to] when
 * satisfiable, 0 to send the whole resource (absent, several ranges, or not
 * understood), -1 for unsatisfiable (416). */
int pa_http_range(const char *header, long long size, long long *from, long long *to);

/* 1 when an If-None-Match header holds etag (or "*"), compared weakly as
 * RFC 9110 asks for GET. */
int pa_http_etag_match(const char *header, const char *etag);

/* The reason phrase of a status ("Not Found"); "Error" for one we never send. */
const char *pa_http_status_text(int status);

#endif
