/* pa_billing: paid plans, from checkout to downgrade (billing.h says how
 * order-independence is kept). */
#include "billing/billing.h"

#include "ads_pay.h"
#include "commission.h"
#include "log.h"
#include "orders.h"
#include "pa/pa_civil.h"
#include "pay/catalog.h"
#include "pay/parse.h"
#include "payouts.h"
#include "store/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void log_line(const char *what, const char *detail) {
  /* Provider messages are ours to log; bodies, tokens and emails never are. */
  pa_log_event("error", "billing", "%s%s%s", what, detail && *detail ? ": " : "",
               detail ? detail : "");
}

static void random_hex(const char *prefix, char *out, size_t cap) {
  unsigned char b[16];
  char hex[sizeof b * 2 + 1];
  randombytes_buf(b, sizeof b);
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  snprintf(out, cap, "%s%s", prefix, hex);
}

int64_t pa_billing_add_months(int64_t t, int months) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm)) return t;
  int m = tm.tm_mon + months, y = tm.tm_year + 1900 + m / 12;
  m %= 12;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int last = days[m] + (m == 1 && leap);
  int d = tm.tm_mday < last ? tm.tm_mday : last;
  int64_t day = pa_civil_days(y, m + 1, d);
  return day * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static int store_rc(int rc) { return rc == PA_STORE_OK ? PA_BILLING_OK : PA_BILLING_EDB; }

static int pay_rc(int rc) {
  switch (rc) {
  case PA_PAY_OK: return PA_BILLING_OK;
  case PA_PAY_EREFUSED: return PA_BILLING_EREFUSED;
  case PA_PAY_ENOTCONFIGURED: return PA_BILLING_EUNAVAILABLE;
  default: return PA_BILLING_EUNREACHABLE; /* unknown outcome: the caller retries with the key */
  }
}

/* ---- the tier */

typedef struct paid {
  int64_t until;
} paid;

static int live_charge(void *ctx, int64_t at, int months) {
  paid *p = ctx;
  int64_t end = pa_billing_add_months(at, months);
  if (end > p->until) p->until = end;
  return 0;
}

int pa_billing_paid_until(pa_store *db, int64_t party, int64_t *until) {
  paid p = {0};
  int rc = pa_store_pay_ledger_live_charges(db, party, live_charge, &p);
  *until = p.until;
  return store_rc(rc);
}

/* Whether the provider will still try to charge sub (so Plus lasts through
 * the grace period after a missed renewal). */
static int renewing(const pa_store_sub *s) {
  return !s->once && !s->cancel_at_period_end &&
         (!strcmp(s->status, "active") || !strcmp(s->status, "suspended"));
}

/* Recomputes users.plus_until from the ledger and the current subscription,
 * as of now. When that ends Plus (it was on at the worker's last sweep, it
 * is over now), the downgrade notice is written here, in the same
 * transaction: the sweep only sees ends that fall after its last round, and
 * a change can move the end back behind it (a provider's cancellation after a
 * declined renewal ends the grace period at the last paid day), which once
 * left people untold. Comparing with the sweep, not with now, also covers a
 * grace period that ran out between two rounds and was then moved back. */
static int recompute(pa_store *db, int64_t user, int64_t now) {
  char tomb[48];
  int64_t party, until, before = 0, swept = 0;
  pa_store_sub cur;
  random_hex("pty_", tomb, sizeof tomb);
  int rc = pa_store_pay_plus_until(db, user, &before);
  if (rc == PA_STORE_OK) rc = pa_store_pay_party(db, user, tomb, &party);
  if (rc == PA_STORE_OK) rc = pa_billing_paid_until(db, party, &until) ? PA_STORE_EDB : PA_STORE_OK;
  if (rc != PA_STORE_OK) return PA_BILLING_EDB;
  rc = pa_store_pay_subs_current(db, user, &cur);
  if (rc == PA_STORE_OK && until > 0 && renewing(&cur))
    until += PA_BILLING_GRACE_SECONDS;
  else if (rc != PA_STORE_ENOTFOUND && rc != PA_STORE_OK)
    return PA_BILLING_EDB;
  rc = pa_store_pay_set_plus_until(db, user, until);
  if (rc == PA_STORE_OK) rc = pa_store_pay_swept(db, &swept);
  if (rc == PA_STORE_OK && before > swept && before > until && until <= now)
    rc = pa_store_pay_notice_add(db, user, "downgraded", now);
  return store_rc(rc);
}

/* ---- checkout */

static void return_urls(const char *base, int64_t id, char *ret, char *cancel, size_t cap) {
  snprintf(ret, cap, "%s/billing/return?checkout=co_%lld", base, (long long)id);
  snprintf(cancel, cap, "%s/billing/return?checkout=co_%lld&result=cancel", base, (long long)id);
}

