/* pa_srv — the JSON API under /api/: routing, sessions, CSRF, the helpers
 * every handler shares, and the feed. Every answer, errors included, is
 * JSON with Cache-Control: no-store. */
#include "api/api.h"

#include "auth.h"
#include "clock.h"
#include "limit.h"
#include "blob.h"
#include "net/http.h"
#include "origin.h"
#include "respcache.h"
#include "api/chat_relay.h"
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
  char line[400];
  snprintf(line, sizeof line, "api: %s: %s\n", what, pa_store_errmsg(rq->db));
  fputs(line, stderr);
  pa_api_error(rq, 500, "internal", "Something went wrong on our side", NULL);
}

void pa_api_json(pa_srv_req *rq, int status, cJSON *root) {
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  pa_srv_send(rq, status, json_type, "no-store", NULL, 0, text, strlen(text));
  cJSON_free(text);
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

int pa_api_str(pa_srv_req *rq, const cJSON *obj, const char *name, int required, long min,
                   long max, int multiline, const char **out) {
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
  size_t pl = strlen(prefix);
  if (!s || strncmp(s, prefix, pl) != 0 || s[pl] != '_') return -1;
  const char *d = s + pl + 1;
  if (*d < '1' || *d > '9') return -1;
  int64_t v = 0;
  for (; *d; d++) {
    if (*d < '0' || *d > '9' || v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*d - '0');
  }
  *out = v;
  return 0;
}

int pa_api_id(pa_srv_req *rq, const cJSON *obj, const char *name, const char *prefix,
                  int required, int64_t *out) {
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

int pa_api_page_rows(sqlite3_stmt *st, int limit, cJSON *(*item)(sqlite3_stmt *st), cJSON *list,
                     int created_col, int id_col, pa_store_cursor *next, int *more) {
  int rc, n = 0;
  *more = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == limit) {
      *more = 1;
      return SQLITE_DONE;
    }
    cJSON *o = item(st);
    if (!o || !cJSON_AddItemToArray(list, o)) {
      cJSON_Delete(o);
      return SQLITE_NOMEM;
    }
    next->created_at = sqlite3_column_int64(st, created_col);
    next->id = sqlite3_column_int64(st, id_col);
    n++;
  }
  return rc;
}

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

