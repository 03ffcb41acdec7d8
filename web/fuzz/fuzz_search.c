/* libFuzzer target: the full-text analyzer (search/search.c) on any bytes as
 * text. The first byte picks the locale (its low 5 bits: one of our 20, a
 * region-tagged one, one we do not know, or none), with bit 6 the
 * PA_SEARCH_ELISION flag (pa_search_terms_ex: the help center's French and
 * Italian elisions) and, when its high bit is set, a small output buffer
 * (the second byte's size) so running out of room is reached too; the rest
 * is the text. Invariants: only the
 * documented codes; on success the output is NUL-terminated within cap,
 * holds *n words of one or two nonempty terms of at most PA_SEARCH_TERM_MAX
 * bytes, holds no NUL, space or '|' inside a term and is itself UTF-8 (the
 * analyzer accepts it again); on failure it is "" and *n 0. */
#include "fuzz_check.h"
#include "search/search.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const locales[32] = {
    "ar",    "bn",    "de", "en", "es",    "fr",    "hi",         "id", "it", "ja",
    "ko",    "nl",    "pl", "pt", "ru",    "th",    "tr",         "uk", "vi", "zh-Hans",
    "pt-BR", "es-MX", "xx", "",   "en-XA", "zh_TW", "toolongtag", NULL};

static char out[PA_SEARCH_OUT_MAX], again[PA_SEARCH_OUT_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  const char *locale = locales[data[0] & 31];
  size_t cap = data[0] & 0x80 ? (size_t)data[1] + 1 : sizeof out;
  const char *text = (const char *)data + 2;
  size_t len = size - 2;
  int n = -1;
  memset(out, 'x', sizeof out);
  int flags = data[0] & 0x40 ? PA_SEARCH_ELISION : 0;
  int rc = pa_search_terms_ex(locale, text, len, out, cap, &n, flags);
  ASSERT(rc == PA_SEARCH_OK || rc == PA_SEARCH_EINVAL || rc == PA_SEARCH_ETOOLONG ||
         rc == PA_SEARCH_EWORDS || rc == PA_SEARCH_ESPACE);
  ASSERT(strlen(pa_search_strerror(rc)) > 0);
  if (rc != PA_SEARCH_OK) {
    ASSERT(out[0] == 0 && n == 0);
    return 0;
  }
  const char *nul = memchr(out, 0, cap);
  ASSERT(nul != NULL);
  size_t olen = (size_t)(nul - out);
  ASSERT(olen < cap);
  ASSERT(n >= 0 && n <= PA_SEARCH_WORDS_MAX);
  int words = 0;
  for (const char *w = out; *w;) {
    const char *end = strchr(w, ' ');
    size_t wlen = end ? (size_t)(end - w) : strlen(w);
    words++;
    int forms = 0;
    for (const char *f = w; f < w + wlen;) {
      const char *bar = memchr(f, '|', (size_t)(w + wlen - f));
      size_t flen = bar ? (size_t)(bar - f) : (size_t)(w + wlen - f);
      ASSERT(flen > 0 && flen <= PA_SEARCH_TERM_MAX);
      forms++;
      f += flen + (bar ? 1 : 0);
      ASSERT(!bar || f < w + wlen);
    }
    ASSERT(forms == 1 || forms == 2);
    if (!end) break;
    ASSERT(end[1] != 0 && end[1] != ' ');
    w = end + 1;
  }
  ASSERT(words == n);
  if (olen <= PA_SEARCH_TEXT_MAX) {
    int m = 0;
    int rc2 = pa_search_terms("pl", out, olen, again, sizeof again, &m);
    ASSERT(rc2 == PA_SEARCH_OK || rc2 == PA_SEARCH_EWORDS);
  }
  return 0;
}