/* Asks the provider for sub's subscription with sub's key; writes the answer. */
static int create_at_provider(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *base_url) {
  char ret[PA_PAY_URL_MAX], cancel[PA_PAY_URL_MAX], ref[32], err[PA_PAY_ERR_MAX] = "";
  pa_store_credentials who;
  return_urls(base_url, sub->id, ret, cancel, sizeof ret);
  snprintf(ref, sizeof ref, "co_%lld", (long long)sub->id);
  if (pa_store_accounts_credentials(db, sub->user_id, &who) != PA_STORE_OK) return PA_BILLING_EDB;
  pa_pay_sub_request rq = {.provider = pa_pay_provider_parse(sub->provider),
                           .country = sub->country,
                           .plan = sub->plan,
                           .months = sub->months,
                           .idempotency_key = sub->idem_key,
                           .reference = ref,
                           .payer_email = who.email,
                           .return_url = ret,
                           .cancel_url = cancel};
  rq.price.minor = sub->amount_minor;
  snprintf(rq.price.currency, sizeof rq.price.currency, "%s", sub->currency);
  pa_pay_sub got;
  memset(&got, 0, sizeof got);
  int rc;
  if (sub->once) {
    /* A one-time order: PayPal Orders v2 or Mercado Pago Checkout Pro. */
    pa_pay_order_request orq = {.provider = rq.provider,
                                .country = rq.country,
                                .title = "PetAmigos Plus, one year",
                                .amount = rq.price,
                                .idempotency_key = rq.idempotency_key,
                                .reference = ref,
                                .return_url = ret,
                                .cancel_url = cancel};
    pa_pay_order order;
    rc = pay_rc(pa_pay_order_create(pay, &orq, &order, err));
    snprintf(got.id, sizeof got.id, "%s", order.id);
    snprintf(got.approve_url, sizeof got.approve_url, "%s", order.approve_url);
  } else {
    rc = pay_rc(pa_pay_sub_create(pay, &rq, &got, err));
  }
  sodium_memzero(&who, sizeof who);
  if (rc == PA_BILLING_OK) {
    snprintf(sub->provider_id, sizeof sub->provider_id, "%s", got.id);
    snprintf(sub->approve_url, sizeof sub->approve_url, "%s", got.approve_url);
    snprintf(sub->status, sizeof sub->status, "pending");
  } else {
    log_line("create subscription", err);
    snprintf(sub->status, sizeof sub->status,
             rc == PA_BILLING_EREFUSED ? "declined" : "unreachable");
  }
  if (pa_store_pay_subs_update(db, sub) != PA_STORE_OK) return PA_BILLING_EDB;
  return rc;
}

int pa_billing_checkout(pa_store *db, pa_pay *pay, int64_t user, const char *plan,
                        pa_pay_provider provider, const char *country, const char *base_url,
                        pa_store_sub *out) {
  const pa_catalog_plan *pl = pa_catalog_find(plan);
  pa_money price;
  const int64_t now = out->created_at;
  if (!pl || pl->months <= 0 || pa_catalog_price(plan, provider, country, &price) != 0)
    return PA_BILLING_ENOTOFFERED;
  if (!pa_pay_enabled(pay, provider, country)) return PA_BILLING_EUNAVAILABLE;
  pa_store_sub cur, open[8];
  int n = 0, rc = pa_store_pay_subs_current(db, user, &cur);
  if (rc == PA_STORE_OK && renewing(&cur)) return PA_BILLING_ESTATE; /* already subscribed */
  int64_t until = 0;
  if (rc == PA_STORE_OK && cur.once &&
      (pa_billing_paid_until(db, cur.party_id, &until) != PA_BILLING_OK || until > now))
    return PA_BILLING_ESTATE; /* a pass still runs: passes do not stack */
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) return PA_BILLING_EDB;
  if (pa_store_pay_subs_open(db, user, 0, open, 8, &n) != PA_STORE_OK) return PA_BILLING_EDB;
  for (int i = n - 1; i >= 0; i--) {
    const pa_store_sub *o = &open[i];
    if (!strcmp(o->status, "pending") && o->provider_id[0] && !strcmp(o->plan, plan) &&
        !strcmp(o->provider, pa_pay_provider_name(provider)) && !strcmp(o->country, country) &&
        o->created_at > now - PA_BILLING_REUSE_SECONDS) {
      *out = *o;
      return PA_BILLING_OK;
    }
  }
  char tomb[48];
  random_hex("pty_", tomb, sizeof tomb);
  pa_store_sub s;
  memset(&s, 0, sizeof s);
  s.user_id = user;
  if (pa_store_pay_party(db, user, tomb, &s.party_id) != PA_STORE_OK) return PA_BILLING_EDB;
  snprintf(s.plan, sizeof s.plan, "%s", plan);
  snprintf(s.provider, sizeof s.provider, "%s", pa_pay_provider_name(provider));
  snprintf(s.country, sizeof s.country, "%s", country);
  snprintf(s.currency, sizeof s.currency, "%s", price.currency);
  s.amount_minor = price.minor;
  s.months = pl->months;
  s.once = !strcmp(pl->interval, "once");
  random_hex("pa-", s.idem_key, sizeof s.idem_key);
  snprintf(s.status, sizeof s.status, "unreachable"); /* until the provider answers */
  s.created_at = s.updated_at = s.checked_at = now;
  /* The row (and its key) is stored before the call: whatever happens to the
   * call, a retry reuses the key and the provider makes one subscription. */
  if (pa_store_pay_subs_add(db, &s, &s.id) != PA_STORE_OK) return PA_BILLING_EDB;
  rc = create_at_provider(db, pay, &s, base_url);
  *out = s;
  return rc;
}

