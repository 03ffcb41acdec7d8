/* pa_sq — the seam between the store's SQL and the database it runs on.
 *
 * The store's functions (store/sql/<resource>.c) are written once, in SQL
 * both SQLite and PostgreSQL accept, over this small statement interface; a
 * driver implements it for one database (store/sqlite/driver.c on SQLite,
 * store/pg/driver.c on libpq), the way Matrix Synapse runs one storage layer
 * over two engines. Only store/ sees SQL; only a driver sees its library.
 *
 * The SQL: numbered placeholders ?1..?N (the PostgreSQL driver spells them
 * $1..$N), ids from INSERT ... RETURNING, ON CONFLICT upserts, times passed
 * in as integer seconds, booleans as integers compared with 0 and 1, and
 * the functions both schemas provide (pa_fold, instr). What the two engines
 * cannot share lives in the drivers: the schema and its migrations, the
 * connection, transactions, errors.
 *
 * Statements: pa_sq_stmt(db, sql) returns the connection's statement for a
 * string literal (the cache is keyed by the literal's address); bind its
 * parameters, step it, read columns, and release it with pa_sq_done before
 * the same literal is used again. Another statement may run while one is
 * being stepped (a query per row). Codes: PA_SQ_OK after a bind, PA_SQ_ROW /
 * PA_SQ_DONE from a step, anything else is a failure whose message
 * pa_sq_fail records. */
#ifndef PA_SQL_H
#define PA_SQL_H

#include "store/people.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_SQ_OK = 0,
  PA_SQ_ERROR = 1, /* the driver failed; its message is recorded by pa_sq_fail */
  PA_SQ_ROW = 100, /* a row is ready to read */
  PA_SQ_DONE = 101 /* the statement ran to its end */
};

enum {
  PA_SQ_STMT_CACHE = 256, /* distinct statements one connection keeps */
  /* Parameters of a statement of the store's own SQL (?1..?16): enforced
   * here, at the seam (pa_sq_stmt), so both engines refuse the same text. */
  PA_SQ_PARAMS_MAX = 16,
  /* and of one from pa_sq_prepare_dynamic: many rows in one INSERT (the
   * port) save a round trip per row; SQLite allows 32766, PostgreSQL 65535 */
  PA_SQ_PARAMS_DYNAMIC_MAX = 4096
};

typedef struct pa_sql_stmt pa_sql_stmt;
typedef struct pa_sq_driver pa_sq_driver;

/* What every driver's connection starts with; the driver's own state follows
 * (the driver allocates the whole and frees it in close). */
struct pa_store {
  const pa_sq_driver *drv;
  struct {
    const char *sql;
    pa_sql_stmt *st;
  } cache[PA_SQ_STMT_CACHE];
  char err[256];
};

/* A driver: what the shared code calls, through pa_sq_* below. Statements
 * returned by prepare start with a pointer to their driver. */
struct pa_sq_driver {
  const char *name;      /* "sqlite", "postgresql" */
  const char *begin_sql; /* a write transaction: SQLite takes the write lock at once */
  void (*close)(pa_store *db);
  int (*migrate)(pa_store *db);
  /* sql's parameters are ?1..?nparams, counted and bounded by the seam
   * (pa_sq_params); no other kind of parameter is the store's. */
  pa_sql_stmt *(*prepare)(pa_store *db, const char *sql, int nparams);
  void (*finalize)(pa_sql_stmt *st);
  void (*reset)(pa_sql_stmt *st);
  int (*bind_i64)(pa_sql_stmt *st, int i, int64_t v);
  int (*bind_text)(pa_sql_stmt *st, int i, const char *s);
  int (*bind_blob)(pa_sql_stmt *st, int i, const void *p, size_t n);
  int (*bind_null)(pa_sql_stmt *st, int i);
  int (*step)(pa_sql_stmt *st);
  int64_t (*col_i64)(pa_sql_stmt *st, int i);
  const char *(*col_text)(pa_sql_stmt *st, int i);
  const unsigned char *(*col_blob)(pa_sql_stmt *st, int i, size_t *len);
  int (*col_null)(pa_sql_stmt *st, int i);
  int (*changes)(pa_store *db);
  /* Records the driver's last message for what, returning the store code. */
  int (*fail)(pa_store *db, const char *what);
  int (*script)(pa_store *db, const char *sql, const char *what);
};

struct pa_sql_stmt {
  const pa_sq_driver *drv;
};

