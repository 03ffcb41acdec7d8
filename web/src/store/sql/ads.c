/* pa_store_ads: advertisers, top-ups, the ad ledger, campaigns and
 * creatives (store/ads.h). */
#include "store/ads.h"

#include "store/sql/sql.h"

#include <stdio.h>
#include <string.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

/* ---- advertisers */

#define ADVERTISER_COLS                                                                            \
  "SELECT id, COALESCE(user_id, 0), created_at, name, currency FROM advertisers"

static int advertiser_one(pa_store *db, const char *sql, int64_t key, pa_store_advertiser *a) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, key);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    memset(a, 0, sizeof *a);
    a->id = pa_sq_i64(st, 0);
    a->user_id = pa_sq_i64(st, 1);
    a->created_at = pa_sq_i64(st, 2);
    copy(a->name, sizeof a->name, pa_sq_text(st, 3));
    copy(a->currency, sizeof a->currency, pa_sq_text(st, 4));
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "advertiser");
}

int pa_store_ads_advertiser_of(pa_store *db, int64_t user, pa_store_advertiser *a) {
  return advertiser_one(db, ADVERTISER_COLS " WHERE user_id = ?1", user, a);
}

int pa_store_ads_advertiser_get(pa_store *db, int64_t id, pa_store_advertiser *a) {
  return advertiser_one(db, ADVERTISER_COLS " WHERE id = ?1", id, a);
}

int pa_store_ads_advertiser_put(pa_store *db, int64_t user, const char *name, const char *currency,
                                int64_t now, int64_t *id) {
  /* One account per person: the partial unique index on user_id. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO advertisers (user_id, name, currency, created_at) VALUES (?1, ?2, ?3, ?4)"
          " ON CONFLICT (user_id) WHERE user_id IS NOT NULL"
          " DO UPDATE SET name = excluded.name, currency = excluded.currency RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "put advertiser", id, NULL);
}

int pa_store_ads_balance(pa_store *db, int64_t advertiser, int64_t *balance, int64_t *spent) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT COALESCE(sum(amount_milli), 0),"
                     " COALESCE(sum(CASE WHEN kind = 'spend' THEN -amount_milli ELSE 0 END), 0)"
                     " FROM ad_ledger WHERE advertiser_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, advertiser);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    *balance = pa_sq_i64(st, 0);
    *spent = pa_sq_i64(st, 1);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW ? PA_STORE_OK : pa_sq_fail(db, "ad balance");
}

int pa_store_ads_topup_counts(pa_store *db, int64_t advertiser, int64_t *paid, int64_t *pending) {
  int rc = pa_sq_scalar_i64(
      db, "SELECT count(*) FROM ad_topups WHERE advertiser_id = ?1 AND state = 'paid'", 1,
      &advertiser, paid);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(
        db, "SELECT count(*) FROM ad_topups WHERE advertiser_id = ?1 AND state = 'pending'", 1,
        &advertiser, pending);
  return rc;
}

/* ---- top-ups */

#define TOPUP_COLS                                                                                 \
  "SELECT id, advertiser_id, amount_minor, fee_minor, created_at, updated_at, provider,"           \
  " provider_ref, capture_ref, approve_url, idem_key, currency, state FROM ad_topups"

static void topup_read(pa_sql_stmt *st, pa_store_topup *t) {
  memset(t, 0, sizeof *t);
  t->id = pa_sq_i64(st, 0);
  t->advertiser_id = pa_sq_i64(st, 1);
  t->amount_minor = pa_sq_i64(st, 2);
  t->fee_minor = pa_sq_i64(st, 3);
  t->created_at = pa_sq_i64(st, 4);
  t->updated_at = pa_sq_i64(st, 5);
  copy(t->provider, sizeof t->provider, pa_sq_text(st, 6));
  copy(t->provider_ref, sizeof t->provider_ref, pa_sq_text(st, 7));
  copy(t->capture_ref, sizeof t->capture_ref, pa_sq_text(st, 8));
  copy(t->approve_url, sizeof t->approve_url, pa_sq_text(st, 9));
  copy(t->idem_key, sizeof t->idem_key, pa_sq_text(st, 10));
  copy(t->currency, sizeof t->currency, pa_sq_text(st, 11));
  copy(t->state, sizeof t->state, pa_sq_text(st, 12));
}

int pa_store_ads_topup_add(pa_store *db, const pa_store_topup *t, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency,"
          " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, t->advertiser_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, t->provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, t->idem_key);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, t->amount_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, t->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, t->created_at);
  return pa_sq_run(db, st, rc, "add top-up", id, NULL);
}

int pa_store_ads_topup_set_order(pa_store *db, int64_t id, const char *ref, const char *url,
                                 int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE ad_topups SET provider_ref = ?2, approve_url = ?3,"
                                   " updated_at = ?4 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, ref);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, url);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "top-up order", NULL, NULL);
}

int pa_store_ads_topup_get(pa_store *db, int64_t id, pa_store_topup *t) {
  pa_sql_stmt *st = pa_sq_stmt(db, TOPUP_COLS " WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) topup_read(st, t);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "top-up");
}

typedef struct topup_walk {
  pa_store_topup_fn fn;
  void *ctx;
} topup_walk;

static int topup_row(void *ctx, pa_sql_stmt *st) {
  const topup_walk *w = ctx;
  pa_store_topup t;
  topup_read(st, &t);
  return w->fn(w->ctx, &t);
}

int pa_store_ads_topups(pa_store *db, int64_t advertiser, int limit, pa_store_topup_fn fn,
                        void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, TOPUP_COLS " WHERE advertiser_id = ?1"
                                              " ORDER BY created_at DESC, id DESC LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {advertiser, limit};
  topup_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), topup_row, &w, "top-ups");
}

