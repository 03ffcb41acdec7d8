/* pa_adserve — the rules of serving self-serve ads, with no database: the signed
 * single-use token a served ad carries, the pacing and budget arithmetic, the
 * targeting match (what "why this ad" names), and the body of POST
 * /ads/events. The store (store/ads_serve.h) keeps the rows; these decide.
 *
 * Money here is in thousandths of a minor unit (an impression costs
 * bid_cpm_minor of them: CPM = price per thousand), kept as integers.
 *
 * The token's key is a subkey of PA_SECRETS_KEY (crypto_kdf, context
 * "pa_adsrv"), read once by pa_adserve_init; without one a key is drawn when the
 * process starts, as two-step's challenges do (auth/twostep.h): a restart then
 * refuses the tokens it did not sign, which only loses those ads' events. */
#ifndef PA_ADSERVE_RULES_H
#define PA_ADSERVE_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_ADSERVE_TOKEN_SECONDS = 3600, /* a served ad's events count for an hour after serving */
  PA_ADSERVE_TOKEN_BYTES =
      1 + 8 + 8 + 8 + 8 + 32, /* version, serve, viewer, campaign, expiry, MAC */
  PA_ADSERVE_TOKEN_TEXT = 88, /* its base64url, no padding (87), and the NUL */
  PA_ADSERVE_TOKEN_MAX = 256, /* characters of a token a body may carry (the contract's bound) */
  PA_ADSERVE_DAY_SECONDS = 86400,
  /* Pacing: the day is cut into slots; by the end of slot k (0-based) at most
   * (k + 1) / slots of the daily budget may be spent, so spend spreads over
   * the day instead of going in the first minutes. */
  PA_ADSERVE_PACE_SLOT_SECONDS = 3600,
  PA_ADSERVE_FREQ_CAP = 3, /* counted impressions per person per campaign per window */
  PA_ADSERVE_FREQ_WINDOW_SECONDS = 86400,
  PA_ADSERVE_PAGE_SHARE = 5, /* at most one sponsored candidate in five (the ranker's 1 in 5) */
  /* Values of one targeting list this module reads: the longest ads-buy lets a
   * campaign keep (countries, ads_rules.h PA_ADS_TARGET_COUNTRIES_MAX). A
   * viewer's why never holds more than 20 in a list: one locale and one
   * country match, species are 9, tags at most 20. */
  PA_ADSERVE_TARGET_MAX = 30,
  PA_ADSERVE_WORD_MAX = 40 /* bytes of one targeting value (species, tag, language, country) */
};

/* Reads PA_SECRETS_KEY for the token key; 0, or -1 with err when it is set
 * but not 64 hex digits. Needs sodium_init first; called once by main before
 * any worker starts (pa_adserve_token_* call it themselves when it was not). */
int pa_adserve_init(char *err, size_t errlen);

/* What a token says. */
typedef struct pa_adserve_token {
  int64_t serve, viewer, campaign, expires_at;
} pa_adserve_token;

/* Writes the token for t (HMAC-SHA256 under the key, base64url) into out. */
void pa_adserve_token_make(const pa_adserve_token *t, char out[PA_ADSERVE_TOKEN_TEXT]);

/* Reads text (n bytes, any bytes: fuzzed): 0 with *out, -1 when it is not
 * exactly a token we signed, -2 when it is ours but expired at now. */
int pa_adserve_token_read(const char *text, size_t n, int64_t now, pa_adserve_token *out);

/* ---- budgets and pacing (thousandths of a minor unit) */

/* What the serving decision reads of one campaign at now. */
typedef struct pa_adserve_budget {
  int64_t bid_cpm_minor;      /* thousandths per impression */
  int64_t daily_budget_minor; /* 0: no daily budget */
  int64_t total_budget_minor; /* 0: no lifetime budget (the balance still caps) */
  int64_t spent_today_th, spent_total_th, balance_th;
  int64_t now; /* Unix seconds; the day is UTC's */
} pa_adserve_budget;

typedef enum pa_adserve_verdict {
  PA_ADSERVE_OK = 0,
  PA_ADSERVE_PACED,   /* today's allowance so far is spent: later today */
  PA_ADSERVE_DAILY,   /* the daily budget is spent */
  PA_ADSERVE_TOTAL,   /* the lifetime budget is spent */
  PA_ADSERVE_BALANCE, /* the advertiser's balance cannot pay one more impression */
  PA_ADSERVE_BAD      /* a bid below 1 */
} pa_adserve_verdict;

/* The part of the daily budget (in thousandths) that may be spent by now:
 * whole slots, never above the budget. */
int64_t pa_adserve_paced_th(int64_t daily_budget_minor, int64_t now);

/* May one more impression be offered: the next impression's cost fits under
 * the paced allowance, the daily and lifetime budgets and the balance. */
pa_adserve_verdict pa_adserve_may_serve(const pa_adserve_budget *b);

/* May an impression be counted (charged): the hard caps only, checked before
 * this impression's cost, so spend passes a budget or the balance falls below
 * zero by less than one impression's cost (one CPM step) at most. */
pa_adserve_verdict pa_adserve_may_count(const pa_adserve_budget *b);

/* Whole minor units of th thousandths, rounded toward minus infinity. */
int64_t pa_adserve_floor_minor(int64_t th);

/* ---- targeting */

/* A list of words (borrowed pointers). */
typedef struct pa_adserve_words {
  const char *v[PA_ADSERVE_TARGET_MAX];
  int n;
} pa_adserve_words;

typedef struct pa_adserve_targeting {
  pa_adserve_words species, tags, languages, countries;
} pa_adserve_targeting;

/* What the viewer declared or did: their pets' species, the tags of posts
 * they liked, their locale, the country in their settings ("" when none). */
typedef struct pa_adserve_viewer {
  pa_adserve_words species, tags;
  const char *locale, *country;
} pa_adserve_viewer;

/* 1 when every list the campaign targets (a non-empty one) has a value that
 * matches the viewer, filling why with the matching values; 0 otherwise. A
 * language matches the locale itself or its base ("es" matches "es-MX"). */
int pa_adserve_match(const pa_adserve_targeting *t, const pa_adserve_viewer *v,
                     pa_adserve_targeting *why);

/* ---- POST /ads/events {"token": "...", "kind": "impression" | "click"} */

typedef enum pa_adserve_kind { PA_ADSERVE_IMPRESSION = 1, PA_ADSERVE_CLICK = 2 } pa_adserve_kind;

typedef struct pa_adserve_event_body {
  const char *token; /* borrowed from the tree */
  pa_adserve_kind kind;
} pa_adserve_event_body;

/* Checks the body's shape (exactly the two members, a string token of 1 to
 * PA_ADSERVE_TOKEN_MAX bytes, a known kind). 0, or -1 with a message in err and
 * the member at fault in *field (which may point into body). Whether the token is good is not its
 * business: a well-formed body with a bad token is counted: false. */
int pa_adserve_event_parse(const cJSON *body, pa_adserve_event_body *out, char *err, size_t errlen,
                           const char **field);

#endif
