/* petamigos-bench-search --db WHERE --phrases FILE [--docs N] [--queries Q]
 *
 * Full-text search's speed (issue 20; scripts/bench-search runs it on
 * SQLite and on PostgreSQL): indexes N generated documents through
 * pa_store_textindex_put, then times Q searches through
 * pa_store_textindex_query (the first page of 20) and, as the reference in
 * the same run, a primary-key lookup of the same document
 * (pa_store_textindex_locale), alternating so both see the same load.
 *
 * Deterministic: documents and queries come from a fixed-seed generator
 * over FILE's phrases (lines "locale<TAB>phrase": the 20 catalogs' strings,
 * written by the script). Document i is in locale i mod the number of
 * locales and is three of that locale's phrases; a query is one or two
 * words of a phrase of a random document (for ja, zh and th, which have
 * no spaces, its first two to four characters), searched in the
 * document's locale, and one in three is cut short as someone typing.
 *
 * stdout: "index ENGINE docs N seconds S" and for each of search and
 * lookup "ENGINE KIND p50 MS p99 MS max MS", then "found F of Q". Exit
 * status: 0, 1 when the store failed, 2 for bad arguments. With
 * PA_BENCH_SLOW_MS set, each search slower than that many ms is named on
 * stderr with its hits and locale. */
#include "store/store.h"
#include "store/textindex.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  LOCALES_MAX = 32,
  PHRASE_MAX = 512,    /* bytes of a phrase kept */
  PHRASES_MAX = 40000, /* phrases read */
  DOC_PHRASES = 3,     /* phrases of a document */
  QUERY_BYTES = 96,    /* bytes of a query */
  BATCH = 500,         /* documents of one transaction */
  WARMUP = 100,        /* queries run before the measured ones */
  PAGE = 20            /* ids of the page a search asks for */
};

typedef struct phrase {
  int locale;
  char text[PHRASE_MAX];
} phrase;

static char locales[LOCALES_MAX][PA_STORE_TEXTINDEX_LOCALE_MAX + 1];
static int nlocales;
static phrase *phrases;
static int nphrases;
static int *by_locale[LOCALES_MAX], count_of[LOCALES_MAX];

static uint64_t rng = 20;
static uint64_t next_rand(void) { /* splitmix64 */
  uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  phrases = calloc(PHRASES_MAX, sizeof *phrases);
  char line[4096];
  while (phrases && nphrases < PHRASES_MAX && fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    line[strcspn(tab + 1, "\n") + (size_t)(tab + 1 - line)] = 0;
    if (!tab[1] || strlen(line) > PA_STORE_TEXTINDEX_LOCALE_MAX) continue;
    int l = 0;
    while (l < nlocales && strcmp(locales[l], line) != 0) l++;
    if (l == nlocales) {
      if (nlocales == LOCALES_MAX) continue;
      memcpy(locales[nlocales++], line, strlen(line) + 1); /* checked: fits */
    }
    phrase *p = &phrases[nphrases++];
    p->locale = l;
    /* Cut at a character boundary. */
    size_t n = strlen(tab + 1);
    if (n >= PHRASE_MAX) {
      n = PHRASE_MAX - 1;
      while (n > 0 && ((unsigned char)tab[1 + n] & 0xC0) == 0x80) n--;
    }
    memcpy(p->text, tab + 1, n);
    p->text[n] = 0;
  }
  fclose(f);
  if (!phrases || nlocales == 0) return -1;
  for (int l = 0; l < nlocales; l++) by_locale[l] = malloc(sizeof(int) * (size_t)nphrases);
  for (int i = 0; i < nphrases; i++) {
    int l = phrases[i].locale;
    by_locale[l][count_of[l]++] = i;
  }
  return 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *engine, const char *what, double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  printf("%s %s p50 %.3f p99 %.3f max %.3f\n", engine, what, v[n / 2], v[(int)ceil(0.99 * n) - 1],
         v[n - 1]);
}

/* Bytes of the first k characters of s. */
static size_t chars(const char *s, int k) {
  size_t i = 0;
  while (s[i] && k > 0) {
    i++;
    while (((unsigned char)s[i] & 0xC0) == 0x80) i++;
    k--;
  }
  return i;
}

/* A query from phrase p, into q. */
static void make_query(const phrase *p, char q[QUERY_BYTES]) {
  const char *loc = locales[p->locale];
  size_t len;
  if (!strncmp(loc, "ja", 2) || !strncmp(loc, "zh", 2) || !strncmp(loc, "th", 2)) {
    len = chars(p->text, 2 + (int)(next_rand() % 3));
  } else {
    /* One or two words from a random word on. */
    const char *s = p->text;
    int words = 0;
    for (const char *c = s; *c; c++)
      if (*c != ' ' && (c == s || c[-1] == ' ')) words++;
    int from = words ? (int)(next_rand() % (uint64_t)words) : 0, want = 1 + (int)(next_rand() % 2);
    const char *c = s;
    for (int w = -1; *c; c++)
      if (*c != ' ' && (c == s || c[-1] == ' ') && ++w == from) break;
    const char *e = c;
    for (int w = 0; *e && w < want; w++) {
      while (*e && *e != ' ') e++;
      if (w + 1 < want)
        while (*e == ' ') e++;
    }
    s = c;
    len = (size_t)(e - c);
    if (next_rand() % 3 == 0) { /* typing: the last word cut short */
      const char *last = s + len;
      while (last > s && last[-1] != ' ') last--;
      size_t keep = chars(last, 3);
      if ((size_t)(s + len - last) > keep) len = (size_t)(last - s) + keep;
    }
    if (len >= QUERY_BYTES) len = chars(s, 20) < QUERY_BYTES ? chars(s, 20) : 0;
    memcpy(q, s, len);
    q[len] = 0;
    return;
  }
  if (len >= QUERY_BYTES) len = 0;
  memcpy(q, p->text, len);
  q[len] = 0;
}

