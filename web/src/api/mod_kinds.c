/* pa_mod — the registry of item kinds the moderation queue knows
 * (api/moderation.h says what a row holds). Ad creatives and disputes add
 * their rows here with their issues (ads: issue 21). */
#include "api/api.h"
#include "api/moderation.h"
#include "clock.h"
#include "store/ads.h"
#include "store/market.h"
#include "store/moderation.h"
#include "store/orders.h"
#include "store/posts.h"
#include "store/reels.h"
#include "store/reviews.h"
#include "store/stories.h"

#include <string.h>

static const char *item_state_name(int state) {
  return state == PA_STORE_MOD_HIDDEN    ? "hidden"
         : state == PA_STORE_MOD_REMOVED ? "removed"
                                         : "shown";
}

/* {"id","name","handle"} of a person named in an item. */
static int add_who(cJSON *o, const char *key, int64_t id, const char *name, const char *handle) {
  cJSON *w = cJSON_AddObjectToObject(o, key);
  return !w || pa_api_add_id(w, "id", "u", id) ||
                 !cJSON_AddStringToObject(w, "name", name ? name : "") ||
                 !cJSON_AddStringToObject(w, "handle", handle ? handle : "")
             ? -1
             : 0;
}

/* ---- posts */

static int post_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                        int64_t *subject) {
  int state;
  (void)reporter;
  (void)claimed;
  int rc = pa_store_posts_author(db, id, subject);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_post_state(db, id, &state);
  /* A post someone cannot see is not one they can report. */
  return rc == PA_STORE_OK && state != PA_STORE_MOD_SHOWN ? PA_STORE_ENOTFOUND : rc;
}

static int post_owner(pa_store *db, int64_t id, int64_t *subject) {
  return pa_store_posts_author(db, id, subject);
}

static int add_image(void *ctx, const char *hash, const char *ext, const char *alt) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_media_url(o, "url", hash, ext) || !cJSON_AddStringToObject(o, "alt", alt) ? -1
                                                                                              : 0;
}

typedef struct post_ctx {
  cJSON *o;
  int state;
} post_ctx;

static int post_json(void *ctx, const pa_store_moderation_post *p) {
  post_ctx *c = ctx;
  c->state = p->state;
  return pa_api_add_id(c->o, "id", "p", p->id) ||
                 !cJSON_AddStringToObject(c->o, "caption", p->caption) ||
                 pa_api_add_time(c->o, "created_at", p->created_at) ||
                 add_who(c->o, "author", p->author_id, p->author_name, p->author_handle) ||
                 !cJSON_AddStringToObject(c->o, "pet_name", p->pet_name) ||
                 !cJSON_AddStringToObject(c->o, "state", item_state_name(p->state))
             ? -1
             : 0;
}

static int post_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  post_ctx c = {cJSON_AddObjectToObject(o, "post"), 0};
  cJSON *images = c.o ? cJSON_AddArrayToObject(c.o, "images") : NULL;
  if (!images) return PA_STORE_ENOMEM;
  int rc = pa_store_moderation_post_get(db, id, post_json, &c);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_post_images(db, id, add_image, images);
  *state = item_state_name(c.state);
  return rc;
}

/* The moderation state an item action leaves a kind with a mod_state
 * column in (posts, comments, listings, reviews): restore shows it again. */
static int target_state(int action) {
  return action == PA_MOD_HIDE     ? PA_STORE_MOD_HIDDEN
         : action == PA_MOD_REMOVE ? PA_STORE_MOD_REMOVED
                                   : PA_STORE_MOD_SHOWN;
}

static int post_apply(pa_store *db, int64_t id, int action) {
  int state;
  int rc = pa_store_moderation_post_state(db, id, &state);
  if (rc != PA_STORE_OK) return rc;
  /* A removed post's images are gone: there is nothing to show again. */
  if (state == PA_STORE_MOD_REMOVED) return PA_STORE_ECONFLICT;
  int to = target_state(action);
  return pa_store_moderation_post_set(db, id, to, NULL);
}

/* ---- comments */

static int comment_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                           int64_t *subject) {
  int state;
  (void)reporter;
  (void)claimed;
  int rc = pa_store_moderation_comment_state(db, id, &state, subject);
  return rc == PA_STORE_OK && state != PA_STORE_MOD_SHOWN ? PA_STORE_ENOTFOUND : rc;
}

static int comment_owner(pa_store *db, int64_t id, int64_t *subject) {
  int state;
  return pa_store_moderation_comment_state(db, id, &state, subject);
}

