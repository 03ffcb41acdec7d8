/* A stand-in for the live.* socket hub (api/live.h) until lane lsock's
 * web/src/api/live_socket.c lands: lsock deletes this file. Nobody is ever
 * joined here, so pushes go nowhere and counts are 0.
 * Every definition is weak, so live_socket.c linking beside it wins. */
#include "api/live.h"

__attribute__((weak)) void pa_live_frame(const pa_srv *srv, struct pa_store *db, uint64_t conn,
                                         int64_t user, const char *data, size_t len) {
  (void)srv, (void)db, (void)conn, (void)user, (void)data, (void)len;
}
__attribute__((weak)) void pa_live_socket_closed(const pa_srv *srv, uint64_t conn) {
  (void)srv, (void)conn;
}
__attribute__((weak)) void pa_live_push(const pa_srv *srv, int64_t live, const char *text) {
  (void)srv, (void)live, (void)text;
}
__attribute__((weak)) void pa_live_push_user(const pa_srv *srv, int64_t live, int64_t user,
                                             const char *text) {
  (void)srv, (void)live, (void)user, (void)text;
}
__attribute__((weak)) int pa_live_viewers(const pa_srv *srv, int64_t live) {
  (void)srv, (void)live;
  return 0;
}
__attribute__((weak)) void pa_live_drop(const pa_srv *srv, int64_t live, int64_t user) {
  (void)srv, (void)live, (void)user;
}
