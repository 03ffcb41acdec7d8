/* The marketplace's pure rules (web/src/market_rules.c, market_ship.c): the live-animal
 * rule word by word (it is the one place that decides, so it is tested
 * here, beside tests/server/market-listings.test.mjs's answers), the
 * category registry and its fees, the readers at their edges, an order's
 * shipping rule case by case (market_ship.h), and the refund-request/dispute
 * state machine's whole table (market_order.c). */
#include "market_order.h"
#include "market_rules.h"
#include "market_ship.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void live_animals(void) {
  static const char *const refused[] = {
      "animals", "Animals",      "ANIMAL",      "pets",     "pet",   "puppies",
      "kitten",  "live-animals", "livestock",   "breeding", "dog",   "dogs",
      "cats",    "guinea pig",   "guinea_pigs", "fishes",   "horse", "adoption"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK(pa_market_sells_animal(refused[i], NULL));
    CHECK(pa_market_sells_animal(refused[i], "product"));
  }
  /* A kind that names an animal sale, whatever the category. */
  CHECK(pa_market_sells_animal("toys", "animal"));
  CHECK(pa_market_sells_animal(NULL, "live_animal"));
  CHECK(pa_market_sells_animal(NULL, "puppies"));
  /* Everything the registry holds is allowed, and ordinary words. */
  for (int i = 0; i < pa_market_categories(); i++) {
    CHECK(!pa_market_sells_animal(pa_market_category_at(i)->name, "product"));
    CHECK(!pa_market_sells_animal(pa_market_category_at(i)->name, "service"));
  }
  CHECK(!pa_market_sells_animal("dog food", NULL));
  CHECK(!pa_market_sells_animal("cars", "thing"));
  CHECK(!pa_market_sells_animal(NULL, NULL));
  CHECK(!pa_market_sells_animal("", ""));
  /* A word longer than any animal word is none (and never overflows). */
  char longword[200];
  memset(longword, 'a', sizeof longword - 1);
  longword[sizeof longword - 1] = '\0';
  CHECK(!pa_market_sells_animal(longword, longword));
  CHECK(strstr(PA_MARKET_LIVE_ANIMALS_POLICY, "adoption post") != NULL);
}

static void registry(void) {
  CHECK(pa_market_categories() == 10);
  CHECK(pa_market_category_find("toys") >= 0);
  CHECK(pa_market_category_find("animals") < 0);
  CHECK(pa_market_category_find(NULL) < 0);
  CHECK(pa_market_category_at(-1) == NULL);
  CHECK(pa_market_category_at(pa_market_categories()) == NULL);
  for (int i = 0; i < pa_market_categories(); i++) {
    const pa_market_category *c = pa_market_category_at(i);
    CHECK(c->fee_bps > 0 && c->fee_bps < 10000);
    CHECK(c->service_ok || c->product_ok);
    CHECK(strlen(c->name) <= 20); /* listings.category's CHECK */
  }
  CHECK(pa_market_category_at(pa_market_category_find("walking"))->fee_bps == 1200);
  CHECK(pa_market_species_find("guinea pig") == 4);
  CHECK(pa_market_species_find("dragon") < 0);
  CHECK(pa_market_lang_ok("zh-Hans") && pa_market_lang_ok("pt") && !pa_market_lang_ok("en-XA"));
}

/* Parses text as a new listing onto a fresh struct: its status code (0 accepted). */
static int parse(const char *text, pa_market_err *e) {
  cJSON *b = cJSON_Parse(text);
  pa_market_listing *l = malloc(sizeof *l);
  pa_market_listing_defaults(l);
  int rc = pa_market_listing_parse(b, 1, l, e);
  free(l);
  cJSON_Delete(b);
  return rc == 0 ? 0 : e->status;
}