int pa_billing_retry(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *base_url) {
  if (strcmp(sub->status, "unreachable") != 0) return PA_BILLING_ESTATE;
  return create_at_provider(db, pay, sub, base_url);
}

int pa_billing_abandon(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now) {
  if (strcmp(sub->status, "pending") != 0 && strcmp(sub->status, "unreachable") != 0)
    return PA_BILLING_ESTATE;
  /* The provider's word first: the person may have approved in another tab. */
  if (sub->provider_id[0]) {
    int rc = pa_billing_refresh(db, pay, sub, now);
    if (rc != PA_BILLING_OK) return rc;
    if (strcmp(sub->status, "pending") != 0) return PA_BILLING_ESTATE;
  }
  snprintf(sub->status, sizeof sub->status, "abandoned");
  sub->updated_at = now;
  return store_rc(pa_store_pay_subs_update(db, sub));
}

/* ---- applying what the provider says */

static const char *local_status(pa_pay_sub_status s) {
  switch (s) {
  case PA_PAY_SUB_ACTIVE: return "active";
  case PA_PAY_SUB_SUSPENDED: return "suspended";
  case PA_PAY_SUB_CANCELLED: return "cancelled";
  case PA_PAY_SUB_EXPIRED: return "expired";
  default: return "pending";
  }
}

/* A renewal failed at `at`: one notice per failure after the last charge. */
static int note_failure(pa_store *db, pa_store_sub *sub, int64_t at) {
  if (sub->failed_at >= at) return PA_BILLING_OK;
  sub->failed_at = at;
  if (sub->user_id &&
      pa_store_pay_notice_add(db, sub->user_id, "renewal_failed", at) != PA_STORE_OK)
    return PA_BILLING_EDB;
  return PA_BILLING_OK;
}

/* Records one movement of sub's (in the caller's transaction). */
static int record_txn(pa_store *db, pa_store_sub *sub, const pa_pay_txn *t, int64_t now) {
  if (t->kind == PA_PAY_TXN_FAILED) return note_failure(db, sub, t->at);
  static const char *const kinds[] = {[PA_PAY_TXN_CHARGE] = "charge",
                                      [PA_PAY_TXN_REFUND] = "refund",
                                      [PA_PAY_TXN_CHARGEBACK] = "chargeback"};
  if (t->kind < PA_PAY_TXN_CHARGE || t->kind > PA_PAY_TXN_CHARGEBACK || !t->id[0] ||
      t->gross.minor <= 0 || t->fee.minor < 0 || t->fee.minor > t->gross.minor)
    return PA_BILLING_OK; /* nothing that moves money we can book */
  int64_t gross = t->gross.minor;
  if (t->parent_id[0]) {
    /* A reversal never takes back more than is left of its charge: a
     * chargeback after a partial refund reverses the rest (PayPal's
     * reversal body may name the whole sale). A refund before its charge
     * is booked waits for it (pa_billing_apply_event). */
    int64_t left = 0;
    int rc = pa_store_pay_ledger_left(db, sub->provider, t->parent_id, &left);
    if (rc == PA_STORE_ENOTFOUND) return PA_BILLING_EUNREACHABLE;
    if (rc != PA_STORE_OK) return PA_BILLING_EDB;
    if (gross > left && t->kind == PA_PAY_TXN_CHARGEBACK) gross = left;
    if (gross <= 0 || gross > left) return PA_BILLING_OK; /* already reversed */
  }
  pa_store_txn row = {.provider = sub->provider,
                      .provider_txn = t->id,
                      .kind = kinds[t->kind],
                      .parent_txn = t->parent_id[0] ? t->parent_id : NULL,
                      .party_id = sub->party_id,
                      .subscription_id = sub->id,
                      .plan = sub->plan,
                      .months = sub->months,
                      .currency = t->gross.currency,
                      .gross_minor = gross,
                      .fee_minor = t->kind == PA_PAY_TXN_CHARGE ? t->fee.minor : 0,
                      .occurred_at = t->at,
                      .recorded_at = now};
  int added;
  int rc = pa_store_pay_ledger_record(db, &row, &added);
  if (rc != PA_STORE_OK || !added) return store_rc(rc);
  /* The referrer's commission, in this transaction (commission.h): on
   * gross − fee for a charge, what was taken back for a reversal. */
  char key[PA_STORE_PAY_ID_MAX + 16], parent[PA_STORE_PAY_ID_MAX + 16];
  snprintf(key, sizeof key, "%s:%s", sub->provider, t->id);
  snprintf(parent, sizeof parent, "%s:%s", sub->provider, t->parent_id);
  pa_commission_event ce = {.user = sub->user_id,
                            .source = "subscription",
                            .key = key,
                            .parent = t->parent_id[0] ? parent : NULL,
                            .currency = t->gross.currency,
                            .base_minor = t->parent_id[0] ? gross : gross - row.fee_minor,
                            .at = t->at,
                            .payer = t->payer};
  return store_rc(pa_commission_record(db, &ce));
}

