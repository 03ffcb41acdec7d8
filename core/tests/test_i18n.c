/* Locales, negotiation, direction, catalogs, and numbers and dates pinned to
 * known per-locale outputs of CLDR 48 (the same as ICU 78 / Intl, except
 * where noted). */
#include "pa/pa_i18n.h"
#include "pa/pa_numfmt.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PA_LOCALES_DIR
#error "PA_LOCALES_DIR must name the folder of catalogs"
#endif

#define NBSP  "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"
#define LRM   "\xe2\x80\x8e"
#define RLM   "\xe2\x80\x8f"
#define FSI   "\xe2\x81\xa8"
#define PDI   "\xe2\x81\xa9"

static char out[1024];
static pa_error err;

static void report(const char *what, const char *got, const char *want) {
  if (strcmp(got, want))
    fprintf(stderr, "    %s: got \"%s\", want \"%s\" (%s)\n", what, got, want, err.msg);
}

/* Reads a whole file; caller frees. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (buf) buf[n] = '\0';
  fclose(f);
  *len = buf ? (size_t)n : 0;
  return buf;
}

static pa_i18n_catalog *load_catalog(const char *tag) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.json", PA_LOCALES_DIR, tag);
  size_t len;
  char *json = slurp(path, &len);
  CHECK(json != NULL);
  if (!json) return NULL;
  pa_i18n_catalog *cat = NULL;
  CHECK(pa_i18n_catalog_parse(tag, json, len, &cat, &err) == PA_OK);
  if (err.code) fprintf(stderr, "    %s: %s\n", path, err.msg);
  free(json);
  return cat;
}

/* ---- locales */

