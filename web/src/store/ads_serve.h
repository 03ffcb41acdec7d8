/* pa_store_ads_serve — what serving ads reads and writes (schema 31's tables:
 * campaigns, ad_targets, ad_creatives, ad_serves, ad_ledger): the creatives
 * a viewer may be offered with their campaign's budget figures, the
 * targeting each campaign matches for a viewer, a served ad's row, counting
 * its impression (with the spend row, in the caller's transaction) and
 * click, and a campaign's report. The decisions are api/ads.c's with
 * ads_rules.h; money in thousandths of a minor unit. */
#ifndef PA_STORE_ADS_SERVE_H
#define PA_STORE_ADS_SERVE_H

#include "store/store.h"

/* One approved creative of an active campaign within its schedule, on a
 * post (or a reel) the viewer may see, and the campaign's figures now. */
typedef struct pa_store_ad_offer {
  int64_t creative_id, campaign_id, advertiser_id;
  int64_t post_id, reel_id; /* the creative's item: one of them, the other 0 */
  int64_t post_created_at;  /* that post's or reel's created_at */
  const char *link, *currency;
  int64_t bid_cpm_minor, daily_budget_minor, total_budget_minor;
  int64_t spent_today_th, spent_total_th, balance_th;
  int64_t seen; /* the viewer's counted impressions of the campaign since the window's start */
} pa_store_ad_offer;

typedef int (*pa_store_ad_offer_fn)(void *ctx, const pa_store_ad_offer *o);

/* Calls fn for at most max creatives viewer could be offered at now, highest
 * bid first: photo posts' (reels 0: the feed's) or reels' (reels 1: GET
 * /reels'), under the same rules; not the viewer's own (as author or
 * advertiser); spend counted from day_start (today's) and seen from
 * seen_since. */
int pa_store_ads_serve_offers(pa_store *db, int reels, int64_t viewer, int64_t now,
                              int64_t day_start, int64_t seen_since, int max,
                              pa_store_ad_offer_fn fn, void *ctx);

/* The viewer's locale ("" when none) and declared country ("" when none),
 * copied into the buffers. */
int pa_store_ads_serve_viewer(pa_store *db, int64_t viewer, char locale[17], char country[3]);

/* One targeting value of a campaign and, for species and tags, whether the
 * viewer matches it (owns a pet of the species; liked a post with the tag);
 * languages and countries are matched by the caller (matched 0). */
typedef struct pa_store_ad_target {
  const char *kind, *value; /* "species" | "tag" | "language" | "country" */
  int matched;
} pa_store_ad_target;

typedef int (*pa_store_ad_target_fn)(void *ctx, const pa_store_ad_target *t);
int pa_store_ads_serve_targets(pa_store *db, int64_t campaign, int64_t viewer,
                               pa_store_ad_target_fn fn, void *ctx);

/* Records a served ad (day "YYYY-MM-DD", matched the why as JSON text); *id
 * its serve id, which the token names. */
int pa_store_ads_serve_record(pa_store *db, int64_t campaign, int64_t creative, int64_t viewer,
                              int64_t now, int64_t expires_at, const char *day, const char *matched,
                              int64_t *id);

/* A served ad read for its event inside the caller's transaction, its
 * advertiser's row locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already
 * orders writers) so two events never both pass one balance check. */
typedef struct pa_store_ad_serve_state {
  int64_t campaign_id, advertiser_id, viewer_id, expires_at;
  int impressed, clicked;
  int64_t bid_cpm_minor, daily_budget_minor, total_budget_minor;
  int64_t spent_today_th, spent_total_th, balance_th, seen;
  char currency[4];
} pa_store_ad_serve_state;

/* PA_STORE_ENOTFOUND when there is no such serve. */
int pa_store_ads_serve_lock(pa_store *db, int64_t serve, int64_t now, int64_t day_start,
                            int64_t seen_since, pa_store_ad_serve_state *out);

/* The one conditional UPDATE that decides an impression (unexpired, not
 * impressed yet); when it changed the row, the spend row of cost_th for the
 * serve is written. *counted 1 when both were. Inside the caller's
 * transaction. */
int pa_store_ads_serve_impress(pa_store *db, int64_t serve, int64_t now,
                               const pa_store_ad_serve_state *s, int *counted);

/* The click's conditional UPDATE (impressed, not clicked, unexpired). */
int pa_store_ads_serve_click(pa_store *db, int64_t serve, int64_t now, int *counted);

/* ---- the report */

/* The campaign's advertiser's person (0 for the seed's, who have none), and
 * its currency; PA_STORE_ENOTFOUND when there is no such campaign. */
int pa_store_ads_serve_owner(pa_store *db, int64_t campaign, int64_t *user, char currency[4]);

typedef struct pa_store_ad_report_row {
  int64_t day;       /* impressed_at / 86400 (days since 1970, UTC) for days; 0 for targets */
  const char *match; /* the serve's matched JSON for targets; NULL for days */
  int64_t impressions, clicks, spend_th;
} pa_store_ad_report_row;

typedef int (*pa_store_ad_report_fn)(void *ctx, const pa_store_ad_report_row *r);

/* The campaign's counted impressions grouped by day, oldest first. */
int pa_store_ads_serve_report_days(pa_store *db, int64_t campaign, pa_store_ad_report_fn fn,
                                   void *ctx);
/* The same grouped by what the serves matched. */
int pa_store_ads_serve_report_matches(pa_store *db, int64_t campaign, pa_store_ad_report_fn fn,
                                      void *ctx);
/* The ledger's spend of the campaign (thousandths, positive). */
int pa_store_ads_serve_spend(pa_store *db, int64_t campaign, int64_t *spend_th);

#endif
