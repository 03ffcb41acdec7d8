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

#define PA_PAY_ID_MAX    96  /* provider ids, our keys, event ids (with the NUL) */
#define PA_PAY_URL_MAX   512 /* approval and return URLs (with the NUL) */
#define PA_PAY_ERR_MAX   200 /* printable error text (with the NUL) */
#define PA_PAY_EMAIL_MAX 255 /* a receiver's or payer's email (with the NUL) */

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
  /* Marketplace: our Mercado Pago application (PA_MP_CLIENT_ID / _SECRET)
   * and where sellers authorize it (PA_MP_AUTH, default
   * https://auth.mercadopago.com). */
  char mp_client_id[64], mp_client_secret[128];
  char mp_auth[PA_PAY_URL_MAX];
  long timeout_ms; /* PA_PAY_TIMEOUT_MS, default PA_PAY_TIMEOUT_DEFAULT_MS */
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
  /* The subscriber's account (PayPal subscriber.email_address, once
   * approved), or "": for the affiliates' same-account check only. */
  char payer[PA_PAY_EMAIL_MAX];
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
  /* A charge's payer account where the provider names it (PayPal: the
   * captured order's payer.email_address, a subscription's
   * subscriber.email_address; Mercado Pago: the payment's payer.email), or
   * "". Only for the affiliates' same-payment-account check (commission.h):
   * never stored or logged. */
  char payer[PA_PAY_EMAIL_MAX];
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

/* ---- marketplace: paying sellers out (PayPal Payouts v1)
 *
 * We collect the buyer's payment (an order above), hold it until the buyer
 * has the goods, then send the seller their share minus our fee. */

#define PA_PAY_PAYOUT_ITEMS_MAX 100 /* items per batch we send (PayPal takes 15000) */

typedef enum pa_pay_payout_status {
  PA_PAY_PAYOUT_PENDING = 1, /* batch PENDING/PROCESSING; item PENDING/ONHOLD/NEW */
  PA_PAY_PAYOUT_SUCCESS,     /* the money is in the receiver's account */
  PA_PAY_PAYOUT_UNCLAIMED, /* sent to an email with no PayPal account yet: returned after 30 days */
  PA_PAY_PAYOUT_FAILED,    /* FAILED, BLOCKED, DENIED, CANCELED: no money moved */
  PA_PAY_PAYOUT_RETURNED,  /* unclaimed, or reversed: the money came back to us */
  PA_PAY_PAYOUT_OTHER      /* a status we do not know: re-read later */
} pa_pay_payout_status;

typedef struct pa_pay_payout_line {
  const char *receiver;       /* the seller's PayPal email (recipient_type EMAIL) */
  pa_money amount;            /* what the seller receives */
  const char *sender_item_id; /* ours, e.g. the order id: unique per item */
  const char *note;           /* shown to the receiver, or NULL */
} pa_pay_payout_line;

typedef struct pa_pay_payout_request {
  /* Ours, e.g. "po_17": sender_batch_id and PayPal-Request-Id both, so a
   * retry returns the first batch and PayPal never pays a batch id twice. */
  const char *batch_id;
  const char *email_subject; /* or NULL */
  const pa_pay_payout_line *lines;
  int nlines; /* 1..PA_PAY_PAYOUT_ITEMS_MAX, one currency */
} pa_pay_payout_request;

typedef struct pa_pay_payout {
  char id[PA_PAY_ID_MAX];              /* PayPal's payout_batch_id */
  char sender_batch_id[PA_PAY_ID_MAX]; /* ours */
  pa_pay_payout_status status;
} pa_pay_payout;

typedef struct pa_pay_payout_item {
  char item_id[PA_PAY_ID_MAX];        /* PayPal's payout_item_id */
  char batch_id[PA_PAY_ID_MAX];       /* PayPal's payout_batch_id */
  char sender_item_id[PA_PAY_ID_MAX]; /* ours */
  char transaction_id[PA_PAY_ID_MAX]; /* PayPal's, once paid, or "" */
  char receiver[PA_PAY_EMAIL_MAX];
  pa_pay_payout_status status;
  pa_money amount; /* sent */
  pa_money fee;    /* PayPal's fee on it (paid by us), 0 when none */
  char error[64];  /* errors.name when not paid (e.g. RECEIVER_UNREGISTERED), or "" */
} pa_pay_payout_item;

/* Sends a batch (status PENDING in out). Safe to retry with the same
 * batch_id after PA_PAY_EUNREACHABLE: PayPal answers the first batch. */
int pa_pay_payout_create(pa_pay *pay, const pa_pay_payout_request *rq, pa_pay_payout *out,
                         char err[PA_PAY_ERR_MAX]);
/* Reads batch id (PayPal's payout_batch_id) and up to cap of its items into
 * items[0..*n) (items may be NULL with cap 0). */
int pa_pay_payout_get(pa_pay *pay, const char *id, pa_pay_payout *out, pa_pay_payout_item *items,
                      int cap, int *n, char err[PA_PAY_ERR_MAX]);
