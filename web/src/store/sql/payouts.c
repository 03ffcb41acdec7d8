/* pa_store_payouts: batches of payouts to PayPal sellers and the seller's
 * dashboard (store/payouts.h). */
#include "store/payouts.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

static const char *const item_states[] = {"pending", "unclaimed", "paid", "returned"};
static const char *const batch_states[] = {"pending", "sent", "done"};

const char *pa_store_payouts_state_name(int state) {
  return state >= 0 && state < (int)(sizeof item_states / sizeof item_states[0])
             ? item_states[state]
             : NULL;
}

static int state_of(const char *s, const char *const *names, int n) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return 0;
}

/* A PayPal seller's available balance in ?1: the payables of their
 * completed PayPal orders less what went out in payouts and did not come
 * back. Only sellers whose payout account is PayPal now have an email to
 * pay; by seller id. A seller whose payout came back since they last saved
 * their payout account waits until they save it again (the notice says
 * so): sending to an address PayPal could not pay would only fail again. */
#define AVAILABLE_SQL                                                                              \
  "WITH owed AS (SELECT g.seller_id, sum(g.amount_minor) AS amount FROM market_ledger g"           \
  " JOIN market_orders o ON o.id = g.order_id WHERE g.kind = 'seller_payable'"                     \
  " AND o.state = 'completed' AND o.provider = 'paypal' AND g.currency = ?1 GROUP BY "             \
  "g.seller_id),"                                                                                  \
  " gone AS (SELECT seller_id, sum(amount_minor) AS amount FROM market_payout_ledger"              \
  " WHERE currency = ?1 GROUP BY seller_id)"                                                       \
  " SELECT w.seller_id, s.paypal_email, CAST(w.amount - COALESCE(t.amount, 0) AS BIGINT)"          \
  " FROM owed w JOIN sellers s ON s.user_id = w.seller_id AND s.provider = 'paypal'"               \
  " LEFT JOIN gone t ON t.seller_id = w.seller_id"                                                 \
  " WHERE w.amount - COALESCE(t.amount, 0) >= ?2 AND NOT EXISTS (SELECT 1 FROM"                    \
  " market_payout_items i WHERE i.seller_id = w.seller_id AND i.currency = ?1"                     \
  " AND i.payee = 'seller' AND i.state = 'returned' AND i.updated_at > s.updated_at)"              \
  " ORDER BY w.seller_id LIMIT ?3"

/* An affiliate's approved balance in ?1 at ?4 (store/commission.h): the
 * commissions released by then in months closed (at the month's rate,
 * truncated per row) less what went out in payouts and did not come back,
 * carried reversals included; only affiliates with a payout email, and one
 * payout a month: none whose item was made since ?5 (the month's first
 * second, UTC), returned or not (a returned one waits for next month). */
#define AFF_AVAILABLE_SQL                                                                          \
  "WITH earned AS (SELECT c.affiliate_id, sum(c.base_minor * m.rate_bp / 10000) AS amount"         \
  " FROM aff_commissions c JOIN aff_months m ON m.affiliate_id = c.affiliate_id"                   \
  " AND m.month = c.month WHERE c.kind <> 'refused' AND c.currency = ?1 AND c.release_at <= ?4"    \
  " GROUP BY c.affiliate_id),"                                                                     \
  " gone AS (SELECT affiliate_id, sum(amount_minor) AS amount FROM aff_payout_ledger"              \
  " WHERE currency = ?1 GROUP BY affiliate_id)"                                                    \
  " SELECT e.affiliate_id, a.payout_email, CAST(e.amount - COALESCE(t.amount, 0) AS BIGINT)"       \
  " FROM earned e JOIN affiliates a ON a.user_id = e.affiliate_id"                                 \
  " AND a.payout_email IS NOT NULL LEFT JOIN gone t ON t.affiliate_id = e.affiliate_id"            \
  " WHERE e.amount - COALESCE(t.amount, 0) >= ?2 AND NOT EXISTS (SELECT 1 FROM"                    \
  " market_payout_items i WHERE i.seller_id = e.affiliate_id AND i.payee = 'affiliate'"            \
  " AND i.currency = ?1 AND i.created_at >= ?5) ORDER BY e.affiliate_id LIMIT ?3"

