/* pa_janus's pure parts: PA_JANUS's parser, the token signer, the reply
 * parser and the error words. No I/O and only cJSON and OpenSSL's HMAC, so
 * the fuzz build compiles this file alone (web/fuzz/fuzz_janus_reply.c). */
#include "janus/janus.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pa_janus_errstr(int rc) {
  switch (rc) {
  case PA_JANUS_OK: return "ok";
  case PA_JANUS_EDOWN: return "janus unreachable";
  case PA_JANUS_EREFUSED: return "janus refused";
  case PA_JANUS_ENOROOM: return "no such room";
  case PA_JANUS_EPROTO: return "malformed janus reply";
  case PA_JANUS_EINVAL: return "invalid argument";
  default: return "unknown error";
  }
}

#define SAY(...)                                                                                   \
  do {                                                                                             \
    if (err && cap) snprintf(err, cap, __VA_ARGS__);                                               \
  } while (0)

/* An http(s) URL for the server's calls or a ws(s) URL for browsers: the
 * scheme, then a host and nothing that would break the CSP header or a URL
 * we append paths to (no spaces, quotes, semicolons, commas or controls). */
static int url_ok(const char *u, size_t n, int ws) {
  const char *schemes[2][2] = {{"http://", "https://"}, {"ws://", "wss://"}};
  size_t skip = 0;
  for (int i = 0; i < 2; i++) {
    size_t l = strlen(schemes[ws][i]);
    if (n > l && memcmp(u, schemes[ws][i], l) == 0) skip = l;
  }
  if (!skip) return 0;
  if (u[skip] == '/' || u[skip] == ':' || u[skip] == '?' || u[skip] == '#') return 0; /* no host */
  for (size_t i = skip; i < n; i++) {
    unsigned char c = (unsigned char)u[i];
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == ';' || c == ',' || c == '\\' ||
        c == '<' || c == '>' || c == '`')
      return 0;
  }
  return 1;
}

int pa_janus_config_parse(const char *spec, pa_janus_config *cfg, char *err, size_t cap) {
  cfg->count = 0;
  memset(cfg->inst, 0, sizeof cfg->inst);
  if (!spec || !*spec) {
    SAY("PA_JANUS: empty");
    return -1;
  }
  const char *p = spec;
  for (int k = 1;; k++) {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    /* One instance: exactly three fields separated by single spaces. */
    const char *f[3];
    size_t fl[3];
    const char *q = p, *stop = p + len;
    int nf = 0;
    while (q < stop && nf < 4) {
      const char *sp = memchr(q, ' ', (size_t)(stop - q));
      size_t l = sp ? (size_t)(sp - q) : (size_t)(stop - q);
      if (l == 0) break; /* two spaces, or a leading/trailing one */
      if (nf < 3) f[nf] = q, fl[nf] = l;
      nf++;
      if (!sp) {
        q = stop;
        break;
      }
      q = sp + 1;
      if (q == stop) { /* trailing space */
        nf = 0;
        break;
      }
    }
    if (nf != 3 || q != stop) {
      SAY("PA_JANUS: instance %d is not \"NAME HTTP_URL WS_URL\"", k);
      return -1;
    }
    if (k > PA_JANUS_MAX_INSTANCES) {
      SAY("PA_JANUS: more than %d instances", PA_JANUS_MAX_INSTANCES);
      return -1;
    }
    if (fl[0] >= PA_JANUS_NAME_MAX) {
      SAY("PA_JANUS: instance %d's name is longer than %d characters", k, PA_JANUS_NAME_MAX - 1);
      return -1;
    }
    for (size_t i = 0; i < fl[0]; i++) {
      char c = f[0][i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        SAY("PA_JANUS: instance %d's name is not [a-z0-9]", k);
        return -1;
      }
    }
    if (fl[1] >= PA_JANUS_URL_MAX || fl[2] >= PA_JANUS_URL_MAX) {
      SAY("PA_JANUS: instance %d's URL is longer than %d bytes", k, PA_JANUS_URL_MAX - 1);
      return -1;
    }
    if (!url_ok(f[1], fl[1], 0)) {
      SAY("PA_JANUS: instance %d's HTTP URL is not an http:// or https:// URL", k);
      return -1;
    }
    if (!url_ok(f[2], fl[2], 1)) {
      SAY("PA_JANUS: instance %d's WebSocket URL is not a ws:// or wss:// URL", k);
      return -1;
    }
    pa_janus_instance *in = &cfg->inst[k - 1];
    memcpy(in->name, f[0], fl[0]);
    in->name[fl[0]] = 0;
    memcpy(in->http_url, f[1], fl[1]);
    in->http_url[fl[1]] = 0;
    /* The server appends "/<session>/<handle>": no trailing slash. */
    while (fl[1] > 0 && in->http_url[fl[1] - 1] == '/') in->http_url[--fl[1]] = 0;
    memcpy(in->ws_url, f[2], fl[2]);
    in->ws_url[fl[2]] = 0;
    for (int j = 0; j < k - 1; j++)
      if (strcmp(cfg->inst[j].name, in->name) == 0) {
        SAY("PA_JANUS: instance %d's name is used twice (%s)", k, in->name);
        cfg->count = 0;
        return -1;
      }
    cfg->count = k;
    if (!end) break;
    p = end + 1;
  }
  return 1;
}

int pa_janus_find(const pa_janus_config *cfg, const char *name) {
  for (int i = 0; i < cfg->count; i++)
    if (strcmp(cfg->inst[i].name, name) == 0) return i;
  return -1;
}

