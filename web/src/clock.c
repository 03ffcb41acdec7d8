/* pa_clock — wall clock plus the test offset. */
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* Written once at startup before any thread exists, read-only afterwards. */
static int64_t offset;

int pa_clock_init(void) {
  const char *v = getenv("PA_TEST_CLOCK_OFFSET");
  offset = 0;
  if (!v || !*v) return 0;
  char *end;
  errno = 0;
  long long o = strtoll(v, &end, 10);
  if (errno || *end || o < -315360000LL || o > 315360000LL) return -1;
  offset = o;
  return 0;
}

int64_t pa_clock_now(void) { return (int64_t)time(NULL) + offset; }
int64_t pa_clock_offset(void) { return offset; }
