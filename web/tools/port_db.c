/* petamigos-port-db --sqlite FILE --postgres URL
 *
 * Moves a community from SQLite to PostgreSQL (issue 16), like Matrix
 * Synapse's synapse_port_db: copies the SQLite database FILE (brought to
 * the current schema first) into the empty PostgreSQL database at URL in one
 * transaction, then verifies every table (row counts and SHA-256 over every
 * row and column) before committing. The work is pa_store_port
 * (store/port.h); this is its command line: arguments, progress, summary.
 * Stop the server first (the port holds the SQLite file's write lock), then
 * start it with PA_DATABASE_URL=URL and the same --data folder (the media
 * files stay where they are).
 *
 * The URL is never printed with its password (nor is it in any message:
 * libpq's name the host and port only). A password is better kept out of
 * the command line, which other users can see: PGPASSWORD or ~/.pgpass.
 *
 * stdout: one line per table copied, identity set and table verified, and a
 * summary. Exit status: 0 when every table was copied and verified; 1 when
 * the port was refused (dangling references, a PostgreSQL database that
 * holds rows, different schemas) or failed, and nothing was committed; 2
 * for bad arguments. */
#include "store/port.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
  URL_SHOWN_MAX = 1024, /* bytes of the URL as printed, password hidden */
  SUM_SHOWN = 16,       /* hex digits of a checksum in a progress line */
  ERR_MAX = 512
};

static const char usage[] =
    "usage: petamigos-port-db --sqlite FILE --postgres URL\n"
    "  copies the SQLite database FILE (a server's DIR/petamigos.db; migrated to\n"
    "  the current schema first) into the empty PostgreSQL database at URL\n"
    "  (postgresql://USER@HOST:PORT/DATABASE), in one transaction, and verifies\n"
    "  every table (row counts and SHA-256 checksums) before committing.\n"
    "  Stop the server first; afterwards run it with PA_DATABASE_URL=URL and the\n"
    "  same --data folder. Keep the password out of URL: PGPASSWORD or ~/.pgpass.\n"
    "  The PostgreSQL role must be a superuser (triggers are off during the copy).\n"
    "exit status: 0 every table copied and verified; 1 refused or failed (nothing\n"
    "  committed); 2 bad arguments\n";

typedef struct args {
  const char *sqlite, *postgres;
} args;

/* 0, 1 for --help, -1 with a message for anything else. */
static int parse_args(int argc, char **argv, args *a, char *err, size_t errlen) {
  *a = (args){NULL, NULL};
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) return 1;
    const char **slot = strcmp(opt, "--sqlite") == 0     ? &a->sqlite
                        : strcmp(opt, "--postgres") == 0 ? &a->postgres
                                                         : NULL;
    if (!slot) {
      snprintf(err, errlen, "unknown argument %s", opt);
      return -1;
    }
    if (i + 1 >= argc || !argv[i + 1][0]) {
      snprintf(err, errlen, "%s needs a value", opt);
      return -1;
    }
    if (*slot) {
      snprintf(err, errlen, "%s given twice", opt);
      return -1;
    }
    *slot = argv[++i];
  }
  if (!a->sqlite || !a->postgres) {
    snprintf(err, errlen, "both --sqlite and --postgres are needed");
    return -1;
  }
  if (!pa_store_is_pg_url(a->postgres)) {
    snprintf(err, errlen, "--postgres takes a postgresql:// URL");
    return -1;
  }
  if (pa_store_is_pg_url(a->sqlite)) {
    snprintf(err, errlen, "--sqlite takes the path of a SQLite file");
    return -1;
  }
  return 0;
}

/* url with its password (in the user part, or a password= parameter)
 * replaced by ***. */
