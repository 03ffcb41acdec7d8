/* The store's statement seam (store/sql/sql.h) at its limits, on a real
 * database: PA_SQ_PARAMS_MAX for the store's cached statements and
 * PA_SQ_PARAMS_DYNAMIC_MAX for built ones, each at its last accepted and
 * first refused count, with the message a refusal records, and
 * PA_SQ_STMT_CACHE (256 statements kept, the 257th refused); and, without a
 * database, pa_store_is_pg_url (which picks the engine) and the feed
 * cursor's text (PA_STORE_CURSOR_MAX) at their edges.
 *
 * test_store [URL]: with no argument (ctest) on a SQLite file in a temporary
 * folder; with a postgresql:// URL on that database, which must be empty
 * (tests/server/store-seam.test.mjs runs it on a database of the test
 * cluster). The statements need no table, so the schema is made only after
 * them, for the full-text index (store/textindex.h): the examples,
 * ranking, prefixes, pages, replacing and deleting, query syntax of either
 * engine in the text, and its limits at their edges — the same checks on
 * both engines. And the leases (store/lease.h, schema 46): free, held by
 * another until its time (one second before and at it), renewed by its
 * holder, released (only by its holder), and the names' and holders' sizes
 * at their edge. */
#include "pa_test.h"
#include "search/search.h"
#include "store/lease.h"
#include "store/sql/sql.h"
#include "store/store.h"
#include "store/textindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pa_store *db;

/* Cached statements are keyed by their text's address: static arrays. */
enum { SUM_TEXT = 16 * PA_SQ_PARAMS_MAX + 64 };
static char sum_max[SUM_TEXT], sum_over[SUM_TEXT], sum_quoted[SUM_TEXT];

/* "SELECT ?1 + ?2 + ... + ?n" and then tail. */
static void sum_sql(char *out, size_t cap, int n, const char *tail) {
  size_t len = (size_t)snprintf(out, cap, "SELECT ");
  for (int i = 1; i <= n; i++)
    len += (size_t)snprintf(out + len, cap - len, "%s?%d", i > 1 ? " + " : "", i);
  snprintf(out + len, cap - len, "%s", tail);
}

/* "SELECT count(*), sum(column1) FROM (VALUES (?1), ..., (?n)) AS v": one
 * parameter per row, so neither engine's limit on columns or on the depth
 * of an expression comes first (both name VALUES' column column1). */
static char *values_sql(int n) {
  size_t cap = 64 + (size_t)n * 12;
  char *out = malloc(cap);
  if (!out) return NULL;
  size_t len = (size_t)snprintf(out, cap, "SELECT count(*), sum(column1) FROM (VALUES ");
  for (int i = 1; i <= n; i++)
    len += (size_t)snprintf(out + len, cap - len, "%s(?%d)", i > 1 ? ", " : "", i);
  snprintf(out + len, cap - len, ") AS v");
  return out;
}

static void cursor_edges(void) {
  /* The longest position there is: base64 of the 43 characters
   * "v1.-9223372036854775808.9223372036854775807" is 58, well inside
   * PA_STORE_CURSOR_MAX, and comes back whole. */
  pa_store_cursor far = {INT64_MIN, INT64_MAX}, back = {0, 0};
  char text[PA_STORE_CURSOR_MAX];
  pa_store_cursor_encode(&far, text);
  CHECK(strlen(text) == 58);
  CHECK(pa_store_cursor_decode(text, &back) == PA_STORE_OK);
  CHECK(back.created_at == INT64_MIN && back.id == INT64_MAX);
  /* id 0 is no row's: refused even though it encodes. */
  pa_store_cursor_encode(&(pa_store_cursor){1, 0}, text);
  CHECK(pa_store_cursor_decode(text, &back) == PA_STORE_EINVAL);
  /* Text of PA_STORE_CURSOR_MAX characters is refused before decoding. */
  char longest[PA_STORE_CURSOR_MAX + 1];
  memset(longest, 'A', PA_STORE_CURSOR_MAX);
  longest[PA_STORE_CURSOR_MAX] = '\0';
  CHECK(pa_store_cursor_decode(longest, &back) == PA_STORE_EINVAL);
  CHECK(pa_store_cursor_decode("", &back) == PA_STORE_EINVAL);
  CHECK(pa_store_cursor_decode(NULL, &back) == PA_STORE_EINVAL);
}

