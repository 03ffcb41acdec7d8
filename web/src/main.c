/* petamigos-server — serves the PetAmigos shell, media and API on this machine.
 *
 * Exit status: 0 after SIGINT/SIGTERM, 1 when the server could not run,
 * 2 for bad arguments. stdout carries exactly one line, once listening. */
#include "admin.h"
#include "ads_serving.h"
#include "aff.h"
#include "api/live.h"
#include "auth.h"
#include "auth/twostep.h"
#include "blob.h"
#include "clock.h"
#include "datadir.h"
#include "janus/cli.h"
#include "limit.h"
#include "live_replay.h"
#include "llm/cli.h"
#include "log.h"
#include "mstore.h"
#include "net/proxy.h"
#include "origin.h"
#include "pay/cli.h"
#include "redis/bus.h"
#include "redis/cli.h"
#include "redis/presence.h"
#include "redis/redis.h"
#include "srv.h"
#include "store/help.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "usage: petamigos-server --root DIR --data DIR [--port N] [--host ADDR]\n"
    "       petamigos-server admin --data DIR grant|revoke EMAIL ROLE | list\n"
    "                      (roles; `petamigos-server admin --help` says more)\n"
    "       petamigos-server pay COMMAND ARGS\n"
    "                      (marketplace adapter calls; `petamigos-server pay --help`)\n"
    "       petamigos-server llm ask [--timeout-ms N] QUESTION\n"
    "                      (checks PA_LLM_URL's model; `petamigos-server llm --help`)\n"
    "       petamigos-server replay build REC_DIR OUT_DIR\n"
    "                      (rebuilds a kept live's replay from its recording folder)\n"
    "       petamigos-server janus check\n"
    "                      (checks PA_JANUS's instances; `petamigos-server janus --help`)\n"
    "       petamigos-server redis check\n"
    "                      (checks PA_REDIS_URL's Redis; `petamigos-server redis --help`)\n"
    "  --root DIR     static site to serve at / (the built shell)\n"
    "  --data DIR     holds petamigos.db and media/ (created if missing)\n"
    "  --port N       TCP port, 0 for any free one (default 8080)\n"
    "  --host ADDR    numeric address to listen on (default 127.0.0.1)\n"
    "  --origin URL   an address people reach the server at, http(s)://host[:port]\n"
    "                 (repeatable, at most 8; the first builds links; default\n"
    "                 http://HOST:PORT, plus localhost on loopback)\n"
    "environment: PA_PUBLIC_ORIGINS=URL,URL when no --origin is given\n"
    "             PA_JANUS='NAME HTTP_URL WS_URL;...' live streaming's Janus\n"
    "                 instances, with PA_JANUS_SECRET, PA_JANUS_ADMIN_KEY and\n"
    "                 PA_JANUS_REC_DIR (web/README.md, \"Live: Janus\"; unset: off)\n"
    "             PA_MEDIA_DIR=DIR the media folder, shared by a cluster's processes\n"
    "                 (an absolute path; default DATA/media)\n"
    "             PA_DRAIN_MS=N on SIGTERM, serve N ms more with GET /api/v1/ready\n"
    "                 answering 503 (a load balancer takes the process out; a\n"
    "                 second signal ends it; at most 60000)\n"
    "             PA_REDIS_URL=redis://HOST:PORT[/DB] or unix:/PATH the Redis the\n"
    "                 processes of a cluster share (web/README.md, \"Cluster\";\n"
    "                 unset: everything stays in this process)\n"
    "             PA_HELP_DIR=DIR the help center's articles (default ROOT/help,\n"
    "                 which the wasm build fills from locales/help)\n"
    "             PA_TEST_CLOCK_OFFSET=SECONDS moves the server's clock (tests only)\n"
    "             PA_LIMIT_<PURPOSE>_BURST, _SLOTS lower a rate limit (web/README.md)\n"
    "             PA_NET_HEADER_MS, _REQUEST_MS, _IDLE_MS, _SEND_MS, _WS_PING_MS,\n"
    "             PA_NET_CONNS_MAX lower a deadline or the connection cap (tests)\n"
    "             PA_PROXY_FROM=ADDR[/BITS],... load balancers whose connections begin\n"
    "             with a PROXY protocol v2 header naming the client\n";

typedef struct args {
  const char *root, *data, *host;
  int port;
  pa_origins origins;     /* --origin, else PA_PUBLIC_ORIGINS; empty: the default */
  const char *proxy_from; /* PA_PROXY_FROM, checked here so a bad value stops the start */
} args;