/* Records txns and the refreshed sub, then the tier, in one transaction. */
static int apply(pa_store *db, pa_store_sub *sub, const pa_pay_txn *txns, int n, int64_t now) {
  if (pa_store_begin(db) != PA_STORE_OK) return PA_BILLING_EDB;
  int rc = PA_BILLING_OK;
  /* The person's row first, as account deletion takes it (pa_store_pay_lock_user). */
  if (sub->user_id) {
    int lrc = pa_store_pay_lock_user(db, sub->user_id);
    if (lrc == PA_STORE_ENOTFOUND)
      sub->user_id = 0; /* gone meanwhile: book without them */
    else if (lrc != PA_STORE_OK)
      rc = PA_BILLING_EDB;
  }
  /* A one-time order is paid by its charge (or declined). */
  for (int i = 0; i < n && sub->once; i++)
    if (txns[i].kind == PA_PAY_TXN_CHARGE)
      snprintf(sub->status, sizeof sub->status, "active");
    else if (txns[i].kind == PA_PAY_TXN_FAILED && strcmp(sub->status, "active") != 0)
      snprintf(sub->status, sizeof sub->status, "declined");
  /* Charges first: the reversals in the same list need them booked. */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n && rc == PA_BILLING_OK; i++)
      if ((txns[i].kind == PA_PAY_TXN_CHARGE) == (pass == 0))
        rc = record_txn(db, sub, &txns[i], now);
  sub->updated_at = now;
  if (rc == PA_BILLING_OK) {
    int src = pa_store_pay_subs_update(db, sub);
    rc = src == PA_STORE_ECONFLICT ? PA_BILLING_ECONFLICT : store_rc(src);
  }
  if (rc == PA_BILLING_OK && sub->user_id) rc = recompute(db, sub->user_id, now);
  if (rc == PA_BILLING_OK && pa_store_commit(db) != PA_STORE_OK) rc = PA_BILLING_EDB;
  if (rc != PA_BILLING_OK) pa_store_rollback(db);
  return rc;
}

/* A one-time order: PayPal's is captured (the key makes a second capture
 * the first one again), Mercado Pago's payment is read (named by the return
 * URL or a notification, else found by this checkout's reference: both can
 * be lost); it must carry this checkout's reference. Still unpaid: pending,
 * abandoned once PA_BILLING_ORDER_TTL_SECONDS have passed. */
static int refresh_order(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment,
                         int64_t now) {
  const pa_pay_provider p = pa_pay_provider_parse(sub->provider);
  char err[PA_PAY_ERR_MAX] = "", key[PA_STORE_PAY_ID_MAX + 8], ref[32];
  snprintf(key, sizeof key, "%s-capture", sub->idem_key);
  snprintf(ref, sizeof ref, "co_%lld", (long long)sub->id);
  pa_pay_txn t;
  int rc = pay_rc(p == PA_PAY_MERCADOPAGO && !payment
                      ? pa_pay_order_find(pay, p, sub->country, ref, &t, err)
                      : pa_pay_order_capture(pay, p, sub->country,
                                             p == PA_PAY_PAYPAL ? sub->provider_id : payment, key,
                                             &t, err));
  sub->checked_at = now;
  if (rc == PA_BILLING_EREFUSED) { /* not paid yet */
    if (now - sub->created_at > PA_BILLING_ORDER_TTL_SECONDS && !strcmp(sub->status, "pending"))
      snprintf(sub->status, sizeof sub->status, "abandoned"); /* never paid: let it go */
    return apply(db, sub, NULL, 0, now);
  }
  if (rc != PA_BILLING_OK) {
    log_line("capture order", err);
    return rc;
  }
  if (strcmp(t.reference, ref) != 0) return PA_BILLING_ENOTFOUND; /* another checkout's payment */
  return apply(db, sub, &t, 1, now);
}

