/* pa_clock — the server's idea of "now", in Unix seconds.
 *
 * Tests move it forward without waiting: PA_TEST_CLOCK_OFFSET (seconds,
 * may be negative) is added to the system clock. Read once by pa_clock_init;
 * nothing else in the product sets it. */
#ifndef PA_CLOCK_H
#define PA_CLOCK_H

#include <stdint.h>

/* Reads PA_TEST_CLOCK_OFFSET; returns -1 (and leaves the offset 0) when it is
 * set but not a whole number of seconds within +-10 years. */
int pa_clock_init(void);
int64_t pa_clock_now(void);
int64_t pa_clock_offset(void);

#endif
