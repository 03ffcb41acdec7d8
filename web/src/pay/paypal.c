/* PayPal adapter: OAuth2 client credentials, Catalog Products, Billing Plans
 * and Subscriptions (v1), Orders and captures (v2), refunds (v1 sales, v2
 * captures). Base URL from configuration (api-m.paypal.com or paysim). */
#include "clock.h"
#include "pay/pay_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRAND "PetAmigos"

/* Provider ids go into URL paths: only the characters PayPal's ids use. */

/* ---- the OAuth token */

/* Asks for a new token; the caller holds pay->lock. */
static int fetch_token(pa_pay *pay, char err[PA_PAY_ERR_MAX]) {
  char creds[260], b64[360], auth[400], url[PA_PAY_URL_MAX + 32];
  int cl =
      snprintf(creds, sizeof creds, "%s:%s", pay->cfg.paypal_client_id, pay->cfg.paypal_secret);
  if (cl < 0 || (size_t)cl >= sizeof creds)
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PayPal credentials too long");
  sodium_bin2base64(b64, sizeof b64, (const unsigned char *)creds, (size_t)cl,
                    sodium_base64_VARIANT_ORIGINAL);
  snprintf(auth, sizeof auth, "Authorization: Basic %s", b64);
  sodium_memzero(creds, sizeof creds);
  snprintf(url, sizeof url, "%s/v1/oauth2/token", pay->cfg.paypal_api);
  const char *h[] = {auth, "Content-Type: application/x-www-form-urlencoded",
                     "Accept: application/json"};
  pa_payhttp_resp r;
  int rc = pa_pay_call(pay, "POST", url, h, 3, "grant_type=client_credentials", &r, NULL, err);
  sodium_memzero(auth, sizeof auth);
  sodium_memzero(b64, sizeof b64);
  if (rc != PA_PAY_OK) return rc;
  cJSON *root = pa_pay_json(&r, err);
  pa_payhttp_resp_free(&r);
  if (!root) return PA_PAY_EBADANSWER;
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
  const char *tok = pa_pay_jstr(root, "access_token");
  if (!tok || !*tok || pa_pay_copy(pay->token, sizeof pay->token, tok) || !cJSON_IsNumber(exp) ||
      exp->valuedouble < 1) {
    cJSON_Delete(root);
    pay->token_until = 0;
    return pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal token answer without a token");
  }
  double life = exp->valuedouble - PA_PAY_TOKEN_MARGIN_S;
  if (life < 0) life = exp->valuedouble / 2; /* short-lived tokens: half their life */
  if (life > 86400.0 * 366) life = 86400.0 * 366;
  pay->token_until = pa_clock_now() + (int64_t)life;
  cJSON_Delete(root);
  return PA_PAY_OK;
}

/* "Authorization: Bearer <token>" into auth, fetching a token when none is
 * cached or it is about to expire; force drops the cached one first. */
static int bearer(pa_pay *pay, int force, char *auth, size_t cap, char err[PA_PAY_ERR_MAX]) {
  pthread_mutex_lock(&pay->lock);
  int rc = PA_PAY_OK;
  if (force) pay->token_until = 0;
  if (!pay->token_until || pa_clock_now() >= pay->token_until) rc = fetch_token(pay, err);
  if (rc == PA_PAY_OK) snprintf(auth, cap, "Authorization: Bearer %s", pay->token);
  pthread_mutex_unlock(&pay->lock);
  return rc;
}

/* One authenticated JSON call to path. A 401 drops the cached token (PayPal
 * may revoke it early) and tries once more with a new one. key (or NULL)
 * becomes PayPal-Request-Id, PayPal's idempotency key. *root receives the
 * answer's JSON when want_json (NULL for an empty 204). */
