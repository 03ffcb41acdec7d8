/* Plural rules over exact decimals; the rules themselves are generated
 * (gen/plural_rules.c). */
#include "i18n_data.h"
#include "pa/pa_plural.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decimals */

static void dec_trim(pa_dec *x) {
  int lead = 0;
  while (lead < x->ilen && x->d[lead] == 0) lead++;
  if (lead) {
    memmove(x->d, x->d + lead, (size_t)(x->ilen - lead + x->flen));
    x->ilen -= lead;
  }
}

static pa_status too_big(pa_error *err) {
  return pa_error_set(err, PA_ERR_TOO_LARGE, "number: more than %d integer or %d fraction digits",
                      PA_PLURAL_MAX_INT_DIGITS, PA_PLURAL_MAX_FRAC_DIGITS);
}

pa_status pa_dec_shift(pa_dec *x, int k, pa_error *err) {
  if (k > 0) {
    /* Move k fraction digits into the integer part, padding with zeros. */
    int move = k < x->flen ? k : x->flen;
    int pad = k - move;
    if (x->ilen + x->flen + pad > PA_DEC_MAX) return too_big(err);
    memmove(x->d + x->ilen + move + pad, x->d + x->ilen + move, (size_t)(x->flen - move));
    memset(x->d + x->ilen + move, 0, (size_t)pad);
    x->ilen += move + pad;
    x->flen -= move;
  } else if (k < 0) {
    int n = -k;
    int move = n < x->ilen ? n : x->ilen;
    int pad = n - move;
    if (x->ilen + x->flen + pad > PA_DEC_MAX) return too_big(err);
    /* Integer digits become fraction digits; leading fraction zeros fill in. */
    memmove(x->d + pad, x->d, (size_t)(x->ilen + x->flen));
    memset(x->d, 0, (size_t)pad);
    x->ilen -= move;
    x->flen += n;
  }
  dec_trim(x);
  /* One digit of headroom over the limit, for rounding carries. */
  if (x->ilen > PA_PLURAL_MAX_INT_DIGITS + 1) return too_big(err);
  return PA_OK;
}

pa_status pa_dec_parse(const char *s, size_t len, pa_dec *out, pa_error *err) {
  memset(out, 0, sizeof *out);
  size_t p = 0;
  if (p < len && s[p] == '-') {
    out->neg = true;
    p++;
  }
  size_t start = p;
  int n = 0;
  while (p < len && s[p] >= '0' && s[p] <= '9') {
    if (n == 0 && s[p] == '0') { /* leading zeros carry nothing */
      p++;
      continue;
    }
    if (n >= PA_PLURAL_MAX_INT_DIGITS) return too_big(err);
    out->d[n++] = (unsigned char)(s[p++] - '0');
  }
  if (p == start)
    return pa_error_set(err, PA_ERR_SYNTAX, "number: expected a digit at byte %zu", p);
  out->ilen = n;
  if (p < len && s[p] == '.') {
    p++;
    size_t fstart = p;
    while (p < len && s[p] >= '0' && s[p] <= '9') {
      if (out->flen >= PA_PLURAL_MAX_FRAC_DIGITS) return too_big(err);
      out->d[out->ilen + out->flen++] = (unsigned char)(s[p++] - '0');
    }
    if (p == fstart)
      return pa_error_set(err, PA_ERR_SYNTAX, "number: expected a digit after '.' at byte %zu", p);
  }
  if (p < len && (s[p] == 'c' || s[p] == 'e')) {
    p++;
    int e = 0;
    size_t estart = p;
    while (p < len && s[p] >= '0' && s[p] <= '9') {
      e = e * 10 + (s[p++] - '0');
      if (e > PA_PLURAL_MAX_EXPONENT)
        return pa_error_set(err, PA_ERR_TOO_LARGE, "number: exponent over %d",
                            PA_PLURAL_MAX_EXPONENT);
    }
    if (p == estart)
      return pa_error_set(err, PA_ERR_SYNTAX, "number: expected exponent digits at byte %zu", p);
    if (pa_dec_shift(out, e, err) != PA_OK) return err ? err->code : PA_ERR_TOO_LARGE;
    if (out->ilen > PA_PLURAL_MAX_INT_DIGITS) return too_big(err);
    out->e = e;
  }
  if (p != len)
    return pa_error_set(err, PA_ERR_SYNTAX, "number: unexpected '%c' at byte %zu", s[p], p);
  return PA_OK;
}

