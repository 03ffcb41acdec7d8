/* pa_ads_pay: top-ups through the providers, credited once (ads_pay.h). */
#include "ads_pay.h"

#include "log.h"
#include "pay/catalog.h"
#include "pay/pay.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pay_rc(int prc) {
  return prc == PA_PAY_OK               ? PA_ADS_PAY_OK
         : prc == PA_PAY_EREFUSED       ? PA_ADS_PAY_EREFUSED
         : prc == PA_PAY_ENOTCONFIGURED ? PA_ADS_PAY_EUNAVAILABLE
                                        : PA_ADS_PAY_EUNREACHABLE;
}

/* The Mercado Pago site whose currency is the top-up's ("" for PayPal). */
static const char *site_of(int provider, const char *currency) {
  const char *c = provider == PA_PAY_MERCADOPAGO ? pa_catalog_mp_country(currency) : "";
  return c ? c : NULL;
}

int pa_ads_topup_start(pa_store *db, pa_pay *pay, const pa_store_advertiser *a,
                       int64_t amount_minor, int provider, const char *base_url, int64_t now,
                       pa_store_topup *out) {
  const char *country = site_of(provider, a->currency);
  if (!country || !pa_pay_enabled(pay, (pa_pay_provider)provider, country[0] ? country : NULL))
    return PA_ADS_PAY_EUNAVAILABLE;
  /* The row and its key first: a retry after a timeout reuses the key, so
   * the provider never opens two orders for one top-up. */
  unsigned char raw[16];
  memset(out, 0, sizeof *out);
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(out->idem_key, sizeof out->idem_key, raw, sizeof raw);
  out->advertiser_id = a->id;
  out->amount_minor = amount_minor;
  out->created_at = out->updated_at = now;
  snprintf(out->provider, sizeof out->provider, "%s",
           pa_pay_provider_name((pa_pay_provider)provider));
  snprintf(out->currency, sizeof out->currency, "%s", a->currency);
  snprintf(out->state, sizeof out->state, "pending");
  if (pa_store_ads_topup_add(db, out, &out->id) != PA_STORE_OK) return PA_ADS_PAY_EDB;
  char ret[PA_PAY_URL_MAX], cancel[PA_PAY_URL_MAX], ref[32], key[80], err[PA_PAY_ERR_MAX] = "";
  snprintf(ref, sizeof ref, "top_%lld", (long long)out->id);
  snprintf(ret, sizeof ret, "%s/ads/topups/return?topup=%s", base_url, ref);
  snprintf(cancel, sizeof cancel, "%s/ads/topups/return?topup=%s&result=cancel", base_url, ref);
  snprintf(key, sizeof key, "%s-create", out->idem_key);
  pa_pay_order_request rq = {.provider = (pa_pay_provider)provider,
                             .country = country,
                             .title = "PetAmigos ads balance",
                             .idempotency_key = key,
                             .reference = ref,
                             .return_url = ret,
                             .cancel_url = cancel};
  rq.amount.minor = amount_minor;
  snprintf(rq.amount.currency, sizeof rq.amount.currency, "%s", a->currency);
  pa_pay_order got;
  memset(&got, 0, sizeof got);
  int rc = pay_rc(pa_pay_order_create(pay, &rq, &got, err));
  if (rc != PA_ADS_PAY_OK) {
    pa_log_event("warn", "ads", "create top-up %s: %s", ref, err);
    if (rc == PA_ADS_PAY_EREFUSED) pa_store_ads_topup_failed(db, out->id, now);
    return rc;
  }
  if (pa_store_ads_topup_set_order(db, out->id, got.id, got.approve_url, now) != PA_STORE_OK)
    return PA_ADS_PAY_EDB;
  return pa_store_ads_topup_get(db, out->id, out) == PA_STORE_OK ? PA_ADS_PAY_OK : PA_ADS_PAY_EDB;
}

/* "top_<n>" into *id: 0 or -1. */
static int topup_id(const char *ref, int64_t *id) {
  if (!ref || strncmp(ref, "top_", 4) != 0 || ref[4] < '1' || ref[4] > '9' ||
      strspn(ref + 4, "0123456789") != strlen(ref + 4) || strlen(ref + 4) > 15)
    return -1;
  *id = strtoll(ref + 4, NULL, 10);
  return 0;
}

