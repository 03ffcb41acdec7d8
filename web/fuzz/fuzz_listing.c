/* libFuzzer target: the marketplace's body readers (web/src/market_rules.c) on
 * untrusted bytes. The first byte picks the reader (its value modulo 3: 0 a
 * new listing, 1 an edit of a valid stored listing, 2 a seller profile), the
 * rest is the JSON body as a request sends it. Invariants: an accepted
 * listing's strings are NUL-terminated inside their buffers and within their
 * limits in code points, its numbers in range, its words in the registries,
 * its currency one money.c knows, never an animal's category, a service with
 * condition n/a and an area, a product with a way to ship; its shipping JSON
 * reads back to the same; a refused body has a status of 400 or 422, a code
 * and a message, and a field only of the contract's shape. */
#include "fuzz_body_err.h"
#include "fuzz_check.h"
#include "market_rules.h"
#include "pay/money.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_listing(const pa_market_listing *l) {
  TERMINATED(l->title);
  TERMINATED(l->description);
  TERMINATED(l->city);
  ASSERT(points(l->title) >= 1 && points(l->title) <= PA_MARKET_TITLE_MAX);
  ASSERT(points(l->description) <= PA_MARKET_DESCRIPTION_MAX);
  ASSERT(points(l->city) >= 1 && points(l->city) <= PA_MARKET_CITY_MAX);
  ASSERT(!l->lang[0] || pa_market_lang_ok(l->lang));
  ASSERT(l->nphotos >= PA_MARKET_PHOTOS_MIN && l->nphotos <= PA_MARKET_PHOTOS_MAX);
  for (int i = 0; i < l->nphotos; i++) ASSERT(l->photos[i] > 0);
  ASSERT(l->price_minor >= 1 && l->price_minor <= PA_MONEY_MINOR_MAX);
  ASSERT(pa_money_exponent(l->currency) >= 0);
  ASSERT(l->stock >= 0 && l->stock <= PA_MARKET_STOCK_MAX);
  ASSERT(l->nvariants >= 0 && l->nvariants <= PA_MARKET_VARIANTS_MAX);
  for (int i = 0; i < l->nvariants; i++) {
    const pa_market_variant *v = &l->variants[i];
    TERMINATED(v->size);
    TERMINATED(v->colour);
    ASSERT(points(v->size) <= PA_MARKET_LABEL_MAX && points(v->colour) <= PA_MARKET_LABEL_MAX);
    ASSERT(v->size[0] || v->colour[0]);
    ASSERT(v->stock >= 0 && v->stock <= PA_MARKET_STOCK_MAX);
    ASSERT(v->price_minor == -1 || (v->price_minor >= 1 && v->price_minor <= PA_MONEY_MINOR_MAX));
  }
  const pa_market_category *cat = pa_market_category_at(l->category);
  ASSERT(cat && !pa_market_sells_animal(cat->name, pa_market_kind_name(l->kind)));
  ASSERT(pa_market_kind_name(l->kind) && pa_market_condition_name(l->condition) &&
         pa_market_status_name(l->status));
  ASSERT(l->species < (1u << PA_MARKET_SPECIES));
  ASSERT(strlen(l->country) == 2);
  ASSERT(l->nzones >= 0 && l->nzones <= PA_MARKET_ZONES_MAX);
  ASSERT(l->narea >= 0 && l->narea <= PA_MARKET_AREA_MAX);
  if (l->kind == PA_MARKET_SERVICE)
    ASSERT(l->condition == PA_MARKET_NA && l->nvariants == 0 && l->narea > 0 && cat->service_ok);
  else
    ASSERT(l->condition != PA_MARKET_NA && (l->nzones > 0 || l->pickup) && cat->product_ok);
  /* What the store keeps reads back as the same shipping. */
  char *json = pa_market_shipping_json(l);
  ASSERT(json);
  pa_market_listing *back = malloc(sizeof *back);
  pa_market_err e;
  ASSERT(back);
  pa_market_listing_defaults(back);
  ASSERT(pa_market_shipping_load(json, back, &e) == 0);
  ASSERT(back->nzones == l->nzones && back->narea == l->narea && back->pickup == l->pickup);
  for (int i = 0; i < l->nzones; i++)
    ASSERT(!strcmp(back->zones[i].name, l->zones[i].name) &&
           back->zones[i].price_minor == l->zones[i].price_minor);
  for (int i = 0; i < l->narea; i++) ASSERT(!strcmp(back->area[i], l->area[i]));
  free(back);
  cJSON_free(json);
}

/* A valid stored listing an edit starts from. */
static const char base[] =
    "{\"title\":\"Toy\",\"photos\":[\"m_1\"],\"price_minor\":100,\"currency\":\"USD\","
    "\"condition\":\"new\",\"kind\":\"product\",\"category\":\"toys\","
    "\"location\":{\"city\":\"X\",\"country\":\"BR\"},\"shipping\":{\"pickup\":true}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const int which = data[0] % 3;
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  pa_market_err e;
  if (which == 2) {
    pa_market_seller s;
    if (pa_market_seller_parse(body, &s, &e) != 0) {
      check_err(&e);
    } else {
      TERMINATED(s.name);
      TERMINATED(s.email);
      ASSERT(points(s.name) >= 1 && points(s.name) <= PA_MARKET_SELLER_NAME_MAX);
      ASSERT(s.provider == PA_MARKET_PAYPAL ? strchr(s.email, '@') != NULL : !s.email[0]);
    }
    cJSON_Delete(body);
    return 0;
  }
  pa_market_listing *l = malloc(sizeof *l);
  if (!l) abort();
  pa_market_listing_defaults(l);
  if (which == 1) {
    cJSON *b = cJSON_Parse(base);
    ASSERT(pa_market_listing_parse(b, 1, l, &e) == 0);
    cJSON_Delete(b);
  }
  if (pa_market_listing_parse(body, which == 0, l, &e) != 0)
    check_err(&e);
  else
    check_listing(l);
  free(l);
  cJSON_Delete(body);
  return 0;
}