static int refresh_once(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment,
                        int64_t now);

/* Someone wrote the row since it was read (store/pay.h): read it and the
 * provider again, up to this many times. */
enum { CONFLICT_TRIES = 5 };

/* refresh_once until no conflict; payment: as for pa_billing_order_paid. */
static int refresh(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment, int64_t now) {
  int rc = PA_BILLING_ECONFLICT;
  for (int i = 0; i < CONFLICT_TRIES && rc == PA_BILLING_ECONFLICT; i++) {
    if (i && pa_store_pay_subs_get(db, sub->id, sub) != PA_STORE_OK) return PA_BILLING_EDB;
    rc = refresh_once(db, pay, sub, payment, now);
  }
  return rc == PA_BILLING_ECONFLICT ? PA_BILLING_EDB : rc;
}

int pa_billing_refresh(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now) {
  return refresh(db, pay, sub, NULL, now);
}

static int refresh_once(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment,
                        int64_t now) {
  if (!sub->provider_id[0]) return PA_BILLING_ESTATE;
  if (sub->once) return refresh_order(db, pay, sub, payment, now);
  const pa_pay_provider p = pa_pay_provider_parse(sub->provider);
  char err[PA_PAY_ERR_MAX] = "";
  pa_pay_sub got;
  memset(&got, 0, sizeof got);
  int rc = pay_rc(pa_pay_sub_get(pay, p, sub->country, sub->provider_id, &got, err));
  if (rc != PA_BILLING_OK) {
    log_line("read subscription", err);
    return rc;
  }
  pa_pay_txn *txns = calloc(PA_BILLING_TXNS_MAX, sizeof *txns);
  int n = 0;
  if (!txns) return PA_BILLING_EDB;
  rc = pay_rc(pa_pay_sub_txns(pay, p, sub->country, sub->provider_id, sub->created_at - 86400,
                              now + 86400, txns, PA_BILLING_TXNS_MAX, &n, err));
  if (rc != PA_BILLING_OK) {
    log_line("read transactions", err);
    free(txns);
    return rc;
  }
  /* A subscription's sales name no payer (PayPal's v1 sale): its
   * subscriber is who pays them (the affiliates' same-account check). */
  for (int i = 0; i < n; i++)
    if (!txns[i].payer[0]) memcpy(txns[i].payer, got.payer, sizeof txns[i].payer);
  /* The person said no at the approval page: a later re-read that still
   * finds it pending keeps it abandoned. */
  const char *st = local_status(got.status);
  if (!(!strcmp(st, "pending") &&
        (!strcmp(sub->status, "abandoned") || !strcmp(sub->status, "declined"))))
    snprintf(sub->status, sizeof sub->status, "%s", st);
  if (got.status == PA_PAY_SUB_ACTIVE) sub->cancel_at_period_end = 0;
  sub->next_charge_at = got.status == PA_PAY_SUB_ACTIVE ? got.next_charge_at : 0;
  sub->checked_at = now;
  rc = apply(db, sub, txns, n, now);
  free(txns);
  if (rc != PA_BILLING_OK) return rc;
  /* A period cancelled by the person ends: stop the subscription for good. */
  int64_t until = 0;
  if (sub->cancel_at_period_end && !strcmp(sub->status, "suspended") &&
      pa_billing_paid_until(db, sub->party_id, &until) == PA_BILLING_OK && until <= now) {
    rc = pay_rc(pa_pay_sub_change(pay, p, sub->country, sub->provider_id, PA_PAY_CANCEL, err));
    if (rc != PA_BILLING_OK) {
      log_line("cancel at period end", err);
      return rc;
    }
    snprintf(sub->status, sizeof sub->status, "cancelled");
    rc = apply(db, sub, NULL, 0, now);
  }
  return rc;
}

