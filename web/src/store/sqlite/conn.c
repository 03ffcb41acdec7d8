/* pa_store over SQLite: the connection, transactions, the statement cache
 * and the helpers every store/sqlite file shares (sq.h). */
#include "store/sqlite/sq.h"
#include "str.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pa_sq_failf(pa_store *db, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
  return rc;
}

int pa_sq_fail(pa_store *db, const char *what) {
  int code = sqlite3_extended_errcode(db->h);
  pa_sq_failf(db, 0, "%s: %s", what, sqlite3_errmsg(db->h));
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return PA_STORE_ECONFLICT;
  return code == SQLITE_NOMEM ? PA_STORE_ENOMEM : PA_STORE_EDB;
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

int pa_sq_script(pa_store *db, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK) return PA_STORE_OK;
  pa_sq_failf(db, 0, "%s: %s", what, msg ? msg : sqlite3_errmsg(db->h));
  sqlite3_free(msg);
  return PA_STORE_EDB;
}

/* pa_fold(text): case-folded text for search (see pa_str_fold); the
 * input as it is when it is not UTF-8. Folding keeps byte lengths. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *s = (const char *)sqlite3_value_text(argv[0]);
  if (!s) {
    sqlite3_result_null(ctx);
    return;
  }
  size_t cap = (size_t)sqlite3_value_bytes(argv[0]) * 2 + 8;
  char *out = sqlite3_malloc64(cap);
  if (!out) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (pa_str_fold(s, out, cap) != 0) snprintf(out, cap, "%s", s);
  sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

enum { BUSY_WAIT_US = 250, BUSY_LIMIT_MS = 5000 };

/* Another connection holds the write lock: wait a little and try again, up
 * to BUSY_LIMIT_MS. SQLite's own busy timeout backs off to 100 ms sleeps, so
 * under steady writes from several workers a writer could sleep long after
 * the lock was free; short, even waits keep the tail short. */
static int busy_wait(void *arg, int count) {
  (void)arg;
  if ((long long)count * BUSY_WAIT_US >= (long long)BUSY_LIMIT_MS * 1000) return 0;
  struct timespec ts = {0, BUSY_WAIT_US * 1000L};
  nanosleep(&ts, NULL);
  return 1;
}

int pa_store_open(const char *path, int create, pa_store **out, char *err, size_t errlen) {
  *out = NULL;
  pa_store *db = calloc(1, sizeof *db);
  if (!db) {
    snprintf(err, errlen, "out of memory");
    return PA_STORE_ENOMEM;
  }
  /* Each pa_store lives on one thread, so SQLite's own connection mutex is not needed. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_handler(db->h, busy_wait, NULL);
    rc = pa_sq_script(db,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = NORMAL;" /* durable enough with WAL, much faster */
                      "PRAGMA foreign_keys = ON;",
                      "configure") == PA_STORE_OK
             ? SQLITE_OK
             : SQLITE_ERROR;
    if (rc == SQLITE_OK)
      rc = sqlite3_create_function(db->h, "pa_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_fold, NULL, NULL);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", path, db->err);
      pa_store_close(db);
      return PA_STORE_EDB;
    }
    *out = db;
    return PA_STORE_OK;
  }
  snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
  pa_store_close(db);
  return rc == SQLITE_NOMEM ? PA_STORE_ENOMEM : PA_STORE_EDB;
}

void pa_store_close(pa_store *db) {
  if (!db) return;
  for (int i = 0; i < PA_SQ_STMT_CACHE; i++) sqlite3_finalize(db->cache[i].st);
  sqlite3_close(db->h);
  free(db);
}

int pa_store_begin(pa_store *db) { return pa_sq_script(db, "BEGIN IMMEDIATE", "begin"); }
int pa_store_commit(pa_store *db) { return pa_sq_script(db, "COMMIT", "commit"); }
int pa_store_rollback(pa_store *db) { return pa_sq_script(db, "ROLLBACK", "rollback"); }

int pa_store_end(pa_store *db, int ok) {
  if (ok && pa_store_commit(db) == PA_STORE_OK) return PA_STORE_OK;
  pa_store_rollback(db);
  return PA_STORE_EDB;
}

