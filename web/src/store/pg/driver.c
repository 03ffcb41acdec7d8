/* The PostgreSQL driver (store/sql/sql.h) on libpq: one connection per
 * pa_store, statements prepared on the server the first time they run (with
 * the types of their first bindings: integers as int8, text, bytes as bytea
 * sent in binary), results read as text. The shared SQL's ?N placeholders
 * become $N here. The schema is in schema.c. */
#include "store/pg/pg.h"
#include "store/sql/sql.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs from PostgreSQL's pg_type.h (stable across versions). */
enum { OID_BYTEA = 17, OID_INT8 = 20, OID_TEXT = 25 };

typedef struct pg_conn {
  pa_store base;
  PGconn *c;
  int changes;         /* rows the last command changed */
  unsigned statements; /* names handed out: s1, s2, ... */
  char sqlstate[6];    /* of the last failure, "" when it had none */
  char message[200];   /* the last failure, first line */
} pg_conn;

typedef struct pg_stmt {
  pa_sql_stmt base;
  pg_conn *conn;
  char *sql;     /* with $N placeholders */
  char name[16]; /* its server-side name, "" until prepared */
  int nparams;
  /* One entry per parameter, allocated with the statement: a cached one has
   * a few, a batch from pa_sq_prepare_dynamic up to PA_SQ_PARAMS_DYNAMIC_MAX. */
  char **values;
  int *lengths;
  int *formats;
  unsigned *types;
  PGresult *res;
  int row, rows;
  unsigned char **blobs; /* bytea columns of the current row decoded, one per column */
  int nblobs;
} pg_stmt;

static const pa_sq_driver pg_driver;

static pg_conn *conn_of(pa_store *db) { return (pg_conn *)db; }
static pg_stmt *stmt_of(pa_sql_stmt *st) { return (pg_stmt *)st; }

/* Keeps the first line of a libpq message and its SQLSTATE for pg_fail. */
static void remember(pg_conn *c, const PGresult *res) {
  const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->c);
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
  snprintf(c->message, sizeof c->message, "%s", msg && *msg ? msg : "unknown error");
  char *nl = strchr(c->message, '\n');
  if (nl) *nl = '\0';
}

static int pg_fail(pa_store *db, const char *what) {
  pg_conn *c = conn_of(db);
  pa_sq_failf(db, 0, "%s: %s", what, c->message);
  if (strcmp(c->sqlstate, "23505") == 0) return PA_STORE_ECONFLICT;          /* unique_violation */
  return strcmp(c->sqlstate, "53200") == 0 ? PA_STORE_ENOMEM : PA_STORE_EDB; /* out_of_memory */
}

static int pg_script(pa_store *db, const char *sql, const char *what) {
  pg_conn *c = conn_of(db);
  PGresult *res = PQexec(c->c, sql);
  ExecStatusType s = PQresultStatus(res);
  int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  if (!ok) remember(c, res);
  PQclear(res);
  return ok ? PA_STORE_OK : pg_fail(db, what);
}

/* "?12" -> "$12", outside quoted strings and identifiers (the seam has
 * checked the numbers, pa_sq_params). NULL when out of memory. */
static char *dollars(const char *sql) {
  size_t n = strlen(sql);
  char *out = malloc(n + 1), *o = out;
  char quote = 0;
  if (!out) return NULL;
  for (const char *p = sql; *p; p++) {
    if (quote) {
      if (*p == quote) quote = 0;
    } else if (*p == '\'' || *p == '"') {
      quote = *p;
    } else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
      *o++ = '$';
      continue;
    }
    *o++ = *p;
  }
  *o = '\0';
  return out;
}

static void free_stmt(pg_stmt *s) {
  free(s->values);
  free(s->lengths);
  free(s->formats);
  free(s->types);
  free(s->blobs);
  free(s->sql);
  free(s);
}

