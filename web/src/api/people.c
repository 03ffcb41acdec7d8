/* pa_api — people: profiles, the viewer's avatar, follows (of people and of
 * pets) and search. */
#include "store/people.h"

#include "api/api.h"
#include "clock.h"
#include "profile.h"
#include "store/follows.h"
#include "store/safety.h"
#include "store/search.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

static int add_str(cJSON *o, const char *key, const char *s) {
  return cJSON_AddStringToObject(o, key, s ? s : "") ? 0 : -1;
}

static int add_count(cJSON *o, const char *key, int64_t n) {
  return cJSON_AddNumberToObject(o, key, (double)n) ? 0 : -1;
}

/* Appends item to list (a cJSON array); -1, item freed, when it is NULL or cannot be added. */
static int append(cJSON *list, cJSON *item) {
  if (item && cJSON_AddItemToArray(list, item)) return 0;
  cJSON_Delete(item);
  return -1;
}

static int append_person(void *ctx, const pa_store_person *p) {
  return append(ctx, pa_api_person_json(p));
}

/* ---- people */

/* pa_store_profile_fn: the profile into the cJSON ** ctx. */
static int profile_json(void *ctx, const pa_store_profile *p) {
  cJSON *o = cJSON_CreateObject();
  const pa_store_person *u = &p->person;
  int bad = !o || !u->name || pa_api_add_id(o, "id", "u", u->id) || add_str(o, "name", u->name) ||
            add_str(o, "handle", p->handle) || add_str(o, "bio", p->bio) ||
            pa_api_add_media_url(o, "avatar_url", u->avatar, u->avatar_ext) ||
            pa_api_add_time(o, "created_at", p->created_at) ||
            add_count(o, "pet_count", p->pet_count) || add_count(o, "post_count", p->post_count) ||
            add_count(o, "follower_count", p->follower_count) ||
            add_count(o, "following_count", p->following_count) ||
            !cJSON_AddBoolToObject(o, "following", p->following) ||
            pa_api_add_plus(o, u->plus_until) || pa_api_add_links(o, p->links) ||
            !(p->country ? cJSON_AddStringToObject(o, "country", p->country)
                         : cJSON_AddNullToObject(o, "country"));
  if (bad) {
    cJSON_Delete(o);
    return -1;
  }
  *(cJSON **)ctx = o;
  return 0;
}

static int append_pet(void *ctx, const pa_store_pet_ref *p) {
  return append(ctx, pa_api_pet_ref_json(p));
}

/* The viewer's standing with the profile's person: what they did (blocked,
 * muted, asked to follow) and whether the posts are open to them. */
static int add_standing(cJSON *o, int rel) {
  return !cJSON_AddBoolToObject(o, "private", (rel & PA_STORE_REL_PRIVATE) != 0) ||
         !cJSON_AddBoolToObject(o, "blocked", (rel & PA_STORE_REL_BLOCKS) != 0) ||
         !cJSON_AddBoolToObject(o, "muted", (rel & PA_STORE_REL_MUTES) != 0) ||
         !cJSON_AddBoolToObject(o, "requested", (rel & PA_STORE_REL_REQUESTED) != 0) ||
         !cJSON_AddBoolToObject(o, "posts_visible", pa_store_safety_sees_posts(rel));
}

void pa_api_user_get(pa_srv_req *rq) {
  cJSON *o = NULL, *pets;
  int rel = 0, found = pa_api_standing(rq, rq->ids[0], &rel);
  if (found < 0) return;
  /* To someone they blocked, a person is absent. */
  int rc = found || (rel & PA_STORE_REL_BLOCKED_BY)
               ? PA_STORE_ENOTFOUND
               : pa_store_people_profile(rq->db, rq->ids[0], rq->viewer, profile_json, &o);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such user");
    return;
  }
  /* A private account shows its name, avatar and counts; its pets, like
   * its posts, are for its followers. */
  if (rc != PA_STORE_OK || add_standing(o, rel) || !(pets = cJSON_AddArrayToObject(o, "pets")) ||
      (pa_store_safety_sees_posts(rel) &&
       pa_store_pets_of(rq->db, rq->ids[0], append_pet, pets) != PA_STORE_OK)) {
    cJSON_Delete(o);
    pa_api_internal(rq, "user");
    return;
  }
  pa_api_json(rq, 200, o);
}

