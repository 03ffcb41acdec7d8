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
 * cluster). The statements need no table, so neither engine gets a schema. */
#include "pa_test.h"
#include "store/sql/sql.h"
#include "store/store.h"

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
