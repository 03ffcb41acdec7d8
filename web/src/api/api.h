/* pa_api — what the handlers in api/ share (api.c) and the handlers
 * themselves, one file per resource family; the route table in router.c
 * calls them.
 *
 * Handlers speak HTTP and JSON only: they reach the data through the store
 * (store/<resource>.h), never SQL. They answer exactly once: with pa_api_json
 * or one of the error senders. Helpers that return -1 have already sent an
 * error. */
#ifndef PA_API_H
#define PA_API_H

#include "limit.h"
#include "srv_internal.h"
#include "store/feed.h"
#include "store/media.h"
#include "store/people.h"
#include "store/posts.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

enum {
  PA_API_BODY_MAX = 64 * 1024, /* bytes of a JSON request body */
  PA_API_LIST_MAX = 100,       /* items per page of lists other than feeds */
  /* The Security view (admin_ops.c): hours looked back (a week at most, by
   * default a day), addresses listed, and when a pattern is suspicious. */
  PA_API_SECURITY_HOURS_MAX = 168,
  PA_API_SECURITY_HOURS_DEFAULT = 24,
  PA_API_SECURITY_TOP = 20,
  PA_API_SECURITY_SPRAY_ACCOUNTS = 3,   /* one address failing for this many accounts */
  PA_API_SECURITY_TARGET_ADDRESSES = 3, /* one account failing from this many addresses */
  PA_API_LIST_DEFAULT = 20,
  /* The operator's bearer token (PA_METRICS_TOKEN): long enough to resist
   * guessing, short enough for one header line. */
  PA_API_OPS_TOKEN_MIN = 32,
  PA_API_OPS_TOKEN_MAX = 256,
  PA_API_WORD_MAX = 20, /* letters of a {word} path segment (a role's name; rq->word holds it) */
  PA_API_WHO_MAX = 254  /* bytes of ?who= (an email, PA_STORE_EMAIL_MAX, or a handle) */
};

/* {"error":{"code","message"}}; allow (or NULL) becomes the Allow header. */
void pa_api_error(pa_srv_req *rq, int status, const char *code, const char *message,
                  const char *allow);
/* The same with "field": the request member at fault, for forms to show the
 * message next to it. */
void pa_api_field_error(pa_srv_req *rq, int status, const char *code, const char *message,
                        const char *field);
/* 500; what (never user data) goes to the log with the database's message. */
void pa_api_internal(pa_srv_req *rq, const char *what);
#define PA_BAD(rq, msg)       pa_api_error((rq), 400, "bad_request", (msg), NULL)
#define PA_NOT_FOUND(rq, msg) pa_api_error((rq), 404, "not_found", (msg), NULL)
#define PA_FORBIDDEN(rq, msg) pa_api_error((rq), 403, "forbidden", (msg), NULL)

/* Sends root (taken over and freed) as JSON with the given status. */
void pa_api_json(pa_srv_req *rq, int status, cJSON *root);
/* An answer already written as JSON text (a kept feed page), sent as pa_api_json sends. */
void pa_api_send_text(pa_srv_req *rq, int status, const char *text, size_t len);
/* Loop thread: the body limit, workers and session need of the route that
 * method and path name (see the route table's flags). */
pa_net_route pa_api_route(const pa_http_head *head);

/* {"ok":true} */
void pa_api_ok(pa_srv_req *rq);

/* Reads a JSON object body (Content-Type application/json, at most
 * PA_API_BODY_MAX bytes). On success the caller frees *out with cJSON_Delete. */
int pa_api_body(pa_srv_req *rq, cJSON **out);

/* A string member: missing is an error when required (then *out NULL when
 * not); checks UTF-8, no control characters (newlines when multiline) and
 * min..max code points. Its errors name the member in "field". */
int pa_api_str(pa_srv_req *rq, const cJSON *obj, const char *name, int required, long min, long max,
               int multiline, const char **out);
/* An id member such as "pet_12" (prefix "pet"); *out 0 when absent or null
 * and not required. */
int pa_api_id(pa_srv_req *rq, const cJSON *obj, const char *name, const char *prefix, int required,
              int64_t *out);
/* Refuses members other than the names given (NULL-terminated). */
int pa_api_only(pa_srv_req *rq, const cJSON *obj, const char *const *names);

/* Parses "<prefix>_<n>" with n a canonical positive decimal; 0 or -1. */
int pa_api_parse_id(const char *s, const char *prefix, int64_t *out);

