/* ICU MessageFormat 1, interpreted straight from the message text: one
 * recursive-descent pass that formats as it parses, so nothing is allocated
 * and a malformed message is reported at the byte where it goes wrong.
 *
 * For plural and select, all cases are parsed (and so checked) first while
 * the matching one is remembered; then only that case is formatted. The
 * same walker also checks syntax, lists argument use (for the catalog
 * checker) and pseudo-localizes. */
#include "i18n_data.h"
#include "pa/pa_feed.h"
#include "pa/pa_msgfmt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum mode {
  FORMAT,    /* write the formatted text */
  SKIP,      /* parse only */
  SIGNATURE, /* write a JSON list of argument uses */
  PSEUDO     /* copy the message, literal text pseudo-localized */
} mode;

typedef enum arg_type { T_NUMBER, T_DATE, T_TIME, T_PLURAL, T_ORDINAL, T_SELECT } arg_type;

static const char *const TYPE_NAMES[] = {"number", "date",          "time",
                                         "plural", "selectordinal", "select"};

typedef struct ctx {
  const char *s;
  size_t len, pos;
  const pa_i18n_locale_data *data;
  int index;
  const pa_msg_arg *args;
  size_t nargs;
  int tz;
  unsigned flags;
  pa_i18n_out *out;
  pa_error *err;
  bool failed;
  int entries;                  /* signature entries written so far */
  size_t pseudo_in, pseudo_out; /* literal code points read and written (pseudo mode) */
} ctx;