static void readers(void) {
  pa_market_err e;
  char body[2048];
  const char *frame =
      "{\"title\":\"%s\",\"photos\":[\"m_1\"],\"price_minor\":%s,\"currency\":"
      "\"CLP\",\"condition\":\"new\",\"kind\":\"product\",\"category\":\"toys\","
      "\"location\":{\"city\":\"X\",\"country\":\"CL\"},\"shipping\":{\"pickup\":true}}";
  char title[PA_MARKET_TITLE_MAX + 2];
  memset(title, 'x', sizeof title - 1);
  title[PA_MARKET_TITLE_MAX] = '\0';
  snprintf(body, sizeof body, frame, title, "1");
  CHECK(parse(body, &e) == 0);
  title[PA_MARKET_TITLE_MAX] = 'x';
  title[PA_MARKET_TITLE_MAX + 1] = '\0';
  snprintf(body, sizeof body, frame, title, "1");
  CHECK(parse(body, &e) == 400 && strcmp(e.field, "title") == 0);
  snprintf(body, sizeof body, frame, "T", "1000000000000000");
  CHECK(parse(body, &e) == 0);
  snprintf(body, sizeof body, frame, "T", "1000000000000001");
  CHECK(parse(body, &e) == 400 && strcmp(e.field, "price_minor") == 0);
  snprintf(body, sizeof body, frame, "T", "4.99");
  CHECK(parse(body, &e) == 400);
  CHECK(parse("[]", &e) == 400 && e.field[0] == '\0');
  CHECK(parse("{\"category\":\"pets\"}", &e) == 422 &&
        strcmp(e.code, "live_animals_forbidden") == 0 && strcmp(e.field, "category") == 0);
  /* Shipping as stored reads back. */
  pa_market_listing *l = malloc(sizeof *l);
  pa_market_listing_defaults(l);
  l->nzones = 1;
  snprintf(l->zones[0].name, sizeof l->zones[0].name, "Sul \"BR\"");
  l->zones[0].price_minor = 0;
  l->pickup = 1;
  char *json = pa_market_shipping_json(l);
  pa_market_listing_defaults(l);
  CHECK(json && pa_market_shipping_load(json, l, &e) == 0);
  CHECK(l->nzones == 1 && l->pickup == 1 && strcmp(l->zones[0].name, "Sul \"BR\"") == 0);
  cJSON_free(json);
  free(l);
}

static void zone(pa_market_ship_offer *o, const char *name, int64_t price) {
  snprintf(o->zones[o->nzones].name, sizeof o->zones[0].name, "%s", name);
  o->zones[o->nzones++].price_minor = price;
}

static void shipping(void) {
  static pa_market_ship_offer a, b, svc;
  int m;
  int64_t p;
  memset(&a, 0, sizeof a);
  snprintf(a.country, sizeof a.country, "BR");
  zone(&a, "Brazil", 300);
  zone(&a, "Nacional", 200);
  /* Domestic rates: the cheapest, in the listing's own country only. */
  CHECK(pa_market_ship_line(&a, "BR", "X", 0, &m, &p) == 0 && m == PA_SHIP_SHIP && p == 200);
  CHECK(pa_market_ship_line(&a, "AR", "X", 0, &m, &p) == -1);
  /* A code wins over cheaper domestic rates; any case, spaces around. */
  zone(&a, " br ", 700);
  CHECK(pa_market_ship_line(&a, "BR", "X", 0, &m, &p) == 0 && p == 700);
  zone(&a, "BR", 650);
  CHECK(pa_market_ship_line(&a, "BR", "X", 0, &m, &p) == 0 && p == 650);
  /* Three letters are a name, not a code: domestic. */
  b = a;
  b.nzones = 0;
  zone(&b, "ARG", 100);
  CHECK(pa_market_ship_line(&b, "AR", "X", 0, &m, &p) == -1);
  CHECK(pa_market_ship_line(&b, "BR", "X", 0, &m, &p) == 0 && p == 100);
  /* Pickup: only when asked and offered, free. */
  CHECK(pa_market_ship_line(&a, "BR", "X", 1, &m, &p) == -1 && m == PA_SHIP_PICKUP);
  a.pickup = 1;
  CHECK(pa_market_ship_line(&a, "AR", "X", 1, &m, &p) == 0 && m == PA_SHIP_PICKUP && p == 0);
  /* A service: its area's cities, case-folded and trimmed, in its country. */
  memset(&svc, 0, sizeof svc);
  svc.kind = PA_MARKET_SERVICE;
  snprintf(svc.country, sizeof svc.country, "BR");
  snprintf(svc.area[svc.narea++], sizeof svc.area[0], "%s", "São Paulo");
  CHECK(pa_market_ship_line(&svc, "BR", " SÃO PAULO ", 0, &m, &p) == 0 && m == PA_SHIP_SERVICE);
  CHECK(pa_market_ship_line(&svc, "BR", "Sao Paulo", 0, &m, &p) == -1);
  CHECK(pa_market_ship_line(&svc, "PT", "São Paulo", 0, &m, &p) == -1);
  CHECK(pa_market_ship_line(&svc, "BR", "São Paulo", 1, &m, &p) == 0 && m == PA_SHIP_SERVICE);
  /* Several lines: the dearest rate once; one line that cannot, the whole order. */
  const pa_market_ship_offer *lines[3] = {&b, &a, &svc};
  int failed;
  CHECK(pa_market_ship_order(lines, 2, "BR", "X", 0, &m, &p, &failed) == 0 && p == 650 &&
        m == PA_SHIP_SHIP && failed == -1);
  CHECK(pa_market_ship_order(lines, 3, "BR", "X", 0, &m, &p, &failed) == -1 && failed == 2);
  CHECK(pa_market_ship_order(lines, 2, "BR", "X", 1, &m, &p, &failed) == -1 && failed == 0);
  CHECK(pa_market_ship_order(lines + 2, 1, "BR", "são paulo", 0, &m, &p, &failed) == 0 &&
        m == PA_SHIP_SERVICE && p == 0);
}

