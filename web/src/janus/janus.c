/* pa_janus: the calls to Janus over its HTTP transport (pay/http.h, blocking:
 * handlers and chores call them from worker threads), the configuration
 * from the environment and random ids. The pure parts are in parse.c. */
#include "janus/janus.h"

#include "pay/http.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  JANUS_SERVER_TOKEN_S = 60,             /* life of the token of one server call (a few requests) */
  JANUS_PATH_MAX = PA_JANUS_URL_MAX + 48 /* http_url + "/<session>/<handle>" */
};

#define SAY(...)                                                                                   \
  do {                                                                                             \
    if (err && cap) snprintf(err, cap, __VA_ARGS__);                                               \
  } while (0)

/* --- configuration ------------------------------------------------------- */

static int copy_env(const char *name, char *dst, size_t dcap, int required, char *err, size_t cap) {
  const char *v = getenv(name);
  dst[0] = 0;
  if (!v || !*v) {
    if (required) SAY("%s is not set (PA_JANUS is)", name);
    return required ? -1 : 0;
  }
  size_t n = strlen(v);
  if (n >= dcap) {
    SAY("%s is longer than %zu bytes", name, dcap - 1);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
      SAY("%s holds a control character", name);
      return -1;
    }
  memcpy(dst, v, n + 1);
  return 0;
}

int pa_janus_config_from_env(pa_janus_config *cfg, char *err, size_t cap) {
  memset(cfg, 0, sizeof *cfg);
  if (err && cap) err[0] = 0;
  const char *spec = getenv("PA_JANUS");
  if (!spec) return 0;
  if (pa_janus_config_parse(spec, cfg, err, cap) != 1) return -1;
  if (copy_env("PA_JANUS_SECRET", cfg->secret, sizeof cfg->secret, 1, err, cap) != 0 ||
      copy_env("PA_JANUS_ADMIN_KEY", cfg->admin_key, sizeof cfg->admin_key, 1, err, cap) != 0 ||
      copy_env("PA_JANUS_REC_DIR", cfg->rec_dir, sizeof cfg->rec_dir, 1, err, cap) != 0) {
    cfg->count = 0;
    return -1;
  }
  if (cfg->rec_dir[0] != '/') {
    SAY("PA_JANUS_REC_DIR is not an absolute path");
    cfg->count = 0;
    return -1;
  }
  return 1;
}

uint64_t pa_janus_random_id(void) {
  uint64_t v = 0;
  while (v == 0) {
    randombytes_buf(&v, sizeof v);
    v &= (uint64_t)PA_JANUS_ID_MAX; /* 2^53 - 1 is all ones: a uniform mask */
  }
  return v;
}

/* --- HTTP ---------------------------------------------------------------- */

/* One request (body NULL: GET) whose answer must be HTTP 200 with a Janus
 * reply; the reply is parsed into out (free it with pa_janus_reply_free).
 * The HTTP itself is the payment adapters' client (pay/http.h: one libcurl
 * handle per call, no redirects, http and https only). */
static int call(const char *url, const char *body, pa_janus_reply *out, char *err, size_t cap) {
  static const char *const headers[] = {"Content-Type: application/json"};
  char why[PA_PAY_ERR_MAX];
  pa_payhttp_resp r;
  memset(out, 0, sizeof *out);
  int prc = pa_payhttp_request(body ? "POST" : "GET", url, headers, 1, body,
                               body ? strlen(body) : 0, PA_JANUS_TIMEOUT_MS, &r, why);
  int rc = PA_JANUS_EDOWN;
  if (prc == PA_PAY_EBADANSWER || (prc == PA_PAY_OK && r.len > PA_JANUS_REPLY_MAX)) {
    SAY("janus answered more than %d bytes", PA_JANUS_REPLY_MAX);
    rc = PA_JANUS_EPROTO;
  } else if (prc != PA_PAY_OK) {
    SAY("janus unreachable: %s", why);
  } else if (r.status != 200) {
    SAY("janus answered HTTP %ld", r.status);
  } else if ((rc = pa_janus_reply_parse(r.body, r.len, out)) != PA_JANUS_OK) {
    SAY("janus answered something that is not a Janus reply");
  }
  pa_payhttp_resp_free(&r);
  return rc;
}

