/* pa_store_replay — the rows the replay worker (live_replay_worker.c) writes
 * and reads beside the live store: a replay's reel, and what becomes of a
 * room's recording folder. */
#ifndef PA_STORE_REPLAY_H
#define PA_STORE_REPLAY_H

#include "store/store.h"

typedef struct pa_store_replay_reel {
  int64_t author_id, pet_id, live_id;
  const char *video, *poster; /* stored files' hashes (their media rows written first) */
  const char *caption;        /* the live's title ('' when none) */
  int64_t duration_ms, created_at;
} pa_store_replay_reel;

/* Inserts the reel of kind 'replay' for live_id: *id. Not bound by the
 * reels' length or upload limits (the live's are the bounds). */
int pa_store_replay_reel_add(pa_store *db, const pa_store_replay_reel *r, int64_t *id);

enum {
  PA_STORE_REPLAY_KEEP = 0,  /* the live is on, its replay is being made or failed: keep it */
  PA_STORE_REPLAY_DELETE = 1 /* ended and discarded, or its replay is ready: delete it */
};
/* What becomes of the recording folder of Janus room `room`: *fate a
 * PA_STORE_REPLAY_* value. PA_STORE_ENOTFOUND when no live has that room
 * (a live being started: its folder comes before its row). */
int pa_store_replay_room_fate(pa_store *db, int64_t room, int *fate);

#endif
