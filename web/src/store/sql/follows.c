/* pa_store_follows: follows (person → person) and pet_follows
 * (person → pet). */
#include "store/follows.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

/* By pa_store_follow_kind. */
static const char *const follow_sql[] = {
    "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING",
    "INSERT INTO pet_follows (follower_id, pet_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING"};
static const char *const unfollow_sql[] = {
    "DELETE FROM follows WHERE follower_id = ?1 AND followee_id = ?2",
    "DELETE FROM pet_follows WHERE follower_id = ?1 AND pet_id = ?2"};
static const char *const count_sql[] = {"SELECT count(*) FROM follows WHERE followee_id = ?1",
                                        "SELECT count(*) FROM pet_follows WHERE pet_id = ?1"};

/* The person listed. */
#define PERSON PA_SQ_PERSON_COLS("u", "m")
/* ?1 the person or pet, ?2 ?3 the cursor (follow time, listed person's id), ?4 the row limit,
 * ?5 the viewer: nobody in a block with the viewer (either way) is listed.
 * The counts (pa_store_follows_count, the profile's) stay everyone's: the
 * person's or pet's own number, the same to every viewer, as the profile's
 * other counts are; a block keeps from the viewer who the hidden people
 * are, not that the person has them. */
#define UNBLOCKED " AND " PA_SQ_NOT_BLOCKED("?5", "u.id")
static const char *const followers_sql[] = {
    "SELECT f.created_at, " PERSON " FROM follows f"
    "  JOIN users u ON u.id = f.follower_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.followee_id = ?1 AND (f.created_at, u.id) < (?2, ?3)" UNBLOCKED
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4",
    "SELECT f.created_at, " PERSON " FROM pet_follows f"
    "  JOIN users u ON u.id = f.follower_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.pet_id = ?1 AND (f.created_at, u.id) < (?2, ?3)" UNBLOCKED
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4"};
static const char following_sql[] =
    "SELECT f.created_at, " PERSON " FROM follows f"
    "  JOIN users u ON u.id = f.followee_id LEFT JOIN media m ON m.hash = u.avatar"
    " WHERE f.follower_id = ?1 AND (f.created_at, u.id) < (?2, ?3)" UNBLOCKED
    " ORDER BY f.created_at DESC, u.id DESC LIMIT ?4";

static int known(pa_store *db, pa_store_follow_kind kind) {
  if (kind == PA_STORE_FOLLOW_PERSON || kind == PA_STORE_FOLLOW_PET) return 1;
  pa_sq_failf(db, PA_STORE_EINVAL, "follows: bad kind");
  return 0;
}

int pa_store_follows_add(pa_store *db, pa_store_follow_kind kind, int64_t follower, int64_t target,
                         int64_t now) {
  int64_t args[3] = {follower, target, now};
  return known(db, kind) ? pa_sq_exec_i64(db, follow_sql[kind], 3, args, NULL) : PA_STORE_EINVAL;
}

int pa_store_follows_remove(pa_store *db, pa_store_follow_kind kind, int64_t follower,
                            int64_t target) {
  int64_t args[2] = {follower, target};
  return known(db, kind) ? pa_sq_exec_i64(db, unfollow_sql[kind], 2, args, NULL) : PA_STORE_EINVAL;
}

int pa_store_follows_count(pa_store *db, pa_store_follow_kind kind, int64_t target, int64_t *out) {
  return known(db, kind) ? pa_sq_scalar_i64(db, count_sql[kind], 1, &target, out) : PA_STORE_EINVAL;
}

int pa_store_follows_followers(pa_store *db, pa_store_follow_kind kind, int64_t target,
                               int64_t viewer, const pa_store_cursor *after, int limit,
                               pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more) {
  *more = 0;
  if (!known(db, kind)) return PA_STORE_EINVAL;
  return pa_sq_people_page_for(db, followers_sql[kind], target, viewer, after, limit, fn, ctx, next,
                               more, "follows");
}

int pa_store_follows_following(pa_store *db, int64_t user, int64_t viewer,
                               const pa_store_cursor *after, int limit, pa_store_person_fn fn,
                               void *ctx, pa_store_cursor *next, int *more) {
  return pa_sq_people_page_for(db, following_sql, user, viewer, after, limit, fn, ctx, next, more,
                               "follows");
}