int pa_store_ads_topups_pending(pa_store *db, int64_t before, int limit, pa_store_topup_fn fn,
                                void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, TOPUP_COLS " WHERE state = 'pending' AND provider_ref <> ''"
                                " AND updated_at < ?1 ORDER BY updated_at, id LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {before, limit};
  topup_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), topup_row, &w, "pending top-ups");
}

int pa_store_ads_topup_paid(pa_store *db, int64_t id, const char *capture, int64_t fee, int64_t now,
                            int *applied) {
  *applied = 0;
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE ad_topups SET state = 'paid', capture_ref = ?2,"
                                   " fee_minor = ?3, updated_at = ?4"
                                   " WHERE id = ?1 AND state = 'pending'");
  if (!st) return PA_STORE_EDB;
  int moved = 0;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, capture);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, fee);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  if ((rc = pa_sq_run(db, st, rc, "top-up paid", NULL, &moved)) != PA_STORE_OK || !moved) return rc;
  /* The credit, once per top-up (topup_id UNIQUE), in thousandths. */
  int64_t a[2] = {id, now};
  rc =
      pa_sq_exec_i64(db,
                     "INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id,"
                     " at) SELECT advertiser_id, 'topup', amount_minor * 1000, currency, id, ?2"
                     " FROM ad_topups WHERE id = ?1 ON CONFLICT (topup_id) DO NOTHING",
                     2, a, applied);
  return rc;
}

