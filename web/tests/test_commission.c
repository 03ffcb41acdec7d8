/* pa_commission's rules (web/src/commission.h): the month's rate at every
 * tier boundary (the last count of a tier and the first of the next), the
 * commission's rounding (toward zero, so a reversal cancels its accrual),
 * the payout minimum (50 × payouts.c's ~1 USD), the UTC month of a time,
 * and the CSV cell and payout body of commission_text.h. */
#include "commission.h"
#include "commission_text.h"
#include "pa_test.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void rate(void) {
  CHECK(pa_commission_rate_bp(0) == 2500);
  CHECK(pa_commission_rate_bp(PA_AFF_TIER_30_AT - 1) == PA_AFF_RATE_25_BP); /* 9 */
  CHECK(pa_commission_rate_bp(PA_AFF_TIER_30_AT) == PA_AFF_RATE_30_BP);     /* 10 */
  CHECK(pa_commission_rate_bp(PA_AFF_TIER_35_AT - 1) == PA_AFF_RATE_30_BP); /* 49 */
  CHECK(pa_commission_rate_bp(PA_AFF_TIER_35_AT) == PA_AFF_RATE_35_BP);     /* 50 */
  CHECK(pa_commission_rate_bp(1000000) == 3500);
  CHECK(PA_AFF_TIER_30_AT == 10 && PA_AFF_TIER_35_AT == 50);
  CHECK(PA_AFF_RATE_25_BP == 2500 && PA_AFF_RATE_30_BP == 3000 && PA_AFF_RATE_35_BP == 3500);
}

static void amount(void) {
  CHECK(pa_commission_amount(4776, 2500) == 1194);
  CHECK(pa_commission_amount(4777, 2500) == 1194);   /* 1194.25: down */
  CHECK(pa_commission_amount(3, 3500) == 1);         /* 1.05 */
  CHECK(pa_commission_amount(2, 3500) == 0);         /* 0.7 */
  CHECK(pa_commission_amount(-4777, 2500) == -1194); /* toward zero: cancels its accrual */
  CHECK(pa_commission_amount(-2, 3500) == 0);
  CHECK(pa_commission_amount(0, 3000) == 0);
  /* An accrual and its full reversal always net to zero. */
  for (int64_t b = 1; b < 20000; b += 7)
    for (int r = 2500; r <= 3500; r += 500)
      CHECK(pa_commission_amount(b, r) + pa_commission_amount(-b, r) == 0);
}

static void minimum(void) {
  CHECK(pa_commission_payout_minimum("USD") == 5000);
  CHECK(pa_commission_payout_minimum("BRL") == 25000);
  CHECK(pa_commission_payout_minimum("XXX") == 0);
}

static void month(void) {
  char m[8];
  pa_commission_month(0, m);
  CHECK(strcmp(m, "1970-01") == 0);
  pa_commission_month(1798761599, m); /* 2026-12-31T23:59:59Z */
  CHECK(strcmp(m, "2026-12") == 0);
  pa_commission_month(1798761600, m); /* 2027-01-01T00:00:00Z */
  CHECK(strcmp(m, "2027-01") == 0);
}

static void csv_cell(void) {
  char out[PA_AFF_CSV_CELL_MAX];
  CHECK(pa_commission_csv_cell("plain", out, sizeof out) == 0 && strcmp(out, "plain") == 0);
  CHECK(pa_commission_csv_cell("a,b", out, sizeof out) == 0 && strcmp(out, "\"a,b\"") == 0);
  CHECK(pa_commission_csv_cell("say \"hi\"", out, sizeof out) == 0 &&
        strcmp(out, "\"say \"\"hi\"\"\"") == 0);
  CHECK(pa_commission_csv_cell("two\r\nlines", out, sizeof out) == 0 &&
        strcmp(out, "\"two\r\nlines\"") == 0);
  /* Formula injection: a leading = + - @ (and tab, CR) is defused. */
  CHECK(pa_commission_csv_cell("=SUM(A1)", out, sizeof out) == 0 && strcmp(out, "'=SUM(A1)") == 0);
  CHECK(pa_commission_csv_cell("+1", out, sizeof out) == 0 && strcmp(out, "'+1") == 0);
  CHECK(pa_commission_csv_cell("-1", out, sizeof out) == 0 && strcmp(out, "'-1") == 0);
  CHECK(pa_commission_csv_cell("@x", out, sizeof out) == 0 && strcmp(out, "'@x") == 0);
  CHECK(pa_commission_csv_cell("\tx", out, sizeof out) == 0 && strcmp(out, "'\tx") == 0);
  CHECK(pa_commission_csv_cell("=a,b", out, sizeof out) == 0 && strcmp(out, "\"'=a,b\"") == 0);
  CHECK(pa_commission_csv_cell("", out, sizeof out) == 0 && strcmp(out, "") == 0);
  char small[4];
  CHECK(pa_commission_csv_cell("abc", small, sizeof small) == 0);
  CHECK(pa_commission_csv_cell("abcd", small, sizeof small) == -1);
}

static int parse(const char *json, char *email, char *field) {
  char err[128];
  cJSON *j = cJSON_Parse(json);
  int rc = pa_commission_payout_parse(j, email, err, field);
  cJSON_Delete(j);
  return rc;
}

static void payout_body(void) {
  char email[PA_AFF_EMAIL_MAX + 1], field[32];
  CHECK(parse("{\"paypal_email\":\"a@b.co\"}", email, field) == 0 && !strcmp(email, "a@b.co"));
  CHECK(parse("{\"paypal_email\":\"a@b\"}", email, field) == 0); /* 3 bytes: the shortest */
  CHECK(parse("{\"paypal_email\":\"@b\"}", email, field) == -1 && !strcmp(field, "paypal_email"));
  CHECK(parse("{\"paypal_email\":\"a@\"}", email, field) == -1);
  CHECK(parse("{\"paypal_email\":\"a@b@c\"}", email, field) == -1);
  CHECK(parse("{\"paypal_email\":\"a b@c\"}", email, field) == -1);
  CHECK(parse("{\"paypal_email\":1}", email, field) == -1);
  CHECK(parse("{}", email, field) == -1);
  CHECK(parse("[]", email, field) == -1);
  CHECK(parse("{\"paypal_email\":\"a@b.co\",\"x\":1}", email, field) == -1 && !strcmp(field, ""));
  /* PA_AFF_EMAIL_MAX bytes pass, one more is refused. */
  char body[400], addr[300];
  memset(addr, 'p', sizeof addr);
  memcpy(addr + PA_AFF_EMAIL_MAX - 6, "@ex.co", 7);
  snprintf(body, sizeof body, "{\"paypal_email\":\"%s\"}", addr);
  CHECK(parse(body, email, field) == 0 && strlen(email) == PA_AFF_EMAIL_MAX);
  memset(addr, 'p', sizeof addr);
  memcpy(addr + PA_AFF_EMAIL_MAX - 5, "@ex.co", 7);
  snprintf(body, sizeof body, "{\"paypal_email\":\"%s\"}", addr);
  CHECK(parse(body, email, field) == -1);
}

int main(void) {
  RUN(rate);
  RUN(amount);
  RUN(minimum);
  RUN(month);
  RUN(csv_cell);
  RUN(payout_body);
  return pa_test_summary("commission");
}
