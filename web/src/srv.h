/* pa_srv — the HTTP server: static shell, media files and the JSON API.
 *
 * The transport (net/net.h) reads requests on one event-loop thread and runs
 * them on worker threads; each worker owns one database connection for its
 * whole life. Every response carries the security headers. */
#ifndef PA_SRV_H
#define PA_SRV_H

#include <stddef.h>

enum {
  PA_SRV_OK = 0,
  PA_SRV_EINVAL = -1, /* bad configuration: see the message */
  PA_SRV_ESTART = -2, /* could not listen */
  PA_SRV_ENOMEM = -3
};

typedef struct pa_srv_config {
  const char *root;                 /* static site directory, served at "/" */
  const char *data_dir;             /* holds petamigos.db (already migrated) and media/ */
  const char *host;                 /* numeric IPv4 or IPv6 address to listen on */
  int port;                         /* 0 picks a free port; pa_srv_port tells which */
  const struct pa_origins *origins; /* public origins (origin.h); NULL or empty: the default
                                       for host and the port listened on */
  const char *proxy_from;           /* PA_PROXY_FROM (net/proxy.h); NULL: nobody */
} pa_srv_config;

typedef struct pa_srv pa_srv;

const char *pa_srv_errstr(int rc);

/* Starts listening and serving in background threads. On success the caller
 * stops the server and frees *out with pa_srv_stop; on failure *out is NULL
 * and err holds a message. */
int pa_srv_start(const pa_srv_config *cfg, pa_srv **out, char *err, size_t errlen);

/* The port actually listened on. */
int pa_srv_port(const pa_srv *srv);

struct pa_janus_config;
/* Live streaming's Janus instances and secrets (PA_JANUS, read at start), or
 * NULL when PA_JANUS is unset (live off: the live routes answer 503). Owned
 * by the server; valid until pa_srv_stop. */
const struct pa_janus_config *pa_srv_janus(const pa_srv *srv);

struct pa_store;
/* One housekeeping pass: deletes stories expired an hour ago, expired
 * sessions and orphaned
 * media, and recomputes ranking vectors when likes changed (any change when
 * force_embed, else PA_EMBED_RECOMPUTE_LIKES) or posts lack one. The server
 * runs it every 30 s on its own connection; main runs it once at startup. */
struct pa_mstore;
void pa_srv_chores(struct pa_mstore *media, struct pa_store *db, int force_embed);

/* From now on GET /api/v1/ready answers 503 (everything else is served as
 * before): a load balancer takes this process out before pa_srv_stop.
 * pa_srv_stop drains too, first thing. */
void pa_srv_drain(pa_srv *srv);

/* Finishes requests in flight, closes connections and frees srv. */
void pa_srv_stop(pa_srv *srv);

#endif
