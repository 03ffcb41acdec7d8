/* Pure parsers of PayPal's and Mercado Pago's JSON into pay.h's structs.
 * Nothing here does I/O: the fuzz build compiles this file with money.c
 * and cJSON alone. Every amount goes through pa_money (exact text), every
 * string into a fixed buffer with a length check. */
#include "pay/parse.h"

#include "pa/pa_civil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers */

const char *pa_pay_provider_name(pa_pay_provider p) {
  return p == PA_PAY_PAYPAL ? "paypal" : p == PA_PAY_MERCADOPAGO ? "mercadopago" : NULL;
}

pa_pay_provider pa_pay_provider_parse(const char *name) {
  if (name && strcmp(name, "paypal") == 0) return PA_PAY_PAYPAL;
  if (name && strcmp(name, "mercadopago") == 0) return PA_PAY_MERCADOPAGO;
  return (pa_pay_provider)0;
}

int pa_pay_copy(char *dst, size_t cap, const char *src) {
  if (!cap) return -1;
  dst[0] = 0;
  if (!src) return -1;
  size_t n = strlen(src);
  if (n >= cap) return -1;
  memcpy(dst, src, n + 1);
  return 0;
}

const char *pa_pay_jstr(const cJSON *obj, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Whole numbers up to 2^53 are exact in a double, which is all cJSON keeps. */
#define JSON_INT_MAX 9007199254740992.0

int pa_pay_jid(const cJSON *item, char out[PA_PAY_ID_MAX]) {
  out[0] = 0;
  if (cJSON_IsString(item)) {
    if (!item->valuestring[0]) return -1;
    return pa_pay_copy(out, PA_PAY_ID_MAX, item->valuestring);
  }
  if (!cJSON_IsNumber(item)) return -1;
  double d = item->valuedouble;
  if (!(d >= 0 && d <= JSON_INT_MAX) || d != (double)(long long)d) return -1;
  snprintf(out, PA_PAY_ID_MAX, "%lld", (long long)d);
  return 0;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int pa_pay_iso_time(const char *s, int64_t *out) {
  int y, mo, d, h, mi, se;
  if (!s || strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
      s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
      digits(s + 17, 2, &se))
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return -1;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return -1;
    while (*p >= '0' && *p <= '9') p++;
  }
  int64_t off = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om, sign = *p == '-' ? -1 : 1;
    p++;
    if (digits(p, 2, &oh)) return -1;
    p += 2;
    if (*p == ':') p++;
    if (digits(p, 2, &om) || oh > 23 || om > 59) return -1;
    p += 2;
    off = sign * (oh * 3600 + om * 60);
  } else {
    return -1;
  }
  if (*p) return -1;
  *out = pa_civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
  return 0;
}

void pa_pay_iso_format(int64_t t, char out[32]) {
  pa_civil c = pa_civil_from_unix(t);
  char buf[96]; /* room for any int64 year; copied truncated to out's 32 */
  snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)c.year, c.month, c.day,
           c.hour, c.minute, c.second);
  snprintf(out, 32, "%.31s", buf);
}

int pa_pay_money_text(const char *value, const char *currency, int allow_minus, pa_money *out) {
  if (!value || !currency || strlen(currency) != 3) return -1;
  if (allow_minus && value[0] == '-') value++;
  int64_t minor;
  if (pa_money_parse(value, strlen(value), currency, &minor) != 0) return -1;
  out->minor = minor;
  memcpy(out->currency, currency, 4);
  return 0;
}

int pa_pay_money_number(const cJSON *num, const char *currency, pa_money *out) {
  int e = pa_money_exponent(currency);
  if (e < 0 || !cJSON_IsNumber(num)) return -1;
  double d = num->valuedouble, scale = 1;
  for (int i = 0; i < e; i++) scale *= 10;
  if (!(d >= 0 && d <= (double)PA_MONEY_MINOR_MAX / scale)) return -1; /* NaN too */
  /* The number's text at the currency's exponent; it must read back as the
   * very same double, or the JSON had more decimals than the currency
   * (19.905 BRL, 4990.5 CLP) and is refused rather than rounded. */
  char text[64];
  int n = snprintf(text, sizeof text, "%.*f", e, d);
  if (n <= 0 || (size_t)n >= sizeof text || strtod(text, NULL) != d) return -1;
  return pa_money_parse(text, (size_t)n, currency, &out->minor) == 0
             ? (memcpy(out->currency, currency, 4), 0)
             : -1;
}

