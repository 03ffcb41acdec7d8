/* pa_store_admin: roles and the audit log. */
#include "store/admin.h"

#include "store/sql/sql.h"

#include <string.h>

/* In bit order: the i-th name is bit 1 << i, as PA_SQ_ROLE_MASK counts them. */
static const char *const role_names[PA_STORE_ROLE_COUNT] = {"admin", "moderator", "support",
                                                            "finance"};

_Static_assert(PA_STORE_ROLE_ADMIN == 1 && PA_STORE_ROLE_MODERATOR == 2 &&
                   PA_STORE_ROLE_SUPPORT == 4 && PA_STORE_ROLE_FINANCE == 8 &&
                   PA_STORE_ROLE_ALL == (1 << PA_STORE_ROLE_COUNT) - 1,
               "the role bits are the ones PA_SQ_ROLE_MASK adds up");

const char *pa_store_admin_role_name(int role) {
  for (int i = 0; i < PA_STORE_ROLE_COUNT; i++)
    if (role == 1 << i) return role_names[i];
  return NULL;
}

int pa_store_admin_role_parse(const char *name) {
  for (int i = 0; name && i < PA_STORE_ROLE_COUNT; i++)
    if (strcmp(name, role_names[i]) == 0) return 1 << i;
  return 0;
}

int pa_store_admin_roles_of(pa_store *db, int64_t user, int *roles) {
  int64_t mask = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT " PA_SQ_ROLE_MASK("?1"), 1, &user, &mask);
  *roles = rc == PA_STORE_OK ? (int)mask : 0;
  return rc;
}

int pa_store_admin_grant(pa_store *db, int64_t user, int role, int64_t by, int64_t at,
                         int *changed) {
  const char *name = pa_store_admin_role_name(role);
  if (!name) return pa_sq_failf(db, PA_STORE_EINVAL, "grant: not one role: %d", role);
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO user_roles (user_id, role, granted_by, granted_at)"
                     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, role) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 3, by);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, at);
  return pa_sq_run(db, st, rc, "grant role", NULL, changed);
}

int pa_store_admin_revoke(pa_store *db, int64_t user, int role, int keep_one_admin, int *changed) {
  const char *name = pa_store_admin_role_name(role);
  int64_t others = 1;
  if (changed) *changed = 0;
  if (!name) return pa_sq_failf(db, PA_STORE_EINVAL, "revoke: not one role: %d", role);
  if (role == PA_STORE_ROLE_ADMIN && keep_one_admin) {
    /* On PostgreSQL the admin rows are locked, so a concurrent revoke waits
     * and then counts without the row this one took; SQLite's write lock,
     * taken by BEGIN IMMEDIATE, already orders them. */
    int rc = pa_sq_scalar_i64(
        db,
        pa_sq_dialect(db, "SELECT count(*) FROM user_roles WHERE role = 'admin' AND user_id <> ?1",
                      "SELECT count(*) FROM (SELECT user_id FROM user_roles WHERE role = 'admin'"
                      " FOR UPDATE) a WHERE user_id <> ?1"),
        1, &user, &others);
    if (rc != PA_STORE_OK) return rc;
  }
  int held = 0;
  int rc = pa_store_admin_roles_of(db, user, &held);
  if (rc != PA_STORE_OK) return rc;
  if (!(held & role)) return PA_STORE_OK;
  if (others == 0)
    return pa_sq_failf(db, PA_STORE_ECONFLICT, "revoke: the only admin keeps the role");
  pa_sql_stmt *st = pa_sq_stmt(db, "DELETE FROM user_roles WHERE user_id = ?1 AND role = ?2");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  return pa_sq_run(db, st, rc, "revoke role", NULL, changed);
}

/* ---- holders */

typedef struct holder_walk {
  pa_store_role_holder_fn fn;
  void *ctx;
} holder_walk;