/* A request with janus, transaction and token added to obj (consumed). */
static int post(const char *url, cJSON *obj, const char *token, pa_janus_reply *out, char *err,
                size_t cap) {
  char tx[17];
  uint64_t t;
  randombytes_buf(&t, sizeof t);
  snprintf(tx, sizeof tx, "%016" PRIx64, t);
  cJSON_AddStringToObject(obj, "transaction", tx);
  cJSON_AddStringToObject(obj, "token", token);
  char *text = cJSON_PrintUnformatted(obj);
  cJSON_Delete(obj);
  if (!text) {
    SAY("out of memory");
    return PA_JANUS_EDOWN;
  }
  int rc = call(url, text, out, err, cap);
  cJSON_free(text);
  return rc;
}

static cJSON *verb(const char *janus) {
  cJSON *o = cJSON_CreateObject();
  if (o) cJSON_AddStringToObject(o, "janus", janus);
  return o;
}

/* A Janus-level error ("janus":"error") as rc. */
static int janus_error(const pa_janus_reply *r, char *err, size_t cap) {
  SAY("janus error %d: %s", r->err_code, r->err_reason);
  return PA_JANUS_EREFUSED;
}

typedef struct conn {
  char base[PA_JANUS_URL_MAX];
  char token[PA_JANUS_TOKEN_MAX];
  uint64_t session, handle;
} conn;

static int open_conn(const pa_janus_config *cfg, int inst, conn *k, char *err, size_t cap) {
  memset(k, 0, sizeof *k);
  if (!cfg || inst < 0 || inst >= cfg->count) {
    SAY("no such janus instance");
    return PA_JANUS_EINVAL;
  }
  snprintf(k->base, sizeof k->base, "%s", cfg->inst[inst].http_url);
  if (pa_janus_token(cfg->secret, (int64_t)time(NULL) + JANUS_SERVER_TOKEN_S, 0, k->token,
                     sizeof k->token) < 0) {
    SAY("janus token did not fit");
    return PA_JANUS_EINVAL;
  }
  pa_janus_reply r;
  cJSON *o = verb("create");
  if (!o) return PA_JANUS_EDOWN;
  int rc = post(k->base, o, k->token, &r, err, cap);
  if (rc != PA_JANUS_OK) return rc;
  if (strcmp(r.janus, "success") != 0 || !r.id) {
    rc = strcmp(r.janus, "error") == 0 ? janus_error(&r, err, cap) : PA_JANUS_EPROTO;
    if (rc == PA_JANUS_EPROTO) SAY("janus create answered %s", r.janus);
    pa_janus_reply_free(&r);
    return rc;
  }
  k->session = r.id;
  pa_janus_reply_free(&r);
  char url[JANUS_PATH_MAX];
  snprintf(url, sizeof url, "%s/%" PRIu64, k->base, k->session);
  o = verb("attach");
  if (!o) return PA_JANUS_EDOWN;
  cJSON_AddStringToObject(o, "plugin", "janus.plugin.videoroom");
  rc = post(url, o, k->token, &r, err, cap);
  if (rc == PA_JANUS_OK && (strcmp(r.janus, "success") != 0 || !r.id)) {
    rc = strcmp(r.janus, "error") == 0 ? janus_error(&r, err, cap) : PA_JANUS_EPROTO;
    if (rc == PA_JANUS_EPROTO) SAY("janus attach answered %s", r.janus);
  }
  if (rc == PA_JANUS_OK) k->handle = r.id;
  pa_janus_reply_free(&r);
  return rc;
}

/* Detaches and destroys the session; best effort (Janus drops it after
 * session_timeout anyway). */
