/* Billing handlers: plans, checkout, the person's billing, cancel and resume,
 * and the providers' webhooks. The decisions are pa_billing's (billing/);
 * these read requests and write answers. Amounts go out as integer minor
 * units with their currency and as the exact decimal text (money.h). */
#include "billing/billing.h"

#include "api/api.h"
#include "clock.h"
#include "log.h"
#include "origin.h"
#include "pay/catalog.h"
#include "store/people.h"
#include "str.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON */

static int add_money(cJSON *obj, int64_t minor, const char *currency) {
  pa_money m = {.minor = minor};
  char text[PA_MONEY_TEXT_MAX];
  snprintf(m.currency, sizeof m.currency, "%s", currency);
  if (pa_money_format(&m, text, sizeof text) < 0) snprintf(text, sizeof text, "0");
  return cJSON_AddNumberToObject(obj, "amount_minor", (double)minor) &&
                 cJSON_AddStringToObject(obj, "currency", currency) &&
                 cJSON_AddStringToObject(obj, "amount", text)
             ? 0
             : -1;
}

static cJSON *entitlements_json(pa_catalog_tier t) {
  const pa_catalog_entitlements *e = pa_catalog_entitlements_of(t);
  cJSON *o = cJSON_CreateObject();
  if (o && cJSON_AddBoolToObject(o, "ads", e->ads) && cJSON_AddBoolToObject(o, "badge", e->badge) &&
      cJSON_AddBoolToObject(o, "priority_support", e->priority_support) &&
      cJSON_AddNumberToObject(o, "photos_per_post", e->photos_per_post) &&
      cJSON_AddNumberToObject(o, "reel_seconds", e->reel_seconds))
    return o;
  cJSON_Delete(o);
  return NULL;
}

/* A country from ?country= (two upper-case letters); when absent, the one
 * the signed-in person declared on their profile (never one guessed from
 * the address), else "US". */
static int query_country(pa_srv_req *rq, char out[3]) {
  char c[8];
  int rc = pa_api_query(rq, "country", c, sizeof c);
  if (rc < 0) return -1;
  if (rc == 1) {
    char declared[3] = "";
    if (rq->viewer && pa_store_people_country(rq->db, rq->viewer, declared) == PA_STORE_EDB) {
      pa_api_internal(rq, "country");
      return -1;
    }
    snprintf(c, sizeof c, "%s", declared[0] ? declared : "US");
  }
  if (!pa_catalog_country_ok(c)) {
    PA_BAD(rq, "country must be an ISO 3166 code like BR");
    return -1;
  }
  memcpy(out, c, 3);
  return 0;
}

void pa_api_billing_plans(pa_srv_req *rq) {
  char country[3];
  if (query_country(rq, country) != 0) return;
  int n = 0, bad = 0;
  const pa_catalog_plan *plans = pa_catalog_plans(&n);
  pa_pay_provider providers[2];
  int np = pa_catalog_providers(country, providers);
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "plans");
  bad |= !cJSON_AddStringToObject(root, "country", country) || !list;
  for (int i = 0; i < n && !bad; i++) {
    if (plans[i].months <= 0) continue;
    cJSON *p = cJSON_CreateObject(), *offers = cJSON_AddArrayToObject(p, "offers");
    bad |= !p || !cJSON_AddItemToArray(list, p) || !offers ||
           !cJSON_AddStringToObject(p, "id", plans[i].id) ||
           !cJSON_AddStringToObject(p, "tier", pa_catalog_tier_name(plans[i].tier)) ||
           !cJSON_AddStringToObject(p, "interval", plans[i].interval);
    for (int k = 0; k < np && !bad; k++) {
      pa_money price;
      if (!pa_pay_enabled(rq->srv->pay, providers[k], country) ||
          pa_catalog_price(plans[i].id, providers[k], country, &price) != 0)
        continue;
      cJSON *o = cJSON_CreateObject();
      bad |= !o || !cJSON_AddItemToArray(offers, o) ||
             !cJSON_AddStringToObject(o, "provider", pa_pay_provider_name(providers[k])) ||
             add_money(o, price.minor, price.currency) != 0;
    }
  }
  cJSON *ent = bad ? NULL : cJSON_AddObjectToObject(root, "entitlements");
  cJSON *fr = entitlements_json(PA_TIER_FREE), *pl = entitlements_json(PA_TIER_PLUS);
  if (!ent || !fr || !pl) {
    cJSON_Delete(fr);
    cJSON_Delete(pl);
    bad = 1;
  } else {
    cJSON_AddItemToObject(ent, "free", fr);
    cJSON_AddItemToObject(ent, "plus", pl);
  }
  if (bad) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* What the return page shows for a checkout. */
