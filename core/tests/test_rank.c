#include "../src/rank/rank_internal.h"
#include "pa/pa_feed.h"
#include "pa/pa_rank.h"
#include "pa_test.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- fixtures: candidate pages written as the server would send them */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void add(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void add(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (b->len + (size_t)n + 1 > b->cap) {
    b->cap = (b->len + (size_t)n + 1) * 2;
    b->p = realloc(b->p, b->cap);
  }
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

typedef struct cand {
  const char *author;
  int cluster;   /* 0..3: embedding near axis block 16 * cluster */
  int age_hours; /* before T0 */
  int likes;
  bool following;
  const char *advertiser; /* NULL for organic posts */
  const char *pet;        /* NULL: one pet per author */
} cand;

enum { T0 = 1795496400 }; /* 2026-11-24T05:00:00Z */

static uint64_t mix(uint64_t x) {
  rank_rng r = {x};
  return pa_rank_rng_next(&r);
}

/* Deterministic noise in [-0.5, 0.5). */
static double noise(int i, int j) {
  return (double)(mix((uint64_t)i * 1000003u + (uint64_t)j) >> 11) * 0x1.0p-53 - 0.5;
}

static void embedding(sbuf *b, int i, int cluster, int dim) {
  add(b, "[");
  for (int j = 0; j < dim; j++)
    add(b, "%s%.5f", j ? "," : "", (j / 16 == cluster ? 1.0 : 0.0) + 0.6 * noise(i, j));
  add(b, "]");
}

static char *page_json(const cand *c, int n) {
  sbuf b = {0};
  add(&b, "{\"model\":{\"version\":\"mf-v1\",\"dim\":64},\"candidates\":[");
  for (int i = 0; i < n; i++) {
    char when[21];
    pa_feed_format_time((int64_t)T0 - (int64_t)c[i].age_hours * 3600, when);
    add(&b,
        "%s{\"post_id\":\"p_%d\",\"author_id\":\"%s\",\"pet_id\":\"%s%s\",\"species\":\"%s\","
        "\"tags\":[\"t%d\"],\"created_at\":\"%s\",\"like_count\":%d,\"comment_count\":%d,"
        "\"following\":%s,\"embedding\":",
        i ? "," : "", i, c[i].author, c[i].pet ? c[i].pet : "pet_", c[i].pet ? "" : c[i].author,
        c[i].cluster % 2 ? "dog" : "cat", c[i].cluster, when, c[i].likes, c[i].likes / 10,
        c[i].following ? "true" : "false");
    embedding(&b, i, c[i].cluster, 64);
    if (c[i].advertiser)
      add(&b, ",\"sponsored\":{\"advertiser_id\":\"%s\",\"campaign_id\":\"c_%d\"}}",
          c[i].advertiser, i);
    else
      add(&b, ",\"sponsored\":null}");
  }
  add(&b, "]}");
  return b.p;
}

static pa_rank_page *parse(const cand *c, int n) {
  char *json = page_json(c, n);
  pa_rank_page *p = NULL;
  pa_error e;
  pa_status st = pa_rank_page_parse(json, strlen(json), &p, &e);
  if (st != PA_OK) fprintf(stderr, "  fixture: %s\n", e.msg);
  CHECK(st == PA_OK);
  free(json);
  return p;
}

static pa_status parse_text(const char *json, pa_error *e) {
  pa_rank_page *p = NULL;
  pa_status st = pa_rank_page_parse(json, strlen(json), &p, e);
  CHECK((st == PA_OK) == (p != NULL));
  pa_rank_page_free(p);
  return st;
}

static char names[64][16];
static const char *author(int k) {
  snprintf(names[k % 64], sizeof names[0], "u_%d", k % 64);
  return names[k % 64];
}

/* A mixed page: n organic posts from `authors` authors over 4 clusters. */
static int mixed(cand *c, int n, int authors) {
  for (int i = 0; i < n; i++)
    c[i] = (cand){author(i % authors), i % 4, (i * 7) % 48, (i * 37) % 300, i % 3 == 0, NULL, NULL};
  return n;
}

static pa_rank_session *session(uint64_t seed, const pa_rank_config *cfg) {
  pa_rank_session *s = NULL;
  pa_error e;
  CHECK(pa_rank_session_create(cfg, seed, &s, &e) == PA_OK);
  return s;
}

/* The default configuration without exploration: the order follows the taste alone. */
static pa_rank_session *steady_session(uint64_t seed) {
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.explore = 0;
  return session(seed, &cfg);
}

static int rank(pa_rank_session *s, const pa_rank_taste *t, const pa_rank_page *p, int cap,
                pa_rank_item *out) {
  int count = -1;
  pa_error e;
  pa_status st = pa_rank_session_rank(s, t, p, T0, out, cap, &count, &e);
  if (st != PA_OK) fprintf(stderr, "  rank: %s\n", e.msg);
  CHECK(st == PA_OK);
  return count;
}

/* Items compare by what the UI sees: index, score, label and reasons. */
static bool same_items(const pa_rank_item *a, const pa_rank_item *b, int n) {
  for (int i = 0; i < n; i++) {
    if (a[i].index != b[i].index || a[i].score != b[i].score || a[i].sponsored != b[i].sponsored ||
        a[i].reason_count != b[i].reason_count)
      return false;
    for (int r = 0; r < a[i].reason_count; r++)
      if (a[i].reasons[r].code != b[i].reasons[r].code ||
          a[i].reasons[r].weight != b[i].reasons[r].weight)
        return false;
  }
  return true;
}

static const char *author_of(const pa_rank_page *p, const pa_rank_item *it) {
  return pa_rank_page_candidate(p, it->index)->author_id;
}

/* ---- parsing */

static void test_parse_valid(void) {
  cand c[3] = {{"u_1", 0, 1, 12, true, NULL, NULL},
               {"u_2", 1, 30, 0, false, "ad_1", NULL},
               {"u_1", 2, 0, 5, true, NULL, "pet_x"}};
  pa_rank_page *p = parse(c, 3);
  if (!p) return;
  CHECK(pa_rank_page_count(p) == 3 && pa_rank_page_dim(p) == 64);
  CHECK(!strcmp(pa_rank_page_model(p), "mf-v1"));
  const pa_rank_candidate *k = pa_rank_page_candidate(p, 0);
  CHECK(!strcmp(k->post_id, "p_0") && !strcmp(k->author_id, "u_1") &&
        !strcmp(k->pet_id, "pet_u_1"));
  CHECK(!strcmp(k->species, "cat") && k->tag_count == 1 && !strcmp(k->tags[0], "t0"));
  CHECK(k->created_at == T0 - 3600 && k->like_count == 12 && k->comment_count == 1);
  CHECK(k->following && !k->sponsored && !k->advertiser_id && !k->campaign_id);
  k = pa_rank_page_candidate(p, 1);
  CHECK(k->sponsored && !strcmp(k->advertiser_id, "ad_1") && !strcmp(k->campaign_id, "c_1"));
  CHECK(pa_rank_page_candidate(p, 3) == NULL && pa_rank_page_candidate(p, -1) == NULL);
  CHECK(pa_rank_page_find(p, "p_2") == 2 && pa_rank_page_find(p, "p_9") == -1);
  CHECK(pa_rank_page_newest(p) == T0);
  const float *v = pa_rank_page_embedding(p, 0);
  double n2 = 0;
  for (int j = 0; j < 64; j++) n2 += (double)v[j] * v[j];
  CHECK(fabs(n2 - 1) < 1e-5); /* stored at unit length */
  pa_rank_page_free(p);
}

static char *replace(const char *s, const char *from, const char *to) {
  const char *at = strstr(s, from);
  if (!at) return NULL;
  size_t n = strlen(s) - strlen(from) + strlen(to);
  char *r = malloc(n + 1);
  size_t head = (size_t)(at - s);
  memcpy(r, s, head);
  strcpy(r + head, to);
  strcat(r, at + strlen(from));
  return r;
}

static void expect(const char *json, pa_status code, const char *msg) {
  pa_error e;
  CHECK(json != NULL);
  if (!json) return;
  pa_status st = parse_text(json, &e);
  CHECK(st == code);
  CHECK_CONTAINS(e.msg, msg);
  if (st != code || !strstr(e.msg, msg))
    fprintf(stderr, "  got %s: %s (wanted %s)\n", pa_status_name(st), e.msg, msg);
}

static void expect_edit(const char *good, const char *from, const char *to, pa_status code,
                        const char *msg) {
  char *bad = replace(good, from, to);
  expect(bad, code, msg);
  free(bad);
}

