/* pa_store_port (store/port.h): a SQLite database into an empty PostgreSQL
 * one, over the statement seam only. The tables, columns and keys come from
 * each database's own catalog (pa_sq_dialect picks the catalog query), so
 * the SQL built here at run time (pa_sq_prepare_dynamic) names only what
 * the schemas define, never anything from input. Row checksums are computed
 * by one function over both connections: the proof is the same code reading
 * both sides. */
#include "store/port.h"

#include "store/sql/sql.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  COLUMNS_MAX = 32,      /* columns of one table (the widest has 9) */
  SQL_CHUNK = 1024,      /* bytes a built statement starts with */
  SQL_MAX = 64 << 10,    /* and may grow to: a batch's INSERT of 4096 parameters fits */
  BATCH_ROWS = 256,      /* rows of one INSERT: a round trip per batch, not per row */
  BATCH_BYTES = 4 << 20, /* or fewer, once their values hold this many bytes */
  PAGE_ROWS_FIRST = 16,  /* rows of a checksum walk's first page */
  PAGE_ROWS_MAX = 4096,  /* and of any page */
  PAGE_GROWTH = 8,       /* a page has at most this many times the last one's rows */
  PAGE_BYTES = 16 << 20, /* a page aims at this many bytes (PostgreSQL's driver holds
                            a whole result in memory; an attachment is up to 8 MiB) */
  HEX_CHUNK = 4096,      /* bytes of a blob turned into hex at a time */
  SUM_BYTES = crypto_hash_sha256_BYTES
};

/* What the port needs to know of a column: SQLite's STRICT types and their
 * PostgreSQL translations (store/pg/schema.c) fall into three kinds. */
typedef enum kind { KIND_INTEGER, KIND_TEXT, KIND_BLOB } kind;

typedef struct pcolumn {
  char name[PA_STORE_PORT_NAME_MAX];
  kind kind;
  int pk;       /* its place in the primary key (1-based), 0 when not in it */
  int identity; /* PostgreSQL: an identity column, whose sequence the port sets */
} pcolumn;

typedef struct ptable {
  char name[PA_STORE_PORT_NAME_MAX];
  int ncols, npk;
  pcolumn cols[COLUMNS_MAX];
  int pk[COLUMNS_MAX]; /* indexes into cols, in key order */
} ptable;

typedef struct schema {
  int n;
  ptable t[PA_STORE_PORT_TABLES_MAX];
} schema;

typedef struct port {
  pa_store *src, *dst;
  pa_store_port_fn fn;
  void *ctx;
  pa_store_port_result *out;
  char *err;
  size_t errlen;
  schema *s, *d;                        /* the source's and the destination's */
  int order[PA_STORE_PORT_TABLES_MAX];  /* indexes into s, parents first */
  int dmatch[PA_STORE_PORT_TABLES_MAX]; /* for each table of s, its index in d */
} port;

/* ---- errors and reports */

static int failf(port *p, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int failf(port *p, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err, p->errlen, fmt, ap);
  va_end(ap);
  return rc;
}

/* A failure of db while doing what: the database's own words. */
static int dbfail(port *p, pa_store *db, int rc, const char *what) {
  return failf(p, rc, "%s (%s): %s", what, pa_store_kind(db), pa_store_errmsg(db));
}

static void report(port *p, const pa_store_port_event *ev) {
  if (p->fn) p->fn(p->ctx, ev);
}

/* ---- statement text built from catalog names */

/* A statement's text as it is built; starts as {0}, freed by prepare. */
typedef struct sqlbuf {
  char *s;
  size_t n, cap;
  int over; /* longer than SQL_MAX, or out of memory */
} sqlbuf;

static void put(sqlbuf *b, const char *s) {
  size_t k = strlen(s);
  if (b->over) return;
  if (b->n + k + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : SQL_CHUNK;
    while (cap < b->n + k + 1) cap *= 2;
    char *more = cap <= SQL_MAX ? realloc(b->s, cap) : NULL;
    if (!more) {
      b->over = 1;
      return;
    }
    b->s = more;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, k + 1);
  b->n += k;
}

static void sql_free(sqlbuf *b) {
  free(b->s);
  *b = (sqlbuf){0};
}

/* name as a quoted identifier (both databases quote with "). */
static void put_ident(sqlbuf *b, const char *name) {
  put(b, "\"");
  for (const char *c = name; *c; c++) put(b, *c == '"' ? "\"\"" : (char[2]){*c, 0});
  put(b, "\"");
}

static void put_param(sqlbuf *b, int i) {
  char text[16];
  snprintf(text, sizeof text, "?%d", i);
  put(b, text);
}

/* "a", "b", ... : the table's columns in the source's order. */
static void put_columns(sqlbuf *b, const ptable *t) {
  for (int i = 0; i < t->ncols; i++) {
    if (i) put(b, ", ");
    put_ident(b, t->cols[i].name);
  }
}

/* ("k1", "k2"): the primary key, for ORDER BY and row comparisons. */
static void put_key(sqlbuf *b, const ptable *t, int parens) {
  if (parens) put(b, "(");
  for (int i = 0; i < t->npk; i++) {
    if (i) put(b, ", ");
    put_ident(b, t->cols[t->pk[i]].name);
  }
  if (parens) put(b, ")");
}

/* The statement b spells on db (the drivers keep their own copy of the
 * text, so b is freed here). */
static pa_sql_stmt *prepare(port *p, pa_store *db, sqlbuf *b, const char *what) {
  pa_sql_stmt *st = NULL;
  if (b->over || !b->s)
    failf(p, PA_STORE_ENOMEM, "%s: out of memory or a statement longer than %d bytes", what,
          SQL_MAX);
  else if (!(st = pa_sq_prepare_dynamic(db, b->s)))
    dbfail(p, db, PA_STORE_EDB, what);
  sql_free(b);
  return st;
}

/* ---- the catalogs */

/* The tables a port copies: the engine's own bookkeeping is left out
 * (SQLite's sqlite_sequence, read for the identities; PostgreSQL's
 * pa_schema, which its migration writes), and so are SQLite's full-text
 * index and its shadow tables (text_fts: derived from text_docs, which is
 * copied; PostgreSQL indexes the same terms itself). */
