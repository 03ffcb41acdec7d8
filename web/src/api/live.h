/* pa_api live — live streaming (issue 24; web/README.md, "Live"): the REST
 * routes (live.c, lane lapi), the live.* frames over the chat socket and
 * their hub (live_socket.c, lane lsock), and the limits both keep. The
 * server owns every Janus room (web/src/janus/janus.h): it creates each live's
 * room with its own secret, signs per-person tokens with Janus's
 * token_auth_secret and ends rooms; clients only ever join with a token. */
#ifndef PA_API_LIVE_H
#define PA_API_LIVE_H

#include "api/api.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_LIVE_TITLE_MAX = 80,        /* characters of a title (may be empty) */
  PA_LIVE_MAX_S = 3600,          /* a live is ended (reason max) past this */
  PA_LIVE_LOST_S = 60,           /* no publisher this long: ended (reason lost) */
  PA_LIVE_TOKEN_S = 600,         /* a Janus token's life; clients ask again at half */
  PA_LIVE_BITRATE = 1000000,     /* the room's bitrate cap, bits per second */
  PA_LIVE_STARTS_PER_HOUR = 10,  /* POST /lives per person per hour (PA_LIMIT_LIVE_START) */
  PA_LIVE_RECENT_COMMENTS = 50,  /* comments live.joined carries */
  PA_LIVE_COMMENT_MAX = 300,     /* characters of a comment, after trimming */
  PA_LIVE_COMMENTS_PER_MIN = 10, /* per person per live */
  PA_LIVE_HEARTS_PER_10S = 30,   /* per person per live */
};

struct pa_store;

/* The routes (api/router.c). */
void pa_api_live_start(pa_srv_req *rq);
void pa_api_live_get(pa_srv_req *rq);
void pa_api_live_on_air(pa_srv_req *rq);
void pa_api_live_reconnect(pa_srv_req *rq);
void pa_api_live_watch(pa_srv_req *rq);
void pa_api_live_end(pa_srv_req *rq);
void pa_api_live_comment_delete(pa_srv_req *rq);
void pa_api_live_block(pa_srv_req *rq);
void pa_api_admin_lives(pa_srv_req *rq);
void pa_api_admin_live_end(pa_srv_req *rq);

/* The Live JSON of live id as viewer sees it (contract §2): a new object the
 * caller owns (cJSON_Delete), or NULL when there is no such live or the
 * store failed. srv gives the current viewers (NULL: 0). */
cJSON *pa_live_json(const pa_srv *srv, struct pa_store *db, int64_t id);
/* Ends live id at now for reason with keep (the route, the moderators' route
 * and the watchdog all come here): the store's end, the Janus room
 * destroyed, live.ended to every socket joined, everyone dropped from it, and
 * lrec's worker woken when keep. PA_STORE_OK, PA_STORE_ENOTFOUND, or
 * PA_STORE_ECONFLICT when it had already ended. */
int pa_live_finish(const pa_srv *srv, struct pa_store *db, int64_t id, const char *reason, int keep,
                   int64_t now);
/* The watchdog's round (srv.c's chores): asks Janus for each live's
 * publishers; seen -> seen_at, absent PA_LIVE_LOST_S -> ended (lost), older
 * than PA_LIVE_MAX_S -> ended (max). Failures are logged, retried next round. */
void pa_live_watchdog(const pa_srv *srv, struct pa_store *db, int64_t now);
/* Wakes lrec's replay worker (a live ended with keep). Defined by lrec's
 * live_replay worker; a weak no-op stands in until it lands. */
void pa_live_replay_wake(const pa_srv *srv);

/* The hub of live.* frames over the chat socket (live_socket.c, lane lsock).
 * Until it lands, live_hub_stub.c stands in (lsock deletes it). */
void pa_live_frame(const pa_srv *srv, struct pa_store *db, uint64_t conn, int64_t user,
                   const char *data, size_t len); /* a live.* frame */
void pa_live_socket_closed(const pa_srv *srv, uint64_t conn);
void pa_live_push(const pa_srv *srv, int64_t live, const char *text); /* every socket joined */
void pa_live_push_user(const pa_srv *srv, int64_t live, int64_t user, const char *text);
int pa_live_viewers(const pa_srv *srv, int64_t live); /* distinct people, broadcaster excluded */
void pa_live_drop(const pa_srv *srv, int64_t live, int64_t user /* 0: everyone */);
/* Across processes (issue 25): registers the live.* bus handlers (srv.c,
 * before main.c starts the bus; srv must outlive it), which send the other
 * processes' frames to this one's sockets. 0, or -1 when the bus has no room. */
int pa_live_bus_on(const pa_srv *srv);

#endif
