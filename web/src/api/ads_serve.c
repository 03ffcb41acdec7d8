/* pa_api_ads: serving ads, their events and a campaign's report
 * (api/ads_serve.h; the contract: CONTRACT21.md "Serving"). */
#include "api/ads_serve.h"

#include "ads_rules.h"
#include "api/api.h"
#include "clock.h"
#include "store/ads_serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "YYYY-MM-DD" of Unix time t, UTC. */
static void format_day(int64_t t, char out[11]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 11, "%Y-%m-%d", &tm);
}

static int64_t day_start(int64_t now) {
  return now - ((now % PA_ADSERVE_DAY_SECONDS) + PA_ADSERVE_DAY_SECONDS) % PA_ADSERVE_DAY_SECONDS;
}

/* Every list ads-buy lets a campaign keep is read whole (a longer one would
 * leave the campaign unserved: keep_target). */
_Static_assert((int)PA_ADSERVE_TARGET_MAX >= (int)PA_ADS_TARGET_COUNTRIES_MAX &&
                   (int)PA_ADSERVE_TARGET_MAX >= (int)PA_ADS_TARGET_LANGUAGES_MAX &&
                   (int)PA_ADSERVE_TARGET_MAX >= (int)PA_ADS_TARGET_TAGS_MAX &&
                   (int)PA_ADSERVE_TARGET_MAX >= (int)PA_ADS_TARGET_SPECIES_MAX &&
                   (int)PA_ADSERVE_WORD_MAX >= (int)PA_ADS_TAG_MAX,
               "serving reads every targeting list ads-buy keeps");

/* ---- choosing */

/* A candidate creative copied out of the store's row. */
typedef struct offer {
  pa_store_ad_offer o;
  char link[PA_API_ADS_LINK_MAX + 1];
} offer;

typedef struct offers {
  offer v[PA_API_ADS_SCAN_MAX];
  int n;
} offers;

static int keep_offer(void *ctx, const pa_store_ad_offer *o) {
  offers *s = ctx;
  if (s->n == PA_API_ADS_SCAN_MAX) return 0;
  offer *d = &s->v[s->n++];
  d->o = *o;
  snprintf(d->link, sizeof d->link, "%s", o->link ? o->link : "");
  d->o.link = d->link;
  d->o.currency = NULL; /* borrowed from the row: not kept */
  return 0;
}

/* A campaign's targeting as read, with room for its words. */
typedef struct ad_targets {
  pa_adserve_targeting t;
  pa_adserve_words species_matched, tags_matched; /* the viewer's side of species and tags */
  char words[4 * PA_ADSERVE_TARGET_MAX][PA_ADSERVE_WORD_MAX + 1];
  int used, bad;
} ad_targets;

static int keep_target(void *ctx, const pa_store_ad_target *t) {
  ad_targets *s = ctx;
  pa_adserve_words *w = strcmp(t->kind, "species") == 0    ? &s->t.species
                        : strcmp(t->kind, "tag") == 0      ? &s->t.tags
                        : strcmp(t->kind, "language") == 0 ? &s->t.languages
                        : strcmp(t->kind, "country") == 0  ? &s->t.countries
                                                           : NULL;
  /* More than this module reads: the campaign is not served rather than
   * served to people it did not target. */
  if (!w || w->n == PA_ADSERVE_TARGET_MAX || s->used == 4 * PA_ADSERVE_TARGET_MAX ||
      strlen(t->value) > PA_ADSERVE_WORD_MAX) {
    s->bad = 1;
    return 0;
  }
  char *word = s->words[s->used++];
  snprintf(word, PA_ADSERVE_WORD_MAX + 1, "%s", t->value);
  w->v[w->n++] = word;
  if (t->matched && w == &s->t.species) s->species_matched.v[s->species_matched.n++] = word;
  if (t->matched && w == &s->t.tags) s->tags_matched.v[s->tags_matched.n++] = word;
  return 0;
}

static cJSON *words_json(const pa_adserve_words *w) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; a && i < w->n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(w->v[i]));
  return a;
}

