#include "base/strbuf.h"
#include "jv.h"
#include "pa/pa_civil.h"
#include "pa/pa_feed.h"
#include "pa/pa_thumbhash.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pa_feed {
  pa_jv_arena arena;
  pa_feed_post *posts;
  int post_count;
  const char *next_cursor;
};

pa_status pa_feed_parse_person(pa_jv *v, const cJSON *o, pa_feed_person *p) {
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, PA_FEED_MAX_ID, false, &p->id));
  PA_JV_TRY(pa_jv_string(v, o, "name", PA_JV_TEXT, PA_FEED_MAX_NAME, false, &p->name));
  PA_JV_TRY(pa_jv_string(v, o, "avatar_url", PA_JV_URL, PA_FEED_MAX_URL, true, &p->avatar_url));
  /* Optional (older servers and other person objects omit it), but when present a boolean. */
  p->plus = false;
  if (cJSON_GetObjectItemCaseSensitive(o, "plus")) return pa_jv_bool(v, o, "plus", &p->plus);
  return PA_OK;
}

pa_status pa_feed_parse_pet(pa_jv *v, const cJSON *o, pa_feed_pet *p) {
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, PA_FEED_MAX_ID, false, &p->id));
  PA_JV_TRY(pa_jv_string(v, o, "name", PA_JV_TEXT, PA_FEED_MAX_NAME, false, &p->name));
  PA_JV_TRY(pa_jv_string(v, o, "species", PA_JV_TEXT, PA_FEED_MAX_NAME, false, &p->species));
  return pa_jv_string(v, o, "avatar_url", PA_JV_URL, PA_FEED_MAX_URL, true, &p->avatar_url);
}

const char PA_FEED_TOO_LONG[] = "is too long";

const char *pa_feed_ad_token_check(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return "may only hold base64url characters (letters, digits, '_' and '-')";
    if (n >= PA_FEED_MAX_AD_TOKEN) return PA_FEED_TOO_LONG;
  }
  return n ? NULL : "is empty";
}

const char *pa_feed_ad_link_check(const char *s) {
  if (!*s) return NULL; /* the ad has no link */
  if (strncmp(s, "https://", 8) != 0) return "must be an https URL";
  size_t n = 0;
  for (; s[n]; n++) {
    unsigned char c = (unsigned char)s[n];
    /* Printable ASCII only (a link is shown and opened as is), and none of
     * the characters that would need escaping in HTML or a URL. */
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' ||
        c == '{' || c == '}' || c == '|' || c == '^')
      return "holds a character that must be escaped";
    if (n >= PA_FEED_MAX_AD_LINK) return PA_FEED_TOO_LONG;
  }
  /* The host: what follows "https://" up to the path, query or fragment. */
  size_t host = strcspn(s + 8, "/?#");
  if (host == 0 || s[8] == ':') return "has no host";
  /* User info ("https://bank.example@elsewhere") would show one site and open another. */
  if (memchr(s + 8, '@', host)) return "may not hold user info";
  return NULL;
}

/* One of the ad's strings, held to check (pa_feed_ad_token_check or _link_check). */
static pa_status ad_string(pa_jv *v, const cJSON *o, const char *field,
                           const char *(*check)(const char *), const char **out) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, field);
  if (!j) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "missing");
  if (!cJSON_IsString(j) || !j->valuestring)
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected a string");
  const char *why = check(j->valuestring);
  if (why)
    return pa_jv_fail(v, why == PA_FEED_TOO_LONG ? PA_ERR_TOO_LARGE : PA_ERR_SCHEMA, field, "%s",
                      why);
  size_t n = strlen(j->valuestring) + 1;
  char *kept = pa_jv_alloc(v->arena, n);
  if (!kept) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  *out = memcpy(kept, j->valuestring, n);
  return PA_OK;
}

pa_status pa_feed_parse_ad_fields(pa_jv *v, const cJSON *o, const char **token, const char **link) {
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(ad_string(v, o, "token", pa_feed_ad_token_check, token));
  return ad_string(v, o, "link", pa_feed_ad_link_check, link);
}

/* The optional "ad" object of a sponsored post (pa_feed.h). */
static pa_status parse_ad(pa_jv *v, const cJSON *o, pa_feed_post *p) {
  if (!p->sponsored) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "only a sponsored post has one");
  return pa_feed_parse_ad_fields(v, o, &p->ad_token, &p->ad_link);
}

