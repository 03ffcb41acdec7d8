/* pa_srv — the JSON API under /api/. Every answer, errors included, is JSON
 * with Cache-Control: no-store. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "srv_internal.h"

static const char json_type[] = "application/json; charset=utf-8";

enum { MAX_TAGS = 30, MAX_TAG_LEN = 80, DEFAULT_LIMIT = 20 };

/* {"error":{"code":...,"message":...}}; allow (or NULL) becomes the Allow header. */
static void send_error(pa_srv_req *rq, int status, const char *code, const char *message,
                       const char *allow) {
  static const char fallback[] =
      "{\"error\":{\"code\":\"internal\",\"message\":\"Out of memory\"}}";
  pa_srv_header h = {"Allow", allow};
  cJSON *root = cJSON_CreateObject();
  cJSON *err = cJSON_AddObjectToObject(root, "error");
  char *text = NULL;
  if (err && cJSON_AddStringToObject(err, "code", code) &&
      cJSON_AddStringToObject(err, "message", message))
    text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (text)
    pa_srv_send(rq, status, json_type, "no-store", &h, allow ? 1 : 0, text, strlen(text));
  else
    pa_srv_send(rq, 500, json_type, "no-store", NULL, 0, fallback, sizeof fallback - 1);
  cJSON_free(text);
}

static void send_internal(pa_srv_req *rq) {
  send_error(rq, 500, "internal", "Something went wrong on our side", NULL);
}

/* ---- building the feed */

static int is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* #tags in caption order, lowercased, without repeats. A tag starts after a
 * non-word character, holds ASCII letters, digits and '_', and is not all
 * digits ("#1" is a number, not a tag). */
static int add_tags(cJSON *tags, const char *caption) {
  const unsigned char *s = (const unsigned char *)caption;
  int count = 0;
  for (size_t i = 0; s[i] && count < MAX_TAGS; i++) {
    if (s[i] != '#' || (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '#' || s[i - 1] == '&')))
      continue;
    char tag[MAX_TAG_LEN + 1];
    size_t n = 0;
    int letters = 0;
    while (is_word(s[i + 1 + n])) {
      if (n < MAX_TAG_LEN) {
        unsigned char c = s[i + 1 + n];
        tag[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        letters |= !(c >= '0' && c <= '9');
      }
      n++;
    }
    unsigned char after = s[i + 1 + n];
    i += n;
    /* Too long, digits only, or running into non-ASCII text: not a tag we can spell. */
    if (n == 0 || n > MAX_TAG_LEN || !letters || after >= 0x80) continue;
    tag[n] = '\0';
    int seen = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) seen |= strcmp(t->valuestring, tag) == 0;
    if (seen) continue;
    cJSON *item = cJSON_CreateString(tag);
    if (!item || !cJSON_AddItemToArray(tags, item)) {
      cJSON_Delete(item);
      return -1;
    }
    count++;
  }
  return 0;
}

static void format_time(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* Adds "/media/<hash>.<ext>", or null when there is no file. */
static int add_media_url(cJSON *obj, const char *key, const char *hash, const char *ext) {
  char url[96];
  if (!hash || !ext) return cJSON_AddNullToObject(obj, key) ? 0 : -1;
  snprintf(url, sizeof url, "/media/%s.%s", hash, ext);
  return cJSON_AddStringToObject(obj, key, url) ? 0 : -1;
}

static int add_id(cJSON *obj, const char *prefix, int64_t id) {
  char text[32];
  snprintf(text, sizeof text, "%s_%lld", prefix, (long long)id);
  return cJSON_AddStringToObject(obj, "id", text) ? 0 : -1;
}

/* pa_db_feed callback: appends one post to the posts array. */
static int add_post(void *ctx, const pa_db_feed_post *p) {
  cJSON *posts = ctx, *post = cJSON_CreateObject(), *author, *pet, *images, *tags;
  char when[32];
  int bad = !post || !cJSON_AddItemToArray(posts, post);
  if (bad) {
    cJSON_Delete(post);
    return -1;
  }
  format_time(p->created_at, when);
  bad |= add_id(post, "p", p->id);

  bad |= !(author = cJSON_AddObjectToObject(post, "author"));
  if (!bad) {
    bad |= add_id(author, "u", p->author_id);
    bad |= !cJSON_AddStringToObject(author, "name", p->author_name);
    bad |= add_media_url(author, "avatar_url", p->author_avatar, p->author_avatar_ext);
  }
  bad |= !(pet = cJSON_AddObjectToObject(post, "pet"));
  if (!bad) {
    bad |= add_id(pet, "pet", p->pet_id);
    bad |= !cJSON_AddStringToObject(pet, "name", p->pet_name);
    bad |= !cJSON_AddStringToObject(pet, "species", p->pet_species);
    bad |= add_media_url(pet, "avatar_url", p->pet_avatar, p->pet_avatar_ext);
  }
  bad |= !(images = cJSON_AddArrayToObject(post, "images"));
  for (int i = 0; !bad && i < p->image_count; i++) {
    const pa_db_image *im = &p->images[i];
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(images, o)) {
      cJSON_Delete(o);
      return -1;
    }
    bad |= add_media_url(o, "url", im->hash, im->ext);
    bad |= !cJSON_AddNumberToObject(o, "width", im->width);
    bad |= !cJSON_AddNumberToObject(o, "height", im->height);
    bad |= !cJSON_AddStringToObject(o, "alt", im->alt);
  }
  bad |= !cJSON_AddStringToObject(post, "caption", p->caption);
  bad |= !(tags = cJSON_AddArrayToObject(post, "tags"));
  if (!bad) bad |= add_tags(tags, p->caption);
  /* Counts stay below 2^53, so JSON numbers carry them exactly. */
  bad |= !cJSON_AddNumberToObject(post, "like_count", (double)p->like_count);
  bad |= !cJSON_AddNumberToObject(post, "comment_count", (double)p->comment_count);
  bad |= !cJSON_AddFalseToObject(post, "liked"); /* no sessions yet: nobody is signed in */
  bad |= !cJSON_AddStringToObject(post, "created_at", when);
  return bad ? -1 : 0;
}

