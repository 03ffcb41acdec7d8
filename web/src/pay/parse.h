/* Pure parsers of the providers' JSON (no I/O, no curl, no OpenSSL), shared
 * by the adapters and the webhook code and compiled alone into the fuzz
 * build. Private to web/src/pay/. */
#ifndef PA_PAY_PARSE_H
#define PA_PAY_PARSE_H

#include "pay/pay.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Copies src into dst[cap]: 0, or -1 (NULL, too long; dst is then ""). */
int pa_pay_copy(char *dst, size_t cap, const char *src);
/* The string member name of obj, or NULL. */
const char *pa_pay_jstr(const cJSON *obj, const char *name);
/* An id that is a JSON string or a non-negative whole number (Mercado Pago
 * sends numbers) into out: 0 or -1. */
int pa_pay_jid(const cJSON *item, char out[PA_PAY_ID_MAX]);

/* ISO 8601 date-time ("2026-12-06T05:28:57Z", "…57.123-04:00") to Unix
 * seconds: 0 or -1. */
int pa_pay_iso_time(const char *s, int64_t *out);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void pa_pay_iso_format(int64_t t, char out[32]);

/* A decimal string amount ("4.99", PayPal) in currency: 0 and *out, or -1.
 * allow_minus accepts a leading '-' and drops it (PayPal writes some
 * refunds and fees negative; we keep amounts positive). */
int pa_pay_money_text(const char *value, const char *currency, int allow_minus, pa_money *out);
/* A JSON number amount (Mercado Pago) in currency, converted through its
 * text at the currency's exponent and refused unless exact: 0 or -1. */
int pa_pay_money_number(const cJSON *num, const char *currency, pa_money *out);

/* The value of name in an URL query string (not decoded; name must be
 * followed by '='): 0 and out, or -1 (absent, too long). */
int pa_pay_query_get(const char *query, const char *name, char *out, size_t cap);

/* crc32 (zlib's polynomial, reflected 0xEDB88320) of len bytes. */
uint32_t pa_pay_crc32(const void *data, size_t len);

/* Provider objects into the neutral structs: 0, or -1 when a required
 * member is missing or malformed. */
int pa_pay_paypal_sub(const cJSON *sub, pa_pay_sub *out);
int pa_pay_mp_sub(const cJSON *pre, pa_pay_sub *out);
/* A PayPal v2 capture (orders, PAYMENT.CAPTURE.*) as a charge. */
int pa_pay_paypal_capture(const cJSON *cap, pa_pay_txn *out);
/* A captured PayPal order (the capture call's answer): its first capture
 * as pa_pay_paypal_capture reads it, the unit's custom_id when the capture
 * has none, and the order's payer.email_address. 0, or -1 when it holds no
 * decided capture. */
int pa_pay_paypal_order_capture(const cJSON *order, pa_pay_txn *out);
/* A payer's address a provider reports, into out when it looks like one
 * (1..PA_PAY_EMAIL_MAX - 1 bytes of printable ASCII but space, one '@'
 * with text either side), else "": an odd value never refuses the
 * movement it came with, it only leaves the check without an account. */
void pa_pay_payer_email(const char *s, char out[PA_PAY_EMAIL_MAX]);
/* A Mercado Pago payment: the charge (or failed charge), then one refund
 * per refunds[] entry and a chargeback (of what was not refunded) when
 * charged back, into
 * out[0..*n) (up to cap). A payment not yet decided yields *n = 0. */
int pa_pay_mp_payment(const cJSON *pay, pa_pay_txn *out, int cap, int *n);

/* Webhook bodies. request_id (MP's x-request-id, or NULL) is the event id
 * when the body carries none. */
int pa_pay_paypal_event(const unsigned char *body, size_t len, pa_pay_event *out,
                        char err[PA_PAY_ERR_MAX]);
int pa_pay_mp_event(const unsigned char *body, size_t len, const char *query,
                    const char *request_id, pa_pay_event *out, char err[PA_PAY_ERR_MAX]);
/* Mercado Pago's data.id from the query string, lower-cased when
 * alphanumeric (as MP's signature manifest wants): 0 or -1. */
int pa_pay_mp_data_id(const char *query, char out[PA_PAY_ID_MAX]);

/* Whether url may be fetched as PayPal's webhook certificate: a clean URL
 * (no user info, escapes, dot segments, query or fragment, only printable
 * ASCII) that starts with one of the comma-separated prefixes. 1 or 0. */
int pa_pay_cert_url_allowed(const char *prefixes, const char *url);

/* ts and v1 of Mercado Pago's x-signature "ts=…,v1=…" (any order, spaces
 * around parts; each once, non-empty, within its buffer): 0 or -1. */
int pa_pay_mp_signature(const char *h, char ts[24], char v1[72]);

/* parse_payout.c: PayPal Payouts. A status word ("SUCCESS", "UNCLAIMED", …)
 * as pay.h's enum (PA_PAY_PAYOUT_OTHER for one we do not know). */
pa_pay_payout_status pa_pay_payout_status_parse(const char *s);
/* A payout item (GET …/payouts-item/{id}, a batch's items[], an item
 * webhook's resource): 0, or -1 when ids, status or amount are missing. */
int pa_pay_paypal_payout_item(const cJSON *it, pa_pay_payout_item *out);
/* A batch_header: payout_batch_id, batch_status, sender_batch_id. */
int pa_pay_paypal_payout_batch(const cJSON *header, pa_pay_payout *out);
#endif
