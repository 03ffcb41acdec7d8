/* pa_api — posts, likes and comments. */
#include "store/posts.h"

#include "api/api.h"
#include "clock.h"
#include "pay/catalog.h"
#include "store/comments.h"
#include "store/feed.h"
#include "store/moderation.h"
#include "store/safety.h"

#include <stdio.h>
#include <string.h>

static int add_pet(void *ctx, const pa_store_pet_ref *p) {
  cJSON *pet = pa_api_pet_ref_json(p);
  if (!pet || !cJSON_AddItemToArray(ctx, pet)) {
    cJSON_Delete(pet);
    return -1;
  }
  return 0;
}

/* The post as in the feed plus every pet it shows; NULL when it does not
 * exist (*missing set) or on failure. */
static cJSON *post_detail(pa_srv_req *rq, int64_t id, int *missing) {
  cJSON *arr = cJSON_CreateArray();
  pa_store_cursor next;
  int more = 0;
  pa_store_feed_query q = {PA_STORE_FEED_ONE, id, rq->viewer, NULL};
  *missing = 0;
  if (!arr || pa_store_feed_where(rq->db, &q, NULL, 1, pa_api_add_feed_post, arr, &next, &more) !=
                  PA_STORE_OK) {
    cJSON_Delete(arr);
    return NULL;
  }
  cJSON *post = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  if (!post) {
    *missing = 1;
    return NULL;
  }
  cJSON *pets = cJSON_AddArrayToObject(post, "pets");
  if (!pets || pa_store_posts_pets(rq->db, id, add_pet, pets) != PA_STORE_OK) {
    cJSON_Delete(post);
    return NULL;
  }
  return post;
}

void pa_api_post_get(pa_srv_req *rq) {
  int missing;
  cJSON *post = post_detail(rq, rq->ids[0], &missing);
  if (missing)
    PA_NOT_FOUND(rq, "No such post");
  else if (!post)
    pa_api_internal(rq, "post");
  else
    pa_api_json(rq, 200, post);
}

/* Checks an array member of typed ids: 1..max items, no repeats. */
static int id_list(pa_srv_req *rq, const cJSON *body, const char *name, const char *prefix, int max,
                   int64_t *out, int *n) {
  char msg[128];
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, name), *it;
  int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
  if (count < 1 || count > max) {
    snprintf(msg, sizeof msg, "%s must be an array of 1 to %d ids", name, max);
    PA_BAD(rq, msg);
    return -1;
  }
  *n = 0;
  cJSON_ArrayForEach(it, arr) {
    int64_t id;
    if (!cJSON_IsString(it) || pa_api_parse_id(it->valuestring, prefix, &id) != 0) {
      snprintf(msg, sizeof msg, "%s[%d] must be an id like \"%s_1\"", name, *n, prefix);
      PA_BAD(rq, msg);
      return -1;
    }
    for (int k = 0; k < *n; k++)
      if (out[k] == id) {
        snprintf(msg, sizeof msg, "%s[%d] repeats an id", name, *n);
        PA_BAD(rq, msg);
        return -1;
      }
    out[(*n)++] = id;
  }
  return 0;
}

/* The store holds as many images as the most generous tier may attach, and
 * no tier more than that (store/feed.h says why the store does not include
 * the catalog). */
_Static_assert((int)PA_STORE_MAX_IMAGES == (int)PA_CATALOG_PHOTOS_PLUS,
               "the store's bound is Plus's");
_Static_assert((int)PA_CATALOG_PHOTOS_FREE <= (int)PA_STORE_MAX_IMAGES,
               "no tier above the store's bound");

/* 0 when media_ids holds no more photos than the person's tier allows
 * (entitlements.photos_per_post); else -1 with 422 too_many_photos sent,
 * naming the limit (and, to a free person, what Plus allows). 422, not 403:
 * the person may post, and the request is well formed; only this count is
 * over their limit, which they fix by taking photos out (or with Plus). A
 * code of its own, not bad_request, so a client can tell it from a malformed
 * body and offer Plus; not plus_required, because a Plus person over 20 gets
 * it too. Checked on the array's length before its items, so any count over
 * the limit gets this answer, whatever the ids are. */
static int photos_allowed(pa_srv_req *rq, const cJSON *body) {
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "media_ids");
  const int allowed =
      pa_catalog_entitlements_of(rq->plus ? PA_TIER_PLUS : PA_TIER_FREE)->photos_per_post;
  if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) <= allowed) return 0;
  char msg[160];
  if (rq->plus)
    snprintf(msg, sizeof msg, "A post carries at most %d photos", allowed);
  else
    snprintf(msg, sizeof msg, "A post carries at most %d photos; with PetAmigos Plus, up to %d",
             allowed, (int)PA_CATALOG_PHOTOS_PLUS);
  pa_api_field_error(rq, 422, "too_many_photos", msg, "media_ids");
  return -1;
}

