/* The server's Janus client (web/src/janus/): PA_JANUS's parser at its
 * limits (instances, name length and alphabet, URL length and schemes,
 * duplicates, spacing), the environment's secrets, the token signer against
 * vectors computed with openssl, the reply parser (success, Janus errors,
 * VideoRoom errors, malformed replies, the size cap at its edge), random
 * ids' range, and the HTTP call's reply cap and refusals against a local
 * one-connection endpoint. Janus itself answers in
 * tests/server/janus.test.mjs. */
#include "janus/janus.h"
#include "pa_test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pa_janus_config cfg;
static char err[256];

static int parse(const char *spec) { return pa_janus_config_parse(spec, &cfg, err, sizeof err); }

static void config_two_instances(void) {
  CHECK(parse("j1 http://127.0.0.1:18088/janus ws://127.0.0.1:18188;j2 https://sfu.example/janus/ "
              "wss://sfu.example:8989/ws") == 1);
  CHECK(cfg.count == 2);
  CHECK(strcmp(cfg.inst[0].name, "j1") == 0);
  CHECK(strcmp(cfg.inst[0].http_url, "http://127.0.0.1:18088/janus") == 0);
  CHECK(strcmp(cfg.inst[0].ws_url, "ws://127.0.0.1:18188") == 0);
  CHECK(strcmp(cfg.inst[1].http_url, "https://sfu.example/janus") ==
        0); /* trailing slash dropped */
  CHECK(strcmp(cfg.inst[1].ws_url, "wss://sfu.example:8989/ws") == 0);
  CHECK(pa_janus_find(&cfg, "j2") == 1);
  CHECK(pa_janus_find(&cfg, "j3") == -1);
  CHECK(pa_janus_find(&cfg, "j") == -1);
}

static void config_instances_max_edge(void) {
  char spec[4096] = "";
  for (int i = 1; i <= PA_JANUS_MAX_INSTANCES + 1; i++) {
    char one[128];
    snprintf(one, sizeof one, "%sj%d http://127.0.0.1:%d/janus ws://127.0.0.1:%d", i > 1 ? ";" : "",
             i, 10000 + i, 20000 + i);
    strcat(spec, one);
    int rc = parse(spec);
    if (i <= PA_JANUS_MAX_INSTANCES) {
      CHECK(rc == 1);
      CHECK(cfg.count == i);
    } else {
      CHECK(rc == -1); /* the first past the limit */
      CHECK_CONTAINS(err, "more than 8 instances");
    }
  }
}

static void config_names(void) {
  char name[PA_JANUS_NAME_MAX + 2], spec[512];
  memset(name, 'a', sizeof name);
  name[PA_JANUS_NAME_MAX - 1] = 0; /* 15 characters: the longest */
  snprintf(spec, sizeof spec, "%s http://h/janus ws://h", name);
  CHECK(parse(spec) == 1);
  CHECK(strcmp(cfg.inst[0].name, name) == 0);
  name[PA_JANUS_NAME_MAX - 1] = 'a';
  name[PA_JANUS_NAME_MAX] = 0; /* 16: refused */
  snprintf(spec, sizeof spec, "%s http://h/janus ws://h", name);
  CHECK(parse(spec) == -1);
  CHECK_CONTAINS(err, "longer than 15");
  CHECK(parse("J1 http://h/janus ws://h") == -1); /* upper case */
  CHECK(parse("j-1 http://h/janus ws://h") == -1);
  CHECK(parse("j\xc3\xa9 http://h/janus ws://h") == -1);
  CHECK(parse("0 http://h/janus ws://h") == 1);
  CHECK(parse("a http://h/janus ws://h;a http://i/janus ws://i") == -1);
  CHECK_CONTAINS(err, "used twice");
  CHECK(cfg.count == 0);
}

static void config_urls(void) {
  char url[PA_JANUS_URL_MAX + 8], spec[1024];
  /* The longest URL: 255 bytes. */
  strcpy(url, "http://h/");
  size_t n = strlen(url);
  memset(url + n, 'p', PA_JANUS_URL_MAX - 1 - n);
  url[PA_JANUS_URL_MAX - 1] = 0;
  snprintf(spec, sizeof spec, "j %s ws://h", url);
  CHECK(parse(spec) == 1);
  CHECK(strlen(cfg.inst[0].http_url) == PA_JANUS_URL_MAX - 1);
  url[PA_JANUS_URL_MAX - 1] = 'p';
  url[PA_JANUS_URL_MAX] = 0; /* 256: refused */
  snprintf(spec, sizeof spec, "j %s ws://h", url);
  CHECK(parse(spec) == -1);
  snprintf(spec, sizeof spec, "j http://h %s", url + 2); /* "tp://h...": not ws */
  CHECK(parse(spec) == -1);
  CHECK(parse("j ws://h http://h") == -1);          /* swapped */
  CHECK(parse("j ftp://h/janus ws://h") == -1);     /* scheme */
  CHECK(parse("j http:///janus ws://h") == -1);     /* no host */
  CHECK(parse("j http://h/janus ws://h\"x") == -1); /* a quote would break the CSP */
  CHECK(parse("j http://h/janus ws://h,x") == -1);  /* a comma too */
  CHECK(parse("j http://h/janus wss://h:1/a") == 1);
}

