/* pa_market_ship — what an order charges to reach the buyer (issue 20,
 * item 3; web/README.md, "Marketplace", "Shipping in the total"): the
 * method chosen from a listing's shipping options (market_rules.h: flat
 * rates by zone, local pickup, a service's area) and the buyer's address,
 * the rule for several lines of one seller, and the strict reader of the
 * checkout body that may ask for pickup. No database, no HTTP: the checkout
 * body comes from requests, so the reader is total over any input and fuzzed
 * (web/fuzz/fuzz_cart.c).
 *
 * The rules, in one place:
 * - A zone named with two ASCII letters is that ISO 3166-1 country ("BR",
 *   any case). A zone with any other name ("Brazil", "Nacional") is the
 *   seller's domestic rate: it serves the listing's own country (its
 *   location.country). A country's own code wins over a domestic rate;
 *   among several that serve it, the cheapest.
 * - Pickup costs nothing and is only had when the buyer asks for it and the
 *   listing offers it; without asking, a product ships.
 * - A service reaches an address in its listing's country whose city is one
 *   of its area's cities (compared case-folded, spaces around trimmed); it
 *   costs nothing to reach (the price is the service's). Asking for pickup
 *   does not change a service.
 * - Several lines of one seller travel as one parcel: the order's shipping
 *   is the highest rate among its lines, once (not a sum, and not per unit),
 *   as a shop charges its dearest rate for one box. One line that cannot
 *   reach the address refuses the seller's whole order (no_shipping). */
#ifndef PA_MARKET_SHIP_H
#define PA_MARKET_SHIP_H

#include "market_order.h"
#include "market_rules.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* How an order reaches its buyer (the store's words: pa_market_ship_method_name). */
enum { PA_SHIP_SHIP = 0, PA_SHIP_PICKUP = 1, PA_SHIP_SERVICE = 2, PA_SHIP_METHODS };
const char *pa_market_ship_method_name(int m);
/* The method named s, or -1. */
int pa_market_ship_method_find(const char *s);

/* What one listing offers, as its shipping was stored. */
typedef struct pa_market_ship_offer {
  int kind;        /* PA_MARKET_PRODUCT or PA_MARKET_SERVICE */
  char country[3]; /* the listing's location.country */
  pa_market_zone zones[PA_MARKET_ZONES_MAX];
  int nzones;
  int pickup;
  char area[PA_MARKET_AREA_MAX][PA_MARKET_CAP(PA_MARKET_CITY_MAX)];
  int narea;
} pa_market_ship_offer;

/* The offer of listing l. */
void pa_market_ship_offer_of(const pa_market_listing *l, pa_market_ship_offer *o);

/* One line: 0 when offer o reaches the address (country, city) with the
 * buyer asking for pickup or not, *price the rate (0 for pickup and
 * services), *method its method; -1 when it cannot. */
int pa_market_ship_line(const pa_market_ship_offer *o, const char *country, const char *city,
                        int pickup, int *method, int64_t *price);

/* A seller's order of n lines (*offers[i] each line's): 0 with *method
 * (PA_SHIP_SERVICE when every line is a service, else the products'
 * method) and *shipping (the highest line rate), or -1 with *failed the
 * first line that cannot reach the address. */
int pa_market_ship_order(const pa_market_ship_offer *const *offers, int n, const char *country,
                         const char *city, int pickup, int *method, int64_t *shipping, int *failed);

/* POST /checkout: {"address": "adr_3", "delivery": {"u_12": "pickup", "u_5":
 * "ship"}}. delivery is optional, one member per seller at most
 * PA_CART_LINES_MAX (a cart has no more sellers than lines), each a seller's
 * typed id and "pickup" or "ship" (the default); a seller not in the cart is
 * ignored. */
typedef struct pa_market_checkout {
  int64_t address;
  int n;
  struct {
    int64_t seller;
    int pickup;
  } delivery[PA_CART_LINES_MAX];
} pa_market_checkout;
int pa_market_ship_checkout_parse(const cJSON *body, pa_market_checkout *out, pa_market_err *e);
/* 1 when c asks for pickup from seller. */
int pa_market_ship_wants_pickup(const pa_market_checkout *c, int64_t seller);

#endif
