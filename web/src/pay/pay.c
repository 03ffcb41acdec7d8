/* pa_pay — the shared state, the provider dispatch and the call helper
 * both adapters use. */
#include "pay/catalog.h"
#include "pay/pay_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pa_pay *pa_pay_new(const pa_pay_config *cfg) {
  pa_pay *pay = calloc(1, sizeof *pay);
  if (!pay) return NULL;
  pay->cfg = *cfg;
  if (pay->cfg.timeout_ms <= 0) pay->cfg.timeout_ms = PA_PAY_TIMEOUT_DEFAULT_MS;
  if (pthread_mutex_init(&pay->lock, NULL)) {
    free(pay);
    return NULL;
  }
  if (pthread_mutex_init(&pay->cert_lock, NULL)) {
    pthread_mutex_destroy(&pay->lock);
    free(pay);
    return NULL;
  }
  return pay;
}

void pa_pay_free(pa_pay *pay) {
  if (!pay) return;
  pa_pay_certs_free(pay);
  pthread_mutex_destroy(&pay->lock);
  pthread_mutex_destroy(&pay->cert_lock);
  /* The token and the configuration's secrets do not outlive the object. */
  memset(pay, 0, sizeof *pay);
  free(pay);
}

int pa_pay_enabled(const pa_pay *pay, pa_pay_provider p, const char *country) {
  if (!pay) return 0;
  if (p == PA_PAY_PAYPAL)
    return pay->cfg.paypal_api[0] && pay->cfg.paypal_client_id[0] && pay->cfg.paypal_secret[0];
  if (p == PA_PAY_MERCADOPAGO) {
    if (!pay->cfg.mp_api[0]) return 0;
    if (country) return pa_mp_token(pay, country) != NULL;
    for (int i = 0; i < 5; i++)
      if (pay->cfg.mp_tokens[i][1][0]) return 1;
  }
  return 0;
}

int pa_pay_fail(char err[PA_PAY_ERR_MAX], int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, PA_PAY_ERR_MAX, fmt, ap);
  va_end(ap);
  return rc;
}

/* Keeps printable ASCII of s (a provider's error text may hold anything). */
static void printable(char *s) {
  for (; *s; s++)
    if (*s < 0x20 || *s > 0x7e) *s = '?';
}

/* The provider's error text: PayPal {name, message, details:[{issue}]},
 * Mercado Pago {message, error, cause:[{code, description}]}. */
static void error_text(long status, const pa_payhttp_resp *r, char err[PA_PAY_ERR_MAX]) {
  cJSON *root = r->body ? cJSON_ParseWithLength(r->body, r->len) : NULL;
  const char *name = pa_pay_jstr(root, "name"), *msg = pa_pay_jstr(root, "message");
  if (!name) name = pa_pay_jstr(root, "error");
  const char *issue = NULL;
  const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "details"), 0);
  if (d) issue = pa_pay_jstr(d, "issue");
  d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "cause"), 0);
  if (d && !issue) {
    issue = pa_pay_jstr(d, "code");
    if (!issue) issue = pa_pay_jstr(d, "description");
  }
  snprintf(err, PA_PAY_ERR_MAX, "HTTP %ld%s%s%s%s%s%s", status, name ? " " : "", name ? name : "",
           issue ? ": " : "", issue ? issue : "", msg ? " - " : "", msg ? msg : "");
  printable(err);
  cJSON_Delete(root);
}

int pa_pay_call(pa_pay *pay, const char *method, const char *url, const char *const *headers,
                int nheaders, const char *body, pa_payhttp_resp *resp, long *status,
                char err[PA_PAY_ERR_MAX]) {
  int rc = pa_payhttp_request(method, url, headers, nheaders, body, body ? strlen(body) : 0,
                              pay->cfg.timeout_ms, resp, err);
  if (status) *status = resp->status;
  if (rc != PA_PAY_OK) return rc;
  long st = resp->status;
  if (st >= 200 && st < 300) return PA_PAY_OK;
  error_text(st, resp, err);
  pa_payhttp_resp_free(resp);
  /* 5xx and 429: the provider may or may not have done it; the caller
   * retries with the same idempotency key. */
  return st >= 500 || st == 429 || st == 0 ? PA_PAY_EUNREACHABLE : PA_PAY_EREFUSED;
}

cJSON *pa_pay_json(const pa_payhttp_resp *resp, char err[PA_PAY_ERR_MAX]) {
  cJSON *root = resp->body ? cJSON_ParseWithLength(resp->body, resp->len) : NULL;
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    snprintf(err, PA_PAY_ERR_MAX, "the provider's answer is not a JSON object");
    return NULL;
  }
  return root;
}

/* ---- dispatch */

static int off(char err[PA_PAY_ERR_MAX]) {
  return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "payment provider not configured");
}

