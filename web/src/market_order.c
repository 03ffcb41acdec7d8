/* pa_market_order: the cart, address and order rules (market_order.h). */
#include "market_order.h"

#include "profile.h"
#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const states[PA_ORDER_STATES] = {"awaiting_payment", "paid",      "shipped",
                                                    "delivered",        "completed", "cancelled"};

const char *pa_market_order_state_name(int s) {
  return s >= 0 && s < PA_ORDER_STATES ? states[s] : NULL;
}

int pa_market_order_state_find(const char *s) {
  for (int i = 0; s && i < PA_ORDER_STATES; i++)
    if (strcmp(s, states[i]) == 0) return i;
  return -1;
}

int pa_market_order_can(int from, int to) {
  switch (to) {
  case PA_ORDER_PAID: return from == PA_ORDER_AWAITING_PAYMENT;
  case PA_ORDER_SHIPPED: return from == PA_ORDER_PAID;
  case PA_ORDER_DELIVERED: return from == PA_ORDER_SHIPPED;
  case PA_ORDER_COMPLETED: return from == PA_ORDER_DELIVERED;
  /* Once shipped the goods are on their way: a refund then is a refund
   * request's the seller accepted, or a dispute's a moderator decided
   * (pa_market_claim_can), never a plain cancellation. */
  case PA_ORDER_CANCELLED:
    return from == PA_ORDER_AWAITING_PAYMENT || from == PA_ORDER_PAID || from == PA_ORDER_SHIPPED ||
           from == PA_ORDER_DELIVERED;
  default: return 0;
  }
}

static const char *const claim_states[PA_CLAIM_STATES] = {"requested", "declined", "disputed",
                                                          "refunded", "released"};

const char *pa_market_claim_state_name(int s) {
  return s >= 0 && s < PA_CLAIM_STATES ? claim_states[s] : NULL;
}

int pa_market_claim_state_find(const char *s) {
  for (int i = 0; s && i < PA_CLAIM_STATES; i++)
    if (strcmp(s, claim_states[i]) == 0) return i;
  return -1;
}

int pa_market_claim_can(int from, int to) {
  switch (to) {
  case PA_CLAIM_REQUESTED: return from == -1;
  case PA_CLAIM_DECLINED: return from == PA_CLAIM_REQUESTED;
  case PA_CLAIM_DISPUTED: return from == PA_CLAIM_REQUESTED || from == PA_CLAIM_DECLINED;
  case PA_CLAIM_REFUNDED: return from == PA_CLAIM_REQUESTED || from == PA_CLAIM_DISPUTED;
  case PA_CLAIM_RELEASED: return from == PA_CLAIM_DISPUTED;
  default: return 0;
  }
}

int pa_market_claim_open(int s) { return s == PA_CLAIM_REQUESTED || s == PA_CLAIM_DISPUTED; }

int pa_market_order_open(int s) { return s != PA_ORDER_COMPLETED && s != PA_ORDER_CANCELLED; }

int64_t pa_market_fee(int64_t amount, int fee_bps) {
  if (amount <= 0 || fee_bps <= 0) return 0;
  if (fee_bps >= 10000) return amount;
  /* amount ≤ 10^15 (the listing's CHECK) times 10^4 fits in 63 bits. */
  return amount / 10000 * fee_bps + amount % 10000 * fee_bps / 10000;
}

/* ---- readers */

int pa_market_fail(pa_market_err *e, const char *field, const char *fmt, ...) {
  va_list ap;
  e->status = 400;
  e->code = "bad_request";
  snprintf(e->field, sizeof e->field, "%s", field ? field : "");
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  return -1;
}

int pa_market_fail_member(pa_market_err *e, const cJSON *c) {
  size_t n = c->string ? strlen(c->string) : 0;
  if (n == 0 || n > 30 || strspn(c->string, "abcdefghijklmnopqrstuvwxyz_") != n)
    return pa_market_fail(e, NULL, "A member is not one this object has");
  return pa_market_fail(e, c->string, "%s is not a member of this object", c->string);
}

static int only(pa_market_err *e, const cJSON *obj, const char *const *names) {
  if (!cJSON_IsObject(obj)) return pa_market_fail(e, NULL, "The body must be a JSON object");
  for (const cJSON *c = obj->child; c; c = c->next) {
    int known = 0;
    for (const char *const *n = names; *n && !known; n++)
      known = c->string && strcmp(c->string, *n) == 0;
    if (!known) return pa_market_fail_member(e, c);
  }
  return 0;
}

