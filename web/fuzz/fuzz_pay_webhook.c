/* libFuzzer target: the payment providers' webhook and object parsers
 * (web/src/pay/parse.c) and money text (money.c) on untrusted bytes. The
 * first byte picks what the rest is:
 * - 0: a PayPal webhook body (pa_pay_webhook_parse);
 * - 1: a Mercado Pago notification: the query string up to the first
 *   newline, then the body;
 * - 2: an amount: the second byte picks the currency, the rest is text
 *   (pa_money_parse), which must format back to the same value;
 * - 3, 6, 7: a provider object (PayPal subscription, capture, captured
 *   order, payout item and batch header, Mercado Pago preapproval and
 *   payment, with their payers' addresses) and an ISO 8601 time;
 * - 4: Mercado Pago's x-signature header (pa_pay_mp_signature);
 * - 5: PayPal's certificate URL against an allow-list, "prefixes\nurl"
 *   (pa_pay_cert_url_allowed): nothing it accepts carries user info, dot
 *   segments or escapes.
 * Invariants: every string of an accepted event is NUL-terminated inside
 * its buffer, every amount within 0..PA_MONEY_MINOR_MAX in a currency we
 * trade, and a refused parse leaves nothing behind. */
#include "pay/money.h"
#include "pay/parse.h"
#include "pay/pay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(c)                                                                                  \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "fuzz_pay_webhook.c:%d: invariant failed: %s\n", __LINE__, #c);              \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#define TERMINATED(buf)      ASSERT(memchr((buf), 0, sizeof(buf)) != NULL)
#define TERMINATED_N(buf, n) ASSERT(memchr((buf), 0, (n)) != NULL)

static const char *const currencies[] = {"USD", "EUR", "ARS", "BRL", "MXN", "COP", "CLP", "JPY"};

static void check_money(const pa_money *m, int may_be_empty) {
  TERMINATED(m->currency);
  if (may_be_empty && !m->currency[0]) {
    ASSERT(m->minor == 0);
    return;
  }
  ASSERT(pa_money_exponent(m->currency) >= 0);
  ASSERT(m->minor >= 0 && m->minor <= PA_MONEY_MINOR_MAX);
}

/* A payer's address is "" or one '@' with text either side, no space or
 * control byte (pa_pay_payer_email). */
static void check_payer(const char payer[PA_PAY_EMAIL_MAX]) {
  TERMINATED_N(payer, PA_PAY_EMAIL_MAX);
  if (!payer[0]) return;
  const char *at = strchr(payer, '@');
  ASSERT(at && at != payer && at[1] && !strchr(at + 1, '@'));
  for (const char *c = payer; *c; c++) ASSERT((unsigned char)*c > ' ' && (unsigned char)*c < 0x7f);
}

static void check_txn(const pa_pay_txn *t, int complete) {
  TERMINATED(t->id);
  TERMINATED(t->parent_id);
  TERMINATED(t->sub_id);
  TERMINATED(t->reference);
  check_payer(t->payer);
  if (!complete) return;
  ASSERT(t->kind >= PA_PAY_TXN_CHARGE && t->kind <= PA_PAY_TXN_FAILED);
  ASSERT(t->id[0]);
  check_money(&t->gross, 0);
  check_money(&t->fee, 0);
  ASSERT(strcmp(t->gross.currency, t->fee.currency) == 0);
  if (t->kind == PA_PAY_TXN_REFUND || t->kind == PA_PAY_TXN_CHARGEBACK) ASSERT(t->parent_id[0]);
}

static void check_payout_item(const pa_pay_payout_item *it) {
  TERMINATED(it->item_id);
  TERMINATED(it->batch_id);
  TERMINATED(it->sender_item_id);
  TERMINATED(it->transaction_id);
  TERMINATED(it->receiver);
  TERMINATED(it->error);
  ASSERT(it->status >= PA_PAY_PAYOUT_PENDING && it->status <= PA_PAY_PAYOUT_OTHER);
}

static void check_event(int rc, pa_pay_provider p, const pa_pay_event *ev) {
  ASSERT(ev->provider == p);
  if (rc != PA_PAY_OK) {
    ASSERT(ev->kind == 0 && ev->id[0] == 0 && ev->sub_id[0] == 0 && ev->txn.id[0] == 0 &&
           ev->payout.item_id[0] == 0 && ev->payout.batch_id[0] == 0);
    return;
  }
  TERMINATED(ev->id);
  TERMINATED(ev->type);
  TERMINATED(ev->sub_id);
  TERMINATED(ev->country);
  TERMINATED(ev->user_id);
  ASSERT(ev->id[0]);
  ASSERT(ev->kind >= PA_PAY_EV_SUBSCRIPTION && ev->kind <= PA_PAY_EV_PAYOUT);
  if (ev->kind == PA_PAY_EV_PAYOUT) {
    /* An item event names its item (with a traded amount), a batch event its batch. */
    check_payout_item(&ev->payout);
    ASSERT(p == PA_PAY_PAYPAL && (ev->payout.item_id[0] || ev->payout.batch_id[0]));
    if (ev->payout.item_id[0]) {
      check_money(&ev->payout.amount, 0);
      check_money(&ev->payout.fee, 0);
    }
  }
  if (ev->kind == PA_PAY_EV_SUBSCRIPTION) ASSERT(ev->sub_id[0]);
  if (ev->kind == PA_PAY_EV_TXN) {
    ASSERT(ev->txn.id[0]);
    check_txn(&ev->txn, ev->txn_complete);
  }
}

/* A NUL-terminated copy (ASan sees reads past size+1). */
static char *dup_n(const uint8_t *d, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  memcpy(s, d, n);
  s[n] = 0;
  return s;
}

