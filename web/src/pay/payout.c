/* PayPal Payouts (v1): the marketplace pays a seller their share of an
 * order it collected and held. Our batch id is both the
 * sender_batch_id (PayPal never processes one twice) and the
 * PayPal-Request-Id (a retry is answered with the first batch). */
#include "pay/pay_internal.h"

#include <stdio.h>
#include <string.h>

static char *print(cJSON *root) {
  char *s = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  return s;
}

static int line_ok(const pa_pay_payout_line *l, const char *currency) {
  return l->receiver && *l->receiver && strlen(l->receiver) < PA_PAY_EMAIL_MAX &&
         strchr(l->receiver, '@') && l->sender_item_id && pa_pay_id_ok(l->sender_item_id) &&
         l->amount.minor > 0 && pa_money_exponent(l->amount.currency) >= 0 &&
         strcmp(l->amount.currency, currency) == 0;
}

static int add_line(cJSON *items, const pa_pay_payout_line *l) {
  char value[PA_MONEY_TEXT_MAX];
  cJSON *it = cJSON_CreateObject(), *amt;
  if (!it || !cJSON_AddItemToArray(items, it)) {
    cJSON_Delete(it);
    return 0;
  }
  return pa_money_format(&l->amount, value, sizeof value) >= 0 &&
         cJSON_AddStringToObject(it, "recipient_type", "EMAIL") &&
         (amt = cJSON_AddObjectToObject(it, "amount")) &&
         cJSON_AddStringToObject(amt, "value", value) &&
         cJSON_AddStringToObject(amt, "currency", l->amount.currency) &&
         cJSON_AddStringToObject(it, "receiver", l->receiver) &&
         cJSON_AddStringToObject(it, "sender_item_id", l->sender_item_id) &&
         (!l->note || cJSON_AddStringToObject(it, "note", l->note));
}

int pa_pay_payout_create(pa_pay *pay, const pa_pay_payout_request *rq, pa_pay_payout *out,
                         char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, PA_PAY_PAYPAL, NULL))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PayPal is not configured");
  if (!pa_pay_id_ok(rq->batch_id) || !rq->lines || rq->nlines < 1 ||
      rq->nlines > PA_PAY_PAYOUT_ITEMS_MAX)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "a payout needs a batch id and 1..%d lines",
                       PA_PAY_PAYOUT_ITEMS_MAX);
  for (int i = 0; i < rq->nlines; i++)
    if (!line_ok(&rq->lines[i], rq->lines[0].amount.currency))
      return pa_pay_fail(err, PA_PAY_EREFUSED, "payout line %d is incomplete", i);
  cJSON *p = cJSON_CreateObject(), *hdr, *items;
  int ok =
      p && (hdr = cJSON_AddObjectToObject(p, "sender_batch_header")) &&
      cJSON_AddStringToObject(hdr, "sender_batch_id", rq->batch_id) &&
      (!rq->email_subject || cJSON_AddStringToObject(hdr, "email_subject", rq->email_subject)) &&
      (items = cJSON_AddArrayToObject(p, "items"));
  for (int i = 0; ok && i < rq->nlines; i++) ok = add_line(items, &rq->lines[i]);
  if (!ok) {
    cJSON_Delete(p);
    return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  }
  char *body = print(p);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  cJSON *root;
  int rc = pa_paypal_api(pay, "POST", "/v1/payments/payouts", body, rq->batch_id, &root, err);
  cJSON_free(body);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_paypal_payout_batch(cJSON_GetObjectItemCaseSensitive(root, "batch_header"), out))
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "payout answer without a batch header");
  cJSON_Delete(root);
  return rc;
}

int pa_pay_payout_get(pa_pay *pay, const char *id, pa_pay_payout *out, pa_pay_payout_item *items,
                      int cap, int *n, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  *n = 0;
  if (!pa_pay_enabled(pay, PA_PAY_PAYPAL, NULL))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PayPal is not configured");
  if (!pa_pay_id_ok(id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed payout batch id");
  char path[PA_PAY_ID_MAX + 32];
  snprintf(path, sizeof path, "/v1/payments/payouts/%s", id);
  cJSON *root;
  int rc = pa_paypal_api(pay, "GET", path, NULL, NULL, &root, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_paypal_payout_batch(cJSON_GetObjectItemCaseSensitive(root, "batch_header"), out))
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payout batch");
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "items")) {
    if (rc != PA_PAY_OK || *n >= cap) break;
    if (pa_pay_paypal_payout_item(it, &items[*n]))
      rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payout item");
    else
      (*n)++;
  }
  cJSON_Delete(root);
  return rc;
}

int pa_pay_payout_item_get(pa_pay *pay, const char *item_id, pa_pay_payout_item *out,
                           char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, PA_PAY_PAYPAL, NULL))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PayPal is not configured");
  if (!pa_pay_id_ok(item_id)) return pa_pay_fail(err, PA_PAY_EREFUSED, "malformed payout item id");
  char path[PA_PAY_ID_MAX + 40];
  snprintf(path, sizeof path, "/v1/payments/payouts-item/%s", item_id);
  cJSON *root;
  int rc = pa_paypal_api(pay, "GET", path, NULL, NULL, &root, err);
  if (rc != PA_PAY_OK) return rc;
  if (pa_pay_paypal_payout_item(root, out))
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "malformed payout item");
  cJSON_Delete(root);
  return rc;
}
