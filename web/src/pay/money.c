/* pa_money — exact conversion between minor units and decimal text. */
#include "pay/money.h"

#include <stdio.h>
#include <string.h>

/* The currencies we trade and their ISO 4217 exponents (brief: issue 18;
 * JPY for marketplace payouts, issue 20).
 * Anything else is refused everywhere, so an unexpected currency from a
 * provider can never be booked with a guessed exponent. */
static const struct {
  const char code[4];
  int exponent;
} currencies[] = {{"USD", 2}, {"EUR", 2}, {"ARS", 2}, {"BRL", 2},
                  {"MXN", 2}, {"COP", 2}, {"CLP", 0}, {"JPY", 0}};

int pa_money_exponent(const char *currency) {
  if (!currency) return -1;
  for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
    if (strcmp(currencies[i].code, currency) == 0) return currencies[i].exponent;
  return -1;
}

static int64_t pow10i(int e) {
  int64_t p = 1;
  while (e-- > 0) p *= 10;
  return p;
}

int pa_money_format(const pa_money *m, char *buf, size_t cap) {
  int e = m ? pa_money_exponent(m->currency) : -1;
  if (e < 0 || !buf || m->minor > PA_MONEY_MINOR_MAX || m->minor < -PA_MONEY_MINOR_MAX) return -1;
  int64_t v = m->minor < 0 ? -m->minor : m->minor, p = pow10i(e);
  int n;
  if (e == 0)
    n = snprintf(buf, cap, "%s%lld", m->minor < 0 ? "-" : "", (long long)v);
  else
    n = snprintf(buf, cap, "%s%lld.%0*lld", m->minor < 0 ? "-" : "", (long long)(v / p), e,
                 (long long)(v % p));
  if (n < 0 || (size_t)n >= cap) return -1;
  return n;
}

int pa_money_parse(const char *text, size_t len, const char *currency, int64_t *minor) {
  int e = pa_money_exponent(currency);
  if (e < 0 || !text || !minor || len == 0) return -1;
  size_t i = 0;
  int64_t whole = 0, frac = 0;
  int digits = 0, decimals = 0;
  while (i < len && text[i] >= '0' && text[i] <= '9') {
    /* Bound the whole part before it can overflow: the range check below
     * then only has to compare. */
    if (whole > PA_MONEY_MINOR_MAX) return -1;
    whole = whole * 10 + (text[i] - '0');
    digits++, i++;
  }
  if (digits == 0) return -1; /* ".5", "-1", " 1", "" */
  if (i < len) {
    if (text[i] != '.') return -1;
    i++;
    while (i < len && text[i] >= '0' && text[i] <= '9') {
      if (++decimals > e) return -1; /* more precision than the currency has */
      frac = frac * 10 + (text[i] - '0');
      i++;
    }
    if (decimals == 0 || i < len) return -1; /* "4.", "4.9x", "1e3" */
  }
  int64_t p = pow10i(e);
  if (whole > PA_MONEY_MINOR_MAX / p) return -1;
  int64_t v = whole * p + frac * pow10i(e - decimals);
  if (v > PA_MONEY_MINOR_MAX) return -1;
  *minor = v;
  return 0;
}