int pa_market_order_id(const char *s, const char *prefix, int64_t *out) {
  size_t p = strlen(prefix);
  if (!s || strncmp(s, prefix, p) != 0 || s[p] != '_' || s[p + 1] < '1' || s[p + 1] > '9')
    return -1;
  int64_t v = 0;
  const char *d = s + p + 1;
  if (strlen(d) > 15 || strspn(d, "0123456789") != strlen(d)) return -1;
  for (; *d; d++) v = v * 10 + (*d - '0');
  *out = v;
  return 0;
}

/* An id member; absent: 1 when optional, else an error. */
static int id_member(pa_market_err *e, const cJSON *obj, const char *name, const char *prefix,
                     int required, int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  if (!v) return required ? pa_market_fail(e, name, "%s is required", name) : 1;
  if (!cJSON_IsString(v) || pa_market_order_id(v->valuestring, prefix, out) != 0)
    return pa_market_fail(e, name, "%s must be an id like %s_1", name, prefix);
  return 0;
}

/* A text member of min..max code points into out; absent: 1 when optional. */
static int text(pa_market_err *e, const cJSON *obj, const char *name, long min, long max, char *out,
                size_t cap) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  if (!v) {
    if (min > 0) return pa_market_fail(e, name, "%s is required", name);
    out[0] = '\0';
    return 1;
  }
  if (!cJSON_IsString(v) || !v->valuestring)
    return pa_market_fail(e, name, "%s must be a string", name);
  size_t n = strlen(v->valuestring);
  long len = pa_str_utf8_len(v->valuestring, n, 0);
  if (len < 0)
    return pa_market_fail(e, name, "%s must be UTF-8 text without control characters", name);
  if (len < min || len > max || n >= cap)
    return pa_market_fail(e, name, "%s must be %ld to %ld characters long", name, min, max);
  memcpy(out, v->valuestring, n + 1);
  return 0;
}

int pa_market_cart_parse(const cJSON *body, pa_market_cart_line *out, pa_market_err *e) {
  static const char *const names[] = {"listing", "variant", "quantity", NULL};
  memset(out, 0, sizeof *out);
  if (only(e, body, names) || id_member(e, body, "listing", "lst", 1, &out->listing) < 0 ||
      id_member(e, body, "variant", "lv", 0, &out->variant) < 0)
    return -1;
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(body, "quantity");
  /* Never rounded: 1.5 units is refused. */
  if (!q || !cJSON_IsNumber(q) ||
      !(q->valuedouble >= 1 && q->valuedouble <= PA_CART_QUANTITY_MAX) ||
      q->valuedouble != (double)(int64_t)q->valuedouble)
    return pa_market_fail(e, "quantity", "quantity must be a whole number from 1 to %d",
                          PA_CART_QUANTITY_MAX);
  out->quantity = (int64_t)q->valuedouble;
  return 0;
}

int pa_market_address_parse(const cJSON *body, pa_market_address *a, pa_market_err *e) {
  static const char *const names[] = {"name",        "street", "unit",    "city", "region",
                                      "postal_code", "phone",  "country", NULL};
  memset(a, 0, sizeof *a);
  if (only(e, body, names) ||
      text(e, body, "name", 1, PA_ADDRESS_NAME_MAX, a->name, sizeof a->name) < 0 ||
      text(e, body, "street", 1, PA_ADDRESS_LINE_MAX, a->line1, sizeof a->line1) < 0 ||
      text(e, body, "unit", 0, PA_ADDRESS_LINE_MAX, a->line2, sizeof a->line2) < 0 ||
      text(e, body, "city", 1, PA_ADDRESS_CITY_MAX, a->city, sizeof a->city) < 0 ||
      text(e, body, "region", 0, PA_ADDRESS_REGION_MAX, a->region, sizeof a->region) < 0 ||
      text(e, body, "postal_code", 0, PA_ADDRESS_POSTAL_MAX, a->postal_code,
           sizeof a->postal_code) < 0 ||
      text(e, body, "phone", 0, PA_ADDRESS_PHONE_MAX, a->phone, sizeof a->phone) < 0 ||
      text(e, body, "country", 2, 2, a->country, sizeof a->country) < 0)
    return -1;
  if (!pa_profile_country_ok(a->country, strlen(a->country)))
    return pa_market_fail(e, "country", "country must be an ISO 3166-1 code like BR");
  return 0;
}

