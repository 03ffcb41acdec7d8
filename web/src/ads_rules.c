/* pa_ads: self-serve ads' pure rules and strict body readers (ads_rules.h). */
#include "ads_rules.h"

#include "body.h"
#include "pa/pa_civil.h"
#include "pay/money.h"
#include "profile.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* ---- currencies */

/* About one US dollar's worth of each currency we trade (money.c), in its
 * minor units: the limits scale with it, so a bid floor means the same
 * everywhere. Rounded to readable amounts, not tracked to the rate. */
static const struct {
  const char *code;
  int64_t unit;
} units[] = {{"USD", 100},    {"EUR", 100},    {"BRL", 500},  {"MXN", 2000},
             {"ARS", 100000}, {"COP", 400000}, {"CLP", 1000}, {"JPY", 150}};

int64_t pa_ads_unit(const char *currency) {
  for (size_t i = 0; currency && i < sizeof units / sizeof units[0]; i++)
    if (strcmp(units[i].code, currency) == 0) return units[i].unit;
  return 0;
}

int pa_ads_limits_of(const char *currency, pa_ads_limits *out) {
  int64_t u = pa_ads_unit(currency);
  if (!u || pa_money_exponent(currency) < 0) return -1;
  out->topup_min = PA_ADS_TOPUP_MIN_UNITS * u;
  out->topup_max = PA_ADS_TOPUP_MAX_UNITS * u;
  out->bid_min = PA_ADS_BID_MIN_TENTHS * u / 10;
  out->bid_max = PA_ADS_BID_MAX_UNITS * u;
  out->daily_min = PA_ADS_DAILY_MIN_UNITS * u;
  out->daily_max = PA_ADS_DAILY_MAX_UNITS * u;
  out->total_min = PA_ADS_TOTAL_MIN_UNITS * u;
  out->total_max = PA_ADS_TOTAL_MAX_UNITS * u;
  return 0;
}

static const char *const objectives[PA_ADS_OBJECTIVES] = {"awareness", "traffic"};
static const char *const states[PA_ADS_STATES] = {"draft", "active", "paused", "ended"};

static int find(const char *const *list, int n, const char *s) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, list[i]) == 0) return i;
  return -1;
}

const char *pa_ads_objective_name(int i) {
  return i >= 0 && i < PA_ADS_OBJECTIVES ? objectives[i] : NULL;
}
int pa_ads_objective_find(const char *s) { return find(objectives, PA_ADS_OBJECTIVES, s); }
const char *pa_ads_state_name(int i) { return i >= 0 && i < PA_ADS_STATES ? states[i] : NULL; }
int pa_ads_state_find(const char *s) { return find(states, PA_ADS_STATES, s); }

/* ---- times */

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int pa_ads_time_parse(const char *s, int64_t *out) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
  if (!s || strlen(s) < 20 || strlen(s) > 35) return -1;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
      s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
    return -1;
  const char *p = s + 19;
  if (*p == '.') {
    size_t n = strspn(p + 1, "0123456789");
    if (n < 1 || n > 9) return -1;
    p += 1 + n; /* a fraction of a second is dropped */
  }
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    sign = *p == '-' ? -1 : 1;
    if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
      return -1;
    p += 6;
  } else {
    return -1;
  }
  if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
      mi > 59 || se > 60)
    return -1;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return -1;
  int64_t t = pa_civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
  *out = t - sign * (int64_t)(oh * 3600 + om * 60);
  return 0;
}

/* ---- the readers */

#define BAD(e, field, ...) pa_body_fail((e), 400, "bad_request", (field), __VA_ARGS__)
#define ITEM(o, name)      cJSON_GetObjectItemCaseSensitive((o), (name))
#define TRY(x)                                                                                     \
  do {                                                                                             \
    if ((x) < 0) return -1;                                                                        \
  } while (0)

static int only(pa_market_err *e, const cJSON *obj, const char *prefix, const char *const *names) {
  return pa_body_only(e, obj, prefix, names, NULL);
}

/* A string of min..max code points into out; absent: 1. A wrong length is
 * 422 bad_length (the body is well formed, the ad's text is not). */