typedef struct candidate {
  int64_t seller, amount;
  char receiver[255];
} candidate;

enum { CANDIDATES_MAX = 100 /* PA_PAY_PAYOUT_ITEMS_MAX: items of one batch */ };

/* The first second (UTC) of now's month. */
static int64_t month_start(int64_t now) {
  time_t t = (time_t)now;
  struct tm tm;
  if (!gmtime_r(&t, &tm)) return now;
  return now - (int64_t)(tm.tm_mday - 1) * 86400 - tm.tm_hour * 3600 - tm.tm_min * 60 - tm.tm_sec;
}

int pa_store_payouts_batch_make(pa_store *db, int payee, const char *currency, int64_t min_minor,
                                int max_items, int64_t now, int64_t *id) {
  const int aff = payee == PA_PAYEE_AFFILIATE;
  candidate c[CANDIDATES_MAX];
  int n = 0, rc;
  int64_t total = 0;
  *id = 0;
  if (max_items < 1 || max_items > CANDIDATES_MAX || min_minor < 1) return PA_STORE_EINVAL;
  /* Two servers on one PostgreSQL database each run the round: the
   * balances are read and taken under one lock, or both would pay them.
   * SQLite's BEGIN IMMEDIATE already orders writers. */
  int64_t locked = 0;
  rc = pa_sq_scalar_i64(
      db,
      pa_sq_dialect(db, "SELECT 1", "SELECT 1 FROM (SELECT pg_advisory_xact_lock(7305546018)) l"),
      0, NULL, &locked);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, aff ? AFF_AVAILABLE_SQL : AVAILABLE_SQL);
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_text(st, 1, currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, min_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, max_items);
  if (rc == PA_SQ_OK && aff) rc = pa_sq_bind_i64(st, 4, now);
  if (rc == PA_SQ_OK && aff) rc = pa_sq_bind_i64(st, 5, month_start(now));
  while (rc == PA_SQ_OK || rc == PA_SQ_ROW) {
    rc = pa_sq_step(st);
    if (rc == PA_SQ_ROW && n < max_items) {
      c[n].seller = pa_sq_i64(st, 0);
      copy(c[n].receiver, sizeof c[n].receiver, pa_sq_text(st, 1));
      c[n].amount = pa_sq_i64(st, 2);
      total += c[n].amount;
      n++;
    }
  }
  pa_sq_done(st);
  if (rc != PA_SQ_DONE) return pa_sq_fail(db, "payout candidates");
  if (n == 0) return PA_STORE_OK;
  st = pa_sq_stmt(db, "INSERT INTO market_payouts (currency, state, total_minor, items,"
                      " created_at, updated_at, checked_at) VALUES (?1, 'pending', ?2, ?3, ?4,"
                      " ?4, ?4) RETURNING id");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_text(st, 1, currency);
  int64_t a[3] = {total, n, now};
  for (int i = 0; rc == PA_SQ_OK && i < 3; i++) rc = pa_sq_bind_i64(st, 2 + i, a[i]);
  rc = pa_sq_run(db, st, rc, "payout batch", id, NULL);
  for (int i = 0; rc == PA_STORE_OK && i < n; i++) {
    int64_t item = 0;
    st = pa_sq_stmt(db, "INSERT INTO market_payout_items (payout_id, seller_id, receiver,"
                        " amount_minor, currency, state, created_at, updated_at, payee) VALUES"
                        " (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, ?7) RETURNING id");
    if (!st) return PA_STORE_EDB;
    int b = pa_sq_bind_i64(st, 1, *id);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, c[i].seller);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, c[i].receiver);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, c[i].amount);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 5, currency);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 6, now);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 7, aff ? "affiliate" : "seller");
    rc = pa_sq_run(db, st, b, "payout item", &item, NULL);
    if (rc != PA_STORE_OK) break;
    st = pa_sq_stmt(db, aff ? "INSERT INTO aff_payout_ledger (item_id, affiliate_id, event,"
                              " amount_minor, currency, at) VALUES (?1, ?2, 'sent', ?3, ?4, ?5)"
                            : "INSERT INTO market_payout_ledger (item_id, seller_id, event,"
                              " amount_minor, currency, at) VALUES (?1, ?2, 'sent', ?3, ?4, ?5)");
    if (!st) return PA_STORE_EDB;
    b = pa_sq_bind_i64(st, 1, item);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, c[i].seller);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, c[i].amount);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 4, currency);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, now);
    rc = pa_sq_run(db, st, b, "payout sent", NULL, NULL);
  }
  return rc;
}

