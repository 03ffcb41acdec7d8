#include "pa/pa_feed.h"
#include "pa/pa_listings.h"
#include "pa/pa_stories.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>

static const char *VALID =
    "{\"posts\":["
    "{\"id\":\"p_2\",\"author\":{\"id\":\"u_1\",\"name\":\"Ana Souza\",\"avatar_url\":null},"
    "\"pet\":{\"id\":\"pet_1\",\"name\":\"Luna\",\"species\":\"cat\",\"avatar_url\":\"/media/"
    "a.jpg\"},"
    "\"images\":[{\"url\":\"/media/b.jpg\",\"width\":640,\"height\":800,\"alt\":\"Luna asleep\"},"
    "{\"url\":\"https://cdn.example/c.jpg\",\"width\":10,\"height\":10}],"
    "\"caption\":\"Sunday nap \\u00e9t\\u00e9 \\ud83d\\udc31\\nsecond line "
    "#sleepy\",\"tags\":[\"sleepy\"],"
    "\"like_count\":12,\"comment_count\":0,\"liked\":true,\"created_at\":\"2026-11-24T05:00:00Z\","
    "\"future_field\":{\"ignored\":true}},"
    "{\"id\":\"p_1\",\"author\":{\"id\":\"u_2\",\"name\":\"Kenji\",\"avatar_url\":\"/media/"
    "k.png\",\"plus\":true},"
    "\"pet\":{\"id\":\"pet_2\",\"name\":\"Mochi\",\"species\":\"dog\",\"avatar_url\":null},"
    "\"images\":[{\"url\":\"/media/d.jpg\",\"width\":640,\"height\":640,\"alt\":null}],"
    "\"caption\":\"\",\"tags\":[],\"like_count\":0,\"comment_count\":3,\"liked\":false,"
    "\"created_at\":\"2026-11-23T23:30:00.123+02:00\"}],"
    "\"next_cursor\":\"abc\"}";

static pa_status parse(const char *json, pa_error *e) {
  pa_feed *f = NULL;
  pa_status st = pa_feed_parse(json, strlen(json), &f, e);
  CHECK((st == PA_OK) == (f != NULL));
  pa_feed_free(f);
  return st;
}

static void test_valid_feed(void) {
  pa_error e;
  pa_feed *f;
  CHECK(pa_feed_parse(VALID, strlen(VALID), &f, &e) == PA_OK);
  if (!f) return;
  CHECK(pa_feed_count(f) == 2);
  const pa_feed_post *p = pa_feed_post_at(f, 0);
  CHECK(!strcmp(p->id, "p_2"));
  CHECK(!strcmp(p->author.name, "Ana Souza"));
  CHECK(p->author.avatar_url == NULL);
  CHECK(!p->author.plus);                    /* absent: not a Plus member */
  CHECK(pa_feed_post_at(f, 1)->author.plus); /* the badge */
  CHECK(!strcmp(p->pet.avatar_url, "/media/a.jpg"));
  CHECK(p->image_count == 2 && p->images[0].width == 640 && p->images[0].height == 800);
  CHECK(!strcmp(p->images[1].alt, ""));
  CHECK(!strcmp(p->caption, "Sunday nap \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb1\nsecond line #sleepy"));
  CHECK(p->tag_count == 1 && !strcmp(p->tags[0], "sleepy"));
  CHECK(p->like_count == 12 && p->liked);
  CHECK(p->created_at == 1795496400);
  /* 23:30:00 at +02:00 is 21:30:00 UTC. */
  CHECK(pa_feed_post_at(f, 1)->created_at == 1795496400 - 86400 + 21 * 3600 + 1800 - 5 * 3600);
  CHECK(pa_feed_post_at(f, 2) == NULL && pa_feed_post_at(f, -1) == NULL);
  CHECK(!strcmp(pa_feed_next_cursor(f), "abc"));

  char small[16];
  size_t need = pa_feed_describe(f, small, sizeof small);
  CHECK(need > sizeof small && strlen(small) == sizeof small - 1);
  char *text = malloc(need + 1);
  CHECK(pa_feed_describe(f, text, need + 1) == need);
  CHECK_CONTAINS(text, "feed: 2 posts, next_cursor \"abc\"\n");
  CHECK_CONTAINS(text, "post p_2 by Ana Souza (u_1) about Luna, cat (pet_1)\n");
  CHECK_CONTAINS(text, "  2026-11-24T05:00:00Z, 12 likes, 0 comments, liked: yes\n");
  CHECK_CONTAINS(text, "  image 1: /media/b.jpg 640x800 \"Luna asleep\"\n");
  CHECK_CONTAINS(text, "  tags: #sleepy\n");
  free(text);
  pa_feed_free(f);
}