static int text(pa_market_err *e, const cJSON *v, const char *field, long min, long max,
                int multiline, char *out, size_t cap) {
  return pa_body_text(e, v, field, min, max, multiline, out, cap, 422, "bad_length");
}

/* A whole number (never rounded) into *out; absent: 1. Its range is the
 * caller's (limits answer 422 with the edges). */
static int whole(pa_market_err *e, const cJSON *v, const char *field, int64_t *out) {
  if (!v) return 1;
  if (!cJSON_IsNumber(v) ||
      !(v->valuedouble >= 0 && v->valuedouble <= (double)PA_MONEY_MINOR_MAX) ||
      v->valuedouble != (double)(int64_t)v->valuedouble)
    return BAD(e, field, "%s must be a whole number of minor units", field);
  *out = (int64_t)v->valuedouble;
  return 0;
}

static int in_range(pa_market_err *e, const char *field, int64_t v, int64_t min, int64_t max,
                    const char *currency) {
  if (v >= min && v <= max) return 0;
  return pa_body_fail(e, 422, "out_of_range", field,
                      "%s must be from %lld to %lld (%s minor units)", field, (long long)min,
                      (long long)max, currency);
}

static int currency_ok(const char *s) {
  return s && strlen(s) == 3 && pa_ads_unit(s) > 0 && pa_money_exponent(s) >= 0;
}

int pa_ads_account_parse(const cJSON *body, pa_ads_account *a, pa_market_err *e) {
  static const char *const names[] = {"name", "currency", NULL};
  memset(e, 0, sizeof *e);
  memset(a, 0, sizeof *a);
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  int rc = text(e, ITEM(body, "name"), "name", 1, PA_ADS_NAME_MAX, 0, a->name, sizeof a->name);
  TRY(rc);
  if (rc == 1) return BAD(e, "name", "name is required");
  const cJSON *c = ITEM(body, "currency");
  if (!cJSON_IsString(c) || !currency_ok(c->valuestring))
    return BAD(e, "currency",
               "currency must be one of USD, EUR, BRL, MXN, ARS, COP, CLP, JPY (ISO 4217)");
  memcpy(a->currency, c->valuestring, 4);
  return 0;
}

int pa_ads_topup_parse(const cJSON *body, const char *currency, pa_ads_topup *t, pa_market_err *e) {
  static const char *const names[] = {"amount_minor", "provider", NULL};
  pa_ads_limits lim;
  memset(e, 0, sizeof *e);
  memset(t, 0, sizeof *t);
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  const cJSON *p = ITEM(body, "provider");
  if (!cJSON_IsString(p) ||
      (strcmp(p->valuestring, "paypal") != 0 && strcmp(p->valuestring, "mercadopago") != 0))
    return BAD(e, "provider", "provider must be \"paypal\" or \"mercadopago\"");
  t->provider = strcmp(p->valuestring, "paypal") == 0 ? PA_ADS_PAYPAL : PA_ADS_MERCADOPAGO;
  int rc = whole(e, ITEM(body, "amount_minor"), "amount_minor", &t->amount_minor);
  TRY(rc);
  if (rc == 1) return BAD(e, "amount_minor", "amount_minor is required");
  if (pa_ads_limits_of(currency, &lim) != 0)
    return BAD(e, NULL, "The account's currency is not one ads are sold in");
  return in_range(e, "amount_minor", t->amount_minor, lim.topup_min, lim.topup_max, currency);
}

/* A tag as captions write it (pa_str_tags): ASCII letters, digits and '_',
 * lower case, not all digits. */
static int tag_ok(const char *s) {
  size_t n = strlen(s);
  return n >= 1 && n <= PA_ADS_TAG_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
         strspn(s, "0123456789") != n;
}

/* One targeting list: an array of at most max distinct strings each ok. */
static int read_list(pa_market_err *e, const cJSON *v, const char *field, int max,
                     int (*ok)(const char *), const char *what, char *out, size_t width, int *n) {
  if (!cJSON_IsArray(v)) return BAD(e, field, "%s must be an array of strings", field);
  int count = cJSON_GetArraySize(v);
  if (count > max)
    return pa_body_fail(e, 422, "too_many", field, "%s holds at most %d entries", field, max);
  int i = 0;
  for (const cJSON *c = v->child; c; c = c->next, i++) {
    char f[PA_MARKET_FIELD_MAX];
    snprintf(f, sizeof f, "%s[%d]", field, i);
    if (!cJSON_IsString(c) || strlen(c->valuestring) >= width || !ok(c->valuestring))
      return BAD(e, f, "%s must be %s", f, what);
    for (int j = 0; j < i; j++)
      if (strcmp(out + (size_t)j * width, c->valuestring) == 0)
        return BAD(e, f, "%s repeats an entry", f);
    memcpy(out + (size_t)i * width, c->valuestring, strlen(c->valuestring) + 1);
  }
  *n = count;
  return 0;
}