/* 1 when s is nothing but ASCII spaces (a name nobody could see). */
static int blank(const char *s) {
  while (*s == ' ') s++;
  return *s == '\0';
}

/* The links member of a profile edit: an array of at most
 * PA_PROFILE_LINKS_MAX https URLs (pa_profile_link_ok), into *out as JSON
 * text the caller frees (cJSON_free). 0, or -1 with 400 sent. */
static int links_member(pa_srv_req *rq, const cJSON *links, char **out) {
  char msg[160];
  const cJSON *item;
  int n = 0;
  *out = NULL;
  if (!cJSON_IsArray(links) || cJSON_GetArraySize(links) > PA_PROFILE_LINKS_MAX) {
    snprintf(msg, sizeof msg, "links must be a list of at most %d links", PA_PROFILE_LINKS_MAX);
    pa_api_field_error(rq, 400, "bad_request", msg, "links");
    return -1;
  }
  cJSON_ArrayForEach(item, links) {
    n++;
    if (!cJSON_IsString(item) ||
        !pa_profile_link_ok(item->valuestring, strlen(item->valuestring))) {
      snprintf(msg, sizeof msg,
               "Link %d is not a web address starting with https:// (at most %d characters)", n,
               PA_PROFILE_LINK_MAX);
      pa_api_field_error(rq, 400, "bad_request", msg, "links");
      return -1;
    }
  }
  *out = cJSON_PrintUnformatted(links);
  if (!*out) pa_api_error(rq, 500, "internal", "Out of memory", NULL);
  return *out ? 0 : -1;
}

/* The country member: an ISO 3166-1 alpha-2 code, or null (or "") to remove
 * it; *out "" for removal, NULL when absent. 0, or -1 with 400 sent. */
static int country_member(pa_srv_req *rq, const cJSON *body, const char **out) {
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(body, "country");
  *out = NULL;
  if (!c) return 0;
  if (cJSON_IsNull(c) || (cJSON_IsString(c) && c->valuestring[0] == '\0')) {
    *out = "";
    return 0;
  }
  if (!cJSON_IsString(c) || !pa_profile_country_ok(c->valuestring, strlen(c->valuestring))) {
    pa_api_field_error(rq, 400, "bad_request",
                       "country must be a country code like BR, from the list offered", "country");
    return -1;
  }
  *out = c->valuestring;
  return 0;
}

/* PATCH /api/v1/me: the profile: name, bio, links, country, the avatar (an
 * upload of the viewer's, or null), the locale e-mail is written in, and
 * whether the account is private (going public accepts the waiting follow
 * requests). Members left out stay as they are; unknown members are refused. */
void pa_api_me_patch(pa_srv_req *rq) {
  static const char *const fields[] = {"avatar_media_id", "name",   "bio",     "links",
                                       "country",         "locale", "private", NULL};
  char hash[65] = "", ext[8], *links = NULL;
  int64_t upload = 0;
  cJSON *body = NULL;
  pa_store_profile_edit e = {0};
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *avatar = cJSON_GetObjectItemCaseSensitive(body, "avatar_media_id");
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "links");
  const cJSON *priv = cJSON_GetObjectItemCaseSensitive(body, "private");
  int refused = pa_api_only(rq, body, fields) ||
                pa_api_id(rq, body, "avatar_media_id", "m", 0, &upload) ||
                pa_api_str(rq, body, "name", 0, 1, PA_PROFILE_NAME_MAX, 0, &e.name) ||
                pa_api_str(rq, body, "bio", 0, 0, PA_PROFILE_BIO_MAX, 1, &e.bio) ||
                (list && links_member(rq, list, &links)) || country_member(rq, body, &e.country) ||
                pa_api_str(rq, body, "locale", 0, 2, 15, 0, &e.locale);
  e.links = links;
  if (!refused && e.name && blank(e.name)) {
    pa_api_field_error(rq, 400, "bad_request", "name must not be blank", "name");
    refused = 1;
  }
  if (!refused && e.locale && !pa_srv_locale_ok(rq->srv, e.locale)) {
    pa_api_field_error(rq, 400, "bad_request", "locale must be one of the app's languages",
                       "locale");
    refused = 1;
  }
  if (!refused && priv && !cJSON_IsBool(priv)) {
    pa_api_field_error(rq, 400, "bad_request", "private must be true or false", "private");
    refused = 1;
  }
  if (!refused && !cJSON_GetArraySize(body)) {
    PA_BAD(rq, "Send at least one of name, bio, links, country, locale, avatar_media_id, private");
    refused = 1;
  }
  if (refused) goto out;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "edit profile");
    goto out;
  }
  if (avatar && upload &&
      pa_api_own_media(rq, upload, "image", "avatar_media_id", "avatar_media_id", hash, ext)) {
    pa_store_rollback(rq->db);
    goto out;
  }
  int rc =
      avatar ? pa_store_people_set_avatar(rq->db, rq->viewer, upload ? hash : NULL) : PA_STORE_OK;
  if (rc == PA_STORE_OK) rc = pa_store_people_edit(rq->db, rq->viewer, &e);
  if (rc == PA_STORE_OK && priv)
    rc = pa_store_safety_set_private(rq->db, rq->viewer, cJSON_IsTrue(priv), pa_clock_now());
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) {
    pa_api_internal(rq, "edit profile");
    goto out;
  }
  /* The avatar it replaced goes once nothing else shows it. */
  if (avatar) pa_api_media_gc(rq->db, rq->srv->media);
  rq->ids[0] = rq->viewer;
  pa_api_user_get(rq);