static const char tables_sqlite[] = "SELECT name FROM pragma_table_list"
                                    " WHERE schema = 'main' AND type = 'table'"
                                    " AND name NOT LIKE 'sqlite!_%' ESCAPE '!'";
static const char tables_pg[] = "SELECT tablename FROM pg_catalog.pg_tables"
                                " WHERE schemaname = current_schema() AND tablename <> 'pa_schema'";

/* name, declared type, place in the primary key, identity. */
static const char columns_sqlite[] =
    "SELECT name, type, pk, 0 FROM pragma_table_info(?1) ORDER BY cid";
static const char columns_pg[] =
    "SELECT c.column_name, c.data_type,"
    " coalesce((SELECT k.ordinal_position FROM information_schema.table_constraints t"
    "   JOIN information_schema.key_column_usage k ON k.constraint_schema = t.constraint_schema"
    "    AND k.constraint_name = t.constraint_name AND k.table_name = t.table_name"
    "  WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name"
    "   AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name), 0),"
    " c.is_identity = 'YES'"
    " FROM information_schema.columns c"
    " WHERE c.table_schema = current_schema() AND c.table_name = ?1"
    /* A generated column (text_docs.lexemes) is computed by the destination. */
    "  AND c.is_generated = 'NEVER'"
    " ORDER BY c.ordinal_position";

/* The declared types of SQLite's STRICT tables, then their translations in
 * store/pg/schema.c (information_schema's data_type). */
static int kind_of(const char *type, kind *out) {
  static const struct {
    const char *type;
    kind kind;
  } known[] = {
      {"INTEGER", KIND_INTEGER}, {"TEXT", KIND_TEXT},       {"BLOB", KIND_BLOB},
      {"bigint", KIND_INTEGER},  {"integer", KIND_INTEGER}, {"text", KIND_TEXT},
      {"bytea", KIND_BLOB},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (type && strcmp(type, known[i].type) == 0) {
      *out = known[i].kind;
      return 0;
    }
  }
  return -1;
}

static int copy_name(port *p, char out[PA_STORE_PORT_NAME_MAX], const char *name,
                     const char *what) {
  /* The name is cut in the message: SQLite's names have no length limit. */
  if (!name || !*name || strlen(name) >= PA_STORE_PORT_NAME_MAX)
    return failf(
        p, PA_STORE_PORT_ESCHEMA, "%s: the name \"%.*s%s\" is empty or longer than %d bytes", what,
        PA_STORE_PORT_NAME_MAX, name ? name : "",
        name && strlen(name) > PA_STORE_PORT_NAME_MAX ? "..." : "", PA_STORE_PORT_NAME_MAX - 1);
  memcpy(out, name, strlen(name) + 1);
  return PA_STORE_OK;
}

static int load_columns(port *p, pa_store *db, ptable *t) {
  pa_sql_stmt *st = pa_sq_stmt(db, pa_sq_dialect(db, columns_sqlite, columns_pg));
  if (!st) return dbfail(p, db, PA_STORE_EDB, "read the columns");
  int rc = pa_sq_bind_text(st, 1, t->name), step = PA_SQ_OK, out = PA_STORE_OK;
  t->ncols = t->npk = 0;
  while (rc == PA_SQ_OK && out == PA_STORE_OK && (step = pa_sq_step(st)) == PA_SQ_ROW) {
    if (t->ncols == COLUMNS_MAX) {
      out = failf(p, PA_STORE_PORT_ESCHEMA, "table %s has more than %d columns", t->name,
                  COLUMNS_MAX);
      break;
    }
    pcolumn *c = &t->cols[t->ncols];
    out = copy_name(p, c->name, pa_sq_text(st, 0), t->name);
    if (out == PA_STORE_OK && kind_of(pa_sq_text(st, 1), &c->kind) != 0)
      out = failf(p, PA_STORE_PORT_ESCHEMA,
                  "%s: column %s.%s has type %s, which the port does not know", pa_store_kind(db),
                  t->name, c->name, pa_sq_text(st, 1) ? pa_sq_text(st, 1) : "(none)");
    c->pk = (int)pa_sq_i64(st, 2);
    c->identity = (int)pa_sq_i64(st, 3);
    if (c->pk < 0 || c->pk > COLUMNS_MAX) c->pk = 0;
    t->ncols++;
  }
  if (rc != PA_SQ_OK || (out == PA_STORE_OK && step != PA_SQ_DONE && step != PA_SQ_ROW))
    out = dbfail(p, db, PA_STORE_EDB, "read the columns");
  pa_sq_done(st);
  if (out != PA_STORE_OK) return out;
  if (t->ncols == 0) return failf(p, PA_STORE_PORT_ESCHEMA, "table %s has no columns", t->name);
  /* The key in its declared order: pk is the column's place in it. */
  for (int k = 1; k <= t->ncols; k++)
    for (int i = 0; i < t->ncols; i++)
      if (t->cols[i].pk == k) t->pk[t->npk++] = i;
  if (t->npk == 0)
    return failf(p, PA_STORE_PORT_ESCHEMA,
                 "table %s has no primary key: the port orders every table by its key", t->name);
  return PA_STORE_OK;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const ptable *)a)->name, ((const ptable *)b)->name);
}

static int load_schema(port *p, pa_store *db, schema *s) {
  pa_sql_stmt *st = pa_sq_stmt(db, pa_sq_dialect(db, tables_sqlite, tables_pg));
  if (!st) return dbfail(p, db, PA_STORE_EDB, "list the tables");
  int step, out = PA_STORE_OK;
  s->n = 0;
  while (out == PA_STORE_OK && (step = pa_sq_step(st)) == PA_SQ_ROW) {
    if (s->n == PA_STORE_PORT_TABLES_MAX) {
      out = failf(p, PA_STORE_PORT_ESCHEMA, "more than %d tables", PA_STORE_PORT_TABLES_MAX);
      break;
    }
    out = copy_name(p, s->t[s->n++].name, pa_sq_text(st, 0), "a table");
  }
  if (out == PA_STORE_OK && step != PA_SQ_DONE)
    out = dbfail(p, db, PA_STORE_EDB, "list the tables");
  pa_sq_done(st);
  if (out != PA_STORE_OK) return out;
  /* Sorted in C: the two engines sort names by different rules. */
  qsort(s->t, (size_t)s->n, sizeof s->t[0], by_name);
  for (int i = 0; i < s->n && out == PA_STORE_OK; i++) out = load_columns(p, db, &s->t[i]);
  return out;
}

