/* pa_pay — the payment providers behind one interface.
 *
 * api/billing.c and the webhook worker speak only this: create a
 * subscription or a one-time order at a provider, read it back, change its
 * state, and turn a provider's webhook into the objects it names. The
 * adapters (paypal.c, mercadopago.c) translate to each provider's REST API;
 * which host they talk to (the real one or paysim) is configuration, never
 * code. Every create carries the caller's idempotency key, so a retry after a
 * timeout never charges twice. Amounts are pa_money (money.h): integer minor
 * units, never floats. */
#ifndef PA_PAY_H
#define PA_PAY_H

#include "pay/money.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pa_pay_provider {
  PA_PAY_PAYPAL = 1,
  PA_PAY_MERCADOPAGO = 2,
} pa_pay_provider;

/* "paypal" / "mercadopago" and back (0 for anything else). */
const char *pa_pay_provider_name(pa_pay_provider p);
pa_pay_provider pa_pay_provider_parse(const char *name);

/* Return codes. PA_PAY_EUNREACHABLE covers connection errors, timeouts and
 * 5xx: the outcome is unknown, retry with the same key. PA_PAY_EREFUSED is a
 * 4xx: the provider said no (message in err). */
enum {
  PA_PAY_OK = 0,
  PA_PAY_EUNREACHABLE = 1,
  PA_PAY_EREFUSED = 2,
  PA_PAY_EBADANSWER = 3, /* 2xx whose body we cannot read: a provider bug or a forgery */
  PA_PAY_ENOTCONFIGURED = 4,
  PA_PAY_ENOMEM = 5,
  PA_PAY_EVERIFY = 6 /* a webhook whose signature does not verify */
};

#define PA_PAY_ID_MAX  96  /* provider ids, our keys, event ids (with the NUL) */
#define PA_PAY_URL_MAX 512 /* approval and return URLs (with the NUL) */
#define PA_PAY_ERR_MAX 200 /* printable error text (with the NUL) */

/* Where each provider is and who we are there. Read once from the
 * environment by pa_pay_config_from_env; a provider with no base URL is off. */
typedef struct pa_pay_config {
  char paypal_api[PA_PAY_URL_MAX];                /* PA_PAYPAL_API, e.g. https://api-m.paypal.com */
  char paypal_client_id[128], paypal_secret[128]; /* PA_PAYPAL_CLIENT_ID / _SECRET */
  char paypal_webhook_id[PA_PAY_ID_MAX];          /* PA_PAYPAL_WEBHOOK_ID */
  /* PA_PAYPAL_CERT_PREFIXES: comma-separated URL prefixes a PAYPAL-CERT-URL
   * must start with; PayPal's own hosts by default. */
  char paypal_cert_prefixes[PA_PAY_URL_MAX];
  char mp_api[PA_PAY_URL_MAX]; /* PA_MP_API, e.g. https://api.mercadopago.com */
  char mp_tokens[5][2][128];   /* {country, access token}: PA_MP_TOKEN_BR, _AR, _MX, _CO, _CL */
  char mp_webhook_secret[128]; /* PA_MP_WEBHOOK_SECRET */
  long timeout_ms;             /* PA_PAY_TIMEOUT_MS, default PA_PAY_TIMEOUT_DEFAULT_MS */
} pa_pay_config;

#define PA_PAY_TIMEOUT_DEFAULT_MS 10000

/* 0, or -1 with a printable reason in err when a variable is malformed. */
int pa_pay_config_from_env(pa_pay_config *cfg, char err[PA_PAY_ERR_MAX]);

/* Shared state of the adapters: the configuration, PayPal's cached OAuth
 * token and fetched certificates. Thread-safe. NULL when out of memory;
 * freed by pa_pay_free. */
typedef struct pa_pay pa_pay;
pa_pay *pa_pay_new(const pa_pay_config *cfg);
void pa_pay_free(pa_pay *pay);

/* Whether provider p is configured, and (Mercado Pago) for country. */
int pa_pay_enabled(const pa_pay *pay, pa_pay_provider p, const char *country);

/* ---- subscriptions */

typedef enum pa_pay_sub_status {
  PA_PAY_SUB_PENDING = 1, /* created, waiting for the person's approval */
  PA_PAY_SUB_ACTIVE,      /* approved and charging (PayPal ACTIVE/APPROVED, MP authorized) */
  PA_PAY_SUB_SUSPENDED,   /* paused by us, or after failed payments */
  PA_PAY_SUB_CANCELLED,
  PA_PAY_SUB_EXPIRED
} pa_pay_sub_status;

