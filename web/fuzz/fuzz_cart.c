/* libFuzzer target: the marketplace's cart, address, checkout, shipping,
 * review, reply, refund request, dispute, order message and dispute
 * decision body readers (web/src/market_order.c) on untrusted bytes. The
 * first byte picks the reader (its value modulo 12: 0 and 4 a cart line, 1
 * and 5 an address, 2 a checkout, 3 a shipment, 6 a review, 7 a seller's
 * reply, 8 a refund request's or a decline's {"reason"}, 9 a dispute's or
 * an answer's {"text"}, 10 an order message, 11 a moderator's decision),
 * the rest is the JSON body as a request sends it. The checkout reader is
 * market_ship.c's (with its delivery member), and the same bytes are read
 * as a listing's shipping and quoted for a few addresses (the shipping
 * rule, market_ship.h).
 * Invariants: an accepted body's ids are positive, its quantity within
 * 1..PA_CART_QUANTITY_MAX, its strings NUL-terminated inside their buffers
 * and within their limits in code points, a review's rating within
 * PA_REVIEW_RATING_MIN..MAX, a decision one of the two with its note
 * within PA_CLAIM_NOTE_MAX, an address's JSON reads back to the same, a
 * checkout's delivery names at most PA_CART_LINES_MAX distinct positive
 * sellers and agrees with the address-only reader, a quote is one of the
 * listing's own rates (0 for pickup and services) and several lines cost
 * their dearest; a refused body has status 400, a code, a message and a
 * field of the contract's shape. */
#include "fuzz_check.h"
#include "market_order.h"
#include "market_ship.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const pa_market_err *e) {
  ASSERT(e->status == 400);
  ASSERT(e->code && e->code[0] && e->message[0]);
  TERMINATED(e->message);
  TERMINATED(e->field);
  for (const char *p = e->field; *p; p++)
    ASSERT(strchr("abcdefghijklmnopqrstuvwxyz_0123456789", *p));
}

static void check_address(const pa_market_address *a) {
  TERMINATED(a->name);
  TERMINATED(a->line1);
  TERMINATED(a->city);
  ASSERT(points(a->name) >= 1 && points(a->name) <= PA_ADDRESS_NAME_MAX);
  ASSERT(points(a->line1) >= 1 && points(a->line1) <= PA_ADDRESS_LINE_MAX);
  ASSERT(points(a->line2) <= PA_ADDRESS_LINE_MAX);
  ASSERT(points(a->city) >= 1 && points(a->city) <= PA_ADDRESS_CITY_MAX);
  ASSERT(points(a->postal_code) <= PA_ADDRESS_POSTAL_MAX);
  ASSERT(strlen(a->country) == 2);
  char *text = pa_market_address_json(a);
  if (!text) return; /* out of memory */
  cJSON *back = cJSON_Parse(text);
  pa_market_address b;
  pa_market_err e;
  ASSERT(back && pa_market_address_parse(back, &b, &e) == 0);
  ASSERT(memcmp(a, &b, sizeof b) == 0);
  cJSON_Delete(back);
  cJSON_free(text);
}

/* 1 when object o names a member twice. */
static int repeats(const cJSON *o) {
  for (const cJSON *a = o->child; a; a = a->next)
    for (const cJSON *b = a->next; b; b = b->next)
      if (a->string && b->string && strcmp(a->string, b->string) == 0) return 1;
  return 0;
}

/* The body as a listing's stored shipping (pa_market_shipping_load), quoted
 * for a few addresses as a product and as a service, alone and twice. */