static int species_ok(const char *s) { return pa_market_species_find(s) >= 0; }
static int country_ok(const char *s) { return pa_profile_country_ok(s, strlen(s)); }

static int read_targeting(pa_market_err *e, const cJSON *v, pa_ads_targeting *t) {
  static const char *const names[] = {"species", "tags", "languages", "countries", NULL};
  if (!cJSON_IsObject(v)) return BAD(e, "targeting", "targeting must be an object");
  TRY(only(e, v, "targeting.", names));
  const cJSON *x;
  if ((x = ITEM(v, "species")))
    TRY(read_list(e, x, "targeting.species", PA_ADS_TARGET_SPECIES_MAX, species_ok,
                  "one of the app's species words", &t->species[0][0], sizeof t->species[0],
                  &t->nspecies));
  if ((x = ITEM(v, "tags")))
    TRY(read_list(e, x, "targeting.tags", PA_ADS_TARGET_TAGS_MAX, tag_ok,
                  "a tag as captions write it (lower-case letters, digits, _; no #)",
                  &t->tags[0][0], sizeof t->tags[0], &t->ntags));
  if ((x = ITEM(v, "languages")))
    TRY(read_list(e, x, "targeting.languages", PA_ADS_TARGET_LANGUAGES_MAX, pa_market_lang_ok,
                  "one of the app's languages (es, pt, …)", &t->languages[0][0],
                  sizeof t->languages[0], &t->nlanguages));
  if ((x = ITEM(v, "countries")))
    TRY(read_list(e, x, "targeting.countries", PA_ADS_TARGET_COUNTRIES_MAX, country_ok,
                  "an ISO 3166-1 alpha-2 country code (ES)", &t->countries[0][0],
                  sizeof t->countries[0], &t->ncountries));
  return 0;
}

static int read_time(pa_market_err *e, const cJSON *v, const char *field, int64_t *out) {
  if (!cJSON_IsString(v) || pa_ads_time_parse(v->valuestring, out) != 0)
    return BAD(e, field, "%s must be an RFC 3339 time such as 2026-12-24T00:00:00Z", field);
  return 0;
}