/* 0: run; 1: --help was asked; -1: bad arguments (err says which). */
static int parse_args(int argc, char **argv, args *a, char *err, size_t errlen) {
  *a = (args){NULL, NULL, "127.0.0.1", 8080, {0}, NULL};
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) return 1;
    if (strcmp(opt, "--root") != 0 && strcmp(opt, "--data") != 0 && strcmp(opt, "--port") != 0 &&
        strcmp(opt, "--host") != 0 && strcmp(opt, "--origin") != 0) {
      snprintf(err, errlen, "unknown option %s", opt);
      return -1;
    }
    if (i + 1 >= argc) {
      snprintf(err, errlen, "%s needs a value", opt);
      return -1;
    }
    const char *val = argv[++i];
    if (strcmp(opt, "--root") == 0) {
      a->root = val;
    } else if (strcmp(opt, "--data") == 0) {
      a->data = val;
    } else if (strcmp(opt, "--host") == 0) {
      a->host = val;
    } else if (strcmp(opt, "--origin") == 0) {
      if (pa_origin_parse(&a->origins, val, err, errlen) != 0) return -1;
    } else {
      char *end;
      errno = 0;
      long port = strtol(val, &end, 10);
      if (errno || end == val || *end || port < 0 || port > 65535) {
        snprintf(err, errlen, "--port must be 0..65535, got %s", val);
        return -1;
      }
      a->port = (int)port;
    }
  }
  if (!a->root || !a->data) {
    snprintf(err, errlen, "--root and --data are required");
    return -1;
  }
  char why[256];
  if (a->origins.n == 0 &&
      pa_origin_parse(&a->origins, getenv("PA_PUBLIC_ORIGINS"), why, sizeof why) != 0) {
    snprintf(err, errlen, "PA_PUBLIC_ORIGINS: %s", why);
    return -1;
  }
  pa_proxy_from pf;
  a->proxy_from = getenv("PA_PROXY_FROM");
  if (pa_proxy_from_parse(&pf, a->proxy_from, why, sizeof why) != 0) {
    snprintf(err, errlen, "PA_PROXY_FROM: %s", why);
    return -1;
  }
  return 0;
}

/* Loads the help center's articles (store/help.h) from PA_HELP_DIR, else
 * from ROOT/help (the wasm build copies locales/help there) when that
 * folder exists: only changed articles are analyzed again. A folder named
 * by PA_HELP_DIR that cannot be loaded stops the server, as does a broken
 * one in the site; without either the help center stays as it was. */
