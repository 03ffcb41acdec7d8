/* The SQLite driver (store/sql/sql.h): connections in WAL mode with foreign
 * keys on, statements prepared once per connection, SQLite's messages. The
 * schema and its migrations are in schema.c. */
#include "store/sql/sql.h"
#include "store/sqlite/sqlite.h"
#include "str.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sq_conn {
  pa_store base;
  sqlite3 *h;
} sq_conn;

typedef struct sq_stmt {
  pa_sql_stmt base;
  sqlite3_stmt *st;
} sq_stmt;

static sqlite3 *handle(pa_store *db) { return ((sq_conn *)db)->h; }
static sqlite3_stmt *raw(pa_sql_stmt *st) { return ((sq_stmt *)st)->st; }

static const pa_sq_driver sqlite_driver;

static int sq_fail(pa_store *db, const char *what) {
  int code = sqlite3_extended_errcode(handle(db));
  pa_sq_failf(db, 0, "%s: %s", what, sqlite3_errmsg(handle(db)));
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return PA_STORE_ECONFLICT;
  return code == SQLITE_NOMEM ? PA_STORE_ENOMEM : PA_STORE_EDB;
}

static int sq_script(pa_store *db, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(handle(db), sql, NULL, NULL, &msg) == SQLITE_OK) return PA_STORE_OK;
  pa_sq_failf(db, 0, "%s: %s", what, msg ? msg : sqlite3_errmsg(handle(db)));
  sqlite3_free(msg);
  return PA_STORE_EDB;
}

static pa_sql_stmt *sq_prepare(pa_store *db, const char *sql, int nparams) {
  sq_stmt *s = calloc(1, sizeof *s);
  if (!s) {
    pa_sq_failf(db, 0, "prepare: out of memory");
    return NULL;
  }
  if (sqlite3_prepare_v3(handle(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
      SQLITE_OK) {
    sq_fail(db, "prepare");
    free(s);
    return NULL;
  }
  /* The seam counted ?1..?nparams; SQLite also numbers ?, :name, @name and
   * $name, which would get past that count. */
  if (sqlite3_bind_parameter_count(s->st) > nparams) {
    pa_sq_failf(db, 0, "prepare: a parameter other than ?1..?%d", nparams);
    sqlite3_finalize(s->st);
    free(s);
    return NULL;
  }
  s->base.drv = &sqlite_driver;
  return &s->base;
}

static void sq_finalize(pa_sql_stmt *st) {
  sqlite3_finalize(raw(st));
  free(st);
}

static void sq_reset(pa_sql_stmt *st) {
  sqlite3_reset(raw(st));
  sqlite3_clear_bindings(raw(st));
}

/* SQLite's codes for a bind are SQLITE_OK or a failure; ours are PA_SQ_OK or not. */
static int bind_rc(int rc) { return rc == SQLITE_OK ? PA_SQ_OK : PA_SQ_ERROR; }

static int sq_bind_i64(pa_sql_stmt *st, int i, int64_t v) {
  return bind_rc(sqlite3_bind_int64(raw(st), i, v));
}
/* SQLITE_TRANSIENT: SQLite copies, the caller keeps ownership. */
static int sq_bind_text(pa_sql_stmt *st, int i, const char *s) {
  return bind_rc(sqlite3_bind_text(raw(st), i, s, -1, SQLITE_TRANSIENT));
}
static int sq_bind_blob(pa_sql_stmt *st, int i, const void *p, size_t n) {
  return bind_rc(sqlite3_bind_blob64(raw(st), i, p, n, SQLITE_TRANSIENT));
}
static int sq_bind_null(pa_sql_stmt *st, int i) { return bind_rc(sqlite3_bind_null(raw(st), i)); }

static int sq_step(pa_sql_stmt *st) {
  int rc = sqlite3_step(raw(st));
  return rc == SQLITE_ROW ? PA_SQ_ROW : rc == SQLITE_DONE ? PA_SQ_DONE : PA_SQ_ERROR;
}

static int64_t sq_i64(pa_sql_stmt *st, int i) { return sqlite3_column_int64(raw(st), i); }
static const char *sq_text(pa_sql_stmt *st, int i) {
  return (const char *)sqlite3_column_text(raw(st), i);
}
static const unsigned char *sq_blob(pa_sql_stmt *st, int i, size_t *len) {
  const unsigned char *p = sqlite3_column_blob(raw(st), i);
  *len = p ? (size_t)sqlite3_column_bytes(raw(st), i) : 0;
  return p;
}
static int sq_null(pa_sql_stmt *st, int i) {
  return sqlite3_column_type(raw(st), i) == SQLITE_NULL;
}
static int sq_changes(pa_store *db) { return sqlite3_changes(handle(db)); }

static void sq_close(pa_store *db) {
  pa_sq_cache_clear(db);
  sqlite3_close(handle(db));
  free(db);
}

static const pa_sq_driver sqlite_driver = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .close = sq_close,
    .migrate = pa_sqlite_migrate,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_i64 = sq_i64,
    .col_text = sq_text,
    .col_blob = sq_blob,
    .col_null = sq_null,
    .changes = sq_changes,
    .fail = sq_fail,
    .script = sq_script,
};

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

/* pa_bm25(fts, n, terms, w0, w1, …): BM25 over an FTS5 table whose rows are
 * one locale's documents among others (the help center, store/sql/help.c),
 * with n the number of that locale's documents and terms their terms in
 * all (so the average length is the locale's), and w the column weights.
 * FTS5's own bm25() takes N and the average length from the whole table;
 * this is the same formula (k1 1.2, b 0.75, IDF ln((N - n + 0.5) /
 * (n + 0.5)) at least 1e-6, a phrase's frequency the sum of its column
 * weights over its instances, the row's length its terms in all columns)
 * with the locale's N, and a phrase's document count from xQueryPhrase
 * (the stored terms carry their locale, so it counts that locale's only).
 * Higher is better. The IDFs are computed once per query (auxdata). */
enum { BM25_PHRASES_MAX = 512 };
static const double bm25_k1 = 1.2, bm25_b = 0.75;

typedef struct bm25_query {
  int phrases;
  double idf[];
} bm25_query;

static int bm25_count(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx) {
  (void)api;
  (void)fts;
  (*(sqlite3_int64 *)ctx)++;
  return SQLITE_OK;
}

static void sql_bm25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
                     sqlite3_value **argv) {
  if (argc < 2) {
    sqlite3_result_error(ctx, "pa_bm25: (fts, n, terms, weights...)", -1);
    return;
  }
  double n = sqlite3_value_double(argv[0]), terms = sqlite3_value_double(argv[1]);
  double avgdl = n > 0 && terms > 0 ? terms / n : 1;
  bm25_query *q = api->xGetAuxdata(fts, 0);
  if (!q) {
    int phrases = api->xPhraseCount(fts);
    if (phrases < 0 || phrases > BM25_PHRASES_MAX) {
      sqlite3_result_error(ctx, "pa_bm25: too many phrases", -1);
      return;
    }
    q = sqlite3_malloc64(sizeof *q + (size_t)phrases * sizeof(double));
    if (!q) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    q->phrases = phrases;
    for (int i = 0; i < phrases; i++) {
      sqlite3_int64 hits = 0;
      int rc = api->xQueryPhrase(fts, i, &hits, bm25_count);
      if (rc != SQLITE_OK) {
        sqlite3_free(q);
        sqlite3_result_error_code(ctx, rc);
        return;
      }
      double idf = log((n - (double)hits + 0.5) / ((double)hits + 0.5));
      q->idf[i] = idf > 0 ? idf : 1e-6;
    }
    int rc = api->xSetAuxdata(fts, q, sqlite3_free);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  double freq[BM25_PHRASES_MAX] = {0};
  int inst = 0, rc = api->xInstCount(fts, &inst);
  for (int k = 0; rc == SQLITE_OK && k < inst; k++) {
    int phrase = 0, col = 0, off = 0;
    rc = api->xInst(fts, k, &phrase, &col, &off);
    if (rc == SQLITE_OK && phrase >= 0 && phrase < q->phrases)
      freq[phrase] += col + 2 < argc ? sqlite3_value_double(argv[col + 2]) : 1.0;
  }
  int len = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &len);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double score = 0;
  for (int i = 0; i < q->phrases; i++)
    if (freq[i] > 0)
      score += q->idf[i] * freq[i] * (bm25_k1 + 1) /
               (freq[i] + bm25_k1 * (1 - bm25_b + bm25_b * (double)len / avgdl));
  sqlite3_result_double(ctx, score);
}