static void config_spacing(void) {
  CHECK(parse("") == -1);
  CHECK(parse("j http://h/janus") == -1);              /* two fields */
  CHECK(parse("j http://h/janus ws://h extra") == -1); /* four */
  CHECK(parse("j  http://h/janus ws://h") == -1);      /* two spaces */
  CHECK(parse(" j http://h/janus ws://h") == -1);      /* leading */
  CHECK(parse("j http://h/janus ws://h ") == -1);      /* trailing */
  CHECK(parse("j http://h/janus ws://h;") == -1);      /* empty last */
  CHECK(parse(";j http://h/janus ws://h") == -1);      /* empty first */
  CHECK(parse("j\thttp://h/janus\tws://h") == -1);     /* tabs */
}

static void config_env(void) {
  unsetenv("PA_JANUS");
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == 0); /* live off */
  setenv("PA_JANUS", "j1 http://127.0.0.1:1/janus ws://127.0.0.1:2", 1);
  unsetenv("PA_JANUS_SECRET");
  setenv("PA_JANUS_ADMIN_KEY", "k", 1);
  setenv("PA_JANUS_REC_DIR", "/tmp/rec", 1);
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == -1);
  CHECK_CONTAINS(err, "PA_JANUS_SECRET");
  char secret[200];
  memset(secret, 's', sizeof secret);
  secret[128] = 0; /* the longest: 128 */
  setenv("PA_JANUS_SECRET", secret, 1);
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == 1);
  CHECK(strcmp(cfg.secret, secret) == 0 && strcmp(cfg.admin_key, "k") == 0);
  CHECK(strcmp(cfg.rec_dir, "/tmp/rec") == 0 && cfg.count == 1);
  secret[128] = 's', secret[129] = 0; /* 129: refused */
  setenv("PA_JANUS_SECRET", secret, 1);
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == -1);
  setenv("PA_JANUS_SECRET", "s", 1);
  setenv("PA_JANUS_REC_DIR", "rec", 1);
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == -1);
  CHECK_CONTAINS(err, "absolute");
  setenv("PA_JANUS_REC_DIR", "/tmp/rec", 1);
  setenv("PA_JANUS", "nope", 1);
  CHECK(pa_janus_config_from_env(&cfg, err, sizeof err) == -1);
  unsetenv("PA_JANUS");
}

/* Vectors (made at authoring time):
 *   printf '%s' "1700000000,janus,janus.plugin.videoroom" | openssl dgst -sha1 -hmac s3cret -binary
 * | base64
 *   printf '%s' "1700000000,janus,janus.plugin.videoroom,room=9007199254740991" \
 *     | openssl dgst -sha1 -hmac s3cret -binary | base64
 *   printf '%s' "1700000000,janus.plugin.videoroom,room=9007199254740991" \
 *     | openssl dgst -sha1 -hmac s3cret -binary | base64 */
static void token_vectors(void) {
  char out[PA_JANUS_TOKEN_MAX];
  const char *plugin = "1700000000,janus,janus.plugin.videoroom:W3BNk9tj8SHAcy4qUs4pii6ErGs=";
  const char *room =
      "1700000000,janus,janus.plugin.videoroom,room=9007199254740991:kQLaHfcBoF9QnsmTbpUC4TBL6bU=";
  CHECK(pa_janus_token("s3cret", 1700000000, 0, out, sizeof out) == (int)strlen(plugin));
  CHECK(strcmp(out, plugin) == 0);
  CHECK(pa_janus_token("s3cret", 1700000000, (uint64_t)PA_JANUS_ID_MAX, out, sizeof out) ==
        (int)strlen(room));
  CHECK(strcmp(out, room) == 0);
  /* The buffer at its edge: exactly the length plus the NUL, then one less. */
  CHECK(pa_janus_token("s3cret", 1700000000, 0, out, strlen(plugin) + 1) == (int)strlen(plugin));
  CHECK(pa_janus_token("s3cret", 1700000000, 0, out, strlen(plugin)) == -1);
  const char *join =
      "1700000000,janus.plugin.videoroom,room=9007199254740991:m2mmGlsNB3xO6OCJ3u0AeHWMPbo=";
  CHECK(pa_janus_join_token("s3cret", 1700000000, (uint64_t)PA_JANUS_ID_MAX, out, sizeof out) ==
        (int)strlen(join));
  CHECK(strcmp(out, join) == 0);
  CHECK(pa_janus_join_token("s3cret", 1700000000, 0, out, sizeof out) ==
        -1); /* a room's, never plugin-wide */
  CHECK(pa_janus_join_token("s3cret", 1700000000, 1, out, 10) == -1);
  CHECK(pa_janus_join_token("x", INT64_MAX, UINT64_MAX, out, sizeof out) > 0);
  /* The longest token the server makes fits PA_JANUS_TOKEN_MAX. */
  CHECK(pa_janus_token("x", INT64_MAX, UINT64_MAX, out, sizeof out) > 0);
}

