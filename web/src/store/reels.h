/* pa_store_reels — reels: a short video of a pet with a poster image and a
 * caption, listed newest first. */
#ifndef PA_STORE_REELS_H
#define PA_STORE_REELS_H

#include "store/media.h"
#include "store/store.h"

typedef struct pa_store_reel {
  int64_t id, created_at;
  const char *caption;
  pa_store_person author;
  pa_store_pet_ref pet;
  pa_store_media_ref video, poster;
  pa_store_media_ref video_alt; /* the same clip in another format; hash NULL when none */
  int hidden;                   /* a moderator hid it: only its author reads it, marked */
  /* A live's replay (issue 24, kind 'replay'): its live and length; both 0
   * for a reel. */
  int64_t replay_live, duration_ms;
} pa_store_reel;

typedef int (*pa_store_reel_fn)(void *ctx, const pa_store_reel *r);

/* A page of the reels viewer may see (0: nobody signed in), newest first
 * (store.h's paging): none of a person in a block with viewer either way, or
 * muted by viewer, or whose account is private and not followed by viewer,
 * nor one a moderator hid, but to its author; never an ad creative's reel
 * (campaign_id set: it reaches people only as a sponsored reel). */
int pa_store_reels_list(pa_store *db, int64_t viewer, const pa_store_cursor *after, int limit,
                        pa_store_reel_fn fn, void *ctx, pa_store_cursor *next, int *more);
/* Calls fn once for reel id; PA_STORE_ENOTFOUND when there is no such reel or
 * viewer may not see it (blocks, private accounts: as pa_store_reels_list,
 * mutes aside). */
int pa_store_reels_get(pa_store *db, int64_t id, int64_t viewer, pa_store_reel_fn fn, void *ctx);

typedef struct pa_store_new_reel {
  int64_t author_id, pet_id;
  int64_t campaign_id;        /* an ad creative's reel (never listed organically), or 0 */
  const char *video, *poster; /* stored files' hashes */
  const char *video_alt;      /* the same clip in another format, or NULL */
  const char *caption;
  int64_t created_at;
  int64_t replay_live; /* a live's replay (kind 'replay'), or 0: a reel */
  int64_t duration_ms; /* the clip's length, or 0 when unknown (stored NULL) */
} pa_store_new_reel;

/* Inserts a reel: *id. The caller checks the uploads and the pet in the
 * same transaction. */
int pa_store_reels_add(pa_store *db, const pa_store_new_reel *r, int64_t *id);

/* The author of reel id; PA_STORE_ENOTFOUND when there is no such reel. */
int pa_store_reels_owner(pa_store *db, int64_t id, int64_t *owner);
/* Hides reel id from everyone but its author (hidden 1) or shows it again
 * (0): moderation. PA_STORE_ENOTFOUND when there is no such reel. */
int pa_store_reels_set_hidden(pa_store *db, int64_t id, int hidden);
/* Deletes reel id; its files are then queued for collection. */
int pa_store_reels_delete(pa_store *db, int64_t id);

#endif