static int change(pa_store *db, pa_pay *pay, pa_store_sub *sub, pa_pay_sub_action action,
                  int64_t now) {
  char err[PA_PAY_ERR_MAX] = "";
  int rc = pay_rc(pa_pay_sub_change(pay, pa_pay_provider_parse(sub->provider), sub->country,
                                    sub->provider_id, action, err));
  if (rc != PA_BILLING_OK) {
    log_line("change subscription", err);
    return rc;
  }
  /* The provider has changed: record it even if a webhook wrote the row
   * meanwhile (its re-read may predate the change; the next one agrees). */
  for (int i = 0; i < CONFLICT_TRIES; i++) {
    if (i && pa_store_pay_subs_get(db, sub->id, sub) != PA_STORE_OK) return PA_BILLING_EDB;
    sub->cancel_at_period_end = action == PA_PAY_SUSPEND;
    snprintf(sub->status, sizeof sub->status, "%s",
             action == PA_PAY_SUSPEND ? "suspended" : "active");
    if ((rc = apply(db, sub, NULL, 0, now)) != PA_BILLING_ECONFLICT) return rc;
  }
  return PA_BILLING_EDB;
}

int pa_billing_order_paid(pa_store *db, pa_pay *pay, pa_store_sub *sub, const char *payment,
                          int64_t now) {
  if (!sub->once || !sub->provider_id[0]) return PA_BILLING_ESTATE;
  return refresh(db, pay, sub, payment, now);
}

int pa_billing_cancel(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now) {
  /* Suspended, not cancelled, at the provider: that is what lets Resume undo
   * it; the period's end turns it into a cancellation (pa_billing_refresh). */
  if (sub->once || strcmp(sub->status, "active") != 0 || sub->cancel_at_period_end)
    return PA_BILLING_ESTATE; /* a pass renews nothing to cancel */
  return change(db, pay, sub, PA_PAY_SUSPEND, now);
}

int pa_billing_resume(pa_store *db, pa_pay *pay, pa_store_sub *sub, int64_t now) {
  int64_t until = 0;
  if (sub->once || strcmp(sub->status, "suspended") != 0 || !sub->cancel_at_period_end)
    return PA_BILLING_ESTATE;
  if (pa_billing_paid_until(db, sub->party_id, &until) != PA_BILLING_OK) return PA_BILLING_EDB;
  if (until <= now) return PA_BILLING_ESTATE; /* over: a new checkout starts a new period */
  return change(db, pay, sub, PA_PAY_REACTIVATE, now);
}

/* ---- webhooks */

/* The local subscription a provider id names. */
static int find_sub(pa_store *db, const char *provider, const char *id, pa_store_sub *out) {
  if (!id[0]) return PA_BILLING_ENOTFOUND;
  int rc = pa_store_pay_subs_by_provider_id(db, provider, id, out);
  return rc == PA_STORE_OK          ? PA_BILLING_OK
         : rc == PA_STORE_ENOTFOUND ? PA_BILLING_ENOTFOUND
                                    : PA_BILLING_EDB;
}

/* "co_<n>", our checkout reference, into *id: 0 or -1. */
static int checkout_id(const char *ref, int64_t *id) {
  if (strncmp(ref, "co_", 3) != 0 || ref[3] < '1' || ref[3] > '9') return -1;
  int64_t v = 0;
  for (const char *d = ref + 3; *d; d++) {
    if (*d < '0' || *d > '9' || v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*d - '0');
  }
  *id = v;
  return 0;
}

/* The subscription a movement belongs to: named, or its charge's. */
static int txn_sub(pa_store *db, const char *provider, const pa_pay_txn *t, pa_store_sub *out) {
  if (t->sub_id[0]) return find_sub(db, provider, t->sub_id, out);
  int64_t co = 0;
  if (!t->parent_id[0] && checkout_id(t->reference, &co) == 0) {
    /* A one-time payment names only our checkout (custom_id / external_reference). */
    int rc = pa_store_pay_subs_get(db, co, out);
    if (rc == PA_STORE_OK && out->once && !strcmp(out->provider, provider)) return PA_BILLING_OK;
    return rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND ? PA_BILLING_ENOTFOUND : PA_BILLING_EDB;
  }
  int64_t id = 0;
  int rc = t->parent_id[0] ? pa_store_pay_ledger_txn_sub(db, provider, t->parent_id, &id)
                           : PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_OK && id) rc = pa_store_pay_subs_get(db, id, out);
  return rc == PA_STORE_OK && id                         ? PA_BILLING_OK
         : rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND ? PA_BILLING_ENOTFOUND
                                                         : PA_BILLING_EDB;
}

