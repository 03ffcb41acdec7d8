/* What the adapters (paypal.c, mercadopago.c), the webhook verifier and
 * pay.c share. Private to web/src/pay/. */
#ifndef PA_PAY_INTERNAL_H
#define PA_PAY_INTERNAL_H

#include "pay/http.h"
#include "pay/parse.h"
#include "pay/pay.h"

#include <pthread.h>

#define PA_PAY_PLAN_CACHE_MAX  32   /* PayPal plans per process: (plan, price) pairs */
#define PA_PAY_CERT_CACHE_MAX  8    /* PayPal webhook certificates kept, by URL */
#define PA_PAY_MP_PAYMENT_TXNS 16   /* a payment's charge, refunds and chargeback */
#define PA_PAY_TOKEN_MAX       2048 /* a PayPal access token */
/* A cached OAuth token is dropped this long before PayPal says it expires,
 * so a call never goes out with a token that dies in flight. */
#define PA_PAY_TOKEN_MARGIN_S 300

typedef struct pa_pay_plan_entry {
  char plan[32]; /* our catalog id */
  int months;
  pa_money price;
  char paypal_plan[PA_PAY_ID_MAX]; /* P-… */
} pa_pay_plan_entry;

typedef struct pa_pay_cert_entry {
  char url[PA_PAY_URL_MAX];
  void *x509;    /* X509 *, owned */
  uint64_t used; /* for evicting the least recently used */
} pa_pay_cert_entry;

struct pa_pay {
  pa_pay_config cfg;
  pthread_mutex_t lock; /* token, plans */
  char token[PA_PAY_TOKEN_MAX];
  int64_t token_until;         /* Unix seconds; 0: none */
  char product[PA_PAY_ID_MAX]; /* PayPal catalog product, created once */
  pa_pay_plan_entry plans[PA_PAY_PLAN_CACHE_MAX];
  int nplans;
  pthread_mutex_t cert_lock;
  pa_pay_cert_entry certs[PA_PAY_CERT_CACHE_MAX];
  uint64_t cert_tick;
};

/* One API call: PA_PAY_OK for 2xx (resp kept, the caller frees it),
 * PA_PAY_EUNREACHABLE for no answer, 5xx or 429, PA_PAY_EREFUSED for other
 * statuses with the provider's error text in err (resp freed). *status
 * (may be NULL) receives the status. */
int pa_pay_call(pa_pay *pay, const char *method, const char *url, const char *const *headers,
                int nheaders, const char *body, pa_payhttp_resp *resp, long *status,
                char err[PA_PAY_ERR_MAX]);
/* resp's body as a JSON object (NULL: PA_PAY_EBADANSWER with err). The
 * caller deletes it. */
cJSON *pa_pay_json(const pa_payhttp_resp *resp, char err[PA_PAY_ERR_MAX]);
/* printf into err, PA_PAY_ERR_MAX, returning rc. */
int pa_pay_fail(char err[PA_PAY_ERR_MAX], int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adapters, behind pay.c's dispatch. */
int pa_paypal_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                         char err[PA_PAY_ERR_MAX]);
int pa_paypal_sub_get(pa_pay *pay, const char *id, pa_pay_sub *out, char err[PA_PAY_ERR_MAX]);
int pa_paypal_sub_change(pa_pay *pay, const char *id, pa_pay_sub_action action,
                         char err[PA_PAY_ERR_MAX]);
int pa_paypal_sub_txns(pa_pay *pay, const char *sub_id, int64_t from, int64_t to, pa_pay_txn *out,
                       int cap, int *n, char err[PA_PAY_ERR_MAX]);
int pa_paypal_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                           char err[PA_PAY_ERR_MAX]);
int pa_paypal_order_capture(pa_pay *pay, const char *id, const char *key, pa_pay_txn *out,
                            char err[PA_PAY_ERR_MAX]);
int pa_paypal_refund(pa_pay *pay, const char *txn_id, int is_sale, const pa_money *amount,
                     const char *key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]);

/* paypal.c's authenticated JSON call (token, one retry on 401, key as
 * PayPal-Request-Id), for payout.c: *root is the answer (caller frees). */
int pa_paypal_api(pa_pay *pay, const char *method, const char *path, const char *body,
                  const char *key, cJSON **root, char err[PA_PAY_ERR_MAX]);
/* mercadopago.c's JSON call with access token tok (ours or a seller's),
 * for mp_seller.c; key is X-Idempotency-Key. */
int pa_mp_api_token(pa_pay *pay, const char *tok, const char *method, const char *path,
                    const char *body, const char *key, cJSON **root, long *status,
                    char err[PA_PAY_ERR_MAX]);
/* Adds m to obj as a JSON number written from its exact text: 1, or 0. */
int pa_mp_add_amount(cJSON *obj, const char *name, const pa_money *m);

/* Whether id may go into a provider URL's path: 1..PA_PAY_ID_MAX-1 of
 * [A-Za-z0-9_-] (PayPal's I-…, P-…, order and capture ids; Mercado Pago's
 * 32 hex digits and decimal payment ids). */
int pa_pay_id_ok(const char *id);

const char *pa_mp_token(const pa_pay *pay, const char *country);
int pa_mp_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                     char err[PA_PAY_ERR_MAX]);
int pa_mp_sub_get(pa_pay *pay, const char *country, const char *id, pa_pay_sub *out,
                  char err[PA_PAY_ERR_MAX]);
int pa_mp_sub_change(pa_pay *pay, const char *country, const char *id, pa_pay_sub_action action,
                     char err[PA_PAY_ERR_MAX]);
int pa_mp_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                       char err[PA_PAY_ERR_MAX]);
int pa_mp_refund(pa_pay *pay, const char *country, const char *txn_id, const pa_money *amount,
                 const char *key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]);
/* The same two with an explicit access token (ours or a seller's);
 * marketplace_fee (or NULL) makes the preference a split payment. */
int pa_mp_preference_create(pa_pay *pay, const char *tok, const pa_pay_order_request *rq,
                            const pa_money *marketplace_fee, pa_pay_order *out,
                            char err[PA_PAY_ERR_MAX]);
int pa_mp_refund_token(pa_pay *pay, const char *tok, const char *country, const char *txn_id,
                       const pa_money *amount, const char *key, pa_pay_txn *out,
                       char err[PA_PAY_ERR_MAX]);
int pa_mp_sub_txns(pa_pay *pay, const char *country, const char *sub_id, int64_t from, int64_t to,
                   pa_pay_txn *out, int cap, int *n, char err[PA_PAY_ERR_MAX]);
int pa_mp_order_find(pa_pay *pay, const char *country, const char *reference, pa_pay_txn *out,
                     char err[PA_PAY_ERR_MAX]);
int pa_mp_payment_get(pa_pay *pay, const char *country, const char *id, pa_pay_txn *out, int cap,
                      int *n, char country_out[3], char err[PA_PAY_ERR_MAX]);

/* webhook.c: frees the certificate cache. */
void pa_pay_certs_free(pa_pay *pay);

#endif