static int api(pa_pay *pay, const char *method, const char *path, const char *body, const char *key,
               int want_json, cJSON **root, char err[PA_PAY_ERR_MAX]) {
  char url[PA_PAY_URL_MAX + 256], auth[PA_PAY_TOKEN_MAX + 32], rid[PA_PAY_ID_MAX + 24];
  if (root) *root = NULL;
  if (snprintf(url, sizeof url, "%s%s", pay->cfg.paypal_api, path) >= (int)sizeof url)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "URL too long");
  for (int attempt = 0;; attempt++) {
    int rc = bearer(pay, attempt > 0, auth, sizeof auth, err);
    if (rc != PA_PAY_OK) return rc;
    const char *h[5] = {auth, "Accept: application/json", "Content-Type: application/json",
                        "Prefer: return=representation"};
    int nh = 4;
    if (key) {
      snprintf(rid, sizeof rid, "PayPal-Request-Id: %s", key);
      h[nh++] = rid;
    }
    pa_payhttp_resp r;
    long status = 0;
    rc = pa_pay_call(pay, method, url, h, nh, body, &r, &status, err);
    sodium_memzero(auth, sizeof auth);
    if (rc == PA_PAY_EREFUSED && status == 401 && attempt == 0) continue;
    if (rc != PA_PAY_OK) return rc;
    if (want_json) {
      *root = pa_pay_json(&r, err);
      rc = *root ? PA_PAY_OK : PA_PAY_EBADANSWER;
    }
    pa_payhttp_resp_free(&r);
    return rc;
  }
}

int pa_paypal_api(pa_pay *pay, const char *method, const char *path, const char *body,
                  const char *key, cJSON **root, char err[PA_PAY_ERR_MAX]) {
  return api(pay, method, path, body, key, 1, root, err);
}

/* The body of a cJSON tree, or PA_PAY_ENOMEM. */
static char *print(cJSON *root) {
  char *s = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  return s;
}

/* ---- product and plans */

/* The PayPal plan for (plan, months, price), created once per process and
 * kept in pay->plans. Two server processes would each create their own
 * product and plan (PayPal keeps a PayPal-Request-Id only for a while): a
 * few duplicate plans at PayPal, harmless since a subscription names its
 * plan. The request ids below are derived from the plan and price, so
 * retries within PayPal's idempotency window still create one. */
