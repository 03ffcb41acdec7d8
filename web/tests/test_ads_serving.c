/* Serving's pure rules (web/src/ads_serving.c): the token (round trip, every
 * bit flipped, expiry at its edge, other spellings), pacing at each slot's
 * edge, the budget caps at their edges (last allowed, first refused),
 * targeting and its why, and the events body. */
#include "ads_serving.h"
#include "pa_test.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void token(void) {
  pa_adserve_token t = {.serve = 42, .viewer = 7, .campaign = 3, .expires_at = 1000}, r;
  char text[PA_ADSERVE_TOKEN_TEXT];
  pa_adserve_token_make(&t, text);
  CHECK(strlen(text) == PA_ADSERVE_TOKEN_TEXT - 1);
  CHECK(strlen(text) <= PA_ADSERVE_TOKEN_MAX);
  CHECK(pa_adserve_token_read(text, strlen(text), 999, &r) == 0);
  CHECK(r.serve == 42 && r.viewer == 7 && r.campaign == 3 && r.expires_at == 1000);
  /* Expiry: the last second before it counts, the second itself does not. */
  CHECK(pa_adserve_token_read(text, strlen(text), 1000, &r) == -2);
  /* Any bit of any character flipped is not ours (a flip inside the last
   * character's unused bits included: one spelling per token). */
  for (size_t i = 0; i < strlen(text); i++) {
    char c = text[i];
    for (int b = 0; b < 8; b++) {
      text[i] = (char)(c ^ (1 << b));
      CHECK(pa_adserve_token_read(text, strlen(text), 0, &r) == -1);
    }
    text[i] = c;
  }
  /* Shorter, longer, padded, with a space. */
  char longer[PA_ADSERVE_TOKEN_TEXT + 2];
  snprintf(longer, sizeof longer, "%sA", text);
  CHECK(pa_adserve_token_read(text, strlen(text) - 1, 0, &r) == -1);
  CHECK(pa_adserve_token_read(longer, strlen(longer), 0, &r) == -1);
  snprintf(longer, sizeof longer, "%s=", text);
  CHECK(pa_adserve_token_read(longer, strlen(longer), 0, &r) == -1);
  CHECK(pa_adserve_token_read(NULL, 0, 0, &r) == -1);
  CHECK(pa_adserve_token_read("", 0, 0, &r) == -1);
  /* Another viewer's token is another token (the viewer is signed). */
  pa_adserve_token u = t;
  u.viewer = 8;
  char other[PA_ADSERVE_TOKEN_TEXT];
  pa_adserve_token_make(&u, other);
  CHECK(strcmp(other, text) != 0);
  CHECK(pa_adserve_token_read(other, strlen(other), 0, &r) == 0 && r.viewer == 8);
  /* Zero ids are never issued, so never read. */
  u.serve = 0;
  pa_adserve_token_make(&u, other);
  CHECK(pa_adserve_token_read(other, strlen(other), 0, &r) == -1);
}

static void pacing(void) {
  int64_t day = 20000 * (int64_t)PA_ADSERVE_DAY_SECONDS; /* a midnight, UTC */
  /* 24 slots of an hour: 2400 minor units allow 100 000 thousandths an hour. */
  CHECK(pa_adserve_paced_th(2400, day) == 100000);
  CHECK(pa_adserve_paced_th(2400, day + PA_ADSERVE_PACE_SLOT_SECONDS - 1) == 100000);
  CHECK(pa_adserve_paced_th(2400, day + PA_ADSERVE_PACE_SLOT_SECONDS) == 200000);
  CHECK(pa_adserve_paced_th(2400, day + PA_ADSERVE_DAY_SECONDS - 1) == 2400000);
  CHECK(pa_adserve_paced_th(2400, day + PA_ADSERVE_DAY_SECONDS) == 100000); /* the next day */
  /* A budget that does not divide: the last slot gives the whole of it. */
  CHECK(pa_adserve_paced_th(1, day) == 1000 / 24);
  CHECK(pa_adserve_paced_th(1, day + PA_ADSERVE_DAY_SECONDS - 1) == 1000);
  int64_t prev = 0;
  for (int64_t s = 0; s < PA_ADSERVE_DAY_SECONDS; s += 600) {
    int64_t p = pa_adserve_paced_th(777, day + s);
    CHECK(p >= prev && p <= 777000);
    prev = p;
  }
  CHECK(pa_adserve_paced_th(-5, day) == 0);

  /* Serving at the paced edge: the impression that just fits, and the next. */
  pa_adserve_budget b = {.bid_cpm_minor = 5000, /* 5 minor units per impression */
                         .daily_budget_minor = 2400,
                         .total_budget_minor = 0,
                         .spent_today_th = 100000 - 5000,
                         .balance_th = 1000000000,
                         .now = day + 10};
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_OK);
  b.spent_today_th += 1;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_PACED);
  b.now = day + PA_ADSERVE_PACE_SLOT_SECONDS; /* the next slot opens */
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_OK);
}