static void check_quote(const cJSON *body) {
  static pa_market_listing l;
  static pa_market_ship_offer o[2];
  pa_market_err e;
  char *text = cJSON_PrintUnformatted(body);
  if (!text) return;
  memset(&l, 0, sizeof l);
  int loaded = pa_market_shipping_load(text, &l, &e) == 0;
  cJSON_free(text);
  if (!loaded) return;
  static const char *const places[][2] = {{"BR", "Porto Alegre"}, {"AR", "Canoas"}, {"BR", ""}};
  for (int kind = 0; kind < 2; kind++) {
    l.kind = kind ? PA_MARKET_SERVICE : PA_MARKET_PRODUCT;
    snprintf(l.country, sizeof l.country, "BR");
    pa_market_ship_offer_of(&l, &o[0]);
    o[1] = o[0];
    const pa_market_ship_offer *const two[2] = {&o[0], &o[1]};
    for (size_t p = 0; p < sizeof places / sizeof places[0]; p++)
      for (int pickup = 0; pickup < 2; pickup++) {
        int m = -1, m2 = -1, failed = -2;
        int64_t price = -1, price2 = -1;
        const int rc = pa_market_ship_line(&o[0], places[p][0], places[p][1], pickup, &m, &price);
        ASSERT(m >= 0 && m < PA_SHIP_METHODS && pa_market_ship_method_name(m));
        ASSERT(price >= 0);
        if (rc == 0 && (m != PA_SHIP_SHIP)) ASSERT(price == 0);
        if (rc == 0 && m == PA_SHIP_SHIP) {
          int own = 0;
          for (int z = 0; z < o[0].nzones; z++) own |= o[0].zones[z].price_minor == price;
          ASSERT(own);
        }
        if (rc == 0 && pickup && kind == 0) ASSERT(o[0].pickup);
        const int rc2 =
            pa_market_ship_order(two, 2, places[p][0], places[p][1], pickup, &m2, &price2, &failed);
        ASSERT(rc2 == rc);
        ASSERT(rc2 == 0 ? failed == -1 && price2 == price : failed == 0);
      }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 8192) return 0;
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  cJSON *body = cJSON_Parse(text);
  free(text);
  if (!body) return 0;
  pa_market_err e;
  memset(&e, 0, sizeof e);
  switch (data[0] % 12) {
  case 0:
  case 4: {
    pa_market_cart_line l;
    if (pa_market_cart_parse(body, &l, &e) == 0) {
      ASSERT(l.listing > 0 && l.variant >= 0);
      ASSERT(l.quantity >= 1 && l.quantity <= PA_CART_QUANTITY_MAX);
    } else {
      check_err(&e);
    }
    break;
  }
  case 1:
  case 5: {
    pa_market_address a;
    if (pa_market_address_parse(body, &a, &e) == 0)
      check_address(&a);
    else
      check_err(&e);
    break;
  }
  case 2: {
    int64_t id = 0;
    static pa_market_checkout c;
    const int old = pa_market_checkout_parse(body, &id, &e);
    if (old == 0) ASSERT(id > 0);
    memset(&e, 0, sizeof e);
    if (pa_market_ship_checkout_parse(body, &c, &e) == 0) {
      ASSERT(c.address > 0);
      ASSERT(old != 0 || c.address == id); /* what the older reader takes means the same */
      ASSERT(c.n >= 0 && c.n <= PA_CART_LINES_MAX);
      for (int i = 0; i < c.n; i++) {
        ASSERT(c.delivery[i].seller > 0);
        ASSERT(c.delivery[i].pickup == 0 || c.delivery[i].pickup == 1);
        for (int j = 0; j < i; j++) ASSERT(c.delivery[j].seller != c.delivery[i].seller);
        ASSERT(pa_market_ship_wants_pickup(&c, c.delivery[i].seller) == c.delivery[i].pickup);
      }
    } else {
      /* Every address-only body stays good, unless it repeats a member
       * (the newer reader refuses that; the older one took the first). */
      ASSERT(old != 0 || repeats(body));
      check_err(&e);
    }
    check_quote(body);
    break;
  }
  case 6: {
    pa_market_review r;
    if (pa_market_review_parse(body, &r, &e) == 0) {
      ASSERT(r.rating >= PA_REVIEW_RATING_MIN && r.rating <= PA_REVIEW_RATING_MAX);
      TERMINATED(r.text);
      ASSERT(points(r.text) <= PA_REVIEW_TEXT_MAX);
    } else {
      check_err(&e);
    }
    break;
  }
  case 7: {
    char reply[PA_MARKET_CAP(PA_REVIEW_REPLY_MAX)];
    if (pa_market_review_reply_parse(body, reply, sizeof reply, &e) == 0) {
      TERMINATED(reply);
      ASSERT(points(reply) >= 1 && points(reply) <= PA_REVIEW_REPLY_MAX);
    } else {
      check_err(&e);
    }
    break;
  }
  case 8:
  case 9:
  case 10: {
    const char *name = data[0] % 12 == 8 ? "reason" : "text";
    const long max = data[0] % 12 == 10 ? PA_ORDER_MESSAGE_MAX : PA_CLAIM_TEXT_MAX;
    char out[PA_MARKET_CAP(PA_ORDER_MESSAGE_MAX)];
    if (pa_market_text_body_parse(body, name, max, out, PA_MARKET_CAP(max), &e) == 0) {
      TERMINATED(out);
      ASSERT(points(out) >= 1 && points(out) <= max);
    } else {
      check_err(&e);
    }
    break;
  }
  case 11: {
    int decision = 0;
    char note[PA_MARKET_CAP(PA_CLAIM_NOTE_MAX)];
    if (pa_market_decision_parse(body, &decision, note, sizeof note, &e) == 0) {
      ASSERT(decision == PA_CLAIM_DECIDE_REFUND || decision == PA_CLAIM_DECIDE_RELEASE);
      TERMINATED(note);
      ASSERT(points(note) <= PA_CLAIM_NOTE_MAX);
    } else {
      check_err(&e);
    }
    break;
  }
  default: {
    pa_market_shipment s;
    if (pa_market_ship_parse(body, &s, &e) == 0) {
      TERMINATED(s.carrier);
      TERMINATED(s.tracking);
      ASSERT(points(s.carrier) >= 1 && points(s.carrier) <= PA_ORDER_CARRIER_MAX);
      ASSERT(points(s.tracking) >= 1 && points(s.tracking) <= PA_ORDER_TRACKING_MAX);
    } else {
      check_err(&e);
    }
  }
  }
  cJSON_Delete(body);
  return 0;
}