char *pa_market_address_json(const pa_market_address *a) {
  cJSON *o = cJSON_CreateObject();
  char *out = NULL;
  if (o && cJSON_AddStringToObject(o, "name", a->name) &&
      cJSON_AddStringToObject(o, "street", a->line1) &&
      cJSON_AddStringToObject(o, "unit", a->line2) && cJSON_AddStringToObject(o, "city", a->city) &&
      cJSON_AddStringToObject(o, "region", a->region) &&
      cJSON_AddStringToObject(o, "postal_code", a->postal_code) &&
      cJSON_AddStringToObject(o, "phone", a->phone) &&
      cJSON_AddStringToObject(o, "country", a->country))
    out = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return out;
}

int pa_market_checkout_parse(const cJSON *body, int64_t *address, pa_market_err *e) {
  static const char *const names[] = {"address", NULL};
  *address = 0;
  return only(e, body, names) || id_member(e, body, "address", "adr", 1, address) < 0 ? -1 : 0;
}

int pa_market_ship_parse(const cJSON *body, pa_market_shipment *s, pa_market_err *e) {
  static const char *const names[] = {"carrier", "tracking", NULL};
  memset(s, 0, sizeof *s);
  return only(e, body, names) ||
                 text(e, body, "carrier", 1, PA_ORDER_CARRIER_MAX, s->carrier, sizeof s->carrier) <
                     0 ||
                 text(e, body, "tracking", 1, PA_ORDER_TRACKING_MAX, s->tracking,
                      sizeof s->tracking) < 0
             ? -1
             : 0;
}

int pa_market_review_parse(const cJSON *body, pa_market_review *out, pa_market_err *e) {
  static const char *const names[] = {"rating", "text", NULL};
  memset(out, 0, sizeof *out);
  if (only(e, body, names)) return -1;
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(body, "rating");
  /* Whole stars only: 4.5 is refused, not rounded. */
  if (!r || !cJSON_IsNumber(r) ||
      !(r->valuedouble >= PA_REVIEW_RATING_MIN && r->valuedouble <= PA_REVIEW_RATING_MAX) ||
      r->valuedouble != (double)(int)r->valuedouble)
    return pa_market_fail(e, "rating", "rating must be a whole number from %d to %d",
                          PA_REVIEW_RATING_MIN, PA_REVIEW_RATING_MAX);
  out->rating = (int)r->valuedouble;
  return text(e, body, "text", 0, PA_REVIEW_TEXT_MAX, out->text, sizeof out->text) < 0 ? -1 : 0;
}

int pa_market_review_reply_parse(const cJSON *body, char *out, size_t cap, pa_market_err *e) {
  static const char *const names[] = {"text", NULL};
  if (cap) out[0] = '\0';
  return only(e, body, names) || text(e, body, "text", 1, PA_REVIEW_REPLY_MAX, out, cap) < 0 ? -1
                                                                                             : 0;
}

int pa_market_text_body_parse(const cJSON *body, const char *name, long max, char *out, size_t cap,
                              pa_market_err *e) {
  const char *const names[] = {name, NULL};
  if (cap) out[0] = '\0';
  return only(e, body, names) || text(e, body, name, 1, max, out, cap) < 0 ? -1 : 0;
}

int pa_market_decision_parse(const cJSON *body, int *decision, char *note, size_t cap,
                             pa_market_err *e) {
  static const char *const names[] = {"decision", "note", NULL};
  *decision = 0;
  if (cap) note[0] = '\0';
  if (only(e, body, names)) return -1;
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "decision");
  if (cJSON_IsString(d) && d->valuestring && strcmp(d->valuestring, "refund") == 0)
    *decision = PA_CLAIM_DECIDE_REFUND;
  else if (cJSON_IsString(d) && d->valuestring && strcmp(d->valuestring, "release") == 0)
    *decision = PA_CLAIM_DECIDE_RELEASE;
  else
    return pa_market_fail(e, "decision", "decision must be refund or release");
  return text(e, body, "note", 0, PA_CLAIM_NOTE_MAX, note, cap) < 0 ? -1 : 0;
}