/* Columns: the person's five (PA_SQ_PERSON_COLS), handle, roles, created_at. */
#define HOLDER_COLS                                                                                \
  PA_SQ_PERSON_COLS("u", "m") ", u.handle, " PA_SQ_ROLE_MASK("u.id") " AS roles, u.created_at"

static int holder_row(void *ctx, pa_sql_stmt *st) {
  const holder_walk *w = ctx;
  pa_store_role_holder h = {
      .handle = pa_sq_text(st, 5), .roles = (int)pa_sq_i64(st, 6), .created_at = pa_sq_i64(st, 7)};
  pa_sq_person(st, 0, &h.person);
  return w->fn(w->ctx, &h);
}

int pa_store_admin_holders(pa_store *db, int mask, const pa_store_cursor *after, int limit,
                           pa_store_role_holder_fn fn, void *ctx, pa_store_cursor *next,
                           int *more) {
  /* ?1 the mask, ?2 ?3 the cursor, ?4 the row limit. */
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT * FROM (SELECT " HOLDER_COLS
                                   " FROM users u LEFT JOIN media m ON m.hash = u.avatar"
                                   " WHERE u.id IN (SELECT user_id FROM user_roles)) h"
                                   " WHERE (h.roles & ?1) <> 0 AND (h.created_at, h.id) < (?2, ?3)"
                                   " ORDER BY h.created_at DESC, h.id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, mask);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "role holders");
  }
  holder_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, holder_row, &w, 7, 0, next, more, "role holders");
}

/* Steps st (bound with rc) to its one row and calls fn with it; releases st. */
static int one_holder(pa_store *db, pa_sql_stmt *st, int rc, pa_store_role_holder_fn fn,
                      void *ctx) {
  holder_walk w = {fn, ctx};
  int out;
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW)
    out = holder_row(&w, st) ? PA_STORE_EABORT : PA_STORE_OK;
  else
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "a person's roles");
  pa_sq_done(st);
  return out;
}

int pa_store_admin_find(pa_store *db, const char *who, pa_store_role_holder_fn fn, void *ctx) {
  /* Email as login matches it (ASCII case ignored, through each schema's
   * unique index), or the handle exactly (handles are lowercase). */
  pa_sql_stmt *st = pa_sq_stmt(
      db, pa_sq_dialect(db,
                        "SELECT " HOLDER_COLS " FROM users u LEFT JOIN media m ON m.hash = u.avatar"
                        " WHERE u.email = ?1 COLLATE NOCASE OR u.handle = ?1 ORDER BY u.id LIMIT 1",
                        "SELECT " HOLDER_COLS " FROM users u LEFT JOIN media m ON m.hash = u.avatar"
                        " WHERE lower(u.email) = lower(?1::text COLLATE \"C\") OR u.handle = ?1"
                        " ORDER BY u.id LIMIT 1"));
  if (!st) return PA_STORE_EDB;
  return one_holder(db, st, pa_sq_bind_text(st, 1, who), fn, ctx);
}

int pa_store_admin_person(pa_store *db, int64_t user, pa_store_role_holder_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " HOLDER_COLS " FROM users u"
                                   " LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1");
  if (!st) return PA_STORE_EDB;
  return one_holder(db, st, pa_sq_bind_i64(st, 1, user), fn, ctx);
}

/* ---- the audit log */

/* The party (ledger_parties: a tombstone that outlives the account) of user,
 * made on first use with a fresh random tombstone as billing makes them. */
static int party(pa_store *db, int64_t user) {
  return pa_sq_exec_i64(
      db,
      pa_sq_dialect(db,
                    "INSERT INTO ledger_parties (tombstone, user_id)"
                    " VALUES ('pty_' || lower(hex(randomblob(16))), ?1)"
                    " ON CONFLICT (user_id) DO NOTHING",
                    "INSERT INTO ledger_parties (tombstone, user_id)"
                    " VALUES ('pty_' || replace(gen_random_uuid()::text, '-', ''), ?1)"
                    " ON CONFLICT (user_id) DO NOTHING"),
      1, &user, NULL);
}