/* ?limit= (1..max, default def) and ?cursor= (*has_cursor 0 without one). */
int pa_api_page(pa_srv_req *rq, int max, int def, int *limit, pa_store_cursor *cursor,
                int *has_cursor);
/* A query parameter into out (NUL-terminated); 0 found, 1 absent, -1 sent 400. */
int pa_api_query(pa_srv_req *rq, const char *name, char *out, size_t cap);

/* JSON building; each returns 0 or -1 (out of memory). */
void pa_api_format_time(int64_t t, char out[32]);
int pa_api_add_time(cJSON *obj, const char *key, int64_t t);
int pa_api_add_id(cJSON *obj, const char *key, const char *prefix, int64_t id);
int pa_api_add_media_url(cJSON *obj, const char *key, const char *hash, const char *ext);
int pa_api_add_cursor(cJSON *obj, int has_more, const pa_store_cursor *next);
/* "plus": whether a person whose Plus lasts until plus_until (users.plus_until)
 * has it now: the badge's one rule, for every person object the API writes. */
int pa_api_add_plus(cJSON *obj, int64_t plus_until);
/* "links": the profile's links from their stored JSON text (an empty array
 * when it is NULL or not an array of strings). */
int pa_api_add_links(cJSON *obj, const char *links_json);
/* {"id","name","avatar_url","plus"} of a person and {"id","name","species",
 * "avatar_url"} of a pet; the caller owns the result (cJSON_Delete), NULL
 * when out of memory. */
cJSON *pa_api_person_json(const pa_store_person *p);
cJSON *pa_api_pet_ref_json(const pa_store_pet_ref *p);
/* {"url","type","width","height"} of a stored file (width and height null
 * when unknown); owned by the caller as above. */
cJSON *pa_api_media_ref_json(const pa_store_media_ref *m);
/* A new empty object appended to array, which owns it (the caller fills it
 * and never frees it); NULL when out of memory, nothing appended. The start
 * of every store callback that adds a row to a JSON list. */
cJSON *pa_api_array_add_object(cJSON *array);
/* A pa_str_tags callback: appends tag to the cJSON array ctx; -1 when out of
 * memory. */
int pa_api_add_tag(void *ctx, const char *tag);
/* The MIME type of a stored extension. */
const char *pa_api_ext_type(const char *ext);

/* A feed post as the core parses it (pa_store_feed callback; ctx is the array). */
int pa_api_add_feed_post(void *ctx, const pa_store_feed_post *p);

/* 0 when pet is the viewer's; else an error is sent (400 unknown, 403 not theirs). */
int pa_api_own_pet(pa_srv_req *rq, int64_t pet, const char *what);
/* 0 when the path's pet (rq->ids[0]) is the viewer's; else -1 with 404 (no
 * such pet), 403 (refusal as its message) or 500 sent. */
int pa_api_path_pet_mine(pa_srv_req *rq, const char *refusal);

/* Looks up one of the viewer's uploads for a use (post, story, reel,
 * avatar) and marks it attached: from then on it belongs to that use, and
 * its file goes once no use holds it (pa_api_media_gc). Call it inside the
 * transaction that writes the use, which rolls the mark back with it. hash
 * and ext copied out. kind is "image", "video" or NULL for either. 0, or -1
 * with 400 sent (unknown_upload for an id that is not, or no longer, one of
 * the viewer's uploads; field names the member). */
int pa_api_own_media(pa_srv_req *rq, int64_t upload, const char *kind, const char *what,
                     const char *field, char hash[65], char ext[8]);

/* A store function giving the owner of the row `id` names (PA_STORE_ENOTFOUND
 * when there is none), and one deleting that row. */
typedef int (*pa_api_owner_fn)(pa_store *db, int64_t id, int64_t *owner);
typedef int (*pa_api_remove_fn)(pa_store *db, int64_t id);
/* Deletes the row with id rq->ids[0] by remove when owner names the viewer,
 * collects the media it held and answers {"ok":true}; else 404 missing or
 * 403 not_yours. */
void pa_api_delete_own(pa_srv_req *rq, pa_api_owner_fn owner, pa_api_remove_fn remove,
                       const char *missing, const char *not_yours);

/* The error shape with Retry-After: seconds (for 429 and 503). */
void pa_api_error_retry(pa_srv_req *rq, int status, const char *code, const char *message,
                        int64_t seconds);