typedef struct pa_pay_sub_request {
  pa_pay_provider provider;
  const char *country;         /* ISO 3166 alpha-2 (Mercado Pago picks the account by it) */
  const char *plan;            /* catalog id, e.g. "plus_yearly" */
  int months;                  /* billing period: 1 or 12 */
  pa_money price;              /* decided by the catalog */
  const char *idempotency_key; /* ours, stored with the checkout before the call */
  const char *reference; /* our checkout id, e.g. "co_5": PayPal custom_id, MP external_reference */
  const char *payer_email; /* Mercado Pago requires one */
  const char *return_url;  /* where the approval page sends the person back */
  const char *cancel_url;
} pa_pay_sub_request;

typedef struct pa_pay_sub {
  char id[PA_PAY_ID_MAX]; /* the provider's subscription id */
  char approve_url[PA_PAY_URL_MAX];
  char reference[PA_PAY_ID_MAX]; /* what we passed as reference */
  pa_pay_sub_status status;
  int64_t next_charge_at; /* Unix seconds, 0 when none */
  pa_money price;         /* the recurring amount the provider holds */
} pa_pay_sub;

/* Creates the subscription (for PayPal also its product and billing plan,
 * cached in pay for the process's life). Fills out (status PENDING,
 * approve_url). PA_PAY_OK or an error code with err. */
int pa_pay_sub_create(pa_pay *pay, const pa_pay_sub_request *rq, pa_pay_sub *out,
                      char err[PA_PAY_ERR_MAX]);
/* Reads the provider's current view of subscription id. */
int pa_pay_sub_get(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                   pa_pay_sub *out, char err[PA_PAY_ERR_MAX]);

typedef enum pa_pay_sub_action {
  PA_PAY_CANCEL = 1,
  PA_PAY_SUSPEND,
  PA_PAY_REACTIVATE
} pa_pay_sub_action;
int pa_pay_sub_change(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                      pa_pay_sub_action action, char err[PA_PAY_ERR_MAX]);

/* ---- money movements */

typedef enum pa_pay_txn_kind {
  PA_PAY_TXN_CHARGE = 1, /* a completed payment: first, renewal or one-time */
  PA_PAY_TXN_REFUND,     /* money back to the payer (parent_id: the charge) */
  PA_PAY_TXN_CHARGEBACK, /* reversed by the payer's bank (parent_id: the charge) */
  PA_PAY_TXN_FAILED      /* a renewal that did not go through (no money moved) */
} pa_pay_txn_kind;

typedef struct pa_pay_txn {
  pa_pay_txn_kind kind;
  char id[PA_PAY_ID_MAX]; /* the provider's id of this movement (sale, capture, payment, refund) */
  char parent_id[PA_PAY_ID_MAX]; /* refunds and chargebacks: the charge they reverse */
  char sub_id[PA_PAY_ID_MAX];    /* the subscription it belongs to, or "" */
  char reference[PA_PAY_ID_MAX]; /* our reference (custom_id / external_reference), or "" */
  pa_money gross;                /* always positive */
  pa_money fee;                  /* the provider's fee on a charge (0 on others) */
  int64_t at;                    /* Unix seconds */
} pa_pay_txn;

/* Lists a subscription's money movements between from and to (Unix
 * seconds): up to cap into out, *n set. For reconciliation. */
int pa_pay_sub_txns(pa_pay *pay, pa_pay_provider p, const char *country, const char *sub_id,
                    int64_t from, int64_t to, pa_pay_txn *out, int cap, int *n,
                    char err[PA_PAY_ERR_MAX]);

/* ---- one-time payments (PayPal Orders v2, Mercado Pago Checkout Pro) */

typedef struct pa_pay_order_request {
  pa_pay_provider provider;
  const char *country;
  const char *title; /* what the approval page shows */
  pa_money amount;
  const char *idempotency_key;
  const char *reference; /* PayPal custom_id, MP external_reference */
  const char *return_url, *cancel_url;
} pa_pay_order_request;

typedef struct pa_pay_order {
  char id[PA_PAY_ID_MAX]; /* PayPal order id; MP preference id */
  char approve_url[PA_PAY_URL_MAX];
} pa_pay_order;

