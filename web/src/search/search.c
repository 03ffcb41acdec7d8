/* pa_search (search/search.h): ICU word breaks, folding, Snowball stems,
 * diacritics removed; one call holds everything it uses. */
#include "search/search.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

enum {
  /* UTF-16 units of a word once only its letters, digits and marks are
   * kept: a term of PA_SEARCH_TERM_MAX bytes has at most that many units,
   * and diacritics (removed later) seldom double a word. Longer: skipped. */
  WORD16_MAX = 2 * PA_SEARCH_TERM_MAX,
  FOLD16_MAX = 3 * WORD16_MAX, /* full case folding grows a unit to at most three */
  FOLD8_MAX = 3 * FOLD16_MAX,  /* and UTF-8 a unit to at most three bytes */
  NFD16_MAX = 4 * FOLD8_MAX,   /* canonical decomposition, generously */
  LANG_MAX = 12                /* bytes of a language subtag we pass to ICU */
};

/* Our 20 locales' languages (the catalogs in locales/) that Snowball stems; the
 * others (bn, ja, ko, pl, th, uk, vi, zh) only fold. */
static const struct {
  const char *lang, *algorithm;
} stemmers[] = {
    {"ar", "arabic"}, {"de", "german"},     {"en", "english"},    {"es", "spanish"},
    {"fr", "french"}, {"hi", "hindi"},      {"id", "indonesian"}, {"it", "italian"},
    {"nl", "dutch"},  {"pt", "portuguese"}, {"ru", "russian"},    {"tr", "turkish"},
};

/* The language subtag of locale, lower-cased, into out; 0 when there is none. */
static size_t language(const char *locale, char out[LANG_MAX]) {
  size_t n = 0;
  if (!locale) return 0;
  for (; locale[n] && locale[n] != '-' && locale[n] != '_'; n++) {
    char c = locale[n];
    if (n + 1 >= LANG_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return 0;
    out[n] = (char)(c | 0x20);
  }
  out[n] = 0;
  return n;
}

const char *pa_search_stemmer(const char *locale) {
  char lang[LANG_MAX];
  if (!language(locale, lang)) return NULL;
  for (size_t i = 0; i < sizeof stemmers / sizeof stemmers[0]; i++)
    if (strcmp(stemmers[i].lang, lang) == 0) return stemmers[i].algorithm;
  return NULL;
}

const char *pa_search_strerror(int rc) {
  switch (rc) {
  case PA_SEARCH_OK: return "ok";
  case PA_SEARCH_EINVAL: return "the text is not UTF-8 or holds a NUL byte";
  case PA_SEARCH_ETOOLONG: return "the text is longer than 16384 bytes (PA_SEARCH_TEXT_MAX)";
  case PA_SEARCH_EWORDS: return "the text has more than 2048 words (PA_SEARCH_WORDS_MAX)";
  case PA_SEARCH_ESPACE: return "the output buffer is too small for the terms";
  case PA_SEARCH_EICU: return "the text analyzer failed (ICU or Snowball: memory or data)";
  default: return "unknown search error";
  }
}

/* The word's UTF-8 after diacritics are removed, into out (cap bytes):
 * its length, or -1 when ICU fails or it does not fit. */
static int32_t strip_marks(const char *u8, int32_t len, char *out, int32_t cap) {
  UChar a[NFD16_MAX], b[NFD16_MAX];
  UErrorCode e = U_ZERO_ERROR;
  int32_t n = 0, m = 0;
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&e), *nfc = unorm2_getNFCInstance(&e);
  u_strFromUTF8(a, NFD16_MAX, &n, u8, len, &e);
  if (U_FAILURE(e) || n >= NFD16_MAX) return -1;
  n = unorm2_normalize(nfd, a, n, b, NFD16_MAX, &e);
  if (U_FAILURE(e) || n >= NFD16_MAX) return -1;
  for (int32_t i = 0; i < n; i++) {
    /* Latin letters with a stroke have no decomposition; people type them
     * without it all the same (Polish "lozko" for "łóżko"). */
    UChar c = b[i] == 0x0142   ? 'l'
              : b[i] == 0x00F8 ? 'o'
              : b[i] == 0x0111 ? 'd'
              : b[i] == 0x0127 ? 'h'
                               : b[i];
    if (c < 0x0300 || c > 0x036F) b[m++] = c;
  }
  n = unorm2_normalize(nfc, b, m, a, NFD16_MAX, &e);
  if (U_FAILURE(e) || n >= NFD16_MAX) return -1;
  u_strToUTF8(out, cap, &m, a, n, &e);
  if (U_FAILURE(e) || m >= cap) return -1;
  return m;
}

