/* pa_store_replay — what the replay worker (live_replay_worker.c) reads
 * beside the live store: what becomes of a room's recording folder. (A
 * replay's reel is pa_store_reels_add's, with replay_live.) */
#ifndef PA_STORE_REPLAY_H
#define PA_STORE_REPLAY_H

#include "store/store.h"

enum {
  PA_STORE_REPLAY_KEEP = 0,  /* the live is on, its replay is being made or failed: keep it */
  PA_STORE_REPLAY_DELETE = 1 /* ended and discarded, or its replay is ready: delete it */
};
/* What becomes of the recording folder of Janus room `room`: *fate a
 * PA_STORE_REPLAY_* value. PA_STORE_ENOTFOUND when no live has that room
 * (a live being started: its folder comes before its row). */
int pa_store_replay_room_fate(pa_store *db, int64_t room, int *fate);

#endif
