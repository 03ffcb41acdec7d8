/* Numbers in a locale's style, from the generated CLDR tables. */
#include "i18n_data.h"
#include "pa/pa_numfmt.h"

#include <string.h>

void pa_i18n_write_digits(pa_i18n_out *o, const pa_i18n_locale_data *d, uint64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)(v % 10);
    v /= 10;
  } while (v && n < (int)sizeof tmp);
  while (n < width && n < (int)sizeof tmp) tmp[n++] = 0;
  while (n) pa_i18n_puts(o, d->digits[(int)tmp[--n]]);
}

/* Integer and fraction digits of x with the locale's digits and symbols;
 * grouping only once the integer part has group1 + min_grouping digits
 * (es: "1234" but "12.345"), then every group2 (hi: "12,34,567"). */
static void write_body(pa_i18n_out *o, const pa_i18n_locale_data *d, const pa_dec *x,
                       const pa_i18n_numpat *p, int min_grouping) {
  int pad = p->min_int > x->ilen ? p->min_int - x->ilen : 0;
  int total = x->ilen + pad;
  int g1 = p->group1, g2 = p->group2 ? p->group2 : p->group1;
  bool group = g1 > 0 && total >= g1 + min_grouping;
  for (int pos = 0; pos < total; pos++) {
    int digit = pos < pad ? 0 : x->d[pos - pad];
    pa_i18n_puts(o, d->digits[digit]);
    int left = total - pos - 1; /* digits still to come */
    if (group && left > 0 && (left == g1 || (left > g1 && (left - g1) % g2 == 0)))
      pa_i18n_puts(o, d->group);
  }
  if (x->flen) {
    pa_i18n_puts(o, d->decimal);
    for (int k = 0; k < x->flen; k++) pa_i18n_puts(o, d->digits[x->d[x->ilen + k]]);
  }
}

/* Writes an affix, the currency symbol in place of "¤". */
static void write_affix(pa_i18n_out *o, const char *affix, const char *symbol) {
  static const char CURRENCY_SIGN[] = "\xc2\xa4";
  for (const char *p = affix; *p;) {
    if (!strncmp(p, CURRENCY_SIGN, 2) && symbol) {
      pa_i18n_puts(o, symbol);
      p += 2;
    } else {
      pa_i18n_put(o, p++, 1);
    }
  }
}

/* Whether the currency symbol's character next to the digits is a letter
 * (flags: see pa_i18n_locale_data.currency_alpha). */
static bool symbol_touches_letter(const pa_i18n_numpat *p, unsigned alpha) {
  return strstr(p->prefix, "\xc2\xa4") ? (alpha & 2u) : (alpha & 1u);
}

/* Compact short: "1.2K". CLDR keeps one pattern per magnitude and plural
 * category. */
static void write_compact(pa_i18n_out *o, const pa_i18n_locale_data *d, int index,
                          const pa_dec *x) {
  pa_dec v = *x;
  int mag = v.ilen - 1;
  for (int attempt = 0; attempt < 2 && mag >= PA_I18N_COMPACT_MIN; attempt++) {
    int row = mag - PA_I18N_COMPACT_MIN;
    if (row >= PA_I18N_COMPACT_MAGS) row = PA_I18N_COMPACT_MAGS - 1;
    const pa_i18n_compact *other = &d->compact[row][PA_PLURAL_OTHER];
    if (!other->prefix || other->zeros == 0) break; /* "0": not compacted here */
    int k = row + PA_I18N_COMPACT_MIN - (other->zeros - 1);
    pa_dec s = *x;
    if (pa_dec_shift(&s, -k, NULL) != PA_OK) break;
    /* Two significant digits below 10 ("1.2K"), whole numbers above ("12K"). */
    pa_dec_round(&s, 0, s.ilen <= 1 ? 1 : 0);
    if (s.ilen > other->zeros) { /* 999.95K rounds to 1000K: use the next magnitude */
      mag++;
      continue;
    }
    /* The form agrees with the number shown ("3 آلاف", Arabic's few for
     * 3), with the exponent as operand e for the es/fr/it/pt "many" rule;
     * this is what ICU does and what CLDR's per-category patterns assume. */
    pa_dec shown = s;
    shown.e = k;
    pa_plural_category cat = pa_i18n_plural(index, PA_PLURAL_CARDINAL, &shown);
    const pa_i18n_compact *c = d->compact[row][cat].prefix ? &d->compact[row][cat] : other;
    if (s.neg) pa_i18n_puts(o, d->minus);
    pa_i18n_puts(o, c->prefix);
    /* Grouping from 5 digits only ("1235 M", "2500万"), as ICU's compact
     * notation does (its MIN2 strategy). */
    write_body(o, d, &s, &d->decimal_pat, d->min_grouping > 2 ? d->min_grouping : 2);
    pa_i18n_puts(o, c->suffix);
    return;
  }
  /* Below 1000, or where the locale does not compact: plain digits, two
   * significant ones for small numbers, and grouping only from 5 digits. */
  int lead = 0;
  if (v.ilen == 0)
    while (lead < v.flen && v.d[lead] == 0) lead++;
  pa_dec_round(&v, 0, v.ilen == 0 ? lead + 2 : v.ilen == 1 ? 1 : 0);
  pa_i18n_puts(o, v.neg ? d->decimal_pat.neg_prefix : d->decimal_pat.prefix);
  write_body(o, d, &v, &d->decimal_pat, 2);
  pa_i18n_puts(o, v.neg ? d->decimal_pat.neg_suffix : d->decimal_pat.suffix);
}