static int plan_id(pa_pay *pay, const pa_pay_sub_request *rq, char out[PA_PAY_ID_MAX],
                   char err[PA_PAY_ERR_MAX]) {
  int rc = PA_PAY_OK;
  pthread_mutex_lock(&pay->lock);
  for (int i = 0; i < pay->nplans; i++) {
    pa_pay_plan_entry *e = &pay->plans[i];
    if (strcmp(e->plan, rq->plan) == 0 && e->months == rq->months &&
        e->price.minor == rq->price.minor && strcmp(e->price.currency, rq->price.currency) == 0) {
      memcpy(out, e->paypal_plan, PA_PAY_ID_MAX);
      pthread_mutex_unlock(&pay->lock);
      return PA_PAY_OK;
    }
  }
  pthread_mutex_unlock(&pay->lock);
  /* Not cached: create without holding the lock (the calls take it for the
   * token), then re-check before storing. */
  char value[PA_MONEY_TEXT_MAX], key[PA_PAY_ID_MAX], product[PA_PAY_ID_MAX];
  if (pa_money_format(&rq->price, value, sizeof value) < 0)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "price out of range");
  pthread_mutex_lock(&pay->lock);
  memcpy(product, pay->product, sizeof product);
  pthread_mutex_unlock(&pay->lock);
  cJSON *root = NULL;
  if (!product[0]) {
    cJSON *p = cJSON_CreateObject();
    if (!p || !cJSON_AddStringToObject(p, "name", BRAND " Plus") ||
        !cJSON_AddStringToObject(p, "type", "SERVICE") ||
        !cJSON_AddStringToObject(p, "category", "SOFTWARE")) {
      cJSON_Delete(p);
      return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
    }
    char *body = print(p);
    if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
    rc = api(pay, "POST", "/v1/catalogs/products", body, "pa-product-plus", 1, &root, err);
    cJSON_free(body);
    if (rc != PA_PAY_OK) return rc;
    if (pa_pay_copy(product, sizeof product, pa_pay_jstr(root, "id")) || !product[0]) {
      cJSON_Delete(root);
      return pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal product answer without id");
    }
    cJSON_Delete(root);
    pthread_mutex_lock(&pay->lock);
    if (!pay->product[0]) memcpy(pay->product, product, sizeof product);
    pthread_mutex_unlock(&pay->lock);
  }
  cJSON *p = cJSON_CreateObject(), *cycles, *cycle, *freq, *scheme, *fixed, *prefs;
  char name[128];
  snprintf(name, sizeof name, BRAND " %s %s", rq->plan, rq->price.currency);
  int ok =
      p && cJSON_AddStringToObject(p, "product_id", product) &&
      cJSON_AddStringToObject(p, "name", name) && cJSON_AddStringToObject(p, "status", "ACTIVE") &&
      (cycles = cJSON_AddArrayToObject(p, "billing_cycles")) && (cycle = cJSON_CreateObject()) &&
      cJSON_AddItemToArray(cycles, cycle) && (freq = cJSON_AddObjectToObject(cycle, "frequency")) &&
      cJSON_AddStringToObject(freq, "interval_unit", rq->months == 12 ? "YEAR" : "MONTH") &&
      cJSON_AddNumberToObject(freq, "interval_count", 1) &&
      cJSON_AddStringToObject(cycle, "tenure_type", "REGULAR") &&
      cJSON_AddNumberToObject(cycle, "sequence", 1) &&
      cJSON_AddNumberToObject(cycle, "total_cycles", 0) &&
      (scheme = cJSON_AddObjectToObject(cycle, "pricing_scheme")) &&
      (fixed = cJSON_AddObjectToObject(scheme, "fixed_price")) &&
      cJSON_AddStringToObject(fixed, "value", value) &&
      cJSON_AddStringToObject(fixed, "currency_code", rq->price.currency) &&
      (prefs = cJSON_AddObjectToObject(p, "payment_preferences")) &&
      cJSON_AddTrueToObject(prefs, "auto_bill_outstanding") &&
      cJSON_AddNumberToObject(prefs, "payment_failure_threshold", 3);
  if (!ok) {
    cJSON_Delete(p);
    return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  }
  char *body = print(p);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  snprintf(key, sizeof key, "pa-plan-%s-%d-%s-%lld", rq->plan, rq->months, rq->price.currency,
           (long long)rq->price.minor);
  rc = api(pay, "POST", "/v1/billing/plans", body, key, 1, &root, err);
  cJSON_free(body);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_copy(out, PA_PAY_ID_MAX, pa_pay_jstr(root, "id")) || !out[0]) {
    cJSON_Delete(root);
    return pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal plan answer without id");
  }
  cJSON_Delete(root);
  pthread_mutex_lock(&pay->lock);
  int found = 0;
  for (int i = 0; i < pay->nplans && !found; i++) {
    pa_pay_plan_entry *e = &pay->plans[i];
    if (strcmp(e->plan, rq->plan) == 0 && e->months == rq->months &&
        e->price.minor == rq->price.minor && strcmp(e->price.currency, rq->price.currency) == 0) {
      memcpy(out, e->paypal_plan, PA_PAY_ID_MAX); /* another thread won: use its plan */
      found = 1;
    }
  }
  if (!found && pay->nplans < PA_PAY_PLAN_CACHE_MAX) {
    pa_pay_plan_entry *e = &pay->plans[pay->nplans];
    if (pa_pay_copy(e->plan, sizeof e->plan, rq->plan) == 0) {
      e->months = rq->months;
      e->price = rq->price;
      memcpy(e->paypal_plan, out, PA_PAY_ID_MAX);
      pay->nplans++;
    }
  }
  pthread_mutex_unlock(&pay->lock);
  return PA_PAY_OK;
}

/* ---- subscriptions */

/* The price behind PayPal plan id, from the cache: 0 or -1. */
static int cached_price(pa_pay *pay, const char *paypal_plan, pa_money *out) {
  int rc = -1;
  pthread_mutex_lock(&pay->lock);
  for (int i = 0; i < pay->nplans && rc; i++)
    if (strcmp(pay->plans[i].paypal_plan, paypal_plan) == 0) {
      *out = pay->plans[i].price;
      rc = 0;
    }
  pthread_mutex_unlock(&pay->lock);
  return rc;
}

/* The plan's recurring price read from PayPal (after a restart the cache
 * is empty); out is left as it is when that fails. */