static void is_pg_url(void) {
  CHECK(pa_store_is_pg_url("postgresql://"));
  CHECK(pa_store_is_pg_url("postgres://"));
  CHECK(pa_store_is_pg_url("postgresql://pa@127.0.0.1:5432/pa"));
  CHECK(pa_store_is_pg_url("postgres://h/d"));
  /* libpq's prefixes are case-sensitive: this is a file name to it. */
  CHECK(!pa_store_is_pg_url("POSTGRESQL://h/d"));
  CHECK(!pa_store_is_pg_url("Postgres://h/d"));
  CHECK(!pa_store_is_pg_url("postgresql:/x"));
  CHECK(!pa_store_is_pg_url("postgresql:"));
  CHECK(!pa_store_is_pg_url("postgres:/"));
  CHECK(!pa_store_is_pg_url("postgresq://h/d"));
  CHECK(!pa_store_is_pg_url(" postgresql://h/d"));
  CHECK(!pa_store_is_pg_url("/data/petamigos.db"));
  CHECK(!pa_store_is_pg_url(""));
  CHECK(!pa_store_is_pg_url(NULL));
}

/* The counting alone, where no database is needed. */
static void params_counted(void) {
  char err[96];
  int n = -1;
  CHECK(pa_sq_params("SELECT 1", 16, &n, err, sizeof err) == PA_SQ_OK && n == 0);
  CHECK(pa_sq_params("", 16, &n, err, sizeof err) == PA_SQ_OK && n == 0);
  CHECK(pa_sq_params("?16 ?1 ?3", 16, &n, err, sizeof err) == PA_SQ_OK && n == 16);
  /* Inside a string or a quoted identifier a question mark is text. */
  CHECK(pa_sq_params("?2 '?17' \"?99\"", 16, &n, err, sizeof err) == PA_SQ_OK && n == 2);
  CHECK(pa_sq_params("?17", 16, &n, err, sizeof err) == PA_SQ_ERROR);
  CHECK_CONTAINS(err, "parameter ?17: a statement has at most 16 parameters");
  CHECK(pa_sq_params("?0", 16, &n, err, sizeof err) == PA_SQ_ERROR);
  CHECK_CONTAINS(err, "?0: parameters are numbered from ?1");
  /* A number far past any int: refused, and no overflow (UBSan watches). */
  CHECK(pa_sq_params("?99999999999999999999", 16, &n, err, sizeof err) == PA_SQ_ERROR);
  CHECK_CONTAINS(err, "?99999999999999999999:");
  CHECK(pa_sq_params("?4096", PA_SQ_PARAMS_DYNAMIC_MAX, &n, err, sizeof err) == PA_SQ_OK &&
        n == PA_SQ_PARAMS_DYNAMIC_MAX);
  CHECK(pa_sq_params("?4097", PA_SQ_PARAMS_DYNAMIC_MAX, &n, err, sizeof err) == PA_SQ_ERROR);
}

/* PA_SQ_PARAMS_MAX parameters run; one more is refused before the driver
 * sees the text, the same words on either engine. */
