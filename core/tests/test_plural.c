/* Plural rules against CLDR's own samples: every @integer and @decimal
 * sample of every cardinal and ordinal rule of every shipped locale, read
 * from the CLDR JSON at test time (not from the generated C), so a wrong
 * generator or a wrong operand cannot agree with itself. */
#include "pa/pa_i18n.h"
#include "pa/pa_plural.h"
#include "pa_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PA_CLDR_DIR
#error "PA_CLDR_DIR must name the node_modules folder holding cldr-core"
#endif

/* Reads a whole file into a malloc'd NUL-terminated buffer; caller frees. */
static char *slurp(const char *path) {
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
  return buf;
}

static cJSON *load_rules(const char *file, const char *type_key) {
  char path[512];
  snprintf(path, sizeof path, "%s/cldr-core/supplemental/%s", PA_CLDR_DIR, file);
  char *text = slurp(path);
  CHECK(text != NULL);
  if (!text) return NULL;
  cJSON *root = cJSON_Parse(text);
  free(text);
  CHECK(root != NULL);
  cJSON *sup = cJSON_GetObjectItemCaseSensitive(root, "supplemental");
  cJSON *rules = cJSON_DetachItemFromObjectCaseSensitive(sup, type_key);
  cJSON_Delete(root);
  CHECK(rules != NULL);
  return rules;
}

/* CLDR keys rules by language ("zh" for zh-Hans): drop subtags until found. */
static const cJSON *rules_for(const cJSON *all, const char *tag) {
  char t[32];
  snprintf(t, sizeof t, "%s", tag);
  for (;;) {
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(all, t);
    if (r) return r;
    char *dash = strrchr(t, '-');
    if (!dash) return NULL;
    *dash = '\0';
  }
}

typedef struct tally {
  int samples, wrong;
} tally;

static void expect(const char *tag, pa_plural_type type, const char *number,
                   pa_plural_category want, tally *t) {
  pa_plural_category got;
  pa_error e;
  t->samples++;
  if (pa_plural_select_str(tag, type, number, &got, &e) != PA_OK || got != want) {
    if (t->wrong++ < 20)
      fprintf(stderr, "  %s %s %s: want %s, got %s %s\n", tag,
              type == PA_PLURAL_ORDINAL ? "ordinal" : "cardinal", number,
              pa_plural_category_name(want), e.code ? "error" : pa_plural_category_name(got),
              e.code ? e.msg : "");
  }
}

/* Expands "a~b" (same count of fraction digits on both ends; the step is
 * one unit in the last place, as UTS #35 says) and checks every value. */
static void expect_range(const char *tag, pa_plural_type type, const char *lo, const char *hi,
                         pa_plural_category want, tally *t) {
  const char *dot_lo = strchr(lo, '.'), *dot_hi = strchr(hi, '.');
  int frac = dot_lo ? (int)strlen(dot_lo + 1) : 0;
  CHECK(frac == (dot_hi ? (int)strlen(dot_hi + 1) : 0));
  CHECK(!strchr(lo, 'c') && !strchr(hi, 'c'));
  /* Scaled integers: "0.00~0.04" walks 0..4 hundredths. */
  long long a = 0, b = 0;
  for (const char *p = lo; *p; p++)
    if (*p >= '0' && *p <= '9') a = a * 10 + (*p - '0');
  for (const char *p = hi; *p; p++)
    if (*p >= '0' && *p <= '9') b = b * 10 + (*p - '0');
  CHECK(a <= b && b - a < 100000);
  long long scale = 1;
  for (int k = 0; k < frac; k++) scale *= 10;
  for (long long v = a; v <= b; v++) {
    char num[48];
    if (frac)
      snprintf(num, sizeof num, "%lld.%0*lld", v / scale, frac, v % scale);
    else
      snprintf(num, sizeof num, "%lld", v);
    expect(tag, type, num, want, t);
  }
}

/* One rule text: "cond @integer 1, 2~4, … @decimal 1.0, …". */
static void check_samples(const char *tag, pa_plural_type type, const char *rule,
                          pa_plural_category want, tally *t) {
  const char *at = strchr(rule, '@');
  while (at) {
    const char *next = strchr(at + 1, '@');
    size_t n = next ? (size_t)(next - at) : strlen(at);
    char list[1024];
    CHECK(n < sizeof list);
    if (n >= sizeof list) return;
    memcpy(list, at, n);
    list[n] = '\0';
    char *p = list + strcspn(list, " "); /* past "@integer" / "@decimal" */
    for (char *tok = strtok(p, ", "); tok; tok = strtok(NULL, ", ")) {
      if (!strcmp(tok, "…") || !strcmp(tok, "...")) continue; /* "and so on" */
      char *tilde = strchr(tok, '~');
      if (tilde) {
        *tilde = '\0';
        expect_range(tag, type, tok, tilde + 1, want, t);
      } else {
        expect(tag, type, tok, want, t);
      }
    }
    at = next;
  }
}

