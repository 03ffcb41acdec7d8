/* Mercado Pago adapter: preapprovals (subscriptions), Checkout Pro
 * preferences, payments and refunds. One account (access token) per
 * country, each with its site's only currency. Amounts go out as raw JSON
 * number text from pa_money_format, never through a double. */
#include "clock.h"
#include "pay/catalog.h"
#include "pay/pay_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pa_mp_token(const pa_pay *pay, const char *country) {
  if (!country) return NULL;
  for (int i = 0; i < 5; i++)
    if (strcmp(pay->cfg.mp_tokens[i][0], country) == 0)
      return pay->cfg.mp_tokens[i][1][0] ? pay->cfg.mp_tokens[i][1] : NULL;
  return NULL;
}

/* One call with the country's account; key (or NULL) is X-Idempotency-Key.
 * *root receives the answer's JSON object. */
static int api(pa_pay *pay, const char *country, const char *method, const char *path,
               const char *body, const char *key, cJSON **root, long *status,
               char err[PA_PAY_ERR_MAX]) {
  *root = NULL;
  const char *tok = pa_mp_token(pay, country);
  if (!tok) return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "no Mercado Pago account for country");
  return pa_mp_api_token(pay, tok, method, path, body, key, root, status, err);
}

int pa_mp_api_token(pa_pay *pay, const char *tok, const char *method, const char *path,
                    const char *body, const char *key, cJSON **root, long *status,
                    char err[PA_PAY_ERR_MAX]) {
  *root = NULL;
  char url[PA_PAY_URL_MAX + 256], auth[PA_PAY_MP_TOKEN_MAX + 32], idem[PA_PAY_ID_MAX + 24];
  if (snprintf(url, sizeof url, "%s%s", pay->cfg.mp_api, path) >= (int)sizeof url)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "URL too long");
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
  const char *h[4] = {auth, "Accept: application/json", "Content-Type: application/json"};
  int nh = 3;
  if (key) {
    snprintf(idem, sizeof idem, "X-Idempotency-Key: %s", key);
    h[nh++] = idem;
  }
  pa_payhttp_resp r;
  int rc = pa_pay_call(pay, method, url, h, nh, body, &r, status, err);
  sodium_memzero(auth, sizeof auth);
  if (rc != PA_PAY_OK) return rc;
  *root = pa_pay_json(&r, err);
  pa_payhttp_resp_free(&r);
  return *root ? PA_PAY_OK : PA_PAY_EBADANSWER;
}

/* Adds amount m to obj as a JSON number written from its exact text. */
int pa_mp_add_amount(cJSON *obj, const char *name, const pa_money *m) {
  char text[PA_MONEY_TEXT_MAX];
  if (pa_money_format(m, text, sizeof text) < 0) return 0;
  cJSON *raw = cJSON_CreateRaw(text);
  return raw && cJSON_AddItemToObject(obj, name, raw);
}

static char *print(cJSON *root) {
  char *s = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  return s;
}

/* The site's currency must be the amount's: an account takes only its own. */
static int currency_ok(const char *country, const pa_money *m) {
  const char *cur = pa_catalog_mp_currency(country);
  return cur && strcmp(cur, m->currency) == 0;
}

/* POSTs the object p (built with ok; taken over and freed) to path with the
 * idempotency key: PA_PAY_OK with *root (the caller frees it), or an error. */
static int post_object(pa_pay *pay, const char *country, const char *path, cJSON *p, int ok,
                       const char *key, cJSON **root, char err[PA_PAY_ERR_MAX]) {
  if (!ok) cJSON_Delete(p);
  char *body = ok ? print(p) : NULL; /* print frees p */
  *root = NULL;
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  int rc = api(pay, country, "POST", path, body, key, root, NULL, err);
  cJSON_free(body);
  return rc;
}

