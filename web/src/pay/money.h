/* pa_money — amounts as integer minor units with their ISO 4217 code.
 *
 * Never a float: providers' decimal strings ("4.99") and JSON numbers (19.9)
 * are converted exactly through text, and anything that is not exactly
 * representable in the currency's minor unit is refused. */
#ifndef PA_MONEY_H
#define PA_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef struct pa_money {
  int64_t minor;    /* e.g. 499 for USD 4.99, 4990 for CLP 4990 */
  char currency[4]; /* ISO 4217, upper case, NUL-terminated */
} pa_money;

/* The largest amount we handle, in minor units (10^15: far above any price,
 * far below int64 and exactly representable in a double, which providers'
 * JSON parsers use). */
#define PA_MONEY_MINOR_MAX 1000000000000000LL
#define PA_MONEY_TEXT_MAX  24 /* "-1000000000000.000" and the NUL fit */

/* The currency's ISO 4217 exponent (USD 2, CLP 0), or -1 for a currency we
 * do not trade. */
int pa_money_exponent(const char *currency);

/* Writes m as a plain decimal ("4.99", "4990", "-0.50") into buf: the length,
 * or -1 (unknown currency, out of range, or cap too small). */
int pa_money_format(const pa_money *m, char *buf, size_t cap);

/* Parses text of len bytes ("4.99"; "4.9" and "4" are accepted and mean 4.90
 * and 4.00; no sign, exponent, spaces or more decimals than the currency
 * has) into *minor: 0, or -1. */
int pa_money_parse(const char *text, size_t len, const char *currency, int64_t *minor);

#endif