int pa_pay_order_create(pa_pay *pay, const pa_pay_order_request *rq, pa_pay_order *out,
                        char err[PA_PAY_ERR_MAX]);
/* After approval: PayPal captures order id (key makes a retry safe); Mercado
 * Pago has already charged, and id is the payment id the return URL named,
 * which is read. out is the charge (kind PA_PAY_TXN_CHARGE when it went
 * through). */
int pa_pay_order_capture(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                         const char *idempotency_key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]);
/* Mercado Pago: the charge of the one-time order whose external_reference
 * is reference, found through the payments search, for an order whose
 * return and notification were both lost (PayPal's capture needs no search).
 * PA_PAY_EREFUSED while nothing is charged under it. */
int pa_pay_order_find(pa_pay *pay, pa_pay_provider p, const char *country, const char *reference,
                      pa_pay_txn *out, char err[PA_PAY_ERR_MAX]);
/* Refunds charge txn_id (a PayPal sale or capture, a MP payment): all of it
 * when amount is NULL. out is the refund. is_sale: PayPal subscription
 * payments are v1 sales, one-time ones v2 captures. */
int pa_pay_refund(pa_pay *pay, pa_pay_provider p, const char *country, const char *txn_id,
                  int is_sale, const pa_money *amount, const char *idempotency_key, pa_pay_txn *out,
                  char err[PA_PAY_ERR_MAX]);

/* ---- webhooks */

#define PA_PAY_WEBHOOK_MAX 65536 /* bytes of body we accept from a provider */

typedef enum pa_pay_event_kind {
  PA_PAY_EV_SUBSCRIPTION = 1, /* something about subscription sub_id changed: re-read it */
  PA_PAY_EV_TXN,              /* a money movement; PayPal: in txn; MP: payment txn.id, re-read */
  PA_PAY_EV_IGNORED           /* a verified event we do not act on */
} pa_pay_event_kind;

typedef struct pa_pay_event {
  pa_pay_provider provider;
  pa_pay_event_kind kind;
  char id[PA_PAY_ID_MAX];     /* unique per provider: PayPal event id, MP notification "id" */
  char type[64];              /* PayPal event_type, MP type/topic */
  char sub_id[PA_PAY_ID_MAX]; /* the subscription named, or "" */
  char country[3];  /* Mercado Pago: the account the notification is for ("" if unknown) */
  pa_pay_txn txn;   /* PA_PAY_EV_TXN */
  int txn_complete; /* txn was read from a verified PayPal body (1) or needs a lookup (0) */
} pa_pay_event;

/* One incoming webhook request as the transport read it. */
typedef struct pa_pay_webhook {
  pa_pay_provider provider;
  const unsigned char *body;
  size_t len;
  const char *query; /* raw query string (Mercado Pago's data.id and type), or NULL */
  /* header value by case-insensitive name, or NULL */
  const char *(*header)(void *ctx, const char *name);
  void *ctx;
} pa_pay_webhook;

/* Verifies the signature (PayPal: fetching the certificate from an allowed
 * URL, cached; Mercado Pago: the HMAC) and parses the event into out.
 * PA_PAY_EVERIFY for a bad or missing signature, PA_PAY_EBADANSWER for a body
 * that is not a well-formed event; nothing is trusted before OK. */
int pa_pay_webhook_open(pa_pay *pay, const pa_pay_webhook *wh, pa_pay_event *out,
                        char err[PA_PAY_ERR_MAX]);

/* Parsing without verification, for the fuzzers and for re-reading a
 * stored event: the body alone (and MP's query). */
int pa_pay_webhook_parse(pa_pay_provider p, const unsigned char *body, size_t len,
                         const char *query, pa_pay_event *out, char err[PA_PAY_ERR_MAX]);

/* Mercado Pago notifications carry only an id: reads payment id (from the
 * account for country, or each configured account in turn when country is
 * "") into out[0..*n): the charge, then its refunds and chargeback. *country_out
 * (3 bytes) receives the account's country. */
int pa_pay_payment_get(pa_pay *pay, pa_pay_provider p, const char *country, const char *id,
                       pa_pay_txn *out, int cap, int *n, char country_out[3],
                       char err[PA_PAY_ERR_MAX]);

#endif
