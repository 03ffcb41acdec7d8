/* pa_srv — the site role: `petamigos-server site`, the shell and /media/ on
 * their own origin (a CDN's part, web/README.md "Origins"), the API on
 * another. No database and no API here: the files are srv_files.c's, the
 * page names the API's origin in its pa-api-origin meta, and connect-src
 * lets the shell reach that origin over HTTP and WebSockets. */
#include "api/api.h"
#include "log.h"
#include "mstore.h"
#include "net/http.h"
#include "srv_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SITE_INDEX_MAX = 256 * 1024 /* bytes of index.html read to fill its meta */ };

static const char site_usage[] =
    "usage: petamigos-server site --root DIR --media DIR --api-origin URL [--port N]\n"
    "                             [--host ADDR] [--origin URL]\n"
    "  --root DIR        the built shell, served at /\n"
    "  --media DIR       the media folder the API writes (served read-only at /media/)\n"
    "  --api-origin URL  where the API answers, http(s)://host[:port]; it must list\n"
    "                    this site's origin in PA_SHELL_ORIGINS\n"
    "  --port N          TCP port, 0 for any free one (default 8080)\n"
    "  --host ADDR       numeric address to listen on (default 127.0.0.1)\n"
    "  --origin URL      an address people reach the site at (repeatable; default\n"
    "                    http://HOST:PORT, plus localhost on loopback)\n";

/* The meta the page carries empty (shell/index.html); api.js reads it. */
static const char meta_empty[] = "<meta name=\"pa-api-origin\" content=\"\">";

void pa_srv_site_index(pa_srv_req *rq, int fd, const struct stat *st) {
  if (st->st_size <= 0 || st->st_size > SITE_INDEX_MAX) {
    pa_srv_plain_error(rq, 500, NULL);
    return;
  }
  size_t size = (size_t)st->st_size, origin_len = strlen(rq->srv->api_origin);
  char *page = malloc(size + 1), *out = malloc(size + origin_len + 1);
  ssize_t got = page && out ? read(fd, page, size) : -1;
  if (got != (ssize_t)size) {
    free(page);
    free(out);
    pa_srv_plain_error(rq, 500, NULL);
    return;
  }
  page[size] = '\0';
  /* An origin needs no HTML escaping: pa_origin_parse lets through only
   * letters, digits, "-.:/[]". */
  char *at = strstr(page, meta_empty);
  size_t n = size;
  if (at) {
    size_t head = (size_t)(at - page) + sizeof meta_empty - 3; /* up to content=" */
    memcpy(out, page, head);
    memcpy(out + head, rq->srv->api_origin, origin_len);
    memcpy(out + head + origin_len, page + head, size - head);
    n = size + origin_len;
  } else {
    pa_log_event("warn", "site", "index.html has no empty pa-api-origin meta");
    memcpy(out, page, size);
  }
  pa_srv_send(rq, 200, "text/html; charset=utf-8", "no-cache", NULL, 0, out, n);
  free(page);
  free(out);
}

static int is_api(const char *path) {
  return strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

/* Worker: one request; there is no database, so nothing here needs one. */
static void site_handle(void *arg, void *ctx, pa_net_req *in, pa_net_resp *out) {
  (void)ctx;
  const pa_http_head *h = in->head;
  char path[PA_HTTP_TARGET_MAX + 1];
  int bad_path = pa_http_path_decode(h->path, path, sizeof path) < 0;
  pa_srv_req rq = {.in = in,
                   .out = out,
                   .srv = arg,
                   .method = h->method,
                   .path = bad_path ? h->path : path,
                   .query = h->query,
                   .remote_addr = in->remote_addr,
                   .stream = in->stream,
                   .metric = -1};
  pa_log_request_id(rq.request_id);
  rq.head = strcmp(rq.method, "HEAD") == 0;
  if (bad_path) {
    pa_srv_plain_error(&rq, 400, NULL);
  } else if (pa_api_host_gate(&rq) != 0) {
    /* a Host that is not ours: 421 (DNS rebinding), as on the API's origin */
  } else if (is_api(rq.path)) {
    char msg[PA_ORIGIN_URL_MAX + 64];
    snprintf(msg, sizeof msg, "No API on this origin: it answers at %s", rq.srv->api_origin);
    pa_api_error(&rq, 404, "not_found", msg, NULL);
  } else if (in->upgrade) {
    pa_srv_plain_error(&rq, 404, NULL);
  } else {
    pa_srv_files(&rq);
  }
  if (rq.status == 0) pa_srv_plain_error(&rq, 500, NULL);
  uint64_t bytes = out->head_only ? 0 : out->fd >= 0 ? (uint64_t)out->length : out->body_len;
  pa_log_request_line(&(pa_log_request){
      rq.request_id, rq.method, is_api(rq.path) ? "unmatched" : "static", rq.status, 0, bytes, 0});
}

/* Loop thread: nothing here takes a body. */
static pa_net_route site_route(void *arg, const pa_http_head *h) {
  (void)arg;
  (void)h;
  return (pa_net_route){PA_NET_SMALL_BODY, 0, 0};
}

static void *site_worker_open(void *arg) {
  (void)arg;
  return NULL;
}

static void site_worker_close(void *ctx) { (void)ctx; }

static void site_ws_message(void *arg, void *ctx, uint64_t conn, void *user, const char *data,
                            size_t len) {
  (void)arg, (void)ctx, (void)conn, (void)user, (void)data, (void)len;
}

static void site_ws_closed(void *arg, uint64_t conn, void *user) {
  (void)arg, (void)conn, (void)user;
}

typedef struct site_args {
  const char *root, *media, *host;
  int port;
  pa_origins api, origins;
} site_args;

/* 0: run; 1: --help; -1: bad arguments (err says which). */
static int site_parse(int argc, char **argv, site_args *a, char *err, size_t errlen) {
  static const char *const opts[] = {"--root", "--media", "--api-origin",
                                     "--port", "--host",  "--origin"};
  *a = (site_args){NULL, NULL, "127.0.0.1", 8080, {0}, {0}};
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    int known = 0;
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) return 1;
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) known |= strcmp(opt, opts[k]) == 0;
    if (!known) {
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
    } else if (strcmp(opt, "--media") == 0) {
      a->media = val;
    } else if (strcmp(opt, "--host") == 0) {
      a->host = val;
    } else if (strcmp(opt, "--origin") == 0) {
      if (pa_origin_parse(&a->origins, val, err, errlen) != 0) return -1;
    } else if (strcmp(opt, "--api-origin") == 0) {
      char why[256];
      pa_origins one = {0};
      if (pa_origin_parse(&one, val, why, sizeof why) != 0 || one.n != 1) {
        snprintf(err, errlen, "--api-origin: %s", one.n > 1 ? "one origin only" : why);
        return -1;
      }
      a->api = one;
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
  if (!a->root || !a->media || a->api.n != 1) {
    snprintf(err, errlen, "--root, --media and --api-origin are required");
    return -1;
  }
  return 0;
}