static void params_cached(void) {
  sum_sql(sum_max, sizeof sum_max, PA_SQ_PARAMS_MAX, "");
  sum_sql(sum_over, sizeof sum_over, PA_SQ_PARAMS_MAX + 1, "");
  sum_sql(sum_quoted, sizeof sum_quoted, PA_SQ_PARAMS_MAX, ", '?17'");

  pa_sql_stmt *st = pa_sq_stmt(db, sum_max);
  CHECK(st != NULL);
  if (!st) {
    fprintf(stderr, "  %s\n", pa_store_errmsg(db));
    return;
  }
  int rc = PA_SQ_OK;
  for (int i = 1; i <= PA_SQ_PARAMS_MAX && rc == PA_SQ_OK; i++) rc = pa_sq_bind_i64(st, i, i);
  CHECK(rc == PA_SQ_OK);
  /* A parameter the statement lacks is refused by either driver. */
  CHECK(pa_sq_bind_i64(st, PA_SQ_PARAMS_MAX + 1, 1) != PA_SQ_OK);
  CHECK(pa_sq_bind_i64(st, 0, 1) != PA_SQ_OK);
  CHECK(pa_sq_step(st) == PA_SQ_ROW);
  CHECK(pa_sq_i64(st, 0) == PA_SQ_PARAMS_MAX * (PA_SQ_PARAMS_MAX + 1) / 2);
  pa_sq_done(st);

  CHECK(pa_sq_stmt(db, sum_over) == NULL);
  CHECK_CONTAINS(
      pa_store_errmsg(db),
      "prepare: parameter ?17: a statement has at most 16 parameters (PA_SQ_PARAMS_MAX)");
  /* Refused every time, not only the first (nothing was cached). */
  CHECK(pa_sq_stmt(db, sum_over) == NULL);

  /* '?17' in a string is text, not a seventeenth parameter. */
  st = pa_sq_stmt(db, sum_quoted);
  CHECK(st != NULL);
  if (st) {
    CHECK(pa_sq_bind_i64s(st, PA_SQ_PARAMS_MAX, (int64_t[PA_SQ_PARAMS_MAX]){[15] = 5}) == PA_SQ_OK);
    CHECK(pa_sq_step(st) == PA_SQ_ROW);
    CHECK(pa_sq_i64(st, 0) == 5);
    CHECK(pa_sq_text(st, 1) && strcmp(pa_sq_text(st, 1), "?17") == 0);
    pa_sq_done(st);
  }

  CHECK(pa_sq_stmt(db, "SELECT ?0") == NULL);
  CHECK_CONTAINS(pa_store_errmsg(db), "parameters are numbered from ?1");

  /* Parameters the seam does not count (SQLite's ?, :name, @name) would
   * get past the limit: SQLite's driver refuses them at prepare;
   * PostgreSQL has no such syntax and refuses the text when it runs. */
  static const char *const uncounted[] = {"SELECT ?", "SELECT :name", "SELECT ?1 + @a"};
  for (size_t i = 0; i < sizeof uncounted / sizeof uncounted[0]; i++) {
    pa_sql_stmt *u = pa_sq_stmt(db, uncounted[i]);
    if (strcmp(pa_store_kind(db), "sqlite") == 0) {
      CHECK(u == NULL);
      CHECK_CONTAINS(pa_store_errmsg(db), "prepare: a parameter other than ?1..?");
    } else {
      CHECK(u != NULL && pa_sq_step(u) == PA_SQ_ERROR);
    }
    pa_sq_done(u);
  }
}

/* PA_SQ_PARAMS_DYNAMIC_MAX parameters run (the port's batches go up to it);
 * one more is refused. */
static void params_dynamic(void) {
  char *max = values_sql(PA_SQ_PARAMS_DYNAMIC_MAX),
       *over = values_sql(PA_SQ_PARAMS_DYNAMIC_MAX + 1);
  CHECK(max && over);
  if (!max || !over) {
    free(max);
    free(over);
    return;
  }
  pa_sql_stmt *st = pa_sq_prepare_dynamic(db, max);
  CHECK(st != NULL);
  if (st) {
    int rc = PA_SQ_OK;
    for (int i = 1; i <= PA_SQ_PARAMS_DYNAMIC_MAX && rc == PA_SQ_OK; i++)
      rc = pa_sq_bind_i64(st, i, i);
    CHECK(rc == PA_SQ_OK);
    CHECK(pa_sq_bind_i64(st, PA_SQ_PARAMS_DYNAMIC_MAX + 1, 1) != PA_SQ_OK);
    CHECK(pa_sq_step(st) == PA_SQ_ROW);
    CHECK(pa_sq_i64(st, 0) == PA_SQ_PARAMS_DYNAMIC_MAX);
    CHECK(pa_sq_i64(st, 1) ==
          (int64_t)PA_SQ_PARAMS_DYNAMIC_MAX * (PA_SQ_PARAMS_DYNAMIC_MAX + 1) / 2);
    CHECK(pa_sq_step(st) == PA_SQ_DONE);
    pa_sq_finalize(st);
  } else {
    fprintf(stderr, "  %s\n", pa_store_errmsg(db));
  }
  CHECK(pa_sq_prepare_dynamic(db, over) == NULL);
  CHECK_CONTAINS(pa_store_errmsg(db), "prepare: parameter ?4097: a statement has at most 4096 "
                                      "parameters (PA_SQ_PARAMS_DYNAMIC_MAX)");
  free(max);
  free(over);
}

