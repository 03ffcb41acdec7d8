/* pa_store_help — the help center's articles and their retrieval (issue 23;
 * contract §2). Articles come from the help folder (locales/help/<locale>.json,
 * loaded at server start by pa_store_help_load) into help_articles, one row
 * per (slug, locale), each with its terms analyzed by the issue-20 analyzer
 * (search/search.h: ICU words, folded, Snowball-stemmed per locale).
 *
 * Ranking is BM25 on both engines over the articles of one locale:
 *  - SQLite: FTS5 over help_fts, ranked by pa_bm25 (an FTS5 auxiliary
 *    function of store/sqlite/driver.c: FTS5's bm25() with column weights,
 *    title and keywords above summary, summary above body, but with the
 *    asker's locale's N and average length — the built-in takes the whole
 *    table's); terms are stored with their locale in front of them, so a
 *    term's document frequency is counted in its own locale only;
 *  - PostgreSQL: the same formula (k1 1.2, b 0.75, the same weights and
 *    terms) written out in SQL, with N and the average length of the
 *    asker's locale.
 * A question's words are OR-ed (a question is not an AND of its words);
 * stop words are left to IDF (a word in every article weighs almost
 * nothing), so no per-language lists are kept. */
#ifndef PA_STORE_HELP_H
#define PA_STORE_HELP_H

#include "store/store.h"

#include <stdint.h>

enum {
  PA_STORE_HELP_QUESTION_MAX = 500, /* bytes of a question (or a search box's text) */
  /* words of a question, once analyzed: 500 bytes of Chinese or Japanese
   * (3 bytes a character) are at most ~166 words, all accepted; only runs of
   * 1-letter words are refused past it */
  PA_STORE_HELP_QUESTION_WORDS = 200,
  PA_STORE_HELP_RESULTS_MAX = 10,    /* hits of one search */
  PA_STORE_HELP_SLUG_MAX = 47,       /* bytes of a slug: a-z, 0-9, '-' */
  PA_STORE_HELP_LOCALE_MAX = 15,     /* bytes of a locale tag */
  PA_STORE_HELP_SECTION_MAX = 31,    /* bytes of a section id: a-z, '-' */
  PA_STORE_HELP_TITLE_MAX = 255,     /* bytes of a title (and of a section's title) */
  PA_STORE_HELP_SUMMARY_MAX = 511,   /* bytes of a summary */
  PA_STORE_HELP_BODY_MAX = 8191,     /* bytes of a body */
  PA_STORE_HELP_KEYWORDS_MAX = 2047, /* bytes of an article's keywords */
  PA_STORE_HELP_ARTICLES_MAX = 256,  /* articles of one locale the loader accepts */
  PA_STORE_HELP_FILE_MAX = 4194304   /* bytes of one locales/help/<locale>.json */
};

typedef struct pa_store_help_hit {
  char slug[48];
  char locale[16];
  char title[256];
  char summary[512];
  double score; /* higher is better; only comparable within one search */
} pa_store_help_hit;

/* The contract's name for both the struct and the function: C keeps a
 * struct's tag apart from functions, so the struct is spelled with its tag
 * (struct pa_store_help_article) and has the typedef pa_store_help_doc. */
typedef struct pa_store_help_article {
  char slug[48];
  char locale[16]; /* the locale served: the one asked for, its language's, else "en" */
  char section[32];
  char section_title[256];
  char title[256];
  char summary[512];
  char body[8192];
  int64_t updated_at; /* when this article's text last changed in this locale */
} pa_store_help_doc;

/* The best articles for question (UTF-8, at most PA_STORE_HELP_QUESTION_MAX
 * bytes and PA_STORE_HELP_QUESTION_WORDS words once analyzed) in locale
 * (the asker's; when it has no articles, its language's — "es-MX" is
 * served "es", any "zh-…" "zh-Hans" — else "en"), best first (ties by slug),
 * at most limit (1..PA_STORE_HELP_RESULTS_MAX) into out (caller-owned, limit
 * entries); *n the number found (0 for a question with no words, or no
 * word any article holds). PA_STORE_EINVAL for a bad locale, limit or
 * question (too long, too many words, not UTF-8). Allocates nothing that
 * outlives the call. */
int pa_store_help_search(pa_store *db, const char *locale, const char *question, int limit,
                         pa_store_help_hit *out, int *n);

/* Article slug in locale (or its language's, as pa_store_help_search
 * serves it), or in "en" when that has no such article (a->locale says which); caller-owned fields,
 * cut to their sizes. PA_STORE_ENOTFOUND when neither has it; PA_STORE_EINVAL for a malformed slug
 * or locale. */
int pa_store_help_article(pa_store *db, const char *slug, const char *locale,
                          struct pa_store_help_article *a);

typedef struct pa_store_help_entry {
  const char *slug;
  const char *section;
  const char *section_title;
  const char *title;
  const char *summary;
} pa_store_help_entry;
typedef int (*pa_store_help_entry_fn)(void *ctx, const pa_store_help_entry *e);

/* The articles of locale (served as pa_store_help_search does; *served says which,
 * caller-owned, 16 bytes) in the help folder's order, sections in the order
 * of their first article, each to fn (strings valid during the call).
 * PA_STORE_EABORT when fn returned non-zero. */
int pa_store_help_list(pa_store *db, const char *locale, char served[16], pa_store_help_entry_fn fn,
                       void *ctx);

/* Up to max other articles of slug's section in locale (or "en"), in the
 * folder's order, each to fn (only slug and title are set). */
int pa_store_help_related(pa_store *db, const char *slug, const char *locale, int max,
                          pa_store_help_entry_fn fn, void *ctx);

typedef struct pa_store_help_load_stats {
  int files;     /* locale files read */
  int articles;  /* articles found in them */
  int indexed;   /* articles written (new or changed digest) */
  int unchanged; /* articles whose digest was the stored one */
  int removed;   /* stored articles no longer in the files */
} pa_store_help_load_stats;

/* Loads the help folder dir (every <locale>.json in it: flat JSON, keys
 * help.<slug>.title|summary|body|keywords|section and help.section.<id>)
 * into help_articles in one transaction: an article whose digest (SHA-256
 * of its fields) is the stored one is left alone, a changed or new one is
 * analyzed and written with updated_at = now, and a stored one no longer in
 * the files is deleted. A file that is not valid JSON, or an article that
 * lacks a field or breaks a cap, fails the whole load (nothing written;
 * err says which file and key). Allocates nothing that outlives the call. */
int pa_store_help_load(pa_store *db, const char *dir, int64_t now, pa_store_help_load_stats *stats,
                       char *err, size_t errlen);

#endif