static void test_empty_and_last_page(void) {
  pa_error e;
  pa_feed *f;
  const char *json = " {\"posts\":[],\"next_cursor\":null}\n";
  CHECK(pa_feed_parse(json, strlen(json), &f, &e) == PA_OK);
  CHECK(pa_feed_count(f) == 0 && pa_feed_next_cursor(f) == NULL);
  pa_feed_free(f);
}

/* Replaces the first occurrence of from with to in VALID. */
static char *mutate(const char *from, const char *to) {
  const char *at = strstr(VALID, from);
  if (!at) {
    fprintf(stderr, "mutation target not found: %s\n", from);
    abort();
  }
  size_t n = strlen(VALID) - strlen(from) + strlen(to) + 1;
  char *s = malloc(n);
  snprintf(s, n, "%.*s%s%s", (int)(at - VALID), VALID, to, at + strlen(from));
  return s;
}

static void expect(const char *from, const char *to, pa_status code, const char *msg_part) {
  char *json = mutate(from, to);
  pa_error e;
  pa_status st = parse(json, &e);
  if (st != code || !strstr(e.msg, msg_part))
    fprintf(stderr, "  mutation %s -> %s gave %s: %s\n", from, to, pa_status_name(st), e.msg);
  CHECK(st == code);
  CHECK_CONTAINS(e.msg, msg_part);
  free(json);
}

static void test_schema_errors(void) {
  expect("\"id\":\"p_2\",", "", PA_ERR_SCHEMA, "posts[0].id: missing");
  expect("\"id\":\"p_2\"", "\"id\":42", PA_ERR_SCHEMA, "posts[0].id: expected a string");
  expect("\"id\":\"p_2\"", "\"id\":\"p 2\"", PA_ERR_SCHEMA, "posts[0].id: id may only");
  expect("\"name\":\"Ana Souza\"", "\"name\":null", PA_ERR_SCHEMA, "posts[0].author.name");
  expect("\"plus\":true", "\"plus\":1", PA_ERR_SCHEMA, "posts[1].author.plus: expected true");
  expect("\"plus\":true", "\"plus\":null", PA_ERR_SCHEMA, "posts[1].author.plus");
  expect("\"species\":\"cat\"", "\"species\":[]", PA_ERR_SCHEMA, "posts[0].pet.species");
  expect("\"width\":640,\"height\":800", "\"width\":0,\"height\":800", PA_ERR_SCHEMA,
         "posts[0].images[0].width: 0 is outside 1..16384");
  expect("\"width\":640,\"height\":800", "\"width\":640.5,\"height\":800", PA_ERR_SCHEMA,
         "images[0].width: expected an integer");
  expect("\"url\":\"/media/b.jpg\"", "\"url\":\"javascript:alert(1)\"", PA_ERR_SCHEMA,
         "images[0].url: URL must be a same-origin path or https");
  expect("\"url\":\"/media/b.jpg\"", "\"url\":\"//evil.example/x\"", PA_ERR_SCHEMA, "url");
  expect("\"url\":\"/media/b.jpg\"", "\"url\":\"/a b\"", PA_ERR_SCHEMA, "must be escaped");
  expect("\"like_count\":12", "\"like_count\":-1", PA_ERR_SCHEMA, "posts[0].like_count");
  expect("\"like_count\":12", "\"like_count\":1e300", PA_ERR_SCHEMA, "like_count");
  expect("\"liked\":true", "\"liked\":\"yes\"", PA_ERR_SCHEMA, "posts[0].liked: expected true");
  expect("\"created_at\":\"2026-11-24T05:00:00Z\"", "\"created_at\":\"yesterday\"", PA_ERR_SCHEMA,
         "posts[0].created_at: expected an RFC 3339 time");
  expect("\"created_at\":\"2026-11-24T05:00:00Z\"", "\"created_at\":\"2025-02-29T05:00:00Z\"",
         PA_ERR_SCHEMA, "created_at");
  expect("\"tags\":[\"sleepy\"]", "\"tags\":[\"\"]", PA_ERR_SCHEMA, "tags[0]");
  expect("\"tags\":[\"sleepy\"]", "\"tags\":\"sleepy\"", PA_ERR_SCHEMA, "tags: expected an array");
  expect("\"images\":[{\"url\":\"/media/b.jpg\"", "\"images\":[],\"x\":[{\"url\":\"/media/b.jpg\"",
         PA_ERR_SCHEMA, "images: holds 0 items, expected 1..20");
  expect("\"caption\":\"Sunday", "\"caption\":\"\\u0007Sunday", PA_ERR_SCHEMA,
         "caption: invalid UTF-8 or control character");
  expect("\"caption\":\"Sunday", "\"caption\":\"\xc3\x28Sunday", PA_ERR_SCHEMA, "invalid UTF-8");
  expect("\"caption\":\"Sunday", "\"caption\":\"\xed\xa0\x80Sunday", PA_ERR_SCHEMA, "UTF-8");
  expect("\"next_cursor\":\"abc\"", "\"next_cursor\":5", PA_ERR_SCHEMA, "next_cursor");
  expect("{\"posts\":[", "{\"postz\":[", PA_ERR_SCHEMA, "posts: missing");
}