cJSON *pa_api_user_json(sqlite3_stmt *st, int c) {
  cJSON *o = cJSON_CreateObject();
  const char *name = col(st, c + 1), *hash = col(st, c + 2), *ext = col(st, c + 3);
  if (!o || !name || pa_api_add_id(o, "id", "u", sqlite3_column_int64(st, c)) ||
      !cJSON_AddStringToObject(o, "name", name) ||
      pa_api_add_media_url(o, "avatar_url", ext ? hash : NULL, ext)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *pa_api_pet_json(sqlite3_stmt *st, int c) {
  cJSON *o = cJSON_CreateObject();
  const char *name = col(st, c + 1), *species = col(st, c + 2), *hash = col(st, c + 3),
             *ext = col(st, c + 4);
  if (!o || !name || !species || pa_api_add_id(o, "id", "pet", sqlite3_column_int64(st, c)) ||
      !cJSON_AddStringToObject(o, "name", name) ||
      !cJSON_AddStringToObject(o, "species", species) ||
      pa_api_add_media_url(o, "avatar_url", ext ? hash : NULL, ext)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
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

static int add_tag(void *ctx, const char *tag) {
  cJSON *item = cJSON_CreateString(tag);
  if (!item || !cJSON_AddItemToArray(ctx, item)) {
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

int pa_api_add_feed_post(void *ctx, const pa_store_feed_post *p) {
  cJSON *posts = ctx, *post = cJSON_CreateObject(), *author, *pet, *images, *tags;
  int bad = !post || !cJSON_AddItemToArray(posts, post);
  if (bad) {
    cJSON_Delete(post);
    return -1;
  }
  bad |= pa_api_add_id(post, "id", "p", p->id);
  bad |= !(author = cJSON_AddObjectToObject(post, "author"));
  if (!bad) {
    bad |= pa_api_add_id(author, "id", "u", p->author_id);
    bad |= !cJSON_AddStringToObject(author, "name", p->author_name);
    bad |= pa_api_add_media_url(author, "avatar_url", p->author_avatar, p->author_avatar_ext);
  }
  bad |= !(pet = cJSON_AddObjectToObject(post, "pet"));
  if (!bad) {
    bad |= pa_api_add_id(pet, "id", "pet", p->pet_id);
    bad |= !cJSON_AddStringToObject(pet, "name", p->pet_name);
    bad |= !cJSON_AddStringToObject(pet, "species", p->pet_species);
    bad |= pa_api_add_media_url(pet, "avatar_url", p->pet_avatar, p->pet_avatar_ext);
  }
  bad |= !(images = cJSON_AddArrayToObject(post, "images"));
  for (int i = 0; !bad && i < p->image_count; i++) {
    const pa_store_image *im = &p->images[i];
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(images, o)) {
      cJSON_Delete(o);
      return -1;
    }
    bad |= pa_api_add_media_url(o, "url", im->hash, im->ext);
    bad |= !cJSON_AddNumberToObject(o, "width", im->width);
    bad |= !cJSON_AddNumberToObject(o, "height", im->height);
    bad |= !cJSON_AddStringToObject(o, "alt", im->alt);
    bad |= !(im->thumbhash ? cJSON_AddStringToObject(o, "thumbhash", im->thumbhash)
                           : cJSON_AddNullToObject(o, "thumbhash"));
  }
  bad |= !cJSON_AddStringToObject(post, "caption", p->caption);
  bad |= !(tags = cJSON_AddArrayToObject(post, "tags"));
  if (!bad) bad |= pa_str_tags(p->caption, add_tag, tags);
  /* Counts stay below 2^53, so JSON numbers carry them exactly. */
  bad |= !cJSON_AddNumberToObject(post, "like_count", (double)p->like_count);
  bad |= !cJSON_AddNumberToObject(post, "comment_count", (double)p->comment_count);
  bad |= !cJSON_AddBoolToObject(post, "liked", p->liked);
  bad |= !cJSON_AddBoolToObject(post, "sponsored", p->sponsored);
  bad |= pa_api_add_time(post, "created_at", p->created_at);
  return bad ? -1 : 0;
}

/* ---- feeds */

/* tag: for PA_STORE_FEED_TAG, else NULL. A page for someone signed out is the
 * same for everyone until the next write: it is kept (respcache.h). */
static void send_feed_where(pa_srv_req *rq, pa_store_feed_kind kind, int64_t id, const char *tag) {
  int limit, has_cursor, has_more = 0;
  pa_store_cursor after, next = {0, 0};
  char key[PA_HTTP_TARGET_MAX + 2];
  char *text = NULL;
  size_t len = 0;
  pa_respcache *cache = rq->viewer ? NULL : rq->srv->public_pages;
  if (pa_api_page(rq, PA_STORE_FEED_MAX, 20, &limit, &after, &has_cursor) != 0) return;
  snprintf(key, sizeof key, "%s?%s", rq->path, rq->query ? rq->query : "");
  if (cache && pa_respcache_get(cache, key, &text, &len)) {
    pa_srv_send(rq, 200, json_type, "no-store", NULL, 0, text, len);
    free(text);
    return;
  }
  unsigned long long gen = cache ? pa_respcache_gen(cache) : 0;
  cJSON *root = cJSON_CreateObject();
  cJSON *posts = cJSON_AddArrayToObject(root, "posts");
  if (!posts) {
    cJSON_Delete(root);
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  pa_store_feed_query q = {kind, id, rq->viewer, tag};
  int rc = pa_store_feed_where(rq->db, &q, has_cursor ? &after : NULL, limit, pa_api_add_feed_post,
                            posts, &next, &has_more);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "feed");
    return;
  }
  if (pa_api_add_cursor(root, has_more, &next) != 0 || !(text = cJSON_PrintUnformatted(root))) {
    cJSON_Delete(root);
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  cJSON_Delete(root);
  pa_srv_send(rq, 200, json_type, "no-store", NULL, 0, text, strlen(text));
  if (cache) pa_respcache_put(cache, key, gen, text, strlen(text));
  cJSON_free(text);
}

static void send_feed(pa_srv_req *rq, pa_store_feed_kind kind, int64_t id) {
  send_feed_where(rq, kind, id, NULL);
}

void pa_api_feed(pa_srv_req *rq) { send_feed(rq, PA_STORE_FEED_ALL, 0); }

/* ?tag=NAME: 1..80 of [a-z0-9_] (a leading '#' and capitals are forgiven). */
void pa_api_feed_tag(pa_srv_req *rq) {
  char tag[90];
  int rc = pa_api_query(rq, "tag", tag, sizeof tag);
  if (rc < 0) return;
  char *t = tag + (rc == 0 && tag[0] == '#');
  size_t n = rc == 0 ? strlen(t) : 0;
  int ok = n >= 1 && n <= 80;
  for (size_t i = 0; ok && i < n; i++) {
    t[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] - 'A' + 'a' : t[i]);
    ok = (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_';
  }
  if (!ok) {
    PA_BAD(rq, "tag must be 1 to 80 letters, digits or _");
    return;
  }
  send_feed_where(rq, PA_STORE_FEED_TAG, 0, t);
}
void pa_api_feed_following(pa_srv_req *rq) { send_feed(rq, PA_STORE_FEED_FOLLOWING, 0); }

static int exists(pa_srv_req *rq, const char *sql, int64_t id, const char *what) {
  int64_t v;
  int found = 0;
  if (pa_sq_scalar_found(rq->db, sql, 1, &id, &v, &found) != PA_STORE_OK) {
    pa_api_internal(rq, what);
    return -1;
  }
  if (!found) {
    char msg[64];
    snprintf(msg, sizeof msg, "No such %s", what);
    PA_NOT_FOUND(rq, msg);
    return -1;
  }
  return 0;
}

void pa_api_user_posts(pa_srv_req *rq) {
  if (exists(rq, "SELECT 1 FROM users WHERE id = ?1", rq->ids[0], "user") == 0)
    send_feed(rq, PA_STORE_FEED_AUTHOR, rq->ids[0]);
}

void pa_api_pet_posts(pa_srv_req *rq) {
  if (exists(rq, "SELECT 1 FROM pets WHERE id = ?1", rq->ids[0], "pet") == 0)
    send_feed(rq, PA_STORE_FEED_PET, rq->ids[0]);
}

/* ---- sessions and CSRF */

static int is_loopback(const char *addr) {
  return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
         strncmp(addr, "::ffff:127.", 11) == 0;
}

/* TLS here, or a proxy on this machine that says the client used https. */
static int secure_request(pa_srv_req *rq) {
  const char *proto = pa_srv_req_header(rq, "X-Forwarded-Proto");
  return proto && strcasecmp(proto, "https") == 0 && is_loopback(rq->remote_addr);
}

void pa_api_set_session_cookie(pa_srv_req *rq, const char *token, int64_t max_age) {
  snprintf(rq->set_cookie, sizeof rq->set_cookie,
           "pa_session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s", token,
           (long long)max_age, secure_request(rq) ? "; Secure" : "");
}

static const char session_sql[] =
    "SELECT id, user_id, csrf, expires_at FROM sessions WHERE token_hash = ?1";

/* Fills rq->viewer from the cookie; -1 (500 sent) when the database failed.
 * The expiry slides forward at most once a day, so reads rarely write. */
static int resolve_session(pa_srv_req *rq) {
  char token[PA_AUTH_TOKEN_TEXT + 8];
  unsigned char h[32];
  const char *cookies = pa_srv_req_header(rq, "Cookie");
  if (!cookies || pa_http_cookie(cookies, "pa_session", token, sizeof token) <= 0 ||
      pa_auth_token_hash(token, h) != 0)
    return 0;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, session_sql);
  if (!st) {
    pa_api_internal(rq, "session");
    return -1;
  }
  int64_t now = pa_clock_now(), sid = 0, expires = 0;
  int rc = sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    sid = sqlite3_column_int64(st, 0);
    expires = sqlite3_column_int64(st, 3);
    if (expires > now) {
      rq->session_id = sid;
      rq->viewer = sqlite3_column_int64(st, 1);
      snprintf(rq->csrf, sizeof rq->csrf, "%s", col(st, 2) ? col(st, 2) : "");
    }
  }
  pa_sq_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    pa_api_internal(rq, "session");
    return -1;
  }
  const int64_t life = (int64_t)PA_AUTH_SESSION_DAYS * 86400;
  if (sid && expires <= now) {
    pa_sq_exec_i64(rq->db, "DELETE FROM sessions WHERE id = ?1", 1, &sid, NULL);
  } else if (sid && expires - now < life - 86400) {
    int64_t a[2] = {now + life, sid};
    if (pa_sq_exec_i64(rq->db, "UPDATE sessions SET expires_at = ?1 WHERE id = ?2", 2, a, NULL) ==
        PA_STORE_OK)
      pa_api_set_session_cookie(rq, token, life);
  }
  sodium_memzero(token, sizeof token);
  return 0;
}

const pa_origins *pa_api_origins(const pa_srv_req *rq) { return &rq->srv->origins; }

int pa_api_host_gate(pa_srv_req *rq) {
  static const char plain[] =
      "421 Misdirected Request: this server does not answer for that host\n";
  if (pa_origin_host_ok(pa_api_origins(rq), pa_srv_req_header(rq, "Host"))) return 0;
  if (strncmp(rq->path, "/api", 4) == 0 && (rq->path[4] == '\0' || rq->path[4] == '/'))
    pa_api_error(rq, 421, "misdirected", "This server does not answer for that host", NULL);
  else
    pa_srv_send(rq, 421, "text/plain; charset=utf-8", "no-store", NULL, 0, plain, sizeof plain - 1);
  return -1;
}

/* Signup and login have no session: the request must come from our own
 * page (Origin, when sent, is one of our origins; Sec-Fetch-Site is
 * same-origin). Host is checked too, for the chat socket, which is not
 * routed through pa_api_handle. */
static int same_origin(pa_srv_req *rq) {
  const pa_origins *ours = pa_api_origins(rq);
  const char *origin = pa_srv_req_header(rq, "Origin");
  const char *site = pa_srv_req_header(rq, "Sec-Fetch-Site");
  if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return 0;
  if (!pa_origin_host_ok(ours, pa_srv_req_header(rq, "Host"))) return 0;
  return !origin || pa_origin_origin_ok(ours, origin);
}

/* For the chat socket (srv_chat.c), which is not routed here. */
int pa_api_resolve_session(pa_srv_req *rq) { return resolve_session(rq); }
int pa_api_same_origin(pa_srv_req *rq) { return same_origin(rq); }

static int csrf_ok(pa_srv_req *rq) {
  const char *sent = pa_srv_req_header(rq, "X-CSRF-Token");
  size_t n = strlen(rq->csrf);
  return sent && n > 0 && strlen(sent) == n && sodium_memcmp(sent, rq->csrf, n) == 0;
}

/* ---- rate limits (limit.h) */

/* What a purpose counts by unless the caller names the key: sign-in and
 * sign-up by the client's address, everything else by the user, or by the
 * address when nobody is signed in. */
static void default_key(pa_srv_req *rq, pa_limit_purpose purpose, char out[64]) {
  if (purpose != PA_LIMIT_LOGIN_ADDR && purpose != PA_LIMIT_SIGNUP_ADDR && rq->viewer)
    snprintf(out, 64, "u_%lld", (long long)rq->viewer);
  else
    pa_limit_addr_key(rq->remote_addr ? rq->remote_addr : "", out);
}

int pa_api_limited(pa_srv_req *rq, pa_limit_purpose purpose, const char *key) {
  char own[64], message[96];
  if (!key) {
    default_key(rq, purpose, own);
    key = own;
  }
  int wait = pa_limit_charge(purpose, key, strlen(key));
  if (!wait) return 0;
  snprintf(message, sizeof message, "Too many requests; try again in %d seconds", wait);
  pa_api_error_retry(rq, 429, "rate_limited", message, wait);
  return -1;
}

/* ---- routing */

/* Route flags, enforced here and in the transport, never in handlers (but for
 * F_LATE, which hands the charging of the route's limit to its handler). */
enum {
  F_AUTH = 1,    /* needs a signed-in user */
  F_ORIGIN = 2,  /* signup/login: same-origin check instead of the CSRF token */
  F_SLOW = 4,    /* CPU-heavy (Argon2id, decoding media): runs on the slow workers, so a
                    burst of them never delays a feed request */
  F_MEDIA = 8,   /* the body is an upload of up to PA_BLOB_VIDEO_BYTES */
  F_ATTACH = 16, /* the body is an encrypted chat attachment of up to PA_CHAT_ATTACH_MAX */
  F_LATE = 32    /* the handler charges the route's limit once the request is valid */
};

/* limit: what a request of the route counts against (limit.h). A
 * state-changing route naming none counts as PA_LIMIT_WRITE; a read is limited
 * only when it names one. pa_api_handle charges it after auth and CSRF, by
 * default_key; with F_LATE the handler does, once it has validated the
 * request (so a login without a body, or a bundle of an unknown device, costs
 * no budget), and may charge more purposes there by their own keys (login:
 * per account). */
typedef struct route {
  const char *method;
  const char *pattern; /* "{u}" "{pet}" "{p}" "{c}" "{s}" "{r}" "{m}" stand for typed ids */
  void (*fn)(pa_srv_req *rq);
  int flags;
  pa_limit_purpose limit;
} route;

static const route routes[] = {
    {"POST", "/api/v1/auth/signup", pa_api_signup, F_ORIGIN | F_SLOW | F_LATE,
     PA_LIMIT_SIGNUP_ADDR},
    {"POST", "/api/v1/auth/login", pa_api_login, F_ORIGIN | F_SLOW | F_LATE,
     PA_LIMIT_LOGIN_ADDR},
    {"POST", "/api/v1/auth/logout", pa_api_logout, F_AUTH, PA_LIMIT_SIGNOUT},
    {"POST", "/api/v1/auth/logout-all", pa_api_logout_all, F_AUTH, PA_LIMIT_SIGNOUT},
    {"GET", "/api/v1/auth/session", pa_api_session, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/auth/password", pa_api_password, F_AUTH | F_SLOW | F_LATE,
     PA_LIMIT_PASSWORD},
    {"DELETE", "/api/v1/me", pa_api_delete_me, F_AUTH | F_SLOW | F_LATE, PA_LIMIT_PASSWORD},
    {"PATCH", "/api/v1/me", pa_api_me_patch, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/me/pets", pa_api_my_pets, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/notifications", pa_api_notifications_get, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/notifications/unread", pa_api_notifications_unread, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/notifications/read", pa_api_notifications_read, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/feed", pa_api_feed, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/following", pa_api_feed_following, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/tag", pa_api_feed_tag, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/candidates", pa_api_candidates, F_AUTH | F_LATE, PA_LIMIT_CANDIDATES},
    {"POST", "/api/v1/posts", pa_api_post_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/posts", pa_api_posts_by_id, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/posts/{p}", pa_api_post_get, 0, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/posts/{p}", pa_api_post_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/posts/{p}/like", pa_api_like_put, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/posts/{p}/like", pa_api_like_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/posts/{p}/comments", pa_api_comments_get, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/oembed", pa_api_oembed, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/posts/{p}/comments", pa_api_comment_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/comments/{c}", pa_api_comment_delete, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/pets", pa_api_pet_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/pets/{pet}", pa_api_pet_get, 0, PA_LIMIT_NONE},
    {"PATCH", "/api/v1/pets/{pet}", pa_api_pet_patch, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}", pa_api_pet_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/pets/{pet}/posts", pa_api_pet_posts, 0, PA_LIMIT_NONE},
    {"PUT", "/api/v1/pets/{pet}/follow", pa_api_pet_follow, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}/follow", pa_api_pet_unfollow, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/users/{u}", pa_api_user_get, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/users/{u}/posts", pa_api_user_posts, 0, PA_LIMIT_NONE},
    {"PUT", "/api/v1/users/{u}/follow", pa_api_user_follow, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/users/{u}/follow", pa_api_user_unfollow, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/users/{u}/followers", pa_api_followers, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/pets/{pet}/followers", pa_api_pet_followers, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/users/{u}/following", pa_api_following, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/search", pa_api_search, F_LATE, PA_LIMIT_SEARCH},
    {"POST", "/api/v1/media", pa_api_media_upload, F_AUTH | F_SLOW | F_MEDIA, PA_LIMIT_UPLOAD},
    {"DELETE", "/api/v1/media/{m}", pa_api_media_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/stories", pa_api_stories_get, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/stories", pa_api_story_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/stories/{s}", pa_api_story_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/stories/{s}/seen", pa_api_story_seen, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/reels", pa_api_reels_get, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/reels", pa_api_reel_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/reels/{r}", pa_api_reel_delete, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/devices", pa_api_chat_device_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/chat/devices", pa_api_chat_my_devices, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/chat/devices/{d}", pa_api_chat_device_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/chat/devices/{d}", pa_api_chat_device_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/chat/devices/{d}/prekeys", pa_api_chat_prekeys_put, F_AUTH,
     PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/devices/{d}/bundle", pa_api_chat_bundle_take, F_AUTH | F_LATE,
     PA_LIMIT_CHAT_BUNDLE},
    {"GET", "/api/v1/users/{u}/chat-devices", pa_api_chat_user_devices, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/chat/attachments", pa_api_chat_attachment_put, F_AUTH | F_ATTACH,
     PA_LIMIT_UPLOAD},
    {"GET", "/api/v1/chat/attachments", pa_api_chat_attachment_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/chat/attachments", pa_api_chat_attachment_delete, F_AUTH,
     PA_LIMIT_WRITE},
};

/* Matches path against pattern segment by segment, collecting ids. */
static int match(const char *pattern, const char *path, int64_t ids[2]) {
  int n = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p == '{') {
      const char *close = strchr(p, '}'), *end = strchr(s, '/');
      char seg[40], prefix[8];
      size_t plen = (size_t)(close - p - 1), slen = end ? (size_t)(end - s) : strlen(s);
      if (slen == 0 || slen >= sizeof seg || plen >= sizeof prefix || n >= 2) return 0;
      memcpy(seg, s, slen);
      seg[slen] = '\0';
      memcpy(prefix, p + 1, plen);
      prefix[plen] = '\0';
      if (pa_api_parse_id(seg, prefix, &ids[n++]) != 0) return 0;
      p = close + 1;
      s += slen;
      continue;
    }
    if (*p != *s) return 0;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

static int state_changing(const char *m) {
  return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
         strcmp(m, "DELETE") == 0;
}

pa_net_route pa_api_route(const pa_http_head *head) {
  pa_net_route r = {PA_API_BODY_MAX, 0, 0};
  int64_t ids[2];
  const char *m = strcmp(head->method, "HEAD") == 0 ? "GET" : head->method;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (strcmp(routes[i].method, m) != 0 || !match(routes[i].pattern, head->path, ids)) continue;
    int f = routes[i].flags;
    /* An upload's limit follows its type, so an oversized image is refused
     * from its Content-Length before a byte of it is read. */
    int kind = pa_blob_type_kind(pa_http_field_get(head, "Content-Type"));
    r.body_max = f & F_MEDIA    ? (kind >= 0 && !pa_blob_kind_is_video(kind) ? PA_BLOB_IMAGE_BYTES
                                                                              : PA_BLOB_VIDEO_BYTES)
                 : f & F_ATTACH ? PA_CHAT_ATTACH_MAX
                                : PA_API_BODY_MAX;
    r.slow = (f & F_SLOW) != 0;
    r.needs_session = (f & F_AUTH) != 0;
    return r;
  }
  return r; /* no route: the handler answers 404 or 405 after a small body */
}

void pa_api_handle(pa_srv_req *rq) {
  char method[24], path[200], message[256], allow[64] = "";
  const route *r = NULL;
  int64_t ids[2] = {0, 0};
  int any = 0;
  const char *m = rq->head ? "GET" : rq->method;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !r; i++) {
    int64_t got[2] = {0, 0};
    if (!match(routes[i].pattern, rq->path, got)) continue;
    any = 1;
    if (strcmp(routes[i].method, m) == 0) {
      r = &routes[i];
      memcpy(ids, got, sizeof ids);
    }
  }
  if (!any) {
    pa_srv_printable(rq->method, method, sizeof method);
    pa_srv_printable(rq->path, path, sizeof path);
    snprintf(message, sizeof message, "No route for %s %s", method, path);
    pa_api_error(rq, 404, "not_found", message, NULL);
    return;
  }
  if (!r) {
    static const char *const order[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t k = 0; k < 5; k++)
      for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t got[2];
        if (strcmp(routes[i].method, order[k]) != 0 || !match(routes[i].pattern, rq->path, got))
          continue;
        size_t len = strlen(allow);
        snprintf(allow + len, sizeof allow - len, "%s%s%s", len ? ", " : "", order[k],
                 k == 0 ? ", HEAD" : "");
        break;
      }
    pa_srv_printable(rq->method, method, sizeof method);
    pa_srv_printable(rq->path, path, sizeof path);
    snprintf(message, sizeof message, "%s is not allowed on %s", method, path);
    pa_api_error(rq, 405, "method_not_allowed", message, allow);
    return;
  }
  if (!rq->db) {
    pa_api_error(rq, 500, "internal", "Something went wrong on our side", NULL);
    return;
  }
  memcpy(rq->ids, ids, sizeof ids);
  if (resolve_session(rq) != 0) return;
  if (r->flags & F_ORIGIN) {
    if (!same_origin(rq)) {
      pa_api_error(rq, 403, "csrf", "Cross-site request refused", NULL);
      return;
    }
  } else if (state_changing(m) || (r->flags & F_AUTH)) {
    if (!rq->viewer) {
      pa_api_error(rq, 401, "unauthorized", "Sign in first", NULL);
      return;
    }
    if (state_changing(m) && !csrf_ok(rq)) {
      pa_api_error(rq, 403, "csrf", "Missing or wrong X-CSRF-Token", NULL);
      return;
    }
  }
  pa_limit_purpose limit = r->limit;
  if (!limit && state_changing(m)) limit = PA_LIMIT_WRITE;
  if (!(r->flags & F_LATE) && limit && pa_api_limited(rq, limit, NULL) != 0) return;
  r->fn(rq);
  /* Whatever a write changed, no signed-out page kept from before shows it. */
  if (state_changing(m) && rq->status < 400) pa_respcache_bump(rq->srv->public_pages);
}