static int comment_json(void *ctx, const pa_store_moderation_comment *m) {
  post_ctx *c = ctx;
  cJSON *post;
  c->state = m->state;
  return pa_api_add_id(c->o, "id", "c", m->id) || !cJSON_AddStringToObject(c->o, "body", m->body) ||
                 pa_api_add_time(c->o, "created_at", m->created_at) ||
                 add_who(c->o, "author", m->author_id, m->author_name, m->author_handle) ||
                 !cJSON_AddStringToObject(c->o, "state", item_state_name(m->state)) ||
                 !(post = cJSON_AddObjectToObject(c->o, "post")) ||
                 pa_api_add_id(post, "id", "p", m->post_id) ||
                 !cJSON_AddStringToObject(post, "caption", m->post_caption)
             ? -1
             : 0;
}

static int comment_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  post_ctx c = {cJSON_AddObjectToObject(o, "comment"), 0};
  if (!c.o) return PA_STORE_ENOMEM;
  int rc = pa_store_moderation_comment_get(db, id, comment_json, &c);
  *state = item_state_name(c.state);
  return rc;
}

static int comment_apply(pa_store *db, int64_t id, int action) {
  int to = target_state(action);
  return pa_store_moderation_comment_set(db, id, to, NULL);
}

/* ---- reels and stories: hidden is a state (mod_state); removed is no row
 * (its files are collected, as a removed post's photos), so the person who
 * answered for a removed one is the one its reports name. */

static int noop_reel(void *ctx, const pa_store_reel *r) {
  (void)ctx;
  (void)r;
  return 0;
}

static int reel_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                        int64_t *subject) {
  (void)claimed;
  /* A reel someone cannot see (a block, a private account, hidden) is not
   * one they can report. */
  int rc = pa_store_reels_get(db, id, reporter, noop_reel, NULL);
  return rc == PA_STORE_OK ? pa_store_reels_owner(db, id, subject) : rc;
}

static int story_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                         int64_t *subject) {
  (void)claimed;
  int rc = pa_store_stories_live(db, id, reporter, pa_clock_now());
  return rc == PA_STORE_OK ? pa_store_stories_owner(db, id, subject) : rc;
}

/* The owner of a reel or story, or of a removed one the one its reports name. */
static int clip_owner(pa_store *db, const char *kind, int rc, int64_t id, int64_t *subject) {
  if (rc != PA_STORE_ENOTFOUND) return rc;
  rc = pa_store_moderation_report_subject(db, kind, id, subject);
  return rc == PA_STORE_OK && !*subject ? PA_STORE_ENOTFOUND : rc;
}

static int reel_owner(pa_store *db, int64_t id, int64_t *subject) {
  return clip_owner(db, "reel", pa_store_reels_owner(db, id, subject), id, subject);
}

static int story_owner(pa_store *db, int64_t id, int64_t *subject) {
  return clip_owner(db, "story", pa_store_stories_owner(db, id, subject), id, subject);
}

typedef struct clip_ctx {
  cJSON *o;
  const char *prefix;
  int state;
} clip_ctx;

static int clip_json(void *ctx, const pa_store_moderation_clip *m) {
  clip_ctx *c = ctx;
  c->state = m->state;
  return pa_api_add_id(c->o, "id", c->prefix, m->id) ||
                 pa_api_add_time(c->o, "created_at", m->created_at) ||
                 add_who(c->o, "owner", m->owner_id, m->owner_name, m->owner_handle) ||
                 !cJSON_AddStringToObject(c->o, "pet_name", m->pet_name) ||
                 !cJSON_AddStringToObject(c->o, "state", item_state_name(m->state)) ||
                 pa_api_add_media_url(c->o, "media_url", m->media_hash, m->media_ext) ||
                 (m->poster_hash
                      ? pa_api_add_media_url(c->o, "poster_url", m->poster_hash, m->poster_ext) ||
                            !cJSON_AddStringToObject(c->o, "caption", m->caption)
                      : pa_api_add_time(c->o, "expires_at", m->expires_at))
             ? -1
             : 0;
}