void pa_i18n_round_decimal(const pa_i18n_locale_data *d, pa_dec *x) {
  const pa_i18n_numpat *p = &d->decimal_pat;
  /* Visible digits the caller gave are kept ("1.50" stays, as its plural
   * operands say); only digits beyond the pattern's maximum are rounded
   * away, and then trailing zeros go too, as ICU does. */
  if (x->flen > p->max_frac)
    pa_dec_round(x, p->min_frac, p->max_frac);
  else
    pa_dec_round(x, x->flen > p->min_frac ? x->flen : p->min_frac, p->max_frac);
}

pa_status pa_i18n_write_number(pa_i18n_out *o, const pa_i18n_locale_data *d, int index,
                               const pa_dec *x, pa_num_style style, const char *currency,
                               pa_error *err) {
  pa_dec v = *x;
  const pa_i18n_numpat *p = &d->decimal_pat;
  const char *symbol = NULL;
  switch (style) {
  case PA_NUM_DECIMAL: pa_i18n_round_decimal(d, &v); break;
  case PA_NUM_INTEGER: pa_dec_round(&v, 0, 0); break;
  case PA_NUM_PERCENT:
    p = &d->percent_pat;
    if (pa_dec_shift(&v, 2, err) != PA_OK) return err ? err->code : PA_ERR_TOO_LARGE;
    pa_dec_round(&v, p->min_frac, p->max_frac);
    break;
  case PA_NUM_CURRENCY: {
    if (!currency || strlen(currency) != 3 || currency[0] < 'A' || currency[0] > 'Z' ||
        currency[1] < 'A' || currency[1] > 'Z' || currency[2] < 'A' || currency[2] > 'Z')
      return pa_error_set(err, PA_ERR_ARG, "number: currency must be an ISO 4217 code like EUR");
    int digits = 2;
    unsigned alpha = 3u;
    symbol = currency; /* a code CLDR has no data for prints as itself */
    for (int k = 0; k < pa_i18n_currency_count; k++)
      if (!strcmp(pa_i18n_currencies[k].code, currency)) {
        digits = pa_i18n_currencies[k].digits;
        symbol = d->currency_symbols[k];
        alpha = d->currency_alpha[k];
      }
    p = symbol_touches_letter(&d->currency_pat, alpha) ? &d->currency_alpha_pat : &d->currency_pat;
    pa_dec_round(&v, digits, digits);
    break;
  }
  case PA_NUM_COMPACT: write_compact(o, d, index, &v); return PA_OK;
  default: return pa_error_set(err, PA_ERR_ARG, "number: unknown style %d", (int)style);
  }
  write_affix(o, v.neg ? p->neg_prefix : p->prefix, symbol);
  write_body(o, d, &v, p, d->min_grouping);
  write_affix(o, v.neg ? p->neg_suffix : p->suffix, symbol);
  return PA_OK;
}

size_t pa_num_format(const char *locale, const char *number, pa_num_style style,
                     const char *currency, char *buf, size_t cap, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {buf, cap, 0};
  pa_dec x;
  if (!number) {
    pa_error_set(err, PA_ERR_ARG, "number: none given");
  } else if (pa_dec_parse(number, strlen(number), &x, err) == PA_OK) {
    int index = pa_i18n_locale_index(locale);
    const pa_i18n_locale_data *d = &pa_i18n_locale_table[index < 0 ? 0 : index];
    if (pa_i18n_write_number(&o, d, index < 0 ? 0 : index, &x, style, currency, err) != PA_OK)
      o.len = 0;
  }
  return pa_i18n_finish(&o);
}

size_t pa_num_format_minor(const char *locale, int64_t minor, const char *currency, char *buf,
                           size_t cap, pa_error *err) {
  /* The currency's CLDR digits place the point: 3990 USD is "39.90", 1200
   * JPY is "1200" (a code without data has two, as pa_num_format assumes). */
  int digits = 2;
  for (int k = 0; currency && k < pa_i18n_currency_count; k++)
    if (!strcmp(pa_i18n_currencies[k].code, currency)) digits = pa_i18n_currencies[k].digits;
  char text[48], *p = text;
  uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
  char rev[24];
  int n = 0;
  do {
    rev[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n <= digits) rev[n++] = '0'; /* at least one integer digit */
  if (minor < 0) *p++ = '-';
  for (int i = n - 1; i >= 0; i--) {
    *p++ = rev[i];
    if (i == digits && digits > 0) *p++ = '.';
  }
  *p = '\0';
  return pa_num_format(locale, text, PA_NUM_CURRENCY, currency, buf, cap, err);
}