void pa_api_post_create(pa_srv_req *rq) {
  static const char *const fields[] = {"caption", "media_ids", "pet_ids", "alt", NULL};
  int64_t media[PA_STORE_MAX_IMAGES], pets[PA_STORE_POST_PETS_MAX], post = 0;
  int nmedia = 0, npets = 0;
  const char *caption;
  char what[32], hash[65], ext[8];
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *alts = cJSON_GetObjectItemCaseSensitive(body, "alt");
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "caption", 1, 0, 2200, 1, &caption) ||
      photos_allowed(rq, body) ||
      id_list(rq, body, "media_ids", "m", PA_STORE_MAX_IMAGES, media, &nmedia) ||
      id_list(rq, body, "pet_ids", "pet", PA_STORE_POST_PETS_MAX, pets, &npets))
    goto out;
  if (alts && (!cJSON_IsArray(alts) || cJSON_GetArraySize(alts) > nmedia)) {
    PA_BAD(rq, "alt must be an array with at most one text per image");
    goto out;
  }
  for (int i = 0; alts && i < cJSON_GetArraySize(alts); i++) {
    const cJSON *a = cJSON_GetArrayItem(alts, i);
    if (!cJSON_IsString(a) || strlen(a->valuestring) > PA_STORE_ALT_MAX) {
      PA_BAD(rq, "alt texts must be strings of at most 300 bytes");
      goto out;
    }
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "new post");
    goto out;
  }
  /* Writes go in as they are checked; any refusal rolls all of them back. */
  pa_store_new_post row = {rq->viewer, pets[0], caption, 0, 0, pa_clock_now(), 0};
  if (pa_api_own_pet(rq, pets[0], "pet_ids[0]") != 0) goto undo;
  if (pa_store_posts_add(rq->db, &row, &post) != PA_STORE_OK) goto fail;
  for (int i = 0; i < nmedia; i++) {
    snprintf(what, sizeof what, "media_ids[%d]", i);
    const cJSON *a = alts ? cJSON_GetArrayItem(alts, i) : NULL;
    if (pa_api_own_media(rq, media[i], "image", what, "media_ids", hash, ext) != 0) goto undo;
    if (pa_store_posts_image_add(rq->db, post, i, hash, a ? a->valuestring : "") != PA_STORE_OK)
      goto fail;
  }
  for (int i = 1; i < npets; i++) {
    snprintf(what, sizeof what, "pet_ids[%d]", i);
    if (pa_api_own_pet(rq, pets[i], what) != 0) goto undo;
    if (pa_store_posts_pet_add(rq->db, post, pets[i]) != PA_STORE_OK) goto fail;
  }
  if (pa_store_commit(rq->db) != PA_STORE_OK) goto fail;
  int missing;
  cJSON *out = post_detail(rq, post, &missing);
  if (!out)
    pa_api_internal(rq, "new post");
  else
    pa_api_json(rq, 201, out);
  goto out;
fail:
  pa_api_internal(rq, "new post");
undo:
  pa_store_rollback(rq->db);
out:
  cJSON_Delete(body);
}

/* The post's author into *author: 0, or -1 with 404 (or 500) sent when
 * there is no such post or the viewer may not see it: a post a moderator hid
 * is there for its author only, a removed one for nobody, and a block either
 * way or a private account they do not follow hides it too — so nobody
 * likes, comments or reads the comments of what they cannot see. */
static int post_author(pa_srv_req *rq, int64_t post, int64_t *author) {
  int state = PA_STORE_MOD_SHOWN;
  int rc = pa_store_posts_author(rq->db, post, author);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_post_state(rq->db, post, &state);
  if (rc == PA_STORE_OK && state != PA_STORE_MOD_SHOWN &&
      !(state == PA_STORE_MOD_HIDDEN && *author == rq->viewer))
    rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_OK) {
    int sees = pa_api_sees_posts(rq, *author);
    if (sees < 0) return -1;
    if (!sees) rc = PA_STORE_ENOTFOUND;
  }
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such post");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "post");
  return rc == PA_STORE_OK ? 0 : -1;
}

void pa_api_post_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, pa_store_posts_author, pa_store_posts_delete, "No such post",
                    "Only the author may delete a post");
}

static void like(pa_srv_req *rq, int on) {
  int64_t author, count;
  if (post_author(rq, rq->ids[0], &author) != 0) return;
  if (pa_store_posts_like_set(rq->db, rq->ids[0], rq->viewer, on, pa_clock_now(), &count) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "like");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddBoolToObject(root, "liked", on) ||
               !cJSON_AddNumberToObject(root, "like_count", (double)count))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_like_put(pa_srv_req *rq) { like(rq, 1); }
void pa_api_like_delete(pa_srv_req *rq) { like(rq, 0); }

/* ---- comments */

