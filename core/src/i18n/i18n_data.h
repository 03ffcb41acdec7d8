/* i18n_data — internal to the i18n modules: the tables generated at build
 * time from CLDR (scripts/i18n/gen-plurals.mjs, gen-locale-data.mjs), the
 * decimal type every formatter shares, and a bounded output writer. */
#ifndef PA_I18N_DATA_H
#define PA_I18N_DATA_H

#include "pa/pa_numfmt.h"
#include "pa/pa_plural.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- generated: plural rules, one row per shipped locale, same order as
 * pa_i18n_locale_table. */

typedef pa_plural_category (*pa_i18n_plural_fn)(const pa_plural_operands *o);

typedef struct pa_i18n_plural_rules {
  const char *tag;  /* shipped locale */
  const char *cldr; /* the CLDR locale whose rules these are ("zh") */
  pa_i18n_plural_fn cardinal, ordinal;
  unsigned cardinal_mask, ordinal_mask; /* bit k: category k is used */
} pa_i18n_plural_rules;

extern const pa_i18n_plural_rules pa_i18n_plural_table[];
extern const int pa_i18n_plural_table_len;

/* ---- generated: number and date data per shipped locale. */

enum {
  PA_I18N_CATS = 6,          /* plural categories, PA_PLURAL_ZERO..OTHER */
  PA_I18N_COMPACT_MIN = 3,   /* compact patterns cover 10^3 ... */
  PA_I18N_COMPACT_MAGS = 15, /* ... to 10^17 */
  PA_I18N_REL_UNITS = 7,     /* pa_date_unit */
  PA_I18N_REL_STYLES = 2     /* long, short */
};

/* A CLDR number pattern, read by the generator. Affixes are literal UTF-8
 * with the locale's symbols substituted, except "¤" for the currency. */
typedef struct pa_i18n_numpat {
  const char *prefix, *suffix, *neg_prefix, *neg_suffix;
  unsigned char min_int, min_frac, max_frac;
  unsigned char group1, group2; /* primary and secondary group sizes, 0 = none */
} pa_i18n_numpat;

/* One compact-short pattern ("0K", "00 mil"): zeros is the count of digits
 * shown before the affix, 0 when CLDR says not to compact ("0"). */
typedef struct pa_i18n_compact {
  const char *prefix, *suffix;
  unsigned char zeros;
} pa_i18n_compact;

typedef struct pa_i18n_currency {
  const char *code; /* ISO 4217 */
  unsigned char digits;
} pa_i18n_currency;

extern const pa_i18n_currency pa_i18n_currencies[];
extern const int pa_i18n_currency_count;

typedef struct pa_i18n_locale_data {
  const char *tag, *lang, *script;
  const char *numbering; /* CLDR numbering system, "latn", "beng" */
  const char *digits[10];
  const char *decimal, *group, *minus, *percent;
  unsigned char min_grouping;
  pa_i18n_numpat decimal_pat, percent_pat, currency_pat, currency_alpha_pat;
  pa_i18n_compact compact[PA_I18N_COMPACT_MAGS][PA_I18N_CATS]; /* NULL prefix: use "other" */
  const char *const *currency_symbols;                         /* parallel to pa_i18n_currencies */
  /* Parallel too: bit 0 set when the symbol's first character is neither a
   * symbol nor a space (Unicode S, Z), bit 1 the same for its last; CLDR
   * then wants the "alphaNextToNumber" pattern ("CHF 5.00", "5,00 zł"). */
  const unsigned char *currency_alpha;
  const char *months_abbr[12], *months_wide[12];
  const char *era_abbr[2]; /* BC, AD */
  const char *am, *pm;
  const char *date_pat[3], *time_pat[3], *datetime_pat[3]; /* short, medium, long */
  const char *gmt_format, *gmt_zero, *hour_pos, *hour_neg;
  /* "{0} hours ago" by unit, style, past/future, plural category (NULL: use other) */
  const char *rel[PA_I18N_REL_UNITS][PA_I18N_REL_STYLES][2][PA_I18N_CATS];
  /* Named offsets -2..+2 ("the day before yesterday" ... "the day after
   * tomorrow") by unit and style; NULL where CLDR names none */
  const char *rel_named[PA_I18N_REL_UNITS][PA_I18N_REL_STYLES][5];
} pa_i18n_locale_data;

extern const pa_i18n_locale_data pa_i18n_locale_table[];
extern const int pa_i18n_locale_table_len;

/* ---- generated: what negotiation and direction need from likely subtags. */

typedef struct pa_i18n_pair {
  const char *key, *value;
} pa_i18n_pair;