int pa_ads_campaign_parse(const cJSON *body, int create, const char *currency, int64_t now,
                          pa_ads_campaign *c, pa_market_err *e) {
  static const char *const names[] = {"name",
                                      "objective",
                                      "bid_cpm_minor",
                                      "state",
                                      "daily_budget_minor",
                                      "total_budget_minor",
                                      "currency",
                                      "starts_at",
                                      "ends_at",
                                      "targeting",
                                      NULL};
  pa_ads_limits lim;
  memset(e, 0, sizeof *e);
  if (create) memset(c, 0, sizeof *c);
  c->state_sent = 0;
  c->targeting_sent = 0;
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  if (pa_ads_limits_of(currency, &lim) != 0)
    return BAD(e, NULL, "The account's currency is not one ads are sold in");
  int rc =
      text(e, ITEM(body, "name"), "name", 1, PA_ADS_CAMPAIGN_NAME_MAX, 0, c->name, sizeof c->name);
  TRY(rc);
  if (rc == 1 && create) return BAD(e, "name", "name is required");
  const cJSON *v = ITEM(body, "objective");
  if (v) {
    int o = cJSON_IsString(v) ? pa_ads_objective_find(v->valuestring) : -1;
    if (o < 0) return BAD(e, "objective", "objective must be \"awareness\" or \"traffic\"");
    c->objective = o;
  } else if (create) {
    return BAD(e, "objective", "objective is required");
  }
  v = ITEM(body, "state");
  if (v) {
    int s = cJSON_IsString(v) ? pa_ads_state_find(v->valuestring) : -1;
    if (create || (s != PA_ADS_ACTIVE && s != PA_ADS_PAUSED))
      return BAD(e, "state",
                 create ? "A campaign starts as a draft; set its state with PATCH"
                        : "state may be set to \"active\" or \"paused\"");
    c->state = s;
    c->state_sent = 1;
  }
  v = ITEM(body, "currency");
  if (v && (!cJSON_IsString(v) || strcmp(v->valuestring, currency) != 0))
    return pa_body_fail(e, 422, "currency_mismatch", "currency",
                        "A campaign spends in its account's currency (%s)", currency);
  memcpy(c->currency, currency, 4);
  struct {
    const char *name;
    int64_t *out;
  } money[] = {{"bid_cpm_minor", &c->bid_cpm_minor},
               {"daily_budget_minor", &c->daily_budget_minor},
               {"total_budget_minor", &c->total_budget_minor}};
  for (size_t i = 0; i < sizeof money / sizeof money[0]; i++) {
    rc = whole(e, ITEM(body, money[i].name), money[i].name, money[i].out);
    TRY(rc);
    if (rc == 1 && create) return BAD(e, money[i].name, "%s is required", money[i].name);
  }
  TRY(in_range(e, "bid_cpm_minor", c->bid_cpm_minor, lim.bid_min, lim.bid_max, currency));
  TRY(in_range(e, "daily_budget_minor", c->daily_budget_minor, lim.daily_min, lim.daily_max,
               currency));
  TRY(in_range(e, "total_budget_minor", c->total_budget_minor, lim.total_min, lim.total_max,
               currency));
  if (c->total_budget_minor < c->daily_budget_minor)
    return pa_body_fail(e, 422, "budget_below_daily", "total_budget_minor",
                        "total_budget_minor cannot be below daily_budget_minor");
  v = ITEM(body, "starts_at");
  if (v) {
    TRY(read_time(e, v, "starts_at", &c->starts_at));
    if (c->starts_at < now - PA_ADS_START_PAST_SECONDS ||
        c->starts_at > now + PA_ADS_START_AHEAD_SECONDS)
      return pa_body_fail(e, 422, "bad_schedule", "starts_at",
                          "starts_at must be from an hour ago to a year from now");
  } else if (create) {
    c->starts_at = now;
  }
  v = ITEM(body, "ends_at");
  if (v && cJSON_IsNull(v)) {
    c->ends_at = 0;
  } else if (v) {
    TRY(read_time(e, v, "ends_at", &c->ends_at));
    if (c->ends_at <= now)
      return pa_body_fail(e, 422, "bad_schedule", "ends_at", "ends_at must be in the future");
  }
  if (c->ends_at && (c->ends_at - c->starts_at < PA_ADS_RUN_MIN_SECONDS ||
                     c->ends_at - c->starts_at > PA_ADS_RUN_MAX_SECONDS))
    return pa_body_fail(e, 422, "bad_schedule", "ends_at",
                        "A campaign runs at least an hour and at most 366 days after it starts");
  v = ITEM(body, "targeting");
  if (v) {
    memset(&c->targeting, 0, sizeof c->targeting);
    TRY(read_targeting(e, v, &c->targeting));
    c->targeting_sent = 1;
  }
  return 0;
}

static int upload_id(const char *s, const char *prefix, int64_t *out) {
  size_t p = strlen(prefix);
  if (!s || strncmp(s, prefix, p) != 0 || s[p] < '1' || s[p] > '9' || strlen(s + p) > 15) return -1;
  int64_t v = 0;
  for (const char *d = s + p; *d; d++) {
    if (*d < '0' || *d > '9') return -1;
    v = v * 10 + (*d - '0');
  }
  *out = v;
  return 0;
}

