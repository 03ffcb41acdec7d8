/* pa_log — JSON lines on stderr. */
#include "log.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint64_t next_id;
static _Atomic uint32_t prefix; /* 0 until drawn */

size_t pa_log_escape(const char *s, char *out, size_t cap) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  if (cap == 0) return 0;
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    char rep[7];
    size_t need = 1;
    if (c == '"' || c == '\\') {
      rep[0] = '\\', rep[1] = (char)c, need = 2;
    } else if (c < 0x20 || c == 0x7f) {
      memcpy(rep, "\\u00", 4);
      rep[4] = hex[c >> 4], rep[5] = hex[c & 15], need = 6;
    } else {
      rep[0] = (char)c;
    }
    if (n + need >= cap) break;
    memcpy(out + n, rep, need);
    n += need;
  }
  out[n] = '\0';
  return n;
}

/* "2026-12-06T08:59:01.123Z" (UTC, milliseconds). */
static void now_text(char out[32]) {
  struct timespec t;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &t);
  gmtime_r(&t.tv_sec, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03ldZ", t.tv_nsec / 1000000);
}

/* Every line is built to fit PA_LOG_LINE_MAX (the escaped parts are cut to
 * their buffers); should one not, it is cut and still ends the line, so a
 * reader sees one bad line rather than two run together. */
static void emit(char *line, int n) {
  if (n < 0) return;
  size_t len = (size_t)n;
  if (len >= PA_LOG_LINE_MAX) {
    len = PA_LOG_LINE_MAX - 1;
    line[len - 1] = '\n';
  }
  ssize_t w = write(STDERR_FILENO, line, len);
  (void)w; /* nowhere left to say that the log failed */
}

void pa_log_request_id(char out[PA_LOG_ID_LEN]) {
  uint32_t p = atomic_load_explicit(&prefix, memory_order_relaxed);
  if (p == 0) {
    uint32_t drawn = randombytes_random() | 1; /* never 0: 0 means "not drawn" */
    uint32_t none = 0;
    p = atomic_compare_exchange_strong(&prefix, &none, drawn) ? drawn : none;
  }
  uint64_t n = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed) + 1;
  snprintf(out, PA_LOG_ID_LEN, "%08x-%llx", (unsigned)p, (unsigned long long)n);
}

void pa_log_request_line(const pa_log_request *r) {
  char t[32], m[64], route[256], id[2 * PA_LOG_ID_LEN], line[PA_LOG_LINE_MAX];
  now_text(t);
  pa_log_escape(r->method ? r->method : "-", m, sizeof m);
  pa_log_escape(r->route ? r->route : "-", route, sizeof route);
  pa_log_escape(r->id ? r->id : "-", id, sizeof id);
  int n = snprintf(line, sizeof line,
                   "{\"time\":\"%s\",\"level\":\"info\",\"msg\":\"request\",\"id\":\"%s\","
                   "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"us\":%llu,\"bytes\":%llu,"
                   "\"db_us\":%llu}\n",
                   t, id, m, route, r->status, (unsigned long long)r->us,
                   (unsigned long long)r->bytes, (unsigned long long)r->db_us);
  emit(line, n);
}

void pa_log_event(const char *level, const char *component, const char *fmt, ...) {
  char t[32], msg[PA_LOG_MSG_MAX], esc[PA_LOG_LINE_MAX - 160], comp[48], lvl[16];
  char line[PA_LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  now_text(t);
  pa_log_escape(msg, esc, sizeof esc);
  pa_log_escape(component ? component : "-", comp, sizeof comp);
  pa_log_escape(level ? level : "info", lvl, sizeof lvl);
  int n = snprintf(line, sizeof line,
                   "{\"time\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"msg\":\"%s\"}\n", t,
                   lvl, comp, esc);
  emit(line, n);
}
