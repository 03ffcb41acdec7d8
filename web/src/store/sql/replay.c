/* pa_store_replay: a replay's reel, a recording folder's fate. */
#include "store/replay.h"

#include "store/sql/sql.h"

int pa_store_replay_reel_add(pa_store *db, const pa_store_replay_reel *r, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at, kind,"
          " duration_ms, live_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'replay', ?7, ?8) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, r->author_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, r->pet_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, r->video);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, r->poster);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, r->caption ? r->caption : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, r->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, r->duration_ms);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, r->live_id);
  return pa_sq_run(db, st, rc, "add replay reel", id, NULL);
}

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
