/* pa_store_seed: rows written as given, for the demo and
 * benchmark worlds. */
#include "store/seed.h"

#include "store/sql/sql.h"

int pa_store_seed_advertiser(pa_store *db, const char *name, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO advertisers (name) VALUES (?1) RETURNING id");
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_text(st, 1, name), "add advertiser", id, NULL);
}

int pa_store_seed_campaign(pa_store *db, int64_t advertiser_id, const char *name, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO campaigns (advertiser_id, name) VALUES (?1, ?2) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, advertiser_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  return pa_sq_run(db, st, rc, "add campaign", id, NULL);
}

int pa_store_seed_login(pa_store *db, int64_t user_id, const char *email, const char *pw_hash) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE users SET email = ?2, pw_hash = ?3 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, email);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, pw_hash);
  return pa_sq_run(db, st, rc, "set login", NULL, NULL);
}

/* Runs a three-integer insert; *added says whether it wrote a row. */
static int insert3(pa_store *db, const char *sql, int64_t a, int64_t b, int64_t c, int *added) {
  int64_t args[3] = {a, b, c};
  int n = 0, rc = pa_sq_exec_i64(db, sql, 3, args, &n);
  if (added) *added = n > 0;
  return rc;
}

int pa_store_seed_like(pa_store *db, int64_t post_id, int64_t user_id, int64_t created_at,
                       int *added) {
  return insert3(db,
                 "INSERT INTO likes (post_id, user_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 post_id, user_id, created_at, added);
}

int pa_store_seed_follow(pa_store *db, int64_t follower_id, int64_t followee_id, int64_t created_at,
                         int *added) {
  return insert3(db,
                 "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 follower_id, followee_id, created_at, added);
}

int pa_store_seed_pet_follow(pa_store *db, int64_t follower_id, int64_t pet_id, int64_t created_at,
                             int *added) {
  return insert3(db,
                 "INSERT INTO pet_follows (follower_id, pet_id, created_at) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT DO NOTHING",
                 follower_id, pet_id, created_at, added);
}

int pa_store_seed_last_user(pa_store *db, int64_t *id) {
  return pa_sq_scalar_i64(db, "SELECT coalesce(max(id), 0) FROM users", 0, NULL, id);
}

/* The seed's campaigns: a bid of 5.00 per thousand, budgets no demo session
 * reaches, and a top-up that covers them (thousandths: 10^9 minor units). */
enum { SEED_BID = 500, SEED_DAILY = 10000000, SEED_TOTAL = 100000000, SEED_TOPUP = 1000000000 };

int pa_store_seed_ads(pa_store *db, int64_t now) {
  int64_t a[4] = {SEED_BID, SEED_DAILY, SEED_TOTAL, now};
  int rc = pa_sq_exec_i64(db,
                          "UPDATE campaigns SET state = 'active', bid_cpm_minor = ?1,"
                          " daily_budget_minor = ?2, total_budget_minor = ?3, starts_at = 0,"
                          " created_at = ?4, updated_at = ?4 WHERE state = 'draft'",
                          4, a, NULL);
  int64_t b[1] = {now};
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db,
                        "INSERT INTO ad_creatives (campaign_id, post_id, link, review, reviewed_at,"
                        " created_at) SELECT p.campaign_id, p.id, '', 'approved', ?1, p.created_at"
                        " FROM posts p WHERE p.campaign_id IS NOT NULL"
                        " AND NOT EXISTS (SELECT 1 FROM ad_creatives x WHERE x.post_id = p.id)",
                        1, b, NULL);
  int64_t c[2] = {SEED_TOPUP, now};
  /* The idempotency key only has to be unique and 16..64 characters. */
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(
        db,
        pa_sq_dialect(db,
                      "INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor,"
                      " currency, state, created_at, updated_at) SELECT a.id, 'paypal',"
                      " 'seed-topup-' || a.id || '-000000', ?1, a.currency, 'paid', ?2, ?2"
                      " FROM advertisers a WHERE NOT EXISTS"
                      " (SELECT 1 FROM ad_topups t WHERE t.advertiser_id = a.id)",
                      "INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor,"
                      " currency, state, created_at, updated_at) SELECT a.id, 'paypal',"
                      " 'seed-topup-' || a.id::text || '-000000', ?1, a.currency, 'paid', ?2, ?2"
                      " FROM advertisers a WHERE NOT EXISTS"
                      " (SELECT 1 FROM ad_topups t WHERE t.advertiser_id = a.id)"),
        2, c, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_exec_i64(db,
                        "INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency,"
                        " topup_id, at) SELECT t.advertiser_id, 'topup', t.amount_minor * 1000,"
                        " t.currency, t.id, t.created_at FROM ad_topups t WHERE t.state = 'paid'"
                        " AND NOT EXISTS (SELECT 1 FROM ad_ledger l WHERE l.topup_id = t.id)",
                        0, NULL, NULL);
  return rc;
}
