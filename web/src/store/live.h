/* pa_store_live — live streams (issue 24; web/README.md, "Live"): a person's
 * broadcast with a pet through a Janus VideoRoom room of ours, its comments,
 * the people the broadcaster keeps out of it, and its replay's progress.
 * A live goes starting -> live (first on air) -> ended; at most one is not
 * ended per person. Strings in the structs handed to callbacks live until the
 * callback returns. Times are seconds; 0 in a struct means NULL. */
#ifndef PA_STORE_LIVE_H
#define PA_STORE_LIVE_H

#include "store/store.h"

typedef struct pa_store_live {
  int64_t id, user_id, pet_id;
  const char *title;       /* '' when none */
  const char *state;       /* "starting" | "live" | "ended" */
  const char *instance;    /* the Janus instance's name (PA_JANUS) */
  int64_t room, feed;      /* the room and the publisher id the broadcaster must use */
  const char *room_secret; /* ours: never leaves the server */
  int64_t created_at, started_at, seen_at, ended_at;
  const char *end_reason;   /* NULL until ended: owner | moderator | lost | max | failed */
  int keep;                 /* the broadcaster kept the recording */
  const char *replay_state; /* none | pending | processing | ready | failed */
  int64_t reel_id;          /* the replay's reel, 0 when none */
  int64_t viewers_peak, hearts, comments;
  pa_store_person author;
  pa_store_pet_ref pet;
} pa_store_live;

typedef int (*pa_store_live_fn)(void *ctx, const pa_store_live *l);

typedef struct pa_store_new_live {
  int64_t user_id, pet_id;
  const char *title;
  const char *instance;
  int64_t room, feed;
  const char *room_secret;
  int64_t created_at;
} pa_store_new_live;

/* Inserts a starting live: *id. PA_STORE_ECONFLICT when the person already
 * has one not ended (the partial unique index: two racing starts meet it).
 * The caller checks the pet is the person's. */
int pa_store_live_create(pa_store *db, const pa_store_new_live *l, int64_t *id);
/* Calls fn once for live id, whoever asks; PA_STORE_ENOTFOUND when none. */
int pa_store_live_get(pa_store *db, int64_t id, pa_store_live_fn fn, void *ctx);
/* PA_STORE_OK when viewer (0: nobody) may see live id: no block between
 * viewer and the broadcaster either way, the broadcaster's account public or
 * followed by viewer, and not starting unless viewer is the broadcaster;
 * PA_STORE_ENOTFOUND otherwise (ended lives stay visible). */
int pa_store_live_visible(pa_store *db, int64_t id, int64_t viewer);
/* The person's live that has not ended: *id; PA_STORE_ENOTFOUND when none. */
int pa_store_live_active_of_user(pa_store *db, int64_t user, int64_t *id);
/* The feed publishes: starting -> live with started_at = now (*first 1), or
 * already live (*first 0); seen_at = now either way. PA_STORE_ENOTFOUND when
 * there is no such live, it has ended or feed is not its feed. */
int pa_store_live_on_air(pa_store *db, int64_t id, int64_t feed, int64_t now, int *first);
/* A new publisher id after a reconnect; PA_STORE_ENOTFOUND when ended. */
int pa_store_live_set_feed(pa_store *db, int64_t id, int64_t feed);
/* The watchdog saw the feed publishing at now. */
int pa_store_live_seen(pa_store *db, int64_t id, int64_t now);
/* Ends live id at now for reason (owner | moderator | lost | max | failed);
 * keep 1 sets replay_state 'pending' (lrec's worker builds it), 0 'none'.
 * PA_STORE_ENOTFOUND when there is no such live, PA_STORE_ECONFLICT when it
 * has already ended (two ends race: one wins). */
int pa_store_live_end(pa_store *db, int64_t id, const char *reason, int keep, int64_t now);
/* Calls fn for every live not ended, newest first (the watchdog, the
 * moderators' console). */
int pa_store_live_active_list(pa_store *db, pa_store_live_fn fn, void *ctx);
/* counts[i] = how many lives not ended are on instance names[i], i < n. */
int pa_store_live_instance_load(pa_store *db, const char *const *names, int n, int *counts);

typedef struct pa_store_live_comment {
  int64_t id, live_id, created_at;
  const char *text;
  pa_store_person author;
} pa_store_live_comment;
typedef int (*pa_store_live_comment_fn)(void *ctx, const pa_store_live_comment *c);

/* Adds user's comment to live (and counts it): *id. The caller checked
 * the text, the live and the person. */
int pa_store_live_comment_add(pa_store *db, int64_t live, int64_t user, const char *text,
                              int64_t now, int64_t *id);
/* Removes comment of live (by: who removed it). PA_STORE_ENOTFOUND when the
 * comment is not of that live or already removed. */
int pa_store_live_comment_remove(pa_store *db, int64_t live, int64_t comment, int64_t by,
                                 int64_t now);
/* Calls fn for the newest limit comments of live not removed, oldest first. */
int pa_store_live_comments_recent(pa_store *db, int64_t live, int limit,
                                  pa_store_live_comment_fn fn, void *ctx);
/* Calls fn once for comment (of any live, removed or not); ENOTFOUND when none. */
int pa_store_live_comment_get(pa_store *db, int64_t comment, pa_store_live_comment_fn fn,
                              void *ctx);

/* Keeps user out of live (again is no change). */
int pa_store_live_block_add(pa_store *db, int64_t live, int64_t user, int64_t now);
/* 1 when user is kept out of live, 0 when not, or a PA_STORE_E* code. */
int pa_store_live_is_blocked(pa_store *db, int64_t live, int64_t user);

/* hearts += n. */
int pa_store_live_hearts_add(pa_store *db, int64_t live, int64_t n);
/* viewers_peak = max(viewers_peak, n). */
int pa_store_live_viewers_peak(pa_store *db, int64_t live, int64_t n);
/* replay_state = state (pending | processing | ready | failed). */
int pa_store_live_replay_state(pa_store *db, int64_t live, const char *state);
/* The replay is reel: replay_state 'ready', reel_id = reel. */
int pa_store_live_replay_done(pa_store *db, int64_t live, int64_t reel);
/* Calls fn for every ended live whose replay is pending or processing,
 * oldest first (lrec's worker at start). */
int pa_store_live_replays_pending(pa_store *db, pa_store_live_fn fn, void *ctx);

/* Calls fn for the lives on air (state live) in viewer's stories tray:
 * viewer's own and those of the people and pets viewer follows, each visible
 * to viewer (pa_store_live_visible), newest started first. */
int pa_store_live_tray(pa_store *db, int64_t viewer, pa_store_live_fn fn, void *ctx);
/* The notice 'live' (actor the broadcaster, the live's pet, detail: a JSON
 * object naming the live, {"live":"live_N",...}) to each follower of the broadcaster or of the
 * live's pet, once each (a notice for this live already there is not repeated), none to anyone in a
 * block with the broadcaster either way nor to the broadcaster; *sent: how many were written. */
int pa_store_live_notify_followers(pa_store *db, int64_t live, const char *detail, int64_t now,
                                   int *sent);

#endif
