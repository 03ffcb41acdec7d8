/* pa_store_safety — blocks, mutes, private accounts and their follow
 * requests (issue 19). A block is kept once, by who made it, and counts both
 * ways: either direction hides the two people from each other everywhere
 * (store/sql/visible.h is the SQL every listing uses for it). A mute is one
 * way and silent. A private person's posts are for their followers, whom
 * they approve through follow requests. Lists walk newest first; their
 * position is {the row's time, the listed person's id}. */
#ifndef PA_STORE_SAFETY_H
#define PA_STORE_SAFETY_H

#include "store/people.h"
#include "store/store.h"

enum {
  /* People one person may block, and mute: a bound on the rows every
   * listing's NOT EXISTS probes (by primary key, so it is cheap; the bound
   * keeps a script from filling the table). Generous for a person. */
  PA_STORE_BLOCKS_MAX = 2000,
  PA_STORE_MUTES_MAX = 2000,
  /* Follow requests one person may have waiting for answers, so that a
   * script cannot flood every private account's list. */
  PA_STORE_FOLLOW_REQUESTS_OUT_MAX = 500
};

/* Which one-way list: who a person blocked, or muted. */
typedef enum pa_store_safety_kind {
  PA_STORE_SAFETY_BLOCK,
  PA_STORE_SAFETY_MUTE
} pa_store_safety_kind;

/* who blocks (or mutes) whom at `now`; again changes nothing. A block also
 * ends, both ways, the two people's follows, their follows of each other's
 * pets and their follow requests. Call inside a transaction (a block writes
 * several tables). */
int pa_store_safety_add(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t whom,
                        int64_t now);
/* Undoes pa_store_safety_add (follows stay ended); absent changes nothing. */
int pa_store_safety_remove(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t whom);
/* How many people who blocked (or muted). */
int pa_store_safety_count(pa_store *db, pa_store_safety_kind kind, int64_t who, int64_t *out);
/* The people who blocked (or muted), newest first. */
int pa_store_safety_list(pa_store *db, pa_store_safety_kind kind, int64_t who,
                         const pa_store_cursor *after, int limit, pa_store_person_fn fn, void *ctx,
                         pa_store_cursor *next, int *more);

/* How viewer (0 for nobody) stands with person: the flags below. */
enum {
  PA_STORE_REL_BLOCKS = 1,       /* viewer blocked person */
  PA_STORE_REL_BLOCKED_BY = 2,   /* person blocked viewer */
  PA_STORE_REL_MUTES = 4,        /* viewer muted person */
  PA_STORE_REL_FOLLOWS = 8,      /* viewer follows person */
  PA_STORE_REL_REQUESTED = 16,   /* viewer asked to follow person, unanswered */
  PA_STORE_REL_PRIVATE = 32,     /* person's account is private */
  PA_STORE_REL_SELF = 64,        /* viewer is person */
  PA_STORE_REL_FOLLOWED_BY = 128 /* person follows viewer */
};
/* PA_STORE_ENOTFOUND when person does not exist. */
int pa_store_safety_relation(pa_store *db, int64_t viewer, int64_t person, int *out);
/* Whether a and b are in a block, either way (*out 1 or 0): one probe of
 * the primary key and its reverse index, for the chat relay's every frame. */
int pa_store_safety_blocked(pa_store *db, int64_t a, int64_t b, int *out);
/* Whether viewer may see person's posts given a relation: no block either
 * way, and the account public, viewer's own, or followed by viewer. */
int pa_store_safety_sees_posts(int rel);

/* Makes user's account private (1) or public (0). Going public accepts
 * every waiting follow request at `now`. */
int pa_store_safety_set_private(pa_store *db, int64_t user, int on, int64_t now);

/* requester asks to follow target at `now`; again changes nothing. */
int pa_store_safety_request_add(pa_store *db, int64_t requester, int64_t target, int64_t now);
/* How many requests requester has waiting. */
int pa_store_safety_requests_out(pa_store *db, int64_t requester, int64_t *out);
/* target accepts (the follow starts at `now`) or declines requester's
 * request (accept 0), or requester withdraws it (also accept 0); the
 * follow_request notice it wrote goes either way. PA_STORE_ENOTFOUND when
 * there is none. */
int pa_store_safety_request_answer(pa_store *db, int64_t target, int64_t requester, int accept,
                                   int64_t now);
/* The people waiting for target's answer, newest first. */
int pa_store_safety_requests(pa_store *db, int64_t target, const pa_store_cursor *after, int limit,
                             pa_store_person_fn fn, void *ctx, pa_store_cursor *next, int *more);

#endif
