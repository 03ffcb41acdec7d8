#include "jv.h"
#include "pa/pa_stories.h"

#include <stdlib.h>
#include <string.h>

struct pa_stories {
  pa_jv_arena arena;
  pa_story_entry *entries;
  int count;
};

struct pa_reels {
  pa_jv_arena arena;
  pa_reel *reels;
  int count;
  const char *next_cursor;
};

static pa_status parse_media(pa_jv *v, const cJSON *o, pa_media_ref *m) {
  int64_t w = 0, h = 0;
  PA_JV_TRY(pa_jv_string(v, o, "url", PA_JV_URL, PA_FEED_MAX_URL, false, &m->url));
  PA_JV_TRY(pa_jv_string(v, o, "type", PA_JV_TEXT, 64, false, &m->type));
  if (strncmp(m->type, "image/", 6) != 0 && strncmp(m->type, "video/", 6) != 0)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "type", "expected an image or video type");
  /* Sizes are null when the server could not read them (some videos). */
  const cJSON *jw = cJSON_GetObjectItemCaseSensitive(o, "width");
  const cJSON *jh = cJSON_GetObjectItemCaseSensitive(o, "height");
  if (!cJSON_IsNull(jw)) PA_JV_TRY(pa_jv_int(v, o, "width", 1, PA_FEED_MAX_DIMENSION, &w));
  if (!cJSON_IsNull(jh)) PA_JV_TRY(pa_jv_int(v, o, "height", 1, PA_FEED_MAX_DIMENSION, &h));
  m->width = (int)w;
  m->height = (int)h;
  return PA_OK;
}

static pa_status parse_story(pa_jv *v, const cJSON *o, pa_story *s) {
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, PA_FEED_MAX_ID, false, &s->id));
  PA_JV_NESTED(v, o, "media", parse_media, &s->media);
  PA_JV_TRY(pa_jv_time(v, o, "created_at", &s->created_at));
  PA_JV_TRY(pa_jv_time(v, o, "expires_at", &s->expires_at));
  return pa_jv_bool(v, o, "seen", &s->seen);
}

/* A live's id as the server writes it: "live_" then digits, nothing else. */
static pa_status parse_live_id(pa_jv *v, const cJSON *o, const char *field, const char **out) {
  PA_JV_TRY(pa_jv_string(v, o, field, PA_JV_ID, PA_FEED_MAX_ID, false, out));
  const char *d = *out + 5;
  if (strncmp(*out, "live_", 5) != 0 || !*d || strspn(d, "0123456789") != strlen(d))
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected live_ and digits");
  return PA_OK;
}

static pa_status parse_live(pa_jv *v, const cJSON *o, pa_story_entry *e) {
  int64_t n;
  PA_JV_TRY(parse_live_id(v, o, "id", &e->live_id));
  PA_JV_TRY(pa_jv_int(v, o, "viewers", 0, PA_STORIES_MAX_LIVE_VIEWERS, &n));
  e->live_viewers = (int)n;
  return PA_OK;
}

static pa_status parse_replay(pa_jv *v, const cJSON *o, pa_reel *r) {
  PA_JV_TRY(parse_live_id(v, o, "live", &r->replay_live));
  return pa_jv_int(v, o, "duration_ms", 1, PA_REELS_MAX_REPLAY_MS, &r->replay_ms);
}

/* obj[field] is null or absent (servers before issue 24 send no such member). */
static bool absent(const cJSON *o, const char *field) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, field);
  return !j || cJSON_IsNull(j);
}

static pa_status parse_entry(pa_jv *v, const cJSON *o, pa_story_entry *e) {
  int n;
  const cJSON *a;
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_NESTED(v, o, "pet", pa_feed_parse_pet, &e->pet);
  PA_JV_NESTED(v, o, "owner", pa_feed_parse_person, &e->owner);
  e->live_id = NULL;
  e->live_viewers = 0;
  if (!absent(o, "live")) PA_JV_NESTED(v, o, "live", parse_live, e);
  /* A pet on air gets an entry even with no stories. */
  if (!(a = pa_jv_array(v, o, "stories", e->live_id ? 0 : 1, PA_STORIES_MAX_PER_ENTRY, &n)))
    return v->err->code;
  pa_story *stories = pa_jv_alloc(v->arena, sizeof *stories * (size_t)n);
  if (!stories) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    size_t mark = pa_jv_push(v, ".stories[%d]", i);
    PA_JV_TRY(parse_story(v, cJSON_GetArrayItem(a, i), &stories[i]));
    pa_jv_pop(v, mark);
  }
  e->stories = stories;
  e->story_count = n;
  return pa_jv_bool(v, o, "all_seen", &e->all_seen);
}

