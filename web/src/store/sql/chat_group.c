/* pa_store_chat_group: group membership and numbering. */
#include "store/chat_group.h"

#include "store/sql/sql.h"

#include <string.h>

static const char *role_text(int role) { return role == PA_STORE_GROUP_ADMIN ? "admin" : "member"; }

static int member_add(pa_store *db, int64_t group, int64_t user, int role, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chat_group_members (group_id, user_id, role,"
                                   " joined_at) VALUES (?1, ?2, ?3, ?4)"
                                   " ON CONFLICT (group_id, user_id) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int changes = 0, rc = pa_sq_bind_i64(st, 1, group);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, role_text(role));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  rc = pa_sq_run(db, st, rc, "add group member", NULL, &changes);
  if (rc == PA_STORE_OK && changes == 0)
    return pa_sq_failf(db, PA_STORE_ECONFLICT, "add group member: a member already");
  return rc;
}

int pa_store_chat_group_create(pa_store *db, int64_t user, int64_t now, int64_t *group) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chat_groups (created_at) VALUES (?1) RETURNING id");
  rc = st ? pa_sq_run(db, st, pa_sq_bind_i64(st, 1, now), "create group", group, NULL)
          : PA_STORE_EDB;
  if (rc == PA_STORE_OK) rc = member_add(db, *group, user, PA_STORE_GROUP_ADMIN, now);
  int end = pa_store_end(db, rc == PA_STORE_OK);
  return rc != PA_STORE_OK ? rc : end;
}

int pa_store_chat_group_role(pa_store *db, int64_t group, int64_t user, int *role,
                             int64_t *created_at) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT CASE WHEN m.role = 'admin' THEN 1 ELSE 0 END, g.created_at"
                     " FROM chat_group_members m JOIN chat_groups g ON g.id = m.group_id"
                     " WHERE m.group_id = ?1 AND m.user_id = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, group);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int res = rc == PA_SQ_ROW    ? PA_STORE_OK
            : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                               : pa_sq_fail(db, "group role");
  if (res == PA_STORE_OK) {
    *role = pa_sq_i64(st, 0) ? PA_STORE_GROUP_ADMIN : PA_STORE_GROUP_MEMBER;
    if (created_at) *created_at = pa_sq_i64(st, 1);
  }
  pa_sq_done(st);
  return res;
}

typedef struct member_walk {
  pa_store_chat_group_member_fn fn;
  void *ctx;
} member_walk;

static int member_row(void *ctx, pa_sql_stmt *st) {
  member_walk *w = ctx;
  pa_store_chat_group_member m = {pa_sq_i64(st, 0), pa_sq_i64(st, 1),
                                  pa_sq_i64(st, 2) ? PA_STORE_GROUP_ADMIN : PA_STORE_GROUP_MEMBER};
  return w->fn(w->ctx, &m);
}

int pa_store_chat_group_members(pa_store *db, int64_t group, pa_store_chat_group_member_fn fn,
                                void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT user_id, joined_at, CASE WHEN role = 'admin' THEN 1 ELSE 0 END"
                     " FROM chat_group_members WHERE group_id = ?1 ORDER BY id");
  if (!st) return PA_STORE_EDB;
  member_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, group), member_row, &w, "group members");
}

typedef struct group_walk {
  pa_store_chat_group_fn fn;
  void *ctx;
} group_walk;

static int group_row(void *ctx, pa_sql_stmt *st) {
  group_walk *w = ctx;
  pa_store_chat_group_row g = {pa_sq_i64(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                               pa_sq_i64(st, 3),
                               pa_sq_i64(st, 4) ? PA_STORE_GROUP_ADMIN : PA_STORE_GROUP_MEMBER};
  return w->fn(w->ctx, &g);
}

int pa_store_chat_group_mine(pa_store *db, int64_t user, int limit, pa_store_chat_group_fn fn,
                             void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT g.id, g.created_at,"
          " (SELECT count(*) FROM chat_group_members c WHERE c.group_id = g.id), g.last_seq,"
          " CASE WHEN m.role = 'admin' THEN 1 ELSE 0 END"
          " FROM chat_group_members m JOIN chat_groups g ON g.id = m.group_id"
          " WHERE m.user_id = ?1 ORDER BY g.id DESC LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {user, limit};
  group_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), group_row, &w, "my groups");
}