static pa_sql_stmt *pg_prepare(pa_store *db, const char *sql, int nparams) {
  pg_stmt *s = calloc(1, sizeof *s);
  if (s) s->sql = dollars(sql);
  if (s && s->sql) {
    s->nparams = nparams;
    size_t n = s->nparams ? (size_t)s->nparams : 1; /* calloc(0) may be NULL */
    s->values = calloc(n, sizeof *s->values);
    s->lengths = calloc(n, sizeof *s->lengths);
    s->formats = calloc(n, sizeof *s->formats);
    s->types = calloc(n, sizeof *s->types);
  }
  if (!s || !s->sql || !s->values || !s->lengths || !s->formats || !s->types) {
    if (s) free_stmt(s);
    pa_sq_failf(db, 0, "prepare: out of memory");
    return NULL;
  }
  s->base.drv = &pg_driver;
  s->conn = conn_of(db);
  s->row = -1;
  return &s->base;
}

/* Frees the decoded bytea of the current row (they live until the next step). */
static void clear_blobs(pg_stmt *s) {
  for (int i = 0; i < s->nblobs; i++) {
    PQfreemem(s->blobs[i]);
    s->blobs[i] = NULL;
  }
}

static void clear_result(pg_stmt *s) {
  clear_blobs(s);
  PQclear(s->res);
  s->res = NULL;
  s->row = -1;
  s->rows = 0;
}

static void pg_reset(pa_sql_stmt *st) {
  pg_stmt *s = stmt_of(st);
  clear_result(s);
  for (int i = 0; i < s->nparams; i++) {
    free(s->values[i]);
    s->values[i] = NULL;
    s->lengths[i] = s->formats[i] = 0;
  }
}

static void pg_finalize(pa_sql_stmt *st) {
  pg_stmt *s = stmt_of(st);
  pg_reset(st);
  if (s->name[0] && PQstatus(s->conn->c) == CONNECTION_OK) {
    char sql[40];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(PQexec(s->conn->c, sql));
  }
  free_stmt(s);
}

/* Stores a copy of value for parameter i (1-based). */
static int bind(pg_stmt *s, int i, const void *value, size_t len, int format, unsigned type) {
  if (i < 1 || i > s->nparams) return PA_SQ_ERROR;
  char *copy = NULL;
  if (value) {
    copy = malloc(len + 1);
    if (!copy) return PA_SQ_ERROR;
    memcpy(copy, value, len);
    copy[len] = '\0';
  }
  free(s->values[i - 1]);
  s->values[i - 1] = copy;
  s->lengths[i - 1] = (int)len;
  s->formats[i - 1] = format;
  if (!s->name[0]) s->types[i - 1] = value ? type : 0;
  return PA_SQ_OK;
}

static int pg_bind_i64(pa_sql_stmt *st, int i, int64_t v) {
  char text[24];
  int n = snprintf(text, sizeof text, "%lld", (long long)v);
  return bind(stmt_of(st), i, text, (size_t)n, 0, OID_INT8);
}
static int pg_bind_text(pa_sql_stmt *st, int i, const char *v) {
  return bind(stmt_of(st), i, v, strlen(v), 0, OID_TEXT);
}
static int pg_bind_blob(pa_sql_stmt *st, int i, const void *p, size_t n) {
  return bind(stmt_of(st), i, n ? p : "", n, 1, OID_BYTEA);
}
static int pg_bind_null(pa_sql_stmt *st, int i) { return bind(stmt_of(st), i, NULL, 0, 0, 0); }

/* Prepares on the server the first time, with the first bindings' types. */
static int ensure_prepared(pg_stmt *s) {
  if (s->name[0]) return 0;
  char name[16];
  snprintf(name, sizeof name, "s%u", ++s->conn->statements);
  PGresult *res = PQprepare(s->conn->c, name, s->sql, s->nparams, s->types);
  int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) remember(s->conn, res);
  PQclear(res);
  if (ok) memcpy(s->name, name, sizeof name);
  return ok ? 0 : -1;
}

