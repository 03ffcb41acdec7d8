/* pa_store_textindex (store/textindex.h): pre-analyzed terms, matched by
 * FTS5 on SQLite and by a GIN-indexed tsvector on PostgreSQL. */
#include "store/textindex.h"

#include "search/search.h"
#include "store/sql/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An FTS5 content table kept by triggers (store/sqlite/schema.c), so the
 * upsert is the same text on both engines. */
static const char put_sql[] =
    "INSERT INTO text_docs (kind, ref_id, locale, terms) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (kind, ref_id) DO UPDATE SET locale = excluded.locale, terms = excluded.terms";
static const char delete_sql[] = "DELETE FROM text_docs WHERE kind = ?1 AND ref_id = ?2";
static const char locale_sql[] = "SELECT locale FROM text_docs WHERE kind = ?1 AND ref_id = ?2";

/* ?1 the match, ?2 the kind, ?3 the offset, ?4 the row limit. */
static const char query_sqlite[] =
    "SELECT d.ref_id FROM text_fts JOIN text_docs d ON d.id = text_fts.rowid"
    " WHERE text_fts MATCH ?1 AND d.kind = ?2"
    " ORDER BY bm25(text_fts), d.ref_id LIMIT ?4 OFFSET ?3";
/* ts_rank's normalization 1 divides by 1 + log(terms): shorter first, as bm25. */
#define VECTOR PA_SQ_TEXT_VECTOR("d")
static const char query_pg[] =
    "SELECT d.ref_id FROM text_docs d WHERE " VECTOR " @@ CAST(?1 AS tsquery) AND d.kind = ?2"
    " ORDER BY ts_rank(" VECTOR ", CAST(?1 AS tsquery), 1) DESC, d.ref_id LIMIT ?4 OFFSET ?3";
#undef VECTOR

static int kind_ok(const char *kind) {
  size_t n = kind ? strlen(kind) : 0;
  if (n == 0 || n > PA_STORE_TEXTINDEX_KIND_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((kind[i] >= 'a' && kind[i] <= 'z') || kind[i] == '_')) return 0;
  return 1;
}

static int locale_ok(const char *locale) {
  size_t n = locale ? strlen(locale) : 0;
  if (n < 2 || n > PA_STORE_TEXTINDEX_LOCALE_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = locale[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return 0;
  }
  return 1;
}

int pa_store_textindex_put(pa_store *db, const char *kind, int64_t id, const char *locale,
                           const char *text) {
  if (!kind_ok(kind) || !locale_ok(locale) || !text)
    return pa_sq_failf(db, PA_STORE_EINVAL, "text index: a bad kind or locale");
  char *terms = malloc(PA_SEARCH_OUT_MAX);
  if (!terms) return pa_sq_failf(db, PA_STORE_ENOMEM, "text index: no memory");
  int n = 0, rc = pa_search_terms(locale, text, strlen(text), terms, PA_SEARCH_OUT_MAX, &n);
  if (rc != PA_SEARCH_OK) {
    free(terms);
    return pa_sq_failf(db, rc == PA_SEARCH_EICU ? PA_STORE_ENOMEM : PA_STORE_EINVAL,
                       "text index: %s", pa_search_strerror(rc));
  }
  /* Both forms of a word are terms of the document alike. */
  for (char *p = terms; (p = strchr(p, '|')) != NULL;) *p = ' ';
  pa_sql_stmt *st = pa_sq_stmt(db, put_sql);
  if (!st) {
    free(terms);
    return PA_STORE_EDB;
  }
  int b = pa_sq_bind_text(st, 1, kind);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, id);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, locale);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 4, terms);
  rc = pa_sq_run(db, st, b, "index text", NULL, NULL);
  free(terms);
  return rc;
}

int pa_store_textindex_delete(pa_store *db, const char *kind, int64_t id) {
  if (!kind_ok(kind)) return pa_sq_failf(db, PA_STORE_EINVAL, "text index: a bad kind");
  pa_sql_stmt *st = pa_sq_stmt(db, delete_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, kind), changes = 0;
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, id);
  int rc = pa_sq_run(db, st, b, "unindex text", NULL, &changes);
  if (rc == PA_STORE_OK && changes == 0)
    return pa_sq_failf(db, PA_STORE_ENOTFOUND, "text index: no such row");
  return rc;
}

int pa_store_textindex_locale(pa_store *db, const char *kind, int64_t id,
                              char locale[PA_STORE_TEXTINDEX_LOCALE_MAX + 1]) {
  locale[0] = 0;
  if (!kind_ok(kind)) return pa_sq_failf(db, PA_STORE_EINVAL, "text index: a bad kind");
  pa_sql_stmt *st = pa_sq_stmt(db, locale_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, kind);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, id);
  int step = b == PA_SQ_OK ? pa_sq_step(st) : b, rc = PA_STORE_OK;
  if (step == PA_SQ_ROW) {
    const char *l = pa_sq_text(st, 0);
    snprintf(locale, PA_STORE_TEXTINDEX_LOCALE_MAX + 1, "%s", l ? l : "");
  } else if (step == PA_SQ_DONE) {
    rc = pa_sq_failf(db, PA_STORE_ENOTFOUND, "text index: no such row");
  } else {
    rc = pa_sq_fail(db, "text index: read a row");
  }
  pa_sq_done(st);
  return rc;
}

