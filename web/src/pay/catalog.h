/* pa_catalog — what we sell, where, and for how much (issue 18).
 *
 * Constant data only: the plans, the price of each paid plan in each
 * currency (integer minor units), which provider is offered in which
 * country and in which currency, and what each tier entitles to. The server
 * decides prices from this table; a client never sends an amount. */
#ifndef PA_CATALOG_H
#define PA_CATALOG_H

#include "pay/money.h"
#include "pay/pay.h"

typedef enum pa_catalog_tier { PA_TIER_FREE = 0, PA_TIER_PLUS = 1 } pa_catalog_tier;

typedef struct pa_catalog_plan {
  const char *id; /* "free", "plus_monthly", "plus_yearly" */
  pa_catalog_tier tier;
  const char *interval; /* "month", "year", "once" (paid once, no renewal); NULL for free */
  int months;           /* billing period: 1, 12; 0 for free */
} pa_catalog_plan;

/* Each tier's limits, named so the handlers, the schema and the tests share them. */
enum {
  PA_CATALOG_PHOTOS_FREE = 10, /* photos in one post */
  PA_CATALOG_PHOTOS_PLUS = 20, /* the most any tier has: the schema's and the core's bound */
  PA_CATALOG_REEL_S_FREE = 60, /* seconds of one reel's video */
  PA_CATALOG_REEL_S_PLUS = 180 /* the most any tier has */
};

typedef struct pa_catalog_entitlements {
  int ads;   /* 1: the person sees ads */
  int badge; /* the Plus badge next to the name */
  int priority_support;
  int photos_per_post; /* PA_CATALOG_PHOTOS_* */
  int reel_seconds;    /* PA_CATALOG_REEL_S_* */
} pa_catalog_entitlements;

/* Every plan, free first; *n receives the count. Static data. */
const pa_catalog_plan *pa_catalog_plans(int *n);
/* The plan named id, or NULL. */
const pa_catalog_plan *pa_catalog_find(const char *id);
const char *pa_catalog_tier_name(pa_catalog_tier t); /* "free", "plus" */
const pa_catalog_entitlements *pa_catalog_entitlements_of(pa_catalog_tier t);

/* Whether c is a country code as the catalog takes it: two upper-case
 * ASCII letters (ISO 3166 alpha-2). */
int pa_catalog_country_ok(const char *c);

/* Mercado Pago's currency for country (BR BRL, AR ARS, MX MXN, CO COP, CL
 * CLP), or NULL where Mercado Pago is not offered. */
const char *pa_catalog_mp_currency(const char *country);
/* The Mercado Pago site (country) whose currency is currency, or NULL: a
 * marketplace order's currency names the seller's site, each site having
 * its own. */
const char *pa_catalog_mp_country(const char *currency);
/* PayPal's currency for country: EUR in the eurozone, USD elsewhere; NULL
 * when country is not two upper-case letters. */
const char *pa_catalog_paypal_currency(const char *country);
/* The providers offered in country, local first (Mercado Pago, then
 * PayPal) into out: the count (0 for a malformed country). */
int pa_catalog_providers(const char *country, pa_pay_provider out[2]);
/* The price of plan through provider p in country: 0 and *out, or -1 (free
 * plan, unknown plan, provider not offered there). */
int pa_catalog_price(const char *plan, pa_pay_provider p, const char *country, pa_money *out);

#endif
