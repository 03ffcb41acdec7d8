/* pa_sq — the store's statement seam (sql.h): what runs the same over every
 * driver (the statement cache, errors, the paged walk, row readers), and
 * pa_store_* calls that a driver answers. */
#include "store/sql/sql.h"

#include "metrics/metrics.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pa_sq_failf(pa_store *db, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
  return rc;
}

int pa_sq_fail(pa_store *db, const char *what) { return db->drv->fail(db, what); }

/* Timed like a step (below): a COMMIT is where a write waits for the disk. */
int pa_sq_script(pa_store *db, const char *sql, const char *what) {
  uint64_t t0 = pa_metrics_now_ns();
  int rc = db->drv->script(db, sql, what);
  pa_metrics_db_span(pa_metrics_now_ns() - t0);
  return rc;
}

const char *pa_store_errmsg(const pa_store *db) {
  return !db ? "no database" : db->err[0] ? db->err : "no error";
}

const char *pa_store_errstr(int rc) {
  switch (rc) {
  case PA_STORE_OK: return "ok";
  case PA_STORE_EINVAL: return "invalid argument";
  case PA_STORE_EDB: return "database error";
  case PA_STORE_ENEWER: return "database written by a newer version";
  case PA_STORE_ENOMEM: return "out of memory";
  case PA_STORE_EABORT: return "stopped by callback";
  case PA_STORE_ENOTFOUND: return "not found";
  case PA_STORE_ECONFLICT: return "already exists";
  }
  return "unknown error";
}

/* libpq's own test for a URI (conninfo_uri_parse's prefixes), which is
 * case-sensitive: "POSTGRESQL://x" is not a URI to libpq, so it is not one
 * here either (it would be a SQLite file of that name). */
int pa_store_is_pg_url(const char *where) {
  static const char *const prefixes[] = {"postgresql://", "postgres://"};
  for (size_t i = 0; where && i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(where, prefixes[i], strlen(prefixes[i])) == 0) return 1;
  return 0;
}

int pa_store_open(const char *where, int create, pa_store **out, char *err, size_t errlen) {
  return pa_store_is_pg_url(where) ? pa_sq_pg_open(where, out, err, errlen)
                                   : pa_sq_sqlite_open(where, create, out, err, errlen);
}

void pa_store_close(pa_store *db) {
  if (db) db->drv->close(db);
}

int pa_store_migrate(pa_store *db) { return db->drv->migrate(db); }

const char *pa_store_kind(const pa_store *db) { return db->drv->name; }

int pa_store_ping(pa_store *db) {
  int64_t one = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT 1", 0, NULL, &one);
  return rc == PA_STORE_OK && one != 1
             ? pa_sq_failf(db, PA_STORE_EDB, "ping: answered %lld", (long long)one)
             : rc;
}

int pa_store_begin(pa_store *db) { return pa_sq_script(db, db->drv->begin_sql, "begin"); }
int pa_store_commit(pa_store *db) { return pa_sq_script(db, "COMMIT", "commit"); }
int pa_store_rollback(pa_store *db) { return pa_sq_script(db, "ROLLBACK", "rollback"); }

int pa_store_end(pa_store *db, int ok) {
  if (ok && pa_store_commit(db) == PA_STORE_OK) return PA_STORE_OK;
  pa_store_rollback(db);
  return PA_STORE_EDB;
}

/* ---- statements */

int pa_sq_params(const char *sql, int max, int *n, char *err, size_t errlen) {
  char quote = 0;
  *n = 0;
  for (const char *p = sql; *p; p++) {
    if (quote) {
      if (*p == quote) quote = 0;
    } else if (*p == '\'' || *p == '"') {
      quote = *p;
    } else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
      /* Digits past max stop counting (no overflow); the number is refused. */
      const char *digits = p + 1;
      int k = 0;
      while (p[1] >= '0' && p[1] <= '9') {
        p++;
        if (k <= max) k = k * 10 + (*p - '0');
      }
      if (k < 1 || k > max) {
        int len = (int)(p - digits + 1);
        if (k < 1)
          snprintf(err, errlen, "parameter ?%.*s: parameters are numbered from ?1", len, digits);
        else
          snprintf(err, errlen, "parameter ?%.*s: a statement has at most %d parameters", len,
                   digits, max);
        return PA_SQ_ERROR;
      }
      if (k > *n) *n = k;
    }
  }
  return PA_SQ_OK;
}

/* Counts sql's parameters against max (recorded when refused) and asks the
 * driver for the statement. */
static pa_sql_stmt *prepare(pa_store *db, const char *sql, int max, const char *limit) {
  int n;
  char why[96];
  if (pa_sq_params(sql, max, &n, why, sizeof why) != PA_SQ_OK) {
    pa_sq_failf(db, 0, "prepare: %s (%s)", why, limit);
    return NULL;
  }
  return db->drv->prepare(db, sql, n);
}