out:
  cJSON_free(links);
  cJSON_Delete(body);
}

/* ---- follows */

/* 0 when the path's person or pet exists; else 404 or 500 sent. */
static int target_exists(pa_srv_req *rq, pa_store_follow_kind kind, const char *what) {
  int64_t owner;
  int rc = kind == PA_STORE_FOLLOW_PET ? pa_store_pets_owner(rq->db, rq->ids[0], &owner)
                                       : pa_store_people_exists(rq->db, rq->ids[0]);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, kind == PA_STORE_FOLLOW_PET ? "No such pet" : "No such user");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, what);
  return rc == PA_STORE_OK ? 0 : -1;
}

/* Following a private person asks them first (a follow request, answered
 * in their settings); unfollowing withdraws an unanswered request too. A
 * block, either way, refuses the follow: 404 to the person blocked (the
 * other is absent to them), 403 to the one who blocked. */
static void follow(pa_srv_req *rq, pa_store_follow_kind kind, int on) {
  int64_t count = 0, person = rq->ids[0];
  int rel = 0, requested = 0;
  if (target_exists(rq, kind, "follow") != 0) return;
  if (kind == PA_STORE_FOLLOW_PET &&
      pa_store_pets_owner(rq->db, rq->ids[0], &person) != PA_STORE_OK) {
    pa_api_internal(rq, "follow");
    return;
  }
  int found = pa_api_standing(rq, person, &rel);
  if (found > 0) PA_NOT_FOUND(rq, "No such user");
  if (found != 0) return;
  if (on && (rel & PA_STORE_REL_BLOCKED_BY)) {
    PA_NOT_FOUND(rq, kind == PA_STORE_FOLLOW_PET ? "No such pet" : "No such user");
    return;
  }
  if (on && (rel & PA_STORE_REL_BLOCKS)) {
    pa_api_error(rq, 403, "blocked", "You blocked this person: unblock them to follow", NULL);
    return;
  }
  if (kind == PA_STORE_FOLLOW_PERSON && rq->ids[0] == rq->viewer) {
    PA_BAD(rq, "You cannot follow yourself");
    return;
  }
  int ask = on && kind == PA_STORE_FOLLOW_PERSON && (rel & PA_STORE_REL_PRIVATE) &&
            !(rel & PA_STORE_REL_FOLLOWS);
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK && ask && !(rel & PA_STORE_REL_REQUESTED)) {
    int64_t waiting = 0;
    rc = pa_store_safety_requests_out(rq->db, rq->viewer, &waiting);
    if (rc == PA_STORE_OK && waiting >= PA_STORE_FOLLOW_REQUESTS_OUT_MAX) {
      pa_store_rollback(rq->db);
      pa_api_error(rq, 409, "limit_reached",
                   "Too many of your follow requests are waiting for an answer", NULL);
      return;
    }
    if (rc == PA_STORE_OK)
      rc = pa_store_safety_request_add(rq->db, rq->viewer, rq->ids[0], pa_clock_now());
    if (rc == PA_STORE_OK) rc = pa_api_notice(rq, rq->ids[0], "follow_request");
  } else if (rc == PA_STORE_OK && !ask) {
    rc = on ? pa_store_follows_add(rq->db, kind, rq->viewer, rq->ids[0], pa_clock_now())
            : pa_store_follows_remove(rq->db, kind, rq->viewer, rq->ids[0]);
    if (rc == PA_STORE_OK && !on && kind == PA_STORE_FOLLOW_PERSON &&
        (rel & PA_STORE_REL_REQUESTED)) {
      rc = pa_store_safety_request_answer(rq->db, rq->ids[0], rq->viewer, 0, 0);
      if (rc == PA_STORE_ENOTFOUND) rc = PA_STORE_OK;
    }
  }
  requested = ask;
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK ||
      pa_store_follows_count(rq->db, kind, rq->ids[0], &count) != PA_STORE_OK) {
    pa_api_internal(rq, "follow");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddBoolToObject(root, "following", on && !ask) ||
               !cJSON_AddBoolToObject(root, "requested", requested) ||
               add_count(root, "follower_count", count))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_user_follow(pa_srv_req *rq) { follow(rq, PA_STORE_FOLLOW_PERSON, 1); }