static pa_status parse_image(pa_jv *v, const cJSON *o, pa_feed_image *im) {
  int64_t w, h;
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_string(v, o, "url", PA_JV_URL, PA_FEED_MAX_URL, false, &im->url));
  PA_JV_TRY(pa_jv_int(v, o, "width", 1, PA_FEED_MAX_DIMENSION, &w));
  PA_JV_TRY(pa_jv_int(v, o, "height", 1, PA_FEED_MAX_DIMENSION, &h));
  im->width = (int)w;
  im->height = (int)h;
  im->alt = "";
  im->thumbhash = NULL;
  if (cJSON_GetObjectItemCaseSensitive(o, "thumbhash")) {
    uint8_t hash[PA_THUMBHASH_MAX];
    size_t n;
    pa_error e;
    PA_JV_TRY(pa_jv_string(v, o, "thumbhash", PA_JV_TEXT, PA_THUMBHASH_TEXT_MAX - 1, true,
                           &im->thumbhash));
    if (im->thumbhash && pa_thumbhash_from_base64(im->thumbhash, hash, &n, &e) != PA_OK)
      return pa_jv_fail(v, PA_ERR_SCHEMA, "thumbhash", "%s", e.msg);
  }
  if (!cJSON_GetObjectItemCaseSensitive(o, "alt")) return PA_OK;
  PA_JV_TRY(pa_jv_string(v, o, "alt", PA_JV_TEXT, PA_FEED_MAX_CAPTION, true, &im->alt));
  if (!im->alt) im->alt = "";
  return PA_OK;
}

static pa_status parse_post(pa_jv *v, const cJSON *o, pa_feed_post *p) {
  const cJSON *a;
  int n;
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, PA_FEED_MAX_ID, false, &p->id));
  PA_JV_NESTED(v, o, "author", pa_feed_parse_person, &p->author);
  PA_JV_NESTED(v, o, "pet", pa_feed_parse_pet, &p->pet);

  if (!(a = pa_jv_array(v, o, "images", 1, PA_FEED_MAX_IMAGES, &n))) return v->err->code;
  pa_feed_image *images = pa_jv_alloc(v->arena, sizeof *images * (size_t)n);
  if (!images) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    size_t mark = pa_jv_push(v, ".images[%d]", i);
    PA_JV_TRY(parse_image(v, cJSON_GetArrayItem(a, i), &images[i]));
    pa_jv_pop(v, mark);
  }
  p->images = images;
  p->image_count = n;

  PA_JV_TRY(
      pa_jv_string(v, o, "caption", PA_JV_MULTILINE, PA_FEED_MAX_CAPTION, false, &p->caption));

  if (!(a = pa_jv_array(v, o, "tags", 0, PA_FEED_MAX_TAGS, &n))) return v->err->code;
  const char **tags = pa_jv_alloc(v->arena, sizeof *tags * (size_t)(n ? n : 1));
  if (!tags) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    char field[24];
    snprintf(field, sizeof field, "tags[%d]", i);
    PA_JV_TRY(pa_jv_string_item(v, cJSON_GetArrayItem(a, i), field, PA_JV_TEXT, PA_FEED_MAX_NAME,
                                &tags[i]));
    if (!tags[i][0]) return pa_jv_fail(v, PA_ERR_SCHEMA, field, "empty tag");
  }
  p->tags = tags;
  p->tag_count = n;

  /* Counts beyond 2^53 cannot round-trip through JSON numbers exactly. */
  PA_JV_TRY(pa_jv_int(v, o, "like_count", 0, INT64_C(9007199254740991), &p->like_count));
  PA_JV_TRY(pa_jv_int(v, o, "comment_count", 0, INT64_C(9007199254740991), &p->comment_count));
  PA_JV_TRY(pa_jv_bool(v, o, "liked", &p->liked));
  p->sponsored = false;
  if (cJSON_GetObjectItemCaseSensitive(o, "sponsored"))
    PA_JV_TRY(pa_jv_bool(v, o, "sponsored", &p->sponsored));
  p->ad_token = p->ad_link = NULL;
  if (cJSON_GetObjectItemCaseSensitive(o, "ad")) PA_JV_NESTED(v, o, "ad", parse_ad, p);
  return pa_jv_time(v, o, "created_at", &p->created_at);
}

static pa_status parse_root(pa_jv *v, pa_feed *feed, const cJSON *root) {
  int n;
  const cJSON *posts;
  if (!cJSON_IsObject(root)) return pa_error_set(v->err, PA_ERR_SCHEMA, "feed: expected an object");
  if (!(posts = pa_jv_array(v, root, "posts", 0, PA_FEED_MAX_POSTS, &n))) return v->err->code;
  feed->posts = pa_jv_alloc(v->arena, sizeof *feed->posts * (size_t)(n ? n : 1));
  if (!feed->posts) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  memset(feed->posts, 0, sizeof *feed->posts * (size_t)n);
  for (int i = 0; i < n; i++) {
    size_t mark = pa_jv_push(v, "posts[%d]", i);
    PA_JV_TRY(parse_post(v, cJSON_GetArrayItem(posts, i), &feed->posts[i]));
    pa_jv_pop(v, mark);
  }
  feed->post_count = n;
  return pa_jv_string(v, root, "next_cursor", PA_JV_TEXT, 512, true, &feed->next_cursor);
}