static void negotiation(void) {
  struct {
    const char *tag, *want;
  } cases[] = {
      {"en", "en"},
      {"en-US", "en"},
      {"EN-gb", "en"},
      {"en_AU", "en"},
      {"pt-BR", "pt"},
      {"pt-PT", "pt"},
      {"pt_br", "pt"},
      {"zh-CN", "zh-Hans"},
      {"zh-SG", "zh-Hans"},
      {"zh", "zh-Hans"},
      {"zh-Hans-CN", "zh-Hans"},
      {"ZH-hans", "zh-Hans"},
      {"zh-TW", NULL},
      {"zh-HK", NULL},
      {"zh-Hant", NULL},
      {"es-419", "es"},
      {"es-MX", "es"},
      {"fr-CA", "fr"},
      {"de-CH-1996", "de"},
      {"de-u-co-phonebk", "de"},
      {"in", "id"},
      {"id-ID", "id"},
      {"ar-EG", "ar"},
      {"ar-SA", "ar"},
      {"bn-IN", "bn"},
      {"hi-Latn", NULL},
      {"sr-Latn", NULL},
      {"en-XA", "en-XA"},
      {"en-xa", "en-XA"},
      {"he", NULL},
      {"x-klingon", NULL},
      {"*", NULL},
      {"", NULL},
      {"e", NULL},
      {"en--US", NULL},
      {"toolongtag", NULL},
      {"en-US-x-private", "en"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const char *got = pa_i18n_resolve(cases[k].tag);
    bool ok = cases[k].want ? got && !strcmp(got, cases[k].want) : got == NULL;
    CHECK(ok);
    if (!ok) fprintf(stderr, "    resolve %s: got %s\n", cases[k].tag, got ? got : "NULL");
  }
  CHECK(pa_i18n_resolve(NULL) == NULL);

  const char *prefs[] = {"zh-TW", "he", "pt-BR", "en"};
  CHECK(!strcmp(pa_i18n_negotiate(prefs, 4), "pt"));
  CHECK(!strcmp(pa_i18n_negotiate(prefs, 2), "en")); /* nothing matches: English */
  CHECK(!strcmp(pa_i18n_negotiate(NULL, 0), "en"));
  const char *zh[] = {"zh-HK", "zh-SG", "ja"};
  CHECK(!strcmp(pa_i18n_negotiate(zh, 3), "zh-Hans"));
  const char *nulls[] = {NULL, "uk_UA"};
  CHECK(!strcmp(pa_i18n_negotiate(nulls, 2), "uk"));
  char long_tag[200];
  memset(long_tag, 'a', sizeof long_tag - 1);
  long_tag[sizeof long_tag - 1] = '\0';
  CHECK(pa_i18n_resolve(long_tag) == NULL);
}

static void direction(void) {
  CHECK(pa_i18n_is_rtl("ar"));
  CHECK(pa_i18n_is_rtl("ar-EG"));
  CHECK(pa_i18n_is_rtl("AR_sa"));
  CHECK(pa_i18n_is_rtl("he"));
  CHECK(pa_i18n_is_rtl("iw")); /* legacy code for Hebrew */
  CHECK(pa_i18n_is_rtl("fa"));
  CHECK(pa_i18n_is_rtl("ur"));
  CHECK(!pa_i18n_is_rtl("en"));
  CHECK(!pa_i18n_is_rtl("zh-Hans"));
  CHECK(!pa_i18n_is_rtl("en-XA"));
  CHECK(!pa_i18n_is_rtl("az-Latn"));
  CHECK(!pa_i18n_is_rtl(NULL));
  for (int k = 0; k < pa_i18n_locale_count(); k++)
    CHECK(pa_i18n_is_rtl(pa_i18n_locale_at(k)) == !strcmp(pa_i18n_locale_at(k), "ar"));
  CHECK(!strcmp(pa_i18n_pseudo_locale(), "en-XA"));
}

/* ---- catalogs */

static void shipped_catalogs(void) {
  pa_i18n_catalog *en = load_catalog("en");
  if (!en) return;
  for (int k = 0; k <= pa_i18n_locale_count(); k++) {
    const char *tag = k < pa_i18n_locale_count() ? pa_i18n_locale_at(k) : "en-XA";
    pa_i18n_catalog *cat = load_catalog(tag);
    if (!cat) continue;
    CHECK(!strcmp(pa_i18n_catalog_locale(cat), tag));
    CHECK(pa_i18n_catalog_count(cat) == pa_i18n_catalog_count(en));
    /* Every message formats with plausible arguments, in every locale. */
    pa_msg_arg args[] = {PA_MSG_INT("count", 3),
                         PA_MSG_STR("pet", "Luna"),
                         PA_MSG_STR("name", "Ana"),
                         PA_MSG_STR("species", "cat"),
                         PA_MSG_STR("author", "Bo"),
                         PA_MSG_STR("time", "2h"),
                         PA_MSG_INT("status", 503),
                         PA_MSG_INT("index", 1),
                         PA_MSG_INT("total", 3),
                         PA_MSG_STR("alt", "a cat"),
                         PA_MSG_INT("likes", 1),
                         PA_MSG_INT("comments", 0),
                         PA_MSG_STR("liked", "true"),
                         PA_MSG_STR("unseen", "true"),
                         PA_MSG_STR("more", "false"),
                         PA_MSG_STR("advertiser", "Acme"),
                         PA_MSG_INT("years", 2),
                         PA_MSG_DBL("progress", 0.42),
                         PA_MSG_TIME("when", INT64_C(1795969800000)),
                         PA_MSG_TIME("date", INT64_C(1795969800000)),
                         PA_MSG_INT("place", 3),
                         PA_MSG_INT("min", 8),
                         PA_MSG_INT("max", 40),
                         PA_MSG_STR("reason", "oops"),
                         PA_MSG_STR("label", "A nap"),
                         PA_MSG_STR("tag", "cats"),
                         PA_MSG_STR("q", "luna"),
                         PA_MSG_INT("seconds", 30),
                         PA_MSG_STR("email", "ana@example.com"),
                         PA_MSG_INT("n", 2),
                         PA_MSG_INT("mb", 50),
                         PA_MSG_STR("provider", "PayPal"),
                         PA_MSG_STR("price", "R$ 19,90"),
                         PA_MSG_STR("shipping", "R$ 4,50"),
                         PA_MSG_INT("minutes", 3),
                         PA_MSG_INT("plus", 20),
                         PA_MSG_STR("role", "moderator"),
                         PA_MSG_STR("tombstone", "pty_x"),
                         PA_MSG_DBL("kg", 12.5),
                         PA_MSG_DBL("km", 3.2),
                         PA_MSG_TIME("until", INT64_C(1796569800000)),
                         PA_MSG_STR("link", "https://petamigos.example/reset#token=abc"),
                         PA_MSG_STR("caption", "Nap time"),
                         PA_MSG_STR("kind", "Post"),
                         PA_MSG_STR("action", "Hide"),
                         PA_MSG_STR("state", "Hidden"),
                         PA_MSG_STR("id", "u_7"),
                         PA_MSG_STR("note", "Please be kind"),
                         PA_MSG_STR("browser", "Firefox"),
                         PA_MSG_STR("os", "Linux"),
                         PA_MSG_STR("device", "Firefox on Linux"),
                         PA_MSG_STR("title", "Dog bed"),
                         PA_MSG_STR("shown", "1.2K"),
                         PA_MSG_STR("cities", "Recife, Olinda"),
                         PA_MSG_STR("zone", "Brazil"),
                         PA_MSG_STR("avg", "4.5"),
                         PA_MSG_STR("order", "ord_12"),
                         PA_MSG_STR("carrier", "Correios"),
                         PA_MSG_INT("quantity", 2),
                         PA_MSG_STR("unit", "R$ 9,90"),
                         PA_MSG_STR("tracking", "BR123456789"),
                         PA_MSG_STR("network", "203.0.113.0/24"),
                         PA_MSG_STR("created", "Dec 6, 2026"),
                         PA_MSG_STR("seen", "Dec 7, 2026"),
                         PA_MSG_STR("seller", "Shop Ana"),
                         PA_MSG_STR("currency", "USD"),
                         PA_MSG_STR("spent", "$12.00"),
                         PA_MSG_STR("value", "cats"),
                         PA_MSG_STR("host", "shop.example"),
                         PA_MSG_STR("list", "cat, dog"),
                         PA_MSG_TIME("from", INT64_C(1796569800000)),
                         PA_MSG_TIME("to", INT64_C(1799161800000)),
                         PA_MSG_STR("query", "reset password"),
                         PA_MSG_STR("who", "Ana Souza"),
                         PA_MSG_INT("rating", 4),
                         PA_MSG_STR("comment", "Quick and kind"),
                         PA_MSG_INT("days", 30),
                         PA_MSG_STR("tier", "Plus")};
    for (int i = 0; i < pa_i18n_catalog_count(cat); i++) {
      const char *key = pa_i18n_catalog_key_at(cat, i);
      CHECK(!strcmp(key, pa_i18n_catalog_key_at(en, i)));
      pa_i18n_text(cat, en, key, args, sizeof args / sizeof args[0], NULL, out, sizeof out, &err);
      CHECK(err.code == PA_OK);
      CHECK(out[0] != '\0');
      if (err.code) fprintf(stderr, "    %s %s: %s\n", tag, key, err.msg);
    }
    pa_i18n_catalog_free(cat);
  }
  pa_i18n_catalog_free(en);
}

static void catalog_lookup_and_fallback(void) {
  const char *en_json = "{\"a.hello\":\"Hello {name}\",\"b.count\":\"{n, plural, one {# cat} "
                        "other {# cats}}\",\"c.only\":\"English only\"}";
  const char *ru_json = "{\"a.hello\":\"Привет, {name}\",\"b.count\":\"{n, plural, one {x}}\"}";
  pa_i18n_catalog *en, *ru;
  CHECK(pa_i18n_catalog_parse("en-US", en_json, strlen(en_json), &en, &err) == PA_OK);
  CHECK(pa_i18n_catalog_parse("ru_RU", ru_json, strlen(ru_json), &ru, &err) == PA_OK);
  CHECK(!strcmp(pa_i18n_catalog_locale(en), "en") && !strcmp(pa_i18n_catalog_locale(ru), "ru"));
  CHECK(pa_i18n_catalog_count(en) == 3);
  CHECK(!strcmp(pa_i18n_catalog_key_at(en, 2), "c.only"));
  CHECK(pa_i18n_catalog_key_at(en, 3) == NULL);
  CHECK(!strcmp(pa_i18n_catalog_get(ru, "a.hello"), "Привет, {name}"));
  CHECK(pa_i18n_catalog_get(ru, "c.only") == NULL);

  pa_msg_arg a[] = {PA_MSG_STR("name", "Ana"), PA_MSG_INT("n", 2)};
  size_t n = pa_i18n_text(ru, en, "a.hello", a, 2, NULL, out, sizeof out, &err);
  CHECK(err.code == PA_OK && !strcmp(out, "Привет, " FSI "Ana" PDI) && n == strlen(out));
  /* Missing key: the fallback catalog, in its own locale. */
  pa_i18n_text(ru, en, "c.only", a, 2, NULL, out, sizeof out, &err);
  CHECK(!strcmp(out, "English only") && err.code == PA_ERR_ARG);
  CHECK_CONTAINS(err.msg, "ru: no key c.only");
  /* Broken translation: English, and the error names the key. */
  pa_i18n_text(ru, en, "b.count", a, 2, NULL, out, sizeof out, &err);
  CHECK(!strcmp(out, "2 cats") && err.code == PA_ERR_SYNTAX);
  CHECK_CONTAINS(err.msg, "ru: b.count: message: byte 0");
  /* Nowhere: the key itself, so the UI never shows nothing. */
  pa_i18n_text(ru, en, "z.none", a, 2, NULL, out, sizeof out, &err);
  CHECK(!strcmp(out, "z.none") && err.code == PA_ERR_ARG);
  pa_i18n_text(NULL, NULL, "z.none", NULL, 0, NULL, out, sizeof out, NULL);
  CHECK(!strcmp(out, "z.none"));
  pa_i18n_text(ru, NULL, NULL, NULL, 0, NULL, out, sizeof out, &err);
  CHECK(!strcmp(out, "") && err.code == PA_ERR_ARG);
  pa_i18n_catalog_free(en);
  pa_i18n_catalog_free(ru);
  pa_i18n_catalog_free(NULL);
}

static void catalog_errors(void) {
  pa_i18n_catalog *cat = (pa_i18n_catalog *)&err; /* must be reset to NULL */
  struct {
    const char *locale, *json;
    pa_status code;
  } bad[] = {
      {"en", "{\"a\":1}", PA_ERR_SCHEMA},
      {"en", "[\"a\"]", PA_ERR_SCHEMA},
      {"en", "{\"a b\":\"x\"}", PA_ERR_SCHEMA},
      {"en", "{\"\":\"x\"}", PA_ERR_SCHEMA},
      {"en", "{\"a\":\"x\",\"a\":\"y\"}", PA_ERR_SCHEMA},
      {"en", "{\"a\":\"\xff\"}", PA_ERR_SYNTAX}, /* cJSON refuses it, or we do */
      {"en", "{\"a\":\"x\"", PA_ERR_SYNTAX},
      {"en", "", PA_ERR_SYNTAX},
      {"tlh", "{\"a\":\"x\"}", PA_ERR_UNSUPPORTED},
      {NULL, "{\"a\":\"x\"}", PA_ERR_UNSUPPORTED},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pa_status st =
        pa_i18n_catalog_parse(bad[k].locale, bad[k].json, strlen(bad[k].json), &cat, &err);
    CHECK(st != PA_OK && cat == NULL);
    CHECK(st == bad[k].code || (k == 5 && st == PA_ERR_SCHEMA));
    CHECK(err.msg[0] != '\0');
  }
  char key[PA_I18N_KEY_MAX + 16] = "{\"";
  memset(key + 2, 'k', PA_I18N_KEY_MAX + 1);
  strcpy(key + 3 + PA_I18N_KEY_MAX, "\":\"x\"}");
  CHECK(pa_i18n_catalog_parse("en", key, strlen(key), &cat, &err) == PA_ERR_SCHEMA);
  CHECK(pa_i18n_catalog_parse("en", "{}", PA_I18N_CATALOG_MAX_BYTES + 1, &cat, &err) ==
        PA_ERR_TOO_LARGE);
  CHECK(pa_i18n_catalog_parse("en", "{}", 2, &cat, &err) == PA_OK &&
        pa_i18n_catalog_count(cat) == 0);
  pa_i18n_catalog_free(cat);
}

/* ---- numbers */

static void number(const char *locale, const char *n, pa_num_style style, const char *cur,
                   const char *want) {
  size_t len = pa_num_format(locale, n, style, cur, out, sizeof out, &err);
  CHECK(err.code == PA_OK && !strcmp(out, want) && len == strlen(want));
  char what[64];
  snprintf(what, sizeof what, "%s %s", locale, n);
  report(what, out, want);
}

/* Prices from integer minor units: the currency's digits place the point. */
static void minor_units(const char *locale, int64_t minor, const char *currency, const char *want) {
  char buf[96];
  pa_error e;
  size_t n = pa_num_format_minor(locale, minor, currency, buf, sizeof buf, &e);
  if (strcmp(buf, want) != 0)
    fprintf(stderr, "minor %s %lld %s: got '%s'\n", locale, (long long)minor, currency, buf);
  CHECK(!strcmp(buf, want) && n == strlen(want));
}

static void prices_from_minor_units(void) {
  minor_units("en", 3990, "USD", "$39.90");
  minor_units("en", 5, "USD", "$0.05");
  minor_units("en", 0, "EUR",
              "\xE2\x82\xAC"
              "0.00");
  minor_units("en", 1200, "JPY",
              "\xC2\xA5"
              "1,200");
  minor_units("es", 15000, "CLP", "15.000" NBSP "CLP");
  minor_units("pt", 4990, "BRL", "R$" NBSP "49,90");
  minor_units("de", 3990, "USD", "39,90" NBSP "$");
  minor_units("en", INT64_C(1000000000000000), "USD", "$10,000,000,000,000.00");
  char buf[8];
  pa_error e;
  CHECK(pa_num_format_minor("en", 1, "usd", buf, sizeof buf, &e) == 0 && e.code == PA_ERR_ARG);
}

static void numbers_per_locale(void) {
  /* Symbols and grouping. */
  number("en", "1234567.891", PA_NUM_DECIMAL, NULL, "1,234,567.891");
  number("de", "1234567.891", PA_NUM_DECIMAL, NULL, "1.234.567,891");
  number("fr", "1234567.891", PA_NUM_DECIMAL, NULL, "1" NNBSP "234" NNBSP "567,891");
  number("ru", "1234567.891", PA_NUM_DECIMAL, NULL, "1" NBSP "234" NBSP "567,891");
  number("uk", "1234", PA_NUM_DECIMAL, NULL, "1" NBSP "234");
  number("pl", "12345", PA_NUM_DECIMAL, NULL, "12" NBSP "345");
  /* minimumGroupingDigits 2: no separator for four digits. */
  number("es", "1234", PA_NUM_DECIMAL, NULL, "1234");
  number("es", "12345", PA_NUM_DECIMAL, NULL, "12.345");
  number("it", "1234", PA_NUM_DECIMAL, NULL, "1234");
  number("pl", "1234", PA_NUM_DECIMAL, NULL, "1234");
  number("pt", "1234", PA_NUM_DECIMAL, NULL, "1.234");
  /* Indian grouping; Bengali digits are bn's default numbering system. */
  number("hi", "1234567.891", PA_NUM_DECIMAL, NULL, "12,34,567.891");
  number("hi", "123", PA_NUM_DECIMAL, NULL, "123");
  number("bn", "1234567.891", PA_NUM_DECIMAL, NULL,
         "\xe0\xa7\xa7\xe0\xa7\xa8,\xe0\xa7\xa9\xe0\xa7\xaa,\xe0\xa7\xab\xe0\xa7\xac\xe0\xa7\xad."
         "\xe0\xa7\xae\xe0\xa7\xaf\xe0\xa7\xa7"); /* ১২,৩৪,৫৬৭.৮৯১ */
  /* CLDR 48 makes Latin digits ar's default (Arabic-Indic ones are "native"). */
  number("ar", "1234567.891", PA_NUM_DECIMAL, NULL, "1,234,567.891");
  number("ar", "-5", PA_NUM_DECIMAL, NULL, LRM "-5");
  number("tr", "-1234.5", PA_NUM_DECIMAL, NULL, "-1.234,5");
  /* Rounding: at most three fraction digits, half-even; given digits kept. */
  number("en", "0.12345", PA_NUM_DECIMAL, NULL, "0.123");
  number("en", "0.0005", PA_NUM_DECIMAL, NULL, "0");
  number("en", "0.0015", PA_NUM_DECIMAL, NULL, "0.002");
  number("en", "2.50", PA_NUM_DECIMAL, NULL, "2.50");
  number("en", "-0.0001", PA_NUM_DECIMAL, NULL, "0");
  number("en", "2.5", PA_NUM_INTEGER, NULL, "2");
  number("en", "3.5", PA_NUM_INTEGER, NULL, "4");
  number("en", "1.2c3", PA_NUM_DECIMAL, NULL, "1,200");

  /* Percent. */
  number("en", "-0.256", PA_NUM_PERCENT, NULL, "-26%");
  number("fr", "0.256", PA_NUM_PERCENT, NULL, "26" NBSP "%");
  number("tr", "0.256", PA_NUM_PERCENT, NULL, "%26");
  number("ar", "0.256", PA_NUM_PERCENT, NULL, "26" LRM "%" LRM);
  number("bn", "0.5", PA_NUM_PERCENT, NULL, "\xe0\xa7\xab\xe0\xa7\xa6%");

  /* Currency: the locale's pattern and symbol, the currency's digits. */
  number("en", "1234.5", PA_NUM_CURRENCY, "EUR", "€1,234.50");
  number("en", "-1234.5", PA_NUM_CURRENCY, "USD", "-$1,234.50");
  number("de", "1234.5", PA_NUM_CURRENCY, "EUR", "1.234,50" NBSP "€");
  number("fr", "1234.5", PA_NUM_CURRENCY, "USD", "1" NNBSP "234,50" NBSP "$US");
  number("nl", "1234.5", PA_NUM_CURRENCY, "EUR", "€" NBSP "1.234,50");
  number("ja", "1234", PA_NUM_CURRENCY, "JPY", "￥1,234");
  number("hi", "1234567", PA_NUM_CURRENCY, "INR", "₹12,34,567.00");
  number("ar", "1234.5", PA_NUM_CURRENCY, "EUR", RLM "1,234.50" NBSP "€");
  number("pl", "1234.5", PA_NUM_CURRENCY, "PLN", "1234,50" NBSP "zł");
  number("en", "5", PA_NUM_CURRENCY, "CHF", "CHF" NBSP "5.00"); /* a letter symbol gets a space */
  number("en", "5", PA_NUM_CURRENCY, "XTS", "XTS" NBSP "5.00"); /* no CLDR data: the code */

  /* Compact short, plural-aware. */
  number("en", "999", PA_NUM_COMPACT, NULL, "999");
  number("en", "1234", PA_NUM_COMPACT, NULL, "1.2K");
  number("en", "15300", PA_NUM_COMPACT, NULL, "15K");
  number("en", "999999", PA_NUM_COMPACT, NULL, "1M");
  number("en", "-1500", PA_NUM_COMPACT, NULL, "-1.5K");
  number("fr", "1234", PA_NUM_COMPACT, NULL, "1,2" NBSP "k");
  number("es", "1234567890", PA_NUM_COMPACT, NULL, "1235" NBSP "M");
  number("de", "1234", PA_NUM_COMPACT, NULL, "1234");
  number("de", "1500000", PA_NUM_COMPACT, NULL, "1,5" NBSP "Mio.");
  number("ja", "25000000", PA_NUM_COMPACT, NULL, "2500万");
  number("hi", "1500000", PA_NUM_COMPACT, NULL, "15" NBSP "लाख");
  number("ar", "3000", PA_NUM_COMPACT, NULL, "3" NBSP "آلاف"); /* "few" for 3 */
  number("ar", "15000", PA_NUM_COMPACT, NULL, "15" NBSP "ألف");
  number("ru", "2000000", PA_NUM_COMPACT, NULL, "2" NBSP "млн");

  /* Errors: text empty, reason given. */
  const char *bad[] = {"", "abc", "1e", "1.2.3", "12345678901234567890"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(pa_num_format("en", bad[k], PA_NUM_DECIMAL, NULL, out, sizeof out, &err) == 0);
    CHECK(err.code != PA_OK && out[0] == '\0');
  }
  CHECK(pa_num_format("en", NULL, PA_NUM_DECIMAL, NULL, out, sizeof out, &err) == 0);
  CHECK(pa_num_format("en", "1", PA_NUM_CURRENCY, "eur", out, sizeof out, &err) == 0);
  CHECK(err.code == PA_ERR_ARG);
  CHECK(pa_num_format("en", "1", PA_NUM_CURRENCY, NULL, out, sizeof out, &err) == 0);
  CHECK(pa_num_format("en", "1", (pa_num_style)42, NULL, out, sizeof out, &err) == 0);
  /* Unknown locales use en's data. */
  number("tlh", "1234.5", PA_NUM_DECIMAL, NULL, "1,234.5");
  /* snprintf contract. */
  char small[4];
  CHECK(pa_num_format("en", "1234567", PA_NUM_DECIMAL, NULL, small, sizeof small, &err) == 9);
  CHECK(!strcmp(small, "1,2"));
}

/* ---- dates */

static const int64_t WHEN = INT64_C(1795969800000); /* 2026-11-29T16:30:00Z, a Sunday */

static void date(const char *locale, int64_t ms, int tz, pa_date_style d, pa_date_style t,
                 const char *want) {
  size_t len = pa_date_format(locale, ms, tz, d, t, out, sizeof out, &err);
  CHECK(err.code == PA_OK && !strcmp(out, want) && len == strlen(want));
  report(locale, out, want);
}

static void dates_per_locale(void) {
  date("en", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE, "11/29/26");
  date("en", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "Nov 29, 2026");
  date("en", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "November 29, 2026");
  date("en", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_SHORT, "Nov 29, 2026, 4:30" NNBSP "PM");
  date("en", WHEN, 0, PA_DATE_LONG, PA_DATE_LONG, "November 29, 2026 at 4:30:00" NNBSP "PM GMT");
  date("en", WHEN, 330, PA_DATE_NONE, PA_DATE_LONG, "10:00:00" NNBSP "PM GMT+5:30");
  date("en", WHEN, -480, PA_DATE_NONE, PA_DATE_LONG, "8:30:00" NNBSP "AM GMT-8");
  date("en", INT64_C(1795910400000), 0, PA_DATE_NONE, PA_DATE_SHORT, "12:00" NNBSP "AM");
  date("es", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE, "29/11/26");
  date("es", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 de noviembre de 2026");
  date("pt", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "29 de nov. de 2026");
  date("fr", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 novembre 2026");
  date("de", WHEN, 0, PA_DATE_SHORT, PA_DATE_SHORT, "29.11.26, 16:30");
  date("it", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "29 nov 2026");
  date("nl", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE, "29-11-2026");
  date("ru", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 ноября 2026" NNBSP "г.");
  date("uk", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "29 лист. 2026" NNBSP "р.");
  date("pl", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 listopada 2026");
  date("tr", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "29 Kas 2026");
  date("ar", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE, "29" RLM "/11" RLM "/2026");
  date("ar", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 نوفمبر 2026");
  date("hi", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "29 नव॰ 2026");
  date("bn", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE,
       "\xe0\xa7\xa8\xe0\xa7\xaf/\xe0\xa7\xa7\xe0\xa7\xa7/\xe0\xa7\xa8\xe0\xa7\xac"); /* ২৯/১১/২৬ */
  date("zh-Hans", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "2026年11月29日");
  date("zh-Hans", WHEN, 0, PA_DATE_SHORT, PA_DATE_NONE, "2026/11/29");
  date("ja", WHEN, 0, PA_DATE_MEDIUM, PA_DATE_NONE, "2026/11/29");
  date("ko", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "2026년 11월 29일");
  date("ko", WHEN, 0, PA_DATE_NONE, PA_DATE_SHORT, "오후 4:30");
  date("id", WHEN, 0, PA_DATE_NONE, PA_DATE_SHORT, "16.30");
  date("vi", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 tháng 11, 2026");
  /* th: Gregorian (CE), named so in long dates; see src/i18n/i18n.md. */
  date("th", WHEN, 0, PA_DATE_LONG, PA_DATE_NONE, "29 พฤศจิกายน ค.ศ. 2026");
  /* Edges of the supported range, leap days, negative times. */
  date("en", INT64_C(951782400000), 0, PA_DATE_SHORT, PA_DATE_NONE, "2/29/00");
  date("en", INT64_C(-86400000), 0, PA_DATE_MEDIUM, PA_DATE_NONE, "Dec 31, 1969");
  date("en", INT64_C(-62135596800000), 0, PA_DATE_MEDIUM, PA_DATE_NONE, "Jan 1, 1");
  date("en", INT64_C(253402300799999), 0, PA_DATE_MEDIUM, PA_DATE_NONE, "Dec 31, 9999");
  CHECK(pa_date_format("en", INT64_C(253402300800000), 0, PA_DATE_SHORT, PA_DATE_NONE, out,
                       sizeof out, &err) == 0);
  CHECK(err.code == PA_ERR_ARG);
  CHECK(pa_date_format("en", INT64_MIN, 0, PA_DATE_SHORT, PA_DATE_NONE, out, sizeof out, &err) ==
        0);
  CHECK(pa_date_format("en", WHEN, 19 * 60, PA_DATE_SHORT, PA_DATE_NONE, out, sizeof out, &err) ==
        0);
  CHECK(pa_date_format("en", WHEN, 0, PA_DATE_NONE, PA_DATE_NONE, out, sizeof out, &err) == 0);
  CHECK(pa_date_format("en", WHEN, 0, (pa_date_style)9, PA_DATE_NONE, out, sizeof out, &err) == 0);
}

static void relative(const char *locale, int64_t v, pa_date_unit u, unsigned flags,
                     const char *want) {
  size_t len = pa_date_relative(locale, v, u, flags, out, sizeof out, &err);
  CHECK(err.code == PA_OK && !strcmp(out, want) && len == strlen(want));
  report(locale, out, want);
}

static void relative_times(void) {
  relative("en", -3, PA_DATE_HOUR, 0, "3 hours ago");
  relative("en", -1, PA_DATE_HOUR, 0, "1 hour ago");
  relative("en", 2, PA_DATE_DAY, 0, "in 2 days");
  relative("en", -1, PA_DATE_DAY, 0, "yesterday");
  relative("en", 0, PA_DATE_DAY, 0, "today");
  relative("en", 1, PA_DATE_DAY, 0, "tomorrow");
  relative("en", -1, PA_DATE_DAY, PA_DATE_REL_NUMERIC, "1 day ago");
  relative("en", 0, PA_DATE_SECOND, 0, "now");
  relative("en", -5, PA_DATE_MINUTE, PA_DATE_REL_SHORT, "5 min. ago");
  relative("en", -1, PA_DATE_WEEK, 0, "last week");
  relative("en", 1234, PA_DATE_YEAR, 0, "in 1,234 years");
  relative("de", 2, PA_DATE_DAY, 0, "übermorgen");
  relative("de", -3, PA_DATE_HOUR, 0, "vor 3 Stunden");
  relative("es", -2, PA_DATE_DAY, 0, "anteayer");
  relative("fr", -3, PA_DATE_HOUR, 0, "il y a 3 heures");
  relative("ru", -3, PA_DATE_HOUR, 0, "3 часа назад");
  relative("ru", -5, PA_DATE_HOUR, 0, "5 часов назад");
  relative("ru", -21, PA_DATE_HOUR, 0, "21 час назад");
  relative("pl", -22, PA_DATE_MINUTE, 0, "22 minuty temu");
  relative("ar", -3, PA_DATE_HOUR, 0, "قبل 3 ساعات");
  relative("ar", -2, PA_DATE_HOUR, 0, "قبل ساعتين");
  relative("ar", -11, PA_DATE_HOUR, 0, "قبل 11 ساعة");
  relative("hi", 2, PA_DATE_DAY, PA_DATE_REL_NUMERIC, "2 दिन में");
  relative("bn", -3, PA_DATE_HOUR, 0, "\xe0\xa7\xa9 ঘণ্টা আগে");
  relative("zh-Hans", -3, PA_DATE_HOUR, 0, "3小时前");
  relative("ja", 2, PA_DATE_DAY, 0, "明後日");
  relative("ko", -3, PA_DATE_HOUR, 0, "3시간 전");
  relative("th", -3, PA_DATE_HOUR, 0, "3 ชั่วโมงที่ผ่านมา");
  CHECK(pa_date_relative("en", 1, (pa_date_unit)9, 0, out, sizeof out, &err) == 0);
  CHECK(err.code == PA_ERR_ARG);

  struct {
    int64_t secs;
    const char *want;
  } autos[] = {{-30, "30 seconds ago"},     {0, "now"},
               {-90, "1 minute ago"},       {-7200, "2 hours ago"},
               {-86400, "yesterday"},       {3 * 86400, "in 3 days"},
               {-8 * 86400, "last week"},   {-45 * 86400, "last month"},
               {-400 * 86400, "last year"}, {INT64_MIN, "292,471,208,677 years ago"}};
  for (size_t k = 0; k < sizeof autos / sizeof autos[0]; k++) {
    pa_date_relative_seconds("en", autos[k].secs, 0, out, sizeof out, &err);
    CHECK(err.code == PA_OK && !strcmp(out, autos[k].want));
    report("auto", out, autos[k].want);
  }
}

int main(void) {
  RUN(negotiation);
  RUN(direction);
  RUN(shipped_catalogs);
  RUN(catalog_lookup_and_fallback);
  RUN(catalog_errors);
  RUN(numbers_per_locale);
  RUN(prices_from_minor_units);
  RUN(dates_per_locale);
  RUN(relative_times);
  return pa_test_summary("i18n");
}