/* Applies charge t to top-up id: credited once when it is a completed
 * charge of the top-up's own amount and currency; a failed one fails it. */
static int apply(pa_store *db, int64_t id, const pa_pay_txn *t, int64_t now) {
  pa_store_topup row;
  int applied = 0, rc = pa_store_ads_topup_get(db, id, &row);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK; /* not ours (another deployment's) */
  if (rc != PA_STORE_OK) return rc;
  if (strcmp(row.state, "pending") != 0) return PA_STORE_OK; /* applied once already */
  if (t->kind == PA_PAY_TXN_FAILED) return pa_store_ads_topup_failed(db, id, now);
  if (t->kind != PA_PAY_TXN_CHARGE) return PA_STORE_OK;
  if (t->gross.minor != row.amount_minor || strcmp(t->gross.currency, row.currency) != 0) {
    pa_log_event("warn", "ads", "top_%lld: a charge of another amount (%lld %s), not credited",
                 (long long)id, (long long)t->gross.minor, t->gross.currency);
    return PA_STORE_OK;
  }
  if ((rc = pa_store_begin(db)) != PA_STORE_OK) return rc;
  rc = pa_store_ads_topup_paid(db, id, t->id, t->fee.minor > 0 ? t->fee.minor : 0, now, &applied);
  if (rc == PA_STORE_OK) rc = pa_store_commit(db);
  if (rc != PA_STORE_OK) pa_store_rollback(db);
  return rc;
}

int pa_ads_topup_refresh(pa_store *db, pa_pay *pay, pa_store_topup *t, const char *payment,
                         int64_t now) {
  if (strcmp(t->state, "pending") != 0 || !t->provider_ref[0]) return PA_ADS_PAY_OK;
  const pa_pay_provider p = pa_pay_provider_parse(t->provider);
  const char *country = site_of(p, t->currency);
  char err[PA_PAY_ERR_MAX] = "", key[80], ref[32];
  snprintf(key, sizeof key, "%s-capture", t->idem_key);
  snprintf(ref, sizeof ref, "top_%lld", (long long)t->id);
  pa_pay_txn x;
  memset(&x, 0, sizeof x);
  int rc = pay_rc(p == PA_PAY_MERCADOPAGO && (!payment || !payment[0])
                      ? pa_pay_order_find(pay, p, country ? country : "", ref, &x, err)
                      : pa_pay_order_capture(pay, p, country ? country : "",
                                             p == PA_PAY_PAYPAL ? t->provider_ref : payment, key,
                                             &x, err));
  if (rc == PA_ADS_PAY_EREFUSED) { /* not approved or paid yet */
    if (now - t->created_at > PA_ADS_PAY_TTL_SECONDS &&
        pa_store_ads_topup_failed(db, t->id, now) != PA_STORE_OK)
      return PA_ADS_PAY_EDB;
    return pa_store_ads_topup_get(db, t->id, t) == PA_STORE_OK ? PA_ADS_PAY_OK : PA_ADS_PAY_EDB;
  }
  if (rc != PA_ADS_PAY_OK) {
    pa_log_event("warn", "ads", "read top-up %s: %s", ref, err);
    return rc;
  }
  /* A payment the return URL named counts only for its own top-up. */
  if (strcmp(x.reference, ref) == 0 && apply(db, t->id, &x, now) != PA_STORE_OK)
    return PA_ADS_PAY_EDB;
  return pa_store_ads_topup_get(db, t->id, t) == PA_STORE_OK ? PA_ADS_PAY_OK : PA_ADS_PAY_EDB;
}

/* A refund or chargeback r of a top-up at its provider (pa_ads_charge_event):
 * 1 when it is one of ours (booked, or *rc not PA_STORE_OK to put it back
 * for later), 0 when it is none of ours. */
