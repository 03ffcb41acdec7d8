/* Dates, times and relative times from the generated CLDR tables. Only the
 * Gregorian calendar: see core/src/i18n/i18n.md for th and the Buddhist era. */
#include "pa/pa_civil.h"
#include "i18n_data.h"
#include "pa/pa_numfmt.h"

#include <string.h>

enum { MAX_TZ_MINUTES = 18 * 60 };
static const int64_t FIRST_MS = INT64_C(-62135596800000); /* 0001-01-01T00:00:00Z */
static const int64_t LAST_MS = INT64_C(253402300799999);  /* 9999-12-31T23:59:59.999Z */

/* "GMT+5:30", "GMT-8", "GMT": CLDR's short localized GMT format. */
static void write_gmt(pa_i18n_out *o, const pa_i18n_locale_data *d, int offset_min) {
  if (offset_min == 0) {
    pa_i18n_puts(o, d->gmt_zero);
    return;
  }
  const char *hour = offset_min > 0 ? d->hour_pos : d->hour_neg;
  int mag = offset_min > 0 ? offset_min : -offset_min;
  const char *at = strstr(d->gmt_format, "{0}");
  if (!at) {
    pa_i18n_puts(o, d->gmt_format);
    return;
  }
  pa_i18n_put(o, d->gmt_format, (size_t)(at - d->gmt_format));
  /* Walk "+HH:mm": hours unpadded, minutes and their separator only when set. */
  const char *held = NULL;
  size_t held_len = 0;
  for (const char *p = hour; *p;) {
    if (*p == 'H') {
      while (*p == 'H') p++;
      pa_i18n_write_digits(o, d, (uint64_t)(mag / 60), 1);
    } else if (*p == 'm') {
      while (*p == 'm') p++;
      if (mag % 60) {
        if (held) pa_i18n_put(o, held, held_len);
        pa_i18n_write_digits(o, d, (uint64_t)(mag % 60), 2);
      }
      held = NULL;
    } else if (p[0] == ':' || p[0] == '.') {
      held = p++;
      held_len = 1;
    } else {
      pa_i18n_put(o, p++, 1);
    }
  }
  pa_i18n_puts(o, at + 3);
}

/* Interprets a CLDR date pattern: letter runs are fields, '...' is literal. */
static void write_pattern(pa_i18n_out *o, const pa_i18n_locale_data *d, const char *pat,
                          const pa_civil *c, int offset_min) {
  for (const char *p = pat; *p;) {
    char ch = *p;
    if (ch == '\'') {
      if (p[1] == '\'') {
        pa_i18n_put(o, "'", 1);
        p += 2;
        continue;
      }
      for (p++; *p; p++) {
        if (*p == '\'') {
          if (p[1] != '\'') {
            p++;
            break;
          }
          p++; /* '' inside quotes is one apostrophe */
        }
        pa_i18n_put(o, p, 1);
      }
      continue;
    }
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
      pa_i18n_put(o, p++, 1);
      continue;
    }
    int n = 0;
    while (p[n] == ch) n++;
    p += n;
    int h12 = c->hour % 12;
    switch (ch) {
    case 'G': pa_i18n_puts(o, d->era_abbr[1]); break;
    case 'y':
      if (n == 2)
        pa_i18n_write_digits(o, d, (uint64_t)(c->year % 100), 2);
      else
        pa_i18n_write_digits(o, d, (uint64_t)c->year, n);
      break;
    case 'M':
    case 'L':
      if (n >= 4)
        pa_i18n_puts(o, d->months_wide[c->month - 1]);
      else if (n == 3)
        pa_i18n_puts(o, d->months_abbr[c->month - 1]);
      else
        pa_i18n_write_digits(o, d, (uint64_t)c->month, n);
      break;
    case 'd': pa_i18n_write_digits(o, d, (uint64_t)c->day, n); break;
    case 'h': pa_i18n_write_digits(o, d, (uint64_t)(h12 ? h12 : 12), n); break;
    case 'H': pa_i18n_write_digits(o, d, (uint64_t)c->hour, n); break;
    case 'K': pa_i18n_write_digits(o, d, (uint64_t)h12, n); break;
    case 'k': pa_i18n_write_digits(o, d, (uint64_t)(c->hour ? c->hour : 24), n); break;
    case 'm': pa_i18n_write_digits(o, d, (uint64_t)c->minute, n); break;
    case 's': pa_i18n_write_digits(o, d, (uint64_t)c->second, n); break;
    case 'a': pa_i18n_puts(o, c->hour < 12 ? d->am : d->pm); break;
    case 'z': write_gmt(o, d, offset_min); break;
    default: break; /* the generator refuses patterns with other letters */
    }
  }
}