int pa_store_ads_topup_by_capture(pa_store *db, const char *provider, const char *capture,
                                  pa_store_topup *t) {
  if (!capture[0]) return PA_STORE_ENOTFOUND; /* "" is every unpaid top-up's */
  pa_sql_stmt *st = pa_sq_stmt(db, TOPUP_COLS " WHERE provider = ?1 AND capture_ref = ?2"
                                              " AND state = 'paid' ORDER BY id LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, provider);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, capture);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) topup_read(st, t);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "top-up by capture");
}

int pa_store_ads_topup_refunded(pa_store *db, int64_t id, int64_t amount_minor, int64_t now,
                                int *applied) {
  /* The debit in thousandths, computed here: the statement's parameters
   * stay plain integers on both engines. */
  int64_t a[3] = {id, -amount_minor * PA_ADS_MILLI, now};
  *applied = 0;
  return pa_sq_exec_i64(db,
                        "INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency,"
                        " refund_of, at) SELECT advertiser_id, 'refund', ?2, currency, id, ?3"
                        " FROM ad_topups WHERE id = ?1 AND state = 'paid'"
                        " ON CONFLICT (refund_of) DO NOTHING",
                        3, a, applied);
}

int pa_store_ads_topup_failed(pa_store *db, int64_t id, int64_t now) {
  int64_t a[2] = {id, now};
  return pa_sq_exec_i64(db,
                        "UPDATE ad_topups SET state = 'failed', updated_at = ?2"
                        " WHERE id = ?1 AND state = 'pending'",
                        2, a, NULL);
}

/* ---- campaigns */

static const char *const target_kinds[] = {"species", "tag", "language", "country"};

/* Each list of t as rows of ad_targets of campaign. */
static int targets_write(pa_store *db, int64_t campaign, const pa_ads_targeting *t) {
  int rc = pa_sq_exec_i64(db, "DELETE FROM ad_targets WHERE campaign_id = ?1", 1, &campaign, NULL);
  const struct {
    const char *base;
    size_t width;
    int n;
  } lists[] = {{&t->species[0][0], sizeof t->species[0], t->nspecies},
               {&t->tags[0][0], sizeof t->tags[0], t->ntags},
               {&t->languages[0][0], sizeof t->languages[0], t->nlanguages},
               {&t->countries[0][0], sizeof t->countries[0], t->ncountries}};
  for (int k = 0; rc == PA_STORE_OK && k < 4; k++)
    for (int i = 0; rc == PA_STORE_OK && i < lists[k].n; i++) {
      pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO ad_targets (campaign_id, kind, value)"
                                       " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
      if (!st) return PA_STORE_EDB;
      int b = pa_sq_bind_i64(st, 1, campaign);
      if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, target_kinds[k]);
      if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, lists[k].base + (size_t)i * lists[k].width);
      rc = pa_sq_run(db, st, b, "add target", NULL, NULL);
    }
  return rc;
}

static int target_row(void *ctx, pa_sql_stmt *st) {
  pa_ads_targeting *t = ctx;
  const char *kind = pa_sq_text(st, 0), *value = pa_sq_text(st, 1);
  if (!kind || !value) return 0;
  if (!strcmp(kind, "species") && t->nspecies < PA_ADS_TARGET_SPECIES_MAX)
    copy(t->species[t->nspecies++], sizeof t->species[0], value);
  else if (!strcmp(kind, "tag") && t->ntags < PA_ADS_TARGET_TAGS_MAX)
    copy(t->tags[t->ntags++], sizeof t->tags[0], value);
  else if (!strcmp(kind, "language") && t->nlanguages < PA_ADS_TARGET_LANGUAGES_MAX)
    copy(t->languages[t->nlanguages++], sizeof t->languages[0], value);
  else if (!strcmp(kind, "country") && t->ncountries < PA_ADS_TARGET_COUNTRIES_MAX)
    copy(t->countries[t->ncountries++], sizeof t->countries[0], value);
  return 0;
}

static int targets_read(pa_store *db, int64_t campaign, pa_ads_targeting *t) {
  memset(t, 0, sizeof *t);
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT kind, value FROM ad_targets WHERE campaign_id = ?1"
                                   " ORDER BY kind, value");
  if (!st) return PA_STORE_EDB;
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, campaign), target_row, t, "targets");
}

/* Binds a campaign's editable fields to ?2..?10 (?1 the row's key). */
static int bind_campaign(pa_sql_stmt *st, const pa_ads_campaign *c, int64_t now) {
  int rc = pa_sq_bind_text(st, 2, c->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, pa_ads_objective_name(c->objective));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, pa_ads_state_name(c->state));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, c->bid_cpm_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, c->daily_budget_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, c->total_budget_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, c->starts_at);
  if (rc == PA_SQ_OK) rc = c->ends_at ? pa_sq_bind_i64(st, 9, c->ends_at) : pa_sq_bind_null(st, 9);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, now);
  return rc;
}