int pa_pay_query_get(const char *query, const char *name, char *out, size_t cap) {
  if (!query || !cap) return -1;
  size_t nl = strlen(name);
  const char *p = query;
  while (*p) {
    const char *end = strchr(p, '&');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
      size_t vl = len - nl - 1;
      if (vl >= cap) return -1;
      memcpy(out, p + nl + 1, vl);
      out[vl] = 0;
      return 0;
    }
    if (!end) break;
    p = end + 1;
  }
  return -1;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

uint32_t pa_pay_crc32(const void *data, size_t len) {
  pthread_once(&crc_once, crc_init);
  const unsigned char *p = data;
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/* ---- subscriptions */

void pa_pay_payer_email(const char *s, char out[PA_PAY_EMAIL_MAX]) {
  out[0] = '\0';
  if (!s) return;
  size_t n = 0, at = 0, ats = 0;
  for (; s[n] && n < PA_PAY_EMAIL_MAX; n++) {
    const unsigned char c = (unsigned char)s[n];
    if (c <= ' ' || c >= 0x7f) return;
    if (c == '@') ats++, at = n;
  }
  if (n == 0 || n >= PA_PAY_EMAIL_MAX || ats != 1 || at == 0 || at == n - 1) return;
  memcpy(out, s, n + 1);
}

int pa_pay_paypal_sub(const cJSON *sub, pa_pay_sub *out) {
  memset(out, 0, sizeof *out);
  const char *st = pa_pay_jstr(sub, "status");
  if (pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(sub, "id")) || !out->id[0] || !st) return -1;
  if (strcmp(st, "APPROVAL_PENDING") == 0)
    out->status = PA_PAY_SUB_PENDING;
  else if (strcmp(st, "APPROVED") == 0 || strcmp(st, "ACTIVE") == 0)
    out->status = PA_PAY_SUB_ACTIVE;
  else if (strcmp(st, "SUSPENDED") == 0)
    out->status = PA_PAY_SUB_SUSPENDED;
  else if (strcmp(st, "CANCELLED") == 0)
    out->status = PA_PAY_SUB_CANCELLED;
  else if (strcmp(st, "EXPIRED") == 0)
    out->status = PA_PAY_SUB_EXPIRED;
  else
    return -1;
  const char *custom = pa_pay_jstr(sub, "custom_id");
  if (custom && pa_pay_copy(out->reference, sizeof out->reference, custom)) return -1;
  const cJSON *links = cJSON_GetObjectItemCaseSensitive(sub, "links"), *l;
  cJSON_ArrayForEach(l, links) {
    const char *rel = pa_pay_jstr(l, "rel");
    if (rel && strcmp(rel, "approve") == 0 &&
        pa_pay_copy(out->approve_url, sizeof out->approve_url, pa_pay_jstr(l, "href")))
      return -1;
  }
  const cJSON *bi = cJSON_GetObjectItemCaseSensitive(sub, "billing_info");
  const char *next = pa_pay_jstr(bi, "next_billing_time");
  if (next && pa_pay_iso_time(next, &out->next_charge_at)) return -1;
  /* The plan's price is not in the subscription; the last payment is the
   * best the object itself says (the adapter prefers its plan cache). */
  const cJSON *amt = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(bi, "last_payment"), "amount");
  if (amt)
    pa_pay_money_text(pa_pay_jstr(amt, "value"), pa_pay_jstr(amt, "currency_code"), 0, &out->price);
  pa_pay_payer_email(
      pa_pay_jstr(cJSON_GetObjectItemCaseSensitive(sub, "subscriber"), "email_address"),
      out->payer);
  return 0;
}

