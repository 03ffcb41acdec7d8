/* pa_store_safety: blocks, mutes, private accounts and follow requests. */
#include "store/safety.h"

#include "store/sql/sql.h"

/* By pa_store_safety_kind: the table's insert, delete, count and list. */
static const char *const add_sql[] = {
    "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING",
    "INSERT INTO mutes (muter_id, muted_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING"};
static const char *const remove_sql[] = {
    "DELETE FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2",
    "DELETE FROM mutes WHERE muter_id = ?1 AND muted_id = ?2"};
static const char *const count_sql[] = {"SELECT count(*) FROM blocks WHERE blocker_id = ?1",
                                        "SELECT count(*) FROM mutes WHERE muter_id = ?1"};

#define PERSON PA_SQ_PERSON_COLS("u", "m")
/* ?1 the person, ?2 ?3 the cursor, ?4 the row limit. */
static const char *const list_sql[] = {
    "SELECT s.created_at, " PERSON " FROM blocks s"
    "  JOIN users u ON u.id = s.blocked_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE s.blocker_id = ?1 AND (s.created_at, u.id) < (?2, ?3)"
    " ORDER BY s.created_at DESC, u.id DESC LIMIT ?4",
    "SELECT s.created_at, " PERSON " FROM mutes s"
    "  JOIN users u ON u.id = s.muted_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE s.muter_id = ?1 AND (s.created_at, u.id) < (?2, ?3)"
    " ORDER BY s.created_at DESC, u.id DESC LIMIT ?4"};
static const char requests_sql[] =
    "SELECT r.created_at, " PERSON " FROM follow_requests r"
    "  JOIN users u ON u.id = r.requester_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE r.target_id = ?1 AND (r.created_at, u.id) < (?2, ?3)"
    " ORDER BY r.created_at DESC, u.id DESC LIMIT ?4";

/* What a block ends, both ways (?1 ?2 the two people). */
static const char *const block_ends[] = {
    "DELETE FROM follows WHERE (follower_id = ?1 AND followee_id = ?2)"
    " OR (follower_id = ?2 AND followee_id = ?1)",
    "DELETE FROM pet_follows WHERE (follower_id = ?1 AND pet_id IN"
    " (SELECT id FROM pets WHERE owner_id = ?2)) OR (follower_id = ?2 AND pet_id IN"
    " (SELECT id FROM pets WHERE owner_id = ?1))",
    "DELETE FROM follow_requests WHERE (requester_id = ?1 AND target_id = ?2)"
    " OR (requester_id = ?2 AND target_id = ?1)",
    "DELETE FROM notifications WHERE (user_id = ?1 AND actor_id = ?2)"
    " OR (user_id = ?2 AND actor_id = ?1)",
    "DELETE FROM notices WHERE (user_id = ?1 AND actor_id = ?2)"
    " OR (user_id = ?2 AND actor_id = ?1)"};

static int known(pa_store *db, pa_store_safety_kind kind) {
  if (kind == PA_STORE_SAFETY_BLOCK || kind == PA_STORE_SAFETY_MUTE) return 1;
  pa_sq_failf(db, PA_STORE_EINVAL, "safety: bad kind");
  return 0;
}

int pa_store_safety_add(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t whom,
                        int64_t now) {
  if (!known(db, kind)) return PA_STORE_EINVAL;
  int64_t args[3] = {who, whom, now};
  int rc = pa_sq_exec_i64(db, add_sql[kind], 3, args, NULL);
  for (size_t i = 0; rc == PA_STORE_OK && kind == PA_STORE_SAFETY_BLOCK &&
                     i < sizeof block_ends / sizeof block_ends[0];
       i++)
    rc = pa_sq_exec_i64(db, block_ends[i], 2, args, NULL);
  return rc;
}

int pa_store_safety_remove(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t whom) {
  int64_t args[2] = {who, whom};
  return known(db, kind) ? pa_sq_exec_i64(db, remove_sql[kind], 2, args, NULL) : PA_STORE_EINVAL;
}

int pa_store_safety_count(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t *out) {
  return known(db, kind) ? pa_sq_scalar_i64(db, count_sql[kind], 1, &who, out) : PA_STORE_EINVAL;
}

int pa_store_safety_list(pa_store *db, pa_store_safety_kind kind, int64_t who,
                         const pa_store_cursor *after, int limit, pa_store_person_fn fn, void *ctx,
                         pa_store_cursor *next, int *more) {
  *more = 0;
  if (!known(db, kind)) return PA_STORE_EINVAL;
  return pa_sq_people_page(db, list_sql[kind], who, after, limit, fn, ctx, next, more, "safety");
}

