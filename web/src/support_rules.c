/* pa_support_rules: the support bodies' readers (support_rules.h). */
#include "support_rules.h"

#include "pa/pa_civil.h"
#include "str.h"

#include <string.h>

int pa_support_text_ok(const cJSON *v, long max, int multiline) {
  if (!cJSON_IsString(v) || !v->valuestring) return 0;
  long n = pa_str_utf8_len(v->valuestring, strlen(v->valuestring), multiline);
  return n >= 1 && n <= max;
}

int pa_support_transcript_read(const cJSON *list, pa_support_line out[PA_SUPPORT_TRANSCRIPT_MAX],
                               int *n, const char **why) {
  const cJSON *e;
  *n = 0;
  if (!list || cJSON_IsNull(list)) return 0;
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > PA_SUPPORT_TRANSCRIPT_MAX) {
    *why = "transcript must be a list of at most 20 lines";
    return -1;
  }
  cJSON_ArrayForEach(e, list) {
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(e, "author");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    if (!cJSON_IsObject(e) || cJSON_GetArraySize(e) != 2 || !cJSON_IsString(author) ||
        (strcmp(author->valuestring, "person") != 0 &&
         strcmp(author->valuestring, "assistant") != 0)) {
      *why = "each transcript line must be {\"author\": \"person\" or \"assistant\", \"body\"}";
      return -1;
    }
    if (!pa_support_text_ok(body, PA_SUPPORT_BODY_MAX, 1)) {
      *why = "each transcript line's body must be 1 to 4000 characters of text";
      return -1;
    }
    out[*n].author = author->valuestring;
    out[*n].body = body->valuestring;
    (*n)++;
  }
  return 0;
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int pa_support_time_read(const char *s, int64_t *out) {
  /* 2026-12-07T04:05:06Z */
  if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return -1;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
      mi = digits(s + 14, 2), se = digits(s + 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 59)
    return -1;
  int64_t t = pa_civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  /* 31 February would be 3 March: such a date is refused. */
  pa_civil c = pa_civil_from_unix(t);
  if (c.day != d || c.month != mo) return -1;
  *out = t;
  return 0;
}

int pa_support_state_read(const cJSON *body, int64_t now, const char **state, int64_t *until,
                          const char **why) {
  static const char *const states[] = {"open", "pending", "snoozed", "resolved"};
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "state");
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(body, "snooze_until");
  *state = NULL;
  *until = 0;
  for (size_t i = 0; cJSON_IsString(s) && i < sizeof states / sizeof *states; i++)
    if (strcmp(s->valuestring, states[i]) == 0) *state = states[i];
  if (!*state) {
    *why = "state must be open, pending, snoozed or resolved";
    return -1;
  }
  int snooze = strcmp(*state, "snoozed") == 0;
  if (!snooze) {
    if (u && !cJSON_IsNull(u)) {
      *why = "snooze_until goes only with the state snoozed";
      return -1;
    }
    return 0;
  }
  if (!cJSON_IsString(u) || pa_support_time_read(u->valuestring, until) != 0) {
    *why = "snoozed needs snooze_until, a time like 2026-12-24T09:00:00Z";
    return -1;
  }
  if (*until <= now || *until - now > PA_SUPPORT_SNOOZE_MAX_S) {
    *why = "snooze_until must be in the future and at most 30 days ahead";
    return -1;
  }
  return 0;
}

int pa_support_rating_read(const cJSON *body, int *rating, const char **comment, const char **why) {
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(body, "rating");
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(body, "comment");
  *comment = NULL;
  if (!cJSON_IsNumber(r) || !(r->valuedouble >= 1 && r->valuedouble <= 5) ||
      r->valuedouble != (double)(int)r->valuedouble) {
    *why = "rating must be a whole number from 1 to 5";
    return -1;
  }
  *rating = (int)r->valuedouble;
  if (!c || cJSON_IsNull(c)) return 0;
  if (!pa_support_text_ok(c, PA_SUPPORT_COMMENT_MAX, 1)) {
    *why = "comment must be 1 to 1000 characters of text";
    return -1;
  }
  *comment = c->valuestring;
  return 0;
}