int pa_pay_mp_sub(const cJSON *pre, pa_pay_sub *out) {
  memset(out, 0, sizeof *out);
  const char *st = pa_pay_jstr(pre, "status");
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(pre, "id"), out->id) || !st) return -1;
  if (strcmp(st, "pending") == 0)
    out->status = PA_PAY_SUB_PENDING;
  else if (strcmp(st, "authorized") == 0)
    out->status = PA_PAY_SUB_ACTIVE;
  else if (strcmp(st, "paused") == 0)
    out->status = PA_PAY_SUB_SUSPENDED;
  else if (strcmp(st, "cancelled") == 0)
    out->status = PA_PAY_SUB_CANCELLED;
  else if (strcmp(st, "finished") == 0 || strcmp(st, "expired") == 0)
    out->status = PA_PAY_SUB_EXPIRED;
  else
    return -1;
  const char *init = pa_pay_jstr(pre, "init_point");
  if (init && pa_pay_copy(out->approve_url, sizeof out->approve_url, init)) return -1;
  const char *ref = pa_pay_jstr(pre, "external_reference");
  if (ref && pa_pay_copy(out->reference, sizeof out->reference, ref)) return -1;
  const char *next = pa_pay_jstr(pre, "next_payment_date");
  if (next && out->status != PA_PAY_SUB_CANCELLED && pa_pay_iso_time(next, &out->next_charge_at))
    return -1;
  const cJSON *ar = cJSON_GetObjectItemCaseSensitive(pre, "auto_recurring");
  if (ar && pa_pay_money_number(cJSON_GetObjectItemCaseSensitive(ar, "transaction_amount"),
                                pa_pay_jstr(ar, "currency_id"), &out->price))
    return -1;
  return 0;
}

/* ---- PayPal money movements */

/* The id a refund's "up" link names: the last path segment of a link with
 * rel "up" whose path ends in /captures/<id> or /sale/<id> (a capture's own
 * "up" link names its order, which is not what a refund reverses), or -1. */
static int up_link_id(const cJSON *obj, char out[PA_PAY_ID_MAX]) {
  const cJSON *l;
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(obj, "links")) {
    const char *rel = pa_pay_jstr(l, "rel"), *href = pa_pay_jstr(l, "href");
    if (!rel || strcmp(rel, "up") != 0 || !href) continue;
    const char *slash = strrchr(href, '/');
    if (!slash || !slash[1]) continue;
    size_t at = (size_t)(slash - href);
    if ((at >= 9 && strncmp(slash - 9, "/captures", 9) == 0) ||
        (at >= 5 && strncmp(slash - 5, "/sale", 5) == 0))
      return pa_pay_copy(out, PA_PAY_ID_MAX, slash + 1);
  }
  return -1;
}

/* amount {value, currency_code} (v2) into m. */
static int v2_amount(const cJSON *amt, int allow_minus, pa_money *m) {
  return pa_pay_money_text(pa_pay_jstr(amt, "value"), pa_pay_jstr(amt, "currency_code"),
                           allow_minus, m);
}

static void txn_time(const cJSON *obj, pa_pay_txn *t) {
  const char *s = pa_pay_jstr(obj, "create_time");
  if (!s || pa_pay_iso_time(s, &t->at)) t->at = 0;
}

int pa_pay_paypal_capture(const cJSON *cap, pa_pay_txn *out) {
  memset(out, 0, sizeof *out);
  const char *st = pa_pay_jstr(cap, "status");
  if (pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(cap, "id")) || !out->id[0] || !st ||
      v2_amount(cJSON_GetObjectItemCaseSensitive(cap, "amount"), 0, &out->gross))
    return -1;
  if (strcmp(st, "COMPLETED") == 0 || strcmp(st, "REFUNDED") == 0 ||
      strcmp(st, "PARTIALLY_REFUNDED") == 0)
    out->kind = PA_PAY_TXN_CHARGE;
  else if (strcmp(st, "DECLINED") == 0 || strcmp(st, "FAILED") == 0)
    out->kind = PA_PAY_TXN_FAILED;
  else
    return -1; /* PENDING: not decided yet */
  memcpy(out->fee.currency, out->gross.currency, 4);
  const cJSON *fee = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(cap, "seller_receivable_breakdown"), "paypal_fee");
  if (out->kind == PA_PAY_TXN_CHARGE && fee && v2_amount(fee, 1, &out->fee)) return -1;
  if (strcmp(out->fee.currency, out->gross.currency) != 0) return -1;
  const char *custom = pa_pay_jstr(cap, "custom_id");
  if (custom && pa_pay_copy(out->reference, sizeof out->reference, custom)) return -1;
  txn_time(cap, out);
  return 0;
}

