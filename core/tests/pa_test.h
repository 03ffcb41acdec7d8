/* A minimal test harness: checks count and report, main returns failures. */
#ifndef PA_TEST_H
#define PA_TEST_H

#include <stdint.h>
#include <string.h>

extern int pa_test_failures, pa_test_checks;
void pa_test_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    pa_test_checks++;                                                                              \
    if (!(cond)) pa_test_fail(__FILE__, __LINE__, #cond);                                          \
  } while (0)

#define CHECK_CONTAINS(hay, needle) CHECK(strstr((hay), (needle)) != NULL)

/* Runs a test function and prints its name. */
#define RUN(fn) pa_test_run(#fn, fn)
void pa_test_run(const char *name, void (*fn)(void));
int pa_test_summary(const char *suite);

/* Encodes a w x h RGB test pattern as PNG or JPEG into a malloc'd buffer. */
uint8_t *pa_test_encode(int png, int w, int h, size_t *len);
/* The pattern's pixel at (x, y). */
void pa_test_pattern(int x, int y, uint8_t rgb[3]);

#endif
