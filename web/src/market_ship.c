/* pa_market_ship: an order's shipping and the checkout body (market_ship.h). */
#include "market_ship.h"

#include "str.h"

#include <stdio.h>
#include <string.h>

static const char *const methods[PA_SHIP_METHODS] = {"ship", "pickup", "service"};

const char *pa_market_ship_method_name(int m) {
  return m >= 0 && m < PA_SHIP_METHODS ? methods[m] : NULL;
}

int pa_market_ship_method_find(const char *s) {
  for (int i = 0; s && i < PA_SHIP_METHODS; i++)
    if (strcmp(s, methods[i]) == 0) return i;
  return -1;
}

void pa_market_ship_offer_of(const pa_market_listing *l, pa_market_ship_offer *o) {
  memset(o, 0, sizeof *o);
  o->kind = l->kind;
  snprintf(o->country, sizeof o->country, "%s", l->country);
  o->nzones = l->nzones > 0 && l->nzones <= PA_MARKET_ZONES_MAX ? l->nzones : 0;
  memcpy(o->zones, l->zones, sizeof o->zones[0] * (size_t)o->nzones);
  o->pickup = l->pickup != 0;
  o->narea = l->narea > 0 && l->narea <= PA_MARKET_AREA_MAX ? l->narea : 0;
  memcpy(o->area, l->area, sizeof o->area[0] * (size_t)o->narea);
}

static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }
static int letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* A zone's name as a country code: 1 with code filled when it is two ASCII
 * letters (spaces around allowed), else 0: the seller's domestic rate. */
static int zone_code(const char *name, char code[3]) {
  while (*name == ' ') name++;
  if (!letter(name[0]) || !letter(name[1])) return 0;
  const char *rest = name + 2;
  while (*rest == ' ') rest++;
  if (*rest) return 0;
  code[0] = upper(name[0]);
  code[1] = upper(name[1]);
  code[2] = '\0';
  return 1;
}

/* s trimmed of spaces around and case-folded into out (cap bytes); "" when
 * it does not fit or is not UTF-8 (then it matches nothing but "" — and an
 * area's city and an address's city are never empty). */
static void fold_city(const char *s, char *out, size_t cap) {
  char tmp[PA_MARKET_CAP(PA_ADDRESS_CITY_MAX)];
  while (*s == ' ') s++;
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ') n--;
  out[0] = '\0';
  if (n >= sizeof tmp) return;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  if (pa_str_fold(tmp, out, cap) != 0) out[0] = '\0';
}

int pa_market_ship_line(const pa_market_ship_offer *o, const char *country, const char *city,
                        int pickup, int *method, int64_t *price) {
  *price = 0;
  if (o->kind == PA_MARKET_SERVICE) {
    /* A service goes to the buyer: their city must be one it serves. */
    char want[PA_MARKET_CAP(PA_ADDRESS_CITY_MAX) * 2], have[PA_MARKET_CAP(PA_ADDRESS_CITY_MAX) * 2];
    *method = PA_SHIP_SERVICE;
    if (strcmp(o->country, country) != 0) return -1;
    fold_city(city, want, sizeof want);
    if (!want[0]) return -1;
    for (int i = 0; i < o->narea; i++) {
      fold_city(o->area[i], have, sizeof have);
      if (strcmp(want, have) == 0) return 0;
    }
    return -1;
  }
  if (pickup) {
    *method = PA_SHIP_PICKUP;
    return o->pickup ? 0 : -1;
  }
  *method = PA_SHIP_SHIP;
  int exact = 0, found = 0;
  for (int i = 0; i < o->nzones; i++) {
    char code[3];
    const int is_code = zone_code(o->zones[i].name, code);
    const int serves = is_code ? strcmp(code, country) == 0 : strcmp(o->country, country) == 0;
    if (!serves) continue;
    /* The country's own code first; then the cheapest of its kind. */
    if (is_code && !exact) {
      exact = 1;
      found = 0;
    } else if (!is_code && exact) {
      continue;
    }
    if (!found || o->zones[i].price_minor < *price) *price = o->zones[i].price_minor;
    found = 1;
  }
  return found ? 0 : -1;
}

int pa_market_ship_order(const pa_market_ship_offer *const *offers, int n, const char *country,
                         const char *city, int pickup, int *method, int64_t *shipping,
                         int *failed) {
  int products = 0;
  *shipping = 0;
  *failed = -1;
  *method = pickup ? PA_SHIP_PICKUP : PA_SHIP_SHIP;
  for (int i = 0; i < n; i++) {
    int m;
    int64_t price;
    if (pa_market_ship_line(offers[i], country, city, pickup, &m, &price) != 0) {
      *failed = i;
      return -1;
    }
    if (m != PA_SHIP_SERVICE) products++;
    /* One parcel per seller: its dearest rate, once. */
    if (price > *shipping) *shipping = price;
  }
  if (n > 0 && products == 0) *method = PA_SHIP_SERVICE;
  return 0;
}

/* ---- the checkout body */

static int read_delivery(const cJSON *d, pa_market_checkout *out, pa_market_err *e) {
  if (!cJSON_IsObject(d))
    return pa_market_fail(e, "delivery",
                          "delivery must be an object of sellers (\"u_1\": \"pickup\")");
  for (const cJSON *c = d->child; c; c = c->next) {
    int64_t seller = 0;
    if (out->n >= PA_CART_LINES_MAX)
      return pa_market_fail(e, "delivery", "delivery names at most %d sellers", PA_CART_LINES_MAX);
    if (!c->string || pa_market_order_id(c->string, "u", &seller) != 0)
      return pa_market_fail(e, "delivery", "delivery's members are sellers' ids (\"u_1\")");
    if (!cJSON_IsString(c) ||
        (strcmp(c->valuestring, "pickup") != 0 && strcmp(c->valuestring, "ship") != 0))
      return pa_market_fail(e, "delivery", "Each seller's delivery is \"pickup\" or \"ship\"");
    for (int i = 0; i < out->n; i++)
      if (out->delivery[i].seller == seller)
        return pa_market_fail(e, "delivery", "delivery names a seller twice");
    out->delivery[out->n].seller = seller;
    out->delivery[out->n].pickup = strcmp(c->valuestring, "pickup") == 0;
    out->n++;
  }
  return 0;
}

int pa_market_ship_checkout_parse(const cJSON *body, pa_market_checkout *out, pa_market_err *e) {
  memset(out, 0, sizeof *out);
  if (!cJSON_IsObject(body)) return pa_market_fail(e, NULL, "The body must be a JSON object");
  const cJSON *address = NULL, *delivery = NULL;
  for (const cJSON *c = body->child; c; c = c->next) {
    const cJSON **slot = !c->string                           ? NULL
                         : strcmp(c->string, "address") == 0  ? &address
                         : strcmp(c->string, "delivery") == 0 ? &delivery
                                                              : NULL;
    if (!slot) return pa_market_fail_member(e, c);
    if (*slot) return pa_market_fail(e, c->string, "%s is sent twice", c->string);
    *slot = c;
  }
  if (!address || !cJSON_IsString(address) ||
      pa_market_order_id(address->valuestring, "adr", &out->address) != 0)
    return pa_market_fail(e, "address",
                          "address is required: an id of your address book (\"adr_1\")");
  return delivery ? read_delivery(delivery, out, e) : 0;
}

int pa_market_ship_wants_pickup(const pa_market_checkout *c, int64_t seller) {
  for (int i = 0; i < c->n; i++)
    if (c->delivery[i].seller == seller) return c->delivery[i].pickup;
  return 0;
}