static const char *checkout_status(pa_srv_req *rq, const pa_store_sub *s) {
  int64_t until = 0;
  if (!strcmp(s->status, "unreachable")) return "unreachable";
  if (!strcmp(s->status, "abandoned")) return "cancelled";
  if (!strcmp(s->status, "declined")) return "declined";
  if (!strcmp(s->status, "pending")) return "pending";
  pa_store_pay_plus_until(rq->db, s->user_id, &until);
  if (until > pa_clock_now()) return "active";
  /* Approved, but no payment went through. */
  return s->failed_at ? "declined" : "pending";
}

static cJSON *checkout_json(pa_srv_req *rq, const pa_store_sub *s) {
  cJSON *o = cJSON_CreateObject();
  if (o && !pa_api_add_id(o, "id", "co", s->id) &&
      cJSON_AddStringToObject(o, "status", checkout_status(rq, s)) &&
      cJSON_AddStringToObject(o, "plan", s->plan) &&
      cJSON_AddStringToObject(o, "provider", s->provider) &&
      (s->approve_url[0] && !strcmp(s->status, "pending")
           ? cJSON_AddStringToObject(o, "approve_url", s->approve_url) != NULL
           : cJSON_AddNullToObject(o, "approve_url") != NULL))
    return o;
  cJSON_Delete(o);
  return NULL;
}

static void send_checkout(pa_srv_req *rq, int status, const pa_store_sub *s) {
  cJSON *root = cJSON_CreateObject(), *c = checkout_json(rq, s);
  if (!root || !c) {
    cJSON_Delete(root);
    cJSON_Delete(c);
    root = NULL;
  } else {
    cJSON_AddItemToObject(root, "checkout", c);
  }
  pa_api_json(rq, status, root);
}

/* Maps a pa_billing failure to its answer; for an unreachable provider the
 * checkout (when there is one) goes with it, so the client can retry it. */
static void billing_error(pa_srv_req *rq, int rc, const pa_store_sub *s) {
  switch (rc) {
  case PA_BILLING_ENOTOFFERED:
    pa_api_error(rq, 400, "not_offered", "That plan is not sold through that provider there", NULL);
    return;
  case PA_BILLING_EUNAVAILABLE:
    pa_api_error(rq, 503, "provider_unavailable", "That payment provider is not available", NULL);
    return;
  case PA_BILLING_EREFUSED:
    pa_api_error(rq, 502, "provider_refused", "The payment provider refused", NULL);
    return;
  case PA_BILLING_ESTATE:
    pa_api_error(rq, 409, "conflict", "Not possible in the subscription's current state", NULL);
    return;
  case PA_BILLING_ENOTFOUND: PA_NOT_FOUND(rq, "No such subscription"); return;
  case PA_BILLING_EUNREACHABLE:
    if (s) {
      cJSON *root = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(root, "error");
      cJSON *c = checkout_json(rq, s);
      if (err && c && cJSON_AddStringToObject(err, "code", "provider_unreachable") &&
          cJSON_AddStringToObject(err, "message",
                                  "The payment provider did not answer; try again")) {
        cJSON_AddItemToObject(root, "checkout", c);
        pa_api_json(rq, 502, root);
        return;
      }
      cJSON_Delete(c);
      cJSON_Delete(root);
    }
    pa_api_error(rq, 502, "provider_unreachable", "The payment provider did not answer; try again",
                 NULL);
    return;
  default: pa_api_internal(rq, "billing");
  }
}

static void base_url(pa_srv_req *rq, char *out, size_t cap) {
  snprintf(out, cap, "%s", pa_origin_base(pa_api_origins(rq)));
}

