/* pa_plural — CLDR plural rules (cardinal and ordinal) for the shipped locales.
 *
 * Numbers come in as decimal strings, because "1" and "1.0" are different
 * plurals in many languages (en: "1 like" but "1.0 likes"). The rules are
 * compiled to C at build time from CLDR's plurals.json and ordinals.json
 * (scripts/i18n/gen-plurals.mjs). */
#ifndef PA_PLURAL_H
#define PA_PLURAL_H

#include "pa/pa_status.h"

#include <stdint.h>

typedef enum pa_plural_category {
  PA_PLURAL_ZERO,
  PA_PLURAL_ONE,
  PA_PLURAL_TWO,
  PA_PLURAL_FEW,
  PA_PLURAL_MANY,
  PA_PLURAL_OTHER
} pa_plural_category;

typedef enum pa_plural_type { PA_PLURAL_CARDINAL, PA_PLURAL_ORDINAL } pa_plural_type;

enum {
  PA_PLURAL_MAX_INT_DIGITS = 18,  /* integer digits after applying any exponent */
  PA_PLURAL_MAX_FRAC_DIGITS = 18, /* visible fraction digits */
  PA_PLURAL_MAX_EXPONENT = 21     /* the c/e compact exponent */
};

/* The operands of UTS #35 plural rules for the absolute value of a number.
 * n equals i when f is 0; n has a fraction otherwise. */
typedef struct pa_plural_operands {
  uint64_t i; /* integer digits */
  uint64_t f; /* visible fraction digits, with trailing zeros ("1.50" → 50) */
  uint64_t t; /* visible fraction digits, without trailing zeros ("1.50" → 5) */
  int v;      /* count of visible fraction digits, with trailing zeros */
  int w;      /* count of visible fraction digits, without trailing zeros */
  int e;      /* compact exponent: "1.2c3" is 1200 with e = 3 */
} pa_plural_operands;

/* Reads a decimal string: optional '-', digits, optional '.' and digits,
 * optional 'c' or 'e' and an exponent ("1.2c3", CLDR's compact notation).
 * Limits are the PA_PLURAL_MAX_* values above. */
pa_status pa_plural_operands_parse(const char *number, pa_plural_operands *out, pa_error *err);

/* The category of ops in locale (any BCP 47 tag; resolved like
 * pa_i18n_resolve, and CLDR's root rule, always "other", for the rest). */
pa_plural_category pa_plural_select(const char *locale, pa_plural_type type,
                                    const pa_plural_operands *ops);

/* pa_plural_operands_parse + pa_plural_select. */
pa_status pa_plural_select_str(const char *locale, pa_plural_type type, const char *number,
                               pa_plural_category *out, pa_error *err);

/* Bit k set (1u << PA_PLURAL_ZERO...) for each category the locale uses. */
unsigned pa_plural_categories(const char *locale, pa_plural_type type);

/* "zero", "one", "two", "few", "many", "other". */
const char *pa_plural_category_name(pa_plural_category c);

/* The category named by name[0..len), or -1. */
int pa_plural_category_from_name(const char *name, int len);

#endif
