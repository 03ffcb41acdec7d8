/* pa_ads — self-serve ads' pure rules (issue 21; web/README.md, "Self-serve
 * ads"): every limit of an advertiser's account, a top-up, a campaign and a
 * creative, the money limits of each currency, and the strict readers of
 * their request bodies. No database, no HTTP: the bytes come from request
 * bodies, so every reader is total over any input and fuzzed
 * (web/fuzz/fuzz_ads.c). Errors use the marketplace's shape
 * (pa_market_err: status 400 or 422, a code, a message, a field). */
#ifndef PA_ADS_RULES_H
#define PA_ADS_RULES_H

#include "market_rules.h"

#include <cjson/cJSON.h>
#include <stdint.h>

enum {
  PA_ADS_NAME_MAX = 80,             /* code points of an advertiser's name (at least 1) */
  PA_ADS_CAMPAIGN_NAME_MAX = 80,    /* code points of a campaign's name (at least 1) */
  PA_ADS_CAPTION_MAX = 2200,        /* code points of a creative's caption (a post's) */
  PA_ADS_LINK_MAX = 200,            /* bytes of a creative's https link (a profile link's) */
  PA_ADS_PHOTOS_MAX = 10,           /* photos of one creative (at least 1) */
  PA_ADS_TARGET_SPECIES_MAX = 9,    /* species a campaign targets (the app has 9) */
  PA_ADS_TARGET_TAGS_MAX = 20,      /* tags a campaign targets */
  PA_ADS_TARGET_LANGUAGES_MAX = 20, /* languages (the app's catalogs) */
  PA_ADS_TARGET_COUNTRIES_MAX = 30, /* countries people declare */
  PA_ADS_TAG_MAX = 40,              /* letters of one targeted tag (as captions write them) */
  PA_ADS_NOTE_MAX = 300,            /* code points of a moderator's rejection note (at least 1) */
  PA_ADS_CAMPAIGNS_MAX = 100,       /* campaigns an advertiser keeps */
  PA_ADS_CREATIVES_MAX = 10,        /* creatives of one campaign */
  PA_ADS_TOPUPS_LISTED = 50,        /* top-ups GET /ads/topups lists, newest first */
  /* A campaign's schedule: it may start at most this far back (a form
   * filled in a moment ago) and this far ahead, and runs at least an hour
   * and at most a year and a day. */
  PA_ADS_START_PAST_SECONDS = 3600,
  PA_ADS_START_AHEAD_SECONDS = 365 * 86400,
  PA_ADS_RUN_MIN_SECONDS = 3600,
  PA_ADS_RUN_MAX_SECONDS = 366 * 86400,
  /* Money limits, in a currency's "unit" (about one US dollar's worth of
   * it, pa_ads_unit): a top-up of 5 to 10 000 units; a CPM bid of a tenth
   * of a unit to 100 units; a daily budget of 1 to 10 000 units; a total
   * budget of 1 to 1 000 000 units, never below the daily one. */
  PA_ADS_TOPUP_MIN_UNITS = 5,
  PA_ADS_TOPUP_MAX_UNITS = 10000,
  PA_ADS_BID_MIN_TENTHS = 1,
  PA_ADS_BID_MAX_UNITS = 100,
  PA_ADS_DAILY_MIN_UNITS = 1,
  PA_ADS_DAILY_MAX_UNITS = 10000,
  PA_ADS_TOTAL_MIN_UNITS = 1,
  PA_ADS_TOTAL_MAX_UNITS = 1000000,
  /* One impression at a CPM bid of B minor units costs B thousandths of a
   * minor unit: the ledger counts in thousandths (ad_ledger.amount_milli). */
  PA_ADS_MILLI = 1000
};

/* The minor units of one "unit" of currency (USD 100, BRL 500, JPY 150, …),
 * or 0 for a currency ads are not sold in. */
int64_t pa_ads_unit(const char *currency);

/* The money limits of a currency in its minor units (pa_ads_limits). */
typedef struct pa_ads_limits {
  int64_t topup_min, topup_max, bid_min, bid_max, daily_min, daily_max, total_min, total_max;
} pa_ads_limits;
/* 0 and *out for a currency ads are sold in, else -1. */
int pa_ads_limits_of(const char *currency, pa_ads_limits *out);