void pa_api_billing_checkout(pa_srv_req *rq) {
  static const char *const fields[] = {"plan", "provider", "country", NULL};
  const char *plan, *provider, *country;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "plan", 1, 1, 40, 0, &plan) ||
      pa_api_str(rq, body, "provider", 1, 1, 20, 0, &provider) ||
      pa_api_str(rq, body, "country", 1, 2, 2, 0, &country))
    goto out;
  if (!pa_catalog_country_ok(country)) {
    pa_api_field_error(rq, 400, "bad_request", "country must be an ISO 3166 code like BR",
                       "country");
    goto out;
  }
  pa_pay_provider p = pa_pay_provider_parse(provider);
  if (!p) {
    pa_api_field_error(rq, 400, "bad_request", "provider must be paypal or mercadopago",
                       "provider");
    goto out;
  }
  if (!pa_catalog_find(plan)) {
    pa_api_field_error(rq, 400, "bad_request", "No such plan", "plan");
    goto out;
  }
  char base[PA_PAY_URL_MAX];
  base_url(rq, base, sizeof base);
  pa_store_sub s;
  memset(&s, 0, sizeof s);
  s.created_at = pa_clock_now();
  int rc = pa_billing_checkout(rq->db, rq->srv->pay, rq->viewer, plan, p, country, base, &s);
  if (rc == PA_BILLING_OK)
    send_checkout(rq, 201, &s);
  else
    billing_error(rq, rc, s.id ? &s : NULL);
out:
  cJSON_Delete(body);
}

/* The viewer's checkout named in the path; -1 (404 sent) when not theirs. */
static int own_checkout(pa_srv_req *rq, pa_store_sub *s) {
  int rc = pa_store_pay_subs_get(rq->db, rq->ids[0], s);
  if (rc == PA_STORE_OK && s->user_id == rq->viewer) return 0;
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND)
    pa_api_internal(rq, "checkout");
  else
    PA_NOT_FOUND(rq, "No such checkout"); /* another person's looks like none */
  return -1;
}

void pa_api_billing_checkout_get(pa_srv_req *rq) {
  pa_store_sub s;
  if (own_checkout(rq, &s) != 0) return;
  /* The return page polls: ask the provider (not more often than
   * PA_BILLING_POLL_RECHECK_SECONDS), so a late or lost webhook never keeps
   * a person waiting. */
  const int64_t now = pa_clock_now();
  char payment[PA_PAY_ID_MAX];
  int q = pa_api_query(rq, "payment", payment, sizeof payment);
  if (q < 0) return;
  if (s.provider_id[0] && !strcmp(s.status, "pending") && s.once)
    /* A pass: PayPal's order is captured now; Mercado Pago's return URL
     * named the payment (?payment=), which must pay this checkout. */
    pa_billing_order_paid(rq->db, rq->srv->pay, &s, q == 0 ? payment : NULL, now);
  else if (s.provider_id[0] && !strcmp(s.status, "pending") &&
           s.checked_at <= now - PA_BILLING_POLL_RECHECK_SECONDS)
    pa_billing_refresh(rq->db, rq->srv->pay, &s, now);
  send_checkout(rq, 200, &s);
}

void pa_api_billing_checkout_retry(pa_srv_req *rq) {
  pa_store_sub s;
  if (own_checkout(rq, &s) != 0) return;
  char base[PA_PAY_URL_MAX];
  base_url(rq, base, sizeof base);
  int rc = pa_billing_retry(rq->db, rq->srv->pay, &s, base);
  if (rc == PA_BILLING_OK)
    send_checkout(rq, 200, &s);
  else
    billing_error(rq, rc, &s);
}

void pa_api_billing_checkout_abandon(pa_srv_req *rq) {
  pa_store_sub s;
  if (own_checkout(rq, &s) != 0) return;
  int rc = pa_billing_abandon(rq->db, rq->srv->pay, &s, pa_clock_now());
  if (rc == PA_BILLING_OK)
    send_checkout(rq, 200, &s);
  else
    billing_error(rq, rc, NULL);
}

/* ---- the person's billing */