int pa_store_payouts_currencies(pa_store *db, int payee, char (*out)[4], int cap, int *n) {
  *n = 0;
  pa_sql_stmt *st =
      payee == PA_PAYEE_AFFILIATE
          ? pa_sq_stmt(db, "SELECT DISTINCT currency FROM aff_commissions WHERE kind <> 'refused'"
                           " ORDER BY currency")
          : pa_sq_stmt(db, "SELECT DISTINCT g.currency FROM market_ledger g JOIN market_orders o"
                           " ON o.id = g.order_id WHERE g.kind = 'seller_payable' AND"
                           " o.state = 'completed' AND o.provider = 'paypal' ORDER BY g.currency");
  if (!st) return PA_STORE_EDB;
  int rc;
  while ((rc = pa_sq_step(st)) == PA_SQ_ROW)
    if (*n < cap) copy(out[(*n)++], 4, pa_sq_text(st, 0));
  pa_sq_done(st);
  return rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "payout currencies");
}

int pa_store_payouts_scanned(pa_store *db, int64_t *at) {
  int rc =
      pa_sq_scalar_i64(db, "SELECT value FROM meta WHERE key = 'payouts_scanned'", 0, NULL, at);
  if (rc == PA_STORE_ENOTFOUND) {
    *at = 0;
    return PA_STORE_OK;
  }
  return rc;
}

int pa_store_payouts_set_scanned(pa_store *db, int64_t at) {
  return pa_sq_exec_i64(db,
                        "INSERT INTO meta (key, value) VALUES ('payouts_scanned', ?1)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        1, &at, NULL);
}

int pa_store_payouts_news(pa_store *db, int64_t since, int *news) {
  int64_t n = 0;
  int rc = pa_sq_scalar_i64(db,
                            "SELECT count(*) FROM (SELECT 1 FROM market_orders WHERE state ="
                            " 'completed' AND updated_at >= ?1 AND provider = 'paypal' LIMIT 1) x",
                            1, &since, &n);
  *news = rc == PA_STORE_OK && n > 0;
  return rc;
}

#define BATCH_COLS                                                                                 \
  "id, state, currency, paypal_id, total_minor, items, created_at, updated_at, checked_at"

static void batch_row(pa_sql_stmt *st, pa_store_payout_batch *b) {
  b->id = pa_sq_i64(st, 0);
  b->state = state_of(pa_sq_text(st, 1), batch_states, 3);
  copy(b->currency, sizeof b->currency, pa_sq_text(st, 2));
  copy(b->paypal_id, sizeof b->paypal_id, pa_sq_text(st, 3));
  b->total_minor = pa_sq_i64(st, 4);
  b->items = pa_sq_i64(st, 5);
  b->created_at = pa_sq_i64(st, 6);
  b->updated_at = pa_sq_i64(st, 7);
  b->checked_at = pa_sq_i64(st, 8);
}

static int one_batch(void *ctx, pa_sql_stmt *st) {
  batch_row(st, ctx);
  return 1; /* the first row is all there is */
}

int pa_store_payouts_batch_get(pa_store *db, int64_t id, pa_store_payout_batch *out) {
  memset(out, 0, sizeof *out);
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " BATCH_COLS " FROM market_payouts WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), one_batch, out, "payout batch");
  return rc == PA_STORE_EABORT ? PA_STORE_OK : rc == PA_STORE_OK ? PA_STORE_ENOTFOUND : rc;
}

