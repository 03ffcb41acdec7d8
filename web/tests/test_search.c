/* The full-text analyzer (search/search.h): the words the issue's examples
 * must share between listing and query, scripts without spaces and with
 * marks, ill-formed UTF-8 refused, and each limit at its last accepted and
 * first refused size. No database: web/tests/test_store.c has the index. */
#include "pa_test.h"
#include "search/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[PA_SEARCH_OUT_MAX];

static int terms(const char *locale, const char *text, int *n) {
  return pa_search_terms(locale, text, strlen(text), out, sizeof out, n);
}

/* Whether term is one of the space- or '|'-separated terms in list. */
static int has(const char *list, const char *term) {
  size_t n = strlen(term);
  for (const char *p = list; (p = strstr(p, term)) != NULL; p++)
    if ((p == list || p[-1] == ' ' || p[-1] == '|') && (p[n] == 0 || p[n] == ' ' || p[n] == '|'))
      return 1;
  return 0;
}

/* Every query word has a form (stem or word) among the document's terms. */
static int finds(const char *doc_locale, const char *doc, const char *q_locale, const char *q) {
  static char d[PA_SEARCH_OUT_MAX], w[PA_SEARCH_OUT_MAX];
  int n = 0, m = 0;
  if (pa_search_terms(doc_locale, doc, strlen(doc), d, sizeof d, &n) != PA_SEARCH_OK ||
      pa_search_terms(q_locale, q, strlen(q), w, sizeof w, &m) != PA_SEARCH_OK || m == 0)
    return 0;
  for (char *word = strtok(w, " "); word; word = strtok(NULL, " ")) {
    int any = 0;
    for (char *form = word, *bar; form && !any; form = bar ? bar + 1 : NULL) {
      bar = strchr(form, '|');
      if (bar) *bar = 0;
      any = has(d, form);
    }
    if (!any) return 0;
  }
  return 1;
}

static void issue_examples(void) {
  int n = -1;
  CHECK(terms("es", "Camas ortopédicas para perros grandes", &n) == PA_SEARCH_OK && n == 5);
  CHECK(strcmp(out, "cam|camas ortoped|ortopedicas par|para perr|perros grand|grandes") == 0);
  CHECK(finds("es", "Camas ortopédicas para perros grandes", "es", "cama perro"));
  CHECK(finds("pt-BR", "Cama ortopédica para cachorro", "pt-BR", "cama cachorro"));
  CHECK(terms("pt-BR", "cama cachorro", &n) == PA_SEARCH_OK && n == 2);
  CHECK(strcmp(out, "cam|cama cachorr|cachorro") == 0);
  /* Japanese has no spaces: ICU's dictionary finds ベッド inside the title. */
  CHECK(terms("ja", "大型犬用の低反発ベッド", &n) == PA_SEARCH_OK && n == 7);
  CHECK(has(out, "ベッド") && has(out, "犬"));
  CHECK(finds("ja", "大型犬用の低反発ベッド", "ja", "ベッド"));
  /* Not found by a word it does not have. */
  CHECK(!finds("es", "Camas ortopédicas para perros grandes", "es", "gato"));
}