pa_status pa_dec_from_double(double x, pa_dec *out, pa_error *err) {
  if (!isfinite(x)) return pa_error_set(err, PA_ERR_ARG, "number: not finite");
  if (fabs(x) >= 1e18) return too_big(err);
  /* Shortest %.*e that reads back exactly: "0.1", not "0.1000000000000000055". */
  char text[40];
  for (int prec = 0; prec < DBL_DECIMAL_DIG; prec++) {
    snprintf(text, sizeof text, "%.*e", prec, x);
    if (strtod(text, NULL) == x) break;
  }
  memset(out, 0, sizeof *out);
  const char *p = text;
  if (*p == '-') {
    out->neg = true;
    p++;
  }
  int n = 0;
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') out->d[n++] = (unsigned char)(*p - '0');
  int exp10 = *p == 'e' ? atoi(p + 1) : 0;
  /* Digits are d.ddd × 10^exp10: one integer digit, then shift. */
  out->ilen = 1;
  out->flen = n - 1;
  if (exp10 < -(PA_PLURAL_MAX_FRAC_DIGITS - 1)) { /* too small to show: zero */
    memset(out, 0, sizeof *out);
    return PA_OK;
  }
  pa_status st = pa_dec_shift(out, exp10, err);
  if (st != PA_OK) return st;
  if (out->flen > PA_PLURAL_MAX_FRAC_DIGITS) pa_dec_round(out, 0, PA_PLURAL_MAX_FRAC_DIGITS);
  if (out->ilen == 0 && out->flen == 0) out->neg = false;
  return PA_OK;
}

void pa_dec_from_int(int64_t x, pa_dec *out) {
  memset(out, 0, sizeof *out);
  uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
  out->neg = x < 0;
  unsigned char tmp[20];
  int n = 0;
  while (u) {
    tmp[n++] = (unsigned char)(u % 10);
    u /= 10;
  }
  /* int64 has at most 19 digits; the type allows one beyond the limit. */
  for (int k = 0; k < n; k++) out->d[k] = tmp[n - 1 - k];
  out->ilen = n;
}

void pa_dec_operands(const pa_dec *x, pa_plural_operands *o) {
  memset(o, 0, sizeof *o);
  /* Beyond 18 digits only the low ones matter to the rules (mod 10^k). */
  int from = x->ilen > PA_PLURAL_MAX_INT_DIGITS ? x->ilen - PA_PLURAL_MAX_INT_DIGITS : 0;
  for (int k = from; k < x->ilen; k++) o->i = o->i * 10 + x->d[k];
  int flen = x->flen > PA_PLURAL_MAX_FRAC_DIGITS ? PA_PLURAL_MAX_FRAC_DIGITS : x->flen;
  for (int k = 0; k < flen; k++) o->f = o->f * 10 + x->d[x->ilen + k];
  o->v = flen;
  o->t = o->f;
  o->w = o->v;
  while (o->w > 0 && o->t % 10 == 0) {
    o->t /= 10;
    o->w--;
  }
  o->e = x->e;
}

/* |a| + k or |a| - k on digit arrays; sign handled by the caller. */
static void mag_add(pa_dec *x, uint64_t k) {
  int carry = 0;
  for (int pos = x->ilen - 1; pos >= 0 || k || carry; pos--) {
    if (pos < 0) { /* grow one integer digit at the front */
      memmove(x->d + 1, x->d, (size_t)(x->ilen + x->flen));
      x->d[0] = 0;
      x->ilen++;
      pos = 0;
    }
    int s = x->d[pos] + (int)(k % 10) + carry;
    k /= 10;
    x->d[pos] = (unsigned char)(s % 10);
    carry = s / 10;
  }
}