static void test_parse_errors(void) {
  cand c[2] = {{"u_1", 0, 1, 12, true, NULL, NULL}, {"u_2", 1, 2, 3, false, "ad_1", NULL}};
  char *good = page_json(c, 2);
  pa_error e;
  CHECK(parse_text(good, &e) == PA_OK);

  /* Truncated: a dropped connection anywhere is "truncated", never a crash. */
  size_t len = strlen(good);
  for (size_t cut = 0; cut < len; cut += 97) {
    pa_rank_page *p = NULL;
    pa_status st = pa_rank_page_parse(good, cut, &p, &e);
    CHECK(st == PA_ERR_TRUNCATED && p == NULL);
  }
  char *cut = strndup(good, len / 2);
  expect(cut, PA_ERR_TRUNCATED, "page: JSON ends early");
  free(cut);
  expect("", PA_ERR_TRUNCATED, "page: empty response");
  expect("<html>502</html>", PA_ERR_SYNTAX, "page: invalid JSON at byte 0");
  expect("{\"model\":{}} x", PA_ERR_SYNTAX, "unexpected data after JSON");

  /* Wrong dim: refused clearly, whatever the arrays hold. */
  expect_edit(good, "\"dim\":64", "\"dim\":128", PA_ERR_UNSUPPORTED,
              "model.dim: 128 is not supported; this build ranks 64-d embeddings");
  expect_edit(good, "\"dim\":64", "\"dim\":\"64\"", PA_ERR_SCHEMA,
              "model.dim: expected an integer");
  {
    const char *at = strstr(good, "\"embedding\":[") + 13;
    sbuf b = {0};
    add(&b, "%.*s%s", (int)(at - good), good, strchr(at, ',') + 1); /* drop the first number */
    expect(b.p, PA_ERR_SCHEMA, "candidates[0].embedding: holds 63 numbers, expected 64");
    free(b.p);
  }
  expect_edit(good, "],\"sponsored\":null", ",0.5],\"sponsored\":null", PA_ERR_SCHEMA,
              "candidates[0].embedding: holds 65 numbers, expected 64");

  /* NaN-ish numbers: JSON has no NaN, overflow becomes infinity, strings are not numbers. */
  {
    /* Replace the first float of candidate 0 with each bad value. */
    const char *at = strstr(good, "\"embedding\":[") + 13;
    const char *end = strchr(at, ',');
    static const char *const bad[] = {"1e999", "-1e400", "NaN", "\"0.5\"", "null", "1e5", "true"};
    static const char *const why[] = {"candidates[0].embedding[0]: expected a finite number",
                                      "candidates[0].embedding[0]: expected a finite number",
                                      "page: invalid JSON",
                                      "candidates[0].embedding[0]: expected a number",
                                      "candidates[0].embedding[0]: expected a number",
                                      "candidates[0].embedding[0]: 100000 is outside -1000..1000",
                                      "candidates[0].embedding[0]: expected a number"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
      sbuf b = {0};
      add(&b, "%.*s%s%s", (int)(at - good), good, bad[k], end);
      expect(b.p, k == 2 ? PA_ERR_SYNTAX : PA_ERR_SCHEMA, why[k]);
      free(b.p);
    }
  }

  /* Oversize: bytes before parsing, then the candidate count. */
  {
    pa_rank_page *p = NULL;
    char *huge = calloc(PA_RANK_MAX_BYTES + 1, 1);
    CHECK(pa_rank_page_parse(huge, PA_RANK_MAX_BYTES + 1, &p, &e) == PA_ERR_TOO_LARGE && !p);
    CHECK_CONTAINS(e.msg, "over the 33554432 byte limit");
    free(huge);
    sbuf b = {0};
    add(&b, "{\"model\":{\"version\":\"mf-v1\",\"dim\":64},\"candidates\":[0");
    for (int i = 1; i <= PA_RANK_MAX_CANDIDATES; i++) add(&b, ",0");
    add(&b, "]}");
    expect(b.p, PA_ERR_TOO_LARGE, "candidates: holds 20001 items, expected 0..20000");
    free(b.p);
  }

  /* Field by field: each error names its path. */
  expect_edit(good, "\"post_id\":\"p_1\"", "\"post_id\":\"p_0\"", PA_ERR_SCHEMA,
              "candidates[1].post_id: duplicate of candidates[0]");
  expect_edit(good, "\"post_id\":\"p_1\"", "\"post_id\":\"p 1\"", PA_ERR_SCHEMA,
              "candidates[1].post_id: may only hold");
  expect_edit(
      good, "\"author_id\":\"u_2\"",
      "\"author_id\":\"u_0123456789012345678901234567890123456789012345678901234567890123\"",
      PA_ERR_TOO_LARGE, "candidates[1].author_id: is too long");
  expect_edit(good, "\"species\":\"cat\"", "\"species\":\"c\\u0001t\"", PA_ERR_SCHEMA,
              "candidates[0].species: holds a control character");
  expect_edit(good, "\"species\":\"cat\"", "\"species\":\"\xc3\x28\"", PA_ERR_SCHEMA,
              "candidates[0].species: is not valid UTF-8");
  expect_edit(good, "\"tags\":[\"t0\"]", "\"tags\":[1]", PA_ERR_SCHEMA,
              "candidates[0].tags[0]: expected a string");
  expect_edit(good, "\"created_at\":\"2026", "\"created_at\":\"20x6", PA_ERR_SCHEMA,
              "candidates[0].created_at: expected an RFC 3339 time");
  expect_edit(good, ":00Z\"", ":00+05\"", PA_ERR_SCHEMA, /* a cut-short offset (fuzzer) */
              "candidates[0].created_at: expected an RFC 3339 time");
  expect_edit(good, "\"like_count\":12", "\"like_count\":-1", PA_ERR_SCHEMA,
              "candidates[0].like_count: -1 is outside 0..9007199254740991");
  expect_edit(good, "\"like_count\":12", "\"like_count\":1.5", PA_ERR_SCHEMA,
              "candidates[0].like_count: expected an integer");
  expect_edit(good, "\"following\":true", "\"following\":1", PA_ERR_SCHEMA,
              "candidates[0].following: expected true or false");
  expect_edit(good, "\"sponsored\":null", "\"sponsored\":\"yes\"", PA_ERR_SCHEMA,
              "candidates[0].sponsored: expected null or an object");
  expect_edit(good, "\"advertiser_id\":\"ad_1\",", "", PA_ERR_SCHEMA,
              "candidates[1].sponsored.advertiser_id: missing");
  expect_edit(good, "\"version\":\"mf-v1\"", "\"version\":\"mf/v1\"", PA_ERR_SCHEMA,
              "model.version: may only hold");
  expect_edit(good, ",\"following\":true", "", PA_ERR_SCHEMA, "candidates[0].following: missing");
  expect_edit(good, "\"candidates\":[", "\"candidates\":[7,", PA_ERR_SCHEMA,
              "candidates[0]: expected an object");
  expect("{\"candidates\":[]}", PA_ERR_SCHEMA, "model: missing");
  expect("[]", PA_ERR_SCHEMA, "page: expected an object");
  expect("{\"model\":{\"version\":\"mf-v1\",\"dim\":64},\"candidates\":[]}", PA_OK, "");
  free(good);
}

