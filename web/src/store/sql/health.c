/* pa_store_health: the pet-health dashboard's records, reminders and share links. */
#include "store/health.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

int pa_store_health_count(pa_store *db, int64_t pet, int kind, int64_t *n) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT count(*) FROM health_entries WHERE pet_id = ?1 AND kind = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, pa_health_kind_name(kind));
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  *n = rc == PA_SQ_ROW ? pa_sq_i64(st, 0) : 0;
  pa_sq_done(st);
  return rc == PA_SQ_ROW ? PA_STORE_OK : pa_sq_fail(db, "count health records");
}

/* "" as NULL: a day, or a unit, the record does not have. */
static int bind_opt_text(pa_sql_stmt *st, int i, const char *s) {
  return s[0] ? pa_sq_bind_text(st, i, s) : pa_sq_bind_null(st, i);
}

/* -1 as NULL: a number the record does not have. */
static int bind_opt_i64(pa_sql_stmt *st, int i, int64_t v) {
  return v >= 0 ? pa_sq_bind_i64(st, i, v) : pa_sq_bind_null(st, i);
}

/* Binds e's columns to ?3..?13 (kind, day, until_day, title, detail, notes,
 * every_n, every_unit, grams, minutes, metres) and due_at to ?14. */
static int bind_entry(pa_sql_stmt *st, const pa_health_entry *e, int64_t due_at) {
  int rc = pa_sq_bind_text(st, 3, pa_health_kind_name(e->kind));
  if (rc == PA_SQ_OK) rc = bind_opt_text(st, 4, e->day);
  if (rc == PA_SQ_OK) rc = bind_opt_text(st, 5, e->until_day);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, e->title);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, e->detail);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 8, e->notes);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 9, e->every_n);
  if (rc == PA_SQ_OK) rc = bind_opt_text(st, 10, e->every_unit);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 11, e->grams);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 12, e->minutes);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 13, e->metres);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 14, due_at);
  return rc;
}