extern const pa_i18n_pair pa_i18n_likely_script[]; /* "zh" → "Hans", "zh-TW" → "Hant" */
extern const int pa_i18n_likely_script_len;
extern const pa_i18n_pair pa_i18n_language_alias[]; /* "in" → "id", "iw" → "he" */
extern const int pa_i18n_language_alias_len;
extern const char *const pa_i18n_rtl_scripts[]; /* "Arab", "Hebr", ... */
extern const int pa_i18n_rtl_scripts_len;

/* ---- lookups (i18n.c). */

/* Index into the generated tables of the shipped locale serving tag, or -1.
 * The pseudo-locale resolves to its base ("en"). */
int pa_i18n_locale_index(const char *tag);
/* Data for tag, "en"'s when tag has no shipped locale. Never NULL. */
const pa_i18n_locale_data *pa_i18n_data(const char *tag);

/* ---- decimals (plural.c): exact decimal numbers as plural rules see them. */

/* Room for the limits plus an exponent's worth of zeros while shifting. */
enum { PA_DEC_MAX = 64 };

typedef struct pa_dec {
  bool neg;
  int e;                       /* compact exponent (plural operand e), 0 unless given */
  int ilen;                    /* integer digits d[0..ilen), no leading zeros: 0 has ilen 0 */
  int flen;                    /* visible fraction digits d[ilen..ilen+flen) */
  unsigned char d[PA_DEC_MAX]; /* digit values 0..9 */
} pa_dec;

/* Parses s[0..len) as pa_plural_operands_parse describes. */
pa_status pa_dec_parse(const char *s, size_t len, pa_dec *out, pa_error *err);
/* The shortest decimal that reads back as x; fails for NaN, infinities and
 * magnitudes beyond the digit limits. */
pa_status pa_dec_from_double(double x, pa_dec *out, pa_error *err);
void pa_dec_from_int(int64_t x, pa_dec *out);
void pa_dec_operands(const pa_dec *x, pa_plural_operands *out);
/* x + k; fails when the result outgrows the digit limits. */
pa_status pa_dec_add_int(pa_dec *x, int64_t k, pa_error *err);
/* x * 10^k (k may be negative); fails beyond the digit limits. */
pa_status pa_dec_shift(pa_dec *x, int k, pa_error *err);
/* Rounds half-even to at most max_frac fraction digits, then drops trailing
 * fraction zeros down to min_frac and pads up to it. May add an integer digit. */
void pa_dec_round(pa_dec *x, int min_frac, int max_frac);
/* Numeric equality, ignoring trailing zeros and e. */
bool pa_dec_equal(const pa_dec *a, const pa_dec *b);
/* ASCII form ("-12.50"); writes at most cap bytes with a NUL, returns length. */
size_t pa_dec_to_ascii(const pa_dec *x, char *buf, size_t cap);

pa_plural_category pa_i18n_plural(int locale_index, pa_plural_type type, const pa_dec *x);

/* ---- output: snprintf-like accumulation into a caller's buffer. */

typedef struct pa_i18n_out {
  char *buf;
  size_t cap, len; /* len counts every byte offered, stored or not */
} pa_i18n_out;

void pa_i18n_put(pa_i18n_out *o, const char *s, size_t n);
void pa_i18n_puts(pa_i18n_out *o, const char *s);
/* NUL-terminates at min(len, cap - 1) and returns len. */
size_t pa_i18n_finish(pa_i18n_out *o);

/* ---- formatting primitives shared by numfmt.c, datefmt.c and msgfmt.c. */

/* Rounds x as PA_NUM_DECIMAL shows it; plural selection uses the result so
 * that the words agree with the digits ("1.0004" shows "1": one). */
void pa_i18n_round_decimal(const pa_i18n_locale_data *d, pa_dec *x);
/* Writes x in style (currency: ISO code for PA_NUM_CURRENCY). */
pa_status pa_i18n_write_number(pa_i18n_out *o, const pa_i18n_locale_data *d, int locale_index,
                               const pa_dec *x, pa_num_style style, const char *currency,
                               pa_error *err);
/* Writes an unsigned integer with the locale's digits, zero-padded to width. */
void pa_i18n_write_digits(pa_i18n_out *o, const pa_i18n_locale_data *d, uint64_t v, int width);
pa_status pa_i18n_write_date(pa_i18n_out *o, const pa_i18n_locale_data *d, int64_t ms,
                             int tz_offset_minutes, pa_date_style date, pa_date_style time,
                             pa_error *err);

/* Byte length of the valid UTF-8 sequence starting at s (at most n bytes
 * available), or 0 when it is not valid. */
int pa_i18n_utf8_len(const unsigned char *s, size_t n);

#endif
