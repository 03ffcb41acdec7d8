/* pa_assist text — the assistant's pure readers of untrusted text (issue
 * 23): an asker's locale tag and the model's citations. No I/O, no state;
 * fuzzed by web/fuzz/fuzz_assist_text.c. */
#ifndef PA_ASSIST_TEXT_H
#define PA_ASSIST_TEXT_H

enum {
  PA_ASSIST_LOCALE_MAX = 15 /* bytes of a locale tag (help_asks' CHECK) */
};

/* 1 when s is a locale tag as the catalogs name them: 2 or 3 ASCII letters,
 * then "-" and letters or digits, repeated ("es", "zh-Hans", "en-XA"), at
 * most PA_ASSIST_LOCALE_MAX bytes; else 0. */
int pa_assist_locale_ok(const char *s);

/* The article numbers answer (NUL-terminated) cites as "[n]": each 1..n
 * once, in the order first cited, into out (room for n); the count. Other
 * brackets ("[0]", "[02]", "[12a]", "[n+1]", "[") are text, not citations. */
int pa_assist_citations(const char *answer, int n, int *out);

#endif