/* Whether cookies set on this request say Secure: TLS here, or a proxy on
 * this machine that says the client used https (X-Forwarded-Proto). */
int pa_api_cookie_secure(pa_srv_req *rq);

/* Sets the pa_session cookie (max_age 0 clears it). */
void pa_api_set_session_cookie(pa_srv_req *rq, const char *token, int64_t max_age);

/* The media lifecycle (web/README.md, "Media"). */
enum {
  PA_MEDIA_DRAFT_SECONDS = 24 * 3600, /* an upload no post, story, reel or avatar uses */
  PA_MEDIA_GC_BATCH = 500,            /* hashes checked per collection transaction */
  /* Bytes one person may upload per UTC day (images, videos, chat photos), as
   * received; the environment variable of the same name overrides it. */
  PA_MEDIA_QUOTA_DAY_BYTES = 256 * 1024 * 1024,
  PA_MEDIA_QUOTA_MAX = 1024 * 1024 * 1024 /* the most the environment may set */
};

/* Today's upload quota: PA_MEDIA_QUOTA_DAY_BYTES or the environment's value,
 * read once (the first collection, which runs at startup, reads it). */
int64_t pa_api_media_quota(void);

/* Charges bytes received from the viewer to today's count: 0 with the day
 * charged in *day, or -1 with 429 quota_exceeded (Retry-After: the next
 * 00:00 UTC) or 500 sent. pa_api_media_refund gives them back when the
 * upload is not stored after all. */
int pa_api_media_charge(pa_srv_req *rq, int64_t bytes, int64_t *day);
void pa_api_media_refund(pa_srv_req *rq, int64_t bytes, int64_t day);

/* Forgets drafts older than PA_MEDIA_DRAFT_SECONDS, then deletes the media
 * rows nothing holds any more among those that lost a reference (queued in
 * media_unref by triggers), and then their files. Runs after every delete
 * that can release media, and in the chores. Under the media store's lock
 * (mstore.h), which an upload holds from its file to its row, in every
 * process of a cluster. */
struct pa_mstore;
void pa_api_media_gc(struct pa_store *db, struct pa_mstore *media);

/* ---- handlers, by file */

/* auth.c */
/* An affiliate's money (affiliate_money.c). */
void pa_api_affiliate_payout_put(pa_srv_req *rq);
void pa_api_affiliate_earnings(pa_srv_req *rq);
void pa_api_affiliate_earnings_csv(pa_srv_req *rq);
void pa_api_signup(pa_srv_req *rq);
void pa_api_login(pa_srv_req *rq);
void pa_api_logout(pa_srv_req *rq);
void pa_api_logout_all(pa_srv_req *rq);
void pa_api_session(pa_srv_req *rq);
void pa_api_delete_me(pa_srv_req *rq);
/* What auth.c shares with twostep.c. */
struct pa_store_credentials;
/* Inserts a session for user (inside the caller's transaction), sets the
 * cookie and fills csrf (PA_AUTH_TOKEN_TEXT bytes); 0 or -1. It remembers
 * the device (store/sessions.h): a browser and OS the account never signed in
 * from before is told to its owner as a security notice (not an account's
 * first, which is no news), and *new_device (optional) says so for
 * pa_secev_signin once the caller has committed. */
int pa_api_new_session(pa_srv_req *rq, int64_t user, char *csrf, int *new_device);
/* A security notice for user (inside the caller's transaction), so a change
 * they did not make shows in their notifications: event is one of our words,
 * never a person's text; browser and os (NULL when it is not about a
 * device) auth/device.h's names. */
int pa_api_security_notice(pa_srv_req *rq, int64_t user, const char *event, const char *browser,
                           const char *os);
/* Answers {"user": Me|null, "csrf_token"}. */
void pa_api_send_session(pa_srv_req *rq, int status, int64_t user, const char *csrf);
/* 1 when password is the one cred's hash was made from (same cost either way). */
int pa_api_password_matches(const struct pa_store_credentials *cred, const char *password);
/* The viewer's credentials and (key not NULL) their sign-in limit key; 0, or -1 with 500 sent. */
int pa_api_own_credentials(pa_srv_req *rq, struct pa_store_credentials *cred, char *key,
                           size_t cap);