static int find_table(const schema *s, const char *name) {
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->t[i].name, name) == 0) return i;
  return -1;
}

static int find_column(const ptable *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->cols[i].name, name) == 0) return i;
  return -1;
}

/* The same tables, each with the same columns (any order), kinds and key:
 * what the copy and the checksums rely on. */
static int compare_schemas(port *p) {
  const schema *s = p->s, *d = p->d;
  for (int i = 0; i < d->n; i++)
    if (find_table(s, d->t[i].name) < 0)
      return failf(p, PA_STORE_PORT_ESCHEMA, "table %s is in PostgreSQL only", d->t[i].name);
  for (int i = 0; i < s->n; i++) {
    const ptable *a = &s->t[i];
    int j = find_table(d, a->name);
    if (j < 0) return failf(p, PA_STORE_PORT_ESCHEMA, "table %s is in SQLite only", a->name);
    const ptable *b = &d->t[j];
    p->dmatch[i] = j;
    if (a->ncols != b->ncols)
      return failf(p, PA_STORE_PORT_ESCHEMA, "table %s has %d columns in SQLite, %d in PostgreSQL",
                   a->name, a->ncols, b->ncols);
    for (int c = 0; c < a->ncols; c++) {
      int k = find_column(b, a->cols[c].name);
      if (k < 0)
        return failf(p, PA_STORE_PORT_ESCHEMA, "column %s.%s is in SQLite only", a->name,
                     a->cols[c].name);
      if (a->cols[c].kind != b->cols[k].kind)
        return failf(p, PA_STORE_PORT_ESCHEMA, "column %s.%s has different types", a->name,
                     a->cols[c].name);
      if (a->cols[c].pk != b->cols[k].pk)
        return failf(p, PA_STORE_PORT_ESCHEMA, "table %s has different primary keys", a->name);
    }
  }
  return PA_STORE_OK;
}

/* ---- foreign keys: the copy order and the dangling-reference check */

static const char parents_sql[] = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)";

/* p->order: every table after the tables it references (Kahn's algorithm,
 * the lowest name first among the ready ones, so the order is stable). A
 * table referencing itself (comments.parent_id) needs nothing more: rows go
 * in key order, and foreign keys are not checked during the copy anyway. */
static int copy_order(port *p) {
  const schema *s = p->s;
  unsigned char refs[PA_STORE_PORT_TABLES_MAX][PA_STORE_PORT_TABLES_MAX] = {{0}};
  pa_sql_stmt *st = pa_sq_stmt(p->src, parents_sql);
  if (!st) return dbfail(p, p->src, PA_STORE_EDB, "read the foreign keys");
  for (int i = 0; i < s->n; i++) {
    int rc = pa_sq_bind_text(st, 1, s->t[i].name), step = PA_SQ_OK, out = PA_STORE_OK;
    while (rc == PA_SQ_OK && (step = pa_sq_step(st)) == PA_SQ_ROW) {
      const char *parent = pa_sq_text(st, 0);
      int j = parent ? find_table(s, parent) : -1;
      if (j < 0) {
        out = failf(p, PA_STORE_PORT_ESCHEMA, "table %s references %s, which is not a table",
                    s->t[i].name, parent ? parent : "(none)");
        break;
      }
      if (j != i) refs[i][j] = 1;
    }
    if (out == PA_STORE_OK && (rc != PA_SQ_OK || step != PA_SQ_DONE))
      out = dbfail(p, p->src, PA_STORE_EDB, "read the foreign keys");
    pa_sq_done(st);
    if (out != PA_STORE_OK) return out;
  }
  int placed[PA_STORE_PORT_TABLES_MAX] = {0};
  for (int n = 0; n < s->n; n++) {
    int next = -1;
    for (int i = 0; i < s->n && next < 0; i++) {
      if (placed[i]) continue;
      int ready = 1;
      for (int j = 0; j < s->n && ready; j++)
        if (refs[i][j] && !placed[j]) ready = 0;
      if (ready) next = i;
    }
    if (next < 0)
      return failf(p, PA_STORE_PORT_ESCHEMA, "the foreign keys between the tables form a cycle");
    placed[next] = 1;
    p->order[n] = next;
  }
  return PA_STORE_OK;
}

/* One offender of SQLite's check, kept while the check is stepped. */
typedef struct dangling {
  char table[PA_STORE_PORT_NAME_MAX], parent[PA_STORE_PORT_NAME_MAX];
  int has_row;
  int64_t row, fk;
} dangling;

enum { FK_COLUMNS_TEXT = 4 * PA_STORE_PORT_NAME_MAX, VALUE_TEXT = 128 };

static const char fk_check_sql[] = "PRAGMA foreign_key_check";
static const char fk_columns_sql[] =
    "SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq";

/* The referencing columns of foreign key fk of table, joined with ", ". */
static void fk_columns(port *p, const char *table, int64_t fk, char *out, size_t cap, int *n) {
  *n = 0;
  snprintf(out, cap, "?");
  pa_sql_stmt *st = pa_sq_stmt(p->src, fk_columns_sql);
  if (!st) return;
  size_t len = 0;
  if (pa_sq_bind_text(st, 1, table) == PA_SQ_OK && pa_sq_bind_i64(st, 2, fk) == PA_SQ_OK) {
    while (pa_sq_step(st) == PA_SQ_ROW) {
      const char *c = pa_sq_text(st, 0);
      int w = snprintf(out + len, cap - len, "%s%s", *n ? ", " : "", c ? c : "?");
      if (w < 0 || (size_t)w >= cap - len) break;
      len += (size_t)w;
      (*n)++;
    }
  }
  pa_sq_done(st);
}