typedef struct builder {
  char *out;
  size_t len;
  int pg;
} builder;

static void add(builder *b, const char *s, size_t n) {
  /* Bounded by the query's limits: see PA_SQ_TEXT_MATCH_MAX's check below. */
  if (b->len + n < PA_SQ_TEXT_MATCH_MAX) memcpy(b->out + b->len, s, n);
  b->len += n;
}

int pa_sq_text_match(pa_store *db, const char *locale, const char *q,
                     char out[PA_SQ_TEXT_MATCH_MAX], int *words) {
  /* A query's analysis: at most 3 bytes out per byte in, twice, and separators. */
  char terms[8 * PA_STORE_TEXTINDEX_QUERY_MAX];
  size_t len = q ? strlen(q) : 0;
  out[0] = 0;
  *words = 0;
  if (!q || len > PA_STORE_TEXTINDEX_QUERY_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "text query: longer than %d bytes",
                       PA_STORE_TEXTINDEX_QUERY_MAX);
  int n = 0, rc = pa_search_terms(locale, q, len, terms, sizeof terms, &n);
  if (rc != PA_SEARCH_OK)
    return pa_sq_failf(db, rc == PA_SEARCH_EICU ? PA_STORE_ENOMEM : PA_STORE_EINVAL,
                       "text query: %s", pa_search_strerror(rc));
  if (n > PA_STORE_TEXTINDEX_QUERY_WORDS)
    return pa_sq_failf(db, PA_STORE_EINVAL, "text query: more than %d words",
                       PA_STORE_TEXTINDEX_QUERY_WORDS);
  builder b = {out, 0, strcmp(pa_store_kind(db), "postgresql") == 0};
  int word = 0;
  for (char *w = terms, *end; n > 0 && w; w = end ? end + 1 : NULL) {
    end = strchr(w, ' ');
    if (end) *end = 0;
    int last = ++word == n;
    if (word > 1) add(&b, b.pg ? " & " : " AND ", b.pg ? 3 : 5);
    add(&b, "(", 1);
    int form = 0;
    for (char *f = w, *bar; f; f = bar ? bar + 1 : NULL) {
      bar = strchr(f, '|');
      size_t flen = bar ? (size_t)(bar - f) : strlen(f);
      if (form++) add(&b, b.pg ? " | " : " OR ", b.pg ? 3 : 4);
      /* Terms hold no quote of either syntax (only letters, digits and
       * marks), so quoting them needs no escapes; quoted, no term is read
       * as an operator (AND, NOT, NEAR) by FTS5. */
      add(&b, b.pg ? "'" : "\"", 1);
      add(&b, f, flen);
      add(&b, b.pg ? "'" : "\"", 1);
      if (last) add(&b, b.pg ? ":*" : "*", b.pg ? 2 : 1);
    }
    add(&b, ")", 1);
  }
  if (b.len >= PA_SQ_TEXT_MATCH_MAX) {
    out[0] = 0;
    return pa_sq_failf(db, PA_STORE_EINVAL, "text query: its match is over %d bytes",
                       PA_SQ_TEXT_MATCH_MAX - 1);
  }
  out[b.len] = 0;
  *words = n;
  return PA_STORE_OK;
}

typedef struct walk {
  pa_store_textindex_fn fn;
  void *ctx;
} walk;

static int id_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  return w->fn(w->ctx, pa_sq_i64(st, 0));
}

int pa_store_textindex_query(pa_store *db, const char *kind, const char *locale, const char *q,
                             const pa_store_cursor *after, int limit, pa_store_textindex_fn fn,
                             void *ctx, pa_store_cursor *next, int *more) {
  int64_t depth = after ? after->created_at : 0;
  next->created_at = depth;
  next->id = 0;
  *more = 0;
  if (!kind_ok(kind) || !fn || limit < 1 || limit > PA_STORE_TEXTINDEX_PAGE_MAX || depth < 0 ||
      depth > PA_STORE_TEXTINDEX_DEPTH_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "text query: a bad kind, limit or position");
  char match[PA_SQ_TEXT_MATCH_MAX];
  int words = 0, rc = pa_sq_text_match(db, locale, q, match, &words);
  if (rc != PA_STORE_OK || words == 0) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, pa_sq_dialect(db, query_sqlite, query_pg));
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, match);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, kind);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, depth);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, (int64_t)limit + 1);
  walk w = {fn, ctx};
  /* Rows are counted, not positioned: the page's count moves the offset. */
  int listed = 0, step = PA_SQ_ROW;
  if (b != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "text query");
  }
  while ((step = pa_sq_step(st)) == PA_SQ_ROW) {
    if (listed == limit) {
      *more = 1;
      break;
    }
    listed++;
    next->created_at = depth + listed;
    if (id_row(&w, st)) {
      pa_sq_done(st);
      return PA_STORE_EABORT;
    }
  }
  rc = step == PA_SQ_ROW || step == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "text query");
  pa_sq_done(st);
  return rc;
}
