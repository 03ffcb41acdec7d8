/* Calendar arithmetic shared by the feed's RFC 3339 times, the i18n date
 * formatter and the server's payment dates: one copy of the proleptic
 * Gregorian conversions (Howard Hinnant's days_from_civil and
 * civil_from_days, written from their description). */
#ifndef PA_CIVIL_H
#define PA_CIVIL_H

#include <stdint.h>

typedef struct pa_civil {
  int64_t year;
  int month, day, hour, minute, second;
} pa_civil;

/* The proleptic Gregorian date and UTC time of secs since 1970-01-01T00:00Z;
 * negative secs are before 1970. */
pa_civil pa_civil_from_unix(int64_t secs);

/* Days since 1970-01-01 of the date y-m-d (m 1..12, d 1..31, not checked
 * against the month's length); negative before 1970. */
int64_t pa_civil_days(int64_t y, int m, int d);

#endif