/* A connection keeps PA_SQ_STMT_CACHE statements; one more is refused with
 * a message, and the kept ones are still found. Run on a connection of its
 * own, so the count starts at zero. */
static const char *where_open;
static char many[PA_SQ_STMT_CACHE + 1][24];

static void stmt_cache(void) {
  pa_store *own = NULL;
  char err[256];
  CHECK(pa_store_open(where_open, 1, &own, err, sizeof err) == PA_STORE_OK);
  if (!own) return;
  int kept = 0;
  for (int i = 0; i < PA_SQ_STMT_CACHE; i++) {
    snprintf(many[i], sizeof many[i], "SELECT %d", i);
    kept += pa_sq_stmt(own, many[i]) != NULL;
  }
  CHECK(kept == PA_SQ_STMT_CACHE);
  snprintf(many[PA_SQ_STMT_CACHE], sizeof many[0], "SELECT %d", PA_SQ_STMT_CACHE);
  CHECK(pa_sq_stmt(own, many[PA_SQ_STMT_CACHE]) == NULL);
  CHECK_CONTAINS(pa_store_errmsg(own),
                 "statement cache full: more than 256 statements (PA_SQ_STMT_CACHE)");
  pa_sql_stmt *st = pa_sq_stmt(own, many[PA_SQ_STMT_CACHE - 1]);
  CHECK(st != NULL);
  if (st) {
    CHECK(pa_sq_step(st) == PA_SQ_ROW && pa_sq_i64(st, 0) == PA_SQ_STMT_CACHE - 1);
    pa_sq_done(st);
  }
  pa_store_close(own);
}

/* ---- the full-text index (store/textindex.h) */

enum { IDS_MAX = 64 };
typedef struct ids {
  int n;
  int64_t id[IDS_MAX];
} ids;

static int collect(void *ctx, int64_t id) {
  ids *l = ctx;
  if (l->n < IDS_MAX) l->id[l->n++] = id;
  return 0;
}

/* The first page of kind's ids matching q in locale, as "1,2,3" ("" for
 * none, "error" when the query failed). */
static const char *found(const char *kind, const char *locale, const char *q) {
  static char out[IDS_MAX * 8];
  ids l = {0};
  pa_store_cursor next;
  int more = 0;
  if (pa_store_textindex_query(db, kind, locale, q, NULL, PA_STORE_TEXTINDEX_PAGE_MAX, collect, &l,
                               &next, &more) != PA_STORE_OK)
    return "error";
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < l.n; i++)
    len +=
        (size_t)snprintf(out + len, sizeof out - len, "%s%lld", i ? "," : "", (long long)l.id[i]);
  return out;
}

static void put(const char *kind, int64_t id, const char *locale, const char *text) {
  int rc = pa_store_textindex_put(db, kind, id, locale, text);
  CHECK(rc == PA_STORE_OK);
  if (rc != PA_STORE_OK)
    fprintf(stderr, "put %s %lld: %s\n", kind, (long long)id, pa_store_errmsg(db));
}