int pa_pay_paypal_order_capture(const cJSON *order, pa_pay_txn *out) {
  const cJSON *unit =
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(order, "purchase_units"), 0);
  const cJSON *cap =
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(unit, "payments"), "captures"),
                         0);
  if (!cap || pa_pay_paypal_capture(cap, out)) {
    memset(out, 0, sizeof *out);
    return -1;
  }
  if (!out->reference[0] &&
      pa_pay_copy(out->reference, sizeof out->reference, pa_pay_jstr(unit, "custom_id")))
    out->reference[0] = '\0';
  pa_pay_payer_email(pa_pay_jstr(cJSON_GetObjectItemCaseSensitive(order, "payer"), "email_address"),
                     out->payer);
  return 0;
}

/* PAYMENT.CAPTURE.REFUNDED / REVERSED: a v2 refund object whose "up" link
 * names the capture. A reversal without one is the capture itself. */
static int paypal_capture_reversal(const cJSON *r, pa_pay_txn_kind kind, pa_pay_txn *out) {
  memset(out, 0, sizeof *out);
  out->kind = kind;
  const char *id = pa_pay_jstr(r, "id");
  if (!id || !id[0] || v2_amount(cJSON_GetObjectItemCaseSensitive(r, "amount"), 1, &out->gross))
    return -1;
  if (up_link_id(r, out->parent_id) == 0) {
    if (pa_pay_copy(out->id, sizeof out->id, id)) return -1;
  } else {
    if (kind != PA_PAY_TXN_CHARGEBACK || pa_pay_copy(out->parent_id, sizeof out->parent_id, id) ||
        snprintf(out->id, sizeof out->id, "chargeback-%s", id) >= (int)sizeof out->id)
      return -1;
  }
  memcpy(out->fee.currency, out->gross.currency, 4);
  const char *custom = pa_pay_jstr(r, "custom_id");
  if (custom && pa_pay_copy(out->reference, sizeof out->reference, custom)) return -1;
  txn_time(r, out);
  return 0;
}

/* amount {total, currency} (v1) into m. */
static int v1_amount(const cJSON *amt, int allow_minus, pa_money *m) {
  return pa_pay_money_text(pa_pay_jstr(amt, "total"), pa_pay_jstr(amt, "currency"), allow_minus, m);
}

/* PAYMENT.SALE.*: a v1 sale (subscription payments) or its refund. */
static int paypal_sale(const cJSON *r, const char *event_type, pa_pay_txn *out) {
  memset(out, 0, sizeof *out);
  const char *id = pa_pay_jstr(r, "id");
  if (!id || !id[0] || v1_amount(cJSON_GetObjectItemCaseSensitive(r, "amount"), 1, &out->gross))
    return -1;
  memcpy(out->fee.currency, out->gross.currency, 4);
  const char *ba = pa_pay_jstr(r, "billing_agreement_id");
  if (ba && pa_pay_copy(out->sub_id, sizeof out->sub_id, ba)) return -1;
  const char *custom = pa_pay_jstr(r, "custom");
  if (!custom) custom = pa_pay_jstr(r, "custom_id");
  if (custom && pa_pay_copy(out->reference, sizeof out->reference, custom)) return -1;
  txn_time(r, out);
  const char *sale_id = pa_pay_jstr(r, "sale_id");
  if (sale_id && !sale_id[0]) sale_id = NULL; /* "" names nothing */
  if (strcmp(event_type, "PAYMENT.SALE.COMPLETED") == 0) {
    out->kind = PA_PAY_TXN_CHARGE;
    const cJSON *fee = cJSON_GetObjectItemCaseSensitive(r, "transaction_fee");
    if (fee &&
        (pa_pay_money_text(pa_pay_jstr(fee, "value"), pa_pay_jstr(fee, "currency"), 1, &out->fee) ||
         strcmp(out->fee.currency, out->gross.currency) != 0))
      return -1;
    return pa_pay_copy(out->id, sizeof out->id, id);
  }
  if (strcmp(event_type, "PAYMENT.SALE.DENIED") == 0) {
    out->kind = PA_PAY_TXN_FAILED;
    return pa_pay_copy(out->id, sizeof out->id, id);
  }
  int refund = strcmp(event_type, "PAYMENT.SALE.REFUNDED") == 0;
  out->kind = refund ? PA_PAY_TXN_REFUND : PA_PAY_TXN_CHARGEBACK;
  if (sale_id ? pa_pay_copy(out->parent_id, sizeof out->parent_id, sale_id) == 0
              : up_link_id(r, out->parent_id) == 0)
    return pa_pay_copy(out->id, sizeof out->id, id);
  /* A reversal delivered as the sale itself (state "reversed"): the
   * chargeback gets its own id so the ledger keeps both movements. */
  if (refund || pa_pay_copy(out->parent_id, sizeof out->parent_id, id)) return -1;
  return snprintf(out->id, sizeof out->id, "chargeback-%s", id) < (int)sizeof out->id ? 0 : -1;
}

