/* pa_health: the pet-health dashboard's pure rules (health_rules.h). */
#include "health_rules.h"

#include "str.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[PA_HEALTH_KINDS] = {"vaccination", "visit",   "medication",
                                                        "weight",      "allergy", "activity"};
static const char *const kind_routes[PA_HEALTH_KINDS] = {"vaccinations", "visits",    "medications",
                                                         "weights",      "allergies", "activities"};

const char *pa_health_kind_name(int kind) {
  return kind >= 0 && kind < PA_HEALTH_KINDS ? kind_names[kind] : NULL;
}

const char *pa_health_kind_route(int kind) {
  return kind >= 0 && kind < PA_HEALTH_KINDS ? kind_routes[kind] : NULL;
}

int pa_health_kind_parse(const char *word) {
  for (int i = 0; word && i < PA_HEALTH_KINDS; i++)
    if (strcmp(word, kind_routes[i]) == 0) return i;
  return -1;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int pa_health_day_ok(const char *s) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < PA_HEALTH_YEAR_MIN || y > PA_HEALTH_YEAR_MAX || m < 1 || m > 12 || d < 1) return 0;
  return d <= days[m - 1] + (m == 2 && leap(y));
}

int64_t pa_health_day_start(const char *s) {
  /* Days from the civil date (H. Hinnant's algorithm), no time zone involved. */
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe - 719468) * 86400;
}

int64_t pa_health_due(const pa_health_entry *e, int64_t now, int reminded) {
  if (e->kind == PA_HEALTH_VACCINATION)
    return !reminded && e->until_day[0] ? pa_health_day_start(e->until_day) : -1;
  if (e->kind != PA_HEALTH_MEDICATION || e->every_n < 1 || !e->day[0]) return -1;
  const int64_t step = e->every_n * (strcmp(e->every_unit, "hours") == 0 ? 3600 : 86400);
  const int64_t start = pa_health_day_start(e->day);
  const int64_t end = e->until_day[0] ? pa_health_day_start(e->until_day) + 86400 : INT64_MAX;
  int64_t t = start;
  if (t < now || (reminded && t == now)) {
    int64_t k = (now - start) / step;
    t = start + k * step;
    if (t < now || (reminded && t == now)) t += step;
  }
  return t < end ? t : -1;
}

/* ---- reading bodies */

typedef struct reader {
  const cJSON *body;
  char *err;
  size_t errlen;
  const char **field;
} reader;

static int fail(reader *r, const char *name, const char *fmt, const char *what) {
  snprintf(r->err, r->errlen, fmt, name, what);
  *r->field = name;
  return -1;
}

/* A text member into out (cap bytes): required or "" when absent; a string
 * of min..max code points, without control characters (but for newlines
 * when multiline). */
static int text(reader *r, const char *name, int required, long min, long max, int multiline,
                char *out, size_t cap) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, name);
  out[0] = '\0';
  if (!v) return required ? fail(r, name, "%s is required%s", "") : 0;
  if (!cJSON_IsString(v) || !v->valuestring) return fail(r, name, "%s must be a string%s", "");
  size_t n = strlen(v->valuestring);
  long len = pa_str_utf8_len(v->valuestring, n, multiline);
  if (len < 0) return fail(r, name, "%s must be UTF-8 text without control characters%s", "");
  if (len < min || len > max || n >= cap) {
    char range[64];
    snprintf(range, sizeof range, " %ld to %ld characters long", min, max);
    return fail(r, name, "%s must be%s", range);
  }
  memcpy(out, v->valuestring, n + 1);
  return 0;
}

/* A day member ("YYYY-MM-DD") into out; "" when absent and not required. */
static int day(reader *r, const char *name, int required, char out[11]) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, name);
  out[0] = '\0';
  if (!v) return required ? fail(r, name, "%s is required%s", "") : 0;
  if (!cJSON_IsString(v) || !pa_health_day_ok(v->valuestring))
    return fail(r, name, "%s must be a date like 2026-04-30%s", "");
  memcpy(out, v->valuestring, 11);
  return 0;
}

/* A whole number member in min..max into *out; -1 when absent and not required. */
static int whole(reader *r, const char *name, int required, int64_t min, int64_t max,
                 int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, name);
  *out = -1;
  if (!v) return required ? fail(r, name, "%s is required%s", "") : 0;
  /* Whole numbers only: 12.5 grams is refused, never rounded. */
  if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)min && v->valuedouble <= (double)max) ||
      v->valuedouble != (double)(int64_t)v->valuedouble) {
    char range[64];
    snprintf(range, sizeof range, " a whole number from %lld to %lld", (long long)min,
             (long long)max);
    return fail(r, name, "%s must be%s", range);
  }
  *out = (int64_t)v->valuedouble;
  return 0;
}

/* Refuses members other than names (NULL-terminated). */
static int only(reader *r, const char *const *names) {
  for (const cJSON *c = r->body->child; c; c = c->next) {
    int known = 0;
    for (const char *const *n = names; *n && !known; n++)
      known = c->string && !strcmp(c->string, *n);
    if (!known) {
      snprintf(r->err, r->errlen, "Unknown member");
      *r->field = NULL;
      return -1;
    }
  }
  return 0;
}