/* The value of column in the row with rowid row, as text (cut to cap). */
static int fk_value(port *p, const char *table, const char *column, int64_t row, char *out,
                    size_t cap) {
  sqlbuf b = {0};
  put(&b, "SELECT ");
  put_ident(&b, column);
  put(&b, " FROM ");
  put_ident(&b, table);
  put(&b, " WHERE rowid = ?1");
  pa_sql_stmt *st = b.over ? NULL : pa_sq_prepare_dynamic(p->src, b.s);
  sql_free(&b);
  int found = 0;
  if (st && pa_sq_bind_i64(st, 1, row) == PA_SQ_OK && pa_sq_step(st) == PA_SQ_ROW &&
      pa_sq_text(st, 0)) {
    snprintf(out, cap, "%s", pa_sq_text(st, 0));
    found = 1;
  }
  pa_sq_finalize(st);
  return found;
}

/* SQLite's foreign key check over the whole file: PostgreSQL refuses what
 * it finds, so the port refuses it first, naming the first offenders. */
static int check_references(port *p) {
  pa_sql_stmt *st = pa_sq_stmt(p->src, fk_check_sql);
  if (!st) return dbfail(p, p->src, PA_STORE_EDB, "check the foreign keys");
  dangling first[PA_STORE_PORT_REPORT_MAX];
  int64_t total = 0;
  int kept = 0, step;
  while ((step = pa_sq_step(st)) == PA_SQ_ROW) {
    if (kept < PA_STORE_PORT_REPORT_MAX) {
      dangling *d = &first[kept++];
      snprintf(d->table, sizeof d->table, "%s", pa_sq_text(st, 0) ? pa_sq_text(st, 0) : "?");
      snprintf(d->parent, sizeof d->parent, "%s", pa_sq_text(st, 2) ? pa_sq_text(st, 2) : "?");
      d->has_row = !pa_sq_null(st, 1); /* NULL for a table WITHOUT ROWID */
      d->row = pa_sq_i64(st, 1);
      d->fk = pa_sq_i64(st, 3);
    }
    total++;
  }
  pa_sq_done(st);
  if (step != PA_SQ_DONE) return dbfail(p, p->src, PA_STORE_EDB, "check the foreign keys");
  p->out->offenders = total;
  if (total == 0) return PA_STORE_OK;
  for (int i = 0; i < kept; i++) {
    char columns[FK_COLUMNS_TEXT], value[VALUE_TEXT];
    int ncols;
    fk_columns(p, first[i].table, first[i].fk, columns, sizeof columns, &ncols);
    int known = first[i].has_row && ncols == 1 &&
                fk_value(p, first[i].table, columns, first[i].row, value, sizeof value);
    pa_store_port_event ev = {.stage = PA_STORE_PORT_DANGLING,
                              .table = first[i].table,
                              .column = columns,
                              .parent = first[i].parent,
                              .has_row = first[i].has_row,
                              .row = first[i].row,
                              .value = known ? value : NULL};
    report(p, &ev);
  }
  return failf(p, PA_STORE_PORT_EDANGLING,
               "the SQLite database has %lld reference%s to rows it does not hold, which "
               "PostgreSQL would refuse",
               (long long)total, total == 1 ? "" : "s");
}

/* ---- the destination must be empty */

static int has_rows(port *p, pa_store *db, const char *table, int *out) {
  sqlbuf b = {0};
  put(&b, "SELECT 1 FROM ");
  put_ident(&b, table);
  put(&b, " LIMIT 1");
  pa_sql_stmt *st = prepare(p, db, &b, "look for rows");
  if (!st) return PA_STORE_EDB;
  int step = pa_sq_step(st);
  *out = step == PA_SQ_ROW;
  int rc = step == PA_SQ_ROW || step == PA_SQ_DONE ? PA_STORE_OK
                                                   : dbfail(p, db, PA_STORE_EDB, "look for rows");
  pa_sq_finalize(st);
  return rc;
}

/* Every table of the destination's schema (whatever it holds) must be
 * empty: a port never merges. d is scratch space for the table names. */
static int check_empty(port *p, schema *d) {
  pa_sql_stmt *st = pa_sq_stmt(p->dst, pa_sq_dialect(p->dst, tables_sqlite, tables_pg));
  if (!st) return dbfail(p, p->dst, PA_STORE_EDB, "list the tables");
  int step, rc = PA_STORE_OK;
  d->n = 0;
  while (rc == PA_STORE_OK && (step = pa_sq_step(st)) == PA_SQ_ROW) {
    if (d->n == PA_STORE_PORT_TABLES_MAX)
      rc = failf(p, PA_STORE_PORT_ENOTEMPTY, "the PostgreSQL database has more than %d tables",
                 PA_STORE_PORT_TABLES_MAX);
    else
      rc = copy_name(p, d->t[d->n++].name, pa_sq_text(st, 0), "a table");
  }
  if (rc == PA_STORE_OK && step != PA_SQ_DONE)
    rc = dbfail(p, p->dst, PA_STORE_EDB, "list the tables");
  pa_sq_done(st);
  if (rc != PA_STORE_OK) return rc;
  qsort(d->t, (size_t)d->n, sizeof d->t[0], by_name);
  int64_t full = 0;
  for (int i = 0; i < d->n; i++) {
    int any = 0;
    if ((rc = has_rows(p, p->dst, d->t[i].name, &any)) != PA_STORE_OK) return rc;
    if (!any) continue;
    if (full++ < PA_STORE_PORT_REPORT_MAX) {
      pa_store_port_event ev = {.stage = PA_STORE_PORT_NOT_EMPTY, .table = d->t[i].name};
      report(p, &ev);
    }
  }
  p->out->offenders = full;
  if (full)
    return failf(p, PA_STORE_PORT_ENOTEMPTY,
                 "the PostgreSQL database is not empty: %lld table%s hold%s rows; a port "
                 "copies into an empty database only",
                 (long long)full, full == 1 ? "" : "s", full == 1 ? "s" : "");
  return PA_STORE_OK;
}

/* ---- values copied out of a row (a batch's cells, a page's last key) */

