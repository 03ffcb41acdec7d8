/* pa_store_security: the security events table. */
#include "store/security.h"

#include "store/sql/sql.h"

int pa_store_security_add(pa_store *db, const pa_store_security_event *e) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO security_events (at, kind, detail, user_id, addr,"
                                   " country, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, e->at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, e->kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, e->detail ? e->detail : "");
  if (rc == PA_SQ_OK) rc = e->user ? pa_sq_bind_i64(st, 4, e->user) : pa_sq_bind_null(st, 4);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, e->addr);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, e->country ? e->country : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, e->n > 0 ? e->n : 1);
  return pa_sq_run(db, st, rc, "security event", NULL, NULL);
}

int pa_store_security_prune(pa_store *db, int64_t before, int *removed) {
  return pa_sq_exec_i64(db, "DELETE FROM security_events WHERE at < ?1", 1, &before, removed);
}

typedef struct count_walk {
  pa_store_security_count_fn fn;
  void *ctx;
  int by_hour;
} count_walk;

static int count_row(void *ctx, pa_sql_stmt *st) {
  const count_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_text(st, 0), w->by_hour ? pa_sq_i64(st, 1) : 0,
               w->by_hour ? "" : pa_sq_text(st, 1), pa_sq_i64(st, 2));
}

/* The events since ?1 by kind, and the sign-ins from a new device once more
 * as the kind "new_device": a subset of "signin" the view counts apart. */
#define KIND_ROWS                                                                                  \
  "(SELECT kind, at, country, n FROM security_events WHERE at >= ?1"                               \
  " UNION ALL SELECT 'new_device', at, country, n FROM security_events"                            \
  " WHERE at >= ?1 AND kind = 'signin' AND detail = 'new_device') e"

int pa_store_security_by_hour(pa_store *db, int64_t since, pa_store_security_count_fn fn,
                              void *ctx) {
  /* Integer division on both engines (BIGINT / integer truncates). */
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT kind, (at / 3600) * 3600 AS hour, sum(n)"
                                   " FROM " KIND_ROWS " GROUP BY kind, hour ORDER BY hour, kind");
  if (!st) return PA_STORE_EDB;
  count_walk w = {fn, ctx, 1};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, since), count_row, &w, "security by hour");
}

int pa_store_security_by_country(pa_store *db, int64_t since, pa_store_security_count_fn fn,
                                 void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT kind, country, sum(n) AS total"
                                   " FROM " KIND_ROWS
                                   " GROUP BY kind, country ORDER BY total DESC, country, kind");
  if (!st) return PA_STORE_EDB;
  count_walk w = {fn, ctx, 0};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, since), count_row, &w, "security by country");
}

typedef struct addr_walk {
  pa_store_security_addr_fn fn;
  void *ctx;
} addr_walk;

/* Columns: addr, country, the four kinds' sums, the new devices' among the
 * sign-ins, distinct accounts. */
#define ADDR_COLS                                                                                  \
  "addr, max(country) AS country,"                                                                 \
  " sum(CASE WHEN kind = 'login_failed' THEN n ELSE 0 END) AS failed,"                             \
  " sum(CASE WHEN kind = 'limited' THEN n ELSE 0 END) AS limited,"                                 \
  " sum(CASE WHEN kind = 'upload_refused' THEN n ELSE 0 END) AS refused,"                          \
  " sum(CASE WHEN kind = 'signin' THEN n ELSE 0 END) AS signins,"                                  \
  " sum(CASE WHEN kind = 'signin' AND detail = 'new_device' THEN n ELSE 0 END) AS new_devices,"    \
  " count(DISTINCT CASE WHEN kind = 'login_failed' THEN user_id END) AS accounts"

static int addr_row(void *ctx, pa_sql_stmt *st) {
  const addr_walk *w = ctx;
  pa_store_security_addr a = {pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2),
                              pa_sq_i64(st, 3),  pa_sq_i64(st, 4),  pa_sq_i64(st, 5),
                              pa_sq_i64(st, 6),  pa_sq_i64(st, 7)};
  return w->fn(w->ctx, &a);
}

int pa_store_security_top_addrs(pa_store *db, int64_t since, int limit,
                                pa_store_security_addr_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT * FROM (SELECT " ADDR_COLS " FROM security_events WHERE at >= ?1"
                     " GROUP BY addr) a ORDER BY a.failed + a.limited DESC,"
                     " a.failed + a.limited + a.refused + a.signins DESC, a.addr LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, since);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  addr_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, addr_row, &w, "security top addresses");
}

int pa_store_security_spraying(pa_store *db, int64_t since, int min_accounts, int limit,
                               pa_store_security_addr_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT * FROM (SELECT " ADDR_COLS " FROM security_events WHERE at >= ?1"
          " GROUP BY addr) a WHERE a.accounts >= ?2 ORDER BY a.accounts DESC, a.addr LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, since);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, min_accounts);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, limit);
  addr_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, addr_row, &w, "security spraying");
}

typedef struct target_walk {
  pa_store_security_target_fn fn;
  void *ctx;
} target_walk;

static int target_row(void *ctx, pa_sql_stmt *st) {
  const target_walk *w = ctx;
  pa_store_security_target t = {
      .handle = pa_sq_text(st, 5), .addresses = pa_sq_i64(st, 6), .failures = pa_sq_i64(st, 7)};
  pa_sq_person(st, 0, &t.person);
  return w->fn(w->ctx, &t);
}

int pa_store_security_targeted(pa_store *db, int64_t since, int min_addrs, int limit,
                               pa_store_security_target_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT " PA_SQ_PERSON_COLS(
              "u", "m") ", u.handle, t.addresses, t.failures FROM"
                        " (SELECT user_id, count(DISTINCT addr) AS addresses, sum(n) AS failures"
                        "  FROM security_events WHERE kind = 'login_failed' AND at >= ?1"
                        "  AND user_id IS NOT NULL GROUP BY user_id) t"
                        " JOIN users u ON u.id = t.user_id LEFT JOIN media m ON m.hash = u.avatar"
                        " WHERE t.addresses >= ?2 ORDER BY t.addresses DESC, u.id LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, since);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, min_addrs);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, limit);
  target_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, target_row, &w, "security targeted accounts");
}