static void scripts(void) {
  int n = 0;
  /* Thai: no spaces between words, and its vowel marks are kept. */
  CHECK(terms("th", "ที่นอนสำหรับสุนัขขนาดใหญ่", &n) == PA_SEARCH_OK && n == 5);
  CHECK(has(out, "สุนัข") && has(out, "ที่นอน"));
  CHECK(finds("th", "ที่นอนสำหรับสุนัขขนาดใหญ่", "th", "สุนัข"));
  /* Chinese (zh-Hans): segmented by ICU's dictionary. */
  CHECK(terms("zh-Hans", "大型犬的骨科狗床", &n) == PA_SEARCH_OK && n == 6);
  CHECK(has(out, "狗") && has(out, "床") && has(out, "骨科"));
  CHECK(finds("zh-Hans", "大型犬的骨科狗床", "zh-Hans", "狗床"));
  /* Arabic: Snowball strips the article and the preposition. */
  CHECK(terms("ar", "سرير كبير للكلاب", &n) == PA_SEARCH_OK && n == 3);
  CHECK(has(out, "كلاب"));
  CHECK(finds("ar", "سرير كبير للكلاب", "ar", "الكلاب"));
  /* Russian: cases of one word meet at the stem. */
  CHECK(finds("ru", "Ортопедические кровати для больших собак", "ru", "большая собака"));
  /* Case folding and diacritics after the stem. */
  CHECK(terms("de", "STRASSE Straße", &n) == PA_SEARCH_OK && n == 2);
  CHECK(strncmp(out, "strass|strasse strass|strasse", 29) == 0);
  CHECK(terms("fr", "Élevé", &n) == PA_SEARCH_OK && n == 1 && has(out, "eleve"));
  /* Punctuation is no word and never part of a term. */
  CHECK(terms("en", "Don't \"stop\" * : & | ! dogs'", &n) == PA_SEARCH_OK && n == 3);
  CHECK(strcmp(out, "dont stop dog|dogs") == 0);
  /* A language Snowball lacks, and no locale at all: folding only. */
  CHECK(terms("pl", "Duże Łóżka", &n) == PA_SEARCH_OK && n == 2 && strcmp(out, "duze lozka") == 0);
  CHECK(terms(NULL, "Perros", &n) == PA_SEARCH_OK && strcmp(out, "perros") == 0);
  CHECK(terms("", "", &n) == PA_SEARCH_OK && n == 0 && out[0] == 0);
  /* Searching in another language than the listing's: the written word. */
  CHECK(finds("es", "Camas ortopédicas para perros grandes", "en", "perros"));
}

static void stemmers(void) {
  CHECK(strcmp(pa_search_stemmer("es-MX"), "spanish") == 0);
  CHECK(strcmp(pa_search_stemmer("pt_BR"), "portuguese") == 0);
  CHECK(strcmp(pa_search_stemmer("EN"), "english") == 0);
  static const char *const none[] = {"ja", "zh-Hans", "th", "ko", "vi", "pl", "uk", "bn", "", "x1"};
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
    CHECK(pa_search_stemmer(none[i]) == NULL);
  CHECK(pa_search_stemmer(NULL) == NULL);
  static const char *const ours[] = {"ar", "de", "en", "es", "fr", "hi",
                                     "id", "it", "nl", "pt", "ru", "tr"};
  for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
    CHECK(pa_search_stemmer(ours[i]) != NULL);
}

static void refused(void) {
  int n = 7;
  static const char *const bad[] = {
      "\xc3",             /* cut sequence */
      "\xc0\xaf",         /* overlong '/' */
      "\xed\xa0\x80",     /* a surrogate */
      "\xf4\x90\x80\x80", /* past U+10FFFF */
      "ok \xff",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    n = 7;
    CHECK(pa_search_terms("en", bad[i], strlen(bad[i]), out, sizeof out, &n) == PA_SEARCH_EINVAL);
    CHECK(n == 0 && out[0] == 0);
  }
  CHECK(pa_search_terms("en", "a\0b", 3, out, sizeof out, &n) == PA_SEARCH_EINVAL);
  CHECK(pa_search_terms("en", NULL, 0, out, sizeof out, &n) == PA_SEARCH_EINVAL);
  CHECK(pa_search_terms("en", "dog", 3, NULL, 0, &n) == PA_SEARCH_ESPACE);
  CHECK_CONTAINS(pa_search_strerror(PA_SEARCH_EINVAL), "not UTF-8");
  CHECK_CONTAINS(pa_search_strerror(PA_SEARCH_ETOOLONG), "PA_SEARCH_TEXT_MAX");
  CHECK_CONTAINS(pa_search_strerror(PA_SEARCH_EWORDS), "PA_SEARCH_WORDS_MAX");
  CHECK_CONTAINS(pa_search_strerror(12345), "unknown");
}