typedef struct value {
  int null;
  int64_t i;
  unsigned char *bytes; /* text (NUL-terminated) or blob */
  size_t len;
} value;

static void value_clear(value *v) {
  free(v->bytes);
  *v = (value){0};
}

/* Copies column c of st's current row; the bytes it holds, or -1 when out
 * of memory. */
static int64_t value_keep(value *v, pa_sql_stmt *st, int c, kind k) {
  value_clear(v);
  if ((v->null = pa_sq_null(st, c))) return 0;
  if (k == KIND_INTEGER) {
    v->i = pa_sq_i64(st, c);
    return (int64_t)sizeof v->i;
  }
  const unsigned char *src;
  if (k == KIND_TEXT) {
    src = (const unsigned char *)pa_sq_text(st, c);
    v->len = src ? strlen((const char *)src) : 0;
  } else {
    src = pa_sq_blob(st, c, &v->len);
    if (!src) v->len = 0; /* SQLite gives NULL for an empty blob */
  }
  v->bytes = malloc(v->len + 1);
  if (!v->bytes) return -1;
  if (v->len) memcpy(v->bytes, src, v->len);
  v->bytes[v->len] = '\0';
  return (int64_t)v->len;
}

static int value_bind(pa_sql_stmt *st, int param, const value *v, kind k) {
  if (v->null) return pa_sq_bind_null(st, param);
  switch (k) {
  case KIND_INTEGER: return pa_sq_bind_i64(st, param, v->i);
  case KIND_TEXT: return pa_sq_bind_text(st, param, (const char *)v->bytes);
  case KIND_BLOB: return pa_sq_bind_blob(st, param, v->bytes, v->len);
  }
  return PA_SQ_ERROR;
}

/* ---- the copy */

/* INSERT INTO t (columns) VALUES (?1, ...), (...): rows rows at once. */
static void insert_sql(sqlbuf *b, const ptable *t, int rows) {
  put(b, "INSERT INTO ");
  put_ident(b, t->name);
  put(b, " (");
  put_columns(b, t);
  put(b, ") VALUES ");
  for (int r = 0; r < rows; r++) {
    put(b, r ? ", (" : "(");
    for (int i = 0; i < t->ncols; i++) {
      if (i) put(b, ", ");
      put_param(b, r * t->ncols + i + 1);
    }
    put(b, ")");
  }
}

/* One table's copy under way: the rows read and not yet written. */
typedef struct batch {
  const ptable *t;
  value *cells;      /* rows x columns */
  int cap, rows;     /* rows a full batch has, and this one */
  int64_t bytes;     /* what its values hold */
  pa_sql_stmt *full; /* the INSERT of a full batch, prepared once */
  char what[PA_STORE_PORT_NAME_MAX + 16];
} batch;

/* Writes the batch's rows in one INSERT (a shorter batch, the table's last
 * or one cut short by BATCH_BYTES, gets a statement of its own). */
static int flush(port *p, batch *bt) {
  const ptable *t = bt->t;
  if (bt->rows == 0) return PA_STORE_OK;
  pa_sql_stmt *st = bt->rows == bt->cap ? bt->full : NULL;
  if (!st) {
    sqlbuf b = {0};
    insert_sql(&b, t, bt->rows);
    if (!(st = prepare(p, p->dst, &b, bt->what))) return PA_STORE_EDB;
    if (bt->rows == bt->cap) bt->full = st;
  }
  int bind = PA_SQ_OK;
  for (int r = 0; r < bt->rows; r++)
    for (int i = 0; i < t->ncols && bind == PA_SQ_OK; i++)
      bind = value_bind(st, r * t->ncols + i + 1, &bt->cells[r * t->ncols + i], t->cols[i].kind);
  int rc = pa_sq_run(p->dst, st, bind, bt->what, NULL, NULL);
  if (st != bt->full) pa_sq_finalize(st);
  for (int c = 0; c < bt->rows * t->ncols; c++) value_clear(&bt->cells[c]);
  bt->rows = 0;
  bt->bytes = 0;
  return rc == PA_STORE_OK ? PA_STORE_OK : dbfail(p, p->dst, PA_STORE_EDB, bt->what);
}

/* Copies table order[index], in key order, BATCH_ROWS rows per INSERT. */
static int copy_table(port *p, int index) {
  const ptable *t = &p->s->t[p->order[index]];
  batch bt = {.t = t};
  snprintf(bt.what, sizeof bt.what, "copy %s", t->name);
  bt.cap = PA_SQ_PARAMS_DYNAMIC_MAX / t->ncols < BATCH_ROWS ? PA_SQ_PARAMS_DYNAMIC_MAX / t->ncols
                                                            : BATCH_ROWS;
  bt.cells = calloc((size_t)bt.cap * (size_t)t->ncols, sizeof *bt.cells);
  if (!bt.cells) return failf(p, PA_STORE_ENOMEM, "%s: out of memory", bt.what);
  sqlbuf sel = {0};
  put(&sel, "SELECT ");
  put_columns(&sel, t);
  put(&sel, " FROM ");
  put_ident(&sel, t->name);
  put(&sel, " ORDER BY ");
  put_key(&sel, t, 0);
  pa_sql_stmt *from = prepare(p, p->src, &sel, bt.what);
  int step = PA_SQ_DONE, rc = from ? PA_STORE_OK : PA_STORE_EDB;
  int64_t rows = 0;
  while (rc == PA_STORE_OK && (step = pa_sq_step(from)) == PA_SQ_ROW) {
    value *row = &bt.cells[bt.rows * t->ncols];
    for (int i = 0; i < t->ncols && rc == PA_STORE_OK; i++) {
      int64_t n = value_keep(&row[i], from, i, t->cols[i].kind);
      if (n < 0) rc = failf(p, PA_STORE_ENOMEM, "%s: out of memory", bt.what);
      bt.bytes += n;
    }
    if (rc != PA_STORE_OK) break;
    bt.rows++;
    if ((bt.rows == bt.cap || bt.bytes >= BATCH_BYTES) && (rc = flush(p, &bt)) != PA_STORE_OK)
      break;
    if (++rows % PA_STORE_PORT_PROGRESS == 0) {
      pa_store_port_event ev = {.stage = PA_STORE_PORT_COPYING, .table = t->name, .rows = rows};
      report(p, &ev);
    }
  }
  if (rc == PA_STORE_OK && step != PA_SQ_DONE) rc = dbfail(p, p->src, PA_STORE_EDB, bt.what);
  if (rc == PA_STORE_OK) rc = flush(p, &bt);
  for (int c = 0; c < bt.cap * t->ncols; c++) value_clear(&bt.cells[c]);
  free(bt.cells);
  pa_sq_finalize(from);
  pa_sq_finalize(bt.full);
  if (rc != PA_STORE_OK) return rc;
  p->out->rows += rows;
  p->out->tables++;
  pa_store_port_event ev = {.stage = PA_STORE_PORT_COPIED,
                            .table = t->name,
                            .index = index + 1,
                            .count = p->s->n,
                            .rows = rows};
  report(p, &ev);
  return PA_STORE_OK;
}