int pa_billing_apply_event(pa_store *db, pa_pay *pay, const pa_store_pay_event *ev, int64_t now) {
  const pa_pay_provider p = pa_pay_provider_parse(ev->provider);
  char err[PA_PAY_ERR_MAX] = "";
  pa_pay_event e;
  memset(&e, 0, sizeof e);
  if (pa_pay_webhook_parse(p, ev->body, ev->len, ev->query, &e, err) != PA_PAY_OK) {
    log_line("stored event no longer parses", err); /* verified when it came: a bug */
    return PA_BILLING_OK;
  }
  if (e.kind == PA_PAY_EV_IGNORED) return PA_BILLING_OK;
  /* Payouts to marketplace sellers (payouts.h): applied there, once. */
  if (e.kind == PA_PAY_EV_PAYOUT)
    return pa_payouts_event(db, pay, &e, now) == PA_STORE_OK ? PA_BILLING_OK
                                                             : PA_BILLING_EUNREACHABLE;
  pa_store_sub sub;
  if (e.kind == PA_PAY_EV_SUBSCRIPTION) {
    int rc = find_sub(db, ev->provider, e.sub_id, &sub);
    if (rc != PA_BILLING_OK) return rc;
    if (strstr(e.type, "PAYMENT.FAILED") && (rc = note_failure(db, &sub, now)) != PA_BILLING_OK)
      return rc;
    return pa_billing_refresh(db, pay, &sub, now);
  }
  /* A movement: PayPal's verified body carries it whole; a Mercado Pago
   * notification only names a payment, read back with its refunds. */
  pa_pay_txn txns[8];
  int n = 1, rc;
  char country[3] = "";
  /* A seller's split payment (its user_id is a connected marketplace
   * seller's): only their token reads it, and it is an order's. */
  if (p == PA_PAY_MERCADOPAGO && !e.txn_complete) {
    int orc;
    if (pa_orders_mp_event(db, pay, e.user_id, e.country, e.txn.id, now, &orc))
      return orc == PA_STORE_OK ? PA_BILLING_OK : PA_BILLING_EUNREACHABLE;
  }
  if (e.txn_complete) {
    txns[0] = e.txn;
  } else if ((rc = pay_rc(pa_pay_payment_get(pay, p, e.country, e.txn.id, txns, 8, &n, country,
                                             err))) != PA_BILLING_OK) {
    log_line("read payment", err);
    return rc;
  }
  for (int i = 0; i < n; i++) {
    /* An advertiser's top-up (ads_pay.h): credited there, once. */
    int orc;
    if (pa_ads_charge_event(db, ev->provider, &txns[i], now, &orc)) {
      if (orc != PA_STORE_OK) return PA_BILLING_EUNREACHABLE; /* again later */
      continue;
    }
    /* A marketplace order's charge (orders.h): applied there, once. */
    if (p == PA_PAY_PAYPAL && pa_orders_charge_event(db, pay, &txns[i], now, &orc)) {
      if (orc != PA_STORE_OK) return PA_BILLING_EUNREACHABLE; /* again later */
      continue;
    }
    if ((rc = txn_sub(db, ev->provider, &txns[i], &sub)) == PA_BILLING_ENOTFOUND &&
        txns[i].parent_id[0] && !txns[i].sub_id[0])
      return PA_BILLING_EUNREACHABLE;         /* a refund before its charge: again later */
    if (rc == PA_BILLING_ENOTFOUND) continue; /* not ours (another app on the account) */
    if (rc != PA_BILLING_OK) return rc;
    /* A PayPal sale names no payer: the subscription's subscriber pays it,
     * read before the charge is booked (its commission is written with it
     * and checks the payer's account against the affiliate's). */
    if (p == PA_PAY_PAYPAL && !sub.once && txns[i].kind == PA_PAY_TXN_CHARGE && !txns[i].payer[0] &&
        sub.provider_id[0]) {
      pa_pay_sub got;
      memset(&got, 0, sizeof got);
      if ((rc = pay_rc(pa_pay_sub_get(pay, p, sub.country, sub.provider_id, &got, err))) !=
          PA_BILLING_OK) {
        log_line("read subscription", err);
        return rc;
      }
      memcpy(txns[i].payer, got.payer, sizeof txns[i].payer);
      sodium_memzero(&got, sizeof got);
    }
    if ((rc = apply(db, &sub, &txns[i], 1, now)) != PA_BILLING_OK) return rc;
    if ((rc = pa_billing_refresh(db, pay, &sub, now)) != PA_BILLING_OK) return rc;
  }
  return PA_BILLING_OK;
}

/* ---- background work */

/* The people whose Plus ended since the last sweep, collected before any
 * notice is written: writing from inside the walk would upgrade the walk's
 * read transaction to a write one, which SQLite refuses at once (no busy
 * wait) when another connection wrote meanwhile (a sign-in, say), and the
 * notice was then lost while the sweep moved on. */
typedef struct sweep {
  int64_t users[PA_BILLING_LAPSED_BATCH];
  int n;
} sweep;

static int lapsed(void *ctx, int64_t user) {
  sweep *w = ctx;
  if (w->n == PA_BILLING_LAPSED_BATCH) return 1; /* the rest next round */
  w->users[w->n++] = user;
  return 0;
}

/* Downgrade notices for everyone whose Plus ended in (swept, now]; the
 * sweep moves on only once all of them are written (the lapsed query skips
 * those already told, so a retry writes none twice). */