static void text_examples(void) {
  put("listing", 1, "es", "Camas ortopédicas para perros grandes");
  put("listing", 2, "pt-BR", "Cama ortopédica para cachorro");
  put("listing", 3, "ja", "大型犬用の低反発ベッド");
  put("listing", 4, "th", "ที่นอนสำหรับสุนัขขนาดใหญ่");
  put("listing", 5, "zh-Hans", "大型犬的骨科狗床");
  put("listing", 6, "ar", "سرير كبير للكلاب");
  put("listing", 7, "ru", "Ортопедические кровати для больших собак");
  CHECK(strcmp(found("listing", "es", "cama perro"), "1") == 0);
  CHECK(strcmp(found("listing", "pt-BR", "cama cachorro"), "2") == 0);
  CHECK(strcmp(found("listing", "ja", "ベッド"), "3") == 0);
  CHECK(strcmp(found("listing", "th", "สุนัข"), "4") == 0);
  CHECK(strcmp(found("listing", "zh-Hans", "狗床"), "5") == 0);
  CHECK(strcmp(found("listing", "ar", "الكلاب"), "6") == 0);
  CHECK(strcmp(found("listing", "ru", "большая собака"), "7") == 0);
  /* Both Iberian beds by "cama" (stem cam); ranked, then by id. */
  CHECK(strcmp(found("listing", "es", "cama"), "2,1") == 0 ||
        strcmp(found("listing", "es", "cama"), "1,2") == 0);
  /* From another language, by the written word. */
  CHECK(strcmp(found("listing", "en", "perros"), "1") == 0);
  CHECK(strcmp(found("listing", "es", "gato"), "") == 0);
  /* Another kind is another index. */
  CHECK(strcmp(found("post", "es", "cama perro"), "") == 0);
}

static void text_rank_prefix(void) {
  /* The short title about beds before the long text that mentions one. */
  put("rank", 1, "en",
      "Large dog beds for older dogs: a long guide to sleeping well, with "
      "notes on foam, covers, washing, sizes and prices");
  put("rank", 2, "en", "Dog bed");
  put("rank", 3, "en", "Cat tree");
  CHECK(strcmp(found("rank", "en", "dog bed"), "2,1") == 0);
  CHECK(strcmp(found("rank", "en", "cats"), "3") == 0);
  /* The last word is a prefix; the others are whole words. Polish has no
   * stemmer, so the terms are the words. */
  put("prefix", 1, "pl", "Duże łóżko dla psa");
  CHECK(strcmp(found("prefix", "pl", "łóż"), "1") == 0);
  CHECK(strcmp(found("prefix", "pl", "duże łó"), "1") == 0);
  CHECK(strcmp(found("prefix", "pl", "łóż duże"), "") == 0);
  CHECK(strcmp(found("prefix", "pl", "LOZKO"), "1") == 0); /* folded, no diacritics */
}

static void text_pages(void) {
  /* 25 documents of one length: one rank, so id orders them. */
  for (int i = 1; i <= 25; i++) put("page", i, "en", "dog bowl");
  pa_store_cursor at = {0, 0}, next;
  int64_t want = 1, pages = 0;
  for (int more = 1; more; pages++) {
    ids l = {0};
    CHECK(pa_store_textindex_query(db, "page", "en", "bowl", pages ? &at : NULL, 10, collect, &l,
                                   &next, &more) == PA_STORE_OK);
    for (int i = 0; i < l.n; i++) CHECK(l.id[i] == want++);
    CHECK(next.created_at == at.created_at + l.n);
    CHECK(more == (next.created_at < 25));
    at = next;
    if (pages > 5) break;
  }
  CHECK(pages == 3 && want == 26);
  /* Replaced, then deleted. */
  put("page", 3, "en", "cat bowl");
  CHECK(strcmp(found("page", "en", "cat"), "3") == 0);
  CHECK(pa_store_textindex_delete(db, "page", 3) == PA_STORE_OK);
  CHECK(strcmp(found("page", "en", "cat"), "") == 0);
  CHECK(pa_store_textindex_delete(db, "page", 3) == PA_STORE_ENOTFOUND);
  char locale[PA_STORE_TEXTINDEX_LOCALE_MAX + 1];
  CHECK(pa_store_textindex_locale(db, "page", 3, locale) == PA_STORE_ENOTFOUND && !locale[0]);
  CHECK(pa_store_textindex_locale(db, "listing", 2, locale) == PA_STORE_OK);
  CHECK(strcmp(locale, "pt-BR") == 0);
  CHECK(strcmp(found("listing", "pt-BR", "cama cachorro"), "2") == 0);
  CHECK(pa_store_textindex_delete(db, "listing", 2) == PA_STORE_OK);
  CHECK(strcmp(found("listing", "pt-BR", "cama cachorro"), "") == 0);
}