static int add_receipt(void *ctx, const pa_store_receipt *r) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "rc", r->id) || pa_api_add_time(o, "at", r->at) ||
                 !cJSON_AddStringToObject(o, "kind", r->kind) ||
                 !cJSON_AddStringToObject(o, "provider", r->provider) ||
                 !cJSON_AddStringToObject(o, "plan", r->plan) ||
                 add_money(o, r->gross_minor, r->currency)
             ? -1
             : 0;
}

static int add_notice(void *ctx, const char *kind, int64_t at) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return !cJSON_AddStringToObject(o, "kind", kind) || pa_api_add_time(o, "at", at) ? -1 : 0;
}

/* The subscription as Billing shows it. */
static cJSON *subscription_json(pa_srv_req *rq, const pa_store_sub *s, int64_t now) {
  int64_t paid = 0;
  if (pa_billing_paid_until(rq->db, s->party_id, &paid) != PA_BILLING_OK) return NULL;
  const char *status = s->status;
  int renewing = !s->once && !s->cancel_at_period_end &&
                 (!strcmp(status, "active") || !strcmp(status, "suspended"));
  if (s->once)
    status = paid > now ? "active" : "expired"; /* a pass just runs out */
  else if (renewing && paid <= now)
    status = "past_due"; /* the provider is retrying the renewal */
  else if (s->cancel_at_period_end || !strcmp(status, "cancelled"))
    status = paid > now ? "cancelled" : "expired";
  else if (!strcmp(status, "suspended"))
    status = "past_due";
  cJSON *o = cJSON_CreateObject();
  int bad = !o || pa_api_add_id(o, "id", "sub", s->id) ||
            !cJSON_AddStringToObject(o, "plan", s->plan) ||
            !cJSON_AddStringToObject(o, "provider", s->provider) ||
            !cJSON_AddStringToObject(o, "status", status) ||
            !cJSON_AddBoolToObject(o, "cancel_at_period_end",
                                   s->cancel_at_period_end || !strcmp(s->status, "cancelled"));
  if (!bad)
    bad = paid ? pa_api_add_time(o, "current_period_end", paid)
               : !cJSON_AddNullToObject(o, "current_period_end");
  if (!bad && renewing && s->next_charge_at) {
    cJSON *next = cJSON_AddObjectToObject(o, "next_charge");
    bad = !next || pa_api_add_time(next, "at", s->next_charge_at) ||
          add_money(next, s->amount_minor, s->currency);
  } else if (!bad) {
    bad = !cJSON_AddNullToObject(o, "next_charge");
  }
  if (!bad)
    bad = renewing && paid ? pa_api_add_time(o, "grace_until", paid + PA_BILLING_GRACE_SECONDS)
                           : !cJSON_AddNullToObject(o, "grace_until");
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void pa_api_billing_get(pa_srv_req *rq) {
  const int64_t now = pa_clock_now();
  int64_t until = 0, party = 0;
  pa_store_sub s;
  int rc = pa_store_pay_plus_until(rq->db, rq->viewer, &until);
  int has = rc == PA_STORE_OK ? pa_store_pay_subs_current(rq->db, rq->viewer, &s) : rc;
  if (rc != PA_STORE_OK || (has != PA_STORE_OK && has != PA_STORE_ENOTFOUND)) {
    pa_api_internal(rq, "billing");
    return;
  }
  party = has == PA_STORE_OK ? s.party_id : 0;
  const pa_catalog_tier tier = until > now ? PA_TIER_PLUS : PA_TIER_FREE;
  cJSON *root = cJSON_CreateObject(), *ent = entitlements_json(tier), *sub = NULL;
  int bad = !root || !ent || !cJSON_AddStringToObject(root, "tier", pa_catalog_tier_name(tier));
  if (!bad) cJSON_AddItemToObject(root, "entitlements", ent), ent = NULL;
  if (!bad && has == PA_STORE_OK) {
    bad = !(sub = subscription_json(rq, &s, now));
    if (!bad) cJSON_AddItemToObject(root, "subscription", sub);
  } else if (!bad) {
    bad = !cJSON_AddNullToObject(root, "subscription");
  }
  cJSON *receipts = bad ? NULL : cJSON_AddArrayToObject(root, "receipts");
  cJSON *notices = bad ? NULL : cJSON_AddArrayToObject(root, "notices");
  bad |= !receipts || !notices ||
         (party && pa_store_pay_ledger_receipts(rq->db, party, PA_BILLING_RECEIPTS_MAX, add_receipt,
                                                receipts) != PA_STORE_OK) ||
         pa_store_pay_notices(rq->db, rq->viewer, PA_BILLING_NOTICES_MAX, add_notice, notices) !=
             PA_STORE_OK;
  cJSON_Delete(ent);
  if (bad) {
    cJSON_Delete(root);
    pa_api_internal(rq, "billing");
    return;
  }
  pa_api_json(rq, 200, root);
}

static void change(pa_srv_req *rq, int (*fn)(pa_store *, pa_pay *, pa_store_sub *, int64_t)) {
  static const char *const fields[] = {NULL};
  cJSON *body = NULL;
  pa_store_sub s;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields)) goto out;
  int rc = pa_store_pay_subs_current(rq->db, rq->viewer, &s);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "You have no subscription");
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "subscription");
    goto out;
  }
  const int64_t now = pa_clock_now();
  rc = fn(rq->db, rq->srv->pay, &s, now);
  if (rc != PA_BILLING_OK) {
    billing_error(rq, rc, NULL);
    goto out;
  }
  cJSON *root = cJSON_CreateObject(), *sub = subscription_json(rq, &s, now);
  if (!root || !sub) {
    cJSON_Delete(root);
    cJSON_Delete(sub);
    root = NULL;
  } else {
    cJSON_AddItemToObject(root, "subscription", sub);
  }
  pa_api_json(rq, 200, root);
