/* pa_api — reels, and the sponsored reels GET /reels carries (issue 21: an
 * ad creative that is a reel, schema 34; chosen by api/ads_serve.c under the
 * photo creatives' rules). */
#include "store/reels.h"

#include "api/ads_serve.h"
#include "api/api.h"
#include "clock.h"
#include "str.h"

#include <stdlib.h>

/* Every encoding of the clip, for <source> elements: the main one first. */
static int add_sources(cJSON *o, const pa_store_reel *r) {
  cJSON *sources = cJSON_AddArrayToObject(o, "sources");
  const pa_store_media_ref *refs[2] = {&r->video, r->video_alt.hash ? &r->video_alt : NULL};
  for (int i = 0; sources && i < 2 && refs[i]; i++) {
    cJSON *ref = pa_api_media_ref_json(refs[i]);
    if (!ref || !cJSON_AddItemToArray(sources, ref)) {
      cJSON_Delete(ref);
      return -1;
    }
  }
  return sources ? 0 : -1;
}

/* "replay": null for a reel, {live, duration_ms} for a live's replay. */
static int add_replay(cJSON *o, const pa_store_reel *r) {
  if (!r->replay_live) return cJSON_AddNullToObject(o, "replay") ? 0 : -1;
  cJSON *rp = cJSON_AddObjectToObject(o, "replay");
  return !rp || pa_api_add_id(rp, "live", "live", r->replay_live) ||
                 !cJSON_AddNumberToObject(rp, "duration_ms", (double)r->duration_ms)
             ? -1
             : 0;
}