void pa_api_user_unfollow(pa_srv_req *rq) { follow(rq, PA_STORE_FOLLOW_PERSON, 0); }
void pa_api_pet_follow(pa_srv_req *rq) { follow(rq, PA_STORE_FOLLOW_PET, 1); }
void pa_api_pet_unfollow(pa_srv_req *rq) { follow(rq, PA_STORE_FOLLOW_PET, 0); }

/* A page of the people who follow the path's person or pet (following 0), or
 * whom the path's person follows (following 1); empty and marked "private"
 * when the account is private and the viewer neither it nor a follower. */
static void people_page(pa_srv_req *rq, pa_store_follow_kind kind, int following) {
  int limit, has_cursor, more = 0, rc;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  if (target_exists(rq, kind, "people") != 0) return;
  /* To someone they blocked, a person and their pets are absent, their
   * lists too (as their profile and posts: api/feed.c). */
  int64_t person = rq->ids[0];
  int rel = 0, found;
  if (kind == PA_STORE_FOLLOW_PET &&
      pa_store_pets_owner(rq->db, rq->ids[0], &person) != PA_STORE_OK) {
    pa_api_internal(rq, "people");
    return;
  }
  if ((found = pa_api_standing(rq, person, &rel)) < 0) return;
  if (found || (rel & PA_STORE_REL_BLOCKED_BY)) {
    PA_NOT_FOUND(rq, kind == PA_STORE_FOLLOW_PET ? "No such pet" : "No such user");
    return;
  }
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "users");
  const pa_store_cursor *from = has_cursor ? &after : NULL;
  /* A private account's lists, like its posts and pets, are for its owner
   * and approved followers: anyone else gets an empty page marked private
   * (as its posts answer an empty page and its profile posts_visible false).
   * Someone who blocked a public account still sees its lists, as before. */
  int closed = (rel & PA_STORE_REL_PRIVATE) && !(rel & (PA_STORE_REL_SELF | PA_STORE_REL_FOLLOWS));
  if (!list || (closed && !cJSON_AddTrueToObject(root, "private")))
    rc = PA_STORE_ENOMEM;
  else if (closed)
    rc = PA_STORE_OK;
  else if (following)
    rc = pa_store_follows_following(rq->db, rq->ids[0], rq->viewer, from, limit, append_person,
                                    list, &next, &more);
  else
    rc = pa_store_follows_followers(rq->db, kind, rq->ids[0], rq->viewer, from, limit,
                                    append_person, list, &next, &more);
  if (rc != PA_STORE_OK || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "people");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_followers(pa_srv_req *rq) { people_page(rq, PA_STORE_FOLLOW_PERSON, 0); }
void pa_api_following(pa_srv_req *rq) { people_page(rq, PA_STORE_FOLLOW_PERSON, 1); }
void pa_api_pet_followers(pa_srv_req *rq) { people_page(rq, PA_STORE_FOLLOW_PET, 0); }

/* ---- search: prefix-of-a-word matches (class 0) before substring ones (1) */

