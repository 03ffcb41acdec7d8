/* pa_store_ads — self-serve ads' advertiser side (issue 21; web/README.md,
 * "Self-serve ads"; schema version 31): advertisers' accounts, their
 * prepaid top-ups, the append-only balance ledger (thousandths of a minor
 * unit), campaigns with their targeting, and creatives (posts of the
 * advertiser's own account with campaign_id set) with their review. The
 * rules and limits are ads_rules.h's; the money moves in ads_pay.c. */
#ifndef PA_STORE_ADS_H
#define PA_STORE_ADS_H

#include "ads_rules.h"
#include "store/store.h"

typedef struct pa_store_advertiser {
  int64_t id, user_id, created_at;
  char name[PA_MARKET_CAP(PA_ADS_NAME_MAX)];
  char currency[4];
} pa_store_advertiser;

/* user's account into *a; PA_STORE_ENOTFOUND when they have none. */
int pa_store_ads_advertiser_of(pa_store *db, int64_t user, pa_store_advertiser *a);
/* Account id into *a; PA_STORE_ENOTFOUND when none. */
int pa_store_ads_advertiser_get(pa_store *db, int64_t id, pa_store_advertiser *a);
/* Makes user an advertiser named name in currency (at now), or renames an
 * existing account and sets its currency; *id its id. */
int pa_store_ads_advertiser_put(pa_store *db, int64_t user, const char *name, const char *currency,
                                int64_t now, int64_t *id);
/* The advertiser's balance from the ledger, in thousandths of a minor unit:
 * *balance what is left (top-ups less spend and refunds), *spent what was
 * spent. */
int pa_store_ads_balance(pa_store *db, int64_t advertiser, int64_t *balance, int64_t *spent);
/* Top-ups of advertiser paid so far and still pending, counted. */
int pa_store_ads_topup_counts(pa_store *db, int64_t advertiser, int64_t *paid, int64_t *pending);

/* ---- top-ups */

typedef struct pa_store_topup {
  int64_t id, advertiser_id, amount_minor, fee_minor, created_at, updated_at;
  char provider[16];      /* "paypal", "mercadopago" */
  char provider_ref[200]; /* PayPal's order id, Mercado Pago's preference id; "" until asked */
  char capture_ref[200];  /* the provider's id of the charge, once paid */
  char approve_url[512];
  char idem_key[65];
  char currency[4];
  char state[8]; /* "pending", "paid", "failed" */
} pa_store_topup;
typedef int (*pa_store_topup_fn)(void *ctx, const pa_store_topup *t);

/* A pending top-up (its key made by the caller before any provider call); *id. */
int pa_store_ads_topup_add(pa_store *db, const pa_store_topup *t, int64_t *id);
/* The provider's order for top-up id: its reference and approval page. */
int pa_store_ads_topup_set_order(pa_store *db, int64_t id, const char *ref, const char *url,
                                 int64_t now);
int pa_store_ads_topup_get(pa_store *db, int64_t id, pa_store_topup *t);
/* advertiser's top-ups, newest first, at most limit. */
int pa_store_ads_topups(pa_store *db, int64_t advertiser, int limit, pa_store_topup_fn fn,
                        void *ctx);
/* Pending top-ups created before `before` (the worker's re-read), at most limit. */
int pa_store_ads_topups_pending(pa_store *db, int64_t before, int limit, pa_store_topup_fn fn,
                                void *ctx);
/* Top-up id was paid (capture: the provider's charge id, fee its fee):
 * moves it from pending to paid and credits the ledger, once whoever calls
 * first — *applied 1 for the call that did. The caller holds a transaction. */
int pa_store_ads_topup_paid(pa_store *db, int64_t id, const char *capture, int64_t fee, int64_t now,
                            int *applied);
/* The paid top-up whose provider charge is capture (PayPal's capture id,
 * Mercado Pago's payment id) into *t; PA_STORE_ENOTFOUND when none (a
 * refund of something else, or of a top-up not credited yet). */