static int ids_of(pa_store *db, pa_sql_stmt *st, int bind_rc, int64_t *ids, int cap, int *n,
                  const char *what) {
  int rc = bind_rc;
  *n = 0;
  while (rc == PA_SQ_OK || rc == PA_SQ_ROW) {
    rc = pa_sq_step(st);
    if (rc == PA_SQ_ROW && *n < cap) ids[(*n)++] = pa_sq_i64(st, 0);
  }
  pa_sq_done(st);
  return rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, what);
}

int pa_store_payouts_unsent(pa_store *db, int64_t *ids, int cap, int *n) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT id FROM market_payouts WHERE state = 'pending' ORDER BY id LIMIT ?1");
  if (!st) return PA_STORE_EDB;
  return ids_of(db, st, pa_sq_bind_i64(st, 1, cap), ids, cap, n, "unsent payouts");
}

int pa_store_payouts_due(pa_store *db, int64_t before, int64_t *ids, int cap, int *n) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id FROM market_payouts WHERE state = 'sent'"
                                   " AND checked_at <= ?1 ORDER BY checked_at, id LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, before);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, cap);
  return ids_of(db, st, rc, ids, cap, n, "payouts due");
}

int pa_store_payouts_batch_sent(pa_store *db, int64_t id, const char *paypal_id, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE market_payouts SET state = 'sent', paypal_id = ?2,"
                                   " updated_at = ?3, checked_at = ?3"
                                   " WHERE id = ?1 AND state = 'pending'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, paypal_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  return pa_sq_run(db, st, rc, "payout sent", NULL, NULL);
}

int pa_store_payouts_batch_checked(pa_store *db, int64_t id, int64_t now) {
  int64_t a[2] = {id, now};
  return pa_sq_exec_i64(
      db,
      "UPDATE market_payouts SET checked_at = ?2, updated_at = CASE WHEN NOT EXISTS (SELECT 1"
      " FROM market_payout_items i WHERE i.payout_id = ?1 AND i.state IN ('pending',"
      " 'unclaimed')) THEN ?2 ELSE updated_at END, state = CASE WHEN NOT EXISTS (SELECT 1"
      " FROM market_payout_items i WHERE i.payout_id = ?1 AND i.state IN ('pending',"
      " 'unclaimed')) THEN 'done' ELSE state END WHERE id = ?1 AND state = 'sent'",
      2, a, NULL);
}

#define ITEM_COLS                                                                                  \
  "id, payout_id, seller_id, receiver, amount_minor, currency, state, paypal_item_id, error,"      \
  " created_at, updated_at, payee = 'affiliate'"

static void item_row(pa_sql_stmt *st, pa_store_payout_item *it) {
  it->id = pa_sq_i64(st, 0);
  it->payout_id = pa_sq_i64(st, 1);
  it->seller_id = pa_sq_i64(st, 2);
  copy(it->receiver, sizeof it->receiver, pa_sq_text(st, 3));
  it->amount_minor = pa_sq_i64(st, 4);
  copy(it->currency, sizeof it->currency, pa_sq_text(st, 5));
  it->state = state_of(pa_sq_text(st, 6), item_states, 4);
  copy(it->paypal_item_id, sizeof it->paypal_item_id, pa_sq_text(st, 7));
  copy(it->error, sizeof it->error, pa_sq_text(st, 8));
  it->created_at = pa_sq_i64(st, 9);
  it->updated_at = pa_sq_i64(st, 10);
  it->payee = pa_sq_i64(st, 11) ? PA_PAYEE_AFFILIATE : PA_PAYEE_SELLER;
}

typedef struct item_ctx {
  pa_store_payout_item_fn fn;
  void *ctx;
} item_ctx;

static int each_item(void *ctx, pa_sql_stmt *st) {
  item_ctx *c = ctx;
  pa_store_payout_item it;
  item_row(st, &it);
  return c->fn(c->ctx, &it);
}