/* |x| - k where |x| >= k. */
static void mag_sub(pa_dec *x, uint64_t k) {
  int borrow = 0;
  for (int pos = x->ilen - 1; pos >= 0; pos--) {
    int s = x->d[pos] - (int)(k % 10) - borrow;
    k /= 10;
    borrow = s < 0;
    x->d[pos] = (unsigned char)(s + (borrow ? 10 : 0));
  }
  dec_trim(x);
}

/* Compares |x| with the integer k: -1, 0, 1. */
static int mag_cmp(const pa_dec *x, uint64_t k) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)k);
  if (k == 0) n = 0;
  if (x->ilen != n) return x->ilen < n ? -1 : 1;
  for (int p = 0; p < n; p++)
    if (x->d[p] != buf[p] - '0') return x->d[p] < buf[p] - '0' ? -1 : 1;
  for (int p = 0; p < x->flen; p++)
    if (x->d[x->ilen + p]) return 1;
  return 0;
}

pa_status pa_dec_add_int(pa_dec *x, int64_t k, pa_error *err) {
  if (k == 0) return PA_OK;
  bool kneg = k < 0;
  uint64_t mag = kneg ? (uint64_t)0 - (uint64_t)k : (uint64_t)k;
  if (x->neg == kneg) {
    mag_add(x, mag);
  } else if (mag_cmp(x, mag) >= 0) {
    mag_sub(x, mag);
  } else {
    /* The sign flips: |k| - |x| = (|k| - int - [frac > 0]) + (1 - frac). */
    bool any_frac = false;
    for (int p = 0; p < x->flen; p++) any_frac |= x->d[x->ilen + p] != 0;
    uint64_t ipart = 0;
    for (int p = 0; p < x->ilen; p++) ipart = ipart * 10 + x->d[p];
    unsigned char frac[PA_DEC_MAX];
    int flen = x->flen;
    memcpy(frac, x->d + x->ilen, (size_t)flen);
    if (any_frac) { /* ten's complement of the fraction digits */
      int last = flen - 1;
      while (frac[last] == 0) last--;
      for (int p = 0; p < last; p++) frac[p] = (unsigned char)(9 - frac[p]);
      frac[last] = (unsigned char)(10 - frac[last]);
    }
    int e = x->e;
    pa_dec_from_int((int64_t)(mag - ipart - (any_frac ? 1 : 0)), x);
    memcpy(x->d + x->ilen, frac, (size_t)flen);
    x->flen = flen;
    x->neg = kneg;
    x->e = e;
  }
  if (x->ilen > PA_PLURAL_MAX_INT_DIGITS) return too_big(err);
  if (x->ilen == 0) {
    bool zero = true;
    for (int p = 0; p < x->flen; p++) zero &= x->d[p] == 0;
    if (zero) x->neg = false;
  }
  return PA_OK;
}

void pa_dec_round(pa_dec *x, int min_frac, int max_frac) {
  if (x->flen > max_frac) {
    int cut = x->ilen + max_frac; /* first dropped digit */
    int first = x->d[cut];
    bool rest = false;
    for (int p = cut + 1; p < x->ilen + x->flen; p++) rest |= x->d[p] != 0;
    int last = cut > 0 ? x->d[cut - 1] : 0;
    bool up = first > 5 || (first == 5 && (rest || (last & 1)));
    x->flen = max_frac;
    if (up) {
      int p = cut - 1;
      while (p >= 0 && x->d[p] == 9) x->d[p--] = 0;
      if (p >= 0) {
        x->d[p]++;
      } else { /* all nines: one more integer digit */
        memmove(x->d + 1, x->d, (size_t)(x->ilen + x->flen));
        x->d[0] = 1;
        x->ilen++;
      }
    }
  }
  while (x->flen > min_frac && x->d[x->ilen + x->flen - 1] == 0) x->flen--;
  while (x->flen < min_frac && x->ilen + x->flen < PA_DEC_MAX) x->d[x->ilen + x->flen++] = 0;
  bool zero = true;
  for (int p = 0; p < x->ilen + x->flen; p++) zero &= x->d[p] == 0;
  if (zero) x->neg = false;
}