pa_sql_stmt *pa_sq_stmt(pa_store *db, const char *sql) {
  size_t h = ((uintptr_t)sql >> 3) % PA_SQ_STMT_CACHE;
  for (int probe = 0; probe < PA_SQ_STMT_CACHE; probe++, h = (h + 1) % PA_SQ_STMT_CACHE) {
    if (db->cache[h].sql == sql) return db->cache[h].st;
    if (db->cache[h].sql) continue;
    pa_sql_stmt *st = prepare(db, sql, PA_SQ_PARAMS_MAX, "PA_SQ_PARAMS_MAX");
    if (!st) return NULL;
    db->cache[h].sql = sql;
    db->cache[h].st = st;
    return st;
  }
  /* Full: a fixed set of literals never gets here; still answer correctly. */
  pa_sq_failf(db, 0, "statement cache full: more than %d statements (PA_SQ_STMT_CACHE)",
              PA_SQ_STMT_CACHE);
  return NULL;
}

const char *pa_sq_dialect(pa_store *db, const char *sqlite, const char *postgresql) {
  return strcmp(db->drv->name, "postgresql") == 0 ? postgresql : sqlite;
}

void pa_sq_cache_clear(pa_store *db) {
  for (int i = 0; i < PA_SQ_STMT_CACHE; i++) {
    if (db->cache[i].st) db->drv->finalize(db->cache[i].st);
    db->cache[i].sql = NULL;
    db->cache[i].st = NULL;
  }
}

pa_sql_stmt *pa_sq_prepare_dynamic(pa_store *db, const char *sql) {
  return prepare(db, sql, PA_SQ_PARAMS_DYNAMIC_MAX, "PA_SQ_PARAMS_DYNAMIC_MAX");
}

void pa_sq_finalize(pa_sql_stmt *st) {
  if (st) st->drv->finalize(st);
}

void pa_sq_done(pa_sql_stmt *st) {
  if (st) st->drv->reset(st);
}

int pa_sq_bind_i64(pa_sql_stmt *st, int i, int64_t v) { return st->drv->bind_i64(st, i, v); }
int pa_sq_bind_text(pa_sql_stmt *st, int i, const char *s) {
  return s ? st->drv->bind_text(st, i, s) : st->drv->bind_null(st, i);
}
int pa_sq_bind_blob(pa_sql_stmt *st, int i, const void *p, size_t n) {
  return st->drv->bind_blob(st, i, p, n);
}
int pa_sq_bind_null(pa_sql_stmt *st, int i) { return st->drv->bind_null(st, i); }
/* Database time is measured here, the one call every statement goes
 * through (SQLite does its work a row per step, PostgreSQL on the first):
 * two monotonic clock reads per step, no lock. */
int pa_sq_step(pa_sql_stmt *st) {
  uint64_t t0 = pa_metrics_now_ns();
  int rc = st->drv->step(st);
  pa_metrics_db_span(pa_metrics_now_ns() - t0);
  return rc;
}

int pa_sq_bind_id(pa_sql_stmt *st, int i, int64_t id) {
  return id ? pa_sq_bind_i64(st, i, id) : pa_sq_bind_null(st, i);
}
int64_t pa_sq_i64(pa_sql_stmt *st, int i) { return st->drv->col_i64(st, i); }
const char *pa_sq_text(pa_sql_stmt *st, int i) { return st->drv->col_text(st, i); }
const unsigned char *pa_sq_blob(pa_sql_stmt *st, int i, size_t *len) {
  return st->drv->col_blob(st, i, len);
}
int pa_sq_null(pa_sql_stmt *st, int i) { return st->drv->col_null(st, i); }
int pa_sq_changes(pa_store *db) { return db->drv->changes(db); }

int pa_sq_bind_i64s(pa_sql_stmt *st, int n, const int64_t *args) {
  int rc = PA_SQ_OK;
  for (int i = 0; i < n && rc == PA_SQ_OK; i++) rc = pa_sq_bind_i64(st, i + 1, args[i]);
  return rc;
}

int pa_sq_run(pa_store *db, pa_sql_stmt *st, int bind_rc, const char *what, int64_t *id,
              int *changes) {
  int rc = bind_rc, first = 1;
  if (rc == PA_SQ_OK) {
    while ((rc = pa_sq_step(st)) == PA_SQ_ROW) {
      if (id && first) *id = pa_sq_i64(st, 0);
      first = 0;
    }
  }
  int out = rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, what);
  if (changes) *changes = out == PA_STORE_OK ? pa_sq_changes(db) : 0;
  pa_sq_done(st);
  return out;
}

int pa_sq_exec_i64(pa_store *db, const char *sql, int n, const int64_t *args, int *changes) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_i64s(st, n, args), "exec", NULL, changes);
}