int pa_store_payouts_batch_items(pa_store *db, int64_t id, pa_store_payout_item_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ITEM_COLS " FROM market_payout_items"
                                   " WHERE payout_id = ?1 ORDER BY id");
  if (!st) return PA_STORE_EDB;
  item_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), each_item, &c, "payout items");
}

static int first_item(void *ctx, pa_sql_stmt *st) {
  item_row(st, ctx);
  return 1;
}

int pa_store_payouts_item_get(pa_store *db, int64_t id, pa_store_payout_item *out) {
  memset(out, 0, sizeof *out);
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ITEM_COLS " FROM market_payout_items WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), first_item, out, "payout item");
  return rc == PA_STORE_EABORT ? PA_STORE_OK : rc == PA_STORE_OK ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_payouts_item_move(pa_store *db, int64_t id, int from, int to,
                               const char *paypal_item_id, const char *error, int64_t now,
                               int *moved) {
  const char *name = pa_store_payouts_state_name(to), *was = pa_store_payouts_state_name(from);
  *moved = 0;
  if (!name || !was) return PA_STORE_EINVAL;
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE market_payout_items SET state = ?2, paypal_item_id = CASE WHEN ?3 = '' THEN"
          " paypal_item_id ELSE ?3 END, error = CASE WHEN ?4 = '' THEN error ELSE ?4 END,"
          " updated_at = ?5 WHERE id = ?1 AND state = ?6");
  if (!st) return PA_STORE_EDB;
  char err[64], pid[96];
  copy(err, sizeof err, error);
  copy(pid, sizeof pid, paypal_item_id);
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, pid);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, err);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, was);
  rc = pa_sq_run(db, st, rc, "payout item", NULL, moved);
  if (rc != PA_STORE_OK || !*moved || to != PA_PAYOUT_ITEM_RETURNED) return rc;
  /* Back into the balance of whom it paid: a seller's, or an affiliate's. */
  st = pa_sq_stmt(db, "INSERT INTO market_payout_ledger (item_id, seller_id, event, amount_minor,"
                      " currency, at) SELECT id, seller_id, 'returned', -amount_minor, currency,"
                      " ?2 FROM market_payout_items WHERE id = ?1 AND payee = 'seller'"
                      " ON CONFLICT (item_id, event) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, now);
  if ((rc = pa_sq_run(db, st, rc, "payout returned", NULL, NULL)) != PA_STORE_OK) return rc;
  st = pa_sq_stmt(db, "INSERT INTO aff_payout_ledger (item_id, affiliate_id, event, amount_minor,"
                      " currency, at) SELECT id, seller_id, 'returned', -amount_minor, currency,"
                      " ?2 FROM market_payout_items WHERE id = ?1 AND payee = 'affiliate'"
                      " ON CONFLICT (item_id, event) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, now);
  return pa_sq_run(db, st, rc, "payout returned", NULL, NULL);
}

int pa_store_payouts_by_paypal(pa_store *db, const char *paypal_id, int64_t *id) {
  *id = 0;
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id FROM market_payouts WHERE paypal_id = ?1"
                                   " AND paypal_id <> ''");
  if (!st) return PA_STORE_EDB;
  int n = 0;
  int rc = ids_of(db, st, pa_sq_bind_text(st, 1, paypal_id), id, 1, &n, "payout by PayPal id");
  return rc == PA_STORE_OK && n == 0 ? PA_STORE_ENOTFOUND : rc;
}

/* ---- the seller's view */

typedef struct balance_ctx {
  pa_store_payouts_balance_fn fn;
  void *ctx;
} balance_ctx;

static int balance_row(void *ctx, pa_sql_stmt *st) {
  balance_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2), pa_sq_i64(st, 3),
               pa_sq_i64(st, 4));
}

