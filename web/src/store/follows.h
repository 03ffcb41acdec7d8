/* pa_store_follows — who follows whom: people following people, and people
 * following pets. Lists are walked newest follow first; their position is
 * {the follow's time, the listed person's id}. */
#ifndef PA_STORE_FOLLOWS_H
#define PA_STORE_FOLLOWS_H

#include "store/people.h"
#include "store/store.h"

/* What is followed. */
typedef enum pa_store_follow_kind {
  PA_STORE_FOLLOW_PERSON,
  PA_STORE_FOLLOW_PET
} pa_store_follow_kind;

/* follower starts following target (a person other than themselves, or a
 * pet) at `now`; following again changes nothing. */
int pa_store_follows_add(pa_store *db, pa_store_follow_kind kind, int64_t follower, int64_t target,
                         int64_t now);
/* follower stops following target; not following changes nothing. */
int pa_store_follows_remove(pa_store *db, pa_store_follow_kind kind, int64_t follower,
                            int64_t target);
/* How many people follow target: everyone's count, blocks or not (the
 * lists leave out who is in a block with the viewer; store/sql/follows.c
 * says why the counts do not). */
int pa_store_follows_count(pa_store *db, pa_store_follow_kind kind, int64_t target, int64_t *out);

/* The people who follow target, as viewer (0: nobody signed in) sees them:
 * none in a block with viewer, either way. */
int pa_store_follows_followers(pa_store *db, pa_store_follow_kind kind, int64_t target,
                               int64_t viewer, const pa_store_cursor *after, int limit,
                               pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more);
/* The people user follows, as viewer sees them (as pa_store_follows_followers). */
int pa_store_follows_following(pa_store *db, int64_t user, int64_t viewer,
                               const pa_store_cursor *after, int limit, pa_store_person_fn fn,
                               void *ctx, pa_store_cursor *next, int *more);

#endif