static void check_type(const char *file, const char *type_key, pa_plural_type type) {
  cJSON *all = load_rules(file, type_key);
  if (!all) return;
  static const char *const NAMES[] = {"zero", "one", "two", "few", "many", "other"};
  tally total = {0, 0};
  for (int k = 0; k < pa_i18n_locale_count(); k++) {
    const char *tag = pa_i18n_locale_at(k);
    const cJSON *rules = rules_for(all, tag);
    CHECK(rules != NULL);
    if (!rules) continue;
    tally t = {0, 0};
    unsigned mask = 0;
    for (int c = 0; c <= PA_PLURAL_OTHER; c++) {
      char key[40];
      snprintf(key, sizeof key, "pluralRule-count-%s", NAMES[c]);
      const cJSON *r = cJSON_GetObjectItemCaseSensitive(rules, key);
      if (!cJSON_IsString(r)) continue;
      mask |= 1u << c;
      check_samples(tag, type, r->valuestring, (pa_plural_category)c, &t);
    }
    CHECK(t.wrong == 0);
    CHECK(t.samples >= 10);
    CHECK(pa_plural_categories(tag, type) == mask);
    total.samples += t.samples;
    total.wrong += t.wrong;
  }
  printf("     %s: %d CLDR samples over %d locales, %d wrong\n", type_key, total.samples,
         pa_i18n_locale_count(), total.wrong);
  cJSON_Delete(all);
}

static void cardinal_samples(void) {
  check_type("plurals.json", "plurals-type-cardinal", PA_PLURAL_CARDINAL);
}

static void ordinal_samples(void) {
  check_type("ordinals.json", "plurals-type-ordinal", PA_PLURAL_ORDINAL);
}

static void twenty_locales(void) {
  static const char *const WANT[] = {"en",      "es", "pt", "fr", "de", "it", "nl",
                                     "ru",      "uk", "pl", "tr", "ar", "hi", "bn",
                                     "zh-Hans", "ja", "ko", "id", "vi", "th"};
  CHECK(pa_i18n_locale_count() == 20);
  for (int k = 0; k < 20; k++) CHECK(!strcmp(pa_i18n_locale_at(k), WANT[k]));
  CHECK(pa_i18n_locale_at(20) == NULL);
  CHECK(pa_i18n_locale_at(-1) == NULL);
}

static pa_plural_category card(const char *tag, const char *n) {
  pa_plural_category c = PA_PLURAL_ZERO;
  pa_error e;
  CHECK(pa_plural_select_str(tag, PA_PLURAL_CARDINAL, n, &c, &e) == PA_OK);
  return c;
}

static pa_plural_category ord(const char *tag, const char *n) {
  pa_plural_category c = PA_PLURAL_ZERO;
  pa_error e;
  CHECK(pa_plural_select_str(tag, PA_PLURAL_ORDINAL, n, &c, &e) == PA_OK);
  return c;
}

static void operands(void) {
  pa_plural_operands o;
  pa_error e;
  CHECK(pa_plural_operands_parse("1.50", &o, &e) == PA_OK);
  CHECK(o.i == 1 && o.v == 2 && o.w == 1 && o.f == 50 && o.t == 5 && o.e == 0);
  CHECK(pa_plural_operands_parse("-0012.0300", &o, &e) == PA_OK);
  CHECK(o.i == 12 && o.v == 4 && o.w == 2 && o.f == 300 && o.t == 3);
  CHECK(pa_plural_operands_parse("1.2c3", &o, &e) == PA_OK);
  CHECK(o.i == 1200 && o.v == 0 && o.f == 0 && o.e == 3);
  CHECK(pa_plural_operands_parse("1.0000001c6", &o, &e) == PA_OK);
  CHECK(o.i == 1000000 && o.v == 1 && o.f == 1 && o.e == 6);
  CHECK(pa_plural_operands_parse("123456789012345678", &o, &e) == PA_OK);
  CHECK(o.i == 123456789012345678u);
  CHECK(pa_plural_operands_parse("0.000000000000000001", &o, &e) == PA_OK);
  CHECK(o.v == 18 && o.f == 1);

  /* Malformed and oversized numbers are errors, never a guess. */
  const char *bad[] = {"",
                       "-",
                       "1.",
                       ".5",
                       "1,5",
                       "1e",
                       "abc",
                       "1.5.5",
                       "1 ",
                       "+1",
                       "0x10",
                       "1c22",
                       "1234567890123456789",
                       "0.1234567890123456789",
                       "9c18"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(pa_plural_operands_parse(bad[k], &o, &e) != PA_OK);
    CHECK(e.msg[0] != '\0');
  }
  CHECK(pa_plural_operands_parse(NULL, &o, &e) == PA_ERR_ARG);
}

