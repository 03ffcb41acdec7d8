/* libFuzzer target: the assistant's readers of untrusted text
 * (web/src/assist_text.c). The first byte picks the reader: even, the
 * citations of a model's answer (the rest, NUL-terminated) among
 * (byte / 2) % 5 articles; odd, a locale tag as a request sends it.
 * Invariants: every citation is 1..n, none twice, at most n of them, and
 * each appears in the answer as "[v]"; an accepted locale is 2..15 bytes of
 * ASCII letters, digits and single dashes, starting with 2 or 3 letters. */
#include "assist_text.h"
#include "fuzz_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  char *text = malloc(size);
  ASSERT(text);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  if (data[0] % 2 == 0) {
    int n = (data[0] / 2) % 5, out[4] = {0};
    int count = pa_assist_citations(text, n, out);
    ASSERT(count >= 0 && count <= n);
    for (int i = 0; i < count; i++) {
      char mark[8];
      ASSERT(out[i] >= 1 && out[i] <= n);
      for (int k = 0; k < i; k++) ASSERT(out[k] != out[i]);
      snprintf(mark, sizeof mark, "[%d]", out[i]);
      ASSERT(strstr(text, mark));
    }
  } else if (pa_assist_locale_ok(text)) {
    size_t len = strlen(text),
           lead = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    ASSERT(len >= 2 && len <= PA_ASSIST_LOCALE_MAX);
    ASSERT(lead >= 2 && lead <= 3);
    ASSERT(strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == len);
    ASSERT(!strstr(text, "--") && text[len - 1] != '-');
  }
  free(text);
  return 0;
}