int pa_store_ads_campaign_add(pa_store *db, int64_t advertiser, const pa_ads_campaign *c,
                              int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO campaigns (advertiser_id, name, objective, state, bid_cpm_minor,"
          " daily_budget_minor, total_budget_minor, starts_at, ends_at, created_at, updated_at,"
          " currency) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, advertiser);
  if (rc == PA_SQ_OK) rc = bind_campaign(st, c, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 11, c->currency);
  rc = pa_sq_run(db, st, rc, "add campaign", id, NULL);
  return rc == PA_STORE_OK ? targets_write(db, *id, &c->targeting) : rc;
}

int pa_store_ads_campaign_update(pa_store *db, int64_t id, const pa_ads_campaign *c, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE campaigns SET name = ?2, objective = ?3, state = ?4, bid_cpm_minor = ?5,"
          " daily_budget_minor = ?6, total_budget_minor = ?7, starts_at = ?8, ends_at = ?9,"
          " updated_at = ?10 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = bind_campaign(st, c, now);
  rc = pa_sq_run(db, st, rc, "update campaign", NULL, NULL);
  return rc == PA_STORE_OK && c->targeting_sent ? targets_write(db, id, &c->targeting) : rc;
}

#define CAMPAIGN_COLS                                                                              \
  "SELECT c.id, c.advertiser_id, c.created_at, c.updated_at, c.name, c.objective, c.state,"        \
  " c.bid_cpm_minor, c.daily_budget_minor, c.total_budget_minor, c.currency, c.starts_at,"         \
  " COALESCE(c.ends_at, 0),"                                                                       \
  " (SELECT COALESCE(-sum(l.amount_milli), 0) FROM ad_ledger l"                                    \
  "   WHERE l.campaign_id = c.id AND l.kind = 'spend')"                                            \
  " FROM campaigns c"

static void campaign_read(pa_sql_stmt *st, pa_store_campaign *o) {
  memset(o, 0, sizeof *o);
  o->id = pa_sq_i64(st, 0);
  o->advertiser_id = pa_sq_i64(st, 1);
  o->created_at = pa_sq_i64(st, 2);
  o->updated_at = pa_sq_i64(st, 3);
  copy(o->c.name, sizeof o->c.name, pa_sq_text(st, 4));
  o->c.objective = pa_ads_objective_find(pa_sq_text(st, 5));
  o->c.state = pa_ads_state_find(pa_sq_text(st, 6));
  o->c.bid_cpm_minor = pa_sq_i64(st, 7);
  o->c.daily_budget_minor = pa_sq_i64(st, 8);
  o->c.total_budget_minor = pa_sq_i64(st, 9);
  copy(o->c.currency, sizeof o->c.currency, pa_sq_text(st, 10));
  o->c.starts_at = pa_sq_i64(st, 11);
  o->c.ends_at = pa_sq_i64(st, 12);
  o->spent_milli = pa_sq_i64(st, 13);
}

int pa_store_ads_campaign_get(pa_store *db, int64_t id, pa_store_campaign *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, CAMPAIGN_COLS " WHERE c.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) campaign_read(st, out);
  pa_sq_done(st);
  if (rc == PA_SQ_DONE) return PA_STORE_ENOTFOUND;
  if (rc != PA_SQ_ROW) return pa_sq_fail(db, "campaign");
  return targets_read(db, id, &out->c.targeting);
}

typedef struct campaign_walk {
  pa_store *db;
  pa_store_campaign_fn fn;
  void *ctx;
  int64_t ids[PA_ADS_CAMPAIGNS_MAX];
  int n;
} campaign_walk;

static int campaign_id_row(void *ctx, pa_sql_stmt *st) {
  campaign_walk *w = ctx;
  if (w->n < PA_ADS_CAMPAIGNS_MAX) w->ids[w->n++] = pa_sq_i64(st, 0);
  return 0;
}

int pa_store_ads_campaigns(pa_store *db, int64_t advertiser, pa_store_campaign_fn fn, void *ctx) {
  /* Ids first, then each whole (its targeting is a query of its own). */
  static campaign_walk zero;
  campaign_walk w = zero;
  w.db = db;
  w.fn = fn;
  w.ctx = ctx;
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id FROM campaigns WHERE advertiser_id = ?1"
                                   " ORDER BY created_at DESC, id DESC LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {advertiser, PA_ADS_CAMPAIGNS_MAX};
  int rc = pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), campaign_id_row, &w, "campaigns");
  for (int i = 0; rc == PA_STORE_OK && i < w.n; i++) {
    pa_store_campaign c;
    rc = pa_store_ads_campaign_get(db, w.ids[i], &c);
    if (rc == PA_STORE_OK && fn(ctx, &c) != 0)
      rc = pa_sq_failf(db, PA_STORE_EABORT, "campaigns: stopped by callback");
  }
  return rc;
}