static int bad(char err[PA_PAY_ERR_MAX], const char *what) {
  snprintf(err, PA_PAY_ERR_MAX, "%s", what);
  return PA_PAY_EBADANSWER;
}

static cJSON *parse_body(const unsigned char *body, size_t len) {
  if (!body || len == 0 || len > PA_PAY_WEBHOOK_MAX) return NULL;
  cJSON *root = cJSON_ParseWithLength((const char *)body, len);
  if (root && !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

int pa_pay_paypal_event(const unsigned char *body, size_t len, pa_pay_event *out,
                        char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  out->provider = PA_PAY_PAYPAL;
  cJSON *root = parse_body(body, len);
  if (!root) return bad(err, "the body is not a JSON object");
  int rc = PA_PAY_OK;
  const char *type = pa_pay_jstr(root, "event_type");
  const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "resource");
  if (pa_pay_copy(out->id, sizeof out->id, pa_pay_jstr(root, "id")) || !out->id[0] ||
      pa_pay_copy(out->type, sizeof out->type, type) || !type[0] || !cJSON_IsObject(res)) {
    rc = bad(err, "event without id, event_type or resource");
    goto done;
  }
  if (strncmp(type, "BILLING.SUBSCRIPTION.", 21) == 0) {
    out->kind = PA_PAY_EV_SUBSCRIPTION;
    if (pa_pay_copy(out->sub_id, sizeof out->sub_id, pa_pay_jstr(res, "id")) || !out->sub_id[0])
      rc = bad(err, "subscription event without resource.id");
  } else if (strcmp(type, "PAYMENT.SALE.COMPLETED") == 0 ||
             strcmp(type, "PAYMENT.SALE.REFUNDED") == 0 ||
             strcmp(type, "PAYMENT.SALE.REVERSED") == 0 ||
             strcmp(type, "PAYMENT.SALE.DENIED") == 0) {
    out->kind = PA_PAY_EV_TXN;
    out->txn_complete = 1;
    if (paypal_sale(res, type, &out->txn))
      rc = bad(err, "malformed sale resource");
    else
      memcpy(out->sub_id, out->txn.sub_id, sizeof out->sub_id);
  } else if (strcmp(type, "PAYMENT.CAPTURE.COMPLETED") == 0 ||
             strcmp(type, "PAYMENT.CAPTURE.DENIED") == 0) {
    out->kind = PA_PAY_EV_TXN;
    out->txn_complete = 1;
    if (pa_pay_paypal_capture(res, &out->txn)) rc = bad(err, "malformed capture resource");
  } else if (strcmp(type, "PAYMENT.CAPTURE.REFUNDED") == 0 ||
             strcmp(type, "PAYMENT.CAPTURE.REVERSED") == 0) {
    out->kind = PA_PAY_EV_TXN;
    out->txn_complete = 1;
    if (paypal_capture_reversal(res,
                                strcmp(type, "PAYMENT.CAPTURE.REFUNDED") == 0
                                    ? PA_PAY_TXN_REFUND
                                    : PA_PAY_TXN_CHARGEBACK,
                                &out->txn))
      rc = bad(err, "malformed refund resource");
  } else if (strncmp(type, "PAYMENT.PAYOUTS-ITEM.", 21) == 0) {
    /* SUCCEEDED, FAILED, UNCLAIMED, RETURNED, BLOCKED, …: the item as it
     * now is; its status, not the event's name, says what happened. */
    out->kind = PA_PAY_EV_PAYOUT;
    if (pa_pay_paypal_payout_item(res, &out->payout)) rc = bad(err, "malformed payout item");
  } else if (strncmp(type, "PAYMENT.PAYOUTSBATCH.", 21) == 0) {
    pa_pay_payout b;
    out->kind = PA_PAY_EV_PAYOUT;
    if (pa_pay_paypal_payout_batch(cJSON_GetObjectItemCaseSensitive(res, "batch_header"), &b))
      rc = bad(err, "malformed payout batch");
    else {
      memcpy(out->payout.batch_id, b.id, sizeof b.id);
      out->payout.status = b.status;
    }
  } else {
    out->kind = PA_PAY_EV_IGNORED;
  }
done:
  cJSON_Delete(root);
  if (rc != PA_PAY_OK) {
    pa_pay_provider p = out->provider;
    memset(out, 0, sizeof *out);
    out->provider = p;
  }
  return rc;
}

/* ---- Mercado Pago */

int pa_pay_mp_data_id(const char *query, char out[PA_PAY_ID_MAX]) {
  if (pa_pay_query_get(query, "data.id", out, PA_PAY_ID_MAX) || !out[0]) return -1;
  for (char *p = out; *p; p++) {
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
      out[0] = 0;
      return -1;
    }
    *p = (char)tolower((unsigned char)*p);
  }
  return 0;
}