int pa_store_health_add(pa_store *db, int64_t pet, const pa_health_entry *e, int64_t due_at,
                        int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO health_entries (pet_id, created_at, kind, day, until_day, title, detail,"
          " notes, every_n, every_unit, grams, minutes, metres, due_at, updated_at)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?2) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, now);
  if (rc == PA_SQ_OK) rc = bind_entry(st, e, due_at);
  return pa_sq_run(db, st, rc, "add health record", id, NULL);
}

int pa_store_health_update(pa_store *db, int64_t pet, int64_t id, const pa_health_entry *e,
                           int64_t due_at, int64_t now) {
  /* ?1 the record, ?15 the pet (the owner's check stands behind it), ?2 now. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE health_entries SET updated_at = ?2, day = ?4, until_day = ?5, title = ?6,"
          " detail = ?7, notes = ?8, every_n = ?9, every_unit = ?10, grams = ?11, minutes = ?12,"
          " metres = ?13, due_at = ?14 WHERE id = ?1 AND pet_id = ?15 AND kind = ?3");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, now);
  if (rc == PA_SQ_OK) rc = bind_entry(st, e, due_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 15, pet);
  rc = pa_sq_run(db, st, rc, "change health record", NULL, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_health_delete(pa_store *db, int64_t pet, int kind, int64_t id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "DELETE FROM health_entries WHERE id = ?1 AND pet_id = ?2 AND kind = ?3");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, pa_health_kind_name(kind));
  rc = pa_sq_run(db, st, rc, "delete health record", NULL, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

/* The columns row() reads, in its order, of health_entries aliased h. */
#define ROW_COLS                                                                                   \
  "h.id, h.pet_id, h.kind, h.day, h.until_day, h.title, h.detail, h.notes, h.every_n,"             \
  " h.every_unit, h.grams, h.minutes, h.metres, h.due_at, h.created_at, h.updated_at"
enum { ROW_NCOLS = 16 };

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

static int64_t opt_i64(pa_sql_stmt *st, int i) { return pa_sq_null(st, i) ? -1 : pa_sq_i64(st, i); }

static void row(pa_sql_stmt *st, pa_store_health_row *r) {
  memset(r, 0, sizeof *r);
  r->id = pa_sq_i64(st, 0);
  r->pet_id = pa_sq_i64(st, 1);
  const char *kind = pa_sq_text(st, 2);
  r->e.kind = -1;
  for (int k = 0; kind && k < PA_HEALTH_KINDS; k++)
    if (strcmp(kind, pa_health_kind_name(k)) == 0) r->e.kind = k;
  copy(r->e.day, sizeof r->e.day, pa_sq_text(st, 3));
  copy(r->e.until_day, sizeof r->e.until_day, pa_sq_text(st, 4));
  copy(r->e.title, sizeof r->e.title, pa_sq_text(st, 5));
  copy(r->e.detail, sizeof r->e.detail, pa_sq_text(st, 6));
  copy(r->e.notes, sizeof r->e.notes, pa_sq_text(st, 7));
  r->e.every_n = opt_i64(st, 8);
  copy(r->e.every_unit, sizeof r->e.every_unit, pa_sq_text(st, 9));
  r->e.grams = opt_i64(st, 10);
  r->e.minutes = opt_i64(st, 11);
  r->e.metres = opt_i64(st, 12);
  r->due_at = opt_i64(st, 13);
  r->created_at = pa_sq_i64(st, 14);
  r->updated_at = pa_sq_i64(st, 15);
}

typedef struct walk {
  pa_store_health_fn fn;
  void *ctx;
  pa_store_health_row r; /* large (the notes): kept out of the stack of each call */
} walk;

static int each_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  row(st, &w->r);
  return w->fn(w->ctx, &w->r);
}

int pa_store_health_list(pa_store *db, int64_t pet, int kind, pa_store_health_fn fn, void *ctx) {
  /* Days sort as text (YYYY-MM-DD); allergies have none. Two statements,
   * not "?2 IS NULL OR": PostgreSQL must know a parameter's type. */
  pa_sql_stmt *st =
      kind >= 0 ? pa_sq_stmt(db, "SELECT " ROW_COLS " FROM health_entries h"
                                 " WHERE h.pet_id = ?1 AND h.kind = ?2"
                                 " ORDER BY h.day DESC, h.id DESC")
                : pa_sq_stmt(db, "SELECT " ROW_COLS " FROM health_entries h WHERE h.pet_id = ?1"
                                 " ORDER BY h.kind, h.day DESC, h.id DESC");
  if (!st) return PA_STORE_EDB;
  walk w = {.fn = fn, .ctx = ctx};
  int rc = pa_sq_bind_i64(st, 1, pet);
  if (rc == PA_SQ_OK && kind >= 0) rc = pa_sq_bind_text(st, 2, pa_health_kind_name(kind));
  return pa_sq_each(db, st, rc, each_row, &w, "health records");
}

int pa_store_health_get(pa_store *db, int64_t pet, int64_t id, pa_store_health_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT " ROW_COLS " FROM health_entries h WHERE h.id = ?1 AND h.pet_id = ?2");
  if (!st) return PA_STORE_EDB;
  walk w = {.fn = fn, .ctx = ctx};
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out;
  if (rc == PA_SQ_ROW)
    out = each_row(&w, st) ? PA_STORE_EABORT : PA_STORE_OK;
  else
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "health record");
  pa_sq_done(st);
  return out;
}

typedef struct due_walk {
  pa_store_health_due_fn fn;
  void *ctx;
  pa_store_health_due d;
} due_walk;

static int due_row(void *ctx, pa_sql_stmt *st) {
  due_walk *w = ctx;
  row(st, &w->d.row);
  w->d.owner_id = pa_sq_i64(st, ROW_NCOLS);
  w->d.pet_name = pa_sq_text(st, ROW_NCOLS + 1);
  return w->fn(w->ctx, &w->d);
}