/* why as the contract's object, into out; -1 when it does not fit. */
static int why_text(const pa_adserve_targeting *why, char *out, size_t cap) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return -1;
  cJSON_AddItemToObject(o, "species", words_json(&why->species));
  cJSON_AddItemToObject(o, "tags", words_json(&why->tags));
  cJSON_AddItemToObject(o, "languages", words_json(&why->languages));
  cJSON_AddItemToObject(o, "countries", words_json(&why->countries));
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  int rc = s && strlen(s) < cap ? 0 : -1;
  if (rc == 0) memcpy(out, s, strlen(s) + 1);
  free(s);
  return rc;
}

static int by_post_newest(const void *a, const void *b) {
  const pa_api_ad *x = a, *y = b;
  if (x->post_created_at != y->post_created_at)
    return x->post_created_at < y->post_created_at ? 1 : -1;
  int64_t a_id = x->post_id + x->reel_id, b_id = y->post_id + y->reel_id; /* one is 0 */
  return a_id < b_id ? 1 : a_id > b_id ? -1 : 0;
}

int pa_api_ads_offer(pa_srv_req *rq, int reels, int max, pa_api_ad **out, int *n) {
  *out = NULL;
  *n = 0;
  if (rq->plus || max < 1 || rq->viewer <= 0) return 0;
  const int64_t now = pa_clock_now(), today = day_start(now);
  offers *all = calloc(1, sizeof *all);
  pa_api_ad *ads = calloc((size_t)max, sizeof *ads);
  ad_targets *tg = calloc(1, sizeof *tg);
  char locale[17], country[3], day[11];
  int rc = all && ads && tg ? PA_STORE_OK : PA_STORE_ENOMEM;
  if (rc == PA_STORE_OK)
    rc = pa_store_ads_serve_offers(rq->db, reels, rq->viewer, now, today,
                                   now - PA_ADSERVE_FREQ_WINDOW_SECONDS, PA_API_ADS_SCAN_MAX,
                                   keep_offer, all);
  if (rc == PA_STORE_OK && all->n > 0)
    rc = pa_store_ads_serve_viewer(rq->db, rq->viewer, locale, country);
  format_day(now, day);
  int count = 0;
  for (int i = 0; rc == PA_STORE_OK && i < all->n && count < max; i++) {
    const pa_store_ad_offer *o = &all->v[i].o;
    /* What this answer already offered of the campaign counts as spent and
     * seen: the page's ads together stay within the caps. */
    int64_t k = 0;
    for (int j = 0; j < count; j++) k += ads[j].campaign_id == o->campaign_id;
    if (o->seen + k >= PA_ADSERVE_FREQ_CAP) continue;
    pa_adserve_budget b = {o->bid_cpm_minor,
                           o->daily_budget_minor,
                           o->total_budget_minor,
                           o->spent_today_th + k * o->bid_cpm_minor,
                           o->spent_total_th + k * o->bid_cpm_minor,
                           o->balance_th - k * o->bid_cpm_minor,
                           now};
    if (pa_adserve_may_serve(&b) != PA_ADSERVE_OK) continue;
    memset(tg, 0, sizeof *tg);
    rc = pa_store_ads_serve_targets(rq->db, o->campaign_id, rq->viewer, keep_target, tg);
    if (rc != PA_STORE_OK) break;
    pa_adserve_viewer v = {tg->species_matched, tg->tags_matched, locale, country};
    pa_adserve_targeting why;
    if (tg->bad || !pa_adserve_match(&tg->t, &v, &why)) continue;
    pa_api_ad *ad = &ads[count];
    if (why_text(&why, ad->why, sizeof ad->why) != 0) continue;
    int64_t serve = 0;
    rc = pa_store_ads_serve_record(rq->db, o->campaign_id, o->creative_id, rq->viewer, now,
                                   now + PA_ADSERVE_TOKEN_SECONDS, day, ad->why, &serve);
    if (rc != PA_STORE_OK) break;
    pa_adserve_token t = {serve, rq->viewer, o->campaign_id, now + PA_ADSERVE_TOKEN_SECONDS};
    pa_adserve_token_make(&t, ad->token);
    ad->post_id = o->post_id;
    ad->reel_id = o->reel_id;
    ad->post_created_at = o->post_created_at;
    ad->advertiser_id = o->advertiser_id;
    ad->campaign_id = o->campaign_id;
    snprintf(ad->link, sizeof ad->link, "%s", o->link);
    count++;
  }
  free(all);
  free(tg);
  if (rc != PA_STORE_OK) {
    free(ads);
    return -1;
  }
  qsort(ads, (size_t)count, sizeof *ads, by_post_newest);
  *out = ads;
  *n = count;
  return 0;
}