static int refund_event(pa_store *db, const char *provider, const pa_pay_txn *r, int64_t now,
                        int *rc) {
  pa_store_topup t;
  int64_t id = 0;
  int found;
  /* Its reference names the top-up (Mercado Pago's refunds, PayPal's
   * reversals), or only the charge it reverses does (PayPal's refunds): a
   * charge credited to no top-up is another feature's, or ours not credited
   * yet — billing's queue then tries it again later (a refund before its
   * charge). */
  if (topup_id(r->reference, &id) == 0)
    found = pa_store_ads_topup_get(db, id, &t);
  else if (r->parent_id[0])
    found = pa_store_ads_topup_by_capture(db, provider, r->parent_id, &t);
  else
    return 0;
  if (found == PA_STORE_ENOTFOUND && id) return 1; /* not ours (another deployment's) */
  if (found == PA_STORE_ENOTFOUND) return 0;
  if (found != PA_STORE_OK) {
    *rc = found;
    return 1;
  }
  if (!strcmp(t.state, "failed")) return 1; /* never credited: nothing to take back */
  if (strcmp(t.state, "paid") != 0) {
    *rc = PA_STORE_EABORT; /* its charge is not credited yet: again later, in order */
    return 1;
  }
  if (r->gross.minor <= 0 || strcmp(r->gross.currency, t.currency) != 0) {
    pa_log_event("warn", "ads", "top_%lld: a reversal of %lld %s, not booked", (long long)t.id,
                 (long long)r->gross.minor, r->gross.currency);
    return 1;
  }
  /* Never more than the top-up brought (a chargeback may name the whole
   * charge after a partial refund). */
  int64_t amount = r->gross.minor < t.amount_minor ? r->gross.minor : t.amount_minor;
  int applied = 0;
  if ((*rc = pa_store_begin(db)) != PA_STORE_OK) return 1;
  *rc = pa_store_ads_topup_refunded(db, t.id, amount, now, &applied);
  if (*rc == PA_STORE_OK) *rc = pa_store_commit(db);
  if (*rc != PA_STORE_OK) {
    pa_store_rollback(db);
    return 1;
  }
  /* The ledger keeps one refund per top-up (refund_of UNIQUE, schema 31): a
   * replay of the booked movement is nothing new, but a second movement of
   * the same top-up (a chargeback after a partial refund, a second partial
   * refund) is not booked either — said here for support. */
  if (!applied)
    pa_log_event("info", "ads", "top_%lld: reversal %s not booked (one refund per top-up)",
                 (long long)t.id, r->id);
  return 1;
}

int pa_ads_charge_event(pa_store *db, const char *provider, const pa_pay_txn *txn, int64_t now,
                        int *rc) {
  int64_t id = 0;
  *rc = PA_STORE_OK;
  /* Refunds and chargebacks at the provider come off the balance, once
   * (which may take it below zero: serving stops until a top-up). */
  if (txn->kind == PA_PAY_TXN_REFUND || txn->kind == PA_PAY_TXN_CHARGEBACK)
    return refund_event(db, provider, txn, now, rc);
  if (topup_id(txn->reference, &id) != 0) return 0;
  if (txn->kind != PA_PAY_TXN_CHARGE && txn->kind != PA_PAY_TXN_FAILED) return 1;
  *rc = apply(db, id, txn, now);
  return 1;
}

typedef struct pending {
  pa_store_topup rows[PA_ADS_PAY_RECHECK_BATCH];
  int n;
} pending;

static int keep_pending(void *ctx, const pa_store_topup *t) {
  pending *p = ctx;
  if (p->n < PA_ADS_PAY_RECHECK_BATCH) p->rows[p->n++] = *t;
  return 0;
}

void pa_ads_pay_work(pa_store *db, pa_pay *pay, int64_t now) {
  pending *p = calloc(1, sizeof *p);
  if (!p) return;
  if (pa_store_ads_topups_pending(db, now - PA_ADS_PAY_RECHECK_SECONDS, PA_ADS_PAY_RECHECK_BATCH,
                                  keep_pending, p) == PA_STORE_OK)
    for (int i = 0; i < p->n; i++) {
      if (pa_ads_topup_refresh(db, pay, &p->rows[i], NULL, now) != PA_ADS_PAY_OK)
        pa_log_event("warn", "ads", "re-read of top_%lld failed", (long long)p->rows[i].id);
      else if (!strcmp(p->rows[i].state, "pending"))
        pa_store_ads_topup_set_order(db, p->rows[i].id, p->rows[i].provider_ref,
                                     p->rows[i].approve_url, now); /* checked: later again */
    }
  free(p);
}