static void reply_parser(void) {
  pa_janus_reply r;
  const char *ok =
      "{\"janus\":\"success\",\"transaction\":\"t\",\"data\":{\"id\":4503599627370497}}";
  CHECK(pa_janus_reply_parse(ok, strlen(ok), &r) == PA_JANUS_OK);
  CHECK(strcmp(r.janus, "success") == 0 && r.id == 4503599627370497ULL && !r.plugindata &&
        !r.err_code);
  pa_janus_reply_free(&r);
  const char *jerr =
      "{\"janus\":\"error\",\"error\":{\"code\":403,\"reason\":\"Unauthorized request\"}}";
  CHECK(pa_janus_reply_parse(jerr, strlen(jerr), &r) == PA_JANUS_OK);
  CHECK(r.err_code == 403 && strcmp(r.err_reason, "Unauthorized request") == 0);
  pa_janus_reply_free(&r);
  const char *perr =
      "{\"janus\":\"success\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
      "{\"videoroom\":\"event\",\"error_code\":426,\"error\":\"No such room (5)\"}}}";
  CHECK(pa_janus_reply_parse(perr, strlen(perr), &r) == PA_JANUS_OK);
  CHECK(r.err_code == 426 && strcmp(r.err_reason, "No such room (5)") == 0);
  CHECK(r.plugindata && strstr(r.plugindata, "\"error_code\":426"));
  pa_janus_reply_free(&r);
  CHECK(r.plugindata == NULL);
  const char *bad[] = {"",
                       "[]",
                       "{}",
                       "{\"janus\":1}",
                       "{\"janus\":\"\"}",
                       "{\"janus\":\"averyveryverylongverbname\"}",
                       "{\"janus\":\"error\"}",
                       "{\"janus\":\"error\",\"error\":{\"code\":0}}",
                       "{\"janus\":\"success\",\"data\":{\"id\":-1}}",
                       "{\"janus\":\"success\",\"data\":{\"id\":\"1\"}}",
                       "{\"janus\":\"success\",\"plugindata\":{}}",
                       "{\"janus\":\"success\",\"plugindata\":{\"data\":{\"error_code\":\"x\"}}}",
                       "{\"janus\":"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(pa_janus_reply_parse(bad[i], strlen(bad[i]), &r) == PA_JANUS_EPROTO);
    CHECK(r.plugindata == NULL && r.janus[0] == 0);
  }
}

/* {"janus":"server_info","pad":"xxx..."} of exactly len bytes. */
static char *info_of(size_t len) {
  static const char head[] = "{\"janus\":\"server_info\",\"pad\":\"", tail[] = "\"}";
  char *s = malloc(len + 1);
  memcpy(s, head, sizeof head - 1);
  memset(s + sizeof head - 1, 'x', len - (sizeof head - 1) - (sizeof tail - 1));
  memcpy(s + len - (sizeof tail - 1), tail, sizeof tail);
  return s;
}

static void reply_cap_edge(void) {
  pa_janus_reply r;
  char *s = info_of(PA_JANUS_REPLY_MAX);
  CHECK(pa_janus_reply_parse(s, PA_JANUS_REPLY_MAX, &r) == PA_JANUS_OK);
  pa_janus_reply_free(&r);
  free(s);
  s = info_of(PA_JANUS_REPLY_MAX + 1);
  CHECK(pa_janus_reply_parse(s, PA_JANUS_REPLY_MAX + 1, &r) == PA_JANUS_EPROTO);
  free(s);
}

/* The id that cJSON's own numbers print as 4.80681432184423e+15. */
static void ids_exact_in_json(void) {
  cJSON *o = cJSON_CreateObject();
  CHECK(pa_janus_add_id(o, "room", 4806814321844229ULL));
  CHECK(pa_janus_add_id(o, "feed", (uint64_t)PA_JANUS_ID_MAX));
  char *text = cJSON_PrintUnformatted(o);
  CHECK(strcmp(text, "{\"room\":4806814321844229,\"feed\":9007199254740991}") == 0);
  cJSON_free(text);
  cJSON_Delete(o);
}