/* ---- identities */

static const char has_sequence_sql[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'";
static const char autoincrement_sql[] =
    "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = ?1";
/* setval's third argument false makes 1 the next value of an empty table
 * (a sequence cannot be set to 0). pg_get_serial_sequence parses its first
 * argument as SQL would: the name goes in quoted. */
static const char setval_sql[] =
    "SELECT setval(pg_get_serial_sequence(?1, ?2), greatest(?3, 1), ?3 > 0)";

/* The highest value of column in table on db (0 when the table is empty). */
static int max_of(port *p, pa_store *db, const char *table, const char *column, int64_t *out) {
  sqlbuf b = {0};
  put(&b, "SELECT coalesce(max(");
  put_ident(&b, column);
  put(&b, "), 0) FROM ");
  put_ident(&b, table);
  pa_sql_stmt *st = prepare(p, db, &b, "read the highest id");
  if (!st) return PA_STORE_EDB;
  int step = pa_sq_step(st), rc = PA_STORE_OK;
  if (step == PA_SQ_ROW)
    *out = pa_sq_i64(st, 0);
  else
    rc = dbfail(p, db, PA_STORE_EDB, "read the highest id");
  pa_sq_finalize(st);
  return rc;
}

/* Every identity of the destination continues past the copied ids; for
 * SQLite's AUTOINCREMENT tables (chat_devices, chat_messages) also past
 * the highest id ever handed out (sqlite_sequence), so an id that was
 * deleted never comes back. An INTEGER PRIMARY KEY is the rowid that
 * sqlite_sequence counts, and the identities are exactly those columns. */
static int set_identities(port *p) {
  int64_t has_seq = 0;
  int rc = pa_sq_scalar_i64(p->src, has_sequence_sql, 0, NULL, &has_seq);
  if (rc != PA_STORE_OK) return dbfail(p, p->src, rc, "look for sqlite_sequence");
  for (int n = 0; n < p->s->n; n++) {
    int si = p->order[n];
    const ptable *t = &p->d->t[p->dmatch[si]];
    for (int c = 0; c < t->ncols; c++) {
      if (!t->cols[c].identity) continue;
      int64_t high = 0, mark = 0;
      if ((rc = max_of(p, p->dst, t->name, t->cols[c].name, &high)) != PA_STORE_OK) return rc;
      if (has_seq) {
        pa_sql_stmt *st = pa_sq_stmt(p->src, autoincrement_sql);
        if (!st) return dbfail(p, p->src, PA_STORE_EDB, "read sqlite_sequence");
        int b = pa_sq_bind_text(st, 1, t->name), step = b == PA_SQ_OK ? pa_sq_step(st) : b;
        if (step == PA_SQ_ROW) mark = pa_sq_i64(st, 0);
        pa_sq_done(st);
        if (step != PA_SQ_ROW) return dbfail(p, p->src, PA_STORE_EDB, "read sqlite_sequence");
      }
      if (mark > high) high = mark;
      pa_sql_stmt *st = pa_sq_stmt(p->dst, setval_sql);
      if (!st) return dbfail(p, p->dst, PA_STORE_EDB, "set the identity");
      sqlbuf quoted = {0};
      put_ident(&quoted, t->name);
      int b = quoted.over ? PA_SQ_ERROR : pa_sq_bind_text(st, 1, quoted.s);
      if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, t->cols[c].name);
      if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, high);
      sql_free(&quoted);
      if (pa_sq_run(p->dst, st, b, "set the identity", NULL, NULL) != PA_STORE_OK)
        return dbfail(p, p->dst, PA_STORE_EDB, "set the identity");
      pa_store_port_event ev = {.stage = PA_STORE_PORT_SEQUENCE,
                                .table = t->name,
                                .column = t->cols[c].name,
                                .next_id = high > 0 ? high + 1 : 1};
      report(p, &ev);
    }
  }
  return PA_STORE_OK;
}

/* ---- checksums: one function, both connections */

static void hash_str(crypto_hash_sha256_state *h, const char *s) {
  crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
}

/* The canonical text of one value: a tag, the length of what follows, ':',
 * then the value as text (an integer in decimal, text as its bytes, a blob
 * in lowercase hex) and ';'; NULL is "n;". The lengths keep any two rows
 * apart whatever their bytes. Returns the bytes read, for the page size. */
