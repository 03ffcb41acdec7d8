/* pa_billing's calendar (web/src/billing/): a period of n months ends on the
 * same day of the month n months on, clamped to that month's length, as
 * providers bill: month ends, leap years, year ends and long spans, checked
 * against dates written out by hand. */
#include "billing/billing.h"
#include "pa_test.h"

#include <stdint.h>

/* Unix seconds of a UTC date and time (1970..2100): days by counting, so the
 * check does not reuse the code it checks. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t n = 0;
  for (int k = 1970; k < y; k++) n += 365 + ((k % 4 == 0 && k % 100 != 0) || k % 400 == 0);
  for (int k = 0; k < mo - 1; k++)
    n += days[k] + (k == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  return ((n + d - 1) * 24 + h) * 3600 + mi * 60 + s;
}

static void months_add(void) {
  CHECK(pa_billing_add_months(utc(2026, 12, 6, 5, 41, 13), 1) == utc(2027, 1, 6, 5, 41, 13));
  CHECK(pa_billing_add_months(utc(2026, 12, 6, 5, 41, 13), 12) == utc(2027, 12, 6, 5, 41, 13));
  CHECK(pa_billing_add_months(utc(2024, 1, 31, 0, 0, 0), 1) == utc(2024, 2, 29, 0, 0, 0));
  CHECK(pa_billing_add_months(utc(2025, 1, 31, 0, 0, 0), 1) == utc(2025, 2, 28, 0, 0, 0));
  CHECK(pa_billing_add_months(utc(2024, 2, 29, 12, 0, 0), 12) == utc(2025, 2, 28, 12, 0, 0));
  CHECK(pa_billing_add_months(utc(2100, 1, 29, 0, 0, 0), 1) == utc(2100, 2, 28, 0, 0, 0));
  CHECK(pa_billing_add_months(utc(2000, 1, 29, 0, 0, 0), 1) == utc(2000, 2, 29, 0, 0, 0));
  CHECK(pa_billing_add_months(utc(2026, 3, 31, 23, 59, 59), 1) == utc(2026, 4, 30, 23, 59, 59));
  CHECK(pa_billing_add_months(utc(2026, 8, 31, 0, 0, 0), 6) == utc(2027, 2, 28, 0, 0, 0));
  CHECK(pa_billing_add_months(utc(1970, 1, 1, 0, 0, 0), 1) == utc(1970, 2, 1, 0, 0, 0));
  /* Every month start of 30 years, one month on, is the next month's start. */
  for (int y = 2020; y < 2050; y++)
    for (int m = 1; m <= 12; m++)
      CHECK(pa_billing_add_months(utc(y, m, 1, 7, 0, 0), 1) ==
            utc(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, 7, 0, 0));
}

int main(void) {
  RUN(months_add);
  return pa_test_summary("billing");
}
