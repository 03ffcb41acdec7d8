/* pa_numfmt — numbers (pa_num_) and dates (pa_date_) in a locale's own
 * style, from CLDR data generated at build time (scripts/i18n/gen-locale-data.mjs):
 * symbols, grouping (Indian 12,34,567; minimum grouping digits), native digits
 * (bn), percent, currency and compact patterns, Gregorian date and time
 * patterns, and relative times ("3 hours ago", "yesterday").
 *
 * Locales are any BCP 47 tag, resolved like pa_i18n_resolve; tags without a
 * shipped locale get "en"'s data. Every function writes into a caller-owned
 * buffer (always NUL-terminated when cap > 0) and returns the length the full
 * text needs, like snprintf; on error the text is empty and err says why. */
#ifndef PA_NUMFMT_H
#define PA_NUMFMT_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pa_num_style {
  PA_NUM_DECIMAL,  /* the locale's decimal pattern, at most 3 fraction digits */
  PA_NUM_INTEGER,  /* rounded half-even to an integer */
  PA_NUM_PERCENT,  /* 0.25 → "25%" with the locale's pattern and sign */
  PA_NUM_CURRENCY, /* with an ISO 4217 code: the locale's pattern and symbol */
  PA_NUM_COMPACT   /* compact short: "1.2K", "1,2 k", "1.2万", plural-aware */
} pa_num_style;

/* Formats the decimal string number ("1234.5", "-3", "1.2c3"; see
 * pa_plural_operands_parse). currency is an ISO 4217 code, needed only for
 * PA_NUM_CURRENCY; codes without CLDR data print as the code itself. */
size_t pa_num_format(const char *locale, const char *number, pa_num_style style,
                     const char *currency, char *buf, size_t cap, pa_error *err);

/* Formats a price given in integer minor units of currency (ISO 4217),
 * never a float: the currency's CLDR digits place the decimal point (3990
 * USD → "$39.90", 1200 JPY → "￥1,200"), then as PA_NUM_CURRENCY. */
size_t pa_num_format_minor(const char *locale, int64_t minor, const char *currency, char *buf,
                           size_t cap, pa_error *err);

typedef enum pa_date_style {
  PA_DATE_NONE, /* leave this part out */
  PA_DATE_SHORT,
  PA_DATE_MEDIUM,
  PA_DATE_LONG
} pa_date_style;

/* Formats ms (milliseconds since the Unix epoch) shifted by tz_offset_minutes
 * (local time minus UTC) with the locale's Gregorian date and/or time
 * pattern; both together use its date-time glue ("{1}, {0}"). Years 1..9999. */
size_t pa_date_format(const char *locale, int64_t ms, int tz_offset_minutes, pa_date_style date,
                      pa_date_style time, char *buf, size_t cap, pa_error *err);

typedef enum pa_date_unit {
  PA_DATE_SECOND,
  PA_DATE_MINUTE,
  PA_DATE_HOUR,
  PA_DATE_DAY,
  PA_DATE_WEEK,
  PA_DATE_MONTH,
  PA_DATE_YEAR
} pa_date_unit;

enum {
  PA_DATE_REL_SHORT = 1u,  /* "3 hr. ago" rather than "3 hours ago" */
  PA_DATE_REL_NUMERIC = 2u /* "1 day ago", never "yesterday" */
};

/* "in 3 days" (value > 0), "3 days ago" (value < 0), and where CLDR names
 * them and PA_DATE_REL_NUMERIC is not set, the named forms for -2..+2
 * ("yesterday", "today", "tomorrow", "übermorgen"; "now" for 0 seconds), as
 * ICU's and Intl's numeric "auto". flags: PA_DATE_REL_*. */
size_t pa_date_relative(const char *locale, int64_t value, pa_date_unit unit, unsigned flags,
                        char *buf, size_t cap, pa_error *err);

/* pa_date_relative for an elapsed time in seconds (then - now: negative is
 * past), in the largest unit that fits: under a minute is seconds, then
 * minutes, hours, days, weeks (from 7 days), months (30 days), years (365). */
size_t pa_date_relative_seconds(const char *locale, int64_t seconds, unsigned flags, char *buf,
                                size_t cap, pa_error *err);

#endif