int pa_pay_mp_event(const unsigned char *body, size_t len, const char *query,
                    const char *request_id, pa_pay_event *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  out->provider = PA_PAY_MERCADOPAGO;
  cJSON *root = parse_body(body, len);
  if (!root) return bad(err, "the body is not a JSON object");
  int rc = PA_PAY_OK;
  char data_id[PA_PAY_ID_MAX], body_data_id[PA_PAY_ID_MAX];
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
  int has_body_id = pa_pay_jid(cJSON_GetObjectItemCaseSensitive(data, "id"), body_data_id) == 0;
  if (query && pa_pay_query_get(query, "data.id", data_id, sizeof data_id) == 0) {
    /* The query's id is the one MP signs: use it, and refuse a body naming
     * another object. */
    if (pa_pay_mp_data_id(query, data_id)) {
      rc = bad(err, "malformed data.id in the query");
      goto done;
    }
    for (char *p = body_data_id; has_body_id && *p; p++) *p = (char)tolower((unsigned char)*p);
    if (has_body_id && strcmp(body_data_id, data_id) != 0) {
      rc = bad(err, "the body's data.id differs from the query's");
      goto done;
    }
  } else if (has_body_id) {
    memcpy(data_id, body_data_id, sizeof data_id);
  } else {
    rc = bad(err, "notification without data.id");
    goto done;
  }
  char type[64] = "";
  if (!(query && (pa_pay_query_get(query, "type", type, sizeof type) == 0 ||
                  pa_pay_query_get(query, "topic", type, sizeof type) == 0))) {
    const char *t = pa_pay_jstr(root, "type");
    if (!t) t = pa_pay_jstr(root, "topic");
    if (pa_pay_copy(type, sizeof type, t)) {
      rc = bad(err, "notification without type");
      goto done;
    }
  }
  memcpy(out->type, type, sizeof out->type);
  /* The event id: the body's id names the notification, and MP resends the
   * same notification (same body) when we do not answer 2xx, while
   * x-request-id names one HTTP delivery. So the body id is what makes a
   * retry a duplicate; x-request-id only stands in when there is none. */
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "id"), out->id) &&
      pa_pay_copy(out->id, sizeof out->id, request_id)) {
    rc = bad(err, "notification without id");
    goto done;
  }
  if (!out->id[0]) {
    rc = bad(err, "notification without id");
    goto done;
  }
  /* The account the notification is for: a marketplace seller's payment
   * is read with that seller's token. Optional: absent or malformed is "". */
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "user_id"), out->user_id))
    out->user_id[0] = 0;
  if (strcmp(type, "payment") == 0) {
    out->kind = PA_PAY_EV_TXN;
    out->txn.kind = PA_PAY_TXN_CHARGE;
    memcpy(out->txn.id, data_id, sizeof out->txn.id);
    out->txn_complete = 0; /* MP sends only the id: the worker reads the payment */
  } else if (strcmp(type, "subscription_preapproval") == 0 || strcmp(type, "preapproval") == 0) {
    out->kind = PA_PAY_EV_SUBSCRIPTION;
    memcpy(out->sub_id, data_id, sizeof out->sub_id);
  } else {
    out->kind = PA_PAY_EV_IGNORED;
  }