enum { PA_ADS_AWARENESS = 0, PA_ADS_TRAFFIC = 1, PA_ADS_OBJECTIVES };
enum { PA_ADS_DRAFT = 0, PA_ADS_ACTIVE, PA_ADS_PAUSED, PA_ADS_ENDED, PA_ADS_STATES };
const char *pa_ads_objective_name(int i);
int pa_ads_objective_find(const char *s);
const char *pa_ads_state_name(int i);
int pa_ads_state_find(const char *s);

/* PUT /ads/account: {"name", "currency"}, both required. */
typedef struct pa_ads_account {
  char name[PA_MARKET_CAP(PA_ADS_NAME_MAX)];
  char currency[4];
} pa_ads_account;
int pa_ads_account_parse(const cJSON *body, pa_ads_account *a, pa_market_err *e);

/* POST /ads/topups: {"amount_minor", "provider"} in the account's currency. */
enum { PA_ADS_PAYPAL = 1, PA_ADS_MERCADOPAGO = 2 }; /* pa_pay_provider's values */
typedef struct pa_ads_topup {
  int64_t amount_minor;
  int provider;
} pa_ads_topup;
int pa_ads_topup_parse(const cJSON *body, const char *currency, pa_ads_topup *t, pa_market_err *e);

/* A campaign's targeting: empty lists target everyone. */
typedef struct pa_ads_targeting {
  char species[PA_ADS_TARGET_SPECIES_MAX][16];
  char tags[PA_ADS_TARGET_TAGS_MAX][PA_ADS_TAG_MAX + 1];
  char languages[PA_ADS_TARGET_LANGUAGES_MAX][16];
  char countries[PA_ADS_TARGET_COUNTRIES_MAX][3];
  int nspecies, ntags, nlanguages, ncountries;
} pa_ads_targeting;

/* A campaign as a body sets it (and as the store keeps it). */
typedef struct pa_ads_campaign {
  char name[PA_MARKET_CAP(PA_ADS_CAMPAIGN_NAME_MAX)];
  int objective;
  int state; /* pa_ads_state; a PATCH may ask for active or paused (state_sent) */
  int state_sent;
  int64_t bid_cpm_minor, daily_budget_minor, total_budget_minor;
  char currency[4];
  int64_t starts_at, ends_at; /* Unix seconds; ends_at 0: open-ended */
  pa_ads_targeting targeting;
  int targeting_sent; /* an edit that sent "targeting" replaces every list it names */
} pa_ads_campaign;

/* Reads a campaign body onto *c. create: name, objective, bid_cpm_minor,
 * daily_budget_minor, total_budget_minor are required, starts_at defaults to
 * now, ends_at to none, targeting to everyone, and *c starts empty; else
 * (PATCH) *c holds the campaign as stored and the members sent change, a
 * state only to "active" or "paused". currency is the account's (a body's
 * currency must equal it). Then the whole campaign is checked against the
 * currency's limits and the schedule's (a start sent is checked against now,
 * a stored one is not). Unknown members are refused. 0, or -1 with *e. */
int pa_ads_campaign_parse(const cJSON *body, int create, const char *currency, int64_t now,
                          pa_ads_campaign *c, pa_market_err *e);

/* POST /ads/campaigns/{c}/creatives: {"pet_id", "media": ["m_N", …],
 * "caption", "link"} for a photo post, or {"pet_id", "reel": "m_N",
 * "poster": "m_N", "caption", "link"} for a reel (a video uploaded as reels
 * are, POST /media holding it to the reels' length and size, and its poster
 * image, as POST /reels takes them; schema 34). link is required for a
 * traffic campaign ("" or absent: none, for awareness). */
typedef struct pa_ads_creative {
  int64_t pet_id;
  int64_t media[PA_ADS_PHOTOS_MAX];
  int nmedia;
  int64_t reel, poster; /* a reel's video and poster uploads; 0 for photos */
  char caption[PA_MARKET_CAP(PA_ADS_CAPTION_MAX)];
  char link[PA_ADS_LINK_MAX + 1];
} pa_ads_creative;
int pa_ads_creative_parse(const cJSON *body, int objective, pa_ads_creative *c, pa_market_err *e);

/* A moderator's review: {"decision": "approve"|"reject", "note"} — a
 * rejection says why (1..PA_ADS_NOTE_MAX), an approval may not. *approve 1
 * or 0. */
int pa_ads_review_parse(const cJSON *body, int *approve, char *note, size_t cap, pa_market_err *e);

/* RFC 3339 ("2026-12-06T20:00:00Z", an offset, optional fraction) into Unix
 * seconds: 0, or -1. */
int pa_ads_time_parse(const char *s, int64_t *out);

#endif