int pa_mp_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                     char err[PA_PAY_ERR_MAX]) {
  if (!currency_ok(rq->country, &rq->price))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "currency is not the account's");
  if (!rq->payer_email || !*rq->payer_email)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "Mercado Pago needs the payer's email");
  char reason[96];
  snprintf(reason, sizeof reason, "PetAmigos Plus (%s)", rq->plan);
  cJSON *p = cJSON_CreateObject(), *ar;
  int ok = p && cJSON_AddStringToObject(p, "reason", reason) &&
           cJSON_AddStringToObject(p, "external_reference", rq->reference) &&
           cJSON_AddStringToObject(p, "payer_email", rq->payer_email) &&
           cJSON_AddStringToObject(p, "back_url", rq->return_url) &&
           (ar = cJSON_AddObjectToObject(p, "auto_recurring")) &&
           cJSON_AddNumberToObject(ar, "frequency", rq->months) &&
           cJSON_AddStringToObject(ar, "frequency_type", "months") &&
           pa_mp_add_amount(ar, "transaction_amount", &rq->price) &&
           cJSON_AddStringToObject(ar, "currency_id", rq->price.currency) &&
           cJSON_AddStringToObject(p, "status", "pending");
  cJSON *root;
  int rc = post_object(pay, rq->country, "/preapproval", p, ok, rq->idempotency_key, &root, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_mp_sub(root, out) || !out->approve_url[0]) {
    memset(out, 0, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "preapproval answer without id, status or init_point");
  } else if (!out->reference[0]) {
    pa_pay_copy(out->reference, sizeof out->reference, rq->reference);
  }
  cJSON_Delete(root);
  return rc;
}

int pa_mp_sub_get(pa_pay *pay, const char *country, const char *id, pa_pay_sub *out,
                  char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed preapproval id");
  char path[PA_PAY_ID_MAX + 32];
  snprintf(path, sizeof path, "/preapproval/%s", id);
  cJSON *root;
  int rc = api(pay, country, "GET", path, NULL, NULL, &root, NULL, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_mp_sub(root, out)) {
    memset(out, 0, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed preapproval");
  }
  cJSON_Delete(root);
  return rc;
}

int pa_mp_sub_change(pa_pay *pay, const char *country, const char *id, pa_pay_sub_action action,
                     char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed preapproval id");
  char path[PA_PAY_ID_MAX + 32], body[64];
  snprintf(path, sizeof path, "/preapproval/%s", id);
  snprintf(body, sizeof body, "{\"status\":\"%s\"}",
           action == PA_PAY_CANCEL    ? "cancelled"
           : action == PA_PAY_SUSPEND ? "paused"
                                      : "authorized");
  cJSON *root;
  int rc = api(pay, country, "PUT", path, body, NULL, &root, NULL, err);
  cJSON_Delete(root);
  return rc;
}

int pa_mp_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                       char err[PA_PAY_ERR_MAX]) {
  const char *tok = pa_mp_token(pay, rq->country);
  if (!tok) return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "no Mercado Pago account for country");
  return pa_mp_preference_create(pay, tok, rq, NULL, out, err);
}

int pa_mp_preference_create(pa_pay *pay, const char *tok, const pa_pay_order_request *rq,
                            const pa_money *marketplace_fee, pa_pay_order *out,
                            char err[PA_PAY_ERR_MAX]) {
  if (!currency_ok(rq->country, &rq->amount))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "currency is not the account's");
  cJSON *p = cJSON_CreateObject(), *items, *item, *back;
  int ok = p && (items = cJSON_AddArrayToObject(p, "items")) && (item = cJSON_CreateObject()) &&
           cJSON_AddItemToArray(items, item) && cJSON_AddStringToObject(item, "title", rq->title) &&
           cJSON_AddNumberToObject(item, "quantity", 1) &&
           pa_mp_add_amount(item, "unit_price", &rq->amount) &&
           cJSON_AddStringToObject(item, "currency_id", rq->amount.currency) &&
           cJSON_AddStringToObject(p, "external_reference", rq->reference) &&
           (back = cJSON_AddObjectToObject(p, "back_urls")) &&
           cJSON_AddStringToObject(back, "success", rq->return_url) &&
           cJSON_AddStringToObject(back, "failure", rq->cancel_url) &&
           cJSON_AddStringToObject(back, "pending", rq->return_url) &&
           cJSON_AddStringToObject(p, "auto_return", "approved") &&
           (!marketplace_fee || pa_mp_add_amount(p, "marketplace_fee", marketplace_fee));
  cJSON *root = NULL;
  char *body = ok ? print(p) : NULL; /* print frees p */
  if (!ok) cJSON_Delete(p);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  int rc = pa_mp_api_token(pay, tok, "POST", "/checkout/preferences", body, rq->idempotency_key,
                           &root, NULL, err);
  cJSON_free(body);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "id"), out->id) ||
      pa_pay_copy(out->approve_url, sizeof out->approve_url, pa_pay_jstr(root, "init_point")) ||
      !out->approve_url[0]) {
    memset(out, 0, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "preference answer without id or init_point");
  }
  cJSON_Delete(root);
  return rc;
}