static void test_build_checks(void) {
  pa_rank_candidate k = {
      .post_id = "p_1", .author_id = "u_1", .pet_id = "pet_1", .species = "cat", .created_at = T0};
  float emb[64] = {1};
  pa_rank_page *p = NULL;
  pa_error e;
  CHECK(pa_rank_page_build("mf-v1", 64, &k, emb, 1, &p, &e) == PA_OK && p);
  pa_rank_page_free(p);
  CHECK(pa_rank_page_build("mf-v1", 60, &k, emb, 1, &p, &e) == PA_ERR_UNSUPPORTED && !p);
  emb[3] = NAN;
  CHECK(pa_rank_page_build("mf-v1", 64, &k, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  CHECK_CONTAINS(e.msg, "candidates[0].embedding[3]");
  emb[3] = 0;
  k.sponsored = true;
  CHECK(pa_rank_page_build("mf-v1", 64, &k, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  k.sponsored = false;
  k.post_id = "p 1";
  CHECK(pa_rank_page_build("mf-v1", 64, &k, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
}

/* ---- a sponsored candidate's serving fields (issue 21): token, link, why */

/* The two-candidate page with candidate 1's sponsored object ending in extra. */
static char *ad_page(const char *extra) {
  cand c[2] = {{"u_1", 0, 1, 12, true, NULL, NULL}, {"u_2", 1, 2, 3, false, "ad_1", NULL}};
  char *good = page_json(c, 2);
  sbuf b = {0};
  add(&b, "\"campaign_id\":\"c_1\"%s%s", *extra ? "," : "", extra);
  char *r = replace(good, "\"campaign_id\":\"c_1\"", b.p);
  free(good);
  free(b.p);
  return r;
}

static void expect_ad(const char *extra, pa_status code, const char *msg) {
  char *json = ad_page(extra);
  expect(json, code, msg);
  free(json);
}

/* n copies of c, as a C string. */
static char *run_of(char c, size_t n) {
  char *s = malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

static void test_ad_fields(void) {
  /* All of them: kept, and given to the shell with the ranking. */
  char *json = ad_page("\"token\":\"tok-1_AZaz09\",\"link\":\"https://shop.example/cats?a=1\","
                       "\"why\":{\"species\":[\"cat\"],\"tags\":[\"toys\",\"say \\\"hi\\\"\"],"
                       "\"languages\":[\"es\",\"pt-BR\",\"zh-Hans\"],\"countries\":[\"ES\"]}");
  pa_rank_page *p = NULL;
  pa_error e;
  CHECK(pa_rank_page_parse(json, strlen(json), &p, &e) == PA_OK && p);
  free(json);
  if (!p) return;
  const pa_rank_candidate *k = pa_rank_page_candidate(p, 1);
  CHECK(!strcmp(k->ad_token, "tok-1_AZaz09") &&
        !strcmp(k->ad_link, "https://shop.example/cats?a=1"));
  CHECK(k->why_count[PA_RANK_TARGET_SPECIES] == 1 && !strcmp(k->why[0][0], "cat"));
  CHECK(k->why_count[PA_RANK_TARGET_TAGS] == 2 && !strcmp(k->why[1][1], "say \"hi\""));
  CHECK(k->why_count[PA_RANK_TARGET_LANGUAGES] == 3 && !strcmp(k->why[2][2], "zh-Hans"));
  CHECK(k->why_count[PA_RANK_TARGET_COUNTRIES] == 1 && !strcmp(k->why[3][0], "ES"));
  k = pa_rank_page_candidate(p, 0);
  CHECK(!k->ad_token && !k->ad_link && !k->why_count[0] && !k->why_count[3]);
  pa_rank_item items[2] = {{.index = 1, .sponsored = true}, {.index = 0}};
  size_t need = pa_rank_items_json(p, items, 2, NULL, 0);
  char *text = malloc(need + 1);
  CHECK(pa_rank_items_json(p, items, 2, text, need + 1) == need);
  CHECK_CONTAINS(text, "\"sponsored\":{\"advertiser_id\":\"ad_1\",\"campaign_id\":\"c_1\","
                       "\"token\":\"tok-1_AZaz09\",\"link\":\"https://shop.example/cats?a=1\","
                       "\"why\":{\"species\":[\"cat\"],\"tags\":[\"toys\",\"say \\\"hi\\\"\"],"
                       "\"languages\":[\"es\",\"pt-BR\",\"zh-Hans\"],\"countries\":[\"ES\"]}}");
  CHECK_CONTAINS(text, "\"post_id\":\"p_0\",\"score\":0.0000,\"sponsored\":null");
  free(text);
  pa_rank_page_free(p);
  CHECK(!strcmp(pa_rank_target_name(PA_RANK_TARGET_COUNTRIES), "countries"));
  CHECK(!strcmp(pa_rank_target_name(PA_RANK_TARGET_LISTS), "unknown"));

  /* Each optional (a server before issue 21 sends none); an empty link is no link. */
  expect_ad("", PA_OK, "");
  expect_ad("\"link\":\"\"", PA_OK, "");
  expect_ad("\"why\":{}", PA_OK, "");
  {
    char *j = ad_page("\"why\":{\"tags\":[]}");
    pa_rank_page *q = NULL;
    CHECK(pa_rank_page_parse(j, strlen(j), &q, &e) == PA_OK);
    items[0] = (pa_rank_item){.index = 1, .sponsored = true};
    need = pa_rank_items_json(q, items, 1, NULL, 0);
    text = malloc(need + 1);
    pa_rank_items_json(q, items, 1, text, need + 1);
    CHECK_CONTAINS(text, "\"campaign_id\":\"c_1\",\"why\":{\"species\":[],\"tags\":[],"
                         "\"languages\":[],\"countries\":[]}}");
    free(text);
    pa_rank_page_free(q);
    free(j);
  }

  /* The token: base64url, at most PA_FEED_MAX_AD_TOKEN bytes. */
  sbuf b = {0};
  char *run = run_of('A', PA_FEED_MAX_AD_TOKEN);
  add(&b, "\"token\":\"%s\"", run);
  expect_ad(b.p, PA_OK, ""); /* the last allowed */
  free(b.p);
  b = (sbuf){0};
  add(&b, "\"token\":\"%sA\"", run);
  expect_ad(b.p, PA_ERR_TOO_LARGE,
            "candidates[1].sponsored.token: is too long"); /* the first refused */
  free(b.p);
  free(run);
  expect_ad("\"token\":\"\"", PA_ERR_SCHEMA, "candidates[1].sponsored.token: is empty");
  expect_ad("\"token\":\"abc=\"", PA_ERR_SCHEMA, "sponsored.token: may only hold base64url");
  expect_ad("\"token\":\"a.b\"", PA_ERR_SCHEMA, "sponsored.token: may only hold base64url");
  expect_ad("\"token\":\"a+/b\"", PA_ERR_SCHEMA, "sponsored.token: may only hold base64url");
  expect_ad("\"token\":7", PA_ERR_SCHEMA, "candidates[1].sponsored.token: expected a string");
  expect_ad("\"token\":null", PA_ERR_SCHEMA, "candidates[1].sponsored.token: expected a string");

  /* The link: "" or https, at most PA_FEED_MAX_AD_LINK bytes. */
  b = (sbuf){0};
  run = run_of('a', PA_FEED_MAX_AD_LINK - strlen("https://x.example/"));
  add(&b, "\"link\":\"https://x.example/%s\"", run);
  expect_ad(b.p, PA_OK, ""); /* 2048 bytes: the last allowed */
  free(b.p);
  b = (sbuf){0};
  add(&b, "\"link\":\"https://x.example/%sa\"", run);
  expect_ad(b.p, PA_ERR_TOO_LARGE, "candidates[1].sponsored.link: is too long");
  free(b.p);
  free(run);
  expect_ad("\"link\":\"http://shop.example/\"", PA_ERR_SCHEMA,
            "sponsored.link: must be an https URL");
  expect_ad("\"link\":\"/posts/p_1\"", PA_ERR_SCHEMA, "sponsored.link: must be an https URL");
  expect_ad("\"link\":\"javascript:alert(1)\"", PA_ERR_SCHEMA, "must be an https URL");
  expect_ad("\"link\":\"https://\"", PA_ERR_SCHEMA, "sponsored.link: has no host");
  expect_ad("\"link\":\"https:///x\"", PA_ERR_SCHEMA, "sponsored.link: has no host");
  expect_ad("\"link\":\"https://:443/\"", PA_ERR_SCHEMA, "sponsored.link: has no host");
  expect_ad("\"link\":\"https://bank.example@evil.example/\"", PA_ERR_SCHEMA,
            "sponsored.link: may not hold user info");
  expect_ad("\"link\":\"https://shop.example/?next=a@b\"", PA_OK, ""); /* an @ after the host */
  expect_ad("\"link\":\"https://shop.example/a b\"", PA_ERR_SCHEMA, "must be escaped");
  expect_ad("\"link\":\"https://shop.example/\\\"x\"", PA_ERR_SCHEMA, "must be escaped");
  expect_ad("\"link\":\"https://shop.example/<x>\"", PA_ERR_SCHEMA, "must be escaped");
  expect_ad("\"link\":\"https://shop.example/\\u00e9\"", PA_ERR_SCHEMA, "must be escaped");
  expect_ad("\"link\":\"https://shop.example/\\n\"", PA_ERR_SCHEMA, "must be escaped");
  expect_ad("\"link\":null", PA_ERR_SCHEMA, "candidates[1].sponsored.link: expected a string");

  /* why: four lists of short strings, PA_RANK_MAX_TARGETS entries each. */
  expect_ad("\"why\":[]", PA_ERR_SCHEMA, "candidates[1].sponsored.why: expected an object");
  expect_ad("\"why\":{\"species\":\"cat\"}", PA_ERR_SCHEMA,
            "candidates[1].sponsored.why.species: expected an array");
  b = (sbuf){0};
  add(&b, "\"why\":{\"tags\":[\"t\"");
  for (int i = 1; i < PA_RANK_MAX_TARGETS; i++) add(&b, ",\"t%d\"", i);
  add(&b, "]}");
  expect_ad(b.p, PA_OK, ""); /* 20: the last allowed */
  char *more = replace(b.p, "]}", ",\"t20\"]}");
  expect_ad(more, PA_ERR_TOO_LARGE,
            "candidates[1].sponsored.why.tags: holds 21 items, expected 0..20");
  free(more);
  free(b.p);
  b = (sbuf){0};
  run = run_of('x', PA_RANK_MAX_TARGET_TEXT - 1);
  add(&b, "\"why\":{\"species\":[\"\xc3\xa9%s\"]}", run); /* 80 code points, 81 bytes */
  expect_ad(b.p, PA_OK, "");
  free(b.p);
  b = (sbuf){0};
  add(&b, "\"why\":{\"species\":[\"\xc3\xa9%sx\"]}", run);
  expect_ad(b.p, PA_ERR_TOO_LARGE, "candidates[1].sponsored.why.species[0]: is too long");
  free(b.p);
  free(run);
  expect_ad("\"why\":{\"species\":[\"\"]}", PA_ERR_SCHEMA, "why.species[0]: is empty");
  expect_ad("\"why\":{\"tags\":[\"a\\u0007\"]}", PA_ERR_SCHEMA, "why.tags[0]: holds a control");
  expect_ad("\"why\":{\"tags\":[\"ok\",3]}", PA_ERR_SCHEMA, "why.tags[1]: expected a string");
  expect_ad("\"why\":{\"languages\":[\"en-Latn-US\"]}", PA_OK, "");
  expect_ad("\"why\":{\"languages\":[\"abcdefgh-12345678\"]}", PA_ERR_TOO_LARGE,
            "why.languages[0]: is too long"); /* 17 bytes */
  expect_ad("\"why\":{\"languages\":[\"abc-12345678ab\"]}", PA_ERR_SCHEMA,
            "why.languages[0]: is not a language tag");                   /* a subtag of 10 */
  expect_ad("\"why\":{\"languages\":[\"abc-1234567-abcd\"]}", PA_OK, ""); /* 16 bytes */
  expect_ad("\"why\":{\"languages\":[\"e\"]}", PA_ERR_SCHEMA, "is not a language tag");
  expect_ad("\"why\":{\"languages\":[\"es-\"]}", PA_ERR_SCHEMA, "is not a language tag");
  expect_ad("\"why\":{\"languages\":[\"e1\"]}", PA_ERR_SCHEMA, "is not a language tag");
  expect_ad("\"why\":{\"languages\":[\"es_ES\"]}", PA_ERR_SCHEMA, "is not a language tag");
  expect_ad("\"why\":{\"countries\":[\"es\"]}", PA_ERR_SCHEMA,
            "why.countries[0]: is not an ISO 3166-1 alpha-2 code");
  expect_ad("\"why\":{\"countries\":[\"ESP\"]}", PA_ERR_SCHEMA, "is not an ISO 3166-1 alpha-2");
  expect_ad("\"why\":{\"countries\":[\"E\"]}", PA_ERR_SCHEMA, "is not an ISO 3166-1 alpha-2");

  /* The builder holds pages made in memory to the same rules. */
  static const char *const cats[] = {"cat"};
  pa_rank_candidate in = {.post_id = "p_1",
                          .author_id = "u_1",
                          .pet_id = "pet_1",
                          .species = "cat",
                          .created_at = T0,
                          .sponsored = true,
                          .advertiser_id = "ad_1",
                          .campaign_id = "c_1",
                          .ad_token = "t0k",
                          .ad_link = "https://shop.example/"};
  in.why[PA_RANK_TARGET_SPECIES] = cats;
  in.why_count[PA_RANK_TARGET_SPECIES] = 1;
  float emb[64] = {1};
  p = NULL;
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_OK && p);
  if (p) {
    k = pa_rank_page_candidate(p, 0);
    CHECK(k->ad_token != in.ad_token && !strcmp(k->ad_token, "t0k")); /* copied */
    CHECK(k->why[0] != cats && !strcmp(k->why[0][0], "cat"));
    pa_rank_page_free(p);
  }
  in.ad_token = "t=k";
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  CHECK_CONTAINS(e.msg, "candidates[0].sponsored.token: may only hold base64url");
  in.ad_token = "t0k";
  in.ad_link = "http://shop.example/";
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  in.ad_link = NULL;
  in.why_count[PA_RANK_TARGET_SPECIES] = PA_RANK_MAX_TARGETS + 1;
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_TOO_LARGE && !p);
  in.why_count[PA_RANK_TARGET_SPECIES] = 1;
  static const char *const bad_country[] = {"es"};
  in.why[PA_RANK_TARGET_COUNTRIES] = bad_country;
  in.why_count[PA_RANK_TARGET_COUNTRIES] = 1;
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  CHECK_CONTAINS(e.msg, "candidates[0].sponsored.why.countries[0]: is not an ISO 3166-1");
  in.why_count[PA_RANK_TARGET_COUNTRIES] = 0;
  in.sponsored = false;
  in.advertiser_id = in.campaign_id = NULL;
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  in.ad_token = NULL; /* an organic post with targeting */
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_ERR_SCHEMA && !p);
  in.why_count[PA_RANK_TARGET_SPECIES] = 0;
  CHECK(pa_rank_page_build("mf-v1", 64, &in, emb, 1, &p, &e) == PA_OK && p);
  pa_rank_page_free(p);
}

/* ---- kernels: every path sums in the same order, to the bit */

static void test_kernels(void) {
  float u[64], m[8 * 64], a[8], b[8];
  for (int j = 0; j < 64; j++) u[j] = (float)noise(1, j);
  for (int k = 0; k < 8 * 64; k++) m[k] = (float)noise(2, k) * (k % 7 ? 1.0f : 1e-3f);
  pa_rank_dots(u, m, 8, 64, a);
  pa_rank_dots_scalar(u, m, 8, 64, b);
  CHECK(!memcmp(a, b, sizeof a));
  int8_t q[8 * 64], q8u[64];
  int16_t qu[64];
  float scale[8];
  for (int i = 0; i < 8; i++) scale[i] = pa_rank_quantize(m + 64 * i, 64, q + 64 * i);
  float su = pa_rank_quantize(u, 64, q8u);
  for (int j = 0; j < 64; j++) qu[j] = q8u[j];
  pa_rank_dots_i8(qu, su, q, scale, 8, 64, a);
  pa_rank_dots_i8_scalar(qu, su, q, scale, 8, 64, b);
  CHECK(!memcmp(a, b, sizeof a));
  pa_rank_dots(u, m, 8, 64, b);
  for (int i = 0; i < 8; i++) CHECK(fabsf(a[i] - b[i]) < 0.05f);
  float zero[64] = {0};
  CHECK(pa_rank_quantize(zero, 64, q) == 0 && q[0] == 0);
}

/* ---- taste */

static pa_rank_taste *taste_new(void) {
  pa_rank_taste *t = NULL;
  pa_error e;
  CHECK(pa_rank_taste_create(64, &t, &e) == PA_OK);
  return t;
}

static void observe(pa_rank_taste *t, const pa_rank_page *p, int i, pa_rank_signal s, double v) {
  pa_error e;
  pa_status st = pa_rank_taste_observe(t, p, i, s, v, &e);
  if (st != PA_OK) fprintf(stderr, "  observe: %s\n", e.msg);
  CHECK(st == PA_OK);
}

static uint8_t *save(const pa_rank_taste *t, size_t *len) {
  pa_error e;
  size_t need = 0;
  CHECK(pa_rank_taste_save(t, NULL, 0, &need, &e) == PA_ERR_TOO_LARGE);
  CHECK(need == pa_rank_taste_saved_size(t));
  uint8_t *b = malloc(need);
  CHECK(pa_rank_taste_save(t, b, need, len, &e) == PA_OK && *len == need);
  return b;
}

static uint32_t crc(const uint8_t *p, size_t n) {
  uint32_t c = ~0u;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

static void reseal(uint8_t *b, size_t len) {
  uint32_t c = crc(b, len - 4);
  for (int i = 0; i < 4; i++) b[len - 4 + i] = (uint8_t)(c >> (8 * i));
}

static pa_rank_taste *trained(const pa_rank_page *p) {
  pa_rank_taste *t = taste_new();
  observe(t, p, 0, PA_RANK_LIKE, 0);
  observe(t, p, 4, PA_RANK_DWELL, 6500);
  observe(t, p, 1, PA_RANK_SKIP, 0);
  observe(t, p, 2, PA_RANK_WATCH, 0.9);
  observe(t, p, 3, PA_RANK_HIDE, 0);
  observe(t, p, 5, PA_RANK_HIDE_AUTHOR, 0);
  observe(t, p, 6, PA_RANK_FOLLOW, 0);
  return t;
}

static void test_taste_roundtrip(void) {
  cand c[40];
  pa_rank_page *p = parse(c, mixed(c, 40, 12));
  if (!p) return;
  pa_rank_taste *t = trained(p), *u = taste_new();
  CHECK(pa_rank_taste_updates(t) == 7);
  size_t len, len2;
  uint8_t *b = save(t, &len);
  pa_error e;
  CHECK(pa_rank_taste_load(u, b, len, &e) == PA_OK);
  CHECK(pa_rank_taste_updates(u) == 7);
  uint8_t *b2 = save(u, &len2);
  CHECK(len == len2 && !memcmp(b, b2, len));
  CHECK(pa_rank_taste_affinity(u, author(0)) == pa_rank_taste_affinity(t, author(0)));
  CHECK(pa_rank_taste_affinity(u, author(0)) > 0);
  CHECK(pa_rank_taste_affinity(u, author(5)) == -1); /* hid the author */
  CHECK(pa_rank_taste_affinity(u, "nobody") == 0);

  /* The loaded taste ranks exactly like the original. */
  pa_rank_item a[30], z[30];
  pa_rank_session *s = session(9, NULL);
  int na = rank(s, t, p, 30, a), nz = rank(s, u, p, 30, z);
  CHECK(na == nz && na > 0 && same_items(a, z, na));
  /* Hidden post 3 and every post by author 5 are gone. */
  for (int i = 0; i < na; i++) {
    CHECK(a[i].index != 3);
    CHECK(strcmp(author_of(p, &a[i]), author(5)));
  }

  pa_rank_taste_reset(u);
  CHECK(pa_rank_taste_updates(u) == 0 && pa_rank_taste_affinity(u, author(0)) == 0);
  free(b);
  free(b2);
  pa_rank_session_free(s);
  pa_rank_taste_free(t);
  pa_rank_taste_free(u);
  pa_rank_page_free(p);
}

/* A load that must fail and leave target exactly as it was. */
static void refused(pa_rank_taste *target, const uint8_t *b, size_t len, pa_status code,
                    const char *msg) {
  size_t before_len, after_len;
  uint8_t *before = save(target, &before_len);
  pa_error e;
  pa_status st = pa_rank_taste_load(target, b, len, &e);
  CHECK(st != PA_OK);
  if (code != PA_OK) CHECK(st == code);
  if (msg) CHECK_CONTAINS(e.msg, msg);
  uint8_t *after = save(target, &after_len);
  CHECK(before_len == after_len && !memcmp(before, after, before_len));
  free(before);
  free(after);
}

static void test_taste_corruption(void) {
  cand c[40];
  pa_rank_page *p = parse(c, mixed(c, 40, 12));
  if (!p) return;
  pa_rank_taste *t = trained(p), *target = taste_new();
  observe(target, p, 7, PA_RANK_LIKE, 0); /* so "untouched" means something */
  size_t len;
  uint8_t *b = save(t, &len);

  /* Every single flipped bit, every truncation, one extra byte. */
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit += 3) {
      b[i] ^= (uint8_t)(1u << bit);
      refused(target, b, len, PA_OK, NULL);
      b[i] ^= (uint8_t)(1u << bit);
    }
  for (size_t n = 0; n < len; n += 5) refused(target, b, n, PA_OK, NULL);
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, b, len);
  longer[len] = 0;
  refused(target, longer, len + 1, PA_ERR_SYNTAX, "unexpected bytes");
  free(longer);

  /* Foreign bytes, another version, another dim: clear messages. */
  const char *feed = "{\"posts\":[],\"next_cursor\":null}";
  refused(target, (const uint8_t *)feed, strlen(feed), PA_ERR_UNSUPPORTED,
          "taste: not a PetAmigos taste file");
  uint8_t *v = malloc(len);
  memcpy(v, b, len);
  v[8] = 0; /* version 0: an older format */
  reseal(v, len);
  refused(target, v, len, PA_ERR_UNSUPPORTED, "taste: version 0 is not supported");
  memcpy(v, b, len);
  b[len - 1] ^= 0x40;
  refused(target, b, len, PA_ERR_SYNTAX, "checksum mismatch");
  b[len - 1] ^= 0x40;
  /* A valid checksum over invalid contents: affinity 5 is out of range. */
  memcpy(v, b, len);
  float five = 5;
  memcpy(v + 72 + 64 * 4 + 8, &five, 4);
  reseal(v, len);
  refused(target, v, len, PA_ERR_SCHEMA, "taste: corrupt author table");
  free(v);
  pa_rank_taste *wide = NULL;
  pa_error e;
  CHECK(pa_rank_taste_create(128, &wide, &e) == PA_OK);
  refused(wide, b, len, PA_ERR_UNSUPPORTED, "taste: saved for 64-d embeddings, expected 128-d");

  CHECK(pa_rank_taste_load(target, b, len, &e) == PA_OK); /* and the good bytes still load */
  free(b);
  pa_rank_taste_free(wide);
  pa_rank_taste_free(t);
  pa_rank_taste_free(target);
  pa_rank_page_free(p);
}

static void test_observe_checks(void) {
  cand c[8];
  pa_rank_page *p = parse(c, mixed(c, 8, 4));
  if (!p) return;
  pa_rank_taste *t = taste_new();
  pa_error e;
  CHECK(pa_rank_taste_observe(t, p, 8, PA_RANK_LIKE, 0, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe(t, p, 0, PA_RANK_DWELL, -1, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe(t, p, 0, PA_RANK_DWELL, NAN, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe(t, p, 0, PA_RANK_WATCH, 1.5, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe(t, p, 0, (pa_rank_signal)99, 0, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_updates(t) == 0);
  /* The vector stays within the unit ball however much the user likes. */
  for (int k = 0; k < 200; k++) observe(t, p, k % 8, PA_RANK_LIKE, 0);
  const char *model;
  const float *u = pa_rank_taste_vector(t, &model);
  CHECK(pa_rank_dot(u, u, 64) <= 1.0001f && !strcmp(model, "mf-v1"));
  CHECK(pa_rank_taste_affinity(t, author(0)) <= 1);
  pa_rank_signal sig;
  CHECK(pa_rank_signal_from_name("hide-author", &sig) && sig == PA_RANK_HIDE_AUTHOR);
  CHECK(!pa_rank_signal_from_name("love", &sig));
  CHECK(!strcmp(pa_rank_signal_name(PA_RANK_WATCH), "watch"));
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* The feed's view reports: short is a skip, long a dwell; follows of a
 * person or pet land on their newest candidate. */
static void test_viewed_and_find_by(void) {
  cand c[8];
  pa_rank_page *p = parse(c, mixed(c, 8, 4));
  if (!p) return;
  pa_error e;
  pa_rank_taste *skip = taste_new(), *dwell = taste_new(), *by_hand = taste_new();
  CHECK(pa_rank_taste_viewed(skip, p, 1, 400, &e) == PA_OK);
  CHECK(pa_rank_taste_affinity(skip, author(1)) < 0);
  CHECK(pa_rank_taste_viewed(dwell, p, 1, 9000, &e) == PA_OK);
  CHECK(pa_rank_taste_affinity(dwell, author(1)) > 0);
  observe(by_hand, p, 1, PA_RANK_DWELL, 9000);
  CHECK(pa_rank_taste_affinity(by_hand, author(1)) == pa_rank_taste_affinity(dwell, author(1)));
  CHECK(pa_rank_taste_viewed(dwell, p, 1, 1e12, &e) == PA_OK); /* capped, not refused */
  CHECK(pa_rank_taste_viewed(dwell, p, 1, -1, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_viewed(dwell, p, 1, NAN, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_viewed(dwell, p, 9, 2000, &e) == PA_ERR_ARG);
  /* Authors 0..3 wrote posts i % 4; the newest has the smallest age. */
  int k = pa_rank_page_find_by(p, author(2), NULL);
  CHECK(k == 2 || k == 6);
  const pa_rank_candidate *a = pa_rank_page_candidate(p, 2), *b = pa_rank_page_candidate(p, 6);
  CHECK(k == (b->created_at > a->created_at ? 6 : 2));
  const pa_rank_candidate *ck = pa_rank_page_candidate(p, k);
  CHECK(pa_rank_page_find_by(p, NULL, ck->pet_id) >= 0);
  CHECK(!strcmp(pa_rank_page_candidate(p, pa_rank_page_find_by(p, NULL, ck->pet_id))->pet_id,
                ck->pet_id));
  CHECK(pa_rank_page_find_by(p, author(2), ck->pet_id) == k);
  CHECK(pa_rank_page_find_by(p, "u_nobody", NULL) == -1);
  CHECK(pa_rank_page_find_by(p, NULL, NULL) == -1);
  pa_rank_taste_free(skip);
  pa_rank_taste_free(dwell);
  pa_rank_taste_free(by_hand);
  pa_rank_page_free(p);
}

/* Stories and reels are not candidates: watching them moves only their
 * author's affinity, and that lifts the author's posts in the feed. */
static int first_by(const pa_rank_page *p, const pa_rank_item *it, int n, const char *who) {
  for (int i = 0; i < n; i++)
    if (!strcmp(pa_rank_page_candidate(p, it[i].index)->author_id, who)) return i;
  return n;
}

static void test_observe_author(void) {
  cand c[200];
  pa_rank_page *p = parse(c, mixed(c, 200, 40));
  if (!p) return;
  pa_rank_session *s = steady_session(3);
  pa_rank_taste *t = taste_new();
  pa_rank_item it[200];
  int n = rank(s, t, p, 200, it);
  const char *who = pa_rank_page_candidate(p, it[n - 1].index)->author_id; /* ranked last */
  int cold = first_by(p, it, n, who);
  pa_error e;
  for (int k = 0; k < 4; k++)
    CHECK(pa_rank_taste_observe_author(t, who, PA_RANK_WATCH, 1.0, &e) == PA_OK);
  CHECK(pa_rank_taste_affinity(t, who) > 0.3f && pa_rank_taste_updates(t) == 4);
  const char *model;
  const float *u = pa_rank_taste_vector(t, &model);
  CHECK(pa_rank_dot(u, u, 64) == 0); /* no embedding was involved */
  n = rank(s, t, p, 200, it);
  int warm = first_by(p, it, n, who);
  CHECK(warm < cold && warm < 20);
  bool because = false;
  for (int r = 0; r < it[warm].reason_count; r++)
    because |= it[warm].reasons[r].code == PA_RANK_WHY_AUTHOR;
  CHECK(because);
  /* A reel left at once counts against its author, less than a hide. */
  CHECK(pa_rank_taste_observe_author(t, "u_39", PA_RANK_WATCH, 0.05, &e) == PA_OK);
  CHECK(pa_rank_taste_affinity(t, "u_39") < 0 && pa_rank_taste_affinity(t, "u_39") > -0.2f);
  /* Hiding an author works without a post of theirs; hiding a post does not. */
  CHECK(pa_rank_taste_observe_author(t, who, PA_RANK_HIDE_AUTHOR, 0, &e) == PA_OK);
  n = rank(s, t, p, 200, it);
  CHECK(first_by(p, it, n, who) == n);
  CHECK(pa_rank_taste_observe_author(t, who, PA_RANK_HIDE, 0, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe_author(t, who, PA_RANK_WATCH, 1.5, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe_author(t, "", PA_RANK_WATCH, 1, &e) == PA_ERR_ARG);
  CHECK(pa_rank_taste_observe_author(NULL, who, PA_RANK_WATCH, 1, &e) == PA_ERR_ARG);
  pa_rank_session_free(s);
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* ---- learning direction */

static int in_top(const pa_rank_page *p, const pa_rank_item *it, int n, int cluster,
                  const bool *liked) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    const pa_rank_candidate *c = pa_rank_page_candidate(p, it[i].index);
    k += c->tags[0][1] - '0' == cluster && !liked[it[i].index];
  }
  return k;
}

static void test_learning_direction(void) {
  cand c[200];
  pa_rank_page *p = parse(c, mixed(c, 200, 40));
  if (!p) return;
  pa_rank_session *s = steady_session(3);
  pa_rank_taste *t = taste_new();
  pa_rank_item it[20];
  bool liked[200] = {false};
  int n = rank(s, t, p, 20, it);
  int before = in_top(p, it, n, 2, liked);
  /* Like ten posts of cluster 2, skip ten of cluster 1. */
  for (int i = 0, likes = 0, skips = 0; i < 200; i++) {
    if (c[i].cluster == 2 && likes < 10) {
      observe(t, p, i, PA_RANK_LIKE, 0);
      liked[i] = true;
      likes++;
    } else if (c[i].cluster == 1 && skips < 10) {
      observe(t, p, i, PA_RANK_SKIP, 0);
      skips++;
    }
  }
  n = rank(s, t, p, 20, it);
  int after = in_top(p, it, n, 2, liked);
  /* Other posts of the liked cluster, never seen, now fill the top. */
  CHECK(after >= before + 5);
  CHECK(after >= 10);
  CHECK(in_top(p, it, n, 1, liked) <= 1);
  bool similar = false;
  for (int i = 0; i < n; i++)
    if (c[it[i].index].cluster == 2)
      similar |= it[i].reason_count > 0 && it[i].reasons[0].code == PA_RANK_WHY_SIMILAR;
  CHECK(similar);

  /* A taste from another embedding model is ignored, and restarts on learning. */
  char *json = page_json(c, 200);
  char *other = replace(json, "mf-v1", "mf-v2");
  pa_rank_page *p2 = NULL;
  pa_error e;
  CHECK(pa_rank_page_parse(other, strlen(other), &p2, &e) == PA_OK);
  pa_rank_item z[20];
  pa_rank_item cold[20];
  int nz = rank(s, t, p2, 20, z), nc = rank(s, NULL, p2, 20, cold);
  CHECK(nz == 20 && nc == 20);
  CHECK(in_top(p2, z, nz, 2, liked) < after);
  for (int i = 0; i < nz; i++)
    for (int r = 0; r < z[i].reason_count; r++) CHECK(z[i].reasons[r].code != PA_RANK_WHY_SIMILAR);
  observe(t, p2, 0, PA_RANK_LIKE, 0);
  const char *model;
  pa_rank_taste_vector(t, &model);
  CHECK(!strcmp(model, "mf-v2"));
  free(json);
  free(other);
  pa_rank_page_free(p2);
  pa_rank_session_free(s);
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* ---- determinism */

static void test_determinism(void) {
  cand c[300];
  pa_rank_page *p = parse(c, mixed(c, 300, 50));
  if (!p) return;
  pa_rank_taste *t = trained(p);
  pa_rank_item a[60], b[60], d[60];
  pa_rank_session *s1 = session(42, NULL), *s2 = session(42, NULL), *s3 = session(43, NULL);
  int na = rank(s1, t, p, 60, a), nb = rank(s2, t, p, 60, b);
  CHECK(na == 60 && na == nb && same_items(a, b, na));
  nb = rank(s1, t, p, 60, b); /* re-ranking in the same session: the same list */
  CHECK(na == nb && same_items(a, b, na));
  int nd = rank(s3, t, p, 60, d);
  CHECK(nd == na && !same_items(a, d, na)); /* another seed explores elsewhere */
  int explored = 0;
  for (int i = 0; i < na; i++)
    for (int r = 0; r < a[i].reason_count; r++)
      explored += a[i].reasons[r].code == PA_RANK_WHY_EXPLORING;
  CHECK(explored >= 1 && explored <= 15);               /* epsilon 0.1 over 60 slots */
  CHECK(a[0].reasons[0].code != PA_RANK_WHY_EXPLORING); /* the first slot never explores */
  pa_rank_session_free(s1);
  pa_rank_session_free(s2);
  pa_rank_session_free(s3);
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* ---- diversity: no two adjacent posts by one author unless nothing else is left */

static void test_diversity(void) {
  /* Author u_big's 60 posts outscore everything; 40 posts from 20 others. */
  cand c[100];
  for (int i = 0; i < 100; i++)
    c[i] = i < 60 ? (cand){"u_big", 0, 0, 5000, true, NULL, NULL}
                  : (cand){author(i % 20), 1 + i % 3, 40, 1, false, NULL, NULL};
  pa_rank_page *p = parse(c, 100);
  if (!p) return;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    pa_rank_session *s = session(seed, NULL);
    pa_rank_item it[80];
    int n = rank(s, NULL, p, 80, it);
    CHECK(n == 80);
    int big = 0;
    for (int i = 0; i < n; i++) {
      big += !strcmp(author_of(p, &it[i]), "u_big");
      if (i) CHECK(strcmp(author_of(p, &it[i]), author_of(p, &it[i - 1])));
    }
    CHECK(big == 40); /* alternating: the big author still gets half */
    pa_rank_session_free(s);
  }
  /* Only one other post: it breaks the run once; then there is no alternative. */
  cand d[8];
  for (int i = 0; i < 8; i++) d[i] = (cand){i == 7 ? "u_x" : "u_big", 0, 0, 100, false, NULL, NULL};
  pa_rank_page *q = parse(d, 8);
  pa_rank_session *s = session(1, NULL);
  pa_rank_item it[8];
  int n = q ? rank(s, NULL, q, 8, it) : 0;
  CHECK(n == 8);
  if (q && n == 8) {
    CHECK(!strcmp(author_of(q, &it[1]), "u_x"));
    for (int i = 2; i < 8; i++) CHECK(!strcmp(author_of(q, &it[i]), "u_big"));
  }
  /* MMR spreads the top over clusters even from distinct authors. */
  cand e[60];
  for (int i = 0; i < 60; i++)
    e[i] = (cand){author(i), i < 30 ? 0 : 1 + i % 3, 0, i < 30 ? 400 : 300, false, NULL, NULL};
  pa_rank_page *r = parse(e, 60);
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.explore = 0;
  pa_rank_session *s2 = session(1, &cfg);
  pa_rank_item top[10];
  n = r ? rank(s2, NULL, r, 10, top) : 0;
  int other = 0;
  for (int i = 0; i < n; i++) other += e[top[i].index].cluster != 0;
  if (!(n == 10 && other >= 3)) fprintf(stderr, "  mmr: n %d other %d\n", n, other);
  CHECK(n == 10 && other >= 3);
  cfg.mmr_lambda = 1; /* pure relevance: the 30 similar posts win */
  pa_rank_session_configure(s2, &cfg, NULL);
  n = r ? rank(s2, NULL, r, 10, top) : 0;
  other = 0;
  for (int i = 0; i < n; i++) other += e[top[i].index].cluster != 0;
  CHECK(n == 10 && other == 0);
  pa_rank_session_free(s);
  pa_rank_session_free(s2);
  pa_rank_page_free(q);
  pa_rank_page_free(r);
  pa_rank_page_free(p);
}

/* ---- MMR against an eager oracle: the picks equal those of recomputing
 * every pool row's penalty from all earlier picks before each pick (the
 * session passes over rows whose bound cannot win, rank_session.c) */

static const pa_rank_page *oracle_page;
static const float *oracle_score;

/* Pool order: higher score, then page order (the session's heap). */
static int by_score(const void *x, const void *y) {
  int a = *(const int *)x, b = *(const int *)y;
  if (oracle_score[a] != oracle_score[b]) return oracle_score[a] > oracle_score[b] ? -1 : 1;
  return a - b;
}

static bool same_field(const pa_rank_page *p, int a, int b, bool pet) {
  const pa_rank_candidate *x = pa_rank_page_candidate(p, a), *y = pa_rank_page_candidate(p, b);
  return !strcmp(pet ? x->pet_id : x->author_id, pet ? y->pet_id : y->author_id);
}

/* The first `len` MMR picks as the eager loop makes them; returns how many agree. */
static int eager_mmr(const pa_rank_page *p, const float *score, int n, float lambda, int depth,
                     const pa_rank_item *got, int len) {
  int pool[240], k = depth * 4 < n ? depth * 4 : n; /* cap + 3 * depth, cap == depth */
  float maxsim[240] = {0};
  bool placed[240] = {false};
  for (int i = 0; i < n; i++) pool[i] = i;
  oracle_page = p;
  oracle_score = score;
  qsort(pool, (size_t)n, sizeof pool[0], by_score);
  int prev = -1, dim = pa_rank_page_dim(p);
  for (int j = 0; j < len; j++) {
    int best = -1, other = -1;
    float vb = 0, vo = 0;
    for (int q = 0; q < k; q++) {
      if (placed[q]) continue;
      float v = lambda * score[pool[q]] - (1 - lambda) * maxsim[q];
      if (best < 0 || v > vb) best = q, vb = v;
      if ((prev < 0 || !same_field(p, pool[q], prev, false)) && (other < 0 || v > vo))
        other = q, vo = v;
    }
    int at = other >= 0 ? other : best;
    if (at < 0 || pool[at] != got[j].index) return j;
    placed[at] = true;
    prev = pool[at];
    for (int q = 0; q < k; q++) {
      float d = 1;
      if (!same_field(p, pool[q], prev, false) && !same_field(p, pool[q], prev, true)) {
        float v =
            pa_rank_dot(pa_rank_page_embedding(p, prev), pa_rank_page_embedding(p, pool[q]), dim);
        d = v > 0 ? v : 0;
      }
      if (d > maxsim[q]) maxsim[q] = d;
    }
  }
  return len;
}

static void test_mmr_oracle(void) {
  enum { N = 240, DEPTH = 40 };
  cand c[N];
  for (int i = 0; i < N; i++)
    c[i] = (cand){author(i % 41),
                  i % 4,
                  (i * 13) % 72,
                  (i * 53) % 400,
                  i % 5 == 0,
                  NULL,
                  i % 9 == 0 ? "pet_shared" : NULL};
  pa_rank_page *p = parse(c, N);
  pa_rank_taste *t = NULL;
  CHECK(pa_rank_taste_create(64, &t, NULL) == PA_OK);
  if (!p || !t) goto done;
  /* A taste for cluster 1, so similarity and relevance pull apart. */
  for (int i = 1; i < N; i += 4)
    CHECK(pa_rank_taste_observe(t, p, i, PA_RANK_LIKE, 0, NULL) == PA_OK);
  static const float lambdas[] = {0.2f, 0.5f, 0.7f, 0.9f};
  for (size_t l = 0; l < sizeof lambdas / sizeof lambdas[0]; l++) {
    pa_rank_config cfg;
    pa_rank_config_default(&cfg);
    cfg.explore = 0;
    cfg.mmr_lambda = lambdas[l];
    cfg.mmr_depth = DEPTH;
    pa_rank_session *s = session(1, &cfg);
    /* Every candidate's score: a list of all N carries them. */
    static pa_rank_item all[N];
    static float score[N];
    pa_rank_item got[DEPTH];
    int n_all = s ? rank(s, t, p, N, all) : 0;
    CHECK(n_all == N);
    for (int i = 0; i < n_all; i++) score[all[i].index] = all[i].score;
    int n = s && n_all == N ? rank(s, t, p, DEPTH, got) : 0;
    CHECK(n == DEPTH);
    int agree = eager_mmr(p, score, N, lambdas[l], DEPTH, got, n);
    if (agree != n)
      fprintf(stderr, "  mmr oracle: lambda %.1f, pick %d differs\n", lambdas[l], agree);
    CHECK(agree == n);
    pa_rank_session_free(s);
  }
done:
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* ---- ads */

static void check_ad_rules(const pa_rank_page *p, const pa_rank_item *it, int n, int every,
                           int *ads) {
  int since = 0, seen = 0;
  *ads = 0;
  for (int i = 0; i < n; i++) {
    const pa_rank_candidate *k = pa_rank_page_candidate(p, it[i].index);
    CHECK(it[i].sponsored == k->sponsored); /* labelled for the UI */
    if (!it[i].sponsored) {
      since++;
      continue;
    }
    (*ads)++;
    CHECK(i > 0);                                                  /* never first */
    CHECK(since >= every);                                         /* one per N organic at most */
    CHECK(!pa_rank_page_candidate(p, it[i - 1].index)->sponsored); /* never adjacent */
    CHECK(it[i].reason_count >= 1 && it[i].reasons[0].code == PA_RANK_WHY_SPONSORED);
    CHECK(strcmp(k->author_id, author_of(p, &it[i - 1]))); /* not next to its author */
    if (i + 1 < n) CHECK(strcmp(k->author_id, author_of(p, &it[i + 1])));
    since = 0;
    seen++;
  }
  for (int i = 0; i < n; i++)
    if (!it[i].sponsored)
      for (int r = 0; r < it[i].reason_count; r++)
        CHECK(it[i].reasons[r].code != PA_RANK_WHY_SPONSORED);
}

static int count_adv(const pa_rank_page *p, const pa_rank_item *it, int n, const char *adv) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    const pa_rank_candidate *c = pa_rank_page_candidate(p, it[i].index);
    k += c->sponsored && !strcmp(c->advertiser_id, adv);
  }
  return k;
}

static void test_ads(void) {
  /* 100 organic posts, 20 ads: ad_a x 10 (very relevant), ad_b x 6, ad_c x 4. */
  cand c[120];
  mixed(c, 100, 30);
  for (int i = 100; i < 120; i++)
    c[i] = (cand){
        author(40 + i % 3), 0, 2, 900, false, i < 110 ? "ad_a" : i < 116 ? "ad_b" : "ad_c", NULL};
  c[119].author = author(1); /* an ad by an author who also posts organically */
  pa_rank_page *p = parse(c, 120);
  if (!p) return;
  pa_rank_session *s = session(5, NULL);
  pa_rank_item it[60], again[60];
  int ads, n = rank(s, NULL, p, 60, it);
  CHECK(n == 60);
  check_ad_rules(p, it, n, 5, &ads);
  CHECK(ads == 6); /* cap 2 for each of three advertisers */
  CHECK(count_adv(p, it, n, "ad_a") == 2 && count_adv(p, it, n, "ad_b") == 2 &&
        count_adv(p, it, n, "ad_c") == 2);
  /* Re-ranking the page (say, after a mode switch) shows the same ads again. */
  CHECK(rank(s, NULL, p, 60, again) == n && same_items(it, again, n));
  /* A new page in the same session: the caps are spent. */
  cand d[40];
  mixed(d, 36, 20);
  for (int i = 36; i < 40; i++)
    d[i] = (cand){author(50), 0, 1, 900, false, i < 38 ? "ad_a" : "ad_d", NULL};
  char *json = page_json(d, 40);
  char *renamed = replace(json, "\"post_id\":\"p_", "\"post_id\":\"q_");
  for (char *at = renamed; (at = strstr(at, "\"post_id\":\"p_"));) at[11] = 'q';
  pa_rank_page *q = NULL;
  pa_error e;
  CHECK(pa_rank_page_parse(renamed, strlen(renamed), &q, &e) == PA_OK);
  n = q ? rank(s, NULL, q, 40, it) : 0;
  CHECK(count_adv(q, it, n, "ad_a") == 0 && count_adv(q, it, n, "ad_d") == 2);
  pa_rank_session_restart(s); /* a new app session */
  n = q ? rank(s, NULL, q, 40, it) : 0;
  CHECK(count_adv(q, it, n, "ad_a") == 2);
  check_ad_rules(q, it, n, 5, &ads);

  /* Configurable N; N = 0 turns ads off. */
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.ad_every = 3;
  cfg.ad_cap = 10;
  pa_rank_session *s3 = session(5, &cfg);
  n = rank(s3, NULL, p, 60, it);
  check_ad_rules(p, it, n, 3, &ads);
  CHECK(ads == 15); /* 60 items: 15 ads after every 3 organic */
  cfg.ad_every = 0;
  pa_rank_session_configure(s3, &cfg, NULL);
  n = rank(s3, NULL, p, 60, it);
  check_ad_rules(p, it, n, 0, &ads);
  CHECK(ads == 0 && n == 60);
  /* One advertiser fills the best ads but is capped: the others still get slots. */
  cand f[93];
  mixed(f, 60, 30);
  for (int i = 60; i < 93; i++)
    f[i] = (cand){author(41), 0, 0, i < 90 ? 5000 : 1, false, i < 90 ? "ad_a" : "ad_b", NULL};
  pa_rank_page *g = parse(f, 93);
  pa_rank_session *s4 = session(5, NULL);
  n = g ? rank(s4, NULL, g, 30, it) : 0;
  check_ad_rules(g, it, n, 5, &ads);
  CHECK(count_adv(g, it, n, "ad_a") == 2 && count_adv(g, it, n, "ad_b") == 2 && ads == 4);
  pa_rank_session_free(s4);
  pa_rank_page_free(g);

  free(json);
  free(renamed);
  pa_rank_session_free(s);
  pa_rank_session_free(s3);
  pa_rank_page_free(q);
  pa_rank_page_free(p);
}

/* ---- modes */

static void test_modes(void) {
  cand c[80];
  mixed(c, 70, 25);
  for (int i = 70; i < 80; i++)
    c[i] = (cand){author(60), 0, 1, 50, true, i < 75 ? "ad_a" : "ad_b", NULL};
  pa_rank_page *p = parse(c, 80);
  if (!p) return;
  pa_rank_taste *t = trained(p);
  pa_rank_session *s = session(11, NULL);
  CHECK(pa_rank_session_mode(s) == PA_RANK_FOR_YOU);
  pa_rank_item fy[40], fol[40], back[40];
  int nfy = rank(s, t, p, 40, fy);
  pa_rank_session_set_mode(s, PA_RANK_FOLLOWING);
  CHECK(pa_rank_session_mode(s) == PA_RANK_FOLLOWING);
  int nfol = rank(s, t, p, 40, fol), ads, organic = 0;
  /* Only followed authors, newest first, hidden posts still hidden, ads by the rule. */
  int64_t last = INT64_MAX;
  for (int i = 0; i < nfol; i++) {
    const pa_rank_candidate *k = pa_rank_page_candidate(p, fol[i].index);
    CHECK(k->following);
    CHECK(fol[i].index != 3);
    if (k->sponsored) continue;
    organic++;
    CHECK(k->created_at <= last);
    last = k->created_at;
    bool says = false;
    for (int r = 0; r < fol[i].reason_count; r++)
      says |= fol[i].reasons[r].code == PA_RANK_WHY_FOLLOWING;
    CHECK(says);
  }
  int expected = 0;
  for (int i = 0; i < 70; i++)
    expected += c[i].following && i != 3 && strcmp(c[i].author, author(5));
  CHECK(organic == expected);
  check_ad_rules(p, fol, nfol, 5, &ads);
  CHECK(ads >= 1);
  /* Switching back gives the same For You list as before. */
  pa_rank_session_set_mode(s, PA_RANK_FOR_YOU);
  CHECK(rank(s, t, p, 40, back) == nfy && same_items(fy, back, nfy));
  pa_rank_session_set_mode(s, (pa_rank_mode)7); /* ignored */
  CHECK(pa_rank_session_mode(s) == PA_RANK_FOR_YOU);

  /* The text the CLI prints and the JSON the shell reads. */
  size_t need = pa_rank_describe(p, fol, nfol, PA_RANK_FOLLOWING, true, NULL, 0);
  char *text = malloc(need + 1);
  CHECK(pa_rank_describe(p, fol, nfol, PA_RANK_FOLLOWING, true, text, need + 1) == need);
  CHECK_CONTAINS(text, "rank: ");
  CHECK_CONTAINS(text, " of 80 candidates, following, model mf-v1\n");
  CHECK_CONTAINS(text, "why: following 0.3500");
  CHECK_CONTAINS(text, ", sponsored by ad_");
  free(text);
  need = pa_rank_items_json(p, fy, nfy, NULL, 0);
  text = malloc(need + 1);
  pa_rank_items_json(p, fy, nfy, text, need + 1);
  CHECK(text[0] == '[' && text[need - 1] == ']');
  CHECK_CONTAINS(text, "\"sponsored\":{\"advertiser_id\":\"ad_");
  CHECK_CONTAINS(text, "\"why\":[{\"code\":\"");
  free(text);
  pa_rank_session_free(s);
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

/* ---- int8: a documented recall against f32 */

static void test_int8(void) {
  cand c[400];
  pa_rank_page *p = parse(c, mixed(c, 400, 80));
  if (!p) return;
  pa_rank_taste *t = taste_new();
  for (int i = 0; i < 400; i += 9)
    observe(t, p, i, c[i].cluster == 3 ? PA_RANK_LIKE : PA_RANK_SKIP, 0);
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  cfg.int8 = true;
  pa_rank_session *s8 = session(2, &cfg), *s = session(2, NULL);
  pa_rank_item a[50], b[50];
  int count;
  pa_error e;
  CHECK(pa_rank_session_rank(s8, t, p, T0, a, 50, &count, &e) == PA_ERR_ARG);
  CHECK_CONTAINS(e.msg, "pa_rank_page_quantize");
  CHECK(pa_rank_page_quantize(p, &e) == PA_OK && pa_rank_page_quantize(p, &e) == PA_OK);
  int na = rank(s8, t, p, 50, a), nb = rank(s, t, p, 50, b), hit = 0;
  for (int i = 0; i < na; i++)
    for (int j = 0; j < nb; j++) hit += a[i].index == b[j].index;
  CHECK(na == 50 && nb == 50 && hit >= 45); /* >= 90% of the f32 list */
  pa_rank_session_free(s8);
  pa_rank_session_free(s);
  pa_rank_taste_free(t);
  pa_rank_page_free(p);
}

static void test_args(void) {
  pa_rank_config cfg;
  pa_rank_config_default(&cfg);
  pa_rank_session *s = NULL;
  pa_error e;
  cfg.mmr_lambda = 2;
  CHECK(pa_rank_session_create(&cfg, 1, &s, &e) == PA_ERR_ARG && !s);
  pa_rank_config_default(&cfg);
  cfg.w_new = NAN;
  CHECK(pa_rank_session_create(&cfg, 1, &s, &e) == PA_ERR_ARG && !s);
  cfg.w_new = 0.1f;
  cfg.explore = 0.9f;
  CHECK(pa_rank_session_create(&cfg, 1, &s, &e) == PA_ERR_ARG);
  s = session(1, NULL);
  cand c[4];
  pa_rank_page *p = parse(c, mixed(c, 4, 2));
  pa_rank_taste *wide = NULL;
  CHECK(pa_rank_taste_create(128, &wide, &e) == PA_OK);
  pa_rank_item it[4];
  int count = 7;
  CHECK(pa_rank_session_rank(s, wide, p, T0, it, 4, &count, &e) == PA_ERR_ARG && count == 0);
  CHECK(pa_rank_session_rank(s, NULL, p, T0, it, 0, &count, &e) == PA_OK && count == 0);
  CHECK(pa_rank_session_rank(s, NULL, p, T0, NULL, 4, &count, &e) == PA_ERR_ARG);
  pa_rank_taste *odd = NULL;
  CHECK(pa_rank_taste_create(65, &odd, &e) == PA_ERR_UNSUPPORTED && !odd);
  pa_rank_taste_free(wide);
  pa_rank_session_free(s);
  pa_rank_page_free(p);
}

int main(void) {
  RUN(test_parse_valid);
  RUN(test_parse_errors);
  RUN(test_build_checks);
  RUN(test_ad_fields);
  RUN(test_kernels);
  RUN(test_taste_roundtrip);
  RUN(test_taste_corruption);
  RUN(test_observe_checks);
  RUN(test_viewed_and_find_by);
  RUN(test_observe_author);
  RUN(test_learning_direction);
  RUN(test_determinism);
  RUN(test_diversity);
  RUN(test_mmr_oracle);
  RUN(test_ads);
  RUN(test_modes);
  RUN(test_int8);
  RUN(test_args);
  return pa_test_summary("rank");
}