pa_status pa_feed_parse(const char *json, size_t len, pa_feed **out, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_error_clear(e);
  if (!out) return pa_error_set(e, PA_ERR_ARG, "feed: no output");
  *out = NULL;
  cJSON *root;
  pa_status st = pa_jv_document(json, len, PA_FEED_MAX_BYTES, "feed", &root, e);
  if (st != PA_OK) return st;
  pa_feed *feed = calloc(1, sizeof *feed);
  if (!feed) {
    cJSON_Delete(root);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  pa_jv v = {.arena = &feed->arena, .err = e, .path = ""};
  st = parse_root(&v, feed, root);
  cJSON_Delete(root);
  if (st != PA_OK) {
    pa_feed_free(feed);
    return st;
  }
  *out = feed;
  return PA_OK;
}

void pa_feed_free(pa_feed *feed) {
  if (!feed) return;
  pa_jv_arena_free(&feed->arena);
  free(feed);
}

int pa_feed_count(const pa_feed *feed) { return feed ? feed->post_count : 0; }

const pa_feed_post *pa_feed_post_at(const pa_feed *feed, int index) {
  return feed && index >= 0 && index < feed->post_count ? &feed->posts[index] : NULL;
}

const char *pa_feed_next_cursor(const pa_feed *feed) { return feed ? feed->next_cursor : NULL; }

/* ---- time (pa/pa_civil.h: proleptic Gregorian). */

static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

pa_status pa_feed_parse_time(const char *s, int64_t *out) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) < 20) return PA_ERR_SYNTAX;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || se < 0 || se > 60 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return PA_ERR_SYNTAX;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return PA_ERR_SYNTAX;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return PA_ERR_SYNTAX;
    while (*p >= '0' && *p <= '9') p++;
  }
  int offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6) { /* "+HH:MM", nothing more */
    int oh = digits(p + 1, 2), om = digits(p + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || p[3] != ':') return PA_ERR_SYNTAX;
    offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return PA_ERR_SYNTAX;
  }
  if (*p) return PA_ERR_SYNTAX;
  *out = pa_civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - offset;
  return PA_OK;
}

void pa_feed_format_time(int64_t t, char buf[21]) {
  pa_civil c = pa_civil_from_unix(t);
  char tmp[64]; /* roomy, so the compiler can see no truncation */
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)(c.year % 10000), c.month, c.day,
           c.hour, c.minute, c.second);
  memcpy(buf, tmp, 20);
  buf[20] = '\0';
}

/* ---- describe: the text the CLI prints and the WASM tests compare. */

size_t pa_feed_describe(const pa_feed *feed, char *buf, size_t cap) {
  pa_strbuf o = {buf, cap, 0};
  if (cap) buf[0] = '\0';
  if (!feed) return 0;
  pa_strbuf_put(&o, "feed: %d post%s, next_cursor %s%s%s\n", feed->post_count,
                feed->post_count == 1 ? "" : "s", feed->next_cursor ? "\"" : "",
                feed->next_cursor ? feed->next_cursor : "none", feed->next_cursor ? "\"" : "");
  for (int i = 0; i < feed->post_count; i++) {
    const pa_feed_post *p = &feed->posts[i];
    char when[21];
    pa_feed_format_time(p->created_at, when);
    pa_strbuf_put(&o, "post %s by %s (%s) about %s, %s (%s)\n", p->id, p->author.name, p->author.id,
                  p->pet.name, p->pet.species, p->pet.id);
    pa_strbuf_put(&o, "  %s, %" PRId64 " likes, %" PRId64 " comments, liked: %s\n", when,
                  p->like_count, p->comment_count, p->liked ? "yes" : "no");
    for (int k = 0; k < p->image_count; k++)
      pa_strbuf_put(&o, "  image %d: %s %dx%d \"%s\"\n", k + 1, p->images[k].url,
                    p->images[k].width, p->images[k].height, p->images[k].alt);
    pa_strbuf_put(&o, "  tags:");
    for (int k = 0; k < p->tag_count; k++) pa_strbuf_put(&o, " #%s", p->tags[k]);
    pa_strbuf_put(&o, "\n  caption: \"%s\"\n", p->caption);
    if (p->sponsored) /* the ad's serving fields, when the shell gave them */
      pa_strbuf_put(&o, "  sponsored%s%s%s%s\n", p->ad_token ? ", token " : "",
                    p->ad_token ? p->ad_token : "", p->ad_link && *p->ad_link ? ", link " : "",
                    p->ad_link ? p->ad_link : "");
  }
  return o.len;
}