/* A sponsored post's "ad" object (issue 21): the same rules as the ranking
 * candidate's token and link, and only on a sponsored post. */
static void test_ad_object(void) {
  const char *liked = "\"liked\":true,";
  char *json = mutate(liked, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"tOk-_9\","
                             "\"link\":\"https://shop.example/a?b=c\"},");
  pa_feed *f = NULL;
  pa_error e;
  CHECK(pa_feed_parse(json, strlen(json), &f, &e) == PA_OK);
  free(json);
  if (f) {
    const pa_feed_post *p = pa_feed_post_at(f, 0);
    CHECK(p->sponsored && !strcmp(p->ad_token, "tOk-_9") &&
          !strcmp(p->ad_link, "https://shop.example/a?b=c"));
    p = pa_feed_post_at(f, 1);
    CHECK(!p->sponsored && !p->ad_token && !p->ad_link);
    pa_feed_free(f);
  }
  expect(liked, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"t\",\"link\":\"\"},", PA_OK,
         "");
  expect(liked, "\"liked\":true,\"ad\":{\"token\":\"t\",\"link\":\"\"},", PA_ERR_SCHEMA,
         "posts[0].ad: only a sponsored post has one");
  expect(liked, "\"liked\":true,\"sponsored\":false,\"ad\":{\"token\":\"t\",\"link\":\"\"},",
         PA_ERR_SCHEMA, "posts[0].ad: only a sponsored post has one");
  expect(liked, "\"liked\":true,\"sponsored\":true,\"ad\":null,", PA_ERR_SCHEMA, "posts[0].ad");
  expect(liked, "\"liked\":true,\"sponsored\":true,\"ad\":{\"link\":\"\"},", PA_ERR_SCHEMA,
         "posts[0].ad.token: missing");
  expect(liked, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"t\"},", PA_ERR_SCHEMA,
         "posts[0].ad.link: missing");
  expect(liked, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"t=\",\"link\":\"\"},",
         PA_ERR_SCHEMA, "posts[0].ad.token: may only hold base64url");
  expect(
      liked,
      "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"t\",\"link\":\"http://x.example\"},",
      PA_ERR_SCHEMA, "posts[0].ad.link: must be an https URL");
  /* Both limits at their edges: the last allowed, the first refused. */
  char token[PA_FEED_MAX_AD_TOKEN + 2], link[PA_FEED_MAX_AD_LINK + 2];
  memset(token, 'Z', sizeof token - 1);
  token[PA_FEED_MAX_AD_TOKEN] = '\0';
  snprintf(link, sizeof link, "https://x.example/");
  memset(link + 18, 'q', PA_FEED_MAX_AD_LINK - 18);
  link[PA_FEED_MAX_AD_LINK] = '\0';
  for (int extra = 0; extra <= 1; extra++) {
    char *ad = malloc(sizeof token + sizeof link + 128);
    if (extra) token[PA_FEED_MAX_AD_TOKEN] = 'Z', token[PA_FEED_MAX_AD_TOKEN + 1] = '\0';
    sprintf(ad, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"%s\",\"link\":\"\"},",
            token);
    expect(liked, ad, extra ? PA_ERR_TOO_LARGE : PA_OK,
           extra ? "posts[0].ad.token: is too long" : "");
    if (extra) link[PA_FEED_MAX_AD_LINK] = 'q', link[PA_FEED_MAX_AD_LINK + 1] = '\0';
    sprintf(ad, "\"liked\":true,\"sponsored\":true,\"ad\":{\"token\":\"t\",\"link\":\"%s\"},",
            link);
    expect(liked, ad, extra ? PA_ERR_TOO_LARGE : PA_OK,
           extra ? "posts[0].ad.link: is too long" : "");
    free(ad);
  }
  /* The checks on their own, as the ranker calls them. */
  CHECK(pa_feed_ad_token_check("abc") == NULL && pa_feed_ad_link_check("") == NULL);
  CHECK(pa_feed_ad_link_check("https://a") == NULL);
  CHECK(pa_feed_ad_link_check("https://a@b") != NULL);
  CHECK(pa_feed_ad_link_check("HTTPS://a") != NULL); /* written as the server writes it */
}

