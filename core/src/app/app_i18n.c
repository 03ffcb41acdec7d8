/* The app's words and direction: every string the feed, stories and reels
 * draw or mirror comes from the host's catalogs through pa_i18n_text, counts
 * and relative times follow the catalog's locale, and RTL locales mirror the
 * layout (see core/src/i18n/i18n.md, "The core's own text"). */
#include "app_internal.h"
#include "pa/pa_numfmt.h"

#include <stdio.h>
#include <string.h>

void pa_app_set_locale(pa_app *a, const pa_i18n_catalog *cat, const pa_i18n_catalog *fallback) {
  a->cat = cat ? cat : fallback;
  a->fallback = fallback;
  const char *tag = a->cat ? pa_i18n_catalog_locale(a->cat) : "en";
  snprintf(a->locale, sizeof a->locale, "%s", tag);
  bool rtl = pa_i18n_is_rtl(a->locale);
  if (rtl != a->rtl) app_tray_direction_changed(a);
  a->rtl = rtl;
  /* Words change width: measure again (layout keeps the top post in place). */
  pa_draw_clear_text(a->draw);
  app_invalidate_layout(a);
  a->mirror_revision++;
}

const char *app_tr(pa_app *a, char *buf, size_t cap, const char *key, const pa_msg_arg *args,
                   size_t nargs) {
  if (!cap) return buf;
  buf[0] = '\0';
  if (!a->cat) return buf; /* no locale yet: no words rather than raw keys */
  pa_error e;
  pa_i18n_text(a->cat, a->fallback, key, args, nargs, NULL, buf, cap, &e);
  if (e.code != PA_OK) app_log(a, "i18n: %s", e.msg);
  return buf;
}

const char *app_count(pa_app *a, int64_t n, char *buf, size_t cap) {
  char digits[24];
  snprintf(digits, sizeof digits, "%lld", (long long)n);
  if (pa_num_format(a->locale, digits, PA_NUM_COMPACT, NULL, buf, cap, NULL) == 0 && cap)
    snprintf(buf, cap, "%s", digits);
  return buf;
}

/* Short forms ("3h") are the catalog's, so translators choose them; long forms
 * ("3 hours ago") are CLDR's relative-time data, which has every unit and
 * plural form of every locale. */
const char *app_when(pa_app *a, int64_t then, int long_form, char *buf, size_t cap) {
  int64_t s = (int64_t)(a->now_ms / 1000.0) - then;
  if (s < 60) return APP_T(a, buf, cap, long_form ? "time.justNow" : "time.now");
  if (long_form) {
    if (!pa_date_relative_seconds(a->locale, -s, 0, buf, cap, NULL) && cap) buf[0] = '\0';
    return buf;
  }
  const char *key = s >= 86400  ? "time.daysShort"
                    : s >= 3600 ? "time.hoursShort"
                                : "time.minutesShort";
  int64_t n = s >= 86400 ? s / 86400 : s >= 3600 ? s / 3600 : s / 60;
  return APP_TA(a, buf, cap, key, PA_MSG_INT("count", n));
}

pa_text_style app_user_style(const pa_app *a, int css_size, int bold, uint32_t color, float max_w,
                             int max_lines) {
  pa_text_style st = app_style(a, css_size, bold, color, max_w, max_lines);
  st.direction = PA_TEXT_AUTO;
  return st;
}

float app_mx(const pa_app *a, float x, float w, float left, float width) {
  return a->rtl ? left + width - (x - left) - w : x;
}

float app_text_start(pa_app *a, const char *s, const pa_text_style *st, float x, float w, float y) {
  pa_text t = pa_draw_text(a->draw, s, st);
  float at = a->rtl ? x + w - (float)t.width : x;
  app_text_at(a, s, st, at, y);
  return a->rtl ? at : at + (float)t.width;
}

const char *app_message(pa_app *a, const char *key, const char *text, char *buf, size_t cap) {
  if (key && *key) return APP_T(a, buf, cap, key);
  snprintf(buf, cap, "%s", text ? text : "");
  return buf;
}