static bool fail(ctx *c, size_t at, pa_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static bool fail(ctx *c, size_t at, pa_status code, const char *fmt, ...) {
  if (c->failed) return false; /* keep the first, innermost reason */
  char why[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  pa_error_set(c->err, code, "message: byte %zu: %s", at, why);
  c->failed = true;
  return false;
}

/* The output limit is checked as text grows, so a huge argument repeated
 * by a plural cannot keep the formatter busy. */
static bool grown(ctx *c) {
  if (c->out->len > PA_MSG_MAX_OUTPUT)
    return fail(c, c->pos, PA_ERR_TOO_LARGE, "output over %d bytes", PA_MSG_MAX_OUTPUT);
  return true;
}

static bool emit(ctx *c, const char *s, size_t n) {
  pa_i18n_put(c->out, s, n);
  return grown(c);
}

/* ---- pseudo-localization: our own letter choices, one accented form each. */

static const char *const ACCENTED[52] = {
    "\xc3\x85",     "\xc6\x81", "\xc3\x87",     "\xc3\x90", "\xc3\x89", "\xc6\x91",     "\xc4\x9c",
    "\xc4\xa4",     "\xc3\x8e", "\xc4\xb4",     "\xc4\xb6", "\xc4\xbb", "\xe1\xb9\x80", "\xc3\x91",
    "\xc3\x96",     "\xc3\x9e", "\xc7\xaa",     "\xc5\x94", "\xc5\xa0", "\xc5\xa2",     "\xc3\x9b",
    "\xe1\xb9\xbc", "\xc5\xb4", "\xe1\xba\x8a", "\xc3\x9d", "\xc5\xbd", /* A-Z */
    "\xc3\xa5",     "\xc6\x80", "\xc3\xa7",     "\xc3\xb0", "\xc3\xa9", "\xc6\x92",     "\xc4\x9d",
    "\xc4\xa5",     "\xc3\xae", "\xc4\xb5",     "\xc4\xb7", "\xc4\xbc", "\xe1\xb9\x81", "\xc3\xb1",
    "\xc3\xb6",     "\xc3\xbe", "\xc7\xab",     "\xc5\x95", "\xc5\xa1", "\xc5\xa3",     "\xc3\xbb",
    "\xe1\xb9\xbd", "\xc5\xb5", "\xe1\xba\x8b", "\xc3\xbd", "\xc5\xbe" /* a-z */};

static bool pseudo_text(ctx *c, const char *s, size_t n) {
  for (size_t k = 0; k < n; k++) {
    char ch = s[k];
    int slot = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? 26 + ch - 'a' : -1;
    bool starts = ((unsigned char)ch & 0xc0) != 0x80; /* counts code points, not bytes */
    c->pseudo_in += starts;
    c->pseudo_out += starts;
    if (slot < 0) {
      pa_i18n_put(c->out, &ch, 1);
      continue;
    }
    pa_i18n_puts(c->out, ACCENTED[slot]);
    /* Doubled vowels make words longer, as translations are. */
    if (strchr("aeiouAEIOU", ch)) {
      pa_i18n_puts(c->out, ACCENTED[slot]);
      c->pseudo_out++;
    }
  }
  return grown(c);
}

/* Literal text: formatted, pseudo-localized, or dropped. */
static bool text(ctx *c, mode m, const char *s, size_t n) {
  if (m == FORMAT) return emit(c, s, n);
  if (m == PSEUDO) return pseudo_text(c, s, n);
  return true;
}

/* Message syntax copied as is (pseudo mode only). */
static bool raw(ctx *c, mode m, size_t from, size_t to) {
  return m == PSEUDO ? emit(c, c->s + from, to - from) : true;
}

/* ---- lexing */

/* Pattern_White_Space: ASCII space and controls, LRM, RLM, U+2028/9, U+0085. */
static void skip_ws(ctx *c) {
  while (c->pos < c->len) {
    const unsigned char *p = (const unsigned char *)c->s + c->pos;
    size_t left = c->len - c->pos;
    if (strchr(" \t\n\r\v\f", p[0]) && p[0]) {
      c->pos++;
    } else if (left >= 2 && p[0] == 0xc2 && p[1] == 0x85) {
      c->pos += 2;
    } else if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
               (p[2] == 0x8e || p[2] == 0x8f || p[2] == 0xa8 || p[2] == 0xa9)) {
      c->pos += 3;
    } else {
      break;
    }
  }
}

static size_t ident(ctx *c) {
  size_t start = c->pos;
  while (c->pos < c->len) {
    char ch = c->s[c->pos];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_' || ch == '-'))
      break;
    c->pos++;
  }
  return c->pos - start;
}

static bool at(const ctx *c, char ch) { return c->pos < c->len && c->s[c->pos] == ch; }

static bool same(const char *s, size_t n, const char *word) {
  return n == strlen(word) && !memcmp(s, word, n);
}

/* ---- argument values */

static const pa_msg_arg *find_arg(const ctx *c, const char *name, size_t n) {
  for (size_t k = 0; k < c->nargs; k++)
    if (c->args[k].name && same(name, n, c->args[k].name)) return &c->args[k];
  return NULL;
}

static bool need_arg(ctx *c, size_t at_, const char *name, size_t n, const pa_msg_arg **out) {
  *out = find_arg(c, name, n);
  if (*out) return true;
  return fail(c, at_, PA_ERR_ARG, "no argument named '%.*s'", (int)n, name);
}

static bool to_dec(ctx *c, size_t at_, const pa_msg_arg *a, pa_dec *out) {
  pa_error e;
  pa_status st = PA_OK;
  switch (a->type) {
  case PA_MSG_STRING:
  case PA_MSG_DECIMAL:
    st = a->s ? pa_dec_parse(a->s, strlen(a->s), out, &e)
              : pa_error_set(&e, PA_ERR_ARG, "number: none given");
    break;
  case PA_MSG_INT:
  case PA_MSG_TIME: pa_dec_from_int(a->i, out); break;
  case PA_MSG_DOUBLE: st = pa_dec_from_double(a->d, out, &e); break;
  default: st = pa_error_set(&e, PA_ERR_ARG, "unknown argument type");
  }
  if (st == PA_OK) return true;
  /* The caller's value is the problem, whatever the parser called it. */
  return fail(c, at_, PA_ERR_ARG, "argument '%s' is not a number (%s)", a->name, e.msg);
}

static bool to_ms(ctx *c, size_t at_, const pa_msg_arg *a, int64_t *ms) {
  if (a->type == PA_MSG_TIME || a->type == PA_MSG_INT) {
    *ms = a->i;
    return true;
  }
  if (a->type == PA_MSG_DOUBLE && isfinite(a->d) && fabs(a->d) < 9e15) {
    *ms = (int64_t)a->d;
    return true;
  }
  int64_t secs;
  if ((a->type == PA_MSG_STRING || a->type == PA_MSG_DECIMAL) && a->s &&
      pa_feed_parse_time(a->s, &secs) == PA_OK) { /* RFC 3339, as the API sends */
    *ms = secs * 1000;
    return true;
  }
  return fail(c, at_, PA_ERR_ARG, "argument '%s' is not a time (milliseconds or RFC 3339)",
              a->name);
}

static bool valid_utf8(const char *s, size_t *len) {
  size_t n = strlen(s);
  for (size_t k = 0; k < n;) {
    int l = pa_i18n_utf8_len((const unsigned char *)s + k, n - k);
    if (!l) return false;
    k += (size_t)l;
  }
  *len = n;
  return true;
}

/* The text a select compares with its keywords. */
static bool to_key(ctx *c, size_t at_, const pa_msg_arg *a, char *buf, size_t cap,
                   const char **key) {
  if ((a->type == PA_MSG_STRING || a->type == PA_MSG_DECIMAL) && a->s) {
    *key = a->s;
    return true;
  }
  pa_dec x;
  if (!to_dec(c, at_, a, &x)) return false;
  pa_dec_to_ascii(&x, buf, cap);
  *key = buf;
  return true;
}

static bool write_string(ctx *c, size_t at_, const pa_msg_arg *a) {
  size_t n;
  if (!a->s || !valid_utf8(a->s, &n))
    return fail(c, at_, PA_ERR_ARG, "argument '%s' is not valid UTF-8 text", a->name);
  bool isolate = !(c->flags & PA_MSG_NO_ISOLATE);
  if (isolate) pa_i18n_puts(c->out, "\xe2\x81\xa8"); /* FSI */
  pa_i18n_put(c->out, a->s, n);
  if (isolate) pa_i18n_puts(c->out, "\xe2\x81\xa9"); /* PDI */
  return grown(c);
}

static bool write_number(ctx *c, size_t at_, const pa_dec *x, pa_num_style style,
                         const char *currency) {
  pa_error e;
  if (pa_i18n_write_number(c->out, c->data, c->index, x, style, currency, &e) != PA_OK)
    return fail(c, at_, e.code, "%s", e.msg);
  return grown(c);
}

static bool write_date(ctx *c, size_t at_, int64_t ms, pa_date_style date, pa_date_style time) {
  pa_error e;
  if (pa_i18n_write_date(c->out, c->data, ms, c->tz, date, time, &e) != PA_OK)
    return fail(c, at_, e.code, "%s", e.msg);
  return grown(c);
}

/* ---- signature entries: {"arg":"count","type":"plural","keys":[...]} */

static void sig_entry(ctx *c, const char *name, size_t n, const char *type, int64_t offset,
                      const char *keys, size_t klen) {
  pa_i18n_puts(c->out, c->entries++ ? ",{\"arg\":\"" : "{\"arg\":\"");
  pa_i18n_put(c->out, name, n); /* identifiers need no JSON escaping */
  pa_i18n_puts(c->out, "\",\"type\":\"");
  pa_i18n_puts(c->out, type);
  pa_i18n_puts(c->out, "\"");
  if (offset) { /* '#' means value - offset: translations must agree */
    char num[32];
    pa_i18n_put(c->out, num,
                (size_t)snprintf(num, sizeof num, ",\"offset\":%lld", (long long)offset));
  }
  if (keys) {
    pa_i18n_puts(c->out, ",\"keys\":[");
    pa_i18n_put(c->out, keys, klen);
    pa_i18n_puts(c->out, "]");
  }
  pa_i18n_puts(c->out, "}");
}

/* ---- the grammar */

static bool message(ctx *c, mode m, int depth, const pa_dec *hash, bool nested);

/* The style after "{x, number," etc.: up to '}', surrounding space trimmed. */
static bool style_word(ctx *c, const char **s, size_t *n) {
  *s = NULL;
  *n = 0;
  if (at(c, '}')) return true;
  if (!at(c, ',')) return fail(c, c->pos, PA_ERR_SYNTAX, "expected ',' or '}' after the type");
  c->pos++;
  skip_ws(c);
  size_t start = c->pos;
  while (c->pos < c->len && c->s[c->pos] != '}' && c->s[c->pos] != '{') c->pos++;
  if (!at(c, '}')) return fail(c, c->pos, PA_ERR_SYNTAX, "expected '}' after the style");
  size_t end = c->pos;
  while (end > start && strchr(" \t\n\r", c->s[end - 1])) end--;
  *s = c->s + start;
  *n = end - start;
  return true;
}

static bool simple_typed(ctx *c, mode m, arg_type type, const char *name, size_t nlen,
                         size_t open) {
  const char *st;
  size_t sn;
  size_t style_at = c->pos;
  if (!style_word(c, &st, &sn)) return false;
  pa_num_style ns = PA_NUM_DECIMAL;
  pa_date_style ds = PA_DATE_MEDIUM;
  char currency[4] = "";
  if (type == T_NUMBER) {
    if (!sn)
      ns = PA_NUM_DECIMAL;
    else if (same(st, sn, "integer") || same(st, sn, "::precision-integer"))
      ns = PA_NUM_INTEGER;
    else if (same(st, sn, "percent") || same(st, sn, "::percent"))
      ns = PA_NUM_PERCENT;
    else if (same(st, sn, "::compact-short"))
      ns = PA_NUM_COMPACT;
    else if (sn == 14 && !memcmp(st, "::currency/", 11) && st[11] >= 'A' && st[11] <= 'Z' &&
             st[12] >= 'A' && st[12] <= 'Z' && st[13] >= 'A' && st[13] <= 'Z') {
      ns = PA_NUM_CURRENCY;
      memcpy(currency, st + 11, 3);
    } else {
      return fail(c, style_at, PA_ERR_UNSUPPORTED,
                  "number style '%.*s' is not one of integer, percent, ::percent, "
                  "::precision-integer, ::compact-short, ::currency/XXX",
                  (int)(sn > 40 ? 40 : sn), st);
    }
  } else {
    if (!sn)
      ds = PA_DATE_MEDIUM;
    else if (same(st, sn, "short"))
      ds = PA_DATE_SHORT;
    else if (same(st, sn, "medium"))
      ds = PA_DATE_MEDIUM;
    else if (same(st, sn, "long"))
      ds = PA_DATE_LONG;
    else
      return fail(c, style_at, PA_ERR_UNSUPPORTED, "%s style '%.*s' is not short, medium or long",
                  TYPE_NAMES[type], (int)(sn > 40 ? 40 : sn), st);
  }
  c->pos++; /* '}' */
  if (m == SIGNATURE) sig_entry(c, name, nlen, TYPE_NAMES[type], 0, NULL, 0);
  if (m == PSEUDO) return raw(c, m, open, c->pos);
  if (m != FORMAT) return true;
  const pa_msg_arg *a;
  if (!need_arg(c, open, name, nlen, &a)) return false;
  if (type == T_NUMBER) {
    pa_dec x;
    return to_dec(c, open, a, &x) && write_number(c, open, &x, ns, currency);
  }
  int64_t ms = 0;
  if (!to_ms(c, open, a, &ms)) return false;
  return type == T_DATE ? write_date(c, open, ms, ds, PA_DATE_NONE)
                        : write_date(c, open, ms, PA_DATE_NONE, ds);
}

/* plural, selectordinal, select: the part after "{name, type,". */
static bool complex(ctx *c, mode m, int depth, arg_type type, const char *name, size_t nlen,
                    size_t open) {
  bool plural = type != T_SELECT;
  size_t mark = c->pos; /* pseudo mode: syntax not yet copied starts here */
  int64_t offset = 0;
  skip_ws(c);
  if (plural && c->len - c->pos >= 7 && !memcmp(c->s + c->pos, "offset:", 7)) {
    c->pos += 7;
    skip_ws(c);
    size_t start = c->pos;
    while (at(c, '0') || (c->pos < c->len && c->s[c->pos] > '0' && c->s[c->pos] <= '9')) {
      offset = offset * 10 + (c->s[c->pos++] - '0');
      if (offset > 1000000000) return fail(c, start, PA_ERR_TOO_LARGE, "offset over 1000000000");
    }
    if (c->pos == start) return fail(c, c->pos, PA_ERR_SYNTAX, "expected digits after 'offset:'");
  }

  /* What the formatter will choose from. */
  pa_dec value, shown;
  pa_plural_category cat = PA_PLURAL_OTHER;
  const char *key = NULL;
  char keybuf[PA_DEC_MAX + 4];
  if (m == FORMAT) {
    const pa_msg_arg *a;
    if (!need_arg(c, open, name, nlen, &a)) return false;
    if (plural) {
      if (!to_dec(c, open, a, &value)) return false;
      shown = value;
      pa_error e;
      if (pa_dec_add_int(&shown, -offset, &e) != PA_OK) return fail(c, open, e.code, "%s", e.msg);
      pa_i18n_round_decimal(c->data, &shown);
      cat = pa_i18n_plural(c->index, type == T_ORDINAL ? PA_PLURAL_ORDINAL : PA_PLURAL_CARDINAL,
                           &shown);
      /* Rules read the absolute value; '#' shows the sign. */
    } else if (!to_key(c, open, a, keybuf, sizeof keybuf, &key)) {
      return false;
    }
  }

  size_t exact_at = 0, keyword_at = 0, other_at = 0;
  unsigned seen = 0;
  char keys[512];
  size_t klen = 0;
  pa_dec any_number;
  pa_dec_from_int(0, &any_number);
  for (;;) {
    skip_ws(c);
    if (c->pos >= c->len)
      return fail(c, c->pos, PA_ERR_SYNTAX, "expected '}' to close the %s argument",
                  TYPE_NAMES[type]);
    if (at(c, '}')) break;
    size_t sel = c->pos;
    bool exact = false;
    pa_dec exv;
    int k = -1;
    if (plural && at(c, '=')) {
      c->pos++;
      size_t start = c->pos;
      while (c->pos < c->len && ((c->s[c->pos] >= '0' && c->s[c->pos] <= '9') ||
                                 c->s[c->pos] == '.' || c->s[c->pos] == '-'))
        c->pos++;
      pa_error e;
      if (pa_dec_parse(c->s + start, c->pos - start, &exv, &e) != PA_OK)
        return fail(c, start, PA_ERR_SYNTAX, "expected a number after '=' (%s)", e.msg);
      exact = true;
    } else {
      size_t n = ident(c);
      if (!n) return fail(c, c->pos, PA_ERR_SYNTAX, "expected a selector or '}'");
      if (plural) {
        k = pa_plural_category_from_name(c->s + sel, (int)n);
        if (k < 0)
          return fail(c, sel, PA_ERR_SYNTAX,
                      "'%.*s' is not a plural category (zero, one, two, few, many, other)",
                      (int)(n > 40 ? 40 : n), c->s + sel);
        if (seen & (1u << k))
          return fail(c, sel, PA_ERR_SYNTAX, "the '%.*s' case appears twice", (int)n, c->s + sel);
        seen |= 1u << k;
      } else if (same(c->s + sel, n, "other")) {
        seen |= 1u << PA_PLURAL_OTHER;
      }
    }
    size_t sel_end = c->pos;
    if (m == SIGNATURE) { /* a partial list would mislead the catalog check */
      if (klen + (sel_end - sel) + 4 >= sizeof keys)
        return fail(c, sel, PA_ERR_TOO_LARGE, "more selectors than a signature lists");
      klen += (size_t)snprintf(keys + klen, sizeof keys - klen, "%s\"%.*s\"", klen ? "," : "",
                               (int)(sel_end - sel), c->s + sel);
    }
    skip_ws(c);
    if (!at(c, '{')) return fail(c, c->pos, PA_ERR_SYNTAX, "expected '{' after the selector");
    c->pos++;
    size_t body = c->pos;
    if (!raw(c, m, mark, body)) return false;
    /* '#' means the number in plural cases only; any non-NULL value marks it. */
    if (!message(c, m == FORMAT ? SKIP : m, depth + 1, plural ? &any_number : NULL, true))
      return false;
    mark = c->pos; /* the '}' closing this case */
    c->pos++;
    if (m == FORMAT) {
      if (exact) {
        if (!exact_at && pa_dec_equal(&exv, &value)) exact_at = body;
      } else if (plural) {
        if (k == (int)cat && !keyword_at) keyword_at = body;
        if (k == PA_PLURAL_OTHER) other_at = body;
      } else {
        size_t n = sel_end - sel;
        if (same(c->s + sel, n, "other")) other_at = body;
        if (!keyword_at && strlen(key) == n && !memcmp(key, c->s + sel, n)) keyword_at = body;
      }
    }
  }
  if (!(seen & (1u << PA_PLURAL_OTHER)))
    return fail(c, open, PA_ERR_SYNTAX, "the %s argument needs an 'other' case", TYPE_NAMES[type]);
  size_t end = c->pos + 1;
  if (!raw(c, m, mark, end)) return false;
  if (m == SIGNATURE) sig_entry(c, name, nlen, TYPE_NAMES[type], offset, keys, klen);
  if (m == FORMAT) {
    c->pos = exact_at ? exact_at : keyword_at ? keyword_at : other_at;
    if (!message(c, FORMAT, depth + 1, plural ? &shown : NULL, true)) return false;
  }
  c->pos = end;
  return true;
}

static bool argument(ctx *c, mode m, int depth) {
  size_t open = c->pos++;
  skip_ws(c);
  const char *name = c->s + c->pos;
  size_t nlen = ident(c);
  if (!nlen) return fail(c, c->pos, PA_ERR_SYNTAX, "expected an argument name");
  skip_ws(c);
  if (at(c, '}')) {
    c->pos++;
    if (m == SIGNATURE) sig_entry(c, name, nlen, "string", 0, NULL, 0);
    if (m == PSEUDO) return raw(c, m, open, c->pos);
    if (m != FORMAT) return true;
    const pa_msg_arg *a;
    if (!need_arg(c, open, name, nlen, &a)) return false;
    if (a->type == PA_MSG_STRING) return write_string(c, open, a);
    if (a->type == PA_MSG_TIME) return write_date(c, open, a->i, PA_DATE_SHORT, PA_DATE_SHORT);
    pa_dec x;
    return to_dec(c, open, a, &x) && write_number(c, open, &x, PA_NUM_DECIMAL, NULL);
  }
  if (!at(c, ','))
    return fail(c, c->pos, PA_ERR_SYNTAX, "expected ',' or '}' after the argument name");
  c->pos++;
  skip_ws(c);
  size_t type_at = c->pos;
  size_t tlen = ident(c);
  int type = -1;
  for (int k = 0; k < (int)(sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]); k++)
    if (same(c->s + type_at, tlen, TYPE_NAMES[k])) type = k;
  if (type < 0)
    return fail(c, type_at, tlen ? PA_ERR_UNSUPPORTED : PA_ERR_SYNTAX,
                "'%.*s' is not an argument type (number, date, time, plural, selectordinal, "
                "select)",
                (int)(tlen > 40 ? 40 : tlen), c->s + type_at);
  skip_ws(c);
  if (type <= T_TIME) return simple_typed(c, m, (arg_type)type, name, nlen, open);
  /* Only plural/select nesting recurses; it is what the limit bounds. */
  if (depth >= PA_MSG_MAX_DEPTH)
    return fail(c, open, PA_ERR_TOO_LARGE, "arguments nested deeper than %d", PA_MSG_MAX_DEPTH);
  if (!at(c, ','))
    return fail(c, c->pos, PA_ERR_SYNTAX, "expected ',' after '%s'", TYPE_NAMES[type]);
  c->pos++;
  if (!raw(c, m, open, c->pos)) return false;
  return complex(c, m, depth, (arg_type)type, name, nlen, open);
}

