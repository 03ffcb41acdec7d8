/* ICU MessageFormat: arguments, plural (=N, offset, #), selectordinal,
 * select, nesting, number and date arguments, apostrophes, bidi isolation,
 * malformed messages and limits. */
#include "pa/pa_msgfmt.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FSI   "\xe2\x81\xa8"
#define PDI   "\xe2\x81\xa9"
#define NNBSP "\xe2\x80\xaf" /* U+202F, fr grouping */
#define NBSP  "\xc2\xa0"

static char out[PA_MSG_MAX_OUTPUT + 1];
static pa_error err;

static const pa_msg_options PLAIN = {0, PA_MSG_NO_ISOLATE};

/* Formats and returns the text; err holds the outcome. */
static const char *fmt(const char *locale, const char *msg, const pa_msg_arg *args, size_t n) {
  size_t need = pa_msg_format(locale, msg, args, n, &PLAIN, out, sizeof out, &err);
  CHECK(need == strlen(out));
  return out;
}

#define EXPECT(locale_, msg_, args_, want_)                                                        \
  do {                                                                                             \
    const char *got_ = fmt((locale_), (msg_), (args_), sizeof(args_) / sizeof((args_)[0]));        \
    CHECK(err.code == PA_OK);                                                                      \
    CHECK(!strcmp(got_, (want_)));                                                                 \
    if (strcmp(got_, (want_)) || err.code != PA_OK)                                                \
      fprintf(stderr, "    %s: got \"%s\" (%s), want \"%s\"\n", (msg_), got_, err.msg, (want_));   \
  } while (0)

/* A message that must fail: the raw message is the visible fallback. */
static void expect_error(const char *msg, const pa_msg_arg *args, size_t n, pa_status code) {
  const char *got = fmt("en", msg, args, n);
  CHECK(err.code == code);
  CHECK(!strcmp(got, msg));
  CHECK(strstr(err.msg, "message: byte ") == err.msg);
  if (err.code != code)
    fprintf(stderr, "    %s: got %s (%s)\n", msg, pa_status_name(err.code), err.msg);
}

static void simple_arguments(void) {
  pa_msg_arg a[] = {PA_MSG_STR("pet", "Luna"), PA_MSG_INT("n", 1234), PA_MSG_DBL("x", 0.5),
                    PA_MSG_DEC("d", "1.50")};
  EXPECT("en", "Hello {pet}!", a, "Hello Luna!");
  EXPECT("en", "{ pet }{pet}", a, "LunaLuna");
  EXPECT("en", "{n} {x} {d}", a, "1,234 0.5 1.50");
  EXPECT("de", "{n} {x} {d}", a, "1.234 0,5 1,50");
  EXPECT("en", "no arguments at all", a, "no arguments at all");
  EXPECT("en", "", a, "");
  EXPECT("en", "# is text outside plurals", a, "# is text outside plurals");
  EXPECT("en", "Unicode ☀️ مرحبا {pet}", a, "Unicode ☀️ مرحبا Luna");
}