int pa_health_parse(int kind, const cJSON *body, pa_health_entry *out, char *err, size_t errlen,
                    const char **field) {
  static const char *const fields[PA_HEALTH_KINDS][8] = {
      {"name", "given", "due", "notes", NULL},
      {"date", "clinic", "reason", "notes", NULL},
      {"name", "dose", "every", "unit", "start", "end", "notes", NULL},
      {"date", "grams", NULL},
      {"name", "severity", "notes", NULL},
      {"date", "minutes", "metres", NULL}};
  reader r = {body, err, errlen, field};
  memset(out, 0, sizeof *out);
  out->kind = kind;
  out->every_n = out->grams = out->minutes = out->metres = -1;
  *field = NULL;
  if (kind < 0 || kind >= PA_HEALTH_KINDS) {
    snprintf(err, errlen, "No such kind of record");
    return -1;
  }
  if (!cJSON_IsObject(body)) {
    snprintf(err, errlen, "The body must be a JSON object");
    return -1;
  }
  if (only(&r, fields[kind])) return -1;
  const size_t tcap = sizeof out->title, dcap = sizeof out->detail, ncap = sizeof out->notes;
  switch (kind) {
  case PA_HEALTH_VACCINATION:
    if (text(&r, "name", 1, 1, PA_HEALTH_TITLE_MAX, 0, out->title, tcap) ||
        day(&r, "given", 1, out->day) || day(&r, "due", 0, out->until_day) ||
        text(&r, "notes", 0, 0, PA_HEALTH_NOTES_MAX, 1, out->notes, ncap))
      return -1;
    if (out->until_day[0] && strcmp(out->until_day, out->day) < 0)
      return fail(&r, "due", "%s must not be before the day it was given%s", "");
    return 0;
  case PA_HEALTH_VISIT:
    return text(&r, "clinic", 1, 1, PA_HEALTH_TITLE_MAX, 0, out->title, tcap) ||
                   day(&r, "date", 1, out->day) ||
                   text(&r, "reason", 0, 0, PA_HEALTH_DETAIL_MAX, 0, out->detail, dcap) ||
                   text(&r, "notes", 0, 0, PA_HEALTH_NOTES_MAX, 1, out->notes, ncap)
               ? -1
               : 0;
  case PA_HEALTH_MEDICATION: {
    if (text(&r, "name", 1, 1, PA_HEALTH_TITLE_MAX, 0, out->title, tcap) ||
        text(&r, "dose", 0, 0, PA_HEALTH_DETAIL_MAX, 0, out->detail, dcap) ||
        whole(&r, "every", 1, 1, PA_HEALTH_EVERY_MAX, &out->every_n))
      return -1;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(body, "unit");
    if (!u || !cJSON_IsString(u) ||
        (strcmp(u->valuestring, "hours") != 0 && strcmp(u->valuestring, "days") != 0))
      return fail(&r, "unit", "%s must be \"hours\" or \"days\"%s", "");
    snprintf(out->every_unit, sizeof out->every_unit, "%s", u->valuestring);
    if (day(&r, "start", 1, out->day) || day(&r, "end", 0, out->until_day) ||
        text(&r, "notes", 0, 0, PA_HEALTH_NOTES_MAX, 1, out->notes, ncap))
      return -1;
    if (out->until_day[0] && strcmp(out->until_day, out->day) < 0)
      return fail(&r, "end", "%s must not be before the start%s", "");
    return 0;
  }
  case PA_HEALTH_WEIGHT:
    return day(&r, "date", 1, out->day) ||
                   whole(&r, "grams", 1, PA_HEALTH_GRAMS_MIN, PA_HEALTH_GRAMS_MAX, &out->grams)
               ? -1
               : 0;
  case PA_HEALTH_ALLERGY: {
    if (text(&r, "name", 1, 1, PA_HEALTH_TITLE_MAX, 0, out->title, tcap)) return -1;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "severity");
    if (!s || !cJSON_IsString(s) ||
        (strcmp(s->valuestring, "mild") != 0 && strcmp(s->valuestring, "moderate") != 0 &&
         strcmp(s->valuestring, "severe") != 0))
      return fail(&r, "severity", "%s must be \"mild\", \"moderate\" or \"severe\"%s", "");
    snprintf(out->detail, dcap, "%s", s->valuestring);
    return text(&r, "notes", 0, 0, PA_HEALTH_NOTES_MAX, 1, out->notes, ncap);
  }
  default: /* PA_HEALTH_ACTIVITY */
    return day(&r, "date", 1, out->day) ||
                   whole(&r, "minutes", 1, 1, PA_HEALTH_MINUTES_MAX, &out->minutes) ||
                   whole(&r, "metres", 0, 0, PA_HEALTH_METRES_MAX, &out->metres)
               ? -1
               : 0;
  }
}

int pa_health_parse_share(const cJSON *body, int *days, char *err, size_t errlen,
                          const char **field) {
  static const char *const fields[] = {"days", NULL};
  reader r = {body, err, errlen, field};
  int64_t n;
  *field = NULL;
  if (!cJSON_IsObject(body)) {
    snprintf(err, errlen, "The body must be a JSON object");
    return -1;
  }
  if (only(&r, fields) || whole(&r, "days", 1, 1, PA_HEALTH_SHARE_DAYS_MAX, &n)) return -1;
  *days = (int)n;
  return 0;
}

int pa_health_token_ok(const char *s) {
  static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return s && strlen(s) == PA_HEALTH_TOKEN_TEXT && strspn(s, b64url) == PA_HEALTH_TOKEN_TEXT;
}
