/* pa_srv — server lifecycle, dispatch, response headers and the request log. */
#include "clock.h"
#include "db.h"
#include "embed.h"
#include "net/http.h"
#include "srv_api.h"
#include "srv_chat.h"
#include "srv_internal.h"

#include <arpa/inet.h>
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

enum { WORKER_THREAD = 1 }; /* civetweb's thread_type for request workers */

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

int pa_srv_send_head(pa_srv_req *rq, int status, const char *type, const char *cache,
                     const pa_srv_header *extra, int nextra, long long len) {
  char length[32];
  struct mg_connection *c = rq->conn;
  const struct mg_request_info *ri = mg_get_request_info(c);
  /* An unread body would be taken for the next request: close instead. */
  if (!rq->body_read && ri &&
      (ri->content_length > 0 || mg_get_header(c, "Transfer-Encoding") != NULL))
    mg_disable_keep_alive(c);
  if (mg_response_header_start(c, status) != 0) return -1;
  rq->status = status;
  for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++) {
    const char *value = security_headers[i].value;
    if (rq->csp && strcmp(security_headers[i].name, "Content-Security-Policy") == 0)
      value = rq->csp;
    mg_response_header_add(c, security_headers[i].name, value, -1);
  }
  if (type) mg_response_header_add(c, "Content-Type", type, -1);
  if (cache) mg_response_header_add(c, "Cache-Control", cache, -1);
  for (int i = 0; i < nextra; i++) mg_response_header_add(c, extra[i].name, extra[i].value, -1);
  if (rq->set_cookie[0]) mg_response_header_add(c, "Set-Cookie", rq->set_cookie, -1);
  if (len >= 0) {
    snprintf(length, sizeof length, "%lld", len);
    mg_response_header_add(c, "Content-Length", length, -1);
  }
  return mg_response_header_send(c) == 0 ? 0 : -1;
}

int pa_srv_send(pa_srv_req *rq, int status, const char *type, const char *cache,
                const pa_srv_header *extra, int nextra, const void *body, size_t len) {
  if (pa_srv_send_head(rq, status, type, cache, extra, nextra, (long long)len) != 0) return -1;
  if (!rq->head && len > 0 && mg_write(rq->conn, body, len) != (int)len) return -1;
  return 0;
}

int pa_srv_plain_error(pa_srv_req *rq, int status, const char *allow) {
  char body[128];
  int n = snprintf(body, sizeof body, "%d %s\n", status, pa_http_status_text(status));
  size_t len = n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1;
  pa_srv_header h = {"Allow", allow};
  return pa_srv_send(rq, status, "text/plain; charset=utf-8", "no-store", &h, allow ? 1 : 0, body,
                     len);
}

const char *pa_srv_req_header(const pa_srv_req *rq, const char *name) {
  return mg_get_header(rq->conn, name);
}