static void objects(const uint8_t *d, size_t n) {
  char *text = dup_n(d, n);
  int64_t t;
  if (pa_pay_iso_time(text, &t) == 0) {
    char back[32];
    pa_pay_iso_format(t, back);
    TERMINATED(back);
  }
  cJSON *root = cJSON_ParseWithLength((const char *)d, n);
  free(text);
  if (!root) return;
  pa_pay_sub s;
  if (pa_pay_paypal_sub(root, &s) == 0 || pa_pay_mp_sub(root, &s) == 0) {
    TERMINATED(s.id);
    TERMINATED(s.approve_url);
    TERMINATED(s.reference);
    ASSERT(s.id[0] && s.status >= PA_PAY_SUB_PENDING && s.status <= PA_PAY_SUB_EXPIRED);
    check_money(&s.price, 1);
    check_payer(s.payer);
  }
  pa_pay_txn tx[4];
  if (pa_pay_paypal_capture(root, &tx[0]) == 0) check_txn(&tx[0], 1);
  /* A captured order (the capture call's answer): its capture and payer. */
  if (pa_pay_paypal_order_capture(root, &tx[0]) == 0)
    check_txn(&tx[0], 1);
  else
    ASSERT(tx[0].id[0] == 0 && tx[0].payer[0] == 0);
  pa_pay_payout_item it;
  if (pa_pay_paypal_payout_item(root, &it) == 0) {
    check_payout_item(&it);
    ASSERT(it.item_id[0]);
    check_money(&it.amount, 0);
    check_money(&it.fee, 0);
    ASSERT(strcmp(it.amount.currency, it.fee.currency) == 0);
  } else {
    ASSERT(it.item_id[0] == 0 && it.amount.minor == 0);
  }
  pa_pay_payout b;
  if (pa_pay_paypal_payout_batch(root, &b) == 0) {
    TERMINATED(b.id);
    TERMINATED(b.sender_batch_id);
    ASSERT(b.id[0]);
  }
  int k = 0;
  if (pa_pay_mp_payment(root, tx, 4, &k) == 0) {
    ASSERT(k >= 0 && k <= 4);
    for (int i = 0; i < k; i++) check_txn(&tx[i], 1);
  }
  cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const uint8_t *d = data + 1;
  size_t n = size - 1;
  pa_pay_event ev;
  char err[PA_PAY_ERR_MAX];
  switch (data[0] & 7) {
  case 0: {
    uint8_t *body = malloc(n ? n : 1); /* exactly n bytes */
    if (!body) abort();
    memcpy(body, d, n);
    int rc = pa_pay_webhook_parse(PA_PAY_PAYPAL, body, n, NULL, &ev, err);
    check_event(rc, PA_PAY_PAYPAL, &ev);
    free(body);
    break;
  }
  case 1: {
    const uint8_t *nl = memchr(d, '\n', n);
    size_t ql = nl ? (size_t)(nl - d) : 0;
    char *query = nl ? dup_n(d, ql) : NULL;
    const uint8_t *b = nl ? nl + 1 : d;
    size_t bl = nl ? n - ql - 1 : n;
    uint8_t *body = malloc(bl ? bl : 1);
    if (!body) abort();
    memcpy(body, b, bl);
    int rc = pa_pay_webhook_parse(PA_PAY_MERCADOPAGO, body, bl, query, &ev, err);
    check_event(rc, PA_PAY_MERCADOPAGO, &ev);
    if (rc == PA_PAY_OK && ev.kind == PA_PAY_EV_TXN) ASSERT(!ev.txn_complete);
    char id[PA_PAY_ID_MAX];
    if (query && pa_pay_mp_data_id(query, id) == 0) TERMINATED(id);
    free(body);
    free(query);
    break;
  }
  case 2: {
    if (n < 1) return 0;
    const char *cur = currencies[d[0] % 8];
    char *text = malloc(n - 1 ? n - 1 : 1);
    if (!text) abort();
    memcpy(text, d + 1, n - 1);
    int64_t v;
    if (pa_money_parse(text, n - 1, cur, &v) == 0) {
      ASSERT(v >= 0 && v <= PA_MONEY_MINOR_MAX);
      pa_money m = {v, ""};
      memcpy(m.currency, cur, 4);
      char buf[PA_MONEY_TEXT_MAX];
      int k = pa_money_format(&m, buf, sizeof buf);
      ASSERT(k > 0);
      int64_t back;
      ASSERT(pa_money_parse(buf, (size_t)k, cur, &back) == 0 && back == v);
    }
    free(text);
    break;
  }
  case 4: { /* Mercado Pago's x-signature header */
    char *h = dup_n(d, n), ts[24], v1[72];
    if (pa_pay_mp_signature(h, ts, v1) == 0) {
      ASSERT(ts[0] && v1[0]);
      TERMINATED(ts);
      TERMINATED(v1);
    }
    free(h);
    break;
  }
  case 5: { /* PAYPAL-CERT-URL against an allow-list: "prefixes\nurl" */
    const uint8_t *nl = memchr(d, '\n', n);
    if (!nl) return 0;
    char *prefixes = dup_n(d, (size_t)(nl - d)), *url = dup_n(nl + 1, n - (size_t)(nl - d) - 1);
    if (pa_pay_cert_url_allowed(prefixes, url)) {
      ASSERT(!strchr(url, '@') && !strstr(url, "..") && !strchr(url, '%'));
      ASSERT(strlen(url) < PA_PAY_URL_MAX);
    }
    free(prefixes);
    free(url);
    break;
  }
  default: objects(d, n);
  }
  return 0;
}