done:
  cJSON_Delete(root);
  if (rc != PA_PAY_OK) {
    memset(out, 0, sizeof *out);
    out->provider = PA_PAY_MERCADOPAGO;
  }
  return rc;
}

int pa_pay_mp_payment(const cJSON *pay, pa_pay_txn *out, int cap, int *n) {
  *n = 0;
  char id[PA_PAY_ID_MAX];
  const char *st = pa_pay_jstr(pay, "status"), *cur = pa_pay_jstr(pay, "currency_id");
  pa_pay_txn c;
  memset(&c, 0, sizeof c);
  if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(pay, "id"), id) || !st || !cur ||
      pa_money_exponent(cur) < 0 ||
      pa_pay_money_number(cJSON_GetObjectItemCaseSensitive(pay, "transaction_amount"), cur,
                          &c.gross))
    return -1;
  if (strcmp(st, "approved") == 0 || strcmp(st, "refunded") == 0 ||
      strcmp(st, "partially_refunded") == 0 || strcmp(st, "charged_back") == 0 ||
      strcmp(st, "in_mediation") == 0)
    c.kind = PA_PAY_TXN_CHARGE;
  else if (strcmp(st, "rejected") == 0 || strcmp(st, "cancelled") == 0)
    c.kind = PA_PAY_TXN_FAILED;
  else
    return 0; /* pending, in_process, authorized: nothing moved yet */
  memcpy(c.id, id, sizeof c.id);
  memcpy(c.fee.currency, cur, 4);
  const char *ref = pa_pay_jstr(pay, "external_reference");
  if (ref && pa_pay_copy(c.reference, sizeof c.reference, ref)) return -1;
  pa_pay_payer_email(pa_pay_jstr(cJSON_GetObjectItemCaseSensitive(pay, "payer"), "email"), c.payer);
  const char *sub =
      pa_pay_jstr(cJSON_GetObjectItemCaseSensitive(pay, "metadata"), "preapproval_id");
  if (!sub)
    sub = pa_pay_jstr(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(pay, "point_of_interaction"), "transaction_data"),
        "subscription_id");
  if (sub && pa_pay_copy(c.sub_id, sizeof c.sub_id, sub)) return -1;
  const char *at = pa_pay_jstr(pay, "date_approved");
  if (!at) at = pa_pay_jstr(pay, "date_created");
  if (at && pa_pay_iso_time(at, &c.at)) return -1;
  if (c.kind == PA_PAY_TXN_CHARGE) {
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(pay, "fee_details")) {
      pa_money m;
      if (pa_pay_money_number(cJSON_GetObjectItemCaseSensitive(f, "amount"), cur, &m)) return -1;
      c.fee.minor += m.minor;
      if (c.fee.minor > PA_MONEY_MINOR_MAX) return -1;
    }
  }
  if (*n >= cap) return -1;
  out[(*n)++] = c;
  if (c.kind != PA_PAY_TXN_CHARGE) return 0;
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(pay, "refunds")) {
    pa_pay_txn t;
    char rid[PA_PAY_ID_MAX];
    memset(&t, 0, sizeof t);
    t.kind = PA_PAY_TXN_REFUND;
    /* Refund ids are another sequence than payment ids: the prefix keeps
     * them apart in the ledger, which is keyed by id. */
    if (pa_pay_jid(cJSON_GetObjectItemCaseSensitive(r, "id"), rid) ||
        snprintf(t.id, sizeof t.id, "refund-%s", rid) >= (int)sizeof t.id ||
        pa_pay_money_number(cJSON_GetObjectItemCaseSensitive(r, "amount"), cur, &t.gross))
      return -1;
    memcpy(t.parent_id, id, sizeof t.parent_id);
    memcpy(t.sub_id, c.sub_id, sizeof t.sub_id);
    memcpy(t.reference, c.reference, sizeof t.reference);
    memcpy(t.fee.currency, cur, 4);
    const char *rat = pa_pay_jstr(r, "date_created");
    if (rat && pa_pay_iso_time(rat, &t.at)) return -1;
    if (*n >= cap) return -1;
    out[(*n)++] = t;
  }
  if (strcmp(st, "charged_back") == 0) {
    /* The bank takes back what was not refunded already. */
    pa_pay_txn t = c;
    t.kind = PA_PAY_TXN_CHARGEBACK;
    for (int i = 1; i < *n; i++) t.gross.minor -= out[i].gross.minor;
    if (t.gross.minor <= 0) return 0; /* fully refunded before: nothing left to reverse */
    if (snprintf(t.id, sizeof t.id, "chargeback-%s", id) >= (int)sizeof t.id) return -1;
    memcpy(t.parent_id, id, sizeof t.parent_id);
    t.fee.minor = 0;
    const char *cat = pa_pay_jstr(pay, "date_last_updated");
    if (cat && pa_pay_iso_time(cat, &t.at)) return -1;
    if (*n >= cap) return -1;
    out[(*n)++] = t;
  }
  return 0;
}