bool pa_dec_equal(const pa_dec *a, const pa_dec *b) {
  if (a->ilen != b->ilen) return false;
  if (memcmp(a->d, b->d, (size_t)a->ilen)) return false;
  int n = a->flen > b->flen ? a->flen : b->flen;
  bool zero = a->ilen == 0;
  for (int p = 0; p < n; p++) {
    int da = p < a->flen ? a->d[a->ilen + p] : 0;
    int db = p < b->flen ? b->d[b->ilen + p] : 0;
    if (da != db) return false;
    zero &= da == 0;
  }
  return zero || a->neg == b->neg;
}

size_t pa_dec_to_ascii(const pa_dec *x, char *buf, size_t cap) {
  char tmp[PA_DEC_MAX + 4];
  size_t n = 0;
  if (x->neg) tmp[n++] = '-';
  if (x->ilen == 0) tmp[n++] = '0';
  for (int p = 0; p < x->ilen; p++) tmp[n++] = (char)('0' + x->d[p]);
  if (x->flen) tmp[n++] = '.';
  for (int p = 0; p < x->flen; p++) tmp[n++] = (char)('0' + x->d[x->ilen + p]);
  if (cap) {
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, tmp, k);
    buf[k] = '\0';
  }
  return n;
}

/* ---- plural selection */

static const char *const NAMES[] = {"zero", "one", "two", "few", "many", "other"};

const char *pa_plural_category_name(pa_plural_category c) {
  return (unsigned)c <= PA_PLURAL_OTHER ? NAMES[c] : "other";
}

int pa_plural_category_from_name(const char *name, int len) {
  for (int k = 0; k <= PA_PLURAL_OTHER; k++)
    if ((size_t)len == strlen(NAMES[k]) && !memcmp(name, NAMES[k], (size_t)len)) return k;
  return -1;
}

pa_status pa_plural_operands_parse(const char *number, pa_plural_operands *out, pa_error *err) {
  pa_error_clear(err);
  if (!number || !out) return pa_error_set(err, PA_ERR_ARG, "number: none given");
  pa_dec x;
  pa_status st = pa_dec_parse(number, strlen(number), &x, err);
  if (st != PA_OK) return st;
  pa_dec_operands(&x, out);
  return PA_OK;
}

static pa_plural_category select_index(int index, pa_plural_type type,
                                       const pa_plural_operands *ops) {
  /* CLDR's root rule set has only "other". */
  if (index < 0 || index >= pa_i18n_plural_table_len) return PA_PLURAL_OTHER;
  const pa_i18n_plural_rules *r = &pa_i18n_plural_table[index];
  return type == PA_PLURAL_ORDINAL ? r->ordinal(ops) : r->cardinal(ops);
}

pa_plural_category pa_i18n_plural(int locale_index, pa_plural_type type, const pa_dec *x) {
  pa_plural_operands o;
  pa_dec_operands(x, &o);
  return select_index(locale_index, type, &o);
}

pa_plural_category pa_plural_select(const char *locale, pa_plural_type type,
                                    const pa_plural_operands *ops) {
  if (!ops) return PA_PLURAL_OTHER;
  return select_index(pa_i18n_locale_index(locale), type, ops);
}

pa_status pa_plural_select_str(const char *locale, pa_plural_type type, const char *number,
                               pa_plural_category *out, pa_error *err) {
  pa_plural_operands o;
  pa_status st = pa_plural_operands_parse(number, &o, err);
  if (st != PA_OK) return st;
  if (out) *out = pa_plural_select(locale, type, &o);
  return PA_OK;
}

unsigned pa_plural_categories(const char *locale, pa_plural_type type) {
  int k = pa_i18n_locale_index(locale);
  if (k < 0 || k >= pa_i18n_plural_table_len) return 1u << PA_PLURAL_OTHER;
  return type == PA_PLURAL_ORDINAL ? pa_i18n_plural_table[k].ordinal_mask
                                   : pa_i18n_plural_table[k].cardinal_mask;
}
