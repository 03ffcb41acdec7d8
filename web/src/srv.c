/* pa_srv — server lifecycle, dispatch, response headers and the request log. */
#include "api/api.h"
#include "api/chat_relay.h"
#include "api/live.h"
#include "api/support.h"
#include "assist.h"
#include "billing/worker.h"
#include "chatwoot/mirror.h"
#include "clock.h"
#include "datadir.h"
#include "embed.h"
#include "geo.h"
#include "janus/janus.h"
#include "live_replay.h"
#include "log.h"
#include "mail/mail.h"
#include "metrics/metrics.h"
#include "mstore.h"
#include "net/http.h"
#include "pay/pay.h"
#include "push/push.h"
#include "respcache.h"
#include "srv_internal.h"
#include "store/assist.h"
#include "store/chat.h"
#include "store/email.h"
#include "store/sessions.h"
#include "store/store.h"
#include "store/stories.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Sent on every response, whatever produced it. 'wasm-unsafe-eval' lets the
 * page compile WebAssembly without allowing eval of JavaScript. */
static const pa_srv_header security_headers[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
     "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; "
     "worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; "
     "form-action 'self'; frame-ancestors 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "strict-origin-when-cross-origin"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};

const char *pa_srv_errstr(int rc) {
  switch (rc) {
  case PA_SRV_OK: return "ok";
  case PA_SRV_EINVAL: return "invalid configuration";
  case PA_SRV_ESTART: return "could not start listening";
  case PA_SRV_ENOMEM: return "out of memory";
  }
  return "unknown error";
}

void pa_srv_printable(const char *s, char *out, size_t cap) {
  static const char digits[] = "0123456789ABCDEF";
  size_t n = 0;
  if (cap == 0) return;
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    int plain = c > 0x20 && c < 0x7f && c != '%' && c != '"' && c != '\\';
    size_t need = plain ? 1 : 3;
    if (n + need + 4 > cap) { /* keep room for "..." and the NUL */
      if (n + 4 <= cap) {
        memcpy(out + n, "...", 3);
        n += 3;
      }
      break;
    }
    if (plain) {
      out[n++] = (char)c;
    } else {
      out[n++] = '%';
      out[n++] = digits[c >> 4];
      out[n++] = digits[c & 15];
    }
  }
  out[n] = '\0';
}

static int is_csp(const char *name) { return strcmp(name, "Content-Security-Policy") == 0; }

/* The Content-Security-Policy with every Janus instance's WebSocket origin
 * added to connect-src (the shell's live screens talk to Janus directly),
 * built once at start; the default one when live streaming is off. The
 * origins passed pa_janus_config_parse (no spaces, quotes or semicolons). */
static void build_csp(pa_srv *srv) {
  const char *base = security_headers[0].value;
  const char *at = strstr(base, "connect-src 'self'");
  size_t head = (size_t)(at - base) + strlen("connect-src 'self'");
  size_t n = 0;
  n += (size_t)snprintf(srv->csp + n, sizeof srv->csp - n, "%.*s", (int)head, base);
  for (int i = 0; srv->janus_on && i < srv->janus.count; i++) {
    const char *u = srv->janus.inst[i].ws_url, *host = strstr(u, "://") + 3;
    int len = (int)((size_t)(host - u) + strcspn(host, "/?#"));
    char origin[PA_JANUS_URL_MAX];
    snprintf(origin, sizeof origin, "%.*s", len, u);
    int dup = 0;
    for (int j = 0; j < i; j++)
      dup |= strncmp(srv->janus.inst[j].ws_url, origin, (size_t)len) == 0 &&
             strchr("/?#", srv->janus.inst[j].ws_url[len]) != NULL;
    if (!dup) n += (size_t)snprintf(srv->csp + n, sizeof srv->csp - n, " %s", origin);
  }
  snprintf(srv->csp + n, sizeof srv->csp - n, "%s", base + head);
}

const pa_janus_config *pa_srv_janus(const pa_srv *srv) {
  return srv && srv->janus_on ? &srv->janus : NULL;
}

/* The security headers as header lines, for the transport's own answers. */
static char *security_lines(const char *csp) {
  size_t n = 1;
  for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
    n += strlen(security_headers[i].name) +
         strlen(is_csp(security_headers[i].name) ? csp : security_headers[i].value) + 4;
  char *out = malloc(n), *p = out;
  for (size_t i = 0; out && i < sizeof security_headers / sizeof security_headers[0]; i++)
    p += sprintf(p, "%s: %s\r\n", security_headers[i].name,
                 is_csp(security_headers[i].name) ? csp : security_headers[i].value);
  return out;
}