/* The reel or story under key; null when removed (its row is gone). */
static int clip_context(pa_store *db, int reel, int64_t id, cJSON *o, const char **state) {
  const char *key = reel ? "reel" : "story";
  clip_ctx c = {cJSON_CreateObject(), reel ? "r" : "s", PA_STORE_MOD_SHOWN};
  if (!c.o) return PA_STORE_ENOMEM;
  int rc = pa_store_moderation_clip_get(db, reel, id, clip_json, &c);
  if (rc == PA_STORE_ENOTFOUND) {
    int64_t subject = 0;
    cJSON_Delete(c.o);
    /* Removed: there is nothing left to show but that it was reported. */
    rc = clip_owner(db, key, PA_STORE_ENOTFOUND, id, &subject);
    *state = item_state_name(PA_STORE_MOD_REMOVED);
    return rc == PA_STORE_OK && !cJSON_AddNullToObject(o, key) ? PA_STORE_ENOMEM : rc;
  }
  if (rc != PA_STORE_OK || !cJSON_AddItemToObject(o, key, c.o)) {
    cJSON_Delete(c.o);
    return rc != PA_STORE_OK ? rc : PA_STORE_ENOMEM;
  }
  *state = item_state_name(c.state);
  return PA_STORE_OK;
}

static int reel_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  return clip_context(db, 1, id, o, state);
}

static int story_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  return clip_context(db, 0, id, o, state);
}

/* Hide and restore set the state; remove deletes the row, whose triggers
 * queue its files for the collector. Gone already (removed, or deleted by
 * its owner): PA_STORE_ECONFLICT, nothing to act on. */
static int reel_apply(pa_store *db, int64_t id, int action) {
  int64_t owner;
  int rc = pa_store_reels_owner(db, id, &owner);
  if (rc == PA_STORE_OK)
    rc = action == PA_MOD_REMOVE ? pa_store_reels_delete(db, id)
                                 : pa_store_reels_set_hidden(db, id, action == PA_MOD_HIDE);
  return rc == PA_STORE_ENOTFOUND ? PA_STORE_ECONFLICT : rc;
}

static int story_apply(pa_store *db, int64_t id, int action) {
  int64_t owner;
  int rc = pa_store_stories_owner(db, id, &owner);
  if (rc == PA_STORE_OK)
    rc = action == PA_MOD_REMOVE ? pa_store_stories_delete(db, id)
                                 : pa_store_stories_set_hidden(db, id, action == PA_MOD_HIDE);
  return rc == PA_STORE_ENOTFOUND ? PA_STORE_ECONFLICT : rc;
}

/* ---- people */

const char *pa_mod_person_state_name(int64_t suspended_until, int64_t banned_at, int64_t now) {
  return banned_at ? "banned" : suspended_until > now ? "suspended" : "active";
}

static int person_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                          int64_t *subject) {
  pa_store_moderation_person_state s;
  (void)reporter;
  (void)claimed;
  int rc = pa_store_moderation_person_get(db, id, &s);
  *subject = id;
  return rc;
}

static int person_owner(pa_store *db, int64_t id, int64_t *subject) {
  pa_store_moderation_person_state s;
  *subject = id;
  return pa_store_moderation_person_get(db, id, &s);
}

typedef struct person_ctx {
  cJSON *o, *recent;
  const char *state;
} person_ctx;

static int add_recent(void *ctx, const pa_store_moderation_post *p) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "p", p->id) || !cJSON_AddStringToObject(o, "caption", p->caption) ||
                 pa_api_add_time(o, "created_at", p->created_at) ||
                 !cJSON_AddStringToObject(o, "state", item_state_name(p->state))
             ? -1
             : 0;
}

/* Adds "suspended_until" and "banned_at", times or null. */
static int add_sanctions(cJSON *o, int64_t suspended_until, int64_t banned_at, int64_t now) {
  int bad = suspended_until > now ? pa_api_add_time(o, "suspended_until", suspended_until)
                                  : !cJSON_AddNullToObject(o, "suspended_until");
  return bad || (banned_at ? pa_api_add_time(o, "banned_at", banned_at)
                           : !cJSON_AddNullToObject(o, "banned_at"))
             ? -1
             : 0;
}

static int profile_json(void *ctx, const pa_store_moderation_profile *p) {
  person_ctx *c = ctx;
  int64_t now = pa_clock_now();
  c->state = pa_mod_person_state_name(p->suspended_until, p->banned_at, now);
  return pa_api_add_id(c->o, "id", "u", p->id) || !cJSON_AddStringToObject(c->o, "name", p->name) ||
                 !cJSON_AddStringToObject(c->o, "handle", p->handle) ||
                 !cJSON_AddStringToObject(c->o, "bio", p->bio) ||
                 pa_api_add_time(c->o, "created_at", p->created_at) ||
                 !cJSON_AddNumberToObject(c->o, "post_count", (double)p->posts) ||
                 !cJSON_AddStringToObject(c->o, "state", c->state) ||
                 add_sanctions(c->o, p->suspended_until, p->banned_at, now)
             ? -1
             : 0;
}

