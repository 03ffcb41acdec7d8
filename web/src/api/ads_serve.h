/* pa_api_ads — serving self-serve ads to the feed's candidates (api/rank.c
 * asks for them), counting their events (POST /ads/events) and a campaign's
 * report (GET /ads/campaigns/{c}/report). The rules are ads_serving.h's; the
 * rows store/ads_serve.h's. */
#ifndef PA_API_ADS_SERVE_H
#define PA_API_ADS_SERVE_H

#include "ads_serving.h"
#include "srv_internal.h"

#include <stdint.h>

enum {
  PA_API_ADS_SCAN_MAX = 100,    /* eligible creatives read per answer, highest bid first */
  PA_API_ADS_LINK_MAX = 2000,   /* bytes of a creative's link (the schema's CHECK) */
  PA_API_ADS_MATCHED_MAX = 1000 /* bytes of a serve's matched JSON (ad_serves.matched's CHECK) */
};

/* One ad offered to the viewer, its serve recorded. */
typedef struct pa_api_ad {
  int64_t post_id, reel_id; /* the creative's item: one of them, the other 0 */
  int64_t post_created_at, advertiser_id, campaign_id;
  char token[PA_ADSERVE_TOKEN_TEXT];
  char link[PA_API_ADS_LINK_MAX + 1];
  char why[PA_API_ADS_MATCHED_MAX + 1]; /* {"species":[…],"tags":[…],…} */
} pa_api_ad;

/* Chooses at most max ads for rq->viewer now (none for Plus or max < 1) of
 * photo posts (reels 0: the feed's candidates) or of reels (reels 1: GET
 * /reels), records a serve for each and fills *out (malloc'd, newest item
 * first, the caller frees it) and *n. 0, or -1 when the database failed
 * (nothing sent). */
int pa_api_ads_offer(pa_srv_req *rq, int reels, int max, pa_api_ad **out, int *n);

#endif