/* Elided articles and pronouns of French and Italian ("l'adresse",
 * "s'inscrire", "dell'animale"): with PA_SEARCH_ELISION the part up to the
 * first apostrophe is dropped when it is one of these (the lists of
 * Lucene's French and Italian analyzers), so the word meets its unelided
 * form; "aujourd'hui" keeps its apostrophe's sides together. */
static const char *const elisions_fr[] = {"l", "m", "t",     "qu",     "n",      "s",      "j",
                                          "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu", NULL};
static const char *const elisions_it[] = {
    "c",    "l",    "all",  "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl",
    "dagl", "degl", "negl", "sugl", "un",   "m",    "t",    "s",    "v",    "d",  NULL};

/* Where the word [from, to) starts once an elided prefix of lang's list is
 * dropped (from itself when none). */
static int32_t elided(const char *lang, const UChar *text, int32_t from, int32_t to) {
  const char *const *list = strcmp(lang, "fr") == 0   ? elisions_fr
                            : strcmp(lang, "it") == 0 ? elisions_it
                                                      : NULL;
  if (!list) return from;
  char prefix[8];
  int32_t i = from, n = 0;
  for (; i < to && n < (int32_t)sizeof prefix - 1; i++) {
    UChar c = text[i];
    if (c == 0x0027 || c == 0x2019) break;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return from;
    prefix[n++] = (char)(c | 0x20);
  }
  if (i >= to - 1 || (text[i] != 0x0027 && text[i] != 0x2019) || n == 0) return from;
  prefix[n] = 0;
  for (; *list; list++)
    if (strcmp(*list, prefix) == 0) return i + 1;
  return from;
}

typedef struct sink {
  char *out;
  size_t cap, len;
} sink;

static int put(sink *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) return PA_SEARCH_ESPACE;
  memcpy(s->out + s->len, p, n);
  s->len += n;
  s->out[s->len] = 0;
  return PA_SEARCH_OK;
}

/* One word (units of the whole text's UTF-16 in [from, to)) into s. */
static int word(struct sb_stemmer *stem, const UChar *text, int32_t from, int32_t to, sink *s,
                int *n) {
  UChar kept[WORD16_MAX], folded[FOLD16_MAX];
  char u8[FOLD8_MAX], term[PA_SEARCH_TERM_MAX + 1], raw[PA_SEARCH_TERM_MAX + 1];
  int32_t k = 0, f = 0, u = 0;
  UErrorCode e = U_ZERO_ERROR;
  for (int32_t i = from; i < to;) {
    UChar32 c;
    U16_NEXT(text, i, to, c);
    if (!(U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK))) continue;
    if (k + U16_LENGTH(c) > WORD16_MAX) return PA_SEARCH_OK; /* too long: skipped */
    U16_APPEND_UNSAFE(kept, k, c);
  }
  if (k == 0) return PA_SEARCH_OK;
  f = u_strFoldCase(folded, FOLD16_MAX, kept, k, U_FOLD_CASE_DEFAULT, &e);
  if (U_FAILURE(e) || f > FOLD16_MAX) return PA_SEARCH_EICU;
  u_strToUTF8(u8, FOLD8_MAX, &u, folded, f, &e);
  if (U_FAILURE(e) || u >= FOLD8_MAX) return PA_SEARCH_EICU;
  const char *stemmed = u8;
  int32_t slen = u;
  if (stem) {
    const sb_symbol *r = sb_stemmer_stem(stem, (const sb_symbol *)u8, u);
    if (!r) return PA_SEARCH_EICU;
    stemmed = (const char *)r;
    slen = (int32_t)sb_stemmer_length(stem);
  }
  int32_t t = strip_marks(stemmed, slen, term, sizeof term);
  if (t <= 0) return PA_SEARCH_OK; /* longer than a term (or nothing left): skipped */
  int32_t w = stem ? strip_marks(u8, u, raw, sizeof raw) : -1;
  if (++*n > PA_SEARCH_WORDS_MAX) return PA_SEARCH_EWORDS;
  int rc = s->len ? put(s, " ", 1) : PA_SEARCH_OK;
  if (rc == PA_SEARCH_OK) rc = put(s, term, (size_t)t);
  if (rc == PA_SEARCH_OK && w > 0 && (w != t || memcmp(raw, term, (size_t)t) != 0)) {
    rc = put(s, "|", 1);
    if (rc == PA_SEARCH_OK) rc = put(s, raw, (size_t)w);
  }
  return rc;
}