/* twostep.c: two-step sign-in, the sessions list */
void pa_api_send_challenge(pa_srv_req *rq, int64_t user, int64_t last_step);
void pa_api_totp_get(pa_srv_req *rq);
void pa_api_totp_setup(pa_srv_req *rq);
void pa_api_totp_enable(pa_srv_req *rq);
void pa_api_totp_disable(pa_srv_req *rq);
void pa_api_login_totp(pa_srv_req *rq);
void pa_api_sessions_get(pa_srv_req *rq);
void pa_api_session_delete(pa_srv_req *rq);
/* export.c: download my data */
void pa_api_export(pa_srv_req *rq);
void pa_api_export_media(pa_srv_req *rq);
/* billing.c */
void pa_api_billing_plans(pa_srv_req *rq);
void pa_api_billing_get(pa_srv_req *rq);
void pa_api_billing_checkout(pa_srv_req *rq);
void pa_api_billing_checkout_get(pa_srv_req *rq);
void pa_api_billing_checkout_retry(pa_srv_req *rq);
void pa_api_billing_checkout_abandon(pa_srv_req *rq);
void pa_api_billing_cancel(pa_srv_req *rq);
void pa_api_billing_resume(pa_srv_req *rq);
void pa_api_webhook_paypal(pa_srv_req *rq);
void pa_api_webhook_mercadopago(pa_srv_req *rq);
/* Chatwoot's webhook for the support mirror (api/chatwoot.c). */
void pa_api_webhook_chatwoot(pa_srv_req *rq);
/* Self-serve ads, the advertiser's side (api/ads.c). */
void pa_api_ads_account_get(pa_srv_req *rq);
void pa_api_ads_account_put(pa_srv_req *rq);
void pa_api_ads_topup_create(pa_srv_req *rq);
void pa_api_ads_topup_get(pa_srv_req *rq);
void pa_api_ads_topups(pa_srv_req *rq);
void pa_api_ads_campaigns(pa_srv_req *rq);
void pa_api_ads_campaign_create(pa_srv_req *rq);
void pa_api_ads_campaign_get(pa_srv_req *rq);
void pa_api_ads_campaign_patch(pa_srv_req *rq);
void pa_api_ads_creative_create(pa_srv_req *rq);
void pa_api_ads_creative_delete(pa_srv_req *rq);
void pa_api_mod_ad_review(pa_srv_req *rq);
void pa_api_password(pa_srv_req *rq);
void pa_api_reset_request(pa_srv_req *rq);
void pa_api_reset_confirm(pa_srv_req *rq);
void pa_api_email_change(pa_srv_req *rq);
void pa_api_email_confirm(pa_srv_req *rq);

/* notifications.c */
void pa_api_push_key(pa_srv_req *rq);
void pa_api_push_subscribe(pa_srv_req *rq);
void pa_api_push_unsubscribe(pa_srv_req *rq);
void pa_api_notifications_get(pa_srv_req *rq);
void pa_api_notifications_unread(pa_srv_req *rq);
void pa_api_notifications_read(pa_srv_req *rq);

/* feed.c */
void pa_api_feed(pa_srv_req *rq);
void pa_api_feed_following(pa_srv_req *rq);
void pa_api_feed_tag(pa_srv_req *rq);
void pa_api_user_posts(pa_srv_req *rq);
void pa_api_pet_posts(pa_srv_req *rq);

/* posts.c */
void pa_api_post_create(pa_srv_req *rq);
void pa_api_post_get(pa_srv_req *rq);
void pa_api_post_delete(pa_srv_req *rq);
void pa_api_like_put(pa_srv_req *rq);
void pa_api_like_delete(pa_srv_req *rq);
void pa_api_comments_get(pa_srv_req *rq);
void pa_api_comment_create(pa_srv_req *rq);
void pa_api_comment_delete(pa_srv_req *rq);

/* pets.c */
void pa_api_pet_create(pa_srv_req *rq);
void pa_api_pet_get(pa_srv_req *rq);
void pa_api_pet_patch(pa_srv_req *rq);
void pa_api_pet_delete(pa_srv_req *rq);
void pa_api_my_pets(pa_srv_req *rq);

/* people.c */
void pa_api_user_get(pa_srv_req *rq);
void pa_api_me_patch(pa_srv_req *rq);
void pa_api_user_follow(pa_srv_req *rq);
void pa_api_user_unfollow(pa_srv_req *rq);
void pa_api_pet_follow(pa_srv_req *rq);
void pa_api_pet_unfollow(pa_srv_req *rq);
void pa_api_followers(pa_srv_req *rq);
void pa_api_pet_followers(pa_srv_req *rq);
void pa_api_following(pa_srv_req *rq);
void pa_api_search(pa_srv_req *rq);