static void visible_digits_matter(void) {
  CHECK(card("en", "1") == PA_PLURAL_ONE);
  CHECK(card("en", "1.0") == PA_PLURAL_OTHER); /* "1.0 likes" */
  CHECK(card("en", "-1") == PA_PLURAL_ONE);    /* rules read the absolute value */
  CHECK(card("ru", "21") == PA_PLURAL_ONE);
  CHECK(card("ru", "22") == PA_PLURAL_FEW);
  CHECK(card("ru", "25") == PA_PLURAL_MANY);
  CHECK(card("ru", "1.5") == PA_PLURAL_OTHER);
  CHECK(card("pl", "1") == PA_PLURAL_ONE);
  CHECK(card("pl", "21") == PA_PLURAL_MANY);
  CHECK(card("ar", "0") == PA_PLURAL_ZERO);
  CHECK(card("ar", "2") == PA_PLURAL_TWO);
  CHECK(card("ar", "103") == PA_PLURAL_FEW);
  CHECK(card("ar", "111") == PA_PLURAL_MANY);
  CHECK(card("ar", "100") == PA_PLURAL_OTHER);
  CHECK(card("fr", "1000000") == PA_PLURAL_MANY);
  CHECK(card("fr", "1c6") == PA_PLURAL_MANY);
  CHECK(card("fr", "1c3") == PA_PLURAL_OTHER);
  CHECK(card("fr", "1.5") == PA_PLURAL_ONE);
  CHECK(card("ja", "1") == PA_PLURAL_OTHER);
  CHECK(ord("en", "1") == PA_PLURAL_ONE);
  CHECK(ord("en", "11") == PA_PLURAL_OTHER);
  CHECK(ord("en", "22") == PA_PLURAL_TWO);
  CHECK(ord("en", "113") == PA_PLURAL_OTHER);
  CHECK(ord("it", "800") == PA_PLURAL_MANY);
  CHECK(ord("hi", "6") == PA_PLURAL_MANY);
  CHECK(ord("bn", "10") == PA_PLURAL_ONE);
}

static void tags_resolve(void) {
  /* Any tag works; data follows pa_i18n_resolve; unknown tags get root. */
  CHECK(card("pt-BR", "0") == PA_PLURAL_ONE);
  CHECK(card("RU_ru", "3") == PA_PLURAL_FEW);
  CHECK(card("zh-CN", "1") == PA_PLURAL_OTHER);
  CHECK(card("en-XA", "1") == PA_PLURAL_ONE);
  CHECK(card("xx", "1") == PA_PLURAL_OTHER);
  CHECK(card(NULL, "1") == PA_PLURAL_OTHER);
  CHECK(pa_plural_categories("xx", PA_PLURAL_CARDINAL) == 1u << PA_PLURAL_OTHER);
  CHECK(pa_plural_categories("ar-EG", PA_PLURAL_CARDINAL) == 0x3fu);
  CHECK(pa_plural_categories("ru", PA_PLURAL_CARDINAL) ==
        ((1u << PA_PLURAL_ONE) | (1u << PA_PLURAL_FEW) | (1u << PA_PLURAL_MANY) |
         (1u << PA_PLURAL_OTHER)));
  CHECK(pa_plural_select("en", PA_PLURAL_CARDINAL, NULL) == PA_PLURAL_OTHER);
}

static void names(void) {
  CHECK(!strcmp(pa_plural_category_name(PA_PLURAL_FEW), "few"));
  CHECK(!strcmp(pa_plural_category_name((pa_plural_category)99), "other"));
  CHECK(pa_plural_category_from_name("many", 4) == PA_PLURAL_MANY);
  CHECK(pa_plural_category_from_name("manyx", 4) == PA_PLURAL_MANY);
  CHECK(pa_plural_category_from_name("man", 3) == -1);
  CHECK(pa_plural_category_from_name("", 0) == -1);
}

int main(void) {
  RUN(twenty_locales);
  RUN(cardinal_samples);
  RUN(ordinal_samples);
  RUN(operands);
  RUN(visible_digits_matter);
  RUN(tags_resolve);
  RUN(names);
  return pa_test_summary("plural");
}