static void close_conn(conn *k) {
  if (!k->session) return;
  char url[JANUS_PATH_MAX], e[160]; /* read by nobody, but big enough not to cut a message */
  pa_janus_reply r;
  cJSON *o;
  if (k->handle) {
    snprintf(url, sizeof url, "%s/%" PRIu64 "/%" PRIu64, k->base, k->session, k->handle);
    if ((o = verb("detach")) && post(url, o, k->token, &r, e, sizeof e) == PA_JANUS_OK)
      pa_janus_reply_free(&r);
  }
  snprintf(url, sizeof url, "%s/%" PRIu64, k->base, k->session);
  if ((o = verb("destroy")) && post(url, o, k->token, &r, e, sizeof e) == PA_JANUS_OK)
    pa_janus_reply_free(&r);
  k->session = k->handle = 0;
}

/* Sends body (consumed) to VideoRoom; on success *data is plugindata.data
 * parsed (the caller deletes it). VideoRoom errors become rc. */
static int videoroom(const conn *k, cJSON *body, cJSON **data, char *err, size_t cap) {
  *data = NULL;
  char url[JANUS_PATH_MAX];
  snprintf(url, sizeof url, "%s/%" PRIu64 "/%" PRIu64, k->base, k->session, k->handle);
  cJSON *o = verb("message");
  if (!o || !body) {
    cJSON_Delete(o);
    cJSON_Delete(body);
    return PA_JANUS_EDOWN;
  }
  cJSON_AddItemToObject(o, "body", body);
  pa_janus_reply r;
  int rc = post(url, o, k->token, &r, err, cap);
  if (rc != PA_JANUS_OK) return rc;
  if (strcmp(r.janus, "error") == 0) {
    rc = janus_error(&r, err, cap);
  } else if (strcmp(r.janus, "success") != 0 || !r.plugindata) {
    SAY("janus answered %s without plugin data", r.janus);
    rc = PA_JANUS_EPROTO;
  } else if (r.err_code) {
    SAY("videoroom error %d: %s", r.err_code, r.err_reason);
    rc = r.err_code == 426 ? PA_JANUS_ENOROOM
                           : PA_JANUS_EREFUSED; /* JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM */
  } else if (!(*data = cJSON_Parse(r.plugindata))) {
    rc = PA_JANUS_EPROTO;
  }
  pa_janus_reply_free(&r);
  return rc;
}

static cJSON *request(const char *name, uint64_t room) {
  cJSON *b = cJSON_CreateObject();
  if (!b) return NULL;
  cJSON_AddStringToObject(b, "request", name);
  if (!pa_janus_add_id(b, "room", room)) {
    cJSON_Delete(b);
    return NULL;
  }
  return b;
}

static int one_call(const pa_janus_config *cfg, int inst, cJSON *body, cJSON **data, char *err,
                    size_t cap) {
  conn k;
  *data = NULL;
  int rc = open_conn(cfg, inst, &k, err, cap);
  if (rc == PA_JANUS_OK)
    rc = videoroom(&k, body, data, err, cap);
  else
    cJSON_Delete(body);
  close_conn(&k);
  return rc;
}

static int id_ok(uint64_t id) { return id >= 1 && id <= (uint64_t)PA_JANUS_ID_MAX; }