/* safety.c: blocks, mutes, private accounts, follow requests */
void pa_api_block_put(pa_srv_req *rq);
void pa_api_block_delete(pa_srv_req *rq);
void pa_api_mute_put(pa_srv_req *rq);
void pa_api_mute_delete(pa_srv_req *rq);
void pa_api_my_blocked(pa_srv_req *rq);
void pa_api_my_muted(pa_srv_req *rq);
void pa_api_my_follow_requests(pa_srv_req *rq);
void pa_api_follow_request_accept(pa_srv_req *rq);
void pa_api_follow_request_decline(pa_srv_req *rq);
/* The viewer's standing with person (PA_STORE_REL_* of store/safety.h) in
 * *rel: 0, 1 when person does not exist (nothing sent), or -1 with 500 sent. */
int pa_api_standing(pa_srv_req *rq, int64_t person, int *rel);
/* Whether the viewer may see author's posts (no block either way; a
 * private account only to its followers): 1 or 0 (also when author does
 * not exist), or -1 with 500 sent. */
int pa_api_sees_posts(pa_srv_req *rq, int64_t author);
/* Tells user of kind ("follow_request", "follow_accepted"), the viewer the
 * actor, inside the caller's transaction: a PA_STORE_* code. */
int pa_api_notice(pa_srv_req *rq, int64_t user, const char *kind);

/* media.c */
void pa_api_media_upload(pa_srv_req *rq);
void pa_api_media_delete(pa_srv_req *rq);

/* stories.c */
void pa_api_stories_get(pa_srv_req *rq);
void pa_api_story_create(pa_srv_req *rq);
void pa_api_story_seen(pa_srv_req *rq);
void pa_api_story_delete(pa_srv_req *rq);

/* reels.c */
struct pa_store_reel;
/* A reel's JSON as GET /reels lists it (without "sponsored"): a new object
 * the caller owns, or NULL when out of memory. */
cJSON *pa_api_reel_json(const struct pa_store_reel *r);
void pa_api_reels_get(pa_srv_req *rq);
void pa_api_reel_create(pa_srv_req *rq);
void pa_api_reel_delete(pa_srv_req *rq);

/* rank.c */
void pa_api_candidates(pa_srv_req *rq);
/* Self-serve ads: an ad's impression or click; a campaign's report (api/ads_serve.c). */
void pa_api_ad_event(pa_srv_req *rq);
void pa_api_ad_report(pa_srv_req *rq);
void pa_api_posts_by_id(pa_srv_req *rq);

/* moderation.c: reports (anyone signed in) and the moderators' routes (F_MOD | F_ADMIN). */
void pa_api_report_create(pa_srv_req *rq);
void pa_api_mod_queue(pa_srv_req *rq);
void pa_api_mod_item(pa_srv_req *rq);
void pa_api_mod_action(pa_srv_req *rq);
/* admin.c: the admin console (issue 19); the route table lets admins only in. */
void pa_api_admin_holders(pa_srv_req *rq);
void pa_api_admin_find(pa_srv_req *rq);
void pa_api_admin_grant(pa_srv_req *rq);
void pa_api_admin_revoke(pa_srv_req *rq);
void pa_api_admin_audit(pa_srv_req *rq);
void pa_api_admin_outbox(pa_srv_req *rq);
/* The team's views (admin_ops.c): GET /admin/security?hours=N and GET /admin/health. */
void pa_api_admin_security(pa_srv_req *rq);
void pa_api_admin_health(pa_srv_req *rq);
/* Adds "roles": the names of a PA_STORE_ROLE_* mask (store/admin.h), in
 * their order; 0 or -1 (out of memory). */
int pa_api_add_roles(cJSON *o, int roles);

/* market.c: the marketplace's sellers and listings (issue 20). */
void pa_api_market_seller_get(pa_srv_req *rq);
void pa_api_market_seller_put(pa_srv_req *rq);
void pa_api_market_seller_page(pa_srv_req *rq);
void pa_api_market_seller_listings(pa_srv_req *rq);
/* reviews.c: reviews of orders and the sellers' replies (issue 20, item 6). */
void pa_api_order_review(pa_srv_req *rq);
void pa_api_order_review_reply(pa_srv_req *rq);
void pa_api_seller_reviews(pa_srv_req *rq);
/* Adds {"count", "average_tenths"} of seller's shown reviews under key of o:
 * 0, or -1 (database or memory). */