static void budgets(void) {
  int64_t late = 20000 * (int64_t)PA_ADSERVE_DAY_SECONDS + PA_ADSERVE_DAY_SECONDS - 1;
  pa_adserve_budget b = {.bid_cpm_minor = 2000,
                         .daily_budget_minor = 100,
                         .total_budget_minor = 300,
                         .balance_th = 1000000,
                         .now = late};
  /* Daily: the last impression that fits, then the first refused. */
  b.spent_today_th = 100000 - 2000;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_OK);
  b.spent_today_th++;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_DAILY);
  /* Counting is the hard cap: below the budget counts, at it not. */
  b.spent_today_th = 100000 - 1;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_OK);
  b.spent_today_th = 100000;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_DAILY);
  /* Lifetime. */
  b.spent_today_th = 0;
  b.spent_total_th = 300000 - 2000;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_OK);
  b.spent_total_th++;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_TOTAL);
  b.spent_total_th = 300000 - 1;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_OK);
  b.spent_total_th = 300000;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_TOTAL);
  /* Balance: one impression's cost left serves, one thousandth less not;
   * counting stops only at zero (so it never ends below -cost). */
  b.spent_total_th = 0;
  b.balance_th = 2000;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_OK);
  b.balance_th = 1999;
  CHECK(pa_adserve_may_serve(&b) == PA_ADSERVE_BALANCE);
  b.balance_th = 1;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_OK);
  b.balance_th = 0;
  CHECK(pa_adserve_may_count(&b) == PA_ADSERVE_BALANCE);
  /* No daily or lifetime budget: the balance alone. */
  pa_adserve_budget open = {.bid_cpm_minor = 1, .balance_th = 1, .now = late};
  CHECK(pa_adserve_may_serve(&open) == PA_ADSERVE_OK);
  open.bid_cpm_minor = 0;
  CHECK(pa_adserve_may_serve(&open) == PA_ADSERVE_BAD);
  CHECK(pa_adserve_may_count(&open) == PA_ADSERVE_BAD);
  /* Rounding down, below zero too. */
  CHECK(pa_adserve_floor_minor(1999) == 1);
  CHECK(pa_adserve_floor_minor(2000) == 2);
  CHECK(pa_adserve_floor_minor(0) == 0);
  CHECK(pa_adserve_floor_minor(-1) == -1);
  CHECK(pa_adserve_floor_minor(-1000) == -1);
  CHECK(pa_adserve_floor_minor(-1001) == -2);
}

static void targeting(void) {
  pa_adserve_targeting t = {0}, why;
  pa_adserve_viewer v = {.locale = "es-MX", .country = "MX"};
  v.species.v[v.species.n++] = "cat";
  v.tags.v[v.tags.n++] = "toys";
  /* Nothing targeted: everyone, with empty why lists. */
  CHECK(pa_adserve_match(&t, &v, &why) == 1);
  CHECK(why.species.n == 0 && why.tags.n == 0 && why.languages.n == 0 && why.countries.n == 0);
  t.species.v[t.species.n++] = "dog";
  CHECK(pa_adserve_match(&t, &v, &why) == 0);
  t.species.v[t.species.n++] = "cat";
  CHECK(pa_adserve_match(&t, &v, &why) == 1);
  CHECK(why.species.n == 1 && strcmp(why.species.v[0], "cat") == 0);
  t.languages.v[t.languages.n++] = "es";
  CHECK(pa_adserve_match(&t, &v, &why) == 1 && why.languages.n == 1);
  v.locale = "en";
  CHECK(pa_adserve_match(&t, &v, &why) == 0);
  v.locale = "esp"; /* a prefix that is not the base language */
  CHECK(pa_adserve_match(&t, &v, &why) == 0);
  v.locale = "es";
  t.countries.v[t.countries.n++] = "ES";
  CHECK(pa_adserve_match(&t, &v, &why) == 0); /* declared MX */
  v.country = "";
  CHECK(pa_adserve_match(&t, &v, &why) == 0); /* declared none: not guessed */
  v.country = "ES";
  t.tags.v[t.tags.n++] = "toys";
  CHECK(pa_adserve_match(&t, &v, &why) == 1);
  CHECK(why.tags.n == 1 && why.countries.n == 1 && strcmp(why.countries.v[0], "ES") == 0);
  v.tags.n = 0;
  CHECK(pa_adserve_match(&t, &v, &why) == 0);

  /* A list at its longest: the viewer's country found at the end of it. */
  pa_adserve_targeting many = {0};
  static char codes[PA_ADSERVE_TARGET_MAX][3];
  for (int i = 0; i < PA_ADSERVE_TARGET_MAX; i++) {
    snprintf(codes[i], sizeof codes[i], "%c%c", 'A' + i / 26, 'A' + i % 26);
    many.countries.v[many.countries.n++] = codes[i];
  }
  pa_adserve_viewer last = {.locale = "en", .country = codes[PA_ADSERVE_TARGET_MAX - 1]};
  CHECK(pa_adserve_match(&many, &last, &why) == 1 && why.countries.n == 1);
}