int pa_store_payouts_balance(pa_store *db, int64_t seller, pa_store_payouts_balance_fn fn,
                             void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT currency, CAST(sum(pending) AS BIGINT), CAST(sum(avail) AS BIGINT),"
      " CAST(sum(flight) AS BIGINT), CAST(sum(paid) AS BIGINT) FROM ("
      " SELECT g.currency AS currency,"
      " CASE WHEN o.state <> 'completed' THEN g.amount_minor ELSE 0 END AS pending,"
      " CASE WHEN o.state = 'completed' AND o.provider = 'paypal' THEN g.amount_minor ELSE 0 END"
      " AS avail, 0 AS flight,"
      " CASE WHEN o.state = 'completed' AND o.provider = 'mercadopago' THEN g.amount_minor"
      " ELSE 0 END AS paid"
      " FROM market_ledger g JOIN market_orders o ON o.id = g.order_id"
      " WHERE g.seller_id = ?1 AND g.kind = 'seller_payable'"
      " UNION ALL SELECT currency, 0, -amount_minor, 0, 0 FROM market_payout_ledger"
      " WHERE seller_id = ?1"
      " UNION ALL SELECT currency, 0, 0,"
      " CASE WHEN state IN ('pending', 'unclaimed') THEN amount_minor ELSE 0 END,"
      " CASE WHEN state = 'paid' THEN amount_minor ELSE 0 END FROM market_payout_items"
      " WHERE seller_id = ?1 AND payee = 'seller'"
      ") m GROUP BY currency ORDER BY currency");
  if (!st) return PA_STORE_EDB;
  balance_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, seller), balance_row, &c, "payout balance");
}

typedef struct sales_ctx {
  pa_store_sales_fn fn;
  void *ctx;
} sales_ctx;

static int sales_row(void *ctx, pa_sql_stmt *st) {
  sales_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2), pa_sq_i64(st, 3),
               pa_sq_i64(st, 4), pa_sq_i64(st, 5));
}

#define SALES_SQL(month)                                                                           \
  "SELECT " month ", currency, CAST(count(*) AS BIGINT), CAST(sum(total_minor) AS BIGINT),"        \
  " CAST(sum(fee_minor) AS BIGINT), CAST(sum(total_minor - fee_minor) AS BIGINT)"                  \
  " FROM market_orders WHERE seller_id = ?1 AND paid_at IS NOT NULL AND paid_at >= ?2"             \
  " AND state <> 'cancelled' GROUP BY 1, 2 ORDER BY 1, 2"

int pa_store_payouts_sales(pa_store *db, int64_t seller, int64_t since, pa_store_sales_fn fn,
                           void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, pa_sq_dialect(db, SALES_SQL("strftime('%Y-%m', paid_at, 'unixepoch')"),
                        SALES_SQL("to_char(to_timestamp(paid_at) AT TIME ZONE 'UTC', 'YYYY-MM')")));
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, since);
  sales_ctx c = {fn, ctx};
  return pa_sq_each(db, st, rc, sales_row, &c, "sales");
}

typedef struct count_ctx {
  pa_store_state_count_fn fn;
  void *ctx;
} count_ctx;

static int count_row(void *ctx, pa_sql_stmt *st) {
  count_ctx *c = ctx;
  return c->fn(c->ctx, pa_sq_text(st, 0), pa_sq_i64(st, 1));
}

int pa_store_payouts_order_states(pa_store *db, int64_t seller, pa_store_state_count_fn fn,
                                  void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT state, CAST(count(*) AS BIGINT) FROM market_orders"
                                   " WHERE seller_id = ?1 GROUP BY state ORDER BY state");
  if (!st) return PA_STORE_EDB;
  count_ctx c = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, seller), count_row, &c, "order states");
}

int pa_store_payouts_list(pa_store *db, int payee, int64_t seller, const pa_store_cursor *after,
                          int limit, pa_store_payout_item_fn fn, void *ctx, pa_store_cursor *next,
                          int *more) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ITEM_COLS " FROM market_payout_items"
                                   " WHERE seller_id = ?1 AND (created_at, id) < (?2, ?3)"
                                   " AND payee = ?5 ORDER BY created_at DESC, id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK)
    rc = pa_sq_bind_text(st, 5, payee == PA_PAYEE_AFFILIATE ? "affiliate" : "seller");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "payouts");
  }
  item_ctx c = {fn, ctx};
  return pa_sq_page(db, st, limit, each_item, &c, 9, 0, next, more, "payouts");
}