int pa_sq_scalar_i64(pa_store *db, const char *sql, int n, const int64_t *args, int64_t *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64s(st, n, args);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int res = PA_STORE_OK;
  if (rc == PA_SQ_ROW)
    *out = pa_sq_i64(st, 0);
  else if (rc == PA_SQ_DONE)
    res = PA_STORE_ENOTFOUND;
  else
    res = pa_sq_fail(db, "query");
  pa_sq_done(st);
  return res;
}

int pa_sq_bind_page(pa_sql_stmt *st, int a, const pa_store_cursor *after, int limit) {
  /* The first page starts above every real position; one extra row tells
   * whether another page exists. */
  int rc = pa_sq_bind_i64(st, a, after ? after->created_at : INT64_MAX);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, a + 1, after ? after->id : INT64_MAX);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, a + 2, limit + 1);
  return rc;
}

int pa_sq_page(pa_store *db, pa_sql_stmt *st, int limit, int (*row)(void *ctx, pa_sql_stmt *st),
               void *ctx, int created_col, int id_col, pa_store_cursor *next, int *more,
               const char *what) {
  int rc, n = 0, out = PA_STORE_OK;
  *more = 0;
  while ((rc = pa_sq_step(st)) == PA_SQ_ROW) {
    if (n == limit) {
      *more = 1;
      break;
    }
    if (row(ctx, st) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what);
      break;
    }
    next->created_at = pa_sq_i64(st, created_col);
    next->id = pa_sq_i64(st, id_col);
    n++;
  }
  if (out == PA_STORE_OK && rc != PA_SQ_ROW && rc != PA_SQ_DONE) out = pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}

void pa_sq_person(pa_sql_stmt *st, int c, pa_store_person *out) {
  const char *ext = pa_sq_text(st, c + 3);
  *out = (pa_store_person){pa_sq_i64(st, c), pa_sq_text(st, c + 1),
                           ext ? pa_sq_text(st, c + 2) : NULL, ext, pa_sq_i64(st, c + 4)};
}

void pa_sq_pet_ref(pa_sql_stmt *st, int c, pa_store_pet_ref *out) {
  const char *ext = pa_sq_text(st, c + 4);
  *out = (pa_store_pet_ref){pa_sq_i64(st, c), pa_sq_text(st, c + 1), pa_sq_text(st, c + 2),
                            ext ? pa_sq_text(st, c + 3) : NULL, ext};
}

int pa_sq_each(pa_store *db, pa_sql_stmt *st, int bind_rc, int (*row)(void *ctx, pa_sql_stmt *st),
               void *ctx, const char *what) {
  int rc = bind_rc, out = PA_STORE_OK;
  while (rc == PA_SQ_OK && (rc = pa_sq_step(st)) == PA_SQ_ROW) {
    if (row(ctx, st) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what);
      break;
    }
    rc = PA_SQ_OK;
  }
  if (out == PA_STORE_OK && rc != PA_SQ_DONE) out = pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}

typedef struct people_walk {
  pa_store_person_fn fn;
  void *ctx;
} people_walk;

/* A row of a people page: its time, then the person. */
static int person_row(void *ctx, pa_sql_stmt *st) {
  people_walk *w = ctx;
  pa_store_person p;
  pa_sq_person(st, 1, &p);
  return w->fn(w->ctx, &p);
}

/* Both people pages: viewer is bound to ?5 only when has_viewer. */
static int people_page(pa_store *db, const char *sql, int64_t id, int has_viewer, int64_t viewer,
                       const pa_store_cursor *after, int limit, pa_store_person_fn fn, void *ctx,
                       pa_store_cursor *next, int *more, const char *what) {
  *more = 0;
  if (limit < 1) return pa_sq_failf(db, PA_STORE_EINVAL, "%s: bad limit", what);
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc == PA_SQ_OK && has_viewer) rc = pa_sq_bind_i64(st, 5, viewer);
  if (rc != PA_SQ_OK) {
    int out = pa_sq_fail(db, what);
    pa_sq_done(st);
    return out;
  }
  people_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, person_row, &w, 0, 1, next, more, what);
}

int pa_sq_people_page(pa_store *db, const char *sql, int64_t id, const pa_store_cursor *after,
                      int limit, pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more,
                      const char *what) {
  return people_page(db, sql, id, 0, 0, after, limit, fn, ctx, next, more, what);
}

int pa_sq_people_page_for(pa_store *db, const char *sql, int64_t id, int64_t viewer,
                          const pa_store_cursor *after, int limit, pa_store_person_fn fn, void *ctx,
                          pa_store_cursor *next, int *more, const char *what) {
  return people_page(db, sql, id, 1, viewer, after, limit, fn, ctx, next, more, what);
}
