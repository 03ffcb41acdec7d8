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
 * stderr with its hits and locale.
 *
 * --listings QUERIES_FILE: the HTTP benchmark's data instead (the script's
 * second part): N listings put through the store as the API does
 * (pa_market_listing_parse, pa_store_market_listing_add, which indexes
 * them), their title a phrase of their language (cut to the title's limit)
 * and their description two more, LISTINGS_PER_SELLER to a seller (the
 * API's own limit), in the languages a listing may have; then Q queries
 * made the same way written to QUERIES_FILE as "locale<TAB>query" lines,
 * for the HTTP client (scripts/bench/listings-http.mjs). Nothing timed but
 * the loading ("listings ENGINE N seconds S"). */
#include "market_rules.h"
#include "store/accounts.h"
#include "store/market.h"
#include "store/store.h"
#include "store/textindex.h"

#include <cjson/cJSON.h>
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
  PAGE = 20,           /* ids of the page a search asks for */
  LISTINGS_PER_SELLER = PA_MARKET_LISTINGS_MAX
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

/* Text of at most k characters of s into out (cap bytes). */
static void cut_chars(const char *s, int k, char *out, size_t cap) {
  size_t n = chars(s, k);
  if (n >= cap) n = cap - 1;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  memcpy(out, s, n);
  out[n] = 0;
}

/* The --listings mode: 0, or 1 (the store failed, said on stderr). */
static int listings(pa_store *db, int n, int queries, const char *qfile) {
  int ok_locale[LOCALES_MAX], nok = 0;
  for (int l = 0; l < nlocales; l++)
    if (pa_market_lang_ok(locales[l]) && count_of[l] > 0) ok_locale[nok++] = l;
  FILE *qf = fopen(qfile, "w");
  int *picked = malloc(sizeof(int) * (size_t)n * DOC_PHRASES);
  pa_market_listing *l = malloc(sizeof *l);
  if (!qf || !picked || !l || nok == 0) {
    fprintf(stderr, "cannot write %s, or no memory, or no listing language among the phrases\n",
            qfile);
    return 1;
  }
  double t0 = now_ms();
  int64_t seller = 0, now = (int64_t)time(NULL), id = 0;
  int rc = PA_STORE_OK;
  char handle[32], mail[64], name[64];
  for (int i = 0; rc == PA_STORE_OK && i < n; i++) {
    if (i % BATCH == 0) rc = pa_store_begin(db);
    if (rc == PA_STORE_OK && i % LISTINGS_PER_SELLER == 0) {
      snprintf(handle, sizeof handle, "bench_seller_%d", i / LISTINGS_PER_SELLER);
      snprintf(mail, sizeof mail, "%s@example.test", handle);
      snprintf(name, sizeof name, "Bench shop %d", i / LISTINGS_PER_SELLER);
      pa_store_new_account a = {handle, name, mail, "", now};
      pa_market_seller s = {.provider = PA_MARKET_PAYPAL};
      snprintf(s.name, sizeof s.name, "%s", name);
      snprintf(s.email, sizeof s.email, "%s", mail);
      rc = pa_store_accounts_add(db, &a, &seller);
      if (rc == PA_STORE_OK) rc = pa_store_market_seller_put(db, seller, &s, now);
    }
    int loc = ok_locale[i % nok];
    int p[DOC_PHRASES];
    for (int k = 0; k < DOC_PHRASES; k++)
      picked[i * DOC_PHRASES + k] = p[k] = by_locale[loc][next_rand() % (uint64_t)count_of[loc]];
    /* The API's own reader, so every listing is one the API would take. */
    char title[PA_MARKET_CAP(PA_MARKET_TITLE_MAX)], desc[2 * PHRASE_MAX + 2];
    cut_chars(phrases[p[0]].text, PA_MARKET_TITLE_MAX, title, sizeof title);
    snprintf(desc, sizeof desc, "%s\n%s", phrases[p[1]].text, phrases[p[2]].text);
    cJSON *b = cJSON_CreateObject(), *loc_o = cJSON_AddObjectToObject(b, "location"),
          *ph = cJSON_AddArrayToObject(b, "photos"), *sp = cJSON_AddArrayToObject(b, "species"),
          *ship = cJSON_AddObjectToObject(b, "shipping");
    cJSON_AddItemToArray(ph, cJSON_CreateString("m_1"));
    cJSON_AddItemToArray(sp, cJSON_CreateString(i % 2 ? "dog" : "cat"));
    cJSON_AddStringToObject(b, "title", title[0] ? title : "?");
    cJSON_AddStringToObject(b, "description", desc);
    cJSON_AddStringToObject(b, "lang", locales[loc]);
    cJSON_AddNumberToObject(b, "price_minor", 100 + (double)(next_rand() % 100000));
    cJSON_AddStringToObject(b, "currency", "BRL");
    cJSON_AddNumberToObject(b, "stock", 5);
    cJSON_AddStringToObject(b, "condition", "new");
    cJSON_AddStringToObject(b, "kind", "product");
    cJSON_AddStringToObject(b, "category", i % 3 ? "toys" : "beds");
    cJSON_AddStringToObject(loc_o, "city", "Curitiba");
    cJSON_AddStringToObject(loc_o, "country", "BR");
    cJSON_AddBoolToObject(ship, "pickup", 1);
    pa_market_err e;
    pa_market_listing_defaults(l);
    char *shipping = NULL;
    if (pa_market_listing_parse(b, 1, l, &e) != 0) {
      fprintf(stderr, "listing %d refused: %s (%s)\n", i, e.message, e.field);
      rc = PA_STORE_EINVAL;
    } else if (!(shipping = pa_market_shipping_json(l))) {
      rc = PA_STORE_ENOMEM;
    } else {
      rc = pa_store_market_listing_add(db, seller, l, shipping, now - n + i, &id);
    }
    cJSON_free(shipping);
    cJSON_Delete(b);
    if (rc == PA_STORE_OK && (i % BATCH == BATCH - 1 || i == n - 1)) rc = pa_store_commit(db);
  }
  if (rc == PA_STORE_OK) {
    printf("listings %s %d seconds %.1f\n", pa_store_kind(db), n, (now_ms() - t0) / 1e3);
    for (int i = 0; i < queries; i++) {
      int d = (int)(next_rand() % (uint64_t)n);
      const phrase *ph = &phrases[picked[d * DOC_PHRASES + (int)(next_rand() % DOC_PHRASES)]];
      char q[QUERY_BYTES];
      make_query(ph, q);
      fprintf(qf, "%s\t%s\n", locales[ph->locale], q);
    }
  } else {
    fprintf(stderr, "store: %s\n", pa_store_errmsg(db));
  }
  fclose(qf);
  free(picked);
  free(l);
  return rc == PA_STORE_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *where = NULL, *file = NULL, *qfile = NULL;
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
    else if (!strcmp(argv[i], "--listings"))
      qfile = argv[i + 1];
  }
  if (!where || !file || docs < 1 || queries < 1) {
    fprintf(stderr, "usage: petamigos-bench-search --db WHERE --phrases FILE [--docs N] "
                    "[--queries Q] [--listings QUERIES_FILE]\n");
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
  if (qfile) {
    int st = listings(db, docs, queries, qfile);
    pa_store_close(db);
    for (int l = 0; l < nlocales; l++) free(by_locale[l]);
    free(phrases);
    return st;
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