/* ---- POST /ads/events */

/* Decides one event inside a transaction; *counted. */
static int count_event(pa_srv_req *rq, const pa_adserve_token *t, pa_adserve_kind kind, int64_t now,
                       int *counted) {
  pa_store_ad_serve_state s;
  *counted = 0;
  int rc = pa_store_begin(rq->db);
  if (rc != PA_STORE_OK) return rc;
  rc = pa_store_ads_serve_lock(rq->db, t->serve, now, day_start(now),
                               now - PA_ADSERVE_FREQ_WINDOW_SECONDS, &s);
  /* The token's campaign and viewer are the row's: a token signed for one
   * serve never counts for another. */
  int ok = rc == PA_STORE_OK && s.campaign_id == t->campaign && s.viewer_id == rq->viewer &&
           s.expires_at > now;
  if (rc == PA_STORE_ENOTFOUND) rc = PA_STORE_OK;
  if (ok && kind == PA_ADSERVE_IMPRESSION) {
    pa_adserve_budget b = {s.bid_cpm_minor,
                           s.daily_budget_minor,
                           s.total_budget_minor,
                           s.spent_today_th,
                           s.spent_total_th,
                           s.balance_th,
                           now};
    if (!s.impressed && s.seen < PA_ADSERVE_FREQ_CAP && pa_adserve_may_count(&b) == PA_ADSERVE_OK)
      rc = pa_store_ads_serve_impress(rq->db, t->serve, now, &s, counted);
  } else if (ok && kind == PA_ADSERVE_CLICK && s.impressed && !s.clicked) {
    rc = pa_store_ads_serve_click(rq->db, t->serve, now, counted);
  }
  int end = pa_store_end(rq->db, rc == PA_STORE_OK);
  if (end != PA_STORE_OK) *counted = 0;
  return rc != PA_STORE_OK ? rc : end;
}

void pa_api_ad_event(pa_srv_req *rq) {
  char msg[120];
  const char *field = NULL;
  cJSON *body = NULL;
  pa_adserve_event_body b;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_adserve_event_parse(body, &b, msg, sizeof msg, &field) != 0) {
    pa_api_field_error(rq, 400, "bad_request", msg, field);
    cJSON_Delete(body);
    return;
  }
  if (pa_api_limited(rq, PA_LIMIT_AD_EVENTS, NULL) != 0) {
    cJSON_Delete(body);
    return;
  }
  const int64_t now = pa_clock_now();
  pa_adserve_token t;
  int counted = 0, rc = PA_STORE_OK;
  /* Forged, expired or another person's: not counted, and nothing said why. */
  if (pa_adserve_token_read(b.token, strlen(b.token), now, &t) == 0 && t.viewer == rq->viewer)
    rc = count_event(rq, &t, b.kind, now, &counted);
  cJSON_Delete(body);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "ad event");
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddBoolToObject(o, "counted", counted)) {
    cJSON_Delete(o);
    pa_api_internal(rq, "ad event");
    return;
  }
  pa_api_json(rq, 200, o);
}

/* ---- GET /ads/campaigns/{c}/report */

enum { REPORT_TARGETS_MAX = 4 * PA_ADSERVE_TARGET_MAX };

typedef struct target_sum {
  const char *kind;
  char value[PA_ADSERVE_WORD_MAX + 1];
  int64_t impressions, clicks, spend_th;
} target_sum;

typedef struct report {
  cJSON *days;
  int64_t impressions, clicks;
  target_sum t[REPORT_TARGETS_MAX];
  int nt, failed;
} report;

static int add_day(void *ctx, const pa_store_ad_report_row *r) {
  report *s = ctx;
  char day[11];
  format_day(r->day * PA_ADSERVE_DAY_SECONDS, day);
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddStringToObject(o, "day", day) ||
      !cJSON_AddNumberToObject(o, "impressions", (double)r->impressions) ||
      !cJSON_AddNumberToObject(o, "clicks", (double)r->clicks) ||
      !cJSON_AddNumberToObject(o, "spend_minor", (double)pa_adserve_floor_minor(r->spend_th))) {
    cJSON_Delete(o);
    return -1;
  }
  cJSON_AddItemToArray(s->days, o);
  s->impressions += r->impressions;
  s->clicks += r->clicks;
  return 0;
}

