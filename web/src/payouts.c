/* pa_payouts: batches of payouts to PayPal sellers (payouts.h). */
#include "payouts.h"

#include "commission.h"
#include "log.h"
#include "pay/pay.h"
#include "store/notifications.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About 1 USD in each currency we trade (pay/money.c), in minor units.
 * A constant table: it bounds how small a payout is worth PayPal's fee, and
 * need not follow the exchange rate closely. */
static const struct {
  const char code[4];
  int64_t minor;
} minimums[] = {{"USD", 100},    {"EUR", 100},    {"BRL", 500},  {"MXN", 2000},
                {"ARS", 100000}, {"COP", 400000}, {"CLP", 1000}, {"JPY", 150}};

int64_t pa_payouts_minimum(const char *currency) {
  for (size_t i = 0; currency && i < sizeof minimums / sizeof minimums[0]; i++)
    if (strcmp(minimums[i].code, currency) == 0) return minimums[i].minor;
  return 0;
}

static int finish(pa_store *db, int rc) {
  if (rc == PA_STORE_OK) rc = pa_store_commit(db);
  if (rc != PA_STORE_OK) pa_store_rollback(db);
  return rc;
}

/* "poi_<n>" into *id: 0, or -1 when it is not one of ours. */
static int our_item(const char *s, int64_t *id) {
  if (strncmp(s, "poi_", 4) != 0 || s[4] < '1' || s[4] > '9' || strlen(s + 4) > 15 ||
      strspn(s + 4, "0123456789") != strlen(s + 4))
    return -1;
  *id = strtoll(s + 4, NULL, 10);
  return 0;
}

/* Tells item's seller what became of it, inside the caller's transaction. */
static int tell(pa_store *db, const pa_store_payout_item *it, const char *step, int64_t now) {
  char ref[32];
  snprintf(ref, sizeof ref, "poi_%lld", (long long)it->id);
  cJSON *d = cJSON_CreateObject();
  char *detail = NULL;
  if (d && cJSON_AddStringToObject(d, "step", step) && cJSON_AddStringToObject(d, "payout", ref) &&
      cJSON_AddStringToObject(d, "role", "seller") &&
      cJSON_AddNumberToObject(d, "total_minor", (double)it->amount_minor) &&
      cJSON_AddStringToObject(d, "currency", it->currency))
    detail = cJSON_PrintUnformatted(d);
  cJSON_Delete(d);
  if (!detail) return PA_STORE_ENOMEM;
  pa_store_notice_new n = {
      .user = it->seller_id, .kind = "order", .actor = 0, .detail = detail, .at = now};
  int rc = pa_store_notifications_add_notice(db, &n, NULL);
  cJSON_free(detail);
  return rc;
}

/* Where PayPal's status takes an item in state from: -1 for nowhere (the
 * news is old, repeated, or not final). Forward only: a SUCCESS after a
 * return, or anything after a return, never credits twice. */
static int next_state(int from, pa_pay_payout_status status) {
  int to;
  switch (status) {
  case PA_PAY_PAYOUT_SUCCESS: to = PA_PAYOUT_ITEM_PAID; break;
  case PA_PAY_PAYOUT_UNCLAIMED: to = PA_PAYOUT_ITEM_UNCLAIMED; break;
  case PA_PAY_PAYOUT_FAILED:
  case PA_PAY_PAYOUT_RETURNED: to = PA_PAYOUT_ITEM_RETURNED; break;
  default: return -1; /* PENDING or unknown: read again later */
  }
  switch (from) {
  case PA_PAYOUT_ITEM_PENDING: return to;
  case PA_PAYOUT_ITEM_UNCLAIMED: return to == PA_PAYOUT_ITEM_UNCLAIMED ? -1 : to;
  /* A payment PayPal later reverses comes back to us, hence to the seller. */
  case PA_PAYOUT_ITEM_PAID: return to == PA_PAYOUT_ITEM_RETURNED ? to : -1;
  default: return -1;
  }
}

