/* pa_store_ads_serve: serving's rows (store/ads_serve.h). */
#include "store/ads_serve.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <stdio.h>
#include <string.h>

typedef struct sink {
  union {
    pa_store_ad_offer_fn offer;
    pa_store_ad_target_fn target;
    pa_store_ad_report_fn report;
  } fn;
  void *ctx;
} sink;

/* A campaign's spend since ?D (today's), all of it, its advertiser's balance
 * (every ledger row: top-ups in, spend and refunds out), and how many of
 * viewer ?V's serves of it were impressed since ?S; c the campaign's alias. */
#define FIGURES(c, D, V, S)                                                                        \
  "COALESCE((SELECT -SUM(l.amount_milli) FROM ad_ledger l WHERE l.campaign_id = " c ".id"          \
  "  AND l.kind = 'spend' AND l.at >= " D "), 0),"                                                 \
  " COALESCE((SELECT -SUM(l.amount_milli) FROM ad_ledger l WHERE l.campaign_id = " c ".id"         \
  "  AND l.kind = 'spend'), 0),"                                                                   \
  " COALESCE((SELECT SUM(l.amount_milli) FROM ad_ledger l"                                         \
  "  WHERE l.advertiser_id = " c ".advertiser_id), 0),"                                            \
  " (SELECT count(*) FROM ad_serves sv WHERE sv.viewer_id = " V " AND sv.campaign_id = " c ".id"   \
  "  AND sv.impressed_at >= " S ")"

/* The offers of creatives on the item aliased i (p a post, r a reel: the
 * same rules for both kinds, schema 34) of the table joined by join.
 * ?1 viewer, ?2 now, ?3 today's start, ?4 the frequency window's start, ?5
 * the limit. */
#define OFFERS_SQL(i, join)                                                                        \
  "SELECT cr.id, COALESCE(cr.post_id, 0), " i ".created_at, c.id, c.advertiser_id, cr.link,"       \
  " c.currency, c.bid_cpm_minor, c.daily_budget_minor, c.total_budget_minor, " FIGURES(            \
      "c", "?3", "?1",                                                                             \
      "?4") ", COALESCE(cr.reel_id, 0)"                                                            \
            "  FROM ad_creatives cr JOIN campaigns c ON c.id = cr.campaign_id"                     \
            "  JOIN advertisers a ON a.id = c.advertiser_id " join " JOIN users u ON u.id = " i    \
            ".author_id"                                                                           \
            " WHERE cr.review = 'approved' AND c.state = 'active'"                                 \
            "   AND c.starts_at <= ?2 AND (c.ends_at IS NULL OR c.ends_at > ?2)"                   \
            "   AND " i ".campaign_id = c.id AND " i                                               \
            ".mod_state = 0" /* Nobody is charged for looking at their own ads. */                 \
            "   AND " i ".author_id <> ?1 AND (a.user_id IS NULL OR a.user_id <> "                 \
            "?1) AND " PA_SQ_POSTS_VISIBLE("u", "?1") " AND " PA_SQ_NOT_MUTED(                     \
                "?1", i ".author_id") " ORDER BY c.bid_cpm_minor DESC, " i                         \
                                      ".created_at DESC, cr.id DESC LIMIT ?5"

static const char offers_sql[] = OFFERS_SQL("p", "JOIN posts p ON p.id = cr.post_id");
static const char reel_offers_sql[] = OFFERS_SQL("r", "JOIN reels r ON r.id = cr.reel_id");

static int offer_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  pa_store_ad_offer o = {
      .creative_id = pa_sq_i64(st, 0),
      .post_id = pa_sq_i64(st, 1),
      .post_created_at = pa_sq_i64(st, 2),
      .campaign_id = pa_sq_i64(st, 3),
      .advertiser_id = pa_sq_i64(st, 4),
      .link = pa_sq_text(st, 5),
      .currency = pa_sq_text(st, 6),
      .bid_cpm_minor = pa_sq_i64(st, 7),
      .daily_budget_minor = pa_sq_i64(st, 8),
      .total_budget_minor = pa_sq_i64(st, 9),
      .spent_today_th = pa_sq_i64(st, 10),
      .spent_total_th = pa_sq_i64(st, 11),
      .balance_th = pa_sq_i64(st, 12),
      .seen = pa_sq_i64(st, 13),
      .reel_id = pa_sq_i64(st, 14),
  };
  return s->fn.offer(s->ctx, &o);
}

int pa_store_ads_serve_offers(pa_store *db, int reels, int64_t viewer, int64_t now,
                              int64_t day_start, int64_t seen_since, int max,
                              pa_store_ad_offer_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, reels ? reel_offers_sql : offers_sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[5] = {viewer, now, day_start, seen_since, max};
  sink s = {.fn.offer = fn, .ctx = ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 5, args), offer_row, &s, "ad offers");
}