static bool message(ctx *c, mode m, int depth, const pa_dec *hash, bool nested) {
  while (c->pos < c->len) {
    char ch = c->s[c->pos];
    if (ch == '{') {
      if (!argument(c, m, depth)) return false;
      continue;
    }
    if (ch == '}') {
      if (nested) return true;
      return fail(c, c->pos, PA_ERR_SYNTAX, "'}' without a matching '{'");
    }
    if (ch == '#' && hash) {
      if (m == FORMAT && !write_number(c, c->pos, hash, PA_NUM_DECIMAL, NULL)) return false;
      if (m == PSEUDO && !emit(c, "#", 1)) return false;
      c->pos++;
      continue;
    }
    if (ch == '\'') {
      char next = c->pos + 1 < c->len ? c->s[c->pos + 1] : '\0';
      if (next == '\'') { /* '' is one apostrophe */
        if (!(m == PSEUDO ? emit(c, "''", 2) : text(c, m, "'", 1))) return false;
        c->pos += 2;
        continue;
      }
      if (!(next == '{' || next == '}' || (next == '#' && hash))) {
        if (!(m == PSEUDO ? emit(c, "'", 1) : text(c, m, "'", 1))) return false;
        c->pos++;
        continue;
      }
      /* Quoted literal up to the next lone apostrophe (or the end, as ICU). */
      if (!raw(c, m, c->pos, c->pos + 1)) return false;
      c->pos++;
      while (c->pos < c->len) {
        if (c->s[c->pos] == '\'') {
          bool doubled = c->pos + 1 < c->len && c->s[c->pos + 1] == '\'';
          if (!(m == PSEUDO ? emit(c, "''", doubled ? 2 : 1) : !doubled || text(c, m, "'", 1)))
            return false;
          c->pos += doubled ? 2 : 1;
          if (!doubled) break;
          continue;
        }
        size_t start = c->pos;
        while (c->pos < c->len && c->s[c->pos] != '\'') c->pos++;
        if (!text(c, m, c->s + start, c->pos - start)) return false;
      }
      continue;
    }
    size_t start = c->pos;
    while (c->pos < c->len && !strchr("{}#'", c->s[c->pos])) c->pos++;
    if (c->pos == start) c->pos++; /* a '#' outside plural cases is just text */
    if (!text(c, m, c->s + start, c->pos - start)) return false;
  }
  if (nested) return fail(c, c->pos, PA_ERR_SYNTAX, "expected '}' before the end of the message");
  return true;
}

