/* libFuzzer target: the pet-health dashboard's body readers (web/src/health_rules.c)
 * on untrusted bytes. The first byte picks the kind (its value modulo
 * PA_HEALTH_KINDS + 1: the last is a share link's {"days"} body), the rest is
 * the JSON body as a request sends it. Invariants: an accepted record's
 * strings are NUL-terminated inside their buffers and within their limits in
 * code points, its days are real calendar days, its numbers in range or -1,
 * its reminder time is never before the start of its day; a refused body
 * says why (and names a member or none); a share's days are 1..30. */
#include "fuzz_check.h"
#include "health_rules.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(const char *d, int required) {
  ASSERT(d[0] ? pa_health_day_ok(d) : !required);
}

static void check_num(int64_t v, int64_t min, int64_t max, int required) {
  ASSERT(v == -1 ? !required : (v >= min && v <= max));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % (PA_HEALTH_KINDS + 1);
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  char err[160] = "";
  const char *field = NULL;
  if (kind == PA_HEALTH_KINDS) {
    int days = 0;
    if (pa_health_parse_share(body, &days, err, sizeof err, &field) == 0)
      ASSERT(days >= 1 && days <= PA_HEALTH_SHARE_DAYS_MAX);
    else
      ASSERT(err[0] && (!field || strcmp(field, "days") == 0));
    cJSON_Delete(body);
    return 0;
  }
  pa_health_entry *e = malloc(sizeof *e);
  if (!e) abort();
  if (pa_health_parse(kind, body, e, err, sizeof err, &field) != 0) {
    ASSERT(err[0] && memchr(err, 0, sizeof err));
    /* A named member is one of the kind's (the body's own strings, or ours). */
    ASSERT(!field || strlen(field) < 16);
  } else {
    ASSERT(e->kind == kind);
    TERMINATED(e->title);
    TERMINATED(e->detail);
    TERMINATED(e->notes);
    TERMINATED(e->day);
    TERMINATED(e->until_day);
    TERMINATED(e->every_unit);
    ASSERT(points(e->title) <= PA_HEALTH_TITLE_MAX);
    ASSERT(points(e->detail) <= PA_HEALTH_DETAIL_MAX);
    ASSERT(points(e->notes) <= PA_HEALTH_NOTES_MAX);
    check_day(e->day, kind != PA_HEALTH_ALLERGY);
    check_day(e->until_day, 0);
    if (e->until_day[0]) ASSERT(strcmp(e->until_day, e->day) >= 0);
    check_num(e->grams, PA_HEALTH_GRAMS_MIN, PA_HEALTH_GRAMS_MAX, kind == PA_HEALTH_WEIGHT);
    check_num(e->minutes, 1, PA_HEALTH_MINUTES_MAX, kind == PA_HEALTH_ACTIVITY);
    check_num(e->metres, 0, PA_HEALTH_METRES_MAX, 0);
    check_num(e->every_n, 1, PA_HEALTH_EVERY_MAX, kind == PA_HEALTH_MEDICATION);
    if (kind == PA_HEALTH_MEDICATION) {
      ASSERT(!strcmp(e->every_unit, "hours") || !strcmp(e->every_unit, "days"));
      /* The next dose from any clock: never before the start, a whole
       * number of steps from it, and strictly later once reminded. */
      const int64_t start = pa_health_day_start(e->day), now = start + (int64_t)data[0] * 3593;
      const int64_t a = pa_health_due(e, now, 0), b = pa_health_due(e, now, 1);
      const int64_t step = e->every_n * (e->every_unit[0] == 'h' ? 3600 : 86400);
      ASSERT(a == -1 || (a >= start && a >= now && (a - start) % step == 0));
      ASSERT(b == -1 || (b > now && (b - start) % step == 0));
    }
    if (kind == PA_HEALTH_ALLERGY)
      ASSERT(!strcmp(e->detail, "mild") || !strcmp(e->detail, "moderate") ||
             !strcmp(e->detail, "severe"));
  }
  free(e);
  cJSON_Delete(body);
  return 0;
}