static int load_help(pa_store *db, const char *root) {
  const char *dir = getenv("PA_HELP_DIR");
  char site_dir[4096];
  struct stat sb;
  if (!dir || !*dir) {
    snprintf(site_dir, sizeof site_dir, "%s/help", root);
    if (stat(site_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      pa_log_event("warn", "help", "no help folder at %s: the help center is not loaded", site_dir);
      return 0;
    }
    dir = site_dir;
  }
  pa_store_help_load_stats st;
  char err[512];
  if (pa_store_help_load(db, dir, pa_clock_now(), &st, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return -1;
  }
  pa_log_event("info", "help", "%d files, %d articles: %d indexed, %d unchanged, %d removed",
               st.files, st.articles, st.indexed, st.unchanged, st.removed);
  return 0;
}

/* Migrates the schema and runs the startup chores; the connection is closed
 * again because workers open their own. (The demo world is written by
 * petamigos-demo, web/demo/, before the server starts.) */
static int prepare_data(const char *db_path, const char *media_dir, const char *root) {
  pa_store *db = NULL;
  char err[512];
  int rc;
  if (pa_store_open(db_path, 1, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return -1;
  }
  if ((rc = pa_store_migrate(db)) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server: %s database: %s\n", pa_store_kind(db), pa_store_errmsg(db));
    pa_store_close(db);
    return -1;
  }
  if (load_help(db, root) != 0) {
    pa_store_close(db);
    return -1;
  }
  /* Expired stories never come back after a restart; vectors catch up. */
  pa_mstore *media = NULL;
  if (pa_mstore_dir_open(media_dir, &media, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    pa_store_close(db);
    return -1;
  }
  pa_srv_chores(media, db, 1);
  pa_mstore_close(media);
  /* Lives the server was away for: gone or too long end now (issue 24). */
  pa_live_watchdog(NULL, db, pa_clock_now());
  pa_store_close(db);
  return 0;
}

/* PA_DRAIN_MS: how long a stopping server keeps serving while GET
 * /api/v1/ready answers 503 (HAProxy's checks need inter x fall, 1 s with
 * scripts/haproxy's, to take it out). Unset: 0, stop at once. */
enum { PA_DRAIN_MS_MAX = 60000 };
static int drain_from_env(int *out, char *err, size_t errlen) {
  const char *v = getenv("PA_DRAIN_MS");
  *out = 0;
  if (!v || !*v) return 0;
  char *end;
  errno = 0;
  long ms = strtol(v, &end, 10);
  if (errno || end == v || *end || ms < 0 || ms > PA_DRAIN_MS_MAX) {
    snprintf(err, errlen, "PA_DRAIN_MS must be 0..%d milliseconds", PA_DRAIN_MS_MAX);
    return -1;
  }
  *out = (int)ms;
  return 0;
}

int main(int argc, char **argv) {
  args a;
  char err[512];
  /* The roles' command line runs instead of the server: one binary to ship. */
  if (argc > 1 && strcmp(argv[1], "admin") == 0) return pa_admin_cli(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "pay") == 0) return pa_pay_cli(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "llm") == 0) return pa_llm_cli(argc - 1, argv + 1);
  /* Rebuilding a kept live's replay by hand (issue 24). */
  if (argc > 1 && strcmp(argv[1], "replay") == 0) return pa_replay_cli(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "janus") == 0) return pa_janus_cli(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "redis") == 0) return pa_redis_cli(argc - 1, argv + 1);
  int rc = parse_args(argc, argv, &a, err, sizeof err);
  if (rc != 0) {
    if (rc < 0) fprintf(stderr, "petamigos-server: %s\n", err);
    fputs(usage, rc < 0 ? stderr : stdout);
    return rc < 0 ? 2 : 0;
  }
  if (sodium_init() < 0 || pa_auth_init() != 0) {
    fprintf(stderr, "petamigos-server: libsodium failed to initialise\n");
    return 1;
  }
  if (pa_limit_init() != 0) {
    fprintf(stderr,
            "petamigos-server: a PA_LIMIT_* variable is not a whole number (named above)\n");
    return 2;
  }
  if (pa_twostep_init(err, sizeof err) != 0 || pa_adserve_init(err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return 2;
  }
  if (pa_aff_init(err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return 2;
  }
  if (pa_clock_init() != 0) {
    fprintf(stderr, "petamigos-server: PA_TEST_CLOCK_OFFSET must be whole seconds\n");
    return 2;
  }
  if (pa_clock_offset())
    pa_log_event("warn", "clock", "moved by %lld s (PA_TEST_CLOCK_OFFSET)",
                 (long long)pa_clock_offset());
  int drain_ms = 0;
  if (drain_from_env(&drain_ms, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return 2;
  }
  /* A cluster's shared state: a malformed URL is a bad argument, a Redis
   * that does not answer a server that cannot run as configured. */
  if ((rc = pa_redis_init(getenv("PA_REDIS_URL"), err, sizeof err)) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return rc == -1 ? 2 : 1;
  }
  pa_datadir dd;
  if (pa_datadir_prepare(a.data, &dd, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return 1;
  }
  if (prepare_data(dd.db_path, dd.media_dir, a.root) != 0) return 1;

  /* Block the stop signals before the server starts its threads, so they all
   * inherit the mask and only sigwait below ever sees the signals. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
    fprintf(stderr, "petamigos-server: cannot block signals\n");
    return 1;
  }

  pa_srv *srv = NULL;
  pa_srv_config cfg = {a.root, a.data, a.host, a.port, &a.origins, a.proxy_from};
  if ((rc = pa_srv_start(&cfg, &srv, err, sizeof err)) != PA_SRV_OK) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    pa_redis_shutdown();
    return 1;
  }
  /* After pa_srv_start, which registers the bus's handlers. */
  if (pa_bus_start(err, sizeof err) != 0 || pa_presence_start(err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    pa_bus_stop();
    pa_srv_stop(srv);
    pa_redis_shutdown();
    return 1;
  }
  int v6 = strchr(a.host, ':') != NULL;
  printf("PetAmigos server listening on http://%s%s%s:%d/\n", v6 ? "[" : "", a.host, v6 ? "]" : "",
         pa_srv_port(srv));
  fflush(stdout);

  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  pa_log_event("info", "server", "%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  /* Draining: GET /api/v1/ready says 503 while everything else is still served,
   * so a load balancer takes this process out before it stops listening. */
  pa_srv_drain(srv);
  if (drain_ms > 0) {
    struct timespec wait = {drain_ms / 1000, (long)(drain_ms % 1000) * 1000000L};
    pa_log_event("info", "server", "draining for %d ms (a second signal ends it)", drain_ms);
    /* A second SIGTERM or SIGINT ends the wait at once; EAGAIN is the time up. */
    while (sigtimedwait(&stop, NULL, &wait) < 0 && errno == EINTR) {
    }
  }
  /* Handlers post to the server's sockets: the bus ends first. */
  pa_presence_stop();
  pa_bus_stop();
  pa_srv_stop(srv);
  pa_redis_shutdown();
  return 0;
}