static void hide_password(const char *url, char *out, size_t cap) {
  size_t n = 0;
  const char *p = url, *auth = strstr(url, "://");
  auth = auth ? auth + 3 : url;
  /* The authority ends at the first / ? or #; its user part at the last @. */
  const char *end = auth + strcspn(auth, "/?#"), *at = NULL;
  for (const char *c = auth; c < end; c++)
    if (*c == '@') at = c;
  const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
#define EMIT(s, len)                                                                               \
  do {                                                                                             \
    size_t k_ = (len);                                                                             \
    if (n + k_ >= cap) k_ = cap - 1 - n;                                                           \
    memcpy(out + n, (s), k_);                                                                      \
    n += k_;                                                                                       \
  } while (0)
  if (colon) {
    EMIT(p, (size_t)(colon + 1 - p));
    EMIT("***", 3);
    p = at;
  }
  while (*p) {
    /* password=VALUE among the parameters: the value goes. */
    if ((*p == '?' || *p == '&') && strncmp(p + 1, "password=", 9) == 0) {
      EMIT(p, 10);
      EMIT("***", 3);
      p += 10;
      p += strcspn(p, "&#");
      continue;
    }
    EMIT(p, 1);
    p++;
  }
#undef EMIT
  out[n] = '\0';
}

/* Replaces every copy of the len bytes at secret in msg (cap bytes) with ***. */
static void replace_all(char *msg, size_t cap, const char *secret, size_t len) {
  char out[ERR_MAX];
  size_t n = 0;
  if (len == 0) return;
  for (const char *m = msg; *m && n + 4 < sizeof out;) {
    if (strncmp(m, secret, len) == 0) {
      memcpy(out + n, "***", 3);
      n += 3;
      m += len;
    } else {
      out[n++] = *m++;
    }
  }
  out[n] = '\0';
  snprintf(msg, cap, "%s", out);
}

static int hex_digit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Removes the URL's password, as written and percent-decoded, from msg:
 * libpq's messages do not name it, but one about a malformed URL may quote
 * the part that holds it. */