int pa_store_chat_group_add(pa_store *db, int64_t group, int64_t user, int max, int64_t now) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  int64_t n = 0;
  /* Counted under the write lock (SQLite) or with the group's row locked
   * (PostgreSQL), so two adds racing for the last place cannot both win. */
  rc = pa_sq_scalar_i64(db,
                        pa_sq_dialect(db, "SELECT id FROM chat_groups WHERE id = ?1",
                                      "SELECT id FROM chat_groups WHERE id = ?1 FOR UPDATE"),
                        1, &group, &n);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM chat_group_members WHERE group_id = ?1", 1,
                          &group, &n);
  if (rc == PA_STORE_OK && n >= max)
    rc = pa_sq_failf(db, PA_STORE_EABORT, "add group member: the group is full");
  if (rc == PA_STORE_OK) rc = member_add(db, group, user, PA_STORE_GROUP_MEMBER, now);
  int end = pa_store_end(db, rc == PA_STORE_OK);
  return rc != PA_STORE_OK ? rc : end;
}

int pa_store_chat_group_remove(pa_store *db, int64_t group, int64_t user) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  int64_t a[2] = {group, user}, admins = 0;
  int changes = 0;
  rc = pa_sq_exec_i64(db, "DELETE FROM chat_group_members WHERE group_id = ?1 AND user_id = ?2", 2,
                      a, &changes);
  if (rc == PA_STORE_OK && changes == 0)
    rc = pa_sq_failf(db, PA_STORE_ENOTFOUND, "remove group member: not a member");
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM chat_group_members"
                          " WHERE group_id = ?1 AND role = 'admin'",
                          1, &group, &admins);
  /* The same rule as the devices' (pa_group_apply): the oldest member takes over. */
  if (rc == PA_STORE_OK && admins == 0)
    rc = pa_sq_exec_i64(db,
                        "UPDATE chat_group_members SET role = 'admin' WHERE id ="
                        " (SELECT min(id) FROM chat_group_members WHERE group_id = ?1)",
                        1, &group, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db,
                        "DELETE FROM chat_groups WHERE id = ?1 AND NOT EXISTS"
                        " (SELECT 1 FROM chat_group_members WHERE group_id = ?1)",
                        1, &group, NULL);
  int end = pa_store_end(db, rc == PA_STORE_OK);
  return rc != PA_STORE_OK ? rc : end;
}

int pa_store_chat_group_set_role(pa_store *db, int64_t group, int64_t user, int role) {
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE chat_group_members SET role = ?3"
                                   " WHERE group_id = ?1 AND user_id = ?2");
  int changes = 0, b = st ? pa_sq_bind_i64(st, 1, group) : PA_SQ_OK;
  if (st && b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, user);
  if (st && b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, role_text(role));
  rc = st ? pa_sq_run(db, st, b, "set group role", NULL, &changes) : PA_STORE_EDB;
  if (rc == PA_STORE_OK && changes == 0)
    rc = pa_sq_failf(db, PA_STORE_ENOTFOUND, "set group role: not a member");
  int64_t admins = 0;
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM chat_group_members"
                          " WHERE group_id = ?1 AND role = 'admin'",
                          1, &group, &admins);
  if (rc == PA_STORE_OK && admins == 0)
    rc = pa_sq_failf(db, PA_STORE_ECONFLICT, "set group role: the last admin");
  int end = pa_store_end(db, rc == PA_STORE_OK);
  return rc != PA_STORE_OK ? rc : end;
}

int pa_store_chat_group_device_member(pa_store *db, int64_t group, int64_t device, int64_t *user) {
  int64_t a[2] = {group, device};
  return pa_sq_scalar_i64(db,
                          "SELECT d.user_id FROM chat_devices d JOIN chat_group_members m"
                          " ON m.user_id = d.user_id AND m.group_id = ?1 WHERE d.id = ?2",
                          2, a, user);
}
