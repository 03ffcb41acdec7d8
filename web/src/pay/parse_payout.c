/* PayPal Payouts' JSON into pay.h's structs: pure (no I/O), shared by the
 * adapter (payout.c) and the webhook parser, and built into the fuzz target
 * with parse.c. */
#include "pay/parse.h"

#include <string.h>

pa_pay_payout_status pa_pay_payout_status_parse(const char *s) {
  static const struct {
    const char *word;
    pa_pay_payout_status status;
  } words[] = {
      {"PENDING", PA_PAY_PAYOUT_PENDING},   {"PROCESSING", PA_PAY_PAYOUT_PENDING},
      {"NEW", PA_PAY_PAYOUT_PENDING},       {"ONHOLD", PA_PAY_PAYOUT_PENDING},
      {"SUCCESS", PA_PAY_PAYOUT_SUCCESS},   {"UNCLAIMED", PA_PAY_PAYOUT_UNCLAIMED},
      {"FAILED", PA_PAY_PAYOUT_FAILED},     {"BLOCKED", PA_PAY_PAYOUT_FAILED},
      {"DENIED", PA_PAY_PAYOUT_FAILED},     {"CANCELED", PA_PAY_PAYOUT_FAILED},
      {"RETURNED", PA_PAY_PAYOUT_RETURNED}, {"REFUNDED", PA_PAY_PAYOUT_RETURNED},
      {"REVERSED", PA_PAY_PAYOUT_RETURNED},
  };
  for (size_t i = 0; s && i < sizeof words / sizeof words[0]; i++)
    if (strcmp(s, words[i].word) == 0) return words[i].status;
  return PA_PAY_PAYOUT_OTHER;
}

int pa_pay_paypal_payout_item(const cJSON *it, pa_pay_payout_item *out) {
  memset(out, 0, sizeof *out);
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(it, "payout_item");
  const cJSON *amount = cJSON_GetObjectItemCaseSensitive(item, "amount");
  const cJSON *fee = cJSON_GetObjectItemCaseSensitive(it, "payout_item_fee");
  const char *status = pa_pay_jstr(it, "transaction_status");
  if (!cJSON_IsObject(it) || !status ||
      pa_pay_copy(out->item_id, sizeof out->item_id, pa_pay_jstr(it, "payout_item_id")) ||
      !out->item_id[0] ||
      pa_pay_copy(out->batch_id, sizeof out->batch_id, pa_pay_jstr(it, "payout_batch_id")) ||
      pa_pay_money_text(pa_pay_jstr(amount, "value"), pa_pay_jstr(amount, "currency"), 0,
                        &out->amount))
    goto bad;
  out->status = pa_pay_payout_status_parse(status);
  /* Optional members: an unpaid item has no transaction id, a pending one
   * no fee; too long is malformed all the same. */
  const char *sid = pa_pay_jstr(item, "sender_item_id"), *tx = pa_pay_jstr(it, "transaction_id");
  const char *rcv = pa_pay_jstr(item, "receiver");
  const char *ename = pa_pay_jstr(cJSON_GetObjectItemCaseSensitive(it, "errors"), "name");
  if ((sid && pa_pay_copy(out->sender_item_id, sizeof out->sender_item_id, sid)) ||
      (tx && pa_pay_copy(out->transaction_id, sizeof out->transaction_id, tx)) ||
      (rcv && pa_pay_copy(out->receiver, sizeof out->receiver, rcv)) ||
      (ename && pa_pay_copy(out->error, sizeof out->error, ename)))
    goto bad;
  memcpy(out->fee.currency, out->amount.currency, sizeof out->fee.currency);
  if (fee &&
      (pa_pay_money_text(pa_pay_jstr(fee, "value"), pa_pay_jstr(fee, "currency"), 0, &out->fee) ||
       strcmp(out->fee.currency, out->amount.currency) != 0))
    goto bad;
  return 0;
bad:
  memset(out, 0, sizeof *out);
  return -1;
}

int pa_pay_paypal_payout_batch(const cJSON *header, pa_pay_payout *out) {
  memset(out, 0, sizeof *out);
  const char *status = pa_pay_jstr(header, "batch_status");
  const cJSON *sbh = cJSON_GetObjectItemCaseSensitive(header, "sender_batch_header");
  const char *sid = pa_pay_jstr(sbh, "sender_batch_id");
  if (!status || pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(header, "payout_batch_id")) ||
      !out->id[0] || (sid && pa_pay_copy(out->sender_batch_id, sizeof out->sender_batch_id, sid))) {
    memset(out, 0, sizeof *out);
    return -1;
  }
  out->status = pa_pay_payout_status_parse(status);
  return 0;
}
