/* pa_store_textindex — full-text search over any kind of row (issue 20):
 * a listing, later perhaps a post, is put with its text and its locale and
 * found by what someone types, in any of our 20 locales.
 *
 * The text is analyzed by pa_search_terms (search/search.h: ICU words,
 * folded, Snowball-stemmed, diacritics removed) and the terms are stored
 * pre-analyzed, so neither engine parses words itself: SQLite keeps them in
 * an FTS5 table (external content over text_docs, ranked by bm25),
 * PostgreSQL in a GIN index over array_to_tsvector of the same terms
 * (ranked by ts_rank, shorter documents first among equals as bm25 does).
 *
 * Another language than the listing's: every word is indexed both as its
 * stem in the listing's language and as the written word (folded, without
 * diacritics), and the query is analyzed in the searcher's locale, each of
 * its words matching by its stem or by its written form. So a Spanish
 * listing is found from Spanish by any inflection ("cama perro" finds
 * "Camas … perros"), and from English by the words as written ("perros").
 * The last query word also matches as a prefix (people type).
 *
 * How listings use it (the SQL lives in store/sql/, as always):
 *  - write: pa_store_textindex_put("listing", id, locale, title + "\n" +
 *    body) in the transaction that writes the listing, and
 *    pa_store_textindex_delete when it goes (no foreign key: the index
 *    serves any kind; a listing query joins on it, so a forgotten row is
 *    never shown, only kept);
 *  - search with filters: store/sql/listings.c builds the match text with
 *    the full-text match builder of store/sql/sql.h and joins text_docs on
 *    (kind = 'listing', ref_id = listings.id) with its own WHERE (category,
 *    price, place), ordering by the same rank; see that function's comment
 *    for the two engines' fragments. pa_store_textindex_query below is the
 *    plain ranked walk, and the tests' and benchmark's way in. */
#ifndef PA_STORE_TEXTINDEX_H
#define PA_STORE_TEXTINDEX_H

#include "store/store.h"

#include <stdint.h>

enum {
  PA_STORE_TEXTINDEX_KIND_MAX = 16,   /* bytes of a kind: a-z and '_' */
  PA_STORE_TEXTINDEX_LOCALE_MAX = 15, /* bytes of a locale (BCP 47: letters, digits, '-') */
  PA_STORE_TEXTINDEX_QUERY_MAX = 256, /* bytes of what someone typed */
  PA_STORE_TEXTINDEX_QUERY_WORDS = 8, /* words of a query, once analyzed */
  PA_STORE_TEXTINDEX_PAGE_MAX = 100,  /* ids of one page */
  PA_STORE_TEXTINDEX_DEPTH_MAX = 1000 /* ids listed before a page may start (offset paging) */
};

/* Indexes text (UTF-8, at most PA_SEARCH_TEXT_MAX bytes) as the row id of
 * kind, in locale, replacing what that row had. PA_STORE_EINVAL (with the
 * analyzer's words in pa_store_errmsg) for a bad kind, locale or text.
 * Allocates nothing that outlives the call. */
int pa_store_textindex_put(pa_store *db, const char *kind, int64_t id, const char *locale,
                           const char *text);

/* Removes the row id of kind from the index; PA_STORE_ENOTFOUND when it
 * was not there. */
int pa_store_textindex_delete(pa_store *db, const char *kind, int64_t id);

/* The locale the row id of kind was indexed in, into locale (cut to its
 * size); PA_STORE_ENOTFOUND when it is not indexed. One primary-key
 * lookup: what scripts/bench-search measures the query against. */
int pa_store_textindex_locale(pa_store *db, const char *kind, int64_t id,
                              char locale[PA_STORE_TEXTINDEX_LOCALE_MAX + 1]);

typedef int (*pa_store_textindex_fn)(void *ctx, int64_t id);

/* The ids of kind whose text matches q (analyzed in locale, the
 * searcher's), best first (ties by id), limit (1..PA_STORE_TEXTINDEX_PAGE_MAX)
 * at a time. Pages go by offset, as store/search.h's tags: after NULL
 * starts at the best; after->created_at is the number already listed
 * (after->id is not read), at most PA_STORE_TEXTINDEX_DEPTH_MAX, and
 * next->created_at the number listed once this page is. A query with no
 * words (only punctuation, say) finds nothing. PA_STORE_EINVAL for a q
 * longer than PA_STORE_TEXTINDEX_QUERY_MAX bytes or of more than
 * PA_STORE_TEXTINDEX_QUERY_WORDS words, or not UTF-8. */
int pa_store_textindex_query(pa_store *db, const char *kind, const char *locale, const char *q,
                             const pa_store_cursor *after, int limit, pa_store_textindex_fn fn,
                             void *ctx, pa_store_cursor *next, int *more);

#endif