/* Parses json; *field copied out before the tree goes (it may point into it). */
static int parse(const char *json, pa_adserve_event_body *out, const char **field) {
  static char kept[64];
  char err[120];
  cJSON *j = cJSON_Parse(json);
  const char *f = NULL;
  int rc = pa_adserve_event_parse(j, out, err, sizeof err, &f);
  snprintf(kept, sizeof kept, "%s", f ? f : "");
  *field = kept;
  cJSON_Delete(j);
  return rc;
}

static void body(void) {
  pa_adserve_event_body b;
  const char *field;
  CHECK(parse("{\"token\":\"x\",\"kind\":\"impression\"}", &b, &field) == 0);
  CHECK(b.kind == PA_ADSERVE_IMPRESSION);
  CHECK(parse("{\"kind\":\"click\",\"token\":\"x\"}", &b, &field) == 0 &&
        b.kind == PA_ADSERVE_CLICK);
  CHECK(parse("{\"token\":\"x\",\"kind\":\"view\"}", &b, &field) == -1 &&
        strcmp(field, "kind") == 0);
  CHECK(parse("{\"token\":\"x\"}", &b, &field) == -1 && strcmp(field, "kind") == 0);
  CHECK(parse("{\"kind\":\"click\"}", &b, &field) == -1 && strcmp(field, "token") == 0);
  CHECK(parse("{\"token\":1,\"kind\":\"click\"}", &b, &field) == -1);
  CHECK(parse("{\"token\":\"\",\"kind\":\"click\"}", &b, &field) == -1);
  CHECK(parse("{\"token\":\"x\",\"kind\":\"click\",\"more\":1}", &b, &field) == -1 &&
        strcmp(field, "more") == 0);
  CHECK(parse("{\"token\":\"x\",\"token\":\"y\",\"kind\":\"click\"}", &b, &field) == -1);
  CHECK(parse("[]", &b, &field) == -1);
  /* The token's length at its edge: PA_ADSERVE_TOKEN_MAX allowed, one more refused. */
  char json[PA_ADSERVE_TOKEN_MAX + 64], tok[PA_ADSERVE_TOKEN_MAX + 2];
  memset(tok, 'A', sizeof tok);
  tok[PA_ADSERVE_TOKEN_MAX] = '\0';
  snprintf(json, sizeof json, "{\"token\":\"%s\",\"kind\":\"click\"}", tok);
  CHECK(parse(json, &b, &field) == 0);
  tok[PA_ADSERVE_TOKEN_MAX] = 'A';
  tok[PA_ADSERVE_TOKEN_MAX + 1] = '\0';
  snprintf(json, sizeof json, "{\"token\":\"%s\",\"kind\":\"click\"}", tok);
  CHECK(parse(json, &b, &field) == -1 && strcmp(field, "token") == 0);
}

int main(void) {
  char err[80];
  if (sodium_init() < 0 || pa_adserve_init(err, sizeof err) != 0) return 1;
  RUN(token);
  RUN(pacing);
  RUN(budgets);
  RUN(targeting);
  RUN(body);
  return pa_test_summary("web.ads_serving");
}
