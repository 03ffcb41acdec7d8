/* Mercado Pago split payments: a Checkout Pro preference made with a
 * seller's OAuth token is collected by the seller and carries our
 * marketplace_fee; the seller's payment is read and refunded with the
 * seller's token too (our own accounts do not see it). */
#include "pay/catalog.h"
#include "pay/pay_internal.h"

#include <stdio.h>
#include <string.h>

/* A token goes into a header: printable ASCII, no spaces. */
static int token_ok(const char *t) {
  if (!t || !*t || strlen(t) >= PA_PAY_MP_TOKEN_MAX) return 0;
  for (; *t; t++)
    if (*t <= 0x20 || *t >= 0x7f) return 0;
  return 1;
}

static int ready(const pa_pay *pay, const char *seller_token, const char *country,
                 char err[PA_PAY_ERR_MAX]) {
  if (!pay || !pay->cfg.mp_api[0])
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "Mercado Pago is not configured");
  if (!token_ok(seller_token)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed seller token");
  if (!pa_catalog_mp_currency(country))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "no Mercado Pago site for country");
  return PA_PAY_OK;
}

int pa_pay_mp_seller_order_create(pa_pay *pay, const char *seller_token,
                                  const pa_pay_order_request *rq, const pa_money *marketplace_fee,
                                  pa_pay_order *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  int rc = ready(pay, seller_token, rq->country, err);
  if (rc != PA_PAY_OK) return rc;
  if (!rq->idempotency_key || !rq->idempotency_key[0] || !rq->reference || !rq->return_url ||
      !rq->cancel_url || !rq->title || rq->amount.minor <= 0 || !marketplace_fee ||
      marketplace_fee->minor < 0 || marketplace_fee->minor > rq->amount.minor ||
      strcmp(marketplace_fee->currency, rq->amount.currency) != 0)
    return pa_pay_fail(err, PA_PAY_EREFUSED,
                       "incomplete order, or a fee outside 0..amount or in another currency");
  return pa_mp_preference_create(pay, seller_token, rq, marketplace_fee, out, err);
}

int pa_pay_mp_seller_payment_get(pa_pay *pay, const char *seller_token, const char *country,
                                 const char *payment_id, pa_pay_mp_split *out,
                                 char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  int rc = ready(pay, seller_token, country, err);
  if (rc != PA_PAY_OK) return rc;
  if (!pa_pay_id_ok(payment_id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed payment id");
  const char *cur = pa_catalog_mp_currency(country);
  char path[PA_PAY_ID_MAX + 32];
  snprintf(path, sizeof path, "/v1/payments/%s", payment_id);
  cJSON *root;
  rc = pa_mp_api_token(pay, seller_token, "GET", path, NULL, NULL, &root, NULL, err);
  if (rc != PA_PAY_OK) return rc;
  pa_pay_txn t[PA_PAY_MP_PAYMENT_TXNS];
  int n = 0;
  const cJSON *fee = cJSON_GetObjectItemCaseSensitive(root, "marketplace_fee");
  const cJSON *refunded = cJSON_GetObjectItemCaseSensitive(root, "transaction_amount_refunded");
  const char *st = pa_pay_jstr(root, "status"), *rel = pa_pay_jstr(root, "money_release_status");
  const char *rel_at = pa_pay_jstr(root, "money_release_date");
  memcpy(out->marketplace_fee.currency, cur, 4);
  memcpy(out->refunded.currency, cur, 4);
  if (pa_pay_mp_payment(root, t, PA_PAY_MP_PAYMENT_TXNS, &n) ||
      pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "collector_id"), out->collector_id) ||
      pa_pay_copy(out->status, sizeof out->status, st) ||
      (fee && pa_pay_money_number(fee, cur, &out->marketplace_fee)) ||
      (refunded && pa_pay_money_number(refunded, cur, &out->refunded)) ||
      (rel_at && pa_pay_iso_time(rel_at, &out->release_at))) {
    memset(out, 0, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed seller payment");
  } else {
    if (n > 0) out->charge = t[0];
    out->released = rel && strcmp(rel, "released") == 0;
  }
  cJSON_Delete(root);
  return rc;
}

int pa_pay_mp_seller_refund(pa_pay *pay, const char *seller_token, const char *country,
                            const char *payment_id, const pa_money *amount,
                            const char *idempotency_key, pa_pay_txn *out,
                            char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  int rc = ready(pay, seller_token, country, err);
  if (rc != PA_PAY_OK) return rc;
  if (!idempotency_key || !idempotency_key[0] || (amount && amount->minor <= 0))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "incomplete refund request");
  return pa_mp_refund_token(pay, seller_token, country, payment_id, amount, idempotency_key, out,
                            err);
}