int pa_api_add_review_summary(pa_store *db, cJSON *o, const char *key, int64_t seller);
void pa_api_market_my_listings(pa_srv_req *rq);
void pa_api_market_browse(pa_srv_req *rq);
/* The cart, address book, checkout and orders (api/orders.c). */
void pa_api_cart_get(pa_srv_req *rq);
void pa_api_cart_put(pa_srv_req *rq);
void pa_api_cart_item_delete(pa_srv_req *rq);
void pa_api_cart_clear(pa_srv_req *rq);
void pa_api_addresses_get(pa_srv_req *rq);
void pa_api_address_create(pa_srv_req *rq);
void pa_api_address_delete(pa_srv_req *rq);
void pa_api_checkout(pa_srv_req *rq);
void pa_api_orders_list(pa_srv_req *rq);
void pa_api_order_get(pa_srv_req *rq);
void pa_api_order_capture(pa_srv_req *rq);
void pa_api_order_ship(pa_srv_req *rq);
void pa_api_order_deliver(pa_srv_req *rq);
void pa_api_order_cancel(pa_srv_req *rq);
void pa_api_seller_balance(pa_srv_req *rq);
/* api/payouts.c: the seller's dashboard and payouts (the viewer's own). */
void pa_api_market_dashboard(pa_srv_req *rq);
void pa_api_market_payouts(pa_srv_req *rq);
/* The path's order into *o when the viewer is its buyer or its seller: 0,
 * or -1 with 404 sent (someone else's order is not there for them). */
struct pa_store_order;
int pa_api_order_mine(pa_srv_req *rq, struct pa_store_order *o);
/* Answers 200 with order id in full, as GET /orders/{ord} does. */
void pa_api_order_send(pa_srv_req *rq, int64_t id);
/* disputes.c: an order's refund request, its dispute and its messages
 * (issue 20, section 4). */
void pa_api_order_refund_request(pa_srv_req *rq);
void pa_api_order_refund_accept(pa_srv_req *rq);
void pa_api_order_refund_decline(pa_srv_req *rq);
void pa_api_order_dispute(pa_srv_req *rq);
void pa_api_order_dispute_answer(pa_srv_req *rq);
void pa_api_mod_dispute_decide(pa_srv_req *rq);
void pa_api_order_messages(pa_srv_req *rq);
void pa_api_order_message_create(pa_srv_req *rq);
/* Adds "claim" to o: order's refund request and dispute as its buyer,
 * seller and moderators see it (order_state: the order's), or null. 0, or
 * -1. */
int pa_api_claim_add(pa_store *db, cJSON *o, int64_t order, int order_state, int64_t now);
/* Adds order's summary, its claim and its latest messages under "dispute"
 * of o (the moderation queue's context of a dispute); *state the claim's
 * state name (a static string). A PA_STORE_* code. */
int pa_api_dispute_context(pa_store *db, int64_t order, cJSON *o, const char **state);
void pa_api_market_listing_create(pa_srv_req *rq);
void pa_api_market_listing_get(pa_srv_req *rq);
void pa_api_market_listing_edit(pa_srv_req *rq);
void pa_api_market_listing_delete(pa_srv_req *rq);
/* market_mp.c: a seller's Mercado Pago connection (OAuth). */
void pa_api_market_mp_connect(pa_srv_req *rq);
void pa_api_market_mp_callback(pa_srv_req *rq);
void pa_api_market_mp_disconnect(pa_srv_req *rq);

/* health.c: the pet-health dashboard (issue 19); the owner's only. */
void pa_api_health_get(pa_srv_req *rq);
void pa_api_health_list(pa_srv_req *rq);
void pa_api_health_add(pa_srv_req *rq);
void pa_api_health_edit(pa_srv_req *rq);
void pa_api_health_delete(pa_srv_req *rq);
void pa_api_health_shares(pa_srv_req *rq);
void pa_api_health_share_create(pa_srv_req *rq);
void pa_api_health_share_revoke(pa_srv_req *rq);
/* A vet's read-only view through a share link: no session. */
void pa_api_health_shared(pa_srv_req *rq);