sqlite3_stmt *pa_sq_stmt(pa_store *db, const char *sql) {
  size_t h = ((uintptr_t)sql >> 3) % PA_SQ_STMT_CACHE;
  for (int probe = 0; probe < PA_SQ_STMT_CACHE; probe++, h = (h + 1) % PA_SQ_STMT_CACHE) {
    if (db->cache[h].sql == sql) return db->cache[h].st;
    if (db->cache[h].sql) continue;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
      pa_sq_fail(db, "prepare");
      return NULL;
    }
    db->cache[h].sql = sql;
    db->cache[h].st = st;
    return st;
  }
  /* Full: a fixed set of literals never gets here; still answer correctly. */
  pa_sq_failf(db, 0, "statement cache full");
  return NULL;
}

void pa_sq_done(sqlite3_stmt *st) {
  if (!st) return;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

int pa_sq_bind_i64s(sqlite3_stmt *st, int n, const int64_t *args) {
  int rc = SQLITE_OK;
  for (int i = 0; i < n && rc == SQLITE_OK; i++) rc = sqlite3_bind_int64(st, i + 1, args[i]);
  return rc;
}

/* SQLITE_TRANSIENT: SQLite copies, the caller keeps ownership. */
int pa_sq_bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

const char *pa_sq_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

int pa_sq_run(pa_store *db, sqlite3_stmt *st, int bind_rc, const char *what, int64_t *id,
              int *changes) {
  int rc = bind_rc, first = 1;
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (id && first) *id = sqlite3_column_int64(st, 0);
      first = 0;
    }
  }
  int out = rc == SQLITE_DONE ? PA_STORE_OK : pa_sq_fail(db, what);
  if (changes) *changes = out == PA_STORE_OK ? sqlite3_changes(db->h) : 0;
  pa_sq_done(st);
  return out;
}

int pa_sq_exec_i64(pa_store *db, const char *sql, int n, const int64_t *args, int *changes) {
  sqlite3_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_i64s(st, n, args), "exec", NULL, changes);
}

int pa_sq_scalar_i64(pa_store *db, const char *sql, int n, const int64_t *args, int64_t *out) {
  sqlite3_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64s(st, n, args);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  int res = PA_STORE_OK;
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  else if (rc == SQLITE_DONE)
    res = PA_STORE_ENOTFOUND;
  else
    res = pa_sq_fail(db, "query");
  pa_sq_done(st);
  return res;
}

int pa_sq_bind_page(sqlite3_stmt *st, int a, const pa_store_cursor *after, int limit) {
  /* The first page starts above every real position; one extra row tells
   * whether another page exists. */
  int rc = sqlite3_bind_int64(st, a, after ? after->created_at : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, a + 1, after ? after->id : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, a + 2, limit + 1);
  return rc;
}

int pa_sq_page(pa_store *db, sqlite3_stmt *st, int limit, int (*row)(void *ctx, sqlite3_stmt *st),
               void *ctx, int created_col, int id_col, pa_store_cursor *next, int *more,
               const char *what) {
  int rc, n = 0, out = PA_STORE_OK;
  *more = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == limit) {
      *more = 1;
      break;
    }
    if (row(ctx, st) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what);
      break;
    }
    next->created_at = sqlite3_column_int64(st, created_col);
    next->id = sqlite3_column_int64(st, id_col);
    n++;
  }
  if (out == PA_STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) out = pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}

void pa_sq_person(sqlite3_stmt *st, int c, pa_store_person *out) {
  const char *ext = pa_sq_text(st, c + 3);
  *out = (pa_store_person){sqlite3_column_int64(st, c), pa_sq_text(st, c + 1),
                           ext ? pa_sq_text(st, c + 2) : NULL, ext};
}

void pa_sq_pet_ref(sqlite3_stmt *st, int c, pa_store_pet_ref *out) {
  const char *ext = pa_sq_text(st, c + 4);
  *out = (pa_store_pet_ref){sqlite3_column_int64(st, c), pa_sq_text(st, c + 1),
                            pa_sq_text(st, c + 2), ext ? pa_sq_text(st, c + 3) : NULL, ext};
}

int pa_sq_each(pa_store *db, sqlite3_stmt *st, int bind_rc, int (*row)(void *ctx, sqlite3_stmt *st),
               void *ctx, const char *what) {
  int rc = bind_rc, out = PA_STORE_OK;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (row(ctx, st) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what);
      break;
    }
    rc = SQLITE_OK;
  }
  if (out == PA_STORE_OK && rc != SQLITE_DONE) out = pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}