static void sweep_lapsed(pa_store *db, int64_t now) {
  int64_t swept = 0;
  sweep w = {.n = 0};
  if (pa_store_pay_swept(db, &swept) != PA_STORE_OK || swept >= now) return;
  int rc = pa_store_pay_lapsed(db, swept, now, lapsed, &w);
  int whole = rc == PA_STORE_OK;
  if (rc != PA_STORE_OK && w.n < PA_BILLING_LAPSED_BATCH) {
    log_line("lapsed", pa_store_errmsg(db));
    return;
  }
  for (int i = 0; i < w.n; i++)
    if (pa_store_pay_notice_add(db, w.users[i], "downgraded", now) != PA_STORE_OK) {
      log_line("downgrade notice", pa_store_errmsg(db));
      whole = 0;
    }
  if (whole) pa_store_pay_set_swept(db, now);
}

void pa_billing_work(pa_store *db, pa_pay *pay, int64_t now) {
  /* Due events, each applied or put back with a growing delay. */
  for (int i = 0; i < 100; i++) {
    pa_store_pay_event ev;
    int rc = pa_store_pay_event_next(db, now, &ev);
    if (rc != PA_STORE_OK) {
      if (rc != PA_STORE_ENOTFOUND) log_line("event queue", pa_store_errmsg(db));
      break;
    }
    rc = pa_billing_apply_event(db, pay, &ev, now);
    if (rc == PA_BILLING_OK || ev.attempts + 1 >= PA_BILLING_EVENT_ATTEMPTS_MAX) {
      if (rc != PA_BILLING_OK) log_line("event given up", ev.event_id);
      pa_store_pay_event_done(db, ev.id, now);
    } else {
      int64_t wait = (int64_t)PA_BILLING_RETRY_BASE_SECONDS
                     << (ev.attempts < 10 ? ev.attempts : 10);
      pa_store_pay_event_retry(
          db, ev.id,
          now + (wait < PA_BILLING_RETRY_MAX_SECONDS ? wait : PA_BILLING_RETRY_MAX_SECONDS));
    }
    free(ev.body);
    free(ev.query);
  }
  /* Re-reads: the repair for anything a dropped webhook left behind. */
  pa_store_sub subs[PA_BILLING_RECHECK_BATCH];
  int n = 0;
  if (pa_store_pay_subs_open(db, 0, now - PA_BILLING_RECHECK_SECONDS, subs,
                             PA_BILLING_RECHECK_BATCH, &n) == PA_STORE_OK)
    for (int i = 0; i < n; i++) {
      if (!subs[i].provider_id[0]) continue; /* never reached the provider: the person retries */
      if (pa_billing_refresh(db, pay, &subs[i], now) != PA_BILLING_OK) {
        subs[i].checked_at = now; /* try the others first; this one again next time */
        pa_store_pay_subs_update(db, &subs[i]);
      }
    }
  /* Downgrade notices for everyone whose Plus ended since the last round. */
  sweep_lapsed(db, now);
  pa_store_pay_events_prune(db, now - PA_BILLING_EVENTS_KEEP_SECONDS);
  /* Ad top-ups whose return and webhook were both lost. */
  pa_ads_pay_work(db, pay, now);
}

int pa_billing_close_account(pa_store *db, pa_pay *pay, int64_t user, int64_t now) {
  pa_store_sub subs[16];
  int n = 0;
  if (pa_store_pay_subs_open(db, user, 0, subs, 16, &n) != PA_STORE_OK) return PA_BILLING_EDB;
  for (int i = 0; i < n; i++) {
    pa_store_sub *s = &subs[i];
    if (s->provider_id[0] && !s->once) { /* an order has nothing left to charge */
      char err[PA_PAY_ERR_MAX] = "";
      int rc = pay_rc(pa_pay_sub_change(pay, pa_pay_provider_parse(s->provider), s->country,
                                        s->provider_id, PA_PAY_CANCEL, err));
      /* A subscription never approved cannot be cancelled at PayPal; it
       * expires there on its own and charges nothing. */
      if (rc == PA_BILLING_EREFUSED && !strcmp(s->status, "pending")) rc = PA_BILLING_OK;
      if (rc != PA_BILLING_OK) {
        log_line("cancel for account deletion", err);
        return rc;
      }
    }
    snprintf(s->status, sizeof s->status, "%s",
             strcmp(s->status, "pending") && strcmp(s->status, "unreachable") ? "cancelled"
                                                                              : "abandoned");
    s->cancel_at_period_end = 0;
    s->updated_at = now;
    if (pa_store_pay_subs_update(db, s) != PA_STORE_OK) return PA_BILLING_EDB;
  }
  return PA_BILLING_OK;
}
