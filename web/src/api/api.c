/* pa_api — what every handler shares: error and JSON answers, reading the
 * JSON body and the query string, typed ids, times, media URLs, cursors, and
 * the JSON of the records many answers carry (a person, a pet). Every answer,
 * errors included, is JSON with Cache-Control: no-store. */
#include "api/api.h"

#include "api/chat_relay.h"
#include "auth.h"
#include "blob.h"
#include "clock.h"
#include "limit.h"
#include "log.h"
#include "net/http.h"
#include "origin.h"
#include "respcache.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char json_type[] = "application/json; charset=utf-8";

/* ---- answers */

/* The one error sender: field (or NULL) names the request member at fault;
 * extra (or NULL) is one more header (Allow, Retry-After). */
static void send_error(pa_srv_req *rq, int status, const char *code, const char *message,
                       const pa_srv_header *extra, const char *field) {
  static const char fallback[] =
      "{\"error\":{\"code\":\"internal\",\"message\":\"Out of memory\"}}";
  cJSON *root = cJSON_CreateObject();
  cJSON *err = cJSON_AddObjectToObject(root, "error");
  char *text = NULL;
  snprintf(rq->error_code, sizeof rq->error_code, "%s", code); /* for the security events */
  if (err && cJSON_AddStringToObject(err, "code", code) &&
      cJSON_AddStringToObject(err, "message", message) &&
      (!field || cJSON_AddStringToObject(err, "field", field)))
    text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (text)
    pa_srv_send(rq, status, json_type, "no-store", extra, extra ? 1 : 0, text, strlen(text));
  else
    pa_srv_send(rq, 500, json_type, "no-store", NULL, 0, fallback, sizeof fallback - 1);
  cJSON_free(text);
}

void pa_api_error(pa_srv_req *rq, int status, const char *code, const char *message,
                  const char *allow) {
  pa_srv_header h = {"Allow", allow};
  send_error(rq, status, code, message, allow ? &h : NULL, NULL);
}

void pa_api_field_error(pa_srv_req *rq, int status, const char *code, const char *message,
                        const char *field) {
  send_error(rq, status, code, message, NULL, field);
}

void pa_api_error_retry(pa_srv_req *rq, int status, const char *code, const char *message,
                        int64_t seconds) {
  char secs[24];
  snprintf(secs, sizeof secs, "%lld", (long long)(seconds < 1 ? 1 : seconds));
  pa_srv_header h = {"Retry-After", secs};
  send_error(rq, status, code, message, &h, NULL);
}

void pa_api_internal(pa_srv_req *rq, const char *what) {
  pa_log_event("error", "api", "%s: %s", what, pa_store_errmsg(rq->db));
  pa_api_error(rq, 500, "internal", "Something went wrong on our side", NULL);
}

void pa_api_json(pa_srv_req *rq, int status, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  pa_api_send_text(rq, status, text, strlen(text));
  cJSON_free(text);
}

void pa_api_send_text(pa_srv_req *rq, int status, const char *text, size_t len) {
  pa_srv_send(rq, status, json_type, "no-store", NULL, 0, text, len);
}

void pa_api_ok(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddTrueToObject(root, "ok")) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* ---- reading requests */

int pa_api_body(pa_srv_req *rq, cJSON **out) {
  const char *type = pa_srv_req_header(rq, "Content-Type");
  *out = NULL;
  /* Case-insensitive media type, parameters (charset) allowed after ';'. */
  size_t tl = strlen("application/json");
  if (!type || strncasecmp(type, "application/json", tl) != 0 ||
      (type[tl] != '\0' && type[tl] != ';' && type[tl] != ' ')) {
    pa_api_error(rq, 415, "unsupported_media_type",
                 "Send the body as Content-Type: application/json", NULL);
    return -1;
  }
  unsigned char *buf;
  size_t len;
  if (pa_srv_body(rq, PA_API_BODY_MAX, &buf, &len) != 0) return -1;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts((const char *)buf, len, &end, 0);
  /* Only whitespace may follow the value. */
  int trailing = 0;
  if (root && end)
    for (const char *p = end; p < (const char *)buf + len; p++)
      trailing |= !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n');
  free(buf);
  if (!root || trailing || !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    pa_api_error(rq, 400, "bad_request", "The body must be one JSON object", NULL);
    return -1;
  }
  *out = root;
  return 0;
}