static int person_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  person_ctx c = {cJSON_AddObjectToObject(o, "person"), NULL, "active"};
  if (!c.o || !(c.recent = cJSON_AddArrayToObject(c.o, "recent_posts"))) return PA_STORE_ENOMEM;
  int rc = pa_store_moderation_profile_get(db, id, profile_json, &c);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_recent_posts(db, id, add_recent, c.recent);
  *state = c.state;
  return rc;
}

/* ---- chat messages: end-to-end encrypted, so the server holds no text. The
 * reporter's device sends the text it decrypted and the sender it came
 * from; the server checks only that the two share a conversation. The
 * texts are in the reports (GET /mod/items/message/{id} lists them). */

static int message_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                           int64_t *subject) {
  pa_store_moderation_person_state s;
  int shared = 0;
  (void)id;
  if (!claimed) return PA_STORE_ENOTFOUND;
  int rc = pa_store_moderation_person_get(db, claimed, &s);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_chatted(db, reporter, claimed, &shared);
  *subject = claimed;
  return rc == PA_STORE_OK && !shared ? PA_STORE_ENOTFOUND : rc;
}

static int message_owner(pa_store *db, int64_t id, int64_t *subject) {
  int rc = pa_store_moderation_report_subject(db, "message", id, subject);
  return rc == PA_STORE_OK && !*subject ? PA_STORE_ENOTFOUND : rc;
}

static int message_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  int64_t sender = 0;
  pa_store_moderation_person_state s = {0, 0};
  cJSON *m = cJSON_AddObjectToObject(o, "message");
  if (!m) return PA_STORE_ENOMEM;
  int rc = message_owner(db, id, &sender);
  if (rc == PA_STORE_OK) rc = pa_store_moderation_person_get(db, sender, &s);
  if (rc != PA_STORE_OK) return rc;
  *state = pa_mod_person_state_name(s.suspended_until, s.banned_at, pa_clock_now());
  return pa_api_add_id(m, "id", "cm", id) || pa_api_add_id(m, "from", "u", sender) ? PA_STORE_ENOMEM
                                                                                   : PA_STORE_OK;
}

/* ---- marketplace listings (issue 20): hidden, a listing is its seller's
 * alone (marked); removed, nobody else sees it, and its seller sees it
 * marked removed. Its photos stay, so a removal can be undone. */

static int keep_seller(void *ctx, const pa_store_market_row *r) {
  *(int64_t *)ctx = r->seller_id;
  return 0;
}

static int listing_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                           int64_t *subject) {
  (void)claimed;
  /* A listing someone cannot see (hidden, paused, a block) is not one they can report. */
  return pa_store_market_listing_get(db, id, reporter, keep_seller, subject);
}

static int listing_owner(pa_store *db, int64_t id, int64_t *subject) {
  return pa_store_market_listing_seller(db, id, subject);
}

typedef struct listing_ctx {
  pa_store *db;
  cJSON *o;
  int state;
} listing_ctx;

static int add_listing_photo(void *ctx, int64_t upload, const char *hash, const char *ext) {
  cJSON *o = cJSON_CreateObject();
  (void)upload;
  if (!o || !cJSON_AddItemToArray(ctx, o)) {
    cJSON_Delete(o);
    return -1;
  }
  return pa_api_add_media_url(o, "url", hash, ext) || !cJSON_AddStringToObject(o, "alt", "") ? -1
                                                                                             : 0;
}

static int listing_json(void *ctx, const pa_store_market_row *r) {
  listing_ctx *c = ctx;
  const pa_market_category *cat = pa_market_category_at(r->l.category);
  cJSON *images;
  c->state = r->mod_state;
  return pa_api_add_id(c->o, "id", "lst", r->id) ||
                 !cJSON_AddStringToObject(c->o, "title", r->l.title) ||
                 !cJSON_AddStringToObject(c->o, "description", r->l.description) ||
                 !cJSON_AddStringToObject(c->o, "category", cat ? cat->name : "") ||
                 !cJSON_AddNumberToObject(c->o, "price_minor", (double)r->l.price_minor) ||
                 !cJSON_AddStringToObject(c->o, "currency", r->l.currency) ||
                 pa_api_add_time(c->o, "created_at", r->created_at) ||
                 add_who(c->o, "seller", r->seller_id, r->seller_name, "") ||
                 !cJSON_AddStringToObject(c->o, "state", item_state_name(r->mod_state)) ||
                 !(images = cJSON_AddArrayToObject(c->o, "images")) ||
                 pa_store_market_photos(c->db, r->id, add_listing_photo, images) != PA_STORE_OK
             ? -1
             : 0;
}

