/* libFuzzer target: the support routes' body readers (web/src/support_rules.c)
 * on untrusted bytes. The first byte picks the reader (transcript, state,
 * rating, time), the rest is the JSON body as a request sends it (the raw
 * text for the time). Invariants: an accepted transcript has at most 20 lines,
 * each authored person or assistant with a body of 1..4000 characters; an
 * accepted state is one of the four, a snooze after now and at most 30 days
 * ahead, nothing else with a snooze time; an accepted rating is 1..5 with a
 * comment of 1..1000 characters or none; an accepted time prints back as the
 * same text; a refused body always says why. */
#include "fuzz_check.h"
#include "pa/pa_civil.h"
#include "str.h"
#include "support_rules.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long chars(const char *s) { return pa_str_utf8_len(s, strlen(s), 1); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const int64_t now = 1796601600; /* 2026-12-07T00:00:00Z */
  const char *why = NULL;
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  switch (data[0] % 4) {
  case 0: {
    pa_support_line lines[PA_SUPPORT_TRANSCRIPT_MAX];
    int n = -1;
    if (pa_support_transcript_read(cJSON_GetObjectItemCaseSensitive(body, "transcript"), lines, &n,
                                   &why) == 0) {
      ASSERT(n >= 0 && n <= PA_SUPPORT_TRANSCRIPT_MAX);
      for (int i = 0; i < n; i++) {
        ASSERT(strcmp(lines[i].author, "person") == 0 || strcmp(lines[i].author, "assistant") == 0);
        long c = chars(lines[i].body);
        ASSERT(c >= 1 && c <= PA_SUPPORT_BODY_MAX);
      }
    } else {
      ASSERT(why && why[0]);
    }
    break;
  }
  case 1: {
    const char *state = NULL;
    int64_t until = -1;
    if (pa_support_state_read(body, now, &state, &until, &why) == 0) {
      ASSERT(state);
      if (strcmp(state, "snoozed") == 0)
        ASSERT(until > now && until - now <= PA_SUPPORT_SNOOZE_MAX_S);
      else
        ASSERT(until == 0 && (strcmp(state, "open") == 0 || strcmp(state, "pending") == 0 ||
                              strcmp(state, "resolved") == 0));
    } else {
      ASSERT(why && why[0]);
    }
    break;
  }
  case 2: {
    int rating = 0;
    const char *comment = NULL;
    if (pa_support_rating_read(body, &rating, &comment, &why) == 0) {
      ASSERT(rating >= 1 && rating <= 5);
      if (comment) ASSERT(chars(comment) >= 1 && chars(comment) <= PA_SUPPORT_COMMENT_MAX);
    } else {
      ASSERT(why && why[0]);
    }
    break;
  }
  default: {
    char *text = malloc(size);
    ASSERT(text);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    int64_t t = 0;
    if (pa_support_time_read(text, &t) == 0) {
      pa_civil c = pa_civil_from_unix(t);
      char back[32];
      snprintf(back, sizeof back, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)c.year, c.month,
               c.day, c.hour, c.minute, c.second);
      ASSERT(strcmp(back, text) == 0);
    }
    free(text);
  }
  }
  cJSON_Delete(body);
  return 0;
}