int pa_api_str(pa_srv_req *rq, const cJSON *obj, const char *name, int required, long min, long max,
               int multiline, const char **out) {
  char msg[160];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  *out = NULL;
  if (!v) {
    if (!required) return 0;
    snprintf(msg, sizeof msg, "%s is required", name);
    pa_api_field_error(rq, 400, "bad_request", msg, name);
    return -1;
  }
  long n = cJSON_IsString(v) && v->valuestring
               ? pa_str_utf8_len(v->valuestring, strlen(v->valuestring), multiline)
               : -2;
  if (n == -2)
    snprintf(msg, sizeof msg, "%s must be a string", name);
  else if (n < 0)
    snprintf(msg, sizeof msg, "%s must be UTF-8 text without control characters", name);
  else if (n < min || n > max)
    snprintf(msg, sizeof msg, "%s must be %ld to %ld characters long", name, min, max);
  if (n < min || n > max) {
    pa_api_field_error(rq, 400, "bad_request", msg, name);
    return -1;
  }
  *out = v->valuestring;
  return 0;
}

int pa_api_parse_id(const char *s, const char *prefix, int64_t *out) {
  return pa_str_id(s, prefix, out);
}

int pa_api_id(pa_srv_req *rq, const cJSON *obj, const char *name, const char *prefix, int required,
              int64_t *out) {
  char msg[160];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  *out = 0;
  if ((!v || cJSON_IsNull(v)) && !required) return 0;
  if (!v || !cJSON_IsString(v) || pa_api_parse_id(v->valuestring, prefix, out) != 0) {
    snprintf(msg, sizeof msg, "%s must be an id like \"%s_1\"", name, prefix);
    PA_BAD(rq, msg);
    return -1;
  }
  return 0;
}

int pa_api_only(pa_srv_req *rq, const cJSON *obj, const char *const *names) {
  const cJSON *m;
  cJSON_ArrayForEach(m, obj) {
    int known = 0;
    for (const char *const *n = names; *n && !known; n++) known = strcmp(*n, m->string) == 0;
    if (!known) {
      char msg[160], name[64];
      pa_srv_printable(m->string, name, sizeof name);
      snprintf(msg, sizeof msg, "Unknown field %s", name);
      PA_BAD(rq, msg);
      return -1;
    }
  }
  return 0;
}

int pa_api_query(pa_srv_req *rq, const char *name, char *out, size_t cap) {
  int n = pa_http_query_var(rq->query, name, out, cap);
  if (n == -1) return 1;
  if (n < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s is too long", name);
    PA_BAD(rq, msg);
    return -1;
  }
  return 0;
}

/* Digits only, 1..max. */
static int parse_limit(const char *s, int max, int *out) {
  int v = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > max) return -1;
    v = v * 10 + (*s - '0');
  }
  if (v < 1 || v > max) return -1;
  *out = v;
  return 0;
}

int pa_api_page(pa_srv_req *rq, int max, int def, int *limit, pa_store_cursor *cursor,
                int *has_cursor) {
  char text[PA_STORE_CURSOR_MAX], msg[96];
  *limit = def;
  *has_cursor = 0;
  int rc = pa_api_query(rq, "limit", text, 16);
  if (rc < 0) return -1;
  if (rc == 0 && parse_limit(text, max, limit) != 0) {
    snprintf(msg, sizeof msg, "limit must be a whole number from 1 to %d", max);
    PA_BAD(rq, msg);
    return -1;
  }
  int n = pa_http_query_var(rq->query, "cursor", text, sizeof text);
  if (n == -2 || (n >= 0 && pa_store_cursor_decode(text, cursor) != PA_STORE_OK)) {
    PA_BAD(rq, "cursor is not valid; use next_cursor from the previous page");
    return -1;
  }
  *has_cursor = n >= 0;
  return 0;
}

/* ---- building answers */

void pa_api_format_time(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "1970-01-01T00:00:00Z");
}

int pa_api_add_time(cJSON *obj, const char *key, int64_t t) {
  char when[32];
  pa_api_format_time(t, when);
  return cJSON_AddStringToObject(obj, key, when) ? 0 : -1;
}

int pa_api_add_media_url(cJSON *obj, const char *key, const char *hash, const char *ext) {
  char url[96];
  if (!hash || !ext) return cJSON_AddNullToObject(obj, key) ? 0 : -1;
  snprintf(url, sizeof url, "/media/%s.%s", hash, ext);
  return cJSON_AddStringToObject(obj, key, url) ? 0 : -1;
}

int pa_api_add_id(cJSON *obj, const char *key, const char *prefix, int64_t id) {
  char text[40];
  snprintf(text, sizeof text, "%s_%lld", prefix, (long long)id);
  return cJSON_AddStringToObject(obj, key, text) ? 0 : -1;
}