int pa_payouts_apply(pa_store *db, const pa_pay_payout_item *pi, int64_t now, int *applied) {
  int64_t id = 0;
  int moved = 0;
  pa_store_payout_item it;
  *applied = 0;
  if (our_item(pi->sender_item_id, &id) != 0) return PA_STORE_OK; /* another app's, or none */
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_payouts_item_get(db, id, &it);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_store_rollback(db);
    pa_log_event("warn", "payouts", "PayPal names payout item %s we never made",
                 pi->sender_item_id);
    return PA_STORE_OK;
  }
  if (rc == PA_STORE_OK &&
      (pi->amount.minor != it.amount_minor || strcmp(pi->amount.currency, it.currency) != 0)) {
    pa_store_rollback(db);
    pa_log_event("error", "payouts", "PayPal's %s does not match ours", pi->sender_item_id);
    return PA_STORE_OK;
  }
  const int to = rc == PA_STORE_OK ? next_state(it.state, pi->status) : -1;
  if (to >= 0)
    rc = pa_store_payouts_item_move(db, id, it.state, to, pi->item_id, pi->error, now, &moved);
  /* Sellers are told through their order notices; an affiliate reads it on
   * their earnings (GET /affiliate/earnings). */
  if (rc == PA_STORE_OK && moved && it.payee == PA_PAYEE_SELLER)
    rc = tell(db, &it,
              to == PA_PAYOUT_ITEM_PAID        ? "payout_paid"
              : to == PA_PAYOUT_ITEM_UNCLAIMED ? "payout_unclaimed"
                                               : "payout_returned",
              now);
  rc = finish(db, rc);
  if (rc == PA_STORE_OK) *applied = moved;
  return rc;
}

/* ---- sending */

typedef struct lines {
  pa_pay_payout_line line[PA_PAY_PAYOUT_ITEMS_MAX];
  char receiver[PA_PAY_PAYOUT_ITEMS_MAX][PA_PAY_EMAIL_MAX];
  char sender_item_id[PA_PAY_PAYOUT_ITEMS_MAX][32];
  int n;
} lines;

static int add_line(void *ctx, const pa_store_payout_item *it) {
  lines *l = ctx;
  if (l->n >= PA_PAY_PAYOUT_ITEMS_MAX) return 1;
  pa_pay_payout_line *p = &l->line[l->n];
  snprintf(l->receiver[l->n], PA_PAY_EMAIL_MAX, "%s", it->receiver);
  snprintf(l->sender_item_id[l->n], sizeof l->sender_item_id[0], "poi_%lld", (long long)it->id);
  p->receiver = l->receiver[l->n];
  p->sender_item_id = l->sender_item_id[l->n];
  p->amount.minor = it->amount_minor;
  memcpy(p->amount.currency, it->currency, sizeof p->amount.currency);
  p->note = it->payee == PA_PAYEE_AFFILIATE ? "PetAmigos affiliate commissions"
                                            : "PetAmigos marketplace sales";
  l->n++;
  return 0;
}

/* Sends batch id (pending) under its own id; sent once PayPal answers. */
static void send_batch(pa_store *db, pa_pay *pay, int64_t id, int64_t now) {
  lines *l = calloc(1, sizeof *l);
  char bid[32], err[PA_PAY_ERR_MAX] = "";
  pa_pay_payout out;
  if (!l) return;
  snprintf(bid, sizeof bid, "pob_%lld", (long long)id);
  if (pa_store_payouts_batch_items(db, id, add_line, l) != PA_STORE_OK || l->n == 0) {
    pa_log_event("error", "payouts", "batch %s: %s", bid, pa_store_errmsg(db));
    free(l);
    return;
  }
  pa_pay_payout_request rq = {
      .batch_id = bid, .email_subject = "Your PetAmigos payout", .lines = l->line, .nlines = l->n};
  int prc = pa_pay_payout_create(pay, &rq, &out, err);
  free(l);
  if (prc != PA_PAY_OK) {
    /* Unreachable: the outcome is unknown, the same id goes again next
     * round. Refused: an operator looks (the amounts stay in flight). */
    pa_log_event(prc == PA_PAY_EUNREACHABLE ? "warn" : "error", "payouts", "batch %s: %s", bid,
                 err);
    return;
  }
  if (pa_store_payouts_batch_sent(db, id, out.id, now) != PA_STORE_OK)
    pa_log_event("error", "payouts", "batch %s sent: %s", bid, pa_store_errmsg(db));
}

/* Reads batch id back from PayPal and applies each of its items. */
static int read_batch(pa_store *db, pa_pay *pay, int64_t id, int64_t now) {
  pa_store_payout_batch b;
  pa_pay_payout pb;
  char err[PA_PAY_ERR_MAX] = "";
  int n = 0, applied = 0, rc = pa_store_payouts_batch_get(db, id, &b);
  if (rc != PA_STORE_OK || b.state != PA_PAYOUT_BATCH_SENT) return rc;
  pa_pay_payout_item *items = calloc(PA_PAY_PAYOUT_ITEMS_MAX, sizeof *items);
  if (!items) return PA_STORE_ENOMEM;
  int prc = pa_pay_payout_get(pay, b.paypal_id, &pb, items, PA_PAY_PAYOUT_ITEMS_MAX, &n, err);
  if (prc != PA_PAY_OK) {
    free(items);
    pa_log_event("warn", "payouts", "read batch pob_%lld: %s", (long long)id, err);
    /* Read again after the interval, not every round. */
    pa_store_payouts_batch_checked(db, id, now);
    return PA_STORE_EDB;
  }
  for (int i = 0; rc == PA_STORE_OK && i < n; i++)
    rc = pa_payouts_apply(db, &items[i], now, &applied);
  free(items);
  if (rc == PA_STORE_OK) rc = pa_store_payouts_batch_checked(db, id, now);
  return rc;
}