void pa_srv_send_head(pa_srv_req *rq, int status, const char *type, const char *cache,
                      const pa_srv_header *extra, int nextra) {
  pa_net_resp *r = rq->out;
  /* A second answer (a handler that answered twice) replaces the first. */
  r->head_len = 0;
  r->status = status;
  rq->status = status;
  for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++) {
    const char *value = security_headers[i].value;
    if (is_csp(security_headers[i].name))
      value = rq->csp ? rq->csp : rq->srv ? rq->srv->csp : value;
    pa_net_resp_header(r, security_headers[i].name, value);
  }
  if (type) pa_net_resp_header(r, "Content-Type", type);
  if (cache) pa_net_resp_header(r, "Cache-Control", cache);
  for (int i = 0; i < nextra; i++) pa_net_resp_header(r, extra[i].name, extra[i].value);
  if (rq->set_cookie[0]) pa_net_resp_header(r, "Set-Cookie", rq->set_cookie);
  if (rq->set_cookie2[0]) pa_net_resp_header(r, "Set-Cookie", rq->set_cookie2);
  if (rq->request_id[0]) pa_net_resp_header(r, "X-Request-Id", rq->request_id);
  r->head_only = rq->head;
}

void pa_srv_send_fd(pa_srv_req *rq, int fd, long long from, long long len) {
  pa_net_resp_file(rq->out, fd, from, len);
}

void pa_srv_send(pa_srv_req *rq, int status, const char *type, const char *cache,
                 const pa_srv_header *extra, int nextra, const void *body, size_t len) {
  pa_srv_send_head(rq, status, type, cache, extra, nextra);
  pa_net_resp_body(rq->out, body, len);
}

void pa_srv_stream_begin(pa_srv_req *rq) {
  /* A proxy in front (nginx) must pass each event on as it comes. */
  pa_srv_header h = {"X-Accel-Buffering", "no"};
  pa_srv_send_head(rq, 200, "text/event-stream", "no-store", &h, 1);
  pa_net_resp_stream(rq->out);
}

int pa_srv_stream_send(const pa_srv *srv, uint64_t stream, const char *bytes, size_t len) {
  return pa_net_stream_send(srv->net, stream, bytes, len);
}

void pa_srv_stream_end(const pa_srv *srv, uint64_t stream) { pa_net_stream_end(srv->net, stream); }

void pa_srv_plain_error(pa_srv_req *rq, int status, const char *allow) {
  char body[128];
  int n = snprintf(body, sizeof body, "%d %s\n", status, pa_http_status_text(status));
  size_t len = n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1;
  pa_srv_header h = {"Allow", allow};
  pa_srv_send(rq, status, "text/plain; charset=utf-8", "no-store", &h, allow ? 1 : 0, body, len);
}

const char *pa_srv_req_header(const pa_srv_req *rq, const char *name) {
  return pa_http_field_get(rq->in->head, name);
}

int pa_srv_body(pa_srv_req *rq, size_t max, unsigned char **out, size_t *len) {
  unsigned char *b = pa_net_req_take_body(rq->in, len);
  *out = NULL;
  if (*len > max) {
    char msg[96];
    snprintf(msg, sizeof msg, "The body may hold at most %zu bytes", max);
    free(b);
    *len = 0;
    pa_api_error(rq, 413, "payload_too_large", msg, NULL);
    return -1;
  }
  if (!b && !(b = malloc(1))) { /* an empty body is still a buffer to free */
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return -1;
  }
  *out = b;
  return 0;
}