int pa_store_health_due_list(pa_store *db, int64_t now, int64_t owner, int limit,
                             pa_store_health_due_fn fn, void *ctx) {
  /* ?2 0: every owner; the partial index health_entries_due finds the rows. */
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ROW_COLS ", p.owner_id, p.name"
                                   " FROM health_entries h JOIN pets p ON p.id = h.pet_id"
                                   " WHERE h.due_at IS NOT NULL AND h.due_at <= ?1"
                                   " AND (?2 = 0 OR p.owner_id = ?2)"
                                   " ORDER BY h.due_at, h.id LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  due_walk w = {.fn = fn, .ctx = ctx};
  int rc = pa_sq_bind_i64(st, 1, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, owner);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, limit);
  return pa_sq_each(db, st, rc, due_row, &w, "due health records");
}

int pa_store_health_remind(pa_store *db, int64_t id, int64_t was, int64_t next, int *changed) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE health_entries SET due_at = ?3 WHERE id = ?1 AND due_at = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, was);
  if (rc == PA_SQ_OK) rc = bind_opt_i64(st, 3, next);
  return pa_sq_run(db, st, rc, "move health reminder", NULL, changed);
}

/* ---- share links */

int pa_store_health_shares_live(pa_store *db, int64_t pet, int64_t now, int64_t *n) {
  const int64_t args[2] = {pet, now};
  return pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM health_shares WHERE pet_id = ?1"
                          " AND revoked_at IS NULL AND expires_at > ?2",
                          2, args, n);
}

int pa_store_health_share_add(pa_store *db, int64_t pet, const unsigned char hash[32], int64_t now,
                              int64_t expires_at, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO health_shares (pet_id, token_hash, created_at,"
                                   " expires_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, pet);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_blob(st, 2, hash, 32);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, expires_at);
  return pa_sq_run(db, st, rc, "add health share", id, NULL);
}

#define SHARE_COLS "id, pet_id, created_at, expires_at, revoked_at"

static void share_row(pa_sql_stmt *st, pa_store_health_share *s) {
  s->id = pa_sq_i64(st, 0);
  s->pet_id = pa_sq_i64(st, 1);
  s->created_at = pa_sq_i64(st, 2);
  s->expires_at = pa_sq_i64(st, 3);
  s->revoked_at = pa_sq_i64(st, 4); /* NULL reads as 0 */
}

typedef struct share_walk {
  pa_store_health_share_fn fn;
  void *ctx;
} share_walk;

static int each_share(void *ctx, pa_sql_stmt *st) {
  share_walk *w = ctx;
  pa_store_health_share s;
  share_row(st, &s);
  return w->fn(w->ctx, &s);
}

int pa_store_health_shares(pa_store *db, int64_t pet, pa_store_health_share_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " SHARE_COLS " FROM health_shares WHERE pet_id = ?1"
                                   " ORDER BY created_at DESC, id DESC");
  if (!st) return PA_STORE_EDB;
  share_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, pet), each_share, &w, "health shares");
}

int pa_store_health_share_revoke(pa_store *db, int64_t pet, int64_t id, int64_t now) {
  const int64_t args[3] = {id, pet, now};
  int64_t found = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM health_shares WHERE id = ?1 AND pet_id = ?2",
                            2, args, &found);
  if (rc != PA_STORE_OK) return rc;
  if (!found) return PA_STORE_ENOTFOUND;
  return pa_sq_exec_i64(db,
                        "UPDATE health_shares SET revoked_at = ?3"
                        " WHERE id = ?1 AND pet_id = ?2 AND revoked_at IS NULL",
                        3, args, NULL);
}

int pa_store_health_share_find(pa_store *db, const unsigned char hash[32],
                               pa_store_health_share *out) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT " SHARE_COLS " FROM health_shares WHERE token_hash = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_blob(st, 1, hash, 32);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int outc;
  if (rc == PA_SQ_ROW) {
    share_row(st, out);
    outc = PA_STORE_OK;
  } else {
    outc = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "health share");
  }
  pa_sq_done(st);
  return outc;
}