/* Reads one item by PayPal's payout_item_id. */
int pa_pay_payout_item_get(pa_pay *pay, const char *item_id, pa_pay_payout_item *out,
                           char err[PA_PAY_ERR_MAX]);

/* ---- marketplace: sellers' Mercado Pago accounts (OAuth) and split payments */

#define PA_PAY_MP_TOKEN_MAX 256 /* a seller's access or refresh token (with the NUL) */

/* A seller's grant. Secret: the caller stores it encrypted, wipes it
 * (sodium_memzero) after use and never logs it. */
typedef struct pa_pay_mp_grant {
  char access_token[PA_PAY_MP_TOKEN_MAX];
  char refresh_token[PA_PAY_MP_TOKEN_MAX];
  char public_key[128];
  char user_id[PA_PAY_ID_MAX]; /* the seller's Mercado Pago user id: the payments' collector */
  int64_t expires_at;          /* Unix seconds */
} pa_pay_mp_grant;

/* The authorization page to send the seller to: state is ours (a random
 * value bound to the person's session), redirect_uri must be the one
 * registered with the application. PA_PAY_OK with out, or an error. */
int pa_pay_mp_oauth_url(const pa_pay *pay, const char *state, const char *redirect_uri,
                        char out[PA_PAY_URL_MAX], char err[PA_PAY_ERR_MAX]);
/* Trades the code the seller came back with (and the same redirect_uri)
 * for their grant. A wrong, expired or used code is PA_PAY_EREFUSED with
 * err "invalid_grant". */
int pa_pay_mp_oauth_exchange(pa_pay *pay, const char *code, const char *redirect_uri,
                             pa_pay_mp_grant *out, char err[PA_PAY_ERR_MAX]);
/* A new grant from refresh_token (which Mercado Pago then retires). */
int pa_pay_mp_oauth_refresh(pa_pay *pay, const char *refresh_token, pa_pay_mp_grant *out,
                            char err[PA_PAY_ERR_MAX]);

/* A Checkout Pro preference collected by the seller whose access token is
 * seller_token, carrying our marketplace_fee (same currency as
 * rq->amount, 0 ≤ fee ≤ amount; rq->country names the seller's site). */
int pa_pay_mp_seller_order_create(pa_pay *pay, const char *seller_token,
                                  const pa_pay_order_request *rq, const pa_money *marketplace_fee,
                                  pa_pay_order *out, char err[PA_PAY_ERR_MAX]);

/* A seller's payment as the split shows it. */
typedef struct pa_pay_mp_split {
  pa_pay_txn charge;        /* kind CHARGE (or FAILED, or 0 while undecided); fee: MP's fee */
  pa_money marketplace_fee; /* ours */
  pa_money refunded;        /* refunded so far */
  char collector_id[PA_PAY_ID_MAX];
  char status[32];    /* MP's status: approved, refunded, charged_back, … */
  int released;       /* money_release_status "released" */
  int64_t release_at; /* money_release_date, Unix seconds (0: none) */
} pa_pay_mp_split;

int pa_pay_mp_seller_payment_get(pa_pay *pay, const char *seller_token, const char *country,
                                 const char *payment_id, pa_pay_mp_split *out,
                                 char err[PA_PAY_ERR_MAX]);
/* Refunds a seller's payment with the seller's token (all when amount is
 * NULL); Mercado Pago gives back our fee in proportion. */
int pa_pay_mp_seller_refund(pa_pay *pay, const char *seller_token, const char *country,
                            const char *payment_id, const pa_money *amount,
                            const char *idempotency_key, pa_pay_txn *out, char err[PA_PAY_ERR_MAX]);

/* ---- webhooks */

#define PA_PAY_WEBHOOK_MAX 65536 /* bytes of body we accept from a provider */

typedef enum pa_pay_event_kind {
  PA_PAY_EV_SUBSCRIPTION = 1, /* something about subscription sub_id changed: re-read it */
  PA_PAY_EV_TXN,              /* a money movement; PayPal: in txn; MP: payment txn.id, re-read */
  PA_PAY_EV_IGNORED,          /* a verified event we do not act on */
  PA_PAY_EV_PAYOUT            /* PayPal payouts: an item (payout.item_id set) or a batch */
} pa_pay_event_kind;

typedef struct pa_pay_event {
  pa_pay_provider provider;
  pa_pay_event_kind kind;
  char id[PA_PAY_ID_MAX];     /* unique per provider: PayPal event id, MP notification "id" */
  char type[64];              /* PayPal event_type, MP type/topic */
  char sub_id[PA_PAY_ID_MAX]; /* the subscription named, or "" */
  char country[3]; /* Mercado Pago: the account the notification is for ("" if unknown) */
  char user_id[PA_PAY_ID_MAX]; /* Mercado Pago: the notification's user_id (a seller's, for
                                  their split payments; "" if absent) */
  pa_pay_txn txn;              /* PA_PAY_EV_TXN */
  int txn_complete; /* txn was read from a verified PayPal body (1) or needs a lookup (0) */
  /* PA_PAY_EV_PAYOUT: an item event fills the item (item_id set); a batch
   * event fills batch_id and status only. */
  pa_pay_payout_item payout;
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
