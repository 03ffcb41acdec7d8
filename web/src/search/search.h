/* pa_search — the text analyzer behind full-text search (issue 20): the
 * same words out of a listing's text and out of what someone types, in any
 * of our 20 locales, so the index and the query meet.
 *
 * For each word (ICU's word break iterator, dictionary-based for text
 * without spaces: ja, zh, th; punctuation and spaces are not words):
 *  1. keep only its letters, digits and marks (so "don't" is "dont" and no
 *     term ever holds a character either engine's query syntax reads);
 *  2. case-fold (ICU full folding: "Straße" is "strasse");
 *  3. stem with Snowball (libstemmer) for the locale's language when
 *     Snowball has one (pa_search_stemmer); the others only fold;
 *  4. remove diacritics (U+0300..U+036F after NFD, then NFC; and the
 *     strokes of ł, ø, đ, ħ, which do not decompose) — after
 *     stemming, because Snowball's Spanish and Portuguese expect accents.
 *     Only that block is removed: Thai, Devanagari and Arabic marks are
 *     letters of their words and stay.
 * The word's unstemmed form goes through 1, 2 and 4 too; when it differs
 * from the stem, both are emitted, so a person searching in another
 * language than the listing's still finds it by the written word.
 *
 * Output, in the caller's buffer: the words in text order separated by one
 * space, each as "stem" or "stem|word" (the stem first), NUL-terminated;
 * *n is the number of words. Terms never hold ' ', '|' or anything but
 * letters, digits and marks.
 *
 * Threads: nothing is shared. Each call opens its own break iterator and
 * Snowball stemmer and closes them before it returns (a Snowball stemmer
 * keeps per-word state, so one may never serve two threads at once; ICU's
 * break data and normalizers are process-wide and read-only), so the
 * server's threads call pa_search_terms freely. */
#ifndef PA_SEARCH_H
#define PA_SEARCH_H

#include <stddef.h>

enum {
  PA_SEARCH_TEXT_MAX = 16384, /* bytes of text one call analyzes (a listing's title and body) */
  PA_SEARCH_WORDS_MAX = 2048, /* words of one text */
  PA_SEARCH_TERM_MAX = 64,    /* bytes of one term: longer words are skipped (no one types them) */
  /* An output buffer of this many bytes always fits the analysis of
   * PA_SEARCH_TEXT_MAX bytes: folding grows a character to at most three,
   * and each word gives at most two terms and two separators. */
  PA_SEARCH_OUT_MAX = 6 * PA_SEARCH_TEXT_MAX + 2 * PA_SEARCH_WORDS_MAX + 1
};

enum {
  PA_SEARCH_OK = 0,
  PA_SEARCH_EINVAL = -1,   /* not UTF-8, a NUL byte, or a NULL argument */
  PA_SEARCH_ETOOLONG = -2, /* more than PA_SEARCH_TEXT_MAX bytes */
  PA_SEARCH_EWORDS = -3,   /* more than PA_SEARCH_WORDS_MAX words */
  PA_SEARCH_ESPACE = -4,   /* out's cap is too small */
  PA_SEARCH_EICU = -5,     /* ICU or Snowball failed (no memory, missing data) */
};

/* Analyzes len bytes of UTF-8 text in locale (a BCP 47 tag such as "es",
 * "pt-BR", "zh-Hans"; NULL or one we do not know: no stemming, ICU's root
 * word rules) into out (cap bytes, caller-owned) as described above; *n
 * the number of words. On failure out is "" and *n 0. Allocates nothing
 * that outlives the call. */
int pa_search_terms(const char *locale, const char *utf8, size_t len, char *out, size_t cap,
                    int *n);

/* Flags of pa_search_terms_ex. */
enum {
  /* French and Italian: an elided article or pronoun before an apostrophe
   * (' or ’: "l'adresse", "s'inscrire", "dell'animale") is dropped, so the
   * word meets its unelided form. Off in pa_search_terms: the listings'
   * index (store/textindex.h) was written without it. The help center
   * (store/help.h) analyzes its articles and questions with it. */
  PA_SEARCH_ELISION = 1
};

/* pa_search_terms with flags (PA_SEARCH_*; 0 is pa_search_terms). */
int pa_search_terms_ex(const char *locale, const char *utf8, size_t len, char *out, size_t cap,
                       int *n, int flags);

/* Snowball's name of the algorithm for locale's language ("spanish" for
 * "es-MX"), or NULL when Snowball has none for it (ja, zh, th, ko, vi, pl,
 * uk, bn) or locale is NULL. */
const char *pa_search_stemmer(const char *locale);

/* A printable message for a PA_SEARCH_* code; never NULL. */
const char *pa_search_strerror(int rc);

#endif