cJSON *pa_api_reel_json(const pa_store_reel *r) {
  cJSON *o = cJSON_CreateObject(),
        *parts[4] = {pa_api_person_json(&r->author), pa_api_pet_ref_json(&r->pet),
                     pa_api_media_ref_json(&r->video), pa_api_media_ref_json(&r->poster)};
  static const char *const keys[4] = {"author", "pet", "video", "poster"};
  const char *caption = r->caption ? r->caption : "";
  int bad = !o || pa_api_add_id(o, "id", "r", r->id);
  for (int i = 0; i < 4; i++) {
    if (!bad && parts[i] && cJSON_AddItemToObject(o, keys[i], parts[i])) continue;
    bad = 1;
    cJSON_Delete(parts[i]);
  }
  bad = bad || add_sources(o, r) || add_replay(o, r);
  cJSON *tags = bad ? NULL : cJSON_AddArrayToObject(o, "tags");
  bad = bad || !tags || !cJSON_AddStringToObject(o, "caption", caption) ||
        pa_str_tags(caption, pa_api_add_tag, tags) ||
        pa_api_add_time(o, "created_at", r->created_at) ||
        /* Only its author is shown a hidden reel: marked, as a hidden post. */
        (r->hidden && !cJSON_AddStringToObject(o, "moderation", "hidden"));
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* pa_store_reels_list callback: appends the reel to the array ctx, with
 * "sponsored": null (an organic reel). */
static int reel_add(void *ctx, const pa_store_reel *r) {
  cJSON *o = pa_api_reel_json(r);
  if (!o || !cJSON_AddNullToObject(o, "sponsored") || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return 0;
}

/* A sponsored reel being read: its ad, and its JSON once read. */
typedef struct sponsored {
  const pa_api_ad *ad;
  cJSON *o;
} sponsored;

/* pa_store_reels_get callback: the reel with the contract's "sponsored"
 * object (the feed's candidates' shape, api/rank.c). */
static int sponsored_one(void *ctx, const pa_store_reel *r) {
  sponsored *s = ctx;
  const pa_api_ad *ad = s->ad;
  cJSON *o = pa_api_reel_json(r), *sp = cJSON_CreateObject();
  cJSON *why = cJSON_Parse(ad->why); /* written by cJSON (api/ads_serve.c) */
  int bad = !o || !sp || !why || pa_api_add_id(sp, "advertiser_id", "ad", ad->advertiser_id) ||
            pa_api_add_id(sp, "campaign_id", "c", ad->campaign_id) ||
            !cJSON_AddStringToObject(sp, "token", ad->token) ||
            !cJSON_AddStringToObject(sp, "link", ad->link);
  if (!bad && cJSON_AddItemToObject(sp, "why", why))
    why = NULL;
  else
    bad = 1;
  if (!bad && cJSON_AddItemToObject(o, "sponsored", sp))
    sp = NULL;
  else
    bad = 1;
  cJSON_Delete(why);
  cJSON_Delete(sp);
  if (bad) {
    cJSON_Delete(o);
    return -1;
  }
  s->o = o;
  return 0;
}

/* Moves the page's organic reels (organic, emptied) into list with ads
 * placed among them: one after every PA_ADSERVE_PAGE_SHARE - 1 organic
 * reels, so at most one reel in five is sponsored. An ad with no place (a
 * short page) is left out: its serve is never impressed, so it costs and
 * counts nothing. So is one whose reel the viewer can no longer read. 0, or
 * -1 when the database failed or memory ran out. */
static int place_ads(pa_srv_req *rq, cJSON *organic, cJSON *list, const pa_api_ad *ads, int nads) {
  enum { RUN = PA_ADSERVE_PAGE_SHARE - 1 };
  int next = 0;
  for (int run = 0; cJSON_GetArraySize(organic) > 0; run++) {
    cJSON *item = cJSON_DetachItemFromArray(organic, 0);
    if (!cJSON_AddItemToArray(list, item)) {
      cJSON_Delete(item);
      return -1;
    }
    if ((run + 1) % RUN != 0) continue;
    /* Four organic reels are in: the next ad the viewer can read. */
    for (; next < nads; next++) {
      sponsored sp = {&ads[next], NULL};
      int rc = pa_store_reels_get(rq->db, ads[next].reel_id, rq->viewer, sponsored_one, &sp);
      if (rc == PA_STORE_ENOTFOUND) continue;
      if (rc != PA_STORE_OK || !cJSON_AddItemToArray(list, sp.o)) {
        cJSON_Delete(sp.o);
        return -1;
      }
      next++;
      break;
    }
  }
  return 0;
}

void pa_api_reels_get(pa_srv_req *rq) {
  int limit, has_cursor, more = 0, nads = 0;
  pa_store_cursor after, next = {0, 0};
  pa_api_ad *ads = NULL;
  if (pa_api_page(rq, PA_API_LIST_MAX, 10, &limit, &after, &has_cursor)) return;
  /* Sponsored reels take at most one place in PA_ADSERVE_PAGE_SHARE, as in
   * the feed, never a Plus member's or someone signed out's (none offered). */
  if (pa_api_ads_offer(rq, 1, limit / PA_ADSERVE_PAGE_SHARE, &ads, &nads) != 0) {
    pa_api_internal(rq, "sponsored reels");
    return;
  }
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "reels");
  cJSON *organic = cJSON_CreateArray();
  if (!list || !organic ||
      pa_store_reels_list(rq->db, rq->viewer, has_cursor ? &after : NULL, limit - nads, reel_add,
                          organic, &next, &more) != PA_STORE_OK ||
      place_ads(rq, organic, list, ads, nads) != 0 || pa_api_add_cursor(root, more, &next) != 0) {
    free(ads);
    cJSON_Delete(organic);
    cJSON_Delete(root);
    pa_api_internal(rq, "reels");
    return;
  }
  free(ads);
  cJSON_Delete(organic);
  pa_api_json(rq, 200, root);
}

/* pa_store_reels_get callback: the reel's JSON into *(cJSON **)ctx. */
static int reel_one(void *ctx, const pa_store_reel *r) {
  cJSON **out = ctx;
  *out = pa_api_reel_json(r);
  return *out ? 0 : -1;
}

void pa_api_reel_create(pa_srv_req *rq) {
  static const char *const fields[] = {"video_media_id", "poster_media_id", "caption", "pet_id",
                                       NULL};
  int64_t video, poster, id;
  char vhash[65], vext[8], phash[65], pext[8];
  pa_store_new_reel r = {.author_id = rq->viewer, .video = vhash, .poster = phash};
  cJSON *body = NULL, *o = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_id(rq, body, "video_media_id", "m", 1, &video) ||
      pa_api_id(rq, body, "poster_media_id", "m", 1, &poster) ||
      pa_api_id(rq, body, "pet_id", "pet", 1, &r.pet_id) ||
      pa_api_str(rq, body, "caption", 1, 0, 2200, 1, &r.caption)) {
    cJSON_Delete(body);
    return;
  }
  /* As for stories: the uploads are attached only if the reel is written. */
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    cJSON_Delete(body);
    pa_api_internal(rq, "add reel");
    return;
  }
  if (pa_api_own_media(rq, video, "video", "video_media_id", "video_media_id", vhash, vext) ||
      pa_api_own_media(rq, poster, "image", "poster_media_id", "poster_media_id", phash, pext) ||
      pa_api_own_pet(rq, r.pet_id, "pet_id")) {
    pa_store_rollback(rq->db);
    cJSON_Delete(body);
    return;
  }
  r.created_at = pa_clock_now();
  int rc = pa_store_reels_add(rq->db, &r, &id);
  cJSON_Delete(body);
  if (pa_store_end(rq->db, rc == PA_STORE_OK) != PA_STORE_OK) rc = PA_STORE_EDB;
  if (rc == PA_STORE_OK) rc = pa_store_reels_get(rq->db, id, rq->viewer, reel_one, &o);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(o);
    pa_api_internal(rq, "add reel");
    return;
  }
  pa_api_json(rq, 201, o);
}

void pa_api_reel_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, pa_store_reels_owner, pa_store_reels_delete, "No such reel",
                    "Only the reel's author may delete it");
}
