/* Self-serve ads, the advertiser's side (issue 21; web/README.md,
 * "Self-serve ads"; /work CONTRACT21 "Account and balance", "Campaigns and
 * creatives"): the account and its balance (from the ad ledger), prepaid
 * top-ups through the providers (ads_pay.h), campaigns with their limits
 * (ads_rules.h), pause/resume/edit, creatives (posts or reels of the
 * advertiser's own account with campaign_id set, kept out of every organic
 * listing) that
 * wait in the moderation queue as kind "ad" until a moderator approves or
 * rejects them. Every route is the signed-in person's own: another
 * person's campaign, creative or top-up is a 404. */
#include "ads_pay.h"
#include "ads_rules.h"
#include "api/api.h"
#include "clock.h"
#include "origin.h"
#include "pay/pay.h"
#include "store/admin.h"
#include "store/moderation.h"
#include "store/notifications.h"
#include "store/posts.h"
#include "store/reels.h"

#include <stdio.h>
#include <string.h>

static void send_err(pa_srv_req *rq, const pa_market_err *e) {
  if (e->field[0])
    pa_api_field_error(rq, e->status, e->code, e->message, e->field);
  else
    pa_api_error(rq, e->status, e->code, e->message, NULL);
}

/* The viewer's account into *a: 0; 1 when they have none (nothing sent
 * unless need, then 404 no_advertiser); -1 with 500 sent. */
static int my_account(pa_srv_req *rq, pa_store_advertiser *a, int need) {
  int rc = pa_store_ads_advertiser_of(rq->db, rq->viewer, a);
  if (rc == PA_STORE_OK) return 0;
  if (rc == PA_STORE_ENOTFOUND) {
    if (need)
      pa_api_error(rq, 404, "no_advertiser",
                   "You have no advertiser account yet: PUT /api/v1/ads/account first", NULL);
    return 1;
  }
  pa_api_internal(rq, "advertiser");
  return -1;
}

/* Thousandths of a minor unit down to whole minor units (what is shown). */
static int64_t minor_of(int64_t milli) {
  return milli >= 0 ? milli / PA_ADS_MILLI : -((-milli + PA_ADS_MILLI - 1) / PA_ADS_MILLI);
}

static cJSON *account_json(pa_srv_req *rq, const pa_store_advertiser *a) {
  int64_t balance = 0, spent = 0;
  if (pa_store_ads_balance(rq->db, a->id, &balance, &spent) != PA_STORE_OK) return NULL;
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "ad", a->id) || !cJSON_AddStringToObject(o, "name", a->name) ||
      !cJSON_AddStringToObject(o, "currency", a->currency) ||
      /* Delivery may overshoot the balance by less than one CPM step (the
       * serving side charges each impression as it counts), and a top-up
       * refunded or charged back at its provider after it was spent takes
       * the ledger below zero: what is left to spend is then nothing, and
       * owed_minor says what the ledger is below zero. Both are whole minor
       * units rounded toward zero (in the advertiser's favour). */
      !cJSON_AddNumberToObject(o, "balance_minor", (double)(balance > 0 ? minor_of(balance) : 0)) ||
      !cJSON_AddNumberToObject(o, "owed_minor",
                               (double)(balance < 0 ? -balance / PA_ADS_MILLI : 0)) ||
      !cJSON_AddNumberToObject(o, "spent_minor", (double)minor_of(spent)) ||
      pa_api_add_time(o, "created_at", a->created_at)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static void send_account(pa_srv_req *rq, int status, const pa_store_advertiser *a) {
  cJSON *root = cJSON_CreateObject(), *acc = a ? account_json(rq, a) : cJSON_CreateNull();
  if (!root || !acc || !cJSON_AddItemToObject(root, "advertiser", acc)) {
    cJSON_Delete(root);
    cJSON_Delete(acc);
    pa_api_internal(rq, "advertiser");
    return;
  }
  pa_api_json(rq, status, root);
}

void pa_api_ads_account_get(pa_srv_req *rq) {
  pa_store_advertiser a;
  int rc = my_account(rq, &a, 0);
  if (rc >= 0) send_account(rq, 200, rc == 0 ? &a : NULL);
}