/* ---- entry points */

/* Validates message; on success runs the walker in mode m over it. */
static bool run(ctx *c, mode m, const char *msg) {
  if (!msg) return fail(c, 0, PA_ERR_ARG, "no message");
  size_t n = 0;
  while (n <= PA_MSG_MAX_BYTES && msg[n]) n++;
  if (n > PA_MSG_MAX_BYTES)
    return fail(c, 0, PA_ERR_TOO_LARGE, "message over %d bytes", PA_MSG_MAX_BYTES);
  for (size_t k = 0; k < n;) {
    int l = pa_i18n_utf8_len((const unsigned char *)msg + k, n - k);
    if (!l) return fail(c, k, PA_ERR_SYNTAX, "invalid UTF-8");
    k += (size_t)l;
  }
  c->s = msg;
  c->len = n;
  c->pos = 0;
  return message(c, m, 0, NULL, false);
}

static void init(ctx *c, pa_i18n_out *o, pa_error *err) {
  memset(c, 0, sizeof *c);
  c->out = o;
  c->err = err;
  c->index = 0;
  c->data = &pa_i18n_locale_table[0];
}

size_t pa_msg_format(const char *locale, const char *message, const pa_msg_arg *args, size_t nargs,
                     const pa_msg_options *opts, char *buf, size_t cap, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {buf, cap, 0};
  ctx c;
  init(&c, &o, err);
  int index = pa_i18n_locale_index(locale);
  c.index = index < 0 ? 0 : index;
  c.data = &pa_i18n_locale_table[c.index];
  c.args = args;
  c.nargs = args ? nargs : 0;
  c.tz = opts ? opts->tz_offset_minutes : 0;
  c.flags = opts ? opts->flags : 0;
  bool ok = nargs <= PA_MSG_MAX_ARGS
                ? run(&c, FORMAT, message)
                : fail(&c, 0, PA_ERR_TOO_LARGE, "more than %d arguments", PA_MSG_MAX_ARGS);
  if (!ok) {
    /* The raw message is the visible fallback; one that cannot be shown
     * (too long, not UTF-8) becomes U+FFFD. */
    o.len = 0;
    size_t n = 0;
    bool showable = message != NULL;
    while (showable && n <= PA_MSG_MAX_OUTPUT && message[n]) n++;
    showable = showable && n <= PA_MSG_MAX_OUTPUT;
    for (size_t k = 0; showable && k < n;) {
      int l = pa_i18n_utf8_len((const unsigned char *)message + k, n - k);
      showable = l > 0;
      k += (size_t)(l > 0 ? l : 1);
    }
    if (showable)
      pa_i18n_put(&o, message, n);
    else
      pa_i18n_puts(&o, "\xef\xbf\xbd");
  }
  return pa_i18n_finish(&o);
}