static void plan_price(pa_pay *pay, const char *plan_id, pa_money *out) {
  char path[PA_PAY_ID_MAX + 32], err[PA_PAY_ERR_MAX];
  snprintf(path, sizeof path, "/v1/billing/plans/%s", plan_id);
  cJSON *root;
  if (api(pay, "GET", path, NULL, NULL, 1, &root, err) != PA_PAY_OK) return;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "billing_cycles")) {
    const char *tenure = pa_pay_jstr(c, "tenure_type");
    const cJSON *fixed = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(c, "pricing_scheme"), "fixed_price");
    pa_money m;
    if (tenure && strcmp(tenure, "REGULAR") == 0 &&
        pa_pay_money_text(pa_pay_jstr(fixed, "value"), pa_pay_jstr(fixed, "currency_code"), 0,
                          &m) == 0) {
      *out = m;
      break;
    }
  }
  cJSON_Delete(root);
}

int pa_paypal_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                         char err[PA_PAY_ERR_MAX]) {
  char plan[PA_PAY_ID_MAX];
  int rc = plan_id(pay, rq, plan, err);
  if (rc != PA_PAY_OK) return rc;
  cJSON *s = cJSON_CreateObject(), *ctx;
  int ok = s && cJSON_AddStringToObject(s, "plan_id", plan) &&
           cJSON_AddStringToObject(s, "custom_id", rq->reference) &&
           (ctx = cJSON_AddObjectToObject(s, "application_context")) &&
           cJSON_AddStringToObject(ctx, "brand_name", BRAND) &&
           cJSON_AddStringToObject(ctx, "user_action", "SUBSCRIBE_NOW") &&
           cJSON_AddStringToObject(ctx, "shipping_preference", "NO_SHIPPING") &&
           cJSON_AddStringToObject(ctx, "return_url", rq->return_url) &&
           cJSON_AddStringToObject(ctx, "cancel_url", rq->cancel_url);
  if (!ok) {
    cJSON_Delete(s);
    return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  }
  char *body = print(s);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  cJSON *root;
  rc = api(pay, "POST", "/v1/billing/subscriptions", body, rq->idempotency_key, 1, &root, err);
  cJSON_free(body);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_paypal_sub(root, out) || !out->approve_url[0]) {
    cJSON_Delete(root);
    memset(out, 0, sizeof *out);
    return pa_pay_fail(err, PA_PAY_EBADANSWER,
                       "PayPal subscription answer without id, status "
                       "or approve link");
  }
  cJSON_Delete(root);
  out->price = rq->price;
  if (!out->reference[0]) pa_pay_copy(out->reference, sizeof out->reference, rq->reference);
  return PA_PAY_OK;
}

int pa_paypal_sub_get(pa_pay *pay, const char *id, pa_pay_sub *out, char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed subscription id");
  char path[PA_PAY_ID_MAX + 40];
  snprintf(path, sizeof path, "/v1/billing/subscriptions/%s", id);
  cJSON *root;
  int rc = api(pay, "GET", path, NULL, NULL, 1, &root, err);
  if (rc != PA_PAY_OK) return rc;
  const char *plan = pa_pay_jstr(root, "plan_id");
  if (pa_pay_paypal_sub(root, out)) {
    cJSON_Delete(root);
    return pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed PayPal subscription");
  }
  char plan_id[PA_PAY_ID_MAX];
  int known = plan && pa_pay_copy(plan_id, sizeof plan_id, plan) == 0 &&
              cached_price(pay, plan_id, &out->price) == 0;
  cJSON_Delete(root);
  if (!known && plan && pa_pay_id_ok(plan_id)) plan_price(pay, plan_id, &out->price);
  return PA_PAY_OK;
}

int pa_paypal_sub_change(pa_pay *pay, const char *id, pa_pay_sub_action action,
                         char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed subscription id");
  static const char *const verbs[] = {
      [PA_PAY_CANCEL] = "cancel", [PA_PAY_SUSPEND] = "suspend", [PA_PAY_REACTIVATE] = "activate"};
  static const char *const reasons[] = {[PA_PAY_CANCEL] = "Cancelled by the member",
                                        [PA_PAY_SUSPEND] = "Paused by the member",
                                        [PA_PAY_REACTIVATE] = "Resumed by the member"};
  char path[PA_PAY_ID_MAX + 60], body[96];
  snprintf(path, sizeof path, "/v1/billing/subscriptions/%s/%s", id, verbs[action]);
  snprintf(body, sizeof body, "{\"reason\":\"%s\"}", reasons[action]);
  return api(pay, "POST", path, body, NULL, 0, NULL, err);
}