int pa_store_ads_serve_viewer(pa_store *db, int64_t viewer, char locale[17], char country[3]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT locale, COALESCE(country, '') FROM users WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  locale[0] = country[0] = '\0';
  int rc = pa_sq_bind_i64(st, 1, viewer);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "ad viewer");
  }
  rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    snprintf(locale, 17, "%s", pa_sq_text(st, 0) ? pa_sq_text(st, 0) : "");
    snprintf(country, 3, "%s", pa_sq_text(st, 1) ? pa_sq_text(st, 1) : "");
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "ad viewer");
}

/* ?1 campaign, ?2 viewer. A tag matches when the viewer liked a post with it
 * (nobody follows tags here): what they engaged with, nothing inferred. */
static const char targets_sql[] =
    "SELECT t.kind, t.value, CASE t.kind"
    "  WHEN 'species' THEN EXISTS (SELECT 1 FROM pets x WHERE x.owner_id = ?2"
    "    AND x.species = t.value)"
    "  WHEN 'tag' THEN EXISTS (SELECT 1 FROM likes l JOIN post_tags g ON g.post_id = l.post_id"
    "    WHERE l.user_id = ?2 AND g.tag = t.value)"
    "  ELSE false END"
    "  FROM ad_targets t WHERE t.campaign_id = ?1 ORDER BY t.kind, t.value";

static int target_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  pa_store_ad_target t = {pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_i64(st, 2) != 0};
  return s->fn.target(s->ctx, &t);
}

int pa_store_ads_serve_targets(pa_store *db, int64_t campaign, int64_t viewer,
                               pa_store_ad_target_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, targets_sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[2] = {campaign, viewer};
  sink s = {.fn.target = fn, .ctx = ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, args), target_row, &s, "ad targets");
}

int pa_store_ads_serve_record(pa_store *db, int64_t campaign, int64_t creative, int64_t viewer,
                              int64_t now, int64_t expires_at, const char *day, const char *matched,
                              int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO ad_serves (campaign_id, creative_id, viewer_id, issued_at, expires_at, day,"
          " matched) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int64_t args[5] = {campaign, creative, viewer, now, expires_at};
  int rc = pa_sq_bind_i64s(st, 5, args);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, day);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, matched);
  return pa_sq_run(db, st, rc, "record serve", id, NULL);
}

/* ?1 serve, ?2 today's start, ?3 the frequency window's start. */
static const char lock_sql[] =
    "SELECT c.id, c.advertiser_id, s.viewer_id, s.expires_at, s.impressed_at IS NOT NULL,"
    " s.clicked_at IS NOT NULL, c.bid_cpm_minor, c.daily_budget_minor, c.total_budget_minor,"
    " " FIGURES("c", "?2", "s.viewer_id",
                "?3") ", c.currency"
                      "  FROM ad_serves s JOIN campaigns c ON c.id = s.campaign_id WHERE s.id = ?1";

static int lock_row(void *ctx, pa_sql_stmt *st) {
  pa_store_ad_serve_state *o = ctx;
  *o = (pa_store_ad_serve_state){
      .campaign_id = pa_sq_i64(st, 0),
      .advertiser_id = pa_sq_i64(st, 1),
      .viewer_id = pa_sq_i64(st, 2),
      .expires_at = pa_sq_i64(st, 3),
      .impressed = pa_sq_i64(st, 4) != 0,
      .clicked = pa_sq_i64(st, 5) != 0,
      .bid_cpm_minor = pa_sq_i64(st, 6),
      .daily_budget_minor = pa_sq_i64(st, 7),
      .total_budget_minor = pa_sq_i64(st, 8),
      .spent_today_th = pa_sq_i64(st, 9),
      .spent_total_th = pa_sq_i64(st, 10),
      .balance_th = pa_sq_i64(st, 11),
      .seen = pa_sq_i64(st, 12),
  };
  snprintf(o->currency, sizeof o->currency, "%s", pa_sq_text(st, 13) ? pa_sq_text(st, 13) : "");
  return 0;
}

int pa_store_ads_serve_lock(pa_store *db, int64_t serve, int64_t now, int64_t day_start,
                            int64_t seen_since, pa_store_ad_serve_state *out) {
  (void)now;
  int64_t adv = 0;
  /* The advertiser first: every spend of theirs waits here for the one
   * before it, so the figures read next are the last committed. */
  int rc = pa_sq_scalar_i64(
      db,
      pa_sq_dialect(db,
                    "SELECT a.id FROM advertisers a JOIN campaigns c ON c.advertiser_id = a.id"
                    " JOIN ad_serves s ON s.campaign_id = c.id WHERE s.id = ?1",
                    "SELECT a.id FROM advertisers a WHERE a.id = (SELECT c.advertiser_id"
                    " FROM ad_serves s JOIN campaigns c ON c.id = s.campaign_id WHERE s.id = ?1)"
                    " FOR UPDATE"),
      1, &serve, &adv);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, lock_sql);
  if (!st) return PA_STORE_EDB;
  int64_t args[3] = {serve, day_start, seen_since};
  out->campaign_id = 0;
  rc = pa_sq_each(db, st, pa_sq_bind_i64s(st, 3, args), lock_row, out, "ad serve");
  if (rc == PA_STORE_OK && out->campaign_id == 0) return PA_STORE_ENOTFOUND;
  return rc;
}