/* data (n bytes) + ":" + base64(HMAC-SHA1(secret, data)) into out: the length, or -1. */
static int sign(const char *secret, const char *data, int n, char *out, size_t cap) {
  if (n < 0 || n >= 128 || !secret) return -1;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mlen = 0;
  /* Janus checks HMAC(EVP_sha1(), secret, strlen(secret), data) and compares
   * GLib's base64 of it (standard alphabet, '=' padding): EVP_EncodeBlock
   * writes exactly that. */
  if (!HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)data, (size_t)n, mac,
            &mlen))
    return -1;
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int bl = EVP_EncodeBlock(b64, mac, (int)mlen);
  size_t total = (size_t)n + 1 + (size_t)bl;
  if (total + 1 > cap) return -1;
  memcpy(out, data, (size_t)n);
  out[n] = ':';
  memcpy(out + n + 1, b64, (size_t)bl);
  out[total] = 0;
  return (int)total;
}

/* Issue 24, lview: the token VideoRoom's signed_tokens check wants on join.
 * Janus checks a room's token with the plugin's own package as the realm
 * (janus.c janus_plugin_auth_signature_contains → auth.c compares data[1]
 * with "janus.plugin.videoroom"), while the core checks every request's token
 * with realm "janus": no one token passes both, so a JanusJoin carries this
 * one beside pa_janus_token's. "<expires_at>,janus.plugin.videoroom,room=<room>:<sig>". */
int pa_janus_room_token(const char *secret, int64_t expires_at, uint64_t room, char *out,
                        size_t cap) {
  /* The same token as lsfu's pa_janus_join_token (both lanes added it at once). */
  return pa_janus_join_token(secret, expires_at, room, out, cap);
}

int pa_janus_token(const char *secret, int64_t expires_at, uint64_t room, char *out, size_t cap) {
  char data[128];
  int n = room
              ? snprintf(data, sizeof data,
                         "%" PRId64 ",janus,janus.plugin.videoroom,room=%" PRIu64, expires_at, room)
              : snprintf(data, sizeof data, "%" PRId64 ",janus,janus.plugin.videoroom", expires_at);
  return sign(secret, data, n, out, cap);
}

int pa_janus_join_token(const char *secret, int64_t expires_at, uint64_t room, char *out,
                        size_t cap) {
  if (!room) return -1;
  char data[128];
  int n = snprintf(data, sizeof data, "%" PRId64 ",janus.plugin.videoroom,room=%" PRIu64,
                   expires_at, room);
  return sign(secret, data, n, out, cap);
}

/* A JSON number that is a whole id in [1, 2^63): Janus's ids are guint64
 * but it prints them with json_integer (signed). */
static int id_of(const cJSON *v, uint64_t *out) {
  if (!cJSON_IsNumber(v)) return 0;
  double d = v->valuedouble;
  if (!(d >= 1 && d < 9223372036854775808.0)) return 0;
  *out = (uint64_t)d;
  return 1;
}

int pa_janus_add_id(cJSON *obj, const char *name, uint64_t id) {
  char text[24];
  snprintf(text, sizeof text, "%" PRIu64, id);
  return cJSON_AddRawToObject(obj, name, text) != NULL;
}

int pa_janus_reply_parse(const char *body, size_t len, pa_janus_reply *out) {
  memset(out, 0, sizeof *out);
  if (!body || len == 0 || len > PA_JANUS_REPLY_MAX) return PA_JANUS_EPROTO;
  cJSON *root = cJSON_ParseWithLength(body, len);
  if (!cJSON_IsObject(root)) goto bad;
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "janus");
  if (!cJSON_IsString(j) || !j->valuestring[0] || strlen(j->valuestring) >= sizeof out->janus)
    goto bad;
  strcpy(out->janus, j->valuestring);
  if (strcmp(out->janus, "error") == 0) {
    /* {"janus":"error","error":{"code":N,"reason":"..."}} */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "reason");
    if (!cJSON_IsNumber(c) || c->valuedouble < 1 || c->valuedouble > 100000) goto bad;
    out->err_code = (int)c->valuedouble;
    if (cJSON_IsString(r)) snprintf(out->err_reason, sizeof out->err_reason, "%s", r->valuestring);
    cJSON_Delete(root);
    return PA_JANUS_OK;
  }
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, "id");
  if (id && !id_of(id, &out->id)) goto bad;
  const cJSON *pd = cJSON_GetObjectItemCaseSensitive(root, "plugindata");
  if (pd) {
    const cJSON *pdata = cJSON_GetObjectItemCaseSensitive(pd, "data");
    if (!cJSON_IsObject(pdata)) goto bad;
    /* A plugin's error: {"videoroom":"event","error_code":N,"error":"..."}. */
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(pdata, "error_code");
    if (ec) {
      if (!cJSON_IsNumber(ec) || ec->valuedouble < 1 || ec->valuedouble > 100000) goto bad;
      out->err_code = (int)ec->valuedouble;
      const cJSON *er = cJSON_GetObjectItemCaseSensitive(pdata, "error");
      if (cJSON_IsString(er))
        snprintf(out->err_reason, sizeof out->err_reason, "%s", er->valuestring);
    }
    char *text = cJSON_PrintUnformatted(pdata);
    if (!text) goto bad;
    out->plugindata = text;
  }
  cJSON_Delete(root);
  return PA_JANUS_OK;
bad:
  cJSON_Delete(root);
  memset(out, 0, sizeof *out);
  return PA_JANUS_EPROTO;
}

void pa_janus_reply_free(pa_janus_reply *r) {
  if (!r) return;
  cJSON_free((void *)r->plugindata);
  r->plugindata = NULL;
}
