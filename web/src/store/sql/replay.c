/* pa_store_replay: a recording folder's fate. */
#include "store/replay.h"

#include "store/sql/sql.h"

int pa_store_replay_room_fate(pa_store *db, int64_t room, int *fate) {
  /* The smallest: a room id is random in [1, 2^53), so two lives sharing
   * one is unlikely; if they do, the folder is kept while either needs it. */
  int64_t v = 0;
  int rc = pa_sq_scalar_i64(
      db,
      "SELECT CASE WHEN state = 'ended' AND (keep = 0 OR replay_state = 'ready') THEN 1"
      " ELSE 0 END FROM lives WHERE room = ?1 ORDER BY 1 LIMIT 1",
      1, &room, &v);
  *fate = rc == PA_STORE_OK && v == 1 ? PA_STORE_REPLAY_DELETE : PA_STORE_REPLAY_KEEP;
  return rc;
}