int pa_paypal_sub_txns(pa_pay *pay, const char *sub_id, int64_t from, int64_t to, pa_pay_txn *out,
                       int cap, int *n, char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(sub_id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed subscription id");
  char path[PA_PAY_ID_MAX + 160], a[32], b[32];
  pa_pay_iso_format(from, a);
  pa_pay_iso_format(to, b);
  snprintf(path, sizeof path, "/v1/billing/subscriptions/%s/transactions?start_time=%s&end_time=%s",
           sub_id, a, b);
  cJSON *root;
  int rc = api(pay, "GET", path, NULL, NULL, 1, &root, err);
  if (rc != PA_PAY_OK) return rc;
  const cJSON *t;
  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "transactions")) {
    const char *st = pa_pay_jstr(t, "status");
    const cJSON *br = cJSON_GetObjectItemCaseSensitive(t, "amount_with_breakdown");
    const cJSON *gross = cJSON_GetObjectItemCaseSensitive(br, "gross_amount");
    const cJSON *fee = cJSON_GetObjectItemCaseSensitive(br, "fee_amount");
    pa_pay_txn x;
    memset(&x, 0, sizeof x);
    if (!st || pa_pay_copy(x.id, sizeof x.id, pa_pay_jstr(t, "id")) || !x.id[0] ||
        pa_pay_money_text(pa_pay_jstr(gross, "value"), pa_pay_jstr(gross, "currency_code"), 1,
                          &x.gross)) {
      rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed PayPal transaction");
      break;
    }
    memcpy(x.fee.currency, x.gross.currency, 4);
    /* Each entry is a payment; its later refund or reversal shows only as
     * its status, and arrives as its own webhook. */
    x.kind = strcmp(st, "DECLINED") == 0 ? PA_PAY_TXN_FAILED : PA_PAY_TXN_CHARGE;
    if (strcmp(st, "PENDING") == 0) continue;
    if (x.kind == PA_PAY_TXN_CHARGE && fee &&
        pa_pay_money_text(pa_pay_jstr(fee, "value"), pa_pay_jstr(fee, "currency_code"), 1,
                          &x.fee)) {
      rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed PayPal fee");
      break;
    }
    pa_pay_copy(x.sub_id, sizeof x.sub_id, sub_id);
    const char *time = pa_pay_jstr(t, "time");
    if (time) pa_pay_iso_time(time, &x.at);
    if (*n >= cap) break;
    out[(*n)++] = x;
  }
  cJSON_Delete(root);
  return rc;
}

/* ---- orders and refunds */