/* Either engine's query syntax, in a document and in a query: only words. */
static void text_syntax(void) {
  put("syntax", 1, "en", "It's a \"dog\" bed * : & | ! ( ) ' \\ -- ; NOT AND OR NEAR");
  static const char *const noise[] = {"'",
                                      "\"",
                                      "*",
                                      ":",
                                      "&",
                                      "|",
                                      "!",
                                      "(",
                                      ")",
                                      "\\",
                                      "--",
                                      ";",
                                      "'; DROP TABLE text_docs; --",
                                      "\x01\x1f",
                                      "\"\"",
                                      "':*",
                                      "*:*",
                                      "!!",
                                      "& |"};
  for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
    CHECK(strcmp(found("syntax", "en", noise[i]), "") == 0);
  CHECK(strcmp(found("syntax", "en", "dog\""), "1") == 0);
  CHECK(strcmp(found("syntax", "en", "'dog' | bed"), "1") == 0);
  CHECK(strcmp(found("syntax", "en", "dog & !bed"), "1") == 0);
  CHECK(strcmp(found("syntax", "en", "\"dog\" NOT"), "1") == 0); /* words, not operators */
  CHECK(strcmp(found("syntax", "en", "NEAR(dog bed)"), "1") == 0);
  CHECK(strcmp(found("syntax", "en", "its"), "1") == 0);
  CHECK(strcmp(found("syntax", "en", "cat OR dog"), "") == 0);
  /* A NUL ends a C string: the analyzer refuses one inside its length
   * (web/tests/test_search.c); here the text simply ends there. */
  put("syntax", 2, "en", "fish\0bird");
  CHECK(strcmp(found("syntax", "en", "fish"), "2") == 0);
  CHECK(strcmp(found("syntax", "en", "bird"), "") == 0);
  /* Not UTF-8: refused with the analyzer's words, in a query and a text. */
  CHECK(strcmp(found("syntax", "en", "dog \xff"), "error") == 0);
  CHECK_CONTAINS(pa_store_errmsg(db), "not UTF-8");
  CHECK(pa_store_textindex_put(db, "syntax", 3, "en", "\xc3") == PA_STORE_EINVAL);
  /* The table is still there and whole. */
  CHECK(strcmp(found("syntax", "en", "dog"), "1") == 0);
}