void pa_api_ads_account_put(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_ads_account in;
  pa_store_advertiser a;
  int64_t id = 0, paid = 0, pending = 0, campaigns = 0;
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_ads_account_parse(body, &in, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int had = my_account(rq, &a, 0);
  if (had < 0) return;
  /* Money in the account's currency fixes it: the ledger keeps one
   * currency per advertiser, and campaigns spend in it. */
  if (had == 0 && strcmp(a.currency, in.currency) != 0) {
    if (pa_store_ads_topup_counts(rq->db, a.id, &paid, &pending) != PA_STORE_OK ||
        pa_store_ads_campaign_count(rq->db, a.id, &campaigns) != PA_STORE_OK) {
      pa_api_internal(rq, "advertiser");
      return;
    }
    if (paid || pending || campaigns) {
      pa_api_field_error(rq, 409, "currency_locked",
                         "The currency cannot change once the account has top-ups or campaigns",
                         "currency");
      return;
    }
  }
  if (pa_store_ads_advertiser_put(rq->db, rq->viewer, in.name, in.currency, pa_clock_now(), &id) !=
          PA_STORE_OK ||
      pa_store_ads_advertiser_get(rq->db, id, &a) != PA_STORE_OK) {
    pa_api_internal(rq, "put advertiser");
    return;
  }
  send_account(rq, 200, &a);
}

/* ---- top-ups */

static cJSON *topup_json(const pa_store_topup *t) {
  cJSON *o = cJSON_CreateObject();
  if (!o || pa_api_add_id(o, "id", "top", t->id) ||
      !cJSON_AddStringToObject(o, "state", t->state) ||
      !cJSON_AddNumberToObject(o, "amount_minor", (double)t->amount_minor) ||
      !cJSON_AddStringToObject(o, "currency", t->currency) ||
      !cJSON_AddStringToObject(o, "provider", t->provider) ||
      !cJSON_AddStringToObject(o, "approve_url", t->approve_url) ||
      !cJSON_AddNumberToObject(o, "fee_minor", (double)t->fee_minor) ||
      pa_api_add_time(o, "created_at", t->created_at)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static void send_topup(pa_srv_req *rq, int status, const pa_store_topup *t) {
  cJSON *root = cJSON_CreateObject(), *o = topup_json(t);
  if (!root || !o || !cJSON_AddItemToObject(root, "topup", o)) {
    cJSON_Delete(root);
    cJSON_Delete(o);
    pa_api_internal(rq, "top-up");
    return;
  }
  pa_api_json(rq, status, root);
}

void pa_api_ads_topup_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_ads_topup in;
  pa_store_advertiser a;
  pa_store_topup t;
  if (my_account(rq, &a, 1) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_ads_topup_parse(body, a.currency, &in, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  if (pa_api_limited(rq, PA_LIMIT_BILLING, NULL) != 0) return;
  int rc = pa_ads_topup_start(rq->db, rq->srv->pay, &a, in.amount_minor, in.provider,
                              pa_origin_base(pa_api_origins(rq)), pa_clock_now(), &t);
  if (rc == PA_ADS_PAY_EUNAVAILABLE)
    pa_api_field_error(rq, 422, "provider_unavailable",
                       "That provider does not take top-ups in this account's currency here",
                       "provider");
  else if (rc == PA_ADS_PAY_EUNREACHABLE)
    pa_api_error(rq, 502, "provider_unreachable",
                 "The payment provider could not be reached; try again in a moment", NULL);
  else if (rc == PA_ADS_PAY_EREFUSED)
    pa_api_error(rq, 402, "payment_declined", "The payment provider refused the top-up", NULL);
  else if (rc != PA_ADS_PAY_OK)
    pa_api_internal(rq, "top-up");
  else
    send_topup(rq, 201, &t);
}

/* The viewer's top-up of the path into *t: 0, or -1 with 404 (or 500) sent. */
static int my_topup(pa_srv_req *rq, pa_store_topup *t) {
  pa_store_advertiser a;
  int mine = my_account(rq, &a, 0);
  if (mine < 0) return -1;
  int rc = mine ? PA_STORE_ENOTFOUND : pa_store_ads_topup_get(rq->db, rq->ids[0], t);
  if (rc == PA_STORE_OK && t->advertiser_id != a.id) rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such top-up");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "top-up");
  return rc == PA_STORE_OK ? 0 : -1;
}

void pa_api_ads_topup_get(pa_srv_req *rq) {
  pa_store_topup t;
  char payment[PA_PAY_ID_MAX];
  int q = pa_api_query(rq, "payment", payment, sizeof payment);
  if (q < 0) return;
  int has = q == 0;
  if (has && (!payment[0] || strspn(payment, "0123456789") != strlen(payment))) {
    pa_api_field_error(rq, 400, "bad_request", "payment must be the provider's payment number",
                       "payment");
    return;
  }
  if (my_topup(rq, &t) != 0) return;
  /* Reading a pending top-up asks its provider (the capture is keyed, so a
   * second read is the first capture again); credited once either way. */
  int rc = pa_ads_topup_refresh(rq->db, rq->srv->pay, &t, has ? payment : NULL, pa_clock_now());
  if (rc == PA_ADS_PAY_EDB) {
    pa_api_internal(rq, "top-up");
    return;
  }
  send_topup(rq, 200, &t); /* a provider away: the row as it is, pending */
}

static int add_topup(void *ctx, const pa_store_topup *t) {
  cJSON *o = topup_json(t);
  return o && cJSON_AddItemToArray(ctx, o) ? 0 : (cJSON_Delete(o), -1);
}

void pa_api_ads_topups(pa_srv_req *rq) {
  pa_store_advertiser a;
  int mine = my_account(rq, &a, 0);
  if (mine < 0) return;
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "topups") : NULL;
  if (!list || (mine == 0 && pa_store_ads_topups(rq->db, a.id, PA_ADS_TOPUPS_LISTED, add_topup,
                                                 list) != PA_STORE_OK)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "top-ups");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* ---- campaigns */

static int add_strings(cJSON *o, const char *key, const char *base, size_t width, int n) {
  cJSON *a = cJSON_AddArrayToObject(o, key);
  if (!a) return -1;
  for (int i = 0; i < n; i++) {
    cJSON *s = cJSON_CreateString(base + (size_t)i * width);
    if (!s || !cJSON_AddItemToArray(a, s)) {
      cJSON_Delete(s);
      return -1;
    }
  }
  return 0;
}

static cJSON *creative_json(const pa_store_creative *k) {
  cJSON *o = cJSON_CreateObject();
  /* A reel's creative (schema 34) has no post: post_id null, reel_id set. */
  if (!o || pa_api_add_id(o, "id", "cr", k->id) ||
      (k->post_id ? pa_api_add_id(o, "post_id", "p", k->post_id)
                  : !cJSON_AddNullToObject(o, "post_id")) ||
      (k->reel_id && pa_api_add_id(o, "reel_id", "r", k->reel_id)) ||
      !cJSON_AddStringToObject(o, "link", k->link) ||
      !cJSON_AddStringToObject(o, "review", k->review) ||
      !cJSON_AddStringToObject(o, "review_note", k->note) ||
      !cJSON_AddStringToObject(o, "caption", k->caption ? k->caption : "")) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_creative(void *ctx, const pa_store_creative *k) {
  cJSON *o = creative_json(k);
  return o && cJSON_AddItemToArray(ctx, o) ? 0 : (cJSON_Delete(o), -1);
}

/* {"creative": k}, sent with status. */
static void send_creative(pa_srv_req *rq, int status, const pa_store_creative *k) {
  cJSON *root = cJSON_CreateObject(), *o = creative_json(k);
  if (!root || !o || !cJSON_AddItemToObject(root, "creative", o)) {
    cJSON_Delete(root);
    cJSON_Delete(o);
    pa_api_internal(rq, "creative");
    return;
  }
  pa_api_json(rq, status, root);
}

static cJSON *campaign_json(pa_srv_req *rq, const pa_store_campaign *s) {
  const pa_ads_campaign *c = &s->c;
  const pa_ads_targeting *t = &c->targeting;
  cJSON *o = cJSON_CreateObject(), *tg = o ? cJSON_CreateObject() : NULL, *cr = NULL;
  int bad = !o || !tg || !cJSON_AddItemToObject(o, "targeting", tg);
  if (bad) cJSON_Delete(tg);
  bad = bad || pa_api_add_id(o, "id", "c", s->id) || !cJSON_AddStringToObject(o, "name", c->name) ||
        !cJSON_AddStringToObject(o, "objective", pa_ads_objective_name(c->objective)) ||
        !cJSON_AddStringToObject(o, "state", pa_ads_state_name(c->state)) ||
        !cJSON_AddNumberToObject(o, "bid_cpm_minor", (double)c->bid_cpm_minor) ||
        !cJSON_AddNumberToObject(o, "daily_budget_minor", (double)c->daily_budget_minor) ||
        !cJSON_AddNumberToObject(o, "total_budget_minor", (double)c->total_budget_minor) ||
        !cJSON_AddStringToObject(o, "currency", c->currency) ||
        pa_api_add_time(o, "starts_at", c->starts_at) ||
        (c->ends_at ? pa_api_add_time(o, "ends_at", c->ends_at)
                    : !cJSON_AddNullToObject(o, "ends_at")) ||
        add_strings(tg, "species", &t->species[0][0], sizeof t->species[0], t->nspecies) ||
        add_strings(tg, "tags", &t->tags[0][0], sizeof t->tags[0], t->ntags) ||
        add_strings(tg, "languages", &t->languages[0][0], sizeof t->languages[0], t->nlanguages) ||
        add_strings(tg, "countries", &t->countries[0][0], sizeof t->countries[0], t->ncountries) ||
        !(cr = cJSON_AddArrayToObject(o, "creatives")) ||
        pa_store_ads_creatives(rq->db, s->id, add_creative, cr) != PA_STORE_OK ||
        !cJSON_AddNumberToObject(o, "spent_minor", (double)minor_of(s->spent_milli)) ||
        pa_api_add_time(o, "created_at", s->created_at);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static void send_campaign(pa_srv_req *rq, int status, int64_t id) {
  pa_store_campaign s;
  cJSON *root = cJSON_CreateObject(), *o = NULL;
  if (!root || pa_store_ads_campaign_get(rq->db, id, &s) != PA_STORE_OK ||
      !(o = campaign_json(rq, &s)) || !cJSON_AddItemToObject(root, "campaign", o)) {
    cJSON_Delete(root);
    cJSON_Delete(o);
    pa_api_internal(rq, "campaign");
    return;
  }
  pa_api_json(rq, status, root);
}

/* The viewer's campaign of the path into *s and account into *a: 0, or -1
 * with 404 (or 500) sent. */
static int my_campaign(pa_srv_req *rq, int64_t id, pa_store_advertiser *a, pa_store_campaign *s) {
  int mine = my_account(rq, a, 0);
  if (mine < 0) return -1;
  int rc = mine ? PA_STORE_ENOTFOUND : pa_store_ads_campaign_get(rq->db, id, s);
  if (rc == PA_STORE_OK && s->advertiser_id != a->id) rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such campaign");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "campaign");
  return rc == PA_STORE_OK ? 0 : -1;
}

typedef struct list_ctx {
  pa_srv_req *rq;
  cJSON *list;
} list_ctx;

static int add_campaign(void *ctx, const pa_store_campaign *s) {
  list_ctx *l = ctx;
  cJSON *o = campaign_json(l->rq, s);
  return o && cJSON_AddItemToArray(l->list, o) ? 0 : (cJSON_Delete(o), -1);
}

void pa_api_ads_campaigns(pa_srv_req *rq) {
  pa_store_advertiser a;
  int mine = my_account(rq, &a, 0);
  if (mine < 0) return;
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "campaigns") : NULL;
  list_ctx l = {rq, list};
  if (!list ||
      (mine == 0 && pa_store_ads_campaigns(rq->db, a.id, add_campaign, &l) != PA_STORE_OK)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "campaigns");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_ads_campaign_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_store_advertiser a;
  pa_ads_campaign c;
  int64_t n = 0, id = 0;
  const int64_t now = pa_clock_now();
  if (my_account(rq, &a, 1) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_ads_campaign_parse(body, 1, a.currency, now, &c, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  c.state = PA_ADS_DRAFT;
  if (pa_store_ads_campaign_count(rq->db, a.id, &n) != PA_STORE_OK) {
    pa_api_internal(rq, "campaigns");
    return;
  }
  if (n >= PA_ADS_CAMPAIGNS_MAX) {
    pa_api_error(rq, 409, "too_many_campaigns", "An advertiser keeps at most 100 campaigns", NULL);
    return;
  }
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_ads_campaign_add(rq->db, a.id, &c, now, &id);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "new campaign");
    return;
  }
  send_campaign(rq, 201, id);
}

void pa_api_ads_campaign_get(pa_srv_req *rq) {
  pa_store_advertiser a;
  pa_store_campaign s;
  if (my_campaign(rq, rq->ids[0], &a, &s) == 0) send_campaign(rq, 200, s.id);
}

void pa_api_ads_campaign_patch(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_store_advertiser a;
  pa_store_campaign s;
  int64_t all = 0, approved = 0, balance = 0, spent = 0;
  const int64_t now = pa_clock_now();
  if (my_campaign(rq, rq->ids[0], &a, &s) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  int was = s.c.state;
  int bad = pa_ads_campaign_parse(body, 0, a.currency, now, &s.c, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  if (was == PA_ADS_ENDED) {
    pa_api_error(rq, 409, "campaign_ended", "An ended campaign cannot change", NULL);
    return;
  }
  if (s.c.state_sent && s.c.state == PA_ADS_ACTIVE) {
    /* Nothing runs unseen by a moderator, and nothing runs unpaid. */
    if (pa_store_ads_creative_counts(rq->db, s.id, &all, &approved) != PA_STORE_OK ||
        pa_store_ads_balance(rq->db, a.id, &balance, &spent) != PA_STORE_OK) {
      pa_api_internal(rq, "campaign");
      return;
    }
    if (!approved) {
      pa_api_field_error(rq, 409, "no_approved_creative",
                         "A campaign runs once a moderator has approved one of its creatives",
                         "state");
      return;
    }
    if (balance < s.c.bid_cpm_minor) { /* not even one impression's worth */
      pa_api_field_error(rq, 409, "no_balance", "Top up the ad balance before the campaign can run",
                         "state");
      return;
    }
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_store_ads_campaign_update(rq->db, s.id, &s.c, now) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "edit campaign");
    return;
  }
  send_campaign(rq, 200, s.id);
}

/* ---- creatives */

void pa_api_ads_creative_create(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_store_advertiser a;
  pa_store_campaign s;
  pa_ads_creative in;
  pa_store_creative k;
  int64_t all = 0, approved = 0, post = 0, reel = 0, id = 0;
  char what[32], hash[65], ext[8], phash[65], pext[8];
  const int64_t now = pa_clock_now();
  if (my_campaign(rq, rq->ids[0], &a, &s) != 0) return;
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_ads_creative_parse(body, s.c.objective, &in, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  if (s.c.state == PA_ADS_ENDED) {
    pa_api_error(rq, 409, "campaign_ended", "An ended campaign takes no new creatives", NULL);
    return;
  }
  if (pa_store_ads_creative_counts(rq->db, s.id, &all, &approved) != PA_STORE_OK) {
    pa_api_internal(rq, "creatives");
    return;
  }
  if (all >= PA_ADS_CREATIVES_MAX) {
    pa_api_error(rq, 409, "too_many_creatives", "A campaign has at most 10 creatives", NULL);
    return;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "new creative");
    return;
  }
  /* The post and its photos (or the reel and its video and poster) and the
   * creative go in together; any refusal rolls all of them back. The post
   * or reel names the campaign, which keeps it out of every organic listing
   * (store/sql/visible.h, PA_SQ_NOT_CREATIVE; pa_store_reels_list). */
  if (pa_api_own_pet(rq, in.pet_id, "pet_id") != 0) goto undo;
  if (in.reel) {
    /* The video was held to the reels' length and size when uploaded
     * (POST /media); here it must be the viewer's video, the poster their
     * image, as for POST /reels. */
    if (pa_api_own_media(rq, in.reel, "video", "reel", "reel", hash, ext) != 0 ||
        pa_api_own_media(rq, in.poster, "image", "poster", "poster", phash, pext) != 0)
      goto undo;
    pa_store_new_reel r = {.author_id = rq->viewer,
                           .pet_id = in.pet_id,
                           .campaign_id = s.id,
                           .video = hash,
                           .poster = phash,
                           .caption = in.caption,
                           .created_at = now};
    if (pa_store_reels_add(rq->db, &r, &reel) != PA_STORE_OK) goto fail;
  } else {
    pa_store_new_post row = {rq->viewer, in.pet_id, in.caption, 0, 0, now, s.id};
    if (pa_store_posts_add(rq->db, &row, &post) != PA_STORE_OK) goto fail;
    for (int i = 0; i < in.nmedia; i++) {
      snprintf(what, sizeof what, "media[%d]", i);
      if (pa_api_own_media(rq, in.media[i], "image", what, "media", hash, ext) != 0) goto undo;
      if (pa_store_posts_image_add(rq->db, post, i, hash, "") != PA_STORE_OK) goto fail;
    }
  }
  if (pa_store_ads_creative_add(rq->db, s.id, post, reel, in.link, now, &id) != PA_STORE_OK)
    goto fail;
  /* It waits in the moderation queue as its advertiser's own request for
   * review (kind "ad": the one kind whose reporter is its subject). */
  pa_store_report_new r = {rq->viewer, "ad", id, rq->viewer, "other", "", NULL, now, NULL};
  if (pa_store_moderation_report_add(rq->db, &r, NULL) != PA_STORE_OK) goto fail;
  if (pa_store_commit(rq->db) != PA_STORE_OK) goto fail;
  if (pa_store_ads_creative_get(rq->db, id, &k) != PA_STORE_OK) {
    pa_api_internal(rq, "new creative");
    return;
  }
  k.caption = in.caption;
  send_creative(rq, 201, &k);
  return;
fail:
  pa_api_internal(rq, "new creative");
undo:
  pa_store_rollback(rq->db);
}

/* Creative id of the viewer's into *k: 0, or -1 with 404 (or 500) sent. */
static int my_creative(pa_srv_req *rq, int64_t id, pa_store_creative *k) {
  int rc = pa_store_ads_creative_get(rq->db, id, k);
  if (rc == PA_STORE_OK && k->user_id != rq->viewer) rc = PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such creative");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "creative");
  return rc == PA_STORE_OK ? 0 : -1;
}

void pa_api_ads_creative_delete(pa_srv_req *rq) {
  pa_store_creative k;
  if (my_creative(rq, rq->ids[0], &k) != 0) return;
  /* The post (or reel) goes, and with it the creative (ON DELETE CASCADE);
   * its open review closes. Serves keep their counts (creative_id set NULL). */
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_moderation_close(rq->db, "ad", k.id, "withdrawn", pa_clock_now(), NULL, NULL);
  if (rc == PA_STORE_OK)
    rc = k.reel_id ? pa_store_reels_delete(rq->db, k.reel_id)
                   : pa_store_posts_delete(rq->db, k.post_id);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "delete creative");
    return;
  }
  pa_api_ok(rq);
}

/* ---- the moderator's review */

/* The advertiser is told of a decision on their creative k (in the review's
 * transaction): a notice of kind moderation (no migration: the notices'
 * kinds are the schema's CHECK) whose detail says it is an ad ("item":
 * "ad"), the decision ("action": "approve" or "reject"), the creative and
 * its campaign, and the rejection's note when it fits a notice's detail
 * (the creative's review_note always holds it). post_id is the creative's
 * post, which its author may read. No actor, as for every moderation
 * notice: the audit log keeps who. */
static int tell_advertiser(pa_store *db, const pa_store_creative *k, int approve, const char *note,
                           int64_t now) {
  char detail[PA_STORE_NOTICE_DETAIL_MAX + 1], cr[32], cmp[32];
  snprintf(cr, sizeof cr, "cr_%lld", (long long)k->id);
  snprintf(cmp, sizeof cmp, "c_%lld", (long long)k->campaign_id);
  int fits = -1;
  for (int with_note = note[0] != 0; with_note >= 0 && fits != 0; with_note--) {
    cJSON *d = cJSON_CreateObject();
    fits = d && cJSON_AddStringToObject(d, "item", "ad") &&
                   cJSON_AddStringToObject(d, "action", approve ? "approve" : "reject") &&
                   cJSON_AddStringToObject(d, "creative", cr) &&
                   cJSON_AddStringToObject(d, "campaign", cmp) &&
                   (!with_note || cJSON_AddStringToObject(d, "note", note)) &&
                   cJSON_PrintPreallocated(d, detail, (int)sizeof detail, 0) &&
                   strlen(detail) <= PA_STORE_NOTICE_DETAIL_MAX
               ? 0
               : -1;
    cJSON_Delete(d);
  }
  if (fits != 0) return PA_STORE_EDB;
  pa_store_notice_new n = {k->user_id, "moderation", 0, k->post_id, 0, detail, now};
  return pa_store_notifications_add_notice(db, &n, NULL);
}

void pa_api_mod_ad_review(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_err e;
  pa_store_creative k;
  int approve = 0, changed = 0;
  char note[PA_MARKET_CAP(PA_ADS_NOTE_MAX)], item[32], detail[PA_STORE_AUDIT_DETAIL_MAX + 1];
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_ads_review_parse(body, &approve, note, sizeof note, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int rc = pa_store_ads_creative_get(rq->db, rq->ids[0], &k);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such creative");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "creative");
    return;
  }
  if (k.user_id == rq->viewer) {
    pa_api_error(rq, 400, "own_item", "Another moderator must review your own ad", NULL);
    return;
  }
  const int64_t now = pa_clock_now();
  snprintf(item, sizeof item, "cr_%lld", (long long)k.id);
  cJSON *d = cJSON_CreateObject();
  char *text = NULL;
  bad = !d || !cJSON_AddStringToObject(d, "kind", "ad") ||
        !cJSON_AddStringToObject(d, "id", item) ||
        !cJSON_AddStringToObject(d, "decision", approve ? "approve" : "reject") ||
        (note[0] && !cJSON_AddStringToObject(d, "note", note)) ||
        !(text = cJSON_PrintUnformatted(d)) || strlen(text) > PA_STORE_AUDIT_DETAIL_MAX;
  if (!bad) snprintf(detail, sizeof detail, "%s", text);
  cJSON_free(text);
  cJSON_Delete(d);
  if (bad) {
    pa_api_internal(rq, "review");
    return;
  }
  /* The review, the queue's request closed and the audit row: one write. */
  rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_ads_creative_review(rq->db, k.id, approve, note, rq->viewer, now, &changed);
  if (rc == PA_STORE_OK && changed)
    rc = pa_store_moderation_close(rq->db, "ad", k.id, approve ? "approve" : "reject", now, NULL,
                                   NULL);
  if (rc == PA_STORE_OK && changed && (!approve || strcmp(k.review, "pending") == 0))
    rc = tell_advertiser(rq->db, &k, approve, note, now);
  if (rc == PA_STORE_OK && changed) {
    pa_store_audit_new au = {now,  rq->viewer, approve ? "mod.ad_approve" : "mod.ad_reject",
                             "ad", k.id,       detail};
    rc = pa_store_admin_audit(rq->db, &au);
  }
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "review");
    return;
  }
  if (!changed) {
    pa_api_error(rq, 409, "already_reviewed", "This creative was reviewed already", NULL);
    return;
  }
  if (pa_store_ads_creative_get(rq->db, k.id, &k) != PA_STORE_OK) {
    pa_api_internal(rq, "review");
    return;
  }
  send_creative(rq, 200, &k);
}
