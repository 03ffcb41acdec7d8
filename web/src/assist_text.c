/* pa_assist text (assist_text.h). */
#include "assist_text.h"

#include <string.h>

static int alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int digit(char c) { return c >= '0' && c <= '9'; }

int pa_assist_locale_ok(const char *s) {
  size_t n = strlen(s), lead = 0;
  if (n < 2 || n > PA_ASSIST_LOCALE_MAX) return 0;
  while (lead < n && alpha(s[lead])) lead++;
  if (lead < 2 || lead > 3) return 0;
  for (size_t i = lead; i < n; i++) {
    if (s[i] == '-') {
      if (i + 1 == n || s[i + 1] == '-') return 0; /* a subtag is never empty */
    } else if (!alpha(s[i]) && !digit(s[i])) {
      return 0;
    }
  }
  return 1;
}

int pa_assist_citations(const char *answer, int n, int *out) {
  int count = 0;
  for (const char *p = strchr(answer, '['); p && count < n; p = strchr(p + 1, '[')) {
    int v = 0, digits = 0;
    const char *q = p + 1;
    /* Three digits at most: no article number is longer, and v cannot overflow. */
    while (digit(*q) && digits < 3) v = v * 10 + (*q++ - '0'), digits++;
    /* Canonical numbers only: "[02]" is not how the prompt numbers them. */
    if (!digits || *q != ']' || p[1] == '0' || v < 1 || v > n) continue;
    int seen = 0;
    for (int i = 0; i < count; i++) seen |= out[i] == v;
    if (!seen) out[count++] = v;
  }
  return count;
}