int pa_srv_body(pa_srv_req *rq, size_t max, unsigned char **out, size_t *len) {
  const struct mg_request_info *ri = mg_get_request_info(rq->conn);
  long long declared = ri->content_length;
  *out = NULL;
  *len = 0;
  if (declared > (long long)max) {
    char msg[96];
    snprintf(msg, sizeof msg, "The body may hold at most %zu bytes", max);
    pa_srv_api_error(rq, 413, "payload_too_large", msg, NULL);
    return -1;
  }
  /* Chunked bodies (length -1) are read up to max + 1 to tell "too big". */
  size_t cap = declared >= 0 ? (size_t)declared : max + 1;
  unsigned char *buf = malloc(cap ? cap : 1);
  if (!buf) {
    pa_srv_api_error(rq, 500, "internal", "Out of memory", NULL);
    return -1;
  }
  size_t n = 0;
  while (n < cap) {
    int got = mg_read(rq->conn, buf + n, cap - n);
    if (got <= 0) break;
    n += (size_t)got;
  }
  rq->body_read = 1;
  if (declared >= 0 && n != (size_t)declared) {
    free(buf);
    mg_disable_keep_alive(rq->conn);
    pa_srv_api_error(rq, 400, "bad_request", "The body ended before Content-Length", NULL);
    return -1;
  }
  if (n > max) {
    free(buf);
    rq->body_read = 0; /* the rest is still on the wire: close afterwards */
    pa_srv_api_error(rq, 413, "payload_too_large", "The body is too large", NULL);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

static double ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One line per request: method, path (no query string), status, time.
 * Headers, cookies and bodies are never logged. */
static void log_request(const char *method, const char *path, int status, double ms) {
  char m[24], p[256], line[320];
  pa_srv_printable(method ? method : "-", m, sizeof m);
  pa_srv_printable(path ? path : "-", p, sizeof p);
  snprintf(line, sizeof line, "%s %s %d %.1fms\n", m, p, status, ms);
  fputs(line, stderr);
}

static int is_api(const char *path) {
  return strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

static int on_request(struct mg_connection *conn, void *cbdata) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const struct mg_request_info *ri = mg_get_request_info(conn);
  pa_srv_req rq = {.conn = conn,
                   .srv = cbdata,
                   .method = ri->request_method,
                   .path = ri->local_uri_raw,
                   .query = ri->query_string,
                   .remote_addr = ri->remote_addr,
                   .db = mg_get_thread_pointer(conn)};
  rq.head = rq.method && strcmp(rq.method, "HEAD") == 0;

  if (!rq.method || !rq.path || rq.path[0] != '/')
    pa_srv_plain_error(&rq, 400, NULL);
  else if (is_api(rq.path))
    pa_srv_api(&rq);
  else
    pa_srv_files(&rq);
  if (rq.status == 0) pa_srv_plain_error(&rq, 500, NULL); /* a route forgot to answer */

  log_request(rq.method, rq.path, rq.status, ms_since(&t0));
  return rq.status ? rq.status : 500;
}

/* Errors civetweb raises itself (malformed requests and the like) still get
 * our headers. Returning 1 falls back to civetweb's own page. */
static int on_http_error(struct mg_connection *conn, int status, const char *msg) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  pa_srv_req rq = {.conn = conn,
                   .method = ri ? ri->request_method : NULL,
                   .path = ri ? ri->local_uri_raw : NULL,
                   .body_read = 1};
  rq.head = rq.method && strcmp(rq.method, "HEAD") == 0;
  if (pa_srv_plain_error(&rq, status, NULL) != 0) return 1;
  log_request(rq.method, rq.path, status, 0.0);
  return 0;
}

static int on_log_message(const struct mg_connection *conn, const char *message) {
  char line[512];
  snprintf(line, sizeof line, "civetweb: %s\n", message);
  fputs(line, stderr);
  return 1;
}

/* Each worker thread opens its own database connection and keeps it. */
static void *on_init_thread(const struct mg_context *ctx, int thread_type) {
  if (thread_type != WORKER_THREAD) return NULL;
  const pa_srv *srv = mg_get_user_data(ctx);
  pa_db *db = NULL;
  char err[512];
  if (pa_db_open(srv->db_path, 0, &db, err, sizeof err) != PA_DB_OK)
    fprintf(stderr, "worker: cannot open database: %s\n", err);
  return db; /* NULL: API requests on this worker answer 500 */
}

static void on_exit_thread(const struct mg_context *ctx, int thread_type, void *ptr) {
  if (thread_type == WORKER_THREAD) pa_db_close(ptr);
}

void pa_srv_chores(const char *media_dir, pa_db *db, int force_embed) {
  int64_t now = pa_clock_now(), new_likes = 0;
  int missing = 0;
  char err[256];
  /* Reads hide expired stories themselves; this reclaims the space an hour
   * later (the hour keeps read-time expiry honest and testable). */
  int64_t purge_before = now - 3600;
  if (pa_db_exec_i64(db, "DELETE FROM stories WHERE expires_at <= ?1", 1, &purge_before, NULL) !=
          PA_DB_OK ||
      pa_db_exec_i64(db, "DELETE FROM sessions WHERE expires_at <= ?1", 1, &now, NULL) != PA_DB_OK)
    fprintf(stderr, "chores: %s\n", pa_db_errmsg(db));
  /* Encrypted chat photos are kept 30 days (web/README.md, "Chat"). */
  int64_t photos_before = now - 30 * 86400;
  if (pa_db_exec_i64(db, "DELETE FROM chat_attachments WHERE created_at <= ?1", 1, &photos_before,
                     NULL) != PA_DB_OK)
    fprintf(stderr, "chores: %s\n", pa_db_errmsg(db));
  pa_srv_media_gc(db, media_dir);
  if (pa_embed_staleness(db, &new_likes, &missing) != 0) {
    fprintf(stderr, "chores: %s\n", pa_db_errmsg(db));
    return;
  }
  if (force_embed ? (new_likes || missing) : (new_likes >= PA_EMBED_RECOMPUTE_LIKES || missing)) {
    if (pa_embed_compute(db, err, sizeof err) != 0) fprintf(stderr, "chores: %s\n", err);
  }
}

enum { CHORES_SECONDS = 30 };

static void *chores_thread(void *arg) {
  pa_srv *srv = arg;
  pa_db *db = NULL;
  char err[512];
  if (pa_db_open(srv->db_path, 0, &db, err, sizeof err) != PA_DB_OK) {
    fprintf(stderr, "chores: cannot open database: %s\n", err);
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
    pa_srv_chores(srv->media_dir, db, 0);
    pthread_mutex_lock(&srv->lock);
  }
  pthread_mutex_unlock(&srv->lock);
  pa_db_close(db);
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
  unsigned char addr[16];
  char ports[96], data[PATH_MAX];
  int rc, v6 = 0;
  *out = NULL;
  if (!cfg->host || (inet_pton(AF_INET, cfg->host, addr) != 1 &&
                     !(v6 = inet_pton(AF_INET6, cfg->host, addr) == 1))) {
    snprintf(err, errlen, "host must be a numeric IP address, got %s",
             cfg->host ? cfg->host : "(none)");
    return PA_SRV_EINVAL;
  }
  if (v6 && !mg_check_feature(MG_FEATURES_IPV6)) {
    snprintf(err, errlen, "this civetweb was built without IPv6; use an IPv4 address");
    return PA_SRV_EINVAL;
  }
  if (cfg->port < 0 || cfg->port > 65535) {
    snprintf(err, errlen, "port must be 0..65535");
    return PA_SRV_EINVAL;
  }
  pa_srv *srv = calloc(1, sizeof *srv);
  if (!srv) {
    snprintf(err, errlen, "out of memory");
    return PA_SRV_ENOMEM;
  }
  errno = 0;
  if ((rc = resolve_dir(cfg->root, srv->root, "root", err, errlen)) != PA_SRV_OK ||
      (rc = resolve_dir(cfg->data_dir, data, "data", err, errlen)) != PA_SRV_OK) {
    free(srv);
    return rc;
  }
  snprintf(srv->media_dir, sizeof srv->media_dir, "%.*s/media", PATH_MAX - 8, data);
  snprintf(srv->db_path, sizeof srv->db_path, "%.*s/petamigos.db", PATH_MAX - 16, data);
  snprintf(ports, sizeof ports, v6 ? "[%s]:%d" : "%s:%d", cfg->host, cfg->port);

  /* civetweb gives each open connection a worker thread, idle keep-alive
   * ones included: enough workers for a few browsers, a short idle time. */
  const char *options[] = {"listening_ports", ports, "num_threads", "32", "enable_keep_alive",
                           "yes", "keep_alive_timeout_ms", "500", "request_timeout_ms", "30000",
                           /* Headers and body go out in separate writes: without
                            * this, Nagle and delayed ACKs add 40 ms to each answer. */
                           "tcp_nodelay", "1",
                           /* Chat sockets: civetweb pings an idle one every 30 s
                            * and closes it when the pong does not come. */
                           "enable_websocket_ping_pong", "yes", "websocket_timeout_ms", "30000",
                           NULL};
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.log_message = on_log_message;
  cb.http_error = on_http_error;
  cb.init_thread = on_init_thread;
  cb.exit_thread = on_exit_thread;
  char why[256] = "";
  unsigned code = 0;
  struct mg_init_data init = {&cb, srv, options};
  struct mg_error_data error = {&code, why, sizeof why};
  srv->chat = pa_chat_hub_new();
  srv->ctx = srv->chat ? mg_start2(&init, &error) : NULL;
  if (!srv->ctx) {
    pa_chat_hub_free(srv->chat);
    snprintf(err, errlen, "cannot listen on %s: %s", ports, why[0] ? why : "unknown error");
    free(srv);
    return PA_SRV_ESTART;
  }
  mg_set_request_handler(srv->ctx, "/", on_request, srv);
  pa_chat_listen(srv->ctx, srv);
  pthread_mutex_init(&srv->lock, NULL);
  pthread_cond_init(&srv->wake, NULL);
  srv->chores_running = pthread_create(&srv->chores, NULL, chores_thread, srv) == 0;

  struct mg_server_port list[4];
  int n = mg_get_server_ports(srv->ctx, 4, list);
  srv->port = n > 0 ? list[0].port : 0;
  if (srv->port <= 0) {
    snprintf(err, errlen, "cannot tell which port %s got", ports);
    pa_srv_stop(srv);
    return PA_SRV_ESTART;
  }
  *out = srv;
  return PA_SRV_OK;
}

int pa_srv_port(const pa_srv *srv) { return srv->port; }

void pa_srv_stop(pa_srv *srv) {
  if (!srv) return;
  if (srv->ctx) mg_stop(srv->ctx);
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
  free(srv);
}