static void text_limits(void) {
  ids l = {0};
  pa_store_cursor next, at = {PA_STORE_TEXTINDEX_DEPTH_MAX, 0};
  int more;
  /* Page size, depth. */
  CHECK(pa_store_textindex_query(db, "page", "en", "dog", NULL, PA_STORE_TEXTINDEX_PAGE_MAX,
                                 collect, &l, &next, &more) == PA_STORE_OK);
  CHECK(pa_store_textindex_query(db, "page", "en", "dog", NULL, PA_STORE_TEXTINDEX_PAGE_MAX + 1,
                                 collect, &l, &next, &more) == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_query(db, "page", "en", "dog", NULL, 0, collect, &l, &next, &more) ==
        PA_STORE_EINVAL);
  CHECK(pa_store_textindex_query(db, "page", "en", "dog", &at, 10, collect, &l, &next, &more) ==
        PA_STORE_OK);
  at.created_at++;
  CHECK(pa_store_textindex_query(db, "page", "en", "dog", &at, 10, collect, &l, &next, &more) ==
        PA_STORE_EINVAL);
  /* Query bytes and words. */
  char q[PA_STORE_TEXTINDEX_QUERY_MAX + 2];
  memset(q, 'a', sizeof q);
  q[PA_STORE_TEXTINDEX_QUERY_MAX] = 0; /* one word too long to be a term: no words */
  CHECK(strcmp(found("page", "en", q), "") == 0);
  q[PA_STORE_TEXTINDEX_QUERY_MAX] = 'a';
  q[PA_STORE_TEXTINDEX_QUERY_MAX + 1] = 0;
  CHECK(strcmp(found("page", "en", q), "error") == 0);
  CHECK_CONTAINS(pa_store_errmsg(db), "longer than 256 bytes");
  CHECK(strcmp(found("page", "en", "dog dog dog dog dog dog dog bowl"), "1,2,4,5,6,7,8,9,10,11,"
                                                                        "12,13,14,15,16,17,18,19,"
                                                                        "20,21,22,23,24,25") == 0);
  CHECK(strcmp(found("page", "en", "dog dog dog dog dog dog dog dog bowl"), "error") == 0);
  CHECK_CONTAINS(pa_store_errmsg(db), "more than 8 words");
  /* Kind and locale. */
  CHECK(pa_store_textindex_put(db, "abcdefghijklmnop", 1, "en", "dog") == PA_STORE_OK);
  CHECK(pa_store_textindex_put(db, "abcdefghijklmnopq", 1, "en", "dog") == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_put(db, "Listing", 1, "en", "dog") == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_put(db, "", 1, "en", "dog") == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_put(db, "edge", 1, "abcdefghijklmno", "dog") == PA_STORE_OK);
  CHECK(pa_store_textindex_put(db, "edge", 1, "abcdefghijklmnop", "dog") == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_put(db, "edge", 1, "e", "dog") == PA_STORE_EINVAL);
  CHECK(pa_store_textindex_put(db, "edge", 1, "en'", "dog") == PA_STORE_EINVAL);
  /* Text: PA_SEARCH_TEXT_MAX bytes of the worst growth stored; one more refused. */
  static char text[PA_SEARCH_TEXT_MAX + 2];
  size_t len = 0;
  while (len + 3 <= PA_SEARCH_TEXT_MAX && len / 3 < PA_SEARCH_WORDS_MAX) {
    memcpy(text + len, "\xc3\x9f ", 3); /* "ß " folds to "ss" */
    len += 3;
  }
  while (len < PA_SEARCH_TEXT_MAX) text[len++] = ' ';
  text[len] = 0;
  CHECK(pa_store_textindex_put(db, "edge", 2, "de", text) == PA_STORE_OK);
  CHECK(strcmp(found("edge", "de", "SS"), "2") == 0);
  text[len] = 'x';
  text[len + 1] = 0;
  CHECK(pa_store_textindex_put(db, "edge", 3, "de", text) == PA_STORE_EINVAL);
  CHECK_CONTAINS(pa_store_errmsg(db), "PA_SEARCH_TEXT_MAX");
}

/* The lease "chores" as the table keeps it: "holder until" or "". */
static const char *lease_row(void) {
  static char out[160];
  out[0] = 0;
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT holder, until_s FROM leases WHERE name = 'chores'");
  if (st && pa_sq_step(st) == PA_SQ_ROW)
    snprintf(out, sizeof out, "%s %lld", pa_sq_text(st, 0), (long long)pa_sq_i64(st, 1));
  pa_sq_done(st);
  return out;
}