static void test_limits(void) {
  /* 101 posts: one over the page limit. */
  size_t one = strlen("{},"), n = 101;
  char *json = malloc(32 + one * n);
  strcpy(json, "{\"posts\":[");
  for (size_t i = 0; i < n; i++) strcat(json, i + 1 < n ? "{}," : "{}");
  strcat(json, "],\"next_cursor\":null}");
  pa_error e;
  CHECK(parse(json, &e) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "posts: holds 101 items");
  free(json);

  char *caption = malloc(PA_FEED_MAX_CAPTION + 2);
  memset(caption, 'a', PA_FEED_MAX_CAPTION + 1);
  caption[PA_FEED_MAX_CAPTION + 1] = '\0';
  size_t len = strlen(caption) + 32;
  char *field = malloc(len);
  snprintf(field, len, "\"caption\":\"%s", caption);
  expect("\"caption\":\"Sunday", field, PA_ERR_TOO_LARGE, "caption: longer than 2200 characters");
  free(field);
  free(caption);

  pa_feed *f;
  CHECK(pa_feed_parse("{}", PA_FEED_MAX_BYTES + 1, &f, &e) == PA_ERR_TOO_LARGE);
  CHECK(f == NULL);
}

/* VALID with its first post's two images replaced by n, /media/i1.jpg .. in. */
static char *with_images(int n) {
  static const char from[] =
      "{\"url\":\"/media/b.jpg\",\"width\":640,\"height\":800,\"alt\":\"Luna asleep\"},"
      "{\"url\":\"https://cdn.example/c.jpg\",\"width\":10,\"height\":10}";
  char *list = malloc((size_t)n * 64 + 1);
  list[0] = '\0';
  for (int i = 1; i <= n; i++)
    sprintf(list + strlen(list), "%s{\"url\":\"/media/i%d.jpg\",\"width\":8,\"height\":8}",
            i > 1 ? "," : "", i);
  char *json = mutate(from, list);
  free(list);
  return json;
}

/* A post carries up to PA_FEED_MAX_IMAGES (20, what Plus allows), in order;
 * one more refuses the page, naming the field. */
static void test_images_edge(void) {
  pa_error e;
  pa_feed *f = NULL;
  char *json = with_images(PA_FEED_MAX_IMAGES);
  CHECK(pa_feed_parse(json, strlen(json), &f, &e) == PA_OK);
  const pa_feed_post *p = f ? pa_feed_post_at(f, 0) : NULL;
  CHECK(p && p->image_count == PA_FEED_MAX_IMAGES);
  if (p) {
    CHECK(!strcmp(p->images[0].url, "/media/i1.jpg"));
    CHECK(!strcmp(p->images[PA_FEED_MAX_IMAGES - 1].url, "/media/i20.jpg"));
  }
  pa_feed_free(f);
  free(json);
  json = with_images(PA_FEED_MAX_IMAGES + 1);
  f = NULL;
  CHECK(pa_feed_parse(json, strlen(json), &f, &e) != PA_OK && f == NULL);
  CHECK_CONTAINS(e.msg, "posts[0].images: holds 21 items, expected 1..20");
  pa_feed_free(f);
  free(json);
}