static void scrub(char *msg, size_t cap, const char *url) {
  const char *auth = strstr(url, "://");
  auth = auth ? auth + 3 : url;
  const char *end = auth + strcspn(auth, "/?#"), *at = NULL;
  for (const char *c = auth; c < end; c++)
    if (*c == '@') at = c;
  const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
  const char *spans[2][2] = {{colon ? colon + 1 : NULL, at}, {NULL, NULL}};
  const char *q = strstr(url, "password=");
  if (q && q > url && (q[-1] == '?' || q[-1] == '&')) {
    spans[1][0] = q + 9;
    spans[1][1] = q + 9 + strcspn(q + 9, "&#");
  }
  for (int i = 0; i < 2; i++) {
    if (!spans[i][0] || spans[i][1] <= spans[i][0]) continue;
    size_t len = (size_t)(spans[i][1] - spans[i][0]);
    char decoded[URL_SHOWN_MAX];
    size_t n = 0;
    for (size_t k = 0; k < len && n + 1 < sizeof decoded; k++) {
      const char *c = spans[i][0] + k;
      int hi = *c == '%' && k + 2 < len ? hex_digit(c[1]) : -1;
      int lo = hi >= 0 ? hex_digit(c[2]) : -1;
      if (lo >= 0) {
        decoded[n++] = (char)(hi * 16 + lo);
        k += 2;
      } else {
        decoded[n++] = *c;
      }
    }
    decoded[n] = '\0';
    replace_all(msg, cap, spans[i][0], len);
    replace_all(msg, cap, decoded, n);
  }
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct progress {
  double start, last; /* when the port and the last table began */
} progress;

static void on_event(void *ctx, const pa_store_port_event *ev) {
  progress *pr = ctx;
  double now = seconds();
  switch (ev->stage) {
  /* The offenders of a refusal go with its message, to stderr. */
  case PA_STORE_PORT_DANGLING:
    if (ev->has_row)
      fprintf(stderr, "  %s row %lld: %s = %s has no row in %s\n", ev->table, (long long)ev->row,
              ev->column, ev->value ? ev->value : "?", ev->parent);
    else
      fprintf(stderr, "  %s (a table without rowid): a row's %s has no row in %s\n", ev->table,
              ev->column, ev->parent);
    break;
  case PA_STORE_PORT_NOT_EMPTY: fprintf(stderr, "  %s holds rows\n", ev->table); break;
  case PA_STORE_PORT_COPYING:
    printf("copying  %-18s %10lld rows so far\n", ev->table, (long long)ev->rows);
    break;
  case PA_STORE_PORT_COPIED:
    printf("copied   %-18s %10lld rows  [%d/%d] %.2f s\n", ev->table, (long long)ev->rows,
           ev->index, ev->count, now - pr->last);
    pr->last = now;
    break;
  case PA_STORE_PORT_SEQUENCE:
    printf("identity %s.%s: next %lld\n", ev->table, ev->column, (long long)ev->next_id);
    break;
  case PA_STORE_PORT_VERIFIED:
    printf("verified %-18s %10lld rows  sha256 %.*s.. equal  [%d/%d]\n", ev->table,
           (long long)ev->rows, SUM_SHOWN, ev->src_sum, ev->index, ev->count);
    break;
  case PA_STORE_PORT_MISMATCH:
    printf("MISMATCH %-18s SQLite %lld rows sha256 %s, PostgreSQL %lld rows sha256 %s\n", ev->table,
           (long long)ev->rows, ev->src_sum, (long long)ev->dst_rows, ev->dst_sum);
    break;
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  args a;
  char err[ERR_MAX] = "";
  int parsed = parse_args(argc, argv, &a, err, sizeof err);
  if (parsed == 1) {
    fputs(usage, stdout);
    return 0;
  }
  if (parsed != 0) {
    fprintf(stderr, "petamigos-port-db: %s\n%s", err, usage);
    return 2;
  }
  if (sodium_init() < 0) {
    fprintf(stderr, "petamigos-port-db: libsodium failed to start\n");
    return 1;
  }
  char shown[URL_SHOWN_MAX];
  hide_password(a.postgres, shown, sizeof shown);
  pa_store *src = NULL, *dst = NULL;
  if (pa_store_open(a.sqlite, 0, &src, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-port-db: cannot open the SQLite database: %s\n", err);
    return 1;
  }
  if (pa_store_open(a.postgres, 0, &dst, err, sizeof err) != PA_STORE_OK) {
    scrub(err, sizeof err, a.postgres);
    fprintf(stderr, "petamigos-port-db: cannot connect to %s: %s\n", shown, err);
    pa_store_close(src);
    return 1;
  }
  printf("petamigos-port-db: %s into %s\n", a.sqlite, shown);
  fflush(stdout);
  progress pr = {seconds(), seconds()};
  pa_store_port_result res;
  int rc = pa_store_port(src, dst, on_event, &pr, &res, err, sizeof err);
  double took = seconds() - pr.start;
  pa_store_close(src);
  pa_store_close(dst);
  if (rc != PA_STORE_OK) {
    scrub(err, sizeof err, a.postgres);
    int refused = rc == PA_STORE_PORT_EDANGLING || rc == PA_STORE_PORT_ENOTEMPTY ||
                  rc == PA_STORE_PORT_ESCHEMA;
    if (res.offenders > PA_STORE_PORT_REPORT_MAX)
      fprintf(stderr, "  (the first %d of %lld)\n", PA_STORE_PORT_REPORT_MAX,
              (long long)res.offenders);
    fprintf(stderr, "petamigos-port-db: %s: %s\n", refused ? "refused" : "failed", err);
    fprintf(stderr, "petamigos-port-db: no rows were written to %s\n", shown);
    return 1;
  }
  printf("petamigos-port-db: ported %d tables, %lld rows in %.2f s; all %d tables verified\n",
         res.tables, (long long)res.rows, took, res.verified);
  return 0;
}