int pa_pay_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                      char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, rq->provider, rq->provider == PA_PAY_MERCADOPAGO ? rq->country : NULL))
    return off(err);
  if (!rq->idempotency_key || !rq->idempotency_key[0] || !rq->reference || !rq->return_url ||
      !rq->cancel_url || (rq->months != 1 && rq->months != 12) || rq->price.minor <= 0 ||
      pa_money_exponent(rq->price.currency) < 0)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "incomplete subscription request");
  return rq->provider == PA_PAY_PAYPAL ? pa_paypal_sub_create(pay, rq, out, err)
                                       : pa_mp_sub_create(pay, rq, out, err);
}

int pa_pay_sub_get(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                   pa_pay_sub *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, p, p == PA_PAY_MERCADOPAGO ? country : NULL)) return off(err);
  return p == PA_PAY_PAYPAL ? pa_paypal_sub_get(pay, id, out, err)
                            : pa_mp_sub_get(pay, country, id, out, err);
}

int pa_pay_sub_change(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                      pa_pay_sub_action action, char err[PA_PAY_ERR_MAX]) {
  if (!pa_pay_enabled(pay, p, p == PA_PAY_MERCADOPAGO ? country : NULL)) return off(err);
  if (action != PA_PAY_CANCEL && action != PA_PAY_SUSPEND && action != PA_PAY_REACTIVATE)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "unknown action");
  return p == PA_PAY_PAYPAL ? pa_paypal_sub_change(pay, id, action, err)
                            : pa_mp_sub_change(pay, country, id, action, err);
}

int pa_pay_sub_txns(pa_pay *pay, pa_pay_provider p, const char *country, const char *sub_id,
                    int64_t from, int64_t to, pa_pay_txn *out, int cap, int *n,
                    char err[PA_PAY_ERR_MAX]) {
  *n = 0;
  if (!pa_pay_enabled(pay, p, p == PA_PAY_MERCADOPAGO ? country : NULL)) return off(err);
  if (p == PA_PAY_PAYPAL) return pa_paypal_sub_txns(pay, sub_id, from, to, out, cap, n, err);
  return pa_mp_sub_txns(pay, country, sub_id, from, to, out, cap, n, err);
}

int pa_pay_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                        char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, rq->provider, rq->provider == PA_PAY_MERCADOPAGO ? rq->country : NULL))
    return off(err);
  if (!rq->idempotency_key || !rq->idempotency_key[0] || !rq->reference || !rq->return_url ||
      !rq->cancel_url || !rq->title || rq->amount.minor <= 0 ||
      pa_money_exponent(rq->amount.currency) < 0)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "incomplete order request");
  return rq->provider == PA_PAY_PAYPAL ? pa_paypal_order_create(pay, rq, out, err)
                                       : pa_mp_order_create(pay, rq, out, err);
}

int pa_pay_order_capture(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                         const char *idempotency_key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, p, p == PA_PAY_MERCADOPAGO ? country : NULL)) return off(err);
  if (p == PA_PAY_PAYPAL) return pa_paypal_order_capture(pay, id, idempotency_key, out, err);
  pa_pay_txn t[PA_PAY_MP_PAYMENT_TXNS];
  int n = 0;
  char cc[3];
  int rc = pa_mp_payment_get(pay, country, id, t, PA_PAY_MP_PAYMENT_TXNS, &n, cc, err);
  if (rc != PA_PAY_OK) return rc;
  if (n == 0) return pa_pay_fail(err, PA_PAY_EREFUSED, "payment %s is not decided yet", id);
  *out = t[0];
  return PA_PAY_OK;
}

int pa_pay_order_find(pa_pay *pay, pa_pay_provider p, const char *country, const char *reference,
                      pa_pay_txn *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (p != PA_PAY_MERCADOPAGO)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "only Mercado Pago searches");
  if (!pa_pay_enabled(pay, p, country)) return off(err);
  return pa_mp_order_find(pay, country, reference, out, err);
}

int pa_pay_refund(pa_pay *pay, pa_pay_provider p, const char *country, const char *txn_id,
                  int is_sale, const pa_money *amount, const char *idempotency_key, pa_pay_txn *out,
                  char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!pa_pay_enabled(pay, p, p == PA_PAY_MERCADOPAGO ? country : NULL)) return off(err);
  if (!idempotency_key || !idempotency_key[0] ||
      (amount && (amount->minor <= 0 || pa_money_exponent(amount->currency) < 0)))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "incomplete refund request");
  return p == PA_PAY_PAYPAL
             ? pa_paypal_refund(pay, txn_id, is_sale, amount, idempotency_key, out, err)
             : pa_mp_refund(pay, country, txn_id, amount, idempotency_key, out, err);
}

int pa_pay_payment_get(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                       pa_pay_txn *out, int cap, int *n, char country_out[3],
                       char err[PA_PAY_ERR_MAX]) {
  *n = 0;
  country_out[0] = 0;
  if (p != PA_PAY_MERCADOPAGO || !pa_pay_enabled(pay, p, country && *country ? country : NULL))
    return off(err);
  return pa_mp_payment_get(pay, country, id, out, cap, n, country_out, err);
}

int pa_pay_id_ok(const char *id) {
  if (!id || !*id || strlen(id) >= PA_PAY_ID_MAX) return 0;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      return 0;
  return 1;
}
