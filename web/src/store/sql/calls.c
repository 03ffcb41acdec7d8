/* pa_store_calls: calls (store/calls.h). */
#include "store/calls.h"

#include "store/sql/sql.h"

#include <string.h>

static const char *const state_names[] = {"ringing", "answered", "declined", "missed", "ended"};
enum { STATES = (int)(sizeof state_names / sizeof state_names[0]) };

const char *pa_store_calls_state_name(int state) {
  return state >= 0 && state < STATES ? state_names[state] : NULL;
}

int pa_store_calls_state_parse(const char *name) {
  for (int i = 0; name && i < STATES; i++)
    if (strcmp(name, state_names[i]) == 0) return i;
  return -1;
}

int pa_store_calls_start(pa_store *db, int64_t caller, int64_t callee, int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO calls (caller, callee, started_at)"
                                   " VALUES (?1, ?2, ?3) RETURNING id");
  if (!st) return pa_sq_fail(db, "call start");
  int64_t a[3] = {caller, callee, now};
  return pa_sq_run(db, st, pa_sq_bind_i64s(st, 3, a), "call start", id, NULL);
}

int pa_store_calls_count_since(pa_store *db, int64_t caller, int64_t since, int64_t *n) {
  int64_t a[2] = {caller, since};
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM calls WHERE caller = ?1 AND started_at >= ?2",
                          2, a, n);
}

int pa_store_calls_get(pa_store *db, int64_t id, int64_t *caller, int64_t *callee, int *state) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT caller, callee, state FROM calls WHERE id = ?1");
  if (!st) return pa_sq_fail(db, "call get");
  if (pa_sq_bind_i64(st, 1, id)) {
    pa_sq_done(st);
    return pa_sq_fail(db, "call get");
  }
  int rc = pa_sq_step(st), out = PA_STORE_ENOTFOUND;
  if (rc == PA_SQ_ROW) {
    *caller = pa_sq_i64(st, 0);
    *callee = pa_sq_i64(st, 1);
    const char *s = pa_sq_text(st, 2);
    *state = pa_store_calls_state_parse(s);
    out = PA_STORE_OK;
  } else if (rc != PA_SQ_DONE) {
    out = pa_sq_fail(db, "call get");
  }
  pa_sq_done(st);
  return out;
}

int pa_store_calls_end(pa_store *db, int64_t id, int state, int64_t now) {
  const char *name = pa_store_calls_state_name(state);
  if (!name || state == PA_STORE_CALL_RINGING)
    return pa_sq_failf(db, PA_STORE_EINVAL, "call end: bad state");
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE calls SET state = ?2, ended_at = ?3"
                                   " WHERE id = ?1 AND state = 'ringing'");
  if (!st) return pa_sq_fail(db, "call end");
  int b = pa_sq_bind_i64(st, 1, id);
  if (!b) b = pa_sq_bind_text(st, 2, name);
  if (!b) b = pa_sq_bind_i64(st, 3, now);
  int changes = 0;
  int rc = pa_sq_run(db, st, b, "call end", NULL, &changes);
  if (rc != PA_STORE_OK) return rc;
  if (changes) return PA_STORE_OK;
  int64_t n = 0;
  rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM calls WHERE id = ?1", 1, &id, &n);
  if (rc != PA_STORE_OK) return rc;
  return n ? PA_STORE_ECONFLICT : PA_STORE_ENOTFOUND;
}
