/* pa_catalog — the plans and price table as constant data. */
#include "pay/catalog.h"

#include <string.h>

static const pa_catalog_plan plans[] = {
    {"free", PA_TIER_FREE, NULL, 0},
    {"plus_monthly", PA_TIER_PLUS, "month", 1},
    {"plus_yearly", PA_TIER_PLUS, "year", 12},
    /* A year paid once (PayPal Orders, Mercado Pago Checkout Pro): for people
     * who do not want a renewal, or pay with means that cannot renew. */
    {"plus_year_pass", PA_TIER_PLUS, "once", 12},
};

/* Prices in minor units, one row per (plan, currency): set by product, not
 * computed from exchange rates. */
static const struct {
  const char *plan;
  const char currency[4];
  int64_t minor;
} prices[] = {
    {"plus_monthly", "USD", 499},     {"plus_monthly", "EUR", 499},
    {"plus_monthly", "BRL", 1990},    {"plus_monthly", "ARS", 499000},
    {"plus_monthly", "MXN", 9900},    {"plus_monthly", "COP", 1990000},
    {"plus_monthly", "CLP", 4990},    {"plus_yearly", "USD", 4999},
    {"plus_yearly", "EUR", 4999},     {"plus_yearly", "BRL", 19900},
    {"plus_yearly", "ARS", 4990000},  {"plus_yearly", "MXN", 99000},
    {"plus_yearly", "COP", 19900000}, {"plus_yearly", "CLP", 49900},
    {"plus_year_pass", "USD", 4999},  {"plus_year_pass", "EUR", 4999},
    {"plus_year_pass", "BRL", 19900}, {"plus_year_pass", "ARS", 4990000},
    {"plus_year_pass", "MXN", 99000}, {"plus_year_pass", "COP", 19900000},
    {"plus_year_pass", "CLP", 49900},
};

/* Mercado Pago: one account per country, each with its site's only currency. */
static const struct {
  const char country[3];
  const char currency[4];
} mp_sites[] = {{"BR", "BRL"}, {"AR", "ARS"}, {"MX", "MXN"}, {"CO", "COP"}, {"CL", "CLP"}};

/* The euro area as of 2026 (Bulgaria joined on 1 January 2026): PayPal
 * charges these in EUR. */
static const char eurozone[][3] = {"AT", "BE", "BG", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR",
                                   "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK"};

/* What each tier gets: the feed without ads (api/feed.c, api/rank.c), the
 * badge (people and feed authors), more photos per post (api/posts.c), longer
 * reels (api/media.c), and priority in the helpdesk once it exists. */
static const pa_catalog_entitlements entitlements[] = {
    [PA_TIER_FREE] = {.ads = 1,
                      .badge = 0,
                      .priority_support = 0,
                      .photos_per_post = PA_CATALOG_PHOTOS_FREE,
                      .reel_seconds = PA_CATALOG_REEL_S_FREE},
    [PA_TIER_PLUS] = {.ads = 0,
                      .badge = 1,
                      .priority_support = 1,
                      .photos_per_post = PA_CATALOG_PHOTOS_PLUS,
                      .reel_seconds = PA_CATALOG_REEL_S_PLUS},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const pa_catalog_plan *pa_catalog_plans(int *n) {
  if (n) *n = (int)COUNT(plans);
  return plans;
}

const pa_catalog_plan *pa_catalog_find(const char *id) {
  if (!id) return NULL;
  for (size_t i = 0; i < COUNT(plans); i++)
    if (strcmp(plans[i].id, id) == 0) return &plans[i];
  return NULL;
}

const char *pa_catalog_tier_name(pa_catalog_tier t) { return t == PA_TIER_PLUS ? "plus" : "free"; }

const pa_catalog_entitlements *pa_catalog_entitlements_of(pa_catalog_tier t) {
  return &entitlements[t == PA_TIER_PLUS ? PA_TIER_PLUS : PA_TIER_FREE];
}

int pa_catalog_country_ok(const char *c) {
  return c && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == 0;
}

const char *pa_catalog_mp_currency(const char *country) {
  if (!pa_catalog_country_ok(country)) return NULL;
  for (size_t i = 0; i < COUNT(mp_sites); i++)
    if (strcmp(mp_sites[i].country, country) == 0) return mp_sites[i].currency;
  return NULL;
}

const char *pa_catalog_mp_country(const char *currency) {
  for (size_t i = 0; currency && i < COUNT(mp_sites); i++)
    if (strcmp(mp_sites[i].currency, currency) == 0) return mp_sites[i].country;
  return NULL;
}

const char *pa_catalog_paypal_currency(const char *country) {
  if (!pa_catalog_country_ok(country)) return NULL;
  for (size_t i = 0; i < COUNT(eurozone); i++)
    if (strcmp(eurozone[i], country) == 0) return "EUR";
  return "USD";
}

int pa_catalog_providers(const char *country, pa_pay_provider out[2]) {
  if (!pa_catalog_country_ok(country)) return 0;
  int n = 0;
  if (pa_catalog_mp_currency(country)) out[n++] = PA_PAY_MERCADOPAGO;
  out[n++] = PA_PAY_PAYPAL;
  return n;
}

int pa_catalog_price(const char *plan, pa_pay_provider p, const char *country, pa_money *out) {
  const char *cur = p == PA_PAY_PAYPAL        ? pa_catalog_paypal_currency(country)
                    : p == PA_PAY_MERCADOPAGO ? pa_catalog_mp_currency(country)
                                              : NULL;
  if (!cur || !plan || !out) return -1;
  for (size_t i = 0; i < COUNT(prices); i++)
    if (strcmp(prices[i].plan, plan) == 0 && strcmp(prices[i].currency, cur) == 0) {
      out->minor = prices[i].minor;
      memcpy(out->currency, cur, 4);
      return 0;
    }
  return -1;
}