static void random_ids(void) {
  uint64_t or_all = 0;
  for (int i = 0; i < 2000; i++) {
    uint64_t v = pa_janus_random_id();
    CHECK(v >= 1 && v <= (uint64_t)PA_JANUS_ID_MAX);
    or_all |= v;
  }
  CHECK(or_all == (uint64_t)PA_JANUS_ID_MAX); /* all 53 bits in use, none above */
}

/* ---- HTTP: a one-connection endpoint on a loopback port that answers a
 * canned response (a body of body_len bytes) to whatever it reads. */

typedef struct endpoint {
  int listen_fd, port, status;
  size_t body_len;
  pthread_t thread;
} endpoint;

static void *endpoint_run(void *arg) {
  endpoint *e = arg;
  int fd = accept(e->listen_fd, NULL, NULL);
  if (fd < 0) return NULL;
  char req[4096];
  size_t got = 0;
  while (got < sizeof req - 1) { /* GET: the head only */
    ssize_t n = read(fd, req + got, sizeof req - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n")) break;
  }
  char head[256];
  char *body = info_of(e->body_len);
  int hn =
      snprintf(head, sizeof head,
               "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
               e->status, e->body_len);
  if (write(fd, head, (size_t)hn) < 0 || write(fd, body, e->body_len) < 0) {
  }
  free(body);
  shutdown(fd, SHUT_WR);
  char sink[256];
  while (read(fd, sink, sizeof sink) > 0) {
  }
  close(fd);
  return NULL;
}

static void endpoint_start(endpoint *e, int status, size_t body_len) {
  memset(e, 0, sizeof *e);
  e->status = status, e->body_len = body_len;
  e->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(bind(e->listen_fd, (struct sockaddr *)&a, sizeof a) == 0);
  socklen_t al = sizeof a;
  getsockname(e->listen_fd, (struct sockaddr *)&a, &al);
  e->port = ntohs(a.sin_port);
  CHECK(listen(e->listen_fd, 1) == 0);
  pthread_create(&e->thread, NULL, endpoint_run, e);
}

static int info_from(endpoint *e) {
  char spec[128];
  snprintf(spec, sizeof spec, "j http://127.0.0.1:%d/janus ws://127.0.0.1:%d", e->port, e->port);
  CHECK(parse(spec) == 1);
  int rc = pa_janus_info(&cfg, 0, err, sizeof err);
  pthread_join(e->thread, NULL);
  close(e->listen_fd);
  return rc;
}

static void http_reply_cap_edge(void) {
  endpoint e;
  endpoint_start(&e, 200, PA_JANUS_REPLY_MAX);
  CHECK(info_from(&e) == PA_JANUS_OK);
  endpoint_start(&e, 200, PA_JANUS_REPLY_MAX + 1);
  CHECK(info_from(&e) == PA_JANUS_EPROTO);
  CHECK_CONTAINS(err, "more than 65536 bytes");
}

static void http_refusals(void) {
  endpoint e;
  endpoint_start(&e, 500, 100);
  CHECK(info_from(&e) == PA_JANUS_EDOWN);
  CHECK_CONTAINS(err, "HTTP 500");
  /* Nobody listening: a port we bound and closed. */
  endpoint_start(&e, 200, 100);
  int port = e.port;
  close(e.listen_fd);
  pthread_join(e.thread, NULL);
  char spec[128];
  snprintf(spec, sizeof spec, "j http://127.0.0.1:%d/janus ws://127.0.0.1:%d", port, port);
  CHECK(parse(spec) == 1);
  CHECK(pa_janus_info(&cfg, 0, err, sizeof err) == PA_JANUS_EDOWN);
  CHECK(pa_janus_info(&cfg, 1, err, sizeof err) == PA_JANUS_EINVAL); /* no such instance */
  pa_janus_room_spec spec0 = {0, "s", 1000, NULL};
  CHECK(pa_janus_room_create(&cfg, 0, &spec0, err, sizeof err) == PA_JANUS_EINVAL); /* room 0 */
  spec0.room = (uint64_t)PA_JANUS_ID_MAX + 1;
  CHECK(pa_janus_room_create(&cfg, 0, &spec0, err, sizeof err) ==
        PA_JANUS_EINVAL); /* past the id range */
}

int main(void) {
  if (sodium_init() < 0) return 1;
  RUN(config_two_instances);
  RUN(config_instances_max_edge);
  RUN(config_names);
  RUN(config_urls);
  RUN(config_spacing);
  RUN(config_env);
  RUN(token_vectors);
  RUN(reply_parser);
  RUN(reply_cap_edge);
  RUN(ids_exact_in_json);
  RUN(random_ids);
  RUN(http_reply_cap_edge);
  RUN(http_refusals);
  return pa_test_summary("janus");
}