int pa_janus_room_create(const pa_janus_config *cfg, int inst, const pa_janus_room_spec *spec,
                         char *err, size_t cap) {
  if (!spec || !id_ok(spec->room) || !spec->secret || !*spec->secret || spec->bitrate < 0) {
    SAY("bad room");
    return PA_JANUS_EINVAL;
  }
  cJSON *b = request("create", spec->room);
  if (!b) return PA_JANUS_EDOWN;
  cJSON_AddStringToObject(b, "admin_key", cfg->admin_key);
  cJSON_AddStringToObject(b, "secret", spec->secret);
  cJSON_AddBoolToObject(b, "permanent", 0);
  cJSON_AddBoolToObject(b, "is_private", 1);
  cJSON_AddBoolToObject(b, "signed_tokens", 1);
  cJSON_AddNumberToObject(b, "publishers", 1);
  cJSON_AddStringToObject(b, "videocodec", "vp8");
  cJSON_AddStringToObject(b, "audiocodec", "opus");
  cJSON_AddNumberToObject(b, "bitrate", spec->bitrate);
  cJSON_AddBoolToObject(b, "bitrate_cap", 1);
  if (spec->rec_dir) {
    cJSON_AddBoolToObject(b, "record", 1);
    cJSON_AddStringToObject(b, "rec_dir", spec->rec_dir);
    cJSON_AddBoolToObject(b, "lock_record", 1);
  }
  cJSON *data;
  int rc = one_call(cfg, inst, b, &data, err, cap);
  if (rc == PA_JANUS_OK) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, "videoroom");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "created") != 0) {
      SAY("videoroom did not say created");
      rc = PA_JANUS_EPROTO;
    }
  }
  cJSON_Delete(data);
  return rc;
}

int pa_janus_room_destroy(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                          char *err, size_t cap) {
  if (!id_ok(room) || !secret) {
    SAY("bad room");
    return PA_JANUS_EINVAL;
  }
  cJSON *b = request("destroy", room);
  if (!b) return PA_JANUS_EDOWN;
  cJSON_AddStringToObject(b, "secret", secret);
  cJSON_AddBoolToObject(b, "permanent", 0);
  cJSON *data;
  int rc = one_call(cfg, inst, b, &data, err, cap);
  cJSON_Delete(data);
  return rc;
}

int pa_janus_room_publishers(const pa_janus_config *cfg, int inst, uint64_t room, uint64_t *ids,
                             int cap, char *err, size_t cap2) {
  if (!id_ok(room) || cap < 0 || (cap > 0 && !ids)) {
    if (err && cap2) snprintf(err, cap2, "bad room");
    return PA_JANUS_EINVAL;
  }
  cJSON *data;
  int rc = one_call(cfg, inst, request("listparticipants", room), &data, err, cap2);
  if (rc != PA_JANUS_OK) return rc;
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(data, "participants"), *p;
  int n = 0;
  if (!cJSON_IsArray(list)) {
    if (err && cap2) snprintf(err, cap2, "listparticipants without participants");
    rc = PA_JANUS_EPROTO;
  } else {
    cJSON_ArrayForEach(p, list) {
      const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
      if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "publisher")) || !cJSON_IsNumber(id))
        continue;
      if (id->valuedouble < 1 || id->valuedouble > (double)PA_JANUS_ID_MAX)
        continue; /* not one of ours */
      if (n < cap) ids[n++] = (uint64_t)id->valuedouble;
    }
  }
  cJSON_Delete(data);
  return rc == PA_JANUS_OK ? n : rc;
}

int pa_janus_kick(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                  uint64_t participant, char *err, size_t cap) {
  if (!id_ok(room) || !id_ok(participant) || !secret) {
    SAY("bad room or participant");
    return PA_JANUS_EINVAL;
  }
  cJSON *b = request("kick", room);
  if (!b) return PA_JANUS_EDOWN;
  cJSON_AddStringToObject(b, "secret", secret);
  pa_janus_add_id(b, "id", participant);
  cJSON *data;
  int rc = one_call(cfg, inst, b, &data, err, cap);
  cJSON_Delete(data);
  return rc;
}

int pa_janus_info(const pa_janus_config *cfg, int inst, char *err, size_t cap) {
  if (!cfg || inst < 0 || inst >= cfg->count) {
    SAY("no such janus instance");
    return PA_JANUS_EINVAL;
  }
  char url[JANUS_PATH_MAX];
  snprintf(url, sizeof url, "%s/info", cfg->inst[inst].http_url);
  pa_janus_reply r;
  int rc = call(url, NULL, &r, err, cap);
  if (rc == PA_JANUS_OK && strcmp(r.janus, "server_info") != 0) {
    SAY("janus info answered %s", r.janus);
    rc = PA_JANUS_EPROTO;
  }
  pa_janus_reply_free(&r);
  return rc;
}