out:
  cJSON_Delete(body);
}

void pa_api_billing_cancel(pa_srv_req *rq) { change(rq, pa_billing_cancel); }
void pa_api_billing_resume(pa_srv_req *rq) { change(rq, pa_billing_resume); }

/* ---- webhooks */

static const char *header_of(void *ctx, const char *name) { return pa_srv_req_header(ctx, name); }

static void webhook(pa_srv_req *rq, pa_pay_provider p) {
  unsigned char *body;
  size_t len;
  char err[PA_PAY_ERR_MAX] = "";
  if (pa_srv_body(rq, PA_PAY_WEBHOOK_MAX, &body, &len) != 0) return;
  pa_pay_webhook wh = {p, body, len, rq->query, header_of, rq};
  pa_pay_event ev;
  memset(&ev, 0, sizeof ev);
  int rc = pa_pay_webhook_open(rq->srv->pay, &wh, &ev, err);
  if (rc != PA_PAY_OK) {
    /* A forgery or a body we cannot read changes nothing. A certificate we
     * could not fetch is our trouble: 503 makes the provider resend. */
    pa_log_event("warn", "billing", "%s webhook refused: %s", pa_pay_provider_name(p), err);
    free(body);
    if (rc == PA_PAY_EUNREACHABLE)
      pa_api_error(rq, 503, "unavailable", "Try again later", NULL);
    else if (rc == PA_PAY_ENOTCONFIGURED)
      pa_api_error(rq, 404, "not_found", "No such webhook", NULL);
    else
      pa_api_error(rq, rc == PA_PAY_EVERIFY ? 401 : 400,
                   rc == PA_PAY_EVERIFY ? "bad_signature" : "bad_request",
                   rc == PA_PAY_EVERIFY ? "The signature does not verify" : "Not a webhook event",
                   NULL);
    return;
  }
  int added = 0;
  rc = pa_store_pay_event_add(rq->db, pa_pay_provider_name(p), ev.id, body, len, rq->query,
                              pa_clock_now(), &added);
  free(body);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "queue webhook"); /* 500: the provider resends */
    return;
  }
  if (added) pa_worker_wake(rq->srv->billing);
  pa_api_ok(rq);
}

void pa_api_webhook_paypal(pa_srv_req *rq) { webhook(rq, PA_PAY_PAYPAL); }
void pa_api_webhook_mercadopago(pa_srv_req *rq) { webhook(rq, PA_PAY_MERCADOPAGO); }