/* FTS5's API of the connection (SQLite's documented way: SELECT fts5(?1)
 * with a pointer bound), to add pa_bm25. */
static int add_bm25(sqlite3 *h) {
  fts5_api *fts = NULL;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_pointer(st, 1, (void *)&fts, "fts5_api_ptr", NULL);
  if (rc == SQLITE_OK) sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_OK || !fts || fts->iVersion < 2) return SQLITE_ERROR;
  return fts->xCreateFunction(fts, "pa_bm25", NULL, sql_bm25, NULL);
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

int pa_sq_sqlite_open(const char *path, int create, pa_store **out, char *err, size_t errlen) {
  *out = NULL;
  sq_conn *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return PA_STORE_ENOMEM;
  }
  c->base.drv = &sqlite_driver;
  pa_store *db = &c->base;
  /* Each pa_store lives on one thread, so SQLite's own connection mutex is not needed. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &c->h, flags, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(c->h, 1);
    sqlite3_busy_handler(c->h, busy_wait, NULL);
    rc = sq_script(db,
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = NORMAL;" /* durable enough with WAL, much faster */
                   "PRAGMA foreign_keys = ON;",
                   "configure") == PA_STORE_OK
             ? SQLITE_OK
             : SQLITE_ERROR;
    if (rc == SQLITE_OK)
      rc = sqlite3_create_function(c->h, "pa_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_fold, NULL, NULL);
    if (rc == SQLITE_OK) rc = add_bm25(c->h);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", path, db->err);
      sq_close(db);
      return PA_STORE_EDB;
    }
    *out = db;
    return PA_STORE_OK;
  }
  snprintf(err, errlen, "%s: %s", path, c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
  sq_close(db);
  return rc == SQLITE_NOMEM ? PA_STORE_ENOMEM : PA_STORE_EDB;
}