static void test_syntax_and_truncation(void) {
  pa_error e;
  CHECK(parse("", &e) == PA_ERR_TRUNCATED);
  CHECK(parse("{\"posts\":[]} x", &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "unexpected data after JSON");
  CHECK(parse("{\"posts\":[}", &e) == PA_ERR_SYNTAX);
  CHECK(parse("[1,2]", &e) == PA_ERR_SCHEMA);
  CHECK(pa_feed_parse(NULL, 0, NULL, &e) == PA_ERR_ARG);
  /* Every proper prefix of a valid page must be refused, never crash. */
  size_t n = strlen(VALID);
  int refused = 0;
  for (size_t cut = 0; cut < n - 1; cut++) {
    pa_feed *f = NULL;
    pa_status st = pa_feed_parse(VALID, cut, &f, &e);
    refused += st != PA_OK && f == NULL;
    pa_feed_free(f);
  }
  CHECK(refused == (int)(n - 1));
  pa_feed *f;
  CHECK(pa_feed_parse(VALID, n / 2, &f, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "JSON ends early");
}

static void test_time(void) {
  int64_t t;
  char buf[21];
  CHECK(pa_feed_parse_time("1970-01-01T00:00:00Z", &t) == PA_OK && t == 0);
  CHECK(pa_feed_parse_time("2000-02-29T12:00:00Z", &t) == PA_OK && t == 951825600);
  CHECK(pa_feed_parse_time("1969-12-31T23:59:59Z", &t) == PA_OK && t == -1);
  CHECK(pa_feed_parse_time("2026-11-24T05:00:00-03:30", &t) == PA_OK && t == 1795496400 + 12600);
  CHECK(pa_feed_parse_time("2026-11-24 05:00:00Z", &t) != PA_OK);
  CHECK(pa_feed_parse_time("2026-11-24T05:00:00", &t) != PA_OK);
  CHECK(pa_feed_parse_time("2026-13-24T05:00:00Z", &t) != PA_OK);
  CHECK(pa_feed_parse_time("2026-11-24T05:00:00Zjunk", &t) != PA_OK);
  CHECK(pa_feed_parse_time("2026-04-31T05:00:00Z", &t) != PA_OK);
  /* Offsets cut short must not be read past their end (found by fuzzing). */
  const char *cut[] = {"2026-11-24T05:00:00+", "2026-11-24T05:00:00+05", "2026-11-24T05:00:00+05:"};
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(cut[i]);
    char *exact = malloc(n + 1); /* exactly sized, so ASan sees any over-read */
    memcpy(exact, cut[i], n + 1);
    CHECK(pa_feed_parse_time(exact, &t) != PA_OK);
    free(exact);
  }
  for (int64_t v = -86400 * 800; v < 86400LL * 365 * 200; v += 86400 * 37 + 3607) {
    pa_feed_format_time(v, buf);
    CHECK(pa_feed_parse_time(buf, &t) == PA_OK && t == v);
  }
}

/* ---- the marketplace's listings page (pa_listings.h) */

/* One listing's JSON with title, price and currency (and the rest valid). */
static char *listing_json(const char *title, const char *price, const char *currency,
                          const char *cover) {
  char *s = malloc(4096);
  snprintf(
      s, 4096,
      "{\"id\":\"lst_1\",\"seller\":{\"id\":\"u_1\",\"name\":\"Shop\"},\"title\":\"%s\","
      "\"lang\":\"es\",\"price_minor\":%s,\"currency\":\"%s\",\"stock\":1,\"kind\":\"product\","
      "\"condition\":\"new\",\"category\":\"beds\",\"species\":[],\"location\":{\"city\":"
      "\"Lima\",\"country\":\"PE\"},\"status\":\"active\",\"cover_url\":%s,\"created_at\":"
      "\"2026-11-24T02:00:00Z\",\"updated_at\":\"2026-11-24T02:00:00Z\"}",
      title, price, currency, cover);
  return s;
}

/* A page of n copies of one listing, with next_cursor. */
static pa_status parse_listings(const char *one, int n, const char *cursor, pa_error *e,
                                pa_listings **keep) {
  size_t cap = (strlen(one) + 1) * (size_t)n + 256;
  char *page = malloc(cap), *p = page;
  p += sprintf(p, "{\"listings\":[");
  for (int i = 0; i < n; i++) p += sprintf(p, "%s%s", i ? "," : "", one);
  sprintf(p, "],\"next_cursor\":%s}", cursor);
  pa_listings *l = NULL;
  pa_status st = pa_listings_parse(page, strlen(page), &l, e);
  CHECK((st == PA_OK) == (l != NULL));
  free(page);
  if (keep)
    *keep = l;
  else
    pa_listings_free(l);
  return st;
}

static void test_listings(void) {
  pa_error e;
  pa_listings *l;
  char *one = listing_json("Cama ortop\\u00e9dica", "4990", "BRL", "\"/media/a.jpg\"");
  CHECK(parse_listings(one, 2, "\"c_2\"", &e, &l) == PA_OK);
  CHECK(pa_listings_count(l) == 2 && !strcmp(pa_listings_next_cursor(l), "c_2"));
  const pa_listing *x = pa_listings_at(l, 1);
  CHECK(!strcmp(x->id, "lst_1") && !strcmp(x->title, "Cama ortop\xC3\xA9"
                                                     "dica"));
  CHECK(x->price_minor == 4990 && !strcmp(x->currency, "BRL"));
  CHECK(!strcmp(x->cover_url, "/media/a.jpg") && !strcmp(x->seller, "Shop"));
  CHECK(!strcmp(x->city, "Lima") && pa_listings_at(l, 2) == NULL);
  pa_listings_free(l);
  free(one);
  /* No photo, the last page, an empty page. */
  one = listing_json("Leash", "1", "JPY", "null");
  CHECK(parse_listings(one, 1, "null", &e, &l) == PA_OK);
  CHECK(pa_listings_at(l, 0)->cover_url == NULL && pa_listings_next_cursor(l) == NULL);
  pa_listings_free(l);
  CHECK(parse_listings(one, 0, "null", &e, NULL) == PA_OK);
  /* PA_LISTINGS_MAX_PAGE listings, then one more. */
  CHECK(parse_listings(one, PA_LISTINGS_MAX_PAGE, "null", &e, NULL) == PA_OK);
  CHECK(parse_listings(one, PA_LISTINGS_MAX_PAGE + 1, "null", &e, NULL) != PA_OK);
  free(one);
  /* A title of PA_LISTINGS_MAX_TITLE code points (two bytes each), then one more. */
  char title[PA_LISTINGS_MAX_TITLE * 6 + 8] = "";
  for (int i = 0; i < PA_LISTINGS_MAX_TITLE; i++) strcat(title, "\\u00e9");
  one = listing_json(title, "1", "EUR", "null");
  CHECK(parse_listings(one, 1, "null", &e, NULL) == PA_OK);
  free(one);
  strcat(title, "a");
  one = listing_json(title, "1", "EUR", "null");
  CHECK(parse_listings(one, 1, "null", &e, NULL) == PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(e.msg, "listings[0].title");
  free(one);
  /* The largest price, then one more; never a fraction or a negative. */
  one = listing_json("a", "1000000000000000", "USD", "null");
  CHECK(parse_listings(one, 1, "null", &e, &l) == PA_OK);
  CHECK(pa_listings_at(l, 0)->price_minor == PA_LISTINGS_MAX_PRICE);
  pa_listings_free(l);
  free(one);
  const char *bad_prices[] = {"1000000000000001", "-1", "49.9", "\"4990\"", "null"};
  for (int i = 0; i < 5; i++) {
    one = listing_json("a", bad_prices[i], "USD", "null");
    CHECK(parse_listings(one, 1, "null", &e, NULL) != PA_OK);
    CHECK_CONTAINS(e.msg, "listings[0].price_minor");
    free(one);
  }
  /* Currencies: three capitals only. */
  const char *bad_currencies[] = {"usd", "US", "USDX", "U$D", ""};
  for (int i = 0; i < 5; i++) {
    one = listing_json("a", "1", bad_currencies[i], "null");
    CHECK(parse_listings(one, 1, "null", &e, NULL) != PA_OK);
    CHECK_CONTAINS(e.msg, "listings[0].currency");
    free(one);
  }
  /* An empty title, a cover on another site over http, a bad cursor. */
  one = listing_json("", "1", "USD", "null");
  CHECK(parse_listings(one, 1, "null", &e, NULL) != PA_OK);
  free(one);
  one = listing_json("a", "1", "USD", "\"http://evil.example/x.jpg\"");
  CHECK(parse_listings(one, 1, "null", &e, NULL) != PA_OK);
  CHECK_CONTAINS(e.msg, "cover_url");
  CHECK(parse_listings(one, 0, "\"a b\"", &e, NULL) != PA_OK);
  free(one);
  /* Not a page; cut short. */
  CHECK(pa_listings_parse("{\"posts\":[]}", 12, &l, &e) != PA_OK && l == NULL);
  CHECK(pa_listings_parse("{\"listings\":[", 13, &l, &e) == PA_ERR_TRUNCATED);
}

/* ---- Lives (issue 24): a tray entry's "live" and a reel's "replay". */

static const char *PET = "\"pet\":{\"id\":\"pet_1\",\"name\":\"Luna\",\"species\":\"cat\","
                         "\"avatar_url\":null},\"owner\":{\"id\":\"u_1\",\"name\":\"Ana\","
                         "\"avatar_url\":null},\"all_seen\":true";
static const char *STORY = "{\"id\":\"s_1\",\"media\":{\"url\":\"/media/a.jpg\",\"type\":"
                           "\"image/jpeg\",\"width\":8,\"height\":8},\"created_at\":"
                           "\"2026-11-24T03:00:00Z\",\"expires_at\":\"2026-11-25T03:00:00Z\","
                           "\"seen\":true}";

/* A tray of one entry with live (the member's text, or NULL for none) and
 * stories (1 or 0); on success *out holds it. */
static pa_status tray(const char *live, int stories, pa_error *e, pa_stories **out) {
  char json[2048];
  snprintf(json, sizeof json, "{\"tray\":[{%s%s%s,\"stories\":[%s]}]}", PET,
           live ? ",\"live\":" : "", live ? live : "", stories ? STORY : "");
  pa_stories *t = NULL;
  pa_status st = pa_stories_parse(json, strlen(json), &t, e);
  CHECK((st == PA_OK) == (t != NULL));
  if (out)
    *out = t;
  else
    pa_stories_free(t);
  return st;
}

static void test_tray_live(void) {
  pa_error e;
  pa_stories *t;
  /* None: absent (servers before issue 24) or null. */
  CHECK(tray(NULL, 1, &e, &t) == PA_OK);
  CHECK(pa_stories_entry_at(t, 0)->live_id == NULL && pa_stories_entry_at(t, 0)->live_viewers == 0);
  pa_stories_free(t);
  CHECK(tray("null", 1, &e, &t) == PA_OK);
  CHECK(pa_stories_entry_at(t, 0)->live_id == NULL);
  pa_stories_free(t);
  /* On air with stories, and with none: the entry stands for the live. */
  CHECK(tray("{\"id\":\"live_12\",\"viewers\":3}", 1, &e, &t) == PA_OK);
  const pa_story_entry *en = pa_stories_entry_at(t, 0);
  CHECK(!strcmp(en->live_id, "live_12") && en->live_viewers == 3 && en->story_count == 1);
  pa_stories_free(t);
  CHECK(tray("{\"id\":\"live_1\",\"viewers\":0}", 0, &e, &t) == PA_OK);
  CHECK(pa_stories_entry_at(t, 0)->story_count == 0);
  pa_stories_free(t);
  /* No stories and no live: refused, as before. */
  CHECK(tray("null", 0, &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "tray[0].stories: holds 0 items, expected 1..");
  CHECK(tray(NULL, 0, &e, NULL) == PA_ERR_SCHEMA);
  /* Viewers: 0 and PA_STORIES_MAX_LIVE_VIEWERS, then one past either end. */
  CHECK(tray("{\"id\":\"live_1\",\"viewers\":2147483647}", 0, &e, &t) == PA_OK);
  CHECK(pa_stories_entry_at(t, 0)->live_viewers == PA_STORIES_MAX_LIVE_VIEWERS);
  pa_stories_free(t);
  CHECK(tray("{\"id\":\"live_1\",\"viewers\":2147483648}", 0, &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "tray[0].live.viewers: 2147483648 is outside 0..2147483647");
  CHECK(tray("{\"id\":\"live_1\",\"viewers\":-1}", 0, &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "tray[0].live.viewers");
  const char *bad_viewers[] = {"1.5", "\"3\"", "null", "true"};
  for (int i = 0; i < 4; i++) {
    char live[96];
    snprintf(live, sizeof live, "{\"id\":\"live_1\",\"viewers\":%s}", bad_viewers[i]);
    CHECK(tray(live, 1, &e, NULL) == PA_ERR_SCHEMA);
    CHECK_CONTAINS(e.msg, "tray[0].live.viewers");
  }
  CHECK(tray("{\"id\":\"live_1\"}", 1, &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "tray[0].live.viewers: missing");
  /* Ids: "live_" and one digit or more, nothing else. */
  const char *bad_ids[] = {"\"live_\"",   "\"live_1a\"", "\"r_1\"", "\"LV_1\"", "\"xlive_1\"",
                           "\"live_-1\"", "\"live_1 \"", "12",      "null"};
  for (int i = 0; i < 9; i++) {
    char live[96];
    snprintf(live, sizeof live, "{\"id\":%s,\"viewers\":1}", bad_ids[i]);
    CHECK(tray(live, 1, &e, NULL) == PA_ERR_SCHEMA);
    CHECK_CONTAINS(e.msg, "tray[0].live.id");
  }
  /* The id's length: the feed's id limit, then one more. */
  char live[PA_FEED_MAX_ID + 64], digits[PA_FEED_MAX_ID + 2];
  memset(digits, '7', sizeof digits);
  digits[PA_FEED_MAX_ID - 5] = '\0';
  snprintf(live, sizeof live, "{\"id\":\"live_%s\",\"viewers\":1}", digits);
  CHECK(tray(live, 0, &e, NULL) == PA_OK);
  digits[PA_FEED_MAX_ID - 5] = '7';
  digits[PA_FEED_MAX_ID - 4] = '\0';
  snprintf(live, sizeof live, "{\"id\":\"live_%s\",\"viewers\":1}", digits);
  CHECK(tray(live, 0, &e, NULL) != PA_OK);
  CHECK_CONTAINS(e.msg, "tray[0].live.id");
  /* Not an object. */
  CHECK(tray("\"live_1\"", 1, &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "tray[0].live");
  CHECK(tray("[]", 1, &e, NULL) == PA_ERR_SCHEMA);
}

/* A page of one reel with replay (the member's text, or NULL for none). */
static pa_status reel_page(const char *replay, pa_error *e, pa_reels **out) {
  char json[2048];
  snprintf(json, sizeof json,
           "{\"reels\":[{\"id\":\"r_1\",\"author\":{\"id\":\"u_1\",\"name\":\"Ana\","
           "\"avatar_url\":null},\"pet\":{\"id\":\"pet_1\",\"name\":\"Luna\",\"species\":\"cat\","
           "\"avatar_url\":null},\"caption\":\"\",\"video\":{\"url\":\"/media/a.webm\",\"type\":"
           "\"video/webm\",\"width\":null,\"height\":null},\"poster\":{\"url\":\"/media/p.jpg\","
           "\"type\":\"image/jpeg\",\"width\":8,\"height\":8},\"created_at\":"
           "\"2026-11-24T03:00:00Z\"%s%s}],\"next_cursor\":null}",
           replay ? ",\"replay\":" : "", replay ? replay : "");
  pa_reels *p = NULL;
  pa_status st = pa_reels_parse(json, strlen(json), &p, e);
  CHECK((st == PA_OK) == (p != NULL));
  if (out)
    *out = p;
  else
    pa_reels_free(p);
  return st;
}

static void test_reel_replay(void) {
  pa_error e;
  pa_reels *p;
  CHECK(reel_page(NULL, &e, &p) == PA_OK);
  CHECK(pa_reels_at(p, 0)->replay_ms == 0 && pa_reels_at(p, 0)->replay_live == NULL);
  pa_reels_free(p);
  CHECK(reel_page("null", &e, &p) == PA_OK);
  CHECK(pa_reels_at(p, 0)->replay_ms == 0 && pa_reels_at(p, 0)->replay_live == NULL);
  pa_reels_free(p);
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":600000}", &e, &p) == PA_OK);
  CHECK(pa_reels_at(p, 0)->replay_ms == 600000 &&
        !strcmp(pa_reels_at(p, 0)->replay_live, "live_4"));
  pa_reels_free(p);
  /* Lengths: 1 ms and PA_REELS_MAX_REPLAY_MS, then one past either end. */
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":1}", &e, NULL) == PA_OK);
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":86400000}", &e, &p) == PA_OK);
  CHECK(pa_reels_at(p, 0)->replay_ms == PA_REELS_MAX_REPLAY_MS);
  pa_reels_free(p);
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":86400001}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay.duration_ms: 86400001 is outside 1..86400000");
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":0}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay.duration_ms");
  CHECK(reel_page("{\"live\":\"live_4\",\"duration_ms\":1.5}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK(reel_page("{\"live\":\"live_4\"}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay.duration_ms: missing");
  CHECK(reel_page("{\"live\":\"r_4\",\"duration_ms\":5}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay.live: expected live_ and digits");
  CHECK(reel_page("{\"live\":null,\"duration_ms\":5}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay.live");
  CHECK(reel_page("{\"duration_ms\":5}", &e, NULL) == PA_ERR_SCHEMA);
  CHECK(reel_page("true", &e, NULL) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "reels[0].replay");
}

int main(void) {
  RUN(test_valid_feed);
  RUN(test_empty_and_last_page);
  RUN(test_schema_errors);
  RUN(test_ad_object);
  RUN(test_limits);
  RUN(test_images_edge);
  RUN(test_syntax_and_truncation);
  RUN(test_time);
  RUN(test_listings);
  RUN(test_tray_live);
  RUN(test_reel_replay);
  return pa_test_summary("feed");
}