static int listing_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  listing_ctx c = {db, cJSON_AddObjectToObject(o, "listing"), 0};
  if (!c.o) return PA_STORE_ENOMEM;
  int rc = pa_store_market_listing_any(db, id, listing_json, &c);
  *state = item_state_name(c.state);
  return rc;
}

static int listing_apply(pa_store *db, int64_t id, int action) {
  int to = target_state(action);
  return pa_store_market_mod_set(db, id, to);
}

/* ---- marketplace reviews (issue 20, item 6): the buyer who wrote one
 * answers for it; hidden or removed, it leaves the seller's page and its
 * average (removed keeps the row, so a removal can be undone). A seller's
 * reply goes with the review it answers. */

typedef struct review_ctx {
  cJSON *o;
  int state;
  int64_t buyer, seller;
} review_ctx;

static int keep_review(void *ctx, const pa_store_review *r) {
  review_ctx *c = ctx;
  c->state = r->mod_state;
  c->buyer = r->buyer_id;
  c->seller = r->seller_id;
  if (!c->o) return 0;
  cJSON *reply;
  int bad = pa_api_add_id(c->o, "id", "rv", r->id) ||
            pa_api_add_id(c->o, "order", "ord", r->order_id) ||
            !cJSON_AddNumberToObject(c->o, "rating", r->rating) ||
            !cJSON_AddStringToObject(c->o, "text", r->text) ||
            pa_api_add_time(c->o, "created_at", r->created_at) ||
            add_who(c->o, "author", r->buyer_id, r->buyer_name, "") ||
            pa_api_add_id(c->o, "seller", "u", r->seller_id) ||
            !cJSON_AddStringToObject(c->o, "state", item_state_name(r->mod_state));
  if (bad) return -1;
  if (!r->has_reply) return cJSON_AddNullToObject(c->o, "reply") ? 0 : -1;
  return !(reply = cJSON_AddObjectToObject(c->o, "reply")) ||
                 !cJSON_AddStringToObject(reply, "text", r->reply) ||
                 pa_api_add_time(reply, "created_at", r->replied_at)
             ? -1
             : 0;
}

static int any_seller(void *ctx, const pa_store_market_seller_page *p) {
  (void)ctx;
  (void)p;
  return 0;
}

static int review_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                          int64_t *subject) {
  review_ctx c = {NULL, 0, 0, 0};
  (void)claimed;
  int rc = pa_store_reviews_get(db, id, keep_review, &c);
  if (rc != PA_STORE_OK) return rc;
  *subject = c.buyer;
  /* A review someone cannot see (hidden, removed, or its seller's page
   * closed to them by a block) is not one they can report. */
  if (c.state != PA_STORE_MOD_SHOWN) return PA_STORE_ENOTFOUND;
  return pa_store_market_seller_page_get(db, c.seller, reporter, any_seller, NULL);
}

static int review_owner(pa_store *db, int64_t id, int64_t *subject) {
  review_ctx c = {NULL, 0, 0, 0};
  int rc = pa_store_reviews_get(db, id, keep_review, &c);
  *subject = c.buyer;
  return rc;
}

static int review_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  review_ctx c = {cJSON_AddObjectToObject(o, "review"), 0, 0, 0};
  if (!c.o) return PA_STORE_ENOMEM;
  int rc = pa_store_reviews_get(db, id, keep_review, &c);
  *state = item_state_name(c.state);
  return rc;
}

static int review_apply(pa_store *db, int64_t id, int action) {
  int to = target_state(action);
  return pa_store_reviews_mod_set(db, id, to);
}

/* ---- marketplace disputes (issue 20, section 4): a dispute waits in the
 * queue as its buyer's report of the order (api/disputes.c opens it); its
 * seller answers for it. Nobody reports one through /reports: a moderator
 * decides it through /mod/disputes/{ord}/decision (refund or release),
 * and the actions on people stay with the seller's or buyer's own items. */

static int dispute_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                           int64_t *subject) {
  (void)db;
  (void)id;
  (void)reporter;
  (void)claimed;
  (void)subject;
  return PA_STORE_ENOTFOUND;
}

static int dispute_owner(pa_store *db, int64_t id, int64_t *subject) {
  pa_store_order o;
  int rc = pa_store_orders_get(db, id, &o);
  if (rc == PA_STORE_OK) *subject = o.seller_id;
  return rc;
}