int pa_api_add_cursor(cJSON *obj, int has_more, const pa_store_cursor *next) {
  char text[PA_STORE_CURSOR_MAX];
  if (!has_more) return cJSON_AddNullToObject(obj, "next_cursor") ? 0 : -1;
  pa_store_cursor_encode(next, text);
  return cJSON_AddStringToObject(obj, "next_cursor", text) ? 0 : -1;
}

const char *pa_api_ext_type(const char *ext) {
  static const char *const map[][2] = {{"jpg", "image/jpeg"},
                                       {"png", "image/png"},
                                       {"webp", "image/webp"},
                                       {"mp4", "video/mp4"},
                                       {"webm", "video/webm"}};
  for (size_t i = 0; ext && i < sizeof map / sizeof map[0]; i++)
    if (strcmp(ext, map[i][0]) == 0) return map[i][1];
  return "application/octet-stream";
}

int pa_api_add_plus(cJSON *obj, int64_t plus_until) {
  return cJSON_AddBoolToObject(obj, "plus", plus_until > pa_clock_now()) ? 0 : -1;
}

cJSON *pa_api_person_json(const pa_store_person *p) {
  cJSON *o = cJSON_CreateObject();
  if (!o || !p->name || pa_api_add_id(o, "id", "u", p->id) ||
      !cJSON_AddStringToObject(o, "name", p->name) ||
      pa_api_add_media_url(o, "avatar_url", p->avatar_ext ? p->avatar : NULL, p->avatar_ext) ||
      pa_api_add_plus(o, p->plus_until)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *pa_api_pet_ref_json(const pa_store_pet_ref *p) {
  cJSON *o = cJSON_CreateObject();
  if (!o || !p->name || !p->species || pa_api_add_id(o, "id", "pet", p->id) ||
      !cJSON_AddStringToObject(o, "name", p->name) ||
      !cJSON_AddStringToObject(o, "species", p->species) ||
      pa_api_add_media_url(o, "avatar_url", p->avatar_ext ? p->avatar : NULL, p->avatar_ext)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *pa_api_array_add_object(cJSON *array) {
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddItemToArray(array, o)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

int pa_api_add_tag(void *ctx, const char *tag) {
  cJSON *item = cJSON_CreateString(tag);
  if (!item || !cJSON_AddItemToArray(ctx, item)) {
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

/* ---- ownership checks shared by several resources */

int pa_api_own_pet(pa_srv_req *rq, int64_t pet, const char *what) {
  int64_t owner;
  char msg[128];
  int rc = pa_store_pets_owner(rq->db, pet, &owner);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "pet owner");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND) {
    snprintf(msg, sizeof msg, "%s is not a pet", what);
    PA_BAD(rq, msg);
    return -1;
  }
  if (owner != rq->viewer) {
    snprintf(msg, sizeof msg, "%s is someone else's pet", what);
    PA_FORBIDDEN(rq, msg);
    return -1;
  }
  return 0;
}

int pa_api_own_media(pa_srv_req *rq, int64_t upload, const char *kind, const char *what,
                     const char *field, char hash[65], char ext[8]) {
  char msg[200];
  int rc = pa_store_media_upload_file(rq->db, upload, rq->viewer, hash, ext);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "upload");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND) {
    /* Also what a draft's upload becomes once unused for a day: the app
     * uploads the file again on this code. */
    snprintf(msg, sizeof msg,
             "%s is not one of your uploads (an upload not used within %d hours is "
             "discarded): upload the file again",
             what, PA_MEDIA_DRAFT_SECONDS / 3600);
    pa_api_field_error(rq, 400, "unknown_upload", msg, field);
    return -1;
  }
  int video = strcmp(ext, "mp4") == 0 || strcmp(ext, "webm") == 0;
  if (kind && (strcmp(kind, "video") == 0) != video) {
    snprintf(msg, sizeof msg, "%s must be %s", what, video ? "an image" : "a video");
    pa_api_field_error(rq, 400, "bad_request", msg, field);
    return -1;
  }
  if (pa_store_media_upload_attach(rq->db, upload, pa_clock_now()) != PA_STORE_OK) {
    pa_api_internal(rq, "attach upload");
    return -1;
  }
  return 0;
}

int pa_api_add_links(cJSON *obj, const char *links_json) {
  cJSON *parsed = links_json ? cJSON_Parse(links_json) : NULL, *item;
  int ok = cJSON_IsArray(parsed);
  cJSON_ArrayForEach(item, parsed) ok &= cJSON_IsString(item);
  if (!ok) {
    cJSON_Delete(parsed);
    parsed = cJSON_CreateArray();
  }
  if (parsed && cJSON_AddItemToObject(obj, "links", parsed)) return 0;
  cJSON_Delete(parsed);
  return -1;
}