/* limit: digits only, 1..PA_DB_FEED_MAX. */
static int parse_limit(const char *s, int *out) {
  int v = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > PA_DB_FEED_MAX) return -1;
    v = v * 10 + (*s - '0');
  }
  if (v < 1 || v > PA_DB_FEED_MAX) return -1;
  *out = v;
  return 0;
}

static void get_feed(pa_srv_req *rq) {
  char limit_text[16], cursor_text[PA_DB_CURSOR_MAX];
  int limit = DEFAULT_LIMIT, has_more = 0, n;
  pa_db_cursor after, next = {0, 0};
  const char *q = rq->query ? rq->query : "";
  size_t qlen = strlen(q);

  n = mg_get_var(q, qlen, "limit", limit_text, sizeof limit_text);
  if (n == -2 || (n >= 0 && parse_limit(limit_text, &limit) != 0)) {
    send_error(rq, 400, "bad_request", "limit must be a whole number from 1 to 50", NULL);
    return;
  }
  n = mg_get_var(q, qlen, "cursor", cursor_text, sizeof cursor_text);
  int have_cursor = n != -1;
  if (n == -2 || (n >= 0 && pa_db_cursor_decode(cursor_text, &after) != PA_DB_OK)) {
    send_error(rq, 400, "bad_request", "cursor is not valid; use next_cursor from a feed page",
               NULL);
    return;
  }

  pa_db *db = mg_get_thread_pointer(rq->conn);
  if (!db) {
    send_internal(rq);
    return;
  }
  cJSON *root = cJSON_CreateObject();
  cJSON *posts = cJSON_AddArrayToObject(root, "posts");
  if (!posts) {
    cJSON_Delete(root);
    send_internal(rq);
    return;
  }
  int rc = pa_db_feed(db, have_cursor ? &after : NULL, limit, add_post, posts, &next, &has_more);
  if (rc != PA_DB_OK) {
    fprintf(stderr, "feed: %s\n", rc == PA_DB_EABORT ? "out of memory" : pa_db_errmsg(db));
    cJSON_Delete(root);
    send_internal(rq);
    return;
  }
  int ok;
  if (has_more) {
    pa_db_cursor_encode(&next, cursor_text);
    ok = cJSON_AddStringToObject(root, "next_cursor", cursor_text) != NULL;
  } else {
    ok = cJSON_AddNullToObject(root, "next_cursor") != NULL;
  }
  char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) {
    send_internal(rq);
    return;
  }
  pa_srv_send(rq, 200, json_type, "no-store", NULL, 0, text, strlen(text));
  cJSON_free(text);
}

typedef struct route {
  const char *path;
  void (*get)(pa_srv_req *rq); /* answers GET and HEAD */
} route;

static const route routes[] = {
    {"/api/v1/feed", get_feed},
};

void pa_srv_api(pa_srv_req *rq) {
  char method[24], path[200], message[256];
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (strcmp(rq->path, routes[i].path) != 0) continue;
    if (strcmp(rq->method, "GET") == 0 || rq->head) {
      routes[i].get(rq);
    } else {
      pa_srv_printable(rq->method, method, sizeof method);
      snprintf(message, sizeof message, "%s is not allowed on %s", method, routes[i].path);
      send_error(rq, 405, "method_not_allowed", message, "GET, HEAD");
    }
    return;
  }
  pa_srv_printable(rq->method, method, sizeof method);
  pa_srv_printable(rq->path, path, sizeof path);
  snprintf(message, sizeof message, "No route for %s %s", method, path);
  send_error(rq, 404, "not_found", message, NULL);
}