/* A photo creative's media: 1 to PA_ADS_PHOTOS_MAX distinct upload ids. */
static int photos(const cJSON *v, pa_ads_creative *c, pa_market_err *e) {
  if (!cJSON_IsArray(v)) return BAD(e, "media", "media must be an array of photo upload ids");
  int n = cJSON_GetArraySize(v);
  if (n < 1 || n > PA_ADS_PHOTOS_MAX)
    return pa_body_fail(e, 422, "too_many", "media", "A creative shows 1 to %d photos",
                        PA_ADS_PHOTOS_MAX);
  int i = 0;
  for (const cJSON *m = v->child; m; m = m->next, i++) {
    char f[PA_MARKET_FIELD_MAX];
    snprintf(f, sizeof f, "media[%d]", i);
    if (!cJSON_IsString(m) || upload_id(m->valuestring, "m_", &c->media[i]) != 0)
      return BAD(e, f, "%s must be an upload id such as \"m_12\"", f);
    for (int j = 0; j < i; j++)
      if (c->media[j] == c->media[i]) return BAD(e, f, "%s repeats a photo", f);
  }
  c->nmedia = n;
  return 0;
}

/* A reel creative's video and poster uploads, as POST /reels takes them. */
static int reel(const cJSON *body, pa_ads_creative *c, pa_market_err *e) {
  const cJSON *v = ITEM(body, "reel");
  if (ITEM(body, "media"))
    return BAD(e, "media", "A creative is photos (media) or a reel (reel), not both");
  if (!cJSON_IsString(v) || upload_id(v->valuestring, "m_", &c->reel) != 0)
    return BAD(e, "reel", "reel must be a video's upload id such as \"m_12\"");
  v = ITEM(body, "poster");
  if (!cJSON_IsString(v) || upload_id(v->valuestring, "m_", &c->poster) != 0)
    return BAD(e, "poster", "A reel's poster is an image's upload id such as \"m_13\"");
  if (c->poster == c->reel) return BAD(e, "poster", "poster must be another upload than reel");
  return 0;
}

int pa_ads_creative_parse(const cJSON *body, int objective, pa_ads_creative *c, pa_market_err *e) {
  static const char *const names[] = {"pet_id", "media", "reel", "poster", "caption", "link", NULL};
  memset(e, 0, sizeof *e);
  memset(c, 0, sizeof *c);
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  const cJSON *v = ITEM(body, "pet_id");
  if (!cJSON_IsString(v) || upload_id(v->valuestring, "pet_", &c->pet_id) != 0)
    return BAD(e, "pet_id", "pet_id must be one of your pets' ids, such as \"pet_3\"");
  if (ITEM(body, "reel"))
    TRY(reel(body, c, e));
  else if (ITEM(body, "poster"))
    return BAD(e, "poster", "poster goes with a reel");
  else
    TRY(photos(ITEM(body, "media"), c, e));
  int rc = text(e, ITEM(body, "caption"), "caption", 0, PA_ADS_CAPTION_MAX, 1, c->caption,
                sizeof c->caption);
  TRY(rc);
  v = ITEM(body, "link");
  if (v && (!cJSON_IsString(v) ||
            (v->valuestring[0] && !pa_profile_link_ok(v->valuestring, strlen(v->valuestring)))))
    return pa_body_fail(e, 422, "bad_link", "link",
                        "link must be an https:// address of at most %d characters",
                        PA_ADS_LINK_MAX);
  if (v) snprintf(c->link, sizeof c->link, "%s", v->valuestring);
  if (objective == PA_ADS_TRAFFIC && !c->link[0])
    return pa_body_fail(e, 422, "link_required", "link",
                        "A traffic campaign's creative links somewhere: send an https:// link");
  return 0;
}

int pa_ads_review_parse(const cJSON *body, int *approve, char *note, size_t cap, pa_market_err *e) {
  static const char *const names[] = {"decision", "note", NULL};
  memset(e, 0, sizeof *e);
  if (cap) note[0] = '\0';
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  const cJSON *d = ITEM(body, "decision");
  if (!cJSON_IsString(d) ||
      (strcmp(d->valuestring, "approve") != 0 && strcmp(d->valuestring, "reject") != 0))
    return BAD(e, "decision", "decision must be \"approve\" or \"reject\"");
  *approve = strcmp(d->valuestring, "approve") == 0;
  int rc = text(e, ITEM(body, "note"), "note", 1, PA_ADS_NOTE_MAX, 1, note, cap);
  TRY(rc);
  if (rc == 1 && !*approve)
    return BAD(e, "note", "A rejection says why: note is required (the advertiser reads it)");
  if (rc == 0 && *approve) return BAD(e, "note", "An approval carries no note");
  return 0;
}
