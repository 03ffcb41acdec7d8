/* pa_api — feeds: everyone's, following, a tag, a person's and a pet's
 * posts; and the JSON of a post, which other answers reuse. */
#include "api/api.h"
#include "api/chat_relay.h"
#include "auth.h"
#include "blob.h"
#include "limit.h"
#include "net/http.h"
#include "origin.h"
#include "respcache.h"
#include "store/safety.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
    bad |= pa_api_add_plus(author, p->author_plus_until);
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
    cJSON *o = pa_api_array_add_object(images);
    if (!o) return -1;
    bad |= pa_api_add_media_url(o, "url", im->hash, im->ext);
    bad |= !cJSON_AddNumberToObject(o, "width", im->width);
    bad |= !cJSON_AddNumberToObject(o, "height", im->height);
    bad |= !cJSON_AddStringToObject(o, "alt", im->alt);
    bad |= !(im->thumbhash ? cJSON_AddStringToObject(o, "thumbhash", im->thumbhash)
                           : cJSON_AddNullToObject(o, "thumbhash"));
  }
  bad |= !cJSON_AddStringToObject(post, "caption", p->caption);
  bad |= !(tags = cJSON_AddArrayToObject(post, "tags"));
  if (!bad) bad |= pa_str_tags(p->caption, pa_api_add_tag, tags);
  /* Counts stay below 2^53, so JSON numbers carry them exactly. */
  bad |= !cJSON_AddNumberToObject(post, "like_count", (double)p->like_count);
  bad |= !cJSON_AddNumberToObject(post, "comment_count", (double)p->comment_count);
  bad |= !cJSON_AddBoolToObject(post, "liked", p->liked);
  bad |= !cJSON_AddBoolToObject(post, "sponsored", p->sponsored);
  bad |= pa_api_add_time(post, "created_at", p->created_at);
  /* Only its author is ever handed a hidden post (store/sql/feed.c): marked. */
  if (p->mod_state == PA_STORE_MOD_HIDDEN)
    bad |= !cJSON_AddStringToObject(post, "moderation", "hidden");
  return bad ? -1 : 0;
}

/* The same for people with Plus, who see no ads. */
static int add_feed_post_no_ads(void *ctx, const pa_store_feed_post *p) {
  return p->sponsored ? 0 : pa_api_add_feed_post(ctx, p);
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
    pa_api_send_text(rq, 200, text, len);
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
  /* A page may come out short of its ads; the cursor still walks on. */
  int rc = pa_store_feed_where(rq->db, &q, has_cursor ? &after : NULL, limit,
                               rq->plus ? add_feed_post_no_ads : pa_api_add_feed_post, posts, &next,
                               &has_more);
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
  pa_api_send_text(rq, 200, text, strlen(text));
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

/* Lists the posts of the person or pet rq->ids[0], or sends 404 "No such <what>". */
static void send_subject_feed(pa_srv_req *rq, pa_store_feed_kind kind, const char *what) {
  pa_store_feed_query q = {kind, rq->ids[0], rq->viewer, NULL};
  int rc = pa_store_feed_subject(rq->db, &q);
  /* To someone they blocked, a person and their pets are absent (their
   * posts are left out of every walk either way: store/sql/visible.h). */
  int64_t person = rq->ids[0];
  int rel = 0;
  if (rc == PA_STORE_OK && kind == PA_STORE_FEED_PET)
    rc = pa_store_pets_owner(rq->db, rq->ids[0], &person);
  if (rc == PA_STORE_OK) {
    int found = pa_api_standing(rq, person, &rel);
    if (found < 0) return;
    if (found || (rel & PA_STORE_REL_BLOCKED_BY)) rc = PA_STORE_ENOTFOUND;
  }
  if (rc == PA_STORE_OK) {
    send_feed(rq, kind, rq->ids[0]);
  } else if (rc == PA_STORE_ENOTFOUND) {
    char msg[64];
    snprintf(msg, sizeof msg, "No such %s", what);
    PA_NOT_FOUND(rq, msg);
  } else {
    pa_api_internal(rq, what);
  }
}

void pa_api_user_posts(pa_srv_req *rq) { send_subject_feed(rq, PA_STORE_FEED_AUTHOR, "user"); }
void pa_api_pet_posts(pa_srv_req *rq) { send_subject_feed(rq, PA_STORE_FEED_PET, "pet"); }