static int dispute_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  return pa_api_dispute_context(db, id, o, state);
}

/* ---- ad creatives (issue 21; api/ads.c): a creative waits in the queue
 * as its advertiser's own request for review, and a moderator approves or
 * rejects it through /mod/ads/{cr}/review (rejecting says why). People may
 * report an approved creative they were shown; its advertiser answers for
 * it, and the same review keeps it (approve) or takes it down (reject). The
 * kind has no generic actions, as disputes: an action there would close the
 * review request without a decision on the creative. The moderator sees the
 * creative's post (photos, caption), or its reel (poster, video, caption),
 * in context. */

static int ad_owner(pa_store *db, int64_t id, int64_t *subject) {
  pa_store_creative k;
  int rc = pa_store_ads_creative_get(db, id, &k);
  if (rc == PA_STORE_OK && !k.user_id) rc = PA_STORE_ENOTFOUND; /* the account is gone */
  if (rc == PA_STORE_OK) *subject = k.user_id;
  return rc;
}

static int ad_subject(pa_store *db, int64_t id, int64_t reporter, int64_t claimed,
                      int64_t *subject) {
  pa_store_creative k;
  (void)reporter;
  (void)claimed;
  int rc = pa_store_ads_creative_get(db, id, &k);
  /* Only an approved creative reaches anyone to report. */
  if (rc == PA_STORE_OK && (strcmp(k.review, "approved") != 0 || !k.user_id))
    rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_OK) *subject = k.user_id;
  return rc;
}

static int ad_context(pa_store *db, int64_t id, cJSON *o, const char **state) {
  pa_store_creative k;
  const char *post_state = NULL;
  int rc = pa_store_ads_creative_get(db, id, &k);
  if (rc != PA_STORE_OK) return rc;
  cJSON *ad = cJSON_AddObjectToObject(o, "ad");
  if (!ad || pa_api_add_id(ad, "id", "cr", k.id) ||
      pa_api_add_id(ad, "campaign_id", "c", k.campaign_id) ||
      (k.post_id ? pa_api_add_id(ad, "post_id", "p", k.post_id)
                 : !cJSON_AddNullToObject(ad, "post_id")) ||
      (k.reel_id && pa_api_add_id(ad, "reel_id", "r", k.reel_id)) ||
      !cJSON_AddStringToObject(ad, "link", k.link) ||
      !cJSON_AddStringToObject(ad, "review", k.review) ||
      !cJSON_AddStringToObject(ad, "review_note", k.note) ||
      pa_api_add_time(ad, "created_at", k.created_at))
    return PA_STORE_ENOMEM;
  *state = !strcmp(k.review, "approved")   ? "approved"
           : !strcmp(k.review, "rejected") ? "rejected"
                                           : "pending";
  /* A reel's creative (schema 34): the reel as the kind "reel" shows it,
   * its poster and video, which the moderator plays. */
  return k.reel_id ? clip_context(db, 1, k.reel_id, o, &post_state)
                   : post_context(db, k.post_id, o, &post_state);
}

/* ---- the registry */

static const pa_mod_kind kinds[] = {
    {"post", "p", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     post_subject, post_owner, post_context, post_apply},
    {"comment", "c", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     comment_subject, comment_owner, comment_context, comment_apply},
    {"person", "u", PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS, person_subject, person_owner,
     person_context, NULL},
    {"message", "cm", PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS, message_subject, message_owner,
     message_context, NULL},
    {"reel", "r", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     reel_subject, reel_owner, reel_context, reel_apply},
    {"story", "s", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     story_subject, story_owner, story_context, story_apply},
    {"listing", "lst", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     listing_subject, listing_owner, listing_context, listing_apply},
    {"review", "rv", PA_MOD_HIDE | PA_MOD_REMOVE | PA_MOD_RESTORE | PA_MOD_PERSON_ACTIONS,
     review_subject, review_owner, review_context, review_apply},
    {"dispute", "ord", 0, dispute_subject, dispute_owner, dispute_context, NULL},
    {"ad", "cr", 0, ad_subject, ad_owner, ad_context, NULL},
};

const pa_mod_kind *pa_mod_kind_find(const char *name) {
  for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
  return NULL;
}

const pa_mod_kind *pa_mod_kind_at(int i) {
  return i >= 0 && (size_t)i < sizeof kinds / sizeof kinds[0] ? &kinds[i] : NULL;
}