static void bidi_isolation(void) {
  pa_msg_arg a[] = {PA_MSG_STR("name", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"), /* שלום */
                    PA_MSG_INT("n", 3)};
  size_t need = pa_msg_format("en", "{name} liked {n} posts", a, 2, NULL, out, sizeof out, &err);
  CHECK(err.code == PA_OK);
  CHECK(!strcmp(out, FSI "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" PDI " liked 3 posts"));
  CHECK(need == strlen(out));
  /* Only user strings are isolated; numbers are the locale's own text. */
  pa_msg_options o = {0, 0};
  pa_msg_format("ar", "{n} {name}", a, 2, &o, out, sizeof out, &err);
  CHECK(!strcmp(out, "3 " FSI "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" PDI));
  /* Isolation inside plural cases too. */
  pa_msg_arg b[] = {PA_MSG_INT("count", 2), PA_MSG_STR("name", "Bo")};
  pa_msg_format("en", "{count, plural, offset:1 one {{name} and # other} other {{name} +#}}", b, 2,
                NULL, out, sizeof out, &err);
  CHECK(!strcmp(out, FSI "Bo" PDI " and 1 other"));
}

static void plurals(void) {
  const char *m = "{n, plural, one {# post} other {# posts}}";
  pa_msg_arg one[] = {PA_MSG_INT("n", 1)}, zero[] = {PA_MSG_INT("n", 0)},
             dec1[] = {PA_MSG_DEC("n", "1.0")}, dbl[] = {PA_MSG_DBL("n", 1.5)},
             neg[] = {PA_MSG_INT("n", -1)}, big[] = {PA_MSG_INT("n", 1234567)};
  EXPECT("en", m, one, "1 post");
  EXPECT("en", m, zero, "0 posts");
  EXPECT("en", m, dec1, "1.0 posts"); /* visible digits choose "other" and are kept */
  EXPECT("en", m, dbl, "1.5 posts");
  EXPECT("en", m, neg, "-1 post");
  EXPECT("en", m, big, "1,234,567 posts");
  /* Plural selection sees the number as '#' shows it (3 fraction digits). */
  pa_msg_arg near1[] = {PA_MSG_DBL("n", 1.0004)};
  EXPECT("en", m, near1, "1 post");

  const char *ru = "{n, plural, one {# пост} few {# поста} many {# постов} other {# поста}}";
  pa_msg_arg r1[] = {PA_MSG_INT("n", 21)}, r2[] = {PA_MSG_INT("n", 22)},
             r5[] = {PA_MSG_INT("n", 11)}, r15[] = {PA_MSG_DEC("n", "1.5")};
  EXPECT("ru", ru, r1, "21 пост");
  EXPECT("ru", ru, r2, "22 поста");
  EXPECT("ru", ru, r5, "11 постов");
  EXPECT("ru", ru, r15, "1,5 поста");

  const char *ar = "{n, plural, zero {z#} one {o#} two {t#} few {f#} many {m#} other {x#}}";
  int64_t ns[] = {0, 1, 2, 3, 11, 100};
  const char *want[] = {"z0", "o1", "t2", "f3", "m11", "x100"};
  for (int k = 0; k < 6; k++) {
    pa_msg_arg a[] = {PA_MSG_INT("n", ns[k])};
    EXPECT("ar", ar, a, want[k]);
  }
  /* '#' uses the locale's digits. */
  pa_msg_arg b[] = {PA_MSG_INT("n", 1234567)};
  EXPECT("bn", "{n, plural, one {#টি} other {#টি}}", b, "১২,৩৪,৫৬৭টি");
  EXPECT("fr", "{n, plural, one {#} many {# de} other {#}}", b, "1" NNBSP "234" NNBSP "567");
  pa_msg_arg mil[] = {PA_MSG_INT("n", 1000000)};
  EXPECT("fr", "{n, plural, one {#} many {# de posts} other {# posts}}", mil,
         "1" NNBSP "000" NNBSP "000 de posts");
  /* A category the message lacks falls back to other. */
  EXPECT("ru", "{n, plural, one {one} other {other}}", r2, "other");
}

static void exact_and_offset(void) {
  const char *m = "{n, plural, =0 {none} =1 {just one} one {one: #} other {#}}";
  pa_msg_arg a0[] = {PA_MSG_INT("n", 0)}, a1[] = {PA_MSG_INT("n", 1)},
             a1d[] = {PA_MSG_DEC("n", "1.00")}, a2[] = {PA_MSG_INT("n", 2)};
  EXPECT("en", m, a0, "none");
  EXPECT("en", m, a1, "just one");  /* =N wins over the keyword */
  EXPECT("en", m, a1d, "just one"); /* =N compares numbers, not digits */
  EXPECT("en", m, a2, "2");
  EXPECT("en", "{n, plural, =1.5 {one and a half} =-2 {minus two} other {#}}",
         ((pa_msg_arg[]){PA_MSG_DBL("n", 1.5)}), "one and a half");
  EXPECT("en", "{n, plural, =1.5 {one and a half} =-2 {minus two} other {#}}",
         ((pa_msg_arg[]){PA_MSG_INT("n", -2)}), "minus two");

  const char *liked = "{count, plural, offset:1 =0 {No likes} =1 {Liked by {name}} "
                      "one {Liked by {name} and # other} other {Liked by {name} and # others}}";
  int64_t counts[] = {0, 1, 2, 3, 101};
  const char *want[] = {"No likes", "Liked by Bo", "Liked by Bo and 1 other",
                        "Liked by Bo and 2 others", "Liked by Bo and 100 others"};
  for (int k = 0; k < 5; k++) {
    pa_msg_arg a[] = {PA_MSG_INT("count", counts[k]), PA_MSG_STR("name", "Bo")};
    EXPECT("en", liked, a, want[k]);
  }
  /* The category follows value - offset: in ru 22 - 1 = 21 is "one". */
  pa_msg_arg r[] = {PA_MSG_INT("n", 22)};
  EXPECT("ru", "{n, plural, offset:1 one {o#} few {f#} many {m#} other {x#}}", r, "o21");
}

static void ordinals(void) {
  const char *m = "{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}";
  int64_t ns[] = {1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1003};
  const char *want[] = {"1st",  "2nd",  "3rd",  "4th",   "11th",  "12th",  "13th",
                        "21st", "22nd", "23rd", "101st", "111th", "112th", "1,003rd"};
  for (int k = 0; k < 14; k++) {
    pa_msg_arg a[] = {PA_MSG_INT("n", ns[k])};
    EXPECT("en", m, a, want[k]);
  }
  pa_msg_arg eight[] = {PA_MSG_INT("n", 8)}, two[] = {PA_MSG_INT("n", 2)};
  EXPECT("it", "{n, selectordinal, many {l’#ª} other {la #ª}}", eight, "l’8ª");
  EXPECT("it", "{n, selectordinal, many {l’#ª} other {la #ª}}", two, "la 2ª");
  EXPECT("fr", "{n, selectordinal, one {#re} other {#e}}", two, "2e");
  /* Ordinal rules, not cardinal: en cardinal 2 is "other", ordinal "two". */
  EXPECT("en", "{n, plural, one {c-one} other {c-other}}", two, "c-other");
}

static void selects(void) {
  const char *m = "{g, select, female {she} male {he} other {they}}";
  pa_msg_arg f[] = {PA_MSG_STR("g", "female")}, x[] = {PA_MSG_STR("g", "fem")},
             n[] = {PA_MSG_INT("g", 3)};
  EXPECT("en", m, f, "she");
  EXPECT("en", m, x, "they");
  EXPECT("en", m, n, "they");
  EXPECT("en", "{b, select, true {yes} other {no}}", ((pa_msg_arg[]){PA_MSG_STR("b", "true")}),
         "yes");
  EXPECT("en", "{g, select, 3 {three} other {?}}", n, "three");
  EXPECT("en", "{b, select, true {, liked by you} other {}}!",
         ((pa_msg_arg[]){PA_MSG_STR("b", "false")}), "!");
}

static void nesting(void) {
  const char *m = "{g, select, female {{n, plural, one {She has # cat} other {She has # cats}}} "
                  "other {{n, plural, one {They have # cat} other {They have # cats}}}}";
  pa_msg_arg a[] = {PA_MSG_STR("g", "female"), PA_MSG_INT("n", 1)};
  pa_msg_arg b[] = {PA_MSG_STR("g", "x"), PA_MSG_INT("n", 4)};
  EXPECT("en", m, a, "She has 1 cat");
  EXPECT("en", m, b, "They have 4 cats");
  /* '#' belongs to the innermost plural; inside a nested select it is text,
   * as in ICU. */
  const char *inner = "{a, plural, other {{b, plural, other {#/#}} {s, select, other {#}}}}";
  pa_msg_arg c[] = {PA_MSG_INT("a", 5), PA_MSG_INT("b", 7), PA_MSG_STR("s", "z")};
  EXPECT("en", inner, c, "7/7 #");

  /* PA_MSG_MAX_DEPTH nested arguments are fine; one more is refused. */
  char deep[512] = "", tail[64] = "";
  for (int k = 0; k < PA_MSG_MAX_DEPTH; k++) {
    strcat(deep, "{s, select, other {");
    strcat(tail, "}}");
  }
  char ok[600];
  snprintf(ok, sizeof ok, "%sdeep {s}%s", deep, tail);
  pa_msg_arg s[] = {PA_MSG_STR("s", "x")};
  EXPECT("en", ok, s, "deep x");
  char too[700];
  snprintf(too, sizeof too, "{s, select, other {%sdeep%s}}", deep, tail);
  expect_error(too, s, 1, PA_ERR_TOO_LARGE);
  CHECK_CONTAINS(err.msg, "nested deeper");
}

static void numbers(void) {
  pa_msg_arg a[] = {PA_MSG_DBL("x", 1234.5), PA_MSG_DBL("p", 0.256), PA_MSG_INT("big", 1234567),
                    PA_MSG_DBL("half", 2.5)};
  EXPECT("en", "{x, number}", a, "1,234.5");
  EXPECT("en", "{x, number, integer}|{half, number, integer}", a, "1,234|2"); /* half-even */
  EXPECT("en", "{p, number, percent}|{p, number, ::percent}", a, "26%|26%");
  EXPECT("en", "{big, number, ::compact-short}", a, "1.2M");
  EXPECT("en", "{x, number, ::currency/EUR}", a, "€1,234.50");
  EXPECT("de", "{x, number, ::currency/EUR}", a, "1.234,50" NBSP "€");
  EXPECT("ja", "{x, number, ::currency/JPY}", a, "￥1,234");
  EXPECT("fr", "{x, number}", a, "1" NNBSP "234,5");
  EXPECT("es", "{x, number} {big, number}", a, "1234,5 1.234.567");
  EXPECT("hi", "{big, number}", a, "12,34,567");
  EXPECT("en", "{x, number, ::precision-integer}", a, "1,234");
  /* Decimal strings keep their digits; numeric JSON strings work too. */
  EXPECT("en", "{d, number}", ((pa_msg_arg[]){PA_MSG_STR("d", "0.10")}), "0.10");
}

static void dates(void) {
  /* 2026-11-29T16:30:00Z */
  pa_msg_arg a[] = {PA_MSG_TIME("t", INT64_C(1795969800000)),
                    PA_MSG_STR("s", "2026-11-29T16:30:00Z")};
  EXPECT("en", "{t, date, short}|{t, date}|{t, date, long}", a,
         "11/29/26|Nov 29, 2026|November 29, 2026");
  EXPECT("en", "{s, date, medium}", a, "Nov 29, 2026");
  EXPECT("de", "{t, date, long}", a, "29. November 2026");
  EXPECT("ja", "{t, date, long}", a, "2026年11月29日");
  EXPECT("en", "{t, time, short}", a, "4:30" NNBSP "PM");
  EXPECT("fr", "{t, time, short}", a, "16:30");
  /* A time argument on its own prints short date and time. */
  EXPECT("en", "{t}", a, "11/29/26, 4:30" NNBSP "PM");
  pa_msg_options tz = {330, PA_MSG_NO_ISOLATE}; /* India, UTC+5:30 */
  pa_msg_format("en", "{t, time, short}", a, 2, &tz, out, sizeof out, &err);
  CHECK(!strcmp(out, "10:00" NNBSP "PM"));
  pa_msg_options tz2 = {-600, PA_MSG_NO_ISOLATE}; /* the day before, in Hawaii */
  pa_msg_format("en", "{t, date, short}", a, 2, &tz2, out, sizeof out, &err);
  CHECK(!strcmp(out, "11/29/26"));
  pa_msg_arg early[] = {PA_MSG_TIME("t", INT64_C(1795939200000))}; /* 08:00Z */
  pa_msg_format("en", "{t, date, short}", early, 1, &tz2, out, sizeof out, &err);
  CHECK(!strcmp(out, "11/28/26"));
}

static void apostrophes(void) {
  pa_msg_arg a[] = {PA_MSG_STR("pet", "Luna"), PA_MSG_INT("n", 5)};
  EXPECT("en", "Open {pet}'s profile", a, "Open Luna's profile");
  EXPECT("en", "It''s {pet}", a, "It's Luna");
  EXPECT("en", "'{pet}' is literal", a, "{pet} is literal");
  EXPECT("en", "braces: '{' and '}'", a, "braces: { and }");
  EXPECT("en", "'{a''b}'", a, "{a'b}");
  EXPECT("en", "don't {pet}", a, "don't Luna");
  EXPECT("en", "{n, plural, other {'#' is #}}", a, "# is 5");
  EXPECT("en", "'#' stays '#' outside", a, "'#' stays '#' outside");
  EXPECT("en", "trailing '", a, "trailing '");
  EXPECT("en", "'{unterminated", a, "{unterminated");
}

static void malformed(void) {
  pa_msg_arg a[] = {PA_MSG_INT("n", 1), PA_MSG_STR("s", "x")};
  struct {
    const char *msg;
    pa_status code;
  } bad[] = {
      {"{", PA_ERR_SYNTAX},
      {"}", PA_ERR_SYNTAX},
      {"{n", PA_ERR_SYNTAX},
      {"{n,", PA_ERR_SYNTAX},
      {"{}", PA_ERR_SYNTAX},
      {"{n, plural, one {x}}", PA_ERR_SYNTAX},  /* no other */
      {"{n, plural, other {x}", PA_ERR_SYNTAX}, /* unclosed */
      {"{n, plural, other x}", PA_ERR_SYNTAX},  /* no braces */
      {"{n, plural, few {x} few {y} other {z}}", PA_ERR_SYNTAX},
      {"{n, plural, lots {x} other {z}}", PA_ERR_SYNTAX},
      {"{n, plural, = {x} other {z}}", PA_ERR_SYNTAX},
      {"{n, plural, offset: other {z}}", PA_ERR_SYNTAX},
      {"{s, select, a {x}}", PA_ERR_SYNTAX},
      {"{n, frobnicate}", PA_ERR_UNSUPPORTED},
      {"{n, number, ::scientific}", PA_ERR_UNSUPPORTED},
      {"{n, date, full}", PA_ERR_UNSUPPORTED},
      {"{n, number, ::currency/EU}", PA_ERR_UNSUPPORTED},
      {"{n, number, ::currency/eur}", PA_ERR_UNSUPPORTED},
      {"{missing}", PA_ERR_ARG},
      {"{s, plural, other {#}}", PA_ERR_ARG}, /* "x" is not a number */
      {"{s, date}", PA_ERR_ARG},
      {"{n, plural, other {{missing}}}", PA_ERR_ARG},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    expect_error(bad[k].msg, a, 2, bad[k].code);
    CHECK(pa_msg_check(bad[k].msg, &err) == (bad[k].code == PA_ERR_ARG ? PA_OK : bad[k].code));
  }
  /* Where: the byte of the problem. */
  fmt("en", "abc {n, plural, one {x}}", a, 2);
  CHECK(!strcmp(err.msg, "message: byte 4: the plural argument needs an 'other' case"));
  fmt("en", "{n, plural, other {#} ", a, 2);
  CHECK_CONTAINS(err.msg, "byte 22");

  /* Not UTF-8 or NULL: the fallback is U+FFFD, never nothing, never a crash. */
  pa_msg_format("en", "bad \xff byte", a, 2, NULL, out, sizeof out, &err);
  CHECK(err.code == PA_ERR_SYNTAX && !strcmp(out, "\xef\xbf\xbd"));
  pa_msg_format("en", NULL, a, 2, NULL, out, sizeof out, &err);
  CHECK(err.code == PA_ERR_ARG && !strcmp(out, "\xef\xbf\xbd"));
  pa_msg_arg bad_utf8[] = {PA_MSG_STR("s", "\xc3")};
  CHECK(!strcmp(fmt("en", "[{s}]", bad_utf8, 1), "[{s}]"));
  CHECK(err.code == PA_ERR_ARG);
  /* Arguments missing entirely, and a NULL array. */
  CHECK(!strcmp(fmt("en", "{n}", NULL, 3), "{n}") && err.code == PA_ERR_ARG);
  /* NULL err is allowed. */
  CHECK(pa_msg_format("en", "{", NULL, 0, NULL, out, sizeof out, NULL) == 1);
}

static void limits(void) {
  /* Output: a long string repeated by nesting passes the limit and fails. */
  char *big = malloc(9000);
  memset(big, 'a', 8999);
  big[8999] = '\0';
  pa_msg_arg a[] = {PA_MSG_STR("s", big)};
  fmt("en", "{s}", a, 1);
  CHECK(err.code == PA_OK && strlen(out) == 8999);
  const char *twice = "{s}{s}";
  CHECK(!strcmp(fmt("en", twice, a, 1), twice));
  CHECK(err.code == PA_ERR_TOO_LARGE);
  free(big);

  /* Message length. */
  char *longmsg = malloc(PA_MSG_MAX_BYTES + 2);
  memset(longmsg, 'x', PA_MSG_MAX_BYTES + 1);
  longmsg[PA_MSG_MAX_BYTES + 1] = '\0';
  pa_msg_format("en", longmsg, NULL, 0, NULL, out, sizeof out, &err);
  CHECK(err.code == PA_ERR_TOO_LARGE && !strcmp(out, "\xef\xbf\xbd"));
  longmsg[PA_MSG_MAX_BYTES] = '\0';
  CHECK(pa_msg_format("en", longmsg, NULL, 0, NULL, out, sizeof out, &err) == PA_MSG_MAX_BYTES);
  CHECK(err.code == PA_OK);
  free(longmsg);

  /* Too many arguments. */
  pa_msg_arg many[PA_MSG_MAX_ARGS + 1];
  for (int k = 0; k <= PA_MSG_MAX_ARGS; k++) many[k] = PA_MSG_INT("n", k);
  fmt("en", "{n}", many, PA_MSG_MAX_ARGS + 1);
  CHECK(err.code == PA_ERR_TOO_LARGE);
  CHECK(!strcmp(fmt("en", "{n}", many, PA_MSG_MAX_ARGS), "0") && err.code == PA_OK);

  /* Numbers beyond the digit limits are refused, not mangled. */
  pa_msg_arg huge[] = {PA_MSG_DBL("n", 1e300), PA_MSG_DEC("d", "12345678901234567890")};
  fmt("en", "{n, number}", huge, 2);
  CHECK(err.code == PA_ERR_ARG);
  CHECK_CONTAINS(err.msg, "more than 18 integer");
  fmt("en", "{d, plural, other {#}}", huge, 2);
  CHECK(err.code == PA_ERR_ARG);
}

static void snprintf_contract(void) {
  pa_msg_arg a[] = {PA_MSG_STR("pet", "Luna")};
  char small[6];
  size_t need = pa_msg_format("en", "Hello {pet}!", a, 1, &PLAIN, small, sizeof small, &err);
  CHECK(need == 11 && !strcmp(small, "Hello"));
  CHECK(pa_msg_format("en", "Hello {pet}!", a, 1, &PLAIN, NULL, 0, &err) == 11);
  /* The fallback obeys the buffer too. */
  need = pa_msg_format("en", "{broken", a, 1, &PLAIN, small, sizeof small, &err);
  CHECK(need == 7 && !strcmp(small, "{brok"));
}

static void check_signature_pseudo(void) {
  CHECK(pa_msg_check("{n, plural, one {#} other {{s}}}", &err) == PA_OK);
  CHECK(pa_msg_check("{n, plural, one {#}}", &err) == PA_ERR_SYNTAX);

  char buf[512];
  pa_msg_signature("{a} {n, plural, offset:1 =0 {x} one {{b}} other {#}} {t, date, long}"
                   "{s, select, x {} other {}}",
                   buf, sizeof buf, &err);
  CHECK(err.code == PA_OK);
  CHECK(!strcmp(buf, "[{\"arg\":\"a\",\"type\":\"string\"},{\"arg\":\"b\",\"type\":\"string\"},"
                     "{\"arg\":\"n\",\"type\":\"plural\",\"offset\":1,\"keys\":[\"=0\",\"one\","
                     "\"other\"]},{\"arg\":\"t\",\"type\":\"date\"},{\"arg\":\"s\",\"type\":"
                     "\"select\",\"keys\":[\"x\",\"other\"]}]"));
  CHECK(pa_msg_signature("{", buf, sizeof buf, &err) == 0 && err.code == PA_ERR_SYNTAX);

  /* Pseudo: accented, longer, bracketed, and still the same message. */
  const char *src = "Open {pet}'s profile, {n, plural, one {# like} other {# likes}}";
  pa_msg_pseudo(src, buf, sizeof buf, &err);
  CHECK(err.code == PA_OK);
  CHECK(buf[0] == '[' && buf[strlen(buf) - 1] == ']');
  CHECK_CONTAINS(buf, "{pet}");
  CHECK_CONTAINS(buf, "{n, plural, one {# ");
  CHECK_CONTAINS(buf, "\xc3\x96\xc3\x96\xc3\xbe"); /* "ÖÖþ": O doubled, p accented */
  CHECK(strlen(buf) > strlen(src) * 3 / 2);
  char sig_src[512], sig_pseudo[512];
  pa_msg_signature(src, sig_src, sizeof sig_src, &err);
  pa_msg_signature(buf, sig_pseudo, sizeof sig_pseudo, &err);
  CHECK(err.code == PA_OK && !strcmp(sig_src, sig_pseudo));
  pa_msg_arg a[] = {PA_MSG_STR("pet", "Luna"), PA_MSG_INT("n", 1)};
  pa_msg_format("en-XA", buf, a, 2, &PLAIN, out, sizeof out, &err);
  CHECK(err.code == PA_OK);
  CHECK_CONTAINS(out, "Luna");
  CHECK_CONTAINS(out, "1 ");
  /* Quotes survive the round trip. */
  pa_msg_pseudo("'{x}' it''s", buf, sizeof buf, &err);
  pa_msg_format("en", buf, NULL, 0, &PLAIN, out, sizeof out, &err);
  CHECK(err.code == PA_OK);
  CHECK_CONTAINS(out, "{\xe1\xba\x8b}"); /* quoted text is literal text: "{ẋ}" */
  CHECK_CONTAINS(out, "'");
}

static void json_arguments(void) {
  const char *json = "{\"name\":\"Ana\",\"n\":3,\"x\":1.5,\"big\":1e300,\"d\":\"1.0\","
                     "\"yes\":true,\"no\":false}";
  pa_msg_args *args;
  CHECK(pa_msg_args_parse(json, strlen(json), &args, &err) == PA_OK);
  size_t n;
  const pa_msg_arg *items = pa_msg_args_items(args, &n);
  CHECK(n == 7);
  CHECK(items[0].type == PA_MSG_STRING && !strcmp(items[0].s, "Ana"));
  CHECK(items[1].type == PA_MSG_INT && items[1].i == 3);
  CHECK(items[2].type == PA_MSG_DOUBLE && items[2].d == 1.5);
  CHECK(items[3].type == PA_MSG_DOUBLE);
  CHECK(items[5].type == PA_MSG_STRING && !strcmp(items[5].s, "true"));
  pa_msg_format("en", "{d, plural, one {one} other {other}} {yes, select, true {t} other {f}}",
                items, n, &PLAIN, out, sizeof out, &err);
  CHECK(!strcmp(out, "other t"));
  pa_msg_args_free(args);

  CHECK(pa_msg_args_parse("", 0, &args, &err) == PA_OK);
  CHECK(pa_msg_args_items(args, &n) != NULL && n == 0);
  pa_msg_args_free(args);
  const char *bad[] = {"[1]", "{\"a\":[1]}", "{\"a\":null}", "{", "\"s\""};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(pa_msg_args_parse(bad[k], strlen(bad[k]), &args, &err) != PA_OK);
    CHECK(args == NULL);
  }
  char many[2048] = "{";
  for (int k = 0; k <= PA_MSG_MAX_ARGS; k++) {
    char one[32];
    snprintf(one, sizeof one, "%s\"a%d\":1", k ? "," : "", k);
    strcat(many, one);
  }
  strcat(many, "}");
  CHECK(pa_msg_args_parse(many, strlen(many), &args, &err) == PA_ERR_TOO_LARGE);
  pa_msg_args_free(NULL);
}

int main(void) {
  RUN(simple_arguments);
  RUN(bidi_isolation);
  RUN(plurals);
  RUN(exact_and_offset);
  RUN(ordinals);
  RUN(selects);
  RUN(nesting);
  RUN(numbers);
  RUN(dates);
  RUN(apostrophes);
  RUN(malformed);
  RUN(limits);
  RUN(snprintf_contract);
  RUN(check_signature_pseudo);
  RUN(json_arguments);
  return pa_test_summary("msgfmt");
}