pa_status pa_stories_parse(const char *json, size_t len, pa_stories **out, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  cJSON *root;
  int n;
  *out = NULL;
  PA_JV_TRY(pa_jv_document(json, len, PA_FEED_MAX_BYTES, "stories", &root, e));
  pa_stories *t = calloc(1, sizeof *t);
  pa_jv v = {.arena = t ? &t->arena : NULL, .err = e, .path = ""};
  pa_status st = t ? PA_OK : pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  const cJSON *a =
      st == PA_OK ? pa_jv_array(&v, root, "tray", 0, PA_STORIES_MAX_ENTRIES, &n) : NULL;
  if (st == PA_OK && !a) st = e->code;
  if (st == PA_OK && !(t->entries = pa_jv_alloc(&t->arena, sizeof *t->entries * (size_t)(n + 1))))
    st = pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; st == PA_OK && i < n; i++) {
    size_t mark = pa_jv_push(&v, "tray[%d]", i);
    st = parse_entry(&v, cJSON_GetArrayItem(a, i), &t->entries[i]);
    pa_jv_pop(&v, mark);
    t->count = i + 1;
  }
  cJSON_Delete(root);
  if (st != PA_OK) {
    pa_stories_free(t);
    return st;
  }
  *out = t;
  return PA_OK;
}

void pa_stories_free(pa_stories *t) {
  if (!t) return;
  pa_jv_arena_free(&t->arena);
  free(t);
}

int pa_stories_count(const pa_stories *t) { return t ? t->count : 0; }

const pa_story_entry *pa_stories_entry_at(const pa_stories *t, int i) {
  return t && i >= 0 && i < t->count ? &t->entries[i] : NULL;
}

/* A sponsored reel's "sponsored" object: its token and link (the rest, the
 * campaign's ids and why, is the shell's to show). */
static pa_status parse_sponsored(pa_jv *v, const cJSON *o, pa_reel *r) {
  return pa_feed_parse_ad_fields(v, o, &r->ad_token, &r->ad_link);
}

static pa_status parse_reel(pa_jv *v, const cJSON *o, pa_reel *r) {
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, PA_FEED_MAX_ID, false, &r->id));
  PA_JV_NESTED(v, o, "author", pa_feed_parse_person, &r->author);
  PA_JV_NESTED(v, o, "pet", pa_feed_parse_pet, &r->pet);
  PA_JV_TRY(
      pa_jv_string(v, o, "caption", PA_JV_MULTILINE, PA_FEED_MAX_CAPTION, false, &r->caption));
  PA_JV_NESTED(v, o, "video", parse_media, &r->video);
  PA_JV_NESTED(v, o, "poster", parse_media, &r->poster);
  if (strncmp(r->video.type, "video/", 6) != 0)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "video.type", "expected a video type");
  if (strncmp(r->poster.type, "image/", 6) != 0)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "poster.type", "expected an image type");
  r->ad_token = r->ad_link = NULL;
  if (!absent(o, "sponsored")) PA_JV_NESTED(v, o, "sponsored", parse_sponsored, r);
  r->replay_ms = 0;
  r->replay_live = NULL;
  if (!absent(o, "replay")) PA_JV_NESTED(v, o, "replay", parse_replay, r);
  return pa_jv_time(v, o, "created_at", &r->created_at);
}

pa_status pa_reels_parse(const char *json, size_t len, pa_reels **out, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  cJSON *root;
  int n;
  *out = NULL;
  PA_JV_TRY(pa_jv_document(json, len, PA_FEED_MAX_BYTES, "reels", &root, e));
  pa_reels *p = calloc(1, sizeof *p);
  pa_jv v = {.arena = p ? &p->arena : NULL, .err = e, .path = ""};
  pa_status st = p ? PA_OK : pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  const cJSON *a = st == PA_OK ? pa_jv_array(&v, root, "reels", 0, PA_REELS_MAX_PAGE, &n) : NULL;
  if (st == PA_OK && !a) st = e->code;
  if (st == PA_OK && !(p->reels = pa_jv_alloc(&p->arena, sizeof *p->reels * (size_t)(n + 1))))
    st = pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; st == PA_OK && i < n; i++) {
    size_t mark = pa_jv_push(&v, "reels[%d]", i);
    st = parse_reel(&v, cJSON_GetArrayItem(a, i), &p->reels[i]);
    pa_jv_pop(&v, mark);
    p->count = i + 1;
  }
  if (st == PA_OK)
    st = pa_jv_string(&v, root, "next_cursor", PA_JV_TEXT, 512, true, &p->next_cursor);
  cJSON_Delete(root);
  if (st != PA_OK) {
    pa_reels_free(p);
    return st;
  }
  *out = p;
  return PA_OK;
}

void pa_reels_free(pa_reels *p) {
  if (!p) return;
  pa_jv_arena_free(&p->arena);
  free(p);
}

int pa_reels_count(const pa_reels *p) { return p ? p->count : 0; }
const pa_reel *pa_reels_at(const pa_reels *p, int i) {
  return p && i >= 0 && i < p->count ? &p->reels[i] : NULL;
}
const char *pa_reels_next_cursor(const pa_reels *p) { return p ? p->next_cursor : NULL; }
