/* A stand-in for what live_socket.c calls of lane lapi's (store/live.h's
 * SQL and api/live.c's Live JSON) until h/lapi's implementation lands: lane
 * lsock deletes this file then. Every definition is weak, so the real ones
 * linking beside it win; here every store call fails (PA_STORE_EDB). */
#include "api/live.h"
#include "store/live.h"

__attribute__((weak)) cJSON *pa_live_json(const pa_srv *srv, struct pa_store *db, int64_t id) {
  (void)srv, (void)db, (void)id;
  return NULL;
}
__attribute__((weak)) int pa_store_live_get(pa_store *db, int64_t id, pa_store_live_fn fn,
                                            void *ctx) {
  (void)db, (void)id, (void)fn, (void)ctx;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_visible(pa_store *db, int64_t id, int64_t viewer) {
  (void)db, (void)id, (void)viewer;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_comment_add(pa_store *db, int64_t live, int64_t user,
                                                    const char *text, int64_t now, int64_t *id) {
  (void)db, (void)live, (void)user, (void)text, (void)now, (void)id;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_comment_get(pa_store *db, int64_t comment,
                                                    pa_store_live_comment_fn fn, void *ctx) {
  (void)db, (void)comment, (void)fn, (void)ctx;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_comments_recent(pa_store *db, int64_t live, int limit,
                                                        pa_store_live_comment_fn fn, void *ctx) {
  (void)db, (void)live, (void)limit, (void)fn, (void)ctx;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_is_blocked(pa_store *db, int64_t live, int64_t user) {
  (void)db, (void)live, (void)user;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_hearts_add(pa_store *db, int64_t live, int64_t n) {
  (void)db, (void)live, (void)n;
  return PA_STORE_EDB;
}
__attribute__((weak)) int pa_store_live_viewers_peak(pa_store *db, int64_t live, int64_t n) {
  (void)db, (void)live, (void)n;
  return PA_STORE_EDB;
}