int pa_pay_webhook_parse(pa_pay_provider p, const unsigned char *body, size_t len,
                         const char *query, pa_pay_event *out, char err[PA_PAY_ERR_MAX]) {
  if (p == PA_PAY_PAYPAL) return pa_pay_paypal_event(body, len, out, err);
  if (p == PA_PAY_MERCADOPAGO) return pa_pay_mp_event(body, len, query, NULL, out, err);
  memset(out, 0, sizeof *out);
  snprintf(err, PA_PAY_ERR_MAX, "unknown provider");
  return PA_PAY_ENOTCONFIGURED;
}

/* ---- webhook headers */

int pa_pay_cert_url_allowed(const char *prefixes, const char *url) {
  if (!prefixes || !url || !*url || strlen(url) >= PA_PAY_URL_MAX) return 0;
  /* A clean URL only: no user info ('@'), no escapes that a server might
   * decode into another path ('%', '\\'), no dot segments, no query or
   * fragment, nothing outside printable ASCII. */
  for (const char *p = url; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c >= 0x7f || c == '@' || c == '\\' || c == '%' || c == '?' || c == '#')
      return 0;
  }
  const char *auth = strstr(url, "://");
  size_t ul = strlen(url);
  if (!auth || strstr(auth + 3, "//") || strstr(url, "..") || strstr(url, "/./") ||
      (ul >= 2 && strcmp(url + ul - 2, "/.") == 0))
    return 0;
  const char *p = prefixes;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len && (*p == ' ')) p++, len--;
    while (len && p[len - 1] == ' ') len--;
    if (len && strncmp(url, p, len) == 0 && strlen(url) > len) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

int pa_pay_mp_signature(const char *h, char ts[24], char v1[72]) {
  ts[0] = v1[0] = 0;
  const char *p = h;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    const char *eq = memchr(p, '=', len);
    if (eq) {
      size_t kl = (size_t)(eq - p), vl = len - kl - 1;
      while (kl && (p[kl - 1] == ' ' || p[kl - 1] == '\t')) kl--;
      const char *v = eq + 1;
      while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
      char *dst = kl == 2 && strncmp(p, "ts", 2) == 0   ? ts
                  : kl == 2 && strncmp(p, "v1", 2) == 0 ? v1
                                                        : NULL;
      size_t cap = dst == ts ? 24 : 72;
      if (dst) {
        if (vl == 0 || vl >= cap || dst[0]) return -1; /* empty, too long, twice */
        memcpy(dst, v, vl);
        dst[vl] = 0;
      }
    }
    if (!end) break;
    p = end + 1;
  }
  return ts[0] && v1[0] ? 0 : -1;
}