static int is_api(const char *path) {
  return strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

/* GET /metrics: outside /api/ where Prometheus looks for it, routed by the
 * API's table (its F_OPS flag). Other methods fall to the files like any
 * unknown path, so nothing says the route exists. */
static int is_ops(const char *method, const char *path) {
  return strcmp(path, "/metrics") == 0 &&
         (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
}

/* GET /r/{code}: an affiliate's link, outside /api/ so it reads as a link,
 * routed by the API's table like /metrics. Other methods fall to the files. */
static int is_ref(const char *method, const char *path) {
  return strncmp(path, "/r/", 3) == 0 &&
         (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
}

/* The families of paths the route table does not name: a series each, so
 * the labels stay few whatever paths clients send. */
enum { FAM_STATIC, FAM_MEDIA, FAM_EMBED, FAM_SOCKET, FAM_UNMATCHED, FAMILIES };
static const struct {
  const char *method, *route;
} families[FAMILIES] = {
    {"GET", "static"},              /* the site's files and pages */
    {"GET", "/media/{hash}"},       /* the media store */
    {"GET", "/embed/p/{p}"},        /* embeds for partner sites */
    {"GET", "/api/v1/chat/socket"}, /* the chat WebSocket's handshake */
    {"*", "unmatched"}, /* no route: a bad path, a foreign Host, an unknown API path or method */
};

static int family_of(const pa_srv_req *rq, int bad_path, int routed) {
  int get = strcmp(rq->method, "GET") == 0 || rq->head;
  if (bad_path || !routed || !get) return FAM_UNMATCHED;
  if (rq->in->upgrade)
    return strcmp(rq->path, "/api/v1/chat/socket") == 0 ? FAM_SOCKET : FAM_UNMATCHED;
  if (is_api(rq->path)) return FAM_UNMATCHED; /* the router names every route it matched */
  if (strncmp(rq->path, "/media/", 7) == 0) return FAM_MEDIA;
  if (strncmp(rq->path, "/embed/", 7) == 0) return FAM_EMBED;
  return FAM_STATIC;
}

/* Worker: one request, start to answer, then its figures and its log line. */
static void on_handle(void *arg, void *ctx, pa_net_req *in, pa_net_resp *out) {
  uint64_t t0 = pa_metrics_now_ns(), db0 = pa_metrics_thread_db_ns();
  const pa_http_head *h = in->head;
  char path[PA_HTTP_TARGET_MAX + 1];
  int bad_path = pa_http_path_decode(h->path, path, sizeof path) < 0, routed = 0;
  pa_srv_req rq = {.in = in,
                   .out = out,
                   .srv = arg,
                   .method = h->method,
                   .path = bad_path ? h->path : path,
                   .query = h->query,
                   .remote_addr = in->remote_addr,
                   .stream = in->stream,
                   .db = ctx,
                   .metric = -1};
  pa_log_request_id(rq.request_id);
  rq.head = strcmp(rq.method, "HEAD") == 0;
  if (bad_path) {
    pa_srv_plain_error(&rq, 400, NULL);
  } else if (pa_api_host_gate(&rq) != 0) {
    /* a Host that is not ours: 421, whatever was asked (DNS rebinding) */
  } else {
    routed = 1;
    if (in->upgrade)
      pa_chat_upgrade(&rq);
    else if (is_api(rq.path) || is_ops(rq.method, rq.path) || is_ref(rq.method, rq.path))
      pa_api_handle(&rq);
    else
      pa_srv_files(&rq);
  }
  if (rq.status == 0) pa_srv_plain_error(&rq, 500, NULL); /* a route forgot to answer */
  if (!rq.route) {
    int f = family_of(&rq, bad_path, routed);
    rq.metric = rq.srv->family[f];
    rq.route = families[f].route;
  }
  uint64_t us = (pa_metrics_now_ns() - t0) / 1000;
  uint64_t bytes = out->head_only ? 0 : out->fd >= 0 ? (uint64_t)out->length : out->body_len;
  pa_metrics_request(rq.metric, rq.status, us, bytes);
  pa_log_request_line(&(pa_log_request){rq.request_id, rq.method, rq.route, rq.status, us, bytes,
                                        (pa_metrics_thread_db_ns() - db0) / 1000});
}

/* Loop thread: how much body a request may send, and on which workers it runs. */
static pa_net_route on_route(void *arg, const pa_http_head *h) {
  pa_net_route r = {PA_NET_SMALL_BODY, 0,
                    0}; /* files and pages: refused (405) after a small body */
  return is_api(h->path) || is_ops(h->method, h->path) || is_ref(h->method, h->path)
             ? pa_api_route(h)
             : r;
}

/* Each worker thread opens its own database connection and keeps it. */
static void *worker_open(void *arg) {
  const pa_srv *srv = arg;
  pa_store *db = NULL;
  char err[512];
  if (pa_store_open(srv->db_path, 0, &db, err, sizeof err) != PA_STORE_OK)
    pa_log_event("error", "worker", "cannot open database: %s", err);
  return db; /* NULL: requests on this worker answer 500 */
}

static void worker_close(void *ctx) { pa_store_close(ctx); }

static void on_ws_message(void *arg, void *ctx, uint64_t conn, void *user, const char *data,
                          size_t len) {
  pa_chat_message(arg, ctx, conn, user, data, len);
}

static void on_ws_closed(void *arg, uint64_t conn, void *user) { pa_chat_closed(arg, conn, user); }

static void on_ws_post(void *arg, void *ctx, uint64_t conn, void *user, const char *data,
                       size_t len) {
  pa_chat_posted(arg, ctx, conn, user, data, len);
}

void pa_srv_chores(pa_mstore *media, pa_store *db, int force_embed) {
  int64_t now = pa_clock_now(), new_likes = 0;
  int missing = 0;
  char err[256];
  /* Reads hide expired stories themselves; this reclaims the space an hour
   * later (the hour keeps read-time expiry honest and testable). */
  int64_t purge_before = now - 3600;
  /* Encrypted chat photos are kept 30 days (web/README.md, "Chat"). */
  int64_t photos_before = now - 30 * 86400;
  if (pa_store_stories_expire(db, purge_before) != PA_STORE_OK ||
      pa_store_sessions_expire(db, now) != PA_STORE_OK ||
      pa_store_email_tokens_prune(db, purge_before) != PA_STORE_OK ||
      pa_store_chat_attachments_expire(db, photos_before) != PA_STORE_OK ||
      pa_store_chat_starts_expire(db, now - PA_CHAT_STARTS_WINDOW_S) != PA_STORE_OK ||
      /* The assistant's questions and answers (issue 23): kept 30 days. */
      pa_store_assist_expire(db, now - (int64_t)PA_HELP_RETENTION_DAYS * 86400, NULL) !=
          PA_STORE_OK)
    pa_log_event("error", "chores", "%s", pa_store_errmsg(db));
  pa_api_media_gc(db, media);
  /* What a killed process left half-written (PA_MSTORE_STALE_S old). */
  if (pa_mstore_sweep(media, now) < 0) pa_log_event("error", "chores", "media sweep failed");
  /* Snoozed support conversations come due (issue 23): open again (told
   * live by chores_thread's own call first; at start-up nobody listens). */
  pa_support_wake(NULL, db, now);
  /* Reminders of vaccinations and doses come due (issue 19): readers of
   * notifications also run the viewer's own, so none waits for this round. */
  pa_api_health_remind(db, now, 0);
  if (pa_embed_staleness(db, &new_likes, &missing) != 0) {
    pa_log_event("error", "chores", "%s", pa_store_errmsg(db));
    return;
  }
  if (force_embed ? (new_likes || missing) : (new_likes >= PA_EMBED_RECOMPUTE_LIKES || missing)) {
    if (pa_embed_compute(db, err, sizeof err) != 0) pa_log_event("error", "chores", "%s", err);
  }
}

enum { CHORES_SECONDS = 30 };

static void *chores_thread(void *arg) {
  pa_srv *srv = arg;
  pa_store *db = NULL;
  char err[512];
  if (pa_store_open(srv->db_path, 0, &db, err, sizeof err) != PA_STORE_OK) {
    pa_log_event("error", "chores", "cannot open database: %s", err);
    return NULL;
  }
  pthread_mutex_lock(&srv->lock);
  while (!srv->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += CHORES_SECONDS;
    pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
    if (srv->stopping) break;
    pthread_mutex_unlock(&srv->lock);
    pa_support_wake(srv, db, pa_clock_now());
    /* Lives whose broadcaster left or ran past PA_LIVE_MAX_S end (issue 24). */
    pa_live_watchdog(srv, db, pa_clock_now());
    pa_srv_chores(srv->media, db, 0);
    pthread_mutex_lock(&srv->lock);
  }
  pthread_mutex_unlock(&srv->lock);
  pa_store_close(db);
  return NULL;
}

static int resolve_dir(const char *path, char out[PATH_MAX], const char *what, char *err,
                       size_t errlen) {
  struct stat st;
  if (!path || !realpath(path, out) || stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s %s is not a directory%s%s", what, path ? path : "(none)",
             errno ? ": " : "", errno ? strerror(errno) : "");
    return PA_SRV_EINVAL;
  }
  return PA_SRV_OK;
}

int pa_srv_start(const pa_srv_config *cfg, pa_srv **out, char *err, size_t errlen) {
  char data[PATH_MAX];
  int rc;
  *out = NULL;
  if (cfg->port < 0 || cfg->port > 65535) {
    snprintf(err, errlen, "port must be 0..65535");
    return PA_SRV_EINVAL;
  }
  pa_srv *srv = calloc(1, sizeof *srv);
  /* Live streaming: PA_JANUS and its secrets (web/README.md, "Live: Janus");
   * unset is off, malformed stops the start with the reason. */
  int jrc = srv ? pa_janus_config_from_env(&srv->janus, err, errlen) : 0;
  if (jrc < 0) {
    free(srv);
    return PA_SRV_EINVAL;
  }
  if (srv) {
    srv->janus_on = jrc == 1;
    build_csp(srv);
  }
  char *lines = srv ? security_lines(srv->csp) : NULL;
  if (!srv || !lines) {
    free(srv);
    free(lines);
    snprintf(err, errlen, "out of memory");
    return PA_SRV_ENOMEM;
  }
  errno = 0;
  if ((rc = resolve_dir(cfg->root, srv->root, "root", err, errlen)) != PA_SRV_OK ||
      (rc = resolve_dir(cfg->data_dir, data, "data", err, errlen)) != PA_SRV_OK) {
    free(srv);
    free(lines);
    return rc;
  }
  /* The database (the SQLite file or PA_DATABASE_URL) and the media folder. */
  pa_datadir dd;
  if (pa_datadir_prepare(data, &dd, err, errlen) != 0) {
    free(srv);
    free(lines);
    return PA_SRV_EINVAL;
  }
  snprintf(srv->media_dir, sizeof srv->media_dir, "%s", dd.media_dir);
  snprintf(srv->db_path, sizeof srv->db_path, "%s", dd.db_path);
  /* The payment providers: PA_PAYPAL_* and PA_MP_* (web/README.md, "Payments"). */
  pa_pay_config pc;
  char perr[PA_PAY_ERR_MAX];
  if (pa_pay_config_from_env(&pc, perr) != 0) {
    snprintf(err, errlen, "%s", perr);
    free(srv);
    free(lines);
    return PA_SRV_EINVAL;
  }
  /* The operator's token for /metrics (web/README.md, "Health"); the
   * security events' country source (geo.h). */
  if (pa_api_ops_init(err, errlen) != 0 || pa_geo_init(err, errlen) != 0) {
    memset(&pc, 0, sizeof pc);
    free(srv);
    free(lines);
    return PA_SRV_EINVAL;
  }
  /* E-mail: PA_SMTP_* or the outbox (web/README.md, "E-mail"). */
  char merr[PA_MAIL_ERR_MAX];
  if (pa_mail_new(&srv->mail, merr) != PA_MAIL_OK) {
    snprintf(err, errlen, "%s", merr);
    memset(&pc, 0, sizeof pc);
    free(srv);
    free(lines);
    return PA_SRV_EINVAL;
  }
  /* Web Push: the VAPID key (made once in the data folder) and PA_PUSH_SERVICE. */
  srv->push = pa_push_new(data, srv->root, err, errlen);
  if (!srv->push) {
    memset(&pc, 0, sizeof pc);
    free(srv);
    free(lines);
    return PA_SRV_EINVAL;
  }
  srv->pay = pa_pay_new(&pc);
  memset(&pc, 0, sizeof pc); /* the copy in srv->pay is the one kept */
  /* Every series exists before the first request: the route table's and the families'. */
  pa_metrics_start();
  pa_api_register_metrics();
  for (int f = 0; f < FAMILIES; f++)
    srv->family[f] = pa_metrics_route(families[f].method, families[f].route);
  srv->chat = pa_chat_hub_new();
  /* The other processes' chat and support messages (before main's pa_bus_start). */
  if (srv->chat && pa_chat_bus_on(srv) != 0)
    pa_log_event("error", "chat", "the bus's handler table is full");
  srv->public_pages = pa_respcache_new();
  /* The media store on the folder (PA_MEDIA_DIR or DATA/media; mstore.h). */
  char mserr[256] = "";
  int media_ok = pa_mstore_dir_open(srv->media_dir, &srv->media, mserr, sizeof mserr) == 0;
  pa_net_config nc = {cfg->host ? cfg->host : "",
                      cfg->port,
                      lines,
                      {srv, worker_open, worker_close, on_route, on_handle, on_ws_message,
                       on_ws_closed, on_ws_post},
                      cfg->proxy_from};
  if (!media_ok || !srv->pay || !srv->chat || !srv->public_pages ||
      pa_net_start(&nc, &srv->net, err, errlen) != 0) {
    if (!media_ok)
      snprintf(err, errlen, "%s", mserr);
    else if (!srv->pay || !srv->chat || !srv->public_pages)
      snprintf(err, errlen, "out of memory");
    pa_mstore_close(srv->media);
    pa_mail_free(srv->mail);
    pa_pay_free(srv->pay);
    pa_push_free(srv->push);
    pa_chat_hub_free(srv->chat);
    pa_respcache_free(srv->public_pages);
    free(srv);
    free(lines);
    return PA_SRV_ESTART;
  }
  free(lines);
  srv->port = pa_net_port(srv->net);
  /* The default origin needs the port listened on; nothing is served until
   * the list is whole (pa_net_run). */
  if (cfg->origins) srv->origins = *cfg->origins;
  rc = pa_origin_default(&srv->origins, cfg->host, srv->port, err, errlen) != 0 ? PA_SRV_EINVAL
       : pa_net_run(srv->net) != 0                                              ? PA_SRV_ESTART
                                                                                : PA_SRV_OK;
  if (rc != PA_SRV_OK) {
    if (rc == PA_SRV_ESTART) snprintf(err, errlen, "cannot start the event-loop thread");
    pa_net_stop(srv->net);
    pa_mstore_close(srv->media);
    pa_mail_free(srv->mail);
    pa_pay_free(srv->pay);
    pa_push_free(srv->push);
    pa_chat_hub_free(srv->chat);
    pa_respcache_free(srv->public_pages);
    free(srv);
    return rc;
  }
  pthread_mutex_init(&srv->lock, NULL);
  pthread_cond_init(&srv->wake, NULL);
  srv->chores_running = pthread_create(&srv->chores, NULL, chores_thread, srv) == 0;
  srv->billing =
      pa_worker_start("billing", srv->db_path, PA_BILLING_TICK_SECONDS, pa_billing_round, srv->pay);
  if (!srv->billing) pa_log_event("error", "billing", "the worker did not start");
  srv->push_worker =
      pa_worker_start("push", srv->db_path, PA_PUSH_TICK_SECONDS, pa_push_round, srv->push);
  if (!srv->push_worker) pa_log_event("error", "push", "the worker did not start");
  /* The assistant's threads (issue 23), only when a model is configured. */
  srv->assist = pa_assist_start(srv->db_path);
  /* The Chatwoot mirror (issue 23): only when it is configured. */
  if (pa_chatwoot_enabled()) {
    srv->chatwoot_worker = pa_worker_start("chatwoot", srv->db_path, PA_CHATWOOT_TICK_SECONDS,
                                           pa_chatwoot_round, NULL);
    if (!srv->chatwoot_worker) pa_log_event("error", "chatwoot", "the worker did not start");
  }
  /* Replays of kept lives (issue 24): where Janus records, PA_JANUS_REC_DIR. */
  const char *rec_root = getenv("PA_JANUS_REC_DIR");
  srv->replay = pa_replay_start(srv, srv->db_path, srv->media, rec_root);
  if (!srv->replay && rec_root && *rec_root)
    pa_log_event("error", "replay", "the worker did not start");
  *out = srv;
  return PA_SRV_OK;
}

int pa_srv_port(const pa_srv *srv) { return srv->port; }

void pa_srv_drain(pa_srv *srv) { atomic_store(&srv->draining, 1); }

void pa_srv_stop(pa_srv *srv) {
  if (!srv) return;
  pa_srv_drain(srv);
  /* Before the transport: the assistant's threads close their streams through it. */
  pa_assist_stop(srv->assist);
  /* Before the transport too: a replay made is told through the sockets. */
  pa_replay_stop(srv->replay);
  pa_net_stop(srv->net);
  /* Only now: a request finishing above may still have woken it. */
  pa_replay_free(srv->replay);
  pa_worker_stop(srv->billing);
  pa_worker_stop(srv->push_worker);
  pa_worker_stop(srv->chatwoot_worker);
  if (srv->chores_running) {
    pthread_mutex_lock(&srv->lock);
    srv->stopping = 1;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->chores, NULL);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->wake);
  }
  pa_chat_hub_free(srv->chat);
  pa_respcache_free(srv->public_pages);
  pa_pay_free(srv->pay);
  pa_mail_free(srv->mail);
  pa_push_free(srv->push);
  pa_mstore_close(srv->media);
  free(srv);
}