int pa_store_ads_topup_by_capture(pa_store *db, const char *provider, const char *capture,
                                  pa_store_topup *t);
/* Paid top-up id was refunded or charged back at its provider: a refund row
 * of −amount_minor × 1000 in the ledger (amount_minor > 0, at most the
 * top-up's), once per top-up (refund_of UNIQUE, schema 31) — *applied 1 for
 * the call that wrote it, 0 when one was booked already or the top-up is not
 * paid. The balance may then go below zero. */
int pa_store_ads_topup_refunded(pa_store *db, int64_t id, int64_t amount_minor, int64_t now,
                                int *applied);
/* A pending top-up that will never be paid (the provider refused it). */
int pa_store_ads_topup_failed(pa_store *db, int64_t id, int64_t now);

/* ---- campaigns */

typedef struct pa_store_campaign {
  int64_t id, advertiser_id, created_at, updated_at;
  int64_t spent_milli; /* charged so far (ad_ledger spend rows), thousandths */
  pa_ads_campaign c;
} pa_store_campaign;
typedef int (*pa_store_campaign_fn)(void *ctx, const pa_store_campaign *c);

/* A draft campaign of advertiser with its targeting; *id. */
int pa_store_ads_campaign_add(pa_store *db, int64_t advertiser, const pa_ads_campaign *c,
                              int64_t now, int64_t *id);
/* Writes every editable field of campaign id (and its targeting when
 * targeting_sent) and its state. */
int pa_store_ads_campaign_update(pa_store *db, int64_t id, const pa_ads_campaign *c, int64_t now);
/* Campaign id with its targeting and spend; PA_STORE_ENOTFOUND when none. */
int pa_store_ads_campaign_get(pa_store *db, int64_t id, pa_store_campaign *out);
/* advertiser's campaigns, newest first (each with targeting and spend). */
int pa_store_ads_campaigns(pa_store *db, int64_t advertiser, pa_store_campaign_fn fn, void *ctx);
int pa_store_ads_campaign_count(pa_store *db, int64_t advertiser, int64_t *n);
/* Sets every campaign of advertiser in state from (active or paused) to ended (account deletion).
 */
int pa_store_ads_campaigns_end(pa_store *db, int64_t advertiser, int64_t now);

/* ---- creatives */

typedef struct pa_store_creative {
  int64_t id, campaign_id, advertiser_id, user_id, reviewed_by, reviewed_at, created_at;
  int64_t post_id, reel_id; /* exactly one set (schema 34): a photo post's or a reel's */
  char link[PA_ADS_LINK_MAX + 1];
  char review[12]; /* "pending", "approved", "rejected" */
  char note[PA_MARKET_CAP(PA_ADS_NOTE_MAX)];
  const char *caption; /* valid in the callback only (NULL from pa_store_ads_creative_get) */
} pa_store_creative;
typedef int (*pa_store_creative_fn)(void *ctx, const pa_store_creative *c);

/* A creative of campaign on post or on reel (exactly one non-zero); *id. */
int pa_store_ads_creative_add(pa_store *db, int64_t campaign, int64_t post, int64_t reel,
                              const char *link, int64_t now, int64_t *id);
int pa_store_ads_creative_get(pa_store *db, int64_t id, pa_store_creative *out);
/* campaign's creatives, oldest first, with their posts' or reels' captions. */
int pa_store_ads_creatives(pa_store *db, int64_t campaign, pa_store_creative_fn fn, void *ctx);
/* Counts of campaign's creatives: all, and approved. */
int pa_store_ads_creative_counts(pa_store *db, int64_t campaign, int64_t *all, int64_t *approved);
/* A moderator's review of creative id, pending or approved (an approved one
 * people reported is kept, or taken down); *changed 0 when it was rejected
 * already (a rejection is final). note "" for an approval. */
int pa_store_ads_creative_review(pa_store *db, int64_t id, int approve, const char *note,
                                 int64_t by, int64_t now, int *changed);

#endif