static int count_id(void *ctx, int64_t id) {
  (void)id;
  ++*(int *)ctx;
  return 0;
}

int main(int argc, char **argv) {
  const char *where = NULL, *file = NULL;
  int docs = 50000, queries = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--db"))
      where = argv[i + 1];
    else if (!strcmp(argv[i], "--phrases"))
      file = argv[i + 1];
    else if (!strcmp(argv[i], "--docs"))
      docs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--queries"))
      queries = atoi(argv[i + 1]);
  }
  if (!where || !file || docs < 1 || queries < 1) {
    fprintf(stderr, "usage: petamigos-bench-search --db WHERE --phrases FILE [--docs N] "
                    "[--queries Q]\n");
    return 2;
  }
  if (load(file) != 0) {
    fprintf(stderr, "cannot read phrases from %s\n", file);
    return 2;
  }
  pa_store *db;
  char err[256];
  if (pa_store_open(where, 1, &db, err, sizeof err) != PA_STORE_OK ||
      pa_store_migrate(db) != PA_STORE_OK) {
    fprintf(stderr, "store: %s\n", db ? pa_store_errmsg(db) : err);
    return 1;
  }
  const char *engine = pa_store_kind(db);
  int rc = 1;
  int *picked = malloc(sizeof(int) * (size_t)docs * DOC_PHRASES);
  double *search = malloc(sizeof(double) * (size_t)queries),
         *lookup = malloc(sizeof(double) * (size_t)queries);
  static char text[DOC_PHRASES * PHRASE_MAX + DOC_PHRASES];
  double t0 = now_ms();
  for (int i = 0; i < docs; i++) {
    int l = i % nlocales;
    if (i % BATCH == 0 && pa_store_begin(db) != PA_STORE_OK) goto fail;
    size_t len = 0;
    for (int k = 0; k < DOC_PHRASES; k++) {
      int p = by_locale[l][next_rand() % (uint64_t)count_of[l]];
      picked[i * DOC_PHRASES + k] = p;
      len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? " " : "", phrases[p].text);
    }
    if (pa_store_textindex_put(db, "listing", i + 1, locales[l], text) != PA_STORE_OK) goto fail;
    if ((i % BATCH == BATCH - 1 || i == docs - 1) && pa_store_commit(db) != PA_STORE_OK) goto fail;
  }
  printf("index %s docs %d seconds %.1f\n", engine, docs, (now_ms() - t0) / 1e3);
  int found = 0;
  /* PA_BENCH_SLOW_MS: name the searches slower than that, on stderr. */
  const char *slow_env = getenv("PA_BENCH_SLOW_MS");
  double slow = slow_env ? atof(slow_env) : 0;
  for (int i = -WARMUP; i < queries; i++) {
    int d = (int)(next_rand() % (uint64_t)docs);
    const phrase *p = &phrases[picked[d * DOC_PHRASES + (int)(next_rand() % DOC_PHRASES)]];
    char q[QUERY_BYTES];
    make_query(p, q);
    pa_store_cursor next;
    int more = 0, hits = 0;
    char locale[PA_STORE_TEXTINDEX_LOCALE_MAX + 1];
    double a = now_ms();
    int qrc = pa_store_textindex_query(db, "listing", locales[p->locale], q, NULL, PAGE, count_id,
                                       &hits, &next, &more);
    double b = now_ms();
    int rc2 = pa_store_textindex_locale(db, "listing", d + 1, locale);
    double c = now_ms();
    if (qrc != PA_STORE_OK && qrc != PA_STORE_EINVAL) goto fail;
    if (rc2 != PA_STORE_OK) goto fail;
    if (i < 0) continue;
    if (slow > 0 && b - a > slow)
      fprintf(stderr, "slow: %.1f ms, %d hits%s: %s [%s]\n", b - a, hits, more ? "+" : "", q,
              locales[p->locale]);
    search[i] = b - a;
    lookup[i] = c - b;
    found += hits > 0;
  }
  report(engine, "search", search, queries);
  report(engine, "lookup", lookup, queries);
  printf("found %d of %d\n", found, queries);
  rc = 0;
  if (0) {
  fail:
    fprintf(stderr, "store: %s\n", pa_store_errmsg(db));
    rc = 1;
  }
  pa_store_close(db);
  free(picked);
  free(search);
  free(lookup);
  for (int l = 0; l < nlocales; l++) free(by_locale[l]);
  free(phrases);
  return rc;
}
