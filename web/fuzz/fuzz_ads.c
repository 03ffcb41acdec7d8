/* libFuzzer target: self-serve ads' body readers (web/src/ads_rules.c) on
 * untrusted bytes. The first byte picks the reader (its value modulo 7: 0 an
 * account, 1 a top-up, 2 a new campaign, 3 an edit of a valid stored
 * campaign, 4 a creative of an awareness and 5 of a traffic campaign, 6 a
 * moderator's review); the second picks the account's currency; the rest is
 * the JSON body as a request sends it (for 6 also read as an RFC 3339 time).
 * Invariants: an accepted body's strings are NUL-terminated inside their
 * buffers and within their limits, its amounts within the currency's limits
 * (the total never below the daily budget), its schedule sane, its
 * targeting lists within their sizes and made of the app's words, a
 * creative's link https or empty (never empty for traffic), its photos or
 * its reel and poster (never both), a rejection with
 * its note; a refused body has a status of 400 or 422, a code, a message and
 * a field only of the contract's shape. */
#include "ads_rules.h"
#include "fuzz_body_err.h"
#include "fuzz_check.h"
#include "profile.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const currencies[] = {"USD", "EUR", "BRL", "MXN", "ARS", "COP", "CLP", "JPY"};
enum { NOW = 1800000000 };

static void check_campaign(const pa_ads_campaign *c, const char *currency) {
  pa_ads_limits l;
  ASSERT(pa_ads_limits_of(currency, &l) == 0);
  TERMINATED(c->name);
  ASSERT(points(c->name) >= 1 && points(c->name) <= PA_ADS_CAMPAIGN_NAME_MAX);
  ASSERT(pa_ads_objective_name(c->objective) && pa_ads_state_name(c->state));
  ASSERT(c->bid_cpm_minor >= l.bid_min && c->bid_cpm_minor <= l.bid_max);
  ASSERT(c->daily_budget_minor >= l.daily_min && c->daily_budget_minor <= l.daily_max);
  ASSERT(c->total_budget_minor >= l.total_min && c->total_budget_minor <= l.total_max);
  ASSERT(c->total_budget_minor >= c->daily_budget_minor);
  ASSERT(!strcmp(c->currency, currency));
  ASSERT(!c->ends_at || (c->ends_at - c->starts_at >= PA_ADS_RUN_MIN_SECONDS &&
                         c->ends_at - c->starts_at <= PA_ADS_RUN_MAX_SECONDS));
  const pa_ads_targeting *t = &c->targeting;
  ASSERT(t->nspecies >= 0 && t->nspecies <= PA_ADS_TARGET_SPECIES_MAX);
  ASSERT(t->ntags >= 0 && t->ntags <= PA_ADS_TARGET_TAGS_MAX);
  ASSERT(t->nlanguages >= 0 && t->nlanguages <= PA_ADS_TARGET_LANGUAGES_MAX);
  ASSERT(t->ncountries >= 0 && t->ncountries <= PA_ADS_TARGET_COUNTRIES_MAX);
  for (int i = 0; i < t->nspecies; i++) ASSERT(pa_market_species_find(t->species[i]) >= 0);
  for (int i = 0; i < t->nlanguages; i++) ASSERT(pa_market_lang_ok(t->languages[i]));
  for (int i = 0; i < t->ncountries; i++) ASSERT(pa_profile_country_ok(t->countries[i], 2));
  for (int i = 0; i < t->ntags; i++) {
    TERMINATED(t->tags[i]);
    ASSERT(t->tags[i][0] && strlen(t->tags[i]) <= PA_ADS_TAG_MAX);
  }
}