static void lease_edges(void) {
  int held = -1;
  /* Free: taken until now + ttl. */
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1000, 30, &held) == PA_STORE_OK && held == 1);
  CHECK(strcmp(lease_row(), "node-a 1030") == 0);
  /* Another's, up to the last second before its time: left alone. */
  CHECK(pa_store_lease_take(db, "chores", "node-b", 1000, 30, &held) == PA_STORE_OK && held == 0);
  CHECK(pa_store_lease_take(db, "chores", "node-b", 1029, 30, &held) == PA_STORE_OK && held == 0);
  CHECK(strcmp(lease_row(), "node-a 1030") == 0);
  /* Renewed by its holder before its time. */
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1020, 30, &held) == PA_STORE_OK && held == 1);
  CHECK(strcmp(lease_row(), "node-a 1050") == 0);
  CHECK(pa_store_lease_take(db, "chores", "node-b", 1049, 30, &held) == PA_STORE_OK && held == 0);
  /* Expired (its time is now): the other takes it. */
  CHECK(pa_store_lease_take(db, "chores", "node-b", 1050, 5, &held) == PA_STORE_OK && held == 1);
  CHECK(strcmp(lease_row(), "node-b 1055") == 0);
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1054, 30, &held) == PA_STORE_OK && held == 0);
  /* Released only by its holder; then free at once. */
  CHECK(pa_store_lease_release(db, "chores", "node-a") == PA_STORE_OK);
  CHECK(strcmp(lease_row(), "node-b 1055") == 0);
  CHECK(pa_store_lease_release(db, "chores", "node-b") == PA_STORE_OK);
  CHECK(strcmp(lease_row(), "") == 0);
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1051, 30, &held) == PA_STORE_OK && held == 1);
  /* Other names are other leases. */
  CHECK(pa_store_lease_take(db, "worker.push", "node-b", 1051, 30, &held) == PA_STORE_OK &&
        held == 1);
  /* Sizes: 64 bytes are a name and a holder, 65 and 0 are not; a ttl under 1 s is refused. */
  char name[PA_STORE_LEASE_NAME_MAX + 2];
  memset(name, 'n', sizeof name);
  name[PA_STORE_LEASE_NAME_MAX] = 0;
  CHECK(pa_store_lease_take(db, name, name, 1, 30, &held) == PA_STORE_OK && held == 1);
  CHECK(pa_store_lease_release(db, name, name) == PA_STORE_OK);
  name[PA_STORE_LEASE_NAME_MAX] = 'n';
  name[PA_STORE_LEASE_NAME_MAX + 1] = 0;
  held = -1;
  CHECK(pa_store_lease_take(db, name, "node-a", 1, 30, &held) == PA_STORE_EINVAL && held == 0);
  CHECK_CONTAINS(pa_store_errmsg(db), "1 to 64 bytes");
  CHECK(pa_store_lease_take(db, "chores", name, 1, 30, &held) == PA_STORE_EINVAL);
  CHECK(pa_store_lease_take(db, "", "node-a", 1, 30, &held) == PA_STORE_EINVAL);
  CHECK(pa_store_lease_take(db, "chores", "", 1, 30, &held) == PA_STORE_EINVAL);
  CHECK(pa_store_lease_release(db, name, "node-a") == PA_STORE_EINVAL);
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1060, 0, &held) == PA_STORE_EINVAL);
  CHECK(pa_store_lease_take(db, "chores", "node-a", 1060, 1, &held) == PA_STORE_OK && held == 1);
  CHECK(strcmp(lease_row(), "node-a 1061") == 0);
}

int main(int argc, char **argv) {
  RUN(is_pg_url);
  RUN(cursor_edges);
  RUN(params_counted);
  char dir[] = "/tmp/pa-test-store-XXXXXX", file[sizeof dir + 16] = "";
  const char *where = argc > 1 ? argv[1] : NULL;
  if (argc > 1 && !pa_store_is_pg_url(where)) {
    fprintf(stderr, "usage: test_store [postgresql://URL]\n");
    return 2;
  }
  if (!where) {
    if (!mkdtemp(dir)) {
      perror("mkdtemp");
      return 1;
    }
    snprintf(file, sizeof file, "%s/store.db", dir);
    where = file;
  }
  char err[256];
  if (pa_store_open(where, 1, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "cannot open the store: %s\n", err);
    return 1;
  }
  printf("store on %s\n", pa_store_kind(db));
  where_open = where;
  RUN(params_cached);
  RUN(params_dynamic);
  RUN(stmt_cache);
  if (pa_store_migrate(db) != PA_STORE_OK) {
    fprintf(stderr, "cannot make the schema: %s\n", pa_store_errmsg(db));
    return 1;
  }
  RUN(text_examples);
  RUN(text_rank_prefix);
  RUN(text_pages);
  RUN(text_syntax);
  RUN(text_limits);
  RUN(lease_edges);
  pa_store_close(db);
  if (file[0]) {
    static const char *const tails[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
      char path[sizeof file + 8];
      snprintf(path, sizeof path, "%s%s", file, tails[i]);
      unlink(path);
    }
    rmdir(dir);
  }
  return pa_test_summary("store");
}
