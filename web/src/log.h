/* pa_log — the server's log: one JSON object per line on stderr, written
 * with a single write(2) so lines of parallel workers never interleave.
 *
 * A request's line carries its route *pattern*, never the path or the query
 * string (ids, search words, tokens in links), and nothing of its headers,
 * cookies or body. Other lines carry a component and a message the caller
 * composes; callers never put a secret, a body or an e-mail address in one. */
#ifndef PA_LOG_H
#define PA_LOG_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_LOG_LINE_MAX = 1024, /* bytes of one line, under PIPE_BUF so a write to a pipe is atomic */
  PA_LOG_MSG_MAX = 512,   /* bytes of a message before escaping; longer ones are cut */
  PA_LOG_ID_LEN = 24      /* a request id's text, with its NUL */
};

/* One answered request. */
typedef struct pa_log_request {
  const char *id;     /* pa_log_request_id's text */
  const char *method; /* as sent (made printable here) */
  const char *route;  /* the route's pattern, or a family name ("static", "unmatched") */
  int status;
  uint64_t us;    /* from dispatch to answer */
  uint64_t bytes; /* body bytes sent */
  uint64_t db_us; /* of which in database statements */
} pa_log_request;

/* A new request id into out: a random process prefix and a counter, so ids
 * are unique across restarts and cheap (no allocation, one atomic add). */
void pa_log_request_id(char out[PA_LOG_ID_LEN]);

void pa_log_request_line(const pa_log_request *r);

/* A line {"time","level","component","msg"}: level "info", "warn" or
 * "error"; msg formatted like printf and escaped for JSON. */
void pa_log_event(const char *level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies s into out as the inside of a JSON string (quotes, backslashes and
 * control characters escaped, other bytes as they are), NUL-terminated, cut
 * short (never mid-escape) when cap is too small: the written length. */
size_t pa_log_escape(const char *s, char *out, size_t cap);

#endif