int pa_store_ads_serve_impress(pa_store *db, int64_t serve, int64_t now,
                               const pa_store_ad_serve_state *s, int *counted) {
  int n = 0;
  int64_t args[2] = {serve, now};
  *counted = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE ad_serves SET impressed_at = ?2 WHERE id = ?1"
                          " AND impressed_at IS NULL AND expires_at > ?2",
                          2, args, &n);
  if (rc != PA_STORE_OK || n == 0) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO ad_ledger (advertiser_id, kind, amount_milli,"
                                   " currency, serve_id, campaign_id, at)"
                                   " VALUES (?1, 'spend', ?2, ?3, ?4, ?5, ?6)");
  if (!st) return PA_STORE_EDB;
  int64_t row[2] = {s->advertiser_id, -s->bid_cpm_minor};
  rc = pa_sq_bind_i64s(st, 2, row);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, s->currency);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, serve);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, s->campaign_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, now);
  rc = pa_sq_run(db, st, rc, "ad spend", NULL, NULL);
  if (rc == PA_STORE_OK) *counted = 1;
  return rc;
}

int pa_store_ads_serve_click(pa_store *db, int64_t serve, int64_t now, int *counted) {
  int n = 0;
  int64_t args[2] = {serve, now};
  int rc =
      pa_sq_exec_i64(db,
                     "UPDATE ad_serves SET clicked_at = ?2 WHERE id = ?1"
                     " AND impressed_at IS NOT NULL AND clicked_at IS NULL AND expires_at > ?2",
                     2, args, &n);
  *counted = rc == PA_STORE_OK && n > 0;
  return rc;
}

int pa_store_ads_serve_owner(pa_store *db, int64_t campaign, int64_t *user, char currency[4]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT COALESCE(a.user_id, 0), c.currency FROM campaigns c"
                                   " JOIN advertisers a ON a.id = c.advertiser_id WHERE c.id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, campaign);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "campaign owner");
  }
  rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    *user = pa_sq_i64(st, 0);
    snprintf(currency, 4, "%s", pa_sq_text(st, 1) ? pa_sq_text(st, 1) : "");
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "campaign owner");
}

static int day_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  pa_store_ad_report_row r = {pa_sq_i64(st, 0), NULL, pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                              pa_sq_i64(st, 3)};
  return s->fn.report(s->ctx, &r);
}

static int match_row(void *ctx, pa_sql_stmt *st) {
  const sink *s = ctx;
  pa_store_ad_report_row r = {0, pa_sq_text(st, 0), pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                              pa_sq_i64(st, 3)};
  return s->fn.report(s->ctx, &r);
}

/* The day as a whole number: the same integer division on both engines. */
int pa_store_ads_serve_report_days(pa_store *db, int64_t campaign, pa_store_ad_report_fn fn,
                                   void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT s.impressed_at / 86400 AS d, count(*), count(s.clicked_at),"
          " COALESCE(-SUM(l.amount_milli), 0) FROM ad_serves s"
          " LEFT JOIN ad_ledger l ON l.serve_id = s.id AND l.kind = 'spend'"
          " WHERE s.campaign_id = ?1 AND s.impressed_at IS NOT NULL GROUP BY d ORDER BY d");
  if (!st) return PA_STORE_EDB;
  sink s = {.fn.report = fn, .ctx = ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, campaign), day_row, &s, "ad report days");
}

int pa_store_ads_serve_report_matches(pa_store *db, int64_t campaign, pa_store_ad_report_fn fn,
                                      void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT s.matched, count(*), count(s.clicked_at), COALESCE(-SUM(l.amount_milli), 0)"
          " FROM ad_serves s LEFT JOIN ad_ledger l ON l.serve_id = s.id AND l.kind = 'spend'"
          " WHERE s.campaign_id = ?1 AND s.impressed_at IS NOT NULL"
          " GROUP BY s.matched ORDER BY s.matched");
  if (!st) return PA_STORE_EDB;
  sink s = {.fn.report = fn, .ctx = ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, campaign), match_row, &s, "ad report targets");
}

int pa_store_ads_serve_spend(pa_store *db, int64_t campaign, int64_t *spend_th) {
  return pa_sq_scalar_i64(db,
                          "SELECT COALESCE(-SUM(amount_milli), 0) FROM ad_ledger"
                          " WHERE campaign_id = ?1 AND kind = 'spend'",
                          1, &campaign, spend_th);
}