/* A valid stored campaign an edit starts from, at the currency's floors. */
static cJSON *base(const char *currency) {
  pa_ads_limits l;
  char text[400];
  ASSERT(pa_ads_limits_of(currency, &l) == 0);
  snprintf(text, sizeof text,
           "{\"name\":\"Gatos\",\"objective\":\"traffic\",\"bid_cpm_minor\":%lld,"
           "\"daily_budget_minor\":%lld,\"total_budget_minor\":%lld,"
           "\"targeting\":{\"species\":[\"cat\"],\"languages\":[\"es\"]}}",
           (long long)l.bid_min, (long long)l.daily_min, (long long)l.daily_min * 5);
  return cJSON_Parse(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  const int which = data[0] % 7;
  const char *currency = currencies[data[1] % (sizeof currencies / sizeof currencies[0])];
  cJSON *body = cJSON_ParseWithLength((const char *)data + 2, size - 2);
  pa_market_err e;
  if (which == 0) {
    pa_ads_account a;
    if (pa_ads_account_parse(body, &a, &e) != 0) {
      check_err(&e);
    } else {
      TERMINATED(a.name);
      ASSERT(points(a.name) >= 1 && points(a.name) <= PA_ADS_NAME_MAX);
      ASSERT(pa_ads_unit(a.currency) > 0);
    }
  } else if (which == 1) {
    pa_ads_topup t;
    pa_ads_limits l;
    ASSERT(pa_ads_limits_of(currency, &l) == 0);
    if (pa_ads_topup_parse(body, currency, &t, &e) != 0)
      check_err(&e);
    else
      ASSERT(t.amount_minor >= l.topup_min && t.amount_minor <= l.topup_max &&
             (t.provider == PA_ADS_PAYPAL || t.provider == PA_ADS_MERCADOPAGO));
  } else if (which == 2 || which == 3) {
    pa_ads_campaign *c = calloc(1, sizeof *c);
    ASSERT(c);
    if (which == 3) {
      cJSON *b = base(currency);
      ASSERT(pa_ads_campaign_parse(b, 1, currency, NOW, c, &e) == 0);
      cJSON_Delete(b);
    }
    if (pa_ads_campaign_parse(body, which == 2, currency, NOW, c, &e) != 0)
      check_err(&e);
    else
      check_campaign(c, currency);
    free(c);
  } else if (which == 4 || which == 5) {
    pa_ads_creative *k = calloc(1, sizeof *k);
    ASSERT(k);
    int objective = which == 4 ? PA_ADS_AWARENESS : PA_ADS_TRAFFIC;
    if (pa_ads_creative_parse(body, objective, k, &e) != 0) {
      check_err(&e);
    } else {
      TERMINATED(k->caption);
      TERMINATED(k->link);
      /* Photos, or a reel with its poster (two uploads): one or the other. */
      ASSERT(k->pet_id > 0);
      ASSERT(k->reel ? k->nmedia == 0 && k->poster > 0 && k->poster != k->reel
                     : k->poster == 0 && k->nmedia >= 1 && k->nmedia <= PA_ADS_PHOTOS_MAX);
      for (int i = 0; i < k->nmedia; i++) ASSERT(k->media[i] > 0);
      ASSERT(points(k->caption) <= PA_ADS_CAPTION_MAX);
      ASSERT(k->link[0]
                 ? pa_profile_link_ok(k->link, strlen(k->link)) && !strncmp(k->link, "https://", 8)
                 : objective == PA_ADS_AWARENESS);
    }
    free(k);
  } else {
    int approve = -1;
    char note[PA_MARKET_CAP(PA_ADS_NOTE_MAX)];
    if (pa_ads_review_parse(body, &approve, note, sizeof note, &e) != 0) {
      check_err(&e);
    } else {
      TERMINATED(note);
      ASSERT(approve == 1 ? !note[0]
                          : approve == 0 && points(note) >= 1 && points(note) <= PA_ADS_NOTE_MAX);
    }
    /* The same bytes as a time: accepted ones are in range. */
    char text[64];
    size_t n = size - 2 < sizeof text - 1 ? size - 2 : sizeof text - 1;
    memcpy(text, data + 2, n);
    text[n] = '\0';
    int64_t t;
    if (pa_ads_time_parse(text, &t) == 0) ASSERT(t >= -86400 && t < 253402387200);
  }
  cJSON_Delete(body);
  return 0;
}