static int pg_step(pa_sql_stmt *st) {
  pg_stmt *s = stmt_of(st);
  if (!s->res) {
    if (ensure_prepared(s) != 0) return PA_SQ_ERROR;
    s->res = PQexecPrepared(s->conn->c, s->name, s->nparams, (const char *const *)s->values,
                            s->lengths, s->formats, 0);
    ExecStatusType status = PQresultStatus(s->res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      remember(s->conn, s->res);
      clear_result(s);
      return PA_SQ_ERROR;
    }
    s->rows = PQntuples(s->res);
    s->conn->changes = atoi(PQcmdTuples(s->res));
  }
  clear_blobs(s);
  return ++s->row < s->rows ? PA_SQ_ROW : PA_SQ_DONE;
}

static int pg_null(pa_sql_stmt *st, int i) {
  pg_stmt *s = stmt_of(st);
  return !s->res || s->row < 0 || s->row >= s->rows || i >= PQnfields(s->res) ||
         PQgetisnull(s->res, s->row, i);
}

static const char *pg_text(pa_sql_stmt *st, int i) {
  pg_stmt *s = stmt_of(st);
  return pg_null(st, i) ? NULL : PQgetvalue(s->res, s->row, i);
}

/* Integers as text; booleans (EXISTS, comparisons) as t and f. */
static int64_t pg_i64(pa_sql_stmt *st, int i) {
  const char *v = pg_text(st, i);
  if (!v) return 0;
  if (v[0] == 't' && !v[1]) return 1;
  if (v[0] == 'f' && !v[1]) return 0;
  return strtoll(v, NULL, 10);
}

/* bytea in text results is hex ("\x0a1b..."); libpq decodes it, once per
 * column and row. */
static const unsigned char *pg_blob(pa_sql_stmt *st, int i, size_t *len) {
  pg_stmt *s = stmt_of(st);
  const char *v = pg_text(st, i);
  *len = 0;
  if (!v) return NULL;
  int n = PQnfields(s->res);
  if (s->nblobs < n) {
    unsigned char **more = realloc(s->blobs, (size_t)n * sizeof *more);
    if (!more) return NULL;
    for (int k = s->nblobs; k < n; k++) more[k] = NULL;
    s->blobs = more;
    s->nblobs = n;
  }
  PQfreemem(s->blobs[i]);
  s->blobs[i] = PQunescapeBytea((const unsigned char *)v, len);
  return s->blobs[i];
}

static int pg_changes(pa_store *db) { return conn_of(db)->changes; }

static void pg_close(pa_store *db) {
  pa_sq_cache_clear(db);
  PQfinish(conn_of(db)->c);
  free(db);
}

static const pa_sq_driver pg_driver = {
    .name = "postgresql",
    .begin_sql = "BEGIN",
    .close = pg_close,
    .migrate = pa_pg_migrate,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_i64 = pg_i64,
    .col_text = pg_text,
    .col_blob = pg_blob,
    .col_null = pg_null,
    .changes = pg_changes,
    .fail = pg_fail,
    .script = pg_script,
};

int pa_sq_pg_open(const char *url, pa_store **out, char *err, size_t errlen) {
  *out = NULL;
  pg_conn *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return PA_STORE_ENOMEM;
  }
  c->base.drv = &pg_driver;
  c->c = PQconnectdb(url);
  if (PQstatus(c->c) != CONNECTION_OK) {
    /* libpq's message names the host and port, never the password. */
    remember(c, NULL);
    snprintf(err, errlen, "postgresql: %s", c->message);
    pg_close(&c->base);
    return PA_STORE_EDB;
  }
  if (pg_script(&c->base, "SET client_min_messages = warning", "configure") != PA_STORE_OK) {
    snprintf(err, errlen, "postgresql: %s", c->base.err);
    pg_close(&c->base);
    return PA_STORE_EDB;
  }
  *out = &c->base;
  return PA_STORE_OK;
}
