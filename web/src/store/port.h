/* pa_store_port — moves a community from SQLite to PostgreSQL (issue 16):
 * copies every row of a SQLite database into an empty PostgreSQL one and
 * proves the copy, the way Matrix Synapse's synapse_port_db does. The
 * petamigos-port-db tool (web/tools/port_db.c) is its command line.
 *
 * What it does, in order (each step's refusal leaves PostgreSQL as it was,
 * apart from an empty schema that the server would have created anyway):
 *  1. Brings the SQLite file to the current schema (pa_store_migrate) and
 *     holds its write lock to the end, so the copy is one consistent
 *     snapshot (the server must be stopped: it would wait for the lock).
 *  2. Refuses a file with dangling references (SQLite's foreign key check),
 *     which PostgreSQL's foreign keys would refuse: PA_STORE_PORT_EDANGLING,
 *     with the first offenders reported.
 *  3. Refuses a PostgreSQL database with a row in any table:
 *     PA_STORE_PORT_ENOTEMPTY, naming the tables. Then creates the schema
 *     there (pa_store_migrate) and checks that both databases have the same
 *     tables, columns, column types and primary keys (PA_STORE_PORT_ESCHEMA).
 *  4. In one PostgreSQL transaction, with triggers off (replica mode, so the
 *     counters and notifications the triggers would write are copied as they
 *     are instead of computed twice): copies table by table, parents before
 *     the tables that reference them, each in primary-key order; sets every
 *     identity past the copied ids (and past SQLite's AUTOINCREMENT high
 *     mark, so a deleted chat device's or message's id never comes back);
 *     then verifies each table: equal row counts and equal SHA-256 over a
 *     canonical text of every row and column, computed by the same code on
 *     both connections. Commits only when every table verified; otherwise
 *     rolls back (PA_STORE_PORT_EVERIFY) and PostgreSQL is left empty.
 *
 * Replica mode needs a PostgreSQL superuser (or, from PostgreSQL 15, a role
 * granted SET on session_replication_role). */
#ifndef PA_STORE_PORT_H
#define PA_STORE_PORT_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_STORE_PORT_EDANGLING = -20, /* the source has references to rows it lacks */
  PA_STORE_PORT_ENOTEMPTY = -21, /* the destination already holds rows */
  PA_STORE_PORT_ESCHEMA = -22,   /* the two schemas differ; err says where */
  PA_STORE_PORT_EVERIFY = -23    /* a table's copy differs; nothing was committed */
};

enum {
  PA_STORE_PORT_NAME_MAX = 64,    /* bytes of a table or column name, with its NUL */
  PA_STORE_PORT_TABLES_MAX = 128, /* tables in one schema (about 55 at schema 20: room to grow) */
  PA_STORE_PORT_REPORT_MAX = 10,  /* offenders reported by a refusal; the rest are counted */
  PA_STORE_PORT_SUM_HEX = 65,     /* a SHA-256 in hex, with its NUL */
  PA_STORE_PORT_PROGRESS = 100000 /* rows between two COPYING reports of one table */
};

typedef enum pa_store_port_stage {
  PA_STORE_PORT_DANGLING,  /* a dangling reference: table, column, parent, row, value */
  PA_STORE_PORT_NOT_EMPTY, /* a destination table that holds rows: table */
  PA_STORE_PORT_COPYING,   /* a large table under way: table, rows so far */
  PA_STORE_PORT_COPIED,    /* a table copied: table, rows, index of count */
  PA_STORE_PORT_SEQUENCE,  /* an identity set: table, column, next_id */
  PA_STORE_PORT_VERIFIED,  /* a table verified: rows, dst_rows, src_sum = dst_sum */
  PA_STORE_PORT_MISMATCH   /* a table that differs: the same fields */
} pa_store_port_stage;

/* One report; strings are valid during the callback only, NULL when the
 * stage has none. */
typedef struct pa_store_port_event {
  pa_store_port_stage stage;
  const char *table;
  int index, count; /* COPIED, VERIFIED, MISMATCH: the table's place (1-based) of count */
  int64_t rows;     /* rows in the source (COPYING: copied so far) */
  int64_t dst_rows; /* VERIFIED, MISMATCH: rows in the destination */
  const char *src_sum, *dst_sum; /* VERIFIED, MISMATCH: SHA-256 in hex */
  const char *column;            /* DANGLING: the referencing column(s); SEQUENCE: the identity */
  const char *parent;            /* DANGLING: the table referenced */
  int has_row; /* DANGLING: row is the offending row's rowid (tables that have one) */
  int64_t row;
  const char *value; /* DANGLING: the dangling value when known, else NULL */
  int64_t next_id;   /* SEQUENCE: the id the next insert gets */
} pa_store_port_event;

typedef void (*pa_store_port_fn)(void *ctx, const pa_store_port_event *ev);

/* What a port did: tables and rows copied and verified, and for a refusal
 * the whole count of offenders (dangling references, non-empty tables). */
typedef struct pa_store_port_result {
  int tables, verified;
  int64_t rows;
  int64_t offenders;
} pa_store_port_result;

/* Ports src (a SQLite connection) into dst (a PostgreSQL connection, on an
 * empty database) as described above, calling fn (optional) with each
 * report. PA_STORE_OK only when every table was copied, verified and
 * committed; else a PA_STORE_PORT_E* refusal or a PA_STORE_E* failure, with
 * a message in err (never a password: the connections are already open). */
int pa_store_port(pa_store *src, pa_store *dst, pa_store_port_fn fn, void *ctx,
                  pa_store_port_result *out, char *err, size_t errlen);

/* The words for a pa_store_port code (the PA_STORE_E* ones included). */
const char *pa_store_port_errstr(int rc);

#endif