int pa_paypal_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                           char err[PA_PAY_ERR_MAX]) {
  char value[PA_MONEY_TEXT_MAX];
  if (pa_money_format(&rq->amount, value, sizeof value) < 0)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "amount out of range");
  cJSON *o = cJSON_CreateObject(), *units, *unit, *amt, *ctx;
  int ok = o && cJSON_AddStringToObject(o, "intent", "CAPTURE") &&
           (units = cJSON_AddArrayToObject(o, "purchase_units")) && (unit = cJSON_CreateObject()) &&
           cJSON_AddItemToArray(units, unit) &&
           cJSON_AddStringToObject(unit, "reference_id", rq->reference) &&
           cJSON_AddStringToObject(unit, "custom_id", rq->reference) &&
           cJSON_AddStringToObject(unit, "description", rq->title) &&
           (amt = cJSON_AddObjectToObject(unit, "amount")) &&
           cJSON_AddStringToObject(amt, "currency_code", rq->amount.currency) &&
           cJSON_AddStringToObject(amt, "value", value) &&
           (ctx = cJSON_AddObjectToObject(o, "application_context")) &&
           cJSON_AddStringToObject(ctx, "brand_name", BRAND) &&
           cJSON_AddStringToObject(ctx, "user_action", "PAY_NOW") &&
           cJSON_AddStringToObject(ctx, "shipping_preference", "NO_SHIPPING") &&
           cJSON_AddStringToObject(ctx, "return_url", rq->return_url) &&
           cJSON_AddStringToObject(ctx, "cancel_url", rq->cancel_url);
  if (!ok) {
    cJSON_Delete(o);
    return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  }
  char *body = print(o);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  cJSON *root;
  int rc = api(pay, "POST", "/v2/checkout/orders", body, rq->idempotency_key, 1, &root, err);
  cJSON_free(body);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(root, "id")) || !out->id[0])
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal order answer without id");
  const cJSON *l;
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(root, "links")) {
    /* "payer-action" with a payment_source, "approve" without one */
    const char *rel = pa_pay_jstr(l, "rel");
    if (rel && (strcmp(rel, "payer-action") == 0 || strcmp(rel, "approve") == 0))
      pa_pay_copy(out->approve_url, sizeof out->approve_url, pa_pay_jstr(l, "href"));
  }
  if (rc == PA_PAY_OK && !out->approve_url[0])
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal order answer without an approval link");
  cJSON_Delete(root);
  if (rc != PA_PAY_OK) memset(out, 0, sizeof *out);
  return rc;
}

int pa_paypal_order_capture(pa_pay *pay, const char *id, const char *key, pa_pay_txn *out,
                            char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed order id");
  if (!key || !*key) return pa_pay_fail(err, PA_PAY_EREFUSED, "capture without idempotency key");
  char path[PA_PAY_ID_MAX + 40];
  snprintf(path, sizeof path, "/v2/checkout/orders/%s/capture", id);
  cJSON *root;
  int rc = api(pay, "POST", path, "{}", key, 1, &root, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_paypal_order_capture(root, out))
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal capture answer without a decided capture");
  cJSON_Delete(root);
  return rc;
}

int pa_paypal_refund(pa_pay *pay, const char *txn_id, int is_sale, const pa_money *amount,
                     const char *key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(txn_id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed transaction id");
  char path[PA_PAY_ID_MAX + 40], value[PA_MONEY_TEXT_MAX], body[128] = "{}";
  snprintf(path, sizeof path,
           is_sale ? "/v1/payments/sale/%s/refund" : "/v2/payments/captures/%s/refund", txn_id);
  if (amount) {
    if (pa_money_format(amount, value, sizeof value) < 0)
      return pa_pay_fail(err, PA_PAY_EREFUSED, "amount out of range");
    snprintf(body, sizeof body,
             is_sale ? "{\"amount\":{\"total\":\"%s\",\"currency\":\"%s\"}}"
                     : "{\"amount\":{\"value\":\"%s\",\"currency_code\":\"%s\"}}",
             value, amount->currency);
  }
  cJSON *root;
  int rc = api(pay, "POST", path, body, key, 1, &root, err);
  if (rc != PA_PAY_OK) return rc;
  out->kind = PA_PAY_TXN_REFUND;
  pa_pay_copy(out->parent_id, sizeof out->parent_id, txn_id);
  const cJSON *amt = cJSON_GetObjectItemCaseSensitive(root, "amount");
  int amt_rc = is_sale ? pa_pay_money_text(pa_pay_jstr(amt, "total"), pa_pay_jstr(amt, "currency"),
                                           1, &out->gross)
                       : pa_pay_money_text(pa_pay_jstr(amt, "value"),
                                           pa_pay_jstr(amt, "currency_code"), 1, &out->gross);
  if (amt_rc && amount) {
    out->gross = *amount; /* a minimal answer: the amount we asked for */
    amt_rc = 0;
  }
  if (pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(root, "id")) || !out->id[0] || amt_rc)
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "PayPal refund answer without id or amount");
  memcpy(out->fee.currency, out->gross.currency, 4);
  const char *t = pa_pay_jstr(root, "create_time");
  if (!t || pa_pay_iso_time(t, &out->at)) out->at = pa_clock_now();
  cJSON_Delete(root);
  if (rc != PA_PAY_OK) memset(out, 0, sizeof *out);
  return rc;
}