static int add_match(void *ctx, const pa_store_ad_report_row *r) {
  static const char *const keys[4] = {"species", "tags", "languages", "countries"};
  static const char *const kinds[4] = {"species", "tag", "language", "country"};
  report *s = ctx;
  cJSON *m = cJSON_Parse(r->match ? r->match : "");
  for (int k = 0; m && k < 4; k++) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(m, keys[k]), *e;
    cJSON_ArrayForEach(e, a) {
      if (!cJSON_IsString(e) || strlen(e->valuestring) > PA_ADSERVE_WORD_MAX) continue;
      int i = 0;
      while (i < s->nt && !(s->t[i].kind == kinds[k] && strcmp(s->t[i].value, e->valuestring) == 0))
        i++;
      if (i == s->nt) {
        if (s->nt == REPORT_TARGETS_MAX) continue;
        s->t[s->nt].kind = kinds[k];
        snprintf(s->t[s->nt].value, sizeof s->t[s->nt].value, "%s", e->valuestring);
        s->nt++;
      }
      s->t[i].impressions += r->impressions;
      s->t[i].clicks += r->clicks;
      s->t[i].spend_th += r->spend_th;
    }
  }
  cJSON_Delete(m);
  return 0;
}

void pa_api_ad_report(pa_srv_req *rq) {
  int64_t owner = 0, spend_th = 0;
  char currency[4];
  int rc = pa_store_ads_serve_owner(rq->db, rq->ids[0], &owner, currency);
  /* Another person's campaign is as good as none. */
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && owner != rq->viewer)) {
    PA_NOT_FOUND(rq, "No such campaign");
    return;
  }
  report *s = calloc(1, sizeof *s);
  cJSON *root = cJSON_CreateObject();
  if (!s || !root) rc = PA_STORE_ENOMEM;
  if (rc == PA_STORE_OK) {
    s->days = cJSON_CreateArray();
    rc = s->days ? pa_store_ads_serve_report_days(rq->db, rq->ids[0], add_day, s) : PA_STORE_ENOMEM;
  }
  if (rc == PA_STORE_OK) rc = pa_store_ads_serve_report_matches(rq->db, rq->ids[0], add_match, s);
  if (rc == PA_STORE_OK) rc = pa_store_ads_serve_spend(rq->db, rq->ids[0], &spend_th);
  cJSON *totals = rc == PA_STORE_OK ? cJSON_CreateObject() : NULL;
  cJSON *targets = totals ? cJSON_CreateArray() : NULL;
  if (targets) {
    cJSON_AddStringToObject(root, "currency", currency);
    cJSON_AddItemToObject(root, "totals", totals);
    cJSON_AddNumberToObject(totals, "impressions", (double)s->impressions);
    cJSON_AddNumberToObject(totals, "clicks", (double)s->clicks);
    /* Click-through rate in basis points, rounded down. */
    cJSON_AddNumberToObject(totals, "ctr_bp",
                            s->impressions ? (double)(s->clicks * 10000 / s->impressions) : 0);
    cJSON_AddNumberToObject(totals, "spend_minor", (double)pa_adserve_floor_minor(spend_th));
    cJSON_AddItemToObject(root, "days", s->days);
    s->days = NULL;
    for (int i = 0; i < s->nt; i++) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "kind", s->t[i].kind);
      cJSON_AddStringToObject(o, "value", s->t[i].value);
      cJSON_AddNumberToObject(o, "impressions", (double)s->t[i].impressions);
      cJSON_AddNumberToObject(o, "clicks", (double)s->t[i].clicks);
      cJSON_AddNumberToObject(o, "spend_minor", (double)pa_adserve_floor_minor(s->t[i].spend_th));
      cJSON_AddItemToArray(targets, o);
    }
    cJSON_AddItemToObject(root, "targets", targets);
  } else {
    cJSON_Delete(totals);
  }
  if (s) cJSON_Delete(s->days);
  free(s);
  if (rc != PA_STORE_OK || !targets) {
    cJSON_Delete(root);
    pa_api_internal(rq, "ad report");
    return;
  }
  pa_api_json(rq, 200, root);
}