/* ---- the help center (help.c; issue 23): public, PA_LIMIT_SEARCH */
void pa_api_help_articles(pa_srv_req *rq);
void pa_api_help_article(pa_srv_req *rq);
void pa_api_help_search(pa_srv_req *rq);
enum { PA_HEALTH_REMIND_BATCH = 100 /* due records announced per round and call */ };
/* Writes the health_due notice of every record due by now (of owner's
 * pets; 0: everyone's), each once, up to PA_HEALTH_REMIND_BATCH of them;
 * the chores round and the notification readers call it. Outside any
 * transaction. The count announced, or -1 (logged). */
int pa_api_health_remind(struct pa_store *db, int64_t now, int64_t owner);

/* srv_embed.c */
void pa_api_oembed(pa_srv_req *rq);

/* affiliate.c: the affiliate program's joining, links and attribution (issue 21). */
void pa_api_affiliate_get(pa_srv_req *rq);
void pa_api_affiliate_join(pa_srv_req *rq);
void pa_api_affiliate_stats(pa_srv_req *rq);
/* GET /r/{code} (outside /api; the code in rq->token): counts the click,
 * sets the first-touch cookie and redirects to ?to= when it is a path here. */
void pa_api_aff_click(pa_srv_req *rq);
/* At sign-up (asked at now), inside its transaction once user (with email) is added: reads
 * the first-touch cookie and records the decision (attributed, or refused
 * with its reason: self_referral, expired, velocity). 0 (also when there is
 * no cookie to read), or -1 when the database failed. */
int pa_api_aff_attribute(pa_srv_req *rq, int64_t user, const char *email, int64_t now);
/* The code an embed's links carry: candidate when it is an affiliate's code
 * (a ?ref= the partner's snippet names), else, when candidate is NULL or "",
 * the signed-in viewer's own code. 1 with code, 0 for none, -1 when the
 * database failed. */
int pa_api_aff_ref(pa_srv_req *rq, const char *candidate, char code[17]);

/* ---- router.c */

/* The session cookie into rq->viewer (-1: 500 sent), and whether Host names
 * one of our origins and Origin / Sec-Fetch-Site say our own page sent the
 * request: for the chat socket. */
int pa_api_resolve_session(pa_srv_req *rq);
int pa_api_same_origin(pa_srv_req *rq);
/* The server's public origins (origin.h): whom it answers for and the base
 * of every absolute URL it writes. */
const struct pa_origins *pa_api_origins(const pa_srv_req *rq);
/* 0 when the Host header names one of our origins; else -1 with 421
 * Misdirected Request sent (JSON under /api, plain text elsewhere), which is
 * what stops DNS rebinding. Every route family calls it first. */
int pa_api_host_gate(pa_srv_req *rq);

/* Reads PA_METRICS_TOKEN for the operator's routes (F_OPS in router.c): 0,
 * or -1 with err when it is set but not PA_API_OPS_TOKEN_MIN..MAX token
 * characters. Once, before serving. */
int pa_api_ops_init(char *err, size_t errlen);

/* Gives every route of the table its series in pa_metrics; once, before
 * serving. */
void pa_api_register_metrics(void);

/* GET /metrics (ops.c): the Prometheus exposition (F_OPS). */
void pa_api_metrics(pa_srv_req *rq);
/* GET /api/v1/ready (ops.c): 200 {"ready":true} when this process reaches its
 * database and is not stopping, else 503 {"ready":false}; HAProxy's health
 * check. No session, no limit, and nothing else in it (anyone may ask). */
void pa_api_ready(pa_srv_req *rq);
/* Charges one request of purpose (limit.h) by key, or with key NULL by the
 * purpose's usual one (the client's address for sign-in and sign-up, else the
 * user, or the address when signed out).
 * 0 when it may go ahead, else -1 with 429 rate_limited and Retry-After sent.
 * Charge only once the request is valid: a refused request costs nothing. */
int pa_api_limited(pa_srv_req *rq, pa_limit_purpose purpose, const char *key);

/* The assistant (api/help_ask.c, issue 23). */
void pa_api_help_ask(pa_srv_req *rq);
void pa_api_help_ask_stream(pa_srv_req *rq);
void pa_api_help_me_plan(pa_srv_req *rq);
void pa_api_help_me_orders(pa_srv_req *rq);
void pa_api_help_me_hidden_posts(pa_srv_req *rq);

#endif