static int append_breed(void *ctx, const pa_store_breed *b) {
  cJSON *o = cJSON_CreateObject();
  if (o && (add_str(o, "breed", b->breed) || add_str(o, "species", b->species) ||
            add_count(o, "pet_count", b->pet_count))) {
    cJSON_Delete(o);
    o = NULL;
  }
  return append(ctx, o);
}

static int append_tag(void *ctx, const pa_store_tag *t) {
  cJSON *o = cJSON_CreateObject();
  if (o && (add_str(o, "tag", t->tag) || add_count(o, "post_count", t->post_count))) {
    cJSON_Delete(o);
    o = NULL;
  }
  return append(ctx, o);
}

enum {
  SEARCH_TAGS = 3,     /* types[] index */
  TAG_CURSOR_MARK = 4, /* a tag cursor's id: says it is one */
  FOLDED_MAX = 420
};

/* The query q, trimmed of spaces and the sigils people type ('#' for tags,
 * '@' for people), folded into folded; else 400 sent. */
static int search_text(pa_srv_req *rq, char *q, int found, char folded[FOLDED_MAX]) {
  char *s = q;
  size_t len = found ? strlen(q) : 0;
  while (len && (*s == ' ' || *s == '#' || *s == '@')) s++, len--;
  while (len && s[len - 1] == ' ') s[--len] = '\0';
  if (len == 0 || len > 100 || pa_str_utf8_len(s, len, 0) < 0 ||
      pa_str_fold(s, folded, FOLDED_MAX) != 0) {
    PA_BAD(rq, "q must be 1 to 100 bytes of text");
    return -1;
  }
  return 0;
}

/* Tag pages continue at an offset (with the mark as id); the others at a
 * {class, id}. 0 when after fits type t; else 400 sent. */
static int search_cursor_ok(pa_srv_req *rq, int t, const pa_store_cursor *after) {
  int ok = t == SEARCH_TAGS ? after->id == TAG_CURSOR_MARK && after->created_at >= 0 &&
                                  after->created_at <= 1000000
                            : after->created_at >= 0 && after->created_at <= 1;
  if (!ok) PA_BAD(rq, "cursor is not valid; use next_cursor from the previous page");
  return ok ? 0 : -1;
}

void pa_api_search(pa_srv_req *rq) {
  static const char *const types[] = {"people", "pets", "breeds", "tags"};
  char q[400], type[16], folded[FOLDED_MAX];
  int limit, has_cursor, t = -1, more = 0;
  pa_store_cursor after, next = {0, 0};
  int rc = pa_api_query(rq, "type", type, sizeof type);
  if (rc < 0) return;
  for (int i = 0; rc == 0 && i < 4; i++)
    if (strcmp(type, types[i]) == 0) t = i;
  if (t < 0) {
    PA_BAD(rq, "type must be people, pets, breeds or tags");
    return;
  }
  rc = pa_api_query(rq, "q", q, 101 + 2);
  if (rc < 0 || search_text(rq, q, rc == 0, folded) != 0) return;
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor)) return;
  if (has_cursor && search_cursor_ok(rq, t, &after) != 0) return;
  if (pa_api_limited(rq, PA_LIMIT_SEARCH, NULL) != 0) return;
  cJSON *root = cJSON_CreateObject(), *list = NULL;
  const pa_store_cursor *from = has_cursor ? &after : NULL;
  rc = PA_STORE_ENOMEM;
  if (root && cJSON_AddStringToObject(root, "type", types[t]) &&
      (list = cJSON_AddArrayToObject(root, "results")) != NULL) {
    if (t == 0)
      rc = pa_store_search_people(rq->db, folded, rq->viewer, from, limit, append_person, list,
                                  &next, &more);
    else if (t == 1)
      rc = pa_store_search_pets(rq->db, folded, rq->viewer, from, limit, append_pet, list, &next,
                                &more);
    else if (t == 2)
      rc = pa_store_search_breeds(rq->db, folded, rq->viewer, from, limit, append_breed, list,
                                  &next, &more);
    else
      rc = pa_store_search_tags(rq->db, folded, rq->viewer, from, limit, append_tag, list, &next,
                                &more);
  }
  if (t == SEARCH_TAGS) next.id = TAG_CURSOR_MARK;
  if (rc != PA_STORE_OK || pa_api_add_cursor(root, more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "search");
    return;
  }
  pa_api_json(rq, 200, root);
}