int pa_mp_refund(pa_pay *pay, const char *country, const char *txn_id, const pa_money *amount,
                 const char *key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]) {
  const char *tok = pa_mp_token(pay, country);
  if (!tok) return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "no Mercado Pago account for country");
  return pa_mp_refund_token(pay, tok, country, txn_id, amount, key, out, err);
}

int pa_mp_refund_token(pa_pay *pay, const char *tok, const char *country, const char *txn_id,
                       const pa_money *amount, const char *key, pa_pay_txn *out,
                       char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(txn_id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed payment id");
  const char *cur = pa_catalog_mp_currency(country);
  if (!cur || (amount && strcmp(amount->currency, cur) != 0))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "currency is not the account's");
  char path[PA_PAY_ID_MAX + 32], body[64] = "{}", text[PA_MONEY_TEXT_MAX];
  snprintf(path, sizeof path, "/v1/payments/%s/refunds", txn_id);
  if (amount) {
    if (pa_money_format(amount, text, sizeof text) < 0)
      return pa_pay_fail(err, PA_PAY_EREFUSED, "amount out of range");
    snprintf(body, sizeof body, "{\"amount\":%s}", text);
  }
  cJSON *root;
  int rc = pa_mp_api_token(pay, tok, "POST", path, body, key, &root, NULL, err);
  if (rc != PA_PAY_OK) return rc;
  char rid[PA_PAY_ID_MAX];
  out->kind = PA_PAY_TXN_REFUND;
  pa_pay_copy(out->parent_id, sizeof out->parent_id, txn_id);
  memcpy(out->fee.currency, cur, 4);
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "id"), rid) ||
      snprintf(out->id, sizeof out->id, "refund-%s", rid) >= (int)sizeof out->id ||
      pa_pay_money_number(cJSON_GetObjectItemCaseSensitive(root, "amount"), cur, &out->gross)) {
    memset(out, 0, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "refund answer without id or amount");
  } else {
    const char *t = pa_pay_jstr(root, "date_created");
    if (!t || pa_pay_iso_time(t, &out->at)) out->at = pa_clock_now();
  }
  cJSON_Delete(root);
  return rc;
}

/* Payments Mercado Pago lists under an external_reference (its payments
 * search; preapprovals pass theirs on to each charge, Checkout Pro
 * preferences to their payment): their movements into out[0..*n), oldest
 * first. One page of PA_MP_SEARCH_MAX payments. */
enum { PA_MP_SEARCH_MAX = 50 };

static int search(pa_pay *pay, const char *country, const char *reference, pa_pay_txn *out, int cap,
                  int *n, char err[PA_PAY_ERR_MAX]) {
  *n = 0;
  if (!pa_pay_id_ok(reference)) return PA_PAY_OK; /* no reference: nothing to search by */
  char path[PA_PAY_ID_MAX + 128];
  snprintf(path, sizeof path,
           "/v1/payments/search?external_reference=%s&sort=date_created&criteria=asc&limit=%d",
           reference, PA_MP_SEARCH_MAX);
  cJSON *root;
  int rc = api(pay, country, "GET", path, NULL, NULL, &root, NULL, err);
  if (rc != PA_PAY_OK) return rc;
  const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results"), *r;
  if (!cJSON_IsArray(results)) rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payment search");
  cJSON_ArrayForEach(r, results) {
    int k = 0;
    if (rc != PA_PAY_OK) break;
    if (pa_pay_mp_payment(r, out + *n, cap - *n, &k))
      rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payment");
    else
      *n += k;
  }
  cJSON_Delete(root);
  return rc;
}

