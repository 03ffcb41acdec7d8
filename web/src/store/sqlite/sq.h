/* pa_sq — what the SQLite store's files share: the connection, its one
 * statement cache, its one error convention and the row readers many queries
 * need. Only files under store/sqlite/ include this header or <sqlite3.h>
 * (tests/server/store.test.mjs greps for it).
 *
 * SQL here is written for both databases the store is meant to run on:
 * numbered placeholders (?1, which a PostgreSQL store would spell $1), ids
 * from INSERT ... RETURNING, ON CONFLICT upserts, and times passed in as
 * integer seconds rather than computed by the database. */
#ifndef PA_SQ_H
#define PA_SQ_H

#include "store/store.h"

#include <sqlite3.h>

enum { PA_SQ_STMT_CACHE = 256 }; /* distinct statements one connection keeps */

struct pa_store {
  sqlite3 *h;
  struct {
    const char *sql;
    sqlite3_stmt *st;
  } cache[PA_SQ_STMT_CACHE];
  char err[256];
};

/* Records a message (printf-style) as the connection's error; returns rc. */
int pa_sq_failf(pa_store *db, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records SQLite's last message for what was being attempted and returns the
 * store's code for it: PA_STORE_ECONFLICT for a UNIQUE or PRIMARY KEY
 * violation, PA_STORE_ENOMEM, else PA_STORE_EDB. */
int pa_sq_fail(pa_store *db, const char *what);

/* Runs a script of statements without parameters (schema, pragmas). */
int pa_sq_script(pa_store *db, const char *sql, const char *what);

/* The prepared statement for sql, kept for the connection's life and found
 * again by sql's address: pass string literals or static arrays only. Bind,
 * step, then call pa_sq_done. NULL when SQLite refused (the error is recorded). */
sqlite3_stmt *pa_sq_stmt(pa_store *db, const char *sql);
/* Resets st and clears its bindings; st may be NULL. */
void pa_sq_done(sqlite3_stmt *st);

/* Binds a string, or NULL when s is NULL (SQLite copies it). */
int pa_sq_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Binds n integers to ?1..?n. */
int pa_sq_bind_i64s(sqlite3_stmt *st, int n, const int64_t *args);

/* Column i as text (NULL for SQL NULL), valid until the next step. */
const char *pa_sq_text(sqlite3_stmt *st, int i);

/* Steps st (bound with bind_rc, SQLITE_OK when binding went well) to its end
 * and releases it; *id (optional) gets column 0 of the first row, for
 * INSERT ... RETURNING id; *changes (optional) the rows changed. */
int pa_sq_run(pa_store *db, sqlite3_stmt *st, int bind_rc, const char *what, int64_t *id,
              int *changes);

/* Runs sql with up to n integer parameters (?1..?n) to completion. */
int pa_sq_exec_i64(pa_store *db, const char *sql, int n, const int64_t *args, int *changes);

/* The first column of the first row as an integer; PA_STORE_ENOTFOUND when
 * there is no row. */
int pa_sq_scalar_i64(pa_store *db, const char *sql, int n, const int64_t *args, int64_t *out);

/* Steps st (already bound, asking for limit + 1 rows) and calls row for up
 * to limit of them; a row beyond sets *more. *next gets the last passed
 * row's created_col and id_col. Releases st. PA_STORE_EABORT when row
 * returned non-zero. */
int pa_sq_page(pa_store *db, sqlite3_stmt *st, int limit, int (*row)(void *ctx, sqlite3_stmt *st),
               void *ctx, int created_col, int id_col, pa_store_cursor *next, int *more,
               const char *what);

/* Steps st (bound with bind_rc) through every row, calling row for each,
 * and releases it; PA_STORE_EABORT when row returned non-zero. */
int pa_sq_each(pa_store *db, sqlite3_stmt *st, int bind_rc, int (*row)(void *ctx, sqlite3_stmt *st),
               void *ctx, const char *what);

/* Binds the cursor to ?a and ?a+1 (above every row when after is NULL) and
 * limit + 1 to ?a+2: the three parameters every paged query ends with. */
int pa_sq_bind_page(sqlite3_stmt *st, int a, const pa_store_cursor *after, int limit);

/* Reads the columns c..c+3 (id, name, avatar, avatar ext) as a person and
 * c..c+4 (id, name, species, avatar, avatar ext) as a pet; valid until the
 * next step. */
void pa_sq_person(sqlite3_stmt *st, int c, pa_store_person *out);
void pa_sq_pet_ref(sqlite3_stmt *st, int c, pa_store_pet_ref *out);

/* Records the #tags of caption for post_id (posts.c; also the schema's
 * backfill). */
int pa_sq_post_tags(pa_store *db, int64_t post_id, const char *caption);

#endif