static size_t hash_value(crypto_hash_sha256_state *h, pa_sql_stmt *st, int i, kind k) {
  char head[48];
  if (pa_sq_null(st, i)) {
    hash_str(h, "n;");
    return 1;
  }
  switch (k) {
  case KIND_INTEGER: {
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)pa_sq_i64(st, i));
    snprintf(head, sizeof head, "i%zu:", strlen(num));
    hash_str(h, head);
    hash_str(h, num);
    hash_str(h, ";");
    return sizeof(int64_t);
  }
  case KIND_TEXT: {
    const char *s = pa_sq_text(st, i);
    size_t n = s ? strlen(s) : 0;
    snprintf(head, sizeof head, "t%zu:", n);
    hash_str(h, head);
    crypto_hash_sha256_update(h, (const unsigned char *)(s ? s : ""), n);
    hash_str(h, ";");
    return n;
  }
  case KIND_BLOB: {
    size_t n;
    const unsigned char *v = pa_sq_blob(st, i, &n);
    if (!v) n = 0;
    snprintf(head, sizeof head, "b%zu:", 2 * n);
    hash_str(h, head);
    char hex[2 * HEX_CHUNK + 1];
    for (size_t at = 0; at < n; at += HEX_CHUNK) {
      size_t k2 = n - at < HEX_CHUNK ? n - at : HEX_CHUNK;
      sodium_bin2hex(hex, sizeof hex, v + at, k2);
      crypto_hash_sha256_update(h, (const unsigned char *)hex, 2 * k2);
    }
    hash_str(h, ";");
    return n;
  }
  }
  return 0;
}

/* Binds the kept key values to ?1..?npk, for the next page's WHERE. */
static int keys_bind(const ptable *t, pa_sql_stmt *st, const value *keys) {
  int rc = PA_SQ_OK;
  for (int k = 0; k < t->npk && rc == PA_SQ_OK; k++)
    rc = value_bind(st, k + 1, &keys[k], t->cols[t->pk[k]].kind);
  return rc;
}

/* SHA-256 over the canonical text of every row of t on db, in key order,
 * walked in pages by key (a page's size follows the bytes its rows hold), so
 * neither database sends a large table at once. *rows gets the rows seen. */
static int checksum(port *p, pa_store *db, const ptable *t, char hex[PA_STORE_PORT_SUM_HEX],
                    int64_t *rows) {
  sqlbuf first = {0}, next = {0};
  for (int pass = 0; pass < 2; pass++) {
    sqlbuf *b = pass ? &next : &first;
    put(b, "SELECT ");
    put_columns(b, t);
    put(b, " FROM ");
    put_ident(b, t->name);
    if (pass) {
      put(b, " WHERE ");
      put_key(b, t, 1);
      put(b, " > (");
      for (int k = 0; k < t->npk; k++) {
        if (k) put(b, ", ");
        put_param(b, k + 1);
      }
      put(b, ")");
    }
    put(b, " ORDER BY ");
    put_key(b, t, 0);
    put(b, " LIMIT ");
    put_param(b, pass ? t->npk + 1 : 1);
  }
  char what[PA_STORE_PORT_NAME_MAX + 16];
  snprintf(what, sizeof what, "verify %s", t->name);
  pa_sql_stmt *st0 = prepare(p, db, &first, what);
  pa_sql_stmt *st1 = st0 ? prepare(p, db, &next, what) : NULL;
  sql_free(&next);
  if (!st1) {
    pa_sq_finalize(st0);
    return PA_STORE_EDB;
  }
  crypto_hash_sha256_state h;
  crypto_hash_sha256_init(&h);
  value keys[COLUMNS_MAX] = {{0}};
  int64_t limit = PAGE_ROWS_FIRST, seen = 0;
  int rc = PA_STORE_OK, more = 1, page = 0;
  while (rc == PA_STORE_OK && more) {
    pa_sql_stmt *st = page++ ? st1 : st0;
    int b = page > 1 ? keys_bind(t, st, keys) : PA_SQ_OK;
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, page > 1 ? t->npk + 1 : 1, limit);
    int64_t got = 0;
    size_t bytes = 0;
    int step = b == PA_SQ_OK ? PA_SQ_OK : PA_SQ_ERROR;
    while (step != PA_SQ_ERROR && (step = pa_sq_step(st)) == PA_SQ_ROW) {
      for (int i = 0; i < t->ncols; i++) bytes += hash_value(&h, st, i, t->cols[i].kind);
      hash_str(&h, "\n");
      got++;
      /* The last row of a full page: its key starts the next page. */
      for (int k = 0; got == limit && k < t->npk && rc == PA_STORE_OK; k++)
        if (value_keep(&keys[k], st, t->pk[k], t->cols[t->pk[k]].kind) < 0)
          rc = failf(p, PA_STORE_ENOMEM, "%s: out of memory", what);
      if (rc != PA_STORE_OK) break;
    }
    if (rc == PA_STORE_OK && step != PA_SQ_DONE) rc = dbfail(p, db, PA_STORE_EDB, what);
    pa_sq_done(st);
    seen += got;
    more = got == limit;
    /* The next page: as many rows as fit PAGE_BYTES at this page's size per row. */
    int64_t want = bytes ? (int64_t)((double)limit * PAGE_BYTES / (double)bytes) : PAGE_ROWS_MAX;
    int64_t cap = limit * PAGE_GROWTH < PAGE_ROWS_MAX ? limit * PAGE_GROWTH : PAGE_ROWS_MAX;
    limit = want < 1 ? 1 : want > cap ? cap : want;
  }
  for (int k = 0; k < t->npk; k++) value_clear(&keys[k]);
  pa_sq_finalize(st0);
  pa_sq_finalize(st1);
  if (rc != PA_STORE_OK) return rc;
  unsigned char sum[SUM_BYTES];
  crypto_hash_sha256_final(&h, sum);
  sodium_bin2hex(hex, PA_STORE_PORT_SUM_HEX, sum, sizeof sum);
  *rows = seen;
  return PA_STORE_OK;
}

static int count_rows(port *p, pa_store *db, const char *table, int64_t *out) {
  sqlbuf b = {0};
  put(&b, "SELECT count(*) FROM ");
  put_ident(&b, table);
  pa_sql_stmt *st = prepare(p, db, &b, "count the rows");
  if (!st) return PA_STORE_EDB;
  int step = pa_sq_step(st), rc = PA_STORE_OK;
  if (step == PA_SQ_ROW)
    *out = pa_sq_i64(st, 0);
  else
    rc = dbfail(p, db, PA_STORE_EDB, "count the rows");
  pa_sq_finalize(st);
  return rc;
}

/* Counts and checksums of every table on both sides; each table is
 * reported, and PA_STORE_PORT_EVERIFY when any differs. */
