/* The PostgreSQL schema's version: the table pa_schema holds it (there is no
 * PRAGMA user_version). Two servers starting at once on an empty database
 * take a transaction-scoped advisory lock, so one creates the schema and the
 * other then finds it. */
#include "store/pg/pg.h"
#include "store/sql/sql.h"

#include <stdio.h>

/* An arbitrary key for pg_advisory_xact_lock, ours alone in the database. */
static const char lock_sql[] = "SELECT pg_advisory_xact_lock(7305546017)";
static const char exists_sql[] = "SELECT count(*) FROM pg_catalog.pg_tables"
                                 " WHERE schemaname = current_schema() AND tablename = 'pa_schema'";
static const char version_sql[] = "SELECT version FROM pa_schema";

static int version(pa_store *db, int64_t *v) {
  int64_t n = 0;
  int rc = pa_sq_scalar_i64(db, exists_sql, 0, NULL, &n);
  if (rc != PA_STORE_OK || n == 0) {
    *v = 0;
    return rc;
  }
  return pa_sq_scalar_i64(db, version_sql, 0, NULL, v);
}

int pa_pg_migrate(pa_store *db) {
  int64_t v = 0, ignored;
  int rc = pa_store_begin(db);
  if (rc == PA_STORE_OK) rc = pa_sq_scalar_i64(db, lock_sql, 0, NULL, &ignored);
  if (rc == PA_STORE_OK) rc = version(db, &v);
  if (rc == PA_STORE_OK && v == 0) {
    rc = pa_sq_script(db, pa_pg_schema, "create schema");
    v = PA_PG_SCHEMA_BASE;
  }
  const int target = PA_STORE_SCHEMA_VERSION;
  if (rc == PA_STORE_OK && v > target)
    rc = pa_sq_failf(db, PA_STORE_ENEWER, "schema version %lld is newer than this server's %d",
                     (long long)v, target);
  while (rc == PA_STORE_OK && v < target) {
    int64_t next = v + 1;
    rc = pa_sq_script(db, pa_pg_migrations[v - PA_PG_SCHEMA_BASE], "migrate");
    if (rc == PA_STORE_OK)
      rc = pa_sq_exec_i64(db, "UPDATE pa_schema SET version = ?1", 1, &next, NULL);
    v = next;
  }
  if (rc != PA_STORE_OK) {
    pa_store_rollback(db);
    return rc;
  }
  return pa_store_end(db, 1);
}