pa_status pa_msg_check(const char *message, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {NULL, 0, 0};
  ctx c;
  init(&c, &o, err);
  return run(&c, SKIP, message) ? PA_OK : err->code;
}

/* The message walked in mode m (SIGNATURE or PSEUDO) between brackets; ""
 * when the message is malformed. */
static size_t bracketed(mode m, const char *message, char *buf, size_t cap, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {buf, cap, 0};
  ctx c;
  init(&c, &o, err);
  pa_i18n_puts(&o, "[");
  bool ok = run(&c, m, message);
  /* Pad the literal text to about 35% longer than the source, the growth
   * German or Russian UI text commonly shows; doubled vowels give ~30%. */
  size_t want = m == PSEUDO ? (c.pseudo_in * 135 + 99) / 100 : 0;
  for (size_t k = c.pseudo_out; ok && k < want; k++)
    pa_i18n_puts(&o, k == c.pseudo_out && want - k > 1 ? " " : "~");
  pa_i18n_puts(&o, "]");
  if (!ok) o.len = 0;
  return pa_i18n_finish(&o);
}

size_t pa_msg_signature(const char *message, char *buf, size_t cap, pa_error *err) {
  return bracketed(SIGNATURE, message, buf, cap, err);
}

size_t pa_msg_pseudo(const char *message, char *buf, size_t cap, pa_error *err) {
  return bracketed(PSEUDO, message, buf, cap, err);
}