static int verify(port *p) {
  int bad = 0;
  for (int n = 0; n < p->s->n; n++) {
    const ptable *t = &p->s->t[p->order[n]];
    char ssum[PA_STORE_PORT_SUM_HEX], dsum[PA_STORE_PORT_SUM_HEX];
    int64_t scount = 0, dcount = 0, swalk = 0, dwalk = 0;
    int rc;
    if ((rc = count_rows(p, p->src, t->name, &scount)) != PA_STORE_OK ||
        (rc = count_rows(p, p->dst, t->name, &dcount)) != PA_STORE_OK ||
        (rc = checksum(p, p->src, t, ssum, &swalk)) != PA_STORE_OK ||
        (rc = checksum(p, p->dst, t, dsum, &dwalk)) != PA_STORE_OK)
      return rc;
    int same = scount == dcount && swalk == scount && dwalk == dcount && strcmp(ssum, dsum) == 0;
    pa_store_port_event ev = {.stage = same ? PA_STORE_PORT_VERIFIED : PA_STORE_PORT_MISMATCH,
                              .table = t->name,
                              .index = n + 1,
                              .count = p->s->n,
                              .rows = scount,
                              .dst_rows = dcount,
                              .src_sum = ssum,
                              .dst_sum = dsum};
    report(p, &ev);
    if (same)
      p->out->verified++;
    else
      bad++;
  }
  if (bad)
    return failf(p, PA_STORE_PORT_EVERIFY,
                 "%d table%s differ%s after the copy; nothing was committed", bad,
                 bad == 1 ? "" : "s", bad == 1 ? "s" : "");
  return PA_STORE_OK;
}

/* ---- the whole */

/* In the destination's open transaction: triggers off, copy, identities,
 * verification. */
static int copy_all(port *p) {
  /* Replica mode fires no ordinary trigger (nor the foreign-key checks), so
   * like_count, comment_count and the notifications arrive as they were
   * instead of being counted again on top; LOCAL ends with the transaction. */
  if (pa_sq_script(p->dst, "SET LOCAL session_replication_role = replica", "replica mode") !=
      PA_STORE_OK)
    return failf(p, PA_STORE_EDB,
                 "%s (a port needs a PostgreSQL superuser, or a role granted SET ON PARAMETER "
                 "session_replication_role)",
                 pa_store_errmsg(p->dst));
  int rc;
  for (int i = 0; i < p->s->n; i++)
    if ((rc = copy_table(p, i)) != PA_STORE_OK) return rc;
  if ((rc = set_identities(p)) != PA_STORE_OK) return rc;
  return verify(p);
}

const char *pa_store_port_errstr(int rc) {
  switch (rc) {
  case PA_STORE_PORT_EDANGLING: return "dangling references in the source";
  case PA_STORE_PORT_ENOTEMPTY: return "the destination is not empty";
  case PA_STORE_PORT_ESCHEMA: return "the schemas differ";
  case PA_STORE_PORT_EVERIFY: return "the copy differs from the source";
  }
  return pa_store_errstr(rc);
}

static int run(port *p) {
  int rc;
  if (strcmp(pa_store_kind(p->src), "sqlite") != 0 ||
      strcmp(pa_store_kind(p->dst), "postgresql") != 0)
    return failf(p, PA_STORE_EINVAL, "a port copies a SQLite database into PostgreSQL");
  if ((rc = pa_store_migrate(p->src)) != PA_STORE_OK)
    return dbfail(p, p->src, rc, "bring the SQLite database to the current schema");
  /* The write lock: nothing changes the file between the check and the
   * verification (and a server still running on it is noticed). */
  if ((rc = pa_store_begin(p->src)) != PA_STORE_OK)
    return dbfail(p, p->src, rc, "lock the SQLite database (is the server still running?)");
  if ((rc = check_references(p)) == PA_STORE_OK && (rc = check_empty(p, p->d)) == PA_STORE_OK) {
    if ((rc = pa_store_migrate(p->dst)) != PA_STORE_OK)
      rc = dbfail(p, p->dst, rc, "create the schema in PostgreSQL");
    if (rc == PA_STORE_OK && (rc = load_schema(p, p->src, p->s)) == PA_STORE_OK &&
        (rc = load_schema(p, p->dst, p->d)) == PA_STORE_OK &&
        (rc = compare_schemas(p)) == PA_STORE_OK && (rc = copy_order(p)) == PA_STORE_OK) {
      if ((rc = pa_store_begin(p->dst)) != PA_STORE_OK) {
        rc = dbfail(p, p->dst, rc, "begin");
      } else {
        /* Empty still, now inside the transaction that will write. */
        schema *scratch = calloc(1, sizeof *scratch);
        rc = scratch ? check_empty(p, scratch) : failf(p, PA_STORE_ENOMEM, "out of memory");
        free(scratch);
        if (rc == PA_STORE_OK) rc = copy_all(p);
        if (rc == PA_STORE_OK) {
          if (pa_store_commit(p->dst) != PA_STORE_OK)
            rc = dbfail(p, p->dst, PA_STORE_EDB, "commit");
        }
        if (rc != PA_STORE_OK) pa_store_rollback(p->dst);
      }
    }
  }
  pa_store_rollback(p->src);
  return rc;
}

int pa_store_port(pa_store *src, pa_store *dst, pa_store_port_fn fn, void *ctx,
                  pa_store_port_result *out, char *err, size_t errlen) {
  static char none[1];
  pa_store_port_result ignored;
  port p = {.src = src,
            .dst = dst,
            .fn = fn,
            .ctx = ctx,
            .out = out ? out : &ignored,
            .err = err && errlen ? err : none,
            .errlen = err && errlen ? errlen : sizeof none};
  *p.out = (pa_store_port_result){0};
  p.err[0] = '\0';
  if (!src || !dst) return failf(&p, PA_STORE_EINVAL, "no database");
  p.s = calloc(1, sizeof *p.s);
  p.d = calloc(1, sizeof *p.d);
  int rc = p.s && p.d ? run(&p) : failf(&p, PA_STORE_ENOMEM, "out of memory");
  if (rc != PA_STORE_OK) p.out->verified = 0;
  free(p.s);
  free(p.d);
  return rc;
}