int pa_store_ads_campaign_count(pa_store *db, int64_t advertiser, int64_t *n) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM campaigns WHERE advertiser_id = ?1", 1,
                          &advertiser, n);
}

int pa_store_ads_campaigns_end(pa_store *db, int64_t advertiser, int64_t now) {
  int64_t a[2] = {advertiser, now};
  return pa_sq_exec_i64(db,
                        "UPDATE campaigns SET state = 'ended', updated_at = ?2"
                        " WHERE advertiser_id = ?1 AND state <> 'ended'",
                        2, a, NULL);
}

/* ---- creatives */

int pa_store_ads_creative_add(pa_store *db, int64_t campaign, int64_t post, int64_t reel,
                              const char *link, int64_t now, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO ad_creatives (campaign_id, post_id, link,"
                     " created_at, reel_id) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, campaign);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 2, post);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, link);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 5, reel);
  return pa_sq_run(db, st, rc, "add creative", id, NULL);
}

#define CREATIVE_COLS                                                                              \
  "SELECT k.id, k.campaign_id, COALESCE(k.post_id, 0), c.advertiser_id, COALESCE(a.user_id, 0),"   \
  " COALESCE(k.reviewed_by, 0), COALESCE(k.reviewed_at, 0), k.created_at, k.link, k.review,"       \
  " k.review_note, COALESCE(p.caption, r.caption), COALESCE(k.reel_id, 0)"                         \
  " FROM ad_creatives k JOIN campaigns c ON c.id = k.campaign_id"                                  \
  " JOIN advertisers a ON a.id = c.advertiser_id LEFT JOIN posts p ON p.id = k.post_id"            \
  " LEFT JOIN reels r ON r.id = k.reel_id"

static void creative_read(pa_sql_stmt *st, pa_store_creative *k) {
  memset(k, 0, sizeof *k);
  k->id = pa_sq_i64(st, 0);
  k->campaign_id = pa_sq_i64(st, 1);
  k->post_id = pa_sq_i64(st, 2);
  k->advertiser_id = pa_sq_i64(st, 3);
  k->user_id = pa_sq_i64(st, 4);
  k->reviewed_by = pa_sq_i64(st, 5);
  k->reviewed_at = pa_sq_i64(st, 6);
  k->created_at = pa_sq_i64(st, 7);
  copy(k->link, sizeof k->link, pa_sq_text(st, 8));
  copy(k->review, sizeof k->review, pa_sq_text(st, 9));
  copy(k->note, sizeof k->note, pa_sq_text(st, 10));
  k->reel_id = pa_sq_i64(st, 12);
}

int pa_store_ads_creative_get(pa_store *db, int64_t id, pa_store_creative *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, CREATIVE_COLS " WHERE k.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) creative_read(st, out);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "creative");
}

typedef struct creative_walk {
  pa_store_creative_fn fn;
  void *ctx;
} creative_walk;

static int creative_row(void *ctx, pa_sql_stmt *st) {
  const creative_walk *w = ctx;
  pa_store_creative k;
  creative_read(st, &k);
  k.caption = pa_sq_text(st, 11);
  return w->fn(w->ctx, &k);
}

int pa_store_ads_creatives(pa_store *db, int64_t campaign, pa_store_creative_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, CREATIVE_COLS " WHERE k.campaign_id = ?1 ORDER BY k.id");
  if (!st) return PA_STORE_EDB;
  creative_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, campaign), creative_row, &w, "creatives");
}

int pa_store_ads_creative_counts(pa_store *db, int64_t campaign, int64_t *all, int64_t *approved) {
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM ad_creatives WHERE campaign_id = ?1", 1,
                            &campaign, all);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(
        db, "SELECT count(*) FROM ad_creatives WHERE campaign_id = ?1 AND review = 'approved'", 1,
        &campaign, approved);
  return rc;
}

int pa_store_ads_creative_review(pa_store *db, int64_t id, int approve, const char *note,
                                 int64_t by, int64_t now, int *changed) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE ad_creatives SET review = ?2, review_note = ?3,"
                                   " reviewed_by = ?4, reviewed_at = ?5"
                                   " WHERE id = ?1 AND review <> 'rejected'");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, approve ? "approved" : "rejected");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, note ? note : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 4, by);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, rc, "review creative", NULL, changed);
}
