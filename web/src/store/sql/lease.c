/* pa_store_lease: one upsert takes, renews or leaves a lease. */
#include "store/lease.h"

#include "store/sql/sql.h"

#include <string.h>

static int valid(pa_store *db, const char *name, const char *holder) {
  size_t n = name ? strlen(name) : 0, h = holder ? strlen(holder) : 0;
  if (n < 1 || n > PA_STORE_LEASE_NAME_MAX || h < 1 || h > PA_STORE_LEASE_NAME_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "lease: a name and holder of 1 to %d bytes",
                       PA_STORE_LEASE_NAME_MAX);
  return PA_STORE_OK;
}

int pa_store_lease_take(pa_store *db, const char *name, const char *holder, int64_t now, int ttl_s,
                        int *held) {
  *held = 0;
  int rc = valid(db, name, holder);
  if (rc != PA_STORE_OK) return rc;
  if (ttl_s < 1) return pa_sq_failf(db, PA_STORE_EINVAL, "lease %s: ttl %d s", name, ttl_s);
  /* The update's WHERE is read under the row's lock (PostgreSQL) or the
   * write lock (SQLite): someone else's lease that is still running is left
   * alone, and no row changes. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO leases (name, holder, until_s) VALUES (?1, ?2, ?4)"
                     " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                     " until_s = excluded.until_s"
                     " WHERE leases.holder = excluded.holder OR leases.until_s <= ?3");
  if (!st) return PA_STORE_EDB;
  int changes = 0;
  rc = pa_sq_bind_text(st, 1, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, holder);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now + ttl_s);
  rc = pa_sq_run(db, st, rc, "take a lease", NULL, &changes);
  if (rc == PA_STORE_OK) *held = changes > 0;
  return rc;
}

int pa_store_lease_release(pa_store *db, const char *name, const char *holder) {
  int rc = valid(db, name, holder);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "DELETE FROM leases WHERE name = ?1 AND holder = ?2");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_text(st, 1, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, holder);
  return pa_sq_run(db, st, rc, "release a lease", NULL, NULL);
}