/* ---- arguments from JSON */

struct pa_msg_args {
  size_t count;
  pa_msg_arg *items;
  char *strings;
};

pa_status pa_msg_args_parse(const char *json, size_t len, pa_msg_args **out, pa_error *err) {
  pa_error_clear(err);
  if (!out || (!json && len)) return pa_error_set(err, PA_ERR_ARG, "args: no output or input");
  *out = NULL;
  if (len > PA_MSG_MAX_OUTPUT * 4)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "args: over %d bytes", PA_MSG_MAX_OUTPUT * 4);
  cJSON *root = NULL;
  if (len) {
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (!root) {
      size_t at_ = end && end >= json ? (size_t)(end - json) : 0;
      return pa_error_set(err, PA_ERR_SYNTAX, "args: invalid JSON at byte %zu", at_);
    }
    if (!cJSON_IsObject(root)) {
      cJSON_Delete(root);
      return pa_error_set(err, PA_ERR_SCHEMA, "args: expected an object");
    }
  }
  pa_status st = PA_OK;
  size_t n = 0, bytes = 0;
  for (const cJSON *it = root ? root->child : NULL; it; it = it->next) {
    if (++n > PA_MSG_MAX_ARGS) {
      st = pa_error_set(err, PA_ERR_TOO_LARGE, "args: more than %d", PA_MSG_MAX_ARGS);
      goto done;
    }
    bytes += strlen(it->string ? it->string : "") + 1;
    if (cJSON_IsString(it) && it->valuestring)
      bytes += strlen(it->valuestring) + 1;
    else if (!cJSON_IsNumber(it) && !cJSON_IsBool(it)) {
      st = pa_error_set(err, PA_ERR_SCHEMA, "args: %.60s: expected a string, number or boolean",
                        it->string ? it->string : "");
      goto done;
    }
  }
  pa_msg_args *a = calloc(1, sizeof *a);
  pa_msg_arg *items = calloc(n ? n : 1, sizeof *items);
  char *strings = malloc(bytes ? bytes : 1);
  if (!a || !items || !strings) {
    free(a);
    free(items);
    free(strings);
    st = pa_error_set(err, PA_ERR_NOMEM, "out of memory");
    goto done;
  }
  char *w = strings;
  size_t k = 0;
  for (const cJSON *it = root ? root->child : NULL; it; it = it->next, k++) {
    size_t nl = strlen(it->string ? it->string : "") + 1;
    items[k].name = memcpy(w, it->string ? it->string : "", nl);
    w += nl;
    if (cJSON_IsString(it)) {
      size_t vl = strlen(it->valuestring) + 1;
      items[k].type = PA_MSG_STRING;
      items[k].s = memcpy(w, it->valuestring, vl);
      w += vl;
    } else if (cJSON_IsBool(it)) {
      items[k].type = PA_MSG_STRING;
      items[k].s = cJSON_IsTrue(it) ? "true" : "false";
    } else {
      double d = it->valuedouble;
      /* Integers JSON can carry exactly stay integers. */
      if (isfinite(d) && d == floor(d) && fabs(d) <= 9007199254740992.0) {
        items[k].type = PA_MSG_INT;
        items[k].i = (int64_t)d;
      } else {
        items[k].type = PA_MSG_DOUBLE;
        items[k].d = d;
      }
    }
  }
  a->count = n;
  a->items = items;
  a->strings = strings;
  *out = a;
done:
  cJSON_Delete(root);
  return st;
}

void pa_msg_args_free(pa_msg_args *args) {
  if (!args) return;
  free(args->items);
  free(args->strings);
  free(args);
}

const pa_msg_arg *pa_msg_args_items(const pa_msg_args *args, size_t *count) {
  if (count) *count = args ? args->count : 0;
  return args ? args->items : NULL;
}