static int resolve(const char *path, char out[PATH_MAX], const char *what, char *err,
                   size_t errlen) {
  struct stat st;
  errno = 0;
  if (!realpath(path, out) || stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s %s is not a directory%s%s", what, path, errno ? ": " : "",
             errno ? strerror(errno) : "");
    return -1;
  }
  return 0;
}

int pa_srv_site_main(int argc, char **argv) {
  site_args a;
  char err[512];
  int rc = site_parse(argc, argv, &a, err, sizeof err);
  if (rc != 0) {
    if (rc < 0) fprintf(stderr, "petamigos-server site: %s\n", err);
    fputs(site_usage, rc < 0 ? stderr : stdout);
    return rc < 0 ? 2 : 0;
  }
  pa_srv *srv = calloc(1, sizeof *srv);
  if (!srv) {
    fprintf(stderr, "petamigos-server site: out of memory\n");
    return 1;
  }
  srv->site = 1;
  snprintf(srv->api_origin, sizeof srv->api_origin, "%s", pa_origin_base(&a.api));
  if (resolve(a.root, srv->root, "--root", err, sizeof err) != 0 ||
      resolve(a.media, srv->media_dir, "--media", err, sizeof err) != 0 ||
      /* /media/ is read through the media store, as the API's processes write it (mstore.h). */
      pa_mstore_dir_open(srv->media_dir, &srv->media, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server site: %s\n", err);
    free(srv);
    return 1;
  }
  char *lines = pa_srv_headers_init(srv);
  /* Only the main thread takes the stop signals (sigwait below). */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pa_net_config nc = {a.host,
                      a.port,
                      lines,
                      {.arg = srv,
                       .worker_open = site_worker_open,
                       .worker_close = site_worker_close,
                       .route = site_route,
                       .handle = site_handle,
                       .ws_message = site_ws_message,
                       .ws_closed = site_ws_closed},
                      NULL /* PA_PROXY_FROM: the site is nobody's backend here */};
  if (!lines || pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0 ||
      pa_net_start(&nc, &srv->net, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server site: %s\n", lines ? err : "out of memory");
    free(lines);
    pa_mstore_close(srv->media);
    free(srv);
    return 1;
  }
  free(lines);
  srv->port = pa_net_port(srv->net);
  srv->origins = a.origins;
  if (pa_origin_default(&srv->origins, a.host, srv->port, err, sizeof err) != 0 ||
      pa_net_run(srv->net) != 0) {
    fprintf(stderr, "petamigos-server site: %s\n",
            srv->origins.n ? "cannot start the event-loop thread" : err);
    pa_net_stop(srv->net);
    pa_mstore_close(srv->media);
    free(srv);
    return 1;
  }
  int v6 = strchr(a.host, ':') != NULL;
  printf("PetAmigos site listening on http://%s%s%s:%d/ (API at %s)\n", v6 ? "[" : "", a.host,
         v6 ? "]" : "", srv->port, srv->api_origin);
  fflush(stdout);
  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  pa_log_event("info", "site", "%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  pa_net_stop(srv->net);
  pa_mstore_close(srv->media);
  free(srv);
  return 0;
}