int pa_store_admin_audit(pa_store *db, const pa_store_audit_new *a) {
  const int person = strcmp(a->target_kind, "person") == 0;
  if (!a->detail || strlen(a->detail) > PA_STORE_AUDIT_DETAIL_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "audit: detail missing or too long");
  int rc = a->actor ? party(db, a->actor) : PA_STORE_OK;
  if (rc == PA_STORE_OK && person) rc = party(db, a->target_id);
  if (rc != PA_STORE_OK) return rc;
  /* ?5 is a person's user id when ?4 says so, stored as their party. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO audit_log (at, actor_party, action, target_kind, target_id, detail)"
          " VALUES (?1, (SELECT id FROM ledger_parties WHERE user_id = ?2), ?3, ?4,"
          " CASE WHEN ?4 = 'person' THEN (SELECT id FROM ledger_parties WHERE user_id = ?5)"
          " ELSE ?5 END, ?6)");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, a->at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, a->actor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, a->action);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, a->target_kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, a->target_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, a->detail);
  return pa_sq_run(db, st, rc, "audit", NULL, NULL);
}

typedef struct audit_walk {
  pa_store_audit_fn fn;
  void *ctx;
} audit_walk;

/* ?1 ?2 the cursor, ?3 the row limit. */
#define ACTOR  PA_SQ_PERSON_COLS("au", "am")
#define TARGET PA_SQ_PERSON_COLS("tu", "tm")
static const char audit_sql[] =
    "SELECT a.id, a.at, a.action, a.target_kind, a.target_id, a.detail,"
    "       " ACTOR ", au.handle, ap.tombstone,"
    "       " TARGET ", tu.handle, tp.tombstone"
    "  FROM audit_log a"
    "  LEFT JOIN ledger_parties ap ON ap.id = a.actor_party"
    "  LEFT JOIN users au ON au.id = ap.user_id"
    "  LEFT JOIN media am ON am.hash = au.avatar"
    "  LEFT JOIN ledger_parties tp ON a.target_kind = 'person' AND tp.id = a.target_id"
    "  LEFT JOIN users tu ON tu.id = tp.user_id"
    "  LEFT JOIN media tm ON tm.hash = tu.avatar"
    " WHERE (a.at, a.id) < (?1, ?2)"
    " ORDER BY a.at DESC, a.id DESC LIMIT ?3";

static int audit_row(void *ctx, pa_sql_stmt *st) {
  const audit_walk *w = ctx;
  const char *kind = pa_sq_text(st, 3);
  const int person = kind && strcmp(kind, "person") == 0;
  pa_store_audit_row r = {
      .id = pa_sq_i64(st, 0),
      .at = pa_sq_i64(st, 1),
      .action = pa_sq_text(st, 2),
      .target_kind = kind,
      .target_id = person ? pa_sq_i64(st, 13) : pa_sq_i64(st, 4),
      .detail = pa_sq_text(st, 5),
  };
  pa_sq_person(st, 6, &r.actor);
  r.actor_handle = pa_sq_text(st, 11);
  r.actor_tombstone = pa_sq_null(st, 12) ? "" : pa_sq_text(st, 12);
  pa_sq_person(st, 13, &r.target);
  r.target_handle = pa_sq_text(st, 18);
  r.target_tombstone = pa_sq_null(st, 19) ? "" : pa_sq_text(st, 19);
  return w->fn(w->ctx, &r);
}

int pa_store_admin_audit_list(pa_store *db, const pa_store_cursor *after, int limit,
                              pa_store_audit_fn fn, void *ctx, pa_store_cursor *next, int *more) {
  pa_sql_stmt *st = pa_sq_stmt(db, audit_sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_page(st, 1, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "audit log");
  }
  audit_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, audit_row, &w, 1, 0, next, more, "audit log");
}