/* ?1 the viewer, ?2 the person: the PA_STORE_REL_* bits in one row. */
static const char relation_sql[] =
    "SELECT (CASE WHEN EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = u.id)"
    "        THEN 1 ELSE 0 END)"
    "     + (CASE WHEN EXISTS (SELECT 1 FROM blocks WHERE blocker_id = u.id AND blocked_id = ?1)"
    "        THEN 2 ELSE 0 END)"
    "     + (CASE WHEN EXISTS (SELECT 1 FROM mutes WHERE muter_id = ?1 AND muted_id = u.id)"
    "        THEN 4 ELSE 0 END)"
    "     + (CASE WHEN EXISTS (SELECT 1 FROM follows WHERE follower_id = ?1 AND followee_id = u.id)"
    "        THEN 8 ELSE 0 END)"
    "     + (CASE WHEN EXISTS (SELECT 1 FROM follow_requests"
    "                          WHERE requester_id = ?1 AND target_id = u.id) THEN 16 ELSE 0 END)"
    "     + (CASE WHEN u.private = 1 THEN 32 ELSE 0 END)"
    "     + (CASE WHEN u.id = ?1 THEN 64 ELSE 0 END)"
    "     + (CASE WHEN EXISTS (SELECT 1 FROM follows WHERE follower_id = u.id AND followee_id = ?1)"
    "        THEN 128 ELSE 0 END)"
    "  FROM users u WHERE u.id = ?2";

int pa_store_safety_relation(pa_store *db, int64_t viewer, int64_t person, int *out) {
  int64_t args[2] = {viewer, person}, v = 0;
  int rc = pa_sq_scalar_i64(db, relation_sql, 2, args, &v);
  *out = (int)v;
  return rc;
}

int pa_store_safety_blocked(pa_store *db, int64_t a, int64_t b, int *out) {
  int64_t args[2] = {a, b}, n = 0;
  int rc =
      pa_sq_scalar_i64(db,
                       "SELECT count(*) FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2)"
                       " OR (blocker_id = ?2 AND blocked_id = ?1)",
                       2, args, &n);
  *out = n > 0;
  return rc;
}

int pa_store_safety_sees_posts(int rel) {
  if (rel & (PA_STORE_REL_BLOCKS | PA_STORE_REL_BLOCKED_BY)) return 0;
  return !(rel & PA_STORE_REL_PRIVATE) || (rel & (PA_STORE_REL_SELF | PA_STORE_REL_FOLLOWS));
}

int pa_store_safety_set_private(pa_store *db, int64_t user, int on, int64_t now) {
  int64_t args[3] = {user, on ? 1 : 0, now};
  int rc = pa_sq_exec_i64(db, "UPDATE users SET private = ?2 WHERE id = ?1", 2, args, NULL);
  if (rc != PA_STORE_OK || on) return rc;
  /* Going public: whoever asked now simply follows. */
  rc = pa_sq_exec_i64(db,
                      "INSERT INTO follows (follower_id, followee_id, created_at)"
                      " SELECT requester_id, target_id, ?3 FROM follow_requests"
                      "  WHERE target_id = ?1 AND ?2 = ?2 ON CONFLICT DO NOTHING",
                      3, args, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db, "DELETE FROM follow_requests WHERE target_id = ?1", 1, args, NULL);
  return rc;
}

int pa_store_safety_request_add(pa_store *db, int64_t requester, int64_t target, int64_t now) {
  int64_t args[3] = {requester, target, now};
  return pa_sq_exec_i64(db,
                        "INSERT INTO follow_requests (requester_id, target_id, created_at)"
                        " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                        3, args, NULL);
}

int pa_store_safety_requests_out(pa_store *db, int64_t requester, int64_t *out) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM follow_requests WHERE requester_id = ?1", 1,
                          &requester, out);
}

int pa_store_safety_request_answer(pa_store *db, int64_t target, int64_t requester, int accept,
                                   int64_t now) {
  int64_t args[3] = {requester, target, now};
  int changes = 0;
  int rc =
      pa_sq_exec_i64(db, "DELETE FROM follow_requests WHERE requester_id = ?1 AND target_id = ?2",
                     2, args, &changes);
  if (rc != PA_STORE_OK) return rc;
  if (changes == 0) return PA_STORE_ENOTFOUND;
  /* The notice that asked is answered now: it leaves the target's list. */
  rc = pa_sq_exec_i64(db,
                      "DELETE FROM notices WHERE user_id = ?2 AND actor_id = ?1"
                      " AND kind = 'follow_request'",
                      2, args, NULL);
  if (rc != PA_STORE_OK || !accept) return rc;
  return pa_sq_exec_i64(db,
                        "INSERT INTO follows (follower_id, followee_id, created_at)"
                        " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                        3, args, NULL);
}

int pa_store_safety_requests(pa_store *db, int64_t target, const pa_store_cursor *after, int limit,
                             pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more) {
  return pa_sq_people_page(db, requests_sql, target, after, limit, fn, ctx, next, more, "safety");
}