pa_status pa_i18n_write_date(pa_i18n_out *o, const pa_i18n_locale_data *d, int64_t ms,
                             int tz_offset_minutes, pa_date_style date, pa_date_style time,
                             pa_error *err) {
  if (tz_offset_minutes < -MAX_TZ_MINUTES || tz_offset_minutes > MAX_TZ_MINUTES)
    return pa_error_set(err, PA_ERR_ARG, "date: time zone offset %d is beyond ±18 hours",
                        tz_offset_minutes);
  if ((unsigned)date > PA_DATE_LONG || (unsigned)time > PA_DATE_LONG ||
      (date == PA_DATE_NONE && time == PA_DATE_NONE))
    return pa_error_set(err, PA_ERR_ARG, "date: no date or time style");
  int64_t local = ms + (int64_t)tz_offset_minutes * 60000;
  if (ms < FIRST_MS || ms > LAST_MS || local < FIRST_MS || local > LAST_MS)
    return pa_error_set(err, PA_ERR_ARG, "date: outside the years 1..9999");
  int64_t secs = local >= 0 ? local / 1000 : (local - 999) / 1000;
  pa_civil c = pa_civil_from_unix(secs);
  if (date == PA_DATE_NONE || time == PA_DATE_NONE) {
    const char *pat = date ? d->date_pat[date - 1] : d->time_pat[time - 1];
    write_pattern(o, d, pat, &c, tz_offset_minutes);
    return PA_OK;
  }
  /* "{1}, {0}": {1} is the date, {0} the time. */
  for (const char *p = d->datetime_pat[date - 1]; *p;) {
    if (!strncmp(p, "{1}", 3)) {
      write_pattern(o, d, d->date_pat[date - 1], &c, tz_offset_minutes);
      p += 3;
    } else if (!strncmp(p, "{0}", 3)) {
      write_pattern(o, d, d->time_pat[time - 1], &c, tz_offset_minutes);
      p += 3;
    } else if (*p == '\'') {
      if (p[1] == '\'') pa_i18n_put(o, "'", 1);
      p += p[1] == '\'' ? 2 : 1; /* quotes only protect literals here */
    } else {
      pa_i18n_put(o, p++, 1);
    }
  }
  return PA_OK;
}

size_t pa_date_format(const char *locale, int64_t ms, int tz_offset_minutes, pa_date_style date,
                      pa_date_style time, char *buf, size_t cap, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {buf, cap, 0};
  if (pa_i18n_write_date(&o, pa_i18n_data(locale), ms, tz_offset_minutes, date, time, err) != PA_OK)
    o.len = 0;
  return pa_i18n_finish(&o);
}

size_t pa_date_relative(const char *locale, int64_t value, pa_date_unit unit, unsigned flags,
                        char *buf, size_t cap, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  pa_error_clear(err);
  pa_i18n_out o = {buf, cap, 0};
  if ((unsigned)unit >= PA_I18N_REL_UNITS) {
    pa_error_set(err, PA_ERR_ARG, "relative: unknown unit %d", (int)unit);
    return pa_i18n_finish(&o);
  }
  int index = pa_i18n_locale_index(locale);
  if (index < 0) index = 0;
  const pa_i18n_locale_data *d = &pa_i18n_locale_table[index];
  int style = flags & PA_DATE_REL_SHORT ? 1 : 0;
  if (!(flags & PA_DATE_REL_NUMERIC) && value >= -2 && value <= 2 &&
      d->rel_named[unit][style][value + 2]) {
    pa_i18n_puts(&o, d->rel_named[unit][style][value + 2]);
    return pa_i18n_finish(&o);
  }
  pa_dec x;
  pa_dec_from_int(value, &x);
  x.neg = false;
  pa_plural_category cat = pa_i18n_plural(index, PA_PLURAL_CARDINAL, &x);
  const char *const *forms = d->rel[unit][style][value < 0 ? 0 : 1];
  const char *pat = forms[cat] ? forms[cat] : forms[PA_PLURAL_OTHER];
  if (!pat) {
    pa_error_set(err, PA_ERR_UNSUPPORTED, "relative: %s has no pattern for this unit", d->tag);
    return pa_i18n_finish(&o);
  }
  const char *at = strstr(pat, "{0}");
  pa_i18n_put(&o, pat, at ? (size_t)(at - pat) : strlen(pat));
  if (at) {
    pa_i18n_write_number(&o, d, index, &x, PA_NUM_DECIMAL, NULL, err);
    pa_i18n_puts(&o, at + 3);
  }
  return pa_i18n_finish(&o);
}

size_t pa_date_relative_seconds(const char *locale, int64_t seconds, unsigned flags, char *buf,
                                size_t cap, pa_error *err) {
  static const struct {
    int64_t below, per;
    pa_date_unit unit;
  } STEPS[] = {{60, 1, PA_DATE_SECOND},
               {3600, 60, PA_DATE_MINUTE},
               {86400, 3600, PA_DATE_HOUR},
               {7 * 86400, 86400, PA_DATE_DAY},
               {30 * 86400, 7 * 86400, PA_DATE_WEEK},
               {365 * 86400, 30 * 86400, PA_DATE_MONTH},
               {INT64_MAX, 365 * 86400, PA_DATE_YEAR}};
  /* Clamp so the magnitude is representable (INT64_MIN has no positive). */
  if (seconds < -INT64_MAX) seconds = -INT64_MAX;
  int64_t mag = seconds < 0 ? -seconds : seconds;
  size_t k = 0;
  while (k + 1 < sizeof STEPS / sizeof STEPS[0] && mag >= STEPS[k].below) k++;
  int64_t v = mag / STEPS[k].per; /* the last step, years, takes everything left */
  return pa_date_relative(locale, seconds < 0 ? -v : v, STEPS[k].unit, flags, buf, cap, err);
}