static void checkout_body(void) {
  static pa_market_checkout c;
  pa_market_err e;
  cJSON *j =
      cJSON_Parse("{\"address\":\"adr_3\",\"delivery\":{\"u_7\":\"pickup\",\"u_8\":\"ship\"}}");
  CHECK(pa_market_ship_checkout_parse(j, &c, &e) == 0 && c.address == 3 && c.n == 2);
  CHECK(pa_market_ship_wants_pickup(&c, 7) && !pa_market_ship_wants_pickup(&c, 8) &&
        !pa_market_ship_wants_pickup(&c, 9));
  cJSON_Delete(j);
  static const char *const bad[] = {
      "{}",
      "{\"address\":\"adr_0\"}",
      "{\"address\":\"adr_1\",\"delivery\":[]}",
      "{\"address\":\"adr_1\",\"delivery\":{\"u_1\":\"drone\"}}",
      "{\"address\":\"adr_1\",\"delivery\":{\"x\":\"ship\"}}",
      "{\"address\":\"adr_1\",\"delivery\":{\"u_1\":\"ship\",\"u_1\":\"pickup\"}}",
      "{\"address\":\"adr_1\",\"address\":\"adr_2\"}",
      "{\"address\":\"adr_1\",\"x\":1}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    j = cJSON_Parse(bad[i]);
    CHECK(j && pa_market_ship_checkout_parse(j, &c, &e) == -1 && e.status == 400);
    cJSON_Delete(j);
  }
  /* PA_CART_LINES_MAX sellers, the last allowed; one more refused. */
  for (int n = PA_CART_LINES_MAX; n <= PA_CART_LINES_MAX + 1; n++) {
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "address", "adr_1");
    cJSON *d = cJSON_AddObjectToObject(j, "delivery");
    for (int i = 1; i <= n; i++) {
      char k[16];
      snprintf(k, sizeof k, "u_%d", i);
      cJSON_AddStringToObject(d, k, "pickup");
    }
    CHECK(pa_market_ship_checkout_parse(j, &c, &e) == (n == PA_CART_LINES_MAX ? 0 : -1));
    cJSON_Delete(j);
  }
}

/* Every (from, to) pair of the claim machine against the one table it
 * should be, names round-tripped, and which states stop an order's clocks. */
static void claims(void) {
  static const int allowed[][2] = {
      {-1, PA_CLAIM_REQUESTED},
      {PA_CLAIM_REQUESTED, PA_CLAIM_DECLINED},
      {PA_CLAIM_REQUESTED, PA_CLAIM_REFUNDED},
      {PA_CLAIM_REQUESTED, PA_CLAIM_DISPUTED},
      {PA_CLAIM_DECLINED, PA_CLAIM_DISPUTED},
      {PA_CLAIM_DISPUTED, PA_CLAIM_REFUNDED},
      {PA_CLAIM_DISPUTED, PA_CLAIM_RELEASED},
  };
  for (int from = -1; from <= PA_CLAIM_STATES; from++)
    for (int to = -1; to <= PA_CLAIM_STATES; to++) {
      int want = 0;
      for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        want |= allowed[i][0] == from && allowed[i][1] == to;
      CHECK(pa_market_claim_can(from, to) == want);
    }
  for (int s = 0; s < PA_CLAIM_STATES; s++) {
    CHECK(pa_market_claim_state_find(pa_market_claim_state_name(s)) == s);
    CHECK(pa_market_claim_open(s) == (s == PA_CLAIM_REQUESTED || s == PA_CLAIM_DISPUTED));
  }
  CHECK(pa_market_claim_state_name(PA_CLAIM_STATES) == NULL);
  CHECK(pa_market_claim_state_find("open") == -1 && pa_market_claim_state_find(NULL) == -1);
  /* A refund after shipping ends the order cancelled, never a completed one. */
  CHECK(pa_market_order_can(PA_ORDER_SHIPPED, PA_ORDER_CANCELLED));
  CHECK(pa_market_order_can(PA_ORDER_DELIVERED, PA_ORDER_CANCELLED));
  CHECK(!pa_market_order_can(PA_ORDER_COMPLETED, PA_ORDER_CANCELLED));
}

int main(void) {
  RUN(live_animals);
  RUN(claims);
  RUN(registry);
  RUN(readers);
  RUN(shipping);
  RUN(checkout_body);
  return pa_test_summary("web.market");
}
