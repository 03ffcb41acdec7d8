/* Calendar arithmetic shared by the feed's RFC 3339 times and the i18n date
 * formatter: one copy of the proleptic Gregorian conversion. Internal. */
#ifndef PA_CIVIL_H
#define PA_CIVIL_H

#include <stdint.h>

typedef struct pa_civil {
  int64_t year;
  int month, day, hour, minute, second;
} pa_civil;

/* The proleptic Gregorian date and UTC time of secs since 1970-01-01T00:00Z
 * (Howard Hinnant's civil_from_days); negative secs are before 1970. */
pa_civil pa_civil_from_unix(int64_t secs);

#endif