int pa_payouts_event(pa_store *db, pa_pay *pay, const pa_pay_event *e, int64_t now) {
  int applied = 0;
  if (e->payout.item_id[0]) return pa_payouts_apply(db, &e->payout, now, &applied);
  /* A batch's news names PayPal's batch id only: read it whole. */
  int64_t id = 0;
  int rc = pa_store_payouts_by_paypal(db, e->payout.batch_id, &id);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK;
  return rc == PA_STORE_OK ? read_batch(db, pay, id, now) : rc;
}

void pa_payouts_work(pa_store *db, pa_pay *pay, int64_t now) {
  if (!pa_pay_enabled(pay, PA_PAY_PAYPAL, NULL)) return;
  int64_t ids[PA_PAYOUTS_ROUND_BATCHES];
  int n = 0;
  /* New batches only when every earlier one reached PayPal: while it cannot
   * be reached, balances wait in one batch rather than pile up in many. */
  if (pa_store_payouts_unsent(db, ids, PA_PAYOUTS_ROUND_BATCHES, &n) != PA_STORE_OK) {
    pa_log_event("error", "payouts", "%s", pa_store_errmsg(db));
    return;
  }
  int64_t scanned = 0;
  int news = 0, full = 0;
  if (n == 0 && (pa_store_payouts_scanned(db, &scanned) != PA_STORE_OK ||
                 pa_store_payouts_news(db, scanned, &news) != PA_STORE_OK)) {
    pa_log_event("error", "payouts", "%s", pa_store_errmsg(db));
    return;
  }
  if (n == 0 && (news || scanned <= now - PA_PAYOUTS_SCAN_SECONDS)) {
    int ok = 1;
    /* Sellers, then affiliates (commission.h): the same batches, ids and
     * reading back; only whose balance and which ledger differ. */
    for (int payee = PA_PAYEE_SELLER; payee <= PA_PAYEE_AFFILIATE; payee++) {
      char cur[PA_PAYOUTS_CURRENCIES_MAX][4];
      int nc = 0;
      if (pa_store_payouts_currencies(db, payee, cur, PA_PAYOUTS_CURRENCIES_MAX, &nc) !=
          PA_STORE_OK) {
        pa_log_event("error", "payouts", "%s", pa_store_errmsg(db));
        ok = 0;
      }
      for (int i = 0; i < nc; i++) {
        const int64_t min = payee == PA_PAYEE_AFFILIATE ? pa_commission_payout_minimum(cur[i])
                                                        : pa_payouts_minimum(cur[i]);
        int64_t id = 0;
        if (!min) continue;
        /* The batch, its items and their ledger rows stand or fall together. */
        int rc = pa_store_begin(db);
        if (rc == PA_STORE_OK)
          rc = pa_store_payouts_batch_make(db, payee, cur[i], min, PA_PAY_PAYOUT_ITEMS_MAX, now,
                                           &id);
        if ((rc = finish(db, rc)) != PA_STORE_OK) {
          pa_log_event("error", "payouts", "batch of %s: %s", cur[i], pa_store_errmsg(db));
          ok = 0;
        } else if (id) {
          pa_store_payout_batch b;
          if (n < PA_PAYOUTS_ROUND_BATCHES) ids[n++] = id;
          /* A full batch may have left payees out: gather again next round. */
          if (pa_store_payouts_batch_get(db, id, &b) != PA_STORE_OK ||
              b.items >= PA_PAY_PAYOUT_ITEMS_MAX)
            full = 1;
        }
      }
    }
    if (ok && !full && pa_store_payouts_set_scanned(db, now) != PA_STORE_OK)
      pa_log_event("error", "payouts", "%s", pa_store_errmsg(db));
  }
  for (int i = 0; i < n; i++) send_batch(db, pay, ids[i], now);
  /* The repair for webhooks that never came. */
  if (pa_store_payouts_due(db, now - PA_PAYOUTS_POLL_SECONDS, ids, PA_PAYOUTS_ROUND_BATCHES, &n) !=
      PA_STORE_OK) {
    pa_log_event("error", "payouts", "%s", pa_store_errmsg(db));
    return;
  }
  for (int i = 0; i < n; i++)
    if (read_batch(db, pay, ids[i], now) != PA_STORE_OK)
      pa_log_event("warn", "payouts", "batch pob_%lld read back later", (long long)ids[i]);
}