/* A preapproval's payments; those of other subscriptions sharing its
 * reference (none of ours do) are left out by their preapproval id. */
int pa_mp_sub_txns(pa_pay *pay, const char *country, const char *sub_id, int64_t from, int64_t to,
                   pa_pay_txn *out, int cap, int *n, char err[PA_PAY_ERR_MAX]) {
  *n = 0;
  pa_pay_sub sub;
  int rc = pa_mp_sub_get(pay, country, sub_id, &sub, err), all = 0;
  if (rc != PA_PAY_OK ||
      (rc = search(pay, country, sub.reference, out, cap, &all, err)) != PA_PAY_OK)
    return rc;
  for (int i = 0; i < all; i++) /* kept ones move down over the dropped ones */
    if (strcmp(out[i].sub_id, sub_id) == 0 && out[i].at >= from && out[i].at <= to)
      out[(*n)++] = out[i];
  return PA_PAY_OK;
}

int pa_mp_order_find(pa_pay *pay, const char *country, const char *reference, pa_pay_txn *out,
                     char err[PA_PAY_ERR_MAX]) {
  pa_pay_txn *t = calloc(PA_MP_SEARCH_MAX * PA_PAY_MP_PAYMENT_TXNS, sizeof *t);
  int n = 0, rc;
  if (!t) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  rc = search(pay, country, reference, t, PA_MP_SEARCH_MAX * PA_PAY_MP_PAYMENT_TXNS, &n, err);
  if (rc == PA_PAY_OK) {
    rc = pa_pay_fail(err, PA_PAY_EREFUSED, "nothing charged under %s yet", reference);
    for (int i = 0; i < n; i++)
      if (t[i].kind == PA_PAY_TXN_CHARGE && !t[i].sub_id[0]) { /* not a preapproval's */
        *out = t[i];
        rc = PA_PAY_OK;
        break;
      }
  }
  free(t);
  return rc;
}

/* Reads payment id with one country's account. */
static int payment_in(pa_pay *pay, const char *country, const char *id, pa_pay_txn *out, int cap,
                      int *n, long *status, char err[PA_PAY_ERR_MAX]) {
  char path[PA_PAY_ID_MAX + 32];
  snprintf(path, sizeof path, "/v1/payments/%s", id);
  cJSON *root;
  int rc = api(pay, country, "GET", path, NULL, NULL, &root, status, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_mp_payment(root, out, cap, n)) {
    *n = 0;
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payment");
  }
  cJSON_Delete(root);
  return rc;
}

int pa_mp_payment_get(pa_pay *pay, const char *country, const char *id, pa_pay_txn *out, int cap,
                      int *n, char country_out[3], char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed payment id");
  long status = 0;
  if (country && *country) {
    int rc = payment_in(pay, country, id, out, cap, n, &status, err);
    if (rc == PA_PAY_OK) memcpy(country_out, country, 3);
    return rc;
  }
  /* A notification does not say which account it is for: ask each. A 404
   * (or 401/403: another account's payment) means "not this one". */
  int rc = PA_PAY_EREFUSED;
  snprintf(err, PA_PAY_ERR_MAX, "payment not found in any account");
  for (int i = 0; i < 5; i++) {
    const char *cc = pay->cfg.mp_tokens[i][0];
    if (!pa_mp_token(pay, cc)) continue;
    char e[PA_PAY_ERR_MAX];
    status = 0;
    int r = payment_in(pay, cc, id, out, cap, n, &status, e);
    if (r == PA_PAY_OK) {
      memcpy(country_out, cc, 3);
      return PA_PAY_OK;
    }
    if (r == PA_PAY_EREFUSED && (status == 404 || status == 401 || status == 403)) continue;
    /* Unreachable or a bad answer: the outcome is unknown, retry later. */
    memcpy(err, e, PA_PAY_ERR_MAX);
    return r;
  }
  return rc;
}