static cJSON *comment_json(const pa_store_comment *c) {
  cJSON *o = cJSON_CreateObject(), *author = pa_api_person_json(&c->author);
  int bad = !o || !author || pa_api_add_id(o, "id", "c", c->id) ||
            pa_api_add_id(o, "post_id", "p", c->post_id);
  if (!bad)
    bad = c->parent_id ? pa_api_add_id(o, "parent_id", "c", c->parent_id)
                       : !cJSON_AddNullToObject(o, "parent_id");
  if (!bad) {
    cJSON_AddItemToObject(o, "author", author);
    author = NULL;
    bad = !cJSON_AddStringToObject(o, "body", c->body ? c->body : "") ||
          pa_api_add_time(o, "created_at", c->created_at) ||
          !cJSON_AddNumberToObject(o, "reply_count", (double)c->reply_count);
    /* Only its author is listed a hidden comment (store/sql/comments.c): marked. */
    if (!bad && c->mod_state == PA_STORE_MOD_HIDDEN)
      bad = !cJSON_AddStringToObject(o, "moderation", "hidden");
  }
  cJSON_Delete(author);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_comment_fn: appends the comment to the array ctx. */
static int add_comment(void *ctx, const pa_store_comment *c) {
  cJSON *o = comment_json(c);
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* pa_store_comment_fn: keeps the comment's JSON in *ctx. */
static int keep_comment(void *ctx, const pa_store_comment *c) {
  *(cJSON **)ctx = comment_json(c);
  return *(cJSON **)ctx ? 0 : -1;
}

/* Where comment `id` sits into *out: 0, 1 when there is no such comment, or
 * -1 with 500 sent. */
static int comment_info(pa_srv_req *rq, int64_t id, pa_store_comment_info *out, const char *what) {
  int rc = pa_store_comments_info_get(rq->db, id, out);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, what);
    return -1;
  }
  return rc == PA_STORE_ENOTFOUND;
}

void pa_api_comments_get(pa_srv_req *rq) {
  int limit, has_cursor, has_more = 0;
  pa_store_cursor after = {0, 0}, next = {0, 0};
  pa_store_comment_info parent_info;
  char parent_text[40];
  int64_t author, parent = 0;
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  int q = pa_api_query(rq, "parent_id", parent_text, sizeof parent_text);
  if (q < 0) return;
  if (q == 0 && pa_api_parse_id(parent_text, "c", &parent) != 0) {
    PA_BAD(rq, "parent_id must be a comment id like \"c_1\"");
    return;
  }
  if (post_author(rq, rq->ids[0], &author) != 0) return;
  if (parent) {
    int missing = comment_info(rq, parent, &parent_info, "comments");
    if (missing < 0) return;
    if (missing || parent_info.post_id != rq->ids[0]) {
      PA_NOT_FOUND(rq, "No such comment on this post");
      return;
    }
  }
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "comments");
  if (!list ||
      pa_store_comments_list(rq->db, rq->ids[0], parent, rq->viewer, has_cursor ? &after : NULL,
                             limit, add_comment, list, &next, &has_more) != PA_STORE_OK ||
      pa_api_add_cursor(root, has_more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "comments");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_comment_create(pa_srv_req *rq) {
  static const char *const fields[] = {"body", "parent_id", NULL};
  const char *text;
  int64_t author, parent = 0, id = 0;
  pa_store_comment_info info;
  cJSON *body = NULL, *c = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "body", 1, 1, 2200, 1, &text) ||
      pa_api_id(rq, body, "parent_id", "c", 0, &parent) ||
      post_author(rq, rq->ids[0], &author) != 0)
    goto out;
  if (parent) {
    int missing = comment_info(rq, parent, &info, "comment");
    if (missing < 0) goto out;
    if (missing || info.post_id != rq->ids[0]) {
      PA_BAD(rq, "parent_id is not a comment on this post");
      goto out;
    }
    if (info.parent_id) {
      PA_BAD(rq, "Replies go one level deep: reply to the top-level comment instead");
      goto out;
    }
    /* A comment by someone in a block with the viewer is hidden from them:
     * no reply either. */
    int rel = 0, found = pa_api_standing(rq, info.author_id, &rel);
    if (found < 0) goto out;
    if (rel & (PA_STORE_REL_BLOCKS | PA_STORE_REL_BLOCKED_BY)) {
      PA_BAD(rq, "parent_id is not a comment on this post");
      goto out;
    }
  }
  if (pa_store_comments_add(rq->db, rq->ids[0], rq->viewer, parent, text, pa_clock_now(), &id) !=
          PA_STORE_OK ||
      pa_store_comments_get(rq->db, id, rq->viewer, keep_comment, &c) != PA_STORE_OK)
    pa_api_internal(rq, "comment");
  else
    pa_api_json(rq, 201, c);
out:
  cJSON_Delete(body);
}

void pa_api_comment_delete(pa_srv_req *rq) {
  pa_store_comment_info info;
  int missing = comment_info(rq, rq->ids[0], &info, "comment");
  if (missing < 0) return;
  if (missing) {
    PA_NOT_FOUND(rq, "No such comment");
    return;
  }
  if (info.author_id != rq->viewer && info.post_author_id != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the comment's or the post's author may delete it");
    return;
  }
  if (pa_store_comments_delete(rq->db, rq->ids[0]) != PA_STORE_OK) {
    pa_api_internal(rq, "delete comment");
    return;
  }
  pa_api_ok(rq);
}