/* Records a message (printf-style) as the connection's error; returns rc. */
int pa_sq_failf(pa_store *db, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records the driver's last message for what was being attempted and returns
 * the store's code for it: PA_STORE_ECONFLICT for a UNIQUE or PRIMARY KEY
 * violation, PA_STORE_ENOMEM, else PA_STORE_EDB. */
int pa_sq_fail(pa_store *db, const char *what);

/* Runs a script of statements without parameters (schema, transactions). */
int pa_sq_script(pa_store *db, const char *sql, const char *what);

/* The highest parameter number ?N in sql, outside quoted strings and
 * identifiers, into *n (0 when none): PA_SQ_OK, or PA_SQ_ERROR with a
 * message in err when one is ?0 or past max. What pa_sq_stmt (with
 * PA_SQ_PARAMS_MAX) and pa_sq_prepare_dynamic (PA_SQ_PARAMS_DYNAMIC_MAX)
 * check before a driver sees the text. */
int pa_sq_params(const char *sql, int max, int *n, char *err, size_t errlen);

/* The prepared statement for sql (a string literal or static array), kept
 * for the connection's life. NULL when the database refused, or when sql has
 * more than PA_SQ_PARAMS_MAX parameters (recorded). */
pa_sql_stmt *pa_sq_stmt(pa_store *db, const char *sql);
/* The statement text for this connection's database, where the two must
 * differ (say, to reach the same index): both are string literals. */
const char *pa_sq_dialect(pa_store *db, const char *sqlite, const char *postgresql);

/* A statement whose text is built at run time, for the few callers that
 * walk the schema itself (the port, store/port.h): table and column names
 * come from the database's own catalog, never from input; up to
 * PA_SQ_PARAMS_DYNAMIC_MAX parameters. Not cached: the
 * caller releases it with pa_sq_finalize (pa_sq_done resets it for another
 * run). NULL when the database refused (recorded). */
pa_sql_stmt *pa_sq_prepare_dynamic(pa_store *db, const char *sql);
/* Frees a statement from pa_sq_prepare_dynamic; NULL is fine. */
void pa_sq_finalize(pa_sql_stmt *st);

/* Releases st for its next use: resets it and clears its bindings; NULL is fine. */
void pa_sq_done(pa_sql_stmt *st);
/* Finalizes every cached statement (a driver's close calls it first). */
void pa_sq_cache_clear(pa_store *db);

int pa_sq_bind_i64(pa_sql_stmt *st, int i, int64_t v);
/* Binds a string, or NULL when s is NULL (the driver copies it). */
int pa_sq_bind_text(pa_sql_stmt *st, int i, const char *s);
/* Binds n bytes (copied), never NULL. */
int pa_sq_bind_blob(pa_sql_stmt *st, int i, const void *p, size_t n);
int pa_sq_bind_null(pa_sql_stmt *st, int i);
/* Binds a row id, or NULL when id is 0 (the API's "none" for an optional reference). */
int pa_sq_bind_id(pa_sql_stmt *st, int i, int64_t id);
/* Binds n integers to ?1..?n. */
int pa_sq_bind_i64s(pa_sql_stmt *st, int n, const int64_t *args);

/* PA_SQ_ROW, PA_SQ_DONE, or a failure (call pa_sq_fail). */
int pa_sq_step(pa_sql_stmt *st);

/* Column i of the current row: an integer (a boolean is 0 or 1; NULL is
 * 0), text (NULL for SQL NULL), bytes (NULL for SQL NULL, *len set), or
 * whether it is NULL. Pointers stay valid until the next step or done. */
int64_t pa_sq_i64(pa_sql_stmt *st, int i);
const char *pa_sq_text(pa_sql_stmt *st, int i);
const unsigned char *pa_sq_blob(pa_sql_stmt *st, int i, size_t *len);
int pa_sq_null(pa_sql_stmt *st, int i);

/* Rows changed by the connection's last write. */
int pa_sq_changes(pa_store *db);

/* Steps st (bound with bind_rc, PA_SQ_OK when binding went well) to its end
 * and releases it; *id (optional) gets column 0 of the first row, for
 * INSERT ... RETURNING id; *changes (optional) the rows changed. */
int pa_sq_run(pa_store *db, pa_sql_stmt *st, int bind_rc, const char *what, int64_t *id,
              int *changes);

/* Runs sql with up to n integer parameters (?1..?n) to completion. */
int pa_sq_exec_i64(pa_store *db, const char *sql, int n, const int64_t *args, int *changes);

/* The first column of the first row as an integer; PA_STORE_ENOTFOUND when
 * there is no row. */
int pa_sq_scalar_i64(pa_store *db, const char *sql, int n, const int64_t *args, int64_t *out);

/* Steps st (bound with bind_rc) through every row, calling row for each,
 * and releases it; PA_STORE_EABORT when row returned non-zero. */
int pa_sq_each(pa_store *db, pa_sql_stmt *st, int bind_rc, int (*row)(void *ctx, pa_sql_stmt *st),
               void *ctx, const char *what);

/* Binds the cursor to ?a and ?a+1 (above every row when after is NULL) and
 * limit + 1 to ?a+2: the three parameters every paged query ends with. */
int pa_sq_bind_page(pa_sql_stmt *st, int a, const pa_store_cursor *after, int limit);

/* A page of people by sql, whose ?1 is id, ?2 ?3 the cursor, ?4 the row
 * limit, and whose rows are (time, the PA_SQ_PERSON_COLS): followers,
 * blocked people … each to fn; what names the list in errors. */
int pa_sq_people_page(pa_store *db, const char *sql, int64_t id, const pa_store_cursor *after,
                      int limit, pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more,
                      const char *what);
/* pa_sq_people_page for a list someone else looks at: viewer is ?5 (for the
 * fragments of store/sql/visible.h). */
int pa_sq_people_page_for(pa_store *db, const char *sql, int64_t id, int64_t viewer,
                          const pa_store_cursor *after, int limit, pa_store_person_fn fn, void *ctx,
                          pa_store_cursor *next, int *more, const char *what);

/* Steps st (already bound, asking for limit + 1 rows) and calls row for up
 * to limit of them; a row beyond sets *more. *next gets the last passed
 * row's created_col and id_col. Releases st. PA_STORE_EABORT when row
 * returned non-zero. */
int pa_sq_page(pa_store *db, pa_sql_stmt *st, int limit, int (*row)(void *ctx, pa_sql_stmt *st),
               void *ctx, int created_col, int id_col, pa_store_cursor *next, int *more,
               const char *what);

/* The columns pa_sq_person reads, for a users row aliased u and its avatar's
 * media row aliased m: every query listing people selects them through this,
 * so each list carries the same fields (the Plus badge's included). */
#define PA_SQ_PERSON_COLS(u, m) u ".id, " u ".name, " u ".avatar, " m ".ext, " u ".plus_until"
/* Reads the columns c..c+4 (PA_SQ_PERSON_COLS: id, name, avatar, avatar ext,
 * plus_until) as a person and c..c+4 (id, name, species, avatar, avatar ext)
 * as a pet; valid until the next step. */
void pa_sq_person(pa_sql_stmt *st, int c, pa_store_person *out);
void pa_sq_pet_ref(pa_sql_stmt *st, int c, pa_store_pet_ref *out);

/* SQL for the mask of roles (store/admin.h: PA_STORE_ROLE_*) the user whose
 * id is the column or expression `who` holds, for the session lookup and the
 * admin lists alike; the bits here are PA_STORE_ROLE_* (admin.c checks). */
#define PA_SQ_ROLE_MASK(who)                                                                       \
  "(SELECT COALESCE(SUM(CASE r.role WHEN 'admin' THEN 1 WHEN 'moderator' THEN 2"                   \
  " WHEN 'support' THEN 4 WHEN 'finance' THEN 8 ELSE 0 END), 0) FROM user_roles r"                 \
  " WHERE r.user_id = " who ")"

/* Records the #tags of caption for post_id (posts.c; also the schemas'
 * backfill). */
int pa_sq_post_tags(pa_store *db, int64_t post_id, const char *caption);

enum { PA_SQ_TEXT_MATCH_MAX = 2048 /* bytes of a built full-text match, with its NUL */ };

/* The full-text match for q (what someone typed, analyzed in locale; see
 * store/textindex.h) in this connection's engine's syntax, into out: each
 * word as (stem OR written form), all words required, the last one also
 * as a prefix. Terms hold only letters, digits and marks (pa_search_terms),
 * and are quoted all the same. *words is the number of words (0: the
 * query finds nothing, and out is ""). Bind out as the match parameter:
 *  - SQLite: ... FROM text_fts JOIN text_docs d ON d.id = text_fts.rowid
 *    WHERE text_fts MATCH ?n AND d.kind = 'listing' ... ORDER BY
 *    bm25(text_fts), d.ref_id — e.g. ("cam" OR "cama") AND ("perr"* OR "perro"*);
 *  - PostgreSQL: ... FROM text_docs d WHERE PA_SQ_TEXT_VECTOR("d") @@
 *    CAST(?n AS tsquery) ... ORDER BY ts_rank(PA_SQ_TEXT_VECTOR("d"),
 *    CAST(?n AS tsquery), 1) DESC, d.ref_id — e.g. ('cam' | 'cama') &
 *    ('perr':* | 'perro':*); the column is the GIN index's.
 * PA_STORE_EINVAL (recorded) for q over PA_STORE_TEXTINDEX_QUERY_MAX bytes
 * or PA_STORE_TEXTINDEX_QUERY_WORDS words, or not UTF-8. */
int pa_sq_text_match(pa_store *db, const char *locale, const char *q,
                     char out[PA_SQ_TEXT_MATCH_MAX], int *words);
/* The tsvector of the terms of text_docs row alias a on PostgreSQL: its
 * generated column, which the GIN index text_docs_terms indexes
 * (store/pg/schema.c); a string literal. */
#define PA_SQ_TEXT_VECTOR(a) a ".lexemes"

/* The drivers, and how pa_store_open chooses: a postgresql:// or
 * postgres:// URI opens PostgreSQL, anything else is a SQLite file path. */
int pa_sq_sqlite_open(const char *path, int create, pa_store **out, char *err, size_t errlen);
int pa_sq_pg_open(const char *url, pa_store **out, char *err, size_t errlen);

#endif