static void limits(void) {
  static char text[PA_SEARCH_TEXT_MAX + 2];
  int n = 0;
  /* PA_SEARCH_TEXT_MAX bytes: accepted; one more: refused. */
  memset(text, 'a', sizeof text);
  CHECK(pa_search_terms("en", text, PA_SEARCH_TEXT_MAX, out, sizeof out, &n) == PA_SEARCH_OK);
  CHECK(n == 0); /* one word longer than a term: skipped */
  CHECK(pa_search_terms("en", text, PA_SEARCH_TEXT_MAX + 1, out, sizeof out, &n) ==
        PA_SEARCH_ETOOLONG);
  /* A term of PA_SEARCH_TERM_MAX bytes is kept; one byte more, skipped. */
  char word[PA_SEARCH_TERM_MAX + 2];
  memset(word, 'q', sizeof word);
  CHECK(pa_search_terms("pl", word, PA_SEARCH_TERM_MAX, out, sizeof out, &n) == PA_SEARCH_OK);
  CHECK(n == 1 && strlen(out) == PA_SEARCH_TERM_MAX);
  CHECK(pa_search_terms("pl", word, PA_SEARCH_TERM_MAX + 1, out, sizeof out, &n) == PA_SEARCH_OK);
  CHECK(n == 0);
  /* PA_SEARCH_WORDS_MAX words: accepted; one more: refused. */
  size_t len = 0;
  for (int i = 0; i < PA_SEARCH_WORDS_MAX; i++) len += (size_t)snprintf(text + len, 4, "a ");
  CHECK(pa_search_terms("pl", text, len, out, sizeof out, &n) == PA_SEARCH_OK);
  CHECK(n == PA_SEARCH_WORDS_MAX);
  text[len] = 'a';
  CHECK(pa_search_terms("pl", text, len + 1, out, sizeof out, &n) == PA_SEARCH_EWORDS);
  CHECK(n == 0 && out[0] == 0);
  /* The output buffer: exactly enough, and one byte short. */
  CHECK(pa_search_terms("pl", "ab cd", 5, out, 6, &n) == PA_SEARCH_OK && strcmp(out, "ab cd") == 0);
  CHECK(pa_search_terms("pl", "ab cd", 5, out, 5, &n) == PA_SEARCH_ESPACE && out[0] == 0);
  /* The largest text of the worst growth fits PA_SEARCH_OUT_MAX: "ß " folds to "ss". */
  len = 0;
  while (len + 3 <= PA_SEARCH_TEXT_MAX && len / 3 < PA_SEARCH_WORDS_MAX) {
    memcpy(text + len, "\xc3\x9f ", 3);
    len += 3;
  }
  CHECK(pa_search_terms("de", text, len, out, sizeof out, &n) == PA_SEARCH_OK);
}

/* PA_SEARCH_ELISION (the help center's): French and Italian elided
 * articles and pronouns dropped with either apostrophe; other words, other
 * languages and pa_search_terms unchanged. */
static void elision(void) {
  int n = 0;
  const int f = PA_SEARCH_ELISION;
  const char *fr = "l\u2019adresse s'inscrire jusqu'\u00e0 aujourd'hui l'";
  CHECK(pa_search_terms_ex("fr", fr, strlen(fr), out, sizeof out, &n, f) == PA_SEARCH_OK);
  CHECK(n == 5);
  CHECK(has(out, "adress") && has(out, "adresse") && !has(out, "ladress"));
  CHECK(has(out, "inscrir") && has(out, "inscrire") && !has(out, "sinscrir"));
  CHECK(has(out, "a"));
  CHECK(has(out, "aujourdhui")); /* not an elision: kept whole */
  CHECK(has(out, "l"));          /* an apostrophe with nothing after it: the word as it is */
  const char *it = "dell'animale un'amica";
  CHECK(pa_search_terms_ex("it-IT", it, strlen(it), out, sizeof out, &n, f) == PA_SEARCH_OK);
  CHECK(n == 2 && has(out, "animal") && has(out, "amic") && !has(out, "dellanimal"));
  /* English keeps its contractions as they were; so does pa_search_terms in French. */
  CHECK(pa_search_terms_ex("en", "don't l'adresse", 15, out, sizeof out, &n, f) == PA_SEARCH_OK);
  CHECK(has(out, "dont") && has(out, "ladress"));
  CHECK(terms("fr", "l'adresse", &n) == PA_SEARCH_OK && has(out, "ladress"));
}

int main(void) {
  RUN(issue_examples);
  RUN(elision);
  RUN(scripts);
  RUN(stemmers);
  RUN(refused);
  RUN(limits);
  return pa_test_summary("search");
}