int pa_search_terms(const char *locale, const char *utf8, size_t len, char *out, size_t cap,
                    int *n) {
  return pa_search_terms_ex(locale, utf8, len, out, cap, n, 0);
}

int pa_search_terms_ex(const char *locale, const char *utf8, size_t len, char *out, size_t cap,
                       int *n, int flags) {
  if (n) *n = 0;
  if (!out || cap == 0) return PA_SEARCH_ESPACE;
  out[0] = 0;
  if (!utf8 || !n) return PA_SEARCH_EINVAL;
  if (len > PA_SEARCH_TEXT_MAX) return PA_SEARCH_ETOOLONG;
  if (memchr(utf8, 0, len)) return PA_SEARCH_EINVAL;
  UChar *text = malloc((len + 1) * sizeof *text);
  if (!text) return PA_SEARCH_EICU;
  UErrorCode e = U_ZERO_ERROR;
  int32_t units = 0;
  /* Strict: no substitution character is set, so ill-formed UTF-8
   * (overlong forms, surrogates, cut sequences) is refused. */
  u_strFromUTF8(text, (int32_t)len + 1, &units, utf8, (int32_t)len, &e);
  if (U_FAILURE(e)) {
    free(text);
    return e == U_INVALID_CHAR_FOUND || e == U_ILLEGAL_CHAR_FOUND ? PA_SEARCH_EINVAL
                                                                  : PA_SEARCH_EICU;
  }
  char lang[LANG_MAX];
  if (!language(locale, lang)) strcpy(lang, "root");
  const char *algorithm = pa_search_stemmer(locale);
  struct sb_stemmer *stem = algorithm ? sb_stemmer_new(algorithm, "UTF_8") : NULL;
  UBreakIterator *bi = ubrk_open(UBRK_WORD, lang, text, units, &e);
  sink s = {out, cap, 0};
  int rc = (algorithm && !stem) || U_FAILURE(e) ? PA_SEARCH_EICU : PA_SEARCH_OK;
  if (rc == PA_SEARCH_OK) {
    int32_t from = ubrk_first(bi);
    for (int32_t to = ubrk_next(bi); rc == PA_SEARCH_OK && to != UBRK_DONE;
         from = to, to = ubrk_next(bi)) {
      /* Spaces and punctuation have the status UBRK_WORD_NONE. */
      if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT)
        rc = word(stem, text, flags & PA_SEARCH_ELISION ? elided(lang, text, from, to) : from, to,
                  &s, n);
    }
  }
  if (bi) ubrk_close(bi);
  if (stem) sb_stemmer_delete(stem);
  free(text);
  if (rc != PA_SEARCH_OK) {
    out[0] = 0;
    *n = 0;
  }
  return rc;
}
